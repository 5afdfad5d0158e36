//! Fuzz target: the scenario loader (JSON parsing, template expansion, validation, the model build). Any input must
//! give a model or errors, never a panic; every error names its JSON path unless it is about the whole document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Templates are read relative to a directory; an empty temporary-free one keeps the target pure.
    if let Err(errs) = lambdasim::model::load_str_in(text, std::path::Path::new("/nonexistent")) {
        assert!(!errs.0.is_empty(), "an invalid scenario without an error");
    }
});
