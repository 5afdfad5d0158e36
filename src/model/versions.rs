//! Versions, aliases, provisioned concurrency and configuration changes on the timeline (spec sections 3.2, 4, 6).
//!
//! A function has one or more configurations ([`FnConfig`]: code and settings): `$LATEST` as declared, each
//! published version, and `$LATEST` again after every deploy on the timeline. What the timeline can change about a
//! function at run time is its [`FnSetup`]: which configuration `$LATEST` runs, its reserved concurrency, its
//! provisioned concurrency per qualifier and the routing of its aliases. The model builder replays the timeline once
//! to validate it (provisioned concurrency never above reserved concurrency, at least 100 unreserved, every version
//! named exists when it is named) and to work out the provisioned-concurrency billing periods; the simulation and the
//! observers that need it replay the same [`ChangeKind`]s with [`FnSetup::apply`].

use crate::kernel::time::SimTime;
use crate::model::dist::Dist;
use crate::model::{FnId, Model, Rule, TargetId};

mod changes;

pub use super::ids::Qualifier;
pub(super) use changes::{build_changes, resolve_mapping_changes, TimelineScope};

/// One configuration of a function: its code (behaviour) and the settings that go with a version (spec 4: the DLQ
/// and the async invoke configuration are part of the version-specific configuration in DG-2023).
#[derive(Debug, Clone)]
pub struct FnConfig {
    /// The published version number; `None` for `$LATEST` (as declared, or after a deploy).
    pub version: Option<u32>,
    /// `Timeout`.
    pub timeout: SimTime,
    /// `MemorySize`, in MB.
    pub memory_mb: u32,
    /// `MaximumRetryAttempts` of the async invoke configuration (default 2; spec section 2).
    pub max_retries: u32,
    /// `MaximumEventAgeInSeconds` (default 6 hours; spec section 2).
    pub max_age: SimTime,
    /// The `OnSuccess` destination.
    pub on_success: Option<TargetId>,
    /// The `OnFailure` destination.
    pub on_failure: Option<TargetId>,
    /// The dead-letter queue (`DeadLetterConfig`).
    pub dlq: Option<TargetId>,
    /// How long an invoke phase runs (`Behavior.Duration`).
    pub duration: Dist,
    /// How long init runs on a cold start (`Behavior.InitDuration`).
    pub init: Dist,
    /// Batch invocations: time per record (`Behavior.DurationPerRecord`).
    pub per_record: Option<Dist>,
    /// Behaviour rules, in order (the first that matches decides).
    pub rules: Vec<Rule>,
    /// Some rule looks at the payload.
    pub rules_read_payload: bool,
    /// The configuration whose execution environments this one runs on, when it is a copy made by a change of the
    /// asynchronous invoke configuration (`PutFunctionEventInvokeConfig`, `UpdateFunctionEventInvokeConfig`): AWS keeps
    /// an `EventInvokeConfig` apart from the function's configuration, so changing it starts no new environment and
    /// warm ones stay warm. `None`: its own environments (a code or configuration change, a published version).
    pub environments_of: Option<u32>,
}

impl FnConfig {
    /// `$LATEST` or the version number: `executedVersion` in records (spec 3.2).
    pub fn label(&self) -> String {
        match self.version {
            None => "$LATEST".into(),
            Some(n) => n.to_string(),
        }
    }
    /// A newly published version has no asynchronous invoke configuration of its own: the defaults (2 retries, 6 hours,
    /// no destinations), not `$LATEST`'s (recorded: LocalStack `test_lambda_eventinvokeconfig_lifecycle`,
    /// `get_invokeconfig_postpublish`: "The function ...:1 doesn't have an EventInvokeConfig").
    pub fn reset_event_invoke_config(&mut self) {
        self.set_async(AsyncSettings::default());
    }
    /// Its asynchronous invoke settings.
    #[inline]
    pub fn async_settings(&self) -> AsyncSettings {
        AsyncSettings { max_retries: self.max_retries, max_age: self.max_age, on_success: self.on_success, on_failure: self.on_failure }
    }
    /// Replace its asynchronous invoke settings.
    pub fn set_async(&mut self, a: AsyncSettings) {
        (self.max_retries, self.max_age, self.on_success, self.on_failure) = (a.max_retries, a.max_age, a.on_success, a.on_failure);
    }
    /// Init may run up to max(130 s, timeout) on a provisioned environment (spec section 6, LIFECYCLE).
    pub fn provisioned_init_limit(&self) -> SimTime {
        self.timeout.max(SimTime::from_secs(130))
    }
}

/// Where an alias sends invocations: its version, and optionally a share `weight` of them to a second version
/// (`RoutingConfig.AdditionalVersionWeights`). Versions are configuration indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Routing {
    /// The version most invocations go to (a configuration index).
    pub primary: u32,
    /// The second version and the share of invocations it gets, 0 to 1.
    pub additional: Option<(u32, f64)>,
}

/// An alias's name and its routing at time 0.
#[derive(Debug, Clone)]
pub struct Alias {
    /// The alias's name.
    pub name: String,
    /// Its routing at time 0.
    pub routing: Routing,
    /// The asynchronous invoke settings of an invoke of the alias: its own `EventInvokeConfig` or the defaults
    /// (`Simulation.AliasEventInvokeConfig: Alias`, the default); `None` when the version the alias routes to decides
    /// (`Version`).
    pub asynchronous: Option<AsyncSettings>,
}

/// The asynchronous invoke settings (`EventInvokeConfig`, spec section 2) that apply to an event: AWS keeps one
/// configuration per qualifier (`$LATEST`, a version, an alias).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsyncSettings {
    /// `MaximumRetryAttempts` (default 2).
    pub max_retries: u32,
    /// `MaximumEventAgeInSeconds` (default 6 hours).
    pub max_age: SimTime,
    /// The `OnSuccess` destination.
    pub on_success: Option<TargetId>,
    /// The `OnFailure` destination.
    pub on_failure: Option<TargetId>,
}

impl Default for AsyncSettings {
    /// A qualifier without an `EventInvokeConfig`: 2 retries, 6 hours, no destinations (spec section 2).
    fn default() -> Self {
        AsyncSettings { max_retries: 2, max_age: SimTime::from_secs(21_600), on_success: None, on_failure: None }
    }
}

/// What a change on the timeline does. Each variant names the component it changes, so that other components'
/// changes (for example an event source mapping being enabled or disabled) are further variants with their own
/// subject; [`FnSetup::apply`] acts on the variants about functions.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// `UpdateFunctionCode` / `UpdateFunctionConfiguration` (and `PutFunctionEventInvokeConfig` /
    /// `UpdateFunctionEventInvokeConfig` of `$LATEST`): `$LATEST` runs configuration `config` from now on;
    /// `published` is the configuration of the version published with it (`Publish: true`).
    ///
    /// `PutFunctionEventInvokeConfig` / `UpdateFunctionEventInvokeConfig` of a version or an alias (AWS keeps one
    /// configuration per qualifier, spec section 2) are deploys of that qualifier: invocations of version `v`
    /// (`qualifier: Version(v)`) run configuration `config` from now on, a copy of the version with the new settings;
    /// events accepted through alias `a` (`qualifier: Alias(a)`) from now on go through alias `config` (an index in
    /// `Function::aliases`), a copy of the alias with the new settings and the same routing.
    Deploy {
        /// The function changed.
        function: FnId,
        /// The configuration (index in `Function::configs`), or for an alias, the alias copy (index in
        /// `Function::aliases`).
        config: u32,
        /// The configuration published with it, if `Publish: true`.
        published: Option<u32>,
        /// What is deployed: `$LATEST`, or the version or alias whose asynchronous invoke configuration changes.
        qualifier: Qualifier,
    },
    /// `PublishVersion`: configuration `config` (a copy of `$LATEST` as it is now) is published.
    Publish {
        /// The function changed.
        function: FnId,
        /// The configuration (index in `Function::configs`).
        config: u32,
    },
    /// `PutFunctionConcurrency` (`Some`) / `DeleteFunctionConcurrency` (`None`).
    Reserved {
        /// The function changed.
        function: FnId,
        /// The new reserved concurrency (`None`: removed).
        value: Option<u32>,
    },
    /// `PutProvisionedConcurrencyConfig` (0 removes it).
    Provisioned {
        /// The function changed.
        function: FnId,
        /// The version or alias configured.
        qualifier: Qualifier,
        /// Pre-initialised environments (0 removes them).
        value: u32,
    },
    /// `UpdateAlias`: the alias's routing from now on.
    Alias {
        /// The function changed.
        function: FnId,
        /// The alias (index in `Function::aliases`).
        alias: u32,
        /// Its routing from now on.
        routing: Routing,
    },
    /// `UpdateEventSourceMapping`: the mapping polls (`true`) or not from now on.
    MappingEnabled {
        /// The mapping.
        mapping: crate::model::MappingId,
        /// Whether it polls from now on.
        enabled: bool,
    },
}

impl ChangeKind {
    /// The function the change is about.
    pub fn function(&self) -> Option<FnId> {
        match self {
            ChangeKind::Deploy { function, .. }
            | ChangeKind::Publish { function, .. }
            | ChangeKind::Reserved { function, .. }
            | ChangeKind::Provisioned { function, .. }
            | ChangeKind::Alias { function, .. } => Some(*function),
            ChangeKind::MappingEnabled { .. } => None,
        }
    }
    /// The AWS API action.
    pub fn action(&self) -> &'static str {
        match self {
            ChangeKind::Deploy { .. } => "UpdateFunctionCode",
            ChangeKind::Publish { .. } => "PublishVersion",
            ChangeKind::Reserved { value: Some(_), .. } => "PutFunctionConcurrency",
            ChangeKind::Reserved { value: None, .. } => "DeleteFunctionConcurrency",
            ChangeKind::Provisioned { .. } => "PutProvisionedConcurrencyConfig",
            ChangeKind::Alias { .. } => "UpdateAlias",
            ChangeKind::MappingEnabled { .. } => "UpdateEventSourceMapping",
        }
    }
}

/// A change at a virtual time. `index` is its position in the scenario's `Changes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// When it applies.
    pub at: SimTime,
    /// Its position in the scenario's `Changes`.
    pub index: u32,
    /// The AWS API action of the scenario's entry (`UpdateFunctionCode`, `UpdateAlias`, ...).
    pub action: &'static str,
    /// What it does.
    pub kind: ChangeKind,
}

/// What the timeline can change about a function, at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct FnSetup {
    /// The configuration `$LATEST` runs.
    pub latest: u32,
    /// Reserved concurrency (`None`: none).
    pub reserved: Option<u32>,
    /// Provisioned concurrency configured per qualifier (levels above 0, sorted by qualifier).
    pub provisioned: Vec<(Qualifier, u32)>,
    /// Routing of each alias (of the scenario's aliases; a copy routes as the alias it copies).
    pub routing: Vec<Routing>,
    /// Versions whose asynchronous invoke configuration changed on the timeline: (the version's configuration, the
    /// configuration its invocations run now, a copy with the new settings).
    pub versions: Vec<(u32, u32)>,
    /// Aliases whose asynchronous invoke configuration changed on the timeline: (the alias, the copy of it that
    /// events accepted now go through).
    pub aliases: Vec<(u32, u32)>,
    /// Every alias copy made so far: (the copy, the alias it copies).
    pub alias_copies: Vec<(u32, u32)>,
}

impl FnSetup {
    /// The configuration an invocation of `q` runs, for an event whose routing draw is `u` in [0, 1): an alias sends
    /// it to its additional version when `u` < the weight (one draw per event, so raising the weight keeps the events
    /// already on the new version there).
    pub fn resolve(&self, q: Qualifier, u: f64) -> u32 {
        match q {
            Qualifier::Latest => self.latest,
            Qualifier::Version(c) => self.version_now(c),
            Qualifier::Alias(a) => match self.routing.get(self.alias_base(a) as usize) {
                Some(Routing { additional: Some((c, w)), .. }) if u < *w => self.version_now(*c),
                Some(r) => self.version_now(r.primary),
                None => self.latest,
            },
        }
    }

    /// The configuration invocations of the version with configuration `c` run now: `c`, or its copy with the
    /// asynchronous invoke configuration put on the timeline.
    pub fn version_now(&self, c: u32) -> u32 {
        self.versions.iter().find(|(v, _)| *v == c).map_or(c, |x| x.1)
    }

    /// The alias that alias `a` copies (`a` itself for one of the scenario's aliases).
    pub fn alias_base(&self, a: u32) -> u32 {
        self.alias_copies.iter().find(|(x, _)| *x == a).map_or(a, |x| x.1)
    }

    /// The qualifier an event invoked as `q` is accepted with now: for an alias whose asynchronous invoke
    /// configuration changed on the timeline, the alias's latest copy (an event keeps the alias's configuration in
    /// force when it was accepted).
    pub fn accepted_as(&self, q: Qualifier) -> Qualifier {
        match q {
            Qualifier::Alias(a) => Qualifier::Alias(self.aliases.iter().find(|(x, _)| *x == a).map_or(a, |x| x.1)),
            q => q,
        }
    }

    /// Provisioned concurrency of the whole function: it counts toward reserved concurrency (spec section 6).
    pub fn pc_total(&self) -> u32 {
        self.provisioned.iter().map(|(_, n)| n).sum()
    }

    /// Provisioned environments per qualifier and configuration: an alias's are split between its versions in
    /// proportion to their weights (the additional version gets round(n × weight)).
    pub fn pc_allocations(&self) -> Vec<(Qualifier, u32, u32)> {
        let mut out = vec![];
        for (q, n) in &self.provisioned {
            match q {
                Qualifier::Latest => out.push((*q, self.latest, *n)),
                Qualifier::Version(c) => out.push((*q, self.version_now(*c), *n)),
                Qualifier::Alias(a) => {
                    let Some(r) = self.routing.get(self.alias_base(*a) as usize) else { continue };
                    let extra = r.additional.map_or(0, |(_, w)| ((f64::from(*n) * w).round() as u32).min(*n));
                    if *n > extra {
                        out.push((*q, self.version_now(r.primary), n - extra));
                    }
                    if let (Some((c, _)), true) = (r.additional, extra > 0) {
                        out.push((*q, self.version_now(c), extra));
                    }
                }
            }
        }
        out
    }

    /// Provisioned environments wanted per configuration (`configs` entries).
    pub fn pc_by_config(&self, configs: usize) -> Vec<u32> {
        let mut want = vec![0; configs];
        for (_, c, n) in self.pc_allocations() {
            if let Some(w) = want.get_mut(c as usize) {
                *w += n;
            }
        }
        want
    }

    /// Apply a change about this function.
    pub fn apply(&mut self, k: &ChangeKind) {
        match k {
            ChangeKind::Deploy { config, qualifier: Qualifier::Latest, .. } => self.latest = *config,
            ChangeKind::Deploy { config, qualifier: Qualifier::Version(v), .. } => {
                self.versions.retain(|(x, _)| x != v);
                self.versions.push((*v, *config));
            }
            ChangeKind::Deploy { config, qualifier: Qualifier::Alias(a), .. } => {
                self.aliases.retain(|(x, _)| x != a);
                self.aliases.push((*a, *config));
                if !self.alias_copies.iter().any(|(x, _)| x == config) {
                    self.alias_copies.push((*config, *a));
                }
            }
            ChangeKind::Publish { .. } => {}
            ChangeKind::Reserved { value, .. } => self.reserved = *value,
            ChangeKind::Provisioned { qualifier, value, .. } => {
                self.provisioned.retain(|(q, _)| q != qualifier);
                if *value > 0 {
                    self.provisioned.push((*qualifier, *value));
                    self.provisioned.sort_by_key(|(q, _)| *q);
                }
            }
            ChangeKind::Alias { alias, routing, .. } => {
                if let Some(r) = self.routing.get_mut(*alias as usize) {
                    *r = *routing;
                }
            }
            ChangeKind::MappingEnabled { .. } => {}
        }
    }
}

/// Every function's setup, following the timeline: for observers that need the configuration in force (they see
/// `TraceEvent::ConfigChange` when a change applies).
#[derive(Debug, Clone)]
pub struct Setups {
    /// Per function, indexed by `FnId`.
    pub fns: Vec<FnSetup>,
}

impl Setups {
    /// Every function's setup at time 0.
    pub fn new(model: &Model) -> Self {
        Setups { fns: model.functions.iter().map(|f| f.setup.clone()).collect() }
    }
    /// Apply change `index` of `model.changes` (as a `ConfigChange` trace event reports it).
    pub fn apply(&mut self, model: &Model, index: u32) {
        if let Some(c) = model.changes.get(index as usize) {
            if let Some(f) = c.kind.function() {
                self.fns[f.ix()].apply(&c.kind);
            }
        }
    }
    /// The configuration whose dead-letter queue receives a failed event that ran (or would run) configuration
    /// `config` (the named option `DlqScope`, spec 4, 9.4).
    pub fn dlq(&self, model: &Model, f: FnId, config: u32) -> Option<TargetId> {
        let fd = model.function(f);
        let c = match model.settings.dlq_scope {
            DlqScope::Version => config,
            DlqScope::Function => self.fns[f.ix()].latest,
        };
        fd.configs.get(c as usize).and_then(|x| x.dlq)
    }
}

/// Which DLQ a published version's failures go to (spec 4, 9.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DlqScope {
    /// The function's current `$LATEST` DLQ (current AWS docs: versions share `$LATEST`'s DLQ).
    Function,
    /// The DLQ of the version that ran, locked in at publish (DG-2023).
    Version,
}

/// A period with one provisioned-concurrency setting (qualifier and level): billed from enable to disable (or the end
/// of the run), rounded up to 5 minutes (spec section 8). An alias's environments may move between its versions
/// during the period (routing changes, deploys): `split` says how many run each configuration from when on.
#[derive(Debug, Clone, PartialEq)]
pub struct PcPeriod {
    /// The version or alias configured.
    pub qualifier: Qualifier,
    /// Pre-initialised environments.
    pub level: u32,
    /// When the setting was enabled.
    pub start: SimTime,
    /// When it was disabled (`None`: at the end of the run).
    pub end: Option<SimTime>,
    /// From each instant on: environments per configuration.
    pub split: Vec<(SimTime, Vec<(u32, u32)>)>,
}

/// Provisioned concurrency is billed per 5 minutes (spec section 8).
pub const PC_BILLING_UNIT: SimTime = SimTime::from_secs(300);

impl PcPeriod {
    fn cut(&self, run_end: SimTime) -> Option<SimTime> {
        let end = self.end.unwrap_or(SimTime::MAX).min(run_end);
        (end > self.start).then_some(end)
    }

    /// Seconds billed for a run that ended at `run_end`: the period's length, cut at the end of the run, rounded up
    /// to a multiple of 5 minutes (0 if it starts after the run ended).
    pub fn billed_seconds(&self, run_end: SimTime) -> f64 {
        let Some(end) = self.cut(run_end) else { return 0.0 };
        let len = (end - self.start).as_micros();
        let unit = PC_BILLING_UNIT.as_micros();
        (len.div_ceil(unit) * unit) as f64 / 1e6
    }

    /// GB-seconds billed: environments × memory (GB, per configuration) × time over the period, scaled up to its
    /// billed length (rounded up to 5 minutes).
    pub fn gb_seconds(&self, run_end: SimTime, memory_gb: impl Fn(u32) -> f64) -> f64 {
        let Some(end) = self.cut(run_end) else { return 0.0 };
        let mut sum = 0.0;
        for (i, (from, alloc)) in self.split.iter().enumerate() {
            let to = self.split.get(i + 1).map_or(end, |x| x.0).min(end);
            let from = (*from).max(self.start);
            if to <= from {
                continue;
            }
            let secs = (to - from).as_secs_f64();
            sum += alloc.iter().map(|(c, n)| f64::from(*n) * memory_gb(*c)).sum::<f64>() * secs;
        }
        let actual = (end - self.start).as_secs_f64();
        sum / actual * self.billed_seconds(run_end)
    }
}

/// Environments per configuration: `(configuration, count)`.
type Split = Vec<(u32, u32)>;

/// Follows the provisioned allocations of one function through its changes and closes billing periods.
#[derive(Debug, Default)]
pub(crate) struct PcLedger {
    open: Vec<PcPeriod>,
    pub(crate) done: Vec<PcPeriod>,
}

impl PcLedger {
    /// The allocations (`FnSetup::pc_allocations`) in force from `t` on.
    pub(crate) fn set(&mut self, t: SimTime, allocations: &[(Qualifier, u32, u32)]) {
        // Per qualifier: its level and its environments per configuration.
        let mut by_q: Vec<(Qualifier, u32, Split)> = vec![];
        for (q, c, n) in allocations {
            match by_q.iter_mut().find(|x| x.0 == *q) {
                Some(x) => {
                    x.1 += n;
                    x.2.push((*c, *n));
                }
                None => by_q.push((*q, *n, vec![(*c, *n)])),
            }
        }
        let mut still = vec![];
        for mut p in self.open.drain(..) {
            match by_q.iter().find(|x| x.0 == p.qualifier && x.1 == p.level) {
                Some((_, _, split)) => {
                    if p.split.last().map(|x| &x.1) != Some(split) {
                        p.split.push((t, split.clone()));
                    }
                    still.push(p);
                }
                None => self.done.push(PcPeriod { end: Some(t), ..p }),
            }
        }
        for (q, level, split) in by_q {
            if !still.iter().any(|p| p.qualifier == q) {
                still.push(PcPeriod { qualifier: q, level, start: t, end: None, split: vec![(t, split)] });
            }
        }
        self.open = still;
    }
    pub(crate) fn finish(mut self) -> Vec<PcPeriod> {
        self.done.append(&mut self.open);
        self.done.sort_by_key(|p| (p.start, p.qualifier));
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> FnSetup {
        FnSetup {
            latest: 0,
            reserved: Some(100),
            provisioned: vec![(Qualifier::Alias(0), 10)],
            routing: vec![Routing { primary: 1, additional: Some((2, 0.25)) }],
            versions: vec![],
            aliases: vec![],
            alias_copies: vec![],
        }
    }

    #[test]
    fn aliases_route_by_the_event_draw_and_split_provisioned_concurrency_by_weight() {
        let s = setup();
        assert_eq!(s.resolve(Qualifier::Alias(0), 0.1), 2);
        assert_eq!(s.resolve(Qualifier::Alias(0), 0.25), 1);
        assert_eq!(s.resolve(Qualifier::Latest, 0.1), 0);
        assert_eq!(s.resolve(Qualifier::Version(3), 0.9), 3);
        // round(10 × 0.25) = 3 (2.5 rounds away from zero) on the additional version, 7 on the primary.
        assert_eq!(s.pc_allocations(), vec![(Qualifier::Alias(0), 1, 7), (Qualifier::Alias(0), 2, 3)]);
        assert_eq!(s.pc_by_config(3), vec![0, 7, 3]);
        assert_eq!(s.pc_total(), 10);
    }

    #[test]
    fn changes_apply_and_billing_periods_round_up_to_five_minutes() {
        let mut s = setup();
        let f = FnId(0);
        s.apply(&ChangeKind::Provisioned { function: f, qualifier: Qualifier::Latest, value: 5 });
        s.apply(&ChangeKind::Alias { function: f, alias: 0, routing: Routing { primary: 2, additional: None } });
        s.apply(&ChangeKind::Deploy { function: f, config: 3, published: None, qualifier: Qualifier::Latest });
        assert_eq!(s.pc_allocations(), vec![(Qualifier::Latest, 3, 5), (Qualifier::Alias(0), 2, 10)]);
        s.apply(&ChangeKind::Provisioned { function: f, qualifier: Qualifier::Latest, value: 0 });
        assert_eq!(s.pc_total(), 10);

        let mut l = PcLedger::default();
        let (t10, t400) = (SimTime::from_secs(10), SimTime::from_secs(400));
        l.set(SimTime::ZERO, &[(Qualifier::Latest, 0, 4)]);
        l.set(t10, &[(Qualifier::Latest, 0, 4), (Qualifier::Alias(0), 1, 2)]);
        // The alias's two environments move to configuration 2 at 400 s: the same period goes on.
        l.set(t400, &[(Qualifier::Alias(0), 2, 2)]);
        let ps = l.finish();
        assert_eq!(ps.len(), 2);
        assert_eq!((ps[0].qualifier, ps[0].level, ps[0].start, ps[0].end), (Qualifier::Latest, 4, SimTime::ZERO, Some(t400)));
        assert_eq!(ps[1].split, vec![(t10, vec![(1, 2)]), (t400, vec![(2, 2)])]);
        let end = SimTime::from_secs(1000);
        assert_eq!(ps[0].billed_seconds(end), 600.0);
        assert_eq!(ps[1].billed_seconds(end), 1200.0);
        assert_eq!(ps[1].billed_seconds(t10), 0.0);
        assert_eq!(ps[1].billed_seconds(SimTime::from_secs(11)), 300.0);
        // 4 × 1 GB × 600 s; the alias: 2 × 0.5 GB for 390 s then 2 × 0.25 GB for 600 s, scaled from 990 s to 1200 s.
        let mem = |c: u32| [1.0, 0.5, 0.25][c as usize];
        assert!((ps[0].gb_seconds(end, mem) - 2400.0).abs() < 1e-9);
        assert!((ps[1].gb_seconds(end, mem) - (390.0 + 300.0) / 990.0 * 1200.0).abs() < 1e-9);
    }
}
