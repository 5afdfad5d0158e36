//! The error-accumulating validator every section builder shares: each problem is recorded with its JSON path and
//! the allowed range, and the builder goes on with a default so that one run reports every problem, in file order.

use crate::kernel::time::SimTime;
use crate::model::error::ScenarioError;

pub(crate) struct V {
    pub(crate) errors: Vec<ScenarioError>,
}

impl V {
    pub(crate) fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(ScenarioError::new(path, msg));
    }
    /// An error at `{path}.{name}` for each field that is given but does not apply here, saying `why`.
    pub(crate) fn not_for(&mut self, path: &str, fields: &[(bool, &str)], why: &str) {
        for (given, name) in fields {
            if *given {
                self.err(format!("{path}.{name}"), why);
            }
        }
    }
    pub(crate) fn int(&mut self, v: Option<i64>, path: &str, lo: i64, hi: i64, default: i64) -> i64 {
        match v {
            None => default,
            Some(x) if x >= lo && x <= hi => x,
            Some(x) => {
                self.err(path, format!("{x} is out of range; allowed {lo} to {hi}"));
                default
            }
        }
    }
    pub(crate) fn secs(&mut self, v: f64, path: &str) -> SimTime {
        if v.is_finite() && v >= 0.0 {
            SimTime::from_secs_f64(v)
        } else {
            self.err(path, format!("{v} is not allowed; must be a finite number of seconds >= 0"));
            SimTime::ZERO
        }
    }
    /// Seconds in `lo..=hi`, or the default when not given.
    pub(crate) fn secs_in(&mut self, v: Option<f64>, path: &str, lo: f64, hi: f64, default: f64) -> SimTime {
        match v {
            None => SimTime::from_secs_f64(default),
            Some(x) if x.is_finite() && x >= lo && x <= hi => SimTime::from_secs_f64(x),
            Some(x) => {
                self.err(path, format!("{x} is out of range; allowed {lo} to {hi} seconds"));
                SimTime::from_secs_f64(default)
            }
        }
    }
    pub(crate) fn prob(&mut self, v: Option<f64>, path: &str, default: f64) -> f64 {
        match v {
            None => default,
            Some(p) if (0.0..=1.0).contains(&p) => p,
            Some(p) => {
                self.err(path, format!("{p} is out of range; a probability is 0 to 1"));
                default
            }
        }
    }
    pub(crate) fn name(&mut self, name: &str, path: &str, max: usize, extra: &str, what: &str) {
        let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(c));
        if name.is_empty() || name.len() > max || !ok_chars {
            self.err(
                path,
                format!(
                    "{name:?} is not a valid {what}; allowed 1 to {max} characters of letters, digits, '-', '_'{}",
                    if extra.is_empty() { String::new() } else { format!(" and {extra:?}") }
                ),
            );
        }
    }
}
