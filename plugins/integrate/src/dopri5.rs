//! Dormand–Prince 5(4) (Hairer's DOPRI5, scipy's RK45) and its fourth-order continuous
//! extension for output at requested times and for locating events; the adaptive driver
//! is [`crate::explicit`]'s.

use crate::explicit::EmbeddedPair;
use crate::solver::{Dense, System, rms_norm};

// Butcher tableau of Dormand and Prince (1980), as in Hairer's dopri5.f.
const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
const A71: f64 = 35.0 / 384.0;
const A73: f64 = 500.0 / 1113.0;
const A74: f64 = 125.0 / 192.0;
const A75: f64 = -2187.0 / 6784.0;
const A76: f64 = 11.0 / 84.0;
// The fifth- minus the fourth-order weights: the local error estimate.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;
// The dense output of Shampine (1986), as in dopri5.f's contd5.
const D1: f64 = -12715105075.0 / 11282082432.0;
const D3: f64 = 87487479700.0 / 32700410799.0;
const D4: f64 = -10690763975.0 / 1880347072.0;
const D5: f64 = 701980252875.0 / 199316789632.0;
const D6: f64 = -1453857185.0 / 822651844.0;
const D7: f64 = 69997945.0 / 29380423.0;

/// Dormand–Prince 5(4): seven stages, the seventh f at the step's end.
pub struct Dopri5 {
    k: [Vec<f64>; 7],
    ytmp: Vec<f64>,
    rcont: [Vec<f64>; 5],
}

impl EmbeddedPair for Dopri5 {
    const ERROR_ORDER: u32 = 4;
    const EVALS_PER_STEP: usize = 6;

    fn with_dim(n: usize) -> Self {
        Dopri5 {
            k: std::array::from_fn(|_| vec![0.0; n]),
            ytmp: vec![0.0; n],
            rcont: std::array::from_fn(|_| vec![0.0; n]),
        }
    }

    fn f_start(&mut self) -> &mut [f64] {
        &mut self.k[0]
    }

    fn attempt(
        &mut self,
        sys: &mut dyn System,
        t: f64,
        y: &[f64],
        hs: f64,
        t_new: f64,
        y1: &mut [f64],
    ) {
        let n = y.len();
        let Dopri5 { k, ytmp, .. } = self;
        let mut stage = |k: &mut [Vec<f64>; 7], c: f64, a: &[f64], out: usize| {
            for i in 0..n {
                let mut s = 0.0;
                for (j, aj) in a.iter().enumerate() {
                    s += aj * k[j][i];
                }
                ytmp[i] = y[i] + hs * s;
            }
            sys.rhs(t + c * hs, ytmp, &mut k[out]);
        };
        stage(k, C2, &[A21], 1);
        stage(k, C3, &[A31, A32], 2);
        stage(k, C4, &[A41, A42, A43], 3);
        stage(k, C5, &[A51, A52, A53, A54], 4);
        stage(k, 1.0, &[A61, A62, A63, A64, A65], 5);
        for i in 0..n {
            y1[i] = y[i]
                + hs * (A71 * k[0][i]
                    + A73 * k[2][i]
                    + A74 * k[3][i]
                    + A75 * k[4][i]
                    + A76 * k[5][i]);
        }
        sys.rhs(t_new, y1, &mut k[6]);
    }

    fn error_norm(&self, hs: f64, scale: &[f64]) -> f64 {
        let k = &self.k;
        rms_norm(
            (0..scale.len()).map(|i| {
                hs * (E1 * k[0][i]
                    + E3 * k[2][i]
                    + E4 * k[3][i]
                    + E5 * k[4][i]
                    + E6 * k[5][i]
                    + E7 * k[6][i])
            }),
            scale,
        )
    }

    fn dense<'a>(
        &'a mut self,
        _sys: &'a mut dyn System,
        _t: f64,
        hs: f64,
        y: &'a [f64],
        y1: &'a [f64],
    ) -> Dense<'a> {
        let Dopri5 { k, rcont, .. } = self;
        for i in 0..y.len() {
            let ydiff = y1[i] - y[i];
            let bspl = hs * k[0][i] - ydiff;
            rcont[0][i] = y[i];
            rcont[1][i] = ydiff;
            rcont[2][i] = bspl;
            rcont[3][i] = ydiff - hs * k[6][i] - bspl;
            rcont[4][i] = hs
                * (D1 * k[0][i]
                    + D3 * k[2][i]
                    + D4 * k[3][i]
                    + D5 * k[4][i]
                    + D6 * k[5][i]
                    + D7 * k[6][i]);
        }
        Dense::Dopri(rcont)
    }

    fn advance(&mut self) -> usize {
        // First same as last: k7 of this step is k1 of the next.
        let (first, rest) = self.k.split_at_mut(6);
        first[0].copy_from_slice(&rest[0]);
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explicit::solve;
    use crate::solver::{Control, Ending, Settings};

    struct Decay;
    impl System for Decay {
        fn dim(&self) -> usize {
            1
        }
        fn rhs(&mut self, _t: f64, y: &[f64], dy: &mut [f64]) {
            dy[0] = -y[0];
        }
    }

    #[test]
    fn exponential_decay_meets_the_tolerance_and_the_dense_output_is_accurate() {
        let settings = Settings {
            rtol: 1e-10,
            atol: 1e-12,
            max_steps: 10_000,
            first_step: None,
            max_step: f64::INFINITY,
        };
        let mut worst_dense: f64 = 0.0;
        let mut end = 0.0;
        let (ending, counts) = solve::<Dopri5>(&mut Decay, 0.0, &[1.0], 5.0, settings, |s| {
            let mut y = [0.0];
            let tm = s.t0 + 0.37 * s.h;
            s.interpolate(tm, &mut y);
            worst_dense = worst_dense.max((y[0] - (-tm).exp()).abs());
            end = s.y1[0];
            Control::Continue
        });
        assert_eq!(ending, Ending::Reached);
        assert!((end - (-5f64).exp()).abs() < 1e-10, "{end}");
        assert!(worst_dense < 1e-9, "{worst_dense}");
        assert!(counts.accepted > 10 && counts.nfev == 6 * (counts.accepted + counts.rejected) + 2);
    }
}
