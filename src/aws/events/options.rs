//! Validation of the scenario options of each source kind ([`check_options`]): unknown names, wrong types and values
//! outside AWS's enumerations are refused with the JSON sub-path and a message naming what is allowed. The
//! enumerations are the ones the builders use (S3 event types, Cognito trigger sources, CloudFront event types, ...),
//! taken from the AWS pages cited in `messaging`, `streams`, `http` and `apps`; `docs/sources.md` lists every option.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::apps::{iot_function, CFN_REQUESTS, CODECOMMIT_EVENTS, COGNITO_TRIGGERS, CONFIG_MESSAGES, LEX_MODES, LEX_SOURCES};
use super::http::{EDGE_EVENTS, HTTP_METHODS};
use super::messaging::{sqs_attr_base, S3_EVENTS, SES_VERDICTS, SNS_ATTR_TYPES, SQS_TYPES};
use super::streams::{DDB_EVENTS, DDB_VIEWS};
use super::{short, SourceKind};

mod push;

/// Validation of the options for a kind: Err((json sub-path, message naming the bad value and what is allowed)).
///
/// `null` options mean "all defaults". Unknown option names are rejected (they are usually typos); a `null` value
/// counts as absent. Each kind's checks run in a fixed order (names, then types, then values), so the first problem
/// reported is always the same one.
pub fn check_options(kind: SourceKind, options: &serde_json::Value) -> Result<(), (String, String)> {
    let m = match options {
        Value::Null => return Ok(()),
        Value::Object(m) => m,
        other => return Err((String::new(), format!("{} options must be a JSON object, got {}", kind.name(), short(other)))),
    };
    let c = Checker { kind: kind.name(), m };
    match kind {
        // Messaging (`messaging`).
        SourceKind::S3 => s3(&c),
        SourceKind::Sns => sns(&c),
        SourceKind::Ses => ses(&c),
        SourceKind::Sqs => sqs(&c),
        // Streams (`streams`).
        SourceKind::Kinesis => kinesis(&c),
        SourceKind::DynamoDb => dynamodb(&c),
        SourceKind::CloudWatchLogs => cloudwatch_logs(&c),
        SourceKind::Firehose => firehose(&c),
        // HTTP (`http`).
        SourceKind::ApiGatewayRest | SourceKind::ApiGatewayHttp | SourceKind::Alb => api_gateway_or_alb(&c, kind),
        SourceKind::CloudFrontEdge => cloudfront(&c),
        // Applications (`apps`).
        SourceKind::Cognito => cognito(&c),
        SourceKind::CloudFormation => cloudformation(&c),
        SourceKind::EventBridge => eventbridge(&c),
        SourceKind::CodeCommit => codecommit(&c),
        SourceKind::Config => config(&c),
        SourceKind::Alexa => alexa(&c),
        SourceKind::Lex => lex(&c),
        SourceKind::IoT => iot(&c),
        SourceKind::OnDemand => c.keys(&[]),
        // The push sources of issue 19 (`push`, `services`).
        other => push::check(other, &c),
    }
}

// ---- Messaging: S3, SNS, SES, SQS.

fn s3(c: &Checker) -> Checked {
    c.keys(&["Bucket", "Key", "EventName", "Size", "VersionId", "ConfigurationId", "EventVersion"])?;
    c.strings(&["Bucket", "Key", "VersionId", "ConfigurationId"])?;
    c.nonempty("Bucket")?;
    if let Some(v) = c.get("EventName") {
        let s = c.string_value("EventName", v)?;
        if !S3_EVENTS.contains(&s.strip_prefix("s3:").unwrap_or(s)) {
            return Err(c.bad("EventName", v, &format!("an S3 event type: {}", S3_EVENTS.join(", "))));
        }
    }
    c.one_of("EventVersion", &["2.1", "2.2", "2.3", "2.4", "2.5"])?;
    c.uint("Size", 0)
}

fn sns(c: &Checker) -> Checked {
    c.keys(&["TopicArn", "Subject", "MessageAttributes"])?;
    c.prefixed("TopicArn", "arn:aws:sns:")?;
    c.strings(&["Subject"])?;
    c.attributes("MessageAttributes", "Type", SNS_ATTR_TYPES, false)
}

fn ses(c: &Checker) -> Checked {
    let verdicts = ["SpamVerdict", "VirusVerdict", "SpfVerdict", "DkimVerdict", "DmarcVerdict"];
    let mut keys = vec!["From", "To", "Subject", "FunctionArn", "InvocationType"];
    keys.extend(verdicts);
    c.keys(&keys)?;
    c.strings(&["From", "Subject"])?;
    c.list("To")?;
    c.prefixed("FunctionArn", "arn:aws:lambda:")?;
    c.one_of("InvocationType", &["Event", "RequestResponse"])?;
    for v in verdicts {
        c.one_of(v, SES_VERDICTS)?;
    }
    Ok(())
}

fn sqs(c: &Checker) -> Checked {
    c.keys(&["QueueArn", "QueueName", "MessageAttributes", "ReceiveCount", "SenderId", "MessageGroupId", "MessageDeduplicationId"])?;
    c.prefixed("QueueArn", "arn:aws:sqs:")?;
    c.strings(&["QueueName", "SenderId", "MessageGroupId", "MessageDeduplicationId"])?;
    c.nonempty("QueueName")?;
    c.uint("ReceiveCount", 1)?;
    c.attributes("MessageAttributes", "DataType", SQS_TYPES, true)
}

// ---- Streams: Kinesis, DynamoDB, CloudWatch Logs, Firehose.

fn kinesis(c: &Checker) -> Checked {
    c.keys(&["StreamArn", "StreamName", "PartitionKey", "ShardId", "RoleArn"])?;
    c.prefixed("StreamArn", "arn:aws:kinesis:")?;
    c.prefixed("RoleArn", "arn:aws:iam::")?;
    c.prefixed("ShardId", "shardId-")?;
    c.strings(&["StreamName", "PartitionKey"])?;
    c.nonempty("PartitionKey")
}

fn dynamodb(c: &Checker) -> Checked {
    c.keys(&["TableName", "EventName", "StreamViewType", "KeyAttributes", "OldImage", "StreamLabel"])?;
    c.strings(&["TableName", "StreamLabel"])?;
    c.nonempty("TableName")?;
    c.one_of("EventName", DDB_EVENTS)?;
    c.one_of("StreamViewType", DDB_VIEWS)?;
    c.list("KeyAttributes")?;
    c.object("OldImage")
}

fn cloudwatch_logs(c: &Checker) -> Checked {
    c.keys(&["LogGroup", "LogStream", "SubscriptionFilters", "LogEvents"])?;
    c.strings(&["LogGroup", "LogStream"])?;
    c.nonempty("LogGroup")?;
    c.list("SubscriptionFilters")?;
    let Some(v) = c.get("LogEvents") else { return Ok(()) };
    let a =
        v.as_array().ok_or_else(|| c.bad("LogEvents", v, "an array of log messages (strings or {\"message\", \"timestamp\"} objects)"))?;
    for (i, e) in a.iter().enumerate() {
        let path = format!("LogEvents[{i}]");
        match e {
            Value::Object(o) => {
                if !o.contains_key("message") {
                    return Err(c.bad(&path, e, "a string or an object with a \"message\""));
                }
                if let Some(ts) = o.get("timestamp").filter(|t| t.as_i64().is_none_or(|t| t < 0)) {
                    return Err(c.bad(&format!("{path}.timestamp"), ts, "epoch milliseconds (a non-negative integer)"));
                }
            }
            Value::Null => return Err(c.bad(&path, e, "a log message")),
            _ => {}
        }
    }
    Ok(())
}

fn firehose(c: &Checker) -> Checked {
    c.keys(&["DeliveryStreamName", "DeliveryStreamArn", "SourceKinesisStreamArn", "Records"])?;
    c.strings(&["DeliveryStreamName"])?;
    c.nonempty("DeliveryStreamName")?;
    c.prefixed("DeliveryStreamArn", "arn:aws:firehose:")?;
    c.prefixed("SourceKinesisStreamArn", "arn:aws:kinesis:")?;
    match c.get("Records") {
        Some(v) if !v.is_array() => Err(c.bad("Records", v, "an array of records (each a string or a JSON value)")),
        _ => Ok(()),
    }
}

// ---- HTTP: API Gateway (REST and HTTP APIs), ALB, CloudFront (Lambda@Edge).

/// API Gateway REST and HTTP APIs and ALB share their request options; each adds its own names.
fn api_gateway_or_alb(c: &Checker, kind: SourceKind) -> Checked {
    let mut keys = vec!["Method", "Path", "Query", "Headers", "Body", "IsBase64Encoded", "SourceIp", "UserAgent"];
    match kind {
        SourceKind::Alb => keys.extend(["TargetGroupArn", "MultiValueHeaders"]),
        SourceKind::ApiGatewayHttp => {
            keys.extend(["Resource", "Stage", "PathParameters", "StageVariables", "ApiId", "RouteKey", "Cookies"])
        }
        _ => keys.extend(["Resource", "Stage", "PathParameters", "StageVariables", "ApiId"]),
    }
    c.keys(&keys)?;
    c.http_method("Method")?;
    c.prefixed("Path", "/")?;
    c.prefixed("Resource", "/")?;
    c.strings(&["Stage", "ApiId", "SourceIp", "UserAgent"])?;
    c.nonempty("Stage")?;
    c.multi_map("Query")?;
    c.multi_map("Headers")?;
    c.scalar_map("PathParameters")?;
    c.scalar_map("StageVariables")?;
    c.boolean("IsBase64Encoded")?;
    c.boolean("MultiValueHeaders")?;
    c.prefixed("TargetGroupArn", "arn:aws:elasticloadbalancing:")?;
    c.list("Cookies")?;
    let Some(v) = c.get("RouteKey") else { return Ok(()) };
    let s = c.string_value("RouteKey", v)?;
    let ok = s == "$default" || s.split_once(' ').is_some_and(|(m, p)| (m == "ANY" || HTTP_METHODS.contains(&m)) && p.starts_with('/'));
    if !ok {
        return Err(c.bad(
            "RouteKey",
            v,
            "\"$default\" or \"<METHOD> /path\" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
        ));
    }
    Ok(())
}

fn cloudfront(c: &Checker) -> Checked {
    c.keys(&[
        "EventType",
        "Method",
        "Uri",
        "Querystring",
        "Headers",
        "DistributionId",
        "DistributionDomainName",
        "ClientIp",
        "IncludeBody",
        "Status",
        "OriginDomain",
        "UserAgent",
    ])?;
    c.one_of("EventType", EDGE_EVENTS)?;
    c.http_method("Method")?;
    c.prefixed("Uri", "/")?;
    c.strings(&["Querystring", "DistributionId", "DistributionDomainName", "ClientIp", "OriginDomain", "UserAgent"])?;
    c.multi_map("Headers")?;
    c.boolean("IncludeBody")?;
    let Some(v) = c.get("Status") else { return Ok(()) };
    let code = match v {
        Value::String(s) => s.parse::<u64>().ok(),
        other => other.as_u64(),
    };
    if !code.is_some_and(|c| (100..=599).contains(&c)) {
        return Err(c.bad("Status", v, "an HTTP status code from 100 to 599"));
    }
    Ok(())
}

// ---- Applications: Cognito, CloudFormation, EventBridge, CodeCommit, Config, Alexa, Lex, IoT.

fn cognito(c: &Checker) -> Checked {
    c.keys(&["TriggerSource", "UserPoolId", "ClientId", "UserName"])?;
    c.one_of("TriggerSource", COGNITO_TRIGGERS)?;
    c.strings(&["UserPoolId", "ClientId", "UserName"])
}

fn cloudformation(c: &Checker) -> Checked {
    c.keys(&[
        "RequestType",
        "ResourceType",
        "LogicalResourceId",
        "StackName",
        "PhysicalResourceId",
        "OldResourceProperties",
        "ServiceToken",
    ])?;
    c.one_of("RequestType", CFN_REQUESTS)?;
    c.strings(&["LogicalResourceId", "StackName", "PhysicalResourceId", "ServiceToken"])?;
    c.nonempty("LogicalResourceId")?;
    c.object("OldResourceProperties")?;
    let Some(v) = c.get("ResourceType") else { return Ok(()) };
    let s = c.string_value("ResourceType", v)?;
    let custom =
        s.strip_prefix("Custom::").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"_@-".contains(&b)));
    if s.len() > 60 || !(custom || s == "AWS::CloudFormation::CustomResource") {
        return Err(c.bad(
            "ResourceType",
            v,
            "\"AWS::CloudFormation::CustomResource\" or \"Custom::<name>\" (letters, digits, _@-; at most 60 characters)",
        ));
    }
    Ok(())
}

fn eventbridge(c: &Checker) -> Checked {
    c.keys(&["Source", "DetailType", "Resources"])?;
    c.strings(&["Source", "DetailType"])?;
    c.nonempty("Source")?;
    c.nonempty("DetailType")?;
    c.list("Resources")
}

fn codecommit(c: &Checker) -> Checked {
    c.keys(&["Repository", "Ref", "TriggerName", "CustomData", "UserArn", "Created", "EventName"])?;
    c.strings(&["Repository", "TriggerName", "CustomData"])?;
    c.nonempty("Repository")?;
    c.prefixed("Ref", "refs/")?;
    c.prefixed("UserArn", "arn:aws:iam::")?;
    c.boolean("Created")?;
    c.one_of("EventName", CODECOMMIT_EVENTS)
}

fn config(c: &Checker) -> Checked {
    c.keys(&["ConfigRuleName", "MessageType", "ResourceType", "ResourceId", "ResourceArn", "RuleParameters", "EventLeftScope"])?;
    c.strings(&["ConfigRuleName", "ResourceId", "ResourceArn"])?;
    c.nonempty("ConfigRuleName")?;
    c.one_of("MessageType", CONFIG_MESSAGES)?;
    if let Some(v) = c.get("ResourceType") {
        let s = c.string_value("ResourceType", v)?;
        let parts: Vec<&str> = s.split("::").collect();
        if parts.len() != 3 || parts[0] != "AWS" || parts[1].is_empty() || parts[2].is_empty() {
            return Err(c.bad("ResourceType", v, "an AWS resource type such as \"AWS::EC2::Instance\""));
        }
    }
    c.object("RuleParameters")?;
    c.boolean("EventLeftScope")
}

fn alexa(c: &Checker) -> Checked {
    c.keys(&["Namespace", "Name", "EndpointId", "Token", "Cookie"])?;
    c.prefixed("Namespace", "Alexa")?;
    c.strings(&["Name", "EndpointId", "Token"])?;
    c.nonempty("Name")?;
    c.object("Cookie")
}

fn lex(c: &Checker) -> Checked {
    c.keys(&[
        "BotName",
        "BotId",
        "AliasId",
        "AliasName",
        "LocaleId",
        "BotVersion",
        "IntentName",
        "InvocationSource",
        "InputMode",
        "SessionId",
        "InputTranscript",
        "SessionAttributes",
    ])?;
    c.strings(&["BotName", "BotId", "AliasId", "AliasName", "LocaleId", "BotVersion", "IntentName", "SessionId", "InputTranscript"])?;
    c.nonempty("IntentName")?;
    c.one_of("InvocationSource", LEX_SOURCES)?;
    c.one_of("InputMode", LEX_MODES)?;
    c.scalar_map("SessionAttributes")
}

fn iot(c: &Checker) -> Checked {
    c.keys(&["Topic", "ClientId", "Extra"])?;
    c.strings(&["Topic", "ClientId"])?;
    c.nonempty("Topic")?;
    let Some(v) = c.get("Extra") else { return Ok(()) };
    let o =
        v.as_object().ok_or_else(|| c.bad("Extra", v, "an object mapping output names to topic(), topic(N), clientid() or timestamp()"))?;
    for (alias, f) in o {
        if f.as_str().and_then(|f| iot_function(f, "a/b", "c", 0)).is_none() {
            return Err(c.bad(&format!("Extra.{alias}"), f, "one of \"topic()\", \"topic(N)\" (N >= 1), \"clientid()\", \"timestamp()\""));
        }
    }
    Ok(())
}

/// The options of one source being checked.
pub(super) struct Checker<'a> {
    pub(super) kind: &'static str,
    pub(super) m: &'a Map<String, Value>,
}

/// A check's result: Err((json sub-path, message)).
pub(super) type Checked = Result<(), (String, String)>;

impl Checker<'_> {
    pub(super) fn get(&self, k: &str) -> Option<&Value> {
        self.m.get(k).filter(|v| !v.is_null())
    }

    pub(super) fn bad(&self, path: &str, v: &Value, allowed: &str) -> (String, String) {
        (path.to_string(), format!("{} option {path} is {}; expected {allowed}", self.kind, short(v)))
    }

    pub(super) fn keys(&self, allowed: &[&str]) -> Checked {
        for k in self.m.keys() {
            if !allowed.contains(&k.as_str()) {
                let list = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err((k.clone(), format!("{} has no option \"{k}\"; its options are: {list}", self.kind)));
            }
        }
        Ok(())
    }

    pub(super) fn string_value<'v>(&self, k: &str, v: &'v Value) -> Result<&'v str, (String, String)> {
        v.as_str().ok_or_else(|| self.bad(k, v, "a string"))
    }

    pub(super) fn strings(&self, keys: &[&str]) -> Checked {
        for k in keys {
            if let Some(v) = self.get(k) {
                self.string_value(k, v)?;
            }
        }
        Ok(())
    }

    pub(super) fn nonempty(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if self.string_value(k, v)?.is_empty() => Err(self.bad(k, v, "a non-empty string")),
            _ => Ok(()),
        }
    }

    pub(super) fn prefixed(&self, k: &str, prefix: &str) -> Checked {
        match self.get(k) {
            Some(v) if !self.string_value(k, v)?.starts_with(prefix) => {
                Err(self.bad(k, v, &format!("a string starting with \"{prefix}\"")))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn one_of(&self, k: &str, allowed: &[&str]) -> Checked {
        match self.get(k) {
            Some(v) if !allowed.contains(&self.string_value(k, v)?) => Err(self.bad(k, v, &format!("one of {}", allowed.join(", ")))),
            _ => Ok(()),
        }
    }

    pub(super) fn http_method(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !HTTP_METHODS.contains(&self.string_value(k, v)?.to_ascii_uppercase().as_str()) => {
                Err(self.bad(k, v, &format!("an HTTP method: {}", HTTP_METHODS.join(", "))))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn uint(&self, k: &str, min: u64) -> Checked {
        match self.get(k) {
            Some(v) if v.as_u64().is_none_or(|x| x < min) => Err(self.bad(k, v, &format!("an integer >= {min}"))),
            _ => Ok(()),
        }
    }

    pub(super) fn boolean(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !v.is_boolean() => Err(self.bad(k, v, "true or false")),
            _ => Ok(()),
        }
    }

    pub(super) fn object(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !v.is_object() => Err(self.bad(k, v, "a JSON object")),
            _ => Ok(()),
        }
    }

    /// A string or an array of strings.
    pub(super) fn list(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        match v {
            Value::String(_) => Ok(()),
            Value::Array(a) => match a.iter().position(|x| !x.is_string()) {
                Some(i) => Err(self.bad(&format!("{k}[{i}]"), &a[i], "a string")),
                None => Ok(()),
            },
            _ => Err(self.bad(k, v, "a string or an array of strings")),
        }
    }

    /// An object whose values are strings, numbers or booleans.
    pub(super) fn scalar_map(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of string values"))?;
        for (name, x) in o {
            if !(x.is_string() || x.is_number() || x.is_boolean()) {
                return Err(self.bad(&format!("{k}.{name}"), x, "a string"));
            }
        }
        Ok(())
    }

    /// An object whose values are scalars or arrays of scalars (headers, query parameters).
    pub(super) fn multi_map(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of names to a value or a list of values"))?;
        let scalar = |x: &Value| x.is_string() || x.is_number() || x.is_boolean();
        for (name, x) in o {
            let ok = match x {
                Value::Array(a) => !a.is_empty() && a.iter().all(scalar),
                other => scalar(other),
            };
            if !ok {
                return Err(self.bad(&format!("{k}.{name}"), x, "a string or a non-empty list of strings"));
            }
        }
        Ok(())
    }

    /// Message attributes: name -> scalar shorthand, or an object with a type field among `types` (SQS also allows
    /// custom suffixes such as "Number.int") and a value.
    pub(super) fn attributes(&self, k: &str, type_field: &str, types: &[&str], sqs: bool) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of attribute names to values"))?;
        for (name, a) in o {
            let path = format!("{k}.{name}");
            match a {
                Value::Object(spec) => {
                    let ty = spec.get(type_field).and_then(Value::as_str).unwrap_or("String");
                    let base = if sqs { sqs_attr_base(ty) } else { ty };
                    if !types.contains(&base) {
                        return Err(self.bad(
                            &format!("{path}.{type_field}"),
                            spec.get(type_field).unwrap_or(&Value::Null),
                            &format!("one of {}", types.join(", ")),
                        ));
                    }
                    let value_field = match (sqs, base) {
                        (true, "Binary") => "BinaryValue",
                        (true, _) => "StringValue",
                        (false, _) => "Value",
                    };
                    let value = spec.get(value_field).filter(|x| !x.is_null());
                    if value.is_none() {
                        return Err(self.bad(&path, a, &format!("an object with \"{type_field}\" and \"{value_field}\"")));
                    }
                    if value_field == "BinaryValue" && value.and_then(Value::as_str).is_none_or(|b| B64.decode(b).is_err()) {
                        return Err(self.bad(&format!("{path}.BinaryValue"), value.unwrap_or(&Value::Null), "base64 text"));
                    }
                }
                x if x.is_string() || x.is_number() || x.is_boolean() => {}
                other => return Err(self.bad(&path, other, "a value or an attribute object")),
            }
        }
        Ok(())
    }
}
