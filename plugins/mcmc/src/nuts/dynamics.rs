//! Hamiltonian dynamics on phase space: the [`Point`] (position, momentum
//! and gradient in one buffer), its kinetic energy and Hamiltonian, and the
//! leapfrog integrator that moves it.

use crate::model::LogDensity;

/// A point in phase space, stored as one buffer `[q | p | grad]` so that a
/// copy is a single move.
#[derive(Clone, Debug)]
pub struct Point {
    pub(super) data: Vec<f64>,
    dim: usize,
    pub lp: f64,
}

impl Point {
    pub(super) fn new(dim: usize) -> Self {
        Point {
            data: vec![0.0; 3 * dim],
            dim,
            lp: 0.0,
        }
    }

    pub fn q(&self) -> &[f64] {
        &self.data[..self.dim]
    }

    pub fn p(&self) -> &[f64] {
        &self.data[self.dim..2 * self.dim]
    }

    pub(super) fn p_mut(&mut self) -> &mut [f64] {
        &mut self.data[self.dim..2 * self.dim]
    }

    /// Position (read) and gradient (write), for evaluating the density.
    pub(super) fn q_and_grad(&mut self) -> (&[f64], &mut [f64]) {
        let (qp, grad) = self.data.split_at_mut(2 * self.dim);
        (&qp[..self.dim], grad)
    }

    pub(super) fn copy_from(&mut self, other: &Point) {
        self.data.copy_from_slice(&other.data);
        self.lp = other.lp;
    }
}

fn kinetic(p: &[f64], inv_metric: &[f64]) -> f64 {
    0.5 * p
        .iter()
        .zip(inv_metric)
        .map(|(p, m)| p * p * m)
        .sum::<f64>()
}

pub(super) fn hamiltonian(z: &Point, inv_metric: &[f64]) -> f64 {
    -z.lp + kinetic(z.p(), inv_metric)
}

/// One leapfrog step; returns the kinetic energy at the new point, which
/// the last half-step computes on the way.
pub(super) fn leapfrog<M: LogDensity>(
    model: &mut M,
    z: &mut Point,
    inv_metric: &[f64],
    eps: f64,
) -> f64 {
    let half = 0.5 * eps;
    let d = z.dim;
    {
        let (qp, grad) = z.data.split_at_mut(2 * d);
        let (q, p) = qp.split_at_mut(d);
        for (((q, p), g), m) in q
            .iter_mut()
            .zip(p.iter_mut())
            .zip(grad.iter())
            .zip(inv_metric)
        {
            *p += half * g;
            *q += eps * m * *p;
        }
    }
    let (q, grad) = z.q_and_grad();
    z.lp = model.log_density_grad(q, grad);
    let (p, grad) = z.data[d..].split_at_mut(d);
    let mut kinetic = 0.0;
    for ((p, g), m) in p.iter_mut().zip(grad.iter()).zip(inv_metric) {
        *p += half * g;
        kinetic += *p * *p * m;
    }
    0.5 * kinetic
}
