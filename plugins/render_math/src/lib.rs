//! `render_math`: LaTeX math in, a faithful layout out — a 2-D Unicode text layout
//! (stacked fractions, radicals, big operators with limits, matrices, growing
//! delimiters), a one-line Unicode form, presentation MathML, or a typeset picture (PNG
//! or SVG).
//!
//! The work is plain Rust: [`parser`] builds a tree of [`ast::Node`]s, [`layout`] is the
//! box engine that turns it into a [`layout::Block`], [`oneline`] and [`mathml`] write
//! the other text forms, and [`picture`] typesets it with real glyph metrics. Only the
//! [`RenderMath`] tool at the bottom is the plugin layer.

pub mod ast;
pub mod error;
pub mod fonts;
pub mod layout;
pub mod lexer;
pub mod mathml;
pub mod oneline;
pub mod parser;
pub mod picture;
mod render;
pub mod spacing;
pub mod symbols;

pub use error::{ErrorKind, Location, RenderError};
pub use render::{Formula, render_mathml, render_oneline, render_unicode};

use serde::Serialize;
use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, Value, json};

use picture::{ImageOptions, parse_color};

/// Deepest nesting of groups, arguments and environments; deeper input is an error rather
/// than a stack overflow in the sandbox's small stack.
pub const MAX_DEPTH: usize = 128;

/// Longest formula rendered, in bytes.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

/// Most character cells in any block of a layout: bounds memory whatever the input.
pub const MAX_CELLS: usize = 1 << 20;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The formula in LaTeX math mode, without `$` delimiters, e.g.
    /// `x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}`.
    pub latex: String,
    /// Output form: `unicode` (2-D text layout, the default), `oneline` (one line of
    /// Unicode), `mathml` (presentation MathML), `all` (those three), or a typeset
    /// picture: `png` or `svg` (glyphs as paths, no fonts needed).
    #[serde(default)]
    pub format: Format,
    /// Display style (the default): limits above and below `\sum`, `\lim`, `\int`, tall
    /// integrals. `false` gives inline style, with limits beside the operator.
    #[serde(default = "display_default")]
    pub display: bool,
    /// Pictures: the font size in pixels (one em), 4 to 256; default 32.
    #[serde(default)]
    pub size: Option<f64>,
    /// Pictures: multiplies the image's pixel size, e.g. 2 for a sharp image on a
    /// high-density screen; 0.25 to 8, default 1.
    #[serde(default)]
    pub scale: Option<f64>,
    /// Pictures: the ink colour, `#rrggbb` or `#rgb`; default black.
    #[serde(default)]
    pub color: Option<String>,
    /// Pictures: `#rrggbb`, `#rgb` or `transparent`; default white.
    #[serde(default)]
    pub background: Option<String>,
}

fn display_default() -> bool {
    true
}

#[derive(JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Unicode,
    Oneline,
    Mathml,
    All,
    /// A PNG image of the typeset formula.
    Png,
    /// An SVG image of the typeset formula.
    Svg,
}

impl Format {
    const NAMES: [(&'static str, Format); 6] = [
        ("unicode", Format::Unicode),
        ("oneline", Format::Oneline),
        ("mathml", Format::Mathml),
        ("all", Format::All),
        ("png", Format::Png),
        ("svg", Format::Svg),
    ];
}

// By hand so that a wrong name says which field it is in (serde's own message does not).
impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Format::NAMES
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::NAMES.iter().map(|(n, _)| *n).collect();
                serde::de::Error::custom(format!(
                    "/format: unknown format {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// The picture in the JSON item (for `png` and `svg`).
#[derive(Serialize, JsonSchema, Debug, PartialEq)]
pub struct ImageInfo {
    pub mime_type: String,
    /// Pixels.
    pub width: u32,
    pub height: u32,
    /// Pixels from the top edge down to the formula's baseline.
    pub baseline: u32,
}

/// The JSON item of the output.
#[derive(Serialize, JsonSchema, Debug, PartialEq)]
pub struct Rendered {
    /// The 2-D layout, lines joined by `\n` (for `unicode` and `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unicode: Option<String>,
    /// The one-line form (for `oneline` and `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oneline: Option<String>,
    /// A `<math>` element (for `mathml` and `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mathml: Option<String>,
    /// The picture's size and baseline (for `png` and `svg`; the image itself is an image
    /// item).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInfo>,
    /// Columns of the 2-D layout (a character is one column).
    pub width: usize,
    /// Lines of the 2-D layout.
    pub height: usize,
    /// Index, from 0 at the top, of the line that holds the baseline (the math axis:
    /// fraction bars, the `=` of `a = \frac{1}{2}`).
    pub baseline: usize,
}

pub struct RenderMath;

impl Tool for RenderMath {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "render_math",
            env!("CARGO_PKG_VERSION"),
            "Render LaTeX math as a 2-D Unicode text layout, one line of Unicode, MathML, or a \
             typeset picture (PNG or SVG).\n\n\
             The 2-D layout stacks fractions, draws radicals, puts limits above and below \
             big operators, grows \\left...\\right delimiters and lines up baselines. \
             Supports \\frac \\dfrac \\tfrac \\binom \\sqrt[n]{}, scripts and primes, \
             \\sum \\prod \\int \\iint \\oint ..., matrix pmatrix bmatrix Bmatrix vmatrix \
             Vmatrix cases aligned gathered, accents (\\hat \\bar \\vec \\tilde \\dot \\ddot \
             \\overline \\underline), Greek and a large symbol table, \\mathbb \\mathbf \
             \\mathcal \\mathfrak \\mathrm \\text \\operatorname, spacing commands and \
             \\sin \\lim \\log ... Errors name the column and suggest close command names. \
             format png/svg typesets the formula as an image (options: size, scale, color, \
             background).",
        )
        .example(
            "The quadratic formula",
            json!({ "latex": r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}" }),
        )
        .example(
            "A limit, one line",
            json!({ "latex": r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n", "format": "oneline" }),
        )
        .example(
            "A matrix in every form",
            json!({ "latex": r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "format": "all" }),
        )
        .example(
            "Inline style",
            json!({ "latex": r"\sum_{k=1}^n k", "display": false }),
        )
        .example(
            "A typeset picture, PNG at 48 px to the em",
            json!({ "latex": r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}", "format": "png", "size": 48 }),
        )
    }

    fn output_schema() -> Option<Value> {
        serde_json::to_value(schemars::schema_for!(Rendered)).ok()
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let src = input.latex.as_str();
        let formula = Formula::parse(src, input.display).map_err(|e| tool_error(&e, src))?;
        let block = formula.layout().map_err(|e| tool_error(&e, src))?;
        if matches!(input.format, Format::Png | Format::Svg) {
            return picture_output(&formula, &block, &input);
        }
        let want = |f: Format| input.format == f || input.format == Format::All;
        let unicode = want(Format::Unicode).then(|| block.to_text());
        let rendered = Rendered {
            oneline: want(Format::Oneline).then(|| formula.oneline()),
            mathml: want(Format::Mathml).then(|| formula.mathml()),
            image: None,
            width: block.width(),
            height: block.rows(),
            baseline: block.baseline(),
            unicode,
        };
        let text = rendered
            .unicode
            .as_ref()
            .or(rendered.oneline.as_ref())
            .or(rendered.mathml.as_ref())
            .cloned()
            .unwrap_or_default();
        Ok(Output::text(text).and_json(&rendered))
    }
}

/// The one-line form as text, the picture as an image item, and the JSON item (which
/// the declared output schema promises) with the picture's size.
fn picture_output(
    formula: &Formula,
    block: &layout::Block,
    input: &Input,
) -> Result<Output, ToolError> {
    let opts = image_options(input)?;
    let image = if input.format == Format::Png {
        formula.png(&opts)
    } else {
        formula.svg(&opts)
    }
    .map_err(|e| {
        ToolError::invalid_input(format!(
            "/size: the picture would be {}×{} px; at most {} pixels (and {} a side) are drawn, so lower `size` or `scale`",
            e.width,
            e.height,
            picture::MAX_PIXELS,
            picture::MAX_SIDE
        ))
        .at("/size")
    })?;
    let oneline = formula.oneline();
    let rendered = Rendered {
        unicode: None,
        oneline: Some(oneline.clone()),
        mathml: None,
        image: Some(ImageInfo {
            mime_type: image.mime_type.to_owned(),
            width: image.width,
            height: image.height,
            baseline: image.baseline,
        }),
        width: block.width(),
        height: block.rows(),
        baseline: block.baseline(),
    };
    Ok(Output::text(oneline)
        .and_image(image.mime_type, image.data)
        .and_json(&rendered))
}

fn image_options(input: &Input) -> Result<ImageOptions, ToolError> {
    let mut opts = ImageOptions::default();
    let bad = |msg: String, pointer: &str| ToolError::invalid_input(msg).at(pointer);
    if let Some(size) = input.size {
        if !(4.0..=256.0).contains(&size) {
            return Err(bad(
                format!("/size: {size} is outside 4 to 256 pixels"),
                "/size",
            ));
        }
        opts.size = size as f32;
    }
    if let Some(scale) = input.scale {
        if !(0.25..=8.0).contains(&scale) {
            return Err(bad(
                format!("/scale: {scale} is outside 0.25 to 8"),
                "/scale",
            ));
        }
        opts.scale = scale as f32;
    }
    if let Some(c) = &input.color {
        opts.color = parse_color(c).ok_or_else(|| {
            bad(
                format!("/color: {c:?} is not `#rrggbb` or `#rgb`"),
                "/color",
            )
        })?;
    }
    if let Some(c) = &input.background {
        opts.background = if matches!(c.as_str(), "transparent" | "none") {
            None
        } else {
            Some(parse_color(c).ok_or_else(|| {
                bad(
                    format!("/background: {c:?} is not `#rrggbb`, `#rgb` or `transparent`"),
                    "/background",
                )
            })?)
        };
    }
    Ok(opts)
}

toolhost_sdk::export_tool!(RenderMath);

/// `invalid_input` naming the position, with a caret snippet and any suggestion.
fn tool_error(e: &RenderError, src: &str) -> ToolError {
    let loc = e.location();
    let mut details = json!({
        "pointer": "/latex",
        "kind": e.kind().name(),
        "offset": loc.span.start,
        "end": loc.span.end,
        "line": loc.line,
        "column": loc.column,
        "snippet": e.snippet(src),
    });
    if let Some(s) = e.suggestion() {
        details["suggestion"] = json!(s);
    }
    ToolError::invalid_input(format!("/latex: {e}")).with_details(details)
}

#[cfg(test)]
mod tests;
