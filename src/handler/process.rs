//! Runtime processes behind the Lambda Runtime API (version 2018-06-01), served on loopback: one process per
//! simulated execution environment, started from the function's `Runtime` command.
//!
//! (Skeleton: filled in by the real-handlers work.)

use super::{HandlerFailure, Handlers, Reply, Request};
use crate::model::{FnId, Model};

/// Settings of the process pool.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    /// Where each function's runtime output goes (one log file per function, like CloudWatch Logs).
    pub log_dir: Option<std::path::PathBuf>,
}

/// Runtime processes serving the functions that have `Handler` and `Runtime`.
#[derive(Debug)]
pub struct ProcessHandlers {
    _private: (),
}

impl ProcessHandlers {
    /// Handlers for the model's functions that have code, or `None` when none has.
    pub fn new(model: &Model, opts: ProcessOptions) -> Result<Option<ProcessHandlers>, HandlerFailure> {
        let _ = (model, opts);
        Ok(None)
    }
}

impl Handlers for ProcessHandlers {
    fn serves(&self, _function: FnId) -> bool {
        false
    }
    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure> {
        Err(HandlerFailure { function: req.function_name.to_string(), message: "no runtime process".into() })
    }
}
