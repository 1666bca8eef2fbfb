//! Delimiters: `\left ... \middle ... \right` pairs that grow with their contents, and the
//! fixed sizes `\big`, `\Big`, `\bigg`, `\Bigg` (with their l, r, m forms).

use super::{Ended, Parser, Stop};
use crate::ast::{Class, Delim, Delimited, Node};
use crate::error::{ErrorKind, RenderError};
use crate::lexer::Tok;
use crate::symbols;
use std::ops::Range;

impl Parser<'_> {
    fn parse_delim(&mut self, cmd: &str, cmd_span: &Range<usize>) -> Result<Delim, RenderError> {
        let bad = |p: &Self, span: Range<usize>| {
            p.error(
                ErrorKind::BadDelimiter,
                format!(
                    "\\{cmd} must be followed by a delimiter such as ( ) [ ] \\{{ \\}} | \\| \\langle \\rangle or ."
                ),
                span,
            )
        };
        let Some(t) = self.peek_nonspace() else {
            return Err(bad(self, cmd_span.start..self.src.len()));
        };
        let d = match t.tok {
            Tok::Char(c) => symbols::delimiter_char(c),
            Tok::Cmd(name) => symbols::delimiter_command(name).map(Some),
            _ => None,
        };
        match d {
            Some(d) => {
                self.pos += 1;
                Ok(d)
            }
            None => Err(bad(self, t.span())),
        }
    }

    pub(super) fn parse_left_right(&mut self, span: Range<usize>) -> Result<Node, RenderError> {
        let left = self.parse_delim("left", &span)?;
        let open = span.start..self.toks[self.pos - 1].end;
        let mut parts = Vec::new();
        let mut middles = Vec::new();
        loop {
            let (part, ended) = self.parse_list(Stop::Right, open.clone())?;
            parts.push(part);
            let t = self.peek().expect("the list stopped at a token");
            self.pos += 1;
            let d = self.parse_delim(
                if ended == Ended::Middle {
                    "middle"
                } else {
                    "right"
                },
                &t.span(),
            )?;
            if ended == Ended::Middle {
                middles.push(d);
            } else {
                return Ok(Node::Delimited(Box::new(Delimited {
                    left,
                    right: d,
                    parts,
                    middles,
                })));
            }
        }
    }

    pub(super) fn parse_big_delim(
        &mut self,
        name: &str,
        span: Range<usize>,
    ) -> Result<Node, RenderError> {
        let delim = self.parse_delim(name, &span)?;
        let rows = match name.trim_end_matches(['l', 'r', 'm']) {
            "big" => 1,
            "Big" | "bigg" => 3,
            _ => 5,
        };
        let class = match name.as_bytes().last() {
            Some(b'l') => Class::Open,
            Some(b'r') => Class::Close,
            Some(b'm') => Class::Rel,
            _ => Class::Ord,
        };
        Ok(Node::BigDelim { delim, rows, class })
    }
}
