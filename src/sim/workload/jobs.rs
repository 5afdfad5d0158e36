//! Push sources whose service waits for a result beyond the invocation (issue 19, spec section 7): CodePipeline jobs
//! and the retries of failed Secrets Manager rotations.
//!
//! A CodePipeline Lambda invoke action invokes the function asynchronously and then waits for the function to call
//! `PutJobSuccessResult` or `PutJobFailureResult` (CodePipeline user guide, action-reference-Lambda.html). The call is
//! read from the response of the invocation's successful attempt (`aws::events::codepipeline_job_result`); a
//! successful invocation whose response names neither call reports what the source's `JobResult` option says. With
//! no result 20 minutes after the job started the action times out; a result with a continuation token runs a new job
//! of the action with that token (its own 20 minutes), up to 24 hours from the first (limits.html, "Length of time
//! before an action times out": AWS Lambda invoke action). The job's end is a `CallResult` of the source: `Ok`
//! (success), `FunctionError` (failure), `TimedOut` (no result), with the jobs run as its attempts.
//!
//! Secrets Manager: "If any rotation step fails, Secrets Manager retries the entire rotation process multiple times"
//! (rotate-secrets_lambda.html). How many times and after how long are not published: the source's
//! `RotationAttempts` (default 5) and `RotationRetryDelaySeconds` (default 60) say (README, "Uncertain behaviour").

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Call, Chain, CHAIN_SALT};
use crate::aws::destinations;
use crate::aws::events::{self, JobResult, SourceKind, ROTATION_STEPS};
use crate::aws::payload::Payload;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::FnId;
use crate::sim::{Ev, Sim};
use crate::trace::{Observer, Origin, TraceEvent};
use crate::vocab::{CallOutcome, Fate};

/// The `call` of the `CallTimeout` timer of a CodePipeline job (its `attempt` is the job's number).
pub(in crate::sim) const JOB_TIMER: u32 = u32::MAX;
/// CodePipeline's wait for a Lambda invoke action's result: "If the Lambda function has sent no reply after 20
/// minutes, the action times out" (limits.html).
const JOB_REPLY_TIMEOUT: SimTime = SimTime::from_secs(20 * 60);
/// A Lambda invoke action in progress (continuation tokens) fails after 24 hours (limits.html).
const ACTION_TIMEOUT: SimTime = SimTime::from_secs(24 * 3600);
/// Rotations Secrets Manager attempts when steps fail (not published; option `RotationAttempts`).
const ROTATION_DEFAULT_ATTEMPTS: u64 = 5;
/// Seconds before a failed rotation is attempted again (not published; option `RotationRetryDelaySeconds`).
const ROTATION_DEFAULT_DELAY_S: f64 = 60.0;

/// One CodePipeline action waiting for its job's result.
#[derive(Debug, Clone)]
struct Job {
    /// The id of its `CallResult`.
    call: u64,
    source: u32,
    function: FnId,
    /// When the action's first job started.
    started: SimTime,
    /// Jobs run so far (continuations included).
    jobs: u32,
    n: u64,
    key: u64,
}

/// The CodePipeline actions waiting for results, by job number, and the job number of each invocation.
#[derive(Debug, Default)]
pub(in crate::sim) struct Jobs {
    waiting: BTreeMap<u32, Job>,
    by_event: BTreeMap<u64, u32>,
    next: u32,
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A CodePipeline source's arrival: the action's first job, its event `payload` invoked asynchronously.
    pub(super) fn start_job(&mut self, si: usize, n: u64, key: u64, payload: Payload, size: usize) {
        let call = self.next_call;
        self.next_call += 1;
        let src = &self.model.sources[si];
        let job = Job { call, source: si as u32, function: src.function, started: self.k.now(), jobs: 0, n, key };
        self.run_job(job, payload, size);
    }

    /// Invoke one job of an action and start its 20-minute timer.
    fn run_job(&mut self, mut job: Job, payload: Payload, size: usize) {
        job.jobs += 1;
        let src = &self.model.sources[job.source as usize];
        let (function, qual) = (src.function, src.qualifier);
        let seq = self.feeds.jobs.next;
        self.feeds.jobs.next = self.feeds.jobs.next.wrapping_add(1);
        // The invocation's id is the next event's: the job must be known before `accept` (it may end at once).
        let event = self.next_event;
        self.feeds.jobs.by_event.insert(event, seq);
        let key = if job.jobs == 1 { job.key } else { splitmix(job.key ^ CHAIN_SALT ^ u64::from(job.jobs)) };
        let (source, started) = (job.source, job.started);
        self.feeds.jobs.waiting.insert(seq, job);
        self.k
            .schedule_in(JOB_REPLY_TIMEOUT.min(started + ACTION_TIMEOUT - self.k.now()), Ev::CallTimeout { call: JOB_TIMER, attempt: seq });
        if self.accept(function, qual, payload, size, Origin::Workload(source), 0, None, key).is_none() {
            // Refused (too large): no job ran, so no result will come.
            self.feeds.jobs.by_event.remove(&event);
            if let Some(job) = self.feeds.jobs.waiting.remove(&seq) {
                self.job_done(job, CallOutcome::TooLarge);
            }
        }
    }

    /// An asynchronous invocation has its final fate: if it ran a CodePipeline job, the function's result decides
    /// the job (a failed invocation reported nothing: the job waits for its timeout).
    pub(in crate::sim) fn job_invocation_done(&mut self, inv: &crate::sim::lambda::Inv, fate: Fate) {
        let Some(seq) = self.feeds.jobs.by_event.remove(&inv.id) else { return };
        if fate != Fate::Succeeded {
            return;
        }
        let response = inv
            .last
            .filter(|l| l.outcome == crate::vocab::Outcome::Success)
            .map(|l| l.execution(self.model, inv.handled.as_deref()).response.clone())
            .unwrap_or(Value::Null);
        let Some(job) = self.feeds.jobs.waiting.get(&seq) else { return };
        let options = self.source_options(job.source as usize);
        let result = match events::codepipeline_job_result(&response) {
            Some(r) => r,
            None if options.get("JobResult").and_then(Value::as_str) == Some("None") => return,
            None => JobResult::Success,
        };
        let job = self.feeds.jobs.waiting.remove(&seq).expect("waiting job");
        match result {
            JobResult::Success => self.job_done(job, CallOutcome::Ok),
            JobResult::Failure => self.job_done(job, CallOutcome::FunctionError),
            JobResult::Continue(_) if self.k.now() >= job.started + ACTION_TIMEOUT => self.job_done(job, CallOutcome::TimedOut),
            JobResult::Continue(token) => {
                // A new job of the action, with the token (its event's `continuationToken`).
                let mut options = options.clone();
                if let Value::Object(m) = &mut options {
                    m.insert("ContinuationToken".into(), Value::String(token));
                }
                let raw = self.model.sources[job.source as usize].template.instantiate(job.n, self.next_event);
                let ev = self.push_event(
                    SourceKind::CodePipeline,
                    job.source as usize,
                    job.n,
                    0xc0de + u64::from(job.jobs),
                    &options,
                    &raw,
                    None,
                );
                let size = destinations::json_size(&ev);
                self.run_job(job, Payload { value: Arc::new(ev), text: None }, size);
            }
        }
    }

    /// The 20-minute timer of job `seq`: if it still waits, the action times out.
    pub(super) fn job_timeout(&mut self, seq: u32) {
        if let Some(job) = self.feeds.jobs.waiting.remove(&seq) {
            self.job_done(job, CallOutcome::TimedOut);
        }
    }

    fn job_done(&mut self, job: Job, outcome: CallOutcome) {
        let latency = self.k.now() - job.started;
        self.emit(TraceEvent::CallResult {
            call: job.call,
            source: job.source,
            function: job.function,
            outcome,
            attempts: job.jobs,
            latency,
        });
    }

    /// A rotation whose step failed: Secrets Manager runs the whole rotation again from `createSecret`, after the
    /// delay, while attempts remain (`round` is the rotation's attempt that failed).
    pub(super) fn rotation_retry(&mut self, call: &Call, round: u32) {
        let si = call.source as usize;
        let options = self.source_options(si);
        let max = options.get("RotationAttempts").and_then(Value::as_u64).unwrap_or(ROTATION_DEFAULT_ATTEMPTS);
        if u64::from(round) >= max {
            return;
        }
        let delay = options.get("RotationRetryDelaySeconds").and_then(Value::as_f64).unwrap_or(ROTATION_DEFAULT_DELAY_S);
        let mut options = options.clone();
        if let Value::Object(m) = &mut options {
            m.insert("Step".into(), Value::String(ROTATION_STEPS[0].to_string()));
        }
        // The same rotation: its tokens come from the event's index (the event carries no time).
        let at = self.k.now() + SimTime::from_micros(crate::kernel::time::round_u64(delay * 1e6));
        let ev = self.push_event(SourceKind::SecretsManager, si, call.n, 0x5e_7000 + u64::from(round), &options, &Value::Null, None);
        let size = destinations::json_size(&ev);
        let payload = Payload { value: Arc::new(ev), text: None };
        let key = splitmix(call.key ^ CHAIN_SALT ^ 0x5e_7000 ^ u64::from(round));
        let c = self.new_call(si, call.function, call.qual, key, payload, size, call.n, Chain::Rotation { step: 0, round: round + 1 });
        self.k.schedule_at(at, Ev::CallRetry { call: c });
    }
}
