//! Suggestions from the user's own tags (being written).

use crate::model::Project;
use serde::Serialize;

/// Options of the suggestion engine.
#[derive(Debug, Clone, Default)]
pub struct SuggestOptions {
    /// Also match Dutch genitive forms.
    pub genitive: bool,
}

/// One suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Document id.
    pub doc: String,
    /// Start (code points).
    pub start: usize,
    /// End (code points).
    pub end: usize,
    /// The text.
    pub text: String,
    /// Proposed label.
    pub label: String,
}

/// The engine.
pub struct SuggestionEngine;

impl SuggestionEngine {
    /// Builds the engine from the project's tags.
    pub fn build(_project: &Project, _options: &SuggestOptions) -> Self {
        Self
    }

    /// Every suggestion in the project.
    pub fn all(&self, _project: &Project) -> Vec<Suggestion> {
        Vec::new()
    }
}
