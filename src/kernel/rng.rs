//! Seeded random streams.
//!
//! One master seed. Every component gets its own `ChaCha8Rng` stream for each purpose: the key is the seed, and the
//! ChaCha stream number is a stable hash of `(component, purpose)`. Adding a function to a scenario therefore does not
//! change the draws that any other component sees, and neither does reordering components in the file.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// FNV-1a over the bytes of `component`, a separator, and `purpose`: stable across platforms and releases.
pub fn stream_id(component: &str, purpose: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in component.bytes().chain(std::iter::once(0xff)).chain(purpose.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// The stream of `component` for `purpose` under `seed`.
pub fn stream(seed: u64, component: &str, purpose: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_id(component, purpose));
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_independent_and_repeatable() {
        let a: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "function:a", "duration"), |r, _: u64| Some(r.random())).collect();
        let a2: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "function:a", "duration"), |r, _: u64| Some(r.random())).collect();
        let b: Vec<u64> = (0..4).map(|_| 0).scan(stream(7, "function:b", "duration"), |r, _: u64| Some(r.random())).collect();
        let a8: Vec<u64> = (0..4).map(|_| 0).scan(stream(8, "function:a", "duration"), |r, _: u64| Some(r.random())).collect();
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert_ne!(a, a8);
        assert_ne!(stream_id("ab", "c"), stream_id("a", "bc"));
    }
}
