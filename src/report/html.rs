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

use std::fmt::Write as _;

use hdrhistogram::Histogram;
use plotters::prelude::*;
use serde_json::Value;

use crate::model::Model;
use crate::observe::series::{FnSample, Series, THROTTLE_REASONS};
use crate::run::RunReport;
use crate::vocab::Fate;

/// Series kinds, in page order: the value of each chart's `data-series` attribute.
pub const SERIES_KINDS: [&str; 7] = ["latency", "concurrency", "cold-starts", "throttles", "errors", "async-backlog", "oldest-age"];

/// Points drawn per time-series chart at most (the series is merged down for drawing; the CSV keeps every sample).
const MAX_POINTS: usize = 600;
const WIDTH: u32 = 960;
const HEIGHT: u32 = 300;

const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const LIMIT_COLOR: RGBColor = RGBColor(200, 30, 30);

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

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
            format!("<td class=\"num\" data-json=\"{}\" data-value=\"{}\">{}</td>", esc(ptr), esc(&exact), esc(&shown))
        }
        _ => "<td class=\"num none\">–</td>".to_string(),
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

/// Seconds for axis labels.
fn fmt_secs(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() < 1e-3 {
        format!("{}µs", trim(format!("{:.1}", x * 1e6)))
    } else if x.abs() < 1.0 {
        format!("{}ms", trim(format!("{:.1}", x * 1e3)))
    } else {
        format!("{}s", trim(format!("{x:.2}")))
    }
}

struct Line {
    name: String,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    dashed: bool,
}

/// One time-series chart as an SVG string.
fn time_chart(lines: &[Line], x_max: f64, y_desc: &str, y_min_top: f64) -> Result<String, String> {
    let mut y_max = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0_f64, f64::max);
    y_max = (y_max * 1.1).max(y_min_top);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("virtual time")
            .y_desc(y_desc)
            .x_label_formatter(&|x| fmt_secs(*x))
            .y_label_formatter(&|y| trim(format!("{y:.2}")))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(|e| e.to_string())?;
        for l in lines {
            let c = l.color;
            let style = c.stroke_width(2);
            if l.dashed {
                chart
                    .draw_series(DashedLineSeries::new(l.points.iter().copied(), 8, 5, style))
                    .map_err(|e| e.to_string())?
                    .label(l.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
            } else {
                chart
                    .draw_series(LineSeries::new(l.points.iter().copied(), style))
                    .map_err(|e| e.to_string())?
                    .label(l.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
            }
        }
        if !lines.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

/// A latency distribution chart: the cumulative distribution of each histogram, on a logarithmic time axis.
fn cdf_chart(hists: &[(&str, &Histogram<u64>)]) -> Result<String, String> {
    let present: Vec<(usize, &str, &Histogram<u64>)> =
        hists.iter().enumerate().filter(|(_, (_, h))| !h.is_empty()).map(|(i, (n, h))| (i, *n, *h)).collect();
    let lo = present.iter().map(|(_, _, h)| h.min().max(1)).min().unwrap_or(1_000) as f64 / 1e6;
    let hi = present.iter().map(|(_, _, h)| h.max().max(1)).max().unwrap_or(1_000_000) as f64 / 1e6;
    let (lo, hi) = (lo * 0.8, if hi > lo { hi * 1.25 } else { lo * 10.0 });
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..100.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("latency (log scale)")
            .y_desc("percentile")
            .x_label_formatter(&|x| fmt_secs(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, name, h) in &present {
            let mut qs: Vec<f64> = (0..=200).map(|k| f64::from(k) / 200.0).collect();
            qs.extend([0.999, 0.9999]);
            qs.sort_by(f64::total_cmp);
            let pts: Vec<(f64, f64)> = qs.iter().map(|q| ((h.value_at_quantile(*q).max(1) as f64 / 1e6).max(lo), q * 100.0)).collect();
            let c = color(*i);
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(format!("{name} (n={})", h.len()))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        }
        if !present.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

fn figure(out: &mut String, kind: &str, scope: &str, caption: &str, svg: &str) {
    let _ = write!(
        out,
        "<figure class=\"chart\" data-series=\"{}\" data-scope=\"{}\"><figcaption>{}</figcaption>\n{}\n</figure>\n",
        esc(kind),
        esc(scope),
        caption,
        svg.trim()
    );
}

/// Points `(time, value)` of one series, at the middle of each sample.
fn pts(s: &Series, get: impl Fn(&FnSample, u64) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.account(i), (b - a).as_micros()))
        })
        .collect()
}

fn fn_pts(s: &Series, f: usize, get: impl Fn(&FnSample, u64) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.sample(i, f), (b - a).as_micros()))
        })
        .collect()
}

fn mean_of(x: &FnSample, width_us: u64) -> f64 {
    if width_us == 0 {
        0.0
    } else {
        x.concurrency_area as f64 / width_us as f64
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:16px 20px;color:#222;line-height:1.4}\
h1{font-size:1.6em;margin:0.2em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:4px}\
table{border-collapse:collapse;margin:8px 0;font-size:0.9em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}\
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}td.none{color:#aaa}\
table.meta td:first-child{color:#555}figure.chart{margin:12px 0 20px 0}figcaption{font-weight:600;margin-bottom:4px}\
svg{max-width:100%;height:auto;border:1px solid #eee}.pass{color:#1a7f37}.fail{color:#c62828;font-weight:600}.note{color:#555;font-size:0.9em}\
code{background:#f4f4f4;padding:0 3px}";

/// Renders the page. `series` must be finished ([`Series::finish`]).
pub fn render(model: &Model, report: &RunReport, series: &Series, description: Option<&str>) -> Result<String, String> {
    let json = report.to_json(model);
    let mut h = String::new();
    let title = format!("lambdasim report: {} (seed {})", report.scenario, report.seed);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );

    // --- header
    let _ = write!(h, "<header>\n<h1>{}</h1>\n", esc(&report.scenario));
    if let Some(d) = description {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(d));
    }
    let _ = write!(
        h,
        "<table class=\"meta\" id=\"run\">\n<tr><td>scenario</td><td>{}</td></tr>\n<tr><td>seed</td><td data-json=\"/seed\" data-value=\"{}\">{}</td></tr>\n\
         <tr><td>scenario digest</td><td>{:016x}</td></tr>\n<tr><td>trace digest</td><td>{}</td></tr>\n<tr><td>lambdasim</td><td>{}</td></tr>\n\
         <tr><td>virtual time</td><td>{} ({} trace events)</td></tr>\n<tr><td>series interval</td><td>{} ({} samples)</td></tr>\n</table>\n\
         <p class=\"note\">Replay: <code>lambdasim run SCENARIO --seed {} --report FILE.html</code>. Every figure below is a value of <code>--format json</code>.</p>\n</header>\n",
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
        report.seed
    );

    // --- run summary
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<table id=\"summary-run\">\n<tr><th>run</th><th>value</th></tr>\n");
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
        let _ = writeln!(h, "<tr><td>{}</td>{}</tr>", esc(label), cell(&json, p, unit));
    }
    h.push_str("</table>\n");

    // per function
    let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
    h.push_str("<table id=\"summary-functions\">\n<tr><th>function</th>");
    for n in &names {
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
        for n in &names {
            let mut parts = vec!["functions", *n];
            parts.extend(path.iter().copied());
            h.push_str(&cell(&json, &pointer(&parts), *unit));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    // latency percentiles: one row per function and measure that has values
    h.push_str(
        "<table id=\"summary-latency\">\n<tr><th>function</th><th>seconds</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>\n",
    );
    for n in &names {
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
                h.push_str(&cell(&json, &pointer(&["functions", n, key, k]), unit));
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</table>\n");

    // per source
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
                cell(&json, &base(&["accepted"]), Unit::Count),
                cell(&json, &base(&["latencySeconds", "p50"]), Unit::Seconds),
                cell(&json, &base(&["latencySeconds", "p99"]), Unit::Seconds),
                cell(&json, &base(&["latencySeconds", "max"]), Unit::Seconds),
                cell(&json, &base(&["syncLatencySeconds", "p99"]), Unit::Seconds),
                cell(&json, &base(&["queueWaitSeconds", "p99"]), Unit::Seconds),
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");

    // --- charts
    let s = series.coarsened_to(MAX_POINTS);
    let x_max = series.end().map(|e| e.as_secs_f64()).unwrap_or(0.0);
    let per = format!("per {}", s.interval());
    let active: Vec<usize> = (0..model.functions.len())
        .filter(|f| {
            let m = &report.metrics.functions[*f];
            m.accepted > 0 || m.rejected > 0
        })
        .collect();

    h.push_str("<section id=\"latency\">\n<h2>Latency distributions</h2>\n");
    h.push_str("<p class=\"note\">Cumulative distributions (hdrhistogram, 3 significant digits). Accept → fate is the end-to-end latency; sync callers see the response time of requests that ran (throttled requests are counted as throttles); the async queue wait runs from accept to the first execution.</p>\n");
    for f in &active {
        let m = &report.metrics.functions[*f];
        let svg = cdf_chart(&[
            ("accept → fate", &m.latency),
            ("sync callers", &m.sync_latency),
            ("async queue wait", &m.queue_wait),
            ("execution", &m.attempt_duration),
            ("init (cold start)", &m.init_duration),
        ])?;
        figure(&mut h, "latency", names[*f], &format!("Latency distribution: {}", esc(names[*f])), &svg);
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"concurrency\">\n<h2>Concurrency against limits</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Highest number of executions running at once in each interval ({}), and the time-average; dashed: the limit that applies.</p>",
        esc(&per)
    );
    for f in &active {
        let fd = &model.functions[*f];
        let peak = report.metrics.functions[*f].peak_concurrency;
        let mut lines = vec![
            Line { name: "max".into(), points: fn_pts(&s, *f, |x, _| f64::from(x.concurrency_max)), color: color(0), dashed: false },
            Line { name: "mean".into(), points: fn_pts(&s, *f, mean_of), color: color(2), dashed: false },
        ];
        let (limit, what) = match fd.reserved {
            Some(r) => (r, "reserved concurrency"),
            None => (model.unreserved_pool, "unreserved account concurrency"),
        };
        let mut note = String::new();
        if f64::from(limit) <= 5.0 * f64::from(peak.max(1)) {
            lines.push(Line {
                name: format!("{what} {limit}"),
                points: vec![(0.0, f64::from(limit)), (x_max, f64::from(limit))],
                color: LIMIT_COLOR,
                dashed: true,
            });
        } else {
            note = format!(" — {what} {limit} is off the chart (peak {peak})");
        }
        let pc = fd.setup.pc_total();
        if pc > 0 {
            // Provisioned concurrency at the start: executions above it run on demand (spillovers).
            lines.push(Line {
                name: format!("provisioned concurrency {pc}"),
                points: vec![(0.0, f64::from(pc)), (x_max, f64::from(pc))],
                color: color(3),
                dashed: true,
            });
        }
        let svg = time_chart(&lines, x_max, "executions", 1.0)?;
        figure(&mut h, "concurrency", &fd.name, &format!("Concurrency: {}{}", esc(&fd.name), esc(&note)), &svg);
    }
    {
        let peak = report.metrics.account_peak;
        let mut lines = vec![
            Line { name: "max".into(), points: pts(&s, |x, _| f64::from(x.concurrency_max)), color: color(0), dashed: false },
            Line { name: "mean".into(), points: pts(&s, mean_of), color: color(2), dashed: false },
        ];
        let mut note = String::new();
        for (name, limit, c) in [("account limit", model.account_limit, LIMIT_COLOR), ("unreserved pool", model.unreserved_pool, color(1))]
        {
            if name == "unreserved pool" && limit == model.account_limit {
                continue;
            }
            if f64::from(limit) <= 5.0 * f64::from(peak.max(1)) {
                lines.push(Line {
                    name: format!("{name} {limit}"),
                    points: vec![(0.0, f64::from(limit)), (x_max, f64::from(limit))],
                    color: c,
                    dashed: true,
                });
            } else {
                let _ = write!(note, " — {name} {limit} is off the chart (peak {peak})");
            }
        }
        let svg = time_chart(&lines, x_max, "executions", 1.0)?;
        figure(&mut h, "concurrency", "account", &format!("Concurrency: whole account{}", esc(&note)), &svg);
    }
    h.push_str("</section>\n");

    // Functions with async traffic (the backlog charts leave out functions only ever called synchronously).
    let async_fns: Vec<usize> = active
        .iter()
        .copied()
        .filter(|f| {
            model.sources.iter().any(|src| src.function.ix() == *f && !src.sync)
                || model.function_targets.get(*f).is_some_and(|t| report.metrics.targets.get(t.ix()).is_some_and(|m| m.delivered() > 0))
                || (0..s.len()).any(|i| s.sample(i, *f).backlog_max > 0)
        })
        .collect();
    let per_fn_chart =
        |h: &mut String, kind: &str, title: &str, y: &str, fns: &[usize], get: &dyn Fn(&FnSample) -> f64| -> Result<(), String> {
            let mut lines: Vec<Line> = fns
                .iter()
                .map(|f| Line { name: names[*f].to_string(), points: fn_pts(&s, *f, |x, _| get(x)), color: color(*f), dashed: false })
                .collect();
            if lines.is_empty() {
                lines.push(Line { name: "none".into(), points: pts(&s, |x, _| get(x)), color: color(7), dashed: false });
            }
            let svg = time_chart(&lines, x_max, y, 1.0)?;
            figure(h, kind, "functions", &esc(title), &svg);
            Ok(())
        };

    let _ = writeln!(h, "<section id=\"cold-starts\">\n<h2>Cold starts</h2>");
    per_fn_chart(&mut h, "cold-starts", &format!("Cold starts {per}"), "cold starts", &active, &|x| x.cold_starts as f64)?;
    h.push_str("</section>\n");

    h.push_str("<section id=\"throttles\">\n<h2>Throttles by reason</h2>\n");
    {
        let mut lines = vec![];
        for f in &active {
            for (r, (_, rname)) in THROTTLE_REASONS.iter().enumerate() {
                let p = fn_pts(&s, *f, |x, _| x.throttles[r] as f64);
                if p.iter().any(|q| q.1 > 0.0) {
                    let k = lines.len();
                    lines.push(Line { name: format!("{} {rname}", names[*f]), points: p, color: color(k), dashed: false });
                }
            }
        }
        if lines.is_empty() {
            lines.push(Line {
                name: "no throttles".into(),
                points: pts(&s, |x, _| x.throttles_total() as f64),
                color: color(7),
                dashed: false,
            });
        }
        let svg = time_chart(&lines, x_max, "throttles", 1.0)?;
        figure(&mut h, "throttles", "functions", &esc(&format!("Throttles {per}, by function and reason")), &svg);
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"errors\">\n<h2>Function errors</h2>\n");
    per_fn_chart(&mut h, "errors", &format!("Executions ending in an error, timeout or crash, {per}"), "errors", &active, &|x| {
        x.errors as f64
    })?;
    h.push_str("</section>\n");

    h.push_str("<section id=\"async-backlog\">\n<h2>Async backlog</h2>\n<p class=\"note\">Async events accepted and not yet at their fate, not running: waiting for a retry, a throttle back-off or a free environment. Synchronous requests never queue.</p>\n");
    per_fn_chart(&mut h, "async-backlog", &format!("Async backlog (highest {per})"), "events", &async_fns, &|x| f64::from(x.backlog_max))?;
    h.push_str("</section>\n");
    h.push_str("<section id=\"oldest-age\">\n<h2>Age of the oldest queued event</h2>\n");
    per_fn_chart(
        &mut h,
        "oldest-age",
        "Age of the oldest backlog event at the end of each interval (seconds)",
        "seconds",
        &async_fns,
        &|x| x.oldest_age.as_secs_f64(),
    )?;
    h.push_str("</section>\n");

    // --- queues and streams (spec section 5)
    let queues: Vec<usize> = (0..model.esm.queues.len()).filter(|q| report.metrics.esm.queues[*q].sent > 0).collect();
    if !queues.is_empty() || !model.esm.mappings.is_empty() {
        h.push_str("<section id=\"queues\">\n<h2>Queues and streams</h2>\n<p class=\"note\">SQS messages visible (or delayed) and in flight (received, not yet deleted or returned after their visibility timeout); a queue that no mapping reads counts what it stores as visible. Stream iterator age: the age of a batch's last record when the mapping invokes the function (spec section 5).</p>\n");
        let qpts = |q: usize, get: &dyn Fn(&crate::observe::series::QueueSample) -> f64| -> Vec<(f64, f64)> {
            (0..s.len())
                .map(|i| {
                    let (a, b) = s.span(i);
                    ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.queue(i, q)))
                })
                .collect()
        };
        if !queues.is_empty() {
            let mut lines = vec![];
            for (k, q) in queues.iter().enumerate() {
                let name = &model.esm.queues[*q].name;
                lines.push(Line {
                    name: format!("{name} visible"),
                    points: qpts(*q, &|x| x.visible_max as f64),
                    color: color(k),
                    dashed: false,
                });
                lines.push(Line {
                    name: format!("{name} in flight"),
                    points: qpts(*q, &|x| x.in_flight_max as f64),
                    color: color(k),
                    dashed: true,
                });
            }
            let svg = time_chart(&lines, x_max, "messages", 1.0)?;
            figure(&mut h, "queue-messages", "queues", &esc(&format!("Messages visible and in flight (highest {per})")), &svg);
            let lines: Vec<Line> = queues
                .iter()
                .enumerate()
                .map(|(k, q)| Line {
                    name: model.esm.queues[*q].name.clone(),
                    points: qpts(*q, &|x| x.oldest_age.as_secs_f64()),
                    color: color(k),
                    dashed: false,
                })
                .collect();
            let svg = time_chart(&lines, x_max, "seconds", 1.0)?;
            figure(&mut h, "queue-oldest-age", "queues", "Age of the oldest message at the end of each interval (seconds)", &svg);
        }
        let streams: Vec<usize> =
            (0..model.esm.mappings.len()).filter(|m| matches!(model.esm.mappings[*m].source, crate::model::EsmSource::Stream(_))).collect();
        if !streams.is_empty() {
            let lines: Vec<Line> = streams
                .iter()
                .enumerate()
                .map(|(k, m)| Line {
                    name: model.esm.mappings[*m].label.clone(),
                    points: (0..s.len())
                        .map(|i| {
                            let (a, b) = s.span(i);
                            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, s.mapping(i, *m).iterator_age_max.as_secs_f64())
                        })
                        .collect(),
                    color: color(k),
                    dashed: false,
                })
                .collect();
            let svg = time_chart(&lines, x_max, "seconds", 1.0)?;
            figure(&mut h, "iterator-age", "mappings", &esc(&format!("Stream iterator age (highest {per}, seconds)")), &svg);
        }
        h.push_str("</section>\n");
    }

    // --- cost
    h.push_str("<section id=\"cost\">\n<h2>Cost</h2>\n");
    h.push_str("<table id=\"cost-table\">\n<tr><th>function</th><th>architecture</th><th>memory (MB)</th><th>requests</th><th>requests (USD)</th><th>GB-seconds</th><th>duration (USD)</th><th>provisioned GB-seconds</th><th>provisioned concurrency (USD)</th><th>provisioned duration GB-seconds</th><th>provisioned duration (USD)</th><th>provisioned (USD)</th><th>total (USD)</th><th>per month (USD)</th></tr>\n");
    for fd in &model.functions {
        let p = |k: &str| pointer(&["functions", &fd.name, "cost", k]);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td>{}{}{}{}{}{}{}{}{}{}{}{}</tr>",
            esc(&fd.name),
            json.pointer(&pointer(&["functions", &fd.name, "architecture"])).and_then(Value::as_str).unwrap_or("?"),
            cell(&json, &pointer(&["functions", &fd.name, "memoryMb"]), Unit::Count),
            cell(&json, &p("requests"), Unit::Count),
            cell(&json, &p("requestsUsd"), Unit::Usd),
            cell(&json, &p("gbSeconds"), Unit::Seconds),
            cell(&json, &p("durationUsd"), Unit::Usd),
            cell(&json, &p("provisionedGbSeconds"), Unit::Seconds),
            cell(&json, &p("provisionedConcurrencyUsd"), Unit::Usd),
            cell(&json, &p("provisionedDurationGbSeconds"), Unit::Seconds),
            cell(&json, &p("provisionedDurationUsd"), Unit::Usd),
            cell(&json, &p("provisionedUsd"), Unit::Usd),
            cell(&json, &p("totalUsd"), Unit::Usd),
            cell(&json, &p("perMonthUsd"), Unit::Usd),
        );
    }
    let _ = writeln!(
        h,
        "<tr><th>total</th><td></td><td></td><td></td>{}<td></td>{}<td></td>{}<td></td>{}{}{}{}</tr>\n</table>",
        cell(&json, "/cost/requestsUsd", Unit::Usd),
        cell(&json, "/cost/durationUsd", Unit::Usd),
        cell(&json, "/cost/provisionedConcurrencyUsd", Unit::Usd),
        cell(&json, "/cost/provisionedDurationUsd", Unit::Usd),
        cell(&json, "/cost/provisionedUsd", Unit::Usd),
        cell(&json, "/cost/totalUsd", Unit::Usd),
        cell(&json, "/cost/perMonthUsd", Unit::Usd),
    );
    h.push_str("<p class=\"note\">Spec section 8: every start of an invoke is a request; duration is billed per execution, invoke plus init phase, rounded up to 1 ms, times memory in GB; no free tier, no volume tiers. Provisioned concurrency is billed per configured GB-second from enable to disable or the end of the run, each period rounded up to 5 minutes, and executions on provisioned environments (and their inits during the run) at the provisioned duration rate. The month is 30 days (2,592,000 s) at the rate of the simulated period.</p>\n");
    h.push_str("<table id=\"pricing\">\n<tr><th>price</th><th>USD</th></tr>\n");
    if let Some(Value::Object(p)) = json.pointer("/cost/pricing") {
        for k in p.keys() {
            let _ = writeln!(h, "<tr><td>{}</td>{}</tr>", esc(k), cell(&json, &pointer(&["cost", "pricing", k]), Unit::Price));
        }
    }
    h.push_str("</table>\n</section>\n");

    // --- expectations
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
    h.push_str("<footer><p class=\"note\">Not simulated yet, so not charted: SQS queue depth and age of the oldest message, stream iterator age.</p></footer>\n</body>\n</html>\n");
    Ok(h)
}
