//! The document list's filter through the real app (issue 17: the list filters by title,
//! status and label): typed text, the status and label menus, the count of documents
//! shown, Alt+Down within the filtered list, and the label filter following tags made,
//! and undone, while it is on.

mod common;

use common::{harness, nth};
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::{Command, SpantagApp, bundled_session};
use spantag::model::{DocStatus, Span};

/// Types `text` into the document list's filter field.
fn type_filter(h: &mut Harness<'static, SpantagApp>, text: &str) {
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .find(|field| field.rect().left() < 100.0)
        .expect("the document list's filter field")
        .click();
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.event(Event::Text(text.to_owned()));
    h.run_steps(3);
}

/// The status filter's menu.
const STATUS: &str = "show documents with this status";
/// The label filter's menu.
const LABEL: &str = "show documents with a tag of this label";

/// Picks `choice` in the menu `menu` (the popup is drawn last).
fn pick(h: &mut Harness<'static, SpantagApp>, menu: &str, choice: &str) {
    h.get_by_label(menu).click();
    h.run_steps(2);
    h.query_all_by_label(choice)
        .last()
        .expect("the choice in the open menu")
        .click();
    h.run_steps(3);
}

/// Tags a word of the current document as PER (its hotkey, 1).
fn tag_a_word(h: &mut Harness<'static, SpantagApp>, word: &str) {
    let (start, end) = nth(h, word, 0);
    let app = h.state_mut();
    let text = app.session.document().expect("doc").text().clone();
    let span = Span::new(start, end, &text).expect("span");
    app.session.select_range(span.start(), span.end());
    h.key_press(Key::Num1);
    h.run_steps(2);
}

fn listed(h: &mut Harness<'static, SpantagApp>) -> Vec<usize> {
    h.state_mut().listed_documents().to_vec()
}

#[test]
fn the_document_list_filters_by_title_status_and_label() {
    let mut h = harness(bundled_session().expect("bundled corpus"));
    let titles: Vec<String> = h
        .state()
        .session
        .project
        .documents()
        .iter()
        .map(|d| d.title().to_lowercase())
        .collect();
    // Title: any case, in the list's order; the count of shown documents is drawn.
    type_filter(&mut h, "FACEBOOK");
    let want: Vec<usize> = (0..titles.len())
        .filter(|&i| titles[i].contains("facebook"))
        .collect();
    assert!(!want.is_empty() && want.len() < titles.len(), "{titles:?}");
    assert_eq!(listed(&mut h), want);
    h.get_by_label(&format!("{} of {} documents", want.len(), titles.len()));
    h.get_by_label("clear").click();
    h.run_steps(3);
    assert_eq!(listed(&mut h), [0, 1, 2, 3, 4]);
    // Status: one document in progress.
    h.state_mut().send(Command::OpenDocument(2));
    h.run_steps(2);
    h.state_mut()
        .send(Command::SetStatus(DocStatus::InProgress));
    h.run_steps(2);
    pick(&mut h, STATUS, "in progress");
    assert_eq!(listed(&mut h), [2]);
    pick(&mut h, STATUS, "any status");
    // Label: tags made while the filter is on are followed, and so is an undo.
    h.state_mut().send(Command::OpenDocument(3));
    h.run_steps(2);
    tag_a_word(&mut h, "Zuckerberg");
    pick(&mut h, LABEL, "PER");
    assert_eq!(listed(&mut h), [3]);
    h.state_mut().send(Command::OpenDocument(0));
    h.run_steps(2);
    tag_a_word(&mut h, "Facebook");
    assert_eq!(listed(&mut h), [0, 3]);
    // Alt+Down steps within the filtered list.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    h.run_steps(2);
    assert_eq!(h.state().session.current, 3);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(listed(&mut h), [3], "the undone tag no longer counts");
}
