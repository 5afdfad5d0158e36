//! Helpers shared by the integration tests.

use lambdasim::trace::{Ctx, Observer, TraceEvent};
use lambdasim::vocab::RecordKind;
use lambdasim::SimTime;
use serde_json::Value;

/// Records every trace event, and the content of every successful delivery.
#[derive(Default)]
pub struct Rec {
    pub events: Vec<(SimTime, TraceEvent)>,
    /// (event, target name, kind, content) for deliveries that succeeded.
    pub delivered: Vec<(u64, String, RecordKind, Value)>,
    /// (event, payload) of every invocation: what the function receives.
    pub inputs: Vec<(u64, Value)>,
}

impl Observer for Rec {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let (TraceEvent::Delivered { event, target, kind, failure: None, .. }, Some(c)) = (ev, ctx.content) {
            self.delivered.push((*event, ctx.model.target(*target).name.clone(), *kind, c.clone()));
        }
        if let (TraceEvent::Accepted { event, .. }, Some(c)) = (ev, ctx.content) {
            self.inputs.push((*event, c.clone()));
        }
        self.events.push((t, ev.clone()));
    }
    fn wants_content(&self) -> bool {
        true
    }
}

/// Run scenario text `sc` (payloads keep the bytes written) under seed 1, recording the trace; no invariant may break.
pub fn run_recorded(sc: &str) -> Rec {
    let model = lambdasim::load_str(sc).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    let report = lambdasim::run(&model, 1, lambdasim::RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    rec
}
