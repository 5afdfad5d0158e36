//! The commands that run many seeds or no simulation: import, check, explore, merge, compare.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lambdasim::campaign::{shrink, sweep};

use crate::args::Format;
use crate::io::{check_outputs, emit, read_scenario, usage, write_file};

/// `lambdasim import`.
pub(crate) fn import(template: &Path, out: Option<&Path>, overrides: &[String], stack_name: Option<String>) -> Result<ExitCode, ExitCode> {
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

/// Print a sweep's verdicts and write its files; the exit code.
pub(crate) fn finish_sweep(
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
pub(crate) fn check(
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

pub(crate) fn explore(
    scenario: &Path,
    cases: Option<u32>,
    search_seed: u64,
    out: Option<&Path>,
    max_events: u64,
) -> Result<ExitCode, ExitCode> {
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

pub(crate) fn merge(results: &[PathBuf], out: Option<&Path>, junit: Option<&Path>, format: Format) -> Result<ExitCode, ExitCode> {
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

/// `lambdasim compare`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_cmd(
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
