//! Per-source expectations: `SourceFates` and `SourceLatencySeconds` measure the events of one workload entry, so two
//! sources of the same function (an API and a nightly job, say) are checked apart.

use serde_json::json;

use lambdasim::{load_str, run, RunOptions};

fn scenario(expectations: serde_json::Value) -> String {
    json!({
        "Functions": [{"FunctionName": "f", "EventInvokeConfig": {"MaximumRetryAttempts": 0},
            "Behavior": {"Duration": {"Constant": {"Ms": 100}},
                         "Rules": [{"When": {"Payload": {"job": [true]}}, "Then": {"Outcome": "Fail", "Duration": {"Constant": {"Ms": 2000}}}}]}}],
        "Workload": [
            {"Name": "api", "Function": "f", "InvocationType": "RequestResponse", "At": [0, 1, 2], "Payload": {"job": false}},
            {"Name": "nightly", "Function": "f", "At": [10, 11], "Payload": {"job": true}}
        ],
        "Expectations": expectations
    })
    .to_string()
}

#[test]
fn source_fates_and_latency_count_one_workload_entry() {
    let ok = scenario(json!([
        {"Expect": {"SourceFates": {"Source": "api", "Fate": "Succeeded"}}, "Equals": 3},
        {"Expect": {"SourceFates": {"Source": "nightly", "Fate": "RetriesExhausted"}}, "Equals": 2},
        {"Expect": {"SourceFates": {"Source": "nightly", "Fate": "Succeeded"}}, "Equals": 0},
        {"Expect": {"SourceLatencySeconds": {"Source": "api", "Percentile": 100}}, "AtMost": 1.5},
        {"Expect": {"SourceLatencySeconds": {"Source": "nightly", "Percentile": 50}}, "AtLeast": 2}
    ]));
    let model = load_str(&ok).expect("valid");
    let report = run(&model, 1, RunOptions::default()).expect("run");
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
    let bad = scenario(json!([{"Expect": {"SourceFates": {"Source": "api", "Fate": "Succeeded"}}, "Equals": 4}]));
    assert!(!run(&load_str(&bad).expect("valid"), 1, RunOptions::default()).expect("run").expectations_passed());
    let e = load_str(&scenario(json!([{"Expect": {"SourceFates": {"Source": "cron", "Fate": "Succeeded"}}, "Equals": 1}])))
        .expect_err("unknown source")
        .to_string();
    assert!(e.contains("Expectations[0].Expect.SourceFates.Source") && e.contains("known: api, nightly"), "{e}");
}
