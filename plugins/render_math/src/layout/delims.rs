//! Delimiters that grow with their content, built from the Unicode bracket pieces
//! (`⎛⎜⎝`, `⎡⎢⎣`, `⎧⎨⎩` ...).

use super::block::{Block, TooLarge};
use crate::ast::Delim;

/// `d` spanning `height` rows down to the baseline and `depth` rows below it; a null
/// delimiter is a zero-width block of that size.
pub fn delimiter(d: Delim, height: usize, depth: usize) -> Result<Block, TooLarge> {
    let height = height.max(1);
    let Some(c) = d else {
        return Block::blank(0, height, depth);
    };
    let n = height + depth;
    if n == 1 {
        return Block::text(c.encode_utf8(&mut [0; 4]));
    }
    let baseline = height - 1;
    let mut col = Vec::with_capacity(n);
    for r in 0..n {
        col.push(piece(c, r, n, baseline));
    }
    Block::column(&col, baseline)
}

/// The glyph of row `r` of an `n`-row delimiter (`n` ≥ 2).
fn piece(c: char, r: usize, n: usize, baseline: usize) -> char {
    let first = r == 0;
    let last = r == n - 1;
    let ends = |top: char, mid: char, bottom: char| {
        if first {
            top
        } else if last {
            bottom
        } else {
            mid
        }
    };
    // A brace's tip sits on the baseline when it can, else in the middle.
    let tip = if baseline >= 1 && baseline + 1 < n {
        baseline
    } else {
        n / 2
    };
    match c {
        '(' | '⟮' => ends('⎛', '⎜', '⎝'),
        ')' | '⟯' => ends('⎞', '⎟', '⎠'),
        '[' => ends('⎡', '⎢', '⎣'),
        ']' => ends('⎤', '⎥', '⎦'),
        '⌊' => ends('⎢', '⎢', '⎣'),
        '⌋' => ends('⎥', '⎥', '⎦'),
        '⌈' => ends('⎡', '⎢', '⎢'),
        '⌉' => ends('⎤', '⎥', '⎥'),
        '{' if n == 2 => ends('⎰', '⎰', '⎱'),
        '}' if n == 2 => ends('⎱', '⎱', '⎰'),
        '{' if r == tip => '⎨',
        '}' if r == tip => '⎬',
        '{' => ends('⎧', '⎪', '⎩'),
        '}' => ends('⎫', '⎪', '⎭'),
        '|' => '│',
        '⟨' | '⟩' => {
            let upper = 2 * r + 1 < n;
            let middle = 2 * r + 1 == n;
            match (c, upper, middle) {
                (_, _, true) => c,
                ('⟨', true, _) | ('⟩', false, _) => '╱',
                _ => '╲',
            }
        }
        '/' => '╱',
        '\\' => '╲',
        '↑' => ends('↑', '│', '│'),
        '↓' => ends('│', '│', '↓'),
        '↕' => ends('↑', '│', '↓'),
        '⇑' => ends('⇑', '‖', '‖'),
        '⇓' => ends('‖', '‖', '⇓'),
        '⇕' => ends('⇑', '‖', '⇓'),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(d: char, h: usize, dp: usize) -> String {
        delimiter(Some(d), h, dp).unwrap().to_text()
    }

    #[test]
    fn pieces() {
        assert_eq!(text('(', 1, 0), "(");
        assert_eq!(text('(', 1, 1), "⎛\n⎝");
        assert_eq!(text('(', 2, 1), "⎛\n⎜\n⎝");
        assert_eq!(text('{', 2, 1), "⎧\n⎨\n⎩");
        assert_eq!(text('{', 3, 2), "⎧\n⎪\n⎨\n⎪\n⎩");
        assert_eq!(text('}', 1, 1), "⎱\n⎰");
        assert_eq!(text('|', 2, 1), "│\n│\n│");
        assert_eq!(text('⟨', 2, 1), "╱\n⟨\n╲");
        assert_eq!(text('⟩', 2, 2), "╲\n╲\n╱\n╱");
        assert_eq!(delimiter(None, 2, 1).unwrap().width(), 0);
    }
}
