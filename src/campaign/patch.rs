//! Overrides written into a scenario's text. `compare --set` and `explore` change a scenario at a path; doing it on a
//! parsed document and printing that again would rewrite every value, and a workload's payload would reach the
//! function (and its dead-letter queue) as compact JSON instead of the bytes the scenario wrote (conformance
//! ASYNC-DLQ-BYTES). Here only the objects and arrays on the path to the value set are written anew; every other value
//! keeps its text byte for byte, so an override that sets a value to what it was gives the same run as the file.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// One step of a path resolved against a document: a key of an object (as the document spells it) or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key of an object.
    Key(String),
    /// An index of an array.
    Index(usize),
}

/// One level of a JSON text: an object's entries or an array's elements with their text as written, or any other
/// value.
enum Level {
    Object(Vec<(String, Box<RawValue>)>),
    Array(Vec<Box<RawValue>>),
    Other,
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Level, A::Error> {
                let mut out = vec![];
                while let Some(k) = m.next_key::<String>()? {
                    out.push((k, m.next_value::<Box<RawValue>>()?));
                }
                Ok(Level::Object(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Level, A::Error> {
                let mut out = vec![];
                while let Some(e) = s.next_element::<Box<RawValue>>()? {
                    out.push(e);
                }
                Ok(Level::Array(out))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Level, E> {
                Ok(Level::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Level, E> {
                Ok(Level::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Level, E> {
                Ok(Level::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Level, E> {
                Ok(Level::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Level, E> {
                Ok(Level::Other)
            }
            fn visit_unit<E>(self) -> Result<Level, E> {
                Ok(Level::Other)
            }
        }
        d.deserialize_any(V)
    }
}

fn raw(text: String) -> Result<Box<RawValue>, String> {
    RawValue::from_string(text).map_err(|e| e.to_string())
}

/// `text` with the value at `path` made what `new` (the document after the override, at the level of `text`) has
/// there. `path` comes from applying the override to the parsed `text` ([`crate::campaign::compare::apply_at`]), so
/// every step names a key or index of `new`; a key missing from `text` is added with `new`'s value. Objects and
/// arrays on the path are written compactly; every value off the path keeps its text.
pub fn patch(text: &str, path: &[Seg], new: &Value) -> Result<String, String> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(new.to_string());
    };
    let level: Level = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match (level, first, new) {
        (Level::Object(mut entries), Seg::Key(k), Value::Object(m)) => {
            let child = m.get(k).ok_or_else(|| format!("{k:?} is not in the document after the override"))?;
            match entries.iter().rposition(|(x, _)| x == k) {
                Some(i) => {
                    let t = patch(entries[i].1.get(), rest, child)?;
                    entries[i].1 = raw(t)?;
                }
                None => entries.push((k.clone(), raw(child.to_string())?)),
            }
            let body: Vec<String> = entries.iter().map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v.get())).collect();
            Ok(format!("{{{}}}", body.join(",")))
        }
        (Level::Array(mut items), Seg::Index(i), Value::Array(a)) if *i < items.len() && *i < a.len() => {
            let t = patch(items[*i].get(), rest, &a[*i])?;
            items[*i] = raw(t)?;
            Ok(format!("[{}]", items.iter().map(|v| v.get()).collect::<Vec<_>>().join(",")))
        }
        // The override changed the shape here: the new value as a whole.
        _ => Ok(new.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_path_is_written_anew() {
        let text = r#"{"A": {"x": 1,  "p": {"raise_error": 1}}, "B": [ {"q": [1, 2]}, 3 ]}"#;
        let mut doc: Value = serde_json::from_str(text).unwrap();
        doc["A"]["x"] = Value::from(2);
        let t = patch(text, &[Seg::Key("A".into()), Seg::Key("x".into())], &doc).unwrap();
        assert_eq!(t, r#"{"A":{"x":2,"p":{"raise_error": 1}},"B":[ {"q": [1, 2]}, 3 ]}"#);
        doc["B"][0]["r"] = Value::from(true);
        let t = patch(&t, &[Seg::Key("B".into()), Seg::Index(0), Seg::Key("r".into())], &doc).unwrap();
        assert_eq!(t, r#"{"A":{"x":2,"p":{"raise_error": 1}},"B":[{"q":[1, 2],"r":true},3]}"#);
        assert_eq!(serde_json::from_str::<Value>(&t).unwrap(), doc);
        // A path through a value that is no longer an object: the new value whole.
        doc["A"] = Value::from(5);
        assert_eq!(patch(&t, &[Seg::Key("A".into())], &doc).unwrap(), r#"{"A":5,"B":[{"q":[1, 2],"r":true},3]}"#);
    }
}
