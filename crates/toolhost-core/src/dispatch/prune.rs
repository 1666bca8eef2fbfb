//! Diagnosing a large invalid input on a pruned copy. jsonschema builds every error of a
//! failing `oneOf`/`anyOf` branch before it returns even the first (250,000 bad list items
//! under a `oneOf` take over a second), so an input too large to check in full is checked
//! as a copy that keeps the first few hundred values of every list and object.
//!
//! That is sound only for schemas under which removing values never turns a pass into a
//! fail: then a keyword failing on the copy fails on the input too. [`Pruning::for_schema`]
//! admits a schema only if every keyword in it is of that kind (type, enum, required,
//! properties, items, anyOf, maxItems...), counts minimums as floors the copy keeps, keeps
//! every property the schema names, and admits `oneOf` only when its branches exclude one
//! another by a constant (a tagged enum): then at most one branch can pass, on the input
//! or the copy. `not`, `if`, `contains` and the like make the schema ineligible, and large
//! inputs then get jsonschema's first error as it comes.

use serde_json::{Map, Value};
use std::collections::HashSet;

/// How to prune inputs for one schema.
#[derive(Debug, Default)]
pub struct Pruning {
    /// Items (or properties) every list (or object) keeps: the schema's largest
    /// `minItems`/`minProperties`, so the copy never falls short of one.
    floor: usize,
    /// Property names the schema mentions (properties, required): always kept.
    named: HashSet<String>,
}

impl Pruning {
    /// `None` when errors found on a pruned copy could be errors of the copy alone.
    pub fn for_schema(schema: &Value) -> Option<Pruning> {
        let mut pruning = Pruning::default();
        let mut walk = Walk {
            root: schema,
            refs_seen: HashSet::new(),
            pruning: &mut pruning,
        };
        walk.monotone(schema).then_some(pruning)
    }

    /// A copy of `value` holding about `budget` values: the first ones in document order,
    /// plus what the floors and named properties keep.
    pub fn prune(&self, value: &Value, budget: usize) -> Value {
        let mut budget = budget;
        self.copy(value, &mut budget)
    }

    fn copy(&self, value: &Value, budget: &mut usize) -> Value {
        *budget = budget.saturating_sub(1);
        match value {
            Value::Array(items) => {
                let mut kept = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    if i >= self.floor && *budget == 0 {
                        break;
                    }
                    kept.push(self.copy(v, budget));
                }
                Value::Array(kept)
            }
            Value::Object(map) => {
                let mut kept = Map::new();
                for (i, (key, v)) in map.iter().enumerate() {
                    if i >= self.floor && *budget == 0 {
                        break;
                    }
                    kept.insert(key.clone(), self.copy(v, budget));
                }
                // Looked up, not searched for: the schema names a few, the input may hold
                // a million others.
                for name in &self.named {
                    if let Some(v) = map.get(name)
                        && !kept.contains_key(name)
                    {
                        kept.insert(name.clone(), self.copy(v, budget));
                    }
                }
                Value::Object(kept)
            }
            scalar => scalar.clone(),
        }
    }
}

struct Walk<'s, 'p> {
    root: &'s Value,
    refs_seen: HashSet<&'s str>,
    pruning: &'p mut Pruning,
}

impl<'s> Walk<'s, '_> {
    /// Whether passing on an input implies passing on any pruned copy of it.
    fn monotone(&mut self, schema: &'s Value) -> bool {
        let Value::Object(keywords) = schema else {
            return schema.is_boolean();
        };
        keywords
            .iter()
            .all(|(keyword, value)| self.keyword(keyword, value))
    }

    fn keyword(&mut self, keyword: &str, value: &'s Value) -> bool {
        match keyword {
            "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "minContains"
            | "maxContains"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "dependentSchemas"
            | "dependencies"
            | "$dynamicRef"
            | "$recursiveRef"
            | "$id" => false,
            "const" => is_scalar(value),
            "enum" => value.as_array().is_some_and(|v| v.iter().all(is_scalar)),
            "minItems" | "minProperties" => {
                let floor = value.as_u64().unwrap_or(u64::MAX);
                self.pruning.floor = self.pruning.floor.max(floor.min(1 << 20) as usize);
                true
            }
            "required" => {
                self.name(value.as_array().into_iter().flatten());
                true
            }
            "dependentRequired" => {
                let Some(map) = value.as_object() else {
                    return false;
                };
                for (key, names) in map {
                    self.pruning.named.insert(key.clone());
                    self.name(names.as_array().into_iter().flatten());
                }
                true
            }
            "properties" => {
                let Some(map) = value.as_object() else {
                    return false;
                };
                self.pruning.named.extend(map.keys().cloned());
                map.values().all(|s| self.monotone(s))
            }
            "patternProperties" => value
                .as_object()
                .is_some_and(|map| map.values().all(|s| self.monotone(s))),
            "additionalProperties" | "propertyNames" | "additionalItems" => self.monotone(value),
            "items" | "prefixItems" => match value {
                Value::Array(schemas) => schemas.iter().all(|s| self.monotone(s)),
                s => self.monotone(s),
            },
            "allOf" | "anyOf" => value
                .as_array()
                .is_some_and(|schemas| schemas.iter().all(|s| self.monotone(s))),
            "oneOf" => value.as_array().is_some_and(|branches| {
                branches.iter().all(|s| self.monotone(s)) && self.exclusive(branches)
            }),
            "$ref" => {
                let Some(target) = value.as_str().and_then(|r| self.resolve(r)) else {
                    return false;
                };
                // A schema already being checked is judged where it was first reached.
                !self.refs_seen.insert(value.as_str().unwrap_or_default()) || self.monotone(target)
            }
            // Annotations, `$defs` (judged where referenced) and keywords whose verdict
            // removal cannot turn from pass to fail: type, format, pattern, minimum,
            // maxItems, uniqueItems, maxLength, ...
            _ => true,
        }
    }

    fn name<'v>(&mut self, names: impl Iterator<Item = &'v Value>) {
        for name in names.filter_map(Value::as_str) {
            self.pruning.named.insert(name.to_owned());
        }
    }

    fn resolve(&self, reference: &str) -> Option<&'s Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Whether at most one branch can pass for any value: every branch is a constant, or
    /// every branch requires the same property to be a constant, all constants distinct.
    fn exclusive(&self, branches: &'s [Value]) -> bool {
        let branches: Option<Vec<&Value>> = branches.iter().map(|b| self.deref(b)).collect();
        let Some(branches) = branches else {
            return false;
        };
        let distinct = |values: Option<Vec<&Value>>| {
            values.is_some_and(|v| {
                let texts: HashSet<String> = v.iter().map(|x| x.to_string()).collect();
                texts.len() == v.len()
            })
        };
        if distinct(branches.iter().map(|b| constant(b)).collect()) {
            return true;
        }
        let Some(first) = branches.first().and_then(|b| b["properties"].as_object()) else {
            return false;
        };
        first.keys().any(|tag| {
            distinct(
                branches
                    .iter()
                    .map(|b| {
                        let required = b["required"]
                            .as_array()
                            .is_some_and(|r| r.iter().any(|n| n == tag.as_str()));
                        required.then(|| constant(&b["properties"][tag])).flatten()
                    })
                    .collect(),
            )
        })
    }

    /// A branch, or the schema its `$ref` names.
    fn deref(&self, schema: &'s Value) -> Option<&'s Value> {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(reference),
            None => Some(schema),
        }
    }
}

fn is_scalar(value: &Value) -> bool {
    !(value.is_array() || value.is_object())
}

/// The one value a schema allows, if it is a `const` or a one-value `enum`.
fn constant(schema: &Value) -> Option<&Value> {
    if let Some(c) = schema.get("const") {
        return Some(c);
    }
    match schema.get("enum")?.as_array()?.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagged_enums_and_plain_structures_can_be_pruned_and_negations_cannot() {
        let tagged = json!({
            "oneOf": [
                { "type": "object", "properties": { "op": { "const": "a" }, "xs": { "type": "array", "minItems": 3 } }, "required": ["op"] },
                { "$ref": "#/$defs/B" }
            ],
            "$defs": { "B": { "type": "object", "properties": { "op": { "const": "b" } }, "required": ["op"] } }
        });
        let pruning = Pruning::for_schema(&tagged).unwrap();
        assert_eq!(pruning.floor, 3);
        assert!(pruning.named.contains("xs"));
        for negation in [
            json!({ "not": { "type": "string" } }),
            json!({ "oneOf": [{ "maxItems": 3 }, { "type": "array" }] }),
            json!({ "items": { "if": { "type": "string" }, "then": { "minLength": 2 } } }),
            json!({ "contains": { "type": "number" } }),
            json!({ "const": [1, 2] }),
            json!({ "$ref": "https://example.com/schema" }),
        ] {
            assert!(Pruning::for_schema(&negation).is_none(), "{negation}");
        }
        let recursive =
            json!({ "$defs": { "T": { "items": { "$ref": "#/$defs/T" } } }, "$ref": "#/$defs/T" });
        assert!(Pruning::for_schema(&recursive).is_some());
    }

    #[test]
    fn a_pruned_copy_keeps_the_first_values_the_floor_and_named_properties() {
        let pruning = Pruning {
            floor: 2,
            named: HashSet::from(["keep".to_owned()]),
        };
        let value = json!({ "a": [1, 2, 3, 4, 5], "b": [[1, 2, 3], [4, 5, 6]], "keep": 1 });
        let copy = pruning.prune(&value, 4);
        assert_eq!(
            copy,
            json!({ "a": [1, 2], "b": [[1, 2], [4, 5]], "keep": 1 })
        );
    }
}
