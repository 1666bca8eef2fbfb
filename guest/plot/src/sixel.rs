//! Sixel output with an exact palette.
//!
//! Plots use few colours (background, axes, grid, two text antialiasing levels, series
//! colours), so the image is indexed to exactly the colours it contains instead of a
//! generic 256-colour quantisation: nothing is dithered and lines stay crisp. Each band
//! is first filled with its most common colour in one run, and the other colours are
//! painted over it from common to rare; a colour's runs may run through pixels a later
//! colour covers, which keeps the output small.

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
    let mask = (0xffu32 >> shift << shift) * 0x01_01_01;
    let mut palette: Vec<[u8; 3]> = Vec::new();
    let mut lookup: HashMap<u32, u8> = HashMap::new();
    let mut indices = vec![0u8; rgb.len() / 3];
    // Long runs of one colour are the rule in a plot: compare with the last pixel first.
    let mut last_key = u32::MAX;
    let mut last_index = 0u8;
    for (px, index) in rgb.as_chunks::<3>().0.iter().zip(indices.iter_mut()) {
        let key = (u32::from(px[0]) << 16 | u32::from(px[1]) << 8 | u32::from(px[2])) & mask;
        if key != last_key {
            last_index = match lookup.get(&key) {
                Some(&i) => i,
                None => {
                    if palette.len() == MAX_COLORS {
                        return None;
                    }
                    let i = palette.len() as u8;
                    let [_, r, g, b] = key.to_be_bytes();
                    palette.push([r, g, b]);
                    lookup.insert(key, i);
                    i
                }
            };
            last_key = key;
        }
        *index = last_index;
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
    // Bits of the colours painted after the current one: free to set, they are covered.
    let mut covered = vec![0u8; width];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    let mut layers: Vec<String> = Vec::with_capacity(n);
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
            // A row is a few long runs: handle a run at a time.
            let mut x = 0;
            while x < width {
                let c = row[x];
                let end = row[x..]
                    .iter()
                    .position(|&o| o != c)
                    .map_or(width, |n| x + n);
                let c = c as usize;
                for s in &mut sixels[c * width + x..c * width + end] {
                    *s |= bit;
                }
                used[c] = true;
                counts[c] += end - x;
                x = end;
            }
        }
        // Paint the commonest colour over the whole band, then the others from common to
        // rare: a pixel of a later colour is don't-care for the earlier ones, which lets
        // their runs run through it.
        order.clear();
        order.extend((0..n).filter(|&c| used[c]));
        order.sort_by_key(|&c| std::cmp::Reverse(counts[c]));
        let Some((&fill, rest)) = order.split_first() else {
            continue;
        };
        let full = (63 + ((1u16 << rows) - 1)) as u8 as char;
        out.push('#');
        push_num(&mut out, fill);
        out.push('!');
        push_num(&mut out, width);
        out.push(full);
        covered.fill(0);
        layers.clear();
        for &c in rest.iter().rev() {
            let row = &sixels[c * width..(c + 1) * width];
            let mut layer = String::new();
            layer.push('$');
            layer.push('#');
            push_num(&mut layer, c);
            encode_layer(&mut layer, row, &covered);
            layers.push(layer);
            for (k, &b) in covered.iter_mut().zip(row) {
                *k |= b;
            }
        }
        for layer in layers.iter().rev() {
            out.push_str(layer);
        }
        out.push('-');
    }
    out.push_str("\x1b\\");
    out
}

/// One colour's sixels in a band: `need` bits must be set; bits in `free` may be set
/// (a later colour paints over them), so a run continues through them when it can.
fn encode_layer(out: &mut String, need: &[u8], free: &[u8]) {
    // Trailing empty sixels need not be written.
    let end = need.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let mut x = 0;
    while x < end {
        let bits = need[x];
        let mut run = 1;
        while x + run < end {
            let (want, may) = (need[x + run], need[x + run] | free[x + run]);
            if want & !bits != 0 || bits & !may != 0 {
                break;
            }
            run += 1;
        }
        push_run(out, run, (63 + bits) as char);
        x += run;
    }
}

fn push_run(out: &mut String, run: usize, ch: char) {
    if run > 3 {
        out.push('!');
        push_num(out, run);
        out.push(ch);
    } else {
        for _ in 0..run {
            out.push(ch);
        }
    }
}
