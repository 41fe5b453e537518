//! Annotations: entities and stances anchored to spans of a document (or to the whole
//! document, for document-level stances), plus brat-style relations between annotations.

use super::document::DocId;
use super::name::Name;
use super::span::Span;
use super::text::DocText;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A project-wide unique annotation id. New ids are derived from the annotation's content
/// when it is made ([`AnnotationId::derive`]), so copies of a project annotated apart
/// never hand out one id for different annotations; files from before format version 3
/// keep their small counter ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnnotationId(pub u64);

impl AnnotationId {
    /// The id of an annotation built before its id is known; [`crate::model::Project::with_new_id`]
    /// gives it its real one, derived from its content.
    pub const NEW: AnnotationId = AnnotationId(0);

    /// Where derived ids start: ids below were handed out by a per-file counter (format
    /// versions 1 and 2), so a derived id never meets one of those.
    pub const DERIVED_START: u64 = 1 << 32;
    /// Where derived ids end: below 2^53, so an id survives a trip through JSON numbers
    /// (JavaScript, spreadsheets) and prints in at most 16 digits.
    pub const DERIVED_END: u64 = 1 << 53;

    /// The id of a new annotation, derived from what it says when it is made: its
    /// document, anchor and label (entity) or target and polarity (stance). `taken`
    /// says which ids are in use; the first free one of a fixed sequence of hashes is
    /// returned. Two copies of a project that make the same annotation give it the same
    /// id, and different annotations get ids that differ with overwhelming likelihood
    /// (2^53 values), so work done apart merges by id without renumbering.
    pub fn derive(
        doc: &DocId,
        anchor: &Anchor,
        kind: &AnnotationKind,
        taken: impl Fn(AnnotationId) -> bool,
    ) -> Self {
        let mut content = Sha256::new();
        content.update(b"annotation\xff");
        content.update(doc.0.as_bytes());
        content.update(b"\xff");
        match anchor {
            Anchor::Document => content.update(b"document"),
            Anchor::Spans(spans) => {
                for span in spans {
                    content.update((span.start().0 as u64).to_le_bytes());
                    content.update((span.end().0 as u64).to_le_bytes());
                }
            }
        }
        match kind {
            AnnotationKind::Entity { label, .. } => {
                content.update(b"\xffentity\xff");
                content.update(label.as_bytes());
            }
            AnnotationKind::Stance {
                target, polarity, ..
            } => {
                content.update(b"\xffstance\xff");
                content.update(target.as_bytes());
                content.update(b"\xff");
                content.update(polarity.as_bytes());
            }
        }
        Self::first_free(content, taken)
    }

    /// The id of a new relation, derived like [`AnnotationId::derive`] from its label and
    /// arguments.
    pub fn derive_relation(
        label: &str,
        from: AnnotationId,
        to: AnnotationId,
        taken: impl Fn(AnnotationId) -> bool,
    ) -> Self {
        let mut content = Sha256::new();
        content.update(b"relation\xff");
        content.update(label.as_bytes());
        content.update(b"\xff");
        content.update(from.0.to_le_bytes());
        content.update(to.0.to_le_bytes());
        Self::first_free(content, taken)
    }

    /// The first id of the sequence `hash(content, 0)`, `hash(content, 1)`, … that is not
    /// taken, mapped into `DERIVED_START..DERIVED_END`.
    fn first_free(content: Sha256, taken: impl Fn(AnnotationId) -> bool) -> Self {
        const RANGE: u64 = AnnotationId::DERIVED_END - AnnotationId::DERIVED_START;
        (0u64..)
            .map(|probe| {
                let digest = content.clone().chain_update(probe.to_le_bytes()).finalize();
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                AnnotationId(Self::DERIVED_START + u64::from_le_bytes(first) % RANGE)
            })
            .find(|id| !taken(*id))
            .unwrap_or(AnnotationId(Self::DERIVED_START))
    }
}

impl fmt::Display for AnnotationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Why an annotation could not be built.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AnnotationError {
    /// An entity was given no span.
    #[error("an entity needs at least one span")]
    EntityWithoutSpan,
    /// A label, target or polarity is empty.
    #[error("the {0} must not be empty")]
    EmptyName(&'static str),
}

/// An anchor's spans: one (the usual case) is stored inline, more (brat's discontinuous
/// annotations) in a list on the heap. Two words, so an [`Anchor`] is two words too (a
/// big project holds millions). It reads as a slice of spans; two lists are equal, ordered
/// and hashed as their slices are.
#[derive(Clone)]
pub enum SpanList {
    /// Exactly one span.
    One(Span),
    /// Any number of spans (boxed: one word instead of three, in every anchor).
    Many(Box<Vec<Span>>),
}

impl SpanList {
    /// The spans of `spans`, one inline.
    pub fn from_vec(mut spans: Vec<Span>) -> Self {
        match spans.as_slice() {
            [one] => SpanList::One(*one),
            _ => {
                spans.shrink_to_fit();
                SpanList::Many(Box::new(spans))
            }
        }
    }

    /// The spans as a slice.
    pub fn as_slice(&self) -> &[Span] {
        match self {
            SpanList::One(span) => std::slice::from_ref(span),
            SpanList::Many(spans) => spans,
        }
    }
}

impl std::ops::Deref for SpanList {
    type Target = [Span];
    fn deref(&self) -> &[Span] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a SpanList {
    type Item = &'a Span;
    type IntoIter = std::slice::Iter<'a, Span>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for SpanList {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SpanList {}

impl PartialOrd for SpanList {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SpanList {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl std::hash::Hash for SpanList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for SpanList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// What an annotation is anchored to: one or more spans (more than one for brat's
/// discontinuous annotations), or the document as a whole.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Anchor {
    /// The whole document (document-level stance).
    Document,
    /// Non-empty, sorted spans; one (the usual case) is kept inline, without a separate
    /// allocation per annotation.
    Spans(SpanList),
}

impl Anchor {
    /// An anchor on sorted, de-duplicated spans; `None` when `spans` is empty.
    pub fn spans(mut spans: Vec<Span>) -> Option<Self> {
        spans.sort();
        spans.dedup();
        (!spans.is_empty()).then(|| Anchor::Spans(SpanList::from_vec(spans)))
    }

    /// An anchor on one span.
    pub fn span(span: Span) -> Self {
        Anchor::Spans(SpanList::One(span))
    }

    /// The spans (empty for a document anchor).
    pub fn span_list(&self) -> &[Span] {
        match self {
            Anchor::Document => &[],
            Anchor::Spans(spans) => spans,
        }
    }

    /// From the first span's start to the last span's end.
    pub fn covering(&self) -> Option<Span> {
        let spans = self.span_list();
        let (first, last) = (spans.first()?, spans.last()?);
        Span::within(first.start().0, last.end().0, last.end().0).ok()
    }
}

/// An entity or a stance.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AnnotationKind {
    /// A mention of a person, organisation, place, date, amount …
    Entity {
        /// Entity type name, e.g. `PER`.
        label: Name,
        /// Canonical name joining mentions of one entity ("Mark Zuckerberg").
        canonical: Option<Name>,
    },
    /// A claim or quote expressing a stance toward a target.
    Stance {
        /// What the stance is about: a canonical entity or a free target.
        target: Name,
        /// Polarity name from the schema, e.g. `AGAINST`.
        polarity: Name,
        /// The entity annotation (in the same document) who expresses the stance.
        holder: Option<HolderId>,
    },
}

/// The id of a stance's holder, in one word with room for "no holder": an
/// `Option<HolderId>` is 8 bytes where an `Option<AnnotationId>` takes 16, which keeps
/// [`AnnotationKind`] at three words. Every id but `u64::MAX` (which no project hands
/// out: derived ids lie below 2^53, older counter ids below 2^32) can be a holder.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HolderId(std::num::NonZeroU64);

impl HolderId {
    /// The holder `id`; `None` for `u64::MAX`, the one id that cannot be one.
    pub fn new(id: AnnotationId) -> Option<Self> {
        std::num::NonZeroU64::new(!id.0).map(Self)
    }

    /// The holder's annotation id.
    pub fn id(self) -> AnnotationId {
        AnnotationId(!self.0.get())
    }
}

impl From<HolderId> for AnnotationId {
    fn from(holder: HolderId) -> Self {
        holder.id()
    }
}

impl fmt::Debug for HolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.id(), f)
    }
}

impl fmt::Display for HolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.id(), f)
    }
}

impl AnnotationKind {
    /// A stance on `target` with `polarity`, held by `holder` (an id that cannot be a
    /// holder, `u64::MAX`, gives no holder).
    pub fn stance(target: Name, polarity: Name, holder: Option<AnnotationId>) -> Self {
        AnnotationKind::Stance {
            target,
            polarity,
            holder: holder.and_then(HolderId::new),
        }
    }

    /// A stance's holder (`None` for entities and stances without one).
    pub fn holder(&self) -> Option<AnnotationId> {
        match self {
            AnnotationKind::Stance { holder, .. } => holder.map(HolderId::id),
            AnnotationKind::Entity { .. } => None,
        }
    }

    /// The label shown on the highlight: the entity type, or `polarity → target`.
    pub fn display_label(&self) -> String {
        match self {
            AnnotationKind::Entity { label, .. } => label.to_string(),
            AnnotationKind::Stance {
                target, polarity, ..
            } => format!("{polarity} · {target}"),
        }
    }

    /// Whether this is an entity.
    pub fn is_entity(&self) -> bool {
        matches!(self, AnnotationKind::Entity { .. })
    }
}

/// A free note on an annotation: one word in every annotation (a pointer to the boxed
/// text, where `Box<str>` takes two), since most annotations have none — a big project
/// holds 300k, and that word takes each one from a 144- to a 128-byte allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Note(Box<Box<str>>);

impl std::ops::Deref for Note {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Note {
    fn from(s: &str) -> Self {
        Self(Box::new(s.into()))
    }
}

impl From<String> for Note {
    fn from(s: String) -> Self {
        Self(Box::new(s.into_boxed_str()))
    }
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// An annotation's extra attributes (brat `A` lines, imported metadata), sorted by name.
/// Most annotations have none, and then this is one word with nothing allocated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[expect(
    clippy::box_collection,
    reason = "one word instead of three in every annotation; most have no attributes"
)]
pub struct Attributes(Option<Box<BTreeMap<String, String>>>);

impl Attributes {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.as_ref()?.get(name)
    }

    /// Sets attribute `name`; returns its previous value.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        self.0.get_or_insert_default().insert(name, value)
    }

    /// All attributes, sorted by name; `None` when there are none.
    pub fn as_map(&self) -> Option<&BTreeMap<String, String>> {
        self.0.as_deref()
    }

    /// All attributes, sorted by name.
    pub fn iter(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }
}

impl From<BTreeMap<String, String>> for Attributes {
    fn from(map: BTreeMap<String, String>) -> Self {
        Attributes((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Flatten<std::option::IntoIter<&'a BTreeMap<String, String>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.as_deref().into_iter().flatten()
    }
}

/// What few annotations carry: a note and attributes, boxed together so an annotation
/// without either (nearly all of them) spends one word on both.
#[derive(Clone, Debug, Default)]
struct Extras {
    note: Option<Note>,
    attributes: Attributes,
}

/// The attributes of an annotation that has none.
static NO_ATTRIBUTES: Attributes = Attributes(None);

/// One annotation. Its document is not in it: the project keeps each document's
/// annotations in a list of their own ([`crate::model::Project::annotations_in`]), and an
/// edit that adds one names the document beside it (`Edit::AddAnnotation`); a reader
/// with an id alone finds the document through [`crate::model::Project::document_of`].
#[derive(Clone, Debug)]
pub struct Annotation {
    id: AnnotationId,
    /// The anchor, and note and attributes if it has any.
    placed: Placed,
    kind: AnnotationKind,
}

/// An annotation's anchor, alone (nearly every annotation) or boxed with its note and
/// attributes: two words either way (the compiler finds room for the second case's tag
/// in the anchor's), so an annotation spends nothing on the extras it does not have
/// (a word each, 24 MB at 3M annotations, when they sat beside the anchor).
#[derive(Clone, Debug)]
enum Placed {
    /// No note, no attributes.
    Bare(Anchor),
    /// A note or attributes (never both empty).
    WithExtras(Box<(Anchor, Extras)>),
}

impl PartialEq for Annotation {
    /// Equal when they say the same (an emptied note or attributes equal none).
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.anchor() == other.anchor()
            && self.kind == other.kind
            && self.note() == other.note()
            && self.attributes() == other.attributes()
    }
}

impl Eq for Annotation {}

impl Annotation {
    /// Builds an annotation; entities must have spans and names must not be empty.
    pub fn new(
        id: AnnotationId,
        anchor: Anchor,
        kind: AnnotationKind,
    ) -> Result<Self, AnnotationError> {
        check_kind(&anchor, &kind)?;
        Ok(Self {
            id,
            placed: Placed::Bare(anchor),
            kind,
        })
    }

    /// An entity on one span.
    pub fn entity(id: AnnotationId, span: Span, label: &str) -> Self {
        Self {
            id,
            placed: Placed::Bare(Anchor::span(span)),
            kind: AnnotationKind::Entity {
                label: label.into(),
                canonical: None,
            },
        }
    }

    /// Id.
    pub fn id(&self) -> AnnotationId {
        self.id
    }

    /// The id, borrowed (what maps over annotations hand out as their keys).
    pub(super) fn id_ref(&self) -> &AnnotationId {
        &self.id
    }

    /// Note and attributes, when it has either.
    fn extras(&self) -> Option<&Extras> {
        match &self.placed {
            Placed::Bare(_) => None,
            Placed::WithExtras(both) => Some(&both.1),
        }
    }

    /// Changes note and attributes: the anchor is boxed with them while either is set,
    /// and unboxed again once both are gone.
    fn change_extras<R>(&mut self, change: impl FnOnce(&mut Extras) -> R) -> R {
        let mut both = match std::mem::replace(&mut self.placed, Placed::Bare(Anchor::Document)) {
            Placed::Bare(anchor) => Box::new((anchor, Extras::default())),
            Placed::WithExtras(both) => both,
        };
        let out = change(&mut both.1);
        self.placed = if both.1.note.is_none() && both.1.attributes.is_empty() {
            Placed::Bare(both.0)
        } else {
            Placed::WithExtras(both)
        };
        out
    }

    /// The free note, if any.
    pub fn note(&self) -> Option<&str> {
        self.extras()?.note.as_deref()
    }

    /// Sets (or with `None` clears) the free note.
    pub fn set_note(&mut self, note: Option<Note>) {
        if note.is_none() && self.extras().is_none() {
            return;
        }
        self.change_extras(|extras| extras.note = note);
    }

    /// Extra attributes (brat `A` lines, imported metadata), sorted by name.
    pub fn attributes(&self) -> &Attributes {
        self.extras().map_or(&NO_ATTRIBUTES, |e| &e.attributes)
    }

    /// Sets attribute `name`; returns its previous value.
    pub fn insert_attribute(&mut self, name: String, value: String) -> Option<String> {
        self.change_extras(|extras| extras.attributes.insert(name, value))
    }

    /// Replaces all the attributes.
    pub fn set_attributes(&mut self, attributes: Attributes) {
        if attributes.is_empty() && self.extras().is_none() {
            return;
        }
        self.change_extras(|extras| extras.attributes = attributes);
    }

    /// Spans or document.
    pub fn anchor(&self) -> &Anchor {
        match &self.placed {
            Placed::Bare(anchor) => anchor,
            Placed::WithExtras(both) => &both.0,
        }
    }

    /// The spans (empty for document stances).
    pub fn spans(&self) -> &[Span] {
        self.anchor().span_list()
    }

    /// Entity or stance.
    pub fn kind(&self) -> &AnnotationKind {
        &self.kind
    }

    /// The entity label, if this is an entity.
    pub fn label(&self) -> Option<&str> {
        match &self.kind {
            AnnotationKind::Entity { label, .. } => Some(label),
            AnnotationKind::Stance { .. } => None,
        }
    }

    /// A copy with another kind (checked like [`Annotation::new`]).
    pub fn with_kind(&self, kind: AnnotationKind) -> Result<Self, AnnotationError> {
        check_kind(self.anchor(), &kind)?;
        Ok(Self {
            kind,
            ..self.clone()
        })
    }

    /// A copy with another anchor (checked like [`Annotation::new`]).
    pub fn with_anchor(&self, anchor: Anchor) -> Result<Self, AnnotationError> {
        check_kind(&anchor, &self.kind)?;
        let placed = match &self.placed {
            Placed::Bare(_) => Placed::Bare(anchor),
            Placed::WithExtras(both) => Placed::WithExtras(Box::new((anchor, both.1.clone()))),
        };
        Ok(Self {
            id: self.id,
            placed,
            kind: self.kind.clone(),
        })
    }

    /// A copy with another id (used when merging projects).
    pub fn with_id(&self, id: AnnotationId) -> Self {
        Self { id, ..self.clone() }
    }

    /// The same annotation under another id.
    pub fn renumbered(mut self, id: AnnotationId) -> Self {
        self.renumber(id);
        self
    }

    /// Puts this annotation under another id, where it lies (tag-all renumbers 270k).
    pub fn renumber(&mut self, id: AnnotationId) {
        self.id = id;
    }

    /// The covered text; discontinuous fragments are joined with a space, as brat does.
    pub fn text(&self, text: &DocText) -> String {
        let parts: Vec<&str> = self.spans().iter().map(|s| s.text(text)).collect();
        parts.join(" ")
    }

    /// Sort key for listing a document's annotations in reading order.
    pub fn reading_order(&self) -> (usize, std::cmp::Reverse<usize>, AnnotationId) {
        let (start, end) = self
            .anchor()
            .covering()
            .map_or((0, 0), |s| (s.start().0, s.end().0));
        (start, std::cmp::Reverse(end), self.id)
    }
}

fn check_kind(anchor: &Anchor, kind: &AnnotationKind) -> Result<(), AnnotationError> {
    match kind {
        AnnotationKind::Entity { label, .. } => {
            if matches!(anchor, Anchor::Document) {
                return Err(AnnotationError::EntityWithoutSpan);
            }
            if label.trim().is_empty() {
                return Err(AnnotationError::EmptyName("label"));
            }
        }
        AnnotationKind::Stance {
            target, polarity, ..
        } => {
            if target.trim().is_empty() {
                return Err(AnnotationError::EmptyName("stance target"));
            }
            if polarity.trim().is_empty() {
                return Err(AnnotationError::EmptyName("polarity"));
            }
        }
    }
    Ok(())
}

/// A typed link between two annotations of one document (brat `R` lines).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    /// Project-wide unique id (shares the annotation id space).
    pub id: AnnotationId,
    /// Relation type, e.g. `Origin`.
    pub label: String,
    /// First argument.
    pub from: AnnotationId,
    /// Second argument.
    pub to: AnnotationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big project holds millions of annotations, side by side in their documents'
    /// lists: every one stays at 48 bytes (a stance with a holder too, a note boxed with
    /// the anchor), its document known from the list it is in.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn an_annotation_stays_small() {
        assert_eq!(std::mem::size_of::<Span>(), 8);
        assert_eq!(std::mem::size_of::<Anchor>(), 16);
        assert_eq!(std::mem::size_of::<Option<HolderId>>(), 8);
        assert_eq!(std::mem::size_of::<AnnotationKind>(), 24);
        assert_eq!(std::mem::size_of::<Placed>(), 16);
        assert_eq!(std::mem::size_of::<Annotation>(), 48);
    }

    /// Note and attributes come and go without touching the anchor, and an annotation
    /// whose extras were all cleared is kept (and compares) as one that never had any.
    #[test]
    fn note_and_attributes_are_boxed_with_the_anchor_only_while_set() {
        let span = |a, b| Span::within(a, b, 100).expect("span");
        let two = Anchor::spans(vec![span(1, 4), span(6, 9)]).expect("spans");
        let bare = Annotation::new(
            AnnotationId(7),
            two.clone(),
            AnnotationKind::Entity {
                label: "PER".into(),
                canonical: None,
            },
        )
        .expect("entity");
        type Change = fn(&mut Annotation);
        type Attrs<'a> = &'a [(&'a str, &'a str)];
        let cases: [(&str, Change, Option<&str>, Attrs); 5] = [
            (
                "a note",
                |a| a.set_note(Some("check".into())),
                Some("check"),
                &[],
            ),
            (
                "an attribute",
                |a| {
                    assert_eq!(a.insert_attribute("Negated".into(), "true".into()), None);
                },
                None,
                &[("Negated", "true")],
            ),
            (
                "both",
                |a| {
                    a.set_note(Some("check".into()));
                    a.insert_attribute("Negated".into(), "true".into());
                },
                Some("check"),
                &[("Negated", "true")],
            ),
            (
                "a note cleared",
                |a| {
                    a.set_note(Some("check".into()));
                    a.set_note(None);
                },
                None,
                &[],
            ),
            (
                "attributes replaced by none",
                |a| {
                    a.set_note(Some("check".into()));
                    a.insert_attribute("Negated".into(), "true".into());
                    a.set_note(None);
                    a.set_attributes(Attributes::default());
                },
                None,
                &[],
            ),
        ];
        for (what, change, note, attributes) in cases {
            let mut ann = bare.clone();
            change(&mut ann);
            assert_eq!(ann.anchor(), &two, "{what}");
            assert_eq!(ann.spans(), two.span_list(), "{what}");
            assert_eq!(ann.note(), note, "{what}");
            let got: Vec<(&str, &str)> = ann
                .attributes()
                .into_iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, attributes, "{what}");
            let boxed = matches!(ann.placed, Placed::WithExtras(_));
            assert_eq!(boxed, note.is_some() || !attributes.is_empty(), "{what}");
            assert_eq!(ann == bare, !boxed, "{what}");
            let moved = ann
                .with_anchor(Anchor::span(span(2, 3)))
                .expect("entity on a span");
            assert_eq!(moved.note(), note, "{what}: a new anchor keeps the note");
            assert_eq!(moved.spans(), [span(2, 3)], "{what}");
        }
    }

    #[test]
    fn a_holder_keeps_its_id() {
        for raw in [
            0,
            1,
            7,
            u64::from(u32::MAX),
            AnnotationId::DERIVED_END - 1,
            u64::MAX - 1,
        ] {
            let id = AnnotationId(raw);
            let holder = HolderId::new(id).expect("every id but the last");
            assert_eq!(holder.id(), id);
            assert_eq!(AnnotationId::from(holder), id);
            assert_eq!(format!("{holder} {holder:?}"), format!("{id} {id:?}"));
            let kind = AnnotationKind::stance("EU".into(), "AGAINST".into(), Some(id));
            assert_eq!(kind.holder(), Some(id));
        }
        assert_eq!(HolderId::new(AnnotationId(u64::MAX)), None);
        let none = AnnotationKind::stance("EU".into(), "AGAINST".into(), None);
        assert_eq!(none.holder(), None);
    }

    #[test]
    fn span_lists_compare_as_their_spans_however_they_are_kept() {
        let span = |a, b| Span::within(a, b, 100).expect("span");
        let one = SpanList::One(span(1, 4));
        let many_of_one = SpanList::Many(Box::new(vec![span(1, 4)]));
        assert_eq!(one, many_of_one);
        assert_eq!(one.cmp(&many_of_one), std::cmp::Ordering::Equal);
        let hash = |list: &SpanList| {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .hash_one(list)
        };
        assert_eq!(hash(&one), hash(&many_of_one));
        let two = SpanList::from_vec(vec![span(1, 4), span(6, 9)]);
        assert_eq!(two.as_slice(), [span(1, 4), span(6, 9)]);
        assert!(one < two);
        assert!(matches!(
            SpanList::from_vec(vec![span(2, 3)]),
            SpanList::One(_)
        ));
        assert_eq!(
            format!("{two:?}"),
            format!("{:?}", [span(1, 4), span(6, 9)])
        );
        assert_eq!(
            Anchor::spans(vec![span(6, 9), span(1, 4), span(1, 4)]),
            Some(Anchor::Spans(two))
        );
    }
}
