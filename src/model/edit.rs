//! Edits: every change to a project is an [`Edit`] value; [`apply`] carries it out and
//! returns its inverse, which is what undo replays.

use super::annotation::{Annotation, AnnotationId, AnnotationKind, Relation};
use super::document::{DocId, DocStatus, Document};
use super::project::{Project, RejectedSuggestion};
use super::schema::Schema;
use super::team::{Assignment, Conflict};
use std::collections::BTreeSet;
use thiserror::Error;

/// One change to a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Adds a new annotation (its id must be unused) to a document.
    AddAnnotation(DocId, Annotation),
    /// Adds new annotations to their documents, in order (their ids must be unused and
    /// differ): tag-all's hundreds of thousands of tags as one edit, checked and added at
    /// once.
    AddAnnotations(Vec<(DocId, Annotation)>),
    /// Removes an annotation nothing links to.
    RemoveAnnotation(AnnotationId),
    /// Removes annotations nothing links to, the last first: the undo of a long run of
    /// additions (an import), 8 bytes an annotation instead of an edit each.
    RemoveAnnotations(Vec<AnnotationId>),
    /// Replaces the annotation with the same id (it stays in its document).
    ReplaceAnnotation(Annotation),
    /// Adds a relation between two annotations of one document.
    AddRelation(Relation),
    /// Removes a relation.
    RemoveRelation(AnnotationId),
    /// Sets a document's status.
    SetStatus {
        /// Which document.
        doc: DocId,
        /// New status.
        status: DocStatus,
    },
    /// Sets several documents' statuses, in order: tag-all marks tens of thousands of
    /// documents in progress at once.
    SetStatuses(Vec<(DocId, DocStatus)>),
    /// Replaces the schema.
    SetSchema(Schema),
    /// Marks a suggestion as rejected (`true`) or not (`false`).
    SetRejected(RejectedSuggestion, bool),
    /// Adds documents with new ids after the others, in the order given.
    AddDocuments(Vec<Document>),
    /// Removes documents that carry no annotations. Its inverse adds them back at the
    /// end, which is where they were when it undoes an `AddDocuments`, its only use.
    RemoveDocuments(BTreeSet<DocId>),
    /// Records a conflict left by a merge (`true`) or drops its record (`false`).
    SetConflict(Conflict, bool),
    /// Sets (or clears) the assignment of a split copy.
    SetAssignment(Option<Box<Assignment>>),
    /// Several edits applied in order as one step (one undo).
    Batch(Vec<Edit>),
}

/// Why an edit could not be applied. The project is unchanged when this is returned.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The document does not exist.
    #[error("no document '{0}'")]
    NoSuchDocument(DocId),
    /// A document id is taken.
    #[error("a document '{0}' exists already")]
    DocumentExists(DocId),
    /// A document still has annotations.
    #[error("document '{0}' still has annotations")]
    DocumentNotEmpty(DocId),
    /// The annotation does not exist.
    #[error("no annotation {0}")]
    NoSuchAnnotation(AnnotationId),
    /// The id is taken.
    #[error("annotation id {0} is in use already")]
    IdInUse(AnnotationId),
    /// A span ends past the document's text.
    #[error("a span of {id} ends at {end}, past the end of '{doc}' ({len} characters)")]
    SpanOutOfRange {
        /// Annotation.
        id: AnnotationId,
        /// Document.
        doc: DocId,
        /// Offending end.
        end: usize,
        /// Text length in characters.
        len: usize,
    },
    /// A holder or relation argument is missing, not an entity, or in another document.
    #[error("{from} links to {to}, which is not an annotation of the same document")]
    BadLink {
        /// The linking annotation or relation.
        from: AnnotationId,
        /// The link target.
        to: AnnotationId,
    },
    /// Something links to the annotation being removed.
    #[error("{0} is still linked from {1}")]
    StillLinked(AnnotationId, AnnotationId),
    /// A recorded conflict names the annotation being removed (settle it first).
    #[error("{0} is part of a recorded merge conflict")]
    InConflict(AnnotationId),
    /// A conflict names no annotation, or one that is not in its document.
    #[error("a conflict in '{0}' names no annotation of that document")]
    BadConflict(DocId),
}

/// Applies `edit` to `project` and returns the edit that undoes it. On error the project
/// is left exactly as it was (a failing batch rolls back what it had applied).
pub fn apply(project: &mut Project, edit: Edit) -> Result<Edit, EditError> {
    match edit {
        Edit::AddAnnotation(doc, ann) => {
            let at = project.check_new_annotation(&doc, &ann)?;
            let id = ann.id();
            project.insert_annotation(at, ann);
            Ok(Edit::RemoveAnnotation(id))
        }
        Edit::AddAnnotations(annotations) => {
            let mut inverses = Vec::new();
            if let Err(err) = add_run(project, annotations, &mut inverses) {
                undo_applied(project, inverses);
                return Err(err);
            }
            inverses.reverse();
            Ok(match inverses.len() {
                1 => inverses.pop().unwrap_or(Edit::Batch(Vec::new())),
                _ => Edit::Batch(inverses),
            })
        }
        Edit::RemoveAnnotation(id) => {
            if !project.annotations.contains_key(&id) {
                return Err(EditError::NoSuchAnnotation(id));
            }
            if let Some(linker) = project.stances_held_by(id).first() {
                return Err(EditError::StillLinked(id, linker.id()));
            }
            if let Some(rel) = project.relations_of(id).first() {
                return Err(EditError::StillLinked(id, rel.id));
            }
            if !project.conflicts_of(id).is_empty() {
                return Err(EditError::InConflict(id));
            }
            let (doc, ann) = project
                .remove_annotation(id)
                .ok_or(EditError::NoSuchAnnotation(id))?;
            Ok(Edit::AddAnnotation(doc, ann))
        }
        Edit::RemoveAnnotations(ids) => {
            let mut inverses = Vec::with_capacity(ids.len());
            for id in ids.into_iter().rev() {
                match apply(project, Edit::RemoveAnnotation(id)) {
                    Ok(inverse) => inverses.push(inverse),
                    Err(err) => {
                        undo_applied(project, inverses);
                        return Err(err);
                    }
                }
            }
            inverses.reverse();
            Ok(Edit::Batch(inverses))
        }
        Edit::ReplaceAnnotation(ann) => {
            let doc = project
                .document_of(ann.id())
                .ok_or(EditError::NoSuchAnnotation(ann.id()))?
                .id()
                .clone();
            project.check_annotation(&doc, &ann)?;
            if !ann.kind().is_entity()
                && let Some(linker) = project.stances_held_by(ann.id()).first()
            {
                return Err(EditError::StillLinked(ann.id(), linker.id()));
            }
            let old = project.replace_annotation(ann);
            old.map(Edit::ReplaceAnnotation)
                .ok_or(EditError::NoSuchAnnotation(AnnotationId(0)))
        }
        Edit::AddRelation(rel) => {
            project.check_new_relation(&rel)?;
            let id = rel.id;
            project.relations.insert(id, rel);
            project.release(id);
            Ok(Edit::RemoveRelation(id))
        }
        Edit::RemoveRelation(id) => project
            .relations
            .remove(&id)
            .map(Edit::AddRelation)
            .ok_or(EditError::NoSuchAnnotation(id)),
        Edit::SetStatus { doc, status } => {
            if project.document(&doc).is_none() {
                return Err(EditError::NoSuchDocument(doc));
            }
            let old = project.set_statuses(vec![(doc.clone(), status)]);
            Ok(Edit::SetStatus {
                doc,
                status: old.first().map_or(DocStatus::default(), |(_, s)| *s),
            })
        }
        Edit::SetStatuses(changes) => {
            if let Some((doc, _)) = changes.iter().find(|(d, _)| project.document(d).is_none()) {
                return Err(EditError::NoSuchDocument(doc.clone()));
            }
            Ok(Edit::SetStatuses(project.set_statuses(changes)))
        }
        Edit::SetRejected(suggestion, rejected) => {
            if project.document(&suggestion.doc).is_none() {
                return Err(EditError::NoSuchDocument(suggestion.doc));
            }
            let was = if rejected {
                !project.rejected.insert(suggestion.clone())
            } else {
                project.rejected.remove(&suggestion)
            };
            Ok(Edit::SetRejected(suggestion, was))
        }
        Edit::SetConflict(conflict, record) => {
            if record {
                let in_doc = |id: AnnotationId| {
                    project
                        .document_of(id)
                        .is_some_and(|d| d.id() == &conflict.doc)
                };
                if conflict.annotations().next().is_none() || !conflict.annotations().all(in_doc) {
                    return Err(EditError::BadConflict(conflict.doc));
                }
                let was = !project.conflicts.insert(conflict.clone());
                Ok(Edit::SetConflict(conflict, was))
            } else {
                let was = project.conflicts.remove(&conflict);
                Ok(Edit::SetConflict(conflict, was))
            }
        }
        Edit::SetAssignment(assignment) => Ok(Edit::SetAssignment(std::mem::replace(
            &mut project.assignment,
            assignment,
        ))),
        Edit::SetSchema(schema) => Ok(Edit::SetSchema(std::mem::replace(
            &mut project.schema,
            schema,
        ))),
        Edit::AddDocuments(docs) => {
            let mut ids = BTreeSet::new();
            for doc in &docs {
                if project.document(doc.id()).is_some() || !ids.insert(doc.id().clone()) {
                    return Err(EditError::DocumentExists(doc.id().clone()));
                }
            }
            project.insert_documents(docs);
            Ok(Edit::RemoveDocuments(ids))
        }
        Edit::RemoveDocuments(ids) => {
            for id in &ids {
                if project.document(id).is_none() {
                    return Err(EditError::NoSuchDocument(id.clone()));
                }
                if project.annotation_count(id) > 0 || project.status(id) != DocStatus::default() {
                    return Err(EditError::DocumentNotEmpty(id.clone()));
                }
            }
            Ok(Edit::AddDocuments(project.remove_documents(&ids)))
        }
        Edit::Batch(edits) => {
            let mut inverses = Vec::new();
            let mut edits = Draining::new(edits);
            while let Some(edit) = edits.next() {
                let applied = match edit {
                    // A long run of additions (an import, tag-all) goes in at once when
                    // every one of them would apply; else one by one, as any edit.
                    Edit::AddAnnotation(doc, first)
                        if matches!(edits.peek(), Some(Edit::AddAnnotation(..))) =>
                    {
                        // Sized at once: tag-all's run is 270k annotations long.
                        let mut run = Vec::with_capacity(1 + edits.additions_ahead());
                        run.push((doc, first));
                        while let Some(Edit::AddAnnotation(..)) = edits.peek() {
                            if let Some(Edit::AddAnnotation(doc, ann)) = edits.next() {
                                run.push((doc, ann));
                            }
                        }
                        add_run(project, run, &mut inverses)
                    }
                    edit => apply(project, edit).map(|inverse| inverses.push(inverse)),
                };
                if let Err(err) = applied {
                    undo_applied(project, inverses);
                    return Err(err);
                }
            }
            inverses.reverse();
            Ok(Edit::Batch(inverses))
        }
    }
}

/// Takes back edits that were just applied, given by their inverses in the order they
/// were applied (the last is undone first).
fn undo_applied(project: &mut Project, inverses: Vec<Edit>) {
    for inverse in inverses.into_iter().rev() {
        // Inverses of edits that just succeeded always apply.
        let _ = apply(project, inverse);
    }
}

/// The edits of a batch taken front to back, giving their memory back as they go: an
/// import's batch holds millions of additions, and the run they become should not sit
/// beside all of them.
struct Draining {
    /// What is left, last edit first.
    rest: Vec<Edit>,
}

impl Draining {
    fn new(mut edits: Vec<Edit>) -> Self {
        edits.reverse();
        Self { rest: edits }
    }

    fn next(&mut self) -> Option<Edit> {
        let edit = self.rest.pop();
        give_back_memory(&mut self.rest);
        edit
    }

    fn peek(&self) -> Option<&Edit> {
        self.rest.last()
    }

    /// How many `Edit::AddAnnotation`s come next, one after another.
    fn additions_ahead(&self) -> usize {
        self.rest
            .iter()
            .rev()
            .take_while(|e| matches!(e, Edit::AddAnnotation(..)))
            .count()
    }
}

/// Shrinks a vector that is being emptied from its end once it fills less than half of
/// what it holds (the allocator shrinks it where it lies).
pub(super) fn give_back_memory<T>(v: &mut Vec<T>) {
    if v.capacity() > 4096 && v.capacity() > 2 * v.len() {
        v.shrink_to_fit();
    }
}

/// Runs of additions at least this long are tried at once ([`add_run`]).
const RUN_AT_ONCE: usize = 256;

/// Applies a run of `Edit::AddAnnotation`s of a batch, pushing their inverses: at once
/// when the run is long and every addition would apply, else one by one (the first that
/// fails gives the error; what went before stays for the batch to roll back).
fn add_run(
    project: &mut Project,
    run: Vec<(DocId, Annotation)>,
    inverses: &mut Vec<Edit>,
) -> Result<(), EditError> {
    let run = if run.len() >= RUN_AT_ONCE {
        match project.add_annotations_at_once(run) {
            Ok(ids) => {
                inverses.push(Edit::RemoveAnnotations(ids));
                return Ok(());
            }
            Err(run) => run,
        }
    } else {
        run
    };
    for (doc, ann) in run {
        inverses.push(apply(project, Edit::AddAnnotation(doc, ann))?);
    }
    Ok(())
}

/// The edit that removes an annotation together with what links to it: stances it holds
/// lose their holder, relations that mention it are removed, conflicts that name it are
/// no longer recorded. One undo brings all back.
pub fn removal_edit(project: &Project, id: AnnotationId) -> Edit {
    let mut edits: Vec<Edit> = project
        .conflicts_of(id)
        .into_iter()
        .map(|c| Edit::SetConflict(c.clone(), false))
        .collect();
    edits.extend(
        project
            .stances_held_by(id)
            .into_iter()
            .filter_map(|stance| match stance.kind() {
                AnnotationKind::Stance {
                    target, polarity, ..
                } => stance
                    .with_kind(AnnotationKind::Stance {
                        target: target.clone(),
                        polarity: polarity.clone(),
                        holder: None,
                    })
                    .ok()
                    .map(Edit::ReplaceAnnotation),
                AnnotationKind::Entity { .. } => None,
            }),
    );
    edits.extend(
        project
            .relations_of(id)
            .into_iter()
            .map(|r| Edit::RemoveRelation(r.id)),
    );
    edits.push(Edit::RemoveAnnotation(id));
    if edits.len() == 1 {
        edits.pop().unwrap_or(Edit::RemoveAnnotation(id))
    } else {
        Edit::Batch(edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Annotation, AnnotationId, Document, Span};

    fn project() -> Project {
        let docs = vec![
            Document::from_raw(DocId("a".into()), "Zuckerberg zegt sorry."),
            Document::from_raw(DocId("b".into()), "Kort."),
        ];
        let mut p = Project::new(crate::model::schema::builtin_schema(), docs).expect("p");
        let text = p.documents()[0].text().clone();
        let zuck = Annotation::entity(AnnotationId(1), Span::new(0, 10, &text).expect("s"), "PER");
        apply(&mut p, Edit::AddAnnotation(DocId("a".into()), zuck)).expect("add");
        p
    }

    fn stance(id: u64, doc: &str, holder: Option<u64>) -> Edit {
        let anchor = Anchor::span(Span::within(11, 15, 22).expect("span"));
        Edit::AddAnnotation(
            DocId(doc.into()),
            Annotation::new(
                AnnotationId(id),
                anchor,
                AnnotationKind::Stance {
                    target: "Facebook".into(),
                    polarity: "FAVOR".into(),
                    holder: holder.and_then(|h| crate::model::HolderId::new(AnnotationId(h))),
                },
            )
            .expect("stance"),
        )
    }

    /// A long run of additions over both documents: entities, and stances held by the
    /// project's entity #1 or by an entity of the run added before them.
    fn long_run() -> Vec<Edit> {
        (0..RUN_AT_ONCE as u64 + 50)
            .map(|k| {
                let (doc, len) = if k % 3 == 0 { ("b", 5) } else { ("a", 22) };
                let start = (k % (len - 1)) as usize;
                let span = Span::within(start, start + 1, len as usize).expect("span");
                let id = AnnotationId(100 + k);
                if k % 5 == 4 && doc == "a" {
                    // Addition k - 3 is an entity of "a" (k - 3 is no multiple of 3, and
                    // leaves 1 divided by 5).
                    let holder = if k % 2 == 0 { 1 } else { 100 + k - 3 };
                    let kind = AnnotationKind::Stance {
                        target: "Facebook".into(),
                        polarity: "FAVOR".into(),
                        holder: crate::model::HolderId::new(AnnotationId(holder)),
                    };
                    Edit::AddAnnotation(
                        DocId(doc.into()),
                        Annotation::new(id, Anchor::span(span), kind).expect("stance"),
                    )
                } else {
                    Edit::AddAnnotation(DocId(doc.into()), Annotation::entity(id, span, "ORG"))
                }
            })
            .collect()
    }

    /// The project after applying `edits` one at a time, or the first error.
    fn one_at_a_time(p: &Project, edits: &[Edit]) -> Result<Project, EditError> {
        let mut q = p.clone();
        for edit in edits {
            apply(&mut q, edit.clone())?;
        }
        Ok(q)
    }

    #[test]
    fn a_long_run_of_additions_applies_at_once_exactly_as_one_at_a_time() {
        let before = project();
        let sound = long_run();
        let mut damaged: Vec<Vec<Edit>> = Vec::new();
        let set = |at: usize, edit: Edit| {
            let mut edits = long_run();
            edits[at] = edit;
            edits
        };
        let entity = |id: u64, doc: &str, start, end, len| {
            let span = Span::within(start, end, len).expect("span");
            Edit::AddAnnotation(
                DocId(doc.into()),
                Annotation::entity(AnnotationId(id), span, "X"),
            )
        };
        // An id used twice in the run; an id the project uses; a span past the end of
        // "b"; an unknown document; a holder added only later, in another document, not
        // an entity, or the stance itself.
        damaged.push(set(200, entity(150, "a", 0, 3, 22)));
        damaged.push(set(7, entity(1, "a", 0, 3, 22)));
        damaged.push(set(30, entity(999, "b", 0, 9, 22)));
        damaged.push(set(40, entity(998, "c", 0, 1, 22)));
        damaged.push(set(8, stance(997, "a", Some(120))));
        damaged.push(set(8, stance(996, "a", Some(103))));
        damaged.push(set(9, stance(995, "a", Some(104))));
        damaged.push(set(9, stance(994, "a", Some(994))));
        let mut p = before.clone();
        let undo = apply(&mut p, Edit::Batch(sound.clone())).expect("a sound run applies");
        assert_eq!(Ok(&p), one_at_a_time(&before, &sound).as_ref());
        assert_eq!(
            p.annotations().len(),
            before.annotations().len() + sound.len()
        );
        let ids_of_a: Vec<AnnotationId> = p.annotation_ids_of(&DocId("a".into())).collect();
        let by_sorting: Vec<AnnotationId> = {
            let mut anns = p.annotations_of(&DocId("a".into()));
            anns.sort_by_key(|a| a.reading_order());
            anns.iter().map(|a| a.id()).collect()
        };
        assert_eq!(ids_of_a, by_sorting);
        assert!(
            matches!(&undo, Edit::Batch(inverses) if inverses.iter().any(|e| matches!(e, Edit::RemoveAnnotations(ids) if ids.len() >= RUN_AT_ONCE))),
            "the run is undone by one edit"
        );
        let after = p.clone();
        let redo = apply(&mut p, undo).expect("undo");
        assert_eq!(p, before);
        let undo_again = apply(&mut p, redo).expect("redo");
        assert_eq!(p, after);
        apply(&mut p, undo_again).expect("undo again");
        assert_eq!(p, before);
        for edits in damaged {
            let expected = one_at_a_time(&before, &edits).expect_err("damaged");
            let mut p = before.clone();
            assert_eq!(
                apply(&mut p, Edit::Batch(edits.clone())),
                Err(expected.clone())
            );
            assert_eq!(p, before);
            // The same run as one bulk addition.
            assert_eq!(
                apply(&mut p, Edit::AddAnnotations(added(edits))),
                Err(expected)
            );
            assert_eq!(p, before);
        }
        // A bulk addition, long or short, is the run one at a time, and undoes and
        // redoes as one edit.
        for edits in [sound.clone(), sound[..3].to_vec(), Vec::new()] {
            let mut p = before.clone();
            let undo = apply(&mut p, Edit::AddAnnotations(added(edits.clone()))).expect("adds");
            assert_eq!(Ok(&p), one_at_a_time(&before, &edits).as_ref());
            let after = p.clone();
            let redo = apply(&mut p, undo).expect("undo");
            assert_eq!(p, before);
            apply(&mut p, redo).expect("redo");
            assert_eq!(p, after);
        }
    }

    /// The annotations of a run of `Edit::AddAnnotation`s, with their documents.
    fn added(edits: Vec<Edit>) -> Vec<(DocId, Annotation)> {
        edits
            .into_iter()
            .filter_map(|e| match e {
                Edit::AddAnnotation(doc, ann) => Some((doc, ann)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn many_statuses_set_at_once_are_those_set_one_at_a_time() {
        use crate::model::DocStatus::{Done, InProgress, NotStarted};
        let ids: Vec<String> = (0..200).map(|i| format!("d{i:03}")).collect();
        let docs = ids
            .iter()
            .map(|id| Document::from_raw(DocId(id.as_str().into()), "Tekst."))
            .collect();
        let mut before = Project::new(crate::model::schema::builtin_schema(), docs).expect("p");
        let first: Vec<Edit> = (0..200)
            .step_by(3)
            .map(|i| Edit::SetStatus {
                doc: DocId(ids[i].as_str().into()),
                status: if i % 2 == 0 { Done } else { InProgress },
            })
            .collect();
        apply(&mut before, Edit::Batch(first)).expect("statuses");
        let change = |i: usize, status| (DocId(ids[i].as_str().into()), status);
        // Few and many changes, in and out of order, a document changed twice (the
        // last change counts), statuses set back to the default.
        let cases: Vec<Vec<(DocId, DocStatus)>> = vec![
            vec![change(5, Done)],
            vec![change(3, NotStarted), change(3, InProgress)],
            (0..200).rev().map(|i| change(i, InProgress)).collect(),
            (0..200)
                .map(|i| change((i * 7) % 200, [NotStarted, InProgress, Done][i % 3]))
                .chain([change(9, Done), change(9, NotStarted)])
                .collect(),
        ];
        for changes in cases {
            let one_by_one: Vec<Edit> = changes
                .iter()
                .map(|(doc, status)| Edit::SetStatus {
                    doc: doc.clone(),
                    status: *status,
                })
                .collect();
            let expected = one_at_a_time(&before, &one_by_one).expect("sound");
            let mut p = before.clone();
            let undo = apply(&mut p, Edit::SetStatuses(changes)).expect("sound");
            assert_eq!(p, expected);
            assert_eq!(
                p.statuses().collect::<Vec<_>>(),
                expected.statuses().collect::<Vec<_>>()
            );
            apply(&mut p, undo).expect("undo");
            assert_eq!(p, before);
            assert_eq!(
                p.statuses().collect::<Vec<_>>(),
                before.statuses().collect::<Vec<_>>()
            );
        }
        let mut p = before.clone();
        let unknown = vec![change(1, Done), (DocId("nope".into()), Done)];
        assert_eq!(
            apply(&mut p, Edit::SetStatuses(unknown)),
            Err(EditError::NoSuchDocument(DocId("nope".into())))
        );
        assert_eq!(p, before);
    }

    #[test]
    fn invalid_edits_are_refused_and_change_nothing() {
        let long = Span::within(0, 20, 22).expect("span");
        let cases: Vec<(Edit, EditError)> = vec![
            (
                Edit::AddAnnotation(
                    DocId("a".into()),
                    Annotation::entity(AnnotationId(1), long, "PER"),
                ),
                EditError::IdInUse(AnnotationId(1)),
            ),
            (
                Edit::AddAnnotation(
                    DocId("b".into()),
                    Annotation::entity(AnnotationId(9), long, "PER"),
                ),
                EditError::SpanOutOfRange {
                    id: AnnotationId(9),
                    doc: DocId("b".into()),
                    end: 20,
                    len: 5,
                },
            ),
            (
                Edit::AddAnnotation(
                    DocId("zz".into()),
                    Annotation::entity(AnnotationId(9), long, "PER"),
                ),
                EditError::NoSuchDocument(DocId("zz".into())),
            ),
            (
                stance(9, "a", Some(77)),
                EditError::BadLink {
                    from: AnnotationId(9),
                    to: AnnotationId(77),
                },
            ),
            (
                Edit::Batch(vec![
                    stance(9, "a", Some(1)),
                    Edit::RemoveAnnotation(AnnotationId(1)),
                ]),
                EditError::StillLinked(AnnotationId(1), AnnotationId(9)),
            ),
            (
                Edit::RemoveAnnotation(AnnotationId(5)),
                EditError::NoSuchAnnotation(AnnotationId(5)),
            ),
        ];
        for (edit, want) in cases {
            let mut p = project();
            let before = p.clone();
            assert_eq!(apply(&mut p, edit.clone()), Err(want), "{edit:?}");
            assert_eq!(p, before, "unchanged after {edit:?}");
        }
    }

    #[test]
    fn removing_a_holder_unlinks_its_stances_in_one_step() {
        let mut p = project();
        apply(&mut p, stance(2, "a", Some(1))).expect("stance");
        let before = p.clone();
        let edit = removal_edit(&p, AnnotationId(1));
        let inverse = apply(&mut p, edit).expect("remove");
        assert!(p.annotation(AnnotationId(1)).is_none());
        assert!(matches!(
            p.annotation(AnnotationId(2)).map(|a| a.kind()),
            Some(AnnotationKind::Stance { holder: None, .. })
        ));
        apply(&mut p, inverse).expect("undo");
        assert_eq!(p, before);
    }
}
