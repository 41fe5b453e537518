//! The team views in the real window (egui_kittest, by label): conflicts recorded by a
//! merge listed and settled one by one, each settlement undoable; the adjudication view
//! with each annotator's tags side by side and their agreement; the assignment of a split
//! copy in the status bar.

mod common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::SpantagApp;
use spantag::app::session::Session;
use spantag::app::team_ui::agreement_line;
use spantag::corpus::team::adjudicate::{Copy, adjudicate, document_agreement};
use spantag::corpus::team::merge3::merge3;
use spantag::corpus::team::split::split;
use spantag::corpus::team::{describe, version_summary};
use spantag::model::schema::builtin_schema;
use spantag::model::{
    Annotation, AnnotationId, AnnotationKind, DocId, Document, Edit, Project, Span, apply,
};

const TEXT: &str = "Mark Zuckerberg bezoekt Brussel en Facebook.";

fn project() -> Project {
    let docs = vec![
        Document::from_raw(DocId("d".into()), TEXT),
        Document::from_raw(DocId("e".into()), "Facebook stopt ermee."),
    ];
    Project::new(builtin_schema(), docs).expect("project")
}

fn tag(p: &mut Project, needle: &str, label: &str) -> AnnotationId {
    let byte = TEXT.find(needle).expect("needle");
    let start = TEXT[..byte].chars().count();
    let span =
        Span::within(start, start + needle.chars().count(), TEXT.chars().count()).expect("span");
    let ann = p.with_new_id(
        &DocId("d".into()),
        Annotation::entity(AnnotationId::NEW, span, label),
    );
    let id = ann.id();
    apply(p, Edit::AddAnnotation(DocId("d".into()), ann)).expect("tag");
    id
}

fn relabel(p: &mut Project, id: AnnotationId, label: &str) {
    let kind = AnnotationKind::Entity {
        label: label.into(),
        canonical: None,
    };
    let new = p
        .annotation(id)
        .expect("ann")
        .with_kind(kind)
        .expect("kind");
    apply(p, Edit::ReplaceAnnotation(new)).expect("relabel");
}

fn labels(p: &Project) -> Vec<String> {
    let mut out: Vec<String> = p
        .annotations()
        .values()
        .map(|a| a.kind().display_label())
        .collect();
    out.sort();
    out
}

fn open_view(h: &mut Harness<'static, SpantagApp>, entry: &str) {
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label(entry).click();
    h.run_steps(3);
}

#[test]
fn conflicts_are_listed_and_settled_one_by_one_with_undo() {
    let mut base = project();
    let zuck = tag(&mut base, "Mark Zuckerberg", "PER");
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    relabel(&mut ours, zuck, "ORG");
    relabel(&mut theirs, zuck, "MISC");
    tag(&mut ours, "Brussel", "LOC");
    tag(&mut theirs, "Brussel", "ORG");
    let merged = merge3(&base, &ours, &theirs).expect("merge");
    assert_eq!(merged.conflicts().len(), 2);

    let mut h = common::harness(Session::unsaved(merged.clone()));
    // The status bar offers the conflicts.
    h.get_by_label("2 conflicts").click();
    h.run_steps(3);
    for conflict in merged.conflicts() {
        let line = describe(&merged, conflict);
        assert!(h.query_by_label(&line).is_some(), "{line}");
    }
    // Take theirs on the first (ours/theirs changed one tag), ours on the other.
    h.get_all_by_label("Take theirs")
        .next()
        .expect("a button")
        .click();
    h.run_steps(3);
    assert_eq!(h.state().session.project.conflicts().len(), 1);
    h.get_all_by_label("Take ours")
        .next()
        .expect("a button")
        .click();
    h.run_steps(3);
    let settled = h.state().session.project.clone();
    assert!(settled.conflicts().is_empty());
    assert_eq!(labels(&settled), ["LOC", "MISC"]);
    assert_eq!(
        settled.annotation(zuck).and_then(Annotation::label),
        Some("MISC"),
        "their version under the base id"
    );
    assert!(
        h.query_by_label("No conflicts: the project is merged.")
            .is_some()
    );

    // Each settlement is one undo.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().session.project.conflicts().len(), 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(*h.state().session.project, merged);
}

#[test]
fn adjudication_shows_annotators_side_by_side_and_settles_disagreements() {
    let shares = split(&project(), &["ann".into(), "bob".into()], Some(2)).expect("split");
    let (mut ann, mut bob) = (shares[0].clone(), shares[1].clone());
    tag(&mut ann, "Mark Zuckerberg", "PER");
    tag(&mut bob, "Mark Zuckerberg", "PER");
    let disputed = tag(&mut bob, "Facebook", "ORG");
    let combined = adjudicate(&[
        Copy {
            annotator: "ann",
            project: &ann,
        },
        Copy {
            annotator: "bob",
            project: &bob,
        },
    ])
    .expect("adjudicate");
    assert_eq!(combined.conflicts().len(), 1);

    let mut h = common::harness(Session::unsaved(combined.clone()));
    assert!(
        h.query_by_label("assigned to adjudication (2 documents, 2 shared by ann, bob)")
            .is_some()
    );
    open_view(&mut h, "Adjudication");
    // Document d: ann tagged one of bob's two tags (F1 2/3).
    let agreement = document_agreement(&combined, &DocId("d".into()), "ann", "bob").expect("d");
    let line = agreement_line("ann", "bob", &agreement);
    assert!(
        line.starts_with("ann vs bob: F1 0.67 (exact spans)"),
        "{line}"
    );
    assert!(h.query_by_label(&line).is_some(), "{line}");
    let line = version_summary(&combined, Some(disputed));
    assert_eq!(h.get_all_by_label(&line).count(), 1, "only in bob's column");
    assert_eq!(
        h.get_all_by_label(&version_summary(
            &combined,
            ann.annotations().keys().next().copied()
        ))
        .count(),
        2,
        "the agreed tag in both columns"
    );

    // Reject bob's extra tag in the conflicts list.
    open_view(&mut h, "Conflicts");
    h.get_by_label("Reject").click();
    h.run_steps(3);
    let p = h.state().session.project.clone();
    assert!(p.conflicts().is_empty());
    assert!(p.annotation(disputed).is_none());
    assert_eq!(labels(&p), ["PER"]);
}

#[test]
fn a_split_copy_shows_its_assignment() {
    let shares = split(&project(), &["ann".into(), "bob".into()], Some(1)).expect("split");
    let h = common::harness(Session::unsaved(shares[1].clone()));
    assert!(
        h.query_by_label("assigned to bob (1 documents, 1 shared by ann, bob)")
            .is_some()
    );
}
