//! The one-line summary `toolhost list` shows: a description's first sentence, never a
//! line cut where the source happened to wrap it. A sentence longer than the line is cut
//! at a word boundary and marked with an ellipsis.

use std::borrow::Cow;

/// Characters a summary may take in `list`'s last column.
pub const SUMMARY_WIDTH: usize = 100;

/// The first sentence of `description`'s first paragraph, at most `max` characters.
pub fn summary(description: &str, max: usize) -> Cow<'_, str> {
    let paragraph: Vec<&str> = description
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let joined = paragraph.join(" ");
    let sentence = match first_sentence_end(&joined) {
        Some(end) => &joined[..end],
        None => joined.as_str(),
    };
    if sentence.chars().count() <= max {
        return Cow::Owned(sentence.to_owned());
    }
    // Cut at the last space that leaves room for the ellipsis.
    let limit = sentence
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(sentence.len(), |(i, _)| i);
    let cut = sentence[..limit]
        .rfind(' ')
        .filter(|&i| i > 0)
        .unwrap_or(limit);
    let kept = sentence[..cut].trim_end_matches([' ', ',', ';', ':', '(', '-']);
    Cow::Owned(format!("{kept}…"))
}

/// The byte index just past the first sentence's final `.`, `!` or `?`: one followed by
/// the end or by a space (abbreviations such as `e.g.` and `i.e.` do not end one).
fn first_sentence_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'.' | b'!' | b'?') {
            continue;
        }
        let at_end = i + 1 == bytes.len();
        if !at_end && bytes[i + 1] != b' ' {
            continue;
        }
        let word_start = text[..i].rfind(' ').map_or(0, |s| s + 1);
        let word = text[word_start..i].to_ascii_lowercase();
        if matches!(
            word.as_str(),
            "e.g" | "i.e" | "etc" | "vs" | "cf" | "approx"
        ) {
            continue;
        }
        return Some(i + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_first_sentence_is_joined_not_cut_at_the_line_end() {
        let d = "Evaluate a math expression with variables, e.g. `2*x` or\n`sin(pi/4)`. Then more.\n\nDetails.";
        assert_eq!(
            summary(d, 100),
            "Evaluate a math expression with variables, e.g. `2*x` or `sin(pi/4)`."
        );
    }

    #[test]
    fn a_long_sentence_ends_at_a_word_with_an_ellipsis() {
        let d = "Draw line, scatter, bar and histogram charts of one or more series with titles and legends as sixel";
        let s = summary(d, 40);
        assert!(s.ends_with('…'), "{s}");
        assert!(s.chars().count() <= 40, "{s}");
        let body = s.trim_end_matches('…');
        assert!(
            d.starts_with(body) && d[body.len()..].starts_with(' '),
            "{s}"
        );
    }

    #[test]
    fn a_short_description_is_kept_whole() {
        assert_eq!(summary("Echo the input back", 100), "Echo the input back");
        assert_eq!(summary("", 100), "");
    }
}
