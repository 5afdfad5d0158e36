//! The events of the HTTP front doors, which invoke synchronously and leave retries to their client (spec section 7):
//! API Gateway REST APIs (proxy payload 1.0), API Gateway HTTP APIs (payload 2.0), Application Load Balancer target
//! groups and CloudFront Lambda@Edge triggers, with the request parsing and header merging they share.
//!
//! Shapes from <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-alb.html>,
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html> and
//! <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html> (each builder cites
//! its pages).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{scalar_text, text, EventCtx, Opts};
use crate::aws::ids::{b64url, chars, clf, doc_ip, stable, uuid, DIGITS, LOWER_ALNUM, LOWER_HEX, UPPER_ALNUM};

pub(super) const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The request an HTTP client made, from the options and payload.
pub(super) struct HttpReq {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) raw_query: String,
    /// Decoded query parameters in order, repeated names kept.
    pub(super) query: Vec<(String, String)>,
    /// Client headers in order, each with its values.
    pub(super) headers: Vec<(String, Vec<String>)>,
    pub(super) body: Option<String>,
    pub(super) base64: bool,
    pub(super) source_ip: String,
    pub(super) user_agent: String,
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                out.push(hex_val(b[i + 1]) << 4 | hex_val(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

fn pct_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn values_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    }
}

pub(super) fn http_req(ctx: &EventCtx<'_>, o: &Opts) -> HttpReq {
    let full = o.string("Path", "/");
    let (path, mut raw_query) = match full.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (full.clone(), String::new()),
    };
    let mut query: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (pct_decode(k), pct_decode(v)),
            None => (pct_decode(p), String::new()),
        })
        .collect();
    for (k, v) in o.obj("Query").into_iter().flatten() {
        for x in values_of(v) {
            if !raw_query.is_empty() {
                raw_query.push('&');
            }
            raw_query.push_str(&format!("{}={}", pct_encode(k), pct_encode(&x)));
            query.push((k.clone(), x));
        }
    }
    let body_value = o.get("Body").unwrap_or(ctx.payload);
    let base64 = o.bool("IsBase64Encoded", false);
    let body = (!body_value.is_null()).then(|| text(body_value)).map(|b| if base64 { B64.encode(b) } else { b });
    let mut headers: Vec<(String, Vec<String>)> = Vec::new();
    if body.is_some() {
        headers.push(("Content-Type".into(), vec![if body_value.is_string() { "text/plain" } else { "application/json" }.into()]));
    }
    for (k, v) in o.obj("Headers").into_iter().flatten() {
        match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(k)) {
            Some(h) => *h = (k.clone(), values_of(v)),
            None => headers.push((k.clone(), values_of(v))),
        }
    }
    HttpReq {
        method: o.string("Method", if body.is_some() { "POST" } else { "GET" }).to_ascii_uppercase(),
        path,
        raw_query,
        query,
        headers,
        body,
        base64,
        source_ip: o.string("SourceIp", doc_ip(ctx.key, 0x4e_01)),
        user_agent: o.string("UserAgent", "lambdasim/1.0"),
    }
}

pub(super) fn trace_id(ctx: &EventCtx<'_>) -> String {
    format!("Root=1-{:08x}-{}", ctx.epoch_ms.max(0) / 1000, chars(ctx.key, 0x4e_02, 24, LOWER_HEX))
}

/// The headers the service passes on: `base` (name, value) first unless the client sent the same name, then the
/// client's own headers; names lower-cased when `lower`.
pub(super) fn merged_headers(base: Vec<(&str, String)>, req: &HttpReq, lower: bool) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in base {
        if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
            out.push((k.to_string(), vec![v]));
        }
    }
    out.extend(req.headers.iter().cloned());
    if lower {
        for (k, _) in &mut out {
            *k = k.to_ascii_lowercase();
        }
    }
    out.sort_by_key(|a| a.0.to_ascii_lowercase());
    out
}

pub(super) fn single_map(h: &[(String, Vec<String>)], join: bool) -> Value {
    Value::Object(
        h.iter().map(|(k, v)| (k.clone(), json!(if join { v.join(",") } else { v.last().cloned().unwrap_or_default() }))).collect(),
    )
}

pub(super) fn multi_map(h: &[(String, Vec<String>)]) -> Value {
    Value::Object(h.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

pub(super) fn grouped_query(q: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in q {
        match out.iter_mut().find(|(x, _)| x == k) {
            Some((_, vs)) => vs.push(v.clone()),
            None => out.push((k.clone(), vec![v.clone()])),
        }
    }
    out
}

fn str_map(m: Option<&Map<String, Value>>) -> Option<Value> {
    m.filter(|m| !m.is_empty()).map(|m| Value::Object(m.iter().map(|(k, v)| (k.clone(), json!(scalar_text(v)))).collect()))
}

fn api_id(ctx: &EventCtx<'_>, o: &Opts, salt: u64) -> String {
    o.string("ApiId", chars(stable(&[ctx.account_id, ctx.region]), salt, 10, LOWER_ALNUM))
}

// API Gateway REST API, Lambda proxy integration (payload format 1.0).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html ("Input format of a
// Lambda function for proxy integration"): resource, path, httpMethod, headers, multiValueHeaders,
// queryStringParameters, multiValueQueryStringParameters, pathParameters, stageVariables, requestContext (with
// identity), body as a string, isBase64Encoded; absent maps are null.
pub(super) fn apigw_rest(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let api = api_id(ctx, o, 0x4e_03);
    let stage = o.string("Stage", "prod");
    let domain = format!("{api}.execute-api.{}.amazonaws.com", ctx.region);
    let resource = o.string("Resource", req.path.clone());
    let headers = merged_headers(
        vec![
            ("Accept", "*/*".to_string()),
            ("Host", domain.clone()),
            ("User-Agent", req.user_agent.clone()),
            ("X-Amzn-Trace-Id", trace_id(ctx)),
            ("X-Forwarded-For", req.source_ip.clone()),
            ("X-Forwarded-Port", "443".to_string()),
            ("X-Forwarded-Proto", "https".to_string()),
        ],
        &req,
        false,
    );
    let query = grouped_query(&req.query);
    let (qs, mqs) = if query.is_empty() { (Value::Null, Value::Null) } else { (single_map(&query, false), multi_map(&query)) };
    json!({
        "resource": resource,
        "path": req.path,
        "httpMethod": req.method,
        "headers": single_map(&headers, false),
        "multiValueHeaders": multi_map(&headers),
        "queryStringParameters": qs,
        "multiValueQueryStringParameters": mqs,
        "pathParameters": str_map(o.obj("PathParameters")),
        "stageVariables": str_map(o.obj("StageVariables")),
        "requestContext": {
            "resourceId": chars(stable(&[&api, &resource]), 0x4e_04, 6, LOWER_ALNUM),
            "resourcePath": resource,
            "httpMethod": req.method,
            "extendedRequestId": b64url(ctx.key, 0x4e_05, 11),
            "requestTime": clf(ctx.epoch_ms),
            "path": format!("/{stage}{}", req.path),
            "accountId": ctx.account_id,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": api,
            "requestTimeEpoch": ctx.epoch_ms,
            "requestId": uuid(ctx.key, 0x4e_06),
            "identity": {
                "cognitoIdentityPoolId": null,
                "accountId": null,
                "cognitoIdentityId": null,
                "caller": null,
                "sourceIp": req.source_ip,
                "principalOrgId": null,
                "accessKey": null,
                "cognitoAuthenticationType": null,
                "cognitoAuthenticationProvider": null,
                "userArn": null,
                "userAgent": req.user_agent,
                "user": null,
            },
            "domainName": domain,
            "apiId": api,
        },
        "body": req.body,
        "isBase64Encoded": req.base64,
    })
}

// API Gateway HTTP API, Lambda integration payload format 2.0.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html (version
// "2.0", routeKey, rawPath, rawQueryString, cookies, lower-case headers with repeated values joined by commas,
// queryStringParameters, requestContext {accountId, apiId, domainName, domainPrefix, http {method, path, protocol,
// sourceIp, userAgent}, requestId, routeKey, stage, time, timeEpoch}, pathParameters, stageVariables, body,
// isBase64Encoded; absent fields are left out).
pub(super) fn apigw_http(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let api = api_id(ctx, o, 0x4e_07);
    let stage = o.string("Stage", "$default");
    let domain = format!("{api}.execute-api.{}.amazonaws.com", ctx.region);
    let route = o.string("RouteKey", format!("{} {}", req.method, o.string("Resource", req.path.clone())));
    let raw_path = if stage == "$default" { req.path.clone() } else { format!("/{stage}{}", req.path) };
    let mut base = vec![("accept", "*/*".to_string())];
    if let Some(b) = &req.body {
        base.push(("content-length", b.len().to_string()));
    }
    base.extend([
        ("host", domain.clone()),
        ("user-agent", req.user_agent.clone()),
        ("x-amzn-trace-id", trace_id(ctx)),
        ("x-forwarded-for", req.source_ip.clone()),
        ("x-forwarded-port", "443".to_string()),
        ("x-forwarded-proto", "https".to_string()),
    ]);
    let headers = merged_headers(base, &req, true);
    let mut e = Map::new();
    e.insert("version".into(), json!("2.0"));
    e.insert("routeKey".into(), json!(route));
    e.insert("rawPath".into(), json!(raw_path));
    e.insert("rawQueryString".into(), json!(req.raw_query));
    if let Some(c) = o.list("Cookies") {
        e.insert("cookies".into(), json!(c));
    }
    e.insert("headers".into(), single_map(&headers, true));
    let query = grouped_query(&req.query);
    if !query.is_empty() {
        e.insert("queryStringParameters".into(), single_map(&query, true));
    }
    e.insert(
        "requestContext".into(),
        json!({
            "accountId": ctx.account_id,
            "apiId": api,
            "domainName": domain,
            "domainPrefix": api,
            "http": {
                "method": req.method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": req.source_ip,
                "userAgent": req.user_agent,
            },
            "requestId": b64url(ctx.key, 0x4e_08, 11),
            "routeKey": route,
            "stage": stage,
            "time": clf(ctx.epoch_ms),
            "timeEpoch": ctx.epoch_ms,
        }),
    );
    if let Some(p) = str_map(o.obj("PathParameters")) {
        e.insert("pathParameters".into(), p);
    }
    if let Some(s) = str_map(o.obj("StageVariables")) {
        e.insert("stageVariables".into(), s);
    }
    if let Some(b) = req.body {
        e.insert("body".into(), json!(b));
    }
    e.insert("isBase64Encoded".into(), json!(req.base64));
    Value::Object(e)
}

// Application Load Balancer with a Lambda target group.
// https://docs.aws.amazon.com/lambda/latest/dg/services-alb.html ("Example Application Load Balancer request event")
// and https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html (multi-value headers
// mode replaces headers/queryStringParameters with multiValueHeaders/multiValueQueryStringParameters).
pub(super) fn alb(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let tg = o.string(
        "TargetGroupArn",
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/lambdasim-tg/{}",
            ctx.region,
            ctx.account_id,
            chars(stable(&[ctx.account_id, ctx.region]), 0xa7_01, 16, LOWER_HEX)
        ),
    );
    let host = format!("lambdasim-alb-{}.{}.elb.amazonaws.com", chars(stable(&[&tg]), 0xa7_02, 9, DIGITS), ctx.region);
    let headers = merged_headers(
        vec![
            ("accept", "*/*".to_string()),
            ("host", host),
            ("user-agent", req.user_agent.clone()),
            ("x-amzn-trace-id", trace_id(ctx)),
            ("x-forwarded-for", req.source_ip.clone()),
            ("x-forwarded-port", "443".to_string()),
            ("x-forwarded-proto", "https".to_string()),
        ],
        &req,
        true,
    );
    let query = grouped_query(&req.query);
    let multi = o.bool("MultiValueHeaders", false);
    let mut e = Map::new();
    e.insert("requestContext".into(), json!({"elb": {"targetGroupArn": tg}}));
    e.insert("httpMethod".into(), json!(req.method));
    e.insert("path".into(), json!(req.path));
    if multi {
        e.insert("multiValueQueryStringParameters".into(), multi_map(&query));
        e.insert("multiValueHeaders".into(), multi_map(&headers));
    } else {
        e.insert("queryStringParameters".into(), single_map(&query, false));
        e.insert("headers".into(), single_map(&headers, false));
    }
    e.insert("body".into(), json!(req.body.unwrap_or_default()));
    e.insert("isBase64Encoded".into(), json!(req.base64));
    Value::Object(e)
}

// CloudFront Lambda@Edge trigger.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html (Records[].cf.config
// {distributionDomainName, distributionId, eventType, requestId}; request {clientIp, headers (lower-case name -> [{key,
// value}]), method, querystring, uri}, body {inputTruncated, action, encoding, data} when "include body" is on, origin
// on origin events, response {status, statusDescription, headers} on response events).
pub(super) const EDGE_EVENTS: &[&str] = &["viewer-request", "origin-request", "origin-response", "viewer-response"];

fn edge_headers(h: &[(String, Vec<String>)]) -> Value {
    let mut out = Map::new();
    for (k, vs) in h {
        out.insert(k.to_ascii_lowercase(), Value::Array(vs.iter().map(|v| json!({"key": k, "value": v})).collect()));
    }
    Value::Object(out)
}

fn status_text(code: u64) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

pub(super) fn cloudfront(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let event_type = o.string("EventType", "viewer-request");
    let dist_seed = stable(&[ctx.account_id]);
    let dist_id = o.string("DistributionId", format!("E{}", chars(dist_seed, 0xcd_01, 13, UPPER_ALNUM)));
    let dist_domain = o.string("DistributionDomainName", format!("d{}.cloudfront.net", chars(dist_seed, 0xcd_02, 13, LOWER_ALNUM)));
    let client_ip = o.string("ClientIp", doc_ip(ctx.key, 0xcd_03));
    let origin_event = event_type.starts_with("origin-");
    let host = if origin_event { o.string("OriginDomain", "example.org") } else { dist_domain.clone() };
    let mut headers: Vec<(String, Vec<String>)> = vec![
        ("Host".to_string(), vec![host.clone()]),
        (
            "User-Agent".to_string(),
            vec![if origin_event { "Amazon CloudFront".to_string() } else { o.string("UserAgent", "lambdasim/1.0") }],
        ),
    ];
    for (k, v) in o.obj("Headers").into_iter().flatten() {
        match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(k)) {
            Some(h) => *h = (k.clone(), values_of(v)),
            None => headers.push((k.clone(), values_of(v))),
        }
    }
    let mut request = Map::new();
    let with_body = o.bool("IncludeBody", !ctx.payload.is_null()) && event_type.ends_with("-request");
    if with_body {
        request.insert(
            "body".into(),
            json!({"inputTruncated": false, "action": "read-only", "encoding": "base64", "data": B64.encode(text(ctx.payload))}),
        );
    }
    request.insert("clientIp".into(), json!(client_ip));
    request.insert("headers".into(), edge_headers(&headers));
    request.insert("method".into(), json!(o.string("Method", "GET").to_ascii_uppercase()));
    if origin_event {
        request.insert(
            "origin".into(),
            json!({"custom": {
                "customHeaders": {},
                "domainName": host,
                "keepaliveTimeout": 5,
                "path": "",
                "port": 443,
                "protocol": "https",
                "readTimeout": 30,
                "sslProtocols": ["TLSv1.2"],
            }}),
        );
    }
    request.insert("querystring".into(), json!(o.string("Querystring", "")));
    request.insert("uri".into(), json!(o.string("Uri", "/")));
    let mut cf = Map::new();
    cf.insert(
        "config".into(),
        json!({
            "distributionDomainName": dist_domain,
            "distributionId": dist_id,
            "eventType": event_type,
            "requestId": b64url(ctx.key, 0xcd_04, 40),
        }),
    );
    cf.insert("request".into(), Value::Object(request));
    if event_type.ends_with("-response") {
        let status = o.get("Status").map(scalar_text).unwrap_or_else(|| "200".to_string());
        let description = status.parse().map(status_text).unwrap_or("");
        cf.insert(
            "response".into(),
            json!({
                "headers": edge_headers(&[("Content-Type".to_string(), vec!["text/html".to_string()])]),
                "status": status,
                "statusDescription": description,
            }),
        );
    }
    json!({"Records": [{"cf": cf}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        assert_eq!(pct_decode("a+b%20c%3d%zz%"), "a b c=%zz%");
        assert_eq!(pct_encode("a b/c"), "a%20b%2Fc");
    }
}
