//! The arrival driver. Every stream of arrivals, a [`Feed`] (workload sources, queue and stream producers, topic and
//! bus publishers, Firehose producers), has a [`SourceState`]: its count, its own random stream and the keys of its
//! events; one path draws the arrival times (`Arrivals`, with [`poisson_gap`]) and hands each arrival to the service
//! the feed belongs to through the dispatcher. Also here: the workload sources themselves (spec 2 for async ones; a
//! source with a synchronous caller, spec 1, retries as the AWS SDKs do, with its timeout).

use std::collections::BTreeMap;
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use serde_json::Value;

use super::lambda::Caller;
use super::{Ev, Sim};
use crate::aws::destinations;
use crate::aws::events::{self, EventCtx, SourceKind, ROTATION_STEPS};
use crate::aws::payload::Payload;
use crate::kernel::rng::{self, splitmix, uniform};
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::{Arrivals, FnId, Model, RESPONSE_LIMIT};
use crate::trace::{Observer, Origin, TraceEvent};
use crate::vocab::{CallOutcome as CallOutcomeSpec, JitterSpec};
use crate::vocab::{Fate, ThrottleReason};

mod jobs;
mod websocket;
pub(super) use jobs::Jobs;

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
    /// The event's index within its source (to build the next request of a chain).
    pub(super) n: u64,
    /// What the calling service does after this request (push sources with more than one invocation).
    pub(super) chain: Chain,
    /// The response of the latest successful attempt, kept for a chain that reads it.
    pub(super) response: Option<Value>,
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
    /// API Gateway's authorizer cache, one per authorizer: (authorizer function, identity) -> (expiry, the policy
    /// when it allowed, `None` when it denied).
    authorizer_cache: BTreeMap<(u32, String), (SimTime, Option<Value>)>,
    /// CodePipeline actions waiting for their jobs' results.
    jobs: Jobs,
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
            authorizer_cache: BTreeMap::new(),
            jobs: Jobs::default(),
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
        // The payload before a service wraps it, for a synchronous chain that reads it (no clone for async sources).
        let raw = src.sync.then(|| Arc::clone(&payload));
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
            let chain = match raw {
                Some(raw) => self.chain_of(si, &payload, raw, now),
                None => None,
            };
            let (function, qual) = (src.function, src.qualifier);
            match chain {
                // API Gateway answers from its authorizer cache (or with 401 for a missing identity): the authorizer
                // is not invoked.
                Some(Chain::Cached { allowed: Some((request, result)) }) => {
                    self.backend_call(si, n, key, &request, &result);
                }
                Some(Chain::Cached { allowed: None }) => {}
                chain => {
                    let chain = chain.unwrap_or(Chain::None);
                    self.start_call(si, function, qual, key, Payload { value: payload, text }, size, n, chain);
                }
            }
        } else if matches!(src.kind, Some((SourceKind::CodePipeline, _))) {
            self.start_job(si, n, key, Payload { value: payload, text }, size);
        } else {
            self.accept(src.function, src.qualifier, Payload { value: payload, text }, size, Origin::Workload(si as u32), 0, None, key);
        }
    }

    /// A synchronous caller's new request to `function`: its first attempt starts now.
    #[allow(clippy::too_many_arguments)]
    fn start_call(&mut self, si: usize, function: FnId, qual: Qualifier, key: u64, payload: Payload, size: usize, n: u64, chain: Chain) {
        let c = self.new_call(si, function, qual, key, payload, size, n, chain);
        self.call_attempt(c);
    }

    /// A synchronous caller's new request, its first attempt not started: its slot in `calls`.
    #[allow(clippy::too_many_arguments)]
    fn new_call(
        &mut self,
        si: usize,
        function: FnId,
        qual: Qualifier,
        key: u64,
        payload: Payload,
        size: usize,
        n: u64,
        chain: Chain,
    ) -> u32 {
        let id = self.next_call;
        self.next_call += 1;
        let call = Call {
            id,
            source: si as u32,
            function,
            qual,
            key,
            payload,
            size,
            started: self.k.now(),
            attempts: 0,
            current: None,
            n,
            chain,
            response: None,
        };
        match self.free_calls.pop() {
            Some(c) => {
                self.calls[c as usize] = Some(call);
                c
            }
            None => {
                self.calls.push(Some(call));
                (self.calls.len() - 1) as u32
            }
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
        self.calls[c as usize].as_mut().expect("live call").response = None;
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
        if outcome == CallOutcomeSpec::Ok {
            if let Some(delay) = self.s3_batch_retry(c) {
                self.k.schedule_in(delay, Ev::CallRetry { call: c });
                return;
            }
        }
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
        self.chain_next(call, outcome);
    }

    /// A synchronous caller stops waiting for attempt `attempt` of call `call` (if it still waits for it): the
    /// function keeps running and is billed.
    pub(super) fn on_call_timeout(&mut self, call: u32, attempt: u32) {
        if call == jobs::JOB_TIMER {
            return self.job_timeout(attempt);
        }
        if self.calls.get(call as usize).and_then(|c| c.as_ref()).is_some_and(|c| c.attempts == attempt && c.current.is_some()) {
            self.calls[call as usize].as_mut().expect("live call").current = None;
            self.call_attempt_done(call, CallOutcomeSpec::TimedOut);
        }
    }
}

/// The salt of the kernel-independent keys of a chain's later requests.
const CHAIN_SALT: u64 = 0xc4a1_9000;

/// What a push source's service does after one of its synchronous requests (issue 19, spec section 7): nothing for
/// most, the backend request after an API Gateway authorizer, the next rotation step of Secrets Manager, a retry of
/// an S3 Batch Operations task that reported `TemporaryFailure`.
#[derive(Debug, Clone)]
pub(super) enum Chain {
    /// A plain request: the caller gets the result.
    None,
    /// An API Gateway Lambda authorizer's request: the identity its result is cached by and the client's request
    /// (the user's payload), for the backend.
    Authorizer { identity: String, request: Arc<Value> },
    /// API Gateway answers without invoking the authorizer: from its cache (`Some((request, policy))` when the cached
    /// policy allows, `None` when it denies) or with 401 for a missing identity (`None`). Never held by a call.
    Cached { allowed: Option<(Arc<Value>, Value)> },
    /// Step `step` (index in [`ROTATION_STEPS`]) of attempt `round` (from 1) of a Secrets Manager rotation.
    Rotation { step: usize, round: u32 },
    /// An S3 Batch Operations task, by its id.
    S3Batch { task_id: String },
    /// Event `step` of a WebSocket connection: 0 `$connect`, then its messages, then `$disconnect`.
    WebSocket { step: u32 },
}

impl Chain {
    /// Whether the service reads the function's response.
    fn reads_response(&self) -> bool {
        matches!(self, Chain::Authorizer { .. } | Chain::S3Batch { .. } | Chain::WebSocket { step: 0 })
    }
}

/// S3 Batch Operations' attempts at a task that keeps reporting `TemporaryFailure` (not published: \[unc\], option
/// `MaxTaskAttempts`).
const S3_BATCH_DEFAULT_ATTEMPTS: u64 = 5;

impl<'m, O: Observer> Sim<'m, O> {
    /// The options of source `si`'s service (`null` without one).
    fn source_options(&self, si: usize) -> &'m Value {
        static NULL: Value = Value::Null;
        self.model.sources[si].kind.as_ref().map_or(&NULL, |(_, o)| o)
    }

    /// The event of `kind` for source `si`'s event `n` at the current time, with `options` and the user's payload;
    /// with `policy`, the backend request an authorizer's policy let through.
    #[allow(clippy::too_many_arguments)]
    fn push_event(
        &self,
        kind: SourceKind,
        si: usize,
        n: u64,
        salt: u64,
        options: &Value,
        payload: &Value,
        policy: Option<&Value>,
    ) -> Value {
        self.push_event_at(self.k.now(), (kind, si, n, salt), options, payload, policy)
    }

    /// [`Self::push_event`] for a request sent at `now`.
    fn push_event_at(
        &self,
        now: SimTime,
        (kind, si, n, salt): (SourceKind, usize, u64, u64),
        options: &Value,
        payload: &Value,
        policy: Option<&Value>,
    ) -> Value {
        let ctx = EventCtx {
            region: &self.model.region,
            account_id: &self.model.account_id,
            epoch_ms: self.model.settings.start_epoch_ms + (now.as_micros() / 1000) as i64,
            key: splitmix(self.feeds.sources[si].key_salt ^ splitmix(now.as_micros() ^ 0x5eed ^ salt)),
            n,
            options,
            payload,
        };
        match policy {
            Some(p) => events::backend_request(&ctx, p),
            None => events::build_event(kind, &ctx),
        }
    }

    /// How the service of synchronous source `si` goes on after the request whose event is `event` (`raw`: the
    /// user's payload); `None` for a plain request.
    fn chain_of(&mut self, si: usize, event: &Value, raw: Arc<Value>, now: SimTime) -> Option<Chain> {
        let (kind, options) = self.model.sources[si].kind.as_ref()?;
        match kind {
            SourceKind::ApiGatewayAuthorizer => {
                let identity = events::authorizer_identity(event, options);
                let ttl = events::authorizer_ttl(options);
                let token = event.get("type").and_then(Value::as_str) == Some("TOKEN");
                // An HTTP API authorizer with identity sources always needs them (http-api-lambda-authorizer.html,
                // "Identity sources": a request without them gets 401 and the authorizer is not invoked).
                let http_sources = events::authorizer_is_http(options)
                    && options.get("IdentitySource").and_then(Value::as_array).is_none_or(|a| !a.is_empty());
                // A missing identity source: 401 without invoking the authorizer (a TOKEN authorizer always needs
                // its token; a REQUEST authorizer needs its identity sources when caching is on;
                // apigateway-lambda-authorizer-input.html).
                if identity.is_empty() && (token || ttl > 0 || http_sources) {
                    return Some(Chain::Cached { allowed: None });
                }
                if ttl > 0 {
                    if let Some((expiry, policy)) =
                        self.feeds.authorizer_cache.get(&(self.model.sources[si].function.ix() as u32, identity.clone()))
                    {
                        if *expiry > now {
                            return Some(Chain::Cached { allowed: policy.clone().map(|p| (raw, p)) });
                        }
                    }
                }
                Some(Chain::Authorizer { identity, request: raw })
            }
            // Without `Step`, an arrival is a whole rotation from `createSecret`; with it, that one step.
            SourceKind::SecretsManager if options.get("Step").is_none_or(Value::is_null) => Some(Chain::Rotation { step: 0, round: 1 }),
            SourceKind::ApiGatewayWebSocket if options.get("Messages").is_some_and(|m| !m.is_null()) => Some(Chain::WebSocket { step: 0 }),
            SourceKind::S3Batch => {
                let task_id = event["tasks"][0]["taskId"].as_str().unwrap_or_default().to_string();
                Some(Chain::S3Batch { task_id })
            }
            _ => None,
        }
    }

    /// An authorizer allowed the client's request: API Gateway invokes the backend function with the REST API proxy
    /// event, the policy's `principalId` and `context` in `requestContext.authorizer`.
    fn backend_call(&mut self, si: usize, n: u64, key: u64, request: &Value, policy: &Value) {
        let Some((function, qual)) = self.model.sources[si].backend else { return };
        let options = self.source_options(si);
        let ev = self.push_event(SourceKind::ApiGatewayAuthorizer, si, n, 0xbac0, options, request, Some(policy));
        let size = destinations::json_size(&ev);
        let payload = Payload { value: Arc::new(ev), text: None };
        self.start_call(si, function, qual, splitmix(key ^ CHAIN_SALT), payload, size, n, Chain::None);
    }

    /// The function's response to attempt of call `c` (the invocation `inv` ended): kept when the call's service reads
    /// it (an authorizer's policy, an S3 Batch Operations result).
    pub(super) fn note_call_response(&mut self, c: u32, inv: &super::lambda::Inv) {
        let reads =
            self.calls.get(c as usize).and_then(Option::as_ref).is_some_and(|x| x.current == Some(inv.id) && x.chain.reads_response());
        if !reads {
            return;
        }
        let response = inv
            .last
            .filter(|l| l.outcome == crate::vocab::Outcome::Success)
            .map(|l| l.execution(self.model, inv.handled.as_deref()).response.clone());
        if let Some(call) = self.calls[c as usize].as_mut() {
            call.response = response;
        }
    }

    /// S3 Batch Operations retries a task whose function answered `TemporaryFailure` (batch-ops-invoke-lambda.html,
    /// "Response and result codes"): the delay before the next attempt, while attempts remain.
    fn s3_batch_retry(&self, c: u32) -> Option<SimTime> {
        let call = self.calls.get(c as usize)?.as_ref()?;
        let Chain::S3Batch { task_id } = &call.chain else { return None };
        if call.response.as_ref().and_then(|r| events::s3_batch_result(r, task_id)) != Some("TemporaryFailure") {
            return None;
        }
        let options = self.source_options(call.source as usize);
        let max = options.get("MaxTaskAttempts").and_then(Value::as_u64).unwrap_or(S3_BATCH_DEFAULT_ATTEMPTS);
        if u64::from(call.attempts) >= max {
            return None;
        }
        let delay = options.get("RetryDelaySeconds").and_then(Value::as_f64).unwrap_or(1.0);
        Some(SimTime::from_micros(crate::kernel::time::round_u64(delay * 1e6)))
    }

    /// A chained request is over for its caller: the service's next request, if any.
    fn chain_next(&mut self, call: Call, outcome: CallOutcomeSpec) {
        let si = call.source as usize;
        match call.chain {
            Chain::Authorizer { identity, request } => {
                // A policy decides; a function error, a timeout or a response that is no policy gives the client 500
                // and is not cached (apigateway-lambda-authorizer-output.html).
                let Some(policy) = call.response.filter(|_| outcome == CallOutcomeSpec::Ok) else { return };
                let Some(allowed) = events::authorizer_decision(&policy, self.source_options(si)) else { return };
                let ttl = events::authorizer_ttl(self.source_options(si));
                if ttl > 0 {
                    let expiry = self.k.now() + SimTime::from_secs(ttl);
                    let authorizer = self.model.sources[si].function.ix() as u32;
                    self.feeds.authorizer_cache.insert((authorizer, identity), (expiry, allowed.then(|| policy.clone())));
                }
                if allowed {
                    self.backend_call(si, call.n, call.key, &request, &policy);
                }
            }
            // A step that fails stops the rotation: Secrets Manager does not run the later steps, and retries the
            // whole rotation (rotate-secrets_lambda.html; jobs.rs).
            Chain::Rotation { round, .. } if outcome != CallOutcomeSpec::Ok => self.rotation_retry(&call, round),
            Chain::WebSocket { step } => self.websocket_next(&call, step, outcome),
            Chain::Rotation { step, round } if step + 1 < ROTATION_STEPS.len() => {
                let mut options = self.source_options(si).clone();
                if let Value::Object(m) = &mut options {
                    m.insert("Step".into(), Value::String(ROTATION_STEPS[step + 1].to_string()));
                }
                let ev = self.push_event(SourceKind::SecretsManager, si, call.n, step as u64 + 1, &options, &Value::Null, None);
                let size = destinations::json_size(&ev);
                let payload = Payload { value: Arc::new(ev), text: None };
                let key = splitmix(call.key ^ CHAIN_SALT ^ (step as u64 + 1));
                self.start_call(si, call.function, call.qual, key, payload, size, call.n, Chain::Rotation { step: step + 1, round });
            }
            _ => {}
        }
    }

    /// The largest response the caller of an invocation takes: 200 MB streamed by a function URL with `InvokeMode`
    /// `RESPONSE_STREAM`, else 6 MB (spec 1, 10.10).
    pub(super) fn response_limit(&self, caller: Caller) -> u64 {
        let Caller::Call(c) = caller else { return RESPONSE_LIMIT };
        let Some(call) = self.calls.get(c as usize).and_then(Option::as_ref) else { return RESPONSE_LIMIT };
        match &self.model.sources[call.source as usize].kind {
            Some((SourceKind::FunctionUrl, o)) if o.get("InvokeMode").and_then(Value::as_str) == Some("RESPONSE_STREAM") => {
                events::STREAM_RESPONSE_LIMIT
            }
            _ => RESPONSE_LIMIT,
        }
    }
}
