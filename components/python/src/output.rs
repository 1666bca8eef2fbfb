//! What `print` writes during one input, kept up to a cap: past it, text is counted and
//! dropped, and the outcome says how much was (a print flood must not fill the session's
//! memory or the host's).

use monty_types::{MontyException, PrintWriterCallback};
use std::borrow::Cow;

pub struct CappedOutput {
    text: String,
    cap: usize,
    dropped: u64,
}

impl CappedOutput {
    pub fn new(cap: usize) -> Self {
        CappedOutput {
            text: String::new(),
            cap,
            dropped: 0,
        }
    }

    fn push_str(&mut self, s: &str) {
        let room = self.cap.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
            return;
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.dropped += (s.len() - cut) as u64;
    }

    /// The kept text, with a note about what was dropped.
    pub fn finish(self) -> String {
        let mut text = self.text;
        if self.dropped > 0 {
            if !text.ends_with('\n') && !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!(
                "[output truncated: {} more bytes were dropped; an input keeps at most {} bytes of output]\n",
                self.dropped, self.cap
            ));
        }
        text
    }
}

impl PrintWriterCallback for CappedOutput {
    fn stdout_write(&mut self, output: Cow<'_, str>) -> Result<(), MontyException> {
        self.push_str(&output);
        Ok(())
    }

    fn stdout_push(&mut self, end: char) -> Result<(), MontyException> {
        self.push_str(end.encode_utf8(&mut [0; 4]));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_past_the_cap_is_counted_and_dropped() {
        let mut out = CappedOutput::new(10);
        out.stdout_write("hello".into()).unwrap();
        out.stdout_push('\n').unwrap();
        out.stdout_write("wörld and more".into()).unwrap();
        let text = out.finish();
        assert!(text.starts_with("hello\nwör"), "{text}");
        assert!(text.contains("11 more bytes were dropped"), "{text}");
    }
}
