//! Amazon DocumentDB clusters whose change stream an event source mapping reads (`AWS::DocDB::DBCluster`), and the
//! mapping's `DocumentDBEventSourceConfig` (Lambda DG with-documentdb.html; CloudFormation
//! `AWS::Lambda::EventSourceMapping DocumentDBEventSourceConfig`; spec 5.7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An Amazon DocumentDB cluster with change streams enabled: its ARN is
/// `arn:aws:rds:<region>:<account>:cluster:<DBClusterIdentifier>`. Producers write to `<cluster>/<db>.<collection>`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DocumentDbClusterSpec {
    /// The cluster's identifier (1 to 63 letters, digits and `-`, starting with a letter).
    #[serde(rename = "DBClusterIdentifier")]
    pub db_cluster_identifier: String,
    /// The cluster parameter `change_stream_log_retention_duration`: seconds change events are kept (3600 to 604800,
    /// default 10800 = 3 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 3600, max = 604800))]
    pub change_stream_log_retention_duration: Option<i64>,
}

/// A DocumentDB mapping's `DocumentDBEventSourceConfig`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DocumentDbEventSourceConfigSpec {
    /// The database whose changes the mapping reads (1 to 63 characters).
    pub database_name: String,
    /// The collection within it (1 to 57 characters; default: every collection of the database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_name: Option<String>,
    /// `Default` (updates carry the changed fields only) or `UpdateLookup` (also the whole document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["Default", "UpdateLookup"]))]
    pub full_document: Option<String>,
}
