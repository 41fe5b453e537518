//! The project file: a versioned RON format, separate from the in-memory model and
//! converted by hand in both directions.
//!
//! The file is self-contained (schema, documents with text and hash, annotations,
//! relations, statuses), ordered and deterministic: documents in the project's (corpus)
//! order, everything else sorted, so saving an unchanged project twice gives identical
//! bytes and projects diff cleanly in git. Offsets are code points. Files written before
//! documents kept their corpus order have them sorted by id, which is read as their order.
//!
//! Versions: 1 held entities only; 2 added stances, stance polarities and targets in the
//! schema, and relations; 3 gives new annotations ids derived from their content (so
//! copies annotated apart never collide when merged) and adds the team records: the
//! `assignment` of a split copy and the `conflicts` a merge left. Versions 1 and 2 still
//! open: their counter ids stay as they are (derived ids lie above every counter id, so
//! the first save changes nothing but the version line). Newer versions than
//! [`CURRENT_VERSION`] are refused, never overwritten.

use crate::model::document::content_hash;
use crate::model::{
    self, Anchor, Annotation, AnnotationId, AnnotationKind, ConflictKind, DocId, DocStatus,
    Document, Edit, Interner, Name, Project, ProjectSnapshot, Relation, Rgb, Schema, Span,
};
use itertools::Itertools;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

mod direct;
mod fast;
mod fast_write;

pub use direct::{FileAnnotation, FileDocument, FileKind};
pub(crate) use parallel::{MakeSide, SinkSide};

/// The format version this build writes.
pub const CURRENT_VERSION: u32 = 3;
/// The `format` field every project file carries.
pub const FORMAT_NAME: &str = "spantag-project";
/// Nesting deeper than this in a project file is refused (a hostile file cannot blow the
/// stack).
const RECURSION_LIMIT: usize = 32;
/// Files larger than this are refused before reading, with a clear message.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Why a project file could not be read or written. Every message names the file, and the
/// line where one is known.
#[derive(Debug, Error)]
pub enum ProjectFileError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The text is not a valid project file.
    #[error("{path}:{line}:{col}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is a project from a newer spantag.
    #[error(
        "{path}: project format version {found} is newer than this spantag understands \
         (up to {CURRENT_VERSION}); update spantag to open it — the file was not changed"
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
    },
    /// Content that parses but breaks a rule (bad span, unknown holder, …).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the document and annotation.
        message: String,
    },
}

/// On-disk shape of a project (version 3; version 2 is the same without the team
/// records, version 1 also without stances).
#[derive(Serialize, Deserialize)]
struct ProjectFile {
    format: String,
    version: u32,
    schema: SchemaFile,
    documents: Vec<DocumentFile>,
    #[serde(default)]
    relations: Vec<RelationFile>,
    /// Suggestions the user rejected: `(document, start, end, label)`.
    #[serde(default)]
    rejected_suggestions: Vec<(String, usize, usize, String)>,
    /// The assignment of a split copy (left out when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignment: Option<AssignmentFile>,
    /// Conflicts a merge recorded (left out when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    conflicts: Vec<ConflictFile>,
}

/// On-disk shape of [`model::Assignment`].
#[derive(Serialize, Deserialize)]
struct AssignmentFile {
    annotator: String,
    annotators: Vec<String>,
    documents: Vec<String>,
    shared: Vec<String>,
}

/// On-disk shape of [`model::Conflict`]: the ids of the annotations holding each side's
/// version (`None`: that side removed it).
#[derive(Serialize, Deserialize)]
struct ConflictFile {
    doc: String,
    kind: ConflictKindFile,
    ours: Option<u64>,
    theirs: Option<u64>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
enum ConflictKindFile {
    BothChanged,
    ChangedAndRemoved,
    SameSpan,
    Disagreement,
}

/// On-disk shape of a schema; also the shape of `assets/schema.ron`.
#[derive(Serialize, Deserialize)]
pub(crate) struct SchemaFile {
    entity_types: Vec<EntityTypeFile>,
    /// Relation types; absent in files written before relations had a schema.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relation_types: Vec<RelationTypeFile>,
    #[serde(default = "default_polarities")]
    polarities: Vec<PolarityFile>,
    #[serde(default)]
    targets: BTreeSet<String>,
}

#[derive(Serialize, Deserialize)]
struct EntityTypeFile {
    name: String,
    #[serde(default)]
    description: String,
    color: String,
    #[serde(default)]
    hotkey: Option<char>,
}

#[derive(Serialize, Deserialize)]
struct RelationTypeFile {
    name: String,
    color: String,
    #[serde(default)]
    hotkey: Option<char>,
    /// Entity labels allowed as first argument; empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    from: Vec<String>,
    /// Entity labels allowed as second argument; empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    to: Vec<String>,
    #[serde(default = "directed_by_default")]
    directed: bool,
    /// The role of an event argument (brat `E` lines) rather than a relation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    event_role: bool,
}

fn directed_by_default() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
struct PolarityFile {
    name: String,
    color: String,
    #[serde(default)]
    hotkey: Option<char>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct DocumentFile {
    id: String,
    title: String,
    #[serde(default)]
    meta: BTreeMap<String, String>,
    #[serde(default)]
    status: StatusFile,
    hash: String,
    text: String,
    #[serde(default)]
    annotations: Vec<AnnotationFile>,
}

#[derive(Serialize, Deserialize, Default, Clone, Copy, Debug, PartialEq)]
enum StatusFile {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct AnnotationFile {
    id: u64,
    /// `[(start, end)]` in code points; empty for a document stance. One span (nearly
    /// every annotation) is kept inline, without an allocation of its own.
    #[serde(with = "spans_list")]
    spans: SpansFile,
    kind: KindFile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum KindFile {
    Entity {
        #[serde(with = "name_text")]
        label: Name,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "optional_name_text"
        )]
        canonical: Option<Name>,
    },
    Stance {
        #[serde(with = "name_text")]
        target: Name,
        #[serde(with = "name_text")]
        polarity: Name,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<u64>,
    },
}

/// A label, target or polarity written as the plain string it is: read as a [`Name`]
/// so the fast reader can share it between annotations without a copy of its own.
mod name_text {
    use crate::model::Name;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(name: &Name, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        String::deserialize(d).map(Name::from)
    }
}

/// [`name_text`] for an optional name (an entity's canonical name).
mod optional_name_text {
    use crate::model::Name;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(name: &Option<Name>, s: S) -> Result<S::Ok, S::Error> {
        match name {
            Some(name) => s.serialize_some(name.as_str()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Name>, D::Error> {
        Option::<String>::deserialize(d).map(|name| name.map(Name::from))
    }
}

/// An annotation's spans as the file holds them while it is read or written.
type SpansFile = smallvec::SmallVec<[(usize, usize); 1]>;

/// [`SpansFile`] written as the plain list of pairs it is.
mod spans_list {
    use super::SpansFile;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(spans: &SpansFile, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(spans.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SpansFile, D::Error> {
        Vec::<(usize, usize)>::deserialize(d).map(SpansFile::from_vec)
    }
}

#[derive(Serialize, Deserialize)]
struct RelationFile {
    id: u64,
    label: String,
    from: u64,
    to: u64,
}

fn default_polarities() -> Vec<PolarityFile> {
    model::schema::default_polarities()
        .into_iter()
        .map(polarity_to_file)
        .collect()
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0[0], c.0[1], c.0[2])
}

fn parse_hex(s: &str) -> Option<Rgb> {
    let s = s.strip_prefix('#')?;
    if s.len() != 6 || !s.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(s.get(i..i + 2)?, 16).ok();
    Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
}

fn polarity_to_file(p: model::Polarity) -> PolarityFile {
    PolarityFile {
        name: p.name,
        color: hex(p.color),
        hotkey: p.hotkey,
    }
}

impl SchemaFile {
    pub(crate) fn from_schema(schema: &Schema) -> Self {
        Self {
            entity_types: schema
                .entity_types
                .iter()
                .map(|t| EntityTypeFile {
                    name: t.name.clone(),
                    description: t.description.clone(),
                    color: hex(t.color),
                    hotkey: t.hotkey,
                })
                .collect(),
            relation_types: schema
                .relation_types
                .iter()
                .map(|t| RelationTypeFile {
                    name: t.name.clone(),
                    color: hex(t.color),
                    hotkey: t.hotkey,
                    from: t.from_labels.clone(),
                    to: t.to_labels.clone(),
                    directed: t.directed,
                    event_role: t.event_role,
                })
                .collect(),
            polarities: schema
                .polarities
                .iter()
                .cloned()
                .map(polarity_to_file)
                .collect(),
            targets: schema.targets.clone(),
        }
    }

    pub(crate) fn into_schema(self) -> Result<Schema, String> {
        let color = |name: &str, c: &str| {
            parse_hex(c).ok_or_else(|| format!("label '{name}': colour '{c}' is not #rrggbb"))
        };
        let mut names = BTreeSet::new();
        let mut entity_types = Vec::with_capacity(self.entity_types.len());
        for t in self.entity_types {
            if t.name.trim().is_empty() || !names.insert(t.name.clone()) {
                return Err(format!("entity type '{}' is empty or repeated", t.name));
            }
            entity_types.push(model::EntityType {
                color: color(&t.name, &t.color)?,
                name: t.name,
                description: t.description,
                hotkey: t.hotkey,
            });
        }
        let mut relation_names = BTreeSet::new();
        let mut relation_types = Vec::with_capacity(self.relation_types.len());
        for t in self.relation_types {
            if t.name.trim().is_empty() || !relation_names.insert(t.name.clone()) {
                return Err(format!("relation type '{}' is empty or repeated", t.name));
            }
            relation_types.push(model::RelationType {
                color: color(&t.name, &t.color)?,
                name: t.name,
                hotkey: t.hotkey,
                from_labels: t.from,
                to_labels: t.to,
                directed: t.directed,
                event_role: t.event_role,
            });
        }
        let mut polarities = Vec::with_capacity(self.polarities.len());
        for p in self.polarities {
            polarities.push(model::Polarity {
                color: color(&p.name, &p.color)?,
                name: p.name,
                hotkey: p.hotkey,
            });
        }
        Ok(Schema {
            entity_types,
            relation_types,
            polarities,
            targets: self.targets,
        })
    }
}

/// The default news schema shipped in `assets/schema.ron`, compiled into the binary.
pub fn default_schema() -> Schema {
    const DEFAULT: &str = include_str!("../../assets/schema.ron");
    parse_schema(DEFAULT, Path::new("assets/schema.ron"))
        .unwrap_or_else(|_| model::schema::builtin_schema())
}

/// Parses a schema file (the shape of `assets/schema.ron`).
pub fn parse_schema(text: &str, path: &Path) -> Result<Schema, ProjectFileError> {
    let file: SchemaFile = ron_options()
        .from_str(text)
        .map_err(|e| syntax_error(path, &e))?;
    file.into_schema()
        .map_err(|message| ProjectFileError::Invalid {
            path: path.to_owned(),
            message,
        })
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_recursion_limit(RECURSION_LIMIT)
}

fn syntax_error(path: &Path, e: &ron::error::SpannedError) -> ProjectFileError {
    ProjectFileError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
    }
}

/// Serialises a project to the RON text of the current format version.
pub fn to_ron(project: &Project) -> String {
    Snapshot::of(project).to_ron()
}

/// Streams a project's RON text (exactly [`to_ron`]) into `w`, converting and serialising
/// its documents on all cores without copying the project first.
fn write_ron(project: &ProjectSnapshot, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let positions: Vec<usize> = (0..project.documents().len()).collect();
    write_file_ron(&head_of(project), &positions, w, |&at, out| {
        let Some(doc) = project.documents().get(at) else {
            return;
        };
        let annotations: Vec<AnnotationFile> = project
            .annotations_at(at)
            .iter()
            .map(annotation_to_file)
            .collect();
        fast_write::document_piece(
            &DocumentFields {
                id: doc.id().as_str(),
                title: doc.title(),
                meta: doc.meta(),
                status: status_file(project.status(doc.id())),
                hash: doc.hash().hex().as_str(),
                text: doc.text().as_str(),
                annotations: &annotations,
            },
            out,
        );
    })
}

/// Nesting levels the project file is pretty-printed to; deeper (an annotation) is one line.
const PRETTY_DEPTH: usize = 4;

/// The pretty-printer settings of every project file.
fn pretty_config() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .depth_limit(PRETTY_DEPTH)
        .indentor("  ")
        .struct_names(false)
        .escape_strings(true)
}

/// A project's content at one moment, ready to be written by another thread while the
/// window goes on. Taking one ([`Snapshot::of`]) costs a few pointers, within any frame:
/// the documents and their annotations are shared with the project
/// ([`Project::snapshot`]), and an edit made while it is written copies only what it
/// changes.
pub struct Snapshot {
    project: ProjectSnapshot,
}

impl Snapshot {
    /// The project as it is now.
    pub fn of(project: &Project) -> Self {
        Self {
            project: project.snapshot(),
        }
    }

    /// The RON text of the file.
    pub fn to_ron(&self) -> String {
        let mut out = Vec::new();
        // Writing into memory cannot fail, and the pieces are UTF-8.
        let _ = self.write_ron(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes the snapshot to `path` like [`save`] does: atomically, keeping the previous
    /// version as `<name>.bak`, refusing to overwrite a file from a newer spantag. The text
    /// is streamed to the file, never held whole in memory.
    pub fn write(&self, path: &Path) -> Result<(), ProjectFileError> {
        write_project_file(path, |w| self.write_ron(w))
    }

    /// Streams the RON text of the file (exactly [`Snapshot::to_ron`]) into `w`, for
    /// writers that are not a project file (recovery copies).
    pub fn write_ron(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        write_ron(&self.project, w)
    }
}

/// The project-wide parts of a project in the file's shape, with an empty document list.
fn head_of(project: &ProjectSnapshot) -> ProjectFile {
    ProjectFile {
        format: FORMAT_NAME.to_owned(),
        version: CURRENT_VERSION,
        schema: SchemaFile::from_schema(project.schema()),
        documents: Vec::new(),
        relations: project
            .relations()
            .values()
            .map(|r| RelationFile {
                id: r.id.0,
                label: r.label.clone(),
                from: r.from.0,
                to: r.to.0,
            })
            .collect(),
        rejected_suggestions: project
            .rejected_suggestions()
            .iter()
            .map(|r| (r.doc.as_str().to_owned(), r.start, r.end, r.label.clone()))
            .collect(),
        assignment: project.assignment().map(|a| AssignmentFile {
            annotator: a.annotator.clone(),
            annotators: a.annotators.clone(),
            documents: a.documents.iter().map(|d| d.as_str().to_owned()).collect(),
            shared: a.shared.iter().map(|d| d.as_str().to_owned()).collect(),
        }),
        conflicts: project
            .conflicts()
            .iter()
            .map(|c| ConflictFile {
                doc: c.doc.as_str().to_owned(),
                kind: match c.kind {
                    ConflictKind::BothChanged => ConflictKindFile::BothChanged,
                    ConflictKind::ChangedAndRemoved => ConflictKindFile::ChangedAndRemoved,
                    ConflictKind::SameSpan => ConflictKindFile::SameSpan,
                    ConflictKind::Disagreement => ConflictKindFile::Disagreement,
                },
                ours: c.ours.map(|id| id.0),
                theirs: c.theirs.map(|id| id.0),
            })
            .collect(),
    }
}

/// Writes a project file atomically with whatever `write` streams into it, keeping the
/// previous version as `<name>.bak` and refusing to overwrite a file from a newer spantag.
fn write_project_file(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), ProjectFileError> {
    refuse_newer(path)?;
    let io = |source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
    };
    super::atomic::keep_backup(path).map_err(io)?;
    super::atomic::write_atomically(path, write).map_err(io)
}

/// Documents serialised per batch on each core while saving.
const SAVE_BATCH: usize = 32;

/// Streams the pretty RON of `head` with `documents` in its document list — byte for byte
/// what `ron` writes for the whole file at once — serialising the documents on all cores:
/// `piece` appends one document's text, as [`document_piece`] does.
fn write_file_ron<D: Sync>(
    head: &ProjectFile,
    documents: &[D],
    w: &mut dyn std::io::Write,
    piece: impl Fn(&D, &mut String) + Sync,
) -> std::io::Result<()> {
    let head_text = ron::ser::to_string_pretty(head, pretty_config())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    const EMPTY_LIST: &str = "\n  documents: [],\n";
    let Some(at) = head_text.find(EMPTY_LIST) else {
        return Err(std::io::Error::other("the file head has no document list"));
    };
    if documents.is_empty() {
        w.write_all(head_text.as_bytes())?;
    } else {
        w.write_all(&head_text.as_bytes()[..at])?;
        w.write_all(b"\n  documents: [\n")?;
        crate::parallel::for_each_batch_in_order(
            documents,
            SAVE_BATCH,
            |batch| {
                let mut out = String::new();
                for doc in batch {
                    piece(doc, &mut out);
                }
                out
            },
            |text| w.write_all(text.as_bytes()),
        )?;
        w.write_all(b"  ],\n")?;
        w.write_all(&head_text.as_bytes()[at + EMPTY_LIST.len()..])?;
    }
    w.write_all(b"\n")
}

/// Appends one document as it appears in the file's document list, written by the fast
/// writer ([`fast_write::document_piece`]), which gives exactly what `ron` gives (the
/// tests' way to write a document in the file's shape).
#[cfg(test)]
fn document_piece(doc: &DocumentFile, out: &mut String) {
    let meta = model::Meta::from(doc.meta.clone());
    fast_write::document_piece(
        &DocumentFields {
            id: &doc.id,
            title: &doc.title,
            meta: &meta,
            status: doc.status,
            hash: &doc.hash,
            text: &doc.text,
            annotations: &doc.annotations,
        },
        out,
    );
}

/// One document list element by `ron`: serialised on its own (two levels shallower, so
/// two fewer pretty levels) and indented by those two levels. The reference the fast
/// writer is tested against.
#[cfg(test)]
fn document_piece_by_ron(doc: &DocumentFile, out: &mut String) {
    let config = pretty_config().depth_limit(PRETTY_DEPTH - 2);
    let text = ron::ser::to_string_pretty(doc, config).unwrap_or_default();
    for line in text.split('\n') {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out.pop();
    out.push_str(",\n");
}

/// A [`DocumentFile`]'s fields, borrowed: what the writer needs, so a save never copies
/// a document (its text above all) into the file's shape first.
struct DocumentFields<'a> {
    id: &'a str,
    title: &'a str,
    meta: &'a model::Meta,
    status: StatusFile,
    hash: &'a str,
    text: &'a str,
    annotations: &'a [AnnotationFile],
}

/// Appends `text` escaped exactly as `ron` escapes a string's contents (each character
/// through [`char::escape_debug`]): runs of plain printable ASCII are copied as they are,
/// and only the other characters go one by one.
fn push_ron_escaped(out: &mut String, text: &str) {
    let plain = |b: u8| (b' '..=b'~').contains(&b) && !matches!(b, b'"' | b'\'' | b'\\');
    let mut rest = text;
    while !rest.is_empty() {
        let run = rest.bytes().position(|b| !plain(b)).unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.extend(c.escape_debug());
        }
        rest = chars.as_str();
    }
}

/// One document with its annotations (in reading order) and status, in the file's shape:
/// what `ron` writes the whole file from, which the fast writer is tested against.
#[cfg(test)]
fn document_to_file(project: &Project, doc: &Document) -> DocumentFile {
    DocumentFile {
        id: doc.id().as_str().to_owned(),
        title: doc.title().to_owned(),
        meta: doc.meta().to_map(),
        status: status_file(project.status(doc.id())),
        hash: doc.hash().to_string(),
        text: doc.text().as_str().to_owned(),
        annotations: project
            .annotations_in(doc.id())
            .iter()
            .map(annotation_to_file)
            .collect(),
    }
}

/// A document status in the file's shape.
fn status_file(status: DocStatus) -> StatusFile {
    match status {
        DocStatus::NotStarted => StatusFile::NotStarted,
        DocStatus::InProgress => StatusFile::InProgress,
        DocStatus::Done => StatusFile::Done,
    }
}

fn annotation_to_file(a: &Annotation) -> AnnotationFile {
    AnnotationFile {
        id: a.id().0,
        spans: a.spans().iter().map(|s| (s.start().0, s.end().0)).collect(),
        kind: match a.kind() {
            AnnotationKind::Entity { label, canonical } => KindFile::Entity {
                label: label.clone(),
                canonical: canonical.clone(),
            },
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => KindFile::Stance {
                target: target.clone(),
                polarity: polarity.clone(),
                holder: holder.map(|h| h.id().0),
            },
        },
        note: a.note().map(str::to_owned),
        attributes: a.attributes().as_map().cloned().unwrap_or_default(),
    }
}

/// Reads the `version: N` field from the head of a file, for a clear message when the
/// whole file does not parse (a newer version may have a shape this build cannot read).
fn sniff_version(text: &str) -> Option<u32> {
    let head: String = text.chars().take(400).collect();
    let at = head.find("version:")?;
    let digits: String = head[at + "version:".len()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Parses project RON text; `path` names the file in messages.
pub fn from_ron(text: &str, path: &Path) -> Result<Project, ProjectFileError> {
    from_ron_with_progress(text, path, &|_| {})
}

/// Parses project RON text, reporting progress (0 to 1) from whichever thread does the
/// work. Large texts take the parallel path ([`parallel::stream_from`]); any problem there
/// sends the text through the plain sequential parser, so errors are exactly those of a
/// plain parse.
pub fn from_ron_with_progress(
    text: &str,
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
) -> Result<Project, ProjectFileError> {
    if text.len() >= parallel::MIN_BYTES
        && let Some(loaded) = parallel::stream_from(
            text.as_bytes(),
            text.len() as u64,
            parallel::CHUNK,
            path,
            progress,
        )
    {
        return loaded;
    }
    let (head, schema, loaded) = parse_documents(text, path, progress)?;
    let project = assemble(head, schema, loaded, path)?;
    progress(1.0);
    Ok(project)
}

/// A plain parse (after the streaming path gave up on the file) that frees the file's text
/// as soon as the documents are parsed, before the project is put together: the text is
/// the size of the file, and loading would otherwise hold it and the project at once.
fn from_owned_ron(
    text: String,
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
) -> Result<Project, ProjectFileError> {
    let (head, schema, loaded) = parse_documents(&text, path, progress)?;
    drop(text);
    let project = assemble(head, schema, loaded, path)?;
    progress(1.0);
    Ok(project)
}

/// Parses the text plainly into the file's head (everything but the documents), the
/// converted schema and the converted documents; its errors are the ones reported.
fn parse_documents(
    text: &str,
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
) -> Result<(ProjectFile, Schema, Vec<LoadedDocument>), ProjectFileError> {
    let file: ProjectFile = match ron_options().from_str(text) {
        Ok(file) => file,
        Err(e) => {
            if let Some(found) = sniff_version(text).filter(|v| *v > CURRENT_VERSION) {
                return Err(ProjectFileError::NewerVersion {
                    path: path.to_owned(),
                    found,
                });
            }
            return Err(syntax_error(path, &e));
        }
    };
    progress(0.8);
    let invalid = |message: String| ProjectFileError::Invalid {
        path: path.to_owned(),
        message,
    };
    let mut head = file;
    let documents = std::mem::take(&mut head.documents);
    let schema = check_head(&mut head, path)?;
    let mut loaded = Vec::with_capacity(documents.len());
    let mut names = Interner::default();
    for d in documents {
        let d = (d, Sharing::Share(&mut names));
        loaded.push(document_from_file(d, head.version).map_err(&invalid)?);
    }
    Ok((head, schema, loaded))
}

/// Checks the format name and version of a parsed file and converts its schema.
fn check_head(head: &mut ProjectFile, path: &Path) -> Result<Schema, ProjectFileError> {
    let invalid = |message: String| ProjectFileError::Invalid {
        path: path.to_owned(),
        message,
    };
    if head.format != FORMAT_NAME {
        return Err(invalid(format!(
            "not a spantag project (format is '{}', expected '{FORMAT_NAME}')",
            head.format
        )));
    }
    if head.version > CURRENT_VERSION {
        return Err(ProjectFileError::NewerVersion {
            path: path.to_owned(),
            found: head.version,
        });
    }
    if head.version == 0 {
        return Err(invalid("format version 0 does not exist".to_owned()));
    }
    let schema_file = std::mem::replace(
        &mut head.schema,
        SchemaFile {
            entity_types: Vec::new(),
            relation_types: Vec::new(),
            polarities: Vec::new(),
            targets: BTreeSet::new(),
        },
    );
    schema_file.into_schema().map_err(invalid)
}

/// One document of a file converted: the document (hash checked), its status and its
/// annotations (not yet checked against the project).
struct LoadedDocument {
    doc: Document,
    status: DocStatus,
    annotations: Vec<Annotation>,
}

/// Converts one document of a file (any thread may do this), its labels and names shared
/// as its [`Sharing`] says.
fn document_from_file(
    (d, mut names): (DocumentFile, Sharing<'_>),
    version: u32,
) -> Result<LoadedDocument, String> {
    let id = DocId::from(d.id);
    if id.0.is_empty() {
        return Err("a document has an empty id".to_owned());
    }
    // Strings with escapes grow while parsed and may hold up to twice their length.
    let mut text = d.text;
    text.shrink_to_fit();
    let doc = Document::new(id.clone(), d.title, d.meta, text);
    if doc.hash().hex().as_str() != d.hash {
        return Err(format!(
            "document '{id}': its text does not match its content hash (the file was \
             edited by hand or damaged); run `spantag check` for details"
        ));
    }
    let status = match d.status {
        StatusFile::NotStarted => DocStatus::NotStarted,
        StatusFile::InProgress => DocStatus::InProgress,
        StatusFile::Done => DocStatus::Done,
    };
    let mut annotations = Vec::with_capacity(d.annotations.len());
    for a in d.annotations {
        annotations.push(annotation_from_file(a, &doc, version, &mut names)?);
    }
    Ok(LoadedDocument {
        doc,
        status,
        annotations,
    })
}

/// The team records of a parsed file as the edit that adds them to the loaded project
/// (checked like any edit: a conflict must name annotations of its document).
fn team_edit(head: &mut ProjectFile) -> Edit {
    let mut edits: Vec<Edit> = std::mem::take(&mut head.conflicts)
        .into_iter()
        .map(|c| {
            let conflict = model::Conflict {
                doc: DocId::from(c.doc),
                kind: match c.kind {
                    ConflictKindFile::BothChanged => ConflictKind::BothChanged,
                    ConflictKindFile::ChangedAndRemoved => ConflictKind::ChangedAndRemoved,
                    ConflictKindFile::SameSpan => ConflictKind::SameSpan,
                    ConflictKindFile::Disagreement => ConflictKind::Disagreement,
                },
                ours: c.ours.map(AnnotationId),
                theirs: c.theirs.map(AnnotationId),
            };
            Edit::SetConflict(conflict, true)
        })
        .collect();
    if let Some(a) = head.assignment.take() {
        let ids = |list: Vec<String>| list.into_iter().map(DocId::from).collect();
        edits.push(Edit::SetAssignment(Some(Box::new(model::Assignment {
            annotator: a.annotator,
            annotators: a.annotators,
            documents: ids(a.documents),
            shared: ids(a.shared),
        }))));
    }
    Edit::Batch(edits)
}

/// `project` with the team records of its file added.
fn with_team_records(
    mut project: Project,
    team: Edit,
    path: &Path,
) -> Result<Project, ProjectFileError> {
    model::apply(&mut project, team).map_err(|e| ProjectFileError::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    Ok(project)
}

/// The relations and rejected suggestions of a parsed file, in the model's shape.
fn project_wide_parts(head: ProjectFile) -> (Vec<Relation>, Vec<model::RejectedSuggestion>) {
    let relations = head
        .relations
        .into_iter()
        .map(|r| Relation {
            id: AnnotationId(r.id),
            label: r.label,
            from: AnnotationId(r.from),
            to: AnnotationId(r.to),
        })
        .collect();
    let rejected = head
        .rejected_suggestions
        .into_iter()
        .map(|(doc, start, end, label)| model::RejectedSuggestion {
            doc: DocId::from(doc),
            start,
            end,
            label,
        })
        .collect();
    (relations, rejected)
}

/// Puts converted documents together into a project in one pass
/// ([`Project::from_parts`]), under the same checks and messages as applying the
/// annotations, statuses, relations and rejected suggestions one edit at a time.
fn assemble(
    mut head: ProjectFile,
    schema: Schema,
    loaded: Vec<LoadedDocument>,
    path: &Path,
) -> Result<Project, ProjectFileError> {
    let mut documents = Vec::with_capacity(loaded.len());
    let mut annotations = Vec::with_capacity(loaded.len());
    let mut statuses = Vec::new();
    for l in loaded {
        annotations.push((l.doc.id().clone(), l.annotations));
        if l.status != DocStatus::NotStarted {
            statuses.push((l.doc.id().clone(), l.status));
        }
        documents.push(l.doc);
    }
    let team = team_edit(&mut head);
    let (relations, rejected) = project_wide_parts(head);
    let project = Project::from_parts(model::ProjectParts {
        schema,
        documents,
        annotations,
        statuses,
        relations,
        rejected,
    })
    .map_err(|e| ProjectFileError::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    with_team_records(project, team, path)
}

/// How the labels and names of a document read from a file are shared between its
/// annotations.
enum Sharing<'n> {
    /// Through this interner (a document `ron` read: each has a copy of its own).
    Share(&'n mut Interner),
    /// Already shared: the fast reader read them through the batch's interner.
    Shared,
}

impl Sharing<'_> {
    fn share(&mut self, name: Name) -> Name {
        match self {
            Sharing::Share(names) => names.share(name),
            Sharing::Shared => name,
        }
    }
}

/// Converts one annotation; `names` shares the copies of labels and names between them.
fn annotation_from_file(
    a: AnnotationFile,
    doc: &Document,
    version: u32,
    names: &mut Sharing<'_>,
) -> Result<Annotation, String> {
    let where_ = || format!("document '{}', annotation {}", doc.id(), a.id);
    let span = |(s, e): &(usize, usize)| {
        Span::new(*s, *e, doc.text()).map_err(|err| format!("{}: {err}", where_()))
    };
    // One span (nearly every annotation) goes inline without a list made first.
    let anchor = match a.spans.as_slice() {
        [] => Anchor::Document,
        [one] => Anchor::span(span(one)?),
        many => {
            let spans = many.iter().map(span).collect::<Result<Vec<_>, _>>()?;
            Anchor::spans(spans).unwrap_or(Anchor::Document)
        }
    };
    let kind = match a.kind {
        KindFile::Entity { label, canonical } => AnnotationKind::Entity {
            label: names.share(label),
            canonical: canonical.map(|c| names.share(c)),
        },
        KindFile::Stance { .. } if version < 2 => {
            return Err(format!("{}: stances need format version 2", where_()));
        }
        KindFile::Stance {
            target,
            polarity,
            holder,
        } => AnnotationKind::Stance {
            target: names.share(target),
            polarity: names.share(polarity),
            holder: holder
                .map(|h| {
                    crate::model::HolderId::new(AnnotationId(h)).ok_or_else(|| {
                        format!("{}: holder {h} cannot be an annotation id", where_())
                    })
                })
                .transpose()?,
        },
    };
    let mut ann = Annotation::new(AnnotationId(a.id), anchor, kind)
        .map_err(|err| format!("{}: {err}", where_()))?;
    ann.set_note(a.note.map(Into::into));
    ann.set_attributes(a.attributes.into());
    Ok(ann)
}

/// Whether the fast path and `ron` read one document's RON alike (the fast path giving up
/// counts as agreeing): what the `fast_document` fuzz target checks.
#[doc(hidden)]
pub fn fast_path_agrees_with_ron(text: &str) -> bool {
    fast::document(text).is_none_or(|fast| {
        ron_options()
            .from_str::<DocumentFile>(text)
            .is_ok_and(|slow| slow == fast)
    })
}

/// Loads a project file while making something from each document as it is parsed (an
/// export written during the load, counts): `make` runs on the loader's workers and adds
/// a document to its batch's `T`, `sink` takes each batch's `T` in document order and
/// returns `false` to stop. `None` when the file is not read this way — too big, anything
/// unusual, a problem in the file (a document id used twice), or `sink` stopping it; then
/// [`load`] gives the project or the message.
pub fn load_making<T: Default + Send>(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
    make: &parallel::MakeSide<'_, T>,
    sink: &mut parallel::SinkSide<'_, T>,
) -> Option<Project> {
    stream_making::<T, model::DocumentPart, model::ProjectBuilder>(path, progress, make, sink)
}

/// Streams the file at `path` with a side output, keeping what `K` keeps; `None` when it
/// is not read this way or not sound.
fn stream_making<T: Default + Send, P: parallel::FilePart, K: parallel::Keep<P>>(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
    make: &parallel::MakeSide<'_, T, P>,
    sink: &mut parallel::SinkSide<'_, T>,
) -> Option<K::Done> {
    let size = size_to_open(path).ok()?;
    let file = std::fs::File::open(path).ok()?;
    let side = parallel::SideOutput { make, sink };
    let watch = parallel::Watch {
        progress,
        first: None,
    };
    parallel::stream_with::<T, P, K>(file, (size, parallel::CHUNK), path, watch, Some(side))?.ok()
}

/// Whether the end of the project file at `path` shows an empty relation list
/// (`relations: []` in its last 64 KiB, as spantag writes it): a guess made before
/// reading the file, for commands whose output can be made without keeping the project
/// only when it has no relations. A wrong guess only costs time: the read then finds the
/// relations and gives up.
pub fn ends_without_relations(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    const TAIL: u64 = 64 << 10;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(size) = file.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut tail = Vec::new();
    if file
        .seek(SeekFrom::Start(size.saturating_sub(TAIL)))
        .is_err()
        || file.read_to_end(&mut tail).is_err()
    {
        return false;
    }
    let Some(at) = memchr::memmem::rfind(&tail, b"relations:") else {
        return false;
    };
    let after: Vec<u8> = tail
        .get(at + b"relations:".len()..)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .take(2)
        .collect();
    after == b"[]"
}

/// What [`read_making`] leaves of a project file once it is read through: the counts of
/// its documents and annotations and its relations (in id order), the file checked as a
/// load checks it.
#[derive(Debug)]
pub struct ReadThrough {
    /// Documents in the file.
    pub documents: usize,
    /// Annotations in the file (of all documents).
    pub annotations: usize,
    /// The relations, in id order (as [`Project::relations`] lists them).
    pub relations: Vec<Relation>,
}

/// [`load_making`] for a command that needs the documents only as they come (`spantag
/// stats`, the spans export): each document is dropped on the worker that made its side
/// output, and only what checking the whole file needs is kept — the document ids (used
/// twice?), the annotation ids with their document (used twice? what the relations,
/// conflicts and rejected suggestions name) — so neither the time nor the memory of
/// building the project is spent. The file is checked exactly as [`load`] checks it:
/// `None` when it is not sound or not read this way (then [`load`] gives the message).
pub fn read_making<T: Default + Send>(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
    make: &parallel::MakeSide<'_, T>,
    sink: &mut parallel::SinkSide<'_, T>,
) -> Option<ReadThrough> {
    stream_making::<T, model::DocumentPart, IdTable>(path, progress, make, sink)
}

/// [`read_making`] handing `make` each document as the file gives it ([`FileDocument`]:
/// its fields and annotations checked as a load checks them, but no [`Document`] with
/// its offset table and no [`Annotation`]s made): for output that needs no char↔byte
/// offsets (`spantag stats`). The same checks, the same `None`.
pub fn read_direct<T: Default + Send>(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
    make: &parallel::MakeSide<'_, T, FileDocument>,
    sink: &mut parallel::SinkSide<'_, T>,
) -> Option<ReadThrough> {
    stream_making::<T, FileDocument, IdTable>(path, progress, make, sink)
}

/// What a read-through keeps of the documents ([`read_making`]): their ids in file order
/// and every annotation's id with its document's position, 16 bytes an annotation.
#[derive(Default)]
struct IdTable {
    documents: Vec<DocId>,
    /// `(annotation id, document position)`.
    annotations: Vec<(u64, u32)>,
    /// A document whose annotations the project would refuse (see [`IdTable::keep`]).
    unsound: bool,
}

/// One batch of a read-through's documents ([`IdTable`]), positions counted in the batch.
#[derive(Default)]
struct IdBatch {
    documents: Vec<DocId>,
    annotations: Vec<(u64, u32)>,
    unsound: bool,
}

impl<P: parallel::FilePart> parallel::Keep<P> for IdTable {
    type Batch = IdBatch;
    type Done = ReadThrough;

    /// Keeps the ids, and whether the part passed the checks [`model::ProjectBuilder`]
    /// gives up on ([`parallel::FilePart::is_sound`]: its annotations lie inside the
    /// text and a stance's holder is another annotation of the document, an entity).
    fn keep(batch: &mut IdBatch, part: P) {
        let at = u32::try_from(batch.documents.len()).unwrap_or(u32::MAX);
        batch.unsound |= !part.is_sound();
        batch
            .annotations
            .extend(part.annotation_ids().map(|id| (id, at)));
        batch.documents.push(part.id().clone());
    }

    fn add(&mut self, batch: IdBatch) {
        let shift = u32::try_from(self.documents.len()).unwrap_or(u32::MAX);
        self.unsound |= batch.unsound;
        self.documents.extend(batch.documents);
        self.annotations.extend(
            batch
                .annotations
                .into_iter()
                .map(|(id, at)| (id, at.saturating_add(shift))),
        );
    }

    /// The checks of [`model::ProjectBuilder::finish`] and of adding the team records,
    /// on the ids alone: documents and annotation ids used once, every relation's id
    /// free and its ends annotations of one document, every conflict naming annotations
    /// of its document, every rejected suggestion's document in the file.
    fn finish(
        mut self,
        head: ProjectFile,
        _schema: Schema,
        _path: &Path,
    ) -> Option<Result<ReadThrough, ProjectFileError>> {
        if self.unsound || u32::try_from(self.documents.len()).is_err() {
            return None;
        }
        let mut positions: rustc_hash::FxHashMap<&DocId, u32> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(
                self.documents.len(),
                Default::default(),
            );
        for (at, id) in (0u32..).zip(&self.documents) {
            if positions.insert(id, at).is_some() {
                return None;
            }
        }
        // The table is sorted in a part a core, at once (the load has ended: the cores
        // are free), and the sorted parts are walked together for an id used twice.
        let part = self
            .annotations
            .len()
            .div_ceil(crate::parallel::every_core())
            .max(1);
        std::thread::scope(|scope| {
            for ids in self.annotations.chunks_mut(part) {
                scope.spawn(|| ids.sort_unstable());
            }
        });
        let sorted: Vec<&[(u64, u32)]> = self.annotations.chunks(part).collect();
        let mut ids = sorted.iter().map(|ids| ids.iter().map(|e| e.0)).kmerge();
        let mut last = None;
        if ids.any(|id| last.replace(id) == Some(id)) {
            return None;
        }
        let document_of = |id: u64| {
            sorted.iter().find_map(|ids| {
                let at = ids.binary_search_by_key(&id, |e| e.0).ok()?;
                ids.get(at).map(|e| e.1)
            })
        };
        for c in &head.conflicts {
            let doc = positions.get(&DocId::from(c.doc.as_str())).copied()?;
            let sides = [c.ours, c.theirs];
            if sides.iter().all(Option::is_none)
                || !sides
                    .iter()
                    .flatten()
                    .all(|id| document_of(*id) == Some(doc))
            {
                return None;
            }
        }
        for (doc, ..) in &head.rejected_suggestions {
            positions.get(&DocId::from(doc.as_str()))?;
        }
        let mut relations: BTreeMap<u64, Relation> = BTreeMap::new();
        for r in head.relations {
            if document_of(r.id).is_some() || relations.contains_key(&r.id) {
                return None;
            }
            let (from, to) = (document_of(r.from)?, document_of(r.to)?);
            if from != to {
                return None;
            }
            relations.insert(
                r.id,
                Relation {
                    id: AnnotationId(r.id),
                    label: r.label,
                    from: AnnotationId(r.from),
                    to: AnnotationId(r.to),
                },
            );
        }
        Some(Ok(ReadThrough {
            documents: self.documents.len(),
            annotations: self.annotations.len(),
            relations: relations.into_values().collect(),
        }))
    }
}

/// The size of a project file, refused when it is more than spantag opens.
fn size_to_open(path: &Path) -> Result<u64, ProjectFileError> {
    let size = std::fs::metadata(path)
        .map_err(|source| ProjectFileError::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(ProjectFileError::Invalid {
            path: path.to_owned(),
            message: format!("the file is {size} bytes, more than spantag opens"),
        });
    }
    Ok(size)
}

/// Reads and parses a project file.
pub fn load(path: &Path) -> Result<Project, ProjectFileError> {
    load_with_progress(path, &|_| {})
}

/// Reads and parses a project file, reporting progress (0 to 1) from whichever thread does
/// the work: the window's background loader draws it as a progress bar.
pub fn load_with_progress(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
) -> Result<Project, ProjectFileError> {
    load_with_preview(path, progress, None)
}

/// What [`load_with_preview`] hands over early: a project of the file's first documents.
pub type FirstDocuments<'a> = dyn Fn(Project) + Sync + 'a;

/// [`load_with_progress`] that also hands `first`, as soon as they are read, a project of
/// the file's first documents (its schema and its first batch of documents, without the
/// relations, rejected suggestions and team records that follow the documents in the
/// file), so the window can show them while the rest loads. Nothing is handed over when
/// the file is small, read in one batch, or unusual (the plain parser reads it); the
/// result is always the whole project, or the error.
pub fn load_with_preview(
    path: &Path,
    progress: &(dyn Fn(f32) + Sync),
    first: Option<&FirstDocuments<'_>>,
) -> Result<Project, ProjectFileError> {
    let io = |source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
    };
    let size = size_to_open(path)?;
    if size >= parallel::MIN_BYTES as u64
        && let Some(loaded) = parallel::stream(path, size, parallel::CHUNK, progress, first)
    {
        return loaded;
    }
    let bytes = std::fs::read(path).map_err(io)?;
    progress(0.03);
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        ProjectFileError::Syntax {
            path: path.to_owned(),
            line,
            col: 1,
            message: "the file is not valid UTF-8".to_owned(),
        }
    })?;
    progress(0.05);
    from_owned_ron(text, path, &|f| progress(0.05 + 0.95 * f))
}

/// Refuses to overwrite a file written by a newer spantag (only its head is read).
fn refuse_newer(path: &Path) -> Result<(), ProjectFileError> {
    let Some(head) = file_head(path, 4096) else {
        return Ok(());
    };
    match sniff_version(&head) {
        Some(found) if found > CURRENT_VERSION => Err(ProjectFileError::NewerVersion {
            path: path.to_owned(),
            found,
        }),
        _ => Ok(()),
    }
}

/// The first `bytes` of a file, where a project's `format` and `version` fields are;
/// `None` when it cannot be read (missing, a folder, no permission).
fn file_head(path: &Path, bytes: u64) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut head = Vec::new();
    file.take(bytes).read_to_end(&mut head).ok()?;
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Reads the `format: "…"` field from the head of a file.
fn sniff_format(text: &str) -> Option<&str> {
    let head = text.get(..text.len().min(400)).unwrap_or(text);
    let at = head.find("format:")?;
    let value = text.get(at + "format:".len()..)?.trim_start();
    let value = value.strip_prefix('"')?;
    value.get(..value.find('"')?)
}

/// Whether `path` is a spantag project file, read from its head (`format:
/// "spantag-project"`), so a command can tell a project it must not replace from an old
/// export or someone else's file. A damaged project counts as long as its head is whole.
pub fn is_project_file(path: &Path) -> bool {
    // The field is among the first few dozen bytes of any file spantag writes; reading
    // little keeps a check over every file of an export folder cheap.
    file_head(path, 512).is_some_and(|head| sniff_format(&head) == Some(FORMAT_NAME))
}

/// Saves a project atomically (temp file, fsync, rename), keeping the previous version as
/// `<name>.bak`. Refuses to overwrite a file from a newer spantag.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    let snapshot = project.snapshot();
    write_project_file(path, |w| write_ron(&snapshot, w))
}

/// Saves `project` in place of a file it is *not* a later version of (`new`, `generate`
/// or `import --force` over an existing file). Where [`save`] would rotate the replaced
/// file into `<name>.bak` — and the new project's next save would rotate it away — the
/// replaced file and its `.bak` are set aside under free numbered names
/// ([`super::atomic::set_aside_with_backup`]) that no save writes. Returns where they
/// went. Refuses to overwrite a file from a newer spantag.
pub fn save_replacing(
    project: &Project,
    path: &Path,
) -> Result<super::atomic::SetAside, ProjectFileError> {
    refuse_newer(path)?;
    let io = |source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
    };
    let set_aside = super::atomic::set_aside_with_backup(path).map_err(io)?;
    let snapshot = project.snapshot();
    super::atomic::write_atomically(path, |w| write_ron(&snapshot, w)).map_err(io)?;
    Ok(set_aside)
}

/// Saves a project atomically without keeping a `.bak` of the file it replaces: for
/// outputs whose previous version is kept elsewhere (git's merge driver writes over a
/// temporary copy of "ours" that git holds in its index).
pub fn save_without_backup(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    refuse_newer(path)?;
    let snapshot = project.snapshot();
    super::atomic::write_atomically(path, |w| write_ron(&snapshot, w)).map_err(|source| {
        ProjectFileError::Io {
            path: path.to_owned(),
            source,
        }
    })
}

/// Checks a project file and lists every problem found (an empty list means it is sound):
/// content hashes, spans inside their text and not splitting a character, unique ids,
/// holders and relations pointing at existing annotations of the same document.
pub fn check(path: &Path) -> Result<Vec<String>, ProjectFileError> {
    use unicode_segmentation::UnicodeSegmentation;
    let text = std::fs::read_to_string(path).map_err(|source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    let file: ProjectFile = ron_options().from_str(&text).map_err(|e| {
        match sniff_version(&text).filter(|v| *v > CURRENT_VERSION) {
            Some(found) => ProjectFileError::NewerVersion {
                path: path.to_owned(),
                found,
            },
            None => syntax_error(path, &e),
        }
    })?;
    let mut problems = Vec::new();
    if file.format != FORMAT_NAME {
        problems.push(format!(
            "format is '{}', expected '{FORMAT_NAME}'",
            file.format
        ));
    }
    if file.version > CURRENT_VERSION {
        problems.push(format!(
            "format version {} is newer than {CURRENT_VERSION}",
            file.version
        ));
    }
    let schema = match file.schema.into_schema() {
        Ok(schema) => Some(schema),
        Err(e) => {
            problems.push(format!("schema: {e}"));
            None
        }
    };
    let mut doc_ids = BTreeSet::new();
    // annotation id -> (document, is entity)
    let mut owners: BTreeMap<u64, (String, bool)> = BTreeMap::new();
    for d in &file.documents {
        if !doc_ids.insert(d.id.clone()) {
            problems.push(format!("document '{}' appears twice", d.id));
        }
        if content_hash(&d.text) != d.hash {
            problems.push(format!(
                "document '{}': the text does not match its content hash",
                d.id
            ));
        }
        for a in &d.annotations {
            let is_entity = matches!(a.kind, KindFile::Entity { .. });
            if owners.insert(a.id, (d.id.clone(), is_entity)).is_some() {
                problems.push(format!("annotation id {} is used twice", a.id));
            }
        }
    }
    for d in &file.documents {
        let len = d.text.chars().count();
        let boundaries: BTreeSet<usize> = {
            let mut set = BTreeSet::new();
            let mut chars = 0;
            for g in d.text.graphemes(true) {
                set.insert(chars);
                chars += g.chars().count();
            }
            set.insert(chars);
            set
        };
        for a in &d.annotations {
            let at = format!("document '{}', annotation {}", d.id, a.id);
            for &(s, e) in &a.spans {
                if s >= e {
                    problems.push(format!("{at}: span {s}..{e} is empty or reversed"));
                } else if e > len {
                    problems.push(format!(
                        "{at}: span {s}..{e} lies outside the text ({len} characters)"
                    ));
                } else if !boundaries.contains(&s) || !boundaries.contains(&e) {
                    problems.push(format!(
                        "{at}: span {s}..{e} splits a character (a base letter from its accent)"
                    ));
                }
            }
            match &a.kind {
                KindFile::Entity { .. } if a.spans.is_empty() => {
                    problems.push(format!("{at}: an entity without a span"));
                }
                KindFile::Stance {
                    holder: Some(h), ..
                } => match owners.get(h) {
                    Some((doc, true)) if *doc == d.id => {}
                    Some((doc, true)) => problems.push(format!(
                        "{at}: holder {h} belongs to another document '{doc}'"
                    )),
                    Some((_, false)) => {
                        problems.push(format!("{at}: holder {h} is not an entity"));
                    }
                    None => problems.push(format!("{at}: holder {h} does not exist")),
                },
                _ => {}
            }
            // Names the schema does not define: they load, but have no colour or key.
            match (&a.kind, &schema) {
                (KindFile::Entity { label, .. }, Some(schema))
                    if schema.entity_type(label).is_none() =>
                {
                    problems.push(format!("{at}: label '{label}' is not in the schema"));
                }
                (KindFile::Stance { polarity, .. }, Some(schema))
                    if schema.polarity(polarity).is_none() =>
                {
                    problems.push(format!("{at}: polarity '{polarity}' is not in the schema"));
                }
                _ => {}
            }
        }
    }
    for r in &file.relations {
        for arg in [r.from, r.to] {
            if !owners.contains_key(&arg) {
                problems.push(format!(
                    "relation {} ({}): argument {arg} does not exist",
                    r.id, r.label
                ));
            }
        }
    }
    for c in &file.conflicts {
        let named: Vec<u64> = c.ours.into_iter().chain(c.theirs).collect();
        if named.is_empty() {
            problems.push(format!(
                "a conflict in document '{}' names no annotation",
                c.doc
            ));
        }
        for id in named {
            match owners.get(&id) {
                Some((doc, _)) if *doc == c.doc => {}
                _ => problems.push(format!(
                    "a conflict in document '{}' names annotation {id}, which is not there",
                    c.doc
                )),
            }
        }
    }
    Ok(problems)
}

/// The parallel load path: the `documents` list is cut into one piece of text per document
/// by a small scanner that knows RON's strings, chars and brackets ([`parallel::Splitter`]);
/// the rest of the file (schema, relations, …) parses on its own, and the documents parse
/// and convert (content hash, offsets) on every core. The file format is untouched: the
/// pieces are exactly the RON a plain parse reads. Anything unusual — comments, raw
/// strings, `#![enable]` extensions, a syntax error, an invalid document — makes it give
/// up and return `None`, and the caller parses sequentially, so errors and their line
/// numbers are unchanged.
mod parallel {
    use super::{
        DocumentFile, FirstDocuments, Interner, Project, ProjectFile, ProjectFileError, Sharing,
        check_head, document_from_file, ron_options,
    };
    use crate::model::{DocId, DocumentPart, ProjectBuilder, Schema};
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::ops::Range;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, mpsc};

    /// Below this size a sequential parse is quick enough.
    pub(super) const MIN_BYTES: usize = 1 << 20;
    /// Documents handed to a worker at a time.
    const BATCH: usize = 64;

    /// Bytes read from a file at a time while streaming it.
    pub(super) const CHUNK: usize = 1 << 20;

    /// Loads a big project file without ever holding it whole: the file is read a chunk
    /// at a time, cut into one piece of RON per document ([`Splitter`]), the pieces are
    /// parsed and converted on all cores, and each document goes into the project as soon
    /// as it is ready ([`ProjectBuilder`]), so memory holds the project and a few batches
    /// in flight rather than the file text beside everything parsed from it. `None` when
    /// the file looks unusual anywhere or is not sound: the caller then reads it whole
    /// and parses it plainly, so errors and their line numbers are the plain parser's.
    pub(super) fn stream(
        path: &Path,
        size: u64,
        chunk: usize,
        progress: &(dyn Fn(f32) + Sync),
        first: Option<&FirstDocuments<'_>>,
    ) -> Option<Result<Project, ProjectFileError>> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(source) => {
                return Some(Err(ProjectFileError::Io {
                    path: path.to_owned(),
                    source,
                }));
            }
        };
        let watch = Watch { progress, first };
        stream_with::<(), DocumentPart, ProjectBuilder>(file, (size, chunk), path, watch, None)
    }

    /// [`stream`] over any reader (`size` only drives the progress).
    pub(super) fn stream_from(
        input: impl Read,
        size: u64,
        chunk: usize,
        path: &Path,
        progress: &(dyn Fn(f32) + Sync),
    ) -> Option<Result<Project, ProjectFileError>> {
        let watch = Watch {
            progress,
            first: None,
        };
        stream_with::<(), DocumentPart, ProjectBuilder>(input, (size, chunk), path, watch, None)
    }

    /// Who follows a streaming load: its progress (0 to 1), and who gets the first
    /// documents early.
    pub(super) struct Watch<'w> {
        pub(super) progress: &'w (dyn Fn(f32) + Sync),
        pub(super) first: Option<&'w FirstDocuments<'w>>,
    }

    /// A batch of documents parsed: what is kept of them, and the side output made from
    /// them.
    type Parsed<K, P, T> = (<K as Keep<P>>::Batch, T);
    /// A batch's index and what parsing it gave (`None`: it did not parse).
    type Done<K, P, T> = (usize, Option<Parsed<K, P, T>>);

    /// What a worker makes of one document as the file gives it, checked as a load
    /// checks it: the model's [`DocumentPart`] (for a load), or the file's own
    /// [`super::FileDocument`] (for output made from the file's fields).
    pub(super) trait FilePart: Sized + Send {
        /// Converts and checks one parsed document of a file of format `version`; `None`
        /// for anything a load refuses (the plain load then gives the message).
        fn from_file(document: (DocumentFile, Sharing<'_>), version: u32) -> Option<Self>;
        /// The document's id.
        fn id(&self) -> &DocId;
        /// Its annotations' ids.
        fn annotation_ids(&self) -> impl Iterator<Item = u64>;
        /// Whether its annotations passed the checks [`ProjectBuilder`] gives up on.
        fn is_sound(&self) -> bool;
    }

    impl FilePart for DocumentPart {
        fn from_file(document: (DocumentFile, Sharing<'_>), version: u32) -> Option<Self> {
            let d = document_from_file(document, version).ok()?;
            Some(DocumentPart::new(d.doc, d.status, d.annotations))
        }

        fn id(&self) -> &DocId {
            self.doc().id()
        }

        fn annotation_ids(&self) -> impl Iterator<Item = u64> {
            self.annotations().map(|a| a.id().0)
        }

        fn is_sound(&self) -> bool {
            DocumentPart::is_sound(self)
        }
    }

    /// What a streaming load keeps of the documents it reads, and what it gives once the
    /// whole file is read: the project ([`ProjectBuilder`]), or only what checking the
    /// whole file needs ([`super::IdTable`], for commands that make their output from the
    /// documents as they come and need no project).
    pub(super) trait Keep<P: FilePart>: Default {
        /// What a worker keeps of a batch of documents; made on the worker, so whatever
        /// is not kept is dropped there.
        type Batch: Default + Send;
        /// What the load gives.
        type Done;
        /// Keeps a document (its side output already made) in its batch, on a worker.
        fn keep(batch: &mut Self::Batch, part: P);
        /// Takes the batches in file order, on the reading thread.
        fn add(&mut self, batch: Self::Batch);
        /// The result, given the file's head (its documents left out) and its schema;
        /// `None` when anything is not sound, so the plain parser gives the message.
        fn finish(
            self,
            head: ProjectFile,
            schema: Schema,
            path: &Path,
        ) -> Option<Result<Self::Done, ProjectFileError>>;
    }

    impl Keep<DocumentPart> for ProjectBuilder {
        type Batch = Vec<DocumentPart>;
        type Done = Project;

        fn keep(batch: &mut Self::Batch, part: DocumentPart) {
            batch.push(part);
        }

        fn add(&mut self, batch: Self::Batch) {
            for part in batch {
                ProjectBuilder::add(self, part);
            }
        }

        fn finish(
            self,
            mut head: ProjectFile,
            schema: Schema,
            path: &Path,
        ) -> Option<Result<Project, ProjectFileError>> {
            let team = super::team_edit(&mut head);
            let (relations, rejected) = super::project_wide_parts(head);
            let built = ProjectBuilder::finish(self, schema, relations, rejected)?;
            Some(
                built
                    .map_err(|e| ProjectFileError::Invalid {
                        path: path.to_owned(),
                        message: e.to_string(),
                    })
                    .and_then(|project| super::with_team_records(project, team, path)),
            )
        }
    }

    /// [`stream_from`], making `side` output from the documents as they come and keeping
    /// of them what `K` keeps.
    pub(super) fn stream_with<T: Default + Send, P: FilePart, K: Keep<P>>(
        mut input: impl Read,
        (size, chunk): (u64, usize),
        path: &Path,
        watch: Watch<'_>,
        side: Option<SideOutput<'_, T, P>>,
    ) -> Option<Result<K::Done, ProjectFileError>> {
        let progress = watch.progress;
        // Opening a project: the window only draws a progress bar meanwhile.
        let workers = crate::parallel::every_core();
        let stop = AtomicBool::new(false);
        let (batch_tx, batch_rx) = mpsc::sync_channel::<Batch>(workers * 2);
        let batch_rx = Mutex::new(batch_rx);
        let (done_tx, done_rx) = mpsc::channel::<Done<K, P, T>>();
        let (make, sink) = match side {
            Some(SideOutput { make, sink }) => (Some(make), Some(sink)),
            None => (None, None),
        };
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let done_tx = done_tx.clone();
                let (batch_rx, stop) = (&batch_rx, &stop);
                scope.spawn(move || {
                    loop {
                        let next = match batch_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok(batch) = next else { break };
                        let parsed = (!stop.load(Ordering::Relaxed))
                            .then(|| batch.parse::<T, P, K>(make))
                            .flatten();
                        if done_tx.send((batch.index, parsed)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut reading = Reading::<K, P, T> {
                kept: K::default(),
                pending: BTreeMap::new(),
                next: 0,
                sent: 0,
                sink,
            };
            let result = read_all(
                &mut input,
                (size, chunk),
                &watch,
                &batch_tx,
                &done_rx,
                &mut reading,
            );
            // No more batches: the workers end once the last is parsed.
            drop(batch_tx);
            if !matches!(result, Ok(Some(_))) {
                // Given up: the batches still queued need no parsing.
                stop.store(true, Ordering::Relaxed);
            }
            let head = match result {
                Ok(Some(head)) => head,
                Ok(None) => return None,
                Err(source) => {
                    return Some(Err(ProjectFileError::Io {
                        path: path.to_owned(),
                        source,
                    }));
                }
            };
            while reading.next < reading.sent {
                let (index, parsed) = done_rx.recv().ok()?;
                reading.take(index, parsed)?;
            }
            let (mut head, version) = head;
            if !head.documents.is_empty() || head.version != version {
                return None;
            }
            let schema = check_head(&mut head, path).ok()?;
            progress(1.0);
            reading.kept.finish(head, schema, path)
        })
    }

    /// What a streaming load makes from each document besides the project (an export
    /// written while the file loads, counts): `make` adds a document to its batch's `T`
    /// (bytes, counts) on the worker that parsed it, and `sink` takes each batch's `T` in
    /// file order and returns `false` to stop the load. The project keeps the documents
    /// in file order, so the side output comes in the order of the project's list.
    pub(crate) struct SideOutput<'s, T, P = DocumentPart> {
        pub(crate) make: &'s MakeSide<'s, T, P>,
        pub(crate) sink: &'s mut SinkSide<'s, T>,
    }

    /// Makes a document's side output (see [`SideOutput`]).
    pub(crate) type MakeSide<'a, T, P = DocumentPart> = dyn Fn(&P, &mut T) + Sync + 'a;
    /// Takes a batch's side output in order (its buffer, to keep or hand on); `false`
    /// stops the load.
    pub(crate) type SinkSide<'a, T> = dyn FnMut(T) -> bool + 'a;

    /// Documents read so far: parsed batches go to the keeper in file order.
    struct Reading<'s, K: Keep<P>, P: FilePart, T> {
        kept: K,
        pending: BTreeMap<usize, Parsed<K, P, T>>,
        /// The next batch the builder takes.
        next: usize,
        /// Batches handed to the workers.
        sent: usize,
        sink: Option<&'s mut SinkSide<'s, T>>,
    }

    impl<K: Keep<P>, P: FilePart, T> Reading<'_, K, P, T> {
        /// Keeps a parsed batch and hands every batch now in order to the keeper;
        /// `None` when the batch did not parse.
        fn take(&mut self, index: usize, parsed: Option<Parsed<K, P, T>>) -> Option<()> {
            self.pending.insert(index, parsed?);
            while let Some((docs, side)) = self.pending.remove(&self.next) {
                self.next += 1;
                if let Some(sink) = &mut self.sink
                    && !sink(side)
                {
                    return None;
                }
                self.kept.add(docs);
            }
            Some(())
        }
    }

    /// Reads the file through, sending batches of documents to the workers and taking
    /// finished ones meanwhile. Returns the parsed head (the file without its documents)
    /// and the version the documents were converted for; `None` for anything unusual.
    fn read_all<K: Keep<P>, P: FilePart, T>(
        input: &mut impl Read,
        (size, chunk): (u64, usize),
        watch: &Watch<'_>,
        batches: &mpsc::SyncSender<Batch>,
        done: &mpsc::Receiver<Done<K, P, T>>,
        reading: &mut Reading<'_, K, P, T>,
    ) -> std::io::Result<Option<(ProjectFile, u32)>> {
        let mut splitter = Splitter::default();
        let mut buf = vec![0; chunk.max(1)];
        let mut read = 0u64;
        // The version the documents are converted for, from the head before the list;
        // checked against the parsed head at the end.
        let mut version = None;
        let mut send =
            |splitter: &Splitter, (bytes, pieces): Cut, reading: &mut Reading<K, P, T>| {
                if version.is_none() {
                    version = std::str::from_utf8(&splitter.head)
                        .ok()
                        .and_then(super::sniff_version);
                }
                let batch = Batch {
                    index: reading.sent,
                    version: version?,
                    bytes,
                    pieces,
                };
                if reading.sent == 0
                    && let Some(first) = watch.first
                    && let Some(preview) = batch.preview(&splitter.head)
                {
                    first(preview);
                }
                reading.sent += 1;
                batches.send(batch).ok()
            };
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            read += n as u64;
            let mut full = Vec::new();
            if buf
                .get(..n)
                .and_then(|b| splitter.feed(b, &mut full))
                .is_none()
            {
                return Ok(None);
            }
            for cut in full {
                if send(&splitter, cut, reading).is_none() {
                    return Ok(None);
                }
            }
            while let Ok((index, parsed)) = done.try_recv() {
                if reading.take(index, parsed).is_none() {
                    return Ok(None);
                }
            }
            (watch.progress)(0.95 * read as f32 / size.max(1) as f32);
        }
        let Some(last) = splitter.finish() else {
            return Ok(None);
        };
        if !last.1.is_empty() && send(&splitter, last, reading).is_none() {
            return Ok(None);
        }
        let head = std::str::from_utf8(&splitter.head)
            .ok()
            .and_then(|text| ron_options().from_str::<ProjectFile>(text).ok());
        Ok(head.map(|head| {
            let version = version.unwrap_or(head.version);
            (head, version)
        }))
    }

    /// Documents' RON one after another, and each one's range.
    type Cut = (Vec<u8>, Vec<Range<usize>>);

    /// Documents handed to a worker: their RON one after another in `bytes`.
    struct Batch {
        index: usize,
        version: u32,
        bytes: Vec<u8>,
        pieces: Vec<Range<usize>>,
    }

    impl Batch {
        /// A project of this batch's documents under the schema of `head` (the file up to
        /// its document list, which the list's end and the file's end close); `None` when
        /// anything in it does not read.
        fn preview(&self, head: &[u8]) -> Option<Project> {
            let mut head = String::from_utf8(head.to_vec()).ok()?;
            head.push_str("])");
            let mut head = ron_options().from_str::<ProjectFile>(&head).ok()?;
            let schema = check_head(&mut head, Path::new("")).ok()?;
            let (parts, ()) = self.parse::<(), DocumentPart, ProjectBuilder>(None)?;
            let mut builder = ProjectBuilder::new();
            Keep::add(&mut builder, parts);
            builder.finish(schema, Vec::new(), Vec::new())?.ok()
        }

        /// Parses and converts every document, and makes their side output with `make`;
        /// `None` at the first problem.
        fn parse<T: Default, P: FilePart, K: Keep<P>>(
            &self,
            make: Option<&MakeSide<'_, T, P>>,
        ) -> Option<Parsed<K, P, T>> {
            let text = simdutf8::basic::from_utf8(&self.bytes).ok()?;
            let mut names = Interner::default();
            let mut side = T::default();
            let mut kept = K::Batch::default();
            for piece in &self.pieces {
                let piece = text.get(piece.clone())?;
                let d = match super::fast::document_sharing(piece, &mut names) {
                    Some(d) => (d, Sharing::Shared),
                    None => (
                        ron_options().from_str::<DocumentFile>(piece).ok()?,
                        Sharing::Share(&mut names),
                    ),
                };
                let part = P::from_file(d, self.version)?;
                if let Some(make) = make {
                    make(&part, &mut side);
                }
                K::keep(&mut kept, part);
            }
            Some((kept, side))
        }
    }

    /// The bytes [`Splitter::feed`] looks at outside strings.
    const MEANINGFUL: [bool; 256] = {
        let mut table = [false; 256];
        let bytes = b"\"'/#([{)]},";
        let mut i = 0;
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        table
    };

    /// Cuts a project file, fed a chunk at a time, into its head (everything but the
    /// elements of the top-level `documents` list, so the head parses with an empty list)
    /// and batches of [`BATCH`] documents' RON. Knows RON's strings, chars and brackets;
    /// anything it does not handle — comments, raw strings, `#` extensions — ends it.
    #[derive(Default)]
    struct Splitter {
        head: Vec<u8>,
        /// The batch being filled: documents' bytes and each one's range.
        bytes: Vec<u8>,
        pieces: Vec<Range<usize>>,
        /// Where the document being read starts in `bytes`.
        element_start: usize,
        depth: usize,
        in_list: bool,
        list_done: bool,
        /// Inside a string or char: its quote, and whether a backslash came last.
        quote: Option<u8>,
        escaped: bool,
        /// Between documents of the list (after its `[` or a `,` at its level): where a
        /// document's end may be looked for at once ([`DOCUMENT_END`]).
        between: bool,
    }

    /// How the writer ends a document of the list: its `)` alone on a line at the list's
    /// indentation, and the comma after it. Inside a document the writer indents every
    /// line further and writes no string with a raw line break, so in a file it wrote
    /// the first of these after a document's `(` ends that document. The splitter jumps
    /// there instead of reading the document byte by byte; the cut is checked by the
    /// worker, which must read the piece as exactly one document (anything else — a
    /// hand-edited file with such a line inside a string, another layout — makes the
    /// read give up, and the plain parser reads the file).
    const DOCUMENT_END: &[u8] = b"\n    ),\n";

    impl Splitter {
        /// Reads one chunk; full batches go to `full`. `None` for anything unusual.
        fn feed(&mut self, chunk: &[u8], full: &mut Vec<Cut>) -> Option<()> {
            let mut segment = 0;
            let mut i = 0;
            // The next document end in the chunk at or after `i` (found once, so a
            // chunk written another way is searched through once, not per document).
            let ends = memchr::memmem::Finder::new(DOCUMENT_END);
            let mut next_end: Option<Option<usize>> = None;
            while i < chunk.len() {
                if self.between && self.quote.is_none() {
                    // A document's start: the jump to its end, when the chunk holds it.
                    let rest = chunk.get(i..)?;
                    let blank = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let Some(&first) = rest.get(blank) else {
                        break;
                    };
                    self.between = false;
                    if first == b'(' && self.in_list && self.depth == 2 {
                        let from = i + blank;
                        if next_end.is_none_or(|end| end.is_some_and(|end| end < from)) {
                            next_end = Some(ends.find(chunk.get(from..)?).map(|k| from + k));
                        }
                        if let Some(Some(end)) = next_end {
                            // On the comma after the document's `)`.
                            i = end + DOCUMENT_END.len() - 2;
                            continue;
                        }
                    }
                }
                if let Some(quote) = self.quote {
                    if self.escaped {
                        self.escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(quote, b'\\', chunk.get(i..)?) {
                        None => i = chunk.len(),
                        Some(k) => {
                            i += k;
                            if chunk.get(i) == Some(&b'\\') {
                                self.escaped = true;
                            } else {
                                self.quote = None;
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                // Most bytes (letters, digits, spaces) mean nothing here: skip them at once.
                i += chunk
                    .get(i..)?
                    .iter()
                    .take_while(|b| !MEANINGFUL[usize::from(**b)])
                    .count();
                let Some(&b) = chunk.get(i) else {
                    break;
                };
                match b {
                    b'"' | b'\'' => self.quote = Some(b),
                    // Comments, raw strings and extensions are left to the plain parser.
                    b'/' | b'#' => return None,
                    b'(' | b'{' => self.depth += 1,
                    b'[' => {
                        if self.depth == 1 && !self.in_list && !self.list_done {
                            self.head.extend_from_slice(chunk.get(segment..=i)?);
                            segment = i + 1;
                            let head = std::str::from_utf8(&self.head).ok()?;
                            if key_before(head, i_in(head)) == Some("documents") {
                                self.in_list = true;
                                self.between = true;
                                self.element_start = self.bytes.len();
                            }
                        }
                        self.depth += 1;
                    }
                    b')' | b']' | b'}' => {
                        self.depth = self.depth.checked_sub(1)?;
                        if self.in_list && self.depth == 1 {
                            if b != b']' {
                                return None;
                            }
                            self.bytes.extend_from_slice(chunk.get(segment..i)?);
                            self.end_element(full);
                            self.in_list = false;
                            self.list_done = true;
                            segment = i;
                        }
                    }
                    b',' if self.in_list && self.depth == 2 => {
                        self.bytes.extend_from_slice(chunk.get(segment..i)?);
                        self.end_element(full);
                        segment = i + 1;
                        self.between = true;
                    }
                    _ => {}
                }
                i += 1;
            }
            let rest = chunk.get(segment..)?;
            if self.in_list {
                self.bytes.extend_from_slice(rest);
            } else {
                self.head.extend_from_slice(rest);
            }
            Some(())
        }

        /// Ends the document being read (a blank one, after a trailing comma, is no
        /// document) and hands the batch on when full.
        fn end_element(&mut self, full: &mut Vec<Cut>) {
            let piece = self.element_start..self.bytes.len();
            let blank = self
                .bytes
                .get(piece.clone())
                .is_none_or(|p| p.iter().all(u8::is_ascii_whitespace));
            if blank {
                self.bytes.truncate(self.element_start);
            } else {
                self.pieces.push(piece);
            }
            if self.pieces.len() >= BATCH {
                // The next batch is about as big: room for it at once, not by doubling.
                let room = self.bytes.len() + self.bytes.len() / 4;
                full.push((
                    std::mem::replace(&mut self.bytes, Vec::with_capacity(room)),
                    std::mem::replace(&mut self.pieces, Vec::with_capacity(BATCH)),
                ));
            }
            self.element_start = self.bytes.len();
        }

        /// The last, partial batch; `None` unless the file ended cleanly after its list.
        fn finish(&mut self) -> Option<Cut> {
            (self.list_done && !self.in_list && self.quote.is_none() && self.depth == 0).then(
                || {
                    (
                        std::mem::take(&mut self.bytes),
                        std::mem::take(&mut self.pieces),
                    )
                },
            )
        }
    }

    /// `text` cut in one go: its head, and all its documents' RON with their ranges.
    #[cfg(test)]
    pub(super) fn split_whole(text: &str) -> Option<(String, Cut)> {
        let mut splitter = Splitter::default();
        let mut full = Vec::new();
        splitter.feed(text.as_bytes(), &mut full)?;
        let (mut bytes, mut pieces) = splitter.finish()?;
        for (earlier, ranges) in full.into_iter().rev() {
            let shift = earlier.len();
            pieces = ranges
                .into_iter()
                .chain(pieces.into_iter().map(|r| r.start + shift..r.end + shift))
                .collect();
            bytes = [earlier, bytes].concat();
        }
        Some((String::from_utf8(splitter.head).ok()?, (bytes, pieces)))
    }

    /// The index of the last byte of `text` (the `[` just added to a head).
    fn i_in(text: &str) -> usize {
        text.len().saturating_sub(1)
    }

    /// The field name before `key: ` ending just before byte `at`.
    fn key_before(text: &str, at: usize) -> Option<&str> {
        let before = text[..at].trim_end().strip_suffix(':')?.trim_end();
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        Some(&before[start..])
    }
}

/// A deterministic stream of numbers for damaging files in tests (xorshift): each call
/// gives one below its argument.
#[cfg(test)]
fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |below| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Edit;
    use crate::model::edit::apply;

    fn sample() -> Project {
        let docs = vec![
            Document::from_raw(DocId("b".into()), " date 2018-05 Zuckerberg 😀 zegt sorry."),
            Document::from_raw(DocId("a".into()), "Cambridge Analytica stopt ermee."),
        ];
        let mut p = Project::new(default_schema(), docs).expect("project");
        let b = DocId("b".into());
        let text = p.document(&b).expect("doc b").text().clone();
        let id = AnnotationId(1);
        let zuck = Annotation::entity(id, Span::new(0, 10, &text).expect("span"), "PER");
        apply(&mut p, Edit::AddAnnotation(b.clone(), zuck)).expect("add");
        let sid = AnnotationId(2);
        let stance = Annotation::new(
            sid,
            Anchor::span(Span::new(13, 23, &text).expect("span")),
            AnnotationKind::Stance {
                target: "Facebook".into(),
                polarity: "NEUTRAL".into(),
                holder: crate::model::HolderId::new(id),
            },
        )
        .expect("stance");
        apply(&mut p, Edit::AddAnnotation(b.clone(), stance)).expect("add stance");
        apply(
            &mut p,
            Edit::SetStatus {
                doc: b,
                status: DocStatus::Done,
            },
        )
        .expect("status");
        p
    }

    #[test]
    fn save_load_save_gives_identical_bytes() {
        let p = sample();
        let first = to_ron(&p);
        let loaded = from_ron(&first, Path::new("p.ron")).expect("load");
        assert_eq!(loaded, p);
        assert_eq!(to_ron(&loaded), first);
    }

    /// Issue 18, point 6: a save through a symbolic link replaced the link with a file.
    #[cfg(unix)]
    #[test]
    fn a_save_through_a_link_writes_the_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("real")).expect("mkdir");
        let target = dir.path().join("real").join("p.ron");
        let link = dir.path().join("p.ron");
        std::os::unix::fs::symlink("real/p.ron", &link).expect("link");
        let empty = Project::empty(default_schema());
        save(&empty, &link).expect("first save");
        save(&sample(), &link).expect("second save");
        let meta = std::fs::symlink_metadata(&link).expect("meta");
        assert!(meta.file_type().is_symlink(), "the link is still a link");
        assert_eq!(load(&target).expect("target"), sample());
        let backup = super::super::atomic::backup_path(&target);
        assert_eq!(load(&backup).expect("backup beside the target"), empty);
        assert!(!super::super::atomic::backup_path(&link).exists());
    }

    #[test]
    fn a_project_file_is_told_from_other_files_by_its_head() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases: &[(&str, &str, bool)] = &[
            ("saved.ron", &to_ron(&sample()), true),
            ("damaged.ron", &to_ron(&sample())[..300], true),
            (
                "compact.ron",
                "#![enable(implicit_some)]\n(format:\"spantag-project\",version:2)",
                true,
            ),
            ("other.ron", "(format: \"x\", version: 1)", false),
            ("spans.jsonl", "{\"doc\":\"a\",\"start\":0}\n", false),
            ("empty.ron", "", false),
        ];
        for (name, text, want) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            assert_eq!(is_project_file(&path), *want, "{name}");
        }
        assert!(!is_project_file(dir.path()), "a folder");
        assert!(!is_project_file(&dir.path().join("missing.ron")));
    }

    /// Issue 18, point 5: `new` over an annotated project, twice, left the empty project
    /// in both the file and its `.bak`.
    #[test]
    fn replacing_a_project_twice_keeps_the_first_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.ron");
        save(&sample(), &path).expect("annotated");
        let empty = Project::empty(default_schema());
        let first = save_replacing(&empty, &path).expect("replace");
        assert_eq!(first.file, Some(dir.path().join("p.ron.bak.1")));
        save_replacing(&empty, &path).expect("replace again");
        save(&empty, &path).expect("an ordinary save");
        assert_eq!(load(&path).expect("new"), empty);
        assert_eq!(
            load(&dir.path().join("p.ron.bak.1")).expect("kept"),
            sample()
        );
        let newer =
            to_ron(&sample()).replacen(&format!("version: {CURRENT_VERSION}"), "version: 99", 1);
        std::fs::write(&path, &newer).expect("write");
        assert!(matches!(
            save_replacing(&empty, &path),
            Err(ProjectFileError::NewerVersion { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), newer);
    }

    #[test]
    fn file_offsets_are_code_points_and_documents_keep_their_order() {
        let text = to_ron(&sample());
        let a = text.find("id: \"a\"").expect("doc a");
        let b = text.find("id: \"b\"").expect("doc b");
        assert!(
            b < a,
            "documents in the project's order (b was given first)"
        );
        assert!(text.contains("spans: [(13, 23)]"), "{text}");
    }

    #[test]
    fn bad_files_give_messages_with_file_and_line() {
        let good = to_ron(&sample());
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "p.ron:1:"),
            (good[..good.len() / 2].to_owned(), "p.ron:"),
            (
                "(format: \"x\", version: 1, schema: (entity_types: []), documents: [])".into(),
                "not a spantag project",
            ),
            (
                good.replacen("version: 3", "version: 99", 1),
                "version 99 is newer",
            ),
            (
                good.replacen("spans: [(13, 23)]", "spans: [(13, 99)]", 1),
                "lies outside the text",
            ),
            (
                good.replacen("spans: [(13, 23)]", "spans: [(23, 13)]", 1),
                "ends before it starts",
            ),
            (
                good.replacen("holder: Some(1)", "holder: Some(77)", 1),
                "links to #77",
            ),
            (
                good.replacen("holder: Some(1)", &format!("holder: Some({})", u64::MAX), 1),
                "holder 18446744073709551615 cannot be an annotation id",
            ),
            (
                good.replacen("text: \"Zuckerberg", "text: \"Zuckerburg", 1),
                "content hash",
            ),
            ("[".repeat(10_000), "p.ron:1:"),
        ];
        for (text, want) in cases {
            let err = from_ron(&text, Path::new("p.ron"))
                .expect_err(want)
                .to_string();
            assert!(err.contains(want), "wanted '{want}' in: {err}");
        }
    }

    #[test]
    fn version_1_files_open() {
        let v2 = to_ron(&sample()).replacen("version: 3", "version: 2", 1);
        let start = v2.find("        (id: 2,").expect("stance line");
        let end = start + v2[start..].find('\n').expect("eol") + 1;
        let v1 = format!("{}{}", &v2[..start], &v2[end..]).replacen("version: 2", "version: 1", 1);
        let p = from_ron(&v1, Path::new("old.ron")).expect("v1 loads");
        assert_eq!(p.annotations().len(), 1);
    }

    #[test]
    fn version_2_files_migrate_keeping_their_counter_ids() {
        // A version 2 file: counter ids 1 and 2, no team records.
        let v3 = to_ron(&sample());
        let v2 = v3.replacen("version: 3", "version: 2", 1);
        let mut p = from_ron(&v2, Path::new("old.ron")).expect("v2 loads");
        let ids: Vec<u64> = p.annotations().keys().map(|id| id.0).collect();
        assert_eq!(ids, [1, 2], "old ids are kept");
        // Saving changes the version line only: a small diff in git.
        let saved = to_ron(&p);
        let changed: Vec<(&str, &str)> = v2
            .lines()
            .zip(saved.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed, [("  version: 2,", "  version: 3,")]);
        // New annotations get derived ids, above every counter id.
        let tag = crate::formats::testutil::add_entity(&mut p, "b", &[(11, 12)], "PER");
        assert!(tag.0 >= AnnotationId::DERIVED_START);
        let again = from_ron(&to_ron(&p), Path::new("new.ron")).expect("v3 loads");
        assert_eq!(again, p);
    }

    #[test]
    fn team_records_round_trip_and_bad_ones_are_refused() {
        let mut p = sample();
        let b = DocId("b".into());
        let conflict = model::Conflict {
            doc: b.clone(),
            kind: ConflictKind::SameSpan,
            ours: Some(AnnotationId(1)),
            theirs: None,
        };
        let assignment = model::Assignment {
            annotator: "ann".into(),
            annotators: vec!["ann".into(), "bob".into()],
            documents: [DocId("a".into()), b.clone()].into(),
            shared: [b.clone()].into(),
        };
        apply(
            &mut p,
            Edit::Batch(vec![
                Edit::SetConflict(conflict, true),
                Edit::SetAssignment(Some(Box::new(assignment))),
            ]),
        )
        .expect("records");
        let text = to_ron(&p);
        assert!(text.contains("annotator: \"ann\""), "{text}");
        assert!(text.contains("kind: SameSpan"), "{text}");
        assert_eq!(from_ron(&text, Path::new("p.ron")).expect("loads"), p);
        let dangling = text.replacen("ours: Some(1)", "ours: Some(99)", 1);
        let err = from_ron(&dangling, Path::new("p.ron")).expect_err("dangling conflict");
        assert!(
            err.to_string().contains("p.ron: a conflict in 'b'"),
            "{err}"
        );
    }

    #[test]
    fn parallel_load_gives_the_same_project_as_a_plain_parse() {
        let mut p = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 400,
            words_per_document: 400,
            spans_per_document: 20,
            seed: 3,
        });
        // The team records (in the file's head, after the documents) load on this path too.
        let (tagged_doc, tagged) = p
            .annotations_with_documents()
            .next()
            .map(|(d, a)| (d.id().clone(), a.clone()))
            .expect("tags");
        let team = Edit::Batch(vec![
            Edit::SetConflict(
                model::Conflict {
                    doc: tagged_doc.clone(),
                    kind: ConflictKind::ChangedAndRemoved,
                    ours: Some(tagged.id()),
                    theirs: None,
                },
                true,
            ),
            Edit::SetAssignment(Some(Box::new(model::Assignment {
                annotator: "ann".into(),
                annotators: vec!["ann".into()],
                documents: [tagged_doc.clone()].into(),
                shared: Default::default(),
            }))),
        ]);
        apply(&mut p, team).expect("team records");
        let text = to_ron(&p);
        assert!(
            text.len() >= parallel::MIN_BYTES,
            "big enough for the parallel path"
        );
        let fast = streamed_in(&text, parallel::CHUNK)
            .expect("parallel")
            .expect("loads");
        assert_eq!(fast, p);
        assert_eq!(to_ron(&fast), text);
        // A damaged document sends the parse back to the sequential path and its message.
        let broken = text.replacen("spans: [(", "spans: [(x", 1);
        assert!(streamed_in(&broken, parallel::CHUNK).is_none());
        let err = from_ron(&broken, Path::new("p.ron")).expect_err("broken");
        assert!(err.to_string().starts_with("p.ron:"), "{err}");
    }

    #[test]
    fn a_streaming_load_hands_over_its_first_documents_before_the_whole_project() {
        let p = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 400,
            words_per_document: 400,
            spans_per_document: 20,
            seed: 5,
        });
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.ron");
        save(&p, &path).expect("saved");
        let previews = std::sync::Mutex::new(Vec::new());
        let keep = |preview: Project| previews.lock().expect("lock").push(preview);
        let loaded = load_with_preview(&path, &|_| {}, Some(&keep)).expect("loads");
        assert_eq!(loaded, p);
        let previews = previews.into_inner().expect("lock");
        assert_eq!(previews.len(), 1, "one preview");
        let preview = &previews[0];
        let shown = preview.documents().len();
        assert!((1..p.documents().len()).contains(&shown), "{shown}");
        assert_eq!(preview.schema(), p.schema());
        for (early, full) in preview.documents().iter().zip(p.documents()) {
            assert_eq!(early, full);
            assert_eq!(
                preview.annotations_of(early.id()),
                p.annotations_of(full.id())
            );
        }
        // A file read in one batch has nothing to show early.
        let small = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 3,
            words_per_document: 50,
            spans_per_document: 3,
            seed: 5,
        });
        save(&small, &path).expect("saved");
        let called = std::sync::atomic::AtomicBool::new(false);
        let note = |_: Project| called.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(
            load_with_preview(&path, &|_| {}, Some(&note)).expect("loads"),
            small
        );
        assert!(!called.into_inner());
    }

    /// `text` loaded by the streaming path, read `chunk` bytes at a time.
    fn streamed_in(text: &str, chunk: usize) -> Option<Result<Project, ProjectFileError>> {
        parallel::stream_from(
            text.as_bytes(),
            text.len() as u64,
            chunk,
            Path::new("p.ron"),
            &|_| {},
        )
    }

    #[test]
    fn streaming_a_file_in_chunks_of_any_size_gives_the_same_project() {
        let p = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 60,
            words_per_document: 80,
            spans_per_document: 8,
            seed: 5,
        });
        let mut p = p;
        // Escapes and brackets inside strings, a note, a relation, a rejected suggestion.
        let first = p.documents()[0].id().clone();
        let text = p.documents()[0].text().clone();
        let id = AnnotationId(1);
        let mut noted = Annotation::entity(id, Span::new(0, 3, &text).expect("span"), "ORG");
        noted.set_note(Some("a \"quote\", ] ) [ \\ and 'chars'".into()));
        apply(&mut p, Edit::AddAnnotation(first.clone(), noted)).expect("note");
        let rel = AnnotationId(2);
        let other = p.annotations_of(&first)[1].id();
        apply(
            &mut p,
            Edit::AddRelation(Relation {
                id: rel,
                label: "Origin".into(),
                from: id,
                to: other,
            }),
        )
        .expect("relation");
        let text = to_ron(&p);
        for chunk in [1, 2, 7, 64, 4096, 1 << 20] {
            let streamed = streamed_in(&text, chunk).expect("streams").expect("loads");
            assert_eq!(streamed, p, "chunk {chunk}");
            assert_eq!(to_ron(&streamed), text, "chunk {chunk}");
        }
    }

    #[test]
    fn streaming_gives_up_on_anything_unusual_and_the_plain_parse_gives_the_message() {
        let p = sample();
        let text = to_ron(&p);
        let stream = |t: &str| streamed_in(t, 16);
        assert!(stream(&text).is_some_and(|r| r.is_ok()));
        // (file, whether the plain parser accepts it)
        let unusual = [
            // A comment and an extension: fine RON, left to the plain parser.
            (
                text.replacen("documents: [", "// note\n  documents: [", 1),
                true,
            ),
            (format!("#![enable(implicit_some)]\n{text}"), true),
            // A syntax error, a file cut short.
            (text.replacen("spans: [(", "spans: [(x", 1), false),
            (text[..text.len() / 2].to_owned(), false),
            // Not sound: an id used twice, a holder that is not an entity.
            (text.replacen("(id: 2,", "(id: 1,", 1), false),
            (
                text.replacen("holder: Some(1)", "holder: Some(2)", 1),
                false,
            ),
        ];
        for (bad, plain_accepts) in &unusual {
            assert!(stream(bad).is_none(), "gave up on:\n{bad}");
            assert_eq!(
                from_ron(bad, Path::new("p.ron")).is_ok(),
                *plain_accepts,
                "{bad}"
            );
        }
    }

    #[test]
    fn streaming_agrees_with_the_plain_parser_on_damaged_files() {
        // Every damaged copy either makes the streaming path give up, or gives exactly the
        // project (or refusal) of a plain parse: it never loads something else.
        let text = to_ron(&sample());
        let alphabet = b"()[]{},:\\'\"#/ 0129xa\n";
        let mut next = numbers(0x2545_f491);
        for round in 0..1500 {
            let mut bytes = text.clone().into_bytes();
            for _ in 0..1 + round % 3 {
                let at = next(bytes.len());
                bytes[at] = alphabet[next(alphabet.len())];
            }
            let Ok(damaged) = String::from_utf8(bytes) else {
                continue;
            };
            // Small chunks read every document byte by byte; a whole-file chunk lets the
            // splitter jump to each document's end.
            let chunk = if round % 2 == 0 {
                1 + next(64)
            } else {
                1 << 20
            };
            let streamed = streamed_in(&damaged, chunk);
            let plain = from_ron(&damaged, Path::new("p.ron"));
            match streamed {
                None => {}
                Some(Ok(p)) => assert_eq!(plain.ok(), Some(p), "round {round}:\n{damaged}"),
                Some(Err(e)) => assert!(plain.is_err(), "round {round}: {e}\n{damaged}"),
            }
        }
    }

    /// The splitter's jump to a document's end (the writer's `    ),` line) is checked:
    /// such a line inside a string, or a document written on one line, never loads
    /// anything but what the plain parser loads.
    #[test]
    fn jumping_to_a_documents_end_never_loads_another_project() {
        let p = sample();
        let text = to_ron(&p);
        let first_title = format!("title: {:?}", p.documents()[0].title());
        assert!(text.contains(&first_title));
        let cases = [
            // A title holding a raw line break and the writer's end of a document.
            text.replacen(
                &first_title,
                "title: \"x\n    ),\n    (\n      id: \\\"y\\\",\n    ),\n  z\"",
                1,
            ),
            // The first document on one line: its end is the next document's.
            {
                let start = text.find("    (\n      id:").expect("a document");
                let end = start + text[start..].find("\n    ),\n").expect("its end");
                let one_line = text[start..end].replace('\n', " ");
                format!("{}{one_line}{}", &text[..start], &text[end..])
            },
        ];
        for case in &cases {
            let plain = from_ron(case, Path::new("p.ron")).expect("the plain parser reads it");
            match streamed_in(case, 1 << 20) {
                None => {}
                Some(streamed) => assert_eq!(streamed.ok(), Some(plain), "{case}"),
            }
        }
        // The file as written: every document is jumped over, and the project is the same.
        let streamed = streamed_in(&text, 1 << 20)
            .expect("streams")
            .expect("loads");
        assert_eq!(streamed, p);
        // A comment inside a document shows the jump: read byte by byte it ends the
        // streaming read, jumped over it is left to the worker (`ron` reads it).
        let commented = text.replacen("      title:", "      // a comment\n      title:", 1);
        let plain = from_ron(&commented, Path::new("p.ron")).expect("plain");
        assert!(streamed_in(&commented, 16).is_none());
        let jumped = streamed_in(&commented, 1 << 20).expect("streams");
        assert_eq!(jumped.ok(), Some(plain));
    }

    #[test]
    fn the_document_splitter_knows_strings_and_chars() {
        let text = r#"(format: "x", schema: (t: [')', '\'']), documents: [
            (id: "a", text: "]), (\" ["),
            (id: "b", text: ","),
        ], relations: [])"#;
        let (head, (bytes, pieces)) = parallel::split_whole(text).expect("split");
        let pieces: Vec<&str> = pieces
            .iter()
            .map(|r| {
                std::str::from_utf8(&bytes[r.clone()])
                    .expect("utf-8")
                    .trim()
            })
            .collect();
        assert_eq!(
            pieces,
            [r#"(id: "a", text: "]), (\" [")"#, r#"(id: "b", text: ",")"#]
        );
        // The head keeps everything but the documents, with an empty list in their place.
        assert_eq!(
            head,
            r#"(format: "x", schema: (t: [')', '\'']), documents: [], relations: [])"#
        );
        assert!(parallel::split_whole("(documents: [ /* c */ ])").is_none());
    }

    /// What `ron` writes for the whole file in one call: the reference for the streamed,
    /// parallel writer.
    fn whole_file_ron(p: &Project) -> String {
        let file = ProjectFile {
            documents: p
                .documents()
                .iter()
                .map(|d| document_to_file(p, d))
                .collect(),
            ..head_of(&p.snapshot())
        };
        ron::ser::to_string_pretty(&file, pretty_config()).expect("ron") + "\n"
    }

    #[test]
    fn the_parallel_writer_writes_exactly_what_ron_writes_for_the_whole_file() {
        let mut with_extras = sample();
        let a = DocId("a".into());
        let text = with_extras.document(&a).expect("doc a").text().clone();
        let id = AnnotationId(3);
        let mut noted = Annotation::entity(id, Span::new(0, 9, &text).expect("span"), "ORG");
        noted.set_note(Some("line one\nline \"two\" \\ ) ]".into()));
        noted.insert_attribute("source".into(), "brat, T1".into());
        apply(&mut with_extras, Edit::AddAnnotation(a.clone(), noted)).expect("add");
        let generated = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 150,
            words_per_document: 60,
            spans_per_document: 6,
            seed: 9,
        });
        let projects = [
            Project::empty(default_schema()),
            sample(),
            with_extras,
            generated,
        ];
        for p in &projects {
            assert_eq!(to_ron(p), whole_file_ron(p));
            assert_eq!(Snapshot::of(p).to_ron(), whole_file_ron(p));
        }
    }

    #[test]
    fn saving_streams_exactly_the_text_of_to_ron() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("p.ron");
        let p = sample();
        save(&p, &path).expect("save");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), to_ron(&p));
    }

    #[test]
    fn a_snapshot_writes_the_project_as_it_was_whatever_is_edited_after() {
        let mut p = sample();
        let before = to_ron(&p);
        let snapshot = Snapshot::of(&p);
        let a = DocId("a".into());
        let text = p.document(&a).expect("doc a").text().clone();
        let id = p.allocate_id_for(
            &a,
            &Anchor::span(Span::new(0, 4, &text).expect("span")),
            &AnnotationKind::Entity {
                label: "ORG".into(),
                canonical: None,
            },
        );
        let tag = Annotation::entity(id, Span::new(0, 4, &text).expect("span"), "ORG");
        apply(&mut p, Edit::AddAnnotation(a.clone(), tag)).expect("add");
        let first = p
            .annotations_in(&a)
            .first()
            .map(Annotation::id)
            .expect("a tag");
        apply(&mut p, Edit::RemoveAnnotation(first)).expect("remove");
        apply(
            &mut p,
            Edit::SetStatus {
                doc: a.clone(),
                status: DocStatus::Done,
            },
        )
        .expect("status");
        let extra = Document::from_raw(DocId("new".into()), "Nieuw.");
        apply(&mut p, Edit::AddDocuments(vec![extra])).expect("add document");
        assert_ne!(to_ron(&p), before);
        assert_eq!(snapshot.to_ron(), before);
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("then.ron");
        snapshot.write(&path).expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    }
}
