//! The published input schema: one object schema per statistics operation, chosen by
//! `op` with `if`/`then` so a validator names the field at fault
//! ([`toolhost_sdk::operations`]).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use toolhost_sdk::operations::{self, Operation};

use crate::{ChiSquaredInput, CorrelationInput, DistributionInput, RegressionInput, TTestInput};

const OPERATIONS: [Operation; 5] = [
    Operation {
        name: "distribution",
        description: "A distribution's density or mass (pdf), log_pdf, cdf, survival sf and \
                      quantile at the given points, its mean and variance, and `sample` \
                      seeded random draws.",
        schema: DistributionInput::json_schema,
    },
    Operation {
        name: "t_test",
        description: "Student's t test of a mean (x), of paired differences (x, y, \
                      paired) or of two means (x, y: Welch's test unless equal_variances).",
        schema: TTestInput::json_schema,
    },
    Operation {
        name: "chi_squared_test",
        description: "Pearson's chi-squared test: goodness of fit of `observed` counts, or \
                      independence of the rows and columns of a contingency `table`.",
        schema: ChiSquaredInput::json_schema,
    },
    Operation {
        name: "correlation",
        description: "Pearson (with a Fisher-z confidence interval) or Spearman \
                      correlation of x and y, with a test against 0.",
        schema: CorrelationInput::json_schema,
    },
    Operation {
        name: "regression",
        description: "Linear regression of y on named predictors by least squares: \
                      coefficients with standard errors, t statistics, p-values and \
                      intervals; R², adjusted R², residual standard error and the F test.",
        schema: RegressionInput::json_schema,
    },
];

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    operations::input_schema(
        generator,
        &OPERATIONS,
        "A statistics operation, chosen by `op`; the other fields are that operation's.",
    )
}
