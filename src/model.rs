//! The validated model: a scenario file checked against AWS's bounds, names resolved to typed ids, distributions and
//! patterns compiled. The simulation only ever sees a [`Model`]; everything a user can get wrong is reported here, each
//! problem with its JSON path, its value and the allowed range (exit code 2 in the CLI).
//!
//! [`Model::build`] runs the section builders in file order, each beside the types it builds: [`settings`] (account,
//! `Simulation`, `Pricing`), [`targets`], [`function`] (functions and faults), [`versions`] (the timeline),
//! [`workload`], then queues and mappings (`esm`), [`fanout`], [`firehose`] and the expectations ([`checks`]).

pub mod checks;
pub mod dist;
pub mod error;
pub mod function;
pub mod ids;
pub mod runtime;
pub mod settings;
pub mod targets;
mod validate;
pub mod versions;
pub mod workload;

use crate::model::error::{ScenarioError, ScenarioErrors};
pub use crate::model::versions::{Alias, AsyncSettings, Change, ChangeKind, DlqScope, FnConfig, FnSetup, PcPeriod, Qualifier, Routing};
use crate::scenario::*;
pub use checks::Expectation;

mod esm;
pub mod fanout;
pub mod firehose;
pub use esm::{
    BrokerQueue, DocDbConfig, Esm, EsmSource, Mapping, MessageAttributes, Producer, ProducerTarget, Queue, StartingPosition, Stream,
    StreamKind,
};
pub(crate) use function::{parse_qualifier, resolve_function, resolve_function_ref};
pub use function::{Architecture, DeliveryFault, Fault, Function, Rule};
pub use ids::{FnId, MappingId, QueueId, StreamId, TargetId};
pub use settings::{
    account_burst_for_region, Pricing, Scaling, Settings, ASYNC_PAYLOAD_CURRENT, ASYNC_PAYLOAD_LEGACY, INIT_LIMIT, RESPONSE_LIMIT,
    SNS_MESSAGE_LIMIT, SQS_MESSAGE_LIMIT, SYNC_PAYLOAD_LIMIT,
};
pub(crate) use targets::Resolver;
pub use targets::{wire_message, Target, TargetKind};
pub(crate) use validate::V;
pub use workload::{Arrivals, Caller, Source, WorkEstimate};

/// A scenario, validated.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario's `Name`.
    pub name: String,
    /// The AWS region ARNs and payloads use.
    pub region: String,
    /// The AWS account id ARNs and payloads use.
    pub account_id: String,
    /// The account's concurrency limit (`Account.ConcurrentExecutions`, default 1000).
    pub account_limit: u32,
    /// Concurrency left to functions without a reservation.
    pub unreserved_pool: u32,
    /// The functions, indexed by `FnId`.
    pub functions: Vec<Function>,
    /// Destinations and DLQs, indexed by `TargetId`.
    pub targets: Vec<Target>,
    /// The target that invokes each function (for Lambda destinations), by function index.
    pub function_targets: Vec<TargetId>,
    /// Workload sources (arrivals).
    pub sources: Vec<Source>,
    /// The scenario's expectations, in file order.
    pub expectations: Vec<Expectation>,
    /// Changes on the timeline, in the order they apply (time, then position in the file).
    pub changes: Vec<Change>,
    /// Destinations and DLQs that reject deliveries for a while.
    pub delivery_faults: Vec<DeliveryFault>,
    /// Simulation settings (`Simulation`).
    pub settings: Settings,
    /// Prices for cost figures (spec section 8).
    pub pricing: Pricing,
    /// Queues, streams, event source mappings and producers (spec section 5).
    pub esm: Esm,
    /// Live SNS topics and EventBridge buses, and their publishers (spec section 7).
    pub fanout: fanout::Fanout,
    /// Firehose delivery streams with a Lambda transformation, and their producers.
    pub firehose: firehose::Firehose,
    /// Stable hash of the scenario file's canonical JSON.
    pub digest: u64,
    /// The directory relative paths in the scenario (`CodeUri`, `Runtime.WorkingDirectory`, `Template`) start from:
    /// the scenario file's directory ([`load_file`]), else the current directory.
    pub base_dir: std::path::PathBuf,
}

impl Model {
    /// The function with id `id`.
    pub fn function(&self, id: FnId) -> &Function {
        &self.functions[id.ix()]
    }
    /// The target with id `id`.
    pub fn target(&self, id: TargetId) -> &Target {
        &self.targets[id.ix()]
    }
    /// The id of the function named `name`.
    pub fn function_by_name(&self, name: &str) -> Option<FnId> {
        self.functions.iter().position(|f| f.name == name).map(|i| FnId(i as u32))
    }
    /// The id of the target with ARN `arn`.
    pub fn target_by_arn(&self, arn: &str) -> Option<TargetId> {
        self.targets.iter().position(|t| t.arn == arn).map(|i| TargetId(i as u32))
    }
}

/// Parse a scenario from JSON text; errors name the JSON path (line and column for a syntax error). The text must be
/// one JSON object.
pub fn parse_scenario(text: &str) -> Result<Scenario, ScenarioErrors> {
    check_document(text)?;
    deserialize_text(text)
}

/// The scenario's struct from JSON text already known to be one JSON object.
fn deserialize_text(text: &str) -> Result<Scenario, ScenarioErrors> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ScenarioError::new(path, e.inner().to_string()).into()
    })
}

/// The text as a JSON document that is an object: a syntax error says where (line and column), and any other value
/// at the top (an array, a string, a number) is refused, naming what was found. (serde would accept an array as a
/// struct's sequence form.)
fn check_document(text: &str) -> Result<serde_json::Value, ScenarioErrors> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ScenarioError::new(String::new(), format!("not valid JSON: {e}")))?;
    let found = match &doc {
        serde_json::Value::Object(_) => return Ok(doc),
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
    };
    Err(ScenarioError::new(
        String::new(),
        format!("a scenario must be a JSON object ({{\"Functions\": [...], ...}}); found {found} at the top level"),
    )
    .into())
}

/// Parse and validate. A `Template` the scenario names is read relative to the current directory.
pub fn load_str(text: &str) -> Result<Model, ScenarioErrors> {
    load_str_in(text, std::path::Path::new("."))
}

/// Parse and validate a scenario whose relative paths (`Template`, `CodeUri`) start from `base_dir`.
pub fn load_str_in(text: &str, base_dir: &std::path::Path) -> Result<Model, ScenarioErrors> {
    let (scenario, _) = parse_scenario_in(text, base_dir)?;
    let mut model = Model::build(&scenario)?;
    model.base_dir = base_dir.to_path_buf();
    Ok(model)
}

/// Read, parse and validate a scenario file; relative paths in it start from the file's directory.
pub fn load_file(path: &std::path::Path) -> Result<Model, ScenarioErrors> {
    read_file(path).map(|l| l.model)
}

/// A scenario file read: the scenario (with its template expanded), its model, and what the template gave.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario as it runs: a template's sections merged in, `Template` and `Parameters` gone.
    pub scenario: Scenario,
    /// The validated model.
    pub model: Model,
    /// What the template gave (imported and skipped lines), when the scenario names one.
    pub import: Option<crate::template::Import>,
    /// The files read: the scenario file, then the template it names (a caller refuses to write over them).
    pub inputs: Vec<std::path::PathBuf>,
}

/// Read, parse and validate a scenario file, keeping the expanded scenario and the template's import report.
pub fn read_file(path: &std::path::Path) -> Result<Loaded, ScenarioErrors> {
    let text = crate::vocab::read_input(path).map_err(|e| ScenarioError::new(String::new(), e))?;
    let base = base_dir_of(path);
    let (scenario, import, template) = parse_in(&text, &base)?;
    let mut model = Model::build(&scenario).map_err(|e| from_template(e, import.as_ref()))?;
    model.base_dir = base;
    let inputs = std::iter::once(path.to_path_buf()).chain(template).collect();
    Ok(Loaded { scenario, model, import, inputs })
}

/// Errors in entries that came from a template say so (their paths are those of the expanded scenario).
fn from_template(mut errs: ScenarioErrors, import: Option<&crate::template::Import>) -> ScenarioErrors {
    let Some(imp) = import else { return errs };
    for e in &mut errs.0 {
        let Some((section, rest)) = e.path.split_once('[') else { continue };
        let index: Option<usize> = rest.split(']').next().and_then(|i| i.parse().ok());
        let from_template = imp.sections.get(section).and_then(|v| v.as_array()).zip(index).is_some_and(|(a, i)| i < a.len());
        if from_template {
            e.message += " (this entry comes from the template; `lambdasim import` shows it as a scenario)";
        }
    }
    errs
}

/// Parse a scenario, expanding the template it names (`Template`, relative to `base_dir`): the template's
/// resources become scenario sections (README, "From your SAM template"). A scenario without `Template` parses
/// exactly as [`parse_scenario`] parses it.
pub fn parse_scenario_in(text: &str, base_dir: &std::path::Path) -> Result<(Scenario, Option<crate::template::Import>), ScenarioErrors> {
    parse_in(text, base_dir).map(|(s, i, _)| (s, i))
}

/// A scenario parsed with its template expanded, and the template file's path when it names one.
type Parsed = (Scenario, Option<crate::template::Import>, Option<std::path::PathBuf>);

/// [`parse_scenario_in`], also giving the path of the template read.
fn parse_in(text: &str, base_dir: &std::path::Path) -> Result<Parsed, ScenarioErrors> {
    let mut doc = check_document(text)?;
    let names_template = doc.get("Template").is_some() || doc.get("Parameters").is_some();
    if !names_template {
        if doc.get("Functions").is_none() {
            // `Functions` may be left out only when a template gives the functions.
            return Err(ScenarioError::new(
                String::new(),
                "missing field `Functions` (or name a SAM / CloudFormation template with `Template`)",
            )
            .into());
        }
        return deserialize_text(text).map(|s| (s, None, None));
    }
    let template = match doc.get("Template") {
        Some(serde_json::Value::String(p)) => Some(base_dir.join(p)),
        Some(t) => t.get("Path").and_then(serde_json::Value::as_str).map(|p| base_dir.join(p)),
        None => None,
    };
    let import = crate::template::expand(&mut doc, base_dir).map_err(|e| ScenarioError::new(e.location(), e.message))?;
    let scenario = serde_path_to_error::deserialize::<_, Scenario>(doc).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ScenarioErrors::from(ScenarioError::new(path, e.inner().to_string()))
    })?;
    Ok((scenario, import, template))
}

/// The directory a scenario file's relative paths start from.
pub fn base_dir_of(path: &std::path::Path) -> std::path::PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

impl Model {
    /// Validate a parsed scenario. Every problem is reported, in file order, each with its JSON path.
    pub fn build(sc: &Scenario) -> Result<Model, ScenarioErrors> {
        crate::vocab::reset_suggestions();
        if sc.template.is_some() || sc.parameters.is_some() {
            return Err(ScenarioError::new(
                "Template",
                "a scenario that names a template is read with its file (lambdasim::load_file, or parse_scenario_in with its directory)",
            )
            .into());
        }
        let mut v = V { errors: vec![] };
        let v = &mut v;
        let (region, account, account_limit) = settings::build_account(v, sc);
        let settings = settings::build_settings(v, sc);
        let pricing = settings::build_pricing(v, sc.pricing.as_ref());
        let targets::Targets { targets, fn_names, function_targets, resolver } = targets::build_targets(v, sc, &region, &account);
        let mut functions = function::build_functions(v, sc, &region, &account, account_limit, &resolver);
        function::settle_alias_async(v, sc, &mut functions);
        let (setups, unreserved_pool) = function::unreserved_pool(v, &functions, account_limit);
        let scope = versions::TimelineScope { region: &region, account: &account, account_limit, fn_names: &fn_names, resolver: &resolver };
        let (mut changes, mapping_changes) = versions::build_changes(v, sc, &scope, &mut functions, setups);
        let delivery_faults = function::build_faults(v, sc, &region, &account, &fn_names, &resolver, &mut functions);
        function::fill_stack_traces(&mut functions, sc);
        let work = workload::build_workload(v, sc, &region, &account, &fn_names, &functions);
        let esm = esm::build(v, sc, &region, &account, &targets, &functions, &fn_names, work.producers);
        versions::resolve_mapping_changes(v, mapping_changes, &esm, &scope, &mut changes);
        let fanout = fanout::build(v, sc, &targets, &resolver, &esm, settings.horizon, work.publishers);
        let firehose = firehose::build(v, sc, &region, &account, &functions, &fn_names, work.firehose);
        let mut settings = settings;
        settings.work = workload::estimate_work(sc, settings.horizon, &fanout);

        let digest = crate::kernel::rng::fnv64(serde_json::to_string(sc).unwrap_or_default().as_bytes());
        let mut model = Model {
            name: sc.name.clone().unwrap_or_else(|| "scenario".into()),
            region,
            account_id: account,
            account_limit,
            unreserved_pool,
            functions,
            targets,
            function_targets,
            sources: work.sources,
            expectations: vec![],
            changes,
            delivery_faults,
            settings,
            pricing,
            esm,
            fanout,
            firehose,
            digest,
            base_dir: std::path::PathBuf::from("."),
        };
        for (i, e) in sc.expectations.iter().enumerate() {
            match checks::compile(e, &format!("Expectations[{i}]"), i, &model, &fn_names) {
                Ok(x) => model.expectations.push(x),
                Err(err) => v.errors.push(err),
            }
        }
        if v.errors.is_empty() {
            Ok(model)
        } else {
            Err(ScenarioErrors(std::mem::take(&mut v.errors)))
        }
    }
}
