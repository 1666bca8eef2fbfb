//! How deeply a registry's YAML nests, measured in one pass before any parser sees it.
//! libyaml (under serde_yaml) slows down quadratically with nesting depth: 100,000 nested
//! `[` took 40 s to reject. A registry needs a handful of levels; deeper text is refused
//! with the line and column where it passed the bound.
//!
//! The scan follows flow brackets outside quotes and comments, and block collections by
//! their indentation and `- `/`? `/`: ` indicators. It may count a level too many (a
//! multi-line plain scalar), never one too few.

use super::Position;

/// Nesting accepted: far beyond what a registry needs.
pub const MAX_DEPTH: usize = 64;

/// `Err(position)` where the nesting first went past [`MAX_DEPTH`].
pub fn check(text: &str) -> Result<(), Position> {
    let mut scan = Scan::default();
    for (i, line) in text.lines().enumerate() {
        scan.line(line, i + 1)?;
    }
    Ok(())
}

#[derive(Default)]
struct Scan {
    /// The open block collections: column, and whether a sequence (else a mapping).
    blocks: Vec<(usize, bool)>,
    /// Open `[` and `{`.
    flow: usize,
    /// Inside a quoted scalar that continues on the next line.
    quote: Option<char>,
    /// Inside a block scalar (`|`, `>`) whose lines are indented past this column.
    block_scalar: Option<usize>,
}

fn is_sequence_entry(tail: &str) -> bool {
    tail.starts_with("- ") || tail == "-"
}

impl Scan {
    fn line(&mut self, line: &str, number: usize) -> Result<(), Position> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(parent) = self.block_scalar {
            if rest.is_empty() || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut at = indent;
        if self.quote.is_none() && self.flow == 0 {
            if rest.is_empty() || rest.starts_with('#') {
                return Ok(());
            }
            let sequence = is_sequence_entry(rest);
            while self.blocks.last().is_some_and(|&(c, _)| c > indent) {
                self.blocks.pop();
            }
            // A mapping key back at the column of a sequence's dashes ends the sequence.
            if !sequence && self.blocks.last() == Some(&(indent, true)) {
                self.blocks.pop();
            }
            match self.blocks.last() {
                Some(&(c, seq)) if c == indent && (seq == sequence || !sequence) => {}
                // A new collection; or a sequence at its parent key's column.
                _ => self.push_block(indent, sequence, number)?,
            }
            // `- - x`, `- key: x`, `? x`: each indicator opens a node further right.
            loop {
                let tail = &line[at..];
                let indicator = ["- ", "? ", ": "].iter().any(|i| tail.starts_with(i))
                    || matches!(tail, "-" | "?");
                if !indicator {
                    break;
                }
                at += 1;
                at += line[at..].len() - line[at..].trim_start_matches(' ').len();
                if at < line.len() {
                    self.push_block(at, is_sequence_entry(&line[at..]), number)?;
                }
            }
        }
        self.inline(line, at, number)
    }

    fn push_block(&mut self, column: usize, sequence: bool, line: usize) -> Result<(), Position> {
        self.blocks.push((column, sequence));
        self.deep_enough(line, column)
    }

    fn deep_enough(&self, line: usize, column: usize) -> Result<(), Position> {
        if self.blocks.len() + self.flow > MAX_DEPTH {
            return Err(Position {
                line,
                column: column + 1,
            });
        }
        Ok(())
    }

    /// The rest of a line from byte `from`: quotes, comments, brackets, block scalars.
    fn inline(&mut self, line: &str, from: usize, number: usize) -> Result<(), Position> {
        let bytes = line.as_bytes();
        let mut i = from;
        let mut token_start = true;
        while i < bytes.len() {
            let c = bytes[i];
            if let Some(q) = self.quote {
                if q == '\'' && c == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                if q == '"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q as u8 {
                    self.quote = None;
                    token_start = false;
                }
                i += 1;
                continue;
            }
            match c {
                b'#' if token_start => return Ok(()),
                b'"' | b'\'' if token_start => self.quote = Some(c as char),
                b'[' | b'{' => {
                    self.flow += 1;
                    self.deep_enough(number, i)?;
                }
                b']' | b'}' => self.flow = self.flow.saturating_sub(1),
                b'|' | b'>' if token_start && self.flow == 0 && block_scalar_header(&line[i..]) => {
                    let parent = self.blocks.last().map_or(0, |&(c, _)| c);
                    self.block_scalar = Some(parent);
                    return Ok(());
                }
                _ => {}
            }
            token_start = matches!(c, b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-' | b'?');
            i += 1;
        }
        Ok(())
    }
}

/// `|`, `>`, with optional chomping and indentation indicators, then nothing or a comment.
fn block_scalar_header(text: &str) -> bool {
    let rest =
        text[1..].trim_start_matches(['+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_error(text: &str) -> Option<(usize, usize)> {
        check(text).err().map(|p| (p.line, p.column))
    }

    #[test]
    fn a_real_registry_passes() {
        let text = include_str!("../../../../tool_registry.yaml");
        assert_eq!(depth_error(text), None);
        let text = "tools:\n  - name: a\n    description: |\n      [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n    grants: {dirs: [{host: 'it''s [', guest: \"/d[\"}]}  # [[[[\n";
        assert_eq!(depth_error(text), None);
    }

    #[test]
    fn deep_flow_and_block_nesting_are_refused_where_they_pass_the_bound() {
        let flow = format!("tools: {}", "[".repeat(100_000));
        assert_eq!(depth_error(&flow), Some((1, 71)));
        let block = format!("tools:\n{}x\n", "- ".repeat(100));
        assert_eq!(depth_error(&block), Some((2, 127)));
        let indented: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(depth_error(&indented), Some((65, 65)));
        let ok = format!("a: {}{}", "[".repeat(60), "]".repeat(60));
        assert_eq!(depth_error(&ok), None);
    }
}
