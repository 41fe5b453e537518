//! Drives the real app with egui_kittest: select text by pointer, tag by key, undo, redo,
//! save and reopen — then asserts on the project, not on pixels.

use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::session::Session;
use spantag::app::{Settings, SpantagApp, bundled_session};
use spantag::model::{CharOffset, DocId};

fn harness(session: Session) -> Harness<'static, SpantagApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| SpantagApp::with_session(session, Settings::default()));
    harness.run_steps(3);
    harness
}

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

/// Char offset of the first occurrence of `needle` in the current document.
fn offset_of(harness: &Harness<'static, SpantagApp>, needle: &str) -> usize {
    let text = harness
        .state()
        .session
        .document()
        .expect("doc")
        .text()
        .as_str()
        .to_owned();
    let byte = text.find(needle).expect("needle in text");
    text[..byte].chars().count()
}

fn char_center(harness: &Harness<'static, SpantagApp>, c: usize) -> Pos2 {
    harness
        .state()
        .char_rect(CharOffset(c))
        .expect("character is on screen")
        .center()
}

fn press(harness: &Harness<'static, SpantagApp>, pos: Pos2, pressed: bool) {
    harness.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    });
}

fn double_click(harness: &mut Harness<'static, SpantagApp>, pos: Pos2) {
    // Let earlier clicks age past egui's double-click window (0.3 s), so this pair is
    // not taken for the end of a triple click.
    harness.run_steps(30);
    harness.event(Event::PointerMoved(pos));
    harness.run_steps(1);
    for _ in 0..2 {
        press(harness, pos, true);
        harness.step();
        press(harness, pos, false);
        harness.step();
    }
    harness.run_steps(1);
}

fn drag(harness: &mut Harness<'static, SpantagApp>, from: Pos2, to: Pos2) {
    harness.event(Event::PointerMoved(from));
    harness.run_steps(1);
    press(harness, from, true);
    harness.run_steps(1);
    for step in 1..=5 {
        let t = step as f32 / 5.0;
        harness.event(Event::PointerMoved(from + (to - from) * t));
        harness.run_steps(1);
    }
    press(harness, to, false);
    harness.run_steps(2);
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
