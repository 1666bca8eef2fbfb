//! The DA1 query (`ESC [ c`): a terminal answers `ESC [ ? 6x ; a ; b … c` with its
//! attributes, and attribute 4 means it draws sixel graphics. The query goes to the
//! terminal on stdout (where the picture would go) and the reply is read from it in raw
//! mode with a short timeout, so a terminal that never answers costs at most that long.

use std::time::Duration;

/// How long to wait for the reply: terminals answer in a few milliseconds, even over ssh
/// on a near network.
const REPLY_TIMEOUT: Duration = Duration::from_millis(100);

/// Whether a DA1 reply lists sixel (attribute 4): `None` when `reply` holds no complete
/// DA1 answer.
pub fn parse_da1_reply(reply: &[u8]) -> Option<bool> {
    let start = reply.windows(3).position(|w| w == b"\x1b[?")?;
    let body = &reply[start + 3..];
    let end = body.iter().position(|&b| b == b'c')?;
    let params = std::str::from_utf8(&body[..end]).ok()?;
    if !params.bytes().all(|b| b.is_ascii_digit() || b == b';') {
        return None;
    }
    // The first parameter is the terminal class (e.g. 62, 64); the rest are attributes.
    Some(params.split(';').skip(1).any(|p| p == "4"))
}

/// Ask the terminal on stdout whether it draws sixel; false on any failure or silence
/// (stdout opened write-only cannot be read: false).
pub fn query_sixel_support() -> bool {
    #[cfg(unix)]
    {
        unix::query().unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[cfg(unix)]
mod unix {
    use super::{REPLY_TIMEOUT, parse_da1_reply};
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use rustix::termios::{OptionalActions, isatty, tcgetattr, tcsetattr};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::time::Instant;

    pub fn query() -> std::io::Result<bool> {
        let stdout = std::io::stdout();
        let tty = stdout.as_fd();
        if !isatty(tty) {
            return Ok(false);
        }
        let saved = tcgetattr(tty)?;
        let mut raw = saved.clone();
        raw.make_raw();
        tcsetattr(tty, OptionalActions::Now, &raw)?;
        let answer = ask(tty);
        // Always restore the terminal, whatever the query did.
        tcsetattr(tty, OptionalActions::Now, &saved)?;
        answer
    }

    fn ask(tty: BorrowedFd<'_>) -> std::io::Result<bool> {
        rustix::io::write(tty, b"\x1b[c")?;
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut reply = Vec::new();
        let mut buf = [0u8; 64];
        while reply.len() < 256 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let timeout = Timespec::try_from(left).map_err(std::io::Error::other)?;
            let mut fds = [PollFd::new(&tty, PollFlags::IN)];
            if poll(&mut fds, Some(&timeout))? == 0 {
                break;
            }
            let n = rustix::io::read(tty, &mut buf[..])?;
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
            if let Some(sixel) = parse_da1_reply(&reply) {
                return Ok(sixel);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_4_in_the_reply_means_sixel() {
        // xterm -ti vt340, foot, WezTerm.
        assert_eq!(parse_da1_reply(b"\x1b[?63;1;2;4;6;9;15;22c"), Some(true));
        assert_eq!(parse_da1_reply(b"\x1b[?62;4c"), Some(true));
        // xterm's default, VTE (GNOME Terminal), tmux.
        assert_eq!(
            parse_da1_reply(b"\x1b[?64;1;2;6;9;15;18;21;22c"),
            Some(false)
        );
        assert_eq!(parse_da1_reply(b"\x1b[?65;1;9c"), Some(false));
        // The class itself being 4 is not the attribute; 14 is not 4.
        assert_eq!(parse_da1_reply(b"\x1b[?4;14c"), Some(false));
        // Typed-ahead bytes before the reply are skipped.
        assert_eq!(parse_da1_reply(b"ab\x1b[?62;4c"), Some(true));
    }

    #[test]
    fn incomplete_or_foreign_replies_are_not_answers() {
        assert_eq!(parse_da1_reply(b""), None);
        assert_eq!(parse_da1_reply(b"\x1b[?62;4"), None);
        assert_eq!(parse_da1_reply(b"\x1b[?6x;4c"), None);
        assert_eq!(parse_da1_reply(b"\x1b[>0;95;0c"), None);
    }
}
