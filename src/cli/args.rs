//! The command line's arguments and their help texts (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "lambdasim", version, about = "Deterministic simulator of AWS Lambda invocation semantics")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// One JSON document for programs.
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario under one seed; exit 0 when every expectation holds, 1 when one fails, 2 on bad input, 3 when
    /// a built-in invariant breaks (a bug in lambdasim).
    Run(RunArgs),
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
        #[arg(long, value_name = "N", default_value_t = lambdasim::run::DEFAULT_MAX_EVENTS)]
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
        #[arg(long, value_name = "N", default_value_t = lambdasim::run::DEFAULT_MAX_EVENTS)]
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
        #[arg(long, value_name = "N", default_value_t = lambdasim::run::DEFAULT_MAX_EVENTS)]
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

/// The arguments of `lambdasim run`.
#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (JSON).
    pub scenario: PathBuf,
    /// Master seed of every random stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write every trace event as a JSON line to FILE as the run goes.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// With --trace: also write what each step carried: the event each function received (`"input"` on
    /// `Accepted`), each record a target received (`"record"`), synchronous responses (`"response"`).
    #[arg(long, requires = "trace")]
    pub trace_payloads: bool,
    /// Write DIR/<target>.jsonl: every message each queue, topic, bus, bucket or function received.
    #[arg(long, value_name = "DIR")]
    pub sinks: Option<PathBuf>,
    /// Summary format (`json` includes the time series).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write a self-contained HTML report with charts (latency, concurrency against limits, cold starts,
    /// throttles, errors, async backlog, cost).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Write the time series as CSV, one row per sampling interval.
    #[arg(long, value_name = "FILE.csv")]
    pub series: Option<PathBuf>,
    /// Sampling interval of the time series, in seconds of virtual time (default: chosen from the run).
    #[arg(long, value_name = "SECONDS")]
    pub series_interval: Option<f64>,
    /// Write the run in the Chrome / Perfetto trace format (chrome://tracing, ui.perfetto.dev).
    #[arg(long, value_name = "FILE.json")]
    pub chrome_trace: Option<PathBuf>,
    /// Functions with `Handler` and `Runtime`: where their runtimes' stdout and stderr go, one log file per
    /// function (default: .lambdasim/logs next to the scenario file).
    #[arg(long, value_name = "DIR")]
    pub handler_logs: Option<PathBuf>,
    /// Functions with `Handler` and `Runtime`: the wall-clock seconds a runtime may take for its init or for one
    /// invocation before it is stopped and the run fails (exit 2).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub handler_guard: f64,
    /// Functions with `Handler` and `Runtime`: the most runtime processes alive at once; beyond it the least
    /// recently used idle environment's process is stopped, and restarted (its init runs again) on its next use.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_processes: usize,
    /// Functions served by real handlers: take each attempt's duration from the handler's measured wall time,
    /// times SCALE (default 1), instead of the `Duration` model. The run is then NOT reproducible.
    #[arg(long, value_name = "SCALE", num_args = 0..=1, default_missing_value = "1")]
    pub measured_durations: Option<f64>,
    /// Run budget: at most N kernel events per run (and N/50 invocations in flight plus pending events at once);
    /// a run over it stops with an error (exit 2). 0: no limit.
    #[arg(long, value_name = "N", default_value_t = lambdasim::run::DEFAULT_MAX_EVENTS)]
    pub max_events: u64,
}
