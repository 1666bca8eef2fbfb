//! `\begin{...} ... \end{...}`: matrices, cases, aligned and gathered, read as rows of
//! cells.

use super::{Ended, Parser, Stop};
use crate::ast::{Env, Matrix, Node};
use crate::error::{ErrorKind, RenderError, suggest};
use crate::lexer::{Tok, Token};
use std::ops::Range;

impl Parser<'_> {
    /// `{name}` after `\begin` or `\end`, as written.
    fn parse_env_name(
        &mut self,
        cmd: &str,
        cmd_span: &Range<usize>,
    ) -> Result<(String, Range<usize>), RenderError> {
        let missing = |p: &Self, span: Range<usize>| {
            p.error(
                ErrorKind::MissingArgument,
                format!("\\{cmd} needs an environment name in braces, as in \\{cmd}{{pmatrix}}"),
                span,
            )
        };
        match self.peek_nonspace() {
            Some(t) if t.tok == Tok::Open => self.pos += 1,
            Some(t) => return Err(missing(self, t.span())),
            None => return Err(missing(self, cmd_span.start..self.src.len())),
        }
        let start = self.peek().map_or(self.src.len(), |t| t.start);
        let mut name = String::new();
        loop {
            match self.peek() {
                Some(t) if t.tok == Tok::Close => {
                    self.pos += 1;
                    return Ok((name, start..t.start));
                }
                Some(Token {
                    tok: Tok::Char(c), ..
                }) if c.is_ascii_alphabetic() || c == '*' => {
                    name.push(c);
                    self.pos += 1;
                }
                Some(t) => return Err(missing(self, t.span())),
                None => return Err(missing(self, cmd_span.start..self.src.len())),
            }
        }
    }

    pub(super) fn parse_environment(&mut self, span: Range<usize>) -> Result<Node, RenderError> {
        let (name, name_span) = self.parse_env_name("begin", &span)?;
        let Some(env) = Env::from_name(&name) else {
            let suggestion = suggest(&name, Env::NAMES).map(str::to_owned);
            return Err(self
                .error(
                    ErrorKind::UnknownEnvironment,
                    format!(
                        "unknown environment `{name}`; supported: {}",
                        Env::NAMES.join(", ")
                    ),
                    name_span,
                )
                .with_suggestion(suggestion));
        };
        let open = span.start..name_span.end + 1;
        let mut rows: Vec<Vec<Vec<Node>>> = Vec::new();
        let mut row = Vec::new();
        loop {
            let (cell, ended) = self.parse_list(Stop::Cell, open.clone())?;
            row.push(cell);
            match ended {
                Ended::Amp => {}
                Ended::Row => rows.push(std::mem::take(&mut row)),
                _ => {
                    // `\end`: a last row of one empty cell is the usual trailing `\\`.
                    if !(row.len() == 1 && row[0].is_empty() && !rows.is_empty()) {
                        rows.push(row);
                    }
                    let end = self.peek().expect("the list stopped at \\end");
                    self.pos += 1;
                    let (end_name, end_span) = self.parse_env_name("end", &end.span())?;
                    if end_name != name {
                        return Err(self.error(
                            ErrorKind::UnbalancedEnvironment,
                            format!("\\end{{{end_name}}} does not match \\begin{{{name}}}"),
                            end_span,
                        ));
                    }
                    return Ok(Node::Matrix(Box::new(Matrix { env, rows })));
                }
            }
        }
    }
}
