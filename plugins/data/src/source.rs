//! Where the data comes from (a granted file or inline text) and how it is
//! written: the format and, for CSV, the delimiter.

use crate::chunks::Chunks;
use crate::error::DataError;
use crate::input::{Format, Input};

/// The bytes of the table and how to read them.
pub struct Source<'a> {
    /// CSV is read through the window as it is parsed; JSON is read whole.
    pub chunks: Chunks<'a>,
    pub format: Format,
    /// For CSV and TSV.
    pub delimiter: u8,
    /// The path, or "text" for inline data.
    pub origin: String,
}

/// Opens the data the input names and settles its format and delimiter
/// from its name or its first bytes.
pub fn open(input: &Input) -> Result<Source<'_>, DataError> {
    let (mut chunks, origin) = match (&input.path, &input.text) {
        (Some(path), None) => (Chunks::file(path, 0)?, path.clone()),
        (None, Some(text)) => (Chunks::text(text.as_bytes()), "text".to_owned()),
        (Some(_), Some(_)) => {
            return Err(DataError::option(
                "/text",
                "give either `path` or `text`, not both",
            ));
        }
        (None, None) => {
            return Err(DataError::option(
                "/path",
                "no data: give `path` (a file in a granted directory, e.g. /data/sales.csv) or `text` (the data inline)",
            ));
        }
    };
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if chunks.window().starts_with(BOM) {
        chunks.advance(BOM.len())?;
    }
    let format = match input.format {
        Some(f) => f,
        None => input
            .path
            .as_deref()
            .and_then(format_from_extension)
            .unwrap_or_else(|| format_from_content(chunks.window())),
    };
    if matches!(format, Format::Json | Format::Jsonl) {
        chunks.read_all()?;
    }
    let delimiter = match (&input.delimiter, format) {
        (Some(d), _) => parse_delimiter(d)?,
        (None, Format::Tsv) => b'\t',
        (None, _) => sniff_delimiter(chunks.window()),
    };
    Ok(Source {
        chunks,
        format,
        delimiter,
        origin,
    })
}

fn format_from_extension(path: &str) -> Option<Format> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "csv" => Format::Csv,
        "tsv" | "tab" => Format::Tsv,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Jsonl,
        _ => return None,
    })
}

fn format_from_content(bytes: &[u8]) -> Format {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Format::Json,
        Some(b'{') => Format::Jsonl,
        _ => Format::Csv,
    }
}

fn parse_delimiter(d: &str) -> Result<u8, DataError> {
    let byte = match d {
        "tab" | "\\t" => b'\t',
        _ if d.len() == 1 => d.as_bytes()[0],
        _ => 0,
    };
    if byte == 0 || matches!(byte, b'"' | b'\n' | b'\r') || !byte.is_ascii() {
        return Err(DataError::option(
            "/delimiter",
            format!(
                "delimiter {d:?} is not usable: give one ASCII character other than a quote or line break, e.g. \",\", \";\", \"\\t\" or \"|\""
            ),
        ));
    }
    Ok(byte)
}

/// Candidates in order of preference when equally plausible.
const DELIMITERS: [u8; 4] = *b",;\t|";
/// How much of the start of the data the sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_LINES: usize = 20;

/// The candidate that splits the first lines into the same number of
/// fields on every line, the most fields winning; else the one most frequent
/// on the first line; comma when nothing fits.
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let mut lines: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let complete = sample.len() == bytes.len();
    for (i, &c) in sample.iter().enumerate() {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines.push(counts);
                counts = [0; 4];
                if lines.len() == SNIFF_LINES {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(k) = DELIMITERS.iter().position(|&d| d == c) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
        if complete && i + 1 == sample.len() && c != b'\n' {
            lines.push(counts);
        }
    }
    if lines.is_empty() {
        lines.push(counts);
    }
    let consistent = (0..DELIMITERS.len())
        .filter(|&k| lines[0][k] > 0 && lines.iter().all(|l| l[k] == lines[0][k]))
        .max_by_key(|&k| (lines[0][k], std::cmp::Reverse(k)));
    let k = consistent.or_else(|| {
        (0..DELIMITERS.len())
            .filter(|&k| lines[0][k] > 0)
            .max_by_key(|&k| (lines[0][k], std::cmp::Reverse(k)))
    });
    k.map_or(b',', |k| DELIMITERS[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_delimiter_that_splits_every_line_alike() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2"), b'\t');
        assert_eq!(sniff_delimiter(b"name|note\nx|\"a,b,c\"\n"), b'|');
        assert_eq!(sniff_delimiter(b"just one column\n1\n"), b',');
        // Semicolons inside quotes do not count.
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y;z\",2\n"), b',');
    }

    #[test]
    fn formats_from_extension_then_content() {
        assert_eq!(format_from_extension("/data/x.TSV"), Some(Format::Tsv));
        assert_eq!(format_from_extension("/data/x.ndjson"), Some(Format::Jsonl));
        assert_eq!(format_from_extension("/data/x"), None);
        assert_eq!(format_from_content(b"  [{\"a\":1}]"), Format::Json);
        assert_eq!(format_from_content(b"{\"a\":1}\n{\"a\":2}"), Format::Jsonl);
        assert_eq!(format_from_content(b"a,b\n1,2"), Format::Csv);
    }

    #[test]
    fn delimiter_option_takes_one_character() {
        assert_eq!(parse_delimiter(";").unwrap(), b';');
        assert_eq!(parse_delimiter("\t").unwrap(), b'\t');
        assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
        for bad in ["", ";;", "\"", "é"] {
            assert!(parse_delimiter(bad).is_err(), "{bad:?}");
        }
    }
}
