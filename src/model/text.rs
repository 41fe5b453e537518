//! Document text and the two kinds of offsets into it.
//!
//! Outside Rust memory (files, exports, the CLI) every offset is a Unicode code-point offset
//! ([`CharOffset`]); Rust strings are sliced by byte ([`ByteOffset`]). The two are distinct
//! types so they can never be mixed up, and [`DocText`] converts between them in O(1)
//! amortised time with a checkpoint table, so even a 100k-word document maps offsets quickly.

use std::fmt;

/// A Unicode code-point offset into a document's text (a Python `str` index).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CharOffset(pub usize);

/// A UTF-8 byte offset into a document's text, always on a character boundary when it comes
/// from [`DocText`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteOffset(pub usize);

impl fmt::Display for CharOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Every `CHECKPOINT_EVERY` characters the byte offset is remembered.
const CHECKPOINT_EVERY: usize = 128;

/// Immutable document text (UTF-8, LF line endings) with fast char ↔ byte conversion.
#[derive(Clone, PartialEq, Eq)]
pub struct DocText {
    text: String,
    char_len: usize,
    /// `checkpoints[i]` is the byte offset of character `i * CHECKPOINT_EVERY`.
    /// Empty when the text is ASCII, where char and byte offsets coincide.
    checkpoints: Checkpoints,
}

impl fmt::Debug for DocText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DocText").field(&self.text).finish()
    }
}

impl DocText {
    /// Wraps already normalised text (see [`normalize_newlines`]).
    pub fn new(text: String) -> Self {
        if text.is_ascii() {
            let char_len = text.len();
            return Self {
                text,
                char_len,
                checkpoints: Checkpoints::Short(Box::default()),
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT_EVERY + 1);
        let mut char_len = 0;
        // A block of characters at a time: a block of ASCII (most of a news text) is
        // as many characters as bytes, found at once, and only a block holding other
        // characters is walked a character at a time.
        let mut byte = 0;
        while let Some(rest) = text.get(byte..).filter(|r| !r.is_empty()) {
            checkpoints.push(byte);
            let ascii = rest
                .as_bytes()
                .get(..CHECKPOINT_EVERY)
                .filter(|block| block.is_ascii());
            match ascii {
                Some(block) => {
                    byte += block.len();
                    char_len += block.len();
                }
                None => {
                    let bytes = rest.as_bytes();
                    let (end, chars) = pass_chars(bytes, CHECKPOINT_EVERY);
                    if end >= bytes.len() {
                        char_len += chars;
                        break;
                    }
                    byte += end;
                    char_len += CHECKPOINT_EVERY;
                }
            }
        }
        Self {
            text,
            char_len,
            checkpoints: Checkpoints::new(checkpoints),
        }
    }

    /// The whole text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Number of Unicode code points.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// The end of the text as a char offset.
    pub fn end(&self) -> CharOffset {
        CharOffset(self.char_len)
    }

    /// Byte offset of a char offset; offsets past the end clamp to the end.
    pub fn byte_of(&self, c: CharOffset) -> ByteOffset {
        if c.0 >= self.char_len {
            return ByteOffset(self.text.len());
        }
        if self.checkpoints.is_empty() {
            return ByteOffset(c.0);
        }
        let block = c.0 / CHECKPOINT_EVERY;
        let (start, end) = (
            self.checkpoints.get(block).unwrap_or(0),
            self.checkpoints.get(block + 1).unwrap_or(self.text.len()),
        );
        let skip = c.0 % CHECKPOINT_EVERY;
        let chars = (self.char_len - block * CHECKPOINT_EVERY).min(CHECKPOINT_EVERY);
        if end - start == chars {
            // As many bytes as characters in the block: an ASCII stretch.
            return ByteOffset(start + skip);
        }
        self.advance(ByteOffset(start), skip)
    }

    /// The byte offset `chars` characters after the character boundary `from`, clamped to
    /// the end of the text: a short walk forward from an offset already known, where
    /// [`DocText::byte_of`] would look each offset up afresh (an export finds a span's
    /// start, end and context this way, one after the other).
    pub fn advance(&self, from: ByteOffset, chars: usize) -> ByteOffset {
        let rest = self.text.as_bytes().get(from.0..).unwrap_or_default();
        // As many bytes as characters ahead: an ASCII stretch (most of a news text).
        if self.checkpoints.is_empty() || rest.get(..chars).is_some_and(<[u8]>::is_ascii) {
            return ByteOffset(from.0 + chars.min(rest.len()));
        }
        match pass_chars(rest, chars) {
            (end, passed) if passed == chars => ByteOffset(from.0 + end),
            _ => ByteOffset(self.text.len()),
        }
    }

    /// Char offset of a byte offset. A byte offset inside a character maps to that character.
    pub fn char_of(&self, b: ByteOffset) -> CharOffset {
        if b.0 >= self.text.len() {
            return CharOffset(self.char_len);
        }
        if self.checkpoints.is_empty() {
            return CharOffset(b.0);
        }
        let block = self.checkpoints.count_up_to(b.0).saturating_sub(1);
        let base_byte = self.checkpoints.get(block).unwrap_or(0);
        let counted = self.text[base_byte..]
            .char_indices()
            .take_while(|(i, _)| base_byte + i < b.0)
            .count();
        let exact = self.text.is_char_boundary(b.0);
        CharOffset(block * CHECKPOINT_EVERY + counted - usize::from(!exact))
    }

    /// The text between two char offsets (clamped to the text).
    pub fn slice(&self, start: CharOffset, end: CharOffset) -> &str {
        let (s, e) = (self.byte_of(start).0, self.byte_of(end).0);
        if s >= e { "" } else { &self.text[s..e] }
    }

    /// The character at a char offset.
    pub fn char_at(&self, c: CharOffset) -> Option<char> {
        self.text[self.byte_of(c).0..].chars().next()
    }
}

/// A text's checkpoints in the narrowest offsets that hold them: `u16` for a text under
/// 64 KiB (a news article; at 100k documents the `u32` ones took 10 MB), `u32` under
/// 4 GiB, else `usize`.
#[derive(Clone, PartialEq, Eq)]
enum Checkpoints {
    Short(Box<[u16]>),
    Narrow(Box<[u32]>),
    Wide(Box<[usize]>),
}

impl Checkpoints {
    fn new(offsets: Vec<usize>) -> Self {
        let short: Option<Box<[u16]>> = offsets.iter().map(|&o| u16::try_from(o).ok()).collect();
        if let Some(short) = short {
            return Checkpoints::Short(short);
        }
        let narrow: Option<Box<[u32]>> = offsets.iter().map(|&o| u32::try_from(o).ok()).collect();
        match narrow {
            Some(narrow) => Checkpoints::Narrow(narrow),
            None => Checkpoints::Wide(offsets.into_boxed_slice()),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Checkpoints::Short(c) => c.is_empty(),
            Checkpoints::Narrow(c) => c.is_empty(),
            Checkpoints::Wide(c) => c.is_empty(),
        }
    }

    /// The byte offset of checkpoint `i`.
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Checkpoints::Short(c) => c.get(i).map(|&o| usize::from(o)),
            Checkpoints::Narrow(c) => c.get(i).map(|&o| o as usize),
            Checkpoints::Wide(c) => c.get(i).copied(),
        }
    }

    /// How many checkpoints lie at or before byte `at`.
    fn count_up_to(&self, at: usize) -> usize {
        match self {
            Checkpoints::Short(c) => c.partition_point(|&o| usize::from(o) <= at),
            Checkpoints::Narrow(c) => c.partition_point(|&o| o as usize <= at),
            Checkpoints::Wide(c) => c.partition_point(|&o| o <= at),
        }
    }
}

/// Passes up to `chars` characters from the start of `bytes` (a character boundary):
/// the byte where the next character starts, and how many were passed (fewer only when
/// the text ends first). Windows as long as the characters still to pass, their starts
/// counted at once (a loop the compiler vectorises; a window of ASCII passes as many
/// characters as bytes): each byte is looked at once, and a window never goes past the
/// character sought.
fn pass_chars(bytes: &[u8], chars: usize) -> (usize, usize) {
    let (mut end, mut passed) = (0, 0);
    while passed < chars
        && let Some(window) = bytes.get(end..(end + chars - passed).min(bytes.len()))
        && !window.is_empty()
    {
        passed += count_char_starts(window);
        end += window.len();
    }
    // The last character passed ends where the next one starts.
    end += bytes
        .get(end..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| is_continuation_byte(**b))
        .count();
    (end, passed)
}

/// How many characters start among `bytes` (its bytes that continue no character),
/// counted a run of at most 255 bytes at a time in byte-wide sums, which the compiler
/// turns into 16 bytes a step (a count in `usize` takes a few bytes a step).
fn count_char_starts(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| {
            let starts = run.iter().fold(0u8, |n, b| {
                n.wrapping_add(u8::from(!is_continuation_byte(*b)))
            });
            usize::from(starts)
        })
        .sum()
}

/// Whether a UTF-8 byte continues a character (every other byte starts one).
fn is_continuation_byte(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Turns CRLF and lone CR into LF and strips a leading byte-order mark.
pub fn normalize_newlines(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    if !raw.contains('\r') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_and_byte_offsets_agree_with_char_indices() {
        for text in [
            "",
            "plain ascii",
            "é",
            "Zuckerberg 👍 zegt ‘sorry’",
            &"ab😀cd".repeat(100),
            &"e\u{301}".repeat(70),
            // ASCII stretches between other characters, and a last block of 128 bytes
            // holding fewer characters.
            &format!(
                "{}é{}‘x’{}",
                "a".repeat(300),
                "b".repeat(200),
                "c".repeat(129)
            ),
            &format!("{}é{}", "a".repeat(128), "d".repeat(126)),
            // Past 64 KiB: checkpoints that no longer fit 16 bits.
            &"Zuckerberg 👍 zegt ‘sorry’. ".repeat(2500),
        ] {
            let doc = DocText::new(text.to_owned());
            assert_eq!(
                matches!(doc.checkpoints, Checkpoints::Narrow(_)),
                text.len() > usize::from(u16::MAX) && !text.is_ascii(),
                "the narrowest offsets that hold the text's"
            );
            let expected = char_starts(text);
            assert_eq!(doc.char_len() + 1, expected.len(), "{text}");
            for (c, &b) in expected.iter().enumerate() {
                assert_eq!(doc.byte_of(CharOffset(c)), ByteOffset(b), "{text} char {c}");
                assert_eq!(doc.char_of(ByteOffset(b)), CharOffset(c), "{text} byte {b}");
            }
        }
    }

    /// The byte offset of every character of `text`, and its length.
    fn char_starts(text: &str) -> Vec<usize> {
        text.char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect()
    }

    proptest::proptest! {
        /// Any text, of characters of every width in any mix: the offsets found through
        /// the checkpoints are those `char_indices` gives.
        #[test]
        fn offsets_agree_with_char_indices_for_any_text(
            text in "(?s:[a-z ]{0,200}|.{0,3}){0,12}"
        ) {
            let doc = DocText::new(text.clone());
            let expected = char_starts(&text);
            proptest::prop_assert_eq!(doc.char_len() + 1, expected.len());
            for (c, &b) in expected.iter().enumerate() {
                proptest::prop_assert_eq!(doc.byte_of(CharOffset(c)), ByteOffset(b));
                proptest::prop_assert_eq!(doc.char_of(ByteOffset(b)), CharOffset(c));
            }
        }

        /// Walking forward from any character by any count lands where `char_indices`
        /// says, clamped to the end.
        #[test]
        fn advancing_agrees_with_char_indices_for_any_text(
            text in "(?s:[a-z ]{0,200}|.{0,3}){0,12}",
            from in 0usize..400,
            chars in 0usize..300,
        ) {
            let doc = DocText::new(text.clone());
            let expected = char_starts(&text);
            let from = from.min(expected.len() - 1);
            let want = expected.get(from + chars).copied().unwrap_or(text.len());
            let start = expected.get(from).copied().unwrap_or(text.len());
            proptest::prop_assert_eq!(doc.advance(ByteOffset(start), chars), ByteOffset(want));
        }
    }

    #[test]
    fn byte_inside_a_character_maps_to_that_character() {
        let doc = DocText::new("a😀b".to_owned());
        assert_eq!(doc.char_of(ByteOffset(2)), CharOffset(1));
        assert_eq!(doc.slice(CharOffset(1), CharOffset(2)), "😀");
    }

    #[test]
    fn newlines_are_normalised() {
        for (raw, want) in [
            ("a\r\nb", "a\nb"),
            ("a\rb", "a\nb"),
            ("\u{feff}a\r\r\nb\n", "a\n\nb\n"),
            ("geen", "geen"),
        ] {
            assert_eq!(normalize_newlines(raw), want, "{raw:?}");
        }
    }
}
