//! spantag: annotate news corpora with entities and stances.
//!
//! Layers, from the inside out: [`model`] (pure data and edits), [`io`] (project files and
//! corpora on disk), [`formats`] (import and export), [`corpus`] (statistics, search,
//! suggestions, agreement, merging), [`cli`] and [`app`] (the egui window).

pub mod allocator;
pub mod app;
pub mod cli;
pub mod corpus;
pub mod formats;
pub mod io;
pub mod model;
pub mod parallel;
