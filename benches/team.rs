//! Team benchmarks: `cargo bench --bench team` (add `-- quick` for one run of each).
//!
//! Generates the big project (10,000 documents, 300,000 tags, as `benches/corpus.rs`
//! does) as the base, and two copies that each changed 5 % of the tags since — a third of
//! those relabelled (entities) or repolarised (stances), a third removed, a third added —
//! on different tags. Measures the three-way merge in memory and `spantag merge` end to
//! end (loading the three files, merging, writing the result), and the split into 10
//! assignments in memory and as `spantag split`. Prints Markdown table rows (median of
//! several runs) for BENCHMARKS.md. `-- files DIR` only writes the three projects
//! (`DIR/base.ron`, `ours.ron`, `theirs.ron`) for profiling `spantag merge` by hand.

mod common;
use common::*;

use spantag::corpus::generate::{Spec, generate};
use spantag::corpus::team::merge3::{merge3_into_ours, merge3_rebuilt};
use spantag::corpus::team::split::split;
use spantag::io::project_file;
use spantag::model::edit::removal_edit;
use spantag::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, Edit, Project, ProjectParts, apply,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let runs = if quick { 1 } else { 5 };
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("machine: {cores} cores");
    println!("| figure | median | target | note |");
    println!("|---|---|---|---|");

    let base = generate(&Spec {
        documents: 10_000,
        words_per_document: 390,
        spans_per_document: 30,
        seed: 1,
    });
    let ours = changed(&base, 0);
    let theirs = changed(&base, 10);
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "files") {
        let out = args
            .get(at + 1)
            .map_or_else(|| fail("files needs a folder"), PathBuf::from);
        for (name, p) in [("base", &base), ("ours", &ours), ("theirs", &theirs)] {
            project_file::save_without_backup(p, &out.join(format!("{name}.ron")))
                .unwrap_or_else(|e| fail(&e.to_string()));
        }
        return;
    }

    let mut conflicts = 0;
    let merge_time = median(runs, || {
        let copy = ours.clone();
        let t = Instant::now();
        let merged =
            merge3_into_ours(&base, copy, &theirs).unwrap_or_else(|e| fail(&e.to_string()));
        let elapsed = t.elapsed();
        conflicts = merged.conflicts().len();
        std::mem::forget(merged);
        elapsed
    });
    let mut rebuilt = None;
    let rebuilt_time = median(runs, || {
        let t = Instant::now();
        let merged = merge3_rebuilt(&base, &ours, &theirs).unwrap_or_else(|e| fail(&e.to_string()));
        let elapsed = t.elapsed();
        if let Some(old) = rebuilt.replace(merged) {
            std::mem::forget(old);
        }
        elapsed
    });
    // The fast way must give what building the result from scratch gives.
    let merged =
        merge3_into_ours(&base, ours.clone(), &theirs).unwrap_or_else(|e| fail(&e.to_string()));
    if rebuilt.as_ref() != Some(&merged) {
        fail("merging into ours and building the result anew differ");
    }
    std::mem::forget(merged);
    std::mem::forget(rebuilt);
    row(
        "three-way merge in memory, applied to ours (2 × 5 % of 300k tags changed)",
        merge_time,
        "",
        &format!(
            "{} / {} / {} annotations; {conflicts} conflicts (a stance one side changed \
             whose holder the other removed)",
            base.annotations().len(),
            ours.annotations().len(),
            theirs.annotations().len()
        ),
    );

    row(
        "three-way merge built from scratch (`merge3_rebuilt`)",
        rebuilt_time,
        "",
        "the reference; the same project",
    );

    // Floors: what building any 300k-tag result costs on this machine right now.
    let clone_time = median(runs, || time_leaking(|| base.clone()));
    row("floor: clone of the base project", clone_time, "", "");
    let parts_time = median(runs, || {
        time_leaking(|| {
            Project::from_parts(ProjectParts {
                schema: base.schema().clone(),
                documents: base.documents().to_vec(),
                annotations: base
                    .documents()
                    .iter()
                    .map(|d| (d.id().clone(), base.annotations_in(d.id()).to_vec()))
                    .collect(),
                statuses: Vec::new(),
                relations: Vec::new(),
                rejected: Vec::new(),
            })
            .unwrap_or_else(|e| fail(&e.to_string()))
        })
    });
    row(
        "floor: `Project::from_parts` of the base's 300k annotations",
        parts_time,
        "",
        "how merge builds its result",
    );

    let paths: Vec<PathBuf> = [("base", &base), ("ours", &ours), ("theirs", &theirs)]
        .iter()
        .map(|(name, p)| {
            let path = dir.path().join(format!("{name}.ron"));
            project_file::save(p, &path).unwrap_or_else(|e| fail(&e.to_string()));
            path
        })
        .collect();
    let load_time = median(runs, || {
        time_leaking(|| project_file::load(&paths[1]).unwrap_or_else(|e| fail(&e.to_string())))
    });
    row(
        "floor: loading one copy (`project_file::load`)",
        load_time,
        "",
        "",
    );
    let save_time = median(runs, || {
        let t = Instant::now();
        project_file::save_without_backup(&ours, &dir.path().join("saved.ron"))
            .unwrap_or_else(|e| fail(&e.to_string()));
        t.elapsed()
    });
    row("floor: saving one copy", save_time, "", "");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_spantag"));
    let out = dir.path().join("out.ron");
    // Exit 1 is a merge that recorded conflicts: a result all the same.
    let cli_merge = median(runs, || {
        timed_allowing(
            Command::new(&bin)
                .arg("merge")
                .args(&paths)
                .arg("-o")
                .arg(&out),
            &[0, 1],
        )
    });
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e6;
    row(
        "`spantag merge BASE OURS THEIRS -o OUT` (10k docs / 300k tags)",
        cli_merge,
        "≤ 2 s",
        &format!(
            "loads 3 × {:.0} MB, writes {:.0} MB",
            size(&paths[0]),
            size(&out)
        ),
    );

    let names: Vec<String> = (1..=10).map(|i| format!("a{i}")).collect();
    let split_time = median(runs, || {
        time_leaking(|| split(&base, &names, None).unwrap_or_else(|e| fail(&e.to_string())))
    });
    row(
        "split into 10 assignments in memory (1,000 shared)",
        split_time,
        "",
        "",
    );
    let shares_dir = dir.path().join("shares");
    let cli_split = median(runs, || {
        timed(
            Command::new(&bin)
                .arg("split")
                .arg(&paths[0])
                .args(["--annotators", &names.join(","), "-o"])
                .arg(&shares_dir),
        )
    });
    row(
        "`spantag split P.ron --annotators a1,…,a10 -o DIR`",
        cli_split,
        "≤ 3 s",
        "loads the project, writes 10 projects",
    );
}

/// A copy of `base` with 5 % of its tags changed: of every 20th annotation counted from
/// `offset`, a third relabelled (or repolarised), a third removed, and for the last third
/// a document stance added to its document.
fn changed(base: &Project, offset: usize) -> Project {
    let mut p = base.clone();
    let chosen: Vec<Annotation> = base
        .annotations()
        .values()
        .enumerate()
        .filter(|(i, _)| i % 20 == offset)
        .map(|(_, a)| a.clone())
        .collect();
    let mut edits = Vec::with_capacity(chosen.len());
    for (k, ann) in chosen.iter().enumerate() {
        match k % 3 {
            0 => {
                let kind = match ann.kind() {
                    AnnotationKind::Entity { canonical, .. } => AnnotationKind::Entity {
                        label: "MISC".into(),
                        canonical: canonical.clone(),
                    },
                    AnnotationKind::Stance { target, holder, .. } => AnnotationKind::Stance {
                        target: target.clone(),
                        polarity: "NONE".into(),
                        holder: *holder,
                    },
                };
                if let Ok(new) = ann.with_kind(kind) {
                    edits.push(Edit::ReplaceAnnotation(new));
                }
            }
            1 => edits.push(removal_edit(&p, ann.id())),
            _ => {
                let kind = AnnotationKind::Stance {
                    // The same on both sides: added to one document by both, it is one
                    // annotation (same content, same id), not a conflict.
                    target: "extra".into(),
                    polarity: "FAVOR".into(),
                    holder: None,
                };
                let anchor = Anchor::Document;
                let doc = p.document_of(ann.id()).map(|d| d.id().clone());
                if let (Ok(new), Some(doc)) =
                    (Annotation::new(AnnotationId::NEW, anchor, kind), doc)
                {
                    let new = p.with_new_id(&doc, new);
                    edits.push(Edit::AddAnnotation(doc, new));
                }
            }
        }
    }
    // Removals of holders and relabels of their stances may meet: apply one at a time,
    // keeping those that apply.
    for edit in edits {
        let _ = apply(&mut p, edit);
    }
    p
}

fn timed(command: &mut Command) -> Duration {
    timed_allowing(command, &[0])
}

/// How long `command` takes; it must exit with one of `codes`.
fn timed_allowing(command: &mut Command, codes: &[i32]) -> Duration {
    let t = Instant::now();
    match command.output() {
        Ok(out) if out.status.code().is_some_and(|c| codes.contains(&c)) => t.elapsed(),
        Ok(out) => fail(&String::from_utf8_lossy(&out.stderr)),
        Err(e) => fail(&e.to_string()),
    }
}

fn row(figure: &str, value: Duration, target: &str, note: &str) {
    let ms = value.as_secs_f64() * 1000.0;
    println!("| {figure} | {ms:.0} ms | {target} | {note} |");
}
