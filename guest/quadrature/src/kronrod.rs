//! The Gauss–Kronrod rules of QUADPACK: 21 points (10-point Gauss inside) for finite
//! intervals, and 15 points (7-point Gauss inside) on (0, 1] for an infinite range mapped
//! by x = boun + sign·(1 − t)/t. Each returns, besides the Kronrod estimate, the error
//! estimate QUADPACK derives from the Gauss–Kronrod difference and the two integrals of
//! |f| it uses to judge round-off.

// The nodes and weights keep QUADPACK's published digits, so they can be checked against it.
#![allow(clippy::excessive_precision)]

/// One rule applied to one interval.
#[derive(Clone, Copy, Debug)]
pub struct RuleResult {
    /// The Kronrod estimate of the integral.
    pub result: f64,
    /// The error estimate.
    pub abserr: f64,
    /// The integral of |f|.
    pub resabs: f64,
    /// The integral of |f − mean f|.
    pub resasc: f64,
}

/// A rule the adaptive driver can bisect with: it integrates over [a, b] of its own
/// parameter space and says how many evaluations one application costs.
pub trait Rule {
    fn apply(&mut self, a: f64, b: f64) -> RuleResult;
    fn evals_per_interval(&self) -> usize;
}

const EPMACH: f64 = f64::EPSILON;
const UFLOW: f64 = f64::MIN_POSITIVE;

// Abscissae and weights from QUADPACK's dqk21 (Piessens et al., 1983).
const XGK21: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
const WGK21: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_208_965_780_031,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
const WG10: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];

// From QUADPACK's dqk15i; the Gauss weights sit at the Kronrod nodes they share.
const XGK15: [f64; 8] = [
    0.991_455_371_120_812_639_206_854_697_526_329,
    0.949_107_912_342_758_524_526_189_684_047_851,
    0.864_864_423_359_769_072_789_712_788_640_926,
    0.741_531_185_599_394_439_863_864_773_280_788,
    0.586_087_235_467_691_130_294_144_845_693_013,
    0.405_845_151_377_397_166_906_606_412_076_961,
    0.207_784_955_007_898_467_600_689_403_773_245,
    0.0,
];
const WGK15: [f64; 8] = [
    0.022_935_322_010_529_224_963_732_008_058_970,
    0.063_092_092_629_978_553_290_700_663_189_204,
    0.104_790_010_322_250_183_839_876_322_541_518,
    0.140_653_259_715_525_918_745_189_590_510_238,
    0.169_004_726_639_267_902_826_583_426_598_550,
    0.190_350_578_064_785_409_913_256_402_421_014,
    0.204_432_940_075_298_892_414_161_999_234_649,
    0.209_482_141_084_727_828_012_999_174_891_714,
];
const WG15: [f64; 8] = [
    0.0,
    0.129_484_966_168_869_693_270_611_432_679_082,
    0.0,
    0.279_705_391_489_276_667_901_467_771_423_780,
    0.0,
    0.381_830_050_505_118_944_950_369_775_488_975,
    0.0,
    0.417_959_183_673_469_387_755_102_040_816_327,
];

/// QUADPACK's error estimate from the raw Gauss–Kronrod difference: scaled by resasc so
/// that a smooth integrand is not penalised for the difference alone, and never below
/// what round-off in the sum can explain.
fn scale_error(raw: f64, resabs: f64, resasc: f64) -> f64 {
    let mut abserr = raw;
    if resasc != 0.0 && abserr != 0.0 {
        abserr = resasc * (200.0 * abserr / resasc).powf(1.5).min(1.0);
    }
    if resabs > UFLOW / (50.0 * EPMACH) {
        abserr = abserr.max(EPMACH * 50.0 * resabs);
    }
    abserr
}

/// What a rule sums over its symmetric node pairs: the Kronrod sum (`resk`), the sum of
/// |f| (`resabs`), and the values left (`fv1`) and right (`fv2`) of the centre, which the
/// tail reuses.
struct Sums<const N: usize> {
    resk: f64,
    resabs: f64,
    fv1: [f64; N],
    fv2: [f64; N],
}

impl<const N: usize> Sums<N> {
    /// Start from the centre's value `fc`, whose Kronrod weight is `wgk_centre`.
    fn new(fc: f64, wgk_centre: f64) -> Self {
        let resk = wgk_centre * fc;
        Sums {
            resk,
            resabs: resk.abs(),
            fv1: [0.0; N],
            fv2: [0.0; N],
        }
    }

    /// Add the pair f1 = f(centre − x_j), f2 = f(centre + x_j) with Kronrod weight `wgk`;
    /// returns f1 + f2 for the Gauss sum.
    fn add_pair(&mut self, j: usize, wgk: f64, f1: f64, f2: f64) -> f64 {
        self.fv1[j] = f1;
        self.fv2[j] = f2;
        let fsum = f1 + f2;
        self.resk += wgk * fsum;
        self.resabs += wgk * (f1.abs() + f2.abs());
        fsum
    }

    /// The tail every rule shares, in QUADPACK's order of operations: from these sums,
    /// the Gauss sum `resg` and the centre's value `fc`, weighted by `wgk` (whose last
    /// entry is the centre's), the estimate over the interval of half-length `hlgth`.
    fn finish(&self, hlgth: f64, resg: f64, fc: f64, wgk: &[f64]) -> RuleResult {
        let reskh = self.resk * 0.5;
        let mut resasc = wgk[N] * (fc - reskh).abs();
        for j in 0..N {
            resasc += wgk[j] * ((self.fv1[j] - reskh).abs() + (self.fv2[j] - reskh).abs());
        }
        let dhlgth = hlgth.abs();
        let resabs = self.resabs * dhlgth;
        let resasc = resasc * dhlgth;
        RuleResult {
            result: self.resk * hlgth,
            abserr: scale_error(((self.resk - resg) * hlgth).abs(), resabs, resasc),
            resabs,
            resasc,
        }
    }
}

/// The 21-point rule on a finite interval.
pub struct Kronrod21<F> {
    pub f: F,
}

impl<F: FnMut(f64) -> f64> Rule for Kronrod21<F> {
    fn evals_per_interval(&self) -> usize {
        21
    }

    fn apply(&mut self, a: f64, b: f64) -> RuleResult {
        let centr = 0.5 * (a + b);
        let hlgth = 0.5 * (b - a);
        let mut resg = 0.0;
        let fc = (self.f)(centr);
        let mut sums = Sums::<10>::new(fc, WGK21[10]);
        // Nodes shared with the Gauss rule (odd positions), then Kronrod-only ones; the
        // order matters only for the bits of the sums, kept as QUADPACK's.
        for (j, wg) in WG10.iter().enumerate() {
            let jtw = 2 * j + 1;
            let absc = hlgth * XGK21[jtw];
            let (f1, f2) = ((self.f)(centr - absc), (self.f)(centr + absc));
            resg += wg * sums.add_pair(jtw, WGK21[jtw], f1, f2);
        }
        for j in 0..5 {
            let jtwm1 = 2 * j;
            let absc = hlgth * XGK21[jtwm1];
            let (f1, f2) = ((self.f)(centr - absc), (self.f)(centr + absc));
            sums.add_pair(jtwm1, WGK21[jtwm1], f1, f2);
        }
        sums.finish(hlgth, resg, fc, &WGK21)
    }
}

/// Which infinite range the 15-point rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// (bound, +∞)
    Above,
    /// (−∞, bound)
    Below,
    /// (−∞, +∞): f(x) + f(−x) over (0, +∞).
    Both,
}

/// The 15-point rule on t ∈ (0, 1], for ∫ f over an infinite range through
/// x = bound ± (1 − t)/t, dx = dt/t².
pub struct Kronrod15Infinite<F> {
    pub f: F,
    pub bound: f64,
    pub range: Range,
}

impl<F: FnMut(f64) -> f64> Kronrod15Infinite<F> {
    /// f at the image of t, folded for a doubly infinite range, times the Jacobian.
    fn transformed(&mut self, t: f64) -> f64 {
        let sign = if self.range == Range::Below {
            -1.0
        } else {
            1.0
        };
        let x = self.bound + sign * (1.0 - t) / t;
        let mut v = (self.f)(x);
        if self.range == Range::Both {
            v += (self.f)(-x);
        }
        (v / t) / t
    }
}

impl<F: FnMut(f64) -> f64> Rule for Kronrod15Infinite<F> {
    fn evals_per_interval(&self) -> usize {
        if self.range == Range::Both { 30 } else { 15 }
    }

    fn apply(&mut self, a: f64, b: f64) -> RuleResult {
        let centr = 0.5 * (a + b);
        let hlgth = 0.5 * (b - a);
        let fc = self.transformed(centr);
        let mut resg = WG15[7] * fc;
        let mut sums = Sums::<7>::new(fc, WGK15[7]);
        for j in 0..7 {
            let absc = hlgth * XGK15[j];
            let (f1, f2) = (
                self.transformed(centr - absc),
                self.transformed(centr + absc),
            );
            resg += WG15[j] * sums.add_pair(j, WGK15[j], f1, f2);
        }
        // t runs upwards on (0, 1], so the half-length is positive.
        sums.finish(hlgth, resg, fc, &WGK15)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_21_point_rule_is_exact_for_degree_31_and_its_gauss_part_for_19() {
        // Kronrod 21 integrates degree 3·10+1 exactly; x^30 on [-1, 1] is 2/31.
        let r = Kronrod21 {
            f: |x: f64| x.powi(30),
        }
        .apply(-1.0, 1.0);
        assert!((r.result - 2.0 / 31.0).abs() < 1e-15, "{r:?}");
        let r = Kronrod21 {
            f: |x: f64| x.powi(18) + 1.0,
        }
        .apply(0.0, 2.0);
        assert!(
            (r.result - (2f64.powi(19) / 19.0 + 2.0)).abs() < 1e-9,
            "{r:?}"
        );
        assert!(r.abserr < 1e-8, "the Gauss part is exact too: {r:?}");
    }

    #[test]
    fn the_infinite_rule_integrates_a_gaussian_over_the_line() {
        let mut rule = Kronrod15Infinite {
            f: |x: f64| (-x * x).exp(),
            bound: 0.0,
            range: Range::Both,
        };
        // One application is coarse; two halves already agree with √π to a few digits.
        let r = rule.apply(0.0, 0.5).result + rule.apply(0.5, 1.0).result;
        assert!((r - std::f64::consts::PI.sqrt()).abs() < 1e-3, "{r}");
        assert_eq!(rule.evals_per_interval(), 30);
    }
}
