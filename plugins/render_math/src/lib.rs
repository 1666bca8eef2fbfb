//! `render_math`: LaTeX math in, a faithful layout out — a 2-D Unicode text layout
//! (stacked fractions, radicals, big operators with limits, matrices, growing
//! delimiters), a one-line Unicode form, or presentation MathML.
//!
//! The work is plain Rust: [`parser`] builds a tree of [`ast::Node`]s, [`layout`] is the
//! box engine that turns it into a [`layout::Block`], and [`oneline`] and [`mathml`] write
//! the other forms. Only the [`RenderMath`] tool at the bottom is the plugin layer.

pub mod ast;
pub mod error;
pub mod fonts;
pub mod layout;
pub mod lexer;
pub mod mathml;
pub mod oneline;
pub mod parser;
mod render;
pub mod spacing;
pub mod symbols;

pub use error::{ErrorKind, Location, RenderError};
pub use render::{Formula, render_mathml, render_oneline, render_unicode};

use serde::Serialize;
use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, Value, json};

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
    /// Unicode), `mathml` (presentation MathML) or `all`.
    #[serde(default)]
    pub format: Format,
    /// Display style (the default): limits above and below `\sum`, `\lim`, `\int`, tall
    /// integrals. `false` gives inline style, with limits beside the operator.
    #[serde(default = "display_default")]
    pub display: bool,
}

fn display_default() -> bool {
    true
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Unicode,
    Oneline,
    Mathml,
    All,
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
            "Render LaTeX math as a 2-D Unicode text layout, one line of Unicode, or MathML.\n\n\
             The 2-D layout stacks fractions, draws radicals, puts limits above and below \
             big operators, grows \\left...\\right delimiters and lines up baselines. \
             Supports \\frac \\dfrac \\tfrac \\binom \\sqrt[n]{}, scripts and primes, \
             \\sum \\prod \\int \\iint \\oint ..., matrix pmatrix bmatrix Bmatrix vmatrix \
             Vmatrix cases aligned gathered, accents (\\hat \\bar \\vec \\tilde \\dot \\ddot \
             \\overline \\underline), Greek and a large symbol table, \\mathbb \\mathbf \
             \\mathcal \\mathfrak \\mathrm \\text \\operatorname, spacing commands and \
             \\sin \\lim \\log ... Errors name the column and suggest close command names.",
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
    }

    fn output_schema() -> Option<Value> {
        serde_json::to_value(schemars::schema_for!(Rendered)).ok()
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let src = input.latex.as_str();
        let formula = Formula::parse(src, input.display).map_err(|e| tool_error(&e, src))?;
        let block = formula.layout().map_err(|e| tool_error(&e, src))?;
        let want = |f: Format| input.format == f || input.format == Format::All;
        let unicode = want(Format::Unicode).then(|| block.to_text());
        let rendered = Rendered {
            oneline: want(Format::Oneline).then(|| formula.oneline()),
            mathml: want(Format::Mathml).then(|| formula.mathml()),
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
