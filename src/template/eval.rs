//! Resolving a template's values: `Parameters` (defaults and overrides), pseudo parameters (`AWS::Region`,
//! `AWS::AccountId`, `AWS::StackName`, `AWS::Partition`, ...), `Conditions`, `Mappings`, and the intrinsic functions
//! (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::Equals`, `Fn::Not`,
//! `Fn::And`, `Fn::Or`, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs`, `Fn::ToJsonString`, `Fn::Length`), as the
//! CloudFormation User Guide's "Intrinsic function reference" and "Pseudo parameters reference" define them
//! (docs/sources.md, "Templates"). `Ref` and `Fn::GetAtt` of a resource give the simulated resource's name or ARN
//! ([`super::names`]). `Fn::ImportValue` cannot be resolved without a deployed stack: it is an error saying how to
//! supply the value. A cycle (a resource whose name depends on itself) is an error naming the chain.

use std::cell::RefCell;
use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value};

use super::names;
use super::TemplateError;

/// The intrinsic functions (long forms) this reader resolves.
pub const FUNCTIONS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::FindInMap",
    "Fn::Base64",
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::ToJsonString",
    "Fn::Length",
];

/// The resolving context of one template.
pub struct Ctx<'a> {
    pub region: String,
    pub account: String,
    pub stack: String,
    params: BTreeMap<String, Value>,
    conditions: Map<String, Value>,
    mappings: Map<String, Value>,
    /// The `Resources` section as written.
    pub resources: &'a Map<String, Value>,
    cond_cache: RefCell<BTreeMap<String, bool>>,
    cond_stack: RefCell<Vec<String>>,
    names: RefCell<BTreeMap<String, String>>,
    name_stack: RefCell<Vec<String>>,
    /// `AWS::Lambda::Version` logical id -> its version number (per function, in template order).
    pub versions: BTreeMap<String, u32>,
}

fn obj(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// A parameter's value as its `Type` makes it: `CommaDelimitedList` and `List<...>` become lists.
fn typed(param: &Value, v: Value) -> Value {
    let ty = param.get("Type").and_then(Value::as_str).unwrap_or("String");
    match v {
        Value::String(s) if ty == "CommaDelimitedList" || ty.starts_with("List<") => {
            Value::Array(s.split(',').map(|p| Value::String(p.trim().to_string())).collect())
        }
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        other => other,
    }
}

impl<'a> Ctx<'a> {
    /// Resolve the parameters (overrides first, then defaults) and index the template's sections.
    pub fn new(
        doc: &'a Value,
        resources: &'a Map<String, Value>,
        region: &str,
        account: &str,
        stack: &str,
        overrides: &BTreeMap<String, Value>,
    ) -> Result<Ctx<'a>, TemplateError> {
        let declared = obj(doc, "Parameters");
        for k in overrides.keys() {
            if !declared.contains_key(k) {
                let names: Vec<&String> = declared.keys().collect();
                return Err(TemplateError::new(
                    format!("Parameters.{k}"),
                    format!("the template declares no parameter {k:?} (it declares {names:?})"),
                ));
            }
        }
        let mut params = BTreeMap::new();
        for (k, p) in &declared {
            let ty = p.get("Type").and_then(Value::as_str).unwrap_or("String");
            if ty.starts_with("AWS::SSM::Parameter::Value") && !overrides.contains_key(k) {
                // CloudFormation reads the value from SSM Parameter Store; the default is the parameter's name there.
                return Err(TemplateError::new(
                    format!("Parameters.{k}"),
                    format!("parameter {k} ({ty}) is read from SSM Parameter Store, which lambdasim does not have; supply the value: `--parameter-overrides {k}=VALUE`, or `\"Parameters\": {{\"{k}\": \"VALUE\"}}`"),
                ));
            }
            let v = match overrides.get(k).cloned().or_else(|| p.get("Default").cloned()) {
                Some(v) => typed(p, v),
                None => {
                    return Err(TemplateError::new(
                        format!("Parameters.{k}"),
                        format!(
                            "parameter {k} has no Default; supply it: `lambdasim import --parameter-overrides {k}=VALUE`, or \
                             `\"Parameters\": {{\"{k}\": \"VALUE\"}}` in a scenario that names the template"
                        ),
                    ))
                }
            };
            if let (Some(allowed), Value::String(s)) = (p.get("AllowedValues").and_then(Value::as_array), &v) {
                if !allowed.iter().any(|a| scalar_text(a, "").ok().as_deref() == Some(s.as_str())) {
                    return Err(TemplateError::new(
                        format!("Parameters.{k}"),
                        format!("value {s:?} is not one of AllowedValues {allowed:?}"),
                    ));
                }
            }
            params.insert(k.clone(), v);
        }
        let mut versions = BTreeMap::new();
        let mut per_fn: BTreeMap<String, u32> = BTreeMap::new();
        for (id, r) in resources {
            if r.get("Type").and_then(Value::as_str) == Some("AWS::Lambda::Version") {
                let f = r.pointer("/Properties/FunctionName").map(|v| v.to_string()).unwrap_or_default();
                let n = per_fn.entry(f).or_insert(0);
                *n += 1;
                versions.insert(id.clone(), *n);
            }
        }
        Ok(Ctx {
            region: region.into(),
            account: account.into(),
            stack: stack.into(),
            params,
            conditions: obj(doc, "Conditions"),
            mappings: obj(doc, "Mappings"),
            resources,
            cond_cache: RefCell::new(BTreeMap::new()),
            cond_stack: RefCell::new(vec![]),
            names: RefCell::new(BTreeMap::new()),
            name_stack: RefCell::new(vec![]),
            versions,
        })
    }

    /// The type of a resource.
    pub fn type_of(&self, id: &str) -> Option<&str> {
        self.resources.get(id).and_then(|r| r.get("Type")).and_then(Value::as_str)
    }

    /// Whether a named condition holds.
    pub fn condition(&self, name: &str, path: &str) -> Result<bool, TemplateError> {
        if let Some(b) = self.cond_cache.borrow().get(name) {
            return Ok(*b);
        }
        let Some(def) = self.conditions.get(name).cloned() else {
            return Err(TemplateError::new(path, format!("condition {name:?} is not declared in Conditions")));
        };
        if self.cond_stack.borrow().iter().any(|c| c == name) {
            let chain = self.cond_stack.borrow().join(" -> ");
            return Err(TemplateError::new(
                format!("Conditions.{name}"),
                format!("conditions refer to each other in a cycle: {chain} -> {name}"),
            ));
        }
        self.cond_stack.borrow_mut().push(name.into());
        let r = self.eval_cond(&def, &format!("Conditions.{name}"));
        self.cond_stack.borrow_mut().pop();
        let b = r?;
        self.cond_cache.borrow_mut().insert(name.into(), b);
        Ok(b)
    }

    fn eval_cond(&self, v: &Value, path: &str) -> Result<bool, TemplateError> {
        if let Some(Value::String(c)) = v.as_object().filter(|m| m.len() == 1).and_then(|m| m.get("Condition")) {
            return self.condition(c, path);
        }
        match self.eval(v, path)? {
            Some(Value::Bool(b)) => Ok(b),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            other => Err(TemplateError::new(path, format!("a condition must be true or false, not {}", show(&other)))),
        }
    }

    /// The physical name of a resource: its name property when it has one, else a generated name.
    pub fn name_of(&self, id: &str, path: &str) -> Result<String, TemplateError> {
        if let Some(n) = self.names.borrow().get(id) {
            return Ok(n.clone());
        }
        let Some(res) = self.resources.get(id) else {
            return Err(TemplateError::new(path, format!("no resource {id:?}")));
        };
        let ty = res.get("Type").and_then(Value::as_str).unwrap_or("");
        if self.name_stack.borrow().iter().any(|c| c == id) {
            let chain = self.name_stack.borrow().join(" -> ");
            return Err(TemplateError::new(path, format!("resources refer to each other in a cycle: {chain} -> {id}")));
        }
        self.name_stack.borrow_mut().push(id.into());
        let given = match names::name_property(ty) {
            Some(p) => match res.get("Properties").and_then(|ps| ps.get(p)) {
                Some(v) => self.eval(v, &format!("Resources.{id}.Properties.{p}")),
                None => Ok(None),
            },
            None => Ok(None),
        };
        self.name_stack.borrow_mut().pop();
        let name = match given? {
            Some(Value::String(s)) => s,
            Some(other) => return Err(TemplateError::new(format!("Resources.{id}"), format!("the name must be a string, not {other}"))),
            None => names::generate(&self.stack, id, ty, res.get("Properties")),
        };
        self.names.borrow_mut().insert(id.into(), name.clone());
        Ok(name)
    }

    /// Evaluate a value: intrinsic functions resolved; `None` for `AWS::NoValue`.
    pub fn eval(&self, v: &Value, path: &str) -> Result<Option<Value>, TemplateError> {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().map(|(k, a)| (k.as_str(), a)).unwrap_or(("", &Value::Null));
                if k == "Ref" || k.starts_with("Fn::") {
                    return self.intrinsic(k, arg, &format!("{path}.{k}"));
                }
                self.eval_map(m, path)
            }
            Value::Object(m) => self.eval_map(m, path),
            Value::Array(a) => {
                let mut out = vec![];
                for (i, x) in a.iter().enumerate() {
                    if let Some(x) = self.eval(x, &format!("{path}[{i}]"))? {
                        out.push(x);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    fn eval_map(&self, m: &Map<String, Value>, path: &str) -> Result<Option<Value>, TemplateError> {
        let mut out = Map::new();
        for (k, x) in m {
            if let Some(x) = self.eval(x, &format!("{path}.{k}"))? {
                out.insert(k.clone(), x);
            }
        }
        Ok(Some(Value::Object(out)))
    }

    fn must(&self, v: &Value, path: &str) -> Result<Value, TemplateError> {
        self.eval(v, path)?.ok_or_else(|| TemplateError::new(path, "AWS::NoValue cannot stand here"))
    }

    fn string(&self, v: &Value, path: &str) -> Result<String, TemplateError> {
        match self.must(v, path)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(TemplateError::new(path, format!("expected a string, found {other}"))),
        }
    }

    fn list(&self, v: &Value, path: &str) -> Result<Vec<Value>, TemplateError> {
        match self.must(v, path)? {
            Value::Array(a) => Ok(a),
            other => Err(TemplateError::new(path, format!("expected a list, found {other}"))),
        }
    }

    fn args<'v>(arg: &'v Value, n: usize, f: &str, path: &str) -> Result<&'v [Value], TemplateError> {
        match arg.as_array() {
            Some(a) if a.len() == n => Ok(a),
            _ => Err(TemplateError::new(path, format!("{f} takes a list of {n} arguments, found {arg}"))),
        }
    }

    fn intrinsic(&self, f: &str, arg: &Value, path: &str) -> Result<Option<Value>, TemplateError> {
        let s = |x: String| Ok(Some(Value::String(x)));
        match f {
            "Ref" => {
                let Some(target) = arg.as_str() else {
                    return Err(TemplateError::new(path, format!("Ref takes a name, found {arg}")));
                };
                self.reference(target, path)
            }
            "Fn::GetAtt" => {
                let (id, attr) = match arg {
                    Value::Array(a) if a.len() == 2 => (self.string(&a[0], path)?, self.string(&a[1], path)?),
                    Value::String(x) => match x.split_once('.') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => return Err(TemplateError::new(path, format!("Fn::GetAtt {x:?} needs Resource.Attribute"))),
                    },
                    _ => return Err(TemplateError::new(path, format!("Fn::GetAtt takes [Resource, Attribute], found {arg}"))),
                };
                self.get_att(&id, &attr, path).map(Some)
            }
            "Fn::Sub" => {
                let (text, vars) = match arg {
                    Value::String(t) => (t.clone(), Map::new()),
                    Value::Array(a) if a.len() == 2 => {
                        let mut vars = Map::new();
                        for (k, v) in a[1].as_object().cloned().unwrap_or_default() {
                            vars.insert(k.clone(), self.must(&v, &format!("{path}[1].{k}"))?);
                        }
                        (self.string(&a[0], path)?, vars)
                    }
                    _ => return Err(TemplateError::new(path, format!("Fn::Sub takes a string or [string, {{variables}}], found {arg}"))),
                };
                s(self.sub(&text, &vars, path)?)
            }
            "Fn::Join" => {
                let a = Self::args(arg, 2, f, path)?;
                let sep = self.string(&a[0], path)?;
                let parts = self.list(&a[1], &format!("{path}[1]"))?;
                let parts: Vec<String> = parts.iter().map(|p| scalar_text(p, path)).collect::<Result<_, _>>()?;
                s(parts.join(&sep))
            }
            "Fn::Select" => {
                let a = Self::args(arg, 2, f, path)?;
                let i: usize =
                    self.string(&a[0], path)?.parse().map_err(|_| TemplateError::new(path, "Fn::Select's index must be a number"))?;
                let l = self.list(&a[1], &format!("{path}[1]"))?;
                l.get(i)
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| TemplateError::new(path, format!("index {i} is past the list's {} items", l.len())))
            }
            "Fn::Split" => {
                let a = Self::args(arg, 2, f, path)?;
                let sep = self.string(&a[0], path)?;
                let text = self.string(&a[1], path)?;
                Ok(Some(Value::Array(text.split(sep.as_str()).map(|p| Value::String(p.into())).collect())))
            }
            "Fn::If" => {
                let a = Self::args(arg, 3, f, path)?;
                let c = a[0].as_str().ok_or_else(|| TemplateError::new(path, "Fn::If's first argument is a condition's name"))?;
                if self.condition(c, path)? {
                    self.eval(&a[1], &format!("{path}[1]"))
                } else {
                    self.eval(&a[2], &format!("{path}[2]"))
                }
            }
            "Fn::Equals" => {
                let a = Self::args(arg, 2, f, path)?;
                let (x, y) = (self.must(&a[0], path)?, self.must(&a[1], path)?);
                Ok(Some(Value::Bool(x == y || (scalar_text(&x, path).ok() == scalar_text(&y, path).ok() && !x.is_array()))))
            }
            "Fn::Not" => {
                let a = Self::args(arg, 1, f, path)?;
                Ok(Some(Value::Bool(!self.eval_cond(&a[0], &format!("{path}[0]"))?)))
            }
            "Fn::And" | "Fn::Or" => {
                let a = arg.as_array().ok_or_else(|| TemplateError::new(path, format!("{f} takes a list of conditions")))?;
                let mut all = vec![];
                for (i, c) in a.iter().enumerate() {
                    all.push(self.eval_cond(c, &format!("{path}[{i}]"))?);
                }
                Ok(Some(Value::Bool(if f == "Fn::And" { all.iter().all(|b| *b) } else { all.iter().any(|b| *b) })))
            }
            "Fn::FindInMap" => {
                let a = arg
                    .as_array()
                    .filter(|a| a.len() >= 3)
                    .ok_or_else(|| TemplateError::new(path, "Fn::FindInMap takes [Map, TopKey, SecondKey]"))?;
                let (m, k1, k2) = (self.string(&a[0], path)?, self.string(&a[1], path)?, self.string(&a[2], path)?);
                let found = self.mappings.get(&m).and_then(|x| x.get(&k1)).and_then(|x| x.get(&k2));
                match found {
                    Some(v) => Ok(Some(v.clone())),
                    None => Err(TemplateError::new(path, format!("Mappings has no {m}.{k1}.{k2}"))),
                }
            }
            "Fn::Base64" => s(base64::engine::general_purpose::STANDARD.encode(self.string(arg, path)?)),
            "Fn::GetAZs" => Ok(Some(Value::Array(["a", "b", "c"].iter().map(|z| Value::String(format!("{}{z}", self.region))).collect()))),
            "Fn::ToJsonString" => s(self.must(arg, path)?.to_string()),
            "Fn::Length" => Ok(Some(Value::from(self.list(arg, path)?.len()))),
            "Fn::ImportValue" => Err(TemplateError::new(
                path,
                format!(
                    "Fn::ImportValue {} reads another stack's export, and lambdasim deploys no stacks: replace it with a parameter \
                     and supply the value (`--parameter-overrides NAME=VALUE`, or `Parameters` in the scenario)",
                    arg
                ),
            )),
            other => {
                Err(TemplateError::new(path, format!("unknown intrinsic function {other}; lambdasim resolves {}", FUNCTIONS.join(", "))))
            }
        }
    }

    /// `Ref` of a name: a pseudo parameter, a parameter or a resource.
    pub fn reference(&self, target: &str, path: &str) -> Result<Option<Value>, TemplateError> {
        let s = |x: String| Ok(Some(Value::String(x)));
        match target {
            "AWS::Region" => return s(self.region.clone()),
            "AWS::AccountId" => return s(self.account.clone()),
            "AWS::StackName" => return s(self.stack.clone()),
            "AWS::Partition" => return s("aws".into()),
            "AWS::URLSuffix" => return s("amazonaws.com".into()),
            "AWS::StackId" => return s(format!("arn:aws:cloudformation:{}:{}:stack/{}/lambdasim", self.region, self.account, self.stack)),
            "AWS::NotificationARNs" => return Ok(Some(Value::Array(vec![]))),
            "AWS::NoValue" => return Ok(None),
            _ => {}
        }
        if let Some(v) = self.params.get(target) {
            return Ok(Some(v.clone()));
        }
        if self.resources.contains_key(target) {
            return self.ref_resource(target, path).map(Some);
        }
        // `!Ref Function.Alias` / `.Version` (SAM): the alias or version AutoPublishAlias makes.
        if let Some((id, what)) = target.split_once('.') {
            if self.type_of(id) == Some("AWS::Serverless::Function") && (what == "DestinationQueue" || what == "DestinationTopic") {
                // The queue or topic SAM makes for an EventInvokeConfig destination given only its Type.
                let ty = if what == "DestinationQueue" { "AWS::SQS::Queue" } else { "AWS::SNS::Topic" };
                let name = names::generate(&self.stack, &format!("{id}{what}"), ty, None);
                return s(names::ref_value(ty, &name, &self.region, &self.account));
            }
            if self.type_of(id) == Some("AWS::Serverless::Function") && (what == "Alias" || what == "Version") {
                let alias = self.resources[id].pointer("/Properties/AutoPublishAlias").map(|a| self.string(a, path)).transpose()?;
                let name = self.name_of(id, path)?;
                let q = if what == "Alias" { alias.unwrap_or_else(|| "live".into()) } else { "1".into() };
                return s(format!("{}:{q}", names::lambda_arn(&self.region, &self.account, &name)));
            }
        }
        Err(TemplateError::new(path, format!("Ref {target:?} names no parameter, pseudo parameter or resource of this template")))
    }

    fn ref_resource(&self, id: &str, path: &str) -> Result<Value, TemplateError> {
        let ty = self.type_of(id).unwrap_or("");
        let name = self.name_of(id, path)?;
        if ty == "AWS::Lambda::Version" || ty == "AWS::Lambda::Alias" {
            return self.get_att(id, "Arn", path);
        }
        Ok(Value::String(names::ref_value(ty, &name, &self.region, &self.account)))
    }

    /// `Fn::GetAtt` of a resource.
    pub fn get_att(&self, id: &str, attr: &str, path: &str) -> Result<Value, TemplateError> {
        let Some(ty) = self.type_of(id) else {
            return Err(TemplateError::new(path, format!("Fn::GetAtt names {id:?}, which is no resource of this template")));
        };
        let (r, a) = (&self.region, &self.account);
        match (ty, attr) {
            ("AWS::Lambda::Version", "Version") => return Ok(Value::String(self.versions.get(id).copied().unwrap_or(1).to_string())),
            ("AWS::Lambda::Version", "Arn") | ("AWS::Lambda::Alias", "Arn") => {
                let props = &self.resources[id]["Properties"];
                let f = self.string(props.get("FunctionName").unwrap_or(&Value::Null), path)?;
                let f = names::function_name_of(&f);
                let q = if ty == "AWS::Lambda::Alias" {
                    self.string(props.get("Name").unwrap_or(&Value::Null), path)?
                } else {
                    self.versions.get(id).copied().unwrap_or(1).to_string()
                };
                return Ok(Value::String(format!("{}:{q}", names::lambda_arn(r, a, &f))));
            }
            _ => {}
        }
        let name = self.name_of(id, path)?;
        Ok(Value::String(names::attribute(ty, attr, &name, r, a)))
    }

    fn sub(&self, text: &str, vars: &Map<String, Value>, path: &str) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                return Err(TemplateError::new(path, format!("Fn::Sub: unclosed ${{ in {text:?}")));
            };
            let var = &after[..j];
            rest = &after[j + 1..];
            if let Some(lit) = var.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let v = if let Some(v) = vars.get(var) {
                v.clone()
            } else if let Some((id, attr)) = var.split_once('.').filter(|(id, _)| self.resources.contains_key(*id)) {
                self.get_att(id, attr, path)?
            } else {
                self.reference(var, path)?.unwrap_or(Value::String(String::new()))
            };
            out.push_str(&scalar_text(&v, path)?);
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A scalar as text (strings as they are, numbers and booleans printed).
pub fn scalar_text(v: &Value, path: &str) -> Result<String, TemplateError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(TemplateError::new(path, format!("expected a string, found {other}"))),
    }
}

fn show(v: &Option<Value>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_else(|| "AWS::NoValue".into())
}
