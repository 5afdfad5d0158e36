//! Metrics of queues, streams and event source mappings (spec section 5), streamed from trace events: message and
//! record fates, receives per message, time to deletion, queue depth and age of the oldest message, batches by
//! result, iterator age. Memory follows the messages in the queues, not the run's length.

use std::collections::{BTreeMap, BTreeSet};

use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};

use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::observe::metrics::percentiles_json;
use crate::trace::TraceEvent;
use crate::vocab::{BatchResult, MessageFate, RecordFate};

/// An empty histogram of microseconds, 1 us to 30 days, that grows with what is recorded (see
/// [`crate::observe::metrics::hist`]).
fn hist() -> Histogram<u64> {
    crate::observe::metrics::hist()
}

/// The largest receive count recorded: 100,000 (and the little beyond it that the full-range histogram took).
const RECEIVES_HIGH: u64 = 100_000;

/// Record a receive count, unless it is beyond the range the receives histogram always had.
fn record_receives(h: &mut Histogram<u64>, v: u64) {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    if v <= RECEIVES_HIGH || v <= *LIMIT.get_or_init(|| crate::observe::metrics::max_recordable(RECEIVES_HIGH)) {
        let _ = h.record(v);
    }
}

/// Figures of one queue.
#[derive(Debug, Clone)]
pub struct QueueMetrics {
    /// Messages sent to the queue.
    pub sent: u64,
    /// Indexed by `MessageFate as usize`.
    pub fates: [u64; 8],
    /// Receive count of each message at its fate.
    pub receives: Histogram<u64>,
    /// Send to deletion after processing (`Deleted`), in microseconds.
    pub time_to_delete: Histogram<u64>,
    /// The most messages in the queue at once (visible, delayed or in flight).
    pub peak_depth: u64,
    /// The largest age the oldest message reached (sampled at each event of the queue and at the end).
    pub max_oldest_age: SimTime,
    /// Messages in the queue now: id -> arrival.
    present: BTreeMap<u64, SimTime>,
    /// The same messages by (arrival, id): the first is the oldest, found without a walk over the queue.
    by_arrival: BTreeSet<(SimTime, u64)>,
    /// Messages kept by a queue no mapping reads (`Stored`): they stay in it, counted, not held.
    stored: u64,
    first_stored: Option<SimTime>,
}

impl QueueMetrics {
    fn new() -> Self {
        QueueMetrics {
            sent: 0,
            fates: [0; 8],
            receives: crate::observe::metrics::growing_hist(),
            time_to_delete: hist(),
            peak_depth: 0,
            max_oldest_age: SimTime::ZERO,
            present: BTreeMap::new(),
            by_arrival: BTreeSet::new(),
            stored: 0,
            first_stored: None,
        }
    }
    /// Messages that left the queue with fate `f`.
    pub fn fate(&self, f: MessageFate) -> u64 {
        self.fates[f as usize]
    }
    /// Messages in the queue now.
    pub fn depth(&self) -> u64 {
        self.present.len() as u64 + self.stored
    }
    /// Age of the oldest message in the queue at `t`.
    pub fn oldest_age(&self, t: SimTime) -> SimTime {
        let oldest = self.by_arrival.first().map(|(a, _)| *a).into_iter().chain(self.first_stored).min();
        oldest.map_or(SimTime::ZERO, |a| t - a.min(t))
    }
    fn sample(&mut self, t: SimTime) {
        let age = self.oldest_age(t);
        if age > self.max_oldest_age {
            self.max_oldest_age = age;
        }
    }
}

/// Figures of one stream (records by fate over all its mappings).
#[derive(Debug, Clone, Default)]
pub struct StreamMetrics {
    /// Records put to the stream.
    pub put: u64,
    /// Indexed by `RecordFate as usize`.
    pub fates: [u64; 7],
}

/// Figures of one mapping.
#[derive(Debug, Clone)]
pub struct MappingMetrics {
    /// Indexed by `BatchResult as usize`.
    pub batches: [u64; 4],
    /// Records in the batches it invoked (retries included).
    pub records_invoked: u64,
    /// Streams: `IteratorAge` at each batch, in microseconds.
    pub iterator_age: Histogram<u64>,
    /// Streams: records by fate for this mapping.
    pub record_fates: [u64; 7],
    /// Batches being processed now.
    pub concurrent: u64,
    /// The most batches processed at once.
    pub peak_concurrent: u64,
}

#[derive(Debug, Clone)]
/// Figures of queues, streams and event source mappings (spec section 5).
pub struct EsmMetrics {
    /// Per queue, indexed like `Model::esm.queues`.
    pub queues: Vec<QueueMetrics>,
    /// Per stream, indexed like `Model::esm.streams`.
    pub streams: Vec<StreamMetrics>,
    /// Per mapping, indexed like `Model::esm.mappings`.
    pub mappings: Vec<MappingMetrics>,
}

impl EsmMetrics {
    /// Empty figures for a run of `model`.
    pub fn new(model: &Model) -> Self {
        EsmMetrics {
            queues: model.esm.queues.iter().map(|_| QueueMetrics::new()).collect(),
            streams: model.esm.streams.iter().map(|_| StreamMetrics::default()).collect(),
            mappings: model
                .esm
                .mappings
                .iter()
                .map(|_| MappingMetrics {
                    batches: [0; 4],
                    records_invoked: 0,
                    iterator_age: hist(),
                    record_fates: [0; 7],
                    concurrent: 0,
                    peak_concurrent: 0,
                })
                .collect(),
        }
    }

    /// Counts one trace event at time `t`.
    pub fn on_event(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::MessageSent { queue, msg, .. } => {
                let q = &mut self.queues[queue.ix()];
                q.sent += 1;
                if let Some(before) = q.present.insert(*msg, t) {
                    q.by_arrival.remove(&(before, *msg));
                }
                q.by_arrival.insert((t, *msg));
                q.peak_depth = q.peak_depth.max(q.depth());
                q.sample(t);
            }
            TraceEvent::MessageFate { queue, msg, fate, receives, age } => {
                let q = &mut self.queues[queue.ix()];
                q.sample(t);
                if let Some(arrival) = q.present.remove(msg) {
                    q.by_arrival.remove(&(arrival, *msg));
                }
                q.fates[*fate as usize] += 1;
                if *fate == MessageFate::Stored {
                    q.stored += 1;
                    q.first_stored.get_or_insert(t);
                }
                if !matches!(fate, MessageFate::Stored | MessageFate::TooLarge | MessageFate::Deduplicated) {
                    record_receives(&mut q.receives, u64::from(*receives).max(1));
                }
                if *fate == MessageFate::Deleted {
                    crate::observe::metrics::record(&mut q.time_to_delete, age.as_micros());
                }
            }
            TraceEvent::MessageReceived { queue, .. } => self.queues[queue.ix()].sample(t),
            TraceEvent::RecordPut { stream, .. } => self.streams[stream.ix()].put += 1,
            TraceEvent::RecordFate { stream, mapping, fate, .. } => {
                self.streams[stream.ix()].fates[*fate as usize] += 1;
                if let Some(m) = mapping {
                    self.mappings[m.ix()].record_fates[*fate as usize] += 1;
                }
            }
            TraceEvent::BatchStart { mapping, records, iterator_age, .. } => {
                let m = &mut self.mappings[mapping.ix()];
                m.records_invoked += u64::from(*records);
                m.concurrent += 1;
                m.peak_concurrent = m.peak_concurrent.max(m.concurrent);
                crate::observe::metrics::record(&mut m.iterator_age, iterator_age.as_micros());
            }
            TraceEvent::BatchEnd { mapping, result, .. } => {
                let m = &mut self.mappings[mapping.ix()];
                m.batches[*result as usize] += 1;
                m.concurrent = m.concurrent.saturating_sub(1);
            }
            _ => {}
        }
    }

    /// Takes the queues' last samples when the run ends at `end`.
    pub fn finish(&mut self, end: SimTime) {
        for q in &mut self.queues {
            q.sample(end);
        }
    }

    /// No message was sent and no record put.
    pub fn is_empty(&self) -> bool {
        self.queues.iter().all(|q| q.sent == 0) && self.streams.iter().all(|s| s.put == 0)
    }

    /// The `eventSources` section of the JSON summary.
    pub fn to_json(&self, model: &Model) -> Value {
        let mut queues = Map::new();
        for (i, q) in model.esm.queues.iter().enumerate() {
            let m = &self.queues[i];
            if m.sent == 0 {
                continue;
            }
            queues.insert(
                q.name.clone(),
                json!({
                    "arn": q.arn,
                    "sent": m.sent,
                    "fates": MessageFate::ALL.iter().filter(|f| m.fate(**f) > 0).map(|f| (f.name().to_string(), json!(m.fate(*f)))).collect::<Map<String, Value>>(),
                    "receivesPerMessage": {"p50": m.receives.value_at_quantile(0.5), "p99": m.receives.value_at_quantile(0.99), "max": m.receives.max()},
                    "timeToDeleteSeconds": percentiles_json(&m.time_to_delete),
                    "peakDepth": m.peak_depth,
                    "maxAgeOfOldestMessageSeconds": m.max_oldest_age.as_secs_f64(),
                }),
            );
        }
        let mut streams = Map::new();
        for (i, s) in model.esm.streams.iter().enumerate() {
            let m = &self.streams[i];
            if m.put == 0 {
                continue;
            }
            streams.insert(
                s.name.clone(),
                json!({
                    "arn": s.arn,
                    "shards": s.shards,
                    "records": m.put,
                    "fates": RecordFate::ALL.iter().filter(|f| m.fates[**f as usize] > 0).map(|f| (f.name().to_string(), json!(m.fates[*f as usize]))).collect::<Map<String, Value>>(),
                }),
            );
        }
        let mut mappings = Map::new();
        for (i, mp) in model.esm.mappings.iter().enumerate() {
            let m = &self.mappings[i];
            mappings.insert(
                mp.uuid.clone(),
                json!({
                    "label": mp.label,
                    "function": model.function(mp.function).name,
                    "batches": BatchResult::ALL.iter().map(|r| (r.name().to_string(), json!(m.batches[*r as usize]))).collect::<Map<String, Value>>(),
                    "recordsInvoked": m.records_invoked,
                    "peakConcurrentBatches": m.peak_concurrent,
                    "iteratorAgeSeconds": percentiles_json(&m.iterator_age),
                    "recordFates": RecordFate::ALL.iter().filter(|f| m.record_fates[**f as usize] > 0).map(|f| (f.name().to_string(), json!(m.record_fates[*f as usize]))).collect::<Map<String, Value>>(),
                }),
            );
        }
        json!({"queues": queues, "streams": streams, "mappings": mappings})
    }

    /// The queue, stream and mapping lines of the text summary.
    pub fn to_text(&self, model: &Model) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        for (i, q) in model.esm.queues.iter().enumerate() {
            let m = &self.queues[i];
            if m.sent == 0 {
                continue;
            }
            let fates: Vec<String> =
                MessageFate::ALL.iter().filter(|f| m.fate(**f) > 0).map(|f| format!("{} {}", f.name(), m.fate(*f))).collect();
            let _ = writeln!(
                s,
                "  queue {}: {} messages ({}); receives max {}; peak depth {}; oldest message reached {}",
                q.name,
                m.sent,
                fates.join(", "),
                m.receives.max(),
                m.peak_depth,
                m.max_oldest_age
            );
        }
        for (i, st) in model.esm.streams.iter().enumerate() {
            let m = &self.streams[i];
            if m.put == 0 {
                continue;
            }
            let fates: Vec<String> = RecordFate::ALL
                .iter()
                .filter(|f| m.fates[**f as usize] > 0)
                .map(|f| format!("{} {}", f.name(), m.fates[*f as usize]))
                .collect();
            let (what, parts) = if st.is_kafka() { ("topic", "partitions") } else { ("stream", "shards") };
            let _ = writeln!(s, "  {what} {} ({} {parts}): {} records ({})", st.name, st.shards, m.put, fates.join(", "));
        }
        for (i, mp) in model.esm.mappings.iter().enumerate() {
            let m = &self.mappings[i];
            let b: Vec<String> = BatchResult::ALL
                .iter()
                .filter(|r| m.batches[**r as usize] > 0)
                .map(|r| format!("{} {}", r.name(), m.batches[*r as usize]))
                .collect();
            let mut line = format!(
                "  mapping {}: {} batches ({}), {} records invoked, peak {} concurrent",
                mp.label,
                m.batches.iter().sum::<u64>(),
                if b.is_empty() { "-".into() } else { b.join(", ") },
                m.records_invoked,
                m.peak_concurrent
            );
            if matches!(mp.source, crate::model::EsmSource::Stream(_)) && !m.iterator_age.is_empty() {
                let _ = write!(
                    line,
                    "; iterator age p50 {} max {}",
                    SimTime::from_micros(m.iterator_age.value_at_quantile(0.5)),
                    SimTime::from_micros(m.iterator_age.max())
                );
            }
            let _ = writeln!(s, "{line}");
        }
        s
    }
}

use crate::model::checks::EsmMeasure;

fn at_pct(h: &Histogram<u64>, p: f64) -> Option<f64> {
    (!h.is_empty()).then(|| if p >= 100.0 { h.max() } else { h.value_at_quantile(p / 100.0) } as f64)
}

impl EsmMeasure {
    /// The measured value (`None`: nothing was measured).
    pub fn value(&self, m: &EsmMetrics) -> Option<f64> {
        match self {
            EsmMeasure::MessageFates { queue, fate } => Some(m.queues[*queue].fate(*fate) as f64),
            EsmMeasure::ReceivesPerMessage { queue, percentile } => at_pct(&m.queues[*queue].receives, *percentile),
            EsmMeasure::MessageDelaySeconds { queue, percentile } => {
                at_pct(&m.queues[*queue].time_to_delete, *percentile).map(|us| us / 1e6)
            }
            EsmMeasure::QueueDepth { queue } => Some(m.queues[*queue].peak_depth as f64),
            EsmMeasure::OldestMessageAgeSeconds { queue } => Some(m.queues[*queue].max_oldest_age.as_secs_f64()),
            EsmMeasure::RecordFates { stream, fate, mappings } => Some(match mappings {
                None => m.streams[*stream].fates[*fate as usize],
                Some(ms) => ms.iter().map(|i| m.mappings[*i].record_fates[*fate as usize]).sum(),
            } as f64),
            EsmMeasure::IteratorAgeSeconds { mappings, percentile } => {
                let mut all = hist();
                for i in mappings {
                    let _ = all.add(&m.mappings[*i].iterator_age);
                }
                at_pct(&all, *percentile).map(|us| us / 1e6)
            }
            EsmMeasure::Batches { mappings, result } => {
                Some(mappings.iter().map(|i| m.mappings[*i].batches[*result as usize]).sum::<u64>() as f64)
            }
        }
    }
}
