//! The `Changes` section of a scenario validated into the [`Change`]s of the timeline (spec sections 2, 4 and 6): each
//! change's action resolved against the functions, versions, aliases and mappings it names, and the timeline replayed
//! once to check the bounds that hold at every instant and to find the provisioned-concurrency billing periods.

use std::collections::BTreeMap;

use super::{Alias, Change, ChangeKind, FnSetup, PcLedger, Qualifier};
use crate::kernel::time::SimTime;
use crate::model::function::{build_async, build_config, build_routing, parse_qualifier, resolve_function, taken, ConfigParts, Function};
use crate::model::targets::Resolver;
use crate::model::validate::V;
use crate::model::{Esm, EsmSource, FnId, MappingId};
use crate::scenario::{ChangeSpec, Scenario, UpdateEventSourceMappingSpec};

/// What the timeline builder needs to resolve names and check bounds.
pub(in crate::model) struct TimelineScope<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub account_limit: u32,
    pub fn_names: &'a BTreeMap<String, FnId>,
    pub resolver: &'a Resolver,
}

/// The `Changes` section, in the order the changes apply (time, then position in the file); replayed here from the
/// setups at time 0 (`setups`) to validate it and to find the provisioned-concurrency billing periods of each function.
/// Returns the changes and the `UpdateEventSourceMapping` changes, which are resolved once the mappings are built
/// ([`resolve_mapping_changes`]).
pub(in crate::model) fn build_changes(
    v: &mut V,
    sc: &Scenario,
    ctx: &TimelineScope<'_>,
    functions: &mut [Function],
    mut setups: Vec<FnSetup>,
) -> (Vec<Change>, Vec<PendingMappingChange>) {
    let account_limit = ctx.account_limit;
    let mut ledgers: Vec<PcLedger> = setups
        .iter()
        .map(|s| {
            let mut l = PcLedger::default();
            l.set(SimTime::ZERO, &s.pc_allocations());
            l
        })
        .collect();
    let mut order: Vec<(SimTime, usize)> = vec![];
    for (k, c) in sc.changes.iter().enumerate() {
        order.push((v.secs(c.at_seconds, &format!("Changes[{k}].AtSeconds")), k));
    }
    order.sort();
    let mut changes = vec![];
    let mut mapping_changes: Vec<(SimTime, usize, UpdateEventSourceMappingSpec)> = vec![];
    for (at, k) in order {
        let c = &sc.changes[k];
        let p = format!("Changes[{k}]");
        let given = [
            c.update_function_code.is_some(),
            c.update_function_configuration.is_some(),
            c.publish_version.is_some(),
            c.put_function_concurrency.is_some(),
            c.delete_function_concurrency.is_some(),
            c.put_provisioned_concurrency_config.is_some(),
            c.update_alias.is_some(),
            c.update_event_source_mapping.is_some(),
            c.put_function_event_invoke_config.is_some(),
            c.update_function_event_invoke_config.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if given != 1 {
            v.err(p.clone(), format!("gives {given} actions; give exactly one of UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion, PutFunctionConcurrency, DeleteFunctionConcurrency, PutProvisionedConcurrencyConfig, UpdateAlias, UpdateEventSourceMapping, PutFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig"));
            continue;
        }
        if let Some(u) = &c.update_event_source_mapping {
            // Resolved once the mappings are built.
            mapping_changes.push((at, k, u.clone()));
            continue;
        }
        let Some(kind) = change_kind(v, c, at, &p, ctx, functions, &setups) else { continue };
        let Some(f) = kind.function() else { continue };
        setups[f.ix()].apply(&kind);
        let s = &setups[f.ix()];
        if let Some(r) = s.reserved {
            if s.pc_total() > r {
                v.err(
                    p.clone(),
                    format!("at {at}, provisioned concurrency {} of {} exceeds its reserved concurrency {r}; provisioned concurrency counts toward reserved concurrency and cannot exceed it (spec section 6)", s.pc_total(), functions[f.ix()].name),
                );
            }
        }
        let (r, pc) = taken(&setups);
        if r + pc > 0 && r + pc + 100 > u64::from(ctx.account_limit) {
            v.err(
                p.clone(),
                format!("at {at}, reservations and provisioned concurrency of unreserved functions total {}, leaving {} of the account's {account_limit} unreserved; AWS requires at least 100 unreserved (spec section 6)", r + pc, i64::from(ctx.account_limit) - (r + pc) as i64),
            );
        }
        ledgers[f.ix()].set(at, &setups[f.ix()].pc_allocations());
        let action = if c.update_function_code.is_some() {
            "UpdateFunctionCode"
        } else if c.update_function_configuration.is_some() {
            "UpdateFunctionConfiguration"
        } else if c.put_function_event_invoke_config.is_some() {
            "PutFunctionEventInvokeConfig"
        } else if c.update_function_event_invoke_config.is_some() {
            "UpdateFunctionEventInvokeConfig"
        } else {
            kind.action()
        };
        changes.push(Change { at, index: k as u32, action, kind });
    }
    for (fd, l) in functions.iter_mut().zip(ledgers) {
        fd.pc_periods = l.finish();
        fd.uses_pc = !fd.pc_periods.is_empty();
    }
    (changes, mapping_changes)
}

/// An `UpdateEventSourceMapping` change waiting for the mappings: (time, position in the file, the change).
pub(in crate::model) type PendingMappingChange = (SimTime, usize, UpdateEventSourceMappingSpec);

/// The action of change `c` (not `UpdateEventSourceMapping`), checked; `None` when it names nothing valid.
fn change_kind(
    v: &mut V,
    c: &ChangeSpec,
    at: SimTime,
    p: &str,
    ctx: &TimelineScope<'_>,
    functions: &mut [Function],
    setups: &[FnSetup],
) -> Option<ChangeKind> {
    let function = |v: &mut V, name: &str, action: &str| match resolve_function(name, ctx.region, ctx.account, ctx.fn_names) {
        Ok(f) => Some(f),
        Err(m) => {
            v.err(format!("{p}.{action}.FunctionName"), m);
            None
        }
    };
    let next_version = |fd: &Function| fd.configs.iter().filter_map(|c| c.version).max().unwrap_or(0) + 1;
    // A deploy: new code (`UpdateFunctionCode`, optionally published at once) or new settings
    // (`UpdateFunctionConfiguration`) become `$LATEST`.
    let deploy = c
        .update_function_code
        .as_ref()
        .map(|u| {
            let parts = ConfigParts { behavior: Some(&u.behavior), ..ConfigParts::default() };
            (&u.function_name, "UpdateFunctionCode", parts, u.publish.unwrap_or(false))
        })
        .or_else(|| {
            c.update_function_configuration.as_ref().map(|u| {
                let parts = ConfigParts {
                    timeout: u.timeout,
                    memory_size: u.memory_size,
                    eic: u.event_invoke_config.as_ref(),
                    dlq: u.dead_letter_config.as_ref(),
                    behavior: None,
                    version: false,
                };
                (&u.function_name, "UpdateFunctionConfiguration", parts, false)
            })
        });
    // `PutFunctionEventInvokeConfig` replaces `$LATEST`'s asynchronous settings, `UpdateFunctionEventInvokeConfig`
    // changes the ones it gives (both recorded: LocalStack `test_lambda_eventinvokeconfig_lifecycle`).
    let eic_change = c
        .put_function_event_invoke_config
        .as_ref()
        .map(|u| (u, "PutFunctionEventInvokeConfig", false))
        .or_else(|| c.update_function_event_invoke_config.as_ref().map(|u| (u, "UpdateFunctionEventInvokeConfig", true)));
    if let Some((u, action, merge)) = eic_change {
        let f = function(v, &u.function_name, action)?;
        return event_invoke_config_change(v, u, merge, &format!("{p}.{action}"), at, ctx, f, functions, &setups[f.ix()]);
    }
    let kind = if let Some((name, action, parts, publish)) = deploy {
        let f = function(v, name, action)?;
        let fd = &mut functions[f.ix()];
        let latest = Some(&fd.configs[setups[f.ix()].latest as usize]);
        let mut cfg = build_config(v, &parts, latest, &format!("{p}.{action}"), ctx.resolver);
        cfg.version = None;
        fd.configs.push(cfg.clone());
        let config = fd.configs.len() as u32 - 1;
        let published = publish.then(|| {
            cfg.version = Some(next_version(fd));
            cfg.reset_event_invoke_config();
            fd.configs.push(cfg);
            fd.configs.len() as u32 - 1
        });
        ChangeKind::Deploy { function: f, config, published, qualifier: Qualifier::Latest }
    } else if let Some(r) = &c.publish_version {
        let f = function(v, &r.function_name, "PublishVersion")?;
        let fd = &mut functions[f.ix()];
        let mut cfg = fd.configs[setups[f.ix()].latest as usize].clone();
        cfg.version = Some(next_version(fd));
        cfg.reset_event_invoke_config();
        // a version runs on environments of its own
        cfg.environments_of = None;
        fd.configs.push(cfg);
        ChangeKind::Publish { function: f, config: fd.configs.len() as u32 - 1 }
    } else if let Some(r) = &c.put_function_concurrency {
        let f = function(v, &r.function_name, "PutFunctionConcurrency")?;
        let n = v.int(
            Some(r.reserved_concurrent_executions),
            &format!("{p}.PutFunctionConcurrency.ReservedConcurrentExecutions"),
            0,
            i64::from(ctx.account_limit),
            0,
        ) as u32;
        ChangeKind::Reserved { function: f, value: Some(n) }
    } else if let Some(r) = &c.delete_function_concurrency {
        let f = function(v, &r.function_name, "DeleteFunctionConcurrency")?;
        ChangeKind::Reserved { function: f, value: None }
    } else if let Some(r) = &c.put_provisioned_concurrency_config {
        let f = function(v, &r.function_name, "PutProvisionedConcurrencyConfig")?;
        let fd = &functions[f.ix()];
        let qp = format!("{p}.PutProvisionedConcurrencyConfig.Qualifier");
        let qualifier = match r.qualifier.parse::<u32>() {
            // Any version published so far, declared or published on the timeline.
            Ok(n) => match fd.version_config(n) {
                Some(c) => Qualifier::Version(c),
                None => {
                    v.err(qp, format!("version {n} of {} does not exist at {at}", fd.name));
                    return None;
                }
            },
            Err(_) => match parse_qualifier(fd, 0, &r.qualifier) {
                Ok(q) => q,
                Err(m) => {
                    v.err(qp, m);
                    return None;
                }
            },
        };
        let value = v.int(
            Some(r.provisioned_concurrent_executions),
            &format!("{p}.PutProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions"),
            0,
            i64::from(ctx.account_limit),
            0,
        ) as u32;
        ChangeKind::Provisioned { function: f, qualifier, value }
    } else if let Some(u) = &c.update_alias {
        let f = function(v, &u.function_name, "UpdateAlias")?;
        let fd = &functions[f.ix()];
        let Some(alias) = fd.aliases.iter().position(|a| a.name == u.name) else {
            let have: Vec<&str> = fd.aliases.iter().map(|a| a.name.as_str()).collect();
            v.err(format!("{p}.UpdateAlias.Name"), format!("{:?} is not an alias of {} (aliases: {})", u.name, fd.name, have.join(", ")));
            return None;
        };
        let now = setups[f.ix()].routing[alias];
        let version = match &u.function_version {
            Some(s) => s.clone(),
            None => fd.configs[now.primary as usize].label(),
        };
        let routing = build_routing(v, &fd.configs, &version, u.routing_config.as_ref(), Some(now), &format!("{p}.UpdateAlias"));
        ChangeKind::Alias { function: f, alias: alias as u32, routing }
    } else {
        return None;
    };
    Some(kind)
}

/// Resolve the `UpdateEventSourceMapping` changes against the built mappings, add them to `changes` and sort
/// `changes` into the order they apply.
pub(in crate::model) fn resolve_mapping_changes(
    v: &mut V,
    pending: Vec<PendingMappingChange>,
    esm: &Esm,
    ctx: &TimelineScope<'_>,
    changes: &mut Vec<Change>,
) {
    for (at, k, u) in pending {
        let p = format!("Changes[{k}].UpdateEventSourceMapping");
        let function = u.function_name.as_ref().map(|f| resolve_function(f, ctx.region, ctx.account, ctx.fn_names));
        let found = esm.mappings.iter().position(|m| {
            u.uuid.as_ref().is_none_or(|x| *x == m.uuid)
                && u.event_source_arn.as_ref().is_none_or(|a| match m.source {
                    EsmSource::Queue(q) => esm.queue(q).arn == *a,
                    EsmSource::Stream(s) => esm.stream(s).arn == *a,
                })
                && function.as_ref().is_none_or(|f| f.as_ref().is_ok_and(|f| *f == m.function))
        });
        match found {
            _ if u.uuid.is_none() && u.event_source_arn.is_none() => {
                v.err(p, "names no mapping; give its UUID, or its EventSourceArn (and FunctionName)")
            }
            None => v.err(p, "names no event source mapping of this scenario (match on UUID, EventSourceArn and FunctionName)"),
            Some(m) => changes.push(Change {
                at,
                index: k as u32,
                action: "UpdateEventSourceMapping",
                kind: ChangeKind::MappingEnabled { mapping: MappingId(m as u32), enabled: u.enabled },
            }),
        }
    }
    changes.sort_by_key(|c| (c.at, c.index));
}

/// `PutFunctionEventInvokeConfig` (`merge` false: the settings not given take their defaults) or
/// `UpdateFunctionEventInvokeConfig` (`merge` true: they keep their values) of function `f`, at `p`: a deploy of the
/// qualifier it names (`$LATEST` by default, a version number or an alias name), whose configuration then runs with
/// the new settings (both actions recorded: LocalStack `test_lambda_eventinvokeconfig_lifecycle`; one configuration
/// per qualifier, spec section 2).
#[allow(clippy::too_many_arguments)]
fn event_invoke_config_change(
    v: &mut V,
    u: &crate::scenario::FunctionEventInvokeConfigSpec,
    merge: bool,
    p: &str,
    at: SimTime,
    ctx: &TimelineScope<'_>,
    f: FnId,
    functions: &mut [Function],
    setup: &FnSetup,
) -> Option<ChangeKind> {
    let fd = &functions[f.ix()];
    let qualifier = match u.qualifier.as_deref() {
        None | Some("$LATEST") => Qualifier::Latest,
        Some(q) => match eic_qualifier(fd, q, at) {
            Ok(q) => q,
            Err(m) => {
                v.err(format!("{p}.Qualifier"), m);
                return None;
            }
        },
    };
    let now = match qualifier {
        Qualifier::Latest => fd.config(setup.latest).async_settings(),
        Qualifier::Version(c) => fd.config(setup.version_now(c)).async_settings(),
        Qualifier::Alias(a) => {
            let Qualifier::Alias(copy) = setup.accepted_as(qualifier) else { return None };
            match fd.aliases[copy as usize].asynchronous {
                Some(s) => s,
                None => {
                    v.err(
                        format!("{p}.Qualifier"),
                        format!("{:?}: an alias's EventInvokeConfig has no effect with Simulation.AliasEventInvokeConfig \"Version\" (the version the alias routes to decides); change the version's, or leave that option at \"Alias\"", fd.aliases[a as usize].name),
                    );
                    return None;
                }
            }
        }
    };
    let spec = crate::scenario::EventInvokeConfigSpec {
        maximum_retry_attempts: u.maximum_retry_attempts,
        maximum_event_age_in_seconds: u.maximum_event_age_in_seconds,
        destination_config: u.destination_config.clone(),
    };
    // Checked as an `EventInvokeConfig` is; its errors name this change's own properties.
    let before = v.errors.len();
    let mut new = build_async(v, Some(&spec), p, ctx.resolver);
    for e in &mut v.errors[before..] {
        e.path = e.path.replacen(&format!("{p}.EventInvokeConfig"), p, 1);
    }
    if merge {
        if spec.maximum_retry_attempts.is_none() {
            new.max_retries = now.max_retries;
        }
        if spec.maximum_event_age_in_seconds.is_none() {
            new.max_age = now.max_age;
        }
        if spec.destination_config.is_none() {
            (new.on_success, new.on_failure) = (now.on_success, now.on_failure);
        }
    }
    // "You can't specify the function as a destination for itself." (AWS's refusal, recorded: LocalStack
    // `test_lambda_eventinvokeconfig_exceptions`).
    if let Some(own) = ctx.resolver.by_arn.get(&fd.arn) {
        for (d, which) in [(new.on_success, "OnSuccess"), (new.on_failure, "OnFailure")] {
            if d == Some(*own) {
                v.err(format!("{p}.DestinationConfig.{which}.Destination"), "You can't specify the function as a destination for itself.");
            }
        }
    }
    let fd = &mut functions[f.ix()];
    let config = match qualifier {
        Qualifier::Latest | Qualifier::Version(_) => {
            let from = match qualifier {
                Qualifier::Version(c) => setup.version_now(c),
                _ => setup.latest,
            };
            let mut cfg = fd.config(from).clone();
            cfg.set_async(new);
            // the same code and configuration: the environments of `from` serve it, warm as they are
            cfg.environments_of = Some(fd.environments(from));
            fd.configs.push(cfg);
            fd.configs.len() as u32 - 1
        }
        Qualifier::Alias(a) => {
            let routing = setup.routing[a as usize];
            let name = fd.aliases[a as usize].name.clone();
            fd.aliases.push(Alias { name, routing, asynchronous: Some(new) });
            fd.aliases.len() as u32 - 1
        }
    };
    Some(ChangeKind::Deploy { function: f, config, published: None, qualifier })
}

/// The qualifier a change of the asynchronous invoke configuration names: a version published by `at` (declared or
/// on the timeline) or an alias; an unknown one is refused with the qualifiers there are.
fn eic_qualifier(fd: &Function, q: &str, at: SimTime) -> Result<Qualifier, String> {
    if let Ok(n) = q.parse::<u32>() {
        if let Some(c) = fd.version_config(n) {
            return Ok(Qualifier::Version(c));
        }
    } else if let Some(a) = fd.aliases.iter().position(|a| a.name == q) {
        return Ok(Qualifier::Alias(a as u32));
    }
    let mut known: Vec<String> = vec!["$LATEST".into()];
    let mut versions: Vec<String> = fd.configs.iter().filter_map(|c| c.version).map(|n| n.to_string()).collect();
    versions.dedup();
    known.extend(versions);
    for a in &fd.aliases {
        if !known.contains(&a.name) {
            known.push(a.name.clone());
        }
    }
    let names: Vec<&str> = known.iter().map(String::as_str).collect();
    Err(format!(
        "{q:?} is neither $LATEST, a version of {} published by {at} nor one of its aliases (qualifiers: {}); {}",
        fd.name,
        known.join(", "),
        crate::vocab::did_you_mean(q, &names)
    ))
}
