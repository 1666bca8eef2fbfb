//! The compiled program: a flat instruction tape and its forward (value) and
//! reverse (gradient) evaluation.
//!
//! The tape is in SSA form over one array of slots laid out as
//! `[variables | one slot per instruction]`. Instruction `i` writes slot
//! `n_vars + i` and reads only earlier slots, so evaluation is one forward
//! loop and the gradient is one backward loop over the same list. Constants
//! are immediates inside the instructions, so nothing but the variables has
//! to be copied in before a run.
//!
//! A reduction over data arrays is one instruction whose body is a tape of
//! its own, run once per element over `[inputs | element | body ops]`. The
//! inputs are the outer slots the body reads; while summing, the forward
//! pass also accumulates d sum / d input by running the body backwards
//! after each element, so the outer backward pass treats the whole loop as
//! a single operation and the gradient needs memory for one element only.

use crate::dist::Dist;
use crate::elementary::{self, Bin, Un, truthy};
use crate::error::ExprError;

/// A compiled expression: evaluate it, or evaluate it with its gradient.
///
/// A `Program` is immutable and `Send + Sync`; give each thread its own
/// [`Scratch`].
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) ops: Vec<Op>,
    pub(crate) names: Vec<String>,
    pub(crate) result: u32,
    pub(crate) non_smooth: Option<ExprError>,
    /// Some `abs`, `min`, `max` or `clamp` acts on the variables.
    pub(crate) kinked: bool,
    pub(crate) reductions: Vec<Reduction>,
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
    body_vals: Vec<f64>,
    body_adj: Vec<f64>,
    /// d sum / d input for every reduction input, from the forward pass.
    partials: Vec<f64>,
}

impl Scratch {
    /// An empty scratch; [`Program::scratch`] gives one already sized.
    pub fn new() -> Self {
        Self::default()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    /// A constant that must live in a slot: an `if` branch, an operand of a
    /// log density, or the result.
    Const(f64),
    Un(Un, u32),
    Bin(Bin, u32, u32),
    /// `slot op constant`.
    BinK(Bin, u32, f64),
    /// `constant op slot`.
    KBin(Bin, f64, u32),
    /// `if(c, a, b)` with both branches already computed.
    Select(u32, u32, u32),
    /// A log density; the third slot is unused by two-operand kinds.
    Dist(Dist, u32, u32, u32),
    /// The sum of reduction `i` over its elements.
    Reduce(u32),
    // The commonest arithmetic, dispatched once instead of twice (on the
    // op, then on its kind). Each computes exactly what the general form
    // would, so results do not change.
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Div(u32, u32),
    /// `slot + k`, also `k + slot`.
    AddK(u32, f64),
    /// `slot - k`.
    SubK(u32, f64),
    /// `k - slot`.
    KSub(f64, u32),
    /// `slot * k`, also `k * slot`.
    MulK(u32, f64),
    /// `slot / k`.
    DivK(u32, f64),
    /// `k / slot`.
    KDiv(f64, u32),
    Square(u32),
    Neg(u32),
}

impl Op {
    pub(crate) fn un(f: Un, a: u32) -> Op {
        match f {
            Un::Square => Op::Square(a),
            Un::Neg => Op::Neg(a),
            _ => Op::Un(f, a),
        }
    }

    pub(crate) fn bin(f: Bin, a: u32, b: u32) -> Op {
        match f {
            Bin::Add => Op::Add(a, b),
            Bin::Sub => Op::Sub(a, b),
            Bin::Mul => Op::Mul(a, b),
            Bin::Div => Op::Div(a, b),
            _ => Op::Bin(f, a, b),
        }
    }

    /// `a f k`.
    pub(crate) fn bin_k(f: Bin, a: u32, k: f64) -> Op {
        match f {
            Bin::Add => Op::AddK(a, k),
            Bin::Sub => Op::SubK(a, k),
            Bin::Mul => Op::MulK(a, k),
            Bin::Div => Op::DivK(a, k),
            _ => Op::BinK(f, a, k),
        }
    }

    /// `k f b`. Addition and multiplication commute exactly in IEEE
    /// arithmetic, so they reuse the `slot f k` forms.
    pub(crate) fn k_bin(f: Bin, k: f64, b: u32) -> Op {
        match f {
            Bin::Add => Op::AddK(b, k),
            Bin::Sub => Op::KSub(k, b),
            Bin::Mul => Op::MulK(b, k),
            Bin::Div => Op::KDiv(k, b),
            _ => Op::KBin(f, k, b),
        }
    }
}

/// The body of a reduction and the data it runs over.
#[derive(Clone, Debug)]
pub(crate) struct Reduction {
    /// Outer slots copied to body slots `0..inputs.len()`.
    pub inputs: Vec<u32>,
    /// Data values per element, row-major: element `i` fills the body slots
    /// after the inputs with `rows[i * cols..(i + 1) * cols]`.
    pub rows: Vec<f64>,
    pub cols: usize,
    pub ops: Vec<Op>,
    pub result: u32,
    /// Where this reduction's input partials start in `Scratch::partials`.
    pub partials: usize,
}

impl Reduction {
    fn num_slots(&self) -> usize {
        self.inputs.len() + self.cols + self.ops.len()
    }

    /// Sums the body over the elements. With `partials`, also writes
    /// d sum / d input there. Kept out of line so that the outer loop stays
    /// small.
    #[inline(never)]
    pub(crate) fn run(
        &self,
        outer: &[f64],
        vals: &mut Vec<f64>,
        adj: &mut Vec<f64>,
        mut partials: Option<&mut [f64]>,
    ) -> f64 {
        let slots = self.num_slots();
        if vals.len() < slots {
            vals.resize(slots, 0.0);
        }
        if adj.len() < slots {
            adj.resize(slots, 0.0);
        }
        let vals = &mut vals[..slots];
        let adj = &mut adj[..slots];
        let k = self.inputs.len();
        let leaves = k + self.cols;
        for (v, &s) in vals.iter_mut().zip(&self.inputs) {
            *v = outer[s as usize];
        }
        if let Some(p) = partials.as_deref_mut() {
            p.fill(0.0);
        }
        let mut total = 0.0;
        for row in self.rows.chunks_exact(self.cols.max(1)) {
            vals[k..leaves].copy_from_slice(row);
            run_plain(&self.ops, leaves, vals);
            let r = self.result as usize;
            total += vals[r];
            let Some(p) = partials.as_deref_mut() else {
                continue;
            };
            if k == 0 {
                continue;
            }
            adj.fill(0.0);
            adj[r] = 1.0;
            back_plain(&self.ops, leaves, vals, adj);
            for (p, a) in p.iter_mut().zip(&adj[..k]) {
                *p += a;
            }
        }
        total
    }
}

/// Runs a tape without reductions over `vals`, whose first `leaves` slots
/// are filled. A function of its own keeps the loop's frame small.
#[inline(never)]
fn run_plain(ops: &[Op], leaves: usize, vals: &mut [f64]) {
    for (i, op) in ops.iter().enumerate() {
        vals[leaves + i] = step(*op, vals);
    }
}

/// The reverse sweep of a tape without reductions: adjoints flow from
/// `adj` of each instruction's slot to its operands.
#[inline(never)]
fn back_plain(ops: &[Op], leaves: usize, vals: &[f64], adj: &mut [f64]) {
    for (i, op) in ops.iter().enumerate().rev() {
        let g = adj[leaves + i];
        // Skipping zero adjoints is what keeps an untaken if() branch from
        // turning 0 * inf or 0 * NaN into NaN.
        if g != 0.0 {
            step_back(*op, vals, adj, g, vals[leaves + i]);
        }
    }
}

/// The value of one instruction. `Reduce` needs more than the slots and is
/// handled by the caller.
#[inline(always)]
fn step(op: Op, vals: &[f64]) -> f64 {
    match op {
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
        Op::Dist(d, a, b, c) => d.eval(vals[a as usize], vals[b as usize], vals[c as usize]),
        Op::Reduce(_) => f64::NAN,
        Op::Add(a, b) => vals[a as usize] + vals[b as usize],
        Op::Sub(a, b) => vals[a as usize] - vals[b as usize],
        Op::Mul(a, b) => vals[a as usize] * vals[b as usize],
        Op::Div(a, b) => vals[a as usize] / vals[b as usize],
        Op::AddK(a, k) => vals[a as usize] + k,
        Op::SubK(a, k) => vals[a as usize] - k,
        Op::KSub(k, b) => k - vals[b as usize],
        Op::MulK(a, k) => vals[a as usize] * k,
        Op::DivK(a, k) => vals[a as usize] / k,
        Op::KDiv(k, b) => k / vals[b as usize],
        Op::Square(a) => {
            let x = vals[a as usize];
            x * x
        }
        Op::Neg(a) => -vals[a as usize],
    }
}

/// Propagates the adjoint `g` of one instruction, whose value is `y`, to
/// its operands. `Reduce` is handled by the caller.
#[inline(always)]
fn step_back(op: Op, vals: &[f64], adj: &mut [f64], g: f64, y: f64) {
    match op {
        Op::Const(_) | Op::Reduce(_) => {}
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
        // pow gets its own arms so that only the needed partial, each
        // costing a pow or a log, is computed.
        Op::BinK(Bin::Pow, a, k) => {
            let a = a as usize;
            adj[a] += g * elementary::pow_da(vals[a], k);
        }
        Op::KBin(Bin::Pow, k, b) => {
            adj[b as usize] += g * elementary::pow_db(k, y);
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
        Op::Dist(d, a, b, c) => {
            let (a, b, c) = (a as usize, b as usize, c as usize);
            let [da, db, dc] = d.partials(vals[a], vals[b], vals[c]);
            adj[a] += g * da;
            adj[b] += g * db;
            if d.arity() == 3 {
                adj[c] += g * dc;
            }
        }
        // The same products as the general partials, so the same bits.
        Op::Add(a, b) => {
            adj[a as usize] += g;
            adj[b as usize] += g;
        }
        Op::Sub(a, b) => {
            adj[a as usize] += g;
            adj[b as usize] -= g;
        }
        Op::Mul(a, b) => {
            let (a, b) = (a as usize, b as usize);
            let (va, vb) = (vals[a], vals[b]);
            adj[a] += g * vb;
            adj[b] += g * va;
        }
        Op::Div(a, b) => {
            let (a, b) = (a as usize, b as usize);
            let vb = vals[b];
            adj[a] += g * (1.0 / vb);
            adj[b] += g * (-y / vb);
        }
        Op::AddK(a, _) | Op::SubK(a, _) => adj[a as usize] += g,
        Op::KSub(_, b) | Op::Neg(b) => adj[b as usize] -= g,
        Op::MulK(a, k) => adj[a as usize] += g * k,
        Op::DivK(a, k) => adj[a as usize] += g * (1.0 / k),
        Op::KDiv(_, b) => {
            let b = b as usize;
            adj[b] += g * (-y / vals[b]);
        }
        Op::Square(a) => {
            let a = a as usize;
            adj[a] += g * (2.0 * vals[a]);
        }
    }
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
        let body = self
            .reductions
            .iter()
            .map(Reduction::num_slots)
            .max()
            .unwrap_or(0);
        Scratch {
            vals: vec![0.0; self.num_slots()],
            adj: vec![0.0; self.num_slots()],
            body_vals: vec![0.0; body],
            body_adj: vec![0.0; body],
            partials: vec![0.0; self.num_partials()],
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
        self.forward(vars, scratch, false)
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
    /// the origin. The log densities have zero partials with respect to
    /// counts and outside their support.
    ///
    /// If `vars` or `grad` has the wrong length, returns NaN and fills `grad`
    /// with NaN (no panic).
    pub fn eval_grad(&self, vars: &[f64], grad: &mut [f64], scratch: &mut Scratch) -> f64 {
        let n = self.names.len();
        if vars.len() != n || grad.len() != n {
            grad.fill(f64::NAN);
            return f64::NAN;
        }
        let value = self.forward(vars, scratch, true);
        let slots = self.num_slots();
        if scratch.adj.len() < slots {
            scratch.adj.resize(slots, 0.0);
        }
        let vals = &scratch.vals[..slots];
        let adj = &mut scratch.adj[..slots];
        adj.fill(0.0);
        adj[self.result as usize] = 1.0;
        if self.reductions.is_empty() {
            back_plain(&self.ops, n, vals, adj);
            grad.copy_from_slice(&adj[..n]);
            return value;
        }
        for (i, op) in self.ops.iter().enumerate().rev() {
            let g = adj[n + i];
            // Skipping zero adjoints is what keeps an untaken if() branch
            // from turning 0 * inf or 0 * NaN into NaN.
            if g == 0.0 {
                continue;
            }
            match *op {
                Op::Reduce(r) => {
                    let red = &self.reductions[r as usize];
                    let partials = &scratch.partials[red.partials..][..red.inputs.len()];
                    for (&s, &p) in red.inputs.iter().zip(partials) {
                        adj[s as usize] += g * p;
                    }
                }
                op => step_back(op, vals, adj, g, vals[n + i]),
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

    /// Errs ([`ErrorKind::NotSmooth`](crate::ErrorKind::NotSmooth)) naming
    /// the first operation, in source order, whose gradient is zero or
    /// undefined wherever the value jumps: `floor`, `ceil`, `round`,
    /// `trunc`, `sign`, `%`, `mod`, comparisons, `&&`, `||`, `!`, `if` with
    /// a condition that depends on the variables, and the count argument of
    /// `binomial_lpmf`, `poisson_lpmf` and `bernoulli_lpmf` when it depends
    /// on the variables. Gradient-based samplers should refuse such
    /// programs. Continuous functions with kinks (`abs`, `min`, `max`,
    /// `clamp`) count as smooth. Operations on constants and data alone do
    /// not count (`floor(2.5)`, `sum(if(y > 0, x, 0))` for data `y`), nor
    /// do parts removed by constant folding.
    pub fn check_smooth(&self) -> Result<(), ExprError> {
        match &self.non_smooth {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// True if the program is smooth and has no kink either: no `abs`,
    /// `min`, `max` or `clamp` whose operand depends on the variables. A
    /// gradient-based sampler can run on kinks, but its step size adapts
    /// to the smooth parts and it loses efficiency at the corners; tools
    /// that choose an algorithm use this to prefer a gradient-free one.
    pub fn is_differentiable(&self) -> bool {
        self.is_smooth() && !self.kinked
    }

    pub(crate) fn num_slots(&self) -> usize {
        self.names.len() + self.ops.len()
    }

    fn num_partials(&self) -> usize {
        self.reductions
            .last()
            .map_or(0, |r| r.partials + r.inputs.len())
    }

    fn forward(&self, vars: &[f64], scratch: &mut Scratch, want_grad: bool) -> f64 {
        let slots = self.num_slots();
        let Scratch {
            vals,
            body_vals,
            body_adj,
            partials,
            ..
        } = scratch;
        if vals.len() < slots {
            vals.resize(slots, 0.0);
        }
        let vals = &mut vals[..slots];
        let n = self.names.len();
        vals[..n].copy_from_slice(vars);
        if self.reductions.is_empty() {
            run_plain(&self.ops, n, vals);
            return vals[self.result as usize];
        }
        for (i, op) in self.ops.iter().enumerate() {
            vals[n + i] = match *op {
                Op::Reduce(r) => {
                    let red = &self.reductions[r as usize];
                    let p = if want_grad {
                        let need = red.partials + red.inputs.len();
                        if partials.len() < need {
                            partials.resize(need, 0.0);
                        }
                        Some(&mut partials[red.partials..need])
                    } else {
                        None
                    };
                    red.run(vals, body_vals, body_adj, p)
                }
                op => step(op, vals),
            };
        }
        vals[self.result as usize]
    }
}
