//! Import and export of annotated data (spans JSONL, brat, CoNLL, doccano, Prodigy, CSV and
//! plain text).
//!
//! The layer sits between the pure [`crate::model`] and the disk. Export reads a
//! [`Project`] and writes one file (or, for brat, one folder) atomically; import reads a file
//! or folder and returns ONE undoable [`Edit`] plus an [`ImportReport`] without applying it.
//!
//! Offsets in every file are Unicode code points ([`crate::model::CharOffset`]), as in the
//! design's "Offsets" section. Whatever a format cannot hold is counted in the report with a
//! reason, never dropped in silence.
//!
//! One file per format; `builder.rs` holds what all importers share (document matching by
//! id and content hash, id allocation, schema growth, duplicate detection), `jsonl.rs` the
//! tolerant JSON record reader, `normalize.rs` the raw → normalised offset mapping, `write.rs`
//! the atomic file and folder writers, `tokens.rs` the tokenizer shared by CoNLL and Prodigy.

mod brat;
mod builder;
mod conll;
mod csv;
mod detect;
mod doccano;
mod error;
mod jsonl;
mod normalize;
mod prodigy;
mod report;
mod spans;
pub mod text;
pub mod tokens;
mod write;

#[cfg(test)]
mod testutil;

pub use detect::detect_format;
pub use error::FormatError;
pub use report::{ExportReport, ImportReport, LeftOut, Skipped};
pub use text::decode_bytes;

use crate::model::{Edit, Project};
use std::path::Path;

/// The formats a project can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// JSONL, one tagged span a line: the canonical, lossless export.
    Spans,
    /// One span a row, safe to open in a spreadsheet.
    Csv,
    /// `token<TAB>tag`, IOB2.
    Conll,
    /// A folder of `.txt` + `.ann` files with an `annotation.conf`.
    Brat,
    /// doccano sequence-labelling JSONL, one document a line.
    Doccano,
    /// Prodigy/spaCy JSONL with tokens and spans.
    Prodigy,
}

/// The formats annotated data can be imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// A brat folder (`.txt` + `.ann` pairs) or one `.ann` file.
    Brat,
    /// CoNLL-style columns: token first, tag last; IOB1, IOB2, BIOES or BILOU.
    Conll,
    /// doccano JSONL (`label`, `labels`, `entities` or legacy `annotations`).
    Doccano,
    /// Prodigy/spaCy JSONL.
    Prodigy,
    /// spantag's own spans JSONL, attached to documents already in the project.
    Spans,
    /// Plain `.txt` files or a folder of them: documents without annotations.
    Text,
}

impl ExportFormat {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Spans => "spans",
            ExportFormat::Csv => "CSV",
            ExportFormat::Conll => "CoNLL",
            ExportFormat::Brat => "brat",
            ExportFormat::Doccano => "doccano",
            ExportFormat::Prodigy => "Prodigy",
        }
    }
}

impl ImportFormat {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Brat => "brat",
            ImportFormat::Conll => "CoNLL",
            ImportFormat::Doccano => "doccano",
            ImportFormat::Prodigy => "Prodigy",
            ImportFormat::Spans => "spans",
            ImportFormat::Text => "text",
        }
    }
}

/// Writes `out` atomically (a folder for brat, created or replaced as a whole: written into a
/// temporary folder beside it, then renamed). Never leaves a half-written output on error.
pub fn export(
    project: &Project,
    format: ExportFormat,
    out: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<ExportReport, FormatError> {
    let mut report = ExportReport::new(format.name(), out);
    match format {
        ExportFormat::Spans => spans::export(project, out, &mut report, progress)?,
        ExportFormat::Csv => csv::export(project, out, &mut report, progress)?,
        ExportFormat::Conll => conll::export(project, out, &mut report, progress)?,
        ExportFormat::Brat => brat::export(project, out, &mut report, progress)?,
        ExportFormat::Doccano => doccano::export(project, out, &mut report, progress)?,
        ExportFormat::Prodigy => prodigy::export(project, out, &mut report, progress)?,
    }
    progress(1.0);
    Ok(report)
}

/// Exports the project file `project` in `format` to `out` while the file loads, when the
/// format is written document by document (spans JSONL): the same file and report as
/// loading it and calling [`export`], sooner. `None` for other formats or when the file is
/// not read this way; then load it and call [`export`].
pub fn export_while_loading(
    project: &Path,
    format: ExportFormat,
    out: &Path,
    progress: &mut (dyn FnMut(f32) + Send),
) -> Option<Result<(Project, ExportReport), FormatError>> {
    match format {
        ExportFormat::Spans => spans::export_while_loading(project, out, progress),
        _ => None,
    }
}

/// Reads `path` (file or folder), detects the format when `format` is `None`, and returns one
/// undoable edit (a batch of `AddDocuments`, `SetSchema` for new labels, `AddAnnotation`s and
/// `AddRelation`s) that adds the data to `project`, plus a report. The edit is not applied;
/// only fresh ids are taken from `project`.
///
/// Annotations whose document already exists in the project (same id) attach to it when the
/// content hash matches; otherwise the document is imported under a new id `<id>-2`, `<id>-3` …
pub fn import(
    project: &mut Project,
    path: &Path,
    format: Option<ImportFormat>,
    progress: &mut dyn FnMut(f32),
) -> Result<(Edit, ImportReport), FormatError> {
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let mut b = builder::Builder::new(project, format.name(), path);
    match format {
        ImportFormat::Brat => brat::import(&mut b, path, progress)?,
        ImportFormat::Conll => conll::import(&mut b, path, progress)?,
        ImportFormat::Doccano => doccano::import(&mut b, path, progress)?,
        ImportFormat::Prodigy => prodigy::import(&mut b, path, progress)?,
        ImportFormat::Spans => spans::import(&mut b, path, progress)?,
        ImportFormat::Text => text::import(&mut b, path, progress)?,
    }
    progress(1.0);
    Ok(b.finish())
}
