//! Presentation MathML: one `<math>` element.

use crate::ast::{Class, Env, FracKind, Limits, Matrix, Node, OpKind, Scripts, Style};

/// The formula as a `<math>` element; `display` adds `display="block"`.
pub fn render(list: &[Node], display: bool) -> String {
    let mut out = String::with_capacity(64 + 48 * list.len());
    out.push_str(r#"<math xmlns="http://www.w3.org/1998/Math/MathML""#);
    if display {
        out.push_str(r#" display="block""#);
    }
    out.push('>');
    write_row(&mut out, list);
    out.push_str("</math>");
    out
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        escape_char(out, c);
    }
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        c => out.push(c),
    }
}

fn token(out: &mut String, tag: &str, attrs: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(attrs);
    out.push('>');
    escape(out, text);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn token_char(out: &mut String, tag: &str, attrs: &str, c: char) {
    token(out, tag, attrs, c.encode_utf8(&mut [0; 4]));
}

/// A list as one element: itself when it has one item, else an `<mrow>`.
fn write_row(out: &mut String, list: &[Node]) {
    if let [single] = list
        && !matches!(single, Node::Func { .. })
    {
        write_node(out, single);
        return;
    }
    out.push_str("<mrow>");
    for (i, node) in list.iter().enumerate() {
        write_node(out, node);
        let is_function = match node {
            Node::Func { .. } => true,
            Node::Scripts(s) => matches!(s.base, Node::Func { .. }),
            _ => false,
        };
        // U+2061 FUNCTION APPLICATION between a function name and its argument.
        if is_function && list.get(i + 1).is_some_and(|n| n.classes().0 != Class::Rel) {
            out.push_str("<mo>\u{2061}</mo>");
        }
    }
    out.push_str("</mrow>");
}

fn style_attrs(style: Style) -> &'static str {
    match style {
        Style::Display => r#" displaystyle="true" scriptlevel="0""#,
        Style::Text => r#" displaystyle="false" scriptlevel="0""#,
        Style::Script => r#" displaystyle="false" scriptlevel="1""#,
        Style::ScriptScript => r#" displaystyle="false" scriptlevel="2""#,
    }
}

fn write_node(out: &mut String, node: &Node) {
    match node {
        Node::Sym { ch, class, upright } => write_sym(out, *ch, *class, *upright),
        Node::Number(s) => token(out, "mn", "", s),
        Node::Text(s) => {
            // Token elements trim their edges: keep edge spaces as no-break spaces.
            let trimmed = s.trim_matches(' ');
            let lead = s.len() - s.trim_start_matches(' ').len();
            let trail = if trimmed.is_empty() {
                0
            } else {
                s.len() - s.trim_end_matches(' ').len()
            };
            let mut t = String::with_capacity(s.len() + 4);
            t.extend(std::iter::repeat_n('\u{a0}', lead));
            t.push_str(trimmed);
            t.extend(std::iter::repeat_n('\u{a0}', trail));
            token(out, "mtext", "", &t);
        }
        Node::Func { name, .. } => token(out, "mi", "", &name.replace(' ', "\u{a0}")),
        Node::BigOp { op, limits } => {
            let attrs = match limits {
                Limits::Never => r#" movablelimits="false""#,
                _ => "",
            };
            token_char(out, "mo", attrs, op.glyph)
        }
        Node::Group(list) => write_row(out, list),
        Node::Style(s, list) => {
            out.push_str("<mstyle");
            out.push_str(style_attrs(*s));
            out.push('>');
            write_row(out, list);
            out.push_str("</mstyle>");
        }
        Node::Space(s) => {
            out.push_str(r#"<mspace width=""#);
            out.push_str(s.em());
            out.push_str(r#""/>"#);
        }
        Node::Scripts(s) => write_scripts(out, s),
        Node::Frac(f) => {
            if let Some(style) = f.style {
                out.push_str("<mstyle");
                out.push_str(style_attrs(style));
                out.push('>');
            }
            match f.kind {
                FracKind::Frac => out.push_str("<mfrac>"),
                FracKind::Binom => out.push_str(r#"<mrow><mo>(</mo><mfrac linethickness="0">"#),
            }
            write_row(out, &f.num);
            write_row(out, &f.den);
            match f.kind {
                FracKind::Frac => out.push_str("</mfrac>"),
                FracKind::Binom => out.push_str("</mfrac><mo>)</mo></mrow>"),
            }
            if f.style.is_some() {
                out.push_str("</mstyle>");
            }
        }
        Node::Sqrt { index: None, body } => {
            out.push_str("<msqrt>");
            write_row(out, body);
            out.push_str("</msqrt>");
        }
        Node::Sqrt {
            index: Some(index),
            body,
        } => {
            out.push_str("<mroot>");
            write_row(out, body);
            write_row(out, index);
            out.push_str("</mroot>");
        }
        Node::Accent { accent, body } => {
            let (tag, attr) = if accent.is_under() {
                ("munder", r#" accentunder="true""#)
            } else {
                ("mover", r#" accent="true""#)
            };
            out.push('<');
            out.push_str(tag);
            out.push_str(attr);
            out.push('>');
            write_row(out, body);
            let mo_attrs = if accent.stretches() {
                r#" stretchy="true""#
            } else {
                r#" stretchy="false""#
            };
            token_char(out, "mo", mo_attrs, accent.mathml_glyph());
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        Node::Delimited(d) => {
            out.push_str("<mrow>");
            if let Some(l) = d.left {
                token_char(out, "mo", r#" fence="true" form="prefix""#, l);
            }
            for (i, part) in d.parts.iter().enumerate() {
                if i > 0
                    && let Some(m) = d.middles.get(i - 1).copied().flatten()
                {
                    token_char(out, "mo", r#" fence="true" form="infix""#, m);
                }
                write_row(out, part);
            }
            if let Some(r) = d.right {
                token_char(out, "mo", r#" fence="true" form="postfix""#, r);
            }
            out.push_str("</mrow>");
        }
        Node::BigDelim { delim, rows, .. } => {
            let size = match rows {
                0 | 1 => "1.2em",
                2 | 3 => "2.4em",
                _ => "3em",
            };
            if let Some(d) = delim {
                let attrs = format!(r#" minsize="{size}" maxsize="{size}""#);
                token_char(out, "mo", &attrs, *d);
            }
        }
        Node::Matrix(m) => write_matrix(out, m),
    }
}

fn write_sym(out: &mut String, ch: char, class: Class, upright: bool) {
    match class {
        Class::Ord if ch.is_numeric() => token_char(out, "mn", "", ch),
        Class::Ord if matches!(ch, '|' | '‖' | '/' | '\\' | '.' | '′') => {
            token_char(out, "mo", r#" stretchy="false""#, ch)
        }
        Class::Ord if upright && ch.is_alphabetic() => {
            token_char(out, "mi", r#" mathvariant="normal""#, ch)
        }
        Class::Ord => token_char(out, "mi", "", ch),
        // Plain brackets keep their size, as in TeX; only \left ... \right grows.
        Class::Open | Class::Close => token_char(out, "mo", r#" stretchy="false""#, ch),
        _ => token_char(out, "mo", "", ch),
    }
}

fn write_scripts(out: &mut String, s: &Scripts) {
    // Limits go under and over in display style: MathML's `movablelimits` turns them into
    // scripts in inline style by itself. Integrals keep their scripts beside, as in TeX.
    let under_over = match &s.base {
        Node::BigOp { op, limits } => match limits {
            Limits::Always => true,
            Limits::Never => false,
            Limits::Auto => op.kind == OpKind::Plain,
        },
        Node::Func { limits, .. } => *limits != Limits::Never,
        _ => false,
    } && s.primes == 0;
    let tag = match (s.sub.is_some(), s.sup.is_some() || s.primes > 0) {
        (true, true) if under_over => "munderover",
        (true, true) => "msubsup",
        (true, false) if under_over => "munder",
        (true, false) => "msub",
        (false, _) if under_over => "mover",
        (false, _) => "msup",
    };
    out.push('<');
    out.push_str(tag);
    out.push('>');
    match &s.base {
        Node::Func { name, limits } if under_over => {
            let attrs = if *limits == Limits::Always {
                r#" movablelimits="false""#
            } else {
                r#" movablelimits="true""#
            };
            token(out, "mo", attrs, &name.replace(' ', "\u{a0}"));
        }
        base => write_node(out, base),
    }
    if let Some(sub) = &s.sub {
        write_row(out, sub);
    }
    if s.sup.is_some() || s.primes > 0 {
        let primes = usize::from(s.primes);
        let grouped = primes > 0 && s.sup.is_some() || primes > 1;
        if grouped {
            out.push_str("<mrow>");
        }
        for _ in 0..primes {
            out.push_str("<mo>′</mo>");
        }
        if let Some(sup) = &s.sup {
            write_row(out, sup);
        }
        if grouped {
            out.push_str("</mrow>");
        }
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn write_matrix(out: &mut String, m: &Matrix) {
    let (l, r) = m.env.delims();
    let columns = m.rows.iter().map(Vec::len).max().unwrap_or(0);
    let table_attrs = match m.env {
        Env::Cases => r#" columnalign="left left""#.to_owned(),
        Env::Aligned => {
            let align: Vec<&str> = (0..columns)
                .map(|j| if j % 2 == 0 { "right" } else { "left" })
                .collect();
            let spacing: Vec<&str> = (1..columns)
                .map(|j| if j % 2 == 1 { "0em" } else { "2em" })
                .collect();
            format!(
                r#" columnalign="{}" columnspacing="{}" displaystyle="true""#,
                align.join(" "),
                spacing.join(" ")
            )
        }
        Env::Gathered => r#" displaystyle="true""#.to_owned(),
        _ => String::new(),
    };
    out.push_str("<mrow>");
    if let Some(l) = l {
        token_char(out, "mo", r#" fence="true" form="prefix""#, l);
    }
    out.push_str("<mtable");
    out.push_str(&table_attrs);
    out.push('>');
    for row in &m.rows {
        out.push_str("<mtr>");
        for cell in row {
            out.push_str("<mtd>");
            write_row(out, cell);
            out.push_str("</mtd>");
        }
        out.push_str("</mtr>");
    }
    out.push_str("</mtable>");
    if let Some(r) = r {
        token_char(out, "mo", r#" fence="true" form="postfix""#, r);
    }
    out.push_str("</mrow>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn ml(src: &str) -> String {
        render(&parse(src).unwrap(), false)
    }

    #[test]
    fn tokens_and_structures() {
        assert_eq!(
            ml("x+1"),
            r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow></math>"#
        );
        assert!(ml(r"\frac{a}{b}").contains("<mfrac><mi>a</mi><mi>b</mi></mfrac>"));
        assert!(ml("a<b").contains("<mo>&lt;</mo>"));
        assert!(ml(r"\sin x").contains("<mi>sin</mi><mo>\u{2061}</mo><mi>x</mi>"));
    }
}
