//! The integration test suite: one test binary, one module per area (a single binary links once, so the suite
//! builds in a fraction of the time eighteen binaries took).

mod async_semantics;
mod campaign_payloads;
mod cli;
mod common;
mod concurrency_property;
mod determinism_scale;
mod digests;
mod eic_changes;
mod esm;
mod esm_properties;
mod esm_validation;
mod explore_bundled;
mod fanout;
mod firehose;
mod fuzz_mutation;
mod handlers_inprocess;
mod handlers_process;
mod kafka;
mod layout;
mod mq;
mod properties;
mod provisioned_versions;
mod push_sources;
mod reliability_budget;
mod reliability_io;
mod report;
mod schema;
mod seeds;
mod source_expectations;
mod source_snapshots;
mod sources;
mod strategies;
mod sweeps;
mod template;
mod theory;
mod user_property;

#[path = "../conformance/mod.rs"]
mod conformance;
