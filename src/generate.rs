//! Large deterministic projects for benchmarks (being written).

use crate::model::Project;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Documents.
    pub documents: usize,
    /// Words per document.
    pub words_per_document: usize,
    /// Spans per document.
    pub spans_per_document: usize,
    /// Seed.
    pub seed: u64,
}

/// Generates a project.
pub fn generate(_spec: &Spec) -> Project {
    crate::cli::new_project(&[]).unwrap_or_else(|_| unreachable!())
}
