//! The events of the HTTP-like push sources added for issue 19 (spec section 7; all synchronous): Lambda function URLs
//! (payload 2.0, buffered or streamed responses), API Gateway Lambda authorizers (REST TOKEN and REQUEST, HTTP API
//! payload 1.0 and 2.0 with IAM policy or simple responses) and the request the backend gets once an authorizer
//! allows it, API Gateway WebSocket APIs (`$connect`, `$disconnect`, `$default`
//! and custom routes) and VPC Lattice target groups (event versions 1.0 and 2.0).
//!
//! Shapes from <https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html> ("Request payload format"),
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-input.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html> and
//! <https://docs.aws.amazon.com/vpc-lattice/latest/ug/lambda-functions.html> ("Receive events from the VPC Lattice
//! service"), checked against aws-lambda-go's and Powertools' samples (`tests/conformance/push.rs`).

use serde_json::{json, Map, Value};

use super::http::{apigw_http, apigw_rest, grouped_query, http_req, merged_headers, multi_map, single_map, trace_id};
use super::{EventCtx, Opts};
use crate::aws::ids::{b64url, chars, clf, stable, LOWER_ALNUM, LOWER_HEX};

/// `InvokeMode` of a function URL.
pub(super) const URL_INVOKE_MODES: &[&str] = &["BUFFERED", "RESPONSE_STREAM"];
/// `AuthType` of a function URL.
pub(super) const URL_AUTH_TYPES: &[&str] = &["NONE", "AWS_IAM"];
/// The largest response a function URL with `InvokeMode` `RESPONSE_STREAM` streams: 200 MB
/// (<https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html>, "up to 200 MB"; buffered
/// responses stay at 6 MB).
pub const STREAM_RESPONSE_LIMIT: u64 = 200 * 1024 * 1024;
/// The two kinds of Lambda authorizer.
pub(super) const AUTHORIZER_TYPES: &[&str] = &["TOKEN", "REQUEST"];
/// The APIs an authorizer serves (`ApiType`): REST APIs, or HTTP APIs (REQUEST authorizers only).
pub(super) const AUTHORIZER_API_TYPES: &[&str] = &["REST", "HTTP"];
/// An HTTP API authorizer's `AuthorizerPayloadFormatVersion`.
pub(super) const AUTHORIZER_PAYLOAD_VERSIONS: &[&str] = &["1.0", "2.0"];

/// Whether an authorizer source's options are an HTTP API's (`ApiType` `HTTP`).
pub fn authorizer_is_http(options: &Value) -> bool {
    options.get("ApiType").and_then(Value::as_str) == Some("HTTP")
}

/// The result-cache TTL of an authorizer source, in seconds: `ResultTtlSeconds`, by default 300 for a REST API
/// (`AWS::ApiGateway::Authorizer`, "If this field is not set, the default value is 300") and 0 for an HTTP API
/// (`AWS::ApiGatewayV2::Authorizer`: "If it equals 0, authorization caching is disabled"; http-api-lambda-authorizer.html
/// turns caching on by giving a TTL).
pub fn authorizer_ttl(options: &Value) -> u64 {
    options.get("ResultTtlSeconds").and_then(Value::as_u64).unwrap_or(if authorizer_is_http(options) { 0 } else { 300 })
}

/// The identity sources an authorizer source names (header names; default `Authorization`).
fn identity_sources(o: &Opts) -> Vec<String> {
    o.list("IdentitySource").unwrap_or_else(|| vec!["Authorization".to_string()])
}
/// VPC Lattice's event versions.
pub(super) const LATTICE_VERSIONS: &[&str] = &["1.0", "2.0"];

/// Options with some values replaced (the same `{{n}}` rendering already applied).
fn with(o: &Opts, set: &[(&str, Value)]) -> Opts {
    let mut m = o.m.clone();
    for (k, v) in set {
        m.insert((*k).to_string(), v.clone());
    }
    Opts { m }
}

// Lambda function URL: the HTTP API payload format 2.0 with `routeKey` and `stage` `$default`, the URL id as `apiId`
// and `domainPrefix`, the domain `<url-id>.lambda-url.<region>.on.aws`, and `requestContext.authorizer.iam` when the
// URL's `AuthType` is `AWS_IAM` (urls-invocation.html; an `AuthType` `NONE` URL has `accountId` "anonymous", as in
// Powertools' `lambdaFunctionUrlEvent.json`). The `InvokeMode` does not change the event, only how the response is
// returned (`RESPONSE_STREAM`: streamed, up to 200 MB; `BUFFERED`: 6 MB; urls-configuration.html,
// configuration-response-streaming.html).
pub(super) fn function_url(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let url_id = chars(stable(&[ctx.account_id, ctx.region, "function-url"]), 0xf0_01, 32, LOWER_ALNUM);
    let domain = format!("{url_id}.lambda-url.{}.on.aws", ctx.region);
    let opts = with(o, &[("ApiId", json!(url_id)), ("Stage", json!("$default")), ("RouteKey", json!("$default"))]);
    let mut e = match apigw_http(ctx, &opts) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(Value::Object(h)) = e.get_mut("headers") {
        h.insert("host".into(), json!(domain));
    }
    let iam = o.string("AuthType", "NONE") == "AWS_IAM";
    if let Some(Value::Object(rc)) = e.get_mut("requestContext") {
        let old = std::mem::take(rc);
        for (k, v) in old {
            match k.as_str() {
                "accountId" if !iam => {
                    rc.insert(k, json!("anonymous"));
                }
                "domainName" => {
                    if iam {
                        let caller = format!("AIDA{}", chars(ctx.key, 0xf0_02, 17, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
                        rc.insert(
                            "authorizer".into(),
                            json!({"iam": {
                                "accessKey": format!("AKIA{}", chars(ctx.key, 0xf0_03, 16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
                                "accountId": ctx.account_id,
                                "callerId": caller,
                                "userArn": format!("arn:aws:iam::{}:user/caller", ctx.account_id),
                                "userId": caller,
                            }}),
                        );
                    }
                    rc.insert(k, json!(domain));
                }
                _ => {
                    rc.insert(k, v);
                }
            }
        }
    }
    Value::Object(e)
}

/// The method ARN API Gateway puts in an authorizer's event: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`.
fn method_arn(ctx: &EventCtx<'_>, api: &str, stage: &str, method: &str, path: &str) -> String {
    format!("arn:aws:execute-api:{}:{}:{api}/{stage}/{method}/{}", ctx.region, ctx.account_id, path.trim_start_matches('/'))
}

fn authorizer_token(ctx: &EventCtx<'_>, o: &Opts) -> String {
    o.string("Token", format!("token-{}", ctx.n))
}

// API Gateway Lambda authorizer (REST API).
// apigateway-lambda-authorizer-input.html: a TOKEN authorizer gets `{type, authorizationToken, methodArn}`; a REQUEST
// authorizer gets `{type, methodArn, resource, path, httpMethod, headers, multiValueHeaders, queryStringParameters,
// multiValueQueryStringParameters, pathParameters, stageVariables, requestContext}` where the request context has
// `path, accountId, resourceId, stage, requestId, identity {apiKey, sourceIp}, resourcePath, httpMethod, apiId`
// (aws-lambda-go's `apigw-custom-auth-request*.json`). The token is the `Token` option, sent as the `Authorization`
// header (the default identity source).
/// The identity an authorizer's result is cached by, from its event and the source's options: the token (TOKEN) or
/// the values of the identity sources joined by commas (REQUEST: the `IdentitySource` header names, default
/// `Authorization`), as API Gateway keys its authorizer cache (apigateway-lambda-authorizer-flow.html,
/// `AuthorizerResultTtlInSeconds`). Empty when an identity source is missing: API Gateway then answers 401 without
/// invoking the authorizer.
pub fn authorizer_identity(event: &Value, options: &Value) -> String {
    if let Some(t) = event.get("authorizationToken").and_then(Value::as_str) {
        return t.to_string();
    }
    let o = Opts::new(options, 0);
    let sources = identity_sources(&o);
    // HTTP API payload 2.0: the values are the event's `identitySource` (one per source, when all are present).
    if let Some(Value::Array(values)) = event.get("identitySource") {
        if values.len() < sources.len() {
            return String::new();
        }
        return values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
    }
    let headers = event.get("headers").and_then(Value::as_object);
    let mut values = Vec::new();
    for h in &sources {
        match headers.and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(h))).and_then(|(_, v)| v.as_str()) {
            Some(v) if !v.is_empty() => values.push(v.to_string()),
            _ => return String::new(),
        }
    }
    values.join(",")
}

pub(super) fn authorizer(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    if o.string("ApiType", "REST") == "HTTP" {
        return http_authorizer(ctx, o);
    }
    let token = authorizer_token(ctx, o);
    let rest = backend_request_event(ctx, o, None);
    let api = rest["requestContext"]["apiId"].as_str().unwrap_or_default().to_string();
    let stage = rest["requestContext"]["stage"].as_str().unwrap_or_default().to_string();
    let method = rest["httpMethod"].as_str().unwrap_or("GET").to_string();
    let path = rest["path"].as_str().unwrap_or("/").to_string();
    let arn = method_arn(ctx, &api, &stage, &method, &path);
    if o.string("Type", "TOKEN") == "TOKEN" {
        return json!({"type": "TOKEN", "authorizationToken": token, "methodArn": arn});
    }
    let rc = &rest["requestContext"];
    let mut e = Map::new();
    e.insert("type".into(), json!("REQUEST"));
    e.insert("methodArn".into(), json!(arn));
    for k in ["resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters"]
    {
        e.insert(k.into(), rest[k].clone());
    }
    e.insert("pathParameters".into(), if rest["pathParameters"].is_null() { json!({}) } else { rest["pathParameters"].clone() });
    e.insert("stageVariables".into(), if rest["stageVariables"].is_null() { json!({}) } else { rest["stageVariables"].clone() });
    e.insert(
        "requestContext".into(),
        json!({
            "path": rc["path"],
            "accountId": rc["accountId"],
            "resourceId": rc["resourceId"],
            "stage": rc["stage"],
            "requestId": rc["requestId"],
            "identity": {"apiKey": "", "sourceIp": rc["identity"]["sourceIp"]},
            "resourcePath": rc["resourcePath"],
            "httpMethod": rc["httpMethod"],
            "apiId": rc["apiId"],
        }),
    );
    Value::Object(e)
}

// API Gateway HTTP API Lambda authorizer (http-api-lambda-authorizer.html, "Payload format version"). Payload 2.0:
// `{version "2.0", type "REQUEST", routeArn, identitySource [values], routeKey, rawPath, rawQueryString, cookies?,
// headers, queryStringParameters?, requestContext (the HTTP API 2.0 request context), pathParameters?,
// stageVariables?}`. Payload 1.0: the REST REQUEST authorizer's event with `version` "1.0", `identitySource` and
// `authorizationToken` both the identity values joined by commas ("If you need compatibility with REST APIs, use
// version 1.0"). The identity sources are the `IdentitySource` headers (default `Authorization`, which carries
// `Token`).
fn http_authorizer(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let http = http_request_event(ctx, o, None);
    let headers = http["headers"].as_object().cloned().unwrap_or_default();
    let sources = identity_sources(o);
    let values: Vec<String> = sources
        .iter()
        .filter_map(|h| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(h)).and_then(|(_, v)| v.as_str()))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    if o.string("PayloadFormatVersion", "2.0") == "1.0" {
        let rest = authorizer(ctx, &with(o, &[("ApiType", json!("REST")), ("Type", json!("REQUEST"))]));
        let joined = if values.len() == sources.len() { values.join(",") } else { String::new() };
        let mut e = Map::new();
        e.insert("version".into(), json!("1.0"));
        // No multi-value maps: the guide's 1.0 example has none.
        for (k, v) in rest.as_object().into_iter().flatten().filter(|(k, _)| !k.starts_with("multiValue")) {
            e.insert(k.clone(), v.clone());
            if k == "methodArn" {
                e.insert("identitySource".into(), json!(joined));
                e.insert("authorizationToken".into(), json!(joined));
            }
        }
        return Value::Object(e);
    }
    let rc = &http["requestContext"];
    let arn = method_arn(
        ctx,
        rc["apiId"].as_str().unwrap_or_default(),
        rc["stage"].as_str().unwrap_or_default(),
        rc["http"]["method"].as_str().unwrap_or("GET"),
        rc["http"]["path"].as_str().unwrap_or("/"),
    );
    let mut e = Map::new();
    e.insert("version".into(), json!("2.0"));
    e.insert("type".into(), json!("REQUEST"));
    e.insert("routeArn".into(), json!(arn));
    e.insert("identitySource".into(), json!(values));
    for k in [
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext",
        "pathParameters",
        "stageVariables",
    ] {
        if let Some(v) = http.get(k) {
            e.insert(k.into(), v.clone());
        }
    }
    Value::Object(e)
}

/// The HTTP API payload 2.0 request of an HTTP API authorizer source: the client's request with its `Token` as the
/// `Authorization` header; with an authorizer's `result`, `requestContext.authorizer.lambda` holds its `context`
/// (http-api-develop-integrations-lambda.html, payload 2.0 `authorizer`).
fn http_request_event(ctx: &EventCtx<'_>, o: &Opts, result: Option<&Value>) -> Value {
    let token = authorizer_token(ctx, o);
    let mut headers = o.obj("Headers").cloned().unwrap_or_default();
    if !token.is_empty() && !headers.keys().any(|k| k.eq_ignore_ascii_case("Authorization")) {
        headers.insert("Authorization".into(), json!(token));
    }
    let keep = REQUEST_KEEP.iter().chain(&["RouteKey", "Cookies"]).copied().collect::<Vec<&str>>();
    let mut m: Map<String, Value> = o.m.iter().filter(|(k, _)| keep.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    m.insert("Headers".into(), Value::Object(headers));
    let mut e = apigw_http(ctx, &Opts { m });
    if let (Some(r), Some(Value::Object(rc))) = (result, e.get_mut("requestContext")) {
        let context = r.get("context").filter(|c| c.is_object()).cloned().unwrap_or(json!({}));
        rc.insert("authorizer".into(), json!({ "lambda": context }));
    }
    e
}

/// The client's request options an authorizer passes on to the backend's event.
const REQUEST_KEEP: [&str; 12] = [
    "Method",
    "Path",
    "Query",
    "Body",
    "IsBase64Encoded",
    "SourceIp",
    "UserAgent",
    "Resource",
    "Stage",
    "PathParameters",
    "StageVariables",
    "ApiId",
];

/// The REST API proxy event the backend function receives once the authorizer allowed the request: payload 1.0 with
/// `requestContext.authorizer` holding the policy's `principalId`, the authorizer's `context` values and
/// `integrationLatency` (apigateway-lambda-authorizer-output.html: "the context map ... is passed to the backend as
/// `$context.authorizer.<key>`"; set-up-lambda-proxy-integrations.html).
/// An HTTP API authorizer's backend gets the HTTP API payload 2.0 request instead, its `context` in
/// `requestContext.authorizer.lambda`.
pub fn backend_request(ctx: &EventCtx<'_>, authorizer_result: &Value) -> Value {
    let o = Opts::new(ctx.options, ctx.n);
    if o.string("ApiType", "REST") == "HTTP" {
        return http_request_event(ctx, &o, Some(authorizer_result));
    }
    backend_request_event(ctx, &o, Some(authorizer_result))
}

fn backend_request_event(ctx: &EventCtx<'_>, o: &Opts, result: Option<&Value>) -> Value {
    let token = authorizer_token(ctx, o);
    let mut headers = o.obj("Headers").cloned().unwrap_or_default();
    if !token.is_empty() && !headers.keys().any(|k| k.eq_ignore_ascii_case("Authorization")) {
        headers.insert("Authorization".into(), json!(token));
    }
    let mut m: Map<String, Value> =
        o.m.iter().filter(|(k, _)| REQUEST_KEEP.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    m.insert("Headers".into(), Value::Object(headers));
    let mut e = apigw_rest(ctx, &Opts { m });
    if let (Some(r), Some(Value::Object(rc))) = (result, e.get_mut("requestContext")) {
        let mut auth = Map::new();
        auth.insert("principalId".into(), r.get("principalId").cloned().unwrap_or(json!("")));
        if let Some(Value::Object(c)) = r.get("context") {
            auth.extend(c.iter().map(|(k, v)| (k.clone(), json!(super::scalar_text(v)))));
        }
        auth.insert("integrationLatency".into(), json!(0));
        rc.insert("authorizer".into(), Value::Object(auth));
    }
    e
}

/// What an authorizer's response says, for the source's options: an HTTP API authorizer with payload 2.0 and
/// `EnableSimpleResponses` answers `{"isAuthorized": bool, "context"?}` (http-api-lambda-authorizer.html, "Lambda
/// function response format"; anything else is `None`, API Gateway's 500); every other authorizer answers an IAM
/// policy ([`authorizer_allows`]).
pub fn authorizer_decision(response: &Value, options: &Value) -> Option<bool> {
    let o = Opts::new(options, 0);
    let simple = authorizer_is_http(options) && o.string("PayloadFormatVersion", "2.0") == "2.0" && o.bool("EnableSimpleResponses", false);
    if simple {
        return response.get("isAuthorized")?.as_bool();
    }
    authorizer_allows(response)
}

/// What an authorizer's response says (apigateway-lambda-authorizer-output.html): `Some(true)` when its
/// `policyDocument` has an `Allow` statement for `execute-api:Invoke` and no `Deny`, `Some(false)` for a policy that
/// denies (or allows nothing), `None` for a response that is not a policy (API Gateway answers 500).
pub fn authorizer_allows(response: &Value) -> Option<bool> {
    let doc = response.get("policyDocument")?;
    let statements = match doc.get("Statement")? {
        Value::Array(a) => a.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => return None,
    };
    let mut allow = false;
    for s in &statements {
        let invoke = match s.get("Action") {
            Some(Value::String(a)) => a == "execute-api:Invoke" || a == "execute-api:*" || a == "*",
            Some(Value::Array(a)) => a.iter().any(|x| matches!(x.as_str(), Some("execute-api:Invoke" | "execute-api:*" | "*"))),
            _ => false,
        };
        match s.get("Effect").and_then(Value::as_str) {
            Some("Deny") if invoke => return Some(false),
            Some("Allow") if invoke => allow = true,
            _ => {}
        }
    }
    Some(allow)
}

// API Gateway WebSocket API, Lambda proxy integration of a route.
// websocket-api-develop-routes.html and apigateway-websocket-api-mapping-template-reference.html (`$context`
// variables): `$connect` and `$disconnect` carry the handshake's `headers` and `multiValueHeaders`; every event has
// `requestContext {routeKey, eventType (CONNECT, DISCONNECT, MESSAGE), extendedRequestId, requestTime,
// messageDirection "IN", stage, connectedAt, requestTimeEpoch, identity, requestId, domainName, connectionId,
// apiId}`; `$disconnect` adds `disconnectStatusCode` and `disconnectReason`, a message adds `messageId` and the frame
// as `body` (aws-lambda-go's `apigw-websocket-request-disconnect.json`).
pub(super) fn websocket(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    // A whole connection (`Messages` given) starts with its `$connect`; the later events come without `Messages`.
    let route = if o.get("Messages").is_some() { "$connect".to_string() } else { o.string("RouteKey", "$default") };
    let api = o.string("ApiId", chars(stable(&[ctx.account_id, ctx.region]), 0x3b_01, 10, LOWER_ALNUM));
    let stage = o.string("Stage", "prod");
    let domain = format!("{api}.execute-api.{}.amazonaws.com", ctx.region);
    // A whole connection's id is drawn for its `$connect` (the event's key) and carried to its later events.
    let id_seed = if o.get("Messages").is_some() { ctx.key } else { stable(&[&api, &ctx.n.to_string()]) };
    let connection = o.string("ConnectionId", format!("{}=", b64url(id_seed, 0x3b_02, 11).trim_end_matches('=')));
    let req = http_req(ctx, o);
    let request_id = format!("{}=", b64url(ctx.key, 0x3b_03, 11).trim_end_matches('='));
    let connected_at = o.u64("ConnectedAt").map(|v| v as i64).unwrap_or(ctx.epoch_ms);
    let event_type = match route.as_str() {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    };
    let mut rc = Map::new();
    rc.insert("routeKey".into(), json!(route));
    if event_type == "MESSAGE" {
        rc.insert("messageId".into(), json!(format!("{}=", b64url(ctx.key, 0x3b_04, 11).trim_end_matches('='))));
    }
    if event_type == "DISCONNECT" {
        rc.insert("disconnectStatusCode".into(), json!(o.u64("DisconnectStatusCode").unwrap_or(1001)));
    }
    rc.insert("eventType".into(), json!(event_type));
    rc.insert("extendedRequestId".into(), json!(request_id));
    rc.insert("requestTime".into(), json!(clf(ctx.epoch_ms)));
    rc.insert("messageDirection".into(), json!("IN"));
    if event_type == "DISCONNECT" {
        rc.insert("disconnectReason".into(), json!(o.string("DisconnectReason", "")));
    }
    rc.insert("stage".into(), json!(stage));
    rc.insert("connectedAt".into(), json!(connected_at));
    rc.insert("requestTimeEpoch".into(), json!(ctx.epoch_ms));
    rc.insert("identity".into(), json!({"userAgent": req.user_agent, "sourceIp": req.source_ip}));
    rc.insert("requestId".into(), json!(request_id));
    rc.insert("domainName".into(), json!(domain));
    rc.insert("connectionId".into(), json!(connection));
    rc.insert("apiId".into(), json!(api));
    let mut e = Map::new();
    if event_type != "MESSAGE" {
        let mut base = vec![("Host", domain.clone()), ("X-Amzn-Trace-Id", trace_id(ctx)), ("X-Forwarded-For", req.source_ip.clone())];
        if event_type == "CONNECT" {
            base.extend([
                ("Sec-WebSocket-Key", b64url(ctx.key, 0x3b_05, 16)),
                ("Sec-WebSocket-Version", "13".to_string()),
                ("X-Forwarded-Port", "443".to_string()),
                ("X-Forwarded-Proto", "https".to_string()),
            ]);
        }
        let headers = merged_headers(base, &req, false);
        e.insert("headers".into(), single_map(&headers, false));
        e.insert("multiValueHeaders".into(), multi_map(&headers));
        let query = grouped_query(&req.query);
        if event_type == "CONNECT" && !query.is_empty() {
            e.insert("queryStringParameters".into(), single_map(&query, false));
            e.insert("multiValueQueryStringParameters".into(), multi_map(&query));
        }
    }
    e.insert("requestContext".into(), Value::Object(rc));
    if event_type == "MESSAGE" {
        e.insert("body".into(), json!(req.body.clone().unwrap_or_default()));
    }
    e.insert("isBase64Encoded".into(), json!(req.base64));
    Value::Object(e)
}

// VPC Lattice target group with a Lambda target.
// lambda-functions.html ("Receive events from the VPC Lattice service"): version 1.0 is `{raw_path, method, headers,
// query_string_parameters, body, is_base64_encoded}` with string header values; version 2.0 is `{version, path,
// method, headers, queryStringParameters, body, isBase64Encoded, requestContext {serviceNetworkArn, serviceArn,
// targetGroupArn, identity, region, timeEpoch}}`, header and query values as lists of strings and `timeEpoch` in
// microseconds as a string.
pub(super) fn vpc_lattice(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let seed = stable(&[ctx.account_id, ctx.region, "lattice"]);
    let service = o.string("ServiceName", "lambdasim-svc");
    let svc_id = format!("svc-{}", chars(stable(&[&service]), 0x1a_01, 17, LOWER_HEX));
    let host = format!("{service}-{}.{}.vpc-lattice-svcs.{}.on.aws", &svc_id[4..11], chars(seed, 0x1a_02, 7, LOWER_ALNUM), ctx.region);
    let headers = merged_headers(
        vec![
            ("accept", "*/*".to_string()),
            ("host", host),
            ("user-agent", req.user_agent.clone()),
            ("x-forwarded-for", req.source_ip.clone()),
        ],
        &req,
        true,
    );
    let query = grouped_query(&req.query);
    let body = json!(req.body.clone().unwrap_or_default());
    if o.string("Version", "2.0") == "1.0" {
        let mut raw_path = req.path.clone();
        if !req.raw_query.is_empty() {
            raw_path = format!("{raw_path}?{}", req.raw_query);
        }
        return json!({
            "raw_path": raw_path,
            "method": req.method,
            "headers": single_map(&headers, true),
            "query_string_parameters": single_map(&query, true),
            "body": body,
            "is_base64_encoded": req.base64,
        });
    }
    let arn = |kind: &str, id: String| format!("arn:aws:vpc-lattice:{}:{}:{kind}/{id}", ctx.region, ctx.account_id);
    let mut e = Map::new();
    e.insert("version".into(), json!("2.0"));
    e.insert("path".into(), json!(req.path));
    e.insert("method".into(), json!(req.method));
    e.insert("headers".into(), multi_map(&headers));
    if !query.is_empty() {
        e.insert("queryStringParameters".into(), multi_map(&query));
    }
    e.insert("body".into(), body);
    e.insert("isBase64Encoded".into(), json!(req.base64));
    let mut identity = Map::new();
    identity.insert(
        "sourceVpcArn".into(),
        json!(format!("arn:aws:ec2:{}:{}:vpc/vpc-{}", ctx.region, ctx.account_id, chars(seed, 0x1a_03, 17, LOWER_HEX))),
    );
    if o.string("AuthType", "AWS_IAM") == "AWS_IAM" {
        let session = chars(ctx.key, 0x1a_04, 32, LOWER_HEX);
        identity.insert("type".into(), json!("AWS_IAM"));
        identity.insert("principal".into(), json!(format!("arn:aws:sts::{}:assumed-role/caller/{session}", ctx.account_id)));
        identity.insert("sessionName".into(), json!(session));
    }
    e.insert(
        "requestContext".into(),
        json!({
            "serviceNetworkArn": arn("servicenetwork", format!("sn-{}", chars(seed, 0x1a_05, 17, LOWER_HEX))),
            "serviceArn": arn("service", svc_id),
            "targetGroupArn": arn("targetgroup", format!("tg-{}", chars(seed, 0x1a_06, 17, LOWER_HEX))),
            "identity": identity,
            "region": ctx.region,
            "timeEpoch": (ctx.epoch_ms.max(0) as u64 * 1000 + ctx.key % 1000).to_string(),
        }),
    );
    Value::Object(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorizer_policies() {
        let allow = json!({"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}});
        let deny = json!({"policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]}});
        assert_eq!(authorizer_allows(&allow), Some(true));
        assert_eq!(authorizer_allows(&deny), Some(false));
        assert_eq!(authorizer_allows(&json!({"isAuthorized": true})), None);
        assert_eq!(authorizer_allows(&json!({"policyDocument": {"Statement": []}})), Some(false));
    }
}
