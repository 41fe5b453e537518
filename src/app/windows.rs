//! The window's closable tool windows (stance matrix, statistics, entity index, search …),
//! and which of them is on top, so Esc can close the topmost one before it clears the
//! selection.

use super::SpantagApp;

/// A tool window that Esc can close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolWindow {
    /// The holder × target stance matrix.
    StanceMatrix,
    /// Corpus statistics.
    Statistics,
    /// The entity index.
    EntityIndex,
    /// Agreement with another project.
    Agreement,
    /// Merging another project in.
    Merge,
    /// The keyboard shortcuts overlay.
    Help,
    /// Corpus search.
    Search,
    /// "Tag all occurrences".
    TagAll,
    /// The schema editor.
    Schema,
    /// Conflicts a merge recorded.
    Conflicts,
    /// The adjudication view.
    Adjudication,
}

impl ToolWindow {
    /// Every tool window.
    pub const ALL: [ToolWindow; 11] = [
        ToolWindow::StanceMatrix,
        ToolWindow::Statistics,
        ToolWindow::EntityIndex,
        ToolWindow::Agreement,
        ToolWindow::Merge,
        ToolWindow::Help,
        ToolWindow::Search,
        ToolWindow::TagAll,
        ToolWindow::Schema,
        ToolWindow::Conflicts,
        ToolWindow::Adjudication,
    ];

    /// The title the window is drawn with, which is also the source of its egui id
    /// (the tag-all window, whose title names the text, sets this id explicitly).
    pub fn title(self) -> &'static str {
        match self {
            ToolWindow::StanceMatrix => "Stance matrix",
            ToolWindow::Statistics => "Corpus statistics",
            ToolWindow::EntityIndex => "Entities",
            ToolWindow::Agreement => "Agreement",
            ToolWindow::Merge => "Merge",
            ToolWindow::Help => "Keyboard shortcuts",
            ToolWindow::Search => "Search",
            ToolWindow::TagAll => "Tag all",
            ToolWindow::Schema => "Labels and schema",
            ToolWindow::Conflicts => "Conflicts",
            ToolWindow::Adjudication => "Adjudication",
        }
    }

    /// The egui id of the window's area.
    pub fn id(self) -> egui::Id {
        egui::Id::unique(self.title())
    }

    /// Whether the window is open in `app`.
    pub fn is_open(self, app: &SpantagApp) -> bool {
        match self {
            ToolWindow::StanceMatrix => app.show_matrix,
            ToolWindow::Statistics => app.views.show_stats,
            ToolWindow::EntityIndex => app.views.show_index,
            ToolWindow::Agreement => app.views.show_agreement,
            ToolWindow::Merge => app.views.show_merge,
            ToolWindow::Help => app.show_help,
            ToolWindow::Search => app.search.open,
            ToolWindow::TagAll => app.tag_all.open,
            ToolWindow::Schema => app.schema_buffers.open,
            ToolWindow::Conflicts => app.team.show_conflicts,
            ToolWindow::Adjudication => app.team.show_adjudication,
        }
    }

    /// Closes the window in `app`.
    pub fn close(self, app: &mut SpantagApp) {
        let open = match self {
            ToolWindow::StanceMatrix => &mut app.show_matrix,
            ToolWindow::Statistics => &mut app.views.show_stats,
            ToolWindow::EntityIndex => &mut app.views.show_index,
            ToolWindow::Agreement => &mut app.views.show_agreement,
            ToolWindow::Merge => &mut app.views.show_merge,
            ToolWindow::Help => &mut app.show_help,
            ToolWindow::Search => &mut app.search.open,
            ToolWindow::TagAll => &mut app.tag_all.open,
            ToolWindow::Schema => &mut app.schema_buffers.open,
            ToolWindow::Conflicts => &mut app.team.show_conflicts,
            ToolWindow::Adjudication => &mut app.team.show_adjudication,
        };
        *open = false;
    }
}

/// The open tool window drawn on top of the others (egui's layer order of the last frame;
/// a window opened this frame and not drawn yet counts as topmost), if any.
pub fn topmost_open(ctx: &egui::Context, app: &SpantagApp) -> Option<ToolWindow> {
    let open: Vec<ToolWindow> = ToolWindow::ALL
        .into_iter()
        .filter(|w| w.is_open(app))
        .collect();
    let back_to_front: Vec<egui::Id> = ctx.memory(|m| m.layer_ids().map(|l| l.id).collect());
    let depth = |w: &ToolWindow| back_to_front.iter().position(|id| *id == w.id());
    open.iter()
        .copied()
        .find(|w| depth(w).is_none())
        .or_else(|| open.iter().copied().max_by_key(|w| depth(w)))
}
