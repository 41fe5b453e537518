//! spantag: annotate news corpora with entities and stances.
//!
//! Layers, from the inside out: [`model`] (pure data and edits), [`io`] (project files and
//! corpora on disk), [`formats`] (import and export), [`stats`], [`cli`] and [`app`] (the
//! egui window).

pub mod agree;
pub mod app;
pub mod cli;
pub mod formats;
pub mod generate;
pub mod io;
pub mod merge;
pub mod model;
pub mod parallel;
pub mod search;
pub mod stats;
pub mod suggest;
