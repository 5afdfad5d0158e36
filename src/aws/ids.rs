//! Deterministic ids, encodings and time formats for the events and records the AWS services hand to Lambda.
//!
//! Every id (request ids, message ids, sequence numbers, receipt handles, signatures) is derived from a key with the
//! kernel's splitmix64 (`kernel::rng::splitmix`), and every time from virtual epoch milliseconds: the same key
//! always gives the same bytes, and nothing reads the wall clock or a random source.
//! Ids that AWS keeps stable for a name (an SNS subscription, an API id, a user pool id) are seeded with [`stable`].

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE as B64URL};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use md5::{Digest as _, Md5};
use serde_json::{json, Value};

use crate::kernel::rng::{fnv64, splitmix};

/// A request id in UUID v4 form, derived from the seed and the event's request key.
pub fn request_id(seed: u64, key: u64) -> String {
    uuid_from(seed ^ 0x5eed_0000_0000_0001, key)
}

/// [`request_id`], written into `out` (cleared first): a caller that makes one per attempt keeps one buffer.
pub fn write_request_id(out: &mut String, seed: u64, key: u64) {
    out.clear();
    write_uuid(out, seed ^ 0x5eed_0000_0000_0001, key);
}

/// A deterministic UUID v4-shaped string from two numbers.
pub fn uuid_from(a: u64, b: u64) -> String {
    let mut s = String::with_capacity(36);
    write_uuid(&mut s, a, b);
    s
}

/// Append [`uuid_from`]`(a, b)` to `out`.
fn write_uuid(out: &mut String, a: u64, b: u64) {
    let hi = splitmix(a ^ splitmix(b));
    let lo = splitmix(hi ^ b.rotate_left(17));
    // a request id per attempt of real handler code
    push_ascii(out, &uuid_v4_bytes(hi, lo));
}

/// The UUID v4 text of two random words: `{:08x}-{:04x}-{:04x}-{:04x}-{:012x}` of hi >> 32, hi >> 16, hi, lo >> 48, lo
/// with the version (4) and variant bits set.
pub(crate) fn uuid_v4_bytes(hi: u64, lo: u64) -> [u8; 36] {
    let hi = hex16((hi & 0xffff_ffff_ffff_0fff) | 0x4000);
    let lo = hex16((lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000);
    let mut buf = [b'-'; 36];
    buf[0..8].copy_from_slice(&hi[0..8]);
    buf[9..13].copy_from_slice(&hi[8..12]);
    buf[14..18].copy_from_slice(&hi[12..16]);
    buf[19..23].copy_from_slice(&lo[0..4]);
    buf[24..36].copy_from_slice(&lo[4..16]);
    buf
}

/// Append bytes that are ASCII by construction (hex digits and punctuation) to `out` (bytes that are not ASCII are
/// not appended). Checking for ASCII takes a few word-wide instructions, where UTF-8 validation of a request id and a
/// trace id cost a tenth of an in-process handler's execution.
#[inline]
pub fn push_ascii(out: &mut String, bytes: &[u8]) {
    if bytes.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        out.push_str(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
}

/// The 8 lower-case hex digits of `v`, most significant first, without a loop: each nibble is spread into a byte of
/// a word and turned into its ASCII digit all at once (`'0' + n`, plus 39 more for `a`..`f`).
#[inline]
pub fn hex8(v: u32) -> [u8; 8] {
    let mut x = u64::from(v);
    x = ((x & 0xffff_0000) << 16) | (x & 0xffff);
    x = ((x & 0x0000_ff00_0000_ff00) << 8) | (x & 0x0000_00ff_0000_00ff);
    x = ((x & 0x00f0_00f0_00f0_00f0) << 4) | (x & 0x000f_000f_000f_000f);
    // byte i now holds nibble i (the least significant first); a nibble of 10 or more carries into bit 4 when 6 is added
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    (x + 0x3030_3030_3030_3030 + letters * 0x27).to_be_bytes()
}

/// The 16 lower-case hex digits of `v`, most significant first.
#[inline]
pub fn hex16(v: u64) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&hex8((v >> 32) as u32));
    out[8..].copy_from_slice(&hex8(v as u32));
    out
}

/// Fill `out` with the low `out.len()` hex digits of `v`, lower case, zero-padded.
#[inline]
pub fn hex_into(out: &mut [u8], v: u64) {
    let digits = hex16(v);
    let n = out.len().min(16);
    let at = out.len() - n;
    out[..at].fill(b'0');
    out[at..].copy_from_slice(&digits[16 - n..]);
}

/// Append the low `digits` hex digits of `v`, lower case, zero-padded: `format!("{:0N$x}")` of a value that fits in
/// `digits`, without the formatting machinery.
pub fn push_hex(out: &mut String, v: u64, digits: u32) {
    let n = digits.min(16) as usize;
    push_ascii(out, &hex16(v)[16 - n..]);
}

// ---------------------------------------------------------------------------------------------------------------------
// ids of the event catalogue

/// A splitmix64 stream for one id: `seed` is the event key (or a stable hash of a name), `salt` tells the ids apart.
struct Stream(u64);

impl Stream {
    fn new(seed: u64, salt: u64) -> Stream {
        Stream(splitmix(seed ^ splitmix(salt.wrapping_mul(0xd134_2543_de82_ef95))))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(self.0)
    }
}

/// The first word of the stream of `(seed, salt)`.
pub fn word(seed: u64, salt: u64) -> u64 {
    Stream::new(seed, salt).next()
}

/// FNV-1a of a name (each part followed by a 0xff byte): the seed of ids that AWS keeps stable for that name
/// (subscription ids, API ids, pool ids).
pub fn stable(parts: &[&str]) -> u64 {
    let mut buf = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for p in parts {
        buf.extend_from_slice(p.as_bytes());
        buf.push(0xff);
    }
    fnv64(&buf)
}

/// A UUID v4-shaped id.
pub fn uuid(seed: u64, salt: u64) -> String {
    let mut s = Stream::new(seed, salt);
    let hi = (s.next() & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (s.next() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffff_ffff_ffff)
}

/// `n` bytes of the stream of `(seed, salt)`.
pub fn bytes(seed: u64, salt: u64, n: usize) -> Vec<u8> {
    let mut s = Stream::new(seed, salt);
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        out.extend_from_slice(&s.next().to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Alphabet for `chars`: lower-case hex digits.
pub const LOWER_HEX: &[u8] = b"0123456789abcdef";
/// Alphabet for `chars`: upper-case hex digits.
pub const UPPER_HEX: &[u8] = b"0123456789ABCDEF";
/// Alphabet for `chars`: decimal digits.
pub const DIGITS: &[u8] = b"0123456789";
/// Alphabet for `chars`: upper-case letters and digits.
pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Alphabet for `chars`: lower-case letters and digits.
pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Alphabet for `chars`: letters of both cases and digits.
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` characters drawn from `alphabet`.
pub fn chars(seed: u64, salt: u64, n: usize, alphabet: &[u8]) -> String {
    let mut s = Stream::new(seed, salt);
    (0..n).map(|_| alphabet[(s.next() % alphabet.len() as u64) as usize] as char).collect()
}

/// `n` bytes of the stream, base64.
pub fn b64(seed: u64, salt: u64, n: usize) -> String {
    B64.encode(bytes(seed, salt, n))
}

/// `n` bytes of the stream, URL-safe base64.
pub fn b64url(seed: u64, salt: u64, n: usize) -> String {
    B64URL.encode(bytes(seed, salt, n))
}

/// A client address in the documentation range 203.0.113.0/24 (RFC 5737).
pub fn doc_ip(seed: u64, salt: u64) -> String {
    format!("203.0.113.{}", 1 + word(seed, salt) % 254)
}

/// A 56-digit Kinesis-style sequence number: constant prefix per stream and shard, then the arrival time, so that
/// numbers grow with virtual time within a shard.
pub fn seq56(stream_seed: u64, epoch_ms: i64, key: u64) -> String {
    // 2 + 20 + 15 + 19 digits; a u64 has at most 20 digits.
    format!("49{:020}{:015}{:019}", word(stream_seed, 0x5e9), epoch_ms.max(0), word(key, 0x5ea) % 10_000_000_000_000_000_000)
}

/// The MD5 of `data`, lower-case hex (SQS `md5OfBody`, S3 `eTag`).
pub fn md5_hex(data: &[u8]) -> String {
    hex_of(&Md5::digest(data))
}

/// Lower-case hex of bytes.
pub fn hex_of(b: &[u8]) -> String {
    b.iter().flat_map(|x| [LOWER_HEX[(x >> 4) as usize] as char, LOWER_HEX[(x & 15) as usize] as char]).collect()
}

// ---------------------------------------------------------------------------------------------------------------------
// times

/// The UTC date-time of epoch milliseconds (the epoch itself when out of range).
pub fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `2019-09-03T19:37:27.192Z`
pub fn iso_ms(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2017-12-22T18:43:48Z`
pub fn iso_s(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Common Log Format, as API Gateway writes `requestTime`: `09/Apr/2015:12:34:56 +0000`
pub fn clf(ms: i64) -> String {
    utc(ms).format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// RFC 2822 mail date: `Mon, 5 Aug 2019 21:29:57 +0000`
pub fn mail_date(ms: i64) -> String {
    utc(ms).format("%a, %-d %b %Y %H:%M:%S +0000").to_string()
}

/// Epoch seconds with milliseconds, as Kinesis writes `approximateArrivalTimestamp`.
pub fn epoch_secs_f(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_uuid_v4() {
        let r = request_id(7, 1);
        assert_eq!(r.len(), 36);
        assert_eq!(&r[14..15], "4");
        assert!(matches!(&r[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(r, request_id(7, 2));
        assert_eq!(r, request_id(7, 1));
    }

    #[test]
    fn hex_digits_are_the_formatted_ones() {
        for v in [0u64, 1, 9, 10, 15, 16, 0xabcdef, 0x0123_4567_89ab_cdef, u64::MAX, 0xa0a0_a0a0_9f9f_9f9f] {
            assert_eq!(std::str::from_utf8(&hex16(v)).unwrap(), format!("{v:016x}"));
            assert_eq!(std::str::from_utf8(&hex8(v as u32)).unwrap(), format!("{:08x}", v as u32));
            let mut b = [0u8; 5];
            hex_into(&mut b, v);
            assert_eq!(std::str::from_utf8(&b).unwrap(), format!("{:05x}", v & 0xfffff));
        }
    }

    #[test]
    fn uuid_digits_are_the_formatted_ones() {
        for (a, b) in [(0, 0), (7, 1), (u64::MAX, 3), (0x5eed, 0xffff_0000_1234)] {
            let hi = splitmix(a ^ splitmix(b));
            let lo = splitmix(hi ^ b.rotate_left(17));
            let (hi, lo) = ((hi & 0xffff_ffff_ffff_0fff) | 0x4000, (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000);
            let formatted =
                format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffff_ffff_ffff);
            assert_eq!(uuid_from(a, b), formatted);
        }
        let mut s = String::new();
        push_hex(&mut s, 0xab, 4);
        assert_eq!(s, "00ab");
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(md5_hex(b"message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
    }

    #[test]
    fn uuids_are_version_4_and_keyed() {
        let u = uuid(1, 2);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(u, uuid(1, 2));
        assert_ne!(u, uuid(2, 2));
        assert_ne!(u, uuid(1, 3));
    }

    #[test]
    fn stable_is_fnv1a_of_the_parts_each_closed_by_0xff() {
        // The value of the former byte-by-byte loop: names keep their ids.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in "123456789012".bytes().chain([0xff]).chain("pool".bytes()).chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(stable(&["123456789012", "pool"]), h);
        assert_eq!(stable(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn times_render_like_aws() {
        let ms = 1_700_000_000_123;
        assert_eq!(iso_ms(ms), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso_s(ms), "2023-11-14T22:13:20Z");
        assert_eq!(clf(ms), "14/Nov/2023:22:13:20 +0000");
        assert_eq!(mail_date(ms), "Tue, 14 Nov 2023 22:13:20 +0000");
        assert_eq!(epoch_secs_f(ms), json!(1_700_000_000.123));
    }
}
