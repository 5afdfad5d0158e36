//! Integer virtual time.
//!
//! One type, [`SimTime`], counts whole microseconds. It serves both as an instant (microseconds since the start of the
//! simulation) and as a span; the constructors name their unit so that a number never silently changes meaning.
//! There is no wall clock anywhere in the simulation.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Microseconds of virtual time, as an instant since the simulation start or as a span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// `x.round() as u64` (half away from zero, saturating, NaN and negatives to 0) without a call into libm: `x - trunc(x)`
/// is exact for every double, so comparing it with 0.5 rounds exactly as `f64::round` does.
#[inline]
pub fn round_u64(x: f64) -> u64 {
    let i = x as u64;
    if x - i as f64 >= 0.5 {
        i.saturating_add(1)
    } else {
        i
    }
}

impl SimTime {
    /// Time zero, the start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest time: "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// From whole microseconds (the unit of simulated time).
    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }
    /// From whole milliseconds (saturating).
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms.saturating_mul(1_000))
    }
    /// From whole seconds (saturating).
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s.saturating_mul(1_000_000))
    }
    /// Seconds given as a float (scenario files), rounded to the nearest microsecond; negative and NaN give zero.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            SimTime(0)
        } else if s >= (u64::MAX / 1_000_000) as f64 {
            SimTime(u64::MAX)
        } else {
            SimTime(round_u64(s * 1e6))
        }
    }
    /// Milliseconds given as a float (distribution samples), rounded to the nearest microsecond.
    pub fn from_millis_f64(ms: f64) -> Self {
        Self::from_secs_f64(ms / 1e3)
    }
    /// In microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// In seconds, as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// In milliseconds, as a float.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }
    /// Rounded up to the next whole millisecond, as Lambda bills (spec section 8).
    pub const fn ceil_millis(self) -> u64 {
        self.0.div_ceil(1_000)
    }
    /// `self - other`, zero when `other` is later.
    pub const fn saturating_sub(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(other.0))
    }
    /// The earlier of the two.
    pub fn min(self, other: SimTime) -> SimTime {
        if self <= other {
            self
        } else {
            other
        }
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}
impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        *self = *self + rhs;
    }
}
impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        self.saturating_sub(rhs)
    }
}

/// `1h2m3.5s`, `1m30s`, `250ms`, `17us`, `0s`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        if us < 1_000 {
            return write!(f, "{us}us");
        }
        if us < 1_000_000 {
            return write_frac(f, us / 1_000, us % 1_000, 3, "ms");
        }
        let total_s = us / 1_000_000;
        let frac_us = us % 1_000_000;
        let (h, m, s) = (total_s / 3600, (total_s / 60) % 60, total_s % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 || frac_us > 0 {
            write_frac(f, s, frac_us, 6, "s")?;
        }
        Ok(())
    }
}

fn write_frac(f: &mut fmt::Formatter<'_>, whole: u64, frac: u64, digits: usize, unit: &str) -> fmt::Result {
    if frac == 0 {
        return write!(f, "{whole}{unit}");
    }
    let s = format!("{frac:0digits$}");
    write!(f, "{whole}.{}{unit}", s.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_compact() {
        assert_eq!(SimTime::ZERO.to_string(), "0s");
        assert_eq!(SimTime::from_micros(17).to_string(), "17us");
        assert_eq!(SimTime::from_millis(250).to_string(), "250ms");
        assert_eq!(SimTime::from_micros(1_500).to_string(), "1.5ms");
        assert_eq!(SimTime::from_secs(90).to_string(), "1m30s");
        assert_eq!(SimTime::from_secs(3600).to_string(), "1h");
        assert_eq!(SimTime::from_millis(3_723_500).to_string(), "1h2m3.5s");
        assert_eq!(SimTime::from_secs(21600).to_string(), "6h");
    }

    #[test]
    fn constructors_agree() {
        assert_eq!(SimTime::from_secs(2), SimTime::from_millis(2_000));
        assert_eq!(SimTime::from_secs_f64(1.5), SimTime::from_millis(1_500));
        assert_eq!(SimTime::from_millis_f64(0.0004), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_micros(1_001).ceil_millis(), 2);
        assert_eq!(SimTime::from_micros(1_000).ceil_millis(), 1);
    }
}
