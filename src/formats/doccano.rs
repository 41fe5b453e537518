//! doccano sequence labelling JSONL: one document a line, `{"text", "label": [[start, end,
//! "LABEL"], …]}` plus metadata keys (id, title, date …).
//!
//! Import also reads the `labels` (tutorial) and `entities` (relation export, objects with
//! `start_offset`/`end_offset`/`label`, plus `relations`) variants and legacy 1.x
//! `annotations`; every other key becomes document metadata. Records without text are
//! skipped with their line. Offsets count the text exactly as stored, so CRLF and BOMs are
//! mapped onto the normalised text. Export holds entities only (stances, canonical names,
//! notes and attributes are counted as left out); a project with relations is written in
//! doccano's relation shape instead, `{"text", "entities": [{"id", "start_offset",
//! "end_offset", "label"}], "relations": [{"id", "from_id", "to_id", "type"}]}`.

use super::builder::{Builder, PreparedEntity, span_in};
use super::error::{FormatError, Location};
use super::jsonl::{import_each_prepared, type_name};
use super::normalize::Normalized;
use super::report::ExportReport;
use super::write::{io_err, write_file};
use crate::model::{AnnotationId, AnnotationKind, DocId, Document, Interner, Project};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

/// Keys that carry text, spans or relations rather than metadata.
const RESERVED: [&str; 8] = [
    "text",
    "label",
    "labels",
    "entities",
    "annotations",
    "relations",
    "id",
    "title",
];

/// Writes one line per document.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let mut c = EntityCounts::default();
    let mut meta_clash = 0;
    let relation_mode = !project.relations().is_empty();
    write_file(out, |w: &mut dyn Write| {
        let total = project.documents().len().max(1) as f32;
        for (i, doc) in project.documents().iter().enumerate() {
            let mut record = Map::new();
            for (k, v) in doc.meta() {
                if RESERVED.contains(&k) {
                    meta_clash += 1;
                } else {
                    record.insert(k.to_owned(), Value::String(v.to_owned()));
                }
            }
            record.insert("id".into(), json!(doc.id().as_str()));
            record.insert("title".into(), json!(doc.title()));
            record.insert("text".into(), json!(doc.text().as_str()));
            let fragments = entity_fragments(project, doc.id(), &mut c);
            if relation_mode {
                // doccano's relation shape: entities with ids (an entity's first fragment
                // stands for it in relations), relations by those ids.
                let mut entity_ids: HashMap<AnnotationId, usize> = HashMap::new();
                let entities: Vec<Value> = fragments
                    .iter()
                    .enumerate()
                    .map(|(i, (s, e, l, ann))| {
                        entity_ids.entry(*ann).or_insert(i);
                        json!({"id": i, "start_offset": s, "end_offset": e, "label": l})
                    })
                    .collect();
                let relations: Vec<Value> = project
                    .relations_in(doc.id())
                    .into_iter()
                    .filter_map(|r| {
                        let (from, to) = (entity_ids.get(&r.from)?, entity_ids.get(&r.to)?);
                        Some(json!({"id": r.id.0, "from_id": from, "to_id": to, "type": r.label}))
                    })
                    .collect();
                c.relations += relations.len();
                record.insert("entities".into(), Value::Array(entities));
                record.insert("relations".into(), Value::Array(relations));
            } else {
                let labels: Vec<Value> = fragments
                    .into_iter()
                    .map(|(s, e, l, _)| json!([s, e, l]))
                    .collect();
                record.insert("label".into(), Value::Array(labels));
            }
            serde_json::to_writer(&mut *w, &Value::Object(record))
                .map_err(|e| FormatError::invalid(out, None, e.to_string()))?;
            w.write_all(b"\n").map_err(io_err(out))?;
            progress((i + 1) as f32 / total);
        }
        Ok(())
    })?;
    report.documents = project.documents().len();
    c.report(report, project.relations().len(), "doccano");
    report.leave_out(
        meta_clash,
        "metadata keys named like doccano's own keys",
        "left out",
    );
    Ok(())
}

/// What span-list exports (doccano, Prodigy) count while listing entity fragments.
#[derive(Default)]
pub struct EntityCounts {
    /// Entity fragments written.
    pub written: usize,
    /// Stances met.
    pub stances: usize,
    /// Entities with more than one fragment.
    pub fragmented: usize,
    /// Entities with a canonical name, note or attributes.
    pub details: usize,
    /// Relations written.
    pub relations: usize,
}

impl EntityCounts {
    /// Puts the counts into an export report; `relations` is how many relations the
    /// project has (those not written are counted as left out).
    pub fn report(&self, report: &mut ExportReport, relations: usize, format: &str) {
        report.annotations = self.written;
        report.relations = self.relations;
        report.leave_out(
            self.stances,
            "stances",
            &format!("left out ({format} holds entity spans only)"),
        );
        report.leave_out(
            self.fragmented,
            "discontinuous entities",
            "written as one span per fragment",
        );
        report.leave_out(
            self.details,
            "canonical names, notes and attributes",
            &format!("left out ({format} spans carry a label only)"),
        );
        report.leave_out(
            relations.saturating_sub(self.relations),
            "relations not between two written entity spans",
            &format!("left out ({format} relates entity spans only)"),
        );
    }
}

/// Every entity fragment of a document as (start, end, label, entity), in reading order.
pub fn entity_fragments(
    project: &Project,
    doc: &DocId,
    counts: &mut EntityCounts,
) -> Vec<(usize, usize, String, AnnotationId)> {
    let mut out = Vec::new();
    for ann in project.annotations_of(doc) {
        match ann.kind() {
            AnnotationKind::Entity { label, canonical } => {
                counts.fragmented += usize::from(ann.spans().len() > 1);
                counts.details += usize::from(
                    canonical.is_some() || ann.note().is_some() || !ann.attributes().is_empty(),
                );
                for s in ann.spans() {
                    out.push((s.start().0, s.end().0, label.to_string(), ann.id()));
                }
            }
            AnnotationKind::Stance { .. } => counts.stances += 1,
        }
    }
    out.sort();
    counts.written += out.len();
    out
}

/// A JSON value as metadata text: strings as they are, anything else as JSON.
pub fn meta_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A document id from an `id` value (string or number).
pub fn id_value(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Imports every record: each is read and checked on every core
/// ([`prepare_record`]), then added to the builder in the file's order ([`add_record`]).
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    import_each_prepared(b, path, progress, prepare_record, add_record)
}

/// A span as read: raw offsets, label, and the record's own id for it (relations).
struct RawSpan {
    start: usize,
    end: usize,
    label: String,
    id: Option<String>,
}

/// A record read apart from the project: everything that does not depend on what the
/// project or the rest of the import holds, so it can be done on any core.
enum PreparedRecord {
    /// The record has no usable text: the reason and detail of its skip.
    Skipped(&'static str, Option<String>),
    /// A document with its spans checked against its text.
    Document(Box<PreparedDocument>),
}

impl super::jsonl::FirstIds for PreparedRecord {
    fn first_ids(&self, ids: &mut Vec<AnnotationId>) {
        if let PreparedRecord::Document(prepared) = self {
            for span in &prepared.spans {
                if let PreparedSpan::Good { entity, .. } = span {
                    ids.push(entity.first_id());
                }
            }
        }
    }
}

/// A record's document and what it says about it, in the order the builder is told.
struct PreparedDocument {
    /// Skips found reading the span lists (reason, detail), before the document is added.
    skips: Vec<(&'static str, String)>,
    document: Document,
    spans: Vec<PreparedSpan>,
    relations: Option<Value>,
}

/// One span of a record, checked against the document's text.
enum PreparedSpan {
    /// Past the end of the raw text (the detail of the skip).
    Outside(String),
    /// Not a span of the text (why).
    Bad(String),
    /// A span of the text, with its label and the record's id for it.
    Good {
        entity: PreparedEntity,
        id: Option<String>,
    },
}

/// Reads one record: its text normalised, the document made (content hash included), its
/// span lists read and each span checked against the text, labels shared through
/// `names` (one interner per batch of lines). The same text gives the same
/// checks whichever document the builder attaches it to (the same id, or a document with
/// the same content hash), so this needs no builder.
fn prepare_record(
    names: &mut Interner,
    _at: &Location,
    stem: &DocId,
    line: usize,
    mut obj: Map<String, Value>,
) -> PreparedRecord {
    let raw = match obj.remove("text") {
        Some(Value::String(t)) => t,
        Some(other) => {
            return PreparedRecord::Skipped(
                "text is not a string",
                Some(format!("found {}", type_name(&other))),
            );
        }
        None => return PreparedRecord::Skipped("record without text", None),
    };
    if raw.is_empty() {
        return PreparedRecord::Skipped("record with empty text", None);
    }
    let norm = Normalized::from_string(raw);
    let id = DocId::from(id_value(obj.get("id")).unwrap_or_else(|| format!("{}-{line}", stem.0)));
    let title = match obj.get("title") {
        Some(Value::String(t)) => t.clone(),
        _ => Document::title_for(&norm.text, id.as_str()),
    };
    let mut skips = Vec::new();
    let mut raw_spans = Vec::new();
    for key in ["label", "labels", "entities", "annotations"] {
        if let Some(value) = obj.get(key) {
            read_spans(&mut skips, key, value, &mut raw_spans);
        }
    }
    let relations = obj.remove("relations");
    let mut meta = BTreeMap::new();
    for (k, v) in &obj {
        if k == "meta"
            && let Value::Object(inner) = v
        {
            meta.extend(inner.iter().map(|(k, v)| (k.clone(), meta_value(v))));
        } else if !RESERVED.contains(&k.as_str()) {
            meta.insert(k.clone(), meta_value(v));
        }
    }
    // Offsets are mapped onto the normalised text before the document takes it.
    let raw_len = norm.raw_len();
    let mapped: Vec<(usize, usize)> = raw_spans
        .iter()
        .map(|span| (norm.map(span.start), norm.map(span.end)))
        .collect();
    let document = Document::new(id, title, meta, norm.text);
    let spans = raw_spans
        .into_iter()
        .zip(mapped)
        .map(|(span, (start, end))| {
            if span.end > raw_len {
                return PreparedSpan::Outside(format!(
                    "{}..{} {}",
                    span.start, span.end, span.label
                ));
            }
            match span_in(document.text(), start, end) {
                Ok(s) => PreparedSpan::Good {
                    entity: PreparedEntity::new(document.id(), s, names.name(&span.label)),
                    id: span.id,
                },
                Err(reason) => PreparedSpan::Bad(reason),
            }
        })
        .collect();
    PreparedRecord::Document(Box::new(PreparedDocument {
        skips,
        document,
        spans,
        relations,
    }))
}
/// Adds a prepared record to the import: skips, then the document, its spans and its
/// relations, in the order the record gives them.
fn add_record(b: &mut Builder, at: &Location, _stem: &DocId, record: PreparedRecord) {
    let prepared = match record {
        PreparedRecord::Skipped(reason, detail) => return b.skip(at, reason, detail),
        PreparedRecord::Document(prepared) => *prepared,
    };
    for (reason, detail) in prepared.skips {
        b.skip(at, reason, Some(detail));
    }
    let doc = b.add_document(prepared.document);
    let mut ids: HashMap<String, AnnotationId> = HashMap::new();
    for span in prepared.spans {
        match span {
            PreparedSpan::Outside(detail) => b.skip(at, "span outside the text", Some(detail)),
            PreparedSpan::Bad(reason) => b.skip(at, "bad span", Some(reason)),
            PreparedSpan::Good { entity, id } => {
                let new = b.add_prepared_entity(at, &doc, entity);
                if let (Some(old), Some(new)) = (id, new) {
                    ids.insert(old, new);
                }
            }
        }
    }
    if let Some(Value::Array(relations)) = prepared.relations {
        for rel in relations {
            let from = id_value(rel.get("from_id")).and_then(|i| ids.get(&i).copied());
            let to = id_value(rel.get("to_id")).and_then(|i| ids.get(&i).copied());
            let label = rel.get("type").or_else(|| rel.get("label")).map(meta_value);
            match (from, to, label) {
                (Some(from), Some(to), Some(label)) => {
                    b.add_relation(at, &label, from, to);
                }
                _ => b.skip(
                    at,
                    "relation without known from_id, to_id and type",
                    Some(rel.to_string()),
                ),
            }
        }
    }
}

/// Reads a span list; what is not a span is a skip (reason, detail) in `skips`.
fn read_spans(
    skips: &mut Vec<(&'static str, String)>,
    key: &str,
    value: &Value,
    out: &mut Vec<RawSpan>,
) {
    let Value::Array(items) = value else {
        skips.push((
            "span list is not an array",
            format!("'{key}' is {}", type_name(value)),
        ));
        return;
    };
    for item in items {
        match raw_span(item) {
            Some(span) => out.push(span),
            None => skips.push(("not a span [start, end, label]", item.to_string())),
        }
    }
}

fn raw_span(item: &Value) -> Option<RawSpan> {
    let label_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let offset = |v: Option<&Value>| {
        v.and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    match item {
        Value::Array(parts) => match parts.as_slice() {
            [s, e, label] => Some(RawSpan {
                start: offset(Some(s))?,
                end: offset(Some(e))?,
                label: label_of(label)?,
                id: None,
            }),
            _ => None,
        },
        Value::Object(o) => Some(RawSpan {
            start: offset(o.get("start_offset").or_else(|| o.get("start")))?,
            end: offset(o.get("end_offset").or_else(|| o.get("end")))?,
            label: label_of(o.get("label")?)?,
            id: id_value(o.get("id")),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::*;
    use crate::formats::{ExportFormat, ImportFormat};
    use crate::model::apply;

    #[test]
    fn export_writes_code_point_offsets_and_metadata() {
        let mut p = project_from(&[("a", "😀 [Zuckerberg]PER zegt e\u{301}n keer [sorry]X")]);
        add_stance(&mut p, "a", None, "EU", "AGAINST", None);
        let (out, report) = export_str(&p, ExportFormat::Doccano, "out.jsonl");
        let v: Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(v["label"], json!([[2, 12, "PER"], [27, 32, "X"]]));
        assert_eq!(v["id"], "a");
        assert_eq!(v["title"], "Titel a");
        assert_eq!(report.left_out_count("stances"), 1);
    }

    #[test]
    fn every_variant_imports_with_offsets_mapped_through_crlf_and_bom() {
        let input = [
            r#"{"text": "EU rejects German call", "label": [[0, 2, "ORG"], [11, 17, "MISC"]], "meta": {"wikiPageID": 1}}"#,
            r#"{"text": "Peter Blackburn", "labels": [[0, 15, "PERSON"]], "date": "2018-05"}"#,
            r#"{"id": 7, "text": "Google by Larry", "entities": [{"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"}, {"id": 1, "start_offset": 10, "end_offset": 15, "label": "PER"}], "relations": [{"from_id": 0, "to_id": 1, "type": "foundedBy"}]}"#,
            "{\"id\": \"crlf\", \"text\": \"\u{feff}a\\r\\n😀 e\u{301}\\r\\nZuck\", \"label\": [[6, 8, \"X\"], [10, 14, \"PER\"]]}",
            r#"{"id": 1, "text": "EU rejects ...", "annotations": [{"id": 1, "label": 2, "start_offset": 0, "end_offset": 2, "user": 1}]}"#,
        ]
        .join("\n");
        let mut p = empty_project();
        let (edit, report) =
            import_str(&mut p, "d.jsonl", &input, Some(ImportFormat::Doccano)).expect("import");
        assert!(report.skipped.is_empty(), "{report}");
        assert_eq!(report.relations, 1);
        apply(&mut p, edit).expect("apply");
        assert_eq!(
            describe(&p),
            [
                "1 0..2 2 «EU»",
                "7 0..6 ORG «Google»",
                "7 10..15 PER «Larry»",
                "crlf 4..6 X «e\u{301}»",
                "crlf 7..11 PER «Zuck»",
                "d-1 0..2 ORG «EU»",
                "d-1 11..17 MISC «German»",
                "d-2 0..15 PERSON «Peter Blackburn»",
            ]
        );
        let d1 = p.document(&DocId("d-1".into())).expect("d-1");
        assert_eq!(d1.meta().get("wikiPageID"), Some("1"));
        assert_eq!(
            p.document(&DocId("d-2".into())).expect("d-2").date(),
            Some("2018-05")
        );
        assert_eq!(
            p.document(&DocId("crlf".into()))
                .expect("crlf")
                .text()
                .as_str(),
            "a\n😀 e\u{301}\nZuck"
        );
    }

    /// Records are added while later lines are still parsed; a file whose later record
    /// is written over several lines is then read again as a stream, from the start, and
    /// gives what the same records on one line each give (the same ids included).
    #[test]
    fn a_record_over_several_lines_makes_the_import_start_over_alike() {
        let one_line = |id: usize| {
            format!(
                r#"{{"id": "d{id}", "text": "Zuckerberg zegt sorry {id}.", "label": [[0, 10, "PER"], [0, 10, "PER"], [16, 21, "MISC"]]}}"#
            )
        };
        let lines: Vec<String> = (0..300).map(one_line).collect();
        let mut pretty = lines.clone();
        pretty.push("{\n  \"id\": \"last\",\n  \"text\": \"Nix in Londen.\",\n  \"label\": [[7, 13, \"LOC\"]]\n}".to_owned());
        let mut flat = lines;
        flat.push(
            r#"{"id": "last", "text": "Nix in Londen.", "label": [[7, 13, "LOC"]]}"#.to_owned(),
        );
        let import = |content: String| {
            let mut p = empty_project();
            import_str(&mut p, "d.jsonl", &content, Some(ImportFormat::Doccano)).expect("import")
        };
        let (pretty_edit, pretty_report) = import(pretty.join("\n"));
        let (flat_edit, flat_report) = import(flat.join("\n"));
        assert_eq!(pretty_edit, flat_edit);
        let reasons = |r: &crate::formats::ImportReport| -> Vec<String> {
            r.skipped
                .iter()
                .map(|s| format!("{:?} {}", s.at.line, s.reason))
                .collect()
        };
        assert_eq!(reasons(&pretty_report), reasons(&flat_report));
        assert_eq!(pretty_report.documents_added, 301);
        assert_eq!(flat_report.skipped.len(), 300, "one duplicate a record");
    }

    #[test]
    fn bad_records_are_skipped_with_their_line() {
        let input = [
            r#"{"label": [[0, 1, "PER"]], "meta": {"wikiPageID": 3}}"#,
            r#"{"text": 5}"#,
            r#"{"text": "abc", "label": [[2, 1, "X"], [0, 9, "X"], [0, "1", "X"], "cat", [0, 1, "A"], [0, 1, "A"]]}"#,
            r#"{"text": "abc", "label": 3}"#,
            r#"{"text": "trunc"#,
        ]
        .join("\n");
        let mut p = empty_project();
        let (_, report) = import_str(&mut p, "bad.jsonl", &input, None).expect("import");
        let got: Vec<String> = report
            .skipped
            .iter()
            .map(|s| {
                format!("{}: {}", s.at, s.reason)
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            got,
            [
                "bad.jsonl:5: unreadable line",
                "bad.jsonl:1: record without text",
                "bad.jsonl:2: text is not a string",
                "bad.jsonl:3: not a span [start, end, label]",
                "bad.jsonl:3: not a span [start, end, label]",
                "bad.jsonl:3: bad span",
                "bad.jsonl:3: span outside the text",
                "bad.jsonl:3: duplicate annotation (already present)",
                "bad.jsonl:4: span list is not an array",
            ]
        );
        assert_eq!(report.documents_added, 2);
        assert_eq!(report.documents_matched, 0);
    }

    /// A doccano file of `records` lines over many pieces of the reader, with what an
    /// import meets: a document the project has (matched, its tag a duplicate), one whose
    /// id the project gives another text (renamed), records repeated pieces later (matched
    /// then: duplicates skipped, a new tag added to the document applied earlier), the
    /// relation shape with relations, and a bad line in the middle.
    fn many_pieces(records: usize) -> String {
        let mut lines = vec![
            r#"{"id": "a", "text": "Zuckerberg zegt sorry.", "label": [[0, 10, "PER"], [16, 21, "MISC"]]}"#.to_owned(),
            r#"{"id": "a", "text": "Een andere tekst.", "label": [[4, 10, "ORG"]]}"#.to_owned(),
        ];
        for i in 0..records {
            let line = match i % 50 {
                17 if i > 100 => format!(
                    r#"{{"id": "d{}", "text": "Nix werkt voor SCL in Londen {}.", "label": [[0, 3, "PER"], [15, 18, "NEW"]]}}"#,
                    i - 40,
                    i - 40
                ),
                23 => format!(
                    r#"{{"id": "r{i}", "text": "Nix werkt voor SCL.", "entities": [{{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PER"}}, {{"id": 2, "start_offset": 15, "end_offset": 18, "label": "ORG"}}], "relations": [{{"id": 9, "from_id": 1, "to_id": 2, "type": "Works_for"}}]}}"#
                ),
                _ => format!(
                    r#"{{"id": "d{i}", "text": "Nix werkt voor SCL in Londen {i}.", "label": [[0, 3, "PER"], [15, 18, "ORG"], [22, 28, "LOC"], [0, 3, "PER"]], "date": "2018-05"}}"#
                ),
            };
            lines.push(line);
            if i == records / 2 {
                lines.push(r#"{"id": "broken", "text": "Nix"#.to_owned());
            }
        }
        lines.join("\n")
    }

    /// A project and report imported, or the error's message.
    type Imported = Result<(Project, crate::formats::ImportReport), String>;

    /// `content` written to a file `name` in a new temporary folder (kept while the
    /// folder lives).
    fn written(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        (dir, path)
    }

    /// Imports `content` both ways into a copy of `base`: the edit applied at the end, and
    /// applied a piece at a time (`import_into`).
    fn both_ways(base: &Project, content: &[u8]) -> (Imported, Imported) {
        let (_dir, path) = written("d.jsonl", content);
        let format = Some(ImportFormat::Doccano);
        let mut at_end = base.clone();
        let at_end = crate::formats::import(&mut at_end, &path, format, &mut |_| {})
            .map_err(|e| e.to_string())
            .map(|(edit, report)| {
                apply(&mut at_end, edit).expect("apply");
                (at_end, report)
            });
        let mut piecewise = base.clone();
        let piecewise = crate::formats::import_into(&mut piecewise, &path, format, &mut |_| {})
            .map_err(|e| e.to_string())
            .map(|report| (piecewise, report));
        (at_end, piecewise)
    }

    #[test]
    fn applied_a_piece_at_a_time_gives_the_project_and_report_of_the_whole_edit() {
        let base = project_from(&[("a", "[Zuckerberg]PER zegt sorry.")]);
        let content = many_pieces(600);
        assert!(content.len() > 10 * crate::formats::jsonl::PIECE_BYTES);
        let (at_end, piecewise) = both_ways(&base, content.as_bytes());
        let (p, report) = at_end.expect("import");
        let (q, piecewise_report) = piecewise.expect("import into");
        assert_eq!(piecewise_report, report);
        assert!(q == p, "the same project");
        assert_eq!(
            crate::io::project_file::to_ron(&q),
            crate::io::project_file::to_ron(&p)
        );
        assert_eq!(report.renamed, [("a".to_owned(), "a-2".to_owned())]);
        assert_eq!(report.relations, 12);
        // The bad line comes first, with its number; the rest is all read.
        let first = report.skipped.first().expect("skips");
        assert_eq!(
            (first.at.line, first.reason.as_str()),
            (Some(304), "unreadable line")
        );
        assert_eq!(report.documents_added, 1 + 600 - 12 + 12 - 10);
        assert_eq!(report.documents_matched, 1 + 10);
        assert_eq!(report.annotations.get("NEW"), Some(&10));
        assert!(report.new_labels.contains("NEW"));
    }

    #[test]
    fn a_truncated_last_line_is_a_skip_and_a_record_over_several_lines_a_stream_either_way() {
        let base = empty_project();
        let truncated = many_pieces(300) + "\n{\"id\": \"last\", \"text\": \"Nix in";
        let (at_end, piecewise) = both_ways(&base, truncated.as_bytes());
        let ((p, report), (q, piecewise_report)) =
            (at_end.expect("import"), piecewise.expect("import into"));
        assert!(q == p);
        assert_eq!(piecewise_report, report);
        let lines: Vec<Option<usize>> = report
            .skipped
            .iter()
            .filter(|s| s.reason == "unreadable line")
            .map(|s| s.at.line)
            .collect();
        assert_eq!(lines, [Some(154), Some(304)]);
        let pretty = many_pieces(300).replace("\n{\"id\": \"broken\", \"text\": \"Nix", "")
            + "\n{\n  \"id\": \"last\",\n  \"text\": \"Nix in Londen.\",\n  \"label\": [[7, 13, \"LOC\"]]\n}\n";
        let (at_end, piecewise) = both_ways(&base, pretty.as_bytes());
        let ((p, report), (q, piecewise_report)) =
            (at_end.expect("import"), piecewise.expect("import into"));
        assert!(q == p);
        assert_eq!(piecewise_report, report);
        assert!(report.skipped.iter().all(|s| s.reason != "unreadable line"));
        assert!(p.document(&DocId::from("last")).is_some());
    }

    /// Bytes that are not UTF-8 pieces into the file: the file is decoded whole (its
    /// encoding guessed from all of it), as before the import read pieces; the import
    /// applied a piece at a time starts over and gives the same.
    #[test]
    fn bad_utf8_late_in_the_file_decodes_it_whole_either_way() {
        let base = empty_project();
        let mut content = many_pieces(300).replace("Londen", "Londen é").into_bytes();
        content.extend_from_slice(
            b"\n{\"id\": \"latin\", \"text\": \"Caf\xe9 Nix\", \"label\": [[5, 8, \"PER\"]]}\n",
        );
        let (at_end, piecewise) = both_ways(&base, &content);
        let ((p, report), (q, piecewise_report)) =
            (at_end.expect("import"), piecewise.expect("import into"));
        assert!(q == p);
        assert_eq!(piecewise_report, report);
        let decoded = crate::formats::decode_bytes(&content);
        let (whole, _) = both_ways(&base, decoded.as_bytes());
        let (whole, _) = whole.expect("import decoded");
        assert!(p == whole, "as the file decoded whole");
    }

    /// A NUL byte in a later piece is the error it was (naming the line), and the
    /// import applied a piece at a time leaves the project as it was; so does an empty
    /// file.
    #[test]
    fn a_binary_or_empty_file_is_an_error_and_changes_nothing() {
        let base = project_from(&[("a", "[Zuckerberg]PER zegt sorry.")]);
        let mut content = many_pieces(300).into_bytes();
        content.extend_from_slice(b"\n{\"text\": \"a\0b\"}\n");
        for (content, error) in [
            (
                content,
                "d.jsonl:304: contains NUL bytes, so it looks binary, not text",
            ),
            (
                b"\n \n".to_vec(),
                "d.jsonl: the file is empty (no JSON records)",
            ),
            (Vec::new(), "d.jsonl: the file is empty (no JSON records)"),
        ] {
            let (dir, path) = written("d.jsonl", &content);
            let format = Some(ImportFormat::Doccano);
            let mut q = base.clone();
            let err = crate::formats::import_into(&mut q, &path, format, &mut |_| {})
                .expect_err("an error");
            let message = err
                .to_string()
                .replace(&format!("{}/", dir.path().display()), "");
            assert_eq!(message, error);
            assert!(q == base, "unchanged");
            assert_eq!(
                crate::io::project_file::to_ron(&q),
                crate::io::project_file::to_ron(&base)
            );
        }
    }
}
