//! Amazon EventBridge event-pattern matcher, shared by Lambda event source mapping
//! `FilterCriteria`, EventBridge rules and the behaviour rules of simulated functions.
//!
//! References:
//! - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>
//! - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
//! - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html>
//!
//! spec 5.4 (`docs/semantics.md`: FilterCriteria syntax)
//!
//! A pattern is a JSON object. Each key names a field of the event; a nested object descends
//! into the event, and a leaf is a non-empty array of match values. Fields are ANDed, the
//! values of one array are ORed, and `{"$or": [pattern, pattern, ...]}` ORs whole sub-patterns.
//!
//! Choices made where the documentation leaves room:
//! - Literal numbers match when both numbers have the same numeric value *and* the same
//!   `serde_json` text, so `300` does not match `300.0` (Lambda: "compared as their string
//!   form"); this rule also applies to the numbers listed in `anything-but`.
//! - Only leaf values (strings, numbers, booleans, `null`) are matched. An event array is
//!   flattened and the leaf matches if any of its elements matches; objects have no leaf value.
//! - A field is "present" when it holds at least one leaf value: `{"exists": true}` matches
//!   `null` but not an object, `{}` or `[]`; `{"exists": false}` matches those and a missing field.
//! - A nested pattern descending into an array of objects matches if any one element matches
//!   the whole sub-pattern; a missing field or a non-object value is seen as having no fields.
//! - `anything-but` matches any present leaf value not excluded (numbers, booleans and `null`
//!   included); its `prefix`/`suffix`/`equals-ignore-case`/`wildcard` forms exclude only strings.
//! - `anything-but` lists hold only strings or only numbers, as documented; mixing is an error.
//! - `numeric` takes `=` alone, or one or two bounds (at most one lower, one upper, either
//!   order, lower < upper); it matches JSON numbers only, never numeric strings.
//! - `equals-ignore-case` compares Unicode lower-case forms.
//! - `wildcard`: `*` matches any run of characters, `\*` a literal star, `\\` a backslash;
//!   any other escape and consecutive `**` are errors (as EventBridge rejects them).
//! - `cidr` takes `address/length` for IPv4 or IPv6; host bits are ignored; it matches string
//!   values holding an address of the same family.
//! - An empty nested object or an empty `$or` branch is an error; the empty top-level pattern
//!   `{}` matches every event.

use std::fmt;
use std::net::IpAddr;

use serde_json::{Map, Number, Value};

/// The operator names accepted inside a match array.
const OPERATORS: &str = "prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr";

/// The longest excerpt of a bad value quoted in an error message, in characters.
const SHOW_LIMIT: usize = 120;

/// A compiled event pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: Node,
}

/// A pattern compile error: `path` is the full JSON path of the bad element.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternError {
    /// The full JSON path of the bad element.
    pub path: String,
    /// What is wrong with it and what is allowed.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Compile a pattern given as JSON. `path` is the JSON path of the pattern in the user's scenario file
    /// (e.g. `Functions[0].Behavior.Rules[2].When.Payload`); errors name the full path of the bad element
    /// (e.g. `Functions[0].Behavior.Rules[2].When.Payload.detail.amount[0].numeric[1]`), the bad value, and what is allowed.
    pub fn compile(pattern: &Value, path: &str) -> Result<Pattern, PatternError> {
        let Value::Object(fields) = pattern else {
            return Err(error(
                path,
                format!("a pattern must be a JSON object mapping field names to match arrays or nested patterns, got {}", show(pattern)),
            ));
        };
        Ok(Pattern { root: compile_node(fields, path)? })
    }

    /// Parse from a JSON string (as FilterCriteria.Filters[].Pattern is a string in AWS); same error rules.
    pub fn parse_str(text: &str, path: &str) -> Result<Pattern, PatternError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            error(
                path,
                format!("pattern is not valid JSON ({e}): {}; expected a JSON object such as {{\"source\": [\"aws.s3\"]}}", truncate(text)),
            )
        })?;
        Self::compile(&value, path)
    }

    /// Whether `event` matches this pattern.
    pub fn matches(&self, event: &Value) -> bool {
        self.root.matches_value(Some(event))
    }

    /// A pattern that matches everything ({}).
    pub fn any() -> Pattern {
        Pattern { root: Node::default() }
    }
}

/// One object level of a pattern: every field must match, and one `$or` branch if any.
#[derive(Debug, Clone, Default)]
struct Node {
    fields: Vec<(String, Field)>,
    or_branches: Option<Vec<Node>>,
}

#[derive(Debug, Clone)]
enum Field {
    Leaf(Leaf),
    Nested(Node),
}

/// A match array: matches when any of its matchers matches any leaf value of the field.
#[derive(Debug, Clone)]
struct Leaf {
    matchers: Vec<Matcher>,
    /// Whether a field without leaf values matches (the array holds `{"exists": false}`).
    accepts_absent: bool,
}

#[derive(Debug, Clone)]
enum Matcher {
    Literal(Literal),
    Text(TextTest),
    AnythingBut(Vec<Literal>),
    AnythingButText(Vec<TextTest>),
    Numeric(Range),
    Exists(bool),
    Cidr(Cidr),
}

#[derive(Debug, Clone)]
enum Literal {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}

/// A test on string values; ignore-case operands are stored lower-cased.
#[derive(Debug, Clone)]
enum TextTest {
    Prefix(String),
    PrefixIgnoreCase(String),
    Suffix(String),
    SuffixIgnoreCase(String),
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
}

/// A wildcard pattern split at its unescaped stars: `parts.len()` is the star count plus one.
#[derive(Debug, Clone)]
struct Wildcard {
    parts: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Range {
    lower: Option<Bound>,
    upper: Option<Bound>,
}

#[derive(Debug, Clone, Copy)]
enum Cidr {
    V4 { network: u32, mask: u32 },
    V6 { network: u128, mask: u128 },
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

impl Node {
    fn matches_object(&self, object: Option<&Map<String, Value>>) -> bool {
        self.fields.iter().all(|(key, field)| field.matches(object.and_then(|o| o.get(key))))
            && self.or_branches.as_ref().is_none_or(|branches| branches.iter().any(|b| b.matches_object(object)))
    }

    /// Match a (possibly absent) event value: an object is matched directly, an array if any
    /// object in it matches, anything else as an object without fields.
    fn matches_value(&self, value: Option<&Value>) -> bool {
        match value {
            Some(Value::Object(object)) => self.matches_object(Some(object)),
            Some(array @ Value::Array(_)) => {
                let mut saw_object = false;
                any_object(array, &mut |object| {
                    saw_object = true;
                    self.matches_object(Some(object))
                }) || (!saw_object && self.matches_object(None))
            }
            _ => self.matches_object(None),
        }
    }
}

impl Field {
    fn matches(&self, value: Option<&Value>) -> bool {
        match self {
            Field::Nested(node) => node.matches_value(value),
            Field::Leaf(leaf) => match value {
                Some(v) if has_leaf(v) => leaf.matchers.iter().any(|m| any_leaf(v, &|scalar| m.matches(scalar))),
                _ => leaf.accepts_absent,
            },
        }
    }
}

/// Whether `pred` holds for a leaf (non-array, non-object) value in `value`, arrays flattened.
fn any_leaf(value: &Value, pred: &dyn Fn(&Value) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| any_leaf(item, pred)),
        Value::Object(_) => false,
        scalar => pred(scalar),
    }
}

fn has_leaf(value: &Value) -> bool {
    any_leaf(value, &|_| true)
}

/// Whether `pred` holds for an object in `value`, arrays flattened.
fn any_object(value: &Value, pred: &mut dyn FnMut(&Map<String, Value>) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|item| any_object(item, pred)),
        Value::Object(object) => pred(object),
        _ => false,
    }
}

impl Matcher {
    /// Match one leaf value.
    fn matches(&self, value: &Value) -> bool {
        match self {
            Matcher::Literal(literal) => literal.matches(value),
            Matcher::Text(test) => value.as_str().is_some_and(|s| test.matches(s)),
            Matcher::AnythingBut(excluded) => !excluded.iter().any(|l| l.matches(value)),
            Matcher::AnythingButText(excluded) => value.as_str().is_none_or(|s| !excluded.iter().any(|t| t.matches(s))),
            Matcher::Numeric(range) => value.as_f64().is_some_and(|n| range.contains(n)),
            Matcher::Exists(exists) => *exists,
            Matcher::Cidr(cidr) => value.as_str().is_some_and(|s| cidr.contains(s)),
        }
    }
}

impl Literal {
    fn from_scalar(value: &Value) -> Option<Literal> {
        match value {
            Value::Null => Some(Literal::Null),
            Value::Bool(b) => Some(Literal::Bool(*b)),
            Value::Number(n) => Some(Literal::Number(n.clone())),
            Value::String(s) => Some(Literal::String(s.clone())),
            Value::Array(_) | Value::Object(_) => None,
        }
    }

    fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Literal::Null, Value::Null) => true,
            (Literal::Bool(a), Value::Bool(b)) => a == b,
            (Literal::String(a), Value::String(b)) => a == b,
            (Literal::Number(a), Value::Number(b)) => numbers_equal(a, b),
            _ => false,
        }
    }
}

/// Same numeric value and same textual form (Lambda: `300` is not `300.0`).
fn numbers_equal(a: &Number, b: &Number) -> bool {
    a.as_f64() == b.as_f64() && a.to_string() == b.to_string()
}

impl TextTest {
    fn matches(&self, s: &str) -> bool {
        match self {
            TextTest::Prefix(p) => s.starts_with(p.as_str()),
            TextTest::PrefixIgnoreCase(p) => s.to_lowercase().starts_with(p.as_str()),
            TextTest::Suffix(p) => s.ends_with(p.as_str()),
            TextTest::SuffixIgnoreCase(p) => s.to_lowercase().ends_with(p.as_str()),
            TextTest::EqualsIgnoreCase(p) => s.to_lowercase() == *p,
            TextTest::Wildcard(w) => w.matches(s),
        }
    }
}

impl Wildcard {
    fn matches(&self, s: &str) -> bool {
        match self.parts.as_slice() {
            [] => false,
            [only] => s == only,
            [first, middle @ .., last] => {
                let Some(rest) = s.strip_prefix(first.as_str()) else {
                    return false;
                };
                let Some(mut rest) = rest.strip_suffix(last.as_str()) else {
                    return false;
                };
                // Parts between stars are never empty (`**` is rejected), so the leftmost
                // occurrence of each is the best choice.
                for part in middle {
                    match rest.find(part.as_str()) {
                        Some(at) => rest = &rest[at + part.len()..],
                        None => return false,
                    }
                }
                true
            }
        }
    }
}

impl Range {
    fn contains(&self, n: f64) -> bool {
        self.lower.is_none_or(|b| if b.inclusive { n >= b.value } else { n > b.value })
            && self.upper.is_none_or(|b| if b.inclusive { n <= b.value } else { n < b.value })
    }
}

impl Cidr {
    fn contains(&self, s: &str) -> bool {
        match (self, s.parse::<IpAddr>()) {
            (Cidr::V4 { network, mask }, Ok(IpAddr::V4(addr))) => u32::from(addr) & mask == *network,
            (Cidr::V6 { network, mask }, Ok(IpAddr::V6(addr))) => u128::from(addr) & mask == *network,
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Compiling
// ---------------------------------------------------------------------------------------------

fn compile_node(fields: &Map<String, Value>, path: &str) -> Result<Node, PatternError> {
    let mut node = Node::default();
    for (key, value) in fields {
        let here = key_path(path, key);
        if key == "$or" {
            node.or_branches = Some(compile_or(value, &here)?);
            continue;
        }
        let field = match value {
            Value::Array(items) => Field::Leaf(compile_leaf(items, &here)?),
            Value::Object(sub) if sub.is_empty() => {
                return Err(error(
                    &here,
                    "nested pattern {} names no field; give a match array such as [{\"exists\": true}] or a non-empty object",
                ));
            }
            Value::Object(sub) => Field::Nested(compile_node(sub, &here)?),
            other => {
                return Err(error(
                    &here,
                    format!(
                        "field value {} must be an array of match values (e.g. [{}]) or a nested pattern object",
                        show(other),
                        show(other)
                    ),
                ));
            }
        };
        node.fields.push((key.clone(), field));
    }
    Ok(node)
}

fn compile_or(value: &Value, path: &str) -> Result<Vec<Node>, PatternError> {
    let branches = match value {
        Value::Array(branches) if branches.len() >= 2 => branches,
        other => {
            return Err(error(path, format!("$or takes an array of at least 2 pattern objects, got {}", show(other))));
        }
    };
    branches
        .iter()
        .enumerate()
        .map(|(i, branch)| {
            let here = index_path(path, i);
            match branch {
                Value::Object(fields) if !fields.is_empty() => compile_node(fields, &here),
                other => Err(error(&here, format!("$or branch {} must be a pattern object naming at least one field", show(other)))),
            }
        })
        .collect()
}

fn compile_leaf(items: &[Value], path: &str) -> Result<Leaf, PatternError> {
    if items.is_empty() {
        return Err(error(path, "match array [] is empty; give at least one match value, e.g. [\"abc\"], [null] or [{\"exists\": true}]"));
    }
    let matchers =
        items.iter().enumerate().map(|(i, item)| compile_match_value(item, &index_path(path, i))).collect::<Result<Vec<_>, _>>()?;
    let accepts_absent = matchers.iter().any(|m| matches!(m, Matcher::Exists(false)));
    Ok(Leaf { matchers, accepts_absent })
}

fn compile_match_value(item: &Value, path: &str) -> Result<Matcher, PatternError> {
    if let Value::Object(operator) = item {
        return compile_operator(operator, path);
    }
    Literal::from_scalar(item).map(Matcher::Literal).ok_or_else(|| {
        error(
            path,
            format!(
                "match value {} is not allowed; expected a string, number, boolean, null or an operator object ({OPERATORS})",
                show(item)
            ),
        )
    })
}

/// The single `(key, value)` of an operator object.
fn single_entry<'a>(object: &'a Map<String, Value>, path: &str, allowed: &str) -> Result<(&'a str, &'a Value), PatternError> {
    let mut entries = object.iter();
    match (entries.next(), entries.next()) {
        (Some((key, value)), None) => Ok((key.as_str(), value)),
        _ => Err(error(
            path,
            format!("operator object {} must have exactly one key; allowed: {allowed}", show(&Value::Object(object.clone()))),
        )),
    }
}

fn compile_operator(operator: &Map<String, Value>, path: &str) -> Result<Matcher, PatternError> {
    let (name, operand) = single_entry(operator, path, OPERATORS)?;
    let here = key_path(path, name);
    match name {
        "prefix" => compile_affix(operand, &here, name, true).map(Matcher::Text),
        "suffix" => compile_affix(operand, &here, name, false).map(Matcher::Text),
        "equals-ignore-case" => Ok(Matcher::Text(TextTest::EqualsIgnoreCase(expect_str(operand, &here, name)?.to_lowercase()))),
        "wildcard" => Ok(Matcher::Text(TextTest::Wildcard(compile_wildcard(expect_str(operand, &here, name)?, &here)?))),
        "anything-but" => compile_anything_but(operand, &here),
        "numeric" => compile_numeric(operand, &here).map(Matcher::Numeric),
        "exists" => match operand {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            other => Err(error(&here, format!("exists operand {} must be true or false", show(other)))),
        },
        "cidr" => compile_cidr(expect_str(operand, &here, name)?, &here).map(Matcher::Cidr),
        _ => Err(error(&here, format!("unknown operator \"{name}\" (operand {}); allowed operators: {OPERATORS}", show(operand)))),
    }
}

fn expect_str<'a>(operand: &'a Value, path: &str, operator: &str) -> Result<&'a str, PatternError> {
    operand.as_str().ok_or_else(|| error(path, format!("{operator} operand {} must be a string", show(operand))))
}

/// `prefix` / `suffix` operand: a string or `{"equals-ignore-case": "<string>"}`.
fn compile_affix(operand: &Value, path: &str, operator: &str, prefix: bool) -> Result<TextTest, PatternError> {
    let bad = || error(path, format!("{operator} operand {} must be a string or {{\"equals-ignore-case\": \"<string>\"}}", show(operand)));
    match operand {
        Value::String(s) if prefix => Ok(TextTest::Prefix(s.clone())),
        Value::String(s) => Ok(TextTest::Suffix(s.clone())),
        Value::Object(inner) => {
            let (name, value) = single_entry(inner, path, "equals-ignore-case")?;
            if name != "equals-ignore-case" {
                return Err(bad());
            }
            let here = key_path(path, name);
            let lowered = expect_str(value, &here, name)?.to_lowercase();
            Ok(if prefix { TextTest::PrefixIgnoreCase(lowered) } else { TextTest::SuffixIgnoreCase(lowered) })
        }
        _ => Err(bad()),
    }
}

fn compile_anything_but(operand: &Value, path: &str) -> Result<Matcher, PatternError> {
    const ALLOWED: &str = "a string, a number, a non-empty array of only strings or only numbers, \
         or an object with one of prefix, suffix, equals-ignore-case, wildcard";
    match operand {
        Value::String(_) | Value::Number(_) => Ok(Matcher::AnythingBut(Literal::from_scalar(operand).into_iter().collect())),
        Value::Array(items) if !items.is_empty() => {
            let first_is_string = items.first().is_some_and(Value::is_string);
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) if first_is_string => Ok(Literal::String(s.clone())),
                    Value::Number(n) if !first_is_string => Ok(Literal::Number(n.clone())),
                    other => Err(error(
                        &index_path(path, i),
                        format!(
                            "anything-but list element {} is not allowed; the list must hold only strings or only numbers",
                            show(other)
                        ),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Matcher::AnythingBut)
        }
        Value::Object(inner) => {
            let (name, value) = single_entry(inner, path, "prefix, suffix, equals-ignore-case, wildcard")?;
            let here = key_path(path, name);
            let tests = match name {
                "prefix" => vec![TextTest::Prefix(expect_str(value, &here, name)?.to_owned())],
                "suffix" => vec![TextTest::Suffix(expect_str(value, &here, name)?.to_owned())],
                "equals-ignore-case" => {
                    str_or_list(value, &here, name)?.into_iter().map(|(s, _)| TextTest::EqualsIgnoreCase(s.to_lowercase())).collect()
                }
                "wildcard" => str_or_list(value, &here, name)?
                    .into_iter()
                    .map(|(s, at)| compile_wildcard(s, &at).map(TextTest::Wildcard))
                    .collect::<Result<Vec<_>, _>>()?,
                _ => {
                    return Err(error(
                        &here,
                        format!(
                            "unknown anything-but operator \"{name}\" (operand {}); allowed: prefix, suffix, equals-ignore-case, wildcard",
                            show(value)
                        ),
                    ));
                }
            };
            Ok(Matcher::AnythingButText(tests))
        }
        other => Err(error(path, format!("anything-but operand {} is not allowed; expected {ALLOWED}", show(other)))),
    }
}

/// A string, or a non-empty array of strings; each with the path it came from.
fn str_or_list<'a>(operand: &'a Value, path: &str, operator: &str) -> Result<Vec<(&'a str, String)>, PatternError> {
    let bad = |at: &str, v: &Value| error(at, format!("{operator} operand {} must be a string or a non-empty array of strings", show(v)));
    match operand {
        Value::String(s) => Ok(vec![(s.as_str(), path.to_owned())]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = index_path(path, i);
                match item.as_str() {
                    Some(s) => Ok((s, at)),
                    None => Err(bad(&at, item)),
                }
            })
            .collect(),
        other => Err(bad(path, other)),
    }
}

fn compile_wildcard(text: &str, path: &str) -> Result<Wildcard, PatternError> {
    let bad = |why: &str| {
        error(
            path,
            format!(
                "wildcard {} is not allowed: {why}; use * for any run of characters, \\* for a literal star, \\\\ for a backslash",
                show(&Value::from(text))
            ),
        )
    };
    let mut parts = vec![String::new()];
    let mut previous_was_star = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let star = c == '*';
        if star && previous_was_star {
            return Err(bad("consecutive * characters"));
        }
        previous_was_star = star;
        let literal = match c {
            '*' => {
                parts.push(String::new());
                continue;
            }
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '\\')) => escaped,
                Some(other) => return Err(bad(&format!("invalid escape \\{other}"))),
                None => return Err(bad("trailing backslash")),
            },
            other => other,
        };
        if let Some(last) = parts.last_mut() {
            last.push(literal);
        }
    }
    Ok(Wildcard { parts })
}

fn compile_numeric(operand: &Value, path: &str) -> Result<Range, PatternError> {
    let items = match operand {
        Value::Array(items) if items.len() == 2 || items.len() == 4 => items,
        other => {
            return Err(error(
                path,
                format!(
                    "numeric operand {} must be an array of one or two comparisons, e.g. [\">\", 0, \"<=\", 5]; comparisons: <, <=, =, >, >=",
                    show(other)
                ),
            ));
        }
    };
    let mut range = Range::default();
    for (i, pair) in items.chunks(2).enumerate() {
        let (op_path, bound_path) = (index_path(path, 2 * i), index_path(path, 2 * i + 1));
        let [op, bound] = pair else {
            return Err(error(path, "numeric comparisons come in (operator, number) pairs"));
        };
        let value = bound
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| error(&bound_path, format!("numeric bound {} must be a finite number", show(bound))))?;
        let (is_lower, inclusive) = match op.as_str() {
            Some("=") if items.len() == 2 => {
                let exact = Some(Bound { value, inclusive: true });
                range = Range { lower: exact, upper: exact };
                continue;
            }
            Some("=") => {
                return Err(error(&op_path, "numeric \"=\" must be the only comparison, e.g. [\"=\", 5]"));
            }
            Some(">") => (true, false),
            Some(">=") => (true, true),
            Some("<") => (false, false),
            Some("<=") => (false, true),
            _ => {
                return Err(error(
                    &op_path,
                    format!("numeric comparison {} is not allowed; expected one of \"<\", \"<=\", \"=\", \">\", \">=\"", show(op)),
                ));
            }
        };
        let slot = if is_lower { &mut range.lower } else { &mut range.upper };
        if slot.is_some() {
            return Err(error(
                &op_path,
                format!(
                    "numeric comparison {} repeats a {} bound; give at most one lower (>, >=) and one upper (<, <=) bound",
                    show(op),
                    if is_lower { "lower" } else { "upper" }
                ),
            ));
        }
        *slot = Some(Bound { value, inclusive });
    }
    if let (Some(lower), Some(upper)) = (range.lower, range.upper) {
        if items.len() == 4 && lower.value >= upper.value {
            return Err(error(
                path,
                format!("numeric range {} is empty; the lower bound must be less than the upper bound", show(operand)),
            ));
        }
    }
    Ok(range)
}

fn compile_cidr(text: &str, path: &str) -> Result<Cidr, PatternError> {
    let bad = || {
        error(
            path,
            format!(
                "cidr {} is not allowed; expected an IPv4 or IPv6 block such as \"10.0.0.0/24\" or \"2001:db8::/32\"",
                show(&Value::from(text))
            ),
        )
    };
    let (address, length) = text.split_once('/').ok_or_else(bad)?;
    if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let length: u32 = length.parse().map_err(|_| bad())?;
    match address.parse::<IpAddr>().map_err(|_| bad())? {
        IpAddr::V4(addr) if length <= 32 => {
            let mask = u32::MAX.checked_shl(32 - length).unwrap_or(0);
            Ok(Cidr::V4 { network: u32::from(addr) & mask, mask })
        }
        IpAddr::V6(addr) if length <= 128 => {
            let mask = u128::MAX.checked_shl(128 - length).unwrap_or(0);
            Ok(Cidr::V6 { network: u128::from(addr) & mask, mask })
        }
        _ => Err(bad()),
    }
}

// ---------------------------------------------------------------------------------------------
// Error helpers
// ---------------------------------------------------------------------------------------------

fn error(path: &str, message: impl Into<String>) -> PatternError {
    PatternError { path: path.to_owned(), message: message.into() }
}

/// `base.key`, or `base["odd key"]` when the key is not a plain name.
fn key_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
    match (plain, base.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{base}.{key}"),
        (false, _) => format!("{base}[{}]", Value::from(key)),
    }
}

fn index_path(base: &str, index: usize) -> String {
    format!("{base}[{index}]")
}

/// A JSON value as text, shortened for messages.
fn show(value: &Value) -> String {
    truncate(&value.to_string())
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(SHOW_LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const BASE: &str = "Functions[0].Behavior.Rules[2].When.Payload";

    fn pat(pattern: Value) -> Pattern {
        match Pattern::compile(&pattern, BASE) {
            Ok(p) => p,
            Err(e) => panic!("pattern {pattern} should compile: {e}"),
        }
    }

    fn matches(pattern: Value, event: Value) -> bool {
        pat(pattern).matches(&event)
    }

    fn compile_err(pattern: Value) -> PatternError {
        match Pattern::compile(&pattern, BASE) {
            Ok(_) => panic!("pattern {pattern} should be rejected"),
            Err(e) => e,
        }
    }

    fn at(suffix: &str) -> String {
        format!("{BASE}{suffix}")
    }

    // --- structure -------------------------------------------------------------------------

    #[test]
    fn any_matches_everything() {
        let any = Pattern::any();
        for event in [json!({}), json!({"a": 1}), json!(null), json!([1, 2]), json!("s")] {
            assert!(any.matches(&event));
        }
        assert!(matches(json!({}), json!({"x": {"y": 1}})));
    }

    #[test]
    fn exact_string_match() {
        let p = json!({"source": ["aws.s3"]});
        assert!(matches(p.clone(), json!({"source": "aws.s3", "other": 1})));
        assert!(!matches(p.clone(), json!({"source": "aws.S3"})));
        assert!(!matches(p, json!({"source": "aws.s3x"})));
    }

    #[test]
    fn values_in_array_are_ored() {
        let p = json!({"state": ["running", "stopped"]});
        assert!(matches(p.clone(), json!({"state": "running"})));
        assert!(matches(p.clone(), json!({"state": "stopped"})));
        assert!(!matches(p, json!({"state": "pending"})));
    }

    #[test]
    fn fields_are_anded() {
        let p = json!({"a": ["1"], "b": ["2"]});
        assert!(matches(p.clone(), json!({"a": "1", "b": "2"})));
        assert!(!matches(p.clone(), json!({"a": "1", "b": "3"})));
        assert!(!matches(p, json!({"a": "1"})));
    }

    #[test]
    fn missing_field_does_not_match() {
        assert!(!matches(json!({"source": ["aws.s3"]}), json!({})));
        assert!(!matches(json!({"detail": {"x": ["1"]}}), json!({"source": "a"})));
    }

    #[test]
    fn nested_fields_descend() {
        let p = json!({"detail": {"state": ["terminated"], "info": {"code": [16]}}});
        assert!(matches(p.clone(), json!({"detail": {"state": "terminated", "info": {"code": 16}}})));
        assert!(!matches(p.clone(), json!({"detail": {"state": "terminated", "info": {"code": 17}}})));
        assert!(!matches(p, json!({"detail": "terminated"})));
    }

    #[test]
    fn event_array_matches_if_any_element_matches() {
        let p = json!({"resources": ["arn:1"]});
        assert!(matches(p.clone(), json!({"resources": ["arn:0", "arn:1"]})));
        assert!(matches(p.clone(), json!({"resources": [["arn:1"]]})));
        assert!(!matches(p.clone(), json!({"resources": ["arn:0"]})));
        assert!(!matches(p, json!({"resources": []})));
    }

    #[test]
    fn nested_pattern_over_array_of_objects_needs_one_element_matching_all() {
        let p = json!({"items": {"a": [1], "b": [2]}});
        assert!(matches(p.clone(), json!({"items": [{"a": 1, "b": 2}, {"a": 3}]})));
        assert!(!matches(p, json!({"items": [{"a": 1, "b": 3}, {"a": 5, "b": 2}]})));
    }

    #[test]
    fn literal_types_are_distinct() {
        assert!(matches(json!({"a": [true]}), json!({"a": true})));
        assert!(!matches(json!({"a": [true]}), json!({"a": "true"})));
        assert!(!matches(json!({"a": ["5"]}), json!({"a": 5})));
        assert!(!matches(json!({"a": [5]}), json!({"a": "5"})));
    }

    #[test]
    fn null_and_empty_string_are_distinct() {
        assert!(matches(json!({"a": [null]}), json!({"a": null})));
        assert!(!matches(json!({"a": [null]}), json!({"a": ""})));
        assert!(!matches(json!({"a": [null]}), json!({})));
        assert!(matches(json!({"a": [""]}), json!({"a": ""})));
        assert!(!matches(json!({"a": [""]}), json!({"a": null})));
    }

    #[test]
    fn numbers_compare_by_value_and_text() {
        assert!(matches(json!({"n": [300]}), json!({"n": 300})));
        assert!(!matches(json!({"n": [300]}), json!({"n": 300.0})));
        assert!(matches(json!({"n": [1.5]}), json!({"n": 1.5})));
        assert!(matches(json!({"n": [-7]}), json!({"n": -7})));
        let parsed = Pattern::parse_str(r#"{"n": [3e2]}"#, BASE);
        let event: Value = serde_json::from_str(r#"{"n": 300.0}"#).unwrap_or_default();
        assert!(parsed.is_ok_and(|p| p.matches(&event)));
    }

    #[test]
    fn or_combines_sub_patterns() {
        let p = json!({"source": ["aws.ec2"], "$or": [{"state": ["running"]}, {"detail": {"c": [{"numeric": [">", 5]}]}}]});
        assert!(matches(p.clone(), json!({"source": "aws.ec2", "state": "running"})));
        assert!(matches(p.clone(), json!({"source": "aws.ec2", "detail": {"c": 9}})));
        assert!(!matches(p.clone(), json!({"source": "aws.ec2", "detail": {"c": 1}})));
        assert!(!matches(p, json!({"source": "aws.s3", "state": "running"})));
    }

    #[test]
    fn nested_or() {
        let p = json!({"detail": {"$or": [{"a": ["x"]}, {"b": ["y"]}]}});
        assert!(matches(p.clone(), json!({"detail": {"b": "y"}})));
        assert!(!matches(p, json!({"detail": {"a": "y", "b": "x"}})));
    }

    // --- string operators ------------------------------------------------------------------

    #[test]
    fn prefix() {
        let p = json!({"time": [{"prefix": "2017-10-02"}]});
        assert!(matches(p.clone(), json!({"time": "2017-10-02T18:43:48Z"})));
        assert!(!matches(p.clone(), json!({"time": "2017-10-03T18:43:48Z"})));
        assert!(!matches(p, json!({"time": 2017})));
    }

    #[test]
    fn prefix_ignore_case() {
        let p = json!({"service": [{"prefix": {"equals-ignore-case": "EventB"}}]});
        assert!(matches(p.clone(), json!({"service": "eventbridge"})));
        assert!(matches(p.clone(), json!({"service": "EVENTBRIDGE"})));
        assert!(!matches(p, json!({"service": "lambda"})));
    }

    #[test]
    fn suffix_and_ignore_case() {
        let p = json!({"file": [{"suffix": ".png"}]});
        assert!(matches(p.clone(), json!({"file": "a.png"})));
        assert!(!matches(p, json!({"file": "a.PNG"})));
        let p = json!({"file": [{"suffix": {"equals-ignore-case": ".png"}}]});
        assert!(matches(p.clone(), json!({"file": "a.PNG"})));
        assert!(!matches(p, json!({"file": "a.jpg"})));
    }

    #[test]
    fn equals_ignore_case() {
        let p = json!({"name": [{"equals-ignore-case": "alice"}]});
        assert!(matches(p.clone(), json!({"name": "ALICE"})));
        assert!(matches(p.clone(), json!({"name": "Alice"})));
        assert!(!matches(p.clone(), json!({"name": "Alice2"})));
        assert!(!matches(p, json!({"name": null})));
    }

    #[test]
    fn wildcard() {
        let p = json!({"path": [{"wildcard": "dir/*.png"}]});
        assert!(matches(p.clone(), json!({"path": "dir/a.png"})));
        assert!(matches(p.clone(), json!({"path": "dir/.png"})));
        assert!(!matches(p.clone(), json!({"path": "dir/a.jpg"})));
        assert!(!matches(p, json!({"path": "other/a.png"})));
        let p = json!({"p": [{"wildcard": "*a*b*"}]});
        assert!(matches(p.clone(), json!({"p": "xxaxxbxx"})));
        assert!(matches(p.clone(), json!({"p": "ab"})));
        assert!(!matches(p, json!({"p": "ba"})));
        // prefix and suffix must not overlap
        assert!(!matches(json!({"p": [{"wildcard": "ab*ba"}]}), json!({"p": "aba"})));
        assert!(matches(json!({"p": [{"wildcard": "*"}]}), json!({"p": ""})));
    }

    #[test]
    fn wildcard_escapes() {
        let p = json!({"p": [{"wildcard": "a\\*b"}]});
        assert!(matches(p.clone(), json!({"p": "a*b"})));
        assert!(!matches(p, json!({"p": "axb"})));
        assert!(matches(json!({"p": [{"wildcard": "a\\\\*"}]}), json!({"p": "a\\zz"})));
    }

    #[test]
    fn wildcard_errors() {
        let e = compile_err(json!({"p": [{"wildcard": "a**b"}]}));
        assert_eq!(e.path, at(".p[0].wildcard"));
        assert!(e.message.contains("a**b") && e.message.contains("consecutive"));
        let e = compile_err(json!({"p": [{"wildcard": "a\\b"}]}));
        assert!(e.message.contains("invalid escape"));
        assert!(compile_err(json!({"p": [{"wildcard": "a\\"}]})).message.contains("trailing"));
    }

    // --- anything-but ----------------------------------------------------------------------

    #[test]
    fn anything_but_string() {
        let p = json!({"state": [{"anything-but": "initializing"}]});
        assert!(matches(p.clone(), json!({"state": "running"})));
        assert!(!matches(p.clone(), json!({"state": "initializing"})));
        assert!(!matches(p.clone(), json!({})));
        assert!(matches(p, json!({"state": 5})));
    }

    #[test]
    fn anything_but_number_and_lists() {
        let p = json!({"x": [{"anything-but": 123}]});
        assert!(matches(p.clone(), json!({"x": 124})));
        assert!(!matches(p, json!({"x": 123})));
        let p = json!({"x": [{"anything-but": ["stopped", "overloaded"]}]});
        assert!(matches(p.clone(), json!({"x": "running"})));
        assert!(!matches(p.clone(), json!({"x": "stopped"})));
        assert!(!matches(p.clone(), json!({"x": "overloaded"})));
        // arrays: any element that is not excluded matches
        assert!(matches(p.clone(), json!({"x": ["stopped", "running"]})));
        assert!(!matches(p, json!({"x": ["stopped"]})));
        let p = json!({"x": [{"anything-but": [100, 200]}]});
        assert!(matches(p.clone(), json!({"x": 150})));
        assert!(!matches(p, json!({"x": 200})));
    }

    #[test]
    fn anything_but_prefix_suffix() {
        let p = json!({"region": [{"anything-but": {"prefix": "us-"}}]});
        assert!(matches(p.clone(), json!({"region": "eu-west-1"})));
        assert!(!matches(p.clone(), json!({"region": "us-east-1"})));
        assert!(!matches(p, json!({})));
        let p = json!({"f": [{"anything-but": {"suffix": ".png"}}]});
        assert!(matches(p.clone(), json!({"f": "a.jpg"})));
        assert!(!matches(p, json!({"f": "a.png"})));
    }

    #[test]
    fn anything_but_ignore_case_and_wildcard() {
        let p = json!({"s": [{"anything-but": {"equals-ignore-case": ["Init", "stopped"]}}]});
        assert!(!matches(p.clone(), json!({"s": "INIT"})));
        assert!(!matches(p.clone(), json!({"s": "Stopped"})));
        assert!(matches(p, json!({"s": "running"})));
        let p = json!({"fp": [{"anything-but": {"wildcard": "*/lib/*"}}]});
        assert!(matches(p.clone(), json!({"fp": "/usr/bin/x"})));
        assert!(!matches(p, json!({"fp": "/usr/lib/x"})));
    }

    #[test]
    fn anything_but_errors() {
        let e = compile_err(json!({"x": [{"anything-but": ["a", 1]}]}));
        assert_eq!(e.path, at(".x[0].anything-but[1]"));
        assert!(e.message.contains("only strings or only numbers"));
        let e = compile_err(json!({"x": [{"anything-but": true}]}));
        assert_eq!(e.path, at(".x[0].anything-but"));
        assert!(e.message.contains("true"));
        let e = compile_err(json!({"x": [{"anything-but": []}]}));
        assert_eq!(e.path, at(".x[0].anything-but"));
        let e = compile_err(json!({"x": [{"anything-but": {"contains": "a"}}]}));
        assert_eq!(e.path, at(".x[0].anything-but.contains"));
        let e = compile_err(json!({"x": [{"anything-but": {"prefix": 5}}]}));
        assert_eq!(e.path, at(".x[0].anything-but.prefix"));
    }

    // --- numeric ---------------------------------------------------------------------------

    #[test]
    fn numeric_range_boundaries() {
        let p = json!({"c": [{"numeric": [">", 0, "<=", 5]}]});
        assert!(!matches(p.clone(), json!({"c": 0})));
        assert!(matches(p.clone(), json!({"c": 0.0001})));
        assert!(matches(p.clone(), json!({"c": 5})));
        assert!(matches(p.clone(), json!({"c": 5.0})));
        assert!(!matches(p.clone(), json!({"c": 5.0001})));
        assert!(!matches(p, json!({"c": "3"})));
        let p = json!({"c": [{"numeric": [">=", 10, "<", 20]}]});
        assert!(matches(p.clone(), json!({"c": 10})));
        assert!(!matches(p.clone(), json!({"c": 20})));
        assert!(!matches(p, json!({"c": 9.99})));
    }

    #[test]
    fn numeric_single_comparisons() {
        assert!(matches(json!({"c": [{"numeric": ["=", 3]}]}), json!({"c": 3.0})));
        assert!(!matches(json!({"c": [{"numeric": ["=", 3]}]}), json!({"c": 3.5})));
        assert!(matches(json!({"c": [{"numeric": ["<", -1]}]}), json!({"c": -2})));
        assert!(!matches(json!({"c": [{"numeric": ["<", -1]}]}), json!({"c": -1})));
        assert!(matches(json!({"c": [{"numeric": [">=", 1e3]}]}), json!({"c": 1000})));
        // upper bound first is accepted too
        assert!(matches(json!({"c": [{"numeric": ["<", 5, ">", 1]}]}), json!({"c": 2})));
    }

    #[test]
    fn numeric_errors_name_the_element() {
        let e = compile_err(json!({"detail": {"amount": [{"numeric": ["<", "abc"]}]}}));
        assert_eq!(e.path, at(".detail.amount[0].numeric[1]"));
        assert!(e.message.contains("\"abc\"") && e.message.contains("finite number"));
        let e = compile_err(json!({"a": [{"numeric": ["!=", 1]}]}));
        assert_eq!(e.path, at(".a[0].numeric[0]"));
        assert!(e.message.contains("\"!=\"") && e.message.contains("\">=\""));
        let e = compile_err(json!({"a": [{"numeric": [">", 1, ">", 2]}]}));
        assert_eq!(e.path, at(".a[0].numeric[2]"));
        let e = compile_err(json!({"a": [{"numeric": ["=", 1, "<", 2]}]}));
        assert_eq!(e.path, at(".a[0].numeric[0]"));
        let e = compile_err(json!({"a": [{"numeric": [">", 5, "<", 5]}]}));
        assert_eq!(e.path, at(".a[0].numeric"));
        let e = compile_err(json!({"a": [{"numeric": [">"]}]}));
        assert_eq!(e.path, at(".a[0].numeric"));
        let e = compile_err(json!({"a": [{"numeric": 5}]}));
        assert!(e.message.contains("5") && e.message.contains("[\">\", 0, \"<=\", 5]"));
    }

    // --- exists ----------------------------------------------------------------------------

    #[test]
    fn exists_true() {
        let p = json!({"detail": {"state": [{"exists": true}]}});
        assert!(matches(p.clone(), json!({"detail": {"state": "x"}})));
        assert!(matches(p.clone(), json!({"detail": {"state": null}})));
        assert!(matches(p.clone(), json!({"detail": {"state": [1]}})));
        assert!(!matches(p.clone(), json!({"detail": {}})));
        assert!(!matches(p.clone(), json!({"detail": {"state": {"a": 1}}})));
        assert!(!matches(p, json!({"detail": {"state": []}})));
    }

    #[test]
    fn exists_false() {
        let p = json!({"detail": {"state": [{"exists": false}]}});
        assert!(matches(p.clone(), json!({"detail": {}})));
        assert!(matches(p.clone(), json!({})));
        assert!(matches(p.clone(), json!({"detail": {"state": {"a": 1}}})));
        assert!(!matches(p.clone(), json!({"detail": {"state": "x"}})));
        assert!(!matches(p, json!({"detail": {"state": null}})));
    }

    #[test]
    fn exists_false_combined_with_values() {
        let p = json!({"a": [{"exists": false}, "x"]});
        assert!(matches(p.clone(), json!({})));
        assert!(matches(p.clone(), json!({"a": "x"})));
        assert!(!matches(p, json!({"a": "y"})));
    }

    #[test]
    fn raise_error_behaviour_rule() {
        let p = pat(json!({"raise_error": [{"exists": true}]}));
        assert!(p.matches(&json!({"raise_error": "boom", "n": 1})));
        assert!(!p.matches(&json!({"n": 1})));
    }

    // --- cidr ------------------------------------------------------------------------------

    #[test]
    fn cidr_v4() {
        let p = json!({"ip": [{"cidr": "10.0.0.0/24"}]});
        assert!(matches(p.clone(), json!({"ip": "10.0.0.0"})));
        assert!(matches(p.clone(), json!({"ip": "10.0.0.255"})));
        assert!(!matches(p.clone(), json!({"ip": "10.0.1.0"})));
        assert!(!matches(p.clone(), json!({"ip": "not an ip"})));
        assert!(!matches(p, json!({"ip": "::1"})));
        assert!(matches(json!({"ip": [{"cidr": "0.0.0.0/0"}]}), json!({"ip": "8.8.8.8"})));
        assert!(matches(json!({"ip": [{"cidr": "1.2.3.4/32"}]}), json!({"ip": "1.2.3.4"})));
        assert!(!matches(json!({"ip": [{"cidr": "1.2.3.4/32"}]}), json!({"ip": "1.2.3.5"})));
    }

    #[test]
    fn cidr_v6() {
        let p = json!({"ip": [{"cidr": "2001:db8::/32"}]});
        assert!(matches(p.clone(), json!({"ip": "2001:db8:1::5"})));
        assert!(matches(p.clone(), json!({"ip": "2001:0db8:0000::ffff"})));
        assert!(!matches(p.clone(), json!({"ip": "2001:db9::1"})));
        assert!(!matches(p, json!({"ip": "10.0.0.1"})));
        assert!(matches(json!({"ip": [{"cidr": "::/0"}]}), json!({"ip": "fe80::1"})));
    }

    #[test]
    fn cidr_errors() {
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "::/129", "10.0.0.0/+8", "x/8"] {
            let e = compile_err(json!({"ip": [{"cidr": bad}]}));
            assert_eq!(e.path, at(".ip[0].cidr"));
            assert!(e.message.contains(bad), "{e}");
        }
        let e = compile_err(json!({"ip": [{"cidr": 10}]}));
        assert!(e.message.contains("must be a string"));
    }

    // --- errors ----------------------------------------------------------------------------

    #[test]
    fn error_pattern_not_object() {
        let e = compile_err(json!(["a"]));
        assert_eq!(e.path, BASE);
        assert!(e.message.contains("[\"a\"]") && e.message.contains("JSON object"));
    }

    #[test]
    fn error_leaf_not_array() {
        let e = compile_err(json!({"detail": {"state": "running"}}));
        assert_eq!(e.path, at(".detail.state"));
        assert!(e.message.contains("\"running\"") && e.message.contains("array"));
    }

    #[test]
    fn error_empty_array_and_empty_nested() {
        let e = compile_err(json!({"a": []}));
        assert_eq!(e.path, at(".a"));
        assert!(e.message.contains("empty"));
        let e = compile_err(json!({"a": {}}));
        assert_eq!(e.path, at(".a"));
    }

    #[test]
    fn error_unknown_operator() {
        let e = compile_err(json!({"detail": {"t": ["ok", {"contains": "x"}]}}));
        assert_eq!(e.path, at(".detail.t[1].contains"));
        assert!(e.message.contains("\"contains\"") && e.message.contains("\"x\""));
        assert!(e.message.contains("anything-but") && e.message.contains("cidr"));
    }

    #[test]
    fn error_operator_with_two_keys_or_none() {
        let e = compile_err(json!({"a": [{"prefix": "x", "suffix": "y"}]}));
        assert_eq!(e.path, at(".a[0]"));
        assert!(e.message.contains("exactly one key") && e.message.contains("\"suffix\":\"y\""));
        let e = compile_err(json!({"a": [{}]}));
        assert_eq!(e.path, at(".a[0]"));
    }

    #[test]
    fn error_wrong_operand_types() {
        let e = compile_err(json!({"a": [{"prefix": 5}]}));
        assert_eq!(e.path, at(".a[0].prefix"));
        assert!(e.message.contains('5') && e.message.contains("equals-ignore-case"));
        let e = compile_err(json!({"a": [{"prefix": {"wildcard": "x"}}]}));
        assert_eq!(e.path, at(".a[0].prefix"));
        let e = compile_err(json!({"a": [{"suffix": {"equals-ignore-case": 1}}]}));
        assert_eq!(e.path, at(".a[0].suffix.equals-ignore-case"));
        let e = compile_err(json!({"a": [{"exists": "yes"}]}));
        assert_eq!(e.path, at(".a[0].exists"));
        assert!(e.message.contains("\"yes\"") && e.message.contains("true or false"));
        let e = compile_err(json!({"a": [{"equals-ignore-case": ["x"]}]}));
        assert_eq!(e.path, at(".a[0].equals-ignore-case"));
        let e = compile_err(json!({"a": [[1]]}));
        assert_eq!(e.path, at(".a[0]"));
    }

    #[test]
    fn error_or_shapes() {
        let e = compile_err(json!({"$or": [{"a": ["x"]}]}));
        assert_eq!(e.path, at(".$or"));
        assert!(e.message.contains("at least 2"));
        let e = compile_err(json!({"$or": [{"a": ["x"]}, "b"]}));
        assert_eq!(e.path, at(".$or[1]"));
        let e = compile_err(json!({"d": {"$or": [{"a": ["x"]}, {"b": "y"}]}}));
        assert_eq!(e.path, at(".d.$or[1].b"));
    }

    #[test]
    fn error_paths_quote_odd_keys() {
        let e = compile_err(json!({"a.b": {"c d": 1}}));
        assert_eq!(e.path, at("[\"a.b\"][\"c d\"]"));
        let e = Pattern::compile(&json!({"x": 1}), "").err();
        assert_eq!(e.map(|e| e.path), Some("x".to_owned()));
    }

    #[test]
    fn parse_str_ok_and_errors() {
        let p = Pattern::parse_str(r#"{"body": {"n": [{"numeric": [">", 1]}]}}"#, "F[0].Pattern");
        assert!(p.is_ok_and(|p| p.matches(&json!({"body": {"n": 2}}))));
        let e = Pattern::parse_str("{\"body\": [", "ESM[1].FilterCriteria.Filters[0].Pattern").err();
        let e = e.unwrap_or_else(|| panic!("invalid JSON accepted"));
        assert_eq!(e.path, "ESM[1].FilterCriteria.Filters[0].Pattern");
        assert!(e.message.contains("not valid JSON") && e.message.contains("{\"body\": ["));
        let e = Pattern::parse_str(r#"{"body": {"n": [{"numeric": [">", "x"]}]}}"#, "P").err();
        assert_eq!(e.map(|e| e.path), Some("P.body.n[0].numeric[1]".to_owned()));
    }

    #[test]
    fn error_display_and_long_values_truncated() {
        let e = compile_err(json!({"a": "x".repeat(500)}));
        let text = e.to_string();
        assert!(text.starts_with(&format!("{BASE}.a: ")));
        assert!(text.len() < 500);
        let as_error: &dyn std::error::Error = &e;
        assert!(!as_error.to_string().is_empty());
    }

    // --- properties ------------------------------------------------------------------------

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-10i64..10).prop_map(Value::from),
            (-10.0f64..10.0).prop_map(Value::from),
            "[ab*\\\\]{0,3}".prop_map(Value::from),
            Just(Value::from("10.0.0.7")),
            Just(Value::from("2001:db8::1")),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[abc]|\\$or", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Mostly valid match values; `arb_json` also yields invalid ones (arrays, objects).
    fn arb_match_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            Just(json!("a")),
            Just(json!(1)),
            Just(json!(true)),
            arb_json(),
            Just(json!({"prefix": "a"})),
            Just(json!({"suffix": {"equals-ignore-case": "B"}})),
            Just(json!({"equals-ignore-case": "AB"})),
            Just(json!({"wildcard": "a*b"})),
            Just(json!({"anything-but": ["a", "b"]})),
            Just(json!({"anything-but": {"prefix": "a"}})),
            Just(json!({"numeric": [">", 0, "<=", 5]})),
            Just(json!({"numeric": ["=", 1]})),
            Just(json!({"exists": false})),
            Just(json!({"exists": true})),
            Just(json!({"cidr": "10.0.0.0/8"})),
            Just(json!({"cidr": "2001:db8::/32"})),
        ]
    }

    /// A field's value: a match array (rarely empty) or a nested object, possibly with `$or`.
    fn arb_field() -> impl Strategy<Value = Value> {
        let leaf = prop::collection::vec(arb_match_value(), 0..4).prop_map(Value::Array);
        leaf.prop_recursive(3, 24, 3, |inner| {
            let object = prop::collection::vec(("[abc]", inner), 1..3).prop_map(|kv| Value::Object(kv.into_iter().collect()));
            prop_oneof![
                3 => object.clone(),
                1 => prop::collection::vec(object, 1..4).prop_map(|branches| json!({"$or": branches})),
            ]
        })
    }

    fn arb_pattern() -> impl Strategy<Value = Value> {
        prop::collection::vec(("[abc]", arb_field()), 0..3).prop_map(|kv| Value::Object(kv.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn any_matches_arbitrary_objects(event in prop::collection::vec(("[a-z$]{0,4}", arb_json()), 0..6)) {
            let event = Value::Object(event.into_iter().collect());
            prop_assert!(Pattern::any().matches(&event));
        }

        #[test]
        fn matching_never_panics(pattern in arb_pattern(), event in arb_json()) {
            if let Ok(p) = Pattern::compile(&pattern, "P") {
                let _ = p.matches(&event);
                let _ = p.matches(&json!({"a": event.clone(), "b": [event.clone()], "c": {"a": event}}));
            }
            let _ = Pattern::parse_str(&pattern.to_string(), "P");
        }

        #[test]
        fn exists_true_and_false_are_complements(event in arb_json()) {
            let event = json!({"a": event});
            let present = pat(json!({"a": [{"exists": true}]})).matches(&event);
            let absent = pat(json!({"a": [{"exists": false}]})).matches(&event);
            prop_assert_ne!(present, absent);
        }

        #[test]
        fn literal_and_anything_but_are_complements_on_scalars(s in "[ab]{0,2}", v in "[ab]{0,2}") {
            let event = json!({"a": v});
            let equal = pat(json!({"a": [s.clone()]})).matches(&event);
            let other = pat(json!({"a": [{"anything-but": s}]})).matches(&event);
            prop_assert_ne!(equal, other);
        }
    }
}
