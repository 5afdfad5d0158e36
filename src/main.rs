//! The `lambdasim` command line: a thin shell over the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use lambdasim::{load_str, run, RunOptions, TraceWriter};

#[derive(Parser)]
#[command(name = "lambdasim", version, about = "Deterministic simulator of AWS Lambda invocation semantics")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
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
        /// Write DIR/<target>.jsonl: every message each queue, topic, bus, bucket or function received.
        #[arg(long, value_name = "DIR")]
        sinks: Option<PathBuf>,
        /// Summary format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check a scenario file without running it.
    Validate { scenario: PathBuf },
    /// Print the JSON Schema of the scenario format.
    Schema,
}

fn read_model(path: &Path) -> Result<lambdasim::Model, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        ExitCode::from(2)
    })?;
    load_str(&text).map_err(|errs| {
        eprintln!("{}: invalid scenario", path.display());
        eprintln!("{errs}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema => {
            let s = serde_json::to_string_pretty(&lambdasim::scenario::json_schema()).unwrap_or_default();
            println!("{s}");
            ExitCode::SUCCESS
        }
        Command::Validate { scenario } => match read_model(&scenario) {
            Ok(m) => {
                println!(
                    "{}: valid ({} functions, {} workload sources, {} expectations)",
                    scenario.display(),
                    m.functions.len(),
                    m.sources.len(),
                    m.expectations.len()
                );
                ExitCode::SUCCESS
            }
            Err(c) => c,
        },
        Command::Run { scenario, seed, trace, sinks, format } => {
            let model = match read_model(&scenario) {
                Ok(m) => m,
                Err(c) => return c,
            };
            let trace = match trace.as_deref().map(TraceWriter::to_file).transpose() {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot write the trace: {e}");
                    return ExitCode::from(2);
                }
            };
            let report = match run(&model, seed, RunOptions { trace, sinks_dir: sinks, observers: vec![] }) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: writing output failed: {e}");
                    return ExitCode::from(2);
                }
            };
            let out = match format {
                Format::Text => report.to_text(&model),
                Format::Json => serde_json::to_string_pretty(&report.to_json(&model)).unwrap_or_default() + "\n",
            };
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(out.as_bytes());
            let code = report.exit_code();
            if code != 0 {
                eprintln!("replay: lambdasim run {} --seed {seed}", scenario.display());
            }
            ExitCode::from(code as u8)
        }
    }
}
