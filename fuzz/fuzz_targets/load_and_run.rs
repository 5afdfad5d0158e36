//! Fuzz target: load a scenario and, when it is valid, run it under a small budget (`RunOptions::max_events`), with
//! in-process handlers only (no runtime processes). Nothing may panic, hang or grow without bound: the budget refuses
//! or stops any run that asks for more than 20,000 kernel events.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(model) = lambdasim::model::load_str_in(text, std::path::Path::new("/nonexistent")) else { return };
    let mut handlers = lambdasim::handler::inprocess::InProcess::new();
    let opts = lambdasim::RunOptions { max_events: 20_000, handlers: Some(&mut handlers), ..Default::default() };
    match lambdasim::run(&model, 1, opts) {
        Ok(_) => {}
        Err(e) => assert!(
            lambdasim::run::budget_exceeded(&e).is_some() || lambdasim::run::handler_failure(&e).is_some(),
            "a run failed otherwise: {e}"
        ),
    }
});
