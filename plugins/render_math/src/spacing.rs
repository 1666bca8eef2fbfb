//! TeX's spacing rules between atoms, shared by the 2-D and the one-line forms.

use crate::ast::{Class, Node, Style};

/// Spacing between atoms of classes `left` and `right`, in columns. A thin, medium or
/// thick space of TeX is one column; the entries TeX drops in script styles are marked 2.
pub fn spacing(left: Class, right: Class, style: Style) -> usize {
    use Class::*;
    const fn idx(c: Class) -> usize {
        match c {
            Ord => 0,
            Op => 1,
            Bin => 2,
            Rel => 3,
            Open => 4,
            Close => 5,
            Punct => 6,
            Inner => 7,
        }
    }
    // TeX's table (The TeXbook, ch. 18): rows are the left atom, columns the right one.
    const TABLE: [[u8; 8]; 8] = [
        [0, 1, 2, 2, 0, 0, 0, 2], // Ord
        [1, 1, 0, 2, 0, 0, 0, 2], // Op
        [2, 2, 0, 0, 2, 0, 0, 2], // Bin
        [2, 2, 0, 0, 2, 0, 0, 2], // Rel
        [0, 0, 0, 0, 0, 0, 0, 0], // Open
        [0, 1, 2, 2, 0, 0, 0, 2], // Close
        [2, 2, 0, 2, 2, 2, 2, 2], // Punct
        [2, 1, 2, 2, 2, 0, 2, 2], // Inner
    ];
    match TABLE[idx(left)][idx(right)] {
        1 => 1,
        2 if !style.is_script() => 1,
        _ => 0,
    }
}

/// The classes of a list's atoms after TeX's rules for binary operators: a `Bin` at the
/// start, after an operator, relation, opening or punctuation, or before a relation,
/// closing or punctuation, or at the end, is an ordinary symbol (a sign, as in `-x`).
pub fn effective_classes(list: &[Node], before: Option<Class>) -> Vec<Option<(Class, Class)>> {
    use Class::*;
    let mut classes: Vec<Option<(Class, Class)>> = list
        .iter()
        .map(|n| (!matches!(n, Node::Space(_))).then(|| n.classes()))
        .collect();
    let mut prev: Option<usize> = None;
    for i in 0..classes.len() {
        let Some((l, r)) = classes[i] else { continue };
        let prev_right = prev.and_then(|p| classes[p]).map(|c| c.1).or(before);
        let mut cur = (l, r);
        if l == Bin && matches!(prev_right, None | Some(Bin | Op | Rel | Open | Punct)) {
            cur = (Ord, if r == Bin { Ord } else { r });
        }
        if matches!(cur.0, Rel | Close | Punct)
            && let Some(p) = prev
            && let Some((pl, Bin)) = classes[p]
        {
            classes[p] = Some((if pl == Bin { Ord } else { pl }, Ord));
        }
        classes[i] = Some(cur);
        prev = Some(i);
    }
    if let Some(p) = prev
        && let Some((pl, Bin)) = classes[p]
    {
        classes[p] = Some((if pl == Bin { Ord } else { pl }, Ord));
    }
    classes
}
