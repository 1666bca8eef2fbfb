//! SVG: each glyph's outline once as a path in `<defs>`, placed with `<use>`; rules and
//! drawn shapes as paths. No fonts are needed to view it, so it looks the same everywhere.

use std::collections::BTreeSet;
use std::fmt::Write;

use ab_glyph::OutlineCurve;

use super::boxes::Item;
use super::font::{EMBOLDEN, SLANT, outline};
use super::{Frame, Paint, hex};

fn n(v: f32) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A glyph's outline in ems (y up) as path data, at 1000 units to the em.
fn glyph_path(id: ab_glyph::GlyphId) -> String {
    let mut d = String::new();
    let mut last: Option<ab_glyph::Point> = None;
    let p = |q: ab_glyph::Point| format!("{} {}", n(q.x * 1000.0), n(q.y * 1000.0));
    for c in outline(id) {
        let (start, end) = match c {
            OutlineCurve::Line(a, b)
            | OutlineCurve::Quad(a, _, b)
            | OutlineCurve::Cubic(a, _, _, b) => (a, b),
        };
        if last != Some(start) {
            if last.is_some() {
                d.push('Z');
            }
            let _ = write!(d, "M{}", p(start));
        }
        match c {
            OutlineCurve::Line(_, b) => {
                let _ = write!(d, "L{}", p(b));
            }
            OutlineCurve::Quad(_, b, c) => {
                let _ = write!(d, "Q{} {}", p(b), p(c));
            }
            OutlineCurve::Cubic(_, b, c, e) => {
                let _ = write!(d, "C{} {} {}", p(b), p(c), p(e));
            }
        }
        last = Some(end);
    }
    if last.is_some() {
        d.push('Z');
    }
    d
}

pub fn write_svg(items: &[Item], frame: &Frame, paint: &Paint, title: &str) -> String {
    // The SVG's own units are pixels at scale 1; width and height carry the scale.
    let k = frame.px_per_em / frame.scale;
    let (vw, vh) = (
        frame.width as f32 / frame.scale,
        frame.height as f32 / frame.scale,
    );
    let tx = |x: f32| (x - frame.left) * k;
    let ty = |y: f32| (frame.top - y) * k;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
        frame.width,
        frame.height,
        n(vw),
        n(vh),
        escape(title)
    );
    let _ = write!(s, "<title>{}</title>", escape(title));
    let ids: BTreeSet<u16> = items
        .iter()
        .filter_map(|i| match i {
            Item::Glyph { face, .. } => Some(face.id.0),
            _ => None,
        })
        .collect();
    s.push_str("<defs>");
    for id in &ids {
        let _ = write!(
            s,
            r#"<path id="g{id}" d="{}"/>"#,
            glyph_path(ab_glyph::GlyphId(*id))
        );
    }
    s.push_str("</defs>");
    if let Some(bg) = paint.background {
        let _ = write!(
            s,
            r#"<rect width="100%" height="100%" fill="{}"/>"#,
            hex(bg)
        );
    }
    let _ = write!(s, r#"<g fill="{}">"#, hex(paint.color));
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
                // Outline units are 1/1000 em, y up; slant shears x by y.
                let a = size * sx * k / 1000.0;
                let c = if face.slant { a * SLANT } else { 0.0 };
                let d = -size * sy * k / 1000.0;
                let copies: &[f32] = if face.bold { &[0.0, EMBOLDEN] } else { &[0.0] };
                for dx in copies {
                    let _ = write!(
                        s,
                        r##"<use xlink:href="#g{}" transform="matrix({a:.5} 0 {c:.5} {d:.5} {} {})"/>"##,
                        face.id.0,
                        n(tx(x + dx * size)),
                        n(ty(*y))
                    );
                }
            }
            Item::Rect { x, y, w, h } => {
                let _ = write!(
                    s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}"/>"#,
                    n(tx(*x)),
                    n(ty(y + h)),
                    n(w * k),
                    n(h * k)
                );
            }
            Item::Polygon(points) => {
                s.push_str(r#"<path d="M"#);
                for (i, (x, y)) in points.iter().enumerate() {
                    if i > 0 {
                        s.push('L');
                    }
                    let _ = write!(s, "{} {}", n(tx(*x)), n(ty(*y)));
                }
                s.push_str(r#"Z"/>"#);
            }
        }
    }
    s.push_str("</g></svg>");
    s
}
