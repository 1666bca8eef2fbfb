//! Sixel output with an exact palette.
//!
//! Plots use few colours (background, axes, grid, two text antialiasing levels, series
//! colours), so the image is indexed to exactly the colours it contains instead of a
//! generic 256-colour quantisation: nothing is dithered and lines stay crisp. Each band
//! is first filled with its most common colour in one run, and the other colours are
//! painted over it, which keeps the output small.

use std::collections::HashMap;

/// Sixel registers terminals are guaranteed to offer.
pub const MAX_COLORS: usize = 256;

/// Index an RGB image to its exact colours. With more than [`MAX_COLORS`] distinct
/// colours (it does not happen with this tool's own rendering), channels are rounded to
/// coarser steps until the colours fit.
pub fn index_colors(rgb: &[u8]) -> (Vec<[u8; 3]>, Vec<u8>) {
    let mut shift = 0u32;
    loop {
        if let Some(r) = try_index(rgb, shift) {
            return r;
        }
        shift += 1;
    }
}

fn try_index(rgb: &[u8], shift: u32) -> Option<(Vec<[u8; 3]>, Vec<u8>)> {
    let mask = 0xffu8 << shift;
    let mut palette: Vec<[u8; 3]> = Vec::new();
    let mut lookup: HashMap<[u8; 3], u8> = HashMap::new();
    let mut indices = Vec::with_capacity(rgb.len() / 3);
    // Long runs of one colour are the rule in a plot: remember the last one.
    let mut last: Option<([u8; 3], u8)> = None;
    for px in rgb.chunks_exact(3) {
        let c = [px[0] & mask, px[1] & mask, px[2] & mask];
        let i = match last {
            Some((lc, li)) if lc == c => li,
            _ => {
                let i = match lookup.get(&c) {
                    Some(&i) => i,
                    None => {
                        if palette.len() == MAX_COLORS {
                            return None;
                        }
                        let i = palette.len() as u8;
                        palette.push(c);
                        lookup.insert(c, i);
                        i
                    }
                };
                last = Some((c, i));
                i
            }
        };
        indices.push(i);
    }
    Some((palette, indices))
}

/// Encode an RGB image (3 bytes per pixel) as a sixel string.
pub fn encode_rgb(rgb: &[u8], width: usize, height: usize) -> String {
    let (palette, indices) = index_colors(rgb);
    encode_indexed(&palette, &indices, width, height)
}

fn push_num(out: &mut String, n: usize) {
    use std::fmt::Write;
    let _ = write!(out, "{n}");
}

fn percent(v: u8) -> usize {
    (v as usize * 100 + 127) / 255
}

/// Encode an indexed image: `indices[y * width + x]` selects a `palette` entry.
pub fn encode_indexed(palette: &[[u8; 3]], indices: &[u8], width: usize, height: usize) -> String {
    let mut out = String::with_capacity(16 * 1024);
    // P2 = 1: pixels never painted stay transparent (all are painted here anyway).
    out.push_str("\x1bP0;1;0q\"1;1;");
    push_num(&mut out, width);
    out.push(';');
    push_num(&mut out, height);
    for (i, c) in palette.iter().enumerate() {
        out.push('#');
        push_num(&mut out, i);
        out.push_str(";2;");
        push_num(&mut out, percent(c[0]));
        out.push(';');
        push_num(&mut out, percent(c[1]));
        out.push(';');
        push_num(&mut out, percent(c[2]));
    }

    let n = palette.len();
    let mut sixels = vec![0u8; n * width];
    let mut used = vec![false; n];
    let mut counts = vec![0usize; n];
    for y0 in (0..height).step_by(6) {
        let rows = (height - y0).min(6);
        for c in 0..n {
            if used[c] {
                sixels[c * width..(c + 1) * width].fill(0);
                used[c] = false;
            }
            counts[c] = 0;
        }
        for dy in 0..rows {
            let bit = 1u8 << dy;
            let row = &indices[(y0 + dy) * width..(y0 + dy + 1) * width];
            for (x, &c) in row.iter().enumerate() {
                let c = c as usize;
                sixels[c * width + x] |= bit;
                used[c] = true;
                counts[c] += 1;
            }
        }
        // The most common colour fills the whole band; the others are drawn on top.
        let fill = (0..n).max_by_key(|&c| counts[c]).unwrap_or(0);
        let full = (63 + ((1u16 << rows) - 1)) as u8 as char;
        out.push('#');
        push_num(&mut out, fill);
        out.push('!');
        push_num(&mut out, width);
        out.push(full);
        for c in 0..n {
            if !used[c] || c == fill {
                continue;
            }
            out.push('$');
            out.push('#');
            push_num(&mut out, c);
            let row = &sixels[c * width..(c + 1) * width];
            // Trailing empty sixels need not be written.
            let end = row.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            let mut x = 0;
            while x < end {
                let bits = row[x];
                let mut run = 1;
                while x + run < end && row[x + run] == bits {
                    run += 1;
                }
                let ch = (63 + bits) as char;
                if run > 3 {
                    out.push('!');
                    push_num(&mut out, run);
                    out.push(ch);
                } else {
                    for _ in 0..run {
                        out.push(ch);
                    }
                }
                x += run;
            }
        }
        out.push('-');
    }
    out.push_str("\x1b\\");
    out
}
