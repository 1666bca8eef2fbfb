//! LaTeX math → [`Node`] tree, by recursive descent over the tokens. Every token ends up in
//! the tree or in an error: nothing is dropped silently.

use crate::MAX_DEPTH;
use crate::ast::{
    Class, Delim, Delimited, Env, Frac, FracKind, Limits, Matrix, Node, Scripts, Space, Style,
};
use crate::error::{ErrorKind, RenderError, suggest};
use crate::fonts::{self, Font};
use crate::lexer::{Tok, Token, tokenize};
use crate::symbols;
use std::ops::Range;

/// Parse a whole formula.
pub fn parse(src: &str) -> Result<Vec<Node>, RenderError> {
    let mut p = Parser {
        src,
        toks: tokenize(src),
        pos: 0,
        depth: 0,
        font: Font::Normal,
    };
    if p.toks.iter().all(|t| t.tok == Tok::Space) {
        return Err(p.error(ErrorKind::Empty, "nothing to render", 0..src.len()));
    }
    let (list, _) = p.parse_list(Stop::Eof, 0..0)?;
    Ok(list)
}

/// What ends the list being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    Eof,
    /// `}` of a group or argument.
    Brace,
    /// `]` of `\sqrt[...]`.
    Bracket,
    /// `\right` or `\middle`.
    Right,
    /// `&`, `\\` or `\end` of a matrix cell.
    Cell,
}

/// Which token ended a list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ended {
    Eof,
    Brace,
    Bracket,
    Right,
    Middle,
    Amp,
    Row,
    End,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    font: Font,
}

impl<'a> Parser<'a> {
    fn error(&self, kind: ErrorKind, msg: impl Into<String>, span: Range<usize>) -> RenderError {
        RenderError::new(kind, msg, self.src, span)
    }

    fn end_span(&self) -> Range<usize> {
        self.src.len()..self.src.len()
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|t| t.tok == Tok::Space) {
            self.pos += 1;
        }
    }

    /// The next token that is not a space.
    fn peek_nonspace(&mut self) -> Option<Token<'a>> {
        self.skip_spaces();
        self.peek()
    }

    fn enter(&mut self, span: Range<usize>) -> Result<(), RenderError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                ErrorKind::TooDeep,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn parse_list(
        &mut self,
        stop: Stop,
        open: Range<usize>,
    ) -> Result<(Vec<Node>, Ended), RenderError> {
        self.enter(open.clone())?;
        let r = self.parse_list_inner(stop, open);
        self.leave();
        r
    }

    fn parse_list_inner(
        &mut self,
        stop: Stop,
        open: Range<usize>,
    ) -> Result<(Vec<Node>, Ended), RenderError> {
        let mut list = Vec::new();
        loop {
            let Some(t) = self.peek_nonspace() else {
                return match stop {
                    Stop::Eof => Ok((list, Ended::Eof)),
                    Stop::Brace => Err(self.error(
                        ErrorKind::UnbalancedBrace,
                        "this `{` is never closed: add a `}`",
                        open,
                    )),
                    Stop::Bracket => Err(self.error(
                        ErrorKind::UnbalancedBrace,
                        "the optional argument `[` of \\sqrt is never closed: add a `]`",
                        open,
                    )),
                    Stop::Right => Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\left without a matching \\right",
                        open,
                    )),
                    Stop::Cell => Err(self.error(
                        ErrorKind::UnbalancedEnvironment,
                        "this environment is never closed by its \\end",
                        open,
                    )),
                };
            };
            match t.tok {
                Tok::Close => {
                    if stop == Stop::Brace {
                        self.pos += 1;
                        return Ok((list, Ended::Brace));
                    }
                    let msg = match stop {
                        Stop::Right => "`}` closes a group while a \\left is still open",
                        Stop::Cell => "`}` closes a group that was not opened in this cell",
                        Stop::Bracket => "`}` inside the `[...]` of \\sqrt before its `]`",
                        _ => "`}` without a matching `{`",
                    };
                    return Err(self.error(ErrorKind::UnbalancedBrace, msg, t.span()));
                }
                Tok::Char(']') if stop == Stop::Bracket => {
                    self.pos += 1;
                    return Ok((list, Ended::Bracket));
                }
                Tok::Amp => {
                    if stop == Stop::Cell {
                        self.pos += 1;
                        return Ok((list, Ended::Amp));
                    }
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "`&` separates cells and is only allowed directly inside a matrix, \
                         cases or aligned environment",
                        t.span(),
                    ));
                }
                Tok::Cmd("\\") => {
                    if stop == Stop::Cell {
                        self.pos += 1;
                        return Ok((list, Ended::Row));
                    }
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "`\\\\` breaks rows and is only allowed directly inside an \
                         environment (use aligned or gathered for several lines)",
                        t.span(),
                    ));
                }
                Tok::Cmd("right") => {
                    if stop == Stop::Right {
                        return Ok((list, Ended::Right));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\right without a matching \\left",
                        t.span(),
                    ));
                }
                Tok::Cmd("middle") => {
                    if stop == Stop::Right {
                        return Ok((list, Ended::Middle));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedDelimiter,
                        "\\middle outside \\left ... \\right",
                        t.span(),
                    ));
                }
                Tok::Cmd("end") => {
                    if stop == Stop::Cell {
                        return Ok((list, Ended::End));
                    }
                    return Err(self.error(
                        ErrorKind::UnbalancedEnvironment,
                        "\\end without a matching \\begin",
                        t.span(),
                    ));
                }
                Tok::Cmd(
                    name @ ("displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle"),
                ) => {
                    self.pos += 1;
                    let style = match name {
                        "displaystyle" => Style::Display,
                        "textstyle" => Style::Text,
                        "scriptstyle" => Style::Script,
                        _ => Style::ScriptScript,
                    };
                    let (rest, ended) = self.parse_list(stop, open.clone())?;
                    list.push(Node::Style(style, rest));
                    return Ok((list, ended));
                }
                _ => {
                    let node = self.parse_scripted()?;
                    list.push(node);
                }
            }
        }
    }

    /// An atom with any `^`, `_`, `'`, `\limits` after it.
    fn parse_scripted(&mut self) -> Result<Node, RenderError> {
        let t = self.peek().expect("caller peeked");
        let mut base = match t.tok {
            // A script with nothing before it has an empty base, as in TeX.
            Tok::Sup | Tok::Sub | Tok::Prime => Node::Group(Vec::new()),
            _ => self.parse_atom(false)?,
        };
        let mut sub: Option<Vec<Node>> = None;
        let mut sup: Option<Vec<Node>> = None;
        let mut primes: u8 = 0;
        while let Some(t) = self.peek_nonspace() {
            match t.tok {
                Tok::Sup => {
                    if sup.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "double superscript: group it, as in x^{ab}",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    sup = Some(self.parse_arg("^")?);
                }
                Tok::Sub => {
                    if sub.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "double subscript: group it, as in x_{ab}",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    sub = Some(self.parse_arg("_")?);
                }
                Tok::Prime => {
                    if sup.is_some() {
                        return Err(self.error(
                            ErrorKind::DoubleScript,
                            "a prime after a superscript: write the prime first, as in f'^2",
                            t.span(),
                        ));
                    }
                    self.pos += 1;
                    primes = primes.checked_add(1).ok_or_else(|| {
                        self.error(ErrorKind::TooLarge, "more than 255 primes", t.span())
                    })?;
                }
                Tok::Cmd(c @ ("limits" | "nolimits")) => {
                    let limits = if c == "limits" {
                        Limits::Always
                    } else {
                        Limits::Never
                    };
                    match &mut base {
                        Node::BigOp { limits: l, .. } | Node::Func { limits: l, .. }
                            if sub.is_none() && sup.is_none() =>
                        {
                            *l = limits
                        }
                        _ => {
                            return Err(self.error(
                                ErrorKind::Unexpected,
                                format!("\\{c} must follow a big operator such as \\sum or \\int"),
                                t.span(),
                            ));
                        }
                    }
                    self.pos += 1;
                }
                _ => break,
            }
        }
        if sub.is_none() && sup.is_none() && primes == 0 {
            return Ok(base);
        }
        Ok(Node::Scripts(Box::new(Scripts {
            base,
            sub,
            sup,
            primes,
        })))
    }

    /// A mandatory argument: a `{group}` or a single token.
    fn parse_arg(&mut self, cmd: &str) -> Result<Vec<Node>, RenderError> {
        let missing = |p: &Self, span: Range<usize>| {
            let what = if cmd == "^" || cmd == "_" {
                format!("`{cmd}` needs a script after it")
            } else {
                format!("\\{cmd} is missing an argument")
            };
            p.error(ErrorKind::MissingArgument, what, span)
        };
        let Some(t) = self.peek_nonspace() else {
            return Err(missing(self, self.end_span()));
        };
        match t.tok {
            Tok::Open => {
                self.pos += 1;
                Ok(self.parse_list(Stop::Brace, t.span())?.0)
            }
            Tok::Close
            | Tok::Amp
            | Tok::Sup
            | Tok::Sub
            | Tok::Prime
            | Tok::Cmd("\\" | "right" | "middle" | "end" | "limits" | "nolimits") => {
                Err(missing(self, t.span()))
            }
            _ => {
                self.enter(t.span())?;
                let r = self.parse_atom(true);
                self.leave();
                Ok(vec![r?])
            }
        }
    }

    /// One atom. `single` takes one digit only, as TeX does for `\frac12`.
    fn parse_atom(&mut self, single: bool) -> Result<Node, RenderError> {
        let t = self.peek().expect("caller peeked");
        self.pos += 1;
        match t.tok {
            Tok::Char(c) => self.parse_char(c, t, single),
            Tok::Open => Ok(Node::Group(self.parse_list(Stop::Brace, t.span())?.0)),
            Tok::Tilde => Ok(Node::Space(Space::Normal)),
            Tok::LoneBackslash => Err(self.error(
                ErrorKind::Unexpected,
                "a backslash with no command name after it",
                t.span(),
            )),
            Tok::Cmd(name) => self.parse_command(name, t),
            // parse_list and parse_arg route these elsewhere; keep a clear error regardless.
            Tok::Close | Tok::Amp | Tok::Sup | Tok::Sub | Tok::Prime | Tok::Space => {
                Err(self.error(ErrorKind::Unexpected, "unexpected token", t.span()))
            }
        }
    }

    fn parse_char(&mut self, c: char, t: Token<'a>, single: bool) -> Result<Node, RenderError> {
        match c {
            '$' => Err(self.error(
                ErrorKind::Unexpected,
                "`$` switches math mode in a document: give the formula without $ ... $",
                t.span(),
            )),
            '#' => Err(self.error(
                ErrorKind::Unexpected,
                "`#` (a macro parameter) has no meaning in a formula; write \\# for the sign",
                t.span(),
            )),
            '0'..='9' if !single && self.font == Font::Normal => {
                let start = t.start;
                let mut end = t.end;
                let bytes = self.src.as_bytes();
                // Digits, with at most one decimal point that has a digit after it.
                let mut seen_point = false;
                while let Some(n) = self.peek() {
                    match n.tok {
                        Tok::Char(d) if d.is_ascii_digit() && n.start == end => {}
                        Tok::Char('.')
                            if !seen_point
                                && n.start == end
                                && bytes.get(n.end).is_some_and(u8::is_ascii_digit) =>
                        {
                            seen_point = true;
                        }
                        _ => break,
                    }
                    end = n.end;
                    self.pos += 1;
                }
                Ok(Node::Number(self.src[start..end].to_owned()))
            }
            '0'..='9' if self.font == Font::Normal => Ok(Node::Number(c.to_string())),
            c => {
                let class = symbols::char_class(c);
                let ch = if class == Class::Ord {
                    fonts::map(self.font, c)
                } else {
                    symbols::math_char(c)
                };
                Ok(Node::Sym {
                    ch,
                    class,
                    upright: self.font.is_upright() && c.is_alphabetic(),
                })
            }
        }
    }

    fn parse_command(&mut self, name: &'a str, t: Token<'a>) -> Result<Node, RenderError> {
        let span = t.span();
        match name {
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" => {
                let num = self.parse_arg(name)?;
                let den = self.parse_arg(name)?;
                let style = match name {
                    "dfrac" | "cfrac" | "dbinom" => Some(Style::Display),
                    "tfrac" | "tbinom" => Some(Style::Text),
                    _ => None,
                };
                let kind = if name.ends_with("binom") {
                    FracKind::Binom
                } else {
                    FracKind::Frac
                };
                Ok(Node::Frac(Box::new(Frac {
                    num,
                    den,
                    kind,
                    style,
                })))
            }
            "sqrt" => {
                let index = match self.peek_nonspace() {
                    Some(o) if o.tok == Tok::Char('[') => {
                        self.pos += 1;
                        Some(self.parse_list(Stop::Bracket, o.span())?.0)
                    }
                    _ => None,
                };
                let body = self.parse_arg(name)?;
                Ok(Node::Sqrt { index, body })
            }
            "left" => self.parse_left_right(span),
            "right" => Err(self.error(
                ErrorKind::UnbalancedDelimiter,
                "\\right without a matching \\left",
                span,
            )),
            "middle" => Err(self.error(
                ErrorKind::UnbalancedDelimiter,
                "\\middle outside \\left ... \\right",
                span,
            )),
            "big" | "Big" | "bigg" | "Bigg" | "bigl" | "Bigl" | "biggl" | "Biggl" | "bigr"
            | "Bigr" | "biggr" | "Biggr" | "bigm" | "Bigm" | "biggm" | "Biggm" => {
                let delim = self.parse_delim(name, &span)?;
                let rows = match name.trim_end_matches(['l', 'r', 'm']) {
                    "big" => 1,
                    "Big" | "bigg" => 3,
                    _ => 5,
                };
                let class = match name.as_bytes().last() {
                    Some(b'l') => Class::Open,
                    Some(b'r') => Class::Close,
                    Some(b'm') => Class::Rel,
                    _ => Class::Ord,
                };
                Ok(Node::BigDelim { delim, rows, class })
            }
            "begin" => self.parse_environment(span),
            "end" => Err(self.error(
                ErrorKind::UnbalancedEnvironment,
                "\\end without a matching \\begin",
                span,
            )),
            "operatorname" => {
                let star = self
                    .peek()
                    .is_some_and(|n| n.tok == Tok::Char('*') && n.start == span.end);
                if star {
                    self.pos += 1;
                }
                let saved = std::mem::replace(&mut self.font, Font::Roman);
                let arg = self.parse_arg(name);
                self.font = saved;
                let mut text = String::new();
                if !flatten(&arg?, &mut text) || text.trim().is_empty() {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "\\operatorname takes a plain name such as {arg\\,max}",
                        span,
                    ));
                }
                Ok(Node::Func {
                    name: text,
                    limits: if star { Limits::Auto } else { Limits::Never },
                })
            }
            "," => Ok(Node::Space(Space::Thin)),
            ":" | ">" => Ok(Node::Space(Space::Medium)),
            ";" => Ok(Node::Space(Space::Thick)),
            "!" => Ok(Node::Space(Space::NegThin)),
            " " | "\t" | "\n" | "\r" => Ok(Node::Space(Space::Normal)),
            "quad" => Ok(Node::Space(Space::Quad)),
            "qquad" => Ok(Node::Space(Space::Qquad)),
            "limits" | "nolimits" => Err(self.error(
                ErrorKind::Unexpected,
                format!("\\{name} must follow a big operator such as \\sum or \\int"),
                span,
            )),
            "displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle" => Err(self.error(
                ErrorKind::Unexpected,
                format!("\\{name} cannot be an argument: put it inside the braces"),
                span,
            )),
            "not" => {
                let next = self.peek_nonspace();
                let node = match next.map(|n| n.tok) {
                    Some(Tok::Char(_) | Tok::Cmd(_)) => Some(self.parse_atom(true)?),
                    _ => None,
                };
                match node {
                    Some(Node::Sym { ch, .. }) if symbols::negated(ch).is_some() => Ok(Node::Sym {
                        ch: symbols::negated(ch).unwrap_or(ch),
                        class: Class::Rel,
                        upright: false,
                    }),
                    _ => Err(self.error(
                        ErrorKind::Unexpected,
                        "\\not must be followed by a relation it can negate, such as = or \\in",
                        span.start..next.map_or(span.end, |n| n.end),
                    )),
                }
            }
            "pmod" => {
                let arg = self.parse_arg(name)?;
                let mut list = vec![
                    Node::Space(Space::Quad),
                    Node::Sym {
                        ch: '(',
                        class: Class::Open,
                        upright: false,
                    },
                    Node::Func {
                        name: "mod".to_owned(),
                        limits: Limits::Never,
                    },
                ];
                list.push(Node::Group(arg));
                list.push(Node::Sym {
                    ch: ')',
                    class: Class::Close,
                    upright: false,
                });
                Ok(Node::Group(list))
            }
            _ => self.parse_named(name, span),
        }
    }

    /// Commands found through the tables: fonts, text, accents, symbols, functions, big
    /// operators; anything else is unknown.
    fn parse_named(&mut self, name: &'a str, span: Range<usize>) -> Result<Node, RenderError> {
        if let Some(font) = symbols::math_font(name) {
            let saved = std::mem::replace(&mut self.font, font);
            let arg = self.parse_arg(name);
            self.font = saved;
            return Ok(Node::Group(arg?));
        }
        if let Some(font) = symbols::text_font(name) {
            return self.parse_text(name, font, span);
        }
        if let Some(accent) = symbols::accent(name) {
            let body = self.parse_arg(name)?;
            return Ok(Node::Accent { accent, body });
        }
        if let Some((ch, class)) = symbols::symbol(name) {
            return Ok(Node::Sym {
                ch: if class == Class::Ord {
                    fonts::map(self.font, ch)
                } else {
                    ch
                },
                class,
                upright: false,
            });
        }
        if let Some((text, limits)) = symbols::function(name) {
            return Ok(Node::Func {
                name: text.to_owned(),
                limits: if limits { Limits::Auto } else { Limits::Never },
            });
        }
        if let Some(op) = symbols::big_op(name) {
            return Ok(Node::BigOp {
                op,
                limits: Limits::Auto,
            });
        }
        // Greek capitals that look like Latin ones have no command in TeX.
        if let Some(latin) = symbols::latin_lookalike(name) {
            return Err(self
                .error(
                    ErrorKind::UnknownCommand,
                    format!("unknown command \\{name}: TeX writes this capital as a Latin letter"),
                    span,
                )
                .with_suggestion(Some(latin.to_string())));
        }
        let suggestion = suggest(name, symbols::all_command_names()).map(|s| format!("\\{s}"));
        Err(self
            .error(
                ErrorKind::UnknownCommand,
                format!("unknown command \\{name}"),
                span,
            )
            .with_suggestion(suggestion))
    }

    /// `\text{...}`: characters as they are, runs of spaces as one space.
    fn parse_text(
        &mut self,
        name: &str,
        font: Font,
        span: Range<usize>,
    ) -> Result<Node, RenderError> {
        let Some(first) = self.peek_nonspace() else {
            return Err(self.error(
                ErrorKind::MissingArgument,
                format!("\\{name} is missing an argument"),
                self.end_span(),
            ));
        };
        let mut text = String::new();
        let push = |text: &mut String, c: char| text.push(fonts::map(font, c));
        match first.tok {
            Tok::Open => {}
            Tok::Char(c) => {
                self.pos += 1;
                push(&mut text, c);
                return Ok(Node::Text(text));
            }
            _ => {
                return Err(self.error(
                    ErrorKind::MissingArgument,
                    format!("\\{name} is missing an argument: give it as {{text}}"),
                    first.span(),
                ));
            }
        }
        self.pos += 1;
        let mut open_braces = vec![first.span()];
        loop {
            let Some(t) = self.peek() else {
                let open = open_braces.pop().unwrap_or(span);
                return Err(self.error(
                    ErrorKind::UnbalancedBrace,
                    "this `{` is never closed: add a `}`",
                    open,
                ));
            };
            self.pos += 1;
            match t.tok {
                Tok::Char('$') => {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        "math inside \\text ($...$) is not supported: close the text first",
                        t.span(),
                    ));
                }
                Tok::Char(c) => push(&mut text, c),
                Tok::Space | Tok::Tilde => text.push(' '),
                Tok::Prime => text.push('\''),
                Tok::Open => {
                    if open_braces.len() >= MAX_DEPTH {
                        return Err(self.error(
                            ErrorKind::TooDeep,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                            t.span(),
                        ));
                    }
                    open_braces.push(t.span());
                }
                Tok::Close => {
                    open_braces.pop();
                    if open_braces.is_empty() {
                        return Ok(Node::Text(text));
                    }
                }
                Tok::Cmd(c) => match c {
                    " " | "," | ":" | ";" | "\t" | "\n" | "\r" => text.push(' '),
                    "quad" => text.push_str("  "),
                    "qquad" => text.push_str("    "),
                    "{" | "}" | "%" | "$" | "&" | "#" | "_" => text.push_str(c),
                    "textbackslash" => text.push('\\'),
                    "ldots" | "dots" | "textellipsis" => text.push('…'),
                    _ => {
                        return Err(self.error(
                            ErrorKind::UnknownCommand,
                            format!("\\{c} is not supported inside \\{name}"),
                            t.span(),
                        ));
                    }
                },
                Tok::Sup | Tok::Sub | Tok::Amp | Tok::LoneBackslash => {
                    return Err(self.error(
                        ErrorKind::Unexpected,
                        format!(
                            "`{}` is not allowed in text; escape it with a backslash",
                            &self.src[t.span()]
                        ),
                        t.span(),
                    ));
                }
            }
        }
    }

    fn parse_delim(&mut self, cmd: &str, cmd_span: &Range<usize>) -> Result<Delim, RenderError> {
        let bad = |p: &Self, span: Range<usize>| {
            p.error(
                ErrorKind::BadDelimiter,
                format!(
                    "\\{cmd} must be followed by a delimiter such as ( ) [ ] \\{{ \\}} | \\| \\langle \\rangle or ."
                ),
                span,
            )
        };
        let Some(t) = self.peek_nonspace() else {
            return Err(bad(self, cmd_span.start..self.src.len()));
        };
        let d = match t.tok {
            Tok::Char(c) => symbols::delimiter_char(c),
            Tok::Cmd(name) => symbols::delimiter_command(name).map(Some),
            _ => None,
        };
        match d {
            Some(d) => {
                self.pos += 1;
                Ok(d)
            }
            None => Err(bad(self, t.span())),
        }
    }

    fn parse_left_right(&mut self, span: Range<usize>) -> Result<Node, RenderError> {
        let left = self.parse_delim("left", &span)?;
        let open = span.start..self.toks[self.pos - 1].end;
        let mut parts = Vec::new();
        let mut middles = Vec::new();
        loop {
            let (part, ended) = self.parse_list(Stop::Right, open.clone())?;
            parts.push(part);
            let t = self.peek().expect("the list stopped at a token");
            self.pos += 1;
            let d = self.parse_delim(
                if ended == Ended::Middle {
                    "middle"
                } else {
                    "right"
                },
                &t.span(),
            )?;
            if ended == Ended::Middle {
                middles.push(d);
            } else {
                return Ok(Node::Delimited(Box::new(Delimited {
                    left,
                    right: d,
                    parts,
                    middles,
                })));
            }
        }
    }

    /// `{name}` after `\begin` or `\end`, as written.
    fn parse_env_name(
        &mut self,
        cmd: &str,
        cmd_span: &Range<usize>,
    ) -> Result<(String, Range<usize>), RenderError> {
        let missing = |p: &Self, span: Range<usize>| {
            p.error(
                ErrorKind::MissingArgument,
                format!("\\{cmd} needs an environment name in braces, as in \\{cmd}{{pmatrix}}"),
                span,
            )
        };
        match self.peek_nonspace() {
            Some(t) if t.tok == Tok::Open => self.pos += 1,
            Some(t) => return Err(missing(self, t.span())),
            None => return Err(missing(self, cmd_span.start..self.src.len())),
        }
        let start = self.peek().map_or(self.src.len(), |t| t.start);
        let mut name = String::new();
        loop {
            match self.peek() {
                Some(t) if t.tok == Tok::Close => {
                    self.pos += 1;
                    return Ok((name, start..t.start));
                }
                Some(Token {
                    tok: Tok::Char(c), ..
                }) if c.is_ascii_alphabetic() || c == '*' => {
                    name.push(c);
                    self.pos += 1;
                }
                Some(t) => return Err(missing(self, t.span())),
                None => return Err(missing(self, cmd_span.start..self.src.len())),
            }
        }
    }

    fn parse_environment(&mut self, span: Range<usize>) -> Result<Node, RenderError> {
        let (name, name_span) = self.parse_env_name("begin", &span)?;
        let Some(env) = Env::from_name(&name) else {
            let suggestion = suggest(&name, Env::NAMES).map(str::to_owned);
            return Err(self
                .error(
                    ErrorKind::UnknownEnvironment,
                    format!(
                        "unknown environment `{name}`; supported: {}",
                        Env::NAMES.join(", ")
                    ),
                    name_span,
                )
                .with_suggestion(suggestion));
        };
        let open = span.start..name_span.end + 1;
        let mut rows: Vec<Vec<Vec<Node>>> = Vec::new();
        let mut row = Vec::new();
        loop {
            let (cell, ended) = self.parse_list(Stop::Cell, open.clone())?;
            row.push(cell);
            match ended {
                Ended::Amp => {}
                Ended::Row => rows.push(std::mem::take(&mut row)),
                _ => {
                    // `\end`: a last row of one empty cell is the usual trailing `\\`.
                    if !(row.len() == 1 && row[0].is_empty() && !rows.is_empty()) {
                        rows.push(row);
                    }
                    let end = self.peek().expect("the list stopped at \\end");
                    self.pos += 1;
                    let (end_name, end_span) = self.parse_env_name("end", &end.span())?;
                    if end_name != name {
                        return Err(self.error(
                            ErrorKind::UnbalancedEnvironment,
                            format!("\\end{{{end_name}}} does not match \\begin{{{name}}}"),
                            end_span,
                        ));
                    }
                    return Ok(Node::Matrix(Box::new(Matrix { env, rows })));
                }
            }
        }
    }
}

/// The plain text of a list of symbols, for `\operatorname`; false if it holds structure.
fn flatten(list: &[Node], out: &mut String) -> bool {
    for n in list {
        match n {
            Node::Sym { ch, .. } => out.push(*ch),
            Node::Number(s) | Node::Text(s) => out.push_str(s),
            Node::Space(s) if s.columns() > 0 => out.push(' '),
            Node::Space(_) => {}
            Node::Group(g) => {
                if !flatten(g, out) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(src: &str) -> ErrorKind {
        parse(src).unwrap_err().kind()
    }

    #[test]
    fn parses_structures() {
        let list = parse(r"\frac{a}{b} + x_1^2").unwrap();
        assert_eq!(list.len(), 3);
        assert!(matches!(list[0], Node::Frac(_)));
        assert!(matches!(list[2], Node::Scripts(_)));
        let list = parse(r"3.14x").unwrap();
        assert_eq!(list[0], Node::Number("3.14".into()));
        let list = parse(r"\frac12").unwrap();
        let Node::Frac(f) = &list[0] else { panic!() };
        assert_eq!(f.num, vec![Node::Number("1".into())]);
    }

    #[test]
    fn errors_have_kinds() {
        assert_eq!(kind("{a"), ErrorKind::UnbalancedBrace);
        assert_eq!(kind("a}"), ErrorKind::UnbalancedBrace);
        assert_eq!(kind(r"\fracc{1}{2}"), ErrorKind::UnknownCommand);
        assert_eq!(kind(r"\frac{1}"), ErrorKind::MissingArgument);
        assert_eq!(kind(r"x \right)"), ErrorKind::UnbalancedDelimiter);
        assert_eq!(kind(r"\left( x"), ErrorKind::UnbalancedDelimiter);
        assert_eq!(
            kind(r"\begin{foo}x\end{foo}"),
            ErrorKind::UnknownEnvironment
        );
        assert_eq!(
            kind(r"\begin{matrix}x\end{pmatrix}"),
            ErrorKind::UnbalancedEnvironment
        );
        assert_eq!(kind("x^a^b"), ErrorKind::DoubleScript);
        assert_eq!(kind("a & b"), ErrorKind::Unexpected);
        assert_eq!(kind("   "), ErrorKind::Empty);
        assert_eq!(kind(&"{".repeat(200)), ErrorKind::TooDeep);
        assert_eq!(kind(&r"\sqrt".repeat(200)), ErrorKind::TooDeep);
    }
}
