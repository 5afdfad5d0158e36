//! Reading a template's text into JSON: CloudFormation templates are JSON or YAML, and YAML templates may use the
//! short forms of the intrinsic functions as YAML tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub "..."`, ...). Each short
//! form becomes its long form (`{"Ref": "X"}`, `{"Fn::GetAtt": ["X", "Arn"]}`, `{"Fn::Sub": "..."}`), as the
//! CloudFormation User Guide's "Intrinsic function reference" defines them (docs/sources.md, "Templates").

use serde_json::{Map, Value};

use super::TemplateError;

/// The short-form tags CloudFormation accepts, each with the long form's key.
const TAGS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Cidr", "Fn::Cidr"),
    ("Condition", "Condition"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
];

/// Parse a template's text: JSON when it starts with `{`, YAML otherwise.
pub fn parse(text: &str) -> Result<Value, TemplateError> {
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|e| TemplateError::new("", format!("invalid JSON: {e}")))?
    } else {
        let y: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| TemplateError::new("", format!("invalid YAML: {e}")))?;
        to_json(y, "")?
    };
    if !value.is_object() {
        return Err(TemplateError::new("", "a template is a mapping with `Resources` (and optionally `Parameters`, `Conditions`, ...)"));
    }
    Ok(value)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn to_json(y: yaml_serde::Value, path: &str) -> Result<Value, TemplateError> {
    use yaml_serde::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => {
            Value::Array(seq.into_iter().enumerate().map(|(i, v)| to_json(v, &format!("{path}[{i}]"))).collect::<Result<_, _>>()?)
        }
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(TemplateError::new(path, format!("a mapping key must be a string, not {other:?}"))),
                };
                let v = to_json(v, &join(path, &key))?;
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let Some((_, long)) = TAGS.iter().find(|(short, _)| *short == name) else {
                let known: Vec<String> = TAGS.iter().map(|(s, _)| format!("!{s}")).collect();
                return Err(TemplateError::new(path, format!("unknown tag {tag}; CloudFormation's short forms are {}", known.join(", "))));
            };
            let inner = to_json(t.value, path)?;
            let inner = match (*long, inner) {
                // `!GetAtt Resource.Attribute`: the first dot separates the two (attributes may hold dots).
                ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                    Some((r, a)) => Value::Array(vec![Value::String(r.into()), Value::String(a.into())]),
                    None => return Err(TemplateError::new(path, format!("!GetAtt {s:?} needs the form Resource.Attribute"))),
                },
                (_, v) => v,
            };
            let mut m = Map::new();
            m.insert(long.to_string(), inner);
            Value::Object(m)
        }
    })
}
