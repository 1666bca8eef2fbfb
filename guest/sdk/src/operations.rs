//! The input schema of a tool with several operations chosen by `op`: one object schema
//! per operation under `if`/`then`. A `oneOf` over the operations (what a derived,
//! internally tagged enum gives) fails as a whole, so a validator can only say that no
//! branch matched; with `if`/`then` only the named operation's schema applies, the
//! validator names the field at fault, and an unknown `op` is reported against the list.

use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// One operation: its `op` name, its line in the listing, and its input's schema.
pub struct Operation {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: fn(&mut SchemaGenerator) -> Schema,
}

/// The `op` names, in order.
pub fn names(operations: &[Operation]) -> Vec<&'static str> {
    operations.iter().map(|o| o.name).collect()
}

/// The input schema of a tool whose `op` chooses one of `operations`; `description` says
/// what the tool's input is as a whole.
pub fn input_schema(
    generator: &mut SchemaGenerator,
    operations: &[Operation],
    description: &str,
) -> Schema {
    let listing: Vec<String> = operations
        .iter()
        .map(|o| format!("{}: {}", o.name, o.description))
        .collect();
    let branches: Vec<Value> = operations
        .iter()
        .map(|o| {
            let mut then = (o.schema)(generator);
            let object = then.ensure_object();
            object.insert("description".into(), json!(o.description));
            object
                .entry("properties")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object schema's properties are an object")
                .insert("op".into(), json!({ "const": o.name }));
            object
                .entry("required")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("required is a list")
                .insert(0, json!("op"));
            json!({
                "if": { "properties": { "op": { "const": o.name } }, "required": ["op"] },
                "then": then,
            })
        })
        .collect();
    json_schema!({
        "type": "object",
        "description": description,
        "properties": {
            "op": {
                "enum": names(operations),
                "description": listing.join("\n"),
            }
        },
        "required": ["op"],
        "allOf": branches,
    })
}
