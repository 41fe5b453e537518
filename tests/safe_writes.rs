//! Issue 18, points 5–7, through the command line: `new`, `generate`, `import` and `export`
//! never replace a project file they did not make without `--force` (and with it the old
//! file survives), saves through a symbolic link write the link's target, and brat
//! annotations counted in the raw bundled corpus land on the project's documents.

#[path = "common/cli.rs"]
mod cli;
use cli::{spantag, stderr};

use std::path::{Path, PathBuf};
use std::process::Output;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus")
}

/// The committed example project: 5 documents with 216 annotations.
fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron")
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A refusal: exit 1, one line naming `file` and saying `--force` replaces it.
fn assert_refused(out: &Output, file: &Path) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(s(file)), "names {}: {err}", file.display());
    assert!(err.contains("--force"), "says --force replaces it: {err}");
}

/// The annotation count of a project file, from `spantag stats --json`.
fn annotations_in(project: &Path) -> u64 {
    let out = spantag(&["stats", s(project), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["annotations"].as_u64().expect("a count")
}

/// Point 5: `new` over an annotated project replaced it without a word.
#[test]
fn new_over_an_annotated_project_is_refused_and_touches_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    std::fs::copy(example(), &p).expect("copy");
    let before = std::fs::read(&p).expect("read");
    let out = spantag(&["new", s(&corpus()), "-o", s(&p)]);
    assert_refused(&out, &p);
    assert_eq!(std::fs::read(&p).expect("read"), before, "untouched");
    assert_eq!(names(dir.path()), ["p.ron"], "no backup or temp file made");

    // Any existing file counts, not only projects; `generate` obeys the same rule.
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "mine").expect("write");
    assert_refused(&spantag(&["new", s(&corpus()), "-o", s(&notes)]), &notes);
    let out = spantag(&["generate", "--documents", "2", "-o", s(&p)]);
    assert_refused(&out, &p);
    assert_eq!(std::fs::read(&p).expect("read"), before, "untouched");
    assert_eq!(std::fs::read(&notes).expect("read"), b"mine");
}

/// Point 5: `new` twice over an annotated project put the empty project into `.bak` too, so
/// the annotated one was gone from both. With `--force` the replaced file is set aside where
/// no later save writes, and the message says where.
#[test]
fn new_twice_with_force_keeps_the_annotated_project() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    std::fs::copy(example(), &p).expect("copy");
    // An older version of the annotated project as its backup.
    std::fs::write(dir.path().join("p.ron.bak"), "older annotated version").expect("write");
    let annotated = std::fs::read(&p).expect("read");

    let first = spantag(&["new", s(&corpus()), "-o", s(&p), "--force"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("p.ron.bak.2"), "{}", stderr(&first));
    assert_eq!(annotations_in(&p), 0, "the new project is in place");
    let second = spantag(&["new", s(&corpus()), "-o", s(&p), "--force"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("p.ron.bak.3"),
        "{}",
        stderr(&second)
    );

    // The new project's ordinary saves rotate its own versions through p.ron.bak.
    let spans = dir.path().join("s.jsonl");
    std::fs::write(
        &spans,
        "{\"doc\":\"001_ef0ef85de6992b82\",\"start\":4,\"end\":7,\"kind\":\"entity\",\"label\":\"ORG\"}\n",
    )
    .expect("write");
    for _ in 0..2 {
        let out = spantag(&["import", s(&spans), "--format", "spans", "-o", s(&p)]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(annotations_in(&p), 1);

    assert_eq!(
        names(dir.path()),
        [
            "p.ron",
            "p.ron.bak",
            "p.ron.bak.1",
            "p.ron.bak.2",
            "p.ron.bak.3",
            "s.jsonl"
        ]
    );
    let bak = |n: &str| std::fs::read(dir.path().join(format!("p.ron.{n}"))).expect("read");
    assert_eq!(bak("bak.1"), b"older annotated version");
    assert_eq!(bak("bak.2"), annotated, "the annotated project survives");
    assert_eq!(annotations_in(&dir.path().join("p.ron.bak.2")), 216);
    assert_eq!(annotations_in(&dir.path().join("p.ron.bak.3")), 0);
    assert_eq!(annotations_in(&dir.path().join("p.ron.bak")), 1);
}

/// Point 5: `generate --force` sets the old file aside like `new --force`.
#[test]
fn generate_with_force_sets_the_old_file_aside() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    std::fs::copy(example(), &p).expect("copy");
    let annotated = std::fs::read(&p).expect("read");
    let out = spantag(&["generate", "--documents", "2", "-o", s(&p), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("p.ron.bak.1"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("p.ron.bak.1")).expect("set aside"),
        annotated
    );
    assert_ne!(std::fs::read(&p).expect("read"), annotated);
}

/// Point 5: `import -o` adds to a project, but a file that is not one is not replaced.
#[test]
fn import_refuses_to_replace_a_file_that_is_not_a_project() {
    let dir = tempfile::tempdir().expect("tmp");
    let notes = dir.path().join("notes.ron");
    std::fs::write(&notes, "(my: \"own data\")").expect("write");
    let txt = dir.path().join("t.txt");
    std::fs::write(&txt, "Mark Zuckerberg zegt sorry.").expect("write");
    let out = spantag(&["import", s(&txt), "-o", s(&notes)]);
    assert_refused(&out, &notes);
    assert_eq!(std::fs::read(&notes).expect("read"), b"(my: \"own data\")");
    assert_eq!(names(dir.path()), ["notes.ron", "t.txt"]);

    let out = spantag(&["import", s(&txt), "-o", s(&notes), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("notes.ron.bak.1"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("notes.ron.bak.1")).expect("set aside"),
        b"(my: \"own data\")"
    );
    let check = spantag(&["check", s(&notes)]);
    assert!(check.status.success(), "{}", stderr(&check));
}

/// Point 5: importing a project file into itself is refused, `--force` or not.
#[test]
fn import_refuses_a_source_that_is_the_project_itself() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    std::fs::copy(example(), &p).expect("copy");
    let before = std::fs::read(&p).expect("read");
    let other_name = dir.path().join(".").join("p.ron");
    for extra in [None, Some("--force")] {
        let mut args = vec!["import", s(&other_name), "--format", "text", "-o", s(&p)];
        args.extend(extra);
        let out = spantag(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("p.ron"), "{err}");
        assert_eq!(std::fs::read(&p).expect("read"), before, "untouched");
    }
    assert_eq!(names(dir.path()), ["p.ron"]);
}

/// Point 5: `export -o` over a project file replaced the project with JSONL.
#[test]
fn export_refuses_to_write_over_a_project_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let other = dir.path().join("other.ron");
    std::fs::copy(example(), &other).expect("copy");
    let before = std::fs::read(&other).expect("read");
    for format in ["spans", "csv", "conll", "doccano", "prodigy"] {
        let out = spantag(&["export", s(&example()), "--format", format, "-o", s(&other)]);
        assert_refused(&out, &other);
        assert_eq!(std::fs::read(&other).expect("read"), before, "{format}");
    }
    assert_eq!(names(dir.path()), ["other.ron"]);

    // An old export is replaced as before.
    let old_export = dir.path().join("out.jsonl");
    std::fs::write(&old_export, "{}\n").expect("write");
    let out = spantag(&[
        "export",
        s(&example()),
        "--format",
        "spans",
        "-o",
        s(&old_export),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(&old_export).expect("read"), b"{}\n");

    let out = spantag(&[
        "export",
        s(&example()),
        "--format",
        "spans",
        "-o",
        s(&other),
        "--force",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("other.ron.bak.1"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("other.ron.bak.1")).expect("set aside"),
        before
    );
}

/// Point 5: a brat export replaces an earlier export folder as a whole; a project file
/// inside it would go with it.
#[test]
fn brat_export_refuses_a_folder_holding_a_project_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("brat");
    let first = spantag(&[
        "export",
        s(&example()),
        "--format",
        "brat",
        "-o",
        s(&out_dir),
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let hidden = out_dir.join("keep.txt");
    std::fs::copy(example(), &hidden).expect("copy");
    let project = example();
    for extra in [None, Some("--force")] {
        let mut args = vec!["export", s(&project), "--format", "brat", "-o", s(&out_dir)];
        args.extend(extra);
        let out = spantag(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("keep.txt"), "{err}");
        assert_eq!(
            std::fs::read(&hidden).expect("kept"),
            std::fs::read(example()).expect("read")
        );
    }
}

/// Point 6: `import -o link.ron` replaced the link with a file; the link's target, the real
/// project, kept the old content.
#[cfg(unix)]
#[test]
fn import_through_a_link_writes_the_link_target() {
    let dir = tempfile::tempdir().expect("tmp");
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).expect("mkdir");
    let target = real_dir.join("p.ron");
    std::fs::copy(example(), &target).expect("copy");
    let before = std::fs::read(&target).expect("read");
    let link = dir.path().join("link.ron");
    std::os::unix::fs::symlink("real/p.ron", &link).expect("link");

    let txt = dir.path().join("t.txt");
    std::fs::write(&txt, "Mark Zuckerberg zegt sorry.").expect("write");
    let out = spantag(&["import", s(&txt), "-o", s(&link)]);
    assert!(out.status.success(), "{}", stderr(&out));

    let meta = std::fs::symlink_metadata(&link).expect("meta");
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    let check = spantag(&["stats", s(&target), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(json["documents"], 6, "the target has the new document");
    assert_eq!(
        std::fs::read(real_dir.join("p.ron.bak")).expect("backup beside the target"),
        before
    );
    assert_eq!(names(dir.path()), ["link.ron", "real", "t.txt"]);
    assert_eq!(names(&real_dir), ["p.ron", "p.ron.bak"]);
}

/// Point 7: brat annotations made on the raw bundled corpus files (with their leading
/// ` date YYYY-MM ` marker) were added as new documents `000_…-2` instead of landing on
/// the project's documents, which keep the date as metadata.
#[test]
fn brat_on_the_raw_corpus_lands_on_the_documents_of_new() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let out = spantag(&["new", s(&corpus()), "-o", s(&p)]);
    assert!(out.status.success(), "{}", stderr(&out));

    let brat = dir.path().join("brat");
    std::fs::create_dir(&brat).expect("mkdir");
    let mut wanted = Vec::new();
    let mut ann_lines = 0;
    for entry in std::fs::read_dir(corpus()).expect("ls") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_owned();
        let raw = std::fs::read_to_string(&path).expect("read");
        std::fs::copy(&path, brat.join(&name)).expect("copy");
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        // Offsets counted in the raw text, marker included, as brat counts them.
        let mut ann = String::new();
        for word in ["Facebook", "Cambridge Analytica"] {
            let Some(byte) = raw.find(word) else { continue };
            let start = raw[..byte].chars().count();
            let end = start + word.chars().count();
            ann_lines += 1;
            ann.push_str(&format!("T{ann_lines}\tORG {start} {end}\t{word}\n"));
            wanted.push((stem.clone(), word.to_owned()));
        }
        if raw.starts_with(" date ") {
            // The date itself, inside the marker: no place in the document's text.
            let date: String = raw.chars().skip(6).take(7).collect();
            ann.push_str(&format!("T99\tDATE 6 13\t{date}\n"));
        }
        std::fs::write(brat.join(format!("{stem}.ann")), ann).expect("write");
    }
    assert!(wanted.len() >= 5, "words found: {wanted:?}");

    let out = spantag(&["import", s(&brat), "--format", "brat", "-o", s(&p)]);
    let report = stderr(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("0 new documents, 5 matched"),
        "every file matched: {report}"
    );
    assert!(
        report.contains("skipped 4: T line inside the date marker"),
        "the marker's annotations are skipped with a reason: {report}"
    );

    let check = spantag(&["check", s(&p)]);
    assert!(check.status.success(), "{}", stderr(&check));
    let spans = dir.path().join("spans.jsonl");
    let out = spantag(&["export", s(&p), "--format", "spans", "-o", s(&spans)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut got: Vec<(String, String)> = std::fs::read_to_string(&spans)
        .expect("read")
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            (
                v["doc"].as_str().expect("doc").to_owned(),
                v["text"].as_str().expect("text").to_owned(),
            )
        })
        .collect();
    got.sort();
    wanted.sort();
    assert_eq!(got, wanted, "every entity on the right words");
}
