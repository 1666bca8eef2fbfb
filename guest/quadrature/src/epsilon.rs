//! Wynn's epsilon algorithm as QUADPACK's dqelg runs it: the adaptive driver feeds it the
//! sequence of integral estimates it gets while bisecting towards an endpoint singularity,
//! and it extrapolates the limit of that sequence, with an error estimate from the last
//! three extrapolations.

const EPMACH: f64 = f64::EPSILON;
const OFLOW: f64 = f64::MAX;
/// The longest table kept; older entries are dropped past it.
const LIMEXP: usize = 50;

/// The epsilon table and the last three extrapolated values.
pub struct EpsilonTable {
    /// 1-based, as in QUADPACK (index 0 unused): entries 1..=n are the current lower
    /// diagonal of the table, two more are scratch.
    epstab: [f64; LIMEXP + 3],
    /// Number of entries in the table.
    pub n: usize,
    res3la: [f64; 3],
    /// Calls so far.
    nres: usize,
}

impl EpsilonTable {
    pub fn new() -> Self {
        EpsilonTable {
            epstab: [0.0; LIMEXP + 3],
            n: 0,
            res3la: [0.0; 3],
            nres: 0,
        }
    }

    /// Appends an element of the sequence.
    pub fn push(&mut self, value: f64) {
        self.n += 1;
        self.epstab[self.n] = value;
    }

    /// Extrapolates from the table: (limit estimate, its error estimate).
    pub fn extrapolate(&mut self) -> (f64, f64) {
        let t = &mut self.epstab;
        let mut n = self.n;
        self.nres += 1;
        let mut abserr = OFLOW;
        let mut result = t[n];
        if n < 3 {
            return (result, abserr.max(5.0 * EPMACH * result.abs()));
        }
        t[n + 2] = t[n];
        let newelm = (n - 1) / 2;
        t[n] = OFLOW;
        let num = n;
        let mut k1 = n;
        let mut converged = false;
        for i in 1..=newelm {
            let k2 = k1 - 1;
            let k3 = k1 - 2;
            let res = t[k1 + 2];
            let e0 = t[k3];
            let e1 = t[k2];
            let e2 = res;
            let e1abs = e1.abs();
            let delta2 = e2 - e1;
            let err2 = delta2.abs();
            let tol2 = e2.abs().max(e1abs) * EPMACH;
            let delta3 = e1 - e0;
            let err3 = delta3.abs();
            let tol3 = e1abs.max(e0.abs()) * EPMACH;
            if err2 <= tol2 && err3 <= tol3 {
                // e0, e1 and e2 agree to machine accuracy: convergence is assumed.
                result = res;
                abserr = err2 + err3;
                converged = true;
                break;
            }
            let e3 = t[k1];
            t[k1] = e1;
            let delta1 = e1 - e3;
            let err1 = delta1.abs();
            let tol1 = e1abs.max(e3.abs()) * EPMACH;
            // Two elements very close to each other: drop the rest of the table.
            let irregular = err1 <= tol1 || err2 <= tol2 || err3 <= tol3;
            let ss = 1.0 / delta1 + 1.0 / delta2 - 1.0 / delta3;
            let epsinf = (ss * e1).abs();
            if irregular || epsinf.is_nan() || epsinf <= 1e-4 {
                n = i + i - 1;
                break;
            }
            let res = e1 + 1.0 / ss;
            t[k1] = res;
            k1 -= 2;
            let error = err2 + (res - e2).abs() + err3;
            if error <= abserr {
                abserr = error;
                result = res;
            }
        }
        if !converged {
            // Shift the table: keep its lower diagonal.
            if n == LIMEXP {
                n = 2 * (LIMEXP / 2) - 1;
            }
            let mut ib = if num.is_multiple_of(2) { 2 } else { 1 };
            for _ in 0..=newelm {
                t[ib] = t[ib + 2];
                ib += 2;
            }
            if num != n {
                t.copy_within(num - n + 1..=num, 1);
            }
            if self.nres < 4 {
                self.res3la[self.nres - 1] = result;
                abserr = OFLOW;
            } else {
                let r = &mut self.res3la;
                abserr = (result - r[2]).abs() + (result - r[1]).abs() + (result - r[0]).abs();
                r[0] = r[1];
                r[1] = r[2];
                r[2] = result;
            }
        }
        self.n = n;
        (result, abserr.max(5.0 * EPMACH * result.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partial_sums_of_a_slow_alternating_series_are_extrapolated_to_ln_2() {
        // 1 - 1/2 + 1/3 - ...: after 12 terms the sum is off by 0.04; epsilon gets 1e-9.
        let mut table = EpsilonTable::new();
        let mut sum = 0.0;
        let mut best = (0.0, f64::MAX);
        for k in 1..=12 {
            sum += if k % 2 == 1 { 1.0 } else { -1.0 } / k as f64;
            table.push(sum);
            if table.n >= 3 {
                best = table.extrapolate();
            }
        }
        let ln2 = std::f64::consts::LN_2;
        assert!((sum - ln2).abs() > 0.03);
        assert!((best.0 - ln2).abs() < 1e-8, "{best:?}");
        assert!(
            best.1 >= (best.0 - ln2).abs(),
            "the estimate covers the error: {best:?}"
        );
    }
}
