//! Test helpers: a small schema, projects written in a readable span notation
//! (`"[Zuckerberg]PER zegt sorry"`), and import/export to and from strings.

use super::{ExportFormat, ExportReport, FormatError, ImportFormat, ImportReport};
use crate::model::{
    Anchor, AnnotationId, AnnotationKind, DocId, Document, Edit, EntityType, Polarity, Project,
    Rgb, Schema, Span, apply,
};
use std::collections::BTreeMap;
use std::path::Path;

/// PER/ORG/LOC and the default polarities.
pub fn schema() -> Schema {
    let ty = |name: &str, key| EntityType {
        name: name.to_owned(),
        description: String::new(),
        color: Rgb([200, 200, 255]),
        hotkey: Some(key),
    };
    let pol = |name: &str| Polarity {
        name: name.to_owned(),
        color: Rgb([255, 200, 200]),
        hotkey: None,
    };
    Schema {
        entity_types: vec![ty("PER", '1'), ty("ORG", '2'), ty("LOC", '3')],
        relation_types: Vec::new(),
        polarities: vec![pol("FAVOR"), pol("AGAINST"), pol("NEUTRAL"), pol("NONE")],
        targets: Default::default(),
    }
}

/// A project with no documents.
pub fn empty_project() -> Project {
    Project::new(schema(), Vec::new()).expect("empty project")
}

/// Parses `"[Mark Zuckerberg]PER zegt [sorry]X"` into plain text and (start, end, label)
/// in code points. Brackets nest; a label is upper-case ASCII letters, digits, `_` and `-`.
pub fn parse_notation(notation: &str) -> (String, Vec<(usize, usize, String)>) {
    let mut text = String::new();
    let mut len = 0;
    let mut open = Vec::new();
    let mut spans = Vec::new();
    let mut chars = notation.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => open.push(len),
            ']' => {
                let start = open.pop().expect("balanced brackets");
                let mut label = String::new();
                while let Some(&l) = chars.peek() {
                    if l.is_ascii_uppercase() || l.is_ascii_digit() || l == '_' || l == '-' {
                        label.push(l);
                        chars.next();
                    } else {
                        break;
                    }
                }
                spans.push((start, len, label));
            }
            _ => {
                text.push(c);
                len += 1;
            }
        }
    }
    (text, spans)
}

/// A project with one document per `(id, notation)` and an entity per bracketed span.
pub fn project_from(docs: &[(&str, &str)]) -> Project {
    let parsed: Vec<_> = docs
        .iter()
        .map(|(id, n)| (*id, parse_notation(n)))
        .collect();
    let documents = parsed
        .iter()
        .map(|(id, (text, _))| {
            Document::new(
                DocId::from((*id).to_owned()),
                format!("Titel {id}"),
                BTreeMap::new(),
                text.clone(),
            )
        })
        .collect();
    let mut p = Project::new(schema(), documents).expect("project");
    for (id, (_, spans)) in &parsed {
        for (start, end, label) in spans {
            add_entity(&mut p, id, &[(*start, *end)], label);
        }
    }
    p
}

/// Adds an entity (one or more fragments) and returns its id.
pub fn add_entity(
    p: &mut Project,
    doc: &str,
    fragments: &[(usize, usize)],
    label: &str,
) -> AnnotationId {
    let doc = DocId::from(doc.to_owned());
    let len = p.document(&doc).expect("doc").text().char_len();
    let spans = fragments
        .iter()
        .map(|(s, e)| Span::within(*s, *e, len).expect("span"))
        .collect();
    let ann = crate::model::Annotation::new(
        AnnotationId::NEW,
        Anchor::spans(spans).expect("spans"),
        AnnotationKind::Entity {
            label: label.into(),
            canonical: None,
        },
    )
    .expect("annotation");
    let ann = p.with_new_id(&doc, ann);
    let id = ann.id();
    apply(p, Edit::AddAnnotation(doc, ann)).expect("add");
    id
}

/// Adds a stance (on a span, or on the document when `span` is `None`).
pub fn add_stance(
    p: &mut Project,
    doc: &str,
    span: Option<(usize, usize)>,
    target: &str,
    polarity: &str,
    holder: Option<AnnotationId>,
) -> AnnotationId {
    let doc = DocId::from(doc.to_owned());
    let len = p.document(&doc).expect("doc").text().char_len();
    let anchor = match span {
        Some((s, e)) => Anchor::span(Span::within(s, e, len).expect("span")),
        None => Anchor::Document,
    };
    let ann = crate::model::Annotation::new(
        AnnotationId::NEW,
        anchor,
        AnnotationKind::Stance {
            target: target.into(),
            polarity: polarity.into(),
            holder: holder.and_then(crate::model::HolderId::new),
        },
    )
    .expect("annotation");
    let ann = p.with_new_id(&doc, ann);
    let id = ann.id();
    apply(p, Edit::AddAnnotation(doc, ann)).expect("add");
    id
}

/// Replaces an annotation after `change` edits a copy of it.
pub fn change(
    p: &mut Project,
    id: AnnotationId,
    change: impl FnOnce(&mut crate::model::Annotation),
) {
    let mut ann = p.annotation(id).expect("annotation").clone();
    change(&mut ann);
    apply(p, Edit::ReplaceAnnotation(ann)).expect("replace");
}

/// Writes `content` to a temporary file named `name` and imports it.
pub fn import_str(
    p: &mut Project,
    name: &str,
    content: &str,
    format: Option<ImportFormat>,
) -> Result<(Edit, ImportReport), FormatError> {
    import_bytes(p, name, content.as_bytes(), format)
}

/// Writes `content` to a temporary file named `name` and imports it.
pub fn import_bytes(
    p: &mut Project,
    name: &str,
    content: &[u8],
    format: Option<ImportFormat>,
) -> Result<(Edit, ImportReport), FormatError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    super::import(p, &path, format, &mut |_| {})
}

/// Imports and applies; returns the report.
pub fn import_apply(p: &mut Project, path: &Path, format: ImportFormat) -> ImportReport {
    let (edit, report) = super::import(p, path, Some(format), &mut |_| {}).expect("import");
    apply(p, edit).expect("apply import");
    report
}

/// Exports to a file in a temporary folder and returns its content and the report.
pub fn export_str(p: &Project, format: ExportFormat, name: &str) -> (String, ExportReport) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    let report = super::export(p, format, &path, &mut |_| {}).expect("export");
    (std::fs::read_to_string(&path).expect("read export"), report)
}

/// Every annotation as `doc start..end LABEL «text»` (fragments joined with `;`), sorted:
/// what round trips compare.
pub fn describe(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for doc in p.documents() {
        for a in p.annotations_of(doc.id()) {
            let spans: Vec<String> = a
                .spans()
                .iter()
                .map(|s| format!("{}..{}", s.start(), s.end()))
                .collect();
            out.push(format!(
                "{} {} {} «{}»",
                doc.id(),
                spans.join(";"),
                a.kind().display_label(),
                a.text(doc.text())
            ));
        }
    }
    out.sort();
    out
}
