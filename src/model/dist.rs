//! Duration distributions for handler and init durations (issue: constant, uniform, exponential, lognormal by median
//! and sigma, empirical samples). Samples are whole microseconds of [`SimTime`].

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::kernel::time::SimTime;
use crate::model::error::ScenarioError;
use crate::scenario::DistSpec;

#[derive(Debug, Clone)]
enum Kind {
    Constant(SimTime),
    Uniform { min_ms: f64, max_ms: f64 },
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Empirical(Vec<SimTime>),
}

/// A compiled distribution, optionally clamped to `[min, max]` milliseconds.
#[derive(Debug, Clone)]
pub struct Dist {
    kind: Kind,
    min_ms: f64,
    max_ms: f64,
}

fn check_ms(v: f64, path: &str, what: &str, allow_zero: bool) -> Result<f64, ScenarioError> {
    let ok = v.is_finite() && if allow_zero { v >= 0.0 } else { v > 0.0 };
    if ok {
        Ok(v)
    } else {
        let range = if allow_zero { ">= 0" } else { "> 0" };
        Err(ScenarioError::new(format!("{path}.{what}"), format!("{v} is not allowed; must be a finite number {range} (milliseconds)")))
    }
}

impl Dist {
    /// A distribution that always gives `t`.
    pub fn constant(t: SimTime) -> Dist {
        Dist { kind: Kind::Constant(t), min_ms: 0.0, max_ms: f64::INFINITY }
    }

    /// Compiles a scenario distribution; errors name `path`.
    pub fn compile(spec: &DistSpec, path: &str) -> Result<Dist, ScenarioError> {
        let clamp = |min: &Option<f64>, max: &Option<f64>, kind: &str| -> Result<(f64, f64), ScenarioError> {
            let lo = match min {
                Some(v) => check_ms(*v, &format!("{path}.{kind}"), "MinMs", true)?,
                None => 0.0,
            };
            let hi = match max {
                Some(v) => check_ms(*v, &format!("{path}.{kind}"), "MaxMs", false)?,
                None => f64::INFINITY,
            };
            if lo > hi {
                return Err(ScenarioError::new(format!("{path}.{kind}.MinMs"), format!("{lo} is greater than MaxMs {hi}")));
            }
            Ok((lo, hi))
        };
        let (kind, lo, hi) = match spec {
            DistSpec::Constant { ms } => {
                let ms = check_ms(*ms, &format!("{path}.Constant"), "Ms", true)?;
                (Kind::Constant(SimTime::from_millis_f64(ms)), 0.0, f64::INFINITY)
            }
            DistSpec::Uniform { min_ms, max_ms } => {
                let a = check_ms(*min_ms, &format!("{path}.Uniform"), "MinMs", true)?;
                let b = check_ms(*max_ms, &format!("{path}.Uniform"), "MaxMs", true)?;
                if a > b {
                    return Err(ScenarioError::new(format!("{path}.Uniform.MinMs"), format!("{a} is greater than MaxMs {b}")));
                }
                (Kind::Uniform { min_ms: a, max_ms: b }, 0.0, f64::INFINITY)
            }
            DistSpec::Exponential { mean_ms, min_ms, max_ms } => {
                let m = check_ms(*mean_ms, &format!("{path}.Exponential"), "MeanMs", false)?;
                let (lo, hi) = clamp(min_ms, max_ms, "Exponential")?;
                let exp = Exp::new(1.0 / m).map_err(|e| ScenarioError::new(format!("{path}.Exponential.MeanMs"), format!("{m}: {e}")))?;
                (Kind::Exponential(exp), lo, hi)
            }
            DistSpec::LogNormal { median_ms, sigma, min_ms, max_ms } => {
                let m = check_ms(*median_ms, &format!("{path}.LogNormal"), "MedianMs", false)?;
                if !(sigma.is_finite() && *sigma >= 0.0 && *sigma <= 10.0) {
                    return Err(ScenarioError::new(format!("{path}.LogNormal.Sigma"), format!("{sigma} is out of range; allowed 0 to 10")));
                }
                let (lo, hi) = clamp(min_ms, max_ms, "LogNormal")?;
                let ln = LogNormal::new(m.ln(), *sigma).map_err(|e| ScenarioError::new(format!("{path}.LogNormal"), e.to_string()))?;
                (Kind::LogNormal(ln), lo, hi)
            }
            DistSpec::Empirical { samples_ms } => {
                if samples_ms.is_empty() {
                    return Err(ScenarioError::new(format!("{path}.Empirical.SamplesMs"), "is empty; give at least one sample"));
                }
                let mut v = Vec::with_capacity(samples_ms.len());
                for (i, s) in samples_ms.iter().enumerate() {
                    v.push(SimTime::from_millis_f64(check_ms(*s, &format!("{path}.Empirical"), &format!("SamplesMs[{i}]"), true)?));
                }
                (Kind::Empirical(v), 0.0, f64::INFINITY)
            }
        };
        Ok(Dist { kind, min_ms: lo, max_ms: hi })
    }

    /// Draw one duration.
    #[inline]
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> SimTime {
        let ms = match &self.kind {
            Kind::Constant(t) => return *t,
            Kind::Empirical(v) => return v[rng.random_range(0..v.len())],
            Kind::Uniform { min_ms, max_ms } => {
                if max_ms > min_ms {
                    rng.random_range(*min_ms..=*max_ms)
                } else {
                    *min_ms
                }
            }
            Kind::Exponential(e) => e.sample(rng),
            Kind::LogNormal(l) => l.sample(rng),
        };
        SimTime::from_millis_f64(ms.clamp(self.min_ms, self.max_ms))
    }

    /// Whether every draw is the same (no randomness consumed).
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::stream;

    #[test]
    fn lognormal_median_and_clamp() {
        let spec = DistSpec::LogNormal { median_ms: 50.0, sigma: 0.5, min_ms: Some(1.0), max_ms: Some(3000.0) };
        let d = Dist::compile(&spec, "x").unwrap();
        let mut rng = stream(1, "t", "d");
        let mut v: Vec<u64> = (0..20_001).map(|_| d.sample(&mut rng).as_micros()).collect();
        v.sort_unstable();
        let median = v[10_000] as f64 / 1000.0;
        assert!((median - 50.0).abs() < 2.0, "median {median}");
        assert!(v[0] >= 1_000 && v[20_000] <= 3_000_000);
    }

    #[test]
    fn bad_values_name_path() {
        let e = Dist::compile(&DistSpec::Exponential { mean_ms: -1.0, min_ms: None, max_ms: None }, "F.Duration").unwrap_err();
        assert_eq!(e.path, "F.Duration.Exponential.MeanMs");
        let e = Dist::compile(&DistSpec::Empirical { samples_ms: vec![] }, "F").unwrap_err();
        assert_eq!(e.path, "F.Empirical.SamplesMs");
        let e = Dist::compile(&DistSpec::Uniform { min_ms: 5.0, max_ms: 1.0 }, "F").unwrap_err();
        assert!(e.message.contains("greater"));
    }
}
