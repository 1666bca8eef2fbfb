//! Dormand–Prince 8(5,3): Hairer's DOP853 as scipy's solve_ivp(method="DOP853") has it.
//! Twelve stages and f at the step's end; the error estimate combines the differences to
//! the embedded fifth- and third-order solutions; the seventh-order interpolant needs three
//! more evaluations of f, made only for a step that is interpolated (an output time or an
//! event inside it), as scipy's dense_output() does. The adaptive driver is
//! [`crate::explicit`]'s.

use std::cell::{OnceCell, RefCell};

use crate::explicit::EmbeddedPair;
use crate::solver::{Dense, System};

// The coefficients of scipy.integrate._ivp.dop853_coefficients (those of Hairer's
// dop853.f), written as the shortest decimals that round-trip the same doubles.
/// The nodes: stages 0–11 of the step, 12 at its end, 13–15 for the interpolant.
const C: [f64; 16] = [
    0.0,
    0.05260015195876773,
    0.0789002279381516,
    0.1183503419072274,
    0.2816496580927726,
    0.3333333333333333,
    0.25,
    0.3076923076923077,
    0.6512820512820513,
    0.6,
    0.8571428571428571,
    1.0,
    1.0,
    0.1,
    0.2,
    0.7777777777777778,
];
/// Row s: the weights of stages 0..s in stage s; row 12 is the eighth-order solution
/// (B), rows 13–15 the interpolant's extra stages.
const A: [&[f64]; 16] = [
    &[],
    &[0.05260015195876773],
    &[0.0197250569845379, 0.0591751709536137],
    &[0.02958758547680685, 0.0, 0.08876275643042054],
    &[
        0.2413651341592667,
        0.0,
        -0.8845494793282861,
        0.924834003261792,
    ],
    &[
        0.037037037037037035,
        0.0,
        0.0,
        0.17082860872947386,
        0.12546768756682242,
    ],
    &[
        0.037109375,
        0.0,
        0.0,
        0.17025221101954405,
        0.06021653898045596,
        -0.017578125,
    ],
    &[
        0.03709200011850479,
        0.0,
        0.0,
        0.17038392571223998,
        0.10726203044637328,
        -0.015319437748624402,
        0.008273789163814023,
    ],
    &[
        0.6241109587160757,
        0.0,
        0.0,
        -3.3608926294469414,
        -0.868219346841726,
        27.59209969944671,
        20.154067550477894,
        -43.48988418106996,
    ],
    &[
        0.47766253643826434,
        0.0,
        0.0,
        -2.4881146199716677,
        -0.590290826836843,
        21.230051448181193,
        15.279233632882423,
        -33.28821096898486,
        -0.020331201708508627,
    ],
    &[
        -0.9371424300859873,
        0.0,
        0.0,
        5.186372428844064,
        1.0914373489967295,
        -8.149787010746927,
        -18.52006565999696,
        22.739487099350505,
        2.4936055526796523,
        -3.0467644718982196,
    ],
    &[
        2.273310147516538,
        0.0,
        0.0,
        -10.53449546673725,
        -2.0008720582248625,
        -17.9589318631188,
        27.94888452941996,
        -2.8589982771350235,
        -8.87285693353063,
        12.360567175794303,
        0.6433927460157636,
    ],
    &[
        0.054293734116568765,
        0.0,
        0.0,
        0.0,
        0.0,
        4.450312892752409,
        1.8915178993145003,
        -5.801203960010585,
        0.3111643669578199,
        -0.1521609496625161,
        0.20136540080403034,
        0.04471061572777259,
    ],
    &[
        0.056167502283047954,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.25350021021662483,
        -0.2462390374708025,
        -0.12419142326381637,
        0.15329179827876568,
        0.00820105229563469,
        0.007567897660545699,
        -0.008298,
    ],
    &[
        0.03183464816350214,
        0.0,
        0.0,
        0.0,
        0.0,
        0.028300909672366776,
        0.053541988307438566,
        -0.05492374857139099,
        0.0,
        0.0,
        -0.00010834732869724932,
        0.0003825710908356584,
        -0.00034046500868740456,
        0.1413124436746325,
    ],
    &[
        -0.42889630158379194,
        0.0,
        0.0,
        0.0,
        0.0,
        -4.697621415361164,
        7.683421196062599,
        4.06898981839711,
        0.3567271874552811,
        0.0,
        0.0,
        0.0,
        -0.0013990241651590145,
        2.9475147891527724,
        -9.15095847217987,
    ],
];
/// The eighth-order solution minus the embedded fifth-order one (the error estimate)…
const E5: [f64; 13] = [
    0.01312004499419488,
    0.0,
    0.0,
    0.0,
    0.0,
    -1.2251564463762044,
    -0.4957589496572502,
    1.6643771824549864,
    -0.35032884874997366,
    0.3341791187130175,
    0.08192320648511571,
    -0.022355307863886294,
    0.0,
];
/// …and minus the embedded third-order one, which keeps the estimate honest when the
/// fifth-order difference happens to be small.
const E3: [f64; 13] = [
    -0.18980075407240762,
    0.0,
    0.0,
    0.0,
    0.0,
    4.450312892752409,
    1.8915178993145003,
    -5.801203960010585,
    -0.4226823213237919,
    -0.1521609496625161,
    0.20136540080403034,
    0.02265179219836082,
    0.0,
];
/// The interpolant's coefficients 4–7 as weights of the 16 stages.
const D: [[f64; 16]; 4] = [
    [
        -8.428938276109013,
        0.0,
        0.0,
        0.0,
        0.0,
        0.5667149535193777,
        -3.0689499459498917,
        2.38466765651207,
        2.117034582445028,
        -0.871391583777973,
        2.2404374302607883,
        0.6315787787694688,
        -0.08899033645133331,
        18.148505520854727,
        -9.194632392478356,
        -4.436036387594894,
    ],
    [
        10.427508642579134,
        0.0,
        0.0,
        0.0,
        0.0,
        242.28349177525817,
        165.20045171727028,
        -374.5467547226902,
        -22.113666853125306,
        7.733432668472264,
        -30.674084731089398,
        -9.332130526430229,
        15.697238121770845,
        -31.139403219565178,
        -9.35292435884448,
        35.81684148639408,
    ],
    [
        19.985053242002433,
        0.0,
        0.0,
        0.0,
        0.0,
        -387.0373087493518,
        -189.17813819516758,
        527.8081592054236,
        -11.57390253995963,
        6.8812326946963,
        -1.0006050966910838,
        0.7777137798053443,
        -2.778205752353508,
        -60.19669523126412,
        84.32040550667716,
        11.99229113618279,
    ],
    [
        -25.69393346270375,
        0.0,
        0.0,
        0.0,
        0.0,
        -154.18974869023643,
        -231.5293791760455,
        357.6391179106141,
        93.40532418362432,
        -37.45832313645163,
        104.0996495089623,
        29.8402934266605,
        -43.53345659001114,
        96.32455395918828,
        -39.17726167561544,
        -149.72683625798564,
    ],
];

/// The stages of the step (0–11), f at its end (12), the interpolant's (13–15).
const STAGES: usize = 16;
/// Index of f at the step's end.
const END: usize = 12;

pub struct Dop853 {
    k: [Vec<f64>; STAGES],
    ytmp: Vec<f64>,
    /// Evaluations made by the current step's interpolant.
    dense_evals: usize,
}

/// Stage `s` of the step of signed size `hs` from (t, y): f at y + hs·Σ A[s][j]·k[j].
fn stage(
    sys: &mut dyn System,
    k: &mut [Vec<f64>; STAGES],
    ytmp: &mut [f64],
    s: usize,
    t: f64,
    y: &[f64],
    hs: f64,
) {
    for (i, yt) in ytmp.iter_mut().enumerate() {
        let mut acc = 0.0;
        for (j, a) in A[s].iter().enumerate() {
            acc += a * k[j][i];
        }
        *yt = y[i] + acc * hs;
    }
    sys.rhs(t + C[s] * hs, ytmp, &mut k[s]);
}

impl EmbeddedPair for Dop853 {
    const ERROR_ORDER: u32 = 7;
    const EVALS_PER_STEP: usize = 12;

    fn with_dim(n: usize) -> Self {
        Dop853 {
            k: std::array::from_fn(|_| vec![0.0; n]),
            ytmp: vec![0.0; n],
            dense_evals: 0,
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
        for s in 1..END {
            stage(sys, &mut self.k, &mut self.ytmp, s, t, y, hs);
        }
        let k = &self.k;
        for (i, v) in y1.iter_mut().enumerate() {
            let mut acc = 0.0;
            for (j, b) in A[END].iter().enumerate() {
                acc += b * k[j][i];
            }
            *v = y[i] + hs * acc;
        }
        sys.rhs(t_new, y1, &mut self.k[END]);
    }

    fn error_norm(&self, hs: f64, scale: &[f64]) -> f64 {
        let (mut err5, mut err3) = (0.0, 0.0);
        for (i, sc) in scale.iter().enumerate() {
            let (mut e5, mut e3) = (0.0, 0.0);
            for j in 0..=END {
                e5 += E5[j] * self.k[j][i];
                e3 += E3[j] * self.k[j][i];
            }
            err5 += (e5 / sc) * (e5 / sc);
            err3 += (e3 / sc) * (e3 / sc);
        }
        if err5 == 0.0 && err3 == 0.0 {
            return 0.0;
        }
        // The fifth-order difference, scaled down where the third-order one is much larger
        // (the fifth-order estimate can vanish by accident; the third-order one rarely
        // does at the same time).
        hs.abs() * err5 / ((err5 + 0.01 * err3) * scale.len() as f64).sqrt()
    }

    fn dense<'a>(
        &'a mut self,
        sys: &'a mut dyn System,
        t: f64,
        hs: f64,
        y: &'a [f64],
        y1: &'a [f64],
    ) -> Dense<'a> {
        Dense::Dop853(Box::new(Interpolant {
            pair: RefCell::new(self),
            sys: RefCell::new(sys),
            t,
            h: hs,
            y,
            y1,
            coefficients: OnceCell::new(),
        }))
    }

    fn advance(&mut self) -> usize {
        let (first, rest) = self.k.split_at_mut(END);
        first[0].copy_from_slice(&rest[0]);
        std::mem::take(&mut self.dense_evals)
    }
}

/// The seventh-order interpolant of one accepted step, built on first use.
pub struct Interpolant<'a> {
    pair: RefCell<&'a mut Dop853>,
    sys: RefCell<&'a mut dyn System>,
    t: f64,
    h: f64,
    y: &'a [f64],
    y1: &'a [f64],
    coefficients: OnceCell<[Vec<f64>; 7]>,
}

impl Interpolant<'_> {
    /// y at t + θh.
    pub fn at(&self, theta: f64, out: &mut [f64]) {
        let f = self.coefficients.get_or_init(|| self.build());
        // y0 + θ(F0 + (1−θ)(F1 + θ(F2 + (1−θ)(F3 + θ(F4 + (1−θ)(F5 + θF6)))))).
        for (i, o) in out.iter_mut().enumerate() {
            let mut v = 0.0;
            for (j, fj) in f.iter().rev().enumerate() {
                v += fj[i];
                v *= if j % 2 == 0 { theta } else { 1.0 - theta };
            }
            *o = self.y[i] + v;
        }
    }

    fn build(&self) -> [Vec<f64>; 7] {
        let mut pair = self.pair.borrow_mut();
        let mut sys = self.sys.borrow_mut();
        let Dop853 {
            k,
            ytmp,
            dense_evals,
        } = &mut **pair;
        for s in END + 1..STAGES {
            stage(&mut **sys, k, ytmp, s, self.t, self.y, self.h);
        }
        *dense_evals += STAGES - END - 1;
        let h = self.h;
        let n = self.y.len();
        let mut f: [Vec<f64>; 7] = std::array::from_fn(|_| vec![0.0; n]);
        for i in 0..n {
            let dy = self.y1[i] - self.y[i];
            f[0][i] = dy;
            f[1][i] = h * k[0][i] - dy;
            f[2][i] = 2.0 * dy - h * (k[END][i] + k[0][i]);
            for (r, d) in D.iter().enumerate() {
                let mut acc = 0.0;
                for (j, dj) in d.iter().enumerate() {
                    acc += dj * k[j][i];
                }
                f[3 + r][i] = h * acc;
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explicit::solve;
    use crate::solver::{Control, Ending, Settings};

    /// y' = y·cos t, y(0) = 1: y = exp(sin t).
    struct Growth;
    impl System for Growth {
        fn dim(&self) -> usize {
            1
        }
        fn rhs(&mut self, t: f64, y: &[f64], dy: &mut [f64]) {
            dy[0] = y[0] * t.cos();
        }
    }

    fn exact(t: f64) -> f64 {
        t.sin().exp()
    }

    /// One step of size h from the exact solution at t = 0.3: the error at its end and
    /// of the interpolant at its middle.
    fn one_step(h: f64) -> (f64, f64) {
        let mut pair = Dop853::with_dim(1);
        let mut sys = Growth;
        let t = 0.3;
        let y = [exact(t)];
        sys.rhs(t, &y, pair.f_start());
        let mut y1 = [0.0];
        pair.attempt(&mut sys, t, &y, h, t + h, &mut y1);
        let end = (y1[0] - exact(t + h)).abs();
        let Dense::Dop853(interpolant) = pair.dense(&mut sys, t, h, &y, &y1) else {
            unreachable!("DOP853's own interpolant")
        };
        let mut mid = [0.0];
        interpolant.at(0.5, &mut mid);
        (end, (mid[0] - exact(t + 0.5 * h)).abs())
    }

    #[test]
    fn the_step_is_of_eighth_order_and_the_interpolant_of_seventh() {
        // Small enough steps to be in the asymptotic range (at 0.5 the step's order
        // still looks like 7.3), large enough that the errors stay above round-off.
        let (end1, mid1) = one_step(0.25);
        let (end2, mid2) = one_step(0.125);
        // Local errors O(h⁹) for an eighth-order step and O(h⁸) for a seventh-order
        // interpolant: halving h divides them by about 512 and 256.
        let step_order = (end1 / end2).log2() - 1.0;
        let dense_order = (mid1 / mid2).log2() - 1.0;
        assert!(step_order > 7.5, "{step_order} ({end1:e}, {end2:e})");
        assert!(dense_order > 6.5, "{dense_order} ({mid1:e}, {mid2:e})");
    }

    #[test]
    fn interpolating_costs_three_evaluations_per_interpolated_step_only() {
        let settings = Settings {
            rtol: 1e-10,
            atol: 1e-12,
            max_steps: 10_000,
            first_step: None,
            max_step: f64::INFINITY,
        };
        let mut worst: f64 = 0.0;
        let mut interpolated = 0;
        let (ending, counts) = solve::<Dop853>(&mut Growth, 0.0, &[1.0], 10.0, settings, |s| {
            // The steps of the second half only, each interpolated twice.
            if s.t0 > 5.0 {
                let mut y = [0.0];
                let tm = s.t0 + 0.37 * s.h;
                s.interpolate(tm, &mut y);
                s.interpolate(tm, &mut y);
                worst = worst.max((y[0] - exact(tm)).abs());
                interpolated += 1;
            }
            Control::Continue
        });
        assert_eq!(ending, Ending::Reached);
        assert!(interpolated > 3 && counts.accepted > interpolated);
        assert!(worst < 1e-9, "{worst}");
        assert_eq!(
            counts.nfev,
            12 * (counts.accepted + counts.rejected) + 2 + 3 * interpolated
        );
    }
}
