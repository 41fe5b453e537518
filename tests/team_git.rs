//! Two annotators on one project through real git: a bare repository, two clones, each
//! with `spantag git-setup`; concurrent annotation of different and of the same
//! documents, push and pull. The clean pull merges without markers; the conflicting one
//! is reported by git and recorded by spantag in a project that `spantag check` passes.
//! Skips (with a message) only where git is not installed.

use spantag::io::project_file;
use spantag::model::ConflictKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Runs git in `dir` as a fixed person, with no user or system config.
fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Annotator",
            "-c",
            "user.email=a@example.org",
        ])
        .args(["-c", "init.defaultBranch=main", "-c", "pull.rebase=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> Output {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn spantag(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_spantag"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("spantag runs");
    assert!(
        out.status.success(),
        "spantag {args:?}: {}",
        text(&out.stderr)
    );
    out
}

/// Tags the first occurrence of `needle` in the first document of `clone`'s project.
fn tag(clone: &Path, doc: usize, needle: &str, label: &str) {
    let project = project_file::load(&clone.join("project.ron")).expect("project");
    let d = &project.documents()[doc];
    let body = d.text().as_str();
    let byte = body.find(needle).expect("needle");
    let start = body[..byte].chars().count();
    let line = serde_json::json!({
        "doc": d.id().to_string(), "start": start, "end": start + needle.chars().count(),
        "text": needle, "kind": "entity", "label": label,
    });
    let jsonl = clone.join("..").join("tags.jsonl");
    std::fs::write(&jsonl, format!("{line}\n")).expect("jsonl");
    spantag(
        clone,
        &[
            "import",
            s(&jsonl),
            "--format",
            "spans",
            "-o",
            "project.ron",
        ],
    );
}

fn commit(clone: &Path, message: &str) {
    git_ok(clone, &["commit", "-qam", message]);
}

fn clone_of(remote: &Path, root: &Path, name: &str) -> PathBuf {
    git_ok(root, &["clone", "-q", s(remote), name]);
    let clone = root.join(name);
    spantag(&clone, &["git-setup"]);
    clone
}

#[test]
fn two_clones_annotate_push_and_pull_through_the_merge_driver() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: the git merge driver test is skipped");
        return;
    }
    let root = tempfile::tempdir().expect("dir");
    let root = root.path();
    let remote = root.join("remote.git");
    git_ok(root, &["init", "-q", "--bare", s(&remote)]);

    // Ann starts the project and installs the driver; .gitattributes is committed.
    let ann = root.join("ann");
    git_ok(root, &["clone", "-q", s(&remote), "ann"]);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    spantag(&ann, &["new", s(&corpus), "-o", "project.ron"]);
    let setup = spantag(&ann, &["git-setup", "."]);
    assert!(text(&setup.stdout).contains("added to .gitattributes"));
    let again = spantag(&ann, &["git-setup"]);
    assert!(text(&again.stdout).contains("already in .gitattributes"));
    let attributes = std::fs::read_to_string(ann.join(".gitattributes")).expect("attributes");
    assert_eq!(attributes, "*.ron merge=spantag\n");
    let driver = git_ok(&ann, &["config", "merge.spantag.driver"]);
    assert!(text(&driver.stdout).ends_with("merge %O %A %B -o %A\n"));
    git_ok(&ann, &["add", "project.ron", ".gitattributes"]);
    commit(&ann, "new project");
    git_ok(&ann, &["push", "-q", "origin", "HEAD:main"]);
    let bob = clone_of(&remote, root, "bob");

    // Concurrent work: different documents, and the same document (other spans).
    tag(&ann, 0, "Cambridge Analytica", "ORG");
    tag(&ann, 1, "Facebook", "ORG");
    commit(&ann, "ann tags");
    tag(&bob, 0, "Facebook", "ORG");
    tag(&bob, 2, "Facebook", "ORG");
    commit(&bob, "bob tags");
    git_ok(&ann, &["push", "-q", "origin", "HEAD:main"]);
    git_ok(&bob, &["pull", "-q", "--no-edit", "origin", "main"]);
    let merged_text = std::fs::read_to_string(bob.join("project.ron")).expect("read");
    assert!(!merged_text.contains("<<<<<<<"), "no text markers");
    spantag(&bob, &["check", "project.ron"]);
    let merged = project_file::load(&bob.join("project.ron")).expect("merged");
    assert_eq!(merged.annotations().len(), 4, "both annotators' tags");
    assert!(merged.conflicts().is_empty());
    let leftovers: Vec<String> = std::fs::read_dir(&bob)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".merge_file"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the driver leaves nothing behind: {leftovers:?}"
    );
    git_ok(&bob, &["push", "-q", "origin", "HEAD:main"]);
    git_ok(&ann, &["pull", "-q", "--no-edit", "origin", "main"]);
    let ann_project = project_file::load(&ann.join("project.ron")).expect("ann");
    assert_eq!(ann_project, merged, "both clones hold the same project");

    // A conflict: the same span with two labels. Git reports it; spantag records it.
    tag(&ann, 3, "Facebook", "ORG");
    commit(&ann, "ann: Facebook is an organisation");
    tag(&bob, 3, "Facebook", "MISC");
    commit(&bob, "bob: Facebook is something else");
    git_ok(&ann, &["push", "-q", "origin", "HEAD:main"]);
    let pull = git(&bob, &["pull", "--no-edit", "origin", "main"]);
    assert!(!pull.status.success(), "git reports the conflict");
    assert!(
        text(&pull.stdout).contains("CONFLICT"),
        "{}",
        text(&pull.stdout)
    );
    let conflicted = std::fs::read_to_string(bob.join("project.ron")).expect("read");
    assert!(
        !conflicted.contains("<<<<<<<"),
        "recorded as data, not markers"
    );
    spantag(&bob, &["check", "project.ron"]);
    let recorded = project_file::load(&bob.join("project.ron")).expect("recorded");
    let kinds: Vec<ConflictKind> = recorded.conflicts().iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ConflictKind::SameSpan]);
    assert_eq!(recorded.annotations().len(), 6, "both versions kept");
    // Settled in the window later; here, committing the recorded conflict concludes the
    // merge like any resolved file.
    git_ok(&bob, &["add", "project.ron"]);
    git_ok(&bob, &["commit", "-qm", "merge, conflict recorded"]);
}
