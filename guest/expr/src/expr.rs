//! The parsed expression: the public face of the syntax tree.

use std::collections::HashSet;
use std::str::FromStr;

use crate::ast::{Node, NodeId, NodeKind};
use crate::data::Data;
use crate::error::{ErrorKind, ExprError, Span};
use crate::program::Program;
use crate::text::Text;
use crate::{compile, lexer, parser};

/// A parsed expression, ready to be compiled against a list of variables.
///
/// ```
/// use toolhost_expr::Expr;
///
/// let expr = Expr::parse("a * x^2 + b")?;
/// assert_eq!(expr.variables(), ["a", "x", "b"]);
/// let program = expr.compile(&["x", "a", "b"])?;
/// assert_eq!(program.eval(&[3.0, 2.0, 1.0]), 19.0);
/// # Ok::<(), toolhost_expr::ExprError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Expr {
    src: String,
    nodes: Vec<Node>,
    root: NodeId,
}

impl Expr {
    /// Parses `src`. Never panics; every malformed input is an
    /// [`ExprError`] with its line and column.
    pub fn parse(src: &str) -> Result<Expr, ExprError> {
        if u32::try_from(src.len()).is_err() {
            return Err(ExprError::at(
                ErrorKind::TooLong,
                "expression is longer than 4 GiB",
                src,
                Span::new(0, 0),
            ));
        }
        let tokens = lexer::tokenize(src)?;
        let parsed = parser::parse(src, tokens)?;
        Ok(Expr {
            src: src.to_owned(),
            nodes: parsed.nodes,
            root: parsed.root,
        })
    }

    /// The source text this expression was parsed from.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// The free variables in order of first appearance, without duplicates
    /// and without the constants (`pi`, `e`, ...). Function names are not
    /// variables: in `gamma(x) * gamma` only the second `gamma` is.
    pub fn variables(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        // Post-order keeps leaves in source order.
        self.var_nodes()
            .map(|n| self.text(n.span))
            .filter(|name| seen.insert(*name))
            .collect()
    }

    /// Compiles against `vars`, which fixes the order of the values passed
    /// to [`Program::eval`] and of the gradient. Names in `vars` that the
    /// expression does not use are fine.
    ///
    /// Errors: a variable of the expression missing from `vars` (with a
    /// suggestion if a known name is close), a constant name in `vars`
    /// ([`ErrorKind::ReservedName`]), a name listed twice, or a name that is
    /// not an identifier.
    pub fn compile<S: AsRef<str>>(&self, vars: &[S]) -> Result<Program, ExprError> {
        compile::compile(self, vars, &Data::new(), &Text::new(), true)
    }

    /// Like [`compile`](Self::compile), with `data` bound as constants:
    /// numbers anywhere, arrays inside reductions (see [`Data`]).
    ///
    /// ```
    /// use toolhost_expr::{Data, Expr};
    ///
    /// let mut data = Data::new();
    /// data.array("y", [0.5, 1.5, 1.0]);
    /// let src = "normal_lpdf(mu, 0, 10) + sum(normal_lpdf(y, mu, 1))";
    /// let program = Expr::parse(src)?.compile_with_data(&["mu"], &data)?;
    /// let mut grad = [0.0];
    /// program.eval_grad(&[1.0], &mut grad, &mut program.scratch());
    /// // d/dmu: -mu/100 + sum(y - mu)
    /// assert!((grad[0] - (-0.01 + 0.0)).abs() < 1e-15);
    /// # Ok::<(), toolhost_expr::ExprError>(())
    /// ```
    ///
    /// Errors, besides those of `compile`: a data name that is also a
    /// variable ([`ErrorKind::DuplicateVariable`]), a reserved or invalid data
    /// name, an array used outside a reduction
    /// ([`ErrorKind::ArrayNotReduced`]), and arrays of different lengths
    /// combined element by element ([`ErrorKind::LengthMismatch`]).
    pub fn compile_with_data<S: AsRef<str>>(
        &self,
        vars: &[S],
        data: &Data,
    ) -> Result<Program, ExprError> {
        compile::compile(self, vars, data, &Text::new(), true)
    }

    /// Like [`compile_with_data`](Self::compile_with_data), with text: the
    /// variables `text` marks hold numbers standing for text, and each quoted
    /// literal stands for the number `text` gives it (see [`Text`]).
    ///
    /// Errors, besides those of `compile_with_data`: a literal without a
    /// value, or text used other than in a comparison with text
    /// ([`ErrorKind::TextMisuse`](crate::ErrorKind::TextMisuse)), and a text
    /// variable missing from `vars`.
    pub fn compile_with_text<S: AsRef<str>>(
        &self,
        vars: &[S],
        data: &Data,
        text: &Text,
    ) -> Result<Program, ExprError> {
        compile::compile(self, vars, data, text, true)
    }

    /// The quoted text literals (without quotes) in order of first
    /// appearance, without duplicates.
    pub fn text_literals(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Text))
            .map(|n| self.literal(n.span))
            .filter(|text| seen.insert(*text))
            .collect()
    }

    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub(crate) fn root(&self) -> NodeId {
        self.root
    }

    pub(crate) fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    /// The value of a text literal: its source without the quotes, which
    /// are single bytes.
    pub(crate) fn literal(&self, span: Span) -> &str {
        self.src.get(span.start + 1..span.end - 1).unwrap_or("")
    }

    fn var_nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Var))
    }
}

impl FromStr for Expr {
    type Err = ExprError;

    fn from_str(src: &str) -> Result<Self, Self::Err> {
        Expr::parse(src)
    }
}
