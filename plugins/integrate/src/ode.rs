//! `ode`: initial value problems y' = f(t, y) for systems written as expressions, solved
//! with Dormand–Prince 5(4) or 8(5,3) or Radau IIA; output at every step or at requested
//! times (dense output), events (times where an expression crosses zero, optionally
//! stopping there) and optionally a picture of the solution.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_expr::{Program, Scratch};
use toolhost_sdk::{ToolError, Value, json};

use crate::dop853::Dop853;
use crate::dopri5::Dopri5;
use crate::explicit;
use crate::expression;
use crate::plot::{Canvas, PlotRequest};
use crate::radau;
use crate::report::{Report, num};
use crate::solver::{Control, Counts, Ending, Jacobian, Settings, Step, System};
use toolhost_plot::Series;

/// Steps at most, by default (the schema bounds it at 10 million).
const DEFAULT_MAX_STEPS: u32 = 100_000;
/// Output values (times × components) at most: bounds the result's size.
pub const MAX_OUTPUT_VALUES: usize = 2_000_000;
/// Bisection-secant iterations when locating an event.
const EVENT_ITERATIONS: usize = 100;
/// Points inside each step the picture adds to the steps' ends (without t_eval), so that
/// the curves of long steps are curves; up to this many times in all.
const PLOT_INTERIOR: [f64; 3] = [0.25, 0.5, 0.75];
const PLOT_DENSE_TIMES: usize = 20_000;

/// Solve an initial value problem.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct OdeInput {
    /// The system: each unknown's name mapped to its derivative, an expression in the
    /// time variable, the unknowns and the parameters, e.g.
    /// {"x": "a*x - b*x*y", "y": "-c*y + d*x*y"}.
    pub rhs: BTreeMap<String, String>,
    /// The initial value of every unknown, by name.
    pub y0: BTreeMap<String, f64>,
    /// [t0, t_end]: the integration runs from t0 to t_end (t_end < t0 runs backwards).
    pub t_span: [f64; 2],
    /// Times at which to report the solution (within t_span, in the direction of
    /// integration), interpolated to the solver's own accuracy. Default: every step.
    #[serde(default)]
    pub t_eval: Option<Vec<f64>>,
    /// Name of the time variable in the expressions. Default "t".
    #[serde(default = "default_time")]
    pub time: String,
    /// Named constants the expressions may use.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Relative tolerance. Default 1e-3, as scipy's solve_ivp.
    #[serde(default = "default_rtol")]
    pub rtol: f64,
    /// Absolute tolerance. Default 1e-6, as scipy's solve_ivp.
    #[serde(default = "default_atol")]
    pub atol: f64,
    /// "dopri5" (Dormand–Prince 5(4), the default; scipy's RK45) for non-stiff systems;
    /// "dop853" (Dormand–Prince 8(5,3), scipy's DOP853) for non-stiff systems at tight
    /// tolerances (rtol below about 1e-6), where its eighth order takes fewer evaluations;
    /// "radau" (Radau IIA of order 5, implicit, with the exact Jacobian of the
    /// expressions) for stiff ones, where the explicit methods take a great many steps.
    #[serde(default)]
    pub method: Method,
    /// Steps at most (accepted and rejected). Default 100000.
    #[serde(default = "default_max_steps")]
    #[schemars(range(min = 1, max = 10000000))]
    pub max_steps: u32,
    /// Largest step. Default: unbounded.
    #[serde(default)]
    pub max_step: Option<f64>,
    /// Events: expressions whose zero crossings are located and reported.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Draw the solution, each unknown against time with a legend by name: true for an
    /// 800×600 PNG, or {"format": "png" | "svg", "width": px, "height": px}. The picture
    /// comes beside the JSON result. Without t_eval the curves also pass through three
    /// interpolated points inside each step.
    #[serde(default)]
    pub plot: PlotRequest,
}

#[derive(Deserialize, JsonSchema, Debug, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    Dopri5,
    Dop853,
    Radau,
}

/// A zero crossing to look for.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// An expression in time, the unknowns and the parameters; an event is where it
    /// crosses zero, e.g. "y" (the ball lands) or "x - 2".
    pub expr: String,
    /// 1: only crossings from negative to positive; -1: positive to negative; 0 (the
    /// default): both.
    #[serde(default)]
    #[schemars(range(min = -1, max = 1))]
    pub direction: i8,
    /// Stop the integration at the first such crossing. Default false.
    #[serde(default)]
    pub terminal: bool,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Dopri5 => "dopri5",
            Method::Dop853 => "dop853",
            Method::Radau => "radau",
        }
    }
}

fn default_time() -> String {
    "t".to_owned()
}
fn default_rtol() -> f64 {
    1e-3
}
fn default_atol() -> f64 {
    1e-6
}
fn default_max_steps() -> u32 {
    DEFAULT_MAX_STEPS
}

/// The system as compiled programs over [t, unknowns…, params…].
struct ExprSystem {
    programs: Vec<Program>,
    scratch: Scratch,
    point: Vec<f64>,
    grad: Vec<f64>,
}

impl ExprSystem {
    fn load(&mut self, t: f64, y: &[f64]) {
        self.point[0] = t;
        self.point[1..=y.len()].copy_from_slice(y);
    }
}

impl System for ExprSystem {
    fn dim(&self) -> usize {
        self.programs.len()
    }

    fn rhs(&mut self, t: f64, y: &[f64], dy: &mut [f64]) {
        self.load(t, y);
        for (d, p) in dy.iter_mut().zip(&self.programs) {
            *d = p.eval_with(&self.point, &mut self.scratch);
        }
    }
}

impl Jacobian for ExprSystem {
    /// Row i is the exact gradient of f_i (reverse mode), less its t and parameter parts.
    fn jacobian(&mut self, t: f64, y: &[f64], jac: &mut [f64]) {
        self.load(t, y);
        let n = y.len();
        for (i, p) in self.programs.iter().enumerate() {
            p.eval_grad(&self.point, &mut self.grad, &mut self.scratch);
            jac[i * n..(i + 1) * n].copy_from_slice(&self.grad[1..=n]);
        }
    }
}

struct EventFn {
    program: Program,
    direction: i8,
    terminal: bool,
}

#[derive(Debug)]
struct Found {
    event: usize,
    t: f64,
    y: Vec<f64>,
}

pub fn run(input: &OdeInput) -> Result<Report, ToolError> {
    let names: Vec<String> = input.rhs.keys().cloned().collect();
    let (t0, t_end) = (input.t_span[0], input.t_span[1]);
    check(input, &names)?;
    let canvas = Canvas::from_request(&input.plot)?;
    let mut vars = vec![input.time.clone()];
    vars.extend(names.iter().cloned());
    vars.extend(input.params.keys().cloned());
    let mut programs = Vec::with_capacity(names.len());
    for (name, src) in &input.rhs {
        let pointer = format!("/rhs/{name}");
        let expr = expression::parse(src, &pointer)?;
        programs.push(expression::compile(&expr, &pointer, &vars)?);
    }
    let mut events = Vec::with_capacity(input.events.len());
    for (i, e) in input.events.iter().enumerate() {
        let pointer = format!("/events/{i}/expr");
        let expr = expression::parse(&e.expr, &pointer)?;
        events.push(EventFn {
            program: expression::compile(&expr, &pointer, &vars)?,
            direction: e.direction,
            terminal: e.terminal,
        });
    }
    let mut point = vec![0.0; vars.len()];
    for (slot, v) in point[1 + names.len()..]
        .iter_mut()
        .zip(input.params.values())
    {
        *slot = *v;
    }
    let y0: Vec<f64> = names.iter().map(|n| input.y0[n]).collect();
    let mut sys = ExprSystem {
        scratch: programs[0].scratch(),
        programs,
        grad: vec![0.0; point.len()],
        point,
    };
    let mut event_point = sys.point.clone();
    let mut event_scratch = Scratch::new();
    let mut g = |ev: &EventFn, t: f64, y: &[f64]| {
        event_point[0] = t;
        event_point[1..=y.len()].copy_from_slice(y);
        ev.program.eval_with(&event_point, &mut event_scratch)
    };

    let settings = Settings {
        rtol: input.rtol,
        atol: input.atol,
        max_steps: input.max_steps as usize,
        first_step: None,
        max_step: input.max_step.unwrap_or(f64::INFINITY),
    };
    let n = names.len();
    let dir = if t_end >= t0 { 1.0 } else { -1.0 };
    let mut ts: Vec<f64> = Vec::new();
    let mut ys: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut next_eval = 0;
    let t_eval = input.t_eval.as_deref();
    let push = |t: f64, y: &[f64], ts: &mut Vec<f64>, ys: &mut Vec<Vec<f64>>| {
        ts.push(t);
        for (col, v) in ys.iter_mut().zip(y) {
            col.push(*v);
        }
    };
    match t_eval {
        None => push(t0, &y0, &mut ts, &mut ys),
        Some(te) => {
            while next_eval < te.len() && te[next_eval] == t0 {
                push(t0, &y0, &mut ts, &mut ys);
                next_eval += 1;
            }
        }
    }
    let mut g_prev: Vec<f64> = events.iter().map(|e| g(e, t0, &y0)).collect();
    let mut found: Vec<Found> = Vec::new();
    let mut stop_at: Option<f64> = None;
    let mut yt = vec![0.0; n];
    // The picture's own times without t_eval: step ends plus points inside the steps.
    let mut plot_ts: Vec<f64> = Vec::new();
    let mut plot_ys: Vec<Vec<f64>> = vec![Vec::new(); n];
    let densify = canvas.is_some() && t_eval.is_none();
    if densify {
        push(t0, &y0, &mut plot_ts, &mut plot_ys);
    }

    let on_step = |step: &Step| {
        // Events in this step, earliest first; a terminal one ends the step there.
        let mut step_end = step.t1();
        let mut terminal_here = false;
        let mut in_step: Vec<Found> = Vec::new();
        for (i, ev) in events.iter().enumerate() {
            let g1 = g(ev, step.t1(), step.y1);
            let g0 = g_prev[i];
            g_prev[i] = g1;
            let up = g0 < 0.0 && g1 >= 0.0;
            let down = g0 > 0.0 && g1 <= 0.0;
            let wanted = match ev.direction {
                1 => up,
                -1 => down,
                _ => up || down,
            };
            if !wanted {
                continue;
            }
            let t_root = locate(step, g0, g1, &mut |t, y| g(ev, t, y), &mut yt);
            let mut y = vec![0.0; n];
            step.interpolate(t_root, &mut y);
            in_step.push(Found {
                event: i,
                t: t_root,
                y,
            });
        }
        in_step.sort_by(|a, b| ((a.t - b.t) * dir).total_cmp(&0.0));
        for f in in_step {
            if terminal_here {
                break;
            }
            if events[f.event].terminal {
                terminal_here = true;
                step_end = f.t;
            }
            found.push(f);
        }
        if densify {
            let mut y = vec![0.0; n];
            if plot_ts.len() < PLOT_DENSE_TIMES {
                for theta in PLOT_INTERIOR {
                    let t = step.t0 + theta * step.h;
                    if (t - step_end) * dir < 0.0 {
                        step.interpolate(t, &mut y);
                        push(t, &y, &mut plot_ts, &mut plot_ys);
                    }
                }
            }
            if step_end == step.t1() {
                push(step_end, step.y1, &mut plot_ts, &mut plot_ys);
            } else {
                step.interpolate(step_end, &mut y);
                push(step_end, &y, &mut plot_ts, &mut plot_ys);
            }
        }
        // Output up to the end of the step (or the terminal event).
        match t_eval {
            None => {
                if terminal_here {
                    let mut y = vec![0.0; n];
                    step.interpolate(step_end, &mut y);
                    push(step_end, &y, &mut ts, &mut ys);
                } else {
                    push(step.t1(), step.y1, &mut ts, &mut ys);
                }
            }
            Some(te) => {
                while next_eval < te.len() && (te[next_eval] - step_end) * dir <= 0.0 {
                    let t = te[next_eval];
                    let mut y = vec![0.0; n];
                    if t == step.t1() {
                        y.copy_from_slice(step.y1);
                    } else {
                        step.interpolate(t, &mut y);
                    }
                    push(t, &y, &mut ts, &mut ys);
                    next_eval += 1;
                }
            }
        }
        if ts.len() * n > MAX_OUTPUT_VALUES {
            // Stop before the output outgrows the sandbox; reported below.
            Control::Stop
        } else if terminal_here {
            stop_at = Some(step_end);
            Control::Stop
        } else {
            Control::Continue
        }
    };
    let (ending, counts) = match input.method {
        Method::Dopri5 => explicit::solve::<Dopri5>(&mut sys, t0, &y0, t_end, settings, on_step),
        Method::Dop853 => explicit::solve::<Dop853>(&mut sys, t0, &y0, t_end, settings, on_step),
        Method::Radau => radau::solve(&mut sys, t0, &y0, t_end, settings, on_step),
    };
    if ts.len() * n > MAX_OUTPUT_VALUES {
        return Err(ToolError::new(
            "output_too_large",
            format!(
                "the solution has {} values, more than {MAX_OUTPUT_VALUES}: give `t_eval` with fewer times",
                ts.len() * n
            ),
        )
        .with_details(json!({ "pointer": "/t_eval" })));
    }
    if ending == Ending::NotFinite {
        return Err(ToolError::new(
            "not_finite",
            "/rhs: the solution became NaN or infinite (a blow-up, or a derivative undefined at the state reached)",
        )
        .with_details(json!({ "pointer": "/rhs" })));
    }
    let mut report = report(input, &names, &ts, &ys, &found, ending, counts, stop_at);
    if let Some(canvas) = canvas {
        let (pts, pys) = if densify {
            (&plot_ts, &plot_ys)
        } else {
            (&ts, &ys)
        };
        let series = names
            .iter()
            .zip(pys)
            .map(|(name, col)| Series {
                label: Some(name.clone()),
                x: Some(pts.clone()),
                y: Some(col.clone()),
                ..Series::default()
            })
            .collect();
        let title = format!("{} ({})", names.join(", "), input.method.name());
        report.picture = Some(canvas.draw(title, &input.time, None, series)?);
    }
    Ok(report)
}

/// The zero of g inside the step, by the Illinois variant of regula falsi on the dense
/// output, to a few ulps of t.
fn locate(
    step: &Step,
    g0: f64,
    g1: f64,
    g: &mut dyn FnMut(f64, &[f64]) -> f64,
    y: &mut [f64],
) -> f64 {
    let (mut a, mut b) = (step.t0, step.t1());
    let (mut ga, mut gb) = (g0, g1);
    if gb == 0.0 {
        return b;
    }
    let mut side = 0;
    for _ in 0..EVENT_ITERATIONS {
        let tol = 4.0 * f64::EPSILON * a.abs().max(b.abs()).max(1e-300);
        if (b - a).abs() <= tol {
            break;
        }
        let mut t = b - gb * (b - a) / (gb - ga);
        if !t.is_finite() || (t - a) * (t - b) > 0.0 {
            t = 0.5 * (a + b);
        }
        step.interpolate(t, y);
        let gt = g(t, y);
        if gt == 0.0 {
            return t;
        }
        if (gt > 0.0) == (gb > 0.0) {
            b = t;
            gb = gt;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        } else {
            a = t;
            ga = gt;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        }
    }
    // The end of the bracket on g's new side: the crossing has happened by then.
    b
}

fn check(input: &OdeInput, names: &[String]) -> Result<(), ToolError> {
    let bad = |pointer: &str, message: String| Err(ToolError::invalid_input(message).at(pointer));
    if names.is_empty() {
        return bad(
            "/rhs",
            "/rhs: give at least one equation, e.g. {\"y\": \"-y\"}".into(),
        );
    }
    for name in names {
        if !input.y0.contains_key(name) {
            return bad("/y0", format!("/y0: no initial value for '{name}'"));
        }
        if input.params.contains_key(name) || *name == input.time {
            return bad(
                &format!("/rhs/{name}"),
                format!("/rhs: '{name}' is an unknown and also a parameter or the time variable"),
            );
        }
    }
    for (name, v) in &input.y0 {
        if !input.rhs.contains_key(name) {
            return bad(
                &format!("/y0/{name}"),
                format!(
                    "/y0: '{name}' has no equation in rhs (unknowns: {})",
                    names.join(", ")
                ),
            );
        }
        if !v.is_finite() {
            return bad(
                &format!("/y0/{name}"),
                format!("/y0/{name}: expected a finite number"),
            );
        }
    }
    if input.params.contains_key(&input.time) {
        return bad(
            "/time",
            format!("/time: '{}' is also a parameter", input.time),
        );
    }
    let [t0, t1] = input.t_span;
    if !t0.is_finite() || !t1.is_finite() {
        return bad("/t_span", "/t_span: expected two finite times".into());
    }
    if !(input.rtol > 0.0 && input.rtol < 1.0) {
        return bad(
            "/rtol",
            format!("/rtol: expected a number in (0, 1), got {}", input.rtol),
        );
    }
    if input.rtol < 100.0 * f64::EPSILON {
        return bad(
            "/rtol",
            format!(
                "/rtol: below 100 ε ({:e}) double precision cannot follow",
                100.0 * f64::EPSILON
            ),
        );
    }
    if !(input.atol > 0.0 && input.atol.is_finite()) {
        return bad(
            "/atol",
            format!("/atol: expected a number > 0, got {}", input.atol),
        );
    }
    if let Some(h) = input.max_step
        && (h.is_nan() || h <= 0.0)
    {
        return bad(
            "/max_step",
            format!("/max_step: expected a number > 0, got {h}"),
        );
    }
    if let Some(te) = &input.t_eval {
        let dir = if t1 >= t0 { 1.0 } else { -1.0 };
        let (lo, hi) = (t0.min(t1), t0.max(t1));
        for (i, t) in te.iter().enumerate() {
            if !(lo..=hi).contains(t) {
                return bad(
                    &format!("/t_eval/{i}"),
                    format!("/t_eval/{i}: {t} is outside t_span [{t0}, {t1}]"),
                );
            }
            if i > 0 && (t - te[i - 1]) * dir < 0.0 {
                return bad(
                    &format!("/t_eval/{i}"),
                    format!(
                        "/t_eval/{i}: times must be in the direction of integration (from {t0} to {t1})"
                    ),
                );
            }
        }
        if te.len() * names.len() > MAX_OUTPUT_VALUES {
            return bad(
                "/t_eval",
                format!("/t_eval: at most {MAX_OUTPUT_VALUES} values in all"),
            );
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn report(
    input: &OdeInput,
    names: &[String],
    ts: &[f64],
    ys: &[Vec<f64>],
    found: &[Found],
    ending: Ending,
    counts: Counts,
    stop_at: Option<f64>,
) -> Report {
    let (status, message) = match ending {
        Ending::Reached => ("reached", "the integration reached the end of t_span".to_owned()),
        Ending::Stopped => (
            "event",
            format!("a terminal event stopped the integration at t = {}", num(stop_at.unwrap_or(f64::NAN))),
        ),
        Ending::MaxSteps => (
            "max_steps",
            format!(
                "stopped after {} steps before the end of t_span: raise max_steps; so many steps \
                 usually mean a stiff system: use method \"radau\"",
                input.max_steps
            ),
        ),
        Ending::StepTooSmall => (
            "step_too_small",
            "the step size fell below what t can resolve: the solution probably has a singularity there".to_owned(),
        ),
        Ending::NotFinite => ("not_finite", "the solution became NaN or infinite".to_owned()),
    };
    let last_t = ts.last().copied().unwrap_or(input.t_span[0]);
    let mut text = format!(
        "{} from t = {} to {}: {} ({} steps, {} rejected, {} evaluations of the right-hand side)",
        names.join(", "),
        num(input.t_span[0]),
        num(last_t),
        message,
        counts.accepted,
        counts.rejected,
        counts.nfev
    );
    let end: Vec<String> = names
        .iter()
        .zip(ys)
        .map(|(n, col)| format!("{n} = {}", col.last().map_or("–".into(), |v| num(*v))))
        .collect();
    if !ts.is_empty() {
        text.push_str(&format!("\nat t = {}: {}", num(last_t), end.join(", ")));
    }
    for f in found {
        text.push_str(&format!("\nevent {} at t = {}", f.event, num(f.t)));
    }
    let y: serde_json::Map<String, Value> = names
        .iter()
        .zip(ys)
        .map(|(n, col)| (n.clone(), json!(col)))
        .collect();
    let events: Vec<Value> = found
        .iter()
        .map(|f| {
            let at: serde_json::Map<String, Value> = names
                .iter()
                .zip(&f.y)
                .map(|(n, v)| (n.clone(), json!(v)))
                .collect();
            json!({ "event": f.event, "t": f.t, "y": at })
        })
        .collect();
    let warnings: Vec<&str> = if matches!(ending, Ending::MaxSteps | Ending::StepTooSmall) {
        vec![message.as_str()]
    } else {
        vec![]
    };
    let json = json!({
        "t": ts,
        "y": y,
        "events": events,
        "status": status,
        "message": message,
        "method": input.method.name(),
        "nfev": counts.nfev,
        "steps": counts.accepted,
        "rejected": counts.rejected,
        "warnings": warnings,
    });
    Report {
        text,
        json,
        picture: None,
    }
}
