//! Combining several annotators' copies of the same documents for adjudication
//! (`spantag merge A.ron B.ron C.ron … --adjudicate`).
//!
//! The result holds every document of every copy. An annotation is matched across
//! copies by id: ids derive from what an annotation says when it is made
//! ([`AnnotationId::derive`]), so two annotators who tag the same span with the same
//! label made the same annotation. On a document more than one copy holds (the shared,
//! double-annotated ones), an annotation every one of those copies made is kept once and
//! settled; one that only some made is kept, marked with who made it (the
//! [`ANNOTATORS_ATTRIBUTE`]) and recorded as a [`ConflictKind::Disagreement`] for the
//! adjudicator to accept or reject. When copies changed one annotation differently, each
//! version is kept (under new ids after the first) and each is a disagreement. The
//! result's assignment names the annotators and the shared documents, which is what the
//! window's adjudication view reads. Pure: no IO.

use super::merge3::{MergeError, unite_schemas};
use super::records_of;
use crate::corpus::agree::{Agreement, compare};
use crate::model::team::{ANNOTATORS_ATTRIBUTE, Assignment, Conflict, ConflictKind};
use crate::model::{
    Annotation, AnnotationId, DocId, DocStatus, Document, Edit, Project, ProjectParts, Relation,
    apply,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The annotator of an adjudication project's assignment.
pub const ADJUDICATOR: &str = "adjudication";

/// One annotator's copy.
#[derive(Clone, Copy, Debug)]
pub struct Copy<'a> {
    /// The annotator's name (from the copy's assignment, else the file name).
    pub annotator: &'a str,
    /// The copy.
    pub project: &'a Project,
}

/// Combines `copies` for adjudication (see the module comment).
pub fn adjudicate(copies: &[Copy<'_>]) -> Result<Project, MergeError> {
    let mut documents: BTreeMap<&DocId, &Document> = BTreeMap::new();
    let mut holders: BTreeMap<&DocId, Vec<&str>> = BTreeMap::new();
    for copy in copies {
        for doc in copy.project.documents() {
            match documents.get(doc.id()) {
                Some(seen) if seen.hash() != doc.hash() => {
                    return Err(MergeError::TextDiffers(doc.id().clone()));
                }
                Some(_) => {}
                None => {
                    documents.insert(doc.id(), doc);
                }
            }
            holders.entry(doc.id()).or_default().push(copy.annotator);
        }
    }
    let shared: BTreeSet<DocId> = holders
        .iter()
        .filter(|(_, who)| who.len() > 1)
        .map(|(id, _)| (*id).clone())
        .collect();

    let mut ids: Vec<AnnotationId> = copies
        .iter()
        .flat_map(|c| c.project.annotations().keys().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut taken: HashSet<AnnotationId> = ids.iter().copied().collect();
    let mut annotations = Vec::with_capacity(ids.len());
    let mut conflicts = Vec::new();
    for id in ids {
        // Each distinct version with the annotators who made it, in the copies' order.
        let mut versions: Vec<(&DocId, &Annotation, Vec<&str>)> = Vec::new();
        for copy in copies {
            let Some((doc, ann)) = copy.project.annotation_in_document(id) else {
                continue;
            };
            match versions
                .iter_mut()
                .find(|(d, v, _)| *d == doc.id() && *v == ann)
            {
                Some((_, _, who)) => who.push(copy.annotator),
                None => versions.push((doc.id(), ann, vec![copy.annotator])),
            }
        }
        for (i, (doc, ann, who)) in versions.into_iter().enumerate() {
            let mut kept = if i == 0 {
                ann.clone()
            } else {
                let new_id =
                    AnnotationId::derive(doc, ann.anchor(), ann.kind(), |x| taken.contains(&x));
                taken.insert(new_id);
                ann.with_id(new_id)
            };
            let everyone = holders.get(doc).map_or(0, Vec::len);
            if shared.contains(doc) && who.len() < everyone {
                kept.insert_attribute(ANNOTATORS_ATTRIBUTE.to_owned(), who.join(","));
                conflicts.push(Conflict {
                    doc: doc.clone(),
                    kind: ConflictKind::Disagreement,
                    ours: Some(kept.id()),
                    theirs: None,
                });
            }
            annotations.push((doc.clone(), vec![kept]));
        }
    }

    let mut schema = copies
        .first()
        .map(|c| c.project.schema().clone())
        .unwrap_or_else(crate::model::schema::builtin_schema);
    for copy in copies.iter().skip(1) {
        schema = unite_schemas(&schema, copy.project.schema());
    }
    let mut statuses: BTreeMap<DocId, DocStatus> = BTreeMap::new();
    let mut relations: BTreeMap<AnnotationId, Relation> = BTreeMap::new();
    let mut rejected = BTreeSet::new();
    for copy in copies {
        for doc in copy.project.documents() {
            let status = copy.project.status(doc.id());
            let entry = statuses.entry(doc.id().clone()).or_default();
            *entry = (*entry).max(status);
        }
        for (id, r) in copy.project.relations() {
            relations.entry(*id).or_insert_with(|| r.clone());
        }
        rejected.extend(copy.project.rejected_suggestions().iter().cloned());
    }

    let mut project = Project::from_parts(ProjectParts {
        schema,
        documents: documents.into_values().cloned().collect(),
        annotations,
        statuses: statuses
            .into_iter()
            .filter(|(_, s)| *s != DocStatus::default())
            .collect(),
        relations: relations.into_values().collect(),
        rejected: rejected.into_iter().collect(),
    })
    .map_err(|e| MergeError::Unsound(e.to_string()))?;
    let mut edits = records_of(conflicts);
    edits.push(Edit::SetAssignment(Some(Box::new(Assignment {
        annotator: ADJUDICATOR.to_owned(),
        annotators: copies.iter().map(|c| c.annotator.to_owned()).collect(),
        documents: project.documents().iter().map(|d| d.id().clone()).collect(),
        shared,
    }))));
    apply(&mut project, Edit::Batch(edits)).map_err(|e| MergeError::Unsound(e.to_string()))?;
    Ok(project)
}

/// The annotations of `doc` an annotator made, in reading order: those settled (no
/// [`ANNOTATORS_ATTRIBUTE`]) and those whose attribute names them. What the adjudication
/// view shows side by side.
pub fn made_by<'p>(project: &'p Project, doc: &DocId, annotator: &str) -> Vec<&'p Annotation> {
    project
        .annotations_of(doc)
        .into_iter()
        .filter(|a| {
            a.attributes()
                .get(ANNOTATORS_ATTRIBUTE)
                .is_none_or(|who| who.split(',').any(|w| w == annotator))
        })
        .collect()
}

/// Agreement of two annotators on one shared document of an adjudication project: each
/// one's version of the document ([`made_by`]) compared with [`compare`]. `None` when
/// the document is not there or a version is not sound on its own.
pub fn document_agreement(project: &Project, doc: &DocId, a: &str, b: &str) -> Option<Agreement> {
    let document = project.document(doc)?;
    let version = |annotator: &str| {
        Project::from_parts(ProjectParts {
            schema: project.schema().clone(),
            documents: vec![document.clone()],
            annotations: vec![(
                doc.clone(),
                made_by(project, doc, annotator)
                    .into_iter()
                    .cloned()
                    .collect(),
            )],
            statuses: Vec::new(),
            relations: Vec::new(),
            rejected: Vec::new(),
        })
        .ok()
    };
    compare(&version(a)?, &version(b)?).ok()
}
