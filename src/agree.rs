//! Agreement between two annotators' projects (being written: see the issue on agreement).

use crate::model::Project;
use serde::Serialize;

/// Agreement measures between two projects.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Agreement {}

/// Why two projects cannot be compared.
#[derive(Debug, thiserror::Error)]
#[error("the projects cannot be compared")]
pub struct AgreeError;

/// Compares two projects over the same documents.
pub fn compare(_a: &Project, _b: &Project) -> Result<Agreement, AgreeError> {
    Err(AgreeError)
}

/// A plain-text report.
pub fn to_text(_agreement: &Agreement) -> String {
    String::new()
}
