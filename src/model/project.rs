//! The project: schema, documents, annotations, relations and statuses, with indexes.
//!
//! A `Project` only changes through [`crate::model::edit::apply`], which keeps its
//! invariants: every annotation's document exists and its spans lie inside that document's
//! text; ids are unique; a stance's holder is an entity in the same document; relations
//! point at existing annotations. [`Project::from_parts`] builds a whole project in one
//! pass under the same checks (what loading and big imports use).
//!
//! The documents and each document's annotations are shared (`Arc`): a
//! [`ProjectSnapshot`] — what a save in the background writes while the window goes on —
//! costs a few pointers, and an edit made meanwhile copies only the list of the document
//! it changes.

use super::annotation::{Anchor, Annotation, AnnotationId, AnnotationKind, Relation};
use super::annotation_map::{AnnotationMap, DocAnnotations, MapBuilder};
use super::document::{DocId, DocStatus, Document};
use super::edit::EditError;
use super::schema::Schema;
use super::team::{Assignment, Conflict};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Builds a project from documents that arrive one at a time with their annotations (a
/// loader streaming a big file), moving each document's annotations into the project as
/// it arrives, so a big project is never held twice. It makes the checks of
/// [`Project::from_parts`]; when an annotation is not sound it only notes it, and
/// [`ProjectBuilder::finish`] gives up so the caller can take `from_parts` for the exact
/// message.
#[derive(Debug, Default)]
pub struct ProjectBuilder {
    /// Documents in arrival order.
    documents: Vec<Document>,
    statuses: Vec<(DocId, DocStatus)>,
    /// Every document's annotations, as they will stay in the project.
    annotations: MapBuilder,
    unsound: bool,
}

impl ProjectBuilder {
    /// A builder with nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document, its status and its annotations, which must lie inside its text
    /// and name as holder an entity among them.
    pub fn add_document(&mut self, doc: Document, status: DocStatus, annotations: Vec<Annotation>) {
        self.add(DocumentPart::new(doc, status, annotations));
    }

    /// Adds a document prepared (and checked) by [`DocumentPart::new`].
    pub fn add(&mut self, part: DocumentPart) {
        if self.unsound {
            return;
        }
        if !part.sound {
            self.unsound = true;
            return;
        }
        if part.status != DocStatus::default() {
            self.statuses.push((part.doc.id().clone(), part.status));
        }
        self.annotations.push(part.annotations);
        self.documents.push(part.doc);
    }

    /// The project, with `relations` and `rejected` checked as `from_parts` checks them;
    /// `None` when what was added is not sound (an annotation checked in
    /// [`ProjectBuilder::add_document`], a document id or an annotation id used twice).
    pub fn finish(
        self,
        schema: Schema,
        relations: Vec<Relation>,
        rejected: Vec<RejectedSuggestion>,
    ) -> Option<Result<Project, ProjectError>> {
        if self.unsound {
            return None;
        }
        let annotations = self.annotations.finish().ok()?;
        // Documents keep the order they came in (the file's).
        let mut project = Project::new(schema, self.documents).ok()?;
        project.annotations = annotations;
        Some(project.add_rest(self.statuses, relations, rejected))
    }
}

/// One document for a [`ProjectBuilder`], with its status and annotations, checked and
/// put in reading order on its own: what does not depend on the other documents happens
/// here, on whichever thread makes the part (a loader makes them on all cores). The
/// annotations are already in the shape the project keeps them in.
#[derive(Debug)]
pub struct DocumentPart {
    doc: Document,
    status: DocStatus,
    annotations: DocAnnotations,
    /// Whether every annotation is sound (see [`DocumentPart::new`]).
    sound: bool,
}

impl DocumentPart {
    /// Checks that every annotation of `doc` lies inside its text and names as holder an
    /// entity among them ([`ProjectBuilder::finish`] gives up if one does not),
    /// and puts them in reading order.
    pub fn new(doc: Document, status: DocStatus, annotations: Vec<Annotation>) -> Self {
        let len = doc.text().char_len();
        let mut entities: Vec<AnnotationId> = annotations
            .iter()
            .filter(|a| a.kind().is_entity())
            .map(Annotation::id)
            .collect();
        entities.sort_unstable();
        let sound = annotations.iter().all(|a| {
            a.spans().iter().all(|s| s.end().0 <= len)
                && match a.kind() {
                    AnnotationKind::Stance {
                        holder: Some(h), ..
                    } => h.id() != a.id() && entities.binary_search(&h.id()).is_ok(),
                    _ => true,
                }
        });
        Self {
            doc,
            status,
            annotations: DocAnnotations::new(annotations),
            sound,
        }
    }

    /// The document.
    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// Its status.
    pub fn status(&self) -> DocStatus {
        self.status
    }

    /// Its annotations in reading order (the order of [`Project::annotations_of`]).
    pub fn annotations(&self) -> impl Iterator<Item = &Annotation> {
        self.annotations.as_slice().iter()
    }

    /// Whether every annotation lies inside the document's text and names as holder an
    /// entity among them (what [`DocumentPart::new`] checked).
    pub fn is_sound(&self) -> bool {
        self.sound
    }
}

/// An annotation project held in memory.
#[derive(Clone, Debug)]
pub struct Project {
    pub(super) schema: Schema,
    /// Shared with snapshots (copied on write when documents are added or removed).
    documents: Arc<Vec<Document>>,
    /// Document positions by id. Hashed with FxHash: looking documents up by id is on every
    /// hot path (sorting the document list, gathering tags), and SipHash made that most of
    /// the cost; the ids come from the user's own files, not from an adversary. Shared
    /// between copies of the project (made again whenever the documents change).
    doc_index: Arc<FxHashMap<DocId, usize>>,
    /// Each document's annotations (by the document's position) in reading order, and
    /// the index by id.
    pub(super) annotations: AnnotationMap,
    pub(super) relations: BTreeMap<AnnotationId, Relation>,
    /// Shared with snapshots (copied on write when a status changes).
    pub(super) statuses: Arc<BTreeMap<DocId, DocStatus>>,
    pub(super) rejected: BTreeSet<RejectedSuggestion>,
    /// The assignment `spantag split` gave this copy.
    pub(super) assignment: Option<Box<Assignment>>,
    /// Conflicts a merge recorded and nobody has settled yet.
    pub(super) conflicts: BTreeSet<Conflict>,
    /// Ids handed out by [`Project::allocate_id_for`] whose annotation is not added yet
    /// (an import allocates thousands before applying them as one edit): never handed out
    /// twice. Not content: left out of equality and never saved.
    reserved: FxHashSet<AnnotationId>,
    /// Counts changes to the document list (documents added or removed): what depends on
    /// the documents alone (a list sorted by title) is made again only when this moves.
    /// Not content: left out of equality.
    documents_revision: u64,
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
    /// Two projects are equal when their content is: indexes and reserved ids are derived.
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.documents == other.documents
            && self.annotations == other.annotations
            && self.relations == other.relations
            && self.statuses == other.statuses
            && self.rejected == other.rejected
            && self.assignment == other.assignment
            && self.conflicts == other.conflicts
    }
}

/// A project's content at one moment, for writing it out on another thread while the
/// project goes on changing. Taking one ([`Project::snapshot`]) copies a few pointers and
/// the small project-wide parts: the documents and their annotations are shared, and an
/// edit made afterwards copies only what it changes.
#[derive(Clone, Debug)]
pub struct ProjectSnapshot {
    schema: Schema,
    documents: Arc<Vec<Document>>,
    annotations: Arc<Vec<Arc<DocAnnotations>>>,
    statuses: Arc<BTreeMap<DocId, DocStatus>>,
    relations: BTreeMap<AnnotationId, Relation>,
    rejected: BTreeSet<RejectedSuggestion>,
    assignment: Option<Box<Assignment>>,
    conflicts: BTreeSet<Conflict>,
}

impl ProjectSnapshot {
    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Documents in corpus order.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The annotations of the document at position `doc`, in reading order.
    pub fn annotations_at(&self, doc: usize) -> &[Annotation] {
        self.annotations.get(doc).map_or(&[], |d| d.as_slice())
    }

    /// A document's status.
    pub fn status(&self, doc: &DocId) -> DocStatus {
        self.statuses.get(doc).copied().unwrap_or_default()
    }

    /// Relations by id.
    pub fn relations(&self) -> &BTreeMap<AnnotationId, Relation> {
        &self.relations
    }

    /// Suggestions the user rejected.
    pub fn rejected_suggestions(&self) -> &BTreeSet<RejectedSuggestion> {
        &self.rejected
    }

    /// The assignment `spantag split` gave this copy, if it is one.
    pub fn assignment(&self) -> Option<&Assignment> {
        self.assignment.as_deref()
    }

    /// Conflicts a merge recorded that nobody has settled yet, sorted.
    pub fn conflicts(&self) -> &BTreeSet<Conflict> {
        &self.conflicts
    }
}

/// Why documents could not be put together into a project.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ProjectError {
    /// Two documents share an id.
    #[error("two documents have the id '{0}'")]
    DuplicateDocument(DocId),
    /// A part broke a rule that [`crate::model::edit::apply`] keeps; the message is the one
    /// applying the part as an edit would give.
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// Everything a project holds, for building it in one pass with [`Project::from_parts`].
#[derive(Debug)]
pub struct ProjectParts {
    /// The schema.
    pub schema: Schema,
    /// Documents in corpus order (the project keeps it).
    pub documents: Vec<Document>,
    /// Annotations in groups, each with the document it belongs to (a loader makes one
    /// per document), checked as if added one by one with `Edit::AddAnnotation`, entities
    /// first: a stance's holder may come after the stance. The groups are moved into the
    /// project one at a time, so a big project is never held twice while it is put
    /// together.
    pub annotations: Vec<(DocId, Vec<Annotation>)>,
    /// Document statuses (the default status is simply not stored).
    pub statuses: Vec<(DocId, DocStatus)>,
    /// Relations, checked after all annotations.
    pub relations: Vec<Relation>,
    /// Rejected suggestions, checked last.
    pub rejected: Vec<RejectedSuggestion>,
}

impl Project {
    /// A project with no documents yet (imports add them).
    pub fn empty(schema: Schema) -> Self {
        Self {
            schema,
            documents: Arc::default(),
            doc_index: Arc::default(),
            annotations: AnnotationMap::default(),
            relations: BTreeMap::new(),
            statuses: Arc::default(),
            rejected: BTreeSet::new(),
            assignment: None,
            conflicts: BTreeSet::new(),
            reserved: FxHashSet::default(),
            documents_revision: 0,
        }
    }

    /// A project over `documents`, in their order (the corpus order), with no annotations.
    pub fn new(schema: Schema, documents: Vec<Document>) -> Result<Self, ProjectError> {
        let mut doc_index =
            FxHashMap::with_capacity_and_hasher(documents.len(), Default::default());
        for (i, doc) in documents.iter().enumerate() {
            if doc_index.insert(doc.id().clone(), i).is_some() {
                return Err(ProjectError::DuplicateDocument(doc.id().clone()));
            }
        }
        Ok(Self {
            annotations: AnnotationMap::with_documents(documents.len()),
            documents: Arc::new(documents),
            doc_index: Arc::new(doc_index),
            ..Self::empty(schema)
        })
    }

    /// The project's content now, sharing its documents and annotations: cheap to take,
    /// and unchanged by later edits of the project.
    pub fn snapshot(&self) -> ProjectSnapshot {
        ProjectSnapshot {
            schema: self.schema.clone(),
            documents: Arc::clone(&self.documents),
            annotations: self.annotations.shared_documents(),
            statuses: Arc::clone(&self.statuses),
            relations: self.relations.clone(),
            rejected: self.rejected.clone(),
            assignment: self.assignment.clone(),
            conflicts: self.conflicts.clone(),
        }
    }

    /// A whole project built in one pass, with the checks `edit::apply` makes when the
    /// parts are added one edit at a time — entity annotations, then the other
    /// annotations, statuses, relations and rejected suggestions — and the same error for
    /// the first part that breaks one: document exists, spans inside its text, ids unique,
    /// a holder is an entity of the same document, relations link annotations of one
    /// document. Much quicker than 300,000 single edits: the indexes are built once.
    pub fn from_parts(parts: ProjectParts) -> Result<Self, ProjectError> {
        let ProjectParts {
            schema,
            documents,
            annotations,
            statuses,
            relations,
            rejected,
        } = parts;
        let mut project = Self::new(schema, documents)?;
        if project.annotations_are_sound(&annotations) {
            // The common case (a file spantag wrote): one pass, no per-edit bookkeeping.
            let mut per_document: Vec<Vec<Annotation>> = std::iter::repeat_with(Vec::new)
                .take(project.documents.len())
                .collect();
            for (doc, group) in annotations {
                let at = project.document_index(&doc).unwrap_or(0);
                if let Some(list) = per_document.get_mut(at) {
                    if list.is_empty() {
                        *list = group;
                    } else {
                        list.extend(group);
                    }
                }
            }
            // Ids were found unique above; this only keeps the type honest.
            project.annotations = AnnotationMap::from_documents(
                per_document.into_iter().map(DocAnnotations::new).collect(),
            )
            .map_err(|id| ProjectError::from(EditError::IdInUse(id)))?;
        } else {
            // Something is wrong: add the annotations in the order edits would, so the
            // error is the one `edit::apply` gives for the first bad annotation.
            let (entities, others): (Vec<_>, Vec<_>) = annotations
                .into_iter()
                .flat_map(|(doc, group)| group.into_iter().map(move |a| (doc.clone(), a)))
                .partition(|(_, a)| a.kind().is_entity());
            for (doc, ann) in entities.into_iter().chain(others) {
                let at = project.check_new_annotation(&doc, &ann)?;
                project.insert_annotation(at, ann);
            }
        }
        project.add_rest(statuses, relations, rejected)
    }

    /// Adds statuses, relations and rejected suggestions with the checks and messages of
    /// the edits that add them one by one (the last step of building a whole project).
    fn add_rest(
        mut self,
        statuses: Vec<(DocId, DocStatus)>,
        relations: Vec<Relation>,
        rejected: Vec<RejectedSuggestion>,
    ) -> Result<Self, ProjectError> {
        let kept = Arc::make_mut(&mut self.statuses);
        for (doc, status) in statuses {
            if !self.doc_index.contains_key(&doc) {
                return Err(EditError::NoSuchDocument(doc).into());
            }
            if status == DocStatus::default() {
                kept.remove(&doc);
            } else {
                kept.insert(doc, status);
            }
        }
        for rel in relations {
            self.check_new_relation(&rel)?;
            self.relations.insert(rel.id, rel);
        }
        for suggestion in rejected {
            if self.document(&suggestion.doc).is_none() {
                return Err(EditError::NoSuchDocument(suggestion.doc).into());
            }
            self.rejected.insert(suggestion);
        }
        Ok(self)
    }

    /// Whether `annotations` can all be added to this project (no annotations yet) in one
    /// go: ids unique, documents exist, spans inside the text, holders are entities of the
    /// same document. Looks only; a sorted id table stands in for the project's maps.
    fn annotations_are_sound(&self, annotations: &[(DocId, Vec<Annotation>)]) -> bool {
        if !self.annotations.is_empty() || !self.relations.is_empty() {
            return false;
        }
        // (id, document position, is entity), sorted by id.
        let mut table: Vec<(AnnotationId, usize, bool)> =
            Vec::with_capacity(annotations.iter().map(|(_, group)| group.len()).sum());
        for (doc, group) in annotations {
            let Some(at) = self.document_index(doc) else {
                return false;
            };
            let Some(len) = self.documents.get(at).map(|d| d.text().char_len()) else {
                return false;
            };
            for ann in group {
                if ann.spans().iter().any(|s| s.end().0 > len) {
                    return false;
                }
                table.push((ann.id(), at, ann.kind().is_entity()));
            }
        }
        table.sort_unstable();
        if table.windows(2).any(|w| w[0].0 == w[1].0) {
            return false;
        }
        let at_of = |id: AnnotationId| {
            table
                .binary_search_by_key(&id, |e| e.0)
                .ok()
                .and_then(|i| table.get(i))
        };
        let all = annotations.iter().flat_map(|(_, group)| group);
        all.into_iter().all(|ann| match ann.kind() {
            AnnotationKind::Stance {
                holder: Some(holder),
                ..
            } => {
                let own = at_of(ann.id()).map(|e| e.1);
                at_of(holder.id())
                    .is_some_and(|&(h, at, entity)| entity && h != ann.id() && Some(at) == own)
            }
            _ => true,
        })
    }

    /// Checks that `ann` may be added to `doc` (`Edit::AddAnnotation`): its id is free,
    /// the document exists, its spans lie inside the text and its holder is an entity of
    /// the same document. Returns the document's position.
    pub(super) fn check_new_annotation(
        &self,
        doc: &DocId,
        ann: &Annotation,
    ) -> Result<usize, EditError> {
        if self.annotations.contains_key(&ann.id()) || self.relations.contains_key(&ann.id()) {
            return Err(EditError::IdInUse(ann.id()));
        }
        self.check_annotation(doc, ann)
    }

    /// Checks an annotation of `doc` against the project: document exists, spans inside
    /// its text, holder is an entity of the same document. Returns the document's position.
    pub(super) fn check_annotation(
        &self,
        doc_id: &DocId,
        ann: &Annotation,
    ) -> Result<usize, EditError> {
        let (at, doc) = self
            .document_index(doc_id)
            .and_then(|i| Some((i, self.documents.get(i)?)))
            .ok_or_else(|| EditError::NoSuchDocument(doc_id.clone()))?;
        let len = doc.text().char_len();
        if let Anchor::Spans(spans) = ann.anchor()
            && let Some(bad) = spans.iter().find(|s| s.end().0 > len)
        {
            return Err(EditError::SpanOutOfRange {
                id: ann.id(),
                doc: doc_id.clone(),
                end: bad.end().0,
                len,
            });
        }
        if let AnnotationKind::Stance {
            holder: Some(holder),
            ..
        } = ann.kind()
        {
            let ok = self.annotations.document_of(&holder.id()) == Some(at)
                && self
                    .annotation(holder.id())
                    .is_some_and(|h| h.kind().is_entity() && h.id() != ann.id());
            if !ok {
                return Err(EditError::BadLink {
                    from: ann.id(),
                    to: holder.id(),
                });
            }
        }
        Ok(at)
    }

    /// Checks that `rel` may be added (`Edit::AddRelation`): its id is free and both
    /// arguments are annotations of one document.
    pub(super) fn check_new_relation(&self, rel: &Relation) -> Result<(), EditError> {
        if self.annotations.contains_key(&rel.id) || self.relations.contains_key(&rel.id) {
            return Err(EditError::IdInUse(rel.id));
        }
        let from_doc = self.annotations.document_of(&rel.from);
        let to_doc = self.annotations.document_of(&rel.to);
        match (from_doc, to_doc) {
            (Some(a), Some(b)) if a == b => Ok(()),
            (Some(_), _) => Err(EditError::BadLink {
                from: rel.id,
                to: rel.to,
            }),
            (None, _) => Err(EditError::BadLink {
                from: rel.id,
                to: rel.from,
            }),
        }
    }

    /// Adds an annotation already checked by [`Project::check_new_annotation`] to the
    /// document at position `at`.
    pub(super) fn insert_annotation(&mut self, at: usize, ann: Annotation) {
        self.release(ann.id());
        self.annotations.insert(at, ann);
    }

    /// Adds `annotations` as applying an `Edit::AddAnnotation` for each in order would,
    /// when every one of them would apply (ids free, documents known, spans inside the
    /// text, holders entities of the same document added before): then the documents'
    /// lists and the index take them at once, and their ids come back in order. `Err` gives them back
    /// untouched (and the project unchanged) for the caller to add one by one, which finds
    /// the exact error.
    pub(super) fn add_annotations_at_once(
        &mut self,
        annotations: Vec<(DocId, Annotation)>,
    ) -> Result<Vec<AnnotationId>, Vec<(DocId, Annotation)>> {
        let Some((positions, by_id)) = self.positions_if_sound(&annotations) else {
            return Err(annotations);
        };
        let ids: Vec<AnnotationId> = annotations.iter().map(|(_, a)| a.id()).collect();
        if !self.reserved.is_empty() {
            for id in &ids {
                self.release(*id);
            }
        }
        // The ids with their documents' positions, still sorted by id.
        let by_id = by_id
            .into_iter()
            .map(|(id, place)| (id, positions.get(place as usize).copied().unwrap_or(0)))
            .collect();
        self.annotations
            .insert_new_sorted(annotations, positions, by_id);
        Ok(ids)
    }

    /// The positions of the documents of `annotations` when every one of them could be
    /// added in this order (see [`Project::add_annotations_at_once`]); `None` otherwise.
    /// With them, each annotation's id and place in `annotations`, sorted by id.
    fn positions_if_sound(
        &self,
        annotations: &[(DocId, Annotation)],
    ) -> Option<(Vec<u32>, IdsInPlace)> {
        // (id, place in the run), sorted by id: a shared id lies side by side, and a
        // holder's place in the run is found by a search.
        let mut order: Vec<(AnnotationId, u32)> = annotations
            .iter()
            .enumerate()
            .map(|(i, (_, a))| (a.id(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        order.sort_unstable();
        if order.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        let sorted_ids: Vec<AnnotationId> = order.iter().map(|e| e.0).collect();
        if self.annotations.contains_any(&sorted_ids)
            || sorted_ids.iter().any(|id| self.relations.contains_key(id))
        {
            return None;
        }
        drop(sorted_ids);
        let place_of = |id: AnnotationId| {
            let k = order.binary_search_by_key(&id, |e| e.0).ok()?;
            order.get(k).map(|e| e.1 as usize)
        };
        let mut positions = Vec::with_capacity(annotations.len());
        // The document of the last annotation: its id, position and length.
        let mut last: Option<(&DocId, usize, usize)> = None;
        for (i, (doc, ann)) in annotations.iter().enumerate() {
            let (at, len) = match last {
                Some((last_doc, at, len)) if last_doc == doc => (at, len),
                _ => {
                    let at = self.document_index(doc)?;
                    (at, self.documents.get(at)?.text().char_len())
                }
            };
            last = Some((doc, at, len));
            if ann.spans().iter().any(|s| s.end().0 > len) {
                return None;
            }
            if let AnnotationKind::Stance {
                holder: Some(holder),
                ..
            } = ann.kind()
            {
                let found = match place_of(holder.id()) {
                    Some(k) => {
                        k < i
                            && annotations
                                .get(k)
                                .is_some_and(|(d, h)| d == doc && h.kind().is_entity())
                    }
                    None => {
                        self.annotations.document_of(&holder.id()) == Some(at)
                            && self
                                .annotation(holder.id())
                                .is_some_and(|h| h.kind().is_entity())
                    }
                };
                if holder.id() == ann.id() || !found {
                    return None;
                }
            }
            positions.push(u32::try_from(at).ok()?);
        }
        Some((positions, order))
    }

    /// Removes an annotation (links to it are the caller's business); gives it back with
    /// the id of the document it was in.
    pub(super) fn remove_annotation(&mut self, id: AnnotationId) -> Option<(DocId, Annotation)> {
        let doc = self.document_of(id)?.id().clone();
        Some((doc, self.annotations.remove(&id)?))
    }

    /// Replaces the annotation with the same id (in its document); returns the old one.
    pub(super) fn replace_annotation(&mut self, ann: Annotation) -> Option<Annotation> {
        self.annotations.replace(ann)
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Documents in corpus order: the order of their source (folder listing in natural
    /// order, files in the order given, records in file order), kept by saving.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// A document by id.
    pub fn document(&self, id: &DocId) -> Option<&Document> {
        self.doc_index.get(id).and_then(|&i| self.documents.get(i))
    }

    /// Position of a document in [`Project::documents`].
    pub fn document_index(&self, id: &DocId) -> Option<usize> {
        self.doc_index.get(id).copied()
    }

    /// All annotations by id.
    pub fn annotations(&self) -> &AnnotationMap {
        &self.annotations
    }

    /// One annotation.
    pub fn annotation(&self, id: AnnotationId) -> Option<&Annotation> {
        self.annotations.get(&id)
    }

    /// The document of the annotation with this id (through the id index: no search).
    pub fn document_of(&self, id: AnnotationId) -> Option<&Document> {
        self.documents.get(self.annotations.document_of(&id)?)
    }

    /// One annotation with its document.
    pub fn annotation_in_document(&self, id: AnnotationId) -> Option<(&Document, &Annotation)> {
        Some((self.document_of(id)?, self.annotation(id)?))
    }

    /// Every annotation with its document, by ascending annotation id (the order of
    /// [`AnnotationMap::values`]).
    pub fn annotations_with_documents(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&Document, &Annotation)> {
        self.annotations
            .values_with_positions()
            .filter_map(|(at, ann)| Some((self.documents.get(at)?, ann)))
    }

    /// Every document in corpus order with its annotations in reading order: the way
    /// through all annotations that reads memory front to back, for passes over millions.
    pub fn documents_with_annotations(
        &self,
    ) -> impl ExactSizeIterator<Item = (&Document, &[Annotation])> {
        self.documents
            .iter()
            .enumerate()
            .map(|(at, doc)| (doc, self.annotations.of_document(at)))
    }

    /// A document's annotations in reading order.
    pub fn annotations_of(&self, doc: &DocId) -> Vec<&Annotation> {
        self.annotations_in(doc).iter().collect()
    }

    /// A document's annotations in reading order, as the project keeps them (no copy, no
    /// lookup per annotation).
    pub fn annotations_in(&self, doc: &DocId) -> &[Annotation] {
        self.document_index(doc)
            .map_or(&[], |at| self.annotations.of_document(at))
    }

    /// Every document's annotations in reading order, by the document's position in
    /// [`Project::documents`]: what [`Project::annotations_in`] gives for each.
    pub fn annotations_by_document(&self) -> Vec<&[Annotation]> {
        (0..self.documents.len())
            .map(|at| self.annotations.of_document(at))
            .collect()
    }

    /// The ids of a document's annotations in reading order: no sorting and no lookups,
    /// so a window can list thousands every frame (`skip` and `len` are O(1)).
    pub fn annotation_ids_of(
        &self,
        doc: &DocId,
    ) -> impl ExactSizeIterator<Item = AnnotationId> + DoubleEndedIterator + Clone + '_ {
        self.annotations_in(doc).iter().map(Annotation::id)
    }

    /// How many annotations a document has.
    pub fn annotation_count(&self, doc: &DocId) -> usize {
        self.annotations_in(doc).len()
    }

    /// Relations by id.
    pub fn relations(&self) -> &BTreeMap<AnnotationId, Relation> {
        &self.relations
    }

    /// A document's status.
    pub fn status(&self, doc: &DocId) -> DocStatus {
        self.statuses.get(doc).copied().unwrap_or_default()
    }

    /// Sets the statuses `changes` gives, in order (documents the caller checked), and
    /// returns the changes that undo them. Many at once (tag-all) are merged with the
    /// statuses in one pass instead of one tree insertion each.
    pub(super) fn set_statuses(
        &mut self,
        mut changes: Vec<(DocId, DocStatus)>,
    ) -> Vec<(DocId, DocStatus)> {
        let statuses = Arc::make_mut(&mut self.statuses);
        if changes.len() < STATUSES_MERGED_FROM || changes.len() < statuses.len() / 16 {
            let mut undo: Vec<(DocId, DocStatus)> = changes
                .into_iter()
                .map(|(doc, status)| {
                    let old = if status == DocStatus::default() {
                        statuses.remove(&doc)
                    } else {
                        statuses.insert(doc.clone(), status)
                    };
                    (doc, old.unwrap_or_default())
                })
                .collect();
            undo.reverse();
            return undo;
        }
        // Sorted by document, the last change of a document last (a stable sort); only
        // that one counts. Tag-all's changes come sorted, one a document.
        if !changes.windows(2).all(|w| w[0].0 < w[1].0) {
            changes.sort_by(|a, b| a.0.cmp(&b.0));
            changes.reverse();
            changes.dedup_by(|later, earlier| later.0 == earlier.0);
            changes.reverse();
        }
        let mut undo = Vec::with_capacity(changes.len());
        let old = std::mem::take(statuses);
        let mut changes = changes.into_iter().peekable();
        let mut merged = Vec::with_capacity(old.len() + changes.len());
        for (doc, status) in old {
            while let Some((new, set)) = changes.next_if(|(new, _)| *new < doc) {
                undo.push((new.clone(), DocStatus::default()));
                merged.push((new, set));
            }
            match changes.next_if(|(new, _)| *new == doc) {
                Some((new, set)) => {
                    undo.push((new, status));
                    merged.push((doc, set));
                }
                None => merged.push((doc, status)),
            }
        }
        for (new, set) in changes {
            undo.push((new.clone(), DocStatus::default()));
            merged.push((new, set));
        }
        *statuses = merged
            .into_iter()
            .filter(|(_, status)| *status != DocStatus::default())
            .collect();
        undo
    }

    /// The documents whose status is not the default, with their status, by id.
    pub fn statuses(&self) -> impl Iterator<Item = (&DocId, DocStatus)> {
        self.statuses.iter().map(|(doc, status)| (doc, *status))
    }

    /// Suggestions the user rejected.
    pub fn rejected_suggestions(&self) -> &BTreeSet<RejectedSuggestion> {
        &self.rejected
    }

    /// The id for a new annotation saying `kind` on `anchor` of `doc`: derived from that
    /// content ([`AnnotationId::derive`]), never in use and never handed out before by this
    /// project, so copies of a project annotated apart do not collide.
    pub fn allocate_id_for(
        &mut self,
        doc: &DocId,
        anchor: &Anchor,
        kind: &AnnotationKind,
    ) -> AnnotationId {
        let id = AnnotationId::derive(doc, anchor, kind, |id| self.id_taken(id));
        self.reserved.insert(id);
        id
    }

    /// [`Project::allocate_id_for`] given the first id of the sequence it tries,
    /// `AnnotationId::derive(doc, anchor, kind, |_| false)`, which needs no project and so
    /// can be made on another core beforehand: the same id, without hashing again when
    /// that first one is free.
    pub fn allocate_id_from_first(
        &mut self,
        first: AnnotationId,
        doc: &DocId,
        anchor: &Anchor,
        kind: &AnnotationKind,
    ) -> AnnotationId {
        if self.id_taken(first) {
            return self.allocate_id_for(doc, anchor, kind);
        }
        self.reserved.insert(first);
        first
    }

    /// [`Project::allocate_id_from_first`] when whether an annotation has `first` is
    /// known already (`annotated`, from [`AnnotationMap::contains_each`] over many firsts
    /// at once, asked of this project as it is now): the same id, without a search of
    /// the annotations' index per id.
    pub fn allocate_id_from_first_known(
        &mut self,
        first: AnnotationId,
        annotated: bool,
        doc: &DocId,
        anchor: &Anchor,
        kind: &AnnotationKind,
    ) -> AnnotationId {
        if annotated || self.relations.contains_key(&first) || self.reserved.contains(&first) {
            return self.allocate_id_for(doc, anchor, kind);
        }
        self.reserved.insert(first);
        first
    }

    /// `ann` (built with [`AnnotationId::NEW`]) under its id: [`Project::allocate_id_for`]
    /// its content in `doc`.
    pub fn with_new_id(&mut self, doc: &DocId, ann: Annotation) -> Annotation {
        let id = self.allocate_id_for(doc, ann.anchor(), ann.kind());
        ann.renumbered(id)
    }

    /// The id for a new relation, derived like [`Project::allocate_id_for`].
    pub fn allocate_relation_id(
        &mut self,
        label: &str,
        from: AnnotationId,
        to: AnnotationId,
    ) -> AnnotationId {
        let id = AnnotationId::derive_relation(label, from, to, |id| self.id_taken(id));
        self.reserved.insert(id);
        id
    }

    /// Forgets that `id` was handed out (it is in use now, or the import that took it
    /// starts over). The table is freed once empty: a big import reserves 300k ids at once.
    pub fn release(&mut self, id: AnnotationId) {
        if self.reserved.remove(&id) && self.reserved.is_empty() {
            self.reserved.shrink_to_fit();
        }
    }

    /// Whether an annotation or relation has `id`, or it was handed out already.
    fn id_taken(&self, id: AnnotationId) -> bool {
        self.annotations.contains_key(&id)
            || self.relations.contains_key(&id)
            || self.reserved.contains(&id)
    }

    /// The assignment `spantag split` gave this copy, if it is one.
    pub fn assignment(&self) -> Option<&Assignment> {
        self.assignment.as_deref()
    }

    /// Conflicts a merge recorded that nobody has settled yet, sorted.
    pub fn conflicts(&self) -> &BTreeSet<Conflict> {
        &self.conflicts
    }

    /// The recorded conflicts that name annotation `id`.
    pub fn conflicts_of(&self, id: AnnotationId) -> Vec<&Conflict> {
        self.conflicts
            .iter()
            .filter(|c| c.annotations().any(|a| a == id))
            .collect()
    }

    /// The stances whose holder is `id`.
    pub fn stances_held_by(&self, id: AnnotationId) -> Vec<&Annotation> {
        let Some(at) = self.annotations.document_of(&id) else {
            return Vec::new();
        };
        self.annotations
            .of_document(at)
            .iter()
            .filter(
                |a| matches!(a.kind(), AnnotationKind::Stance { holder: Some(h), .. } if h.id() == id),
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

    /// The relations between annotations of `doc`, in reading order: by where the first
    /// end starts (longer first), then the second end, then type. Ids are derived from
    /// content, so their order says nothing; this order is the text's, the same in every
    /// copy, and what exports and the relation list show.
    pub fn relations_in(&self, doc: &DocId) -> Vec<&Relation> {
        type Key<'p> = (
            Option<(usize, std::cmp::Reverse<usize>, AnnotationId)>,
            Option<(usize, std::cmp::Reverse<usize>, AnnotationId)>,
            &'p str,
            AnnotationId,
        );
        let position = |id: AnnotationId| self.annotations.get(&id).map(|a| a.reading_order());
        let Some(at) = self.document_index(doc) else {
            return Vec::new();
        };
        let mut found: Vec<(Key, &Relation)> = self
            .relations
            .values()
            .filter(|r| self.annotations.document_of(&r.from) == Some(at))
            .map(|r| {
                (
                    (position(r.from), position(r.to), r.label.as_str(), r.id),
                    r,
                )
            })
            .collect();
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        found.into_iter().map(|(_, r)| r).collect()
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

    /// Adds documents after the others, in the order given.
    /// A number that changes whenever documents are added or removed (never otherwise).
    pub fn documents_revision(&self) -> u64 {
        self.documents_revision
    }

    pub(super) fn insert_documents(&mut self, docs: Vec<Document>) {
        self.annotations.push_documents(docs.len());
        Arc::make_mut(&mut self.documents).extend(docs);
        self.reindex_documents();
    }

    pub(super) fn remove_documents(&mut self, ids: &BTreeSet<DocId>) -> Vec<Document> {
        let gone: Vec<bool> = self
            .documents
            .iter()
            .map(|d| ids.contains(d.id()))
            .collect();
        self.annotations
            .remove_documents(|at| gone.get(at).copied().unwrap_or(false));
        let (removed, kept): (Vec<_>, Vec<_>) = std::mem::take(Arc::make_mut(&mut self.documents))
            .into_iter()
            .partition(|d| ids.contains(d.id()));
        self.documents = Arc::new(kept);
        self.reindex_documents();
        removed
    }

    fn reindex_documents(&mut self) {
        self.documents_revision += 1;
        self.doc_index = Arc::new(
            self.documents
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id().clone(), i))
                .collect(),
        );
    }
}

/// Ids with a place (in a run of annotations, or their document's position), sorted by id.
type IdsInPlace = Vec<(AnnotationId, u32)>;

/// From this many status changes at once (and one for every 16 statuses set),
/// [`Project::set_statuses`] merges them with the statuses in one pass.
const STATUSES_MERGED_FROM: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Edit, Span, apply, schema::builtin_schema};

    fn docs() -> Vec<Document> {
        vec![
            Document::from_raw(DocId("a".into()), "Zuckerberg zegt sorry."),
            Document::from_raw(DocId("b".into()), "Facebook stopt."),
        ]
    }

    /// An annotation with the id of its document.
    type Placed = (DocId, Annotation);

    fn entity(id: u64, doc: &str, start: usize, end: usize) -> Placed {
        let span = Span::within(start, end, end).expect("span");
        (
            doc.into(),
            Annotation::entity(AnnotationId(id), span, "PER"),
        )
    }

    fn stance(id: u64, doc: &str, holder: u64) -> Placed {
        let stance = Annotation::new(
            AnnotationId(id),
            Anchor::Document,
            AnnotationKind::Stance {
                target: "Facebook".into(),
                polarity: "AGAINST".into(),
                holder: crate::model::HolderId::new(AnnotationId(holder)),
            },
        )
        .expect("stance");
        (doc.into(), stance)
    }

    /// The edit that adds `placed`.
    fn add((doc, ann): Placed) -> Edit {
        Edit::AddAnnotation(doc, ann)
    }

    /// What applying the parts one edit at a time gives, the way loading used to.
    fn one_by_one(annotations: &[Placed], relations: &[Relation]) -> Result<Project, String> {
        let mut p = Project::new(builtin_schema(), docs()).map_err(|e| e.to_string())?;
        let mut sorted = annotations.to_vec();
        sorted.sort_by_key(|(_, a)| !a.kind().is_entity());
        let edits = sorted
            .into_iter()
            .map(add)
            .chain(relations.iter().cloned().map(Edit::AddRelation));
        for edit in edits {
            apply(&mut p, edit).map_err(|e| e.to_string())?;
        }
        Ok(p)
    }

    fn in_one_pass(annotations: &[Placed], relations: &[Relation]) -> Result<Project, String> {
        Project::from_parts(ProjectParts {
            schema: builtin_schema(),
            documents: docs(),
            // A group per run of one document's annotations: a document may have many.
            annotations: annotations
                .chunk_by(|x, y| x.0 == y.0)
                .map(|run| {
                    (
                        run[0].0.clone(),
                        run.iter().map(|(_, a)| a.clone()).collect(),
                    )
                })
                .collect(),
            statuses: Vec::new(),
            relations: relations.to_vec(),
            rejected: Vec::new(),
        })
        .map_err(|e| e.to_string())
    }

    /// Through [`ProjectBuilder`], each document with its own annotations; `None` when an
    /// annotation names an unknown document (a loader gives each document its own, so it
    /// cannot meet one).
    fn document_by_document(
        annotations: &[Placed],
        relations: &[Relation],
    ) -> Option<Result<Project, String>> {
        let documents = docs();
        if annotations
            .iter()
            .any(|(d, _)| !documents.iter().any(|x| x.id() == d))
        {
            return None;
        }
        let mut builder = ProjectBuilder::new();
        for doc in documents {
            let mine = annotations
                .iter()
                .filter(|(d, _)| d == doc.id())
                .map(|(_, a)| a.clone())
                .collect();
            builder.add_document(doc, DocStatus::default(), mine);
        }
        builder
            .finish(builtin_schema(), relations.to_vec(), Vec::new())
            .map(|r| r.map_err(|e| e.to_string()))
    }

    #[test]
    fn documents_keep_the_order_given_and_added_ones_go_last() {
        let doc = |id: &str| Document::from_raw(DocId(id.into()), "Tekst.");
        let ids = |p: &Project| -> Vec<String> {
            p.documents()
                .iter()
                .map(|d| d.id().as_str().to_owned())
                .collect()
        };
        let mut p = Project::new(
            builtin_schema(),
            vec![doc("ned-2"), doc("ned-10"), doc("ned-1")],
        )
        .expect("project");
        assert_eq!(ids(&p), ["ned-2", "ned-10", "ned-1"]);
        assert_eq!(p.document_index(&DocId("ned-1".into())), Some(2));
        let undo = apply(&mut p, Edit::AddDocuments(vec![doc("b"), doc("a")])).expect("add");
        assert_eq!(ids(&p), ["ned-2", "ned-10", "ned-1", "b", "a"]);
        apply(&mut p, undo).expect("undo");
        assert_eq!(ids(&p), ["ned-2", "ned-10", "ned-1"]);

        let mut builder = ProjectBuilder::new();
        for id in ["z", "a", "m"] {
            builder.add_document(doc(id), DocStatus::default(), Vec::new());
        }
        let built = builder
            .finish(builtin_schema(), Vec::new(), Vec::new())
            .expect("sound")
            .expect("valid");
        assert_eq!(ids(&built), ["z", "a", "m"]);
        let mut twice = ProjectBuilder::new();
        for id in ["a", "b", "a"] {
            twice.add_document(doc(id), DocStatus::default(), Vec::new());
        }
        assert!(
            twice
                .finish(builtin_schema(), Vec::new(), Vec::new())
                .is_none(),
            "an id used twice is left to the plain loader's message"
        );
    }

    #[test]
    fn from_parts_builds_what_edits_build_and_fails_with_the_same_message() {
        let relation = |id: u64, from: u64, to: u64| Relation {
            id: AnnotationId(id),
            label: "Origin".into(),
            from: AnnotationId(from),
            to: AnnotationId(to),
        };
        let cases: Vec<(Vec<Placed>, Vec<Relation>)> = vec![
            // Sound: a stance before its holder, nested entities, a relation.
            (
                vec![
                    stance(3, "a", 2),
                    entity(2, "a", 0, 10),
                    entity(1, "a", 0, 22),
                ],
                vec![relation(4, 1, 2)],
            ),
            (vec![entity(1, "a", 0, 10), entity(1, "a", 11, 15)], vec![]),
            (vec![entity(1, "zz", 0, 10)], vec![]),
            (vec![entity(1, "b", 0, 99)], vec![]),
            (vec![entity(1, "b", 0, 8), stance(2, "a", 1)], vec![]),
            (vec![entity(1, "a", 0, 8), stance(2, "a", 2)], vec![]),
            (vec![stance(1, "a", 7)], vec![]),
            (vec![entity(1, "a", 0, 8), stance(1, "a", 1)], vec![]),
            (vec![entity(1, "a", 0, 8)], vec![relation(1, 1, 1)]),
            (
                vec![entity(1, "a", 0, 8), entity(2, "b", 0, 8)],
                vec![relation(3, 1, 2)],
            ),
        ];
        for (annotations, relations) in cases {
            let want = one_by_one(&annotations, &relations);
            let got = in_one_pass(&annotations, &relations);
            assert_eq!(got, want, "{annotations:?}");
            match document_by_document(&annotations, &relations) {
                Some(built) => assert_eq!(built, want, "builder: {annotations:?}"),
                None => assert!(want.is_err(), "the builder gave up on sound input"),
            }
            if let Ok(p) = got {
                let order: Vec<u64> = p
                    .annotation_ids_of(&DocId("a".into()))
                    .map(|i| i.0)
                    .collect();
                assert_eq!(
                    order,
                    [1, 2, 3],
                    "reading order: longest first at one start"
                );
            }
        }
    }

    #[test]
    fn the_reading_order_index_follows_edits() {
        let mut p = Project::new(builtin_schema(), docs()).expect("project");
        for ann in [
            entity(1, "a", 11, 15),
            entity(2, "a", 0, 10),
            entity(3, "a", 0, 22),
        ] {
            apply(&mut p, add(ann)).expect("add");
        }
        let ids = |p: &Project| -> Vec<u64> {
            p.annotation_ids_of(&DocId("a".into()))
                .map(|i| i.0)
                .collect()
        };
        assert_eq!(ids(&p), [3, 2, 1]);
        let (_, moved) = entity(1, "a", 0, 5);
        let undo = apply(&mut p, Edit::ReplaceAnnotation(moved)).expect("move");
        assert_eq!(ids(&p), [3, 2, 1]);
        apply(&mut p, undo).expect("undo");
        apply(&mut p, Edit::RemoveAnnotation(AnnotationId(2))).expect("remove");
        assert_eq!(ids(&p), [3, 1]);
        assert_eq!(p.annotation_count(&DocId("a".into())), 2);
        let listed: Vec<u64> = p
            .annotations_of(&DocId("a".into()))
            .iter()
            .map(|a| a.id().0)
            .collect();
        assert_eq!(listed, [3, 1]);
        apply(&mut p, add(entity(4, "b", 0, 4))).expect("add");
        apply(&mut p, add(entity(5, "a", 5, 9))).expect("add");
        let all_at_once = p.annotations_by_document();
        assert_eq!(all_at_once.len(), p.documents().len());
        for (doc, listed) in p.documents().iter().zip(&all_at_once) {
            assert_eq!(*listed, p.annotations_in(doc.id()), "{}", doc.id());
        }
    }
    #[test]
    fn an_annotation_finds_its_document_through_the_index() {
        let mut p = Project::new(builtin_schema(), docs()).expect("project");
        let placed = [
            entity(7, "b", 0, 8),
            entity(3, "a", 0, 10),
            entity(5, "a", 11, 15),
        ];
        for ann in placed.clone() {
            apply(&mut p, add(ann)).expect("add");
        }
        for (doc, ann) in &placed {
            assert_eq!(p.document_of(ann.id()).map(Document::id), Some(doc));
            let (found_doc, found) = p.annotation_in_document(ann.id()).expect("found");
            assert_eq!((found_doc.id(), found), (doc, ann));
        }
        assert!(p.document_of(AnnotationId(4)).is_none());
        // By ascending id, each with its document.
        let by_id: Vec<(&str, u64)> = p
            .annotations_with_documents()
            .map(|(d, a)| (d.id().0.as_str(), a.id().0))
            .collect();
        assert_eq!(by_id, [("a", 3), ("a", 5), ("b", 7)]);
        // Document by document, each list in reading order.
        let by_document: Vec<(&str, Vec<u64>)> = p
            .documents_with_annotations()
            .map(|(d, list)| (d.id().0.as_str(), list.iter().map(|a| a.id().0).collect()))
            .collect();
        assert_eq!(by_document, [("a", vec![3, 5]), ("b", vec![7])]);
        // Removed, it gives its document back with it (what undo adds again).
        let undo = apply(&mut p, Edit::RemoveAnnotation(AnnotationId(7))).expect("remove");
        assert_eq!(undo, add(placed[0].clone()));
        assert!(p.document_of(AnnotationId(7)).is_none());
    }

    #[test]
    fn a_copy_shares_what_it_does_not_change_and_never_sees_later_edits() {
        let mut p = Project::new(builtin_schema(), docs()).expect("project");
        apply(&mut p, add(entity(1, "a", 0, 10))).expect("add");
        apply(&mut p, add(entity(2, "b", 0, 8))).expect("add");
        let copy = p.clone();
        let snapshot = p.snapshot();
        apply(&mut p, add(entity(3, "a", 11, 15))).expect("add");
        apply(&mut p, Edit::RemoveAnnotation(AnnotationId(2))).expect("remove");
        let status = Edit::SetStatus {
            doc: DocId("b".into()),
            status: DocStatus::Done,
        };
        apply(&mut p, status).expect("status");
        let ids = |list: &[Annotation]| list.iter().map(|a| a.id().0).collect::<Vec<_>>();
        assert_eq!(ids(copy.annotations_in(&DocId("a".into()))), [1]);
        assert_eq!(ids(copy.annotations_in(&DocId("b".into()))), [2]);
        assert_eq!(copy.status(&DocId("b".into())), DocStatus::NotStarted);
        assert_eq!(ids(snapshot.annotations_at(0)), [1]);
        assert_eq!(ids(snapshot.annotations_at(1)), [2]);
        assert_eq!(snapshot.status(&DocId("b".into())), DocStatus::NotStarted);
        assert_eq!(ids(p.annotations_in(&DocId("a".into()))), [1, 3]);
        assert!(p.annotations_in(&DocId("b".into())).is_empty());
        assert_eq!(copy.annotation(AnnotationId(2)).map(|a| a.id().0), Some(2));
        assert!(p.annotation(AnnotationId(2)).is_none());
        // The document text is one copy for all three.
        assert!(std::ptr::eq(
            copy.documents()[0].text().as_str(),
            p.documents()[0].text().as_str()
        ));
        assert!(std::ptr::eq(
            snapshot.documents()[1].text().as_str(),
            p.documents()[1].text().as_str()
        ));
    }

    #[test]
    fn ids_derive_from_content_so_copies_made_apart_agree_and_never_collide() {
        let a = DocId("a".into());
        let span = |s, e| Anchor::span(Span::within(s, e, 22).expect("span"));
        let per = AnnotationKind::Entity {
            label: "PER".into(),
            canonical: None,
        };
        let org = AnnotationKind::Entity {
            label: "ORG".into(),
            canonical: None,
        };
        let mut ours = Project::new(builtin_schema(), docs()).expect("project");
        let mut theirs = ours.clone();
        // The same annotation made in two copies gets the same id.
        let same = ours.allocate_id_for(&a, &span(0, 10), &per);
        assert_eq!(same, theirs.allocate_id_for(&a, &span(0, 10), &per));
        // Different annotations get different ids, in the derived range.
        let cases = [
            (span(0, 10), &org),
            (span(0, 9), &per),
            (Anchor::Document, &per),
        ];
        let mut ids = vec![same];
        for (anchor, kind) in &cases {
            ids.push(theirs.allocate_id_for(&a, anchor, kind));
        }
        let distinct: BTreeSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{ids:?}");
        assert!(
            ids.iter()
                .all(|id| (AnnotationId::DERIVED_START..AnnotationId::DERIVED_END).contains(&id.0))
        );
        // Handed out once, never again, even before the annotation is added: the same
        // content twice (a duplicate) gets the next id of its sequence.
        let again = ours.allocate_id_for(&a, &span(0, 10), &per);
        assert_ne!(again, same);
        let ann = Annotation::new(same, span(0, 10), per.clone()).expect("ann");
        apply(&mut ours, Edit::AddAnnotation(a.clone(), ann)).expect("add");
        assert_ne!(ours.allocate_id_for(&a, &span(0, 10), &per), same);
    }
}
