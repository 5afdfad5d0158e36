//! Metrics of SNS topics and EventBridge buses (spec section 7, src/sim/fanout.rs), streamed from trace events:
//! messages published and deduplicated, rule matches, and deliveries per subscription or rule target by outcome.

use serde_json::{json, Map, Value};

use crate::model::Model;
use crate::trace::TraceEvent;
use crate::vocab::FanoutOutcome;

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
    /// Empty figures for a run of `model`.
    pub fn new(model: &Model) -> Self {
        let hubs = &model.fanout.hubs;
        FanoutMetrics {
            published: vec![0; hubs.len()],
            deduplicated: vec![0; hubs.len()],
            rule_matches: hubs.iter().map(|h| vec![0; h.rules.len()]).collect(),
            outcomes: hubs.iter().map(|h| vec![[0; 4]; h.endpoints.len()]).collect(),
        }
    }

    /// Counts one trace event.
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

use crate::model::checks::FanoutMeasure;

impl FanoutMeasure {
    /// The measure's value in `m`.
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
