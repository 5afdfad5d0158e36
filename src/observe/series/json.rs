//! The series as JSON (the `series` member of `--format json`): one array per metric, one entry per sample, for the
//! account, each function, each queue and each event source mapping.

use serde_json::{json, Map, Value};

use super::{mean, FnSample, MappingSample, QueueSample, Series, THROTTLE_REASONS};
use crate::model::Model;

impl Series {
    /// One JSON column per metric of the samples `get(i)`.
    fn columns_json(&self, get: impl Fn(usize) -> FnSample) -> Map<String, Value> {
        let n = self.len();
        let width = |i: usize| {
            let (a, b) = self.span(i);
            (b - a).as_micros()
        };
        let mut m = Map::new();
        m.insert("concurrencyMax".into(), (0..n).map(|i| json!(get(i).concurrency_max)).collect());
        m.insert("concurrencyMean".into(), (0..n).map(|i| json!(mean(get(i).concurrency_area, width(i)))).collect());
        m.insert("accepted".into(), (0..n).map(|i| json!(get(i).accepted)).collect());
        m.insert("invocations".into(), (0..n).map(|i| json!(get(i).invocations)).collect());
        m.insert("coldStarts".into(), (0..n).map(|i| json!(get(i).cold_starts)).collect());
        let mut th = Map::new();
        for (r, (_, name)) in THROTTLE_REASONS.iter().enumerate() {
            th.insert((*name).into(), (0..n).map(|i| json!(get(i).throttles[r])).collect());
        }
        m.insert("throttles".into(), Value::Object(th));
        m.insert("errors".into(), (0..n).map(|i| json!(get(i).errors)).collect());
        m.insert("asyncBacklogMax".into(), (0..n).map(|i| json!(get(i).backlog_max)).collect());
        m.insert("asyncBacklog".into(), (0..n).map(|i| json!(get(i).backlog)).collect());
        m.insert("oldestEventAgeSeconds".into(), (0..n).map(|i| json!(get(i).oldest_age.as_secs_f64())).collect());
        m
    }

    /// The series as JSON: columns of numbers, one entry per sample (sample `i` starts at `i × intervalSeconds`; the
    /// last ends at `endSeconds`).
    pub fn to_json(&self, model: &Model) -> Value {
        let mut functions = Map::new();
        for (f, fd) in model.functions.iter().enumerate() {
            let mut m = self.columns_json(|i| *self.sample(i, f));
            m.insert("meanConcurrency".into(), json!(self.mean_concurrency(f)));
            functions.insert(fd.name.clone(), Value::Object(m));
        }
        let mut account = self.columns_json(|i| *self.account(i));
        account.insert("meanConcurrency".into(), json!(self.mean_account_concurrency()));
        let n = self.len();
        let mut queues = Map::new();
        for (q, qd) in model.esm.queues.iter().enumerate() {
            let col = |get: &dyn Fn(&QueueSample) -> Value| -> Value { (0..n).map(|i| get(self.queue(i, q))).collect() };
            queues.insert(
                qd.name.clone(),
                json!({
                    "visible": col(&|x| json!(x.visible)),
                    "visibleMax": col(&|x| json!(x.visible_max)),
                    "inFlight": col(&|x| json!(x.in_flight)),
                    "inFlightMax": col(&|x| json!(x.in_flight_max)),
                    "oldestMessageAgeSeconds": col(&|x| json!(x.oldest_age.as_secs_f64())),
                    "sent": col(&|x| json!(x.sent)),
                    "deleted": col(&|x| json!(x.deleted)),
                }),
            );
        }
        let mut mappings = Map::new();
        for (m, md) in model.esm.mappings.iter().enumerate() {
            let col = |get: &dyn Fn(&MappingSample) -> Value| -> Value { (0..n).map(|i| get(self.mapping(i, m))).collect() };
            mappings.insert(
                md.label.clone(),
                json!({
                    "batches": col(&|x| json!(x.batches)),
                    "records": col(&|x| json!(x.records)),
                    "iteratorAgeMaxSeconds": col(&|x| json!(x.iterator_age_max.as_secs_f64())),
                }),
            );
        }
        json!({
            "intervalSeconds": self.interval.as_secs_f64(),
            "samples": self.len(),
            "endSeconds": self.end.map(|e| e.as_secs_f64()),
            "account": Value::Object(account),
            "functions": Value::Object(functions),
            "queues": Value::Object(queues),
            "mappings": Value::Object(mappings),
        })
    }
}
