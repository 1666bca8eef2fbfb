//! Test problems written in the expression language, with their minima.
#![allow(dead_code)]

use tool_bayesopt::BayesOpt;
use toolhost_sdk::{Output, ToolError, Value, testing};

pub fn call(input: Value) -> Result<Output, ToolError> {
    testing::call::<BayesOpt>(input)
}

mod problems;
pub use problems::*;

pub fn best_y(out: &Output) -> f64 {
    out.first_json().unwrap()["best"]["y"].as_f64().unwrap()
}
