//! One document of a project file as the file gives it ([`FileDocument`]), for commands
//! that make their output straight from the file's fields (`spantag stats`): checked
//! exactly as loading checks a document — its content hash, every span inside its text,
//! every kind well formed, every holder an entity of the document — but without the
//! model's [`crate::model::Document`] (its char offset table) or an
//! [`crate::model::Annotation`] per tag. Anything a load would refuse gives `None`, and
//! the command then loads the file plainly for the message with file and line.

use super::parallel::FilePart;
use super::{AnnotationFile, DocumentFile, KindFile, Sharing, StatusFile, content_hash};
use crate::model::{AnnotationId, DocId, DocStatus, HolderId, Span};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A document of a project file read through (see the module comment), its annotations
/// in the file's order.
#[derive(Debug)]
pub struct FileDocument {
    id: DocId,
    title: String,
    meta: BTreeMap<String, String>,
    status: DocStatus,
    text: String,
    annotations: Vec<AnnotationFile>,
}

/// One annotation of a [`FileDocument`].
#[derive(Clone, Copy, Debug)]
pub struct FileAnnotation<'d> {
    annotation: &'d AnnotationFile,
}

/// What a [`FileAnnotation`] is, its names borrowed from the file's document (labels read
/// from one batch share their text, so most compare by address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind<'d> {
    /// An entity.
    Entity {
        /// Its entity type.
        label: &'d str,
        /// Its canonical name, if any.
        canonical: Option<&'d str>,
    },
    /// A stance.
    Stance {
        /// What it is about.
        target: &'d str,
        /// Its polarity.
        polarity: &'d str,
        /// The entity of the document holding it, if any.
        holder: Option<AnnotationId>,
    },
}

impl FileDocument {
    /// The document's id.
    pub fn id(&self) -> &DocId {
        &self.id
    }

    /// Its title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Its `date` metadata, if any (what [`crate::model::Document::date`] gives).
    pub fn date(&self) -> Option<&str> {
        self.meta.get("date").map(String::as_str)
    }

    /// Its status.
    pub fn status(&self) -> DocStatus {
        self.status
    }

    /// Its annotations, in the file's order.
    pub fn annotations(&self) -> impl Iterator<Item = FileAnnotation<'_>> {
        self.annotations
            .iter()
            .map(|annotation| FileAnnotation { annotation })
    }

    /// The annotation with this id (the first, should the file hold it twice: the read
    /// then gives up at its end).
    pub fn annotation(&self, id: AnnotationId) -> Option<FileAnnotation<'_>> {
        self.annotations().find(|a| a.id() == id)
    }

    /// An entity's name, as [`crate::corpus::stats::entity_name`] gives it: its
    /// canonical name, else the text it covers (fragments joined with a space).
    pub fn entity_name<'d>(&'d self, annotation: FileAnnotation<'d>) -> Cow<'d, str> {
        if let FileKind::Entity {
            canonical: Some(c), ..
        } = annotation.kind()
        {
            return Cow::Borrowed(c);
        }
        let mut spans = annotation.annotation.spans.to_vec();
        spans.sort_unstable();
        spans.dedup();
        match spans.as_slice() {
            [one] => Cow::Borrowed(self.covered(*one)),
            many => Cow::Owned(
                many.iter()
                    .map(|span| self.covered(*span))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// The text between two char offsets (checked to lie inside the text when read).
    fn covered(&self, (start, end): (usize, usize)) -> &str {
        let mut starts = self
            .text
            .char_indices()
            .map(|(at, _)| at)
            .chain([self.text.len()]);
        let from = starts.nth(start).unwrap_or(self.text.len());
        let to = starts
            .nth(end.saturating_sub(start + 1))
            .unwrap_or(self.text.len());
        self.text.get(from..to).unwrap_or_default()
    }

    /// Checks one parsed document as [`super::document_from_file`] and
    /// [`crate::model::DocumentPart::new`] check it; `None` where they refuse it or find
    /// it unsound.
    fn checked(d: DocumentFile, version: u32) -> Option<Self> {
        if d.id.is_empty() || content_hash(&d.text) != d.hash {
            return None;
        }
        let status = match d.status {
            StatusFile::NotStarted => DocStatus::NotStarted,
            StatusFile::InProgress => DocStatus::InProgress,
            StatusFile::Done => DocStatus::Done,
        };
        let len = if d.annotations.iter().any(|a| !a.spans.is_empty()) {
            d.text.chars().count()
        } else {
            0
        };
        let mut entities: Vec<u64> = Vec::with_capacity(d.annotations.len());
        for a in &d.annotations {
            if !a
                .spans
                .iter()
                .all(|(start, end)| Span::within(*start, *end, len).is_ok())
            {
                return None;
            }
            match &a.kind {
                KindFile::Entity { label, .. } => {
                    if a.spans.is_empty() || label.trim().is_empty() {
                        return None;
                    }
                    entities.push(a.id);
                }
                KindFile::Stance {
                    target,
                    polarity,
                    holder,
                } => {
                    if version < 2
                        || target.trim().is_empty()
                        || polarity.trim().is_empty()
                        || holder.is_some_and(|h| HolderId::new(AnnotationId(h)).is_none())
                    {
                        return None;
                    }
                }
            }
        }
        entities.sort_unstable();
        let holders_sound = d.annotations.iter().all(|a| match &a.kind {
            KindFile::Stance {
                holder: Some(h), ..
            } => *h != a.id && entities.binary_search(h).is_ok(),
            _ => true,
        });
        holders_sound.then(|| FileDocument {
            id: DocId::from(d.id),
            title: d.title,
            meta: d.meta,
            status,
            text: d.text,
            annotations: d.annotations,
        })
    }
}

impl<'d> FileAnnotation<'d> {
    /// Its id.
    pub fn id(&self) -> AnnotationId {
        AnnotationId(self.annotation.id)
    }

    /// Whether it is anchored to the whole document (no spans: a document stance).
    pub fn is_document_level(&self) -> bool {
        self.annotation.spans.is_empty()
    }

    /// What it is.
    pub fn kind(&self) -> FileKind<'d> {
        match &self.annotation.kind {
            KindFile::Entity { label, canonical } => FileKind::Entity {
                label: label.as_str(),
                canonical: canonical.as_ref().map(|c| c.as_str()),
            },
            KindFile::Stance {
                target,
                polarity,
                holder,
            } => FileKind::Stance {
                target: target.as_str(),
                polarity: polarity.as_str(),
                holder: holder.map(AnnotationId),
            },
        }
    }
}

impl FilePart for FileDocument {
    fn from_file((d, _names): (DocumentFile, Sharing<'_>), version: u32) -> Option<Self> {
        FileDocument::checked(d, version)
    }

    fn id(&self) -> &DocId {
        &self.id
    }

    fn annotation_ids(&self) -> impl Iterator<Item = u64> {
        self.annotations.iter().map(|a| a.id)
    }

    /// Unsound documents are refused when read ([`FileDocument::checked`]).
    fn is_sound(&self) -> bool {
        true
    }
}
