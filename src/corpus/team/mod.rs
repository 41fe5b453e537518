//! Annotating as a team: splitting a corpus among annotators ([`split`]), the three-way
//! merge git runs when two annotators' work meets ([`merge3`]), combining several
//! annotators' copies for adjudication ([`adjudicate`]), settling the conflicts those
//! record ([`resolution_edit`]) and installing spantag as git's merge driver ([`git`]).
//!
//! Everything here but [`git`] is pure: projects in, projects (or edits) out.

pub mod adjudicate;
pub mod git;
pub mod merge3;
pub mod split;

use crate::model::edit::removal_edit;
use crate::model::team::{Conflict, ConflictKind};
use crate::model::{Annotation, AnnotationId, Edit, Project};

/// How a person settles a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Keep our version (adjudication: accept the annotation).
    TakeOurs,
    /// Keep their version (adjudication: reject the annotation).
    TakeTheirs,
    /// Keep the project as it is now (both versions, or whatever was edited by hand) and
    /// drop the conflict record.
    KeepAsEdited,
}

/// The edits that record `conflicts` in a project.
pub fn records_of(conflicts: impl IntoIterator<Item = Conflict>) -> Vec<Edit> {
    conflicts
        .into_iter()
        .map(|c| Edit::SetConflict(c, true))
        .collect()
}

/// The one edit that settles `conflict` in `project` the way `resolution` says, dropping
/// its record; `None` when the conflict is not recorded there. Taking a side removes the
/// other side's annotation (with the links to it, as deleting it would) or, when both
/// sides changed one annotation, gives ours their content under our id, so what links to
/// it stays linked.
pub fn resolution_edit(
    project: &Project,
    conflict: &Conflict,
    resolution: Resolution,
) -> Option<Edit> {
    if !project.conflicts().contains(conflict) {
        return None;
    }
    let drop_record = Edit::SetConflict(conflict.clone(), false);
    // Removing an annotation drops the records that name it (`removal_edit`), this one
    // among them.
    let edit = match (conflict.kind, resolution) {
        (_, Resolution::KeepAsEdited) => drop_record,
        // Adjudication: one annotation, accepted (kept) or rejected (removed).
        (ConflictKind::Disagreement, Resolution::TakeOurs) => drop_record,
        (ConflictKind::Disagreement, Resolution::TakeTheirs) => match conflict.ours {
            Some(id) => removal_edit(project, id),
            None => drop_record,
        },
        // Both versions kept: ours holds the id others link to, so taking theirs moves
        // their content onto it.
        (ConflictKind::BothChanged, Resolution::TakeTheirs) => {
            let (ours, theirs) = (conflict.ours?, conflict.theirs?);
            let moved = moved_content(project.annotation(ours)?, project.annotation(theirs)?)?;
            Edit::Batch(vec![
                Edit::ReplaceAnnotation(moved),
                removal_edit(project, theirs),
            ])
        }
        (_, Resolution::TakeOurs) => match conflict.theirs {
            Some(theirs) if conflict.ours != Some(theirs) => removal_edit(project, theirs),
            _ => drop_record,
        },
        (_, Resolution::TakeTheirs) => match conflict.ours {
            Some(ours) if conflict.theirs != Some(ours) => removal_edit(project, ours),
            _ => drop_record,
        },
    };
    Some(edit)
}

/// `onto` with everything `from` says (anchor, kind, note, attributes), keeping its id.
fn moved_content(onto: &Annotation, from: &Annotation) -> Option<Annotation> {
    let mut moved = onto.with_anchor(from.anchor().clone()).ok()?;
    moved = moved.with_kind(from.kind().clone()).ok()?;
    moved.set_note(from.note().map(Into::into));
    moved.set_attributes(from.attributes().clone());
    Some(moved)
}

/// One line about an annotation: `“text” LABEL` or `“text” POLARITY · target`, or
/// `(removed)` for a side that removed it.
pub fn version_summary(project: &Project, id: Option<AnnotationId>) -> String {
    let Some((doc, ann)) = id.and_then(|id| project.annotation_in_document(id)) else {
        return "(removed)".to_owned();
    };
    let text = ann.text(doc.text());
    let short: String = text.chars().take(50).collect();
    let more = if short.chars().count() < text.chars().count() {
        "…"
    } else {
        ""
    };
    let quoted = if text.is_empty() {
        "(document)".to_owned()
    } else {
        format!("“{short}{more}”")
    };
    format!("{quoted} {}", ann.kind().display_label())
}

/// One line about a conflict, for the command line and the window's list.
pub fn describe(project: &Project, conflict: &Conflict) -> String {
    let kind = conflict.kind.describe();
    if conflict.kind == ConflictKind::Disagreement {
        let who = conflict
            .ours
            .and_then(|id| project.annotation(id))
            .and_then(|a| a.attributes().get(crate::model::team::ANNOTATORS_ATTRIBUTE))
            .map_or_else(String::new, |w| format!(" (by {w})"));
        return format!(
            "document '{}': {kind}: {}{who}",
            conflict.doc,
            version_summary(project, conflict.ours)
        );
    }
    format!(
        "document '{}': {kind}: ours {} / theirs {}",
        conflict.doc,
        version_summary(project, conflict.ours),
        version_summary(project, conflict.theirs)
    )
}
