//! Compilation of an [`Expr`] to a flat instruction tape, and its forward
//! (value) and reverse (gradient) evaluation.
//!
//! The tape is in SSA form over one array of slots laid out as
//! `[variables | one slot per instruction]`. Instruction `i` writes slot
//! `n_vars + i` and reads only earlier slots, so evaluation is one forward
//! loop and the gradient is one backward loop over the same list. Constants
//! are immediates inside the instructions, so nothing but the variables has
//! to be copied in before a run.

use std::collections::HashMap;

use crate::ast::{BinaryOp, NodeId, NodeKind, UnaryOp};
use crate::error::{ErrorKind, ExprError, suggest};
use crate::expr::Expr;
use crate::functions::{self, Bin, CONSTANTS, Function, Lower, Un, truthy};

/// A compiled expression: evaluate it, or evaluate it with its gradient.
///
/// A `Program` is immutable and `Send + Sync`; give each thread its own
/// [`Scratch`].
#[derive(Clone, Debug)]
pub struct Program {
    ops: Vec<Op>,
    names: Vec<String>,
    result: u32,
    non_smooth: Option<ExprError>,
}

/// Caller-owned working memory for [`Program::eval_with`] and
/// [`Program::eval_grad`].
///
/// It grows to fit the program on first use and is reused afterwards, so
/// evaluations after the first allocate nothing. One scratch may serve
/// several programs.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    vals: Vec<f64>,
    adj: Vec<f64>,
}

impl Scratch {
    /// An empty scratch; [`Program::scratch`] gives one already sized.
    pub fn new() -> Self {
        Self::default()
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    /// A constant that must live in a slot: an `if` branch or the result.
    Const(f64),
    Un(Un, u32),
    Bin(Bin, u32, u32),
    /// `slot op constant`.
    BinK(Bin, u32, f64),
    /// `constant op slot`.
    KBin(Bin, f64, u32),
    /// `if(c, a, b)` with both branches already computed.
    Select(u32, u32, u32),
}

impl Program {
    /// The variable names, in the order `eval` expects their values.
    pub fn variables(&self) -> &[String] {
        &self.names
    }

    /// The number of values `eval` expects.
    pub fn num_vars(&self) -> usize {
        self.names.len()
    }

    /// A scratch sized for this program.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            vals: vec![0.0; self.num_slots()],
            adj: vec![0.0; self.num_slots()],
        }
    }

    /// Evaluates at `vars` (one value per variable, in compile order).
    ///
    /// Allocates a scratch on each call; use [`eval_with`](Self::eval_with)
    /// in loops. If `vars.len() != self.num_vars()` the result is NaN.
    pub fn eval(&self, vars: &[f64]) -> f64 {
        self.eval_with(vars, &mut Scratch::new())
    }

    /// Evaluates at `vars` using `scratch`; allocation-free once `scratch`
    /// has grown to fit. If `vars.len() != self.num_vars()` the result is
    /// NaN (no panic).
    pub fn eval_with(&self, vars: &[f64], scratch: &mut Scratch) -> f64 {
        if vars.len() != self.names.len() {
            return f64::NAN;
        }
        self.forward(vars, &mut scratch.vals)
    }

    /// Evaluates at `vars` and writes d value / d `vars[i]` into `grad[i]`,
    /// computed exactly by reverse-mode differentiation of the tape.
    ///
    /// Conventions at points where a derivative does not exist: `abs'(0)`,
    /// `floor'`, `ceil'`, `round'`, `trunc'`, `sign'` and the derivatives of
    /// comparisons and logical operators are 0; `min`/`max` (and `clamp`)
    /// pass the gradient to the selected argument, the first one on ties;
    /// `if` passes it to the taken branch only, so a NaN or infinity in the
    /// other branch does not leak. `hypot` and `atan2` have gradient 0 at
    /// the origin.
    ///
    /// If `vars` or `grad` has the wrong length, returns NaN and fills `grad`
    /// with NaN (no panic).
    pub fn eval_grad(&self, vars: &[f64], grad: &mut [f64], scratch: &mut Scratch) -> f64 {
        let n = self.names.len();
        if vars.len() != n || grad.len() != n {
            grad.fill(f64::NAN);
            return f64::NAN;
        }
        let value = self.forward(vars, &mut scratch.vals);
        let slots = self.num_slots();
        if scratch.adj.len() < slots {
            scratch.adj.resize(slots, 0.0);
        }
        let vals = &scratch.vals[..slots];
        let adj = &mut scratch.adj[..slots];
        adj.fill(0.0);
        adj[self.result as usize] = 1.0;
        for (i, op) in self.ops.iter().enumerate().rev() {
            let g = adj[n + i];
            // Skipping zero adjoints is what keeps an untaken if() branch
            // from turning 0 * inf or 0 * NaN into NaN.
            if g == 0.0 {
                continue;
            }
            let y = vals[n + i];
            match *op {
                Op::Const(_) => {}
                Op::Un(f, a) => {
                    let a = a as usize;
                    adj[a] += g * f.deriv(vals[a], y);
                }
                Op::Bin(f, a, b) => {
                    let (a, b) = (a as usize, b as usize);
                    let (da, db) = f.partials(vals[a], vals[b], y);
                    adj[a] += g * da;
                    adj[b] += g * db;
                }
                // pow gets its own arms so that only the needed partial,
                // each costing a pow or a log, is computed.
                Op::BinK(Bin::Pow, a, k) => {
                    let a = a as usize;
                    adj[a] += g * functions::pow_da(vals[a], k);
                }
                Op::KBin(Bin::Pow, k, b) => {
                    adj[b as usize] += g * functions::pow_db(k, y);
                }
                Op::BinK(f, a, k) => {
                    let a = a as usize;
                    adj[a] += g * f.partials(vals[a], k, y).0;
                }
                Op::KBin(f, k, b) => {
                    let b = b as usize;
                    adj[b] += g * f.partials(k, vals[b], y).1;
                }
                Op::Select(c, a, b) => {
                    let taken = if truthy(vals[c as usize]) { a } else { b };
                    adj[taken as usize] += g;
                }
            }
        }
        grad.copy_from_slice(&adj[..n]);
        value
    }

    /// True if the program has no step-like operation; see
    /// [`check_smooth`](Self::check_smooth).
    pub fn is_smooth(&self) -> bool {
        self.non_smooth.is_none()
    }

    /// Errs ([`ErrorKind::NotSmooth`]) naming the first operation, in
    /// source order, whose gradient is zero or undefined wherever the value
    /// jumps: `floor`, `ceil`, `round`, `trunc`, `sign`, `%`, `mod`,
    /// comparisons, `&&`, `||`, `!`, and `if` with a non-constant condition.
    /// Gradient-based samplers should refuse such programs. Continuous
    /// functions with kinks (`abs`, `min`, `max`, `clamp`) count as smooth.
    /// Parts removed by constant folding (e.g. `floor(2.5)`) do not count.
    pub fn check_smooth(&self) -> Result<(), ExprError> {
        match &self.non_smooth {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn num_slots(&self) -> usize {
        self.names.len() + self.ops.len()
    }

    fn forward(&self, vars: &[f64], vals: &mut Vec<f64>) -> f64 {
        let slots = self.num_slots();
        if vals.len() < slots {
            vals.resize(slots, 0.0);
        }
        let vals = &mut vals[..slots];
        let n = self.names.len();
        vals[..n].copy_from_slice(vars);
        for (i, op) in self.ops.iter().enumerate() {
            vals[n + i] = match *op {
                Op::Const(k) => k,
                Op::Un(f, a) => f.eval(vals[a as usize]),
                Op::Bin(f, a, b) => f.eval(vals[a as usize], vals[b as usize]),
                Op::BinK(f, a, k) => f.eval(vals[a as usize], k),
                Op::KBin(f, k, b) => f.eval(k, vals[b as usize]),
                Op::Select(c, a, b) => {
                    if truthy(vals[c as usize]) {
                        vals[a as usize]
                    } else {
                        vals[b as usize]
                    }
                }
            };
        }
        vals[self.result as usize]
    }
}

/// An operand while building: constants stay inline so they can be folded
/// or become immediates; temporaries index the unoptimized op list.
#[derive(Clone, Copy, Debug)]
enum Val {
    Const(f64),
    Var(u32),
    Temp(u32),
}

#[derive(Clone, Copy, Debug)]
enum IrOp {
    Un(Un, Val),
    Bin(Bin, Val, Val),
    Select(Val, Val, Val),
}

impl IrOp {
    fn operands(self) -> impl Iterator<Item = Val> {
        match self {
            IrOp::Un(_, a) => [Some(a), None, None],
            IrOp::Bin(_, a, b) => [Some(a), Some(b), None],
            IrOp::Select(c, a, b) => [Some(c), Some(a), Some(b)],
        }
        .into_iter()
        .flatten()
    }

    fn is_smooth(self) -> bool {
        match self {
            IrOp::Un(f, _) => f.is_smooth(),
            IrOp::Bin(f, _, _) => f.is_smooth(),
            IrOp::Select(c, _, _) => matches!(c, Val::Const(_)),
        }
    }
}

struct Builder {
    ops: Vec<IrOp>,
    /// The syntax node each op came from, for error messages.
    origin: Vec<NodeId>,
    fold: bool,
}

impl Builder {
    fn emit(&mut self, op: IrOp, node: NodeId) -> Val {
        // Truncation is caught in `finish`, which rejects op counts above u32.
        let t = self.ops.len() as u32;
        self.ops.push(op);
        self.origin.push(node);
        Val::Temp(t)
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
            _ => return None,
        })
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

pub(crate) fn compile<S: AsRef<str>>(
    expr: &Expr,
    vars: &[S],
    fold: bool,
) -> Result<Program, ExprError> {
    let nodes = expr.nodes();
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(vars.len());
    for (i, name) in vars.iter().enumerate() {
        let name = name.as_ref();
        if functions::constant(name).is_some() {
            let msg = format!("'{name}' is a reserved constant and cannot be a variable name");
            // Point at a use of the constant if there is one.
            let used = nodes
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
                    "'{name}' is not a valid variable name (use letters, digits and '_', not starting with a digit)"
                ),
            ));
        }
        let i = u32::try_from(i).map_err(|_| too_large())?;
        if index.insert(name, i).is_some() {
            return Err(ExprError::unlocated(
                ErrorKind::DuplicateVariable,
                format!("variable '{name}' is listed more than once"),
            ));
        }
    }

    let mut b = Builder {
        ops: Vec::new(),
        origin: Vec::new(),
        fold,
    };
    let mut vals: Vec<Val> = Vec::with_capacity(nodes.len());
    let mut args: Vec<Val> = Vec::new();
    // Children precede parents in `nodes`, so one pass suffices and the
    // first unknown variable met is the leftmost in the source.
    for (id, node) in nodes.iter().enumerate() {
        let id = id as NodeId; // the parser caps node count at u32
        let val = match &node.kind {
            NodeKind::Num(v) => Val::Const(*v),
            NodeKind::Var => {
                let name = expr.text(node.span);
                match index.get(name) {
                    Some(&i) => Val::Var(i),
                    None => return Err(unknown_variable(expr, node.span, name, vars)),
                }
            }
            NodeKind::Unary(op, a) => {
                let a = vals[*a as usize];
                match op {
                    UnaryOp::Plus => a,
                    UnaryOp::Neg => b.un(Un::Neg, a, id),
                    UnaryOp::Not => b.un(Un::Not, a, id),
                }
            }
            NodeKind::Binary(op, l, r) => {
                let (l, r) = (vals[*l as usize], vals[*r as usize]);
                let f = match op {
                    BinaryOp::Pow => {
                        vals.push(b.pow(l, r, id));
                        continue;
                    }
                    BinaryOp::Or => Bin::Or,
                    BinaryOp::And => Bin::And,
                    BinaryOp::Eq => Bin::Eq,
                    BinaryOp::Ne => Bin::Ne,
                    BinaryOp::Lt => Bin::Lt,
                    BinaryOp::Le => Bin::Le,
                    BinaryOp::Gt => Bin::Gt,
                    BinaryOp::Ge => Bin::Ge,
                    BinaryOp::Add => Bin::Add,
                    BinaryOp::Sub => Bin::Sub,
                    BinaryOp::Mul => Bin::Mul,
                    BinaryOp::Div => Bin::Div,
                    BinaryOp::Rem => Bin::Rem,
                };
                b.bin(f, l, r, id)
            }
            NodeKind::Call(f, arg_ids) => {
                args.clear();
                args.extend(arg_ids.iter().map(|&a| vals[a as usize]));
                b.call(f, &args, id).ok_or_else(|| {
                    // The parser checked arity; this is only a safety net.
                    ExprError::at(
                        ErrorKind::WrongArity,
                        format!("function '{}' expects {}", f.name, f.arity.describe()),
                        expr.source(),
                        node.span,
                    )
                })?
            }
        };
        vals.push(val);
    }
    let root = vals[expr.root() as usize];
    finish(expr, index.len(), vars, b, root)
}

fn unknown_variable<S: AsRef<str>>(
    expr: &Expr,
    span: crate::error::Span,
    name: &str,
    vars: &[S],
) -> ExprError {
    let hint = if functions::lookup(name).is_some() {
        format!(" ('{name}' is a function: call it as {name}(...))")
    } else {
        let known = vars
            .iter()
            .map(|v| v.as_ref())
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

/// Drops dead ops, turns constant operands into immediates, and assigns
/// final slots.
fn finish<S: AsRef<str>>(
    expr: &Expr,
    n_vars: usize,
    vars: &[S],
    b: Builder,
    root: Val,
) -> Result<Program, ExprError> {
    let Builder { ops, origin, .. } = b;
    let mut live = vec![false; ops.len()];
    if let Val::Temp(t) = root {
        live[t as usize] = true;
    }
    for i in (0..ops.len()).rev() {
        if live[i] {
            for v in ops[i].operands() {
                if let Val::Temp(t) = v {
                    live[t as usize] = true;
                }
            }
        }
    }

    let mut tape = Tape {
        ops: Vec::with_capacity(ops.len()),
        n_vars,
        temp_slot: vec![0; ops.len()],
        const_slot: HashMap::new(),
    };
    let mut non_smooth = None;
    for (i, &op) in ops.iter().enumerate() {
        if !live[i] {
            continue;
        }
        if non_smooth.is_none() && !op.is_smooth() {
            non_smooth = Some(not_smooth(expr, origin[i], op));
        }
        let op = match op {
            IrOp::Un(f, a) => Op::Un(f, tape.slot(a)),
            // Both constant only happens with folding off.
            IrOp::Bin(f, Val::Const(x), b @ Val::Const(_)) => Op::KBin(f, x, tape.slot(b)),
            IrOp::Bin(f, a, Val::Const(k)) => Op::BinK(f, tape.slot(a), k),
            IrOp::Bin(f, Val::Const(k), b) => Op::KBin(f, k, tape.slot(b)),
            IrOp::Bin(f, a, b) => Op::Bin(f, tape.slot(a), tape.slot(b)),
            IrOp::Select(c, a, b) => Op::Select(tape.slot(c), tape.slot(a), tape.slot(b)),
        };
        tape.temp_slot[i] = tape.push(op);
    }
    let result = tape.slot(root);
    if u32::try_from(n_vars + tape.ops.len()).is_err() {
        return Err(too_large());
    }
    Ok(Program {
        ops: tape.ops,
        names: vars.iter().map(|v| v.as_ref().to_owned()).collect(),
        result,
        non_smooth,
    })
}

struct Tape {
    ops: Vec<Op>,
    n_vars: usize,
    temp_slot: Vec<u32>,
    /// Constants that needed a slot, by bit pattern, so each is stored once.
    const_slot: HashMap<u64, u32>,
}

impl Tape {
    // Slot numbers may wrap past u32 here; `finish` rejects such tapes
    // before they are used.
    fn push(&mut self, op: Op) -> u32 {
        self.ops.push(op);
        (self.n_vars + self.ops.len() - 1) as u32
    }

    fn slot(&mut self, v: Val) -> u32 {
        match v {
            Val::Var(i) => i,
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

fn not_smooth(expr: &Expr, node: NodeId, op: IrOp) -> ExprError {
    let span = expr.nodes()[node as usize].span;
    let name = expr.text(span);
    let why = match op {
        IrOp::Select(..) => "its result jumps where the condition changes",
        IrOp::Bin(Bin::Rem | Bin::Mod, ..) => "it jumps at multiples of the divisor",
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
        (
            compile(&e, vars, true).unwrap(),
            compile(&e, vars, false).unwrap(),
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
}
