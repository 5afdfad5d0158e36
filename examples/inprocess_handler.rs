//! A Rust handler run in-process under the simulated Lambda semantics: a payment consumer reading an SQS queue that
//! is **not idempotent**. It charges the order, then the payment provider's slow tail sometimes pushes the execution
//! past the function timeout: the batch fails, the message becomes visible again after the visibility timeout and
//! is delivered again (docs/semantics.md, spec 5.2), and the customer is charged twice (the handler's side effect
//! happened before the timeout killed it, as on AWS). The example sweeps seeds to find one where that happens, names
//! the order and the two requests, then replays that seed with an idempotent handler (it checks the ledger by
//! message id first) to show the fix.
//!
//! ```text
//! cargo run --example inprocess_handler
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use lambdasim::handler::inprocess::{Context, HandlerError, InProcess};
use serde_json::{json, Value};

/// The payment ledger, an external store shared by every execution environment: order id -> request ids that
/// charged it.
type Ledger = Rc<RefCell<BTreeMap<String, Vec<String>>>>;

fn scenario() -> lambdasim::Model {
    let sc = json!({
        "Name": "payments-consumer",
        "Functions": [{
            "FunctionName": "charge", "Timeout": 3,
            // Most charges take under a second; the payment provider's tail is long.
            "Behavior": { "Duration": { "LogNormal": { "MedianMs": 600, "Sigma": 0.8, "MaxMs": 20000 } } }
        }],
        "Queues": [{ "QueueName": "payments", "VisibilityTimeout": 18 }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:payments", "FunctionName": "charge", "BatchSize": 1 }],
        "Workload": [{ "Queue": "payments", "Poisson": { "RatePerSecond": 1, "EndSeconds": 60 }, "Payload": { "orderId": "order-{{n}}", "cents": 1999 } }],
        "Simulation": { "DurationSeconds": 300 }
    });
    lambdasim::load_str(&sc.to_string()).expect("valid scenario")
}

/// The consumer: charges every order in the batch. With `idempotent`, it first looks the message id up.
fn consumer(ledger: Ledger, idempotent: bool) -> InProcess<'static> {
    let seen: Rc<RefCell<BTreeMap<String, ()>>> = Rc::default();
    InProcess::new().register("charge", move |event: &Value, ctx: &Context<'_>| {
        for record in event["Records"].as_array().into_iter().flatten() {
            let message_id = record["messageId"].as_str().unwrap_or_default().to_string();
            let body: Value = serde_json::from_str(record["body"].as_str().unwrap_or("null"))
                .map_err(|e| HandlerError::new("JSONDecodeError", e.to_string()))?;
            let order = body["orderId"].as_str().unwrap_or("?").to_string();
            if idempotent && seen.borrow_mut().insert(message_id, ()).is_some() {
                continue;
            }
            ledger.borrow_mut().entry(order).or_default().push(ctx.request_id.to_string());
        }
        Ok(json!({ "batchItemFailures": [] }))
    })
}

/// Run one seed; return the orders charged more than once.
fn double_charges(model: &lambdasim::Model, seed: u64, idempotent: bool) -> Vec<(String, Vec<String>)> {
    let ledger: Ledger = Rc::default();
    let mut handlers = consumer(Rc::clone(&ledger), idempotent);
    let opts = lambdasim::RunOptions { handlers: Some(&mut handlers), ..Default::default() };
    lambdasim::run(model, seed, opts).expect("run");
    let charged = ledger.borrow();
    charged.iter().filter(|(_, reqs)| reqs.len() > 1).map(|(o, r)| (o.clone(), r.clone())).collect()
}

fn main() {
    let model = scenario();
    let seeds = 1..=40u64;
    let failing: Vec<u64> = seeds.clone().filter(|s| !double_charges(&model, *s, false).is_empty()).collect();
    println!("non-idempotent consumer: {} of {} seeds charge some order twice", failing.len(), seeds.count());
    let Some(&seed) = failing.first() else {
        println!("no seed found a double charge");
        return;
    };
    for (order, requests) in double_charges(&model, seed, false) {
        println!("seed {seed}: {order} charged {} times, by requests {}", requests.len(), requests.join(", "));
    }
    // The same seed replays the same run, so the fix is checked against the very interleaving that broke.
    let fixed = double_charges(&model, seed, true);
    println!("idempotent consumer, seed {seed}: {} orders charged twice", fixed.len());
}
