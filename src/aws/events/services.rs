//! The events of the application push sources added for issue 19 (spec section 7): AWS AppSync direct Lambda resolvers
//! (single and batch invoke), S3 Object Lambda (`getObjectContext`), Secrets Manager rotation steps, CodePipeline job
//! actions, S3 Batch Operations tasks (invocation schema 1.0 and 2.0) with the result contract, Amazon Connect contact
//! flows, AWS IoT Events Lambda actions, Alexa Skills Kit custom-skill requests, Amazon Lex V1 code hooks and Amazon
//! Cognito Sync triggers.
//!
//! Shapes from <https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html> and
//! resolver-reference-lambda-js.html (direct resolvers, `BatchInvoke`),
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-event-context.html>,
//! <https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html>,
//! <https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-invoke-lambda-function.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html>,
//! <https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html>,
//! <https://docs.aws.amazon.com/iotevents/latest/developerguide/iotevents-event-actions.html> (the default payload),
//! <https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html>,
//! <https://docs.aws.amazon.com/lex/latest/dg/lambda-input-response-format.html> and
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-events.html>, compared with the samples of
//! aws-lambda-go, SAM CLI and Powertools in `tests/conformance/push.rs`.

use serde_json::{json, Map, Value};

use super::{scalar_text, text, EventCtx, Opts};
use crate::aws::ids::{b64, b64url, chars, iso_s, stable, uuid, ALNUM, DIGITS, LOWER_ALNUM, LOWER_HEX, UPPER_ALNUM};

/// AppSync's authorization modes (what `identity` holds).
pub(super) const APPSYNC_AUTH: &[&str] = &["API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "AWS_LAMBDA"];
/// The four rotation steps, in the order Secrets Manager invokes them.
pub const ROTATION_STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];
/// S3 Batch Operations invocation schema versions.
pub(super) const S3_BATCH_SCHEMAS: &[&str] = &["1.0", "2.0"];
/// Amazon Connect channels.
pub(super) const CONNECT_CHANNELS: &[&str] = &["VOICE", "CHAT", "TASK", "EMAIL"];
/// How a contact started.
pub(super) const CONNECT_INITIATION: &[&str] =
    &["INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "API", "QUEUE_TRANSFER", "EXTERNAL_OUTBOUND", "MONITOR", "DISCONNECT"];
/// The request types of a custom skill.
pub(super) const ALEXA_REQUESTS: &[&str] = &["LaunchRequest", "IntentRequest", "SessionEndedRequest"];
/// Lex V1 invocation sources.
pub(super) const LEX_V1_SOURCES: &[&str] = &["DialogCodeHook", "FulfillmentCodeHook"];
/// Lex V1 output dialog modes.
pub(super) const LEX_V1_MODES: &[&str] = &["Text", "Voice"];
/// The trigger types of an IoT Events detector's event.
pub(super) const IOT_EVENTS_TRIGGERS: &[&str] = &["Message", "Timer"];

fn payload_object(ctx: &EventCtx<'_>) -> Map<String, Value> {
    match ctx.payload {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => {
            let mut m = Map::new();
            m.insert("value".into(), other.clone());
            m
        }
    }
}

// AWS AppSync direct Lambda resolver: the context object `{arguments, identity, source, request {headers,
// domainName}, prev, info {selectionSetList, selectionSetGraphQL, parentTypeName, fieldName, variables}, stash}`
// (resolver-context-reference-js.html; SAM CLI's `AppSyncDirectResolver.json`). `identity` is null for API_KEY and
// AWS_LAMBDA authorization and holds the Cognito user pool claims for AMAZON_COGNITO_USER_POOLS. With `BatchSize` > 1
// the resolver's operation is `BatchInvoke` and one invocation gets an array of that many contexts, one per parent
// object being resolved (resolver-reference-lambda-js.html, "Batching"; Powertools' `appSyncBatchEvent.json`).
pub(super) fn appsync(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let batch = o.u64("BatchSize").unwrap_or(1).max(1);
    if batch == 1 {
        return appsync_context(ctx, o, 0, None);
    }
    Value::Array((0..batch).map(|i| appsync_context(ctx, o, i, Some(ctx.n * batch + i))).collect())
}

fn appsync_context(ctx: &EventCtx<'_>, o: &Opts, i: u64, source: Option<u64>) -> Value {
    let api = chars(stable(&[ctx.account_id, ctx.region, "appsync"]), 0xa5_01, 26, LOWER_ALNUM);
    let host = format!("{api}.appsync-api.{}.amazonaws.com", ctx.region);
    let fields = o.list("SelectionSetList").unwrap_or_else(|| vec!["id".to_string()]);
    let graphql = format!("{{\n  {}\n}}", fields.join("\n  "));
    let user = format!("user-{}", ctx.n);
    let sub = uuid(stable(&[&api, &user]), 0xa5_02);
    let pool = format!("https://cognito-idp.{}.amazonaws.com/{}_{}", ctx.region, ctx.region, chars(stable(&[&api]), 0xa5_03, 9, ALNUM));
    let identity = match o.string("AuthorizationType", "API_KEY").as_str() {
        "AMAZON_COGNITO_USER_POOLS" => json!({
            "claims": {"sub": sub, "iss": pool, "cognito:username": user, "token_use": "id", "auth_time": ctx.epoch_ms / 1000},
            "defaultAuthStrategy": "ALLOW",
            "groups": null,
            "issuer": pool,
            "sourceIp": [super::super::ids::doc_ip(ctx.key, 0xa5_04)],
            "sub": sub,
            "username": user,
        }),
        "AWS_IAM" => json!({
            "accountId": ctx.account_id,
            "cognitoIdentityAuthProvider": null,
            "cognitoIdentityAuthType": null,
            "cognitoIdentityId": null,
            "cognitoIdentityPoolId": null,
            "sourceIp": [super::super::ids::doc_ip(ctx.key, 0xa5_04)],
            "userArn": format!("arn:aws:iam::{}:user/caller", ctx.account_id),
            "username": format!("AIDA{}", chars(ctx.key, 0xa5_05, 17, UPPER_ALNUM)),
        }),
        _ => Value::Null,
    };
    let source = match source {
        Some(k) => json!({"id": k.to_string()}),
        None => o.obj("Source").cloned().map(Value::Object).unwrap_or(Value::Null),
    };
    let body = json!({"query": format!("{} {{ {} }}", o.string("ParentTypeName", "Query").to_ascii_lowercase(), o.string("FieldName", "getItem"))});
    json!({
        "arguments": payload_object(ctx),
        "identity": identity,
        "source": source,
        "request": {
            "headers": {
                "accept": "*/*",
                "content-length": body.to_string().len().to_string(),
                "content-type": "application/json",
                "host": host,
                "x-amzn-trace-id": format!("Root=1-{:08x}-{}", ctx.epoch_ms.max(0) / 1000, chars(ctx.key ^ i, 0xa5_06, 24, LOWER_HEX)),
            },
            "domainName": null,
        },
        "prev": null,
        "info": {
            "selectionSetList": fields,
            "selectionSetGraphQL": graphql,
            "parentTypeName": o.string("ParentTypeName", "Query"),
            "fieldName": o.string("FieldName", "getItem"),
            "variables": {},
        },
        "stash": {},
    })
}

// S3 Object Lambda: a GetObject request through an Object Lambda access point. olap-event-context.html:
// `{xAmzRequestId, getObjectContext {inputS3Url, outputRoute, outputToken}, configuration {accessPointArn,
// supportingAccessPointArn, payload}, userRequest {url, headers}, userIdentity {type, principalId, arn, accountId,
// accessKeyId}, protocolVersion "1.00"}`. The function answers with `WriteGetObjectResponse` using `outputRoute` and
// `outputToken`; its return value is not read.
pub(super) fn s3_object_lambda(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let ap = o.string("AccessPointName", "lambdasim-olap");
    let supporting = o.string("SupportingAccessPointName", "lambdasim-ap");
    let key = o.string("Key", format!("object-{}.txt", ctx.n));
    let acct = ctx.account_id;
    let olap_host = format!("{ap}-{acct}.s3-object-lambda.{}.amazonaws.com", ctx.region);
    let input = format!(
        "https://{supporting}-{acct}.s3-accesspoint.{}.amazonaws.com/{key}?X-Amz-Security-Token={}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={}&X-Amz-SignedHeaders=host&X-Amz-Expires=61&X-Amz-Signature={}",
        ctx.region,
        b64url(ctx.key, 0x0b_01, 24),
        crate::aws::ids::utc(ctx.epoch_ms).format("%Y%m%dT%H%M%SZ"),
        chars(ctx.key, 0x0b_02, 64, LOWER_HEX)
    );
    let principal = format!("AIDA{}", chars(stable(&[acct, "olap-user"]), 0x0b_03, 17, UPPER_ALNUM));
    json!({
        "xAmzRequestId": chars(ctx.key, 0x0b_04, 16, UPPER_ALNUM),
        "getObjectContext": {
            "inputS3Url": input,
            "outputRoute": format!("io-{}-{}", ctx.region.split('-').map(|p| &p[..1.min(p.len())]).collect::<String>(), chars(ctx.key, 0x0b_05, 3, DIGITS)),
            "outputToken": b64(ctx.key, 0x0b_06, 48),
        },
        "configuration": {
            "accessPointArn": format!("arn:aws:s3-object-lambda:{}:{acct}:accesspoint/{ap}", ctx.region),
            "supportingAccessPointArn": format!("arn:aws:s3:{}:{acct}:accesspoint/{supporting}", ctx.region),
            "payload": o.get("Payload").map(text).unwrap_or_else(|| "{}".to_string()),
        },
        "userRequest": {
            "url": format!("https://{olap_host}/{key}"),
            "headers": {"Host": olap_host, "Accept-Encoding": "identity", "X-Amz-Content-SHA256": chars(ctx.key, 0x0b_07, 64, LOWER_HEX)},
        },
        "userIdentity": {
            "type": "IAMUser",
            "principalId": principal,
            "arn": format!("arn:aws:iam::{acct}:user/{}", o.string("UserName", "caller")),
            "accountId": acct,
            "accessKeyId": format!("AKIA{}", chars(ctx.key, 0x0b_08, 16, UPPER_ALNUM)),
        },
        "protocolVersion": "1.00",
    })
}

// Secrets Manager rotation: `{Step, SecretId, ClientRequestToken, RotationToken}` (rotate-secrets_lambda.html;
// aws-lambda-go's `secretsmanager-secret-rotation-event.json`). One rotation is four synchronous invocations of the
// same function in the order of [`ROTATION_STEPS`], all with the same `ClientRequestToken` (the new version's id) and
// `RotationToken`; the `Step` option (or the simulation's rotation) picks the step.
pub(super) fn secrets_manager(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let secret = o.string(
        "SecretId",
        format!(
            "arn:aws:secretsmanager:{}:{}:secret:lambdasim-secret-{}",
            ctx.region,
            ctx.account_id,
            chars(stable(&[ctx.account_id]), 0x5e_01, 6, ALNUM)
        ),
    );
    // The rotation, not the step, owns the tokens: derived from the secret and the event's index.
    let rotation = stable(&[&secret, &ctx.n.to_string()]);
    json!({
        "Step": o.string("Step", "createSecret"),
        "SecretId": secret,
        "ClientRequestToken": uuid(rotation, 0x5e_02),
        "RotationToken": uuid(rotation, 0x5e_03),
    })
}

// AWS CodePipeline Lambda invoke action: `{"CodePipeline.job": {id, accountId, data {actionConfiguration
// {configuration {FunctionName, UserParameters}}, inputArtifacts, outputArtifacts, artifactCredentials
// {secretAccessKey, sessionToken, accessKeyId}, continuationToken?}}}` (actions-invoke-lambda-function.html;
// aws-lambda-go's `codepipeline-job-event.json`, SAM CLI's `CodePipeline.json`). CodePipeline invokes asynchronously and
// waits for the function to call PutJobSuccessResult or PutJobFailureResult.
pub(super) fn codepipeline(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let bucket =
        o.string("ArtifactBucket", format!("codepipeline-{}-{}", ctx.region, chars(stable(&[ctx.account_id]), 0xc9_01, 12, DIGITS)));
    let artifact = |name: &str, key: String, revision: Value| json!({"location": {"s3Location": {"bucketName": bucket, "objectKey": key}, "type": "S3"}, "revision": revision, "name": name});
    let inputs: Vec<Value> = o
        .list("InputArtifacts")
        .unwrap_or_else(|| vec!["SourceArtifact".to_string()])
        .iter()
        .map(|n| artifact(n, format!("pipeline/{n}/{}", chars(ctx.key, 0xc9_02, 7, ALNUM)), json!(chars(ctx.key, 0xc9_03, 40, LOWER_HEX))))
        .collect();
    let outputs: Vec<Value> = o
        .list("OutputArtifacts")
        .unwrap_or_default()
        .iter()
        .map(|n| artifact(n, format!("pipeline/{n}/{}", chars(ctx.key, 0xc9_04, 7, ALNUM)), Value::Null))
        .collect();
    let mut data = Map::new();
    data.insert(
        "actionConfiguration".into(),
        json!({"configuration": {
            "FunctionName": o.string("FunctionName", "function"),
            "UserParameters": o.get("UserParameters").map(text).unwrap_or_else(|| text(ctx.payload)),
        }}),
    );
    data.insert("inputArtifacts".into(), json!(inputs));
    data.insert("outputArtifacts".into(), json!(outputs));
    data.insert(
        "artifactCredentials".into(),
        json!({
            "secretAccessKey": b64(ctx.key, 0xc9_05, 30),
            "sessionToken": b64(ctx.key, 0xc9_06, 96),
            "accessKeyId": format!("ASIA{}", chars(ctx.key, 0xc9_07, 16, UPPER_ALNUM)),
        }),
    );
    if let Some(t) = o.str("ContinuationToken") {
        data.insert("continuationToken".into(), json!(t));
    }
    json!({"CodePipeline.job": {"id": uuid(ctx.key, 0xc9_08), "accountId": ctx.account_id, "data": data}})
}

// S3 Batch Operations "Invoke AWS Lambda function" task (batch-ops-invoke-lambda.html). Schema 1.0: `{invocationSchemaVersion,
// invocationId, job {id}, tasks [{taskId, s3Key, s3VersionId, s3BucketArn}]}`; schema 2.0 adds `job.userArguments`
// and names the bucket (`s3Bucket`) instead of its ARN. One task per invocation, as S3 Batch Operations sends. The
// `TaskId` option fixes the task id (a template with `{{n}}`), so that a rule's `Response` can answer for it.
pub(super) fn s3_batch(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let schema = o.string("InvocationSchemaVersion", "1.0");
    let bucket = o.string("Bucket", "lambdasim-bucket");
    let job = uuid(stable(&[ctx.account_id, &o.string("JobName", "job")]), 0xb0_01);
    let key = o.string(
        "Key",
        match ctx.payload {
            Value::String(s) => s.clone(),
            _ => format!("object-{}", ctx.n),
        },
    );
    let version = o.get("VersionId").map(scalar_text).map(Value::String).unwrap_or(Value::Null);
    let mut task = Map::new();
    task.insert("taskId".into(), json!(o.string("TaskId", b64(ctx.key, 0xb0_02, 15))));
    task.insert("s3Key".into(), json!(key));
    task.insert("s3VersionId".into(), version);
    if schema == "2.0" {
        task.insert("s3Bucket".into(), json!(bucket));
    } else {
        task.insert("s3BucketArn".into(), json!(format!("arn:aws:s3:::{bucket}")));
    }
    let mut job_obj = Map::new();
    job_obj.insert("id".into(), json!(job));
    if schema == "2.0" {
        job_obj.insert("userArguments".into(), Value::Object(o.obj("UserArguments").cloned().unwrap_or_default()));
    }
    json!({
        "invocationSchemaVersion": schema,
        "invocationId": b64url(ctx.key, 0xb0_03, 36).trim_end_matches('=').to_string(),
        "job": job_obj,
        "tasks": [task],
    })
}

/// What an S3 Batch Operations function's response says of the task (batch-ops-invoke-lambda.html, "Response
/// and result codes"): the `resultCode` of the `results` entry for the task, or `treatMissingKeysAs` (default
/// `PermanentFailure`) when the response has no result for it; `None` for a response that is not a valid result
/// document (S3 Batch Operations counts the task as failed).
pub fn s3_batch_result(response: &Value, task_id: &str) -> Option<&'static str> {
    let code = |s: &str| match s {
        "Succeeded" => Some("Succeeded"),
        "TemporaryFailure" => Some("TemporaryFailure"),
        "PermanentFailure" => Some("PermanentFailure"),
        _ => None,
    };
    let results = response.get("results")?.as_array()?;
    match results.iter().find(|r| r.get("taskId").and_then(Value::as_str) == Some(task_id)) {
        Some(r) => code(r.get("resultCode")?.as_str()?),
        None => code(response.get("treatMissingKeysAs").and_then(Value::as_str).unwrap_or("PermanentFailure")),
    }
}

/// What a CodePipeline job's function reported (action-reference-Lambda.html: the function "must call either the
/// PutJobSuccessResult API or PutJobFailureResult API. Otherwise, the execution of this action hangs until the action
/// times out").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// `PutJobSuccessResult` without a continuation token: the action succeeded.
    Success,
    /// `PutJobFailureResult`: the action failed.
    Failure,
    /// `PutJobSuccessResult` with a `continuationToken`: the action is still in progress; CodePipeline runs a new job
    /// of the action with that token (limits.html: the 20-minute timer restarts).
    Continue(String),
}

/// The call a CodePipeline job's function made, read from its response (lambdasim's stand-in for the API call):
/// `{"PutJobFailureResult": {...}}`, `{"PutJobSuccessResult": {"continuationToken"?: ...}}`; `None` when the response
/// names neither.
pub fn codepipeline_job_result(response: &Value) -> Option<JobResult> {
    if response.get("PutJobFailureResult").is_some() {
        return Some(JobResult::Failure);
    }
    let success = response.get("PutJobSuccessResult")?;
    match success.get("continuationToken").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => Some(JobResult::Continue(t.to_string())),
        _ => Some(JobResult::Success),
    }
}

/// `JobResult` option values of a CodePipeline source: what a successful invocation whose response names neither call
/// reports.
pub const JOB_RESULTS: [&str; 2] = ["Success", "None"];

// Amazon Connect contact flow "Invoke AWS Lambda function" block: `{Name: "ContactFlowEvent", Details {ContactData
// {Attributes, Channel, ContactId, CustomerEndpoint, InitialContactId, InitiationMethod, InstanceARN,
// PreviousContactId, Queue, SystemEndpoint, ...}, Parameters}}` (connect-lambda-functions.html; SAM CLI's
// `ConnectContactFlowEvent.json`, Powertools' `connectContactFlowEventAll.json`). The payload gives the block's
// `Parameters`. Connect waits synchronously (up to 8 s, the block's timeout) and does not retry.
pub(super) fn connect(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let instance =
        format!("arn:aws:connect:{}:{}:instance/{}", ctx.region, ctx.account_id, uuid(stable(&[ctx.account_id, "connect"]), 0xcc_11));
    let contact = uuid(ctx.key, 0xcc_12);
    let channel = o.string("Channel", "VOICE");
    let voice = channel == "VOICE";
    let endpoint = |addr: String| json!({"Address": addr, "Type": if voice { "TELEPHONE_NUMBER" } else { "EXTERNAL" }});
    let queue = match o.str("QueueName") {
        Some(q) => json!({"ARN": format!("{instance}/queue/{}", uuid(stable(&[q]), 0xcc_13)), "Name": q}),
        None => Value::Null,
    };
    let params: Map<String, Value> = payload_object(ctx).into_iter().map(|(k, v)| (k, json!(scalar_text(&v)))).collect();
    json!({
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": o.obj("Attributes").cloned().unwrap_or_default(),
                "Channel": channel,
                "ContactId": contact,
                "CustomerEndpoint": endpoint(o.string("CustomerPhoneNumber", format!("+1555{}", chars(ctx.key, 0xcc_14, 7, DIGITS)))),
                "InitialContactId": contact,
                "InitiationMethod": o.string("InitiationMethod", "INBOUND"),
                "InstanceARN": instance,
                "PreviousContactId": contact,
                "Queue": queue,
                "SystemEndpoint": endpoint(o.string("SystemPhoneNumber", "+15550100000")),
            },
            "Parameters": params,
        },
    })
}

// AWS IoT Events Lambda action with the default payload (iotevents-event-actions.html, "Default payload"): `{eventTime,
// payload {actionExecutionId, detector {detectorModelName, keyValue, detectorModelVersion}, eventTriggerDetails
// {inputName, messageId, triggerType}, state {stateName, variables, timers}}, eventName}`. The payload gives the
// detector's variables. IoT Events invokes asynchronously. The guide shows this shape without a published sample
// file; `tests/conformance/push.rs` writes its keys out.
pub(super) fn iot_events(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let model = o.string("DetectorModelName", "lambdasim-detector");
    let trigger = o.string("TriggerType", "Message");
    let message = if trigger == "Message" { json!(uuid(ctx.key, 0x1e_11)) } else { Value::Null };
    let input = if trigger == "Message" { json!(o.string("InputName", "lambdasimInput")) } else { Value::Null };
    json!({
        "eventTime": ctx.epoch_ms,
        "payload": {
            "actionExecutionId": uuid(ctx.key, 0x1e_12),
            "detector": {
                "detectorModelName": model,
                "keyValue": o.string("KeyValue", format!("device-{}", ctx.n)),
                "detectorModelVersion": o.string("DetectorModelVersion", "1"),
            },
            "eventTriggerDetails": {"inputName": input, "messageId": message, "triggerType": trigger},
            "state": {
                "stateName": o.string("StateName", "Alarm"),
                "variables": payload_object(ctx),
                "timers": o.obj("Timers").cloned().unwrap_or_default(),
            },
        },
        "eventName": o.string("EventName", "onEnter"),
    })
}

// Alexa Skills Kit custom skill request: `{version, session {new, sessionId, application {applicationId}, attributes,
// user {userId}}, context {AudioPlayer, System {application, user, device {supportedInterfaces}}}, request {type,
// requestId, timestamp, locale, intent?, reason?}}` (request-and-response-json-reference.html; SAM CLI's
// `alexa-skills-kit/*.json`). The payload gives the intent's slot values. Sync: Alexa waits for the speech response.
pub(super) fn alexa_skills_kit(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let app = format!("amzn1.ask.skill.{}", uuid(stable(&[ctx.account_id, &o.string("SkillName", "skill")]), 0xa2_01));
    let user = format!("amzn1.ask.account.{}", chars(stable(&[&app, &o.string("UserId", "user")]), 0xa2_02, 32, UPPER_ALNUM));
    let request_type = o.string("RequestType", "IntentRequest");
    let mut request = Map::new();
    request.insert("type".into(), json!(request_type));
    request.insert("requestId".into(), json!(format!("amzn1.echo-api.request.{}", uuid(ctx.key, 0xa2_03))));
    request.insert("timestamp".into(), json!(iso_s(ctx.epoch_ms)));
    request.insert("locale".into(), json!(o.string("Locale", "en-US")));
    match request_type.as_str() {
        "IntentRequest" => {
            let slots: Map<String, Value> =
                payload_object(ctx).into_iter().map(|(k, v)| (k.clone(), json!({"name": k, "value": scalar_text(&v)}))).collect();
            request.insert("intent".into(), json!({"name": o.string("IntentName", "HelloIntent"), "slots": slots}));
        }
        "SessionEndedRequest" => {
            request.insert("reason".into(), json!(o.string("Reason", "USER_INITIATED")));
        }
        _ => {}
    }
    let application = json!({"applicationId": app});
    let user_obj = json!({"userId": user});
    json!({
        "version": "1.0",
        "session": {
            "new": o.bool("NewSession", request_type == "LaunchRequest"),
            "sessionId": format!("amzn1.echo-api.session.{}", uuid(stable(&[&user, &ctx.n.to_string()]), 0xa2_04)),
            "application": application,
            "attributes": o.obj("SessionAttributes").cloned().unwrap_or_default(),
            "user": user_obj,
        },
        "context": {
            "AudioPlayer": {"playerActivity": "IDLE"},
            "System": {"application": application, "user": user_obj, "device": {"supportedInterfaces": {"AudioPlayer": {}}}},
        },
        "request": request,
    })
}

// Amazon Lex V1 code hook (lambda-input-response-format.html; SAM CLI's `lex/*.json`, aws-lambda-go's
// `lex-event.json`): `{messageVersion "1.0", invocationSource, userId, sessionAttributes, requestAttributes, bot
// {name, alias, version}, outputDialogMode, currentIntent {name, slots, slotDetails, confirmationStatus},
// inputTranscript}`. The payload gives the slots; `requestAttributes` is null when the request has none.
pub(super) fn lex_v1(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let slots: Map<String, Value> = payload_object(ctx).into_iter().map(|(k, v)| (k, json!(scalar_text(&v)))).collect();
    let details: Map<String, Value> =
        slots.iter().map(|(k, v)| (k.clone(), json!({"resolutions": [{"value": v}], "originalValue": v}))).collect();
    let transcript = o.string("InputTranscript", slots.values().filter_map(Value::as_str).collect::<Vec<_>>().join(" "));
    json!({
        "messageVersion": "1.0",
        "invocationSource": o.string("InvocationSource", "FulfillmentCodeHook"),
        "userId": o.string("UserId", format!("user-{}", ctx.n)),
        "sessionAttributes": o.obj("SessionAttributes").cloned().unwrap_or_default(),
        "requestAttributes": o.obj("RequestAttributes").cloned().map(Value::Object).unwrap_or(Value::Null),
        "bot": {"name": o.string("BotName", "LambdasimBot"), "alias": o.string("BotAlias", "$LATEST"), "version": o.string("BotVersion", "$LATEST")},
        "outputDialogMode": o.string("OutputDialogMode", "Text"),
        "currentIntent": {
            "name": o.string("IntentName", "OrderFlowers"),
            "slots": slots,
            "slotDetails": details,
            "confirmationStatus": o.string("ConfirmationStatus", "None"),
        },
        "inputTranscript": transcript,
    })
}

/// Lex V1 confirmation states.
pub(super) const LEX_V1_CONFIRMATION: &[&str] = &["None", "Confirmed", "Denied"];

// Amazon Cognito Sync trigger (cognito-events.html): `{version 2, eventType "SyncTrigger", region, identityPoolId,
// identityId, datasetName, datasetRecords {key: {oldValue, newValue, op}}}` (SAM CLI's `CognitoSyncTrigger.json`). The
// payload gives the records' new values (`op` "replace"); Cognito Sync waits for the function (sync).
pub(super) fn cognito_sync(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let pool = o.string("IdentityPoolId", format!("{}:{}", ctx.region, uuid(stable(&[ctx.account_id, "identity-pool"]), 0xc5_01)));
    let old = o.obj("OldValues").cloned().unwrap_or_default();
    let records: Map<String, Value> = payload_object(ctx)
        .into_iter()
        .map(|(k, v)| {
            let before = old.get(&k).map(scalar_text).unwrap_or_default();
            let op = if v.is_null() { "remove" } else { "replace" };
            (k, json!({"oldValue": before, "newValue": if v.is_null() { String::new() } else { scalar_text(&v) }, "op": op}))
        })
        .collect();
    json!({
        "version": 2,
        "eventType": "SyncTrigger",
        "region": ctx.region,
        "identityPoolId": pool,
        "identityId": o.string("IdentityId", format!("{}:{}", ctx.region, uuid(stable(&[&pool, &ctx.n.to_string()]), 0xc5_02))),
        "datasetName": o.string("DatasetName", "lambdasim-dataset"),
        "datasetRecords": records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_batch_result_codes() {
        let r = json!({"invocationSchemaVersion": "1.0", "treatMissingKeysAs": "TemporaryFailure", "invocationId": "i",
            "results": [{"taskId": "t1", "resultCode": "Succeeded", "resultString": ""}]});
        assert_eq!(s3_batch_result(&r, "t1"), Some("Succeeded"));
        assert_eq!(s3_batch_result(&r, "t2"), Some("TemporaryFailure"));
        assert_eq!(s3_batch_result(&json!({"results": []}), "t"), Some("PermanentFailure"));
        assert_eq!(s3_batch_result(&json!({"results": [{"taskId": "t", "resultCode": "Maybe"}]}), "t"), None);
        assert_eq!(s3_batch_result(&json!("ok"), "t"), None);
    }
}
