//! Random and mutated input never panics, and what comes out keeps its invariants.
//! Deterministic; set `RENDER_MATH_FUZZ_ITERS` for a longer run.

use tool_render_math::picture::{self, ImageOptions};
use tool_render_math::{Formula, RenderError};

/// xorshift64*: small, deterministic, good enough to pick fragments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    r"\frac",
    r"\dfrac",
    r"\tfrac",
    r"\binom",
    r"\sqrt",
    "{",
    "}",
    "{",
    "}",
    "^",
    "_",
    "'",
    "&",
    r"\\",
    r"\left(",
    r"\right)",
    r"\left.",
    r"\right|",
    r"\middle|",
    r"\left\{",
    r"\right\}",
    r"\begin{pmatrix}",
    r"\end{pmatrix}",
    r"\begin{cases}",
    r"\end{cases}",
    r"\begin{aligned}",
    r"\end{aligned}",
    r"\begin{",
    r"\end",
    "[",
    "]",
    r"\text{",
    r"\text",
    r"\mathbb",
    r"\mathbf{",
    r"\operatorname",
    r"\operatorname*{",
    "x",
    "y",
    "1",
    "23",
    ".5",
    "+",
    "-",
    "=",
    "<",
    ",",
    "(",
    ")",
    "!",
    "|",
    r"\alpha",
    r"\Omega",
    r"\infty",
    r"\sum",
    r"\int",
    r"\iiint",
    r"\oint",
    r"\prod",
    r"\lim",
    r"\log",
    r"\limits",
    r"\nolimits",
    r"\hat",
    r"\vec",
    r"\overline",
    r"\underline",
    r"\ddot",
    " ",
    " ",
    r"\,",
    r"\!",
    r"\quad",
    r"\;",
    "~",
    r"\displaystyle",
    r"\scriptstyle",
    r"\not",
    r"\not=",
    r"\big(",
    r"\Bigg]",
    r"\pmod",
    r"\cdot",
    r"\pm",
    r"\to",
    r"\leq",
    "%",
    "\n",
    "$",
    "#",
    "\\",
    "é",
    "α",
    "∑",
    "\u{301}",
    r"\foo",
    r"\{",
    r"\}",
    r"\|",
    r"\langle",
    r"\rangle",
    r"\lfloor",
    r"\ ",
    "*",
    r"\Alpha",
    r"\smallmatrix",
    r"\begin{smallmatrix}",
];

const SEEDS: &[&str] = &[
    r"x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}",
    r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^n",
    r"\sum_{k=1}^{\infty} \frac{1}{k^2} = \frac{\pi^2}{6}",
    r"\int_0^1 x^2\,dx = \frac{1}{3}",
    r"|x| = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}",
    r"\begin{pmatrix} \frac{1}{2} & 0 \\ 0 & \frac{1}{3} \end{pmatrix}",
    r"\sqrt[n]{\frac{a}{b}} + \overline{x+y} = \underline{ab} + \vec{AB}",
    r"\left.\frac{df}{dx}\right|_{x=0} \left\{ x \middle| x > 0 \right\}",
    r"\begin{aligned} x &= 1 \\ y + z &= 22 \end{aligned} \operatorname*{arg\,max}_x f'^2",
    r"\binom{n}{k} = \frac{n!}{k!(n-k)!} \quad \mathbb{R}^n \to \mathcal{L}",
];

/// A random char: mostly ASCII, sometimes anything.
fn random_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0..=2 => char::from(rng.below(95) as u8 + 32),
        _ => char::from_u32(rng.below(0x3_0000) as u32).unwrap_or('\u{fffd}'),
    }
}

fn random_input(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(40) {
        if rng.below(8) == 0 {
            s.push(random_char(rng));
        } else {
            s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
        }
    }
    s
}

/// One edit at character boundaries: delete, duplicate, insert or swap.
fn mutate(rng: &mut Rng, src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let n = chars.len();
    let a = rng.below(n + 1);
    let b = (a + rng.below(8)).min(n);
    let mut out: Vec<char> = Vec::with_capacity(n + 16);
    match rng.below(4) {
        0 => {
            out.extend(&chars[..a]);
            out.extend(&chars[b..]);
        }
        1 => {
            out.extend(&chars[..b]);
            out.extend(&chars[a..]);
        }
        2 => {
            out.extend(&chars[..a]);
            if rng.below(3) == 0 {
                out.push(random_char(rng));
            } else {
                out.extend(FRAGMENTS[rng.below(FRAGMENTS.len())].chars());
            }
            out.extend(&chars[a..]);
        }
        _ => {
            out.extend(&chars);
            if n >= 2 {
                let c = rng.below(n);
                out.swap(a.min(n - 1), c);
            }
        }
    }
    out.into_iter().collect()
}

fn check_error(latex: &str, e: &RenderError) {
    let loc = e.location();
    assert!(loc.span.start <= loc.span.end, "{latex:?}: {e}");
    assert!(loc.span.end <= latex.len().max(1), "{latex:?}: {e}");
    assert!(loc.column >= 1 && loc.line >= 1, "{latex:?}: {e}");
    assert!(!e.snippet(latex).is_empty());
    assert!(!e.to_string().is_empty());
}

fn check(latex: &str, display: bool) {
    let f = match Formula::parse(latex, display) {
        Ok(f) => f,
        Err(e) => return check_error(latex, &e),
    };
    let _ = f.oneline();
    let ml = f.mathml();
    assert!(
        ml.starts_with("<math") && ml.ends_with("</math>"),
        "{latex:?}"
    );
    match f.layout() {
        Ok(block) => {
            let text = block.to_text();
            assert_eq!(text.split('\n').count(), block.rows(), "{latex:?}");
            assert!(
                text.split('\n').all(|l| !l.ends_with(' ')),
                "{latex:?}:\n{text}"
            );
        }
        Err(e) => check_error(latex, &e),
    }
    // The picture's boxes are finite, and a small picture draws.
    let b = picture::typeset(f.nodes(), display);
    assert!(
        [b.width, b.height, b.depth].iter().all(|v| v.is_finite()),
        "{latex:?}: {} {} {}",
        b.width,
        b.height,
        b.depth
    );
    if let Some((x0, y0, x1, y1)) = b.ink_bounds() {
        assert!([x0, y0, x1, y1].iter().all(|v| v.is_finite()), "{latex:?}");
    }
    let small = ImageOptions {
        size: 6.0,
        ..ImageOptions::default()
    };
    if let Ok(png) = f.png(&small) {
        assert!(
            png.width >= 1 && png.height >= 1 && !png.data.is_empty(),
            "{latex:?}"
        );
    }
}

fn iterations() -> usize {
    std::env::var("RENDER_MATH_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}

#[test]
fn random_fragments_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..iterations() {
        let s = random_input(&mut rng);
        check(&s, rng.below(2) == 0);
    }
}

#[test]
fn mutated_formulas_never_panic() {
    let mut rng = Rng(0xd1b5_4a32_d192_ed03);
    for _ in 0..iterations() {
        let mut s = SEEDS[rng.below(SEEDS.len())].to_owned();
        for _ in 0..1 + rng.below(4) {
            s = mutate(&mut rng, &s);
        }
        check(&s, rng.below(2) == 0);
    }
}

#[test]
fn every_prefix_of_every_seed_is_handled() {
    for seed in SEEDS {
        for (i, _) in seed.char_indices() {
            check(&seed[..i], true);
            check(&seed[i..], false);
        }
    }
}
