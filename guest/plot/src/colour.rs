//! Colours: the tab10 palette that series get by default, `#rrggbb`/`#rgb` parsing for
//! the colours a request names, and the viridis map that colours heatmap cells.

use crate::input::bad;
use crate::render::Rgb;
use toolhost_sdk::ToolError;

/// Matplotlib's "tab10": distinct, colour-blind-aware and familiar.
const PALETTE: [Rgb; 10] = [
    (0x1f, 0x77, 0xb4),
    (0xff, 0x7f, 0x0e),
    (0x2c, 0xa0, 0x2c),
    (0xd6, 0x27, 0x28),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0x7f, 0x7f, 0x7f),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
];

fn parse_color(s: &str, pointer: &str) -> Result<Rgb, ToolError> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    let digits: Option<Vec<u8>> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect();
    match digits.as_deref() {
        Some([r, g, b]) => Ok((r * 17, g * 17, b * 17)),
        Some([r1, r2, g1, g2, b1, b2]) => Ok((r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
        _ => Err(bad(
            format!("colour {s:?} is not `#rrggbb` or `#rgb`"),
            pointer,
        )),
    }
}

pub(crate) fn series_color(c: &Option<String>, i: usize, pointer: &str) -> Result<Rgb, ToolError> {
    match c {
        Some(s) => parse_color(s, pointer),
        None => Ok(PALETTE[i % PALETTE.len()]),
    }
}

/// Viridis at 9 stops, interpolated into [`HEAT_LEVELS`] steps: few enough for the sixel
/// palette to stay exact.
const VIRIDIS: [Rgb; 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];
const HEAT_LEVELS: usize = 64;

pub(crate) fn viridis(t: f64) -> Rgb {
    let t = ((t.clamp(0.0, 1.0) * (HEAT_LEVELS - 1) as f64).round()) / (HEAT_LEVELS - 1) as f64;
    let p = t * (VIRIDIS.len() - 1) as f64;
    let i = (p.floor() as usize).min(VIRIDIS.len() - 2);
    let f = p - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + f * (y as f64 - x as f64)).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
