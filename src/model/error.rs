//! Errors a user can cause: a scenario that does not parse or does not validate. Each names the JSON path, the bad
//! value and what is allowed; the CLI prints them and exits 2. Nothing here panics.

use std::fmt;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// JSON path, e.g. `Functions[0].EventInvokeConfig.MaximumRetryAttempts`.
    pub path: String,
    /// What is wrong, naming the bad value and the allowed range or forms.
    pub message: String,
}

impl ScenarioError {
    /// An error at `path` (empty when the problem is the whole document) saying `message`. A long path or message
    /// (one that echoes a long value) is cut in the middle ([`crate::vocab::clip_message`]).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        let (path, message) = (path.into(), message.into());
        ScenarioError { path: crate::vocab::clip_message(&path), message: crate::vocab::clip_message(&message) }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// All problems found in one scenario (validation goes on after the first, so a user sees them together).
///
/// Displayed, it shows the first [`ScenarioErrors::SHOWN`] problems, one a line, then how many more there are: a
/// scenario with thousands of bad entries gives a few kilobytes of messages, not megabytes. All of them stay in the
/// vector for a program to read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// How many problems the display shows before "... and N more errors".
    pub const SHOWN: usize = 20;
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().take(Self::SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        let more = self.0.len().saturating_sub(Self::SHOWN);
        if more > 0 {
            write!(f, "\n... and {more} more error{}", if more == 1 { "" } else { "s" })?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors(vec![e])
    }
}
