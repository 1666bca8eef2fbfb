//! `"plot"`: the solution of an `ode` or the integrand of a `quad` drawn by the plot tool's
//! renderer, returned as an image beside the JSON result; a bad size is an error at its
//! field.

use tool_integrate::Integrate;
use toolhost_sdk::{Content, Output, Value, json, testing};

fn picture(out: &Output) -> (&str, &[u8]) {
    let images: Vec<(&str, &[u8])> = out
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Image { mime_type, data } => Some((mime_type.as_str(), data.as_slice())),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 1, "one picture");
    images[0]
}

/// Width, height and RGB pixels of a PNG.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let pixels = buf[..info.buffer_size()]
        .chunks(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// Pixels close to `colour` (lines are antialiased).
fn count_near(pixels: &[[u8; 3]], colour: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 12))
        .count()
}

/// The text of every text element of an SVG (the plot writes each on its own line).
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let inner = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(inner.trim().to_owned())
        })
        .collect()
}

const TAB10_BLUE: [u8; 3] = [0x1f, 0x77, 0xb4];
const TAB10_ORANGE: [u8; 3] = [0xff, 0x7f, 0x0e];

fn lotka_volterra(method: &str, plot: Value) -> Value {
    json!({
        "op": "ode", "method": method,
        "rhs": { "prey": "a*prey - b*prey*pred", "pred": "-c*pred + d*prey*pred" },
        "y0": { "prey": 10, "pred": 5 }, "params": { "a": 1.5, "b": 1, "c": 3, "d": 1 },
        "t_span": [0, 15], "rtol": 1e-6, "atol": 1e-9, "plot": plot
    })
}

#[test]
fn an_ode_plot_is_a_png_beside_the_json_with_a_curve_per_unknown() {
    let out = testing::call::<Integrate>(lotka_volterra("dop853", json!(true))).unwrap();
    assert!(
        matches!(out.content[1], Content::Json(_)),
        "the JSON result comes first"
    );
    assert_eq!(out.first_json().unwrap()["status"], "reached");
    let (mime, data) = picture(&out);
    assert_eq!(mime, "image/png");
    let (w, h, pixels) = decode(data);
    assert_eq!((w, h), (800, 600));
    // pred and prey in the palette's first two colours, each a curve of many pixels.
    assert!(count_near(&pixels, TAB10_BLUE) > 2000, "no first curve");
    assert!(count_near(&pixels, TAB10_ORANGE) > 2000, "no second curve");
}

#[test]
fn the_legend_names_the_unknowns_and_svg_and_size_are_honoured() {
    let out = testing::call::<Integrate>(lotka_volterra(
        "dopri5",
        json!({ "format": "svg", "width": 640, "height": 360 }),
    ))
    .unwrap();
    let (mime, data) = picture(&out);
    assert_eq!(mime, "image/svg+xml");
    let svg = std::str::from_utf8(data).unwrap();
    assert!(svg.contains(r#"width="640""#) && svg.contains(r#"height="360""#));
    let texts = svg_texts(svg);
    for label in ["pred", "prey", "pred, prey (dopri5)", "t"] {
        assert!(
            texts.iter().any(|t| t == label),
            "{label} is not in {texts:?}"
        );
    }
    let out = testing::call::<Integrate>(lotka_volterra(
        "radau",
        json!({ "width": 320, "height": 200 }),
    ))
    .unwrap();
    let (w, h, _) = decode(picture(&out).1);
    assert_eq!((w, h), (320, 200));
}

#[test]
fn no_plot_no_picture() {
    for plot in [Value::Null, json!(false)] {
        let mut input = lotka_volterra("dopri5", plot);
        if input["plot"].is_null() {
            input.as_object_mut().unwrap().remove("plot");
        }
        let out = testing::call::<Integrate>(input).unwrap();
        assert!(
            !out.content
                .iter()
                .any(|c| matches!(c, Content::Image { .. }))
        );
    }
}

#[test]
fn a_quad_plot_draws_the_integrand_on_finite_and_infinite_intervals() {
    for (f, a, b) in [
        ("ln(x)/sqrt(x)", json!(0), json!(1)),
        ("exp(-x^2)", json!("-inf"), json!("inf")),
        ("exp(-x)", json!(0), json!("inf")),
    ] {
        let out = testing::call::<Integrate>(
            json!({ "op": "quad", "f": f, "a": a, "b": b, "plot": true }),
        )
        .unwrap();
        assert_eq!(out.first_json().unwrap()["status"], "converged", "{f}");
        let (mime, data) = picture(&out);
        assert_eq!(mime, "image/png");
        let (_, _, pixels) = decode(data);
        assert!(count_near(&pixels, TAB10_BLUE) > 500, "{f}: no curve");
    }
    // The window of an infinite interval holds the bump, its ticks say where.
    let out = testing::call::<Integrate>(json!({
        "op": "quad", "f": "exp(-x^2)", "a": "-inf", "b": "inf", "plot": { "format": "svg" }
    }))
    .unwrap();
    let texts = svg_texts(std::str::from_utf8(picture(&out).1).unwrap());
    // Negative ticks are written with the minus sign, U+2212.
    let ticks: Vec<f64> = texts
        .iter()
        .filter_map(|t| t.replace('−', "-").parse().ok())
        .collect();
    assert!(
        ticks.iter().any(|&t| t < 0.0) && ticks.iter().all(|t| t.abs() < 3.0),
        "the window is the bump, about ±1.8: ticks {ticks:?}"
    );
}

#[test]
fn a_bad_plot_size_is_an_error_at_its_field() {
    let e =
        testing::call::<Integrate>(lotka_volterra("dopri5", json!({ "width": 50 }))).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(e.details.unwrap()["pointer"], "/plot/width");
    let e = testing::call::<Integrate>(json!({
        "op": "quad", "f": "x", "a": 0, "b": 1, "plot": { "height": 5000 }
    }))
    .unwrap_err();
    assert_eq!(e.details.unwrap()["pointer"], "/plot/height");
    assert!(e.message.contains("100 to 4096"), "{}", e.message);
}
