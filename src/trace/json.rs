//! The JSON form of a trace event, one line of `--trace`: the event's fields with the model's names (function, queue,
//! stream, topic and bus names, mapping UUIDs, request ids) in place of indices.

use serde_json::{json, Value};

use super::{Ctx, MsgOrigin, Origin, PubOrigin, TraceEvent};
use crate::aws::ids::request_id;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::{FnId, Model};
use crate::vocab::{FirehoseInvokeResult, InvokeMode, RecordKind, ThrottleReason};

fn mode_name(m: InvokeMode) -> &'static str {
    match m {
        InvokeMode::Async => "Event",
        InvokeMode::Sync => "RequestResponse",
    }
}

/// Where a published message came from, in a trace line.
fn pub_origin_json(o: &mut Value, m: &Model, hub: u32, origin: PubOrigin) {
    match origin {
        PubOrigin::Publisher(i) => o["publisher"] = json!(m.fanout.publishers.get(i as usize).map(|p| p.name.as_str()).unwrap_or("?")),
        PubOrigin::Record { event } => o["recordOfEvent"] = json!(event),
        PubOrigin::Schedule { rule } => o["scheduledRule"] = json!(m.fanout.hub(hub).rules[rule as usize].name),
    }
}

/// The JSON form of a trace event, as written by `--trace`.
pub fn to_json(t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    // Each family of events has its fields in a function of its own. This match names every variant, so a new one
    // must be given a family (the families' `_` arms are never reached).
    use TraceEvent as E;
    let mut v = match ev {
        E::Accepted { .. }
        | E::Rejected { .. }
        | E::AttemptStart { .. }
        | E::AttemptEnd { .. }
        | E::RetryScheduled { .. }
        | E::Throttled { .. }
        | E::Queued { .. }
        | E::Fate { .. } => invocation_json(ev, ctx),
        E::Delivered { .. }
        | E::CallResult { .. }
        | E::EnvironmentShutdown { .. }
        | E::ProvisionedReady { .. }
        | E::ConfigChange { .. } => delivery_json(ev, ctx),
        E::MessageSent { .. } | E::MessageReceived { .. } | E::MessageReturned { .. } | E::MessageFate { .. } => message_json(ev, ctx),
        E::RecordPut { .. } | E::RecordFate { .. } | E::BatchStart { .. } | E::BatchEnd { .. } => stream_json(ev, ctx),
        E::Published { .. } | E::RuleMatched { .. } | E::PublishDeduplicated { .. } | E::Fanout { .. } => fanout_json(ev, ctx),
        E::FirehoseRecordPut { .. } | E::FirehoseInvoke { .. } | E::FirehoseInvokeEnd { .. } | E::FirehoseRecordFate { .. } => {
            firehose_json(ev, ctx)
        }
        E::HandlerReply { .. } => super::handler::to_json(ev, ctx),
    };
    if let Value::Object(o) = &mut v {
        let mut out = serde_json::Map::new();
        out.insert("t".into(), json!(t.to_string()));
        out.insert("tUs".into(), json!(t.as_micros()));
        out.insert("type".into(), json!(ev.name()));
        out.extend(std::mem::take(o));
        return Value::Object(out);
    }
    v
}

/// The fields of the invocation lifecycle (see [`to_json`]).
fn invocation_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    let fname = |f: &FnId| m.function(*f).name.clone();
    let rid = |r: &u64| request_id(ctx.seed, *r);
    match ev {
        TraceEvent::Accepted { event, rid: r, function, origin, size, mode, qualifier } => {
            let mut o = json!({"event": event, "requestId": rid(r), "function": fname(function), "invocationType": mode_name(*mode), "payloadBytes": size});
            if *qualifier != Qualifier::Latest {
                o["qualifier"] = json!(m.function(*function).qualifier_name(*qualifier));
            }
            match origin {
                Origin::Workload(i) => o["source"] = json!(m.sources.get(*i as usize).map(|s| s.name.as_str()).unwrap_or("?")),
                Origin::Destination { parent } => o["fromEvent"] = json!(parent),
                Origin::Duplicate { of } => o["duplicateOf"] = json!(of),
                Origin::Mapping { mapping, batch } => {
                    o["mapping"] = json!(m.esm.mappings[*mapping as usize].uuid);
                    o["batch"] = json!(batch);
                }
                Origin::Fanout { hub, msg } => {
                    o[if m.fanout.hub(*hub).bus { "bus" } else { "topic" }] = json!(m.fanout.hub(*hub).name);
                    o["msg"] = json!(msg);
                }
                Origin::Firehose { stream, batch } => {
                    o["deliveryStream"] = json!(m.firehose.stream(*stream).name);
                    o["batch"] = json!(batch);
                }
            }
            o
        }
        TraceEvent::Rejected { function, origin, size, status, mode } => {
            let mut o = json!({"function": fname(function), "invocationType": mode_name(*mode), "payloadBytes": size, "statusCode": status, "errorType": "RequestTooLargeException"});
            if let Origin::Workload(i) = origin {
                o["source"] = json!(m.sources.get(*i as usize).map(|s| s.name.as_str()).unwrap_or("?"));
            }
            o
        }
        TraceEvent::AttemptStart { event, rid: r, function, attempt, env, cold, new_env, init, config, provisioned, spillover } => {
            let mut o = json!({
                "event": event, "requestId": rid(r), "function": fname(function), "attempt": attempt, "env": env, "cold": cold,
                "newEnvironment": new_env, "initMs": init.as_millis_f64()
            });
            // Version and provisioned-concurrency fields appear for functions that have them.
            let fd = m.function(*function);
            if fd.versioned() {
                o["version"] = json!(fd.config(*config).label());
            }
            if fd.uses_pc {
                o["provisioned"] = json!(provisioned);
                o["spillover"] = json!(spillover);
            }
            o
        }
        TraceEvent::AttemptEnd { event, rid: r, function, attempt, env, outcome, duration, billed_ms, init_billed_ms } => json!({
            "event": event, "requestId": rid(r), "function": fname(function), "attempt": attempt, "env": env,
            "outcome": outcome.name(), "durationMs": duration.as_millis_f64(), "billedMs": billed_ms, "initBilledMs": init_billed_ms
        }),
        TraceEvent::RetryScheduled { event, function, next_attempt, delay } => {
            json!({"event": event, "function": fname(function), "nextAttempt": next_attempt, "delay": delay.to_string(), "delayUs": delay.as_micros()})
        }
        TraceEvent::Throttled { event, function, reason, throttles, retry_in } => json!({
            "event": event, "function": fname(function), "reason": if *reason == ThrottleReason::ScalingRate { m.settings.scaling_throttle_reason.as_str() } else { reason.aws_name() }, "statusCode": reason.status(), "throttles": throttles,
            "retryIn": retry_in.map(|d| d.to_string()), "retryInUs": retry_in.map(|d| d.as_micros())
        }),
        TraceEvent::Queued { event, function } => json!({"event": event, "function": fname(function)}),
        TraceEvent::Fate { event, rid: r, function, fate, attempts, latency, config } => {
            let mut o = json!({
                "event": event, "requestId": rid(r), "function": fname(function), "fate": fate.name(), "attempts": attempts,
                "latency": latency.to_string(), "latencyUs": latency.as_micros()
            });
            let fd = m.function(*function);
            if fd.versioned() {
                o["version"] = json!(fd.config(*config).label());
            }
            o
        }
        _ => unreachable!("invocation_json: not an event of its family"),
    }
}

/// The fields of destination and DLQ deliveries, synchronous calls' results, environments and configuration changes (see [`to_json`]).
fn delivery_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    let fname = |f: &FnId| m.function(*f).name.clone();
    match ev {
        TraceEvent::Delivered { event, function, target, kind, failure } => {
            let tg = m.target(*target);
            let mut o = json!({"event": event, "function": fname(function), "kind": kind.name(), "target": tg.arn, "delivered": failure.is_none(), "failure": failure.map(|f| f.name())});
            if failure.is_some() {
                // The ledger: the record is lost, and why (`DestinationDeliveryFailures` / `DeadLetterErrors`).
                o["lost"] = json!(true);
                o["metric"] = json!(if *kind == RecordKind::DeadLetter { "DeadLetterErrors" } else { "DestinationDeliveryFailures" });
            }
            o
        }
        TraceEvent::CallResult { call, source, function, outcome, attempts, latency } => json!({
            "call": call, "source": m.sources.get(*source as usize).map(|s| s.name.as_str()).unwrap_or("?"), "function": fname(function),
            "outcome": outcome.name(), "statusCode": outcome.status(), "attempts": attempts, "latency": latency.to_string(), "latencyUs": latency.as_micros()
        }),
        TraceEvent::EnvironmentShutdown { function, env, reason } => {
            json!({"function": fname(function), "env": env, "reason": reason.name()})
        }
        TraceEvent::ProvisionedReady { function, env, config, init } => {
            let fd = m.function(*function);
            json!({"function": fname(function), "env": env, "version": fd.config(*config).label(), "initMs": init.as_millis_f64(), "initBilledMs": init.ceil_millis()})
        }
        TraceEvent::ConfigChange { change } => {
            let mut o = json!({"change": change});
            if let Some(c) = m.changes.get(*change as usize) {
                o["action"] = json!(c.action);
                o["index"] = json!(c.index);
                if let Some(f) = c.kind.function() {
                    o["function"] = json!(fname(&f));
                }
                // What the change sets, as the AWS call would.
                use crate::model::versions::ChangeKind as K;
                match &c.kind {
                    K::Deploy { function, published, .. } => {
                        if let Some(p) = published {
                            o["publishedVersion"] = json!(m.function(*function).config(*p).label());
                        }
                    }
                    K::Publish { function, config } => o["publishedVersion"] = json!(m.function(*function).config(*config).label()),
                    K::Reserved { value, .. } => o["reservedConcurrentExecutions"] = json!(value),
                    K::Provisioned { function, qualifier, value } => {
                        o["qualifier"] = json!(m.function(*function).qualifier_name(*qualifier));
                        o["provisionedConcurrentExecutions"] = json!(value);
                    }
                    K::Alias { function, alias, routing } => {
                        let fd = m.function(*function);
                        o["alias"] = json!(fd.qualifier_name(Qualifier::Alias(*alias)));
                        o["functionVersion"] = json!(fd.config(routing.primary).label());
                        if let Some((c, w)) = routing.additional {
                            o["additionalVersionWeights"] = json!({ fd.config(c).label(): w });
                        }
                    }
                    K::MappingEnabled { mapping, enabled } => {
                        let mp = m.esm.mapping(*mapping);
                        o["UUID"] = json!(mp.uuid);
                        o["function"] = json!(fname(&mp.function));
                        o["enabled"] = json!(enabled);
                    }
                }
            }
            o
        }
        _ => unreachable!("delivery_json: not an event of its family"),
    }
}

/// The fields of SQS messages (see [`to_json`]).
fn message_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    match ev {
        TraceEvent::MessageSent { queue, msg, origin, size, visible_in } => {
            let mut o = json!({"queue": m.esm.queue(*queue).name, "msg": msg, "bytes": size, "visibleIn": visible_in.to_string()});
            match origin {
                MsgOrigin::Producer(i) => o["producer"] = json!(m.esm.producers.get(*i as usize).map(|p| p.name.as_str()).unwrap_or("?")),
                MsgOrigin::Record { event } => o["recordOfEvent"] = json!(event),
                MsgOrigin::Redrive { queue, msg } => {
                    o["redrivenFrom"] = json!(m.esm.queues[*queue as usize].name);
                    o["fromMsg"] = json!(msg);
                }
                MsgOrigin::Fanout { hub, msg } => {
                    o[if m.fanout.hub(*hub).bus { "fromBus" } else { "fromTopic" }] = json!(m.fanout.hub(*hub).name);
                    o["fromMsg"] = json!(msg);
                }
            }
            o
        }
        TraceEvent::MessageReceived { queue, msg, mapping, receives } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "mapping": m.esm.mapping(*mapping).uuid, "receiveCount": receives
        }),
        TraceEvent::MessageReturned { queue, msg, receives } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "receiveCount": receives
        }),
        TraceEvent::MessageFate { queue, msg, fate, receives, age } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "fate": fate.name(), "receiveCount": receives, "age": age.to_string(), "ageUs": age.as_micros()
        }),
        _ => unreachable!("message_json: not an event of its family"),
    }
}

/// The fields of stream records and mapping batches (see [`to_json`]).
fn stream_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    let fname = |f: &FnId| m.function(*f).name.clone();
    match ev {
        TraceEvent::RecordPut { stream, shard, seq, size } => {
            let s = m.esm.stream(*stream);
            json!({"stream": s.name, "shardId": s.shard_id(*shard), "seq": seq, "bytes": size})
        }
        TraceEvent::RecordFate { stream, shard, seq, mapping, fate, age } => {
            let s = m.esm.stream(*stream);
            json!({"stream": s.name, "shardId": s.shard_id(*shard), "seq": seq, "mapping": mapping.map(|x| m.esm.mapping(x).uuid.clone()),
               "fate": fate.name(), "age": age.to_string(), "ageUs": age.as_micros()})
        }
        TraceEvent::BatchStart { mapping, batch, event, records, shard, attempt, iterator_age } => json!({
            "mapping": m.esm.mapping(*mapping).uuid, "function": fname(&m.esm.mapping(*mapping).function), "batch": batch, "event": event,
            "records": records, "shard": shard, "attempt": attempt, "iteratorAgeMs": iterator_age.as_millis_f64()
        }),
        TraceEvent::BatchEnd { mapping, batch, event, result, failed } => json!({
            "mapping": m.esm.mapping(*mapping).uuid, "batch": batch, "event": event, "result": result.name(), "failedRecords": failed
        }),
        _ => unreachable!("stream_json: not an event of its family"),
    }
}

/// The fields of fan-out: topics, buses and rules (see [`to_json`]).
fn fanout_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    match ev {
        TraceEvent::Published { hub, msg, origin, size, matched } => {
            let h = m.fanout.hub(*hub);
            let mut o = json!({if h.bus { "bus" } else { "topic" }: h.name, "msg": msg, "bytes": size, "matched": matched});
            pub_origin_json(&mut o, m, *hub, *origin);
            o
        }
        TraceEvent::RuleMatched { hub, rule, msg } => {
            let h = m.fanout.hub(*hub);
            json!({"bus": h.name, "msg": msg, "rule": h.rules[*rule as usize].name})
        }
        TraceEvent::PublishDeduplicated { hub, origin, size } => {
            let mut o = json!({"topic": m.fanout.hub(*hub).name, "bytes": size});
            pub_origin_json(&mut o, m, *hub, *origin);
            o
        }
        TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome, refused } => {
            let h = m.fanout.hub(*hub);
            let e = &h.endpoints[*endpoint as usize];
            let mut o = json!({if h.bus { "bus" } else { "topic" }: h.name, "msg": msg, "endpoint": e.label, "arn": e.arn, "attempts": attempts, "outcome": outcome.name()});
            if let Some(r) = refused {
                o["refused"] = json!(r.name());
            }
            o
        }
        _ => unreachable!("fanout_json: not an event of its family"),
    }
}

/// The fields of Firehose delivery streams (see [`to_json`]).
fn firehose_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    let fname = |f: &FnId| m.function(*f).name.clone();
    match ev {
        TraceEvent::FirehoseRecordPut { stream, record, size } => json!({
            "deliveryStream": m.firehose.stream(*stream).name, "record": record, "bytes": size
        }),
        TraceEvent::FirehoseInvoke { stream, batch, event, records, attempt } => {
            let ds = m.firehose.stream(*stream);
            json!({"deliveryStream": ds.name, "function": ds.lambda.map(|(f, _)| fname(&f)), "batch": batch, "event": event, "records": records, "attempt": attempt})
        }
        TraceEvent::FirehoseInvokeEnd { stream, batch, event, result, retry_in } => {
            let mut o = json!({"deliveryStream": m.firehose.stream(*stream).name, "batch": batch, "event": event, "result": result.name()});
            if *result != FirehoseInvokeResult::Ok {
                o["errorCode"] = json!(result.error_code());
            }
            if let Some(d) = retry_in {
                o["retryIn"] = json!(d.to_string());
            }
            o
        }
        TraceEvent::FirehoseRecordFate { stream, record, fate, attempts, age } => json!({
            "deliveryStream": m.firehose.stream(*stream).name, "record": record, "fate": fate.name(), "attempts": attempts,
            "age": age.to_string(), "ageUs": age.as_micros()
        }),
        _ => unreachable!("firehose_json: not an event of its family"),
    }
}
