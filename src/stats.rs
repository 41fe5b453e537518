//! Counting: annotations per label, per document and per status, stances per target and
//! polarity, and the holder × target stance matrix. Pure; shared by the CLI and the app.

use crate::model::{AnnotationKind, DocStatus, Project};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts of one polarity each.
pub type PolarityCounts = BTreeMap<String, usize>;

/// Everything `spantag stats` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Number of documents.
    pub documents: usize,
    /// Number of annotations of any kind.
    pub annotations: usize,
    /// Entity annotations.
    pub entities: usize,
    /// Stance annotations (span and document level).
    pub stances: usize,
    /// Entity annotations per label.
    pub per_label: BTreeMap<String, usize>,
    /// Per document id.
    pub per_document: BTreeMap<String, DocumentStats>,
    /// Documents per status ("not started", "in progress", "done").
    pub per_status: BTreeMap<String, usize>,
    /// Stance counts.
    pub stance: StanceStats,
}

/// One document's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentStats {
    /// Title.
    pub title: String,
    /// Date metadata if any.
    pub date: Option<String>,
    /// Status name.
    pub status: String,
    /// All annotations.
    pub annotations: usize,
    /// Entities per label.
    pub per_label: BTreeMap<String, usize>,
    /// Stances (span and document level).
    pub stances: usize,
}

/// Stance counts across the corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StanceStats {
    /// Stances per polarity.
    pub per_polarity: PolarityCounts,
    /// Per target, stances per polarity (span stances and document stances together).
    pub per_target: BTreeMap<String, PolarityCounts>,
    /// Holder (canonical name, else mention text; "(no holder)" when unset) → target →
    /// polarity counts, span stances only.
    pub matrix: BTreeMap<String, BTreeMap<String, PolarityCounts>>,
    /// Document-level stances: target → polarity counts, counted apart.
    pub document_stances: BTreeMap<String, PolarityCounts>,
}

/// The name a holder goes by in the matrix: its canonical name, else its text.
pub const NO_HOLDER: &str = "(no holder)";

/// Computes all statistics of a project.
pub fn compute(project: &Project) -> Stats {
    let mut stats = Stats {
        documents: project.documents().len(),
        ..Stats::default()
    };
    for status in [
        DocStatus::NotStarted,
        DocStatus::InProgress,
        DocStatus::Done,
    ] {
        stats.per_status.insert(status.name().to_owned(), 0);
    }
    for doc in project.documents() {
        let status = project.status(doc.id());
        *stats
            .per_status
            .entry(status.name().to_owned())
            .or_default() += 1;
        stats.per_document.insert(
            doc.id().0.clone(),
            DocumentStats {
                title: doc.title().to_owned(),
                date: doc.date().map(str::to_owned),
                status: status.name().to_owned(),
                ..DocumentStats::default()
            },
        );
    }
    for ann in project.annotations().values() {
        stats.annotations += 1;
        let doc_stats = stats.per_document.entry(ann.doc().0.clone()).or_default();
        doc_stats.annotations += 1;
        match ann.kind() {
            AnnotationKind::Entity { label, .. } => {
                stats.entities += 1;
                *stats.per_label.entry(label.clone()).or_default() += 1;
                *doc_stats.per_label.entry(label.clone()).or_default() += 1;
            }
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => {
                stats.stances += 1;
                doc_stats.stances += 1;
                let s = &mut stats.stance;
                *s.per_polarity.entry(polarity.clone()).or_default() += 1;
                bump(s.per_target.entry(target.clone()).or_default(), polarity);
                if ann.spans().is_empty() {
                    bump(
                        s.document_stances.entry(target.clone()).or_default(),
                        polarity,
                    );
                } else {
                    let holder_name = holder
                        .and_then(|h| project.annotation(h))
                        .map_or_else(|| NO_HOLDER.to_owned(), |h| entity_name(project, h));
                    let row = s.matrix.entry(holder_name).or_default();
                    bump(row.entry(target.clone()).or_default(), polarity);
                }
            }
        }
    }
    stats
}

fn bump(counts: &mut PolarityCounts, polarity: &str) {
    *counts.entry(polarity.to_owned()).or_default() += 1;
}

/// An entity's name for lists and matrices: canonical name, else the mention text.
pub fn entity_name(project: &Project, ann: &crate::model::Annotation) -> String {
    if let AnnotationKind::Entity {
        canonical: Some(c), ..
    } = ann.kind()
    {
        return c.clone();
    }
    project
        .document(ann.doc())
        .map_or_else(String::new, |d| ann.text(d.text()))
}

/// A plain-text report for the terminal.
pub fn to_text(stats: &Stats) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} documents, {} annotations ({} entities, {} stances)",
        stats.documents, stats.annotations, stats.entities, stats.stances
    );
    let status: Vec<String> = stats
        .per_status
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let _ = writeln!(out, "status: {}", status.join(", "));
    let _ = writeln!(out, "\nper label:");
    for (label, n) in &stats.per_label {
        let _ = writeln!(out, "  {label:<12} {n:>7}");
    }
    let _ = writeln!(out, "\nper document:");
    for (id, d) in &stats.per_document {
        let labels: Vec<String> = d
            .per_label
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(
            out,
            "  {id:<24} {:>5} annotations, {:>3} stances  [{}]  {}",
            d.annotations,
            d.stances,
            d.status,
            labels.join(", ")
        );
    }
    if stats.stances > 0 {
        let _ = writeln!(out, "\nstances per target:");
        for (target, counts) in &stats.stance.per_target {
            let _ = writeln!(out, "  {target:<30} {}", polarity_text(counts));
        }
        let _ = writeln!(out, "\nholder × target:");
        for (holder, row) in &stats.stance.matrix {
            for (target, counts) in row {
                let _ = writeln!(
                    out,
                    "  {holder:<24} → {target:<24} {}",
                    polarity_text(counts)
                );
            }
        }
    }
    out
}

fn polarity_text(counts: &PolarityCounts) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
