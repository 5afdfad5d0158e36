//! Many runs of one scenario: seed sweeps (`sweep`), paired comparisons (`compare`), shrinking a failing run
//! (`shrink`), searching knob ranges (`explore`) and the proptest strategies users build on (`strategies`).

pub mod compare;
pub mod explore;
mod progress;
pub mod seeds;
pub mod shrink;
pub mod stats;
pub mod strategies;
pub mod sweep;
