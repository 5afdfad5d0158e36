//! Payload templates for workload sources: a JSON value whose strings may hold `{{n}}` (0-based index within the
//! source) or `{{seq}}` (global accept order). A payload without placeholders is shared, not copied, per event.

use std::sync::Arc;

use serde_json::Value;

/// A compiled payload template.
#[derive(Debug, Clone)]
pub struct Template {
    value: Arc<Value>,
    dynamic: bool,
    static_size: usize,
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
    pub fn new(value: Value) -> Template {
        let dynamic = has_placeholder(&value);
        let static_size = serde_json::to_string(&value).map(|s| s.len()).unwrap_or(0);
        Template { value: Arc::new(value), dynamic, static_size }
    }

    /// The payload of the `n`-th event of this source, `seq`-th overall.
    pub fn instantiate(&self, n: u64, seq: u64) -> Arc<Value> {
        if self.dynamic {
            Arc::new(render(&self.value, n, seq))
        } else {
            Arc::clone(&self.value)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_render() {
        let t = Template::new(json!({"orderId": "{{n}}", "ref": "order-{{n}}-{{seq}}", "fixed": [1, "x"]}));
        assert_eq!(*t.instantiate(4, 9), json!({"orderId": 4, "ref": "order-4-9", "fixed": [1, "x"]}));
        let s = Template::new(json!({"a": 1}));
        assert!(Arc::ptr_eq(&s.instantiate(0, 0), &s.instantiate(1, 1)));
        assert_eq!(s.size_of(&json!({"a": 1})), 7);
    }
}
