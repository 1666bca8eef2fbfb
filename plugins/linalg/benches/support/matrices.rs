//! The 500×500 matrices both linalg benches use, so the native figures (`cargo bench -p
//! tool-linalg --bench kernels`) and the sandbox's (`cargo bench -p toolhost --bench tools
//! -- linalg`) are of the same matrices.

pub const N: usize = 500;
/// The general matrix (`solve`) and the symmetric one (`eigh`).
pub const GENERAL_SEED: u64 = 0x9E37_79B9_7F4A_7C15;
pub const SYMMETRIC_SEED: u64 = 0xD1B5_4A32_D192_ED03;

/// N×N xorshift entries in [-0.5, 0.5), as rows, symmetrised when asked.
pub fn matrix(seed: u64, symmetric: bool) -> Vec<Vec<f64>> {
    let mut state = seed;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut a: Vec<Vec<f64>> = (0..N).map(|_| (0..N).map(|_| next()).collect()).collect();
    if symmetric {
        for i in 0..N {
            for j in 0..i {
                a[i][j] = a[j][i];
            }
        }
    }
    a
}
