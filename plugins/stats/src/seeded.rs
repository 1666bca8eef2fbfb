//! The workspace's seeded stream (toolhost-rng) as a rand 0.10 generator, so statrs's
//! samplers draw from it: a seed means the same bits here as in mcmc and bayesopt.

use std::convert::Infallible;

use rand::rand_core::{TryRng, utils};
use toolhost_rng::Rng;

pub struct SeededSource {
    stream: Rng,
}

impl SeededSource {
    /// Stream 0 of `seed`, the stream a single-chain tool uses.
    pub fn new(seed: u64) -> Self {
        SeededSource {
            stream: Rng::stream(seed, 0),
        }
    }
}

impl TryRng for SeededSource {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The high half: xoshiro256++'s upper bits are its best.
        Ok((self.stream.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.stream.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn uniforms_are_the_streams_own() {
        // rand turns a u64 into [0, 1) the way toolhost-rng does (top 53 bits), so a
        // uniform draw here equals the stream's uniform for the same seed.
        let mut source = SeededSource::new(42);
        let mut stream = Rng::stream(42, 0);
        for _ in 0..100 {
            let a: f64 = source.random();
            assert_eq!(a, stream.uniform());
        }
    }
}
