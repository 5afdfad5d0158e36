//! The retry policies of SNS and EventBridge deliveries to their targets, as AWS documents them: which refusals they
//! retry, SNS's delivery policy for AWS-managed endpoints (three immediate retries, two at 1 s, ten backing off from
//! 1 s to 20 s, then every 20 s: 100,015 attempts; sns-message-delivery-retries.html) and EventBridge's exponential
//! back-off (docs/sources.md, "SNS delivery retries" and "EventBridge retries").

use crate::kernel::time::SimTime;
use crate::vocab::DeliveryFailure;

/// Whether SNS and EventBridge retry a delivery refused for `r`: only server-side errors are retried; client-side
/// ones (the endpoint gone, access or its KMS key denied, a message too large) go to the DLQ at once
/// (sns-dead-letter-queues.html "Client-side errors"; eb-rule-dlq.html "missing permissions ... no longer exists").
pub fn retryable(r: DeliveryFailure) -> bool {
    matches!(r, DeliveryFailure::Throttled)
}

/// SNS's delay before attempt `attempt + 1` (attempt 1 is the first), `None` when the policy is exhausted.
pub fn sns_delay(attempt: u32) -> Option<SimTime> {
    match attempt {
        1..=3 => Some(SimTime::ZERO),
        4..=5 => Some(SimTime::from_secs(1)),
        // 10 backoff attempts from 1 s to 20 s, geometric.
        6..=15 => Some(SimTime::from_secs_f64(20f64.powf(f64::from(attempt - 6) / 9.0))),
        16..=100_014 => Some(SimTime::from_secs(20)),
        _ => None,
    }
}

/// EventBridge's delay before retry `attempt` (attempt 1 is the first delivery), with the default
/// `Simulation.EventBridgeRetryBackoff` (1 s doubling, at most 300 s).
pub fn eventbridge_delay(attempt: u32) -> SimTime {
    eventbridge_delay_with(attempt, (SimTime::from_secs(1), SimTime::from_secs(300), 2.0))
}

/// The same with a given (initial, maximum, multiplier) back-off.
pub fn eventbridge_delay_with(attempt: u32, (initial, max, mult): (SimTime, SimTime, f64)) -> SimTime {
    let d = initial.as_micros() as f64 * mult.powi((attempt.max(1) - 1).min(64) as i32);
    SimTime::from_micros(d.min(max.as_micros() as f64) as u64)
}
