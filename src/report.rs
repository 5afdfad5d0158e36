//! What a finished run shows a person: the HTML report.

pub mod html;
