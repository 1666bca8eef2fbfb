//! Laying out a tape from the intermediate form: dropping dead operations,
//! turning constant operands into immediates, assigning slots, and placing
//! the bodies of live reductions.

use std::collections::HashMap;

use super::errors::too_large;
use super::ir::{Body, Builder, IrOp, Rough, Val};
use crate::error::ExprError;
use crate::program::{Op, Reduction};

/// Drops dead ops, turns constant operands into immediates, assigns final
/// slots, and places the bodies of live reductions. Returns the tape, the
/// result slot, the first non-smooth operation and whether any operation
/// has a kink (`abs`, `min`, `max` on the variables).
pub(super) fn lower(
    b: &Builder,
    root: Val,
    leaf_slot: &[u32],
    bodies: &mut [Option<Body>],
    reductions: &mut Vec<Reduction>,
) -> Result<(Vec<Op>, u32, Option<Rough>, bool), ExprError> {
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
    let mut kinked = false;
    for (i, &op) in ops.iter().enumerate() {
        if !live[i] {
            continue;
        }
        kinked |= b.is_kinked(op);
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
                    kinked: inner_kinked,
                }) = bodies.get_mut(r as usize).and_then(Option::take)
                else {
                    return Err(too_large());
                };
                rough = Rough::earliest(rough, inner);
                kinked |= inner_kinked;
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
    Ok((tape.ops, result, rough, kinked))
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
