//! Splits source text into tokens, each with its byte span.

use crate::error::{ErrorKind, ExprError, Span};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Ident,
    /// Quoted text, `"..."` or `'...'`.
    Text,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `^` or `**`.
    Caret,
    Bang,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Token {
    /// How the token reads in an error message, e.g. `number '2'`.
    pub fn describe(&self, src: &str) -> String {
        let text = src.get(self.span.start..self.span.end).unwrap_or("");
        match self.tok {
            Tok::Num(_) => format!("number '{text}'"),
            Tok::Ident => format!("name '{text}'"),
            Tok::Text => format!("text {text}"),
            Tok::Eof => "end of input".to_string(),
            _ => format!("'{text}'"),
        }
    }
}

/// Tokenizes all of `src`; the result always ends with a single `Eof`.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ExprError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (tok, len) = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' | b'.' => {
                let (value, end) = number(src, i)?;
                (Tok::Num(value), end - i)
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let end = b[i..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(b.len(), |n| i + n);
                (Tok::Ident, end - i)
            }
            b'"' | b'\'' => (Tok::Text, text(src, i)? - i),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b',' => (Tok::Comma, 1),
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' if next == Some(b'*') => (Tok::Caret, 2),
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'^' => (Tok::Caret, 1),
            b'!' if next == Some(b'=') => (Tok::NotEq, 2),
            b'!' => (Tok::Bang, 1),
            b'=' if next == Some(b'=') => (Tok::EqEq, 2),
            b'<' if next == Some(b'=') => (Tok::Le, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if next == Some(b'=') => (Tok::Ge, 2),
            b'>' => (Tok::Gt, 1),
            b'&' if next == Some(b'&') => (Tok::AndAnd, 2),
            b'|' if next == Some(b'|') => (Tok::OrOr, 2),
            b'=' | b'&' | b'|' => {
                let hint = match c {
                    b'=' => "use '==' to compare",
                    b'&' => "use '&&' for logical and",
                    _ => "use '||' for logical or",
                };
                return Err(ExprError::at(
                    ErrorKind::UnexpectedChar,
                    format!("unexpected character '{}' ({hint})", c as char),
                    src,
                    Span::new(i, i + 1),
                ));
            }
            _ => {
                // `i` is always on a char boundary: every arm above advances
                // over ASCII bytes or whole characters.
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                let len = ch.len_utf8();
                if ch.is_whitespace() {
                    i += len;
                    continue;
                }
                return Err(ExprError::at(
                    ErrorKind::UnexpectedChar,
                    format!("unexpected character '{}'", ch.escape_debug()),
                    src,
                    Span::new(i, i + len),
                ));
            }
        };
        i += len;
        out.push(Token {
            tok,
            span: Span::new(start, i),
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(out)
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Scans quoted text from its opening quote and returns the offset just past
/// the closing one. There are no escapes: text holding one kind of quote is
/// written between the other kind.
fn text(src: &str, start: usize) -> Result<usize, ExprError> {
    let quote = src.as_bytes()[start];
    match src.as_bytes()[start + 1..].iter().position(|&b| b == quote) {
        Some(n) => Ok(start + n + 2),
        None => Err(ExprError::at(
            ErrorKind::UnclosedText,
            format!(
                "text starting with {q} is not closed (end it with {q})",
                q = quote as char
            ),
            src,
            Span::new(start, start + 1),
        )),
    }
}

/// Scans `digits [. digits] [e [+-] digits]` (either digit run may be empty,
/// not both) and returns its value and end offset.
fn number(src: &str, start: usize) -> Result<(f64, usize), ExprError> {
    let b = src.as_bytes();
    let int_end = skip_digits(b, start);
    let mut i = int_end;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        let frac_end = skip_digits(b, i + 1);
        frac_digits = frac_end - (i + 1);
        i = frac_end;
    }
    if int_end == start && frac_digits == 0 {
        return Err(ExprError::at(
            ErrorKind::InvalidNumber,
            "a '.' must be followed or preceded by digits",
            src,
            Span::new(start, i),
        ));
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_end = skip_digits(b, j);
        if exp_end == j {
            return Err(ExprError::at(
                ErrorKind::InvalidNumber,
                format!(
                    "malformed number '{}': the exponent has no digits",
                    &src[start..j]
                ),
                src,
                Span::new(start, j),
            ));
        }
        i = exp_end;
    }
    let text = &src[start..i];
    // Rust's parser accepts every shape scanned above; overflow gives inf.
    match text.parse::<f64>() {
        Ok(v) => Ok((v, i)),
        Err(_) => Err(ExprError::at(
            ErrorKind::InvalidNumber,
            format!("malformed number '{text}'"),
            src,
            Span::new(start, i),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers() {
        for (src, v) in [
            ("2", 2.0),
            ("2.5", 2.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e-3", 1e-3),
            ("6.02E23", 6.02e23),
            ("1e+2", 100.0),
            ("1e999", f64::INFINITY),
        ] {
            assert_eq!(toks(src), vec![Tok::Num(v), Tok::Eof], "{src}");
        }
        let long = "9".repeat(5000);
        assert_eq!(toks(&long), vec![Tok::Num(f64::INFINITY), Tok::Eof]);
    }

    #[test]
    fn bad_numbers() {
        for src in ["1e", "1e+", ".", "2.e"] {
            let e = tokenize(src).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidNumber, "{src}");
        }
    }

    #[test]
    fn operators_and_whitespace() {
        use Tok::*;
        assert_eq!(
            toks(" a**b ^ c\n<=>=< > ==!=!&&||%,()\u{a0}"),
            vec![
                Ident, Caret, Ident, Caret, Ident, Le, Ge, Lt, Gt, EqEq, NotEq, Bang, AndAnd, OrOr,
                Percent, Comma, LParen, RParen, Eof
            ]
        );
    }

    #[test]
    fn text_in_either_quote_without_escapes() {
        let t = tokenize(r#"a == "x 'y'" || b != 'é"'"#).unwrap();
        let kinds: Vec<Tok> = t.iter().map(|t| t.tok).collect();
        use Tok::*;
        assert_eq!(
            kinds,
            vec![Ident, EqEq, Text, OrOr, Ident, NotEq, Text, Eof]
        );
        assert_eq!((t[2].span.start, t[2].span.end), (5, 12));
        assert_eq!((t[6].span.start, t[6].span.end), (21, 26));
        let e = tokenize("x == 'abc").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnclosedText);
        assert_eq!(e.location().unwrap().span, 5..6);
    }

    #[test]
    fn spans_are_bytes() {
        let t = tokenize("é").unwrap_err();
        assert_eq!(t.location().unwrap().span, 0..2);
        let t = tokenize("x_1 + y").unwrap();
        assert_eq!((t[0].span.start, t[0].span.end), (0, 3));
        assert_eq!((t[2].span.start, t[2].span.end), (6, 7));
    }
}
