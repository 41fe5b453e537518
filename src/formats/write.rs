//! Atomic outputs: one file through [`crate::io::atomic::write_atomically`], or a whole
//! folder written beside its destination and renamed into place, so an error never leaves
//! half an export behind.

use super::error::{FormatError, Location};
use crate::io::atomic::write_atomically;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Either an I/O error (named with the output path afterwards) or a format error.
enum WriteError {
    Io(io::Error),
    Format(FormatError),
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Writes `out` atomically with what `write` produces.
pub fn write_file(
    out: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    if out.is_dir() {
        return Err(FormatError::Output {
            path: Location::file(out),
            message: "is a folder; give a file name".to_owned(),
        });
    }
    let result = write_atomically(out, |w: &mut dyn Write| {
        write(w).map_err(WriteError::Format)
    });
    match result {
        Ok(()) => Ok(()),
        Err(WriteError::Io(e)) => Err(FormatError::io(out, "cannot write", e)),
        Err(WriteError::Format(e)) => Err(e),
    }
}

/// Documents whose lines one worker makes at a time in [`write_documents`].
const DOCUMENT_BATCH: usize = 64;

/// Writes `out` atomically with one record or line group per document, in document order:
/// `lines` appends a document's bytes to a buffer and adds what it wrote to a tally, and
/// runs on all cores, a batch of documents at a time, while this thread writes the
/// finished batches in order. Returns the tallies of all documents added up.
/// Then `tail` writes what follows the documents (the spans export's relation lines) into
/// the same file before it is renamed into place.
pub fn write_documents<T>(
    out: &Path,
    documents: &[crate::model::Document],
    progress: &mut dyn FnMut(f32),
    lines: impl Fn(&crate::model::Document, &mut Vec<u8>, &mut T) -> Result<(), FormatError> + Sync,
    tail: impl FnOnce(&mut dyn Write) -> Result<(), FormatError>,
) -> Result<T, FormatError>
where
    T: Default + Send + std::ops::AddAssign,
{
    let mut total = T::default();
    let mut done = 0;
    write_file(out, |w: &mut dyn Write| {
        crate::parallel::for_each_batch_in_order(
            documents,
            DOCUMENT_BATCH,
            |batch| {
                let mut bytes = Vec::new();
                let mut tally = T::default();
                for doc in batch {
                    lines(doc, &mut bytes, &mut tally)?;
                }
                Ok((bytes, tally, batch.len()))
            },
            |made: Result<(Vec<u8>, T, usize), FormatError>| {
                let (bytes, tally, docs) = made?;
                w.write_all(&bytes).map_err(io_err(out))?;
                total += tally;
                done += docs;
                progress(done as f32 / documents.len().max(1) as f32);
                Ok(())
            },
        )?;
        tail(w)
    })?;
    Ok(total)
}

/// Maps an I/O error while writing into `out` to a format error naming `out`.
pub fn io_err(out: &Path) -> impl Fn(io::Error) -> FormatError + '_ {
    move |e| FormatError::io(out, "cannot write", e)
}

/// File extensions an export folder may hold; any other file (or a spantag project under
/// one of these names) means the folder is not ours to replace.
const REPLACEABLE: [&str; 3] = ["txt", "ann", "conf"];

/// Marks a folder as written by a spantag export, so a later export may replace it.
pub const EXPORT_MARKER: &str = ".spantag-export";

/// Creates or replaces the folder `out` as a whole with what `fill` writes into a fresh
/// temporary folder beside it. Only an empty folder or an earlier spantag export (with
/// the [`EXPORT_MARKER`] and nothing but `.txt`, `.ann` and `.conf` files, none of them a
/// spantag project) is replaced, so neither a mistyped `-o ~/Documents`, the user's own
/// corpus folder nor a project saved into an export folder is ever deleted.
/// Through a symbolic link, the folder the link leads to is replaced and the link stays.
pub fn write_folder(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let out = &crate::io::atomic::write_target(out)
        .map_err(|e| FormatError::io(out, "cannot follow the link", e))?;
    if out.exists() {
        check_replaceable(out)?;
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempdir_in(&parent)
        .map_err(|e| FormatError::io(&parent, "cannot create a temporary folder in", e))?;
    // On error `tmp` is dropped and removed with everything written so far.
    fill(tmp.path())?;
    fs::write(
        tmp.path().join(EXPORT_MARKER),
        "Written by spantag; a later export may replace this folder.\n",
    )
    .map_err(|e| FormatError::io(tmp.path(), "cannot write", e))?;
    let tmp_path = tmp.keep();
    let old = if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if let Err(e) = fs::rename(out, &old) {
            let _ = fs::remove_dir_all(&tmp_path);
            return Err(FormatError::io(out, "cannot replace", e));
        }
        Some(old)
    } else {
        None
    };
    if let Err(e) = fs::rename(&tmp_path, out) {
        if let Some(old) = &old {
            let _ = fs::rename(old, out);
        }
        let _ = fs::remove_dir_all(&tmp_path);
        return Err(FormatError::io(out, "cannot write", e));
    }
    if let Some(old) = old {
        // The new export is in place; a leftover old copy is only clutter.
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

fn check_replaceable(out: &Path) -> Result<(), FormatError> {
    let refuse = |message: &str| FormatError::Output {
        path: Location::file(out),
        message: message.to_owned(),
    };
    if !out.is_dir() {
        return Err(refuse(
            "exists and is not a folder; brat export writes a folder",
        ));
    }
    let marked = out.join(EXPORT_MARKER).is_file();
    let entries = fs::read_dir(out).map_err(|e| FormatError::io(out, "cannot list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| FormatError::io(out, "cannot list", e))?;
        let path = entry.path();
        if entry.file_name() == EXPORT_MARKER {
            continue;
        }
        if !marked {
            return Err(refuse(
                "refusing to replace this folder: it is not empty and was not written by a \
                 spantag export; choose a new or empty folder",
            ));
        }
        let ours = path.is_file()
            && path
                .extension()
                .is_some_and(|e| REPLACEABLE.iter().any(|r| e.eq_ignore_ascii_case(r)));
        if !ours {
            return Err(refuse(&format!(
                "refusing to replace this folder: it holds '{}', which a brat export does not write",
                entry.file_name().to_string_lossy()
            )));
        }
        // A project saved under an export's file name would go with the folder.
        if crate::io::project_file::is_project_file(&path) {
            return Err(refuse(&format!(
                "refusing to replace this folder: it holds the spantag project '{}'; move it \
                 out first",
                entry.file_name().to_string_lossy()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_folder_export_leaves_the_old_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("brat");
        write_folder(&out, |tmp| {
            fs::write(tmp.join("a.txt"), "one").map_err(io_err(tmp))
        })
        .expect("first");
        let err = write_folder(&out, |tmp| {
            fs::write(tmp.join("b.txt"), "two").map_err(io_err(tmp))?;
            Err(FormatError::invalid(tmp, None, "boom"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(out.join("a.txt")).expect("kept"), "one");
        assert!(!out.join("b.txt").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("e").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("brat")]);
    }

    #[test]
    fn refuses_to_replace_a_folder_with_other_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("thesis.docx"), "precious").expect("write");
        let err = write_folder(dir.path(), |_| Ok(())).expect_err("refused");
        assert!(
            err.to_string().contains("not written by a spantag export"),
            "{err}"
        );
        assert!(dir.path().join("thesis.docx").exists());
    }

    #[test]
    fn never_replaces_a_corpus_folder_but_does_replace_its_own_export() {
        let dir = tempfile::tempdir().expect("tempdir");
        let corpus = dir.path().join("corpus");
        fs::create_dir(&corpus).expect("mkdir");
        fs::write(corpus.join("artikel.txt"), "tekst").expect("write");
        let write_one = |out: &Path| {
            write_folder(out, |tmp| {
                fs::write(tmp.join("a.txt"), "new").map_err(io_err(tmp))
            })
        };
        assert!(
            write_one(&corpus).is_err(),
            "a folder of .txt files is not an export"
        );
        assert_eq!(
            fs::read_to_string(corpus.join("artikel.txt")).expect("kept"),
            "tekst"
        );
        let export = dir.path().join("export");
        write_one(&export).expect("first export");
        write_one(&export).expect("an export replaces its own folder");
        assert_eq!(
            fs::read_to_string(export.join("a.txt")).expect("new"),
            "new"
        );
    }

    /// Issue 18, point 6, for folders: an export through a link to an earlier export folder
    /// put a new folder where the link was.
    #[cfg(unix)]
    #[test]
    fn a_folder_export_through_a_link_replaces_the_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("exports").join("brat");
        fs::create_dir(dir.path().join("exports")).expect("mkdir");
        let write = |out: &Path, text: &'static str| {
            write_folder(out, |tmp| {
                fs::write(tmp.join("a.txt"), text).map_err(io_err(tmp))
            })
        };
        write(&real, "old").expect("first export");
        let link = dir.path().join("brat");
        std::os::unix::fs::symlink("exports/brat", &link).expect("link");
        write(&link, "new").expect("export through the link");
        let meta = fs::symlink_metadata(&link).expect("meta");
        assert!(meta.file_type().is_symlink(), "the link is still a link");
        assert_eq!(fs::read_to_string(real.join("a.txt")).expect("new"), "new");
        let mut names: Vec<_> = fs::read_dir(dir.path().join("exports"))
            .expect("ls")
            .map(|e| e.expect("e").file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("brat")],
            "no leftovers"
        );
    }
}
