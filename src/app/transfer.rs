//! Import and export from the window, on a worker thread with a progress bar.
//!
//! A job shares the session's project (`Arc`), so starting one copies nothing on the UI
//! thread. An export reads it while the user goes on annotating (an edit meanwhile copies
//! the project first: copy on write). An import computes one undoable edit against its own
//! copy, made on the worker thread, and applies it when done; while it runs the project is
//! locked (a modal progress dialog), so the ids it hands out cannot clash with new tags.

use super::background::{Fraction, JobTicket};
use super::{Dialog, SpantagApp};
use crate::formats::{self, ExportFormat, ExportReport, ImportReport};
use crate::model::{Edit, Project};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

/// What a finished job hands back.
enum Outcome {
    Exported(Result<ExportReport, String>),
    Imported(Result<Box<(Edit, ImportReport)>, String>),
}

/// An import or export running on another thread.
pub struct TransferJob {
    /// What is being read or written.
    pub path: PathBuf,
    /// Whether it is an import (which locks the project).
    pub import: bool,
    /// The session it was started on (an import lands only there, and only unchanged).
    ticket: JobTicket,
    progress: Fraction,
    result: Receiver<Outcome>,
}

impl TransferJob {
    /// Starts exporting `project` as it is now.
    pub fn export(
        project: &Arc<Project>,
        ticket: JobTicket,
        format: ExportFormat,
        path: PathBuf,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        let progress = Fraction::default();
        let (shared, p, out) = (Arc::clone(project), progress.clone(), path.clone());
        crate::parallel::spawn_background(move || {
            let result = formats::export(&shared, format, &out, &mut |f| p.set(f));
            // Let go of the project before reporting, so an edit right after the report
            // never has to copy it.
            drop(shared);
            let _ = tx.send(Outcome::Exported(result.map_err(|e| e.to_string())));
        });
        Self {
            path,
            import: false,
            ticket,
            progress,
            result: rx,
        }
    }

    /// Starts importing `path` against a copy of `project` (made on the worker thread).
    pub fn import(project: &Arc<Project>, ticket: JobTicket, path: PathBuf) -> Self {
        let (tx, rx) = mpsc::channel();
        let progress = Fraction::default();
        let (shared, p, input) = (Arc::clone(project), progress.clone(), path.clone());
        crate::parallel::spawn_background(move || {
            let mut copy = Arc::unwrap_or_clone(shared);
            let result = formats::import(&mut copy, &input, None, &mut |f| p.set(f))
                .map(Box::new)
                .map_err(|e| e.to_string());
            let _ = tx.send(Outcome::Imported(result));
        });
        Self {
            path,
            import: true,
            ticket,
            progress,
            result: rx,
        }
    }

    /// How far it has come, 0 to 1.
    pub fn fraction(&self) -> f32 {
        self.progress.get()
    }
}

/// Starts an export in the background.
pub fn start_export(app: &mut SpantagApp, format: ExportFormat, path: PathBuf) {
    let ticket = JobTicket::of(&app.session);
    app.transfer = Some(TransferJob::export(
        &app.session.project,
        ticket,
        format,
        path,
    ));
}

/// Starts an import in the background.
pub fn start_import(app: &mut SpantagApp, path: PathBuf) {
    let ticket = JobTicket::of(&app.session);
    app.transfer = Some(TransferJob::import(&app.session.project, ticket, path));
}

/// Finishes a transfer that is done: applies an import as one undoable step, shows the
/// summary. Keeps frames coming while one runs.
pub fn poll_transfer(ctx: &egui::Context, app: &mut SpantagApp) {
    let Some(job) = &app.transfer else {
        return;
    };
    let outcome = match job.result.try_recv() {
        Ok(outcome) => outcome,
        Err(TryRecvError::Empty) => {
            ctx.request_repaint_after(Duration::from_millis(30));
            return;
        }
        Err(TryRecvError::Disconnected) => Outcome::Exported(Err(format!(
            "{}: the worker stopped unexpectedly",
            job.path.display()
        ))),
    };
    let path = job.path.clone();
    let landing = job.ticket.lands_in(&app.session);
    app.transfer = None;
    match outcome {
        Outcome::Exported(Ok(report)) => {
            app.status = format!("exported {}", path.display());
            app.dialog = Some(Dialog::Report(report.to_string()));
        }
        Outcome::Imported(Ok(imported)) => {
            if let Err(stale) = landing {
                let message = stale.message(&format!("{} was not imported", path.display()));
                app.status = message.clone();
                app.dialog = Some(Dialog::Error(message));
                return;
            }
            let (edit, report) = *imported;
            // The copy handed out the new ids; applying the edit moves the project's id
            // counter past them, and nothing else allocated ids meanwhile (locked).
            app.suggestions.invalidate();
            match app.session.apply(edit, "import") {
                Ok(()) => {
                    app.status = format!("imported {}", path.display());
                    app.dialog = Some(Dialog::Report(report.to_string()));
                }
                Err(e) => app.dialog = Some(Dialog::Error(format!("{}: {e}", path.display()))),
            }
        }
        Outcome::Exported(Err(e)) | Outcome::Imported(Err(e)) => {
            app.status = e.clone();
            app.dialog = Some(Dialog::Error(e));
        }
    }
}

/// The progress of a running transfer: a modal for imports (the project is locked), a
/// bar in the status line for exports.
pub fn transfer_ui(ctx: &egui::Context, app: &mut SpantagApp) {
    let Some(job) = &app.transfer else {
        return;
    };
    let name = job.path.file_name().map_or_else(
        || job.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if job.import {
        egui::Modal::new(egui::Id::unique("import progress")).show(ctx, |ui| {
            ui.set_min_width(360.0);
            ui.heading("Importing");
            ui.add(
                egui::ProgressBar::new(job.fraction())
                    .show_percentage()
                    .text(name),
            );
        });
    } else {
        egui::Window::new("Exporting")
            .anchor(egui::Align2::RIGHT_BOTTOM, [-12.0, -36.0])
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.add(
                    egui::ProgressBar::new(job.fraction())
                        .show_percentage()
                        .text(name),
                );
            });
    }
}
