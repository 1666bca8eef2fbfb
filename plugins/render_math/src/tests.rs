use super::*;
use toolhost_sdk::testing;

fn run(input: Value) -> Result<Output, ToolError> {
    testing::call::<RenderMath>(input)
}

#[test]
fn default_is_the_2d_layout_with_its_metrics() {
    let out = run(json!({ "latex": r"a = \frac{1}{2}" })).unwrap();
    assert_eq!(out.first_text(), Some("    1\na = ─\n    2"));
    assert_eq!(
        out.first_json(),
        Some(&json!({
            "unicode": "    1\na = ─\n    2",
            "width": 5,
            "height": 3,
            "baseline": 1,
        }))
    );
}

#[test]
fn all_gives_every_form_and_the_2d_text() {
    let out = run(json!({ "latex": r"\sqrt{x^2+1}", "format": "all" })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["oneline"], "√(x²+1)");
    assert_eq!(j["unicode"], "   ______\n  ╱ 2\n╲╱ x  + 1");
    assert_eq!(out.first_text(), j["unicode"].as_str());
    assert!(j["mathml"].as_str().unwrap().starts_with("<math"));
    assert_eq!(
        (
            j["width"].clone(),
            j["height"].clone(),
            j["baseline"].clone()
        ),
        (json!(9), json!(3), json!(2))
    );
}

#[test]
fn oneline_and_mathml_are_the_text_when_asked_for() {
    let out = run(json!({ "latex": r"\frac{a+b}{c-d}", "format": "oneline" })).unwrap();
    assert_eq!(out.first_text(), Some("(a+b)/(c−d)"));
    let j = out.first_json().unwrap();
    assert!(j.get("unicode").is_none() && j.get("mathml").is_none());
    let out = run(json!({ "latex": "x", "format": "mathml", "display": false })).unwrap();
    assert_eq!(
        out.first_text(),
        Some(r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>"#)
    );
}

#[test]
fn display_false_puts_limits_beside() {
    let out = run(json!({ "latex": r"\sum_{i=1}^n i", "display": false })).unwrap();
    assert_eq!(out.first_text(), Some(" n\n∑    i\n i=1"));
    let out = run(json!({ "latex": r"\sum_{i=1}^n i" })).unwrap();
    assert_eq!(out.first_text(), Some(" n\n ∑  i\ni=1"));
}

#[test]
fn errors_name_position_snippet_and_suggestion() {
    let err = run(json!({ "latex": r"x + \fracc{1}{2}" })).unwrap_err();
    assert_eq!(err.code, "invalid_input");
    assert_eq!(
        err.message,
        r"/latex: line 1, column 5 (byte 4): unknown command \fracc; did you mean \frac?"
    );
    let d = err.details.unwrap();
    assert_eq!(d["pointer"], "/latex");
    assert_eq!(d["kind"], "unknown_command");
    assert_eq!(d["offset"], 4);
    assert_eq!(d["end"], 10);
    assert_eq!(d["line"], 1);
    assert_eq!(d["column"], 5);
    assert_eq!(d["snippet"], "x + \\fracc{1}{2}\n    ^^^^^^");
    assert_eq!(d["suggestion"], r"\frac");
}

#[test]
fn bad_fields_are_invalid_input() {
    let err = run(json!({ "latex": "x", "colour": "red" })).unwrap_err();
    assert_eq!(err.code, "invalid_input");
    let err = run(json!({ "latex": "x", "format": "gif" })).unwrap_err();
    assert_eq!(err.code, "invalid_input");
    let err = run(json!({ "format": "all" })).unwrap_err();
    assert_eq!(err.code, "invalid_input");
}

#[test]
fn schemas_describe_the_fields() {
    let schema = testing::input_schema::<RenderMath>();
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["required"], json!(["latex"]));
    assert_eq!(schema["properties"]["display"]["default"], json!(true));
    let text = schema.to_string();
    assert!(
        text.contains("oneline") && text.contains("mathml"),
        "{text}"
    );
    assert!(schema["properties"]["latex"]["description"].is_string());
    let out = RenderMath::output_schema().unwrap();
    for key in [
        "unicode", "oneline", "mathml", "width", "height", "baseline",
    ] {
        assert!(out["properties"][key].is_object(), "{key}");
    }
}

#[test]
fn examples_run() {
    for example in RenderMath::info().examples {
        let out = run(example.input.clone());
        assert!(out.is_ok(), "{}: {out:?}", example.description);
    }
}
