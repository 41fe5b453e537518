//! "Never lose work, part two": one regression test for each way an outside review found
//! to lose or misplace work in the window (issue 18), named after what it broke. Each
//! drives the real app (`SpantagApp`, `Session`) the way the reported case did.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::session::Session;
use spantag::app::{Command, Dialog, Settings, SpantagApp, autosave, background};
use spantag::formats::ExportFormat;
use spantag::model::{Project, Span};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The app as it starts: `session` (or the last project), recovery copies in `rec`.
fn start(session: Option<Session>, rec: &Path) -> Harness<'static, SpantagApp> {
    let rec = rec.to_owned();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| SpantagApp::start(session, Settings::default(), rec));
    h.run_steps(2);
    h
}

/// A project over the bundled corpus saved at `path`.
fn saved_corpus(path: &Path) -> Project {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let mut session = spantag::app::load_path(&corpus).expect("corpus");
    session.save_to(path).expect("save");
    (*session.project).clone()
}

/// Tags the first "Cambridge Analytica"-sized word range of the current document.
fn tag_something(session: &mut Session) {
    let text = session.document().expect("doc").text().clone();
    session
        .tag(Span::new(16, 25, &text).expect("span"), "ORG")
        .expect("tag");
}

/// Steps frames until no background load is left (at most a minute).
fn until_loaded(h: &mut Harness<'static, SpantagApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while h.state().jobs.load.is_some() {
        assert!(Instant::now() < deadline, "the load never finished");
        std::thread::sleep(Duration::from_millis(5));
        h.run_steps(1);
    }
}

/// Writes a recovery copy of `session` into `rec` as a crashed instance would leave it:
/// the instance is gone afterwards (its lock released).
fn crashed_copy(session: &Session, rec: &Path) {
    let mut saver = autosave::Autosaver::new(rec.to_owned());
    saver.tick(
        &session.project,
        session.path.as_deref().map(|p| (p, session.stamp)),
        7,
        true,
        true,
    );
    saver.wait();
    drop(saver);
}

/// Someone else's change (`theirs`) is in `path`: Ctrl+S asks first and leaves it be.
fn ctrl_s_asks_before_overwriting(h: &mut Harness<'static, SpantagApp>, path: &Path, theirs: &str) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(3);
    assert!(
        matches!(h.state().dialog, Some(Dialog::ChangedOnDisk(_))),
        "{:?}",
        h.state().dialog
    );
    assert_eq!(std::fs::read_to_string(path).expect("read"), theirs);
}

/// A saved project `p.ron` in `dir`, and a crashed window's recovery copy (in `dir/rec`)
/// of tagged work on it: (recovery folder, project file, the crashed session).
fn crashed_with_tagged_work(dir: &Path) -> (PathBuf, PathBuf, Session) {
    let rec = dir.join("rec");
    let path = dir.join("p.ron");
    saved_corpus(&path);
    let mut crashed = Session::open(&path).expect("open");
    tag_something(&mut crashed);
    crashed_copy(&crashed, &rec);
    (rec, path, crashed)
}

fn annotation_count(h: &Harness<'static, SpantagApp>) -> usize {
    h.state().session.project.annotations().len()
}

#[test]
fn a_late_background_load_never_replaces_newer_work() {
    let tmp = tempfile::tempdir().expect("tmp");
    let big = tmp.path().join("big.ron");
    let small = tmp.path().join("small.ron");
    let big_project = spantag::corpus::generate::generate(&spantag::corpus::generate::Spec {
        documents: 20,
        words_per_document: 200,
        spans_per_document: 10,
        seed: 1,
    });
    spantag::io::project_file::save(&big_project, &big).expect("save big");
    saved_corpus(&small);
    let mut h = start(
        Some(background::placeholder_session()),
        &tmp.path().join("rec"),
    );
    // Open the big project in the background, and meanwhile open another one and tag.
    let app = h.state_mut();
    app.jobs.open(&app.session, big.clone());
    app.session = Session::open(&small).expect("open small");
    tag_something(&mut app.session);
    until_loaded(&mut h);
    let app = h.state();
    assert_eq!(app.session.path.as_deref(), Some(small.as_path()));
    assert!(app.session.history.is_dirty(), "the edit is still there");
    assert_eq!(annotation_count(&h), 1);
    assert!(
        app.status.contains("not opened"),
        "the status line says the load was dropped: {}",
        app.status
    );
}

#[test]
fn a_background_load_still_opens_when_nothing_changed_meanwhile() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("p.ron");
    let project = saved_corpus(&path);
    let mut h = start(
        Some(background::placeholder_session()),
        &tmp.path().join("rec"),
    );
    let app = h.state_mut();
    app.jobs.open(&app.session, path.clone());
    until_loaded(&mut h);
    assert_eq!(h.state().session.path.as_deref(), Some(path.as_path()));
    assert_eq!(*h.state().session.project, project);
}

#[test]
fn recovered_work_is_not_replaced_by_the_deferred_load_and_keeps_its_copy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (rec, path, crashed) = crashed_with_tagged_work(tmp.path());

    // The next start: the last project loads in the background, and "Recover" is chosen
    // before the load is done.
    let mut h = start(Some(background::placeholder_session()), &rec);
    let Some(Dialog::Recover(found)) = h.state().dialog.clone() else {
        panic!("the copy is offered: {:?}", h.state().dialog);
    };
    let ctx = h.ctx.clone();
    let app = h.state_mut();
    app.jobs.open(&app.session, path.clone());
    app.dialog = None;
    app.execute(&ctx, Command::Recover(found));
    until_loaded(&mut h);
    assert_eq!(
        *h.state().session.project,
        *crashed.project,
        "recovered work stays"
    );
    assert!(h.state().session.history.is_dirty());
    // Let the autosaver write this session's own copy, then "crash" again: the recovered
    // work is still on disk.
    h.event(egui::Event::WindowFocused(false));
    h.run_steps(3);
    if let Some(saver) = &mut h.state_mut().autosaver {
        saver.wait();
    }
    h.run_steps(2);
    drop(h);
    let copies = autosave::find_recoveries(&rec);
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(copies[0].load().expect("copy loads"), *crashed.project);
}

#[test]
fn a_second_instance_never_offers_or_deletes_a_running_instances_recovery_copy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = tmp.path().join("rec");
    let path = tmp.path().join("p.ron");
    saved_corpus(&path);
    // The first instance runs with unsaved work and has written its copy.
    let mut first = Session::open(&path).expect("open");
    tag_something(&mut first);
    let mut running = autosave::Autosaver::new(rec.clone());
    assert!(running.holds_lock());
    let origin = Some((path.as_path(), first.stamp));
    running.tick(&first.project, origin, 1, true, true);
    running.wait();
    let copy = std::fs::read_dir(&rec)
        .expect("rec")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "ron"))
        .expect("the running instance's copy");

    // A second instance starts: nothing is offered, nothing deleted.
    let h = start(Some(Session::open(&path).expect("open")), &rec);
    assert!(
        !matches!(h.state().dialog, Some(Dialog::Recover(_))),
        "a live instance's copy is not offered"
    );
    assert!(autosave::find_recoveries(&rec).is_empty());
    assert!(copy.is_file(), "the copy is still there");
    drop(h);

    // Should the copy go anyway (removed by hand), the running instance writes it again.
    std::fs::remove_file(&copy).expect("remove");
    running.tick(&first.project, origin, 1, true, true);
    running.wait();
    assert!(copy.is_file(), "written again");

    // Once the first instance is gone (a crash), its copy is offered as before.
    drop(running);
    let offered = autosave::find_recoveries(&rec);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].load().expect("loads"), *first.project);
}

#[test]
fn two_instances_on_one_project_warn_each_other_at_save() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rec = tmp.path().join("rec");
    let path = tmp.path().join("p.ron");
    saved_corpus(&path);
    let mut a = start(Some(Session::open(&path).expect("open")), &rec);
    let mut b = start(Some(Session::open(&path).expect("open")), &rec);
    let before = std::fs::read(&path).expect("read");
    tag_something(&mut a.state_mut().session);
    a.key_press_modifiers(Modifiers::COMMAND, Key::S);
    a.run_steps(3);
    assert!(
        matches!(a.state().dialog, Some(Dialog::OpenElsewhere(_, 1))),
        "{:?}",
        a.state().dialog
    );
    assert_eq!(std::fs::read(&path).expect("read"), before, "not saved yet");
    a.get_by_label("Save anyway").click();
    a.run_steps(3);
    assert!(
        !a.state().session.history.is_dirty(),
        "saved after the warning"
    );
    // The other window is warned too: its file changed on disk under it.
    tag_something(&mut b.state_mut().session);
    b.key_press_modifiers(Modifiers::COMMAND, Key::S);
    b.run_steps(3);
    assert!(
        matches!(b.state().dialog, Some(Dialog::ChangedOnDisk(_))),
        "{:?}",
        b.state().dialog
    );
    drop(a);
    // With the first window closed, nobody else has the file open.
    b.state_mut().dialog = None;
    assert_eq!(
        b.state()
            .autosaver
            .as_ref()
            .map(|s| s.others_editing(&path)),
        Some(0)
    );
}

#[test]
fn exporting_over_the_open_project_by_another_name_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("p.ron");
    saved_corpus(&path);
    let before = std::fs::read(&path).expect("read");
    // Opened by one name, exported to another name of the same file (as a file chooser
    // returns an absolute path for a project opened by a relative one).
    let opened_as: PathBuf = tmp.path().join(".").join("p.ron");
    let mut h = start(
        Some(Session::open(&opened_as).expect("open")),
        &tmp.path().join("rec"),
    );
    let ctx = h.ctx.clone();
    let mut names = vec![path.clone(), tmp.path().join("sub/../p.ron")];
    std::fs::create_dir(tmp.path().join("sub")).expect("dir");
    #[cfg(unix)]
    {
        let link = tmp.path().join("link.ron");
        std::os::unix::fs::symlink(&path, &link).expect("link");
        names.push(link);
    }
    for name in names {
        h.state_mut()
            .execute(&ctx, Command::ExportTo(ExportFormat::Csv, name.clone()));
        assert!(
            h.state().transfer.is_none(),
            "no export started to {name:?}"
        );
        assert!(
            matches!(&h.state().dialog, Some(Dialog::Error(m)) if m.contains("refusing")),
            "{:?}",
            h.state().dialog
        );
        h.state_mut()
            .execute(&ctx, Command::ImportPath(name.clone()));
        assert!(
            h.state().transfer.is_none(),
            "no import of itself from {name:?}"
        );
        h.state_mut().dialog = None;
    }
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "project untouched"
    );
}

#[test]
fn saving_recovered_work_over_a_file_changed_since_the_crash_asks_first() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (rec, path, _) = crashed_with_tagged_work(tmp.path());
    // After the crash, someone else changes the file (a colleague's git pull).
    std::thread::sleep(Duration::from_millis(20));
    let theirs = std::fs::read_to_string(&path).expect("read") + "\n";
    std::fs::write(&path, &theirs).expect("write");

    let mut h = start(Some(Session::open(&path).expect("open")), &rec);
    let Some(Dialog::Recover(found)) = h.state().dialog.clone() else {
        panic!("the copy is offered");
    };
    assert!(found.stamp.is_some(), "the copy carries the file's stamp");
    let ctx = h.ctx.clone();
    h.state_mut().dialog = None;
    h.state_mut().execute(&ctx, Command::Recover(found));
    ctrl_s_asks_before_overwriting(&mut h, &path, &theirs);
}

#[test]
fn a_change_made_while_a_project_loads_is_noticed_at_save() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("p.ron");
    saved_corpus(&path);
    let mut h = start(
        Some(background::placeholder_session()),
        &tmp.path().join("rec"),
    );
    let app = h.state_mut();
    app.jobs.open(&app.session, path.clone());
    // The file was read; it changes before the window takes the project.
    if let Some(job) = &app.jobs.load {
        job.wait();
    }
    std::thread::sleep(Duration::from_millis(20));
    let theirs = std::fs::read_to_string(&path).expect("read") + "\n";
    std::fs::write(&path, &theirs).expect("write");
    until_loaded(&mut h);
    assert_eq!(h.state().session.path.as_deref(), Some(path.as_path()));
    tag_something(&mut h.state_mut().session);
    ctrl_s_asks_before_overwriting(&mut h, &path, &theirs);
}

#[test]
fn save_as_over_another_project_keeps_that_project_where_no_save_rotates_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let other = tmp.path().join("other.ron");
    saved_corpus(&other);
    let mut annotated = Session::open(&other).expect("open");
    tag_something(&mut annotated);
    annotated.save_to(&other).expect("save");
    let kept = std::fs::read(&other).expect("read");
    // Another project, saved as other.ron (the file chooser asked "replace?"), then saved
    // twice more: the annotated project must still be on disk.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let mut h = start(
        Some(spantag::app::load_path(&corpus).expect("corpus")),
        &tmp.path().join("rec"),
    );
    let ctx = h.ctx.clone();
    h.state_mut().execute(&ctx, Command::SaveTo(other.clone()));
    assert!(h.state().status.contains("kept as"), "{}", h.state().status);
    for _ in 0..2 {
        tag_something(&mut h.state_mut().session);
        h.state_mut().execute(&ctx, Command::Save);
    }
    let copies: Vec<Vec<u8>> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    assert!(copies.contains(&kept), "the replaced project is kept");
}

#[test]
fn exporting_over_another_project_file_from_the_window_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let other = tmp.path().join("other.ron");
    saved_corpus(&other);
    let before = std::fs::read(&other).expect("read");
    let mut h = start(
        Some(Session::open(&other).expect("open")),
        &tmp.path().join("rec"),
    );
    let third = tmp.path().join("third.ron");
    std::fs::copy(&other, &third).expect("copy");
    let ctx = h.ctx.clone();
    h.state_mut()
        .execute(&ctx, Command::ExportTo(ExportFormat::Spans, third.clone()));
    assert!(h.state().transfer.is_none());
    assert!(matches!(&h.state().dialog, Some(Dialog::Error(m)) if m.contains("refusing")));
    assert_eq!(std::fs::read(&third).expect("read"), before);
}
