//! What a finished run shows a person: the text and JSON summaries (`summary`) and the HTML report (`html`).

pub mod html;
pub mod summary;
