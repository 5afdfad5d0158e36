//! SAM's transform (`Transform: AWS::Serverless-2016-10-31`), as the AWS SAM specification documents it
//! (docs/sources.md, "Templates"): `Globals.Function` merged into every function (a function's own value wins, maps
//! are merged, lists are appended); `AWS::Serverless::Function` with `Events` of every type the simulator models,
//! `EventInvokeConfig` (a destination `Type` SQS or SNS without `Destination` makes the queue or topic, as SAM does),
//! `DeadLetterQueue`, `AutoPublishAlias` (version 1 and the alias, which event sources then invoke) and
//! `DeploymentPreference` (traffic shifting as alias weights on the timeline); `AWS::Serverless::SimpleTable`.
//! Events that come from services lambdasim does not model as resources (S3, Api, HttpApi, CloudWatchLogs, IoTRule,
//! Cognito, AlexaSkill) are entry points: `Workload` entries with that `Source` invoke the function.

use serde_json::{json, Map, Value};

use super::cfn::{self, Code};
use super::eval::Ctx;
use super::names;
use super::out::{report_unread, Out, Pass, Props};
use super::TemplateError;

/// `Globals.Function`, as written.
pub fn globals(doc: &Value, _ctx: &Ctx) -> Result<Map<String, Value>, TemplateError> {
    let g = doc.get("Globals").and_then(|g| g.get("Function")).and_then(Value::as_object).cloned().unwrap_or_default();
    Ok(g)
}

/// A function's properties with the globals merged in (SAM's rules: the function's value wins; maps merge; lists
/// append).
fn with_globals(own: Map<String, Value>, globals: &Map<String, Value>) -> Map<String, Value> {
    let mut out = globals.clone();
    for (k, v) in own {
        let merged = match (out.remove(&k), v) {
            (Some(Value::Object(g)), Value::Object(f)) if !is_intrinsic(&f) && !is_intrinsic(&g) => Value::Object(with_globals(f, &g)),
            (Some(Value::Array(mut g)), Value::Array(f)) => {
                g.extend(f);
                Value::Array(g)
            }
            (_, v) => v,
        };
        out.insert(k, merged);
    }
    out
}

fn is_intrinsic(m: &Map<String, Value>) -> bool {
    m.len() == 1 && m.keys().next().is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))
}

/// Read one `AWS::Serverless::*` resource in one pass.
pub fn resource(
    out: &mut Out,
    ctx: &Ctx,
    globals: &Map<String, Value>,
    id: &str,
    ty: &str,
    res: &Value,
    pass: Pass,
) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let own = res.get("Properties").and_then(Value::as_object).cloned().unwrap_or_default();
    match (ty, pass) {
        ("AWS::Serverless::Function", Pass::Primary) => {
            let mut p = Props::new(with_globals(own, globals), ctx, format!("{path}.Properties"));
            function(out, ctx, id, &mut p)?;
            p.ignore(&["Events"]);
            report_unread(out, &p);
        }
        ("AWS::Serverless::Function", Pass::Attach) => {
            let mut p = Props::new(with_globals(own, globals), ctx, format!("{path}.Properties"));
            let target = invoke_target(out, ctx, id, &mut p)?;
            let events = p.raw.get("Events").and_then(Value::as_object).cloned().unwrap_or_default();
            for (name, ev) in &events {
                event(out, ctx, id, &target, name, ev)?;
            }
            if events.is_empty() {
                out.stub(json!({"Function": target, "Payload": {}}).as_object().cloned().unwrap_or_default(), id);
            }
        }
        ("AWS::Serverless::SimpleTable", Pass::Primary) => {
            let name = ctx.name_of(id, &path)?;
            out.name(id, ty, &name, &names::arn(ty, &name, &ctx.region, &ctx.account));
            out.skipped.push(format!("{path}: table {name} (SimpleTable) has no stream: nothing for Lambda to read, nothing to simulate"));
        }
        ("AWS::Serverless::Api" | "AWS::Serverless::HttpApi", Pass::Primary) => {
            out.skipped.push(format!(
                "{path} ({ty}): API Gateway is not simulated; functions' Api and HttpApi events are invoked by Workload entries with Source ApiGatewayRest / ApiGatewayHttp"
            ));
        }
        (_, Pass::Primary) => out.skipped.push(format!("{path} ({ty}): not simulated")),
        (_, Pass::Attach) => {}
    }
    Ok(())
}

/// What event sources invoke: the alias `AutoPublishAlias` makes, else the function.
fn invoke_target(out: &Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<String, TemplateError> {
    let name = out.logical.get(id).map(|l| l.name.clone()).unwrap_or_default();
    let arn = names::lambda_arn(&ctx.region, &ctx.account, &name);
    Ok(match p.str("AutoPublishAlias")? {
        Some(a) => format!("{arn}:{a}"),
        None => arn,
    })
}

fn function(out: &mut Out, ctx: &Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}");
    let name = ctx.name_of(id, &path)?;
    p.get("FunctionName")?;
    let code = match (p.get("CodeUri")?, p.get("InlineCode")?, p.get("ImageUri")?) {
        (_, Some(_), _) => Code::Not("InlineCode is not run".into()),
        (_, _, Some(_)) => Code::Not("a container image (ImageUri) is not run".into()),
        (Some(Value::String(d)), _, _) if d.starts_with("s3://") => Code::Not(format!("CodeUri {d} is not a local directory")),
        (Some(Value::String(d)), _, _) => Code::Dir(d),
        (Some(other), _, _) => Code::Not(format!("CodeUri {other} is not a local directory")),
        (None, _, _) => Code::Not("no CodeUri".into()),
    };
    let mut f = cfn::function_common(out, p, id, &name, code)?;
    out.name(id, "AWS::Serverless::Function", &name, &names::lambda_arn(&ctx.region, &ctx.account, &name));
    if let Some(d) = p.get("DeadLetterQueue")? {
        let t = d.get("Type").and_then(Value::as_str).unwrap_or("");
        let given = d.get("TargetArn").and_then(Value::as_str).unwrap_or("").to_string();
        let arn = match t {
            "SQS" => out.queue(&given, &p.at("DeadLetterQueue")),
            "SNS" => out.topic(&given, &p.at("DeadLetterQueue")).1,
            other => {
                return Err(TemplateError::new(
                    p.at("DeadLetterQueue.Type"),
                    format!("{other:?}: a dead-letter queue's Type is SQS or SNS"),
                ))
            }
        };
        f.insert("DeadLetterConfig".into(), json!({"TargetArn": arn}));
    }
    if let Some(c) = p.get("EventInvokeConfig")? {
        f.insert("EventInvokeConfig".into(), invoke_config(out, ctx, id, c, &p.at("EventInvokeConfig"))?);
    }
    if let Some(u) = p.get("FunctionUrlConfig")? {
        function_url(out, id, &name, &u, &p.at("FunctionUrlConfig"))?;
    }
    let pc = p.get("ProvisionedConcurrencyConfig")?;
    let alias = p.str("AutoPublishAlias")?;
    let deploy = p.get("DeploymentPreference")?;
    p.ignore(&["AutoPublishCodeSha256", "VersionDescription"]);
    match alias {
        Some(alias) => publish(out, &mut f, &name, &alias, pc, deploy, &path)?,
        None => {
            if let Some(pc) = pc {
                f.insert("ProvisionedConcurrencyConfig".into(), pc);
            }
            if deploy.is_some() {
                return Err(TemplateError::new(
                    format!("{path}.Properties.DeploymentPreference"),
                    "DeploymentPreference needs AutoPublishAlias (SAM shifts an alias)",
                ));
            }
        }
    }
    out.functions.push(f);
    Ok(())
}

/// `AutoPublishAlias` (version 1 and the alias) and `DeploymentPreference`: the deployment is modelled as an update,
/// version 1 the code before and version 2 this template's, the alias shifting from one to the other on the
/// timeline as CodeDeploy's predefined configurations do (`Canary10Percent5Minutes`: 10% at once, the rest after 5
/// minutes; `Linear10PercentEvery1Minute`: 10% more every minute; `AllAtOnce`).
fn publish(
    out: &mut Out,
    f: &mut Map<String, Value>,
    name: &str,
    alias: &str,
    pc: Option<Value>,
    deploy: Option<Value>,
    path: &str,
) -> Result<(), TemplateError> {
    let dp_path = format!("{path}.Properties.DeploymentPreference");
    let enabled = deploy.as_ref().and_then(|d| d.get("Enabled")).and_then(super::out::as_bool).unwrap_or(true);
    let kind = deploy.as_ref().filter(|_| enabled).and_then(|d| d.get("Type")).and_then(Value::as_str).map(String::from);
    let mut a = Map::new();
    a.insert("Name".into(), Value::String(alias.into()));
    if let Some(pc) = pc {
        a.insert("ProvisionedConcurrencyConfig".into(), pc);
    }
    // SAM puts `EventInvokeConfig` on the alias when there is one (`Qualifier: <alias>`, not `$LATEST`), and AWS keeps
    // one per qualifier: the event sources that invoke the alias run with it.
    if let Some(eic) = f.remove("EventInvokeConfig") {
        a.insert("EventInvokeConfig".into(), eic);
    }
    let Some(kind) = kind else {
        f.insert("Versions".into(), json!([{"Version": "1"}]));
        a.insert("FunctionVersion".into(), json!("1"));
        f.insert("Aliases".into(), Value::Array(vec![Value::Object(a)]));
        out.imported.push(format!("{path}: version 1 and alias {alias} (AutoPublishAlias); event sources invoke the alias"));
        return Ok(());
    };
    f.insert(
        "Versions".into(),
        json!([{"Version": "1", "Description": "before the deployment"}, {"Version": "2", "Description": "this template"}]),
    );
    let (first, step, every) = shift_plan(&kind).ok_or_else(|| {
        TemplateError::new(
            format!("{dp_path}.Type"),
            format!("{kind:?}: lambdasim shifts traffic for CanaryNPercentMMinutes, LinearNPercentEveryMMinutes(s) and AllAtOnce"),
        )
    })?;
    let done = |at: f64| json!({"AtSeconds": at, "UpdateAlias": {"FunctionName": name, "Name": alias, "FunctionVersion": "2", "RoutingConfig": {"AdditionalVersionWeights": []}}});
    if first >= 1.0 {
        a.insert("FunctionVersion".into(), json!("2"));
    } else {
        a.insert("FunctionVersion".into(), json!("1"));
        a.insert("RoutingConfig".into(), json!({"AdditionalVersionWeights": [{"FunctionVersion": "2", "FunctionWeight": first}]}));
        let mut w = first;
        let mut t = every;
        while w + step < 1.0 - 1e-9 && step > 0.0 {
            w += step;
            let weight = (w * 1000.0).round() / 1000.0;
            out.changes.push(json!({"AtSeconds": t, "UpdateAlias": {"FunctionName": name, "Name": alias,
                "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "2", "FunctionWeight": weight}]}}}));
            t += every;
        }
        out.changes.push(done(t));
    }
    f.insert("Aliases".into(), Value::Array(vec![Value::Object(a)]));
    out.imported.push(format!(
        "{path}: versions 1 (before) and 2 (this template) and alias {alias}; DeploymentPreference {kind}: the alias shifts to version 2 on the timeline (Changes)"
    ));
    if let Some(d) = deploy {
        for k in ["Hooks", "Alarms", "TriggerConfigurations", "Role", "PassthroughCondition"] {
            if d.get(k).is_some() {
                out.skipped.push(format!("{dp_path}.{k}: not simulated"));
            }
        }
    }
    Ok(())
}

/// (first weight, weight added per step, seconds per step) of a predefined deployment configuration.
fn shift_plan(kind: &str) -> Option<(f64, f64, f64)> {
    if kind == "AllAtOnce" {
        return Some((1.0, 0.0, 0.0));
    }
    let number = |s: &str| -> Option<(f64, usize)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, digits.len()))
    };
    if let Some(rest) = kind.strip_prefix("Canary") {
        let (pct, n) = number(rest)?;
        let rest = rest[n..].strip_prefix("Percent")?;
        let (min, n) = number(rest)?;
        rest[n..].strip_prefix("Minute")?;
        return Some((pct / 100.0, 1.0, min * 60.0));
    }
    if let Some(rest) = kind.strip_prefix("Linear") {
        let (pct, n) = number(rest)?;
        let rest = rest[n..].strip_prefix("PercentEvery")?;
        let (min, n) = number(rest)?;
        rest[n..].strip_prefix("Minute")?;
        return Some((pct / 100.0, pct / 100.0, min * 60.0));
    }
    None
}

/// SAM's `EventInvokeConfig`: destinations by `Type`; SQS and SNS without `Destination` make the queue or topic.
fn invoke_config(out: &mut Out, ctx: &Ctx, id: &str, c: Value, path: &str) -> Result<Value, TemplateError> {
    let mut m = Map::new();
    for k in ["MaximumRetryAttempts", "MaximumEventAgeInSeconds"] {
        if let Some(v) = c.get(k).and_then(super::out::as_int) {
            m.insert(k.into(), Value::from(v));
        }
    }
    let mut dc = Map::new();
    for which in ["OnSuccess", "OnFailure"] {
        let Some(d) = c.get("DestinationConfig").and_then(|d| d.get(which)) else { continue };
        let p = format!("{path}.DestinationConfig.{which}");
        let ty = d.get("Type").and_then(Value::as_str).unwrap_or("");
        let given = d.get("Destination").and_then(Value::as_str).map(String::from);
        let arn = match (ty, given) {
            ("SQS", Some(a)) => out.queue(&a, &p),
            ("SNS", Some(a)) => out.topic(&a, &p).1,
            // SAM makes the queue or topic (`!Ref Function.DestinationQueue` / `.DestinationTopic` name it).
            ("SQS", None) => {
                let name = names::generate(&ctx.stack, &format!("{id}DestinationQueue"), "AWS::SQS::Queue", None);
                out.queue(&names::arn("AWS::SQS::Queue", &name, &ctx.region, &ctx.account), &p)
            }
            ("SNS", None) => {
                let name = names::generate(&ctx.stack, &format!("{id}DestinationTopic"), "AWS::SNS::Topic", None);
                out.topic(&names::arn("AWS::SNS::Topic", &name, &ctx.region, &ctx.account), &p).1
            }
            ("EventBridge", Some(a)) => {
                let a = out.arn_of(&a, "events", &p);
                out.bus(&a);
                a
            }
            ("Lambda", Some(a)) => out.arn_of(&a, "lambda", &p),
            ("S3", Some(a)) => a,
            (t, _) => {
                return Err(TemplateError::new(
                    format!("{p}.Type"),
                    format!(
                        "{t:?}: a destination's Type is SQS, SNS, Lambda, EventBridge or S3 (Lambda, EventBridge and S3 need Destination)"
                    ),
                ))
            }
        };
        dc.insert(which.into(), json!({"Destination": arn}));
    }
    if !dc.is_empty() {
        m.insert("DestinationConfig".into(), Value::Object(dc));
    }
    Ok(Value::Object(m))
}

/// A function's URL (sam-resource-function `FunctionUrlConfig`: `AuthType` NONE or AWS_IAM, `InvokeMode` BUFFERED or
/// RESPONSE_STREAM, `Cors`): an entry point, a `Workload` entry with `Source` `FunctionUrl`.
fn function_url(out: &mut Out, id: &str, name: &str, u: &Value, path: &str) -> Result<(), TemplateError> {
    let mut options = Map::new();
    for (k, allowed) in [("AuthType", ["NONE", "AWS_IAM"]), ("InvokeMode", ["BUFFERED", "RESPONSE_STREAM"])] {
        match u.get(k) {
            None => {}
            Some(Value::String(v)) if allowed.contains(&v.as_str()) => {
                options.insert(k.into(), json!(v));
            }
            Some(other) => {
                return Err(TemplateError::new(format!("{path}.{k}"), format!("{other} is not allowed; one of {}", allowed.join(", "))))
            }
        }
    }
    if u.get("Cors").is_some() {
        out.skipped.push(format!("{path}.Cors: not simulated (browsers' preflight requests never reach the function)"));
    }
    let mut e = Map::new();
    e.insert("Function".into(), Value::String(name.into()));
    e.insert("Source".into(), json!("FunctionUrl"));
    e.insert("SourceOptions".into(), Value::Object(options));
    e.insert("Payload".into(), Value::Null);
    out.stub(e, &format!("{id}.FunctionUrl"));
    out.imported.push(format!("{path}: invoked by a Workload entry with Source FunctionUrl"));
    Ok(())
}

/// The SAM event types lambdasim reads, and those it skips (sources it does not simulate).
const EVENT_TYPES: &[&str] = &[
    "SQS",
    "Kinesis",
    "DynamoDB",
    "SNS",
    "S3",
    "Api",
    "HttpApi",
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
    "CloudWatchLogs",
    "IoTRule",
    "Cognito",
    "AlexaSkill",
    "MSK",
    "SelfManagedKafka",
    "MQ",
    "DocumentDB",
];
const SKIPPED_TYPES: &[&str] = &[];

/// One entry of a function's `Events`.
fn event(out: &mut Out, ctx: &Ctx, id: &str, target: &str, name: &str, ev: &Value) -> Result<(), TemplateError> {
    let path = format!("Resources.{id}.Properties.Events.{name}");
    let ty = match ctx.eval(ev.get("Type").unwrap_or(&Value::Null), &format!("{path}.Type"))? {
        Some(Value::String(t)) => t,
        other => return Err(TemplateError::new(format!("{path}.Type"), format!("an event needs a Type, found {other:?}"))),
    };
    if SKIPPED_TYPES.contains(&ty.as_str()) {
        out.skipped.push(format!("{path} ({ty} event): not simulated; invoke the function from Workload instead"));
        return Ok(());
    }
    if !EVENT_TYPES.contains(&ty.as_str()) {
        return Err(TemplateError::new(
            format!("{path}.Type"),
            format!("unsupported event type {ty:?}; lambdasim reads {} (and skips {})", EVENT_TYPES.join(", "), SKIPPED_TYPES.join(", ")),
        ));
    }
    let raw = ev.get("Properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut p = Props::new(raw, ctx, format!("{path}.Properties"));
    let stub_name = format!("{id}.{name}");
    match ty.as_str() {
        "SQS" | "Kinesis" | "DynamoDB" => {
            let key = if ty == "SQS" { "Queue" } else { "Stream" };
            let Some(arn) = p.str(key)? else {
                return Err(TemplateError::new(p.at(key), format!("a {ty} event needs {key}")));
            };
            if ty == "SQS" && arn.starts_with("https://") {
                return Err(TemplateError::new(
                    p.at(key),
                    format!("{arn:?} is a queue URL (what !Ref gives); an SQS event needs the ARN: !GetAtt Queue.Arn"),
                ));
            }
            let mut m = Map::new();
            m.insert("EventSourceArn".into(), Value::String(arn.clone()));
            m.insert("FunctionName".into(), Value::String(target.into()));
            for k in ["Enabled", "BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria", "ScalingConfig"]
            {
                cfn::copy(&mut p, &mut m, k)?;
            }
            if ty != "SQS" {
                for k in ["StartingPosition", "ParallelizationFactor", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds"] {
                    cfn::copy(&mut p, &mut m, k)?;
                }
                for k in ["BisectBatchOnFunctionError", "DestinationConfig", "TumblingWindowInSeconds", "StartingPositionTimestamp"] {
                    cfn::copy(&mut p, &mut m, k)?;
                }
            }
            cfn::mapping(out, m, &path, &stub_name)?;
        }
        "MSK" | "SelfManagedKafka" => super::cfn::kafka::sam_event(out, &ty, target, &mut p, &path, &stub_name)?,
        "MQ" | "DocumentDB" => mq_event(out, &ty, target, &mut p, &path, &stub_name)?,
        "SNS" => sns_event(out, ctx, id, target, name, &mut p, &stub_name)?,
        "Schedule" | "ScheduleV2" => {
            let expr = p.str(if ty == "Schedule" { "Schedule" } else { "ScheduleExpression" })?.unwrap_or_default();
            let mut r = Map::new();
            r.insert("Name".into(), Value::String(p.str("Name")?.unwrap_or_else(|| format!("{id}{name}"))));
            r.insert("ScheduleExpression".into(), Value::String(expr.clone()));
            if p.bool("Enabled")? == Some(false) || p.str("State")?.as_deref() == Some("DISABLED") {
                r.insert("State".into(), json!("DISABLED"));
            }
            let t = target_of(out, ctx, id, name, target, &mut p)?;
            r.insert("Targets".into(), Value::Array(t.into_iter().collect()));
            p.ignore(&["Description", "FlexibleTimeWindow", "ScheduleExpressionTimezone"]);
            out.add_rule("default", Value::Object(r));
            out.imported.push(format!("{path}: {ty} {expr}, a scheduled rule on the default event bus"));
        }
        "EventBridgeRule" | "CloudWatchEvent" => {
            let bus = p.str("EventBusName")?.unwrap_or_else(|| "default".into());
            let pattern = p.get("Pattern")?;
            let mut r = Map::new();
            r.insert("Name".into(), Value::String(p.str("RuleName")?.unwrap_or_else(|| format!("{id}{name}"))));
            if let Some(pat) = &pattern {
                r.insert("EventPattern".into(), pat.clone());
            }
            if let Some(s) = p.str("State")? {
                r.insert("State".into(), Value::String(s));
            }
            let t = target_of(out, ctx, id, name, target, &mut p)?;
            r.insert("Targets".into(), Value::Array(t.into_iter().collect()));
            let bus_name = names::name_in_arn(&bus);
            out.add_rule(&bus, Value::Object(r));
            let mut stub = json!({"EventBus": bus_name, "Payload": {"example": true}});
            let first = |k: &str| pattern.as_ref().and_then(|p| p.get(k)).and_then(|v| v.get(0)).and_then(Value::as_str).map(String::from);
            if let Some(s) = first("source") {
                stub["Source"] = Value::String(s);
            }
            if let Some(d) = first("detail-type") {
                stub["DetailType"] = Value::String(d);
            }
            out.stub(stub.as_object().cloned().unwrap_or_default(), &stub_name);
            out.imported.push(format!("{path}: rule on bus {bus_name}"));
        }
        _ => entry_point(out, &ty, target, &mut p, &path, &stub_name)?,
    }
    report_unread(out, &p);
    Ok(())
}

/// SAM's `MQ` (`Broker`, `Queues`) and `DocumentDB` (`Cluster`, `DatabaseName`, `CollectionName`, `FullDocument`)
/// events: the mapping, with the properties both share.
fn mq_event(out: &mut Out, ty: &str, target: &str, p: &mut Props, path: &str, stub: &str) -> Result<(), TemplateError> {
    let key = if ty == "MQ" { "Broker" } else { "Cluster" };
    let Some(arn) = p.str(key)? else {
        return Err(TemplateError::new(p.at(key), format!("a {ty} event needs {key}")));
    };
    let mut m = Map::new();
    m.insert("EventSourceArn".into(), Value::String(arn));
    m.insert("FunctionName".into(), Value::String(target.into()));
    for k in ["Enabled", "BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "SourceAccessConfigurations"] {
        cfn::copy(p, &mut m, k)?;
    }
    if ty == "MQ" {
        cfn::copy(p, &mut m, "Queues")?;
    } else {
        for k in ["StartingPosition", "StartingPositionTimestamp"] {
            cfn::copy(p, &mut m, k)?;
        }
        let mut c = Map::new();
        for k in ["DatabaseName", "CollectionName", "FullDocument"] {
            cfn::copy(p, &mut c, k)?;
        }
        m.insert("DocumentDBEventSourceConfig".into(), Value::Object(c));
    }
    p.ignore(&["SecretsManagerKmsKeyId", "DynamicPolicyName", "KmsKeyId"]);
    cfn::mapping(out, m, path, stub)
}

/// A rule's target for a Schedule or EventBridgeRule event: the function, with its `RetryPolicy` and
/// `DeadLetterConfig` (`{Type: SQS}` makes the queue, as SAM does).
fn target_of(out: &mut Out, ctx: &Ctx, id: &str, name: &str, target: &str, p: &mut Props) -> Result<Option<Value>, TemplateError> {
    let mut t = Map::new();
    let tid = p.get("Target")?.and_then(|t| t.get("Id").cloned()).unwrap_or(json!(format!("{id}{name}Target")));
    t.insert("Id".into(), tid);
    t.insert("Arn".into(), Value::String(target.into()));
    if let Some(r) = p.get("RetryPolicy")? {
        t.insert("RetryPolicy".into(), r);
    }
    if let Some(d) = p.get("DeadLetterConfig")? {
        let arn = match (d.get("Arn").and_then(Value::as_str), d.get("Type").and_then(Value::as_str)) {
            (Some(a), _) => a.to_string(),
            (None, Some("SQS")) => {
                let q = names::generate(&ctx.stack, &format!("{id}{name}Queue"), "AWS::SQS::Queue", None);
                names::arn("AWS::SQS::Queue", &q, &ctx.region, &ctx.account)
            }
            _ => return Err(TemplateError::new(p.at("DeadLetterConfig"), "a DeadLetterConfig needs Arn, or Type: SQS")),
        };
        let arn = out.queue(&arn, &p.at("DeadLetterConfig"));
        t.insert("DeadLetterConfig".into(), json!({"Arn": arn}));
    }
    for k in ["Input", "InputPath", "InputTransformer"] {
        if p.raw.contains_key(k) {
            p.ignore(&[k]);
            out.skipped.push(format!("{}: not simulated (the function gets the matched event)", p.at(k)));
        }
    }
    cfn::rule_target(out, &Value::Object(t), &p.path)
        .map(Some)
        .ok_or_else(|| TemplateError::new(p.path.clone(), "the rule's target is not simulated"))
}

fn sns_event(out: &mut Out, ctx: &Ctx, id: &str, target: &str, name: &str, p: &mut Props, stub_name: &str) -> Result<(), TemplateError> {
    let Some(topic) = p.str("Topic")? else {
        return Err(TemplateError::new(p.at("Topic"), "an SNS event needs Topic"));
    };
    let mut sub = Map::new();
    for k in ["FilterPolicy", "FilterPolicyScope", "RedrivePolicy"] {
        cfn::copy(p, &mut sub, k)?;
    }
    p.ignore(&["Region"]);
    match p.get("SqsSubscription")? {
        None | Some(Value::Bool(false)) => {
            sub.insert("Protocol".into(), json!("lambda"));
            sub.insert("Endpoint".into(), Value::String(target.into()));
            cfn::subscribe(out, &topic, sub, &format!("Resources.{id}.Properties.Events.{name}"));
        }
        Some(s) => {
            // SAM makes a queue subscribed to the topic and a mapping from the queue to the function.
            let given = s.get("QueueArn").and_then(Value::as_str).map(String::from);
            let queue_arn = given.unwrap_or_else(|| {
                let q = names::generate(&ctx.stack, &format!("{id}{name}Queue"), "AWS::SQS::Queue", None);
                names::arn("AWS::SQS::Queue", &q, &ctx.region, &ctx.account)
            });
            let queue_arn = out.queue(&queue_arn, &p.path);
            sub.insert("Protocol".into(), json!("sqs"));
            sub.insert("Endpoint".into(), Value::String(queue_arn.clone()));
            cfn::subscribe(out, &topic, sub, &format!("Resources.{id}.Properties.Events.{name}"));
            let mut m = Map::new();
            m.insert("EventSourceArn".into(), Value::String(queue_arn));
            m.insert("FunctionName".into(), Value::String(target.into()));
            if let Some(b) = s.get("BatchSize").and_then(super::out::as_int) {
                m.insert("BatchSize".into(), Value::from(b));
            }
            if let Some(e) = s.get("Enabled").and_then(super::out::as_bool) {
                m.insert("Enabled".into(), Value::Bool(e));
            }
            cfn::mapping(out, m, &p.path, &format!("{stub_name}.Queue"))?;
        }
    }
    let topic_name = names::name_in_arn(&topic);
    let mut stub = json!({"Topic": topic_name, "Payload": {"example": true}});
    if topic_name.ends_with(".fifo") {
        stub["MessageGroupId"] = json!("group-1");
    }
    out.stub(stub.as_object().cloned().unwrap_or_default(), stub_name);
    Ok(())
}

/// Events from services lambdasim has no resource for: a `Workload` stub with the service's `Source`.
fn entry_point(out: &mut Out, ty: &str, target: &str, p: &mut Props, path: &str, stub_name: &str) -> Result<(), TemplateError> {
    let (source, options, payload) = match ty {
        "S3" => {
            let bucket = p.str("Bucket")?.unwrap_or_default();
            let event = match p.get("Events")? {
                Some(Value::Array(a)) => a.first().and_then(Value::as_str).unwrap_or("s3:ObjectCreated:*").to_string(),
                Some(Value::String(s)) => s,
                _ => "s3:ObjectCreated:*".into(),
            };
            p.ignore(&["Filter"]);
            ("S3", json!({"Bucket": bucket, "EventName": cfn::s3_event(&event)}), json!("uploads/example.txt"))
        }
        "Api" | "HttpApi" => {
            let method = p
                .str("Method")?
                .map(|m| m.to_uppercase())
                .filter(|m| m != "ANY" && m != "X-AMAZON-APIGATEWAY-ANY-METHOD")
                .unwrap_or_else(|| "GET".into());
            let route = p.str("Path")?.unwrap_or_else(|| "/".into());
            p.ignore(&[
                "RestApiId",
                "ApiId",
                "Auth",
                "RequestModel",
                "RequestParameters",
                "PayloadFormatVersion",
                "TimeoutInMillis",
                "RouteSettings",
            ]);
            let concrete: String = route.replace(['{', '}'], "").replace("proxy+", "proxy");
            let src = if ty == "Api" { "ApiGatewayRest" } else { "ApiGatewayHttp" };
            (
                src,
                json!({"Method": method, "Path": concrete, "Resource": route}),
                if method == "GET" { Value::Null } else { json!({"example": true}) },
            )
        }
        "CloudWatchLogs" => {
            let group = p.str("LogGroupName")?.unwrap_or_default();
            p.ignore(&["FilterPattern"]);
            ("CloudWatchLogs", json!({"LogGroup": group}), json!(["log line"]))
        }
        "IoTRule" => {
            let sql = p.str("Sql")?.unwrap_or_default();
            p.ignore(&["AwsIotSqlVersion"]);
            let topic = sql.split('\'').nth(1).unwrap_or("devices/data").to_string();
            ("IoT", json!({"Topic": topic}), json!({"example": true}))
        }
        "Cognito" => {
            p.ignore(&["UserPool"]);
            let trigger = match p.get("Trigger")? {
                Some(Value::Array(a)) => a.first().and_then(Value::as_str).unwrap_or("PreSignUp").to_string(),
                Some(Value::String(s)) => s,
                _ => "PreSignUp".into(),
            };
            ("Cognito", json!({"TriggerSource": cognito_trigger(&trigger)}), json!({"email": "user@example.com"}))
        }
        // SAM's AlexaSkill event lets the Alexa Skills Kit (principal alexa-appkit.amazon.com) invoke the function: a
        // custom skill's request, not a Smart Home directive (sam-property-function-alexaskill).
        _ => {
            p.ignore(&["SkillId"]);
            ("AlexaSkillsKit", json!({"RequestType": "LaunchRequest"}), json!({}))
        }
    };
    let mut e = Map::new();
    e.insert("Function".into(), Value::String(target.into()));
    e.insert("Source".into(), json!(source));
    e.insert("SourceOptions".into(), options);
    e.insert("Payload".into(), payload);
    out.stub(e, stub_name);
    out.imported.push(format!("{path}: {ty} event: invoked by Workload entries with Source {source}"));
    Ok(())
}

/// A SAM Cognito trigger name as the Cognito source's `TriggerSource`.
fn cognito_trigger(t: &str) -> &'static str {
    match t {
        "PostConfirmation" => "PostConfirmation_ConfirmSignUp",
        "PreAuthentication" => "PreAuthentication_Authentication",
        "PostAuthentication" => "PostAuthentication_Authentication",
        "DefineAuthChallenge" => "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge" => "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse" => "VerifyAuthChallengeResponse_Authentication",
        "PreTokenGeneration" => "TokenGeneration_Authentication",
        "CustomMessage" => "CustomMessage_SignUp",
        "UserMigration" => "UserMigration_Authentication",
        _ => "PreSignUp_SignUp",
    }
}
