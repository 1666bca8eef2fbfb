//! A PNG as the kitty and iTerm2 inline-image escape sequences. Both carry the file in
//! base64; kitty's protocol takes it in chunks of at most 4096 bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const KITTY_CHUNK: usize = 4096;

/// `ESC _G f=100,a=T,m=1;<chunk> ESC \` … with `m=0` on the last chunk: transmit and
/// display PNG data (kitty graphics protocol).
pub fn kitty_png(png: &[u8]) -> Vec<u8> {
    let encoded = STANDARD.encode(png);
    let chunks: Vec<&[u8]> = encoded.as_bytes().chunks(KITTY_CHUNK).collect();
    let mut out = Vec::with_capacity(encoded.len() + chunks.len() * 24);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        out.extend_from_slice(b"\x1b_G");
        if i == 0 {
            out.extend_from_slice(b"f=100,a=T,");
        }
        out.extend_from_slice(format!("m={more};").as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    if chunks.is_empty() {
        out.extend_from_slice(b"\x1b_Gf=100,a=T,m=0;\x1b\\");
    }
    out.push(b'\n');
    out
}

/// `ESC ] 1337 ; File=inline=1;size=N : <base64> BEL` (iTerm2's inline images).
pub fn iterm_png(png: &[u8]) -> Vec<u8> {
    let mut out = format!("\x1b]1337;File=inline=1;size={}:", png.len()).into_bytes();
    out.extend_from_slice(STANDARD.encode(png).as_bytes());
    out.extend_from_slice(b"\x07\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kitty_splits_the_image_into_chunks_with_a_final_m0() {
        let png = vec![7u8; 10_000]; // 13 336 base64 bytes: four chunks
        let out = String::from_utf8(kitty_png(&png)).unwrap();
        assert!(out.starts_with("\x1b_Gf=100,a=T,m=1;"));
        assert_eq!(out.matches("\x1b_G").count(), 4);
        assert_eq!(out.matches("m=1;").count(), 3);
        assert!(out.contains("\x1b_Gm=0;"));
        let payload: String = out
            .split("\x1b_G")
            .skip(1)
            .map(|c| {
                c.split_once(';')
                    .unwrap()
                    .1
                    .trim_end_matches("\x1b\\\n")
                    .trim_end_matches("\x1b\\")
            })
            .collect();
        assert_eq!(STANDARD.decode(payload).unwrap(), png);
    }

    #[test]
    fn iterm_names_the_size_and_carries_the_file() {
        let out = String::from_utf8(iterm_png(b"abc")).unwrap();
        assert_eq!(out, "\x1b]1337;File=inline=1;size=3:YWJj\x07\n");
    }
}
