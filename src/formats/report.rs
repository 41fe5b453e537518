//! What an export wrote and left out, and what an import added and skipped. Both print one
//! line per item so the command line and the app can show them as they are.

use super::error::Location;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// How many of something an export could not write as it is, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// How many.
    pub count: usize,
    /// What, in the plural: "overlapping spans", "stances".
    pub what: String,
    /// What happened to them and why: "left out (longest span wins)".
    pub outcome: String,
}

/// What an export wrote, and every kind of thing it left out with a count and reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// Format name, e.g. "CoNLL".
    pub format: String,
    /// Where it went.
    pub out: PathBuf,
    /// Documents written.
    pub documents: usize,
    /// Annotations (spans, rows, tagged chunks) written.
    pub annotations: usize,
    /// Relations written (brat only).
    pub relations: usize,
    /// Everything the format could not hold, in the order first met.
    pub left_out: Vec<LeftOut>,
}

impl ExportReport {
    /// An empty report for a format and output path.
    pub fn new(format: &str, out: &Path) -> Self {
        Self {
            format: format.to_owned(),
            out: out.to_path_buf(),
            documents: 0,
            annotations: 0,
            relations: 0,
            left_out: Vec::new(),
        }
    }

    /// Counts `count` more of `what` with `outcome`; zero counts are not recorded.
    pub fn leave_out(&mut self, count: usize, what: &str, outcome: &str) {
        if count == 0 {
            return;
        }
        match self
            .left_out
            .iter_mut()
            .find(|l| l.what == what && l.outcome == outcome)
        {
            Some(item) => item.count += count,
            None => self.left_out.push(LeftOut {
                count,
                what: what.to_owned(),
                outcome: outcome.to_owned(),
            }),
        }
    }

    /// How many of `what` were left out (any outcome).
    pub fn left_out_count(&self, what: &str) -> usize {
        self.left_out
            .iter()
            .filter(|l| l.what == what)
            .map(|l| l.count)
            .sum()
    }
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: wrote {} documents, {} annotations",
            self.format, self.documents, self.annotations
        )?;
        if self.relations > 0 {
            write!(f, ", {} relations", self.relations)?;
        }
        write!(f, " to {}", self.out.display())?;
        for item in &self.left_out {
            write!(
                f,
                "\n{}: {} {} {}",
                self.format, item.count, item.what, item.outcome
            )?;
        }
        Ok(())
    }
}

/// One thing an import skipped (or imported with a warning), with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// File and line.
    pub at: Location,
    /// The kind of problem, shared by all items of a kind: "unknown document".
    pub reason: String,
    /// The particulars of this item, if any.
    pub detail: Option<String>,
}

/// What an import adds and what it skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Format name, e.g. "brat".
    pub format: String,
    /// The file or folder read.
    pub source: PathBuf,
    /// New documents added.
    pub documents_added: usize,
    /// Records whose document was in the project already with the same text.
    pub documents_matched: usize,
    /// Documents whose id was taken by a different text: (old id, new id).
    pub renamed: Vec<(String, String)>,
    /// Annotations added per label (stances under `STANCE`).
    pub annotations: BTreeMap<String, usize>,
    /// Relations added.
    pub relations: usize,
    /// Entity labels and stance polarities the project's schema did not know; the import
    /// adds them to the schema.
    pub new_labels: BTreeSet<String>,
    /// Things left out, each with file, line and reason.
    pub skipped: Vec<Skipped>,
    /// Things imported, but not exactly as written (e.g. brat text that disagrees with its
    /// offsets: the offsets win).
    pub warnings: Vec<Skipped>,
}

impl ImportReport {
    /// Total annotations added.
    pub fn annotation_total(&self) -> usize {
        self.annotations.values().sum()
    }

    /// How many items were skipped for `reason`.
    pub fn skipped_count(&self, reason: &str) -> usize {
        self.skipped.iter().filter(|s| s.reason == reason).count()
    }

    /// How many warnings have `reason`.
    pub fn warning_count(&self, reason: &str) -> usize {
        self.warnings.iter().filter(|s| s.reason == reason).count()
    }
}

/// At most this many places are listed per reason.
const PLACES_SHOWN: usize = 5;
/// Details longer than this many characters are cut in the printed report (a skipped line
/// can be megabytes long).
const DETAIL_SHOWN: usize = 160;

/// `detail` on one line and at most [`DETAIL_SHOWN`] characters, with `…` when cut.
fn shorten(detail: &str) -> String {
    let one_line = detail.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(DETAIL_SHOWN) {
        Some((cut, _)) => format!("{}…", one_line.get(..cut).unwrap_or_default()),
        None => one_line,
    }
}

fn write_grouped(
    f: &mut fmt::Formatter<'_>,
    format: &str,
    verb: &str,
    items: &[Skipped],
) -> fmt::Result {
    let mut groups: Vec<(&str, Vec<&Skipped>)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(r, _)| *r == item.reason) {
            Some((_, list)) => list.push(item),
            None => groups.push((&item.reason, vec![item])),
        }
    }
    for (reason, list) in groups {
        write!(f, "\n{format}: {verb} {}: {reason}", list.len())?;
        let places: Vec<String> = list
            .iter()
            .take(PLACES_SHOWN)
            .map(|s| match &s.detail {
                Some(d) => format!("{} ({})", s.at, shorten(d)),
                None => s.at.to_string(),
            })
            .collect();
        write!(f, " — {}", places.join("; "))?;
        if list.len() > PLACES_SHOWN {
            write!(f, "; … {} more", list.len() - PLACES_SHOWN)?;
        }
    }
    Ok(())
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} new documents, {} matched, {} annotations, {} relations from {}",
            self.format,
            self.documents_added,
            self.documents_matched,
            self.annotation_total(),
            self.relations,
            self.source.display()
        )?;
        for (label, count) in &self.annotations {
            write!(f, "\n{}: {count} × {label}", self.format)?;
        }
        for label in &self.new_labels {
            write!(
                f,
                "\n{}: label '{label}' is not in the project's schema; added to it",
                self.format
            )?;
        }
        for (old, new) in &self.renamed {
            write!(
                f,
                "\n{}: document '{old}' has a different text in the project; imported as '{new}'",
                self.format
            )?;
        }
        write_grouped(f, &self.format, "skipped", &self.skipped)?;
        write_grouped(f, &self.format, "warning", &self.warnings)
    }
}
