//! Import and export from the window run on a worker thread with progress, end with a
//! summary dialog, and an import is one undoable step.

mod common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use spantag::app::{Command, Dialog, SpantagApp, bundled_session};
use spantag::formats::ExportFormat;
use std::path::Path;

fn harness() -> Harness<'static, SpantagApp> {
    common::harness(bundled_session().expect("corpus"))
}

fn wait_for_transfer(h: &mut Harness<'static, SpantagApp>) {
    for _ in 0..600 {
        h.step();
        if h.state().transfer.is_none() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the transfer did not finish");
}

#[test]
fn import_runs_in_the_background_reports_and_undoes_in_one_step() {
    let mut h = harness();
    let spans = tempfile::tempdir().expect("tmp");
    let file = spans.path().join("example.jsonl");
    let example = spantag::io::project_file::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron"),
    )
    .expect("example");
    spantag::formats::export(&example, ExportFormat::Spans, &file, &mut |_| {}).expect("export");

    h.state_mut().send(Command::ImportPath(file));
    h.run_steps(1);
    wait_for_transfer(&mut h);
    h.run_steps(2);
    assert_eq!(
        h.state().session.project.annotations().len(),
        example.annotations().len()
    );
    match &h.state().dialog {
        Some(Dialog::Report(report)) => assert!(report.contains("216 annotations"), "{report}"),
        other => panic!("expected the import summary, got {other:?}"),
    }
    h.state_mut().dialog = None;
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(
        h.state().session.project.annotations().is_empty(),
        "one undo"
    );
}

#[test]
fn export_runs_in_the_background_and_writes_the_file() {
    let mut h = harness();
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out.csv");
    h.state_mut()
        .send(Command::ExportTo(ExportFormat::Csv, out.clone()));
    h.run_steps(1);
    wait_for_transfer(&mut h);
    assert!(out.is_file(), "written");
    assert!(matches!(h.state().dialog, Some(Dialog::Report(_))));
}

#[test]
fn an_export_writes_the_project_as_it_was_when_started_while_the_user_goes_on() {
    let mut h = harness();
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out.jsonl");
    h.state_mut()
        .send(Command::ExportTo(ExportFormat::Spans, out.clone()));
    h.run_steps(1);
    // Tag a word while the export may still be running: the export shares the project
    // and the edit copies it first, so neither sees the other's state.
    h.state_mut()
        .session
        .select_word(spantag::model::CharOffset(0));
    h.state_mut().send(Command::Tag("PER".to_owned()));
    h.run_steps(1);
    assert_eq!(h.state().session.project.annotations().len(), 1, "tagged");
    wait_for_transfer(&mut h);
    let written = std::fs::read_to_string(&out).expect("export written");
    assert_eq!(
        written, "",
        "the export holds the project as it was: no tags"
    );
}

#[test]
fn a_failing_import_shows_an_error_and_changes_nothing() {
    let mut h = harness();
    let before = h.state().session.project.clone();
    h.state_mut()
        .send(Command::ImportPath("/no/such/file.conll".into()));
    h.run_steps(1);
    wait_for_transfer(&mut h);
    match &h.state().dialog {
        Some(Dialog::Error(message)) => {
            assert!(message.contains("/no/such/file.conll"), "{message}")
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(h.state().session.project, before);
}
