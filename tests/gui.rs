//! Drives the real app with egui_kittest: select text by pointer, tag by key, undo, redo,
//! save and reopen — then asserts on the project, not on pixels.

mod common;

use common::{char_center, double_click, drag, harness, offset_of, press};
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::session::Session;
use spantag::app::{SpantagApp, bundled_session};
use spantag::model::DocId;

/// Opens the bundled document whose text contains `needle` by clicking it in the list.
fn open_document_with(harness: &mut Harness<'static, SpantagApp>, needle: &str) -> DocId {
    let (title, id) = {
        let project = &harness.state().session.project;
        let doc = project
            .documents()
            .iter()
            .find(|d| d.text().as_str().contains(needle))
            .expect("a bundled document mentions the needle");
        (doc.title().to_owned(), doc.id().clone())
    };
    harness.get_by_label(&title).click();
    harness.run_steps(3);
    assert_eq!(
        harness.state().session.document().map(|d| d.id().clone()),
        Some(id.clone())
    );
    id
}

/// (start, end, text, label) of the current document's tags.
fn tags(harness: &Harness<'static, SpantagApp>) -> Vec<(usize, usize, String, String)> {
    let session = &harness.state().session;
    let doc = session.document().expect("doc");
    session
        .project
        .annotations_of(doc.id())
        .iter()
        .map(|a| {
            let span = a.spans()[0];
            (
                span.start().0,
                span.end().0,
                a.text(doc.text()),
                a.label().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn double_click_a_word_press_1_undo_redo_save_and_reopen() {
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "Stamsnijder");
    let start = offset_of(&h, "Zuckerberg ");
    let pos = char_center(&h, start + 3);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(2);
    assert_eq!(
        tags(&h),
        [(start, start + 10, "Zuckerberg".to_owned(), "PER".to_owned())]
    );
    // The label chip is drawn and clickable.
    let id = h
        .state()
        .session
        .project
        .annotations()
        .keys()
        .next()
        .copied()
        .expect("tag");
    assert!(h.state().view.chip_rect(id).is_some(), "label chip drawn");

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(tags(&h).is_empty(), "undo removes the tag");
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(tags(&h).len(), 1, "Ctrl+Shift+Z redoes");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run_steps(2);
    assert_eq!(tags(&h).len(), 1, "Ctrl+Y redoes");

    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("zuckerberg.ron");
    h.state_mut().session.path = Some(path.clone());
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    assert!(!h.state().session.history.is_dirty(), "saved");
    let reopened = Session::open(&path).expect("reopen");
    assert_eq!(reopened.project, h.state().session.project);
}

#[test]
fn drag_over_a_name_press_2_then_relabel_and_delete() {
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "Het databedrijf Cambridge Analytica");
    let start = offset_of(&h, "Cambridge Analytica");
    // Drag from inside "Cambridge" to inside "Analytica": snapping takes whole words.
    let from = char_center(&h, start + 2);
    let to = char_center(&h, start + 16);
    drag(&mut h, from, to);
    h.key_press(Key::Num2);
    h.run_steps(2);
    assert_eq!(
        tags(&h),
        [(
            start,
            start + 19,
            "Cambridge Analytica".to_owned(),
            "ORG".to_owned()
        )]
    );
    // The new tag is selected: a label key relabels it, Delete removes it.
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(tags(&h)[0].3, "LOC");
    h.key_press(Key::Delete);
    h.run_steps(2);
    assert!(tags(&h).is_empty());
}

#[test]
fn nested_tags_are_both_visible_and_clickable() {
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "Het databedrijf Cambridge Analytica");
    let start = offset_of(&h, "Cambridge Analytica");
    // Outer: "Cambridge Analytica" as ORG; inner: "Cambridge" as LOC.
    let (from, to) = (char_center(&h, start + 1), char_center(&h, start + 17));
    drag(&mut h, from, to);
    h.key_press(Key::Num2);
    h.run_steps(2);
    let pos = char_center(&h, start + 2);
    double_click(&mut h, pos);
    h.key_press(Key::Num3);
    h.run_steps(2);
    assert_eq!(tags(&h).len(), 2);
    let ids: Vec<_> = h
        .state()
        .session
        .project
        .annotations()
        .keys()
        .copied()
        .collect();
    let chips: Vec<_> = ids
        .iter()
        .map(|id| h.state().view.chip_rect(*id).expect("each tag has a chip"))
        .collect();
    assert!(
        !chips[0].intersects(chips[1]),
        "chips do not cover each other"
    );
    // Clicking each chip selects its tag.
    for (id, chip) in ids.iter().zip(&chips) {
        h.event(Event::PointerMoved(chip.center()));
        h.run_steps(1);
        press(&h, chip.center(), true);
        press(&h, chip.center(), false);
        h.run_steps(2);
        assert_eq!(h.state().session.selected, Some(*id));
    }
    // A click on the inner word's text selects the innermost tag.
    let inner = char_center(&h, start + 4);
    h.event(Event::PointerMoved(inner));
    h.run_steps(1);
    press(&h, inner, true);
    press(&h, inner, false);
    h.run_steps(2);
    assert_eq!(h.state().session.selected, Some(ids[1]));
}

#[test]
fn clicking_a_tag_in_the_list_selects_it() {
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "Stamsnijder");
    let start = offset_of(&h, "Stamsnijder");
    let pos = char_center(&h, start + 1);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(2);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().session.selected, None);
    h.get_by_label("PER  Stamsnijder").click();
    h.run_steps(3);
    assert!(h.state().session.selected.is_some());
}

#[test]
fn stamsnijder_stance_through_the_ui_and_its_exported_line() {
    use spantag::formats::{ExportFormat, export};
    use spantag::model::AnnotationKind;
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "too little too late");
    // Tag the holder: "Stamsnijder" right before the quote.
    let quote = "Zijn reactie is too little too late";
    let q = offset_of(&h, quote);
    let holder_at = q - "Stamsnijder: ,,".chars().count() + 1;
    let pos = char_center(&h, holder_at + 2);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let holder_id = h
        .state()
        .session
        .selected
        .expect("holder tagged and selected");

    // Select the quote, press S, type the target, Enter, A for AGAINST, click the holder.
    let (from, to) = (
        char_center(&h, q + 1),
        char_center(&h, q + quote.chars().count() - 2),
    );
    drag(&mut h, from, to);
    h.key_press(Key::S);
    h.run_steps(2);
    assert!(
        h.state().stance_editor.is_some(),
        "S opens the stance editor"
    );
    h.event(Event::Text("Mark Zuckerberg".into()));
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    h.key_press(Key::A);
    h.run_steps(2);
    let suggested = h
        .state()
        .stance_editor
        .as_ref()
        .and_then(|e| e.suggested_holder);
    assert_eq!(
        suggested,
        Some(holder_id),
        "the nearest person is suggested"
    );
    let holder_pos = char_center(&h, holder_at + 4);
    h.run_steps(30);
    h.event(Event::PointerMoved(holder_pos));
    h.run_steps(1);
    press(&h, holder_pos, true);
    press(&h, holder_pos, false);
    h.run_steps(3);
    assert!(h.state().stance_editor.is_none(), "the editor closes");

    let session = &h.state().session;
    let stance = session.selected_annotation().expect("new stance selected");
    assert_eq!(
        stance.kind(),
        &AnnotationKind::Stance {
            target: "Mark Zuckerberg".into(),
            polarity: "AGAINST".into(),
            holder: spantag::model::HolderId::new(holder_id),
        }
    );
    assert!(session.project.schema().targets.contains("Mark Zuckerberg"));

    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("spans.jsonl");
    export(&session.project, ExportFormat::Spans, &out, &mut |_| {}).expect("export");
    let lines = std::fs::read_to_string(&out).expect("read");
    let line: serde_json::Value = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .find(|v| v["kind"] == "stance")
        .expect("a stance line");
    assert_eq!(line["text"], quote);
    assert_eq!(line["start"], q);
    assert_eq!(line["end"], q + quote.chars().count());
    assert_eq!(line["target"], "Mark Zuckerberg");
    assert_eq!(line["polarity"], "AGAINST");
    assert_eq!(line["holder"]["text"], "Stamsnijder");
    assert_eq!(line["holder"]["start"], holder_at);
    assert_eq!(line["holder"]["end"], holder_at + 11);

    // One undo takes the stance back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let kinds: Vec<bool> = h
        .state()
        .session
        .project
        .annotations()
        .values()
        .map(|a| a.kind().is_entity())
        .collect();
    assert_eq!(kinds, [true]);
}

#[test]
fn canonical_name_is_set_with_type_ahead() {
    use spantag::model::AnnotationKind;
    let mut h = harness(bundled_session().expect("bundled corpus"));
    open_document_with(&mut h, "Stamsnijder");
    let start = offset_of(&h, "Zuckerberg ");
    let pos = char_center(&h, start + 2);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Canonical:")
        .click();
    h.run_steps(1);
    h.event(Event::Text("Mark Zuckerberg".into()));
    h.key_press(Key::Enter);
    h.run_steps(3);
    let ann = h.state().session.selected_annotation().expect("selected");
    assert_eq!(
        ann.kind(),
        &AnnotationKind::Entity {
            label: "PER".into(),
            canonical: Some("Mark Zuckerberg".into())
        }
    );
    assert!(
        h.state()
            .session
            .project
            .canonical_names()
            .contains("Mark Zuckerberg")
    );
}
