//! Many runs of one scenario: seed sweeps (`sweep`), paired comparisons (`compare`), shrinking a failing run
//! (`shrink`), searching knob ranges (`explore`), overrides written into a scenario's text (`patch`) and the proptest strategies users build on (`strategies`).

pub mod compare;
pub mod explore;
pub mod patch;
mod progress;
pub mod seeds;
pub mod shrink;
pub mod stats;
pub mod strategies;
pub mod sweep;
