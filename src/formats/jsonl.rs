//! A tolerant reader of JSON records: JSON Lines (one object a line), a JSON array of
//! objects, or objects pretty-printed over several lines (doccano's relation export). Bad
//! lines are returned as skips with their line number so the rest still imports.

use super::error::{FormatError, Location};
use super::report::Skipped;
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
    read_records_with(path, &mut |_| {}, |_: &mut (), line, object| Record {
        line,
        object,
    })
}

/// [`read_records`] with each object made into an `R` by `make` (given its line) as it is
/// read: the lines are parsed and made on every core (see [`crate::parallel`]), and the
/// results come back in the file's order. `make` also gets a scratch state `S` kept for a
/// batch of lines on one core (a name interner, say). `progress` goes from 0 to 1 over
/// the lines.
pub fn read_records_with<R: Send, S: Default>(
    path: &Path,
    progress: &mut dyn FnMut(f32),
    make: impl Fn(&mut S, usize, Map<String, Value>) -> R + Sync,
) -> Result<(Vec<R>, Vec<BadRecord>), FormatError> {
    let text = read_text_file(path)?;
    let (mut records, mut bad) = by_lines(path, &text, progress, &make);
    if !bad.is_empty()
        && let Some(stream) = as_stream(&text)
    {
        let mut state = S::default();
        records = stream
            .into_iter()
            .map(|r| make(&mut state, r.line, r.object))
            .collect();
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

/// What one line held: its objects (made into `R`) and what was wrong with it.
struct LineRead<R> {
    records: Vec<R>,
    bad: Vec<BadRecord>,
}

/// Lines parsed together on one core: enough that handing a batch over costs little.
const LINES_PER_BATCH: usize = 64;

/// Every non-blank line as a JSON object (or an array of them), parsed on every core; the
/// records and the bad lines each in the file's order.
fn by_lines<R: Send, S: Default>(
    path: &Path,
    text: &str,
    progress: &mut dyn FnMut(f32),
    make: &(impl Fn(&mut S, usize, Map<String, Value>) -> R + Sync),
) -> (Vec<R>, Vec<BadRecord>) {
    let mut records = Vec::new();
    let bad = each_line(path, text, progress, make, &mut |record| {
        records.push(record)
    });
    (records, bad)
}

/// Parses every non-blank line on every core ([`read_line`]) and hands each record to
/// `take` on this thread in the file's order, as soon as its batch and those before it
/// are done; returns the bad lines in order.
fn each_line<R: Send, S: Default>(
    path: &Path,
    text: &str,
    progress: &mut dyn FnMut(f32),
    make: &(impl Fn(&mut S, usize, Map<String, Value>) -> R + Sync),
    take: &mut dyn FnMut(R),
) -> Vec<BadRecord> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, line))
        .collect();
    let mut bad = Vec::new();
    let total = lines.len().max(1) as f32;
    let mut done = 0;
    let read: Result<(), std::convert::Infallible> = crate::parallel::for_each_batch_in_order(
        &lines,
        LINES_PER_BATCH,
        |batch| {
            let mut state = S::default();
            batch
                .iter()
                .map(|&(line_no, line)| {
                    read_line(path, line_no, line, &mut |line, object| {
                        make(&mut state, line, object)
                    })
                })
                .collect::<Vec<_>>()
        },
        |batch| {
            done += batch.len();
            for line in batch {
                line.records.into_iter().for_each(&mut *take);
                bad.extend(line.bad);
            }
            progress(done as f32 / total);
            Ok(())
        },
    );
    match read {
        Ok(()) => bad,
        Err(never) => match never {},
    }
}

/// One line: a JSON object, or an array of objects; anything else is a bad line.
fn read_line<R>(
    path: &Path,
    line_no: usize,
    line: &str,
    make: &mut impl FnMut(usize, Map<String, Value>) -> R,
) -> LineRead<R> {
    let mut read = LineRead {
        records: Vec::new(),
        bad: Vec::new(),
    };
    let push_bad = |bad: &mut Vec<BadRecord>, message: String| {
        bad.push(BadRecord {
            at: Location::line(path, line_no),
            message,
        })
    };
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => read.records.push(make(line_no, object)),
        Ok(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(object) => read.records.push(make(line_no, object)),
                    other => push_bad(
                        &mut read.bad,
                        format!("expected a JSON object, found {}", type_name(&other)),
                    ),
                }
            }
        }
        Ok(other) => push_bad(
            &mut read.bad,
            format!("expected a JSON object, found {}", type_name(&other)),
        ),
        Err(e) => push_bad(&mut read.bad, format!("expected a JSON object: {e}")),
    }
    read
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
    import_each_prepared(
        b,
        path,
        progress,
        |_: &mut (), _, _, line, object| (line, object),
        |b, at, stem, (line, object)| one(b, at, stem, line, object),
    )
}

/// [`import_each`] in two steps: `prepare` reads each record apart from the project (on
/// every core, as the lines are parsed; it gets a scratch state kept for a batch of
/// lines, the record's location, the file's stem and line), then `add` gives each
/// prepared record to the builder on this thread, in the file's order, while the workers
/// parse the lines after it. The result is the same as reading every record first and
/// then adding them one by one ([`read_records`]): bad lines are reported before the
/// records' own skips, and when the lines hold bad ones but the whole text reads as a
/// stream of JSON values (objects written over several lines), the builder starts over
/// and takes the stream's records. `b` must be a builder nothing was added to yet.
pub fn import_each_prepared<P: Send, S: Default>(
    b: &mut super::builder::Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
    prepare: impl Fn(&mut S, &Location, &crate::model::DocId, usize, Map<String, Value>) -> P + Sync,
    mut add: impl FnMut(&mut super::builder::Builder, &Location, &crate::model::DocId, P),
) -> Result<(), FormatError> {
    let text = read_text_file(path)?;
    let stem = super::text::stem_id(path);
    let make = |state: &mut S, line: usize, object: Map<String, Value>| {
        let at = Location::line(path, line);
        let prepared = prepare(state, &at, &stem, line, object);
        (at, prepared)
    };
    let mut records = 0;
    let bad = each_line(path, &text, progress, &make, &mut |(at, prepared)| {
        records += 1;
        add(b, &at, &stem, prepared);
    });
    if !bad.is_empty()
        && let Some(stream) = as_stream(&text)
    {
        b.start_over();
        if stream.is_empty() {
            return Err(FormatError::invalid(
                path,
                None,
                "the file is empty (no JSON records)",
            ));
        }
        let mut state = S::default();
        let total = stream.len().max(1) as f32;
        for (i, r) in stream.into_iter().enumerate() {
            let (at, prepared) = make(&mut state, r.line, r.object);
            add(b, &at, &stem, prepared);
            progress((i + 1) as f32 / total);
        }
        return Ok(());
    }
    if records == 0 {
        return Err(match bad.into_iter().next() {
            None => FormatError::invalid(path, None, "the file is empty (no JSON records)"),
            Some(first) => FormatError::Json {
                at: first.at,
                message: first.message,
            },
        });
    }
    b.skip_first(
        bad.into_iter()
            .map(|r| Skipped {
                at: r.at,
                reason: "unreadable line".to_owned(),
                detail: Some(r.message),
            })
            .collect(),
    );
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
    fn many_lines_come_back_in_file_order_with_their_numbers() {
        // More lines than one batch of the parallel parse, with blank and bad lines.
        let mut content = String::new();
        let (mut records, mut bad) = (Vec::new(), Vec::new());
        for line in 1..=1000 {
            match line % 97 {
                0 => {
                    content.push_str("42\n");
                    bad.push(format!("{line}: expected a JSON object, found a number"));
                }
                13 => content.push_str(" \n"),
                _ => {
                    content.push_str(&format!("{{\"n\": {line}}}\n"));
                    records.push(line);
                }
            }
        }
        assert_eq!(read(&content), Ok((records, bad)));
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
