//! The seeds of a campaign, as `check --seeds` and `compare --seeds` read them (one parser for both): one seed `N`,
//! an inclusive range `A..B` (or `A..=B`; `1..200` is 200 seeds), or a comma list of these (`1,5,10..20`). A list is
//! kept in ascending order; an empty range (`9..1`), an empty item (`1,,2`) or a seed named twice (`1..10,5`) is an
//! error, never silently dropped. Nothing here is AWS behaviour: seeds only pick the random streams of runs.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Inclusive range of seeds, written `A..B` (or `A..=B`, or one seed `A`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRange {
    /// The first seed.
    pub first: u64,
    /// The last seed (included).
    pub last: u64,
}

impl SeedRange {
    /// Parses one range or one seed; `A > B` is an error.
    pub fn parse(s: &str) -> Result<SeedRange, String> {
        let bad = || format!("--seeds {s:?} is not a seed range; write A..B (inclusive, A <= B), e.g. 1..20000");
        let (a, b) = match s.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim().trim_start_matches('=')),
            None => (s.trim(), s.trim()),
        };
        let first: u64 = a.parse().map_err(|_| bad())?;
        let last: u64 = b.parse().map_err(|_| bad())?;
        if first > last {
            return Err(bad());
        }
        Ok(SeedRange { first, last })
    }
    /// How many seeds (at least one).
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }
    /// Never empty: a range holds at least its first seed.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// `A..B`, or `A` for one seed.
    pub fn text(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}..{}", self.first, self.last)
        }
    }
}

/// A non-empty set of seeds: disjoint inclusive ranges in ascending order. Serialized as one `{"first", "last"}`
/// object when it is one range (the form results files have always had), else as an array of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSet {
    ranges: Vec<SeedRange>,
}

impl From<SeedRange> for SeedSet {
    fn from(r: SeedRange) -> SeedSet {
        SeedSet { ranges: vec![r] }
    }
}

impl SeedSet {
    /// Parses `N`, `A..B`, `A..=B` or a comma list of these (`1,5,10..20`). Errors name the bad item and what is
    /// allowed: an item that is not a seed or range, an empty range, an empty item, a seed named twice.
    pub fn parse(s: &str) -> Result<SeedSet, String> {
        let bad = |why: String| {
            format!("--seeds {s:?}: {why}; write N, A..B (inclusive, A <= B, e.g. 1..200) or a comma list of these, e.g. 1,5,10..20")
        };
        let mut ranges = vec![];
        for part in s.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(bad(if s.trim().is_empty() { "no seeds".into() } else { "an empty item between commas".into() }));
            }
            let num = |x: &str| {
                x.trim().parse::<u64>().map_err(|_| bad(format!("{:?} is not a seed (a whole number 0 to {})", x.trim(), u64::MAX)))
            };
            let r = match part.split_once("..") {
                Some((a, b)) => {
                    let (first, last) = (num(a)?, num(b.strip_prefix('=').unwrap_or(b))?);
                    if first > last {
                        return Err(bad(format!("the range {part} is empty ({first} is above {last})")));
                    }
                    SeedRange { first, last }
                }
                None => {
                    let n = num(part)?;
                    SeedRange { first: n, last: n }
                }
            };
            ranges.push(r);
        }
        ranges.sort_by_key(|r| (r.first, r.last));
        if let Some(w) = ranges.windows(2).find(|w| w[1].first <= w[0].last) {
            return Err(bad(format!("seed {} is named twice (in {} and {})", w[1].first, w[0].text(), w[1].text())));
        }
        // Adjacent ranges join (`1..5,6..9` is `1..9`), so a set has one canonical form.
        let mut joined: Vec<SeedRange> = vec![];
        for r in ranges {
            match joined.last_mut() {
                Some(l) if l.last.checked_add(1) == Some(r.first) => l.last = r.last,
                _ => joined.push(r),
            }
        }
        Ok(SeedSet { ranges: joined })
    }
    /// How many seeds (at least one).
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(SeedRange::len).sum()
    }
    /// Never empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
    /// The seeds in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.ranges.iter().flat_map(|r| r.first..=r.last)
    }
    /// The ranges, ascending and disjoint.
    pub fn ranges(&self) -> &[SeedRange] {
        &self.ranges
    }
    /// The canonical text: `1..20`, `7`, `1,5,10..20`.
    pub fn text(&self) -> String {
        self.ranges.iter().map(SeedRange::text).collect::<Vec<_>>().join(",")
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SeedSetRepr {
    One(SeedRange),
    Many(Vec<SeedRange>),
}

impl Serialize for SeedSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.ranges.as_slice() {
            [one] => SeedSetRepr::One(*one),
            many => SeedSetRepr::Many(many.to_vec()),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SeedSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SeedSet, D::Error> {
        let ranges = match SeedSetRepr::deserialize(d)? {
            SeedSetRepr::One(r) => vec![r],
            SeedSetRepr::Many(v) => v,
        };
        let ok = !ranges.is_empty() && ranges.iter().all(|r| r.first <= r.last) && ranges.windows(2).all(|w| w[0].last < w[1].first);
        if !ok {
            return Err(serde::de::Error::custom("seeds must be non-empty, ascending, disjoint ranges with first <= last"));
        }
        Ok(SeedSet { ranges })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds(s: &str) -> Vec<u64> {
        SeedSet::parse(s).unwrap().iter().collect()
    }

    #[test]
    fn forms() {
        assert_eq!(seeds("1..3"), vec![1, 2, 3]);
        assert_eq!(seeds("1..=3,7"), vec![1, 2, 3, 7]);
        assert_eq!(seeds(" 5 "), vec![5]);
        assert_eq!(seeds("10..12, 1,5"), vec![1, 5, 10, 11, 12]);
        assert_eq!(SeedSet::parse("1,5,10..20").unwrap().len(), 13);
        assert_eq!(SeedSet::parse("1..5,6..9").unwrap().text(), "1..9");
        assert_eq!(SeedSet::parse("10..20,5,1").unwrap().text(), "1,5,10..20");
        assert_eq!(SeedSet::parse(&format!("{}", u64::MAX)).unwrap().len(), 1);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| SeedSet::parse(s).unwrap_err();
        assert!(e("9..1").contains("the range 9..1 is empty"), "{}", e("9..1"));
        assert!(e("1..10,5").contains("seed 5 is named twice (in 1..10 and 5)"), "{}", e("1..10,5"));
        assert!(e("3,3").contains("named twice"));
        assert!(e("1,,2").contains("empty item"));
        assert!(e("1,").contains("empty item"));
        assert!(e("").contains("no seeds"));
        assert!(e("x").contains("\"x\" is not a seed"));
        assert!(e("1..").contains("\"\" is not a seed"));
        assert!(e("-1").contains("is not a seed"));
        assert!(e("1...3").contains("is not a seed"));
        assert!(e("x").starts_with("--seeds \"x\": ") && e("x").contains("e.g. 1,5,10..20"));
    }

    #[test]
    fn serde_keeps_one_range_as_before() {
        let one = SeedSet::parse("1..20").unwrap();
        assert_eq!(serde_json::to_string(&one).unwrap(), r#"{"first":1,"last":20}"#);
        let many = SeedSet::parse("1,5..6").unwrap();
        let text = serde_json::to_string(&many).unwrap();
        assert_eq!(text, r#"[{"first":1,"last":1},{"first":5,"last":6}]"#);
        assert_eq!(serde_json::from_str::<SeedSet>(&text).unwrap(), many);
        assert_eq!(serde_json::from_str::<SeedSet>(r#"{"first":1,"last":20}"#).unwrap(), one);
        assert!(serde_json::from_str::<SeedSet>("[]").is_err());
        assert!(serde_json::from_str::<SeedSet>(r#"[{"first":5,"last":6},{"first":1,"last":1}]"#).is_err());
    }
}
