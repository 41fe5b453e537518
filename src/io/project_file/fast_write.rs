//! The fast path for writing one document of a project file: the bytes `ron`'s pretty
//! printer gives a [`DocumentFile`] at the file's settings, written directly.
//!
//! `ron` writes a string one `char::escape_debug` piece at a time through `fmt::Write`,
//! which made the document texts most of a save's cost. Here runs of plain ASCII are
//! copied as they are and every other character goes through the same `escape_debug`, so
//! the output is byte for byte `ron`'s: tests compare the two on every shape of document
//! here, on arbitrary documents (`fast.rs`'s property test) and on whole generated
//! projects, and `ron` stays the reader of record.

use super::{AnnotationFile, DocumentFields, KindFile, StatusFile, push_ron_escaped};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Appends `doc` as one element of the file's document list: what `ron` gives at two
/// pretty levels, indented by four spaces, followed by `,\n`.
pub(super) fn document_piece(doc: &DocumentFields<'_>, out: &mut String) {
    out.push_str("    (\n      id: ");
    string(doc.id, out);
    out.push_str(",\n      title: ");
    string(doc.title, out);
    out.push_str(",\n      meta: {");
    if !doc.meta.is_empty() {
        out.push('\n');
        for (key, value) in doc.meta {
            out.push_str("        ");
            string(key, out);
            out.push_str(": ");
            string(value, out);
            out.push_str(",\n");
        }
        out.push_str("      ");
    }
    out.push_str("},\n      status: ");
    out.push_str(match doc.status {
        StatusFile::NotStarted => "NotStarted",
        StatusFile::InProgress => "InProgress",
        StatusFile::Done => "Done",
    });
    out.push_str(",\n      hash: ");
    string(doc.hash, out);
    out.push_str(",\n      text: ");
    string(doc.text, out);
    out.push_str(",\n      annotations: [");
    if !doc.annotations.is_empty() {
        out.push('\n');
        for annotation in doc.annotations {
            out.push_str("        ");
            annotation_line(annotation, out);
            out.push_str(",\n");
        }
        out.push_str("      ");
    }
    out.push_str("],\n    ),\n");
}

/// One annotation, on one line (it is deeper than the pretty levels).
fn annotation_line(a: &AnnotationFile, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = write!(out, "(id: {}, spans: [", a.id);
    for (i, (start, end)) in a.spans.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "({start}, {end})");
    }
    out.push_str("], kind: ");
    match &a.kind {
        KindFile::Entity { label, canonical } => {
            out.push_str("Entity(label: ");
            string(label, out);
            if let Some(canonical) = canonical {
                out.push_str(", canonical: Some(");
                string(canonical, out);
                out.push(')');
            }
        }
        KindFile::Stance {
            target,
            polarity,
            holder,
        } => {
            out.push_str("Stance(target: ");
            string(target, out);
            out.push_str(", polarity: ");
            string(polarity, out);
            if let Some(holder) = holder {
                let _ = write!(out, ", holder: Some({holder})");
            }
        }
    }
    out.push(')');
    if let Some(note) = &a.note {
        out.push_str(", note: Some(");
        string(note, out);
        out.push(')');
    }
    if !a.attributes.is_empty() {
        out.push_str(", attributes: ");
        inline_map(&a.attributes, out);
    }
    out.push(')');
}

/// A map below the pretty levels: `{"k": "v", "k2": "v2"}`.
fn inline_map(map: &BTreeMap<String, String>, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(key, out);
        out.push_str(": ");
        string(value, out);
    }
    out.push('}');
}

/// A quoted string escaped as `ron` escapes it ([`push_ron_escaped`]).
fn string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_ron_escaped(out, s);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentFile, document_piece};
    use super::*;

    /// `ron`'s own rendering of one list element, the reference.
    fn by_ron(doc: &DocumentFile) -> String {
        let mut out = String::new();
        super::super::document_piece_by_ron(doc, &mut out);
        out
    }

    fn annotation(id: u64, kind: KindFile) -> AnnotationFile {
        AnnotationFile {
            id,
            spans: vec![(0, 4)].into(),
            kind,
            note: None,
            attributes: BTreeMap::new(),
        }
    }

    fn document(text: &str, annotations: Vec<AnnotationFile>) -> DocumentFile {
        DocumentFile {
            id: "d1".into(),
            title: "Een titel".into(),
            meta: BTreeMap::new(),
            status: StatusFile::default(),
            hash: "abc".into(),
            text: text.into(),
            annotations,
        }
    }

    #[test]
    fn every_shape_of_a_document_is_written_as_ron_writes_it() {
        let entity = |label: &str| KindFile::Entity {
            label: label.into(),
            canonical: None,
        };
        let mut full = annotation(
            7,
            KindFile::Stance {
                target: "Facebook".into(),
                polarity: "AGAINST".into(),
                holder: Some(3),
            },
        );
        full.spans = vec![(1, 2), (5, 9)].into();
        full.note = Some("citaat \"zo\"".into());
        full.attributes = [("a".to_owned(), "b".to_owned()), ("c".into(), "d".into())].into();
        let canonical = annotation(
            9,
            KindFile::Entity {
                label: "PER".into(),
                canonical: Some("Mark Zuckerberg".into()),
            },
        );
        let mut document_stance = annotation(
            11,
            KindFile::Stance {
                target: "privacy".into(),
                polarity: "FAVOR".into(),
                holder: None,
            },
        );
        document_stance.spans.clear();
        let mut with_meta = document("Tekst.", vec![annotation(1, entity("ORG"))]);
        with_meta.meta = [("date".to_owned(), "2018-04".to_owned())].into();
        with_meta.status = StatusFile::Done;
        let cases = [
            ("nothing", document("", vec![])),
            (
                "one entity",
                document("Meta zegt", vec![annotation(1, entity("ORG"))]),
            ),
            ("meta and status", with_meta),
            (
                "every field",
                document("x", vec![full, canonical, document_stance]),
            ),
            (
                "escapes",
                document("a\"b'c\\d\ne\tf\u{7f}g\u{301}h é 😀 \u{200b}", vec![]),
            ),
        ];
        for (name, doc) in cases {
            let mut fast = String::new();
            document_piece(&doc, &mut fast);
            assert_eq!(fast, by_ron(&doc), "{name}");
        }
    }
}
