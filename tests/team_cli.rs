//! The team commands on the command line: `split`, three-way `merge` (clean, and with
//! conflicts recorded as data), `merge --adjudicate`, and old project files migrating to
//! derived ids. Every result passes `spantag check`.

#[path = "common/cli.rs"]
mod cli;
use cli::spantag;

use spantag::io::project_file;
use spantag::model::{AnnotationId, ConflictKind, DocId};
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Runs spantag and asserts it succeeded.
fn ok(args: &[&str]) -> Output {
    let out = spantag(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    out
}

fn check(path: &Path) {
    ok(&["check", s(path)]);
}

/// The bundled corpus as a new project in `dir`.
fn base_project(dir: &Path) -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let path = dir.join("base.ron");
    ok(&["new", s(&corpus), "-o", s(&path)]);
    path
}

/// The first document's id and text in a project file.
fn first_document(path: &Path) -> (String, String) {
    let p = project_file::load(path).expect("loads");
    let doc = &p.documents()[0];
    (doc.id().to_string(), doc.text().as_str().to_owned())
}

/// Tags the first occurrence of `needle` in `doc` through `spantag import` (spans JSONL).
fn tag(project: &Path, doc: &str, doc_text: &str, needle: &str, label: &str) {
    let byte = doc_text.find(needle).expect("needle in text");
    let start = doc_text[..byte].chars().count();
    let end = start + needle.chars().count();
    let line = serde_json::json!({
        "doc": doc, "start": start, "end": end, "text": needle, "kind": "entity", "label": label,
    });
    let jsonl = project.with_extension(format!("{label}.{start}.jsonl"));
    std::fs::write(&jsonl, format!("{line}\n")).expect("write jsonl");
    ok(&["import", s(&jsonl), "--format", "spans", "-o", s(project)]);
}

fn copy(from: &Path, to: &Path) -> PathBuf {
    std::fs::copy(from, to).expect("copy");
    to.to_owned()
}

#[test]
fn split_gives_each_annotator_a_share_and_records_it() {
    let dir = tempfile::tempdir().expect("dir");
    let base = base_project(dir.path());
    let out_dir = dir.path().join("shares");
    let out = ok(&[
        "split",
        s(&base),
        "--annotators",
        "ann,bob",
        "--overlap",
        "1",
        "-o",
        s(&out_dir),
    ]);
    assert!(text(&out.stdout).contains("for bob (1 shared)"));
    let whole = project_file::load(&base).expect("base");
    let mut seen = std::collections::BTreeMap::<DocId, usize>::new();
    for name in ["ann", "bob"] {
        let path = out_dir.join(format!("base.{name}.ron"));
        check(&path);
        let share = project_file::load(&path).expect("share");
        let assignment = share.assignment().expect("assignment recorded");
        assert_eq!(assignment.annotator, name);
        assert_eq!(assignment.annotators, ["ann", "bob"]);
        assert_eq!(assignment.shared.len(), 1);
        let docs: Vec<DocId> = share.documents().iter().map(|d| d.id().clone()).collect();
        assert_eq!(
            docs,
            assignment.documents.iter().cloned().collect::<Vec<_>>()
        );
        for doc in docs {
            *seen.entry(doc).or_default() += 1;
        }
    }
    // Every document went to someone; the shared one to both.
    assert_eq!(seen.len(), whole.documents().len());
    assert_eq!(seen.values().filter(|n| **n == 2).count(), 1);
    // Bad names and too much overlap write nothing.
    for (annotators, overlap, message) in [
        ("ann,ann", "1", "repeated"),
        ("ann,../x", "1", "not made of letters"),
        ("ann,bob", "99", "99 shared documents"),
    ] {
        let bad_dir = dir.path().join("bad");
        let out = spantag(&[
            "split",
            s(&base),
            "--annotators",
            annotators,
            "--overlap",
            overlap,
            "-o",
            s(&bad_dir),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains(message), "{}", text(&out.stderr));
        assert!(!bad_dir.exists());
    }
}

#[test]
fn three_way_merge_is_clean_or_records_conflicts_as_data() {
    let dir = tempfile::tempdir().expect("dir");
    let base = base_project(dir.path());
    let (doc, doc_text) = first_document(&base);
    let ours = copy(&base, &dir.path().join("ours.ron"));
    let theirs = copy(&base, &dir.path().join("theirs.ron"));
    tag(&ours, &doc, &doc_text, "Cambridge Analytica", "ORG");
    tag(&theirs, &doc, &doc_text, "Facebook", "ORG");
    let out = dir.path().join("out.ron");
    ok(&["merge", s(&base), s(&ours), s(&theirs), "-o", s(&out)]);
    check(&out);
    let merged = project_file::load(&out).expect("merged");
    assert_eq!(merged.annotations().len(), 2);
    assert!(merged.conflicts().is_empty());
    assert!(
        !dir.path().join("out.ron.bak").exists(),
        "no backup beside the result"
    );

    // Their label on our span: exit 1, the conflict listed and recorded, file valid.
    let theirs2 = copy(&theirs, &dir.path().join("theirs2.ron"));
    tag(&theirs2, &doc, &doc_text, "Cambridge Analytica", "MISC");
    let out2 = dir.path().join("out2.ron");
    let run = spantag(&["merge", s(&base), s(&ours), s(&theirs2), "-o", s(&out2)]);
    assert_eq!(run.status.code(), Some(1));
    let listed = text(&run.stdout);
    assert!(
        listed.contains("same span, different labels: ours “Cambridge Analytica” ORG / theirs “Cambridge Analytica” MISC"),
        "{listed}"
    );
    assert!(text(&run.stderr).contains("1 conflict(s) recorded"));
    check(&out2);
    let written = std::fs::read_to_string(&out2).expect("read");
    assert!(!written.contains("<<<<<<<"));
    let merged = project_file::load(&out2).expect("merged");
    let conflict = merged.conflicts().first().expect("recorded");
    assert_eq!(conflict.kind, ConflictKind::SameSpan);
    assert_eq!(merged.annotations().len(), 3, "both versions kept");

    // Wrong number of projects.
    let run = spantag(&["merge", s(&base), s(&ours), "-o", s(&out2)]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("BASE OURS THEIRS"));
}

#[test]
fn adjudication_combines_copies_and_flags_disagreements() {
    let dir = tempfile::tempdir().expect("dir");
    let base = base_project(dir.path());
    let shares = dir.path().join("shares");
    ok(&[
        "split",
        s(&base),
        "--annotators",
        "ann,bob",
        "--overlap",
        "1",
        "-o",
        s(&shares),
    ]);
    let (ann, bob) = (shares.join("base.ann.ron"), shares.join("base.bob.ron"));
    let shared = project_file::load(&ann)
        .expect("ann")
        .assignment()
        .and_then(|a| a.shared.first().cloned())
        .expect("a shared document");
    let whole = project_file::load(&base).expect("base");
    let doc_text = whole
        .document(&shared)
        .expect("doc")
        .text()
        .as_str()
        .to_owned();
    let words: Vec<&str> = doc_text
        .split_whitespace()
        .filter(|w| w.len() > 5)
        .collect();
    let (agreed, disputed) = (words[0], words[1]);
    for copy in [&ann, &bob] {
        tag(copy, shared.as_str(), &doc_text, agreed, "ORG");
    }
    tag(&bob, shared.as_str(), &doc_text, disputed, "PER");
    let out = dir.path().join("adjudicate.ron");
    let run = spantag(&["merge", s(&ann), s(&bob), "-o", s(&out), "--adjudicate"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("not made by every annotator"));
    check(&out);
    let p = project_file::load(&out).expect("adjudication");
    assert_eq!(p.documents().len(), whole.documents().len());
    assert_eq!(
        p.annotations().len(),
        2,
        "the agreed tag once, the disputed one"
    );
    let assignment = p.assignment().expect("assignment");
    assert_eq!(assignment.annotators, ["ann", "bob"]);
    assert_eq!(assignment.shared.iter().collect::<Vec<_>>(), [&shared]);
    let conflict = p.conflicts().first().expect("disagreement");
    let flagged = p
        .annotation(conflict.ours.expect("id"))
        .expect("annotation");
    assert_eq!(
        flagged.attributes().get("annotators").map(String::as_str),
        Some("bob")
    );
}

#[test]
fn the_version_2_example_opens_and_saves_changing_only_its_version() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    let old = std::fs::read_to_string(&example).expect("example");
    assert!(
        old.contains("  version: 2,"),
        "the committed example is a version 2 file"
    );
    let p = project_file::load(&example).expect("loads");
    assert!(
        p.annotations()
            .keys()
            .all(|id| id.0 < AnnotationId::DERIVED_START)
    );
    let new = project_file::to_ron(&p);
    let changed: Vec<(&str, &str)> = old
        .lines()
        .zip(new.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed, [("  version: 2,", "  version: 3,")]);
}
