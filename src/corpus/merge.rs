//! Merging two annotators' work on the same documents.
//!
//! [`diff`] lists where project A and project B differ — an annotation only in A, only in
//! B, or the same spans with another label (or canonical name, target, polarity, holder).
//! The merge result is built in a copy of A: for each [`Difference`], [`take_edit`] gives
//! the [`Edit`] that makes the result hold A's or B's version, and [`take_all_edit`] does
//! so for every difference in one edit. Which side a difference currently shows is read
//! from the result itself ([`side_of`]), so undoing a choice needs no bookkeeping.
//!
//! Annotations are compared by content, not by id (ids differ between projects): document,
//! anchor, label and canonical name (entities) or target, polarity and holder (stances; the
//! holder by its spans and label). Notes, attributes and relations are not compared.
//! Identical duplicates within one project count once. Pure: no IO.

use crate::corpus::agree::{AgreeError, check_same_documents};
use crate::model::edit::removal_edit;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Edit, Name, Project, apply,
};
use std::collections::BTreeSet;

/// Which annotator's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The first project (the one the result starts from).
    A,
    /// The second project.
    B,
}

/// What an annotation says, independent of its id and project.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Content {
    /// Document.
    pub doc: DocId,
    /// Spans, or the whole document.
    pub anchor: Anchor,
    /// Entity or stance fields.
    pub kind: ContentKind,
}

/// The kind of an annotation, with the holder given by content instead of by id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContentKind {
    /// An entity.
    Entity {
        /// Entity type.
        label: Name,
        /// Canonical name.
        canonical: Option<Name>,
    },
    /// A stance.
    Stance {
        /// Target.
        target: Name,
        /// Polarity.
        polarity: Name,
        /// The holder's anchor and label.
        holder: Option<(Anchor, Name)>,
    },
}

impl ContentKind {
    fn is_entity(&self) -> bool {
        matches!(self, ContentKind::Entity { .. })
    }

    /// The entity label or stance target: what "same span, other label" is about.
    fn key(&self) -> &str {
        match self {
            ContentKind::Entity { label, .. } => label,
            ContentKind::Stance { target, .. } => target,
        }
    }
}

/// The content of an annotation of document `doc` of `project`.
pub fn content_of(project: &Project, doc: &DocId, ann: &Annotation) -> Content {
    let kind = match ann.kind() {
        AnnotationKind::Entity { label, canonical } => ContentKind::Entity {
            label: label.clone(),
            canonical: canonical.clone(),
        },
        AnnotationKind::Stance {
            target,
            polarity,
            holder,
        } => ContentKind::Stance {
            target: target.clone(),
            polarity: polarity.clone(),
            holder: holder
                .and_then(|h| project.annotation(h.id()))
                .map(|h| (h.anchor().clone(), h.label().unwrap_or_default().into())),
        },
    };
    Content {
        doc: doc.clone(),
        anchor: ann.anchor().clone(),
        kind,
    }
}

/// One side's version of a difference: the annotation as that project has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The annotation in its own project (its id means nothing in the other project).
    pub annotation: Annotation,
    /// Its content.
    pub content: Content,
}

/// How two projects differ at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffKind {
    /// Only A has this annotation.
    OnlyA,
    /// Only B has this annotation.
    OnlyB,
    /// Both tagged the same spans, with another label (or other fields).
    Changed,
}

/// One difference between A and B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The document.
    pub doc: DocId,
    /// A's version, if A has one.
    pub a: Option<Version>,
    /// B's version, if B has one.
    pub b: Option<Version>,
}

impl Difference {
    /// Only in A, only in B, or changed.
    pub fn kind(&self) -> DiffKind {
        match (&self.a, &self.b) {
            (Some(_), Some(_)) => DiffKind::Changed,
            (None, _) => DiffKind::OnlyB,
            (Some(_), None) => DiffKind::OnlyA,
        }
    }

    /// A side's version.
    pub fn version(&self, side: Side) -> Option<&Version> {
        match side {
            Side::A => self.a.as_ref(),
            Side::B => self.b.as_ref(),
        }
    }

    fn is_entity(&self) -> bool {
        self.a
            .as_ref()
            .or(self.b.as_ref())
            .is_some_and(|v| v.content.kind.is_entity())
    }
}

/// The differences between two projects over the same documents, in document order and
/// reading order within a document.
pub fn diff(a: &Project, b: &Project) -> Result<Vec<Difference>, AgreeError> {
    check_same_documents(a, b)?;
    let mut out = Vec::new();
    for doc in a.documents() {
        let id = doc.id();
        let versions = |p: &Project| -> Vec<Version> {
            let mut seen = BTreeSet::new();
            p.annotations_of(id)
                .into_iter()
                .map(|ann| Version {
                    annotation: ann.clone(),
                    content: content_of(p, id, ann),
                })
                .filter(|v| seen.insert(v.content.clone()))
                .collect()
        };
        let (va, vb) = (versions(a), versions(b));
        let in_a: BTreeSet<&Content> = va.iter().map(|v| &v.content).collect();
        let in_b: BTreeSet<&Content> = vb.iter().map(|v| &v.content).collect();
        let only_a: Vec<&Version> = va.iter().filter(|v| !in_b.contains(&v.content)).collect();
        let mut only_b: Vec<Option<&Version>> = vb
            .iter()
            .filter(|v| !in_a.contains(&v.content))
            .map(Some)
            .collect();
        let mut paired: Vec<(Option<&Version>, Option<&Version>)> = Vec::new();
        let mut unpaired_a = Vec::new();
        // Pair the same anchor and class: first with the same label/target, then any.
        let mut rest: Vec<&Version> = only_a;
        for same_key in [true, false] {
            for x in rest.drain(..) {
                let found = only_b.iter_mut().find(|y| {
                    y.is_some_and(|y| {
                        y.content.anchor == x.content.anchor
                            && y.content.kind.is_entity() == x.content.kind.is_entity()
                            && (!same_key || y.content.kind.key() == x.content.kind.key())
                    })
                });
                match found.and_then(Option::take) {
                    Some(y) => paired.push((Some(x), Some(y))),
                    None => unpaired_a.push(x),
                }
            }
            rest = std::mem::take(&mut unpaired_a);
        }
        paired.extend(rest.into_iter().map(|x| (Some(x), None)));
        paired.extend(only_b.into_iter().flatten().map(|y| (None, Some(y))));
        paired.sort_by_key(|(x, y)| {
            let ann = x.or(*y).map(|v| &v.annotation);
            ann.map(|a| (a.reading_order().0, a.reading_order().1))
        });
        out.extend(paired.into_iter().map(|(x, y)| Difference {
            doc: id.clone(),
            a: x.cloned(),
            b: y.cloned(),
        }));
    }
    Ok(out)
}

/// The annotation of `project` (the merge result) that holds one of the difference's
/// versions, A's first: where "show" jumps to.
pub fn annotation_in(project: &Project, difference: &Difference) -> Option<AnnotationId> {
    [&difference.a, &difference.b]
        .into_iter()
        .flatten()
        .find_map(|v| find(project, &v.content).first().map(|a| a.id()))
}

/// Annotations of `project` with the given content.
fn find<'p>(project: &'p Project, content: &Content) -> Vec<&'p Annotation> {
    project
        .annotations_of(&content.doc)
        .into_iter()
        .filter(|ann| content_of(project, &content.doc, ann) == *content)
        .collect()
}

/// Which version of a difference `project` (the merge result) holds: A's, B's, or
/// neither (`None`, when the place was edited by hand since).
pub fn side_of(project: &Project, difference: &Difference) -> Option<Side> {
    let has = |v: &Option<Version>| v.as_ref().map(|v| !find(project, &v.content).is_empty());
    match (has(&difference.a), has(&difference.b)) {
        (Some(true), _) => Some(Side::A),
        (_, Some(true)) => Some(Side::B),
        (Some(false), None) => Some(Side::B),
        (None, Some(false)) => Some(Side::A),
        _ => None,
    }
}

/// The annotation kind of a content in `project`: the holder is the entity of the same
/// document with the holder's anchor and label, if the project has one.
fn kind_in(project: &Project, content: &Content) -> AnnotationKind {
    match &content.kind {
        ContentKind::Entity { label, canonical } => AnnotationKind::Entity {
            label: label.clone(),
            canonical: canonical.clone(),
        },
        ContentKind::Stance {
            target,
            polarity,
            holder,
        } => AnnotationKind::Stance {
            target: target.clone(),
            polarity: polarity.clone(),
            holder: holder.as_ref().and_then(|(anchor, label)| {
                project
                    .annotations_of(&content.doc)
                    .into_iter()
                    .find(|h| h.anchor() == anchor && h.label() == Some(label.as_str()))
                    .and_then(|h| crate::model::HolderId::new(h.id()))
            }),
        },
    }
}

/// The edit that makes `project` (the merge result) hold `side`'s version of a
/// difference, or `None` when it already does. A missing version is removed; a changed
/// one is replaced in place (keeping its id, so stances it holds stay linked); a new one
/// gets a fresh id. `project` is only touched to allocate that id.
pub fn take_edit(project: &mut Project, difference: &Difference, side: Side) -> Option<Edit> {
    if side_of(project, difference) == Some(side) {
        return None;
    }
    let other = match side {
        Side::A => Side::B,
        Side::B => Side::A,
    };
    let wanted = difference.version(side);
    let mut present: Vec<Annotation> = difference
        .version(other)
        .map(|v| find(project, &v.content).into_iter().cloned().collect())
        .unwrap_or_default();
    let mut edits = Vec::new();
    if let Some(wanted) = wanted
        && find(project, &wanted.content).is_empty()
    {
        let kind = kind_in(project, &wanted.content);
        let replaced = present
            .iter()
            .position(|p| p.anchor() == &wanted.content.anchor)
            .map(|i| present.remove(i));
        match replaced {
            Some(old) => {
                let mut new = old.with_kind(kind).ok()?;
                new.set_note(wanted.annotation.note().map(Into::into));
                new.set_attributes(wanted.annotation.attributes().clone());
                edits.push(Edit::ReplaceAnnotation(new));
            }
            None => {
                let id =
                    project.allocate_id_for(&wanted.content.doc, &wanted.content.anchor, &kind);
                let new = wanted.annotation.with_id(id).with_kind(kind).ok()?;
                edits.push(Edit::AddAnnotation(wanted.content.doc.clone(), new));
            }
        }
    }
    edits.extend(present.iter().map(|p| removal_edit(project, p.id())));
    match edits.len() {
        0 => None,
        1 => edits.pop(),
        _ => Some(Edit::Batch(edits)),
    }
}

/// One edit that makes `project` hold `side`'s version of every difference (entities
/// first, so stances find their holders). `None` when nothing changes.
pub fn take_all_edit(project: &Project, differences: &[Difference], side: Side) -> Option<Edit> {
    let mut scratch = project.clone();
    let mut edits = Vec::new();
    let ordered = differences
        .iter()
        .filter(|d| d.is_entity())
        .chain(differences.iter().filter(|d| !d.is_entity()));
    for difference in ordered {
        if let Some(edit) = take_edit(&mut scratch, difference, side)
            && apply(&mut scratch, edit.clone()).is_ok()
        {
            edits.push(edit);
        }
    }
    (!edits.is_empty()).then_some(Edit::Batch(edits))
}

/// A one-line description of a version: `“text” LABEL (canonical)` for an entity,
/// `“text” POLARITY · target` for a stance.
pub fn summary(project: &Project, version: &Version) -> String {
    let text = project
        .document(&version.content.doc)
        .map(|d| version.annotation.text(d.text()))
        .unwrap_or_default();
    let quoted = if text.is_empty() {
        "(document)".to_owned()
    } else {
        let short: String = text.chars().take(60).collect();
        let more = if short.len() < text.len() { "…" } else { "" };
        format!("“{short}{more}”")
    };
    match &version.content.kind {
        ContentKind::Entity { label, canonical } => match canonical {
            Some(c) => format!("{quoted} {label} ({c})"),
            None => format!("{quoted} {label}"),
        },
        ContentKind::Stance {
            target,
            polarity,
            holder,
        } => {
            let held = holder.as_ref().map_or("", |_| ", with holder");
            format!("{quoted} {polarity} · {target}{held}")
        }
    }
}
