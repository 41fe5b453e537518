//! The project: schema, documents, annotations, relations and statuses, with indexes.
//!
//! A `Project` only changes through [`crate::model::edit::apply`], which keeps its
//! invariants: every annotation's document exists and its spans lie inside that document's
//! text; ids are unique; a stance's holder is an entity in the same document; relations
//! point at existing annotations.

use super::annotation::{Annotation, AnnotationId, AnnotationKind, Relation};
use super::document::{DocId, DocStatus, Document};
use super::schema::Schema;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An annotation project held in memory.
#[derive(Clone, Debug)]
pub struct Project {
    pub(super) schema: Schema,
    documents: Vec<Document>,
    doc_index: HashMap<DocId, usize>,
    pub(super) annotations: BTreeMap<AnnotationId, Annotation>,
    pub(super) by_doc: HashMap<DocId, BTreeSet<AnnotationId>>,
    pub(super) relations: BTreeMap<AnnotationId, Relation>,
    pub(super) statuses: BTreeMap<DocId, DocStatus>,
    pub(super) rejected: BTreeSet<RejectedSuggestion>,
    pub(super) next_id: u64,
}

/// A suggestion the user rejected: not shown again.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RejectedSuggestion {
    /// Document.
    pub doc: DocId,
    /// Start (code points).
    pub start: usize,
    /// End (code points).
    pub end: usize,
    /// The label that was proposed.
    pub label: String,
}

impl PartialEq for Project {
    /// Two projects are equal when their content is: indexes and the id counter are derived.
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.documents == other.documents
            && self.annotations == other.annotations
            && self.relations == other.relations
            && self.statuses == other.statuses
            && self.rejected == other.rejected
    }
}

/// Why documents could not be put together into a project.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ProjectError {
    /// Two documents share an id.
    #[error("two documents have the id '{0}'")]
    DuplicateDocument(DocId),
}

impl Project {
    /// A project over `documents` (sorted by id here) with no annotations.
    pub fn new(schema: Schema, mut documents: Vec<Document>) -> Result<Self, ProjectError> {
        documents.sort_by(|a, b| a.id().cmp(b.id()));
        let mut doc_index = HashMap::with_capacity(documents.len());
        for (i, doc) in documents.iter().enumerate() {
            if doc_index.insert(doc.id().clone(), i).is_some() {
                return Err(ProjectError::DuplicateDocument(doc.id().clone()));
            }
        }
        Ok(Self {
            schema,
            documents,
            doc_index,
            annotations: BTreeMap::new(),
            by_doc: HashMap::new(),
            relations: BTreeMap::new(),
            statuses: BTreeMap::new(),
            rejected: BTreeSet::new(),
            next_id: 1,
        })
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Documents sorted by id.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// A document by id.
    pub fn document(&self, id: &DocId) -> Option<&Document> {
        self.doc_index.get(id).map(|&i| &self.documents[i])
    }

    /// Position of a document in [`Project::documents`].
    pub fn document_index(&self, id: &DocId) -> Option<usize> {
        self.doc_index.get(id).copied()
    }

    /// All annotations by id.
    pub fn annotations(&self) -> &BTreeMap<AnnotationId, Annotation> {
        &self.annotations
    }

    /// One annotation.
    pub fn annotation(&self, id: AnnotationId) -> Option<&Annotation> {
        self.annotations.get(&id)
    }

    /// A document's annotations in reading order.
    pub fn annotations_of(&self, doc: &DocId) -> Vec<&Annotation> {
        let mut list: Vec<&Annotation> = self
            .by_doc
            .get(doc)
            .into_iter()
            .flatten()
            .filter_map(|id| self.annotations.get(id))
            .collect();
        list.sort_by_key(|a| a.reading_order());
        list
    }

    /// How many annotations a document has.
    pub fn annotation_count(&self, doc: &DocId) -> usize {
        self.by_doc.get(doc).map_or(0, BTreeSet::len)
    }

    /// Relations by id.
    pub fn relations(&self) -> &BTreeMap<AnnotationId, Relation> {
        &self.relations
    }

    /// A document's status.
    pub fn status(&self, doc: &DocId) -> DocStatus {
        self.statuses.get(doc).copied().unwrap_or_default()
    }

    /// Suggestions the user rejected.
    pub fn rejected_suggestions(&self) -> &BTreeSet<RejectedSuggestion> {
        &self.rejected
    }

    /// A fresh annotation id, never handed out before by this project.
    pub fn allocate_id(&mut self) -> AnnotationId {
        let id = AnnotationId(self.next_id);
        self.next_id += 1;
        id
    }

    /// The stances whose holder is `id`.
    pub fn stances_held_by(&self, id: AnnotationId) -> Vec<&Annotation> {
        let Some(entity) = self.annotations.get(&id) else {
            return Vec::new();
        };
        self.annotations_of(entity.doc())
            .into_iter()
            .filter(
                |a| matches!(a.kind(), AnnotationKind::Stance { holder: Some(h), .. } if *h == id),
            )
            .collect()
    }

    /// Relations that mention `id`.
    pub fn relations_of(&self, id: AnnotationId) -> Vec<&Relation> {
        self.relations
            .values()
            .filter(|r| r.from == id || r.to == id)
            .collect()
    }

    /// Every canonical name used by an entity, sorted: the project's entity registry.
    pub fn canonical_names(&self) -> BTreeSet<&str> {
        self.annotations
            .values()
            .filter_map(|a| match a.kind() {
                AnnotationKind::Entity {
                    canonical: Some(c), ..
                } => Some(c.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Makes the id counter pass every id in use (after loading or merging).
    pub(super) fn bump_next_id(&mut self, id: AnnotationId) {
        self.next_id = self.next_id.max(id.0 + 1);
    }

    pub(super) fn insert_documents(&mut self, docs: Vec<Document>) {
        self.documents.extend(docs);
        self.documents.sort_by(|a, b| a.id().cmp(b.id()));
        self.reindex_documents();
    }

    pub(super) fn remove_documents(&mut self, ids: &BTreeSet<DocId>) -> Vec<Document> {
        let (removed, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.documents)
            .into_iter()
            .partition(|d| ids.contains(d.id()));
        self.documents = kept;
        self.reindex_documents();
        removed
    }

    fn reindex_documents(&mut self) {
        self.doc_index = self
            .documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id().clone(), i))
            .collect();
    }
}
