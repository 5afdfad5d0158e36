//! A whole API Gateway WebSocket connection (issue 19, spec section 7): a source with the `Messages` option sends, per
//! arrival, `$connect`, then `Messages` messages on its `RouteKey` (`$default` or a custom route), then
//! `$disconnect`, each a synchronous invocation of the route's integration with one `connectionId` and `connectedAt`
//! (websocket-api-develop-routes.html, websocket-api-route-keys-connect-disconnect.html).
//!
//! `$connect` decides whether there is a connection: a function error, timeout or throttle, or a response whose
//! `statusCode` is not 2xx, rejects it, so no message route and no `$disconnect` is invoked for it ("If the $connect
//! route integration ... returns an error, the connection is refused"; a response without `statusCode` accepts it).
//! Messages come `MessageIntervalSeconds` (default 1) after the previous event's answer, whatever that answer was (a
//! failed message is the client's error, the connection stays open); `$disconnect` comes the same interval after the
//! last message's answer.

use std::sync::Arc;

use serde_json::Value;

use super::{Call, Chain, CHAIN_SALT};
use crate::aws::destinations;
use crate::aws::events::SourceKind;
use crate::aws::payload::Payload;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::sim::{Ev, Sim};
use crate::trace::Observer;
use crate::vocab::CallOutcome;

/// Seconds between a connection's events by default.
const DEFAULT_INTERVAL_S: f64 = 1.0;

impl<'m, O: Observer> Sim<'m, O> {
    /// Event `step` of a connection is answered: the connection's next event, if any.
    pub(super) fn websocket_next(&mut self, call: &Call, step: u32, outcome: CallOutcome) {
        let si = call.source as usize;
        let options = self.source_options(si);
        let messages = options.get("Messages").and_then(Value::as_u64).unwrap_or(0) as u32;
        if step == 0 {
            let status = call.response.as_ref().and_then(|r| r.get("statusCode")).and_then(Value::as_u64);
            let accepted = outcome == CallOutcome::Ok && status.is_none_or(|s| (200..300).contains(&s));
            if !accepted {
                return;
            }
        }
        if step > messages {
            return;
        }
        let next = step + 1;
        let route = if next <= messages { options.get("RouteKey").and_then(Value::as_str).unwrap_or("$default") } else { "$disconnect" };
        let rc = &call.payload.value["requestContext"];
        let (connection, connected_at) = (rc["connectionId"].clone(), rc["connectedAt"].clone());
        let interval = options.get("MessageIntervalSeconds").and_then(Value::as_f64).unwrap_or(DEFAULT_INTERVAL_S);
        let mut options = options.clone();
        if let Value::Object(m) = &mut options {
            m.remove("Messages");
            m.remove("MessageIntervalSeconds");
            m.insert("RouteKey".into(), Value::String(route.to_string()));
            m.insert("ConnectionId".into(), connection);
            m.insert("ConnectedAt".into(), connected_at);
        }
        let at = self.k.now() + SimTime::from_micros(crate::kernel::time::round_u64(interval * 1e6));
        let raw = self.model.sources[si].template.instantiate(call.n, self.next_event);
        let ev = self.push_event_at(at, (SourceKind::ApiGatewayWebSocket, si, call.n, 0x3b_5000 + u64::from(next)), &options, &raw, None);
        let size = destinations::json_size(&ev);
        let payload = Payload { value: Arc::new(ev), text: None };
        let key = splitmix(call.key ^ CHAIN_SALT ^ 0x3b_5000 ^ u64::from(next));
        let c = self.new_call(si, call.function, call.qual, key, payload, size, call.n, Chain::WebSocket { step: next });
        self.k.schedule_at(at, Ev::CallRetry { call: c });
    }
}
