//! The accuracy asked of an integration and the subdivision budget, checked once so the
//! adaptive driver never runs on a goal it cannot meet or an empty interval list.

use thiserror::Error;

/// The smallest relative goal double precision can deliver: QUADPACK refuses a smaller
/// one when there is no absolute goal.
pub const MIN_EPSREL: f64 = if 50.0 * f64::EPSILON > 5e-29 {
    50.0 * f64::EPSILON
} else {
    5e-29
};

/// The result aims at |error| ≤ max(epsabs, epsrel·|value|) in at most `limit` subintervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    epsabs: f64,
    epsrel: f64,
    limit: usize,
}

/// Why a tolerance was refused; each names the argument at fault.
#[derive(Clone, Copy, Debug, PartialEq, Error)]
pub enum ToleranceError {
    #[error("epsabs must be a finite number ≥ 0, got {0}")]
    EpsAbs(f64),
    #[error("epsrel must be a finite number ≥ 0, got {0}")]
    EpsRel(f64),
    #[error(
        "with epsabs 0, epsrel must be at least {MIN_EPSREL:e} (50 ε), got {0:e}: a smaller \
         goal is below what double precision can deliver"
    )]
    EpsRelBelowPrecision(f64),
    #[error("limit must be at least 1 subinterval")]
    Limit,
}

impl Tolerance {
    pub fn new(epsabs: f64, epsrel: f64, limit: usize) -> Result<Self, ToleranceError> {
        if !(epsabs >= 0.0 && epsabs.is_finite()) {
            return Err(ToleranceError::EpsAbs(epsabs));
        }
        if !(epsrel >= 0.0 && epsrel.is_finite()) {
            return Err(ToleranceError::EpsRel(epsrel));
        }
        if epsabs == 0.0 && epsrel < MIN_EPSREL {
            return Err(ToleranceError::EpsRelBelowPrecision(epsrel));
        }
        if limit == 0 {
            return Err(ToleranceError::Limit);
        }
        Ok(Tolerance {
            epsabs,
            epsrel,
            limit,
        })
    }

    pub fn epsabs(&self) -> f64 {
        self.epsabs
    }

    pub fn epsrel(&self) -> f64 {
        self.epsrel
    }

    /// The most subintervals.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_that_cannot_be_met_are_refused_by_name() {
        assert_eq!(
            Tolerance::new(-1.0, 1e-8, 50),
            Err(ToleranceError::EpsAbs(-1.0))
        );
        assert!(matches!(
            Tolerance::new(0.0, f64::NAN, 50),
            Err(ToleranceError::EpsRel(_))
        ));
        assert_eq!(
            Tolerance::new(0.0, 1e-16, 50),
            Err(ToleranceError::EpsRelBelowPrecision(1e-16))
        );
        assert_eq!(Tolerance::new(1e-8, 0.0, 0), Err(ToleranceError::Limit));
        // An absolute goal alone is enough.
        assert!(Tolerance::new(1e-12, 0.0, 1).is_ok());
    }
}
