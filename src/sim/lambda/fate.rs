//! The end of an invocation (spec sections 3 and 4): its fate, handed to whoever invoked it for a synchronous invoke,
//! else its records to the on-success / on-failure destinations and the dead-letter queue, with the size, FIFO,
//! recursion and delivery-fault failures; a Lambda destination is invoked asynchronously, a live queue, topic or bus
//! gets the record through the dispatcher.

use std::sync::Arc;

use serde_json::Value;

use super::super::Sim;
use super::{Deliver, Dispatch, Done, Inv};
use crate::aws::destinations::{self, RecordInput};
use crate::kernel::rng::{splitmix, uniform};
use crate::model::versions::DlqScope;
use crate::model::{TargetId, TargetKind, SNS_MESSAGE_LIMIT, SQS_MESSAGE_LIMIT};
use crate::trace::{Ctx, Observer, Origin, TraceEvent};
use crate::vocab::{DeliveryFailure, Fate, RecordKind};

const RECORD_OVERHEAD: usize = 600;

impl<'m, O: Observer> Sim<'m, O> {
    pub(in crate::sim) fn finish(&mut self, slot: u32, fate: Fate) {
        let model = self.model;
        let now = self.k.now();
        // The settings that decide where the event's records go: those of its last execution's version, or of the
        // version it would run now.
        let config = self.inv(slot).map(|i| if i.attempts > 0 { i.cfg } else { self.route(slot) }).unwrap_or(0);
        let inv = self.invs[slot as usize].take().expect("live slot");
        self.free.push(slot);
        self.in_flight -= 1;
        let f = inv.function;
        let fd = model.function(f);
        let cfg = fd.config(config);
        let ev = TraceEvent::Fate {
            event: inv.id,
            rid: inv.rid,
            function: f,
            fate,
            attempts: inv.attempts,
            latency: now - inv.accepted,
            config,
        };
        match self.sync_result(&inv) {
            // What a synchronous caller of a handler's function gets back: the response, or the error object.
            Some(result) => self.obs.on_event(now, &ev, &Ctx { model, seed: self.seed, content: Some(&result) }),
            None => self.emit(ev),
        }
        if let super::Caller::Call(c) = inv.caller {
            // A push source's service may read the response (an authorizer's policy, an S3 Batch result).
            self.note_call_response(c, &inv);
        }
        if inv.caller == super::Caller::Async {
            // A CodePipeline job waits for the function's result (sim/workload/jobs.rs).
            self.job_invocation_done(&inv, fate);
        }
        if inv.caller.is_sync() {
            // A synchronous invoke: the caller (or the service whose batch it carried) gets the result; Lambda sends
            // nothing to a destination (spec 1).
            self.done(Done { caller: inv.caller, event: inv.id, fate, config, refused: inv.refused });
            return;
        }
        match fate {
            Fate::InFlight | Fate::FunctionError | Fate::Throttled => {}
            Fate::Succeeded => {
                if let Some(t) = fd.async_settings(config, inv.qual).on_success {
                    self.deliver(&inv, t, RecordKind::OnSuccess, "Success", fate);
                }
            }
            _ => {
                let condition = match fate {
                    Fate::ZeroReservedConcurrency => model.settings.zero_reserved_condition.as_str(),
                    other => other.name(),
                };
                if let Some(t) = fd.async_settings(config, inv.qual).on_failure {
                    self.deliver(&inv, t, RecordKind::OnFailure, condition, fate);
                }
                // The DLQ: the version's own, or the function's (`DlqScope`, spec 4, 9.4).
                let dlq = match model.settings.dlq_scope {
                    DlqScope::Version => cfg.dlq,
                    DlqScope::Function => fd.config(self.fns[f.ix()].setup.latest).dlq,
                };
                if let Some(t) = dlq {
                    self.deliver(&inv, t, RecordKind::DeadLetter, condition, fate);
                }
            }
        }
    }

    fn deliver(&mut self, inv: &Inv, target: TargetId, kind: RecordKind, condition: &str, fate: Fate) {
        let model = self.model;
        let now = self.k.now();
        let tk = model.target(target).kind;
        let est = inv.size as usize + inv.response_size as usize + RECORD_OVERHEAD;
        let limit = match tk {
            TargetKind::Sqs { .. } => SQS_MESSAGE_LIMIT,
            TargetKind::Sns { .. } | TargetKind::EventBus => SNS_MESSAGE_LIMIT,
            TargetKind::Lambda(_) => model.settings.async_payload_limit,
            TargetKind::S3 => usize::MAX,
        };
        let is_lambda = matches!(tk, TargetKind::Lambda(_));
        let near_limit = est + 2048 > limit;
        // A live target (a queue a mapping reads, a topic or bus) gets the record as a message.
        let live = self.live_target(target);
        let need = self.needs_content || is_lambda || near_limit || live;
        let mut content = need.then(|| self.content(inv, kind, condition));
        let mut failure = None;
        if matches!(tk, TargetKind::Sqs { fifo: true } | TargetKind::Sns { fifo: true }) {
            failure = Some(DeliveryFailure::FifoNotSupported);
        } else if is_lambda && fate == Fate::RecursionStopped {
            failure = Some(DeliveryFailure::RecursionStopped);
        } else if let Some(c) = content.as_ref().filter(|_| near_limit) {
            let size = match kind {
                RecordKind::DeadLetter => destinations::json_size(c.get("body").unwrap_or(&Value::Null)) + 200,
                _ => destinations::json_size(c),
            };
            if size > limit {
                if matches!(tk, TargetKind::Sns { .. }) && kind != RecordKind::DeadLetter {
                    // SNS: the payload is dropped from the record instead of the record (spec 3.1).
                    content = content.map(|c| destinations::trim_for_sns(&c));
                } else {
                    failure = Some(DeliveryFailure::TooLarge);
                }
            }
        }
        if failure.is_none() {
            // A target that rejects deliveries for a while (`DeliveryFailure` faults): the send fails and the record
            // is lost, with the fault's reason (spec 3.1: no retry of destination delivery is documented; spec 4).
            for (i, d) in model.delivery_faults.iter().enumerate() {
                if d.target == target
                    && d.start <= now
                    && now < d.end
                    && (d.probability >= 1.0 || uniform(self.seed, self.fault_salts[i], inv.key, kind as u64) < d.probability)
                {
                    failure = Some(d.reason);
                    break;
                }
            }
        }
        let ev = TraceEvent::Delivered { event: inv.id, function: inv.function, target, kind, failure };
        let ctx = Ctx { model, seed: self.seed, content: if failure.is_none() { content.as_ref() } else { None } };
        self.obs.on_event(now, &ev, &ctx);
        if let (None, true, Some(record)) = (failure, live, content.as_ref()) {
            self.deliver_record(Deliver { target, kind, record, function: inv.function, event: inv.id, hops: inv.hops, key: inv.key });
        }
        if failure.is_none() {
            if let (TargetKind::Lambda(g), Some(c)) = (tk, content) {
                // A Lambda destination invokes the function (the version or alias its ARN names) asynchronously with
                // the record as its payload.
                let size = destinations::json_size(&c);
                self.accept(
                    g,
                    model.target(target).qualifier,
                    Arc::new(c).into(),
                    size,
                    Origin::Destination { parent: inv.id },
                    inv.hops + 1,
                    None,
                    splitmix(inv.key ^ 0xde57 ^ target.ix() as u64),
                );
            }
        }
    }

    /// The payload a synchronous invocation of a function served by a handler returns to its caller (spec 1: the
    /// response, or with `X-Amz-Function-Error` the error object), for observers that asked for documents.
    fn sync_result(&self, inv: &Inv) -> Option<Value> {
        if !self.needs_content || !inv.caller.is_sync() || inv.handled.is_none() {
            return None;
        }
        let last = inv.last?.execution(self.model, inv.handled.as_deref());
        Some(if last.outcome == crate::vocab::Outcome::Success {
            last.response.clone()
        } else {
            destinations::error_payload(self.model.settings.start_epoch_ms, self.seed, inv.rid, &last)
        })
    }

    fn content(&self, inv: &Inv, kind: RecordKind, condition: &str) -> Value {
        let model = self.model;
        let fd = model.function(inv.function);
        match kind {
            RecordKind::DeadLetter => {
                let last = inv.last.map(|l| l.execution(model, inv.handled.as_deref()));
                destinations::dlq_content(
                    model.settings.start_epoch_ms,
                    self.seed,
                    inv.rid,
                    &inv.payload,
                    inv.payload.text.as_deref(),
                    last.as_ref(),
                )
            }
            _ => destinations::invocation_record(&RecordInput {
                epoch_ms: model.settings.start_epoch_ms,
                seed: self.seed,
                rid: inv.rid,
                function_arn: &fd.qualified_arn(inv.qual),
                executed_version: &fd.config(inv.cfg).label(),
                condition,
                invoke_count: inv.attempts,
                payload: &inv.payload,
                last: inv.last.map(|l| l.execution(model, inv.handled.as_deref())),
                at: self.k.now(),
            }),
        }
    }
}
