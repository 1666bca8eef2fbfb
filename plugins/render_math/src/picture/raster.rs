//! Pixels: every outline of the picture into one coverage buffer (ab_glyph's
//! rasterizer, the one that draws the plot tool's text), then ink over background as PNG.

use ab_glyph::OutlineCurve;
use ab_glyph_rasterizer::{Rasterizer, point};

use super::boxes::Item;
use super::font::{EMBOLDEN, SLANT, outline};
use super::{Frame, Paint};

/// Coverage of each pixel, 0 to 1, row by row.
pub fn coverage(items: &[Item], frame: &Frame) -> Vec<f32> {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut r = Rasterizer::new(w, h);
    let k = frame.px_per_em;
    let to_px = |x: f32, y: f32| point((x - frame.left) * k, (frame.top - y) * k);
    for item in items {
        match item {
            Item::Glyph {
                face,
                x,
                y,
                size,
                sx,
                sy,
            } => {
                let slant = if face.slant { SLANT } else { 0.0 };
                let curves = outline(face.id);
                let copies: &[f32] = if face.bold { &[0.0, EMBOLDEN] } else { &[0.0] };
                for &dx in copies {
                    let map = |p: ab_glyph::Point| {
                        to_px(
                            x + dx * size + (p.x + slant * p.y) * size * sx,
                            y + p.y * size * sy,
                        )
                    };
                    for c in &curves {
                        match *c {
                            OutlineCurve::Line(a, b) => r.draw_line(map(a), map(b)),
                            OutlineCurve::Quad(a, b, c) => r.draw_quad(map(a), map(b), map(c)),
                            OutlineCurve::Cubic(a, b, c, d) => {
                                r.draw_cubic(map(a), map(b), map(c), map(d))
                            }
                        }
                    }
                }
            }
            Item::Rect { x, y, w: rw, h: rh } => {
                // Rules snap to whole pixel rows so a fraction bar is crisp, not a grey blur.
                let snap = |v: f32| (v * k).round() / k;
                let (mut y0, mut y1) = (snap(*y), snap(y + rh));
                if y1 - y0 < 1.0 / k {
                    y0 = snap(y + rh / 2.0 - 0.5 / k);
                    y1 = y0 + 1.0 / k;
                }
                let corners = [(*x, y1), (x + rw, y1), (x + rw, y0), (*x, y0)];
                polygon(&mut r, &corners, &to_px);
            }
            Item::Polygon(points) => polygon(&mut r, points, &to_px),
        }
    }
    let mut out = vec![0.0f32; w * h];
    r.for_each_pixel(|i, a| out[i] = a.min(1.0));
    out
}

fn polygon(
    r: &mut Rasterizer,
    points: &[(f32, f32)],
    to_px: &impl Fn(f32, f32) -> ab_glyph::Point,
) {
    for (i, &(x, y)) in points.iter().enumerate() {
        let (nx, ny) = points[(i + 1) % points.len()];
        r.draw_line(to_px(x, y), to_px(nx, ny));
    }
}

/// Ink over the background: RGB when the background is opaque, RGBA when transparent.
pub fn encode_png(cov: &[f32], frame: &Frame, paint: &Paint) -> Result<Vec<u8>, String> {
    let ink = paint.color;
    let (data, color_type) = match paint.background {
        Some(bg) => {
            let mut px = Vec::with_capacity(cov.len() * 3);
            for &a in cov {
                for ch in 0..3 {
                    let v = f32::from(bg[ch]) + (f32::from(ink[ch]) - f32::from(bg[ch])) * a;
                    px.push(v.round() as u8);
                }
            }
            (px, png::ColorType::Rgb)
        }
        None => {
            let mut px = Vec::with_capacity(cov.len() * 4);
            for &a in cov {
                px.extend_from_slice(&ink);
                px.push((a * 255.0).round() as u8);
            }
            (px, png::ColorType::Rgba)
        }
    };
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, frame.width, frame.height);
    enc.set_color(color_type);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(&data).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(bytes)
}
