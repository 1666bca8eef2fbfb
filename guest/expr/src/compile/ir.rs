//! The intermediate form compiling builds before the tape is laid out:
//! operations on constants, leaves and earlier results, emitted by builders
//! that fold constants as they go, and the bodies of reductions.

use std::collections::HashMap;

use crate::ast::NodeId;
use crate::dist::Dist;
use crate::elementary::{Bin, Un, truthy};
use crate::functions::{Function, Lower};
use crate::program::Reduction;

/// An operand while building: constants stay inline so they can be folded
/// or become immediates; temporaries index the unoptimized op list.
#[derive(Clone, Copy, Debug)]
pub(super) enum Val {
    Const(f64),
    /// A leaf: a variable of the program or, inside a reduction body, a
    /// number computed outside it or an element of a data array.
    Var(u32),
    Temp(u32),
}

#[derive(Clone, Copy, Debug)]
pub(super) enum IrOp {
    Un(Un, Val),
    Bin(Bin, Val, Val),
    Select(Val, Val, Val),
    /// Two-operand kinds carry an unused constant third operand.
    Dist(Dist, [Val; 3]),
    /// The sum over body `i`; its operands are that body's inputs.
    Reduce(u32),
}

impl IrOp {
    pub(super) fn operands(self) -> impl Iterator<Item = Val> {
        match self {
            IrOp::Un(_, a) => [Some(a), None, None],
            IrOp::Bin(_, a, b) => [Some(a), Some(b), None],
            IrOp::Select(c, a, b) | IrOp::Dist(_, [c, a, b]) => [Some(c), Some(a), Some(b)],
            IrOp::Reduce(_) => [None, None, None],
        }
        .into_iter()
        .flatten()
    }
}

pub(super) struct Builder {
    pub(super) ops: Vec<IrOp>,
    /// The syntax node each op came from, for error messages.
    pub(super) origin: Vec<NodeId>,
    /// Per op: whether its value depends on the program's variables.
    varying: Vec<bool>,
    /// Per leaf: the same.
    leaf_varying: Vec<bool>,
    pub(super) fold: bool,
}

impl Builder {
    pub(super) fn new(fold: bool, leaf_varying: Vec<bool>) -> Self {
        Builder {
            ops: Vec::new(),
            origin: Vec::new(),
            varying: Vec::new(),
            leaf_varying,
            fold,
        }
    }

    pub(super) fn varies(&self, v: Val) -> bool {
        match v {
            Val::Const(_) => false,
            Val::Var(i) => self.leaf_varying[i as usize],
            Val::Temp(t) => self.varying[t as usize],
        }
    }

    fn emit(&mut self, op: IrOp, node: NodeId) -> Val {
        let varying = op.operands().any(|v| self.varies(v));
        self.emit_varying(op, node, varying)
    }

    pub(super) fn emit_varying(&mut self, op: IrOp, node: NodeId, varying: bool) -> Val {
        // Truncation is caught in `lower`, which rejects op counts above u32.
        let t = self.ops.len() as u32;
        self.ops.push(op);
        self.origin.push(node);
        self.varying.push(varying);
        Val::Temp(t)
    }

    /// Step-like operations only spoil the gradient where the operand they
    /// step on depends on the variables; on constants and data they are
    /// harmless.
    pub(super) fn is_smooth(&self, op: IrOp) -> bool {
        match op {
            IrOp::Un(f, a) => f.is_smooth() || !self.varies(a),
            IrOp::Bin(f, a, b) => f.is_smooth() || !(self.varies(a) || self.varies(b)),
            IrOp::Select(c, _, _) => !self.varies(c),
            IrOp::Dist(d, args) => args
                .iter()
                .enumerate()
                .all(|(i, &v)| !d.is_count(i) || !self.varies(v)),
            IrOp::Reduce(_) => true,
        }
    }

    /// Continuous operations with a corner (`abs`, `min`, `max`, so also
    /// `clamp`) where an operand depends on the variables: the gradient
    /// exists almost everywhere but jumps.
    pub(super) fn is_kinked(&self, op: IrOp) -> bool {
        match op {
            IrOp::Un(f, a) => f.is_kinked() && self.varies(a),
            IrOp::Bin(f, a, b) => f.is_kinked() && (self.varies(a) || self.varies(b)),
            _ => false,
        }
    }

    // Folding runs the very same eval code as the tape, so it cannot change
    // a result.
    pub(super) fn un(&mut self, f: Un, a: Val, node: NodeId) -> Val {
        match a {
            Val::Const(x) if self.fold => Val::Const(f.eval(x)),
            _ => self.emit(IrOp::Un(f, a), node),
        }
    }

    pub(super) fn bin(&mut self, f: Bin, a: Val, b: Val, node: NodeId) -> Val {
        match (a, b) {
            (Val::Const(x), Val::Const(y)) if self.fold => Val::Const(f.eval(x, y)),
            _ => self.emit(IrOp::Bin(f, a, b), node),
        }
    }

    pub(super) fn pow(&mut self, a: Val, b: Val, node: NodeId) -> Val {
        // x*x is both faster than pow and correctly rounded.
        match b {
            Val::Const(2.0) => self.un(Un::Square, a, node),
            _ => self.bin(Bin::Pow, a, b, node),
        }
    }

    fn select(&mut self, c: Val, a: Val, b: Val, node: NodeId) -> Val {
        match c {
            // The untaken branch's ops become dead and are dropped later.
            Val::Const(c) if self.fold => {
                if truthy(c) {
                    a
                } else {
                    b
                }
            }
            _ => self.emit(IrOp::Select(c, a, b), node),
        }
    }

    fn dist(&mut self, d: Dist, args: [Val; 3], node: NodeId) -> Val {
        match args {
            [Val::Const(a), Val::Const(b), Val::Const(c)] if self.fold => {
                Val::Const(d.eval(a, b, c))
            }
            _ => self.emit(IrOp::Dist(d, args), node),
        }
    }

    pub(super) fn call(&mut self, f: &Function, args: &[Val], node: NodeId) -> Option<Val> {
        Some(match (f.lower, args) {
            (Lower::Un(op), &[a]) => self.un(op, a, node),
            (Lower::Bin(Bin::Pow), &[a, b]) => self.pow(a, b, node),
            (Lower::Bin(op), &[a, b]) => self.bin(op, a, b, node),
            (Lower::Log, &[x]) => self.un(Un::Ln, x, node),
            (Lower::Log, &[x, base]) => self.bin(Bin::Log, x, base, node),
            (Lower::Fold(op), &[first, ref rest @ ..]) => rest
                .iter()
                .fold(first, |acc, &v| self.bin(op, acc, v, node)),
            (Lower::Clamp, &[x, lo, hi]) => {
                let low = self.bin(Bin::Max, x, lo, node);
                self.bin(Bin::Min, low, hi, node)
            }
            (Lower::If, &[c, a, b]) => self.select(c, a, b, node),
            (Lower::Dist(d), &[a, b]) => self.dist(d, [a, b, Val::Const(0.0)], node),
            (Lower::Dist(d), &[a, b, c]) => self.dist(d, [a, b, c], node),
            (Lower::StudentT, &[x, nu, mu, sigma]) => {
                let centred = self.bin(Bin::Sub, x, mu, node);
                let z = self.bin(Bin::Div, centred, sigma, node);
                self.dist(Dist::StudentT, [z, nu, sigma], node)
            }
            _ => return None,
        })
    }
}

/// A leaf of a reduction body.
#[derive(Clone, Copy, Debug)]
pub(super) enum Leaf {
    /// A number computed outside the loop.
    Input(Val),
    /// The current element of data array `i`.
    Column(u32),
}

/// A reduction body under construction.
pub(super) struct BodyBuilder {
    pub(super) b: Builder,
    pub(super) leaves: Vec<Leaf>,
    /// Outer values already imported, keyed by (is temp, index).
    imported: HashMap<(bool, u32), Val>,
    columns: HashMap<u32, Val>,
    pub(super) len: usize,
}

impl BodyBuilder {
    pub(super) fn new(len: usize, fold: bool) -> Self {
        BodyBuilder {
            b: Builder::new(fold, Vec::new()),
            leaves: Vec::new(),
            imported: HashMap::new(),
            columns: HashMap::new(),
            len,
        }
    }

    /// The body's handle on a number computed outside it.
    pub(super) fn import(&mut self, v: Val, outer: &Builder) -> Val {
        let key = match v {
            Val::Const(_) => return v,
            Val::Var(i) => (false, i),
            Val::Temp(t) => (true, t),
        };
        if let Some(&leaf) = self.imported.get(&key) {
            return leaf;
        }
        let leaf = self.leaf(Leaf::Input(v), outer.varies(v));
        self.imported.insert(key, leaf);
        leaf
    }

    pub(super) fn column(&mut self, array: u32) -> Val {
        if let Some(&leaf) = self.columns.get(&array) {
            return leaf;
        }
        let leaf = self.leaf(Leaf::Column(array), false);
        self.columns.insert(array, leaf);
        leaf
    }

    fn leaf(&mut self, leaf: Leaf, varying: bool) -> Val {
        // At most one leaf per syntax node, and the parser caps those at u32.
        let i = self.leaves.len() as u32;
        self.leaves.push(leaf);
        self.b.leaf_varying.push(varying);
        Val::Var(i)
    }
}

/// A finished reduction body, waiting for the outer tape to place it.
pub(super) struct Body {
    /// Outer values read by the body, in body slot order.
    pub(super) inputs: Vec<Val>,
    pub(super) reduction: Reduction,
    pub(super) rough: Option<Rough>,
    pub(super) kinked: bool,
}

/// The first operation that is not smooth, for [`Program::check_smooth`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Rough {
    pub(super) node: NodeId,
    pub(super) op: IrOp,
}

impl Rough {
    /// Keeps the one earliest in the source: ops are emitted in node order.
    pub(super) fn earliest(a: Option<Rough>, b: Option<Rough>) -> Option<Rough> {
        match (a, b) {
            (Some(x), Some(y)) => Some(if y.node < x.node { y } else { x }),
            (x, y) => x.or(y),
        }
    }
}
