//! The built-in tools' performance goals, measured inside the sandbox through the same
//! `Dispatcher::call` every front end uses (input validation, fresh sandbox, output
//! conversion included). Run all suites, or name some:
//!
//! ```text
//! cargo bench -p toolhost --bench tools                 # everything
//! cargo bench -p toolhost --bench tools -- mcmc plot    # some suites (mcmc gradient_free bayesopt render_math plot data linalg)
//! ```
//!
//! Figures are medians; where a goal is a ratio to another figure, both come from one run.

mod bayesopt;
mod data;
mod gradient_free;
mod linalg;
mod mcmc;
mod plot;
mod render_math;
mod stats;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use toolhost::{Dispatcher, DispatcherOptions, ToolOutput, ToolRegistry};

/// One benchmark suite: a name to select it by and the measurement.
struct Suite {
    name: &'static str,
    run: fn(&Bench),
}

const SUITES: &[Suite] = &[
    Suite {
        name: "mcmc",
        run: mcmc::run,
    },
    Suite {
        name: "gradient_free",
        run: gradient_free::run,
    },
    Suite {
        name: "bayesopt",
        run: bayesopt::run,
    },
    Suite {
        name: "render_math",
        run: render_math::run,
    },
    Suite {
        name: "plot",
        run: plot::run,
    },
    Suite {
        name: "data",
        run: data::run,
    },
    Suite {
        name: "linalg",
        run: linalg::run,
    },
];

/// The dispatcher over the built-in registry, and a runtime to drive it.
pub struct Bench {
    dispatcher: Dispatcher,
    runtime: tokio::runtime::Runtime,
}

impl Bench {
    fn new() -> Self {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolhost-bench-cache");
        let dispatcher = Dispatcher::new(
            ToolRegistry::builtin(),
            DispatcherOptions {
                cache_dir: Some(cache),
                compile_watcher: None,
                remote_components: None,
            },
        )
        .expect("dispatcher");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        Bench {
            dispatcher,
            runtime,
        }
    }

    /// A tool's description (its input schema, examples); a failure ends the benchmark.
    pub fn describe(&self, tool: &str) -> toolhost::ToolDescription {
        self.runtime
            .block_on(self.dispatcher.describe(tool))
            .unwrap_or_else(|e| panic!("describe {tool} failed: {e}"))
    }

    /// One call, timed; a failure ends the benchmark with the tool's error.
    pub fn call(&self, tool: &str, input: &Value) -> (ToolOutput, Duration) {
        let start = Instant::now();
        let out = self
            .runtime
            .block_on(self.dispatcher.call(tool, input.clone()))
            .unwrap_or_else(|e| panic!("{tool} failed: {e}"));
        (out, start.elapsed())
    }
}

fn main() {
    // `cargo bench` passes `--bench`; every other argument selects suites.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(unknown) = wanted.iter().find(|w| !SUITES.iter().any(|s| s.name == *w)) {
        let names: Vec<&str> = SUITES.iter().map(|s| s.name).collect();
        eprintln!(
            "unknown suite `{unknown}`; the suites are {}",
            names.join(", ")
        );
        std::process::exit(2);
    }
    let bench = Bench::new();
    for suite in SUITES {
        if wanted.is_empty() || wanted.iter().any(|w| w == suite.name) {
            println!("## {}", suite.name);
            (suite.run)(&bench);
            println!();
        }
    }
}
