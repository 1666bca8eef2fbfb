//! Compilation of an [`Expr`] to a [`Program`]: binding names, lowering the
//! syntax tree to elementary operations with constant folding, building the
//! bodies of reductions, and laying out the final tapes. This file walks the
//! syntax tree and closes the bodies of reductions.

mod errors;
mod ir;
mod lower;
mod names;

use std::collections::HashMap;

use errors::{not_smooth, too_large, unbound_text, unknown_variable, unreduced};
use ir::{Body, BodyBuilder, Builder, IrOp, Leaf, Val};
use lower::lower;
use names::bind;

use crate::ast::{BinaryOp, Node, NodeId, NodeKind, UnaryOp};
use crate::data::Data;
use crate::elementary::{Bin, Un};
use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;
use crate::functions::Lower;
use crate::program::{Program, Reduction};
use crate::shape::{self, Binding};
use crate::text::{self, Text};

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
    let (ops, result, rough, kinked) =
        lower(&outer, root, &leaf_slot, &mut bodies, &mut reductions)?;
    Ok(Program {
        ops,
        names: vars.iter().map(|v| v.as_ref().to_owned()).collect(),
        result,
        non_smooth: rough.map(|r| not_smooth(expr, r)),
        kinked,
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
    let (ops, result, rough, kinked) =
        lower(&body.b, element, &leaf_slot, &mut [], &mut Vec::new())?;
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
        kinked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Op;

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
    fn kinks_on_the_variables_make_a_program_not_differentiable() {
        let mut data = Data::new();
        data.array("y", vec![-1.0, 2.0]);
        for src in ["-abs(x)", "max(x, 0)", "clamp(x, 0, 1)", "sum(abs(y - x))"] {
            let p = with_data(src, &["x"], &data);
            assert!(p.is_smooth(), "{src}");
            assert!(!p.is_differentiable(), "{src}");
        }
        for src in ["x^2 + abs(-3)", "sum(abs(y)) * x", "-x^2"] {
            assert!(with_data(src, &["x"], &data).is_differentiable(), "{src}");
        }
        assert!(!with_data("floor(x)", &["x"], &data).is_differentiable());
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
