//! The project file: a versioned RON format, separate from the in-memory model and
//! converted by hand in both directions.
//!
//! The file is self-contained (schema, documents with text and hash, annotations,
//! relations, statuses), sorted and deterministic: saving an unchanged project twice gives
//! identical bytes, so projects diff cleanly in git. Offsets are code points.
//!
//! Versions: 1 held entities only; 2 added stances, stance polarities and targets in the
//! schema, and relations. Version 1 files still open; newer versions than
//! [`CURRENT_VERSION`] are refused, never overwritten.

use crate::model::document::content_hash;
use crate::model::{
    self, Anchor, Annotation, AnnotationId, AnnotationKind, DocId, DocStatus, Document, Edit,
    Project, Relation, Rgb, Schema, Span,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The format version this build writes.
pub const CURRENT_VERSION: u32 = 2;
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

/// On-disk shape of a project (version 2; version 1 is the same without stances).
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
}

/// On-disk shape of a schema; also the shape of `assets/schema.ron`.
#[derive(Serialize, Deserialize)]
pub(crate) struct SchemaFile {
    entity_types: Vec<EntityTypeFile>,
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
struct PolarityFile {
    name: String,
    color: String,
    #[serde(default)]
    hotkey: Option<char>,
}

#[derive(Serialize, Deserialize)]
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

#[derive(Serialize, Deserialize, Default, Clone, Copy)]
enum StatusFile {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

#[derive(Serialize, Deserialize)]
struct AnnotationFile {
    id: u64,
    /// `[(start, end)]` in code points; empty for a document stance.
    spans: Vec<(usize, usize)>,
    kind: KindFile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
enum KindFile {
    Entity {
        label: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canonical: Option<String>,
    },
    Stance {
        target: String,
        polarity: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<u64>,
    },
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
    let mut documents = Vec::with_capacity(project.documents().len());
    for doc in project.documents() {
        let annotations = project
            .annotations_of(doc.id())
            .into_iter()
            .map(annotation_to_file)
            .collect();
        documents.push(DocumentFile {
            id: doc.id().0.clone(),
            title: doc.title().to_owned(),
            meta: doc.meta().clone(),
            status: match project.status(doc.id()) {
                DocStatus::NotStarted => StatusFile::NotStarted,
                DocStatus::InProgress => StatusFile::InProgress,
                DocStatus::Done => StatusFile::Done,
            },
            hash: doc.hash().to_owned(),
            text: doc.text().as_str().to_owned(),
            annotations,
        });
    }
    let file = ProjectFile {
        format: FORMAT_NAME.to_owned(),
        version: CURRENT_VERSION,
        schema: SchemaFile::from_schema(project.schema()),
        documents,
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
            .map(|r| (r.doc.0.clone(), r.start, r.end, r.label.clone()))
            .collect(),
    };
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(4)
        .indentor("  ")
        .struct_names(false)
        .escape_strings(true);
    // Serialising plain owned data into a String cannot fail.
    ron::ser::to_string_pretty(&file, config).unwrap_or_default() + "\n"
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
                holder: holder.map(|h| h.0),
            },
        },
        note: a.note.clone(),
        attributes: a.attributes.clone(),
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
    let invalid = |message: String| ProjectFileError::Invalid {
        path: path.to_owned(),
        message,
    };
    if file.format != FORMAT_NAME {
        return Err(invalid(format!(
            "not a spantag project (format is '{}', expected '{FORMAT_NAME}')",
            file.format
        )));
    }
    if file.version > CURRENT_VERSION {
        return Err(ProjectFileError::NewerVersion {
            path: path.to_owned(),
            found: file.version,
        });
    }
    if file.version == 0 {
        return Err(invalid("format version 0 does not exist".to_owned()));
    }
    let schema = file.schema.into_schema().map_err(invalid)?;
    let mut documents = Vec::with_capacity(file.documents.len());
    let mut pending = Vec::new();
    for d in file.documents {
        let id = DocId(d.id);
        if id.0.is_empty() {
            return Err(invalid("a document has an empty id".to_owned()));
        }
        let doc = Document::new(id.clone(), d.title, d.meta, d.text);
        if doc.hash() != d.hash {
            return Err(invalid(format!(
                "document '{id}': its text does not match its content hash (the file was \
                 edited by hand or damaged); run `spantag check` for details"
            )));
        }
        let status = match d.status {
            StatusFile::NotStarted => DocStatus::NotStarted,
            StatusFile::InProgress => DocStatus::InProgress,
            StatusFile::Done => DocStatus::Done,
        };
        for a in d.annotations {
            pending.push(annotation_from_file(a, &doc, file.version).map_err(&invalid)?);
        }
        if status != DocStatus::NotStarted {
            pending.push(Edit::SetStatus { doc: id, status });
        }
        documents.push(doc);
    }
    let mut project = Project::new(schema, documents).map_err(|e| invalid(e.to_string()))?;
    // Entities first, so stances can link to holders that come later in the file.
    pending.sort_by_key(|e| match e {
        Edit::AddAnnotation(a) if a.kind().is_entity() => 0,
        _ => 1,
    });
    for r in file.relations {
        pending.push(Edit::AddRelation(Relation {
            id: AnnotationId(r.id),
            label: r.label,
            from: AnnotationId(r.from),
            to: AnnotationId(r.to),
        }));
    }
    for (doc, start, end, label) in file.rejected_suggestions {
        pending.push(Edit::SetRejected(
            model::RejectedSuggestion {
                doc: DocId(doc),
                start,
                end,
                label,
            },
            true,
        ));
    }
    for edit in pending {
        model::apply(&mut project, edit).map_err(|e| invalid(e.to_string()))?;
    }
    Ok(project)
}

fn annotation_from_file(a: AnnotationFile, doc: &Document, version: u32) -> Result<Edit, String> {
    let where_ = || format!("document '{}', annotation {}", doc.id(), a.id);
    let mut spans = Vec::with_capacity(a.spans.len());
    for (s, e) in &a.spans {
        spans.push(Span::new(*s, *e, doc.text()).map_err(|err| format!("{}: {err}", where_()))?);
    }
    let anchor = Anchor::spans(spans).unwrap_or(Anchor::Document);
    let kind = match a.kind {
        KindFile::Entity { label, canonical } => AnnotationKind::Entity { label, canonical },
        KindFile::Stance { .. } if version < 2 => {
            return Err(format!("{}: stances need format version 2", where_()));
        }
        KindFile::Stance {
            target,
            polarity,
            holder,
        } => AnnotationKind::Stance {
            target,
            polarity,
            holder: holder.map(AnnotationId),
        },
    };
    let mut ann = Annotation::new(AnnotationId(a.id), doc.id().clone(), anchor, kind)
        .map_err(|err| format!("{}: {err}", where_()))?;
    ann.note = a.note;
    ann.attributes = a.attributes;
    Ok(Edit::AddAnnotation(ann))
}

/// Reads and parses a project file.
pub fn load(path: &Path) -> Result<Project, ProjectFileError> {
    let io = |source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ProjectFileError::Invalid {
            path: path.to_owned(),
            message: format!("the file is {size} bytes, more than spantag opens"),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
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
    from_ron(&text, path)
}

/// Saves a project atomically (temp file, fsync, rename), keeping the previous version as
/// `<name>.bak`. Refuses to overwrite a file from a newer spantag.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    if let Ok(existing) = std::fs::read(path)
        && let Some(found) = sniff_version(&String::from_utf8_lossy(&existing))
        && found > CURRENT_VERSION
    {
        return Err(ProjectFileError::NewerVersion {
            path: path.to_owned(),
            found,
        });
    }
    let text = to_ron(project);
    super::atomic::write_with_backup(path, text.as_bytes()).map_err(|source| ProjectFileError::Io {
        path: path.to_owned(),
        source,
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
    if let Err(e) = file.schema.into_schema() {
        problems.push(format!("schema: {e}"));
    }
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
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::edit::apply;

    fn sample() -> Project {
        let docs = vec![
            Document::from_raw(DocId("b".into()), " date 2018-05 Zuckerberg 😀 zegt sorry."),
            Document::from_raw(DocId("a".into()), "Cambridge Analytica stopt ermee."),
        ];
        let mut p = Project::new(default_schema(), docs).expect("project");
        let b = DocId("b".into());
        let text = p.document(&b).expect("doc b").text().clone();
        let id = p.allocate_id();
        let zuck = Annotation::entity(id, b.clone(), Span::new(0, 10, &text).expect("span"), "PER");
        apply(&mut p, Edit::AddAnnotation(zuck)).expect("add");
        let sid = p.allocate_id();
        let stance = Annotation::new(
            sid,
            b.clone(),
            Anchor::span(Span::new(13, 23, &text).expect("span")),
            AnnotationKind::Stance {
                target: "Facebook".into(),
                polarity: "NEUTRAL".into(),
                holder: Some(id),
            },
        )
        .expect("stance");
        apply(&mut p, Edit::AddAnnotation(stance)).expect("add stance");
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

    #[test]
    fn file_offsets_are_code_points_and_documents_are_sorted() {
        let text = to_ron(&sample());
        let a = text.find("id: \"a\"").expect("doc a");
        let b = text.find("id: \"b\"").expect("doc b");
        assert!(a < b, "documents sorted by id");
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
                good.replacen("version: 2", "version: 99", 1),
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
        let v2 = to_ron(&sample());
        let start = v2.find("        (id: 2,").expect("stance line");
        let end = start + v2[start..].find('\n').expect("eol") + 1;
        let v1 = format!("{}{}", &v2[..start], &v2[end..]).replacen("version: 2", "version: 1", 1);
        let p = from_ron(&v1, Path::new("old.ron")).expect("v1 loads");
        assert_eq!(p.annotations().len(), 1);
    }
}
