//! Every built-in function against known values.

mod common;

use std::collections::BTreeSet;
use std::f64::consts::{E, EULER_GAMMA, FRAC_PI_2, FRAC_PI_4, LN_2, PI};

use common::{close, ev, prog};

/// (expression, expected, relative tolerance; 0 means bit-exact).
const CASES: &[(&str, f64, f64)] = &[
    ("sin(pi/6)", 0.5, 1e-15),
    ("sin(0)", 0.0, 0.0),
    ("cos(pi/3)", 0.5, 1e-15),
    ("cos(0)", 1.0, 0.0),
    ("tan(pi/4)", 1.0, 1e-15),
    ("asin(1)", FRAC_PI_2, 0.0),
    ("acos(-1)", PI, 0.0),
    ("acos(1)", 0.0, 0.0),
    ("atan(1)", FRAC_PI_4, 0.0),
    // atan2(y, x) in all four quadrants and on the axes.
    ("atan2(1, 1)", FRAC_PI_4, 0.0),
    ("atan2(1, -1)", 3.0 * FRAC_PI_4, 0.0),
    ("atan2(-1, -1)", -3.0 * FRAC_PI_4, 0.0),
    ("atan2(-1, 1)", -FRAC_PI_4, 0.0),
    ("atan2(0, -1)", PI, 0.0),
    ("atan2(1, 0)", FRAC_PI_2, 0.0),
    ("atan2(-1, 0)", -FRAC_PI_2, 0.0),
    ("sinh(1)", 1.175_201_193_643_801_4, 1e-15),
    ("cosh(1)", 1.543_080_634_815_243_7, 1e-15),
    ("tanh(0.5)", 0.462_117_157_260_009_74, 1e-15),
    ("asinh(1)", 0.881_373_587_019_543, 1e-15),
    ("acosh(2)", 1.316_957_896_924_816_6, 1e-15),
    ("atanh(0.5)", 0.549_306_144_334_054_9, 1e-15),
    ("exp(1)", E, 1e-15), // libm is within an ulp, not always exact
    ("exp(0)", 1.0, 0.0),
    ("expm1(1e-10)", 1.000_000_000_05e-10, 1e-15),
    ("ln(e)", 1.0, 0.0),
    ("ln(1)", 0.0, 0.0),
    ("log(100)", 4.605_170_185_988_092, 1e-15),
    ("log(8, 2)", 3.0, 0.0),
    ("log(1000, 10)", 3.0, 0.0),
    ("log(81, 3)", 4.0, 1e-15),
    ("log10(1000)", 3.0, 0.0),
    ("log2(1024)", 10.0, 0.0),
    ("log1p(1e-10)", 9.999_999_999_5e-11, 1e-15),
    ("log1p(e - 1)", 1.0, 1e-15),
    ("sqrt(2)", std::f64::consts::SQRT_2, 0.0),
    ("sqrt(16)", 4.0, 0.0),
    ("cbrt(-27)", -3.0, 0.0),
    ("cbrt(8)", 2.0, 0.0),
    ("abs(-3.5)", 3.5, 0.0),
    ("abs(2)", 2.0, 0.0),
    ("sign(-2)", -1.0, 0.0),
    ("sign(0)", 0.0, 0.0),
    ("sign(3)", 1.0, 0.0),
    ("floor(-2.5)", -3.0, 0.0),
    ("floor(2.5)", 2.0, 0.0),
    ("ceil(-2.5)", -2.0, 0.0),
    ("ceil(2.1)", 3.0, 0.0),
    ("round(-2.5)", -3.0, 0.0),
    ("round(2.5)", 3.0, 0.0),
    ("round(-2.4)", -2.0, 0.0),
    ("round(0.49999999999999994)", 0.0, 0.0),
    ("trunc(-2.7)", -2.0, 0.0),
    ("trunc(2.7)", 2.0, 0.0),
    ("min(3)", 3.0, 0.0),
    ("min(3, 1, 2)", 1.0, 0.0),
    ("min(-1, -5)", -5.0, 0.0),
    ("max(3, 1, 2)", 3.0, 0.0),
    ("max(7)", 7.0, 0.0),
    ("max(-1, -5, -3, -2)", -1.0, 0.0),
    ("pow(2, 10)", 1024.0, 0.0),
    ("pow(9, 0.5)", 3.0, 0.0),
    ("pow(-2, 3)", -8.0, 0.0),
    ("pow(3, 2)", 9.0, 0.0),
    ("hypot(3, 4)", 5.0, 0.0),
    ("hypot(1e300, 1e300)", 1.414_213_562_373_095_1e300, 1e-15),
    ("erf(1)", 0.842_700_792_949_714_9, 1e-15),
    ("erf(0)", 0.0, 0.0),
    ("erf(-1)", -0.842_700_792_949_714_9, 1e-15),
    ("erfc(1)", 0.157_299_207_050_285_13, 1e-15),
    ("erfc(10)", 2.088_487_583_762_545e-45, 1e-13),
    ("gamma(5)", 24.0, 0.0),
    ("gamma(1)", 1.0, 0.0),
    ("gamma(0.5)", 1.772_453_850_905_516, 1e-15),
    ("gamma(-0.5)", -3.544_907_701_811_032, 1e-15),
    ("lgamma(0.5)", 0.572_364_942_924_700_1, 1e-15),
    ("lgamma(10)", 12.801_827_480_081_469, 1e-15),
    ("lgamma(-0.5)", 1.265_512_123_484_645_4, 1e-15),
    ("lgamma(1)", 0.0, 0.0),
    ("factorial(0)", 1.0, 0.0),
    ("factorial(5)", 120.0, 0.0),
    ("factorial(20)", 2_432_902_008_176_640_000.0, 0.0),
    ("factorial(0.5)", 0.886_226_925_452_758, 1e-15),
    ("digamma(1)", -EULER_GAMMA, 5e-15),
    ("digamma(0.5)", -1.963_510_026_021_423_5, 5e-15),
    ("polygamma(1, 1)", PI * PI / 6.0, 1e-14),
    ("polygamma(2, 1)", -2.404_113_806_319_188_6, 1e-14),
    ("polygamma(0, 2)", 0.422_784_335_098_467_1, 5e-15),
    ("clamp(5, 0, 1)", 1.0, 0.0),
    ("clamp(-5, 0, 1)", 0.0, 0.0),
    ("clamp(0.5, 0, 1)", 0.5, 0.0),
    ("clamp(0.5, 1, 0)", 0.0, 0.0), // lo > hi gives hi, no panic
    ("if(1, 2, 3)", 2.0, 0.0),
    ("if(0, 2, 3)", 3.0, 0.0),
    ("if(-0.5, 2, 3)", 2.0, 0.0),
    ("if(1, 2, sqrt(-1))", 2.0, 0.0),
    ("mod(-7, 3)", 2.0, 0.0),
    ("mod(7, -3)", -2.0, 0.0),
    ("mod(7, 3)", 1.0, 0.0),
    ("mod(5.5, 2)", 1.5, 0.0),
    ("mod(-6, 3)", 0.0, 0.0),
    ("-7 % 3", -1.0, 0.0),
    ("7 % -3", 1.0, 0.0),
    ("5.5 % 2", 1.5, 0.0),
    // Without data arrays, a reduction has a single element.
    ("sum(2.5)", 2.5, 0.0),
    ("mean(-3)", -3.0, 0.0),
    ("len(7)", 1.0, 0.0),
    // Log densities against formulas evaluated independently.
    ("normal_lpdf(1.5, 0.5, 2)", -1.737_085_713_764_618, 1e-14),
    ("normal_lpdf(0, 0, 1)", -0.918_938_533_204_672_7, 0.0),
    (
        "student_t_lpdf(1, 3, 0, 1)",
        -1.576_252_994_527_071_3,
        1e-14,
    ),
    ("cauchy_lpdf(2, 1, 0.5)", -2.061_020_617_723_555, 1e-14),
    ("exponential_lpdf(0.5, 2)", -0.306_852_819_440_054_7, 1e-14),
    ("exponential_lpdf(-1, 2)", f64::NEG_INFINITY, 0.0),
    ("gamma_lpdf(2, 3, 1.5)", -1.090_457_495_115_561_2, 1e-14),
    ("gamma_lpdf(-0.5, 3, 1.5)", f64::NEG_INFINITY, 0.0),
    ("beta_lpdf(0.25, 2, 3)", 0.523_248_143_764_547_5, 1e-14),
    ("beta_lpdf(1.5, 2, 3)", f64::NEG_INFINITY, 0.0),
    ("lognormal_lpdf(2, 0, 1)", -1.852_312_220_723_718_8, 1e-14),
    ("lognormal_lpdf(0, 0, 1)", f64::NEG_INFINITY, 0.0),
    ("uniform_lpdf(0.3, -1, 3)", -1.386_294_361_119_890_6, 1e-14),
    ("uniform_lpdf(3.5, -1, 3)", f64::NEG_INFINITY, 0.0),
    ("binomial_lpmf(3, 10, 0.4)", -1.537_159_819_202_354_3, 1e-14),
    ("binomial_lpmf(11, 10, 0.4)", f64::NEG_INFINITY, 0.0),
    ("poisson_lpmf(4, 2.5)", -2.012_890_902_851_325_3, 1e-14),
    ("poisson_lpmf(1.5, 2.5)", f64::NEG_INFINITY, 0.0),
    ("bernoulli_lpmf(1, 0.3)", -1.203_972_804_325_936_1, 1e-14),
    ("bernoulli_lpmf(0, 0.3)", -0.356_674_943_938_732_4, 1e-14),
];

#[test]
fn known_values() {
    let mut failures = Vec::new();
    for &(src, want, tol) in CASES {
        let got = ev(src);
        let ok = if tol == 0.0 {
            got == want
        } else {
            close(got, want, tol)
        };
        if !ok {
            failures.push(format!("{src} = {got:e}, want {want:e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_function_has_a_known_value() {
    let tested: BTreeSet<&str> = CASES
        .iter()
        .filter_map(|(src, _, _)| src.split('(').next())
        .collect();
    for (name, _) in toolhost_expr::builtin_functions() {
        assert!(tested.contains(name), "no known-value case for {name}");
    }
}

#[test]
fn nan_handling() {
    // min and max propagate NaN instead of hiding it.
    assert!(ev("min(1, nan)").is_nan());
    assert!(ev("max(nan, 1)").is_nan());
    assert!(ev("clamp(nan, 0, 1)").is_nan());
    assert!(ev("sign(nan)").is_nan());
    // The untaken branch of if() does not leak, with variables too.
    let p = prog("if(x > 0, sqrt(x), -1)", &["x"]);
    assert_eq!(p.eval(&[-4.0]), -1.0);
    assert_eq!(p.eval(&[4.0]), 2.0);
    assert!(p.eval(&[f64::NAN]) == -1.0, "NaN > 0 is false");
}

#[test]
fn gamma_and_lgamma_agree() {
    for x in [0.3, 1.7, 4.2, 9.9, 30.5] {
        let lg = ev(&format!("lgamma({x})"));
        let g = ev(&format!("ln(gamma({x}))"));
        assert!(close(lg, g, 1e-13), "x={x}: {lg} vs {g}");
    }
    assert!(close(ev("lgamma(0.5)"), PI.sqrt().ln(), 1e-15));
    assert!(close(ev("lgamma(3)"), LN_2, 1e-15));
}

#[test]
fn same_function_with_variable_and_literal() {
    // A compiled call on a variable agrees bit-for-bit with the folded one.
    for &(src, _, _) in CASES {
        let Some(open) = src.find('(') else { continue };
        let Some(comma_or_close) = src[open..].find([',', ')']).map(|i| i + open) else {
            continue;
        };
        let first = &src[open + 1..comma_or_close];
        let Ok(x) = first.trim().parse::<f64>() else {
            continue;
        };
        let templated = format!("{}x{}", &src[..open + 1], &src[comma_or_close..]);
        let p = prog(&templated, &["x"]);
        let (a, b) = (p.eval(&[x]), ev(src));
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{templated} at x={x}: {a} vs {b}"
        );
    }
}
