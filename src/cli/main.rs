//! The `lambdasim` command line: a thin shell over the library. `args` holds the arguments and their help, `run`
//! the one-seed commands (`run`, `validate`), `commands` the others, `io` the reading of inputs and writing of
//! outputs with their exit codes.

use std::process::ExitCode;

use clap::Parser;

/// `eprintln!` that never panics: when standard error itself cannot be written (a full device, a file-size limit),
/// the message is lost but the exit code still says what happened.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod commands;
mod io;
mod run;

use args::{Cli, Command};
use commands::{check, compare_cmd, explore, import, merge};
use io::emit;

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
        Command::Validate { scenario } => run::validate_cmd(&scenario),
        Command::Compare { a, b, set, seeds, jobs, format, max_events } => {
            compare_cmd(&a, b.as_deref(), &set, &seeds, jobs, format, max_events).unwrap_or_else(|c| c)
        }
        Command::Run(a) => run::run_cmd(a),
    }
}
