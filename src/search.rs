//! Corpus search (being written).
