//! The search space and its encoding into the GP's unit box.
//!
//! - real [low, high] → one coordinate, (x - low) / (high - low);
//! - integer low..=high → one coordinate, relaxed: the integers sit at the
//!   centres of equal cells of [0, 1] and a coordinate decodes to the cell
//!   it falls in (rounding);
//! - categorical with m values → m one-hot coordinates, decoding to the
//!   largest. One-hot keeps the kernel plain ARD Matérn while giving each
//!   value its own length-scale, at the cost of m coordinates.
//!
//! A point's "values" are one f64 per dimension: the number itself, the
//! integer, or the categorical index.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One value of a categorical dimension.
#[derive(Deserialize, Serialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Category {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dim {
    Real { low: f64, high: f64 },
    Integer { low: i64, high: i64 },
    Categorical { values: Vec<Category> },
}

impl Dim {
    fn width(&self) -> usize {
        match self {
            Dim::Categorical { values } => values.len(),
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Space {
    pub names: Vec<String>,
    pub dims: Vec<Dim>,
}

impl Space {
    /// Coordinates of the unit box the GP works in.
    pub fn encoded_len(&self) -> usize {
        self.dims.iter().map(Dim::width).sum()
    }

    /// For each encoded coordinate, whether it is ordered (a real or an
    /// integer) rather than one of a categorical's one-hot coordinates.
    pub fn ordered_coordinates(&self) -> Vec<bool> {
        self.dims
            .iter()
            .flat_map(|d| {
                let ordered = !matches!(d, Dim::Categorical { .. });
                std::iter::repeat_n(ordered, d.width())
            })
            .collect()
    }

    pub fn is_continuous(&self) -> bool {
        self.dims.iter().all(|d| matches!(d, Dim::Real { .. }))
    }

    pub fn encode(&self, values: &[f64]) -> Vec<f64> {
        let mut u = Vec::with_capacity(self.encoded_len());
        for (dim, &v) in self.dims.iter().zip(values) {
            match dim {
                Dim::Real { low, high } => u.push((v - low) / (high - low)),
                Dim::Integer { low, high } => {
                    let count = (high - low + 1) as f64;
                    u.push((v - *low as f64 + 0.5) / count);
                }
                Dim::Categorical { values } => {
                    u.extend((0..values.len()).map(|i| f64::from(u8::from(i as f64 == v))));
                }
            }
        }
        u
    }

    pub fn decode(&self, u: &[f64]) -> Vec<f64> {
        let mut at = 0;
        self.dims
            .iter()
            .map(|dim| {
                let w = dim.width();
                let part = &u[at..at + w];
                at += w;
                match dim {
                    Dim::Real { low, high } => low + (high - low) * part[0].clamp(0.0, 1.0),
                    Dim::Integer { low, high } => {
                        let count = high - low + 1;
                        let cell = ((part[0] * count as f64).floor() as i64).clamp(0, count - 1);
                        (low + cell) as f64
                    }
                    Dim::Categorical { .. } => {
                        // The first of equal largest coordinates, so ties decode the same everywhere.
                        let mut best = 0;
                        for (i, v) in part.iter().enumerate() {
                            if *v > part[best] {
                                best = i;
                            }
                        }
                        best as f64
                    }
                }
            })
            .collect()
    }

    /// The encoded point nearest to `u` that is a point of the space.
    pub fn snap(&self, u: &[f64]) -> Vec<f64> {
        self.encode(&self.decode(u))
    }

    /// Values from one uniform coordinate in [0, 1) per dimension (used by
    /// the design, so integers and categories are stratified like reals).
    pub fn from_unit(&self, unit: &[f64]) -> Vec<f64> {
        self.dims
            .iter()
            .zip(unit)
            .map(|(dim, &t)| match dim {
                Dim::Real { low, high } => low + (high - low) * t,
                Dim::Integer { low, high } => {
                    let count = high - low + 1;
                    (low + ((t * count as f64) as i64).min(count - 1)) as f64
                }
                Dim::Categorical { values } => {
                    ((t * values.len() as f64) as usize).min(values.len() - 1) as f64
                }
            })
            .collect()
    }

    /// What the objective expression sees: a categorical dimension gives
    /// its value when numeric, else its 0-based index.
    pub fn expression_values(&self, values: &[f64]) -> Vec<f64> {
        self.dims
            .iter()
            .zip(values)
            .map(|(dim, &v)| match dim {
                Dim::Categorical { values: cats } => match &cats[v as usize] {
                    Category::Number(x) => *x,
                    Category::Text(_) => v,
                },
                _ => v,
            })
            .collect()
    }

    /// A point as a JSON object from name to value.
    pub fn to_json(&self, values: &[f64]) -> Value {
        let mut map = Map::new();
        for ((name, dim), &v) in self.names.iter().zip(&self.dims).zip(values) {
            let json = match dim {
                Dim::Real { .. } => serde_json::json!(v),
                Dim::Integer { .. } => serde_json::json!(v as i64),
                Dim::Categorical { values } => {
                    serde_json::to_value(&values[v as usize]).unwrap_or(Value::Null)
                }
            };
            map.insert(name.clone(), json);
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mixed() -> Space {
        Space {
            names: vec!["x".into(), "k".into(), "c".into()],
            dims: vec![
                Dim::Real {
                    low: -5.0,
                    high: 10.0,
                },
                Dim::Integer { low: 1, high: 5 },
                Dim::Categorical {
                    values: vec![
                        Category::Text("a".into()),
                        Category::Number(2.5),
                        Category::Text("b".into()),
                    ],
                },
            ],
        }
    }

    #[test]
    fn encoding_round_trips_and_uses_one_hot_for_categories() {
        let s = mixed();
        assert_eq!(s.encoded_len(), 5);
        assert_eq!(
            s.ordered_coordinates(),
            vec![true, true, false, false, false]
        );
        let v = [2.5, 4.0, 1.0];
        let u = s.encode(&v);
        assert_eq!(u, vec![0.5, 0.7, 0.0, 1.0, 0.0]);
        assert_eq!(s.decode(&u), v.to_vec());
        assert_eq!(s.expression_values(&v), vec![2.5, 4.0, 2.5]);
        assert_eq!(
            s.to_json(&v),
            serde_json::json!({"x": 2.5, "k": 4, "c": 2.5})
        );
    }

    #[test]
    fn relaxed_coordinates_snap_to_the_nearest_point_of_the_space() {
        let s = mixed();
        let snapped = s.decode(&[1.3, 0.99, 0.2, 0.1, 0.6]);
        assert_eq!(snapped, vec![10.0, 5.0, 2.0]);
        assert_eq!(s.decode(&[0.0, 0.0, 0.3, 0.3, 0.3]), vec![-5.0, 1.0, 0.0]);
        assert_eq!(s.from_unit(&[0.0, 0.999, 0.5]), vec![-5.0, 5.0, 1.0]);
    }
}
