//! The schema editor: add, rename, recolour and re-key entity labels; add, rename,
//! recolour, re-key and restrict relation types (which labels each argument takes, directed
//! or not); rename and recolour polarities; rename and remove stance targets. Every change is an undoable edit built by
//! [`crate::model::schema_edit`]; removing a label in use asks first, with the count.

use super::{Command, Dialog, SpantagApp};
use crate::model::schema_edit;
use crate::model::{EntityType, Polarity, RelationType, Rgb};
use egui::{RichText, Ui};

/// Text buffers of the schema editor.
#[derive(Debug, Default, Clone)]
pub struct SchemaBuffers {
    /// Whether the window is open.
    pub open: bool,
    new_label: String,
    names: Vec<String>,
    polarity_names: Vec<String>,
    target_names: Vec<String>,
    new_relation_type: String,
    /// Per relation type: name, labels of the first argument, of the second.
    relation_rows: Vec<[String; 3]>,
}

/// The schema editor window.
pub fn schema_editor_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.schema_buffers.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Labels and schema")
        .id(super::windows::ToolWindow::Schema.id())
        .open(&mut open)
        .default_width(560.0)
        .show(ctx, |ui| {
            entity_types_ui(ui, app);
            ui.separator();
            relation_types_ui(ui, app);
            ui.separator();
            polarities_ui(ui, app);
            ui.separator();
            targets_ui(ui, app);
        });
    app.schema_buffers.open &= open;
}

fn entity_types_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.label(RichText::new("Entity labels").strong());
    let types = app.session.project.schema().entity_types.clone();
    app.schema_buffers.names.resize(types.len(), String::new());
    egui::Grid::new("entity types")
        .striped(true)
        .show(ui, |ui| {
            ui.label("name");
            ui.label("colour");
            ui.label("key");
            ui.label("in use");
            ui.end_row();
            for (i, t) in types.iter().enumerate() {
                let buffer = &mut app.schema_buffers.names[i];
                if buffer.is_empty() {
                    *buffer = t.name.clone();
                }
                let response = ui.add_sized([120.0, 20.0], egui::TextEdit::singleline(buffer));
                let mut changed = t.clone();
                if response.lost_focus() && *buffer != t.name {
                    changed.name = buffer.trim().to_owned();
                }
                let mut color = t.color.0;
                if ui.color_edit_button_srgb(&mut color).changed() {
                    changed.color = Rgb(color);
                }
                if let Some(key) = hotkey_ui(ui, ("key", i), t.hotkey) {
                    changed.hotkey = key;
                }
                let uses = schema_edit::label_uses(&app.session.project, &t.name);
                ui.label(uses.to_string());
                if ui.small_button("Remove").clicked() {
                    if uses > 0 {
                        app.dialog = Some(Dialog::ConfirmRemoveLabel(t.name.clone(), uses));
                    } else {
                        app.send(Command::Apply(
                            schema_edit::remove_entity_type(&app.session.project, &t.name),
                            format!("remove label {}", t.name),
                        ));
                    }
                }
                ui.end_row();
                if changed != *t {
                    change(app, t, changed, i);
                }
            }
        });
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut app.schema_buffers.new_label)
                .hint_text("new label")
                .desired_width(120.0),
        );
        if ui.button("Add label").clicked() {
            let name = app.schema_buffers.new_label.trim().to_owned();
            match schema_edit::add_entity_type(&app.session.project, &name) {
                Some(edit) => {
                    app.send(Command::Apply(edit, format!("add label {name}")));
                    app.schema_buffers.new_label.clear();
                }
                None => app.status = format!("'{name}' is empty or exists already"),
            }
        }
    });
}

/// Labels as the editor shows them: comma-separated, `any` for none.
fn labels_text(labels: &[String]) -> String {
    if labels.is_empty() {
        "any".to_owned()
    } else {
        labels.join(", ")
    }
}

/// Labels typed into the editor; `any` or nothing means no restriction.
fn parse_labels(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("any"))
        .map(str::to_owned)
        .collect()
}

fn relation_types_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.label(RichText::new("Relation types").strong());
    let types = app.session.project.schema().relation_types.clone();
    if types.is_empty() {
        ui.weak("No relation types yet: add one to relate tags (R).");
    }
    app.schema_buffers
        .relation_rows
        .resize(types.len(), Default::default());
    egui::Grid::new("relation types")
        .striped(true)
        .show(ui, |ui| {
            if !types.is_empty() {
                for heading in ["name", "colour", "key", "from", "to", "directed", "in use"] {
                    ui.label(heading);
                }
                ui.end_row();
            }
            for (i, t) in types.iter().enumerate() {
                let row = &mut app.schema_buffers.relation_rows[i];
                if row[0].is_empty() {
                    *row = [
                        t.name.clone(),
                        labels_text(&t.from_labels),
                        labels_text(&t.to_labels),
                    ];
                }
                let mut changed: RelationType = t.clone();
                let name = ui.add_sized([110.0, 20.0], egui::TextEdit::singleline(&mut row[0]));
                if name.lost_focus() && row[0].trim() != t.name {
                    changed.name = row[0].trim().to_owned();
                }
                let mut color = t.color.0;
                if ui.color_edit_button_srgb(&mut color).changed() {
                    changed.color = Rgb(color);
                }
                if let Some(key) = hotkey_ui(ui, ("relation key", i), t.hotkey) {
                    changed.hotkey = key;
                }
                for (column, labels) in [(1, &mut changed.from_labels), (2, &mut changed.to_labels)]
                {
                    let field = ui.add_sized(
                        [110.0, 20.0],
                        egui::TextEdit::singleline(&mut row[column]).hint_text("any, or PER, ORG"),
                    );
                    if field.lost_focus() {
                        *labels = parse_labels(&row[column]);
                    }
                }
                ui.checkbox(&mut changed.directed, "");
                let uses = schema_edit::relation_type_uses(&app.session.project, &t.name);
                ui.label(uses.to_string());
                if ui.small_button("Remove").clicked() {
                    app.send(Command::Apply(
                        schema_edit::remove_relation_type(&app.session.project, &t.name),
                        format!("remove relation type {} ({uses} relation(s))", t.name),
                    ));
                    app.schema_buffers.relation_rows.clear();
                }
                ui.end_row();
                if changed != *t {
                    match schema_edit::change_relation_type(
                        &app.session.project,
                        &t.name,
                        changed.clone(),
                    ) {
                        Some(edit) => app.send(Command::Apply(
                            edit,
                            format!("change relation type {}", t.name),
                        )),
                        None => {
                            app.status =
                                format!("a relation type '{}' exists already", changed.name)
                        }
                    }
                    app.schema_buffers.relation_rows.clear();
                }
            }
        });
    ui.horizontal(|ui| {
        let label = ui.label("New relation type:");
        ui.add(
            egui::TextEdit::singleline(&mut app.schema_buffers.new_relation_type)
                .hint_text("Works_for")
                .desired_width(120.0),
        )
        .labelled_by(label.id);
        if ui.button("Add relation type").clicked() {
            let name = app.schema_buffers.new_relation_type.trim().to_owned();
            match schema_edit::add_relation_type(&app.session.project, &name) {
                Some(edit) => {
                    app.send(Command::Apply(edit, format!("add relation type {name}")));
                    app.schema_buffers.new_relation_type.clear();
                }
                None => app.status = format!("'{name}' is empty or exists already"),
            }
        }
    });
}

fn change(app: &mut SpantagApp, old: &EntityType, new: EntityType, row: usize) {
    let renamed = new.name != old.name;
    match schema_edit::change_entity_type(&app.session.project, &old.name, new.clone()) {
        Some(edit) => {
            let what = if renamed {
                format!("rename label {} to {}", old.name, new.name)
            } else {
                format!("change label {}", old.name)
            };
            app.send(Command::Apply(edit, what));
        }
        None => {
            app.status = format!("a label '{}' exists already", new.name);
            if let Some(b) = app.schema_buffers.names.get_mut(row) {
                *b = old.name.clone();
            }
        }
    }
    if renamed {
        app.schema_buffers.names.clear();
    }
}

fn polarities_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.label(RichText::new("Stance polarities").strong());
    let polarities = app.session.project.schema().polarities.clone();
    app.schema_buffers
        .polarity_names
        .resize(polarities.len(), String::new());
    egui::Grid::new("polarities").striped(true).show(ui, |ui| {
        for (i, p) in polarities.iter().enumerate() {
            let buffer = &mut app.schema_buffers.polarity_names[i];
            if buffer.is_empty() {
                *buffer = p.name.clone();
            }
            let response = ui.add_sized([120.0, 20.0], egui::TextEdit::singleline(buffer));
            let mut changed: Polarity = p.clone();
            if response.lost_focus() && *buffer != p.name {
                changed.name = buffer.trim().to_owned();
            }
            let mut color = p.color.0;
            if ui.color_edit_button_srgb(&mut color).changed() {
                changed.color = Rgb(color);
            }
            ui.label(p.hotkey.map_or(String::new(), |k| format!("key {k}")));
            ui.label(stances(schema_edit::stance_uses(
                &app.session.project,
                Some(&p.name),
                None,
            )));
            ui.end_row();
            if changed != *p {
                let renamed = changed.name != p.name;
                match schema_edit::change_polarity(&app.session.project, &p.name, changed) {
                    Some(edit) => {
                        app.send(Command::Apply(edit, format!("change polarity {}", p.name)))
                    }
                    None => app.status = "that polarity exists already".to_owned(),
                }
                if renamed {
                    app.schema_buffers.polarity_names.clear();
                }
            }
        }
    });
}

fn targets_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.label(RichText::new("Stance targets").strong());
    let targets: Vec<String> = app
        .session
        .project
        .schema()
        .targets
        .iter()
        .cloned()
        .collect();
    if targets.is_empty() {
        ui.weak("Targets appear here as you create stances.");
    }
    app.schema_buffers
        .target_names
        .resize(targets.len(), String::new());
    egui::Grid::new("targets").striped(true).show(ui, |ui| {
        for (i, t) in targets.iter().enumerate() {
            let buffer = &mut app.schema_buffers.target_names[i];
            if buffer.is_empty() {
                *buffer = t.clone();
            }
            let response = ui.add_sized([220.0, 20.0], egui::TextEdit::singleline(buffer));
            if response.lost_focus() && buffer.trim() != t {
                let new = buffer.trim().to_owned();
                if let Some(edit) = schema_edit::rename_target(&app.session.project, t, &new) {
                    app.send(Command::Apply(edit, format!("rename target {t}")));
                }
                app.schema_buffers.target_names.clear();
            }
            ui.label(stances(schema_edit::stance_uses(
                &app.session.project,
                None,
                Some(t),
            )));
            if ui.small_button("Remove from list").clicked() {
                app.send(Command::Apply(
                    schema_edit::remove_target(&app.session.project, t),
                    format!("remove target {t}"),
                ));
                app.schema_buffers.target_names.clear();
            }
            ui.end_row();
        }
    });
}

fn stances(n: usize) -> String {
    if n == 1 {
        "1 stance".to_owned()
    } else {
        format!("{n} stances")
    }
}

/// A key picker (1–9 or none) showing `current`; the key picked this frame, if any.
fn hotkey_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    current: Option<char>,
) -> Option<Option<char>> {
    let mut picked = None;
    egui::ComboBox::from_id_salt(id_salt)
        .width(48.0)
        .selected_text(current.map_or("–".to_owned(), |k| k.to_string()))
        .show_ui(ui, |ui| {
            for key in ('1'..='9').map(Some).chain([None]) {
                let text = key.map_or("none".to_owned(), |k| k.to_string());
                if ui.selectable_label(current == key, text).clicked() {
                    picked = Some(key);
                }
            }
        });
    picked
}
