//! The model file: versioned like a project file, checked before anything reads it.
//!
//! Layout: the line `spantag-model`, then one line of RON (the [`ModelHeader`]: format
//! version, what the model was trained on, its canonical names and word clusters, and the
//! length and SHA-256 of the CRF that follows), then the CRF itself in `crfs`'s binary format. A file from a
//! newer spantag is refused by its version before the rest is read; a damaged one fails
//! the length or checksum test, so `crfs` only ever reads bytes spantag wrote.

use super::clusters::WordClusters;
use super::features::Gazetteer;
use super::model::{LearnError, Recommender, Summary};
use crate::io::atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The model file format this spantag writes and the newest it reads.
/// Version 2 added the word clusters; version 1 files (without) are still read.
pub const MODEL_FORMAT_VERSION: u32 = 2;

/// The first line of every model file.
const MAGIC: &[u8] = b"spantag-model\n";

/// Why a model file could not be read or written.
#[derive(Debug, Error)]
pub enum ModelFileError {
    /// Reading or writing failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Not a spantag model file at all.
    #[error("{path}: not a spantag model file", path = path.display())]
    NotAModel {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer spantag.
    #[error(
        "{path}: model format version {found} is newer than this spantag reads (up to {MODEL_FORMAT_VERSION}); update spantag to use it",
        path = path.display()
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
    },
    /// The file is damaged (cut short, changed, or its header does not parse).
    #[error("{path}: damaged model file ({reason})", path = path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The header line: everything but the CRF.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModelHeader {
    /// Format version.
    pub version: u32,
    /// Sentences trained on.
    pub sentences: usize,
    /// Tokens trained on.
    pub tokens: usize,
    /// Entity tags trained on.
    pub tags: usize,
    /// Entity labels the model knows.
    pub labels: Vec<String>,
    /// Seconds the training took.
    pub seconds: f64,
    /// The canonical names used as a gazetteer, sorted.
    pub gazetteer: Vec<String>,
    /// The word clusters the model was trained with, by word (format version 2; none in
    /// version 1, and not written when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<(String, u16)>,
    /// Length of the CRF in bytes.
    pub crf_length: usize,
    /// SHA-256 of the CRF, in hex.
    pub crf_sha256: String,
}

/// Only the version, read first so a newer file is refused before its fields are.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

/// The bytes of a model file for `recommender`.
pub fn to_bytes(recommender: &Recommender) -> Result<Vec<u8>, ron::Error> {
    let crf = recommender.crf_bytes();
    let summary = &recommender.summary;
    let header = ModelHeader {
        version: MODEL_FORMAT_VERSION,
        sentences: summary.sentences,
        tokens: summary.tokens,
        tags: summary.tags,
        labels: summary.labels.clone(),
        seconds: summary.seconds,
        gazetteer: recommender.gazetteer().names().into_iter().collect(),
        clusters: recommender.clusters().entries().into_iter().collect(),
        crf_length: crf.len(),
        crf_sha256: hex(&Sha256::digest(crf)),
    };
    // Compact RON escapes newlines in strings, so the header is one line.
    let line = ron::to_string(&header)?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + line.len() + 1 + crf.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(crf);
    Ok(bytes)
}

/// Reads a model from the bytes of a model file; `path` names it in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Recommender, ModelFileError> {
    let damaged = |reason: String| ModelFileError::Damaged {
        path: path.to_owned(),
        reason,
    };
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| ModelFileError::NotAModel {
            path: path.to_owned(),
        })?;
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| damaged("no header line".to_owned()))?;
    let (line, crf) = (&rest[..end], &rest[end + 1..]);
    let line = std::str::from_utf8(line).map_err(|e| damaged(format!("header: {e}")))?;
    let version: VersionOnly = ron::from_str(line).map_err(|e| damaged(format!("header: {e}")))?;
    if version.version > MODEL_FORMAT_VERSION {
        return Err(ModelFileError::NewerVersion {
            path: path.to_owned(),
            found: version.version,
        });
    }
    if version.version == 0 {
        return Err(damaged("format version 0 does not exist".to_owned()));
    }
    let header: ModelHeader = ron::from_str(line).map_err(|e| damaged(format!("header: {e}")))?;
    if crf.len() != header.crf_length {
        return Err(damaged(format!(
            "the model holds {} bytes, its header says {}",
            crf.len(),
            header.crf_length
        )));
    }
    if hex(&Sha256::digest(crf)) != header.crf_sha256 {
        return Err(damaged("checksum mismatch".to_owned()));
    }
    let summary = Summary {
        sentences: header.sentences,
        tokens: header.tokens,
        tags: header.tags,
        labels: header.labels,
        seconds: header.seconds,
    };
    let gazetteer = Gazetteer::new(header.gazetteer.iter().map(String::as_str));
    let recommender = Recommender::new(crf.to_vec(), gazetteer, summary).map_err(|e| match e {
        LearnError::Crf(e) => damaged(e.to_string()),
        other => damaged(other.to_string()),
    })?;
    Ok(recommender.with_clusters(WordClusters::from_entries(header.clusters)))
}

/// Writes the model file atomically.
pub fn save(recommender: &Recommender, path: &Path) -> Result<(), ModelFileError> {
    let io_error = |source| ModelFileError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = to_bytes(recommender).map_err(|e| io_error(std::io::Error::other(e)))?;
    atomic::write_atomically(path, |w: &mut dyn Write| w.write_all(&bytes)).map_err(io_error)
}

/// Reads a model file.
pub fn load(path: &Path) -> Result<Recommender, ModelFileError> {
    let bytes = std::fs::read(path).map_err(|source| ModelFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    from_bytes(&bytes, path)
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
