//! `--report FILE.html`: one self-contained page for a capacity planner — no scripts, no external CSS or fonts, charts
//! as inline SVG drawn with `plotters`. The page is well-formed XML (every element closed, attributes quoted), so it can
//! be checked by an XML parser, and deterministic (nothing about when or where it was generated).
//!
//! Sections: the header (scenario, seed, scenario digest, trace digest, lambdasim version); a summary whose every
//! figure is a value of `--format json` (each cell carries `data-json`, the JSON pointer of its value, and
//! `data-value`, the value exactly as the JSON has it); charts, each a `<figure data-series="...">` with one `<svg>`:
//! latency distributions per function (`latency`), concurrency per function and for the account against their limits
//! (`concurrency`), cold starts (`cold-starts`), throttles by reason (`throttles`), function errors (`errors`), the async
//! backlog (`async-backlog`) and the age of its oldest event (`oldest-age`); the cost table; the expectations.

//!
//! This file holds the page's skeleton and its tables; the chart sections are in `html/chart_sections.rs` and the
//! drawing (plotters, SVG) in `html/charts.rs`.

mod chart_sections;
mod charts;

use std::fmt::Write as _;

use serde_json::Value;

use crate::model::Model;
use crate::observe::series::Series;
use crate::run::RunReport;
use crate::vocab::Fate;

/// Series kinds, in page order: the value of each chart's `data-series` attribute.
pub const SERIES_KINDS: [&str; 7] = ["latency", "concurrency", "cold-starts", "throttles", "errors", "async-backlog", "oldest-age"];

/// Escapes text for HTML/XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A JSON pointer from its reference tokens (RFC 6901 escaping).
fn pointer(parts: &[&str]) -> String {
    parts.iter().map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1"))).collect()
}

/// How a figure is shown.
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Seconds,
    Usd,
    /// A unit price: shown in full decimals.
    Price,
}

/// A table cell holding the JSON value at `ptr` (empty when the JSON has no number there).
fn cell(json: &Value, ptr: &str, unit: Unit) -> String {
    match json.pointer(ptr) {
        Some(Value::Number(n)) => {
            let exact = n.to_string();
            let shown = match (unit, n.as_f64()) {
                (Unit::Count, _) | (_, None) => exact.clone(),
                (Unit::Seconds, Some(x)) => trim(format!("{x:.6}")),
                (Unit::Usd, Some(x)) => usd(x),
                (Unit::Price, Some(x)) => trim(format!("{x:.12}")),
            };
            format!("<td class=\"num\" data-json=\"{}\" data-value=\"{}\">{}</td>", esc(ptr), esc(&exact), esc(&no_negative_zero(shown)))
        }
        _ => "<td class=\"num none\">–</td>".to_string(),
    }
}

/// `-0` (or `$-0`, `-0.000`) as `0`: a value that rounds to zero has no sign.
fn no_negative_zero(s: String) -> String {
    let digits = s.trim_start_matches('$').trim_start_matches('-');
    if s.contains('-') && !digits.is_empty() && digits.chars().all(|c| c == '0' || c == '.') {
        s.replacen('-', "", 1)
    } else {
        s
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Dollars with 6 significant digits (cents for large amounts).
fn usd(x: f64) -> String {
    if x == 0.0 {
        "$0".into()
    } else if x.abs() >= 1000.0 {
        format!("${x:.2}")
    } else {
        let digits = (5 - x.abs().log10().floor() as i32).clamp(2, 15) as usize;
        format!("${}", trim(format!("{x:.digits$}")))
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:16px 20px;color:#222;line-height:1.4}\
h1{font-size:1.6em;margin:0.2em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:4px}\
table{border-collapse:collapse;margin:8px 0;font-size:0.9em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}\
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}td.none{color:#aaa}\
table.meta td:first-child{color:#555}figure.chart{margin:12px 0 20px 0}figcaption{font-weight:600;margin-bottom:4px}\
svg{max-width:100%;height:auto;border:1px solid #eee}.pass{color:#1a7f37}.fail{color:#c62828;font-weight:600}.note{color:#555;font-size:0.9em}\
code{background:#f4f4f4;padding:0 3px;overflow-wrap:anywhere}div.wide{overflow-x:auto}\
";

/// Renders the page. `series` must be finished ([`Series::finish`]). The page tells to replay the run with the same
/// scenario file and seed; [`render_with_replay`] gives the exact command.
pub fn render(model: &Model, report: &RunReport, series: &Series, description: Option<&str>) -> Result<String, String> {
    render_with_replay(model, report, series, description, None)
}

/// Renders the page with `replay`, the command line that replays the run (see [`replay_command`]), in its header.
pub fn render_with_replay(
    model: &Model,
    report: &RunReport,
    series: &Series,
    description: Option<&str>,
    replay: Option<&str>,
) -> Result<String, String> {
    let json = report.to_json(model);
    let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
    let mut h = String::new();
    head(&mut h, report);
    header(&mut h, report, series, description, replay);
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    summary_run(&mut h, &json);
    summary_functions(&mut h, model, report, &json, &names);
    summary_latency(&mut h, &json, &names);
    summary_sources(&mut h, model, &json);
    h.push_str("</section>\n");
    chart_sections::Charts::new(model, report, series).write(&mut h)?;
    cost(&mut h, model, &json);
    expectations(&mut h, report);
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// The document head: title and the inline style sheet.
fn head(h: &mut String, report: &RunReport) {
    let title = format!("lambdasim report: {} (seed {})", report.scenario, report.seed);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
}

/// `lambdasim run <scenario> --seed <seed> [--series-interval <s>] --report <file name>`: the command that writes this
/// page again, with the scenario's path as given and the report's file name (not its directory, so that the page does
/// not depend on where it was written). Paths with characters a shell would read are single-quoted.
pub fn replay_command(scenario: &std::path::Path, seed: u64, series_interval: Option<f64>, report: &std::path::Path) -> String {
    fn quote(s: &str) -> String {
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c)) {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    }
    let mut cmd = format!("lambdasim run {} --seed {seed}", quote(&scenario.to_string_lossy()));
    if let Some(i) = series_interval {
        cmd.push_str(&format!(" --series-interval {i}"));
    }
    let file = report.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "report.html".into());
    cmd.push_str(&format!(" --report {}", quote(&file)));
    cmd
}

/// The header: scenario, seed, digests, version, virtual time, the series interval and how to replay the run.
fn header(h: &mut String, report: &RunReport, series: &Series, description: Option<&str>, replay: Option<&str>) {
    let _ = write!(h, "<header>\n<h1>{}</h1>\n", esc(&report.scenario));
    if let Some(d) = description {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(d));
    }
    let _ = write!(
        h,
        "<table class=\"meta\" id=\"run\">\n<tr><td>scenario</td><td>{}</td></tr>\n<tr><td>seed</td><td data-json=\"/seed\" data-value=\"{}\">{}</td></tr>\n\
         <tr><td>scenario digest</td><td>{:016x}</td></tr>\n<tr><td>trace digest</td><td>{}</td></tr>\n<tr><td>lambdasim</td><td>{}</td></tr>\n\
         <tr><td>virtual time</td><td>{} ({} trace events)</td></tr>\n<tr><td>series interval</td><td>{} ({} samples)</td></tr>\n</table>\n\
         <p class=\"note\" id=\"replay\">{}. Every figure below is a value of <code>--format json</code>.</p>\n</header>\n",
        esc(&report.scenario),
        report.seed,
        report.seed,
        report.scenario_digest,
        esc(&report.digest),
        env!("CARGO_PKG_VERSION"),
        report.stats.end_time,
        report.trace_events,
        series.interval(),
        series.len(),
        match replay {
            Some(cmd) => format!("Replay: <code>{}</code>", esc(cmd)),
            None => format!("Replay: <code>lambdasim run</code> with the same scenario file and <code>--seed {}</code>", report.seed),
        }
    );
}

/// The run-wide summary table.
fn summary_run(h: &mut String, json: &Value) {
    h.push_str("<table id=\"summary-run\">\n<tr><th>run</th><th>value</th></tr>\n");
    let run_rows: [(&str, &str, Unit); 13] = [
        ("virtual time (s)", "/virtualTimeSeconds", Unit::Seconds),
        ("events accepted", "/events/accepted", Unit::Count),
        ("requests rejected (413)", "/events/rejected", Unit::Count),
        ("peak account concurrency", "/peakAccountConcurrency", Unit::Count),
        ("account concurrency limit", "/accountConcurrencyLimit", Unit::Count),
        ("unreserved concurrency", "/unreservedConcurrency", Unit::Count),
        ("latency p50, all functions (s)", "/latencySeconds/p50", Unit::Seconds),
        ("latency p99, all functions (s)", "/latencySeconds/p99", Unit::Seconds),
        ("provisioned concurrency spillovers", "/provisionedConcurrencySpilloverInvocations", Unit::Count),
        ("destination delivery failures", "/destinationDeliveryFailures", Unit::Count),
        ("dead-letter errors", "/deadLetterErrors", Unit::Count),
        ("cost (USD)", "/cost/totalUsd", Unit::Usd),
        ("cost per 30-day month at this rate (USD)", "/cost/perMonthUsd", Unit::Usd),
    ];
    for (label, p, unit) in run_rows {
        let _ = writeln!(h, "<tr><td>{}</td>{}</tr>", esc(label), cell(json, p, unit));
    }
    h.push_str("</table>\n");
}

/// The per-function summary table: one column per function, one row per figure (rows that would be all zero for
/// provisioned concurrency, delivery failures and fates are left out).
fn summary_functions(h: &mut String, model: &Model, report: &RunReport, json: &Value, names: &[&str]) {
    h.push_str("<table id=\"summary-functions\">\n<tr><th>function</th>");
    for n in names {
        let _ = write!(h, "<th>{}</th>", esc(n));
    }
    h.push_str("</tr>\n");
    let mut rows: Vec<(String, Vec<&str>, Unit)> = vec![
        ("accepted".into(), vec!["accepted"], Unit::Count),
        ("executions".into(), vec!["executions"], Unit::Count),
        ("cold starts".into(), vec!["coldStarts"], Unit::Count),
        ("environments".into(), vec!["environments"], Unit::Count),
        ("peak concurrency".into(), vec!["peakConcurrency"], Unit::Count),
        ("reserved concurrency".into(), vec!["reservedConcurrency"], Unit::Count),
        ("throttles".into(), vec!["throttles"], Unit::Count),
    ];
    if model.functions.iter().any(|f| f.uses_pc) {
        rows.push(("provisioned concurrency (at start)".into(), vec!["provisionedConcurrency"], Unit::Count));
        rows.push(("executions on provisioned environments".into(), vec!["provisionedConcurrencyInvocations"], Unit::Count));
        rows.push(("provisioned concurrency spillovers".into(), vec!["provisionedConcurrencySpilloverInvocations"], Unit::Count));
    }
    if report.metrics.functions.iter().any(|m| m.destination_delivery_failures + m.dead_letter_errors > 0) {
        rows.push(("destination delivery failures".into(), vec!["destinationDeliveryFailures"], Unit::Count));
        rows.push(("dead-letter errors".into(), vec!["deadLetterErrors"], Unit::Count));
    }
    for fate in Fate::ALL {
        let any = report.metrics.functions.iter().any(|m| m.fate(fate) > 0);
        if any {
            rows.push((format!("fate {}", fate.name()), vec!["fates", fate.name()], Unit::Count));
        }
    }
    rows.push(("GB-seconds".into(), vec!["cost", "gbSeconds"], Unit::Seconds));
    rows.push(("cost (USD)".into(), vec!["costUsd"], Unit::Usd));
    rows.push(("cost per month (USD)".into(), vec!["cost", "perMonthUsd"], Unit::Usd));
    for (label, path, unit) in &rows {
        let _ = write!(h, "<tr><td>{}</td>", esc(label));
        for n in names {
            let mut parts = vec!["functions", *n];
            parts.extend(path.iter().copied());
            h.push_str(&cell(json, &pointer(&parts), *unit));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Latency percentiles: one row per function and measure that has values.
fn summary_latency(h: &mut String, json: &Value, names: &[&str]) {
    h.push_str(
        "<table id=\"summary-latency\">\n<tr><th>function</th><th>seconds</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>\n",
    );
    for n in names {
        for (label, key) in [
            ("accept → fate", "latencySeconds"),
            ("seen by sync callers", "syncLatencySeconds"),
            ("async queue wait", "queueWaitSeconds"),
            ("execution duration", "executionSeconds"),
            ("init duration", "initSeconds"),
        ] {
            let count = json.pointer(&pointer(&["functions", n, key, "count"])).and_then(Value::as_u64).unwrap_or(0);
            if count == 0 {
                continue;
            }
            let _ = write!(h, "<tr><td>{}</td><td>{}</td>", esc(n), esc(label));
            for (k, unit) in [
                ("count", Unit::Count),
                ("p50", Unit::Seconds),
                ("p90", Unit::Seconds),
                ("p99", Unit::Seconds),
                ("p999", Unit::Seconds),
                ("max", Unit::Seconds),
                ("mean", Unit::Seconds),
            ] {
                h.push_str(&cell(json, &pointer(&["functions", n, key, k]), unit));
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</table>\n");
}

/// The per-source summary table (left out when the scenario has no sources).
fn summary_sources(h: &mut String, model: &Model, json: &Value) {
    if !model.sources.is_empty() {
        h.push_str(
            "<table id=\"summary-sources\">\n<tr><th>source</th><th>function</th><th>type</th><th>accepted</th><th>latency p50 (s)</th>\
             <th>latency p99 (s)</th><th>latency max (s)</th><th>sync callers p99 (s)</th><th>queue wait p99 (s)</th></tr>\n",
        );
        for s in &model.sources {
            let base = |k: &[&str]| {
                let mut p = vec!["sources", s.name.as_str()];
                p.extend_from_slice(k);
                pointer(&p)
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td>{}{}{}{}{}{}</tr>",
                esc(&s.name),
                esc(&model.functions[s.function.ix()].name),
                if s.sync { "RequestResponse" } else { "Event" },
                cell(json, &base(&["accepted"]), Unit::Count),
                cell(json, &base(&["latencySeconds", "p50"]), Unit::Seconds),
                cell(json, &base(&["latencySeconds", "p99"]), Unit::Seconds),
                cell(json, &base(&["latencySeconds", "max"]), Unit::Seconds),
                cell(json, &base(&["syncLatencySeconds", "p99"]), Unit::Seconds),
                cell(json, &base(&["queueWaitSeconds", "p99"]), Unit::Seconds),
            );
        }
        h.push_str("</table>\n");
    }
}

/// The cost section (spec section 8): the per-function cost table with its totals, and the unit prices. The
/// provisioned-concurrency columns are shown only when a function has provisioned concurrency or its cost.
fn cost(h: &mut String, model: &Model, json: &Value) {
    h.push_str("<section id=\"cost\">\n<h2>Cost</h2>\n");
    let positive = |ptr: &str| json.pointer(ptr).and_then(Value::as_f64).is_some_and(|x| x > 0.0);
    let provisioned = model.functions.iter().any(|f| f.uses_pc) || positive("/cost/provisionedUsd");
    // (header, key under functions.<name>.cost, unit, total pointer)
    let mut cols: Vec<(&str, &str, Unit, Option<&str>)> = vec![
        ("requests", "requests", Unit::Count, None),
        ("requests (USD)", "requestsUsd", Unit::Usd, Some("/cost/requestsUsd")),
        ("GB-seconds", "gbSeconds", Unit::Seconds, None),
        ("duration (USD)", "durationUsd", Unit::Usd, Some("/cost/durationUsd")),
    ];
    if provisioned {
        cols.extend([
            ("provisioned GB-seconds", "provisionedGbSeconds", Unit::Seconds, None),
            ("provisioned concurrency (USD)", "provisionedConcurrencyUsd", Unit::Usd, Some("/cost/provisionedConcurrencyUsd")),
            ("provisioned duration GB-seconds", "provisionedDurationGbSeconds", Unit::Seconds, None),
            ("provisioned duration (USD)", "provisionedDurationUsd", Unit::Usd, Some("/cost/provisionedDurationUsd")),
            ("provisioned (USD)", "provisionedUsd", Unit::Usd, Some("/cost/provisionedUsd")),
        ]);
    }
    cols.extend([
        ("total (USD)", "totalUsd", Unit::Usd, Some("/cost/totalUsd")),
        ("per month (USD)", "perMonthUsd", Unit::Usd, Some("/cost/perMonthUsd")),
    ]);
    // One column per function and one for the totals, one row per figure: it fits the page with the provisioned rows.
    h.push_str("<div class=\"wide\"><table id=\"cost-table\">\n<tr><th>function</th>");
    for fd in &model.functions {
        let _ = write!(h, "<th>{}</th>", esc(&fd.name));
    }
    h.push_str("<th>total</th></tr>\n<tr><td>architecture</td>");
    for fd in &model.functions {
        let arch = json.pointer(&pointer(&["functions", &fd.name, "architecture"])).and_then(Value::as_str).unwrap_or("?");
        let _ = write!(h, "<td>{}</td>", esc(arch));
    }
    h.push_str("<td></td></tr>\n<tr><td>memory (MB)</td>");
    for fd in &model.functions {
        h.push_str(&cell(json, &pointer(&["functions", &fd.name, "memoryMb"]), Unit::Count));
    }
    h.push_str("<td></td></tr>\n");
    for (head, key, unit, total) in &cols {
        let _ = write!(h, "<tr><td>{}</td>", esc(head));
        for fd in &model.functions {
            h.push_str(&cell(json, &pointer(&["functions", &fd.name, "cost", key]), *unit));
        }
        match total {
            Some(ptr) => h.push_str(&cell(json, ptr, *unit)),
            None => h.push_str("<td></td>"),
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
    h.push_str("<p class=\"note\">Spec section 8: every start of an invoke is a request; duration is billed per execution, invoke plus init phase, rounded up to 1 ms, times memory in GB; no free tier, no volume tiers. Provisioned concurrency is billed per configured GB-second from enable to disable or the end of the run, each period rounded up to 5 minutes, and executions on provisioned environments (and their inits during the run) at the provisioned duration rate. The month is 30 days (2,592,000 s) at the rate of the simulated period.</p>\n");
    // The prices this run used: the request price, the duration price of each architecture that runs, the provisioned
    // prices of each architecture that has a function with provisioned concurrency.
    use crate::model::Architecture;
    let runs = |a: Architecture, pc: bool| model.functions.iter().any(|fd| fd.architecture == a && (!pc || fd.uses_pc));
    let applies = |k: &str| {
        let pc = k.starts_with("Provisioned");
        if k.contains("Arm64") {
            runs(Architecture::Arm64, pc)
        } else if k.contains("X86") {
            runs(Architecture::X86_64, pc)
        } else {
            true
        }
    };
    h.push_str("<table id=\"pricing\">\n<tr><th>price</th><th>USD</th></tr>\n");
    if let Some(Value::Object(p)) = json.pointer("/cost/pricing") {
        for k in p.keys().filter(|k| applies(k)) {
            let _ = writeln!(h, "<tr><td>{}</td>{}</tr>", esc(k), cell(json, &pointer(&["cost", "pricing", k]), Unit::Price));
        }
    }
    h.push_str("</table>\n</section>\n");
}

/// The expectations and the invariant breaches (each left out when empty).
fn expectations(h: &mut String, report: &RunReport) {
    if !report.verdicts.is_empty() {
        h.push_str("<section id=\"expectations\">\n<h2>Expectations</h2>\n<ul>\n");
        for v in &report.verdicts {
            let (class, tag) = match (v.fatal, v.passed) {
                (true, true) => ("pass", "pass"),
                (true, false) => ("fail", "FAIL"),
                (false, true) => ("pass", "held"),
                (false, false) => ("note", "not held (judged over seeds by check)"),
            };
            let _ = writeln!(h, "<li><span class=\"{class}\">[{tag}]</span> {}: {}</li>", esc(&v.name), esc(&v.message));
        }
        h.push_str("</ul>\n</section>\n");
    }
    if !report.breaches.is_empty() {
        h.push_str("<section id=\"breaches\">\n<h2 class=\"fail\">Invariant breaches (a bug in lambdasim)</h2>\n<ul>\n");
        for b in &report.breaches {
            let _ = writeln!(h, "<li>at {}: {}</li>", b.at, esc(&b.message));
        }
        h.push_str("</ul>\n</section>\n");
    }
}
