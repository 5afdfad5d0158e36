//! A bounded, seeded mutation fuzzer over the bundled scenarios (issue 17): numbers pushed to extremes, strings made
//! long, empty or swapped for other names in the file, keys dropped or duplicated, values swapped for other types.
//! Each mutated copy is validated and, when valid, run in-process under a small budget. Nothing may panic; an invalid
//! copy must get at least one error, and errors name their JSON path. The default test is a few hundred cases (a
//! few seconds); `cargo test --test suite -- --ignored fuzz_mutation` runs the larger variant (`.ci/run` does). The
//! unbounded fuzzers live in `fuzz/` (cargo-fuzz, nightly).

use std::panic::{catch_unwind, AssertUnwindSafe};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use lambdasim::handler::inprocess::InProcess;
use lambdasim::run::{run, RunOptions};

/// The budget of each run: small, so that a mutation that asks for a huge workload is refused or stopped quickly.
const MAX_EVENTS: u64 = 20_000;

const NUMBERS: [f64; 10] = [0.0, -1.0, 1.0, 1e19, 1e-9, 1e308, -1e308, 9.3e18, 0.5, 4294967296.0];
const WORDS: [&str; 8] = ["", "NaN", "Infinity", "-0", "null", "$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:", "{{n}}"];

fn bundled() -> Vec<(String, Value)> {
    let mut out = vec![];
    let mut paths: Vec<_> = std::fs::read_dir("scenarios").unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p.display().to_string(), serde_json::from_str(&text).unwrap()));
        }
    }
    out
}

/// Every node's path (object keys and array indices), root excluded.
fn paths(v: &Value, at: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                at.push(Seg::Key(k.clone()));
                out.push(at.clone());
                paths(c, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                at.push(Seg::Index(i));
                out.push(at.clone());
                paths(c, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// Every string in the document (names, ARNs), to swap one for another.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|c| strings(c, out)),
        Value::Object(m) => m.values().for_each(|c| strings(c, out)),
        _ => {}
    }
}

/// One mutation of `doc`, described. A duplicated key can only be written as text: it is returned as `dup`
/// (the key's path), and [`to_text`] writes that key twice.
fn mutate(doc: &mut Value, rng: &mut ChaCha8Rng, names: &[String], dup: &mut Option<Vec<Seg>>) -> String {
    let mut all = vec![];
    paths(doc, &mut vec![], &mut all);
    let Some(path) = (!all.is_empty()).then(|| all[rng.random_range(0..all.len())].clone()) else { return "nothing".into() };
    let what = rng.random_range(0..10u32);
    if what == 0 {
        // Drop the node.
        let (last, parent) = path.split_last().expect("non-empty path");
        if let Some(p) = get_mut(doc, parent) {
            match (p, last) {
                (Value::Object(m), Seg::Key(k)) => {
                    m.shift_remove(k);
                }
                (Value::Array(a), Seg::Index(i)) if *i < a.len() => {
                    a.remove(*i);
                }
                _ => {}
            }
        }
        return format!("drop {path:?}");
    }
    if what == 1 && matches!(path.last(), Some(Seg::Key(_))) {
        *dup = Some(path.clone());
        return format!("duplicate key {path:?}");
    }
    let Some(node) = get_mut(doc, &path) else { return "nothing".into() };
    let new = match (what, &*node) {
        (2..=4, Value::Number(_)) => {
            serde_json::Number::from_f64(NUMBERS[rng.random_range(0..NUMBERS.len())]).map_or(Value::Null, Value::Number)
        }
        (2..=4, Value::String(_)) => match rng.random_range(0..3u32) {
            0 => Value::String("x".repeat(rng.random_range(1..20_000))),
            1 if !names.is_empty() => Value::String(names[rng.random_range(0..names.len())].clone()),
            _ => Value::String(WORDS[rng.random_range(0..WORDS.len())].into()),
        },
        (5, Value::Array(a)) if !a.is_empty() => {
            // Duplicate an element (a second function, queue, rule of the same name).
            let mut a = a.clone();
            let i = rng.random_range(0..a.len());
            a.insert(i, a[i].clone());
            Value::Array(a)
        }
        (6, Value::Array(a)) if !a.is_empty() => {
            // Many copies: a large section.
            let x = a[0].clone();
            Value::Array(vec![x; rng.random_range(2..200)])
        }
        _ => match rng.random_range(0..8u32) {
            0 => Value::Null,
            1 => Value::Bool(true),
            2 => Value::Array(vec![]),
            3 => Value::Object(Map::new()),
            4 => Value::String("1".into()),
            5 => Value::from(-1),
            6 => serde_json::Number::from_f64(NUMBERS[rng.random_range(0..NUMBERS.len())]).map_or(Value::Null, Value::Number),
            _ => Value::from(u64::MAX),
        },
    };
    *node = new;
    format!("set {path:?}")
}

/// The document as text, with the key at `dup` written twice.
fn to_text(doc: &Value, dup: Option<&[Seg]>) -> String {
    let Some(path) = dup else { return doc.to_string() };
    let (last, parent) = path.split_last().expect("non-empty path");
    let mut d = doc.clone();
    let (Some(Value::Object(m)), Seg::Key(k)) = (get_mut(&mut d, parent), last) else { return doc.to_string() };
    let Some(v) = m.get(k).cloned() else { return doc.to_string() };
    let marker = "__lambdasim_fuzz_dup__";
    m.insert(marker.into(), Value::Null);
    d.to_string().replacen(&format!("\"{marker}\":null"), &format!("{}:{}", Value::String(k.clone()), v), 1)
}

/// What went wrong in one case.
fn one_case(text: &str) -> Result<(), String> {
    let loaded = catch_unwind(AssertUnwindSafe(|| lambdasim::model::load_str_in(text, std::path::Path::new("scenarios"))))
        .map_err(|p| format!("panic while loading: {}", panic_text(&p)))?;
    let model = match loaded {
        Err(errs) => {
            if errs.0.is_empty() {
                return Err("invalid, but no error".into());
            }
            // JSON errors name the path, except those about the document as a whole (a missing top-level field).
            if let Some(e) =
                errs.0.iter().find(|e| e.path.is_empty() && !e.message.contains("missing field") && !e.message.contains("line "))
            {
                return Err(format!("an error without a path: {}", e.message.chars().take(300).collect::<String>()));
            }
            return Ok(());
        }
        Ok(m) => m,
    };
    // No runtime processes: a mutated scenario runs its `Behavior` models only.
    let mut handlers = InProcess::new();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        run(&model, 7, RunOptions { max_events: MAX_EVENTS, handlers: Some(&mut handlers), ..Default::default() })
    }))
    .map_err(|p| format!("panic while running: {}", panic_text(&p)))?;
    match ran {
        Ok(_) => Ok(()),
        Err(e) if lambdasim::run::budget_exceeded(&e).is_some() => Ok(()),
        Err(e) if lambdasim::run::handler_failure(&e).is_some() => Ok(()),
        Err(e) => Err(format!("run failed: {e}")),
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

/// `cases` mutated copies, from `seed`; the failures with a reproducer each.
fn fuzz(cases: u32, seed: u64) -> Vec<String> {
    let base = bundled();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut failures = vec![];
    for case in 0..cases {
        let (file, doc) = &base[rng.random_range(0..base.len())];
        let mut doc = doc.clone();
        let mut names = vec![];
        strings(&doc, &mut names);
        names.retain(|s| s.len() < 200);
        let mut dup = None;
        let n = rng.random_range(1..=3);
        let done: Vec<String> = (0..n).map(|_| mutate(&mut doc, &mut rng, &names, &mut dup)).collect();
        let text = to_text(&doc, dup.as_deref());
        if let Err(why) = one_case(&text) {
            failures.push(format!(
                "case {case} ({file}; {}): {why}\n  reproducer: {}",
                done.join("; "),
                text.chars().take(2000).collect::<String>()
            ));
        }
    }
    failures
}

#[test]
fn fuzz_mutation_of_bundled_scenarios_never_panics() {
    let failures = fuzz(300, 17);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
#[ignore = "larger: about a minute in the dev profile; .ci/run runs it"]
fn fuzz_mutation_of_bundled_scenarios_never_panics_large() {
    let failures = fuzz(4000, 1717);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
