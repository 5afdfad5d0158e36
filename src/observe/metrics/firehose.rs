//! Figures of Firehose delivery streams, streamed from trace events: records put and their fates, invocations of the
//! transformation function by result, retries. Fixed size per stream: memory does not grow with the run.

use serde_json::{json, Map, Value};

use crate::model::Model;
use crate::trace::TraceEvent;
use crate::vocab::{FirehoseFate, FirehoseInvokeResult};

/// Figures of one delivery stream.
#[derive(Debug, Clone, Default)]
pub struct StreamFigures {
    /// Records put to the stream.
    pub put: u64,
    /// Indexed by `FirehoseFate as usize`.
    pub fates: [u64; 5],
    /// Invocations by `FirehoseInvokeResult as usize`.
    pub invocations: [u64; 4],
    /// Invocations that were retries of a batch (attempt 2 and later).
    pub retries: u64,
    /// Batches invoked (first attempts).
    pub batches: u64,
    /// Records in the batches invoked (retries included).
    pub records_invoked: u64,
}

impl StreamFigures {
    /// Records whose fate was `f`.
    pub fn fate(&self, f: FirehoseFate) -> u64 {
        self.fates[f as usize]
    }
    /// Invocations whose result was `r`.
    pub fn invoked(&self, r: FirehoseInvokeResult) -> u64 {
        self.invocations[r as usize]
    }
}

#[derive(Debug, Clone, Default)]
/// Figures of Firehose delivery streams.
pub struct FirehoseMetrics {
    /// Per stream, indexed like `Model::firehose.streams`.
    pub streams: Vec<StreamFigures>,
}

impl FirehoseMetrics {
    /// Empty figures for a run of `model`.
    pub fn new(model: &Model) -> Self {
        FirehoseMetrics { streams: vec![StreamFigures::default(); model.firehose.streams.len()] }
    }

    /// Counts one trace event.
    pub fn on_event(&mut self, ev: &TraceEvent) {
        match ev {
            TraceEvent::FirehoseRecordPut { stream, .. } => self.streams[*stream as usize].put += 1,
            TraceEvent::FirehoseInvoke { stream, records, attempt, .. } => {
                let s = &mut self.streams[*stream as usize];
                if *attempt > 1 {
                    s.retries += 1;
                } else {
                    s.batches += 1;
                    s.records_invoked += u64::from(*records);
                }
            }
            TraceEvent::FirehoseInvokeEnd { stream, result, .. } => self.streams[*stream as usize].invocations[*result as usize] += 1,
            TraceEvent::FirehoseRecordFate { stream, fate, .. } => self.streams[*stream as usize].fates[*fate as usize] += 1,
            _ => {}
        }
    }

    /// The `deliveryStreams` section of the JSON summary.
    pub fn to_json(&self, model: &Model) -> Value {
        let mut out = Map::new();
        for (i, ds) in model.firehose.streams.iter().enumerate() {
            let m = &self.streams[i];
            out.insert(
                ds.name.clone(),
                json!({
                    "arn": ds.arn,
                    "function": ds.lambda.map(|(f, _)| model.function(f).name.clone()),
                    "records": m.put,
                    "fates": FirehoseFate::ALL.iter().map(|f| (f.name().to_string(), json!(m.fate(*f)))).collect::<Map<String, Value>>(),
                    "batches": m.batches,
                    "invocations": FirehoseInvokeResult::ALL.iter().map(|r| (r.name().to_string(), json!(m.invoked(*r)))).collect::<Map<String, Value>>(),
                    "retries": m.retries,
                }),
            );
        }
        Value::Object(out)
    }

    /// The delivery-stream lines of the text summary.
    pub fn to_text(&self, model: &Model) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        for (i, ds) in model.firehose.streams.iter().enumerate() {
            let m = &self.streams[i];
            let fates: Vec<String> =
                FirehoseFate::ALL.iter().filter(|f| m.fate(**f) > 0).map(|f| format!("{} {}", f.name(), m.fate(*f))).collect();
            let inv: Vec<String> = FirehoseInvokeResult::ALL
                .iter()
                .filter(|r| m.invoked(**r) > 0)
                .map(|r| format!("{} {}", r.name(), m.invoked(*r)))
                .collect();
            let _ = writeln!(
                s,
                "  delivery stream {}: {} records ({}); {} batches, {} invocations ({}), {} retries",
                ds.name,
                m.put,
                if fates.is_empty() { "-".into() } else { fates.join(", ") },
                m.batches,
                m.invocations.iter().sum::<u64>(),
                if inv.is_empty() { "-".into() } else { inv.join(", ") },
                m.retries
            );
        }
        s
    }
}

use crate::model::checks::FirehoseMeasure;

impl FirehoseMeasure {
    /// The measure's value in `m`.
    pub fn value(&self, m: &FirehoseMetrics) -> f64 {
        let pick = |s: &Option<u32>| -> Vec<&StreamFigures> {
            match s {
                Some(i) => vec![&m.streams[*i as usize]],
                None => m.streams.iter().collect(),
            }
        };
        match self {
            FirehoseMeasure::Records { stream, fate } => pick(stream).iter().map(|s| s.fate(*fate)).sum::<u64>() as f64,
            FirehoseMeasure::Invocations { stream, result } => pick(stream)
                .iter()
                .map(|s| match result {
                    Some(r) => s.invoked(*r),
                    None => s.invocations.iter().sum(),
                })
                .sum::<u64>() as f64,
        }
    }
}
