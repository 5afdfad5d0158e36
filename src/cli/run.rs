//! `lambdasim run` and `lambdasim validate`: one scenario, one seed, its outputs.

use std::path::Path;
use std::process::ExitCode;

use lambdasim::{run, RunOptions, TraceWriter};

use crate::args::{Format, RunArgs};
use crate::io::{emit, read_loaded, read_run_scenario, usage, write_file};

/// The time-series sampling interval: `--series-interval`, else chosen from the run.
pub(crate) fn series_config(model: &lambdasim::Model, interval: Option<f64>) -> Result<lambdasim::observe::series::SeriesConfig, ExitCode> {
    use lambdasim::observe::series::SeriesConfig;
    match interval {
        None => Ok(SeriesConfig::auto(model)),
        Some(s) if s.is_finite() && (0.000_001..=86_400.0).contains(&s) => {
            Ok(SeriesConfig::with_interval(lambdasim::SimTime::from_secs_f64(s)))
        }
        Some(s) => Err(usage(format!("--series-interval {s} is out of range; allowed 0.000001 to 86400 seconds"))),
    }
}

/// Writes the HTML report, the series CSV and closes the Chrome trace.
pub(crate) fn write_load_outputs(
    model: &lambdasim::Model,
    report: &lambdasim::RunReport,
    series: Option<&mut lambdasim::observe::series::Series>,
    chrome: Option<(lambdasim::observe::chrome_trace::ChromeTrace<std::io::BufWriter<std::fs::File>>, &Path)>,
    html: Option<(&Path, Option<&str>, &str)>,
    csv: Option<&Path>,
) -> Result<(), ExitCode> {
    let end = report.stats.end_time;
    if let Some((c, p)) = chrome {
        c.finish(end, report.seed).map_err(|e| usage(format!("--chrome-trace: cannot write {}: {e}", p.display())))?;
    }
    let Some(series) = series else { return Ok(()) };
    series.finish(end);
    if let Some(p) = csv {
        let mut buf = vec![];
        series.write_csv(model, &mut buf).map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?;
        std::fs::write(p, buf).map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?;
    }
    if let Some((p, description, replay)) = html {
        let page = lambdasim::report::html::render_with_replay(model, report, series, description, Some(replay))
            .map_err(|e| usage(format!("cannot draw the report: {e}")))?;
        write_file(p, &page)?;
    }
    Ok(())
}

/// `lambdasim run`.
pub(crate) fn run_cmd(a: RunArgs) -> ExitCode {
    let RunArgs {
        scenario,
        seed,
        trace,
        trace_payloads,
        sinks,
        format,
        report,
        series,
        series_interval,
        chrome_trace,
        handler_logs,
        handler_guard,
        max_processes,
        measured_durations,
        max_events,
    } = a;
    if let Some(scale) = measured_durations.filter(|s| !(s.is_finite() && *s > 0.0)) {
        eprintln!("error: --measured-durations: {scale} is not a positive scale (allowed: a number > 0, e.g. 1 or 0.5)");
        return ExitCode::from(2);
    }
    let outputs = [
        ("--trace", trace.as_deref()),
        ("--report", report.as_deref()),
        ("--series", series.as_deref()),
        ("--chrome-trace", chrome_trace.as_deref()),
    ];
    let model = match read_run_scenario(&scenario, &outputs, sinks.as_deref()) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let trace = match trace.as_deref().map(|p| TraceWriter::to_file(p).map(|w| w.with_payloads(trace_payloads))).transpose() {
        Ok(t) => t,
        Err(e) => return usage(format!("--trace: {e}")),
    };
    // Time series: collected for the report, the CSV and the JSON summary.
    let mut series_obs = match series_config(&model, series_interval) {
        Err(c) => return c,
        Ok(cfg) => (report.is_some() || series.is_some() || matches!(format, Format::Json))
            .then(|| lambdasim::observe::series::Series::new(&model, cfg)),
    };
    let chrome = chrome_trace.as_deref().map(|p| lambdasim::observe::chrome_trace::ChromeTrace::to_file(p, &model, seed));
    let mut chrome = match chrome.transpose() {
        Ok(c) => c,
        Err(e) => {
            return usage(format!("--chrome-trace: cannot write {}: {e}", chrome_trace.as_deref().unwrap_or(Path::new("")).display()))
        }
    };
    let mut observers: Vec<&mut dyn lambdasim::Observer> = vec![];
    if let Some(s) = series_obs.as_mut() {
        observers.push(s);
    }
    if let Some(c) = chrome.as_mut() {
        observers.push(c);
    }
    // The runtimes' logs: next to the scenario unless told otherwise (like CloudWatch Logs, one file per function).
    let handler_logs =
        handler_logs.unwrap_or_else(|| scenario.parent().unwrap_or(std::path::Path::new(".")).join(".lambdasim").join("logs"));
    let handler_duration = match measured_durations {
        Some(scale) => lambdasim::run::HandlerDuration::Measured { scale },
        None => lambdasim::run::HandlerDuration::Model,
    };
    if !(handler_guard.is_finite() && handler_guard > 0.0 && handler_guard <= 86_400.0) {
        return usage(format!("--handler-guard {handler_guard} is out of range; allowed more than 0 up to 86400 seconds"));
    }
    if max_processes == 0 || max_processes > 10_000 {
        return usage(format!("--max-processes {max_processes} is out of range; allowed 1 to 10000"));
    }
    let processes = lambdasim::handler::process::ProcessOptions {
        log_dir: Some(handler_logs),
        guard: std::time::Duration::from_secs_f64(handler_guard),
        max_processes,
    };
    let opts = RunOptions { trace, sinks_dir: sinks, observers, processes, handler_duration, max_events, ..Default::default() };
    let run_report = match run(&model, seed, opts) {
        Ok(r) => r,
        Err(e) => {
            match (lambdasim::run::handler_failure(&e), lambdasim::run::budget_exceeded(&e)) {
                (Some(f), _) => eprintln!("error: handler failed: {f}"),
                (None, Some(b)) => eprintln!("error: run budget exceeded: {}: {b}", scenario.display()),
                (None, None) => eprintln!("error: {}", lambdasim::vocab::clip_message(&e.to_string())),
            }
            return ExitCode::from(2);
        }
    };
    if run_report.measured_durations {
        eprintln!(
            "warning: durations were measured from the handlers' wall time (--measured-durations): this run is NOT reproducible; its digest changes from run to run"
        );
    }
    // The scenario's Description for the report header (the model keeps no free text).
    let description = report
        .as_ref()
        .and_then(|_| lambdasim::vocab::read_input(&scenario).ok())
        .and_then(|t| lambdasim::parse_scenario(&t).ok())
        .and_then(|s| s.description);
    let replay =
        report.as_deref().map(|p| lambdasim::report::html::replay_command(&scenario, seed, series_interval, p)).unwrap_or_default();
    let html = report.as_deref().map(|p| (p, description.as_deref(), replay.as_str()));
    let chrome = chrome.zip(chrome_trace.as_deref());
    if let Err(c) = write_load_outputs(&model, &run_report, series_obs.as_mut(), chrome, html, series.as_deref()) {
        return c;
    }
    let report = run_report;
    let out = match format {
        Format::Text => report.to_text(&model),
        Format::Json => {
            let mut j = report.to_json(&model);
            if let Some(s) = &series_obs {
                j["series"] = s.to_json(&model);
            }
            serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
        }
    };
    if let Err(c) = emit(&out) {
        return c;
    }
    let code = report.exit_code();
    if code != 0 {
        eprintln!("replay: lambdasim run {} --seed {seed}", scenario.display());
    }
    ExitCode::from(code as u8)
}

/// `lambdasim validate`: the scenario checked, what its template gave, nothing run.
pub(crate) fn validate_cmd(scenario: &Path) -> ExitCode {
    match read_loaded(scenario) {
        Ok(lambdasim::model::Loaded { model: m, import, .. }) => {
            // What the template gave, one line each.
            let mut lines = String::new();
            for l in import.iter().flat_map(|i| i.imported.iter()) {
                lines += &format!("imported: {l}\n");
            }
            for l in import.iter().flat_map(|i| i.skipped.iter()) {
                lines += &format!("skipped: {l}\n");
            }
            if let Err(c) = emit(&lines) {
                return c;
            }
            // Valid, but more work than a run allows by default: say so (the budget is a run option, --max-events).
            if let Err(b) = lambdasim::run::preflight(&m, lambdasim::run::DEFAULT_MAX_EVENTS) {
                eprintln!("note: `run` refuses this scenario with the default budget: {b}");
            }
            // Workload entries: invokers, queue and stream producers, topic and bus publishers, Firehose producers.
            let workload = m.sources.len() + m.esm.producers.len() + m.fanout.publishers.len() + m.firehose.producers.len();
            emit(&format!(
                "{}: valid ({} functions, {} workload entries, {} expectations)\n",
                scenario.display(),
                m.functions.len(),
                workload,
                m.expectations.len()
            ))
            .err()
            .unwrap_or(ExitCode::SUCCESS)
        }
        Err(c) => c,
    }
}
