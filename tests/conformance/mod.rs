//! Conformance with what AWS was recorded doing. One test per recorded fact; each names where the recording is (see
//! `docs/conformance.md` for the list, with the recording's date and public source). The recordings are real AWS
//! responses stored by LocalStack's tests marked `aws.validated` (`*.snapshot.json`); where LocalStack itself
//! differs, the AWS values are the truth.
//!
//! The folder is compiled into the `suite` test binary (one binary links once).

mod async_invoke;
mod docdb;
mod events;
mod firehose;
mod kafka;
mod mq;
mod push;
mod shape;
mod sqs;
mod streams;
