//! Control sequences. [`Parser::parse_command`] hands each command with a grammar of its
//! own to the sibling module that parses it, handles spacing, `\operatorname`, `\not` and
//! `\pmod` itself, and looks the rest up in the symbol tables (fonts, accents, symbols,
//! functions, big operators); an unknown name gets a suggestion.

use super::Parser;
use crate::ast::{Class, Limits, Node, Space};
use crate::error::{ErrorKind, RenderError, suggest};
use crate::fonts::{self, Font};
use crate::lexer::{Tok, Token};
use crate::symbols;
use std::ops::Range;

impl<'a> Parser<'a> {
    pub(super) fn parse_command(
        &mut self,
        name: &'a str,
        t: Token<'a>,
    ) -> Result<Node, RenderError> {
        let span = t.span();
        match name {
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" => {
                self.parse_frac(name)
            }
            "sqrt" => self.parse_sqrt(name),
            "left" => self.parse_left_right(span),
            "right" => Err(self.error(
                ErrorKind::UnbalancedDelimiter,
                "\\right without a matching \\left",
                span,
            )),
            "middle" => Err(self.error(
                ErrorKind::UnbalancedDelimiter,
                "\\middle outside \\left ... \\right",
                span,
            )),
            "big" | "Big" | "bigg" | "Bigg" | "bigl" | "Bigl" | "biggl" | "Biggl" | "bigr"
            | "Bigr" | "biggr" | "Biggr" | "bigm" | "Bigm" | "biggm" | "Biggm" => {
                self.parse_big_delim(name, span)
            }
            "begin" => self.parse_environment(span),
            "end" => Err(self.error(
                ErrorKind::UnbalancedEnvironment,
                "\\end without a matching \\begin",
                span,
            )),
            "operatorname" => {
                let star = self
                    .peek()
                    .is_some_and(|n| n.tok == Tok::Char('*') && n.start == span.end);
                if star {
                    self.pos += 1;
                }
                let saved = std::mem::replace(&mut self.font, Font::Roman);
                let arg = self.parse_arg(name);
                self.font = saved;
                let mut text = String::new();
                if !flatten(&arg?, &mut text) || text.trim().is_empty() {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "\\operatorname takes a plain name such as {arg\\,max}",
                        span,
                    ));
                }
                Ok(Node::Func {
                    name: text,
                    limits: if star { Limits::Auto } else { Limits::Never },
                })
            }
            "," => Ok(Node::Space(Space::Thin)),
            ":" | ">" => Ok(Node::Space(Space::Medium)),
            ";" => Ok(Node::Space(Space::Thick)),
            "!" => Ok(Node::Space(Space::NegThin)),
            " " | "\t" | "\n" | "\r" => Ok(Node::Space(Space::Normal)),
            "quad" => Ok(Node::Space(Space::Quad)),
            "qquad" => Ok(Node::Space(Space::Qquad)),
            "limits" | "nolimits" => Err(self.error(
                ErrorKind::Unexpected,
                format!("\\{name} must follow a big operator such as \\sum or \\int"),
                span,
            )),
            "displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle" => Err(self.error(
                ErrorKind::Unexpected,
                format!("\\{name} cannot be an argument: put it inside the braces"),
                span,
            )),
            "not" => {
                let next = self.peek_nonspace();
                let node = match next.map(|n| n.tok) {
                    Some(Tok::Char(_) | Tok::Cmd(_)) => Some(self.parse_atom(true)?),
                    _ => None,
                };
                match node {
                    Some(Node::Sym { ch, .. }) if symbols::negated(ch).is_some() => Ok(Node::Sym {
                        ch: symbols::negated(ch).unwrap_or(ch),
                        class: Class::Rel,
                        upright: false,
                    }),
                    _ => Err(self.error(
                        ErrorKind::Unexpected,
                        "\\not must be followed by a relation it can negate, such as = or \\in",
                        span.start..next.map_or(span.end, |n| n.end),
                    )),
                }
            }
            "pmod" => {
                let arg = self.parse_arg(name)?;
                let mut list = vec![
                    Node::Space(Space::Quad),
                    Node::Sym {
                        ch: '(',
                        class: Class::Open,
                        upright: false,
                    },
                    Node::Func {
                        name: "mod".to_owned(),
                        limits: Limits::Never,
                    },
                ];
                list.push(Node::Group(arg));
                list.push(Node::Sym {
                    ch: ')',
                    class: Class::Close,
                    upright: false,
                });
                Ok(Node::Group(list))
            }
            _ => self.parse_named(name, span),
        }
    }

    /// Commands found through the tables: fonts, text, accents, symbols, functions, big
    /// operators; anything else is unknown.
    fn parse_named(&mut self, name: &'a str, span: Range<usize>) -> Result<Node, RenderError> {
        if let Some(font) = symbols::math_font(name) {
            let saved = std::mem::replace(&mut self.font, font);
            let arg = self.parse_arg(name);
            self.font = saved;
            return Ok(Node::Group(arg?));
        }
        if let Some(font) = symbols::text_font(name) {
            return self.parse_text(name, font, span);
        }
        if let Some(accent) = symbols::accent(name) {
            let body = self.parse_arg(name)?;
            return Ok(Node::Accent { accent, body });
        }
        if let Some((ch, class)) = symbols::symbol(name) {
            return Ok(Node::Sym {
                ch: if class == Class::Ord {
                    fonts::map(self.font, ch)
                } else {
                    ch
                },
                class,
                upright: false,
            });
        }
        if let Some((text, limits)) = symbols::function(name) {
            return Ok(Node::Func {
                name: text.to_owned(),
                limits: if limits { Limits::Auto } else { Limits::Never },
            });
        }
        if let Some(op) = symbols::big_op(name) {
            return Ok(Node::BigOp {
                op,
                limits: Limits::Auto,
            });
        }
        // Greek capitals that look like Latin ones have no command in TeX.
        if let Some(latin) = symbols::latin_lookalike(name) {
            return Err(self
                .error(
                    ErrorKind::UnknownCommand,
                    format!("unknown command \\{name}: TeX writes this capital as a Latin letter"),
                    span,
                )
                .with_suggestion(Some(latin.to_string())));
        }
        let suggestion = suggest(name, symbols::all_command_names()).map(|s| format!("\\{s}"));
        Err(self
            .error(
                ErrorKind::UnknownCommand,
                format!("unknown command \\{name}"),
                span,
            )
            .with_suggestion(suggestion))
    }
}

/// The plain text of a list of symbols, for `\operatorname`; false if it holds structure.
fn flatten(list: &[Node], out: &mut String) -> bool {
    for n in list {
        match n {
            Node::Sym { ch, .. } => out.push(*ch),
            Node::Number(s) | Node::Text(s) => out.push_str(s),
            Node::Space(s) if s.columns() > 0 => out.push(' '),
            Node::Space(_) => {}
            Node::Group(g) => {
                if !flatten(g, out) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}
