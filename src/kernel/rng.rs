//! Seeded random streams.
//!
//! One master seed. Every component gets its own `ChaCha8Rng` stream for each purpose: the key is the seed, and the
//! ChaCha stream number is a stable hash of `(component, purpose)`. Adding a function to a scenario therefore does not
//! change the draws that any other component sees, and neither does reordering components in the file.
//!
//! Draws that belong to one event rather than to a stream are keyed: [`uniform`] mixes the seed, a component salt,
//! the event's key and a purpose with [`splitmix`], so removing one event never shifts another event's draws (the
//! shrinker relies on this). [`fnv64`] is the one stable byte hash (scenario digests, partition keys, salts).

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

/// FNV-1a 64 over bytes: the stable hash for scenario digests, partition keys and salts.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The splitmix64 finaliser: a bijective mix of 64 bits (Steele, Lea and Flood, "Fast splittable pseudorandom
/// number generators", 2014).
#[inline]
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1) for one event (`key`) and one purpose, independent of every other event's draws.
#[inline]
pub fn uniform(seed: u64, salt: u64, key: u64, purpose: u64) -> f64 {
    let z = splitmix(seed ^ splitmix(salt ^ splitmix(key ^ splitmix(purpose))));
    (z >> 11) as f64 / (1u64 << 53) as f64
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
