//! Which image protocol the terminal on stdout speaks.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// A way to draw pictures on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageProtocol {
    /// DEC sixel graphics (xterm -ti vt340, foot, mlterm, WezTerm, Windows Terminal…).
    Sixel,
    /// The kitty graphics protocol (kitty, Ghostty, Konsole).
    Kitty,
    /// iTerm2's inline images (iTerm2, WezTerm).
    Iterm,
    /// No terminal graphics: images are saved and their paths printed.
    None,
}

/// `--image-protocol`: a protocol, or `auto` to ask the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ProtocolChoice {
    #[default]
    Auto,
    Sixel,
    Kitty,
    Iterm,
    None,
}

/// What the environment alone says about the terminal: `Some` when it settles the question,
/// `None` when only asking the terminal (DA1) can tell. `stdout_tty` is whether stdout is a
/// terminal.
pub fn detect_from_env(
    env: &dyn Fn(&str) -> Option<String>,
    stdout_tty: bool,
) -> Option<ImageProtocol> {
    if !stdout_tty {
        return Some(ImageProtocol::None);
    }
    let term = env("TERM").unwrap_or_default();
    if term.is_empty() || term == "dumb" {
        return Some(ImageProtocol::None);
    }
    // tmux passes sixel through only when built and configured for it, and drops the
    // kitty and iTerm2 sequences; the outer terminal's variables are inherited and lie.
    if env("TMUX").is_some_and(|v| !v.is_empty()) || term.starts_with("tmux") {
        return Some(ImageProtocol::None);
    }
    if env("KITTY_WINDOW_ID").is_some_and(|v| !v.is_empty()) || term == "xterm-kitty" {
        return Some(ImageProtocol::Kitty);
    }
    if term == "xterm-ghostty" {
        return Some(ImageProtocol::Kitty);
    }
    match env("TERM_PROGRAM").as_deref() {
        Some("iTerm.app") | Some("WezTerm") => return Some(ImageProtocol::Iterm),
        // Apple's Terminal draws neither sixel nor the other two; GNU screen drops them.
        Some("Apple_Terminal") => return Some(ImageProtocol::None),
        _ => {}
    }
    if term.starts_with("screen") {
        return Some(ImageProtocol::None);
    }
    None
}

/// The protocol to use for stdout: the choice when it names one, else the environment,
/// else the terminal's own answer to DA1 (asked once per process, and only when an image is
/// about to be shown, so text-only work never writes a query to the terminal).
pub fn resolve(choice: ProtocolChoice) -> ImageProtocol {
    static DETECTED: OnceLock<ImageProtocol> = OnceLock::new();
    match choice {
        ProtocolChoice::Sixel => ImageProtocol::Sixel,
        ProtocolChoice::Kitty => ImageProtocol::Kitty,
        ProtocolChoice::Iterm => ImageProtocol::Iterm,
        ProtocolChoice::None => ImageProtocol::None,
        ProtocolChoice::Auto => *DETECTED.get_or_init(|| {
            let env = |k: &str| std::env::var(k).ok();
            detect_from_env(&env, std::io::stdout().is_terminal()).unwrap_or_else(|| {
                if super::query_sixel_support() {
                    ImageProtocol::Sixel
                } else {
                    ImageProtocol::None
                }
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(vars: &[(&str, &str)], tty: bool) -> Option<ImageProtocol> {
        let env = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        };
        detect_from_env(&env, tty)
    }

    #[test]
    fn known_terminals_are_recognised_by_their_environment() {
        use ImageProtocol::*;
        type Row<'a> = (&'a [(&'a str, &'a str)], bool, Option<ImageProtocol>);
        let table: &[Row<'_>] = &[
            (&[("TERM", "xterm-256color")], false, Some(None)),
            (&[("TERM", "dumb")], true, Some(None)),
            (&[], true, Some(None)),
            (&[("TERM", "xterm-kitty")], true, Some(Kitty)),
            (
                &[("TERM", "xterm-256color"), ("KITTY_WINDOW_ID", "1")],
                true,
                Some(Kitty),
            ),
            (
                &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")],
                true,
                Some(Iterm),
            ),
            (
                &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "WezTerm")],
                true,
                Some(Iterm),
            ),
            (
                &[
                    ("TERM", "xterm-256color"),
                    ("TERM_PROGRAM", "Apple_Terminal"),
                ],
                true,
                Some(None),
            ),
            (
                &[
                    ("TERM", "screen-256color"),
                    ("TMUX", "/tmp/tmux-1/default,1,0"),
                ],
                true,
                Some(None),
            ),
            // Inside tmux the outer kitty's variables are inherited: still nothing drawn.
            (
                &[("TERM", "tmux-256color"), ("KITTY_WINDOW_ID", "1")],
                true,
                Some(None),
            ),
            (&[("TERM", "screen")], true, Some(None)),
            // An xterm of unknown abilities: only DA1 can tell.
            (&[("TERM", "xterm-256color")], true, Option::None),
            (&[("TERM", "foot")], true, Option::None),
        ];
        for (vars, tty, want) in table {
            assert_eq!(detect(vars, *tty), *want, "{vars:?} tty={tty}");
        }
    }

    #[test]
    fn an_explicit_choice_is_taken_as_given() {
        assert_eq!(resolve(ProtocolChoice::Kitty), ImageProtocol::Kitty);
        assert_eq!(resolve(ProtocolChoice::Sixel), ImageProtocol::Sixel);
        assert_eq!(resolve(ProtocolChoice::None), ImageProtocol::None);
    }
}
