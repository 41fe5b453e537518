//! Corpus order through the command line: a project keeps its documents in the order of
//! their source (a folder in natural order, CoNLL documents in file order), saves them in
//! that order, a CoNLL import → export gives the same tokens and tags in the same order,
//! and an older project file (documents sorted by id) opens and saves unchanged.

#[path = "common/cli.rs"]
mod cli;
use cli::spantag;

use std::path::{Path, PathBuf};

fn ok(args: &[&str]) {
    let out = spantag(args);
    assert!(
        out.status.success(),
        "spantag {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Document ids in the order the project file lists them.
fn saved_ids(project: &Path) -> Vec<String> {
    spantag::io::project_file::load(project)
        .expect("project loads")
        .documents()
        .iter()
        .map(|d| d.id().as_str().to_owned())
        .collect()
}

/// Twelve CoNLL documents, in the exporter's own layout: the tenth sorts before the second
/// as text, so id order and file order differ.
fn conll_input() -> String {
    let mut out = String::new();
    for n in 1..=12 {
        if n > 1 {
            out.push_str("-DOCSTART-\tO\n\n");
        }
        out.push_str(&format!(
            "Document\tO\n{n}\tO\nnoemt\tO\nJan\tB-PER\nde\tI-PER\nVries\tI-PER\nuit\tO\nUtrecht\tB-LOC\n.\tO\n\n"
        ));
        out.push_str(&format!("Het\tO\nnummer\tO\nis\tO\n{}\tO\n.\tO\n\n", n * 7));
    }
    out
}

/// (token, tag) lines of each document of a CoNLL file, blank lines left out.
fn conll_documents(text: &str) -> Vec<Vec<(String, String)>> {
    let mut docs = vec![Vec::new()];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut columns = line.split_whitespace();
        let token = columns.next().unwrap_or_default().to_owned();
        let tag = columns.last().unwrap_or_default().to_owned();
        if token == "-DOCSTART-" {
            docs.push(Vec::new());
        } else if let Some(doc) = docs.last_mut() {
            doc.push((token, tag));
        }
    }
    docs
}

#[test]
fn a_conll_file_imported_and_exported_again_gives_the_same_tokens_and_tags_in_order() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("ned.conll");
    std::fs::write(&input, conll_input()).expect("write");
    let project = dir.path().join("p.ron");
    let output = dir.path().join("out.conll");
    ok(&[
        "import",
        path_str(&input),
        "--format",
        "conll",
        "-o",
        path_str(&project),
    ]);
    let expected: Vec<String> = (1..=12).map(|n| format!("ned-{n}")).collect();
    assert_eq!(saved_ids(&project), expected, "file order, not text order");
    ok(&[
        "export",
        path_str(&project),
        "--format",
        "conll",
        "-o",
        path_str(&output),
    ]);
    let exported = std::fs::read_to_string(&output).expect("exported");
    let (before, after) = (conll_documents(&conll_input()), conll_documents(&exported));
    assert_eq!(after.len(), 12);
    assert_eq!(after, before);
    assert_eq!(
        exported,
        conll_input(),
        "the exporter's own layout comes back byte for byte"
    );
}

#[test]
fn a_folder_becomes_a_project_in_natural_order_saved_in_that_order() {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).expect("mkdir");
    for name in ["doc10", "doc2", "doc1", "doc21", "doc3"] {
        std::fs::write(
            corpus.join(format!("{name}.txt")),
            format!("Tekst van {name}."),
        )
        .expect("write");
    }
    let project = dir.path().join("p.ron");
    ok(&["new", path_str(&corpus), "-o", path_str(&project)]);
    assert_eq!(
        saved_ids(&project),
        ["doc1", "doc2", "doc3", "doc10", "doc21"]
    );
    // Saving is still deterministic: the same corpus gives the same bytes.
    let again = dir.path().join("again.ron");
    ok(&["new", path_str(&corpus), "-o", path_str(&again)]);
    assert_eq!(
        std::fs::read(&project).expect("p"),
        std::fs::read(&again).expect("again")
    );
}

#[test]
fn files_given_one_by_one_keep_the_order_given() {
    let dir = tempfile::tempdir().expect("tmp");
    let files: Vec<PathBuf> = ["zeta", "alpha", "mid"]
        .iter()
        .map(|name| {
            let file = dir.path().join(format!("{name}.txt"));
            std::fs::write(&file, format!("Tekst {name}.")).expect("write");
            file
        })
        .collect();
    let project = dir.path().join("p.ron");
    let mut args = vec!["new"];
    args.extend(files.iter().map(|f| path_str(f)));
    args.extend(["-o", path_str(&project)]);
    ok(&args);
    assert_eq!(saved_ids(&project), ["zeta", "alpha", "mid"]);
}

#[test]
fn an_older_project_file_with_documents_sorted_by_id_opens_and_saves_unchanged() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    let project = spantag::io::project_file::load(&example).expect("example opens");
    let ids: Vec<&str> = project
        .documents()
        .iter()
        .map(|d| d.id().as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "written when documents were kept sorted by id");
    let dir = tempfile::tempdir().expect("tmp");
    let copy = dir.path().join("copy.ron");
    spantag::io::project_file::save(&project, &copy).expect("save");
    // The format version moves on (version 3: content-derived ids); nothing else changes.
    let example_text = std::fs::read_to_string(&example).expect("example");
    let version = |text: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with("version:"))
            .map(str::to_owned)
    };
    let old = version(&example_text).expect("a version line");
    let now = format!("  version: {},", spantag::io::project_file::CURRENT_VERSION);
    assert_eq!(
        std::fs::read_to_string(&copy).expect("copy"),
        example_text.replacen(&old, &now, 1),
        "saving an older file changes no byte but the version"
    );
}
