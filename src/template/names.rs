//! Physical names and ARNs of the simulated resources. A resource whose template gives no name gets one as
//! CloudFormation makes it, `<stack>-<LogicalId>-<SUFFIX>` (CloudFormation User Guide, "Name type": "the stack name,
//! the logical ID, and a random string"), except that the suffix here is a hash of the stack name and logical id, so
//! that a template gives the same names on every import and run. `Ref` and `Fn::GetAtt` return what each resource
//! type's "Return values" section of the CloudFormation resource reference documents (docs/sources.md, "Templates"):
//! a queue's `Ref` is its URL, a topic's its ARN, a function's, table's, stream's, bucket's and bus's their name.

use serde_json::Value;

/// The property that names a resource of this type, when the template may set it.
pub fn name_property(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "FunctionName",
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => "TableName",
        "AWS::Kinesis::Stream" | "AWS::Events::EventBus" | "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => "Name",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::Lambda::Alias" => "Name",
        "AWS::AmazonMQ::Broker" => "BrokerName",
        "AWS::DocDB::DBCluster" => "DBClusterIdentifier",
        _ => return None,
    })
}

/// The longest name AWS allows for a type (generated names are shortened to fit).
fn limit(ty: &str) -> usize {
    match ty {
        "AWS::Lambda::Function" | "AWS::Serverless::Function" | "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => 64,
        "AWS::SQS::Queue" => 80,
        "AWS::S3::Bucket" => 63,
        "AWS::Kinesis::Stream" | "AWS::IAM::Role" => 64,
        _ => 128,
    }
}

/// A 13-character upper-case suffix from a stable hash (CloudFormation's is random; this one repeats).
fn suffix(stack: &str, id: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h = crate::kernel::rng::fnv64(format!("{stack}/{id}").as_bytes());
    let mut out = String::new();
    for _ in 0..13 {
        out.push(ALPHABET[(h % 36) as usize] as char);
        h /= 36;
        if h == 0 {
            h = crate::kernel::rng::fnv64(out.as_bytes());
        }
    }
    out
}

/// The name CloudFormation would generate: `<stack>-<LogicalId>-<SUFFIX>`, shortened to the type's limit, lower case
/// for buckets, with `.fifo` for FIFO queues and topics.
pub fn generate(stack: &str, id: &str, ty: &str, props: Option<&Value>) -> String {
    let fifo =
        props.and_then(|p| p.get("FifoQueue").or_else(|| p.get("FifoTopic"))).is_some_and(|v| v == &Value::Bool(true) || v == "true");
    let tail = if fifo { ".fifo" } else { "" };
    let sfx = suffix(stack, id);
    let room = limit(ty).saturating_sub(sfx.len() + 2 + tail.len());
    let (mut s, mut l) = (stack.to_string(), id.to_string());
    while s.len() + l.len() > room {
        if s.len() >= l.len() {
            s.pop();
        } else {
            l.pop();
        }
    }
    let name = format!("{s}-{l}-{sfx}{tail}");
    if ty == "AWS::S3::Bucket" {
        name.to_lowercase()
    } else {
        name
    }
}

/// `arn:aws:lambda:<region>:<account>:function:<name>`.
pub fn lambda_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{account}:function:{name}")
}

/// The function name in a name or ARN (qualifier dropped).
pub fn function_name_of(s: &str) -> String {
    match s.strip_prefix("arn:") {
        Some(_) => s.split(':').nth(6).unwrap_or(s).to_string(),
        None => s.split(':').next().unwrap_or(s).to_string(),
    }
}

/// The ARN of a resource of a type.
pub fn arn(ty: &str, name: &str, region: &str, account: &str) -> String {
    match ty {
        "AWS::SQS::Queue" => format!("arn:aws:sqs:{region}:{account}:{name}"),
        "AWS::SNS::Topic" => format!("arn:aws:sns:{region}:{account}:{name}"),
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => lambda_arn(region, account, name),
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => format!("arn:aws:dynamodb:{region}:{account}:table/{name}"),
        "AWS::Kinesis::Stream" => format!("arn:aws:kinesis:{region}:{account}:stream/{name}"),
        "AWS::S3::Bucket" => format!("arn:aws:s3:::{name}"),
        "AWS::Events::EventBus" => format!("arn:aws:events:{region}:{account}:event-bus/{name}"),
        "AWS::Events::Rule" => format!("arn:aws:events:{region}:{account}:rule/{name}"),
        "AWS::Scheduler::Schedule" => format!("arn:aws:scheduler:{region}:{account}:schedule/default/{name}"),
        "AWS::KinesisFirehose::DeliveryStream" => format!("arn:aws:firehose:{region}:{account}:deliverystream/{name}"),
        "AWS::IAM::Role" => format!("arn:aws:iam::{account}:role/{name}"),
        "AWS::AmazonMQ::Broker" => crate::aws::events::mq::broker_arn(region, account, name).1,
        "AWS::DocDB::DBCluster" => format!("arn:aws:rds:{region}:{account}:cluster:{name}"),
        _ => {
            let service = ty.split("::").nth(1).unwrap_or("service").to_lowercase();
            format!("arn:aws:{service}:{region}:{account}:{name}")
        }
    }
}

/// The default stream label of a DynamoDB table's stream (the model's default, `TableSpec.StreamLabel`).
pub const STREAM_LABEL: &str = "2024-01-01T00:00:00.000";

/// What `Ref` of a resource returns.
pub fn ref_value(ty: &str, name: &str, region: &str, account: &str) -> String {
    match ty {
        "AWS::SQS::Queue" => format!("https://sqs.{region}.amazonaws.com/{account}/{name}"),
        "AWS::SNS::Topic" | "AWS::Scheduler::Schedule" => arn(ty, name, region, account),
        _ => name.to_string(),
    }
}

/// What `Fn::GetAtt` of a resource's attribute returns. Attributes that lambdasim does not simulate (a bucket's
/// `DomainName`, a role's `RoleId`, ...) get a stand-in `<name>.<Attribute>`: they only ever feed properties that
/// are not simulated.
pub fn attribute(ty: &str, attr: &str, name: &str, region: &str, account: &str) -> String {
    match (ty, attr) {
        (_, "Arn") => arn(ty, name, region, account),
        ("AWS::SQS::Queue", "QueueName") | ("AWS::SNS::Topic", "TopicName") | ("AWS::Events::EventBus", "Name") => name.into(),
        ("AWS::SQS::Queue", "QueueUrl") => ref_value(ty, name, region, account),
        ("AWS::SNS::Topic", "TopicArn") => arn(ty, name, region, account),
        ("AWS::DynamoDB::Table", "StreamArn") => format!("{}/stream/{STREAM_LABEL}", arn(ty, name, region, account)),
        ("AWS::Kinesis::Stream", "StreamArn") => arn(ty, name, region, account),
        _ => format!("{name}.{attr}"),
    }
}

/// The name in an ARN of a queue, topic, stream, table or bus (the last `:` or `/` part; a table stream's table).
pub fn name_in_arn(s: &str) -> String {
    if let Some(i) = s.find(":table/") {
        return s[i + 7..].split('/').next().unwrap_or("").to_string();
    }
    if let Some(rest) = s.strip_prefix("https://sqs.") {
        return rest.rsplit('/').next().unwrap_or("").to_string();
    }
    s.rsplit([':', '/']).next().unwrap_or(s).to_string()
}
