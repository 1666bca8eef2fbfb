//! `--wall-time` stops work in flight. The whole run (every model request with its
//! retries and backoff sleeps, every Python input with the tool calls it makes, every
//! sub-agent and `llm_query`) is one future raced against the deadline. At the deadline
//! that future is dropped, which cancels all of it at its next await point: reqwest closes
//! the connection, the interpreter and tool sandboxes yield at every epoch tick (1 ms) so
//! their calls are abandoned, `tool_batch` tasks are aborted when their input is dropped.
//! The abandoned interpreter instance is dropped with the run; nothing waits for it.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use super::accounting::{AgentReport, Run, StopReason};
use super::trajectory::Record;

/// What the top level is doing, so a wall-time stop can say what it cut off.
pub(super) struct InFlight(Mutex<(u32, &'static str)>);

impl Default for InFlight {
    fn default() -> Self {
        InFlight(Mutex::new((0, "loading the tools and the interpreter")))
    }
}

impl InFlight {
    pub fn set(&self, step: u32, doing: &'static str) {
        *self.0.lock().expect("in-flight lock") = (step, doing);
    }

    fn get(&self) -> (u32, &'static str) {
        *self.0.lock().expect("in-flight lock")
    }
}

/// Run `work` (the top level of a run) until it ends or the wall-time budget runs out.
pub(super) async fn within_wall_time(
    run: &Run,
    work: impl Future<Output = AgentReport>,
) -> AgentReport {
    let Some(limit) = run.config.budget.wall_time else {
        return work.await;
    };
    match tokio::time::timeout_at((run.started + limit).into(), work).await {
        Ok(report) => report,
        Err(_) => stopped(run, limit),
    }
}

/// The report and the trajectory's last record for a run the deadline cut off.
fn stopped(run: &Run, limit: Duration) -> AgentReport {
    let elapsed = run.started.elapsed();
    let (step, doing) = run.in_flight.get();
    let interrupted = if step == 0 {
        format!("{doing} (the budget is {:.3} s)", limit.as_secs_f64())
    } else {
        format!(
            "{doing} at step {step} (the budget is {:.3} s)",
            limit.as_secs_f64()
        )
    };
    // Its own statement: the guard must be gone before `usage()` takes the lock again.
    let calls = run.calls.lock().expect("usage lock").clone();
    let report = AgentReport {
        run_id: run.run_id.clone(),
        stop_reason: StopReason::WallTime,
        final_value: None,
        steps: step,
        calls,
        usage: run.usage(),
        cost: run.cost(),
        elapsed_ms: elapsed.as_secs_f64() * 1e3,
        interrupted: Some(interrupted.clone()),
        trajectory_error: None,
    };
    run.trajectory.write(&Record::End {
        run_id: run.run_id.clone(),
        depth: 0,
        stop_reason: report.stop_reason.to_string(),
        final_value: None,
        steps: step,
        usage: report.usage,
        cost: report.cost,
        elapsed_ms: report.elapsed_ms,
        interrupted: Some(interrupted),
    });
    AgentReport {
        trajectory_error: run.trajectory.error(),
        ..report
    }
}
