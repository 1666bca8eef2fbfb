//! The epoch ticker: advances the engine's epoch every millisecond while calls run, so a
//! store's deadline callback gets a chance to stop a runaway call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wasmtime::{Engine, UpdateDeadline};

use super::classify::DeadlineExceeded;

pub const TICK: Duration = Duration::from_millis(1);
/// Ticks from a store's start to its first deadline check. With 1, any call that a tick
/// happened to fall within took the check and a yield, however short the call: about 1 % of
/// `echo`'s calls, where its p99 is (18.5 µs with 2 against 19.2 with 1, medians over 30
/// alternating runs of `toolhost bench`). With 2, a call shorter than a tick never meets a
/// check, and a timeout can be overshot by one tick more.
pub const FIRST_CHECK_TICKS: u64 = 2;
/// Idle ticks before the ticker parks: back-to-back calls then never pay for waking it.
const IDLE_TICKS_BEFORE_PARKING: u32 = 100;

struct Shared {
    active_calls: AtomicUsize,
    parked: AtomicBool,
    stop: AtomicBool,
}

pub struct EpochTicker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Keeps the ticker running while a call is in flight.
pub struct ActiveCall {
    shared: Arc<Shared>,
}

impl EpochTicker {
    pub fn start(engine: Engine) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            active_calls: AtomicUsize::new(0),
            parked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let for_thread = shared.clone();
        let thread = thread::Builder::new()
            .name("toolhost-epoch".into())
            .spawn(move || run(engine, &for_thread))?;
        Ok(EpochTicker {
            shared,
            thread: Some(thread),
        })
    }

    pub fn active_call(&self) -> ActiveCall {
        let thread = self
            .thread
            .as_ref()
            .expect("ticker running")
            .thread()
            .clone();
        self.shared.active_calls.fetch_add(1, Ordering::SeqCst);
        if self.shared.parked.load(Ordering::SeqCst) {
            thread.unpark();
        }
        ActiveCall {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for ActiveCall {
    fn drop(&mut self) {
        self.shared.active_calls.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// A store's epoch callback: stop the call at its deadline, otherwise yield to the
/// executor, so a busy tool never starves other tasks, and check again next tick. (Yielding
/// only every 10th tick did not move `echo`'s p99 in `toolhost bench`: its tail is the
/// machine's, see the README.)
pub fn on_epoch(deadline: Instant) -> wasmtime::Result<UpdateDeadline> {
    if Instant::now() >= deadline {
        Err(DeadlineExceeded.into())
    } else {
        Ok(UpdateDeadline::Yield(1))
    }
}

/// Run a sandboxed call's `work` to its end or to a little past `deadline`. The epoch
/// stops code that computes; the timer stops a tool blocked in a host call (a WASI sleep,
/// say) where no epoch check runs. Most calls finish on their first poll, so the timer (a
/// lock on tokio's timer wheel to arm it, another to disarm it) is armed only once the
/// call has had to wait.
pub async fn within_deadline<F: Future>(
    deadline: Instant,
    work: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    let mut work = std::pin::pin!(work);
    match futures::poll!(work.as_mut()) {
        std::task::Poll::Ready(done) => Ok(done),
        std::task::Poll::Pending => {
            tokio::time::timeout_at((deadline + TICK * 2).into(), work).await
        }
    }
}

/// Sleep until absolute tick times rather than `sleep(TICK)` in a loop: the latter drifts
/// by tens of milliseconds under load, the former keeps deadlines within a tick or two.
fn run(engine: Engine, shared: &Shared) {
    let mut next = Instant::now() + TICK;
    let mut idle_ticks = 0;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if shared.active_calls.load(Ordering::SeqCst) == 0 {
            idle_ticks += 1;
            if idle_ticks > IDLE_TICKS_BEFORE_PARKING {
                // Idle: no wakeups at all until a call starts. A call that starts between
                // the store and the check below sees `parked` and unparks us.
                shared.parked.store(true, Ordering::SeqCst);
                if shared.active_calls.load(Ordering::SeqCst) == 0
                    && !shared.stop.load(Ordering::SeqCst)
                {
                    thread::park();
                }
                shared.parked.store(false, Ordering::SeqCst);
                idle_ticks = 0;
                next = Instant::now() + TICK;
                continue;
            }
        } else {
            idle_ticks = 0;
        }
        let now = Instant::now();
        if next > now {
            thread::sleep(next - now);
        }
        engine.increment_epoch();
        next += TICK;
        // After a long stall, resume from now instead of firing a burst of late ticks.
        let now = Instant::now();
        if next + TICK < now {
            next = now + TICK;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_stops_the_call_and_a_later_one_yields() {
        let Err(err) = on_epoch(Instant::now()) else {
            panic!("a call past its deadline went on");
        };
        assert!(err.downcast_ref::<DeadlineExceeded>().is_some());
        let later = on_epoch(Instant::now() + Duration::from_secs(1));
        assert!(matches!(later, Ok(UpdateDeadline::Yield(1))));
    }
}
