//! Benchmark B1 (the model is described in `benches/README.md`) through the library: ~1,000,000 async invocations
//! with retries (`benches/b1.json`), and a tenth of it for a quicker loop. Trace and sink writers are off, as in the
//! comparison with the hand-written event loop (`target/release/lambdasim run benches/b1.json --seed 1`).

use criterion::{criterion_group, criterion_main, Criterion};

fn load(end_seconds: f64) -> lambdasim::Model {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/b1.json")).expect("benches/b1.json");
    let mut scenario = lambdasim::parse_scenario(&text).expect("b1 parses");
    if let Some(p) = scenario.workload[0].poisson.as_mut() {
        p.end_seconds = end_seconds;
    }
    lambdasim::Model::build(&scenario).expect("b1 validates")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("b1");
    g.sample_size(10);
    let small = load(100.0);
    g.bench_function("100k_invocations", |b| b.iter(|| lambdasim::run(&small, 1, lambdasim::RunOptions::default()).expect("run").digest));
    let full = load(1000.0);
    g.bench_function("1m_invocations", |b| b.iter(|| lambdasim::run(&full, 1, lambdasim::RunOptions::default()).expect("run").digest));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
