//! Shows a running tool's progress reports as a bar on stderr (when it is a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::dispatch::CallObserver;
use crate::output::LogRecord;

pub struct ProgressDisplay {
    bar: ProgressBar,
}

impl ProgressDisplay {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        ProgressDisplay { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl CallObserver for ProgressDisplay {
    fn on_log(&self, _tool: &str, _record: &LogRecord) {}

    fn on_progress(&self, tool: &str, done: u64, total: u64, message: &str) {
        self.bar.set_prefix(tool.to_owned());
        if total > 0 {
            self.bar.set_length(total);
        }
        self.bar.set_position(done);
        self.bar.set_message(message.to_owned());
    }
}
