//! A scenario that names a template (`"Template": "template.yaml"` or `{"Path": ..., "StackName": ...}`, with
//! optional `"Parameters": {"Stage": "prod"}`): the template's sections come first, then the scenario's own.
//!
//! - A scenario `Functions` entry whose `FunctionName` is a template function's logical id or physical name is an
//!   overlay: each property it gives replaces the template's property of that name, whole (an overlay's
//!   `EventInvokeConfig` replaces the template's, it is not merged key by key); the name stays the physical one.
//!   Any other entry is a function of its own.
//! - `Simulation` settings merge key by key, the scenario's winning; every other section is the template's entries
//!   followed by the scenario's.
//! - In the scenario's own sections, a reference by logical id (`"Function": "OrdersFunction"`,
//!   `"Queue": "OrdersQueue"`, `"Target": "OrdersDlq"`, `"Function": "OrdersFunction:live"`) becomes the physical name
//!   where the format takes a name, and the ARN where it takes an ARN (`Target`, `Destination`, `TargetArn`,
//!   `Endpoint`, `Arn`, `EventSourceArn`, `deadLetterTargetArn`).
//!
//! `Region` and `AccountId` of the scenario are the template's `AWS::Region` and `AWS::AccountId`. Relative paths
//! (`Template`, and the `CodeUri` the import writes) start from the scenario file's directory.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{import_file, Import, Logical, Options, TemplateError};

/// Keys whose value names a resource by name (or by ARN; a logical id there becomes the physical name).
const NAME_KEYS: &[&str] = &["Function", "FunctionName", "Queue", "Stream", "Topic", "EventBus", "DeliveryStream", "Bucket"];
/// Keys whose value is an ARN (a logical id there becomes the ARN).
const ARN_KEYS: &[&str] = &["Target", "Destination", "TargetArn", "Endpoint", "Arn", "EventSourceArn", "deadLetterTargetArn"];
/// Keys whose values are data, never references.
const DATA_KEYS: &[&str] = &["Payload", "Match", "EventPattern", "FilterPolicy", "Response", "When", "Pattern", "Description", "Name"];

/// Expand a scenario document that names a template, in place: `Template` and `Parameters` are replaced by the
/// template's sections. `Ok(None)` when the document names no template (it is left untouched).
pub fn expand(doc: &mut Value, base_dir: &Path) -> Result<Option<Import>, TemplateError> {
    let Some(m) = doc.as_object_mut() else { return Ok(None) };
    let Some(template) = m.remove("Template") else {
        if m.contains_key("Parameters") {
            return Err(TemplateError::new(
                "Parameters",
                "Parameters are the values of a template's parameters: name the template with Template",
            ));
        }
        return Ok(None);
    };
    let (file, stack) = match &template {
        Value::String(s) => (s.clone(), None),
        Value::Object(t) => (
            t.get("Path").and_then(Value::as_str).unwrap_or_default().to_string(),
            t.get("StackName").and_then(Value::as_str).map(String::from),
        ),
        other => {
            return Err(TemplateError::new("Template", format!("expected a path or {{\"Path\": ..., \"StackName\": ...}}, found {other}")))
        }
    };
    let mut opts = Options { stack_name: stack, scenario_dir: base_dir.to_path_buf(), ..Options::default() };
    if let Some(r) = m.get("Region").and_then(Value::as_str) {
        opts.region = r.into();
    }
    if let Some(a) = m.get("AccountId").and_then(Value::as_str) {
        opts.account = a.into();
    }
    match m.remove("Parameters") {
        None => {}
        Some(Value::Object(p)) => opts.parameters = p.into_iter().collect(),
        Some(other) => return Err(TemplateError::new("Parameters", format!("expected {{\"Name\": value}}, found {other}"))),
    }
    let imp = import_file(&base_dir.join(&file), &opts)?;
    for (k, v) in m.iter_mut() {
        if k != "Functions" {
            rewrite(v, k, &imp.logical);
        } else if let Value::Array(fs) = v {
            for f in fs.iter_mut().filter_map(Value::as_object_mut) {
                for (fk, fv) in f.iter_mut() {
                    // An overlay's own FunctionName stays as written; it is matched below.
                    if fk != "FunctionName" {
                        rewrite(fv, fk, &imp.logical);
                    }
                }
            }
        }
    }
    for (section, tv) in &imp.sections {
        let own = m.remove(section);
        let merged = match (section.as_str(), tv.clone(), own) {
            (_, t, None) => t,
            ("Simulation", Value::Object(mut t), Some(Value::Object(o))) => {
                t.extend(o);
                Value::Object(t)
            }
            ("Functions", Value::Array(t), Some(Value::Array(o))) => Value::Array(overlay(t, o, &imp.logical)),
            (_, Value::Array(mut t), Some(Value::Array(o))) => {
                t.extend(o);
                Value::Array(t)
            }
            (_, _, Some(o)) => o,
        };
        m.insert(section.clone(), merged);
    }
    Ok(Some(imp))
}

/// The template's functions with the scenario's overlays applied, then the scenario's other functions.
fn overlay(template: Vec<Value>, own: Vec<Value>, logical: &BTreeMap<String, Logical>) -> Vec<Value> {
    let mut fns = template;
    for f in own {
        let name = f.get("FunctionName").and_then(Value::as_str).unwrap_or("").to_string();
        let physical = logical.get(&name).filter(|l| l.kind.ends_with("::Function")).map(|l| l.name.clone()).unwrap_or(name);
        match fns.iter_mut().find(|t| t.get("FunctionName").and_then(Value::as_str) == Some(physical.as_str())) {
            Some(Value::Object(t)) => {
                if let Value::Object(o) = f {
                    // `"Runtime": null` declares the behaviour instead of running the code: the code's directory
                    // and environment go with it (the handler stays: it names the frames of declared errors).
                    if o.get("Runtime").is_some_and(Value::is_null) {
                        for k in ["CodeUri", "Environment"] {
                            if !o.contains_key(k) {
                                t.remove(k);
                            }
                        }
                    }
                    for (k, v) in o {
                        if k != "FunctionName" {
                            t.insert(k, v);
                        }
                    }
                }
            }
            _ => fns.push(f),
        }
    }
    fns
}

/// Replace references by logical id under `key` (recursively).
fn rewrite(v: &mut Value, key: &str, logical: &BTreeMap<String, Logical>) {
    if DATA_KEYS.contains(&key) {
        return;
    }
    match v {
        Value::String(s) => {
            let arn = ARN_KEYS.contains(&key);
            if !arn && !NAME_KEYS.contains(&key) {
                return;
            }
            let (id, qualifier) = match s.split_once(':') {
                Some((id, q)) if !s.starts_with("arn:") => (id.to_string(), Some(q.to_string())),
                _ => (s.clone(), None),
            };
            if let Some(l) = logical.get(&id) {
                let base = if arn { l.arn.clone() } else { l.name.clone() };
                *s = match qualifier {
                    Some(q) => format!("{base}:{q}"),
                    None => base,
                };
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, key, logical)),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                rewrite(x, k, logical);
            }
        }
        _ => {}
    }
}
