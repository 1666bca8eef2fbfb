//! The PNG and SVG forms: what the images hold, the options, and errors naming fields.

use tool_render_math::RenderMath;
use toolhost_sdk::{Content, Output, ToolError, Value, json, testing};

fn run(input: Value) -> Result<Output, ToolError> {
    testing::call::<RenderMath>(input)
}

fn image_of<'a>(out: &'a Output, mime: &str) -> &'a [u8] {
    out.content
        .iter()
        .find_map(|c| match c {
            Content::Image { mime_type, data } if mime_type == mime => Some(&data[..]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a {mime} item"))
}

/// Width, height, channels and pixels.
fn decode_png(bytes: &[u8]) -> (usize, usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    (info.width as usize, info.height as usize, channels, buf)
}

fn png(latex: &str, extra: Value) -> (usize, usize, usize, Vec<u8>) {
    let mut input = json!({ "latex": latex, "format": "png" });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let out = run(input).unwrap();
    decode_png(image_of(&out, "image/png"))
}

/// Pixels darker than mid-grey in rows `y0..y1` and columns `x0..x1` of an RGB image.
fn dark(px: &[u8], w: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * w + x) * 3;
            if px[i] < 128 && px[i + 1] < 128 && px[i + 2] < 128 {
                n += 1;
            }
        }
    }
    n
}

/// The rows of an RGB image that hold a long horizontal run of dark pixels.
fn rows_with_run(px: &[u8], w: usize, h: usize, min_run: usize) -> Vec<usize> {
    (0..h)
        .filter(|&y| {
            let mut run = 0;
            let mut best = 0;
            for x in 0..w {
                let i = (y * w + x) * 3;
                if px[i] < 128 {
                    run += 1;
                    best = best.max(run);
                } else {
                    run = 0;
                }
            }
            best >= min_run
        })
        .collect()
}

#[test]
fn png_decodes_with_ink_on_white_and_the_text_and_json_items() {
    let out =
        run(json!({ "latex": r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}", "format": "png" })).unwrap();
    assert_eq!(out.first_text(), Some("x = (−b±√(b²−4ac))/(2a)"));
    let (w, h, ch, px) = decode_png(image_of(&out, "image/png"));
    assert_eq!(ch, 3);
    // At 32 px to the em the quadratic formula is some 8 ems wide and 2.5 high.
    assert!((200..500).contains(&w) && (60..140).contains(&h), "{w}×{h}");
    let ink = dark(&px, w, (0, 0, w, h));
    assert!(
        ink > 500 && ink < w * h / 3,
        "{ink} dark pixels of {}",
        w * h
    );
    // The corners are background.
    assert_eq!(&px[0..3], &[255, 255, 255]);
    let j = out.first_json().unwrap();
    assert_eq!(j["image"]["width"], json!(w));
    assert_eq!(j["image"]["height"], json!(h));
    assert_eq!(j["image"]["mime_type"], "image/png");
    let baseline = j["image"]["baseline"].as_u64().unwrap() as usize;
    assert!(baseline > h / 2 && baseline < h, "{baseline} of {h}");
}

#[test]
fn a_fraction_has_a_bar_between_numerator_and_denominator() {
    // Letters hold short dark runs; only the bar spans all three letters' width.
    let (w, h, _, px) = png(r"\frac{xyz}{abc}", json!({}));
    let bars = rows_with_run(&px, w, h, 50);
    assert!(!bars.is_empty() && bars.len() <= 3, "{bars:?}");
    let bar = bars[0];
    assert!(dark(&px, w, (0, 0, w, bar - 1)) > 30, "numerator above");
    assert!(
        dark(&px, w, (0, bars[bars.len() - 1] + 2, w, h)) > 30,
        "denominator below"
    );
}

#[test]
fn a_radical_draws_its_overbar_over_the_radicand() {
    let (w, h, _, px) = png(r"\sqrt{xyz}", json!({}));
    let bars = rows_with_run(&px, w, h, 40);
    assert!(!bars.is_empty(), "an overbar");
    // The bar is above the letters: nothing but the sign's stroke sits above it.
    let top = bars[0];
    assert!(top < h / 3, "bar at row {top} of {h}");
}

#[test]
fn sizes_scale_and_tall_constructs_are_taller() {
    let (w1, h1, _, _) = png("x+y", json!({}));
    let (w2, h2, _, _) = png("x+y", json!({ "size": 64 }));
    let (w3, h3, _, _) = png("x+y", json!({ "scale": 2 }));
    assert!((w2 as f64 / w1 as f64 - 2.0).abs() < 0.1, "{w1} {w2}");
    assert!((h2 as f64 / h1 as f64 - 2.0).abs() < 0.15, "{h1} {h2}");
    assert_eq!((w2, h2), (w3, h3));
    let (_, tall, _, _) = png(
        r"\begin{pmatrix} a & b \\ c & d \\ e & f \end{pmatrix}",
        json!({}),
    );
    let (_, sum, _, _) = png(r"\sum_{i=1}^{n} i^2", json!({}));
    assert!(tall > 2 * h1 && sum > 2 * h1, "{tall} {sum} vs {h1}");
}

#[test]
fn colour_and_transparent_background() {
    let (w, h, ch, px) = png(
        r"\alpha",
        json!({ "color": "#c00", "background": "transparent" }),
    );
    assert_eq!(ch, 4);
    assert_eq!(px[3], 0, "a transparent corner");
    let solid = px
        .as_chunks::<4>()
        .0
        .iter()
        .filter(|p| p[3] == 255 && p[0] == 0xcc && p[1] == 0 && p[2] == 0)
        .count();
    assert!(solid > 30, "{solid} solid red pixels of {}", w * h);
    let (_, _, ch, px) = png("x", json!({ "background": "#000", "color": "#fff" }));
    assert_eq!((ch, &px[0..3]), (3, &[0u8, 0, 0][..]));
    assert!(px.contains(&255));
}

#[test]
fn svg_is_xml_with_glyph_paths_placed_by_use() {
    let out = run(json!({
        "latex": r"\sum_{k=1}^{n} \frac{1}{k^2} \le \sqrt{2}",
        "format": "svg",
    }))
    .unwrap();
    let svg = String::from_utf8(image_of(&out, "image/svg+xml").to_vec()).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let j = out.first_json().unwrap();
    assert_eq!(
        root.attribute("width"),
        Some(&*j["image"]["width"].to_string())
    );
    let count = |name: &str| {
        doc.descendants()
            .filter(|n| n.tag_name().name() == name)
            .count()
    };
    // Glyph outlines once each in <defs>, placed by <use>: ∑ k = 1 n 1 k 2 ≤ 2 (and the
    // radical sign and fraction bar as shapes).
    assert!(count("use") >= 10, "{} uses", count("use"));
    let glyphs = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "path" && n.attribute("id").is_some())
        .count();
    assert!(glyphs >= 6, "{glyphs} glyph outlines");
    assert!(count("rect") >= 2, "background and fraction bar");
    let title = doc
        .descendants()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.text());
    assert_eq!(title, out.first_text());
}

fn pointer(e: &ToolError) -> Option<&str> {
    e.details.as_ref()?["pointer"].as_str()
}

#[test]
fn bad_options_name_their_field() {
    let e = run(json!({ "latex": "x", "format": "gif" })).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(
        e.message.contains("/format") && e.message.contains("png"),
        "{}",
        e.message
    );
    for (field, value) in [
        ("color", json!("red")),
        ("background", json!("#12")),
        ("size", json!(1000)),
        ("scale", json!(0)),
    ] {
        let mut input = json!({ "latex": "x", "format": "png" });
        input[field] = value;
        let e = run(input).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(pointer(&e), Some(&*format!("/{field}")), "{}", e.message);
    }
    // Too many pixels is refused rather than drawn.
    let e = run(json!({
        "latex": "x".repeat(2000), "format": "png", "size": 256, "scale": 8,
    }))
    .unwrap_err();
    assert_eq!(pointer(&e), Some("/size"));
}

#[test]
fn every_construct_draws_inside_the_image() {
    for latex in [
        r"\hat{x} + \vec{v} + \overline{AB} + \widehat{xyz} + \underline{u} + \dot{a} + \ddot{b} + \tilde{n}",
        r"\left( \frac{a}{b} \right) \left[ x \right] \left\{ \frac{1}{2} \right\} \left| y \right| \left\langle \frac{u}{v} \right\rangle \left\lfloor \frac{p}{q} \right\rfloor",
        r"\int_0^1 \iint_D \oint_C \prod_{k} \bigcup_{i} \lim_{n\to\infty} \max_x",
        r"\sqrt[3]{\frac{x}{y}} + \binom{n}{k} + f''(x) + x_i^2 + \mathbb{R} + \mathbf{v} + \mathcal{L} + \mathfrak{g}",
        r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\begin{aligned} a &= b + c \\ &= d \end{aligned} \quad \begin{vmatrix} 1 & 2 \\ 3 & 4 \end{vmatrix} \begin{Bmatrix} x \end{Bmatrix}",
        r"\big( \Big[ \bigg\{ \Bigg\langle x \Bigg\rangle \bigg\} \Big] \big)",
    ] {
        for display in [true, false] {
            let out = run(json!({ "latex": latex, "format": "png", "display": display }))
                .unwrap_or_else(|e| panic!("{latex}: {e}"));
            let (w, h, _, px) = decode_png(image_of(&out, "image/png"));
            // A margin of background all round: nothing was cut off at the edges.
            let edge = dark(&px, w, (0, 0, w, 2))
                + dark(&px, w, (0, h - 2, w, h))
                + dark(&px, w, (0, 0, 2, h))
                + dark(&px, w, (w - 2, 0, w, h));
            assert_eq!(edge, 0, "{latex}: ink at the edge of the {w}×{h} image");
        }
    }
}

/// Writes sample pictures to /tmp for a look: `cargo test -p tool-render-math --test
/// pictures -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let samples = [
        ("quadratic", r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}"),
        (
            "gauss",
            r"\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}",
        ),
        ("sum", r"\sum_{k=1}^{n} k^2 = \frac{n(n+1)(2n+1)}{6}"),
        (
            "limit",
            r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n = e",
        ),
        (
            "matrix",
            r"A = \begin{pmatrix} a_{11} & a_{12} & \cdots \\ a_{21} & a_{22} & \cdots \\ \vdots & \vdots & \ddots \end{pmatrix}",
        ),
        (
            "cases",
            r"|x| = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}",
        ),
        (
            "roots",
            r"\sqrt[3]{x^3 + y^3} + \sqrt{\frac{a}{b}} + \sqrt{2}",
        ),
        (
            "accents",
            r"\hat{x} + \vec{v} + \overline{AB} + \tilde{n} + \dot{a} + f'(x) + \mathbb{R}^n + \mathbf{F} + \mathcal{L}",
        ),
        ("binom", r"\binom{n}{k} = \frac{n!}{k!\,(n-k)!}"),
        ("nested", r"\frac{1}{1 + \frac{1}{1 + \frac{1}{x}}}"),
        ("euler", r"e^{i\pi} + 1 = 0"),
        (
            "bigops",
            r"\prod_{p} \frac{1}{1-p^{-s}} = \sum_{n=1}^\infty \frac{1}{n^s}",
        ),
        (
            "aligned",
            r"\begin{aligned} (a+b)^2 &= a^2 + 2ab + b^2 \\ &\ge 4ab \end{aligned}",
        ),
        ("inline", r"\sum_{i=1}^n x_i = \int_0^1 f(t)\,dt"),
        (
            "delims",
            r"\left( \frac{a}{b} \right) \left[ \frac{x}{y} \right] \left\{ \frac{1}{2} \right\} \left| \frac{y}{2} \right| \left\langle \frac{u}{v} \right\rangle \left\lfloor \frac{p}{q} \right\rfloor \big( \Big[ \bigg\{ \Bigg\langle x \Bigg\rangle \bigg\} \Big] \big)",
        ),
        (
            "operators",
            r"\int_0^1 \iint_D \oint_C \prod_{k} \bigcup_{i} \lim_{n\to\infty} \max_x \binom{n}{k} \sqrt[n]{x} \widehat{xyz}",
        ),
    ];
    for (name, latex) in samples {
        let display = name != "inline";
        let out = run(json!({ "latex": latex, "format": "png", "display": display })).unwrap();
        std::fs::write(format!("/tmp/math-{name}.png"), image_of(&out, "image/png")).unwrap();
        let out = run(json!({ "latex": latex, "format": "svg", "display": display })).unwrap();
        std::fs::write(
            format!("/tmp/math-{name}.svg"),
            image_of(&out, "image/svg+xml"),
        )
        .unwrap();
    }
}
