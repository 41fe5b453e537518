//! Annotating faster, through the real app: tag all occurrences (one undo), suggestions
//! (accept, reject), search (jump and tag), and a keyboard-only run.

mod common;

use common::{harness, nth};
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::{SpantagApp, bundled_session};
use spantag::model::Span;

fn tag(h: &mut Harness<'static, SpantagApp>, (start, end): (usize, usize), label: &str) {
    let text = h.state().session.document().expect("doc").text().clone();
    let span = Span::new(start, end, &text).expect("span");
    h.state_mut().session.tag(span, label).expect("tag");
    h.run_steps(2);
}

/// (text, label) of the current document's entity tags in reading order.
fn tags(h: &Harness<'static, SpantagApp>) -> Vec<(String, String)> {
    let s = &h.state().session;
    let doc = s.document().expect("doc");
    s.project
        .annotations_of(doc.id())
        .iter()
        .filter_map(|a| Some((a.text(doc.text()), a.label()?.to_owned())))
        .collect()
}

fn press(h: &mut Harness<'static, SpantagApp>, key: Key, times: usize) {
    for _ in 0..times {
        h.key_press(key);
        h.run_steps(1);
    }
}

#[test]
fn tag_all_occurrences_applies_the_checked_ones_and_one_undo_takes_them_back() {
    let mut h = harness(bundled_session().expect("corpus"));
    let first = nth(&h, "Cambridge Analytica", 0);
    tag(&mut h, first, "ORG");
    let before = h.state().session.project.annotations().len();
    h.key_press(Key::T);
    h.run_steps(3);
    let checked = h.state().tag_all.found.iter().filter(|(_, c)| *c).count();
    assert!(
        checked >= 3,
        "other occurrences of Cambridge Analytica are offered: {checked}"
    );
    // Each offered row shows the occurrence in its context; unchecking one leaves it out.
    let row = {
        let state = h.state();
        let (o, _) = state
            .tag_all
            .found
            .iter()
            .find(|(_, c)| *c)
            .expect("offered");
        let doc = state.session.project.document(&o.doc).expect("doc");
        let seen = o.in_context(doc.text());
        assert_eq!(seen.text, "Cambridge Analytica");
        format!("{}: …{}«{}»{}…", o.doc, seen.left, seen.text, seen.right)
    };
    h.get_by_label(&row).click();
    h.run_steps(2);
    let checked = checked - 1;
    h.get_by_label(&format!("Tag {checked} checked")).click();
    h.run_steps(3);
    assert_eq!(
        h.state().session.project.annotations().len(),
        before + checked
    );
    assert!(
        tags(&h)
            .iter()
            .filter(|(t, l)| t == "Cambridge Analytica" && l == "ORG")
            .count()
            > checked
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(
        h.state().session.project.annotations().len(),
        before,
        "one undo"
    );
}

#[test]
fn suggestions_are_accepted_and_rejected_by_key() {
    let mut h = harness(bundled_session().expect("corpus"));
    let fb = nth(&h, "Facebook", 0);
    tag(&mut h, fb, "ORG");
    let offered = h.state().suggestions.list.len();
    assert!(
        offered >= 2,
        "untagged Facebook occurrences are suggested: {offered}"
    );
    assert!(h.state().view.ghosts.len() == offered, "drawn as ghosts");
    // G focuses the first, Enter accepts it.
    press(&mut h, Key::G, 1);
    let focused = h.state().suggestions.focused().cloned().expect("focus");
    assert_eq!(
        (focused.text.as_str(), focused.label.as_str()),
        ("Facebook", "ORG")
    );
    press(&mut h, Key::Enter, 1);
    h.run_steps(2);
    assert!(tags(&h).iter().filter(|(t, _)| t == "Facebook").count() == 2);
    assert_eq!(h.state().suggestions.list.len(), offered - 1);
    // G, X rejects the next one; it is remembered in the project and not shown again.
    press(&mut h, Key::G, 1);
    let rejected = h.state().suggestions.focused().cloned().expect("focus");
    press(&mut h, Key::X, 1);
    h.run_steps(2);
    assert_eq!(h.state().suggestions.list.len(), offered - 2);
    assert!(
        h.state()
            .session
            .project
            .rejected_suggestions()
            .contains(&rejected.rejection())
    );
    assert!(
        !h.state()
            .suggestions
            .list
            .iter()
            .any(|s| s.start == rejected.start)
    );
}

#[test]
fn search_jumps_to_a_hit_which_a_key_then_tags() {
    let mut h = harness(bundled_session().expect("corpus"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run_steps(2);
    h.event(Event::Text("Stamsnijder".into()));
    h.run_steps(2);
    assert!(!h.state().search.hits.is_empty(), "hits found");
    h.key_press(Key::Enter);
    h.run_steps(3);
    let doc_text = h
        .state()
        .session
        .document()
        .expect("doc")
        .text()
        .as_str()
        .to_owned();
    assert!(
        doc_text.contains("Stamsnijder"),
        "jumped to the document with the hit"
    );
    let hit = h.state().search.hits[0].clone();
    let sel = h.state().session.selection_span().expect("hit selected");
    assert_eq!((sel.start(), sel.end()), (hit.start, hit.end));
    // Enter left the search field, so a digit tags the selected hit at once.
    h.key_press(Key::Num1);
    h.run_steps(2);
    assert!(
        tags(&h).contains(&("Stamsnijder".to_owned(), "PER".to_owned())),
        "{:?}",
        tags(&h)
    );
}

#[test]
fn keyboard_only_tags_three_entities_without_a_pointer() {
    let mut h = harness(bundled_session().expect("corpus"));
    // Next document and back, by key.
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    h.run_steps(2);
    assert_eq!(h.state().session.current, 1);
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    h.run_steps(2);
    assert_eq!(h.state().session.current, 0);
    // "Het databedrijf Cambridge Analytica, dat via Facebook de gegevens … president Trump"
    press(&mut h, Key::ArrowRight, 3);
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    h.run_steps(1);
    press(&mut h, Key::Num2, 1);
    press(&mut h, Key::ArrowRight, 3);
    press(&mut h, Key::Num2, 1);
    press(&mut h, Key::ArrowRight, 12);
    press(&mut h, Key::Num1, 1);
    assert_eq!(
        tags(&h),
        [
            ("Cambridge Analytica".to_owned(), "ORG".to_owned()),
            ("Facebook".to_owned(), "ORG".to_owned()),
            ("Trump".to_owned(), "PER".to_owned()),
        ]
    );
    // Tab walks the tags; D marks the document done; F1 shows the help.
    press(&mut h, Key::Tab, 1);
    let first = h
        .state()
        .session
        .selected_annotation()
        .map(|a| a.spans()[0].start().0);
    assert_eq!(first, Some(nth(&h, "Cambridge Analytica", 0).0));
    press(&mut h, Key::D, 1);
    let id = h.state().session.document().expect("doc").id().clone();
    assert_eq!(
        h.state().session.project.status(&id),
        spantag::model::DocStatus::Done
    );
    press(&mut h, Key::F1, 1);
    h.run_steps(3);
    assert!(h.state().show_help);
    assert!(
        h.query_by_label("show or hide this help").is_some(),
        "help lists the keys"
    );
}

#[test]
fn suggestions_follow_undo_and_a_newly_opened_project() {
    let mut h = harness(bundled_session().expect("corpus"));
    let fb = nth(&h, "Facebook", 0);
    tag(&mut h, fb, "ORG");
    assert!(!h.state().suggestions.list.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(
        h.state().suggestions.list.is_empty(),
        "the undone tag suggests nothing"
    );
    // Open another project: suggestions come from its tags, not the old engine's.
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    h.state_mut()
        .send(spantag::app::Command::OpenPathDiscarding(example));
    h.run_steps(3);
    let doc = h.state().session.document().expect("doc").id().clone();
    let engine = spantag::corpus::suggest::SuggestionEngine::build(
        &h.state().session.project,
        &spantag::corpus::suggest::SuggestOptions::default(),
    );
    let want = engine.for_document(&h.state().session.project, &doc).len();
    assert_eq!(h.state().suggestions.list.len(), want);
}

#[test]
fn keys_typed_into_any_text_field_never_edit_the_project() {
    let mut h = harness(bundled_session().expect("corpus"));
    let fb = nth(&h, "Facebook", 0);
    tag(&mut h, fb, "ORG");
    let before = h.state().session.project.clone();
    // The entity index's filter field knows nothing of shortcuts.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Entity index").click();
    h.run_steps(3);
    h.get_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .expect("the filter field")
        .click();
    h.run_steps(2);
    h.event(Event::Text("d1x".into()));
    for key in [Key::Backspace, Key::Delete, Key::D, Key::Num1, Key::X] {
        h.key_press(key);
        h.run_steps(1);
    }
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(
        h.state().session.project,
        before,
        "no tag deleted, added or undone"
    );
}

#[test]
fn tag_all_over_a_big_corpus_searches_on_another_thread_and_tags_what_it_found() {
    use spantag::app::session::Session;
    use spantag::corpus::generate::{Spec, generate};
    use spantag::corpus::search::Scope;
    use spantag::corpus::suggest::occurrences;
    let project = generate(&Spec {
        documents: 5_000,
        words_per_document: 30,
        spans_per_document: 2,
        seed: 11,
    });
    // A word of the first document that is untagged there and occurs in other documents.
    let first = project.documents()[0].text().as_str().to_owned();
    let word = first
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 4)
        .find(|w| {
            let found = occurrences(&project, w, Scope::Corpus, true);
            let docs: std::collections::HashSet<_> = found.iter().map(|o| &o.doc).collect();
            let here = found.first().is_some_and(|o| {
                o.doc == *project.documents()[0].id() && !o.tagged && !o.overlaps_entity
            });
            here && docs.len() >= 20
        })
        .expect("a word found in many documents")
        .to_owned();
    let mut h = harness(Session::unsaved(project));
    let at = nth(&h, &word, 0);
    tag(&mut h, at, "MISC");
    let before = h.state().session.project.annotations().len();
    h.key_press(Key::T);
    h.run_steps(2);
    h.get_by_label("whole corpus").click();
    h.run_steps(2);
    assert!(
        h.state().tag_all.searching(),
        "the search runs on another thread"
    );
    assert!(
        h.state().tag_all.found.is_empty(),
        "nothing stale is offered meanwhile"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while h.state().tag_all.searching() {
        assert!(
            std::time::Instant::now() < deadline,
            "the search never landed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.run_steps(1);
    }
    // As the window searches by default: any case.
    let expected = occurrences(&h.state().session.project, &word, Scope::Corpus, false);
    let found: Vec<_> = h
        .state()
        .tag_all
        .found
        .iter()
        .map(|(o, _)| o.clone())
        .collect();
    assert!(
        found == expected,
        "{} found, {} expected",
        found.len(),
        expected.len()
    );
    let checked = h.state().tag_all.found.iter().filter(|(_, c)| *c).count();
    assert!(checked >= 19, "{checked}");
    h.get_by_label(&format!("Tag {checked} checked")).click();
    h.run_steps(3);
    assert_eq!(
        h.state().session.project.annotations().len(),
        before + checked
    );
}
