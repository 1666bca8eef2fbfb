//! The target density as the samplers see it: a function of an
//! unconstrained vector, with its gradient.

use toolhost_expr::{Program, Scratch};

use crate::transform::Transform;

/// A log density on R^d, up to a constant.
pub trait LogDensity {
    fn dim(&self) -> usize;

    /// log p(q), writing d log p / dq into `grad`. Called in the samplers'
    /// inner loop: implementations must not allocate.
    fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64;

    /// log p(q) alone, for samplers that need no gradient.
    fn log_density(&mut self, q: &[f64]) -> f64;

    /// The values to report for the point `q`: the parameters on their own
    /// scale.
    fn constrain(&self, q: &[f64], x: &mut [f64]) {
        x.copy_from_slice(q);
    }
}

/// A compiled expression over constrained parameters, seen through their
/// transforms: log p(u) = f(x(u)) + sum log|dx/du|.
pub struct ExprModel {
    program: Program,
    scratch: Scratch,
    transforms: Vec<Transform>,
    /// Every transform is the identity: skip the mapping.
    plain: bool,
    x: Vec<f64>,
    grad_x: Vec<f64>,
    /// dx/du and d log|dx/du| / du at the last mapped point.
    dx: Vec<f64>,
    dlog_jacobian: Vec<f64>,
}

impl ExprModel {
    /// `transforms[i]` constrains the program's i-th variable.
    pub fn new(program: Program, transforms: Vec<Transform>) -> Self {
        let d = program.num_vars();
        debug_assert_eq!(d, transforms.len());
        ExprModel {
            scratch: program.scratch(),
            program,
            plain: transforms.iter().all(|t| *t == Transform::Identity),
            transforms,
            x: vec![0.0; d],
            grad_x: vec![0.0; d],
            dx: vec![0.0; d],
            dlog_jacobian: vec![0.0; d],
        }
    }

    /// Maps `q` into `self.x` and returns the log-Jacobian.
    fn map(&mut self, q: &[f64]) -> f64 {
        let mut log_jacobian = 0.0;
        for (i, (&u, t)) in q.iter().zip(&self.transforms).enumerate() {
            let m = t.forward(u);
            self.x[i] = m.x;
            self.dx[i] = m.dx;
            self.dlog_jacobian[i] = m.dlog_jacobian;
            log_jacobian += m.log_jacobian;
        }
        log_jacobian
    }

    pub fn transforms(&self) -> &[Transform] {
        &self.transforms
    }

    /// The density's value and gradient at constrained values `x`, without
    /// the Jacobian: what the user wrote, for error messages.
    pub fn user_density(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.program.eval_grad(x, grad, &mut self.scratch)
    }
}

impl LogDensity for ExprModel {
    fn dim(&self) -> usize {
        self.transforms.len()
    }

    fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64 {
        if self.plain {
            return self.program.eval_grad(q, grad, &mut self.scratch);
        }
        let log_jacobian = self.map(q);
        let lp = self
            .program
            .eval_grad(&self.x, &mut self.grad_x, &mut self.scratch);
        for (i, g) in grad.iter_mut().enumerate() {
            *g = self.grad_x[i] * self.dx[i] + self.dlog_jacobian[i];
        }
        lp + log_jacobian
    }

    fn log_density(&mut self, q: &[f64]) -> f64 {
        if self.plain {
            return self.program.eval_with(q, &mut self.scratch);
        }
        let log_jacobian = self.map(q);
        self.program.eval_with(&self.x, &mut self.scratch) + log_jacobian
    }

    fn constrain(&self, q: &[f64], x: &mut [f64]) {
        for ((x, &u), t) in x.iter_mut().zip(q).zip(&self.transforms) {
            *x = t.forward(u).x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_includes_the_transform_and_its_jacobian() {
        let program = toolhost_expr::compile(
            "normal_lpdf(a, 1, 2) + gamma_lpdf(s, 2, 3) + a * s",
            &["a", "s"],
        )
        .unwrap();
        let mut model = ExprModel::new(program, vec![Transform::Identity, Transform::Lower(0.0)]);
        let q = [0.4, -0.3];
        let mut g = [0.0; 2];
        let lp = model.log_density_grad(&q, &mut g);
        assert_eq!(lp, model.log_density(&q));
        let h = 1e-6;
        for i in 0..2 {
            let (mut hi, mut lo) = (q, q);
            hi[i] += h;
            lo[i] -= h;
            let fd = (model.log_density(&hi) - model.log_density(&lo)) / (2.0 * h);
            assert!((g[i] - fd).abs() < 1e-6, "d/dq{i}: {} vs {fd}", g[i]);
        }
    }
}
