//! The fast path for reading one document of a project file: a parser for the RON spantag
//! writes, about four times quicker than going through `ron` and serde.
//!
//! It reads exactly the shapes of [`DocumentFile`] — the pretty output of the writer, plus
//! what hand edits usually bring (other whitespace between tokens, another field order,
//! trailing commas, `None` written out) — and gives up (`None`) at anything else:
//! comments, raw strings, struct names, `\x` escapes, unknown or repeated fields, numbers
//! in another base, any whitespace but ASCII's. The caller then parses that document with
//! `ron`, whose result and error message count. So the fast path never accepts what `ron`
//! rejects, and what it accepts it reads as `ron` does; tests compare the two on
//! everything the writer produces and on thousands of damaged documents, and the
//! `fast_document` fuzz target keeps comparing them.

use super::{AnnotationFile, DocumentFile, KindFile, SpansFile, StatusFile};
use crate::model::{Interner, Name};
use std::collections::BTreeMap;

/// One document's RON (what the document splitter cuts out of the `documents` list), or
/// `None` when it is anything but the plain shape this parser knows.
pub(super) fn document(text: &str) -> Option<DocumentFile> {
    document_sharing(text, &mut Interner::default())
}

/// [`document`], its labels, targets and polarities shared through `names` (read without
/// a copy of their own when they are already there).
pub(super) fn document_sharing(text: &str, names: &mut Interner) -> Option<DocumentFile> {
    let mut p = Parser { text, at: 0, names };
    let document = p.document()?;
    p.skip_ws();
    (p.at == text.len()).then_some(document)
}

/// A cursor over the text; every method returns `None` for input outside the subset.
struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte; always on a character boundary.
    at: usize,
    /// Labels, targets and polarities read so far.
    names: &'a mut Interner,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips ASCII whitespace only: `ron` also skips comments and a few Unicode spaces,
    /// which the next expected token then refuses.
    fn skip_ws(&mut self) {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        self.at += rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
            .unwrap_or(rest.len());
    }

    /// Takes `byte` right here, without skipping whitespace before it.
    fn take(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Skips whitespace and takes `byte`.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        self.take(byte)
    }

    /// Skips whitespace and takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        self.take(byte).is_some()
    }

    /// After an element of a list, struct or map: `true` for another element (or a
    /// trailing comma), `false` when `close` ended it.
    fn next_element(&mut self, close: u8) -> Option<bool> {
        if self.eat(b',') {
            Some(true)
        } else {
            self.take(close).map(|()| false)
        }
    }

    /// An identifier: ASCII letters, digits and `_`, not starting with a digit.
    fn ident(&mut self) -> Option<&'a str> {
        self.skip_ws();
        let start = self.at;
        let bytes = self.text.as_bytes();
        if !bytes.get(start)?.is_ascii_alphabetic() {
            return None;
        }
        let len = bytes
            .get(start..)?
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        self.at += len;
        self.text.get(start..self.at)
    }

    /// A decimal number: digits only, no leading zero, no sign, suffix or separator.
    fn number(&mut self) -> Option<u64> {
        self.skip_ws();
        let rest = self.text.as_bytes().get(self.at..)?;
        // One pass: the digits are summed as they are counted (ids have about 19).
        let mut value = 0u64;
        let mut digits = 0;
        for &b in rest {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            digits += 1;
        }
        if digits == 0 || (digits > 1 && rest.first() == Some(&b'0')) {
            return None;
        }
        self.at += digits;
        // `1_000`, `1.5`, `1e3`, `5u8`, `0x10`: all for `ron`.
        match self.peek() {
            Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' => None,
            _ => Some(value),
        }
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.number()?).ok()
    }

    /// A `"…"` string with the escapes the writer uses (`\\ \" \' \n \r \t \0 \u{…}`).
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut out = String::with_capacity(self.written_length());
        loop {
            let rest = self.text.get(self.at..)?;
            let stop = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
            out.push_str(rest.get(..stop)?);
            self.at += stop + 1;
            if rest.as_bytes().get(stop) == Some(&b'"') {
                return Some(out);
            }
            let escaped = match self.peek()? {
                b'\\' => '\\',
                b'"' => '"',
                b'\'' => '\'',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'0' => '\0',
                b'u' => {
                    self.at += 1;
                    self.take(b'{')?;
                    let digits = self
                        .text
                        .as_bytes()
                        .get(self.at..)?
                        .iter()
                        .take_while(|b| b.is_ascii_hexdigit())
                        .count();
                    if !(1..=6).contains(&digits) {
                        return None;
                    }
                    let hex = self.text.get(self.at..self.at + digits)?;
                    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                    self.at += digits;
                    if self.peek()? != b'}' {
                        return None;
                    }
                    c
                }
                // `\x…` byte escapes and `\` + newline continuations are for `ron`.
                _ => return None,
            };
            self.at += 1;
            out.push(escaped);
        }
    }

    /// A string shared through the parser's names: one without escapes (every label
    /// the writer writes but odd ones) is looked up where it lies, without a copy.
    fn name(&mut self) -> Option<Name> {
        self.skip_ws();
        let rest = self.text.get(self.at..)?;
        if rest.as_bytes().first() == Some(&b'"') {
            let body = rest.get(1..)?;
            if let Some(stop) = memchr::memchr2(b'"', b'\\', body.as_bytes())
                && body.as_bytes().get(stop) == Some(&b'"')
            {
                let name = self.names.name(body.get(..stop)?);
                self.at += stop + 2;
                return Some(name);
            }
        }
        let owned = self.string()?;
        Some(self.names.name_owned(owned))
    }

    /// How many bytes the string starting here takes as written, up to its closing quote
    /// (a quote after an even number of backslashes): at least the length of the string
    /// it stands for, so reading it never grows the buffer (a document's text is kilobytes
    /// with escapes here and there). The rest of the text when there is no closing quote.
    fn written_length(&self) -> usize {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        let mut from = 0;
        while let Some(quote) = memchr::memchr(b'"', rest.get(from..).unwrap_or_default()) {
            let at = from + quote;
            let before = rest.get(..at).unwrap_or_default();
            let backslashes = before.iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 0 {
                return at;
            }
            from = at + 1;
        }
        rest.len()
    }

    /// `Some(…)` or `None`.
    fn option<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.ident()? {
            "None" => Some(None),
            "Some" => {
                self.take(b'(')?;
                let inner = value(self)?;
                self.expect(b')')?;
                Some(Some(inner))
            }
            _ => None,
        }
    }

    /// `(name: value, …)` — the opening parenthesis already taken; `field` reads the value
    /// of each field by name and refuses unknown or repeated ones.
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        loop {
            if self.eat(b')') {
                return Some(());
            }
            let name = self.ident()?;
            self.expect(b':')?;
            field(self, name)?;
            if !self.next_element(b')')? {
                return Some(());
            }
        }
    }

    /// `[element, …]`.
    fn list<T>(&mut self, mut element: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        loop {
            if self.eat(b']') {
                return Some(out);
            }
            out.push(element(self)?);
            if !self.next_element(b']')? {
                return Some(out);
            }
        }
    }

    /// `{"key": "value", …}`; a repeated key is for `ron`.
    fn string_map(&mut self) -> Option<BTreeMap<String, String>> {
        self.expect(b'{')?;
        let mut map = BTreeMap::new();
        loop {
            if self.eat(b'}') {
                return Some(map);
            }
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.string()?;
            if map.insert(key, value).is_some() {
                return None;
            }
            if !self.next_element(b'}')? {
                return Some(map);
            }
        }
    }

    fn document(&mut self) -> Option<DocumentFile> {
        let (mut id, mut title, mut meta, mut status, mut hash, mut text, mut annotations) =
            (None, None, None, None, None, None, None);
        self.expect(b'(')?;
        self.fields(|p, name| match name {
            "id" => set(&mut id, p.string()?),
            "title" => set(&mut title, p.string()?),
            "meta" => set(&mut meta, p.string_map()?),
            "status" => set(&mut status, p.status()?),
            "hash" => set(&mut hash, p.string()?),
            "text" => set(&mut text, p.string()?),
            "annotations" => set(&mut annotations, p.list(Self::annotation)?),
            _ => None,
        })?;
        Some(DocumentFile {
            id: id?,
            title: title?,
            meta: meta.unwrap_or_default(),
            status: status.unwrap_or_default(),
            hash: hash?,
            text: text?,
            annotations: annotations.unwrap_or_default(),
        })
    }

    fn status(&mut self) -> Option<StatusFile> {
        match self.ident()? {
            "NotStarted" => Some(StatusFile::NotStarted),
            "InProgress" => Some(StatusFile::InProgress),
            "Done" => Some(StatusFile::Done),
            _ => None,
        }
    }

    fn annotation(&mut self) -> Option<AnnotationFile> {
        let (mut id, mut spans, mut kind, mut note, mut attributes) =
            (None, None, None, None, None);
        self.expect(b'(')?;
        self.fields(|p, name| match name {
            "id" => set(&mut id, p.number()?),
            "spans" => set(&mut spans, p.spans()?),
            "kind" => set(&mut kind, p.kind()?),
            "note" => set(&mut note, p.option(Self::string)?),
            "attributes" => set(&mut attributes, p.string_map()?),
            _ => None,
        })?;
        Some(AnnotationFile {
            id: id?,
            spans: spans?,
            kind: kind?,
            note: note.flatten(),
            attributes: attributes.unwrap_or_default(),
        })
    }

    /// `[(start, end), …]`, one span kept inline.
    fn spans(&mut self) -> Option<SpansFile> {
        self.expect(b'[')?;
        let mut out = SpansFile::new();
        loop {
            if self.eat(b']') {
                return Some(out);
            }
            out.push(self.span()?);
            if !self.next_element(b']')? {
                return Some(out);
            }
        }
    }

    /// `(start, end)`.
    fn span(&mut self) -> Option<(usize, usize)> {
        self.expect(b'(')?;
        let start = self.usize()?;
        self.expect(b',')?;
        let end = self.usize()?;
        self.expect(b')')?;
        Some((start, end))
    }

    fn kind(&mut self) -> Option<KindFile> {
        match self.ident()? {
            "Entity" => {
                let (mut label, mut canonical) = (None, None);
                self.take(b'(')?;
                self.fields(|p, name| match name {
                    "label" => set(&mut label, p.name()?),
                    "canonical" => set(&mut canonical, p.option(Self::name)?),
                    _ => None,
                })?;
                Some(KindFile::Entity {
                    label: label?,
                    canonical: canonical.flatten(),
                })
            }
            "Stance" => {
                let (mut target, mut polarity, mut holder) = (None, None, None);
                self.take(b'(')?;
                self.fields(|p, name| match name {
                    "target" => set(&mut target, p.name()?),
                    "polarity" => set(&mut polarity, p.name()?),
                    "holder" => set(&mut holder, p.option(Self::number)?),
                    _ => None,
                })?;
                Some(KindFile::Stance {
                    target: target?,
                    polarity: polarity?,
                    holder: holder.flatten(),
                })
            }
            _ => None,
        }
    }
}

/// Fills a field's slot; a field given twice is for `ron`.
fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

#[cfg(test)]
mod tests {
    use super::super::{document_piece, ron_options};
    use super::*;
    use proptest::prelude::*;

    /// One document as the writer puts it in the document list, without the comma after it.
    fn written(doc: &DocumentFile) -> String {
        let mut out = String::new();
        document_piece(doc, &mut out);
        out.trim_end().trim_end_matches(',').to_owned()
    }

    fn by_ron(text: &str) -> Option<DocumentFile> {
        ron_options().from_str(text).ok()
    }

    /// Whatever the fast path accepts, `ron` accepts and reads the same.
    fn assert_agrees(text: &str) {
        if let Some(fast) = document(text) {
            assert_eq!(by_ron(text).as_ref(), Some(&fast), "{text}");
        }
    }

    fn annotation(id: u64, spans: Vec<(usize, usize)>, kind: KindFile) -> AnnotationFile {
        AnnotationFile {
            id,
            spans: spans.into(),
            kind,
            note: None,
            attributes: BTreeMap::new(),
        }
    }

    /// A document using every field, with strings needing each kind of escape.
    fn everything() -> DocumentFile {
        let awkward = "\"quoted\" back\\slash it's\ttab\r\nline \0nul \u{1}\u{7f} e\u{301} \
                       \u{200d}\u{200b}\u{85}\u{2028} 😀 ‘curly’ {[(,:)]}";
        DocumentFile {
            id: "doc \"1\"".to_owned(),
            title: awkward.to_owned(),
            meta: [("date", "2018-03"), ("source", awkward), ("", "")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            status: StatusFile::InProgress,
            hash: "ab".repeat(32),
            text: awkward.repeat(3),
            annotations: vec![
                annotation(
                    7,
                    vec![(0, 8)],
                    KindFile::Entity {
                        label: "PER".into(),
                        canonical: Some(awkward.into()),
                    },
                ),
                AnnotationFile {
                    note: Some(awkward.to_owned()),
                    attributes: [("a b".to_owned(), awkward.to_owned())].into(),
                    ..annotation(
                        u64::MAX,
                        vec![(1, 2), (30, 40)],
                        KindFile::Stance {
                            target: "EU".into(),
                            polarity: "FAVOR".into(),
                            holder: Some(7),
                        },
                    )
                },
                annotation(
                    0,
                    vec![],
                    KindFile::Stance {
                        target: "".into(),
                        polarity: "NONE".into(),
                        holder: None,
                    },
                ),
            ],
        }
    }

    #[test]
    fn reads_everything_the_writer_writes_as_ron_does() {
        let bare = DocumentFile {
            id: "a".to_owned(),
            title: String::new(),
            meta: BTreeMap::new(),
            status: StatusFile::NotStarted,
            hash: String::new(),
            text: String::new(),
            annotations: Vec::new(),
        };
        for doc in [everything(), bare] {
            let text = written(&doc);
            assert_eq!(document(&text).as_ref(), Some(&doc), "{text}");
            assert_eq!(by_ron(&text).as_ref(), Some(&doc), "{text}");
        }
    }

    /// Labels, targets and polarities come shared through the names given, whether
    /// written plainly or with escapes, and read as `ron` reads them.
    #[test]
    fn labels_are_shared_through_the_names() {
        let mut doc = everything();
        let entity = |label: &str| KindFile::Entity {
            label: label.into(),
            canonical: None,
        };
        doc.annotations = vec![
            annotation(1, vec![(0, 1)], entity("PER")),
            annotation(2, vec![(1, 2)], entity("PER")),
            annotation(3, vec![(2, 3)], entity("Q\"uote\\d")),
            annotation(4, vec![(3, 4)], entity("Q\"uote\\d")),
        ];
        let text = written(&doc);
        let mut names = Interner::default();
        let read = document_sharing(&text, &mut names).expect("fast path");
        assert_eq!(Some(&read), by_ron(&text).as_ref());
        let label = |i: usize| match read.annotations.get(i).map(|a| &a.kind) {
            Some(KindFile::Entity { label, .. }) => label.as_str().as_ptr(),
            _ => std::ptr::null(),
        };
        assert!(!label(0).is_null() && label(0) == label(1) && label(2) == label(3));
        assert_eq!(names.name("PER").as_str().as_ptr(), label(0));
    }

    #[test]
    fn reads_the_usual_hand_edits() {
        let cases = [
            // Fields in another order, defaults left out, `None` written out, trailing
            // commas, whitespace of every ASCII kind, a file written on Windows.
            r#"(text: "x", hash: "h", id: "a", title: "t")"#,
            "(\r\n\tid : \"a\" ,title:\"t\",hash:\"h\",text:\"x\",annotations:[],meta:{},)",
            r#"(id: "a", title: "t", hash: "h", text: "xyz", annotations: [
                (kind: Entity(canonical: None, label: "PER",), spans: [(0, 1),], id: 3, note: None),
                (id: 4, spans: [ ( 1 , 2 ) ], kind: Stance(polarity: "AGAINST", target: "EU", holder: None)),
            ])"#,
            r#"(id: "a", title: "t", hash: "h", text: "\u{48}\u{1F600}\u{0}", status: Done)"#,
        ];
        for text in cases {
            let fast = document(text);
            assert!(fast.is_some(), "the fast path gave up on {text}");
            assert_eq!(by_ron(text), fast, "{text}");
        }
    }

    #[test]
    fn leaves_anything_unusual_to_ron() {
        let ok = r#"(id: "a", title: "t", hash: "h", text: "x", annotations: [(id: 1, spans: [(0, 1)], kind: Entity(label: "PER"))])"#;
        assert!(document(ok).is_some());
        let unusual = [
            ("(", "// a comment\n("),
            ("(", "DocumentFile("),
            ("text: \"x\"", "text: r\"x\""),
            ("text: \"x\"", "text: \"\\x41\""),
            ("text: \"x\"", "text: \"x\\\n  y\""),
            ("text: \"x\"", "text: \"\\u{110000}\""),
            ("text: \"x\"", "text: \"\\u{}\""),
            ("text: \"x\"", "text: \"\\u{1234567}\""),
            ("title: \"t\"", "title: \"t\", title: \"u\""),
            ("title: \"t\"", "title: \"t\", extra: 1"),
            ("title: \"t\"", "r#title: \"t\""),
            ("id: 1", "id: 0x1"),
            ("id: 1", "id: 01"),
            ("id: 1", "id: 1_0"),
            ("id: 1", "id: 1u64"),
            ("id: 1", "id: +1"),
            ("id: 1", "id: 99999999999999999999"),
            ("(0, 1)", "(0, 1,)"),
            ("Entity(", "Entity ("),
            ("Entity(", "Person("),
            ("label: \"PER\"", "label: \"PER\", canonical: \"x\""),
            ("label: \"PER\"", "label: \"PER\", canonical: Some (\"x\")"),
            (", spans", "\u{85}, spans"),
            ("[(id", "[,(id"),
            (
                "hash: \"h\"",
                "hash: \"h\", meta: {\"k\": \"1\", \"k\": \"2\"}",
            ),
        ];
        for (from, to) in unusual {
            assert!(ok.contains(from), "{from}");
            let text = ok.replacen(from, to, 1);
            assert_eq!(document(&text), None, "{text}");
        }
        // Missing required fields.
        for field in ["id: 1, ", "kind: Entity(label: \"PER\")", "title: \"t\", "] {
            let text = ok.replacen(field, "", 1);
            assert_eq!(document(&text), None, "{text}");
        }
        assert_eq!(document(&format!("{ok} (")), None);
    }

    #[test]
    fn never_accepts_a_damaged_document_that_ron_would_read_otherwise() {
        let text = written(&everything());
        let alphabet: &[&str] = &[
            "(", ")", "[", "]", "{", "}", ",", ":", "\\", "'", "\"", " ", "\n", "0", "1", "9", "x",
            "u", "_", ".", "Some", "None", "r#", "//", "/*", "Entity", "\\u{", "}",
        ];
        let mut next = super::super::numbers(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        for round in 0..20_000 {
            let mut damaged = text.clone();
            for _ in 0..1 + round % 3 {
                let mut at = next(damaged.len() + 1);
                while !damaged.is_char_boundary(at) {
                    at -= 1;
                }
                let token = alphabet[next(alphabet.len())];
                match next(3) {
                    0 => damaged.insert_str(at, token),
                    1 => {
                        let end = damaged[at..]
                            .chars()
                            .next()
                            .map_or(at, |c| at + c.len_utf8());
                        damaged.replace_range(at..end, "");
                    }
                    _ => {
                        let end = damaged[at..]
                            .chars()
                            .next()
                            .map_or(at, |c| at + c.len_utf8());
                        damaged.replace_range(at..end, token);
                    }
                }
            }
            accepted += usize::from(document(&damaged).is_some());
            assert_agrees(&damaged);
        }
        // The damage often lands in text or whitespace: plenty still takes the fast path.
        assert!(accepted > 2_000, "{accepted}");
    }

    fn any_document() -> impl Strategy<Value = DocumentFile> {
        // Any characters at all, control characters and lone combining marks included.
        let text = "(?s:.){0,12}";
        let kind = prop_oneof![
            (text, prop::option::of(text)).prop_map(|(label, canonical)| KindFile::Entity {
                label: label.into(),
                canonical: canonical.map(Name::from)
            }),
            (text, text, prop::option::of(any::<u64>())).prop_map(|(target, polarity, holder)| {
                KindFile::Stance {
                    target: target.into(),
                    polarity: polarity.into(),
                    holder,
                }
            }),
        ];
        let annotation = (
            any::<u64>(),
            prop::collection::vec(any::<(usize, usize)>(), 0..3),
            kind,
            prop::option::of(text),
            prop::collection::btree_map(text, text, 0..2),
        )
            .prop_map(|(id, spans, kind, note, attributes)| AnnotationFile {
                id,
                spans: spans.into(),
                kind,
                note,
                attributes,
            });
        (
            (text, text, text, text),
            prop::collection::btree_map(text, text, 0..3),
            prop_oneof![
                Just(StatusFile::NotStarted),
                Just(StatusFile::InProgress),
                Just(StatusFile::Done)
            ],
            prop::collection::vec(annotation, 0..4),
        )
            .prop_map(|((id, title, hash, text), meta, status, annotations)| {
                DocumentFile {
                    id,
                    title,
                    meta,
                    status,
                    hash,
                    text,
                    annotations,
                }
            })
    }

    proptest! {
        /// Any document the writer writes, whatever its strings hold, takes the fast path
        /// and reads back as it was.
        #[test]
        fn every_written_document_takes_the_fast_path(doc in any_document()) {
            let text = written(&doc);
            prop_assert_eq!(document(&text), Some(doc.clone()));
            prop_assert_eq!(by_ron(&text), Some(doc));
        }

        /// The writer's own escaping of the text gives exactly the bytes `ron` writes for
        /// the whole document.
        #[test]
        fn a_written_document_is_byte_for_byte_what_ron_writes(doc in any_document()) {
            let config = super::super::pretty_config().depth_limit(super::super::PRETTY_DEPTH - 2);
            let by_ron = ron::ser::to_string_pretty(&doc, config).expect("ron");
            let indented: Vec<String> = by_ron.split('\n').map(|l| format!("    {l}")).collect();
            let mut out = String::new();
            document_piece(&doc, &mut out);
            prop_assert_eq!(out, indented.join("\n") + ",\n");
        }
    }

    #[test]
    fn text_is_escaped_as_ron_escapes_it() {
        for text in [
            "",
            "plain ASCII words.",
            "quotes \" and ' and \\ backslash",
            "line\nbreak\ttab\r\u{0}\u{7f}",
            "accents é and e\u{301}, emoji 👍🏽, zero width \u{200b}, bidi \u{202e}",
            "\u{85}next line, \u{a0}no-break",
        ] {
            let mut out = String::new();
            super::super::push_ron_escaped(&mut out, text);
            let expected: String = text.chars().flat_map(char::escape_debug).collect();
            assert_eq!(out, expected, "{text:?}");
        }
    }
}
