//! The epoch ticker: advances the engine's epoch every millisecond while calls run, so a
//! store's deadline callback gets a chance to stop a runaway call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use wasmtime::Engine;

pub const TICK: Duration = Duration::from_millis(1);

struct Shared {
    active_calls: AtomicUsize,
    stop: AtomicBool,
}

pub struct EpochTicker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Keeps the ticker running while a call is in flight.
pub struct ActiveCall {
    shared: Arc<Shared>,
    thread: thread::Thread,
}

impl EpochTicker {
    pub fn start(engine: Engine) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            active_calls: AtomicUsize::new(0),
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
        if self.shared.active_calls.fetch_add(1, Ordering::SeqCst) == 0 {
            thread.unpark();
        }
        ActiveCall {
            shared: self.shared.clone(),
            thread,
        }
    }
}

impl Drop for ActiveCall {
    fn drop(&mut self) {
        self.shared.active_calls.fetch_sub(1, Ordering::SeqCst);
        let _ = &self.thread;
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

/// Sleep until absolute tick times rather than `sleep(TICK)` in a loop: the latter drifts
/// by tens of milliseconds under load, the former keeps deadlines within a tick or two.
fn run(engine: Engine, shared: &Shared) {
    let mut next = Instant::now() + TICK;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if shared.active_calls.load(Ordering::SeqCst) == 0 {
            // Idle: no wakeups at all until a call starts.
            thread::park();
            next = Instant::now() + TICK;
            continue;
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
