//! The parsed syntax tree, stored flat.
//!
//! Nodes live in one vector and refer to their children by index. The parser
//! pushes children before their parent, so the vector is already in
//! evaluation (post-)order: every later pass is a loop rather than a
//! recursion, and dropping a tree of any depth cannot overflow the stack.

use crate::error::Span;
use crate::functions::Function;

pub(crate) type NodeId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Neg,
    Plus,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    /// A literal or a named constant such as `pi`.
    Num(f64),
    /// A free variable; its name is the source text of the node's span.
    Var,
    /// Quoted text; its value is the source text of the span without the
    /// quotes.
    Text,
    Unary(UnaryOp, NodeId),
    Binary(BinaryOp, NodeId, NodeId),
    Call(&'static Function, Vec<NodeId>),
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    /// The token that anchors error messages: the literal, the name, the
    /// operator, or the function name of a call.
    pub span: Span,
}
