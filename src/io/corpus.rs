//! Reading a corpus of plain-text files: a folder of `.txt` files or single files, in any
//! common encoding, newlines normalised, ids from file stems, in corpus order (a folder's
//! files in natural order, `doc2` before `doc10`; files in the order given).

use crate::model::{DocId, Document};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Largest single text file spantag reads (a clear error instead of exhausting memory).
pub const MAX_TEXT_BYTES: u64 = 512 << 20;

/// Why a corpus could not be read.
#[derive(Debug, Error)]
pub enum CorpusError {
    /// The path could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File or folder.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not text.
    #[error("{path}: {reason}")]
    NotText {
        /// The file.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// A folder without any `.txt` file.
    #[error("{0}: no .txt files found")]
    Empty(PathBuf),
    /// Two files with the same stem.
    #[error("{path}: another file already gives the document id '{id}'")]
    DuplicateId {
        /// The second file.
        path: PathBuf,
        /// The id.
        id: String,
    },
}

/// Decodes the bytes of a text file: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM,
/// otherwise the encoding `chardetng` detects (windows-1252, latin-1, …). Malformed
/// sequences become U+FFFD. Newlines are normalised later by [`Document::from_raw`].
pub fn decode_bytes(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, true);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// Decodes a text file like [`decode_bytes`], refusing binary files (NUL bytes) with the
/// line where the first one is.
pub fn decode_text(bytes: &[u8], path: &Path) -> Result<String, CorpusError> {
    let text = decode_bytes(bytes);
    if let Some(pos) = text.find('\0') {
        let line = text[..pos].matches('\n').count() + 1;
        return Err(CorpusError::NotText {
            path: path.to_owned(),
            reason: format!("line {line}: contains NUL bytes, so it looks binary, not text"),
        });
    }
    Ok(text)
}

/// Reads one text file into a document whose id is the file stem.
pub fn read_document(path: &Path) -> Result<Document, CorpusError> {
    let io = |source| CorpusError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_TEXT_BYTES {
        return Err(CorpusError::NotText {
            path: path.to_owned(),
            reason: format!("{size} bytes is more than spantag reads as one document"),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = decode_text(&bytes, path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    Ok(Document::from_raw(DocId::from(stem), &text))
}

/// The `.txt` files a path stands for: the file itself, or a folder's `.txt` files
/// (not recursive) in natural order (`doc2` before `doc10`).
pub fn text_files(path: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let io = |source| CorpusError::Io {
        path: path.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let p = entry.path();
        if p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(CorpusError::Empty(path.to_owned()));
    }
    alphanumeric_sort::sort_path_slice(&mut files);
    Ok(files)
}

/// Reads every document of the given folders and files, in corpus order: the paths in
/// the order given, each folder's files in natural order.
pub fn read_corpus(paths: &[PathBuf]) -> Result<Vec<Document>, CorpusError> {
    let mut docs: Vec<Document> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        for file in text_files(path)? {
            let doc = read_document(&file)?;
            if !seen.insert(doc.id().clone()) {
                return Err(CorpusError::DuplicateId {
                    path: file,
                    id: doc.id().0.to_string(),
                });
            }
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// The bundled corpus folder (`assets/corpus` next to the crate or beside the binary, or
/// `share/spantag/corpus` of the installed package).
pub fn bundled_corpus_dir() -> PathBuf {
    let beside_crate = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    if beside_crate.is_dir() {
        return beside_crate;
    }
    // Beside the binary (an unpacked build), else where the package installs it
    // (`/usr/bin/spantag` → `/usr/share/spantag/corpus`).
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned));
    exe_dir
        .iter()
        .flat_map(|d| [d.join("assets/corpus"), d.join("../share/spantag/corpus")])
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from("assets/corpus"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> String {
        let text = decode_text(bytes, Path::new("t.txt")).expect("decodes");
        Document::from_raw(DocId("t".into()), &text)
            .text()
            .as_str()
            .to_owned()
    }

    #[test]
    fn encodings_and_line_ends_are_read_right() {
        let want = "Caf\u{e9} \u{201c}Zuckerberg\u{201d}\nregel 2";
        let utf16 = |le: bool| {
            let mut out = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in "Caf\u{e9} \u{201c}Zuckerberg\u{201d}\r\nregel 2".encode_utf16() {
                out.extend(if le {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            out
        };
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("utf-8", want.as_bytes().to_vec()),
            (
                "utf-8 bom crlf",
                [
                    &[0xEF, 0xBB, 0xBF][..],
                    "Caf\u{e9} \u{201c}Zuckerberg\u{201d}\r\nregel 2".as_bytes(),
                ]
                .concat(),
            ),
            ("utf-16le", utf16(true)),
            ("utf-16be", utf16(false)),
            (
                "windows-1252 cr",
                b"Caf\xe9 \x93Zuckerberg\x94\rregel 2".to_vec(),
            ),
        ];
        for (name, bytes) in cases {
            assert_eq!(decode(&bytes), want, "{name}");
        }
        assert_eq!(
            decode(b"caf\xe9 na\xefef d\xe9j\xe0 vu"),
            "caf\u{e9} na\u{ef}ef d\u{e9}j\u{e0} vu"
        );
    }

    #[test]
    fn binary_files_are_refused_with_the_line() {
        let err = decode_text(b"tekst\nmeer\0\x01\x02", Path::new("x.bin")).expect_err("binary");
        assert_eq!(
            err.to_string(),
            "x.bin: line 2: contains NUL bytes, so it looks binary, not text"
        );
    }

    #[test]
    fn folders_list_in_natural_order_and_files_in_the_order_given() {
        let dir = tempfile::tempdir().expect("tmp");
        for name in ["doc10", "doc2", "doc1", "ned-74", "ned-9", "Doc3"] {
            std::fs::write(dir.path().join(format!("{name}.txt")), name).expect("write");
        }
        let extra = tempfile::tempdir().expect("tmp");
        let single = extra.path().join("aaa.txt");
        std::fs::write(&single, "first on the command line").expect("write");
        let docs = read_corpus(&[single, dir.path().to_owned()]).expect("corpus");
        let ids: Vec<&str> = docs.iter().map(|d| d.id().as_str()).collect();
        assert_eq!(
            ids,
            ["aaa", "Doc3", "doc1", "doc2", "doc10", "ned-9", "ned-74"]
        );
    }

    #[test]
    fn bundled_corpus_loads_sorted_with_dates() {
        let docs = read_corpus(&[bundled_corpus_dir()]).expect("corpus");
        let ids: Vec<&str> = docs.iter().map(|d| d.id().as_str()).collect();
        assert_eq!(ids.len(), 5);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let dated = docs.iter().filter(|d| d.date().is_some()).count();
        assert_eq!(dated, 4);
        assert!(docs.iter().all(|d| !d.text().as_str().starts_with(" date")));
    }
}
