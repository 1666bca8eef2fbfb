//! The parsed formula: a tree of math lists, shared by every output form.

/// TeX's atom classes; they decide the spacing between neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Ord,
    Op,
    Bin,
    Rel,
    Open,
    Close,
    Punct,
    Inner,
}

/// TeX's styles. Display and text keep the spacing around operators; the script styles
/// drop it, as TeX does, so `x^{a+b}` stays compact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    Display,
    Text,
    Script,
    ScriptScript,
}

impl Style {
    pub fn script(self) -> Style {
        match self {
            Style::Display | Style::Text => Style::Script,
            _ => Style::ScriptScript,
        }
    }

    /// The style of a fraction's numerator and denominator.
    pub fn fraction(self) -> Style {
        match self {
            Style::Display => Style::Text,
            Style::Text => Style::Script,
            _ => Style::ScriptScript,
        }
    }

    pub fn is_script(self) -> bool {
        self >= Style::Script
    }
}

/// Where a big operator's or a function's limits go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limits {
    /// Above and below in display style, beside otherwise.
    Auto,
    /// `\limits`: always above and below.
    Always,
    /// `\nolimits`, or a function such as `\log` that never takes them below.
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// `\sum`, `\prod`, `\bigcup` ...: one glyph.
    Plain,
    /// `\int` (1), `\iint` (2), `\iiint` (3): built from `⌠⎮⌡` in display style.
    Integral(u8),
    /// `\oint`: `⌠∮⌡` in display style.
    Contour,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BigOp {
    pub glyph: char,
    pub kind: OpKind,
}

/// A delimiter; `None` is the null delimiter `.`.
pub type Delim = Option<char>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accent {
    Hat,
    WideHat,
    Check,
    Tilde,
    WideTilde,
    Bar,
    Overline,
    Underline,
    Vec,
    OverRightArrow,
    OverLeftArrow,
    Dot,
    Ddot,
    Breve,
    Acute,
    Grave,
    Ring,
}

impl Accent {
    /// The combining mark put on a single character, if the accent has one.
    pub fn combining(self) -> Option<char> {
        Some(match self {
            Accent::Hat | Accent::WideHat => '\u{302}',
            Accent::Check => '\u{30C}',
            Accent::Tilde | Accent::WideTilde => '\u{303}',
            Accent::Bar | Accent::Overline => '\u{305}',
            Accent::Underline => '\u{332}',
            Accent::Vec | Accent::OverRightArrow => '\u{20D7}',
            Accent::OverLeftArrow => '\u{20D6}',
            Accent::Dot => '\u{307}',
            Accent::Ddot => '\u{308}',
            Accent::Breve => '\u{306}',
            Accent::Acute => '\u{301}',
            Accent::Grave => '\u{300}',
            Accent::Ring => '\u{30A}',
        })
    }

    /// The spacing character drawn on its own row over (or under) a wider base, and used
    /// as the MathML `<mo>`.
    pub fn glyph(self) -> char {
        match self {
            Accent::Hat | Accent::WideHat => '^',
            Accent::Check => 'ˇ',
            Accent::Tilde | Accent::WideTilde => '~',
            Accent::Bar | Accent::Overline => '_',
            Accent::Underline => '‾',
            Accent::Vec | Accent::OverRightArrow => '→',
            Accent::OverLeftArrow => '←',
            Accent::Dot => '˙',
            Accent::Ddot => '¨',
            Accent::Breve => '˘',
            Accent::Acute => '´',
            Accent::Grave => '`',
            Accent::Ring => '˚',
        }
    }

    /// The MathML operator; the over-bar row glyph `_` would read as an underscore there.
    pub fn mathml_glyph(self) -> char {
        match self {
            Accent::Bar | Accent::Overline => '‾',
            Accent::Underline => '_',
            a => a.glyph(),
        }
    }

    /// Spans the whole width of a wider base rather than sitting centred over it.
    pub fn stretches(self) -> bool {
        matches!(
            self,
            Accent::Bar
                | Accent::Overline
                | Accent::Underline
                | Accent::Vec
                | Accent::OverRightArrow
                | Accent::OverLeftArrow
        )
    }

    pub fn is_under(self) -> bool {
        self == Accent::Underline
    }

    /// Name for the one-line form of a multi-character base, e.g. `hat(xy)`.
    pub fn name(self) -> &'static str {
        match self {
            Accent::Hat | Accent::WideHat => "hat",
            Accent::Check => "check",
            Accent::Tilde | Accent::WideTilde => "tilde",
            Accent::Bar | Accent::Overline => "overline",
            Accent::Underline => "underline",
            Accent::Vec | Accent::OverRightArrow => "vec",
            Accent::OverLeftArrow => "overleftarrow",
            Accent::Dot => "dot",
            Accent::Ddot => "ddot",
            Accent::Breve => "breve",
            Accent::Acute => "acute",
            Accent::Grave => "grave",
            Accent::Ring => "ring",
        }
    }
}

/// Explicit spacing commands, in TeX's units and in character columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// `\,`
    Thin,
    /// `\:`
    Medium,
    /// `\;`
    Thick,
    /// `\ ` and `~`
    Normal,
    /// `\quad`
    Quad,
    /// `\qquad`
    Qquad,
    /// `\!`: takes one column back from the spacing before it, if there is any.
    NegThin,
}

impl Space {
    /// Width in columns of a monospace cell, about half an em.
    pub fn columns(self) -> isize {
        match self {
            Space::Thin | Space::Medium | Space::Thick | Space::Normal => 1,
            Space::Quad => 2,
            Space::Qquad => 4,
            Space::NegThin => -1,
        }
    }

    /// Width in ems (negative for `\!`), as TeX sets it: thin 3mu, medium 4mu, thick 5mu.
    pub fn ems(self) -> f32 {
        match self {
            Space::Thin => 3.0 / 18.0,
            Space::Medium => 4.0 / 18.0,
            Space::Thick => 5.0 / 18.0,
            Space::Normal => 0.25,
            Space::Quad => 1.0,
            Space::Qquad => 2.0,
            Space::NegThin => -3.0 / 18.0,
        }
    }

    pub fn em(self) -> &'static str {
        match self {
            Space::Thin => "0.1667em",
            Space::Medium => "0.2222em",
            Space::Thick => "0.2778em",
            Space::Normal => "0.25em",
            Space::Quad => "1em",
            Space::Qquad => "2em",
            Space::NegThin => "-0.1667em",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FracKind {
    /// `\frac`, `\dfrac`, `\tfrac`: a bar.
    Frac,
    /// `\binom`: no bar, in parentheses.
    Binom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Env {
    Matrix,
    PMatrix,
    BMatrix,
    /// `Bmatrix`: braces.
    BraceMatrix,
    VMatrix,
    /// `Vmatrix`: double bars.
    DoubleVMatrix,
    SmallMatrix,
    Cases,
    Aligned,
    Gathered,
}

impl Env {
    pub fn from_name(name: &str) -> Option<Env> {
        Some(match name {
            "matrix" => Env::Matrix,
            "pmatrix" => Env::PMatrix,
            "bmatrix" => Env::BMatrix,
            "Bmatrix" => Env::BraceMatrix,
            "vmatrix" => Env::VMatrix,
            "Vmatrix" => Env::DoubleVMatrix,
            "smallmatrix" => Env::SmallMatrix,
            "cases" => Env::Cases,
            "aligned" => Env::Aligned,
            "gathered" => Env::Gathered,
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 10] = [
        "matrix",
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "smallmatrix",
        "cases",
        "aligned",
        "gathered",
    ];

    pub fn delims(self) -> (Delim, Delim) {
        match self {
            Env::PMatrix => (Some('('), Some(')')),
            Env::BMatrix => (Some('['), Some(']')),
            Env::BraceMatrix => (Some('{'), Some('}')),
            Env::VMatrix => (Some('|'), Some('|')),
            Env::DoubleVMatrix => (Some('‖'), Some('‖')),
            Env::Cases => (Some('{'), None),
            Env::Matrix | Env::SmallMatrix | Env::Aligned | Env::Gathered => (None, None),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scripts {
    pub base: Node,
    pub sub: Option<Vec<Node>>,
    pub sup: Option<Vec<Node>>,
    /// Number of `'` after the base.
    pub primes: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Frac {
    pub num: Vec<Node>,
    pub den: Vec<Node>,
    pub kind: FracKind,
    /// `\dfrac`/`\tfrac` force a style; `\frac` follows the surroundings.
    pub style: Option<Style>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delimited {
    pub left: Delim,
    pub right: Delim,
    /// The material between `\left`, each `\middle` and `\right`: one more than `middles`.
    pub parts: Vec<Vec<Node>>,
    pub middles: Vec<Delim>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub env: Env,
    /// Rows of cells; rows may have fewer cells than the widest row.
    pub rows: Vec<Vec<Vec<Node>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// One symbol. `upright` marks a letter that `\mathrm` and friends set upright (MathML
    /// needs to say so; the text forms show plain letters anyway).
    Sym {
        ch: char,
        class: Class,
        upright: bool,
    },
    /// A run of digits, possibly with one decimal point: one `<mn>`.
    Number(String),
    /// `\text{...}`: spaces kept, already mapped to its font.
    Text(String),
    /// `\sin`, `\lim`, `\operatorname{...}`: an upright name of class Op.
    Func {
        name: String,
        limits: Limits,
    },
    BigOp {
        op: BigOp,
        limits: Limits,
    },
    /// `{...}`: a sub-formula of class Ord.
    Group(Vec<Node>),
    Scripts(Box<Scripts>),
    Frac(Box<Frac>),
    Sqrt {
        index: Option<Vec<Node>>,
        body: Vec<Node>,
    },
    Accent {
        accent: Accent,
        body: Vec<Node>,
    },
    Delimited(Box<Delimited>),
    /// `\big(`, `\Bigg]` ...: a delimiter of fixed height in rows.
    BigDelim {
        delim: Delim,
        rows: u8,
        class: Class,
    },
    Matrix(Box<Matrix>),
    Space(Space),
    /// `\displaystyle` and friends: the rest of the enclosing list in that style.
    Style(Style, Vec<Node>),
}

impl Node {
    /// The classes this node presents to its left and right neighbours.
    pub fn classes(&self) -> (Class, Class) {
        let c = match self {
            Node::Sym { class, .. } => *class,
            Node::Func { .. } | Node::BigOp { .. } => Class::Op,
            Node::Frac(_) | Node::Delimited(_) => Class::Inner,
            Node::BigDelim { class, .. } => *class,
            Node::Scripts(s) => return s.base.classes(),
            Node::Style(_, list) => {
                let first = list.iter().find(|n| !matches!(n, Node::Space(_)));
                let last = list.iter().rev().find(|n| !matches!(n, Node::Space(_)));
                return match (first, last) {
                    (Some(f), Some(l)) => (f.classes().0, l.classes().1),
                    _ => (Class::Ord, Class::Ord),
                };
            }
            _ => Class::Ord,
        };
        (c, c)
    }
}
