//! Expectation measures on Firehose delivery streams with a Lambda transformation, compiled from `MeasureSpec`.

use crate::model::error::ScenarioError;
use crate::model::Model;
use crate::vocab::{FirehoseFate, FirehoseInvokeResult};

/// Expectation measures on delivery streams (compiled from `MeasureSpec`).
#[derive(Debug, Clone)]
pub enum FirehoseMeasure {
    /// `FirehoseRecords`: records that ended in `fate`.
    Records {
        /// Index in `Model::firehose.streams` (`None`: every delivery stream).
        stream: Option<u32>,
        /// The record fate counted.
        fate: FirehoseFate,
    },
    /// `FirehoseInvocations`: invocations of the transformation function (retries count).
    Invocations {
        /// Index in `Model::firehose.streams` (`None`: every delivery stream).
        stream: Option<u32>,
        /// Only invocations with this result (`None`: all).
        result: Option<FirehoseInvokeResult>,
    },
}

/// Compile a delivery-stream measure; `None` if `spec` is not one. Errors name the JSON path.
pub(super) fn compile(
    spec: &crate::scenario::MeasureSpec,
    path: &str,
    model: &Model,
) -> Option<Result<(FirehoseMeasure, String), ScenarioError>> {
    use crate::scenario::MeasureSpec as S;
    let stream = |s: &Option<String>, sub: &str| -> Result<Option<u32>, ScenarioError> {
        match s {
            None => Ok(None),
            Some(n) => model.firehose.by_name(n).map(Some).ok_or_else(|| {
                let known: Vec<&str> = model.firehose.streams.iter().map(|x| x.name.as_str()).collect();
                ScenarioError::new(
                    format!("{path}.Expect.{sub}.DeliveryStream"),
                    format!(
                        "{:?} names no delivery stream of this scenario; {}",
                        crate::vocab::shorten(n, 200),
                        crate::vocab::did_you_mean(n, &known)
                    ),
                )
            }),
        }
    };
    let label = |s: &Option<String>| s.as_ref().map(|n| format!(" of delivery stream {n}")).unwrap_or_default();
    Some(match spec {
        S::FirehoseRecords { delivery_stream, fate } => (|| {
            let st = stream(delivery_stream, "FirehoseRecords")?;
            let f = FirehoseFate::parse(fate).ok_or_else(|| {
                let all: Vec<&str> = FirehoseFate::ALL.iter().map(|x| x.name()).collect();
                ScenarioError::new(
                    format!("{path}.Expect.FirehoseRecords.Fate"),
                    format!("{fate:?} is not a Firehose record fate; allowed: {}", all.join(", ")),
                )
            })?;
            Ok((FirehoseMeasure::Records { stream: st, fate: f }, format!("Firehose records{} with fate {fate}", label(delivery_stream))))
        })(),
        S::FirehoseInvocations { delivery_stream, result } => (|| {
            let st = stream(delivery_stream, "FirehoseInvocations")?;
            let r = match result {
                None => None,
                Some(r) => Some(FirehoseInvokeResult::parse(r).ok_or_else(|| {
                    let all: Vec<&str> = FirehoseInvokeResult::ALL.iter().map(|x| x.name()).collect();
                    ScenarioError::new(
                        format!("{path}.Expect.FirehoseInvocations.Result"),
                        format!("{r:?} is not an invocation result; allowed: {}", all.join(", ")),
                    )
                })?),
            };
            Ok((
                FirehoseMeasure::Invocations { stream: st, result: r },
                format!(
                    "Firehose transformation invocations{}{}",
                    label(delivery_stream),
                    result.as_ref().map(|r| format!(" with result {r}")).unwrap_or_default()
                ),
            ))
        })(),
        _ => return None,
    })
}
