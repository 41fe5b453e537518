//! Property tests: export → import round trips on generated projects.
//!
//! Generated documents mix ASCII words with accents (precomposed and combining), emoji and
//! line breaks; spans run from the start of one word to the end of a later one, so they
//! never split a character. Each property exports with the real exporter, imports with the
//! real importer and compares what the format can hold:
//! - spans JSONL (into the same documents): every annotation, stances, holders included;
//! - brat (into an empty project): documents' text, entities, stances and holders;
//! - doccano (into an empty project): documents' id and text, and every entity fragment.

use proptest::prelude::*;
use spantag::formats::{self, ExportFormat, ImportFormat};
use spantag::io::project_file;
use spantag::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Edit, Project, Span, apply,
};
use std::collections::BTreeSet;
use std::path::Path;

const WORDS: [&str; 10] = [
    "Zuckerberg",
    "zegt",
    "e\u{301}n",
    "😀",
    "café",
    "EU",
    "sorry.",
    "Cambridge",
    "naïef,",
    "\n",
];
const LABELS: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
const POLARITIES: [&str; 3] = ["FAVOR", "AGAINST", "NEUTRAL"];
const TARGETS: [&str; 2] = ["EU", "Facebook"];

/// A generated annotation: word range (or none for a document stance) and kind.
#[derive(Clone, Debug)]
enum GenAnn {
    Entity {
        from: usize,
        to: usize,
        label: usize,
    },
    Stance {
        words: Option<(usize, usize)>,
        target: usize,
        polarity: usize,
        holder: Option<usize>,
    },
}

/// A generated document: word indices and annotations.
#[derive(Clone, Debug)]
struct GenDoc {
    words: Vec<usize>,
    anns: Vec<GenAnn>,
}

fn gen_doc() -> impl Strategy<Value = GenDoc> {
    prop::collection::vec(0..WORDS.len(), 1..25).prop_flat_map(|words| {
        let n = words.len();
        let entity = (0..n, 0..n, 0..LABELS.len()).prop_map(|(a, b, label)| GenAnn::Entity {
            from: a.min(b),
            to: a.max(b),
            label,
        });
        let stance = (
            prop::option::of((0..n, 0..n)),
            0..TARGETS.len(),
            0..POLARITIES.len(),
            prop::option::of(0..8usize),
        )
            .prop_map(|(words, target, polarity, holder)| GenAnn::Stance {
                words: words.map(|(a, b)| (a.min(b), a.max(b))),
                target,
                polarity,
                holder,
            });
        let anns = prop::collection::vec(prop_oneof![3 => entity, 1 => stance], 0..8);
        (Just(words), anns).prop_map(|(words, anns)| GenDoc { words, anns })
    })
}

/// Builds the project: document `dN` per generated document. Annotations that would repeat
/// one already there are left out (imports fold exact duplicates into one).
fn build(docs: &[GenDoc], with_stances: bool) -> Project {
    let documents: Vec<Document> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let text: Vec<&str> = d.words.iter().map(|w| WORDS[*w]).collect();
            Document::from_raw(DocId::from(format!("d{i}")), &text.join(" "))
        })
        .collect();
    let mut p = Project::new(project_file::default_schema(), documents.clone()).expect("project");
    for (doc, g) in documents.iter().zip(docs) {
        // Code-point range of every word.
        let mut ranges = Vec::new();
        let mut at = 0;
        for w in &g.words {
            let len = WORDS[*w].chars().count();
            ranges.push((at, at + len));
            at += len + 1;
        }
        let span = |from: usize, to: usize| {
            Span::new(ranges[from].0, ranges[to].1, doc.text()).expect("span")
        };
        let mut entities: Vec<AnnotationId> = Vec::new();
        let mut seen = BTreeSet::new();
        for a in &g.anns {
            let (anchor, kind) = match a {
                GenAnn::Entity { from, to, label } => (
                    Anchor::span(span(*from, *to)),
                    AnnotationKind::Entity {
                        label: LABELS[*label].into(),
                        canonical: None,
                    },
                ),
                GenAnn::Stance { .. } if !with_stances => continue,
                GenAnn::Stance {
                    words,
                    target,
                    polarity,
                    holder,
                } => (
                    words.map_or(Anchor::Document, |(f, t)| Anchor::span(span(f, t))),
                    AnnotationKind::Stance {
                        target: TARGETS[*target].into(),
                        polarity: POLARITIES[*polarity].into(),
                        holder: holder
                            .and_then(|h| entities.get(h % entities.len().max(1)).copied())
                            .and_then(spantag::model::HolderId::new),
                    },
                ),
            };
            if !seen.insert(format!("{anchor:?} {kind:?}")) {
                continue;
            }
            let id = p.allocate_id_for(doc.id(), &anchor, &kind);
            let is_entity = kind.is_entity();
            let ann = Annotation::new(id, anchor, kind).expect("annotation");
            apply(&mut p, Edit::AddAnnotation(doc.id().clone(), ann)).expect("add");
            if is_entity {
                entities.push(id);
            }
        }
    }
    p
}

/// Every annotation as text without ids: document, spans, kind, and a holder by its spans.
fn describe(p: &Project) -> Vec<String> {
    let spans = |a: &Annotation| -> String {
        match a.anchor() {
            Anchor::Document => "document".into(),
            Anchor::Spans(s) => s
                .iter()
                .map(|s| format!("{}..{}", s.start(), s.end()))
                .collect::<Vec<_>>()
                .join(";"),
        }
    };
    let mut out: Vec<String> = p
        .annotations_with_documents()
        .map(|(d, a)| match a.kind() {
            AnnotationKind::Entity { label, .. } => format!("{} {} {label}", d.id(), spans(a)),
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => {
                let holder = holder.and_then(|h| p.annotation(h.id())).map(spans);
                format!(
                    "{} {} stance {target} {polarity} held by {holder:?}",
                    d.id(),
                    spans(a)
                )
            }
        })
        .collect();
    out.sort();
    out
}

/// Documents as (id, text).
fn texts(p: &Project) -> Vec<(String, String)> {
    p.documents()
        .iter()
        .map(|d| (d.id().as_str().to_owned(), d.text().as_str().to_owned()))
        .collect()
}

/// Exports `p` to `out` and imports it into `into`, applying the edit.
fn round_trip(
    p: &Project,
    format: ExportFormat,
    back: ImportFormat,
    into: &mut Project,
    out: &Path,
) {
    formats::export(p, format, out, &mut |_| {}).expect("export");
    let (edit, report) = formats::import(into, out, Some(back), &mut |_| {}).expect("import");
    assert!(report.skipped.is_empty(), "{report}");
    apply(into, edit).expect("apply");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn spans_export_then_import_gives_back_every_annotation(docs in prop::collection::vec(gen_doc(), 1..4)) {
        let p = build(&docs, true);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut q = Project::new(project_file::default_schema(), p.documents().to_vec()).expect("q");
        let out = dir.path().join("s.jsonl");
        if p.annotations().is_empty() {
            // No annotation, no line: an empty file, which an import refuses as such.
            formats::export(&p, ExportFormat::Spans, &out, &mut |_| {}).expect("export");
            let err = formats::import(&mut q, &out, Some(ImportFormat::Spans), &mut |_| {});
            prop_assert!(err.is_err_and(|e| e.to_string().contains("the file is empty")));
            return Ok(());
        }
        round_trip(&p, ExportFormat::Spans, ImportFormat::Spans, &mut q, &out);
        prop_assert_eq!(describe(&q), describe(&p));
    }

    #[test]
    fn brat_export_then_import_gives_back_texts_entities_and_stances(docs in prop::collection::vec(gen_doc(), 1..4)) {
        let p = build(&docs, true);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut q = Project::new(project_file::default_schema(), Vec::new()).expect("q");
        round_trip(&p, ExportFormat::Brat, ImportFormat::Brat, &mut q, &dir.path().join("brat"));
        prop_assert_eq!(texts(&q), texts(&p));
        prop_assert_eq!(describe(&q), describe(&p));
    }

    #[test]
    fn doccano_export_then_import_gives_back_texts_and_entities(docs in prop::collection::vec(gen_doc(), 1..4)) {
        let p = build(&docs, false);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut q = Project::new(project_file::default_schema(), Vec::new()).expect("q");
        round_trip(&p, ExportFormat::Doccano, ImportFormat::Doccano, &mut q, &dir.path().join("d.jsonl"));
        prop_assert_eq!(texts(&q), texts(&p));
        prop_assert_eq!(describe(&q), describe(&p));
    }

    #[test]
    fn save_then_load_gives_back_the_project(docs in prop::collection::vec(gen_doc(), 1..4)) {
        let p = build(&docs, true);
        let text = project_file::to_ron(&p);
        let loaded = project_file::from_ron(&text, Path::new("p.ron")).expect("loads");
        prop_assert_eq!(project_file::to_ron(&loaded), text);
        prop_assert!(loaded == p);
    }
}
