//! From a request to the finished image: [`render_plot`] sizes the image, builds the
//! scene, draws it and encodes the requested formats (sixel, PNG, SVG) into a
//! [`Rendered`].

use crate::input::{DEFAULT_HEIGHT, DEFAULT_WIDTH, Format, Input, size};
use crate::render::{self, Scene};
use crate::scene::build_scene;
use crate::{sixel, text};
use plotters::prelude::*;
use toolhost_sdk::ToolError;

/// A rendered plot.
#[derive(Debug, Default)]
pub struct Rendered {
    pub width: u32,
    pub height: u32,
    pub summary: String,
    pub warnings: Vec<String>,
    pub sixel: Option<String>,
    pub png: Option<Vec<u8>>,
    pub svg: Option<String>,
}

impl Rendered {
    pub fn description(&self) -> String {
        let mut s = format!("{} ({}×{} px)", self.summary, self.width, self.height);
        for w in &self.warnings {
            s.push_str("\nwarning: ");
            s.push_str(w);
        }
        s
    }
}

/// Validate `input`, draw it and encode the requested formats.
pub fn render_plot(input: &Input) -> Result<Rendered, ToolError> {
    let mut warnings = Vec::new();
    let width = size(input.width, DEFAULT_WIDTH, "width", &mut warnings);
    let height = size(input.height, DEFAULT_HEIGHT, "height", &mut warnings);
    let (summary, scene) = build_scene(input, width, height, &mut warnings)?;
    let mut out = Rendered {
        width,
        height,
        summary,
        warnings,
        ..Rendered::default()
    };
    let bitmap = matches!(input.format, Format::Sixel | Format::Png | Format::Both);
    if bitmap {
        let rgb = draw_rgb(&scene)?;
        if matches!(input.format, Format::Sixel | Format::Both) {
            out.sixel = Some(sixel::encode_rgb(&rgb, width as usize, height as usize));
        }
        if matches!(input.format, Format::Png | Format::Both) {
            out.png = Some(encode_png(&rgb, width, height)?);
        }
    }
    if input.format == Format::Svg {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            render::draw(&root, &scene).map_err(draw_error)?;
        }
        out.svg = Some(svg);
    }
    Ok(out)
}

fn draw_error(e: impl std::fmt::Display) -> ToolError {
    ToolError::new("render_failed", format!("drawing failed: {e}"))
}

fn draw_rgb(scene: &Scene) -> Result<Vec<u8>, ToolError> {
    let mut rgb = vec![0u8; scene.width as usize * scene.height as usize * 3];
    {
        let backend = text::TextBackend {
            inner: BitMapBackend::with_buffer(&mut rgb, (scene.width, scene.height)),
        };
        let root = backend.into_drawing_area();
        render::draw(&root, scene).map_err(draw_error)?;
    }
    Ok(rgb)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ToolError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Plots are flat colour: fast compression is nearly as small and much quicker.
    enc.set_compression(png::Compression::Fast);
    let mut w = enc
        .write_header()
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    w.write_image_data(rgb)
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    w.finish()
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    Ok(bytes)
}
