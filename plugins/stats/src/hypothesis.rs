//! The alternative hypothesis and what follows from it: which tail a p-value comes from and
//! which side of a confidence interval is open.

use schemars::JsonSchema;
use serde::Deserialize;
use statrs::distribution::ContinuousCDF;

/// The alternative hypothesis: "two-sided" (the default; the true value differs from the
/// null value), "less" (it is below) or "greater" (it is above).
// Variants carry no doc comments so that the schema is a plain `enum`, which a validator
// reports as "not one of [...]".
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alternative {
    #[default]
    #[serde(rename = "two-sided")]
    TwoSided,
    #[serde(rename = "less")]
    Less,
    #[serde(rename = "greater")]
    Greater,
}

impl Alternative {
    pub fn name(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        }
    }

    /// "not equal to", "less than", "greater than", for the printed hypothesis.
    pub fn relation(self) -> &'static str {
        match self {
            Alternative::TwoSided => "not equal to",
            Alternative::Less => "less than",
            Alternative::Greater => "greater than",
        }
    }

    /// The p-value of `statistic` under a null distribution symmetric about zero. The
    /// upper tail comes from the survival function, which keeps its digits far out where
    /// `1 - cdf` would round to zero.
    pub fn p_value<D: ContinuousCDF<f64, f64>>(self, null: &D, statistic: f64) -> f64 {
        match self {
            Alternative::TwoSided => (2.0 * null.sf(statistic.abs())).min(1.0),
            Alternative::Less => null.cdf(statistic),
            Alternative::Greater => null.sf(statistic),
        }
    }

    /// A confidence interval `estimate ± critical × scale` for a pivot with the symmetric
    /// distribution `pivot`; one-sided alternatives leave the other end open.
    pub fn interval<D: ContinuousCDF<f64, f64>>(
        self,
        pivot: &D,
        level: f64,
        estimate: f64,
        scale: f64,
    ) -> (f64, f64) {
        match self {
            Alternative::TwoSided => {
                let q = pivot.inverse_cdf(0.5 + level / 2.0);
                (estimate - q * scale, estimate + q * scale)
            }
            Alternative::Less => (
                f64::NEG_INFINITY,
                estimate + pivot.inverse_cdf(level) * scale,
            ),
            Alternative::Greater => (estimate - pivot.inverse_cdf(level) * scale, f64::INFINITY),
        }
    }
}
