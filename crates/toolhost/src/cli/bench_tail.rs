//! Where the per-call tail comes from: each timed call is bracketed by the calling
//! thread's resource usage, so the slowest calls can be sorted into those that took page
//! faults, those the kernel preempted (another process wanted the core: machine load,
//! not toolhost), those that slept, and the rest. A fixed loop as long as a median call,
//! arithmetic and a walk over memory, timed after the calls, is the machine's own tail
//! for like work (a virtual machine's stolen time and a neighbour core's memory traffic
//! show there and in no counter).

use serde_json::{Value, json};
use std::time::{Duration, Instant};

use super::bench::{micros, percentile};

/// The calling thread's counters at one instant.
#[derive(Clone, Copy, Default)]
pub struct ThreadUsage {
    minor_faults: i64,
    major_faults: i64,
    voluntary_switches: i64,
    involuntary_switches: i64,
}

impl ThreadUsage {
    #[cfg(target_os = "linux")]
    pub fn now() -> Self {
        // SAFETY: getrusage writes one plain struct we own; RUSAGE_THREAD is always valid.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) } == 0;
        if !ok {
            return Self::default();
        }
        ThreadUsage {
            minor_faults: u.ru_minflt,
            major_faults: u.ru_majflt,
            voluntary_switches: u.ru_nvcsw,
            involuntary_switches: u.ru_nivcsw,
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn now() -> Self {
        Self::default()
    }
}

/// One timed call and what happened to its thread meanwhile.
#[derive(Clone, Copy)]
pub struct CallSample {
    pub latency: Duration,
    faults: i64,
    preempted: bool,
    slept: bool,
}

impl CallSample {
    pub fn new(latency: Duration, before: ThreadUsage, after: ThreadUsage) -> Self {
        CallSample {
            latency,
            faults: (after.minor_faults - before.minor_faults)
                + (after.major_faults - before.major_faults),
            preempted: after.involuntary_switches > before.involuntary_switches,
            slept: after.voluntary_switches > before.voluntary_switches,
        }
    }

    fn disturbed(&self) -> bool {
        self.faults > 0 || self.preempted || self.slept
    }
}

/// Bytes the reference loop walks: about what a call touches (the instance's pages, the
/// store, the host's buffers), so the loop meets the caches and memory a call meets.
const REFERENCE_BYTES: usize = 256 * 1024;

/// Rounds of the loop's runs before it is calibrated, and how many such runs.
const CALIBRATION_ROUNDS: u64 = 20_000;
const CALIBRATION_RUNS: usize = 200;

/// `rounds` steps of arithmetic, each writing one cache line of `buffer` in turn; nothing
/// a compiler can drop.
fn spin(rounds: u64, buffer: &mut [u8]) -> u64 {
    let mut x = std::hint::black_box(1u64);
    let lines = buffer.len() / 64;
    for i in 0..rounds {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(i ^ (x >> 7));
        let line = (i as usize % lines) * 64;
        buffer[line] = buffer[line].wrapping_add(x as u8);
    }
    std::hint::black_box(buffer);
    x
}

/// The reference loop: `rounds` chosen once so one run takes about as long as a call.
pub struct MachineReference {
    rounds: u64,
    buffer: Vec<u8>,
    samples: Vec<Duration>,
}

impl MachineReference {
    /// Run the loop `runs` times back to back, as long as `typical` (a median call) each,
    /// after calibrating it on a few runs of its own: the calls are not disturbed by it.
    pub fn measure(typical: Duration, runs: usize) -> Value {
        let mut reference = MachineReference {
            rounds: CALIBRATION_ROUNDS,
            buffer: vec![1u8; REFERENCE_BYTES],
            samples: Vec::with_capacity(runs),
        };
        for _ in 0..CALIBRATION_RUNS {
            reference.run_once();
        }
        reference.calibrate(typical);
        for _ in 0..runs {
            reference.run_once();
        }
        reference.summary()
    }

    /// Scale the loop to `typical` from its median run so far; those runs are dropped.
    fn calibrate(&mut self, typical: Duration) {
        self.samples.sort();
        let per_round = self
            .samples
            .get(self.samples.len() / 2)
            .map_or(1e-9, |d| d.as_secs_f64().max(1e-12) / self.rounds as f64);
        self.rounds = ((typical.as_secs_f64() / per_round) as u64).max(1);
        self.samples.clear();
    }

    fn run_once(&mut self) {
        let t = Instant::now();
        spin(self.rounds, &mut self.buffer);
        self.samples.push(t.elapsed());
    }

    fn summary(mut self) -> Value {
        self.samples.sort();
        json!({
            "p50_us": percentile_us(&self.samples, 0.50),
            "p99_us": percentile_us(&self.samples, 0.99),
        })
    }
}

fn percentile_us(sorted: &[Duration], p: f64) -> Option<f64> {
    (!sorted.is_empty()).then(|| micros(percentile(sorted, p)))
}

/// The slowest 1 % of `samples` by cause, and p50/p99 over the calls nothing disturbed.
pub fn attribute(samples: &[CallSample]) -> Value {
    let mut by_latency: Vec<CallSample> = samples.to_vec();
    by_latency.sort_by_key(|s| s.latency);
    let tail_len = (samples.len() / 100).max(1).min(samples.len());
    let tail = &by_latency[samples.len() - tail_len..];
    let count = |f: fn(&CallSample) -> bool| tail.iter().filter(|s| f(s)).count();
    let mut quiet: Vec<Duration> = samples
        .iter()
        .filter(|s| !s.disturbed())
        .map(|s| s.latency)
        .collect();
    quiet.sort();
    let faulting = samples.iter().filter(|s| s.faults > 0).count();
    json!({
        "tail_calls": tail_len,
        "tail_with_page_faults": count(|s| s.faults > 0),
        "tail_preempted": count(|s| s.preempted),
        "tail_slept": count(|s| s.slept),
        "tail_undisturbed": count(|s| !s.disturbed()),
        "calls_with_page_faults": faulting,
        "undisturbed_calls": quiet.len(),
        "undisturbed_p50_us": percentile_us(&quiet, 0.50),
        "undisturbed_p99_us": percentile_us(&quiet, 0.99),
    })
}

/// Two lines for the terminal, and a third for the machine's reference when there is one.
pub fn describe(tail: &Value, machine: &Value) -> String {
    let n = |k: &str| tail[k].as_u64().unwrap_or(0);
    let us = |k: &str| {
        tail[k]
            .as_f64()
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
    };
    let mut text = format!(
        "  slowest 1% ({} calls): {} took page faults, {} were preempted (machine load), {} slept, {} none of these\n  \
         calls nothing disturbed ({}): p50 {} µs   p99 {} µs",
        n("tail_calls"),
        n("tail_with_page_faults"),
        n("tail_preempted"),
        n("tail_slept"),
        n("tail_undisturbed"),
        n("undisturbed_calls"),
        us("undisturbed_p50_us"),
        us("undisturbed_p99_us"),
    );
    if let (Some(p50), Some(p99)) = (machine["p50_us"].as_f64(), machine["p99_us"].as_f64()) {
        text.push_str(&format!(
            "\n  the machine: a fixed loop (arithmetic and a 256 KiB memory walk) as long as a median call, after the calls: \
             p50 {p50:.1} µs   p99 {p99:.1} µs"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(us: u64, faults: i64, preempted: bool) -> CallSample {
        CallSample {
            latency: Duration::from_micros(us),
            faults,
            preempted,
            slept: false,
        }
    }

    #[test]
    fn the_tail_is_sorted_by_cause_and_quiet_calls_are_measured_apart() {
        let mut samples: Vec<CallSample> = (0..198).map(|i| sample(10 + i % 3, 0, false)).collect();
        samples.push(sample(90, 3, false));
        samples.push(sample(80, 0, true));
        let tail = attribute(&samples);
        assert_eq!(tail["tail_calls"], 2);
        assert_eq!(tail["tail_with_page_faults"], 1);
        assert_eq!(tail["tail_preempted"], 1);
        assert_eq!(tail["tail_undisturbed"], 0);
        assert_eq!(tail["undisturbed_calls"], 198);
        assert_eq!(tail["undisturbed_p99_us"], 12.0);
    }

    #[test]
    fn the_reference_loop_is_calibrated_to_the_typical_call() {
        let p50 = MachineReference::measure(Duration::from_micros(200), 21)["p50_us"]
            .as_f64()
            .unwrap();
        // Loose: a loaded test machine stretches it, but it is neither empty nor huge.
        assert!((50.0..5_000.0).contains(&p50), "{p50}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn touching_fresh_pages_shows_as_faults() {
        let before = ThreadUsage::now();
        let mut v = vec![0u8; 8 << 20];
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(&v);
        let s = CallSample::new(Duration::from_micros(1), before, ThreadUsage::now());
        assert!(s.faults > 0);
    }
}
