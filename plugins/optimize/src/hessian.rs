//! Exact Hessian-vector products. The expression language's reverse mode gives exact
//! gradients but has no forward mode to nest over it, while its symbolic module
//! differentiates every function of the language; so the gradient is written out
//! symbolically once, the scalar v·∇f(x) is compiled with v as extra variables, and its
//! reverse-mode gradient with respect to x is H(x)·v: one compiled program, one tape pass
//! per product, no finite differences.

use toolhost_expr::{ErrorKind, Expr, Program, Scratch, Symbolic};
use toolhost_sdk::{ToolError, json};

pub struct HessianVector {
    program: Program,
    scratch: Scratch,
    point: Vec<f64>,
    grad: Vec<f64>,
    unknowns: usize,
    params: usize,
    pub count: usize,
}

impl HessianVector {
    /// Builds the product for `expr` (the field `/f`) over `unknowns`, with `params` fixed
    /// at `param_values`.
    pub fn new(
        expr: &Expr,
        unknowns: &[String],
        params: &[String],
        param_values: &[f64],
    ) -> Result<Self, ToolError> {
        let symbolic = Symbolic::new(expr).map_err(|e| not_formed(&e.to_string()))?;
        let taken: Vec<&String> = unknowns.iter().chain(params).collect();
        let mut prefix = String::from("hv_");
        while taken.iter().any(|n| n.starts_with(&prefix)) {
            prefix.insert(0, 'v');
        }
        let directions: Vec<String> = (0..unknowns.len())
            .map(|i| format!("{prefix}{i}"))
            .collect();
        let mut terms = Vec::with_capacity(unknowns.len());
        for (name, v) in unknowns.iter().zip(&directions) {
            let mut d = symbolic.clone();
            d.differentiate(name, 1).map_err(|e| match e.kind() {
                ErrorKind::NotSmooth => ToolError::invalid_input(format!(
                    "/f: trust_newton needs second derivatives, but {e}; use method \
                     \"lbfgsb\" or \"nelder_mead\""
                ))
                .with_details(json!({ "pointer": "/f", "kind": "NotSmooth" })),
                _ => not_formed(&e.to_string()),
            })?;
            if d.as_number() != Some(0.0) {
                terms.push(format!("{v}*({d})"));
            }
        }
        let src = if terms.is_empty() {
            "0".to_owned()
        } else {
            terms.join(" + ")
        };
        let mut names: Vec<String> = unknowns.to_vec();
        names.extend(params.iter().cloned());
        names.extend(directions);
        let program = Expr::parse(&src)
            .and_then(|e| e.compile(&names))
            .map_err(|e| not_formed(&e.to_string()))?;
        let mut point = vec![0.0; names.len()];
        point[unknowns.len()..unknowns.len() + params.len()].copy_from_slice(param_values);
        Ok(HessianVector {
            scratch: program.scratch(),
            grad: vec![0.0; names.len()],
            program,
            point,
            unknowns: unknowns.len(),
            params: params.len(),
            count: 0,
        })
    }

    /// H(x)·v into `out`.
    pub fn product(&mut self, x: &[f64], v: &[f64], out: &mut [f64]) {
        self.count += 1;
        let n = self.unknowns;
        self.point[..n].copy_from_slice(x);
        self.point[n + self.params..].copy_from_slice(v);
        self.program
            .eval_grad(&self.point, &mut self.grad, &mut self.scratch);
        out.copy_from_slice(&self.grad[..n]);
    }
}

fn not_formed(why: &str) -> ToolError {
    ToolError::invalid_input(format!(
        "/f: the Hessian of f could not be formed symbolically for trust_newton ({why}); use \
         method \"lbfgsb\""
    ))
    .with_details(json!({ "pointer": "/f" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rosenbrock_hessian() {
        let expr = Expr::parse("(a - x)^2 + 100*(y - x^2)^2").unwrap();
        let names = ["x".to_owned(), "y".to_owned()];
        let mut hv = HessianVector::new(&expr, &names, &["a".to_owned()], &[1.0]).unwrap();
        let (x, y) = (-1.2, 1.0);
        // H = [[2 − 400(y − 3x²), −400x], [−400x, 200]].
        let h = [
            [2.0 - 400.0 * (y - 3.0 * x * x), -400.0 * x],
            [-400.0 * x, 200.0],
        ];
        let mut out = [0.0; 2];
        hv.product(&[x, y], &[0.3, -0.7], &mut out);
        for i in 0..2 {
            let want = h[i][0] * 0.3 + h[i][1] * -0.7;
            assert!(
                (out[i] - want).abs() < 1e-10 * want.abs().max(1.0),
                "{out:?}"
            );
        }
    }

    #[test]
    fn a_step_function_is_refused_at_f() {
        let expr = Expr::parse("floor(x) + x^2").unwrap();
        let e = HessianVector::new(&expr, &["x".to_owned()], &[], &[])
            .err()
            .unwrap();
        assert!(e.message.contains("trust_newton"), "{e}");
        assert_eq!(e.details.unwrap()["pointer"], "/f");
    }
}
