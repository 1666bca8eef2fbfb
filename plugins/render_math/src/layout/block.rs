//! The box engine: rectangular blocks of character cells with a baseline, and the three
//! ways to combine them (place anywhere, a row aligned on baselines, a centred stack).

use crate::MAX_CELLS;

/// One character cell: a character and an optional combining mark drawn on it (`x̂`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub mark: Option<char>,
}

impl Cell {
    pub const BLANK: Cell = Cell {
        ch: ' ',
        mark: None,
    };

    pub fn new(ch: char) -> Cell {
        Cell { ch, mark: None }
    }
}

/// The layout would be larger than [`MAX_CELLS`] cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

/// A rectangle of cells. `height` counts the rows from the top down to and including the
/// baseline row; `depth` the rows below it. A block always has a baseline row, so an
/// empty block is 0 wide and 1 high.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    width: usize,
    height: usize,
    depth: usize,
    cells: Vec<Cell>,
}

impl Block {
    pub fn empty() -> Block {
        Block {
            width: 0,
            height: 1,
            depth: 0,
            cells: Vec::new(),
        }
    }

    /// A blank block; `height` is raised to 1 if 0.
    pub fn blank(width: usize, height: usize, depth: usize) -> Result<Block, TooLarge> {
        let height = height.max(1);
        let n = width
            .checked_mul(height + depth)
            .filter(|&n| n <= MAX_CELLS)
            .ok_or(TooLarge)?;
        Ok(Block {
            width,
            height,
            depth,
            cells: vec![Cell::BLANK; n],
        })
    }

    /// One row of characters on the baseline.
    pub fn text(s: &str) -> Result<Block, TooLarge> {
        Block::line(s.chars().map(Cell::new))
    }

    /// One row of cells on the baseline.
    pub fn line(cells: impl IntoIterator<Item = Cell>) -> Result<Block, TooLarge> {
        let cells: Vec<Cell> = cells.into_iter().collect();
        if cells.len() > MAX_CELLS {
            return Err(TooLarge);
        }
        Ok(Block {
            width: cells.len(),
            height: 1,
            depth: 0,
            cells,
        })
    }

    /// `n` copies of `ch` in a row.
    pub fn repeat(ch: char, n: usize) -> Result<Block, TooLarge> {
        let mut b = Block::blank(n, 1, 0)?;
        b.cells.fill(Cell::new(ch));
        Ok(b)
    }

    /// A column of cells, top to bottom, whose baseline is row `baseline`.
    pub fn column(cells: &[char], baseline: usize) -> Result<Block, TooLarge> {
        let height = baseline + 1;
        let depth = cells.len().saturating_sub(height);
        let mut b = Block::blank(1, height, depth)?;
        for (r, &c) in cells.iter().enumerate() {
            b.set(r, 0, Cell::new(c));
        }
        Ok(b)
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Rows from the top through the baseline row.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Rows below the baseline row.
    pub fn depth(&self) -> usize {
        self.depth
    }

    pub fn rows(&self) -> usize {
        self.height + self.depth
    }

    /// Index of the baseline row, counted from the top.
    pub fn baseline(&self) -> usize {
        self.height - 1
    }

    pub fn get(&self, row: usize, col: usize) -> Option<Cell> {
        if col >= self.width {
            return None;
        }
        self.cells.get(row * self.width + col).copied()
    }

    /// Writes a cell; outside the block it does nothing.
    pub fn set(&mut self, row: usize, col: usize, cell: Cell) {
        if col < self.width
            && let Some(c) = self.cells.get_mut(row * self.width + col)
        {
            *c = cell;
        }
    }

    /// Copies `other` with its top-left corner at (`top`, `left`); blank cells of `other`
    /// leave what is underneath, and whatever falls outside is clipped.
    pub fn blit(&mut self, other: &Block, top: usize, left: usize) {
        if other.width == 0 || left >= self.width {
            return;
        }
        let w = other.width.min(self.width - left);
        for r in 0..other.rows() {
            let dst_row = top + r;
            if dst_row >= self.rows() {
                break;
            }
            let src = &other.cells[r * other.width..r * other.width + w];
            let start = dst_row * self.width + left;
            for (d, s) in self.cells[start..start + w].iter_mut().zip(src) {
                if *s != Cell::BLANK {
                    *d = *s;
                }
            }
        }
    }

    /// The lines of the block, trailing blanks removed, joined by `\n`.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.cells.len() + self.rows());
        for r in 0..self.rows() {
            if r > 0 {
                out.push('\n');
            }
            let row = &self.cells[r * self.width..(r + 1) * self.width];
            let used = row
                .iter()
                .rposition(|c| *c != Cell::BLANK)
                .map_or(0, |i| i + 1);
            for c in &row[..used] {
                out.push(c.ch);
                if let Some(m) = c.mark {
                    out.push(m);
                }
            }
        }
        out
    }

    /// The only cell of a 1×1 block.
    pub fn single_cell(&self) -> Option<Cell> {
        (self.width == 1 && self.rows() == 1).then(|| self.cells[0])
    }
}

/// Free placement: blocks at rows relative to the result's baseline (row 0; negative is
/// above) and at columns from the left. The result spans everything placed, and at least
/// the baseline row and `min_width` columns.
#[derive(Default)]
pub struct Canvas {
    parts: Vec<(Block, isize, usize)>,
    min_width: usize,
}

impl Canvas {
    pub fn new() -> Canvas {
        Canvas::default()
    }

    /// Place `block` with its top row at `top` (relative to the baseline) and its left
    /// column at `left`.
    pub fn place(&mut self, block: Block, top: isize, left: usize) {
        self.parts.push((block, top, left));
    }

    /// Place `block` with its own baseline on the canvas row `row`.
    pub fn place_on(&mut self, block: Block, row: isize, left: usize) {
        let top = row - block.baseline() as isize;
        self.place(block, top, left);
    }

    pub fn reserve_width(&mut self, width: usize) {
        self.min_width = self.min_width.max(width);
    }

    pub fn finish(self) -> Result<Block, TooLarge> {
        let mut top = 0isize;
        let mut bottom = 0isize;
        let mut width = self.min_width;
        for (b, t, l) in &self.parts {
            top = top.min(*t);
            bottom = bottom.max(t + b.rows() as isize - 1);
            width = width.max(l + b.width());
        }
        let height = (1 - top) as usize;
        let depth = bottom as usize;
        let mut out = Block::blank(width, height, depth)?;
        for (b, t, l) in &self.parts {
            out.blit(b, (t - top) as usize, *l);
        }
        Ok(out)
    }
}

/// A horizontal list: pieces side by side on a common baseline. Runs of single
/// characters are kept in one buffer so a row of symbols costs one allocation.
#[derive(Default)]
pub struct Row {
    glyphs: Vec<Cell>,
    pieces: Vec<Piece>,
    width: usize,
    height: usize,
    depth: usize,
}

enum Piece {
    Glyphs { start: usize, len: usize },
    Block(Block),
    Gap(usize),
}

impl Row {
    pub fn new() -> Row {
        Row {
            height: 1,
            ..Row::default()
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    pub fn push_gap(&mut self, n: usize) {
        if n > 0 {
            self.width += n;
            self.pieces.push(Piece::Gap(n));
        }
    }

    pub fn push_char(&mut self, c: char) {
        self.push_cell(Cell::new(c));
    }

    pub fn push_cell(&mut self, cell: Cell) {
        self.width += 1;
        if let Some(Piece::Glyphs { len, .. }) = self.pieces.last_mut() {
            *len += 1;
        } else {
            self.pieces.push(Piece::Glyphs {
                start: self.glyphs.len(),
                len: 1,
            });
        }
        self.glyphs.push(cell);
    }

    pub fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    pub fn push_block(&mut self, b: Block) {
        if b.rows() == 1 && b.width() > 0 {
            // One-row blocks join the glyph buffer: fewer blits later.
            for c in b.cells {
                self.push_cell(c);
            }
            return;
        }
        self.width += b.width();
        self.height = self.height.max(b.height());
        self.depth = self.depth.max(b.depth());
        self.pieces.push(Piece::Block(b));
    }

    pub fn finish(self) -> Result<Block, TooLarge> {
        let mut out = Block::blank(self.width, self.height, self.depth)?;
        let base = self.height - 1;
        let mut col = 0;
        for p in self.pieces {
            match p {
                Piece::Gap(n) => col += n,
                Piece::Glyphs { start, len } => {
                    let at = base * out.width + col;
                    out.cells[at..at + len].copy_from_slice(&self.glyphs[start..start + len]);
                    col += len;
                }
                Piece::Block(b) => {
                    out.blit(&b, base - b.baseline(), col);
                    col += b.width();
                }
            }
        }
        Ok(out)
    }
}

/// How a block sits in a stack wider than itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Left offset of a block `w` wide in a column `total` wide. Centring rounds to the left.
pub fn offset(align: Align, w: usize, total: usize) -> usize {
    match align {
        Align::Left => 0,
        Align::Center => (total - w.min(total)) / 2,
        Align::Right => total - w.min(total),
    }
}

/// Blocks one above the other, each aligned in the widest one's width; the baseline is
/// that of `parts[baseline_of]`.
pub fn stack(parts: Vec<Block>, baseline_of: usize, align: Align) -> Result<Block, TooLarge> {
    let width = parts.iter().map(Block::width).max().unwrap_or(0);
    let mut canvas = Canvas::new();
    canvas.reserve_width(width);
    let above: usize = parts.iter().take(baseline_of).map(Block::rows).sum();
    let own = parts.get(baseline_of).map_or(0, Block::baseline);
    let mut row = -((above + own) as isize);
    for b in parts {
        let rows = b.rows() as isize;
        let left = offset(align, b.width(), width);
        canvas.place(b, row, left);
        row += rows;
    }
    canvas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_aligns_baselines() {
        let tall = stack(
            vec![
                Block::text("1").unwrap(),
                Block::text("─").unwrap(),
                Block::text("2").unwrap(),
            ],
            1,
            Align::Center,
        )
        .unwrap();
        assert_eq!((tall.height(), tall.depth()), (2, 1));
        let mut row = Row::new();
        row.push_str("a = ");
        row.push_block(tall);
        row.push_gap(1);
        row.push_char('b');
        let b = row.finish().unwrap();
        assert_eq!(b.to_text(), "    1\na = ─ b\n    2");
        assert_eq!(b.baseline(), 1);
    }

    #[test]
    fn canvas_grows_both_ways() {
        let mut c = Canvas::new();
        c.place(Block::text("x").unwrap(), 0, 0);
        c.place(Block::text("2").unwrap(), -1, 1);
        c.place(Block::text("i").unwrap(), 1, 1);
        let b = c.finish().unwrap();
        assert_eq!(b.to_text(), " 2\nx\n i");
        assert_eq!((b.width(), b.height(), b.depth()), (2, 2, 1));
    }

    #[test]
    fn limits_are_enforced() {
        assert_eq!(Block::blank(MAX_CELLS, 2, 0), Err(TooLarge));
        assert_eq!(Block::blank(usize::MAX, 2, 0), Err(TooLarge));
    }
}
