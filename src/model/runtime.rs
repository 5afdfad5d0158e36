//! A function's own code: `Handler`, `Runtime`, `CodeUri` and `Environment.Variables` compiled into the command
//! that starts its runtime process ([`Code`]), validated with JSON paths.
//!
//! AWS facts (docs/sources.md, "Real handler code"):
//! - `Runtime` identifiers as `AWS::Lambda::Function` writes them (AWS Lambda developer guide, "Lambda runtimes"):
//!   `python3.*` runs the Python runtime interface client (`awslambdaric`, the client AWS's Python base images run as
//!   `python -m awslambdaric <handler>`), `nodejs*` the Node one (`aws-lambda-ric <handler>`), and the OS-only
//!   runtimes `provided`, `provided.al2`, `provided.al2023` run the executable `bootstrap` of the code's directory
//!   ("Building a custom runtime for AWS Lambda": "the runtime's entry point is an executable file named bootstrap").
//! - Environment variable keys start with a letter and hold letters, digits and `_`, and the reserved keys Lambda
//!   sets itself cannot be set by the function (developer guide, "Working with Lambda environment variables",
//!   "Defined runtime environment variables").
//!
//! Paths stay relative here: the process pool resolves them against `Model::base_dir` (the scenario file's
//! directory) when it starts a process, and checks there that the program and the directory exist.

use std::collections::BTreeMap;

use super::validate::V;
use crate::scenario::{FunctionSpec, RuntimeSpec};

/// How the program of a runtime process is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// The Python interpreter for a `python3.*` runtime: `LAMBDASIM_PYTHON` if set, else `.venv/bin/python` in the
    /// working directory, else `.venv/bin/python` in the scenario's directory, else `python3` on `PATH`.
    Python,
    /// A program name looked up on `PATH` (no `/` in it).
    Search(String),
    /// A path: absolute, or relative to the working directory.
    Path(String),
}

/// The code serving a function: how its runtime process starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// `Handler` (`_HANDLER` in the process's environment).
    pub handler: String,
    /// The AWS runtime identifier (`python3.12`, `provided.al2023`), or `None` for an explicit `Runtime.Command`:
    /// `AWS_EXECUTION_ENV` is `AWS_Lambda_<id>` when given.
    pub runtime_id: Option<String>,
    /// The program.
    pub program: Program,
    /// Its arguments.
    pub args: Vec<String>,
    /// The directory the process starts in (`LAMBDA_TASK_ROOT`), relative to the scenario's directory (empty: that
    /// directory itself): `Runtime.WorkingDirectory`, else `CodeUri`.
    pub working_dir: String,
    /// `Environment.Variables`.
    pub variables: BTreeMap<String, String>,
}

impl Code {
    /// The command as a person reads it, for error messages (`python -m awslambdaric app.handler`).
    pub fn command_line(&self) -> String {
        let program = match &self.program {
            Program::Python => "python".to_string(),
            Program::Search(p) | Program::Path(p) => p.clone(),
        };
        std::iter::once(program).chain(self.args.iter().cloned()).collect::<Vec<_>>().join(" ")
    }
}

/// Variables Lambda sets itself; a function cannot set them (developer guide, "Defined runtime environment
/// variables": "reserved environment variables").
pub const RESERVED_VARIABLES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

const SUPPORTED: &str =
    "python3.* (awslambdaric), nodejs* (aws-lambda-ric) and provided, provided.al2, provided.al2023 (CodeUri/bootstrap)";

/// Compile the code settings of function `f` at JSON path `p` (`Functions[i]`); `None` when it has none.
pub(super) fn build_code(v: &mut V, f: &FunctionSpec, p: &str) -> Option<Code> {
    let handler = match (&f.handler, &f.runtime) {
        (None, None) => {
            let stray = [(f.code_uri.is_some(), "CodeUri"), (f.environment.is_some(), "Environment")];
            v.not_for(p, &stray, "is given without Handler and Runtime; give both to run this function's own code, or remove it");
            return None;
        }
        (Some(_), None) => {
            // `Handler` alone runs no code; it names the handler in the stack frames of declared errors.
            let stray = [(f.code_uri.is_some(), "CodeUri"), (f.environment.is_some(), "Environment")];
            v.not_for(p, &stray, "is given without Runtime; give Runtime too to run this function's own code, or remove it");
            return None;
        }
        (None, Some(_)) => {
            v.err(format!("{p}.Runtime"), "is given without Handler; give Handler too (for example \"app.handler\")");
            return None;
        }
        (Some(h), Some(_)) if h.trim().is_empty() => {
            v.err(format!("{p}.Handler"), "is empty; give the handler the runtime calls (for example \"app.handler\")");
            return None;
        }
        (Some(h), Some(_)) => h.clone(),
    };
    let code_dir = f.code_uri.clone().unwrap_or_default();
    if f.code_uri.as_deref().is_some_and(|c| c.trim().is_empty()) {
        v.err(format!("{p}.CodeUri"), "is empty; give the directory holding the function's code, relative to the scenario file");
    }
    let (runtime_id, program, args, working_dir) = match f.runtime.as_ref()? {
        RuntimeSpec::Id(id) => {
            let (program, args) = if id.starts_with("python3") {
                (Program::Python, vec!["-m".into(), "awslambdaric".into(), handler.clone()])
            } else if id.starts_with("nodejs") {
                (Program::Path("node_modules/.bin/aws-lambda-ric".into()), vec![handler.clone()])
            } else if matches!(id.as_str(), "provided" | "provided.al2" | "provided.al2023") {
                (Program::Path("./bootstrap".into()), vec![])
            } else {
                v.err(
                    format!("{p}.Runtime"),
                    format!("{id:?} is not a runtime lambdasim starts by itself (it starts {SUPPORTED}); give Runtime as {{\"Command\": [...], \"WorkingDirectory\": ...}} to start it"),
                );
                return None;
            };
            (Some(id.clone()), program, args, code_dir)
        }
        RuntimeSpec::Command(c) => {
            let Some((first, rest)) = c.command.split_first() else {
                v.err(format!("{p}.Runtime.Command"), "is empty; give the program and its arguments");
                return None;
            };
            if first.is_empty() {
                v.err(format!("{p}.Runtime.Command[0]"), "is empty; give the program to start");
                return None;
            }
            let program = if first.contains('/') { Program::Path(first.clone()) } else { Program::Search(first.clone()) };
            (None, program, rest.to_vec(), c.working_directory.clone().unwrap_or(code_dir))
        }
    };
    let variables = f.environment.as_ref().map(|e| e.variables.clone()).unwrap_or_default();
    for key in variables.keys() {
        let path = format!("{p}.Environment.Variables.{key}");
        let ok = key.starts_with(|c: char| c.is_ascii_alphabetic()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            v.err(path, format!("{key:?} is not a valid variable name; allowed: a letter, then letters, digits and '_'"));
        } else if RESERVED_VARIABLES.contains(&key.as_str()) {
            v.err(path, format!("{key:?} is reserved: Lambda sets it itself"));
        }
    }
    Some(Code { handler, runtime_id, program, args, working_dir, variables })
}
