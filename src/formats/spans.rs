//! spans JSONL, spantag's canonical export: one tagged span a line with its document id,
//! code-point offsets, text, kind, label, id and, as they apply, canonical name, stance
//! target/polarity/holder, note, attributes, document metadata and some context.
//!
//! Relations follow all span lines, one line each (`"kind":"relation"`, `label`, `id`, and
//! `from` / `to` with each end's `id`, `start`, `end`, `text` and `label`), in id order.
//!
//! The export holds no full text, so the import attaches lines to documents already in the
//! project by `doc` id, checks the text, maps exported ids to fresh ones (holders and
//! relation ends follow; an end not in the file is the project's tag on exactly its
//! offsets), and skips lines whose document is unknown.

use super::builder::{Builder, STANCE_LABEL};
use super::error::{FormatError, Location};
use super::jsonl::read_records_reporting;
use super::report::ExportReport;
use super::write::write_documents;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Project, Span,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

/// Characters of context written on either side of a span.
const CONTEXT: usize = 40;

/// The holder of a stance as written: the entity's id, covering offsets and text.
#[derive(Serialize, Deserialize)]
struct HolderOut {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    start: Option<usize>,
    #[serde(default)]
    end: Option<usize>,
    #[serde(default)]
    text: Option<String>,
}

/// One end of a relation as written: the tag's id, covering offsets, text and label.
#[derive(Serialize, Deserialize)]
struct RelationEnd {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    start: Option<usize>,
    #[serde(default)]
    end: Option<usize>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    label: Option<String>,
}

/// One relation line of the export; field order is the order written.
#[derive(Serialize)]
struct RelationLine<'a> {
    doc: &'a str,
    kind: &'static str,
    label: &'a str,
    id: u64,
    from: RelationEnd,
    to: RelationEnd,
}

/// One line of the export; field order is the order written.
#[derive(Serialize)]
struct SpanLine<'a> {
    doc: &'a str,
    start: Option<usize>,
    end: Option<usize>,
    /// Borrowed from the document for one span (nearly every annotation).
    text: Option<std::borrow::Cow<'a, str>>,
    kind: &'static str,
    label: &'a str,
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    fragments: Option<Vec<[usize; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    polarity: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    holder: Option<HolderOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attributes: Option<&'a BTreeMap<String, String>>,
    /// The document's metadata, serialised once for all its lines.
    meta: &'a serde_json::value::RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_left: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_right: Option<&'a str>,
}

impl SpanLine<'_> {
    /// Appends the line as `serde_json` writes it (the same fields in the same order, the
    /// same skips and escapes: a test compares the two), with the strings that need no
    /// escape — nearly all — copied as they are: escaping byte by byte took a tenth of
    /// the export's time at 100k documents.
    fn write_json(&self, w: &mut Vec<u8>) -> serde_json::Result<()> {
        let number = |w: &mut Vec<u8>, n: Option<usize>| match n {
            Some(n) => w.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            None => w.extend_from_slice(b"null"),
        };
        w.extend_from_slice(b"{\"doc\":");
        json_string(w, self.doc)?;
        w.extend_from_slice(b",\"start\":");
        number(w, self.start);
        w.extend_from_slice(b",\"end\":");
        number(w, self.end);
        w.extend_from_slice(b",\"text\":");
        match &self.text {
            Some(text) => json_string(w, text)?,
            None => w.extend_from_slice(b"null"),
        }
        w.extend_from_slice(b",\"kind\":");
        json_string(w, self.kind)?;
        w.extend_from_slice(b",\"label\":");
        json_string(w, self.label)?;
        w.extend_from_slice(b",\"id\":");
        w.extend_from_slice(itoa::Buffer::new().format(self.id).as_bytes());
        if let Some(fragments) = &self.fragments {
            w.extend_from_slice(b",\"fragments\":");
            serde_json::to_writer(&mut *w, fragments)?;
        }
        for (key, value) in [
            (&b",\"canonical\":"[..], self.canonical),
            (b",\"target\":", self.target),
            (b",\"polarity\":", self.polarity),
        ] {
            if let Some(value) = value {
                w.extend_from_slice(key);
                json_string(w, value)?;
            }
        }
        if let Some(holder) = &self.holder {
            w.extend_from_slice(b",\"holder\":");
            serde_json::to_writer(&mut *w, holder)?;
        }
        if let Some(note) = self.note {
            w.extend_from_slice(b",\"note\":");
            json_string(w, note)?;
        }
        if let Some(attributes) = self.attributes {
            w.extend_from_slice(b",\"attributes\":");
            serde_json::to_writer(&mut *w, attributes)?;
        }
        w.extend_from_slice(b",\"meta\":");
        w.extend_from_slice(self.meta.get().as_bytes());
        for (key, value) in [
            (&b",\"context_left\":"[..], self.context_left),
            (b",\"context_right\":", self.context_right),
        ] {
            if let Some(value) = value {
                w.extend_from_slice(key);
                json_string(w, value)?;
            }
        }
        w.push(b'}');
        Ok(())
    }
}

/// Appends `s` as a JSON string, exactly as `serde_json` does: copied between quotes
/// when no byte needs an escape (`serde_json` escapes `"`, `\` and control characters
/// only), else written by `serde_json`.
fn json_string(w: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if needs_escape(s.as_bytes()) {
        return serde_json::to_writer(&mut *w, s);
    }
    w.reserve(s.len() + 2);
    w.push(b'"');
    w.extend_from_slice(s.as_bytes());
    w.push(b'"');
    Ok(())
}

/// Whether `bytes` hold a byte `serde_json` escapes: a control character (below 0x20),
/// `"` or `\`. Eight bytes at a time (the bit tricks of "Bit Twiddling Hacks": a byte
/// below n, a zero byte), which a byte-by-byte look did at a tenth of the export's time.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let any_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH_BITS != 0;
    let any_below_space = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGH_BITS != 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or([0; 8]));
        if any_below_space(x)
            || any_zero(x ^ (ONES * u64::from(b'"')))
            || any_zero(x ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// A document's metadata as exported: its title plus its metadata map.
pub fn doc_meta(doc: &Document) -> BTreeMap<String, String> {
    let mut meta = doc.meta().to_map();
    meta.insert("title".to_owned(), doc.title().to_owned());
    meta
}

/// Writes one line per annotation, documents in id order, annotations in reading order.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let mut relations = 0;
    let written = write_documents(
        out,
        project.documents(),
        progress,
        |doc, w, written| {
            let annotations = project.annotations_of(doc.id());
            *written += document_lines(doc, &annotations, |h| project.annotation(h), w)
                .map_err(|e| FormatError::invalid(out, None, e.to_string()))?;
            Ok(())
        },
        |w| {
            relations = relation_lines(project, out, w)?;
            Ok(())
        },
    )?;
    fill_report(project, written, relations, report);
    Ok(())
}

/// Writes one line per relation, in id order; returns how many.
fn relation_lines(project: &Project, out: &Path, w: &mut dyn Write) -> Result<usize, FormatError> {
    let end = |id: AnnotationId| {
        let (doc, ann) = project.annotation_in_document(id)?;
        let covering = ann.anchor().covering();
        let label = match ann.kind() {
            AnnotationKind::Entity { label, .. } => label.to_string(),
            AnnotationKind::Stance { .. } => STANCE_LABEL.to_owned(),
        };
        Some((
            doc,
            RelationEnd {
                id: Some(id.0),
                start: covering.map(|c| c.start().0),
                end: covering.map(|c| c.end().0),
                text: Some(ann.text(doc.text())),
                label: Some(label),
            },
        ))
    };
    let mut count = 0;
    let mut line = Vec::new();
    for relation in project.relations().values() {
        let (Some((doc, from)), Some((_, to))) = (end(relation.from), end(relation.to)) else {
            continue;
        };
        line.clear();
        serde_json::to_writer(
            &mut line,
            &RelationLine {
                doc: doc.id().as_str(),
                kind: "relation",
                label: &relation.label,
                id: relation.id.0,
                from,
                to,
            },
        )
        .map_err(|e| FormatError::invalid(out, None, e.to_string()))?;
        line.push(b'\n');
        w.write_all(&line)
            .map_err(|e| FormatError::io(out, "cannot write", e))?;
        count += 1;
    }
    Ok(count)
}

/// Exports the spans of the project file `project` to `out` while the file loads: each
/// document's lines are made on the loader's workers as it is parsed and written in
/// order, so writing the export overlaps reading the project (what `spantag export` does
/// for this format). Gives the loaded project and the report, exactly what loading it and
/// calling [`export`] give, or `None` when the file is not read this way — small or
/// unusual, documents out of order, or not a sound project: then do that.
pub fn export_while_loading(
    project: &Path,
    out: &Path,
    progress: &mut (dyn FnMut(f32) + Send),
) -> Option<Result<(Project, ExportReport), FormatError>> {
    let done = while_reading(
        project,
        out,
        progress,
        |path, progress, make, sink| {
            crate::io::project_file::load_making(path, progress, make, sink)
        },
        |_| true,
        |project, w| relation_lines(project, out, w),
    )?;
    Some(done.map(|(project, _)| {
        let mut report = ExportReport::new(super::ExportFormat::Spans.name(), out);
        let written = project.annotations().len();
        let relations = project.relations().len();
        fill_report(&project, written, relations, &mut report);
        (project, report)
    }))
}

/// [`export_while_loading`] without keeping the project: each document is dropped once
/// its lines are made ([`crate::io::project_file::read_making`]), which spares the time
/// and memory of building the project. The same file and report, or `None` when the
/// file is not read this way — besides [`export_while_loading`]'s reasons, when it has
/// relations, whose lines need the project: then load it and call [`export`].
pub fn export_reading(
    project: &Path,
    out: &Path,
    progress: &mut (dyn FnMut(f32) + Send),
) -> Option<Result<ExportReport, FormatError>> {
    let done = while_reading(
        project,
        out,
        progress,
        |path, progress, make, sink| {
            crate::io::project_file::read_making(path, progress, make, sink)
        },
        |read| read.relations.is_empty(),
        |_, _| Ok(0),
    )?;
    Some(done.map(|(read, written)| {
        let mut report = ExportReport::new(super::ExportFormat::Spans.name(), out);
        report.documents = read.documents;
        report.annotations = written;
        report.relations = 0;
        report
    }))
}

/// The side output of a streaming read that makes a document's span lines.
type LinesOut<'a> = crate::io::project_file::MakeSide<'a, Vec<u8>>;
/// Where a streaming read hands each batch's lines, in order (`false` stops it).
type LinesIn<'a> = crate::io::project_file::SinkSide<'a, Vec<u8>>;

/// Writes the spans export of the project file `project` to `out` while `read` reads
/// it, making the lines on its workers (`read` is [`crate::io::project_file::
/// load_making`] or [`crate::io::project_file::read_making`]): its batches of lines
/// are written in order on this thread, while the read runs on a thread of its own, so
/// reading never waits for the disk. Once read, `whole` says whether what `read` gave
/// can finish the export (else nothing is kept: `None`), and `tail` writes what follows
/// the documents (the relations' lines) and says how many. Gives what `read` gave and
/// the number of span lines; `None` when the file is not read this way.
fn while_reading<R: Send>(
    project: &Path,
    out: &Path,
    progress: &mut (dyn FnMut(f32) + Send),
    read: impl FnOnce(&Path, &(dyn Fn(f32) + Sync), &LinesOut<'_>, &mut LinesIn<'_>) -> Option<R> + Send,
    whole: impl FnOnce(&R) -> bool,
    tail: impl FnOnce(&R, &mut dyn Write) -> Result<usize, FormatError>,
) -> Option<Result<(R, usize), FormatError>> {
    let unwritable = std::sync::atomic::AtomicBool::new(false);
    let lines = std::sync::atomic::AtomicUsize::new(0);
    // The biggest batch of lines so far: a new batch takes that room at once instead of
    // growing (and copying) its buffer a doubling at a time.
    let biggest = std::sync::atomic::AtomicUsize::new(0);
    let make = |part: &crate::model::DocumentPart, w: &mut Vec<u8>| {
        if w.capacity() == 0 {
            w.reserve(biggest.load(std::sync::atomic::Ordering::Relaxed));
        }
        let annotations: Vec<&Annotation> = part.annotations().collect();
        // Sorted by id only for a document whose stances name holders.
        let by_id = std::cell::OnceCell::new();
        let holder = |h: AnnotationId| {
            let by_id = by_id.get_or_init(|| {
                let mut by_id = annotations.clone();
                by_id.sort_unstable_by_key(|a| a.id());
                by_id
            });
            let at = by_id.binary_search_by_key(&h, |a| a.id()).ok()?;
            by_id.get(at).copied()
        };
        match document_lines(part.doc(), &annotations, holder, w) {
            Ok(n) => {
                lines.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                biggest.fetch_max(w.len(), std::sync::atomic::Ordering::Relaxed);
            }
            // The plain export gives the message.
            Err(_) => unwritable.store(true, std::sync::atomic::Ordering::Relaxed),
        }
    };
    let progress = std::sync::Mutex::new(progress);
    let mut loaded = None;
    let written = super::write::write_file(out, |w| {
        let report_progress = |f: f32| {
            if let Ok(mut progress) = progress.lock() {
                progress(f);
            }
        };
        // A failed write drops the receiver, which stops the read.
        let (lines_tx, lines_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(LINE_BATCHES_IN_FLIGHT);
        let mut failed = None;
        loaded = std::thread::scope(|scope| {
            let loader = scope.spawn(|| {
                // Taken by the thread, so the lines end when the read does.
                let lines_tx = lines_tx;
                let mut sink = |bytes: Vec<u8>| lines_tx.send(bytes).is_ok();
                read(project, &report_progress, &make, &mut sink)
            });
            for bytes in lines_rx.iter() {
                if let Err(e) = w.write_all(&bytes) {
                    failed = Some(e);
                    break;
                }
            }
            drop(lines_rx);
            loader.join().ok().flatten()
        });
        if unwritable.load(std::sync::atomic::Ordering::Relaxed)
            || !loaded.as_ref().is_some_and(whole)
        {
            loaded = None;
        }
        match (failed, &loaded) {
            (Some(e), _) => Err(FormatError::io(out, "cannot write", e)),
            // The relations come last, once the whole project (they end it) is read.
            (None, Some(read)) => tail(read, w).map(|_| ()),
            // Not read this way: nothing is kept of what was written.
            (None, None) => Err(FormatError::invalid(out, None, String::new())),
        }
    });
    let lines = lines.into_inner();
    match (written, loaded) {
        (Ok(()), Some(read)) => Some(Ok((read, lines))),
        (Err(e), Some(_)) => Some(Err(e)),
        (_, None) => None,
    }
}

/// Batches of lines made while loading that may wait for the disk at once.
const LINE_BATCHES_IN_FLIGHT: usize = 8;

/// The report's counts for a spans export of `project` that wrote `written` span lines
/// and `relations` relation lines.
fn fill_report(project: &Project, written: usize, relations: usize, report: &mut ExportReport) {
    report.documents = project.documents().len();
    report.annotations = written;
    report.relations = relations;
}

/// Appends one document's lines — `annotations` in reading order, `holder` finding a
/// stance's holder by id — and returns how many it wrote.
fn document_lines<'a>(
    doc: &'a Document,
    annotations: &[&'a Annotation],
    holder: impl Fn(AnnotationId) -> Option<&'a Annotation>,
    w: &mut Vec<u8>,
) -> serde_json::Result<usize> {
    let meta = serde_json::value::to_raw_value(&doc_meta(doc))?;
    let mut walk = Walk::default();
    for ann in annotations {
        span_line(&holder, doc, ann, &meta, &mut walk).write_json(w)?;
        w.push(b'\n');
    }
    Ok(annotations.len())
}

/// Where the last span line's left context started in a document's text (char and
/// byte offsets): lines come in reading order, so each one's context starts there or
/// after, and is walked to from there instead of looked up.
#[derive(Default)]
struct Walk {
    char: usize,
    byte: crate::model::ByteOffset,
}

fn span_line<'a: 'm, 'm>(
    holder_of: &impl Fn(AnnotationId) -> Option<&'a Annotation>,
    doc: &'a Document,
    ann: &'a Annotation,
    meta: &'m serde_json::value::RawValue,
    walk: &mut Walk,
) -> SpanLine<'m> {
    let text = doc.text();
    let covering = ann.anchor().covering();
    let fragments = (ann.spans().len() > 1).then(|| {
        ann.spans()
            .iter()
            .map(|s| [s.start().0, s.end().0])
            .collect()
    });
    // The covering span and its context as byte ranges, walked to one after the other
    // from the last line's left context (looked up, should the lines come out of order).
    let bytes = covering.map(|c| {
        let (start, end) = (c.start().0, c.end().0);
        let left_chars = start.min(CONTEXT);
        let left = match (start - left_chars).checked_sub(walk.char) {
            Some(ahead) => text.advance(walk.byte, ahead),
            None => text.byte_of(crate::model::CharOffset(start - left_chars)),
        };
        (walk.char, walk.byte) = (start - left_chars, left);
        let span_start = text.advance(left, left_chars);
        let span_end = text.advance(span_start, end - start);
        let right = text.advance(span_end, CONTEXT);
        (left.0, span_start.0, span_end.0, right.0)
    });
    let within = |from: usize, to: usize| text.as_str().get(from..to).unwrap_or_default();
    let context_left = bytes.map(|(left, start, ..)| within(left, start));
    let context_right = bytes.map(|(.., end, right)| within(end, right));
    let (kind, label, canonical, target, polarity, holder) = match ann.kind() {
        AnnotationKind::Entity { label, canonical } => (
            "entity",
            label.as_str(),
            canonical.as_deref(),
            None,
            None,
            None,
        ),
        AnnotationKind::Stance {
            target,
            polarity,
            holder,
        } => {
            let holder = holder.and_then(|h| holder_of(h.id())).map(|h| {
                let c = h.anchor().covering();
                HolderOut {
                    id: Some(h.id().0),
                    start: c.map(|c| c.start().0),
                    end: c.map(|c| c.end().0),
                    text: Some(h.text(text)),
                }
            });
            (
                "stance",
                STANCE_LABEL,
                None,
                Some(target.as_str()),
                Some(polarity.as_str()),
                holder,
            )
        }
    };
    SpanLine {
        doc: doc.id().as_str(),
        start: covering.map(|c| c.start().0),
        end: covering.map(|c| c.end().0),
        text: bytes.map(|(_, start, end, _)| match ann.spans() {
            // The one span is the covering span.
            [_] => std::borrow::Cow::Borrowed(within(start, end)),
            _ => std::borrow::Cow::Owned(ann.text(text)),
        }),
        kind,
        label,
        id: ann.id().0,
        fragments,
        canonical,
        target,
        polarity,
        holder,
        note: ann.note(),
        attributes: ann.attributes().as_map(),
        meta,
        context_left,
        context_right,
    }
}

/// One line as read; only what the import needs, the rest (meta, context) is ignored.
#[derive(Deserialize)]
struct SpanIn {
    doc: String,
    #[serde(default)]
    start: Option<usize>,
    #[serde(default)]
    end: Option<usize>,
    #[serde(default)]
    text: Option<String>,
    kind: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    fragments: Option<Vec<(usize, usize)>>,
    #[serde(default)]
    canonical: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    polarity: Option<String>,
    #[serde(default)]
    holder: Option<HolderOut>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
    /// A relation's first end.
    #[serde(default)]
    from: Option<RelationEnd>,
    /// A relation's second end.
    #[serde(default)]
    to: Option<RelationEnd>,
}

/// Attaches every line to its document in the project; entities first so holders exist.
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let records = read_records_reporting(b, path)?;
    let mut lines = Vec::new();
    let mut first_error = None;
    for r in records {
        let at = Location::line(path, r.line);
        match serde_json::from_value::<SpanIn>(Value::Object(r.object)) {
            Ok(line) => lines.push((at, line)),
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some((at.clone(), e.to_string()));
                }
                b.skip(&at, "not a spans line", Some(e.to_string()));
            }
        }
    }
    if lines.is_empty()
        && let Some((at, message)) = first_error
    {
        // Not one line has the spans shape: the file is of another format.
        return Err(FormatError::Invalid {
            at,
            message: format!("not a spans line ({message}); is this a spans export?"),
        });
    }
    // An id seen twice in one file makes holders ambiguous: the later lines are skipped.
    let mut seen_ids = std::collections::HashSet::new();
    lines.retain(|(at, line)| match line.id {
        Some(id) if !seen_ids.insert(id) => {
            b.skip(at, "duplicate id in this file", Some(id.to_string()));
            false
        }
        _ => true,
    });
    // Entities before stances, so a stance's holder has its new id; relations last.
    lines.sort_by_key(|(_, l)| match l.kind.as_str() {
        "entity" => 0,
        "relation" => 2,
        _ => 1,
    });
    let mut ids: HashMap<u64, AnnotationId> = HashMap::new();
    let total = lines.len().max(1) as f32;
    for (i, (at, line)) in lines.into_iter().enumerate() {
        if line.kind == "relation" {
            import_relation(b, &at, line, &ids);
            continue;
        }
        let old_id = line.id;
        if let Some(new_id) = import_line(b, &at, line, &ids)
            && let Some(old) = old_id
        {
            ids.insert(old, new_id);
        }
        progress((i + 1) as f32 / total);
    }
    Ok(())
}

/// Adds a relation line's relation: each end is the tag of this file with its id, else
/// the project's tag on exactly its offsets (and with its label, when given).
fn import_relation(b: &mut Builder, at: &Location, line: SpanIn, ids: &HashMap<u64, AnnotationId>) {
    let doc = DocId::from(line.doc.clone());
    let (Some(from), Some(to), Some(label)) = (&line.from, &line.to, &line.label) else {
        b.skip(at, "relation line without from, to and label", None);
        return;
    };
    let find = |end: &RelationEnd| -> Option<AnnotationId> {
        if let Some(id) = end.id.and_then(|old| ids.get(&old)) {
            return Some(*id);
        }
        b.project()
            .annotations_of(&doc)
            .into_iter()
            .find(|a| {
                a.anchor().covering().map(|c| (c.start().0, c.end().0)) == end.start.zip(end.end)
                    && end
                        .label
                        .as_deref()
                        .is_none_or(|l| a.label().unwrap_or(STANCE_LABEL) == l)
            })
            .map(Annotation::id)
    };
    match (find(from), find(to)) {
        (Some(from), Some(to)) => {
            b.add_relation(at, label, from, to);
        }
        _ => b.skip(
            at,
            "relation end not found (neither in this file nor in the project)",
            Some(label.clone()),
        ),
    }
}

fn import_line(
    b: &mut Builder,
    at: &Location,
    line: SpanIn,
    ids: &HashMap<u64, AnnotationId>,
) -> Option<AnnotationId> {
    let doc = DocId::from(line.doc.clone());
    if b.text_of(&doc).is_none() {
        b.skip(
            at,
            "unknown document (import its text first)",
            Some(line.doc),
        );
        return None;
    }
    let anchor = match anchor_of(b, &doc, &line) {
        Ok(anchor) => anchor,
        Err(reason) => {
            b.skip(at, "bad offsets", Some(reason));
            return None;
        }
    };
    if let (Anchor::Spans(spans), Some(want), Some(text)) = (&anchor, &line.text, b.text_of(&doc)) {
        let got: Vec<&str> = spans.iter().map(|s| s.text(text)).collect();
        let got = got.join(" ");
        if &got != want {
            b.skip(
                at,
                "text differs from the document's (was the document changed?)",
                Some(format!("expected «{want}», document has «{got}»")),
            );
            return None;
        }
    }
    let kind = match line.kind.as_str() {
        "entity" => AnnotationKind::Entity {
            label: line.label.unwrap_or_default().into(),
            canonical: line.canonical.map(crate::model::Name::from),
        },
        "stance" => {
            let holder = line
                .holder
                .as_ref()
                .and_then(|h| holder_of(b, at, &doc, h, ids));
            AnnotationKind::Stance {
                target: line.target.unwrap_or_default().into(),
                polarity: line.polarity.unwrap_or_default().into(),
                holder: holder.and_then(crate::model::HolderId::new),
            }
        }
        other => {
            b.skip(
                at,
                "unknown kind (expected entity, stance or relation)",
                Some(other.to_owned()),
            );
            return None;
        }
    };
    let attributes = line
        .attributes
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect();
    b.add_annotation(at, &doc, anchor, kind, line.note, attributes)
}

fn anchor_of(b: &Builder, doc: &DocId, line: &SpanIn) -> Result<Anchor, String> {
    if let Some(fragments) = &line.fragments {
        let spans = fragments
            .iter()
            .map(|&(s, e)| b.span(doc, s, e))
            .collect::<Result<Vec<Span>, String>>()?;
        return Anchor::spans(spans).ok_or_else(|| "empty fragment list".to_owned());
    }
    match (line.start, line.end) {
        (Some(s), Some(e)) => b.span(doc, s, e).map(Anchor::span),
        (None, None) if line.kind == "stance" => Ok(Anchor::Document),
        _ => Err("start and end must both be numbers (null only for document stances)".to_owned()),
    }
}

fn holder_of(
    b: &mut Builder,
    at: &Location,
    doc: &DocId,
    holder: &HolderOut,
    ids: &HashMap<u64, AnnotationId>,
) -> Option<AnnotationId> {
    if let Some(id) = holder.id.and_then(|old| ids.get(&old)) {
        return Some(*id);
    }
    // Not in this file: an entity of the project on exactly the holder's offsets.
    let found = b
        .project()
        .annotations_of(doc)
        .into_iter()
        .find(|a| {
            a.kind().is_entity()
                && a.anchor().covering().map(|c| (c.start().0, c.end().0))
                    == holder.start.zip(holder.end)
        })
        .map(Annotation::id);
    if found.is_none() {
        b.warn(
            at,
            "stance holder not found; stance imported without holder",
            holder.text.clone(),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::*;
    use crate::formats::{ExportFormat, ImportFormat};
    use crate::model::{Edit, apply};

    fn sample() -> Project {
        let mut p = project_from(&[
            (
                "a",
                "[Zuckerberg]PER 😀 zegt e\u{301}n keer [sorry]X tegen [de EU]ORG.\nRegel twee.",
            ),
            ("b", "Geen entiteiten hier."),
        ]);
        let holder = p.annotations_of(&DocId("a".into()))[0].id();
        let stance = add_stance(
            &mut p,
            "a",
            Some((16, 28)),
            "Facebook",
            "AGAINST",
            Some(holder),
        );
        change(&mut p, stance, |a| a.set_note(Some("ironisch".into())));
        add_stance(&mut p, "b", None, "EU", "FAVOR", None);
        let disc = add_entity(&mut p, "a", &[(0, 10), (35, 40)], "PER");
        change(&mut p, disc, |a| {
            a.insert_attribute("bron".into(), "krant".into());
        });
        p
    }

    #[test]
    fn a_line_is_written_as_serde_json_writes_it() {
        // Every kind of line the sample has (entities, one on two spans with an
        // attribute, stances with and without a holder, a note, a document stance)...
        let mut p = sample();
        // ... and strings that need escapes, around the 16-byte steps of the check.
        let tricky = [
            "",
            "plain",
            "0123456789abcde\"",
            "0123456789abcdef\\",
            "tab\there, nl\nthere, cr\r, \u{1}\u{1f}",
            "é ü 👍 \u{7f} \u{2028}",
            "0123456789abcdef0123456789abcde\u{8}",
        ];
        for (i, t) in tricky.iter().enumerate() {
            let doc = format!("d\"{i}\\");
            let text = if t.is_empty() { "x" } else { t };
            let added = Document::new(
                DocId(doc.as_str().into()),
                t.to_string(),
                BTreeMap::new(),
                text.to_owned(),
            );
            apply(&mut p, Edit::AddDocuments(vec![added])).expect("document");
            let stance = add_stance(&mut p, &doc, None, &format!("x{t}"), "FAVOR", None);
            change(&mut p, stance, |a| {
                a.set_note(Some((*t).into()));
                a.insert_attribute(t.to_string(), t.to_string());
            });
        }
        let mut lines = 0;
        for doc in p.documents() {
            let meta = serde_json::value::to_raw_value(&doc_meta(doc)).expect("meta");
            let mut walk = Walk::default();
            for ann in p.annotations_of(doc.id()) {
                let line = span_line(&|h| p.annotation(h), doc, ann, &meta, &mut walk);
                let mut ours = Vec::new();
                line.write_json(&mut ours).expect("written");
                let theirs = serde_json::to_vec(&line).expect("serde_json");
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
                lines += 1;
            }
        }
        assert!(lines > tricky.len() + 4, "{lines}");
        for s in tricky {
            let mut ours = Vec::new();
            json_string(&mut ours, s).expect("written");
            assert_eq!(ours, serde_json::to_vec(s).expect("serde_json"), "{s:?}");
        }
    }

    proptest::proptest! {
        /// Any string, and one escape or control character at any place around the
        /// eight-byte steps of the check, is written as `serde_json` writes it.
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(
            s in "\\PC{0,40}",
            at in 0usize..24,
            special in proptest::sample::select(vec!['"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '\u{7f}', 'é']),
        ) {
            let mut chars: Vec<char> = s.chars().collect();
            chars.insert(at.min(chars.len()), special);
            for s in [s, chars.into_iter().collect::<String>()] {
                let mut ours = Vec::new();
                json_string(&mut ours, &s).expect("written");
                proptest::prop_assert_eq!(ours, serde_json::to_vec(&s).expect("serde_json"));
            }
        }
    }

    /// `p` saved to a file in `dir`.
    fn saved(p: &Project, dir: &Path) -> std::path::PathBuf {
        let file = dir.join("p.ron");
        crate::io::project_file::save(p, &file).expect("save");
        file
    }

    #[test]
    fn exporting_while_loading_writes_what_loading_then_exporting_writes() {
        let generated = crate::corpus::generate::generate(&crate::corpus::generate::Spec {
            documents: 300,
            words_per_document: 40,
            spans_per_document: 6,
            seed: 5,
        });
        for p in [sample(), generated] {
            let dir = tempfile::tempdir().expect("dir");
            let (file, out) = (saved(&p, dir.path()), dir.path().join("out.jsonl"));
            let (loaded, report) = export_while_loading(&file, &out, &mut |_| {})
                .expect("read while exporting")
                .expect("exported");
            let streamed = std::fs::read(&out).expect("written");
            let plain = crate::io::project_file::load(&file).expect("load");
            let plain_report =
                crate::formats::export(&plain, ExportFormat::Spans, &out, &mut |_| {})
                    .expect("export");
            assert_eq!(streamed, std::fs::read(&out).expect("written"));
            assert_eq!((loaded, report), (plain, plain_report));
        }
    }

    #[test]
    fn exporting_while_loading_leaves_files_it_cannot_stream_to_the_plain_path() {
        let dir = tempfile::tempdir().expect("dir");
        let text = std::fs::read_to_string(saved(&sample(), dir.path())).expect("saved");
        // Documents out of id order stream: the project keeps the file's order.
        let out_of_order = dir.path().join("out-of-order.ron");
        std::fs::write(&out_of_order, text.replacen("id: \"a\"", "id: \"z\"", 1)).expect("write");
        let out = dir.path().join("out-of-order.jsonl");
        let (streamed, _) = export_while_loading(&out_of_order, &out, &mut |_| {})
            .expect("streams")
            .expect("exported");
        let plain = crate::io::project_file::load(&out_of_order).expect("load");
        assert_eq!(streamed, plain);
        let cases = [
            // A document id used twice: not a project at all.
            text.replacen("id: \"b\"", "id: \"a\"", 1),
            // A stance whose holder does not exist: not a project at all.
            text.replacen("holder: Some(", "holder: Some(99", 1),
        ];
        for case in cases {
            assert_ne!(case, text);
            let file = dir.path().join("case.ron");
            std::fs::write(&file, &case).expect("write");
            let out = dir.path().join("case.jsonl");
            assert!(export_while_loading(&file, &out, &mut |_| {}).is_none());
            assert!(!out.exists(), "nothing is left of a cancelled export");
        }
    }

    #[test]
    fn export_lines_follow_the_contract() {
        let p = sample();
        let (out, report) = export_str(&p, ExportFormat::Spans, "out.jsonl");
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(report.annotations, lines.len());
        let zuck = lines
            .iter()
            .find(|l| l["text"] == "Zuckerberg")
            .expect("zuck");
        assert_eq!(zuck["doc"], "a");
        assert_eq!(zuck["start"], 0);
        assert_eq!(zuck["end"], 10);
        assert_eq!(zuck["text"], "Zuckerberg");
        assert_eq!(zuck["kind"], "entity");
        assert_eq!(zuck["meta"]["title"], "Titel a");
        let sorry = lines.iter().find(|l| l["text"] == "sorry").expect("sorry");
        // "Zuckerberg 😀 zegt e\u{301}n keer " is 27 code points.
        assert_eq!(
            (sorry["start"].as_u64(), sorry["end"].as_u64()),
            (Some(27), Some(32))
        );
        assert_eq!(sorry["context_left"], "Zuckerberg 😀 zegt e\u{301}n keer ");
        let stance = lines
            .iter()
            .find(|l| l["kind"] == "stance" && l["doc"] == "a")
            .expect("stance");
        assert_eq!(stance["label"], "STANCE");
        assert_eq!(stance["holder"]["text"], "Zuckerberg");
        assert_eq!(stance["note"], "ironisch");
        let doc_stance = lines.iter().find(|l| l["doc"] == "b").expect("doc stance");
        assert!(
            doc_stance["start"].is_null()
                && doc_stance["end"].is_null()
                && doc_stance["text"].is_null()
        );
        let disc = lines
            .iter()
            .find(|l| l.get("fragments").is_some())
            .expect("fragments");
        assert_eq!(disc["fragments"], serde_json::json!([[0, 10], [35, 40]]));
        assert_eq!(disc["attributes"]["bron"], "krant");
    }

    /// Each line's text and contexts, walked to in reading order, are the characters
    /// `chars` gives, in a text mixing ASCII with two-, three- and four-byte characters,
    /// for spans overlapping, nested, at both ends and far apart.
    #[test]
    fn texts_and_contexts_are_the_characters_at_their_offsets() {
        let text = "Zuckerberg ‘zegt’ é😀n keer sorry tegen de EU. ".repeat(9);
        let mut p = project_from(&[("a", text.as_str())]);
        let len = text.chars().count();
        let spans = [
            (0, 10),
            (0, 3),
            (2, 40),
            (5, 6),
            (44, 47),
            (45, 90),
            (100, 101),
            (101, 150),
            (260, 300),
            (len - 41, len - 1),
            (len - 1, len),
        ];
        for span in spans {
            add_entity(&mut p, "a", &[span], "PER");
        }
        let (out, _) = export_str(&p, ExportFormat::Spans, "out.jsonl");
        let chars: Vec<char> = text.chars().collect();
        let cut = |from: usize, to: usize| -> String { chars[from..to.min(len)].iter().collect() };
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), spans.len());
        for line in &lines {
            let start = line["start"].as_u64().expect("start") as usize;
            let end = line["end"].as_u64().expect("end") as usize;
            assert_eq!(line["text"], cut(start, end), "{line}");
            assert_eq!(
                line["context_left"],
                cut(start.saturating_sub(40), start),
                "{line}"
            );
            assert_eq!(line["context_right"], cut(end, end + 40), "{line}");
        }
    }

    #[test]
    fn round_trip_into_the_same_documents_is_exact() {
        let p = sample();
        let (out, _) = export_str(&p, ExportFormat::Spans, "out.jsonl");
        let docs: Vec<Document> = p.documents().to_vec();
        let mut q = Project::new(schema(), docs).expect("project");
        let (edit, report) = import_str(&mut q, "out.jsonl", &out, None).expect("import");
        assert!(report.skipped.is_empty(), "{report}");
        apply(&mut q, edit).expect("apply");
        assert_eq!(describe(&q), describe(&p));
        let (again, _) = export_str(&q, ExportFormat::Spans, "again.jsonl");
        let strip_ids = |s: &str| -> Vec<Value> {
            s.lines()
                .map(|l| {
                    let mut v: Value = serde_json::from_str(l).expect("json");
                    v["id"] = Value::Null;
                    if let Some(h) = v.get_mut("holder") {
                        h["id"] = Value::Null;
                    }
                    v
                })
                .collect()
        };
        assert_eq!(strip_ids(&again), strip_ids(&out));
        // Importing the same again adds nothing: every line is a duplicate.
        let (edit, report) = import_str(&mut q, "out.jsonl", &out, None).expect("import");
        assert_eq!(edit, Edit::Batch(vec![]));
        assert_eq!(
            report.skipped_count("duplicate annotation (already present)"),
            6
        );
    }

    #[test]
    fn bad_lines_are_skipped_with_file_line_and_reason() {
        let mut p = project_from(&[("a", "Zuckerberg 😀 zegt sorry")]);
        let input = [
            r#"{"doc":"a","start":0,"end":10,"text":"Zuckerberg","kind":"entity","label":"PER","id":1}"#,
            r#"{"doc":"zz","start":0,"end":1,"text":"Z","kind":"entity","label":"PER","id":2}"#,
            r#"{"doc":"a","start":5,"end":2,"text":"x","kind":"entity","label":"PER","id":3}"#,
            r#"{"doc":"a","start":0,"end":99,"kind":"entity","label":"PER","id":4}"#,
            r#"{"doc":"a","start":"0","end":1,"kind":"entity","label":"PER"}"#,
            r#"{"doc":"a","start":0,"end":3,"text":"Zzz","kind":"entity","label":"PER"}"#,
            r#"{"doc":"a","start":0,"end":3,"kind":"relation","label":"PER"}"#,
            r#"{"doc":"a","start":11,"end":12,"text":"😀","kind":"entity","label":"EMO"}"#,
            r#"{"doc":"a","#,
            r#"{"doc":"a","start":0,"end":3,"kind":"mention","label":"PER"}"#,
        ]
        .join("\n");
        let (edit, report) =
            import_str(&mut p, "data.jsonl", &input, Some(ImportFormat::Spans)).expect("import");
        let reasons: Vec<String> = report
            .skipped
            .iter()
            .map(|s| format!("{}:{}", s.at.line.unwrap_or(0), s.reason))
            .collect();
        assert_eq!(
            reasons,
            vec![
                "9:unreadable line",
                "5:not a spans line",
                "2:unknown document (import its text first)",
                "3:bad offsets",
                "4:bad offsets",
                "6:text differs from the document's (was the document changed?)",
                "10:unknown kind (expected entity, stance or relation)",
                "7:relation line without from, to and label",
            ]
        );
        assert_eq!(report.annotations.get("EMO"), Some(&1));
        apply(&mut p, edit).expect("apply");
        assert_eq!(
            describe(&p),
            vec!["a 0..10 PER «Zuckerberg»", "a 11..12 EMO «😀»"]
        );
        assert!(p.schema().entity_type("EMO").is_some());
        let shown = report.to_string();
        assert!(shown.contains("data.jsonl:2 (zz)"), "{shown}");
    }
}
