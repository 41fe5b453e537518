//! Raw text from a file (with a BOM, CRLF or lone CR) becomes the model's normalised text
//! (no BOM, LF only), and code-point offsets counted in the raw text are mapped onto it.
//!
//! Tools such as brat and doccano count offsets in the text exactly as stored, so a CRLF
//! file's offsets include the CRs; the model's text has none. Same rule as
//! [`crate::model::text::normalize_newlines`], which the tests check.

/// Normalised text plus the positions (raw code-point offsets) of the characters removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The text with LF line endings and no leading BOM.
    pub text: String,
    /// Raw offsets of removed characters (BOM, the CR of each CRLF), ascending.
    removed: Vec<usize>,
    /// Length of the raw text in code points.
    raw_len: usize,
}

impl Normalized {
    /// Normalises `raw`, remembering what was removed.
    pub fn new(raw: &str) -> Self {
        let mut removed = Vec::new();
        let mut text = String::with_capacity(raw.len());
        let mut chars = raw.chars().enumerate().peekable();
        let mut raw_len = 0;
        while let Some((i, c)) = chars.next() {
            raw_len = i + 1;
            match c {
                '\u{feff}' if i == 0 => removed.push(i),
                '\r' => {
                    if chars.peek().is_some_and(|(_, next)| *next == '\n') {
                        removed.push(i);
                    } else {
                        text.push('\n');
                    }
                }
                _ => text.push(c),
            }
        }
        Self {
            text,
            removed,
            raw_len,
        }
    }

    /// [`Normalized::new`] taking the raw text: one without a leading BOM and without any
    /// CR (the usual case) is already normalised and becomes the text as it is.
    pub fn from_string(raw: String) -> Self {
        if raw.starts_with('\u{feff}') || memchr::memchr(b'\r', raw.as_bytes()).is_some() {
            return Self::new(&raw);
        }
        Self {
            raw_len: raw.chars().count(),
            text: raw,
            removed: Vec::new(),
        }
    }

    /// Length of the raw text in code points.
    pub fn raw_len(&self) -> usize {
        self.raw_len
    }

    /// Maps a raw code-point offset to the normalised text. An offset between a CR and its
    /// LF maps to the newline. Offsets past the end stay past the end (spans check them).
    pub fn map(&self, raw: usize) -> usize {
        raw - self.removed.partition_point(|&r| r < raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::text::normalize_newlines;

    #[test]
    fn agrees_with_the_model_and_maps_offsets() {
        // (raw, raw offset, expected normalised offset)
        let cases: &[(&str, usize, usize)] = &[
            ("abc", 2, 2),
            ("\u{feff}abc", 1, 0),
            ("\u{feff}abc", 4, 3),
            ("a\r\nb", 3, 2),
            ("a\r\nb", 1, 1),
            ("a\rb", 2, 2),
            ("😀\r\n😀\r\nx", 6, 4),
            ("e\u{301}\r\nx", 4, 3),
            ("a\u{feff}b", 3, 3),
            ("geen regeleinde 😀", 18, 18),
            ("", 0, 0),
        ];
        for &(raw, from, to) in cases {
            let n = Normalized::new(raw);
            assert_eq!(n.text, normalize_newlines(raw), "{raw:?}");
            assert_eq!(n.map(from), to, "{raw:?} offset {from}");
            assert_eq!(n.raw_len(), raw.chars().count());
            assert_eq!(Normalized::from_string(raw.to_owned()), n, "{raw:?}");
        }
    }
}
