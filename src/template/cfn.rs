//! CloudFormation resources into scenario sections, property names kept (the scenario format uses AWS's own): each
//! resource type's properties as the CloudFormation resource reference documents them (docs/sources.md,
//! "Templates"). Functions (`AWS::Lambda::Function`) and their `Version`, `Alias`, `EventInvokeConfig` and
//! `EventSourceMapping` resources; `AWS::SQS::Queue`; `AWS::SNS::Topic` and `Subscription`; `AWS::Events::EventBus`
//! and `Rule`; `AWS::Scheduler::Schedule` (a scheduled rule on the default bus: lambdasim's EventBridge carries
//! schedules); `AWS::Kinesis::Stream`; `AWS::DynamoDB::Table` with a stream; `AWS::S3::Bucket` (a destination, and
//! its Lambda notifications as entry points); `AWS::Logs::SubscriptionFilter` (an entry point);
//! `AWS::KinesisFirehose::DeliveryStream`. `AWS::Lambda::Permission` is read and has nothing to simulate; every other
//! type is skipped with a line saying so.

pub(super) mod kafka;

use serde_json::{json, Map, Value};

use super::eval::Ctx;
use super::names;
use super::out::{as_int, report_unread, Out, Pass, Props};
use super::TemplateError;

/// Read one CloudFormation resource in one pass.
pub fn resource(out: &mut Out, ctx: &Ctx, id: &str, ty: &str, res: &Value, pass: Pass) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let raw = res.get("Properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut p = Props::new(raw, ctx, format!("{path}.Properties"));
    let primary = pass == Pass::Primary;
    match ty {
        "AWS::Lambda::Function" if primary => function(out, ctx, id, &mut p)?,
        "AWS::SQS::Queue" if primary => queue(out, ctx, id, &mut p)?,
        "AWS::SNS::Topic" if primary => topic(out, ctx, id, &mut p)?,
        "AWS::Events::EventBus" if primary => {
            let name = ctx.name_of(id, &path)?;
            p.get("Name")?;
            out.bus(&name);
            out.name(id, ty, &name, &names::arn(ty, &name, &ctx.region, &ctx.account));
            out.imported.push(format!("{path}: event bus {name}"));
        }
        "AWS::Kinesis::Stream" if primary => stream(out, ctx, id, &mut p)?,
        "AWS::DynamoDB::Table" if primary => table(out, ctx, id, &mut p)?,
        "AWS::S3::Bucket" if primary => bucket(out, ctx, id, &mut p)?,
        "AWS::KinesisFirehose::DeliveryStream" if primary => delivery_stream(out, ctx, id, &mut p)?,
        "AWS::AmazonMQ::Broker" if primary => super::mq::broker(out, ctx, id, &mut p)?,
        "AWS::DocDB::DBCluster" if primary => super::mq::cluster(out, ctx, id, &mut p)?,
        "AWS::Lambda::EventSourceMapping" if !primary => {
            let mut m = Map::new();
            for k in ["EventSourceArn", "FunctionName", "Enabled", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes"] {
                copy(&mut p, &mut m, k)?;
            }
            for k in ["FilterCriteria", "ScalingConfig", "StartingPosition", "ParallelizationFactor", "MaximumRetryAttempts"] {
                copy(&mut p, &mut m, k)?;
            }
            for k in ["MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "DestinationConfig", "TumblingWindowInSeconds"] {
                copy(&mut p, &mut m, k)?;
            }
            // Amazon MQ and DocumentDB (template/mq.rs).
            for k in ["Queues", "SourceAccessConfigurations", "DocumentDBEventSourceConfig"] {
                copy(&mut p, &mut m, k)?;
            }
            if let Some(ts) = p.get("StartingPositionTimestamp")? {
                m.insert("StartingPositionTimestamp".into(), ts);
            }
            // Kafka (spec 5.5): the topic, the self-managed source, the consumer group, provisioned mode.
            for k in ["Topics", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"] {
                copy(&mut p, &mut m, k)?;
            }
            copy(&mut p, &mut m, "ProvisionedPollerConfig")?;
            mapping(out, m, &path, id)?;
        }
        "AWS::Lambda::EventInvokeConfig" if !primary => invoke_config(out, id, &mut p)?,
        "AWS::Lambda::Version" if !primary => version(out, ctx, id, &mut p)?,
        "AWS::Lambda::Alias" if !primary => alias(out, id, &mut p)?,
        "AWS::SNS::Subscription" if !primary => {
            let topic = p.str("TopicArn")?.unwrap_or_default();
            let mut sub = Map::new();
            for k in ["Protocol", "Endpoint", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy"] {
                copy(&mut p, &mut sub, k)?;
            }
            subscribe(out, &topic, sub, &path);
        }
        "AWS::Events::Rule" if !primary => rule(out, ctx, id, &mut p)?,
        "AWS::Scheduler::Schedule" if !primary => schedule(out, ctx, id, &mut p)?,
        "AWS::Logs::SubscriptionFilter" if !primary => {
            let dest = p.str("DestinationArn")?.unwrap_or_default();
            let group = p.str("LogGroupName")?.unwrap_or_default();
            p.ignore(&["FilterPattern", "FilterName"]);
            if dest.contains(":lambda:") {
                let mut e = Map::new();
                e.insert("Function".into(), Value::String(dest));
                e.insert("Source".into(), json!("CloudWatchLogs"));
                e.insert("SourceOptions".into(), json!({"LogGroup": group}));
                e.insert("Payload".into(), json!(["log line"]));
                out.stub(e, id);
                out.imported.push(format!("{path}: log subscription of {group}: invoked by Workload entries with Source CloudWatchLogs"));
            } else {
                out.skipped.push(format!("{path}: subscription filter to {dest} (not a Lambda function): not simulated"));
            }
        }
        "AWS::Lambda::Permission" if primary => {
            out.skipped.push(format!("{path}: Lambda permission: read, nothing to simulate (lambdasim does not model resource policies)"));
            return Ok(());
        }
        "AWS::Lambda::Function"
        | "AWS::SQS::Queue"
        | "AWS::SNS::Topic"
        | "AWS::Events::EventBus"
        | "AWS::Kinesis::Stream"
        | "AWS::DynamoDB::Table"
        | "AWS::S3::Bucket"
        | "AWS::KinesisFirehose::DeliveryStream"
        | "AWS::AmazonMQ::Broker"
        | "AWS::DocDB::DBCluster"
        | "AWS::Lambda::Permission"
        | "AWS::Lambda::EventSourceMapping"
        | "AWS::Lambda::EventInvokeConfig"
        | "AWS::Lambda::Version"
        | "AWS::Lambda::Alias"
        | "AWS::SNS::Subscription"
        | "AWS::Events::Rule"
        | "AWS::Scheduler::Schedule"
        | "AWS::Logs::SubscriptionFilter" => return Ok(()),
        _ if !primary => return Ok(()),
        _ => {
            out.skipped.push(format!("{path} ({ty}): not simulated"));
            return Ok(());
        }
    }
    report_unread(out, &p);
    Ok(())
}

/// Copy a resolved property under the same name.
pub fn copy(p: &mut Props, m: &mut Map<String, Value>, k: &str) -> Result<(), TemplateError> {
    if let Some(v) = p.get(k)? {
        let v = match (k, &v) {
            // Integers written as strings (`"10"`) are integers in the scenario format.
            (_, Value::String(s)) if is_int_property(k) => {
                as_int(&v).map(Value::from).ok_or_else(|| TemplateError::new(p.at(k), format!("expected an integer, found {s:?}")))?
            }
            (_, Value::String(s)) if is_bool_property(k) => Value::Bool(s.eq_ignore_ascii_case("true")),
            // `RecursiveLoop` is `Allow` or `Terminate` (PutFunctionRecursionConfig); templates also write `ALLOW`.
            ("RecursiveLoop", Value::String(s)) if s.eq_ignore_ascii_case("allow") => Value::from("Allow"),
            ("RecursiveLoop", Value::String(s)) if s.eq_ignore_ascii_case("terminate") => Value::from("Terminate"),
            _ => v,
        };
        m.insert(k.into(), v);
    }
    Ok(())
}

fn is_int_property(k: &str) -> bool {
    matches!(
        k,
        "BatchSize"
            | "MaximumBatchingWindowInSeconds"
            | "ParallelizationFactor"
            | "MaximumRetryAttempts"
            | "MaximumRecordAgeInSeconds"
            | "TumblingWindowInSeconds"
            | "Timeout"
            | "MemorySize"
            | "ReservedConcurrentExecutions"
            | "VisibilityTimeout"
            | "MessageRetentionPeriod"
            | "DelaySeconds"
            | "ShardCount"
            | "RetentionPeriodHours"
            | "MaximumEventAgeInSeconds"
    )
}

fn is_bool_property(k: &str) -> bool {
    matches!(k, "Enabled" | "BisectBatchOnFunctionError" | "FifoQueue" | "FifoTopic" | "ContentBasedDeduplication" | "RawMessageDelivery")
}

/// Which runtimes lambdasim starts (the real-handler capability): Python 3, Node.js, and the OS-only runtimes.
pub fn runtime_supported(rt: &str) -> bool {
    rt.starts_with("python3") || rt.starts_with("nodejs") || matches!(rt, "provided" | "provided.al2" | "provided.al2023")
}

/// Where a function's code is and whether it runs, as read from `CodeUri` (SAM) or `Code` (CloudFormation).
pub enum Code {
    /// A local directory (relative to the template).
    Dir(String),
    /// Not runnable here, and why.
    Not(String),
}

/// The properties shared by `AWS::Lambda::Function` and `AWS::Serverless::Function`; `code` says where the code is.
pub fn function_common(out: &mut Out, p: &mut Props, id: &str, name: &str, code: Code) -> Result<Map<String, Value>, TemplateError> {
    let path = format!("Resources.{id}");
    let mut f = Map::new();
    f.insert("FunctionName".into(), Value::String(name.into()));
    for k in ["Timeout", "MemorySize", "Architectures", "ReservedConcurrentExecutions", "RecursiveLoop"] {
        copy(p, &mut f, k)?;
    }
    let handler = p.str("Handler")?;
    let runtime = p.str("Runtime")?;
    let env = p.get("Environment")?;
    p.ignore(&["PackageType"]);
    let why = match (&code, &runtime) {
        (Code::Not(why), _) => Some(why.clone()),
        (Code::Dir(_), None) => Some("no Runtime".to_string()),
        (Code::Dir(_), Some(rt)) if !runtime_supported(rt) => {
            Some(format!("Runtime {rt} is not one lambdasim starts (python3.x, nodejs*, provided, provided.al2, provided.al2023)"))
        }
        (Code::Dir(dir), Some(_)) if !out.template_dir.join(dir).is_dir() => Some(format!("CodeUri {dir} not found")),
        _ => None,
    };
    match (why, code, runtime) {
        (None, Code::Dir(dir), Some(rt)) => {
            let rel = out.relative_to_scenario(&out.template_dir.join(&dir));
            if let Some(h) = &handler {
                f.insert("Handler".into(), Value::String(h.clone()));
            }
            f.insert("Runtime".into(), Value::String(rt.clone()));
            f.insert("CodeUri".into(), Value::String(rel.clone()));
            if let Some(env) = env {
                f.insert("Environment".into(), environment(env, &format!("{path}.Properties.Environment"))?);
            }
            out.imported
                .push(format!("{path}: function {name}, its own code ({rt}, {} in {rel})", handler.as_deref().unwrap_or("bootstrap")));
        }
        (why, _, _) => {
            let why = why.unwrap_or_default();
            out.imported.push(format!("{path}: function {name}"));
            out.skipped.push(format!("{path}: {why}; behaviour is declared, add Behavior to shape it"));
        }
    }
    Ok(f)
}

/// `Environment` with every value as a string (CloudFormation passes numbers and booleans as strings).
fn environment(env: Value, path: &str) -> Result<Value, TemplateError> {
    let mut vars = Map::new();
    if let Some(m) = env.get("Variables").and_then(Value::as_object) {
        for (k, v) in m {
            let s = super::eval::scalar_text(v, &format!("{path}.Variables.{k}"))?;
            vars.insert(k.clone(), Value::String(s));
        }
    }
    Ok(json!({"Variables": vars}))
}

fn function(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let name = ctx.name_of(id, &format!("Resources.{id}"))?;
    p.get("FunctionName")?;
    let code = match p.get("Code")? {
        Some(Value::String(dir)) if !dir.starts_with("s3://") => Code::Dir(dir),
        Some(Value::Object(m)) if m.contains_key("ZipFile") => Code::Not("Code.ZipFile (inline code) is not run".into()),
        Some(Value::Object(m)) if m.contains_key("ImageUri") => Code::Not("a container image is not run".into()),
        Some(other) => Code::Not(format!("Code {other} is not a local directory")),
        None => Code::Not("no Code".into()),
    };
    let mut f = function_common(out, p, id, &name, code)?;
    if let Some(d) = p.get("DeadLetterConfig")? {
        f.insert("DeadLetterConfig".into(), d);
    }
    out.name(id, "AWS::Lambda::Function", &name, &names::lambda_arn(&ctx.region, &ctx.account, &name));
    out.functions.push(f);
    Ok(())
}

fn queue(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("QueueName")?;
    let mut q = Map::new();
    q.insert("QueueName".into(), Value::String(name.clone()));
    for k in ["FifoQueue", "VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ContentBasedDeduplication"] {
        copy(p, &mut q, k)?;
    }
    if let Some(r) = p.get("RedrivePolicy")? {
        // A JSON string is accepted as in the SQS API.
        let r = match r {
            Value::String(s) => {
                serde_json::from_str(&s).map_err(|e| TemplateError::new(p.at("RedrivePolicy"), format!("not JSON: {e}")))?
            }
            v => v,
        };
        let target = r.get("deadLetterTargetArn").and_then(Value::as_str).unwrap_or_default().to_string();
        let max = r.get("maxReceiveCount").and_then(as_int).unwrap_or(0);
        q.insert("RedrivePolicy".into(), json!({"deadLetterTargetArn": target, "maxReceiveCount": max}));
    }
    let arn = names::arn("AWS::SQS::Queue", &name, &ctx.region, &ctx.account);
    out.name(id, "AWS::SQS::Queue", &name, &arn);
    out.imported.push(format!("{path}: queue {name}"));
    out.queues.push(q);
    Ok(())
}

fn topic(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("TopicName")?;
    let mut t = Map::new();
    t.insert("TopicName".into(), Value::String(name.clone()));
    for k in ["FifoTopic", "ContentBasedDeduplication"] {
        copy(p, &mut t, k)?;
    }
    let arn = names::arn("AWS::SNS::Topic", &name, &ctx.region, &ctx.account);
    out.name(id, "AWS::SNS::Topic", &name, &arn);
    out.imported.push(format!("{path}: topic {name}"));
    out.topics.push(t);
    if let Some(Value::Array(subs)) = p.get("Subscription")? {
        for (i, s) in subs.into_iter().enumerate() {
            let sub = s.as_object().cloned().unwrap_or_default();
            subscribe(out, &arn, sub, &format!("{path}.Properties.Subscription[{i}]"));
        }
    }
    Ok(())
}

/// Add a subscription (`lambda` or `sqs`) to a topic; other protocols are skipped with a line.
pub fn subscribe(out: &mut Out, topic: &str, sub: Map<String, Value>, path: &str) {
    let protocol = sub.get("Protocol").and_then(Value::as_str).unwrap_or("").to_lowercase();
    if protocol != "lambda" && protocol != "sqs" {
        out.skipped.push(format!("{path}: {protocol} subscription: not simulated (lambdasim delivers to lambda and sqs)"));
        return;
    }
    let mut endpoint = sub.get("Endpoint").and_then(Value::as_str).unwrap_or("").to_string();
    if protocol == "sqs" {
        endpoint = out.queue(&endpoint, path);
    } else {
        endpoint = out.arn_of(&endpoint, "lambda", path);
    }
    let (i, _) = out.topic(topic, path);
    let mut s = sub;
    s.insert("Protocol".into(), Value::String(protocol.clone()));
    s.insert("Endpoint".into(), Value::String(endpoint.clone()));
    let subs = out.topics[i].entry("Subscriptions").or_insert_with(|| Value::Array(vec![]));
    if let Value::Array(a) = subs {
        a.push(Value::Object(s));
    }
    out.imported.push(format!("{path}: {protocol} subscription of {} to {endpoint}", names::name_in_arn(topic)));
}

fn stream(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("Name")?;
    let mut s = Map::new();
    s.insert("Name".into(), Value::String(name.clone()));
    for k in ["ShardCount", "RetentionPeriodHours"] {
        copy(p, &mut s, k)?;
    }
    if p.get("StreamModeDetails")?.and_then(|m| m.get("StreamMode").cloned()) == Some(json!("ON_DEMAND")) && !s.contains_key("ShardCount") {
        // An on-demand stream starts with 4 shards (its default write capacity of 4 MB/s, Kinesis Developer Guide).
        s.insert("ShardCount".into(), json!(4));
        out.imported.push(format!("{path}: ON_DEMAND stream simulated with its initial 4 shards (no resharding)"));
    }
    out.name(id, "AWS::Kinesis::Stream", &name, &names::arn("AWS::Kinesis::Stream", &name, &ctx.region, &ctx.account));
    out.imported.push(format!("{path}: Kinesis stream {name}"));
    out.kinesis.push(s);
    Ok(())
}

fn table(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("TableName")?;
    out.name(id, "AWS::DynamoDB::Table", &name, &names::arn("AWS::DynamoDB::Table", &name, &ctx.region, &ctx.account));
    let Some(spec) = p.get("StreamSpecification")? else {
        p.ignore(&["KeySchema", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput"]);
        out.skipped.push(format!("{path}: table {name} has no StreamSpecification: no stream for Lambda to read, nothing to simulate"));
        return Ok(());
    };
    let view = spec.get("StreamViewType").and_then(Value::as_str).unwrap_or("NEW_AND_OLD_IMAGES").to_string();
    let mut t = Map::new();
    t.insert("TableName".into(), Value::String(name.clone()));
    t.insert("StreamSpecification".into(), json!({"StreamViewType": view}));
    if let Some(Value::Array(ks)) = p.get("KeySchema")? {
        let ks: Vec<Value> = ks.iter().map(|k| json!({"AttributeName": k.get("AttributeName"), "KeyType": k.get("KeyType")})).collect();
        t.insert("KeySchema".into(), Value::Array(ks));
    }
    out.imported.push(format!("{path}: table {name} with a {view} stream"));
    out.tables.push(t);
    Ok(())
}

fn bucket(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("BucketName")?;
    out.name(id, "AWS::S3::Bucket", &name, &names::arn("AWS::S3::Bucket", &name, &ctx.region, &ctx.account));
    out.buckets.push(json!({"BucketName": name}).as_object().cloned().unwrap_or_default());
    out.imported.push(format!("{path}: bucket {name}"));
    let Some(n) = p.get("NotificationConfiguration")? else { return Ok(()) };
    for (i, c) in n.get("LambdaConfigurations").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let f = c.get("Function").and_then(Value::as_str).unwrap_or_default();
        let event = c.get("Event").and_then(Value::as_str).unwrap_or("s3:ObjectCreated:*");
        let mut e = Map::new();
        e.insert("Function".into(), Value::String(f.into()));
        e.insert("Source".into(), json!("S3"));
        e.insert("SourceOptions".into(), json!({"Bucket": name, "EventName": s3_event(event)}));
        out.stub(e, &format!("{id}.LambdaConfigurations[{i}]"));
        out.imported.push(format!("{path}: notification {event} to {f}: invoked by Workload entries with Source S3"));
    }
    for k in ["QueueConfigurations", "TopicConfigurations", "EventBridgeConfiguration"] {
        if n.get(k).is_some() {
            out.skipped.push(format!("{path}.Properties.NotificationConfiguration.{k}: not simulated"));
        }
    }
    Ok(())
}

/// An S3 notification's event type as the S3 source takes it (`s3:ObjectCreated:*` -> `ObjectCreated:Put`).
pub fn s3_event(e: &str) -> String {
    let e = e.trim_start_matches("s3:");
    match e.strip_suffix(":*") {
        Some("ObjectCreated") => "ObjectCreated:Put".into(),
        Some("ObjectRemoved") => "ObjectRemoved:Delete".into(),
        Some("ObjectRestore") => "ObjectRestore:Completed".into(),
        Some(other) => format!("{other}:Put"),
        None => e.into(),
    }
}

fn delivery_stream(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("DeliveryStreamName")?;
    let mut d = Map::new();
    d.insert("DeliveryStreamName".into(), Value::String(name.clone()));
    copy(p, &mut d, "DeliveryStreamType")?;
    if let Some(s3) = p.get("ExtendedS3DestinationConfiguration")? {
        let mut x = Map::new();
        for k in ["BucketARN", "Prefix", "ErrorOutputPrefix", "ProcessingConfiguration"] {
            if let Some(v) = s3.get(k) {
                x.insert(k.into(), v.clone());
            }
        }
        d.insert("ExtendedS3DestinationConfiguration".into(), Value::Object(x));
    }
    out.name(
        id,
        "AWS::KinesisFirehose::DeliveryStream",
        &name,
        &names::arn("AWS::KinesisFirehose::DeliveryStream", &name, &ctx.region, &ctx.account),
    );
    out.imported.push(format!("{path}: delivery stream {name}"));
    out.stub(json!({"DeliveryStream": name, "Payload": {"example": true}}).as_object().cloned().unwrap_or_default(), id);
    out.delivery.push(Value::Object(d));
    Ok(())
}

/// Add an event source mapping (its source made if the template does not declare it); sources other than SQS,
/// Kinesis and DynamoDB Streams are skipped with a line.
pub fn mapping(out: &mut Out, mut m: Map<String, Value>, path: &str, stub_name: &str) -> Result<(), TemplateError> {
    let arn = m.get("EventSourceArn").and_then(Value::as_str).unwrap_or("").to_string();
    if arn.starts_with("arn:aws:kafka:") || m.contains_key("SelfManagedEventSource") {
        return kafka::mapping(out, m, path, stub_name);
    }
    if arn.starts_with("https://") {
        return Err(TemplateError::new(path, format!("EventSourceArn {arn:?} is a queue URL (what !Ref gives); use !GetAtt Queue.Arn")));
    }
    let service = arn.split(':').nth(2).unwrap_or("").to_string();
    let arn = if matches!(service.as_str(), "sqs" | "kinesis" | "dynamodb") { out.arn_of(&arn, &service, path) } else { arn };
    m.insert("EventSourceArn".into(), Value::String(arn.clone()));
    let mut own_stub = None;
    let kind = if let Some((kind, stub)) = super::mq::source(out, &m, &arn, path) {
        own_stub = Some(stub);
        kind
    } else if service == "sqs" {
        out.queue(&arn, path);
        "SQS"
    } else if service == "kinesis" {
        let name = names::name_in_arn(&arn);
        if !out.kinesis.iter().any(|k| k.get("Name").and_then(Value::as_str) == Some(name.as_str())) {
            out.kinesis.push(json!({"Name": name}).as_object().cloned().unwrap_or_default());
            out.imported.push(format!("{path}: Kinesis stream {name} is not declared in the template; simulated with 1 shard"));
        }
        "Kinesis"
    } else if service == "dynamodb" {
        let table = names::name_in_arn(&arn);
        if !out.tables.iter().any(|t| t.get("TableName").and_then(Value::as_str) == Some(table.as_str())) {
            let label = arn.split("/stream/").nth(1).unwrap_or(names::STREAM_LABEL).to_string();
            out.tables.push(
                json!({"TableName": table, "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}, "StreamLabel": label})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            );
            out.imported.push(format!(
                "{path}: table {table} is not declared in the template (or has no stream); simulated with a NEW_AND_OLD_IMAGES stream"
            ));
        }
        "DynamoDB"
    } else {
        out.skipped.push(format!("{path}: event source {arn}: not simulated (lambdasim polls SQS, Kinesis and DynamoDB Streams)"));
        return Ok(());
    };
    // SAM writes the on-failure destination's `Type`; the mapping itself has only `Destination`.
    if let Some(Value::Object(dc)) = m.get_mut("DestinationConfig") {
        if let Some(Value::Object(of)) = dc.get_mut("OnFailure") {
            of.remove("Type");
        }
    }
    let f = m.get("FunctionName").and_then(Value::as_str).unwrap_or("").to_string();
    let source = names::name_in_arn(&arn);
    out.imported.push(format!("{path}: {kind} event source mapping from {source} to {}", names::function_name_of(&f)));
    // A producer that puts one record on the source at 1 s.
    let stub = match kind {
        _ if own_stub.is_some() => own_stub.unwrap_or_default(),
        // A FIFO queue needs a message group (SQS requires it).
        "SQS" if source.ends_with(".fifo") => json!({"Queue": source, "MessageGroupId": "group-1", "Payload": {"example": true}}),
        "SQS" => json!({"Queue": source, "Payload": {"example": true}}),
        "Kinesis" => json!({"Stream": source, "Payload": {"example": true}}),
        _ => json!({"Stream": source, "Payload": {"id": "1"}}),
    };
    out.stub(stub.as_object().cloned().unwrap_or_default(), stub_name);
    out.mappings.push(Value::Object(m));
    Ok(())
}

fn invoke_config(out: &mut Out, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let f = p.str("FunctionName")?.unwrap_or_default();
    let q = p.str("Qualifier")?.unwrap_or_else(|| "$LATEST".into());
    let mut c = Map::new();
    for k in ["MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"] {
        copy(p, &mut c, k)?;
    }
    let Some(i) = out.function(&f) else {
        return Err(TemplateError::new(format!("{path}.Properties.FunctionName"), format!("{f:?} is no function of this template")));
    };
    if q != "$LATEST" {
        // AWS keeps one configuration per qualifier: it goes to the version or alias, read by the end of the pass.
        out.qualified_configs.push((i, q, c, path));
        return Ok(());
    }
    out.functions[i].insert("EventInvokeConfig".into(), Value::Object(c));
    out.imported.push(format!("{path}: asynchronous invoke configuration of {f}"));
    Ok(())
}

/// Place the `EventInvokeConfig`s of versions and aliases (`Qualifier` a version number or an alias name) on the
/// version or alias they name: AWS keeps one per qualifier, and an invoke of that version or alias runs with it.
pub fn place_qualified_configs(out: &mut Out) -> Result<(), TemplateError> {
    for (i, q, c, path) in std::mem::take(&mut out.qualified_configs) {
        let f = out.functions[i].get("FunctionName").and_then(Value::as_str).unwrap_or_default().to_string();
        let (list, key) = if q.chars().all(|ch| ch.is_ascii_digit()) { ("Versions", "Version") } else { ("Aliases", "Name") };
        let entry = out.functions[i]
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .and_then(|l| l.iter_mut().filter_map(Value::as_object_mut).find(|x| x.get(key).and_then(Value::as_str) == Some(q.as_str())));
        let Some(entry) = entry else {
            return Err(TemplateError::new(
                format!("{path}.Properties.Qualifier"),
                format!("{q:?} is no {} of {f} in this template", if list == "Versions" { "version" } else { "alias" }),
            ));
        };
        entry.insert("EventInvokeConfig".into(), Value::Object(c));
        out.imported.push(format!("{path}: asynchronous invoke configuration of {f}:{q}"));
    }
    Ok(())
}

fn version(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let f = p.str("FunctionName")?.unwrap_or_default();
    let n = ctx.versions.get(id).copied().unwrap_or(1);
    let mut v = Map::new();
    v.insert("Version".into(), Value::String(n.to_string()));
    copy(p, &mut v, "Description")?;
    copy(p, &mut v, "ProvisionedConcurrencyConfig")?;
    let Some(i) = out.function(&f) else {
        return Err(TemplateError::new(format!("{path}.Properties.FunctionName"), format!("{f:?} is no function of this template")));
    };
    let vs = out.functions[i].entry("Versions").or_insert_with(|| Value::Array(vec![]));
    if let Value::Array(a) = vs {
        a.push(Value::Object(v));
    }
    out.imported.push(format!("{path}: version {n} of {f}"));
    Ok(())
}

fn alias(out: &mut Out, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let f = p.str("FunctionName")?.unwrap_or_default();
    let mut a = Map::new();
    for k in ["Name", "FunctionVersion", "RoutingConfig", "ProvisionedConcurrencyConfig"] {
        copy(p, &mut a, k)?;
    }
    let Some(i) = out.function(&f) else {
        return Err(TemplateError::new(format!("{path}.Properties.FunctionName"), format!("{f:?} is no function of this template")));
    };
    let name = a.get("Name").and_then(Value::as_str).unwrap_or("").to_string();
    let list = out.functions[i].entry("Aliases").or_insert_with(|| Value::Array(vec![]));
    if let Value::Array(l) = list {
        l.push(Value::Object(a));
    }
    out.imported.push(format!("{path}: alias {name} of {f}"));
    Ok(())
}

/// A rule target of lambdasim's EventBridge: a function or a queue; others are skipped with a line.
pub fn rule_target(out: &mut Out, t: &Value, path: &str) -> Option<Value> {
    let arn = t.get("Arn").and_then(Value::as_str).unwrap_or("");
    if !arn.contains(":lambda:") && !arn.contains(":sqs:") {
        out.skipped.push(format!("{path}: target {arn}: not simulated (rule targets are functions and queues)"));
        return None;
    }
    let arn = if arn.contains(":sqs:") { out.queue(arn, path) } else { out.arn_of(arn, "lambda", path) };
    let mut m = Map::new();
    m.insert("Id".into(), t.get("Id").cloned().unwrap_or(json!("target")));
    m.insert("Arn".into(), Value::String(arn));
    if let Some(r) = t.get("RetryPolicy") {
        let mut rp = Map::new();
        for k in ["MaximumRetryAttempts", "MaximumEventAgeInSeconds"] {
            if let Some(n) = r.get(k).and_then(as_int) {
                rp.insert(k.into(), Value::from(n));
            }
        }
        m.insert("RetryPolicy".into(), Value::Object(rp));
    }
    if let Some(d) = t.get("DeadLetterConfig").and_then(|d| d.get("Arn")).and_then(Value::as_str) {
        let d = out.queue(d, path);
        m.insert("DeadLetterConfig".into(), json!({"Arn": d}));
    }
    for k in ["Input", "InputPath", "InputTransformer"] {
        if t.get(k).is_some() {
            out.skipped.push(format!("{path}.{k}: not simulated (the target gets the matched event)"));
        }
    }
    Some(Value::Object(m))
}

fn rule(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("Name")?;
    let bus = p.str("EventBusName")?.unwrap_or_else(|| "default".into());
    let mut r = Map::new();
    r.insert("Name".into(), Value::String(name.clone()));
    for k in ["EventPattern", "ScheduleExpression", "State"] {
        copy(p, &mut r, k)?;
    }
    let mut targets = vec![];
    for (i, t) in p.get("Targets")?.and_then(|t| t.as_array().cloned()).unwrap_or_default().iter().enumerate() {
        if let Some(t) = rule_target(out, t, &format!("{path}.Properties.Targets[{i}]")) {
            targets.push(t);
        }
    }
    r.insert("Targets".into(), Value::Array(targets));
    out.add_rule(&bus, Value::Object(r));
    out.imported.push(format!("{path}: rule {name} on bus {}", names::name_in_arn(&bus)));
    Ok(())
}

fn schedule(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("Name")?;
    let expr = p.str("ScheduleExpression")?.unwrap_or_default();
    p.ignore(&["FlexibleTimeWindow", "GroupName", "Description"]);
    if expr.starts_with("at(") {
        out.skipped.push(format!("{path}: one-time schedule {expr}: not simulated (rate() and cron() are)"));
        return Ok(());
    }
    let mut r = Map::new();
    r.insert("Name".into(), Value::String(name.clone()));
    r.insert("ScheduleExpression".into(), Value::String(expr));
    copy(p, &mut r, "State")?;
    let target = p.get("Target")?.unwrap_or(Value::Null);
    let mut t = target.clone();
    if let Value::Object(m) = &mut t {
        m.entry("Id").or_insert(json!("schedule-target"));
    }
    let targets: Vec<Value> = rule_target(out, &t, &format!("{path}.Properties.Target")).into_iter().collect();
    r.insert("Targets".into(), Value::Array(targets));
    out.add_rule("default", Value::Object(r));
    out.imported.push(format!("{path}: schedule {name}, simulated as a scheduled rule on the default event bus"));
    Ok(())
}
