//! How a [`Series`](super::Series) samples: [`SeriesConfig`] (the interval and the cap on the number of samples) and
//! the automatic choice of the interval from the scenario (`Simulation.SeriesIntervalSeconds`, else the horizon or the
//! end of the workload).

use crate::kernel::time::SimTime;
use crate::model::{Arrivals, Model};

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesConfig {
    /// Length of one sample interval (doubles as samples merge).
    pub interval: SimTime,
    /// At this many samples, neighbours are merged in pairs and the interval doubles (even, at least 2).
    pub max_samples: usize,
}

/// Default cap on the number of samples.
pub const MAX_SAMPLES: usize = 10_000;
/// Intervals the automatic choice picks from, in microseconds: 1 ms to 1 h.
const LADDER_US: [u64; 10] =
    [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 10_000_000, 60_000_000, 300_000_000, 600_000_000, 3_600_000_000];

impl SeriesConfig {
    /// A given interval, with the default cap.
    pub fn with_interval(interval: SimTime) -> Self {
        SeriesConfig { interval: interval.max(SimTime::from_micros(1)), max_samples: MAX_SAMPLES }
    }

    /// The scenario's `Simulation.SeriesIntervalSeconds`, else the interval chosen from the run: the smallest of 1 ms, 10 ms, 100 ms, 1 s, 5 s, 10 s, 1 min, 5 min, 10 min,
    /// 1 h that gives at most 1,000 samples over the expected length of the run (the horizon, or else the end of the
    /// workload); 1 s when nothing says how long the run will be. Retries after the workload ends may add samples; the
    /// cap still bounds them.
    pub fn auto(model: &Model) -> Self {
        if let Some(i) = model.settings.series_interval {
            // `Simulation.SeriesIntervalSeconds` (the command line's `--series-interval` overrides it).
            return SeriesConfig::with_interval(i);
        }
        let expected = model.settings.horizon.or_else(|| workload_end(model)).unwrap_or(SimTime::from_secs(1000));
        let us = expected.as_micros().max(1);
        let interval = LADDER_US.iter().copied().find(|i| us.div_ceil(*i) <= 1000).unwrap_or(*LADDER_US.last().unwrap_or(&1_000_000));
        SeriesConfig::with_interval(SimTime::from_micros(interval))
    }
}

/// When the last workload arrival is due, if any source has arrivals.
fn workload_end(model: &Model) -> Option<SimTime> {
    model
        .sources
        .iter()
        .filter_map(|s| match &s.arrivals {
            Arrivals::At(ts) => ts.last().copied(),
            Arrivals::Poisson { end, .. } | Arrivals::Every { end, .. } => Some(*end),
            Arrivals::Burst { at, spread, .. } => Some(*at + *spread),
        })
        .max()
        .filter(|t| *t > SimTime::ZERO)
}
