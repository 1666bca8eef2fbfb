//! The one-line Unicode form: `(a+b)/(c−d)`, `√(x²+1)`, `xᵢ²`, `e^(iπ)`.
//!
//! The outermost list keeps TeX's spacing (`a = b + c`); everything nested (fraction
//! parts, radicands, scripts) is compact, as in script style, so that grouping reads at
//! a glance.

use crate::ast::{Class, Env, Frac, FracKind, Matrix, Node, Style};
use crate::spacing::{effective_classes, spacing};

/// The formula on one line.
pub fn render(list: &[Node]) -> String {
    let mut out = String::with_capacity(32);
    write_list(&mut out, list, false);
    out
}

fn write_list(out: &mut String, list: &[Node], compact: bool) {
    write_list_after(out, list, compact, None);
}

/// `before` is the class of an invisible atom assumed in front (aligned's `&=`).
fn write_list_after(out: &mut String, list: &[Node], compact: bool, before: Option<Class>) {
    let style = if compact { Style::Script } else { Style::Text };
    let classes = effective_classes(list, before);
    let mut last_right: Option<Class> = before;
    let mut explicit: isize = 0;
    for (i, node) in list.iter().enumerate() {
        let Some((l, r)) = classes[i] else {
            if let Node::Space(s) = node {
                explicit += s.columns();
            }
            continue;
        };
        // A fraction next to a factor is bracketed, so `2\frac12` is not read as 21/2;
        // it is then spaced like the brackets it now is.
        let next_left = classes[i + 1..].iter().flatten().next().map(|c| c.0);
        let bracket = matches!(node, Node::Frac(f) if f.kind == FracKind::Frac)
            && (matches!(
                last_right,
                Some(Class::Ord | Class::Inner | Class::Close | Class::Op)
            ) || matches!(
                next_left,
                Some(Class::Ord | Class::Inner | Class::Open | Class::Op)
            ));
        let (l, r) = if bracket {
            (Class::Open, Class::Close)
        } else {
            (l, r)
        };
        let auto = last_right.map_or(0, |lr| spacing(lr, l, style)) as isize;
        push_spaces(out, (auto + explicit).max(0) as usize);
        explicit = 0;
        if bracket {
            out.push('(');
            write_node(out, node, compact);
            out.push(')');
        } else {
            write_node(out, node, compact);
        }
        last_right = Some(r);
    }
    push_spaces(out, explicit.max(0) as usize);
}

fn push_spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_node(out: &mut String, node: &Node, compact: bool) {
    match node {
        Node::Sym { ch, .. } => out.push(*ch),
        Node::Number(s) | Node::Text(s) => out.push_str(s),
        Node::Func { name, .. } => out.push_str(name),
        Node::BigOp { op, .. } => out.push(op.glyph),
        Node::Group(list) | Node::Style(_, list) => write_list(out, list, compact),
        Node::Space(s) => push_spaces(out, s.columns().max(0) as usize),
        Node::Scripts(s) => {
            let wrap = needs_brackets_as_base(&s.base);
            if wrap {
                out.push('(');
            }
            write_node(out, &s.base, true);
            if wrap {
                out.push(')');
            }
            match s.primes {
                0 => {}
                1 => out.push('′'),
                2 => out.push('″'),
                3 => out.push('‴'),
                n => out.push_str(&"′".repeat(usize::from(n))),
            }
            if let Some(sub) = &s.sub {
                write_script(out, sub, '_', subscript);
            }
            if let Some(sup) = &s.sup {
                write_script(out, sup, '^', superscript);
            }
        }
        Node::Frac(f) => write_frac(out, f),
        Node::Sqrt { index, body } => {
            match index.as_deref() {
                None => out.push('√'),
                Some(i) => {
                    let idx = render_compact(i);
                    match idx.as_str() {
                        "" => out.push('√'),
                        "3" => out.push('∛'),
                        "4" => out.push('∜'),
                        _ => match map_all(&idx, superscript) {
                            Some(s) => {
                                out.push_str(&s);
                                out.push('√');
                            }
                            None => {
                                out.push_str("root(");
                                out.push_str(&idx);
                                out.push_str(", ");
                                write_list(out, body, true);
                                out.push(')');
                                return;
                            }
                        },
                    }
                }
            }
            write_part(out, body);
        }
        Node::Accent { accent, body } => {
            let inner = render_compact(body);
            let mark = accent.combining();
            let mut chars = inner.chars();
            match (chars.next(), chars.next(), mark) {
                (Some(c), None, Some(m)) => {
                    out.push(c);
                    out.push(m);
                }
                // Bars run along the whole base: mark every character.
                (Some(_), Some(_), Some(m)) if accent.stretches() && !accent_arrow(*accent) => {
                    for c in inner.chars() {
                        out.push(c);
                        if c != ' ' {
                            out.push(m);
                        }
                    }
                }
                _ => {
                    out.push_str(accent.name());
                    out.push('(');
                    out.push_str(&inner);
                    out.push(')');
                }
            }
        }
        Node::Delimited(d) => {
            out.extend(d.left);
            for (i, part) in d.parts.iter().enumerate() {
                if i > 0 {
                    out.extend(d.middles.get(i - 1).copied().flatten());
                }
                write_list(out, part, compact);
            }
            out.extend(d.right);
        }
        Node::BigDelim { delim, .. } => out.extend(*delim),
        Node::Matrix(m) => write_matrix(out, m, compact),
    }
}

fn accent_arrow(a: crate::ast::Accent) -> bool {
    use crate::ast::Accent;
    matches!(
        a,
        Accent::Vec | Accent::OverRightArrow | Accent::OverLeftArrow
    )
}

fn render_compact(list: &[Node]) -> String {
    let mut s = String::new();
    write_list(&mut s, list, true);
    s
}

/// Unicode script characters when every character has one, else `^(...)`.
fn write_script(out: &mut String, list: &[Node], mark: char, map: fn(char) -> Option<char>) {
    let s = render_compact(list);
    match map_all(&s, map) {
        Some(mapped) if !mapped.is_empty() => out.push_str(&mapped),
        _ => {
            out.push(mark);
            out.push('(');
            out.push_str(&s);
            out.push(')');
        }
    }
}

fn map_all(s: &str, map: fn(char) -> Option<char>) -> Option<String> {
    s.chars().map(map).collect()
}

fn write_frac(out: &mut String, f: &Frac) {
    match f.kind {
        FracKind::Frac => {
            write_part(out, &f.num);
            out.push('/');
            write_part(out, &f.den);
        }
        FracKind::Binom => {
            out.push_str("binom(");
            write_list(out, &f.num, true);
            out.push_str(", ");
            write_list(out, &f.den, true);
            out.push(')');
        }
    }
}

/// A fraction part or radicand: bracketed unless it is a single atom.
fn write_part(out: &mut String, list: &[Node]) {
    let simple = {
        let mut atoms = list.iter().filter(|n| !matches!(n, Node::Space(_)));
        match (atoms.next(), atoms.next()) {
            (Some(n), None) => is_simple_node(n),
            _ => false,
        }
    };
    if simple {
        write_list(out, list, true);
    } else {
        out.push('(');
        write_list(out, list, true);
        out.push(')');
    }
}

/// A script base that would not read as one unit: `{x+1}^2` is `(x+1)²`. A lone
/// symbol never does, so `(x+1)^2`, whose base is the `)`, stays as written.
fn needs_brackets_as_base(n: &Node) -> bool {
    match n {
        Node::Sym { .. }
        | Node::Number(_)
        | Node::Func { .. }
        | Node::BigOp { .. }
        | Node::BigDelim { .. } => false,
        n => !is_simple_node(n),
    }
}

/// An atom that needs no brackets around it as a fraction part or a script base.
fn is_simple_node(n: &Node) -> bool {
    match n {
        Node::Sym { class, .. } => *class == Class::Ord,
        Node::Number(_) => true,
        Node::Text(t) => !t.contains(' '),
        Node::Scripts(s) => is_simple_node(&s.base),
        Node::Sqrt { .. } | Node::Accent { .. } | Node::Delimited(_) => true,
        Node::Group(list) => {
            let mut atoms = list.iter().filter(|n| !matches!(n, Node::Space(_)));
            match (atoms.next(), atoms.next()) {
                (Some(n), None) => is_simple_node(n),
                _ => false,
            }
        }
        Node::Matrix(m) => m.env.delims().0.is_some(),
        _ => false,
    }
}

/// Rows separated by `; `, cells by `, ` (aligned's cells are halves of one line).
fn write_matrix(out: &mut String, m: &Matrix, compact: bool) {
    let (l, r) = m.env.delims();
    out.extend(l);
    for (i, row) in m.rows.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        for (j, cell) in row.iter().enumerate() {
            if j > 0 && m.env != Env::Aligned {
                out.push_str(", ");
            }
            // Spaced as after `{}`, the way the 2-D form does.
            let before = (m.env == Env::Aligned && j % 2 == 1).then_some(Class::Ord);
            write_list_after(out, cell, compact, before);
        }
    }
    out.extend(r);
}

pub fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '+' => '⁺',
        '−' => '⁻',
        '=' => '⁼',
        '(' => '⁽',
        ')' => '⁾',
        'a' => 'ᵃ',
        'b' => 'ᵇ',
        'c' => 'ᶜ',
        'd' => 'ᵈ',
        'e' => 'ᵉ',
        'f' => 'ᶠ',
        'g' => 'ᵍ',
        'h' => 'ʰ',
        'i' => 'ⁱ',
        'j' => 'ʲ',
        'k' => 'ᵏ',
        'l' => 'ˡ',
        'm' => 'ᵐ',
        'n' => 'ⁿ',
        'o' => 'ᵒ',
        'p' => 'ᵖ',
        'r' => 'ʳ',
        's' => 'ˢ',
        't' => 'ᵗ',
        'u' => 'ᵘ',
        'v' => 'ᵛ',
        'w' => 'ʷ',
        'x' => 'ˣ',
        'y' => 'ʸ',
        'z' => 'ᶻ',
        'A' => 'ᴬ',
        'B' => 'ᴮ',
        'D' => 'ᴰ',
        'E' => 'ᴱ',
        'G' => 'ᴳ',
        'H' => 'ᴴ',
        'I' => 'ᴵ',
        'J' => 'ᴶ',
        'K' => 'ᴷ',
        'L' => 'ᴸ',
        'M' => 'ᴹ',
        'N' => 'ᴺ',
        'O' => 'ᴼ',
        'P' => 'ᴾ',
        'R' => 'ᴿ',
        'T' => 'ᵀ',
        'U' => 'ᵁ',
        'V' => 'ⱽ',
        'W' => 'ᵂ',
        'α' => 'ᵅ',
        'β' => 'ᵝ',
        'γ' => 'ᵞ',
        'δ' => 'ᵟ',
        'ε' => 'ᵋ',
        'θ' => 'ᶿ',
        'ι' => 'ᶥ',
        'φ' | 'ϕ' => 'ᵠ',
        'χ' => 'ᵡ',
        _ => return None,
    })
}

pub fn subscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '₀',
        '1' => '₁',
        '2' => '₂',
        '3' => '₃',
        '4' => '₄',
        '5' => '₅',
        '6' => '₆',
        '7' => '₇',
        '8' => '₈',
        '9' => '₉',
        '+' => '₊',
        '−' => '₋',
        '=' => '₌',
        '(' => '₍',
        ')' => '₎',
        'a' => 'ₐ',
        'e' => 'ₑ',
        'h' => 'ₕ',
        'i' => 'ᵢ',
        'j' => 'ⱼ',
        'k' => 'ₖ',
        'l' => 'ₗ',
        'm' => 'ₘ',
        'n' => 'ₙ',
        'o' => 'ₒ',
        'p' => 'ₚ',
        'r' => 'ᵣ',
        's' => 'ₛ',
        't' => 'ₜ',
        'u' => 'ᵤ',
        'v' => 'ᵥ',
        'x' => 'ₓ',
        'β' => 'ᵦ',
        'γ' => 'ᵧ',
        'ρ' => 'ᵨ',
        'φ' | 'ϕ' => 'ᵩ',
        'χ' => 'ᵪ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn one(src: &str) -> String {
        render(&parse(src).unwrap())
    }

    #[test]
    fn scripts_use_unicode_when_they_can() {
        assert_eq!(one("x^2 + y_i"), "x² + yᵢ");
        assert_eq!(one(r"e^{i\pi}"), "e^(iπ)");
        assert_eq!(one("a_{n+1}"), "aₙ₊₁");
        assert_eq!(one("x_{ij}^{2}"), "xᵢⱼ²");
    }

    #[test]
    fn fractions_and_roots_bracket_compound_parts() {
        assert_eq!(one(r"\frac{a+b}{c-d}"), "(a+b)/(c−d)");
        assert_eq!(one(r"\sqrt{x^2+1}"), "√(x²+1)");
        assert_eq!(one(r"\frac{1}{2}"), "1/2");
        assert_eq!(one(r"2\frac{1}{2}"), "2(1/2)");
        assert_eq!(one(r"\sqrt[3]{x}"), "∛x");
        assert_eq!(one(r"\sqrt[n]{x}"), "ⁿ√x");
    }
}
