//! What a finished run shows a person: the text and JSON summaries (`summary`) and the HTML report (`html`,
//! with the `report` feature, on by default).

#[cfg(feature = "report")]
pub mod html;
pub mod summary;
