//! Annotating faster: suggestions from the user's own tags (ghost highlights; G / Enter /
//! X), "tag all occurrences" of a tag's text as one undoable edit, and corpus search with
//! keyword-in-context results that jump to the hit so it can be tagged at once.

use super::background::{Job, landed};
use super::{Command, SpantagApp, short};
use crate::corpus::search::{self, Scope, SearchHit, SearchMode, SearchQuery};
use crate::corpus::suggest::{
    Occurrence, SuggestOptions, Suggestion, SuggestionEngine, occurrences, tag_all_edit,
};
use crate::model::{AnnotationId, CharOffset, DocId, DocStatus, Edit};
use egui::{RichText, Ui};

/// Above this many annotations the engine is updated per document instead of rebuilt.
const FULL_REBUILD_LIMIT: usize = 20_000;

/// An engine being built on another thread, with the copy of the project it is built
/// from (a copy shares the project's parts, so it costs microseconds).
type EngineBuild = std::sync::mpsc::Receiver<(SuggestionEngine, crate::model::Project)>;

/// At most this many documents edited while an engine was being built are counted again
/// when it lands; more, and it is built again.
const RECOUNT_AT_MOST: usize = 64;

/// Suggestions for the current document, kept in step with the project.
#[derive(Default)]
pub struct Suggestions {
    engine: Option<SuggestionEngine>,
    /// The engine of a big project being built on another thread (see
    /// [`Suggestions::refresh`]); no suggestions meanwhile.
    building: Option<EngineBuild>,
    /// (state, document) the list below was computed for.
    key: Option<(u64, DocId, bool, bool)>,
    /// The current document's suggestions, by start.
    pub list: Vec<Suggestion>,
    /// Index into `list` of the suggestion in focus.
    pub focus: Option<usize>,
    /// Show suggestions at all.
    pub enabled: bool,
    /// Also propose Dutch genitive forms.
    pub genitive: bool,
}

impl Suggestions {
    /// Suggestions on, genitive forms off.
    pub fn new() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    /// Recomputes the current document's suggestions when the project or document changed.
    pub fn refresh(
        &mut self,
        app_project: &crate::model::Project,
        doc: Option<&DocId>,
        state: u64,
    ) {
        let Some(doc) = doc else {
            self.list.clear();
            return;
        };
        let key = (state, doc.clone(), self.genitive, self.enabled);
        if self.key.as_ref() == Some(&key) {
            return;
        }
        let options = SuggestOptions {
            genitive: self.genitive,
            ..SuggestOptions::default()
        };
        if self.engine.is_none() && app_project.annotations().len() > FULL_REBUILD_LIMIT {
            // A big project's engine takes a second or more to build: on another thread,
            // from a copy of the project, while the document shows no suggestions.
            if !self.take_built(app_project) {
                if self.building.is_none() {
                    self.building = Some(build_in_background(app_project, &options));
                }
                self.list.clear();
                return;
            }
        }
        match &mut self.engine {
            // Big projects: only the edited document is recounted; edits that touch many
            // documents (undo, import, tag-all) call `invalidate` first.
            Some(engine)
                if engine.options().genitive == self.genitive
                    && app_project.annotations().len() > FULL_REBUILD_LIMIT =>
            {
                engine.update_document(app_project, doc);
            }
            _ => self.engine = Some(SuggestionEngine::build(app_project, &options)),
        }
        let focused = self
            .focus
            .and_then(|i| self.list.get(i))
            .map(|s| (s.start, s.end));
        self.list = if self.enabled {
            self.engine
                .as_ref()
                .map(|e| e.for_document(app_project, doc))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        self.focus = focused.and_then(|(s, _)| self.list.iter().position(|x| x.start >= s));
        self.key = Some(key);
    }

    /// Forgets the engine: the next refresh rebuilds it from the whole project. For when
    /// the project was replaced or an edit touched many documents.
    pub fn invalidate(&mut self) {
        self.engine = None;
        self.building = None;
        self.key = None;
    }

    /// Whether an engine is being built on another thread (the window keeps drawing
    /// frames to pick it up).
    pub fn building(&self) -> bool {
        self.building.is_some()
    }

    /// Takes an engine built in the background, if it is done: the documents whose tags
    /// changed since its copy of the project was taken are counted again (a few; more,
    /// or documents added or removed, and it is built again). `true` when there is an
    /// engine now.
    fn take_built(&mut self, project: &crate::model::Project) -> bool {
        let Some(Ok((mut engine, copy))) = self.building.as_ref().map(|rx| rx.try_recv()) else {
            return false;
        };
        self.building = None;
        if copy.documents_revision() != project.documents_revision() {
            return false;
        }
        // Unchanged documents still share their tag lists with the copy.
        let (now, then) = (
            project.annotations_by_document(),
            copy.annotations_by_document(),
        );
        let changed: Vec<&DocId> = project
            .documents()
            .iter()
            .zip(now.into_iter().zip(then))
            .filter(|&(_, (now, then))| !std::ptr::eq(now, then))
            .map(|(doc, _)| doc.id())
            .collect();
        if changed.len() > RECOUNT_AT_MOST {
            return false;
        }
        for doc in changed {
            engine.update_document(project, doc);
        }
        self.engine = Some(engine);
        self.key = None;
        true
    }

    /// The suggestion in focus.
    pub fn focused(&self) -> Option<&Suggestion> {
        self.list.get(self.focus?)
    }
}

/// Moves the focus to the next/previous suggestion; returns where to scroll.
pub fn next_suggestion(app: &mut SpantagApp, forward: bool) -> Option<CharOffset> {
    let s = &mut app.suggestions;
    if s.list.is_empty() {
        app.status = "no suggestions in this document".to_owned();
        return None;
    }
    let n = s.list.len();
    s.focus = Some(match (s.focus, forward) {
        (Some(i), true) => (i + 1) % n,
        (Some(i), false) => (i + n - 1) % n,
        (None, true) => 0,
        (None, false) => n - 1,
    });
    let focused = s.focused()?;
    app.status = format!(
        "suggestion: “{}” as {} — Enter accepts, X rejects, G next",
        focused.text, focused.label
    );
    Some(CharOffset(focused.start))
}

/// The edit that accepts the focused suggestion (and marks the document in progress).
pub fn accept_edit(app: &mut SpantagApp) -> Option<(Edit, AnnotationId)> {
    let suggestion = app.suggestions.focused()?.clone();
    let doc = app
        .session
        .project
        .document(&suggestion.doc)?
        .text()
        .clone();
    let ann = suggestion.annotation(AnnotationId::NEW, &doc).ok()?;
    let ann = app.session.project_mut().with_new_id(&suggestion.doc, ann);
    let id = ann.id();
    let mut edits = vec![Edit::AddAnnotation(suggestion.doc.clone(), ann)];
    let doc_id = suggestion.doc.clone();
    if app.session.project.status(&doc_id) == DocStatus::NotStarted {
        edits.push(Edit::SetStatus {
            doc: doc_id,
            status: DocStatus::InProgress,
        });
    }
    Some((Edit::Batch(edits), id))
}

/// The edit that rejects the focused suggestion (remembered in the project).
pub fn reject_edit(app: &SpantagApp) -> Option<Edit> {
    let suggestion = app.suggestions.focused()?;
    Some(Edit::SetRejected(suggestion.rejection(), true))
}

/// State of the "tag all occurrences" window.
#[derive(Default)]
pub struct TagAll {
    /// Whether the window is open.
    pub open: bool,
    /// The tag whose text is searched.
    pub source: Option<AnnotationId>,
    /// Search the whole corpus instead of this document.
    pub corpus: bool,
    /// Match case.
    pub case_sensitive: bool,
    /// Found occurrences and whether each is checked.
    pub found: Vec<(Occurrence, bool)>,
    key: Option<TagAllKey>,
    /// The search over a big corpus, running on another thread.
    finding: Option<Job<TagAllKey, Vec<Occurrence>>>,
}

/// What a tag-all list was found for: the tag, whole corpus, match case, and the
/// project's state.
type TagAllKey = (AnnotationId, bool, bool, u64);

/// From this many documents, tag-all looks through the corpus on another thread (at 100k
/// documents it takes a few hundred milliseconds); the window says it is searching.
const BACKGROUND_TAG_ALL_DOCUMENTS: usize = 5_000;

impl TagAll {
    /// Whether a search over the corpus is still running.
    pub fn searching(&self) -> bool {
        self.finding.is_some()
    }
}

/// The tag-all checklist of `found`: every occurrence not tagged yet, and not
/// overlapping an entity, is checked.
fn checklist(found: Vec<Occurrence>) -> Vec<(Occurrence, bool)> {
    found
        .into_iter()
        .map(|o| {
            let check = !o.tagged && !o.overlaps_entity;
            (o, check)
        })
        .collect()
}

/// Opens "tag all" for the selected entity tag.
pub fn open_tag_all(app: &mut SpantagApp) {
    match app.session.selected_annotation() {
        Some(ann) if ann.kind().is_entity() => {
            app.tag_all.source = Some(ann.id());
            app.tag_all.open = true;
            app.tag_all.key = None;
        }
        _ => app.status = "select an entity tag first, then press T".to_owned(),
    }
}

/// The "tag all occurrences" window: a checklist with context; applying is one edit.
pub fn tag_all_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.tag_all.open {
        return;
    }
    let Some((doc_id, source, needle)) = app
        .tag_all
        .source
        .and_then(|id| app.session.project.annotation_in_document(id))
        .map(|(doc, source)| (doc.id().clone(), source.clone(), source.text(doc.text())))
    else {
        app.tag_all.open = false;
        return;
    };
    let (label, canonical) = match source.kind() {
        crate::model::AnnotationKind::Entity { label, canonical } => {
            (label.clone(), canonical.clone())
        }
        crate::model::AnnotationKind::Stance { .. } => return,
    };
    let key = (
        source.id(),
        app.tag_all.corpus,
        app.tag_all.case_sensitive,
        app.session.history.state_id(),
    );
    if app.tag_all.key != Some(key) {
        let case_sensitive = app.tag_all.case_sensitive;
        let project = &app.session.project;
        if app.tag_all.corpus && project.documents().len() >= BACKGROUND_TAG_ALL_DOCUMENTS {
            // Nothing stale is offered while the search runs; the copy costs microseconds.
            app.tag_all.found.clear();
            let (copy, needle) = (project.clone(), needle.clone());
            let found = landed(&mut app.tag_all.finding, &key, move || {
                occurrences(&copy, &needle, Scope::Corpus, case_sensitive)
            });
            match found {
                Some(found) => {
                    app.tag_all.found = checklist(found);
                    app.tag_all.key = Some(key);
                }
                None => ctx.request_repaint_after(std::time::Duration::from_millis(20)),
            }
        } else {
            let scope = if app.tag_all.corpus {
                Scope::Corpus
            } else {
                Scope::Document(doc_id.clone())
            };
            app.tag_all.finding = None;
            app.tag_all.found = checklist(occurrences(project, &needle, scope, case_sensitive));
            app.tag_all.key = Some(key);
        }
    }
    let searching = app.tag_all.searching();
    let documents = app.session.project.documents().len();
    let mut open = true;
    let mut apply = false;
    egui::Window::new(format!("Tag all “{needle}” as {label}"))
        .id(super::windows::ToolWindow::TagAll.id())
        .open(&mut open)
        .default_size([620.0, 420.0])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut app.tag_all.corpus, "whole corpus");
                ui.checkbox(&mut app.tag_all.case_sensitive, "match case");
                let checked = app.tag_all.found.iter().filter(|(_, c)| *c).count();
                if ui
                    .add_enabled(
                        checked > 0,
                        egui::Button::new(format!("Tag {checked} checked")),
                    )
                    .clicked()
                {
                    apply = true;
                }
            });
            ui.weak("Whole words only. Already tagged occurrences are shown but not offered.");
            if searching {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("looking through {documents} documents…"));
                });
            }
            // Only the rows on screen are laid out, with their context cut from the text
            // then: over a corpus there can be hundreds of thousands.
            let project = &app.session.project;
            let row_height = ui.spacing().interact_size.y;
            let rows = app.tag_all.found.len();
            egui::ScrollArea::vertical().show_rows(ui, row_height, rows, |ui, shown| {
                // One line a row (cut, not wrapped), so every row has the height counted.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                let found = app.tag_all.found.get_mut(shown).unwrap_or_default();
                for (o, checked) in found {
                    let Some(doc) = project.document(&o.doc) else {
                        continue;
                    };
                    let seen = o.in_context(doc.text());
                    let line = format!("{}: …{}«{}»{}…", o.doc, seen.left, seen.text, seen.right);
                    if o.tagged || o.overlaps_entity {
                        ui.add_enabled(
                            false,
                            egui::Checkbox::new(&mut false, format!("{line}  (tagged)")),
                        );
                    } else {
                        ui.checkbox(checked, line);
                    }
                }
            });
        });
    if apply {
        let picked: Vec<&Occurrence> = app
            .tag_all
            .found
            .iter()
            .filter(|(_, checked)| *checked)
            .map(|(o, _)| o)
            .collect();
        let (edit, n) = tag_all_edit(
            app.session.project_mut(),
            &picked,
            &label,
            canonical.as_deref(),
        );
        app.send(Command::Apply(edit, format!("tag all {n} × {label}")));
        open = false;
    }
    app.tag_all.open = open;
}

/// State of the search window.
#[derive(Default)]
pub struct SearchState {
    /// Whether the window is open.
    pub open: bool,
    /// The query text.
    pub text: String,
    /// Read the text as a regular expression.
    pub regex: bool,
    /// Match case.
    pub case_sensitive: bool,
    /// Whole words only.
    pub whole_word: bool,
    /// Results of the last search.
    pub hits: Vec<SearchHit>,
    /// The search stopped at the cap.
    pub capped: bool,
    /// The error of the last search.
    pub error: Option<String>,
    /// The hit in focus (Enter jumps to it).
    pub focus: usize,
    focus_field: bool,
    key: Option<(String, bool, bool, bool)>,
}

/// Opens search with the keyboard in its field.
pub fn open_search(app: &mut SpantagApp) {
    app.search.open = true;
    app.search.focus_field = true;
}

/// The search window: plain or regex, results in context; a click or Enter jumps to the
/// hit and selects it, so a digit key tags it.
pub fn search_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.search.open {
        return;
    }
    let mut open = true;
    let mut jump: Option<SearchHit> = None;
    egui::Window::new("Search")
        .id(super::windows::ToolWindow::Search.id())
        .open(&mut open)
        .default_size([640.0, 420.0])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                let caption = ui.label("Find:");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut app.search.text)
                            .id_salt("search text")
                            .desired_width(280.0),
                    )
                    .labelled_by(caption.id);
                if app.search.focus_field {
                    response.request_focus();
                    app.search.focus_field = false;
                }
                if response.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(hit) = app.search.hits.get(app.search.focus)
                {
                    jump = Some(hit.clone());
                }
                ui.checkbox(&mut app.search.regex, "regex");
                ui.checkbox(&mut app.search.case_sensitive, "match case");
                ui.checkbox(&mut app.search.whole_word, "whole words");
            });
            let key = (
                app.search.text.clone(),
                app.search.regex,
                app.search.case_sensitive,
                app.search.whole_word,
            );
            if app.search.key.as_ref() != Some(&key) {
                run_search(app);
                app.search.key = Some(key);
            }
            if let Some(error) = &app.search.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            } else if !app.search.text.is_empty() {
                ui.weak(format!(
                    "{}{} hits — click one (or Enter for the first) to jump; then 1–9 tags it",
                    app.search.hits.len(),
                    if app.search.capped { "+" } else { "" }
                ));
            }
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
            egui::ScrollArea::vertical().auto_shrink(false).show_rows(
                ui,
                row_height,
                app.search.hits.len(),
                |ui, rows| {
                    for i in rows {
                        let hit = &app.search.hits[i];
                        let line = format!(
                            "{}: …{}«{}»{}…",
                            hit_source(&app.session.project, &hit.doc),
                            hit.context_left,
                            hit.text,
                            hit.context_right
                        );
                        let button =
                            egui::Button::selectable(i == app.search.focus, RichText::new(line))
                                .truncate();
                        if ui.add(button).clicked() {
                            app.search.focus = i;
                            jump = Some(hit.clone());
                        }
                    }
                },
            );
        });
    app.search.open = open;
    if let Some(hit) = jump {
        jump_to_hit(app, &hit);
    }
}

/// How a search hit names its document: the title and date (the id when the document
/// has no title).
pub fn hit_source(project: &crate::model::Project, doc: &DocId) -> String {
    let Some(document) = project.document(doc) else {
        return doc.to_string();
    };
    let title = if document.title().trim().is_empty() {
        doc.to_string()
    } else {
        short(document.title(), 60)
    };
    match document.date() {
        Some(date) => format!("{title} ({date})"),
        None => title,
    }
}

fn run_search(app: &mut SpantagApp) {
    app.search.hits.clear();
    app.search.error = None;
    app.search.capped = false;
    app.search.focus = 0;
    if app.search.text.is_empty() {
        return;
    }
    let query = SearchQuery {
        text: app.search.text.clone(),
        mode: if app.search.regex {
            SearchMode::Regex
        } else {
            SearchMode::Plain
        },
        case_sensitive: app.search.case_sensitive,
        whole_word: app.search.whole_word,
        scope: Scope::Corpus,
        max_hits: search::DEFAULT_MAX_HITS,
    };
    match search::search(&app.session.project, &query) {
        Ok(results) => {
            app.search.hits = results.hits;
            app.search.capped = results.capped;
        }
        Err(e) => app.search.error = Some(e.to_string()),
    }
}

/// Opens the hit's document and selects the hit (exactly, without snapping).
pub fn jump_to_hit(app: &mut SpantagApp, hit: &SearchHit) {
    if let Some(i) = app.session.project.document_index(&hit.doc) {
        app.session.open_document(i);
        app.session.selection = Some(super::session::TextSelection {
            anchor: hit.start,
            head: hit.end,
        });
        app.session.selected = None;
        app.view.scroll_to = Some(hit.start);
        app.status = format!("“{}” selected — press 1–9 to tag it", hit.text);
    }
}

/// Suggestion options in the side panel.
pub fn suggestion_controls_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut app.suggestions.enabled, "Suggestions");
        ui.checkbox(&mut app.suggestions.genitive, "genitive forms (Facebooks)");
        let n = app.suggestions.list.len();
        if n > 0 && ui.small_button(format!("{n} here — G")).clicked() {
            app.send(Command::NextSuggestion { forward: true });
        }
    });
}

/// Builds `project`'s suggestion engine on a background thread, from a copy of it.
fn build_in_background(project: &crate::model::Project, options: &SuggestOptions) -> EngineBuild {
    let copy = project.clone();
    let options = options.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    crate::parallel::spawn_background(move || {
        let engine = SuggestionEngine::build(&copy, &options);
        // The window may have moved on; then nobody needs it.
        let _ = tx.send((engine, copy));
    });
    rx
}
