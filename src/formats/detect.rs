//! Telling the import format of a file or folder from its name and, when that is not
//! enough, from its first lines.

use super::ImportFormat;
use super::error::{FormatError, Location};
use super::text::{files_with_extension, read_text_file};
use serde_json::Value;
use std::path::Path;

/// Detects the import format: a folder with `.ann` files is brat, with `.txt` files text;
/// `.conll`/`.bio`/`.iob`/`.tsv` files are CoNLL; JSON(L) is told apart by its first
/// record's keys (`kind` + `doc`: spans; `tokens` or `spans`: Prodigy; otherwise doccano);
/// other files are sniffed.
pub fn detect_format(path: &Path) -> Result<ImportFormat, FormatError> {
    let unknown = |reason: &str| FormatError::UnknownFormat {
        path: Location::file(path),
        reason: reason.to_owned(),
    };
    if path.is_dir() {
        if !files_with_extension(path, "ann")?.is_empty() {
            return Ok(ImportFormat::Brat);
        }
        if !files_with_extension(path, "txt")?.is_empty() {
            return Ok(ImportFormat::Text);
        }
        return Err(unknown("a folder without .ann or .txt files"));
    }
    if !path.exists() {
        return Err(FormatError::io(
            path,
            "cannot read",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "ann" => return Ok(ImportFormat::Brat),
        "conll" | "conllu" | "bio" | "iob" | "iob2" | "bioes" | "bilou" | "tsv" => {
            return Ok(ImportFormat::Conll);
        }
        _ => {}
    }
    let text = read_text_file(path)?;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if first.starts_with('{') || first.starts_with('[') {
        return Ok(json_kind(&text));
    }
    if matches!(ext.as_str(), "json" | "jsonl" | "ndjson") {
        return Err(unknown("a JSON file whose first line is not an object"));
    }
    if ext == "txt" {
        return Ok(ImportFormat::Text);
    }
    if looks_like_conll(&text) {
        return Ok(ImportFormat::Conll);
    }
    Ok(ImportFormat::Text)
}

/// Spans, Prodigy or doccano, from the first record that parses.
fn json_kind(text: &str) -> ImportFormat {
    let first = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| match v {
            Value::Object(o) => Some(o),
            Value::Array(items) => items.into_iter().find_map(|i| match i {
                Value::Object(o) => Some(o),
                _ => None,
            }),
            _ => None,
        });
    let Some(obj) = first else {
        return ImportFormat::Doccano;
    };
    if obj.contains_key("doc") && obj.contains_key("kind") {
        ImportFormat::Spans
    } else if obj.contains_key("tokens") || obj.contains_key("spans") || obj.contains_key("answer")
    {
        ImportFormat::Prodigy
    } else {
        ImportFormat::Doccano
    }
}

/// Whether most non-blank lines of the first hundred have 2+ columns ending in a tag.
fn looks_like_conll(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(100)
        .collect();
    if lines.is_empty() {
        return false;
    }
    let tagged = lines
        .iter()
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len() >= 2 && cols.last().is_some_and(|t| super::conll::is_tag(t))
        })
        .count();
    tagged * 10 >= lines.len() * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_name_and_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases = [
            (
                "a.jsonl",
                r#"{"doc":"x","kind":"entity","start":0}"#,
                ImportFormat::Spans,
            ),
            (
                "b.jsonl",
                r#"{"text":"x","tokens":[],"spans":[]}"#,
                ImportFormat::Prodigy,
            ),
            (
                "c.jsonl",
                r#"{"text":"x","label":[[0,1,"A"]]}"#,
                ImportFormat::Doccano,
            ),
            ("d.json", "[\n{\"text\":\"x\"}]", ImportFormat::Doccano),
            ("e.conll", "EU B-ORG\n", ImportFormat::Conll),
            (
                "f.data",
                "EU\tB-ORG\nrejects\tO\n\n-DOCSTART-\tO\n",
                ImportFormat::Conll,
            ),
            (
                "g.data",
                "Gewoon een tekst.\nMet twee regels.",
                ImportFormat::Text,
            ),
            ("h.txt", "Tekst", ImportFormat::Text),
            ("i.ann", "T1\tPER 0 1\tx", ImportFormat::Brat),
        ];
        for (name, content, want) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, content).expect("write");
            assert_eq!(detect_format(&path).expect(name), want, "{name}");
        }
        assert_eq!(
            detect_format(dir.path()).expect("folder"),
            ImportFormat::Brat
        );
        let empty = tempfile::tempdir().expect("tempdir");
        let err = detect_format(empty.path()).expect_err("empty folder");
        assert!(err.to_string().contains("cannot tell the format"), "{err}");
        assert!(detect_format(&dir.path().join("missing.jsonl")).is_err());
    }
}
