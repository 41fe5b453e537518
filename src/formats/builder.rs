//! What every importer shares: matching documents against the project by id and content
//! hash, fresh ids, growing the schema for new labels, skipping exact duplicates, and
//! collecting it all into one undoable [`Edit`] plus an [`ImportReport`] — or, for a
//! project nothing else holds (the command line), applying what it collected a part at a
//! time ([`Builder::applying`], [`Builder::checkpoint`]), so a big import never holds
//! its whole edit beside the project it becomes.

use super::error::Location;
use super::report::{ImportReport, Skipped};
use crate::model::document::ContentHash;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, Attributes, DocId, DocText, Document, Edit,
    Interner, Name, Note, Polarity, Project, Relation, RelationType, Rgb, Schema, Span,
};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use unicode_segmentation::GraphemeCursor;

/// Whether the code-point offset `c` of `text` lies between two user-perceived characters
/// (grapheme clusters), so a span starting or ending there does not split a base letter
/// from its accent. Offsets past the end count as boundaries (spans check the range).
fn on_grapheme_boundary(text: &DocText, c: usize) -> bool {
    let s = text.as_str();
    let byte = text.byte_of(crate::model::CharOffset(c)).0;
    // The whole text is one chunk, so the cursor never asks for more context.
    GraphemeCursor::new(byte, s.len(), true)
        .is_boundary(s, 0)
        .unwrap_or(true)
}

/// A span of `text`, or why not (for a skip reason): what [`Builder::span`] gives for a
/// document with this text, for importers that check spans before the builder sees them.
pub fn span_in(text: &DocText, start: usize, end: usize) -> Result<Span, String> {
    let span = Span::new(start, end, text).map_err(|e| e.to_string())?;
    for offset in [start, end] {
        if !on_grapheme_boundary(text, offset) {
            return Err(format!(
                "span {start}..{end} splits a character at {offset} (a base letter from \
                 its accent, or an emoji sequence)"
            ));
        }
    }
    Ok(span)
}

/// An entity read on another core, before the builder sees it: checked, and with the
/// first id its document's id and content give (see [`Project::allocate_id_from_first`]),
/// so the builder need not hash it again.
pub struct PreparedEntity {
    doc: DocId,
    span: Span,
    label: Name,
    first_id: AnnotationId,
}

impl PreparedEntity {
    /// The first id its document's id and content give.
    pub fn first_id(&self) -> AnnotationId {
        self.first_id
    }

    /// An entity `label` on `span` of document `doc`. The label is kept as given (made by
    /// an [`Interner`], it is shared with the other entities that name it).
    pub fn new(doc: &DocId, span: Span, label: Name) -> Self {
        let kind = AnnotationKind::Entity {
            label: label.clone(),
            canonical: None,
        };
        let first_id = AnnotationId::derive(doc, &Anchor::span(span), &kind, |_| false);
        Self {
            doc: doc.clone(),
            span,
            label,
            first_id,
        }
    }
}

/// The parts of an annotation that make two annotations the same, apart from the id.
type Key = (Anchor, AnnotationKind, Option<Note>, Attributes);

/// Label under which stances are counted in reports and written in spans/CSV exports.
pub const STANCE_LABEL: &str = "STANCE";

/// Collects an import into one edit without touching the project's content (only its id
/// counter moves, so ids stay unique).
pub struct Builder<'p> {
    project: &'p mut Project,
    schema: Schema,
    new_docs: Vec<Document>,
    new_doc_index: FxHashMap<DocId, usize>,
    /// Entities and stances of the import, each with its document.
    entities: Vec<(DocId, Annotation)>,
    stances: Vec<(DocId, Annotation)>,
    relations: Vec<Relation>,
    /// (type, from, to) of every relation of the project and of the import, made at the
    /// first relation, so duplicates are found without scanning all relations each time.
    relations_seen: Option<HashSet<(String, AnnotationId, AnnotationId)>>,
    /// Document and whether it is an entity, for every annotation of the import: made
    /// from the annotations at the first stance holder or relation that needs it, then
    /// kept up (an import of entities alone never needs it).
    known: Option<FxHashMap<AnnotationId, (DocId, bool)>>,
    /// Annotations per document (the project's and the import's), for duplicate detection.
    seen: FxHashMap<DocId, FxHashMap<Key, AnnotationId>>,
    /// Labels, canonical names, targets and polarities, shared by every annotation that
    /// names them (an import of millions of tags has a few dozen labels).
    names: Interner,
    report: ImportReport,
    /// The project as it was before the import, when the builder applies what it
    /// collects at each [`Builder::checkpoint`] (a copy shares everything with the
    /// project, so it costs a few pointers); `None` when it collects one edit.
    before: Option<Project>,
    /// Whether an annotation of the project has each first id looked up for the entities
    /// about to be added ([`Builder::look_up_first_ids`]); emptied when the project's
    /// annotations change.
    first_ids_annotated: FxHashMap<AnnotationId, bool>,
}

impl<'p> Builder<'p> {
    /// A builder adding to `project`, reading `source` in format `format`.
    pub fn new(project: &'p mut Project, format: &str, source: &Path) -> Self {
        let schema = project.schema().clone();
        Self {
            project,
            schema,
            new_docs: Vec::new(),
            new_doc_index: FxHashMap::default(),
            entities: Vec::new(),
            stances: Vec::new(),
            relations: Vec::new(),
            relations_seen: None,
            known: None,
            seen: FxHashMap::default(),
            names: Interner::default(),
            report: ImportReport {
                format: format.to_owned(),
                source: source.to_path_buf(),
                ..ImportReport::default()
            },
            before: None,
            first_ids_annotated: FxHashMap::default(),
        }
    }

    /// Looks up at once, in one pass along the project's index when they are many,
    /// whether an annotation of the project has each of `firsts` (the first ids of
    /// entities about to be added, [`PreparedEntity::first_id`]): adding them then
    /// asks this answer instead of searching the index for each — the same ids.
    pub fn look_up_first_ids(&mut self, firsts: Vec<AnnotationId>) {
        let annotated = self.project.annotations().contains_each(&firsts);
        self.first_ids_annotated = firsts.into_iter().zip(annotated).collect();
    }

    /// A builder that applies what it collected to `project` at each
    /// [`Builder::checkpoint`] and at [`Builder::finish_applied`], through
    /// [`crate::model::apply`], instead of returning one edit: the project ends up exactly
    /// as applying [`Builder::finish`]'s edit would leave it, without the whole import
    /// held twice (as the edit and in the project) on the way.
    pub fn applying(project: &'p mut Project, format: &str, source: &Path) -> Self {
        let before = Some(project.clone());
        Self {
            before,
            ..Self::new(project, format, source)
        }
    }

    /// The project being added to (read only).
    pub fn project(&self) -> &Project {
        self.project
    }

    /// Adds a document, or finds the one it already is. Returns the id to attach its
    /// annotations to: the same id when the project (or this import) has that id with the
    /// same text, else a fresh `<id>-2`, `<id>-3` … when the id is taken by another text.
    pub fn add_document(&mut self, doc: Document) -> DocId {
        let wanted = doc.id().clone();
        let mut candidate = wanted.clone();
        let mut n = 1;
        loop {
            match self.hash_of(&candidate) {
                None => break,
                Some(hash) if hash == doc.hash() => {
                    self.report.documents_matched += 1;
                    return candidate;
                }
                Some(_) => {
                    n += 1;
                    candidate = DocId::from(format!("{}-{n}", wanted.0));
                }
            }
        }
        let doc = if candidate == wanted {
            doc
        } else {
            self.report
                .renamed
                .push((wanted.0.to_string(), candidate.0.to_string()));
            Document::new(
                candidate.clone(),
                doc.title().to_owned(),
                doc.meta().clone(),
                doc.text().as_str().to_owned(),
            )
        };
        self.report.documents_added += 1;
        self.new_doc_index
            .insert(candidate.clone(), self.new_docs.len());
        self.new_docs.push(doc);
        candidate
    }

    fn hash_of(&self, id: &DocId) -> Option<ContentHash> {
        if let Some(doc) = self.project.document(id) {
            return Some(doc.hash());
        }
        let i = *self.new_doc_index.get(id)?;
        self.new_docs.get(i).map(Document::hash)
    }

    /// The text of a document of the project or of this import.
    pub fn text_of(&self, id: &DocId) -> Option<&DocText> {
        if let Some(doc) = self.project.document(id) {
            return Some(doc.text());
        }
        let i = *self.new_doc_index.get(id)?;
        self.new_docs.get(i).map(Document::text)
    }

    /// A span of a known document, or why not (for a skip reason).
    pub fn span(&self, doc: &DocId, start: usize, end: usize) -> Result<Span, String> {
        let text = self
            .text_of(doc)
            .ok_or_else(|| format!("no document '{doc}'"))?;
        span_in(text, start, end)
    }

    /// Adds an annotation with a fresh id and returns the id; an exact duplicate of one the
    /// document has already returns that one's id instead. Invalid annotations (empty label,
    /// entity without span, holder that is not an entity of the document) are skipped or
    /// repaired and reported at `at`.
    pub fn add_annotation(
        &mut self,
        at: &Location,
        doc: &DocId,
        anchor: Anchor,
        kind: AnnotationKind,
        note: Option<String>,
        attributes: BTreeMap<String, String>,
    ) -> Option<AnnotationId> {
        let kind = self.check_holder(at, doc, kind);
        let kind = self.shared(kind);
        let mut ann = match Annotation::new(AnnotationId(0), anchor, kind) {
            Ok(a) => a,
            Err(e) => {
                self.skip(at, "invalid annotation", Some(e.to_string()));
                return None;
            }
        };
        ann.set_note(note.filter(|n| !n.is_empty()).map(Into::into));
        ann.set_attributes(attributes.into());
        self.add_checked(at, doc, ann, None)
    }

    /// [`Builder::add_annotation`] for an entity made on another core
    /// ([`PreparedEntity`]): the same result, with the id's hashing done beforehand when
    /// the entity's document kept the id it was prepared for.
    pub fn add_prepared_entity(
        &mut self,
        at: &Location,
        doc: &DocId,
        entity: PreparedEntity,
    ) -> Option<AnnotationId> {
        let PreparedEntity {
            doc: prepared_for,
            span,
            label,
            first_id,
        } = entity;
        let first_id = (prepared_for == *doc).then_some(first_id);
        let kind = AnnotationKind::Entity {
            label,
            canonical: None,
        };
        let ann = match Annotation::new(AnnotationId(0), Anchor::span(span), kind) {
            Ok(a) => a,
            Err(e) => {
                self.skip(at, "invalid annotation", Some(e.to_string()));
                return None;
            }
        };
        self.add_checked(at, doc, ann, first_id)
    }

    /// Adds a checked annotation (id 0, names shared) unless the document has it already;
    /// `first_id` is the first id [`Project::allocate_id_for`] would try, when known.
    fn add_checked(
        &mut self,
        at: &Location,
        doc: &DocId,
        ann: Annotation,
        first_id: Option<AnnotationId>,
    ) -> Option<AnnotationId> {
        let key: Key = (
            ann.anchor().clone(),
            ann.kind().clone(),
            ann.note().map(Into::into),
            ann.attributes().clone(),
        );
        self.load_seen(doc);
        if let Some(existing) = self.seen.get(doc).and_then(|m| m.get(&key)) {
            let existing = *existing;
            self.skip(
                at,
                "duplicate annotation (already present)",
                Some(ann.kind().display_label()),
            );
            return Some(existing);
        }
        let id = match first_id {
            Some(first) => match self.first_ids_annotated.get(&first) {
                Some(&annotated) => self.project.allocate_id_from_first_known(
                    first,
                    annotated,
                    doc,
                    ann.anchor(),
                    ann.kind(),
                ),
                None => self
                    .project
                    .allocate_id_from_first(first, doc, ann.anchor(), ann.kind()),
            },
            None => self.project.allocate_id_for(doc, ann.anchor(), ann.kind()),
        };
        let ann = ann.renumbered(id);
        if let Some(seen) = self.seen.get_mut(doc) {
            seen.insert(key, id);
        }
        if let Some(known) = &mut self.known {
            known.insert(id, (doc.clone(), ann.kind().is_entity()));
        }
        match ann.kind() {
            AnnotationKind::Entity { label, .. } => {
                if self.schema.entity_type(label).is_none() {
                    self.report.new_labels.insert(label.to_string());
                }
                self.schema.ensure_entity_type(label);
                match self.report.annotations.get_mut(label.as_str()) {
                    Some(count) => *count += 1,
                    None => {
                        self.report.annotations.insert(label.to_string(), 1);
                    }
                }
                self.entities.push((doc.clone(), ann));
            }
            AnnotationKind::Stance {
                target, polarity, ..
            } => {
                self.schema.targets.insert(target.to_string());
                if self.schema.polarity(polarity).is_none() {
                    self.report.new_labels.insert(polarity.to_string());
                    self.schema.polarities.push(Polarity {
                        name: polarity.to_string(),
                        color: Rgb([200, 200, 200]),
                        hotkey: None,
                    });
                }
                *self
                    .report
                    .annotations
                    .entry(STANCE_LABEL.to_owned())
                    .or_default() += 1;
                self.stances.push((doc.clone(), ann));
            }
        }
        Some(id)
    }

    /// `kind` with its names shared with the import's other annotations.
    fn shared(&mut self, kind: AnnotationKind) -> AnnotationKind {
        let names = &mut self.names;
        match kind {
            AnnotationKind::Entity { label, canonical } => AnnotationKind::Entity {
                label: names.name(&label),
                canonical: canonical.map(|c| names.name(&c)),
            },
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => AnnotationKind::Stance {
                target: names.name(&target),
                polarity: names.name(&polarity),
                holder,
            },
        }
    }

    /// Drops a holder that is not an entity of the same document (with a warning).
    fn check_holder(&mut self, at: &Location, doc: &DocId, kind: AnnotationKind) -> AnnotationKind {
        let AnnotationKind::Stance {
            target,
            polarity,
            holder: Some(holder),
        } = kind
        else {
            return kind;
        };
        let ok = match self.known().get(&holder.id()) {
            Some((d, is_entity)) => d == doc && *is_entity,
            None => self
                .project
                .annotation_in_document(holder.id())
                .is_some_and(|(d, h)| d.id() == doc && h.kind().is_entity()),
        };
        if !ok {
            self.warn(
                at,
                "stance holder is not an entity of the same document; holder left out",
                None,
            );
        }
        AnnotationKind::Stance {
            target,
            polarity,
            holder: ok.then_some(holder),
        }
    }

    fn load_seen(&mut self, doc: &DocId) {
        if self.seen.contains_key(doc) {
            return;
        }
        let existing: FxHashMap<Key, AnnotationId> = self
            .project
            .annotations_of(doc)
            .into_iter()
            .map(|a| {
                (
                    (
                        a.anchor().clone(),
                        a.kind().clone(),
                        a.note().map(Into::into),
                        a.attributes().clone(),
                    ),
                    a.id(),
                )
            })
            .collect();
        self.seen.insert(doc.clone(), existing);
    }

    /// The document and kind (entity or not) of every annotation of this import.
    fn known(&mut self) -> &FxHashMap<AnnotationId, (DocId, bool)> {
        let (entities, stances) = (&self.entities, &self.stances);
        self.known.get_or_insert_with(|| {
            entities
                .iter()
                .chain(stances)
                .map(|(doc, a)| (a.id(), (doc.clone(), a.kind().is_entity())))
                .collect()
        })
    }

    /// The document of an annotation of the project or of this import.
    fn doc_of(&mut self, id: AnnotationId) -> Option<DocId> {
        match self.known().get(&id) {
            Some((doc, _)) => Some(doc.clone()),
            None => self.project.document_of(id).map(|d| d.id().clone()),
        }
    }

    /// Adds a relation between two annotations of one document; reports and skips it when
    /// an argument is unknown or in another document, or when the same relation exists.
    pub fn add_relation(
        &mut self,
        at: &Location,
        label: &str,
        from: AnnotationId,
        to: AnnotationId,
    ) -> Option<AnnotationId> {
        let (Some(a), Some(b)) = (self.doc_of(from), self.doc_of(to)) else {
            self.skip(at, "relation argument not imported", Some(label.to_owned()));
            return None;
        };
        if a != b {
            self.skip(at, "relation across documents", Some(label.to_owned()));
            return None;
        }
        if label.trim().is_empty() {
            self.skip(at, "relation without a type", None);
            return None;
        }
        let project = &self.project;
        let seen = self.relations_seen.get_or_insert_with(|| {
            project
                .relations()
                .values()
                .map(|r| (r.label.clone(), r.from, r.to))
                .collect()
        });
        if !seen.insert((label.to_owned(), from, to)) {
            self.skip(
                at,
                "duplicate relation (already present)",
                Some(label.to_owned()),
            );
            return None;
        }
        self.schema.ensure_relation_type(label);
        let id = self.project.allocate_relation_id(label, from, to);
        self.relations.push(Relation {
            id,
            label: label.to_owned(),
            from,
            to,
        });
        self.report.relations += 1;
        Some(id)
    }

    /// Adds a relation type (from a format's own schema, such as brat's
    /// `annotation.conf`) unless the project knows a type of that name already.
    pub fn declare_relation_type(&mut self, relation_type: RelationType) {
        if self.schema.relation_type(&relation_type.name).is_none() {
            self.schema.relation_types.push(relation_type);
        }
    }

    /// Back to a builder nothing was added to: the ids it took are handed back to the
    /// project (so taking them again gives the same ids) and everything it collected is
    /// dropped. For a reader that finds, after adding records, that the file must be read
    /// another way.
    pub fn start_over(&mut self) {
        if let Some(before) = &self.before {
            // What was applied goes with the ids still reserved.
            *self.project = before.clone();
        } else {
            for (_, ann) in self.entities.iter().chain(&self.stances) {
                self.project.release(ann.id());
            }
            for relation in &self.relations {
                self.project.release(relation.id);
            }
        }
        self.schema = self.project.schema().clone();
        self.new_docs.clear();
        self.new_doc_index.clear();
        self.entities.clear();
        self.stances.clear();
        self.relations.clear();
        self.relations_seen = None;
        self.known = None;
        self.seen.clear();
        self.first_ids_annotated = FxHashMap::default();
        self.names = Interner::default();
        self.report = ImportReport {
            format: std::mem::take(&mut self.report.format),
            source: std::mem::take(&mut self.report.source),
            ..ImportReport::default()
        };
    }

    /// Records skips that come before everything recorded so far (a reader that adds
    /// records while it still finds bad lines, and reports the bad lines first).
    pub fn skip_first(&mut self, skips: Vec<Skipped>) {
        self.report.skipped.splice(0..0, skips);
    }

    /// Records something left out.
    pub fn skip(&mut self, at: &Location, reason: &str, detail: Option<String>) {
        self.report.skipped.push(Skipped {
            at: at.clone(),
            reason: reason.to_owned(),
            detail,
        });
    }

    /// Records something imported, but not exactly as written.
    pub fn warn(&mut self, at: &Location, reason: &str, detail: Option<String>) {
        self.report.warnings.push(Skipped {
            at: at.clone(),
            reason: reason.to_owned(),
            detail,
        });
    }

    /// The edit (documents, then schema, entities, stances, relations) and the report.
    pub fn finish(mut self) -> (Edit, ImportReport) {
        let edit = self.take_edit();
        (edit, self.report)
    }

    /// For a builder made by [`Builder::applying`]: applies what is collected since the
    /// last checkpoint to the project and forgets it (the documents and annotations now
    /// live in the project, where matching and duplicate checks find them). Does nothing
    /// for a builder that collects one edit. Records read after a checkpoint give the
    /// same ids, skips and project as without it.
    pub fn checkpoint(&mut self) -> Result<(), super::FormatError> {
        if self.before.is_none() {
            return Ok(());
        }
        let edit = self.take_edit();
        self.first_ids_annotated = FxHashMap::default();
        crate::model::apply(self.project, edit)
            .map_err(|e| super::FormatError::invalid(&self.report.source, None, e.to_string()))?;
        // Rebuilt from the project when a document comes again.
        self.seen.clear();
        self.known = None;
        Ok(())
    }

    /// For a builder made by [`Builder::applying`]: applies the rest and gives the report.
    /// On error the project is as it was before the import.
    pub fn finish_applied(mut self) -> Result<ImportReport, super::FormatError> {
        match self.checkpoint() {
            Ok(()) => Ok(self.report),
            Err(e) => {
                self.start_over();
                Err(e)
            }
        }
    }

    /// The edit of what is collected (documents, then schema, entities, stances,
    /// relations), leaving the builder with nothing collected.
    fn take_edit(&mut self) -> Edit {
        let mut edits = Vec::new();
        if !self.new_docs.is_empty() {
            edits.push(Edit::AddDocuments(std::mem::take(&mut self.new_docs)));
        }
        self.new_doc_index.clear();
        if &self.schema != self.project.schema() {
            edits.push(Edit::SetSchema(self.schema.clone()));
        }
        edits.extend(
            std::mem::take(&mut self.entities)
                .into_iter()
                .map(|(doc, ann)| Edit::AddAnnotation(doc, ann)),
        );
        edits.extend(
            std::mem::take(&mut self.stances)
                .into_iter()
                .map(|(doc, ann)| Edit::AddAnnotation(doc, ann)),
        );
        edits.extend(
            std::mem::take(&mut self.relations)
                .into_iter()
                .map(Edit::AddRelation),
        );
        Edit::Batch(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::project_from;

    /// Entities prepared on another core ([`PreparedEntity`]) give the same edit and
    /// report as adding them one by one: for a document the project has (its entity
    /// comes again as a duplicate), one whose id another text holds (renamed, so the
    /// prepared id does not count), a new one, duplicates within a record and an empty
    /// label.
    #[test]
    fn prepared_entities_are_added_as_one_by_one() {
        let run = |prepared: bool| {
            let mut p = project_from(&[("a", "[Zuckerberg]PER zegt sorry.")]);
            let at = Location::line(Path::new("x.jsonl"), 1);
            let mut b = Builder::new(&mut p, "doccano", Path::new("x.jsonl"));
            let documents = [
                ("a", "Zuckerberg zegt sorry."),
                ("a", "Een andere tekst."),
                ("b", "Nog een tekst."),
            ];
            for (id, text) in documents {
                let doc = Document::new(DocId::from(id), "t".into(), BTreeMap::new(), text.into());
                let spans: Vec<(Span, &str)> = [
                    (0, 3, "PER"),
                    (0, 3, "PER"),
                    (4, 8, "ORG"),
                    (0, 10, "PER"),
                    (1, 2, ""),
                ]
                .into_iter()
                .filter_map(|(s, e, label)| Some((Span::new(s, e, doc.text()).ok()?, label)))
                .collect();
                let entities: Vec<PreparedEntity> = spans
                    .iter()
                    .map(|&(span, label)| PreparedEntity::new(doc.id(), span, label.into()))
                    .collect();
                let added = b.add_document(doc);
                for ((span, label), entity) in spans.into_iter().zip(entities) {
                    if prepared {
                        b.add_prepared_entity(&at, &added, entity);
                    } else {
                        let kind = AnnotationKind::Entity {
                            label: label.into(),
                            canonical: None,
                        };
                        b.add_annotation(
                            &at,
                            &added,
                            Anchor::span(span),
                            kind,
                            None,
                            BTreeMap::new(),
                        );
                    }
                }
            }
            b.finish()
        };
        let (one_by_one, prepared) = (run(false), run(true));
        assert_eq!(prepared.0, one_by_one.0);
        assert_eq!(prepared.1, one_by_one.1);
        let report = prepared.1;
        assert_eq!(report.renamed, [("a".to_owned(), "a-2".to_owned())]);
        assert_eq!(report.documents_matched, 1);
        let reasons: Vec<&str> = report.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons
                .iter()
                .filter(|r| r.starts_with("duplicate"))
                .count(),
            4,
            "{reasons:?}"
        );
        assert_eq!(
            reasons
                .iter()
                .filter(|r| **r == "invalid annotation")
                .count(),
            3
        );
    }

    /// First ids looked up for many entities at once give the ids that searching the
    /// project for each gives, also when an annotation of the project holds an entity's
    /// first id (as if two contents hashed alike): that entity takes the next one.
    #[test]
    fn first_ids_looked_up_at_once_give_the_same_ids() {
        let run = |look_up: bool| {
            let mut p = project_from(&[("a", "[Zuckerberg]PER zegt sorry.")]);
            let doc = p.documents().first().expect("a").clone();
            let span = |s, e| Span::new(s, e, doc.text()).expect("span");
            let taken = PreparedEntity::new(doc.id(), span(16, 21), "ORG".into()).first_id();
            let holder = Annotation::new(
                taken,
                Anchor::span(span(11, 15)),
                AnnotationKind::Entity {
                    label: "MISC".into(),
                    canonical: None,
                },
            )
            .expect("annotation");
            crate::model::apply(&mut p, Edit::AddAnnotation(doc.id().clone(), holder))
                .expect("apply");
            let at = Location::line(Path::new("x.jsonl"), 1);
            let mut b = Builder::new(&mut p, "doccano", Path::new("x.jsonl"));
            let entities = vec![
                PreparedEntity::new(doc.id(), span(16, 21), "ORG".into()),
                PreparedEntity::new(doc.id(), span(0, 10), "LOC".into()),
                PreparedEntity::new(doc.id(), span(0, 10), "PER".into()),
            ];
            if look_up {
                b.look_up_first_ids(entities.iter().map(PreparedEntity::first_id).collect());
            }
            let added = b.add_document(doc.clone());
            let ids: Vec<Option<AnnotationId>> = entities
                .into_iter()
                .map(|e| b.add_prepared_entity(&at, &added, e))
                .collect();
            (ids, taken, b.finish())
        };
        let (looked_up, searched) = (run(true), run(false));
        assert_eq!(looked_up.0, searched.0);
        assert_eq!(looked_up.2.0, searched.2.0);
        let (ids, taken, _) = looked_up;
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(Option::is_some));
        assert_ne!(
            ids.first().copied().flatten(),
            Some(taken),
            "the held id is not taken"
        );
    }
}
