//! The window: an eframe app over a [`Session`].
//!
//! UI code never changes the project directly: widgets emit [`Command`]s, and
//! [`SpantagApp::execute`] carries them out at the end of the frame, turning them into
//! edits on the session (which go through the undo history).

pub mod assist_ui;
pub mod autosave;
pub mod background;
pub mod charts;
pub mod corpus_views;
pub mod document_list;
pub mod file_chooser;
pub mod fonts;
pub mod keys;
pub mod learn_ui;
pub mod panels;
pub mod relation_ui;
pub mod schema_ui;
pub mod session;
pub mod stance_ui;
pub mod team_ui;
pub mod text_view;
pub mod transfer;
pub mod windows;

use crate::formats::{self, ExportFormat};
use crate::io::{corpus, project_file};
use crate::model::{AnnotationId, AnnotationKind, CharOffset, DocStatus, Project, Span};
use file_chooser::{ChooserKind, FileRequest, NativeAnswer};
use session::Session;
use stance_ui::{StanceEditor, StanceStep, TagEditBuffers};
use std::path::{Path, PathBuf};
use text_view::{TextAction, TextView};

/// Settings that belong to the user, not the project; kept in eframe's storage.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
#[serde(default)]
pub struct Settings {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// Snap selections to whole words.
    pub snap_words: bool,
    /// Reading font size in points.
    pub font_size: f32,
    /// Dark theme.
    pub dark: bool,
    /// Draw relations as arcs above the text.
    pub show_arcs: bool,
    /// The desktop's file dialog or the in-app chooser.
    pub file_chooser: file_chooser::ChooserKind,
    /// The order of the document list.
    pub document_order: crate::corpus::order::DocumentOrder,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            snap_words: true,
            font_size: 16.0,
            dark: false,
            show_arcs: true,
            file_chooser: file_chooser::ChooserKind::default(),
            document_order: crate::corpus::order::DocumentOrder::default(),
        }
    }
}

impl Settings {
    fn remember(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(10);
    }
}

/// Everything a click, key or menu item can ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Switch to the document at this index.
    OpenDocument(usize),
    /// Switch to the next or previous document of the list, in the list's order.
    StepDocument {
        /// Down the list.
        forward: bool,
    },
    /// Tag the selection with a label, or relabel the selected entity.
    Tag(String),
    /// Select an annotation and bring it into view.
    SelectAnnotation(AnnotationId),
    /// Something happened in the reading view.
    Text(TextAction),
    /// Remove the selected annotation.
    DeleteSelected,
    /// Undo.
    Undo,
    /// Redo.
    Redo,
    /// Set the current document's status.
    SetStatus(DocStatus),
    /// Save (asks where when the project has no file yet).
    Save,
    /// Save under a new name.
    SaveAs,
    /// Save to a given path (from Save As, or tests).
    SaveTo(PathBuf),
    /// Save even though the file changed on disk.
    SaveOverwriting,
    /// Save to a path even though another spantag has that file open (asked once per file).
    SaveBesideOther(PathBuf),
    /// Pick a project to open.
    Open,
    /// Open a project or corpus.
    OpenPath(PathBuf),
    /// Open a project or corpus, dropping unsaved changes.
    OpenPathDiscarding(PathBuf),
    /// Open a recovery copy as unsaved work.
    Recover(autosave::Recovery),
    /// Pick corpus files for a new project.
    NewFromCorpus,
    /// Clear selections.
    ClearSelection,
    /// Close the topmost tool window; with none open, clear selections (Esc).
    Escape,
    /// Toggle word snapping.
    ToggleSnap,
    /// Open the stance editor on the selection (or the whole document).
    StartStance {
        /// A document-level stance instead of one on the selection.
        document: bool,
    },
    /// Create a stance (from the stance editor).
    CreateStance {
        /// The quote; `None` for a document stance.
        span: Option<Span>,
        /// Target name.
        target: String,
        /// Polarity name.
        polarity: String,
        /// The entity who holds it.
        holder: Option<AnnotationId>,
    },
    /// Open the relation editor from the selected tag.
    StartRelation,
    /// Create a relation (from the relation editor).
    CreateRelation {
        /// First argument.
        from: AnnotationId,
        /// Second argument.
        to: AnnotationId,
        /// Relation type.
        label: String,
    },
    /// Give a relation another type.
    RetypeRelation(AnnotationId, String),
    /// Select a relation and bring its first end into view.
    SelectRelation(AnnotationId),
    /// Change a tag's label, canonical name, target, polarity or holder.
    ChangeKind(AnnotationId, AnnotationKind),
    /// Set a tag's note.
    SetNote(AnnotationId, String),
    /// Show or hide the stance matrix.
    ToggleMatrix,
    /// Show or hide the keyboard help.
    ToggleHelp,
    /// Select the next/previous word, or extend the selection by one.
    MoveWord {
        /// Towards the end of the text.
        forward: bool,
        /// Extend the selection instead of moving it.
        extend: bool,
    },
    /// Select the next/previous tag in reading order.
    NextTag {
        /// Towards the end of the text.
        forward: bool,
    },
    /// Focus the next/previous suggestion.
    NextSuggestion {
        /// Towards the end of the corpus.
        forward: bool,
    },
    /// Accept the suggestion in focus.
    AcceptSuggestion,
    /// Reject the suggestion in focus.
    RejectSuggestion,
    /// Open "tag all occurrences" for the selected tag.
    OpenTagAll,
    /// Open corpus search.
    OpenSearch,
    /// Apply an edit built by a view (schema editor, merge …) as one undoable step.
    Apply(crate::model::Edit, String),
    /// Open the schema editor.
    OpenSchemaEditor,
    /// Pick a file or folder to import into the project.
    Import,
    /// Import a file or folder (format detected).
    ImportPath(PathBuf),
    /// Pick where to export, then export.
    Export(ExportFormat),
    /// Export to a given path.
    ExportTo(ExportFormat, PathBuf),
    /// Close the window, asking about unsaved changes.
    Quit,
    /// Close without saving.
    QuitDiscarding,
    /// Train the entity recommender now (on a background thread).
    TrainRecommender,
    /// Jump to the sentence the recommender is least sure of.
    NextUncertain,
}

impl Command {
    /// Whether the command works while only the first documents of a project are open
    /// (see [`Session::preview_of`]): reading, moving around, and edits to those documents
    /// that are redone on the whole project. Corpus-wide work (search, tag-all, import,
    /// export, training, the schema), relations (they are read after the documents) and
    /// saving wait.
    pub fn works_on_first_documents(&self) -> bool {
        use Command as C;
        matches!(
            self,
            C::OpenDocument(_)
                | C::StepDocument { .. }
                | C::Tag(_)
                | C::SelectAnnotation(_)
                | C::Text(_)
                | C::DeleteSelected
                | C::Undo
                | C::Redo
                | C::SetStatus(_)
                | C::Open
                | C::OpenPath(_)
                | C::OpenPathDiscarding(_)
                | C::Recover(_)
                | C::NewFromCorpus
                | C::ClearSelection
                | C::Escape
                | C::ToggleSnap
                | C::StartStance { .. }
                | C::CreateStance { .. }
                | C::ChangeKind(..)
                | C::SetNote(..)
                | C::ToggleHelp
                | C::MoveWord { .. }
                | C::NextTag { .. }
                | C::NextSuggestion { .. }
                | C::AcceptSuggestion
                | C::Quit
                | C::QuitDiscarding
        )
    }

    /// Whether the command saves the project.
    pub fn saves(&self) -> bool {
        matches!(
            self,
            Command::Save
                | Command::SaveAs
                | Command::SaveTo(_)
                | Command::SaveOverwriting
                | Command::SaveBesideOther(_)
        )
    }
}

/// A modal question or message.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// Something went wrong; the message names the file.
    Error(String),
    /// The window is closing with unsaved changes.
    ConfirmClose,
    /// The project file was changed by someone else since it was opened.
    ChangedOnDisk(PathBuf),
    /// Another running spantag has this project file open (how many).
    OpenElsewhere(PathBuf, usize),
    /// The summary of an import or export.
    Report(String),
    /// Removing a label that this many annotations use.
    ConfirmRemoveLabel(String, usize),
    /// Unsaved work from a session that did not end cleanly was found.
    Recover(autosave::Recovery),
    /// The project has unsaved changes; carry out the command anyway?
    ConfirmDiscard(Box<Command>),
}

/// The spantag window.
pub struct SpantagApp {
    /// The open project and selection state.
    pub session: Session,
    /// Per-user settings.
    pub settings: Settings,
    /// Reading-view layout state.
    pub view: TextView,
    /// An open dialog.
    pub dialog: Option<Dialog>,
    /// Last message for the status bar.
    pub status: String,
    /// The stance being created, if the stance editor is open.
    pub stance_editor: Option<StanceEditor>,
    /// The relation being created, if the relation editor is open.
    pub relation_editor: Option<relation_ui::RelationEditor>,
    /// Whether the stance matrix window is open.
    pub show_matrix: bool,
    /// The matrix cell whose quotes are listed.
    pub matrix_cell: Option<(String, String)>,
    /// The statistics the stance matrix shows, and the project revision they are of.
    matrix_stats: Option<(u64, std::sync::Arc<crate::corpus::stats::Stats>)>,
    /// Writes recovery copies of unsaved work; `None` when autosave is off (tests).
    pub autosaver: Option<autosave::Autosaver>,
    /// Big projects being opened or saved in the background.
    pub jobs: background::Jobs,
    /// Statistics, entity index, agreement and merge views.
    pub views: corpus_views::ViewsState,
    /// The conflicts and adjudication views.
    pub team: team_ui::TeamState,
    /// The stance whose holder the next click on an entity sets.
    pub pick_holder_for: Option<AnnotationId>,
    /// Whether the keyboard help is shown.
    pub show_help: bool,
    /// An import or export running in the background.
    pub transfer: Option<transfer::TransferJob>,
    /// The in-app file chooser, while it is open.
    pub chooser: Option<file_chooser::InAppChooser>,
    /// What the document list shows, and the orders and filters it keeps.
    pub doc_list: document_list::DocumentList,
    /// Suggestions for the current document.
    pub suggestions: assist_ui::Suggestions,
    /// The "tag all occurrences" window.
    pub tag_all: assist_ui::TagAll,
    /// The search window.
    pub search: assist_ui::SearchState,
    /// The schema editor's state.
    pub schema_buffers: schema_ui::SchemaBuffers,
    /// The entity recommender: training, predictions, uncertainty.
    pub learn: learn_ui::LearnState,
    tag_buffers: TagEditBuffers,
    pending: Vec<Command>,
    /// Commands that wait until the project being loaded has landed (a save asked for
    /// while only its first documents are shown).
    after_load: Vec<Command>,
    allow_close: bool,
    /// Close once the running background jobs are done.
    close_when_idle: bool,
    /// The recovery copy this session was recovered from, and how many copies of its own
    /// the autosaver had written then: the old copy goes once a newer one exists.
    recovered: Option<(autosave::Recovery, u64)>,
    /// The project file the user agreed to save although another instance has it open.
    shared_file_accepted: Option<PathBuf>,
    title: String,
    quit_after_save: bool,
    /// Where to write the glyph self-check (`SPANTAG_GLYPH_REPORT`), and how many frames
    /// to draw before it.
    glyph_report: Option<(PathBuf, u32)>,
    /// The system font fallback is installed in the window's context.
    fonts_installed: bool,
}

/// Opens a project file or reads a corpus (folder or .txt) into a new project.
pub fn load_path(path: &Path) -> Result<Session, String> {
    let is_project = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"));
    if is_project {
        return Session::open(path).map_err(|e| e.to_string());
    }
    let is_text = path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let has_ann = path.is_dir()
        && std::fs::read_dir(path).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "ann"))
        });
    if is_text || (path.is_dir() && !has_ann) {
        let docs = corpus::read_corpus(&[path.to_owned()]).map_err(|e| e.to_string())?;
        let project = Project::new(project_file::default_schema(), docs)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(Session::unsaved(project));
    }
    // Annotated data from another tool (brat folder, CoNLL, JSONL): a new project.
    let mut project = Project::empty(project_file::default_schema());
    let (edit, _report) =
        formats::import(&mut project, path, None, &mut |_| {}).map_err(|e| e.to_string())?;
    crate::model::apply(&mut project, edit).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Session::unsaved(project))
}

/// The bundled corpus as a new, unsaved project.
pub fn bundled_session() -> Result<Session, String> {
    load_path(&corpus::bundled_corpus_dir())
}

/// The default folder for project files: `saves/` of the checkout, else of the working
/// folder.
pub fn saves_dir() -> PathBuf {
    let beside_crate = Path::new(env!("CARGO_MANIFEST_DIR")).join("saves");
    if beside_crate.is_dir() {
        beside_crate
    } else {
        PathBuf::from("saves")
    }
}

/// spantag's icon (`assets/icon/spantag.png`, also the package's), for the window.
pub fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon/spantag.png")).ok()
}

/// Starts the window on `path`, else the last project, else the bundled corpus.
pub fn run(path: Option<PathBuf>) -> Result<(), String> {
    // Read the path before opening a window, so a bad path fails on the command line.
    // A big project file only has to exist here; it loads in the background so the window
    // appears at once.
    let deferred = path.clone().filter(|p| background::loads_in_background(p));
    let explicit = match &path {
        Some(_) if deferred.is_some() => Some(background::placeholder_session()),
        Some(p) => Some(load_path(p)?),
        None => None,
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("spantag")
        .with_app_id("spantag")
        .with_inner_size([1280.0, 800.0])
        .with_position([0.0, 0.0]);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(std::sync::Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        // The app installs the system font fallback itself (the same way in tests).
        system_font_fallback: false,
        ..Default::default()
    };
    eframe::run_native(
        "spantag",
        options,
        Box::new(move |cc| {
            let mut app = SpantagApp::new(cc, explicit);
            if let Some(p) = deferred {
                app.jobs.open(&app.session, p);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("could not open a window: {e}"))
}

impl SpantagApp {
    /// The app as eframe creates it: settings from storage; the given session, else the
    /// last project, else the bundled corpus.
    pub fn new(cc: &eframe::CreationContext<'_>, session: Option<Session>) -> Self {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let mut app = Self::start(session, settings, autosave::recovery_dir());
        app.glyph_report = std::env::var_os("SPANTAG_GLYPH_REPORT").map(|p| (PathBuf::from(p), 5));
        app
    }

    /// The glyph self-check of the real window (`SPANTAG_GLYPH_REPORT=FILE`): after a few
    /// frames, writes which characters of the open document and of the document titles no
    /// font can draw (`missing:` and nothing else when every one has a glyph), so a test
    /// under Xvfb checks the fonts the window really found.
    fn write_glyph_report(&mut self, ctx: &egui::Context) {
        let Some((path, frames)) = self.glyph_report.take() else {
            return;
        };
        if frames > 0 {
            self.glyph_report = Some((path, frames - 1));
            ctx.request_repaint();
            return;
        }
        let mut text: String = self
            .session
            .project
            .documents()
            .iter()
            .map(|d| d.title())
            .collect();
        if let Some(doc) = self.session.document() {
            text.push_str(doc.text().as_str());
        }
        let missing: String = fonts::missing_glyphs(ctx, egui::FontFamily::Proportional, &text)
            .into_iter()
            .collect();
        let report = format!("characters: {}\nmissing: {missing}\n", text.chars().count());
        if let Err(e) = crate::io::atomic::write_atomically(&path, |w: &mut dyn std::io::Write| {
            w.write_all(report.as_bytes())
        }) {
            self.status = format!("{}: {e}", path.display());
        }
    }

    /// The app with the given settings and recovery folder: the given session, else the
    /// last project, else the bundled corpus; offers to recover unsaved work found in
    /// `recovery_dir`, and autosaves into it.
    pub fn start(session: Option<Session>, settings: Settings, recovery_dir: PathBuf) -> Self {
        let mut status = String::new();
        let mut deferred = None;
        let session = session.or_else(|| {
            let last = settings.recent.first().filter(|p| p.is_file())?;
            if background::loads_in_background(last) {
                deferred = Some(last.clone());
                return Some(background::placeholder_session());
            }
            match Session::open(last) {
                Ok(s) => Some(s),
                Err(e) => {
                    status = e.to_string();
                    None
                }
            }
        });
        let session = match session.map(Ok).unwrap_or_else(bundled_session) {
            Ok(s) => s,
            Err(e) => {
                status = e;
                Session::unsaved(Project::empty(project_file::default_schema()))
            }
        };
        let mut app = Self::with_session(session, settings);
        app.status = status;
        if let Some(p) = deferred {
            app.jobs.open(&app.session, p);
        }
        if let Some(found) = autosave::find_recoveries(&recovery_dir).into_iter().next() {
            app.dialog = Some(Dialog::Recover(found));
        }
        app.autosaver = Some(autosave::Autosaver::new(recovery_dir));
        app
    }

    /// The app on a given session (tests build it this way).
    pub fn with_session(mut session: Session, mut settings: Settings) -> Self {
        crate::parallel::keep_a_core_for_frames();
        session.snap_words = settings.snap_words;
        if let Some(path) = &session.path {
            settings.remember(path);
        }
        let view = TextView::new(settings.font_size);
        Self {
            session,
            settings,
            view,
            dialog: None,
            status: String::new(),
            stance_editor: None,
            relation_editor: None,
            show_matrix: false,
            matrix_cell: None,
            matrix_stats: None,
            pick_holder_for: None,
            show_help: false,
            schema_buffers: schema_ui::SchemaBuffers::default(),
            suggestions: assist_ui::Suggestions::new(),
            learn: learn_ui::LearnState::default(),
            transfer: None,
            chooser: None,
            doc_list: Default::default(),
            tag_all: assist_ui::TagAll::default(),
            search: assist_ui::SearchState::default(),
            views: corpus_views::ViewsState::default(),
            team: team_ui::TeamState::default(),
            autosaver: None,
            jobs: background::Jobs::default(),
            tag_buffers: TagEditBuffers::default(),
            pending: Vec::new(),
            after_load: Vec::new(),
            allow_close: false,
            close_when_idle: false,
            recovered: None,
            shared_file_accepted: None,
            title: String::new(),
            quit_after_save: false,
            glyph_report: None,
            fonts_installed: false,
        }
    }

    /// Queues a command for the end of the frame.
    pub fn send(&mut self, command: Command) {
        self.pending.push(command);
    }

    /// Carries out one command.
    pub fn execute(&mut self, ctx: &egui::Context, command: Command) {
        if let Some(loading) = &self.session.preview_of
            && !command.works_on_first_documents()
        {
            let name = loading
                .file_name()
                .unwrap_or(loading.as_os_str())
                .to_string_lossy()
                .into_owned();
            if command.saves() {
                self.status = format!("{name} is still loading: it is saved once it has loaded");
                self.after_load.push(command);
            } else {
                self.status = format!(
                    "{name} is still loading: only its first documents are open, so this \
                     waits until it has loaded"
                );
            }
            return;
        }
        if matches!(
            command,
            Command::Undo
                | Command::Redo
                | Command::Apply(..)
                | Command::OpenPath(_)
                | Command::OpenPathDiscarding(_)
                | Command::Recover(_)
        ) {
            self.suggestions.invalidate();
        }
        let one_document = self.document_it_edits(&command);
        let state_before = self.session.history.state_id();
        let generation = self.session.generation();
        let result: Result<Option<String>, String> = match command {
            Command::OpenDocument(i) => {
                self.session.open_document(i);
                Ok(None)
            }
            Command::StepDocument { forward } => {
                let current = self.session.current;
                let list = self.listed_documents();
                let at = list.iter().position(|&i| i == current).unwrap_or(0);
                let next = if forward {
                    list.get(at + 1)
                } else {
                    at.checked_sub(1).and_then(|before| list.get(before))
                };
                if let Some(&next) = next {
                    self.session.open_document(next);
                }
                Ok(None)
            }
            Command::Tag(label) => self
                .session
                .tag_or_relabel(&label)
                .map(Some)
                .map_err(|e| e.to_string()),
            Command::SelectAnnotation(id) => {
                self.select_annotation(id);
                Ok(None)
            }
            Command::Text(action) => {
                self.text_action(action);
                Ok(None)
            }
            Command::DeleteSelected => self
                .session
                .delete_selected()
                .map(Some)
                .map_err(|e| e.to_string()),
            Command::Undo => self
                .session
                .undo()
                .map(|w| Some(w.map_or("nothing to undo".to_owned(), |w| format!("undid {w}"))))
                .map_err(|e| e.to_string()),
            Command::Redo => self
                .session
                .redo()
                .map(|w| Some(w.map_or("nothing to redo".to_owned(), |w| format!("redid {w}"))))
                .map_err(|e| e.to_string()),
            Command::SetStatus(status) => self
                .session
                .set_status(status)
                .map(|()| Some(format!("marked {}", status.name())))
                .map_err(|e| e.to_string()),
            Command::Save => match self.session.path.clone() {
                Some(path) => self.guarded_save(&path, SaveChecks::ALL),
                None => {
                    self.pending.push(Command::SaveAs);
                    Ok(None)
                }
            },
            Command::SaveOverwriting => match self.session.path.clone() {
                Some(path) => self.guarded_save(
                    &path,
                    SaveChecks {
                        changed_on_disk: false,
                        ..SaveChecks::ALL
                    },
                ),
                None => Ok(None),
            },
            Command::SaveBesideOther(path) => {
                self.shared_file_accepted = Some(path.clone());
                self.guarded_save(&path, SaveChecks::NONE)
            }
            Command::SaveAs => Ok(self.choose_file(FileRequest::SaveAs)),
            Command::SaveTo(path) => self.guarded_save(&path, SaveChecks::ALL),
            Command::Open => Ok(self.choose_file(FileRequest::Open)),
            Command::NewFromCorpus => Ok(self.choose_file(FileRequest::NewFromCorpus)),
            Command::OpenPath(path) if self.session.history.is_dirty() => {
                self.dialog = Some(Dialog::ConfirmDiscard(Box::new(
                    Command::OpenPathDiscarding(path),
                )));
                Ok(None)
            }
            Command::OpenPath(path) | Command::OpenPathDiscarding(path) => {
                self.clear_recovery();
                self.open_path(&path)
            }
            Command::Recover(recovery) => match recovery.load() {
                Ok(project) => {
                    let mut session = Session::unsaved(project);
                    session.path = recovery.origin.clone();
                    // The file as the crashed session knew it: saving over a file changed
                    // since then asks first.
                    session.stamp = recovery.stamp;
                    session.snap_words = self.settings.snap_words;
                    self.session = session;
                    self.session_replaced();
                    let writes = self.autosaver.as_ref().map_or(0, |s| s.writes());
                    self.recovered = Some((recovery, writes));
                    Ok(Some(
                        "recovered unsaved work — save it to keep it".to_owned(),
                    ))
                }
                Err(e) => Err(e.to_string()),
            },
            Command::ClearSelection => {
                self.clear_selection();
                Ok(None)
            }
            Command::Escape => {
                match windows::topmost_open(ctx, self) {
                    Some(window) => window.close(self),
                    None => self.clear_selection(),
                }
                Ok(None)
            }
            Command::ToggleSnap => {
                self.settings.snap_words = !self.settings.snap_words;
                self.session.snap_words = self.settings.snap_words;
                Ok(Some(if self.settings.snap_words {
                    "selections snap to words".to_owned()
                } else {
                    "selections keep exact characters".to_owned()
                }))
            }
            Command::StartStance { document } => {
                let span = if document {
                    None
                } else {
                    self.session.selection_span()
                };
                match (document, span, self.session.document()) {
                    (false, None, _) => Ok(Some(
                        "select the claim or quote first, then press S".to_owned(),
                    )),
                    (_, _, None) => Ok(None),
                    (_, span, Some(doc)) => {
                        self.stance_editor =
                            Some(StanceEditor::new(&self.session.project, doc.id(), span));
                        self.session.selection = None;
                        Ok(None)
                    }
                }
            }
            Command::CreateStance {
                span,
                target,
                polarity,
                holder,
            } => self
                .session
                .add_stance(span, &target, &polarity, holder)
                .map(Some)
                .map_err(|e| e.to_string()),
            Command::StartRelation => {
                let from = self.session.selected;
                match from {
                    Some(from) => {
                        self.relation_editor = Some(relation_ui::RelationEditor::new(from));
                        Ok(Some(
                            "click the other tag, or Tab to it; then pick the type".to_owned(),
                        ))
                    }
                    None => Ok(Some("select a tag first, then press R".to_owned())),
                }
            }
            Command::CreateRelation { from, to, label } => self
                .session
                .add_relation(from, to, &label)
                .map(Some)
                .map_err(|e| e.to_string()),
            Command::RetypeRelation(id, label) => self
                .session
                .retype_relation(id, &label)
                .map(Some)
                .map_err(|e| e.to_string()),
            Command::SelectRelation(id) => {
                self.select_relation(id);
                Ok(None)
            }
            Command::ChangeKind(id, kind) => self
                .session
                .change_kind(id, kind)
                .map(|()| Some("changed".to_owned()))
                .map_err(|e| e.to_string()),
            Command::SetNote(id, note) => self
                .session
                .set_note(id, &note)
                .map(|()| None)
                .map_err(|e| e.to_string()),
            Command::ToggleMatrix => {
                self.show_matrix = !self.show_matrix;
                Ok(None)
            }
            Command::Apply(edit, description) => self
                .session
                .apply(edit, &description)
                .map(|()| Some(description))
                .map_err(|e| e.to_string()),
            Command::OpenSchemaEditor => {
                self.schema_buffers.open = true;
                Ok(None)
            }
            Command::ToggleHelp => {
                self.show_help = !self.show_help;
                Ok(None)
            }
            Command::MoveWord { forward, extend } => {
                self.session.move_word(forward, extend);
                if let Some(sel) = self.session.selection {
                    self.view.scroll_to = Some(sel.head);
                }
                Ok(None)
            }
            Command::NextTag { forward } => {
                if let Some(id) = self.session.next_tag(forward) {
                    self.select_annotation(id);
                }
                Ok(None)
            }
            Command::NextSuggestion { forward } => {
                if let Some(at) = assist_ui::next_suggestion(self, forward) {
                    self.view.scroll_to = Some(at);
                }
                Ok(None)
            }
            Command::AcceptSuggestion => match assist_ui::accept_edit(self) {
                Some((edit, id)) => self
                    .session
                    .apply(edit, "accept suggestion")
                    .map(|()| {
                        self.session.selected = Some(id);
                        self.session.selection = None;
                        Some("suggestion accepted — G for the next".to_owned())
                    })
                    .map_err(|e| e.to_string()),
                None => Ok(None),
            },
            Command::RejectSuggestion => match assist_ui::reject_edit(self) {
                Some(edit) => self
                    .session
                    .apply(edit, "reject suggestion")
                    .map(|()| Some("suggestion rejected — it will not be shown again".to_owned()))
                    .map_err(|e| e.to_string()),
                None => Ok(None),
            },
            Command::OpenTagAll => {
                assist_ui::open_tag_all(self);
                Ok(None)
            }
            Command::OpenSearch => {
                assist_ui::open_search(self);
                Ok(None)
            }
            Command::Import => Ok(self.choose_file(FileRequest::Import)),
            Command::ImportPath(path)
                if self
                    .session
                    .path
                    .as_deref()
                    .is_some_and(|open| crate::io::paths::same_file(open, &path)) =>
            {
                Err(format!(
                    "{}: refusing to import the open project into itself",
                    path.display()
                ))
            }
            Command::ImportPath(path) => {
                transfer::start_import(self, path);
                Ok(None)
            }
            Command::Export(format) => Ok(self.choose_file(FileRequest::Export(format))),
            Command::ExportTo(_, path)
                if self
                    .session
                    .path
                    .as_deref()
                    .is_some_and(|open| crate::io::paths::same_file(open, &path)) =>
            {
                Err(format!(
                    "{}: refusing to export over the open project file",
                    path.display()
                ))
            }
            Command::ExportTo(_, path) if project_file::is_project_file(&path) => Err(format!(
                "{}: refusing to export over a spantag project file — choose another name",
                path.display()
            )),
            Command::ExportTo(format, path) => {
                transfer::start_export(self, format, path);
                Ok(None)
            }
            Command::Quit => {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                Ok(None)
            }
            Command::QuitDiscarding => {
                self.clear_recovery();
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                Ok(None)
            }
            Command::TrainRecommender => {
                learn_ui::start_training(self, ctx);
                Ok(None)
            }
            Command::NextUncertain => {
                learn_ui::next_uncertain(self);
                Ok(None)
            }
        };
        let state_after = self.session.history.state_id();
        if let Some(doc) = one_document
            && generation == self.session.generation()
            && state_after != state_before
        {
            self.doc_list
                .one_document_edited(&self.session, state_before, state_after, doc);
        }
        match result {
            Ok(Some(message)) => self.status = message,
            Ok(None) => {}
            Err(message) => {
                self.status = message.clone();
                self.dialog = Some(Dialog::Error(message));
            }
        }
    }

    /// The document a command edits when it edits one document only (a tag, a status, a
    /// note): the document list's label index is then kept up to date for that document
    /// alone. `None` for commands that may change more, or nothing.
    fn document_it_edits(&self, command: &Command) -> Option<usize> {
        let project = &self.session.project;
        match command {
            Command::Tag(_)
            | Command::DeleteSelected
            | Command::SetStatus(_)
            | Command::CreateStance { .. }
            | Command::AcceptSuggestion
            | Command::RejectSuggestion
            | Command::CreateRelation { .. }
            | Command::RetypeRelation(..) => Some(self.session.current),
            Command::ChangeKind(id, _) | Command::SetNote(id, _) => {
                project.annotations().document_of(id)
            }
            _ => None,
        }
    }

    /// The positions of the documents the list shows, in its order: least sure first when
    /// the recommender's order is asked for, else the chosen order, through the list's
    /// filter (see [`document_list::DocumentList`]). Shared, not copied: the list asks
    /// every frame.
    pub fn listed_documents(&mut self) -> learn_ui::DocumentPositions {
        let ordered = match learn_ui::document_order(self) {
            Some(uncertain) => uncertain,
            None => self
                .doc_list
                .ordered(&self.session, self.settings.document_order),
        };
        self.doc_list.shown(&self.session, ordered)
    }

    /// Asks for a path for `request`: the desktop's dialog, else (no dialog on this
    /// desktop, remembered) the in-app chooser. The chosen path's command runs next.
    fn choose_file(&mut self, request: FileRequest) -> Option<String> {
        if self.chooser.is_some() {
            return Some("a file chooser is already open".to_owned());
        }
        let mut message = None;
        if self.settings.file_chooser != ChooserKind::InApp {
            match file_chooser::ask_native(request) {
                NativeAnswer::Chosen(path) => {
                    self.pending.push(request.command(path));
                    return None;
                }
                NativeAnswer::Cancelled => {
                    self.chooser_cancelled(request);
                    return None;
                }
                NativeAnswer::NoDialog => {
                    if self.settings.file_chooser == ChooserKind::Automatic {
                        self.settings.file_chooser = ChooserKind::InApp;
                        message = Some(
                            "this desktop offers no file dialog: spantag uses its own from now on \
                             (Edit ▸ File chooser)"
                                .to_owned(),
                        );
                    }
                }
            }
        }
        self.chooser = Some(file_chooser::InAppChooser::open(request));
        message
    }

    /// A chooser was closed without a path.
    fn chooser_cancelled(&mut self, request: FileRequest) {
        if request == FileRequest::SaveAs {
            self.quit_after_save = false;
        }
    }

    /// Draws the in-app file chooser while it is open.
    fn file_chooser_ui(&mut self, ctx: &egui::Context) {
        let Some(chooser) = &mut self.chooser else {
            return;
        };
        let request = chooser.request;
        let (chosen, still_open) = chooser.show(ctx);
        if !still_open {
            self.chooser = None;
            match chosen {
                Some(command) => self.pending.push(command),
                None => self.chooser_cancelled(request),
            }
        }
    }

    /// Resets everything that belonged to the previous project: layout, suggestions, the
    /// corpus views (a merge against the old project must not land in the new one).
    pub(crate) fn session_replaced(&mut self) {
        self.view = TextView::new(self.settings.font_size);
        self.views = corpus_views::ViewsState::default();
        self.team = team_ui::TeamState::default();
        self.suggestions.invalidate();
        self.learn = learn_ui::LearnState::default();
        self.stance_editor = None;
        self.relation_editor = None;
        self.pick_holder_for = None;
        self.tag_all = assist_ui::TagAll::default();
        self.doc_list = Default::default();
    }

    /// Removes this session's recovery copy (after a save or an explicit discard).
    fn clear_recovery(&mut self) {
        let origin = self.session.path.clone();
        if let Some(saver) = &mut self.autosaver {
            saver.clear(origin.as_deref());
        }
    }

    /// Saves to `path` after the checks that keep other work safe: a file changed on disk
    /// since it was read (compared by file identity, so any name of the open file counts)
    /// and a file another running spantag has open each ask first.
    fn guarded_save(&mut self, path: &Path, checks: SaveChecks) -> Result<Option<String>, String> {
        let is_open_file = self
            .session
            .path
            .as_deref()
            .is_some_and(|open| crate::io::paths::same_file(open, path));
        if checks.changed_on_disk && is_open_file && self.session.changed_on_disk() {
            self.dialog = Some(Dialog::ChangedOnDisk(path.to_owned()));
            return Ok(None);
        }
        let accepted = self
            .shared_file_accepted
            .as_deref()
            .is_some_and(|p| crate::io::paths::same_file(p, path));
        if checks.open_elsewhere && !accepted {
            let others = self
                .autosaver
                .as_ref()
                .map_or(0, |saver| saver.others_editing(path));
            if others > 0 {
                self.dialog = Some(Dialog::OpenElsewhere(path.to_owned(), others));
                return Ok(None);
            }
        }
        self.save_to(path)
    }

    fn save_to(&mut self, path: &Path) -> Result<Option<String>, String> {
        // Save As over another existing file: the project is not a later version of it, so
        // that file (and its backup) is set aside where no later save rotates it away.
        let replaces_another = path.is_file()
            && !self
                .session
                .path
                .as_deref()
                .is_some_and(|open| crate::io::paths::same_file(open, path));
        let set_aside = if replaces_another {
            crate::io::atomic::set_aside_with_backup(path)
                .map_err(|e| {
                    format!(
                        "{}: could not keep the file being replaced: {e}",
                        path.display()
                    )
                })?
                .message(path)
        } else {
            None
        };
        let with_note = |message: String| match &set_aside {
            Some(note) => format!("{message} — {note}"),
            None => message,
        };
        if background::saves_in_background(&self.session.project) {
            self.jobs.save(&self.session, path.to_owned());
            return Ok(Some(with_note(format!("saving {}…", path.display()))));
        }
        let old_origin = self.session.path.clone();
        self.session.save_to(path).map_err(|e| e.to_string())?;
        if let Some(saver) = &mut self.autosaver {
            saver.clear(old_origin.as_deref());
            saver.clear(Some(path));
        }
        if let Some((recovery, _)) = self.recovered.take() {
            recovery.discard();
        }
        self.settings.remember(path);
        Ok(Some(with_note(format!("saved {}", path.display()))))
    }

    fn open_path(&mut self, path: &Path) -> Result<Option<String>, String> {
        if background::loads_in_background(path) {
            self.jobs.open(&self.session, path.to_owned());
            return Ok(Some(format!("opening {}…", path.display())));
        }
        let session = load_path(path)?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
        {
            self.settings.remember(path);
        }
        self.session = session;
        self.session.snap_words = self.settings.snap_words;
        self.session_replaced();
        Ok(Some(format!("opened {}", path.display())))
    }

    fn select_annotation(&mut self, id: AnnotationId) {
        let Some(ann) = self.session.project.annotation(id) else {
            return;
        };
        let start = ann.anchor().covering().map(|s| s.start());
        if let Some(i) = self.session.project.annotations().document_of(&id) {
            self.session.open_document(i);
        }
        self.session.selected = Some(id);
        self.session.selected_relation = None;
        self.session.selection = None;
        if let Some(start) = start {
            self.view.scroll_to = Some(start);
        }
    }

    fn select_relation(&mut self, id: AnnotationId) {
        let Some(from) = self.session.project.relations().get(&id).map(|r| r.from) else {
            return;
        };
        let Some(ann) = self.session.project.annotation(from) else {
            return;
        };
        let start = ann.anchor().covering().map(|s| s.start());
        if let Some(i) = self.session.project.annotations().document_of(&from) {
            self.session.open_document(i);
        }
        self.session.select_relation(id);
        if let Some(start) = start {
            self.view.scroll_to = Some(start);
        }
    }

    fn text_action(&mut self, action: TextAction) {
        match action {
            TextAction::Select { anchor, head } => self.session.select_range(anchor, head),
            TextAction::SelectWord(at) => self.session.select_word(at),
            TextAction::Extend(to) => self.session.extend_selection(to),
            TextAction::SelectAnnotation(id) => {
                if let Some(editor) = &mut self.relation_editor {
                    if id != editor.from {
                        editor.to = Some(id);
                        editor.highlighted = 0;
                    }
                    return;
                }
                let is_entity = self
                    .session
                    .project
                    .annotation(id)
                    .is_some_and(|a| a.kind().is_entity());
                if is_entity
                    && let Some(editor) =
                        self.stance_editor.take_if(|e| e.step == StanceStep::Holder)
                {
                    self.pending.push(Command::CreateStance {
                        span: editor.span,
                        target: editor.target,
                        polarity: editor.polarity.unwrap_or_default(),
                        holder: Some(id),
                    });
                    return;
                }
                if is_entity && let Some(stance_id) = self.pick_holder_for.take() {
                    if let Some(AnnotationKind::Stance {
                        target, polarity, ..
                    }) = self
                        .session
                        .project
                        .annotation(stance_id)
                        .map(|a| a.kind().clone())
                    {
                        self.pending.push(Command::ChangeKind(
                            stance_id,
                            AnnotationKind::Stance {
                                target,
                                polarity,
                                holder: crate::model::HolderId::new(id),
                            },
                        ));
                    }
                    return;
                }
                self.session.selected = Some(id);
                self.session.selected_relation = None;
                self.session.selection = None;
            }
            TextAction::SelectRelation(id) => self.session.select_relation(id),
            TextAction::Link { from, to } => {
                self.relation_editor = Some(relation_ui::RelationEditor {
                    to: Some(to),
                    ..relation_ui::RelationEditor::new(from)
                });
            }
            TextAction::FocusSuggestion(start) => {
                self.suggestions.focus = self
                    .suggestions
                    .list
                    .iter()
                    .position(|s| s.start == start.0);
                if let Some(s) = self.suggestions.focused() {
                    self.status = format!(
                        "suggestion: “{}” as {} — Enter accepts, X rejects",
                        s.text, s.label
                    );
                }
            }
            TextAction::ClearSelection => {
                self.session.selection = None;
                self.session.selected = None;
                self.session.selected_relation = None;
            }
        }
    }

    /// Keyboard shortcuts (see [`keys::HELP`]); single keys only when no text field has
    /// the keyboard.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        // Any focused text field (search, names, notes, filters …) keeps the keyboard.
        let typing = ctx.text_edit_focused()
            || self.stance_editor.is_some()
            || self.relation_editor.is_some();
        let schema = self.session.project.schema();
        let commands = keys::read_shortcuts(ctx, typing, |digit| {
            schema.entity_type_for_key(digit).map(|t| t.name.clone())
        });
        self.pending.extend(commands);
    }

    fn dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = self.dialog.clone() else {
            return;
        };
        let mut close = false;
        egui::Modal::new(egui::Id::unique("dialog")).show(ctx, |ui| {
            ui.set_max_width(480.0);
            match &dialog {
                Dialog::Error(message) => {
                    ui.heading("Something went wrong");
                    ui.label(message);
                    ui.label("Nothing in your open project was changed.");
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Dialog::ConfirmClose => {
                    ui.heading("Save changes before closing?");
                    ui.label(format!("{} has unsaved changes.", self.session.title()));
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            self.quit_after_save = true;
                            self.pending.push(Command::Save);
                            close = true;
                        }
                        if ui.button("Don't save").clicked() {
                            self.pending.push(Command::QuitDiscarding);
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Dialog::Recover(recovery) => {
                    ui.heading("Recover unsaved work?");
                    let what = recovery
                        .origin
                        .as_ref()
                        .map_or("a project that was never saved".to_owned(), |p| p.display().to_string());
                    ui.label(format!(
                        "spantag did not end cleanly last time. A recovery copy of {what} was found."
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Recover").clicked() {
                            self.pending.push(Command::Recover(recovery.clone()));
                            close = true;
                        }
                        if ui.button("Discard it").clicked() {
                            recovery.discard();
                            close = true;
                        }
                        if ui.button("Later").clicked() {
                            close = true;
                        }
                    });
                }
                Dialog::ConfirmRemoveLabel(name, uses) => {
                    ui.heading(format!("Remove the label {name}?"));
                    ui.label(format!(
                        "{uses} annotation(s) use {name}; removing the label removes them too. \
                         Undo brings everything back."
                    ));
                    ui.horizontal(|ui| {
                        if ui.button(format!("Remove {name} and {uses} annotation(s)")).clicked() {
                            let edit = crate::model::schema_edit::remove_entity_type(&self.session.project, name);
                            self.pending.push(Command::Apply(edit, format!("remove label {name}")));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Dialog::ConfirmDiscard(command) => {
                    ui.heading("Discard unsaved changes?");
                    ui.label(format!("{} has unsaved changes.", self.session.title()));
                    ui.horizontal(|ui| {
                        if ui.button("Discard changes").clicked() {
                            self.pending.push((**command).clone());
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Dialog::Report(report) => {
                    ui.heading("Done");
                    egui::ScrollArea::vertical()
                        .max_height(300.0)
                        .show(ui, |ui| {
                            ui.monospace(report);
                        });
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Dialog::OpenElsewhere(path, others) => {
                    ui.heading("This project is open in another spantag");
                    ui.label(format!(
                        "{} is open in {others} other spantag window(s). If both save, the \
                         later save replaces the earlier one (the earlier stays in the .bak \
                         file, and the other window is asked before it overwrites). Save \
                         anyway, or save yours under another name?",
                        path.display()
                    ));
                    close = self.save_choices_ui(
                        ui,
                        "Save anyway",
                        Command::SaveBesideOther(path.clone()),
                    );
                }
                Dialog::ChangedOnDisk(path) => {
                    ui.heading("The file changed on disk");
                    ui.label(format!(
                        "{} was changed by another program since you opened it. \
                         Overwrite it with your version, or save yours under another name?",
                        path.display()
                    ));
                    close = self.save_choices_ui(ui, "Overwrite", Command::SaveOverwriting);
                }
            }
        });
        if close {
            self.dialog = None;
        }
    }
}

impl SpantagApp {
    /// Clears the text selection and the selected tag or relation (Esc with no tool
    /// window open).
    fn clear_selection(&mut self) {
        self.session.selection = None;
        self.session.selected = None;
        self.session.selected_relation = None;
        self.relation_editor = None;
    }

    /// The buttons of a save that asks first: go ahead (`proceed`), Save As…, or Cancel.
    /// Returns whether one was clicked (the dialog closes).
    fn save_choices_ui(&mut self, ui: &mut egui::Ui, proceed: &str, command: Command) -> bool {
        ui.horizontal(|ui| {
            if ui.button(proceed).clicked() {
                self.pending.push(command);
                true
            } else if ui.button("Save As…").clicked() {
                self.pending.push(Command::SaveAs);
                true
            } else if ui.button("Cancel").clicked() {
                self.quit_after_save = false;
                true
            } else {
                false
            }
        })
        .inner
    }

    /// Starts a recovery write when one is due; keeps frames coming while work is unsaved
    /// so the interval is honoured even when the user is idle.
    fn autosave(&mut self, ctx: &egui::Context) {
        let Some(saver) = &mut self.autosaver else {
            return;
        };
        if self.session.preview_of.is_some() {
            // Only part of the project is open: a recovery copy of it would stand for the
            // whole project. Edits made meanwhile are copied once it has landed.
            return;
        }
        let focus_lost = ctx.input(|i| {
            i.events
                .iter()
                .any(|e| matches!(e, egui::Event::WindowFocused(false)))
        });
        if matches!(self.dialog, Some(Dialog::Recover(_))) {
            // The user has not chosen yet what to do with the copy found at start-up.
            return;
        }
        // Only work the user did needs a copy: a corpus just opened (never saved, so
        // "dirty") has nothing to lose, except when it is recovered work itself.
        let dirty = self.session.history.is_dirty()
            && (self.session.history.state_id() != 0 || self.recovered.is_some());
        saver.set_open_project(self.session.path.as_deref());
        saver.tick(
            &self.session.project,
            self.session
                .path
                .as_deref()
                .map(|path| (path, self.session.stamp)),
            self.session.revision(),
            dirty,
            focus_lost,
        );
        if let Some(error) = saver.error.take() {
            self.status = format!("could not write the recovery copy: {error}");
        }
        // Once this session's own copy holds the recovered work, the old copy can go.
        if let Some((recovery, writes)) = &self.recovered
            && saver.writes() > *writes
        {
            recovery.discard();
            self.recovered = None;
        }
        if dirty {
            ctx.request_repaint_after(std::time::Duration::from_millis(500));
        }
    }
}

/// Which questions a save asks before it writes.
#[derive(Clone, Copy, Debug)]
struct SaveChecks {
    /// Ask when the open file changed on disk since it was read or written.
    changed_on_disk: bool,
    /// Ask when another running spantag has the file open.
    open_elsewhere: bool,
}

impl SaveChecks {
    const ALL: Self = Self {
        changed_on_disk: true,
        open_elsewhere: true,
    };
    const NONE: Self = Self {
        changed_on_disk: false,
        open_elsewhere: false,
    };
}

/// A schema colour as an egui colour.
pub(crate) fn rgb(c: crate::model::Rgb) -> egui::Color32 {
    egui::Color32::from_rgb(c.0[0], c.0[1], c.0[2])
}

/// `text` cut to `max` characters with an ellipsis, for lists and labels.
pub(crate) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}

impl eframe::App for SpantagApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            fonts::install_system_fallback(&ctx);
            self.fonts_installed = true;
        }
        background::poll_jobs(&ctx, self);
        self.write_glyph_report(&ctx);
        ctx.set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        if matches!(self.dialog, Some(Dialog::Error(_))) {
            // A save that failed must not close the window later on its own.
            self.quit_after_save = false;
        }
        let working = self.jobs.busy() || self.transfer.is_some();
        if ctx.input(|i| i.viewport().close_requested()) {
            if working {
                // Never kill a save, export or import half-way: close when it is done.
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.close_when_idle = true;
                self.status = "finishing before closing…".to_owned();
            } else if self.session.history.is_dirty() && !self.allow_close {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialog = Some(Dialog::ConfirmClose);
            }
        }
        if self.close_when_idle && !working {
            self.close_when_idle = false;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let importing = self.transfer.as_ref().is_some_and(|t| t.import);
        if self.dialog.is_none() && !importing && self.chooser.is_none() {
            self.shortcuts(&ctx);
        }
        panels::menu_bar_ui(ui, self);
        background::progress_ui(ui, self);
        panels::status_bar_ui(ui, self);
        panels::document_list_ui(ui, self);
        panels::side_panel_ui(ui, self);
        // Suggestions are learnt from the whole corpus: none while the first documents
        // show and the rest still loads (an engine of those few would propose, then
        // change its mind when the project lands, and its build cost the frame they
        // land in a millisecond).
        let doc_id = self
            .session
            .document()
            .filter(|_| self.session.preview_of.is_none())
            .map(|d| d.id().clone());
        self.suggestions.refresh(
            &self.session.project,
            doc_id.as_ref(),
            self.session.history.state_id(),
        );
        if self.suggestions.building() {
            // A big project's engine lands on another thread: look again soon.
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        learn_ui::poll(&ctx, self);
        learn_ui::merge_predictions(self);
        self.view.ghosts = self
            .suggestions
            .list
            .iter()
            .enumerate()
            .map(|(i, s)| text_view::Ghost {
                range: s.start..s.end,
                label: s.label.to_string(),
                focused: self.suggestions.focus == Some(i),
                confidence: match s.source {
                    crate::corpus::suggest::SuggestionSource::Predicted { per_mille } => {
                        Some(f32::from(per_mille) / 1000.0)
                    }
                    _ => None,
                },
            })
            .collect();
        self.view.show_arcs = self.settings.show_arcs;
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(action) = text_view::text_view_ui(ui, &self.session, &mut self.view) {
                self.pending.push(Command::Text(action));
            }
        });
        transfer::poll_transfer(&ctx, self);
        transfer::transfer_ui(&ctx, self);
        stance_ui::stance_editor_ui(&ctx, self);
        relation_ui::relation_editor_ui(&ctx, self);
        stance_ui::stance_matrix_ui(&ctx, self);
        keys::help_ui(&ctx, &mut self.show_help);
        schema_ui::schema_editor_ui(&ctx, self);
        assist_ui::tag_all_ui(&ctx, self);
        assist_ui::search_ui(&ctx, self);
        corpus_views::corpus_views_ui(&ctx, self);
        team_ui::team_views_ui(&ctx, self);
        self.file_chooser_ui(&ctx);
        self.dialog_ui(&ctx);

        let commands = std::mem::take(&mut self.pending);
        for command in commands {
            self.execute(&ctx, command);
        }
        // Commands may queue follow-ups (Save → Save As); run them next frame.
        if !self.pending.is_empty() {
            ctx.request_repaint();
        }
        self.autosave(&ctx);
        if self.quit_after_save && !self.session.history.is_dirty() {
            self.quit_after_save = false;
            self.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let title = self.session.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Let a running recovery write finish, so it is never left half-done in a temp file.
        if let Some(saver) = &mut self.autosaver {
            saver.wait();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}

/// Where a character of the current document was drawn in the last frame.
impl SpantagApp {
    /// Screen rectangle of a character (for tests that point at words).
    pub fn char_rect(&self, c: CharOffset) -> Option<egui::Rect> {
        self.view.char_rect(c)
    }
}
