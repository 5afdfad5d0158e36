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
}

impl TraceWriter {
    pub fn new(out: Box<dyn Write>) -> Self {
        TraceWriter { out, error: None, payloads: false }
    }
    /// Also write what each step carried: the event a function received (`Accepted`: `"input"`, once per event,
    /// the same for every attempt), the record or message a target received (`Delivered`, `MessageSent` of a
    /// redrive: `"record"`), a synchronous caller's response (`Fate`: `"response"`), a handler's reply (already in
    /// `HandlerReply`). Off by default: it costs time and space.
    pub fn with_payloads(mut self, on: bool) -> Self {
        self.payloads = on;
        self
    }
    pub fn to_file(path: &Path) -> io::Result<Self> {
        Ok(Self::new(Box::new(BufWriter::new(File::create(path)?))))
    }
    pub(crate) fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
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
    files: Vec<Option<BufWriter<File>>>,
    /// Per delivery stream: delivered records, processing-failed records.
    firehose: Vec<[BufWriter<File>; 2]>,
    error: Option<io::Error>,
}

impl SinkWriter {
    /// Creates the directory and one (possibly empty) file per target that can receive messages.
    pub fn create(dir: &Path, model: &Model) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut used = vec![false; model.targets.len()];
        for f in model.functions.iter().flat_map(|f| &f.configs) {
            for t in [f.on_success, f.on_failure, f.dlq].into_iter().flatten() {
                used[t.ix()] = true;
            }
        }
        let mut files = vec![];
        for (i, t) in model.targets.iter().enumerate() {
            let wanted = used[i] || !matches!(t.kind, TargetKind::Lambda(_));
            files.push(if wanted { Some(BufWriter::new(File::create(dir.join(format!("{}.jsonl", t.file_stem)))?)) } else { None });
        }
        let mut firehose = vec![];
        for ds in &model.firehose.streams {
            firehose.push([
                BufWriter::new(File::create(dir.join(format!("firehose-{}.jsonl", ds.name)))?),
                BufWriter::new(File::create(dir.join(format!("firehose-{}.processing-failed.jsonl", ds.name)))?),
            ]);
        }
        Ok(SinkWriter { files, firehose, error: None })
    }
    pub(crate) fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for f in self.files.iter_mut().flatten().chain(self.firehose.iter_mut().flatten()) {
            f.flush()?;
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
                let r = serde_json::to_writer(&mut *f, content).map_err(io::Error::from).and_then(|_| f.write_all(b"\n"));
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
            return;
        }
        if let Some((target, Some(content))) = redriven(ev, ctx) {
            if let Some(Some(f)) = self.files.get_mut(target.ix()) {
                let r = serde_json::to_writer(&mut *f, content).map_err(io::Error::from).and_then(|_| f.write_all(b"\n"));
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
                let r = serde_json::to_writer(&mut *f, &msg).map_err(io::Error::from).and_then(|_| f.write_all(b"\n"));
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
