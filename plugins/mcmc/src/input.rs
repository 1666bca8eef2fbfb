//! The tool's input, its JSON Schema, and its validation into a ready
//! problem: a compiled density, transforms, starting values and settings.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toolhost_expr::{Data, ErrorKind, Expr, ExprError, Program};
use toolhost_sdk::{NameScope, ToolError, expr_field_error};

use crate::ensemble;
use crate::sampler::{Algorithm, Settings};
use crate::transform::Transform;

/// Kept values (chains x draws x parameters) per call: bounds memory.
pub const MAX_STORED_VALUES: usize = 10_000_000;
/// Draws of one parameter (chains x draws): its diagnostics briefly need
/// about 60 bytes per draw, which must fit the default 256 MB sandbox.
pub const MAX_DRAWS_PER_PARAMETER: usize = 2_000_000;
/// Returned draws (chains x draws x parameters) per call: bounds the output.
pub const MAX_OUTPUT_VALUES: usize = 100_000;
pub const MAX_CHAINS: u32 = 64;
/// Parameters per call: far past what a sampler here mixes well, and a bound the host's
/// schema check applies before the tool runs (100,000 names once took 22 s to refuse).
pub const MAX_PARAMETERS: usize = 10_000;

/// Sample from a log density written in the expression language.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The log density to sample from, up to an additive constant, as an
    /// expression over the parameters and data, e.g.
    /// `normal_lpdf(mu, 0, 10) + exponential_lpdf(sigma, 1) + sum(normal_lpdf(y, mu, sigma))`.
    /// Besides arithmetic and the usual functions it has log densities
    /// (normal_lpdf, student_t_lpdf, cauchy_lpdf, exponential_lpdf,
    /// gamma_lpdf, beta_lpdf, lognormal_lpdf, uniform_lpdf, binomial_lpmf,
    /// poisson_lpmf, bernoulli_lpmf) and reductions over data arrays (sum,
    /// mean, len), inside which operations apply element by element.
    pub log_density: String,
    /// The parameters to sample: a list of names (reported in that order),
    /// or an object from name to constraint (reported in order of first use
    /// in log_density): "real" (no constraint), "positive", or bounds
    /// {"lower": a, "upper": b} (either may be left out). Constrained
    /// parameters are sampled on an unconstrained scale with the Jacobian of
    /// the transform included, so the density needs no correction.
    pub parameters: Parameters,
    /// Named constants the density reads: numbers, or arrays of numbers
    /// (observations), which can only be used inside sum(...), mean(...) or
    /// len(...).
    #[serde(default)]
    pub data: BTreeMap<String, DataValue>,
    /// Starting values, on the parameters' own scale. A parameter without
    /// one starts, in each chain, uniformly in (-2, 2) on the unconstrained
    /// scale (for a positive parameter: between e^-2 and e^2).
    #[serde(default)]
    pub init: BTreeMap<String, f64>,
    /// Number of chains, run one after another. Default 4. For the ensemble
    /// sampler: the number of independent ensembles, default 1 (each
    /// walker is reported as a chain).
    #[serde(default)]
    #[schemars(range(min = 1, max = 64))]
    pub chains: Option<u32>,
    /// Draws kept per chain (per walker for the ensemble sampler), after
    /// warm-up. Default 1000.
    #[serde(default = "default_draws")]
    #[schemars(range(min = 1))]
    pub draws: u32,
    /// Warm-up iterations per chain, which adapt the sampler and are then
    /// discarded. Default 1000.
    #[serde(default = "default_warmup")]
    pub warmup: u32,
    /// Seed of the random streams: the same input and seed give the same
    /// result on every platform. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// "auto" (default): NUTS when the density is differentiable, else the
    /// ensemble sampler; the result's `sampler.name` says which ran and
    /// `sampler.chosen_because` why. "nuts": the No-U-Turn sampler, which
    /// follows the exact gradient and needs a smooth density (it runs on
    /// kinks such as abs, but not on steps). "ensemble" (or
    /// "gradient_free"): emcee's affine-invariant ensemble sampler
    /// (stretch move), which needs no gradient, for densities with kinks or
    /// steps (abs, min, max, floor, comparisons, if on a parameter, counts
    /// that depend on parameters); its walkers are reported as chains.
    /// "metropolis": adaptive random-walk Metropolis.
    #[serde(default)]
    pub sampler: SamplerKind,
    /// Ensemble sampler: walkers per ensemble, at least twice the number of
    /// parameters. Default max(2 x parameters, 32). Giving it selects the
    /// ensemble sampler when `sampler` is "auto".
    #[serde(default)]
    #[schemars(range(min = 4, max = 4096))]
    pub walkers: Option<u32>,
    /// NUTS: the mean acceptance statistic that step-size adaptation aims
    /// for, between 0 and 1. Higher means smaller steps and fewer
    /// divergences. When left out, adaptation starts at 0.8 and, after each
    /// warm-up window in which a trajectory diverged, halves the distance to
    /// 1 (up to 0.99); the value reached is reported.
    #[serde(default)]
    pub target_accept: Option<f64>,
    /// NUTS: the largest tree depth; a transition takes at most 2^depth
    /// leapfrog steps. Default 10.
    #[serde(default = "default_max_tree_depth")]
    #[schemars(range(min = 1, max = 15))]
    pub max_tree_depth: u32,
    /// Also return the draws, thinned evenly to at most this many per chain
    /// (per walker for the ensemble sampler) and to at most 100000 numbers
    /// in all. Default 0: no draws.
    #[serde(default)]
    pub output_draws: u32,
}

/// Chains when the user names none; an ensemble is one run of many walkers.
const DEFAULT_CHAINS: u32 = 4;
const DEFAULT_ENSEMBLES: u32 = 1;
fn default_draws() -> u32 {
    1000
}
fn default_warmup() -> u32 {
    1000
}
fn default_seed() -> u64 {
    1
}
/// Where NUTS step-size adaptation starts when the user sets no target.
pub const DEFAULT_TARGET_ACCEPT: f64 = 0.8;
fn default_max_tree_depth() -> u32 {
    10
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SamplerKind {
    #[default]
    Auto,
    Nuts,
    Metropolis,
    Ensemble,
    /// The best sampler that needs no gradient: today the ensemble.
    #[serde(rename = "gradient_free")]
    GradientFree,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum DataValue {
    Number(f64),
    Array(Vec<f64>),
}

/// The constraint of one parameter.
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq)]
#[serde(untagged)]
pub enum Constraint {
    Named(Named),
    Bounds(Bounds),
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Named {
    /// Any real number.
    Real,
    /// Above zero.
    Positive,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// The parameter is above this.
    #[serde(default)]
    pub lower: Option<f64>,
    /// The parameter is below this.
    #[serde(default)]
    pub upper: Option<f64>,
}

/// The parameters as given. JSON objects are unordered (and the host passes
/// them on with sorted keys), so only the list form carries an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub list: Vec<(String, Constraint)>,
    pub ordered: bool,
}

impl<'de> Deserialize<'de> for Parameters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Parameters;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of parameter names, or an object from name to constraint")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parameters, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    out.push((name, Constraint::Named(Named::Real)));
                }
                Ok(Parameters {
                    list: out,
                    ordered: true,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parameters, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let constraint = map.next_value::<Constraint>().map_err(|e| {
                        de::Error::custom(format!(
                            "parameter '{name}': {e}; use \"real\", \"positive\" or {{\"lower\": ..., \"upper\": ...}}"
                        ))
                    })?;
                    out.push((name, constraint));
                }
                Ok(Parameters {
                    list: out,
                    ordered: false,
                })
            }
        }
        d.deserialize_any(Ordered)
    }
}

impl JsonSchema for Parameters {
    fn schema_name() -> Cow<'static, str> {
        "Parameters".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let constraint = generator.subschema_for::<Constraint>();
        json_schema!({
            "anyOf": [
                {
                    "type": "array",
                    "items": { "type": "string" },
                    "minItems": 1,
                    "maxItems": MAX_PARAMETERS
                },
                {
                    "type": "object",
                    "additionalProperties": constraint,
                    "minProperties": 1,
                    "maxProperties": MAX_PARAMETERS
                }
            ]
        })
    }
}

/// A validated call, ready to sample.
pub struct Problem {
    pub names: Vec<String>,
    pub transforms: Vec<Transform>,
    /// Per parameter: the user's starting value, unconstrained.
    pub init: Vec<Option<f64>>,
    pub program: Program,
    pub settings: Settings,
    /// Why the sampler was chosen, when the user left it to "auto".
    pub chosen_because: Option<String>,
    pub output_draws: usize,
}

fn invalid(pointer: &str, message: impl Into<String>) -> ToolError {
    ToolError::invalid_input(message).at(pointer)
}

pub fn validate(input: &Input) -> Result<Problem, ToolError> {
    let data = data(&input.data);
    let src = input.log_density.as_str();
    let expr = Expr::parse(src).map_err(|e| expr_error(&e, src, &[], &data))?;
    let (names, transforms) = parameters(&input.parameters, &expr.variables())?;
    let init = starting_values(input, &names, &transforms)?;
    let dim = names.len();
    let program = compile(input, &expr, &names, &data)?;
    let (algorithm, chosen_because) = algorithm(input, &program, dim)?;
    let settings = settings(input, algorithm)?;
    let chains = match algorithm {
        Algorithm::Ensemble { walkers } => {
            format!("{} ensembles x {walkers} walkers", settings.chains)
        }
        _ => format!("{} chains", settings.chains),
    };
    let per_parameter =
        (settings.chains * algorithm.chains_per_run()).saturating_mul(settings.draws);
    if per_parameter > MAX_DRAWS_PER_PARAMETER {
        return Err(invalid(
            "/draws",
            format!(
                "{chains} x {} draws is {per_parameter} draws per parameter, more than the {MAX_DRAWS_PER_PARAMETER} a call can summarise: use fewer draws",
                input.draws
            ),
        ));
    }
    let stored = per_parameter.saturating_mul(dim);
    if stored > MAX_STORED_VALUES {
        return Err(invalid(
            "/draws",
            format!(
                "{chains} x {} draws x {dim} parameters is {stored} values, more than the {MAX_STORED_VALUES} a call can keep: use fewer draws",
                input.draws
            ),
        ));
    }
    // After compiling, so that a misspelt use is reported as that.
    let used: std::collections::HashSet<&str> = expr.variables().into_iter().collect();
    if let Some(name) = names.iter().find(|n| !used.contains(n.as_str())) {
        return Err(invalid(
            &format!("/parameters/{name}"),
            format!(
                "parameter '{name}' does not appear in log_density, so nothing constrains it and it cannot be sampled: remove it or use it"
            ),
        ));
    }
    Ok(Problem {
        names,
        transforms,
        init,
        program,
        settings,
        chosen_because,
        output_draws: input.output_draws as usize,
    })
}

/// The parameters in reporting order with their transforms. `used` lists
/// the expression's names in order of first appearance.
fn parameters(
    params: &Parameters,
    used: &[&str],
) -> Result<(Vec<String>, Vec<Transform>), ToolError> {
    if params.list.is_empty() {
        return Err(invalid(
            "/parameters",
            "no parameters: name at least one, e.g. [\"mu\"]",
        ));
    }
    if params.list.len() > MAX_PARAMETERS {
        return Err(invalid(
            "/parameters",
            format!(
                "{} parameters; at most {MAX_PARAMETERS} can be sampled in one call",
                params.list.len()
            ),
        ));
    }
    let mut list = params.list.clone();
    if !params.ordered {
        let first_use: std::collections::HashMap<&str, usize> = used
            .iter()
            .enumerate()
            .rev()
            .map(|(i, u)| (*u, i))
            .collect();
        list.sort_by_key(|(name, _)| first_use.get(name.as_str()).copied().unwrap_or(usize::MAX));
    }
    let mut names = Vec::with_capacity(list.len());
    let mut transforms = Vec::with_capacity(list.len());
    let mut seen = std::collections::HashSet::with_capacity(list.len());
    for (name, constraint) in &list {
        let pointer = format!("/parameters/{name}");
        if !seen.insert(name.as_str()) {
            return Err(invalid(
                &pointer,
                format!("parameter '{name}' is listed twice"),
            ));
        }

        let transform = match constraint {
            Constraint::Named(Named::Real) => Transform::Identity,
            Constraint::Named(Named::Positive) => Transform::Lower(0.0),
            Constraint::Bounds(b) => Transform::from_bounds(b.lower, b.upper)
                .map_err(|e| invalid(&pointer, format!("parameter '{name}': {e}")))?,
        };
        names.push(name.clone());
        transforms.push(transform);
    }
    Ok((names, transforms))
}

fn data(values: &BTreeMap<String, DataValue>) -> Data {
    let mut data = Data::new();
    for (name, value) in values {
        match value {
            DataValue::Number(x) => data.number(name, *x),
            DataValue::Array(xs) => data.array(name, xs.clone()),
        };
    }
    data
}

fn starting_values(
    input: &Input,
    names: &[String],
    transforms: &[Transform],
) -> Result<Vec<Option<f64>>, ToolError> {
    let mut init = vec![None; names.len()];
    for (name, &value) in &input.init {
        let pointer = format!("/init/{name}");
        let Some(i) = names.iter().position(|n| n == name) else {
            return Err(invalid(
                &pointer,
                format!(
                    "init gives a value for '{name}', which is not a parameter (parameters: {})",
                    names.join(", ")
                ),
            ));
        };
        let t = transforms[i];
        init[i] = Some(t.inverse(value).ok_or_else(|| {
            invalid(
                &pointer,
                format!(
                    "init of '{name}' is {value}, but '{name}' must be {}",
                    t.describe()
                ),
            )
        })?);
    }
    Ok(init)
}

/// The sampler to run, and why when the user left the choice to us.
fn algorithm(
    input: &Input,
    program: &Program,
    dim: usize,
) -> Result<(Algorithm, Option<String>), ToolError> {
    let (kind, why) = match input.sampler {
        SamplerKind::Auto if input.walkers.is_some() => {
            (SamplerKind::Ensemble, Some("walkers was given".to_owned()))
        }
        SamplerKind::Auto => match program.check_smooth() {
            Err(e) => (
                SamplerKind::Ensemble,
                Some(format!(
                    "log_density is not differentiable ({}), and NUTS needs its gradient",
                    e.message()
                )),
            ),
            Ok(()) if !program.is_differentiable() => (
                SamplerKind::Ensemble,
                Some(
                    "log_density has a kink (abs, min, max or clamp of a parameter), where its gradient jumps"
                        .to_owned(),
                ),
            ),
            Ok(()) => (SamplerKind::Nuts, None),
        },
        SamplerKind::GradientFree => (SamplerKind::Ensemble, None),
        kind => (kind, None),
    };
    if input.walkers.is_some() && kind != SamplerKind::Ensemble {
        return Err(invalid(
            "/walkers",
            "walkers applies to the ensemble sampler only: leave it out, or use \"sampler\": \"ensemble\"",
        ));
    }
    let algorithm = match kind {
        SamplerKind::Nuts => {
            let target = input.target_accept.unwrap_or(DEFAULT_TARGET_ACCEPT);
            if !(target > 0.0 && target < 1.0) {
                return Err(invalid(
                    "/target_accept",
                    format!(
                        "target_accept is {target}, but must be between 0 and 1 (e.g. 0.8, or 0.95 to avoid divergences)"
                    ),
                ));
            }
            if !(1..=15).contains(&input.max_tree_depth) {
                return Err(invalid(
                    "/max_tree_depth",
                    "max_tree_depth must be between 1 and 15",
                ));
            }
            Algorithm::Nuts {
                max_depth: input.max_tree_depth as usize,
                target_accept: target,
                raise_on_divergence: input.target_accept.is_none(),
            }
        }
        SamplerKind::Metropolis => Algorithm::Metropolis,
        _ => Algorithm::Ensemble {
            walkers: walkers(input, dim)?,
        },
    };
    Ok((algorithm, why))
}

fn walkers(input: &Input, dim: usize) -> Result<usize, ToolError> {
    let least = ensemble::min_walkers(dim);
    if least > ensemble::MAX_WALKERS {
        return Err(invalid(
            "/parameters",
            format!(
                "the ensemble sampler needs at least 2 walkers per parameter, and {dim} parameters would take more than its {} walkers: use \"sampler\": \"nuts\" with a smooth density",
                ensemble::MAX_WALKERS
            ),
        ));
    }
    let Some(w) = input.walkers else {
        return Ok(ensemble::default_walkers(dim).min(ensemble::MAX_WALKERS));
    };
    let w = w as usize;
    if !(least..=ensemble::MAX_WALKERS).contains(&w) {
        return Err(invalid(
            "/walkers",
            format!(
                "walkers is {w}, but must be between {least} (twice the {dim} parameters, at least 4) and {}: walkers only move within the span of the others",
                ensemble::MAX_WALKERS
            ),
        ));
    }
    Ok(w)
}

fn settings(input: &Input, algorithm: Algorithm) -> Result<Settings, ToolError> {
    let default_chains = match algorithm {
        Algorithm::Ensemble { .. } => DEFAULT_ENSEMBLES,
        _ => DEFAULT_CHAINS,
    };
    let chains = input.chains.unwrap_or(default_chains);
    if !(1..=MAX_CHAINS).contains(&chains) {
        return Err(invalid(
            "/chains",
            format!("chains must be between 1 and {MAX_CHAINS}"),
        ));
    }
    if input.draws == 0 {
        return Err(invalid("/draws", "draws must be at least 1"));
    }
    Ok(Settings {
        chains: chains as usize,
        warmup: input.warmup as usize,
        draws: input.draws as usize,
        seed: input.seed,
        algorithm,
    })
}

fn compile(
    input: &Input,
    expr: &Expr,
    names: &[String],
    data: &Data,
) -> Result<Program, ToolError> {
    let src = input.log_density.as_str();
    let program = expr
        .compile_with_data(names, data)
        .map_err(|e| expr_error(&e, src, names, data))?;
    if input.sampler == SamplerKind::Nuts
        && let Err(e) = program.check_smooth()
    {
        let mut err = expr_error(&e, src, names, data);
        err.message.push_str(
            ". NUTS follows the gradient and needs a smooth density: rewrite it, or leave \"sampler\" out (or use \"ensemble\") for a sampler that needs no gradient",
        );
        return Err(err);
    }
    Ok(program)
}

/// An expression error as `invalid_input`, pointing at the input field at
/// fault, with the line, column and a caret snippet for source errors.
fn expr_error(e: &ExprError, src: &str, names: &[String], data: &Data) -> ToolError {
    let pointer = match e.kind() {
        // Name-list errors without a location come from the parameter or
        // data names, not the expression.
        ErrorKind::ReservedName | ErrorKind::InvalidVariableName | ErrorKind::DuplicateVariable
            if e.location().is_none() =>
        {
            if names
                .iter()
                .any(|n| e.message().contains(&format!("'{n}'")))
            {
                "/parameters"
            } else {
                "/data"
            }
        }
        _ => "/log_density",
    };
    let mut scope = NameScope::new("a parameter (in `parameters`) or data (in `data`)")
        .names("parameters", names);
    if !data.is_empty() {
        scope = scope.names("data", data.names());
    }
    expr_field_error(e, src, pointer, Some(&scope))
}
