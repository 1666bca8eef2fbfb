//! Terminal graphics only where the terminal shows them: which protocol a terminal speaks
//! (an override, known terminals by their environment, else the DA1 query), and the
//! escape sequences that draw a PNG with the kitty and iTerm2 protocols. The CLI's `run`
//! and the REPL use the same choice; anything not shown is saved and its path printed.

mod da1;
mod detect;
mod encode;

pub use da1::{parse_da1_reply, query_sixel_support};
pub use detect::{ImageProtocol, ProtocolChoice, detect_from_env, resolve};
pub use encode::{iterm_png, kitty_png};
