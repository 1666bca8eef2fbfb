//! TeX's boxes with real dimensions: a [`MathBox`] has a width, a height above its
//! baseline and a depth below, and holds what it draws ([`Item`]s) at positions relative
//! to its left end on the baseline, in ems with y pointing up.

use super::font::{Face, GlyphMetrics, SLANT};

/// One thing drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A glyph with its origin at (`x`, `y`), at `size` ems, stretched by `sx`, `sy`.
    Glyph {
        face: Face,
        x: f32,
        y: f32,
        size: f32,
        sx: f32,
        sy: f32,
    },
    /// A filled rectangle; (`x`, `y`) is its lower left corner.
    Rect { x: f32, y: f32, w: f32, h: f32 },
    /// A filled polygon, clockwise (as the font's outer contours run).
    Polygon(Vec<(f32, f32)>),
}

impl Item {
    fn shift(&mut self, dx: f32, dy: f32) {
        match self {
            Item::Glyph { x, y, .. } | Item::Rect { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Item::Polygon(points) => {
                for p in points {
                    p.0 += dx;
                    p.1 += dy;
                }
            }
        }
    }

    /// The ink's bounds `(x0, y0, x1, y1)`, if it has any.
    pub fn bounds(&self) -> Option<(f32, f32, f32, f32)> {
        match self {
            Item::Glyph {
                face,
                x,
                y,
                size,
                sx,
                sy,
            } => {
                let m = face.metrics();
                if !m.has_ink() {
                    return None;
                }
                let slant = if face.slant { SLANT } else { 0.0 };
                let x0 = m.x_min + slant * m.y_min.min(0.0);
                let x1 = m.x_max + slant * m.y_max.max(0.0);
                Some((
                    x + x0 * size * sx,
                    y + m.y_min * size * sy,
                    x + x1 * size * sx,
                    y + m.y_max * size * sy,
                ))
            }
            Item::Rect { x, y, w, h } => Some((*x, *y, x + w, y + h)),
            Item::Polygon(points) => points.iter().fold(None, |b, &(x, y)| {
                let (x0, y0, x1, y1) = b.unwrap_or((x, y, x, y));
                Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)))
            }),
        }
    }
}

/// Make `points` run clockwise with y up, the way the font's outer contours run, so that
/// shapes overlapping glyphs add to their ink rather than cancel it.
pub fn clockwise(mut points: Vec<(f32, f32)>) -> Vec<(f32, f32)> {
    let n = points.len();
    let area: f32 = (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum();
    if area > 0.0 {
        points.reverse();
    }
    points
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MathBox {
    pub width: f32,
    pub height: f32,
    pub depth: f32,
    /// How far the ink leans out past the right edge at the top (a slanted letter's
    /// italic correction): superscripts start that much further right.
    pub italic: f32,
    pub items: Vec<Item>,
}

impl MathBox {
    /// A glyph at `size` ems; its box is its advance wide and as high and deep as its ink,
    /// as TeX's character boxes are.
    pub fn glyph(face: Face, size: f32) -> MathBox {
        MathBox::stretched_glyph(face, size, 1.0, 1.0)
    }

    pub fn stretched_glyph(face: Face, size: f32, sx: f32, sy: f32) -> MathBox {
        let m: GlyphMetrics = face.metrics();
        let italic = if face.slant && m.has_ink() {
            ((m.x_max + SLANT * m.y_max) - m.advance).max(0.0) * size * sx
        } else {
            0.0
        };
        MathBox {
            width: m.advance * size * sx,
            height: if m.has_ink() {
                m.y_max.max(0.0) * size * sy
            } else {
                0.0
            },
            depth: if m.has_ink() {
                (-m.y_min).max(0.0) * size * sy
            } else {
                0.0
            },
            italic,
            items: vec![Item::Glyph {
                face,
                x: 0.0,
                y: 0.0,
                size,
                sx,
                sy,
            }],
        }
    }

    /// Empty space `width` wide.
    pub fn kern(width: f32) -> MathBox {
        MathBox {
            width,
            ..MathBox::default()
        }
    }

    /// A rectangle from `y0` to `y1` (above the baseline), `width` wide.
    pub fn rule(width: f32, y0: f32, y1: f32) -> MathBox {
        MathBox {
            width,
            height: y1.max(0.0),
            depth: (-y0).max(0.0),
            italic: 0.0,
            items: vec![Item::Rect {
                x: 0.0,
                y: y0,
                w: width,
                h: y1 - y0,
            }],
        }
    }

    /// Draw `other` with its origin at (`dx`, `dy`); the box grows to cover it vertically
    /// (its width is the caller's to set).
    pub fn place(&mut self, other: MathBox, dx: f32, dy: f32) {
        self.height = self.height.max(other.height + dy);
        self.depth = self.depth.max(other.depth - dy);
        self.items.extend(other.items.into_iter().map(|mut i| {
            i.shift(dx, dy);
            i
        }));
    }

    /// Set `other` after this box on the same baseline.
    pub fn append(&mut self, other: MathBox) {
        let x = self.width;
        self.width += other.width;
        self.italic = other.italic;
        self.place(other, x, 0.0);
    }

    pub fn append_kern(&mut self, width: f32) {
        self.width += width;
        if width != 0.0 {
            self.italic = 0.0;
        }
    }

    /// Move the contents up by `dy` (down when negative).
    pub fn raised(self, dy: f32) -> MathBox {
        let mut out = MathBox {
            width: self.width,
            ..MathBox::default()
        };
        out.height = f32::NEG_INFINITY;
        out.depth = f32::NEG_INFINITY;
        out.place(self, 0.0, dy);
        out
    }

    /// The bounds of everything drawn, `(x0, y0, x1, y1)`.
    pub fn ink_bounds(&self) -> Option<(f32, f32, f32, f32)> {
        self.items
            .iter()
            .filter_map(Item::bounds)
            .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::font::face;

    #[test]
    fn boxes_line_up_on_the_baseline() {
        let mut row = MathBox::glyph(face('x', false), 1.0);
        let g = MathBox::glyph(face('g', false), 1.0);
        let (gw, gd) = (g.width, g.depth);
        let x_width = row.width;
        row.append(g);
        assert!((row.width - (x_width + gw)).abs() < 1e-6);
        assert!((row.depth - gd).abs() < 1e-6 && gd > 0.1);
        let up = MathBox::glyph(face('x', false), 1.0).raised(0.5);
        assert!(up.depth <= 0.0 && up.height > 0.5);
    }

    #[test]
    fn polygons_turn_clockwise() {
        let ccw = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        let cw = clockwise(ccw);
        assert_eq!(cw[0], (0.0, 1.0));
    }
}
