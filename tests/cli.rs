//! The command line as scripts use it: exit codes, one-line messages naming the file,
//! no partial outputs.

#[path = "common/cli.rs"]
mod cli;
use cli::{spantag, stderr};

use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus")
}

/// `spantag new` on the bundled corpus into `path`; the test stops if it fails.
fn new_project(path: &str) {
    let out = spantag(&["new", corpus().to_str().expect("corpus path"), "-o", path]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn new_then_stats_and_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let p = p.to_str().expect("utf-8 path");
    let out = spantag(&["new", corpus().to_str().expect("path"), "-o", p]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = spantag(&["stats", p, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["documents"], 5);
    assert_eq!(json["annotations"], 0);
    assert_eq!(json["per_document"].as_object().map(|o| o.len()), Some(5));
    assert_eq!(json["per_status"]["not started"], 5);

    let out = spantag(&["stats", p]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("5 documents, 0 annotations"));

    let out = spantag(&["check", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (5 documents, 0 annotations)"));
}

#[test]
fn saving_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.ron");
    let b = dir.path().join("b.ron");
    for p in [&a, &b] {
        let out = spantag(&[
            "new",
            corpus().to_str().expect("path"),
            "-o",
            p.to_str().expect("p"),
        ]);
        assert!(out.status.success());
    }
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
}

#[test]
fn bad_input_exits_1_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let broken = dir.path().join("broken.ron");
    std::fs::write(
        &broken,
        "(format: \"spantag-project\", version: 2,\n schema: oops",
    )
    .expect("write");
    let newer = dir.path().join("newer.ron");
    std::fs::write(
        &newer,
        "(format: \"spantag-project\", version: 9, future: true)",
    )
    .expect("write");
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).expect("mkdir");
    let binary = dir.path().join("bin.txt");
    std::fs::write(&binary, b"\x00\x01\x02\xff").expect("write");
    let out_path = dir.path().join("out.ron");
    let b = broken.to_str().expect("p");
    let n = newer.to_str().expect("p");
    let e = empty_dir.to_str().expect("p");
    let bin = binary.to_str().expect("p");
    let o = out_path.to_str().expect("p");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["stats", b], "broken.ron:2:"),
        (vec!["check", b], "broken.ron:2:"),
        (
            vec!["stats", n],
            "newer.ron: project format version 9 is newer",
        ),
        (vec!["stats", "/no/such/file.ron"], "/no/such/file.ron"),
        (vec!["new", e, "-o", o], "empty: no .txt files found"),
        (
            vec!["new", bin, "-o", o],
            "bin.txt: line 1: contains NUL bytes",
        ),
    ];
    for (args, want) in cases {
        let out = spantag(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line for {args:?}: {err}");
        assert!(err.contains(want), "{args:?}: wanted '{want}' in {err}");
    }
    assert!(!out_path.exists(), "no partial output left behind");
}

#[test]
fn check_lists_every_problem() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let out = spantag(&[
        "new",
        corpus().to_str().expect("path"),
        "-o",
        p.to_str().expect("p"),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&p).expect("read");
    // Break two things: a hash and a span out of range.
    let broken = text
        .replacen("annotations: [],", "annotations: [\n        (id: 1, spans: [(5, 99999)], kind: Entity(label: \"PER\")),\n      ],", 1)
        .replacen("text: \"Het ICO", "text: \"Het ico", 1);
    std::fs::write(&p, broken).expect("write");
    let out = spantag(&["check", p.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("lies outside the text"), "{stdout}");
    assert!(
        stdout.contains("does not match its content hash"),
        "{stdout}"
    );
    assert!(
        stderr(&out).contains("2 problem(s) found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_and_version_exit_0() {
    assert!(spantag(&["--help"]).status.success());
    assert!(spantag(&["--version"]).status.success());
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("saves/example.ron")
        .to_str()
        .expect("path")
        .to_owned()
}

#[test]
fn export_every_format_and_report_what_conll_leaves_out() {
    let dir = tempfile::tempdir().expect("tmp");
    for format in ["spans", "csv", "conll", "brat", "doccano", "prodigy"] {
        let out = dir.path().join(format!("out-{format}"));
        let o = out.to_str().expect("p");
        let run = spantag(&["export", &example(), "--format", format, "-o", o]);
        assert!(run.status.success(), "{format}: {}", stderr(&run));
        assert!(out.exists(), "{format} written");
        if format == "conll" {
            assert!(stderr(&run).contains("stances"), "{}", stderr(&run));
        }
    }
    let spans = std::fs::read_to_string(dir.path().join("out-spans")).expect("spans");
    let stance_lines = spans
        .lines()
        .filter(|l| l.contains("\"kind\":\"stance\""))
        .count();
    assert_eq!(stance_lines, 36);
}

#[test]
fn stats_json_reports_stances_and_the_matrix() {
    let out = spantag(&["stats", &example(), "--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["stances"], 36);
    assert_eq!(
        json["stance"]["matrix"]["Paul Stamsnijder"]["Mark Zuckerberg"]["AGAINST"],
        3
    );
    assert!(
        json["stance"]["per_target"]["Facebook"]["FAVOR"]
            .as_u64()
            .unwrap_or(0)
            > 0
    );
}

#[test]
fn spans_export_imports_back_into_a_new_project_exactly() {
    let dir = tempfile::tempdir().expect("tmp");
    let spans = dir.path().join("s.jsonl");
    let p = dir.path().join("p.ron");
    let s = spans.to_str().expect("p");
    let pp = p.to_str().expect("p");
    assert!(
        spantag(&["export", &example(), "--format", "spans", "-o", s])
            .status
            .success()
    );
    new_project(pp);
    let run = spantag(&["import", s, "-o", pp]);
    assert!(run.status.success(), "{}", stderr(&run));
    let a = spantag(&["stats", &example(), "--json"]);
    let b = spantag(&["stats", pp, "--json"]);
    let (mut a, mut b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&a.stdout).expect("a"),
        serde_json::from_slice(&b.stdout).expect("b"),
    );
    // Statuses are project state, not annotations.
    for v in [&mut a, &mut b] {
        v["per_status"] = serde_json::Value::Null;
        for d in v["per_document"]
            .as_object_mut()
            .expect("docs")
            .values_mut()
        {
            d["status"] = serde_json::Value::Null;
        }
    }
    assert_eq!(a, b);
}

#[test]
fn import_skips_a_broken_line_reports_it_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let pp = p.to_str().expect("p");
    new_project(pp);
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"text\": \"ok\", \"label\": [[0, 2, \"X\"]]}\n{truncated",
    )
    .expect("w");
    let run = spantag(&[
        "import",
        bad.to_str().expect("p"),
        "--format",
        "prodigy",
        "-o",
        pp,
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("bad.jsonl:2"),
        "skipped line reported: {}",
        stderr(&run)
    );
    let out = spantag(&["stats", pp, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["documents"], 6, "the good line was kept");
}

#[test]
fn import_of_a_missing_file_exits_1_and_leaves_the_project_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let pp = p.to_str().expect("p");
    new_project(pp);
    let before = std::fs::read(&p).expect("read");
    let run = spantag(&["import", "/no/such.jsonl", "-o", pp]);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("/no/such.jsonl"), "{}", stderr(&run));
    assert_eq!(
        before,
        std::fs::read(&p).expect("read"),
        "project untouched"
    );
}

#[test]
fn export_refuses_to_overwrite_the_project_or_a_corpus_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    std::fs::copy(example(), &p).expect("copy");
    let before = std::fs::read(&p).expect("read");
    let pp = p.to_str().expect("p");
    let run = spantag(&["export", pp, "--format", "spans", "-o", pp]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&p).expect("read"),
        before,
        "project untouched"
    );
    let corpus_copy = dir.path().join("corpus");
    std::fs::create_dir(&corpus_copy).expect("mkdir");
    std::fs::write(corpus_copy.join("a.txt"), "tekst").expect("write");
    let c = corpus_copy.to_str().expect("p");
    let run = spantag(&["export", pp, "--format", "brat", "-o", c]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(
        std::fs::read_to_string(corpus_copy.join("a.txt")).expect("kept"),
        "tekst"
    );
}

/// `spantag stats` counts while it loads (each document on the loader's workers); its
/// report is exactly the one counting the loaded project gives, in JSON and as text, on a
/// generated project with stances, holders and statuses.
#[test]
fn stats_counted_while_loading_are_the_loaded_project_counts() {
    use spantag::corpus::generate::{Spec, generate};
    use spantag::corpus::stats;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("generated.ron");
    let project = generate(&Spec {
        documents: 300,
        words_per_document: 120,
        spans_per_document: 12,
        seed: 3,
    });
    spantag::io::project_file::save(&project, &path).expect("saved");
    let expected = stats::compute(&spantag::io::project_file::load(&path).expect("loads"));
    assert!(expected.stances > 0 && expected.stance.matrix.len() > 1);
    let p = path.to_str().expect("utf-8 path");
    let out = spantag(&["stats", p, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = serde_json::to_string_pretty(&expected).expect("json");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{json}\n"));
    let out = spantag(&["stats", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        stats::to_text(&expected)
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_without_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p.ron");
    let p = p.to_str().expect("utf-8 path");
    new_project(p);
    for args in [vec!["stats", p], vec!["stats", p, "--json"]] {
        // The reader is gone before the program writes (`spantag stats | head -0`).
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_spantag"))
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("spantag runs");
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {err}");
    }
}
