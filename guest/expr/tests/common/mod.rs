#![allow(dead_code)] // each test binary uses a different subset

use toolhost_expr::{Expr, ExprError, Program};

/// Evaluates an expression without variables.
pub fn ev(src: &str) -> f64 {
    match toolhost_expr::compile::<&str>(src, &[]) {
        Ok(p) => p.eval(&[]),
        Err(e) => panic!("{}", e.render(src)),
    }
}

pub fn prog(src: &str, vars: &[&str]) -> Program {
    match Expr::parse(src).and_then(|e| e.compile(vars)) {
        Ok(p) => p,
        Err(e) => panic!("{}", e.render(src)),
    }
}

pub fn err(src: &str) -> ExprError {
    match toolhost_expr::compile(src, &["x", "y"]) {
        Ok(_) => panic!("{src:?} should not compile"),
        Err(e) => e,
    }
}

/// Relative closeness with an absolute floor near zero.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// A tiny deterministic generator so tests need no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
