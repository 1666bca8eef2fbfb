//! Bytes to text: the media type, and the character encoding from (in order) a byte-order
//! mark, the Content-Type charset, an HTML `<meta>` declaration, valid UTF-8, and finally
//! windows-1252 for HTML (what browsers assume) or UTF-8 with replacements otherwise.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use serde::Serialize;
use toolhost_sdk::JsonSchema;

/// A parsed `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaType {
    /// `type/subtype`, lowercase; empty when the server sent none.
    pub essence: String,
    pub charset: Option<String>,
}

impl MediaType {
    pub fn parse(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return MediaType::default();
        };
        let mut parts = header.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let charset = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_owned())
        });
        MediaType { essence, charset }
    }

    pub fn is_json(&self) -> bool {
        self.essence == "application/json"
            || self.essence == "text/json"
            || self.essence.ends_with("+json")
    }

    pub fn is_html(&self) -> bool {
        self.essence == "text/html" || self.essence == "application/xhtml+xml"
    }
}

/// Where the encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    ByteOrderMark,
    ContentType,
    MetaTag,
    ValidUtf8,
    Default,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. `UTF-8`, `windows-1252`, `Shift_JIS`.
    pub encoding: &'static str,
    pub source: EncodingSource,
    /// Some bytes were not valid in the encoding and became U+FFFD.
    pub had_errors: bool,
}

pub fn decode(body: &[u8], media: &MediaType, html: bool) -> Decoded {
    let (encoding, source) = choose(body, media, html);
    // `decode` strips a BOM and lets it override, as the WHATWG "decode" algorithm does.
    let (text, used, had_errors) = encoding.decode(body);
    Decoded {
        text: text.into_owned(),
        encoding: used.name(),
        source,
        had_errors,
    }
}

fn choose(body: &[u8], media: &MediaType, html: bool) -> (&'static Encoding, EncodingSource) {
    if let Some((e, _)) = Encoding::for_bom(body) {
        return (e, EncodingSource::ByteOrderMark);
    }
    if let Some(e) = media
        .charset
        .as_deref()
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return (e, EncodingSource::ContentType);
    }
    if html && let Some(e) = meta_charset(body) {
        return (e, EncodingSource::MetaTag);
    }
    if std::str::from_utf8(body).is_ok() {
        return (UTF_8, EncodingSource::ValidUtf8);
    }
    if html {
        (WINDOWS_1252, EncodingSource::Default)
    } else {
        (UTF_8, EncodingSource::Default)
    }
}

/// How far into an HTML document a `<meta>` charset is looked for (the HTML standard's
/// prescan reads 1024 bytes).
const PRESCAN_BYTES: usize = 1024;

/// The encoding an HTML document declares in `<meta charset=...>` or
/// `<meta http-equiv="Content-Type" content="...; charset=...">` near its start.
/// A declared UTF-16 is read as UTF-8 (an ASCII-compatible `<meta>` proves it is not
/// UTF-16), as the HTML standard says.
pub fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(PRESCAN_BYTES)];
    let lower = head.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = find(&lower[at..], b"<") {
        let start = at + found;
        let rest = &lower[start..];
        if rest.starts_with(b"<!--") {
            // An unclosed comment hides the rest of the prescan.
            at = start + 4 + find(&rest[4..], b"-->")? + 3;
            continue;
        }
        let is_meta = rest.starts_with(b"<meta")
            && rest
                .get(5)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/');
        let end = find(rest, b">").map_or(rest.len(), |e| e + 1);
        if is_meta && let Some(e) = charset_in_meta(&head[start + 5..start + end]) {
            return Some(e);
        }
        at = start + end.max(1);
    }
    None
}

fn charset_in_meta(tag: &[u8]) -> Option<&'static Encoding> {
    let attrs = attributes(tag);
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let label = if let Some(c) = get("charset") {
        c.to_owned()
    } else if get("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("content-type")) {
        MediaType::parse(get("content")).charset?
    } else {
        return None;
    };
    let e = Encoding::for_label(label.trim().as_bytes())?;
    Some(
        if e == encoding_rs::UTF_16BE || e == encoding_rs::UTF_16LE {
            UTF_8
        } else if e == encoding_rs::X_USER_DEFINED {
            WINDOWS_1252
        } else {
            e
        },
    )
}

/// `name=value`, `name="value"`, `name='value'` and bare `name` attributes of a tag.
fn attributes(tag: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(tag);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < chars.len() && (chars[*i].is_whitespace() || chars[*i] == '/') {
            *i += 1;
        }
    };
    loop {
        skip_space(&mut i);
        if i >= chars.len() || chars[i] == '>' {
            return out;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !"=>/".contains(chars[i]) {
            i += 1;
        }
        let name: String = chars[start..i]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '>' {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if name.is_empty() {
            i += 1;
        } else {
            out.push((name, value));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(ct: &str) -> MediaType {
        MediaType::parse(Some(ct))
    }

    #[test]
    fn content_type_parameters_are_parsed() {
        let m = media("Text/HTML; Charset=\"ISO-8859-1\"");
        assert_eq!(m.essence, "text/html");
        assert_eq!(m.charset.as_deref(), Some("ISO-8859-1"));
        assert!(m.is_html());
        assert!(media("application/problem+json").is_json());
        assert!(!media("text/plain").is_json());
        assert_eq!(MediaType::parse(None), MediaType::default());
    }

    #[test]
    fn the_content_type_charset_decodes_legacy_bytes() {
        // "café 10€" in windows-1252.
        let bytes = b"caf\xe9 10\x80";
        let d = decode(bytes, &media("text/plain; charset=windows-1252"), false);
        assert_eq!(d.text, "café 10€");
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("windows-1252", EncodingSource::ContentType, false)
        );
        // "日本" in Shift_JIS.
        let d = decode(
            b"\x93\xfa\x96\x7b",
            &media("text/plain; charset=shift_jis"),
            false,
        );
        assert_eq!(d.text, "日本");
        assert_eq!(d.encoding, "Shift_JIS");
    }

    #[test]
    fn an_html_meta_declaration_is_used_when_the_header_has_none() {
        let page = b"<!doctype html><!-- <meta charset=koi8-r> --><html><head>\
            <meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\">\
            </head><body>\xb1</body></html>";
        let d = decode(page, &media("text/html"), true);
        assert_eq!(
            (d.encoding, d.source),
            ("ISO-8859-2", EncodingSource::MetaTag)
        );
        assert!(d.text.contains("<body>ą</body>"), "{}", d.text);
        let d = decode(b"<meta charset='utf-16'><p>x", &media("text/html"), true);
        assert_eq!(d.encoding, "UTF-8", "a UTF-16 meta means UTF-8");
        // The header wins over the meta tag.
        let d = decode(
            b"<meta charset=iso-8859-2><p>\xe9",
            &media("text/html; charset=windows-1252"),
            true,
        );
        assert_eq!(d.text, "<meta charset=iso-8859-2><p>é");
    }

    #[test]
    fn without_declarations_utf8_is_detected_and_html_falls_back_to_windows_1252() {
        let d = decode("naïve ✓".as_bytes(), &MediaType::default(), false);
        assert_eq!(
            (d.text.as_str(), d.source),
            ("naïve ✓", EncodingSource::ValidUtf8)
        );
        let d = decode(b"<p>na\xefve", &media("text/html"), true);
        assert_eq!(
            (d.text.as_str(), d.encoding, d.source),
            ("<p>naïve", "windows-1252", EncodingSource::Default)
        );
        let d = decode(b"bad \xff byte", &MediaType::default(), false);
        assert!(d.had_errors && d.text.contains('\u{fffd}'));
    }

    #[test]
    fn a_byte_order_mark_beats_every_declaration() {
        let mut bytes = vec![0xFF, 0xFE];
        for c in "hé".encode_utf16() {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        let d = decode(&bytes, &media("text/plain; charset=windows-1252"), false);
        assert_eq!(
            (d.text.as_str(), d.encoding, d.source),
            ("hé", "UTF-16LE", EncodingSource::ByteOrderMark)
        );
    }
}
