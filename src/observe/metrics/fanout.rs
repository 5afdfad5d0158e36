//! Metrics of SNS topics and EventBridge buses (spec section 7, src/sim/fanout.rs), streamed from trace events:
//! messages published and deduplicated, rule matches, and deliveries per subscription or rule target by outcome.

use serde_json::{json, Map, Value};

use crate::error::ScenarioError;
use crate::model::Model;
use crate::trace::{FanoutOutcome, TraceEvent};

/// Figures of every topic and bus.
#[derive(Debug, Clone)]
pub struct FanoutMetrics {
    /// Per topic or bus (`Model::fanout`): messages or events published (deduplicated ones not included).
    pub published: Vec<u64>,
    /// Per FIFO topic: publishes dropped as duplicates.
    pub deduplicated: Vec<u64>,
    /// Per bus and rule: events the rule matched.
    pub rule_matches: Vec<Vec<u64>>,
    /// Per topic or bus and endpoint: deliveries by `FanoutOutcome`.
    pub outcomes: Vec<Vec<[u64; 4]>>,
}

impl FanoutMetrics {
    pub fn new(model: &Model) -> Self {
        let hubs = &model.fanout.hubs;
        FanoutMetrics {
            published: vec![0; hubs.len()],
            deduplicated: vec![0; hubs.len()],
            rule_matches: hubs.iter().map(|h| vec![0; h.rules.len()]).collect(),
            outcomes: hubs.iter().map(|h| vec![[0; 4]; h.endpoints.len()]).collect(),
        }
    }

    pub fn on_event(&mut self, ev: &TraceEvent) {
        match ev {
            TraceEvent::Published { hub, .. } => self.published[*hub as usize] += 1,
            TraceEvent::PublishDeduplicated { hub, .. } => self.deduplicated[*hub as usize] += 1,
            TraceEvent::RuleMatched { hub, rule, .. } => self.rule_matches[*hub as usize][*rule as usize] += 1,
            TraceEvent::Fanout { hub, endpoint, outcome, .. } => self.outcomes[*hub as usize][*endpoint as usize][*outcome as usize] += 1,
            _ => {}
        }
    }

    /// Topics and buses: messages published and deliveries per endpoint by outcome (text; empty without any).
    pub fn to_text(&self, model: &Model) -> String {
        let mut s = String::new();
        for (h, hub) in model.fanout.hubs.iter().enumerate() {
            if hub.rules.is_empty() && hub.endpoints.is_empty() && self.published[h] == 0 {
                // Only a destination or DLQ target that records what it gets: "sinks" counts its records.
                continue;
            }
            let kind = if hub.bus { "bus" } else { "topic" };
            s.push_str(&format!("  {kind} {}: {} published", hub.name, self.published[h]));
            if self.deduplicated[h] > 0 {
                s.push_str(&format!(", {} deduplicated", self.deduplicated[h]));
            }
            s.push('\n');
            for (r, rule) in hub.rules.iter().enumerate() {
                s.push_str(&format!("    rule {}: {} matched\n", rule.name, self.rule_matches[h][r]));
            }
            for (e, ep) in hub.endpoints.iter().enumerate() {
                let o = &self.outcomes[h][e];
                let parts: Vec<String> =
                    FanoutOutcome::ALL.iter().filter(|x| o[**x as usize] > 0).map(|x| format!("{} {}", x.name(), o[*x as usize])).collect();
                s.push_str(&format!(
                    "    {} -> {}: {}\n",
                    ep.label,
                    ep.arn,
                    if parts.is_empty() { "no deliveries".to_string() } else { parts.join(", ") }
                ));
            }
        }
        s
    }

    /// Topics and buses as JSON (`null` without any).
    pub fn to_json(&self, model: &Model) -> Value {
        if model.fanout.hubs.is_empty() {
            return Value::Null;
        }
        let hubs: Vec<Value> = model
            .fanout
            .hubs
            .iter()
            .enumerate()
            .map(|(h, hub)| {
                let eps: Vec<Value> = hub
                    .endpoints
                    .iter()
                    .enumerate()
                    .map(|(e, ep)| {
                        let mut o = Map::new();
                        o.insert("endpoint".into(), ep.label.clone().into());
                        o.insert("arn".into(), ep.arn.clone().into());
                        for x in FanoutOutcome::ALL {
                            o.insert(x.name().into(), self.outcomes[h][e][x as usize].into());
                        }
                        Value::Object(o)
                    })
                    .collect();
                let mut o = json!({"name": hub.name, "kind": if hub.bus { "bus" } else { "topic" }, "published": self.published[h], "endpoints": eps});
                if hub.fifo {
                    o["deduplicated"] = json!(self.deduplicated[h]);
                }
                if hub.bus {
                    o["ruleMatches"] = hub.rules.iter().enumerate().map(|(r, rule)| (rule.name.clone(), json!(self.rule_matches[h][r]))).collect::<Map<String, Value>>().into();
                }
                o
            })
            .collect();
        Value::Array(hubs)
    }
}

/// Expectation measures on topics and buses (compiled from `MeasureSpec`).
#[derive(Debug, Clone)]
pub enum FanoutMeasure {
    /// Messages published to the hub (after deduplication).
    Published { hub: usize },
    /// FIFO topic publishes dropped as duplicates.
    Deduplicated { hub: usize },
    /// Events rule `rule` of bus `hub` matched.
    RuleMatches { hub: usize, rule: usize },
    /// Deliveries of the selected endpoints of `hub` that ended with `outcome`.
    Deliveries { hub: usize, endpoints: Vec<usize>, outcome: FanoutOutcome },
}

impl FanoutMeasure {
    pub fn value(&self, m: &FanoutMetrics) -> f64 {
        match self {
            FanoutMeasure::Published { hub } => m.published[*hub] as f64,
            FanoutMeasure::Deduplicated { hub } => m.deduplicated[*hub] as f64,
            FanoutMeasure::RuleMatches { hub, rule } => m.rule_matches[*hub][*rule] as f64,
            FanoutMeasure::Deliveries { hub, endpoints, outcome } => {
                endpoints.iter().map(|e| m.outcomes[*hub][*e][*outcome as usize]).sum::<u64>() as f64
            }
        }
    }
}

/// Compile a topic or bus measure; `None` if `spec` is not one of them. Errors name the JSON path.
pub fn compile_measure(
    spec: &crate::scenario::MeasureSpec,
    path: &str,
    model: &Model,
) -> Option<Result<(FanoutMeasure, String), ScenarioError>> {
    use crate::scenario::MeasureSpec as S;
    let hubs = &model.fanout.hubs;
    let hub = |name: &str, bus: bool, sub: &str| -> Result<usize, ScenarioError> {
        hubs.iter().position(|h| h.bus == bus && (h.name == name || h.arn == name)).ok_or_else(|| {
            let what = if bus { "EventBus" } else { "Topic" };
            let known: Vec<&str> = hubs.iter().filter(|h| h.bus == bus).map(|h| h.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.{what}"),
                format!("{name:?} names no {} with subscriptions or rules in this scenario; known: {}", what, known.join(", ")),
            )
        })
    };
    let outcome = |o: &str, sub: &str| -> Result<FanoutOutcome, ScenarioError> {
        FanoutOutcome::ALL.iter().copied().find(|x| x.name() == o).ok_or_else(|| {
            let all: Vec<&str> = FanoutOutcome::ALL.iter().map(|x| x.name()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Outcome"),
                format!("{o:?} is not a delivery outcome; allowed: {}", all.join(", ")),
            )
        })
    };
    let rule = |h: usize, r: &str, sub: &str| -> Result<usize, ScenarioError> {
        hubs[h].rules.iter().position(|x| x.name == r).ok_or_else(|| {
            let known: Vec<&str> = hubs[h].rules.iter().map(|x| x.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Rule"),
                format!("{r:?} names no rule of bus {}; rules: {}", hubs[h].name, known.join(", ")),
            )
        })
    };
    let r = match spec {
        S::Published { topic, event_bus } => (|| {
            let (h, what) = match (topic, event_bus) {
                (Some(t), None) => (hub(t, false, "Published")?, format!("messages published to topic {t}")),
                (None, Some(b)) => (hub(b, true, "Published")?, format!("events put on bus {b}")),
                _ => return Err(ScenarioError::new(format!("{path}.Expect.Published"), "give exactly one of Topic, EventBus")),
            };
            Ok((FanoutMeasure::Published { hub: h }, what))
        })(),
        S::PublishesDeduplicated { topic } => hub(topic, false, "PublishesDeduplicated")
            .map(|h| (FanoutMeasure::Deduplicated { hub: h }, format!("publishes to {topic} dropped as duplicates"))),
        S::RuleMatches { event_bus, rule: r } => (|| {
            let h = hub(event_bus, true, "RuleMatches")?;
            Ok((
                FanoutMeasure::RuleMatches { hub: h, rule: rule(h, r, "RuleMatches")? },
                format!("events rule {r} of bus {event_bus} matched"),
            ))
        })(),
        S::TopicDeliveries { topic, endpoint, outcome: o } => (|| {
            let h = hub(topic, false, "TopicDeliveries")?;
            let eps: Vec<usize> = hubs[h]
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| endpoint.as_ref().is_none_or(|x| *x == e.arn || *x == e.label))
                .map(|(i, _)| i)
                .collect();
            if eps.is_empty() {
                let known: Vec<String> = hubs[h].endpoints.iter().map(|e| e.arn.clone()).collect();
                return Err(ScenarioError::new(
                    format!("{path}.Expect.TopicDeliveries.Endpoint"),
                    format!(
                        "{:?} is no subscription of topic {topic}; subscriptions: {}",
                        endpoint.as_deref().unwrap_or(""),
                        known.join(", ")
                    ),
                ));
            }
            let oc = outcome(o, "TopicDeliveries")?;
            Ok((FanoutMeasure::Deliveries { hub: h, endpoints: eps, outcome: oc }, format!("deliveries of topic {topic} with outcome {o}")))
        })(),
        S::RuleDeliveries { event_bus, rule: r, target, outcome: o } => (|| {
            let h = hub(event_bus, true, "RuleDeliveries")?;
            let ri = r.as_ref().map(|r| rule(h, r, "RuleDeliveries")).transpose()?;
            let eps: Vec<usize> = hubs[h]
                .endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| ri.is_none_or(|ri| e.rule == Some(ri as u32)))
                .filter(|(_, e)| target.as_ref().is_none_or(|t| *t == e.arn || e.label.rsplit('/').next() == Some(t.as_str())))
                .map(|(i, _)| i)
                .collect();
            if eps.is_empty() {
                return Err(ScenarioError::new(format!("{path}.Expect.RuleDeliveries"), "selects no rule target of this bus"));
            }
            let oc = outcome(o, "RuleDeliveries")?;
            Ok((
                FanoutMeasure::Deliveries { hub: h, endpoints: eps, outcome: oc },
                format!("deliveries of bus {event_bus} rule targets with outcome {o}"),
            ))
        })(),
        _ => return None,
    };
    Some(r)
}
