//! The trace digest: a stable, platform-independent 64-bit hash of every trace event and its time, the "same
//! scenario + seed = same run, byte for byte" check that the digest tests pin for every bundled scenario.

use std::hash::Hasher;

use super::{MsgOrigin, Origin, TraceEvent};
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::FnId;

/// A stable, platform-independent 64-bit hasher for the trace digest: every integer is fed as a `u64` value, never as
/// native-endian bytes, so the digest is the same on every platform.
///
/// Words are taken two at a time into one 64×64→128-bit multiply folded to 64 bits (as wyhash does), which halves
/// the chain of dependent multiplies per trace event.
#[derive(Debug, Clone)]
pub struct StableHasher {
    h: u64,
    pending: Option<u64>,
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher { h: 0x243f_6a88_85a3_08d3, pending: None }
    }
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

impl StableHasher {
    #[inline(always)]
    fn mix(&mut self, x: u64) {
        match self.pending.take() {
            None => self.pending = Some(x),
            Some(a) => self.h = fold_mul(a ^ self.h ^ 0xa076_1d64_78bd_642f, x ^ 0xe703_7ed1_a0b4_28db),
        }
    }

    /// The state with an odd last word mixed in with a constant.
    #[inline(always)]
    fn settle(&self) -> u64 {
        match self.pending {
            Some(a) => fold_mul(a ^ self.h ^ 0xa076_1d64_78bd_642f, 0x8ebc_6af0_9c88_c6e3),
            None => self.h,
        }
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        splitmix(self.settle())
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(b));
        }
        self.mix(bytes.len() as u64);
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.mix(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
}

/// Hashes every trace event (and its time) into one digest.
#[derive(Debug, Default, Clone)]
pub struct Digest {
    h: StableHasher,
    events: u64,
}

impl Digest {
    /// Every field of the event goes in, packed into a few words (small fields share a word), after its time and
    /// kind: cheaper than `Hash` field by field, and as complete.
    #[inline]
    pub fn add(&mut self, t: SimTime, ev: &TraceEvent) {
        // The event's words are mixed in pairs of its own (an odd last one with a constant): a hasher local to the
        // event, so the compiler knows at each word whether it is the first or second of a pair.
        let h = &mut StableHasher { h: self.h.h, pending: None };
        h.mix(t.as_micros());
        // Each family of events has its words in a function of its own, always inlined here so the compiler still
        // sees the local hasher's pairs. This match names every variant, so a new one must be given a family (the
        // families' `_` arms are never reached).
        use TraceEvent as E;
        match ev {
            E::Accepted { .. }
            | E::Rejected { .. }
            | E::AttemptStart { .. }
            | E::AttemptEnd { .. }
            | E::RetryScheduled { .. }
            | E::Throttled { .. }
            | E::Queued { .. }
            | E::Fate { .. } => invocation_words(h, ev),
            E::Delivered { .. }
            | E::CallResult { .. }
            | E::EnvironmentShutdown { .. }
            | E::ProvisionedReady { .. }
            | E::ConfigChange { .. } => delivery_words(h, ev),
            E::MessageSent { .. } | E::MessageReceived { .. } | E::MessageReturned { .. } | E::MessageFate { .. } => message_words(h, ev),
            E::RecordPut { .. } | E::RecordFate { .. } | E::BatchStart { .. } | E::BatchEnd { .. } => stream_words(h, ev),
            E::Published { .. } | E::RuleMatched { .. } | E::PublishDeduplicated { .. } | E::Fanout { .. } => fanout_words(h, ev),
            E::FirehoseRecordPut { .. } | E::FirehoseInvoke { .. } | E::FirehoseInvokeEnd { .. } | E::FirehoseRecordFate { .. } => {
                firehose_words(h, ev)
            }
            E::HandlerReply { .. } => super::handler::digest_words(h, ev),
        }
        self.h.h = h.settle();
        self.events += 1;
    }
    /// The digest so far.
    pub fn value(&self) -> u64 {
        self.h.finish()
    }
    /// The digest so far as 16 hex digits (what reports print).
    pub fn hex(&self) -> String {
        format!("{:016x}", self.value())
    }
    /// Events hashed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
}

/// The words of the invocation lifecycle (see [`Digest::add`]).
#[inline(always)]
fn invocation_words(h: &mut StableHasher, ev: &TraceEvent) {
    let opt = |x: Option<SimTime>| x.map_or(u64::MAX, |d| d.as_micros());
    let f = |x: &FnId| u64::from(x.0);
    match ev {
        TraceEvent::Accepted { event, rid, function, origin, size, mode, qualifier } => {
            h.mix(1 | f(function) << 8 | (*mode as u64) << 40);
            h.mix(*event);
            h.mix(*rid);
            h.mix(origin_word(origin) ^ u64::from(*size).rotate_left(17));
            // Only invocations of a version or alias add a word: older traces keep their digests.
            if *qualifier != Qualifier::Latest {
                h.mix(qualifier.word());
            }
        }
        TraceEvent::Rejected { function, origin, size, status, mode } => {
            h.mix(2 | f(function) << 8 | (*mode as u64) << 40 | u64::from(*status) << 44);
            h.mix(origin_word(origin) ^ u64::from(*size).rotate_left(17));
        }
        TraceEvent::AttemptStart { event, rid, function, attempt, env, cold, new_env, init, config, provisioned, spillover } => {
            h.mix(
                3 | f(function) << 8
                    | u64::from(*cold) << 40
                    | u64::from(*new_env) << 41
                    | u64::from(*provisioned) << 42
                    | u64::from(*spillover) << 43
                    | u64::from(*config) << 44,
            );
            h.mix(*event);
            h.mix(*rid);
            h.mix(u64::from(*attempt) | u64::from(*env) << 32);
            h.mix(init.as_micros());
        }
        TraceEvent::AttemptEnd { event, rid, function, attempt, env, outcome, duration, billed_ms, init_billed_ms } => {
            h.mix(4 | f(function) << 8 | (*outcome as u64) << 40);
            h.mix(*event);
            h.mix(*rid);
            h.mix(u64::from(*attempt) | u64::from(*env) << 32);
            h.mix(duration.as_micros());
            h.mix(*billed_ms);
            h.mix(*init_billed_ms);
        }
        TraceEvent::RetryScheduled { event, function, next_attempt, delay } => {
            h.mix(5 | f(function) << 8 | u64::from(*next_attempt) << 40);
            h.mix(*event);
            h.mix(delay.as_micros());
        }
        TraceEvent::Throttled { event, function, reason, throttles, retry_in } => {
            h.mix(6 | f(function) << 8 | (*reason as u64) << 40 | u64::from(*throttles) << 44);
            h.mix(*event);
            h.mix(opt(*retry_in));
        }
        TraceEvent::Queued { event, function } => {
            h.mix(7 | f(function) << 8);
            h.mix(*event);
        }
        TraceEvent::Fate { event, rid, function, fate, attempts, latency, config } => {
            h.mix(8 | f(function) << 8 | (*fate as u64) << 40 | u64::from(*attempts) << 44);
            h.mix(*event);
            h.mix(*rid ^ u64::from(*config).rotate_left(48));
            h.mix(latency.as_micros());
        }
        _ => unreachable!("invocation_words: not an event of its family"),
    }
}

/// The words of destination and DLQ deliveries, synchronous calls' results, environments and configuration changes
/// (see [`Digest::add`]).
#[inline(always)]
fn delivery_words(h: &mut StableHasher, ev: &TraceEvent) {
    let f = |x: &FnId| u64::from(x.0);
    match ev {
        TraceEvent::Delivered { event, function, target, kind, failure } => {
            let fail = failure.map_or(0, |x| x as u64 + 1);
            h.mix(9 | f(function) << 8 | (*kind as u64) << 40 | fail << 44 | u64::from(target.0) << 48);
            h.mix(*event);
        }
        TraceEvent::CallResult { call, source, function, outcome, attempts, latency } => {
            h.mix(10 | f(function) << 8 | (*outcome as u64) << 40 | u64::from(*attempts) << 44);
            h.mix(*call ^ u64::from(*source).rotate_left(48));
            h.mix(latency.as_micros());
        }
        TraceEvent::EnvironmentShutdown { function, env, reason } => {
            h.mix(11 | f(function) << 8 | (*reason as u64) << 40);
            h.mix(u64::from(*env));
        }
        TraceEvent::ProvisionedReady { function, env, config, init } => {
            h.mix(20 | f(function) << 8);
            h.mix(u64::from(*env) | u64::from(*config) << 32);
            h.mix(init.as_micros());
        }
        TraceEvent::ConfigChange { change } => h.mix(21 | u64::from(*change) << 8),
        _ => unreachable!("delivery_words: not an event of its family"),
    }
}

/// The words of SQS messages (see [`Digest::add`]).
#[inline(always)]
fn message_words(h: &mut StableHasher, ev: &TraceEvent) {
    match ev {
        TraceEvent::MessageSent { queue, msg, origin, size, visible_in } => {
            let o = match origin {
                MsgOrigin::Producer(i) => u64::from(*i),
                MsgOrigin::Record { event } => 1 << 62 | event,
                MsgOrigin::Redrive { queue, msg } => 2 << 62 | msg ^ u64::from(*queue) << 48,
                MsgOrigin::Fanout { hub, msg } => 3 << 62 | msg ^ u64::from(*hub) << 48,
            };
            h.mix(12 | u64::from(queue.0) << 8 | u64::from(*size) << 32);
            h.mix(*msg);
            h.mix(o);
            h.mix(visible_in.as_micros());
        }
        TraceEvent::MessageReceived { queue, msg, mapping, receives } => {
            h.mix(13 | u64::from(queue.0) << 8 | u64::from(mapping.0) << 32);
            h.mix(*msg ^ u64::from(*receives).rotate_left(40));
        }
        TraceEvent::MessageReturned { queue, msg, receives } => {
            h.mix(19 | u64::from(queue.0) << 8 | u64::from(*receives) << 32);
            h.mix(*msg);
        }
        TraceEvent::MessageFate { queue, msg, fate, receives, age } => {
            h.mix(14 | u64::from(queue.0) << 8 | (*fate as u64) << 32 | u64::from(*receives) << 40);
            h.mix(*msg);
            h.mix(age.as_micros());
        }
        _ => unreachable!("message_words: not an event of its family"),
    }
}

/// The words of stream records and mapping batches (see [`Digest::add`]).
#[inline(always)]
fn stream_words(h: &mut StableHasher, ev: &TraceEvent) {
    match ev {
        TraceEvent::RecordPut { stream, shard, seq, size } => {
            h.mix(15 | u64::from(stream.0) << 8 | u64::from(*shard) << 24 | u64::from(*size) << 40);
            h.mix(*seq);
        }
        TraceEvent::RecordFate { stream, shard, seq, mapping, fate, age } => {
            h.mix(
                16 | u64::from(stream.0) << 8
                    | u64::from(*shard) << 24
                    | (*fate as u64) << 40
                    | mapping.map_or(0xffff, |m| u64::from(m.0)) << 44,
            );
            h.mix(*seq);
            h.mix(age.as_micros());
        }
        TraceEvent::BatchStart { mapping, batch, event, records, shard, attempt, iterator_age } => {
            h.mix(17 | u64::from(mapping.0) << 8 | u64::from(*shard) << 32);
            h.mix(*batch);
            h.mix(*event);
            h.mix(u64::from(*records) | u64::from(*attempt) << 32);
            h.mix(iterator_age.as_micros());
        }
        TraceEvent::BatchEnd { mapping, batch, event, result, failed } => {
            h.mix(18 | u64::from(mapping.0) << 8 | (*result as u64) << 32 | u64::from(*failed) << 36);
            h.mix(*batch);
            h.mix(*event);
        }
        _ => unreachable!("stream_words: not an event of its family"),
    }
}

/// The words of fan-out: topics, buses and rules (see [`Digest::add`]).
#[inline(always)]
fn fanout_words(h: &mut StableHasher, ev: &TraceEvent) {
    match ev {
        TraceEvent::Published { hub, msg, origin, size, matched } => {
            h.mix(22 | u64::from(*hub) << 8 | u64::from(*matched) << 32);
            h.mix(*msg);
            h.mix(origin.word() ^ u64::from(*size).rotate_left(23));
        }
        TraceEvent::RuleMatched { hub, rule, msg } => {
            h.mix(24 | u64::from(*hub) << 8 | u64::from(*rule) << 32);
            h.mix(*msg);
        }
        TraceEvent::PublishDeduplicated { hub, origin, size } => {
            h.mix(25 | u64::from(*hub) << 8 | u64::from(*size) << 32);
            h.mix(origin.word());
        }
        TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome, refused } => {
            h.mix(
                23 | u64::from(*hub) << 8
                    | u64::from(*endpoint) << 24
                    | (*outcome as u64) << 40
                    | refused.map_or(0, |r| r as u64 + 1) << 44,
            );
            h.mix(*msg);
            h.mix(u64::from(*attempts));
        }
        _ => unreachable!("fanout_words: not an event of its family"),
    }
}

/// The words of Firehose delivery streams (see [`Digest::add`]).
#[inline(always)]
fn firehose_words(h: &mut StableHasher, ev: &TraceEvent) {
    let opt = |x: Option<SimTime>| x.map_or(u64::MAX, |d| d.as_micros());
    match ev {
        TraceEvent::FirehoseRecordPut { stream, record, size } => {
            h.mix(24 | u64::from(*stream) << 8 | u64::from(*size) << 32);
            h.mix(*record);
        }
        TraceEvent::FirehoseInvoke { stream, batch, event, records, attempt } => {
            h.mix(25 | u64::from(*stream) << 8 | u64::from(*attempt) << 32);
            h.mix(*batch);
            h.mix(*event ^ u64::from(*records).rotate_left(40));
        }
        TraceEvent::FirehoseInvokeEnd { stream, batch, event, result, retry_in } => {
            h.mix(26 | u64::from(*stream) << 8 | (*result as u64) << 40);
            h.mix(*batch);
            h.mix(*event);
            h.mix(opt(*retry_in));
        }
        TraceEvent::FirehoseRecordFate { stream, record, fate, attempts, age } => {
            h.mix(27 | u64::from(*stream) << 8 | (*fate as u64) << 32 | u64::from(*attempts) << 40);
            h.mix(*record);
            h.mix(age.as_micros());
        }
        _ => unreachable!("firehose_words: not an event of its family"),
    }
}

fn origin_word(o: &Origin) -> u64 {
    match o {
        Origin::Workload(i) => u64::from(*i),
        Origin::Destination { parent } => 1 << 62 | parent,
        Origin::Duplicate { of } => 2 << 62 | of,
        Origin::Mapping { mapping, batch } => 3 << 62 | batch ^ u64::from(*mapping) << 48,
        Origin::Fanout { hub, msg } => 3 << 62 | msg ^ u64::from(*hub) << 40 | 1 << 61,
        Origin::Firehose { stream, batch } => 2 << 62 | batch ^ u64::from(*stream) << 40 | 1 << 61,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_every_field() {
        let a = TraceEvent::Queued { event: 1, function: FnId(0) };
        let b = TraceEvent::Queued { event: 2, function: FnId(0) };
        let mut d1 = Digest::default();
        d1.add(SimTime::ZERO, &a);
        let mut d2 = Digest::default();
        d2.add(SimTime::ZERO, &b);
        let mut d3 = Digest::default();
        d3.add(SimTime::from_micros(1), &a);
        assert_ne!(d1.value(), d2.value());
        assert_ne!(d1.value(), d3.value());
    }
}
