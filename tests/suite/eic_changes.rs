//! `PutFunctionEventInvokeConfig` and `UpdateFunctionEventInvokeConfig` on the timeline for any qualifier: AWS keeps
//! one asynchronous invoke configuration per qualifier (`$LATEST`, a version, an alias; spec section 2, API-EIC), and
//! both actions take a `Qualifier`. A change applies from its instant to the qualifier it names only; Put replaces the
//! whole configuration, Update merges (recorded: LocalStack `test_lambda_eventinvokeconfig_lifecycle`).

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::{load_str, run, Fate, RunOptions, TraceEvent};

fn dest(q: &str) -> String {
    format!("arn:aws:sqs:us-east-1:123456789012:{q}")
}

/// An always-failing function with version 1, alias `live` on it (the alias with its own configuration: 1 retry to
/// `alias-dest`), invoked asynchronously as `f:1`, `f:live` and `f` at each of `at`, with `changes`.
fn scenario(at: &[u64], changes: Value) -> Value {
    json!({
        "Functions": [{
            "FunctionName": "f",
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] },
            "Versions": [{}],
            "Aliases": [{ "Name": "live", "FunctionVersion": "1",
                          "EventInvokeConfig": { "MaximumRetryAttempts": 1, "DestinationConfig": { "OnFailure": { "Destination": dest("alias-dest") } } } }]
        }],
        "Queues": [{ "QueueName": "version-dest" }, { "QueueName": "alias-dest" }, { "QueueName": "latest-dest" }],
        "Workload": [
            { "Name": "v1", "Function": "f:1", "At": at },
            { "Name": "live", "Function": "f:live", "At": at.iter().map(|t| t + 1).collect::<Vec<_>>() },
            { "Name": "latest", "Function": "f", "At": at.iter().map(|t| t + 2).collect::<Vec<_>>() }
        ],
        "Changes": changes,
        "Simulation": { "AsyncRetryEarlyFraction": 0 }
    })
}

/// Per workload source (`v1`, `live`, `latest`), the executions of each of its events in order, and the records each
/// destination queue got.
fn outcome(sc: &Value) -> (Vec<Vec<u32>>, Vec<(String, usize)>, Rec) {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Rec::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    let mut per: Vec<Vec<(u64, u32)>> = vec![vec![]; 3];
    let mut source_of = std::collections::BTreeMap::new();
    for (_, e) in &rec.events {
        match e {
            TraceEvent::Accepted { event, origin: lambdasim::trace::Origin::Workload(source), .. } => {
                source_of.insert(*event, *source as usize);
            }
            TraceEvent::Fate { event, attempts, fate, .. } => {
                assert_eq!(*fate, Fate::RetriesExhausted);
                per[source_of[event]].push((*event, *attempts));
            }
            _ => {}
        }
    }
    let attempts = per.into_iter().map(|v| v.into_iter().map(|x| x.1).collect()).collect();
    let mut records: Vec<(String, usize)> = vec![];
    for (_, target, _, _) in &rec.delivered {
        match records.iter_mut().find(|r| r.0 == *target) {
            Some(r) => r.1 += 1,
            None => records.push((target.clone(), 1)),
        }
    }
    records.sort();
    (attempts, records, rec)
}

#[test]
fn a_version_s_configuration_changes_from_the_instant_of_the_change() {
    let put = json!([{ "AtSeconds": 500, "PutFunctionEventInvokeConfig": {
        "FunctionName": "f", "Qualifier": "1", "MaximumRetryAttempts": 0,
        "DestinationConfig": { "OnFailure": { "Destination": dest("version-dest") } } } }]);
    let (attempts, records, rec) = outcome(&scenario(&[0, 1000], put));
    // Version 1: the defaults (3 executions) before the change, 1 execution and its destination after. The alias
    // and $LATEST keep theirs.
    assert_eq!(attempts, vec![vec![3, 1], vec![2, 2], vec![3, 3]]);
    assert_eq!(records, vec![("alias-dest".to_string(), 2), ("version-dest".to_string(), 1)]);
    let changes: Vec<u32> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::ConfigChange { change } = e { Some(*change) } else { None }).collect();
    assert_eq!(changes, vec![0]);
}

#[test]
fn an_alias_s_configuration_is_put_and_updated_on_the_timeline() {
    let changes = json!([
        // Merge: no retries, the alias's destination stays.
        { "AtSeconds": 500, "UpdateFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "live", "MaximumRetryAttempts": 0 } },
        // Replace: the defaults (2 retries) and no destination.
        { "AtSeconds": 1500, "PutFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "live", "MaximumEventAgeInSeconds": 3600 } }
    ]);
    let (attempts, records, _) = outcome(&scenario(&[0, 1000, 2000], changes));
    assert_eq!(attempts[1], vec![2, 1, 3], "the alias's events");
    assert_eq!(attempts[0], vec![3, 3, 3], "version 1 keeps the defaults");
    assert_eq!(records, vec![("alias-dest".to_string(), 2)]);
}

#[test]
fn latest_changes_leave_versions_and_aliases_alone() {
    let put = json!([{ "AtSeconds": 500, "PutFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "$LATEST", "MaximumRetryAttempts": 0,
        "DestinationConfig": { "OnFailure": { "Destination": dest("latest-dest") } } } }]);
    let (attempts, records, _) = outcome(&scenario(&[0, 1000], put));
    assert_eq!(attempts, vec![vec![3, 3], vec![2, 2], vec![3, 1]]);
    assert_eq!(records, vec![("alias-dest".to_string(), 2), ("latest-dest".to_string(), 1)]);
}

fn error(changes: Value, simulation: Option<Value>) -> String {
    let mut sc = scenario(&[0], changes);
    if let Some(s) = simulation {
        sc["Simulation"] = s;
    }
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("validates but should not: {sc:#}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_qualifiers_and_settings_are_refused_with_their_path() {
    let put = |q: &str, extra: Value| {
        let mut c = json!({ "FunctionName": "f", "Qualifier": q, "MaximumRetryAttempts": 0 });
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        json!([{ "AtSeconds": 10, "PutFunctionEventInvokeConfig": c }])
    };
    let e = error(put("lve", json!({})), None);
    assert!(e.contains("Changes[0].PutFunctionEventInvokeConfig.Qualifier") && e.contains("\"lve\"") && e.contains("live"), "{e}");
    let e = error(put("7", json!({})), None);
    assert!(e.contains("Changes[0].PutFunctionEventInvokeConfig.Qualifier") && e.contains("$LATEST, 1, live"), "{e}");
    // A version published on the timeline exists from its publication on.
    let e = error(
        json!([{ "AtSeconds": 10, "UpdateFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "2", "MaximumRetryAttempts": 0 } },
                          { "AtSeconds": 20, "PublishVersion": { "FunctionName": "f" } }]),
        None,
    );
    assert!(e.contains("Changes[0].UpdateFunctionEventInvokeConfig.Qualifier"), "{e}");
    let later = json!([{ "AtSeconds": 10, "PublishVersion": { "FunctionName": "f" } },
                       { "AtSeconds": 20, "UpdateFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "2", "MaximumRetryAttempts": 0 } }]);
    assert!(load_str(&scenario(&[0], later).to_string()).is_ok());
    // The alias's own configuration has no effect when the version's decides.
    let e = error(put("live", json!({})), Some(json!({ "AliasEventInvokeConfig": "Version" })));
    assert!(e.contains("Changes[0].PutFunctionEventInvokeConfig.Qualifier") && e.contains("AliasEventInvokeConfig"), "{e}");
    // AWS's own refusals, at the change's own properties.
    let e = error(
        put("1", json!({ "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:lambda:us-east-1:123456789012:function:f" } } })),
        None,
    );
    assert!(
        e.contains("Changes[0].PutFunctionEventInvokeConfig.DestinationConfig.OnFailure.Destination: You can't specify the function as a destination for itself."),
        "{e}"
    );
    let e = error(json!([{ "AtSeconds": 10, "PutFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "live" } }]), None);
    assert!(
        e.contains("Changes[0].PutFunctionEventInvokeConfig: You must specify at least one of error handling or destination setting."),
        "{e}"
    );
    let e = error(put("1", json!({ "MaximumRetryAttempts": 5 })), None);
    assert!(e.contains("Changes[0].PutFunctionEventInvokeConfig.MaximumRetryAttempts"), "{e}");
}

/// From the command line: the change is in the trace as a `ConfigChange` naming its action, as for `$LATEST`.
#[test]
fn the_trace_names_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let put = json!([{ "AtSeconds": 500, "PutFunctionEventInvokeConfig": { "FunctionName": "f", "Qualifier": "live", "MaximumRetryAttempts": 0 } }]);
    std::fs::write(&path, scenario(&[0, 1000], put).to_string()).unwrap();
    let trace = dir.path().join("trace.jsonl");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["run", path.to_str().unwrap(), "--trace", trace.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&trace).unwrap();
    let change: Vec<Value> =
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|v| v["action"] == "PutFunctionEventInvokeConfig").collect();
    assert_eq!(change.len(), 1, "{text}");
    assert_eq!(change[0]["function"], "f");
    // Events through the alias still name it.
    assert!(text.lines().filter(|l| l.contains("\"Accepted\"") || l.contains("accepted")).any(|l| l.contains("live")), "{text}");
}

/// An `EventInvokeConfig` is not part of the function's configuration: changing it (on `$LATEST` or on a version)
/// starts no new execution environment, so an invocation after the change finds the warm one.
#[test]
fn a_change_of_the_event_invoke_config_keeps_the_environments_warm() {
    for q in [None, Some("1")] {
        let mut put = json!({ "FunctionName": "f", "MaximumRetryAttempts": 0 });
        if let Some(q) = q {
            put["Qualifier"] = json!(q);
        }
        let function = if q.is_some() { "f:1" } else { "f" };
        let sc = json!({
            "Functions": [{ "FunctionName": "f", "Versions": [{}] }],
            "Workload": [{ "Name": "w", "Function": function, "At": [0, 30, 60] }],
            "Changes": [{ "AtSeconds": 20, "PutFunctionEventInvokeConfig": put }]
        });
        let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let mut rec = Rec::default();
        run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
        let cold: Vec<bool> =
            rec.events.iter().filter_map(|(_, e)| if let TraceEvent::AttemptStart { cold, .. } = e { Some(*cold) } else { None }).collect();
        assert_eq!(cold, [true, false, false], "qualifier {q:?}: one cold start, then the same environment warm");
    }
}
