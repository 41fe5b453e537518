//! Documents: stable id, title, metadata, normalised text and its content hash.

use super::text::{DocText, normalize_newlines};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A document's stable id: the file stem of the text it came from.
///
/// Shared, not copied: every annotation names its document, and 3M annotations each
/// owning a copy of the id would cost ≈ 100 MB (a clone is a reference count). One word
/// ([`arcstr::ArcStr`] keeps the length beside the text), so an annotation carries 8 bytes
/// for its document, not 16.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub arcstr::ArcStr);

impl From<&str> for DocId {
    fn from(id: &str) -> Self {
        DocId(id.into())
    }
}

impl From<String> for DocId {
    fn from(id: String) -> Self {
        DocId(id.into())
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl DocId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How far annotation of a document has come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocStatus {
    /// Nobody has tagged anything yet.
    #[default]
    NotStarted,
    /// Some work done.
    InProgress,
    /// The annotator marked it finished.
    Done,
}

impl DocStatus {
    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            DocStatus::NotStarted => "not started",
            DocStatus::InProgress => "in progress",
            DocStatus::Done => "done",
        }
    }
}

/// One document of the corpus. Immutable, and shared: a clone is a reference count, so a
/// project is copied (a save in the background takes one) without copying any text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document(Arc<DocumentData>);

/// A document's metadata (`date`, `source` …), sorted by name, packed in one buffer:
/// each entry is its name's length, the name, its value's length and the value (lengths
/// as LEB128 varints, one byte below 128). One allocation a document: a list of string
/// pairs took five, 240 bytes for a `date` and a `source` (24 MB at 100k documents),
/// and a `BTreeMap` a 544-byte node. Reads like the map it is made from.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Meta(Box<[u8]>);

impl Meta {
    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Names and values, sorted by name.
    pub fn iter(&self) -> MetaIter<'_> {
        MetaIter(&self.0)
    }

    /// The metadata as a map (to change it, or to hand it on).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

impl From<BTreeMap<String, String>> for Meta {
    fn from(map: BTreeMap<String, String>) -> Self {
        let bytes = map.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut packed = Vec::with_capacity(bytes);
        for part in map.iter().flat_map(|(k, v)| [k, v]) {
            push_varint(&mut packed, part.len());
            packed.extend_from_slice(part.as_bytes());
        }
        Meta(packed.into_boxed_slice())
    }
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Meta {
    type Item = (&'a str, &'a str);
    type IntoIter = MetaIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The entries of a [`Meta`], sorted by name.
pub struct MetaIter<'a>(&'a [u8]);

impl<'a> Iterator for MetaIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = take_str(&mut self.0)?;
        let value = take_str(&mut self.0)?;
        Some((name, value))
    }
}

/// Appends `n` as a LEB128 varint: seven bits a byte, low first, the top bit set on all
/// but the last.
fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Takes a varint length and that many bytes, as text, off the front of `rest`. Only
/// what [`Meta::from`] packed is ever read, so it is always there and always UTF-8.
fn take_str<'a>(rest: &mut &'a [u8]) -> Option<&'a str> {
    let mut len = 0usize;
    let mut shift = 0u32;
    loop {
        let (&byte, tail) = rest.split_first()?;
        *rest = tail;
        len |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            break;
        }
        shift += 7;
    }
    let (text, tail) = rest.split_at_checked(len)?;
    *rest = tail;
    std::str::from_utf8(text).ok()
}

/// What a [`Document`] holds.
#[derive(Debug, PartialEq, Eq)]
struct DocumentData {
    id: DocId,
    title: Box<str>,
    meta: Meta,
    text: DocText,
    hash: ContentHash,
}

impl Document {
    /// Builds a document from already normalised text (LF line endings, no BOM).
    pub fn new(id: DocId, title: String, meta: impl Into<Meta>, text: String) -> Self {
        let hash = ContentHash::of(&text);
        Self(Arc::new(DocumentData {
            id,
            title: title.into_boxed_str(),
            meta: meta.into(),
            text: DocText::new(text),
            hash,
        }))
    }

    /// Builds a document from the raw text of a corpus file: newlines are normalised, a
    /// leading ` date YYYY-MM ` marker becomes `date` metadata (and leaves the text), and the
    /// title comes from the first line.
    pub fn from_raw(id: DocId, raw: &str) -> Self {
        let text = normalize_newlines(raw);
        let mut meta = BTreeMap::new();
        let text = match split_date_marker(&text) {
            Some((date, rest)) => {
                meta.insert("date".to_owned(), date.to_owned());
                rest.to_owned()
            }
            None => text,
        };
        let title = title_from_text(&text, id.as_str());
        Self::new(id, title, meta, text)
    }

    /// Stable id.
    pub fn id(&self) -> &DocId {
        &self.0.id
    }

    /// Title shown in the document list.
    pub fn title(&self) -> &str {
        &self.0.title
    }

    /// Metadata such as `date`.
    pub fn meta(&self) -> &Meta {
        &self.0.meta
    }

    /// The `date` metadata, if any.
    pub fn date(&self) -> Option<&str> {
        self.0.meta.get("date")
    }

    /// The text.
    pub fn text(&self) -> &DocText {
        &self.0.text
    }

    /// SHA-256 of the text.
    pub fn hash(&self) -> ContentHash {
        self.0.hash
    }
}

/// A text's SHA-256, the document's content hash: 32 bytes in the document (as 64 hex
/// digits it took 96 bytes and an allocation, 6 MB at 100k documents), written as 64
/// lowercase hex digits ([`ContentHash::hex`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash of `text`.
    pub fn of(text: &str) -> Self {
        Self(Sha256::digest(text.as_bytes()).into())
    }

    /// As 64 lowercase hex digits, made on the stack.
    pub fn hex(&self) -> HexHash {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0; 64];
        for (pair, b) in hex.chunks_exact_mut(2).zip(self.0) {
            pair.copy_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
        HexHash(hex)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hex().as_str())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

/// A [`ContentHash`] as 64 lowercase hex digits.
pub struct HexHash([u8; 64]);

impl HexHash {
    /// The digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into it.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// SHA-256 of a text, lowercase hex: the document's content hash as files write it.
pub fn content_hash(text: &str) -> String {
    ContentHash::of(text).hex().as_str().to_owned()
}

/// Splits the seeds' leading ` date YYYY-MM ` marker off a (normalised) text: the date and
/// the text after the marker, a suffix of `text`, so the marker is everything before it.
/// `None` when the text does not start with a marker. [`Document::from_raw`] uses it, and
/// importers that meet the raw file again (brat offsets count the marker) use it to find
/// the document it became.
pub fn split_date_marker(text: &str) -> Option<(&str, &str)> {
    let rest = text.trim_start_matches([' ', '\t']).strip_prefix("date")?;
    let rest = rest
        .strip_prefix([' ', '\t'])?
        .trim_start_matches([' ', '\t']);
    let date_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    let date = &rest[..date_len];
    let looks_like_date = date.len() >= 4 && date.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if !looks_like_date {
        return None;
    }
    let after = &rest[date_len..];
    let after = after.strip_prefix([' ', '\t', '\n']).unwrap_or(after);
    Some((date, after))
}

/// A title: the first line, cut after its first sentence or at a word near 80 characters.
fn title_from_text(text: &str, fallback: &str) -> String {
    const MAX: usize = 80;
    let first_line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let Some(line) = first_line else {
        return fallback.to_owned();
    };
    let sentence = line
        .match_indices(". ")
        .map(|(i, _)| &line[..=i])
        .find(|s| s.chars().count() >= 20)
        .unwrap_or(line);
    if sentence.chars().count() <= MAX {
        return sentence.to_owned();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > MAX {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        cut = sentence.chars().take(MAX).collect();
    }
    cut.push('…');
    cut
}

impl Document {
    /// The title [`Document::from_raw`] would give `text` (its first sentence, cut near 80
    /// characters), or `fallback` when the text is blank. Importers that build documents
    /// with [`Document::new`] use it.
    pub fn title_for(text: &str, fallback: &str) -> String {
        title_from_text(text, fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_sha256_in_lowercase_hex() {
        for (text, hash) in [
            (
                "",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                "abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ] {
            assert_eq!(content_hash(text), hash, "{text:?}");
            let doc = Document::new("d".into(), String::new(), Meta::default(), text.into());
            assert_eq!(doc.hash(), ContentHash::of(text), "{text:?}");
            assert_eq!(doc.hash().to_string(), hash, "{text:?}");
            assert_eq!(doc.hash().hex().as_str(), hash, "{text:?}");
        }
    }

    #[test]
    fn date_marker_becomes_metadata() {
        let cases = [
            (
                " date 2018-05 Het databedrijf",
                Some("2018-05"),
                "Het databedrijf",
            ),
            (
                "date 2018-03\nIn een bericht",
                Some("2018-03"),
                "In een bericht",
            ),
            ("Het ICO zal", None, "Het ICO zal"),
            (" date of birth", None, " date of birth"),
        ];
        for (raw, date, text) in cases {
            let doc = Document::from_raw(DocId("d".into()), raw);
            assert_eq!(doc.date(), date, "{raw:?}");
            assert_eq!(doc.text().as_str(), text, "{raw:?}");
        }
    }

    #[test]
    fn title_is_the_first_sentence_or_a_word_cut() {
        let cases = [
            ("Kort.\nMeer tekst", "Kort."),
            (
                "Het ICO zal het bevelschrift gebruiken. Het bedrijf wordt ervan verdacht.",
                "Het ICO zal het bevelschrift gebruiken.",
            ),
            ("\n\n  Tweede regel  ", "Tweede regel"),
            ("", "fallback"),
        ];
        for (text, want) in cases {
            assert_eq!(title_from_text(text, "fallback"), want);
        }
        let long = "woord ".repeat(40);
        let title = title_from_text(&long, "x");
        assert!(
            title.ends_with('…') && title.chars().count() <= 81,
            "{title}"
        );
    }

    #[test]
    fn metadata_reads_like_its_map() {
        let map: BTreeMap<String, String> = [("source", "nos"), ("date", "2018-05"), ("a", "")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
        let meta = Meta::from(map.clone());
        assert_eq!(meta.get("date"), Some("2018-05"));
        assert_eq!(meta.get("a"), Some(""));
        assert_eq!(meta.get("zz"), None);
        let listed: Vec<(&str, &str)> = (&meta).into_iter().collect();
        let expected: Vec<(&str, &str)> =
            map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(listed, expected);
        assert_eq!(meta.to_map(), map);
        assert_eq!(meta.len(), 3);
        assert!(Meta::default().is_empty() && Meta::default().get("date").is_none());
        let doc = Document::new(DocId::from("d"), "T".into(), map, "Tekst.".into());
        assert_eq!(doc.date(), Some("2018-05"));
    }

    /// Names and values of any length and any characters come back as they went in
    /// (lengths of one, two and three varint bytes, empty strings, NULs, non-ASCII).
    #[test]
    fn metadata_packs_any_strings() {
        let long = "é".repeat(100);
        let longer = "x".repeat(20_000);
        let cases: [&[(&str, &str)]; 5] = [
            &[],
            &[("", "")],
            &[("date", "2018-05"), ("source", "nos")],
            &[("a\0b", "\0"), ("ключ", "значение"), ("z", "🙂")],
            &[
                ("long", long.as_str()),
                ("longer", longer.as_str()),
                ("m", ""),
            ],
        ];
        for pairs in cases {
            let map: BTreeMap<String, String> = pairs
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let meta = Meta::from(map.clone());
            assert_eq!(meta.to_map(), map);
            assert_eq!(meta.len(), map.len());
            assert_eq!(meta.is_empty(), map.is_empty());
            for (k, v) in &map {
                assert_eq!(meta.get(k), Some(v.as_str()), "{k:?}");
            }
            assert_eq!(format!("{meta:?}"), format!("{map:?}"));
        }
    }

    #[test]
    fn hash_is_stable_sha256() {
        assert_eq!(
            content_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
