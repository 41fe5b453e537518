//! Counting: annotations per label, per document and per status, relations per type,
//! stances per target and polarity, and the holder × target stance matrix. Pure; shared by the CLI and the app.

use crate::io::project_file::{FileDocument, FileKind};
use crate::model::{AnnotationKind, DocStatus, Project, Relation};
use serde::Serialize;
use std::borrow::Cow;
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
    /// Relations between annotations.
    pub relations: usize,
    /// Relations per type.
    pub per_relation_type: BTreeMap<String, usize>,
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
///
/// One pass over the annotations document by document, as they lie in memory
/// ([`crate::model::AnnotationMap::of_document`]); counts are kept under borrowed
/// names and per document by position, and turned into the report's owned, sorted maps
/// once at the end — at 3M annotations an owned key per annotation was most of the time.
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
    for relation in project.relations().values() {
        stats.relations += 1;
        *stats
            .per_relation_type
            .entry(relation.label.clone())
            .or_default() += 1;
    }
    let mut counts = Counts::new(project.documents().len());
    // Document by document, each one's annotations as they lie in memory.
    let by_document = (0..project.documents().len()).flat_map(|at| {
        project
            .annotations()
            .of_document(at)
            .iter()
            .map(move |a| (at, a))
    });
    for (at, ann) in by_document {
        let doc = Some(at);
        counts.annotation(doc);
        match ann.kind() {
            AnnotationKind::Entity { label, .. } => {
                stats.entities += 1;
                counts.entity(doc, label);
            }
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => {
                stats.stances += 1;
                counts.stance(doc);
                let document_level = ann.spans().is_empty();
                count_stance(&mut stats.stance, document_level, target, polarity, || {
                    holder
                        .and_then(|h| project.annotation(h.id()))
                        .map_or(Cow::Borrowed(NO_HOLDER), |h| {
                            borrowed_entity_name(project, h)
                        })
                });
            }
        }
    }
    stats.annotations = project.annotations().len();
    for (label, n) in &counts.per_label {
        stats.per_label.insert((*label).to_owned(), *n);
    }
    for (doc, counted) in project.documents().iter().zip(counts.per_document) {
        let status = project.status(doc.id());
        *stats
            .per_status
            .entry(status.name().to_owned())
            .or_default() += 1;
        stats.per_document.insert(
            doc.id().0.to_string(),
            DocumentStats {
                title: doc.title().to_owned(),
                date: doc.date().map(str::to_owned),
                status: status.name().to_owned(),
                annotations: counted.annotations,
                per_label: counted
                    .per_label
                    .into_iter()
                    .map(|(label, n)| (label.to_owned(), n))
                    .collect(),
                stances: counted.stances,
            },
        );
    }
    stats
}

/// A document's row before its annotations are counted.
fn empty_row(title: &str, date: Option<&str>, status: DocStatus) -> DocumentStats {
    DocumentStats {
        title: title.to_owned(),
        date: date.map(str::to_owned),
        status: status.name().to_owned(),
        ..DocumentStats::default()
    }
}

/// Counts one more entity of `label` in a document's `per_label` (its few labels, in the
/// order met). Labels read from one batch share their text: most compare by address.
fn count_label<'a>(per_label: &mut Vec<(&'a str, usize)>, label: &'a str) {
    match per_label
        .iter_mut()
        .find(|(l, _)| std::ptr::eq(*l, label) || *l == label)
    {
        Some((_, n)) => *n += 1,
        None => per_label.push((label, 1)),
    }
}

/// Adds one document's row (its counts per label still apart, in `per_label`) to `into`.
fn add_row(into: &mut Stats, id: &str, mut row: DocumentStats, per_label: Vec<(&str, usize)>) {
    into.annotations += row.annotations;
    for (label, n) in per_label {
        with_entry(&mut into.per_label, label, |total| *total += n);
        row.per_label.insert(label.to_owned(), n);
    }
    with_entry(&mut into.per_status, &row.status, |n| *n += 1);
    into.documents += 1;
    into.per_document.insert(id.to_owned(), row);
}

/// Counts one document as the file gives it, read without building the project
/// ([`crate::io::project_file::read_direct`], which checks it as a load does), into
/// `into`: [`compute`]'s counts for it and its row of `per_document`, from the file's
/// fields. Batches are put together with [`merge`] and finished with [`finish_counted`].
pub fn count_file_document(doc: &FileDocument, into: &mut Stats) {
    let mut row = empty_row(doc.title(), doc.date(), doc.status());
    let mut per_label: Vec<(&str, usize)> = Vec::new();
    for ann in doc.annotations() {
        row.annotations += 1;
        match ann.kind() {
            FileKind::Entity { label, .. } => {
                into.entities += 1;
                count_label(&mut per_label, label);
            }
            FileKind::Stance {
                target,
                polarity,
                holder,
            } => {
                into.stances += 1;
                row.stances += 1;
                let document_level = ann.is_document_level();
                count_stance(&mut into.stance, document_level, target, polarity, || {
                    holder
                        .and_then(|h| doc.annotation(h))
                        .map_or(Cow::Borrowed(NO_HOLDER), |h| doc.entity_name(h))
                });
            }
        }
    }
    add_row(into, doc.id().as_str(), row, per_label);
}

/// Adds the counts of `more` (other documents, from [`count_file_document`]) to `into`.
pub fn merge(into: &mut Stats, more: Stats) {
    into.documents += more.documents;
    into.annotations += more.annotations;
    into.entities += more.entities;
    into.stances += more.stances;
    add_counts(&mut into.per_label, more.per_label);
    into.per_document.extend(more.per_document);
    add_counts(&mut into.per_status, more.per_status);
    into.relations += more.relations;
    add_counts(&mut into.per_relation_type, more.per_relation_type);
    let (s, stances) = (&mut into.stance, more.stance);
    add_counts(&mut s.per_polarity, stances.per_polarity);
    add_nested(&mut s.per_target, stances.per_target);
    add_nested(&mut s.document_stances, stances.document_stances);
    for (holder, row) in stances.matrix {
        add_nested(s.matrix.entry(holder).or_default(), row);
    }
}

/// The statistics of a file read without keeping the project, from the counts of all
/// its documents ([`count_file_document`], [`merge`]): what [`compute`] gives for the
/// project. `relations`, which come after the documents in the file, are counted here.
pub fn finish_counted<'r>(
    mut counted: Stats,
    relations: impl IntoIterator<Item = &'r Relation>,
) -> Stats {
    for status in [
        DocStatus::NotStarted,
        DocStatus::InProgress,
        DocStatus::Done,
    ] {
        counted
            .per_status
            .entry(status.name().to_owned())
            .or_default();
    }
    counted.relations = 0;
    counted.per_relation_type.clear();
    for relation in relations {
        counted.relations += 1;
        with_entry(&mut counted.per_relation_type, &relation.label, |n| *n += 1);
    }
    counted
}

fn add_counts(into: &mut BTreeMap<String, usize>, more: BTreeMap<String, usize>) {
    for (key, n) in more {
        *into.entry(key).or_default() += n;
    }
}

fn add_nested(into: &mut BTreeMap<String, PolarityCounts>, more: BTreeMap<String, PolarityCounts>) {
    for (key, counts) in more {
        add_counts(into.entry(key).or_default(), counts);
    }
}

/// [`compute`]'s running counts: names are borrowed from the project, documents are
/// found by position (`None`: an annotation of no document, which a sound project has
/// not; counted in the totals only).
struct Counts<'p> {
    per_label: BTreeMap<&'p str, usize>,
    per_document: Vec<DocumentCounts<'p>>,
}

/// One document's running counts; a document has a handful of labels, so a short list.
#[derive(Default)]
struct DocumentCounts<'p> {
    annotations: usize,
    stances: usize,
    per_label: Vec<(&'p str, usize)>,
}

impl<'p> Counts<'p> {
    fn new(documents: usize) -> Self {
        Self {
            per_label: BTreeMap::new(),
            per_document: (0..documents).map(|_| DocumentCounts::default()).collect(),
        }
    }

    fn document(&mut self, doc: Option<usize>) -> Option<&mut DocumentCounts<'p>> {
        self.per_document.get_mut(doc?)
    }

    fn annotation(&mut self, doc: Option<usize>) {
        if let Some(counts) = self.document(doc) {
            counts.annotations += 1;
        }
    }

    fn stance(&mut self, doc: Option<usize>) {
        if let Some(counts) = self.document(doc) {
            counts.stances += 1;
        }
    }

    fn entity(&mut self, doc: Option<usize>, label: &'p str) {
        *self.per_label.entry(label).or_default() += 1;
        if let Some(counts) = self.document(doc) {
            match counts.per_label.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.per_label.push((label, 1)),
            }
        }
    }
}

/// Counts a stance (with `target` and `polarity`): per polarity, per target, and either
/// as a document stance (`document_level`: no spans) or in the row of its holder, named
/// by `holder` (called only then).
fn count_stance<'a>(
    s: &mut StanceStats,
    document_level: bool,
    target: &str,
    polarity: &str,
    holder: impl FnOnce() -> Cow<'a, str>,
) {
    bump(&mut s.per_polarity, polarity);
    with_entry(&mut s.per_target, target, |c| bump(c, polarity));
    if document_level {
        with_entry(&mut s.document_stances, target, |c| bump(c, polarity));
    } else {
        with_entry(&mut s.matrix, &holder(), |row| {
            with_entry(row, target, |c| bump(c, polarity));
        });
    }
}

fn bump(counts: &mut PolarityCounts, polarity: &str) {
    with_entry(counts, polarity, |n| *n += 1);
}

/// Runs `f` on the value under `key`, made (with an owned copy of the key) only when
/// missing: most keys come again and again, and an owned key per stance was most of
/// counting them.
fn with_entry<V: Default>(map: &mut BTreeMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(value) => f(value),
        None => f(map.entry(key.to_owned()).or_default()),
    }
}

/// [`entity_name`] borrowed from the project where it can be (a canonical name, or the
/// text of a single span).
fn borrowed_entity_name<'p>(
    project: &'p Project,
    ann: &'p crate::model::Annotation,
) -> Cow<'p, str> {
    if let AnnotationKind::Entity {
        canonical: Some(c), ..
    } = ann.kind()
    {
        return Cow::Borrowed(c.as_str());
    }
    match (project.document_of(ann.id()), ann.spans()) {
        (Some(d), [span]) => Cow::Borrowed(span.text(d.text())),
        _ => Cow::Owned(entity_name(project, ann)),
    }
}

/// An entity's name for lists and matrices: canonical name, else the mention text.
pub fn entity_name(project: &Project, ann: &crate::model::Annotation) -> String {
    if let AnnotationKind::Entity {
        canonical: Some(c), ..
    } = ann.kind()
    {
        return c.to_string();
    }
    project
        .document_of(ann.id())
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
    if stats.relations > 0 {
        let _ = writeln!(out, "\nrelations per type ({} in all):", stats.relations);
        for (label, n) in &stats.per_relation_type {
            let _ = writeln!(out, "  {label:<12} {n:>7}");
        }
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

// Corpus views (statistics window, entity index): tags per month, the entity index,
// mentions in context, and the statistics as a table to copy.

/// The month of documents without a usable date.
pub const NO_DATE: &str = "(no date)";

/// The month a document's `date` falls in: `YYYY-MM` from `YYYY-MM…`, `YYYY` from a bare
/// year, else [`NO_DATE`].
pub fn month_of(date: Option<&str>) -> String {
    let Some(date) = date.map(str::trim) else {
        return NO_DATE.to_owned();
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (date.get(..4), date.get(4..5), date.get(5..7)) {
        (Some(y), Some("-"), Some(m)) if digits(y) && digits(m) => format!("{y}-{m}"),
        (Some(y), None, _) if digits(y) => y.to_owned(),
        _ => NO_DATE.to_owned(),
    }
}

/// Counts of the documents of one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthStats {
    /// Documents dated in the month.
    pub documents: usize,
    /// Their annotations of any kind.
    pub annotations: usize,
    /// Their entity annotations.
    pub entities: usize,
    /// Their stance annotations.
    pub stances: usize,
    /// Those of them marked done.
    pub done: usize,
}

/// Documents and tags per month of the documents' dates (see [`month_of`]), sorted by
/// month; undated documents under [`NO_DATE`].
pub fn per_month(project: &Project) -> BTreeMap<String, MonthStats> {
    let mut months: BTreeMap<String, MonthStats> = BTreeMap::new();
    for doc in project.documents() {
        let m = months.entry(month_of(doc.date())).or_default();
        m.documents += 1;
        m.done += usize::from(project.status(doc.id()) == DocStatus::Done);
        for ann in project.annotations_of(doc.id()) {
            m.annotations += 1;
            if ann.kind().is_entity() {
                m.entities += 1;
            } else {
                m.stances += 1;
            }
        }
    }
    months
}

/// One entry of the entity index: a canonical name, or the text of mentions that have no
/// canonical name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexEntry {
    /// The canonical name or mention text.
    pub name: String,
    /// Whether some mention carries `name` as its canonical name.
    pub canonical: bool,
    /// Labels the mentions were tagged with.
    pub labels: std::collections::BTreeSet<String>,
    /// The mentions (entity annotations) in document and reading order.
    pub mentions: Vec<crate::model::AnnotationId>,
    /// Documents with at least one mention.
    pub documents: std::collections::BTreeSet<crate::model::DocId>,
}

/// Every entity of the project: mentions grouped by canonical name, or by their text
/// when they have none (a mention text equal to a canonical name joins that entry).
/// Sorted by mention count (most first), then name.
pub fn entity_index(project: &Project) -> Vec<IndexEntry> {
    let mut entries: BTreeMap<String, IndexEntry> = BTreeMap::new();
    for doc in project.documents() {
        for ann in project.annotations_of(doc.id()) {
            let AnnotationKind::Entity { label, canonical } = ann.kind() else {
                continue;
            };
            let name = match canonical {
                Some(c) => c.trim().to_owned(),
                None => ann.text(doc.text()).trim().to_owned(),
            };
            let entry = entries.entry(name.clone()).or_insert_with(|| IndexEntry {
                name,
                ..IndexEntry::default()
            });
            entry.canonical |= canonical.is_some();
            entry.labels.insert(label.to_string());
            entry.mentions.push(ann.id());
            entry.documents.insert(doc.id().clone());
        }
    }
    let mut list: Vec<IndexEntry> = entries.into_values().collect();
    list.sort_by(|a, b| {
        b.mentions
            .len()
            .cmp(&a.mentions.len())
            .then_with(|| a.name.cmp(&b.name))
    });
    list
}

/// A mention with the text around it, on one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentionContext {
    /// Up to the given width of characters before the mention (`…` first when cut).
    pub before: String,
    /// The mention's text.
    pub mention: String,
    /// Up to the given width of characters after it (`…` last when cut).
    pub after: String,
}

/// The mention `ann` with `width` characters of context each side, newlines shown as
/// spaces; `None` for an annotation without spans or document.
pub fn mention_context(
    project: &Project,
    ann: &crate::model::Annotation,
    width: usize,
) -> Option<MentionContext> {
    use crate::model::CharOffset;
    let text = project.document_of(ann.id())?.text();
    let span = ann.anchor().covering()?;
    let (s, e) = (span.start().0, span.end().0);
    let from = s.saturating_sub(width);
    let to = (e + width).min(text.char_len());
    let one_line = |t: &str| t.replace(['\n', '\t'], " ");
    let mut before = one_line(text.slice(CharOffset(from), CharOffset(s)));
    let mut after = one_line(text.slice(CharOffset(e), CharOffset(to)));
    if from > 0 {
        before.insert(0, '…');
    }
    if to < text.char_len() {
        after.push('…');
    }
    Some(MentionContext {
        before,
        mention: one_line(&ann.text(text)),
        after,
    })
}

/// The statistics as tab-separated tables (per label, per status, per month, per
/// document), ready to paste into a spreadsheet.
pub fn to_tsv(stats: &Stats, months: &BTreeMap<String, MonthStats>) -> String {
    use std::fmt::Write;
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = String::from("label\ttags\n");
    for (label, n) in &stats.per_label {
        let _ = writeln!(out, "{}\t{n}", clean(label));
    }
    out.push_str("\nstatus\tdocuments\n");
    for (status, n) in &stats.per_status {
        let _ = writeln!(out, "{status}\t{n}");
    }
    out.push_str("\nmonth\tdocuments\ttags\tentities\tstances\tdone\n");
    for (month, m) in months {
        let _ = writeln!(
            out,
            "{month}\t{}\t{}\t{}\t{}\t{}",
            m.documents, m.annotations, m.entities, m.stances, m.done
        );
    }
    out.push_str("\ndocument\ttitle\tdate\tstatus\ttags\tstances\n");
    for (id, d) in &stats.per_document {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            clean(id),
            clean(&d.title),
            d.date.as_deref().map(clean).unwrap_or_default(),
            d.status,
            d.annotations,
            d.stances
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate::{Spec, generate};
    use crate::model::{Anchor, Annotation, AnnotationId, Edit, Span, apply};

    /// Counting document by document in batches (as the loader's workers do) and putting
    /// the batches together in order gives what counting the loaded project gives: with
    /// statuses, a document-level stance, stances with and without holders, a two-span
    /// holder and a relation.
    #[test]
    fn counting_straight_from_the_file_gives_the_project_counts() {
        let mut project = generate(&Spec {
            documents: 30,
            words_per_document: 80,
            spans_per_document: 10,
            seed: 5,
        });
        let doc = project.documents()[3].clone();
        let two_spans = Anchor::spans(
            [(0, 3), (5, 9)]
                .map(|(s, e)| Span::new(s, e, doc.text()).expect("span"))
                .to_vec(),
        )
        .expect("two spans");
        let entity = AnnotationKind::Entity {
            label: "PER".into(),
            canonical: None,
        };
        let holder = Annotation::new(AnnotationId::NEW, two_spans, entity).expect("entity");
        let holder = project.with_new_id(doc.id(), holder);
        let holder_id = holder.id();
        apply(&mut project, Edit::AddAnnotation(doc.id().clone(), holder)).expect("holder added");
        let stance_on = |anchor: Anchor, holder: Option<AnnotationId>| {
            let kind = AnnotationKind::Stance {
                target: "the plan".into(),
                polarity: "against".into(),
                holder: holder.and_then(crate::model::HolderId::new),
            };
            Annotation::new(AnnotationId::NEW, anchor, kind).expect("stance")
        };
        let span = Anchor::spans(vec![Span::new(10, 20, doc.text()).expect("span")]);
        for stance in [
            stance_on(Anchor::Document, None),
            stance_on(span.clone().expect("span"), Some(holder_id)),
            stance_on(span.expect("span"), None),
        ] {
            let stance = project.with_new_id(doc.id(), stance);
            apply(&mut project, Edit::AddAnnotation(doc.id().clone(), stance))
                .expect("stance added");
        }
        for (at, status) in [(0, DocStatus::Done), (4, DocStatus::InProgress)] {
            let doc = project.documents()[at].id().clone();
            apply(&mut project, Edit::SetStatus { doc, status }).expect("status set");
        }
        let entities: Vec<AnnotationId> = project
            .annotations()
            .of_document(1)
            .iter()
            .filter(|a| a.kind().is_entity())
            .map(Annotation::id)
            .take(2)
            .collect();
        if let [from, to] = entities[..] {
            let second = project.documents()[1].id().clone();
            let relation = crate::model::Relation {
                id: project
                    .with_new_id(&second, project.annotations().of_document(1)[0].clone())
                    .id(),
                label: "Knows".into(),
                from,
                to,
            };
            apply(&mut project, Edit::AddRelation(relation)).expect("relation added");
        }
        // Counted as `spantag stats` counts a file: document by document, from the
        // file's fields, in batches merged in order.
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("p.ron");
        crate::io::project_file::save(&project, &path).expect("save");
        let mut counted = Stats::default();
        let count = |doc: &FileDocument, batch: &mut Stats| count_file_document(doc, batch);
        let mut sink = |batch: Stats| {
            merge(&mut counted, batch);
            true
        };
        let read = crate::io::project_file::read_direct(&path, &|_| {}, &count, &mut sink)
            .expect("read straight from the file");
        let expected = compute(&project);
        assert!(expected.stance.document_stances.len() == 1 && expected.relations == 1);
        assert!(expected.stance.matrix.len() > 2 && expected.stance.matrix.contains_key(NO_HOLDER));
        assert!(expected.per_status.values().all(|n| *n > 0));
        assert_eq!(finish_counted(counted, &read.relations), expected);
    }

    /// The borrowed holder name is the owned one, whatever the entity: with a canonical
    /// name, on one span, on two spans (joined with a space).
    #[test]
    fn borrowed_entity_names_are_entity_names() {
        let mut project = generate(&Spec {
            documents: 40,
            words_per_document: 60,
            spans_per_document: 8,
            seed: 11,
        });
        let doc = project.documents()[0].clone();
        let spans = [(0, 3), (5, 9)]
            .map(|(s, e)| Span::new(s, e, doc.text()).expect("span"))
            .to_vec();
        let anchor = Anchor::spans(spans).expect("two spans");
        let kind = AnnotationKind::Entity {
            label: "PER".into(),
            canonical: None,
        };
        let two = Annotation::new(AnnotationId::NEW, anchor, kind).expect("ok");
        let two = project.with_new_id(doc.id(), two);
        apply(&mut project, Edit::AddAnnotation(doc.id().clone(), two)).expect("added");
        let entities: Vec<_> = project
            .annotations()
            .values()
            .filter(|a| a.kind().is_entity())
            .collect();
        let canonical = entities
            .iter()
            .filter(|a| {
                matches!(
                    a.kind(),
                    AnnotationKind::Entity {
                        canonical: Some(_),
                        ..
                    }
                )
            })
            .count();
        assert!(canonical > 0 && canonical < entities.len());
        assert!(entities.iter().any(|a| a.spans().len() > 1));
        for ann in entities {
            assert_eq!(
                borrowed_entity_name(&project, ann),
                entity_name(&project, ann)
            );
        }
    }
}
