//! The user's own AWS SAM / CloudFormation template read into scenario sections, without deploying anything (what
//! SAM CLI, moto and LocalStack do from a template, done here for the simulation).
//!
//! - `yaml`: JSON or YAML text, with CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...).
//! - `check`: the whole template checked before anything is resolved: every `Ref`, `Fn::GetAtt`, `Fn::Sub`
//!   variable and `DependsOn` names something, every intrinsic function is known, and no resources refer to each
//!   other in a cycle.
//! - `eval`: parameters (defaults and overrides), pseudo parameters, conditions, mappings and the intrinsic
//!   functions; `names`: the physical names and ARNs `Ref` and `Fn::GetAtt` resolve to.
//! - `cfn`: CloudFormation resources (`AWS::Lambda::*`, `AWS::SQS::Queue`, `AWS::SNS::*`, `AWS::Events::*`,
//!   `AWS::Scheduler::Schedule`, `AWS::Kinesis::Stream`, `AWS::DynamoDB::Table`, `AWS::S3::Bucket`,
//!   `AWS::Logs::SubscriptionFilter`, `AWS::KinesisFirehose::DeliveryStream`) into scenario sections;
//! - `sam`: SAM's transform (`AWS::Serverless-2016-10-31`): `Globals`, `AWS::Serverless::Function` with its
//!   `Events`, `EventInvokeConfig`, `DeadLetterQueue`, `AutoPublishAlias` and `DeploymentPreference`,
//!   `AWS::Serverless::SimpleTable`;
//! - `merge`: a scenario naming a template (`"Template": "template.yaml"`): the template's sections, the scenario's
//!   overlays on its functions, and the scenario's references by logical id.
//!
//! Every resource gives one line: imported (what it became) or skipped (why). Nothing is dropped silently. The
//! sources are the CloudFormation User Guide and the SAM specification (docs/sources.md, "Templates").

mod cfn;
mod check;
mod eval;
mod merge;
mod mq;
mod names;
mod out;
mod sam;
mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use merge::expand;

/// A problem in a template: the template path (`Resources.OrdersFunction.Properties.Events.Queue.Properties.Queue`)
/// and what is wrong, with how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// The template file, when known.
    pub file: Option<String>,
    /// The path inside the template (empty for the whole file).
    pub path: String,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl TemplateError {
    /// An error at a template path.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        TemplateError { file: None, path: path.into(), message: message.into() }
    }
    /// The same error, naming the file.
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.display().to_string());
        self
    }
    /// `file: path` (or the part that is known), for an error list's path column.
    pub fn location(&self) -> String {
        match (&self.file, self.path.is_empty()) {
            (Some(f), false) => format!("{f}: {}", self.path),
            (Some(f), true) => f.clone(),
            (None, _) => self.path.clone(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = self.location();
        if loc.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{loc}: {}", self.message)
        }
    }
}

impl std::error::Error for TemplateError {}

/// How to read a template.
#[derive(Debug, Clone)]
pub struct Options {
    /// The stack name (`AWS::StackName`, the first part of generated names). Default: the template file's stem.
    pub stack_name: Option<String>,
    /// Parameter values, overriding the template's defaults (`--parameter-overrides Key=Value`).
    pub parameters: BTreeMap<String, Value>,
    /// `AWS::Region` (default us-east-1, the scenario format's default).
    pub region: String,
    /// `AWS::AccountId` (default 123456789012).
    pub account: String,
    /// The directory of the scenario the import is for: `CodeUri` paths are written relative to it.
    pub scenario_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stack_name: None,
            parameters: BTreeMap::new(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            scenario_dir: PathBuf::from("."),
        }
    }
}

/// A simulated resource a logical id stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Logical {
    /// The resource type (`AWS::SQS::Queue`, ...).
    pub kind: String,
    /// The physical name.
    pub name: String,
    /// The ARN.
    pub arn: String,
}

/// What a template became.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// The stack name used.
    pub stack: String,
    /// Scenario sections (`Functions`, `Queues`, `Topics`, `EventBuses`, `Buckets`, `KinesisStreams`, `Tables`,
    /// `EventSourceMappings`, `DeliveryStreams`, `Changes`, `Simulation`), in the scenario format.
    pub sections: Map<String, Value>,
    /// One entry per way the template's functions are invoked from outside (an `Api` event, an S3 notification, a
    /// queue a mapping reads, ...): a `Workload` entry firing once at 1 s, for `lambdasim import` to write as a stub.
    pub workload: Vec<Value>,
    /// One line per imported resource: what it became.
    pub imported: Vec<String>,
    /// One line per resource or property not simulated, and per function whose own code will not run: why.
    pub skipped: Vec<String>,
    /// Logical id -> the simulated resource (functions, queues, topics, buses, streams, tables, buckets).
    pub logical: BTreeMap<String, Logical>,
}

/// Read a template file.
pub fn import_file(path: &Path, opts: &Options) -> Result<Import, TemplateError> {
    let text = crate::vocab::read_input(path).map_err(|e| {
        TemplateError::new("", e.replacen(&format!("cannot read {}", path.display()), "cannot read the template", 1)).in_file(path)
    })?;
    let mut opts = opts.clone();
    if opts.stack_name.is_none() {
        let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "stack".into());
        opts.stack_name = Some(stack_name_from(&stem));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    import_str(&text, &dir, &opts).map_err(|e| e.in_file(path))
}

/// A stack name from a file stem: letters, digits and hyphens, starting with a letter (CloudFormation's rule).
fn stack_name_from(stem: &str) -> String {
    let s: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("stack-{s}")
    }
}

/// Read a template's text; `template_dir` is where its `CodeUri` paths start.
pub fn import_str(text: &str, template_dir: &Path, opts: &Options) -> Result<Import, TemplateError> {
    let doc = yaml::parse(text)?;
    let empty = Map::new();
    let resources = doc.get("Resources").and_then(Value::as_object).unwrap_or(&empty);
    if resources.is_empty() {
        return Err(TemplateError::new("Resources", "the template has no resources (a template needs a Resources section)"));
    }
    check::check(&doc)?;
    let stack = opts.stack_name.clone().unwrap_or_else(|| "stack".into());
    let ctx = eval::Ctx::new(&doc, resources, &opts.region, &opts.account, &stack, &opts.parameters)?;
    let sam = is_sam(&doc);
    let mut out = out::Out::new(template_dir, &opts.scenario_dir, &opts.region, &opts.account);
    let globals = if sam { sam::globals(&doc, &ctx)? } else { Map::new() };
    // Resources that exist on their own first (targets, functions), then what attaches to them.
    for pass in [out::Pass::Primary, out::Pass::Attach] {
        for (id, res) in resources {
            let path = format!("Resources.{id}");
            let ty = res.get("Type").and_then(Value::as_str).unwrap_or("");
            if let Some(c) = res.get("Condition").and_then(Value::as_str) {
                if !ctx.condition(c, &format!("{path}.Condition"))? {
                    if pass == out::Pass::Primary {
                        out.skipped.push(format!("{path}: condition {c} is false; not created"));
                    }
                    continue;
                }
            }
            if ty.starts_with("AWS::Serverless::") {
                if !sam {
                    return Err(TemplateError::new(
                        format!("{path}.Type"),
                        format!("{ty} needs `Transform: AWS::Serverless-2016-10-31` at the top of the template"),
                    ));
                }
                sam::resource(&mut out, &ctx, &globals, id, ty, res, pass)?;
            } else {
                cfn::resource(&mut out, &ctx, id, ty, res, pass)?;
            }
        }
    }
    cfn::place_qualified_configs(&mut out)?;
    for (section, what) in [("Outputs", "outputs and exports"), ("Rules", "template rules"), ("Hooks", "hooks")] {
        if doc.get(section).is_some() {
            out.skipped.push(format!("{section}: {what} are not simulated"));
        }
    }
    Ok(out.finish(stack))
}

/// Whether the template asks for SAM's transform.
fn is_sam(doc: &Value) -> bool {
    match doc.get("Transform") {
        Some(Value::String(s)) => s.starts_with("AWS::Serverless"),
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str().is_some_and(|s| s.starts_with("AWS::Serverless"))),
        _ => false,
    }
}

/// A whole scenario file for `lambdasim import`: the sections, the workload stub, and a description listing what was
/// imported and skipped.
pub fn scenario_document(imp: &Import, name: &str, template: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("Name".into(), Value::String(name.into()));
    doc.insert(
        "Description".into(),
        Value::String(format!(
            "Imported from {template} (stack {}). Functions without their own code run the default Behavior (100 ms, success): \
             add Behavior to shape them. The Workload fires each entry point once at 1 s; replace it with your load.",
            imp.stack
        )),
    );
    for (k, v) in &imp.sections {
        doc.insert(k.clone(), v.clone());
    }
    if !imp.workload.is_empty() {
        doc.insert("Workload".into(), Value::Array(imp.workload.clone()));
    }
    Value::Object(doc)
}
