//! Expectation measures on SNS topics and EventBridge buses (spec section 7), compiled from `MeasureSpec`.

use crate::model::error::ScenarioError;
use crate::model::Model;
use crate::vocab::FanoutOutcome;

/// Expectation measures on topics and buses (compiled from `MeasureSpec`).
#[derive(Debug, Clone)]
pub enum FanoutMeasure {
    /// Messages published to the hub (after deduplication).
    Published {
        /// Index in `Model::fanout.hubs`.
        hub: usize,
    },
    /// FIFO topic publishes dropped as duplicates.
    Deduplicated {
        /// Index in `Model::fanout.hubs`.
        hub: usize,
    },
    /// Events rule `rule` of bus `hub` matched.
    RuleMatches {
        /// Index in `Model::fanout.hubs`.
        hub: usize,
        /// Index of the rule in the bus.
        rule: usize,
    },
    /// Deliveries of the selected endpoints of `hub` that ended with `outcome`.
    Deliveries {
        /// Index in `Model::fanout.hubs`.
        hub: usize,
        /// The endpoints selected (indices in the hub's endpoints).
        endpoints: Vec<usize>,
        /// The delivery outcome counted.
        outcome: FanoutOutcome,
    },
}

/// Compile a topic or bus measure; `None` if `spec` is not one of them. Errors name the JSON path.
pub(super) fn compile(
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
