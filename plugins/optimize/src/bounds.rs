//! Box constraints: a lower and an upper bound per variable, infinite where there is none.

#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Bounds {
    pub fn unbounded(n: usize) -> Self {
        Bounds {
            lower: vec![f64::NEG_INFINITY; n],
            upper: vec![f64::INFINITY; n],
        }
    }

    /// Some variable has a finite bound.
    pub fn any(&self) -> bool {
        self.lower.iter().chain(&self.upper).any(|b| b.is_finite())
    }

    /// Every variable has both bounds.
    pub fn all_boxed(&self) -> bool {
        self.lower.iter().chain(&self.upper).all(|b| b.is_finite())
    }

    pub fn project(&self, x: &mut [f64]) {
        for ((xi, lo), hi) in x.iter_mut().zip(&self.lower).zip(&self.upper) {
            *xi = xi.clamp(*lo, *hi);
        }
    }

    /// The largest component of the projected gradient P(x − g) − x: zero at a point
    /// satisfying the first-order (KKT) conditions on the box.
    pub fn projected_gradient_norm(&self, x: &[f64], g: &[f64]) -> f64 {
        (0..x.len())
            .map(|i| ((x[i] - g[i]).clamp(self.lower[i], self.upper[i]) - x[i]).abs())
            .fold(0.0, f64::max)
    }
}
