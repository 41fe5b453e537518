//! The window's team views: the list of conflicts a merge or an adjudication recorded,
//! each settled with one click (take ours, take theirs, or keep as edited by hand), and
//! the adjudication view, which shows for every double-annotated document each
//! annotator's tags side by side with their agreement. The assignment of a split copy is
//! shown in the status bar.
//!
//! Settling a conflict builds its edit with [`crate::corpus::team::resolution_edit`] and
//! sends it as a [`Command::Apply`], so each one is one undoable step. The views only read
//! the project otherwise.

use super::{Command, SpantagApp};
use crate::corpus::agree::Agreement;
use crate::corpus::team::adjudicate::{document_agreement, made_by};
use crate::corpus::team::{self, Resolution, version_summary};
use crate::model::{Conflict, ConflictKind, DocId, Project};
use egui::Ui;

/// Which team views are open.
#[derive(Default)]
pub struct TeamState {
    /// The conflicts window is open.
    pub show_conflicts: bool,
    /// The adjudication window is open.
    pub show_adjudication: bool,
    /// The shared document the adjudication view shows.
    pub adjudicated_doc: Option<DocId>,
}

/// Entries of the View menu that open the team views.
pub fn view_menu_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.separator();
    let team = &mut app.team;
    for (label, open) in [
        ("Conflicts", &mut team.show_conflicts),
        ("Adjudication", &mut team.show_adjudication),
    ] {
        if ui.button(label).clicked() {
            *open = !*open;
            ui.close();
        }
    }
}

/// The status bar's part: the assignment, and a button to the conflicts when there are.
pub fn team_status_ui(ui: &mut Ui, app: &mut SpantagApp) {
    let project = &app.session.project;
    if let Some(a) = project.assignment() {
        ui.label(format!(
            "assigned to {} ({} documents, {} shared by {})",
            a.annotator,
            a.documents.len(),
            a.shared.len(),
            a.annotators.join(", ")
        ));
        ui.separator();
    }
    let count = project.conflicts().len();
    if count > 0 && ui.button(format!("{count} conflicts")).clicked() {
        app.team.show_conflicts = true;
    }
}

/// Draws the open team views.
pub fn team_views_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    conflicts_ui(ctx, app);
    adjudication_ui(ctx, app);
}

/// The labels of a conflict's two buttons.
fn button_labels(conflict: &Conflict) -> (&'static str, &'static str) {
    match conflict.kind {
        ConflictKind::Disagreement => ("Accept", "Reject"),
        _ => ("Take ours", "Take theirs"),
    }
}

fn conflicts_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.team.show_conflicts {
        return;
    }
    let mut open = true;
    let mut commands = Vec::new();
    let project = &app.session.project;
    egui::Window::new("Conflicts")
        .open(&mut open)
        .default_size([760.0, 480.0])
        .show(ctx, |ui| {
            let conflicts: Vec<&Conflict> = project.conflicts().iter().collect();
            if conflicts.is_empty() {
                ui.label("No conflicts: the project is merged.");
                return;
            }
            ui.label(format!(
                "{} conflicts recorded by a merge. Each choice is one step to undo; \
                 “Keep as is” settles one after editing the tags by hand.",
                conflicts.len()
            ));
            ui.separator();
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("conflict_rows")
                .auto_shrink([false, false])
                .show_rows(ui, row_height, conflicts.len(), |ui, rows| {
                    for i in rows {
                        let Some(conflict) = conflicts.get(i) else {
                            continue;
                        };
                        ui.horizontal(|ui| {
                            ui.push_id(i, |ui| {
                                conflict_row_ui(ui, project, conflict, &mut commands);
                            });
                        });
                    }
                });
        });
    if !open {
        app.team.show_conflicts = false;
    }
    for command in commands {
        app.send(command);
    }
}

/// One conflict: its buttons, then what it is about.
fn conflict_row_ui(ui: &mut Ui, project: &Project, conflict: &Conflict, out: &mut Vec<Command>) {
    let (ours_label, theirs_label) = button_labels(conflict);
    let choices = [
        (ours_label, Resolution::TakeOurs),
        (theirs_label, Resolution::TakeTheirs),
        ("Keep as is", Resolution::KeepAsEdited),
    ];
    for (label, resolution) in choices {
        if ui.small_button(label).clicked()
            && let Some(edit) = team::resolution_edit(project, conflict, resolution)
        {
            out.push(Command::Apply(
                edit,
                format!("conflict: {}", label.to_lowercase()),
            ));
        }
    }
    if ui.small_button("show").clicked()
        && let Some(id) = conflict.annotations().next()
    {
        out.push(Command::SelectAnnotation(id));
    }
    ui.label(team::describe(project, conflict));
}

fn adjudication_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.team.show_adjudication {
        return;
    }
    let mut open = true;
    let mut commands = Vec::new();
    let project = &app.session.project;
    let mut chosen = app.team.adjudicated_doc.clone();
    egui::Window::new("Adjudication")
        .open(&mut open)
        .default_size([820.0, 520.0])
        .show(ctx, |ui| {
            let Some(assignment) = project.assignment().filter(|a| !a.shared.is_empty()) else {
                ui.label(
                    "This project has no double-annotated documents. Make one with \
                     `spantag merge A.ron B.ron … -o OUT.ron --adjudicate`.",
                );
                return;
            };
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{} double-annotated documents by {}.",
                    assignment.shared.len(),
                    assignment.annotators.join(", ")
                ));
                if ui.button("Save adjudicated project as…").clicked() {
                    commands.push(Command::SaveAs);
                }
            });
            let current = chosen
                .clone()
                .filter(|d| assignment.shared.contains(d))
                .or_else(|| assignment.shared.first().cloned());
            egui::ComboBox::from_label("Document")
                .selected_text(current.as_ref().map_or("", |d| d.as_str()))
                .show_ui(ui, |ui| {
                    for doc in &assignment.shared {
                        let open_disagreements =
                            project.conflicts().iter().filter(|c| &c.doc == doc).count();
                        let label = format!("{doc} ({open_disagreements} open)");
                        if ui
                            .selectable_label(current.as_ref() == Some(doc), label)
                            .clicked()
                        {
                            chosen = Some(doc.clone());
                        }
                    }
                });
            let Some(doc) = current else { return };
            agreement_lines_ui(ui, project, &doc, &assignment.annotators);
            ui.separator();
            egui::ScrollArea::both()
                .id_salt("adjudication_columns")
                .show(ui, |ui| {
                    ui.columns(assignment.annotators.len().max(1), |columns| {
                        for (column, who) in columns.iter_mut().zip(&assignment.annotators) {
                            column.strong(who);
                            for ann in made_by(project, &doc, who) {
                                let line = version_summary(project, Some(ann.id()));
                                if column.small_button(line).clicked() {
                                    commands.push(Command::SelectAnnotation(ann.id()));
                                }
                            }
                        }
                    });
                });
        });
    app.team.adjudicated_doc = chosen;
    if !open {
        app.team.show_adjudication = false;
    }
    for command in commands {
        app.send(command);
    }
}

/// Pairwise agreement on one document: exact-span F1 and Cohen's κ over tokens.
fn agreement_lines_ui(ui: &mut Ui, project: &Project, doc: &DocId, annotators: &[String]) {
    for (i, a) in annotators.iter().enumerate() {
        for b in annotators.iter().skip(i + 1) {
            let line = match document_agreement(project, doc, a, b) {
                Some(agreement) => agreement_line(a, b, &agreement),
                None => format!("{a} vs {b}: not comparable"),
            };
            ui.label(line);
        }
    }
}

/// `a vs b: F1 0.83 (exact spans), κ 0.71 (tokens)`.
pub fn agreement_line(a: &str, b: &str, agreement: &Agreement) -> String {
    let num = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| format!("{x:.2}"));
    format!(
        "{a} vs {b}: F1 {} (exact spans), κ {} (tokens)",
        num(agreement.entities.exact.overall.f1),
        num(agreement.tokens.kappa)
    )
}
