//! The step loop: ask the model, run the code it wrote, feed back what happened, until
//! FINAL or a budget stops the run; escalate after repeated failures.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::accounting::{AgentReport, Run, StopReason};
use super::config::AgentEvent;
use super::llm::Message;
use super::subcalls::SubCalls;
use super::trajectory::Record;
use super::{fence, prompt};
use crate::repl::{ModelBridge, PythonOptions};

/// Why an answer is refused: the interpreter already refuses `None` and "" (an error the
/// code sees); empty containers, which it takes, are refused here.
pub(super) fn empty_answer(value: &Value) -> Option<&'static str> {
    match value {
        Value::Null => Some("None"),
        Value::String(s) if s.trim().is_empty() => Some("an empty string"),
        Value::Array(a) if a.is_empty() => Some("an empty list"),
        Value::Object(o) if o.is_empty() => Some("an empty dict"),
        _ => None,
    }
}

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
    };
    let mut messages = vec![
        Message::system(prompt::system_prompt(
            &tools,
            &run.dispatcher.registry().scripts,
            config.require_exploration,
            config.max_depth > depth,
        )),
        Message::user(task.clone()),
    ];
    let mut endpoint = config.primary.clone();
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
    });
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
        let completion = match run.client.complete(&endpoint, &messages).await {
            Ok(c) => c,
            Err(e) => return finish(StopReason::Backend(e.to_string()), None, steps),
        };
        run.record_usage(completion.usage);
        let reply = completion.content.clone();
        let mut record_code = None;
        // What goes back into the history: reasoning dropped, cut after the block that ran.
        let mut kept = fence::strip_thinking(&reply).trim().to_owned();
        let (mut feedback, mut failed, mut outcome) = match fence::extract(&reply) {
            Err(e) => (e.explain(), true, None),
            Ok(extracted) => {
                let code = extracted.code;
                kept = extracted.kept;
                record_code = Some(code.clone());
                let outcome = session.eval(&code).await;
                let error = outcome
                    .error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.kind, e.message));
                let text = prompt::feedback(
                    &outcome.output,
                    outcome.value.as_deref(),
                    error.as_deref(),
                    config.output_budget,
                );
                (text, outcome.error.is_some(), Some(outcome))
            }
        };
        if let Some(o) = outcome.as_mut()
            && let Some(why) = o.final_value.as_ref().and_then(empty_answer)
        {
            o.final_value = None;
            failed = true;
            feedback.push_str(&format!(
                "Error: FINAL(...) is refused: the answer is {why}. Pass the answer itself; \
                 an empty value usually means the computation found nothing or a variable \
                 was never filled.\n"
            ));
        }
        run.trajectory.write(&Record::Step {
            run_id: run.run_id.clone(),
            depth,
            step: steps,
            model: endpoint.model.clone(),
            extends: recorded,
            request: messages[recorded..].to_vec(),
            response: reply.clone(),
            finish_reason: completion.finish_reason.clone(),
            usage: completion.usage,
            usage_estimated: completion.usage_estimated,
            attempts: completion.attempts,
            code: record_code,
            output: outcome.as_ref().map(|o| o.output.clone()),
            value: outcome.as_ref().and_then(|o| o.value.clone()),
            error: outcome
                .as_ref()
                .and_then(|o| o.error.as_ref())
                .map(|e| format!("{}: {}", e.kind, e.message)),
            tool_calls: outcome
                .as_ref()
                .map(|o| o.tool_calls.clone())
                .unwrap_or_default(),
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
            failed,
        });
        recorded = messages.len();
        if let Some(final_value) = outcome.and_then(|o| o.final_value) {
            return finish(StopReason::Final, Some(final_value), steps);
        }
        messages.push(Message::assistant(kept));
        messages.push(Message::user(feedback));
        failures_in_a_row = if failed { failures_in_a_row + 1 } else { 0 };
        if let Some((stronger, after)) = &config.escalation
            && !escalated
            && failures_in_a_row >= *after
        {
            let reason = format!("{failures_in_a_row} failed steps in a row");
            if let Some(sink) = &config.on_event {
                sink.send(&AgentEvent::Escalated {
                    from: endpoint.model.clone(),
                    to: stronger.model.clone(),
                    reason: reason.clone(),
                });
            }
            run.trajectory.write(&Record::Escalation {
                run_id: run.run_id.clone(),
                step: steps,
                from: endpoint.model.clone(),
                to: stronger.model.clone(),
                reason,
            });
            endpoint = stronger.clone();
            escalated = true;
            failures_in_a_row = 0;
        }
    }
    finish(StopReason::MaxSteps, None, steps)
}
