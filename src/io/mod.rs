//! Everything that touches the disk: project files, corpora, atomic writes.

pub mod atomic;
pub mod corpus;
pub mod paths;
pub mod project_file;
