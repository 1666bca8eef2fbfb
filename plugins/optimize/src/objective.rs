//! An expression as a function of the unknowns, with the parameters fixed: its value and
//! exact gradient (reverse mode over the compiled tape), counting evaluations.

use toolhost_expr::{Program, Scratch};

pub struct Objective<'a> {
    program: &'a Program,
    scratch: Scratch,
    /// Unknowns then parameters, the order the program was compiled in.
    point: Vec<f64>,
    grad: Vec<f64>,
    unknowns: usize,
    pub nfev: usize,
    pub ngev: usize,
}

impl<'a> Objective<'a> {
    /// `program` was compiled against the unknowns' names followed by the parameters'.
    pub fn new(program: &'a Program, unknowns: usize, params: &[f64]) -> Self {
        let mut point = vec![0.0; unknowns];
        point.extend_from_slice(params);
        Objective {
            scratch: program.scratch(),
            grad: vec![0.0; point.len()],
            program,
            point,
            unknowns,
            nfev: 0,
            ngev: 0,
        }
    }

    pub fn value(&mut self, x: &[f64]) -> f64 {
        self.nfev += 1;
        self.point[..self.unknowns].copy_from_slice(x);
        self.program.eval_with(&self.point, &mut self.scratch)
    }

    /// f(x), with ∇f(x) written to `grad`.
    pub fn value_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.nfev += 1;
        self.ngev += 1;
        self.point[..self.unknowns].copy_from_slice(x);
        let v = self
            .program
            .eval_grad(&self.point, &mut self.grad, &mut self.scratch);
        grad.copy_from_slice(&self.grad[..self.unknowns]);
        v
    }
}
