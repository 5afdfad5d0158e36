//! EventBridge `cron(...)` schedule expressions for scheduled rules, in UTC.
//!
//! The syntax is AWS's (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html>): six
//! fields `Minutes Hours Day-of-month Month Day-of-week Year`, with `, - * /` everywhere, `?` `L` `W` in day-of-month,
//! `?` `L` `#` in day-of-week (1-7 = SUN-SAT), months `1-12` or `JAN-DEC`, years 1970-2199. One of day-of-month and
//! day-of-week must be `?`; a `#` expression stands alone in its field. Times are UTC, as for EventBridge rules.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

/// A day-of-month item.
#[derive(Debug, Clone, PartialEq)]
enum Dom {
    /// Days by bit (1..=31).
    Days(u32),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday to Friday) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u32),
}

/// A day-of-week item (1 = Sunday ... 7 = Saturday).
#[derive(Debug, Clone, PartialEq)]
enum Dow {
    /// Days by bit (1..=7).
    Days(u32),
    /// `dL`: the last day d of the month.
    Last(u32),
    /// `d#n`: the n-th day d of the month.
    Nth(u32, u32),
}

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    /// `None`: `?` (the day-of-week field decides).
    dom: Option<Vec<Dom>>,
    months: u32,
    /// `None`: `?` (the day-of-month field decides).
    dow: Option<Vec<Dow>>,
    /// Bit i = year 1970 + i.
    years: [u64; 4],
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(s: &str, lo: u32, hi: u32, names: &[&str], field: &str) -> Result<u32, String> {
    let u = s.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == u) {
        return Ok(lo + i as u32);
    }
    match s.parse::<u32>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!(
            "{field}: {s:?} is out of range; allowed {lo}-{hi}{}",
            if names.is_empty() { String::new() } else { format!(" or {}-{}", names[0], names[names.len() - 1]) }
        )),
    }
}

/// A `, - * /` field as the set of its values (bit v for value v).
fn set(field: &str, text: &str, lo: u32, hi: u32, names: &[&str]) -> Result<Vec<u32>, String> {
    let mut out = vec![];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let st = s
                    .parse::<u32>()
                    .ok()
                    .filter(|x| *x >= 1)
                    .ok_or_else(|| format!("{field}: increment {s:?} is not a positive number"))?;
                (r, st)
            }
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((x, y)) = range.split_once('-') {
            (value(x, lo, hi, names, field)?, value(y, lo, hi, names, field)?)
        } else {
            let a = value(range, lo, hi, names, field)?;
            // `a/n` runs from a to the end of the range.
            (a, if part.contains('/') { hi } else { a })
        };
        if a > b {
            return Err(format!("{field}: range {range:?} runs backwards"));
        }
        out.extend((a..=b).step_by(step as usize));
    }
    Ok(out)
}

fn mask64(v: &[u32]) -> u64 {
    v.iter().fold(0, |m, x| m | 1u64 << x)
}

impl Cron {
    /// Parse `cron(<6 fields>)`.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let inner =
            expr.strip_prefix("cron(").and_then(|x| x.strip_suffix(')')).ok_or_else(|| format!("{expr:?} is not cron(<fields>)"))?;
        let f: Vec<&str> = inner.split_whitespace().collect();
        if f.len() != 6 {
            return Err(format!(
                "{expr:?} has {} fields; a cron expression has six: Minutes Hours Day-of-month Month Day-of-week Year",
                f.len()
            ));
        }
        let minutes = mask64(&set("Minutes", f[0], 0, 59, &[])?);
        let hours = mask64(&set("Hours", f[1], 0, 23, &[])?) as u32;
        let months = mask64(&set("Month", f[3], 1, 12, &MONTHS)?) as u32;
        let mut years = [0u64; 4];
        for y in set("Year", f[5], 1970, 2199, &[])? {
            let i = (y - 1970) as usize;
            years[i / 64] |= 1 << (i % 64);
        }
        let dom = match f[2] {
            "?" => None,
            t => {
                let mut items = vec![];
                for part in t.split(',') {
                    let u = part.to_ascii_uppercase();
                    items.push(if u == "L" {
                        Dom::Last
                    } else if u == "LW" {
                        Dom::LastWeekday
                    } else if let Some(n) = u.strip_suffix('W') {
                        Dom::NearestWeekday(value(n, 1, 31, &[], "Day-of-month")?)
                    } else {
                        Dom::Days(mask64(&set("Day-of-month", part, 1, 31, &[])?) as u32)
                    });
                }
                Some(items)
            }
        };
        let dow = match f[4] {
            "?" => None,
            t => {
                let mut items = vec![];
                if t.contains('#') && t.contains(',') {
                    return Err(format!("Day-of-week: {t:?} combines '#' with other expressions; with '#' the field holds one expression"));
                }
                for part in t.split(',') {
                    let u = part.to_ascii_uppercase();
                    // `L` alone is the last day of the week, Saturday (as in Quartz, whose syntax AWS follows).
                    items.push(if u == "L" {
                        Dow::Days(1 << 7)
                    } else if let Some(d) = u.strip_suffix('L') {
                        Dow::Last(value(d, 1, 7, &DAYS, "Day-of-week")?)
                    } else if let Some((d, n)) = u.split_once('#') {
                        let n = n
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=5).contains(n))
                            .ok_or_else(|| format!("Day-of-week: {part:?}: the instance after '#' must be 1 to 5"))?;
                        Dow::Nth(value(d, 1, 7, &DAYS, "Day-of-week")?, n)
                    } else {
                        Dow::Days(mask64(&set("Day-of-week", part, 1, 7, &DAYS)?) as u32)
                    });
                }
                Some(items)
            }
        };
        match (&dom, &dow) {
            (None, None) => return Err(format!("{expr:?} uses ? in both Day-of-month and Day-of-week; use ? in exactly one of them")),
            (Some(_), Some(_)) => {
                return Err(format!("{expr:?} gives both Day-of-month and Day-of-week; one of them must be ? (AWS does not accept both)"))
            }
            _ => {}
        }
        Ok(Cron { minutes, hours, dom, months, dow, years })
    }

    fn year_ok(&self, y: i32) -> bool {
        (1970..=2199).contains(&y) && {
            let i = (y - 1970) as usize;
            self.years[i / 64] >> (i % 64) & 1 == 1
        }
    }

    fn day_ok(&self, d: NaiveDate) -> bool {
        let last = last_day(d.year(), d.month());
        let weekday = d.weekday().num_days_from_sunday() + 1;
        if let Some(items) = &self.dom {
            return items.iter().any(|it| match it {
                Dom::Days(m) => m >> d.day() & 1 == 1,
                Dom::Last => d.day() == last,
                Dom::LastWeekday => d.day() == nearest_weekday(d.year(), d.month(), last, last),
                Dom::NearestWeekday(n) => (*n <= last) && d.day() == nearest_weekday(d.year(), d.month(), *n, last),
            });
        }
        self.dow.as_ref().is_some_and(|items| {
            items.iter().any(|it| match it {
                Dow::Days(m) => m >> weekday & 1 == 1,
                Dow::Last(w) => *w == weekday && d.day() + 7 > last,
                Dow::Nth(w, n) => *w == weekday && (d.day() - 1) / 7 + 1 == *n,
            })
        })
    }

    /// The first instant of the schedule strictly after `after_ms` (Unix milliseconds), `None` when there is none
    /// before the year 2200.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let t = chrono::DateTime::from_timestamp_millis(after_ms)?.naive_utc();
        // The next whole minute strictly after t.
        let mut start = t.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        if start <= t {
            start += Duration::minutes(1);
        }
        let mut day = start.date();
        let mut first = true;
        while day.year() <= 2199 {
            if !self.year_ok(day.year()) {
                day = NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)?;
                first = false;
                continue;
            }
            if self.months >> day.month() & 1 == 0 {
                let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
                day = NaiveDate::from_ymd_opt(y, m, 1)?;
                first = false;
                continue;
            }
            if self.day_ok(day) {
                let (h0, m0) = if first { (start.hour(), start.minute()) } else { (0, 0) };
                for h in h0..24 {
                    if self.hours >> h & 1 == 0 {
                        continue;
                    }
                    let from = if h == h0 { m0 } else { 0 };
                    if let Some(m) = (from..60).find(|m| self.minutes >> m & 1 == 1) {
                        let at = NaiveDateTime::new(day, chrono::NaiveTime::from_hms_opt(h, m, 0)?);
                        return Some(at.and_utc().timestamp_millis());
                    }
                }
            }
            day = day.succ_opt()?;
            first = false;
        }
        None
    }
}

fn last_day(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// The weekday (Monday to Friday) nearest day `n` of the month, not leaving the month (Quartz's `W`, which AWS
/// follows: "3W specifies the weekday closest to the third day of the month").
fn nearest_weekday(y: i32, m: u32, n: u32, last: u32) -> u32 {
    let Some(d) = NaiveDate::from_ymd_opt(y, m, n) else { return n };
    match d.weekday().num_days_from_sunday() {
        // Saturday: Friday before, or Monday after when the 1st is a Saturday.
        6 => {
            if n > 1 {
                n - 1
            } else {
                n + 2
            }
        }
        // Sunday: Monday after, or Friday before when it is the month's last day.
        0 => {
            if n < last {
                n + 1
            } else {
                n - 2
            }
        }
        _ => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).expect("instant").timestamp_millis()
    }
    fn next(expr: &str, after: &str) -> String {
        let c = Cron::parse(expr).expect("valid");
        let t = c.next_after(ms(after)).expect("fires");
        chrono::DateTime::from_timestamp_millis(t).expect("instant").format("%Y-%m-%dT%H:%M").to_string()
    }

    #[test]
    fn the_aws_examples() {
        // Examples of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
        assert_eq!(next("cron(0 10 * * ? *)", "2024-01-01T10:00:00Z"), "2024-01-02T10:00");
        assert_eq!(next("cron(15 12 * * ? *)", "2024-01-01T00:00:00Z"), "2024-01-01T12:15");
        // 2024-01-05 is a Friday: the next MON-FRI 18:00 after Friday 19:00 is Monday the 8th.
        assert_eq!(next("cron(0 18 ? * MON-FRI *)", "2024-01-05T19:00:00Z"), "2024-01-08T18:00");
        assert_eq!(next("cron(0 8 1 * ? *)", "2024-01-01T08:00:00Z"), "2024-02-01T08:00");
        assert_eq!(next("cron(0/15 * * * ? *)", "2024-01-01T00:14:59Z"), "2024-01-01T00:15");
        assert_eq!(next("cron(0/10 * ? * MON-FRI *)", "2024-01-06T12:00:00Z"), "2024-01-08T00:00");
        assert_eq!(next("cron(0/5 8-17 ? * MON-FRI *)", "2024-01-08T17:55:00Z"), "2024-01-09T08:00");
        // 3#2: the second Tuesday (January 2024: the 9th).
        assert_eq!(next("cron(0 9 ? * 3#2 *)", "2024-01-01T00:00:00Z"), "2024-01-09T09:00");
    }

    #[test]
    fn last_and_weekday_wildcards() {
        assert_eq!(next("cron(0 0 L * ? *)", "2024-02-01T00:00:00Z"), "2024-02-29T00:00");
        // The last Friday of March 2024 is the 29th.
        assert_eq!(next("cron(0 0 ? * 6L *)", "2024-03-01T00:00:00Z"), "2024-03-29T00:00");
        // 2024-06-01 is a Saturday: 1W is Monday the 3rd; 2024-03-31 is a Sunday: LW is Friday the 29th.
        assert_eq!(next("cron(0 0 1W * ? *)", "2024-05-31T00:00:00Z"), "2024-06-03T00:00");
        assert_eq!(next("cron(0 0 LW * ? *)", "2024-03-01T00:00:00Z"), "2024-03-29T00:00");
        // 2024-09-15 is a Sunday: 15W is Monday the 16th.
        assert_eq!(next("cron(30 6 15W * ? *)", "2024-09-01T00:00:00Z"), "2024-09-16T06:30");
    }

    #[test]
    fn strictly_after_and_year_limits() {
        assert_eq!(next("cron(0 12 * * ? *)", "2024-01-01T12:00:00Z"), "2024-01-02T12:00");
        assert_eq!(next("cron(0 12 * * ? *)", "2024-01-01T11:59:59.999Z"), "2024-01-01T12:00");
        assert_eq!(next("cron(0 0 1 JAN ? 2026-2027)", "2024-06-01T00:00:00Z"), "2026-01-01T00:00");
        assert_eq!(Cron::parse("cron(0 0 1 JAN ? 2025)").expect("valid").next_after(ms("2025-06-01T00:00:00Z")), None);
        // February 30th never comes.
        assert_eq!(Cron::parse("cron(0 0 30 2 ? *)").expect("valid").next_after(ms("2024-01-01T00:00:00Z")), None);
    }

    #[test]
    fn bad_expressions_say_why() {
        for (e, want) in [
            ("cron(0 10 * * * *)", "one of them must be ?"),
            ("cron(0 10 ? * ? *)", "exactly one"),
            ("cron(60 10 * * ? *)", "allowed 0-59"),
            ("cron(0 24 * * ? *)", "allowed 0-23"),
            ("cron(0 10 * 13 ? *)", "allowed 1-12 or JAN-DEC"),
            ("cron(0 10 ? * 8 *)", "allowed 1-7 or SUN-SAT"),
            ("cron(0 10 * * ? 1969)", "allowed 1970-2199"),
            ("cron(0 10 * * ?)", "six"),
            ("cron(0 10 ? * 3#1,6#3 *)", "one expression"),
            ("cron(0/0 10 * * ? *)", "positive"),
        ] {
            let err = Cron::parse(e).expect_err(e);
            assert!(err.contains(want), "{e}: {err}");
        }
    }
}
