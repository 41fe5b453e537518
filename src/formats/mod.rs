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
pub(crate) mod testutil;

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

/// Exports the project file `project` in `format` to `out` while the file is read, when
/// the format is written document by document (spans JSONL): the same file and report as
/// loading it and calling [`export`], sooner. A file whose relation list is empty is read
/// without keeping the project ([`spans::export_reading`]; the project is `None`), any
/// other one loaded while its lines are written ([`spans::export_while_loading`]).
/// `None` for other formats or when the file is not read this way; then load it and call
/// [`export`].
pub fn export_while_loading(
    project: &Path,
    format: ExportFormat,
    out: &Path,
    progress: &mut (dyn FnMut(f32) + Send),
) -> Option<Result<(Option<Project>, ExportReport), FormatError>> {
    match format {
        ExportFormat::Spans if crate::io::project_file::ends_without_relations(project) => {
            spans::export_reading(project, out, progress).map(|done| done.map(|r| (None, r)))
        }
        ExportFormat::Spans => spans::export_while_loading(project, out, progress)
            .map(|done| done.map(|(p, r)| (Some(p), r))),
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
    read_into(&mut b, path, format, progress)?;
    progress(1.0);
    Ok(b.finish())
}

/// [`import`] applied to `project` as it is read, for a project nothing else holds (the
/// command line, where there is no undo): the documents and annotations read so far are
/// applied through [`crate::model::apply`] a part at a time (for JSONL, after each piece
/// of the file), so the import's edit is never held whole beside the project. The project
/// ends up as applying [`import`]'s edit leaves it, with the same report. On error the
/// project is as it was.
pub fn import_into(
    project: &mut Project,
    path: &Path,
    format: Option<ImportFormat>,
    progress: &mut dyn FnMut(f32),
) -> Result<ImportReport, FormatError> {
    let format = match format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let mut b = builder::Builder::applying(project, format.name(), path);
    if let Err(e) = read_into(&mut b, path, format, progress) {
        b.start_over();
        return Err(e);
    }
    progress(1.0);
    b.finish_applied()
}

/// Reads `path` in `format` into the builder.
fn read_into(
    b: &mut builder::Builder,
    path: &Path,
    format: ImportFormat,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    match format {
        ImportFormat::Brat => brat::import(b, path, progress),
        ImportFormat::Conll => conll::import(b, path, progress),
        ImportFormat::Doccano => doccano::import(b, path, progress),
        ImportFormat::Prodigy => prodigy::import(b, path, progress),
        ImportFormat::Spans => spans::import(b, path, progress),
        ImportFormat::Text => text::import(b, path, progress),
    }
}

#[cfg(test)]
mod relation_round_trips {
    use super::testutil::*;
    use super::*;
    use crate::model::{AnnotationId, DocId, Edit, Relation, apply};

    /// Two documents with entities, a stance and three relations (one with a stance end).
    fn related() -> Project {
        let mut p = project_from(&[
            ("a", "[Nix]PER werkt voor [SCL Group]ORG in [Londen]LOC."),
            ("b", "[Zuckerberg]PER leidt [Facebook]ORG."),
        ]);
        let ids = |p: &Project, doc: &str| -> Vec<AnnotationId> {
            p.annotations_of(&DocId(doc.into()))
                .iter()
                .map(|a| a.id())
                .collect()
        };
        let (a, b) = (ids(&p, "a"), ids(&p, "b"));
        let stance = add_stance(&mut p, "b", Some((16, 25)), "Facebook", "FAVOR", None);
        for (from, to, label) in [
            (a[0], a[1], "Works_for"),
            (a[1], a[2], "Located_in"),
            (b[0], b[1], "CEO_of"),
            (b[0], stance, "Says"),
        ] {
            let rel = Relation {
                id: p.allocate_relation_id(label, from, to),
                label: label.into(),
                from,
                to,
            };
            apply(&mut p, Edit::AddRelation(rel)).expect("relation");
        }
        p
    }

    /// Relations as `doc: from text —label→ to text`, sorted.
    fn relations(p: &Project) -> Vec<String> {
        let text = |id| {
            let (doc, ann) = p.annotation_in_document(id).expect("end");
            (doc.id().to_string(), ann.text(doc.text()))
        };
        let mut out: Vec<String> = p
            .relations()
            .values()
            .map(|r| {
                let ((doc, from), (_, to)) = (text(r.from), text(r.to));
                format!("{doc}: {from} -{}-> {to}", r.label)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn relations_survive_every_format_that_holds_them() {
        let p = related();
        let all = relations(&p);
        let between_entities: Vec<String> = all
            .iter()
            .filter(|r| !r.contains("Says"))
            .cloned()
            .collect();
        let cases = [
            (ExportFormat::Brat, ImportFormat::Brat, "out", &all, 0),
            (
                ExportFormat::Spans,
                ImportFormat::Spans,
                "out.jsonl",
                &all,
                0,
            ),
            (
                ExportFormat::Prodigy,
                ImportFormat::Prodigy,
                "out.jsonl",
                &between_entities,
                1,
            ),
            (
                ExportFormat::Doccano,
                ImportFormat::Doccano,
                "out.jsonl",
                &between_entities,
                1,
            ),
        ];
        for (export_format, import_format, name, want, left_out) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            let out = dir.path().join(name);
            let report = export(&p, export_format, &out, &mut |_| {}).expect("export");
            assert_eq!(report.relations, want.len(), "{export_format:?}: {report}");
            assert_eq!(
                report.left_out_count("relations not between two written entity spans"),
                left_out,
                "{export_format:?}: {report}"
            );
            // The spans export has no text: it goes into a project with the documents.
            let mut q = match import_format {
                ImportFormat::Spans => {
                    let mut q = Project::empty(p.schema().clone());
                    apply(&mut q, Edit::AddDocuments(p.documents().to_vec())).expect("docs");
                    q
                }
                _ => empty_project(),
            };
            let report = import_apply(&mut q, &out, import_format);
            assert_eq!(report.relations, want.len(), "{import_format:?}: {report}");
            assert_eq!(&relations(&q), want, "{import_format:?}");
            for label in ["Works_for", "CEO_of"] {
                assert!(
                    q.schema().relation_type(label).is_some(),
                    "{import_format:?}: the schema learns {label}"
                );
            }
        }
    }

    #[test]
    fn spans_relation_lines_name_both_ends() {
        let p = related();
        let (out, _) = export_str(&p, ExportFormat::Spans, "out.jsonl");
        let line = out
            .lines()
            .find(|l| l.contains("\"Works_for\""))
            .expect("relation line");
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        assert_eq!(v["kind"], "relation");
        assert_eq!(v["doc"], "a");
        assert_eq!(v["from"]["text"], "Nix");
        assert_eq!(v["from"]["label"], "PER");
        assert_eq!(
            (&v["to"]["start"], &v["to"]["end"]),
            (&15.into(), &24.into())
        );
        assert_eq!(v["to"]["label"], "ORG");
    }

    #[test]
    fn prodigy_relations_point_at_tokens_and_carry_their_spans() {
        let p = related();
        let (out, _) = export_str(&p, ExportFormat::Prodigy, "out.jsonl");
        let record: serde_json::Value =
            serde_json::from_str(out.lines().next().expect("record a")).expect("json");
        let rel = &record["relations"][0];
        assert_eq!(rel["label"], "Works_for");
        assert_eq!(rel["head_span"]["label"], "PER");
        let token = |i: &serde_json::Value| {
            record["tokens"][i.as_u64().expect("index") as usize]["text"].clone()
        };
        assert_eq!(token(&rel["head"]), "Nix");
        assert_eq!(token(&rel["child"]), "Group", "the child span's last token");
    }
}
