//! The unknowns (the keys of x0), the fixed parameters and the bounds, read from the input
//! with errors that name the field by JSON pointer.

use std::collections::BTreeMap;

use toolhost_sdk::{ToolError, json};

use crate::bounds::Bounds;

/// Names and values of the unknowns and the parameters, in compile order.
pub struct Variables {
    pub unknowns: Vec<String>,
    pub x0: Vec<f64>,
    pub params: Vec<String>,
    pub param_values: Vec<f64>,
}

impl Variables {
    /// `start` is the field holding the starting point (`x0`, or `p0` for a fit).
    pub fn read(
        start_field: &str,
        start: &BTreeMap<String, f64>,
        params: &BTreeMap<String, f64>,
    ) -> Result<Self, ToolError> {
        if start.is_empty() {
            return Err(at(
                &format!("/{start_field}"),
                format!(
                    "/{start_field}: name at least one unknown with its starting value, e.g. {{\"x\": 0}}"
                ),
            ));
        }
        for (name, value) in start {
            if !value.is_finite() {
                let p = format!("/{start_field}/{name}");
                return Err(at(&p, format!("{p}: the starting value must be finite")));
            }
        }
        for name in params.keys() {
            if start.contains_key(name) {
                let p = format!("/params/{name}");
                return Err(at(
                    &p,
                    format!(
                        "{p}: {name} is both an unknown (in {start_field}) and a parameter; give it in one of them"
                    ),
                ));
            }
        }
        Ok(Variables {
            unknowns: start.keys().cloned().collect(),
            x0: start.values().copied().collect(),
            params: params.keys().cloned().collect(),
            param_values: params.values().copied().collect(),
        })
    }

    /// Unknowns then parameters: what expressions are compiled against.
    pub fn names(&self) -> Vec<String> {
        self.unknowns.iter().chain(&self.params).cloned().collect()
    }

    /// Bounds by name, `[lower, upper]` with null for none, checked against the unknowns.
    pub fn bounds(&self, given: &BTreeMap<String, [Option<f64>; 2]>) -> Result<Bounds, ToolError> {
        let mut bounds = Bounds::unbounded(self.unknowns.len());
        for (name, [lo, hi]) in given {
            let p = format!("/bounds/{name}");
            let Some(i) = self.unknowns.iter().position(|u| u == name) else {
                return Err(at(
                    &p,
                    format!(
                        "{p}: {name} is not an unknown; bounds apply to the names in x0 ({})",
                        self.unknowns.join(", ")
                    ),
                ));
            };
            for (k, b) in [lo, hi].into_iter().enumerate() {
                if b.is_some_and(f64::is_nan) {
                    let pk = format!("{p}/{k}");
                    return Err(at(&pk, format!("{pk}: a bound is a number or null")));
                }
            }
            let lo = lo.unwrap_or(f64::NEG_INFINITY);
            let hi = hi.unwrap_or(f64::INFINITY);
            if lo > hi {
                let p0 = format!("{p}/0");
                return Err(at(
                    &p0,
                    format!("{p0}: the lower bound {lo} is above the upper bound {hi}"),
                ));
            }
            let start = self.x0[i];
            if start < lo || start > hi {
                let px = format!("/x0/{name}");
                return Err(at(
                    &px,
                    format!(
                        "{px}: the start {start} is outside {name}'s bounds [{lo}, {hi}]; start inside them"
                    ),
                ));
            }
            bounds.lower[i] = lo;
            bounds.upper[i] = hi;
        }
        Ok(bounds)
    }
}

pub fn at(pointer: &str, message: String) -> ToolError {
    ToolError::invalid_input(message).with_details(json!({ "pointer": pointer }))
}
