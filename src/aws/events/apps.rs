//! The events of the application and management services (spec section 7): Amazon Cognito user pool triggers, AWS
//! CloudFormation custom resource requests, Amazon EventBridge events, AWS CodeCommit triggers, AWS Config custom rule
//! evaluations, Alexa Smart Home directives, Amazon Lex V2 code hooks and AWS IoT rule actions.
//!
//! Shapes from <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html>,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html>,
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-codecommit.html>,
//! <https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html>,
//! <https://developer.amazon.com/docs/device-apis/alexa-discovery.html>,
//! <https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html> and
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-iot.html> (each builder cites its pages).

use serde_json::{json, Map, Value};

use super::{fn_arn, scalar_text, text, EventCtx, Opts};
use crate::aws::ids::{b64, b64url, chars, iso_ms, md5_hex, stable, utc, uuid, ALNUM, DIGITS, LOWER_ALNUM, LOWER_HEX, UPPER_ALNUM};

// Amazon Cognito user pool trigger.
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
// (common parameters version, triggerSource, region, userPoolId, userName, callerContext, request, response) and the
// per-trigger pages (e.g. user-pool-lambda-pre-sign-up.html for request.userAttributes/validationData and
// response.autoConfirmUser/autoVerifyEmail/autoVerifyPhone).
pub(super) const COGNITO_TRIGGERS: &[&str] = &[
    "PreSignUp_SignUp",
    "PreSignUp_AdminCreateUser",
    "PreSignUp_ExternalProvider",
    "PostConfirmation_ConfirmSignUp",
    "PostConfirmation_ConfirmForgotPassword",
    "PreAuthentication_Authentication",
    "PostAuthentication_Authentication",
    "CustomMessage_SignUp",
    "CustomMessage_AdminCreateUser",
    "CustomMessage_ResendCode",
    "CustomMessage_ForgotPassword",
    "CustomMessage_UpdateUserAttribute",
    "CustomMessage_VerifyUserAttribute",
    "CustomMessage_Authentication",
    "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse_Authentication",
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "UserMigration_Authentication",
    "UserMigration_ForgotPassword",
];

pub(super) fn cognito(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let trigger = o.string("TriggerSource", "PreSignUp_SignUp");
    let family = trigger.split('_').next().unwrap_or("").to_string();
    let pool = o.string("UserPoolId", format!("{}_{}", ctx.region, chars(stable(&[ctx.account_id, ctx.region]), 0xc0_01, 9, ALNUM)));
    let client = o.string("ClientId", chars(stable(&[&pool]), 0xc0_02, 26, LOWER_ALNUM));
    let user = o.string("UserName", format!("user-{}", ctx.n));
    let mut attrs = Map::new();
    if !matches!(family.as_str(), "PreSignUp" | "UserMigration") {
        attrs.insert("sub".into(), json!(uuid(stable(&[&pool, &user]), 0xc0_03)));
    }
    match ctx.payload {
        Value::Object(m) => attrs.extend(m.iter().map(|(k, v)| (k.clone(), json!(scalar_text(v))))),
        _ => {
            attrs.insert("email".into(), json!(format!("{user}@example.com")));
        }
    }
    let attrs = Value::Object(attrs);
    let (request, response) = match family.as_str() {
        "PreSignUp" => (
            json!({"userAttributes": attrs, "validationData": null}),
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
        ),
        "PreAuthentication" => (json!({"userAttributes": attrs, "validationData": null, "userNotFound": false}), json!({})),
        "PostAuthentication" => (json!({"userAttributes": attrs, "newDeviceUsed": false}), json!({})),
        "CustomMessage" => (
            json!({"userAttributes": attrs, "codeParameter": "{####}", "usernameParameter": null}),
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        ),
        // userNotFound: "populated when PreventUserExistenceErrors is set to ENABLED" (Cognito developer guide), the
        // default of new app clients; as in aws-lambda-go's cognito-event-userpools-define-auth-challenge.json.
        "DefineAuthChallenge" => (
            json!({"userAttributes": attrs, "session": [], "userNotFound": false}),
            json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
        ),
        "CreateAuthChallenge" => (
            json!({"userAttributes": attrs, "challengeName": "CUSTOM_CHALLENGE", "session": []}),
            json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null}),
        ),
        "VerifyAuthChallengeResponse" => {
            (json!({"userAttributes": attrs, "privateChallengeParameters": {}, "challengeAnswer": ""}), json!({"answerCorrect": null}))
        }
        "TokenGeneration" => (
            json!({
                "userAttributes": attrs,
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
            }),
            json!({"claimsOverrideDetails": null}),
        ),
        "UserMigration" => (
            json!({"password": "", "validationData": null}),
            json!({
                "userAttributes": null,
                "finalUserStatus": null,
                "messageAction": null,
                "desiredDeliveryMediums": null,
                "forceAliasCreation": null,
            }),
        ),
        // PostConfirmation and anything newer.
        _ => (json!({"userAttributes": attrs}), json!({})),
    };
    json!({
        "version": "1",
        "triggerSource": trigger,
        "region": ctx.region,
        "userPoolId": pool,
        "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
        "request": request,
        "response": response,
    })
}

// AWS CloudFormation custom resource request.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html and crpg-ref.html
// (RequestType, ServiceToken, ResponseURL, StackId, RequestId, LogicalResourceId, PhysicalResourceId on Update/Delete,
// ResourceType, ResourceProperties, OldResourceProperties on Update).
pub(super) const CFN_REQUESTS: &[&str] = &["Create", "Update", "Delete"];

pub(super) fn cloudformation(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let request_type = o.string("RequestType", "Create");
    let stack = o.string("StackName", "stack");
    let logical = o.string("LogicalResourceId", "MyCustomResource");
    let token = o.string("ServiceToken", fn_arn(ctx, "custom-resource"));
    let stack_id = format!(
        "arn:aws:cloudformation:{}:{}:stack/{stack}/{}",
        ctx.region,
        ctx.account_id,
        uuid(stable(&[ctx.account_id, &stack]), 0xcf_01)
    );
    let request_id = uuid(ctx.key, 0xcf_02);
    let mut props = Map::new();
    props.insert("ServiceToken".into(), json!(token));
    if let Value::Object(m) = ctx.payload {
        props.extend(m.iter().filter(|(k, _)| *k != "ServiceToken").map(|(k, v)| (k.clone(), v.clone())));
    }
    let encoded_stack: String = stack_id
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let mut e = Map::new();
    e.insert("RequestType".into(), json!(request_type));
    e.insert("ServiceToken".into(), json!(token));
    e.insert(
        "ResponseURL".into(),
        json!(format!(
            "https://cloudformation-custom-resource-response-{}.s3.{}.amazonaws.com/{encoded_stack}%7C{logical}%7C{request_id}",
            ctx.region.replace('-', ""),
            ctx.region
        )),
    );
    e.insert("StackId".into(), json!(stack_id));
    e.insert("RequestId".into(), json!(request_id));
    e.insert("LogicalResourceId".into(), json!(logical));
    if request_type != "Create" {
        let physical = o
            .string("PhysicalResourceId", format!("{stack}-{logical}-{}", chars(stable(&[&stack_id, &logical]), 0xcf_03, 12, UPPER_ALNUM)));
        e.insert("PhysicalResourceId".into(), json!(physical));
    }
    e.insert("ResourceType".into(), json!(o.string("ResourceType", "Custom::Resource")));
    e.insert("ResourceProperties".into(), Value::Object(props.clone()));
    if request_type == "Update" {
        let mut old = Map::new();
        old.insert("ServiceToken".into(), json!(token));
        if let Some(m) = o.obj("OldResourceProperties") {
            old.extend(m.iter().filter(|(k, _)| *k != "ServiceToken").map(|(k, v)| (k.clone(), v.clone())));
        }
        e.insert("OldResourceProperties".into(), Value::Object(old));
    }
    Value::Object(e)
}

// Amazon EventBridge event delivered by a rule to a Lambda target.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html (version "0", id UUID v4,
// detail-type, source, account, time, region, resources, detail: a JSON object).
pub(super) fn eventbridge(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let detail = match ctx.payload {
        Value::Object(_) => ctx.payload.clone(),
        Value::Null => json!({}),
        other => json!({"value": other}),
    };
    json!({
        "version": "0",
        "id": super::uuid_fast(ctx.key, 0xeb_01),
        "detail-type": o.string("DetailType", "Event"),
        "source": o.string("Source", "my.app"),
        "account": ctx.account_id,
        "time": super::iso(ctx.epoch_ms, false),
        "region": ctx.region,
        "resources": o.list("Resources").unwrap_or_default(),
        "detail": detail,
    })
}

// AWS CodeCommit repository trigger.
// https://docs.aws.amazon.com/lambda/latest/dg/services-codecommit.html ("Example AWS CodeCommit message event";
// eventTime is written with milliseconds and "+0000").
pub(super) const CODECOMMIT_EVENTS: &[&str] = &["ReferenceChanges", "TriggerEventTest"];

pub(super) fn codecommit(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let repo = o.string("Repository", "repo");
    let trigger = o.string("TriggerName", "lambdasim-trigger");
    let mut reference = Map::new();
    reference.insert("commit".into(), json!(chars(ctx.key, 0xcc_01, 40, LOWER_HEX)));
    reference.insert("ref".into(), json!(o.string("Ref", "refs/heads/main")));
    if o.bool("Created", false) {
        reference.insert("created".into(), json!(true));
    }
    let mut rec = Map::new();
    rec.insert("awsRegion".into(), json!(ctx.region));
    rec.insert("codecommit".into(), json!({"references": [reference]}));
    // `customData` is in the event only when the trigger has custom data (the developer guide's example carries
    // one; a trigger without it sends no key): the `CustomData` option, else a payload that is not empty.
    let empty = ctx.payload.is_null() || ctx.payload.as_object().is_some_and(Map::is_empty) || ctx.payload.as_str() == Some("");
    let custom = o.str("CustomData").map(str::to_string).or_else(|| (!empty).then(|| text(ctx.payload)));
    if let Some(c) = custom {
        rec.insert("customData".into(), json!(c));
    }
    rec.insert("eventId".into(), json!(uuid(ctx.key, 0xcc_02)));
    rec.insert("eventName".into(), json!(o.string("EventName", "ReferenceChanges")));
    rec.insert("eventPartNumber".into(), json!(1));
    rec.insert("eventSource".into(), json!("aws:codecommit"));
    rec.insert("eventSourceARN".into(), json!(format!("arn:aws:codecommit:{}:{}:{repo}", ctx.region, ctx.account_id)));
    rec.insert("eventTime".into(), json!(utc(ctx.epoch_ms).format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()));
    rec.insert("eventTotalParts".into(), json!(1));
    rec.insert("eventTriggerConfigId".into(), json!(uuid(stable(&[&repo, &trigger]), 0xcc_03)));
    rec.insert("eventTriggerName".into(), json!(trigger));
    rec.insert("eventVersion".into(), json!("1.0"));
    rec.insert("userIdentityARN".into(), json!(o.string("UserArn", format!("arn:aws:iam::{}:user/dev", ctx.account_id))));
    json!({"Records": [rec]})
}

// AWS Config custom Lambda rule evaluation.
// https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html
// (invokingEvent and ruleParameters are JSON strings; resultToken, eventLeftScope, executionRoleArn, configRuleArn,
// configRuleName, configRuleId, accountId, version).
pub(super) const CONFIG_MESSAGES: &[&str] =
    &["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification", "ScheduledNotification"];

pub(super) fn config(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let rule = o.string("ConfigRuleName", "lambdasim-rule");
    let rule_id = format!("config-rule-{}", chars(stable(&[ctx.account_id, &rule]), 0xc6_01, 6, LOWER_ALNUM));
    let message_type = o.string("MessageType", "ConfigurationItemChangeNotification");
    let now = iso_ms(ctx.epoch_ms);
    let invoking = if message_type == "ScheduledNotification" {
        json!({"awsAccountId": ctx.account_id, "notificationCreationTime": now, "messageType": message_type, "recordVersion": "1.0"})
    } else {
        let rtype = o.string("ResourceType", "AWS::EC2::Instance");
        let rid = o.string("ResourceId", format!("i-{}", chars(ctx.key, 0xc6_02, 17, LOWER_HEX)));
        let mut parts = rtype.split("::").skip(1);
        let service = parts.next().unwrap_or("ec2").to_ascii_lowercase();
        let resource = parts.next().unwrap_or("resource").to_ascii_lowercase();
        let arn = o.string("ResourceArn", format!("arn:aws:{service}:{}:{}:{resource}/{rid}", ctx.region, ctx.account_id));
        let configuration = if ctx.payload.is_object() { ctx.payload.clone() } else { json!({}) };
        // The item's keys as in SAM CLI's ConfigurationItemChangeNotification.json (resourceName,
        // configurationStateMd5Hash, resourceCreationTime, configurationStateId as a number, configurationItemVersion);
        // notificationCreationTime and recordVersion as in aws-lambda-go's events/testdata/config-event.json.
        json!({
            "configurationItem": {
                "configurationItemCaptureTime": now,
                "awsAccountId": ctx.account_id,
                "configurationItemStatus": "OK",
                "resourceId": rid,
                "resourceName": rid,
                "configurationStateMd5Hash": md5_hex(configuration.to_string().as_bytes()),
                "resourceCreationTime": now,
                "configurationStateId": ctx.epoch_ms.max(0),
                "configurationItemVersion": "1.3",
                "ARN": arn,
                "awsRegion": ctx.region,
                "availabilityZone": format!("{}a", ctx.region),
                "resourceType": rtype,
                "tags": {},
                "relationships": [],
                "configuration": configuration,
            },
            "notificationCreationTime": now,
            "messageType": message_type,
            "recordVersion": "1.3",
        })
    };
    let params = o.obj("RuleParameters").cloned().unwrap_or_default();
    json!({
        "invokingEvent": invoking.to_string(),
        "ruleParameters": Value::Object(params).to_string(),
        "resultToken": b64(ctx.key, 0xc6_03, 48),
        "eventLeftScope": o.bool("EventLeftScope", false),
        "executionRoleArn": format!("arn:aws:iam::{}:role/config-role", ctx.account_id),
        "configRuleArn": format!("arn:aws:config:{}:{}:config-rule/{rule_id}", ctx.region, ctx.account_id),
        "configRuleName": rule,
        "configRuleId": rule_id,
        "accountId": ctx.account_id,
        "version": "1.0",
    })
}

// Alexa Smart Home directive (payload version 3).
// https://developer.amazon.com/docs/device-apis/alexa-discovery.html (Discover: header + payload.scope) and
// https://developer.amazon.com/docs/device-apis/alexa-powercontroller.html (TurnOn: header with correlationToken,
// endpoint {scope, endpointId, cookie}, payload).
pub(super) fn alexa(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let namespace = o.string("Namespace", "Alexa.PowerController");
    let name = o.string("Name", if namespace == "Alexa.Discovery" { "Discover" } else { "TurnOn" });
    let token = o.string("Token", format!("Atza|{}", b64url(stable(&[ctx.account_id]), 0xa1_01, 48)));
    let scope = json!({"type": "BearerToken", "token": token});
    let message_id = uuid(ctx.key, 0xa1_02);
    if namespace == "Alexa.Discovery" {
        return json!({"directive": {
            "header": {"namespace": namespace, "name": name, "messageId": message_id, "payloadVersion": "3"},
            "payload": {"scope": scope},
        }});
    }
    let payload = if ctx.payload.is_object() { ctx.payload.clone() } else { json!({}) };
    json!({"directive": {
        "header": {
            "namespace": namespace,
            "name": name,
            "messageId": message_id,
            "correlationToken": b64(ctx.key, 0xa1_03, 48),
            "payloadVersion": "3",
        },
        "endpoint": {
            "scope": scope,
            "endpointId": o.string("EndpointId", "endpoint-001"),
            "cookie": o.obj("Cookie").cloned().unwrap_or_default(),
        },
        "payload": payload,
    }})
}

// Amazon Lex V2 code hook.
// https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html (messageVersion, invocationSource, inputMode,
// responseContentType, sessionId, inputTranscript, bot, interpretations, sessionState) and lambda-common-structures
// (intent {name, slots, state, confirmationState}; slot {shape, value {originalValue, interpretedValue, resolvedValues}}).
pub(super) const LEX_SOURCES: &[&str] = &["DialogCodeHook", "FulfillmentCodeHook"];
pub(super) const LEX_MODES: &[&str] = &["Text", "Speech", "DTMF"];

pub(super) fn lex(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let source = o.string("InvocationSource", "FulfillmentCodeHook");
    let bot_name = o.string("BotName", "LambdasimBot");
    let (transcript, slots) = match ctx.payload {
        Value::String(s) => (o.string("InputTranscript", s.clone()), Map::new()),
        Value::Object(m) => (
            o.string("InputTranscript", ""),
            m.iter()
                .map(|(k, v)| {
                    let t = scalar_text(v);
                    (k.clone(), json!({"shape": "Scalar", "value": {"originalValue": t, "interpretedValue": t, "resolvedValues": [t]}}))
                })
                .collect(),
        ),
        _ => (o.string("InputTranscript", ""), Map::new()),
    };
    // A transcription's resolved slots carry no interpretedValue (SAM CLI lex-v2/BankingBot.json).
    let mut slots_resolved = slots.clone();
    for v in slots_resolved.values_mut() {
        if let Some(value) = v.get_mut("value").and_then(Value::as_object_mut) {
            value.remove("interpretedValue");
        }
    }
    let slots_resolved = Value::Object(slots_resolved);
    let intent = json!({
        "name": o.string("IntentName", "Intent"),
        "slots": slots,
        "state": if source == "FulfillmentCodeHook" { "ReadyForFulfillment" } else { "InProgress" },
        "confirmationState": "None",
    });
    json!({
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": o.string("InputMode", "Text"),
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": o.string("SessionId", chars(ctx.key, 0x1e_01, 15, DIGITS)),
        "inputTranscript": transcript,
        "bot": {
            "id": o.string("BotId", chars(stable(&[ctx.account_id, &bot_name]), 0x1e_02, 10, UPPER_ALNUM)),
            "name": bot_name,
            "localeId": o.string("LocaleId", "en_US"),
            "version": o.string("BotVersion", "DRAFT"),
            "aliasId": o.string("AliasId", "TSTALIASID"),
            "aliasName": o.string("AliasName", "TestBotAlias"),
        },
        "interpretations": [{"intent": intent, "nluConfidence": 1.0, "interpretationSource": "Lex"}],
        // `activeContexts` (empty without contexts) and `transcriptions` as in SAM CLI's Lex V2 samples
        // (lex-v2/BankingBot.json): one transcription of the input with its resolved intent.
        "sessionState": {
            "sessionAttributes": o.obj("SessionAttributes").cloned().unwrap_or_default(),
            "activeContexts": [],
            "intent": intent,
            "originatingRequestId": uuid(ctx.key, 0x1e_03),
        },
        "transcriptions": [{
            "transcription": transcript,
            "transcriptionConfidence": 1.0,
            "resolvedContext": {"intent": intent["name"]},
            "resolvedSlots": slots_resolved,
        }],
    })
}

// AWS IoT rule with a Lambda action: the function receives what the rule's SQL selects from the MQTT message (with
// `SELECT *`, the message payload itself).
// https://docs.aws.amazon.com/lambda/latest/dg/services-iot.html ("Example AWS IoT message event") and
// https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html. The option "Extra" maps output names
// to the SQL functions topic(), topic(N), clientid() and timestamp(), as in `SELECT *, topic(2) AS device`.
pub(super) fn iot_function(f: &str, topic: &str, client: &str, epoch_ms: i64) -> Option<Value> {
    let f = f.trim();
    if f == "topic()" {
        return Some(json!(topic));
    }
    if f == "clientid()" {
        return Some(json!(client));
    }
    if f == "timestamp()" {
        return Some(json!(epoch_ms));
    }
    let n: usize = f.strip_prefix("topic(")?.strip_suffix(')')?.trim().parse().ok()?;
    Some(topic.split('/').nth(n.checked_sub(1)?).map(Value::from).unwrap_or(Value::Null))
}

pub(super) fn iot(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let mut event = ctx.payload.clone();
    if let (Value::Object(m), Some(extra)) = (&mut event, o.obj("Extra")) {
        let topic = o.string("Topic", format!("devices/{}/data", ctx.n));
        let client = o.string("ClientId", format!("device-{}", ctx.n));
        for (alias, f) in extra {
            if let Some(v) = f.as_str().and_then(|f| iot_function(f, &topic, &client, ctx.epoch_ms)) {
                m.insert(alias.clone(), v);
            }
        }
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iot_sql_functions() {
        assert_eq!(iot_function("topic()", "a/b/c", "dev", 5), Some(json!("a/b/c")));
        assert_eq!(iot_function("topic(3)", "a/b/c", "dev", 5), Some(json!("c")));
        assert_eq!(iot_function("topic(4)", "a/b/c", "dev", 5), Some(Value::Null));
        assert_eq!(iot_function("clientid()", "a", "dev", 5), Some(json!("dev")));
        assert_eq!(iot_function("timestamp()", "a", "dev", 5), Some(json!(5)));
        assert_eq!(iot_function("topic(0)", "a", "dev", 5), None);
        assert_eq!(iot_function("upper(x)", "a", "dev", 5), None);
    }
}
