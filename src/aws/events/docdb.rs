//! The event an Amazon DocumentDB event source mapping sends (spec 5.7): `{"eventSourceArn", "events": [{"event":
//! <change event>}], "eventSource": "aws:docdb"}`, each change event with MongoDB's change-event fields (`_id` resume
//! token, `clusterTime`, `documentKey`, `fullDocument`, `ns`, `operationType`, and for updates
//! `updateDescription`), in the key order and formats of the example in Lambda DG with-documentdb.html (copied in
//! `tests/conformance/samples/lambda-developer-guide/docdb-event.json`) and MongoDB's change-event reference.

use serde_json::{json, Map, Value};

/// The operations a change event reports, as `operationType` spells them.
pub const DOCDB_OPERATIONS: [&str; 4] = ["insert", "update", "replace", "delete"];

/// One change as the stream holds it.
#[derive(Debug, Clone)]
pub struct DocChange<'a> {
    /// The change's position in the cluster's change stream (resume token, `clusterTime` increment).
    pub seq: u64,
    /// Epoch seconds of the change (`clusterTime.$timestamp.t`).
    pub epoch_s: i64,
    /// `db` and `coll`.
    pub db: &'a str,
    /// The collection.
    pub coll: &'a str,
    /// Index into [`DOCDB_OPERATIONS`].
    pub op: usize,
    /// The document written (insert, replace), or the fields set (update); its `_id` if it has one.
    pub doc: &'a Value,
    /// A 24-hex-digit ObjectId for a document without `_id`.
    pub oid: String,
    /// `FullDocument: UpdateLookup`: updates also carry the document.
    pub update_lookup: bool,
}

/// The document's `_id`: its own, or `{"$oid": ...}` in extended JSON.
fn doc_id(c: &DocChange<'_>) -> Value {
    c.doc.get("_id").cloned().unwrap_or_else(|| json!({ "$oid": c.oid }))
}

/// The document with its `_id` first.
fn with_id(c: &DocChange<'_>) -> Value {
    let mut out = Map::new();
    out.insert("_id".into(), doc_id(c));
    match c.doc {
        Value::Object(m) => {
            for (k, v) in m {
                if k != "_id" {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        other => {
            out.insert("value".into(), other.clone());
        }
    }
    Value::Object(out)
}

/// One change event (the value of `events[].event`).
pub fn change_event(c: &DocChange<'_>) -> Value {
    let op = DOCDB_OPERATIONS[c.op % DOCDB_OPERATIONS.len()];
    let mut e = Map::new();
    e.insert("_id".into(), json!({ "_data": format!("01{:08x}{:016x}{:010x}", c.epoch_s, c.seq, c.seq % 0xff_ffff) }));
    e.insert("clusterTime".into(), json!({ "$timestamp": { "t": c.epoch_s, "i": (c.seq % 1_000_000) + 1 } }));
    e.insert("documentKey".into(), json!({ "_id": doc_id(c) }));
    // Inserts and replaces carry the document; updates only with `FullDocument: UpdateLookup`; deletes never.
    if op == "insert" || op == "replace" || (op == "update" && c.update_lookup) {
        e.insert("fullDocument".into(), with_id(c));
    }
    e.insert("ns".into(), json!({ "db": c.db, "coll": c.coll }));
    e.insert("operationType".into(), json!(op));
    if op == "update" {
        let mut fields = match with_id(c) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        fields.remove("_id");
        e.insert("updateDescription".into(), json!({ "updatedFields": fields, "removedFields": [], "truncatedArrays": [] }));
    }
    Value::Object(e)
}

/// A batch's event.
pub fn docdb_event(cluster_arn: &str, events: Vec<Value>) -> Value {
    let events: Vec<Value> = events.into_iter().map(|e| json!({ "event": e })).collect();
    json!({ "eventSourceArn": cluster_arn, "events": events, "eventSource": "aws:docdb" })
}
