//! Unit tests of the series observer: sampling at every boundary, the backlog gauges, coarsening.

use super::*;
use crate::model::FnId;
use crate::trace::Origin;
use crate::vocab::Fate;

fn model() -> Model {
    crate::load_str(r#"{"Functions": [{"FunctionName": "f"}]}"#).expect("valid")
}

fn feed(s: &mut Series, m: &Model, t_ms: u64, ev: TraceEvent) {
    let ctx = Ctx { model: m, seed: 1, content: None };
    s.on_event(SimTime::from_millis(t_ms), &ev, &ctx);
}

fn accepted(id: u64, sync: bool) -> TraceEvent {
    let mode = if sync { InvokeMode::Sync } else { InvokeMode::Async };
    TraceEvent::Accepted {
        event: id,
        rid: id,
        function: FnId(0),
        origin: Origin::Workload(0),
        size: 2,
        mode,
        qualifier: Default::default(),
    }
}
fn start(id: u64) -> TraceEvent {
    TraceEvent::AttemptStart {
        event: id,
        rid: id,
        function: FnId(0),
        attempt: 1,
        env: 0,
        cold: true,
        new_env: id == 0,
        init: SimTime::ZERO,
        config: 0,
        provisioned: false,
        spillover: false,
    }
}
fn end(id: u64, outcome: Outcome) -> TraceEvent {
    TraceEvent::AttemptEnd {
        event: id,
        rid: id,
        function: FnId(0),
        attempt: 1,
        env: 0,
        outcome,
        duration: SimTime::ZERO,
        billed_ms: 0,
        init_billed_ms: 0,
    }
}
fn fate(id: u64) -> TraceEvent {
    TraceEvent::Fate { event: id, rid: id, function: FnId(0), fate: Fate::Succeeded, attempts: 1, latency: SimTime::ZERO, config: 0 }
}

#[test]
fn samples_every_boundary_and_integrates_concurrency() {
    let m = model();
    let mut s = Series::new(&m, SeriesConfig::with_interval(SimTime::from_secs(1)));
    feed(&mut s, &m, 500, accepted(0, true));
    feed(&mut s, &m, 500, start(0));
    feed(&mut s, &m, 2500, end(0, Outcome::Error));
    feed(&mut s, &m, 2500, fate(0));
    s.finish(SimTime::from_millis(3200));
    assert_eq!(s.len(), 4);
    let area: Vec<u64> = (0..4).map(|i| s.sample(i, 0).concurrency_area).collect();
    assert_eq!(area, vec![500_000, 1_000_000, 500_000, 0]);
    let max: Vec<u32> = (0..4).map(|i| s.sample(i, 0).concurrency_max).collect();
    assert_eq!(max, vec![1, 1, 1, 0]);
    assert_eq!((s.sample(0, 0).invocations, s.sample(2, 0).errors), (1, 1));
    assert_eq!(s.span(3), (SimTime::from_secs(3), SimTime::from_millis(3200)));
    assert_eq!(s.concurrency_area(0), 2_000_000);
    assert_eq!(s.mean_concurrency(0), Some(2.0 / 3.2));
    assert_eq!(s.sample(2, 0).backlog_max, 0, "a sync request never queues");
}

#[test]
fn backlog_counts_states_held_for_some_time_and_the_oldest_age() {
    let m = model();
    let mut s = Series::new(&m, SeriesConfig::with_interval(SimTime::from_secs(1)));
    feed(&mut s, &m, 0, accepted(0, false));
    feed(&mut s, &m, 0, start(0));
    // Ends and reaches its fate at the same instant: never in the backlog.
    feed(&mut s, &m, 100, end(0, Outcome::Success));
    feed(&mut s, &m, 100, fate(0));
    // Waits 1.5 s before running.
    feed(&mut s, &m, 1200, accepted(1, false));
    feed(&mut s, &m, 2700, start(1));
    feed(&mut s, &m, 2800, end(1, Outcome::Success));
    feed(&mut s, &m, 2800, fate(1));
    s.finish(SimTime::from_millis(2800));
    let b: Vec<(u32, u32, SimTime)> =
        (0..s.len()).map(|i| (s.sample(i, 0).backlog_max, s.sample(i, 0).backlog, s.sample(i, 0).oldest_age)).collect();
    assert_eq!(b, vec![(0, 0, SimTime::ZERO), (1, 1, SimTime::from_millis(800)), (1, 0, SimTime::ZERO)]);
}

#[test]
fn coarsening_bounds_the_samples_and_keeps_the_totals() {
    let m = model();
    let mut s = Series::new(&m, SeriesConfig { interval: SimTime::from_millis(10), max_samples: 8 });
    for i in 0..1000u64 {
        feed(&mut s, &m, i * 7, accepted(i, true));
        feed(&mut s, &m, i * 7, start(i));
        feed(&mut s, &m, i * 7 + 3, end(i, Outcome::Success));
        feed(&mut s, &m, i * 7 + 3, fate(i));
        assert!(s.len() < 8);
    }
    s.finish(SimTime::from_millis(7000));
    assert!(s.len() <= 8 && s.len() >= 4, "{}", s.len());
    assert_eq!(s.interval(), SimTime::from_millis(10 * 128));
    let total: u64 = (0..s.len()).map(|i| s.sample(i, 0).invocations).sum();
    let area: u64 = (0..s.len()).map(|i| s.sample(i, 0).concurrency_area).sum();
    assert_eq!((total, area), (1000, 3_000_000));
    assert_eq!(s.span(s.len() - 1).1, SimTime::from_millis(7000));
    let c = s.coarsened_to(3);
    assert!(c.len() <= 3);
    assert_eq!((0..c.len()).map(|i| c.sample(i, 0).invocations).sum::<u64>(), 1000);
}
