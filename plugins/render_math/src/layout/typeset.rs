//! The 2-D layout of a parsed formula: each node becomes a [`Block`], rows are spaced by
//! TeX's rules for atom classes and aligned on their baselines. The math axis is the
//! baseline row: fraction bars, big operators and matrices centre on it.

use super::block::{Align, Block, Canvas, Cell, Row, TooLarge, offset, stack};
use super::delims::delimiter;
use crate::ast::{
    Accent, BigOp, Class, Delimited, Env, Frac, FracKind, Limits, Matrix, Node, OpKind, Scripts,
    Style,
};
use crate::spacing::{effective_classes, spacing};

/// Lay out a formula, in display style (limits above and below big operators) or text
/// style (limits beside them).
pub fn layout(list: &[Node], display: bool) -> Result<Block, TooLarge> {
    hlist(list, if display { Style::Display } else { Style::Text })
}

fn hlist(list: &[Node], style: Style) -> Result<Block, TooLarge> {
    let mut row = Row::new();
    append(&mut row, list, style, None)?;
    row.finish()
}

/// Append a list to a row, with the spacing between its atoms. `before` is the class of
/// an invisible atom assumed in front (for aligned's `&=`).
fn append(
    row: &mut Row,
    list: &[Node],
    style: Style,
    before: Option<Class>,
) -> Result<(), TooLarge> {
    let classes = effective_classes(list, before);
    let mut last_right = before;
    let mut explicit: isize = 0;
    for (node, cls) in list.iter().zip(classes) {
        let Some((l, r)) = cls else {
            if let Node::Space(s) = node {
                explicit += s.columns();
            }
            continue;
        };
        let auto = last_right.map_or(0, |lr| spacing(lr, l, style)) as isize;
        row.push_gap((auto + explicit).max(0) as usize);
        explicit = 0;
        push_node(row, node, style)?;
        last_right = Some(r);
    }
    row.push_gap(explicit.max(0) as usize);
    Ok(())
}

/// Add one node to a row: simple symbols as characters, the rest as blocks.
fn push_node(row: &mut Row, node: &Node, style: Style) -> Result<(), TooLarge> {
    match node {
        Node::Sym { ch, .. } => row.push_char(*ch),
        Node::Number(s) | Node::Text(s) => row.push_str(s),
        Node::Func { name, .. } => row.push_str(name),
        // A group is a sub-formula whose own spacing is computed apart from its neighbours.
        Node::Group(list) => append(row, list, style, None)?,
        Node::Style(s, list) => append(row, list, *s, None)?,
        Node::Space(s) => row.push_gap(s.columns().max(0) as usize),
        _ => row.push_block(node_block(node, style)?),
    }
    Ok(())
}

fn node_block(node: &Node, style: Style) -> Result<Block, TooLarge> {
    match node {
        Node::Scripts(s) => scripts(s, style),
        Node::Frac(f) => fraction(f, style),
        Node::Sqrt { index, body } => radical(index.as_deref(), body, style),
        Node::Accent { accent, body } => accented(*accent, body, style),
        Node::Delimited(d) => delimited(d, style),
        Node::BigDelim { delim, rows, .. } => {
            let rows = usize::from(*rows);
            delimiter(*delim, rows / 2 + 1, rows / 2)
        }
        Node::Matrix(m) => matrix(m),
        Node::BigOp { op, .. } => big_op(*op, style),
        _ => {
            let mut row = Row::new();
            push_node(&mut row, node, style)?;
            row.finish()
        }
    }
}

fn big_op(op: BigOp, style: Style) -> Result<Block, TooLarge> {
    let (columns, middle) = match (style, op.kind) {
        (Style::Display, OpKind::Integral(n)) => (usize::from(n), '⎮'),
        (Style::Display, OpKind::Contour) => (1, '∮'),
        _ => return Block::text(op.glyph.encode_utf8(&mut [0; 4])),
    };
    // Display integrals are three rows tall, centred on the axis, as TeX makes them
    // about twice the size of a line.
    let mut b = Block::blank(columns, 2, 1)?;
    for c in 0..columns {
        b.set(0, c, Cell::new('⌠'));
        b.set(1, c, Cell::new(middle));
        b.set(2, c, Cell::new('⌡'));
    }
    Ok(b)
}

/// Whether a base ends in a glyph as tall as itself (a big delimiter, a display
/// integral), so that scripts may sit beside its top and bottom rows rather than beyond.
fn tall_right_edge(node: &Node, style: Style) -> bool {
    match node {
        Node::Delimited(d) => d.right.is_some(),
        Node::BigDelim { delim, rows, .. } => delim.is_some() && *rows > 1,
        Node::Matrix(m) => m.env.delims().1.is_some(),
        Node::BigOp { op, .. } => {
            style == Style::Display && matches!(op.kind, OpKind::Integral(_) | OpKind::Contour)
        }
        _ => false,
    }
}

fn primes(n: u8) -> String {
    match n {
        1 => "′".to_owned(),
        2 => "″".to_owned(),
        3 => "‴".to_owned(),
        4 => "⁗".to_owned(),
        n => "′".repeat(usize::from(n)),
    }
}

fn scripts(s: &Scripts, style: Style) -> Result<Block, TooLarge> {
    let base = node_block(&s.base, style)?;
    let sup = s
        .sup
        .as_deref()
        .map(|l| hlist(l, style.script()))
        .transpose()?;
    let sub = s
        .sub
        .as_deref()
        .map(|l| hlist(l, style.script()))
        .transpose()?;
    let limits = match &s.base {
        Node::BigOp { limits, .. } | Node::Func { limits, .. } => match limits {
            Limits::Always => true,
            Limits::Never => false,
            Limits::Auto => style == Style::Display,
        },
        _ => false,
    };
    if limits && s.primes == 0 {
        let mut parts = Vec::with_capacity(3);
        parts.extend(sup);
        let at = parts.len();
        parts.push(base);
        parts.extend(sub);
        return stack(parts, at, Align::Center);
    }

    let tall = tall_right_edge(&s.base, style);
    let bh = base.height() as isize;
    let bd = base.depth() as isize;
    let bw = base.width();
    let mut canvas = Canvas::new();
    canvas.place(base, 1 - bh, 0);
    let mut sup_left = bw;
    if s.primes > 0 {
        let p = Block::text(&primes(s.primes))?;
        sup_left += p.width();
        canvas.place(p, 1 - bh, bw);
    }
    if let Some(sup) = sup {
        // Above the base, or level with its top row beside a tall delimiter.
        let bottom = if tall && bh >= 2 { 1 - bh } else { -bh };
        let top = bottom - (sup.rows() as isize - 1);
        canvas.place(sup, top, sup_left);
    }
    if let Some(sub) = sub {
        let top = if tall && bd >= 1 { bd } else { bd + 1 };
        canvas.place(sub, top, bw);
    }
    canvas.finish()
}

fn fraction(f: &Frac, style: Style) -> Result<Block, TooLarge> {
    let inner = f.style.unwrap_or(style).fraction();
    let num = hlist(&f.num, inner)?;
    let den = hlist(&f.den, inner)?;
    // A part that is itself a fraction would put two bars of one length on top of each
    // other; TeX's null delimiter space keeps the outer bar longer, so do the same.
    let overhang = usize::from(is_fraction(&f.num) || is_fraction(&f.den));
    let width = num.width().max(den.width()).max(1) + 2 * overhang;
    let bar = match f.kind {
        FracKind::Frac => Block::repeat('─', width)?,
        // A binomial is a fraction without its bar, in parentheses.
        FracKind::Binom => Block::blank(width, 1, 0)?,
    };
    let stacked = stack(vec![num, bar, den], 1, Align::Center)?;
    if f.kind == FracKind::Frac {
        return Ok(stacked);
    }
    let (h, d) = (stacked.height(), stacked.depth());
    let mut row = Row::new();
    row.push_block(delimiter(Some('('), h, d)?);
    row.push_block(stacked);
    row.push_block(delimiter(Some(')'), h, d)?);
    row.finish()
}

fn is_fraction(list: &[Node]) -> bool {
    let mut atoms = list.iter().filter(|n| !matches!(n, Node::Space(_)));
    matches!(
        (atoms.next(), atoms.next()),
        (Some(Node::Frac(f)), None) if f.kind == FracKind::Frac
    )
}

/// `√` with an overbar for one-row radicands; for taller ones a diagonal stroke that
/// climbs one column per row, as hand-drawn: `╲╱` at the bottom, `╱` above.
fn radical(index: Option<&[Node]>, body: &[Node], style: Style) -> Result<Block, TooLarge> {
    let body = hlist(body, style)?;
    let index = index
        .map(|i| hlist(i, Style::ScriptScript))
        .transpose()?
        .filter(|b| b.width() > 0);
    let k = index.as_ref().map_or(0, Block::width);
    let (bh, bd, bw) = (body.height() as isize, body.depth() as isize, body.width());
    let top = 1 - bh;
    let mut canvas = Canvas::new();
    if body.rows() == 1 {
        // Index just left of the sign, on the overbar's row.
        canvas.place(Block::text("√")?, 0, k);
        canvas.place(Block::repeat('_', bw.max(1))?, -1, k + 1);
        canvas.place(body, 0, k + 1);
        if let Some(index) = index {
            let rows = index.rows() as isize;
            canvas.place(index, -rows, 0);
        }
        return canvas.finish();
    }
    let rows = body.rows();
    // The index sits in the crook, its right edge a column short of the rising stroke.
    let s = k.saturating_sub(1);
    canvas.place(Block::text("╲")?, bd, s);
    for i in 0..rows {
        canvas.place(Block::text("╱")?, bd - i as isize, s + 1 + i);
    }
    let left = s + 1 + rows;
    canvas.place(Block::repeat('_', bw.max(1))?, top - 1, left);
    canvas.place(body, top, left);
    if let Some(index) = index {
        let irows = index.rows() as isize;
        let iw = index.width();
        canvas.place(index, bd - irows, (s + 1).saturating_sub(iw));
    }
    canvas.finish()
}

fn accented(accent: Accent, body: &[Node], style: Style) -> Result<Block, TooLarge> {
    let body = hlist(body, style)?;
    if let (Some(cell), Some(mark)) = (body.single_cell(), accent.combining())
        && cell.mark.is_none()
        && cell.ch != ' '
    {
        return Block::line([Cell {
            ch: cell.ch,
            mark: Some(mark),
        }]);
    }
    let w = body.width().max(1);
    let mark = if accent.stretches() {
        match accent {
            Accent::Vec | Accent::OverRightArrow => {
                Block::text(&format!("{}→", "─".repeat(w - 1)))?
            }
            Accent::OverLeftArrow => Block::text(&format!("←{}", "─".repeat(w - 1)))?,
            a => Block::repeat(a.glyph(), w)?,
        }
    } else {
        let mut m = Block::blank(w, 1, 0)?;
        m.set(0, offset(Align::Center, 1, w), Cell::new(accent.glyph()));
        m
    };
    if accent.is_under() {
        stack(vec![body, mark], 0, Align::Center)
    } else {
        stack(vec![mark, body], 1, Align::Center)
    }
}

fn delimited(d: &Delimited, style: Style) -> Result<Block, TooLarge> {
    let parts = d
        .parts
        .iter()
        .map(|p| hlist(p, style))
        .collect::<Result<Vec<_>, _>>()?;
    let h = parts.iter().map(Block::height).max().unwrap_or(1);
    let dp = parts.iter().map(Block::depth).max().unwrap_or(0);
    let mut row = Row::new();
    row.push_block(delimiter(d.left, h, dp)?);
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            row.push_block(delimiter(d.middles.get(i - 1).copied().flatten(), h, dp)?);
        }
        row.push_block(p);
    }
    row.push_block(delimiter(d.right, h, dp)?);
    row.finish()
}

/// Cells are set in their own style whatever surrounds them, as TeX's arrays are.
fn matrix(m: &Matrix) -> Result<Block, TooLarge> {
    let cell_style = match m.env {
        Env::SmallMatrix => Style::Script,
        Env::Aligned | Env::Gathered => Style::Display,
        _ => Style::Text,
    };
    let align_of = |col: usize| match m.env {
        Env::Cases => Align::Left,
        Env::Aligned if col.is_multiple_of(2) => Align::Right,
        Env::Aligned => Align::Left,
        _ => Align::Center,
    };
    let gap_after = |col: usize| match m.env {
        Env::Aligned if col.is_multiple_of(2) => 0,
        Env::SmallMatrix => 1,
        _ => 2,
    };
    let ncols = m.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut cells: Vec<Vec<Block>> = Vec::with_capacity(m.rows.len());
    for row in &m.rows {
        let mut out = Vec::with_capacity(row.len());
        for (j, cell) in row.iter().enumerate() {
            // aligned's right-hand cells start as if after `{}`, so `&=` is spaced.
            let before = (m.env == Env::Aligned && j % 2 == 1).then_some(Class::Ord);
            let mut r = Row::new();
            append(&mut r, cell, cell_style, before)?;
            out.push(r.finish()?);
        }
        cells.push(out);
    }
    let mut widths = vec![0usize; ncols];
    for row in &cells {
        for (j, b) in row.iter().enumerate() {
            widths[j] = widths[j].max(b.width());
        }
    }
    let heights: Vec<(usize, usize)> = cells
        .iter()
        .map(|row| {
            let h = row.iter().map(Block::height).max().unwrap_or(1);
            let d = row.iter().map(Block::depth).max().unwrap_or(0);
            (h, d)
        })
        .collect();
    // Rows of one line stack tightly; taller ones (and cases) get a blank line between.
    let spaced = m.env == Env::Cases || heights.iter().any(|(h, d)| h + d > 1);
    let mut lefts = Vec::with_capacity(ncols);
    let mut x = 0;
    for (j, w) in widths.iter().enumerate() {
        lefts.push(x);
        x += w;
        if j + 1 < ncols {
            x += gap_after(j);
        }
    }
    let total_width = x;
    let mut baselines = Vec::with_capacity(cells.len());
    let mut y = 0usize;
    for (i, (h, d)) in heights.iter().enumerate() {
        if i > 0 && spaced {
            y += 1;
        }
        baselines.push(y + h - 1);
        y += h + d;
    }
    let total_rows = y.max(1);
    let axis = if cells.len() == 1 {
        baselines[0]
    } else {
        total_rows / 2
    };
    let mut canvas = Canvas::new();
    canvas.reserve_width(total_width);
    for (row, base) in cells.into_iter().zip(&baselines) {
        for (j, b) in row.into_iter().enumerate() {
            let left = lefts[j] + offset(align_of(j), b.width(), widths[j]);
            let top = *base as isize - b.baseline() as isize - axis as isize;
            canvas.place(b, top, left);
        }
    }
    // Keep the full height even when the last rows are blank.
    canvas.place(Block::blank(0, 1, 0)?, -(axis as isize), 0);
    canvas.place(Block::blank(0, 1, 0)?, (total_rows - 1 - axis) as isize, 0);
    let grid = canvas.finish()?;
    let (left, right) = m.env.delims();
    if left.is_none() && right.is_none() {
        return Ok(grid);
    }
    let (h, d) = (grid.height(), grid.depth());
    let mut row = Row::new();
    row.push_block(delimiter(left, h, d)?);
    row.push_block(grid);
    row.push_block(delimiter(right, h, d)?);
    row.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn show(src: &str) -> String {
        layout(&parse(src).unwrap(), true).unwrap().to_text()
    }

    #[test]
    fn binary_operators_become_signs_where_tex_says() {
        assert_eq!(show("-a+b"), "−a + b");
        assert_eq!(show("a=-b"), "a = −b");
        assert_eq!(show("(+a)"), "(+a)");
        assert_eq!(show("a+"), "a+");
        assert_eq!(show("f(a,b)"), "f(a, b)");
        assert_eq!(show(r"\sin x"), "sin x");
        assert_eq!(show(r"\sin(x)"), "sin(x)");
        assert_eq!(show("a=(b)"), "a = (b)");
        assert_eq!(show(r"x \in [0, 1]"), "x ∈ [0, 1]");
        assert_eq!(show(r"n! \sin x"), "n! sin x");
        assert_eq!(show(r"\sin \cos x"), "sin cos x");
        assert_eq!(show(r"x^{a+b=c}"), " a+b=c\nx");
    }

    #[test]
    fn explicit_spaces() {
        assert_eq!(show(r"a\,b\quad c\qquad d"), "a b  c    d");
        assert_eq!(show(r"a\!b"), "ab");
        assert_eq!(show(r"a \! = b"), "a= b");
    }
}
