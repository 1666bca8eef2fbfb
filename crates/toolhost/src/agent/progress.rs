//! The run's progress on stderr, drawn from [`AgentEvent`]s: a spinner while the model
//! generates (with the streamed token count growing) and while code runs, and a line per
//! finished step: its number, the tools its code called, the run's tokens and cost so far.
//! Off a terminal (a log file, a pipe) only the step lines are written, as plain lines.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::config::AgentEvent;
use super::roles::Role;

pub struct ProgressView {
    /// The spinner, on a terminal; `None` when writing plain lines.
    bar: Option<ProgressBar>,
    /// Nothing is shown at all.
    hidden: bool,
}

impl ProgressView {
    /// On stderr when it is a terminal; with `force`, plain step lines when it is not.
    pub fn new(force: bool) -> Self {
        // indicatif hides itself off a terminal (and on a dumb one).
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()))
            .filter(|bar| !bar.is_hidden());
        if let Some(bar) = &bar {
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}").expect("static template"),
            );
        }
        ProgressView {
            hidden: bar.is_none() && !force,
            bar,
        }
    }

    /// Nothing will be shown (stderr is not a terminal and showing was not forced).
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    pub fn show(&self, event: &AgentEvent) {
        if self.hidden {
            return;
        }
        let Some(bar) = &self.bar else {
            match event {
                AgentEvent::StepFinished { .. } => eprintln!("{}", step_line(event)),
                AgentEvent::Escalated { from, to, reason } => {
                    eprintln!("toolhost agent: switching from {from} to {to} after {reason}")
                }
                _ => {}
            }
            return;
        };
        match event {
            AgentEvent::StepStarted {
                depth,
                step,
                model,
                role,
            } => {
                bar.set_message(format!(
                    "{}step {step}: waiting for {}",
                    indent(*depth),
                    model_in_role(model, *role)
                ));
                bar.enable_steady_tick(Duration::from_millis(120));
            }
            AgentEvent::Generating {
                depth,
                step,
                tokens,
            } => bar.set_message(format!(
                "{}step {step}: generating ({tokens} token{})",
                indent(*depth),
                if *tokens == 1 { "" } else { "s" }
            )),
            AgentEvent::Running { depth, step } => {
                bar.set_message(format!("{}step {step}: running the code", indent(*depth)))
            }
            AgentEvent::StepFinished { .. } => {
                bar.disable_steady_tick();
                bar.set_message(String::new());
                bar.println(step_line(event));
            }
            AgentEvent::Escalated { from, to, reason } => bar.println(format!(
                "toolhost agent: switching from {from} to {to} after {reason}"
            )),
        }
    }

    /// Clear the spinner, before the run's summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `qwen`, or `big (escalation)` when a role other than the root's asks.
fn model_in_role(model: &str, role: Role) -> String {
    match role {
        Role::Root => model.to_owned(),
        other => format!("{model} ({other})"),
    }
}

fn indent(depth: u32) -> String {
    if depth == 0 {
        String::new()
    } else {
        format!("{}sub-agent (depth {depth}) ", "  ".repeat(depth as usize))
    }
}

/// `step 2: 1 python call: calc, calc; 1234 tokens, $0.0012`, for a finished step.
pub fn step_line(event: &AgentEvent) -> String {
    let AgentEvent::StepFinished {
        depth,
        step,
        python_calls,
        tools_called,
        total_tokens,
        cost,
        failed,
    } = event
    else {
        return String::new();
    };
    let mut line = format!("{}step {step}: ", indent(*depth));
    if *python_calls > 0 {
        let s = if *python_calls == 1 { "" } else { "s" };
        line.push_str(&format!("{python_calls} python call{s}: "));
    }
    if tools_called.is_empty() {
        line.push_str("no tool calls");
    } else {
        line.push_str(&tools_called.join(", "));
    }
    if *failed {
        line.push_str(" (failed)");
    }
    line.push_str(&format!("; {total_tokens} tokens so far"));
    if let Some(c) = cost {
        line.push_str(&format!(", ${c:.4}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_names_the_calls_tokens_and_cost() {
        let line = step_line(&AgentEvent::StepFinished {
            depth: 0,
            step: 2,
            python_calls: 2,
            tools_called: vec!["calc".into(), "stats".into()],
            total_tokens: 1234,
            cost: Some(0.00126),
            failed: false,
        });
        assert_eq!(
            line,
            "step 2: 2 python calls: calc, stats; 1234 tokens so far, $0.0013"
        );
        let line = step_line(&AgentEvent::StepFinished {
            depth: 1,
            step: 1,
            python_calls: 0,
            tools_called: vec![],
            total_tokens: 10,
            cost: None,
            failed: true,
        });
        assert_eq!(
            line,
            "  sub-agent (depth 1) step 1: no tool calls (failed); 10 tokens so far"
        );
    }

    #[test]
    fn a_model_outside_the_root_role_is_named_with_its_role() {
        assert_eq!(model_in_role("small", Role::Root), "small");
        assert_eq!(model_in_role("big", Role::Escalation), "big (escalation)");
        assert_eq!(model_in_role("mini", Role::SubQuery), "mini (sub_query)");
    }
}
