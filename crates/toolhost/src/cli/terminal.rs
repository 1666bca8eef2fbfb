//! A tool's text on a terminal. Terminals obey escape sequences in what they print: a tool
//! could clear the screen, retitle the window, hide text, rewrite the clipboard (OSC 52)
//! or spoof toolhost's own messages. On a terminal, control sequences and control
//! characters other than newline and tab are removed; piped output is left as the tool
//! wrote it.

use std::borrow::Cow;

/// `text` without escape sequences and control characters (newline and tab are kept).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => skip_escape(&mut chars),
            // 8-bit CSI, OSC, DCS, SOS, PM, APC take a string or parameters like ESC's.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_control(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}'
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: CSI `[`, the string commands `]`, `P`, `X`, `^`, `_`, or a two-character
/// sequence (with intermediate bytes).
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            // Intermediates, then one final character.
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next();
        }
        _ => {}
    }
}

/// Parameters and intermediates, then a final byte in `@`..`~`.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// Up to BEL or the string terminator (ESC `\` or 8-bit ST).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// Whether `sixel` is sixel graphics and nothing else: one DCS sequence (`ESC P ... q`)
/// holding sixel data, ended by ST. Anything else is not printed raw.
pub fn is_plain_sixel(sixel: &str) -> bool {
    let Some(body) = sixel
        .strip_prefix("\u{1b}P")
        .and_then(|s| s.trim_end_matches(['\r', '\n']).strip_suffix("\u{1b}\\"))
    else {
        return false;
    };
    let Some((params, data)) = body.split_once('q') else {
        return false;
    };
    params.chars().all(|c| c.is_ascii_digit() || c == ';')
        && data
            .chars()
            .all(|c| matches!(c, '\u{20}'..='\u{7e}' | '\r' | '\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed_and_text_is_kept() {
        let hostile = "a\u{1b}]52;c;Y2xpcA==\u{7}b\u{1b}[2J\u{1b}[31mc\u{1b}P1$r\u{1b}\\d\re\u{8}\u{9b}1mf\u{1b}(Bg\n\th";
        assert_eq!(printable(hostile), "abcdefg\n\th");
        assert!(matches!(printable("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(printable("日本語 ✓"), "日本語 ✓");
    }

    #[test]
    fn only_plain_sixel_is_printed_raw() {
        assert!(is_plain_sixel("\u{1b}Pq#0;2;0;0;0#0~~@@vv@@~~$-\u{1b}\\"));
        assert!(is_plain_sixel("\u{1b}P0;1;0q\"1;1;2;2#0!2~\u{1b}\\\n"));
        assert!(!is_plain_sixel("\u{1b}Pq~~\u{1b}]52;c;eA==\u{7}\u{1b}\\"));
        assert!(!is_plain_sixel("\u{1b}[2J"));
    }
}
