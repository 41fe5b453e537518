//! Bad input to every reader: the project file (RON), text, brat, CoNLL, doccano, Prodigy
//! and spans. Each case either refuses the whole input — exit 1, one line naming the file
//! (and line where known), the open project byte for byte untouched — or, for an import
//! with some good content, keeps the rest and reports what was skipped with file and line.
//!
//! Offsets are in code points. The base project has one document `a`:
//! `Mark Zuckerberg 😀 zegt e\u{301}n keer sorry.\nDe EU is boos.` — "Mark Zuckerberg" is
//! 0..15, "e\u{301}n" is 23..26 (offset 24 lies between the `e` and its accent), "EU" 42..44.

#[path = "common/cli.rs"]
mod cli;
use cli::{spantag, stderr};

use spantag::io::project_file;
use spantag::model::{DocId, Document, Project};
use std::path::{Path, PathBuf};
use std::process::Output;

const TEXT: &str = "Mark Zuckerberg 😀 zegt e\u{301}n keer sorry.\nDe EU is boos.";
/// 50 MB, the size of the "huge line" cases.
const HUGE: usize = 50 << 20;

/// A temporary folder with the base project `p.ron` in it.
struct Setup {
    dir: tempfile::TempDir,
    project: PathBuf,
    before: Vec<u8>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p.ron");
    let doc = Document::from_raw(DocId("a".into()), TEXT);
    let p = Project::new(project_file::default_schema(), vec![doc]).expect("project");
    project_file::save(&p, &project).expect("save");
    let before = std::fs::read(&project).expect("read");
    Setup {
        dir,
        project,
        before,
    }
}

impl Setup {
    /// Writes a file (creating folders) and returns its path.
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// `spantag import INPUT --format FORMAT -o p.ron`.
    fn import(&self, input: &Path, format: &str) -> Output {
        spantag(&[
            "import".as_ref(),
            input.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "-o".as_ref(),
            self.project.as_os_str(),
        ])
    }

    /// The whole input was refused: exit 1, one line with every `want`, project untouched.
    fn refused(&self, out: &Output, want: &[&str]) {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(1), "exit 1 expected: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        for w in want {
            assert!(err.contains(w), "wanted '{w}' in: {err}");
        }
        assert_eq!(
            std::fs::read(&self.project).expect("project"),
            self.before,
            "the project is untouched"
        );
        assert!(
            !project_file_backup(&self.project).exists(),
            "nothing was saved"
        );
    }

    /// The import went through: exit 0, the report names every `want` (file:line and
    /// reason), and the project loads with `annotations` annotations in all.
    fn kept(&self, out: &Output, want: &[&str], annotations: usize) -> Project {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(0), "exit 0 expected: {err}");
        for w in want {
            assert!(err.contains(w), "wanted '{w}' in the report: {err}");
        }
        let p = project_file::load(&self.project).expect("the saved project loads");
        assert_eq!(
            p.annotations().len(),
            annotations,
            "annotations kept: {err}"
        );
        p
    }

    /// A brat folder `name/` with `a.txt` = TEXT and `a.ann` = `ann`.
    fn brat(&self, name: &str, ann: impl AsRef<[u8]>) -> PathBuf {
        self.write(&format!("{name}/a.txt"), TEXT);
        self.write(&format!("{name}/a.ann"), ann);
        self.dir.path().join(name)
    }
}

fn project_file_backup(path: &Path) -> PathBuf {
    spantag::io::atomic::backup_path(path)
}

/// A doccano record for document `a` with the given labels.
fn doccano(labels: &str) -> String {
    format!(
        r#"{{"id": "a", "text": {}, "label": {labels}}}"#,
        json(TEXT)
    )
}

/// A Prodigy record for document `a` with the given spans.
fn prodigy(spans: &str) -> String {
    format!(
        r#"{{"text": {}, "spans": {spans}, "meta": {{"id": "a"}}}}"#,
        json(TEXT)
    )
}

/// A spans line for document `a`.
fn span_line(id: u64, start: usize, end: usize, label: &str) -> String {
    let text: String = TEXT
        .chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    format!(
        r#"{{"doc": "a", "start": {start}, "end": {end}, "text": {}, "kind": "entity", "label": "{label}", "id": {id}}}"#,
        json(&text)
    )
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("json string")
}

/// The base project's RON text with `from` replaced by `to` (must occur).
fn project_with(s: &Setup, from: &str, to: &str) -> String {
    let text = String::from_utf8(s.before.clone()).expect("utf-8");
    assert!(text.contains(from), "'{from}' in the project file");
    text.replacen(from, to, 1)
}

/// A one-entity annotation list in RON for document `a`.
fn ron_annotations(list: &str) -> String {
    format!("annotations: [{list}],")
}

/// A project file that cannot be read: `stats` exits 1 naming it with every `want`, and an
/// import into it is refused and leaves it byte for byte as it was.
fn project_refused(s: &Setup, bytes: impl AsRef<[u8]>, want: &[&str]) {
    let bad = s.write("bad.ron", bytes.as_ref());
    let out = spantag(&["stats".as_ref(), bad.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.ron"), "names the file: {err}");
    for w in want {
        assert!(err.contains(w), "wanted '{w}' in: {err}");
    }
    let input = s.write("more.txt", "Nog een tekst.");
    let out = spantag(&[
        "import".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&bad).expect("bad"),
        bytes.as_ref(),
        "untouched"
    );
}

/// The text of document `id` in the saved project.
fn doc_text(p: &Project, id: &str) -> String {
    p.document(&DocId(id.into()))
        .unwrap_or_else(|| panic!("document {id}"))
        .text()
        .as_str()
        .to_owned()
}

#[test]
fn empty_files() {
    let s = setup();
    project_refused(&s, "", &["bad.ron:1:"]);
    let out = s.import(&s.write("empty.txt", ""), "text");
    s.refused(&out, &["empty.txt", "the file is empty"]);
    let out = s.import(&s.write("empty.conll", "\n\n"), "conll");
    s.refused(&out, &["empty.conll", "no tokens found"]);
    for format in ["doccano", "prodigy", "spans"] {
        let out = s.import(&s.write("empty.jsonl", ""), format);
        s.refused(&out, &["empty.jsonl", "the file is empty"]);
    }
    s.write("brat/a.txt", "");
    s.write("brat/a.ann", "");
    let out = s.import(&s.dir.path().join("brat"), "brat");
    s.refused(&out, &["brat", "every .txt file is empty"]);
}

#[test]
fn truncated_files() {
    let s = setup();
    let half = &s.before[..s.before.len() / 2];
    project_refused(&s, half, &["bad.ron:"]);

    let good = doccano(r#"[[0, 15, "PER"]]"#);
    let out = s.import(
        &s.write("d.jsonl", format!("{good}\n{}", &good[..25])),
        "doccano",
    );
    s.kept(&out, &["d.jsonl:2", "unreadable line"], 1);

    let s = setup();
    let good = prodigy(r#"[{"start": 0, "end": 15, "label": "PER"}]"#);
    let out = s.import(
        &s.write("p.jsonl", format!("{good}\n{}", &good[..25])),
        "prodigy",
    );
    s.kept(&out, &["p.jsonl:2", "unreadable line"], 1);

    let s = setup();
    let good = span_line(1, 0, 15, "PER");
    let out = s.import(
        &s.write("s.jsonl", format!("{good}\n{}", &good[..30])),
        "spans",
    );
    s.kept(&out, &["s.jsonl:2", "unreadable line"], 1);

    let s = setup();
    let dir = s.brat("brat", "T1\tPER 0 15\tMark Zuckerberg\nT2\tORG 42");
    s.kept(
        &s.import(&dir, "brat"),
        &["a.ann:2", "T line with unreadable offsets"],
        1,
    );

    let s = setup();
    let out = s.import(&s.write("c.conll", "EU B-ORG\nrejects O\nGer"), "conll");
    s.kept(&out, &["c.conll:3", "line without a tag column"], 1);

    // Text cut inside a UTF-8 sequence: the rest is read, nothing is lost but the stub.
    let s = setup();
    let out = s.import(&s.write("t.txt", b"Zuckerberg zegt sorry\xc3"), "text");
    let p = s.kept(&out, &["1 new documents"], 0);
    assert!(doc_text(&p, "t").starts_with("Zuckerberg zegt sorry"));
}

#[test]
fn binary_files() {
    let png: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa";
    let s = setup();
    project_refused(&s, png, &["not valid UTF-8"]);
    for (name, format) in [
        ("x.txt", "text"),
        ("x.conll", "conll"),
        ("x.jsonl", "doccano"),
        ("x.jsonl", "prodigy"),
        ("x.jsonl", "spans"),
    ] {
        let out = s.import(&s.write(name, png), format);
        s.refused(&out, &[name, "looks binary"]);
    }
    let dir = s.brat("brat", png);
    s.refused(&s.import(&dir, "brat"), &["a.ann:", "looks binary"]);
    s.write("brat2/a.txt", png);
    s.write("brat2/a.ann", "T1\tPER 0 1\tx");
    let out = s.import(&s.dir.path().join("brat2"), "brat");
    s.refused(&out, &["a.txt:", "looks binary"]);
}

#[test]
fn wrong_formats() {
    let s = setup();
    let record = doccano(r#"[[0, 15, "PER"]]"#);
    project_refused(&s, &record, &["bad.ron:1:"]);
    project_refused(
        &s,
        "(format: \"elan\", version: 1, schema: (entity_types: []), documents: [])",
        &["not a spantag project"],
    );
    let out = s.import(&s.write("d.conll", &record), "conll");
    s.refused(&out, &["d.conll", "is this a CoNLL file?"]);
    let conll = "EU\tB-ORG\nrejects\tO\n";
    for format in ["doccano", "prodigy", "spans"] {
        let out = s.import(&s.write("c.jsonl", conll), format);
        s.refused(&out, &["c.jsonl:1", "expected a JSON object"]);
    }
    let out = s.import(&s.write("d.jsonl", &record), "spans");
    s.refused(&out, &["d.jsonl:1", "is this a spans export?"]);
    // Text is whatever the file holds; a binary file is what it refuses (binary_files).
    // brat: CoNLL lines in an .ann are each skipped, the text is kept.
    let dir = s.brat("brat", "Zuckerberg\tB-PER\nzegt\tO\n");
    let p = s.kept(
        &s.import(&dir, "brat"),
        &["a.ann:1", "a.ann:2", "unknown line"],
        0,
    );
    assert_eq!(doc_text(&p, "a"), TEXT);
}

#[test]
fn invalid_utf8_is_read_as_a_legacy_encoding_or_refused_in_a_project() {
    let s = setup();
    let text = String::from_utf8(s.before.clone()).expect("utf-8");
    let line = text
        .lines()
        .position(|l| l.contains("text:"))
        .expect("text line")
        + 1;
    let mut bad = text.into_bytes();
    let at = bad.windows(5).position(|w| w == b"text:").expect("text:");
    bad.insert(at, 0xff);
    project_refused(
        &s,
        &bad,
        &[&format!("bad.ron:{line}:1: the file is not valid UTF-8")],
    );

    let out = s.import(&s.write("t.txt", b"Caf\xe9 na\xefef in Belgi\xeb"), "text");
    let p = s.kept(&out, &[], 0);
    assert_eq!(doc_text(&p, "t"), "Café naïef in België");

    let s = setup();
    let record =
        b"{\"id\": \"c\", \"text\": \"Caf\xe9 Zuckerberg\", \"label\": [[5, 15, \"PER\"]]}";
    let p = s.kept(&s.import(&s.write("d.jsonl", record), "doccano"), &[], 1);
    assert_eq!(doc_text(&p, "c"), "Café Zuckerberg");

    let s = setup();
    let record = b"{\"text\": \"Caf\xe9 Zuckerberg\", \"spans\": [{\"start\": 0, \"end\": 4, \"label\": \"LOC\"}], \"meta\": {\"id\": \"c\"}}";
    let p = s.kept(&s.import(&s.write("p.jsonl", record), "prodigy"), &[], 1);
    assert_eq!(doc_text(&p, "c"), "Café Zuckerberg");

    let s = setup();
    let line = b"{\"doc\": \"a\", \"start\": 0, \"end\": 15, \"kind\": \"entity\", \"label\": \"PER\", \"note\": \"caf\xe9\"}";
    let p = s.kept(&s.import(&s.write("s.jsonl", line), "spans"), &[], 1);
    let note = p.annotations().values().next().and_then(|a| a.note());
    assert_eq!(note, Some("café"));

    let s = setup();
    let out = s.import(
        &s.write("c.conll", b"Caf\xe9\tB-LOC\nZuck\tB-PER\n"),
        "conll",
    );
    let p = s.kept(&out, &[], 2);
    assert_eq!(doc_text(&p, "c"), "Café Zuck");

    let s = setup();
    s.write("brat/w.txt", b"Caf\xe9 Zuckerberg");
    s.write("brat/w.ann", "T1\tPER 5 15\tZuckerberg\n");
    let p = s.kept(&s.import(&s.dir.path().join("brat"), "brat"), &[], 1);
    assert_eq!(doc_text(&p, "w"), "Café Zuckerberg");
}

#[test]
fn a_50_mb_line() {
    let s = setup();
    let long = "a".repeat(HUGE);
    // A project whose text is 50 MB but whose hash is not that text's.
    let huge = project_with(&s, "text: \"Mark", &format!("text: \"{long}Mark"));
    project_refused(&s, huge, &["content hash"]);

    // JSONL readers: an unterminated 50 MB line is skipped, the next one kept.
    let unterminated = format!("{{\"text\": \"{long}\n");
    let cases = [
        ("doccano", doccano(r#"[[0, 15, "PER"]]"#)),
        (
            "prodigy",
            prodigy(r#"[{"start": 0, "end": 15, "label": "PER"}]"#),
        ),
        ("spans", span_line(1, 0, 15, "PER")),
    ];
    for (format, good) in cases {
        let s = setup();
        let input = s.write("big.jsonl", format!("{unterminated}{good}\n"));
        let out = s.import(&input, format);
        s.kept(&out, &["big.jsonl:1", "unreadable line"], 1);
        assert!(
            stderr(&out).len() < 10_000,
            "the report does not echo the line"
        );
    }

    // brat: a 50 MB line that is no annotation is skipped; the report cuts its echo short.
    let s = setup();
    let dir = s.brat(
        "brat",
        format!("Q1\t{long}\nT1\tPER 0 15\tMark Zuckerberg\n"),
    );
    let out = s.import(&dir, "brat");
    s.kept(&out, &["a.ann:1", "unknown line"], 1);
    assert!(
        stderr(&out).len() < 10_000,
        "the report does not echo the line"
    );

    // CoNLL: a 50 MB comment line is skipped.
    let s = setup();
    let input = s.write("c.conll", format!("# {long} x\nEU\tB-ORG\n"));
    s.kept(
        &s.import(&input, "conll"),
        &["c.conll:1", "comment line"],
        1,
    );

    // Text: a 50 MB line is a 50 MB document.
    let s = setup();
    let input = s.write("lang.txt", &long);
    let p = s.kept(&s.import(&input, "text"), &["1 new documents"], 0);
    let doc = p.document(&DocId("lang".into())).expect("document");
    assert_eq!(doc.text().char_len(), HUGE);
}

#[test]
fn offsets_out_of_range() {
    let s = setup();
    let ann = ron_annotations("(id: 1, spans: [(40, 999)], kind: Entity(label: \"LOC\"))");
    project_refused(
        &s,
        project_with(&s, "annotations: [],", &ann),
        &["annotation 1", "lies outside the text"],
    );

    let dir = s.brat("brat", "T1\tPER 0 15\tMark Zuckerberg\nT2\tLOC 40 999\tx\n");
    s.kept(&s.import(&dir, "brat"), &["a.ann:2", "outside the text"], 1);

    let s = setup();
    let input = s.write("d.jsonl", doccano(r#"[[0, 15, "PER"], [40, 999, "LOC"]]"#));
    s.kept(
        &s.import(&input, "doccano"),
        &["d.jsonl:1", "span outside the text"],
        1,
    );

    let s = setup();
    let input = s.write(
        "p.jsonl",
        prodigy(r#"[{"start": 0, "end": 15, "label": "PER"}, {"start": 40, "end": 999, "label": "LOC"}]"#),
    );
    s.kept(
        &s.import(&input, "prodigy"),
        &["p.jsonl:1", "span outside the text"],
        1,
    );

    let s = setup();
    let lines = format!(
        "{}\n{}\n",
        span_line(1, 0, 15, "PER"),
        span_line(2, 40, 999, "LOC")
    );
    let input = s.write("s.jsonl", lines);
    s.kept(
        &s.import(&input, "spans"),
        &["s.jsonl:2", "bad offsets", "outside the text"],
        1,
    );
    // CoNLL and text carry no offsets: their spans come from the tokens themselves.
}

#[test]
fn offsets_inside_a_character() {
    let s = setup();
    // The project loader takes code points as they are; `check` names the split.
    let ann = ron_annotations("(id: 1, spans: [(24, 26)], kind: Entity(label: \"X\"))");
    let bad = s.write("split.ron", project_with(&s, "annotations: [],", &ann));
    let out = spantag(&["check".as_ref(), bad.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("annotation 1: span 24..26 splits a character"),
        "{stdout}"
    );

    let dir = s.brat(
        "brat",
        "T1\tPER 0 15\tMark Zuckerberg\nT2\tX 24 26\t\u{301}n\n",
    );
    s.kept(
        &s.import(&dir, "brat"),
        &["a.ann:2", "splits a character"],
        1,
    );

    let s = setup();
    let input = s.write("d.jsonl", doccano(r#"[[0, 15, "PER"], [24, 26, "X"]]"#));
    s.kept(
        &s.import(&input, "doccano"),
        &["d.jsonl:1", "bad span", "splits a character"],
        1,
    );

    let s = setup();
    let input = s.write(
        "p.jsonl",
        prodigy(
            r#"[{"start": 0, "end": 15, "label": "PER"}, {"start": 23, "end": 24, "label": "X"}]"#,
        ),
    );
    s.kept(
        &s.import(&input, "prodigy"),
        &["p.jsonl:1", "bad span", "splits a character"],
        1,
    );

    let s = setup();
    let lines = format!(
        "{}\n{}\n",
        span_line(1, 0, 15, "PER"),
        span_line(2, 24, 26, "X")
    );
    let input = s.write("s.jsonl", lines);
    s.kept(
        &s.import(&input, "spans"),
        &["s.jsonl:2", "bad offsets", "splits a character"],
        1,
    );
}

#[test]
fn ends_before_starts() {
    let s = setup();
    let ann = ron_annotations("(id: 1, spans: [(15, 0)], kind: Entity(label: \"PER\"))");
    project_refused(
        &s,
        project_with(&s, "annotations: [],", &ann),
        &["annotation 1", "ends before it starts"],
    );

    let dir = s.brat("brat", "T1\tPER 0 15\tMark Zuckerberg\nT2\tLOC 44 42\tEU\n");
    s.kept(
        &s.import(&dir, "brat"),
        &["a.ann:2", "ends before it starts"],
        1,
    );

    let s = setup();
    let input = s.write("d.jsonl", doccano(r#"[[0, 15, "PER"], [44, 42, "LOC"]]"#));
    s.kept(
        &s.import(&input, "doccano"),
        &["d.jsonl:1", "ends before it starts"],
        1,
    );

    let s = setup();
    let input = s.write(
        "p.jsonl",
        prodigy(r#"[{"start": 0, "end": 15, "label": "PER"}, {"start": 44, "end": 42, "label": "LOC"}]"#),
    );
    s.kept(
        &s.import(&input, "prodigy"),
        &["p.jsonl:1", "ends before it starts"],
        1,
    );

    let s = setup();
    let lines = format!(
        "{}\n{}\n",
        span_line(1, 0, 15, "PER"),
        span_line(2, 44, 42, "LOC")
    );
    let input = s.write("s.jsonl", lines);
    s.kept(
        &s.import(&input, "spans"),
        &["s.jsonl:2", "ends before it starts"],
        1,
    );
}

#[test]
fn duplicate_ids() {
    let s = setup();
    let twice = ron_annotations(
        "(id: 1, spans: [(0, 15)], kind: Entity(label: \"PER\")), \
         (id: 1, spans: [(42, 44)], kind: Entity(label: \"ORG\"))",
    );
    project_refused(
        &s,
        project_with(&s, "annotations: [],", &twice),
        &["annotation id #1 is in use already"],
    );
    // The same document twice.
    let text = String::from_utf8(s.before.clone()).expect("utf-8");
    let start = text.find("    (\n      id: \"a\"").expect("document a");
    let end = text.find("  ],\n  relations").expect("end of documents");
    let doc = &text[start..end];
    let twice = format!("{}{doc}{}", &text[..end], &text[end..]);
    project_refused(&s, twice, &["bad.ron", "'a'"]);

    let dir = s.brat("brat", "T1\tPER 0 15\tMark Zuckerberg\nT1\tLOC 42 44\tEU\n");
    s.kept(
        &s.import(&dir, "brat"),
        &["a.ann:2", "duplicate id in this .ann file"],
        1,
    );

    // doccano and Prodigy: a second record with a taken id and another text is renamed.
    let s = setup();
    let other = r#"{"id": "a", "text": "Een andere tekst.", "label": [[4, 10, "MISC"]]}"#;
    let input = s.write(
        "d.jsonl",
        format!("{}\n{other}\n", doccano(r#"[[0, 15, "PER"]]"#)),
    );
    let p = s.kept(&s.import(&input, "doccano"), &["imported as 'a-2'"], 2);
    assert_eq!(doc_text(&p, "a-2"), "Een andere tekst.");

    let s = setup();
    let other = r#"{"text": "Een andere tekst.", "spans": [], "meta": {"id": "a"}}"#;
    let input = s.write("p.jsonl", format!("{}\n{other}\n", prodigy("[]")));
    let p = s.kept(&s.import(&input, "prodigy"), &["imported as 'a-2'"], 0);
    assert_eq!(doc_text(&p, "a-2"), "Een andere tekst.");

    let s = setup();
    let lines = format!(
        "{}\n{}\n",
        span_line(1, 0, 15, "PER"),
        span_line(1, 42, 44, "ORG")
    );
    let input = s.write("s.jsonl", lines);
    s.kept(
        &s.import(&input, "spans"),
        &["s.jsonl:2", "duplicate id in this file"],
        1,
    );

    // CoNLL and text have no ids of their own: the same data twice is matched, not doubled.
    let s = setup();
    let input = s.write("c.conll", "EU\tB-ORG\nrejects\tO\n");
    s.kept(&s.import(&input, "conll"), &[], 1);
    let out = s.import(&input, "conll");
    s.kept(&out, &["1 matched", "c.conll:1", "duplicate annotation"], 1);
    let first = s.write("one/nieuws.txt", "Eerste tekst.");
    let second = s.write("two/nieuws.txt", "Tweede tekst.");
    s.kept(&s.import(&first, "text"), &[], 1);
    let p = s.kept(&s.import(&second, "text"), &["imported as 'nieuws-2'"], 1);
    assert_eq!(doc_text(&p, "nieuws-2"), "Tweede tekst.");
}

#[test]
fn unknown_labels_are_reported_and_added_to_the_schema() {
    let s = setup();
    // A project may carry labels its schema lacks (the window shows them in grey).
    let ann = ron_annotations("(id: 1, spans: [(0, 15)], kind: Entity(label: \"ALIEN\"))");
    let file = s.write("alien.ron", project_with(&s, "annotations: [],", &ann));
    let p = project_file::load(&file).expect("loads");
    assert_eq!(
        p.annotations().values().next().and_then(|a| a.label()),
        Some("ALIEN")
    );
    // … and `spantag check` names it.
    let problems = project_file::check(&file).expect("parses");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("label 'ALIEN' is not in the schema")),
        "{problems:?}"
    );

    let want = ["label 'ALIEN' is not in the project's schema; added to it"];
    let dir = s.brat("brat", "T1\tALIEN 0 15\tMark Zuckerberg\n");
    let p = s.kept(&s.import(&dir, "brat"), &want, 1);
    assert!(p.schema().entity_type("ALIEN").is_some());

    let s = setup();
    let input = s.write("d.jsonl", doccano(r#"[[0, 15, "ALIEN"]]"#));
    s.kept(&s.import(&input, "doccano"), &want, 1);
    let s = setup();
    let input = s.write(
        "p.jsonl",
        prodigy(r#"[{"start": 0, "end": 15, "label": "ALIEN"}]"#),
    );
    s.kept(&s.import(&input, "prodigy"), &want, 1);
    let s = setup();
    let input = s.write("s.jsonl", span_line(1, 0, 15, "ALIEN"));
    s.kept(&s.import(&input, "spans"), &want, 1);
    let s = setup();
    let input = s.write("c.conll", "Zuckerberg\tB-ALIEN\n");
    s.kept(&s.import(&input, "conll"), &want, 1);
    // Stances bring their polarities the same way.
    let s = setup();
    let stance = r#"{"doc": "a", "start": null, "end": null, "kind": "stance", "target": "EU", "polarity": "SARCASTIC"}"#;
    let p = s.kept(
        &s.import(&s.write("st.jsonl", stance), "spans"),
        &["label 'SARCASTIC' is not in the project's schema"],
        1,
    );
    assert!(p.schema().polarity("SARCASTIC").is_some());
}

#[test]
fn a_project_from_a_newer_spantag_is_refused_and_never_overwritten() {
    let s = setup();
    let newer = project_with(&s, "version: 3", "version: 99");
    project_refused(&s, &newer, &["version 99 is newer"]);
    // Newer versions may have a shape this build cannot parse at all.
    let reshaped = "(format: \"spantag-project\", version: 4, documents: {\"a\": ()})";
    project_refused(&s, reshaped, &["version 4 is newer"]);
    let out = spantag(&[
        "new".as_ref(),
        s.write("t.txt", "Tekst.").as_os_str(),
        "-o".as_ref(),
        s.dir.path().join("bad.ron").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(s.dir.path().join("bad.ron")).expect("kept"),
        reshaped.as_bytes()
    );
}

/// `spantag check` names every kind of problem, all of them in one run.
#[test]
fn check_reports_every_problem_kind() {
    use spantag::model::document::content_hash;
    let text_a = "Mark Zuckerberg zegt e\u{301}n keer sorry.";
    let text_b = "De EU is boos.";
    let doc = |id: &str, text: &str, hash: &str, anns: &str| {
        format!(
            "(id: {id:?}, title: \"t\", hash: {hash:?}, text: {text:?}, annotations: [{anns}]),\n"
        )
    };
    let anns_a = "\
        (id: 1, spans: [(0, 15)], kind: Entity(label: \"PER\")),
        (id: 2, spans: [(5, 99)], kind: Entity(label: \"PER\")),
        (id: 3, spans: [(15, 5)], kind: Entity(label: \"PER\")),
        (id: 4, spans: [(22, 24)], kind: Entity(label: \"X\")),
        (id: 5, spans: [], kind: Entity(label: \"PER\")),
        (id: 6, spans: [], kind: Stance(target: \"EU\", polarity: \"FAVOR\", holder: Some(77))),
        (id: 7, spans: [], kind: Stance(target: \"EU\", polarity: \"FAVOR\", holder: Some(6))),
        (id: 8, spans: [], kind: Stance(target: \"EU\", polarity: \"FAVOR\", holder: Some(10))),
        (id: 1, spans: [(16, 20)], kind: Entity(label: \"ORG\")),";
    let anns_b = "(id: 10, spans: [(3, 5)], kind: Entity(label: \"ORG\")),";
    let file = format!(
        "(format: \"spantag-project\", version: 2,\n schema: (entity_types: [(name: \"PER\", color: \"#zzzzzz\")]),\n documents: [\n{}{}{}],\n relations: [(id: 20, label: \"works for\", from: 1, to: 55)])\n",
        doc("a", text_a, &content_hash(text_a), anns_a),
        doc("b", text_b, "0000", anns_b),
        doc("b", text_b, &content_hash(text_b), ""),
    );
    let s = setup();
    let path = s.write("broken.ron", file);
    let out = spantag(&["check".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let wants = [
        "schema: label 'PER': colour '#zzzzzz' is not #rrggbb",
        "document 'b' appears twice",
        "document 'b': the text does not match its content hash",
        "annotation id 1 is used twice",
        "annotation 2: span 5..99 lies outside the text",
        "annotation 3: span 15..5 is empty or reversed",
        "annotation 4: span 22..24 splits a character",
        "annotation 5: an entity without a span",
        "annotation 6: holder 77 does not exist",
        "annotation 7: holder 6 is not an entity",
        "annotation 8: holder 10 belongs to another document 'b'",
        "relation 20 (works for): argument 55 does not exist",
    ];
    for want in wants {
        assert!(stdout.contains(want), "wanted '{want}' in:\n{stdout}");
    }
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with(&*path.to_string_lossy()))
    );
    assert!(
        stderr(&out).contains(&format!("{} problem(s) found", stdout.lines().count())),
        "{}",
        stderr(&out)
    );
}

/// A doccano file read in several pieces (over 8 MB, what the import reads at a time):
/// a bad line in the middle and a truncated last line are reported with their numbers and
/// everything else is kept; a NUL byte far into the file, or bytes that are not UTF-8
/// there, give what they give in a small file (refused naming the line, the project
/// untouched; decoded as a legacy encoding).
#[test]
fn a_file_read_in_pieces() {
    let filler = "Mark Zuckerberg zegt sorry. ".repeat(140);
    let record =
        |i: usize| format!(r#"{{"id": "d{i}", "text": "{filler}{i}", "label": [[0, 15, "PER"]]}}"#);
    let records = 2_400;
    let mut lines: Vec<String> = (0..records).map(record).collect();
    lines.insert(records / 2, r#"{"id": "broken", "text": "Mark"#.to_owned());
    let body = lines.join("\n");
    assert!(body.len() > 9 << 20, "{} bytes", body.len());

    let s = setup();
    let truncated = format!("{body}\n{}", &record(records)[..40]);
    let out = s.import(&s.write("d.jsonl", truncated), "doccano");
    let p = s.kept(
        &out,
        &["unreadable line", "d.jsonl:1201", "d.jsonl:2402"],
        records,
    );
    assert_eq!(p.documents().len(), 1 + records);
    assert!(stderr(&out).contains(&format!("{records} new documents")));

    let s = setup();
    let binary = format!("{body}\n{{\"id\": \"x\", \"text\": \"a\0b\"}}\n");
    let out = s.import(&s.write("d.jsonl", binary), "doccano");
    s.refused(&out, &["d.jsonl:2402:", "looks binary"]);

    let s = setup();
    let mut latin = format!("{body}\n").into_bytes();
    latin.extend_from_slice(b"{\"id\": \"c\", \"text\": \"Caf\xe9 Zuck\", \"label\": []}\n");
    let p = s.kept(
        &s.import(&s.write("d.jsonl", latin), "doccano"),
        &[],
        records,
    );
    assert_eq!(doc_text(&p, "c"), "Café Zuck");
}
