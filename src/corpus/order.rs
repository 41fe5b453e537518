//! The orders the document list can show: the corpus order (the project's own), or by
//! title, date, status or tag count. Ties keep the corpus order, so every order is
//! deterministic. The project is never reordered: a list order is a view.

use crate::model::{DocStatus, Project};
use std::cmp::Reverse;
use std::collections::HashMap;

/// How the document list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DocumentOrder {
    /// The order of the corpus: folder listing, files as given, records in file order.
    #[default]
    Corpus,
    /// By title, case-insensitively, numbers by value (`Deel 2` before `Deel 10`).
    Title,
    /// By date, oldest first; documents without a date last.
    Date,
    /// Not started, then in progress, then done.
    Status,
    /// Most tags first.
    TagCount,
}

impl DocumentOrder {
    /// Every order, as the list offers them.
    pub const ALL: [DocumentOrder; 5] = [
        DocumentOrder::Corpus,
        DocumentOrder::Title,
        DocumentOrder::Date,
        DocumentOrder::Status,
        DocumentOrder::TagCount,
    ];

    /// The name shown to the user.
    pub fn name(self) -> &'static str {
        match self {
            DocumentOrder::Corpus => "corpus order",
            DocumentOrder::Title => "title",
            DocumentOrder::Date => "date",
            DocumentOrder::Status => "status",
            DocumentOrder::TagCount => "tag count",
        }
    }
}

fn status_rank(status: DocStatus) -> u8 {
    match status {
        DocStatus::NotStarted => 0,
        DocStatus::InProgress => 1,
        DocStatus::Done => 2,
    }
}

/// The positions of the project's documents in the given order. Each document's sort
/// key (lower-case title, date, status, tag count) is found once, not in every
/// comparison: at 100k documents a comparison that looked up statuses or lower-cased
/// titles made the sort take a third of a second.
pub fn document_order(project: &Project, order: DocumentOrder) -> Vec<usize> {
    let docs = project.documents();
    let mut positions: Vec<usize> = (0..docs.len()).collect();
    // Stable sorts: ties keep the corpus order.
    match order {
        DocumentOrder::Corpus => {}
        DocumentOrder::Title => {
            // Every lower-case title in one buffer, each found by where it ends: 100k
            // strings of their own took 13 MB at 100k documents.
            let mut titles = String::with_capacity(docs.iter().map(|d| d.title().len()).sum());
            let mut ends = Vec::with_capacity(docs.len());
            for d in docs {
                titles.push_str(&d.title().to_lowercase());
                ends.push(titles.len());
            }
            let title = |i: usize| {
                let start = i
                    .checked_sub(1)
                    .and_then(|p| ends.get(p))
                    .copied()
                    .unwrap_or(0);
                let end = ends.get(i).copied().unwrap_or(start);
                titles.get(start..end).unwrap_or_default()
            };
            positions.sort_by(|a, b| alphanumeric_sort::compare_str(title(*a), title(*b)));
        }
        DocumentOrder::Date => {
            // Documents without a date last.
            let dates: Vec<(u8, &str)> = docs
                .iter()
                .map(|d| d.date().map_or((1, ""), |date| (0, date)))
                .collect();
            positions.sort_by_key(|i| dates[*i]);
        }
        DocumentOrder::Status => {
            // Most documents have the default status, which is not stored: the few that
            // have another are looked up from the statuses' side.
            let mut ranks = vec![status_rank(DocStatus::default()); docs.len()];
            for (doc, status) in project.statuses() {
                if let Some(rank) = project.document_index(doc).and_then(|i| ranks.get_mut(i)) {
                    *rank = status_rank(status);
                }
            }
            positions.sort_by_key(|i| ranks[*i]);
        }
        DocumentOrder::TagCount => {
            let counts: Vec<usize> = docs
                .iter()
                .map(|d| project.annotation_count(d.id()))
                .collect();
            positions.sort_by_key(|i| Reverse(counts[*i]));
        }
    }
    positions
}

/// What the document list shows: documents whose title contains some text (any case),
/// with some status, using some label. Empty parts let every document through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    /// Text the title must contain, case-insensitively.
    pub title: String,
    /// The status the document must have.
    pub status: Option<DocStatus>,
    /// A label (entity type or stance polarity) one of the document's tags must have.
    pub label: Option<String>,
}

impl DocumentFilter {
    /// Whether it lets every document through.
    pub fn is_empty(&self) -> bool {
        self.title.trim().is_empty() && self.status.is_none() && self.label.is_none()
    }
}

/// The label a tag is filtered by: an entity's type, a stance's polarity.
fn filter_label(ann: &crate::model::Annotation) -> &str {
    match ann.kind() {
        crate::model::AnnotationKind::Entity { label, .. } => label,
        crate::model::AnnotationKind::Stance { polarity, .. } => polarity,
    }
}

/// Which labels each document's tags use, for filtering the list by label without
/// visiting every tag again: made once in one pass over the tags, then kept up to date
/// one document at a time after edits to it ([`DocumentLabels::update`]).
#[derive(Debug, Clone, Default)]
pub struct DocumentLabels {
    /// Every label met, in order of meeting.
    names: Vec<String>,
    /// Per document (by position): which of `sets` its tags use.
    per_document: Vec<u32>,
    /// The different sets of labels documents use: indexes into `names`, sorted, each
    /// once. A corpus has a few (100k documents had 100k boxed sets, 6.5 MB).
    sets: Vec<Box<[u16]>>,
    /// Where each set is in `sets`.
    set_numbers: HashMap<Box<[u16]>, u32>,
}

impl DocumentLabels {
    /// The labels of every document of `project`.
    pub fn of(project: &Project) -> Self {
        let mut labels = Self {
            per_document: vec![0; project.documents().len()],
            ..Self::default()
        };
        for (i, tags) in project.annotations_by_document().into_iter().enumerate() {
            labels.set(i, tags);
        }
        labels
    }

    /// Counts document `index` of `project` again (after an edit to it).
    pub fn update(&mut self, project: &Project, index: usize) {
        if self.per_document.len() != project.documents().len() {
            *self = Self::of(project);
            return;
        }
        if let Some(doc) = project.documents().get(index) {
            self.set(index, project.annotations_in(doc.id()));
        }
    }

    fn set(&mut self, index: usize, tags: &[crate::model::Annotation]) {
        let mut used: Vec<u16> = Vec::new();
        for ann in tags {
            let name = filter_label(ann);
            let at = match self.names.iter().position(|n| n == name) {
                Some(at) => at,
                None => {
                    self.names.push(name.to_owned());
                    self.names.len() - 1
                }
            };
            let at = u16::try_from(at).unwrap_or(u16::MAX);
            if let Err(slot) = used.binary_search(&at) {
                used.insert(slot, at);
            }
        }
        let used = used.into_boxed_slice();
        let set = match self.set_numbers.get(&used) {
            Some(&set) => set,
            None => {
                let set = u32::try_from(self.sets.len()).unwrap_or(u32::MAX);
                self.sets.push(used.clone());
                self.set_numbers.insert(used, set);
                set
            }
        };
        if let Some(entry) = self.per_document.get_mut(index) {
            *entry = set;
        }
    }

    /// Whether document `index` has a tag labelled `label`.
    pub fn has(&self, index: usize, label: &str) -> bool {
        self.number_of(label)
            .is_some_and(|label| self.has_number(index, label))
    }

    /// The number `label` has in this index; `None` when no tag uses it.
    fn number_of(&self, label: &str) -> Option<u16> {
        let at = self.names.iter().position(|n| n == label)?;
        u16::try_from(at).ok()
    }

    /// Whether document `index` has a tag whose label has number `label`.
    fn has_number(&self, index: usize, label: u16) -> bool {
        self.per_document
            .get(index)
            .and_then(|&set| self.sets.get(set as usize))
            .is_some_and(|used| used.binary_search(&label).is_ok())
    }
}

/// The documents of `listed` (positions in the project, in the list's order) that pass
/// `filter`, in the same order. `labels` must be given when the filter names a label.
pub fn filter_documents(
    project: &Project,
    listed: &[usize],
    filter: &DocumentFilter,
    labels: Option<&DocumentLabels>,
) -> Vec<usize> {
    if filter.is_empty() {
        return listed.to_vec();
    }
    let docs = project.documents();
    let needle = filter.title.trim().to_lowercase();
    // Case-insensitive "contains" without lower-casing every title: an ASCII needle (the
    // usual case) is found by an automaton that ignores ASCII case.
    let ascii = (!needle.is_empty() && needle.is_ascii())
        .then(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([needle.as_str()])
                .ok()
        })
        .flatten();
    let title_matches = |title: &str| match &ascii {
        _ if needle.is_empty() => true,
        Some(finder) => finder.is_match(title),
        None => title.to_lowercase().contains(&needle),
    };
    // The few documents with a status of their own are looked up from the statuses'
    // side, not a lookup by id per document.
    let statuses = filter.status.map(|_| {
        let mut statuses = vec![DocStatus::default(); docs.len()];
        for (doc, status) in project.statuses() {
            if let Some(slot) = project
                .document_index(doc)
                .and_then(|i| statuses.get_mut(i))
            {
                *slot = status;
            }
        }
        statuses
    });
    // The label's number, looked up once; `None` inside: no document has it.
    let label = filter
        .label
        .as_deref()
        .map(|label| labels.and_then(|l| Some((l, l.number_of(label)?))));
    listed
        .iter()
        .copied()
        .filter(|&i| {
            let Some(doc) = docs.get(i) else {
                return false;
            };
            title_matches(doc.title())
                && filter.status.is_none_or(|status| {
                    statuses
                        .as_ref()
                        .and_then(|s| s.get(i))
                        .is_some_and(|s| *s == status)
                })
                && label.is_none_or(|label| label.is_some_and(|(l, n)| l.has_number(i, n)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::builtin_schema;
    use crate::model::{Annotation, AnnotationId, DocId, Document, Edit, Span, apply};
    use std::collections::BTreeMap;

    /// (id, title, date, status, tags)
    fn project(docs: &[(&str, &str, Option<&str>, DocStatus, usize)]) -> Project {
        let documents = docs
            .iter()
            .map(|(id, title, date, _, _)| {
                let meta: BTreeMap<String, String> = date
                    .map(|d| ("date".to_owned(), d.to_owned()))
                    .into_iter()
                    .collect();
                Document::new(
                    (*id).into(),
                    (*title).to_owned(),
                    meta,
                    "Een twee drie vier vijf.".to_owned(),
                )
            })
            .collect();
        let mut p = Project::new(builtin_schema(), documents).expect("project");
        let mut next = 1;
        for (id, _, _, status, tags) in docs {
            let doc = DocId::from(*id);
            for t in 0..*tags {
                let span = Span::within(t * 4, t * 4 + 3, 24).expect("span");
                let ann = Annotation::entity(AnnotationId(next), span, "PER");
                next += 1;
                apply(&mut p, Edit::AddAnnotation(doc.clone(), ann)).expect("tag");
            }
            apply(
                &mut p,
                Edit::SetStatus {
                    doc,
                    status: *status,
                },
            )
            .expect("status");
        }
        p
    }

    #[test]
    fn each_order_sorts_and_ties_keep_the_corpus_order() {
        use DocStatus::*;
        let p = project(&[
            ("d1", "Deel 10", Some("2018-05"), Done, 1),
            ("d2", "deel 2", None, NotStarted, 0),
            ("d3", "Anders", Some("2018-01"), InProgress, 3),
            ("d4", "Deel 2", Some("2018-05"), NotStarted, 1),
        ]);
        let cases = [
            (DocumentOrder::Corpus, [0, 1, 2, 3]),
            (DocumentOrder::Title, [2, 1, 3, 0]),
            (DocumentOrder::Date, [2, 0, 3, 1]),
            (DocumentOrder::Status, [1, 3, 2, 0]),
            (DocumentOrder::TagCount, [2, 0, 3, 1]),
        ];
        for (order, want) in cases {
            assert_eq!(document_order(&p, order), want, "{}", order.name());
        }
    }

    #[test]
    fn filters_keep_the_list_order_and_combine() {
        use DocStatus::*;
        let mut p = project(&[
            ("d1", "Deel 10", Some("2018-05"), Done, 1),
            ("d2", "deel 2", None, NotStarted, 0),
            ("d3", "Anders", Some("2018-01"), InProgress, 3),
            ("d4", "Déel 2", Some("2018-05"), NotStarted, 1),
        ]);
        let labels = DocumentLabels::of(&p);
        // Documents tagged with the same labels share one set: {PER} and {}.
        assert_eq!(labels.sets.len(), 2);
        let listed = [3, 2, 1, 0];
        let filter = |title: &str, status, label: Option<&str>| DocumentFilter {
            title: title.to_owned(),
            status,
            label: label.map(str::to_owned),
        };
        let cases: [(DocumentFilter, &[usize]); 8] = [
            (filter("", None, None), &[3, 2, 1, 0]),
            (filter("  ", None, None), &[3, 2, 1, 0]),
            (filter("DEEL", None, None), &[1, 0]),
            (filter("déel", None, None), &[3]),
            (filter("", Some(NotStarted), None), &[3, 1]),
            (filter("", None, Some("PER")), &[3, 2, 0]),
            (filter("deel", None, Some("PER")), &[0]),
            (filter("", None, Some("ORG")), &[]),
        ];
        for (f, want) in cases {
            assert_eq!(
                filter_documents(&p, &listed, &f, Some(&labels)),
                want,
                "{f:?}"
            );
        }
        // A tag added to one document: that document is counted again.
        let span = Span::within(0, 3, 24).expect("span");
        let org = Annotation::entity(AnnotationId(99), span, "ORG");
        apply(&mut p, Edit::AddAnnotation(DocId::from("d2"), org)).expect("tag");
        let mut labels = labels;
        assert!(!labels.has(1, "ORG"));
        labels.update(&p, 1);
        assert!(labels.has(1, "ORG"));
        assert_eq!(
            filter_documents(&p, &listed, &filter("", None, Some("ORG")), Some(&labels)),
            [1]
        );
    }
}
