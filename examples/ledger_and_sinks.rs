//! Read what a run leaves behind: the ledger (each accepted event's fate, executions and latency) and `MemorySinks`
//! (every record the destinations and dead-letter queues received, as AWS would deliver it). The quickstart scenario
//! fails some events three times: the example prints each event's fate, the records each target received, one
//! on-failure record in full, and checks the contract of spec 10.2 from the data: every event whose retries were
//! exhausted has exactly one on-failure record, carrying `approximateInvokeCount` 3, and one message on the DLQ.
//!
//! ```text
//! cargo run --example ledger_and_sinks
//! ```

use std::collections::BTreeMap;

use lambdasim::vocab::RecordKind;
use lambdasim::{Fate, Ledger, MemorySinks, RunOptions};

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/async-retries-to-destinations.json");
    let model = lambdasim::load_file(std::path::Path::new(path)).expect("the bundled scenario is valid");
    let mut ledger = Ledger::default();
    let mut sinks = MemorySinks::default();
    let report = lambdasim::run(&model, 7, RunOptions { observers: vec![&mut ledger, &mut sinks], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty());

    println!("{} events, in the order their fates happened:", ledger.entries.len());
    println!("  {:<38} {:<10} {:<18} {:>10} {:>12}", "request id", "function", "fate", "executions", "latency");
    for e in ledger.entries.iter().take(12) {
        let latency = e.ended_at - e.accepted_at;
        println!("  {:<38} {:<10} {:<18} {:>10} {:>12}", e.request_id, e.function, e.fate.name(), e.executions, latency.to_string());
    }
    if ledger.entries.len() > 12 {
        println!("  ... {} more", ledger.entries.len() - 12);
    }
    let mut by_fate: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &ledger.entries {
        *by_fate.entry(e.fate.name()).or_default() += 1;
    }
    println!("fates: {by_fate:?}");

    let mut by_target: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (target, kind, _) in &sinks.messages {
        *by_target.entry((target.as_str(), kind.name())).or_default() += 1;
    }
    println!("\nrecords received, per target and kind:");
    for ((target, kind), n) in &by_target {
        println!("  {target:<14} {kind:<10} {n}");
    }
    if let Some((target, _, msg)) = sinks.messages.iter().find(|(_, k, _)| *k == RecordKind::OnFailure) {
        println!("\nan on-failure record, as {target} received it:\n{}", serde_json::to_string_pretty(msg).unwrap());
    }

    // The contract of spec 10.2, checked from the data: one on-failure record and one DLQ message per exhausted event.
    // `contents` holds what each target received: the invocation record (destinations) or {body, attributes} (DLQ).
    let exhausted: Vec<_> = ledger.with_fate(Fate::RetriesExhausted).collect();
    for e in &exhausted {
        let records: Vec<_> = sinks
            .contents
            .iter()
            .filter(|(_, c)| c.pointer("/requestContext/requestId").and_then(|v| v.as_str()) == Some(e.request_id.as_str()))
            .collect();
        assert_eq!(records.len(), 1, "{}: {records:?}", e.request_id);
        assert_eq!(records[0].1.pointer("/requestContext/approximateInvokeCount").and_then(|v| v.as_u64()), Some(3));
        assert_eq!(e.executions, 3);
        let dlq = sinks
            .contents
            .iter()
            .filter(|(_, c)| c.pointer("/attributes/RequestID").and_then(|v| v.as_str()) == Some(e.request_id.as_str()));
        assert_eq!(dlq.count(), 1, "{} reaches the DLQ once", e.request_id);
    }
    println!("\n{} events exhausted their retries; each has exactly one on-failure record and one DLQ message", exhausted.len());
}
