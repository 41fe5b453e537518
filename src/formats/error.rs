//! The one error type of the formats layer. Every variant names the file and, where known,
//! the line, so the command line can print it as one line: `data.jsonl:17: expected …`.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A place in a file: the path and, where known, a 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file (or folder).
    pub path: PathBuf,
    /// 1-based line number, when the problem is on one line.
    pub line: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
        }
    }

    /// One line of a file.
    pub fn line(path: &Path, line: usize) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Why an import or export failed. Nothing was written (export) or nothing is to be applied
/// (import) when this is returned.
#[derive(Debug, Error)]
pub enum FormatError {
    /// Reading or writing failed.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file or folder.
        path: Location,
        /// What was being done, e.g. "cannot read".
        action: &'static str,
        /// The cause.
        source: io::Error,
    },
    /// A JSON record could not be read.
    #[error("{at}: {message}")]
    Json {
        /// File and line.
        at: Location,
        /// What is wrong, e.g. "expected a JSON object: …".
        message: String,
    },
    /// The content does not fit the format.
    #[error("{at}: {message}")]
    Invalid {
        /// File and (where known) line.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The format could not be told from the name or content.
    #[error("{path}: cannot tell the format ({reason}); name it with --format")]
    UnknownFormat {
        /// The file or folder.
        path: Location,
        /// What was looked at.
        reason: String,
    },
    /// The output cannot be written there.
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: Location,
        /// Why not.
        message: String,
    },
}

impl FormatError {
    /// An I/O error on a path.
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> Self {
        FormatError::Io {
            path: Location::file(path),
            action,
            source,
        }
    }

    /// Invalid content at a file and optional line.
    pub(crate) fn invalid(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        FormatError::Invalid {
            at: Location {
                path: path.to_path_buf(),
                line,
            },
            message: message.into(),
        }
    }
}
