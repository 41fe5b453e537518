//! Corpus-wide views: statistics with charts, the entity index, agreement between two
//! annotators' projects and merging their work (being written).

use super::SpantagApp;
use egui::Ui;

/// Which corpus views are open, and their state.
#[derive(Default)]
pub struct ViewsState {}

/// Entries of the View menu that open the corpus views.
pub fn view_menu_ui(_ui: &mut Ui, _app: &mut SpantagApp) {}

/// Draws the open corpus views (windows).
pub fn corpus_views_ui(_ctx: &egui::Context, _app: &mut SpantagApp) {}
