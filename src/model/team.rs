//! Team work recorded in a project: the share of the corpus a split gave this copy
//! ([`Assignment`]), and the conflicts a three-way merge or an adjudication left for a
//! person to settle ([`Conflict`]). Both are plain data; they change only through
//! [`crate::model::edit::apply`] (`Edit::SetAssignment`, `Edit::SetConflict`).

use super::annotation::AnnotationId;
use super::document::DocId;
use std::collections::BTreeSet;

/// Which documents an annotator was given by `spantag split`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    /// Who annotates this copy (for an adjudication: `adjudication`).
    pub annotator: String,
    /// Everyone the corpus was split among, in the order given.
    pub annotators: Vec<String>,
    /// The documents of this copy's share, shared ones included.
    pub documents: BTreeSet<DocId>,
    /// The documents every annotator was given (double annotation, for agreement).
    pub shared: BTreeSet<DocId>,
}

/// Why two versions of the work could not be combined without a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// Both sides changed the same annotation, differently: ours keeps its id, theirs is
    /// kept beside it under a new id.
    BothChanged,
    /// One side changed (or links to) an annotation the other side removed: the kept
    /// version is recorded on its side, the other side is `None`.
    ChangedAndRemoved,
    /// Both sides tagged the same spans with different labels (or stance targets).
    SameSpan,
    /// Adjudication: an annotation that not every annotator of its document made (the
    /// annotation's `annotators` attribute says who did); it is recorded as `ours`.
    Disagreement,
}

impl ConflictKind {
    /// A few words for lists and messages.
    pub fn describe(self) -> &'static str {
        match self {
            ConflictKind::BothChanged => "changed on both sides",
            ConflictKind::ChangedAndRemoved => "changed on one side, removed on the other",
            ConflictKind::SameSpan => "same span, different labels",
            ConflictKind::Disagreement => "not made by every annotator",
        }
    }
}

/// One conflict: the annotations (in this project) that hold each side's version. At
/// least one side is present; a missing side means that side removed it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Conflict {
    /// The document.
    pub doc: DocId,
    /// What kind of conflict.
    pub kind: ConflictKind,
    /// The annotation holding our version (`None`: we removed it).
    pub ours: Option<AnnotationId>,
    /// The annotation holding their version (`None`: they removed it).
    pub theirs: Option<AnnotationId>,
}

impl Conflict {
    /// The annotations it names.
    pub fn annotations(&self) -> impl Iterator<Item = AnnotationId> {
        self.ours.into_iter().chain(self.theirs)
    }
}

/// The name of the attribute that lists, in an adjudication project, the annotators who
/// made an annotation not every annotator made (comma-separated).
pub const ANNOTATORS_ATTRIBUTE: &str = "annotators";
