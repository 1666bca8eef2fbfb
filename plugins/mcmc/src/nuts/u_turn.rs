//! The generalised no-U-turn criterion: the momenta kept at the ends of a
//! subtree ([`Side`]) and the test that the trajectory has not yet turned
//! back on itself.

/// The momentum at one end of a subtree, and its "sharp" version M^-1 p
/// (the velocity) that the no-U-turn criterion uses: `[p | sharp]`.
#[derive(Clone, Debug)]
pub(super) struct Side {
    data: Vec<f64>,
    dim: usize,
}

impl Side {
    pub(super) fn new(dim: usize) -> Self {
        Side {
            data: vec![0.0; 2 * dim],
            dim,
        }
    }

    #[inline]
    pub(super) fn p(&self) -> &[f64] {
        &self.data[..self.dim]
    }

    #[inline]
    pub(super) fn sharp(&self) -> &[f64] {
        &self.data[self.dim..]
    }

    pub(super) fn set(&mut self, p: &[f64], inv_metric: &[f64]) {
        let (mine, sharp) = self.data.split_at_mut(self.dim);
        for (((m, s), p), w) in mine.iter_mut().zip(sharp).zip(p).zip(inv_metric) {
            *m = *p;
            *s = p * w;
        }
    }

    /// `set`, also adding `p` to `rho`, in one pass.
    pub(super) fn set_and_add(&mut self, p: &[f64], inv_metric: &[f64], rho: &mut [f64]) {
        let (mine, sharp) = self.data.split_at_mut(self.dim);
        for ((((m, s), p), w), r) in mine
            .iter_mut()
            .zip(sharp)
            .zip(p)
            .zip(inv_metric)
            .zip(rho.iter_mut())
        {
            *m = *p;
            *s = p * w;
            *r += p;
        }
    }

    pub(super) fn copy_from(&mut self, other: &Side) {
        self.data.copy_from_slice(&other.data);
    }
}

/// The trajectory keeps going while both ends still move apart along the
/// summed momentum `a + b`.
pub(super) fn no_u_turn(sharp_minus: &[f64], sharp_plus: &[f64], a: &[f64], b: &[f64]) -> bool {
    let (mut minus, mut plus) = (0.0, 0.0);
    for (((sm, sp), a), b) in sharp_minus.iter().zip(sharp_plus).zip(a).zip(b) {
        let rho = a + b;
        minus += sm * rho;
        plus += sp * rho;
    }
    minus > 0.0 && plus > 0.0
}
