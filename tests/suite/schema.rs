//! The JSON Schema of the scenario format (`schema/scenario.schema.json`, `lambdasim schema`), checked with a JSON
//! Schema validator (boon, draft 2020-12): the committed file is the one the code generates; every bundled scenario
//! is valid; every file of `tests/suite/data/invalid/` (one mistake each, named in its `Description` as
//! `<JSON path> ...`) is rejected by the schema at that place and by `lambdasim validate` (exit 2, the same path); and
//! the schema serves editors: a description on every property, the closed sets as enums, the validator's bounds as
//! `minimum`/`maximum`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text = fs::read_to_string(root().join("schema/scenario.schema.json")).expect("read schema/scenario.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The schema compiled by boon.
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let url = "file:///lambdasim/scenario.schema.json";
        compiler.add_resource(url, schema()).expect("add the schema");
        let index = compiler.compile(url, &mut schemas).unwrap_or_else(|e| panic!("the schema does not compile: {e}"));
        Validator { schemas, index }
    }

    /// `Ok`, or the instance locations (JSON pointers) of the innermost errors, with the whole message.
    fn check(&self, doc: &Value) -> Result<(), (Vec<String>, String)> {
        match self.schemas.validate(doc, self.index) {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut leaves = vec![];
                collect_leaves(&e, &mut leaves);
                Err((leaves, format!("{e:#}")))
            }
        }
    }
}

fn collect_leaves(e: &boon::ValidationError, out: &mut Vec<String>) {
    if e.causes.is_empty() {
        out.push(e.instance_location.to_string());
    }
    for c in &e.causes {
        collect_leaves(c, out);
    }
}

fn json_files(dir: &Path, recursive_name: Option<&str>, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir).expect("read dir").map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive_name.is_some() && !p.ends_with(".venv") && !p.ends_with("target") && !p.ends_with("node_modules") {
                json_files(&p, recursive_name, out);
            }
        } else if match recursive_name {
            Some(name) => p.file_name().is_some_and(|n| n == name),
            None => p.extension().is_some_and(|x| x == "json"),
        } {
            out.push(p);
        }
    }
}

fn bundled_scenarios() -> Vec<PathBuf> {
    let mut files = vec![];
    json_files(&root().join("scenarios"), None, &mut files);
    json_files(&root().join("examples"), Some("scenario.json"), &mut files);
    files
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).expect("read")).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `Workload[0].Poisson.RatePerSecond` -> `/Workload/0/Poisson/RatePerSecond`.
fn pointer(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        out.push('/');
        out.push_str(name);
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(idx.trim_end_matches(']'));
        }
    }
    out
}

#[test]
fn committed_schema_is_the_generated_one() {
    let generated = serde_json::to_string_pretty(&lambdasim::scenario::json_schema()).unwrap() + "\n";
    let committed = fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap();
    assert!(generated == committed, "schema/scenario.schema.json is stale: run `cargo run -- schema > schema/scenario.schema.json`");
}

#[test]
fn every_bundled_scenario_is_valid_against_the_schema() {
    let v = Validator::new();
    let files = bundled_scenarios();
    assert!(files.len() >= 15, "found only {} bundled scenarios", files.len());
    assert!(files.iter().any(|p| p.starts_with(root().join("examples"))), "no examples/**/scenario.json found");
    for p in &files {
        if let Err((_, msg)) = v.check(&read_json(p)) {
            panic!("{} does not match the schema:\n{msg}", p.display());
        }
    }
}

#[test]
fn invalid_files_are_rejected_by_the_schema_and_by_lambdasim() {
    let v = Validator::new();
    let mut files = vec![];
    json_files(&root().join("tests/suite/data/invalid"), None, &mut files);
    assert!(files.len() >= 10, "only {} invalid files", files.len());
    let mut mistakes = std::collections::BTreeSet::new();
    for p in &files {
        let doc = read_json(p);
        let desc = doc["Description"].as_str().unwrap_or_else(|| panic!("{}: no Description", p.display()));
        let path = desc.split(' ').next().unwrap();
        assert!(mistakes.insert(path.to_string()) || path.starts_with("EventSourceMappings[0]"), "{}: {path} is tested twice", p.display());

        // The schema rejects it, at the path named (or, for a missing or unknown property, at its object).
        let (locations, msg) = v.check(&doc).err().unwrap_or_else(|| panic!("{}: the schema accepts it", p.display()));
        let want = pointer(path);
        let parent = want.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or_default();
        assert!(
            locations.iter().any(|l| l.starts_with(&want) || *l == parent),
            "{}: the schema's errors are at {locations:?}, not at {want}:\n{msg}",
            p.display()
        );

        // lambdasim rejects it: exit 2, naming the same path.
        let o = Command::new(env!("CARGO_BIN_EXE_lambdasim")).arg("validate").arg(p).output().expect("run lambdasim");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: lambdasim validate exit code; stderr: {stderr}", p.display());
        assert!(
            stderr.contains(&format!("{path}:")) || stderr.contains(&format!("{path}.")),
            "{}: stderr does not name {path}: {stderr}",
            p.display()
        );
        // And the library gives the same verdict.
        let text = fs::read_to_string(p).unwrap();
        assert!(lambdasim::load_str(&text).is_err(), "{}: load_str accepts it", p.display());
    }
}

#[test]
fn the_issue_examples_fail_the_schema() {
    // RatePerSecond: -1 and Fate: "Expired" used to pass the schema (issue 16).
    let v = Validator::new();
    let base = |extra: Value| {
        let mut doc = serde_json::json!({"Functions": [{"FunctionName": "f"}], "Workload": [{"Function": "f", "At": [0]}]});
        for (k, x) in extra.as_object().unwrap() {
            doc[k] = x.clone();
        }
        doc
    };
    assert!(v.check(&base(serde_json::json!({}))).is_ok(), "the base document is valid");
    let rate = base(serde_json::json!({"Workload": [{"Function": "f", "Poisson": {"RatePerSecond": -1, "EndSeconds": 1}}]}));
    assert!(v.check(&rate).is_err());
    let rate0 = base(serde_json::json!({"Workload": [{"Function": "f", "Poisson": {"RatePerSecond": 0, "EndSeconds": 1}}]}));
    assert!(v.check(&rate0).is_err(), "a rate of 0 is refused too (> 0)");
    let fate = base(serde_json::json!({"Expectations": [{"Expect": {"Fates": {"Fate": "Expired"}}, "Equals": 0}]}));
    assert!(v.check(&fate).is_err());
    let ok_fate = base(serde_json::json!({"Expectations": [{"Expect": {"Fates": {"Fate": "EventAgeExceeded"}}, "Equals": 0}]}));
    assert!(v.check(&ok_fate).is_ok());
    // The bounds are inclusive, as the validator's.
    let vt = |x: i64| base(serde_json::json!({"Queues": [{"QueueName": "q", "VisibilityTimeout": x}]}));
    assert!(v.check(&vt(43200)).is_ok() && v.check(&vt(0)).is_ok());
    assert!(v.check(&vt(43201)).is_err() && v.check(&vt(-1)).is_err());
    let age = |x: i64| {
        base(
            serde_json::json!({"KinesisStreams": [{"Name": "k"}], "EventSourceMappings": [{"EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/k", "FunctionName": "f", "StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": x}]}),
        )
    };
    assert!(v.check(&age(-1)).is_ok() && v.check(&age(60)).is_ok() && v.check(&age(604800)).is_ok());
    assert!(v.check(&age(0)).is_err() && v.check(&age(59)).is_err() && v.check(&age(604801)).is_err());
    let stat =
        |s: &str| base(serde_json::json!({"Expectations": [{"Expect": {"Accepted": {}}, "AtLeast": 1, "AcrossSeeds": {"Statistic": s}}]}));
    for ok in ["Mean", "P95", "P99.9", "P0.5", "P50"] {
        assert!(v.check(&stat(ok)).is_ok(), "{ok}");
        assert!(lambdasim::load_str(&stat(ok).to_string()).is_ok(), "lambdasim accepts {ok}");
    }
    for bad in ["Median", "P100", "P0", "p95"] {
        assert!(v.check(&stat(bad)).is_err(), "{bad}");
        assert!(lambdasim::load_str(&stat(bad).to_string()).is_err(), "lambdasim refuses {bad}");
    }
}

/// Every property in the schema, with its path.
fn properties<'a>(node: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    match node {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                for (k, v) in props {
                    out.push((format!("{path}.{k}"), v));
                    properties(v, &format!("{path}.{k}"), out);
                }
            }
            for (k, v) in m.iter().filter(|(k, _)| *k != "properties") {
                properties(v, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| properties(v, path, out)),
        _ => {}
    }
}

#[test]
fn every_property_has_a_description() {
    let s = schema();
    let mut props = vec![];
    properties(&s, "", &mut props);
    assert!(props.len() > 300, "found only {} properties", props.len());
    let missing: Vec<&String> =
        props.iter().filter(|(_, v)| v.get("description").and_then(Value::as_str).is_none_or(str::is_empty)).map(|(p, _)| p).collect();
    assert!(missing.is_empty(), "properties without a description: {missing:#?}");
}

#[test]
fn closed_sets_are_enums_and_bounds_match_the_validator() {
    let s = schema();
    let defs = &s["$defs"];
    let prop = |def: &str, name: &str| defs[def]["properties"][name].clone();
    let measure = |variant: &str, field: &str| {
        defs["MeasureSpec"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|m| m["properties"].get(variant).map(|v| v["properties"][field].clone()))
            .unwrap_or_else(|| panic!("MeasureSpec.{variant}.{field}"))
    };
    let names = |v: &Value| -> Vec<String> {
        v["enum"].as_array().unwrap_or_else(|| panic!("no enum in {v}")).iter().map(|x| x.as_str().unwrap().to_string()).collect()
    };
    use lambdasim::vocab::*;
    assert_eq!(names(&measure("Fates", "Fate")), Fate::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("MessageFates", "Fate")), MessageFate::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("RecordFates", "Fate")), RecordFate::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("FirehoseRecords", "Fate")), FirehoseFate::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("Batches", "Result")), BatchResult::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("TopicDeliveries", "Outcome")), FanoutOutcome::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("SinkRecords", "Kind")), RecordKind::ALL.map(|f| f.name().to_string()));
    assert_eq!(names(&measure("DeliveryFailures", "Reason")), DeliveryFailure::ALL.map(|f| f.name().to_string()));
    let sources: Vec<String> = lambdasim::aws::events::SourceKind::ALL.iter().map(|k| k.name().to_string()).collect();
    // `Source` is open (an EventBridge producer's `source` is any string): the catalogue's kinds are its examples.
    let examples: Vec<String> =
        prop("WorkloadSpec", "Source")["examples"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
    assert_eq!(examples, sources, "Workload.Source suggests the event catalogue's kinds");
    assert_eq!(names(&prop("SubscriptionSpec", "Protocol")), ["lambda", "sqs"]);
    assert_eq!(names(&prop("EventSourceMappingSpec", "StartingPosition")), ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]);
    assert_eq!(names(&prop("StreamSpecificationSpec", "StreamViewType")).len(), 4);
    for e in ["OutcomeKind", "FaultKind", "CallOutcomeSpec", "InvocationTypeSpec", "JitterSpec", "DeliveryFaultReason", "ScalingModelSpec"]
    {
        let d = &defs[e];
        let listed = d.get("enum").is_some()
            || d["oneOf"].as_array().is_some_and(|a| a.iter().all(|m| m.get("const").is_some() || m.get("enum").is_some()));
        assert!(listed, "{e} is not a closed set in the schema: {d}");
    }
    let bounds = |v: &Value| (v.get("minimum").and_then(Value::as_f64), v.get("maximum").and_then(Value::as_f64));
    assert_eq!(bounds(&prop("QueueSpec", "VisibilityTimeout")), (Some(0.0), Some(43200.0)));
    assert_eq!(bounds(&prop("QueueSpec", "MessageRetentionPeriod")), (Some(60.0), Some(1_209_600.0)));
    assert_eq!(bounds(&prop("FunctionSpec", "MemorySize")), (Some(128.0), Some(10240.0)));
    assert_eq!(bounds(&prop("FunctionSpec", "Timeout")), (Some(1.0), Some(900.0)));
    assert_eq!(bounds(&prop("EventInvokeConfigSpec", "MaximumRetryAttempts")), (Some(0.0), Some(2.0)));
    assert_eq!(bounds(&prop("EventInvokeConfigSpec", "MaximumEventAgeInSeconds")), (Some(60.0), Some(21600.0)));
    assert_eq!(bounds(&prop("EventSourceMappingSpec", "BatchSize")), (Some(1.0), Some(10000.0)));
    assert_eq!(bounds(&prop("EventSourceMappingSpec", "MaximumRetryAttempts")), (Some(-1.0), Some(10000.0)));
    assert_eq!(bounds(&prop("EventSourceMappingSpec", "ParallelizationFactor")), (Some(1.0), Some(10.0)));
    assert_eq!(bounds(&prop("RetryPolicySpec", "MaximumRetryAttempts")), (Some(0.0), Some(185.0)));
    assert_eq!(prop("PoissonSpec", "RatePerSecond")["exclusiveMinimum"], 0);
}
