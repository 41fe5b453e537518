//! Relations in the real window (egui_kittest): create one by key (R, Tab, the type's key)
//! and one by click and type-ahead, retype it in the side panel, delete it, undo each step,
//! and hide the arcs — asserting on the project and on what is drawn.

mod common;

use common::{char_center, click, harness, nth};
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::SpantagApp;
use spantag::app::session::Session;
use spantag::io::project_file::default_schema;
use spantag::model::{
    AnnotationId, CharOffset, DocId, Document, Project, RelationType, Rgb, Schema,
};

const TEXT: &str = "Nix werkt voor SCL Group. Zuckerberg is de baas van Facebook.";

fn schema() -> Schema {
    let mut schema = default_schema();
    let per_org = |name: &str, key| RelationType {
        hotkey: Some(key),
        from_labels: vec!["PER".into()],
        to_labels: vec!["ORG".into()],
        ..RelationType::any(name, Rgb([0, 114, 178]))
    };
    schema.relation_types = vec![
        per_org("Works_for", '1'),
        per_org("CEO_of", '2'),
        RelationType {
            from_labels: vec!["ORG".into()],
            ..RelationType::any("Owns", Rgb([213, 94, 0]))
        },
    ];
    schema
}

/// A session on TEXT with its four entities tagged (Nix, SCL Group, Zuckerberg, Facebook).
fn session() -> Session {
    let doc = Document::from_raw(DocId("d".into()), TEXT);
    let mut s = Session::unsaved(Project::new(schema(), vec![doc]).expect("project"));
    for (word, label) in [
        ("Nix", "PER"),
        ("SCL Group", "ORG"),
        ("Zuckerberg", "PER"),
        ("Facebook", "ORG"),
    ] {
        let byte = TEXT.find(word).expect("word");
        let start = TEXT[..byte].chars().count();
        s.select_range(CharOffset(start), CharOffset(start + word.chars().count()));
        s.tag_or_relabel(label).expect("tag");
    }
    s.selected = None;
    s
}

/// The tag on exactly `text` (ids are derived from content, so their order says nothing).
fn tag_of(h: &Harness<'static, SpantagApp>, text: &str) -> AnnotationId {
    let project = &h.state().session.project;
    project
        .annotations_with_documents()
        .find(|(d, a)| a.text(d.text()) == text)
        .map(|(_, a)| a.id())
        .expect("tagged")
}

/// The project's relations as (from text, type, to text).
fn relations(h: &Harness<'static, SpantagApp>) -> Vec<(String, String, String)> {
    let project = &h.state().session.project;
    let text = |id: AnnotationId| {
        let (doc, ann) = project.annotation_in_document(id).expect("end");
        ann.text(doc.text())
    };
    project
        .relations()
        .values()
        .map(|r| (text(r.from), r.label.clone(), text(r.to)))
        .collect()
}

fn key(h: &mut Harness<'static, SpantagApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

fn click_word(h: &mut Harness<'static, SpantagApp>, word: &str) {
    let (start, _) = nth(h, word, 0);
    let pos = char_center(h, start + 1);
    click(h, pos);
}

#[test]
fn relate_by_keys_retype_in_the_panel_delete_and_undo_every_step() {
    let mut h = harness(session());
    click_word(&mut h, "Nix");
    key(&mut h, Key::R);
    assert!(h.state().relation_editor.is_some(), "R opens the editor");
    key(&mut h, Key::Tab);
    key(&mut h, Key::Num1);
    let works_for = vec![("Nix".into(), "Works_for".into(), "SCL Group".into())];
    assert_eq!(relations(&h), works_for);
    assert!(h.state().relation_editor.is_none());
    let id = h
        .state()
        .session
        .selected_relation
        .expect("new relation selected");
    h.run_steps(2);
    assert!(h.state().view.arc_label_rect(id).is_some(), "arc drawn");

    // Retype in the side panel: only types that fit PER → ORG are offered.
    assert!(
        h.query_by_label("Owns").is_none(),
        "Owns needs an ORG first"
    );
    h.get_by_label("CEO_of").click();
    h.run_steps(2);
    assert_eq!(relations(&h)[0].1, "CEO_of");

    key(&mut h, Key::Delete);
    assert!(relations(&h).is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(
        relations(&h)[0].1,
        "CEO_of",
        "undo brings the relation back"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(relations(&h), works_for, "undo takes the retyping back");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(relations(&h).is_empty(), "undo takes the creation back");
    assert_eq!(h.state().session.project.annotations().len(), 4);
}

#[test]
fn relate_by_click_and_type_ahead_select_by_arc_and_hide_arcs() {
    let mut h = harness(session());
    click_word(&mut h, "Zuckerberg");
    key(&mut h, Key::R);
    click_word(&mut h, "Facebook");
    assert!(
        h.state()
            .relation_editor
            .as_ref()
            .and_then(|e| e.to)
            .is_some(),
        "the clicked tag is the second end"
    );
    h.event(Event::Text("ce".into()));
    h.run_steps(2);
    key(&mut h, Key::Enter);
    assert_eq!(
        relations(&h),
        [("Zuckerberg".into(), "CEO_of".into(), "Facebook".into())]
    );
    let id = h.state().session.selected_relation.expect("selected");

    // Clicking the arc's label selects the relation; the list in the panel has it too.
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().session.selected_relation, None);
    let label = h.state().view.arc_label_rect(id).expect("arc label");
    click(&mut h, label.center());
    assert_eq!(h.state().session.selected_relation, Some(id));
    assert!(h.query_by_label("Zuckerberg -CEO_of-> Facebook").is_some());

    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Relation arcs").click();
    h.run_steps(3);
    assert!(!h.state().settings.show_arcs);
    assert!(h.state().view.arc_label_rect(id).is_none(), "arcs hidden");
}

#[test]
fn a_relation_type_is_added_in_the_schema_editor_and_offered_at_once() {
    let mut h = harness(session());
    h.state_mut().schema_buffers.open = true;
    h.run_steps(2);
    h.get_by_label("New relation type:").click();
    h.run_steps(1);
    h.event(Event::Text("Rival_of".into()));
    h.run_steps(1);
    h.get_by_label("Add relation type").click();
    h.run_steps(3);
    let schema = h.state().session.project.schema().clone();
    let added = schema.relation_type("Rival_of").expect("added");
    assert!(added.from_labels.is_empty() && added.directed);
    h.state_mut().schema_buffers.open = false;
    h.run_steps(2);
    // Facebook → SCL Group: only the types that take any first argument fit ORG → ORG.
    click_word(&mut h, "Facebook");
    key(&mut h, Key::R);
    click_word(&mut h, "SCL");
    h.run_steps(2);
    assert!(h.query_by_label("Rival_of").is_some());
    assert!(h.query_by_label("Owns").is_some());
    assert!(h.query_by_label("1 Works_for").is_none(), "PER → ORG only");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(
        h.state()
            .session
            .project
            .schema()
            .relation_type("Rival_of")
            .is_some(),
        "Ctrl+Z belongs to the editor while it is open"
    );
}

#[test]
fn dragging_from_a_chip_to_another_tag_opens_the_editor_on_both_ends() {
    let mut h = harness(session());
    let (nix, scl) = (tag_of(&h, "Nix"), tag_of(&h, "SCL Group"));
    let chip = h.state().view.chip_rect(nix).expect("Nix's chip");
    let (start, _) = nth(&h, "SCL Group", 0);
    let target = char_center(&h, start + 2);
    common::drag(&mut h, chip.center(), target);
    let editor = h
        .state()
        .relation_editor
        .clone()
        .expect("the drag opens the editor");
    assert_eq!((editor.from, editor.to), (nix, Some(scl)));
    assert!(
        h.state().session.selection.is_none(),
        "no text was selected"
    );
    key(&mut h, Key::Num2);
    assert_eq!(
        relations(&h),
        [("Nix".into(), "CEO_of".into(), "SCL Group".into())]
    );
}
