//! Relations in the window: the relation editor (from the selected tag, press `R` or drag
//! from its chip; click or Tab to the other end; pick the type by typing or by its key —
//! only types whose argument labels fit are offered), the selected relation's editor
//! (retype, delete) and the document's relation list.

use super::{Command, SpantagApp, rgb, short};
use crate::model::{Annotation, AnnotationId, Project};
use egui::{Key, RichText, Ui};
use std::sync::Arc;

/// A relation being created: its first end, the candidate second end and what the user
/// typed to filter the types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationEditor {
    /// The first argument.
    pub from: AnnotationId,
    /// The second argument, once clicked or reached with Tab.
    pub to: Option<AnnotationId>,
    /// Type-ahead over the fitting types' names.
    pub query: String,
    /// Which of the matching types Enter takes.
    pub highlighted: usize,
}

impl RelationEditor {
    /// An editor linking `from` to a second end still to be chosen.
    pub fn new(from: AnnotationId) -> Self {
        Self {
            from,
            to: None,
            query: String::new(),
            highlighted: 0,
        }
    }
}

/// The annotation after (or before) `current` in the document of `from`, in reading order
/// and wrapping around, never `from` itself: what Tab reaches as the second end.
pub fn next_end(
    project: &Project,
    from: AnnotationId,
    current: Option<AnnotationId>,
    forward: bool,
) -> Option<AnnotationId> {
    let doc = project.document_of(from)?.id();
    let ids: Vec<AnnotationId> = project
        .annotation_ids_of(doc)
        .filter(|id| *id != from)
        .collect();
    if ids.is_empty() {
        return None;
    }
    let anchor = current.unwrap_or(from);
    let all: Vec<AnnotationId> = project.annotation_ids_of(doc).collect();
    let at = all.iter().position(|id| *id == anchor)?;
    let step = |i: usize| {
        if forward {
            (i + 1) % all.len()
        } else {
            (i + all.len() - 1) % all.len()
        }
    };
    let mut i = step(at);
    while all.get(i) == Some(&from) {
        i = step(i);
    }
    all.get(i).copied()
}

/// The type names among `types` that match what was typed (case-insensitive; names that
/// start with it first).
pub fn matching_types<'a>(types: &'a [String], query: &str) -> Vec<&'a String> {
    let query = query.to_lowercase();
    let (mut starts, mut contains): (Vec<&String>, Vec<&String>) = types
        .iter()
        .filter(|t| t.to_lowercase().contains(&query))
        .partition(|t| t.to_lowercase().starts_with(&query));
    starts.append(&mut contains);
    starts
}

fn describe(project: &Project, id: AnnotationId) -> String {
    let Some((doc, ann)) = project.annotation_in_document(id) else {
        return format!("{id}");
    };
    let text = short(&ann.text(doc.text()), 40);
    format!("“{text}” ({})", ann.kind().display_label())
}

fn key_for(c: char) -> Option<Key> {
    Key::from_name(&c.to_ascii_uppercase().to_string())
}

/// Draws the relation editor while one is open; the keys it handles are consumed.
pub fn relation_editor_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let Some(mut editor) = app.relation_editor.take() else {
        return;
    };
    let mut keep_open = true;
    let project = app.session.project.clone();
    egui::Window::new("New relation")
        .collapsible(false)
        .resizable(false)
        .default_pos([420.0, 120.0])
        .show(ctx, |ui| {
            if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape)) {
                keep_open = false;
                return;
            }
            let (tab, back_tab) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, Key::Tab),
                    i.consume_key(egui::Modifiers::SHIFT, Key::Tab),
                )
            });
            if tab || back_tab {
                editor.to = next_end(&project, editor.from, editor.to, tab);
                editor.highlighted = 0;
                if let Some(at) = editor
                    .to
                    .and_then(|id| project.annotation(id))
                    .and_then(|a| a.anchor().covering())
                {
                    app.view.scroll_to = Some(at.start());
                }
            }
            ui.label(format!("From {}", describe(&project, editor.from)));
            let Some(to) = editor.to else {
                ui.label("Click the other tag, or press Tab / Shift+Tab to reach it.");
                ui.weak("Esc cancels.");
                return;
            };
            ui.label(format!("to {}", describe(&project, to)));
            let fitting = app.session.relation_types_for(editor.from, to);
            if fitting.is_empty() {
                ui.label(
                    "No relation type fits these two labels. Add one in Edit ▸ Labels and schema.",
                );
                return;
            }
            // Type-ahead: letters typed go to the filter; a type's own key picks it.
            let mut picked: Option<String> = None;
            for t in &fitting {
                let key = project.schema().relation_type(t).and_then(|t| t.hotkey);
                if editor.query.is_empty()
                    && key
                        .and_then(key_for)
                        .is_some_and(|k| ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, k)))
                {
                    picked = Some(t.clone());
                }
            }
            let typed: String = ui.input(|i| {
                i.events
                    .iter()
                    .filter_map(|e| match e {
                        egui::Event::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect()
            });
            if picked.is_none() && !typed.is_empty() {
                editor.query.push_str(&typed);
                editor.highlighted = 0;
            }
            if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Backspace)) {
                editor.query.pop();
                editor.highlighted = 0;
            }
            let matches = matching_types(&fitting, &editor.query);
            let (down, up, enter) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
                    i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
                    i.consume_key(egui::Modifiers::NONE, Key::Enter),
                )
            });
            if down {
                editor.highlighted = (editor.highlighted + 1).min(matches.len().saturating_sub(1));
            }
            if up {
                editor.highlighted = editor.highlighted.saturating_sub(1);
            }
            ui.horizontal(|ui| {
                ui.label("Type:");
                if editor.query.is_empty() {
                    ui.weak("type to filter, or press a type's key");
                } else {
                    ui.monospace(&editor.query);
                }
            });
            for (i, name) in matches.iter().enumerate() {
                let relation_type = project.schema().relation_type(name);
                let key = relation_type
                    .and_then(|t| t.hotkey)
                    .map(|k| format!("{k} "))
                    .unwrap_or_default();
                let color = relation_type.map_or(egui::Color32::GRAY, |t| rgb(t.color));
                let text = RichText::new(format!("{key}{name}")).color(color);
                if ui
                    .add(egui::Button::selectable(editor.highlighted == i, text))
                    .clicked()
                {
                    picked = Some((*name).clone());
                }
            }
            if matches.is_empty() {
                ui.weak("No type matches what you typed (Backspace).");
            }
            if enter && let Some(name) = matches.get(editor.highlighted) {
                picked = Some((*name).clone());
            }
            if let Some(label) = picked {
                app.send(Command::CreateRelation {
                    from: editor.from,
                    to,
                    label,
                });
                keep_open = false;
            }
        });
    if keep_open {
        app.relation_editor = Some(editor);
    }
}

/// The selected relation in the side panel: its ends, its type (a click retypes it to
/// another type that fits) and a delete button.
pub fn selected_relation_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let Some(relation) = app
        .session
        .selected_relation
        .and_then(|id| app.session.project.relations().get(&id))
        .cloned()
    else {
        return;
    };
    let project = app.session.project.clone();
    ui.heading("Selected relation");
    ui.label(format!("from {}", describe(&project, relation.from)));
    ui.label(format!("to {}", describe(&project, relation.to)));
    ui.horizontal_wrapped(|ui| {
        ui.label("Type:");
        let mut types = app.session.relation_types_for(relation.from, relation.to);
        if !types.contains(&relation.label) {
            types.insert(0, relation.label.clone());
        }
        for name in types {
            let color = rgb(project.schema().relation_color_of(&name));
            let button =
                egui::Button::selectable(name == relation.label, RichText::new(&name).color(color));
            if ui.add(button).clicked() && name != relation.label {
                app.send(Command::RetypeRelation(relation.id, name.clone()));
            }
        }
    });
    if ui.button("Delete relation").clicked() {
        app.send(Command::DeleteSelected);
    }
    ui.separator();
}

/// The relation list's order and what it was found for (project revision, document).
type ListOrder = ((u64, usize), Arc<Vec<AnnotationId>>);

/// The current document's relations, one row each (click: select it and scroll to it).
pub fn relation_list_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let project = app.session.project.clone();
    let Some(doc) = project.documents().get(app.session.current) else {
        return;
    };
    // The document's relations in reading order, found once per edit (the list is drawn
    // every frame; finding and ordering 2,000 relations each time costs a frame budget).
    let key = (app.session.revision(), app.session.current);
    let cache_id = egui::Id::unique("relation list order");
    let cached: Option<ListOrder> = ui.data(|d| d.get_temp(cache_id));
    let ids = match cached {
        Some((found_for, ids)) if found_for == key => ids,
        _ => {
            let ids: Arc<Vec<AnnotationId>> = Arc::new(
                project
                    .relations_in(doc.id())
                    .iter()
                    .map(|r| r.id)
                    .collect(),
            );
            ui.data_mut(|d| d.insert_temp(cache_id, (key, Arc::clone(&ids))));
            ids
        }
    };
    egui::CollapsingHeader::new(format!("Relations in this document ({})", ids.len()))
        .id_salt("relation list")
        .default_open(true)
        .show(ui, |ui| {
            let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
            egui::ScrollArea::vertical()
                .id_salt("relation rows")
                .max_height(160.0)
                .show_rows(ui, row_height, ids.len(), |ui, rows| {
                    let shown = ids.get(rows).unwrap_or_default();
                    for relation in shown.iter().filter_map(|id| project.relations().get(id)) {
                        let end = |id| {
                            project
                                .annotation(id)
                                .map(|a: &Annotation| short(&a.text(doc.text()), 18))
                                .unwrap_or_default()
                        };
                        let text = format!(
                            "{} -{}-> {}",
                            end(relation.from),
                            relation.label,
                            end(relation.to)
                        );
                        let selected = app.session.selected_relation == Some(relation.id);
                        let color = rgb(project.schema().relation_color_of(&relation.label));
                        let button =
                            egui::Button::selectable(selected, RichText::new(text).color(color))
                                .truncate();
                        if ui.add(button).clicked() {
                            app.send(Command::SelectRelation(relation.id));
                        }
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ahead_puts_names_that_start_with_the_query_first() {
        let types: Vec<String> = ["Works_for", "Located_in", "Owner_of", "Part_of"]
            .map(String::from)
            .to_vec();
        let cases: [(&str, &[&str]); 4] = [
            ("", &["Works_for", "Located_in", "Owner_of", "Part_of"]),
            ("o", &["Owner_of", "Works_for", "Located_in", "Part_of"]),
            ("PART", &["Part_of"]),
            ("xyz", &[]),
        ];
        for (query, want) in cases {
            assert_eq!(matching_types(&types, query), want, "{query:?}");
        }
    }
}
