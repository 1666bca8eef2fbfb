//! The limited-memory BFGS matrix in compact form, B = θI − W M Wᵀ with W = [Y, θS]
//! (Byrd, Nocedal and Schnabel 1994), and the two steps of L-BFGS-B that use it (Byrd,
//! Lu, Nocedal and Zhu 1995): the generalized Cauchy point along the projected gradient
//! path, and the subspace minimisation over the variables it leaves free.

use std::collections::VecDeque;

use faer::Mat;
use faer::prelude::*;

use crate::bounds::Bounds;

/// The last `memory` correction pairs (s, y) and the 2k×2k middle matrix M.
pub struct BfgsMatrix {
    memory: usize,
    s: VecDeque<Vec<f64>>,
    y: VecDeque<Vec<f64>>,
    pub theta: f64,
    middle: Mat<f64>,
}

impl BfgsMatrix {
    pub fn new(memory: usize) -> Self {
        BfgsMatrix {
            memory,
            s: VecDeque::new(),
            y: VecDeque::new(),
            theta: 1.0,
            middle: Mat::zeros(0, 0),
        }
    }

    pub fn pairs(&self) -> usize {
        self.s.len()
    }

    pub fn clear(&mut self) {
        self.s.clear();
        self.y.clear();
        self.theta = 1.0;
        self.middle = Mat::zeros(0, 0);
    }

    /// Adds a pair with sᵀy > 0 (the caller checks), dropping the oldest beyond memory.
    pub fn push(&mut self, s: Vec<f64>, y: Vec<f64>) {
        if self.s.len() == self.memory {
            self.s.pop_front();
            self.y.pop_front();
        }
        self.theta = dot(&y, &y) / dot(&s, &y);
        self.s.push_back(s);
        self.y.push_back(y);
        let k = self.s.len();
        // K = [[−D, Lᵀ], [L, θ SᵀS]], D = diag(sᵢᵀyᵢ), L the strictly lower part of SᵀY.
        let theta = self.theta;
        let kmat = Mat::from_fn(2 * k, 2 * k, |i, j| match (i < k, j < k) {
            (true, true) => {
                if i == j {
                    -dot(&self.s[i], &self.y[i])
                } else {
                    0.0
                }
            }
            (true, false) => {
                let (i, j) = (j - k, i);
                if i > j {
                    dot(&self.s[i], &self.y[j])
                } else {
                    0.0
                }
            }
            (false, true) => {
                let i = i - k;
                if i > j {
                    dot(&self.s[i], &self.y[j])
                } else {
                    0.0
                }
            }
            (false, false) => theta * dot(&self.s[i - k], &self.s[j - k]),
        });
        let mut inverse = Mat::<f64>::identity(2 * k, 2 * k);
        kmat.partial_piv_lu().solve_in_place(inverse.as_mut());
        self.middle = inverse;
    }

    /// Row i of W: [Y(i, ·), θ S(i, ·)].
    fn w_row(&self, i: usize) -> Vec<f64> {
        self.y
            .iter()
            .map(|y| y[i])
            .chain(self.s.iter().map(|s| self.theta * s[i]))
            .collect()
    }

    /// Wᵀ v.
    fn wt_times(&self, v: &[f64]) -> Vec<f64> {
        self.y
            .iter()
            .map(|y| dot(y, v))
            .chain(self.s.iter().map(|s| self.theta * dot(s, v)))
            .collect()
    }

    /// M v.
    fn m_times(&self, v: &[f64]) -> Vec<f64> {
        let n = v.len();
        (0..n)
            .map(|i| (0..n).map(|j| self.middle[(i, j)] * v[j]).sum())
            .collect()
    }

    /// The generalized Cauchy point: the first local minimiser of the quadratic model
    /// along the path x − t·g bent at the bounds. Returns it and c = Wᵀ(xᶜ − x).
    pub fn cauchy_point(&self, x: &[f64], g: &[f64], bounds: &Bounds) -> (Vec<f64>, Vec<f64>) {
        let n = x.len();
        let two_k = 2 * self.pairs();
        let mut xc = x.to_vec();
        let mut d = vec![0.0; n];
        let mut breaks: Vec<(f64, usize)> = Vec::new();
        for i in 0..n {
            let t = if g[i] < 0.0 {
                (x[i] - bounds.upper[i]) / g[i]
            } else if g[i] > 0.0 {
                (x[i] - bounds.lower[i]) / g[i]
            } else {
                f64::INFINITY
            };
            if t > 0.0 {
                d[i] = -g[i];
                if t.is_finite() {
                    breaks.push((t, i));
                }
            }
        }
        breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut p = self.wt_times(&d);
        let mut c = vec![0.0; two_k];
        let mut f1 = -dot(&d, &d);
        let mp = self.m_times(&p);
        let f2_org = -self.theta * f1 - dot(&p, &mp);
        let mut f2 = f2_org;
        if f2 <= 0.0 {
            // Only rounding can make dᵀBd non-positive; steepest descent to the first break.
            f2 = f64::EPSILON * f1.abs().max(1.0);
        }
        let mut dt_min = -f1 / f2;
        let mut t_old = 0.0;
        for &(t, b) in &breaks {
            let dt = t - t_old;
            if dt_min < dt {
                break;
            }
            let bound = if d[b] > 0.0 {
                bounds.upper[b]
            } else {
                bounds.lower[b]
            };
            let z = bound - x[b];
            xc[b] = bound;
            for (ci, pi) in c.iter_mut().zip(&p) {
                *ci += dt * pi;
            }
            let gb = g[b];
            let w = self.w_row(b);
            let mc = self.m_times(&c);
            let mp = self.m_times(&p);
            let mw = self.m_times(&w);
            f1 += dt * f2 + gb * gb + self.theta * gb * z - gb * dot(&w, &mc);
            f2 -= self.theta * gb * gb + 2.0 * gb * dot(&w, &mp) + gb * gb * dot(&w, &mw);
            f2 = f2.max(f64::EPSILON * f2_org.abs());
            for (pi, wi) in p.iter_mut().zip(&w) {
                *pi += gb * wi;
            }
            d[b] = 0.0;
            dt_min = -f1 / f2;
            t_old = t;
        }
        let dt_min = dt_min.max(0.0);
        let t = t_old + dt_min;
        for i in 0..n {
            if d[i] != 0.0 {
                xc[i] = (x[i] + t * d[i]).clamp(bounds.lower[i], bounds.upper[i]);
            }
        }
        for (ci, pi) in c.iter_mut().zip(&p) {
            *ci += dt_min * pi;
        }
        (xc, c)
    }

    /// The minimiser of the quadratic model over the variables free at the Cauchy point
    /// (the direct primal method, with the Sherman–Morrison–Woodbury form of the reduced
    /// inverse), projected back into the box. Falls back to the largest feasible fraction
    /// of the step when the projection would not descend.
    pub fn subspace_minimum(
        &self,
        x: &[f64],
        g: &[f64],
        xc: &[f64],
        c: &[f64],
        bounds: &Bounds,
    ) -> Vec<f64> {
        let free: Vec<usize> = (0..x.len())
            .filter(|&i| xc[i] > bounds.lower[i] && xc[i] < bounds.upper[i])
            .collect();
        if free.is_empty() {
            return xc.to_vec();
        }
        let theta = self.theta;
        let mc = self.m_times(c);
        // Reduced gradient of the model at xᶜ: g + θ(xᶜ − x) − W M c.
        let rc: Vec<f64> = free
            .iter()
            .map(|&i| g[i] + theta * (xc[i] - x[i]) - dot(&self.w_row(i), &mc))
            .collect();
        let mut du: Vec<f64> = rc.iter().map(|r| -r / theta).collect();
        let k2 = 2 * self.pairs();
        if k2 > 0 {
            let wz: Vec<Vec<f64>> = free.iter().map(|&i| self.w_row(i)).collect();
            let mut wtr = vec![0.0; k2];
            for (row, r) in wz.iter().zip(&rc) {
                for (a, w) in wtr.iter_mut().zip(row) {
                    *a += w * r;
                }
            }
            let v = self.m_times(&wtr);
            // N = I − (1/θ) M WZᵀ WZ.
            let wtw: Mat<f64> = Mat::from_fn(k2, k2, |a, b| {
                wz.iter().map(|row| row[a] * row[b]).sum::<f64>()
            });
            let mwtw = &self.middle * &wtw;
            let nmat = Mat::from_fn(k2, k2, |a, b| {
                (if a == b { 1.0 } else { 0.0 }) - mwtw[(a, b)] / theta
            });
            let mut u = Mat::from_fn(k2, 1, |a, _| v[a]);
            nmat.partial_piv_lu().solve_in_place(u.as_mut());
            for (dj, row) in du.iter_mut().zip(&wz) {
                let wu: f64 = (0..k2).map(|a| row[a] * u[(a, 0)]).sum();
                *dj -= wu / (theta * theta);
            }
        }
        if du.iter().any(|v| !v.is_finite()) {
            return xc.to_vec();
        }
        let mut xbar = xc.to_vec();
        for (&i, d) in free.iter().zip(&du) {
            xbar[i] = (xc[i] + d).clamp(bounds.lower[i], bounds.upper[i]);
        }
        let descent: f64 = (0..x.len()).map(|i| (xbar[i] - x[i]) * g[i]).sum();
        if descent < 0.0 {
            return xbar;
        }
        // Truncate instead: the largest α ≤ 1 keeping xᶜ + α·du inside the box.
        let mut alpha: f64 = 1.0;
        for (&i, &d) in free.iter().zip(&du) {
            if d > 0.0 {
                alpha = alpha.min((bounds.upper[i] - xc[i]) / d);
            } else if d < 0.0 {
                alpha = alpha.min((bounds.lower[i] - xc[i]) / d);
            }
        }
        let mut xbar = xc.to_vec();
        for (&i, d) in free.iter().zip(&du) {
            xbar[i] = (xc[i] + alpha * d).clamp(bounds.lower[i], bounds.upper[i]);
        }
        xbar
    }
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}
