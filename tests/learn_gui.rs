//! The recommender through the real app: train from the Learn menu, then review the
//! model's entities in an untagged document with the suggestion keys — `G` focuses a
//! prediction, `Enter` accepts it, `X` rejects it (remembered in the project) — and `U`
//! jumps to the least sure sentence.

mod common;

use common::harness;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::SpantagApp;
use spantag::app::session::Session;
use spantag::corpus::suggest::SuggestionSource;
use spantag::io::project_file;
use spantag::model::{Annotation, AnnotationId, DocId, Document, Edit, Project, Span, apply};
use std::collections::BTreeMap;

/// Nine tagged news documents (persons before "zegt", places after "in") and one
/// untagged one with names the model never saw.
fn project() -> Project {
    let persons = [
        "Mark Rutte",
        "Sigrid Kaag",
        "Geert Wilders",
        "Wopke Hoekstra",
        "Jesse Klaver",
        "Lilian Marijnissen",
        "Pieter Omtzigt",
        "Hugo de Jonge",
        "Kajsa Ollongren",
    ];
    let places = [
        "Den Haag",
        "Utrecht",
        "Rotterdam",
        "Groningen",
        "Maastricht",
        "Zwolle",
        "Arnhem",
        "Leiden",
        "Delft",
    ];
    let mut docs = Vec::new();
    let mut tags = Vec::new();
    for (i, person) in persons.iter().enumerate() {
        let place = places[(i * 4) % places.len()];
        let text = format!(
            "Gisteren zegt {person} in {place} dat het kabinet moet praten. \
             Volgens {person} is de zaak nog niet rond. \
             Een woordvoerder in {place} wil niets kwijt."
        );
        let id = DocId::from(format!("tagged-{i}"));
        for (needle, label) in [(*person, "PER"), (place, "LOC")] {
            for (byte, _) in text.match_indices(needle) {
                let start = text[..byte].chars().count();
                tags.push((id.clone(), start, start + needle.chars().count(), label));
            }
        }
        docs.push(Document::new(
            id,
            format!("Artikel {i}"),
            BTreeMap::new(),
            text,
        ));
    }
    docs.push(Document::new(
        DocId::from("new"),
        "Nieuw artikel".to_owned(),
        BTreeMap::new(),
        "Gisteren zegt Femke Halsema in Amsterdam dat het kabinet moet praten. \
         Een woordvoerder in Amsterdam wil niets kwijt."
            .to_owned(),
    ));
    let mut project = Project::new(project_file::default_schema(), docs).expect("project");
    let mut edits = Vec::new();
    for (doc, start, end, label) in tags {
        let text = project.document(&doc).expect("doc").text().clone();
        let span = Span::new(start, end, &text).expect("span");
        let ann = Annotation::entity(AnnotationId::NEW, span, label);
        edits.push(Edit::AddAnnotation(
            doc.clone(),
            project.with_new_id(&doc, ann),
        ));
    }
    apply(&mut project, Edit::Batch(edits)).expect("tags");
    project
}

fn press(h: &mut Harness<'static, SpantagApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

/// Runs frames until the background training has delivered its predictions.
/// Learn ▸ Train recommender now, then waits for the model.
fn train_from_the_menu(h: &mut Harness<'static, SpantagApp>) {
    h.get_by_label("Learn").click();
    h.run_steps(2);
    h.get_by_label("Train recommender now").click();
    h.run_steps(2);
    wait_for_model(h);
}

fn wait_for_model(h: &mut Harness<'static, SpantagApp>) {
    for _ in 0..3000 {
        h.run_steps(1);
        if h.state().learn.model.is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the training never finished: {}", h.state().status);
}

/// The focused suggestion's (text, label, is a prediction).
fn focused(h: &Harness<'static, SpantagApp>) -> Option<(String, String, bool)> {
    let s = h.state().suggestions.focused()?;
    Some((
        s.text.clone(),
        s.label.to_string(),
        matches!(s.source, SuggestionSource::Predicted { .. }),
    ))
}

#[test]
fn train_from_the_menu_then_accept_and_reject_predicted_entities() {
    let mut h = harness(Session::unsaved(project()));
    train_from_the_menu(&mut h);
    let status = h.state().learn.model.clone().expect("model");
    assert!(status.tags >= 36, "{status:?}");
    assert!(status.cv_f1.is_some(), "a small project is cross-validated");

    h.get_by_label("Nieuw artikel").click();
    h.run_steps(3);
    assert_eq!(
        h.state().session.document().map(|d| d.id().to_string()),
        Some("new".to_owned())
    );
    let before = h.state().session.project.annotations().len();

    press(&mut h, Key::G);
    let (text, label, predicted) = focused(&h).expect("a prediction in focus");
    assert!(predicted, "the model's entity, not a string suggestion");
    assert_eq!((text.as_str(), label.as_str()), ("Femke Halsema", "PER"));
    press(&mut h, Key::Enter);
    let project = &h.state().session.project;
    assert_eq!(project.annotations().len(), before + 1);
    let doc = project.document(&DocId::from("new")).expect("doc");
    let accepted: Vec<(String, String)> = project
        .annotations_of(doc.id())
        .iter()
        .filter_map(|a| Some((a.text(doc.text()), a.label()?.to_owned())))
        .collect();
    assert_eq!(accepted, [("Femke Halsema".to_owned(), "PER".to_owned())]);
    // The window noted where the tag went: a capped training starts from that document.
    assert_eq!(
        h.state().learn.recently_tagged.first().map(DocId::as_str),
        Some("new")
    );

    press(&mut h, Key::G);
    let (text, label, predicted) = focused(&h).expect("the next prediction");
    assert!(predicted);
    assert_eq!((text.as_str(), label.as_str()), ("Amsterdam", "LOC"));
    press(&mut h, Key::X);
    let rejected = h.state().session.project.rejected_suggestions();
    assert!(
        rejected
            .iter()
            .any(|r| r.doc.as_str() == "new" && r.label == "LOC"),
        "the rejection is kept in the project: {rejected:?}"
    );
    assert_eq!(
        h.state().session.project.annotations().len(),
        before + 1,
        "rejecting adds no tag"
    );
    // The rejected place is no longer offered; the other Amsterdam still is.
    let offered: Vec<usize> = h
        .state()
        .suggestions
        .list
        .iter()
        .filter(|s| s.text == "Amsterdam")
        .map(|s| s.start)
        .collect();
    assert_eq!(offered.len(), 1, "{offered:?}");
}

#[test]
fn next_most_uncertain_jumps_to_a_sentence() {
    let mut h = harness(Session::unsaved(project()));
    train_from_the_menu(&mut h);
    press(&mut h, Key::U);
    let state = h.state();
    let least_sure = state.learn.least_sure.first().expect("sentences").clone();
    assert_eq!(
        state.session.document().map(|d| d.id().clone()),
        Some(least_sure.doc.clone())
    );
    let selection = state.session.selection.expect("the sentence is selected");
    assert_eq!(
        (selection.anchor.0, selection.head.0),
        (least_sure.start, least_sure.end)
    );
    assert!(
        state
            .learn
            .least_sure
            .windows(2)
            .all(|w| w[0].confidence <= w[1].confidence),
        "least sure first"
    );
}

#[test]
fn the_document_list_sorts_by_uncertainty_once_per_prediction_run() {
    let mut h = harness(Session::unsaved(project()));
    train_from_the_menu(&mut h);
    assert_eq!(spantag::app::learn_ui::document_order(h.state_mut()), None);
    h.get_by_label("Learn").click();
    h.run_steps(2);
    h.get_by_label("Sort documents by uncertainty").click();
    h.run_steps(3);
    let confidence = |h: &Harness<'static, SpantagApp>, i: usize| {
        let state = h.state();
        let doc = state.session.project.documents()[i].id().clone();
        state.learn.doc_confidence.get(&doc).copied().unwrap_or(1.0)
    };
    let order = spantag::app::learn_ui::document_order(h.state_mut()).expect("sorted");
    assert_eq!(order.len(), h.state().session.project.documents().len());
    assert!(
        order
            .windows(2)
            .all(|w| confidence(&h, w[0]) <= confidence(&h, w[1])),
        "least sure first: {order:?}"
    );
    // Frames in between give the same order (kept, not sorted again)…
    h.run_steps(3);
    assert_eq!(
        spantag::app::learn_ui::document_order(h.state_mut()),
        Some(order.clone())
    );
    // …and the list shows it: the least sure document's title comes first.
    let first_title = h.state().session.project.documents()[order[0]]
        .title()
        .to_owned();
    assert!(h.query_by_label(&first_title).is_some(), "{first_title}");
}
