use super::*;

/// Whether `instance` is valid against `schema`, by a real validator.
fn valid(schema: &Value, instance: &Value) -> bool {
    jsonschema::validator_for(schema)
        .expect("a valid schema")
        .is_valid(instance)
}

/// What schemars 1.x writes for `struct { a: Option<u8>, b: Option<String>, c: u32,
/// d: f64, e: Vec<Option<i16>> }`, with a doc comment and a default.
fn generated() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "a": { "description": "A byte.", "type": ["integer", "null"], "format": "uint8", "minimum": 0, "default": null },
            "b": { "type": ["string", "null"], "enum": ["x", "y", null] },
            "c": { "type": "integer", "format": "uint32", "minimum": 0 },
            "d": { "type": "number", "format": "double" },
            "e": { "type": "array", "items": { "type": ["integer", "null"], "format": "int16" } },
            "when": { "type": "string", "format": "date-time" },
            "body": { "description": "Any JSON.", "default": null }
        },
        "required": ["c"],
        "additionalProperties": false
    })
}

#[test]
fn type_lists_and_rust_formats_are_rewritten_and_nothing_else_remains() {
    let mut schema = generated();
    let found = make_portable(&mut schema);
    let pointers: Vec<&str> = found.iter().map(|f| f.pointer.as_str()).collect();
    assert!(pointers.contains(&"/properties/a"), "{found:?}");
    assert!(pointers.contains(&"/properties/e/items"), "{found:?}");
    assert!(findings(&schema).is_empty(), "{schema:#}");
    let a = &schema["properties"]["a"];
    assert_eq!(a["description"], "A byte.", "annotations stay outside: {a}");
    assert_eq!(
        a["anyOf"],
        json!([{ "type": "integer", "minimum": 0, "maximum": 255 }, { "type": "null" }])
    );
    assert_eq!(schema["properties"]["c"]["maximum"], json!(u32::MAX));
    assert!(schema["properties"]["d"].get("format").is_none());
    assert_eq!(schema["properties"]["when"]["format"], "date-time");
    assert_eq!(
        schema["properties"]["body"]["anyOf"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let text = schema.to_string();
    assert!(!text.contains("uint") && !text.contains("double"), "{text}");
}

#[test]
fn the_rewritten_schema_accepts_and_refuses_the_same_inputs() {
    let original = generated();
    let mut portable = original.clone();
    make_portable(&mut portable);
    // In range for the Rust types, so the bounds the formats became do not differ.
    let inputs = [
        json!({ "c": 1 }),
        json!({ "c": 1, "a": null }),
        json!({ "c": 1, "a": 7 }),
        json!({ "c": 1, "a": "7" }),
        json!({ "c": 1, "a": -1 }),
        json!({ "c": 1, "b": "x" }),
        json!({ "c": 1, "b": null }),
        json!({ "c": 1, "b": "z" }),
        json!({ "c": 1, "b": 3 }),
        json!({ "c": -1 }),
        json!({ "c": 1.5 }),
        json!({ "c": 1, "d": 2.5 }),
        json!({ "c": 1, "d": null }),
        json!({ "c": 1, "e": [1, null, -3] }),
        json!({ "c": 1, "e": [1, "x"] }),
        json!({ "c": 1, "zzz": 1 }),
        json!({ "c": 1, "body": { "k": [1, "x", null] } }),
        json!({ "c": 1, "body": null }),
        json!({ "c": 1, "body": 2.5 }),
        json!({}),
    ];
    for input in inputs {
        assert_eq!(
            valid(&original, &input),
            valid(&portable, &input),
            "{input} is judged differently by\n{portable:#}"
        );
    }
    // What the Rust decoder refused anyway is now said by the schema.
    assert!(valid(&original, &json!({ "c": 1, "a": 300 })));
    assert!(!valid(&portable, &json!({ "c": 1, "a": 300 })));
}

#[test]
fn an_existing_any_of_is_kept_beside_the_new_one() {
    let mut schema = json!({
        "type": ["string", "number"],
        "anyOf": [{ "minLength": 2 }, { "minimum": 10 }]
    });
    let original = schema.clone();
    make_portable(&mut schema);
    assert!(findings(&schema).is_empty(), "{schema}");
    for input in [
        json!("ab"),
        json!("a"),
        json!(12),
        json!(3),
        json!(null),
        json!(true),
    ] {
        assert_eq!(valid(&original, &input), valid(&schema, &input), "{input}");
    }
}

#[test]
fn a_property_named_format_or_type_is_not_mistaken_for_a_keyword() {
    let mut schema = json!({
        "type": "object",
        "properties": {
            "format": { "type": "string", "enum": ["png", "sixel"] },
            "type": { "type": "string" }
        }
    });
    let before = schema.clone();
    assert!(make_portable(&mut schema).is_empty());
    assert_eq!(schema, before);
}

#[test]
fn definitions_and_references_are_rewritten_too() {
    let mut schema = json!({
        "$defs": { "Size": { "type": ["integer", "null"], "format": "uint" } },
        "type": "object",
        "properties": { "size": { "$ref": "#/$defs/Size" } }
    });
    let found = make_portable(&mut schema);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        schema["$defs"]["Size"]["anyOf"][0],
        json!({ "type": "integer", "minimum": 0 })
    );
    assert_eq!(
        found[0].to_string(),
        "at /$defs/Size: format `uint` is not a JSON Schema format; said as minimum/maximum"
    );
}
