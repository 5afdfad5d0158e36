//! What the function of an Amazon DocumentDB mapping receives (spec 5.7): the batch's event (`{"eventSourceArn",
//! "events": [{"event": ...}], "eventSource": "aws:docdb"}`, built by [`crate::aws::events::docdb`]) with the
//! mapping's `FullDocument`, and which namespaces a mapping reads (`DatabaseName`, `CollectionName`): changes of other
//! collections are not the mapping's and get the fate `Filtered` for it. The change stream itself is a one-shard
//! stream read by the stream lanes (`sim/esm/streams.rs`): in order, one batch at a time, a failed batch retried
//! until it succeeds or its changes pass the retention.

use serde_json::Value;

use super::Rec;
use crate::aws::events::docdb::{change_event, docdb_event, DocChange};
use crate::aws::events::{chars, LOWER_HEX};
use crate::kernel::rng::splitmix;
use crate::model::{Mapping, Model, Stream};

/// One change event of record `r` (`update_lookup`: updates carry the whole document).
pub(in crate::sim::esm) fn change(model: &Model, r: &Rec, update_lookup: bool) -> Value {
    let (db, coll) = r.pk.split_once('.').unwrap_or((&r.pk, ""));
    let ms = model.settings.start_epoch_ms + (r.arrival.as_micros() / 1000) as i64;
    change_event(&DocChange {
        seq: r.seq,
        epoch_s: ms.div_euclid(1000),
        db,
        coll,
        op: r.event_name as usize,
        doc: &r.data,
        oid: chars(splitmix(r.key ^ 0xd0cd), 0xd0_01, 24, LOWER_HEX),
        update_lookup,
    })
}

/// The event of a batch of `recs` for mapping `m`.
pub(in crate::sim::esm) fn batch_event(model: &Model, m: &Mapping, st: &Stream, recs: &[Rec]) -> Value {
    let lookup = m.docdb.as_ref().is_some_and(|d| d.update_lookup);
    docdb_event(&st.arn, recs.iter().map(|r| change(model, r, lookup)).collect())
}

/// A change the mapping does not read: another database or collection than its `DocumentDBEventSourceConfig`.
pub(in crate::sim::esm) fn outside(m: &Mapping, r: &Rec) -> bool {
    m.docdb.as_ref().is_some_and(|d| !d.reads(&r.pk))
}
