//! The command line as scripts use it: exit codes, one-line messages naming the file,
//! no partial outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn spantag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(args)
        .output()
        .expect("spantag runs")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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
