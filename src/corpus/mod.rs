//! Computations over a whole project or corpus, beside the model and the disk: statistics,
//! search, suggestions from the user's own tags, agreement between annotators, merging,
//! and generated projects for benchmarks. None of them draws anything or keeps state
//! between calls; the window and the command line call them alike.

pub mod agree;
pub mod generate;
pub mod merge;
pub mod order;
pub mod search;
pub mod stats;
pub mod suggest;
