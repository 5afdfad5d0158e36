//! The closed word sets of the semantics that many layers share: how an execution ends, where an event ends, why a
//! call was throttled or a delivery failed, the one fate of a queue message, a stream record, a fan-out delivery and
//! a Firehose record, and what a synchronous caller finally gets. Each is a plain `enum` whose variant order is part
//! of the trace digest (the digest packs `variant as u64`), so variants are only ever appended.
//!
//! Spec sections: 1 (synchronous invocation: throttles, `CallOutcome`), 2 (asynchronous invocation: `Fate`,
//! `Outcome`), 3 and 4 (destinations and dead-letter queues: `RecordKind`, `DeliveryFailure`), 5 (event source
//! mappings: `MessageFate`, `RecordFate`, `BatchResult`), 6 (execution environments: `ShutdownReason`), 7 (the
//! services that invoke Lambda: `FanoutOutcome`, `FirehoseFate`, `FirehoseInvokeResult`).
//!
//! Also the small helpers every layer's errors share: [`did_you_mean`] and [`shorten`] keep an error message short
//! whatever the user's input, and [`read_input`] reads an input file with a size limit ([`INPUT_LIMIT`]).
//!
//! This module imports nothing of the crate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An `enum` of unit variants whose scenario and trace name is the variant's name, with `ALL` (in declaration order),
/// `name` and `parse` (exact match).
macro_rules! words {
    ($(#[$m:meta])* pub enum $ty:ident { $($(#[$vm:meta])* $v:ident,)* }) => {
        $(#[$m])*
        pub enum $ty {
            $($(#[$vm])* $v,)*
        }

        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: [$ty; [$(stringify!($v)),*].len()] = [$($ty::$v),*];

            /// The name used in traces, summaries and scenario files.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$v => stringify!($v),)*
                }
            }

            /// The variant of a name (exact match).
            pub fn parse(s: &str) -> Option<$ty> {
                Self::ALL.into_iter().find(|x| x.name() == s)
            }
        }
    };
}

/// Why an invocation was not run when it was due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleReason {
    /// The function's reserved concurrency is in use (`ReservedFunctionConcurrentInvocationLimitExceeded`).
    ReservedConcurrency,
    /// The account's unreserved concurrency is in use (`ConcurrentInvocationLimitExceeded`).
    AccountConcurrency,
    /// An injected `Throttle` fault.
    InjectedThrottle,
    /// An injected `ServiceError` fault (500 `ServiceException`).
    ServiceError,
    /// The scaling rate refused a new execution environment (spec section 6; the `Reason` is a named option).
    ScalingRate,
}

impl ThrottleReason {
    /// The 429 `Reason` (or the 500 error name) AWS reports (spec section 1).
    pub fn aws_name(self) -> &'static str {
        match self {
            ThrottleReason::ReservedConcurrency => "ReservedFunctionConcurrentInvocationLimitExceeded",
            ThrottleReason::AccountConcurrency | ThrottleReason::InjectedThrottle => "ConcurrentInvocationLimitExceeded",
            ThrottleReason::ServiceError => "ServiceException",
            ThrottleReason::ScalingRate => "FunctionInvocationRateLimitExceeded",
        }
    }
    /// The HTTP status of the refusal: 500 for a service error, else 429.
    pub fn status(self) -> u16 {
        match self {
            ThrottleReason::ServiceError => 500,
            _ => 429,
        }
    }
}

words! {
    /// Why an execution environment was shut down (spec section 6).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ShutdownReason {
        /// Idle too long.
        Idle,
        /// Recycled after its maximum lifetime.
        MaxLifetime,
        /// A provisioned environment released because provisioned concurrency was lowered or moved (timeline change).
        ProvisionedConcurrencyRemoved,
    }
}

words! {
    /// How one execution ended.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Outcome {
        /// Returned normally.
        Success,
        /// The handler threw (`Unhandled`).
        Error,
        /// Ran until the function timeout (`Unhandled`, environment reset).
        Timeout,
        /// The runtime exited (`Unhandled`, environment reset).
        Crash,
    }
}

words! {
    /// Where an accepted event ends: exactly one per event (the ledger).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Fate {
        /// An attempt succeeded.
        Succeeded,
        /// Every allowed attempt failed (`RetriesExhausted`).
        RetriesExhausted,
        /// The event passed `MaximumEventAgeInSeconds`, or its next retry would have (`EventAgeExceeded`).
        EventAgeExceeded,
        /// The function's reserved concurrency is 0: sent to the failure targets with no execution.
        ZeroReservedConcurrency,
        /// Stopped by recursive-loop detection.
        RecursionStopped,
        /// Still pending when a bounded run ended.
        InFlight,
        /// Synchronous: the caller got 200 with `X-Amz-Function-Error: Unhandled` (spec section 1).
        FunctionError,
        /// Synchronous: the caller got 429 `TooManyRequestsException` (or 500 for a service error); Lambda never retries.
        Throttled,
    }
}

impl Fate {
    /// An async failure that goes to the on-failure destination and the DLQ.
    pub fn is_async_failure(self) -> bool {
        matches!(self, Fate::RetriesExhausted | Fate::EventAgeExceeded | Fate::ZeroReservedConcurrency | Fate::RecursionStopped)
    }
}

words! {
    /// Which record a delivery carries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum RecordKind {
        /// The `OnSuccess` destination's record.
        OnSuccess,
        /// The `OnFailure` destination's record.
        OnFailure,
        /// The dead-letter queue's message.
        DeadLetter,
    }
}

words! {
    /// Why a delivery to a destination or DLQ failed (`DestinationDeliveryFailures` / `DeadLetterErrors`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum DeliveryFailure {
        /// FIFO queues and topics are not supported targets (spec 3.1, 4).
        FifoNotSupported,
        /// The message is larger than the target accepts.
        TooLarge,
        /// A Lambda target was not invoked because recursive-loop detection stopped the chain.
        RecursionStopped,
        /// A `DeliveryFailure` fault: the execution role may not send to the target.
        AccessDenied,
        /// A `DeliveryFailure` fault: the target throttled the send.
        Throttled,
        /// A `DeliveryFailure` fault: the target does not exist.
        ResourceNotFound,
        /// A `DeliveryFailure` fault: the target's KMS key cannot be used.
        KmsAccessDenied,
    }
}

words! {
    /// The one fate of a delivery to a subscription or rule target (docs/sources.md, retries of the async services).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum FanoutOutcome {
        /// Lambda accepted the async invoke (202), or the queue took the message.
        Delivered,
        /// The retry policy is exhausted and there is no dead-letter queue: the message is dropped.
        Discarded,
        /// The retry policy is exhausted: the message went to the target's dead-letter queue.
        DeadLettered,
        /// Still being retried when the run ended (horizon).
        InFlight,
    }
}

words! {
    /// The one fate of a record put into an Amazon Data Firehose delivery stream (src/sim/firehose.rs,
    /// <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html>).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum FirehoseFate {
        /// Transformed (`result` `Ok`, or no transformation configured): delivered to the destination.
        Delivered,
        /// `result` `Dropped`: dropped on purpose by the function (successfully processed, not delivered).
        Dropped,
        /// `result` `ProcessingFailed`, or the invocation failed `NumberOfRetries + 1` times: written to the error output
        /// (the S3 `processing-failed/` prefix).
        ProcessingFailed,
        /// Refused by PutRecord: over 1,000 KiB before base64 encoding.
        TooLarge,
        /// Buffered or in a batch being transformed when the run ended.
        InFlight,
    }
}

words! {
    /// What Firehose made of one invocation of its transformation function.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum FirehoseInvokeResult {
        /// A valid response: one record per input record with its result.
        Ok,
        /// The function failed (error, timeout, crash; `Lambda.FunctionError`).
        FunctionError,
        /// Lambda refused the invocation (429 or 500; `Lambda.InvokeLimitExceeded`).
        Throttled,
        /// The response breaks the status model (missing or unknown recordId, bad result, `Ok` without base64 data).
        InvalidResponse,
    }
}

impl FirehoseInvokeResult {
    /// The `errorCode` of a processing-failed record: after an `Ok` invocation, the record's own `ProcessingFailed`
    /// status; else the invocation's failure. The codes follow the error names Firehose logs for data transformation
    /// (not verified against a page here: see docs/sources.md, "Not verified").
    pub fn error_code(self) -> &'static str {
        match self {
            FirehoseInvokeResult::Ok => "Lambda.ProcessingFailedStatus",
            FirehoseInvokeResult::FunctionError => "Lambda.FunctionError",
            FirehoseInvokeResult::Throttled => "Lambda.InvokeLimitExceeded",
            FirehoseInvokeResult::InvalidResponse => "Lambda.JsonProcessingException",
        }
    }
}

words! {
    /// The one fate of a queue message (spec 5.2, 5.4).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum MessageFate {
        /// Processed: the mapping deleted it after a successful batch (or it was not listed in `batchItemFailures`).
        Deleted,
        /// Deleted by the mapping's `FilterCriteria` without an invocation.
        Filtered,
        /// Moved to the dead-letter queue after `maxReceiveCount` receives (the copy there is a new message).
        Redriven,
        /// Deleted by SQS after `MessageRetentionPeriod`.
        Expired,
        /// FIFO: a send with a deduplication id seen in the last 5 minutes; SQS accepted it but will not deliver it.
        Deduplicated,
        /// Larger than the queue accepts (`SendMessage` fails).
        TooLarge,
        /// Still in the queue (visible, delayed or in flight) when the run ended.
        InQueue,
        /// Sent to a queue that no mapping reads: SQS keeps it; the simulation counts it and goes no further.
        Stored,
    }
}

words! {
    /// The one fate of a stream record for each mapping that reads it (or, for a stream nobody reads, for the stream).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum RecordFate {
        /// In a batch that succeeded (or before the checkpoint of a partial batch response).
        Processed,
        /// Skipped by the mapping's `FilterCriteria`.
        Filtered,
        /// Discarded after `MaximumRetryAttempts` (on-failure record `RetryAttemptsExhausted`).
        RetriesExhausted,
        /// Discarded for `MaximumRecordAgeInSeconds` (on-failure record with the age condition).
        RecordAgeExceeded,
        /// Trimmed by the stream's retention before it was processed.
        Expired,
        /// Before the mapping's starting position (`LATEST`, `AT_TIMESTAMP`): never read.
        NotRead,
        /// Not yet processed when the run ended.
        InFlight,
    }
}

words! {
    /// How a mapping's batch invocation ended for the mapping.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum BatchResult {
        /// Every record processed.
        Success,
        /// `batchItemFailures` listed some records: the rest are done.
        Partial,
        /// Function error, timeout, or a partial response that fails the whole batch.
        Failed,
        /// The invoke was throttled (or hit a service error): the batch never ran.
        Throttled,
    }
}

/// How an invocation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvokeMode {
    /// `InvocationType: Event`: queued, retried, sent to destinations.
    Async,
    /// `InvocationType: RequestResponse`: run at once or refused; never retried by Lambda, never sent to destinations.
    Sync,
}

/// What a synchronous caller finally gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "CallOutcomeSpec")]
pub enum CallOutcome {
    /// 200 with the response payload.
    Ok,
    /// 200 with `X-Amz-Function-Error: Unhandled` (function error, timeout, crash, oversized response).
    FunctionError,
    /// 429 `TooManyRequestsException`.
    Throttled,
    /// 500 `ServiceException`.
    ServiceError,
    /// The caller stopped waiting (e.g. API Gateway's 504 after 29 s).
    TimedOut,
    /// 413 `RequestTooLargeException`: never ran.
    TooLarge,
}

impl CallOutcome {
    /// Every variant, in declaration order.
    pub const ALL: [CallOutcome; 6] = [
        CallOutcome::Ok,
        CallOutcome::FunctionError,
        CallOutcome::Throttled,
        CallOutcome::ServiceError,
        CallOutcome::TimedOut,
        CallOutcome::TooLarge,
    ];
    /// The name used in traces, summaries and scenario files.
    pub fn name(self) -> &'static str {
        match self {
            CallOutcome::Ok => "Ok",
            CallOutcome::FunctionError => "FunctionError",
            CallOutcome::Throttled => "Throttled",
            CallOutcome::ServiceError => "ServiceError",
            CallOutcome::TimedOut => "TimedOut",
            CallOutcome::TooLarge => "TooLarge",
        }
    }
    /// The HTTP status the caller sees from Lambda (504 for a gateway timeout).
    pub fn status(self) -> u16 {
        match self {
            CallOutcome::Ok | CallOutcome::FunctionError => 200,
            CallOutcome::Throttled => 429,
            CallOutcome::ServiceError => 500,
            CallOutcome::TimedOut => 504,
            CallOutcome::TooLarge => 413,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_declaration_order() {
        assert_eq!(Fate::ALL.len(), 8);
        assert_eq!(Fate::ALL[7], Fate::Throttled);
        for f in Fate::ALL {
            assert_eq!(Fate::parse(f.name()), Some(f));
        }
        assert_eq!(RecordKind::parse("DeadLetter"), Some(RecordKind::DeadLetter));
        assert_eq!(MessageFate::parse("deleted"), None);
        assert_eq!(ShutdownReason::ProvisionedConcurrencyRemoved.name(), "ProvisionedConcurrencyRemoved");
        assert_eq!(FirehoseInvokeResult::ALL.map(|r| r as u8), [0, 1, 2, 3]);
    }
}

// Settings and behaviour words the scenario file spells and the simulation acts on unchanged.

/// What the dead-letter queue of an SNS topic's Lambda subscription receives (`Simulation.SnsLambdaDlqBody`; AWS
/// does not document it: docs/sources.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum SnsLambdaDlqBody {
    /// The `Sns` object of the event (`Type`, `TopicArn`, `Message`, ...) (default).
    #[default]
    SnsObject,
    /// The whole `{"Records": [...]}` event the function would have received.
    Event,
}

/// What the delays between asynchronous retries count from (`Simulation.AsyncRetryDelayFrom`; spec 2, 9.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RetryDelayFrom {
    /// From the end of the failed attempt (default).
    AttemptEnd,
    /// From the start of the failed attempt.
    AttemptStart,
}

/// Which `EventInvokeConfig` an asynchronous invoke of an alias runs with (`Simulation.AliasEventInvokeConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum AliasEventInvokeConfigMode {
    /// The alias's own configuration, or the defaults when it has none: AWS keeps one per qualifier (default).
    #[default]
    Alias,
    /// The configuration of the version the alias routes the event to (LocalStack's behaviour).
    Version,
}

/// What the async queue does with an event when the function has no concurrency left
/// (`Simulation.AsyncConcurrencyFull`; spec 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConcurrencyFullMode {
    /// The event is throttled and retried with the throttle back-off, without using its retry budget (default).
    Backoff,
    /// The event waits in the queue (FIFO) until an environment is free; it still expires at its maximum age.
    Queue,
}

/// How a synchronous caller's retry back-off is randomised (the AWS SDKs' jitter modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum JitterSpec {
    /// A delay drawn uniformly between 0 and the back-off.
    Full,
    /// Half the back-off plus a delay drawn uniformly up to the other half.
    Equal,
    /// Exactly the back-off.
    None,
}

/// What an execution of a declarative `Behavior` does (a rule's `Then.Outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OutcomeKind {
    /// Return normally, with `Response` as the payload.
    Succeed,
    /// Throw: an `Unhandled` function error with `ErrorType` and `ErrorMessage`; the environment stays warm.
    Fail,
    /// Run until the function's `Timeout`; the environment is reset.
    Timeout,
    /// The runtime process exits (`Runtime.ExitError`, e.g. out of memory); the environment is reset.
    Crash,
}

/// What a declared fault (`Faults[].Kind`) does to the invocations in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FaultKind {
    /// Every attempt that starts in the window fails with an `Unhandled` error.
    Error,
    /// Every attempt that starts in the window runs until the function's timeout.
    Timeout,
    /// Every attempt that starts in the window crashes the runtime (environment reset).
    Crash,
    /// Invocations in the window are throttled as if concurrency were exhausted (429).
    Throttle,
    /// Invocations in the window fail with a Lambda service error (500), retried like throttles.
    ServiceError,
    /// Deliveries to `Target` in the window fail (`DestinationDeliveryFailures` / `DeadLetterErrors`); the record is
    /// lost (spec 3.1, 4).
    DeliveryFailure,
}

/// What to say of a name that names nothing: the closest known name as "did you mean ...?" when one is close, and at
/// most five known names, the closest first, with how many more there are. Long values are shortened, so an error
/// never floods the terminal (a scenario with thousands of names gives a message of one line).
pub fn did_you_mean(bad: &str, known: &[&str]) -> String {
    fn key(s: &str) -> String {
        s.rsplit([':', '/']).next().unwrap_or(s).chars().take(64).collect::<String>().to_ascii_lowercase()
    }
    if known.is_empty() {
        return "there are none".to_string();
    }
    // Ranking costs one edit distance per known name: N bad names among N known ones would cost N² of them. After
    // [`SUGGESTIONS`] edit distances on this thread (since [`reset_suggestions`]; a scenario's validation resets it),
    // a message only counts the known names: by then it is far past the 20 errors shown.
    let affordable = SUGGESTIONS_LEFT.with(|c| {
        let left = c.get();
        c.set(left.saturating_sub(known.len()));
        left >= known.len()
    });
    if !affordable {
        return format!("{} known (not listed: too many names that name nothing)", known.len());
    }
    // (A long bad value is compared by its first 64 characters: the distance is for suggesting, not for proof.)
    let bad_key = key(bad);
    let mut ranked: Vec<(usize, &str)> = known.iter().map(|k| (strsim::levenshtein(&bad_key, &key(k)), *k)).collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    let close = ranked.first().filter(|(d, _)| *d <= (bad_key.chars().count() / 3).max(2));
    let shown: Vec<String> = ranked.iter().take(5).map(|(_, k)| shorten(k, 120)).collect();
    let more = ranked.len().saturating_sub(shown.len());
    let list = if more > 0 { format!("{} (and {more} more)", shown.join(", ")) } else { shown.join(", ") };
    match close {
        Some((_, k)) => format!("did you mean {:?}? known: {list}", shorten(k, 120)),
        None => format!("known: {list}"),
    }
}

/// How many edit distances [`did_you_mean`] computes on one thread between two [`reset_suggestions`] (well under a
/// second of work; enough for the errors shown of a scenario with tens of thousands of names).
pub const SUGGESTIONS: usize = 250_000;

std::thread_local! {
    static SUGGESTIONS_LEFT: std::cell::Cell<usize> = const { std::cell::Cell::new(SUGGESTIONS) };
}

/// Gives [`did_you_mean`] its full budget of rankings again on this thread (at the start of each validation).
pub fn reset_suggestions() {
    SUGGESTIONS_LEFT.with(|c| c.set(SUGGESTIONS));
}

/// `s` cut to at most `max` characters, with "…" and the number of characters left out.
pub fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max).collect();
    format!("{head}… ({} more characters)", n - max)
}

/// The longest error message, in characters, that [`clip_message`] leaves whole.
pub const MESSAGE_LIMIT: usize = 1000;

/// A message of at most about [`MESSAGE_LIMIT`] characters: a longer one keeps its head and its tail (where the
/// allowed values and the line and column are) and says how many characters were left out of the middle. Every
/// error that may echo a user's value goes through it, so no input floods the terminal, whatever value it echoes.
pub fn clip_message(s: &str) -> String {
    let n = s.chars().count();
    if n <= MESSAGE_LIMIT {
        return s.to_string();
    }
    let (head, tail) = (MESSAGE_LIMIT * 7 / 10, MESSAGE_LIMIT * 3 / 10);
    let h: String = s.chars().take(head).collect();
    let t: String = s.chars().skip(n - tail).collect();
    format!("{h}… ({} characters left out) …{t}", n - head - tail)
}

/// The most bytes lambdasim reads from one input file (a scenario, a template, a results file): 64 MiB. A bigger
/// file, or an endless one (`/dev/zero`, a pipe that never ends), is refused without being read into memory.
pub const INPUT_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads a text input file of at most [`INPUT_LIMIT`] bytes. A regular file over the limit is refused from its size,
/// before a byte is read; anything else (a device, a pipe) is read up to the limit and refused beyond it. The error
/// names the file, and the limit when it is the reason.
pub fn read_input(path: &std::path::Path) -> Result<String, String> {
    read_input_limited(path, INPUT_LIMIT)
}

/// [`read_input`] with a given limit in bytes.
pub fn read_input_limited(path: &std::path::Path, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let too_big =
        || format!("cannot read {}: the file is larger than the input limit of {} bytes ({} MiB)", path.display(), limit, limit >> 20);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let meta = file.metadata().map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_dir() {
        return Err(format!("cannot read {}: it is a directory", path.display()));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(if meta.is_file() { meta.len() as usize } else { 0 });
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("cannot read {}: it is not UTF-8 text (invalid byte at offset {at})", path.display())
    })
}

#[cfg(test)]
mod did_you_mean_tests {
    use super::*;

    #[test]
    fn the_closest_name_is_suggested_and_the_list_is_short() {
        let known = ["orders", "payments", "orders-dlq", "audit", "refunds", "shipping", "billing"];
        assert_eq!(
            did_you_mean("ordres", &known),
            "did you mean \"orders\"? known: orders, audit, orders-dlq, payments, refunds (and 2 more)"
        );
        assert!(did_you_mean("zzzzzzzzzzzz", &known).starts_with("known: "));
        assert_eq!(did_you_mean("x", &[]), "there are none");
        // ARNs are compared by their last part.
        let arns = ["arn:aws:sqs:us-east-1:123456789012:orders"];
        assert!(did_you_mean("arn:aws:sqs:us-east-1:123456789012:order", &arns).starts_with("did you mean"));
        // Past the budget, a message counts the names instead of ranking them; a reset gives the budget back.
        for _ in 0..SUGGESTIONS / known.len() {
            did_you_mean("ordres", &known);
        }
        assert_eq!(did_you_mean("ordres", &known), "7 known (not listed: too many names that name nothing)");
        reset_suggestions();
        assert!(did_you_mean("ordres", &known).starts_with("did you mean"));
        assert_eq!(shorten(&"a".repeat(10), 4), "aaaa… (6 more characters)");
    }

    #[test]
    fn long_messages_keep_their_head_and_tail() {
        assert_eq!(clip_message("short"), "short");
        let long = format!("{:?} is not allowed; allowed: a, b", "x".repeat(100_000));
        let c = clip_message(&long);
        assert!(c.len() < MESSAGE_LIMIT + 100, "{}", c.len());
        assert!(c.starts_with("\"xxx") && c.ends_with("is not allowed; allowed: a, b"), "{c}");
        assert!(c.contains("characters left out"));
    }

    #[test]
    fn inputs_are_read_up_to_the_limit() {
        let dir = std::env::temp_dir().join(format!("lambdasim-read-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("small.json");
        std::fs::write(&f, "{}").unwrap();
        assert_eq!(read_input_limited(&f, 2).unwrap(), "{}");
        let e = read_input_limited(&f, 1).unwrap_err();
        assert!(e.contains("small.json") && e.contains("input limit of 1 bytes"), "{e}");
        // An endless device is cut at the limit, not read to the end.
        let e = read_input_limited(std::path::Path::new("/dev/zero"), 1000).unwrap_err();
        assert!(e.contains("/dev/zero") && e.contains("input limit"), "{e}");
        assert!(read_input_limited(&dir, 10).unwrap_err().contains("directory"));
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert!(read_input_limited(&f, 10).unwrap_err().contains("not UTF-8"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
