//! Opening a big project: its first documents are readable and taggable while the rest
//! loads (issue 17), and what was done to them meanwhile is in the whole project once it
//! lands. Drives the real app in a kittest harness; the load job is held back so the test
//! sees the in-between state however fast the machine is.

mod common;

use common::{char_center, double_click, harness};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::{Dialog, SpantagApp, background};
use spantag::corpus::generate::{Spec, generate};
use spantag::model::Project;
use std::path::Path;
use std::time::{Duration, Instant};

/// A generated project big enough to load in the background, in batches, saved at `path`.
fn big_project(path: &Path) -> Project {
    let project = generate(&Spec {
        documents: 1000,
        words_per_document: 400,
        spans_per_document: 30,
        seed: 11,
    });
    spantag::io::project_file::save(&project, path).expect("save");
    assert!(
        background::loads_in_background(path),
        "big enough to load in the background"
    );
    project
}

/// The app opening `path` in the background, its finished project held back.
fn opening(path: &Path) -> Harness<'static, SpantagApp> {
    let mut h = harness(background::placeholder_session());
    let app = h.state_mut();
    app.jobs.open(&app.session, path.to_owned());
    app.jobs.load.as_mut().expect("a load").hold_result = true;
    h
}

/// Steps frames until `done` holds (at most a minute).
fn until(h: &mut Harness<'static, SpantagApp>, what: &str, done: impl Fn(&SpantagApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(5));
        h.run_steps(1);
    }
}

/// Lets the held-back project land and steps until the load is over.
fn land(h: &mut Harness<'static, SpantagApp>) {
    if let Some(job) = h.state_mut().jobs.load.as_mut() {
        job.hold_result = false;
    }
    until(h, "the load finished", |app| app.jobs.load.is_none());
    h.run_steps(2);
}

/// Char range of the first word of the current document that no tag touches.
fn untagged_word(app: &SpantagApp) -> (usize, usize) {
    let doc = app.session.document().expect("a document");
    let tags = app.session.project.annotations_of(doc.id());
    let text = doc.text().as_str();
    let mut start = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        let end = start + len;
        let free = len > 3
            && word.chars().all(char::is_alphabetic)
            && tags
                .iter()
                .flat_map(|a| a.spans().iter())
                .all(|s| s.end().0 <= start || s.start().0 >= end);
        if free {
            return (start, end);
        }
        start = end + 1;
    }
    panic!("no untagged word in the first document");
}

#[test]
fn the_first_documents_are_taggable_while_the_rest_loads_and_the_tag_lands_in_the_whole_project() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("big.ron");
    let full = big_project(&path);
    let written = std::fs::read(&path).expect("read");
    let mut h = opening(&path);
    until(&mut h, "the first documents are shown", |app| {
        app.session.preview_of.is_some()
    });
    h.run_steps(2);
    let shown = h.state().session.project.documents().len();
    assert!(shown > 0 && shown < full.documents().len(), "{shown}");
    assert!(h.state().session.title().contains("loading"));
    h.get_by_label(&format!(
        "the first {shown} documents; the rest is loading…"
    ));
    // Suggestions are learnt from the whole corpus: none from the first documents alone.
    assert!(h.state().suggestions.list.is_empty());
    assert!(!h.state().suggestions.building());
    // Tag a word of the first document with its hotkey.
    let (start, end) = untagged_word(h.state());
    let pos = char_center(&h, start + 1);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let before = full.annotations().len();
    assert!(h.state().session.history.is_dirty());
    // Saving waits for the whole project; corpus-wide work is refused meanwhile.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    assert!(
        h.state().status.contains("saved once it has loaded"),
        "{}",
        h.state().status
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        written,
        "nothing written yet"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run_steps(2);
    assert!(
        h.state().status.contains("waits until it has loaded"),
        "{}",
        h.state().status
    );
    // The whole project lands with the tag in it, and the save asked for is done.
    land(&mut h);
    let app = h.state();
    assert_eq!(app.session.preview_of, None);
    assert_eq!(app.session.path.as_deref(), Some(path.as_path()));
    assert_eq!(
        app.session.project.documents().len(),
        full.documents().len()
    );
    assert_eq!(app.session.project.annotations().len(), before + 1);
    let doc = app.session.document().expect("still the same document");
    assert_eq!(doc.id(), full.documents()[0].id());
    assert!(
        app.session
            .project
            .annotations_of(doc.id())
            .iter()
            .any(|a| {
                a.spans()[0].start().0 == start
                    && a.spans()[0].end().0 == end
                    && a.label() == Some("PER")
            })
    );
    until(&mut h, "suggestions from the whole project", |app| {
        !app.suggestions.list.is_empty()
    });
    until(&mut h, "the deferred save is written", |app| {
        app.jobs.save.is_none() && !app.session.history.is_dirty()
    });
    let saved = spantag::io::project_file::load(&path).expect("reload");
    assert_eq!(saved, *h.state().session.project);
    // The tag made while loading is undoable in the whole project.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(*h.state().session.project, full);
}

#[test]
fn a_file_that_fails_after_its_first_documents_keeps_them_as_unsaved_work() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("big.ron");
    big_project(&path);
    // The end of the file is damaged: the first documents read, the whole file does not.
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.truncate(bytes.len() - 40);
    std::fs::write(&path, &bytes).expect("write");
    let mut h = opening(&path);
    until(&mut h, "the first documents are shown", |app| {
        app.session.preview_of.is_some()
    });
    let shown = h.state().session.project.documents().len();
    land(&mut h);
    let app = h.state();
    let Some(Dialog::Error(message)) = &app.dialog else {
        panic!("an error dialog, not {:?}", app.dialog);
    };
    assert!(message.contains("big.ron"), "names the file: {message}");
    assert!(
        message.contains(&format!("first {shown} documents")),
        "{message}"
    );
    assert_eq!(app.session.preview_of, None);
    assert_eq!(app.session.path, None, "never saved over the damaged file");
    assert_eq!(app.session.project.documents().len(), shown);
    assert_eq!(
        std::fs::read(&path).expect("read"),
        bytes,
        "the file is untouched"
    );
}

#[test]
fn a_big_projects_suggestions_are_built_in_the_background_and_take_in_edits_made_meanwhile() {
    use spantag::corpus::suggest::SuggestionEngine;
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("big.ron");
    let full = big_project(&path);
    assert!(
        full.annotations().len() > 20_000,
        "big enough to build in the background"
    );
    let mut h = opening(&path);
    land(&mut h);
    // Tag a word at once: the engine being built has not seen it.
    let (start, _) = untagged_word(h.state());
    let pos = char_center(&h, start + 1);
    double_click(&mut h, pos);
    h.key_press(Key::Num1);
    h.run_steps(1);
    until(&mut h, "the suggestion engine landed", |app| {
        !app.suggestions.building()
    });
    h.run_steps(2);
    let app = h.state();
    let doc = app.session.document().expect("doc").id().clone();
    let project = &app.session.project;
    let built_here = SuggestionEngine::build(project, &Default::default());
    assert_eq!(
        app.suggestions.list,
        built_here.for_document(project, &doc),
        "the same suggestions as an engine built on the project as it is now"
    );
}

#[test]
fn a_load_begins_once_the_window_has_drawn_its_first_frames() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.ron");
    big_project(&path);
    let mut h = opening(&path);
    // No frame yet: the load has not begun, however long it is given.
    std::thread::sleep(Duration::from_millis(300));
    let job = h.state().jobs.load.as_ref().expect("a load");
    assert_eq!(job.fraction(), 0.0, "nothing read before the first frames");
    assert!(h.state().session.project.documents().is_empty());
    // The first frames are drawn; then it begins, and the first documents come.
    until(&mut h, "the first documents are shown", |app| {
        !app.session.project.documents().is_empty()
    });
    assert!(h.state().session.preview_of.is_some());
    land(&mut h);
    assert_eq!(h.state().session.project.documents().len(), 1000);
}
