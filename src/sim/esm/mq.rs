//! Amazon MQ mappings at run time (spec 5.5). A broker queue is a live queue served by the SQS poller's machinery
//! ([`super::sqs`]); this file holds what differs:
//!
//! - the event (`aws:mq` `messages`, `aws:rmq` `rmqMessagesByQueue`, from [`crate::aws::events::mq`]) and the view
//!   filters and rules see (the message with `data` decoded);
//! - a failed batch: the consumer returns its messages to the broker at once, and the broker redelivers them after
//!   `Simulation.MqRedeliveryDelaySeconds` with `redelivered: true`; a message whose deliveries reach the queue's
//!   limit (ActiveMQ: 1 + `maximumRedeliveries` 6, DG services-mq-errors.html; RabbitMQ: a quorum queue's
//!   `x-delivery-limit` + 1) moves to the dead-letter queue (`ActiveMQ.DLQ`, or the RabbitMQ queue's dead-letter
//!   queue) with the fate `Redriven`, the copy there being a new message, as SQS redrive is.
//!
//! The pollers are the SQS mapping's, capped at 5 concurrent batches for ActiveMQ and 1 for RabbitMQ (DG
//! with-mq.html), without scale-up beyond the cap.

use serde_json::Value;

use super::records::{Msg, MsgState};
use crate::aws::events::mq::{activemq_message, mq_event, mq_view, rabbitmq_message, Engine, MqMessage};
use crate::kernel::time::SimTime;
use crate::model::mq::BrokerQueue;
use crate::model::Model;
use crate::sim::{Ev, Sim};
use crate::trace::Observer;

use super::EsmEv;

fn epoch_ms(model: &Model, t: SimTime) -> i64 {
    model.settings.start_epoch_ms + (t.as_micros() / 1000) as i64
}

/// One message as the mapping delivers it; `out` is when Lambda took it from the broker.
fn message(model: &Model, b: &BrokerQueue, m: &Msg, out: SimTime) -> Value {
    let msg = MqMessage {
        seq: m.message_id,
        body: &m.body,
        sent_ms: epoch_ms(model, m.sent),
        out_ms: epoch_ms(model, out),
        redelivered: m.receives > 1,
        attributes: m.attrs.as_ref().map(|a| &a.event_form),
    };
    match b.engine {
        Engine::ActiveMq => activemq_message(&b.broker_id, &model.region, &b.queue, &msg),
        Engine::RabbitMq => rabbitmq_message(&msg),
    }
}

/// The event of a batch of a broker queue's messages, received at `now`.
pub(super) fn mq_payload<'a>(model: &Model, b: &BrokerQueue, msgs: impl Iterator<Item = &'a Msg>, now: SimTime) -> Value {
    let messages = msgs.map(|m| message(model, b, m, now)).collect();
    mq_event(b.engine, &b.broker_arn, messages, &b.queue, &b.vhost)
}

/// What filters and rules see of a broker message: the message with `data` decoded (spec 5.4, 5.5).
pub(super) fn mq_message_view(model: &Model, b: &BrokerQueue, m: &Msg) -> Value {
    mq_view(message(model, b, m, m.first_receive.unwrap_or(m.sent)), &m.body)
}

impl<O: Observer> Sim<'_, O> {
    /// A batch of a broker queue failed: its messages go back to the broker at once; each is redelivered after the
    /// redelivery delay, or, at the queue's delivery limit, moves to its dead-letter queue now (spec 5.5).
    pub(super) fn mq_batch_failed(&mut self, failed: &[(u32, u32)]) {
        let model = self.model;
        let at = self.k.now() + model.esm.mq_redelivery_delay;
        for &(slot, gen) in failed {
            let Some(m) = self.esm.msgs[slot as usize].as_ref() else { continue };
            if m.gen != gen || m.state != MsgState::InFlight {
                continue;
            }
            let queue = model.esm.queue(m.queue);
            if queue.broker.is_none() {
                continue;
            }
            match queue.redrive {
                Some((dlq, max)) if m.receives >= max => self.redrive(slot, dlq),
                _ => self.k.schedule_at(at, Ev::Esm(EsmEv::MsgVisible { msg: slot, gen })),
            }
        }
    }
}
