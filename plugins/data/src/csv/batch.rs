//! Batches of records, found 64 bytes at a time.
//!
//! Most CSV has no quotes, and ends its lines with `\n` or `\r\n`. There every
//! delimiter and line break ends a field, so one mask of a block's delimiters
//! and line breaks lists its fields without a look at each byte. A record
//! that holds a quote or a lone `\r` is handed to the careful [`Scanner`],
//! from its first byte, and the blocks resume after it.

use super::masks::masks;
use super::scanner::{Field, ScanError, Scanner};

/// Marks an escaped field in the top bit of [`Span::end`].
const ESCAPED: u32 = 1 << 31;

/// The largest input a batch can address: offsets are kept in 31 bits, so
/// that a batch of a thousand rows stays small enough for the cache.
pub const MAX_INPUT: usize = ESCAPED as usize - 1;

/// A [`Field`] in eight bytes.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    /// The end, with [`ESCAPED`] set for a quoted field holding `""`.
    end: u32,
}

/// Consecutive records of one table, every one `width` fields wide.
pub struct Batch {
    width: usize,
    /// Row after row; entries past the batch's rows are left over.
    spans: Vec<Span>,
    /// The 1-based line each row starts on.
    lines: Vec<usize>,
}

impl Batch {
    pub fn new(width: usize) -> Self {
        Batch {
            width,
            spans: Vec::new(),
            lines: Vec::new(),
        }
    }

    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// The line row `r` starts on.
    pub fn line(&self, r: usize) -> usize {
        self.lines[r]
    }

    /// Field `j` of row `r`.
    #[inline(always)]
    pub fn field(&self, r: usize, j: usize) -> Field {
        let span = self.spans[r * self.width + j];
        Field {
            start: span.start as usize,
            end: (span.end & !ESCAPED) as usize,
            escaped: span.end & ESCAPED != 0,
        }
    }
}

/// Why a record could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// Malformed quotes, as the scanner reports them.
    Scan(ScanError),
    /// A record with `found` fields, starting on `line`, where the table is
    /// narrower or wider.
    Ragged { line: usize, found: usize },
}

/// Reads the records of one table in batches.
pub struct BatchReader<'a> {
    input: &'a [u8],
    delimiter: u8,
    width: usize,
    /// The start of the next record, and its 1-based line.
    pos: usize,
    line: usize,
    /// The careful scanner's fields.
    scanned: Vec<Field>,
    /// `input` holds the rest of the data; otherwise more may follow it.
    complete: bool,
    /// The last batch stopped at a record the input holds only part of.
    wants_more: bool,
}

/// What the scanner made of one record.
enum Careful {
    /// Read: the next record starts at this offset and line; the record
    /// read started on the third.
    Read(usize, usize, usize),
    /// Only blank lines are left.
    End,
    /// The record may go on past the input, which is not complete.
    Cut,
}

impl<'a> BatchReader<'a> {
    /// Reads records of `width` fields from byte `pos`, which is on `line`;
    /// `complete` says that `input` runs to the end of the data. `None` if
    /// the input is larger than [`MAX_INPUT`].
    pub fn new(
        input: &'a [u8],
        delimiter: u8,
        width: usize,
        (pos, line): (usize, usize),
        complete: bool,
    ) -> Option<Self> {
        (input.len() <= MAX_INPUT).then(|| BatchReader {
            input,
            delimiter,
            width,
            pos,
            line,
            scanned: Vec::new(),
            complete,
            wants_more: false,
        })
    }

    /// Where the next record starts: its offset and line.
    pub fn position(&self) -> (usize, usize) {
        (self.pos, self.line)
    }

    /// Whether the last batch stopped short at the end of an incomplete
    /// input: the caller should read on and start a reader where this one
    /// stopped.
    pub fn wants_more(&self) -> bool {
        self.wants_more
    }

    /// Replaces `batch` with the next `rows` records, or as many as are
    /// left (or, see [`wants_more`](Self::wants_more), as many as the input
    /// holds whole). Blank lines hold no record.
    pub fn next_batch(&mut self, batch: &mut Batch, rows: usize) -> Result<(), RecordError> {
        self.wants_more = false;
        let b = self.input;
        let width = self.width;
        // Spans are written by index into room made once (a record never
        // gets more than `width` before it is done or handed on), which
        // spares a capacity check per field; rows past `lines` are stale.
        let room = rows * width + width;
        if batch.spans.len() < room {
            batch.spans.resize(room, Span { start: 0, end: 0 });
        }
        let spans = &mut batch.spans[..];
        let lines = &mut batch.lines;
        lines.clear();
        let mut n = 0;
        // The record being read, its line, the field being read within it,
        // how many of its fields are in the batch, and the next block.
        let mut record = self.pos;
        let mut line = self.line;
        let mut field = record;
        let mut fields = 0;
        let mut block = record;
        while lines.len() < rows {
            // The last bytes, fewer than a block, go to the scanner.
            if let Some(bytes) = b.get(block..block + 64) {
                let bytes: &[u8; 64] = bytes.try_into().unwrap_or(&[0; 64]);
                let m = masks(bytes, self.delimiter);
                let stop = m.careful.trailing_zeros();
                let mut ends = m.ends & below(stop);
                let mut wide = false;
                while ends != 0 {
                    let i = ends.trailing_zeros() as usize;
                    ends &= ends - 1;
                    let end = block + i;
                    spans[n] = Span {
                        start: field as u32,
                        end: end as u32,
                    };
                    n += 1;
                    fields += 1;
                    field = end + 1;
                    if m.newlines >> i & 1 == 0 {
                        if fields == width {
                            // More fields than the header: the scanner
                            // counts them for the message.
                            wide = true;
                            break;
                        }
                        continue;
                    }
                    let last = &mut spans[n - 1];
                    // `\r` before `\n` is part of the line break.
                    if end > last.start as usize && b[end - 1] == b'\r' {
                        last.end -= 1;
                    }
                    if fields == 1 && last.start == last.end {
                        n -= 1;
                    } else if fields == width {
                        lines.push(line);
                    } else {
                        return Err(RecordError::Ragged {
                            line,
                            found: fields,
                        });
                    }
                    line += 1;
                    fields = 0;
                    record = field;
                    if lines.len() == rows {
                        break;
                    }
                }
                if lines.len() == rows {
                    break;
                }
                if stop == 64 && !wide {
                    block += 64;
                    continue;
                }
            }
            // A quote or a lone `\r` lies in this record, it is too wide, or
            // the input ends within a block: the scanner reads the record
            // from its start.
            n -= fields;
            fields = 0;
            match self.careful(record, line, &mut spans[n..n + width])? {
                Careful::Read(next, next_line, start_line) => {
                    n += width;
                    lines.push(start_line);
                    record = next;
                    line = next_line;
                    field = next;
                    block = next;
                }
                Careful::End => {
                    record = b.len();
                    break;
                }
                Careful::Cut => {
                    self.wants_more = true;
                    break;
                }
            }
        }
        self.pos = record;
        self.line = line;
        Ok(())
    }

    /// Reads one record at `record` (on `line`) with the scanner into
    /// `out`, which has room for one record.
    #[cold]
    fn careful(
        &mut self,
        record: usize,
        line: usize,
        out: &mut [Span],
    ) -> Result<Careful, RecordError> {
        let mut scanner = Scanner::new(self.input, self.delimiter, record, line);
        let scanned = scanner.next_record(&mut self.scanned);
        // A record that reaches the end of an incomplete input may go on
        // after it (an open quote, or `\r` whose `\n` is still unread).
        if !self.complete
            && !matches!(scanned, Ok(Some(_)) if scanner.position() < self.input.len())
        {
            return Ok(Careful::Cut);
        }
        let Some(start_line) = scanned.map_err(RecordError::Scan)? else {
            return Ok(Careful::End);
        };
        if self.scanned.len() != self.width {
            return Err(RecordError::Ragged {
                line: start_line,
                found: self.scanned.len(),
            });
        }
        for (span, f) in out.iter_mut().zip(&self.scanned) {
            *span = Span {
                start: f.start as u32,
                end: f.end as u32 | if f.escaped { ESCAPED } else { 0 },
            };
        }
        Ok(Careful::Read(
            scanner.position(),
            scanner.line(),
            start_line,
        ))
    }
}

/// The bits below bit `n` (all 64 for `n` = 64).
#[inline(always)]
fn below(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1 << n) - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records and their lines as the scanner alone reads them, or its error.
    fn scanned(input: &[u8], width: usize) -> Result<Vec<(usize, Vec<Field>)>, RecordError> {
        let mut scanner = Scanner::new(input, b',', 0, 1);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = scanner
            .next_record(&mut fields)
            .map_err(RecordError::Scan)?
        {
            if fields.len() != width {
                return Err(RecordError::Ragged {
                    line,
                    found: fields.len(),
                });
            }
            out.push((line, fields.clone()));
        }
        Ok(out)
    }

    fn batched(
        input: &[u8],
        width: usize,
        rows: usize,
    ) -> Result<Vec<(usize, Vec<Field>)>, RecordError> {
        let mut reader = BatchReader::new(input, b',', width, (0, 1), true).expect("small input");
        let mut batch = Batch::new(width);
        let mut out = Vec::new();
        loop {
            reader.next_batch(&mut batch, rows)?;
            for r in 0..batch.rows() {
                let fields = (0..width).map(|j| batch.field(r, j)).collect();
                out.push((batch.line(r), fields));
            }
            if batch.rows() < rows {
                return Ok(out);
            }
        }
    }

    /// Like [`batched`], but through windows of the input that move on as
    /// the loader moves them: each new window starts at the first unread
    /// record and is `step` bytes, or twice what was left, long.
    fn windowed(
        input: &[u8],
        width: usize,
        rows: usize,
        step: usize,
    ) -> Result<Vec<(usize, Vec<Field>)>, RecordError> {
        let (mut offset, mut line) = (0, 1);
        let mut end = step.min(input.len());
        let mut out = Vec::new();
        let mut batch = Batch::new(width);
        loop {
            let complete = end == input.len();
            let window = &input[offset..end];
            let mut reader =
                BatchReader::new(window, b',', width, (0, line), complete).expect("small input");
            loop {
                reader.next_batch(&mut batch, rows)?;
                for r in 0..batch.rows() {
                    let fields = (0..width)
                        .map(|j| {
                            let f = batch.field(r, j);
                            Field {
                                start: f.start + offset,
                                end: f.end + offset,
                                escaped: f.escaped,
                            }
                        })
                        .collect();
                    out.push((batch.line(r), fields));
                }
                if reader.wants_more() {
                    break;
                }
                if batch.rows() < rows {
                    return Ok(out);
                }
            }
            assert!(!complete, "a complete input never wants more");
            let (pos, next_line) = reader.position();
            let left = window.len() - pos;
            offset += pos;
            line = next_line;
            end = (offset + step.max(2 * left)).min(input.len());
        }
    }

    /// A random table: mostly plain cells, some quoted (with delimiters,
    /// quotes and line breaks inside), `\n`, `\r\n` or lone `\r` line ends,
    /// blank lines, cells long enough to cross blocks, and now and then a
    /// row of the wrong width or a stray quote.
    fn random_csv(seed: u64, width: usize, flaws: bool) -> Vec<u8> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut out = Vec::new();
        let rows = 1 + next(60);
        for _ in 0..rows {
            let line_end: &[u8] = match next(20) {
                0 => b"\r",
                1..=6 => b"\r\n",
                _ => b"\n",
            };
            if next(15) == 0 {
                out.extend_from_slice(line_end);
                continue;
            }
            let cells = if flaws && next(40) == 0 {
                width + 1
            } else {
                width
            };
            for c in 0..cells {
                if c > 0 {
                    out.push(b',');
                }
                match next(12) {
                    0 => out.extend_from_slice(b"\"a, \"\"b\"\"\nc\""),
                    1 => out.extend_from_slice(b"\"plain quoted\""),
                    2 => out.extend(std::iter::repeat_n(b'x', 40 + next(100) as usize)),
                    3 => {}
                    4 if flaws && next(10) == 0 => out.extend_from_slice(b"\"open"),
                    _ => {
                        let len = next(9);
                        out.extend((0..len).map(|_| b"0123456789.-ab"[next(14) as usize]));
                    }
                }
            }
            out.extend_from_slice(line_end);
        }
        out
    }

    #[test]
    fn batches_read_exactly_what_the_scanner_reads() {
        for seed in 0..3000 {
            let width = 1 + (seed % 7) as usize;
            let input = random_csv(seed, width, seed % 3 == 0);
            let expected = scanned(&input, width);
            for (rows, step) in [
                (1, 0),
                (3, 0),
                (1000, 0),
                (1000, 1),
                (3, 50),
                (1000, 64),
                (7, 200),
            ] {
                let got = if step == 0 {
                    batched(&input, width, rows)
                } else {
                    windowed(&input, width, rows, step)
                };
                match (&got, &expected) {
                    // The scanner alone stops at the first bad record; the
                    // batches must stop there too, having read what it read.
                    (Err(a), Err(b)) => assert_eq!(a, b, "seed {seed}"),
                    _ => assert_eq!(
                        got,
                        expected,
                        "seed {seed}, {}",
                        String::from_utf8_lossy(&input)
                    ),
                }
            }
        }
    }

    #[test]
    fn a_batch_resumes_where_the_last_one_stopped() {
        let input = "a,b\n1,2\n3,4\n\n5,6\r\n\"7\",8\n".repeat(40);
        let all = batched(input.as_bytes(), 2, 1000).unwrap();
        assert_eq!(all.len(), 200);
        assert_eq!(all[199].0, 240, "blank lines count as lines");
        for rows in [1, 2, 7, 64] {
            assert_eq!(
                batched(input.as_bytes(), 2, rows).unwrap(),
                all,
                "{rows} rows at a time"
            );
        }
    }
}
