//! The error type of parsing and layout, and the helpers that locate a fault in the source
//! and suggest a close known name.

use std::fmt;
use std::ops::Range;

/// What went wrong. New kinds may be added, so match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is empty or only whitespace and comments.
    Empty,
    /// The input is longer than [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES).
    TooLong,
    /// An unclosed `{` or a `}` without a matching `{`.
    UnbalancedBrace,
    /// `\foo` that is not a known command.
    UnknownCommand,
    /// `\begin{foo}` with an environment that is not supported.
    UnknownEnvironment,
    /// `\end{x}` that does not close the open `\begin{y}`, or an environment never closed.
    UnbalancedEnvironment,
    /// A command or script ended before one of its arguments.
    MissingArgument,
    /// `\right` without `\left`, or `\left` without `\right`.
    UnbalancedDelimiter,
    /// `\left`, `\right`, `\middle` or `\big` followed by something that is not a delimiter.
    BadDelimiter,
    /// `x^a^b` or `x_a_b`.
    DoubleScript,
    /// A token where it makes no sense: `&` outside a matrix, `$`, `#`, `\limits` after a
    /// letter ...
    Unexpected,
    /// Nesting deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    TooDeep,
    /// The layout would exceed [`MAX_CELLS`](crate::MAX_CELLS) character cells.
    TooLarge,
}

impl ErrorKind {
    /// A stable snake_case name, used in the tool's error details.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::TooLong => "too_long",
            ErrorKind::UnbalancedBrace => "unbalanced_brace",
            ErrorKind::UnknownCommand => "unknown_command",
            ErrorKind::UnknownEnvironment => "unknown_environment",
            ErrorKind::UnbalancedEnvironment => "unbalanced_environment",
            ErrorKind::MissingArgument => "missing_argument",
            ErrorKind::UnbalancedDelimiter => "unbalanced_delimiter",
            ErrorKind::BadDelimiter => "bad_delimiter",
            ErrorKind::DoubleScript => "double_script",
            ErrorKind::Unexpected => "unexpected",
            ErrorKind::TooDeep => "too_deep",
            ErrorKind::TooLarge => "too_large",
        }
    }
}

/// Where an error sits in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Byte range of the offending text (empty at the end of input).
    pub span: Range<usize>,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes) from the line start.
    pub column: usize,
}

/// An error from rendering: always about the source text, so it always has a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError(Box<Repr>);

// Boxed so that `Result<_, RenderError>` stays one word: the parser and the layout recurse
// once per nesting level and must fit in a small wasm stack.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Repr {
    kind: ErrorKind,
    message: String,
    location: Location,
    suggestion: Option<String>,
}

impl RenderError {
    pub(crate) fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        src: &str,
        span: Range<usize>,
    ) -> Self {
        let (line, column) = line_col(src, span.start);
        RenderError(Box::new(Repr {
            kind,
            message: message.into(),
            location: Location { span, line, column },
            suggestion: None,
        }))
    }

    pub(crate) fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.0.suggestion = suggestion;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message without the position prefix or the suggestion.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// A close known name, e.g. `\frac` for `\fracc`.
    pub fn suggestion(&self) -> Option<&str> {
        self.0.suggestion.as_deref()
    }

    /// The offending source line with carets under the fault:
    ///
    /// ```text
    /// x + \fracc{1}{2}
    ///     ^^^^^^
    /// ```
    ///
    /// `src` should be the text that produced the error; any other text is handled without
    /// panicking but the caret will be meaningless.
    pub fn snippet(&self, src: &str) -> String {
        let loc = &self.0.location;
        let start = floor_char_boundary(src, loc.span.start);
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        let end = floor_char_boundary(src, loc.span.end.clamp(start, line_end));
        // Keep tabs so the caret lines up under tab-indented text.
        let pad: String = src[line_start..start]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let width = src[start..end].chars().count().max(1);
        let mut out = String::with_capacity(2 * (line_end - line_start) + width + 2);
        out.push_str(src[line_start..line_end].trim_end_matches('\r'));
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&"^".repeat(width));
        out
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = &self.0.location;
        write!(
            f,
            "line {}, column {} (byte {}): {}",
            loc.line, loc.column, loc.span.start, self.0.message
        )?;
        if let Some(s) = &self.0.suggestion {
            write!(f, "; did you mean {s}?")?;
        }
        Ok(())
    }
}

impl std::error::Error for RenderError {}

fn floor_char_boundary(src: &str, mut i: usize) -> usize {
    i = i.min(src.len());
    while !src.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a
/// plausible typo. Case matters less than letters: `\Frac` suggests `\frac`.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted: Vec<char> = name.chars().collect();
    let limit = match wanted.len() {
        0 | 1 => 0,
        2..=4 => 1,
        _ => 2,
    };
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let mut cand_chars = Vec::new();
    let mut row = Vec::new();
    for cand in candidates {
        if cand == name || cand.len().abs_diff(name.len()) > limit {
            continue;
        }
        cand_chars.clear();
        cand_chars.extend(cand.chars());
        // Twice the case-blind distance, plus one when case differs too: `\Sum` picks
        // `\sum`, and between `\sigma` and `\Sigma` the one spelt the same way wins.
        let blind = edit_distance(&wanted, &cand_chars, &mut row, |a, b| {
            a.eq_ignore_ascii_case(&b)
        });
        let exact = edit_distance(&wanted, &cand_chars, &mut row, |a, b| a == b);
        let d = 2 * blind + usize::from(exact != blind);
        if d <= 2 * limit + 1 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance: Levenshtein plus adjacent swaps (`\farc`).
fn edit_distance(
    a: &[char],
    b: &[char],
    d: &mut Vec<usize>,
    same: impl Fn(char, char) -> bool,
) -> usize {
    let w = b.len() + 1;
    d.clear();
    d.resize((a.len() + 1) * w, 0);
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(!same(a[i - 1], b[j - 1]));
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "é+\n  αβ x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 2), (1, 2));
        let x = src.find('x').unwrap();
        assert_eq!(line_col(src, x), (2, 6));
        assert_eq!(line_col(src, src.len()), (2, 7));
    }

    #[test]
    fn suggestions_need_to_be_close() {
        let names = ["frac", "dfrac", "sqrt", "sum", "Sigma", "sigma", "alpha"];
        assert_eq!(suggest("fracc", names), Some("frac"));
        assert_eq!(suggest("farc", names), Some("frac"));
        assert_eq!(suggest("Sum", names), Some("sum"));
        assert_eq!(suggest("sigam", names), Some("sigma"));
        assert_eq!(suggest("banana", names), None);
        assert_eq!(suggest("x", ["y"]), None);
    }

    #[test]
    fn snippet_puts_caret_under_span() {
        let src = "a +\n\tb + \\fracc{1}";
        let at = src.find("\\fracc").unwrap();
        let e = RenderError::new(ErrorKind::UnknownCommand, "unknown", src, at..at + 6);
        assert_eq!(e.snippet(src), "\tb + \\fracc{1}\n\t    ^^^^^^");
        assert_eq!(e.location().line, 2);
        assert_eq!(e.location().column, 6);
        let _ = e.snippet("");
        let _ = e.snippet("ééé");
    }
}
