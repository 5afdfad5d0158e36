//! Benchmarks B2, B3 and B4 (the models are described in `benches/README.md`) through the library, beside B1: the
//! event-source-mapping paths (B2: an SQS standard queue with partial batch responses and redrive; B3: a Kinesis
//! stream of 16 shards with bisect) and fan-out (B4: an SNS topic and an EventBridge bus, three functions each).
//! Each is run in full and at a tenth of its arrivals. Trace and sink writers are off, as for B1.

use criterion::{criterion_group, criterion_main, Criterion};

/// The scenario `benches/<name>.json`, its arrivals generated for `end_seconds` (every Poisson source).
fn load(name: &str, end_seconds: f64) -> lambdasim::Model {
    let path = format!("{}/benches/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut scenario = lambdasim::parse_scenario(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    for w in &mut scenario.workload {
        if let Some(p) = w.poisson.as_mut() {
            p.end_seconds = end_seconds;
        }
    }
    lambdasim::Model::build(&scenario).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

fn bench(c: &mut Criterion) {
    for name in ["b2", "b3", "b4"] {
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        let small = load(name, 100.0);
        g.bench_function("tenth", |b| b.iter(|| lambdasim::run(&small, 1, lambdasim::RunOptions::default()).expect("run").digest));
        let full = load(name, 1000.0);
        g.bench_function("full", |b| b.iter(|| lambdasim::run(&full, 1, lambdasim::RunOptions::default()).expect("run").digest));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
