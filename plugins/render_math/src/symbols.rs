//! The tables of names: symbols with their atom class, functions, big operators,
//! delimiters, accents and font commands.

use crate::ast::{Accent, BigOp, Class, OpKind};
use crate::fonts::Font;
use Class::{Bin, Close, Open, Ord, Punct, Rel};

/// `\name` → symbol and class, sorted by name (bytes) for binary search.
static SYMBOLS: &[(&str, char, Class)] = &[
    ("#", '#', Ord),
    ("$", '$', Ord),
    ("%", '%', Ord),
    ("&", '&', Ord),
    ("Box", '□', Ord),
    ("Bumpeq", '≎', Rel),
    ("Delta", 'Δ', Ord),
    ("Downarrow", '⇓', Rel),
    ("Finv", 'Ⅎ', Ord),
    ("Game", '⅁', Ord),
    ("Gamma", 'Γ', Ord),
    ("Im", 'ℑ', Ord),
    ("Join", '⋈', Rel),
    ("Lambda", 'Λ', Ord),
    ("Leftarrow", '⇐', Rel),
    ("Leftrightarrow", '⇔', Rel),
    ("Lleftarrow", '⇚', Rel),
    ("Longleftarrow", '⟸', Rel),
    ("Longleftrightarrow", '⟺', Rel),
    ("Longrightarrow", '⟹', Rel),
    ("Omega", 'Ω', Ord),
    ("P", '¶', Ord),
    ("Phi", 'Φ', Ord),
    ("Pi", 'Π', Ord),
    ("Psi", 'Ψ', Ord),
    ("Re", 'ℜ', Ord),
    ("Rightarrow", '⇒', Rel),
    ("Rrightarrow", '⇛', Rel),
    ("S", '§', Ord),
    ("Sigma", 'Σ', Ord),
    ("Subset", '⋐', Rel),
    ("Supset", '⋑', Rel),
    ("Theta", 'Θ', Ord),
    ("Uparrow", '⇑', Rel),
    ("Updownarrow", '⇕', Rel),
    ("Upsilon", 'Υ', Ord),
    ("Vdash", '⊩', Rel),
    ("Vert", '‖', Ord),
    ("Vvdash", '⊪', Rel),
    ("Xi", 'Ξ', Ord),
    ("_", '_', Ord),
    ("aleph", 'ℵ', Ord),
    ("alpha", 'α', Ord),
    ("amalg", '⨿', Bin),
    ("angle", '∠', Ord),
    ("approx", '≈', Rel),
    ("approxeq", '≊', Rel),
    ("ast", '∗', Bin),
    ("asymp", '≍', Rel),
    ("backprime", '‵', Ord),
    ("backsim", '∽', Rel),
    ("backslash", '\\', Ord),
    ("because", '∵', Rel),
    ("beta", 'β', Ord),
    ("beth", 'ℶ', Ord),
    ("between", '≬', Rel),
    ("bigstar", '★', Ord),
    ("bigtriangledown", '▽', Bin),
    ("bigtriangleup", '△', Bin),
    ("blacklozenge", '⧫', Ord),
    ("blacksquare", '■', Ord),
    ("bot", '⊥', Ord),
    ("bowtie", '⋈', Rel),
    ("boxdot", '⊡', Bin),
    ("boxminus", '⊟', Bin),
    ("boxplus", '⊞', Bin),
    ("boxtimes", '⊠', Bin),
    ("bullet", '∙', Bin),
    ("bumpeq", '≏', Rel),
    ("cap", '∩', Bin),
    ("cdot", '⋅', Bin),
    ("cdotp", '⋅', Punct),
    ("cdots", '⋯', Ord),
    ("centerdot", '⋅', Bin),
    ("checkmark", '✓', Ord),
    ("chi", 'χ', Ord),
    ("circ", '∘', Bin),
    ("circeq", '≗', Rel),
    ("circlearrowleft", '↺', Rel),
    ("circlearrowright", '↻', Rel),
    ("circledS", 'Ⓢ', Ord),
    ("circledast", '⊛', Bin),
    ("circledcirc", '⊚', Bin),
    ("clubs", '♣', Ord),
    ("clubsuit", '♣', Ord),
    ("colon", ':', Punct),
    ("coloneqq", '≔', Rel),
    ("complement", '∁', Ord),
    ("cong", '≅', Rel),
    ("copyright", '©', Ord),
    ("cup", '∪', Bin),
    ("curvearrowleft", '↶', Rel),
    ("curvearrowright", '↷', Rel),
    ("dag", '†', Ord),
    ("dagger", '†', Bin),
    ("daleth", 'ℸ', Ord),
    ("dashv", '⊣', Rel),
    ("ddag", '‡', Ord),
    ("ddagger", '‡', Bin),
    ("ddots", '⋱', Ord),
    ("degree", '°', Ord),
    ("delta", 'δ', Ord),
    ("diagdown", '╲', Ord),
    ("diagup", '╱', Ord),
    ("diamond", '⋄', Bin),
    ("diamonds", '♢', Ord),
    ("diamondsuit", '♢', Ord),
    ("digamma", 'ϝ', Ord),
    ("div", '÷', Bin),
    ("divideontimes", '⋇', Bin),
    ("doteq", '≐', Rel),
    ("doteqdot", '≑', Rel),
    ("dotplus", '∔', Bin),
    ("dots", '…', Ord),
    ("dotsb", '⋯', Ord),
    ("dotsc", '…', Ord),
    ("downarrow", '↓', Rel),
    ("downdownarrows", '⇊', Rel),
    ("ell", 'ℓ', Ord),
    ("emptyset", '∅', Ord),
    ("epsilon", 'ϵ', Ord),
    ("eqcirc", '≖', Rel),
    ("eqqcolon", '≕', Rel),
    ("eqsim", '≂', Rel),
    ("equiv", '≡', Rel),
    ("eta", 'η', Ord),
    ("eth", 'ð', Ord),
    ("euro", '€', Ord),
    ("exists", '∃', Ord),
    ("fallingdotseq", '≒', Rel),
    ("flat", '♭', Ord),
    ("forall", '∀', Ord),
    ("frown", '⌢', Rel),
    ("gamma", 'γ', Ord),
    ("ge", '≥', Rel),
    ("geq", '≥', Rel),
    ("geqq", '≧', Rel),
    ("geqslant", '⩾', Rel),
    ("gets", '←', Rel),
    ("gg", '≫', Rel),
    ("ggg", '⋙', Rel),
    ("gimel", 'ℷ', Ord),
    ("gtrless", '≷', Rel),
    ("gtrsim", '≳', Rel),
    ("hbar", 'ℏ', Ord),
    ("hearts", '♡', Ord),
    ("heartsuit", '♡', Ord),
    ("hookleftarrow", '↩', Rel),
    ("hookrightarrow", '↪', Rel),
    ("hslash", 'ℏ', Ord),
    ("iff", '⟺', Rel),
    ("imath", 'ı', Ord),
    ("impliedby", '⟸', Rel),
    ("implies", '⟹', Rel),
    ("in", '∈', Rel),
    ("infin", '∞', Ord),
    ("infty", '∞', Ord),
    ("iota", 'ι', Ord),
    ("jmath", 'ȷ', Ord),
    ("kappa", 'κ', Ord),
    ("lVert", '‖', Open),
    ("lambda", 'λ', Ord),
    ("land", '∧', Bin),
    ("langle", '⟨', Open),
    ("lbrace", '{', Open),
    ("lbrack", '[', Open),
    ("lceil", '⌈', Open),
    ("ldotp", '.', Punct),
    ("ldots", '…', Ord),
    ("le", '≤', Rel),
    ("leadsto", '⇝', Rel),
    ("leftarrow", '←', Rel),
    ("leftarrowtail", '↢', Rel),
    ("leftharpoondown", '↽', Rel),
    ("leftharpoonup", '↼', Rel),
    ("leftleftarrows", '⇇', Rel),
    ("leftrightarrow", '↔', Rel),
    ("leftrightarrows", '⇆', Rel),
    ("leftrightharpoons", '⇋', Rel),
    ("leq", '≤', Rel),
    ("leqq", '≦', Rel),
    ("leqslant", '⩽', Rel),
    ("lessgtr", '≶', Rel),
    ("lesssim", '≲', Rel),
    ("lfloor", '⌊', Open),
    ("lgroup", '⟮', Open),
    ("lhd", '⊲', Rel),
    ("ll", '≪', Rel),
    ("llcorner", '⌞', Open),
    ("lll", '⋘', Rel),
    ("lnot", '¬', Ord),
    ("longleftarrow", '⟵', Rel),
    ("longleftrightarrow", '⟷', Rel),
    ("longmapsto", '⟼', Rel),
    ("longrightarrow", '⟶', Rel),
    ("lor", '∨', Bin),
    ("lozenge", '◊', Ord),
    ("lrcorner", '⌟', Close),
    ("ltimes", '⋉', Bin),
    ("lvert", '|', Open),
    ("mapsto", '↦', Rel),
    ("measuredangle", '∡', Ord),
    ("mho", '℧', Ord),
    ("mid", '∣', Rel),
    ("models", '⊨', Rel),
    ("mp", '∓', Bin),
    ("mu", 'μ', Ord),
    ("multimap", '⊸', Rel),
    ("nLeftarrow", '⇍', Rel),
    ("nLeftrightarrow", '⇎', Rel),
    ("nRightarrow", '⇏', Rel),
    ("nabla", '∇', Ord),
    ("natural", '♮', Ord),
    ("ncong", '≇', Rel),
    ("ne", '≠', Rel),
    ("nearrow", '↗', Rel),
    ("neg", '¬', Ord),
    ("neq", '≠', Rel),
    ("nexists", '∄', Ord),
    ("ngeq", '≱', Rel),
    ("ngtr", '≯', Rel),
    ("ni", '∋', Rel),
    ("nleftarrow", '↚', Rel),
    ("nleftrightarrow", '↮', Rel),
    ("nleq", '≰', Rel),
    ("nless", '≮', Rel),
    ("nmid", '∤', Rel),
    ("notin", '∉', Rel),
    ("notni", '∌', Rel),
    ("nparallel", '∦', Rel),
    ("nprec", '⊀', Rel),
    ("nrightarrow", '↛', Rel),
    ("nshortmid", '∤', Rel),
    ("nsim", '≁', Rel),
    ("nsubseteq", '⊈', Rel),
    ("nsucc", '⊁', Rel),
    ("nsupseteq", '⊉', Rel),
    ("nu", 'ν', Ord),
    ("nvDash", '⊭', Rel),
    ("nvdash", '⊬', Rel),
    ("nwarrow", '↖', Rel),
    ("odot", '⊙', Bin),
    ("omega", 'ω', Ord),
    ("omicron", 'ο', Ord),
    ("ominus", '⊖', Bin),
    ("oplus", '⊕', Bin),
    ("oslash", '⊘', Bin),
    ("otimes", '⊗', Bin),
    ("owns", '∋', Rel),
    ("parallel", '∥', Rel),
    ("partial", '∂', Ord),
    ("perp", '⊥', Rel),
    ("phi", 'ϕ', Ord),
    ("pi", 'π', Ord),
    ("pitchfork", '⋔', Rel),
    ("pm", '±', Bin),
    ("pounds", '£', Ord),
    ("prec", '≺', Rel),
    ("preceq", '⪯', Rel),
    ("precsim", '≾', Rel),
    ("prime", '′', Ord),
    ("propto", '∝', Rel),
    ("psi", 'ψ', Ord),
    ("rVert", '‖', Close),
    ("rangle", '⟩', Close),
    ("rbrace", '}', Close),
    ("rbrack", ']', Close),
    ("rceil", '⌉', Close),
    ("rfloor", '⌋', Close),
    ("rgroup", '⟯', Close),
    ("rhd", '⊳', Rel),
    ("rho", 'ρ', Ord),
    ("rightarrow", '→', Rel),
    ("rightarrowtail", '↣', Rel),
    ("rightharpoondown", '⇁', Rel),
    ("rightharpoonup", '⇀', Rel),
    ("rightleftarrows", '⇄', Rel),
    ("rightleftharpoons", '⇌', Rel),
    ("rightrightarrows", '⇉', Rel),
    ("rightsquigarrow", '⇝', Rel),
    ("risingdotseq", '≓', Rel),
    ("rtimes", '⋊', Bin),
    ("rvert", '|', Close),
    ("searrow", '↘', Rel),
    ("setminus", '∖', Bin),
    ("sharp", '♯', Ord),
    ("shortmid", '∣', Rel),
    ("shortparallel", '∥', Rel),
    ("sigma", 'σ', Ord),
    ("sim", '∼', Rel),
    ("simeq", '≃', Rel),
    ("smallsetminus", '∖', Bin),
    ("smile", '⌣', Rel),
    ("spades", '♠', Ord),
    ("spadesuit", '♠', Ord),
    ("sqcap", '⊓', Bin),
    ("sqcup", '⊔', Bin),
    ("sqsubset", '⊏', Rel),
    ("sqsubseteq", '⊑', Rel),
    ("sqsubsetneq", '⊏', Rel),
    ("sqsupset", '⊐', Rel),
    ("sqsupseteq", '⊒', Rel),
    ("square", '□', Ord),
    ("star", '⋆', Bin),
    ("subset", '⊂', Rel),
    ("subseteq", '⊆', Rel),
    ("subseteqq", '⫅', Rel),
    ("subsetneq", '⊊', Rel),
    ("succ", '≻', Rel),
    ("succeq", '⪰', Rel),
    ("succsim", '≿', Rel),
    ("supset", '⊃', Rel),
    ("supseteq", '⊇', Rel),
    ("supseteqq", '⫆', Rel),
    ("supsetneq", '⊋', Rel),
    ("surd", '√', Ord),
    ("swarrow", '↙', Rel),
    ("tau", 'τ', Ord),
    ("therefore", '∴', Rel),
    ("theta", 'θ', Ord),
    ("thickapprox", '≈', Rel),
    ("thicksim", '∼', Rel),
    ("times", '×', Bin),
    ("to", '→', Rel),
    ("top", '⊤', Ord),
    ("triangle", '△', Ord),
    ("triangleleft", '◁', Bin),
    ("trianglelefteq", '⊴', Rel),
    ("triangleq", '≜', Rel),
    ("triangleright", '▷', Bin),
    ("trianglerighteq", '⊵', Rel),
    ("twoheadleftarrow", '↞', Rel),
    ("twoheadrightarrow", '↠', Rel),
    ("ulcorner", '⌜', Open),
    ("unlhd", '⊴', Rel),
    ("unrhd", '⊵', Rel),
    ("uparrow", '↑', Rel),
    ("updownarrow", '↕', Rel),
    ("uplus", '⊎', Bin),
    ("upsilon", 'υ', Ord),
    ("upuparrows", '⇈', Rel),
    ("urcorner", '⌝', Close),
    ("vDash", '⊨', Rel),
    ("varDelta", 'Δ', Ord),
    ("varGamma", 'Γ', Ord),
    ("varLambda", 'Λ', Ord),
    ("varOmega", 'Ω', Ord),
    ("varPhi", 'Φ', Ord),
    ("varPi", 'Π', Ord),
    ("varPsi", 'Ψ', Ord),
    ("varSigma", 'Σ', Ord),
    ("varTheta", 'Θ', Ord),
    ("varUpsilon", 'Υ', Ord),
    ("varXi", 'Ξ', Ord),
    ("varepsilon", 'ε', Ord),
    ("varkappa", 'ϰ', Ord),
    ("varnothing", '∅', Ord),
    ("varphi", 'φ', Ord),
    ("varpi", 'ϖ', Ord),
    ("varrho", 'ϱ', Ord),
    ("varsigma", 'ς', Ord),
    ("vartheta", 'ϑ', Ord),
    ("vartriangleleft", '⊲', Rel),
    ("vartriangleright", '⊳', Rel),
    ("vdash", '⊢', Rel),
    ("vdots", '⋮', Ord),
    ("vee", '∨', Bin),
    ("vert", '|', Ord),
    ("wedge", '∧', Bin),
    ("wp", '℘', Ord),
    ("wr", '≀', Bin),
    ("xi", 'ξ', Ord),
    ("yen", '¥', Ord),
    ("zeta", 'ζ', Ord),
    ("{", '{', Open),
    ("|", '‖', Ord),
    ("}", '}', Close),
];

/// A symbol command, e.g. `alpha` → (`α`, Ord).
pub fn symbol(name: &str) -> Option<(char, Class)> {
    SYMBOLS
        .binary_search_by(|(n, _, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| (SYMBOLS[i].1, SYMBOLS[i].2))
}

/// The class of a character typed as is: ASCII operators by TeX's rules, other characters
/// by the table when they are some command's symbol, else Ord.
pub fn char_class(c: char) -> Class {
    match c {
        '+' | '-' | '*' => Bin,
        '=' | '<' | '>' | ':' => Rel,
        ',' | ';' => Punct,
        '(' | '[' => Open,
        ')' | ']' | '!' | '?' => Close,
        c if c.is_ascii() => Ord,
        c => SYMBOLS
            .iter()
            .find(|(_, s, _)| *s == c)
            .map_or(Ord, |(_, _, class)| *class),
    }
}

/// How a typed ASCII character is shown: a hyphen is a minus sign in math.
pub fn math_char(c: char) -> char {
    match c {
        '-' => '−',
        '*' => '∗',
        c => c,
    }
}

/// Named functions: command, shown name, whether limits go below in display style.
static FUNCTIONS: &[(&str, &str, bool)] = &[
    ("Pr", "Pr", true),
    ("arccos", "arccos", false),
    ("arcsin", "arcsin", false),
    ("arctan", "arctan", false),
    ("arg", "arg", false),
    ("cos", "cos", false),
    ("cosh", "cosh", false),
    ("cot", "cot", false),
    ("coth", "coth", false),
    ("csc", "csc", false),
    ("deg", "deg", false),
    ("det", "det", true),
    ("dim", "dim", false),
    ("exp", "exp", false),
    ("gcd", "gcd", true),
    ("hom", "hom", false),
    ("inf", "inf", true),
    ("injlim", "inj lim", true),
    ("ker", "ker", false),
    ("lg", "lg", false),
    ("lim", "lim", true),
    ("liminf", "lim inf", true),
    ("limsup", "lim sup", true),
    ("ln", "ln", false),
    ("log", "log", false),
    ("max", "max", true),
    ("min", "min", true),
    ("projlim", "proj lim", true),
    ("sec", "sec", false),
    ("sin", "sin", false),
    ("sinh", "sinh", false),
    ("sup", "sup", true),
    ("tan", "tan", false),
    ("tanh", "tanh", false),
];

pub fn function(name: &str) -> Option<(&'static str, bool)> {
    FUNCTIONS
        .binary_search_by(|(n, _, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| (FUNCTIONS[i].1, FUNCTIONS[i].2))
}

static BIG_OPS: &[(&str, char, OpKind)] = &[
    ("bigcap", '⋂', OpKind::Plain),
    ("bigcup", '⋃', OpKind::Plain),
    ("bigodot", '⨀', OpKind::Plain),
    ("bigoplus", '⨁', OpKind::Plain),
    ("bigotimes", '⨂', OpKind::Plain),
    ("bigsqcup", '⨆', OpKind::Plain),
    ("biguplus", '⨄', OpKind::Plain),
    ("bigvee", '⋁', OpKind::Plain),
    ("bigwedge", '⋀', OpKind::Plain),
    ("coprod", '∐', OpKind::Plain),
    ("iiiint", '⨌', OpKind::Integral(4)),
    ("iiint", '∭', OpKind::Integral(3)),
    ("iint", '∬', OpKind::Integral(2)),
    ("int", '∫', OpKind::Integral(1)),
    ("oiint", '∯', OpKind::Plain),
    ("oint", '∮', OpKind::Contour),
    ("prod", '∏', OpKind::Plain),
    ("sum", '∑', OpKind::Plain),
];

pub fn big_op(name: &str) -> Option<BigOp> {
    BIG_OPS
        .binary_search_by(|(n, _, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| BigOp {
            glyph: BIG_OPS[i].1,
            kind: BIG_OPS[i].2,
        })
}

/// A delimiter after `\left`, `\right`, `\middle` or `\big`, given as a command.
pub fn delimiter_command(name: &str) -> Option<char> {
    Some(match name {
        "{" | "lbrace" => '{',
        "}" | "rbrace" => '}',
        "langle" => '⟨',
        "rangle" => '⟩',
        "lfloor" => '⌊',
        "rfloor" => '⌋',
        "lceil" => '⌈',
        "rceil" => '⌉',
        "vert" | "lvert" | "rvert" | "mid" => '|',
        "|" | "Vert" | "lVert" | "rVert" => '‖',
        "lbrack" => '[',
        "rbrack" => ']',
        "lgroup" => '⟮',
        "rgroup" => '⟯',
        "backslash" => '\\',
        "uparrow" => '↑',
        "downarrow" => '↓',
        "updownarrow" => '↕',
        "Uparrow" => '⇑',
        "Downarrow" => '⇓',
        "Updownarrow" => '⇕',
        _ => return None,
    })
}

/// A delimiter given as a character; `.` is the null delimiter, hence the nested option.
pub fn delimiter_char(c: char) -> Option<Option<char>> {
    Some(Some(match c {
        '.' => return Some(None),
        '(' | ')' | '[' | ']' | '|' | '/' | '⟨' | '⟩' | '‖' | '⌊' | '⌋' | '⌈' | '⌉' => {
            c
        }
        '<' => '⟨',
        '>' => '⟩',
        _ => return None,
    }))
}

pub fn accent(name: &str) -> Option<Accent> {
    Some(match name {
        "hat" => Accent::Hat,
        "widehat" => Accent::WideHat,
        "check" => Accent::Check,
        "tilde" => Accent::Tilde,
        "widetilde" => Accent::WideTilde,
        "bar" => Accent::Bar,
        "overline" => Accent::Overline,
        "underline" => Accent::Underline,
        "vec" => Accent::Vec,
        "overrightarrow" => Accent::OverRightArrow,
        "overleftarrow" => Accent::OverLeftArrow,
        "dot" => Accent::Dot,
        "ddot" => Accent::Ddot,
        "breve" => Accent::Breve,
        "acute" => Accent::Acute,
        "grave" => Accent::Grave,
        "mathring" => Accent::Ring,
        _ => return None,
    })
}

const ACCENT_NAMES: &[&str] = &[
    "hat",
    "widehat",
    "check",
    "tilde",
    "widetilde",
    "bar",
    "overline",
    "underline",
    "vec",
    "overrightarrow",
    "overleftarrow",
    "dot",
    "ddot",
    "breve",
    "acute",
    "grave",
    "mathring",
];

/// Math font commands; their argument is math.
pub fn math_font(name: &str) -> Option<Font> {
    Some(match name {
        "mathrm" | "mathup" => Font::Roman,
        "mathnormal" => Font::Normal,
        "mathbf" => Font::Bold,
        "mathit" => Font::Italic,
        "boldsymbol" | "bm" => Font::BoldItalic,
        "mathcal" | "mathscr" => Font::Script,
        "mathfrak" => Font::Fraktur,
        "mathbb" => Font::DoubleStruck,
        "mathsf" => Font::SansSerif,
        "mathtt" => Font::Monospace,
        _ => return None,
    })
}

/// Text commands; their argument is text, spaces kept.
pub fn text_font(name: &str) -> Option<Font> {
    Some(match name {
        "text" | "textrm" | "textnormal" | "textup" | "mbox" => Font::Roman,
        "textbf" => Font::Bold,
        "textit" => Font::Italic,
        "textsf" => Font::SansSerif,
        "texttt" => Font::Monospace,
        _ => return None,
    })
}

const FONT_NAMES: &[&str] = &[
    "mathrm",
    "mathup",
    "mathnormal",
    "mathbf",
    "mathit",
    "boldsymbol",
    "bm",
    "mathcal",
    "mathscr",
    "mathfrak",
    "mathbb",
    "mathsf",
    "mathtt",
    "text",
    "textrm",
    "textnormal",
    "textup",
    "mbox",
    "textbf",
    "textit",
    "textsf",
    "texttt",
];

/// `\not` before a relation: the negated relation, when Unicode has one.
pub fn negated(c: char) -> Option<char> {
    Some(match c {
        '=' => '≠',
        '<' => '≮',
        '>' => '≯',
        '≤' => '≰',
        '≥' => '≱',
        '∈' => '∉',
        '∋' => '∌',
        '⊂' => '⊄',
        '⊃' => '⊅',
        '⊆' => '⊈',
        '⊇' => '⊉',
        '≡' => '≢',
        '∼' => '≁',
        '≈' => '≉',
        '≅' => '≇',
        '≃' => '≄',
        '∣' | '|' => '∤',
        '∥' => '∦',
        '⊢' => '⊬',
        '⊨' => '⊭',
        '≺' => '⊀',
        '≻' => '⊁',
        '→' => '↛',
        '←' => '↚',
        '↔' => '↮',
        '⇒' => '⇏',
        '⇐' => '⇍',
        '⇔' => '⇎',
        '∃' => '∄',
        _ => return None,
    })
}

/// `\Alpha` and the other Greek capitals that TeX writes with Latin letters.
pub fn latin_lookalike(name: &str) -> Option<char> {
    Some(match name {
        "Alpha" => 'A',
        "Beta" => 'B',
        "Epsilon" => 'E',
        "Zeta" => 'Z',
        "Eta" => 'H',
        "Iota" => 'I',
        "Kappa" => 'K',
        "Mu" => 'M',
        "Nu" => 'N',
        "Omicron" => 'O',
        "Rho" => 'P',
        "Tau" => 'T',
        "Chi" => 'X',
        _ => return None,
    })
}

/// Commands the parser handles itself (structure, spacing, styles).
pub const STRUCTURAL: &[&str] = &[
    "frac",
    "dfrac",
    "tfrac",
    "cfrac",
    "binom",
    "dbinom",
    "tbinom",
    "sqrt",
    "left",
    "right",
    "middle",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "bigm",
    "Bigl",
    "Bigr",
    "Bigm",
    "biggl",
    "biggr",
    "biggm",
    "Biggl",
    "Biggr",
    "Biggm",
    "begin",
    "end",
    "limits",
    "nolimits",
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "scriptscriptstyle",
    "operatorname",
    "quad",
    "qquad",
    "not",
    "pmod",
    ",",
    ":",
    ";",
    "!",
    " ",
    "\\",
];

/// Every command name, for "did you mean" suggestions.
pub fn all_command_names() -> impl Iterator<Item = &'static str> {
    SYMBOLS
        .iter()
        .map(|s| s.0)
        .chain(FUNCTIONS.iter().map(|f| f.0))
        .chain(BIG_OPS.iter().map(|b| b.0))
        .chain(ACCENT_NAMES.iter().copied())
        .chain(FONT_NAMES.iter().copied())
        .chain(STRUCTURAL.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for w in SYMBOLS.windows(2) {
            assert!(
                w[0].0.as_bytes() < w[1].0.as_bytes(),
                "{} {}",
                w[0].0,
                w[1].0
            );
        }
        for w in FUNCTIONS.windows(2) {
            assert!(
                w[0].0.as_bytes() < w[1].0.as_bytes(),
                "{} {}",
                w[0].0,
                w[1].0
            );
        }
        for w in BIG_OPS.windows(2) {
            assert!(
                w[0].0.as_bytes() < w[1].0.as_bytes(),
                "{} {}",
                w[0].0,
                w[1].0
            );
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(symbol("alpha"), Some(('α', Ord)));
        assert_eq!(symbol("leq"), Some(('≤', Rel)));
        assert_eq!(symbol("pm"), Some(('±', Bin)));
        assert_eq!(symbol("nope"), None);
        assert_eq!(function("lim"), Some(("lim", true)));
        assert_eq!(function("log"), Some(("log", false)));
        assert_eq!(big_op("sum").map(|b| b.glyph), Some('∑'));
        assert_eq!(char_class('≤'), Rel);
        assert_eq!(char_class('-'), Bin);
        assert_eq!(char_class('é'), Ord);
    }

    #[test]
    fn no_name_is_in_two_tables() {
        let mut names: Vec<&str> = all_command_names().collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
