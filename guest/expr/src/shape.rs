//! Which nodes hold arrays, and which reduction each of them feeds.
//!
//! An expression is array-valued when it reads a data array, except through
//! a reduction (`sum`, `mean`, `len`), which turns it back into a number.
//! Every array-valued node is computed once per element inside the body of
//! its nearest enclosing reduction; every other node is computed once, outside
//! all loops, however deep inside a reduction it appears.

use crate::ast::{Node, NodeId, NodeKind};
use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;

/// What a name in the expression is bound to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Binding {
    /// The i-th variable.
    Var(u32),
    /// A data number: a constant.
    Number(f64),
    /// The i-th data array.
    Array(u32),
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct ArrayShape {
    pub len: usize,
    /// The data name that made the node an array, for messages.
    pub origin: NodeId,
}

pub(crate) struct Shapes {
    /// Per node: its array shape, or `None` for a number.
    pub array: Vec<Option<ArrayShape>>,
    /// Per node: the reduction call whose body computes it (meaningful for
    /// array-valued nodes only).
    pub owner: Vec<Option<NodeId>>,
}

/// Calls `f` on each child of `node`, in argument order.
pub(crate) fn for_each_child(node: &Node, mut f: impl FnMut(NodeId)) {
    match &node.kind {
        NodeKind::Num(_) | NodeKind::Var | NodeKind::Text => {}
        NodeKind::Unary(_, a) => f(*a),
        NodeKind::Binary(_, l, r) => {
            f(*l);
            f(*r);
        }
        NodeKind::Call(_, args) => args.iter().for_each(|&c| f(c)),
    }
}

fn is_reduction(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Call(f, _) if f.lower.is_reduction())
}

/// Computes shapes and owners. `bindings[id]` is the binding of variable
/// node `id`; `array_len[i]` the length of data array `i`.
pub(crate) fn analyse(
    expr: &Expr,
    bindings: &[Option<Binding>],
    array_len: &[usize],
) -> Result<Shapes, ExprError> {
    let nodes = expr.nodes();
    let mut array: Vec<Option<ArrayShape>> = Vec::with_capacity(nodes.len());
    for (id, node) in nodes.iter().enumerate() {
        let shape = match &node.kind {
            NodeKind::Var => match bindings.get(id).copied().flatten() {
                Some(Binding::Array(i)) => Some(ArrayShape {
                    len: array_len[i as usize],
                    origin: id as NodeId,
                }),
                _ => None,
            },
            _ if is_reduction(node) => None,
            _ => {
                let mut merged: Option<ArrayShape> = None;
                let mut mismatch = None;
                for_each_child(node, |c| {
                    let Some(s) = array[c as usize] else { return };
                    match merged {
                        None => merged = Some(s),
                        Some(m) if m.len != s.len && mismatch.is_none() => mismatch = Some((m, s)),
                        Some(_) => {}
                    }
                });
                if let Some((first, second)) = mismatch {
                    return Err(length_mismatch(expr, first, second));
                }
                merged
            }
        };
        array.push(shape);
    }
    if let Some(s) = array[expr.root() as usize] {
        return Err(not_reduced(expr, s));
    }

    // Parents follow their children, so a reverse walk sees every parent's
    // owner before its children need it.
    let mut owner: Vec<Option<NodeId>> = vec![None; nodes.len()];
    for id in (0..nodes.len()).rev() {
        let node = &nodes[id];
        let inherited = if is_reduction(node) {
            Some(id as NodeId)
        } else {
            owner[id]
        };
        for_each_child(node, |c| owner[c as usize] = inherited);
    }
    Ok(Shapes { array, owner })
}

fn length_mismatch(expr: &Expr, first: ArrayShape, second: ArrayShape) -> ExprError {
    let name = |s: ArrayShape| expr.text(expr.nodes()[s.origin as usize].span).to_owned();
    ExprError::at(
        ErrorKind::LengthMismatch,
        format!(
            "'{}' has {} elements but '{}' has {}: arrays combined element by element must have the same length",
            name(second),
            second.len,
            name(first),
            first.len
        ),
        expr.source(),
        expr.nodes()[second.origin as usize].span,
    )
}

fn not_reduced(expr: &Expr, s: ArrayShape) -> ExprError {
    let span = expr.nodes()[s.origin as usize].span;
    ExprError::at(
        ErrorKind::ArrayNotReduced,
        format!(
            "'{}' is a data array ({} elements) used outside a reduction: wrap the expression that uses it in sum(...) or mean(...)",
            expr.text(span),
            s.len
        ),
        expr.source(),
        span,
    )
}
