//! A tolerant reader of JSON records: JSON Lines (one object a line), a JSON array of
//! objects, or objects pretty-printed over several lines (doccano's relation export). Bad
//! lines are returned as skips with their line number so the rest still imports.

use super::error::{FormatError, Location};
use super::text::read_text_file;
use serde_json::{Map, Value};
use std::path::Path;

/// One JSON object and the line it starts on (1-based).
pub struct Record {
    /// Line where the object starts.
    pub line: usize,
    /// The object.
    pub object: Map<String, Value>,
}

/// A record that could not be read: where and why.
pub struct BadRecord {
    /// File and line.
    pub at: Location,
    /// What is wrong.
    pub message: String,
}

/// Reads every JSON object of `path`. Fails only when the file cannot be read or when no
/// record at all can be read (then with the first problem and its line).
pub fn read_records(path: &Path) -> Result<(Vec<Record>, Vec<BadRecord>), FormatError> {
    let text = read_text_file(path)?;
    let (mut records, mut bad) = by_lines(path, &text);
    if !bad.is_empty()
        && let Some(stream) = as_stream(&text)
    {
        records = stream;
        bad = Vec::new();
    }
    if records.is_empty() && bad.is_empty() {
        return Err(FormatError::invalid(
            path,
            None,
            "the file is empty (no JSON records)",
        ));
    }
    if records.is_empty()
        && let Some(first) = bad.first()
    {
        return Err(FormatError::Json {
            at: first.at.clone(),
            message: first.message.clone(),
        });
    }
    Ok((records, bad))
}

/// The name of a JSON value's type, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn by_lines(path: &Path, text: &str) -> (Vec<Record>, Vec<BadRecord>) {
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut push_bad = |message: String| {
            bad.push(BadRecord {
                at: Location::line(path, line_no),
                message,
            })
        };
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => records.push(Record {
                line: line_no,
                object,
            }),
            Ok(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::Object(object) => records.push(Record {
                            line: line_no,
                            object,
                        }),
                        other => push_bad(format!(
                            "expected a JSON object, found {}",
                            type_name(&other)
                        )),
                    }
                }
            }
            Ok(other) => push_bad(format!(
                "expected a JSON object, found {}",
                type_name(&other)
            )),
            Err(e) => push_bad(format!("expected a JSON object: {e}")),
        }
    }
    (records, bad)
}

/// The whole text as a stream of JSON values (objects, or arrays of objects), or `None`
/// when any part of it is not.
fn as_stream(text: &str) -> Option<Vec<Record>> {
    let mut records = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut consumed = 0;
    // Lines are counted incrementally: recounting from the start for every record would be
    // quadratic in the file size.
    let mut line = 1;
    while let Some(item) = stream.next() {
        let value = item.ok()?;
        let before = text.get(consumed..)?;
        let skipped_ws = before.len() - before.trim_start().len();
        line += before.get(..skipped_ws)?.matches('\n').count();
        let record_start = consumed + skipped_ws;
        consumed = stream.byte_offset();
        let next_line = line + text.get(record_start..consumed)?.matches('\n').count();
        match value {
            Value::Object(object) => records.push(Record { line, object }),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(object) => records.push(Record { line, object }),
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
        line = next_line;
    }
    Some(records)
}

/// Reads a JSONL file record by record: unreadable lines are reported as skipped (with
/// their line) and every readable record goes to `one` with its location and the file's
/// stem (the default document id); progress is reported as records are done.
pub fn import_each(
    b: &mut super::builder::Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
    mut one: impl FnMut(
        &mut super::builder::Builder,
        &Location,
        &crate::model::DocId,
        usize,
        Map<String, Value>,
    ),
) -> Result<(), FormatError> {
    let records = read_records_reporting(b, path)?;
    let stem = super::text::stem_id(path);
    let total = records.len().max(1) as f32;
    for (i, record) in records.into_iter().enumerate() {
        let at = Location::line(path, record.line);
        one(b, &at, &stem, record.line, record.object);
        progress((i + 1) as f32 / total);
    }
    Ok(())
}

/// The readable records of a JSONL file; unreadable lines are reported as skipped.
pub fn read_records_reporting(
    b: &mut super::builder::Builder,
    path: &Path,
) -> Result<Vec<Record>, FormatError> {
    let (records, bad) = read_records(path)?;
    for r in bad {
        b.skip(&r.at, "unreadable line", Some(r.message));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &str) -> Result<(Vec<usize>, Vec<String>), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("data.jsonl");
        std::fs::write(&path, content).map_err(|e| e.to_string())?;
        read_records(&path)
            .map(|(r, b)| {
                (
                    r.iter().map(|r| r.line).collect(),
                    b.iter()
                        .map(|b| format!("{}: {}", b.at.line.unwrap_or(0), b.message))
                        .collect(),
                )
            })
            .map_err(|e| e.to_string().replace(&dir.path().display().to_string(), ""))
    }

    #[test]
    fn lines_arrays_and_pretty_printed_objects() {
        assert_eq!(read("{\"a\":1}\n\n{\"b\":2}\n"), Ok((vec![1, 3], vec![])));
        assert_eq!(read("[{\"a\":1},{\"b\":2}]"), Ok((vec![1, 1], vec![])));
        assert_eq!(
            read("{\n  \"a\": 1\n}\n{\n \"b\": [1,\n 2]}\n"),
            Ok((vec![1, 4], vec![]))
        );
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let got = read("{\"a\":1}\n{\"text\": \"trunc\n42\n").expect("some records");
        assert_eq!(got.0, vec![1]);
        assert_eq!(got.1.len(), 2);
        assert!(
            got.1[0].starts_with("2: expected a JSON object: EOF"),
            "{:?}",
            got.1
        );
        assert_eq!(got.1[1], "3: expected a JSON object, found a number");
    }

    #[test]
    fn nothing_readable_is_an_error_naming_file_and_line() {
        let err = read("\n{\"text\": ").expect_err("error");
        assert!(
            err.starts_with("/data.jsonl:2: expected a JSON object"),
            "{err}"
        );
    }
}
