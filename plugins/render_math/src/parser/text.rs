//! `\text{...}` and its kin: the argument is read as text, not math, with its own small
//! set of allowed commands.

use super::Parser;
use crate::MAX_DEPTH;
use crate::ast::Node;
use crate::error::{ErrorKind, RenderError};
use crate::fonts::{self, Font};
use crate::lexer::Tok;
use std::ops::Range;

impl Parser<'_> {
    /// `\text{...}`: characters as they are, runs of spaces as one space.
    pub(super) fn parse_text(
        &mut self,
        name: &str,
        font: Font,
        span: Range<usize>,
    ) -> Result<Node, RenderError> {
        let Some(first) = self.peek_nonspace() else {
            return Err(self.error(
                ErrorKind::MissingArgument,
                format!("\\{name} is missing an argument"),
                self.end_span(),
            ));
        };
        let mut text = String::new();
        let push = |text: &mut String, c: char| text.push(fonts::map(font, c));
        match first.tok {
            Tok::Open => {}
            Tok::Char(c) => {
                self.pos += 1;
                push(&mut text, c);
                return Ok(Node::Text(text));
            }
            _ => {
                return Err(self.error(
                    ErrorKind::MissingArgument,
                    format!("\\{name} is missing an argument: give it as {{text}}"),
                    first.span(),
                ));
            }
        }
        self.pos += 1;
        let mut open_braces = vec![first.span()];
        loop {
            let Some(t) = self.peek() else {
                let open = open_braces.pop().unwrap_or(span);
                return Err(self.error(
                    ErrorKind::UnbalancedBrace,
                    "this `{` is never closed: add a `}`",
                    open,
                ));
            };
            self.pos += 1;
            match t.tok {
                Tok::Char('$') => {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "math inside \\text ($...$) is not supported: close the text first",
                        t.span(),
                    ));
                }
                Tok::Char(c) => push(&mut text, c),
                Tok::Space | Tok::Tilde => text.push(' '),
                Tok::Prime => text.push('\''),
                Tok::Open => {
                    if open_braces.len() >= MAX_DEPTH {
                        return Err(self.error(
                            ErrorKind::TooDeep,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                            t.span(),
                        ));
                    }
                    open_braces.push(t.span());
                }
                Tok::Close => {
                    open_braces.pop();
                    if open_braces.is_empty() {
                        return Ok(Node::Text(text));
                    }
                }
                Tok::Cmd(c) => match c {
                    " " | "," | ":" | ";" | "\t" | "\n" | "\r" => text.push(' '),
                    "quad" => text.push_str("  "),
                    "qquad" => text.push_str("    "),
                    "{" | "}" | "%" | "$" | "&" | "#" | "_" => text.push_str(c),
                    "textbackslash" => text.push('\\'),
                    "ldots" | "dots" | "textellipsis" => text.push('…'),
                    _ => {
                        return Err(self.error(
                            ErrorKind::UnknownCommand,
                            format!("\\{c} is not supported inside \\{name}"),
                            t.span(),
                        ));
                    }
                },
                Tok::Sup | Tok::Sub | Tok::Amp | Tok::LoneBackslash => {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        format!(
                            "`{}` is not allowed in text; escape it with a backslash",
                            &self.src[t.span()]
                        ),
                        t.span(),
                    ));
                }
            }
        }
    }
}
