//! The three-way merge of two copies of a project that share an ancestor: what git's
//! merge driver runs (`spantag merge BASE OURS THEIRS -o OUT`).
//!
//! Annotations are matched by id: ids are derived from what an annotation says when it
//! is made ([`AnnotationId::derive`]), so two copies never give one id to different
//! annotations and no renumbering is needed. For every id the usual three-way rule
//! applies: when one side left it as the base has it, the other side's version is taken
//! (added, changed or removed); the same change on both sides is taken once. Anything
//! else is a [`Conflict`], recorded in the result as data with both versions kept: ours
//! under its id, theirs beside it under a new one (or the surviving version, when one
//! side removed it). Annotations made or changed on different sides on the same spans
//! with different labels are a conflict too, and so is an annotation one side removed
//! while the other links to it (it is kept, so the result stays sound).
//!
//! Documents, statuses, relations and rejected suggestions merge by the same rule
//! without conflicts (a status set differently on both sides takes the further one;
//! metadata changed on both sides takes ours); schemas are united. The result depends on
//! the three inputs only, so merging again gives the same bytes. Pure: no IO.

use super::records_of;
use crate::model::team::{Assignment, Conflict, ConflictKind};
use crate::model::{
    Annotation, AnnotationId, AnnotationKind, DocId, DocStatus, Document, Edit, Project,
    ProjectParts, RejectedSuggestion, Relation, Schema, apply,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Why two copies could not be merged at all (conflicts are not errors: they are
/// recorded in the result).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// A document's text differs between the copies: annotations cannot be lined up.
    #[error(
        "document '{0}' has a different text in the two copies; spantag merges annotations, not texts"
    )]
    TextDiffers(DocId),
    /// The combined project broke a rule of the model (a link that cannot be kept).
    #[error("the merged project would not be sound: {0}")]
    Unsound(String),
}

/// What the three-way rule gives for one item (`None`: absent).
#[derive(Debug, PartialEq, Eq)]
enum Pick<T> {
    /// Both sides hold the same.
    Agreed(Option<T>),
    /// Only our side changed it since the base.
    Ours(Option<T>),
    /// Only their side changed it since the base.
    Theirs(Option<T>),
    /// Both sides changed it, differently: ours, theirs.
    Conflict(Option<T>, Option<T>),
}

/// The three-way rule.
fn pick<T: PartialEq>(base: Option<T>, ours: Option<T>, theirs: Option<T>) -> Pick<T> {
    if ours == theirs {
        Pick::Agreed(ours)
    } else if ours == base {
        Pick::Theirs(theirs)
    } else if theirs == base {
        Pick::Ours(ours)
    } else {
        Pick::Conflict(ours, theirs)
    }
}

/// An annotation of one of the copies with the id of its document (two are the same
/// when both are).
type Placed<'a> = (&'a DocId, &'a Annotation);

/// A project's annotations with their documents' ids, by ascending id.
fn placed(project: &Project) -> impl Iterator<Item = Placed<'_>> {
    project
        .annotations_with_documents()
        .map(|(doc, ann)| (doc.id(), ann))
}

/// Every annotation id of the three projects once, ascending, with each project's
/// annotation under it: one pass over the three id-sorted maps, no lookups.
fn aligned(
    projects: [&Project; 3],
) -> impl Iterator<Item = (AnnotationId, [Option<Placed<'_>>; 3])> {
    let mut sides = projects.map(|p| placed(p).peekable());
    std::iter::from_fn(move || {
        let next = sides
            .iter_mut()
            .filter_map(|side| side.peek().map(|(_, ann)| ann.id()))
            .min()?;
        let mut row = [None; 3];
        for (slot, side) in row.iter_mut().zip(sides.iter_mut()) {
            if side.peek().is_some_and(|(_, ann)| ann.id() == next) {
                *slot = side.next();
            }
        }
        Some((next, row))
    })
}

/// Annotations in groups by document, for [`ProjectParts::annotations`].
fn grouped<'a>(
    annotations: impl Iterator<Item = (&'a DocId, &'a Annotation)>,
) -> Vec<(DocId, Vec<Annotation>)> {
    let mut groups: BTreeMap<&DocId, Vec<Annotation>> = BTreeMap::new();
    for (doc, ann) in annotations {
        groups.entry(doc).or_default().push(ann.clone());
    }
    groups
        .into_iter()
        .map(|(doc, anns)| (doc.clone(), anns))
        .collect()
}

/// Which side made an annotation the result holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Maker {
    Ours,
    Theirs,
}

/// Merges `ours` and `theirs`, two copies of `base` changed apart. The result records
/// every conflict ([`Project::conflicts`]); it is clean when there are none.
pub fn merge3(base: &Project, ours: &Project, theirs: &Project) -> Result<Project, MergeError> {
    merge3_into_ours(base, ours.clone(), theirs)
}

/// [`merge3`] taking `ours` by value: the result is `ours` with what the merge changes
/// applied to it as one edit — on a big project that is a few thousand changes instead of
/// building 300k annotations again (what `spantag merge` runs). When the documents differ
/// from ours' or a change does not apply on its own, the result is built from scratch
/// ([`merge3_rebuilt`]); both ways give the same project.
pub fn merge3_into_ours(
    base: &Project,
    mut ours: Project,
    theirs: &Project,
) -> Result<Project, MergeError> {
    // A batch that fails is rolled back whole, leaving `ours` as it came.
    if let Some(changes) = merge_edit(base, &ours, theirs)?
        && apply(&mut ours, changes).is_ok()
    {
        return Ok(ours);
    }
    merge3_rebuilt(base, &ours, theirs)
}

/// The one edit that turns `ours` into the merge of `ours` and `theirs` ([`merge3`]):
/// applied to `ours`, it gives the merged project, and its inverse undoes the merge.
/// `None` when the documents of the result are not ours' (documents are not edited
/// here); the edit can still fail to apply where an annotation changes from entity to
/// stance under one id while linked.
pub fn merge_edit(
    base: &Project,
    ours: &Project,
    theirs: &Project,
) -> Result<Option<Edit>, MergeError> {
    let plan = plan(base, ours, theirs)?;
    Ok(changes_to_ours(&plan, ours).map(Edit::Batch))
}

/// [`merge3`] built from scratch: every annotation of the result copied into a new
/// project. The reference [`merge3_into_ours`] is checked against.
pub fn merge3_rebuilt(
    base: &Project,
    ours: &Project,
    theirs: &Project,
) -> Result<Project, MergeError> {
    let plan = plan(base, ours, theirs)?;
    let mut project = Project::from_parts(ProjectParts {
        schema: plan.schema,
        documents: plan.documents.into_iter().cloned().collect(),
        annotations: grouped(
            plan.kept
                .iter()
                .copied()
                .chain(plan.extra.iter().map(|(d, a)| (d, a))),
        ),
        statuses: plan.statuses,
        relations: plan.relations,
        rejected: plan.rejected,
    })
    .map_err(|e| MergeError::Unsound(e.to_string()))?;
    let mut edits = records_of(plan.records);
    if let Some(assignment) = plan.assignment {
        edits.push(Edit::SetAssignment(Some(Box::new(assignment.clone()))));
    }
    apply(&mut project, Edit::Batch(edits)).map_err(|e| MergeError::Unsound(e.to_string()))?;
    Ok(project)
}

/// What the merged project holds, worked out from the three copies before it is made.
struct Plan<'a> {
    /// Annotations taken from one of the copies, by ascending id.
    kept: Vec<Placed<'a>>,
    /// Their versions of annotations both sides changed, under new ids.
    extra: Vec<(DocId, Annotation)>,
    documents: Vec<&'a Document>,
    statuses: Vec<(DocId, DocStatus)>,
    relations: Vec<Relation>,
    rejected: Vec<RejectedSuggestion>,
    schema: Schema,
    /// Every conflict the result records: the new ones and those the copies carried.
    records: BTreeSet<Conflict>,
    assignment: Option<&'a Assignment>,
}

/// Applies the three-way rule to every part of the three copies.
fn plan<'a>(
    base: &'a Project,
    ours: &'a Project,
    theirs: &'a Project,
) -> Result<Plan<'a>, MergeError> {
    let all = [base, ours, theirs];
    let mut kept: Vec<Placed<'a>> = Vec::with_capacity(ours.annotations().len());
    let mut extra: Vec<(DocId, Annotation)> = Vec::new();
    let mut extra_ids: HashSet<AnnotationId> = HashSet::new();
    let mut made: Vec<(Placed<'a>, Maker)> = Vec::new();
    let mut conflicts: Vec<Conflict> = Vec::new();
    // Ids of the copies the result leaves out, ascending.
    let mut dropped: Vec<AnnotationId> = Vec::new();
    for (id, [b, o, t]) in aligned(all) {
        match pick(b, o, t) {
            Pick::Agreed(Some(a)) => kept.push(a),
            Pick::Ours(Some(a)) => {
                made.push((a, Maker::Ours));
                kept.push(a);
            }
            Pick::Theirs(Some(a)) => {
                made.push((a, Maker::Theirs));
                kept.push(a);
            }
            Pick::Agreed(None) | Pick::Ours(None) | Pick::Theirs(None) => dropped.push(id),
            Pick::Conflict(Some(o), Some(t)) => {
                let taken = |x: AnnotationId| {
                    all.iter().any(|p| p.annotations().contains_key(&x)) || extra_ids.contains(&x)
                };
                let new_id = AnnotationId::derive(t.0, t.1.anchor(), t.1.kind(), taken);
                extra_ids.insert(new_id);
                extra.push((t.0.clone(), t.1.with_id(new_id)));
                kept.push(o);
                conflicts.push(Conflict {
                    doc: o.0.clone(),
                    kind: ConflictKind::BothChanged,
                    ours: Some(id),
                    theirs: Some(new_id),
                });
            }
            Pick::Conflict(o, t) => match o.or(t) {
                Some(a) => {
                    kept.push(a);
                    conflicts.push(Conflict {
                        doc: a.0.clone(),
                        kind: ConflictKind::ChangedAndRemoved,
                        ours: o.map(|(_, ann)| ann.id()),
                        theirs: t.map(|(_, ann)| ann.id()),
                    });
                }
                None => dropped.push(id),
            },
        }
    }
    extra.sort_unstable_by_key(|(_, ann)| ann.id());
    conflicts.extend(same_span_conflicts(&made));

    let relations = merge_relations(base, ours, theirs);
    restore_linked(
        [ours, theirs, base],
        &mut kept,
        dropped,
        &relations,
        &extra,
        &mut conflicts,
    );

    // Asked only about documents a side removed: made on the first question.
    let used_docs: std::cell::OnceCell<HashSet<&DocId>> = std::cell::OnceCell::new();
    let documents = merge_documents(base, ours, theirs, |id| {
        let used = used_docs.get_or_init(|| {
            kept.iter()
                .map(|(doc, _)| *doc)
                .chain(extra.iter().map(|(doc, _)| doc))
                .collect()
        });
        used.contains(id)
    })?;
    let doc_ids: BTreeSet<&DocId> = documents.iter().map(|d| d.id()).collect();
    let statuses = merge_statuses(base, ours, theirs, &doc_ids);
    let rejected = merge_rejected(base, ours, theirs, &doc_ids);
    let mut schema = merge_schemas(base.schema(), ours.schema(), theirs.schema());
    // A label one side uses and the other removed from its schema stays defined. Every
    // kept annotation comes from one of the copies, whose schema defines its label: when
    // the result keeps all their entity types, there is nothing to look for.
    let keeps_every_type = all.iter().all(|p| {
        p.schema()
            .entity_types
            .iter()
            .all(|t| schema.entity_type(&t.name).is_some())
    });
    let undefined: BTreeSet<&str> = if keeps_every_type {
        BTreeSet::new()
    } else {
        kept.iter()
            .map(|(_, ann)| *ann)
            .chain(extra.iter().map(|(_, ann)| ann))
            .filter_map(Annotation::label)
            .filter(|label| schema.entity_type(label).is_none())
            .collect()
    };
    for label in undefined {
        let known = [ours, theirs]
            .into_iter()
            .find_map(|p| p.schema().entity_type(label));
        if let Some(entity_type) = known {
            schema.entity_types.push(entity_type.clone());
        }
    }

    // Conflicts the copies still carried stay recorded while their annotations exist.
    let present = |id: AnnotationId| {
        kept.binary_search_by_key(&id, |(_, a)| a.id()).is_ok()
            || extra.binary_search_by_key(&id, |(_, a)| a.id()).is_ok()
    };
    let carried = ours.conflicts().iter().chain(theirs.conflicts());
    let mut records: BTreeSet<Conflict> = carried
        .filter(|c| c.annotations().all(present))
        .cloned()
        .collect();
    records.extend(conflicts);
    Ok(Plan {
        kept,
        extra,
        documents,
        statuses,
        relations,
        rejected,
        schema,
        records,
        assignment: ours.assignment().or(theirs.assignment()),
    })
}

/// The edits that turn `ours` into the result `plan` describes, in an order in which each
/// applies (links are made after what they link to, and undone before it goes); `None`
/// when the documents differ from ours' (the result is then built from scratch).
fn changes_to_ours(plan: &Plan<'_>, ours: &Project) -> Option<Vec<Edit>> {
    let same_documents = plan.documents.len() == ours.documents().len()
        && plan
            .documents
            .iter()
            .zip(ours.documents())
            .all(|(merged, own)| std::ptr::eq(*merged, own) || *merged == own);
    if !same_documents {
        return None;
    }
    let mut edits: Vec<Edit> = ours
        .conflicts()
        .iter()
        .filter(|c| !plan.records.contains(c))
        .map(|c| Edit::SetConflict(c.clone(), false))
        .collect();
    if plan.schema != *ours.schema() {
        edits.push(Edit::SetSchema(plan.schema.clone()));
    }
    let relations: BTreeMap<AnnotationId, &Relation> =
        plan.relations.iter().map(|r| (r.id, r)).collect();
    edits.extend(
        ours.relations()
            .iter()
            .filter(|(id, r)| relations.get(id) != Some(r))
            .map(|(id, _)| Edit::RemoveRelation(*id)),
    );

    // The result's annotations by id beside ours, one pass over both (the few of `extra`
    // are merged into the kept ones on the way).
    let mut kept = plan.kept.iter().copied().peekable();
    let mut extra = plan.extra.iter().map(|(d, a)| (d, a)).peekable();
    let mut merged = std::iter::from_fn(|| match (kept.peek(), extra.peek()) {
        (Some(k), Some(e)) if e.1.id() < k.1.id() => extra.next(),
        (Some(_), _) => kept.next(),
        (None, _) => extra.next(),
    })
    .peekable();
    let (mut entities, mut stances, mut gone_stances, mut gone_entities) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut own = placed(ours).peekable();
    loop {
        let (next, mine) = match (merged.peek(), own.peek()) {
            (None, None) => break,
            (Some(m), Some(o)) if m.1.id() == o.1.id() => (merged.next(), own.next()),
            (Some(m), Some(o)) if m.1.id() < o.1.id() => (merged.next(), None),
            (Some(_), None) => (merged.next(), None),
            _ => (None, own.next()),
        };
        match (next, mine) {
            (Some(m), Some(o)) if std::ptr::eq(m.1, o.1) || m == o => {}
            // An annotation does not move to another document: built from scratch.
            (Some(m), Some(o)) if m.0 != o.0 => return None,
            (Some((doc, m)), o) => {
                let edit = if o.is_some() {
                    Edit::ReplaceAnnotation(m.clone())
                } else {
                    Edit::AddAnnotation(doc.clone(), m.clone())
                };
                if m.kind().is_entity() {
                    entities.push(edit);
                } else {
                    stances.push(edit);
                }
            }
            (None, Some((_, o))) if o.kind().is_entity() => {
                gone_entities.push(Edit::RemoveAnnotation(o.id()));
            }
            (None, Some((_, o))) => gone_stances.push(Edit::RemoveAnnotation(o.id())),
            (None, None) => break,
        }
    }
    edits.extend(entities);
    edits.extend(stances);
    edits.extend(gone_stances);
    edits.extend(gone_entities);
    edits.extend(
        plan.relations
            .iter()
            .filter(|r| ours.relations().get(&r.id) != Some(r))
            .map(|r| Edit::AddRelation(r.clone())),
    );

    let statuses: BTreeMap<&DocId, DocStatus> =
        plan.statuses.iter().map(|(d, s)| (d, *s)).collect();
    for doc in ours.documents() {
        let status = statuses.get(doc.id()).copied().unwrap_or_default();
        if status != ours.status(doc.id()) {
            edits.push(Edit::SetStatus {
                doc: doc.id().clone(),
                status,
            });
        }
    }
    let rejected: BTreeSet<&RejectedSuggestion> = plan.rejected.iter().collect();
    edits.extend(
        ours.rejected_suggestions()
            .iter()
            .filter(|r| !rejected.contains(r))
            .map(|r| Edit::SetRejected(r.clone(), false)),
    );
    edits.extend(
        plan.rejected
            .iter()
            .filter(|r| !ours.rejected_suggestions().contains(*r))
            .map(|r| Edit::SetRejected(r.clone(), true)),
    );
    edits.extend(records_of(
        plan.records
            .iter()
            .filter(|c| !ours.conflicts().contains(*c))
            .cloned(),
    ));
    if plan.assignment != ours.assignment() {
        edits.push(Edit::SetAssignment(
            plan.assignment.map(|a| Box::new(a.clone())),
        ));
    }
    Some(edits)
}

/// What "the same place" means for two annotations: document, anchor, entity or stance.
type Place<'a> = (&'a DocId, &'a crate::model::Anchor, bool);

/// The label an annotation gives its place: entity type, or stance target and polarity.
fn label_of(ann: &Annotation) -> (&str, &str) {
    match ann.kind() {
        AnnotationKind::Entity { label, .. } => (label, ""),
        AnnotationKind::Stance {
            target, polarity, ..
        } => (target, polarity),
    }
}

/// Annotations one side made (or changed) on the same place as an annotation the other
/// side made, with another label, where the other side made none with that label.
fn same_span_conflicts(made: &[(Placed<'_>, Maker)]) -> Vec<Conflict> {
    let mut places: BTreeMap<Place<'_>, (Vec<&Annotation>, Vec<&Annotation>)> = BTreeMap::new();
    for ((doc, ann), maker) in made {
        let place = (*doc, ann.anchor(), ann.kind().is_entity());
        let entry = places.entry(place).or_default();
        match maker {
            Maker::Ours => entry.0.push(ann),
            Maker::Theirs => entry.1.push(ann),
        }
    }
    let mut out = Vec::new();
    for ((doc, _, _), (ours, theirs)) in &places {
        let our_labels: BTreeSet<_> = ours.iter().map(|a| label_of(a)).collect();
        let their_labels: BTreeSet<_> = theirs.iter().map(|a| label_of(a)).collect();
        let ours_alone = ours.iter().filter(|a| !their_labels.contains(&label_of(a)));
        let theirs_alone = theirs.iter().filter(|a| !our_labels.contains(&label_of(a)));
        for (o, t) in ours_alone.zip(theirs_alone) {
            out.push(Conflict {
                doc: (*doc).clone(),
                kind: ConflictKind::SameSpan,
                ours: Some(o.id()),
                theirs: Some(t.id()),
            });
        }
    }
    out
}

/// Relations merged by id (they are only ever added or removed).
fn merge_relations(base: &Project, ours: &Project, theirs: &Project) -> Vec<Relation> {
    let ids: BTreeSet<AnnotationId> = [base, ours, theirs]
        .iter()
        .flat_map(|p| p.relations().keys().copied())
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            let (b, o, t) = (
                base.relations().get(&id),
                ours.relations().get(&id),
                theirs.relations().get(&id),
            );
            match pick(b, o, t) {
                Pick::Agreed(r) | Pick::Ours(r) | Pick::Theirs(r) => r.cloned(),
                Pick::Conflict(o, t) => o.or(t).cloned(),
            }
        })
        .collect()
}

/// Brings back annotations that a kept stance holds or a kept relation names but one side
/// removed, recording each as a conflict (one side removed it, the other still uses it).
/// `dropped` holds the ids of the three copies the result does not keep (ascending); only
/// those can be missing, so one look at what is kept finds every one needed, and later
/// rounds only look at what the round before brought back (a brought-back stance may
/// hold another).
fn restore_linked<'a>(
    sources: [&'a Project; 3],
    kept: &mut Vec<Placed<'a>>,
    dropped: Vec<AnnotationId>,
    relations: &[Relation],
    extra: &[(DocId, Annotation)],
    conflicts: &mut Vec<Conflict>,
) {
    let [ours, theirs, base] = sources;
    let mut dropped: BTreeSet<AnnotationId> = dropped.into_iter().collect();
    let holder_of = |ann: &Annotation| match ann.kind() {
        AnnotationKind::Stance {
            holder: Some(h), ..
        } => Some(h.id()),
        _ => None,
    };
    let mut wanted: BTreeSet<AnnotationId> = kept
        .iter()
        .map(|(_, ann)| *ann)
        .chain(extra.iter().map(|(_, ann)| ann))
        .filter_map(holder_of)
        .chain(relations.iter().flat_map(|r| [r.from, r.to]))
        .filter(|id| dropped.contains(id))
        .collect();
    let mut restored: Vec<Placed<'a>> = Vec::new();
    while !wanted.is_empty() {
        let round = restored.len();
        for id in std::mem::take(&mut wanted) {
            dropped.remove(&id);
            let found = [ours, theirs, base]
                .into_iter()
                .find_map(|p| p.annotation_in_document(id));
            if let Some((doc, ann)) = found {
                conflicts.push(Conflict {
                    doc: doc.id().clone(),
                    kind: ConflictKind::ChangedAndRemoved,
                    ours: ours.annotation(id).map(|_| id),
                    theirs: theirs.annotation(id).map(|_| id),
                });
                restored.push((doc.id(), ann));
            }
        }
        wanted = restored[round..]
            .iter()
            .filter_map(|(_, ann)| holder_of(ann))
            .filter(|id| dropped.contains(id))
            .collect();
    }
    if !restored.is_empty() {
        kept.extend(restored);
        kept.sort_unstable_by_key(|(_, a)| a.id());
    }
}

/// Documents merged by id; a document one side removed stays while annotations use it
/// (`used`, asked only about removed documents).
fn merge_documents<'a>(
    base: &'a Project,
    ours: &'a Project,
    theirs: &'a Project,
    used: impl Fn(&DocId) -> bool,
) -> Result<Vec<&'a Document>, MergeError> {
    let ids: BTreeSet<&DocId> = [base, ours, theirs]
        .iter()
        .flat_map(|p| p.documents().iter().map(Document::id))
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (b, o, t) = (base.document(id), ours.document(id), theirs.document(id));
        if let (Some(o), Some(t)) = (o, t)
            && o.hash() != t.hash()
        {
            return Err(MergeError::TextDiffers(id.clone()));
        }
        let chosen = match pick(b, o, t) {
            Pick::Agreed(d) | Pick::Ours(d) | Pick::Theirs(d) => d,
            Pick::Conflict(o, t) => o.or(t),
        };
        let chosen = chosen.or_else(|| used(id).then(|| o.or(t).or(b)).flatten());
        out.extend(chosen);
    }
    Ok(out)
}

/// Statuses merged per document; set differently on both sides, the further one wins.
fn merge_statuses(
    base: &Project,
    ours: &Project,
    theirs: &Project,
    docs: &BTreeSet<&DocId>,
) -> Vec<(DocId, crate::model::DocStatus)> {
    docs.iter()
        .filter_map(|id| {
            let status = match pick(
                Some(base.status(id)),
                Some(ours.status(id)),
                Some(theirs.status(id)),
            ) {
                Pick::Agreed(s) | Pick::Ours(s) | Pick::Theirs(s) => s,
                Pick::Conflict(o, t) => o.max(t),
            }?;
            (status != crate::model::DocStatus::default()).then(|| ((*id).clone(), status))
        })
        .collect()
}

/// Rejected suggestions merged as a set.
fn merge_rejected(
    base: &Project,
    ours: &Project,
    theirs: &Project,
    docs: &BTreeSet<&DocId>,
) -> Vec<RejectedSuggestion> {
    let all: BTreeSet<&RejectedSuggestion> = [base, ours, theirs]
        .iter()
        .flat_map(|p| p.rejected_suggestions().iter())
        .collect();
    all.into_iter()
        .filter(|r| docs.contains(&r.doc))
        .filter(|r| {
            let has = |p: &Project| p.rejected_suggestions().contains(*r).then_some(());
            match pick(has(base), has(ours), has(theirs)) {
                Pick::Agreed(x) | Pick::Ours(x) | Pick::Theirs(x) => x.is_some(),
                Pick::Conflict(..) => true,
            }
        })
        .cloned()
        .collect()
}

/// The schema of the result: one side's when only it changed, else ours with what
/// theirs adds ([`unite_schemas`]).
pub fn merge_schemas(base: &Schema, ours: &Schema, theirs: &Schema) -> Schema {
    if ours == base {
        theirs.clone()
    } else if theirs == base || theirs == ours {
        ours.clone()
    } else {
        unite_schemas(ours, theirs)
    }
}

/// `ours` with the entity types, polarities and targets only `theirs` has.
pub fn unite_schemas(ours: &Schema, theirs: &Schema) -> Schema {
    let mut merged = ours.clone();
    for t in &theirs.entity_types {
        if merged.entity_type(&t.name).is_none() {
            merged.entity_types.push(t.clone());
        }
    }
    for p in &theirs.polarities {
        if merged.polarity(&p.name).is_none() {
            merged.polarities.push(p.clone());
        }
    }
    merged.targets.extend(theirs.targets.iter().cloned());
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::team::{Resolution, resolution_edit};
    use crate::model::edit::removal_edit;
    use crate::model::schema::builtin_schema;
    use crate::model::{Anchor, Span};

    const TEXT: &str = "Mark Zuckerberg bezoekt Brussel en Facebook.";

    fn base() -> Project {
        let docs = vec![
            Document::from_raw(DocId("d".into()), TEXT),
            Document::from_raw(DocId("e".into()), "Facebook stopt."),
        ];
        let mut p = Project::new(builtin_schema(), docs).expect("project");
        tag(&mut p, "Mark Zuckerberg", "PER");
        p
    }

    fn span_of(needle: &str) -> Span {
        let byte = TEXT.find(needle).expect("needle");
        let start = TEXT[..byte].chars().count();
        Span::within(start, start + needle.chars().count(), TEXT.chars().count()).expect("span")
    }

    /// Tags `needle` in document d; returns the id.
    fn tag(p: &mut Project, needle: &str, label: &str) -> AnnotationId {
        let ann = Annotation::entity(AnnotationId::NEW, span_of(needle), label);
        let ann = p.with_new_id(&DocId("d".into()), ann);
        let id = ann.id();
        apply(p, Edit::AddAnnotation(DocId("d".into()), ann)).expect("tag");
        id
    }

    fn relabel(p: &mut Project, needle: &str, label: &str) {
        let old = find(p, needle).expect("tagged");
        let kind = AnnotationKind::Entity {
            label: label.into(),
            canonical: None,
        };
        let new = p
            .annotation(old)
            .expect("ann")
            .with_kind(kind)
            .expect("kind");
        apply(p, Edit::ReplaceAnnotation(new)).expect("relabel");
    }

    fn untag(p: &mut Project, needle: &str) {
        let id = find(p, needle).expect("tagged");
        let edit = removal_edit(p, id);
        apply(p, edit).expect("untag");
    }

    fn find(p: &Project, needle: &str) -> Option<AnnotationId> {
        let span = span_of(needle);
        p.annotations_of(&DocId("d".into()))
            .into_iter()
            .find(|a| a.spans() == [span])
            .map(Annotation::id)
    }

    /// The result's tags as `text/LABEL`, sorted, and its conflicts' kinds.
    fn shown(p: &Project) -> (Vec<String>, Vec<ConflictKind>) {
        let doc = p.document(&DocId("d".into())).expect("d");
        let mut tags: Vec<String> = p
            .annotations_of(doc.id())
            .into_iter()
            .map(|a| format!("{}/{}", a.text(doc.text()), a.kind().display_label()))
            .collect();
        tags.sort();
        (tags, p.conflicts().iter().map(|c| c.kind).collect())
    }

    type Change = fn(&mut Project);

    /// A case: name, our change, their change, the merged tags, the conflicts recorded.
    type Case = (
        &'static str,
        Change,
        Change,
        Vec<&'static str>,
        Vec<ConflictKind>,
    );

    #[test]
    fn merges_by_the_three_way_rule_and_records_conflicts() {
        use ConflictKind::*;
        let nothing: Change = |_| {};
        let cases: Vec<Case> = vec![
            (
                "additions on both sides",
                |p| {
                    tag(p, "Brussel", "LOC");
                },
                |p| {
                    tag(p, "Facebook", "ORG");
                },
                vec!["Brussel/LOC", "Facebook/ORG", "Mark Zuckerberg/PER"],
                vec![],
            ),
            (
                "the same addition on both sides",
                |p| {
                    tag(p, "Brussel", "LOC");
                },
                |p| {
                    tag(p, "Brussel", "LOC");
                },
                vec!["Brussel/LOC", "Mark Zuckerberg/PER"],
                vec![],
            ),
            (
                "a change on one side",
                |p| relabel(p, "Mark Zuckerberg", "ORG"),
                nothing,
                vec!["Mark Zuckerberg/ORG"],
                vec![],
            ),
            (
                "a removal on the other side",
                nothing,
                |p| untag(p, "Mark Zuckerberg"),
                vec![],
                vec![],
            ),
            (
                "one annotation changed differently on both sides",
                |p| relabel(p, "Mark Zuckerberg", "ORG"),
                |p| relabel(p, "Mark Zuckerberg", "MISC"),
                vec!["Mark Zuckerberg/MISC", "Mark Zuckerberg/ORG"],
                vec![BothChanged],
            ),
            (
                "changed on one side, removed on the other",
                |p| untag(p, "Mark Zuckerberg"),
                |p| relabel(p, "Mark Zuckerberg", "MISC"),
                vec!["Mark Zuckerberg/MISC"],
                vec![ChangedAndRemoved],
            ),
            (
                "two labels on one span",
                |p| {
                    tag(p, "Brussel", "LOC");
                },
                |p| {
                    tag(p, "Brussel", "ORG");
                },
                vec!["Brussel/LOC", "Brussel/ORG", "Mark Zuckerberg/PER"],
                vec![SameSpan],
            ),
            (
                "a removed holder that a new stance uses",
                |p| untag(p, "Mark Zuckerberg"),
                |p| {
                    let holder = find(p, "Mark Zuckerberg");
                    let kind = AnnotationKind::Stance {
                        target: "Facebook".into(),
                        polarity: "AGAINST".into(),
                        holder: holder.and_then(crate::model::HolderId::new),
                    };
                    let d = DocId("d".into());
                    let id = p.allocate_id_for(&d, &Anchor::Document, &kind);
                    let stance = Annotation::new(id, Anchor::Document, kind).expect("stance");
                    apply(p, Edit::AddAnnotation(d, stance)).expect("stance");
                },
                vec!["/AGAINST · Facebook", "Mark Zuckerberg/PER"],
                vec![ChangedAndRemoved],
            ),
        ];
        for (name, ours_change, theirs_change, tags, conflicts) in cases {
            let base = base();
            let (mut ours, mut theirs) = (base.clone(), base.clone());
            ours_change(&mut ours);
            theirs_change(&mut theirs);
            let merged = merge3(&base, &ours, &theirs).expect(name);
            let (got_tags, got_conflicts) = shown(&merged);
            assert_eq!(got_tags, tags, "{name}");
            assert_eq!(got_conflicts, conflicts, "{name}");
            // Deterministic, and the same content whichever side is ours when clean.
            let again = merge3(&base, &ours, &theirs).expect(name);
            assert_eq!(
                crate::io::project_file::to_ron(&again),
                crate::io::project_file::to_ron(&merged)
            );
            if conflicts.is_empty() {
                assert_eq!(merge3(&base, &theirs, &ours).expect(name), merged, "{name}");
            }
            // The changes applied to ours are the project built from scratch.
            let edit = merge_edit(&base, &ours, &theirs).expect(name).expect(name);
            let mut changed = ours.clone();
            apply(&mut changed, edit).expect(name);
            let rebuilt = merge3_rebuilt(&base, &ours, &theirs).expect(name);
            assert_eq!(changed, rebuilt, "{name}");
            assert_eq!(merged, rebuilt, "{name}");
        }
    }

    #[test]
    fn each_resolution_is_one_undoable_edit() {
        let base = base();
        let (mut ours, mut theirs) = (base.clone(), base.clone());
        relabel(&mut ours, "Mark Zuckerberg", "ORG");
        relabel(&mut theirs, "Mark Zuckerberg", "MISC");
        let merged = merge3(&base, &ours, &theirs).expect("merge");
        let conflict = merged.conflicts().first().cloned().expect("a conflict");
        let original_id = find(&base, "Mark Zuckerberg").expect("id");
        for (resolution, tags) in [
            (Resolution::TakeOurs, vec!["Mark Zuckerberg/ORG"]),
            (Resolution::TakeTheirs, vec!["Mark Zuckerberg/MISC"]),
            (
                Resolution::KeepAsEdited,
                vec!["Mark Zuckerberg/MISC", "Mark Zuckerberg/ORG"],
            ),
        ] {
            let mut p = merged.clone();
            let edit = resolution_edit(&p, &conflict, resolution).expect("recorded");
            let undo = apply(&mut p, edit).expect("resolves");
            let (got, left) = shown(&p);
            assert_eq!(got, tags, "{resolution:?}");
            assert!(left.is_empty(), "{resolution:?} settles the conflict");
            if resolution != Resolution::KeepAsEdited {
                assert!(p.annotation(original_id).is_some(), "the base id survives");
            }
            apply(&mut p, undo).expect("undo");
            assert_eq!(p, merged, "{resolution:?} undone");
        }
    }

    #[test]
    fn a_document_added_on_one_side_is_merged_by_building_the_result_anew() {
        let base = base();
        let mut ours = base.clone();
        tag(&mut ours, "Brussel", "LOC");
        let mut theirs = base.clone();
        let added = Document::from_raw(DocId("f".into()), "Nieuw stuk.");
        apply(&mut theirs, Edit::AddDocuments(vec![added])).expect("add");
        assert_eq!(merge_edit(&base, &ours, &theirs), Ok(None));
        let merged = merge3_into_ours(&base, ours.clone(), &theirs).expect("merge");
        assert!(merged.document(&DocId("f".into())).is_some());
        assert_eq!(shown(&merged).0, ["Brussel/LOC", "Mark Zuckerberg/PER"]);
        assert_eq!(
            merged,
            merge3_rebuilt(&base, &ours, &theirs).expect("rebuilt")
        );
    }

    #[test]
    fn texts_that_differ_are_an_error() {
        let base = base();
        let mut theirs = Project::new(
            builtin_schema(),
            vec![Document::from_raw(DocId("d".into()), "Iets anders.")],
        )
        .expect("project");
        let ours = base.clone();
        assert_eq!(
            merge3(&base, &ours, &theirs),
            Err(MergeError::TextDiffers(DocId("d".into())))
        );
        theirs = base.clone();
        assert!(merge3(&base, &ours, &theirs).is_ok());
    }
}
