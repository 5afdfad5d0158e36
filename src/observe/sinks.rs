//! Observers that write what a run produces as it goes: the trace as JSON lines ([`TraceWriter`]), the messages each
//! destination, dead-letter queue and Firehose stream receives ([`SinkWriter`], one file per target), and the same
//! messages kept in memory ([`MemorySinks`]). The wire format of the messages is spec section 3 (destination records)
//! and spec 9 (Firehose output).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde_json::Value;

use crate::kernel::time::SimTime;
use crate::model::wire_message;
use crate::model::{Model, TargetKind};
use crate::trace::{self, Ctx, Observer, TraceEvent};
use crate::vocab::RecordKind;

/// Writes the trace as JSON lines as the run goes.
pub struct TraceWriter {
    out: Box<dyn Write>,
    error: Option<io::Error>,
    payloads: bool,
    /// The file written, for error messages (none for a writer given by the caller).
    path: Option<std::path::PathBuf>,
}

/// An IO error that names the file it happened on: `cannot write FILE: why`.
fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
}

impl TraceWriter {
    /// Writes the trace to `out` (flushed by the run at its end; a write error fails the run).
    pub fn new(out: Box<dyn Write>) -> Self {
        TraceWriter { out, error: None, payloads: false, path: None }
    }
    /// Also write what each step carried: the event a function received (`Accepted`: `"input"`, once per event,
    /// the same for every attempt), the record or message a target received (`Delivered`, `MessageSent` of a
    /// redrive: `"record"`), a synchronous caller's response (`Fate`: `"response"`), a handler's reply (already in
    /// `HandlerReply`). Off by default: it costs time and space.
    pub fn with_payloads(mut self, on: bool) -> Self {
        self.payloads = on;
        self
    }
    /// Writes the trace to the file `path` (created or truncated); its errors name the file.
    pub fn to_file(path: &Path) -> io::Result<Self> {
        let f = File::create(path).map_err(|e| named(path, e))?;
        Ok(TraceWriter { path: Some(path.to_path_buf()), ..Self::new(Box::new(BufWriter::new(f))) })
    }
    pub(crate) fn finish(mut self) -> io::Result<()> {
        let r = match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        match (r, &self.path) {
            (Err(e), Some(p)) => Err(named(p, e)),
            (Err(e), None) => Err(io::Error::new(e.kind(), format!("cannot write the trace: {e}"))),
            (Ok(()), _) => Ok(()),
        }
    }
}

impl Observer for TraceWriter {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if self.error.is_some() {
            return;
        }
        let mut line = trace::to_json(t, ev, ctx);
        if let (true, Some(c), Value::Object(o)) = (self.payloads, ctx.content, &mut line) {
            let key = match ev {
                TraceEvent::Accepted { .. } => "input",
                TraceEvent::Fate { .. } => "response",
                _ => "record",
            };
            o.insert(key.into(), c.clone());
        }
        let r = serde_json::to_writer(&mut self.out, &line).map_err(io::Error::from).and_then(|_| self.out.write_all(b"\n"));
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
    fn wants_content(&self) -> bool {
        self.payloads
    }
}

/// Writes `DIR/<target>.jsonl`: one line per message, exactly as the target receives it; for each Firehose delivery
/// stream `DIR/firehose-<stream>.jsonl` (each delivered record's transformed data, JSON when it parses) and
/// `DIR/firehose-<stream>.processing-failed.jsonl` (the error output records of the `processing-failed/` prefix).
pub struct SinkWriter {
    files: Vec<Option<Sink>>,
    /// Per delivery stream: delivered records, processing-failed records.
    firehose: Vec<[Sink; 2]>,
    error: Option<io::Error>,
}

/// One sink file and its path (for error messages).
struct Sink {
    path: std::path::PathBuf,
    out: BufWriter<File>,
}

impl Sink {
    fn create(path: std::path::PathBuf) -> io::Result<Sink> {
        let out = BufWriter::new(File::create(&path).map_err(|e| named(&path, e))?);
        Ok(Sink { path, out })
    }
    /// One JSON line; an error names the file.
    fn line(&mut self, v: &Value) -> io::Result<()> {
        let out = &mut self.out;
        serde_json::to_writer(&mut *out, v).map_err(io::Error::from).and_then(|_| out.write_all(b"\n")).map_err(|e| named(&self.path, e))
    }
}

impl SinkWriter {
    /// The files [`SinkWriter::create`] writes in `dir`: per target that can receive messages (`None` for the
    /// others), and per Firehose delivery stream (delivered, processing-failed).
    fn plan(dir: &Path, model: &Model) -> (Vec<Option<std::path::PathBuf>>, Vec<[std::path::PathBuf; 2]>) {
        let mut used = vec![false; model.targets.len()];
        for f in model.functions.iter().flat_map(|f| &f.configs) {
            for t in [f.on_success, f.on_failure, f.dlq].into_iter().flatten() {
                used[t.ix()] = true;
            }
        }
        for a in model.functions.iter().flat_map(|f| &f.aliases).filter_map(|a| a.asynchronous) {
            for t in [a.on_success, a.on_failure].into_iter().flatten() {
                used[t.ix()] = true;
            }
        }
        let files = model
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| (used[i] || !matches!(t.kind, TargetKind::Lambda(_))).then(|| dir.join(format!("{}.jsonl", t.file_stem))))
            .collect();
        let firehose = model
            .firehose
            .streams
            .iter()
            .map(|ds| [dir.join(format!("firehose-{}.jsonl", ds.name)), dir.join(format!("firehose-{}.processing-failed.jsonl", ds.name))])
            .collect();
        (files, firehose)
    }
    /// Every file [`SinkWriter::create`] would write in `dir` (so a caller can refuse a directory where one of them
    /// is an input).
    pub fn paths(dir: &Path, model: &Model) -> Vec<std::path::PathBuf> {
        let (files, firehose) = Self::plan(dir, model);
        files.into_iter().flatten().chain(firehose.into_iter().flatten()).collect()
    }
    /// Creates the directory and one (possibly empty) file per target that can receive messages.
    pub fn create(dir: &Path, model: &Model) -> io::Result<Self> {
        fs::create_dir_all(dir).map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display())))?;
        let (plan_files, plan_firehose) = Self::plan(dir, model);
        let mut files = vec![];
        for p in plan_files {
            files.push(p.map(Sink::create).transpose()?);
        }
        let mut firehose = vec![];
        for [a, b] in plan_firehose {
            firehose.push([Sink::create(a)?, Sink::create(b)?]);
        }
        Ok(SinkWriter { files, firehose, error: None })
    }
    pub(crate) fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for f in self.files.iter_mut().flatten().chain(self.firehose.iter_mut().flatten()) {
            f.out.flush().map_err(|e| named(&f.path, e))?;
        }
        Ok(())
    }
}

impl Observer for SinkWriter {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let (TraceEvent::FirehoseRecordFate { stream, fate, .. }, Some(content)) = (ev, ctx.content) {
            let i = match fate {
                crate::vocab::FirehoseFate::Delivered => 0,
                crate::vocab::FirehoseFate::ProcessingFailed => 1,
                _ => return,
            };
            if let Some(f) = self.firehose.get_mut(*stream as usize).map(|x| &mut x[i]) {
                let r = f.line(content);
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
            return;
        }
        if let Some((target, Some(content))) = redriven(ev, ctx) {
            if let Some(Some(f)) = self.files.get_mut(target.ix()) {
                let r = f.line(content);
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
            return;
        }
        if let (TraceEvent::Delivered { event, function, target, kind, failure: None }, Some(content)) = (ev, ctx.content) {
            let fd = ctx.model.function(*function);
            let msg = wire_message(ctx.model, *target, *kind, content, &fd.arn, t, event.wrapping_mul(4) + *kind as u64);
            if let Some(Some(f)) = self.files.get_mut(target.ix()) {
                let r = f.line(&msg);
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
        }
    }
    fn wants_content(&self) -> bool {
        true
    }
}

/// A message SQS redrove to a dead-letter queue, with that queue's target: the message as the queue holds it
/// (`{"body", "messageAttributes"}`). It counts as a `DeadLetter` record of that target.
/// The content is there when an observer of the run wants content.
pub(crate) fn redriven<'c>(ev: &TraceEvent, ctx: &Ctx<'c>) -> Option<(crate::model::TargetId, Option<&'c Value>)> {
    match ev {
        TraceEvent::MessageSent { queue, origin: crate::trace::MsgOrigin::Redrive { .. }, .. } => {
            Some((ctx.model.esm.queue(*queue).target, ctx.content))
        }
        _ => None,
    }
}

/// Keeps every delivered message in memory, as the target receives it: for tests and library users on small runs.
#[derive(Debug, Default, Clone)]
pub struct MemorySinks {
    /// (target name, record kind, message) in delivery order.
    pub messages: Vec<(String, RecordKind, Value)>,
    /// (target name, content) where content is the record (destinations) or `{"body","attributes"}` (DLQ; with
    /// `"bodyText"`, the payload's bytes as written, when they are not its compact form).
    pub contents: Vec<(String, Value)>,
}

impl Observer for MemorySinks {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let Some((target, Some(content))) = redriven(ev, ctx) {
            let name = ctx.model.target(target).name.clone();
            self.messages.push((name.clone(), RecordKind::DeadLetter, content.clone()));
            self.contents.push((name, content.clone()));
            return;
        }
        if let (TraceEvent::Delivered { event, function, target, kind, failure: None }, Some(content)) = (ev, ctx.content) {
            let fd = ctx.model.function(*function);
            let name = ctx.model.target(*target).name.clone();
            self.messages.push((
                name.clone(),
                *kind,
                wire_message(ctx.model, *target, *kind, content, &fd.arn, t, event.wrapping_mul(4) + *kind as u64),
            ));
            self.contents.push((name, content.clone()));
        }
    }
    fn wants_content(&self) -> bool {
        true
    }
}
