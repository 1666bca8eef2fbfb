//! The self-check every symbolic result passes before it is returned:
//! two expressions are equal when their difference simplifies to zero, or,
//! when simplification cannot decide (`1 + tan(x)^2` against
//! `1/cos(x)^2`), when they agree at many points where both are defined.

use super::arena::Arena;
use super::diff::Differentiator;
use super::node::Id;
use super::print;
use crate::expr::Expr;
use crate::program::Program;

/// Sample points tried for a numeric comparison.
const TRIALS: usize = 96;
/// Points where both sides are finite that a numeric comparison needs.
const MIN_POINTS: usize = 8;
/// Relative agreement required at every point: well above rounding in
/// evaluating either side, far below any real difference.
const TOLERANCE: f64 = 1e-7;

/// How a result was checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verification {
    /// The difference simplified to zero.
    Symbolic,
    /// Both sides agreed within a relative 1e-7 at `points` points where
    /// both are finite (and nowhere disagreed).
    Numeric { points: usize },
}

/// Whether `d big_f / d var` equals `f`.
pub(crate) fn derivative_matches(
    arena: &mut Arena,
    big_f: Id,
    f: Id,
    var: &str,
) -> Option<Verification> {
    let d = Differentiator::new(arena, var, "").diff(big_f).ok()?;
    equal(arena, d, f)
}

/// Whether `a` and `b` are the same function of their variables.
pub(crate) fn equal(arena: &mut Arena, a: Id, b: Id) -> Option<Verification> {
    let nb = arena.neg(b);
    let diff = arena.add(&[a, nb]);
    if arena.is_zero(diff) {
        return Some(Verification::Symbolic);
    }
    let mut memo = std::collections::HashMap::new();
    let expanded = super::diff::rebuild(arena, diff, &mut memo, &mut super::expand_power);
    if arena.is_zero(expanded) {
        return Some(Verification::Symbolic);
    }
    numerically_equal(arena, a, b).map(|points| Verification::Numeric { points })
}

/// Whether an expression is zero: symbolically, or at every sample point
/// where it is finite.
pub(crate) fn is_zero(s: &super::Symbolic) -> bool {
    let (mut arena, root) = s.arena.compact(s.root);
    let zero = arena.zero();
    equal(&mut arena, root, zero).is_some()
}

/// The points where both sides are finite, if there are enough and they
/// agree at all of them.
fn numerically_equal(arena: &Arena, a: Id, b: Id) -> Option<usize> {
    let mut names = arena.variables(a);
    for v in arena.variables(b) {
        if !names.contains(&v) {
            names.push(v);
        }
    }
    let pa = program(arena, a, &names)?;
    let pb = program(arena, b, &names)?;
    let mut rng = SplitMix(0x5eed_1234_abcd_0001);
    let mut point = vec![0.0; names.len()];
    let mut agreed = 0;
    for trial in 0..TRIALS {
        for v in &mut point {
            let u = rng.unit();
            // Half the points positive only (logarithms, square roots),
            // the rest on both sides of zero.
            *v = if trial % 2 == 0 {
                0.05 + 3.95 * u
            } else {
                -4.0 + 8.0 * u
            };
        }
        let (ya, yb) = (pa.eval(&point), pb.eval(&point));
        if !(ya.is_finite() && yb.is_finite()) {
            continue;
        }
        let scale = 1.0f64.max(ya.abs()).max(yb.abs());
        if (ya - yb).abs() > TOLERANCE * scale {
            return None;
        }
        agreed += 1;
    }
    (agreed >= MIN_POINTS).then_some(agreed)
}

/// `id` compiled over `names`, through its printed form.
pub(crate) fn program(arena: &Arena, id: Id, names: &[String]) -> Option<Program> {
    let (mut small, root) = arena.compact(id);
    let shown = small.display(root);
    let text = print::text(&small, shown);
    Expr::parse(&text).ok()?.compile(names).ok()
}

/// A small fixed-seed generator: the check is deterministic, so a result
/// is either always returned or never.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
