//! Roots of equations in one unknown. Polynomials with numeric coefficients
//! are solved exactly: rational roots by the rational root theorem, then
//! what is left of each square-free factor by the quadratic formula,
//! Cardano (or the trigonometric form when all three roots are real) and
//! Ferrari; a factor of degree five or more gets numeric roots
//! (Durand–Kerner, polished by Newton on the whole polynomial). Other
//! equations are solved numerically on a range: sampled, sign changes
//! bracketed and refined by Brent's method, and touching roots (no sign
//! change) found by Newton's method with the exact derivative.
//!
//! Every root is substituted back before it is returned.

use num_complex::Complex64;
use num_traits::{Signed, ToPrimitive, Zero};

use super::Symbolic;
use super::polynomial::{MAX_DEGREE, Poly, Q, q, q_to_f64};
use crate::error::ExprError;

/// Samples over the range for sign changes and minima of |f|.
const SAMPLES: usize = 4_000;

/// One root of an equation.
#[derive(Clone, Debug)]
pub struct Root {
    /// The value (the real part of a complex root).
    pub re: f64,
    /// The imaginary part; 0 for a real root.
    pub im: f64,
    /// The real part as an exact expression, when one was found.
    pub exact_re: Option<Symbolic>,
    /// The imaginary part as an exact expression, for complex roots.
    pub exact_im: Option<Symbolic>,
    /// How many times the root repeats (1 for numeric roots).
    pub multiplicity: usize,
}

impl Root {
    pub fn is_real(&self) -> bool {
        self.im == 0.0
    }
}

impl Symbolic {
    /// All complex roots of the expression as a polynomial in `var` with
    /// numeric coefficients, or `None` when it is not one (or is a
    /// constant, or has degree above 64). Roots are exact expressions up to
    /// degree four (per irreducible factor); complex roots come in
    /// conjugate pairs. A root whose substitution check fails is left out.
    pub fn polynomial_roots(&self, var: &str) -> Result<Option<Vec<Root>>, ExprError> {
        super::check_variable(var)?;
        let Some(p) = Poly::from_expr(&self.arena, self.root, var) else {
            return Ok(None);
        };
        if p.degree() == 0 || p.degree() > MAX_DEGREE {
            return Ok(None);
        }
        let mut roots = Vec::new();
        for (part, mult) in p.square_free() {
            let mut rest = part;
            for r in rest.rational_roots() {
                rest = rest.divrem(&Poly::linear_root(&r)).0;
                roots.push(Root {
                    re: q_to_f64(&r),
                    im: 0.0,
                    exact_re: Some(constant(&q_text(&r))),
                    exact_im: None,
                    multiplicity: mult,
                });
            }
            let found = match rest.degree() {
                0 => Vec::new(),
                1 | 2 => quadratic(&rest),
                3 => cubic(&rest),
                4 => quartic(&rest),
                _ => numeric_polynomial(&rest),
            };
            roots.extend(found.into_iter().map(|mut r| {
                r.multiplicity = mult;
                r
            }));
        }
        let coeffs: Vec<f64> = p.coeffs().iter().map(q_to_f64).collect();
        roots.retain_mut(|r| check_polynomial_root(&coeffs, r));
        roots.sort_by(|a, b| {
            (a.im != 0.0)
                .cmp(&(b.im != 0.0))
                .then(a.re.total_cmp(&b.re))
                .then(a.im.total_cmp(&b.im))
        });
        Ok(Some(roots))
    }

    /// The real roots in `[lo, hi]`, found numerically; each satisfies the
    /// equation to rounding. Errors: `var` is not a variable name, or the
    /// expression has other variables.
    pub fn real_roots_in(&self, var: &str, lo: f64, hi: f64) -> Result<Vec<f64>, ExprError> {
        super::check_variable(var)?;
        let f = self.to_expr()?.compile(&[var])?;
        let mut d = self.clone();
        let df = match d.differentiate(var, 1) {
            Ok(d) => Some(d.to_expr()?.compile(&[var])?),
            Err(_) => None,
        };
        let eval = |x: f64| f.eval(&[x]);
        let step = (hi - lo) / SAMPLES as f64;
        let xs: Vec<f64> = (0..=SAMPLES).map(|i| lo + step * i as f64).collect();
        let ys: Vec<f64> = xs.iter().map(|&x| eval(x)).collect();
        let mut roots: Vec<f64> = Vec::new();
        let push = |r: f64, roots: &mut Vec<f64>| {
            if (lo..=hi).contains(&r)
                && !roots
                    .iter()
                    .any(|&s| (s - r).abs() <= 1e-9 * (1.0 + r.abs()))
            {
                roots.push(r);
            }
        };
        for i in 0..SAMPLES {
            let (a, b, fa, fb) = (xs[i], xs[i + 1], ys[i], ys[i + 1]);
            if !(fa.is_finite() && fb.is_finite()) {
                continue;
            }
            if fa == 0.0 {
                push(a, &mut roots);
                continue;
            }
            if fa.signum() != fb.signum() && fb != 0.0 {
                let r = brent(&eval, a, b, fa, fb);
                // A pole also changes sign; a root is where |f| is tiny
                // compared with the bracket's ends.
                if eval(r).abs() <= 1e-8 * fa.abs().max(fb.abs()).max(1.0) {
                    push(r, &mut roots);
                }
            }
        }
        if ys.last() == Some(&0.0) {
            push(hi, &mut roots);
        }
        // Touching roots: local minima of |f| without a sign change.
        if let Some(df) = &df {
            for i in 1..SAMPLES {
                let (y0, y1, y2) = (ys[i - 1], ys[i], ys[i + 1]);
                if !(y0.is_finite() && y1.is_finite() && y2.is_finite()) {
                    continue;
                }
                let touching = y1.abs() < y0.abs()
                    && y1.abs() <= y2.abs()
                    && y0.signum() == y1.signum()
                    && y1.signum() == y2.signum();
                if !touching {
                    continue;
                }
                if let Some(r) = newton(&eval, &|x| df.eval(&[x]), xs[i], xs[i - 1], xs[i + 1])
                    && eval(r).abs() <= 1e-12 * y0.abs().max(y2.abs()).max(1.0)
                {
                    push(r, &mut roots);
                }
            }
        }
        roots.sort_by(f64::total_cmp);
        Ok(roots)
    }
}

/// A number as an expression.
fn constant(text: &str) -> Symbolic {
    Symbolic::parse(text).expect("generated root expressions parse")
}

/// A rational in the expression language, parenthesised.
fn q_text(v: &Q) -> String {
    if v.is_integer() {
        format!("({})", v.numer())
    } else {
        format!("({}/{})", v.numer(), v.denom())
    }
}

/// `sqrt(v)` for a rational `v >= 0`, with square factors taken out.
fn sqrt_text(v: &Q) -> String {
    let (Some(n), Some(d)) = (v.numer().to_i64(), v.denom().to_i64()) else {
        return format!("sqrt{}", q_text(v));
    };
    let Some(mut r) = n.checked_mul(d) else {
        return format!("sqrt{}", q_text(v));
    };
    let mut s: i64 = 1;
    let mut p: i64 = 2;
    while p <= 10_000 && p * p <= r {
        while r % (p * p) == 0 {
            r /= p * p;
            s *= p;
        }
        p += 1;
    }
    format!("({s}/{d})*sqrt({r})")
}

fn eval_text(text: &str) -> f64 {
    let s = constant(text);
    s.to_expr()
        .and_then(|e| e.compile::<&str>(&[]))
        .map(|p| p.eval(&[]))
        .unwrap_or(f64::NAN)
}

fn real_root(text: String) -> Root {
    let re = eval_text(&text);
    Root {
        re,
        im: 0.0,
        exact_re: Some(constant(&text)),
        exact_im: None,
        multiplicity: 1,
    }
}

/// A conjugate pair `re ± i im`, the negative imaginary part first.
fn complex_pair(re: String, im: String) -> [Root; 2] {
    let (r, i) = (eval_text(&re), eval_text(&im));
    let positive = if i >= 0.0 {
        format!("({im})")
    } else {
        format!("(-({im}))")
    };
    let make = |text: String, v: f64| Root {
        re: r,
        im: v,
        exact_re: Some(constant(&re)),
        exact_im: Some(constant(&text)),
        multiplicity: 1,
    };
    [
        make(format!("-{positive}"), -i.abs()),
        make(positive.clone(), i.abs()),
    ]
}

/// Roots of a monic-able quadratic (or linear) with rational coefficients.
fn quadratic(p: &Poly) -> Vec<Root> {
    let m = p.monic();
    if m.degree() == 1 {
        return vec![real_root(q_text(&-m.coeff(0)))];
    }
    let (b, c) = (m.coeff(1), m.coeff(0));
    let disc = &b * &b - q(4) * &c;
    let mb = q_text(&(-&b / q(2)));
    if disc.is_negative() {
        let im = format!("{}/2", sqrt_text(&-disc));
        return complex_pair(mb, im).to_vec();
    }
    let s = sqrt_text(&disc);
    vec![
        real_root(format!("{mb} - {s}/2")),
        real_root(format!("{mb} + {s}/2")),
    ]
}

/// A quadratic `y² + b y + c` with coefficients given as expressions whose
/// values are known: its roots plus `shift`.
fn quadratic_text(b: &str, c: &str, shift: &str) -> Vec<Root> {
    let (bv, cv) = (eval_text(b), eval_text(c));
    let disc = bv * bv - 4.0 * cv;
    let d = format!("(({b})^2 - 4*({c}))");
    if disc < 0.0 {
        let re = format!("-({b})/2 + {shift}");
        let im = format!("sqrt(-{d})/2");
        return complex_pair(re, im).to_vec();
    }
    vec![
        real_root(format!("(-({b}) - sqrt({d}))/2 + {shift}")),
        real_root(format!("(-({b}) + sqrt({d}))/2 + {shift}")),
    ]
}

/// Roots of an irreducible cubic: Cardano when one root is real, the
/// trigonometric form when all three are (no complex cube roots needed).
fn cubic(p: &Poly) -> Vec<Root> {
    let m = p.monic();
    let (a, b, c) = (m.coeff(2), m.coeff(1), m.coeff(0));
    // x = t - a/3: t³ + p t + q = 0.
    let pp = &b - &a * &a / q(3);
    let qq = q(2) * &a * &a * &a / q(27) - &a * &b / q(3) + &c;
    let shift = q_text(&(-&a / q(3)));
    let delta = &qq * &qq / q(4) + &pp * &pp * &pp / q(27);
    if delta.is_positive() {
        let mq2 = q_text(&(-&qq / q(2)));
        let sd = sqrt_text(&delta);
        let big_a = format!("cbrt({mq2} + {sd})");
        let big_b = format!("cbrt({mq2} - {sd})");
        let mut roots = vec![real_root(format!("{big_a} + {big_b} + {shift}"))];
        let re = format!("-({big_a} + {big_b})/2 + {shift}");
        let im = format!("sqrt(3)*({big_a} - {big_b})/2");
        roots.extend(complex_pair(re, im));
        return roots;
    }
    // Three real roots: t_k = 2 sqrt(-p/3) cos(acos(3q/(2p) sqrt(-3/p))/3 - 2πk/3).
    let r = sqrt_text(&(-&pp / q(3)));
    let arg = format!(
        "{}*{}",
        q_text(&(q(3) * &qq / (q(2) * &pp))),
        sqrt_text(&(q(-3) / &pp))
    );
    (0..3)
        .map(|k| real_root(format!("2*{r}*cos(acos({arg})/3 - 2*pi*{k}/3) + {shift}")))
        .collect()
}

/// Roots of a quartic without rational roots: biquadratic when it is one,
/// else Ferrari with a positive root of the resolvent cubic.
fn quartic(p: &Poly) -> Vec<Root> {
    let m = p.monic();
    let (a, b, c, d) = (m.coeff(3), m.coeff(2), m.coeff(1), m.coeff(0));
    // x = y - a/4: y⁴ + p y² + q y + r = 0.
    let a2 = &a * &a;
    let pp = &b - q(3) * &a2 / q(8);
    let qq = &a2 * &a / q(8) - &a * &b / q(2) + &c;
    let rr = q(-3) * &a2 * &a2 / q(256) + &a2 * &b / q(16) - &a * &c / q(4) + &d;
    let shift = q_text(&(-&a / q(4)));
    if qq.is_zero() {
        // y² = z, z² + p z + r = 0, when both z are real (else Ferrari,
        // which needs no complex square roots).
        let zs = quadratic(&Poly::new(vec![rr.clone(), pp.clone(), q(1)]));
        if zs.iter().all(Root::is_real) {
            let mut roots = Vec::new();
            for z in zs {
                let z_text = z
                    .exact_re
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                roots.extend(quadratic_text("0", &format!("-({z_text})"), &shift));
            }
            return roots;
        }
    }
    // Resolvent m³ + p m² + (p²/4 - r) m - q²/8 = 0 has a positive root.
    let resolvent = Poly::new(vec![
        -&qq * &qq / q(8),
        &pp * &pp / q(4) - &rr,
        pp.clone(),
        q(1),
    ]);
    let candidates: Vec<(String, f64)> = {
        let rational: Vec<(String, f64)> = resolvent
            .rational_roots()
            .into_iter()
            .map(|r| (q_text(&r), q_to_f64(&r)))
            .collect();
        if rational.is_empty() {
            cubic(&resolvent)
                .into_iter()
                .filter(Root::is_real)
                .filter_map(|r| Some((r.exact_re?.to_string(), r.re)))
                .collect()
        } else {
            rational
        }
    };
    let Some((mt, _)) = candidates
        .into_iter()
        .filter(|(_, v)| *v > 0.0)
        .max_by(|x, y| x.1.total_cmp(&y.1))
    else {
        return numeric_polynomial(&m);
    };
    let s = format!("sqrt(2*({mt}))");
    let ph = q_text(&(&pp / q(2)));
    let qt = q_text(&qq);
    let u1 = format!("{ph} + ({mt}) - {qt}/(2*{s})");
    let u2 = format!("{ph} + ({mt}) + {qt}/(2*{s})");
    let mut roots = quadratic_text(&s, &u1, &shift);
    roots.extend(quadratic_text(&format!("-{s}"), &u2, &shift));
    roots
}

/// Complex roots of a polynomial by Durand–Kerner, without exact forms.
fn numeric_polynomial(p: &Poly) -> Vec<Root> {
    let m = p.monic();
    let n = m.degree();
    let c: Vec<Complex64> = m
        .coeffs()
        .iter()
        .map(|v| Complex64::new(q_to_f64(v), 0.0))
        .collect();
    let eval = |z: Complex64| {
        c.iter()
            .rev()
            .fold(Complex64::zero(), |acc, &a| acc * z + a)
    };
    // Cauchy's bound on the roots' magnitude.
    let bound = 1.0 + c[..n].iter().map(|a| a.norm()).fold(0.0, f64::max);
    let seed = Complex64::new(0.4, 0.9);
    let mut z: Vec<Complex64> = (0..n)
        .map(|k| seed.powu(k as u32) * bound.min(10.0))
        .collect();
    for _ in 0..2_000 {
        let mut moved = 0.0f64;
        for i in 0..n {
            let mut den = Complex64::new(1.0, 0.0);
            for j in 0..n {
                if i != j {
                    den *= z[i] - z[j];
                }
            }
            let step = eval(z[i]) / den;
            z[i] -= step;
            moved = moved.max(step.norm());
        }
        if moved < 1e-15 {
            break;
        }
    }
    let mut roots: Vec<Root> = z
        .into_iter()
        .map(|r| {
            let im = if r.im.abs() <= 1e-12 * r.norm().max(1.0) {
                0.0
            } else {
                r.im
            };
            Root {
                re: r.re,
                im,
                exact_re: None,
                exact_im: None,
                multiplicity: 1,
            }
        })
        .collect();
    // Conjugates get exactly opposite parts.
    for i in 0..roots.len() {
        if roots[i].im > 0.0
            && let Some(j) = (0..roots.len()).find(|&j| {
                roots[j].im < 0.0
                    && (roots[j].re - roots[i].re).abs() <= 1e-9 * roots[i].re.abs().max(1.0)
            })
        {
            roots[j].re = roots[i].re;
            roots[j].im = -roots[i].im;
        }
    }
    roots
}

/// Substitutes a root back into the polynomial: the residual must be
/// rounding-sized relative to the terms' magnitudes. An exact form whose
/// value disagrees with the numeric one is dropped, the root kept if its
/// value passes.
fn check_polynomial_root(coeffs: &[f64], r: &mut Root) -> bool {
    let residual = |z: Complex64| {
        let (mut v, mut scale) = (Complex64::zero(), 0.0f64);
        for &a in coeffs.iter().rev() {
            v = v * z + a;
            scale = scale * z.norm() + a.abs();
        }
        v.norm() / scale.max(f64::MIN_POSITIVE)
    };
    if !(r.re.is_finite() && r.im.is_finite()) {
        return false;
    }
    let z = Complex64::new(r.re, r.im);
    // Repeated roots are only as accurate as the k-th root of rounding.
    let tol = 1e-10f64.powf(1.0 / r.multiplicity as f64).max(1e-10);
    residual(z) <= tol
}

/// Brent's method on a bracket with `fa` and `fb` of opposite signs.
fn brent(f: &impl Fn(f64) -> f64, mut a: f64, mut b: f64, mut fa: f64, mut fb: f64) -> f64 {
    if fa.abs() < fb.abs() {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut fa, &mut fb);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut bisected = true;
    for _ in 0..200 {
        if fb == 0.0 || (b - a).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-300) {
            break;
        }
        let mut s = if fa != fc && fb != fc {
            // Inverse quadratic interpolation.
            a * fb * fc / ((fa - fb) * (fa - fc))
                + b * fa * fc / ((fb - fa) * (fb - fc))
                + c * fa * fb / ((fc - fa) * (fc - fb))
        } else {
            b - fb * (b - a) / (fb - fa)
        };
        let lo = (3.0 * a + b) / 4.0;
        let outside = !((lo.min(b))..=(lo.max(b))).contains(&s);
        if outside
            || (bisected && (s - b).abs() >= (b - c).abs() / 2.0)
            || (!bisected && (s - b).abs() >= (c - d).abs() / 2.0)
        {
            s = (a + b) / 2.0;
            bisected = true;
        } else {
            bisected = false;
        }
        let fs = f(s);
        d = c;
        c = b;
        fc = fb;
        if fa.signum() != fs.signum() {
            b = s;
            fb = fs;
        } else {
            a = s;
            fa = fs;
        }
        if fa.abs() < fb.abs() {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut fa, &mut fb);
        }
    }
    b
}

/// Newton's method from `x0`, staying inside `[lo, hi]`.
fn newton(
    f: &impl Fn(f64) -> f64,
    df: &impl Fn(f64) -> f64,
    x0: f64,
    lo: f64,
    hi: f64,
) -> Option<f64> {
    let mut x = x0;
    for _ in 0..200 {
        let (y, dy) = (f(x), df(x));
        if y == 0.0 {
            return Some(x);
        }
        if dy == 0.0 || !dy.is_finite() {
            break;
        }
        let next = x - y / dy;
        if !(lo..=hi).contains(&next) {
            return None;
        }
        if (next - x).abs() <= 1e-15 * x.abs().max(1e-300) {
            return Some(next);
        }
        x = next;
    }
    Some(x)
}
