//! Math alphabets: `\mathbb{R}` → `ℝ` through the Unicode Mathematical Alphanumeric
//! Symbols block, with the letters that Unicode encoded earlier elsewhere (its "holes").

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Font {
    /// Plain letters (math italic in print; shown as ASCII, which reads better in text).
    Normal,
    /// `\mathrm`, `\text`: plain letters, marked upright for MathML.
    Roman,
    Bold,
    Italic,
    BoldItalic,
    Script,
    Fraktur,
    DoubleStruck,
    SansSerif,
    Monospace,
}

impl Font {
    /// The MathML `mathvariant` to state for a plain letter in this font.
    pub fn is_upright(self) -> bool {
        self == Font::Roman
    }
}

/// Starts of the capital, small and digit runs in the alphanumeric block.
fn starts(font: Font) -> Option<(u32, u32, Option<u32>)> {
    Some(match font {
        Font::Normal | Font::Roman => return None,
        Font::Bold => (0x1D400, 0x1D41A, Some(0x1D7CE)),
        Font::Italic => (0x1D434, 0x1D44E, None),
        Font::BoldItalic => (0x1D468, 0x1D482, Some(0x1D7CE)),
        Font::Script => (0x1D49C, 0x1D4B6, None),
        Font::Fraktur => (0x1D504, 0x1D51E, None),
        Font::DoubleStruck => (0x1D538, 0x1D552, Some(0x1D7D8)),
        Font::SansSerif => (0x1D5A0, 0x1D5BA, Some(0x1D7E2)),
        Font::Monospace => (0x1D670, 0x1D68A, Some(0x1D7F6)),
    })
}

fn hole(font: Font, c: char) -> Option<char> {
    Some(match (font, c) {
        (Font::Italic, 'h') => 'ℎ',
        (Font::Script, 'B') => 'ℬ',
        (Font::Script, 'E') => 'ℰ',
        (Font::Script, 'F') => 'ℱ',
        (Font::Script, 'H') => 'ℋ',
        (Font::Script, 'I') => 'ℐ',
        (Font::Script, 'L') => 'ℒ',
        (Font::Script, 'M') => 'ℳ',
        (Font::Script, 'R') => 'ℛ',
        (Font::Script, 'e') => 'ℯ',
        (Font::Script, 'g') => 'ℊ',
        (Font::Script, 'o') => 'ℴ',
        (Font::Fraktur, 'C') => 'ℭ',
        (Font::Fraktur, 'H') => 'ℌ',
        (Font::Fraktur, 'I') => 'ℑ',
        (Font::Fraktur, 'R') => 'ℜ',
        (Font::Fraktur, 'Z') => 'ℨ',
        (Font::DoubleStruck, 'C') => 'ℂ',
        (Font::DoubleStruck, 'H') => 'ℍ',
        (Font::DoubleStruck, 'N') => 'ℕ',
        (Font::DoubleStruck, 'P') => 'ℙ',
        (Font::DoubleStruck, 'Q') => 'ℚ',
        (Font::DoubleStruck, 'R') => 'ℝ',
        (Font::DoubleStruck, 'Z') => 'ℤ',
        _ => return None,
    })
}

/// Greek capitals and smalls of the bold, italic and bold-italic alphabets.
fn greek_starts(font: Font) -> Option<(u32, u32)> {
    match font {
        Font::Bold => Some((0x1D6A8, 0x1D6C2)),
        Font::Italic => Some((0x1D6E2, 0x1D6FC)),
        Font::BoldItalic => Some((0x1D71C, 0x1D736)),
        _ => None,
    }
}

/// `c` in `font`; characters the font has no form for are returned unchanged.
pub fn map(font: Font, c: char) -> char {
    let Some((cap, small, digit)) = starts(font) else {
        return c;
    };
    if let Some(h) = hole(font, c) {
        return h;
    }
    let code = match c {
        'A'..='Z' => cap + (c as u32 - 'A' as u32),
        'a'..='z' => small + (c as u32 - 'a' as u32),
        '0'..='9' => match digit {
            Some(d) => d + (c as u32 - '0' as u32),
            None => return c,
        },
        // Α..Ω, with the unassigned U+03A2 never reaching here from real text.
        'Α'..='Ω' | 'α'..='ω' => match greek_starts(font) {
            Some((gcap, _)) if c <= 'Ω' => gcap + (c as u32 - 'Α' as u32),
            Some((_, gsmall)) => gsmall + (c as u32 - 'α' as u32),
            None => return c,
        },
        _ => return c,
    };
    char::from_u32(code).unwrap_or(c)
}

/// The inverse of [`map`]: the font and plain character a styled character stands for,
/// for drawing it with a font that lacks the styled form. `None` for plain characters.
pub fn unmap(c: char) -> Option<(Font, char)> {
    const FONTS: [Font; 8] = [
        Font::Bold,
        Font::Italic,
        Font::BoldItalic,
        Font::Script,
        Font::Fraktur,
        Font::DoubleStruck,
        Font::SansSerif,
        Font::Monospace,
    ];
    if c.is_ascii() {
        return None;
    }
    let plain = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain('Α'..='Ω')
        .chain('α'..='ω');
    for p in plain {
        for f in FONTS {
            if map(f, p) == c {
                return Some((f, p));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabets_and_holes() {
        assert_eq!(map(Font::DoubleStruck, 'R'), 'ℝ');
        assert_eq!(map(Font::DoubleStruck, 'A'), '𝔸');
        assert_eq!(map(Font::DoubleStruck, '1'), '𝟙');
        assert_eq!(map(Font::Bold, 'x'), '𝐱');
        assert_eq!(map(Font::Bold, '2'), '𝟐');
        assert_eq!(map(Font::Bold, 'α'), '𝛂');
        assert_eq!(map(Font::Bold, 'Ω'), '𝛀');
        assert_eq!(map(Font::Italic, 'h'), 'ℎ');
        assert_eq!(map(Font::Italic, 'x'), '𝑥');
        assert_eq!(map(Font::Script, 'L'), 'ℒ');
        assert_eq!(map(Font::Script, 'A'), '𝒜');
        assert_eq!(map(Font::Fraktur, 'g'), '𝔤');
        assert_eq!(map(Font::Monospace, 'a'), '𝚊');
        assert_eq!(map(Font::SansSerif, 'A'), '𝖠');
        assert_eq!(map(Font::Roman, 'x'), 'x');
        assert_eq!(map(Font::DoubleStruck, '+'), '+');
        assert_eq!(map(Font::Script, '1'), '1');
    }

    #[test]
    fn unmap_inverts_map() {
        assert_eq!(unmap('𝐱'), Some((Font::Bold, 'x')));
        assert_eq!(unmap('ℒ'), Some((Font::Script, 'L')));
        assert_eq!(unmap('𝔤'), Some((Font::Fraktur, 'g')));
        assert_eq!(unmap('𝛀'), Some((Font::Bold, 'Ω')));
        assert_eq!(unmap('x'), None);
        assert_eq!(unmap('∑'), None);
    }
}
