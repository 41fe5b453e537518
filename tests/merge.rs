//! Merging two annotators' projects: the differences found, taking A's or B's version
//! per difference or all at once, holders that follow, and undo of every choice.

use spantag::corpus::merge::{self, DiffKind, Side};
use spantag::io::project_file;
use spantag::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Edit, History, Project,
    Span, apply,
};
use std::collections::BTreeMap;

const TEXT: &str = "Mark Zuckerberg bezoekt Brussel en Facebook, zegt Twitter.";

fn project() -> Project {
    let doc = Document::new(DocId("d".into()), "d".into(), BTreeMap::new(), TEXT.into());
    Project::new(project_file::default_schema(), vec![doc]).expect("project")
}

fn span(p: &Project, needle: &str) -> Span {
    let text = p.documents()[0].text();
    let byte = text.as_str().find(needle).expect("needle");
    let start = text.as_str()[..byte].chars().count();
    Span::new(start, start + needle.chars().count(), text).expect("span")
}

fn entity(p: &mut Project, needle: &str, label: &str) -> AnnotationId {
    let s = span(p, needle);
    let tag = p.with_new_id(
        &DocId("d".into()),
        Annotation::entity(AnnotationId::NEW, s, label),
    );
    let id = tag.id();
    apply(p, Edit::AddAnnotation(DocId("d".into()), tag)).expect("add");
    id
}

fn stance(p: &mut Project, quote: &str, polarity: &str, holder: Option<AnnotationId>) {
    let ann = Annotation::new(
        AnnotationId::NEW,
        Anchor::span(span(p, quote)),
        AnnotationKind::Stance {
            target: "Facebook".into(),
            polarity: polarity.into(),
            holder: holder.and_then(spantag::model::HolderId::new),
        },
    )
    .expect("stance");
    let ann = p.with_new_id(&DocId("d".into()), ann);
    apply(p, Edit::AddAnnotation(DocId("d".into()), ann)).expect("add stance");
}

/// A: [Mark Zuckerberg]PER bezoekt [Brussel]LOC en [Facebook]ORG
/// B: [Mark Zuckerberg]PER bezoekt [Brussel]ORG en Facebook, zegt [Twitter]ORG
fn pair() -> (Project, Project) {
    let mut a = project();
    entity(&mut a, "Mark Zuckerberg", "PER");
    entity(&mut a, "Brussel", "LOC");
    entity(&mut a, "Facebook", "ORG");
    let mut b = project();
    entity(&mut b, "Mark Zuckerberg", "PER");
    entity(&mut b, "Brussel", "ORG");
    entity(&mut b, "Twitter", "ORG");
    (a, b)
}

fn labels(p: &Project) -> Vec<(String, String)> {
    let doc = &p.documents()[0];
    p.annotations_of(doc.id())
        .into_iter()
        .map(|a| (a.text(doc.text()), a.kind().display_label()))
        .collect()
}

#[test]
fn differences_are_only_a_only_b_and_other_label() {
    let (a, b) = pair();
    let diffs = merge::diff(&a, &b).expect("same documents");
    let kinds: Vec<(DiffKind, String)> = diffs
        .iter()
        .map(|d| {
            (
                d.kind(),
                merge::summary(&a, d.a.as_ref().or(d.b.as_ref()).expect("a side")),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (DiffKind::Changed, "“Brussel” LOC".to_owned()),
            (DiffKind::OnlyA, "“Facebook” ORG".to_owned()),
            (DiffKind::OnlyB, "“Twitter” ORG".to_owned()),
        ]
    );
    // Nothing chosen yet: the result (a copy of A) shows A everywhere.
    assert!(diffs.iter().all(|d| merge::side_of(&a, d) == Some(Side::A)));
    // A project does not differ from itself.
    assert!(merge::diff(&a, &a.clone()).expect("same").is_empty());
}

#[test]
fn taking_b_per_difference_and_undoing_each_choice() {
    let (a, b) = pair();
    let diffs = merge::diff(&a, &b).expect("same documents");
    let mut result = a.clone();
    let mut history = History::unsaved();
    for d in &diffs {
        let edit = merge::take_edit(&mut result, d, Side::B).expect("a change");
        history.apply(&mut result, edit, "take B").expect("applies");
        assert_eq!(merge::side_of(&result, d), Some(Side::B));
        // Taking the side already shown is no edit.
        assert!(merge::take_edit(&mut result, d, Side::B).is_none());
    }
    assert_eq!(
        labels(&result),
        [
            ("Mark Zuckerberg".to_owned(), "PER".to_owned()),
            ("Brussel".to_owned(), "ORG".to_owned()),
            ("Twitter".to_owned(), "ORG".to_owned()),
        ]
    );
    assert!(merge::diff(&result, &b).expect("same").is_empty());
    // Undo the last choice (Twitter): that difference is back to A, the others stay B.
    assert!(history.undo(&mut result).expect("undo"));
    let sides: Vec<_> = diffs.iter().map(|d| merge::side_of(&result, d)).collect();
    assert_eq!(sides, [Some(Side::B), Some(Side::B), Some(Side::A)]);
    while history.undo(&mut result).expect("undo") {}
    assert_eq!(result, a);
}

#[test]
fn changed_label_is_replaced_in_place() {
    let (a, b) = pair();
    let diffs = merge::diff(&a, &b).expect("same documents");
    let changed = diffs
        .iter()
        .find(|d| d.kind() == DiffKind::Changed)
        .expect("Brussel differs");
    let id = changed.a.as_ref().expect("A's version").annotation.id();
    let mut result = a.clone();
    let edit = merge::take_edit(&mut result, changed, Side::B).expect("a change");
    assert!(matches!(&edit, Edit::ReplaceAnnotation(ann) if ann.id() == id));
    apply(&mut result, edit).expect("applies");
    assert_eq!(result.annotation(id).and_then(|a| a.label()), Some("ORG"));
    // And back to A's label.
    let back = merge::take_edit(&mut result, changed, Side::A).expect("a change");
    apply(&mut result, back).expect("applies");
    assert_eq!(result, a);
}

#[test]
fn take_all_is_one_undoable_edit_each_way() {
    let (a, b) = pair();
    let diffs = merge::diff(&a, &b).expect("same documents");
    let mut result = a.clone();
    let mut history = History::unsaved();
    let all_b = merge::take_all_edit(&result, &diffs, Side::B).expect("changes");
    history
        .apply(&mut result, all_b, "take all B")
        .expect("applies");
    assert!(merge::diff(&result, &b).expect("same").is_empty());
    assert!(
        diffs
            .iter()
            .all(|d| merge::side_of(&result, d) == Some(Side::B))
    );
    let all_a = merge::take_all_edit(&result, &diffs, Side::A).expect("changes");
    history
        .apply(&mut result, all_a, "take all A")
        .expect("applies");
    assert!(merge::diff(&result, &a).expect("same").is_empty());
    assert!(merge::take_all_edit(&result, &diffs, Side::A).is_none());
    // One undo each.
    assert!(history.undo(&mut result).expect("undo"));
    assert!(merge::diff(&result, &b).expect("same").is_empty());
    assert!(history.undo(&mut result).expect("undo"));
    assert_eq!(result, a);
}

#[test]
fn a_stance_taken_from_b_finds_its_holder_taken_from_b() {
    // B adds "Twitter" ORG and a stance held by it; take all from B links the new stance
    // to the new Twitter entity of the result.
    let (a, mut b) = pair();
    let twitter = b
        .annotations()
        .values()
        .find(|x| x.text(b.documents()[0].text()) == "Twitter")
        .map(Annotation::id);
    stance(&mut b, "bezoekt Brussel en Facebook", "AGAINST", twitter);
    let diffs = merge::diff(&a, &b).expect("same documents");
    assert_eq!(diffs.len(), 4);
    let mut result = a.clone();
    let edit = merge::take_all_edit(&result, &diffs, Side::B).expect("changes");
    apply(&mut result, edit).expect("applies");
    assert!(merge::diff(&result, &b).expect("same").is_empty());
    let held = result.annotations().values().find_map(|x| match x.kind() {
        AnnotationKind::Stance {
            holder: Some(h), ..
        } => result.annotation(h.id()),
        _ => None,
    });
    assert_eq!(
        held.map(|h| h.text(result.documents()[0].text())),
        Some("Twitter".to_owned())
    );
    // Taking A for the Twitter entity removes it and unlinks the stance in one edit.
    let twitter_diff = diffs
        .iter()
        .find(|d| {
            d.kind() == DiffKind::OnlyB
                && d.b
                    .as_ref()
                    .is_some_and(|v| v.annotation.label() == Some("ORG"))
        })
        .expect("Twitter difference");
    let edit = merge::take_edit(&mut result, twitter_diff, Side::A).expect("a change");
    apply(&mut result, edit).expect("applies");
    assert_eq!(merge::side_of(&result, twitter_diff), Some(Side::A));
}

#[test]
fn merging_other_documents_is_refused() {
    let a = project();
    let other = Project::new(
        project_file::default_schema(),
        vec![Document::new(
            DocId("d".into()),
            "d".into(),
            BTreeMap::new(),
            "andere tekst".into(),
        )],
    )
    .expect("project");
    let err = merge::diff(&a, &other).expect_err("texts differ");
    assert!(err.to_string().contains("'d' has different text"), "{err}");
}
