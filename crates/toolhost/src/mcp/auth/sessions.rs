//! Each MCP session belongs to the caller that opened it: another caller presenting its
//! `Mcp-Session-Id` is told the session does not exist, so it can neither read the
//! session's Python state nor receive its notifications.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Sessions remembered; past this the oldest is forgotten (and then open to any
/// authenticated caller, as sessions were before authentication).
const MAX_SESSIONS: usize = 65_536;

#[derive(Debug, Default)]
pub struct SessionOwners {
    inner: Mutex<Owners>,
}

#[derive(Debug, Default)]
struct Owners {
    owner: HashMap<String, String>,
    order: VecDeque<String>,
}

impl SessionOwners {
    /// Whether `caller` may use session `id` (one nobody owns is left to the MCP service,
    /// which refuses ids it does not know).
    pub fn may_use(&self, id: &str, caller: &str) -> bool {
        let owners = self.inner.lock().expect("session owners lock");
        owners.owner.get(id).is_none_or(|owner| owner == caller)
    }

    pub fn opened(&self, id: String, caller: String) {
        let mut owners = self.inner.lock().expect("session owners lock");
        if owners.owner.insert(id.clone(), caller).is_none() {
            owners.order.push_back(id);
        }
        while owners.order.len() > MAX_SESSIONS {
            if let Some(old) = owners.order.pop_front() {
                owners.owner.remove(&old);
            }
        }
    }

    pub fn closed(&self, id: &str) {
        let mut owners = self.inner.lock().expect("session owners lock");
        if owners.owner.remove(id).is_some() {
            owners.order.retain(|s| s != id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_its_openers_only() {
        let owners = SessionOwners::default();
        assert!(owners.may_use("s1", "token:a"));
        owners.opened("s1".into(), "token:a".into());
        assert!(owners.may_use("s1", "token:a"));
        assert!(!owners.may_use("s1", "token:b"));
        owners.closed("s1");
        assert!(owners.may_use("s1", "token:b"));
    }
}
