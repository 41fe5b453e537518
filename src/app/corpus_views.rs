//! Corpus-wide views, each a window opened from the View menu: statistics with charts and
//! a copyable table, the entity index (mentions in context, click to jump), agreement
//! between this project (A) and another annotator's (B), and merging B into this project.
//!
//! The views only read the project, except the merge view, whose choices are edits applied
//! through [`super::session::Session::apply`] so each one is undoable. Which version a
//! difference shows is read back from the project every time it changes, so undo and redo
//! need no bookkeeping here. Derived data (statistics, index, agreement, merge sides) is
//! cached per project state, so an idle frame costs nothing on a large corpus.

use super::charts::{self, ChartBar, bars_ui};
use super::{Command, SpantagApp};
use crate::corpus::agree::{self, Agreement, Prf};
use crate::corpus::merge::{self, DiffKind, Difference, Side};
use crate::corpus::stats::{self, IndexEntry, MonthStats, Stats};
use crate::model::{AnnotationId, Project};
use egui::{RichText, Ui};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What identifies a state of the open project, for caches: the history state, the file
/// and the sizes (a newly opened project restarts the history at state 0).
#[derive(Clone, Debug, PartialEq, Eq)]
struct ProjectKey {
    state: u64,
    path: Option<PathBuf>,
    documents: usize,
    annotations: usize,
}

impl ProjectKey {
    fn of(app: &SpantagApp) -> Self {
        let project = &app.session.project;
        Self {
            state: app.session.history.state_id(),
            path: app.session.path.clone(),
            documents: project.documents().len(),
            annotations: project.annotations().len(),
        }
    }
}

/// Statistics, months and the entity index of one project state.
struct Derived {
    key: ProjectKey,
    stats: Stats,
    months: BTreeMap<String, MonthStats>,
    index: Vec<IndexEntry>,
}

/// The second annotator's project as loaded for the agreement view.
struct AgreementView {
    path: PathBuf,
    /// `None` when B could not be read (`result` says why).
    b: Option<Project>,
    key: Option<ProjectKey>,
    result: Result<Agreement, String>,
}

/// The merge in progress: B, the differences between A (as it was when B was opened) and
/// B, and which side the project shows for each.
struct MergeView {
    path: PathBuf,
    differences: Vec<Difference>,
    key: Option<ProjectKey>,
    sides: Vec<Option<Side>>,
}

/// Which corpus views are open, and their state.
#[derive(Default)]
pub struct ViewsState {
    /// The statistics window is open.
    pub show_stats: bool,
    /// The entity index window is open.
    pub show_index: bool,
    /// The agreement window is open.
    pub show_agreement: bool,
    /// The merge window is open.
    pub show_merge: bool,
    /// Filter typed above the entity index.
    pub index_filter: String,
    /// The index entry whose mentions are listed.
    pub index_selected: Option<String>,
    /// Path typed (or picked) for B in the agreement window.
    pub agree_path: String,
    /// Path typed (or picked) for B in the merge window.
    pub merge_path: String,
    /// Why B could not be opened for merging.
    pub merge_error: Option<String>,
    derived: Option<Derived>,
    agreement: Option<AgreementView>,
    merge: Option<MergeView>,
}

impl ViewsState {
    /// The differences of the merge in progress, with the side the project shows for
    /// each (as of the last frame).
    pub fn merge_differences(&self) -> Option<(&[Difference], &[Option<Side>])> {
        self.merge
            .as_ref()
            .map(|m| (m.differences.as_slice(), m.sides.as_slice()))
    }

    /// The last agreement computed, or why it failed.
    pub fn agreement(&self) -> Option<&Result<Agreement, String>> {
        self.agreement.as_ref().map(|a| &a.result)
    }
}

/// Entries of the View menu that open the corpus views.
pub fn view_menu_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.separator();
    let views = &mut app.views;
    for (label, open) in [
        ("Statistics", &mut views.show_stats),
        ("Entity index", &mut views.show_index),
        ("Agreement…", &mut views.show_agreement),
        ("Merge…", &mut views.show_merge),
    ] {
        if ui.button(label).clicked() {
            *open = !*open;
            ui.close();
        }
    }
}

/// Draws the open corpus views (windows).
pub fn corpus_views_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let views = &app.views;
    if !(views.show_stats || views.show_index || views.show_agreement || views.show_merge) {
        return;
    }
    refresh(app);
    statistics_ui(ctx, app);
    entity_index_ui(ctx, app);
    agreement_ui(ctx, app);
    merge_ui(ctx, app);
}

/// Recomputes what the open views show when the project changed.
fn refresh(app: &mut SpantagApp) {
    let key = ProjectKey::of(app);
    let project = &app.session.project;
    let views = &mut app.views;
    if (views.show_stats || views.show_index) && views.derived.as_ref().is_none_or(|d| d.key != key)
    {
        views.derived = Some(Derived {
            key: key.clone(),
            stats: stats::compute(project),
            months: stats::per_month(project),
            index: stats::entity_index(project),
        });
    }
    // Agreement is computed when B is picked (or Compare clicked again), not on every
    // edit: on a large corpus it tokenises every document.
    if views.show_agreement
        && let Some(view) = &mut views.agreement
        && let Some(b) = &view.b
        && view.key.is_none()
    {
        view.result = agree::compare(project, b).map_err(|e| e.to_string());
        view.key = Some(key.clone());
    }
    if views.show_merge
        && let Some(view) = &mut views.merge
        && view.key.as_ref() != Some(&key)
    {
        view.sides = view
            .differences
            .iter()
            .map(|d| merge::side_of(project, d))
            .collect();
        view.key = Some(key);
    }
}

/// At most this many documents get a bar in the per-document chart.
const MAX_DOCUMENT_BARS: usize = 60;

fn statistics_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let mut open = app.views.show_stats;
    let Some(derived) = &app.views.derived else {
        return;
    };
    let (stats, months) = (&derived.stats, &derived.months);
    let mut copy = None;
    egui::Window::new("Corpus statistics")
        .id(super::windows::ToolWindow::Statistics.id())
        .open(&mut open)
        .default_size([640.0, 620.0])
        .vscroll(true)
        .show(ctx, |ui| {
            let count = |s: &str| stats.per_status.get(s).copied().unwrap_or(0);
            let (done, progress, not_started) =
                (count("done"), count("in progress"), count("not started"));
            ui.label(format!(
                "{} documents, {} tags ({} entities, {} stances)",
                stats.documents, stats.annotations, stats.entities, stats.stances
            ));
            let fraction = if stats.documents == 0 {
                0.0
            } else {
                done as f32 / stats.documents as f32
            };
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "{done} done, {progress} in progress, {not_started} not started"
            )));
            ui.horizontal(|ui| {
                if ui.button("Copy table").clicked() {
                    copy = Some(stats::to_tsv(stats, months));
                }
                ui.weak("tab-separated, for a spreadsheet");
            });

            egui::CollapsingHeader::new("Charts")
                .default_open(true)
                .show(ui, |ui| {
                    ui.label(RichText::new("Tags per label").strong());
                    let labels = charts::label_bars(stats, app.session.project.schema());
                    bars_ui(ui, "stats_per_label", "tags", &labels);
                    if !stats.stance.per_target.is_empty() {
                        ui.label(RichText::new("Stances per target, by polarity").strong());
                        let stacks = charts::polarity_stacks(stats, app.session.project.schema());
                        charts::polarity_chart_ui(ui, "stats_polarity", &stacks);
                    }
                    ui.label(RichText::new("Tags per month").strong());
                    let per_month: Vec<ChartBar> = months
                        .iter()
                        .map(|(k, m)| ChartBar::plain(k.clone(), m.annotations as f64))
                        .collect();
                    bars_ui(ui, "stats_per_month", "tags", &per_month);
                    let mut per_doc: Vec<(String, f64)> = stats
                        .per_document
                        .iter()
                        .map(|(k, d)| (k.clone(), d.annotations as f64))
                        .collect();
                    if per_doc.len() > MAX_DOCUMENT_BARS {
                        // Hundreds of bars are unreadable: the most tagged, the rest in
                        // the table.
                        per_doc.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                        per_doc.truncate(MAX_DOCUMENT_BARS);
                        ui.label(
                            RichText::new(format!(
                                "Tags per document ({MAX_DOCUMENT_BARS} most tagged)"
                            ))
                            .strong(),
                        );
                    } else {
                        ui.label(RichText::new("Tags per document").strong());
                    }
                    let per_doc: Vec<ChartBar> = per_doc
                        .into_iter()
                        .map(|(name, n)| ChartBar::plain(name, n))
                        .collect();
                    bars_ui(ui, "stats_per_document", "tags", &per_doc);
                    ui.label(RichText::new("Progress").strong());
                    let status: Vec<ChartBar> = [
                        ("not started", not_started),
                        ("in progress", progress),
                        ("done", done),
                    ]
                    .into_iter()
                    .map(|(k, v)| ChartBar::plain(k, v as f64))
                    .collect();
                    bars_ui(ui, "stats_progress", "documents", &status);
                });

            egui::CollapsingHeader::new("Table")
                .default_open(true)
                .show(ui, |ui| table_ui(ui, stats, months));
        });
    if let Some(text) = copy {
        ctx.copy_text(text);
        app.status = "copied the statistics table".to_owned();
    }
    app.views.show_stats = open;
}

fn table_ui(ui: &mut Ui, stats: &Stats, months: &BTreeMap<String, MonthStats>) {
    egui::Grid::new("stats_labels")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("label");
            ui.strong("tags");
            ui.end_row();
            for (label, n) in &stats.per_label {
                ui.label(label);
                ui.label(n.to_string());
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    egui::Grid::new("stats_status")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("status");
            ui.strong("documents");
            ui.end_row();
            for (status, n) in &stats.per_status {
                ui.label(status);
                ui.label(n.to_string());
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    egui::Grid::new("stats_months")
        .striped(true)
        .show(ui, |ui| {
            for h in ["month", "documents", "tags", "entities", "stances", "done"] {
                ui.strong(h);
            }
            ui.end_row();
            for (month, m) in months {
                ui.label(month);
                for n in [m.documents, m.annotations, m.entities, m.stances, m.done] {
                    ui.label(n.to_string());
                }
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    // Collapsed at first: a large corpus has thousands of rows.
    egui::CollapsingHeader::new(format!("Per document ({})", stats.per_document.len()))
        .id_salt("stats_documents_header")
        .show(ui, |ui| {
            egui::Grid::new("stats_documents")
                .striped(true)
                .show(ui, |ui| {
                    for h in ["document", "date", "status", "tags", "stances"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (id, d) in &stats.per_document {
                        ui.label(id).on_hover_text(&d.title);
                        ui.label(d.date.as_deref().unwrap_or(""));
                        ui.label(&d.status);
                        ui.label(d.annotations.to_string());
                        ui.label(d.stances.to_string());
                        ui.end_row();
                    }
                });
        });
}

/// The line an entity index shows for one mention: the document id and the mention in
/// its context (`…before [mention] after…`).
pub fn mention_line(project: &Project, id: AnnotationId) -> Option<String> {
    let (doc, ann) = project.annotation_in_document(id)?;
    let context = stats::mention_context(project, ann, 40)?;
    Some(format!(
        "{}: {}[{}]{}",
        doc.id(),
        context.before,
        context.mention,
        context.after
    ))
}

/// The text of an entity index entry.
pub fn index_entry_line(entry: &IndexEntry) -> String {
    let labels: Vec<&str> = entry.labels.iter().map(String::as_str).collect();
    format!(
        "{} — {} mention{} in {} document{} · {}",
        entry.name,
        entry.mentions.len(),
        if entry.mentions.len() == 1 { "" } else { "s" },
        entry.documents.len(),
        if entry.documents.len() == 1 { "" } else { "s" },
        labels.join(", ")
    )
}

fn entity_index_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let mut open = app.views.show_index;
    let Some(derived) = &app.views.derived else {
        return;
    };
    let project = &app.session.project;
    let mut filter = app.views.index_filter.clone();
    let mut selected = app.views.index_selected.clone();
    let mut jump = None;
    egui::Window::new("Entities")
        .id(super::windows::ToolWindow::EntityIndex.id())
        .open(&mut open)
        .default_size([560.0, 560.0])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label("Filter:");
                ui.text_edit_singleline(&mut filter);
            });
            let needle = filter.trim().to_lowercase();
            let shown: Vec<&IndexEntry> = derived
                .index
                .iter()
                .filter(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle))
                .collect();
            ui.weak(format!(
                "{} of {} entities (canonical names, else mention text)",
                shown.len(),
                derived.index.len()
            ));
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("index_entries")
                .max_height(240.0)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, shown.len(), |ui, rows| {
                    for entry in shown.get(rows).unwrap_or_default() {
                        let is = selected.as_deref() == Some(entry.name.as_str());
                        let text = index_entry_line(entry);
                        let text = if entry.canonical {
                            RichText::new(text).strong()
                        } else {
                            RichText::new(text)
                        };
                        if ui.selectable_label(is, text).clicked() {
                            selected = Some(entry.name.clone());
                        }
                    }
                });
            ui.separator();
            let entry = selected
                .as_deref()
                .and_then(|name| derived.index.iter().find(|e| e.name == name));
            if let Some(entry) = entry {
                ui.label(RichText::new(format!("Mentions of {}", entry.name)).strong());
                egui::ScrollArea::vertical()
                    .id_salt("index_mentions")
                    .max_height(280.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        for &id in &entry.mentions {
                            if let Some(line) = mention_line(project, id)
                                && ui.link(line).clicked()
                            {
                                jump = Some(id);
                            }
                        }
                    });
            } else {
                ui.weak("Click an entity to list its mentions; click a mention to go to it.");
            }
        });
    app.views.index_filter = filter;
    app.views.index_selected = selected;
    app.views.show_index = open;
    if let Some(id) = jump {
        app.send(Command::SelectAnnotation(id));
    }
}

/// A path field with a Browse… button (rfd) for B; returns whether the action button
/// was clicked.
fn pick_b_ui(ui: &mut Ui, path: &mut String, action: &str) -> bool {
    let mut go = false;
    ui.horizontal(|ui| {
        ui.label("B:");
        let field = ui.add(
            egui::TextEdit::singleline(path)
                .hint_text("the other annotator's project (.ron)")
                .desired_width(300.0),
        );
        go |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Browse…").clicked()
            && let Some(picked) = rfd::FileDialog::new()
                .set_directory(super::saves_dir())
                .add_filter("spantag project", &["ron"])
                .pick_file()
        {
            *path = picked.display().to_string();
            go = true;
        }
        go |= ui.button(action).clicked();
    });
    go
}

/// The open project's file name, for the windows' first line.
fn project_name(app: &SpantagApp) -> String {
    app.session
        .path
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or_else(
            || "this project, not saved yet".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
}

fn load_b(path: &str) -> Result<(PathBuf, Project), String> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err("choose the other annotator's project first".to_owned());
    }
    let project = crate::io::project_file::load(&path).map_err(|e| e.to_string())?;
    Ok((path, project))
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn prf_cells(ui: &mut Ui, p: &Prf) {
    ui.label(format!("{} / {} / {}", p.in_a, p.in_b, p.matched));
    ui.label(num(p.precision));
    ui.label(num(p.recall));
    ui.label(num(p.f1));
}

fn agreement_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.views.show_agreement {
        return;
    }
    let mut open = true;
    let mut path = app.views.agree_path.clone();
    let mut compare = false;
    let mut copy = None;
    egui::Window::new("Agreement")
        .id(super::windows::ToolWindow::Agreement.id())
        .open(&mut open)
        .default_size([620.0, 560.0])
        .vscroll(true)
        .show(ctx, |ui| {
            ui.label(format!(
                "A: {} (the reference for precision and recall)",
                project_name(app)
            ));
            compare = pick_b_ui(ui, &mut path, "Compare");
            let Some(view) = &app.views.agreement else {
                ui.weak("Pick B, then Compare.");
                return;
            };
            ui.label(format!("B: {}", view.path.display()));
            if view.b.is_some() && view.key.as_ref() != Some(&ProjectKey::of(app)) {
                ui.weak("This project changed since: click Compare to update.");
            }
            match &view.result {
                Err(message) => {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                }
                Ok(agreement) => {
                    if ui.button("Copy report").clicked() {
                        copy = Some(agree::to_text(agreement));
                    }
                    agreement_tables_ui(ui, agreement);
                }
            }
        });
    app.views.agree_path = path;
    app.views.show_agreement = open;
    if let Some(text) = copy {
        ctx.copy_text(text);
        app.status = "copied the agreement report".to_owned();
    }
    if compare {
        app.views.agreement = Some(match load_b(&app.views.agree_path) {
            Ok((path, b)) => AgreementView {
                path,
                b: Some(b),
                key: None,
                result: Err("not compared yet".to_owned()),
            },
            Err(message) => AgreementView {
                path: PathBuf::from(app.views.agree_path.trim()),
                b: None,
                key: None,
                result: Err(message),
            },
        });
    }
}

fn agreement_tables_ui(ui: &mut Ui, agreement: &Agreement) {
    ui.label(format!("{} documents compared", agreement.documents));
    let t = &agreement.tokens;
    egui::Grid::new("agree_tokens")
        .striped(true)
        .show(ui, |ui| {
            ui.label("Cohen's κ (tokens)");
            ui.label(num(t.kappa));
            ui.end_row();
            ui.label("Krippendorff's α (tokens, nominal)");
            ui.label(num(t.alpha));
            ui.end_row();
            ui.label("observed / chance agreement");
            ui.label(format!(
                "{} / {} over {} tokens",
                num(t.observed),
                num(t.expected),
                t.tokens
            ));
            ui.end_row();
        });
    for (title, id, scores) in [
        (
            "Entity spans, exact match",
            "agree_exact",
            &agreement.entities.exact,
        ),
        (
            "Entity spans, overlap match",
            "agree_overlap",
            &agreement.entities.overlap,
        ),
    ] {
        ui.add_space(6.0);
        ui.label(RichText::new(title).strong());
        egui::Grid::new(id).striped(true).show(ui, |ui| {
            for h in ["label", "A / B / matched", "precision", "recall", "F1"] {
                ui.strong(h);
            }
            ui.end_row();
            for (label, p) in &scores.per_label {
                ui.label(label);
                prf_cells(ui, p);
                ui.end_row();
            }
            ui.strong("all labels");
            prf_cells(ui, &scores.overall);
            ui.end_row();
            ui.label("macro F1");
            ui.label(num(scores.macro_f1));
            ui.end_row();
        });
    }
    let s = &agreement.stances;
    ui.add_space(6.0);
    ui.label(RichText::new("Stances").strong());
    ui.label(format!(
        "{} in A, {} in B; {} claims tagged by both ({} with the same spans); claims F1 {}",
        s.claims.in_a,
        s.claims.in_b,
        s.claims.matched,
        s.exact_claims,
        num(s.claims.f1)
    ));
    ui.label(format!(
        "same polarity: {} of {} ({}), κ {}",
        s.same_polarity,
        s.claims.matched,
        num(s.polarity_agreement),
        num(s.polarity_kappa)
    ));
}

/// What a click in the merge window asks for.
enum MergeAction {
    Open,
    Take(usize, Side),
    TakeAll(Side),
    Show(usize),
    SaveAs,
    Close,
}

fn merge_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    if !app.views.show_merge {
        return;
    }
    let mut open = true;
    let mut path = app.views.merge_path.clone();
    let mut actions = Vec::new();
    let project = &app.session.project;
    egui::Window::new("Merge")
        .id(super::windows::ToolWindow::Merge.id())
        .open(&mut open)
        .default_size([760.0, 560.0])
        .show(ctx, |ui| {
            ui.label(format!(
                "The result is built in this project (A: {}); each choice can be undone.",
                project_name(app)
            ));
            if pick_b_ui(ui, &mut path, "Open B") {
                actions.push(MergeAction::Open);
            }
            if let Some(message) = &app.views.merge_error {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            let Some(view) = &app.views.merge else {
                ui.weak("Open B to see where it differs from this project.");
                return;
            };
            let count = |k: DiffKind| view.differences.iter().filter(|d| d.kind() == k).count();
            let on_b = view.sides.iter().filter(|s| **s == Some(Side::B)).count();
            ui.label(format!(
                "B: {} — {} differences: {} only in A, {} only in B, {} same span with another label; {} now as in B",
                view.path.display(),
                view.differences.len(),
                count(DiffKind::OnlyA),
                count(DiffKind::OnlyB),
                count(DiffKind::Changed),
                on_b
            ));
            ui.horizontal(|ui| {
                if ui.button("Take all from A").clicked() {
                    actions.push(MergeAction::TakeAll(Side::A));
                }
                if ui.button("Take all from B").clicked() {
                    actions.push(MergeAction::TakeAll(Side::B));
                }
                if ui.button("Save merged project as…").clicked() {
                    actions.push(MergeAction::SaveAs);
                }
                if ui.button("Close merge").clicked() {
                    actions.push(MergeAction::Close);
                }
            });
            ui.separator();
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("merge_rows")
                .auto_shrink([false, false])
                .show_rows(ui, row_height, view.differences.len(), |ui, rows| {
                    for i in rows {
                        let (Some(d), Some(side)) = (view.differences.get(i), view.sides.get(i))
                        else {
                            continue;
                        };
                        ui.horizontal(|ui| {
                            ui.push_id(i, |ui| {
                                if ui.selectable_label(*side == Some(Side::A), "A").clicked() {
                                    actions.push(MergeAction::Take(i, Side::A));
                                }
                                if ui.selectable_label(*side == Some(Side::B), "B").clicked() {
                                    actions.push(MergeAction::Take(i, Side::B));
                                }
                                if ui.small_button("show").clicked() {
                                    actions.push(MergeAction::Show(i));
                                }
                            });
                            ui.label(difference_line(project, d));
                        });
                    }
                });
        });
    app.views.merge_path = path;
    if !open {
        app.views.show_merge = false;
    }
    for action in actions {
        merge_action(app, action);
    }
}

/// The text of one merge row: document, kind and both versions.
pub fn difference_line(project: &Project, d: &Difference) -> String {
    let version = |side| {
        d.version(side)
            .map_or_else(|| "—".to_owned(), |v| merge::summary(project, v))
    };
    let kind = match d.kind() {
        DiffKind::OnlyA => "only in A",
        DiffKind::OnlyB => "only in B",
        DiffKind::Changed => "other label",
    };
    format!(
        "{} · {kind}: A {} | B {}",
        d.doc,
        version(Side::A),
        version(Side::B)
    )
}

fn merge_action(app: &mut SpantagApp, action: MergeAction) {
    let result: Result<(), String> = match action {
        MergeAction::Open => load_b(&app.views.merge_path).and_then(|(path, b)| {
            let differences = merge::diff(&app.session.project, &b).map_err(|e| e.to_string())?;
            app.status = format!("{} differences with {}", differences.len(), path.display());
            app.views.merge = Some(MergeView {
                path,
                differences,
                key: None,
                sides: Vec::new(),
            });
            Ok(())
        }),
        MergeAction::Take(i, side) => {
            let Some(d) = app.views.merge.as_ref().and_then(|m| m.differences.get(i)) else {
                return;
            };
            let d = d.clone();
            match merge::take_edit(app.session.project_mut(), &d, side) {
                Some(edit) => {
                    app.suggestions.invalidate();
                    app.session
                        .apply(edit, &format!("merge: take {side:?}"))
                        .map_err(|e| e.to_string())
                }
                None => Ok(()),
            }
        }
        MergeAction::TakeAll(side) => {
            let Some(view) = &app.views.merge else { return };
            match merge::take_all_edit(&app.session.project, &view.differences, side) {
                Some(edit) => {
                    app.suggestions.invalidate();
                    app.session
                        .apply(edit, &format!("merge: take all from {side:?}"))
                        .map_err(|e| e.to_string())
                }
                None => Ok(()),
            }
        }
        MergeAction::Show(i) => {
            let id = app
                .views
                .merge
                .as_ref()
                .and_then(|m| m.differences.get(i))
                .and_then(|d| merge::annotation_in(&app.session.project, d));
            if let Some(id) = id {
                app.send(Command::SelectAnnotation(id));
            }
            Ok(())
        }
        MergeAction::SaveAs => {
            app.send(Command::SaveAs);
            Ok(())
        }
        MergeAction::Close => {
            app.views.merge = None;
            app.views.merge_error = None;
            Ok(())
        }
    };
    // Errors are shown once, in the merge window (and the status bar).
    match result {
        Ok(()) => app.views.merge_error = None,
        Err(message) => {
            app.status = message.clone();
            app.views.merge_error = Some(message);
        }
    }
}
