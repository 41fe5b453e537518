//! Encodings and line ends: every fixture in `tests/fixtures/encodings/` holds the same kind
//! of news sentence in one encoding (UTF-8 with and without BOM, UTF-16 LE and BE with BOM,
//! windows-1252, latin-1) or with one kind of line end (CRLF, CR). Each is read by the corpus
//! loader, the text importer and the brat importer (whose `.ann` offsets count the text as
//! stored: CRs, and a UTF-8 BOM); each must give the right text (LF line ends, no BOM) and
//! spans on the right words, in code points.

use spantag::formats::{self, ImportFormat};
use spantag::io::{corpus, project_file};
use spantag::model::{DocId, Project, apply};
use std::path::{Path, PathBuf};

const UNICODE: &str =
    "Café “Zuckerberg” 😀 zegt e\u{301}n keer sorry.\nRegel twee: België is naïef.\n";
const WINDOWS_1252: &str = "Café “Zuckerberg” zegt één keer sorry.\nRegel twee: België is naïef.\n";
const LATIN_1: &str =
    "Café «Zuckerberg» zegt één keer sorry.\nRegel twee: België is naïef, ½ × ß.\n";

/// (fixture stem, the text it must read as).
const CASES: [(&str, &str); 8] = [
    ("utf8", UNICODE),
    ("utf8-bom", UNICODE),
    ("utf16le-bom", UNICODE),
    ("utf16be-bom", UNICODE),
    ("windows-1252", WINDOWS_1252),
    ("latin-1", LATIN_1),
    ("crlf", UNICODE),
    ("cr", UNICODE),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/encodings")
        .join(name)
}

fn empty_project() -> Project {
    Project::new(project_file::default_schema(), Vec::new()).expect("project")
}

/// Imports `path` into an empty project and applies it.
fn import(path: &Path, format: ImportFormat) -> Project {
    let mut p = empty_project();
    let (edit, report) = formats::import(&mut p, path, Some(format), &mut |_| {}).expect("imports");
    assert!(
        report.skipped.is_empty() && report.warnings.is_empty(),
        "{}: {report}",
        path.display()
    );
    apply(&mut p, edit).expect("applies");
    p
}

/// The spans of a project as `start..end LABEL «text»`, in reading order.
fn spans(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for doc in p.documents() {
        for a in p.annotations_of(doc.id()) {
            let s = a.spans()[0];
            out.push(format!(
                "{}..{} {} «{}»",
                s.start(),
                s.end(),
                a.label().unwrap_or("-"),
                a.text(doc.text())
            ));
        }
    }
    out
}

/// Code-point offsets of `word` in `text`.
fn offsets(text: &str, word: &str) -> (usize, usize) {
    let byte = text.find(word).expect("word in text");
    let start = text[..byte].chars().count();
    (start, start + word.chars().count())
}

#[test]
fn the_corpus_loader_reads_every_encoding_and_line_end() {
    for (name, want) in CASES {
        let doc = corpus::read_document(&fixture(&format!("{name}.txt")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.text().as_str(), want, "{name}");
        assert_eq!(doc.id().as_str(), name);
    }
}

#[test]
fn the_text_importer_reads_every_encoding_and_line_end() {
    for (name, want) in CASES {
        let p = import(&fixture(&format!("{name}.txt")), ImportFormat::Text);
        let doc = p.document(&DocId(name.into())).expect(name);
        assert_eq!(doc.text().as_str(), want, "{name}");
    }
}

#[test]
fn brat_offsets_counted_in_the_stored_text_land_on_the_right_words() {
    for (name, want) in CASES {
        let p = import(&fixture(&format!("{name}.ann")), ImportFormat::Brat);
        let doc = p.document(&DocId(name.into())).expect(name);
        assert_eq!(doc.text().as_str(), want, "{name}");
        let (zs, ze) = offsets(want, "Zuckerberg");
        let (bs, be) = offsets(want, "België");
        assert_eq!(
            spans(&p),
            [
                format!("{zs}..{ze} PER «Zuckerberg»"),
                format!("{bs}..{be} LOC «België»")
            ],
            "{name}"
        );
    }
}

#[test]
fn a_utf16_doccano_file_with_crlf_in_its_text() {
    let p = import(&fixture("doccano-utf16le.jsonl"), ImportFormat::Doccano);
    let doc = p.document(&DocId("d16".into())).expect("d16");
    assert_eq!(doc.text().as_str(), "Café “Zuckerberg” 😀\nBelgië");
    // doccano counts the CR; the text has none, so België moves one code point left.
    assert_eq!(spans(&p), ["6..16 PER «Zuckerberg»", "20..26 LOC «België»"]);
}

#[test]
fn a_windows_1252_conll_file_with_mixed_line_ends() {
    let p = import(&fixture("conll-windows-1252.conll"), ImportFormat::Conll);
    let doc = p
        .document(&DocId("conll-windows-1252".into()))
        .expect("doc");
    assert_eq!(doc.text().as_str(), "Café “Zuckerberg” België\nnaïef");
    assert_eq!(
        spans(&p),
        ["5..17 PER «“Zuckerberg”»", "18..24 LOC «België»"]
    );
}
