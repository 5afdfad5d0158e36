//! The little HTTP/1.1 the Lambda Runtime API needs, on blocking `std::net` streams: one request read at a time
//! from a keep-alive connection (`Content-Length` or `Transfer-Encoding: chunked` bodies, trailers skipped), and
//! responses written with a `Content-Length`. Runtime interface clients speak plain HTTP/1.1 to the API
//! (RFC 9112); nothing else is served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Bodies longer than this are read to their end and dropped: the Runtime API's payload limit, 6 MB plus 100 bytes
/// as the Runtime Interface Emulator counts it (`interop.MaxPayloadSize`, docs/sources.md).
pub const MAX_BODY: usize = 6 * 1024 * 1024 + 100;

/// Headers larger than this end the connection (no runtime client sends more than a few hundred bytes).
const MAX_HEAD: usize = 1024 * 1024;

/// One request as read from the wire.
#[derive(Debug)]
pub struct HttpRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, query string dropped.
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body, empty when it was over [`MAX_BODY`].
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_BODY`] (its length, when so).
    pub oversized: Option<usize>,
    /// The client asked to close the connection after this request.
    pub close: bool,
}

impl HttpRequest {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Extra headers (`Content-Type` included when there is a body).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A JSON body with a status.
    pub fn json(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.as_bytes().to_vec() }
    }
    /// An error body as the Runtime Interface Emulator renders it: `{"errorMessage", "errorType"}`.
    pub fn error(status: u16, error_type: &str, message: &str) -> HttpResponse {
        let body = serde_json::json!({"errorMessage": message, "errorType": error_type}).to_string();
        HttpResponse::json(status, &body)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

/// Write a response; `close` adds `Connection: close`.
pub fn write_response(stream: &mut TcpStream, r: &HttpResponse, close: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    stream.write_all(&out)?;
    stream.flush()
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

/// Read one line (CRLF or LF ended) without its end; `None` at end of stream before any byte.
fn read_line(r: &mut BufReader<TcpStream>, budget: &mut usize) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = r.by_ref().take(*budget as u64 + 1).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget {
        return Err(bad("request head too large"));
    }
    *budget -= n;
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map(Some).map_err(|_| bad("request head is not UTF-8"))
}

/// Read `n` body bytes into `body` while it stays within [`MAX_BODY`], dropping the rest.
fn read_body_part(r: &mut BufReader<TcpStream>, n: usize, body: &mut Vec<u8>, total: &mut usize) -> std::io::Result<()> {
    let keep = n.min(MAX_BODY.saturating_sub(body.len()));
    let start = body.len();
    body.resize(start + keep, 0);
    r.read_exact(&mut body[start..])?;
    let skip = (n - keep) as u64;
    if skip > 0 {
        let copied = std::io::copy(&mut r.by_ref().take(skip), &mut std::io::sink())?;
        if copied < skip {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "body ended early"));
        }
    }
    *total += n;
    Ok(())
}

/// Read the next request of a keep-alive connection; `Ok(None)` when the client closed it between requests.
pub fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<HttpRequest>> {
    let mut budget = MAX_HEAD;
    let mut line = match read_line(r, &mut budget)? {
        Some(l) => l,
        None => return Ok(None),
    };
    // RFC 9112 2.2: a server should ignore empty lines before a request line
    while line.is_empty() {
        line = match read_line(r, &mut budget)? {
            Some(l) => l,
            None => return Ok(None),
        };
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad(format!("bad request line {line:?}")));
    };
    let path = target.split('?').next().unwrap_or(target).to_string();
    let mut headers = Vec::new();
    loop {
        let h = read_line(r, &mut budget)?.ok_or_else(|| bad("connection closed in the request head"))?;
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').ok_or_else(|| bad(format!("bad header line {h:?}")))?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut req =
        HttpRequest { method: method.to_string(), path, headers, body: Vec::new(), oversized: None, close: version == "HTTP/1.0" };
    if let Some(c) = req.header("connection") {
        let c = c.to_ascii_lowercase();
        req.close = c.contains("close") || (version == "HTTP/1.0" && !c.contains("keep-alive"));
    }
    // a client that waits for leave to send its body (curl does for large bodies) gets it (RFC 9110 10.1.1)
    if req.header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let chunked = req.header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let mut total = 0usize;
    let mut body = Vec::new();
    if chunked {
        loop {
            let size_line = read_line(r, &mut budget)?.ok_or_else(|| bad("connection closed in a chunked body"))?;
            let size_hex = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                // trailers, up to the empty line
                while read_line(r, &mut budget)?.is_some_and(|l| !l.is_empty()) {}
                break;
            }
            read_body_part(r, size, &mut body, &mut total)?;
            let mut crlf = MAX_HEAD;
            read_line(r, &mut crlf)?;
        }
    } else if let Some(len) = req.header("content-length") {
        let n: usize = len.parse().map_err(|_| bad(format!("bad Content-Length {len:?}")))?;
        read_body_part(r, n, &mut body, &mut total)?;
    }
    if total > MAX_BODY {
        req.oversized = Some(total);
        body.clear();
    }
    req.body = body;
    Ok(Some(req))
}
