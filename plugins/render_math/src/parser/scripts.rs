//! Sub- and superscripts, primes and `\limits`/`\nolimits` after an atom.

use super::Parser;
use crate::ast::{Limits, Node, Scripts};
use crate::error::{ErrorKind, RenderError};
use crate::lexer::Tok;

impl Parser<'_> {
    /// An atom with any `^`, `_`, `'`, `\limits` after it.
    pub(super) fn parse_scripted(&mut self) -> Result<Node, RenderError> {
        let t = self.peek().expect("caller peeked");
        let mut base = match t.tok {
            // A script with nothing before it has an empty base, as in TeX.
            Tok::Sup | Tok::Sub | Tok::Prime => Node::Group(Vec::new()),
            _ => self.parse_atom(false)?,
        };
        let mut sub: Option<Vec<Node>> = None;
        let mut sup: Option<Vec<Node>> = None;
        let mut primes: u8 = 0;
        while let Some(t) = self.peek_nonspace() {
            match t.tok {
                Tok::Sup => {
                    if sup.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "double superscript: group it, as in x^{ab}",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    sup = Some(self.parse_arg("^")?);
                }
                Tok::Sub => {
                    if sub.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "double subscript: group it, as in x_{ab}",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    sub = Some(self.parse_arg("_")?);
                }
                Tok::Prime => {
                    if sup.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "a prime after a superscript: write the prime first, as in f'^2",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    primes = primes.checked_add(1).ok_or_else(|| {
                        self.error(ErrorKind::TooLarge, "more than 255 primes", t.span())
                    })?;
                }
                Tok::Cmd(c @ ("limits" | "nolimits")) => {
                    let limits = if c == "limits" {
                        Limits::Always
                    } else {
                        Limits::Never
                    };
                    match &mut base {
                        Node::BigOp { limits: l, .. } | Node::Func { limits: l, .. }
                            if sub.is_none() && sup.is_none() =>
                        {
                            *l = limits
                        }
                        _ => {
                            return Err(self.error(
                                ErrorKind::Unexpected,
                                format!("\\{c} must follow a big operator such as \\sum or \\int"),
                                t.span(),
                            ));
                        }
                    }
                    self.pos += 1;
                }
                _ => break,
            }
        }
        if sub.is_none() && sup.is_none() && primes == 0 {
            return Ok(base);
        }
        Ok(Node::Scripts(Box::new(Scripts {
            base,
            sub,
            sup,
            primes,
        })))
    }
}
