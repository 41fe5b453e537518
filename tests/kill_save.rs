//! A save killed at any moment leaves the complete old file or the complete new one.
//!
//! A project of a few MB is written, then `spantag import` into it is started and killed
//! with SIGKILL after a pseudo-random delay, 52 times. After every kill the project file
//! must load and be byte for byte the old version or the new one (the result of the same
//! import run to the end), and a backup, if one was left, must be the complete old version.
//! No timing is asserted: where the kills land only changes how often each outcome is seen.

use spantag::io::{atomic, project_file};
use spantag::model::{Annotation, AnnotationId, DocId, Document, Edit, Project, Span, apply};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// How many kills.
const TRIALS: usize = 52;

/// A deterministic xorshift generator, so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A fraction in `[0, 1)`.
    fn fraction(&mut self) -> f64 {
        (self.next() % 10_000) as f64 / 10_000.0
    }
}

/// About 3 MB: 300 documents of ~10 kB with 20 entities each.
fn big_project() -> Project {
    let words = [
        "Zuckerberg",
        "zegt",
        "sorry",
        "tegen",
        "het",
        "Europees",
        "Parlement",
        "over",
        "Cambridge",
        "Analytica",
        "en",
        "de",
        "gegevens",
        "van",
        "miljoenen",
        "gebruikers",
        "café",
        "😀",
        "e\u{301}n",
        "Facebook",
    ];
    let mut rng = Rng(7);
    let docs: Vec<Document> = (0..300)
        .map(|i| {
            let text: Vec<&str> = (0..1400)
                .map(|_| words[(rng.next() % words.len() as u64) as usize])
                .collect();
            Document::from_raw(DocId::from(format!("doc{i:04}")), &text.join(" "))
        })
        .collect();
    let mut project = Project::new(project_file::default_schema(), docs.clone()).expect("project");
    for doc in &docs {
        let mut edits = Vec::new();
        for k in 0..20 {
            let start = k * 40;
            let span = Span::new(start, start + 10, doc.text()).expect("span");
            let label = ["PER", "ORG", "LOC"][k % 3];
            let tag = Annotation::entity(AnnotationId::NEW, span, label);
            edits.push(Edit::AddAnnotation(
                doc.id().clone(),
                project.with_new_id(doc.id(), tag),
            ));
        }
        apply(&mut project, Edit::Batch(edits)).expect("annotations");
    }
    project
}

/// A doccano file with a few new documents to import.
fn import_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("new.jsonl");
    let lines: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"id": "nieuw{i}", "text": "Mark Zuckerberg zegt sorry {i}.", "label": [[0, 15, "PER"]]}}"#
            )
        })
        .collect();
    std::fs::write(&path, lines.join("\n")).expect("import file");
    path
}

fn import_command(input: &Path, project: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spantag"));
    cmd.arg("import")
        .arg(input)
        .args(["--format", "doccano", "-o"])
        .arg(project)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// Puts the old version back and removes the backup and any temporary file a kill left.
fn reset(dir: &Path, project: &Path, old: &[u8]) {
    for entry in std::fs::read_dir(dir).expect("ls").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") || name.ends_with(".bak") {
            std::fs::remove_file(entry.path()).expect("clean up");
        }
    }
    std::fs::write(project, old).expect("old version");
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project_path = dir.path().join("p.ron");
    let input = import_file(dir.path());
    project_file::save(&big_project(), &project_path).expect("save");
    let old = std::fs::read(&project_path).expect("old");
    assert!(
        old.len() > 2_000_000,
        "a project of a few MB: {}",
        old.len()
    );

    // The new version: the same import, run to the end. Its duration sets the kill delays.
    let started = Instant::now();
    let status = import_command(&input, &project_path)
        .status()
        .expect("runs");
    let full = started.elapsed();
    assert!(status.success(), "the import itself succeeds");
    let new = std::fs::read(&project_path).expect("new");
    assert_ne!(old, new, "the import changes the project");
    let backup = atomic::backup_path(&project_path);
    assert_eq!(std::fs::read(&backup).expect("backup"), old);

    let mut rng = Rng(0x5eed_cafe);
    let (mut saw_old, mut saw_new, mut mid_write) = (0, 0, 0);
    for trial in 0..TRIALS {
        reset(dir.path(), &project_path, &old);
        // Half the kills anywhere in the run, half in its second half, where the save is.
        let fraction = if trial % 2 == 0 {
            rng.fraction() * 1.1
        } else {
            0.5 + rng.fraction() * 0.6
        };
        let delay = full.mul_f64(fraction);
        let mut child = import_command(&input, &project_path)
            .spawn()
            .expect("spawns");
        std::thread::sleep(delay);
        // SIGKILL; an error only means the process had already finished.
        let _ = child.kill();
        child.wait().expect("reaped");

        let now = std::fs::read(&project_path).expect("the project file exists");
        let which = if now == old {
            saw_old += 1;
            "old"
        } else if now == new {
            saw_new += 1;
            "new"
        } else {
            panic!(
                "trial {trial} (kill after {delay:?}): the file is neither version \
                 ({} bytes; old {}, new {})",
                now.len(),
                old.len(),
                new.len()
            );
        };
        let loaded = project_file::load(&project_path);
        assert!(
            loaded.is_ok(),
            "trial {trial}: the {which} version does not load: {:?}",
            loaded.err()
        );
        // A temporary file left behind means the kill landed while a file was being written.
        mid_write += usize::from(
            std::fs::read_dir(dir.path())
                .expect("ls")
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".tmp")),
        );
        if let Ok(bak) = std::fs::read(&backup) {
            assert_eq!(
                bak, old,
                "trial {trial}: the backup is the complete old version"
            );
        }
    }
    eprintln!(
        "{TRIALS} kills over a {full:?} import: {saw_old} left the old file, {saw_new} the \
         new; {mid_write} landed while a file was being written"
    );
    assert_eq!(saw_old + saw_new, TRIALS);
}
