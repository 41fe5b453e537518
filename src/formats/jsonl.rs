//! A tolerant reader of JSON records: JSON Lines (one object a line), a JSON array of
//! objects, or objects pretty-printed over several lines (doccano's relation export). Bad
//! lines are returned as skips with their line number so the rest still imports.
//!
//! An import reads the file a piece of whole lines at a time ([`import_each_prepared`]):
//! one piece is read ahead on a thread of its own, the one before is parsed on every
//! core, and the one before that is handed to the builder, which may apply it to the
//! project ([`super::builder::Builder::checkpoint`]); so an import of a big file holds a
//! few pieces besides the project, never the whole file.

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
    let lines = numbered_lines(text, 1);
    let mut bad = Vec::new();
    let total = lines.len().max(1) as f32;
    let mut done = 0;
    read_lines(path, &lines, make, &mut |batch| {
        done += batch.len();
        for (_, _, line) in batch {
            line.records.into_iter().for_each(&mut *take);
            bad.extend(line.bad);
        }
        progress(done as f32 / total);
    });
    bad
}

/// What was read on one line: its number, its offset in its piece, and the read.
type LineReadAt<R> = (usize, usize, LineRead<R>);

/// Reads `lines` on every core ([`read_line`], each object made into an `R` by `make`)
/// and hands each batch's reads — (line number, offset, what was read) — to `take` on
/// this thread, in the lines' order.
fn read_lines<R: Send, S: Default>(
    path: &Path,
    lines: &[NumberedLine<'_>],
    make: &(impl Fn(&mut S, usize, Map<String, Value>) -> R + Sync),
    take: &mut dyn FnMut(Vec<LineReadAt<R>>),
) {
    let done: Result<(), std::convert::Infallible> = crate::parallel::for_each_batch_in_order(
        lines,
        LINES_PER_BATCH,
        |batch| {
            let mut state = S::default();
            batch
                .iter()
                .map(|line| {
                    let read = read_line(path, line.number, line.text, &mut |at, object| {
                        make(&mut state, at, object)
                    });
                    (line.number, line.offset, read)
                })
                .collect::<Vec<_>>()
        },
        |batch| {
            take(batch);
            Ok(())
        },
    );
    if let Err(never) = done {
        match never {}
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
    as_stream_from(text, 1)
}

/// [`as_stream`] for a text whose first line is line `first_line` of its file.
fn as_stream_from(text: &str, first_line: usize) -> Option<Vec<Record>> {
    let mut records = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut consumed = 0;
    // Lines are counted incrementally: recounting from the start for every record would be
    // quadratic in the file size.
    let mut line = first_line;
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
/// stream of JSON values (objects written over several lines), the stream's records are
/// taken instead. `b` must be a builder nothing was added to yet.
///
/// The file is read a piece of whole lines at a time ([`Pieces`]), and the builder gets a
/// [`super::builder::Builder::checkpoint`] after each piece. The stream is looked for
/// from the first bad line on: the lines before it are the stream's first values, read the
/// same either way. A file that is not plain UTF-8 (a byte order mark, or bytes that are
/// not UTF-8) is decoded whole, as [`read_text_file`] does, since its encoding is guessed
/// from all of it; the builder then starts over if it was given records already.
pub fn import_each_prepared<P: Send + FirstIds, S: Default>(
    b: &mut super::builder::Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
    prepare: impl Fn(&mut S, &Location, &crate::model::DocId, usize, Map<String, Value>) -> P + Sync,
    mut add: impl FnMut(&mut super::builder::Builder, &Location, &crate::model::DocId, P),
) -> Result<(), FormatError> {
    let stem = super::text::stem_id(path);
    let make = |state: &mut S, line: usize, object: Map<String, Value>| {
        let at = Location::line(path, line);
        let prepared = prepare(state, &at, &stem, line, object);
        (at, prepared)
    };
    let pieces = Pieces::open(path)?;
    let pieces_size = pieces.size;
    let size = pieces.size.max(1) as f32;
    let mut records = 0;
    let mut bad: Vec<BadRecord> = Vec::new();
    let mut looked_for_stream = false;
    let turn = std::thread::scope(|scope| -> Result<Option<Turn>, FormatError> {
        // Three stages: a piece is read ahead on one thread while the one before is
        // parsed on every core, and the one before that is given to the builder here.
        let (sender, read) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            let mut pieces = pieces;
            loop {
                let next = pieces.next_piece();
                let last = !matches!(next, Ok(Some(_)));
                if let Some(next) = next.transpose()
                    && sender.send(next).is_err()
                {
                    break;
                }
                if last {
                    break;
                }
            }
        });
        let (sender, parsed) = std::sync::mpsc::sync_channel(0);
        let make = &make;
        scope.spawn(move || {
            for next in read {
                let parsed = next.map(|piece| parse_piece(path, &piece, make));
                if sender.send(parsed).is_err() {
                    break;
                }
            }
        });
        for next in parsed {
            let piece = match next {
                Ok(piece) => piece,
                Err(PieceError::NotPlainUtf8) => return Ok(Some(Turn::Whole)),
                Err(PieceError::Failed(e)) => return Err(e),
            };
            let mut firsts = Vec::new();
            for (_, _, read) in &piece.lines {
                for (_, prepared) in &read.records {
                    prepared.first_ids(&mut firsts);
                }
            }
            b.look_up_first_ids(firsts);
            for (number, offset, read) in piece.lines {
                if !read.bad.is_empty() && !looked_for_stream {
                    looked_for_stream = true;
                    let from = piece.start + offset as u64;
                    if rest_is_stream(path, from) {
                        return Ok(Some(Turn::Stream { from, line: number }));
                    }
                }
                records += read.records.len();
                for (at, prepared) in read.records {
                    add(b, &at, &stem, prepared);
                }
                bad.extend(read.bad);
            }
            progress(piece.end as f32 / size);
            // The last piece (often a short one) is applied with the one before it: every
            // checkpoint then adds at least a piece's records, which the project's index
            // takes in one merge (a few additions go in one by one, each growing its part
            // of the index).
            if pieces_size.saturating_sub(piece.end) >= PIECE_BYTES as u64 {
                b.checkpoint()?;
            }
        }
        Ok(None)
    })?;
    match turn {
        None => {}
        Some(Turn::Stream { from, line }) => {
            let rest = read_rest(path, from)?;
            let Some(stream) = rest.as_deref().and_then(|rest| as_stream_from(rest, line)) else {
                // Not the stream it looked like after all (not UTF-8): read it whole.
                b.start_over();
                return import_whole_text(b, path, progress, &make, &mut add);
            };
            drop(rest);
            let mut state = S::default();
            for r in stream {
                let (at, prepared) = make(&mut state, r.line, r.object);
                add(b, &at, &stem, prepared);
                records += 1;
            }
            b.checkpoint()?;
        }
        Some(Turn::Whole) => {
            b.start_over();
            return import_whole_text(b, path, progress, &make, &mut add);
        }
    }
    finish_lines(b, path, records, bad)
}

/// A piece's lines parsed: each line's number, place in the piece and what it held.
struct ParsedPiece<R> {
    /// Where the piece starts in the file, in bytes.
    start: u64,
    /// Where it ends.
    end: u64,
    /// Its non-blank lines in order: number, offset in the piece, what was read.
    lines: Vec<LineReadAt<R>>,
}

/// Parses the lines of `piece` on every core, each object made into an `R` by `make`.
fn parse_piece<R: Send, S: Default>(
    path: &Path,
    piece: &Piece,
    make: &(impl Fn(&mut S, usize, Map<String, Value>) -> R + Sync),
) -> ParsedPiece<R> {
    let lines = numbered_lines(&piece.text, piece.first_line);
    let mut parsed = Vec::with_capacity(lines.len());
    read_lines(path, &lines, make, &mut |batch| parsed.extend(batch));
    ParsedPiece {
        start: piece.start,
        end: piece.start + piece.text.len() as u64,
        lines: parsed,
    }
}

/// A record prepared on a worker, as [`import_each_prepared`] gives it to the builder:
/// the first ids of its entities ([`super::builder::PreparedEntity`]) are looked up in
/// the project for a whole piece at once ([`super::builder::Builder::look_up_first_ids`]).
pub trait FirstIds {
    /// Appends the first ids of the record's entities (none by default).
    fn first_ids(&self, _ids: &mut Vec<crate::model::AnnotationId>) {}
}

impl FirstIds for (usize, Map<String, Value>) {}

/// The end of a read by lines: an error when no record was read (the first bad line's,
/// or that the file is empty), else the bad lines reported before everything else.
fn finish_lines(
    b: &mut super::builder::Builder,
    path: &Path,
    records: usize,
    bad: Vec<BadRecord>,
) -> Result<(), FormatError> {
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

/// [`import_each_prepared`] over the whole text of the file decoded at once: for a file
/// that is not plain UTF-8.
fn import_whole_text<P: Send, S: Default>(
    b: &mut super::builder::Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
    make: &(impl Fn(&mut S, usize, Map<String, Value>) -> (Location, P) + Sync),
    add: &mut impl FnMut(&mut super::builder::Builder, &Location, &crate::model::DocId, P),
) -> Result<(), FormatError> {
    let text = read_text_file(path)?;
    let stem = super::text::stem_id(path);
    let mut records = 0;
    let bad = each_line(path, &text, progress, make, &mut |(at, prepared)| {
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
    finish_lines(b, path, records, bad)
}

/// Why a read by pieces stopped before the end of the file.
enum Turn {
    /// The rest of the file, from byte `from` (line `line`), is a stream of JSON values.
    Stream { from: u64, line: usize },
    /// The file is not plain UTF-8: it is read whole.
    Whole,
}

/// Bytes of a file read at a time by [`Pieces`] (then up to the end of the line): bounds
/// what an import holds besides the project — the piece being parsed, the one read
/// ahead, and the records made from them until the builder's checkpoint.
#[cfg(not(test))]
const PIECE_BYTES: usize = 8 << 20;

/// Small pieces under test, so the files of the tests are read in many of them.
#[cfg(test)]
pub(super) const PIECE_BYTES: usize = 4096;

/// Whole lines of a file.
struct Piece {
    /// Their text: UTF-8 without a byte order mark or NUL bytes.
    text: String,
    /// The number of the first line (1-based).
    first_line: usize,
    /// Where the piece starts in the file, in bytes.
    start: u64,
}

/// Why a file cannot be read by [`Pieces`].
#[derive(Debug)]
enum PieceError {
    /// A byte order mark, or bytes that are not UTF-8: the file is to be decoded whole.
    NotPlainUtf8,
    /// The file cannot be read, or it is not text (NUL bytes): the import's error.
    Failed(FormatError),
}

/// A file read in [`Piece`]s of whole lines, with the checks [`read_text_file`] makes
/// (size, NUL bytes with their line).
struct Pieces {
    path: std::path::PathBuf,
    file: std::fs::File,
    /// The file's size in bytes.
    size: u64,
    /// The start of a line read past the end of the last piece.
    carry: Vec<u8>,
    /// The number of the next piece's first line.
    next_line: usize,
    /// Where the next piece starts.
    offset: u64,
}

impl Pieces {
    /// Opens `path`; files larger than [`crate::io::corpus::MAX_TEXT_BYTES`] are refused
    /// as [`read_text_file`] refuses them.
    fn open(path: &Path) -> Result<Self, FormatError> {
        let file =
            std::fs::File::open(path).map_err(|e| FormatError::io(path, "cannot read", e))?;
        let size = file
            .metadata()
            .map_err(|e| FormatError::io(path, "cannot read", e))?
            .len();
        if size > crate::io::corpus::MAX_TEXT_BYTES {
            return Err(FormatError::invalid(
                path,
                None,
                format!("{size} bytes is more than spantag reads from one file"),
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            size,
            carry: Vec::new(),
            next_line: 1,
            offset: 0,
        })
    }

    /// The next piece: about [`PIECE_BYTES`], up to and with the end of a line (the last
    /// piece ends where the file does); `None` at the end.
    fn next_piece(&mut self) -> Result<Option<Piece>, PieceError> {
        use std::io::Read;
        let failed = |e| PieceError::Failed(FormatError::io(&self.path, "cannot read", e));
        let mut bytes = Vec::with_capacity(self.carry.len() + PIECE_BYTES);
        bytes.append(&mut self.carry);
        let mut at_end = false;
        loop {
            let before = bytes.len();
            let read = (&mut self.file)
                .take(PIECE_BYTES as u64)
                .read_to_end(&mut bytes)
                .map_err(failed)?;
            if read == 0 {
                at_end = true;
                break;
            }
            if bytes
                .get(before..)
                .is_some_and(|new| memchr::memchr(b'\n', new).is_some())
            {
                break;
            }
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        if !at_end && let Some(newline) = memchr::memrchr(b'\n', &bytes) {
            self.carry = bytes.split_off(newline + 1);
        }
        if self.offset == 0 && encoding_rs::Encoding::for_bom(&bytes).is_some() {
            return Err(PieceError::NotPlainUtf8);
        }
        let text = String::from_utf8(bytes).map_err(|_| PieceError::NotPlainUtf8)?;
        if let Some(nul) = memchr::memchr(0, text.as_bytes()) {
            let before = text.as_bytes().get(..nul).unwrap_or_default();
            let line = self.next_line + memchr::memchr_iter(b'\n', before).count();
            return Err(PieceError::Failed(FormatError::invalid(
                &self.path,
                Some(line),
                "contains NUL bytes, so it looks binary, not text",
            )));
        }
        let piece = Piece {
            first_line: self.next_line,
            start: self.offset,
            text,
        };
        self.next_line += memchr::memchr_iter(b'\n', piece.text.as_bytes()).count();
        self.offset += piece.text.len() as u64;
        Ok(Some(piece))
    }
}

/// A non-blank line of a piece.
struct NumberedLine<'a> {
    /// Its number in the file (1-based).
    number: usize,
    /// Where it starts in the piece, in bytes.
    offset: usize,
    /// Its text, without the line ending.
    text: &'a str,
}

/// The non-blank lines of `text` (whose first line is `first_line`), split as
/// [`str::lines`] splits them: at `\n`, with a `\r` before it taken off too.
fn numbered_lines(text: &str, first_line: usize) -> Vec<NumberedLine<'_>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = match raw.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => raw,
        };
        if !line.trim().is_empty() {
            lines.push(NumberedLine {
                number: first_line + i,
                offset,
                text: line,
            });
        }
        offset += raw.len();
    }
    lines
}

/// Whether the file from byte `from` to its end is a stream of JSON values that are
/// objects or arrays of objects (what [`as_stream`] takes), read one value at a time. A
/// bad line of a JSON Lines file fails at once.
fn rest_is_stream(path: &Path, from: u64) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.seek(SeekFrom::Start(from)).is_err() {
        return false;
    }
    serde_json::Deserializer::from_reader(std::io::BufReader::new(file))
        .into_iter::<Value>()
        .all(|value| match value {
            Ok(Value::Object(_)) => true,
            Ok(Value::Array(items)) => items.iter().all(Value::is_object),
            _ => false,
        })
}

/// The file from byte `from` to its end, as text; `None` when it is not UTF-8.
fn read_rest(path: &Path, from: u64) -> Result<Option<String>, FormatError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut file| {
            file.seek(SeekFrom::Start(from))?;
            file.read_to_end(&mut bytes)
        })
        .map_err(|e| FormatError::io(path, "cannot read", e))?;
    Ok(String::from_utf8(bytes).ok())
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

    /// The pieces of a file give its lines as `str::lines` gives them (numbers, text,
    /// blank lines left out), whatever falls on a piece's edge: CR LF, a last line without
    /// a newline, a line longer than a piece.
    #[test]
    fn pieces_give_the_lines_of_the_whole_text() {
        let long = "x".repeat(3 * PIECE_BYTES);
        let mut content = String::new();
        for i in 0..2000 {
            match i % 7 {
                0 => content.push_str("\r\n"),
                1 => content.push_str(&format!("{{\"n\": {i}, \"t\": \"é😀\"}}\r\n")),
                2 if i % 500 == 2 => content.push_str(&format!("{{\"long\": \"{long}\"}}\n")),
                3 => content.push_str("  \n"),
                _ => content.push_str(&format!("{{\"n\": {i}}}\n")),
            }
        }
        content.push_str("{\"last\": true}\r");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lines.jsonl");
        std::fs::write(&path, &content).expect("write");
        let mut pieces = Pieces::open(&path).expect("open");
        let (mut got, mut count) = (Vec::new(), 0);
        while let Some(piece) = pieces.next_piece().expect("piece") {
            count += 1;
            for line in numbered_lines(&piece.text, piece.first_line) {
                let start = piece.start as usize + line.offset;
                assert_eq!(content.get(start..start + line.text.len()), Some(line.text));
                got.push((line.number, line.text.to_owned()));
            }
        }
        let want: Vec<(usize, String)> = content
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l.to_owned()))
            .collect();
        assert!(count > 5, "{count} pieces");
        assert_eq!(got, want);
    }
}
