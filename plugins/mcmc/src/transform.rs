//! Maps from the unconstrained line, where the samplers move, to each
//! parameter's support, with the log-Jacobian that keeps the density right.

/// The constraint of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transform {
    /// Any real value.
    Identity,
    /// `x > lower`: `x = lower + exp(u)`.
    Lower(f64),
    /// `x < upper`: `x = upper - exp(u)`.
    Upper(f64),
    /// `lower < x < upper`: `x = lower + (upper - lower) * logistic(u)`.
    Interval(f64, f64),
}

/// A point of the transform: the constrained value, dx/du, log|dx/du| and
/// d log|dx/du| / du.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mapped {
    pub x: f64,
    pub dx: f64,
    pub log_jacobian: f64,
    pub dlog_jacobian: f64,
}

/// ln(1 + e^t) without overflow.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + libm::log1p(libm::exp(-t.abs()))
}

fn logistic(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + libm::exp(-t))
    } else {
        let e = libm::exp(t);
        e / (1.0 + e)
    }
}

impl Transform {
    /// The transform for optional bounds; infinite bounds are no bounds.
    /// Errs when `lower >= upper` or a bound is NaN.
    pub fn from_bounds(lower: Option<f64>, upper: Option<f64>) -> Result<Self, String> {
        let lower = lower.filter(|l| *l != f64::NEG_INFINITY);
        let upper = upper.filter(|u| *u != f64::INFINITY);
        for b in [lower, upper].into_iter().flatten() {
            if b.is_nan() || b.is_infinite() {
                return Err(format!("a bound of {b} makes no interval"));
            }
        }
        Ok(match (lower, upper) {
            (None, None) => Transform::Identity,
            (Some(l), None) => Transform::Lower(l),
            (None, Some(u)) => Transform::Upper(u),
            (Some(l), Some(u)) if l < u => Transform::Interval(l, u),
            (Some(l), Some(u)) => {
                return Err(format!(
                    "the lower bound {l} is not below the upper bound {u}"
                ));
            }
        })
    }

    pub fn forward(self, u: f64) -> Mapped {
        match self {
            Transform::Identity => Mapped {
                x: u,
                dx: 1.0,
                log_jacobian: 0.0,
                dlog_jacobian: 0.0,
            },
            Transform::Lower(l) => {
                let e = libm::exp(u);
                Mapped {
                    x: l + e,
                    dx: e,
                    log_jacobian: u,
                    dlog_jacobian: 1.0,
                }
            }
            Transform::Upper(h) => {
                let e = libm::exp(u);
                Mapped {
                    x: h - e,
                    dx: -e,
                    log_jacobian: u,
                    dlog_jacobian: 1.0,
                }
            }
            Transform::Interval(l, h) => {
                let w = h - l;
                let s = logistic(u);
                let t = logistic(-u);
                // Measure from the nearer end so that values close to it
                // keep their precision.
                let x = if u > 0.0 { h - w * t } else { l + w * s };
                Mapped {
                    x,
                    dx: w * s * t,
                    log_jacobian: libm::log(w) - softplus(-u) - softplus(u),
                    dlog_jacobian: t - s,
                }
            }
        }
    }

    /// The unconstrained point of `x`, or `None` when `x` is not strictly
    /// inside the support.
    pub fn inverse(self, x: f64) -> Option<f64> {
        let u = match self {
            Transform::Identity => x,
            Transform::Lower(l) if x > l => libm::log(x - l),
            Transform::Upper(h) if x < h => libm::log(h - x),
            Transform::Interval(l, h) if x > l && x < h => libm::log(x - l) - libm::log(h - x),
            _ => return None,
        };
        u.is_finite().then_some(u)
    }

    /// Words for messages, e.g. "above 0".
    pub fn describe(self) -> String {
        match self {
            Transform::Identity => "any real number".to_owned(),
            Transform::Lower(l) => format!("above {l}"),
            Transform::Upper(h) => format!("below {h}"),
            Transform::Interval(l, h) => format!("between {l} and {h}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Transform; 4] = [
        Transform::Identity,
        Transform::Lower(-1.5),
        Transform::Upper(2.0),
        Transform::Interval(-1.0, 3.0),
    ];

    #[test]
    fn inverse_undoes_forward() {
        for t in ALL {
            for u in [-6.0, -1.0, -0.1, 0.0, 0.3, 2.0, 6.0] {
                let x = t.forward(u).x;
                let back = t.inverse(x).unwrap();
                assert!((back - u).abs() < 1e-9, "{t:?} at {u}: {back}");
            }
        }
    }

    #[test]
    fn derivatives_and_log_jacobian_match_finite_differences() {
        let h = 1e-6;
        for t in ALL {
            for u in [-4.0, -0.7, 0.0, 0.4, 3.0] {
                let m = t.forward(u);
                let (hi, lo) = (t.forward(u + h), t.forward(u - h));
                let dx = (hi.x - lo.x) / (2.0 * h);
                assert!(
                    (m.dx - dx).abs() < 1e-6 * dx.abs().max(1.0),
                    "{t:?} dx at {u}"
                );
                assert!(
                    (m.log_jacobian - libm::log(m.dx.abs())).abs() < 1e-12,
                    "{t:?} log J at {u}"
                );
                let dj = (hi.log_jacobian - lo.log_jacobian) / (2.0 * h);
                assert!((m.dlog_jacobian - dj).abs() < 1e-6, "{t:?} dlogJ at {u}");
            }
        }
    }

    #[test]
    fn values_stay_inside_the_support_far_out() {
        let t = Transform::Interval(0.0, 1.0);
        assert!(t.forward(30.0).x < 1.0);
        assert!(t.forward(-30.0).x > 0.0);
        assert!(Transform::Lower(0.0).forward(-30.0).x > 0.0);
        assert_eq!(Transform::Lower(0.0).inverse(0.0), None);
        assert_eq!(Transform::Interval(0.0, 1.0).inverse(1.0), None);
    }

    #[test]
    fn bounds_make_the_right_transform() {
        assert_eq!(
            Transform::from_bounds(Some(0.0), None),
            Ok(Transform::Lower(0.0))
        );
        assert_eq!(
            Transform::from_bounds(Some(f64::NEG_INFINITY), Some(f64::INFINITY)),
            Ok(Transform::Identity)
        );
        assert!(Transform::from_bounds(Some(1.0), Some(1.0)).is_err());
        assert!(Transform::from_bounds(Some(f64::NAN), None).is_err());
    }
}
