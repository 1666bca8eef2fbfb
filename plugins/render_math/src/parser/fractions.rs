//! Fractions and binomials (`\frac` and its display, text and continued forms, `\binom`)
//! and radicals (`\sqrt`, with an optional index in brackets).

use super::{Parser, Stop};
use crate::ast::{Frac, FracKind, Node, Style};
use crate::error::RenderError;
use crate::lexer::Tok;

impl Parser<'_> {
    pub(super) fn parse_frac(&mut self, name: &str) -> Result<Node, RenderError> {
        let num = self.parse_arg(name)?;
        let den = self.parse_arg(name)?;
        let style = match name {
            "dfrac" | "cfrac" | "dbinom" => Some(Style::Display),
            "tfrac" | "tbinom" => Some(Style::Text),
            _ => None,
        };
        let kind = if name.ends_with("binom") {
            FracKind::Binom
        } else {
            FracKind::Frac
        };
        Ok(Node::Frac(Box::new(Frac {
            num,
            den,
            kind,
            style,
        })))
    }

    pub(super) fn parse_sqrt(&mut self, name: &str) -> Result<Node, RenderError> {
        let index = match self.peek_nonspace() {
            Some(o) if o.tok == Tok::Char('[') => {
                self.pos += 1;
                Some(self.parse_list(Stop::Bracket, o.span())?.0)
            }
            _ => None,
        };
        let body = self.parse_arg(name)?;
        Ok(Node::Sqrt { index, body })
    }
}
