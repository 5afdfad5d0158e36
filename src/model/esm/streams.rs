//! A Kinesis or DynamoDB stream mapping's own settings (spec 5.3), which Kafka mappings share (retries, record age,
//! bisection, on-failure destination).

use super::super::{TargetId, TargetKind, V};
use super::{Common, Esm, EventSourceMappingSpec, Mapping, StartingPosition, StreamId};
use crate::kernel::time::SimTime;

/// A Kinesis or DynamoDB stream mapping's own settings (spec 5.3).
pub(super) fn stream_mapping(
    v: &mut V,
    esm: &mut Esm,
    m: &EventSourceMappingSpec,
    p: &str,
    s: StreamId,
    c: Common,
    targets: &[super::super::Target],
) -> Option<(String, Mapping)> {
    let stream = esm.stream(s).clone();
    if m.scaling_config.is_some() {
        v.err(format!("{p}.ScalingConfig"), "is for SQS mappings only");
    }
    let batch_size = v.int(m.batch_size, &format!("{p}.BatchSize"), 1, 10_000, 100) as u32;
    let starting = match m.starting_position.as_deref() {
        None => {
            let allowed = if stream.is_dynamodb() { "TRIM_HORIZON or LATEST" } else { "TRIM_HORIZON, LATEST or AT_TIMESTAMP" };
            v.err(format!("{p}.StartingPosition"), format!("is required for stream mappings: {allowed}"));
            StartingPosition::TrimHorizon
        }
        Some("TRIM_HORIZON") => StartingPosition::TrimHorizon,
        Some("LATEST") => StartingPosition::Latest,
        Some("AT_TIMESTAMP") if !stream.is_dynamodb() => match m.starting_position_timestamp {
            Some(t) => StartingPosition::AtTimestamp(v.secs(t, &format!("{p}.StartingPositionTimestamp"))),
            None => {
                v.err(format!("{p}.StartingPositionTimestamp"), "is required with AT_TIMESTAMP (seconds of simulated time)");
                StartingPosition::TrimHorizon
            }
        },
        Some(other) => {
            let allowed = if stream.is_dynamodb() { "TRIM_HORIZON, LATEST" } else { "TRIM_HORIZON, LATEST, AT_TIMESTAMP" };
            v.err(format!("{p}.StartingPosition"), format!("{other:?} is not allowed for this stream; allowed: {allowed}"));
            StartingPosition::TrimHorizon
        }
    };
    if m.starting_position_timestamp.is_some() && m.starting_position.as_deref() != Some("AT_TIMESTAMP") {
        v.err(format!("{p}.StartingPositionTimestamp"), "is only allowed with StartingPosition AT_TIMESTAMP");
    }
    let parallelization = v.int(m.parallelization_factor, &format!("{p}.ParallelizationFactor"), 1, 10, 1) as u32;
    let max_retries = match m.maximum_retry_attempts {
        None | Some(-1) => None,
        Some(x) if (0..=10_000).contains(&x) => Some(x as u32),
        Some(x) => {
            v.err(format!("{p}.MaximumRetryAttempts"), format!("{x} is out of range; allowed -1 (infinite) or 0 to 10000"));
            None
        }
    };
    let max_record_age = match m.maximum_record_age_in_seconds {
        None | Some(-1) => None,
        Some(x) if (0..60).contains(&x) => {
            v.err(
                format!("{p}.MaximumRecordAgeInSeconds"),
                format!("{x} is not allowed; allowed -1 (infinite) or 60 to 604800 (0 to 59 are rejected, spec 5.3)"),
            );
            None
        }
        Some(x) if (60..=604_800).contains(&x) => Some(SimTime::from_secs(x as u64)),
        Some(x) => {
            v.err(format!("{p}.MaximumRecordAgeInSeconds"), format!("{x} is out of range; allowed -1 (infinite) or 60 to 604800"));
            None
        }
    };
    let tumbling = match m.tumbling_window_in_seconds {
        None | Some(0) => None,
        Some(x) => Some(SimTime::from_secs(v.int(Some(x), &format!("{p}.TumblingWindowInSeconds"), 0, 900, 0) as u64)),
    };
    let on_failure =
        m.destination_config.as_ref().and_then(|d| d.on_failure.as_ref()).and_then(|d| d.destination.as_deref()).and_then(|d| {
            let path = format!("{p}.DestinationConfig.OnFailure.Destination");
            match targets.iter().position(|t| t.arn == d) {
                None => {
                    v.err(path, format!("{d:?} names no queue, topic or bucket of this scenario"));
                    None
                }
                Some(t) => match targets[t].kind {
                    TargetKind::Sqs { .. } | TargetKind::Sns { .. } | TargetKind::S3 => Some(TargetId(t as u32)),
                    _ => {
                        v.err(path, "a stream mapping's on-failure destination is an SQS queue, an SNS topic or an S3 bucket (spec 3.3)");
                        None
                    }
                },
            }
        });
    Some((
        format!("{}<-{}", c.label_fn, stream.name),
        Mapping {
            starting,
            parallelization,
            max_retries,
            max_record_age,
            bisect: m.bisect_batch_on_function_error.unwrap_or(false),
            on_failure,
            tumbling,
            ..c.mapping(batch_size)
        },
    ))
}
