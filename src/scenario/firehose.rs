//! Amazon Data Firehose delivery streams of a scenario (`DeliveryStreams`), in CloudFormation's shape
//! (`AWS::KinesisFirehose::DeliveryStream` with a `ProcessingConfiguration` whose `Lambda` processor transforms the
//! records; `ProcessorParameter` values are strings, as in the API). Firehose invokes the function synchronously with
//! each buffered batch (<https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html>); the bounds and
//! defaults of the parameters are in
//! <https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html>.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A delivery stream (`AWS::KinesisFirehose::DeliveryStream`, `DirectPut`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DeliveryStreamSpec {
    /// 1 to 64 characters of letters, digits, `_`, `-` and `.`.
    pub delivery_stream_name: String,
    /// `DirectPut` (the default; records come from `Workload` producers). Other sources are not simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["DirectPut"]))]
    pub delivery_stream_type: Option<String>,
    /// The Lambda transformation (as in `ExtendedS3DestinationConfiguration.ProcessingConfiguration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<ProcessingConfigurationSpec>,
    /// The S3 destination as CloudFormation writes it; its `ProcessingConfiguration` may stand here instead of at
    /// the top of the stream (not both). `BucketARN` and the prefixes name where records go (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_s3_destination_configuration: Option<ExtendedS3Spec>,
}

/// The parts of `ExtendedS3DestinationConfiguration` that matter here.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ExtendedS3Spec {
    /// The destination bucket's ARN (informational: delivered records are counted, not stored).
    #[serde(rename = "BucketARN", default, skip_serializing_if = "Option::is_none")]
    pub bucket_arn: Option<String>,
    /// The S3 prefix of delivered records (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Where processing-failed records go (default `processing-failed/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_output_prefix: Option<String>,
    /// The Lambda transformation (instead of the stream's own `ProcessingConfiguration`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_configuration: Option<ProcessingConfigurationSpec>,
}

/// `ProcessingConfiguration`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProcessingConfigurationSpec {
    /// Default false, as in the API: without `"Enabled": true` records are delivered untransformed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The processors: exactly one of `Type` `Lambda` when `Enabled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processors: Vec<ProcessorSpec>,
}

/// A processor: `Type` `Lambda` with its parameters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProcessorSpec {
    /// The processor type; `Lambda` is the one simulated.
    #[serde(rename = "Type")]
    #[schemars(extend("enum" = ["Lambda"]))]
    pub kind: String,
    /// The processor's parameters (`LambdaArn` is required).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ProcessorParameterSpec>,
}

/// A `ProcessorParameter`: `LambdaArn`, `NumberOfRetries` (0–300, default 3), `BufferSizeInMBs` (0.2–3, default 1),
/// `BufferIntervalInSeconds` (0–900, default 60), `RoleArn` (accepted, not used). Values are strings, as in the API.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProcessorParameterSpec {
    /// `LambdaArn`, `NumberOfRetries`, `BufferSizeInMBs`, `BufferIntervalInSeconds` or `RoleArn`.
    #[schemars(extend("enum" = ["LambdaArn", "NumberOfRetries", "BufferSizeInMBs", "BufferIntervalInSeconds", "RoleArn"]))]
    pub parameter_name: String,
    /// The value, as a string (`"3"`, `"arn:aws:lambda:..."`).
    pub parameter_value: String,
}
