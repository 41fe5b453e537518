//! The recommender in the window: training on a background thread (on demand, and on its
//! own once enough new tags arrived), the model's entities as ghost highlights reviewed
//! with the suggestion keys (`G`, `Enter`, `X`), "next most uncertain" sentence, the
//! document list sorted by uncertainty, and a status line.
//!
//! The learning itself is [`crate::corpus::learn`]; this file only starts it off the UI
//! thread (at low priority, on a snapshot of the project that costs nothing to take) and
//! shows what comes back. A rejection goes into the project like a rejected suggestion, so
//! it is undoable, saved, and learned as negative evidence at the next training.

use super::{SpantagApp, session::TextSelection};
use crate::corpus::learn::{
    self, DocumentChoice, Prediction, Predictions, SentenceConfidence, TrainOptions,
};
use crate::corpus::suggest::{Suggestion, SuggestionSource};
use crate::model::{CharOffset, DocId, Project};
use egui::Ui;
use std::collections::HashMap;
use std::sync::{Arc, mpsc};

/// Train again on its own once this many tags arrived since the last training.
pub const NEW_TAGS_BEFORE_TRAINING: usize = 25;

/// The window's automatic training learns from at most about this many tokens, from the
/// most recently tagged documents ([`learn::recent_training_set`]): on this 2-core
/// machine CRFsuite trains on 200k tokens in about 45 s of CPU (BENCHMARKS.md), so a
/// huge project is never a longer job than that.
pub const MAX_TRAINING_TOKENS: usize = 200_000;

/// Cross-validation trains three more models: only on training sets up to this many
/// sentences (the window's usual case), so a huge project's status line waits no longer.
const CROSS_VALIDATE_UP_TO: usize = 5_000;

/// What a training thread sends back.
pub struct Trained {
    predictions: Predictions,
    tags: usize,
    cv_f1: Option<f64>,
    /// The session it was trained for.
    generation: u64,
}

/// The model's state as the status line tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelStatus {
    /// When training finished, `HH:MM` UTC.
    pub trained_at: String,
    /// Entity tags learned from.
    pub tags: usize,
    /// 3-fold cross-validated entity F1, when computed.
    pub cv_f1: Option<f64>,
}

/// Document positions in list order, shared between the cache and the list.
pub type DocumentPositions = std::sync::Arc<[usize]>;

/// The recommender's state in the window.
#[derive(Default)]
pub struct LearnState {
    /// The last trained model's status; `None` before the first training.
    pub model: Option<ModelStatus>,
    /// Each document's predicted entities.
    pub by_doc: HashMap<DocId, Vec<Prediction>>,
    /// Sentences, least sure first.
    pub least_sure: Vec<SentenceConfidence>,
    /// Each document's least sure sentence's confidence.
    pub doc_confidence: HashMap<DocId, f64>,
    /// Sort the document list by model uncertainty.
    pub sort_by_uncertainty: bool,
    /// A training is running.
    pub training: bool,
    next_uncertain: usize,
    job: Option<mpsc::Receiver<Result<Trained, String>>>,
    /// The project's annotation count when the last training started.
    tags_at_last_training: Option<usize>,
    /// Bumped when new predictions arrive, so the ghosts are rebuilt.
    generation: u64,
    /// (revision, document, generation, suggestions on) the ghosts were merged for.
    merged: Option<(u64, DocId, u64, bool)>,
    /// Documents seen tagged in this session, the most recent first: the window's
    /// training starts from them when a project is too big to learn from whole.
    pub recently_tagged: Vec<DocId>,
    /// The project's annotation count at the last frame.
    annotations_seen: Option<usize>,
    /// The document list sorted by uncertainty, for (generation, project revision).
    sorted_documents: Option<((u64, u64), DocumentPositions)>,
}

/// Learns from `project` and tags all of it: what a training thread does.
pub fn train_and_predict(
    project: &Project,
    recent: &[DocId],
    generation: u64,
) -> Result<Trained, String> {
    let set =
        learn::recent_training_set(project, DocumentChoice::Tagged, MAX_TRAINING_TOKENS, recent);
    let options = TrainOptions::default();
    let recommender = learn::train(&set, &options).map_err(|e| e.to_string())?;
    let cv_f1 = if set.sentences.len() <= CROSS_VALIDATE_UP_TO {
        learn::cross_validate(&set, &options, 3).map_err(|e| e.to_string())?
    } else {
        None
    };
    let predictions = learn::predict(project, &recommender).map_err(|e| e.to_string())?;
    Ok(Trained {
        predictions,
        tags: set.tags,
        cv_f1,
        generation,
    })
}

/// Starts a training on a snapshot of the project, unless one is running.
pub fn start_training(app: &mut SpantagApp, ctx: &egui::Context) {
    if app.learn.training {
        app.status = "the recommender is already training…".to_owned();
        return;
    }
    let project = Arc::clone(&app.session.project);
    let generation = app.session.generation();
    let recent = app.learn.recently_tagged.clone();
    let (sender, receiver) = mpsc::channel();
    let ctx = ctx.clone();
    crate::parallel::spawn_background(move || {
        let _ = sender.send(train_and_predict(&project, &recent, generation));
        ctx.request_repaint();
    });
    app.learn.job = Some(receiver);
    app.learn.training = true;
    app.learn.tags_at_last_training = Some(app.session.project.annotations().len());
    app.status = "training the recommender in the background…".to_owned();
}

/// Takes a finished training's results, and starts one when enough new tags arrived.
pub fn poll(ctx: &egui::Context, app: &mut SpantagApp) {
    if app.session.preview_of.is_some() {
        // Only the first documents of a project are open: learning waits for all of it.
        return;
    }
    let tags = app.session.project.annotations().len();
    note_tagged_document(app, tags);
    if let Some(job) = &app.learn.job {
        match job.try_recv() {
            Ok(Ok(trained)) => {
                app.learn.job = None;
                app.learn.training = false;
                if trained.generation == app.session.generation() {
                    install(app, trained);
                }
            }
            Ok(Err(message)) => {
                app.learn.job = None;
                app.learn.training = false;
                app.status = format!("recommender: {message}");
            }
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(250));
            }
            Err(mpsc::TryRecvError::Disconnected) => {
                app.learn.job = None;
                app.learn.training = false;
                app.status = "recommender: the training stopped".to_owned();
            }
        }
        return;
    }
    let baseline = *app.learn.tags_at_last_training.get_or_insert(tags);
    if tags >= baseline + NEW_TAGS_BEFORE_TRAINING {
        start_training(app, ctx);
    }
}

/// When the annotation count changed since the last frame, the current document was
/// tagged: it moves to the front of [`LearnState::recently_tagged`].
fn note_tagged_document(app: &mut SpantagApp, annotations: usize) {
    let seen = app.learn.annotations_seen.replace(annotations);
    if seen.is_none_or(|seen| seen == annotations) {
        return;
    }
    let Some(doc) = app.session.document().map(|d| d.id().clone()) else {
        return;
    };
    let recent = &mut app.learn.recently_tagged;
    recent.retain(|d| d != &doc);
    recent.insert(0, doc);
}

/// Shows a finished training's predictions.
fn install(app: &mut SpantagApp, trained: Trained) {
    let learn = &mut app.learn;
    learn.least_sure = trained
        .predictions
        .least_sure_first()
        .into_iter()
        .cloned()
        .collect();
    learn.by_doc.clear();
    for prediction in trained.predictions.entities {
        learn
            .by_doc
            .entry(prediction.doc.clone())
            .or_default()
            .push(prediction);
    }
    learn.doc_confidence.clear();
    for sentence in &trained.predictions.sentences {
        let worst = learn
            .doc_confidence
            .entry(sentence.doc.clone())
            .or_insert(1.0);
        *worst = worst.min(sentence.confidence);
    }
    learn.next_uncertain = 0;
    learn.generation += 1;
    learn.model = Some(ModelStatus {
        trained_at: clock_now(),
        tags: trained.tags,
        cv_f1: trained.cv_f1,
    });
    app.status = status_line(learn.model.as_ref());
}

/// The time of day, `HH:MM` in UTC (the window reads the clock; the model does not).
fn clock_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{:02}:{:02} UTC", seconds / 3600 % 24, seconds / 60 % 60)
}

/// "model trained 10:32 UTC on 412 tags, CV F1 0.71".
pub fn status_line(model: Option<&ModelStatus>) -> String {
    match model {
        None => "no model yet (Learn menu: Train recommender now)".to_owned(),
        Some(m) => {
            let f1 = m
                .cv_f1
                .map_or_else(String::new, |f| format!(", CV F1 {f:.2}"));
            format!("model trained {} on {} tags{f1}", m.trained_at, m.tags)
        }
    }
}

/// Adds the current document's open predictions to the suggestion list (after the
/// suggestions were refreshed), as suggestions of source [`SuggestionSource::Predicted`];
/// a prediction that overlaps a string suggestion leaves the place to it.
pub fn merge_predictions(app: &mut SpantagApp) {
    let Some(doc) = app.session.document().map(|d| d.id().clone()) else {
        return;
    };
    let key = (
        app.session.revision(),
        doc.clone(),
        app.learn.generation,
        app.suggestions.enabled,
    );
    if app.learn.merged.as_ref() == Some(&key) {
        return;
    }
    app.learn.merged = Some(key);
    let focused = app.suggestions.focused().map(|s| s.start);
    let list = &mut app.suggestions.list;
    list.retain(|s| !matches!(s.source, SuggestionSource::Predicted { .. }));
    if app.suggestions.enabled {
        let project = &app.session.project;
        let text = project.document(&doc).map(|d| d.text().clone());
        let predicted: Vec<Suggestion> = app
            .learn
            .by_doc
            .get(&doc)
            .into_iter()
            .flatten()
            .filter(|p| learn::is_open(project, p))
            .filter(|p| !list.iter().any(|s| s.start < p.end && p.start < s.end))
            .filter_map(|p| {
                let text = text.as_ref()?;
                Some(Suggestion {
                    doc: p.doc.clone(),
                    start: p.start,
                    end: p.end,
                    text: text
                        .slice(CharOffset(p.start), CharOffset(p.end))
                        .to_owned(),
                    label: p.label.as_str().into(),
                    canonical: None,
                    source: SuggestionSource::Predicted {
                        per_mille: (p.confidence * 1000.0).round().clamp(0.0, 1000.0) as u16,
                    },
                })
            })
            .collect();
        list.extend(predicted);
        list.sort_by_key(|s| (s.start, s.end));
    }
    app.suggestions.focus = focused.and_then(|start| list.iter().position(|s| s.start >= start));
}

/// Jumps to the next sentence the model is least sure of, across the corpus, and selects
/// it; its predictions are then next for `G`.
pub fn next_uncertain(app: &mut SpantagApp) {
    let learn = &mut app.learn;
    if learn.least_sure.is_empty() {
        app.status = if learn.model.is_none() {
            "no model yet (Learn menu: Train recommender now)".to_owned()
        } else {
            "the model found no sentences".to_owned()
        };
        return;
    }
    let at = learn.next_uncertain % learn.least_sure.len();
    learn.next_uncertain = at + 1;
    let Some(sentence) = learn.least_sure.get(at).cloned() else {
        return;
    };
    let Some(index) = app.session.project.document_index(&sentence.doc) else {
        return;
    };
    app.session.open_document(index);
    app.session.selected = None;
    app.session.selection = Some(TextSelection {
        anchor: CharOffset(sentence.start),
        head: CharOffset(sentence.end),
    });
    app.view.scroll_to = Some(CharOffset(sentence.start));
    app.suggestions.focus = None;
    app.status = format!(
        "least sure sentence {} of {} (confidence {:.2}) — G reviews its predictions",
        at + 1,
        app.learn.least_sure.len(),
        sentence.confidence
    );
}

/// The document list's order: by the least sure sentence first, when asked and a model
/// exists; `None` keeps the project's order. Sorted once per prediction run (and again
/// after an edit, which may add or remove documents), not every frame.
pub fn document_order(app: &mut SpantagApp) -> Option<DocumentPositions> {
    if !app.learn.sort_by_uncertainty || app.learn.model.is_none() {
        return None;
    }
    let key = (app.learn.generation, app.session.revision());
    if let Some((cached_key, order)) = &app.learn.sorted_documents
        && *cached_key == key
    {
        return Some(order.clone());
    }
    let docs = app.session.project.documents();
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let confidence = |i: &usize| {
        docs.get(*i)
            .and_then(|d| app.learn.doc_confidence.get(d.id()))
            .copied()
            .unwrap_or(1.0)
    };
    order.sort_by(|a, b| confidence(a).total_cmp(&confidence(b)));
    let order: DocumentPositions = order.into();
    app.learn.sorted_documents = Some((key, order.clone()));
    Some(order)
}

/// The Learn menu.
pub fn learn_menu_ui(ui: &mut Ui, app: &mut SpantagApp) {
    ui.menu_button("Learn", |ui| {
        if ui.button("Train recommender now").clicked() {
            app.send(super::Command::TrainRecommender);
        }
        if ui
            .add(egui::Button::new("Next most uncertain").shortcut_text("U"))
            .clicked()
        {
            app.send(super::Command::NextUncertain);
        }
        ui.checkbox(
            &mut app.learn.sort_by_uncertainty,
            "Sort documents by uncertainty",
        );
    });
}

/// The recommender's line in the status bar.
pub fn status_ui(ui: &mut Ui, app: &SpantagApp) {
    let text = if app.learn.training {
        "training the recommender…".to_owned()
    } else {
        status_line(app.learn.model.as_ref())
    };
    ui.weak(text);
}
