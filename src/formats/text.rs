//! Plain text: decoding bytes of unknown encoding, and importing `.txt` files (or a folder
//! of them) as documents without annotations, like the corpus loader.

use super::builder::Builder;
use super::error::{FormatError, Location};
use crate::model::{DocId, Document};
use std::fs;
use std::path::{Path, PathBuf};

use crate::io::corpus::MAX_TEXT_BYTES;
pub use crate::io::corpus::decode_bytes;

/// Reads and decodes a text file, naming the file in the error. Files larger than
/// [`MAX_TEXT_BYTES`] are refused before reading (a clear error instead of exhausting
/// memory), and so are binary files (NUL bytes after decoding), with the line of the first.
pub fn read_text_file(path: &Path) -> Result<String, FormatError> {
    let size = fs::metadata(path)
        .map_err(|e| FormatError::io(path, "cannot read", e))?
        .len();
    if size > MAX_TEXT_BYTES {
        return Err(FormatError::invalid(
            path,
            None,
            format!("{size} bytes is more than spantag reads from one file"),
        ));
    }
    let bytes = fs::read(path).map_err(|e| FormatError::io(path, "cannot read", e))?;
    let text = decode_owned(bytes);
    if let Some(pos) = text.find('\0') {
        let line = text.get(..pos).unwrap_or_default().matches('\n').count() + 1;
        return Err(FormatError::invalid(
            path,
            Some(line),
            "contains NUL bytes, so it looks binary, not text",
        ));
    }
    Ok(text)
}

/// [`decode_bytes`] taking the bytes: UTF-8 without a byte order mark (the usual file)
/// becomes the text without being copied.
fn decode_owned(bytes: Vec<u8>) -> String {
    if encoding_rs::Encoding::for_bom(&bytes).is_some() {
        return decode_bytes(&bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(not_utf8) => decode_bytes(not_utf8.as_bytes()),
    }
}

/// The file stem as a document id.
pub fn stem_id(path: &Path) -> DocId {
    DocId::from(path.file_stem().map_or_else(
        || "document".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    ))
}

/// The files directly in `dir` with extension `ext` (case-insensitive), in natural order
/// (`doc2` before `doc10`): the corpus order of an imported folder.
pub fn files_with_extension(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, FormatError> {
    let entries = fs::read_dir(dir).map_err(|e| FormatError::io(dir, "cannot list", e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| FormatError::io(dir, "cannot list", e))?;
        let path = entry.path();
        let matches = path
            .extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext));
        if matches && path.is_file() {
            files.push(path);
        }
    }
    alphanumeric_sort::sort_path_slice(&mut files);
    Ok(files)
}

/// Imports one `.txt` file or every `.txt` file of a folder as documents.
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let files = if path.is_dir() {
        files_with_extension(path, "txt")?
    } else {
        vec![path.to_path_buf()]
    };
    if files.is_empty() {
        return Err(FormatError::invalid(
            path,
            None,
            "no .txt files in this folder",
        ));
    }
    let total = files.len() as f32;
    let mut read = 0;
    for (i, file) in files.iter().enumerate() {
        let raw = read_text_file(file)?;
        if raw.trim().is_empty() {
            b.skip(&Location::file(file), "empty text file", None);
            continue;
        }
        b.add_document(Document::from_raw(stem_id(file), &raw));
        read += 1;
        progress((i + 1) as f32 / total);
    }
    if read == 0 {
        // Nothing to keep: say so rather than report an import of nothing.
        let what = if path.is_dir() {
            "every .txt file in this folder is empty"
        } else {
            "the file is empty (no text to import)"
        };
        return Err(FormatError::invalid(path, None, what));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ImportFormat;
    use crate::formats::testutil::{empty_project, import_str};

    #[test]
    fn decodes_every_encoding_the_corpus_loader_meets() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"plain".to_vec(), "plain"),
            ("\u{feff}met BOM é".as_bytes().to_vec(), "met BOM é"),
            (
                [
                    &[0xFF, 0xFE][..],
                    &"é😀"
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes)
                        .collect::<Vec<_>>(),
                ]
                .concat(),
                "é😀",
            ),
            (
                [
                    &[0xFE, 0xFF][..],
                    &"é😀"
                        .encode_utf16()
                        .flat_map(u16::to_be_bytes)
                        .collect::<Vec<_>>(),
                ]
                .concat(),
                "é😀",
            ),
            (
                b"Italie\xeb en Belgi\xeb zijn caf\xe9s".to_vec(),
                "Italieë en België zijn cafés",
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode_bytes(&bytes), want);
            assert_eq!(decode_owned(bytes), want, "without copying");
        }
    }

    #[test]
    fn text_files_become_documents_with_normalised_text() {
        let mut p = empty_project();
        let (edit, report) = import_str(
            &mut p,
            "nieuws.txt",
            "\u{feff} date 2018-05 Zuckerberg 😀 e\u{301}\r\nregel twee\r\n",
            Some(ImportFormat::Text),
        )
        .expect("import");
        assert_eq!(report.documents_added, 1);
        crate::model::apply(&mut p, edit).expect("apply");
        let doc = p.document(&DocId("nieuws".into())).expect("doc");
        assert_eq!(doc.text().as_str(), "Zuckerberg 😀 e\u{301}\nregel twee\n");
        assert_eq!(doc.date(), Some("2018-05"));
    }
}
