//! Expectation measures on queues, streams and event source mappings (spec section 5), compiled from `MeasureSpec`.

use crate::model::Model;
use crate::vocab::{BatchResult, MessageFate, RecordFate};

/// Expectation measures on queues, streams and mappings (compiled from `MeasureSpec`).
#[derive(Debug, Clone)]
pub enum EsmMeasure {
    /// `MessageFates`: messages of a queue that ended in `fate`.
    MessageFates {
        /// Index in `Model::esm.queues`.
        queue: usize,
        /// The message fate counted.
        fate: MessageFate,
    },
    /// `ReceivesPerMessage`: receive count of the queue's messages at their fate, at a percentile.
    ReceivesPerMessage {
        /// Index in `Model::esm.queues`.
        queue: usize,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// `MessageDelaySeconds`: send to deletion after processing, at a percentile.
    MessageDelaySeconds {
        /// Index in `Model::esm.queues`.
        queue: usize,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// `QueueDepth`: the most messages the queue held at once.
    QueueDepth {
        /// Index in `Model::esm.queues`.
        queue: usize,
    },
    /// `OldestMessageAgeSeconds`: the greatest age the queue's oldest message reached.
    OldestMessageAgeSeconds {
        /// Index in `Model::esm.queues`.
        queue: usize,
    },
    /// `RecordFates`: stream records that ended in `fate`.
    RecordFates {
        /// Index in `Model::esm.streams`.
        stream: usize,
        /// The record fate counted.
        fate: RecordFate,
        /// Only these mappings (indices in `Model::esm.mappings`; `None`: every mapping of the stream).
        mappings: Option<Vec<usize>>,
    },
    /// `IteratorAgeSeconds`: `IteratorAge` of the mappings' batches, at a percentile.
    IteratorAgeSeconds {
        /// The mappings selected (indices in `Model::esm.mappings`).
        mappings: Vec<usize>,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// `Batches`: mapping batches that ended with `result`.
    Batches {
        /// The mappings selected (indices in `Model::esm.mappings`).
        mappings: Vec<usize>,
        /// The batch result counted.
        result: BatchResult,
    },
}

/// Compile a queue/stream/mapping measure; `None` if `spec` is not one of them. Errors name the JSON path.
pub(super) fn compile(
    spec: &crate::scenario::MeasureSpec,
    path: &str,
    model: &Model,
    function: &dyn Fn(&str, &str) -> Result<crate::model::FnId, crate::model::error::ScenarioError>,
) -> Option<Result<(EsmMeasure, String), crate::model::error::ScenarioError>> {
    use crate::model::error::ScenarioError;
    use crate::scenario::MeasureSpec as S;
    let esm = &model.esm;
    let queue = |q: &str, sub: &str| -> Result<usize, ScenarioError> {
        esm.queue_by_name(q).map(|x| x.ix()).ok_or_else(|| {
            let known: Vec<&str> = esm.queues.iter().map(|x| x.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Queue"),
                format!("{:?} names no queue of this scenario; {}", crate::vocab::shorten(q, 200), crate::vocab::did_you_mean(q, &known)),
            )
        })
    };
    let pct = |p: f64, sub: &str| -> Result<f64, ScenarioError> {
        if (0.0..=100.0).contains(&p) {
            Ok(p)
        } else {
            Err(ScenarioError::new(format!("{path}.Expect.{sub}.Percentile"), format!("{p} is out of range; allowed 0 to 100")))
        }
    };
    let mappings = |f: &Option<String>, src: &Option<String>, sub: &str| -> Result<Vec<usize>, ScenarioError> {
        let fid = match f {
            None => None,
            Some(f) => Some(function(f, &format!("{sub}.Function"))?),
        };
        let source = match src {
            None => None,
            Some(s) => Some(match (esm.queue_by_name(s), esm.stream_by_name(s)) {
                (Some(q), _) => crate::model::EsmSource::Queue(q),
                (None, Some(st)) => crate::model::EsmSource::Stream(st),
                _ => {
                    return Err(ScenarioError::new(
                        format!("{path}.Expect.{sub}.Source"),
                        format!("{s:?} names no queue or stream of this scenario"),
                    ))
                }
            }),
        };
        let out: Vec<usize> = esm
            .mappings
            .iter()
            .enumerate()
            .filter(|(_, m)| fid.is_none_or(|x| m.function == x) && source.is_none_or(|s| m.source == s))
            .map(|(i, _)| i)
            .collect();
        if out.is_empty() {
            return Err(ScenarioError::new(format!("{path}.Expect.{sub}"), "selects no event source mapping of this scenario"));
        }
        Ok(out)
    };
    let r = (|| -> Result<(EsmMeasure, String), ScenarioError> {
        Ok(match spec {
            S::MessageFates { queue: q, fate } => {
                let qi = queue(q, "MessageFates")?;
                let f = MessageFate::parse(fate).ok_or_else(|| {
                    let all: Vec<&str> = MessageFate::ALL.iter().map(|x| x.name()).collect();
                    ScenarioError::new(
                        format!("{path}.Expect.MessageFates.Fate"),
                        format!("{fate:?} is not a message fate; allowed: {}", all.join(", ")),
                    )
                })?;
                (EsmMeasure::MessageFates { queue: qi, fate: f }, format!("messages of queue {q} with fate {fate}"))
            }
            S::ReceivesPerMessage { queue: q, percentile } => (
                EsmMeasure::ReceivesPerMessage {
                    queue: queue(q, "ReceivesPerMessage")?,
                    percentile: pct(*percentile, "ReceivesPerMessage")?,
                },
                format!("p{percentile} receives per message of queue {q}"),
            ),
            S::MessageDelaySeconds { queue: q, percentile } => (
                EsmMeasure::MessageDelaySeconds {
                    queue: queue(q, "MessageDelaySeconds")?,
                    percentile: pct(*percentile, "MessageDelaySeconds")?,
                },
                format!("p{percentile} seconds from send to deletion in queue {q}"),
            ),
            S::QueueDepth { queue: q } => (EsmMeasure::QueueDepth { queue: queue(q, "QueueDepth")? }, format!("peak depth of queue {q}")),
            S::OldestMessageAgeSeconds { queue: q } => (
                EsmMeasure::OldestMessageAgeSeconds { queue: queue(q, "OldestMessageAgeSeconds")? },
                format!("greatest age (s) of the oldest message of queue {q}"),
            ),
            S::RecordFates { stream, fate, function: f } => {
                let si = esm.stream_by_name(stream).ok_or_else(|| {
                    ScenarioError::new(
                        format!("{path}.Expect.RecordFates.Stream"),
                        format!("{stream:?} names no Kinesis stream or table of this scenario"),
                    )
                })?;
                let fa = RecordFate::parse(fate).ok_or_else(|| {
                    let all: Vec<&str> = RecordFate::ALL.iter().map(|x| x.name()).collect();
                    ScenarioError::new(
                        format!("{path}.Expect.RecordFates.Fate"),
                        format!("{fate:?} is not a record fate; allowed: {}", all.join(", ")),
                    )
                })?;
                let ms = match f {
                    None => None,
                    Some(_) => Some(mappings(f, &Some(stream.clone()), "RecordFates")?),
                };
                (
                    EsmMeasure::RecordFates { stream: si.ix(), fate: fa, mappings: ms },
                    format!("records of stream {stream} with fate {fate}"),
                )
            }
            S::IteratorAgeSeconds { function: f, source, percentile } => (
                EsmMeasure::IteratorAgeSeconds {
                    mappings: mappings(f, source, "IteratorAgeSeconds")?,
                    percentile: pct(*percentile, "IteratorAgeSeconds")?,
                },
                format!("p{percentile} iterator age (s)"),
            ),
            S::Batches { function: f, source, result } => {
                let r = BatchResult::parse(result).ok_or_else(|| {
                    ScenarioError::new(
                        format!("{path}.Expect.Batches.Result"),
                        format!("{result:?} is not allowed; allowed: Success, Partial, Failed, Throttled"),
                    )
                })?;
                (
                    EsmMeasure::Batches { mappings: mappings(f, source, "Batches")?, result: r },
                    format!("mapping batches with result {result}"),
                )
            }
            _ => return Err(ScenarioError::new("", "")),
        })
    })();
    match r {
        Err(e) if e.path.is_empty() => None,
        other => Some(other),
    }
}
