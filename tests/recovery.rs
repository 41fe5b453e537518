//! Autosave and recovery through the real app: unsaved work is written as a recovery copy,
//! the next start offers it, "Recover" brings it back as unsaved work of the same file, and
//! a save removes the copy.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::session::Session;
use spantag::app::{Settings, SpantagApp, autosave};
use spantag::model::{CharOffset, Span};
use std::path::Path;

fn start(session: Session, dir: &Path) -> Harness<'static, SpantagApp> {
    let dir = dir.to_owned();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| SpantagApp::start(Some(session), Settings::default(), dir));
    h.run_steps(3);
    h
}

#[test]
fn unsaved_work_is_recovered_after_a_crash_and_cleared_by_a_save() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = tmp.path().join("recovery");
    let project_path = tmp.path().join("p.ron");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let mut session = spantag::app::load_path(&corpus).expect("corpus");
    session.save_to(&project_path).expect("first save");

    // Session 1: tag a word, let the autosaver write, then "crash" (drop without saving).
    let mut h = start(Session::open(&project_path).expect("open"), &rec);
    let text = h.state().session.document().expect("doc").text().clone();
    let span = Span::new(16, 25, &text).expect("span");
    h.state_mut().session.tag(span, "ORG").expect("tag");
    // Losing focus makes the write due at once.
    h.event(egui::Event::WindowFocused(false));
    h.run_steps(3);
    if let Some(saver) = &mut h.state_mut().autosaver {
        saver.wait();
    }
    assert!(
        autosave::find_recoveries(&rec).is_empty(),
        "the copy of a running window is not offered to others"
    );
    let crashed = h.state().session.project.clone();
    drop(h);
    let found = autosave::find_recoveries(&rec);
    assert_eq!(found.len(), 1, "one recovery copy once the window is gone");

    // Session 2: the copy is offered and recovered as unsaved work of p.ron.
    let mut h = start(Session::open(&project_path).expect("open"), &rec);
    h.get_by_label("Recover").click();
    h.run_steps(3);
    assert_eq!(h.state().session.project, crashed);
    assert!(h.state().session.history.is_dirty());
    let canonical = std::fs::canonicalize(&project_path).expect("canonical");
    assert_eq!(h.state().session.path.as_deref(), Some(canonical.as_path()));
    assert_eq!(
        h.state()
            .session
            .project
            .annotations()
            .values()
            .next()
            .map(|a| a.spans()[0].start()),
        Some(CharOffset(16))
    );

    // A save writes the project and removes the recovery copy.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(3);
    assert!(!h.state().session.history.is_dirty());
    assert!(
        autosave::find_recoveries(&rec).is_empty(),
        "copy removed after save"
    );
    let saved = spantag::io::project_file::load(&project_path).expect("load");
    assert_eq!(saved, *crashed);
}

#[test]
fn a_file_changed_on_disk_is_never_overwritten_silently() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project_path = tmp.path().join("p.ron");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let mut session = spantag::app::load_path(&corpus).expect("corpus");
    session.save_to(&project_path).expect("first save");
    let mut h = start(
        Session::open(&project_path).expect("open"),
        &tmp.path().join("rec"),
    );
    // Someone else changes the file (a colleague's git pull, another spantag).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let theirs = std::fs::read_to_string(&project_path).expect("read") + "\n";
    std::fs::write(&project_path, &theirs).expect("write");
    let text = h.state().session.document().expect("doc").text().clone();
    h.state_mut()
        .session
        .tag(Span::new(16, 25, &text).expect("span"), "ORG")
        .expect("tag");
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(3);
    assert!(matches!(
        h.state().dialog,
        Some(spantag::app::Dialog::ChangedOnDisk(_))
    ));
    assert_eq!(
        std::fs::read_to_string(&project_path).expect("read"),
        theirs,
        "not overwritten"
    );
    h.get_by_label("Overwrite").click();
    h.run_steps(3);
    let saved = spantag::io::project_file::load(&project_path).expect("load");
    assert_eq!(saved, *h.state().session.project);
    assert!(!h.state().session.history.is_dirty());
}

#[test]
fn a_recovery_copy_found_at_start_up_is_never_overwritten_before_the_user_chooses() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = tmp.path().join("recovery");
    // A crashed session left a copy of tagged work on the bundled corpus (never saved).
    let mut crashed = spantag::app::bundled_session().expect("corpus");
    let text = crashed.document().expect("doc").text().clone();
    crashed
        .tag(Span::new(16, 25, &text).expect("span"), "ORG")
        .expect("tag");
    let mut saver = autosave::Autosaver::new(rec.clone());
    saver.tick(&crashed.project, None, 1, true, true);
    saver.wait();
    // The crashed instance is gone.
    drop(saver);
    let found = autosave::find_recoveries(&rec);
    assert_eq!(found.len(), 1);
    let copy = std::fs::read(&found[0].file).expect("copy");

    // The next start opens the untouched corpus and offers the copy; the user looks away,
    // says "Later", the window loses focus: the copy must survive all of it.
    let mut h = start(spantag::app::bundled_session().expect("corpus"), &rec);
    h.event(egui::Event::WindowFocused(false));
    h.run_steps(5);
    h.get_by_label("Later").click();
    h.run_steps(3);
    h.event(egui::Event::WindowFocused(false));
    h.run_steps(5);
    if let Some(saver) = &mut h.state_mut().autosaver {
        saver.wait();
    }
    let now = autosave::find_recoveries(&rec);
    assert_eq!(now.len(), 1, "no second copy of untouched work");
    assert_eq!(
        std::fs::read(&now[0].file).expect("copy"),
        copy,
        "the copy is intact"
    );
}
