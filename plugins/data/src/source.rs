//! Where the data comes from (a granted file or inline text) and how it is
//! written: the format and, for CSV, the delimiter.

use std::borrow::Cow;
use std::io::Read;

use crate::error::DataError;
use crate::input::{Format, Input};

/// The bytes of the table and how to read them.
pub struct Source<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub format: Format,
    /// For CSV and TSV.
    pub delimiter: u8,
    /// The path, or "text" for inline data.
    pub origin: String,
}

/// Reads the data the input names and settles its format and delimiter.
pub fn open(input: &Input) -> Result<Source<'_>, DataError> {
    let (bytes, origin) = match (&input.path, &input.text) {
        (Some(path), None) => (Cow::Owned(read_file(path)?), path.clone()),
        (None, Some(text)) => (Cow::Borrowed(text.as_bytes()), "text".to_owned()),
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
    let bytes = strip_bom(bytes);
    let format = match input.format {
        Some(f) => f,
        None => input
            .path
            .as_deref()
            .and_then(format_from_extension)
            .unwrap_or_else(|| format_from_content(&bytes)),
    };
    let delimiter = match (&input.delimiter, format) {
        (Some(d), _) => parse_delimiter(d)?,
        (None, Format::Tsv) => b'\t',
        (None, _) => sniff_delimiter(&bytes),
    };
    Ok(Source {
        bytes,
        format,
        delimiter,
        origin,
    })
}

/// Reads a whole file. The size is known up front, so one buffer of that
/// size is filled with as few reads as the host allows: under WASI each read
/// is a host call, and small chunks cost time.
fn read_file(path: &str) -> Result<Vec<u8>, DataError> {
    let fail = |e: std::io::Error| {
        DataError::Read {
        path: path.to_owned(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file (files must be in a directory the host grants to this tool, under the path the host mounts it at, e.g. /data)".to_owned()
            }
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (the directory is not granted to this tool)".to_owned()
            }
            _ => e.to_string(),
        },
    }
    };
    let mut file = std::fs::File::open(path).map_err(fail)?;
    let metadata = file.metadata().map_err(fail)?;
    let size = metadata.len();
    if metadata.is_dir() {
        return Err(DataError::Read {
            path: path.to_owned(),
            reason: "it is a directory, not a file".to_owned(),
        });
    }
    let size = usize::try_from(size).map_err(|_| DataError::Read {
        path: path.to_owned(),
        reason: "the file is too large to load".to_owned(),
    })?;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(size + 1)
        .map_err(|_| DataError::Read {
            path: path.to_owned(),
            reason: format!("the file ({size} bytes) does not fit in this tool's memory limit"),
        })?;
    file.read_to_end(&mut bytes).map_err(fail)?;
    Ok(bytes)
}

fn strip_bom(bytes: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if !bytes.starts_with(BOM) {
        return bytes;
    }
    match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(&b[BOM.len()..]),
        Cow::Owned(mut v) => {
            v.drain(..BOM.len());
            Cow::Owned(v)
        }
    }
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
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
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
