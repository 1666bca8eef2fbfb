//! The `host` interface every tool imports (`log`, `progress`), linked by hand rather than
//! through the generated bindings so that a message is read as a bounded prefix of guest
//! memory: a 100 MiB log message costs the host 8 KiB, not 100 MiB.

use wasmtime::StoreContextMut;
use wasmtime::component::{HasSelf, Linker};

use super::bindings::wit_types;
use super::call_state::CallState;
use super::contract::CONTRACT_VERSION;
use super::lift::PrefixText;

/// Bytes kept of one log record or progress message.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// A message as the host reads it from the guest.
pub type GuestMessage = PrefixText<MAX_MESSAGE_BYTES>;

pub fn add_to_linker(linker: &mut Linker<CallState>) -> anyhow::Result<()> {
    // The types interface holds no functions; the component may still import it.
    wit_types::add_to_linker::<_, HasSelf<_>>(linker, |state| state)?;
    let mut host = linker.instance(&format!("toolhost:tool/host@{CONTRACT_VERSION}"))?;
    host.func_wrap(
        "log",
        |mut store: StoreContextMut<'_, CallState>,
         (level, message): (wit_types::LogLevel, GuestMessage)| {
            store.data_mut().log(level, message);
            Ok(())
        },
    )?;
    host.func_wrap(
        "progress",
        |mut store: StoreContextMut<'_, CallState>,
         (done, total, message): (u64, u64, GuestMessage)| {
            store.data_mut().progress(done, total, message);
            Ok(())
        },
    )?;
    Ok(())
}

/// The kept prefix, marked when the message was longer.
pub fn message_text(message: GuestMessage) -> String {
    if message.is_cut() {
        format!("{} [truncated: {} bytes in all]", message.text, message.len)
    } else {
        message.text
    }
}
