//! Stances and annotation details in the window: the stance editor (target with
//! type-ahead → polarity by key → holder suggested or clicked), the editor of the selected
//! tag (canonical name, target, polarity, holder, note), the document's stance list and
//! the corpus stance matrix.

use super::session::Session;
use super::{Command, SpantagApp, rgb, short};
use crate::corpus::stats;
use crate::model::stance::{matching_choices, suggest_holder, target_choices};
use crate::model::{AnnotationId, AnnotationKind, DocId, Document, Project, Span};
use egui::{Color32, Key, RichText, Ui};
use std::sync::Arc;

/// Which question the stance editor asks now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StanceStep {
    /// Type or pick the target.
    Target,
    /// Press a polarity key.
    Polarity,
    /// Accept the suggested holder, click one, or none.
    Holder,
}

/// A stance being created.
#[derive(Debug, Clone)]
pub struct StanceEditor {
    /// The claim or quote; `None` for a document stance.
    pub span: Option<Span>,
    /// What the user typed as target.
    pub target: String,
    /// Which type-ahead choice Enter takes (`None`: the typed text).
    pub highlighted: Option<usize>,
    /// The chosen polarity.
    pub polarity: Option<String>,
    /// The holder suggested for the span.
    pub suggested_holder: Option<AnnotationId>,
    /// Current step.
    pub step: StanceStep,
}

impl StanceEditor {
    /// A new editor for a stance on `span` (or the document).
    pub fn new(project: &Project, doc: &crate::model::DocId, span: Option<Span>) -> Self {
        Self {
            span,
            target: String::new(),
            highlighted: None,
            polarity: None,
            suggested_holder: span.and_then(|s| suggest_holder(project, doc, s)),
            step: StanceStep::Target,
        }
    }
}

/// Buffers of the selected-tag editor, kept while the same tag stays selected.
#[derive(Debug, Default, Clone)]
pub struct TagEditBuffers {
    for_id: Option<AnnotationId>,
    canonical: String,
    target: String,
    note: String,
}

fn key_for(c: char) -> Option<Key> {
    Key::from_name(&c.to_ascii_uppercase().to_string())
}

/// Draws the stance editor window while one is open; keys it handles are consumed.
pub fn stance_editor_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let Some(mut editor) = app.stance_editor.take() else {
        return;
    };
    let mut keep_open = true;
    let mut finish: Option<Option<AnnotationId>> = None;
    let choices = cached_target_choices(ctx, &app.session);
    let heading = if editor.span.is_some() {
        "New stance"
    } else {
        "New document stance"
    };
    egui::Window::new(heading)
        .collapsible(false)
        .resizable(false)
        .default_pos([420.0, 120.0])
        .show(ctx, |ui| {
            if let (Some(span), Some(doc)) = (editor.span, app.session.document()) {
                ui.label(
                    RichText::new(format!("“{}”", short(span.text(doc.text()), 80))).italics(),
                );
            }
            if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape)) {
                keep_open = false;
                return;
            }
            // 1. Target.
            let matches = matching_choices(&choices, &editor.target, 8);
            if editor.step == StanceStep::Target {
                let (down, up) = ui.input_mut(|i| {
                    (
                        i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                        i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                    )
                });
                if down && !matches.is_empty() {
                    editor.highlighted = Some(
                        editor
                            .highlighted
                            .map_or(0, |h| (h + 1).min(matches.len() - 1)),
                    );
                }
                if up {
                    editor.highlighted = editor.highlighted.and_then(|h| h.checked_sub(1));
                }
            }
            ui.horizontal(|ui| {
                ui.label("Target:");
                let edit = egui::TextEdit::singleline(&mut editor.target)
                    .hint_text("type a name; Down picks from the list")
                    .id_salt("stance target");
                let response = ui.add_enabled(editor.step == StanceStep::Target, edit);
                if editor.step == StanceStep::Target {
                    response.request_focus();
                }
                if response.changed() {
                    editor.highlighted = None;
                }
            });
            if editor.step == StanceStep::Target {
                for (i, m) in matches.iter().enumerate() {
                    if ui
                        .selectable_label(editor.highlighted == Some(i), m)
                        .clicked()
                    {
                        editor.target = m.clone();
                        editor.step = StanceStep::Polarity;
                    }
                }
                if ui.input(|i| i.key_pressed(Key::Enter)) {
                    if let Some(h) = editor.highlighted.and_then(|h| matches.get(h)) {
                        editor.target = h.clone();
                    }
                    if !editor.target.trim().is_empty() {
                        editor.target = editor.target.trim().to_owned();
                        editor.step = StanceStep::Polarity;
                    }
                }
                return;
            }
            // 2. Polarity.
            ui.horizontal_wrapped(|ui| {
                ui.label("Polarity:");
                for p in &app.session.project.schema().polarities {
                    let key = p.hotkey.map(|k| format!("{k} ")).unwrap_or_default();
                    let chosen = editor.polarity.as_deref() == Some(p.name.as_str());
                    let button = egui::Button::selectable(
                        chosen,
                        RichText::new(format!("{key}{}", p.name)).color(rgb(p.color)),
                    );
                    let pressed = editor.step == StanceStep::Polarity
                        && p.hotkey.and_then(key_for).is_some_and(|k| {
                            ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, k))
                        });
                    if ui.add(button).clicked() || pressed {
                        editor.polarity = Some(p.name.clone());
                        editor.step = StanceStep::Holder;
                    }
                }
            });
            if editor.step == StanceStep::Polarity {
                return;
            }
            if editor.span.is_none() {
                finish = Some(None);
                return;
            }
            // 3. Holder.
            let suggestion = editor
                .suggested_holder
                .and_then(|h| app.session.project.annotation(h))
                .map(|h| {
                    (
                        h.id(),
                        stats::entity_name(&app.session.project, h),
                        h.label().unwrap_or("").to_owned(),
                    )
                });
            match &suggestion {
                Some((id, name, label)) => {
                    if ui
                        .button(format!("Enter: holder {name} ({label})"))
                        .clicked()
                        || ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter))
                    {
                        finish = Some(Some(*id));
                    }
                }
                None => {
                    ui.weak("No person or organisation nearby to suggest.");
                }
            }
            ui.weak("…or click a tagged person or organisation in the text.");
            // With no suggestion, Enter goes on without a holder, like 0.
            let (no_holder, enter_means_none) = if suggestion.is_some() {
                ("0: no holder", false)
            } else {
                ("Enter or 0: no holder", true)
            };
            if ui.button(no_holder).clicked()
                || ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Num0))
                || (enter_means_none
                    && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter)))
            {
                finish = Some(None);
            }
        });
    if let Some(holder) = finish {
        if let Some(polarity) = editor.polarity.clone() {
            app.send(Command::CreateStance {
                span: editor.span,
                target: editor.target.clone(),
                polarity,
                holder,
            });
        }
        keep_open = false;
    }
    if keep_open {
        app.stance_editor = Some(editor);
    }
}

/// The editor of the selected tag: canonical name (entities), target, polarity and holder
/// (stances), note; every change is an undoable edit.
pub fn selected_tag_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let Some(ann) = app.session.selected_annotation().cloned() else {
        ui.weak("Select text and press 1–9 (entity) or S (stance), or click a tag.");
        return;
    };
    let Some(doc) = app.session.project.document_of(ann.id()) else {
        return;
    };
    if app.tag_buffers.for_id != Some(ann.id()) {
        app.tag_buffers = TagEditBuffers {
            for_id: Some(ann.id()),
            canonical: match ann.kind() {
                AnnotationKind::Entity { canonical, .. } => {
                    canonical.as_deref().unwrap_or_default().to_owned()
                }
                AnnotationKind::Stance { .. } => String::new(),
            },
            target: match ann.kind() {
                AnnotationKind::Stance { target, .. } => target.to_string(),
                AnnotationKind::Entity { .. } => String::new(),
            },
            note: ann.note().unwrap_or_default().to_owned(),
        };
    }
    let text = if ann.spans().is_empty() {
        "(whole document)".to_owned()
    } else {
        format!("“{}”", short(&ann.text(doc.text()), 60))
    };
    ui.label(RichText::new(format!("{}  {text}", ann.kind().display_label())).strong());
    if let Some(span) = ann.anchor().covering() {
        ui.weak(format!(
            "characters {}..{} · {}",
            span.start(),
            span.end(),
            ann.id()
        ));
    }
    match ann.kind().clone() {
        AnnotationKind::Entity { label, canonical } => {
            ui.horizontal(|ui| {
                let caption = ui.label("Canonical:");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut app.tag_buffers.canonical)
                            .hint_text("e.g. Mark Zuckerberg")
                            .id_salt("canonical"),
                    )
                    .labelled_by(caption.id);
                let commit = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                if commit {
                    let value = app.tag_buffers.canonical.trim().to_owned();
                    app.send(Command::ChangeKind(
                        ann.id(),
                        AnnotationKind::Entity {
                            label: label.clone(),
                            canonical: (!value.is_empty()).then_some(value.into()),
                        },
                    ));
                }
            });
            let typed = app.tag_buffers.canonical.trim().to_owned();
            if !typed.is_empty() && canonical.as_deref() != Some(typed.as_str()) {
                // Collected only while the user types a name: it reads every annotation.
                let choices = cached_target_choices(ui.ctx(), &app.session);
                ui.horizontal_wrapped(|ui| {
                    for m in matching_choices(&choices, &typed, 5) {
                        if ui.small_button(&m).clicked() {
                            app.tag_buffers.canonical = m.clone();
                            app.send(Command::ChangeKind(
                                ann.id(),
                                AnnotationKind::Entity {
                                    label: label.clone(),
                                    canonical: Some(m.into()),
                                },
                            ));
                        }
                    }
                });
            }
        }
        AnnotationKind::Stance {
            target,
            polarity,
            holder,
        } => {
            ui.horizontal(|ui| {
                let label = ui.label("Target:");
                let response = ui
                    .add(egui::TextEdit::singleline(&mut app.tag_buffers.target).id_salt("target"))
                    .labelled_by(label.id);
                if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    let value = app.tag_buffers.target.trim().to_owned();
                    if !value.is_empty() {
                        app.send(Command::ChangeKind(
                            ann.id(),
                            AnnotationKind::Stance {
                                target: value.into(),
                                polarity: polarity.clone(),
                                holder,
                            },
                        ));
                    }
                }
            });
            ui.horizontal_wrapped(|ui| {
                for p in app.session.project.schema().polarities.clone() {
                    let chosen = p.name == polarity;
                    if ui
                        .add(egui::Button::selectable(
                            chosen,
                            RichText::new(&p.name).color(rgb(p.color)),
                        ))
                        .clicked()
                        && !chosen
                    {
                        app.send(Command::ChangeKind(
                            ann.id(),
                            AnnotationKind::Stance {
                                target: target.clone(),
                                polarity: p.name.as_str().into(),
                                holder,
                            },
                        ));
                    }
                }
            });
            ui.horizontal(|ui| {
                let name = holder
                    .and_then(|h| app.session.project.annotation(h.id()))
                    .map_or("none".to_owned(), |h| {
                        stats::entity_name(&app.session.project, h)
                    });
                ui.label(format!("Holder: {name}"));
                let picking = app.pick_holder_for == Some(ann.id());
                if ui
                    .add(egui::Button::selectable(picking, "Pick…"))
                    .on_hover_text("Then click a tagged person or organisation in the text")
                    .clicked()
                {
                    app.pick_holder_for = if picking { None } else { Some(ann.id()) };
                }
                if holder.is_some() && ui.button("Clear").clicked() {
                    app.send(Command::ChangeKind(
                        ann.id(),
                        AnnotationKind::Stance {
                            target: target.clone(),
                            polarity: polarity.clone(),
                            holder: None,
                        },
                    ));
                }
            });
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Note:");
        let response = ui
            .add(egui::TextEdit::singleline(&mut app.tag_buffers.note).id_salt("note"))
            .labelled_by(label.id);
        if response.lost_focus() {
            app.send(Command::SetNote(ann.id(), app.tag_buffers.note.clone()));
        }
    });
    if ui.button("Delete tag (Del)").clicked() {
        app.send(Command::DeleteSelected);
    }
}

/// The current document's stances, span and document level.
pub fn stance_list_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let Some(doc) = app.session.document() else {
        return;
    };
    let project = &app.session.project;
    let stances = stance_ids(ui, project, doc.id(), ProjectState::of(&app.session));
    egui::CollapsingHeader::new(format!("Stances in this document ({})", stances.len()))
        .id_salt("stances")
        .default_open(true)
        .show(ui, |ui| {
            // Only the rows in view are drawn: a long document has a thousand stances.
            let row_height =
                ui.text_style_height(&egui::TextStyle::Body) + 2.0 * ui.spacing().button_padding.y;
            egui::ScrollArea::vertical()
                .id_salt("stance rows")
                .max_height(240.0)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, stances.len(), |ui, rows| {
                    let ids = stances.get(rows).unwrap_or_default();
                    stance_rows_ui(ui, &app.session, &mut app.pending, doc, ids);
                });
            if ui.button("Add document stance…").clicked() {
                app.pending.push(Command::StartStance { document: true });
            }
        });
}

/// The type-ahead choices for targets and canonical names ([`target_choices`]), kept in
/// egui's memory for one history state: collecting them reads every annotation of the
/// project, far too much for every frame an editor is open on a 300k-tag project.
fn cached_target_choices(ctx: &egui::Context, session: &Session) -> Arc<[String]> {
    #[derive(Clone)]
    struct Cached {
        state: ProjectState,
        choices: Arc<[String]>,
    }
    let key = egui::Id::unique("target choices of the project");
    let state = ProjectState::of(session);
    if let Some(cached) = ctx.data(|d| d.get_temp::<Cached>(key))
        && cached.state == state
    {
        return cached.choices;
    }
    let choices: Arc<[String]> = target_choices(&session.project).into();
    ctx.data_mut(|d| {
        d.insert_temp(
            key,
            Cached {
                state,
                choices: choices.clone(),
            },
        );
    });
    choices
}

/// Which project state a cache was made for. History state ids start over in every
/// session, so the project's own allocation and size are part of the key: a cache made for
/// another project opened in the same window is not taken for this one's.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ProjectState {
    history: u64,
    documents: usize,
    document_count: usize,
    annotation_count: usize,
}

impl ProjectState {
    fn of(session: &Session) -> Self {
        let project = &session.project;
        Self {
            history: session.history.state_id(),
            documents: project.documents().as_ptr() as usize,
            document_count: project.documents().len(),
            annotation_count: project.annotations().len(),
        }
    }
}

/// The ids of a document's stances in reading order, kept in egui's memory for one
/// document and history state: finding them means looking at every tag of the document,
/// which is too much to do every frame.
fn stance_ids(ui: &Ui, project: &Project, doc: &DocId, state: ProjectState) -> Arc<[AnnotationId]> {
    #[derive(Clone)]
    struct Cached {
        doc: DocId,
        state: ProjectState,
        ids: Arc<[AnnotationId]>,
    }
    let key = egui::Id::unique("stance ids of the current document");
    if let Some(cached) = ui.data(|d| d.get_temp::<Cached>(key))
        && cached.state == state
        && cached.doc == *doc
    {
        return cached.ids;
    }
    let ids: Arc<[AnnotationId]> = project
        .annotation_ids_of(doc)
        .filter(|id| {
            project
                .annotation(*id)
                .is_some_and(|a| !a.kind().is_entity())
        })
        .collect();
    ui.data_mut(|d| {
        d.insert_temp(
            key,
            Cached {
                doc: doc.clone(),
                state,
                ids: ids.clone(),
            },
        );
    });
    ids
}

/// Rows of the stance list: holder, polarity, target and the quote; a click selects.
fn stance_rows_ui(
    ui: &mut Ui,
    session: &Session,
    pending: &mut Vec<Command>,
    doc: &Document,
    ids: &[AnnotationId],
) {
    let project = &session.project;
    for ann in ids.iter().filter_map(|id| project.annotation(*id)) {
        let AnnotationKind::Stance {
            target,
            polarity,
            holder,
        } = ann.kind()
        else {
            continue;
        };
        let holder = holder
            .and_then(|h| project.annotation(h.id()))
            .map_or("—".to_owned(), |h| stats::entity_name(project, h));
        let what = if ann.spans().is_empty() {
            "document".to_owned()
        } else {
            format!("“{}”", short(&ann.text(doc.text()), 30))
        };
        let color = project
            .schema()
            .polarity(polarity)
            .map_or(Color32::GRAY, |p| rgb(p.color));
        let text =
            RichText::new(format!("{holder}: {polarity} toward {target}  {what}")).color(color);
        let button = egui::Button::selectable(session.selected == Some(ann.id()), text).truncate();
        if ui.add(button).clicked() {
            pending.push(Command::SelectAnnotation(ann.id()));
        }
    }
}

/// The corpus stance matrix: holders × targets with polarity counts; a click on a cell
/// lists its quotes in context, a click on a quote jumps to it.
pub fn stance_matrix_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.show_matrix {
        return;
    }
    // Counting reads every annotation: once per project revision, not once per frame.
    let revision = app.session.revision();
    let stats = match &app.matrix_stats {
        Some((r, stats)) if *r == revision => stats.clone(),
        _ => {
            let stats = Arc::new(stats::compute(&app.session.project));
            app.matrix_stats = Some((revision, stats.clone()));
            stats
        }
    };
    let matrix = &stats.stance.matrix;
    let targets: Vec<String> = {
        let mut t: Vec<String> = matrix
            .values()
            .flat_map(|row| row.keys().cloned())
            .collect();
        t.sort();
        t.dedup();
        t
    };
    let mut open = app.show_matrix;
    egui::Window::new("Stance matrix")
        .id(super::windows::ToolWindow::StanceMatrix.id())
        .open(&mut open)
        .default_size([720.0, 480.0])
        .show(ctx, |ui| {
            ui.weak("Rows: holders. Columns: targets. Cells: FAVOR / AGAINST / NEUTRAL (NONE) counts of span stances. Click a cell for its quotes.");
            egui::ScrollArea::both().max_height(260.0).show(ui, |ui| {
                egui::Grid::new("matrix").striped(true).show(ui, |ui| {
                    ui.label("");
                    for t in &targets {
                        ui.label(RichText::new(short(t, 24)).strong()).on_hover_text(t);
                    }
                    ui.end_row();
                    for (holder, row) in matrix {
                        ui.label(RichText::new(short(holder, 28)).strong());
                        for t in &targets {
                            match row.get(t) {
                                Some(counts) => {
                                    let n = |p: &str| counts.get(p).copied().unwrap_or(0);
                                    let mut text = format!("{}/{}/{}", n("FAVOR"), n("AGAINST"), n("NEUTRAL"));
                                    if n("NONE") > 0 {
                                        text.push_str(&format!(" ({})", n("NONE")));
                                    }
                                    let chosen = app.matrix_cell.as_ref() == Some(&(holder.clone(), t.clone()));
                                    if ui.selectable_label(chosen, text).clicked() {
                                        app.matrix_cell = Some((holder.clone(), t.clone()));
                                    }
                                }
                                None => {
                                    ui.label("");
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
            });
            if !stats.stance.document_stances.is_empty() {
                ui.separator();
                ui.label(RichText::new("Document stances (counted apart)").strong());
                for (target, counts) in &stats.stance.document_stances {
                    let counts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
                    ui.label(format!("{target}: {}", counts.join(", ")));
                }
            }
            if let Some((holder, target)) = app.matrix_cell.clone() {
                ui.separator();
                ui.label(RichText::new(format!("{holder}, toward {target}")).strong());
                for (id, line) in quotes(&app.session.project, &holder, &target) {
                    if ui.selectable_label(false, line).clicked() {
                        app.pending.push(Command::SelectAnnotation(id));
                    }
                }
            }
        });
    app.show_matrix = open;
}

/// The quotes of one matrix cell with some context either side.
pub fn quotes(project: &Project, holder: &str, target: &str) -> Vec<(AnnotationId, String)> {
    let mut out = Vec::new();
    for (doc, ann) in project.annotations_with_documents() {
        let AnnotationKind::Stance {
            target: t,
            polarity,
            holder: h,
        } = ann.kind()
        else {
            continue;
        };
        let Some(span) = ann.anchor().covering() else {
            continue;
        };
        let name = h.and_then(|h| project.annotation(h.id())).map_or_else(
            || stats::NO_HOLDER.to_owned(),
            |h| stats::entity_name(project, h),
        );
        if t != target || name != holder {
            continue;
        }
        let text = doc.text();
        let before = text.slice(
            crate::model::CharOffset(span.start().0.saturating_sub(40)),
            span.start(),
        );
        let after = text.slice(span.end(), crate::model::CharOffset(span.end().0 + 40));
        out.push((
            ann.id(),
            format!(
                "[{polarity}] …{before}«{}»{after}… ({})",
                ann.text(text),
                doc.id()
            ),
        ));
    }
    out
}
