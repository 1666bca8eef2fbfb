//! Splits LaTeX source into tokens with byte spans. Never fails: a lone backslash at the
//! end is a token of its own for the parser to report.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    /// `\name` (letters) or `\c` (one other character); the name is without the backslash.
    Cmd(&'a str),
    /// A backslash with nothing after it.
    LoneBackslash,
    Char(char),
    Open,
    Close,
    Sup,
    Sub,
    Amp,
    Prime,
    Tilde,
    /// A run of whitespace (TeX ignores it in math, keeps one space in text).
    Space,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// All tokens of `src`, comments (`%` to the end of the line) dropped.
pub fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(src.len() / 2 + 1);
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let start = i;
        // Only ASCII bytes are matched here; anything else is decoded as a whole char.
        let tok = match bytes[i] {
            b'\\' => {
                i += 1;
                let name_start = i;
                while i < src.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if i > name_start {
                    let name = &src[name_start..i];
                    // TeX skips the spaces after a control word, also in text mode.
                    let end = i;
                    while i < src.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    out.push(Token {
                        tok: Tok::Cmd(name),
                        start,
                        end,
                    });
                    continue;
                }
                match src[i..].chars().next() {
                    Some(c) => {
                        i += c.len_utf8();
                        Tok::Cmd(&src[name_start..i])
                    }
                    None => Tok::LoneBackslash,
                }
            }
            b'%' => {
                while i < src.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b if b.is_ascii_whitespace() => {
                while i < src.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Space,
                    start,
                    end: i,
                });
                continue;
            }
            b'{' => {
                i += 1;
                Tok::Open
            }
            b'}' => {
                i += 1;
                Tok::Close
            }
            b'^' => {
                i += 1;
                Tok::Sup
            }
            b'_' => {
                i += 1;
                Tok::Sub
            }
            b'&' => {
                i += 1;
                Tok::Amp
            }
            b'\'' => {
                i += 1;
                Tok::Prime
            }
            b'~' => {
                i += 1;
                Tok::Tilde
            }
            _ => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                i += c.len_utf8().max(1);
                Tok::Char(c)
            }
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        tokenize(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn commands_chars_and_spaces() {
        assert_eq!(
            toks(r"\frac {a}^2 \, x_é"),
            vec![
                Tok::Cmd("frac"),
                Tok::Open,
                Tok::Char('a'),
                Tok::Close,
                Tok::Sup,
                Tok::Char('2'),
                Tok::Space,
                Tok::Cmd(","),
                Tok::Space,
                Tok::Char('x'),
                Tok::Sub,
                Tok::Char('é'),
            ]
        );
        assert_eq!(toks(r"\\\"), vec![Tok::Cmd("\\"), Tok::LoneBackslash]);
        assert_eq!(
            toks("a % comment\nb"),
            vec![Tok::Char('a'), Tok::Space, Tok::Space, Tok::Char('b')]
        );
    }

    #[test]
    fn spans_are_bytes() {
        let t = tokenize(r"α\beta");
        assert_eq!(t[0].span(), 0..2);
        assert_eq!(t[1].span(), 2..7);
    }
}
