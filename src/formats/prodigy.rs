//! Prodigy/spaCy JSONL: `{"text", "tokens": [{"text","start","end","id","ws"}], "spans":
//! [{"start","end","label","token_start","token_end"}], "meta"}` with `token_end` inclusive
//! and code-point offsets.
//!
//! Export writes one record per document over Unicode word/punctuation tokens, split
//! wherever a span starts or ends so every span has whole tokens, with the relations
//! between its entities as Prodigy's `rel.manual` writes them (`head`, `child` token
//! indices, `head_span`, `child_span`, `label`). Import skips records
//! answered `reject` or `ignore` (counted), reads spans by offsets (or by token indices when
//! offsets are missing), `relations` between spans, and the `meta` object as metadata.

use super::builder::Builder;
use super::doccano::{EntityCounts, entity_fragments, id_value, meta_value};
use super::error::{FormatError, Location};
use super::jsonl::{import_each, type_name};
use super::normalize::Normalized;
use super::report::ExportReport;
use super::tokens::sentences;
use super::write::{io_err, write_file};
use crate::model::{Anchor, AnnotationId, AnnotationKind, DocId, Document, Project};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

/// Writes one record per document.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let mut c = EntityCounts::default();
    let mut tokenless = 0;
    write_file(out, |w: &mut dyn Write| {
        let total = project.documents().len().max(1) as f32;
        for (i, doc) in project.documents().iter().enumerate() {
            let fragments = entity_fragments(project, doc.id(), &mut c);
            let cuts: BTreeSet<usize> =
                fragments.iter().flat_map(|(s, e, _, _)| [*s, *e]).collect();
            let tokens: Vec<_> = sentences(doc, &cuts).into_iter().flatten().collect();
            let text = doc.text();
            let token_values: Vec<Value> = tokens
                .iter()
                .enumerate()
                .map(|(id, t)| {
                    let ws = text
                        .char_at(crate::model::CharOffset(t.end))
                        .is_some_and(char::is_whitespace);
                    json!({"text": t.text, "start": t.start, "end": t.end, "id": id, "ws": ws})
                })
                .collect();
            let mut spans = Vec::new();
            // An entity's first fragment stands for it in relations.
            let mut span_of: HashMap<AnnotationId, Value> = HashMap::new();
            for (start, end, label, ann) in fragments {
                let first = tokens.iter().position(|t| t.start >= start);
                let last = tokens.iter().rposition(|t| t.end <= end);
                match (first, last) {
                    (Some(a), Some(b)) if a <= b => {
                        let span = json!({
                            "start": start, "end": end, "label": label, "token_start": a, "token_end": b
                        });
                        span_of.entry(ann).or_insert_with(|| span.clone());
                        spans.push(span);
                    }
                    _ => tokenless += 1,
                }
            }
            // Prodigy's relation shape (rel.manual): `head` and `child` are the token
            // indices of each span's last token, with the spans themselves beside them.
            let relations: Vec<Value> = project
                .relations_in(doc.id())
                .into_iter()
                .filter_map(|r| {
                    let (head, child) = (span_of.get(&r.from)?, span_of.get(&r.to)?);
                    Some(json!({
                        "head": head["token_end"],
                        "child": child["token_end"],
                        "head_span": head,
                        "child_span": child,
                        "label": r.label,
                    }))
                })
                .collect();
            c.relations += relations.len();
            let mut meta: Map<String, Value> = doc
                .meta()
                .iter()
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect();
            meta.insert("id".into(), json!(doc.id().as_str()));
            meta.insert("title".into(), json!(doc.title()));
            let record = json!({
                "text": text.as_str(),
                "tokens": token_values,
                "spans": spans,
                "relations": relations,
                "meta": meta,
                "answer": "accept",
            });
            serde_json::to_writer(&mut *w, &record)
                .map_err(|e| FormatError::invalid(out, None, e.to_string()))?;
            w.write_all(b"\n").map_err(io_err(out))?;
            progress((i + 1) as f32 / total);
        }
        Ok(())
    })?;
    report.documents = project.documents().len();
    c.written -= tokenless;
    c.report(report, project.relations().len(), "Prodigy");
    report.leave_out(
        tokenless,
        "spans over whitespace only",
        "left out (no token to point at)",
    );
    Ok(())
}

/// Imports every accepted record.
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    import_each(b, path, progress, |b, at, stem, line, object| {
        import_record(b, at, stem, line, &object)
    })
}

fn import_record(
    b: &mut Builder,
    at: &Location,
    stem: &DocId,
    line: usize,
    obj: &Map<String, Value>,
) {
    match obj.get("answer").and_then(Value::as_str) {
        Some("reject") => return b.skip(at, "answer: reject", None),
        Some("ignore") => return b.skip(at, "answer: ignore", None),
        _ => {}
    }
    let raw = match obj.get("text") {
        Some(Value::String(t)) if !t.is_empty() => t,
        Some(Value::String(_)) => return b.skip(at, "record with empty text", None),
        Some(other) => {
            return b.skip(
                at,
                "text is not a string",
                Some(format!("found {}", type_name(other))),
            );
        }
        None => return b.skip(at, "record without text", None),
    };
    let norm = Normalized::new(raw);
    let empty = Map::new();
    let meta_obj = match obj.get("meta") {
        Some(Value::Object(m)) => m,
        _ => &empty,
    };
    let id = id_value(meta_obj.get("id"))
        .or_else(|| id_value(obj.get("id")))
        .unwrap_or_else(|| format!("{}-{line}", stem.0));
    let title = match meta_obj.get("title") {
        Some(Value::String(t)) => t.clone(),
        _ => Document::title_for(&norm.text, &id),
    };
    let meta: BTreeMap<String, String> = meta_obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "title"))
        .map(|(k, v)| (k.clone(), meta_value(v)))
        .collect();
    let doc = b.add_document(Document::new(
        DocId::from(id),
        title,
        meta,
        norm.text.clone(),
    ));
    let tokens = obj.get("tokens").and_then(Value::as_array);
    let mut by_offsets: HashMap<(usize, usize), AnnotationId> = HashMap::new();
    let spans = match obj.get("spans") {
        None | Some(Value::Null) => return,
        Some(Value::Array(spans)) => spans,
        Some(other) => {
            return b.skip(
                at,
                "spans is not an array",
                Some(format!("found {}", type_name(other))),
            );
        }
    };
    for span in spans {
        let Some((start, end, label)) = span_of(span, tokens) else {
            b.skip(at, "not a span {start, end, label}", Some(span.to_string()));
            continue;
        };
        if end > norm.raw_len() {
            b.skip(
                at,
                "span outside the text",
                Some(format!("{start}..{end} {label}")),
            );
            continue;
        }
        match b.span(&doc, norm.map(start), norm.map(end)) {
            Ok(s) => {
                let kind = AnnotationKind::Entity {
                    label: label.into(),
                    canonical: None,
                };
                if let Some(id) =
                    b.add_annotation(at, &doc, Anchor::span(s), kind, None, BTreeMap::new())
                {
                    by_offsets.insert((start, end), id);
                }
            }
            Err(reason) => b.skip(at, "bad span", Some(reason)),
        }
    }
    if let Some(Value::Array(relations)) = obj.get("relations") {
        for rel in relations {
            let find = |key: &str| {
                let s = rel.get(key)?;
                let start = s
                    .get("start")?
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())?;
                let end = s
                    .get("end")?
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())?;
                by_offsets.get(&(start, end)).copied()
            };
            let label = rel.get("label").and_then(Value::as_str);
            match (find("head_span"), find("child_span"), label) {
                (Some(from), Some(to), Some(label)) => {
                    b.add_relation(at, label, from, to);
                }
                _ => b.skip(at, "relation between unknown spans", Some(rel.to_string())),
            }
        }
    }
}

/// (start, end, label) of a span, from its offsets or else its token indices.
fn span_of(span: &Value, tokens: Option<&Vec<Value>>) -> Option<(usize, usize, String)> {
    let num = |v: Option<&Value>| {
        v.and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    let label = span.get("label")?.as_str()?.to_owned();
    if let (Some(s), Some(e)) = (num(span.get("start")), num(span.get("end"))) {
        return Some((s, e, label));
    }
    let tokens = tokens?;
    let first = tokens.get(num(span.get("token_start"))?)?;
    let last = tokens.get(num(span.get("token_end"))?)?;
    Some((num(first.get("start"))?, num(last.get("end"))?, label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::*;
    use crate::formats::{ExportFormat, ImportFormat};
    use crate::model::apply;

    #[test]
    fn export_tokens_cover_every_span_and_token_end_is_inclusive() {
        let p = project_from(&[("a", "😀 [Mark Zuckerberg]PER zegt: e\u{301}n [Face]ORGbook")]);
        let (out, report) = export_str(&p, ExportFormat::Prodigy, "out.jsonl");
        let v: Value = serde_json::from_str(out.trim()).expect("json");
        let tokens: Vec<String> = v["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| format!("{}:{}..{}:{}", t["id"], t["start"], t["end"], t["ws"]))
            .collect();
        assert_eq!(
            tokens,
            [
                "0:0..1:true",
                "1:2..6:true",
                "2:7..17:true",
                "3:18..22:false",
                "4:22..23:true",
                "5:24..27:true",
                "6:28..32:false",
                "7:32..36:false"
            ]
        );
        assert_eq!(
            v["spans"],
            json!([
                {"start": 2, "end": 17, "label": "PER", "token_start": 1, "token_end": 2},
                {"start": 28, "end": 32, "label": "ORG", "token_start": 6, "token_end": 6},
            ])
        );
        assert_eq!(v["meta"]["id"], "a");
        assert_eq!(report.annotations, 2);
    }

    #[test]
    fn import_skips_rejected_and_reads_offsets_tokens_and_relations() {
        let input = [
            r#"{"text": "😀 Remus Lupin", "spans": [{"start": 2, "end": 13, "label": "PERSON", "token_start": 1, "token_end": 2}], "answer": "accept", "meta": {"id": "t1", "section": "hp"}}"#,
            r#"{"text": "x", "spans": [], "answer": "reject"}"#,
            r#"{"text": "y", "spans": [], "answer": "ignore"}"#,
            r#"{"text": "Ben e\u0301 Smith", "tokens": [{"text": "Ben", "start": 0, "end": 3}, {"text": "e\u0301", "start": 4, "end": 6}, {"text": "Smith", "start": 7, "end": 12}], "spans": [{"token_start": 0, "token_end": 0, "label": "A"}, {"token_start": 2, "token_end": 2, "label": "B"}], "relations": [{"head_span": {"start": 0, "end": 3}, "child_span": {"start": 7, "end": 12}, "label": "knows"}]}"#,
            r#"{"text": "z", "spans": [{"start": 0, "end": 5, "label": "X"}, {"start": 0}]}"#,
        ]
        .join("\n");
        let mut p = empty_project();
        let (edit, report) = import_str(&mut p, "p.jsonl", &input, None).expect("import");
        assert_eq!(report.skipped_count("answer: reject"), 1);
        assert_eq!(report.skipped_count("answer: ignore"), 1);
        assert_eq!(report.skipped_count("span outside the text"), 1);
        assert_eq!(report.skipped_count("not a span {start, end, label}"), 1);
        assert_eq!(report.relations, 1);
        apply(&mut p, edit).expect("apply");
        assert_eq!(
            describe(&p),
            [
                "p-4 0..3 A «Ben»",
                "p-4 7..12 B «Smith»",
                "t1 2..13 PERSON «Remus Lupin»"
            ]
        );
        let t1 = p.document(&DocId("t1".into())).expect("t1");
        assert_eq!(t1.meta().get("section"), Some("hp"));
    }

    #[test]
    fn wrong_types_never_panic() {
        let mut p = empty_project();
        let input = "{\"text\": [1], \"spans\": []}\n{\"text\": \"a\", \"spans\": {\"x\": 1}}\n{\"text\": \"a\", \"spans\": [{\"token_start\": 9, \"token_end\": 9, \"label\": \"X\"}], \"tokens\": []}\n";
        let (_, report) =
            import_str(&mut p, "w.jsonl", input, Some(ImportFormat::Prodigy)).expect("import");
        assert_eq!(report.skipped.len(), 3, "{report}");
    }

    /// A Prodigy file of many pieces applied a piece at a time (`import_into`, the
    /// command line) gives the project and report of its one edit applied at the end.
    #[test]
    fn applied_a_piece_at_a_time_as_the_whole_edit() {
        let mut lines = Vec::new();
        for i in 0..400 {
            // Every 40th record repeats one 30 records back (pieces earlier): matched.
            let n = if i % 40 == 39 { i - 30 } else { i };
            lines.push(format!(
                r#"{{"text": "Nix werkt voor SCL in Londen {n}.", "spans": [{{"start": 0, "end": 3, "label": "PER"}}, {{"start": 15, "end": 18, "label": "{}"}}], "meta": {{"id": "d{n}"}}, "answer": "accept"}}"#,
                if i % 40 == 39 { "NEW" } else { "ORG" }
            ));
        }
        lines.insert(200, r#"{"text": "Nix"#.to_owned());
        let content = lines.join("\n");
        assert!(content.len() > 10 * crate::formats::jsonl::PIECE_BYTES);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.jsonl");
        std::fs::write(&path, &content).expect("write");
        let format = Some(ImportFormat::Prodigy);
        let mut at_end = empty_project();
        let (edit, report) =
            crate::formats::import(&mut at_end, &path, format, &mut |_| {}).expect("import");
        apply(&mut at_end, edit).expect("apply");
        let mut piecewise = empty_project();
        let piecewise_report =
            crate::formats::import_into(&mut piecewise, &path, format, &mut |_| {})
                .expect("import into");
        assert_eq!(piecewise_report, report);
        assert!(piecewise == at_end);
        assert_eq!(report.documents_matched, 10);
        assert_eq!(report.annotations.get("NEW"), Some(&10));
        assert_eq!(report.skipped.first().and_then(|s| s.at.line), Some(201));
    }
}
