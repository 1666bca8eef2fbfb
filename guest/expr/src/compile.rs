//! Compilation of an [`Expr`] to a [`Program`]: binding names, lowering the
//! syntax tree to elementary operations with constant folding, building the
//! bodies of reductions, and laying out the final tapes.

use std::collections::HashMap;

use crate::ast::{BinaryOp, Node, NodeId, NodeKind, UnaryOp};
use crate::data::{Data, Datum};
use crate::dist::Dist;
use crate::error::{ErrorKind, ExprError, Span, suggest};
use crate::expr::Expr;
use crate::functions::{self, Bin, CONSTANTS, Function, Lower, Un, truthy};
use crate::program::{Op, Program, Reduction};
use crate::shape::{self, Binding};
use crate::text::{self, Text};

/// An operand while building: constants stay inline so they can be folded
/// or become immediates; temporaries index the unoptimized op list.
#[derive(Clone, Copy, Debug)]
enum Val {
    Const(f64),
    /// A leaf: a variable of the program or, inside a reduction body, a
    /// number computed outside it or an element of a data array.
    Var(u32),
    Temp(u32),
}

#[derive(Clone, Copy, Debug)]
enum IrOp {
    Un(Un, Val),
    Bin(Bin, Val, Val),
    Select(Val, Val, Val),
    /// Two-operand kinds carry an unused constant third operand.
    Dist(Dist, [Val; 3]),
    /// The sum over body `i`; its operands are that body's inputs.
    Reduce(u32),
}

impl IrOp {
    fn operands(self) -> impl Iterator<Item = Val> {
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

struct Builder {
    ops: Vec<IrOp>,
    /// The syntax node each op came from, for error messages.
    origin: Vec<NodeId>,
    /// Per op: whether its value depends on the program's variables.
    varying: Vec<bool>,
    /// Per leaf: the same.
    leaf_varying: Vec<bool>,
    fold: bool,
}

impl Builder {
    fn new(fold: bool, leaf_varying: Vec<bool>) -> Self {
        Builder {
            ops: Vec::new(),
            origin: Vec::new(),
            varying: Vec::new(),
            leaf_varying,
            fold,
        }
    }

    fn varies(&self, v: Val) -> bool {
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

    fn emit_varying(&mut self, op: IrOp, node: NodeId, varying: bool) -> Val {
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
    fn is_smooth(&self, op: IrOp) -> bool {
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

    // Folding runs the very same eval code as the tape, so it cannot change
    // a result.
    fn un(&mut self, f: Un, a: Val, node: NodeId) -> Val {
        match a {
            Val::Const(x) if self.fold => Val::Const(f.eval(x)),
            _ => self.emit(IrOp::Un(f, a), node),
        }
    }

    fn bin(&mut self, f: Bin, a: Val, b: Val, node: NodeId) -> Val {
        match (a, b) {
            (Val::Const(x), Val::Const(y)) if self.fold => Val::Const(f.eval(x, y)),
            _ => self.emit(IrOp::Bin(f, a, b), node),
        }
    }

    fn pow(&mut self, a: Val, b: Val, node: NodeId) -> Val {
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

    fn call(&mut self, f: &Function, args: &[Val], node: NodeId) -> Option<Val> {
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
enum Leaf {
    /// A number computed outside the loop.
    Input(Val),
    /// The current element of data array `i`.
    Column(u32),
}

/// A reduction body under construction.
struct BodyBuilder {
    b: Builder,
    leaves: Vec<Leaf>,
    /// Outer values already imported, keyed by (is temp, index).
    imported: HashMap<(bool, u32), Val>,
    columns: HashMap<u32, Val>,
    len: usize,
}

impl BodyBuilder {
    fn new(len: usize, fold: bool) -> Self {
        BodyBuilder {
            b: Builder::new(fold, Vec::new()),
            leaves: Vec::new(),
            imported: HashMap::new(),
            columns: HashMap::new(),
            len,
        }
    }

    /// The body's handle on a number computed outside it.
    fn import(&mut self, v: Val, outer: &Builder) -> Val {
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

    fn column(&mut self, array: u32) -> Val {
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
struct Body {
    /// Outer values read by the body, in body slot order.
    inputs: Vec<Val>,
    reduction: Reduction,
    rough: Option<Rough>,
}

/// The first operation that is not smooth, for [`Program::check_smooth`].
#[derive(Clone, Copy, Debug)]
struct Rough {
    node: NodeId,
    op: IrOp,
}

impl Rough {
    /// Keeps the one earliest in the source: ops are emitted in node order.
    fn earliest(a: Option<Rough>, b: Option<Rough>) -> Option<Rough> {
        match (a, b) {
            (Some(x), Some(y)) => Some(if y.node < x.node { y } else { x }),
            (x, y) => x.or(y),
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn too_large() -> ExprError {
    ExprError::unlocated(ErrorKind::TooLong, "expression is too large to compile")
}

/// Checks a name given to `compile`; `role` is "variable" or "data".
fn check_name(expr: &Expr, name: &str, role: &str) -> Result<(), ExprError> {
    if functions::constant(name).is_some() {
        let msg = format!("'{name}' is a reserved constant and cannot be a {role} name");
        // Point at a use of the constant if there is one.
        let used = expr
            .nodes()
            .iter()
            .find(|n| matches!(n.kind, NodeKind::Num(_)) && expr.text(n.span) == name);
        return Err(match used {
            Some(n) => ExprError::at(ErrorKind::ReservedName, msg, expr.source(), n.span),
            None => ExprError::unlocated(ErrorKind::ReservedName, msg),
        });
    }
    if !is_identifier(name) {
        return Err(ExprError::unlocated(
            ErrorKind::InvalidVariableName,
            format!(
                "'{name}' is not a valid {role} name (use letters, digits and '_', not starting with a digit)"
            ),
        ));
    }
    Ok(())
}

/// Every name the expression may use, and the data arrays by index.
struct Names<'a> {
    index: HashMap<&'a str, Binding>,
    arrays: Vec<&'a [f64]>,
}

fn bind<'a, S: AsRef<str>>(
    expr: &Expr,
    vars: &'a [S],
    data: &'a Data,
) -> Result<Names<'a>, ExprError> {
    let mut index: HashMap<&str, Binding> = HashMap::with_capacity(vars.len() + data.len());
    for (i, name) in vars.iter().enumerate() {
        let name = name.as_ref();
        check_name(expr, name, "variable")?;
        let i = u32::try_from(i).map_err(|_| too_large())?;
        if index.insert(name, Binding::Var(i)).is_some() {
            return Err(ExprError::unlocated(
                ErrorKind::DuplicateVariable,
                format!("variable '{name}' is listed more than once"),
            ));
        }
    }
    let mut arrays = Vec::new();
    for (name, datum) in data.entries() {
        let name = name.as_str();
        check_name(expr, name, "data")?;
        let binding = match datum {
            Datum::Number(x) => Binding::Number(*x),
            Datum::Array(xs) => {
                arrays.push(xs.as_slice());
                Binding::Array(u32::try_from(arrays.len() - 1).map_err(|_| too_large())?)
            }
        };
        if index.insert(name, binding).is_some() {
            return Err(ExprError::unlocated(
                ErrorKind::DuplicateVariable,
                format!("'{name}' is both a variable and a data name"),
            ));
        }
    }
    Ok(Names { index, arrays })
}

pub(crate) fn compile<S: AsRef<str>>(
    expr: &Expr,
    vars: &[S],
    data: &Data,
    text: &Text,
    fold: bool,
) -> Result<Program, ExprError> {
    let names = bind(expr, vars, data)?;
    for name in text.variables() {
        if !vars.iter().any(|v| v.as_ref() == name) {
            return Err(ExprError::unlocated(
                ErrorKind::UnknownVariable,
                format!("text variable '{name}' is not one of the variables"),
            ));
        }
    }
    let nodes = expr.nodes();

    // Resolve every name first so that the leftmost unknown one is reported.
    // Text literals become the numbers that stand for them.
    let mut bindings: Vec<Option<Binding>> = vec![None; nodes.len()];
    let mut text_leaf = vec![false; nodes.len()];
    for (id, node) in nodes.iter().enumerate() {
        match node.kind {
            NodeKind::Var => {
                let name = expr.text(node.span);
                match names.index.get(name) {
                    Some(&b) => bindings[id] = Some(b),
                    None => return Err(unknown_variable(expr, node.span, name, vars, data)),
                }
                text_leaf[id] = text.is_variable(name);
            }
            NodeKind::Text => {
                let literal = expr.literal(node.span);
                let Some(value) = text.value(literal) else {
                    return Err(unbound_text(expr, node.span, text));
                };
                bindings[id] = Some(Binding::Number(value));
                text_leaf[id] = true;
            }
            _ => {}
        }
    }
    text::check_usage(expr, &text_leaf)?;
    let lens: Vec<usize> = names.arrays.iter().map(|a| a.len()).collect();
    let shapes = shape::analyse(expr, &bindings, &lens)?;

    let mut outer = Builder::new(fold, vec![true; vars.len()]);
    // Bodies being built, keyed by their reduction's call node.
    let mut open: HashMap<NodeId, BodyBuilder> = HashMap::new();
    let mut bodies: Vec<Option<Body>> = Vec::new();
    let mut vals: Vec<Val> = Vec::with_capacity(nodes.len());
    let mut args: Vec<Val> = Vec::new();
    // Children precede parents in `nodes`, so one pass suffices.
    for (id, node) in nodes.iter().enumerate() {
        let id = id as NodeId; // the parser caps node count at u32
        args.clear();
        let val = if let Some(shape) = shapes.array[id as usize] {
            let Some(owner) = shapes.owner[id as usize] else {
                return Err(unreduced(expr, node));
            };
            let body = open
                .entry(owner)
                .or_insert_with(|| BodyBuilder::new(shape.len, fold));
            shape::for_each_child(node, |c| {
                let v = vals[c as usize];
                args.push(match shapes.array[c as usize] {
                    Some(_) => v,
                    None => body.import(v, &outer),
                });
            });
            match bindings[id as usize] {
                Some(Binding::Array(a)) => body.column(a),
                _ => lower_node(&mut body.b, expr, node, id, &args)?,
            }
        } else {
            shape::for_each_child(node, |c| args.push(vals[c as usize]));
            match (&node.kind, bindings[id as usize]) {
                (NodeKind::Var, Some(Binding::Var(i))) => Val::Var(i),
                (NodeKind::Var | NodeKind::Text, Some(Binding::Number(x))) => Val::Const(x),
                (NodeKind::Call(f, arg_ids), _) if f.lower.is_reduction() => {
                    let arg = arg_ids.first().copied().unwrap_or(id);
                    if shapes.array[arg as usize].is_none() {
                        // A number is a single element.
                        match f.lower {
                            Lower::Len => Val::Const(1.0),
                            _ => args.first().copied().unwrap_or(Val::Const(f64::NAN)),
                        }
                    } else {
                        let Some(body) = open.remove(&id) else {
                            return Err(unreduced(expr, node));
                        };
                        let len = Val::Const(body.len as f64);
                        match f.lower {
                            Lower::Len => len,
                            Lower::Mean => {
                                let total = reduce(
                                    &mut outer,
                                    &mut bodies,
                                    body,
                                    vals[arg as usize],
                                    id,
                                    &names.arrays,
                                )?;
                                outer.bin(Bin::Div, total, len, id)
                            }
                            _ => reduce(
                                &mut outer,
                                &mut bodies,
                                body,
                                vals[arg as usize],
                                id,
                                &names.arrays,
                            )?,
                        }
                    }
                }
                _ => lower_node(&mut outer, expr, node, id, &args)?,
            }
        };
        vals.push(val);
    }

    let root = vals[expr.root() as usize];
    // `bind` has checked that the variable count fits u32.
    let leaf_slot: Vec<u32> = (0..vars.len() as u32).collect();
    let mut reductions = Vec::new();
    let (ops, result, rough) = lower(&outer, root, &leaf_slot, &mut bodies, &mut reductions)?;
    Ok(Program {
        ops,
        names: vars.iter().map(|v| v.as_ref().to_owned()).collect(),
        result,
        non_smooth: rough.map(|r| not_smooth(expr, r)),
        reductions,
    })
}

/// Lowers one syntax node that is not a name.
fn lower_node(
    b: &mut Builder,
    expr: &Expr,
    node: &Node,
    id: NodeId,
    args: &[Val],
) -> Result<Val, ExprError> {
    let arg = |i: usize| args.get(i).copied().unwrap_or(Val::Const(f64::NAN));
    Ok(match &node.kind {
        NodeKind::Num(v) => Val::Const(*v),
        NodeKind::Text => return Err(unbound_text(expr, node.span, &Text::new())),
        NodeKind::Var => {
            let name = expr.text(node.span);
            return Err(unknown_variable::<&str>(
                expr,
                node.span,
                name,
                &[],
                &Data::new(),
            ));
        }
        NodeKind::Unary(op, _) => match op {
            UnaryOp::Plus => arg(0),
            UnaryOp::Neg => b.un(Un::Neg, arg(0), id),
            UnaryOp::Not => b.un(Un::Not, arg(0), id),
        },
        NodeKind::Binary(op, _, _) => {
            let (l, r) = (arg(0), arg(1));
            if *op == BinaryOp::Pow {
                return Ok(b.pow(l, r, id));
            }
            b.bin(Bin::of(*op), l, r, id)
        }
        NodeKind::Call(f, _) => b.call(f, args, id).ok_or_else(|| {
            // The parser checked arity; this is only a safety net.
            ExprError::at(
                ErrorKind::WrongArity,
                format!("function '{}' expects {}", f.name, f.arity.describe()),
                expr.source(),
                node.span,
            )
        })?,
    })
}

/// Closes the body of a `sum` whose element value is `element`, and returns
/// the sum as an outer value: a constant when the body reads only data.
fn reduce(
    outer: &mut Builder,
    bodies: &mut Vec<Option<Body>>,
    body: BodyBuilder,
    element: Val,
    node: NodeId,
    arrays: &[&[f64]],
) -> Result<Val, ExprError> {
    let fold = body.b.fold;
    let body = finish_body(body, element, arrays)?;
    if body.inputs.is_empty() && fold {
        let r = &body.reduction;
        return Ok(Val::Const(r.run(
            &[],
            &mut Vec::new(),
            &mut Vec::new(),
            None,
        )));
    }
    let varying = body.inputs.iter().any(|&v| outer.varies(v));
    let index = u32::try_from(bodies.len()).map_err(|_| too_large())?;
    bodies.push(Some(body));
    Ok(outer.emit_varying(IrOp::Reduce(index), node, varying))
}

/// Lays out a body's tape: inputs first, then the data columns, then ops.
fn finish_body(body: BodyBuilder, element: Val, arrays: &[&[f64]]) -> Result<Body, ExprError> {
    let mut leaf_slot = vec![0u32; body.leaves.len()];
    let mut inputs = Vec::new();
    for (slot, leaf) in leaf_slot.iter_mut().zip(&body.leaves) {
        if let Leaf::Input(v) = leaf {
            *slot = inputs.len() as u32;
            inputs.push(*v);
        }
    }
    let mut columns = Vec::new();
    for (slot, leaf) in leaf_slot.iter_mut().zip(&body.leaves) {
        if let Leaf::Column(a) = leaf {
            *slot = (inputs.len() + columns.len()) as u32;
            columns.push(arrays[*a as usize]);
        }
    }
    let (ops, result, rough) = lower(&body.b, element, &leaf_slot, &mut [], &mut Vec::new())?;
    let mut rows = Vec::with_capacity(body.len * columns.len());
    for i in 0..body.len {
        rows.extend(columns.iter().map(|c| c[i]));
    }
    Ok(Body {
        inputs,
        reduction: Reduction {
            // Outer slots are known only once the outer tape is laid out.
            inputs: Vec::new(),
            rows,
            cols: columns.len(),
            ops,
            result,
            partials: 0,
        },
        rough,
    })
}

/// Drops dead ops, turns constant operands into immediates, assigns final
/// slots, and places the bodies of live reductions. Returns the tape, the
/// result slot and the first non-smooth operation.
fn lower(
    b: &Builder,
    root: Val,
    leaf_slot: &[u32],
    bodies: &mut [Option<Body>],
    reductions: &mut Vec<Reduction>,
) -> Result<(Vec<Op>, u32, Option<Rough>), ExprError> {
    let ops = &b.ops;
    let mut live = vec![false; ops.len()];
    if let Val::Temp(t) = root {
        live[t as usize] = true;
    }
    let mark = |live: &mut [bool], v: Val| {
        if let Val::Temp(t) = v {
            live[t as usize] = true;
        }
    };
    for i in (0..ops.len()).rev() {
        if !live[i] {
            continue;
        }
        ops[i].operands().for_each(|v| mark(&mut live, v));
        if let IrOp::Reduce(r) = ops[i]
            && let Some(Some(body)) = bodies.get(r as usize)
        {
            body.inputs.iter().for_each(|&v| mark(&mut live, v));
        }
    }

    let mut tape = Tape {
        ops: Vec::with_capacity(ops.len()),
        n_leaves: leaf_slot.len(),
        leaf_slot,
        temp_slot: vec![0; ops.len()],
        const_slot: HashMap::new(),
    };
    let mut rough = None;
    for (i, &op) in ops.iter().enumerate() {
        if !live[i] {
            continue;
        }
        if !b.is_smooth(op) {
            rough = Rough::earliest(
                rough,
                Some(Rough {
                    node: b.origin[i],
                    op,
                }),
            );
        }
        let op = match op {
            IrOp::Un(f, a) => Op::un(f, tape.slot(a)),
            // Both constant only happens with folding off.
            IrOp::Bin(f, Val::Const(x), b @ Val::Const(_)) => Op::k_bin(f, x, tape.slot(b)),
            IrOp::Bin(f, a, Val::Const(k)) => Op::bin_k(f, tape.slot(a), k),
            IrOp::Bin(f, Val::Const(k), b) => Op::k_bin(f, k, tape.slot(b)),
            IrOp::Bin(f, a, b) => Op::bin(f, tape.slot(a), tape.slot(b)),
            IrOp::Select(c, a, b) => Op::Select(tape.slot(c), tape.slot(a), tape.slot(b)),
            IrOp::Dist(d, [x, y, z]) => {
                let (a, b) = (tape.slot(x), tape.slot(y));
                let c = if d.arity() == 3 { tape.slot(z) } else { b };
                Op::Dist(d, a, b, c)
            }
            IrOp::Reduce(r) => {
                let Some(Body {
                    inputs,
                    mut reduction,
                    rough: inner,
                }) = bodies.get_mut(r as usize).and_then(Option::take)
                else {
                    return Err(too_large());
                };
                rough = Rough::earliest(rough, inner);
                reduction.inputs = inputs.iter().map(|&v| tape.slot(v)).collect();
                reduction.partials = reductions.last().map_or(0, |p| p.partials + p.inputs.len());
                let index = u32::try_from(reductions.len()).map_err(|_| too_large())?;
                reductions.push(reduction);
                Op::Reduce(index)
            }
        };
        tape.temp_slot[i] = tape.push(op);
    }
    let result = tape.slot(root);
    if u32::try_from(tape.n_leaves + tape.ops.len()).is_err() {
        return Err(too_large());
    }
    Ok((tape.ops, result, rough))
}

struct Tape<'a> {
    ops: Vec<Op>,
    n_leaves: usize,
    leaf_slot: &'a [u32],
    temp_slot: Vec<u32>,
    /// Constants that needed a slot, by bit pattern, so each is stored once.
    const_slot: HashMap<u64, u32>,
}

impl Tape<'_> {
    // Slot numbers may wrap past u32 here; `lower` rejects such tapes
    // before they are used.
    fn push(&mut self, op: Op) -> u32 {
        self.ops.push(op);
        (self.n_leaves + self.ops.len() - 1) as u32
    }

    fn slot(&mut self, v: Val) -> u32 {
        match v {
            Val::Var(i) => self.leaf_slot[i as usize],
            Val::Temp(t) => self.temp_slot[t as usize],
            Val::Const(k) => match self.const_slot.get(&k.to_bits()) {
                Some(&s) => s,
                None => {
                    let s = self.push(Op::Const(k));
                    self.const_slot.insert(k.to_bits(), s);
                    s
                }
            },
        }
    }
}

fn unknown_variable<S: AsRef<str>>(
    expr: &Expr,
    span: Span,
    name: &str,
    vars: &[S],
    data: &Data,
) -> ExprError {
    let hint = if functions::lookup(name).is_some() {
        format!(" ('{name}' is a function: call it as {name}(...))")
    } else {
        let known = vars
            .iter()
            .map(|v| v.as_ref())
            .chain(data.names())
            .chain(CONSTANTS.iter().map(|(c, _)| *c));
        match suggest(name, known) {
            Some(s) => format!(" (did you mean '{s}'?)"),
            None => String::new(),
        }
    };
    ExprError::at(
        ErrorKind::UnknownVariable,
        format!("unknown variable '{name}'{hint}"),
        expr.source(),
        span,
    )
}

fn unbound_text(expr: &Expr, span: Span, text: &Text) -> ExprError {
    let literal = expr.text(span);
    let message = if *text == Text::new() {
        format!("text {literal} cannot be used here: values are numbers")
    } else {
        format!("text {literal} has no value bound to it")
    };
    ExprError::at(ErrorKind::TextMisuse, message, expr.source(), span)
}

/// For an array-valued node outside any reduction; the shape analysis
/// reports these first, so this is a fallback.
fn unreduced(expr: &Expr, node: &Node) -> ExprError {
    ExprError::at(
        ErrorKind::ArrayNotReduced,
        "a data array is used outside a reduction: wrap it in sum(...) or mean(...)",
        expr.source(),
        node.span,
    )
}

fn not_smooth(expr: &Expr, rough: Rough) -> ExprError {
    let span = expr.nodes()[rough.node as usize].span;
    let name = expr.text(span);
    let why = match rough.op {
        IrOp::Select(..) => "its result jumps where the condition changes",
        IrOp::Bin(Bin::Rem | Bin::Mod, ..) => "it jumps at multiples of the divisor",
        IrOp::Dist(..) => {
            "its count argument depends on the variables, and a count must be data (an integer), not a sampled value"
        }
        _ => "it is piecewise constant, so its gradient is zero or undefined",
    };
    ExprError::at(
        ErrorKind::NotSmooth,
        format!("'{name}' is not smooth: {why}"),
        expr.source(),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(src: &str, vars: &[&str]) -> (Program, Program) {
        let e = Expr::parse(src).unwrap();
        let data = Data::new();
        (
            compile(&e, vars, &data, &Text::new(), true).unwrap(),
            compile(&e, vars, &data, &Text::new(), false).unwrap(),
        )
    }

    #[test]
    fn folding_keeps_results_and_shrinks_the_tape() {
        let cases = [
            "2^0.5 * x + sin(pi/3) - ln(10)/3",
            "x * exp(-(1.5^2)/2) / sqrt(2*pi)",
            "gamma(4.5) + lgamma(0.3) + erf(0.7) * x + log(100, 10)",
            "if(1 < 2, x, sqrt(-1)) + if(0, nan, 3)",
            "max(1, 2, x) + min(3, -1/3) + clamp(5, 0, 1) * x",
            "mod(-7, 3) * x + -7 % 3 + round(-2.5) + atan2(1, -1)",
            "x^2^0.5 + (1 + 1e-16) - 1",
            "!0 + (1 && 0) + (0 || 2) + (3 >= 3) * x",
            "log(8, 2) + log(1000, 10) + log(x, 3) + factorial(5)",
            "normal_lpdf(1, 0, 2) * x + student_t_lpdf(0.5, 3, 0, 1) + poisson_lpmf(2, x)",
        ];
        for src in cases {
            let (folded, plain) = both(src, &["x"]);
            assert!(folded.ops.len() < plain.ops.len(), "{src}: nothing folded");
            for x in [-1.5, 0.0, 0.25, 2.0, 7.0] {
                let (a, b) = (folded.eval(&[x]), plain.eval(&[x]));
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{src} at x={x}: folded {a} != unfolded {b}"
                );
            }
        }
    }

    #[test]
    fn constant_if_drops_the_dead_branch() {
        let (folded, _) = both("if(0, floor(x) + x^3, x)", &["x"]);
        assert_eq!(folded.ops.len(), 0);
        assert!(folded.is_smooth());
        assert_eq!(folded.eval(&[4.5]), 4.5);
    }

    #[test]
    fn constants_are_immediates_unless_they_need_a_slot() {
        let (p, _) = both("x*2 + 3/y + 2", &["x", "y"]);
        assert!(!p.ops.iter().any(|op| matches!(op, Op::Const(_))));
        assert_eq!(p.ops.len(), 4);
        // if() branches need slots; equal constants share one.
        let (p, _) = both("if(x, 1.5, 1.5) + if(y, 1.5, x)", &["x", "y"]);
        let consts = p.ops.iter().filter(|op| matches!(op, Op::Const(_)));
        assert_eq!(consts.count(), 1);
        assert_eq!(p.eval(&[0.0, 1.0]), 3.0);
        let (p, _) = both("2 + 3", &["x"]);
        assert!(matches!(p.ops[..], [Op::Const(5.0)]));
        assert_eq!(p.eval(&[0.0]), 5.0);
    }

    fn with_data(src: &str, vars: &[&str], data: &Data) -> Program {
        compile(&Expr::parse(src).unwrap(), vars, data, &Text::new(), true).unwrap()
    }

    #[test]
    fn scalar_work_inside_a_reduction_is_hoisted_out_of_the_loop() {
        let mut data = Data::new();
        data.array("y", [1.0, 2.0, 3.0]);
        let p = with_data("sum((y - mu) / exp(s))", &["mu", "s"], &data);
        assert_eq!(p.reductions.len(), 1);
        // exp(s) is computed once outside; the body only subtracts and divides.
        assert!(matches!(p.ops[..], [Op::Un(Un::Exp, 1), Op::Reduce(0)]));
        assert_eq!(p.reductions[0].ops.len(), 2);
        assert_eq!(p.reductions[0].inputs.len(), 2);
    }

    #[test]
    fn data_only_reductions_fold_to_constants() {
        let mut data = Data::new();
        data.array("y", [1.0, 2.0, 6.0]);
        let p = with_data("x * sum((y - mean(y))^2) + len(y)", &["x"], &data);
        assert!(p.reductions.is_empty());
        assert_eq!(p.eval(&[1.0]), 14.0 + 3.0);
    }
}
