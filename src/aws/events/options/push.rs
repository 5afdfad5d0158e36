//! Validation of the options of the push sources added for issue 19 (`events::push` and `events::services`): the same
//! rules as its parent `options` (unknown names refused, then types, then values against AWS's enumerations), with the enumerations the
//! builders use. `docs/sources.md` lists every option with its default.

use serde_json::Value;

use super::super::push::{
    AUTHORIZER_API_TYPES, AUTHORIZER_PAYLOAD_VERSIONS, AUTHORIZER_TYPES, LATTICE_VERSIONS, URL_AUTH_TYPES, URL_INVOKE_MODES,
};
use super::super::services::{
    ALEXA_REQUESTS, APPSYNC_AUTH, CONNECT_CHANNELS, CONNECT_INITIATION, IOT_EVENTS_TRIGGERS, JOB_RESULTS, LEX_V1_CONFIRMATION,
    LEX_V1_MODES, LEX_V1_SOURCES, ROTATION_STEPS, S3_BATCH_SCHEMAS,
};
use super::super::SourceKind;
use super::{Checked, Checker};

/// The HTTP request options shared by the HTTP-like sources.
const REQUEST: &[&str] = &["Method", "Path", "Query", "Headers", "Body", "IsBase64Encoded", "SourceIp", "UserAgent"];

/// Checks the options of a push source of issue 19; other kinds are `options`' own.
pub(super) fn check(kind: SourceKind, c: &Checker) -> Checked {
    match kind {
        SourceKind::FunctionUrl => function_url(c),
        SourceKind::ApiGatewayAuthorizer => authorizer(c),
        SourceKind::ApiGatewayWebSocket => websocket(c),
        SourceKind::VpcLattice => lattice(c),
        SourceKind::AppSync => appsync(c),
        SourceKind::S3ObjectLambda => {
            c.keys(&["AccessPointName", "SupportingAccessPointName", "Key", "Payload", "UserName"])?;
            c.strings(&["AccessPointName", "SupportingAccessPointName", "Key", "UserName"])?;
            c.nonempty("AccessPointName")?;
            c.nonempty("SupportingAccessPointName")
        }
        SourceKind::SecretsManager => {
            c.keys(&["SecretId", "Step", "RotationAttempts", "RotationRetryDelaySeconds"])?;
            c.strings(&["SecretId"])?;
            c.nonempty("SecretId")?;
            c.one_of("Step", &ROTATION_STEPS)?;
            if c.get("Step").is_some() {
                for k in ["RotationAttempts", "RotationRetryDelaySeconds"] {
                    if let Some(v) = c.get(k) {
                        return Err(c.bad(k, v, "nothing with Step (retries are of whole rotations)"));
                    }
                }
            }
            match c.get("RotationAttempts") {
                Some(v) if v.as_u64().is_none_or(|a| !(1..=100).contains(&a)) => {
                    return Err(c.bad("RotationAttempts", v, "an integer from 1 to 100"))
                }
                _ => {}
            }
            match c.get("RotationRetryDelaySeconds") {
                Some(v) if v.as_f64().is_none_or(|d| !(0.0..=86_400.0).contains(&d)) => {
                    Err(c.bad("RotationRetryDelaySeconds", v, "a number of seconds from 0 to 86400"))
                }
                _ => Ok(()),
            }
        }
        SourceKind::CodePipeline => {
            c.keys(&[
                "FunctionName",
                "UserParameters",
                "InputArtifacts",
                "OutputArtifacts",
                "ArtifactBucket",
                "ContinuationToken",
                "JobResult",
            ])?;
            c.strings(&["FunctionName", "ArtifactBucket", "ContinuationToken"])?;
            c.one_of("JobResult", &JOB_RESULTS)?;
            c.list("InputArtifacts")?;
            c.list("OutputArtifacts")
        }
        SourceKind::S3Batch => s3_batch(c),
        SourceKind::Connect => {
            c.keys(&["Channel", "InitiationMethod", "QueueName", "Attributes", "CustomerPhoneNumber", "SystemPhoneNumber"])?;
            c.one_of("Channel", CONNECT_CHANNELS)?;
            c.one_of("InitiationMethod", CONNECT_INITIATION)?;
            c.strings(&["QueueName", "CustomerPhoneNumber", "SystemPhoneNumber"])?;
            c.scalar_map("Attributes")
        }
        SourceKind::IoTEvents => {
            c.keys(&[
                "DetectorModelName",
                "DetectorModelVersion",
                "KeyValue",
                "StateName",
                "InputName",
                "TriggerType",
                "EventName",
                "Timers",
            ])?;
            c.strings(&["DetectorModelName", "DetectorModelVersion", "KeyValue", "StateName", "InputName", "EventName"])?;
            c.nonempty("DetectorModelName")?;
            c.one_of("TriggerType", IOT_EVENTS_TRIGGERS)?;
            c.object("Timers")
        }
        SourceKind::AlexaSkillsKit => {
            c.keys(&["SkillName", "UserId", "RequestType", "IntentName", "Locale", "Reason", "NewSession", "SessionAttributes"])?;
            c.strings(&["SkillName", "UserId", "IntentName", "Locale", "Reason"])?;
            c.one_of("RequestType", ALEXA_REQUESTS)?;
            c.nonempty("IntentName")?;
            c.boolean("NewSession")?;
            c.object("SessionAttributes")
        }
        SourceKind::LexV1 => {
            c.keys(&[
                "BotName",
                "BotAlias",
                "BotVersion",
                "IntentName",
                "InvocationSource",
                "OutputDialogMode",
                "UserId",
                "InputTranscript",
                "SessionAttributes",
                "RequestAttributes",
                "ConfirmationStatus",
            ])?;
            c.strings(&["BotName", "BotAlias", "BotVersion", "IntentName", "UserId", "InputTranscript"])?;
            c.nonempty("IntentName")?;
            c.one_of("InvocationSource", LEX_V1_SOURCES)?;
            c.one_of("OutputDialogMode", LEX_V1_MODES)?;
            c.one_of("ConfirmationStatus", LEX_V1_CONFIRMATION)?;
            c.scalar_map("SessionAttributes")?;
            c.scalar_map("RequestAttributes")
        }
        SourceKind::CognitoSync => {
            c.keys(&["IdentityPoolId", "IdentityId", "DatasetName", "OldValues"])?;
            c.strings(&["IdentityPoolId", "IdentityId", "DatasetName"])?;
            c.nonempty("DatasetName")?;
            c.scalar_map("OldValues")
        }
        // Every other kind is checked by `options`; nothing reaches here.
        _ => Ok(()),
    }
}

/// The options of the HTTP request (method, path, query, headers, body, client).
fn request(c: &Checker) -> Checked {
    c.http_method("Method")?;
    c.prefixed("Path", "/")?;
    c.strings(&["SourceIp", "UserAgent"])?;
    c.multi_map("Query")?;
    c.multi_map("Headers")?;
    c.boolean("IsBase64Encoded")
}

fn function_url(c: &Checker) -> Checked {
    let mut keys = REQUEST.to_vec();
    keys.extend(["Cookies", "AuthType", "InvokeMode"]);
    c.keys(&keys)?;
    request(c)?;
    c.list("Cookies")?;
    c.one_of("AuthType", URL_AUTH_TYPES)?;
    c.one_of("InvokeMode", URL_INVOKE_MODES)
}

fn authorizer(c: &Checker) -> Checked {
    let mut keys = REQUEST.to_vec();
    keys.extend([
        "Type",
        "Token",
        "IdentitySource",
        "Resource",
        "Stage",
        "PathParameters",
        "StageVariables",
        "ApiId",
        "BackendFunction",
        "ResultTtlSeconds",
        "ApiType",
        "PayloadFormatVersion",
        "EnableSimpleResponses",
        "RouteKey",
        "Cookies",
    ]);
    c.keys(&keys)?;
    request(c)?;
    c.one_of("Type", AUTHORIZER_TYPES)?;
    c.one_of("ApiType", AUTHORIZER_API_TYPES)?;
    c.one_of("PayloadFormatVersion", AUTHORIZER_PAYLOAD_VERSIONS)?;
    c.boolean("EnableSimpleResponses")?;
    c.strings(&["RouteKey"])?;
    c.list("Cookies")?;
    // HTTP APIs: REQUEST authorizers only, with a payload format; simple responses need payload 2.0
    // (http-api-lambda-authorizer.html). The HTTP-only options have no effect on a REST API's authorizer.
    let http = c.get("ApiType").and_then(Value::as_str) == Some("HTTP");
    if http {
        if let Some(v) = c.get("Type").filter(|t| t.as_str() == Some("TOKEN")) {
            return Err(c.bad("Type", v, "REQUEST (HTTP APIs have REQUEST authorizers only)"));
        }
        if c.get("PayloadFormatVersion").and_then(Value::as_str) == Some("1.0") {
            if let Some(v) = c.get("EnableSimpleResponses").filter(|b| b.as_bool() == Some(true)) {
                return Err(c.bad("EnableSimpleResponses", v, "false with PayloadFormatVersion 1.0 (simple responses need 2.0)"));
            }
        }
    } else {
        for k in ["PayloadFormatVersion", "EnableSimpleResponses", "RouteKey", "Cookies"] {
            if let Some(v) = c.get(k) {
                return Err(c.bad(k, v, "nothing for a REST API's authorizer (it is an HTTP API option: give ApiType HTTP)"));
            }
        }
    }
    c.strings(&["Token", "Stage", "ApiId", "BackendFunction"])?;
    c.nonempty("Stage")?;
    c.nonempty("BackendFunction")?;
    c.prefixed("Resource", "/")?;
    c.list("IdentitySource")?;
    c.scalar_map("PathParameters")?;
    c.scalar_map("StageVariables")?;
    // AuthorizerResultTtlInSeconds: 0 (no caching) to 3600 (API Gateway's `AWS::ApiGateway::Authorizer`).
    match c.get("ResultTtlSeconds") {
        Some(v) if v.as_u64().is_none_or(|t| t > 3600) => Err(c.bad("ResultTtlSeconds", v, "an integer from 0 to 3600")),
        _ => Ok(()),
    }
}

fn websocket(c: &Checker) -> Checked {
    let mut keys = REQUEST.to_vec();
    keys.extend([
        "RouteKey",
        "ApiId",
        "Stage",
        "ConnectionId",
        "ConnectedAt",
        "DisconnectStatusCode",
        "DisconnectReason",
        "Messages",
        "MessageIntervalSeconds",
    ]);
    c.keys(&keys)?;
    request(c)?;
    // A whole connection: `$connect`, `Messages` messages on `RouteKey`, `$disconnect`.
    match c.get("Messages") {
        Some(v) if v.as_u64().is_none_or(|m| m > 1000) => return Err(c.bad("Messages", v, "an integer from 0 to 1000")),
        Some(_) => {
            if let Some(v) = c.get("RouteKey").filter(|r| matches!(r.as_str(), Some("$connect" | "$disconnect"))) {
                return Err(c.bad("RouteKey", v, "the route of the connection's messages ($default or a custom route) with Messages"));
            }
        }
        None => {
            if let Some(v) = c.get("MessageIntervalSeconds") {
                return Err(c.bad("MessageIntervalSeconds", v, "nothing without Messages (it spaces a connection's messages)"));
            }
        }
    }
    match c.get("MessageIntervalSeconds") {
        Some(v) if v.as_f64().is_none_or(|d| !(0.0..=7200.0).contains(&d)) => {
            return Err(c.bad("MessageIntervalSeconds", v, "a number of seconds from 0 to 7200"))
        }
        _ => {}
    }
    c.strings(&["RouteKey", "ApiId", "Stage", "ConnectionId", "DisconnectReason"])?;
    c.nonempty("RouteKey")?;
    c.nonempty("Stage")?;
    c.nonempty("ConnectionId")?;
    c.uint("ConnectedAt", 0)?;
    match c.get("DisconnectStatusCode") {
        Some(v) if v.as_u64().is_none_or(|s| !(1000..=4999).contains(&s)) => {
            Err(c.bad("DisconnectStatusCode", v, "a WebSocket close code from 1000 to 4999"))
        }
        _ => Ok(()),
    }
}

fn lattice(c: &Checker) -> Checked {
    let mut keys = REQUEST.to_vec();
    keys.extend(["Version", "ServiceName", "AuthType"]);
    c.keys(&keys)?;
    request(c)?;
    c.one_of("Version", LATTICE_VERSIONS)?;
    c.strings(&["ServiceName"])?;
    c.nonempty("ServiceName")?;
    c.one_of("AuthType", URL_AUTH_TYPES)
}

fn appsync(c: &Checker) -> Checked {
    c.keys(&["BatchSize", "AuthorizationType", "FieldName", "ParentTypeName", "SelectionSetList", "Source"])?;
    c.strings(&["FieldName", "ParentTypeName"])?;
    c.nonempty("FieldName")?;
    c.nonempty("ParentTypeName")?;
    c.one_of("AuthorizationType", APPSYNC_AUTH)?;
    c.list("SelectionSetList")?;
    c.object("Source")?;
    // A resolver's MaxBatchSize: 0 to 2000 (AWS::AppSync::Resolver); 1 is a single invoke.
    match c.get("BatchSize") {
        Some(v) if v.as_u64().is_none_or(|b| !(1..=2000).contains(&b)) => Err(c.bad("BatchSize", v, "an integer from 1 to 2000")),
        _ => Ok(()),
    }
}

fn s3_batch(c: &Checker) -> Checked {
    c.keys(&[
        "InvocationSchemaVersion",
        "Bucket",
        "Key",
        "VersionId",
        "UserArguments",
        "JobName",
        "TaskId",
        "MaxTaskAttempts",
        "RetryDelaySeconds",
    ])?;
    c.one_of("InvocationSchemaVersion", S3_BATCH_SCHEMAS)?;
    c.strings(&["Bucket", "Key", "VersionId", "JobName", "TaskId"])?;
    c.nonempty("Bucket")?;
    c.nonempty("TaskId")?;
    c.object("UserArguments")?;
    if c.get("UserArguments").is_some() && c.get("InvocationSchemaVersion").and_then(Value::as_str) != Some("2.0") {
        let v = c.get("UserArguments").unwrap_or(&Value::Null);
        return Err(c.bad("UserArguments", v, "nothing with InvocationSchemaVersion 1.0 (user arguments need schema 2.0)"));
    }
    match c.get("MaxTaskAttempts") {
        Some(v) if v.as_u64().is_none_or(|a| !(1..=100).contains(&a)) => {
            return Err(c.bad("MaxTaskAttempts", v, "an integer from 1 to 100"))
        }
        _ => {}
    }
    match c.get("RetryDelaySeconds") {
        Some(v) if v.as_f64().is_none_or(|d| !(0.0..=3600.0).contains(&d)) => {
            Err(c.bad("RetryDelaySeconds", v, "a number of seconds from 0 to 3600"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::check_options;
    use super::*;
    use serde_json::json;

    #[test]
    fn bad_options_name_the_path_and_what_is_allowed() {
        let e = check_options(SourceKind::FunctionUrl, &json!({"InvokeMode": "STREAM"})).unwrap_err();
        assert_eq!(e.0, "InvokeMode");
        assert!(e.1.contains("BUFFERED, RESPONSE_STREAM"), "{}", e.1);
        let e = check_options(SourceKind::S3Batch, &json!({"UserArguments": {"a": "b"}})).unwrap_err();
        assert_eq!(e.0, "UserArguments");
        let e = check_options(SourceKind::SecretsManager, &json!({"Step": "rotate"})).unwrap_err();
        assert!(e.1.contains("createSecret, setSecret, testSecret, finishSecret"), "{}", e.1);
        let e = check_options(SourceKind::ApiGatewayAuthorizer, &json!({"ResultTtlSeconds": 4000})).unwrap_err();
        assert_eq!(e.0, "ResultTtlSeconds");
        assert!(check_options(SourceKind::AppSync, &json!({"BatchSize": 5, "FieldName": "posts"})).is_ok());
        let e = check_options(SourceKind::LexV1, &json!({"Bot": "x"})).unwrap_err();
        assert!(e.1.contains("has no option \"Bot\""), "{}", e.1);
    }
}
