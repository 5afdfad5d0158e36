//! The events of Amazon MQ batches (spec 5.6): a broker queue's messages as ActiveMQ's `messages` or RabbitMQ's
//! `rmqMessagesByQueue` (built by [`crate::aws::events::mq`]), and the view filters and rules see of a message (the
//! message with `data` decoded).

use serde_json::Value;

use super::Msg;
use crate::aws::events::mq::{activemq_message, mq_event, mq_view, rabbitmq_message, Engine, MqMessage};
use crate::kernel::time::SimTime;
use crate::model::{BrokerQueue, Model};

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
pub(in crate::sim::esm) fn mq_payload<'a>(model: &Model, b: &BrokerQueue, msgs: impl Iterator<Item = &'a Msg>, now: SimTime) -> Value {
    let messages = msgs.map(|m| message(model, b, m, now)).collect();
    mq_event(b.engine, &b.broker_arn, messages, &b.queue, &b.vhost)
}

/// What filters and rules see of a broker message: the message with `data` decoded (spec 5.4, 5.6).
pub(in crate::sim::esm) fn mq_message_view(model: &Model, b: &BrokerQueue, m: &Msg) -> Value {
    mq_view(message(model, b, m, m.first_receive.unwrap_or(m.sent)), &m.body)
}
