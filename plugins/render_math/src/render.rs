//! The library's entry point: parse once, then produce any of the forms.

use crate::ast::Node;
use crate::error::{ErrorKind, RenderError};
use crate::layout::{self, Block};
use crate::picture::{self, Image, ImageOptions, TooManyPixels};
use crate::{MAX_CELLS, MAX_INPUT_BYTES, mathml, oneline, parser};

/// A parsed formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    nodes: Vec<Node>,
    display: bool,
}

impl Formula {
    /// Parse `latex` (math-mode LaTeX, without `$` delimiters). `display` chooses display
    /// style (limits above and below big operators, tall integrals) or inline style.
    pub fn parse(latex: &str, display: bool) -> Result<Formula, RenderError> {
        if latex.len() > MAX_INPUT_BYTES {
            return Err(RenderError::new(
                ErrorKind::TooLong,
                format!(
                    "the formula is {} bytes long; at most {MAX_INPUT_BYTES} are rendered",
                    latex.len()
                ),
                latex,
                MAX_INPUT_BYTES..latex.len(),
            ));
        }
        Ok(Formula {
            nodes: parser::parse(latex)?,
            display,
        })
    }

    /// The parsed tree.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The 2-D layout.
    pub fn layout(&self) -> Result<Block, RenderError> {
        layout::layout(&self.nodes, self.display).map_err(|_| {
            RenderError::new(
                ErrorKind::TooLarge,
                format!("the layout would exceed {MAX_CELLS} character cells"),
                "",
                0..0,
            )
        })
    }

    /// The one-line Unicode form.
    pub fn oneline(&self) -> String {
        oneline::render(&self.nodes)
    }

    /// Presentation MathML, a `<math>` element.
    pub fn mathml(&self) -> String {
        mathml::render(&self.nodes, self.display)
    }

    /// The formula typeset as a PNG image.
    pub fn png(&self, opts: &ImageOptions) -> Result<Image, TooManyPixels> {
        picture::png(&self.nodes, self.display, opts)
    }

    /// The formula typeset as an SVG image (glyphs as paths), titled with its one-line form.
    pub fn svg(&self, opts: &ImageOptions) -> Result<Image, TooManyPixels> {
        picture::svg(&self.nodes, self.display, opts, &self.oneline())
    }
}

/// The 2-D Unicode layout of `latex` as lines joined by `\n`, trailing spaces removed.
pub fn render_unicode(latex: &str, display: bool) -> Result<String, RenderError> {
    Ok(Formula::parse(latex, display)?.layout()?.to_text())
}

/// The one-line Unicode form of `latex`.
pub fn render_oneline(latex: &str) -> Result<String, RenderError> {
    Ok(Formula::parse(latex, false)?.oneline())
}

/// The MathML form of `latex`.
pub fn render_mathml(latex: &str, display: bool) -> Result<String, RenderError> {
    Ok(Formula::parse(latex, display)?.mathml())
}
