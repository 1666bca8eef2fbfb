//! Text shaping for the page: long texts clipped in place (the rest one click away), and a
//! model's think/reasoning blocks set apart from what it said.

use serde::Serialize;

/// Lines of a clipped text shown before "show more".
pub const MAX_LINES: usize = 40;

/// A text cut after `limit` characters (and at a line end when one is near), so a huge
/// output costs the reader nothing until asked for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Clipped {
    pub head: String,
    /// What was cut, shown on demand.
    pub rest: Option<String>,
    /// Characters in `rest`.
    pub rest_chars: usize,
}

impl Clipped {
    pub fn new(text: &str, limit: usize) -> Self {
        // At most MAX_LINES lines as well: 2,000 characters of short lines fill screens.
        let by_lines = text
            .match_indices('\n')
            .nth(MAX_LINES - 1)
            .map(|(at, _)| at + 1)
            .filter(|&at| at < text.len());
        let by_chars = text.char_indices().nth(limit).map(|(at, _)| at);
        let Some(cut) = by_chars.into_iter().chain(by_lines).min() else {
            return Clipped {
                head: text.to_owned(),
                rest: None,
                rest_chars: 0,
            };
        };
        // Prefer to end the head at a line break in its last fifth.
        let cut = text[..cut]
            .rfind('\n')
            .filter(|&nl| nl >= cut - cut / 5)
            .map_or(cut, |nl| nl + 1);
        let rest = &text[cut..];
        Clipped {
            head: text[..cut].to_owned(),
            rest_chars: rest.chars().count(),
            rest: Some(rest.to_owned()),
        }
    }
}

/// Split `<think>…</think>` (and `<reasoning>…</reasoning>`) blocks from the rest of a
/// reply. An unclosed block runs to the end, as a reply cut by its token limit leaves it.
pub fn split_thinking(reply: &str) -> (Vec<String>, String) {
    const TAGS: [(&str, &str); 2] = [("<think>", "</think>"), ("<reasoning>", "</reasoning>")];
    let mut thinking = Vec::new();
    let mut said = String::new();
    let mut rest = reply;
    loop {
        let next = TAGS
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, *open, *close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            said.push_str(rest);
            break;
        };
        said.push_str(&rest[..at]);
        let inner = &rest[at + open.len()..];
        match inner.find(close) {
            Some(end) => {
                thinking.push(inner[..end].trim().to_owned());
                rest = &inner[end + close.len()..];
            }
            None => {
                thinking.push(inner.trim().to_owned());
                break;
            }
        }
    }
    thinking.retain(|t| !t.is_empty());
    (thinking, said)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_not_clipped_and_long_text_keeps_every_character() {
        assert_eq!(Clipped::new("abc", 10).rest, None);
        let long: String = (0..500).map(|i| format!("line {i}\n")).collect();
        let c = Clipped::new(&long, 100_000);
        assert_eq!(c.head.lines().count(), MAX_LINES, "cut by lines too");
        let c = Clipped::new(&long, 100);
        assert!(
            c.head.len() <= 100 && c.head.ends_with('\n'),
            "{:?}",
            c.head
        );
        assert_eq!(format!("{}{}", c.head, c.rest.clone().unwrap()), long);
        assert_eq!(c.rest_chars, long.len() - c.head.len());
        // Multi-byte characters are cut on a boundary.
        let wide = "é".repeat(50);
        let c = Clipped::new(&wide, 7);
        assert_eq!(c.head.chars().count(), 7);
    }

    #[test]
    fn think_blocks_are_set_apart_even_unclosed() {
        let (t, said) =
            split_thinking("<think>plan A</think>Here.<reasoning>why</reasoning> Done<think>cut");
        assert_eq!(t, ["plan A", "why", "cut"]);
        assert_eq!(said, "Here. Done");
    }
}
