//! The arrival driver. Every stream of arrivals, a [`Feed`] (workload sources, queue and stream producers, topic and
//! bus publishers, Firehose producers), has a [`SourceState`]: its count, its own random stream and the keys of its
//! events; one path draws the arrival times (`Arrivals`, with [`poisson_gap`]) and hands each arrival to the service
//! the feed belongs to through the dispatcher. Also here: the workload sources themselves (spec 2 for async ones; a
//! source with a synchronous caller, spec 1, retries as the AWS SDKs do, with its timeout).

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use super::lambda::Caller;
use super::{Ev, Sim};
use crate::aws::destinations;
use crate::aws::payload::Payload;
use crate::kernel::rng::{self, splitmix, uniform};
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::{Arrivals, FnId, Model};
use crate::trace::{Observer, Origin, TraceEvent};
use crate::vocab::{CallOutcome as CallOutcomeSpec, JitterSpec};
use crate::vocab::{Fate, ThrottleReason};

/// A synchronous caller's request, across its retries.
pub(super) struct Call {
    pub(super) id: u64,
    pub(super) source: u32,
    pub(super) function: FnId,
    pub(super) qual: Qualifier,
    pub(super) key: u64,
    pub(super) payload: Payload,
    pub(super) size: usize,
    pub(super) started: SimTime,
    pub(super) attempts: u32,
    /// The invocation the caller is waiting for.
    pub(super) current: Option<u64>,
}

/// A stream of arrivals, by the service it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Feed {
    /// A workload source (`Model::sources`): an async invoke, or a synchronous caller's request.
    Source(u32),
    /// A queue or stream producer (`model.esm.producers`).
    Producer(u32),
    /// A topic or bus publisher (`model.fanout.publishers`).
    Publisher(u32),
    /// A Firehose producer (`model.firehose.producers`).
    Firehose(u32),
}

/// The arrival state of every feed.
pub(super) struct Feeds {
    pub(super) sources: Vec<SourceState>,
    producers: Vec<SourceState>,
    publishers: Vec<SourceState>,
    firehose: Vec<SourceState>,
}

impl Feeds {
    pub(super) fn new(model: &Model, seed: u64) -> Feeds {
        let states = |prefix: &str, names: &mut dyn Iterator<Item = &str>| -> Vec<SourceState> {
            names.map(|n| SourceState::new(seed, &format!("{prefix}:{n}"))).collect()
        };
        Feeds {
            sources: states("workload", &mut model.sources.iter().map(|s| s.name.as_str())),
            producers: states("producer", &mut model.esm.producers.iter().map(|p| p.name.as_str())),
            publishers: states("publisher", &mut model.fanout.publishers.iter().map(|p| p.name.as_str())),
            firehose: states("firehose-producer", &mut model.firehose.producers.iter().map(|p| p.name.as_str())),
        }
    }

    /// Every feed, in the order their first arrivals are scheduled.
    pub(super) fn all(&self) -> impl Iterator<Item = Feed> {
        let n = |v: &Vec<SourceState>| 0..v.len() as u32;
        n(&self.sources)
            .map(Feed::Source)
            .chain(n(&self.producers).map(Feed::Producer))
            .chain(n(&self.publishers).map(Feed::Publisher))
            .chain(n(&self.firehose).map(Feed::Firehose))
    }

    fn state(&mut self, feed: Feed) -> &mut SourceState {
        match feed {
            Feed::Source(i) => &mut self.sources[i as usize],
            Feed::Producer(i) => &mut self.producers[i as usize],
            Feed::Publisher(i) => &mut self.publishers[i as usize],
            Feed::Firehose(i) => &mut self.firehose[i as usize],
        }
    }
}

/// The arrivals a feed follows.
fn arrivals(model: &Model, feed: Feed) -> &Arrivals {
    match feed {
        Feed::Source(i) => &model.sources[i as usize].arrivals,
        Feed::Producer(i) => &model.esm.producers[i as usize].arrivals,
        Feed::Publisher(i) => &model.fanout.publishers[i as usize].arrivals,
        Feed::Firehose(i) => &model.firehose.producers[i as usize].arrivals,
    }
}

/// The arrival state of a feed.
pub(super) struct SourceState {
    pub(super) n: u64,
    pub(super) rng: ChaCha8Rng,
    /// Salt of the keys of this source's events.
    pub(super) key_salt: u64,
    /// Time of the previous arrival and how many arrived at that instant (for event keys).
    pub(super) last_t: SimTime,
    pub(super) same_t: u64,
}

impl SourceState {
    pub(super) fn new(seed: u64, component: &str) -> SourceState {
        SourceState {
            n: 0,
            rng: rng::stream(seed, component, "arrivals"),
            key_salt: rng::stream_id(component, "event-key"),
            last_t: SimTime::MAX,
            same_t: 0,
        }
    }

    /// Count one arrival at `now` and return its index and its key: the source, the arrival instant and its rank at
    /// that instant. Removing other arrivals (shrinking) or turning a generated source into explicit `At` times keeps
    /// every other event's key.
    pub(super) fn arrival(&mut self, now: SimTime) -> (u64, u64) {
        let n = self.n;
        self.n += 1;
        if self.last_t == now {
            self.same_t += 1;
        } else {
            self.last_t = now;
            self.same_t = 0;
        }
        (n, splitmix(self.key_salt ^ splitmix(now.as_micros() ^ splitmix(self.same_t))))
    }

    /// Count one arrival and return its index and a key made of the index alone (topic and bus publishers).
    fn indexed(&mut self) -> (u64, u64) {
        let n = self.n;
        self.n += 1;
        (n, splitmix(self.key_salt ^ splitmix(n)))
    }
}

/// The gap to the next arrival of a Poisson process of `rate_per_s`, drawn from the source's own stream.
pub(super) fn poisson_gap(rng: &mut ChaCha8Rng, rate_per_s: f64) -> SimTime {
    let x: f64 = Exp1.sample(rng);
    SimTime::from_micros(crate::kernel::time::round_u64(x * 1e6 / rate_per_s))
}

impl<'m, O: Observer> Sim<'m, O> {
    /// Schedule the first arrival of a feed.
    pub(super) fn start_feed(&mut self, feed: Feed) {
        let state = self.feeds.state(feed);
        if let Some(t) = arrivals(self.model, feed).first(&mut |rate| poisson_gap(&mut state.rng, rate)) {
            self.k.schedule_at(t, Ev::Arrival { feed });
        }
    }

    /// A feed's arrival is due: count it (with its key) and hand it to its service, as many as arrive at once; then
    /// schedule the next one. A publisher takes a burst without spread one arrival per kernel event.
    pub(super) fn on_arrival(&mut self, feed: Feed) {
        let arrivals = arrivals(self.model, feed);
        let publisher = matches!(feed, Feed::Publisher(_));
        let at_once = if publisher { 1 } else { arrivals.at_once() };
        let now = self.k.now();
        for _ in 0..at_once {
            let state = self.feeds.state(feed);
            let (n, key) = if publisher { state.indexed() } else { state.arrival(now) };
            self.arrive(feed, n, key);
        }
        let state = self.feeds.state(feed);
        let mut gap = |rate| poisson_gap(&mut state.rng, rate);
        let next = match arrivals {
            Arrivals::Burst { at, count, spread } if publisher && *spread == SimTime::ZERO => (state.n < *count).then_some(*at),
            a => a.next(state.n, now, &mut gap),
        };
        if let Some(t) = next {
            self.k.schedule_at(t, Ev::Arrival { feed });
        }
    }

    /// Arrival `n` (with its key) of workload source `si`: an async invoke, or a synchronous caller's request.
    pub(super) fn source_arrival(&mut self, si: usize, n: u64, key: u64) {
        let src = &self.model.sources[si];
        let now = self.k.now();
        let mut payload = src.template.instantiate(n, self.next_event);
        // The bytes as the user wrote them, for a payload the function receives unwrapped; their length is the size.
        let text = if src.kind.is_none() { src.template.text_of(n, self.next_event) } else { None };
        let mut size = match &text {
            Some(t) => t.len(),
            // A wrapped payload's size is that of its event, below.
            None if src.kind.is_some() => 0,
            None => src.template.size_of(&payload),
        };
        if let Some((kind, options)) = &src.kind {
            // The service's own event shape around the payload (spec section 7, src/sources.rs).
            let ctx = crate::aws::events::EventCtx {
                region: &self.model.region,
                account_id: &self.model.account_id,
                epoch_ms: self.model.settings.start_epoch_ms + (now.as_micros() / 1000) as i64,
                key: splitmix(self.feeds.sources[si].key_salt ^ splitmix(now.as_micros() ^ 0x5eed)),
                n,
                options,
                payload: &payload,
            };
            let ev = crate::aws::events::build_event(*kind, &ctx);
            size = destinations::json_size(&ev);
            payload = Arc::new(ev);
        }
        if src.sync {
            let id = self.next_call;
            self.next_call += 1;
            let call = Call {
                id,
                source: si as u32,
                function: src.function,
                qual: src.qualifier,
                key,
                payload: Payload { value: payload, text },
                size,
                started: now,
                attempts: 0,
                current: None,
            };
            let c = match self.free_calls.pop() {
                Some(c) => {
                    self.calls[c as usize] = Some(call);
                    c
                }
                None => {
                    self.calls.push(Some(call));
                    (self.calls.len() - 1) as u32
                }
            };
            self.call_attempt(c);
        } else {
            self.accept(src.function, src.qualifier, Payload { value: payload, text }, size, Origin::Workload(si as u32), 0, None, key);
        }
    }

    /// One attempt of a synchronous caller's request.
    pub(super) fn call_attempt(&mut self, c: u32) {
        let (function, qual, payload, size, source, key, attempt) = {
            let call = self.calls[c as usize].as_mut().expect("live call");
            call.attempts += 1;
            (call.function, call.qual, call.payload.clone(), call.size, call.source, call.key, call.attempts)
        };
        let key = if attempt == 1 { key } else { splitmix(key ^ splitmix(0xca11 + u64::from(attempt))) };
        if let Some(t) = self.model.sources[source as usize].caller.timeout {
            self.k.schedule_in(t, Ev::CallTimeout { call: c, attempt });
        }
        self.invoke_sync(function, qual, payload, size, Origin::Workload(source), key, Caller::Call(c));
    }

    /// The invocation that attempt of call `c` waits for has its fate: tell the caller, if it still waits for it.
    pub(super) fn call_done(&mut self, c: u32, event: u64, fate: Fate, refused: Option<ThrottleReason>) {
        if self.calls.get(c as usize).and_then(|x| x.as_ref()).is_some_and(|x| x.current == Some(event)) {
            let outcome = match fate {
                Fate::Succeeded => CallOutcomeSpec::Ok,
                Fate::Throttled if refused == Some(ThrottleReason::ServiceError) => CallOutcomeSpec::ServiceError,
                Fate::Throttled => CallOutcomeSpec::Throttled,
                _ => CallOutcomeSpec::FunctionError,
            };
            self.call_attempt_done(c, outcome);
        }
    }

    /// An attempt of a call is over for the caller: retry it, or report what the caller got.
    pub(super) fn call_attempt_done(&mut self, c: u32, outcome: CallOutcomeSpec) {
        let now = self.k.now();
        let (source, attempts, key) = {
            let call = self.calls[c as usize].as_mut().expect("live call");
            call.current = None;
            (call.source, call.attempts, call.key)
        };
        let caller = &self.model.sources[source as usize].caller;
        if caller.retry_on[outcome as usize] && attempts < caller.max_attempts {
            // Exponential back-off from the base delay, capped, with the caller's jitter (as the AWS SDKs do).
            let cap = caller.base_delay.as_micros().saturating_mul(1u64 << (attempts - 1).min(40)).min(caller.max_delay.as_micros()) as f64;
            let u = uniform(self.seed, 0xca11e4, key, u64::from(attempts));
            let d = match caller.jitter {
                JitterSpec::Full => cap * u,
                JitterSpec::Equal => cap / 2.0 + cap / 2.0 * u,
                JitterSpec::None => cap,
            };
            self.k.schedule_in(SimTime::from_micros(d as u64), Ev::CallRetry { call: c });
            return;
        }
        let call = self.calls[c as usize].take().expect("live call");
        self.free_calls.push(c);
        self.emit(TraceEvent::CallResult {
            call: call.id,
            source: call.source,
            function: call.function,
            outcome,
            attempts: call.attempts,
            latency: now - call.started,
        });
    }

    /// A synchronous caller stops waiting for attempt `attempt` of call `call` (if it still waits for it): the
    /// function keeps running and is billed.
    pub(super) fn on_call_timeout(&mut self, call: u32, attempt: u32) {
        if self.calls.get(call as usize).and_then(|c| c.as_ref()).is_some_and(|c| c.attempts == attempt && c.current.is_some()) {
            self.calls[call as usize].as_mut().expect("live call").current = None;
            self.call_attempt_done(call, CallOutcomeSpec::TimedOut);
        }
    }
}
