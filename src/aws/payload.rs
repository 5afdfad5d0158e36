//! Payload templates for workload sources: a JSON value whose strings may hold `{{n}}` (0-based index within the
//! source) or `{{seq}}` (global accept order). A payload without placeholders is shared, not copied, per event.
//!
//! A template may keep the text the user wrote: AWS passes on the bytes a caller sent, so a dead-letter queue's body
//! is byte for byte the invoked payload (`{"raise_error": 1}` stayed spaced, MD5 of those bytes; LS-DEST
//! `test_dead_letter_queue`, docs/conformance.md ASYNC-DLQ-BYTES), and so is the event a real handler reads. The same
//! holds for an SQS producer's message body (the record's `body` and `md5OfBody`, a dead-letter queue) and an SNS
//! publisher's `Message` (SQS-BODY-BYTES), a Kinesis or Kafka producer's record data (STREAM-DATA-BYTES) and a
//! Firehose producer's record (FIREHOSE-DATA-BYTES). Placeholders are rendered inside the text; only a template whose
//! placeholder sits in a key or next to an escaped quote is serialized compactly from its value. An EventBridge
//! event's `detail` is a document inside EventBridge's own event, not bytes handed on: it is the value.

use std::sync::Arc;

use serde_json::Value;

/// An event's payload: its JSON value and, when the user wrote it in a form other than the compact one, its bytes as
/// written (what the function, a real handler and a dead-letter queue get).
#[derive(Debug, Clone)]
pub struct Payload {
    /// The document.
    pub value: Arc<Value>,
    /// The bytes as written, when they are not `serde_json::to_string(&value)`.
    pub text: Option<Arc<str>>,
}

impl From<Arc<Value>> for Payload {
    fn from(value: Arc<Value>) -> Self {
        Payload { value, text: None }
    }
}

impl Payload {
    /// The payload of an invocation whose document nothing reads (no payload pattern, no handler, no observer that
    /// asked for documents): one shared `null`, so that a batch or fan-out event is built only when something reads
    /// it. Its size is computed without building it ([`json_str_len`], [`json_len`]).
    pub fn unread() -> Payload {
        static UNREAD: std::sync::OnceLock<Arc<Value>> = std::sync::OnceLock::new();
        Payload { value: Arc::clone(UNREAD.get_or_init(|| Arc::new(Value::Null))), text: None }
    }
}

/// Bytes of `s` as a JSON string, quotes included, as `serde_json` writes it: `"` and `\\` and the short escapes
/// (`\b`, `\t`, `\n`, `\f`, `\r`) take 2 bytes, other control characters 6 (`\u00XX`), everything else (UTF-8
/// included) its own bytes.
pub fn json_str_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 2 + b.len();
    for &c in b {
        if c < 0x20 {
            n += if matches!(c, 8 | 9 | 10 | 12 | 13) { 1 } else { 5 };
        } else if c == b'"' || c == b'\\' {
            n += 1;
        }
    }
    n
}

/// Bytes of a value serialized compactly, counted as they are written: nothing is allocated.
pub fn json_len<T: serde::Serialize + ?Sized>(v: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    match serde_json::to_writer(&mut c, v) {
        Ok(()) => c.0,
        Err(_) => 0,
    }
}

/// Decimal digits of `n` (as `n.to_string().len()`).
pub fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Characters of `n.to_string()` (a minus sign included).
pub fn digits_i64(n: i64) -> usize {
    digits(n.unsigned_abs()) + usize::from(n < 0)
}

impl std::ops::Deref for Payload {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.value
    }
}

/// A compiled payload template.
#[derive(Debug, Clone)]
pub struct Template {
    value: Arc<Value>,
    dynamic: bool,
    static_size: usize,
    /// The text as written, when it differs from the compact serialization and can be rendered as text.
    text: Option<Arc<str>>,
}

fn has_placeholder(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("{{n}}") || s.contains("{{seq}}"),
        Value::Array(a) => a.iter().any(has_placeholder),
        Value::Object(o) => o.values().any(has_placeholder),
        _ => false,
    }
}

fn render(v: &Value, n: u64, seq: u64) -> Value {
    match v {
        Value::String(s) if s == "{{n}}" => Value::from(n),
        Value::String(s) if s == "{{seq}}" => Value::from(seq),
        Value::String(s) if s.contains("{{") => Value::String(s.replace("{{n}}", &n.to_string()).replace("{{seq}}", &seq.to_string())),
        Value::Array(a) => Value::Array(a.iter().map(|x| render(x, n, seq)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), render(x, n, seq))).collect()),
        other => other.clone(),
    }
}

impl Template {
    /// A template of `value` (`{{n}}` and `{{seq}}` placeholders are rendered per event).
    pub fn new(value: Value) -> Template {
        let dynamic = has_placeholder(&value);
        let static_size = serde_json::to_string(&value).map(|s| s.len()).unwrap_or(0);
        Template { value: Arc::new(value), dynamic, static_size, text: None }
    }

    /// A template that keeps `text`, the JSON the user wrote for `value`. The text is dropped (the payload is then
    /// serialized compactly) when it is the compact form anyway, or when a placeholder sits where rendering the text
    /// could differ from rendering the value (in a key, or next to an escaped quote).
    pub fn with_text(value: Value, text: &str) -> Template {
        let mut t = Template::new(value);
        let compact = serde_json::to_string(&*t.value).unwrap_or_default();
        let renderable = !t.dynamic || (!text.contains("\\\"{{") && !has_placeholder_key(&t.value));
        if text != compact && renderable {
            t.static_size = text.len();
            t.text = Some(Arc::from(text));
        }
        t
    }

    /// The payload of the `n`-th event of this source, `seq`-th overall.
    pub fn instantiate(&self, n: u64, seq: u64) -> Arc<Value> {
        if self.dynamic {
            Arc::new(render(&self.value, n, seq))
        } else {
            Arc::clone(&self.value)
        }
    }

    /// The bytes of the `n`-th payload as the user wrote them, when the template keeps its text.
    pub fn text_of(&self, n: u64, seq: u64) -> Option<Arc<str>> {
        let t = self.text.as_ref()?;
        if !self.dynamic {
            return Some(Arc::clone(t));
        }
        let (n, seq) = (n.to_string(), seq.to_string());
        let out = t.replace("\"{{n}}\"", &n).replace("\"{{seq}}\"", &seq).replace("{{n}}", &n).replace("{{seq}}", &seq);
        Some(Arc::from(out))
    }

    /// The text of the `n`-th payload as a service hands it on (an SQS body, an SNS message): the bytes as written
    /// when the template keeps them and the payload is an object or an array (a string payload is sent as its
    /// characters, without the quotes of its JSON form). `None`: the text is the rendered value, serialized compactly.
    pub fn written(&self, n: u64, seq: u64) -> Option<Arc<str>> {
        if self.value.is_object() || self.value.is_array() {
            self.text_of(n, seq)
        } else {
            None
        }
    }

    /// Serialized size in bytes of a payload made from this template.
    pub fn size_of(&self, payload: &Value) -> usize {
        if self.dynamic {
            serde_json::to_string(payload).map(|s| s.len()).unwrap_or(0)
        } else {
            self.static_size
        }
    }
}

fn has_placeholder_key(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().any(has_placeholder_key),
        Value::Object(o) => o.iter().any(|(k, x)| k.contains("{{") || has_placeholder_key(x)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lengths_are_the_serialized_ones() {
        for s in ["", "a", "\"q\"", "back\\slash", "tab\tnl\ncr\r\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "é ü 日本", "{\"a\": 1}"] {
            assert_eq!(json_str_len(s), serde_json::to_string(s).unwrap().len(), "{s:?}");
            assert_eq!(json_len(s), serde_json::to_string(s).unwrap().len());
        }
        let v = json!({"a": [1, 2.5, "x\ny"], "b": null, "c": {"d": true}});
        assert_eq!(json_len(&v), v.to_string().len());
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(digits(n), n.to_string().len());
        }
        for n in [0i64, -1, -10, 1_700_000_000_000, i64::MIN, i64::MAX] {
            assert_eq!(digits_i64(n), n.to_string().len());
        }
        assert!(Arc::ptr_eq(&Payload::unread().value, &Payload::unread().value));
    }

    #[test]
    fn placeholders_render() {
        let t = Template::new(json!({"orderId": "{{n}}", "ref": "order-{{n}}-{{seq}}", "fixed": [1, "x"]}));
        assert_eq!(*t.instantiate(4, 9), json!({"orderId": 4, "ref": "order-4-9", "fixed": [1, "x"]}));
        let s = Template::new(json!({"a": 1}));
        assert!(Arc::ptr_eq(&s.instantiate(0, 0), &s.instantiate(1, 1)));
        assert_eq!(s.size_of(&json!({"a": 1})), 7);
    }

    #[test]
    fn the_text_as_written_is_kept_and_rendered() {
        let t = Template::with_text(json!({"raise_error": 1}), r#"{"raise_error": 1}"#);
        assert_eq!(t.text_of(0, 0).as_deref(), Some(r#"{"raise_error": 1}"#));
        assert_eq!(t.size_of(&json!({"raise_error": 1})), 18);
        // The compact form needs no copy of its text.
        assert!(Template::with_text(json!({"a": 1}), r#"{"a":1}"#).text_of(0, 0).is_none());
        let text = r#"{ "orderId": "{{n}}", "ref": "order-{{n}}-{{seq}}" }"#;
        let d = Template::with_text(serde_json::from_str(text).unwrap(), text);
        let out = d.text_of(4, 9).unwrap();
        assert_eq!(&*out, r#"{ "orderId": 4, "ref": "order-4-9" }"#);
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), *d.instantiate(4, 9));
        // A placeholder in a key: rendered from the value, compactly.
        assert!(Template::with_text(json!({"k{{n}}": "{{n}}"}), r#"{ "k{{n}}": "{{n}}" }"#).text_of(0, 0).is_none());
    }
}
