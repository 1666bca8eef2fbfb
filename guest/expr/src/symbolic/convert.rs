//! From the parsed syntax tree to symbolic form.
//!
//! The syntax tree is stored in post-order, so one forward loop converts it
//! without recursion. Chains of `+`/`-` and of `*`/`/` become one n-ary sum
//! or product, built once: `1 + 1 + ... + 1` with many terms costs one
//! collection, not one per `+`.

use super::arena::Arena;
use super::node::{Constant, Func, Id, Node};
use super::number::Number;
use crate::ast::{BinaryOp, NodeId, NodeKind, UnaryOp};
use crate::elementary::{Bin, Un};
use crate::error::ExprError;
use crate::expr::Expr;
use crate::functions::Lower;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    Sum,
    Product,
}

fn chain(kind: &NodeKind) -> Option<Chain> {
    match kind {
        NodeKind::Binary(BinaryOp::Add | BinaryOp::Sub, ..) => Some(Chain::Sum),
        NodeKind::Binary(BinaryOp::Mul | BinaryOp::Div, ..) => Some(Chain::Product),
        _ => None,
    }
}

/// Converts `expr` into `arena`. With `record_origin`, each node remembers
/// the source text it came from, for later error messages.
pub(crate) fn convert(
    arena: &mut Arena,
    expr: &Expr,
    record_origin: bool,
) -> Result<Id, ExprError> {
    let nodes = expr.nodes();
    // A chain node whose parent continues the same chain is built by that
    // parent.
    let mut inner = vec![false; nodes.len()];
    for node in nodes {
        if let Some(c) = chain(&node.kind)
            && let NodeKind::Binary(_, l, r) = node.kind
        {
            for child in [l, r] {
                if chain(&nodes[child as usize].kind) == Some(c) {
                    inner[child as usize] = true;
                }
            }
        }
    }
    let mut value: Vec<Id> = vec![0; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        if inner[i] {
            continue;
        }
        let v = |id: &NodeId| value[*id as usize];
        let id = match &node.kind {
            NodeKind::Num(x) => match Constant::from_name(expr.text(node.span)) {
                Some(c) => arena.constant(c),
                None => arena.num(Number::float(*x)),
            },
            NodeKind::Var => arena.var(expr.text(node.span)),
            NodeKind::Text => {
                let quoted = expr.text(node.span);
                let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
                arena.intern(Node::Text(inner.into()))
            }
            NodeKind::Unary(op, a) => {
                let a = v(a);
                match op {
                    UnaryOp::Neg => arena.neg(a),
                    UnaryOp::Plus => a,
                    UnaryOp::Not => arena.call(Func::Un(Un::Not), &[a]),
                }
            }
            NodeKind::Binary(BinaryOp::Add | BinaryOp::Sub, ..) => {
                let terms = gather(expr, i as NodeId, Chain::Sum, &value, arena);
                arena.add(&terms)
            }
            NodeKind::Binary(BinaryOp::Mul | BinaryOp::Div, ..) => {
                let factors = gather(expr, i as NodeId, Chain::Product, &value, arena);
                arena.mul(&factors)
            }
            NodeKind::Binary(BinaryOp::Pow, a, b) => arena.pow(v(a), v(b)),
            NodeKind::Binary(op, a, b) => arena.call(Func::Bin(Bin::of(*op)), &[v(a), v(b)]),
            NodeKind::Call(function, args) => {
                let args: Vec<Id> = args.iter().map(v).collect();
                call(arena, function.lower, &args)
            }
        };
        if record_origin {
            arena.set_origin(id, node.span);
        }
        value[i] = id;
    }
    Ok(value[expr.root() as usize])
}

/// The operands of the chain of `kind` rooted at `top`, each negated or
/// inverted as its place in the chain says: `a - (b - c)` gives `a`, `-b`,
/// `c`.
fn gather(expr: &Expr, top: NodeId, kind: Chain, value: &[Id], arena: &mut Arena) -> Vec<Id> {
    let nodes = expr.nodes();
    let mut out = Vec::new();
    let mut stack = vec![(top, false)];
    while let Some((id, flip)) = stack.pop() {
        let node = &nodes[id as usize];
        match (&node.kind, kind) {
            (NodeKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), l, r), Chain::Sum)
            | (NodeKind::Binary(op @ (BinaryOp::Mul | BinaryOp::Div), l, r), Chain::Product) => {
                let flip_right = flip ^ matches!(op, BinaryOp::Sub | BinaryOp::Div);
                // Right first, so the left operand pops first.
                stack.push((*r, flip_right));
                stack.push((*l, flip));
            }
            _ => {
                let v = value[id as usize];
                out.push(match (flip, kind) {
                    (false, _) => v,
                    (true, Chain::Sum) => arena.neg(v),
                    (true, Chain::Product) => arena.recip(v),
                });
            }
        }
    }
    out
}

fn call(arena: &mut Arena, lower: Lower, args: &[Id]) -> Id {
    match (lower, args) {
        (Lower::Un(Un::Sqrt), &[a]) => {
            let half = arena.num(Number::HALF);
            arena.pow(a, half)
        }
        (Lower::Un(op), &[a]) => arena.call(Func::Un(op), &[a]),
        (Lower::Bin(Bin::Pow), &[a, b]) => arena.pow(a, b),
        (Lower::Bin(op), &[a, b]) => arena.call(Func::Bin(op), &[a, b]),
        (Lower::Log, &[a]) => arena.call(Func::Un(Un::Ln), &[a]),
        (Lower::Log, &[a, base]) => {
            let ln_a = arena.call(Func::Un(Un::Ln), &[a]);
            let ln_base = arena.call(Func::Un(Un::Ln), &[base]);
            arena.div(ln_a, ln_base)
        }
        (Lower::Fold(Bin::Max), _) => arena.call(Func::Max, args),
        (Lower::Fold(_), _) => arena.call(Func::Min, args),
        (Lower::Clamp, _) => arena.call(Func::Clamp, args),
        (Lower::If, _) => arena.call(Func::If, args),
        (Lower::Dist(d), _) => arena.call(Func::Dist(d), args),
        (Lower::StudentT, _) => arena.call(Func::StudentT, args),
        (Lower::Sum, _) => arena.call(Func::Sum, args),
        (Lower::Mean, _) => arena.call(Func::Mean, args),
        // The parser checked every arity, so only len is left.
        _ => arena.call(Func::Len, args),
    }
}
