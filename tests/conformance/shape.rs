//! The "same shape" comparison of `events.rs`: an event has the shape of AWS's sample when it has the same key set at
//! every object level, the same JSON type for every value, and the same format where the sample's string has a
//! recognisable one (ISO-8601 time with or without milliseconds, CodeCommit's `+0000` time, API Gateway's Apache log
//! time, epoch milliseconds as a string, a UUID, an MD5, an ARN of a service) and the same epoch unit for numbers that
//! are times. Objects of user data (maps) have free keys.

use serde_json::{json, Value};

/// A format class of a string value, where the sample's string has one that matters.
#[derive(Debug, PartialEq, Eq)]
enum Format {
    /// `2023-11-14T22:13:20.123Z`
    IsoMillis,
    /// `2023-11-14T22:13:20Z`
    IsoSeconds,
    /// `2018-01-26T15:58:33.475+0000` (CodeCommit)
    IsoMillisOffset,
    /// `14/Nov/2023:22:13:20 +0000` (API Gateway)
    ApacheTime,
    /// 13 digits: epoch milliseconds as a string (SQS attributes)
    EpochMillis,
    /// 8-4-4-4-12 lowercase hex
    Uuid,
    /// 32 lowercase hex (MD5, eTag, DynamoDB event id)
    Md5,
    /// an ARN of the service named
    Arn(String),
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `YYYY-MM-DDTHH:MM:SS` at the start; the rest after it.
fn iso_rest(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let ok = b.len() >= 19
        && [0usize, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit())
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    ok.then(|| &s[19..])
}

fn format_of(s: &str) -> Option<Format> {
    if let Some(rest) = iso_rest(s) {
        let ms = |r: &str| r.len() >= 4 && r.as_bytes()[0] == b'.' && digits(&r[1..4]);
        return match rest {
            "Z" => Some(Format::IsoSeconds),
            r if r.len() == 5 && ms(r) && r.ends_with('Z') => Some(Format::IsoMillis),
            r if r.len() == 9 && ms(r) && digits(&r[5..]) && r.as_bytes()[4] == b'+' => Some(Format::IsoMillisOffset),
            _ => None,
        };
    }
    let b = s.as_bytes();
    if b.len() == 26 && b[2] == b'/' && b[6] == b'/' && b[11] == b':' && s.ends_with(" +0000") {
        return Some(Format::ApacheTime);
    }
    if s.len() == 13 && digits(s) {
        return Some(Format::EpochMillis);
    }
    let parts: Vec<&str> = s.split('-').collect();
    if parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| lower_hex(p)) {
        return Some(Format::Uuid);
    }
    if s.len() == 32 && lower_hex(s) {
        return Some(Format::Md5);
    }
    if let Some(rest) = s.strip_prefix("arn:") {
        return rest.split(':').nth(1).map(|svc| Format::Arn(svc.to_string()));
    }
    None
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `path` matches `pattern` (`.`-separated segments, `*` matches one segment).
fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let q: Vec<&str> = path.split('.').collect();
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "*" || a == b)
}

/// The differences of shape between `sample` and `sim` below `path`; `maps` are the paths of objects whose keys are
/// free (user data).
pub(super) fn diffs(path: &str, sample: &Value, sim: &Value, maps: &[&str], out: &mut Vec<String>) {
    let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (sample, sim) {
        (Value::Object(a), Value::Object(b)) if maps.iter().any(|m| matches(m, path)) => {
            let first = a.values().next();
            for (k, v) in b {
                match (a.get(k), first) {
                    (Some(s), _) => diffs(&at(k), s, v, maps, out),
                    (None, Some(s)) if type_name(s) != type_name(v) => {
                        out.push(format!("{}: {} in the sample's map, {} simulated", at(k), type_name(s), type_name(v)))
                    }
                    _ => {}
                }
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{}: in the sample, not simulated", at(k)));
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{}: simulated, not in the sample", at(k)));
            }
            for (k, v) in b {
                if let Some(s) = a.get(k) {
                    diffs(&at(k), s, v, maps, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let Some(s) = a.first() {
                for v in b {
                    diffs(&at("*"), s, v, maps, out);
                }
            }
        }
        (Value::String(a), Value::String(b)) => {
            if let Some(f) = format_of(a) {
                if format_of(b).as_ref() != Some(&f) {
                    out.push(format!("{path}: format {f:?} in the sample ({a:?}), simulated {b:?}"));
                }
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            // Epoch times: seconds (10 digits) or milliseconds (13), integral or with a fraction.
            let class = |n: &serde_json::Number| {
                n.as_f64().filter(|x| *x >= 1e9).map(|x| (x >= 1e12, n.is_f64() && x.fract() != 0.0 || n.to_string().contains('.')))
            };
            if let Some(ca) = class(a) {
                if class(b) != Some(ca) {
                    out.push(format!("{path}: epoch time {a} in the sample, simulated {b}"));
                }
            }
        }
        _ if type_name(sample) != type_name(sim) => {
            out.push(format!("{path}: {} in the sample, {} simulated", type_name(sample), type_name(sim)))
        }
        _ => {}
    }
}

/// Asserts that `sim` has `sample`'s shape except for the differences listed in `known` (each with its reason).
pub(super) fn same_shape(what: &str, sample: &Value, sim: &Value, maps: &[&str], known: &[(&str, &str)]) {
    let mut out = Vec::new();
    diffs("", sample, sim, maps, &mut out);
    let unexplained: Vec<&String> = out.iter().filter(|d| !known.iter().any(|(k, _)| d.starts_with(&format!("{k}:")))).collect();
    assert!(unexplained.is_empty(), "{what}: the simulated event differs from AWS's sample:\n{unexplained:#?}\nsimulated: {sim:#}");
    for (k, why) in known {
        assert!(out.iter().any(|d| d.starts_with(&format!("{k}:"))), "{what}: {k} ({why}) no longer differs; drop the exception");
    }
}

/// The comparison itself: it finds a missing key, an extra key, a changed type, a changed format and a changed epoch
/// unit, ignores values and the keys of maps.
#[test]
fn the_shape_comparison_finds_every_kind_of_difference() {
    let sample =
        json!({ "a": "2023-11-14T22:13:20.123Z", "b": { "c": 1 }, "t": 1700000000123_u64, "h": { "X": "1" }, "l": [{ "k": "v" }] });
    let same = json!({ "a": "2020-01-01T00:00:00.000Z", "b": { "c": 2 }, "t": 1600000000000_u64, "h": { "Y": "2" }, "l": [{ "k": "w" }, { "k": "x" }] });
    let mut out = Vec::new();
    diffs("", &sample, &same, &["h"], &mut out);
    assert!(out.is_empty(), "{out:?}");
    let other = json!({ "a": "2020-01-01T00:00:00Z", "b": { "c": "2", "d": 0 }, "t": 1600000000_u64, "h": { "Y": 2 }, "l": [{}] });
    let mut out = Vec::new();
    diffs("", &sample, &other, &["h"], &mut out);
    assert_eq!(
        out,
        vec![
            "a: format IsoMillis in the sample (\"2023-11-14T22:13:20.123Z\"), simulated \"2020-01-01T00:00:00Z\"",
            "b.d: simulated, not in the sample",
            "b.c: number in the sample, string simulated",
            "t: epoch time 1700000000123 in the sample, simulated 1600000000",
            "h.Y: string in the sample's map, number simulated",
            "l.*.k: in the sample, not simulated",
        ]
    );
}
