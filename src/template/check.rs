//! Checks of a whole template before anything is resolved, as CloudFormation validates a template before it creates
//! a stack: each resource has a `Type`; every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable and `DependsOn` names a
//! parameter, pseudo parameter or resource (or a resource SAM's transform makes); every intrinsic function is one
//! CloudFormation defines and lambdasim resolves; and resources do not depend on each other in a cycle
//! (CloudFormation's "Circular dependency between resources"). Each error names the template path.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::eval::FUNCTIONS;
use super::TemplateError;

const PSEUDO: &[&str] = &[
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
];

struct Names<'d> {
    params: &'d Map<String, Value>,
    resources: &'d Map<String, Value>,
    /// Logical ids of SAM functions and APIs: SAM makes resources named after them (`<Id>Role`, `<Id>Alias<alias>`).
    sam_prefixes: Vec<&'d str>,
}

impl Names<'_> {
    fn known(&self, name: &str) -> bool {
        PSEUDO.contains(&name)
            || self.params.contains_key(name)
            || self.resources.contains_key(name)
            || name.starts_with("Serverless")
            || self.sam_prefixes.iter().any(|p| name.starts_with(p))
    }
}

/// Check the template; the first problem is the error.
pub fn check(doc: &Value) -> Result<(), TemplateError> {
    let empty = Map::new();
    let resources = doc.get("Resources").and_then(Value::as_object).unwrap_or(&empty);
    let params = doc.get("Parameters").and_then(Value::as_object).unwrap_or(&empty);
    let sam_prefixes = resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str).is_some_and(|t| t.starts_with("AWS::Serverless::")))
        .map(|(id, _)| id.as_str())
        .collect();
    let names = Names { params, resources, sam_prefixes };
    let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (id, res) in resources {
        let path = format!("Resources.{id}");
        if !res.get("Type").is_some_and(Value::is_string) {
            return Err(TemplateError::new(format!("{path}.Type"), "every resource needs a Type (e.g. AWS::SQS::Queue)"));
        }
        let mut deps = vec![];
        if let Some(p) = res.get("Properties") {
            walk(p, &format!("{path}.Properties"), &names, &mut deps)?;
        }
        let depends = match res.get("DependsOn") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => vec![],
        };
        for d in depends {
            if !resources.contains_key(&d) && !names.known(&d) {
                return Err(TemplateError::new(format!("{path}.DependsOn"), format!("DependsOn {d:?} names no resource of this template")));
            }
            deps.push(d);
        }
        edges.insert(id, deps.into_iter().filter(|d| resources.contains_key(d)).collect());
    }
    if let Some(c) = doc.get("Conditions") {
        walk(c, "Conditions", &names, &mut vec![])?;
    }
    cycles(&edges)
}

/// Check the intrinsic functions in a value and collect the resources it refers to.
fn walk(v: &Value, path: &str, names: &Names, deps: &mut Vec<String>) -> Result<(), TemplateError> {
    match v {
        Value::Object(m) => {
            if m.len() == 1 {
                let (k, arg) = m.iter().next().map(|(k, a)| (k.as_str(), a)).unwrap_or(("", &Value::Null));
                let p = format!("{path}.{k}");
                if k.starts_with("Fn::") && !FUNCTIONS.contains(&k) {
                    return Err(TemplateError::new(
                        p,
                        format!("unknown intrinsic function {k}; lambdasim resolves {}", FUNCTIONS.join(", ")),
                    ));
                }
                match (k, arg) {
                    ("Ref", Value::String(t)) => {
                        let base = t.split('.').next().unwrap_or(t);
                        if !names.known(t) && !names.known(base) {
                            return Err(TemplateError::new(
                                p,
                                format!("Ref {t:?} names no parameter, pseudo parameter or resource of this template"),
                            ));
                        }
                        deps.push(base.to_string());
                    }
                    ("Fn::GetAtt", _) => {
                        let target = match arg {
                            Value::Array(a) => a.first().and_then(Value::as_str).map(String::from),
                            Value::String(s) => s.split('.').next().map(String::from),
                            _ => None,
                        };
                        if let Some(t) = target {
                            if !names.known(&t) {
                                return Err(TemplateError::new(
                                    p,
                                    format!("Fn::GetAtt names {t:?}, which is no resource of this template"),
                                ));
                            }
                            deps.push(t);
                        }
                    }
                    ("Fn::Sub", _) => {
                        let (text, vars) = match arg {
                            Value::String(s) => (s.as_str(), None),
                            Value::Array(a) if a.len() == 2 => (a[0].as_str().unwrap_or(""), a[1].as_object()),
                            _ => ("", None),
                        };
                        for var in sub_vars(text) {
                            if vars.is_some_and(|m| m.contains_key(&var)) {
                                continue;
                            }
                            let base = var.split('.').next().unwrap_or(&var).to_string();
                            if !names.known(&var) && !names.known(&base) {
                                return Err(TemplateError::new(
                                    p,
                                    format!(
                                        "Fn::Sub variable ${{{var}}} names no parameter, pseudo parameter or resource of this template"
                                    ),
                                ));
                            }
                            deps.push(base);
                        }
                    }
                    _ => {}
                }
            }
            for (k, x) in m {
                walk(x, &format!("{path}.{k}"), names, deps)?;
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), names, deps)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The `${Var}` names in an `Fn::Sub` string (`${!Literal}` excluded).
fn sub_vars(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let var = &after[..j];
        if !var.starts_with('!') {
            out.push(var.trim().to_string());
        }
        rest = &after[j + 1..];
    }
    out
}

/// Depth-first search for a cycle among the resources; the error names it.
fn cycles(edges: &BTreeMap<&str, Vec<String>>) -> Result<(), TemplateError> {
    // 0 = unseen, 1 = on the current path, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut stack: Vec<&str> = vec![];
    fn visit<'e>(
        n: &'e str,
        edges: &'e BTreeMap<&str, Vec<String>>,
        state: &mut BTreeMap<&'e str, u8>,
        stack: &mut Vec<&'e str>,
    ) -> Result<(), TemplateError> {
        state.insert(n, 1);
        stack.push(n);
        for d in edges.get(n).into_iter().flatten() {
            let d = d.as_str();
            match state.get(d).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|x| *x == d).unwrap_or(0);
                    let chain: Vec<&str> = stack[from..].iter().copied().chain([d]).collect();
                    return Err(TemplateError::new(
                        format!("Resources.{}", stack[from]),
                        format!("circular dependency between resources: {}", chain.join(" -> ")),
                    ));
                }
                0 => visit(d, edges, state, stack)?,
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        Ok(())
    }
    for n in edges.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            visit(n, edges, &mut state, &mut stack)?;
        }
    }
    Ok(())
}
