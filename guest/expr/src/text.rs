//! Text in expressions: which variables hold text, the number each quoted
//! literal stands for, and the check that text is only compared with text.

use crate::ast::{BinaryOp, NodeId, NodeKind};
use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;
use crate::shape::for_each_child;

/// How text takes part in an expression compiled with
/// [`Expr::compile_with_text`](crate::Expr::compile_with_text).
///
/// Every value is still an `f64`: the caller stands each piece of text for a
/// number, both in the values it passes for text variables and here for the
/// quoted literals. Text can only be compared with text (`==`, `!=`, `<`,
/// `<=`, `>`, `>=`), so numbers that keep the order of the strings (their
/// ranks among all strings in play, say) make every comparison mean what it
/// says on the text. Anything else done with text is a
/// [`ErrorKind::TextMisuse`](crate::ErrorKind::TextMisuse) error.
///
/// ```
/// use toolhost_expr::{Data, Expr, Text};
///
/// // Ranks in the sorted list ["Lyon", "Paris"].
/// let mut text = Text::new();
/// text.variable("city").literal("Paris", 1.0);
/// let expr = Expr::parse(r#"city == "Paris" && price > 10"#)?;
/// assert_eq!(expr.text_literals(), ["Paris"]);
/// let program = expr.compile_with_text(&["city", "price"], &Data::new(), &text)?;
/// assert_eq!(program.eval(&[1.0, 12.0]), 1.0);
/// assert_eq!(program.eval(&[0.0, 12.0]), 0.0);
/// # Ok::<(), toolhost_expr::ExprError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    variables: Vec<String>,
    literals: Vec<(String, f64)>,
}

impl Text {
    /// No text: quoted literals are errors, every variable is a number.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks `name`, one of the variables passed to compile, as text.
    pub fn variable(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        if !self.variables.contains(&name) {
            self.variables.push(name);
        }
        self
    }

    /// Stands the literal `text` (without quotes) for `value`, replacing any
    /// earlier value.
    pub fn literal(&mut self, text: impl Into<String>, value: f64) -> &mut Self {
        let text = text.into();
        match self.literals.iter_mut().find(|(t, _)| *t == text) {
            Some(entry) => entry.1 = value,
            None => self.literals.push((text, value)),
        }
        self
    }

    pub(crate) fn is_variable(&self, name: &str) -> bool {
        self.variables.iter().any(|v| v == name)
    }

    pub(crate) fn variables(&self) -> impl Iterator<Item = &str> {
        self.variables.iter().map(String::as_str)
    }

    pub(crate) fn value(&self, literal: &str) -> Option<f64> {
        self.literals
            .iter()
            .find(|(t, _)| t == literal)
            .map(|&(_, v)| v)
    }
}

/// Checks that text is only compared with text and that the result is a
/// number. `text_leaf[id]` says whether leaf node `id` is text.
pub(crate) fn check_usage(expr: &Expr, text_leaf: &[bool]) -> Result<(), ExprError> {
    let nodes = expr.nodes();
    let mut is_text = vec![false; nodes.len()];
    for (id, node) in nodes.iter().enumerate() {
        is_text[id] = text_leaf[id];
        match &node.kind {
            NodeKind::Binary(
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge,
                l,
                r,
            ) => {
                let (left, right) = (is_text[*l as usize], is_text[*r as usize]);
                if left != right {
                    let side = if left { "left" } else { "right" };
                    let op = expr.text(node.span);
                    return Err(ExprError::at(
                        ErrorKind::TextMisuse,
                        format!(
                            "'{op}' compares text with a number (the {side} side is text): \
                             compare text with text, e.g. name {op} \"some text\""
                        ),
                        expr.source(),
                        node.span,
                    ));
                }
            }
            _ => {
                let mut text_child = None;
                for_each_child(node, |c| {
                    if is_text[c as usize] && text_child.is_none() {
                        text_child = Some(c);
                    }
                });
                if let Some(c) = text_child {
                    return Err(misuse(expr, c, "can only be compared with other text"));
                }
            }
        }
    }
    let root = expr.root();
    if is_text[root as usize] {
        return Err(misuse(
            expr,
            root,
            "is not a number: compare it with other text to make a condition",
        ));
    }
    Ok(())
}

fn misuse(expr: &Expr, id: NodeId, why: &str) -> ExprError {
    let node = &expr.nodes()[id as usize];
    let what = match node.kind {
        NodeKind::Text => format!("text {}", expr.text(node.span)),
        _ => format!("'{}' is text and", expr.text(node.span)),
    };
    ExprError::at(
        ErrorKind::TextMisuse,
        format!("{what} {why} (==, !=, <, <=, >, >=)"),
        expr.source(),
        node.span,
    )
}
