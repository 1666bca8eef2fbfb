//! What the host saw of one call's network use: the first policy violation and a short
//! trail of requests. The hook records here, in the host, so a call that broke a rule
//! fails with the right code even if the tool swallows the error it was given.

use std::sync::{Arc, Mutex};

use serde_json::Value;

/// Requests noted per call; a tool looping on requests cannot grow the host's memory.
const MAX_NOTES: usize = 100;

/// A rule the host enforced against the tool.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// A request the grants do not allow.
    Denied { message: String, details: Value },
    /// Response bodies passed `max_response_bytes`.
    ResponseTooLarge { limit: u64, url: String },
    /// A request still running at the call's deadline.
    Timeout { url: String },
}

#[derive(Default)]
struct Entries {
    violation: Option<Violation>,
    notes: Vec<String>,
    notes_dropped: usize,
}

/// Shared between the call's Store and the tasks that carry its requests.
#[derive(Clone, Default)]
pub struct NetworkLedger {
    entries: Arc<Mutex<Entries>>,
}

impl NetworkLedger {
    /// Keeps the first violation: later ones are usually its consequences.
    pub fn record(&self, violation: Violation) {
        let mut e = self.entries.lock().expect("ledger lock");
        if e.violation.is_none() {
            e.violation = Some(violation);
        }
    }

    pub fn note(&self, note: String) {
        let mut e = self.entries.lock().expect("ledger lock");
        if e.notes.len() < MAX_NOTES {
            e.notes.push(note);
        } else {
            e.notes_dropped += 1;
        }
    }

    pub fn violation(&self) -> Option<Violation> {
        self.entries.lock().expect("ledger lock").violation.clone()
    }

    /// The notes so far, with a last line counting any that were dropped.
    pub fn take_notes(&self) -> Vec<String> {
        let mut e = self.entries.lock().expect("ledger lock");
        let mut notes = std::mem::take(&mut e.notes);
        if e.notes_dropped > 0 {
            notes.push(format!(
                "{} further requests were not noted (at most {MAX_NOTES} are)",
                e.notes_dropped
            ));
            e.notes_dropped = 0;
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_violation_is_kept() {
        let ledger = NetworkLedger::default();
        assert_eq!(ledger.violation(), None);
        ledger.record(Violation::Timeout { url: "a".into() });
        ledger.record(Violation::ResponseTooLarge {
            limit: 1,
            url: "b".into(),
        });
        assert_eq!(
            ledger.violation(),
            Some(Violation::Timeout { url: "a".into() })
        );
    }

    #[test]
    fn notes_are_bounded() {
        let ledger = NetworkLedger::default();
        for i in 0..MAX_NOTES + 5 {
            ledger.clone().note(format!("request {i}"));
        }
        let notes = ledger.take_notes();
        assert_eq!(notes.len(), MAX_NOTES + 1);
        assert!(notes.last().unwrap().starts_with("5 further"));
    }
}
