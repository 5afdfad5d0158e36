//! The load outputs of `lambdasim run` and `lambdasim compare` on the bundled `scenarios/api-burst.json`, through the
//! command line: the HTML report (well-formed, self-contained, one chart per series, the same figures as
//! `--format json`), the series CSV, the Chrome trace, byte-identical reruns, and paired comparisons.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/api-burst.json");

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn ok(args: &[&str]) -> Output {
    let out = lambdasim(args);
    assert!(out.status.success(), "lambdasim {args:?} failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    out
}

struct Outputs {
    _dir: tempfile::TempDir,
    html: String,
    csv: String,
    chrome: String,
    json: Value,
    json_text: String,
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// One run of the bundled scenario with every output.
fn outputs(seed: u64) -> Outputs {
    outputs_of(SCENARIO, seed)
}

/// The bundled scenario with provisioned concurrency on `api` (a file in a temporary directory).
fn with_provisioned_concurrency(dir: &Path, n: i64) -> PathBuf {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(SCENARIO).expect("scenario")).expect("json");
    doc["Functions"][0]["ProvisionedConcurrency"] = serde_json::json!(n);
    // Its expectations (a throttled burst, cold starts) are what provisioned concurrency takes away.
    doc.as_object_mut().map(|o| (o.remove("$schema"), o.remove("Expectations")));
    let p = dir.join("api-burst-pc.json");
    std::fs::write(&p, doc.to_string()).expect("write scenario");
    p
}

/// One run of a scenario with every output.
fn outputs_of(scenario: &str, seed: u64) -> Outputs {
    let dir = tempfile::tempdir().expect("temp dir");
    let (h, c, t) = (path(dir.path(), "r.html"), path(dir.path(), "s.csv"), path(dir.path(), "t.json"));
    let seed = seed.to_string();
    let out = ok(&[
        "run",
        scenario,
        "--seed",
        &seed,
        "--format",
        "json",
        "--report",
        h.to_str().unwrap_or_default(),
        "--series",
        c.to_str().unwrap_or_default(),
        "--chrome-trace",
        t.to_str().unwrap_or_default(),
    ]);
    let json_text = String::from_utf8(out.stdout).expect("utf-8");
    Outputs {
        json: serde_json::from_str(&json_text).expect("--format json is JSON"),
        json_text,
        html: std::fs::read_to_string(&h).expect("report written"),
        csv: std::fs::read_to_string(&c).expect("series written"),
        chrome: std::fs::read_to_string(&t).expect("chrome trace written"),
        _dir: dir,
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// a tiny XML well-formedness checker: tags balance, attributes are quoted, entities are known

#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    /// Text content of the element (direct and nested).
    text: String,
    /// Offset of the element in the document.
    at: usize,
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or_else(|| format!("unterminated entity in {s:?}"))? + i;
        let ent = &rest[i + 1..end];
        match ent {
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "amp" => out.push('&'),
            "quot" => out.push('"'),
            "apos" | "#39" => out.push('\''),
            e if e.starts_with("#x") => {
                out.push(char::from_u32(u32::from_str_radix(&e[2..], 16).map_err(|x| x.to_string())?).unwrap_or('?'))
            }
            e if e.starts_with('#') => out.push(char::from_u32(e[1..].parse().map_err(|_| format!("bad entity &{e};"))?).unwrap_or('?')),
            e => return Err(format!("unknown entity &{e};")),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses the document; every element, in document order.
fn parse_xml(doc: &str) -> Result<Vec<Element>, String> {
    let mut elements: Vec<Element> = vec![];
    let mut stack: Vec<usize> = vec![];
    let mut i = 0;
    let b = doc.as_bytes();
    while i < b.len() {
        if b[i] != b'<' {
            let j = doc[i..].find('<').map(|k| i + k).unwrap_or(b.len());
            let text = unescape(&doc[i..j])?;
            if text.contains('>') && !text.trim().is_empty() {
                // '>' in text is legal XML; nothing to check.
            }
            for e in &stack {
                elements[*e].text.push_str(&text);
            }
            i = j;
            continue;
        }
        if doc[i..].starts_with("<!--") {
            i += doc[i..].find("-->").ok_or("unterminated comment")? + 3;
            continue;
        }
        if doc[i..].starts_with("<!") || doc[i..].starts_with("<?") {
            i += doc[i..].find('>').ok_or("unterminated declaration")? + 1;
            continue;
        }
        let end = doc[i..].find('>').ok_or_else(|| format!("unterminated tag at {i}"))? + i;
        let tag = &doc[i + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or_else(|| format!("</{name}> closes nothing at {i}"))?;
            if elements[open].name != name.trim() {
                return Err(format!("</{}> at {i} closes <{}> opened at {}", name, elements[open].name, elements[open].at));
            }
            i = end + 1;
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_') {
            return Err(format!("bad tag name {name:?} at {i}"));
        }
        let mut attrs = BTreeMap::new();
        let mut rest = tag[name_end..].trim_start();
        while !rest.is_empty() {
            let eq = rest.find('=').ok_or_else(|| format!("attribute without value in <{name}> at {i}: {rest:?}"))?;
            let key = rest[..eq].trim();
            let q = rest[eq + 1..].chars().next().ok_or("attribute value missing")?;
            if q != '"' && q != '\'' {
                return Err(format!("unquoted attribute {key} in <{name}> at {i}"));
            }
            let vstart = eq + 2;
            let vend = rest[vstart..].find(q).ok_or("unterminated attribute value")? + vstart;
            let value = unescape(&rest[vstart..vend])?;
            if attrs.insert(key.to_string(), value).is_some() {
                return Err(format!("duplicate attribute {key} in <{name}> at {i}"));
            }
            rest = rest[vend + 1..].trim_start();
        }
        elements.push(Element { name: name.to_string(), attrs, text: String::new(), at: i });
        if !self_closing {
            stack.push(elements.len() - 1);
        }
        i = end + 1;
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{}> opened at {} is never closed", elements[open].name, elements[open].at));
    }
    Ok(elements)
}

// ---------------------------------------------------------------------------------------------------------------------

#[test]
fn html_report_is_well_formed_self_contained_and_has_one_chart_per_series() {
    let o = outputs(1);
    let els = parse_xml(&o.html).unwrap_or_else(|e| panic!("report is not well-formed: {e}"));
    assert_eq!(els.first().map(|e| e.name.as_str()), Some("html"));
    // Self-contained: no scripts, no external stylesheets, images, fonts or frames.
    for e in &els {
        assert!(!matches!(e.name.as_str(), "script" | "link" | "img" | "iframe" | "object" | "embed"), "<{}> in the report", e.name);
        for (k, v) in &e.attrs {
            if k == "xmlns" {
                continue;
            }
            assert!(!v.contains("http://") && !v.contains("https://") && !v.contains("url("), "external reference {k}={v:?}");
        }
    }
    assert!(!o.html.contains("@import") && !o.html.contains("@font-face"));

    // Header: scenario, seed, scenario digest, trace digest, version.
    let header = els.iter().find(|e| e.name == "header").expect("header");
    for needle in [
        o.json["scenario"].as_str().unwrap_or("?"),
        o.json["scenarioDigest"].as_str().unwrap_or("?"),
        o.json["digest"].as_str().unwrap_or("?"),
        o.json["lambdasim"].as_str().unwrap_or("?"),
    ] {
        assert!(header.text.contains(needle), "header lacks {needle:?}: {}", header.text);
    }
    assert!(header.text.contains("seed"));

    // One figure with exactly one <svg> per series: latency per function, concurrency per function and for the
    // account, and one each for cold starts, throttles, errors, async backlog and oldest age.
    let figures: Vec<&Element> = els.iter().filter(|e| e.name == "figure").collect();
    let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &figures {
        let kind = f.attrs.get("data-series").cloned().expect("data-series");
        by_kind.entry(kind).or_default().push(f.attrs.get("data-scope").cloned().unwrap_or_default());
    }
    let svgs = els.iter().filter(|e| e.name == "svg").count();
    assert_eq!(svgs, figures.len(), "one svg per figure");
    for (i, f) in figures.iter().enumerate() {
        let next = figures.get(i + 1).map(|n| n.at).unwrap_or(usize::MAX);
        let inside = els.iter().filter(|e| e.name == "svg" && e.at > f.at && e.at < next).count();
        assert_eq!(inside, 1, "figure {:?} has {inside} svg", f.attrs);
    }
    let expected: BTreeMap<String, Vec<String>> = [
        ("latency", vec!["api", "audit"]),
        ("concurrency", vec!["api", "audit", "account"]),
        ("cold-starts", vec!["functions"]),
        ("throttles", vec!["functions"]),
        ("errors", vec!["functions"]),
        ("async-backlog", vec!["functions"]),
        ("oldest-age", vec!["functions"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(by_kind, expected);
    for kind in lambdasim::report::html::SERIES_KINDS {
        assert!(by_kind.contains_key(kind), "no chart for {kind}");
    }
    // The charts draw something: polylines in every svg.
    assert!(o.html.matches("<polyline").count() >= figures.len());
}

/// Every figure of the report that carries a JSON pointer shows the JSON's value; the pointers seen.
fn figures_match_the_json(o: &Outputs) -> std::collections::BTreeSet<String> {
    let els = parse_xml(&o.html).unwrap_or_else(|e| panic!("report is not well-formed: {e}"));
    let cells: Vec<&Element> = els.iter().filter(|e| e.attrs.contains_key("data-json")).collect();
    assert!(cells.len() >= 80, "only {} figures carry their JSON pointer", cells.len());
    let mut seen = std::collections::BTreeSet::new();
    for c in &cells {
        let ptr = &c.attrs["data-json"];
        seen.insert(ptr.clone());
        let v = o.json.pointer(ptr).unwrap_or_else(|| panic!("{ptr} is not in the JSON output"));
        let x = v.as_f64().unwrap_or_else(|| panic!("{ptr} is not a number: {v}"));
        // The exact value, as the JSON has it (serde_json's default float parser may be 1 ulp off, hence the 1e-15).
        let exact: f64 = c.attrs["data-value"].parse().expect("data-value is a number");
        assert!((exact - x).abs() <= 1e-15 * x.abs(), "{ptr}: data-value {exact} vs JSON {x}");
        // The figure shown, to its displayed precision.
        let shown: f64 = c.text.trim().trim_start_matches('$').replace(',', "").parse().unwrap_or_else(|_| panic!("{ptr}: {:?}", c.text));
        let tol = 5e-7 + 1e-5 * x.abs();
        assert!((shown - x).abs() <= tol, "{ptr}: shown {shown} vs JSON {x}");
    }
    seen
}

#[test]
fn html_summary_figures_equal_the_json_output() {
    let o = outputs(1);
    let seen = figures_match_the_json(&o);
    for ptr in [
        "/seed",
        "/cost/totalUsd",
        "/cost/perMonthUsd",
        "/latencySeconds/p99",
        "/functions/api/throttles",
        "/functions/api/coldStarts",
        "/functions/api/peakConcurrency",
        "/functions/api/latencySeconds/p50",
        "/functions/api/latencySeconds/p999",
        "/functions/api/syncLatencySeconds/p99",
        "/functions/audit/queueWaitSeconds/p99",
        "/functions/api/initSeconds/max",
        "/functions/api/fates/Throttled",
        "/functions/audit/cost/gbSeconds",
        "/functions/api/cost/totalUsd",
        "/sources/burst/latencySeconds/p99",
    ] {
        assert!(seen.contains(ptr), "the report does not show {ptr}");
    }
    // The JSON output has the series and every histogram.
    for k in ["latencySeconds", "syncLatencySeconds", "queueWaitSeconds", "executionSeconds", "initSeconds"] {
        assert!(o.json["functions"]["api"][k].is_object(), "{k}");
    }
    assert!(o.json["series"]["samples"].as_u64().unwrap_or(0) > 100);
}

#[test]
fn html_report_shows_provisioned_concurrency_and_its_cost_as_the_json_has_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = with_provisioned_concurrency(dir.path(), 50);
    let o = outputs_of(p.to_str().unwrap_or_default(), 1);
    let seen = figures_match_the_json(&o);
    for ptr in [
        "/provisionedConcurrencySpilloverInvocations",
        "/cost/provisionedConcurrencyUsd",
        "/cost/provisionedDurationUsd",
        "/cost/provisionedUsd",
        "/functions/api/provisionedConcurrency",
        "/functions/api/provisionedConcurrencyInvocations",
        "/functions/api/cost/provisionedGbSeconds",
        "/functions/api/cost/provisionedConcurrencyUsd",
        "/functions/api/cost/provisionedDurationUsd",
    ] {
        assert!(seen.contains(ptr), "the report does not show {ptr}");
    }
    let api = &o.json["functions"]["api"];
    assert_eq!(api["provisionedConcurrency"], 50);
    assert_eq!(api["coldStarts"], 0);
    assert!(api["provisionedConcurrencyInvocations"].as_u64().unwrap_or(0) > 4000, "{api}");
    // 50 × 0.5 GB for the run (about 7.5 minutes), billed in 5-minute periods: 10 minutes.
    let end = o.json["virtualTimeSeconds"].as_f64().unwrap_or(0.0);
    let billed = (end / 300.0).ceil() * 300.0;
    assert!((api["cost"]["provisionedGbSeconds"].as_f64().unwrap_or(0.0) - 25.0 * billed).abs() < 1e-9, "{api}");
    assert!(o.html.contains("provisioned concurrency 50"), "the concurrency chart draws the provisioned level");
    assert!(!o.html.contains("Not simulated yet, so not charted: provisioned concurrency"));
    // The report claims nothing is missing: queue depth, oldest-message age and iterator age are charted.
    assert!(!o.html.contains("Not simulated yet"));
}

#[test]
fn series_csv_has_a_header_and_one_row_per_sample_matching_the_json() {
    let o = outputs(1);
    let mut lines = o.csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..2], &["start_s", "end_s"]);
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().expect("number")).collect()).collect();
    assert_eq!(rows.len() as u64, o.json["series"]["samples"].as_u64().expect("samples"));
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let sum = |name: &str| rows.iter().map(|r| r[col(name)]).sum::<f64>();
    let max = |name: &str| rows.iter().map(|r| r[col(name)]).fold(0.0, f64::max);
    let f = &o.json["functions"]["api"];
    assert_eq!(sum("api.cold_starts"), f["coldStarts"].as_f64().unwrap_or(-1.0));
    assert_eq!(sum("api.invocations"), f["executions"].as_f64().unwrap_or(-1.0));
    assert_eq!(sum("api.accepted"), f["accepted"].as_f64().unwrap_or(-1.0));
    assert_eq!(sum("api.throttles_ReservedConcurrency"), f["throttles"].as_f64().unwrap_or(-1.0));
    assert_eq!(max("api.concurrency_max"), f["peakConcurrency"].as_f64().unwrap_or(-1.0));
    assert_eq!(max("account.concurrency_max"), o.json["peakAccountConcurrency"].as_f64().unwrap_or(-1.0));
    let errors = f["outcomes"]["Error"].as_f64().unwrap_or(0.0);
    assert_eq!(sum("api.errors"), errors);
    assert!(max("audit.async_backlog_max") > 0.0 && max("audit.oldest_event_age_s") > 0.0);
    assert_eq!(max("api.async_backlog_max"), 0.0, "sync requests never queue");
    // Consecutive, contiguous intervals ending at the end of the run.
    let (s, e) = (col("start_s"), col("end_s"));
    assert_eq!(rows[0][s], 0.0);
    for w in rows.windows(2) {
        assert_eq!(w[0][e], w[1][s]);
    }
    assert_eq!(rows.last().map(|r| r[e]), o.json["virtualTimeSeconds"].as_f64());
}

#[test]
fn chrome_trace_has_a_track_per_environment_and_a_span_per_attempt() {
    let o = outputs(1);
    let doc: Value = serde_json::from_str(&o.chrome).expect("chrome trace is JSON");
    assert_eq!(doc["displayTimeUnit"], "ms");
    let evs = doc["traceEvents"].as_array().expect("traceEvents");
    let count = |ph: &str, cat: Option<&str>| evs.iter().filter(|e| e["ph"] == ph && cat.is_none_or(|c| e["cat"] == c)).count() as u64;
    let total = |k: &str| o.json["functions"].as_object().map(|m| m.values().map(|f| f[k].as_u64().unwrap_or(0)).sum::<u64>()).unwrap_or(0);
    assert_eq!(count("X", Some("attempt")), total("executions"));
    assert_eq!(count("X", Some("init")), total("coldStarts"));
    assert_eq!(count("i", Some("throttle")), total("throttles"));
    // Every complete event has a time, a duration, a process and a thread; attempts carry their request.
    for e in evs.iter().filter(|e| e["ph"] == "X") {
        assert!(e["ts"].is_u64() && e["dur"].is_u64() && e["pid"].is_u64() && e["tid"].as_u64().unwrap_or(0) >= 1, "{e}");
        if e["cat"] == "attempt" {
            for k in ["requestId", "attempt", "outcome", "cold"] {
                assert!(!e["args"][k].is_null(), "{k} missing in {e}");
            }
        }
    }
    // One named process per function, one named thread per environment.
    let names: Vec<&str> = evs.iter().filter(|e| e["name"] == "process_name").filter_map(|e| e["args"]["name"].as_str()).collect();
    assert_eq!(names, vec!["λ api", "λ audit"]);
    let envs = evs.iter().filter(|e| e["name"] == "thread_name" && e["tid"].as_u64().unwrap_or(0) >= 1).count() as u64;
    assert_eq!(envs, total("environments"));
    // Spans on one environment never overlap.
    let mut by_track: BTreeMap<(u64, u64), Vec<(u64, u64)>> = BTreeMap::new();
    for e in evs.iter().filter(|e| e["ph"] == "X" && e["cat"] == "attempt") {
        let key = (e["pid"].as_u64().unwrap_or(0), e["tid"].as_u64().unwrap_or(0));
        by_track.entry(key).or_default().push((e["ts"].as_u64().unwrap_or(0), e["dur"].as_u64().unwrap_or(0)));
    }
    for spans in by_track.values_mut() {
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "overlapping spans {w:?}");
        }
    }
}

#[test]
fn outputs_are_byte_identical_for_the_same_seed() {
    let (a, b) = (outputs(3), outputs(3));
    assert_eq!(a.html, b.html);
    assert_eq!(a.csv, b.csv);
    assert_eq!(a.chrome, b.chrome);
    assert_eq!(a.json_text, b.json_text);
    let c = outputs(4);
    assert_ne!(a.json["digest"], c.json["digest"]);
}

#[test]
fn series_interval_flag_sets_the_interval_and_rejects_bad_values() {
    let out = ok(&["run", SCENARIO, "--format", "json", "--series-interval", "10"]);
    let j: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["series"]["intervalSeconds"], 10.0);
    for bad in ["0", "-1", "1e9", "NaN"] {
        let out = lambdasim(&["run", SCENARIO, &format!("--series-interval={bad}")]);
        assert_eq!(out.status.code(), Some(2), "--series-interval {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--series-interval") && err.contains("allowed"), "{err}");
    }
}

#[test]
fn the_scenario_sets_the_series_interval_and_the_flag_overrides_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(SCENARIO).expect("scenario")).expect("json");
    doc["Simulation"] = serde_json::json!({"SeriesIntervalSeconds": 20});
    doc.as_object_mut().map(|o| o.remove("$schema"));
    let p = dir.path().join("s.json");
    std::fs::write(&p, doc.to_string()).expect("write");
    let p = p.to_str().unwrap_or_default();
    let j: Value = serde_json::from_slice(&ok(&["run", p, "--format", "json"]).stdout).expect("json");
    assert_eq!(j["series"]["intervalSeconds"], 20.0);
    let j: Value = serde_json::from_slice(&ok(&["run", p, "--format", "json", "--series-interval", "5"]).stdout).expect("json");
    assert_eq!(j["series"]["intervalSeconds"], 5.0);
}

fn compare_json(args: &[&str]) -> Value {
    let mut all = vec!["compare", SCENARIO, "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&ok(&all).stdout).expect("compare json")
}

fn metric<'a>(j: &'a Value, name: &str) -> &'a Value {
    j["metrics"].as_array().and_then(|m| m.iter().find(|x| x["metric"] == name)).unwrap_or_else(|| panic!("no metric {name} in {j}"))
}

#[test]
fn compare_more_reserved_concurrency_reduces_throttles_significantly() {
    let j = compare_json(&["--set", "functions.api.ReservedConcurrentExecutions=300", "--seeds", "1..12"]);
    assert_eq!(j["n"], 12);
    let t = metric(&j, "api.throttles");
    let (d, hi) = (t["meanDiff"].as_f64().unwrap_or(0.0), t["ciHigh"].as_f64().unwrap_or(0.0));
    assert!(d < 0.0 && hi < 0.0 && t["excludesZero"] == true, "{t}");
    assert!(t["meanB"].as_f64().unwrap_or(1e9) < 0.5 * t["meanA"].as_f64().unwrap_or(0.0), "{t}");
    // Fewer throttles, more executions: the bill goes up.
    let c = metric(&j, "all.costUsd");
    assert!(c["meanDiff"].as_f64().unwrap_or(0.0) > 0.0 && c["excludesZero"] == true, "{c}");
    assert!(j["method"].as_str().unwrap_or("").contains("Student's t with 11 df"));
}

/// The example: 50 provisioned environments for `api`, over 200 seeds.
#[test]
fn compare_with_provisioned_concurrency_removes_cold_starts_and_throttles_at_a_price() {
    let j = compare_json(&["--set", "functions.api.ProvisionedConcurrency=50", "--seeds", "1..60"]);
    assert_eq!(j["n"], 60);
    for name in ["api.coldStarts", "api.throttles"] {
        let m = metric(&j, name);
        assert!(m["meanA"].as_f64().unwrap_or(0.0) > 10.0 && m["meanB"] == 0.0 && m["excludesZero"] == true, "{m}");
    }
    let p99 = metric(&j, "api.latencyP99Seconds");
    assert!(p99["meanDiff"].as_f64().unwrap_or(0.0) < -0.1 && p99["excludesZero"] == true, "{p99}");
    // Provisioned concurrency is billed from enable to the end of the run: the bill goes up.
    let c = metric(&j, "api.costUsd");
    assert!(c["meanDiff"].as_f64().unwrap_or(0.0) > 0.05 && c["excludesZero"] == true, "{c}");
}

#[test]
fn compare_a_configuration_with_itself_gives_exactly_zero() {
    let j = compare_json(&["--seeds", "1..5"]);
    let ms = j["metrics"].as_array().expect("metrics");
    assert!(ms.len() >= 10);
    for m in ms {
        assert_eq!(m["meanDiff"], 0.0, "{m}");
        assert_eq!(m["sdDiff"], 0.0, "{m}");
        assert_eq!((m["ciLow"].as_f64(), m["ciHigh"].as_f64()), (Some(0.0), Some(0.0)), "{m}");
        assert_eq!(m["excludesZero"], false);
        assert_eq!(m["meanA"], m["meanB"]);
    }
}

#[test]
fn compare_results_do_not_depend_on_the_number_of_threads() {
    let args = ["compare", SCENARIO, "--set", "functions.audit.ReservedConcurrentExecutions=5", "--seeds", "1..6"];
    let one = ok(&[&args[..], &["--jobs", "1"]].concat()).stdout;
    let four = ok(&[&args[..], &["--jobs", "4"]].concat()).stdout;
    assert_eq!(one, four);
    assert!(String::from_utf8_lossy(&one).contains("audit.throttles"));
}

#[test]
fn compare_rejects_bad_overrides_naming_the_path() {
    for (set, needle) in [
        // Provisioned concurrency counts toward reserved concurrency (60) and cannot exceed it.
        (
            "functions.api.ProvisionedConcurrency=500",
            "Functions[0].ProvisionedConcurrency: provisioned concurrency 500 exceeds ReservedConcurrentExecutions 60",
        ),
        ("functions.nope.Timeout=3", "\"nope\""),
        ("functions.api.Timeout=9999", "Timeout"),
        ("Workload[9].Name=x", "out of range"),
    ] {
        let out = lambdasim(&["compare", SCENARIO, "--set", set, "--seeds", "1..2"]);
        assert_eq!(out.status.code(), Some(2), "--set {set}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "--set {set}: {err}");
    }
    let out = lambdasim(&["compare", SCENARIO, "--seeds", "9..1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seeds"));
}

#[test]
fn bundled_scenario_passes_its_expectations() {
    let out = lambdasim(&["run", SCENARIO, "--seed", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

// ---------------------------------------------------------------------------------------------------------------------
// what the page says: the replay command, no `-0`, zero waits, axes that fit, columns that apply, no stale claims

/// The `<figure>` of one chart (its SVG included).
fn figure<'a>(html: &'a str, kind: &str, scope: &str) -> &'a str {
    let start =
        html.find(&format!("data-series=\"{kind}\" data-scope=\"{scope}\"")).unwrap_or_else(|| panic!("no {kind} chart for {scope}"));
    let end = html[start..].find("</figure>").expect("figure closed") + start;
    &html[start..end]
}

/// The texts of an SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")).map(|(x, _)| x.trim().to_string()))
        .collect()
}

#[test]
fn report_header_replays_the_real_command_and_no_figure_reads_minus_zero() {
    let o = outputs(7);
    let replay = o.html.split("id=\"replay\">").nth(1).and_then(|r| r.split("</p>").next()).expect("replay line");
    assert!(replay.contains(&format!("lambdasim run {SCENARIO} --seed 7 --report r.html")), "replay line: {replay}");
    assert!(!replay.contains("SCENARIO") && !replay.contains("FILE.html"), "placeholders in {replay}");
    // The replay command gives the same trace digest.
    let again: Value = serde_json::from_slice(&ok(&["run", SCENARIO, "--seed", "7", "--format", "json"]).stdout).unwrap();
    assert_eq!(again["digest"], o.json["digest"]);
    // No negative zero, neither shown nor in the JSON (an unused provisioned-concurrency cost was -0).
    for text in [&o.html, &o.json_text] {
        assert!(
            !text.contains(">-0<") && !text.contains(">$-0<") && !text.contains("-0.0,") && !text.contains("\"-0\""),
            "a -0 is written"
        );
    }
    assert!(!o.json_text.contains(":-0.0"), "a -0.0 in the JSON");
    // A shell-unsafe path is quoted.
    let cmd = lambdasim::report::html::replay_command(Path::new("my runs/it's.json"), 3, Some(0.5), Path::new("/tmp/x/r.html"));
    assert_eq!(cmd, "lambdasim run 'my runs/it'\\''s.json' --seed 3 --series-interval 0.5 --report r.html");
}

#[test]
fn zero_waits_read_zero_and_latency_axes_fit_the_data() {
    let o = outputs(1);
    // Most of audit's events start at once: their async queue wait is 0, not 1 µs.
    assert_eq!(o.json["functions"]["audit"]["queueWaitSeconds"]["p50"].as_f64(), Some(0.0));
    assert!(
        o.html.contains("data-json=\"/functions/audit/queueWaitSeconds/p50\" data-value=\"0.0\">0</td>"),
        "p50 queue wait not shown as 0"
    );
    // api's fastest nonzero latencies are milliseconds: its axis starts there, not at 1 µs; the zeros are counted.
    let api = figure(&o.html, "latency", "api");
    let labels = svg_texts(api);
    assert!(labels.iter().any(|l| l.ends_with("ms")), "no millisecond tick in {labels:?}");
    assert!(!labels.iter().any(|l| l.contains("µs")), "the api latency axis reaches microseconds: {labels:?}");
    let audit = figure(&o.html, "latency", "audit");
    assert!(
        svg_texts(audit).iter().any(|l| l.starts_with("async queue wait") && l.contains(" at 0)")),
        "zero waits not counted in the legend"
    );
}

#[test]
fn cost_table_shows_provisioned_rows_only_when_they_apply() {
    let o = outputs(1);
    let table =
        |html: &str| html.split("id=\"cost-table\"").nth(1).and_then(|t| t.split("</table>").next()).expect("cost table").to_string();
    let plain = table(&o.html);
    assert!(plain.contains("duration (USD)") && plain.contains("per month (USD)"));
    assert!(!plain.contains("provisioned"), "provisioned rows without provisioned concurrency");
    let dir = tempfile::tempdir().unwrap();
    let pc = with_provisioned_concurrency(dir.path(), 20);
    let with = outputs_of(pc.to_str().unwrap(), 1);
    let t = table(&with.html);
    for row in ["provisioned GB-seconds", "provisioned concurrency (USD)", "provisioned duration (USD)"] {
        assert!(t.contains(&format!("<td>{row}</td>")), "no {row} row");
    }
    // One column per function plus the totals: the table stays narrow however many cost figures apply.
    let header = t.split("</tr>").next().unwrap();
    assert_eq!(header.matches("<th>").count(), 2 + with.json["functions"].as_object().unwrap().len());
}

#[test]
fn price_table_lists_only_the_prices_the_run_used() {
    let prices = |html: &str| html.split("id=\"pricing\"").nth(1).and_then(|t| t.split("</table>").next()).expect("pricing").to_string();
    let o = outputs(1);
    let plain = prices(&o.html);
    // api-burst's functions are x86_64 and arm64, without provisioned concurrency.
    assert!(plain.contains("<td>RequestUsdPerMillion</td>") && plain.contains("<td>X86GbSecondUsd</td>"), "{plain}");
    assert!(plain.contains("<td>Arm64GbSecondUsd</td>") && !plain.contains("Provisioned"), "{plain}");
    // The JSON keeps every price, used or not.
    assert_eq!(o.json["cost"]["pricing"].as_object().unwrap().len(), 7);
    let dir = tempfile::tempdir().unwrap();
    let pc = with_provisioned_concurrency(dir.path(), 20);
    let with = prices(&outputs_of(pc.to_str().unwrap(), 1).html);
    // Provisioned concurrency on the x86_64 function only: its architecture's provisioned prices, not arm64's.
    assert!(with.contains("<td>ProvisionedX86GbSecondUsd</td>") && with.contains("<td>ProvisionedDurationX86GbSecondUsd</td>"), "{with}");
    assert!(!with.contains("ProvisionedArm64") && !with.contains("ProvisionedDurationArm64"), "{with}");
}

/// Sentences of `text` that say something is not there yet.
fn claims_missing(text: &str) -> Vec<String> {
    const SAYS_MISSING: [&str; 7] = [
        "not simulated yet",
        "not yet simulated",
        "not charted",
        "not possible yet",
        "not yet possible",
        "not supported yet",
        "not yet supported",
    ];
    text.split(['.', '\n', '<', '>'])
        .filter(|s| {
            let l = s.to_lowercase();
            SAYS_MISSING.iter().any(|m| l.contains(m))
        })
        .map(str::to_string)
        .collect()
}

/// What a scenario uses, as words a claim would name.
fn features(doc: &Value) -> Vec<&'static str> {
    let has = |k: &str| doc.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let mut f = vec!["Lambda", "function", "concurrency", "cold start", "throttle", "latency", "cost"];
    if has("Queues") {
        f.extend(["SQS", "queue", "visible", "in-flight", "in flight", "message"]);
    }
    if has("KinesisStreams") || has("Tables") {
        f.extend(["Kinesis", "DynamoDB", "stream", "iterator age", "shard"]);
    }
    if has("EventSourceMappings") {
        f.extend(["mapping", "batch", "poller"]);
    }
    if has("Topics") {
        f.extend(["SNS", "topic", "subscription"]);
    }
    if has("EventBuses") {
        f.extend(["EventBridge", "bus", "rule"]);
    }
    if has("DeliveryStreams") {
        f.extend(["Firehose", "delivery stream"]);
    }
    f
}

#[test]
fn neither_report_nor_readme_claims_missing_what_the_scenario_uses() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["sqs-standard-redrive", "kinesis-poison-bisect", "s3-lambda-sns-fanout", "eventbridge-two-functions", "firehose-transform"]
    {
        let scenario = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&scenario).unwrap()).unwrap();
        let page = dir.path().join(format!("{name}.html"));
        ok(&["run", &scenario, "--seed", "1", "--report", page.to_str().unwrap()]);
        let html = std::fs::read_to_string(&page).unwrap();
        let uses = features(&doc);
        for (what, text) in [("the report", html.as_str()), ("README.md", readme.as_str())] {
            for claim in claims_missing(text) {
                let named: Vec<&&str> = uses.iter().filter(|w| claim.to_lowercase().contains(&w.to_lowercase())).collect();
                assert!(named.is_empty(), "{what} says {claim:?}, but {name} uses {named:?}");
            }
        }
        // And what it uses is charted: queues and mappings have their own section.
        if doc.get("Queues").is_some() || doc.get("EventSourceMappings").is_some() {
            assert!(html.contains("<section id=\"queues\">"), "{name}: no queue and stream charts");
        }
    }
    // The test can see a claim: the issue's own sentence would fail it.
    let stale = "Not simulated yet, so not charted: SQS queue depth, visible and in-flight messages.";
    let claims = claims_missing(stale);
    assert_eq!(claims.len(), 1);
    let queue_doc = serde_json::json!({"Queues": [{"QueueName": "q"}]});
    assert!(features(&queue_doc).iter().any(|w| claims[0].contains(w)), "the stale claim is not matched to queues");
}

/// Every `--series` column that the bundled scenarios make the code write is documented in docs/series.md (as its
/// pattern, with `<function>`, `<queue>`, `<mapping>` for the names), and every documented column is written by one.
#[test]
fn every_series_column_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/series.md")).unwrap();
    // The columns named in the first cell of each table row.
    let documented: std::collections::BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|l| {
            l.split(" |")
                .next()
                .unwrap_or_default()
                .split('`')
                .step_by(2)
                .filter(|s| !s.trim_matches([',', ' ']).is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(documented.len() > 30, "docs/series.md's tables: {documented:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut written = std::collections::BTreeSet::new();
    for name in ["api-burst", "sqs-standard-redrive", "kinesis-poison-bisect"] {
        let scenario = format!("{}/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let model = lambdasim::load_file(Path::new(&scenario)).unwrap();
        let csv = dir.path().join(format!("{name}.csv"));
        ok(&["run", &scenario, "--seed", "1", "--series", csv.to_str().unwrap()]);
        let text = std::fs::read_to_string(&csv).unwrap();
        for col in text.lines().next().unwrap().split(',') {
            let metric = col.rsplit('.').next().unwrap();
            let pattern = if !col.contains('.') || col.starts_with("account.") {
                col.to_string()
            } else if let Some(rest) = col.strip_prefix("queue.") {
                assert!(model.esm.queues.iter().any(|q| rest == format!("{}.{metric}", q.name)), "{col}: no such queue");
                format!("queue.<queue>.{metric}")
            } else if let Some(rest) = col.strip_prefix("mapping.") {
                assert!(model.esm.mappings.iter().any(|m| rest == format!("{}.{metric}", m.label)), "{col}: no such mapping");
                format!("mapping.<mapping>.{metric}")
            } else {
                assert!(model.functions.iter().any(|f| col == format!("{}.{metric}", f.name)), "{col}: no such function");
                format!("<function>.{metric}")
            };
            assert!(documented.contains(&pattern), "docs/series.md does not document {pattern} (column {col} of {name})");
            written.insert(pattern);
        }
    }
    let stale: Vec<&String> = documented.difference(&written).collect();
    assert!(stale.is_empty(), "docs/series.md documents columns no bundled scenario writes: {stale:?}");
}

/// The backticked words of a line of Markdown.
fn backticked(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

/// docs/conformance.md says, per recorded fact, which tests hold it, and README's table of behaviours names the
/// conformance ids per row: every test named exists and every id named has its row, so a test renamed or removed,
/// or a row dropped, cannot leave the documents claiming a check that is gone.
#[test]
fn conformance_rows_name_tests_and_ids_that_exist() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
    let (conformance, readme) = (read("docs/conformance.md"), read("README.md"));
    let mut sources = String::new();
    for dir in ["tests/suite", "tests/conformance"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                sources += &std::fs::read_to_string(&p).unwrap();
            }
        }
    }
    let is_test_path = |t: &str| {
        let parts: Vec<&str> = t.split("::").collect();
        parts.len() == 2
            && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    };
    let mut ids = std::collections::BTreeSet::new();
    let mut named = 0;
    for line in conformance.lines().filter(|l| l.starts_with("| ")) {
        let id = line.split('|').nth(1).unwrap_or("").trim();
        if id.contains('-') && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
            ids.insert(id.to_string());
        }
        for t in backticked(line).into_iter().filter(|t| is_test_path(t)) {
            let f = t.rsplit("::").next().unwrap();
            assert!(sources.contains(&format!("fn {f}(")), "docs/conformance.md names test {t}, which does not exist: {line}");
            named += 1;
        }
    }
    assert!(ids.len() > 20 && named > 20, "the rows were not read: {} ids, {named} tests", ids.len());
    let mut cited = 0;
    for line in readme.lines().filter(|l| l.starts_with("| ") && l.contains('§')) {
        let last = line.trim_end().trim_end_matches('|').rsplit('|').next().unwrap_or("");
        for w in last.split([',', ' ', '(', ')', ';']).filter(|w| w.len() > 3 && w.contains('-')) {
            if w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
                && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            {
                assert!(ids.contains(w), "README.md's behaviour table names {w}, which has no row in docs/conformance.md: {line}");
                cited += 1;
            }
        }
    }
    assert!(cited > 10, "README.md's behaviour table was not read ({cited} ids)");
}
