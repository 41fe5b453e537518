//! What the document list shows: the documents in the chosen order, through the list's
//! filter (title text, status, label). The orders, the filter and the index of which
//! labels each document uses are corpus computations (`corpus::order`); this keeps their
//! results for the project's current state, so a frame never computes them again, and
//! on a big project (5k documents or more; at 100k each takes 10–350 ms) computes them on a
//! background thread — on the session's shared project, which an edit meanwhile copies
//! in microseconds — while the list keeps showing what it showed, so no frame waits.

use super::background::{Job, landed};
use super::learn_ui::DocumentPositions;
use super::session::Session;
use crate::corpus::order::{
    DocumentFilter, DocumentLabels, DocumentOrder, document_order, filter_documents,
};
use std::sync::Arc;

/// Projects with at least this many documents sort, filter and count their documents'
/// labels on a background thread (at 10k documents the label index takes 17 ms and the
/// title order 13 ms; at 100k the title order takes about 150 ms, a filter 10–170 ms).
const BACKGROUND_DOCUMENTS: usize = 5_000;

/// What a filtered list was made from: the project revision, the filter, and the order it
/// filtered (compared by pointer: an order is made once and shared).
#[derive(Clone)]
struct FilterKey(u64, DocumentFilter, DocumentPositions);

impl PartialEq for FilterKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 && self.1 == other.1 && Arc::ptr_eq(&self.2, &other.2)
    }
}

/// The document list's filter and the results it keeps (see the module comment).
pub struct DocumentList {
    /// Projects with at least this many documents compute in the background.
    background_from: usize,
    /// What the list shows: documents by title text, status, label.
    pub filter: DocumentFilter,
    /// The order, for (order key, order).
    ordered: Option<((u64, DocumentOrder), DocumentPositions)>,
    /// An order being sorted on another thread.
    ordering: Option<Job<(u64, DocumentOrder), Vec<usize>>>,
    /// The filtered list: for (project revision, filter, the order it filtered).
    filtered: Option<(FilterKey, DocumentPositions)>,
    /// A filter being applied on another thread.
    filtering: Option<Job<FilterKey, Vec<usize>>>,
    /// Which labels each document uses, for (session generation, history state); shared
    /// with a filter running on another thread.
    labels: Option<((u64, u64), Arc<DocumentLabels>)>,
    /// Labels being counted on another thread.
    counting: Option<Job<(u64, u64), DocumentLabels>>,
    /// One-document edits not yet taken into `labels`: (session generation, state
    /// before, state after, document position).
    one_document_steps: Vec<(u64, u64, u64, usize)>,
}

impl Default for DocumentList {
    fn default() -> Self {
        Self {
            background_from: BACKGROUND_DOCUMENTS,
            filter: DocumentFilter::default(),
            ordered: None,
            ordering: None,
            filtered: None,
            filtering: None,
            labels: None,
            counting: None,
            one_document_steps: Vec::new(),
        }
    }
}

impl DocumentList {
    /// Notes that an edit took `session` from state `before` to `after` and changed
    /// document `doc` alone: the label index then counts that document again, not all.
    pub fn one_document_edited(&mut self, session: &Session, before: u64, after: u64, doc: usize) {
        if self.labels.is_some() || self.counting.is_some() {
            self.one_document_steps
                .push((session.generation(), before, after, doc));
        }
    }

    /// Whether something is being computed for the list (it shows the previous result
    /// meanwhile, and the window keeps drawing frames to pick the new one up).
    pub fn busy(&self) -> bool {
        self.ordering.is_some() || self.counting.is_some() || self.filtering.is_some()
    }

    /// The positions of `session`'s documents in `order`.
    pub fn ordered(&mut self, session: &Session, order: DocumentOrder) -> DocumentPositions {
        let project = &session.project;
        let documents = project.documents().len();
        // Orders by title or date depend on the document list alone: edits that tag do
        // not sort 100k titles again.
        let key = match order {
            DocumentOrder::Corpus | DocumentOrder::Title | DocumentOrder::Date => {
                (session.generation() << 40) ^ project.documents_revision() ^ (1 << 39)
            }
            DocumentOrder::Status | DocumentOrder::TagCount => session.revision(),
        };
        let key = (key, order);
        if let Some((k, list)) = &self.ordered
            && *k == key
            && list.len() == documents
        {
            return list.clone();
        }
        let in_background = documents >= self.background_from && order != DocumentOrder::Corpus;
        if !in_background {
            self.ordering = None;
            let list: DocumentPositions = document_order(project, order).into();
            self.ordered = Some((key, list.clone()));
            return list;
        }
        let project = Arc::clone(project);
        if let Some(list) = landed(&mut self.ordering, &key, move || {
            document_order(&project, order)
        }) {
            let list: DocumentPositions = list.into();
            self.ordered = Some((key, list.clone()));
            return list;
        }
        // Meanwhile: the order shown before, while it still lists every document, else
        // the corpus order.
        match &self.ordered {
            Some((_, list)) if list.len() == documents => list.clone(),
            _ => (0..documents).collect(),
        }
    }

    /// The documents of `ordered` the filter lets through, in that order.
    pub fn shown(&mut self, session: &Session, ordered: DocumentPositions) -> DocumentPositions {
        let needs_labels = self.filter.label.is_some();
        self.refresh_labels(session, needs_labels);
        if self.filter.is_empty() {
            return ordered;
        }
        let labels_ready = !needs_labels || self.labels.is_some();
        let key = FilterKey(session.revision(), self.filter.clone(), ordered.clone());
        if let Some((k, shown)) = &self.filtered
            && *k == key
            && labels_ready
        {
            return shown.clone();
        }
        if !labels_ready {
            // The labels are being counted: what the list showed before, meanwhile.
            return self.previously_shown();
        }
        let labels = self.labels.as_ref().map(|(_, labels)| Arc::clone(labels));
        if ordered.len() < self.background_from {
            self.filtering = None;
            let shown: DocumentPositions =
                filter_documents(&session.project, &ordered, &self.filter, labels.as_deref())
                    .into();
            self.filtered = Some((key, shown.clone()));
            return shown;
        }
        let (project, filter) = (Arc::clone(&session.project), self.filter.clone());
        if let Some(shown) = landed(&mut self.filtering, &key, move || {
            filter_documents(&project, &ordered, &filter, labels.as_deref())
        }) {
            let shown: DocumentPositions = shown.into();
            self.filtered = Some((key, shown.clone()));
            return shown;
        }
        self.previously_shown()
    }

    /// What the filtered list showed last (nothing before the first filter).
    fn previously_shown(&self) -> DocumentPositions {
        match &self.filtered {
            Some((_, shown)) => shown.clone(),
            None => DocumentPositions::from([]),
        }
    }

    /// Whether the label filter waits for the documents' labels to be counted.
    pub fn counting_labels(&self) -> bool {
        self.filter.label.is_some() && self.counting.is_some() && self.labels.is_none()
    }

    /// Brings the label index up to `session`'s state: documents changed by one-document
    /// edits are counted again; any other change, or another session, counts every
    /// document again (on a background thread for a big project) — or, when the filter
    /// no longer needs the index, drops it.
    fn refresh_labels(&mut self, session: &Session, needed: bool) {
        let now = (session.generation(), session.history.state_id());
        if let Some(job) = &self.counting {
            match job.poll() {
                Ok(Some(labels)) => {
                    self.labels = Some((job.key, Arc::new(labels)));
                    self.counting = None;
                }
                Ok(None) if job.key.0 == now.0 => {}
                _ => self.counting = None,
            }
        }
        let project = &session.project;
        if let Some((at, labels)) = &mut self.labels {
            for &(generation, before, after, doc) in &self.one_document_steps {
                if generation == at.0 && before == at.1 {
                    Arc::make_mut(labels).update(project, doc);
                    at.1 = after;
                }
            }
            if *at != now {
                self.labels = None;
            }
        }
        if self.counting.is_none() {
            self.one_document_steps.clear();
        }
        if self.labels.is_some() || !needed {
            if !needed {
                self.counting = None;
            }
            return;
        }
        if project.documents().len() < self.background_from {
            self.labels = Some((now, Arc::new(DocumentLabels::of(project))));
        } else if self.counting.as_ref().is_none_or(|job| job.key.0 != now.0) {
            // Edits made while it counts are one-document steps taken in when it lands,
            // or (any other edit) another count.
            let project = Arc::clone(project);
            self.counting = Some(Job::start(now, move || DocumentLabels::of(&project)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate::{Spec, generate};
    use crate::model::{Annotation, Edit, Span};

    fn session() -> Session {
        Session::unsaved(generate(&Spec {
            documents: 40,
            words_per_document: 60,
            spans_per_document: 3,
            seed: 4,
        }))
    }

    /// Asks `ask` every few milliseconds until the list has nothing left to compute.
    fn settle<T>(list: &mut DocumentList, mut ask: impl FnMut(&mut DocumentList) -> T) -> T {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let answer = ask(list);
            if !list.busy() {
                return answer;
            }
            assert!(std::time::Instant::now() < deadline, "never landed");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    #[test]
    fn a_background_order_shows_the_corpus_order_until_it_lands() {
        let session = session();
        let mut list = DocumentList {
            background_from: 0,
            ..DocumentList::default()
        };
        let first = list.ordered(&session, DocumentOrder::Title);
        assert!(list.busy(), "sorting on another thread");
        assert_eq!(*first, *(0..40).collect::<Vec<_>>());
        let sorted = settle(&mut list, |l| l.ordered(&session, DocumentOrder::Title));
        assert_eq!(
            *sorted,
            *document_order(&session.project, DocumentOrder::Title)
        );
        // Kept: asked again, nothing is sorted.
        let again = list.ordered(&session, DocumentOrder::Title);
        assert!(!list.busy());
        assert!(Arc::ptr_eq(&again, &sorted));
    }

    #[test]
    fn a_background_filter_shows_what_was_shown_until_it_lands() {
        let session = session();
        let mut list = DocumentList {
            background_from: 0,
            ..DocumentList::default()
        };
        let corpus: DocumentPositions = (0..40).collect();
        list.filter.status = Some(crate::model::DocStatus::NotStarted);
        let not_started = settle(&mut list, |l| l.shown(&session, corpus.clone()));
        let want = filter_documents(&session.project, &corpus, &list.filter, None);
        assert_eq!(*not_started, *want);
        assert!(!not_started.is_empty());
        list.filter.title = "zzz-no-such-title".to_owned();
        let meanwhile = list.shown(&session, corpus.clone());
        assert!(list.busy());
        assert_eq!(
            meanwhile, not_started,
            "the previous result while it filters"
        );
        let shown = settle(&mut list, |l| l.shown(&session, corpus.clone()));
        assert!(shown.is_empty());
    }

    #[test]
    fn labels_counted_in_the_background_take_in_one_document_edits_made_meanwhile() {
        let mut session = session();
        let mut list = DocumentList {
            background_from: 0,
            ..DocumentList::default()
        };
        list.filter.label = Some("RARE".to_owned());
        let corpus: DocumentPositions = (0..40).collect();
        assert!(list.shown(&session, corpus.clone()).is_empty());
        assert!(list.counting_labels());
        // A one-document edit while the labels are being counted.
        let doc = session.project.documents()[7].clone();
        let span = Span::new(0, 3, doc.text()).expect("span");
        let ann = Annotation::entity(crate::model::AnnotationId(1), span, "RARE");
        let ann = session.project_mut().with_new_id(doc.id(), ann);
        let before = session.history.state_id();
        let project = Arc::make_mut(&mut session.project);
        session
            .history
            .apply(project, Edit::AddAnnotation(doc.id().clone(), ann), "tag")
            .expect("tag");
        let after = session.history.state_id();
        list.one_document_edited(&session, before, after, 7);
        let shown = settle(&mut list, |l| l.shown(&session, corpus.clone()));
        assert_eq!(*shown, [7]);
        // Another kind of change (an undo) counts everything again.
        let project = Arc::make_mut(&mut session.project);
        session.history.undo(project).expect("undo");
        let shown = settle(&mut list, |l| l.shown(&session, corpus.clone()));
        assert!(shown.is_empty());
    }
}
