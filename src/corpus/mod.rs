//! Computations over a whole project or corpus, beside the model and the disk: statistics,
//! search, suggestions from the user's own tags, an entity recommender learned from them
//! ([`learn`]), agreement between annotators, merging, team work (splitting, three-way
//! merging, adjudication; `team::git` sets up git's merge driver) and generated projects
//! for benchmarks. None of them draws anything or keeps state between calls; the window
//! and the command line call them alike.

pub mod agree;
pub mod generate;
pub mod learn;
pub mod merge;
pub mod order;
pub mod search;
pub mod stats;
pub mod suggest;
pub mod team;
