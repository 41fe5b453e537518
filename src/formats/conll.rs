//! CoNLL: `token<TAB>tag`, one token a line, blank line between sentences, `-DOCSTART-`
//! between documents.
//!
//! Export writes IOB2 over Unicode word/punctuation tokens (see `tokens.rs`); CoNLL holds no
//! overlaps (the longest span wins, the rest are counted) and no stances (counted).
//! Import reads 2..N whitespace-separated columns (token first, tag last) in IOB1, IOB2,
//! BIOES or BILOU, UTF-8 or latin-1, and rebuilds the text from the tokens: one space
//! between tokens, one line a sentence. Those documents carry `tokenization: whitespace`
//! so a later export gives back exactly the same tokens.

use super::builder::Builder;
use super::error::{FormatError, Location};
use super::report::ExportReport;
use super::text::{read_text_file, stem_id};
use super::tokens::{TOKENIZATION_KEY, WHITESPACE, sentences};
use super::write::{io_err, write_file};
use crate::model::{Anchor, AnnotationKind, DocId, Document, Project, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

/// The document separator line's first column.
const DOCSTART: &str = "-DOCSTART-";

/// The part of a tag before the label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    Begin,
    Inside,
    End,
    Single,
}

/// A parsed tag: `None` is `O`.
type Tag<'a> = Option<(Prefix, &'a str)>;

/// Parses `O`, `B-X`, `I-X`, `E-X`/`L-X`, `S-X`/`U-X`; `None` when it is not a tag.
fn parse_tag(tag: &str) -> Option<Tag<'_>> {
    if tag == "O" {
        return Some(None);
    }
    let (prefix, label) = tag.split_once('-')?;
    let prefix = match prefix {
        "B" => Prefix::Begin,
        "I" => Prefix::Inside,
        "E" | "L" => Prefix::End,
        "S" | "U" => Prefix::Single,
        _ => return None,
    };
    (!label.is_empty()).then_some(Some((prefix, label)))
}

/// Whether `tag` reads as a CoNLL tag (for format detection).
pub fn is_tag(tag: &str) -> bool {
    parse_tag(tag).is_some()
}

/// One document being read: text so far, its length in code points, entities.
#[derive(Default)]
struct DocBuild {
    text: String,
    len: usize,
    /// (start, end, label, line of the first token).
    entities: Vec<(usize, usize, String, usize)>,
    /// Open chunk: (start, end so far, label, line).
    open: Option<(usize, usize, String, usize)>,
    /// Whether the current sentence has a token yet.
    in_sentence: bool,
    tokens: usize,
}

impl DocBuild {
    fn close(&mut self) {
        if let Some(chunk) = self.open.take() {
            self.entities.push(chunk);
        }
    }

    fn end_sentence(&mut self) {
        self.close();
        self.in_sentence = false;
    }

    fn push(&mut self, token: &str, tag: Tag<'_>, line: usize) {
        if self.in_sentence {
            self.text.push(' ');
            self.len += 1;
        } else if self.tokens > 0 {
            self.text.push('\n');
            self.len += 1;
        }
        self.in_sentence = true;
        self.tokens += 1;
        let start = self.len;
        self.text.push_str(token);
        self.len += token.chars().count();
        let end = self.len;
        let Some((prefix, label)) = tag else {
            self.close();
            return;
        };
        let continues = matches!(prefix, Prefix::Inside | Prefix::End)
            && self.open.as_ref().is_some_and(|(_, _, l, _)| l == label);
        if continues {
            if let Some(open) = &mut self.open {
                open.1 = end;
            }
        } else {
            self.close();
            self.open = Some((start, end, label.to_owned(), line));
        }
        if matches!(prefix, Prefix::End | Prefix::Single) {
            self.close();
        }
    }
}

/// Imports a CoNLL file: one document, or one per `-DOCSTART-` (`<stem>-1`, `<stem>-2` …).
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    if path.is_dir() {
        return Err(FormatError::invalid(
            path,
            None,
            "CoNLL import reads one file, not a folder",
        ));
    }
    let content = read_text_file(path)?;
    let mut docs: Vec<DocBuild> = vec![DocBuild::default()];
    let mut saw_docstart = false;
    // Lines whose last column is a tag: none at all means this is not CoNLL.
    let mut tagged_lines = 0;
    let total_lines = content.lines().count().max(1) as f32;
    for (i, raw_line) in content.lines().enumerate() {
        let line_no = i + 1;
        let at = || Location::line(path, line_no);
        let cols: Vec<&str> = raw_line.split_whitespace().collect();
        let (Some(first), Some(last)) = (cols.first(), cols.last()) else {
            if let Some(doc) = docs.last_mut() {
                doc.end_sentence();
            }
            continue;
        };
        if *first == DOCSTART {
            saw_docstart = true;
            if let Some(doc) = docs.last_mut() {
                doc.end_sentence();
            }
            docs.push(DocBuild::default());
            continue;
        }
        let tag = if cols.len() < 2 {
            b.warn(
                &at(),
                "line without a tag column; token read as O",
                Some((*first).to_owned()),
            );
            None
        } else {
            match parse_tag(last) {
                Some(tag) => {
                    tagged_lines += 1;
                    tag
                }
                None if first.starts_with('#') => {
                    b.skip(&at(), "comment line", None);
                    continue;
                }
                None => {
                    b.warn(
                        &at(),
                        "unknown tag; token read as O",
                        Some((*last).to_owned()),
                    );
                    None
                }
            }
        };
        if let Some(doc) = docs.last_mut() {
            doc.push(first, tag, line_no);
        }
        if line_no % 10_000 == 0 {
            progress(line_no as f32 / total_lines * 0.9);
        }
    }
    if tagged_lines == 0 && docs.iter().any(|d| d.tokens > 0) {
        return Err(FormatError::invalid(
            path,
            None,
            "no line ends in a CoNLL tag (O, B-X, I-X …); is this a CoNLL file?",
        ));
    }
    let stem = stem_id(path);
    let mut n = 0;
    for mut doc in docs {
        doc.close();
        if doc.tokens == 0 {
            continue;
        }
        n += 1;
        let id = if saw_docstart {
            DocId::from(format!("{}-{n}", stem.0))
        } else {
            stem.clone()
        };
        let mut meta = BTreeMap::new();
        meta.insert(TOKENIZATION_KEY.to_owned(), WHITESPACE.to_owned());
        let title = Document::title_for(&doc.text, id.as_str());
        let id = b.add_document(Document::new(id, title, meta, doc.text));
        for (start, end, label, line) in doc.entities {
            let at = Location::line(path, line);
            match b.span(&id, start, end) {
                Ok(span) => {
                    let kind = AnnotationKind::Entity {
                        label: label.into(),
                        canonical: None,
                    };
                    b.add_annotation(&at, &id, Anchor::span(span), kind, None, BTreeMap::new());
                }
                Err(reason) => b.skip(&at, "bad chunk", Some(reason)),
            }
        }
    }
    if n == 0 {
        return Err(FormatError::invalid(path, None, "no tokens found"));
    }
    Ok(())
}

/// Picks non-overlapping spans, longest first (then earliest): (chosen by start, left out).
fn choose(mut spans: Vec<(Span, String)>) -> (BTreeMap<usize, (usize, String)>, usize) {
    spans.sort_by_key(|(s, _)| (std::cmp::Reverse(s.len()), s.start(), s.end()));
    let mut chosen: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    let mut left_out = 0;
    for (span, label) in spans {
        let (start, end) = (span.start().0, span.end().0);
        let before = chosen.range(..end).next_back();
        if before.is_some_and(|(_, (e, _))| *e > start) {
            left_out += 1;
        } else {
            chosen.insert(start, (end, label));
        }
    }
    (chosen, left_out)
}

/// A label as one CoNLL column: whitespace becomes `_`.
fn column(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// Writes the CoNLL file.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let mut counts = Counts::default();
    write_file(out, |w: &mut dyn Write| {
        let total = project.documents().len().max(1) as f32;
        for (i, doc) in project.documents().iter().enumerate() {
            if i > 0 {
                writeln!(w, "{DOCSTART}\tO\n").map_err(io_err(out))?;
            }
            write_doc(project, doc, w, &mut counts).map_err(io_err(out))?;
            progress((i + 1) as f32 / total);
        }
        Ok(())
    })?;
    report.documents = project.documents().len();
    report.annotations = counts.chunks;
    report.leave_out(
        counts.overlapping,
        "overlapping spans",
        "left out (longest span wins)",
    );
    report.leave_out(
        counts.stances,
        "stances",
        "left out (CoNLL holds entities only)",
    );
    report.leave_out(
        counts.fragmented,
        "discontinuous entities",
        "written as one chunk per fragment",
    );
    report.leave_out(
        counts.tokenless,
        "spans over whitespace only",
        "left out (no token to tag)",
    );
    report.leave_out(
        counts.split,
        "spans broken by a token they do not cover",
        "written as one chunk per piece",
    );
    report.leave_out(
        counts.details,
        "canonical names, notes and attributes",
        "left out (CoNLL has a tag column only)",
    );
    report.leave_out(
        project.relations().len(),
        "relations",
        "left out (CoNLL has no relations)",
    );
    Ok(())
}

#[derive(Default)]
struct Counts {
    chunks: usize,
    overlapping: usize,
    stances: usize,
    fragmented: usize,
    tokenless: usize,
    split: usize,
    details: usize,
}

fn write_doc(
    project: &Project,
    doc: &Document,
    w: &mut dyn Write,
    counts: &mut Counts,
) -> std::io::Result<()> {
    let mut candidates = Vec::new();
    for ann in project.annotations_of(doc.id()) {
        match ann.kind() {
            AnnotationKind::Entity { label, canonical } => {
                counts.fragmented += usize::from(ann.spans().len() > 1);
                counts.details += usize::from(
                    canonical.is_some() || ann.note().is_some() || !ann.attributes().is_empty(),
                );
                candidates.extend(ann.spans().iter().map(|s| (*s, column(label))));
            }
            AnnotationKind::Stance { .. } => counts.stances += 1,
        }
    }
    let (chosen, overlapping) = choose(candidates);
    counts.overlapping += overlapping;
    let cuts: BTreeSet<usize> = chosen.iter().flat_map(|(s, (e, _))| [*s, *e]).collect();
    let mut tagged: BTreeSet<usize> = BTreeSet::new();
    // A sentence break inside a chosen span (e.g. after "J." in "J. K. Rowling") is not
    // written, so the chunk stays whole.
    let mut current: Option<usize> = None;
    let mut pending_break = false;
    for sentence in sentences(doc, &cuts) {
        for token in sentence {
            let span = chosen
                .range(..=token.start)
                .next_back()
                .filter(|(_, (end, _))| *end > token.start);
            if pending_break {
                pending_break = false;
                if span.map(|(start, _)| *start) != current || current.is_none() {
                    writeln!(w)?;
                    current = None;
                }
            }
            let tag = match span {
                Some((start, (_, label))) => {
                    let prefix = if current == Some(*start) { "I" } else { "B" };
                    if prefix == "B" {
                        counts.chunks += 1;
                        if !tagged.insert(*start) {
                            counts.split += 1;
                        }
                    }
                    current = Some(*start);
                    format!("{prefix}-{label}")
                }
                None => {
                    current = None;
                    "O".to_owned()
                }
            };
            writeln!(w, "{}\t{tag}", token.text)?;
        }
        pending_break = true;
    }
    if pending_break {
        writeln!(w)?;
    }
    counts.tokenless += chosen.len() - tagged.len();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::*;
    use crate::formats::{ExportFormat, ImportFormat};
    use crate::model::apply;

    fn tags(conll: &str) -> Vec<String> {
        conll.lines().map(|l| l.replace('\t', " ")).collect()
    }

    #[test]
    fn export_is_iob2_and_reports_what_it_leaves_out() {
        let mut p = project_from(&[
            (
                "a",
                "[[Mark]PER Zuckerberg]PER zegt: 😀 [e\u{301}n]X [Face]ORGbook.\nNee.",
            ),
            ("b", "[Den Haag]LOC"),
        ]);
        add_stance(&mut p, "a", None, "EU", "AGAINST", None);
        let (out, report) = export_str(&p, ExportFormat::Conll, "out.conll");
        assert_eq!(
            tags(&out),
            [
                "Mark B-PER",
                "Zuckerberg I-PER",
                "zegt O",
                ": O",
                "😀 O",
                "e\u{301}n B-X",
                "Face B-ORG",
                "book O",
                ". O",
                "",
                "Nee O",
                ". O",
                "",
                "-DOCSTART- O",
                "",
                "Den B-LOC",
                "Haag I-LOC",
                "",
            ]
        );
        assert_eq!(report.left_out_count("overlapping spans"), 1);
        assert_eq!(report.left_out_count("stances"), 1);
        assert_eq!(report.annotations, 4);
        assert!(
            report
                .to_string()
                .contains("CoNLL: 1 overlapping spans left out (longest span wins)")
        );
    }

    #[test]
    fn a_sentence_break_inside_a_span_is_not_written() {
        let p = project_from(&[("a", "Ik las [J. K. Rowling]PER gisteren. Mooi.")]);
        let (out, report) = export_str(&p, ExportFormat::Conll, "out.conll");
        assert_eq!(
            tags(&out),
            [
                "Ik O",
                "las O",
                "J B-PER",
                ". I-PER",
                "K I-PER",
                ". I-PER",
                "Rowling I-PER",
                "gisteren O",
                ". O",
                "",
                "Mooi O",
                ". O",
                "",
            ]
        );
        assert!(report.left_out.is_empty(), "{report}");
    }

    #[test]
    fn import_reads_every_tag_scheme_into_the_same_entities() {
        let cases = [
            (
                "iob2",
                "EU B-ORG\nrejects O\nGerman B-MISC\nPeter B-PER\nBlackburn I-PER\nJan B-PER\n",
            ),
            (
                "iob1",
                "EU I-ORG\nrejects O\nGerman I-MISC\nPeter I-PER\nBlackburn I-PER\nJan B-PER\n",
            ),
            (
                "bioes",
                "EU S-ORG\nrejects O\nGerman S-MISC\nPeter B-PER\nBlackburn E-PER\nJan S-PER\n",
            ),
            (
                "bilou",
                "EU\tx\tU-ORG\nrejects\tx\tO\nGerman\tx\tU-MISC\nPeter\tx\tB-PER\nBlackburn\tx\tL-PER\nJan\tx\tU-PER\n",
            ),
        ];
        for (name, input) in cases {
            let mut p = empty_project();
            let (edit, report) =
                import_str(&mut p, &format!("{name}.conll"), input, None).expect(name);
            assert!(
                report.skipped.is_empty() && report.warnings.is_empty(),
                "{report}"
            );
            apply(&mut p, edit).expect("apply");
            assert_eq!(
                describe(&p),
                [
                    format!("{name} 0..2 ORG «EU»"),
                    format!("{name} 11..17 MISC «German»"),
                    format!("{name} 18..33 PER «Peter Blackburn»"),
                    format!("{name} 34..37 PER «Jan»"),
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn documents_sentences_latin1_crlf_and_bad_tags() {
        let input = b"-DOCSTART- -X- O\r\n\r\nItali\xeb B-LOC\r\nwint O\r\n\r\n\xe9\xe9n Q-X\r\nzin\r\n-DOCSTART- O\r\nDen B-LOC\r\nHaag I-LOC\r\n";
        let mut p = empty_project();
        let (edit, report) =
            import_bytes(&mut p, "kb.conll", input, Some(ImportFormat::Conll)).expect("import");
        assert_eq!(report.documents_added, 2);
        assert_eq!(report.warning_count("unknown tag; token read as O"), 1);
        assert_eq!(
            report.warning_count("line without a tag column; token read as O"),
            1
        );
        assert!(report.to_string().contains("kb.conll:6 (Q-X)"), "{report}");
        apply(&mut p, edit).expect("apply");
        let doc = p.document(&DocId("kb-1".into())).expect("kb-1");
        assert_eq!(doc.text().as_str(), "Italië wint\néén zin");
        assert_eq!(
            describe(&p),
            ["kb-1 0..6 LOC «Italië»", "kb-2 0..8 LOC «Den Haag»"]
        );
        // Round trip: the same tokens and (IOB2) tags come back.
        let (out, _) = export_str(&p, ExportFormat::Conll, "out.conll");
        assert_eq!(
            tags(&out),
            [
                "Italië B-LOC",
                "wint O",
                "",
                "één O",
                "zin O",
                "",
                "-DOCSTART- O",
                "",
                "Den B-LOC",
                "Haag I-LOC",
                ""
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error_or_a_warning_never_a_panic() {
        let mut p = empty_project();
        let err =
            import_str(&mut p, "leeg.conll", "\n\n-DOCSTART- O\n", None).expect_err("no tokens");
        assert!(
            err.to_string().ends_with("leeg.conll: no tokens found"),
            "{err}"
        );
        let err = import_str(&mut p, "j.conll", "{\"text\": \"EU\"}\n", None).expect_err("JSON");
        assert!(err.to_string().contains("is this a CoNLL file?"), "{err}");
        let (_, report) =
            import_str(&mut p, "x.conll", "a I-\nb B-\n# c d\nEU B-ORG\n", None).expect("import");
        assert_eq!(report.warning_count("unknown tag; token read as O"), 2);
        assert_eq!(report.skipped_count("comment line"), 1);
    }
}
