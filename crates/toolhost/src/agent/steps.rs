//! The step loop: ask the model, run the code it wrote, feed back what happened, until
//! FINAL or a budget stops the run; escalate after repeated failures.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::accounting::{AgentReport, Run, StopReason};
use super::config::AgentEvent;
use super::context::{self, ContextWindow};
use super::llm::{CallOptions, Message};
use super::protocol::{self, Protocol};
use super::roles::Role;
use super::subcalls::SubCalls;
use super::trajectory::{BudgetRecord, Record};
use super::{prompt, reply};
use crate::repl::{ModelBridge, PngPreference, PythonOptions};

pub(super) async fn run_at_depth(run: Arc<Run>, task: String, depth: u32) -> AgentReport {
    let config = &run.config;
    let tools: Vec<_> = run
        .dispatcher
        .describe_all()
        .await
        .into_iter()
        .filter_map(|(_, d)| d.ok())
        .collect();
    let options = PythonOptions {
        limits: config.python_limits,
        require_exploration_before_final: config.require_exploration,
        model: (config.max_depth > depth).then(|| {
            Arc::new(SubCalls {
                run: run.clone(),
                depth,
            }) as Arc<dyn ModelBridge>
        }),
        image_dir: None,
        // Trajectories and their pages keep PNGs; sixel would show nowhere.
        prefer_png: PngPreference::Yes,
        access: None,
    };
    let mut messages = vec![
        Message::system(prompt::system_prompt(
            &tools,
            &run.dispatcher.registry().scripts,
            config.require_exploration,
            config.max_depth > depth,
            config.protocol,
        )),
        Message::user(task.clone()),
    ];
    // Sub-agents are the sub-query role's; the top level is the root's.
    let (mut endpoint, mut role) = match depth {
        0 => (config.primary.clone(), Role::Root),
        _ => (config.sub_query_endpoint().clone(), Role::SubQuery),
    };
    let mut window = ContextWindow::new(
        context::context_tokens(&run, &endpoint).await,
        endpoint.max_tokens,
    );
    let mut escalated = false;
    let mut failures_in_a_row = 0;
    let mut steps = 0;
    // Messages already in the trajectory: each step records only the ones after them.
    let mut recorded = 0;
    run.trajectory.write(&Record::Start {
        run_id: run.run_id.clone(),
        task,
        model: endpoint.model.clone(),
        depth,
        protocol: config.protocol,
        budget: (depth == 0).then(|| BudgetRecord::of(&config.budget)),
    });
    let tools_field = (config.protocol == Protocol::Tools).then(protocol::python_tool);
    let tell = |event: AgentEvent| {
        if let Some(sink) = &config.on_event {
            sink.send(&event);
        }
    };
    let finish = |stop_reason: StopReason, final_value: Option<Value>, steps: u32| {
        let calls = run.calls.lock().expect("usage lock").clone();
        let report = AgentReport {
            run_id: run.run_id.clone(),
            stop_reason,
            final_value,
            steps,
            calls,
            usage: run.usage(),
            cost: run.cost(),
            elapsed_ms: run.started.elapsed().as_secs_f64() * 1e3,
            interrupted: None,
            trajectory_error: None,
        };
        run.trajectory.write(&Record::End {
            run_id: run.run_id.clone(),
            depth,
            stop_reason: report.stop_reason.to_string(),
            final_value: report.final_value.clone(),
            steps,
            usage: report.usage,
            cost: report.cost,
            elapsed_ms: report.elapsed_ms,
            interrupted: None,
        });
        AgentReport {
            trajectory_error: run.trajectory.error(),
            ..report
        }
    };

    let mut session = match run.dispatcher.python_session(options).await {
        Ok(s) => s,
        Err(e) => {
            let reason = format!("cannot start the Python interpreter: {e}");
            return finish(StopReason::Backend(reason), None, 0);
        }
    };

    while steps < config.budget.max_steps {
        if let Some(reason) = run.exhausted() {
            return finish(reason, None, steps);
        }
        steps += 1;
        let started = Instant::now();
        tell(AgentEvent::StepStarted {
            depth,
            step: steps,
            model: endpoint.model.clone(),
            role,
        });
        if depth == 0 {
            run.in_flight.set(steps, "waiting for the model");
        }
        let on_tokens = |tokens| {
            if depth == 0 {
                run.in_flight
                    .set(steps, "receiving the model's streamed reply");
            }
            tell(AgentEvent::Generating {
                depth,
                step: steps,
                tokens,
            })
        };
        let options = CallOptions {
            tools: tools_field.as_ref(),
            on_tokens: Some(&on_tokens),
        };
        let asked = context::complete_within(
            &run,
            &endpoint,
            &mut messages,
            &mut window,
            options,
            depth,
            steps,
        );
        let completion = match asked.await {
            Ok((c, compacted)) => {
                if compacted {
                    // The conversation was rewritten: this step records it whole.
                    recorded = 0;
                }
                c
            }
            Err(e) => return finish(StopReason::Backend(e.to_string()), None, steps),
        };
        let cost = run.record_usage(role, completion.usage);
        tell(AgentEvent::Running { depth, step: steps });
        if depth == 0 {
            run.in_flight.set(steps, "running the step's code");
        }
        let handled = reply::handle(
            config.protocol,
            &mut session,
            &completion,
            config.output_budget,
        )
        .await;
        let failed = handled.failed;
        // A fenced block is recorded in the step's own fields; python calls in python_calls.
        let fenced = handled.runs.iter().find(|r| r.call_id.is_none());
        run.trajectory.write(&Record::Step {
            run_id: run.run_id.clone(),
            depth,
            step: steps,
            model: endpoint.model.clone(),
            role: Some(role),
            extends: recorded,
            request: messages[recorded..].to_vec(),
            response: completion.content.clone(),
            finish_reason: completion.finish_reason.clone(),
            usage: completion.usage,
            cost,
            usage_estimated: completion.usage_estimated,
            attempts: completion.attempts,
            streamed: completion.streamed,
            code: fenced.and_then(|r| r.code.clone()),
            output: fenced.and_then(|r| r.outcome.as_ref().map(|o| o.output.clone())),
            value: fenced.and_then(|r| r.outcome.as_ref().and_then(|o| o.value.clone())),
            error: fenced.and_then(|r| r.error_text()),
            tool_calls: fenced
                .and_then(|r| r.outcome.as_ref().map(|o| o.tool_calls.clone()))
                .unwrap_or_default(),
            python_calls: handled
                .runs
                .iter()
                .filter(|r| r.call_id.is_some())
                .map(|r| r.record())
                .collect(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
            run_elapsed_ms: Some(run.started.elapsed().as_secs_f64() * 1e3),
            failed,
        });
        recorded = messages.len();
        tell(AgentEvent::StepFinished {
            depth,
            step: steps,
            python_calls: handled.runs.iter().filter(|r| r.call_id.is_some()).count(),
            tools_called: handled
                .runs
                .iter()
                .flat_map(|r| r.tools_called().map(str::to_owned))
                .collect(),
            total_tokens: run.usage().total_tokens,
            cost: run.cost(),
            failed,
        });
        if let Some(final_value) = handled.final_value {
            return finish(StopReason::Final, Some(final_value), steps);
        }
        messages.extend(handled.messages);
        failures_in_a_row = if failed { failures_in_a_row + 1 } else { 0 };
        if let Some((stronger, after)) = &config.escalation
            && !escalated
            && failures_in_a_row >= *after
        {
            let reason = format!("{failures_in_a_row} failed steps in a row");
            tell(AgentEvent::Escalated {
                from: endpoint.model.clone(),
                to: stronger.model.clone(),
                reason: reason.clone(),
            });
            run.trajectory.write(&Record::Escalation {
                run_id: run.run_id.clone(),
                step: steps,
                from: endpoint.model.clone(),
                to: stronger.model.clone(),
                reason,
            });
            endpoint = stronger.clone();
            role = Role::Escalation;
            window.set_limits(
                context::context_tokens(&run, &endpoint).await,
                endpoint.max_tokens,
            );
            escalated = true;
            failures_in_a_row = 0;
        }
    }
    finish(StopReason::MaxSteps, None, steps)
}
