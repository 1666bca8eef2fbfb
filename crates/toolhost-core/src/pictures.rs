//! The picture formats a tool offers through its input's `format` property, and asking a
//! tool that draws terminal graphics (sixel) for a PNG where sixel cannot be shown: an MCP
//! client, a trajectory, a terminal speaking kitty or iTerm2 or no graphics at all.

use serde_json::Value;

/// Image formats a tool's `format` field may offer (sixel is terminal graphics, not a file).
const IMAGE_FORMATS: &[&str] = &["png", "svg", "sixel"];

/// The image formats a tool's input schema offers in its `format` enum.
pub fn offered_formats(input_schema: &Value) -> Vec<String> {
    let Some(format) = input_schema.pointer("/properties/format") else {
        return Vec::new();
    };
    let mut values: Vec<String> = Vec::new();
    collect_values(input_schema, format, &mut values, 0);
    values.retain(|v| IMAGE_FORMATS.contains(&v.as_str()));
    values.dedup();
    values
}

/// Whether the tool draws sixel by choice and would draw a PNG instead if asked.
pub fn offers_png_and_sixel(input_schema: &Value) -> bool {
    let offered = offered_formats(input_schema);
    offered.iter().any(|f| f == "png") && offered.iter().any(|f| f == "sixel")
}

/// Sets `args.format` to `png` when the tool offers PNG and sixel and the call's format is
/// unset or one of `replacing` (`["sixel", "both"]` where sixel can never be shown).
pub fn prefer_png(input_schema: &Value, args: &mut Value, replacing: &[&str]) {
    if !offers_png_and_sixel(input_schema) {
        return;
    }
    ask_for_png(args, replacing);
}

/// [`prefer_png`] for a tool already known to offer PNG and sixel.
pub fn ask_for_png(args: &mut Value, replacing: &[&str]) {
    let Some(map) = args.as_object_mut() else {
        return;
    };
    let asked = map.get("format").map(|f| f.as_str());
    let replace = match asked {
        None => true,
        Some(Some(f)) => replacing.contains(&f),
        Some(None) => false,
    };
    if replace {
        map.insert("format".to_owned(), Value::from("png"));
    }
}

/// String values a schema allows: `enum`, `const`, and through `oneOf`/`anyOf`/`allOf` and
/// local `$ref`s (schemars puts a documented enum in `$defs`). Depth-bounded against cycles.
fn collect_values(root: &Value, schema: &Value, values: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(items) = schema.get("enum").and_then(Value::as_array) {
        values.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(c) = schema.get("const").and_then(Value::as_str) {
        values.push(c.to_owned());
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
    {
        collect_values(root, target, values, depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for variant in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_values(root, variant, values, depth + 1);
        }
    }
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
    fn where_sixel_never_shows_sixel_or_nothing_becomes_png_and_svg_stays() {
        for (asked, sent) in [
            (json!({}), "png"),
            (json!({ "format": "sixel" }), "png"),
            (json!({ "format": "both" }), "png"),
            (json!({ "format": "svg" }), "svg"),
        ] {
            let mut args = asked.clone();
            prefer_png(&plot_schema(), &mut args, &["sixel", "both"]);
            assert_eq!(args["format"], sent, "{asked}");
        }
    }

    #[test]
    fn elsewhere_only_an_unset_format_becomes_png() {
        let mut args = json!({});
        prefer_png(&plot_schema(), &mut args, &[]);
        assert_eq!(args["format"], "png");
        let mut args = json!({ "format": "sixel" });
        prefer_png(&plot_schema(), &mut args, &[]);
        assert_eq!(args["format"], "sixel");
    }

    #[test]
    fn a_format_without_sixel_is_left_alone() {
        let schema = json!({ "properties": { "format": { "enum": ["unicode", "png"] } } });
        let mut args = json!({});
        prefer_png(&schema, &mut args, &["sixel"]);
        assert_eq!(args, json!({}));
        assert_eq!(offered_formats(&schema), ["png"]);
    }
}
