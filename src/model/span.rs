//! A checked, non-empty range of characters in one document's text.

use super::text::{CharOffset, DocText};
use thiserror::Error;

/// Why a span could not be built.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SpanError {
    /// `start >= end`.
    #[error("span {start}..{end} is empty or ends before it starts")]
    Empty {
        /// Start offset given.
        start: usize,
        /// End offset given.
        end: usize,
    },
    /// `end > text length`.
    #[error("span {start}..{end} lies outside the text ({len} characters)")]
    OutOfRange {
        /// Start offset given.
        start: usize,
        /// End offset given.
        end: usize,
        /// Length of the text in characters.
        len: usize,
    },
    /// `end` past [`Span::MAX_OFFSET`]: a text of over four billion characters.
    #[error(
        "span {start}..{end} lies past the 4,294,967,295th character, more than a document may hold"
    )]
    TooFar {
        /// Start offset given.
        start: usize,
        /// End offset given.
        end: usize,
    },
}

/// A half-open range `start..end` of code points with `start < end <= text length`.
///
/// Fields are private: the only way to get a `Span` is [`Span::new`], which checks the
/// invariant against the text it belongs to. Because offsets are code points, every span
/// starts and ends on a character boundary by construction. The offsets are kept as `u32`
/// (8 bytes a span instead of 16: a big project holds millions), so a span ends at most
/// at [`Span::MAX_OFFSET`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The largest offset a span may end at.
    pub const MAX_OFFSET: usize = u32::MAX as usize;

    /// Builds a span inside `text`, or says why it cannot.
    pub fn new(start: usize, end: usize, text: &DocText) -> Result<Self, SpanError> {
        Self::within(start, end, text.char_len())
    }

    /// Builds a span inside a text of `len` code points.
    pub fn within(start: usize, end: usize, len: usize) -> Result<Self, SpanError> {
        if start >= end {
            return Err(SpanError::Empty { start, end });
        }
        if end > len {
            return Err(SpanError::OutOfRange { start, end, len });
        }
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start), Ok(end)) => Ok(Self { start, end }),
            _ => Err(SpanError::TooFar { start, end }),
        }
    }

    /// First character (inclusive).
    pub fn start(&self) -> CharOffset {
        CharOffset(self.start as usize)
    }

    /// One past the last character (exclusive).
    pub fn end(&self) -> CharOffset {
        CharOffset(self.end as usize)
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Spans are never empty; present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `c` lies inside the span.
    pub fn contains(&self, c: CharOffset) -> bool {
        self.start() <= c && c < self.end()
    }

    /// Whether the two spans share at least one character.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn encloses(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The text the span covers.
    pub fn text<'t>(&self, text: &'t DocText) -> &'t str {
        text.slice(self.start(), self.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construction_checks_the_invariant() {
        let text = DocText::new("Zuckerberg 😀".to_owned());
        let cases: &[(usize, usize, Result<&str, SpanError>)] = &[
            (0, 10, Ok("Zuckerberg")),
            (11, 12, Ok("😀")),
            (3, 3, Err(SpanError::Empty { start: 3, end: 3 })),
            (5, 2, Err(SpanError::Empty { start: 5, end: 2 })),
            (
                0,
                13,
                Err(SpanError::OutOfRange {
                    start: 0,
                    end: 13,
                    len: 12,
                }),
            ),
        ];
        let past = Span::MAX_OFFSET + 1;
        assert_eq!(
            Span::within(0, past, usize::MAX),
            Err(SpanError::TooFar {
                start: 0,
                end: past
            })
        );
        let last = Span::within(Span::MAX_OFFSET - 1, Span::MAX_OFFSET, usize::MAX);
        assert_eq!(last.map(|s| s.end().0), Ok(Span::MAX_OFFSET));
        for (start, end, want) in cases {
            let got = Span::new(*start, *end, &text).map(|s| s.text(&text).to_owned());
            assert_eq!(got, want.clone().map(str::to_owned), "{start}..{end}");
        }
    }

    #[test]
    fn overlap_and_enclosure() {
        let s = |a, b| Span::within(a, b, 100).expect("valid span");
        assert!(s(0, 5).overlaps(&s(4, 8)));
        assert!(!s(0, 5).overlaps(&s(5, 8)));
        assert!(s(0, 10).encloses(&s(2, 5)));
        assert!(!s(2, 5).encloses(&s(0, 10)));
        assert!(s(2, 5).contains(CharOffset(4)) && !s(2, 5).contains(CharOffset(5)));
    }
}
