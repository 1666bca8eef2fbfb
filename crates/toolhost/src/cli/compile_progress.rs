//! A line on stderr while a component is compiled for this machine, so a first run of a
//! large component (the Python interpreter: many seconds) does not sit silent. Shown only
//! when stderr is a terminal, unless `TOOLHOST_PROGRESS=always` asks for it anyway (logs,
//! tests); `TOOLHOST_PROGRESS=never` turns it off.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::core::{CompileObserver, CompileWatcher};

/// How the line is drawn.
enum Display {
    /// A spinner, cleared when the compile ends.
    Spinner(Mutex<HashMap<String, ProgressBar>>),
    /// One plain line per compile (stderr is not a terminal but the line was asked for).
    Plain,
}

pub struct CompileProgress {
    display: Display,
}

/// The watcher for this process, or `None` when nothing should be shown.
pub fn watcher() -> Option<CompileWatcher> {
    let setting = std::env::var("TOOLHOST_PROGRESS").unwrap_or_default();
    let display = match setting.as_str() {
        "never" => return None,
        "always" if !std::io::stderr().is_terminal() => Display::Plain,
        _ if std::io::stderr().is_terminal() => Display::Spinner(Mutex::default()),
        _ => return None,
    };
    Some(CompileWatcher(Arc::new(CompileProgress { display })))
}

/// `compiling calc (1.2 MB) for this machine… (once; cached after)`
pub fn message(name: &str, wasm_bytes: usize, cached: bool) -> String {
    let size = if wasm_bytes >= 1 << 20 {
        format!("{:.1} MB", wasm_bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} kB", wasm_bytes.div_ceil(1 << 10))
    };
    let when = if cached {
        "(once; cached after)"
    } else {
        "(not cached: --no-cache)"
    };
    format!("compiling {name} ({size}) for this machine… {when}")
}

impl CompileObserver for CompileProgress {
    fn compiling(&self, name: &str, wasm_bytes: usize, cached: bool) {
        let line = message(name, wasm_bytes, cached);
        match &self.display {
            Display::Plain => eprintln!("{line}"),
            Display::Spinner(bars) => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .expect("static template"),
                );
                bar.set_message(line);
                bar.enable_steady_tick(Duration::from_millis(120));
                bars.lock()
                    .expect("compile progress lock")
                    .insert(name.to_owned(), bar);
            }
        }
    }

    fn compiled(&self, name: &str) {
        if let Display::Spinner(bars) = &self.display
            && let Some(bar) = bars.lock().expect("compile progress lock").remove(name)
        {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_component_its_size_and_that_it_happens_once() {
        assert_eq!(
            message("python", 9 << 20, true),
            "compiling python (9.0 MB) for this machine… (once; cached after)"
        );
        assert_eq!(
            message("calc", 1500, false),
            "compiling calc (2 kB) for this machine… (not cached: --no-cache)"
        );
    }
}
