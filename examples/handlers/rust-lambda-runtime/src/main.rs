//! Credit a transfer to an account: a Rust handler on the official `lambda_runtime` crate, invoked asynchronously.
//!
//! Its idempotency guard is a set of transfer ids kept in the process (a `static`). When an attempt times out after
//! the credit was made, Lambda ends that execution environment and retries the event on another one, where the set is
//! empty: the transfer is credited twice. lambdasim runs this binary unchanged against its Runtime API and finds the
//! seeds where an attempt times out (see scenario.json).

use std::collections::BTreeSet;
use std::sync::Mutex;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::Deserialize;
use serde_json::{json, Value};

/// Transfers credited by this execution environment.
static CREDITED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Transfer {
    transfer_id: String,
    account: String,
    amount: u64,
}

async fn credit(event: LambdaEvent<Transfer>) -> Result<Value, Error> {
    let t = event.payload;
    if t.amount == 0 {
        return Err(format!("transfer {} has no amount", t.transfer_id).into());
    }
    let credited_now = CREDITED.lock().map_err(|_| "poisoned")?.insert(t.transfer_id.clone());
    if credited_now {
        println!("credited {} to {} ({})", t.amount, t.account, t.transfer_id);
    }
    Ok(json!({"transferId": t.transfer_id, "creditedNow": credited_now, "requestId": event.context.request_id}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(credit)).await
}
