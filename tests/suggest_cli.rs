//! `spantag suggest P.ron --json`: one JSON object a line whose code-point offsets slice
//! the document to the printed text, never on an existing entity, never a rejected one.

use serde_json::Value;
use spantag::model::edit::removal_edit;
use spantag::model::{CharOffset, DocId, Project, apply};
use std::path::{Path, PathBuf};
use std::process::Command;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron")
}

/// Runs `spantag suggest` on a project file and parses its JSON lines.
fn suggest(path: &Path, extra: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_spantag"))
        .arg("suggest")
        .arg(path)
        .arg("--json")
        .args(extra)
        .output()
        .expect("spantag runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// Checks one suggestion against the project and returns `(doc, start, end, label)`.
fn check_against(project: &Project, s: &Value) -> (String, usize, usize, String) {
    let field = |name: &str| s[name].as_str().unwrap_or_default().to_owned();
    let offset = |name: &str| {
        s[name]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .expect("offset")
    };
    let (doc, start, end, label) = (field("doc"), offset("start"), offset("end"), field("label"));
    let id = DocId::from(doc.clone());
    let text = project
        .document(&id)
        .expect("suggested document exists")
        .text();
    assert!(start < end && end <= text.char_len(), "{s}");
    assert_eq!(
        text.slice(CharOffset(start), CharOffset(end)),
        field("text"),
        "{s}"
    );
    assert!(
        project
            .schema()
            .entity_types
            .iter()
            .any(|t| t.name == label),
        "{s}"
    );
    for ann in project.annotations_of(&id) {
        if ann.kind().is_entity() {
            for span in ann.spans() {
                assert!(
                    span.end().0 <= start || end <= span.start().0,
                    "{s} overlaps {ann:?}"
                );
            }
        }
    }
    if let Some(canonical) = s.get("canonical") {
        assert!(canonical.as_str().is_some_and(|c| !c.is_empty()), "{s}");
    }
    (doc, start, end, label)
}

#[test]
fn suggest_json_offsets_match_the_text() {
    let project = spantag::io::project_file::load(&example()).expect("example loads");
    let plain = suggest(&example(), &[]);
    let plain: Vec<_> = plain.iter().map(|s| check_against(&project, s)).collect();
    let rejected: Vec<_> = project
        .rejected_suggestions()
        .iter()
        .map(|r| (r.doc.0.to_string(), r.start, r.end, r.label.clone()))
        .collect();
    assert!(plain.iter().all(|s| !rejected.contains(s)));

    // Genitives only add suggestions: "Trumps" is never a whole-word "Trump".
    let genitive: Vec<_> = suggest(&example(), &["--genitive"])
        .iter()
        .map(|s| check_against(&project, s))
        .collect();
    assert!(genitive.len() >= plain.len());
    assert!(plain.iter().all(|s| genitive.contains(s)));
}

/// With every other entity tag removed from the example, the removed tags come back as
/// suggestions wherever the same string is still tagged elsewhere.
#[test]
fn removed_tags_come_back_as_suggestions() {
    let mut project = spantag::io::project_file::load(&example()).expect("example loads");
    let removed: Vec<_> = project
        .annotations_with_documents()
        .filter(|(_, a)| a.kind().is_entity() && a.spans().len() == 1)
        .step_by(2)
        .map(|(d, a)| {
            let text = d.text();
            let span = a.spans()[0];
            (
                a.id(),
                d.id().0.clone(),
                span.start().0,
                span.end().0,
                a.text(text),
            )
        })
        .collect();
    for (id, ..) in &removed {
        let edit = removal_edit(&project, *id);
        apply(&mut project, edit).expect("removal applies");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("thinned.ron");
    spantag::io::project_file::save(&project, &path).expect("saves");

    let got: Vec<_> = suggest(&path, &[])
        .iter()
        .map(|s| check_against(&project, s))
        .collect();
    let tagged: Vec<String> = project
        .annotations_with_documents()
        .filter(|(_, a)| a.kind().is_entity())
        .map(|(d, a)| a.text(d.text()))
        .collect();
    let expected_back: Vec<_> = removed
        .iter()
        .filter(|(_, _, _, _, text)| text.chars().count() >= 2 && tagged.contains(text))
        .collect();
    assert!(expected_back.len() >= 10, "{}", expected_back.len());
    let back = expected_back
        .iter()
        .filter(|(_, doc, start, end, _)| {
            got.iter()
                .any(|(d, s, e, _)| **d == **doc && s == start && e == end)
        })
        .count();
    // Most come back; the rest overlap a remaining tag or lose to a longer pattern.
    assert!(
        back * 10 >= expected_back.len() * 8,
        "{back} of {}",
        expected_back.len()
    );
}
