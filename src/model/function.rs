//! Functions: their architecture, reserved and provisioned concurrency, configurations (`$LATEST`, versions),
//! aliases, validated (spec sections 1, 3.2, 4, 6; behaviour rules and faults in `behavior`); and how a function reference
//! (a name, `name:qualifier` or an ARN) resolves to a function and a qualifier.

use std::collections::BTreeMap;

use super::targets::Resolver;
use super::validate::V;
use super::{Alias, AsyncSettings, FnConfig, FnId, FnSetup, PcPeriod, Qualifier, Routing, TargetKind};
use crate::kernel::time::SimTime;
use crate::scenario::*;

mod behavior;
pub(super) use behavior::{build_faults, fill_stack_traces};
use behavior::{build_rule, compile_dist};
pub use behavior::{DeliveryFault, Fault, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A function's instruction set architecture (prices differ, spec section 8).
pub enum Architecture {
    /// `x86_64` (the default).
    X86_64,
    /// `arm64`.
    Arm64,
}

#[derive(Debug, Clone)]
/// A validated function: its configurations, aliases and timeline setup.
pub struct Function {
    /// `FunctionName`.
    pub name: String,
    /// Unqualified ARN.
    pub arn: String,
    /// `Architectures`.
    pub architecture: Architecture,
    /// Reserved concurrency at time 0 (changes on the timeline: `setup` and `Model::changes`).
    pub reserved: Option<u32>,
    /// Faults on the function's timeline.
    pub faults: Vec<Fault>,
    /// Code and settings: `[0]` is `$LATEST` as declared, then the declared `Versions`, then the configurations that
    /// deploys and publications on the timeline create.
    pub configs: Vec<FnConfig>,
    /// Its aliases.
    pub aliases: Vec<Alias>,
    /// What the timeline can change, as it is at time 0.
    pub setup: FnSetup,
    /// Provisioned concurrency billing periods over the whole timeline (spec section 8).
    pub pc_periods: Vec<PcPeriod>,
    /// Provisioned concurrency is configured at some time.
    pub uses_pc: bool,
    /// The function's own code (`Handler` and `Runtime`), which serves its executions instead of its `Behavior`.
    pub code: Option<super::runtime::Code>,
    /// How the function's runtime writes an unhandled error.
    pub error_format: crate::aws::destinations::ErrorFormat,
}

impl Function {
    /// `$LATEST` as declared: the configuration of functions without versions or deploys.
    pub fn base(&self) -> &FnConfig {
        &self.configs[0]
    }
    /// Configuration `c` (an index in `configs`).
    pub fn config(&self, c: u32) -> &FnConfig {
        &self.configs[c as usize]
    }
    /// The configuration whose execution environments configuration `c` runs on (`FnConfig::environments_of`).
    #[inline]
    pub fn environments(&self, c: u32) -> u32 {
        self.configs[c as usize].environments_of.unwrap_or(c)
    }
    /// The function has more than one configuration (versions or deploys): traces and reports name the version.
    pub fn versioned(&self) -> bool {
        self.configs.len() > 1
    }
    /// `$LATEST`, a version number or an alias name.
    pub fn qualifier_name(&self, q: Qualifier) -> String {
        match q {
            Qualifier::Latest => "$LATEST".into(),
            Qualifier::Version(c) => self.configs.get(c as usize).map(|x| x.label()).unwrap_or_default(),
            Qualifier::Alias(a) => self.aliases.get(a as usize).map(|x| x.name.clone()).unwrap_or_default(),
        }
    }
    /// `arn:...:function:name:<qualifier>`, the qualified ARN in records (spec 3.2).
    pub fn qualified_arn(&self, q: Qualifier) -> String {
        format!("{}:{}", self.arn, self.qualifier_name(q))
    }
    /// The asynchronous invoke settings of an event that runs on configuration `config`, invoked as `qual`: an
    /// alias's own (spec section 2: AWS keeps one per qualifier), else the configuration's.
    #[inline]
    pub fn async_settings(&self, config: u32, qual: Qualifier) -> AsyncSettings {
        if let Qualifier::Alias(a) = qual {
            if let Some(s) = self.aliases.get(a as usize).and_then(|x| x.asynchronous) {
                return s;
            }
        }
        self.config(config).async_settings()
    }
    /// Every asynchronous invoke setting the function has: its configurations' and its aliases' own.
    pub fn async_settings_all(&self) -> impl Iterator<Item = AsyncSettings> + '_ {
        self.configs.iter().map(FnConfig::async_settings).chain(self.aliases.iter().filter_map(|a| a.asynchronous))
    }
    /// The configuration published as version `n`.
    pub fn version_config(&self, n: u32) -> Option<u32> {
        self.configs.iter().position(|c| c.version == Some(n)).map(|i| i as u32)
    }
}

/// Resolve a function reference that may not name a version or alias: a name, an unqualified ARN, or an ARN
/// qualified with `$LATEST`.
pub(crate) fn resolve_function(r: &str, region: &str, account: &str, names: &BTreeMap<String, FnId>) -> Result<FnId, String> {
    match resolve_function_ref(r, region, account, names)? {
        (f, None) | (f, Some("$LATEST")) => Ok(f),
        (_, Some(q)) => {
            Err(format!("{r:?} names qualifier {q:?}; give the function without a qualifier here (it covers all its versions and aliases)"))
        }
    }
}

/// Resolve a function reference and its qualifier: a name, `name:qualifier`, or an ARN
/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub(crate) fn resolve_function_ref<'r>(
    r: &'r str,
    region: &str,
    account: &str,
    names: &BTreeMap<String, FnId>,
) -> Result<(FnId, Option<&'r str>), String> {
    let mut qualifier = None;
    let name = if let Some(rest) = r.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.split(':').collect();
        // aws:lambda:region:account:function:name[:qualifier]
        if parts.len() < 6 || parts[0] != "aws" || parts[1] != "lambda" || parts[4] != "function" {
            return Err(format!("{r:?} is not a Lambda function ARN (arn:aws:lambda:{region}:{account}:function:NAME)"));
        }
        if parts[2] != region || parts[3] != account {
            return Err(format!(
                "{r:?} names region {} and account {}, but this scenario is region {region}, account {account}",
                parts[2], parts[3]
            ));
        }
        if parts.len() > 7 {
            return Err(format!("{r:?} is not a Lambda function ARN"));
        }
        if parts.len() == 7 {
            let start = r.len() - parts[6].len();
            qualifier = Some(&r[start..]);
        }
        parts[5]
    } else {
        match r.split_once(':') {
            Some((n, q)) => {
                qualifier = Some(q);
                n
            }
            None => r,
        }
    };
    let f = names.get(name).copied().ok_or_else(|| {
        let known: Vec<&str> = names.keys().map(|s| s.as_str()).collect();
        format!("{:?} names no function in this scenario; {}", crate::vocab::shorten(r, 200), crate::vocab::did_you_mean(r, &known))
    })?;
    Ok((f, qualifier))
}

/// A qualifier of function `fd`: `$LATEST`, a version declared in its `Versions` (`declared` of them), or an alias.
pub(crate) fn parse_qualifier(fd: &Function, declared: usize, q: &str) -> Result<Qualifier, String> {
    if q == "$LATEST" {
        return Ok(Qualifier::Latest);
    }
    if let Ok(n) = q.parse::<u32>() {
        return match fd.version_config(n) {
            Some(c) if (c as usize) <= declared => Ok(Qualifier::Version(c)),
            _ => {
                let have: Vec<String> = fd.configs[1..=declared.min(fd.configs.len() - 1)].iter().map(|c| c.label()).collect();
                Err(format!(
                    "version {q:?} of {} is not declared in its Versions (declared: {}; versions published on the timeline are reached through aliases)",
                    fd.name,
                    if have.is_empty() { "none".into() } else { have.join(", ") }
                ))
            }
        };
    }
    match fd.aliases.iter().position(|a| a.name == q) {
        Some(a) => Ok(Qualifier::Alias(a as u32)),
        None => {
            let have: Vec<&str> = fd.aliases.iter().map(|a| a.name.as_str()).collect();
            Err(format!(
                "{q:?} is neither $LATEST, a version number nor an alias of {} (aliases: {})",
                fd.name,
                if have.is_empty() { "none".into() } else { have.join(", ") }
            ))
        }
    }
}

/// The properties that make up a function configuration, as one place of the file gives them (the function itself,
/// a version, or a change on the timeline).
#[derive(Default)]
pub(super) struct ConfigParts<'a> {
    pub timeout: Option<i64>,
    pub memory_size: Option<i64>,
    pub eic: Option<&'a EventInvokeConfigSpec>,
    pub dlq: Option<&'a DeadLetterConfigSpec>,
    pub behavior: Option<&'a BehaviorSpec>,
    /// A published version: its asynchronous invoke configuration is its own (AWS keeps one per qualifier; a version
    /// without one uses the defaults, not `$LATEST`'s: recorded, LocalStack `test_lambda_eventinvokeconfig_lifecycle`
    /// `get_invokeconfig_postpublish`).
    pub version: bool,
}

/// `Simulation.AliasEventInvokeConfig: Version`: an invoke of an alias runs with the configuration of the version
/// it routes to, so an alias's own `EventInvokeConfig` would have no effect and is refused.
pub(super) fn settle_alias_async(v: &mut V, sc: &Scenario, functions: &mut [Function]) {
    let mode = sc.simulation.alias_event_invoke_config.unwrap_or_default();
    if mode != crate::vocab::AliasEventInvokeConfigMode::Version {
        return;
    }
    for (i, (f, spec)) in functions.iter_mut().zip(sc.functions.iter()).enumerate() {
        for (j, a) in f.aliases.iter_mut().enumerate() {
            a.asynchronous = None;
            if spec.aliases.get(j).is_some_and(|s| s.event_invoke_config.is_some()) {
                v.err(
                    format!("Functions[{i}].Aliases[{j}].EventInvokeConfig"),
                    "has no effect with Simulation.AliasEventInvokeConfig \"Version\" (the version the alias routes to decides); leave one of them out",
                );
            }
        }
    }
}

/// An `EventInvokeConfig` at `p` (a function's, a version's, an alias's or a change's), checked against AWS's bounds;
/// the defaults when there is none (spec section 2).
pub(super) fn build_async(v: &mut V, eic: Option<&EventInvokeConfigSpec>, p: &str, r: &Resolver) -> AsyncSettings {
    if eic.is_some_and(|e| e.maximum_retry_attempts.is_none() && e.maximum_event_age_in_seconds.is_none() && e.destination_config.is_none())
    {
        // AWS's own refusal (recorded: LocalStack `test_lambda_eventinvokeconfig_exceptions`).
        v.err(format!("{p}.EventInvokeConfig"), "You must specify at least one of error handling or destination setting.");
    }
    let eic = eic.cloned().unwrap_or_default();
    let max_retries = v.int(eic.maximum_retry_attempts, &format!("{p}.EventInvokeConfig.MaximumRetryAttempts"), 0, 2, 2) as u32;
    let max_age = SimTime::from_secs(v.int(
        eic.maximum_event_age_in_seconds,
        &format!("{p}.EventInvokeConfig.MaximumEventAgeInSeconds"),
        60,
        21600,
        21600,
    ) as u64);
    let dc = eic.destination_config.clone().unwrap_or_default();
    let on_success = dc.on_success.as_ref().and_then(|d| d.destination.as_deref()).and_then(|d| {
        let path = format!("{p}.EventInvokeConfig.DestinationConfig.OnSuccess.Destination");
        let id = r.resolve(v, d, &path)?;
        if r.kinds[id.ix()] == TargetKind::S3 {
            v.err(path, "an S3 bucket is an on-failure destination only (spec 3.1); allowed on success: SQS, SNS, EventBridge, Lambda");
        }
        Some(id)
    });
    let on_failure = dc
        .on_failure
        .as_ref()
        .and_then(|d| d.destination.as_deref())
        .and_then(|d| r.resolve(v, d, &format!("{p}.EventInvokeConfig.DestinationConfig.OnFailure.Destination")));
    AsyncSettings { max_retries, max_age, on_success, on_failure }
}

/// One configuration, checked against AWS's bounds. Properties not given are `base`'s (a version inherits the
/// function's, a change `$LATEST`'s as it is then), or the defaults when there is no base.
pub(super) fn build_config(v: &mut V, parts: &ConfigParts<'_>, base: Option<&FnConfig>, p: &str, r: &Resolver) -> FnConfig {
    let timeout = match (parts.timeout, base) {
        (None, Some(b)) => b.timeout,
        (t, _) => SimTime::from_secs(v.int(t, &format!("{p}.Timeout"), 1, 900, 3) as u64),
    };
    let memory_mb = match (parts.memory_size, base) {
        (None, Some(b)) => b.memory_mb,
        (m, _) => v.int(m, &format!("{p}.MemorySize"), 128, 10240, 128) as u32,
    };
    let asynchronous = match (parts.eic, base) {
        (None, Some(b)) if !parts.version => b.async_settings(),
        (eic, _) => build_async(v, eic, p, r),
    };
    let AsyncSettings { max_retries, max_age, on_success, on_failure } = asynchronous;
    let dlq = match (parts.dlq, base) {
        (None, Some(b)) => b.dlq,
        (d, _) => d.and_then(|d| {
            let path = format!("{p}.DeadLetterConfig.TargetArn");
            let id = r.resolve(v, &d.target_arn, &path)?;
            match r.kinds[id.ix()] {
                TargetKind::Sqs { .. } | TargetKind::Sns { .. } => Some(id),
                _ => {
                    v.err(
                        path,
                        format!("{:?} is not allowed; a dead-letter queue is an SQS queue or SNS topic (spec section 4)", d.target_arn),
                    );
                    None
                }
            }
        }),
    };
    if let (None, Some(b)) = (parts.behavior, base) {
        return FnConfig {
            version: None,
            timeout,
            memory_mb,
            max_retries,
            max_age,
            on_success,
            on_failure,
            dlq,
            duration: b.duration.clone(),
            init: b.init.clone(),
            per_record: b.per_record.clone(),
            rules: b.rules.clone(),
            rules_read_payload: b.rules_read_payload,
            environments_of: None,
        };
    }
    let beh = parts.behavior.cloned().unwrap_or_default();
    let duration = compile_dist(v, &beh.duration, format!("{p}.Behavior.Duration"), SimTime::from_millis(100));
    let init = compile_dist(v, &beh.init_duration, format!("{p}.Behavior.InitDuration"), SimTime::from_millis(200));
    let per_record = beh
        .duration_per_record
        .as_ref()
        .map(|_| compile_dist(v, &beh.duration_per_record, format!("{p}.Behavior.DurationPerRecord"), SimTime::ZERO));
    let rules: Vec<Rule> = beh.rules.iter().enumerate().map(|(j, r)| build_rule(v, r, &format!("{p}.Behavior.Rules[{j}]"))).collect();
    let rules_read_payload = rules.iter().any(|r| r.pattern.is_some());
    FnConfig {
        version: None,
        timeout,
        memory_mb,
        max_retries,
        max_age,
        on_success,
        on_failure,
        dlq,
        duration,
        init,
        per_record,
        rules,
        rules_read_payload,
        environments_of: None,
    }
}

/// An alias's routing: `version` (a published version among `configs`) and at most one additional version with its
/// weight (0 to 1). `now` is the routing in force, kept when `rc` is not given.
pub(super) fn build_routing(
    v: &mut V,
    configs: &[FnConfig],
    version: &str,
    rc: Option<&RoutingConfigSpec>,
    now: Option<Routing>,
    p: &str,
) -> Routing {
    let published: Vec<String> = configs.iter().filter(|c| c.version.is_some()).map(|c| c.label()).collect();
    let find = |v: &mut V, s: &str, path: String| -> Option<u32> {
        let c = s.parse::<u32>().ok().and_then(|n| configs.iter().position(|c| c.version == Some(n)));
        if c.is_none() {
            v.err(
                path,
                format!(
                    "{s:?} is not a published version (published: {}); an alias points to a published version",
                    if published.is_empty() { "none".into() } else { published.join(", ") }
                ),
            );
        }
        c.map(|c| c as u32)
    };
    let primary = find(v, version, format!("{p}.FunctionVersion")).unwrap_or(0);
    let additional = match rc {
        None => now.and_then(|r| r.additional),
        Some(rc) => {
            let wp = format!("{p}.RoutingConfig.AdditionalVersionWeights");
            if rc.additional_version_weights.len() > 1 {
                v.err(
                    wp.clone(),
                    format!("has {} entries; AWS allows at most one additional version", rc.additional_version_weights.len()),
                );
            }
            rc.additional_version_weights.first().and_then(|w| {
                let c = find(v, &w.function_version, format!("{wp}[0].FunctionVersion"))?;
                if c == primary {
                    v.err(
                        format!("{wp}[0].FunctionVersion"),
                        format!("{:?} is the alias's own version; name a second one", w.function_version),
                    );
                }
                let weight = v.prob(Some(w.function_weight), &format!("{wp}[0].FunctionWeight"), 0.0);
                Some((c, weight))
            })
        }
    };
    Routing { primary, additional }
}

/// Every function of the scenario, in file order.
pub(super) fn build_functions(
    v: &mut V,
    sc: &Scenario,
    region: &str,
    account: &str,
    account_limit: u32,
    resolver: &Resolver,
) -> Vec<Function> {
    sc.functions.iter().enumerate().map(|(i, f)| build_function(v, i, f, region, account, account_limit, resolver)).collect()
}

/// One function: `$LATEST` as declared, the declared versions and aliases, provisioned concurrency.
fn build_function(v: &mut V, i: usize, f: &FunctionSpec, region: &str, account: &str, account_limit: u32, resolver: &Resolver) -> Function {
    let p = format!("Functions[{i}]");
    let architecture = match f.architectures.as_deref() {
        None => Architecture::X86_64,
        Some([a]) if a == "x86_64" => Architecture::X86_64,
        Some([a]) if a == "arm64" => Architecture::Arm64,
        Some(other) => {
            v.err(format!("{p}.Architectures"), format!("{other:?} is not allowed; use [\"x86_64\"] or [\"arm64\"]"));
            Architecture::X86_64
        }
    };
    let reserved = f
        .reserved_concurrent_executions
        .map(|r| v.int(Some(r), &format!("{p}.ReservedConcurrentExecutions"), 0, i64::from(account_limit), 0) as u32);
    let parts = ConfigParts {
        timeout: f.timeout,
        memory_size: f.memory_size,
        eic: f.event_invoke_config.as_ref(),
        dlq: f.dead_letter_config.as_ref(),
        behavior: f.behavior.as_ref(),
        version: false,
    };
    let mut configs = vec![build_config(v, &parts, None, &p, resolver)];
    let mut last = 0;
    for (j, vs) in f.versions.iter().enumerate() {
        let vp = format!("{p}.Versions[{j}]");
        let number = match &vs.version {
            None => j as u32 + 1,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    v.err(format!("{vp}.Version"), format!("{s:?} is not a version number; versions are \"1\", \"2\", ..."));
                    j as u32 + 1
                }
            },
        };
        if number <= last {
            v.err(format!("{vp}.Version"), format!("{number} does not follow version {last}; version numbers increase"));
        }
        last = number;
        let parts = ConfigParts {
            timeout: vs.timeout,
            memory_size: vs.memory_size,
            eic: vs.event_invoke_config.as_ref(),
            dlq: vs.dead_letter_config.as_ref(),
            behavior: vs.behavior.as_ref(),
            version: true,
        };
        let mut c = build_config(v, &parts, Some(&configs[0]), &vp, resolver);
        c.version = Some(number);
        configs.push(c);
    }
    let mut aliases: Vec<Alias> = vec![];
    for (j, a) in f.aliases.iter().enumerate() {
        let ap = format!("{p}.Aliases[{j}]");
        v.name(&a.name, &format!("{ap}.Name"), 128, "", "alias name");
        if a.name.chars().all(|c| c.is_ascii_digit()) {
            v.err(format!("{ap}.Name"), format!("{:?} is not allowed; an alias name cannot be a version number", a.name));
        }
        if aliases.iter().any(|x| x.name == a.name) {
            v.err(format!("{ap}.Name"), format!("{:?} is used by two aliases of {}", a.name, f.function_name));
        }
        let routing = build_routing(v, &configs, &a.function_version, a.routing_config.as_ref(), None, &ap);
        // AWS keeps an EventInvokeConfig per qualifier: the alias's own, or the defaults (spec section 2); whether
        // the version's applies instead is `Simulation.AliasEventInvokeConfig` (settled when the model is built).
        let asynchronous = Some(build_async(v, a.event_invoke_config.as_ref(), &ap, resolver));
        aliases.push(Alias { name: a.name.clone(), routing, asynchronous });
    }
    // "You can't specify the function as a destination for itself." (AWS's refusal, recorded: LocalStack
    // `test_lambda_eventinvokeconfig_exceptions`).
    if let Some(own) = resolver.by_arn.get(&format!("arn:aws:lambda:{region}:{account}:function:{}", f.function_name)) {
        for (j, c) in configs.iter().enumerate() {
            let at = if j == 0 { p.clone() } else { format!("{p}.Versions[{}]", j - 1) };
            for (d, which) in [(c.on_success, "OnSuccess"), (c.on_failure, "OnFailure")] {
                if d == Some(*own) {
                    v.err(
                        format!("{at}.EventInvokeConfig.DestinationConfig.{which}.Destination"),
                        "You can't specify the function as a destination for itself.",
                    );
                }
            }
        }
        for (j, a) in aliases.iter().enumerate() {
            let Some(s) = a.asynchronous else { continue };
            for (d, which) in [(s.on_success, "OnSuccess"), (s.on_failure, "OnFailure")] {
                if d == Some(*own) {
                    v.err(
                        format!("{p}.Aliases[{j}].EventInvokeConfig.DestinationConfig.{which}.Destination"),
                        "You can't specify the function as a destination for itself.",
                    );
                }
            }
        }
    }
    let provisioned = build_provisioned(v, f, &p, account_limit, reserved);
    let code = super::runtime::build_code(v, f, &p);
    let setup = FnSetup {
        latest: 0,
        reserved,
        provisioned,
        routing: aliases.iter().map(|a| a.routing).collect(),
        versions: vec![],
        aliases: vec![],
        alias_copies: vec![],
    };
    Function {
        name: f.function_name.clone(),
        arn: format!("arn:aws:lambda:{region}:{account}:function:{}", f.function_name),
        architecture,
        reserved,
        faults: vec![],
        configs,
        aliases,
        setup,
        pc_periods: vec![],
        uses_pc: false,
        code,
        error_format: Default::default(),
    }
}

/// Provisioned concurrency per qualifier (spec section 6), checked against the function's reservation.
fn build_provisioned(v: &mut V, f: &FunctionSpec, p: &str, account_limit: u32, reserved: Option<u32>) -> Vec<(Qualifier, u32)> {
    // Provisioned concurrency per qualifier (spec section 6): the function-level setting (SAM) applies to
    // invocations by name; versions and aliases have their own.
    let mut provisioned: Vec<(Qualifier, u32, String)> = vec![];
    let level = |v: &mut V, n: i64, path: String| v.int(Some(n), &path, 0, i64::from(account_limit), 0) as u32;
    match (&f.provisioned_concurrency_config, f.provisioned_concurrency) {
        (Some(_), Some(_)) => {
            v.err(format!("{p}.ProvisionedConcurrency"), "is also given as ProvisionedConcurrencyConfig; give one of them")
        }
        (Some(c), None) => {
            let path = format!("{p}.ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
            provisioned.push((Qualifier::Latest, level(v, c.provisioned_concurrent_executions, path.clone()), path));
        }
        (None, Some(n)) => {
            let path = format!("{p}.ProvisionedConcurrency");
            provisioned.push((Qualifier::Latest, level(v, n, path.clone()), path));
        }
        (None, None) => {}
    }
    for (j, vs) in f.versions.iter().enumerate() {
        if let Some(c) = &vs.provisioned_concurrency_config {
            let path = format!("{p}.Versions[{j}].ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
            provisioned.push((Qualifier::Version(j as u32 + 1), level(v, c.provisioned_concurrent_executions, path.clone()), path));
        }
    }
    for (j, a) in f.aliases.iter().enumerate() {
        if let Some(c) = &a.provisioned_concurrency_config {
            let path = format!("{p}.Aliases[{j}].ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
            provisioned.push((Qualifier::Alias(j as u32), level(v, c.provisioned_concurrent_executions, path.clone()), path));
        }
    }
    let pc_total: u32 = provisioned.iter().map(|x| x.1).sum();
    if let (Some(r), Some((_, _, path))) = (reserved, provisioned.iter().find(|x| x.1 > 0)) {
        if pc_total > r {
            v.err(
                path.clone(),
                format!("provisioned concurrency {pc_total} exceeds ReservedConcurrentExecutions {r}; provisioned concurrency counts toward reserved concurrency and cannot exceed it (spec section 6)"),
            );
        }
    }
    let mut provisioned: Vec<(Qualifier, u32)> = provisioned.into_iter().filter(|x| x.1 > 0).map(|x| (x.0, x.1)).collect();
    provisioned.sort_by_key(|x| x.0);
    provisioned
}

/// Concurrency taken from the account by the setups: reservations, and provisioned concurrency of functions without
/// a reservation.
pub(super) fn taken(setups: &[FnSetup]) -> (u64, u64) {
    let reserved: u64 = setups.iter().filter_map(|s| s.reserved).map(u64::from).sum();
    let pc: u64 = setups.iter().filter(|s| s.reserved.is_none()).map(|s| u64::from(s.pc_total())).sum();
    (reserved, pc)
}

/// The setups at time 0 and the unreserved pool: at least 100 must stay unreserved (spec section 6).
pub(super) fn unreserved_pool(v: &mut V, functions: &[Function], account_limit: u32) -> (Vec<FnSetup>, u32) {
    // At least 100 must stay unreserved (spec section 6); provisioned concurrency of functions without a
    // reservation is taken from the unreserved pool too.
    let setups: Vec<FnSetup> = functions.iter().map(|f| f.setup.clone()).collect();
    let (reserved_total, pc_unreserved) = taken(&setups);
    if reserved_total + pc_unreserved > 0 && reserved_total + pc_unreserved + 100 > u64::from(account_limit) {
        let what = if pc_unreserved > 0 { "reservations and provisioned concurrency of unreserved functions" } else { "reservations" };
        v.err(
            "Functions[*].ReservedConcurrentExecutions",
            format!("{what} total {}, leaving {} of the account's {account_limit} unreserved; AWS requires at least 100 unreserved (spec section 6)", reserved_total + pc_unreserved, i64::from(account_limit) - (reserved_total + pc_unreserved) as i64),
        );
    }
    (setups, (u64::from(account_limit).saturating_sub(reserved_total + pc_unreserved)) as u32)
}
