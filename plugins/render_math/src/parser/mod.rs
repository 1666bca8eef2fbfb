//! LaTeX math → [`Node`] tree, by recursive descent over the tokens. Every token ends up in
//! the tree or in an error: nothing is dropped silently.
//!
//! This module holds the [`Parser`] over the token stream, the entry point and the core of
//! the grammar: lists, arguments and atoms. Each construct with a grammar of its own is in
//! a submodule: scripts, commands, `\text`, fractions and radicals, delimiters and
//! environments.

mod commands;
mod delimiters;
mod environments;
mod fractions;
mod scripts;
mod text;

use crate::MAX_DEPTH;
use crate::ast::{Class, Node, Space, Style};
use crate::error::{ErrorKind, RenderError};
use crate::fonts::{self, Font};
use crate::lexer::{Tok, Token, tokenize};
use crate::symbols;
use std::ops::Range;

/// Parse a whole formula.
pub fn parse(src: &str) -> Result<Vec<Node>, RenderError> {
    let mut p = Parser {
        src,
        toks: tokenize(src),
        pos: 0,
        depth: 0,
        font: Font::Normal,
    };
    if p.toks.iter().all(|t| t.tok == Tok::Space) {
        return Err(p.error(ErrorKind::Empty, "nothing to render", 0..src.len()));
    }
    let (list, _) = p.parse_list(Stop::Eof, 0..0)?;
    Ok(list)
}

/// What ends the list being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Eof,
    /// `}` of a group or argument.
    Brace,
    /// `]` of `\sqrt[...]`.
    Bracket,
    /// `\right` or `\middle`.
    Right,
    /// `&`, `\\` or `\end` of a matrix cell.
    Cell,
}

/// Which token ended a list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ended {
    Eof,
    Brace,
    Bracket,
    Right,
    Middle,
    Amp,
    Row,
    End,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    font: Font,
}

impl<'a> Parser<'a> {
    fn error(&self, kind: ErrorKind, msg: impl Into<String>, span: Range<usize>) -> RenderError {
        RenderError::new(kind, msg, self.src, span)
    }

    fn end_span(&self) -> Range<usize> {
        self.src.len()..self.src.len()
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|t| t.tok == Tok::Space) {
            self.pos += 1;
        }
    }

    /// The next token that is not a space.
    fn peek_nonspace(&mut self) -> Option<Token<'a>> {
        self.skip_spaces();
        self.peek()
    }

    fn enter(&mut self, span: Range<usize>) -> Result<(), RenderError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                ErrorKind::TooDeep,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn parse_list(
        &mut self,
        stop: Stop,
        open: Range<usize>,
    ) -> Result<(Vec<Node>, Ended), RenderError> {
        self.enter(open.clone())?;
        let r = self.parse_list_inner(stop, open);
        self.leave();
        r
    }

    fn parse_list_inner(
        &mut self,
        stop: Stop,
        open: Range<usize>,
    ) -> Result<(Vec<Node>, Ended), RenderError> {
        let mut list = Vec::new();
        loop {
            let Some(t) = self.peek_nonspace() else {
                return match stop {
                    Stop::Eof => Ok((list, Ended::Eof)),
                    Stop::Brace => Err(self.error(
                        ErrorKind::UnbalancedBrace,
                        "this `{` is never closed: add a `}`",
                        open,
                    )),
                    Stop::Bracket => Err(self.error(
                        ErrorKind::UnbalancedBrace,
                        "the optional argument `[` of \\sqrt is never closed: add a `]`",
                        open,
                    )),
                    Stop::Right => Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\left without a matching \\right",
                        open,
                    )),
                    Stop::Cell => Err(self.error(
                        ErrorKind::UnbalancedEnvironment,
                        "this environment is never closed by its \\end",
                        open,
                    )),
                };
            };
            match t.tok {
                Tok::Close => {
                    if stop == Stop::Brace {
                        self.pos += 1;
                        return Ok((list, Ended::Brace));
                    }
                    let msg = match stop {
                        Stop::Right => "`}` closes a group while a \\left is still open",
                        Stop::Cell => "`}` closes a group that was not opened in this cell",
                        Stop::Bracket => "`}` inside the `[...]` of \\sqrt before its `]`",
                        _ => "`}` without a matching `{`",
                    };
                    return Err(self.error(ErrorKind::UnbalancedBrace, msg, t.span()));
                }
                Tok::Char(']') if stop == Stop::Bracket => {
                    self.pos += 1;
                    return Ok((list, Ended::Bracket));
                }
                Tok::Amp => {
                    if stop == Stop::Cell {
                        self.pos += 1;
                        return Ok((list, Ended::Amp));
                    }
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "`&` separates cells and is only allowed directly inside a matrix, \
                         cases or aligned environment",
                        t.span(),
                    ));
                }
                Tok::Cmd("\\") => {
                    if stop == Stop::Cell {
                        self.pos += 1;
                        return Ok((list, Ended::Row));
                    }
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "`\\\\` breaks rows and is only allowed directly inside an \
                         environment (use aligned or gathered for several lines)",
                        t.span(),
                    ));
                }
                Tok::Cmd("right") => {
                    if stop == Stop::Right {
                        return Ok((list, Ended::Right));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\right without a matching \\left",
                        t.span(),
                    ));
                }
                Tok::Cmd("middle") => {
                    if stop == Stop::Right {
                        return Ok((list, Ended::Middle));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\middle outside \\left ... \\right",
                        t.span(),
                    ));
                }
                Tok::Cmd("end") => {
                    if stop == Stop::Cell {
                        return Ok((list, Ended::End));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedEnvironment,
                        "\\end without a matching \\begin",
                        t.span(),
                    ));
                }
                Tok::Cmd(
                    name @ ("displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle"),
                ) => {
                    self.pos += 1;
                    let style = match name {
                        "displaystyle" => Style::Display,
                        "textstyle" => Style::Text,
                        "scriptstyle" => Style::Script,
                        _ => Style::ScriptScript,
                    };
                    let (rest, ended) = self.parse_list(stop, open.clone())?;
                    list.push(Node::Style(style, rest));
                    return Ok((list, ended));
                }
                _ => {
                    let node = self.parse_scripted()?;
                    list.push(node);
                }
            }
        }
    }

    /// A mandatory argument: a `{group}` or a single token.
    fn parse_arg(&mut self, cmd: &str) -> Result<Vec<Node>, RenderError> {
        let missing = |p: &Self, span: Range<usize>| {
            let what = if cmd == "^" || cmd == "_" {
                format!("`{cmd}` needs a script after it")
            } else {
                format!("\\{cmd} is missing an argument")
            };
            p.error(ErrorKind::MissingArgument, what, span)
        };
        let Some(t) = self.peek_nonspace() else {
            return Err(missing(self, self.end_span()));
        };
        match t.tok {
            Tok::Open => {
                self.pos += 1;
                Ok(self.parse_list(Stop::Brace, t.span())?.0)
            }
            Tok::Close
            | Tok::Amp
            | Tok::Sup
            | Tok::Sub
            | Tok::Prime
            | Tok::Cmd("\\" | "right" | "middle" | "end" | "limits" | "nolimits") => {
                Err(missing(self, t.span()))
            }
            _ => {
                self.enter(t.span())?;
                let r = self.parse_atom(true);
                self.leave();
                Ok(vec![r?])
            }
        }
    }

    /// One atom. `single` takes one digit only, as TeX does for `\frac12`.
    fn parse_atom(&mut self, single: bool) -> Result<Node, RenderError> {
        let t = self.peek().expect("caller peeked");
        self.pos += 1;
        match t.tok {
            Tok::Char(c) => self.parse_char(c, t, single),
            Tok::Open => Ok(Node::Group(self.parse_list(Stop::Brace, t.span())?.0)),
            Tok::Tilde => Ok(Node::Space(Space::Normal)),
            Tok::LoneBackslash => Err(self.error(
                ErrorKind::Unexpected,
                "a backslash with no command name after it",
                t.span(),
            )),
            Tok::Cmd(name) => self.parse_command(name, t),
            // parse_list and parse_arg route these elsewhere; keep a clear error regardless.
            Tok::Close | Tok::Amp | Tok::Sup | Tok::Sub | Tok::Prime | Tok::Space => {
                Err(self.error(ErrorKind::Unexpected, "unexpected token", t.span()))
            }
        }
    }

    fn parse_char(&mut self, c: char, t: Token<'a>, single: bool) -> Result<Node, RenderError> {
        match c {
            '$' => Err(self.error(
                ErrorKind::Unexpected,
                "`$` switches math mode in a document: give the formula without $ ... $",
                t.span(),
            )),
            '#' => Err(self.error(
                ErrorKind::Unexpected,
                "`#` (a macro parameter) has no meaning in a formula; write \\# for the sign",
                t.span(),
            )),
            '0'..='9' if !single && self.font == Font::Normal => {
                let start = t.start;
                let mut end = t.end;
                let bytes = self.src.as_bytes();
                // Digits, with at most one decimal point that has a digit after it.
                let mut seen_point = false;
                while let Some(n) = self.peek() {
                    match n.tok {
                        Tok::Char(d) if d.is_ascii_digit() && n.start == end => {}
                        Tok::Char('.')
                            if !seen_point
                                && n.start == end
                                && bytes.get(n.end).is_some_and(u8::is_ascii_digit) =>
                        {
                            seen_point = true;
                        }
                        _ => break,
                    }
                    end = n.end;
                    self.pos += 1;
                }
                Ok(Node::Number(self.src[start..end].to_owned()))
            }
            '0'..='9' if self.font == Font::Normal => Ok(Node::Number(c.to_string())),
            c => {
                let class = symbols::char_class(c);
                let ch = if class == Class::Ord {
                    fonts::map(self.font, c)
                } else {
                    symbols::math_char(c)
                };
                Ok(Node::Sym {
                    ch,
                    class,
                    upright: self.font.is_upright() && c.is_alphabetic(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(src: &str) -> ErrorKind {
        parse(src).unwrap_err().kind()
    }

    #[test]
    fn parses_structures() {
        let list = parse(r"\frac{a}{b} + x_1^2").unwrap();
        assert_eq!(list.len(), 3);
        assert!(matches!(list[0], Node::Frac(_)));
        assert!(matches!(list[2], Node::Scripts(_)));
        let list = parse(r"3.14x").unwrap();
        assert_eq!(list[0], Node::Number("3.14".into()));
        let list = parse(r"\frac12").unwrap();
        let Node::Frac(f) = &list[0] else { panic!() };
        assert_eq!(f.num, vec![Node::Number("1".into())]);
    }

    #[test]
    fn errors_have_kinds() {
        assert_eq!(kind("{a"), ErrorKind::UnbalancedBrace);
        assert_eq!(kind("a}"), ErrorKind::UnbalancedBrace);
        assert_eq!(kind(r"\fracc{1}{2}"), ErrorKind::UnknownCommand);
        assert_eq!(kind(r"\frac{1}"), ErrorKind::MissingArgument);
        assert_eq!(kind(r"x \right)"), ErrorKind::UnbalancedDelimiter);
        assert_eq!(kind(r"\left( x"), ErrorKind::UnbalancedDelimiter);
        assert_eq!(
            kind(r"\begin{foo}x\end{foo}"),
            ErrorKind::UnknownEnvironment
        );
        assert_eq!(
            kind(r"\begin{matrix}x\end{pmatrix}"),
            ErrorKind::UnbalancedEnvironment
        );
        assert_eq!(kind("x^a^b"), ErrorKind::DoubleScript);
        assert_eq!(kind("a & b"), ErrorKind::Unexpected);
        assert_eq!(kind("   "), ErrorKind::Empty);
        assert_eq!(kind(&"{".repeat(200)), ErrorKind::TooDeep);
        assert_eq!(kind(&r"\sqrt".repeat(200)), ErrorKind::TooDeep);
    }
}
