//! Outbound HTTP end to end: the `web_fetch` tool and a hostile fixture against servers on
//! loopback, with the registry's network grants enforced by the host.

#[path = "../common/mod.rs"]
mod common;
mod policy;
mod server;
mod web_fetch;
