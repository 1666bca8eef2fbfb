//! Seeded random streams shared by the tools that sample (mcmc's chains, bayesopt's
//! design, restarts and candidate pools).
//!
//! Stream `s` uses xoshiro256++ seeded from the user's seed with SplitMix64
//! and then jumped `s` times: each jump skips 2^128 draws, so streams never
//! overlap. Uniforms come from the top 53 bits and normals
//! from the polar method with `libm`, so a seed gives the same numbers on
//! every platform.

use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng};

pub struct Rng {
    inner: Xoshiro256PlusPlus,
    /// The polar method makes normals in pairs.
    spare: Option<f64>,
}

impl Rng {
    /// Stream number `stream` (0-based) for `seed`.
    pub fn stream(seed: u64, stream: usize) -> Self {
        let mut inner = Xoshiro256PlusPlus::seed_from_u64(seed);
        for _ in 0..stream {
            inner.jump();
        }
        Rng { inner, spare: None }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform on [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on [lo, hi).
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let m = (-2.0 * libm::log(s) / s).sqrt();
                self.spare = Some(v * m);
                return u * m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_stream_and_streams_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut c0 = Rng::stream(7, 0);
        let mut c1 = Rng::stream(7, 1);
        let first: Vec<u64> = (0..100).map(|_| c0.next_u64()).collect();
        assert!((0..100).all(|_| !first.contains(&c1.next_u64())));
    }

    #[test]
    fn normals_have_unit_variance() {
        let mut rng = Rng::stream(1, 0);
        let n = 200_000;
        let (mut s1, mut s2, mut s4) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            s1 += z;
            s2 += z * z;
            s4 += z * z * z * z;
        }
        let n = f64::from(n);
        // Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the
        // variance, sqrt(96/n) for the fourth moment.
        assert!((s1 / n).abs() < 4.0 / n.sqrt());
        assert!((s2 / n - 1.0).abs() < 4.0 * (2.0 / n).sqrt());
        assert!((s4 / n - 3.0).abs() < 4.0 * (96.0 / n).sqrt());
    }

    #[test]
    fn uniforms_stay_in_the_unit_interval() {
        let mut rng = Rng::stream(3, 2);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
