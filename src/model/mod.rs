//! The pure domain model: documents, spans, schema, annotations, edits and history.
//!
//! Architecture invariant: nothing in this module imports egui, does IO or reads a clock.

pub mod annotation;
pub mod annotation_map;
pub mod document;
pub mod edit;
pub mod history;
pub mod name;
pub mod project;
pub mod schema;
pub mod schema_edit;
pub mod snap;
pub mod span;
pub mod stance;
pub mod team;
pub mod text;

pub use annotation::{
    Anchor, Annotation, AnnotationId, AnnotationKind, Attributes, HolderId, Note, Relation,
};
pub use annotation_map::{AnnotationMap, DocAnnotations};
pub use document::{DocId, DocStatus, Document, Meta};
pub use edit::{Edit, EditError, apply};
pub use history::History;
pub use name::{Interner, Name};
pub use project::{
    DocumentPart, Project, ProjectBuilder, ProjectError, ProjectParts, ProjectSnapshot,
    RejectedSuggestion,
};
pub use schema::{EntityType, Polarity, RelationType, Rgb, Schema};
pub use span::{Span, SpanError};
pub use team::{Assignment, Conflict, ConflictKind};
pub use text::{ByteOffset, CharOffset, DocText};
