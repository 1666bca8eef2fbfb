//! Pictures over MCP. Sixel is terminal graphics, which no MCP client shows, so a tool that
//! can draw either sixel or PNG (its input schema's `format` allows both) is asked for PNG
//! unless the client asked for another picture format (`svg`).

use serde_json::Value;

/// Sets `args.format` to `png` when it is unset, `sixel` or `both` and the schema offers
/// `png` and `sixel`.
pub fn prefer_png(input_schema: &Value, args: &mut Value) {
    let Some(format) = input_schema
        .get("properties")
        .and_then(|p| p.get("format"))
        .map(|f| resolve(input_schema, f))
    else {
        return;
    };
    let allowed = allowed_strings(input_schema, format);
    if !(allowed.iter().any(|s| s == "png") && allowed.iter().any(|s| s == "sixel")) {
        return;
    }
    let Some(map) = args.as_object_mut() else {
        return;
    };
    let asked = map.get("format").and_then(Value::as_str);
    if matches!(asked, None | Some("sixel") | Some("both")) {
        map.insert("format".to_owned(), Value::from("png"));
    }
}

/// Follows a local `$ref` (`#/$defs/Format`).
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The string values a schema allows through `enum`, `const` and their alternatives.
fn allowed_strings(root: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(root, schema);
    let mut out: Vec<String> = Vec::new();
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        out.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(value) = schema.get("const").and_then(Value::as_str) {
        out.push(value.to_owned());
    }
    for key in ["oneOf", "anyOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(allowed_strings(root, branch));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plot_schema() -> Value {
        json!({
            "type": "object",
            "properties": { "format": { "$ref": "#/$defs/Format", "default": "sixel" } },
            "$defs": { "Format": { "oneOf": [
                { "type": "string", "const": "sixel" }, { "type": "string", "const": "png" },
                { "type": "string", "const": "svg" }, { "type": "string", "const": "both" }
            ] } }
        })
    }

    #[test]
    fn sixel_or_nothing_becomes_png_and_svg_stays() {
        for (asked, sent) in [
            (json!({}), "png"),
            (json!({ "format": "sixel" }), "png"),
            (json!({ "format": "both" }), "png"),
            (json!({ "format": "svg" }), "svg"),
        ] {
            let mut args = asked.clone();
            prefer_png(&plot_schema(), &mut args);
            assert_eq!(args["format"], sent, "{asked}");
        }
    }

    #[test]
    fn a_format_without_sixel_is_left_alone() {
        let schema = json!({ "properties": { "format": { "enum": ["unicode", "png"] } } });
        let mut args = json!({});
        prefer_png(&schema, &mut args);
        assert_eq!(args, json!({}));
    }
}
