//! Schemas of the closed word sets of the scenario format, for `#[schemars(schema_with = ...)]`: the fates, outcomes,
//! record kinds and results that expectations name come from `crate::vocab` (`ALL`, so the schema cannot drift from
//! what the model parses), the rest are AWS's own closed sets as the model checks them (spec sections 3, 5 and 7;
//! `AWS::Lambda::Function.Architectures`, `AWS::Lambda::EventSourceMapping.StartingPosition` and
//! `.FunctionResponseTypes`, `AWS::DynamoDB::Table.StreamSpecification`, `AWS::SNS::Subscription.Protocol`, ...).
//! Each function gives the schema of one field; the field's doc comment still becomes its description.

use schemars::{json_schema, Schema, SchemaGenerator};

use crate::vocab::{
    BatchResult, DeliveryFailure, FanoutOutcome, Fate, FirehoseFate, FirehoseInvokeResult, MessageFate, RecordFate, RecordKind,
};

fn one_of(names: &[&str]) -> Schema {
    json_schema!({ "type": "string", "enum": names })
}

/// An event's fate (`Fate`: `Succeeded`, `RetriesExhausted`, ...).
pub(crate) fn event_fate(_: &mut SchemaGenerator) -> Schema {
    one_of(&Fate::ALL.map(Fate::name))
}
/// A delivered record's kind (`OnSuccess`, `OnFailure`, `DeadLetter`).
pub(crate) fn record_kind(_: &mut SchemaGenerator) -> Schema {
    one_of(&RecordKind::ALL.map(RecordKind::name))
}
/// Why a destination or DLQ delivery failed.
pub(crate) fn delivery_failure(_: &mut SchemaGenerator) -> Schema {
    one_of(&DeliveryFailure::ALL.map(DeliveryFailure::name))
}
/// A queue message's fate.
pub(crate) fn message_fate(_: &mut SchemaGenerator) -> Schema {
    one_of(&MessageFate::ALL.map(MessageFate::name))
}
/// A stream record's fate.
pub(crate) fn record_fate(_: &mut SchemaGenerator) -> Schema {
    one_of(&RecordFate::ALL.map(RecordFate::name))
}
/// How a mapping batch ended.
pub(crate) fn batch_result(_: &mut SchemaGenerator) -> Schema {
    one_of(&BatchResult::ALL.map(BatchResult::name))
}
/// How a subscription or rule-target delivery ended.
pub(crate) fn fanout_outcome(_: &mut SchemaGenerator) -> Schema {
    one_of(&FanoutOutcome::ALL.map(FanoutOutcome::name))
}
/// A Firehose record's fate.
pub(crate) fn firehose_fate(_: &mut SchemaGenerator) -> Schema {
    one_of(&FirehoseFate::ALL.map(FirehoseFate::name))
}
/// What Firehose made of an invocation of its transformation function.
pub(crate) fn firehose_invoke_result(_: &mut SchemaGenerator) -> Schema {
    one_of(&FirehoseInvokeResult::ALL.map(FirehoseInvokeResult::name))
}

/// `Architectures`: exactly one of `x86_64`, `arm64`.
pub(crate) fn architectures(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "string", "enum": ["x86_64", "arm64"] }, "minItems": 1, "maxItems": 1 })
}
/// `FunctionResponseTypes`: only `ReportBatchItemFailures`.
pub(crate) fn function_response_types(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "string", "enum": ["ReportBatchItemFailures"] } })
}
/// A stream mapping's `MaximumRecordAgeInSeconds`: -1 (infinite) or 60 to 604800 (spec 5.3).
pub(crate) fn max_record_age(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "anyOf": [{ "const": -1 }, { "minimum": 60, "maximum": 604800 }] })
}
/// `AcrossSeeds.Statistic`: `Mean` or `P<q>` with 0 < q < 100 (`P95`, `P99.9`).
pub(crate) fn statistic(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "pattern": "^(Mean|P(0*[1-9][0-9]?(\\.[0-9]+)?|0*\\.[0-9]*[1-9][0-9]*))$" })
}

/// For an externally tagged enum (`{"Fates": {...}}`): gives each variant's key the variant's description too, so that
/// an editor shows it where the key is written.
pub(crate) fn describe_variant_keys(schema: &mut Schema) {
    let Some(members) = schema.get_mut("oneOf").and_then(|v| v.as_array_mut()) else { return };
    for m in members {
        let Some(desc) = m.get("description").cloned() else { continue };
        let Some(props) = m.get_mut("properties").and_then(|p| p.as_object_mut()) else { continue };
        if props.len() != 1 {
            continue;
        }
        for p in props.values_mut().filter_map(|p| p.as_object_mut()) {
            p.entry("description").or_insert(desc.clone());
        }
    }
}
