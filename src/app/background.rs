//! Background jobs of the window: opening and saving big projects without stalling a frame.
//!
//! Loading runs on a thread of its own ([`LoadJob`]) and reports a fraction the window
//! draws as a progress bar; the window keeps answering input meanwhile. Saving takes a
//! [`Snapshot`] of the project in the frame that asks (a few pointers: the documents and
//! their annotations are shared, and edits made meanwhile copy only what they change), so
//! what is written is always one consistent state, and a thread serialises and writes it
//! atomically ([`SaveJob`]). Small projects skip all this: they load and save within a
//! frame, and tests that press Ctrl+S see the file at once.

use super::SpantagApp;
use super::session::{FileStamp, Session};
use crate::io::project_file::{self, ProjectFileError, Snapshot};
use crate::model::Project;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// Project files at least this big load in the background; smaller ones load in about a
/// frame's time, and tests see them at once.
const BACKGROUND_LOAD_BYTES: u64 = 4 << 20;
/// Projects with at least this much text save in the background.
const BACKGROUND_SAVE_TEXT_BYTES: usize = 2 << 20;
/// How long a frame may spend drawing glyphs ahead for the first documents.
const WARM_BUDGET: Duration = Duration::from_millis(3);
/// The first documents are shown after at most this long, warm or not.
const WARM_AT_MOST: Duration = Duration::from_millis(600);

/// Whether `path` is a project file big enough to load in the background.
pub fn loads_in_background(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
        && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= BACKGROUND_LOAD_BYTES)
}

/// Whether a project is big enough to save in the background.
pub fn saves_in_background(project: &Project) -> bool {
    project
        .documents()
        .iter()
        .map(|d| d.text().as_str().len())
        .sum::<usize>()
        >= BACKGROUND_SAVE_TEXT_BYTES
}

/// An empty, unsaved session to show while a project loads.
pub fn placeholder_session() -> Session {
    let project = Project::empty(project_file::default_schema());
    Session::unsaved(project)
}

/// The session a background job was started for, and its history state then. Every job
/// that hands something back to the window (a load, an import, a save) carries one, and
/// this is the one place that says whether its result may land: a project loaded or data
/// imported in the background replaces or changes the session only if it is still the
/// session that asked and nothing changed in it since; otherwise the result is dropped and
/// the status line says why. Recovering work or opening another project makes a new
/// session, so a late load never lands over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobTicket {
    generation: u64,
    state: u64,
}

/// Why a finished job's result did not land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stale {
    /// Another project was opened (or work recovered) after the job started.
    OtherSession,
    /// The session that asked was edited after the job started.
    Changed,
}

impl JobTicket {
    /// A ticket for a job started now on `session`.
    pub fn of(session: &Session) -> Self {
        Self {
            generation: session.generation(),
            state: session.history.state_id(),
        }
    }

    /// Whether `session` is the one the job was started for.
    pub fn same_session(&self, session: &Session) -> bool {
        session.generation() == self.generation
    }

    /// Whether a result may replace or change `session`: the same session, unchanged.
    pub fn lands_in(&self, session: &Session) -> Result<(), Stale> {
        if !self.same_session(session) {
            Err(Stale::OtherSession)
        } else if session.history.state_id() != self.state {
            Err(Stale::Changed)
        } else {
            Ok(())
        }
    }

    /// The history state the job saw when it started.
    pub fn state(&self) -> u64 {
        self.state
    }
}

impl Stale {
    /// What the status line says about a dropped result of `what` (e.g. "big.ron was
    /// loaded but not opened").
    pub fn message(self, what: &str) -> String {
        match self {
            Stale::OtherSession => {
                format!("{what}: another project was opened meanwhile, so it was left alone")
            }
            Stale::Changed => format!(
                "{what}: the open project was changed meanwhile, so it was left alone — \
                 your changes are kept; do it again to use it"
            ),
        }
    }
}

/// A fraction from 0 to 1 shared between a worker thread and the window.
#[derive(Clone, Default)]
pub(super) struct Fraction(Arc<AtomicU32>);

impl Fraction {
    pub(super) fn set(&self, f: f32) {
        self.0.store(f.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> f32 {
        f32::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// A project file being read and parsed on another thread.
pub struct LoadJob {
    /// The file.
    pub path: PathBuf,
    /// The session that asked for the load: the project replaces it only if it is unchanged.
    pub ticket: JobTicket,
    progress: Fraction,
    /// The file's first documents, sent as soon as they are read.
    first: Receiver<Project>,
    /// The first documents, kept back while their glyphs are drawn into the font atlas.
    first_waiting: Option<(Project, super::fonts::GlyphWarmer)>,
    /// Keep the finished project back and show only the first documents (tests drive the
    /// window in between this way; a real load never sets it).
    pub hold_result: bool,
    result: Receiver<Loaded>,
    /// A result taken by [`LoadJob::wait`], handed out by the next poll.
    waited: std::cell::Cell<Option<Loaded>>,
    /// When the job started.
    pub started: Instant,
    /// Lets the load begin (a message, or this dropped): the window opens it once it has
    /// drawn its first frames ([`FRAMES_BEFORE_LOADING`]), or when something waits for
    /// the load.
    gate: mpsc::Sender<()>,
    /// Frames the window began since the job started.
    frames: u32,
}

/// The window draws this many frames before a load it starts begins: the first frames
/// lay out every widget and font cold (5–10 ms of work at once), and a load's threads,
/// starting on every core, would make them wait for a core as long again.
const FRAMES_BEFORE_LOADING: u32 = 2;

/// What a load hands back: the project (or why not), and the file's stamp taken before it
/// was read. (A big project's suggestion engine is built after it lands, on another
/// thread: `assist_ui::Suggestions`.)
pub type Loaded = (Result<Project, ProjectFileError>, Option<FileStamp>);

impl LoadJob {
    /// Starts loading `path` on a new thread, for `session`.
    pub fn start(session: &Session, path: PathBuf) -> Self {
        let progress = Fraction::default();
        let (tx, rx) = mpsc::channel();
        let (first_tx, first_rx) = mpsc::channel();
        let (gate, gate_opened) = mpsc::channel();
        let (thread_path, thread_progress) = (path.clone(), progress.clone());
        crate::parallel::spawn_background(move || {
            // A message, or the window gone: either way, go (later messages find nobody).
            let _ = gate_opened.recv();
            drop(gate_opened);
            // The stamp before reading: a change made while a long load runs is noticed at
            // the next save.
            let stamp = FileStamp::of(&thread_path);
            let show_first = |first: Project| {
                // The window may be gone; then nobody needs them.
                let _ = first_tx.send(first);
            };
            let result = project_file::load_with_preview(
                &thread_path,
                &|f| thread_progress.set(f),
                Some(&show_first),
            );
            // The window may be gone; then nobody needs the result.
            let _ = tx.send((result, stamp));
        });
        Self {
            path,
            ticket: JobTicket::of(session),
            waited: std::cell::Cell::new(None),
            progress,
            first: first_rx,
            first_waiting: None,
            hold_result: false,
            result: rx,
            started: Instant::now(),
            gate,
            frames: 0,
        }
    }

    /// Counts a frame the window begins; after [`FRAMES_BEFORE_LOADING`] the load begins.
    pub fn frame_begins(&mut self) {
        self.frames = self.frames.saturating_add(1);
        if self.frames == FRAMES_BEFORE_LOADING + 1 {
            self.begin();
        }
    }

    /// Lets the load begin now, if it has not (a second call does nothing).
    fn begin(&self) {
        // The thread takes the first message; later ones find nobody, which is fine.
        let _ = self.gate.send(());
    }

    /// Blocks until the load is done; the next [`LoadJob::poll`] hands out the result
    /// (what the window does with it is still decided there).
    pub fn wait(&self) {
        if let Some(result) = self.waited.take() {
            self.waited.set(Some(result));
            return;
        }
        self.begin();
        let result = self
            .result
            .recv()
            .unwrap_or_else(|_| (Err(stopped(&self.path)), None));
        self.waited.set(Some(result));
    }

    /// How far the load has come, 0 to 1.
    pub fn fraction(&self) -> f32 {
        self.progress.get()
    }

    /// The file's first documents, once they are read (at most once, and not for small
    /// or unusual files).
    pub fn poll_first(&self) -> Option<Project> {
        self.first.try_recv().ok()
    }

    /// The result, once there is one.
    pub fn poll(&self) -> Option<Loaded> {
        if self.hold_result {
            return None;
        }
        if let Some(result) = self.waited.take() {
            return Some(result);
        }
        match self.result.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some((Err(stopped(&self.path)), None)),
        }
    }
}

fn stopped(path: &Path) -> ProjectFileError {
    ProjectFileError::Io {
        path: path.to_owned(),
        source: std::io::Error::other("the background job stopped unexpectedly"),
    }
}

/// A save in progress: a snapshot of the project being written on another thread.
pub struct SaveJob {
    /// The file being written.
    pub path: PathBuf,
    /// The session being saved, and the history state being saved.
    ticket: JobTicket,
    /// The file the project came from when the save started (its recovery copy goes).
    origin: Option<PathBuf>,
    written: Receiver<Result<(), ProjectFileError>>,
    /// When the job started.
    pub started: Instant,
}

impl SaveJob {
    /// Starts saving the session's project to `path`: takes its snapshot now and writes
    /// it on another thread.
    pub fn start(session: &Session, path: PathBuf) -> Self {
        let snapshot = Snapshot::of(&session.project);
        let (tx, rx) = mpsc::channel();
        let thread_path = path.clone();
        crate::parallel::spawn_background(move || {
            // The window may be gone; then nobody needs the result.
            let _ = tx.send(snapshot.write(&thread_path));
        });
        Self {
            path,
            ticket: JobTicket::of(session),
            origin: session.path.clone(),
            written: rx,
            started: Instant::now(),
        }
    }

    /// How far the save has come, 0 to 1: the snapshot is taken at once and the writing
    /// is not measured, so half way (the bar is drawn moving).
    pub fn fraction(&self) -> f32 {
        0.5
    }

    /// The saved state and the result, once the file is written.
    pub fn step(&mut self) -> Option<(JobTicket, SaveResult)> {
        match self.written.try_recv() {
            Ok(result) => Some((self.ticket, result)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some((self.ticket, Err(stopped(&self.path)))),
        }
    }
}

/// What a finished save says.
pub type SaveResult = Result<(), ProjectFileError>;

/// The window's background jobs: at most one load and one save at a time.
#[derive(Default)]
pub struct Jobs {
    /// A project being opened.
    pub load: Option<LoadJob>,
    /// A project being saved.
    pub save: Option<SaveJob>,
    /// A save asked for while another was running: done when it finishes.
    save_again: Option<PathBuf>,
}

impl Jobs {
    /// Starts opening a project file in the background for `session` (replacing a load
    /// under way); it replaces the session when done, if the session is still unchanged.
    pub fn open(&mut self, session: &Session, path: PathBuf) {
        self.load = Some(LoadJob::start(session, path));
    }

    /// Starts saving the session to `path` in the background; if a save is under way, this
    /// one follows it.
    pub fn save(&mut self, session: &Session, path: PathBuf) {
        if self.save.is_some() {
            self.save_again = Some(path);
        } else {
            self.save = Some(SaveJob::start(session, path));
        }
    }

    /// Whether anything is running.
    pub fn busy(&self) -> bool {
        self.load.is_some() || self.save.is_some()
    }
}

/// Advances the background jobs (call at the start of every frame): a finished load
/// replaces the session, a finished save marks the saved state; errors open the error
/// dialog. Keeps frames coming while a job runs.
pub fn poll_jobs(ctx: &egui::Context, app: &mut SpantagApp) {
    if let Some(job) = app.jobs.load.as_mut() {
        job.frame_begins();
    }
    if let Some(job) = app.jobs.load.as_mut()
        && let Some(first) = job.poll_first()
    {
        let warmer = glyphs_to_warm(ctx, &first, app.settings.font_size);
        job.first_waiting = Some((first, warmer));
    }
    if let Some(job) = app.jobs.load.as_mut()
        && let Some((_, warmer)) = &mut job.first_waiting
        && (warmer.step(ctx, Instant::now() + WARM_BUDGET) || job.started.elapsed() > WARM_AT_MOST)
        && let Some((first, _)) = job.first_waiting.take()
        && job.ticket.lands_in(&app.session).is_ok()
    {
        show_first_documents(app, first);
    }
    if let Some((result, stamp)) = app.jobs.load.as_ref().and_then(LoadJob::poll)
        && let Some(job) = app.jobs.load.take()
    {
        let previewed = job.ticket.same_session(&app.session) && app.session.preview_of.is_some();
        let landing = job.ticket.lands_in(&app.session);
        match (result, landing) {
            (Ok(project), _) if previewed => {
                app.settings.remember(&job.path);
                let message = land_under_preview(app, project, stamp);
                app.status = format!(
                    "opened {} in {:.1} s{message}",
                    job.path.display(),
                    job.started.elapsed().as_secs_f32()
                );
                app.pending.append(&mut app.after_load);
            }
            (Err(e), _) if previewed => {
                // The first documents stay open as unsaved work, not tied to the file
                // that could not be read: edits made to them are not lost, and nothing
                // overwrites the file with part of it.
                app.session.preview_of = None;
                app.after_load.clear();
                let message = format!(
                    "{e}\n\nOnly the first {} documents could be shown. They stay open as \
                     an unsaved project (with any edits made to them); the file was left as \
                     it is.",
                    app.session.project.documents().len()
                );
                app.status = e.to_string();
                app.dialog = Some(super::Dialog::Error(message));
            }
            (Ok(_), Err(stale)) => {
                app.status =
                    stale.message(&format!("{} was loaded but not opened", job.path.display()));
            }
            (Ok(project), Ok(())) => {
                app.settings.remember(&job.path);
                app.session = Session::saved_with_stamp(project, job.path.clone(), stamp);
                app.session.snap_words = app.settings.snap_words;
                app.session_replaced();
                app.status = format!(
                    "opened {} in {:.1} s",
                    job.path.display(),
                    job.started.elapsed().as_secs_f32()
                );
            }
            (Err(e), _) => {
                app.status = e.to_string();
                app.dialog = Some(super::Dialog::Error(e.to_string()));
            }
        }
    }
    let finished = app.jobs.save.as_mut().and_then(SaveJob::step);
    if let Some((ticket, result)) = finished
        && let Some(job) = app.jobs.save.take()
    {
        match result {
            Ok(()) if !ticket.same_session(&app.session) => {
                // Written while the project was still open, but another one is open now:
                // the file is right, the open session is not this one.
                app.status = format!("saved {}", job.path.display());
            }
            Ok(()) => {
                if let Some(saver) = &mut app.autosaver {
                    saver.clear(job.origin.as_deref());
                    saver.clear(Some(&job.path));
                }
                if let Some((recovery, _)) = app.recovered.take() {
                    recovery.discard();
                }
                app.settings.remember(&job.path);
                app.session.path = Some(job.path.clone());
                app.session.stamp = FileStamp::of(&job.path);
                if ticket.lands_in(&app.session).is_ok() {
                    app.session.history.mark_saved();
                }
                app.status = format!(
                    "saved {} in {:.1} s",
                    job.path.display(),
                    job.started.elapsed().as_secs_f32()
                );
            }
            Err(e) => {
                app.status = e.to_string();
                app.dialog = Some(super::Dialog::Error(e.to_string()));
            }
        }
        if let Some(path) = app.jobs.save_again.take() {
            app.jobs.save = Some(SaveJob::start(&app.session, path));
        }
    }
    if app
        .jobs
        .load
        .as_ref()
        .is_some_and(|job| job.first_waiting.is_some())
    {
        // Warming glyphs a slice a frame: the next slice at once.
        ctx.request_repaint();
    } else if app.jobs.busy() {
        // Progress changes on other threads; look again soon without spinning.
        ctx.request_repaint_after(Duration::from_millis(30));
    }
}

/// The glyphs the first frame showing `first` needs: the first document's text and the
/// document list's titles and details, in the fonts of the reading view, its tag chips,
/// the document list and the usual text styles.
fn glyphs_to_warm(
    ctx: &egui::Context,
    first: &Project,
    font_size: f32,
) -> super::fonts::GlyphWarmer {
    let docs = first.documents();
    let texts = docs
        .first()
        .map(|d| d.text().as_str())
        .into_iter()
        .chain(docs.iter().map(|d| d.title()))
        .chain(["0123456789 · no date tags –…", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]);
    let mut fonts = vec![
        egui::FontId::proportional(font_size),
        egui::FontId::proportional(super::text_view::CHIP_FONT),
        egui::FontId::proportional(14.0),
        egui::FontId::proportional(12.0),
    ];
    let style = ctx.global_style();
    for font in style.text_styles.values() {
        if !fonts.contains(font) {
            fonts.push(font.clone());
        }
    }
    super::fonts::GlyphWarmer::new(texts, fonts)
}

/// Shows the first documents of the file being loaded in a session of their own (the
/// placeholder's), which the whole project replaces when it lands.
fn show_first_documents(app: &mut SpantagApp, first: Project) {
    let Some(job) = app.jobs.load.as_mut() else {
        return;
    };
    let mut session = Session::saved_with_stamp(first, job.path.clone(), None);
    session.path = None;
    session.preview_of = Some(job.path.clone());
    session.snap_words = app.settings.snap_words;
    job.ticket = JobTicket::of(&session);
    app.status = format!(
        "showing the first {} documents of {} while the rest loads",
        session.project.documents().len(),
        job.path.display()
    );
    app.session = session;
    app.session_replaced();
}

/// Puts the whole project in place of its first documents: the edits made to them
/// meanwhile are redone on it (the undo history carries over, so they stay undoable), and
/// the open document, selection and scroll position stay. Returns what the status line
/// adds about edits that could not be carried over.
fn land_under_preview(app: &mut SpantagApp, project: Project, stamp: Option<FileStamp>) -> String {
    let mut preview = std::mem::replace(&mut app.session, placeholder_session());
    let Some(path) = preview.preview_of.take() else {
        app.session = preview;
        return String::new();
    };
    let mut history = std::mem::take(&mut preview.history);
    // Undo everything on the first documents: the redo stack then holds every edit, in
    // order, ready to be redone on the whole project.
    let mut steps = 0;
    while let Ok(true) = history.undo(preview.project_mut()) {
        steps += 1;
    }
    let mut session = Session::saved_with_stamp(project, path, stamp);
    let mut carried = 0;
    let mut failure = None;
    while carried < steps {
        match history.redo(session.project_mut()) {
            Ok(true) => carried += 1,
            Ok(false) => break,
            Err(e) => {
                failure = Some(e.to_string());
                break;
            }
        }
    }
    session.history = history;
    session.current = preview
        .current
        .min(session.project.documents().len().saturating_sub(1));
    session.selection = preview.selection;
    session.selected = preview.selected;
    session.snap_words = preview.snap_words;
    app.session = session;
    // Counted from the whole project from now on (a count of the first documents' tags
    // would make the load look like thousands of new tags, and start a training).
    app.learn = super::learn_ui::LearnState::default();
    // Built again for the whole project (on another thread when it is big).
    app.suggestions.invalidate();
    match failure {
        None if carried == 0 => String::new(),
        None => format!("; your {carried} edits made while it loaded are in it"),
        Some(why) => {
            let message = format!(
                "{} of your {steps} edits made while it loaded could not be redone on the \
                 whole project ({why}); they wait on the redo stack",
                steps - carried
            );
            app.dialog = Some(super::Dialog::Error(message.clone()));
            format!("; {message}")
        }
    }
}

/// A thin bar under the menu with what runs in the background and how far it has come.
pub fn progress_ui(ui: &mut egui::Ui, app: &SpantagApp) {
    if !app.jobs.busy() {
        return;
    }
    egui::Panel::top("background jobs").show(ui, |ui| {
        if let Some(job) = &app.jobs.load {
            let name = file_name(&job.path);
            ui.add(
                egui::ProgressBar::new(job.fraction())
                    .show_percentage()
                    .text(format!("opening {name}…")),
            );
        }
        if let Some(job) = &app.jobs.save {
            let name = file_name(&job.path);
            ui.add(
                egui::ProgressBar::new(job.fraction())
                    .animate(true)
                    .text(format!("saving {name}…")),
            );
        }
    });
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A result being computed on another thread, for a key.
pub(super) struct Job<K, T> {
    /// What the result is for.
    pub(super) key: K,
    result: Receiver<T>,
}

impl<K: PartialEq, T: Send + 'static> Job<K, T> {
    /// Computes `work` on a background thread.
    pub(super) fn start(key: K, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        crate::parallel::spawn_background(move || {
            // The window may be gone, or the list moved on: then nobody needs it.
            let _ = tx.send(work());
        });
        Self { key, result: rx }
    }

    /// The result once there is one; `Err(())` when the thread stopped without one.
    pub(super) fn poll(&self) -> Result<Option<T>, ()> {
        match self.result.try_recv() {
            Ok(result) => Ok(Some(result)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(()),
        }
    }
}

/// The result of the job in `slot` for `key` once it has landed; until then `None`, and
/// `work` is started for `key` unless a job for it runs already (one for another key is
/// dropped: its result would be stale).
pub(super) fn landed<K: PartialEq + Clone, T: Send + 'static>(
    slot: &mut Option<Job<K, T>>,
    key: &K,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match slot.as_ref().map(|job| (job.key == *key, job.poll())) {
        Some((true, Ok(Some(result)))) => {
            *slot = None;
            Some(result)
        }
        Some((true, Ok(None))) => None,
        _ => {
            *slot = Some(Job::start(key.clone(), work));
            None
        }
    }
}
