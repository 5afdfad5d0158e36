//! `insta` snapshots of one event per source kind of the catalogue (spec section 7, docs/sources.md): the exact event
//! each service sends for a fixed context and default options, so that any change to a shape shows up in review.
//! (`tests/sources.rs` checks selected shapes field by field, with options.)

use serde_json::{json, Value};

use lambdasim::aws::events::{build_event, EventCtx, SourceKind};

#[test]
fn one_event_per_source_kind() {
    let options = Value::Object(Default::default());
    let payload = json!({ "orderId": 42, "note": "hello" });
    for kind in SourceKind::ALL {
        let ctx = EventCtx {
            region: "us-east-1",
            account_id: "123456789012",
            // 2023-11-14T22:13:20.123Z
            epoch_ms: 1_700_000_000_123,
            key: 7,
            n: 3,
            options: &options,
            payload: &payload,
        };
        let event = build_event(kind, &ctx);
        insta::assert_json_snapshot!(format!("event_{}", kind.name()), event);
    }
}
