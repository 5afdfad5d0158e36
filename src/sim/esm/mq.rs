//! Amazon MQ mappings at run time (spec 5.6). A broker queue is a live queue served by the SQS poller's machinery
//! ([`super::sqs`]); the broker's event and the view rules see are in [`super::records`] (`records/mq.rs`). This
//! file holds what differs in the result of a batch: a failed batch's messages go back to the broker at once, and
//! the broker redelivers them after `Simulation.MqRedeliveryDelaySeconds` with `redelivered: true`; a message whose
//! deliveries reach the queue's limit (ActiveMQ: 1 + `maximumRedeliveries` 6, DG services-mq-errors.html; RabbitMQ:
//! a quorum queue's `x-delivery-limit` + 1) moves to the dead-letter queue (`ActiveMQ.DLQ`, or the RabbitMQ
//! queue's dead-letter queue) with the fate `Redriven`, the copy there being a new message, as SQS redrive is.
//!
//! The pollers are the SQS mapping's, capped at 5 concurrent batches for ActiveMQ and 1 for RabbitMQ (DG
//! with-mq.html), without scale-up beyond the cap.

use super::records::MsgState;
use super::EsmEv;
use crate::sim::{Ev, Sim};
use crate::trace::Observer;

impl<O: Observer> Sim<'_, O> {
    /// A batch of a broker queue failed: its messages go back to the broker at once; each is redelivered after the
    /// redelivery delay, or, at the queue's delivery limit, moves to its dead-letter queue now (spec 5.6).
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
