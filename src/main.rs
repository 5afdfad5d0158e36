//! The `lambdasim` command line: a thin shell over the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use lambdasim::campaign::{shrink, sweep};
use lambdasim::{run, RunOptions, TraceWriter};

/// `eprintln!` that never panics: when standard error itself cannot be written (a full device, a file-size limit),
/// the message is lost but the exit code still says what happened.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(name = "lambdasim", version, about = "Deterministic simulator of AWS Lambda invocation semantics")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table for people.
    Text,
    /// One JSON document for programs.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario under one seed; exit 0 when every expectation holds, 1 when one fails, 2 on bad input, 3 when
    /// a built-in invariant breaks (a bug in lambdasim).
    Run {
        /// Scenario file (JSON).
        scenario: PathBuf,
        /// Master seed of every random stream.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write every trace event as a JSON line to FILE as the run goes.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// With --trace: also write what each step carried: the event each function received (`"input"` on
        /// `Accepted`), each record a target received (`"record"`), synchronous responses (`"response"`).
        #[arg(long, requires = "trace")]
        trace_payloads: bool,
        /// Write DIR/<target>.jsonl: every message each queue, topic, bus, bucket or function received.
        #[arg(long, value_name = "DIR")]
        sinks: Option<PathBuf>,
        /// Summary format (`json` includes the time series).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write a self-contained HTML report with charts (latency, concurrency against limits, cold starts,
        /// throttles, errors, async backlog, cost).
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
        /// Write the time series as CSV, one row per sampling interval.
        #[arg(long, value_name = "FILE.csv")]
        series: Option<PathBuf>,
        /// Sampling interval of the time series, in seconds of virtual time (default: chosen from the run).
        #[arg(long, value_name = "SECONDS")]
        series_interval: Option<f64>,
        /// Write the run in the Chrome / Perfetto trace format (chrome://tracing, ui.perfetto.dev).
        #[arg(long, value_name = "FILE.json")]
        chrome_trace: Option<PathBuf>,
        /// Functions with `Handler` and `Runtime`: where their runtimes' stdout and stderr go, one log file per
        /// function (default: .lambdasim/logs next to the scenario file).
        #[arg(long, value_name = "DIR")]
        handler_logs: Option<PathBuf>,
        /// Functions with `Handler` and `Runtime`: the wall-clock seconds a runtime may take for its init or for one
        /// invocation before it is stopped and the run fails (exit 2).
        #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
        handler_guard: f64,
        /// Functions with `Handler` and `Runtime`: the most runtime processes alive at once; beyond it the least
        /// recently used idle environment's process is stopped, and restarted (its init runs again) on its next use.
        #[arg(long, value_name = "N", default_value_t = 64)]
        max_processes: usize,
        /// Functions served by real handlers: take each attempt's duration from the handler's measured wall time,
        /// times SCALE (default 1), instead of the `Duration` model. The run is then NOT reproducible.
        #[arg(long, value_name = "SCALE", num_args = 0..=1, default_missing_value = "1")]
        measured_durations: Option<f64>,
        /// Run budget: at most N kernel events per run (and N/50 invocations in flight plus pending events at once);
        /// a run over it stops with an error (exit 2). 0: no limit.
        #[arg(long, value_name = "N", default_value_t = lambdasim::sim::DEFAULT_MAX_EVENTS)]
        max_events: u64,
    },
    /// Run two configurations on the same seeds (common random numbers) and report the paired differences of p99
    /// latency, throttles, cold starts, cost and fates with 95% confidence intervals.
    Compare {
        /// Configuration A (scenario file).
        a: PathBuf,
        /// Configuration B (default: A, changed by --set).
        b: Option<PathBuf>,
        /// Override in B: PATH=VALUE, e.g. functions.api.ReservedConcurrentExecutions=50 (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Seeds: N, A..B (inclusive), or a comma list of these, e.g. 1,5,10..20.
        #[arg(long, default_value = "1..30")]
        seeds: String,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Output format of the comparison table.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Run budget: at most N kernel events per run (and N/50 invocations in flight plus pending events at once);
        /// a run over it stops with an error (exit 2). 0: no limit.
        #[arg(long, value_name = "N", default_value_t = lambdasim::sim::DEFAULT_MAX_EVENTS)]
        max_events: u64,
    },
    /// Read an AWS SAM or CloudFormation template (YAML or JSON) into a scenario file to read and extend: its
    /// functions, queues, topics, buses, streams, tables, mappings and destinations, and a Workload stub that fires
    /// each entry point once. Prints one line per resource imported or skipped to standard error.
    Import {
        /// The template (template.yaml, template.json).
        template: PathBuf,
        /// Write the scenario to FILE (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Parameter values, as SAM CLI spells them: `Key=Value` or `ParameterKey=Key,ParameterValue=Value`.
        #[arg(long = "parameter-overrides", value_name = "KEY=VALUE", num_args = 1..)]
        parameter_overrides: Vec<String>,
        /// The stack name (`AWS::StackName`, the first part of generated names; default: the template file's stem).
        #[arg(long)]
        stack_name: Option<String>,
    },
    /// Check a scenario file without running it.
    Validate {
        /// Scenario file (JSON).
        scenario: PathBuf,
    },
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Print a shell completion script: `lambdasim completions bash > /etc/bash_completion.d/lambdasim`, or for zsh
    /// into a directory on `$fpath` as `_lambdasim`, or for fish into `~/.config/fish/completions/lambdasim.fish`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Run a scenario under many seeds (in parallel), judge every expectation and invariant per seed and over the
    /// sweep, print a table of pass rates and the command that replays the first failing seed.
    Check {
        /// Scenario file (JSON).
        scenario: PathBuf,
        /// Seeds: N, A..B (inclusive), or a comma list of these, e.g. 1,5,10..20.
        #[arg(long, default_value = "1..100")]
        seeds: String,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only shard I of N (1-based), e.g. 3/8; also read from JOB_COMPLETION_INDEX / JOB_COMPLETION_COUNT.
        #[arg(long)]
        shard: Option<String>,
        /// Write the per-seed results (for `lambdasim merge`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write JUnit XML: one testcase per expectation.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Shrink the first failing seed's scenario to the smallest one that still fails; write it next to the
        /// scenario as NAME.shrunk.json (or to --shrink-out).
        #[arg(long)]
        shrink: bool,
        /// Where --shrink writes the shrunk scenario (default: NAME.shrunk.json next to the scenario).
        #[arg(long, value_name = "FILE")]
        shrink_out: Option<PathBuf>,
        /// Run every seed twice and name the first trace event where the runs diverge.
        #[arg(long)]
        check_determinism: bool,
        /// Test-only: perturb one random draw in the second run of each seed.
        #[arg(long, hide = true)]
        inject_nondeterminism_for_testing: bool,
        /// Run budget: at most N kernel events per run (and N/50 invocations in flight plus pending events at once);
        /// a run over it stops with an error (exit 2). 0: no limit.
        #[arg(long, value_name = "N", default_value_t = lambdasim::sim::DEFAULT_MAX_EVENTS)]
        max_events: u64,
        /// Summary format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Search the knob ranges the scenario declares (`Explore.Knobs`) against its expectations and the invariants;
    /// write the smallest failing concrete scenario.
    Explore {
        /// Scenario file (JSON) with an `Explore` section.
        scenario: PathBuf,
        /// Cases to try (default: `Explore.Cases`, else 256).
        #[arg(long)]
        cases: Option<u32>,
        /// Seed of the search itself (the search is repeatable).
        #[arg(long, default_value_t = 1)]
        search_seed: u64,
        /// Where to write the failing scenario (default: NAME.explored.json next to the scenario).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Run budget: at most N kernel events per run (and N/50 invocations in flight plus pending events at once);
        /// a run over it stops with an error (exit 2). 0: no limit.
        #[arg(long, value_name = "N", default_value_t = lambdasim::sim::DEFAULT_MAX_EVENTS)]
        max_events: u64,
    },
    /// Merge the results files of a sharded sweep into the table one machine would print.
    Merge {
        /// Results files written by `check --out`.
        #[arg(required = true)]
        results: Vec<PathBuf>,
        /// Write the merged per-seed results (for another `lambdasim merge`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write JUnit XML: one testcase per expectation.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Summary format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Read a scenario file whose command writes `outputs` (flag, path): refused (exit 2) before anything is written when
/// an output is one of the files read or two outputs name the same file.
fn read_scenario(path: &Path, outputs: &[(&str, Option<&Path>)]) -> Result<(lambdasim::Scenario, lambdasim::Model), ExitCode> {
    let l = read_loaded(path)?;
    check_outputs(&l.inputs, outputs)?;
    Ok((l.scenario, l.model))
}

/// An output path as it will be: canonical when the file exists, else its directory's canonical path joined with
/// its name (none when the directory does not exist either: then it cannot be an input).
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Some(c);
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// Refuses (exit 2), before anything is written, an output that is one of the `inputs` (compared as canonical
/// paths, so `./x.json`, a symlink or `../dir/x.json` are caught) and two outputs naming the same file. A device
/// (`/dev/null`) may be named by several outputs.
fn check_outputs(inputs: &[PathBuf], outputs: &[(&str, Option<&Path>)]) -> Result<(), ExitCode> {
    let ins: Vec<(PathBuf, &PathBuf)> = inputs.iter().filter_map(|p| Some((std::fs::canonicalize(p).ok()?, p))).collect();
    let mut seen: Vec<(PathBuf, &str, &Path)> = vec![];
    for (flag, p) in outputs.iter().filter_map(|(f, p)| Some((*f, (*p)?))) {
        let Some(r) = resolved(p) else { continue };
        if let Some((_, i)) = ins.iter().find(|(c, _)| *c == r) {
            return Err(usage(format!(
                "{flag} {}: that is {}, an input of this command; refusing to write over it (choose another file)",
                p.display(),
                i.display()
            )));
        }
        if std::fs::metadata(&r).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            continue;
        }
        if let Some((_, f, q)) = seen.iter().find(|(c, _, _)| *c == r) {
            return Err(usage(format!("{flag} {} and {f} {} name the same file; give each output its own file", p.display(), q.display())));
        }
        seen.push((r, flag, p));
    }
    Ok(())
}

/// The files `--sinks DIR` writes, as outputs for [`check_outputs`].
fn sink_outputs(dir: Option<&Path>, model: &lambdasim::Model) -> Vec<PathBuf> {
    dir.map(|d| lambdasim::observe::sinks::SinkWriter::paths(d, model)).unwrap_or_default()
}

/// Read a scenario file, with the template it names expanded.
fn read_loaded(path: &Path) -> Result<lambdasim::model::Loaded, ExitCode> {
    if let Err(e) = std::fs::metadata(path) {
        eprintln!("error: cannot read {}: {e}", path.display());
        return Err(ExitCode::from(2));
    }
    lambdasim::read_file(path).map_err(|errs| {
        eprintln!("{}: invalid scenario", path.display());
        eprintln!("{errs}");
        ExitCode::from(2)
    })
}

/// `lambdasim run`'s scenario, refused before anything is written when an output (`outputs`, and each file
/// `--sinks DIR` writes) is one of the files read or two outputs name the same file.
fn read_run_scenario(scenario: &Path, outputs: &[(&str, Option<&Path>)], sinks: Option<&Path>) -> Result<lambdasim::Model, ExitCode> {
    let l = read_loaded(scenario)?;
    let sink_files = sink_outputs(sinks, &l.model);
    let all: Vec<(&str, Option<&Path>)> =
        outputs.iter().copied().chain(sink_files.iter().map(|p| ("--sinks", Some(p.as_path())))).collect();
    check_outputs(&l.inputs, &all)?;
    Ok(l.model)
}

/// `lambdasim import`.
fn import(template: &Path, out: Option<&Path>, overrides: &[String], stack_name: Option<String>) -> Result<ExitCode, ExitCode> {
    let mut opts = lambdasim::template::Options { stack_name, ..Default::default() };
    for o in overrides {
        // `Key=Value`, or CloudFormation's `ParameterKey=Key,ParameterValue=Value`.
        let (k, v) = match o.strip_prefix("ParameterKey=").and_then(|r| r.split_once(",ParameterValue=")) {
            Some(kv) => kv,
            None => o.split_once('=').ok_or_else(|| usage(format!("--parameter-overrides {o:?}: expected KEY=VALUE")))?,
        };
        opts.parameters.insert(k.to_string(), serde_json::Value::String(v.to_string()));
    }
    if let Some(dir) = out.map(lambdasim::model::base_dir_of) {
        opts.scenario_dir = dir;
    }
    check_outputs(&[template.to_path_buf()], &[("--out", out)])?;
    let imp = lambdasim::template::import_file(template, &opts).map_err(|e| usage(e.to_string()))?;
    for l in &imp.imported {
        eprintln!("imported: {l}");
    }
    for l in &imp.skipped {
        eprintln!("skipped: {l}");
    }
    let name = template.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "imported".into());
    let doc = lambdasim::template::scenario_document(&imp, &name, &template.display().to_string());
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    match out {
        Some(p) => {
            write_file(p, &text)?;
            eprintln!("wrote {}; run it: lambdasim run {}", p.display(), p.display());
        }
        None => emit(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to standard output. A reader that has gone away (`lambdasim schema | head -1`) ends the output quietly, as
/// cargo's tools do; any other failure (a full device, a file-size limit) is an error, never a silent success.
fn emit(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(usage(format!("cannot write the output to standard output: {e}"))),
    }
}

/// Prints an error (cut in the middle when it echoes a long value) and gives exit code 2.
fn usage(msg: String) -> ExitCode {
    eprintln!("error: {}", lambdasim::vocab::clip_message(&msg));
    ExitCode::from(2)
}

fn write_file(path: &Path, text: &str) -> Result<(), ExitCode> {
    std::fs::write(path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        ExitCode::from(2)
    })
}

/// Print a sweep's verdicts and write its files; the exit code.
fn finish_sweep(
    res: &sweep::SweepResults,
    model: &lambdasim::Model,
    out: Option<&Path>,
    junit: Option<&Path>,
    format: Format,
) -> Result<i32, ExitCode> {
    let verdicts = sweep::judge(model, res);
    if let Some(p) = out {
        write_file(p, &(serde_json::to_string(res).unwrap_or_default() + "\n"))?;
    }
    if let Some(p) = junit {
        write_file(p, &sweep::junit(res, &verdicts))?;
    }
    match format {
        Format::Text => emit(&sweep::table(res, &verdicts))?,
        Format::Json => {
            let v: Vec<serde_json::Value> = verdicts
                .iter()
                .map(|v| {
                    serde_json::json!({"name": v.name, "over": v.kind, "passed": v.passed, "held": v.held, "seeds": v.seeds, "detail": v.detail,
                        "firstFailingSeed": v.first_failure.as_ref().map(|f| f.0), "firstFailure": v.first_failure.as_ref().map(|f| &f.1)})
                })
                .collect();
            let doc = serde_json::json!({"scenario": res.scenario, "scenarioDigest": res.scenario_digest, "seeds": res.seeds.text(),
                "runs": res.runs.len(), "lambdasim": res.lambdasim, "expectations": v});
            emit(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"))?;
        }
    }
    Ok(sweep::exit_code(&verdicts))
}

#[allow(clippy::too_many_arguments)]
fn check(
    scenario: &Path,
    seeds: &str,
    jobs: Option<usize>,
    shard: Option<&str>,
    out: Option<&Path>,
    junit: Option<&Path>,
    shrink: bool,
    shrink_out: Option<&Path>,
    check_determinism: bool,
    inject: bool,
    format: Format,
    max_events: u64,
) -> Result<ExitCode, ExitCode> {
    let (sc, model) = read_scenario(scenario, &[("--out", out), ("--junit", junit), ("--shrink-out", shrink_out)])?;
    let seeds = sweep::SeedSet::parse(seeds).map_err(usage)?;
    let shard = match shard {
        Some(s) => Some(sweep::Shard::parse(s).map_err(usage)?),
        None => sweep::Shard::from_env(
            std::env::var("JOB_COMPLETION_INDEX").ok().as_deref(),
            std::env::var("JOB_COMPLETION_COUNT").ok().as_deref(),
        )
        .map_err(usage)?,
    };
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    if jobs == 0 || jobs > 1024 {
        return Err(usage(format!("--jobs {jobs} is out of range; allowed 1 to 1024")));
    }
    let opts = sweep::SweepOptions {
        seeds,
        shard,
        jobs,
        check_determinism,
        inject_nondeterminism: inject,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        max_events,
    };
    let file = scenario.display().to_string();
    let res = sweep::sweep(&sc, &model, &file, &opts).map_err(usage)?;
    let code = finish_sweep(&res, &model, out, junit, format)?;
    if shrink && code == 1 {
        let verdicts = sweep::judge(&model, &res);
        if let Some((seed, (name, _))) = sweep::first_counterexample(&verdicts) {
            let name = name.to_string();
            let target = if name == "built-in invariants" { shrink::Target::Invariant } else { shrink::Target::Expectation(name.clone()) };
            let path = shrink_out.map(Path::to_path_buf).unwrap_or_else(|| scenario.with_extension("shrunk.json"));
            match shrink::shrink(&sc, seed, &target, 2000) {
                None => eprintln!("shrink: seed {seed} no longer fails when re-run; nothing written"),
                Some(s) => {
                    write_file(&path, &(serde_json::to_string_pretty(&s.scenario).unwrap_or_default() + "\n"))?;
                    eprintln!(
                        "shrunk: {} -> {} accepted events in {} steps ({} runs); still fails: {}",
                        s.events_before, s.events_after, s.steps, s.runs, s.message
                    );
                    eprintln!("wrote {}; replay: lambdasim run {} --seed {seed}", path.display(), path.display());
                }
            }
        }
    }
    Ok(ExitCode::from(code as u8))
}

fn explore(scenario: &Path, cases: Option<u32>, search_seed: u64, out: Option<&Path>, max_events: u64) -> Result<ExitCode, ExitCode> {
    let (sc, _model) = read_scenario(scenario, &[("--out", out)])?;
    let outcome = lambdasim::campaign::explore::explore_with(&sc, cases, search_seed, max_events).map_err(usage)?;
    match outcome.found {
        None => {
            emit(&format!("explore: {} cases, no failure found\n", outcome.cases))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(f) => {
            let path = out.map(Path::to_path_buf).unwrap_or_else(|| scenario.with_extension("explored.json"));
            write_file(&path, &(serde_json::to_string_pretty(&f.scenario).unwrap_or_default() + "\n"))?;
            emit(&format!(
                "explore: failure found and shrunk: {}\n  seed {}: {}\nwrote {}\n",
                f.knobs.join(", "),
                f.seed,
                f.message,
                path.display()
            ))?;
            eprintln!("replay: lambdasim run {} --seed {}", path.display(), f.seed);
            Ok(ExitCode::from(1))
        }
    }
}

fn merge(results: &[PathBuf], out: Option<&Path>, junit: Option<&Path>, format: Format) -> Result<ExitCode, ExitCode> {
    check_outputs(results, &[("--out", out), ("--junit", junit)])?;
    let mut parts = vec![];
    for p in results {
        parts.push(sweep::read_results(p).map_err(usage)?);
    }
    let all = sweep::merge(parts).map_err(usage)?;
    let model = sweep::model_of(&all).map_err(usage)?;
    let code = finish_sweep(&all, &model, out, junit, format)?;
    Ok(ExitCode::from(code as u8))
}

/// The time-series sampling interval: `--series-interval`, else chosen from the run.
fn series_config(model: &lambdasim::Model, interval: Option<f64>) -> Result<lambdasim::observe::series::SeriesConfig, ExitCode> {
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
fn write_load_outputs(
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

/// `lambdasim compare`.
#[allow(clippy::too_many_arguments)]
fn compare_cmd(
    a: &Path,
    b: Option<&Path>,
    set: &[String],
    seeds: &str,
    jobs: Option<usize>,
    format: Format,
    max_events: u64,
) -> Result<ExitCode, ExitCode> {
    use lambdasim::campaign::compare;
    let seeds = compare::parse_seeds(seeds).map_err(usage)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    if jobs == 0 || jobs > 1024 {
        return Err(usage(format!("--jobs {jobs} is out of range; allowed 1 to 1024")));
    }
    let overrides: Vec<compare::Override> = set.iter().map(|s| compare::Override::parse(s)).collect::<Result<_, _>>().map_err(usage)?;
    // The scenarios' text, as written: B is A's (or its own file's) text with the overrides written into it, so a
    // workload's payload keeps its bytes (see `campaign::patch`).
    let read_text = |p: &Path| -> Result<String, ExitCode> {
        let text = lambdasim::vocab::read_input(p).map_err(usage)?;
        serde_json::from_str::<serde::de::IgnoredAny>(&text)
            .map_err(|e| usage(format!("{}: invalid scenario: not JSON: {e}", p.display())))?;
        Ok(text)
    };
    let build = |text: &str, what: &str, dir: &Path| -> Result<lambdasim::Model, ExitCode> {
        lambdasim::model::load_str_in(text, dir).map_err(|errs| {
            eprintln!("{what}: invalid scenario");
            eprintln!("{errs}");
            ExitCode::from(2)
        })
    };
    let text_a = read_text(a)?;
    let model_a = build(&text_a, &a.display().to_string(), &lambdasim::model::base_dir_of(a))?;
    let text_b = match b {
        Some(p) => read_text(p)?,
        None => text_a.clone(),
    };
    let text_b = compare::apply_to_text(&text_b, &overrides).map_err(usage)?;
    let mut b_label = b.unwrap_or(a).display().to_string();
    if !overrides.is_empty() {
        b_label += &format!(" with {}", overrides.iter().map(|o| format!("--set {o}")).collect::<Vec<_>>().join(" "));
    }
    let model_b = build(&text_b, &b_label, &lambdasim::model::base_dir_of(b.unwrap_or(a)))?;
    let cmp = compare::compare_with(&model_a, &model_b, &seeds, jobs, a.display().to_string(), b_label, max_events)
        .map_err(|e| usage(format!("a run failed: {e}")))?;
    match format {
        Format::Text => emit(&cmp.to_text())?,
        Format::Json => emit(&(serde_json::to_string_pretty(&cmp.to_json()).unwrap_or_default() + "\n"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            scenario,
            seeds,
            jobs,
            shard,
            out,
            junit,
            shrink,
            shrink_out,
            check_determinism,
            inject_nondeterminism_for_testing,
            format,
            max_events,
        } => check(
            &scenario,
            &seeds,
            jobs,
            shard.as_deref(),
            out.as_deref(),
            junit.as_deref(),
            shrink,
            shrink_out.as_deref(),
            check_determinism,
            inject_nondeterminism_for_testing,
            format,
            max_events,
        )
        .unwrap_or_else(|c| c),
        Command::Explore { scenario, cases, search_seed, out, max_events } => {
            explore(&scenario, cases, search_seed, out.as_deref(), max_events).unwrap_or_else(|c| c)
        }
        Command::Merge { results, out, junit, format } => merge(&results, out.as_deref(), junit.as_deref(), format).unwrap_or_else(|c| c),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "lambdasim", &mut buf);
            emit(&String::from_utf8_lossy(&buf)).err().unwrap_or(ExitCode::SUCCESS)
        }
        Command::Schema => {
            let s = serde_json::to_string_pretty(&lambdasim::scenario::json_schema()).unwrap_or_default();
            emit(&(s + "\n")).err().unwrap_or(ExitCode::SUCCESS)
        }
        Command::Import { template, out, parameter_overrides, stack_name } => {
            import(&template, out.as_deref(), &parameter_overrides, stack_name).unwrap_or_else(|c| c)
        }
        Command::Validate { scenario } => match read_loaded(&scenario) {
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
                if let Err(b) = lambdasim::sim::budget::preflight(&m, lambdasim::sim::DEFAULT_MAX_EVENTS) {
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
        },
        Command::Compare { a, b, set, seeds, jobs, format, max_events } => {
            compare_cmd(&a, b.as_deref(), &set, &seeds, jobs, format, max_events).unwrap_or_else(|c| c)
        }
        Command::Run {
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
        } => {
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
                    return usage(format!(
                        "--chrome-trace: cannot write {}: {e}",
                        chrome_trace.as_deref().unwrap_or(Path::new("")).display()
                    ))
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
    }
}
