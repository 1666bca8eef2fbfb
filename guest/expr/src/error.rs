//! The error type shared by parsing and compiling, and the helpers that
//! locate and explain a fault in the source.

use std::fmt;
use std::ops::Range;

/// What went wrong. New kinds may be added, so match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source holds no tokens at all.
    Empty,
    /// A character that cannot start any token (`#`, `é`, a lone `=` ...).
    UnexpectedChar,
    /// A malformed numeric literal such as `1e` or `.`.
    InvalidNumber,
    /// A token where it makes no sense, e.g. `1 * * 2` or `2 x`.
    UnexpectedToken,
    /// The input ends where an operand was expected, e.g. `1 +`.
    UnexpectedEnd,
    /// An unclosed `(` or a `)` without a matching `(`.
    UnbalancedParen,
    /// `a < b < c`: comparisons are non-associative.
    ChainedComparison,
    /// Nesting deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    TooDeep,
    /// The source is longer than 4 GiB.
    TooLong,
    /// A call to a function that does not exist.
    UnknownFunction,
    /// A call with the wrong number of arguments.
    WrongArity,
    /// A variable that is not in the list given to `compile`.
    UnknownVariable,
    /// A constant name (`pi`, `e`, ...) was given as a variable to bind.
    ReservedName,
    /// The same variable name was given twice to `compile`.
    DuplicateVariable,
    /// A name given to `compile` that can never appear in an expression.
    InvalidVariableName,
    /// The program uses a step-like operation; see
    /// [`Program::check_smooth`](crate::Program::check_smooth).
    NotSmooth,
    /// A data array where a number is needed: outside `sum`, `mean` or
    /// `len`.
    ArrayNotReduced,
    /// Data arrays of different lengths combined element by element.
    LengthMismatch,
    /// Quoted text without its closing quote.
    UnclosedText,
    /// Text used other than in a comparison with text, or where the caller
    /// bound no text (see [`Text`](crate::Text)).
    TextMisuse,
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

/// An error from parsing or compiling an expression.
///
/// Every error about the source text has a [`Location`]; the only errors
/// without one are about the variable list passed to
/// [`Expr::compile`](crate::Expr::compile) or the names of the
/// [`Data`](crate::Data) (a duplicate or invalid name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError(Box<Repr>);

// Boxed so that `Result<_, ExprError>` stays two words: the parser recurses
// once per nesting level and must fit in small (e.g. wasm) stacks.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Repr {
    kind: ErrorKind,
    message: String,
    location: Option<Location>,
}

impl ExprError {
    pub(crate) fn at(kind: ErrorKind, message: impl Into<String>, src: &str, span: Span) -> Self {
        let (line, column) = line_col(src, span.start);
        ExprError(Box::new(Repr {
            kind,
            message: message.into(),
            location: Some(Location {
                span: span.start..span.end,
                line,
                column,
            }),
        }))
    }

    pub(crate) fn unlocated(kind: ErrorKind, message: impl Into<String>) -> Self {
        ExprError(Box::new(Repr {
            kind,
            message: message.into(),
            location: None,
        }))
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message without the position prefix.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where the fault is, if it is in the source text.
    pub fn location(&self) -> Option<&Location> {
        self.0.location.as_ref()
    }

    /// The message followed by the offending source line and a caret under
    /// the fault, for command-line tools:
    ///
    /// ```text
    /// line 1, column 7: unknown function 'sinn' (did you mean 'sin'?)
    ///   x + 2*sinn(y)
    ///         ^^^^
    /// ```
    ///
    /// `src` should be the text that produced the error; any other text is
    /// handled without panicking but the caret will be meaningless.
    pub fn render(&self, src: &str) -> String {
        let mut out = self.to_string();
        let Some(loc) = &self.0.location else {
            return out;
        };
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
        out.push_str("\n  ");
        out.push_str(src[line_start..line_end].trim_end_matches('\r'));
        out.push_str("\n  ");
        out.push_str(&pad);
        out.push_str(&"^".repeat(width));
        out
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.location {
            Some(loc) => write!(
                f,
                "line {}, column {}: {}",
                loc.line, loc.column, self.0.message
            ),
            None => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for ExprError {}

/// A byte range in the source; `Copy`, unlike `Range<usize>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

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

/// The candidate closest to `name` by edit distance, if it is close enough
/// to be a plausible typo.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted: Vec<char> = name.to_ascii_lowercase().chars().collect();
    // Single letters are too short for a distance to mean anything.
    let limit = match wanted.len() {
        0 | 1 => 0,
        2..=4 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let c: Vec<char> = cand.to_ascii_lowercase().chars().collect();
        let d = edit_distance(&wanted, &c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance: Levenshtein plus adjacent swaps,
/// since `sni` for `sin` is a common slip.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
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
        assert_eq!(line_col(src, 2), (1, 2)); // '+' after a 2-byte 'é'
        let x = src.find('x').unwrap();
        assert_eq!(line_col(src, x), (2, 6));
        assert_eq!(line_col(src, src.len()), (2, 7));
    }

    #[test]
    fn suggestions_need_to_be_close() {
        let names = ["sin", "sinh", "asin", "sqrt", "sigma"];
        assert_eq!(suggest("sinn", names), Some("sin"));
        assert_eq!(suggest("sni", names), Some("sin"));
        assert_eq!(suggest("SIN", names), Some("sin"));
        assert_eq!(suggest("sigmaa", names), Some("sigma"));
        assert_eq!(suggest("banana", names), None);
        assert_eq!(suggest("x", ["y"]), None);
    }

    #[test]
    fn render_puts_caret_under_span() {
        let src = "a +\n\tb + sinn(y)";
        let at = src.find("sinn").unwrap();
        let e = ExprError::at(
            ErrorKind::UnknownFunction,
            "unknown function 'sinn'",
            src,
            Span::new(at, at + 4),
        );
        assert_eq!(
            e.render(src),
            "line 2, column 6: unknown function 'sinn'\n  \tb + sinn(y)\n  \t    ^^^^"
        );
        // A foreign source must not panic.
        let _ = e.render("");
        let _ = e.render("ééé");
    }
}
