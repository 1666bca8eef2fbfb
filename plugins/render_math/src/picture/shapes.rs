//! Shapes the font has no glyph for at the size a formula needs: delimiters grown to any
//! height, the radical sign, long arrows. Each is drawn as outlines, with strokes as thick
//! as the font's so that they sit well beside its glyphs.

use super::boxes::{Item, MathBox, clockwise};
use super::font::{face, math_metrics};

type Pt = (f32, f32);

/// A polygon around the path `points`, `widths[i]` thick at point `i`. Corners get mitred
/// joins (limited, so a sharp one does not spike).
pub fn stroke(points: &[Pt], widths: &[f32]) -> Item {
    let n = points.len();
    let normal = |a: Pt, b: Pt| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let l = (dx * dx + dy * dy).sqrt().max(1e-9);
        (-dy / l, dx / l)
    };
    let mut left = Vec::with_capacity(n);
    let mut right = Vec::with_capacity(n);
    for i in 0..n {
        let before = (i > 0).then(|| normal(points[i - 1], points[i]));
        let after = (i + 1 < n).then(|| normal(points[i], points[i + 1]));
        let (nx, ny, scale) = match (before, after) {
            (Some(a), Some(b)) => {
                let (sx, sy) = (a.0 + b.0, a.1 + b.1);
                let l = (sx * sx + sy * sy).sqrt().max(1e-9);
                let (mx, my) = (sx / l, sy / l);
                let cos = (mx * a.0 + my * a.1).max(0.35);
                (mx, my, 1.0 / cos)
            }
            (Some(a), None) | (None, Some(a)) => (a.0, a.1, 1.0),
            (None, None) => (0.0, 0.0, 1.0),
        };
        let h = widths[i] / 2.0 * scale;
        let p = points[i];
        left.push((p.0 + nx * h, p.1 + ny * h));
        right.push((p.0 - nx * h, p.1 - ny * h));
    }
    right.reverse();
    left.extend(right);
    Item::Polygon(clockwise(left))
}

/// Points along a cubic Bézier curve, both ends included.
fn cubic(p0: Pt, p1: Pt, p2: Pt, p3: Pt, steps: usize) -> Vec<Pt> {
    (0..=steps)
        .map(|i| {
            let t = i as f32 / steps as f32;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            (
                a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
                a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
            )
        })
        .collect()
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Item {
    Item::Rect { x, y, w, h }
}

fn mirror(items: &mut [Item], width: f32) {
    for item in items {
        match item {
            Item::Rect { x, w, .. } => *x = width - *x - *w,
            Item::Polygon(points) => {
                for p in points.iter_mut() {
                    p.0 = width - p.0;
                }
                let flipped = clockwise(std::mem::take(points));
                *points = flipped;
            }
            Item::Glyph { .. } => {}
        }
    }
}

/// Whether [`delimiter`] can draw `c` at any height.
pub fn can_grow(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '|'
            | '‖'
            | '⌊'
            | '⌋'
            | '⌈'
            | '⌉'
            | '⟨'
            | '⟩'
            | '/'
            | '\\'
            | '⟮'
            | '⟯'
    )
}

/// Delimiter `c` from `y0` to `y1` (ems above the baseline) for text of size `m`.
pub fn delimiter(c: char, y0: f32, y1: f32, m: f32) -> MathBox {
    let mm = math_metrics();
    let t = mm.stem * m;
    let h = y1 - y0;
    let mid = (y0 + y1) / 2.0;
    let side = 0.07 * m;
    let (width, mut items, flip) = match c {
        '(' | ')' | '⟮' | '⟯' => {
            let bulge = (0.16 * m + 0.04 * h).min(0.4 * m);
            let end = 0.3 * t;
            let x_apex = side + t / 2.0;
            let x_end = x_apex + bulge;
            // Control points at the same x put the apex at x_apex: (2·x_end + 6·c) / 8.
            let cx = (8.0 * x_apex - 2.0 * x_end) / 6.0;
            let pts = cubic(
                (x_end, y1 - end / 2.0),
                (cx, y1 - 0.2 * h),
                (cx, y0 + 0.2 * h),
                (x_end, y0 + end / 2.0),
                32,
            );
            let n = pts.len() - 1;
            let widths: Vec<f32> = (0..=n)
                .map(|i| {
                    let s = (std::f32::consts::PI * i as f32 / n as f32).sin().max(0.0);
                    end + (t - end) * s.powf(0.6)
                })
                .collect();
            (
                x_end + end + side,
                vec![stroke(&pts, &widths)],
                matches!(c, ')' | '⟯'),
            )
        }
        '[' | ']' | '⌊' | '⌋' | '⌈' | '⌉' => {
            let arm = 0.24 * m;
            let thin = 0.8 * mm.rule.max(0.6 * mm.stem) * m;
            let mut items = vec![rect(side, y0, t, h)];
            if matches!(c, '[' | ']' | '⌈' | '⌉') {
                items.push(rect(side, y1 - thin, arm + t, thin));
            }
            if matches!(c, '[' | ']' | '⌊' | '⌋') {
                items.push(rect(side, y0, arm + t, thin));
            }
            (side * 2.0 + t + arm, items, matches!(c, ']' | '⌋' | '⌉'))
        }
        '{' | '}' => {
            // A brace's strokes are short: a little heavier than the stem reads as alike.
            let t = 1.15 * t;
            let r = (0.16 * m).min(h / 6.0);
            let x_tip = side;
            let x_mid = side + 0.22 * m;
            let x_end = x_mid + 0.2 * m;
            let thin = 0.35 * t;
            let mut pts = Vec::new();
            let mut widths = Vec::new();
            let mut push = |seg: Vec<Pt>, w0: f32, w1: f32| {
                let n = seg.len().max(2) - 1;
                for (i, p) in seg.into_iter().enumerate() {
                    if !pts.is_empty() && i == 0 {
                        continue;
                    }
                    pts.push(p);
                    widths.push(w0 + (w1 - w0) * i as f32 / n as f32);
                }
            };
            let top = y1 - thin / 2.0;
            let bottom = y0 + thin / 2.0;
            push(
                cubic(
                    (x_end, top),
                    (x_mid, top),
                    (x_mid, top),
                    (x_mid, top - r),
                    12,
                ),
                thin,
                t,
            );
            push(vec![(x_mid, top - r), (x_mid, mid + r)], t, t);
            push(
                cubic(
                    (x_mid, mid + r),
                    (x_mid, mid),
                    (x_mid, mid),
                    (x_tip, mid),
                    12,
                ),
                t,
                thin,
            );
            push(
                cubic(
                    (x_tip, mid),
                    (x_mid, mid),
                    (x_mid, mid),
                    (x_mid, mid - r),
                    12,
                ),
                thin,
                t,
            );
            push(vec![(x_mid, mid - r), (x_mid, bottom + r)], t, t);
            push(
                cubic(
                    (x_mid, bottom + r),
                    (x_mid, bottom),
                    (x_mid, bottom),
                    (x_end, bottom),
                    12,
                ),
                t,
                thin,
            );
            (x_end + side, vec![stroke(&pts, &widths)], c == '}')
        }
        '|' => (2.0 * side + t, vec![rect(side, y0, t, h)], false),
        '‖' => {
            let gap = 0.12 * m;
            (
                2.0 * side + 2.0 * t + gap,
                vec![rect(side, y0, t, h), rect(side + t + gap, y0, t, h)],
                false,
            )
        }
        '⟨' | '⟩' => {
            let w = (0.2 * m + 0.12 * h).min(0.5 * m);
            let tt = 0.8 * t;
            let pts = [
                (side + w, y1 - tt / 2.0),
                (side, mid),
                (side + w, y0 + tt / 2.0),
            ];
            (
                2.0 * side + w + tt,
                vec![stroke(&pts, &[tt, tt, tt])],
                c == '⟩',
            )
        }
        _ => {
            // '/' and '\\': a line across the box, as tall as asked.
            let w = (0.25 * h).min(m);
            let tt = 0.8 * t;
            let pts = if c == '/' {
                [(side, y0), (side + w, y1)]
            } else {
                [(side, y1), (side + w, y0)]
            };
            (2.0 * side + w + tt, vec![stroke(&pts, &[tt, tt])], false)
        }
    };
    if flip {
        mirror(&mut items, width);
    }
    MathBox {
        width,
        height: y1.max(0.0),
        depth: (-y0).max(0.0),
        italic: 0.0,
        items,
    }
}

/// The radical sign whose long stroke ends at (`width`, `top`), its point at `bottom`;
/// the overbar continues from that end. Returns the sign's items and its width.
pub fn radical_sign(bottom: f32, top: f32, m: f32) -> (Vec<Item>, f32) {
    let mm = math_metrics();
    let thick = 0.9 * mm.stem * m;
    let thin = mm.rule * m;
    let h = top - bottom;
    // The short hook, the heavy down stroke, then the light stroke up to the bar.
    let hook = (0.38 * m).min(0.45 * h);
    let x0 = 0.04 * m;
    let x1 = x0 + 0.12 * m;
    let x2 = x1 + 0.2 * m;
    let width = x2 + (0.3 * m + 0.06 * h).min(0.8 * m);
    let items = vec![
        stroke(
            &[(x0, bottom + hook * 0.8), (x1, bottom + hook)],
            &[thin, thin],
        ),
        stroke(
            &[(x1 - 0.015 * m, bottom + hook + 0.01 * m), (x2, bottom)],
            &[thick, thick * 0.8],
        ),
        stroke(
            &[(x2, bottom + thin * 0.3), (width, top - thin / 2.0)],
            &[thin * 1.2, thin],
        ),
    ];
    (items, width)
}

/// A long arrow `width` wide, pointing right (or left), its shaft centred at height `y`.
pub fn arrow(width: f32, y: f32, m: f32, left: bool) -> MathBox {
    let mm = math_metrics();
    let thin = mm.rule * m;
    let head = 0.18 * m;
    let mut items = vec![
        rect(0.0, y - thin / 2.0, width - thin, thin),
        stroke(
            &[
                (width - head, y + head * 0.8),
                (width, y),
                (width - head, y - head * 0.8),
            ],
            &[thin; 3],
        ),
    ];
    if left {
        mirror(&mut items, width);
    }
    MathBox {
        width,
        height: y + head,
        depth: 0.0,
        italic: 0.0,
        items,
    }
}

/// The height a delimiter `c` has as a glyph of the font at size `m`, top to bottom.
pub fn glyph_extent(c: char, m: f32) -> f32 {
    let g = face(c, false).metrics();
    (g.y_max - g.y_min) * m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grown_delimiters_span_what_was_asked() {
        for c in [
            '(', ')', '[', ']', '{', '}', '|', '‖', '⟨', '⟩', '⌊', '⌉', '/',
        ] {
            let b = delimiter(c, -1.0, 2.0, 1.0);
            let (x0, y0, x1, y1) = b.ink_bounds().unwrap();
            assert!((-1.01..-0.95).contains(&y0), "{c}: {y0}");
            assert!(y1 <= 2.01 && y1 > 1.95, "{c}: {y1}");
            assert!(
                x0 >= 0.0 && x1 <= b.width + 1e-4,
                "{c}: {x0}..{x1} of {}",
                b.width
            );
        }
    }
}
