//! Text for the bitmap backend. plotters cannot draw text on wasm32 with any of its font
//! features, so this backend wraps another one, delegates all shapes to it and draws text
//! itself with ab_glyph and an embedded DejaVu Sans.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use std::sync::OnceLock;

/// Lines up to this wide are drawn crisply by [`TextBackend`] itself.
const MAX_BRUSH_WIDTH: u32 = 6;

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).expect("embedded font parses"))
}

/// Glyph coverage is collapsed to these levels: few distinct colours keep the sixel
/// palette exact and small, and two levels still smooth the glyph edges.
fn coverage_level(c: f32) -> Option<f64> {
    if c < 0.3 {
        None
    } else if c < 0.7 {
        Some(0.5)
    } else {
        Some(1.0)
    }
}

/// Layout of `text` at `size` px: the box relative to the baseline origin, and each
/// glyph's pen position.
type Layout = ((i32, i32), (i32, i32), Vec<(ab_glyph::GlyphId, f32)>);

fn layout(text: &str, size: f64) -> Layout {
    let f = font().as_scaled(PxScale::from(size as f32));
    let mut pen = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for ch in text.chars() {
        let id = f.glyph_id(ch);
        if let Some(p) = prev {
            pen += f.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += f.h_advance(id);
        prev = Some(id);
    }
    let top = -f.ascent().ceil() as i32;
    let bottom = -f.descent().floor() as i32;
    ((0, top), (pen.ceil() as i32, bottom), glyphs)
}

/// Width in pixels of `text` drawn at `size` px.
pub fn text_width(text: &str, size: f64) -> u32 {
    let ((x0, _), (x1, _), _) = layout(text, size);
    (x1 - x0).max(0) as u32
}

/// A backend that draws text with ab_glyph and everything else with `inner`.
pub struct TextBackend<B> {
    pub inner: B,
}

impl<B: DrawingBackend> DrawingBackend for TextBackend<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let width = style.stroke_width();
        if !(1..=MAX_BRUSH_WIDTH).contains(&width) {
            return self.inner.draw_line(from, to, style);
        }
        // plotters antialiases lines, which adds a colour per blend level; solid
        // Bresenham lines stay crisp and keep the sixel palette tiny. Wider lines draw a
        // short brush across the line at each step, long enough that the stroke is
        // `width` thick whatever its slope.
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (w, h) = self.inner.get_size();
        let (mut x, mut y) = from;
        let (dx, dy) = ((to.0 - x).abs(), -(to.1 - y).abs());
        let (sx, sy) = (if x < to.0 { 1 } else { -1 }, if y < to.1 { 1 } else { -1 });
        let mut err = dx + dy;
        let major = dx.max(-dy).max(1) as f64;
        let length = ((dx * dx + dy * dy) as f64).sqrt().max(1.0);
        let brush = ((f64::from(width) * length / major).round() as i32).max(width as i32);
        let across_x = dx < -dy;
        let first = -brush / 2;
        loop {
            for k in first..first + brush {
                let (px, py) = if across_x { (x + k, y) } else { (x, y + k) };
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    self.inner.draw_pixel((px, py), color)?;
                }
            }
            if (x, y) == to {
                return Ok(());
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if !(1..=MAX_BRUSH_WIDTH).contains(&style.stroke_width()) {
            return self.inner.draw_path(path, style);
        }
        let mut prev: Option<BackendCoord> = None;
        for p in path {
            if let Some(q) = prev {
                self.draw_line(q, p, style)?;
            }
            prev = Some(p);
        }
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let ((x0, y0), (x1, y1), _) = layout(text, style.size());
        Ok(((x1 - x0) as u32, (y1 - y0) as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y), glyphs) = layout(text, style.size());
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let scale = PxScale::from(style.size() as f32);
        for (id, pen) in glyphs {
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, 0.0));
            let Some(outlined) = font().outline_glyph(glyph) else {
                continue;
            };
            let b = outlined.px_bounds();
            let mut result = Ok(());
            outlined.draw(|gx, gy, c| {
                let Some(alpha) = coverage_level(c) else {
                    return;
                };
                let x = b.min.x as i32 + gx as i32 + dx - min_x;
                let y = b.min.y as i32 + gy as i32 + dy - min_y;
                let (x, y) = trans.transform(x, y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h && result.is_ok() {
                    result = self.inner.draw_pixel(
                        (x, y),
                        BackendColor {
                            alpha: color.alpha * alpha,
                            rgb: color.rgb,
                        },
                    );
                }
            });
            result?;
        }
        Ok(())
    }
}
