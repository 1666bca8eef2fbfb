//! A byte-level CSV scanner (RFC 4180): records of fields, with quoted fields
//! that may hold delimiters, line breaks and doubled quotes.
//!
//! The scanner only finds where fields are; it copies nothing. A field is a
//! byte range of the input, and a quoted one with doubled quotes is unescaped
//! by [`Field::text`] only when its text is wanted.

use std::borrow::Cow;

use super::masks::bytes_equal;

/// Where one field lies in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's content: inside the quotes for a quoted field.
    pub start: usize,
    pub end: usize,
    /// A quoted field holding `""`, which stands for one quote.
    pub escaped: bool,
}

impl Field {
    /// The raw bytes, quotes still doubled.
    #[inline]
    pub fn raw<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        &input[self.start..self.end]
    }

    /// The bytes the field stands for.
    pub fn text<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        let raw = self.raw(input);
        if !self.escaped {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            out.push(raw[i]);
            // Inside a quoted field every quote is doubled.
            i += if raw[i] == b'"' { 2 } else { 1 };
        }
        Cow::Owned(out)
    }
}

/// A malformed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// 1-based line of the fault.
    pub line: usize,
    /// 0-based index of the field in its record.
    pub field: usize,
    pub message: String,
}

/// Reads records one after another.
pub struct Scanner<'a> {
    input: &'a [u8],
    pos: usize,
    delimiter: u8,
    /// 1-based line at `pos`.
    line: usize,
    ends: Ends,
}

impl<'a> Scanner<'a> {
    /// Starts at byte `pos`, which is on line `line`.
    pub fn new(input: &'a [u8], delimiter: u8, pos: usize, line: usize) -> Self {
        Scanner {
            input,
            pos,
            delimiter,
            line,
            ends: Ends::new(),
        }
    }

    /// Byte offset of the next record.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// 1-based line where the next record starts.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Reads the next record's fields into `fields` and returns the line it
    /// starts on, or `None` at the end. Blank lines are skipped.
    #[inline]
    pub fn next_record(&mut self, fields: &mut Vec<Field>) -> Result<Option<usize>, ScanError> {
        fields.clear();
        let b = self.input;
        // Blank lines hold no record.
        loop {
            match b.get(self.pos) {
                None => return Ok(None),
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b'\r') => {
                    self.pos += 1;
                    if b.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                }
                Some(_) => break,
            }
        }
        let start_line = self.line;
        let delimiter = self.delimiter;
        let mut pos = self.pos;
        // A local copy stays in registers across the loop.
        let mut ends = self.ends;
        loop {
            if pos < b.len() && b[pos] == b'"' {
                pos = self.quoted(pos, fields)?;
            } else {
                let start = pos;
                pos = ends.find(b, pos, delimiter);
                fields.push(Field {
                    start,
                    end: pos,
                    escaped: false,
                });
            }
            match b.get(pos) {
                Some(&c) if c == delimiter => pos += 1,
                Some(b'\n') => {
                    pos += 1;
                    self.line += 1;
                    break;
                }
                Some(b'\r') => {
                    pos += 1;
                    if b.get(pos) == Some(&b'\n') {
                        pos += 1;
                    }
                    self.line += 1;
                    break;
                }
                Some(_) => unreachable!("a field ends at a delimiter, a line break or the end"),
                None => break,
            }
        }
        self.pos = pos;
        self.ends = ends;
        Ok(Some(start_line))
    }

    /// Scans the quoted field whose opening quote is at `open`; returns the
    /// offset just past the closing quote.
    #[cold]
    fn quoted(&mut self, open: usize, fields: &mut Vec<Field>) -> Result<usize, ScanError> {
        let b = self.input;
        let open_line = self.line;
        let mut pos = open + 1;
        let mut escaped = false;
        loop {
            match b[pos.min(b.len())..]
                .iter()
                .position(|&c| c == b'"' || c == b'\n')
            {
                None => {
                    return Err(ScanError {
                        line: open_line,
                        field: fields.len(),
                        message:
                            "a quoted field is never closed: its opening quote has no closing quote"
                                .into(),
                    });
                }
                Some(n) => {
                    pos += n;
                    if b[pos] == b'\n' {
                        self.line += 1;
                        pos += 1;
                    } else if b.get(pos + 1) == Some(&b'"') {
                        escaped = true;
                        pos += 2;
                    } else {
                        break;
                    }
                }
            }
        }
        fields.push(Field {
            start: open + 1,
            end: pos,
            escaped,
        });
        let after = pos + 1;
        match b.get(after) {
            None | Some(b'\n' | b'\r') => Ok(after),
            Some(&c) if c == self.delimiter => Ok(after),
            Some(_) => Err(ScanError {
                line: self.line,
                field: fields.len() - 1,
                message: format!(
                    "text follows the closing quote of a quoted field (a quote inside quotes is written twice, \"\"); the field starts \"{}",
                    preview(&b[open + 1..after.min(b.len())])
                ),
            }),
        }
    }
}

/// Where fields end: delimiters and line breaks, found eight bytes at a
/// time. Fields are short, so the matches of one word usually end the next
/// field too; they are kept for it.
#[derive(Clone, Copy)]
struct Ends {
    word_start: usize,
    /// Matches of the word at `word_start` (high bit of each matching byte).
    hits: u64,
}

impl Ends {
    fn new() -> Self {
        // Nothing cached: no word starts this far before any offset.
        Ends {
            word_start: usize::MAX - 8,
            hits: 0,
        }
    }

    /// The offset of the first delimiter or line break at or after `pos`,
    /// or the end of `b`.
    #[inline(always)]
    fn find(&mut self, b: &[u8], mut pos: usize, delimiter: u8) -> usize {
        let rel = pos.wrapping_sub(self.word_start);
        if rel < 8 {
            let remaining = self.hits & (!0u64 << (rel * 8));
            if remaining != 0 {
                return self.word_start + (remaining.trailing_zeros() / 8) as usize;
            }
            pos = self.word_start + 8;
        }
        while let Some(chunk) = b.get(pos..pos + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let hits =
                bytes_equal(word, delimiter) | bytes_equal(word, b'\n') | bytes_equal(word, b'\r');
            if hits != 0 {
                self.word_start = pos;
                self.hits = hits;
                return pos + (hits.trailing_zeros() / 8) as usize;
            }
            pos += 8;
        }
        while pos < b.len() {
            let c = b[pos];
            if c == delimiter || c == b'\n' || c == b'\r' {
                break;
            }
            pos += 1;
        }
        pos
    }
}

#[cfg(test)]
fn field_end(b: &[u8], pos: usize, delimiter: u8) -> usize {
    Ends::new().find(b, pos, delimiter)
}

/// The start of a field for a message, on one line.
fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line: String = text
        .chars()
        .take(30)
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str, delimiter: u8) -> Result<Vec<(usize, Vec<String>)>, ScanError> {
        let mut s = Scanner::new(input.as_bytes(), delimiter, 0, 1);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = s.next_record(&mut fields)? {
            let texts = fields
                .iter()
                .map(|f| String::from_utf8(f.text(input.as_bytes()).into_owned()).unwrap())
                .collect();
            out.push((line, texts));
        }
        Ok(out)
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plain_records_with_any_line_ending() {
        let got = records("a,b,c\r\n1,,3\n\n4,5,6\r7,8,9", b',').unwrap();
        assert_eq!(
            got,
            vec![
                (1, strs(&["a", "b", "c"])),
                (2, strs(&["1", "", "3"])),
                (4, strs(&["4", "5", "6"])),
                (5, strs(&["7", "8", "9"])),
            ]
        );
        assert_eq!(records("x;y\n1;2\n", b';').unwrap()[1].1, strs(&["1", "2"]));
        assert_eq!(records("1,\n", b',').unwrap()[0].1, strs(&["1", ""]));
    }

    #[test]
    fn quoted_fields_hold_delimiters_line_breaks_and_quotes() {
        let input = "id,note\n1,\"a, b\"\n2,\"two\nlines\"\n3,\"say \"\"hi\"\"\"\n4,\"\"\n";
        let got = records(input, b',').unwrap();
        assert_eq!(got[1], (2, strs(&["1", "a, b"])));
        assert_eq!(got[2], (3, strs(&["2", "two\nlines"])));
        // The record after a two-line field starts on line 5.
        assert_eq!(got[3], (5, strs(&["3", "say \"hi\""])));
        assert_eq!(got[4], (6, strs(&["4", ""])));
    }

    #[test]
    fn field_ends_are_found_at_every_offset_of_a_word() {
        for len in 0..20 {
            for (stop, byte) in [(true, b','), (true, b'\n'), (true, b'\r'), (false, b';')] {
                let mut input = vec![b'x'; len];
                input.push(byte);
                input.extend_from_slice(b"yyyyyyyyy,");
                let end = field_end(&input, 0, b',');
                let expected = if stop { len } else { input.len() - 1 };
                assert_eq!(end, expected, "len {len}, byte {byte}");
            }
        }
        assert_eq!(field_end(b"abc", 0, b','), 3);
        // Bytes with the high bit set (UTF-8) are not mistaken for delimiters.
        assert_eq!(field_end("é€,".as_bytes(), 0, b','), 5);
        // Nor is the byte after a match that differs from it in the low bit.
        let mut ends = Ends::new();
        let input = b",-5,-,x-\n12345678";
        let mut found = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let end = ends.find(input, pos, b',');
            found.push(end);
            pos = end + 1;
        }
        assert_eq!(found, [0, 3, 5, 8, 17]);
    }

    #[test]
    fn malformed_quotes_name_their_line() {
        let e = records("a,b\n1,\"open\n2,3\n", b',').unwrap_err();
        assert_eq!((e.line, e.field), (2, 1));
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = records("a,b\n\n1,\"x\"y,2\n", b',').unwrap_err();
        assert_eq!((e.line, e.field), (3, 1));
        assert!(
            e.message.contains("follows the closing quote"),
            "{}",
            e.message
        );
    }
}
