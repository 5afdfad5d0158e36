//! Runtime processes behind the Lambda Runtime API (version 2018-06-01), served on loopback: one process per
//! simulated execution environment, started from the function's `Runtime` command.
//!
//! - **Lifecycle.** The first invocation of an environment starts its process (its init runs then: module-level code,
//!   static initialisers); later invocations of that environment reuse it, so module-level state persists as on AWS
//!   (developer guide, "Lambda execution environment lifecycle"). [`Handlers::environment_ended`] (idle shutdown,
//!   recycle, timeout, crash) stops it; a process that exits mid-invocation is [`Reply::Exited`]; an exit or an
//!   `init/error` before it asks for its first event is [`Reply::InitError`].
//! - **Server.** Each process gets its own `127.0.0.1` port (`AWS_LAMBDA_RUNTIME_API`), served by blocking threads
//!   (`process/server.rs`); the simulation's thread answers every request, one invocation at a time.
//! - **Process cap.** At most [`ProcessOptions::max_processes`] processes live at once. Starting one more stops the
//!   least recently used idle process first; its environment, when the simulation uses it again, gets a fresh
//!   process whose init runs again (module-level state starts over although the simulation counts a warm start).
//!   [`ProcessHandlers::stats`] counts these restarts so that a run can say so. Only one process is ever busy (the
//!   simulation hands out one invocation at a time), so the cap bounds memory, not CPU.
//! - **Guard.** A runtime that neither asks for an event nor answers one within [`ProcessOptions::guard`] of wall
//!   time is stopped, and the run fails with a [`HandlerFailure`] naming the function and the request id.
//! - **Environment variables** as Lambda defines them (developer guide, "Defined runtime environment variables"),
//!   with the function's `Environment.Variables`; see [`Launch::env_vars`].
//! - **Logs.** Each function's processes write stdout and stderr to `<log_dir>/<function>.log` (one log group per
//!   function, as `/aws/lambda/<function>` is), with `START`/`END` lines per request and a marker when a process
//!   starts or ends; never into lambdasim's own output.
//! - Every process is killed (with its process group) and reaped when [`ProcessHandlers`] drops, also when a run
//!   stops on an error or a panic unwinds.

mod env;
mod http;
mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use self::env::{Env, Stall};
use super::{ErrorReply, HandlerFailure, Handlers, Reply, Request};
use crate::model::runtime::{Code, Program};
use crate::model::{FnId, Model};

/// Settings of the process pool.
#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// Where each function's runtime output goes (one log file per function, like CloudWatch Logs); `None` discards
    /// it.
    pub log_dir: Option<PathBuf>,
    /// Wall-clock time a runtime may take to finish its init or to answer one invocation before it is stopped and the
    /// run fails (default 30 s).
    pub guard: Duration,
    /// The most runtime processes alive at once (default 64); beyond it the least recently used idle one is stopped.
    pub max_processes: usize,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions { log_dir: None, guard: Duration::from_secs(30), max_processes: 64 }
    }
}

/// What the pool did to processes, for a run to report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessStats {
    /// Runtime processes started.
    pub started: u64,
    /// Processes stopped by the cap while their environment lived on in the simulation (their init ran again at
    /// their next use: module-level state did not persist there as it would on AWS).
    pub evicted: u64,
    /// Processes that exited between two invocations of a live environment and were started again.
    pub restarted: u64,
}

/// How one function's runtime process starts: the compiled [`Code`] resolved against the scenario's directory.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The function's name.
    pub function: String,
    /// The program, resolved.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its working directory (`LAMBDA_TASK_ROOT`).
    pub cwd: PathBuf,
    /// The command as a person reads it.
    pub command_line: String,
    /// `AWS_EXECUTION_ENV` (`AWS_Lambda_python3.12`), for runtimes given by an AWS identifier other than `provided*`.
    pub execution_env: Option<String>,
    /// `_HANDLER`.
    pub handler: String,
    /// `AWS_REGION`.
    pub region: String,
    /// The function's own variables.
    pub variables: BTreeMap<String, String>,
}

/// Host variables a runtime process keeps: what finding and running programs on this machine needs (`PATH`, a
/// `HOME` for interpreter managers such as pyenv). Nothing else of lambdasim's environment passes, in particular no
/// `AWS_*` credentials or profile.
const HOST_VARIABLES: &[&str] = &["PATH", "HOME", "LD_LIBRARY_PATH", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION"];

impl Launch {
    /// Resolve a function's code against `base_dir`: the working directory must exist and the program be found.
    pub fn resolve(model: &Model, function: &str, code: &Code) -> Result<Launch, HandlerFailure> {
        let fail = |m: String| HandlerFailure { function: function.to_string(), message: m };
        let base = absolute(&model.base_dir);
        let cwd = if code.working_dir.is_empty() { base.clone() } else { base.join(&code.working_dir) };
        if !cwd.is_dir() {
            return Err(fail(format!(
                "cannot start its runtime `{}`: working directory {} does not exist",
                code.command_line(),
                cwd.display()
            )));
        }
        let (program, shown) = match &code.program {
            Program::Python => {
                let p = python_for(&cwd, &base);
                let shown = p.display().to_string();
                (p, shown)
            }
            Program::Search(name) => (PathBuf::from(name), name.clone()),
            Program::Path(p) => (cwd.join(p), p.clone()),
        };
        let command_line = std::iter::once(shown).chain(code.args.iter().cloned()).collect::<Vec<_>>().join(" ");
        let found = if program.components().count() > 1 { is_executable(&program) } else { search_path(&program).is_some() };
        if !found {
            let hint = match (&code.program, code.runtime_id.as_deref()) {
                (Program::Python, _) => {
                    " (a .venv with awslambdaric beside the code or the scenario, LAMBDASIM_PYTHON, or python3 on PATH)"
                }
                (_, Some(id)) if id.starts_with("nodejs") => " (run `npm install aws-lambda-ric` in the function's CodeUri)",
                (_, Some(_)) => " (build the function's executable `bootstrap` into its CodeUri)",
                _ => "",
            };
            let what = if program.components().count() > 1 {
                format!("{} does not exist or is not executable", program.display())
            } else {
                format!("{} is not on PATH", program.display())
            };
            return Err(fail(format!("cannot start its runtime `{command_line}`: {what}{hint}")));
        }
        Ok(Launch {
            function: function.to_string(),
            program,
            args: code.args.clone(),
            cwd,
            command_line,
            execution_env: code.runtime_id.as_ref().filter(|id| !id.starts_with("provided")).map(|id| format!("AWS_Lambda_{id}")),
            handler: code.handler.clone(),
            region: model.region.clone(),
            variables: code.variables.clone(),
        })
    }

    /// The process environment of one execution environment, as Lambda defines it (developer guide, "Defined runtime
    /// environment variables"): `_HANDLER`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_EXECUTION_ENV` (not for `provided*`
    /// and explicit commands), `AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
    /// `AWS_LAMBDA_FUNCTION_VERSION`, `AWS_LAMBDA_INITIALIZATION_TYPE` (`on-demand`, or `provisioned-concurrency` for a provisioned environment), `AWS_LAMBDA_LOG_GROUP_NAME`
    /// (`/aws/lambda/<function>`), `AWS_LAMBDA_LOG_STREAM_NAME` (`YYYY/MM/DD/[<version>]<id>`, the date of the
    /// virtual clock), `AWS_LAMBDA_RUNTIME_API`, `LAMBDA_TASK_ROOT` and `LAMBDA_RUNTIME_DIR` (the working directory:
    /// the code and the runtime live there, not in `/var/task` and `/var/runtime`), `LANG=en_US.UTF-8`, `TZ=:UTC`;
    /// then the host's `PATH`, `HOME`, `LD_LIBRARY_PATH`, `TMPDIR` (the programs run on this machine); then the
    /// function's `Environment.Variables`. No credentials: `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` point
    /// at `/dev/null` unless the function sets them, so that a handler run thousands of times from seeds cannot reach
    /// a real AWS account through the host's `~/.aws`.
    pub fn env_vars(&self, req: &Request<'_>, api: &str, generation: u64) -> Vec<(String, String)> {
        let date = chrono::DateTime::from_timestamp_millis(i64::try_from(req.deadline_ms).unwrap_or(0))
            .map(|d| d.format("%Y/%m/%d").to_string())
            .unwrap_or_else(|| "1970/01/01".into());
        let stream_id = crate::kernel::rng::fnv64(format!("{}/{}/{generation}", self.function, req.env).as_bytes());
        let root = self.cwd.display().to_string();
        let mut vars: Vec<(String, String)> = vec![
            ("_HANDLER".into(), self.handler.clone()),
            ("AWS_REGION".into(), self.region.clone()),
            ("AWS_DEFAULT_REGION".into(), self.region.clone()),
            ("AWS_LAMBDA_FUNCTION_NAME".into(), self.function.clone()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), req.memory_mb.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION".into(), req.version.to_string()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), if req.provisioned { "provisioned-concurrency" } else { "on-demand" }.into()),
            ("AWS_LAMBDA_LOG_GROUP_NAME".into(), format!("/aws/lambda/{}", self.function)),
            ("AWS_LAMBDA_LOG_STREAM_NAME".into(), format!("{date}/[{}]{stream_id:016x}{:016x}", req.version, u64::from(req.env))),
            ("AWS_LAMBDA_RUNTIME_API".into(), api.to_string()),
            ("LAMBDA_TASK_ROOT".into(), root.clone()),
            ("LAMBDA_RUNTIME_DIR".into(), root),
            ("LANG".into(), "en_US.UTF-8".into()),
            ("TZ".into(), ":UTC".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ];
        if let Some(e) = &self.execution_env {
            vars.push(("AWS_EXECUTION_ENV".into(), e.clone()));
        }
        for k in HOST_VARIABLES {
            if let Some(v) = std::env::var_os(k) {
                vars.push(((*k).to_string(), v.to_string_lossy().into_owned()));
            }
        }
        for (k, v) in &self.variables {
            vars.retain(|(x, _)| x != k);
            vars.push((k.clone(), v.clone()));
        }
        vars
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The Python of a `python3.*` runtime: `LAMBDASIM_PYTHON`, else `.venv/bin/python` in the code's directory, else in
/// the scenario's directory, else `python3` on `PATH`.
fn python_for(cwd: &Path, base: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("LAMBDASIM_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    for dir in [cwd, base] {
        let venv = dir.join(".venv/bin/python");
        if venv.exists() {
            return venv;
        }
    }
    PathBuf::from("python3")
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn search_path(name: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p))
}

/// Runtime processes serving the functions that have `Handler` and `Runtime`.
#[derive(Debug)]
pub struct ProcessHandlers {
    /// By function index; `None` for functions without code.
    launches: Vec<Option<Launch>>,
    /// Live processes by (function, environment).
    envs: BTreeMap<(u32, u32), Env>,
    opts: ProcessOptions,
    /// Log files by function index, opened on first use.
    logs: BTreeMap<u32, std::fs::File>,
    tick: u64,
    generation: u64,
    last_elapsed: Option<Duration>,
    stats: ProcessStats,
}

impl ProcessHandlers {
    /// Handlers for the model's functions that have code, or `None` when none has. Every function's working directory
    /// and program are checked here, before anything runs.
    pub fn new(model: &Model, opts: ProcessOptions) -> Result<Option<ProcessHandlers>, HandlerFailure> {
        let mut launches = Vec::with_capacity(model.functions.len());
        for f in &model.functions {
            launches.push(match &f.code {
                Some(code) => Some(Launch::resolve(model, &f.name, code)?),
                None => None,
            });
        }
        if launches.iter().all(Option::is_none) {
            return Ok(None);
        }
        if let Some(dir) = &opts.log_dir {
            std::fs::create_dir_all(dir).map_err(|e| HandlerFailure {
                function: launches.iter().flatten().next().map(|l| l.function.clone()).unwrap_or_default(),
                message: format!("cannot create the handler log directory {}: {e}", dir.display()),
            })?;
        }
        let opts = ProcessOptions { max_processes: opts.max_processes.max(1), ..opts };
        Ok(Some(ProcessHandlers {
            launches,
            envs: BTreeMap::new(),
            opts,
            logs: BTreeMap::new(),
            tick: 0,
            generation: 0,
            last_elapsed: None,
            stats: ProcessStats::default(),
        }))
    }

    /// How one function's runtime starts.
    pub fn launch(&self, function: FnId) -> Option<&Launch> {
        self.launches.get(function.ix()).and_then(Option::as_ref)
    }

    /// What the pool did so far.
    pub fn stats(&self) -> ProcessStats {
        self.stats
    }

    /// Runtime processes alive now.
    pub fn live_processes(&self) -> usize {
        self.envs.len()
    }

    /// The log file of a function, when logs are kept.
    pub fn log_path(&self, function_name: &str) -> Option<PathBuf> {
        self.opts.log_dir.as_ref().map(|d| d.join(format!("{function_name}.log")))
    }

    fn log_for(&mut self, req: &Request<'_>) -> Result<Option<std::fs::File>, HandlerFailure> {
        let Some(path) = self.log_path(req.function_name) else { return Ok(None) };
        let fail = |e: std::io::Error| HandlerFailure {
            function: req.function_name.to_string(),
            message: format!("cannot open its log file {}: {e}", path.display()),
        };
        let f = match self.logs.entry(req.function.0) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(fail)?)
            }
        };
        f.try_clone().map(Some).map_err(fail)
    }

    /// Start the process of `req`'s environment, stopping the least recently used one first at the cap.
    fn start(&mut self, req: &Request<'_>) -> Result<Env, HandlerFailure> {
        while self.envs.len() >= self.opts.max_processes {
            let Some(key) = self.envs.iter().min_by_key(|(_, e)| e.last_used).map(|(k, _)| *k) else { break };
            self.envs.remove(&key);
            self.stats.evicted += 1;
        }
        let log = self.log_for(req)?;
        let launch = self.launches[req.function.ix()].as_ref().ok_or_else(|| no_code(req))?;
        self.generation += 1;
        self.stats.started += 1;
        Env::start(launch, req, log, self.generation)
    }

    /// Error texts name the code's files under `/var/task`, where Lambda puts the code (`LAMBDA_TASK_ROOT`), instead
    /// of the directory they are in on this machine: the trace and its digest then do not depend on where the
    /// repository is checked out.
    fn relocate(&self, function: FnId, reply: Reply) -> Reply {
        let Some(launch) = self.launch(function) else { return reply };
        let root = format!("{}/", launch.cwd.display());
        let fix = |e: ErrorReply| ErrorReply {
            error_type: e.error_type,
            error_message: e.error_message.replace(&root, "/var/task/"),
            stack_trace: e.stack_trace.into_iter().map(|f| f.replace(&root, "/var/task/")).collect(),
        };
        match reply {
            Reply::Error(e) => Reply::Error(fix(e)),
            Reply::InitError(e) => Reply::InitError(fix(e)),
            other => other,
        }
    }

    fn guard_failure(&self, req: &Request<'_>, phase: &str) -> HandlerFailure {
        HandlerFailure {
            function: req.function_name.to_string(),
            message: format!(
                "its runtime did not {phase} for request {} within {:?} of wall-clock time (the handler guard); the process was stopped",
                req.request_id, self.opts.guard
            ),
        }
    }
}

fn no_code(req: &Request<'_>) -> HandlerFailure {
    HandlerFailure { function: req.function_name.to_string(), message: "has no Handler and Runtime: no runtime process serves it".into() }
}

impl Handlers for ProcessHandlers {
    fn serves(&self, function: FnId) -> bool {
        self.launch(function).is_some()
    }

    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure> {
        if !self.serves(req.function) {
            return Err(no_code(req));
        }
        self.tick += 1;
        let key = (req.function.0, req.env);
        if req.cold {
            // a cold start is a fresh environment: whatever ran under this id before is gone
            self.envs.remove(&key);
        }
        let mut env = match self.envs.remove(&key) {
            Some(e) => e,
            None => self.start(req)?,
        };
        env.last_used = self.tick;
        // a process that exited after its last answer gets one fresh start (its init runs again)
        let mut restarted = false;
        loop {
            match env.ready(Instant::now() + self.opts.guard) {
                Ok(None) => break,
                Ok(Some(init_failure)) => {
                    drop(env);
                    self.last_elapsed = None;
                    return Ok(self.relocate(req.function, init_failure));
                }
                Err(Stall::ExitedIdle(_)) if !restarted => {
                    drop(env);
                    self.stats.restarted += 1;
                    restarted = true;
                    env = self.start(req)?;
                    env.last_used = self.tick;
                }
                Err(Stall::ExitedIdle(status)) => {
                    return Err(HandlerFailure {
                        function: req.function_name.to_string(),
                        message: format!("its runtime process ended ({status}) twice before request {} reached it", req.request_id),
                    });
                }
                Err(Stall::TimedOut) => {
                    drop(env);
                    return Err(self.guard_failure(req, "ask for an event"));
                }
            }
        }
        let started = Instant::now();
        let outcome = env.invoke(req, started + self.opts.guard).map(|r| self.relocate(req.function, r));
        self.last_elapsed = Some(started.elapsed());
        match outcome {
            Ok(reply @ Reply::Exited { .. }) => Ok(reply),
            Ok(reply) => {
                self.envs.insert(key, env);
                Ok(reply)
            }
            Err(_) => {
                drop(env);
                Err(self.guard_failure(req, "answer"))
            }
        }
    }

    fn environment_ended(&mut self, function: FnId, env: u32) {
        self.envs.remove(&(function.0, env));
    }

    fn last_elapsed(&self) -> Option<Duration> {
        self.last_elapsed
    }
}

impl Drop for ProcessHandlers {
    fn drop(&mut self) {
        // each Env stops its process group and reaps it
        self.envs.clear();
    }
}
