//! `run --out FILE`: the file's extension names the image format, and the tool is asked for
//! that format, so `--out plot.png` writes a PNG whatever the tool's default output is.

use crate::pictures::offered_formats;
use serde_json::Value;
use std::path::Path;

/// An image format `--out` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Png,
    Svg,
}

impl OutFormat {
    /// The format `path`'s extension names, or a usage message.
    pub fn from_path(path: &Path) -> Result<Self, String> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("png") => Ok(OutFormat::Png),
            Some("svg") => Ok(OutFormat::Svg),
            Some(other) => Err(format!(
                "--out {}: unknown image extension `.{other}`; expected .png or .svg",
                path.display()
            )),
            None => Err(format!(
                "--out {}: the file name needs an extension naming the format: .png or .svg",
                path.display()
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OutFormat::Png => "png",
            OutFormat::Svg => "svg",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            OutFormat::Png => "image/png",
            OutFormat::Svg => "image/svg+xml",
        }
    }
}

/// Ask for `wanted` in `input` (a tool input object), or say why the tool cannot write it.
pub fn request_format(
    tool: &str,
    input_schema: &Value,
    input: &mut Value,
    wanted: OutFormat,
) -> Result<(), String> {
    let offered = offered_formats(input_schema);
    if !offered.iter().any(|f| f == wanted.name()) {
        return Err(if offered.is_empty() {
            format!(
                "--out: `{tool}` produces no images; --out saves the image of a tool that can \
                 write png or svg (such as plot or render_math)"
            )
        } else {
            format!(
                "--out: `{tool}` cannot write {}; it can produce: {}",
                wanted.name(),
                offered.join(", ")
            )
        });
    }
    let map = input.as_object_mut().expect("tool inputs are objects");
    match map.get("format").and_then(Value::as_str) {
        None => {
            map.insert("format".into(), Value::String(wanted.name().into()));
            Ok(())
        }
        Some(given) if given == wanted.name() => Ok(()),
        Some(given) => Err(format!(
            "--out: the input asks for format `{given}` but the file name asks for {}; \
             drop `format` or make them agree",
            wanted.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plot_schema() -> Value {
        json!({ "properties": { "format": { "oneOf": [
            { "const": "sixel" }, { "const": "png" }, { "const": "svg" }, { "const": "both" }
        ] } } })
    }

    #[test]
    fn the_extension_names_the_format() {
        assert_eq!(
            OutFormat::from_path(Path::new("a/x.PNG")),
            Ok(OutFormat::Png)
        );
        assert_eq!(OutFormat::from_path(Path::new("x.svg")), Ok(OutFormat::Svg));
        assert!(
            OutFormat::from_path(Path::new("x.jpg"))
                .unwrap_err()
                .contains(".jpg")
        );
        assert!(OutFormat::from_path(Path::new("x")).is_err());
    }

    #[test]
    fn the_tool_is_asked_for_the_format_when_the_input_does_not_say() {
        let mut input = json!({ "series": [] });
        request_format("plot", &plot_schema(), &mut input, OutFormat::Png).unwrap();
        assert_eq!(input["format"], "png");
        let by_ref = json!({
            "properties": { "format": { "$ref": "#/$defs/Format", "default": "unicode" } },
            "$defs": { "Format": { "type": "string", "enum": ["unicode", "all", "png", "svg"] } }
        });
        assert_eq!(offered_formats(&by_ref), ["png", "svg"]);
    }

    #[test]
    fn a_contradicting_format_or_an_imageless_tool_is_refused() {
        let mut input = json!({ "format": "sixel" });
        let e = request_format("plot", &plot_schema(), &mut input, OutFormat::Svg).unwrap_err();
        assert!(e.contains("sixel"), "{e}");
        let calc = json!({ "properties": { "expr": { "type": "string" } } });
        let e = request_format("calc", &calc, &mut json!({}), OutFormat::Png).unwrap_err();
        assert!(e.contains("`calc` produces no images"), "{e}");
        let sixel_only = json!({ "properties": { "format": { "enum": ["sixel", "text"] } } });
        let e = request_format("t", &sixel_only, &mut json!({}), OutFormat::Png).unwrap_err();
        assert!(e.contains("can produce: sixel"), "{e}");
    }
}
