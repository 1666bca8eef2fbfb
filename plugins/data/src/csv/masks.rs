//! One bit per byte of a 64-byte block: which bytes end a field, which end a
//! line, and which need the careful scanner. Found with wasm's 128-bit
//! vectors in the component (the workspace builds guests with `simd128`) and
//! eight bytes at a time elsewhere; both give the same bits.

/// The classes of the bytes of one block, bit `i` for byte `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockMasks {
    /// The delimiter or `\n`.
    pub ends: u64,
    /// `\n`.
    pub newlines: u64,
    /// Quotes, and `\r` not followed by `\n` in the block (a line break of
    /// its own, or a `\r` before the next block's `\n`).
    pub careful: u64,
}

impl BlockMasks {
    #[inline(always)]
    fn from_classes(delimiters: u64, newlines: u64, quotes: u64, returns: u64) -> Self {
        BlockMasks {
            ends: delimiters | newlines,
            newlines,
            careful: quotes | (returns & !(newlines >> 1)),
        }
    }
}

/// A one in every byte of a word.
pub const ONES: u64 = 0x0101_0101_0101_0101;

/// `MASKS[n]` keeps the low `n` bytes of a word.
pub const MASKS: [u64; 9] = [
    0,
    0xFF,
    0xFFFF,
    0xFF_FFFF,
    0xFFFF_FFFF,
    0xFF_FFFF_FFFF,
    0xFFFF_FFFF_FFFF,
    0xFF_FFFF_FFFF_FFFF,
    u64::MAX,
];

const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit set in every byte of `word` equal to `byte`,
/// exactly (no carries between bytes), so that the bits after the first
/// match can be used too.
#[inline(always)]
pub fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOWS) + LOWS) | x) & HIGHS
}

/// The high bits of a word's eight bytes gathered into its low eight bits:
/// the multiplier moves byte `k`'s bit to bit `56 + k`, with no carries.
#[inline(always)]
fn gather(high_bits: u64) -> u64 {
    ((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Eight bytes at a time, on any target.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
#[inline(always)]
pub fn masks_portable(block: &[u8; 64], delimiter: u8) -> BlockMasks {
    let (mut d, mut n, mut q, mut r) = (0, 0, 0, 0);
    for (i, chunk) in block.as_chunks::<8>().0.iter().enumerate() {
        let word = u64::from_le_bytes(*chunk);
        let shift = 8 * i;
        d |= gather(bytes_equal(word, delimiter)) << shift;
        n |= gather(bytes_equal(word, b'\n')) << shift;
        q |= gather(bytes_equal(word, b'"')) << shift;
        r |= gather(bytes_equal(word, b'\r')) << shift;
    }
    BlockMasks::from_classes(d, n, q, r)
}

/// Sixteen bytes at a time with wasm's 128-bit vectors.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub fn masks(block: &[u8; 64], delimiter: u8) -> BlockMasks {
    use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load};
    let lanes = |i: usize| -> v128 {
        // SAFETY: the 16 bytes at 16 * i lie inside the 64-byte block, and
        // wasm loads have no alignment requirement.
        unsafe { v128_load(block.as_ptr().add(16 * i).cast()) }
    };
    let (dv, nv, qv, rv) = (
        u8x16_splat(delimiter),
        u8x16_splat(b'\n'),
        u8x16_splat(b'"'),
        u8x16_splat(b'\r'),
    );
    let (mut d, mut n, mut q, mut r) = (0, 0, 0, 0);
    for i in 0..4 {
        let v = lanes(i);
        let shift = 16 * i;
        d |= u64::from(u8x16_bitmask(u8x16_eq(v, dv))) << shift;
        n |= u64::from(u8x16_bitmask(u8x16_eq(v, nv))) << shift;
        q |= u64::from(u8x16_bitmask(u8x16_eq(v, qv))) << shift;
        r |= u64::from(u8x16_bitmask(u8x16_eq(v, rv))) << shift;
    }
    BlockMasks::from_classes(d, n, q, r)
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub use masks_portable as masks;

#[cfg(test)]
mod tests {
    use super::*;

    /// The masks byte by byte, as the definition reads.
    fn reference(block: &[u8; 64], delimiter: u8) -> BlockMasks {
        let bit = |f: &dyn Fn(usize) -> bool| (0..64).fold(0u64, |m, i| m | (u64::from(f(i)) << i));
        BlockMasks {
            ends: bit(&|i| block[i] == delimiter || block[i] == b'\n'),
            newlines: bit(&|i| block[i] == b'\n'),
            careful: bit(&|i| {
                block[i] == b'"' || (block[i] == b'\r' && block.get(i + 1) != Some(&b'\n'))
            }),
        }
    }

    #[test]
    fn every_implementation_agrees_with_the_definition() {
        // Blocks dense in the bytes that matter, their neighbours in value
        // (to catch carries between lanes) and high bytes.
        let alphabet = b",;\t\n\r\"\x0b\x0c!#+-a\xe9\x80\xff ";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut block = [0u8; 64];
            for byte in &mut block {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *byte = alphabet[(state % alphabet.len() as u64) as usize];
            }
            for delimiter in *b",;\t" {
                let expected = reference(&block, delimiter);
                assert_eq!(masks(&block, delimiter), expected, "{block:?}");
            }
        }
    }
}
