use super::*;
use crate::kinds::histogram::auto_bins;
use toolhost_sdk::{Content, Value, testing::call};

fn sixel_of(out: &Output) -> &str {
    out.content
        .iter()
        .find_map(|c| match c {
            Content::Sixel(s) => Some(s.as_str()),
            _ => None,
        })
        .expect("a sixel item")
}

fn png_of(out: &Output) -> &[u8] {
    out.content
        .iter()
        .find_map(|c| match c {
            Content::Image { mime_type, data } if mime_type == "image/png" => Some(&data[..]),
            _ => None,
        })
        .expect("a PNG item")
}

/// Decode sixel to RGBA with icy_sixel's decoder.
fn decode_sixel(s: &str) -> (usize, usize, Vec<u8>) {
    let img = icy_sixel::SixelImage::decode(s.as_bytes()).expect("sixel decodes");
    (img.width, img.height, img.pixels)
}

fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, buf)
}

/// Sixel colours are percentages: compare with that precision.
fn near(a: &[u8], b: (u8, u8, u8)) -> bool {
    let d = |x: u8, y: u8| (x as i32 - y as i32).abs() <= 2;
    d(a[0], b.0) && d(a[1], b.1) && d(a[2], b.2)
}

fn count_in(
    px: &[u8],
    w: usize,
    bpp: usize,
    rect: (usize, usize, usize, usize),
    f: impl Fn(&[u8]) -> bool,
) -> usize {
    let (x0, y0, x1, y1) = rect;
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * w + x) * bpp;
            if f(&px[i..i + bpp]) {
                n += 1;
            }
        }
    }
    n
}

fn sine(n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 10.0 / (n - 1) as f64).collect();
    let y = x.iter().map(|v| v.sin()).collect();
    (x, y)
}

const BLUE: (u8, u8, u8) = (0x1f, 0x77, 0xb4);
const ORANGE: (u8, u8, u8) = (0xff, 0x7f, 0x0e);

/// `n` deterministic samples, roughly normal around `mean` (sums of uniforms).
fn normalish(mean: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| mean + (0..12).map(|_| uniform()).sum::<f64>() - 6.0)
        .collect()
}

/// Points along y = x whose upper right is crowded: most lie in [0.8, 1].
fn crowded() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..400)
        .map(|i| {
            let t = i as f64 / 399.0;
            if i % 4 == 0 { t } else { 0.8 + 0.2 * t }
        })
        .collect();
    let y = x.clone();
    (x, y)
}

#[test]
fn sixel_decodes_to_size_with_series_colour() {
    let (x, y) = sine(1000);
    let out = call::<Plot>(json!({
        "kind": "line", "width": 400, "height": 300,
        "series": [{ "label": "sin", "x": x, "y": y }],
    }))
    .unwrap();
    let (w, h, px) = decode_sixel(sixel_of(&out));
    assert_eq!((w, h), (400, 300));
    // The plot area: the series colour appears across its width, and in the middle
    // rows (sin crosses zero there) but not at the very top rows of the image.
    let left = count_in(&px, w, 4, (60, 0, 200, 300), |p| near(p, BLUE));
    let right = count_in(&px, w, 4, (200, 0, 390, 300), |p| near(p, BLUE));
    assert!(left > 50 && right > 50, "{left} {right}");
    assert_eq!(count_in(&px, w, 4, (0, 0, 400, 5), |p| near(p, BLUE)), 0);
    // Few colours: the palette holds exactly what is drawn.
    let (palette, _) = sixel::index_colors(&decode_png_free_rgb(&px));
    assert!(palette.len() < 16, "{} colours", palette.len());
}

fn decode_png_free_rgb(rgba: &[u8]) -> Vec<u8> {
    rgba.as_chunks::<4>()
        .0
        .iter()
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[test]
fn png_decodes_to_requested_size() {
    let out = call::<Plot>(json!({
        "series": [{ "y": [1, 3, 2, 5] }], "width": 320, "height": 200, "format": "png",
    }))
    .unwrap();
    let (w, h, px) = decode_png(png_of(&out));
    assert_eq!((w, h), (320, 200));
    assert_eq!(px.len(), 320 * 200 * 3);
    assert!(count_in(&px, w, 3, (0, 0, w, h), |p| near(p, BLUE)) > 20);
}

#[test]
fn title_and_legend_text_is_drawn() {
    let (x, y) = sine(100);
    let plain = json!({ "series": [{ "x": x, "y": y }], "format": "png" });
    let mut with_text = plain.clone();
    with_text["title"] = json!("A Title");
    with_text["series"][0]["label"] = json!("Legend Entry");
    let dark = |p: &[u8]| p[0] < 100 && p[1] < 100 && p[2] < 100;
    let a = decode_png(png_of(&call::<Plot>(plain).unwrap()));
    let b = decode_png(png_of(&call::<Plot>(with_text).unwrap()));
    // Title band at the top: dark pixels only when there is a title.
    let top = (200, 0, 600, 40);
    assert_eq!(count_in(&a.2, 800, 3, top, dark), 0);
    assert!(count_in(&b.2, 800, 3, top, dark) > 100);
    // A legend inside the plot area (which corner depends on the data: see
    // `legend_avoids_the_crowded_corner`).
    let legend = (100, 20, 780, 530);
    assert!(count_in(&b.2, 800, 3, legend, dark) > count_in(&a.2, 800, 3, legend, dark) + 100);
    // Tick labels are drawn too (below the x axis).
    assert!(count_in(&a.2, 800, 3, (0, 560, 800, 600), dark) > 50);
}

#[test]
fn every_kind_renders() {
    let inputs = [
        json!({ "kind": "scatter", "series": [{ "x": [1, 2, 3], "y": [3, 1, 2], "label": "pts" }] }),
        json!({ "kind": "histogram", "bins": "auto", "series": [{ "values": [1, 2, 2, 3, 3, 3, 4, 4, 5] }] }),
        json!({ "kind": "histogram", "bins": 4, "series": [{ "values": [1, 2, 3] }, { "values": [2, 2] }] }),
        json!({ "kind": "bar", "categories": ["a", "b"], "series": [{ "y": [1, 2], "label": "s" }, { "y": [2, 1] }] }),
        json!({ "kind": "function", "x_range": [0, 6.3], "functions": [{ "expr": "sin(x)" }, { "expr": "cos(x)", "color": "#f00" }] }),
        json!({ "kind": "heatmap", "matrix": [[1, 2, 3], [4, 5, 6]] }),
        json!({ "kind": "line", "log_x": true, "log_y": true, "series": [{ "x": [1, 10, 100], "y": [1, 100, 10000] }] }),
        json!({ "series": [{ "y": [1, 2] }], "format": "svg", "title": "svg" }),
        json!({ "series": [{ "y": [1, 2] }], "format": "both" }),
    ];
    for input in inputs {
        let out = call::<Plot>(input.clone()).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert!(out.content.len() >= 2, "{input}");
    }
}

#[test]
fn svg_has_text_elements() {
    let out = call::<Plot>(
        json!({ "series": [{ "y": [1, 2], "label": "s" }], "format": "svg", "title": "Hello" }),
    )
    .unwrap();
    let svg = out
        .content
        .iter()
        .find_map(|c| match c {
            Content::Image { mime_type, data } if mime_type == "image/svg+xml" => {
                Some(String::from_utf8(data.clone()).unwrap())
            }
            _ => None,
        })
        .unwrap();
    assert!(svg.contains("<text") && svg.contains("Hello"));
}

#[test]
fn histogram_auto_bins_follow_freedman_diaconis() {
    let v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
    // IQR ≈ 499.5, width = 2·499.5/10 = 99.9, range 999 → 10 bins.
    assert_eq!(auto_bins(&v), 11.min(auto_bins(&v)).max(10));
    assert_eq!(auto_bins(&[1.0, 1.0, 1.0, 1.0]), 3);
}

fn svg_of(out: &Output) -> String {
    out.content
        .iter()
        .find_map(|c| match c {
            Content::Image { mime_type, data } if mime_type == "image/svg+xml" => {
                Some(String::from_utf8(data.clone()).unwrap())
            }
            _ => None,
        })
        .expect("an SVG item")
}

/// The text of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_owned())
        })
        .collect()
}

fn png_plot(input: Value) -> (usize, usize, Vec<u8>) {
    let mut input = input;
    input["format"] = json!("png");
    decode_png(png_of(&call::<Plot>(input).unwrap()))
}

fn dark(p: &[u8]) -> bool {
    p[0] < 100 && p[1] < 100 && p[2] < 100
}

/// `top` seen through `alpha` of it over `under`, per channel.
fn blend(top: (u8, u8, u8), alpha: f64, under: (u8, u8, u8)) -> (u8, u8, u8) {
    let m = |t: u8, u: u8| (alpha * t as f64 + (1.0 - alpha) * u as f64).round() as u8;
    (m(top.0, under.0), m(top.1, under.1), m(top.2, under.2))
}

#[test]
fn heatmap_has_a_colour_bar_with_tick_labels() {
    // One row, low on the left and high on the right: no column of cells runs from the
    // top colour to the bottom one, only the colour bar does.
    let (w, h, px) = png_plot(json!({ "kind": "heatmap", "matrix": [[0, 10]] }));
    let at = |x: usize, y: usize| &px[(y * w + x) * 3..(y * w + x) * 3 + 3];
    let yellow = |p: &[u8]| p[0] > 200 && p[1] > 200 && p[2] < 100;
    let purple = |p: &[u8]| p[0] < 100 && p[1] < 30 && p[2] > 60;
    let bar_columns: Vec<usize> = (0..w)
        .filter(|&x| {
            (10..60).any(|y| yellow(at(x, y))) && (h - 120..h - 40).any(|y| purple(at(x, y)))
        })
        .collect();
    assert!(
        bar_columns.len() >= 8,
        "colour bar columns: {bar_columns:?}"
    );
    let right = *bar_columns.last().unwrap();
    // Its tick labels (0, 2, ... 10) are drawn to its right, inside the image.
    let labels = count_in(&px, w, 3, (right + 1, 0, w, h), dark);
    assert!(labels > 60, "{labels} dark pixels right of the bar");
    assert_eq!(count_in(&px, w, 3, (w - 2, 0, w, h), dark), 0);
}

#[test]
fn heatmap_row_and_column_labels_are_drawn_and_checked() {
    let m = json!([[1, 2, 3], [4, 5, 6]]);
    let plain = png_plot(json!({ "kind": "heatmap", "matrix": m }));
    let named = png_plot(json!({
        "kind": "heatmap", "matrix": m,
        "col_labels": ["January", "February", "March"], "row_labels": ["North", "South"],
    }));
    // Long names below the x axis and left of the y axis: many more dark pixels there.
    let below = (0, 550, 800, 600);
    let left = (0, 0, 75, 540);
    assert!(count_in(&named.2, 800, 3, below, dark) > 2 * count_in(&plain.2, 800, 3, below, dark));
    assert!(count_in(&named.2, 800, 3, left, dark) > 2 * count_in(&plain.2, 800, 3, left, dark));
    let e = err(json!({ "kind": "heatmap", "matrix": m, "row_labels": ["one"] }));
    assert_eq!(pointer(&e), "/row_labels");
    let e = err(json!({ "kind": "heatmap", "matrix": m, "col_labels": ["a", "b"] }));
    assert_eq!(pointer(&e), "/col_labels");
}

#[test]
fn overlapping_histograms_are_see_through() {
    // Two identical samples: every bar of the second lies on one of the first.
    let v: Vec<f64> = (0..200).map(|i| (i % 20) as f64).collect();
    let (w, h, px) = png_plot(json!({
        "kind": "histogram", "bins": 10, "series": [{ "values": v }, { "values": v }],
    }));
    let white = (255, 255, 255);
    let both = blend(ORANGE, 0.5, blend(BLUE, 0.5, white));
    let blended = count_in(&px, w, 3, (0, 0, w, h), |p| near(p, both));
    let opaque_orange = count_in(&px, w, 3, (0, 0, w, h), |p| near(p, ORANGE));
    assert!(blended > 50_000, "{blended} pixels of orange over blue");
    assert!(opaque_orange < 100, "{opaque_orange} opaque orange pixels");
    // A single histogram stays opaque.
    let (w, h, px) = png_plot(json!({ "kind": "histogram", "series": [{ "values": v }] }));
    assert!(count_in(&px, w, 3, (0, 0, w, h), |p| near(p, BLUE)) > 50_000);
}

#[test]
fn log_axes_label_ticks_as_powers_of_ten() {
    let out = call::<Plot>(json!({
        "kind": "line", "log_x": true, "log_y": true, "format": "svg",
        "series": [{ "x": [1, 10, 100, 1000, 1e6], "y": [1, 100, 1e4, 1e6, 1e12] }],
    }))
    .unwrap();
    let texts = svg_texts(&svg_of(&out));
    for want in ["10⁰", "10³", "10⁶", "10¹²"] {
        assert!(
            texts.iter().any(|t| t == want),
            "{want} missing from {texts:?}"
        );
    }
    assert!(
        !texts.iter().any(|t| t.ends_with(".0") || t.len() > 8),
        "long or .0 labels in {texts:?}"
    );
    // Big values on a linear axis are compact too.
    let out = call::<Plot>(json!({
        "format": "svg", "series": [{ "x": [0, 1], "y": [0, 3e6] }],
    }))
    .unwrap();
    let texts = svg_texts(&svg_of(&out));
    assert!(texts.iter().any(|t| t == "1e6" || t == "3e6"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("000000")), "{texts:?}");
}

#[test]
fn legend_avoids_the_crowded_corner() {
    let (x, y) = crowded();
    let (w, _, px) = png_plot(json!({
        "kind": "scatter", "series": [{ "label": "a long legend entry", "x": x, "y": y }],
    }));
    // The legend's text is the only dark ink inside the plot area; the data is blue.
    let upper_right = count_in(&px, w, 3, (480, 15, 790, 200), dark);
    let upper_left = count_in(&px, w, 3, (90, 15, 400, 200), dark);
    assert_eq!(upper_right, 0, "legend over the crowded corner");
    assert!(upper_left > 100, "legend in the upper left: {upper_left}");
    // Its frame holds its text: no dark pixel on or outside the frame's right edge
    // within the legend's rows.
    let frame = (0..w).rev().find(|&x| {
        let i = (40 * w + x) * 3;
        near(&px[i..i + 3], crate::render::FRAME)
    });
    let frame = frame.expect("the legend frame");
    assert!(frame < 400, "frame's right edge at {frame}");
    assert_eq!(count_in(&px, w, 3, (frame, 15, frame + 40, 60), dark), 0);
}

#[test]
fn lines_are_at_least_one_and_a_half_pixels_wide() {
    let (w, h, px) = png_plot(
        json!({ "series": [{ "x": [0, 1], "y": [0, 1] }, { "x": [0, 1], "y": [0.5, 0.5] }] }),
    );
    let column =
        |x: usize, c: (u8, u8, u8)| (0..h).filter(|&y| near(&px[(y * w + x) * 3..], c)).count();
    // Horizontal: at least 2 rows thick; diagonal (about 37° here): a vertical cut of at
    // least 1.5 / cos(37°) ≈ 1.9 px, so 2 or more.
    for x in [200, 400, 600] {
        assert!(
            column(x, ORANGE) >= 2,
            "horizontal line {} px at x={x}",
            column(x, ORANGE)
        );
        assert!(
            column(x, BLUE) >= 2,
            "diagonal line {} px at x={x}",
            column(x, BLUE)
        );
    }
    // A steep line is thick across too.
    let (w, _, px) = png_plot(json!({
        "series": [{ "x": [0, 1], "y": [0, 1] }], "width": 600, "height": 1200,
    }));
    let row = |y: usize| {
        (0..w)
            .filter(|&x| near(&px[(y * w + x) * 3..], BLUE))
            .count()
    };
    assert!(row(600) >= 2, "steep line {} px across", row(600));
}

#[test]
fn edge_tick_labels_are_not_clipped() {
    let (w, h, px) = png_plot(json!({ "series": [{ "x": [0, 100000], "y": [0, 100000] }] }));
    // The x axis' labels: the last, "100000", ends at the axis' right end; all of it is
    // inside the image, with a margin.
    let band = (0, h - 60, w, h - 20);
    let near_end = count_in(&px, w, 3, (w - 60, band.1, w, band.3), dark);
    assert!(near_end > 20, "the last label is drawn ({near_end})");
    assert_eq!(
        count_in(&px, w, 3, (w - 3, 0, w, h), dark),
        0,
        "ink at the right edge"
    );
    assert_eq!(
        count_in(&px, w, 3, (0, 0, w, 3), dark),
        0,
        "ink at the top edge"
    );
    assert_eq!(
        count_in(&px, w, 3, (0, 0, 3, h), dark),
        0,
        "ink at the left edge"
    );
}

fn err(input: Value) -> ToolError {
    call::<Plot>(input).expect_err("an error")
}

fn pointer(e: &ToolError) -> &str {
    e.details.as_ref().unwrap()["pointer"].as_str().unwrap()
}

#[test]
fn bad_input_names_the_field() {
    let e = err(json!({ "series": [{ "x": [1, 2], "y": [1] }] }));
    assert_eq!(pointer(&e), "/series/0/x");
    assert!(
        e.message.contains("2 values") && e.message.contains("1"),
        "{}",
        e.message
    );
    assert_eq!(pointer(&err(json!({ "series": [] }))), "/series");
    assert_eq!(
        pointer(&err(json!({ "series": [{ "y": [] }] }))),
        "/series/0/y"
    );
    assert_eq!(
        pointer(&err(json!({ "series": [{ "y": [1], "color": "blue" }] }))),
        "/series/0/color"
    );
    assert_eq!(
        pointer(&err(
            json!({ "kind": "function", "functions": [{ "expr": "sin(" }], "x_range": [0, 1] })
        )),
        "/functions/0/expr"
    );
    assert_eq!(
        pointer(&err(
            json!({ "kind": "function", "functions": [{ "expr": "x" }] })
        )),
        "/x_range"
    );
    assert_eq!(
        pointer(&err(
            json!({ "series": [{ "y": [1, 2] }], "x_range": [2, 1] })
        )),
        "/x_range"
    );
    assert_eq!(
        pointer(&err(json!({ "kind": "heatmap", "matrix": [[1, 2], [3]] }))),
        "/matrix/1"
    );
    assert_eq!(
        pointer(&err(
            json!({ "kind": "bar", "categories": ["a"], "series": [{ "y": [1, 2] }] })
        )),
        "/series/0/y"
    );
    assert_eq!(
        pointer(&err(
            json!({ "kind": "histogram", "bins": 0, "series": [{ "values": [1] }] })
        )),
        "/bins"
    );
    // Unknown fields are rejected by the schema.
    assert_eq!(err(json!({ "serie": [] })).code, "invalid_input");
}

#[test]
fn nan_is_skipped_with_a_warning_and_sizes_are_capped() {
    let out = call::<Plot>(json!({
        "series": [{ "y": [1, null, 3] }], "width": 100000, "height": 5, "format": "png",
    }));
    // JSON has no NaN: null is not a number, so that is a schema error...
    assert!(out.is_err());
    // ...but the tool still guards against NaN reaching it (from functions, or from
    // hosts that accept NaN literals).
    let input = Input {
        series: vec![Series {
            y: Some(vec![1.0, f64::NAN, 3.0]),
            ..Series::default()
        }],
        width: Some(100_000),
        height: Some(5),
        format: Format::Png,
        ..Input::default()
    };
    let r = render_plot(&input).unwrap();
    assert_eq!((r.width, r.height), (MAX_SIZE, MIN_SIZE));
    let text = r.description();
    assert!(text.contains("skipped 1 point"), "{text}");
    assert!(
        text.contains("capped to 4096") && text.contains("capped to 100"),
        "{text}"
    );
    let (w, h, _) = decode_png(r.png.as_ref().unwrap());
    assert_eq!((w, h), (4096, 100));
}

#[test]
fn function_nan_regions_are_warned() {
    let out = call::<Plot>(json!({
        "kind": "function", "functions": [{ "expr": "sqrt(x)" }], "x_range": [-1, 1], "samples": 101,
    }))
    .unwrap();
    assert!(
        out.first_text().unwrap().contains("skipped 50 point"),
        "{:?}",
        out.first_text()
    );
}

#[test]
fn schema_and_examples_are_valid() {
    let schema = toolhost_sdk::testing::input_schema::<Plot>();
    assert!(schema["properties"]["kind"].is_object());
    for ex in Plot::info().examples {
        call::<Plot>(ex.input.clone()).unwrap_or_else(|e| panic!("{}: {e}", ex.description));
    }
}

/// Writes sample PNGs and SVGs to /tmp for a look: `cargo test -- --ignored write_samples`.
#[test]
#[ignore]
fn write_samples() {
    let (x, y) = sine(10_000);
    let samples = [
        (
            "line",
            json!({ "title": "sin(x)", "x_label": "x", "y_label": "y", "series": [{ "label": "sin", "x": x, "y": y }, { "label": "dots", "y": [0.5, -0.5, 0.2] }] }),
        ),
        (
            "small",
            json!({ "series": [{ "y": [1, 3, 2, 5] }], "width": 320, "height": 200 }),
        ),
        (
            "bar",
            json!({ "kind": "bar", "title": "bars", "categories": ["alpha", "beta", "gamma"], "series": [{ "y": [1, 2, 3], "label": "a" }, { "y": [2, 1, 0.5], "label": "b" }] }),
        ),
        (
            "heat",
            json!({ "kind": "heatmap", "title": "heat", "matrix": [[1, 2, 3, 4], [4, 5, 6, 7], [9, 8, 7, 6]] }),
        ),
        (
            "hist",
            json!({ "kind": "histogram", "series": [{ "label": "v", "values": (0..500).map(|i| ((i * 7919) % 1000) as f64 / 100.0).collect::<Vec<_>>() }] }),
        ),
        (
            "log",
            json!({ "kind": "function", "log_y": true, "x_range": [0, 5], "functions": [{ "expr": "exp(x)" }, { "expr": "x^2 + 1" }] }),
        ),
        (
            "loglog",
            json!({ "kind": "function", "log_x": true, "log_y": true, "x_range": [1, 1e6], "functions": [{ "expr": "x^2", "label": "x²" }, { "expr": "sqrt(x)", "label": "√x" }] }),
        ),
        (
            "hist2",
            json!({ "kind": "histogram", "title": "two samples", "series": [{ "label": "a", "values": normalish(0.0, 1000, 1) }, { "label": "b", "values": normalish(1.0, 1000, 2) }] }),
        ),
        (
            "crowded",
            json!({ "kind": "scatter", "series": [{ "label": "rising", "x": crowded().0, "y": crowded().1 }] }),
        ),
        (
            "heat-labels",
            json!({ "kind": "heatmap", "matrix": [[0.1, 0.5, 0.9], [0.3, -0.2, 0.7]], "row_labels": ["first", "second"], "col_labels": ["alpha", "beta", "gamma"] }),
        ),
    ];
    for (name, mut input) in samples {
        input["format"] = json!("png");
        let out = call::<Plot>(input.clone()).unwrap();
        std::fs::write(format!("/tmp/plot-{name}.png"), png_of(&out)).unwrap();
        input["format"] = json!("svg");
        let out = call::<Plot>(input).unwrap();
        std::fs::write(format!("/tmp/plot-{name}.svg"), svg_of(&out)).unwrap();
    }
}
