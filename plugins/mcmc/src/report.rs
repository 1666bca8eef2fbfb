//! The output: a table for people and a JSON object for programs.

use toolhost_sdk::{Value, json};

use crate::input::MAX_OUTPUT_VALUES;
use crate::sampler::{Algorithm, Run, Settings};
use crate::summary::RunSummary;

/// Four significant digits, without exponent where it reads naturally.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = libm::floor(libm::log10(x.abs()));
    if (-4.0..5.0).contains(&magnitude) {
        let decimals = (3.0 - magnitude).max(0.0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

fn sampler_name(settings: &Settings) -> &'static str {
    match settings.algorithm {
        Algorithm::Nuts { .. } => "nuts",
        Algorithm::Metropolis => "metropolis",
        Algorithm::Ensemble { .. } => "ensemble",
    }
}

/// `chosen_because` says why the sampler was picked when the user did not
/// name one.
pub fn text(summary: &RunSummary, settings: &Settings, chosen_because: Option<&str>) -> String {
    let (d, w, seed) = (settings.draws, settings.warmup, settings.seed);
    let mut out = match settings.algorithm {
        Algorithm::Nuts { .. } | Algorithm::Metropolis => format!(
            "{}: {} chains x {d} draws after {w} warm-up, seed {seed}\n",
            if matches!(settings.algorithm, Algorithm::Metropolis) {
                "Metropolis"
            } else {
                "NUTS"
            },
            settings.chains,
        ),
        Algorithm::Ensemble { walkers } => format!(
            "Ensemble (stretch move): {} x {walkers} walkers x {d} draws after {w} warm-up, seed {seed}\n",
            if settings.chains == 1 {
                "1 ensemble".to_owned()
            } else {
                format!("{} ensembles", settings.chains)
            },
        ),
    };
    if let Some(why) = chosen_because {
        out.push_str(&format!("(chosen because {why})\n"));
    }
    out.push('\n');
    let width = summary
        .parameters
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("parameter".len());
    let header = [
        "mean", "sd", "mcse", "5%", "25%", "50%", "75%", "95%", "ess_bulk", "ess_tail", "r_hat",
    ];
    out.push_str(&format!("{:<width$}", "parameter"));
    for h in header {
        out.push_str(&format!(" {h:>10}"));
    }
    out.push('\n');
    for (name, s) in &summary.parameters {
        out.push_str(&format!("{name:<width$}"));
        let ess = |x: f64| {
            if x.is_nan() {
                "NaN".to_owned()
            } else {
                format!("{x:.0}")
            }
        };
        let cells = [
            number(s.mean),
            number(s.sd),
            number(s.mcse_mean),
            number(s.quantiles[0]),
            number(s.quantiles[1]),
            number(s.quantiles[2]),
            number(s.quantiles[3]),
            number(s.quantiles[4]),
            ess(s.ess_bulk),
            ess(s.ess_tail),
            if s.rhat.is_nan() {
                "NaN".to_owned()
            } else {
                format!("{:.3}", s.rhat)
            },
        ];
        for c in cells {
            out.push_str(&format!(" {c:>10}"));
        }
        out.push('\n');
    }
    let st = &summary.sampler;
    let steps: Vec<String> = st.step_size.iter().map(|s| number(*s)).collect();
    out.push('\n');
    match settings.algorithm {
        Algorithm::Nuts { .. } => out.push_str(&format!(
            "acceptance {:.2}, step size {}, mean tree depth {:.1}, {} divergent, {} at max tree depth\n",
            st.acceptance,
            steps.join(" "),
            st.mean_depth,
            st.divergences,
            st.max_depth_hits
        )),
        Algorithm::Metropolis => out.push_str(&format!(
            "acceptance {:.2}, proposal scale {}\n",
            st.acceptance,
            steps.join(" ")
        )),
        Algorithm::Ensemble { .. } => out.push_str(&format!(
            "acceptance {:.2}, stretch scale {}; each walker is reported as a chain\n",
            st.acceptance,
            crate::ensemble::STRETCH_SCALE
        )),
    }
    if !summary.warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for w in &summary.warnings {
            out.push_str(&format!("- {w}\n"));
        }
    }
    out
}

pub fn json(
    summary: &RunSummary,
    settings: &Settings,
    chosen_because: Option<&str>,
    run: &Run,
    names: &[String],
    output_draws: usize,
) -> Value {
    let mut parameters = serde_json::Map::new();
    for (name, s) in &summary.parameters {
        let [q5, q25, q50, q75, q95] = s.quantiles;
        parameters.insert(
            name.clone(),
            json!({
                "mean": s.mean,
                "sd": s.sd,
                "mcse_mean": s.mcse_mean,
                "mcse_sd": s.mcse_sd,
                "q5": q5,
                "q25": q25,
                "q50": q50,
                "q75": q75,
                "q95": q95,
                "ess_bulk": s.ess_bulk,
                "ess_tail": s.ess_tail,
                "rhat": s.rhat,
            }),
        );
    }
    let st = &summary.sampler;
    let mut sampler = json!({
        "name": sampler_name(settings),
        "chains": settings.chains,
        "draws": settings.draws,
        "warmup": settings.warmup,
        "seed": settings.seed,
        "acceptance": st.acceptance,
        "step_size": st.step_size,
    });
    if let Some(why) = chosen_because {
        sampler["chosen_because"] = json!(why);
    }
    if let Algorithm::Ensemble { walkers } = settings.algorithm {
        // One stretch scale for all: per-walker copies say nothing.
        sampler["walkers"] = json!(walkers);
        sampler["step_size"] = json!(crate::ensemble::STRETCH_SCALE);
    }
    if let Algorithm::Nuts { max_depth, .. } = settings.algorithm {
        let extra = json!({
            "target_accept": st.target_accept,
            "divergences": st.divergences,
            "warmup_divergences": st.warmup_divergences,
            "max_tree_depth": max_depth,
            "max_tree_depth_hits": st.max_depth_hits,
            "mean_tree_depth": st.mean_depth,
            "mean_leapfrog_steps": st.mean_leapfrog,
            "e_bfmi": st.e_bfmi,
        });
        if let (Value::Object(s), Value::Object(e)) = (&mut sampler, extra) {
            s.extend(e);
        }
    }
    let mut out = json!({
        "parameters": parameters,
        "parameter_order": names,
        "sampler": sampler,
        "warnings": summary.warnings,
    });
    if output_draws > 0 {
        out["draws"] = draws(run, names, output_draws);
    }
    out
}

/// Every `thin`-th draw of each chain, keeping at most `wanted` per chain
/// and [`MAX_OUTPUT_VALUES`] numbers in all.
fn draws(run: &Run, names: &[String], wanted: usize) -> Value {
    let per_chain_cap = MAX_OUTPUT_VALUES / (run.chains.len() * run.dim).max(1);
    let keep = wanted.min(per_chain_cap).clamp(1, run.draws.max(1));
    let thin = run.draws.div_ceil(keep).max(1);
    let chains: Vec<Value> = run
        .chains
        .iter()
        .map(|c| {
            let mut m = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                let values: Vec<f64> = c
                    .draws
                    .iter()
                    .skip(i)
                    .step_by(run.dim)
                    .step_by(thin)
                    .copied()
                    .collect();
                m.insert(name.clone(), json!(values));
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "thin": thin,
        "per_chain": run.draws.div_ceil(thin),
        "chains": chains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(12.3456), "12.35");
        assert_eq!(number(-1234.56), "-1235");
        assert_eq!(number(123456.0), "1.235e5");
        assert_eq!(number(0.00012345), "0.0001234");
        assert_eq!(number(1.5e-7), "1.500e-7");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::NAN), "NaN");
    }
}
