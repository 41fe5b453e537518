//! The panels around the reading view: menu bar, status bar, document list, label palette
//! and the list of the current document's annotations. Each `*_ui` function draws and
//! emits [`Command`]s; none changes the project itself.

use super::{Command, SpantagApp, rgb, short};
use crate::model::{AnnotationKind, DocStatus};
use egui::{Color32, RichText, Ui};

/// The menu bar: File, Edit, Document.
pub fn menu_bar_ui(ui: &mut Ui, app: &mut SpantagApp) {
    egui::Panel::top("menu").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                let item = |ui: &mut Ui,
                            pending: &mut Vec<Command>,
                            text: &str,
                            shortcut: &str,
                            command: Command| {
                    let button = egui::Button::new(text).shortcut_text(shortcut);
                    if ui.add(button).clicked() {
                        pending.push(command);
                    }
                };
                item(
                    ui,
                    &mut app.pending,
                    "New from corpus…",
                    "",
                    Command::NewFromCorpus,
                );
                item(ui, &mut app.pending, "Open…", "Ctrl+O", Command::Open);
                item(ui, &mut app.pending, "Import…", "", Command::Import);
                ui.menu_button("Export", |ui| {
                    use crate::formats::ExportFormat as F;
                    for (name, format) in [
                        ("Spans JSONL…", F::Spans),
                        ("CSV…", F::Csv),
                        ("CoNLL (IOB2)…", F::Conll),
                        ("brat folder…", F::Brat),
                        ("doccano JSONL…", F::Doccano),
                        ("Prodigy JSONL…", F::Prodigy),
                    ] {
                        if ui.button(name).clicked() {
                            app.pending.push(Command::Export(format));
                        }
                    }
                });
                ui.menu_button("Open recent", |ui| {
                    if app.settings.recent.is_empty() {
                        ui.label("(none yet)");
                    }
                    for path in app.settings.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            app.pending.push(Command::OpenPath(path));
                        }
                    }
                });
                ui.separator();
                item(ui, &mut app.pending, "Save", "Ctrl+S", Command::Save);
                item(
                    ui,
                    &mut app.pending,
                    "Save As…",
                    "Ctrl+Shift+S",
                    Command::SaveAs,
                );
                ui.separator();
                item(ui, &mut app.pending, "Quit", "", Command::Quit);
            });
            ui.menu_button("Edit", |ui| {
                let undo = app
                    .session
                    .history
                    .undo_description()
                    .map_or("Undo".to_owned(), |d| format!("Undo {d}"));
                let redo = app
                    .session
                    .history
                    .redo_description()
                    .map_or("Redo".to_owned(), |d| format!("Redo {d}"));
                if ui
                    .add(egui::Button::new(undo).shortcut_text("Ctrl+Z"))
                    .clicked()
                {
                    app.pending.push(Command::Undo);
                }
                if ui
                    .add(egui::Button::new(redo).shortcut_text("Ctrl+Shift+Z / Ctrl+Y"))
                    .clicked()
                {
                    app.pending.push(Command::Redo);
                }
                if ui
                    .add(egui::Button::new("Delete tag").shortcut_text("Del"))
                    .clicked()
                {
                    app.pending.push(Command::DeleteSelected);
                }
                ui.separator();
                if ui.button("Labels and schema…").clicked() {
                    app.pending.push(Command::OpenSchemaEditor);
                }
                ui.separator();
                let mut snap = app.settings.snap_words;
                if ui.checkbox(&mut snap, "Snap selections to words").clicked() {
                    app.pending.push(Command::ToggleSnap);
                }
                ui.checkbox(&mut app.settings.dark, "Dark theme");
                ui.menu_button("File chooser", |ui| {
                    use super::file_chooser::ChooserKind;
                    for (kind, label) in [
                        (ChooserKind::Automatic, "The desktop's, else spantag's own"),
                        (ChooserKind::Native, "The desktop's"),
                        (ChooserKind::InApp, "spantag's own"),
                    ] {
                        ui.radio_value(&mut app.settings.file_chooser, kind, label);
                    }
                });
                ui.add(
                    egui::Slider::new(&mut app.settings.font_size, 11.0..=28.0).text("Text size"),
                );
                app.view.font_size = app.settings.font_size;
            });
            ui.menu_button("View", |ui| {
                if ui
                    .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                    .clicked()
                {
                    app.pending.push(Command::ToggleHelp);
                }
                if ui.button("Stance matrix").clicked() {
                    app.pending.push(Command::ToggleMatrix);
                }
                ui.checkbox(&mut app.settings.show_arcs, "Relation arcs");
                super::corpus_views::view_menu_ui(ui, app);
                super::team_ui::view_menu_ui(ui, app);
            });
            ui.menu_button("Find", |ui| {
                if ui
                    .add(egui::Button::new("Search corpus…").shortcut_text("Ctrl+F"))
                    .clicked()
                {
                    app.pending.push(Command::OpenSearch);
                }
                if ui
                    .add(egui::Button::new("Tag all occurrences…").shortcut_text("T"))
                    .clicked()
                {
                    app.pending.push(Command::OpenTagAll);
                }
                if ui
                    .add(egui::Button::new("Next suggestion").shortcut_text("G"))
                    .clicked()
                {
                    app.pending.push(Command::NextSuggestion { forward: true });
                }
                if ui
                    .add(egui::Button::new("Accept suggestion").shortcut_text("Enter"))
                    .clicked()
                {
                    app.pending.push(Command::AcceptSuggestion);
                }
                if ui
                    .add(egui::Button::new("Reject suggestion").shortcut_text("X"))
                    .clicked()
                {
                    app.pending.push(Command::RejectSuggestion);
                }
            });
            super::learn_ui::learn_menu_ui(ui, app);
            ui.menu_button("Stance", |ui| {
                if ui
                    .add(egui::Button::new("New stance on selection").shortcut_text("S"))
                    .clicked()
                {
                    app.pending.push(Command::StartStance { document: false });
                }
                if ui.button("New document stance…").clicked() {
                    app.pending.push(Command::StartStance { document: true });
                }
            });
            ui.menu_button("Document", |ui| {
                for status in [
                    DocStatus::NotStarted,
                    DocStatus::InProgress,
                    DocStatus::Done,
                ] {
                    if ui.button(format!("Mark {}", status.name())).clicked() {
                        app.pending.push(Command::SetStatus(status));
                    }
                }
                ui.separator();
                if ui
                    .add(egui::Button::new("Next document").shortcut_text("Alt+Down"))
                    .clicked()
                {
                    app.pending
                        .push(Command::OpenDocument(app.session.current + 1));
                }
                if ui
                    .add(egui::Button::new("Previous document").shortcut_text("Alt+Up"))
                    .clicked()
                {
                    app.pending
                        .push(Command::OpenDocument(app.session.current.saturating_sub(1)));
                }
            });
        });
    });
}

/// The status bar: last message, selection, snapping mode.
pub fn status_bar_ui(ui: &mut Ui, app: &mut SpantagApp) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            let mut snap = app.settings.snap_words;
            if ui
                .checkbox(&mut snap, "Snap to words")
                .on_hover_text("Off: selections keep exact characters")
                .clicked()
            {
                app.pending.push(Command::ToggleSnap);
            }
            ui.separator();
            if let (Some(span), Some(doc)) = (app.session.selection_span(), app.session.document())
            {
                ui.label(format!(
                    "selected {}..{} “{}” — press 1–9 to tag",
                    span.start(),
                    span.end(),
                    short(span.text(doc.text()), 40)
                ));
                ui.separator();
            }
            super::team_ui::team_status_ui(ui, app);
            ui.label(&app.status);
            ui.separator();
            super::learn_ui::status_ui(ui, app);
        });
    });
}

/// The document list: title, date, status and number of tags; click opens.
pub fn document_list_ui(ui: &mut Ui, app: &mut SpantagApp) {
    egui::Panel::left("documents")
        .default_size(260.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Documents");
                let order = &mut app.settings.document_order;
                egui::ComboBox::from_id_salt("document order")
                    .selected_text(order.name())
                    .show_ui(ui, |ui| {
                        for choice in crate::corpus::order::DocumentOrder::ALL {
                            ui.selectable_value(order, choice, choice.name());
                        }
                    })
                    .response
                    .on_hover_text("order of the list");
            });
            document_filter_ui(ui, app);
            if app.session.preview_of.is_some() {
                ui.weak(format!(
                    "the first {} documents; the rest is loading…",
                    app.session.project.documents().len()
                ));
            }
            // Least sure first when the recommender's order is asked for, else the
            // order chosen above.
            let listed = app.listed_documents();
            if app.doc_list.busy() {
                // The new order or label index lands on another thread: look again soon.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(30));
                ui.weak(if app.doc_list.counting_labels() {
                    "finding the documents with this label…"
                } else {
                    "sorting…"
                });
            }
            let project = &app.session.project;
            let docs = project.documents();
            let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + 8.0;
            egui::ScrollArea::vertical()
                .id_salt("doc list")
                .auto_shrink(false)
                .show_rows(ui, row_height, listed.len(), |ui, rows| {
                    for i in rows.filter_map(|row| listed.get(row).copied()) {
                        let Some(doc) = docs.get(i) else {
                            continue;
                        };
                        let status = project.status(doc.id());
                        let detail = format!(
                            "{} · {} · {} tags",
                            doc.date().unwrap_or("no date"),
                            status.name(),
                            project.annotation_count(doc.id())
                        );
                        let selected = i == app.session.current;
                        if document_row_ui(ui, row_height, doc.title(), &detail, selected)
                            .on_hover_text(doc.id().as_str())
                            .clicked()
                        {
                            app.pending.push(Command::OpenDocument(i));
                        }
                    }
                });
        });
}

/// The document list's filter: title text, status, label; and how many documents pass.
fn document_filter_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let schema = app.session.project.schema();
    let labels: Vec<String> = schema
        .entity_types
        .iter()
        .map(|t| t.name.to_string())
        .chain(schema.polarities.iter().map(|p| p.name.to_string()))
        .collect();
    let filter = &mut app.doc_list.filter;
    ui.add(
        egui::TextEdit::singleline(&mut filter.title)
            .hint_text("filter titles")
            .desired_width(f32::INFINITY),
    );
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("status filter")
            .selected_text(filter.status.map_or("any status", DocStatus::name))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.status, None, "any status");
                for status in [
                    DocStatus::NotStarted,
                    DocStatus::InProgress,
                    DocStatus::Done,
                ] {
                    ui.selectable_value(&mut filter.status, Some(status), status.name());
                }
            })
            .response
            .on_hover_text("show documents with this status");
        egui::ComboBox::from_id_salt("label filter")
            .selected_text(filter.label.as_deref().unwrap_or("any label"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.label, None, "any label");
                for label in labels {
                    let text = label.clone();
                    ui.selectable_value(&mut filter.label, Some(label), text);
                }
            })
            .response
            .on_hover_text("show documents with a tag of this label");
    });
    if !app.doc_list.filter.is_empty() {
        let shown = app.listed_documents().len();
        let all = app.session.project.documents().len();
        ui.horizontal(|ui| {
            ui.weak(format!("{shown} of {all} documents"));
            if ui.small_button("clear").clicked() {
                app.doc_list.filter = Default::default();
            }
        });
    }
}

/// One row of the document list: the title on one line, details below; clickable.
fn document_row_ui(
    ui: &mut Ui,
    height: f32,
    title: &str,
    detail: &str,
    selected: bool,
) -> egui::Response {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::click());
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, title));
    let visuals = ui.visuals();
    if selected {
        ui.painter()
            .rect_filled(rect, 4.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        ui.painter()
            .rect_filled(rect, 4.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let line = |text: &str, font: egui::FontId, color: Color32| {
        let mut job = egui::text::LayoutJob::simple_singleline(text.to_owned(), font, color);
        job.wrap = egui::text::TextWrapping::truncate_at_width(width - 12.0);
        ui.painter().layout_job(job)
    };
    let title = line(
        title,
        egui::FontId::proportional(14.0),
        visuals.strong_text_color(),
    );
    let detail = line(
        detail,
        egui::FontId::proportional(12.0),
        visuals.weak_text_color(),
    );
    let top = rect.min + egui::vec2(6.0, 4.0);
    let detail_top = top + egui::vec2(0.0, title.size().y + 2.0);
    ui.painter().galley(top, title, visuals.strong_text_color());
    ui.painter()
        .galley(detail_top, detail, visuals.weak_text_color());
    response
}

/// The right panel: label palette, the selected tag, and the document's tags.
pub fn side_panel_ui(ui: &mut Ui, app: &mut SpantagApp) {
    egui::Panel::right("tags")
        .default_size(280.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.heading("Labels");
            ui.horizontal_wrapped(|ui| {
                for t in &app.session.project.schema().entity_types {
                    let key = t.hotkey.map(|k| format!("{k} ")).unwrap_or_default();
                    let button = egui::Button::new(
                        RichText::new(format!("{key}{}", t.name)).color(Color32::from_gray(20)),
                    )
                    .fill(rgb(t.color));
                    let hint = if t.description.is_empty() {
                        t.name.clone()
                    } else {
                        t.description.clone()
                    };
                    if ui.add(button).on_hover_text(hint).clicked() {
                        app.pending.push(Command::Tag(t.name.clone()));
                    }
                }
            });
            super::assist_ui::suggestion_controls_ui(ui, app);
            ui.separator();
            super::stance_ui::selected_tag_ui(ui, app);
            ui.separator();
            super::stance_ui::stance_list_ui(ui, app);
            ui.separator();
            super::relation_ui::selected_relation_ui(ui, app);
            super::relation_ui::relation_list_ui(ui, app);
            ui.separator();
            annotation_list_ui(ui, app);
        });
}

fn annotation_list_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let Some(doc) = app.session.document() else {
        return;
    };
    // Only the rows in view are looked up: the index is already in reading order, so a
    // document with thousands of tags costs no more per frame than one with ten.
    let ids = app.session.project.annotation_ids_of(doc.id());
    let count = ids.len();
    ui.heading(format!("Tags in this document ({count})"));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    egui::ScrollArea::vertical()
        .id_salt("annotation list")
        .auto_shrink(false)
        .show_rows(ui, row_height, count, |ui, rows| {
            let visible = ids
                .skip(rows.start)
                .take(rows.len())
                .filter_map(|id| app.session.project.annotation(id));
            for ann in visible {
                let color = match ann.kind() {
                    AnnotationKind::Entity { label, .. } => {
                        rgb(app.session.project.schema().color_of(label))
                    }
                    AnnotationKind::Stance { polarity, .. } => app
                        .session
                        .project
                        .schema()
                        .polarity(polarity)
                        .map_or(Color32::GRAY, |p| rgb(p.color)),
                };
                let text = format!(
                    "{}  {}",
                    ann.kind().display_label(),
                    short(&ann.text(doc.text()), 40)
                );
                ui.horizontal(|ui| {
                    let (rect, _) = ui.allocate_exact_size(
                        egui::vec2(8.0, row_height - 6.0),
                        egui::Sense::hover(),
                    );
                    ui.painter().rect_filled(rect, 2.0, color);
                    let selected = app.session.selected == Some(ann.id());
                    if ui
                        .add(egui::Button::selectable(selected, text).truncate())
                        .clicked()
                    {
                        app.pending.push(Command::SelectAnnotation(ann.id()));
                    }
                });
            }
        });
}
