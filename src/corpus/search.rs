//! Corpus search: plain text (optionally case-insensitive) and regular expressions over
//! every document, or one, with keyword-in-context snippets.
//!
//! One compiled [`regex::Regex`] scans each document once; hits come back in document
//! order (the project's, i.e. by id) and reading order, with code-point offsets
//! ([`CharOffset`]) converted from the regex's byte offsets by a forward-only cursor, so a
//! document with many hits costs one pass, not one pass per hit. Searches stop at
//! [`SearchQuery::max_hits`] and say so in [`SearchResults::capped`].
//!
//! The module also holds the small text helpers the suggestion engine shares: the
//! [`Scope`] of a search, Unicode (UAX #29) whole-word checks and context snippets.

use crate::model::{CharOffset, DocId, Document, Project};
use regex::{Regex, RegexBuilder};
use std::ops::ControlFlow;
use thiserror::Error;
use unicode_segmentation::UnicodeSegmentation;

/// How many characters (grapheme clusters, so an emoji or an accented letter counts once)
/// of context a hit shows on each side.
pub const CONTEXT_CHARS: usize = 40;

/// The default cap on the number of hits of one search.
pub const DEFAULT_MAX_HITS: usize = 10_000;

/// Where to look.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One document.
    Document(DocId),
    /// Every document of the project.
    Corpus,
}

/// How [`SearchQuery::text`] is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SearchMode {
    /// The text literally.
    #[default]
    Plain,
    /// A regular expression in the `regex` crate's syntax, with `^` and `$` matching at
    /// line starts and ends.
    Regex,
}

/// What to search for and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text or the regular expression.
    pub text: String,
    /// Plain text or regular expression.
    pub mode: SearchMode,
    /// Whether case matters (Unicode-aware when it does not: `één` finds `ÉÉN`).
    pub case_sensitive: bool,
    /// Only hits that start and end on Unicode word boundaries (UAX #29).
    pub whole_word: bool,
    /// One document or the corpus.
    pub scope: Scope,
    /// Stop after this many hits ([`SearchResults::capped`] tells whether more exist).
    pub max_hits: usize,
}

impl SearchQuery {
    /// A case-insensitive plain-text search over the corpus, capped at
    /// [`DEFAULT_MAX_HITS`].
    pub fn plain(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            mode: SearchMode::Plain,
            case_sensitive: false,
            whole_word: false,
            scope: Scope::Corpus,
            max_hits: DEFAULT_MAX_HITS,
        }
    }

    /// A case-sensitive regular-expression search over the corpus, capped at
    /// [`DEFAULT_MAX_HITS`].
    pub fn regex(pattern: &str) -> Self {
        Self {
            mode: SearchMode::Regex,
            case_sensitive: true,
            ..Self::plain(pattern)
        }
    }
}

/// One hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// The document.
    pub doc: DocId,
    /// First character of the match (code points).
    pub start: CharOffset,
    /// One past the last character of the match (code points).
    pub end: CharOffset,
    /// The matched text.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`] characters before the match, newlines and tabs as spaces.
    pub context_left: String,
    /// Up to [`CONTEXT_CHARS`] characters after the match, newlines and tabs as spaces.
    pub context_right: String,
}

/// The hits of one search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// Hits in document order, then reading order.
    pub hits: Vec<SearchHit>,
    /// Whether the search stopped at [`SearchQuery::max_hits`] with more hits left.
    pub capped: bool,
}

/// Why a search could not run.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SearchError {
    /// Nothing to search for.
    #[error("the search text is empty")]
    EmptyQuery,
    /// The regular expression does not compile.
    #[error("invalid regular expression '{pattern}': {message}")]
    InvalidRegex {
        /// The expression as typed.
        pattern: String,
        /// What is wrong with it, one line.
        message: String,
    },
    /// The scope names a document the project does not have.
    #[error("no document '{0}'")]
    NoSuchDocument(DocId),
}

/// A compiled query, ready to scan documents one at a time (for example only the
/// document on screen after each keystroke).
#[derive(Clone, Debug)]
pub struct Searcher {
    regex: Regex,
    whole_word: bool,
}

impl Searcher {
    /// Compiles a query; invalid regular expressions and empty text are errors.
    pub fn new(query: &SearchQuery) -> Result<Self, SearchError> {
        if query.text.is_empty() {
            return Err(SearchError::EmptyQuery);
        }
        let pattern = match query.mode {
            SearchMode::Plain => regex::escape(&query.text),
            SearchMode::Regex => query.text.clone(),
        };
        let regex = RegexBuilder::new(&pattern)
            .case_insensitive(!query.case_sensitive)
            .multi_line(true)
            .build()
            .map_err(|e| SearchError::InvalidRegex {
                pattern: query.text.clone(),
                message: one_line(&e.to_string()),
            })?;
        Ok(Self {
            regex,
            whole_word: query.whole_word,
        })
    }

    /// The hits in one document, in reading order, at most `max` of them; the flag says
    /// whether more were left.
    pub fn search_document(&self, doc: &Document, max: usize) -> (Vec<SearchHit>, bool) {
        let mut hits = Vec::new();
        let capped = self.scan(doc, max, &mut hits);
        (hits, capped)
    }

    /// Appends up to `max - hits.len()` hits of `doc`; returns whether more were left.
    fn scan(&self, doc: &Document, max: usize, hits: &mut Vec<SearchHit>) -> bool {
        let text = doc.text().as_str();
        self.each_match(text, |m| {
            if hits.len() >= max {
                return ControlFlow::Break(());
            }
            let (context_left, context_right) = context(text, m.bytes.start, m.bytes.end);
            hits.push(SearchHit {
                doc: doc.id().clone(),
                start: m.start,
                end: m.end,
                text: text.get(m.bytes).unwrap_or_default().to_owned(),
                context_left,
                context_right,
            });
            ControlFlow::Continue(())
        })
    }

    /// Calls `each` with where the query matches in `doc`, in reading order, as
    /// code-point offsets: the hits without their text and context (tag-all over a
    /// corpus finds hundreds of thousands, and shows a screenful).
    pub fn each_match_in(&self, doc: &Document, mut each: impl FnMut(CharOffset, CharOffset)) {
        self.each_match(doc.text().as_str(), |m| {
            each(m.start, m.end);
            ControlFlow::Continue(())
        });
    }

    /// Calls `each` with every match in `text`, in reading order, until it breaks;
    /// returns whether it broke.
    fn each_match(&self, text: &str, mut each: impl FnMut(Match) -> ControlFlow<()>) -> bool {
        let mut words = WordBoundaries::new(text);
        let mut chars = CharCursor::new(text);
        let mut at = 0;
        while at <= text.len() {
            let Some(m) = self.regex.find_at(text, at) else {
                break;
            };
            let (start, end) = (m.start(), m.end());
            if start == end || (self.whole_word && !words.is_whole_word(start, end)) {
                at = next_char(text, start);
                continue;
            }
            let char_start = chars.char_of(start);
            let found = Match {
                bytes: start..end,
                start: CharOffset(char_start),
                end: CharOffset(char_start + m.as_str().chars().count()),
            };
            if each(found).is_break() {
                return true;
            }
            at = end;
        }
        false
    }
}

/// One match of a [`Searcher`] in a text: its bytes and its code points.
struct Match {
    bytes: std::ops::Range<usize>,
    start: CharOffset,
    end: CharOffset,
}

/// Searches the project: every document in [`Project::documents`] order, or the one the
/// scope names.
pub fn search(project: &Project, query: &SearchQuery) -> Result<SearchResults, SearchError> {
    let searcher = Searcher::new(query)?;
    let docs = scope_documents(project, &query.scope)?;
    let mut results = SearchResults::default();
    for doc in docs {
        if searcher.scan(doc, query.max_hits, &mut results.hits) {
            results.capped = true;
            break;
        }
    }
    Ok(results)
}

/// The documents a scope covers, in project order.
pub(crate) fn scope_documents<'p>(
    project: &'p Project,
    scope: &Scope,
) -> Result<&'p [Document], SearchError> {
    match scope {
        Scope::Corpus => Ok(project.documents()),
        Scope::Document(id) => project
            .document(id)
            .map(std::slice::from_ref)
            .ok_or_else(|| SearchError::NoSuchDocument(id.clone())),
    }
}

/// The line of a multi-line error message that says what is wrong (the `regex` crate
/// draws the pattern with a caret above it).
fn one_line(message: &str) -> String {
    message
        .lines()
        .find_map(|l| l.trim().strip_prefix("error:"))
        .unwrap_or(message)
        .trim()
        .to_owned()
}

/// The byte offset of the character after the one at `b` (or past the end).
pub(crate) fn next_char(text: &str, b: usize) -> usize {
    b + text
        .get(b..)
        .and_then(|rest| rest.chars().next())
        .map_or(1, char::len_utf8)
}

/// Keyword-in-context: up to [`CONTEXT_CHARS`] grapheme clusters either side of the
/// byte range `start..end`, with newlines and tabs shown as spaces.
pub(crate) fn context(text: &str, start: usize, end: usize) -> (String, String) {
    let before = text.get(..start).unwrap_or("");
    let left_from = simple_context_start(before).unwrap_or_else(|| {
        before
            .grapheme_indices(true)
            .rev()
            .take(CONTEXT_CHARS)
            .last()
            .map_or(before.len(), |(i, _)| i)
    });
    let after = text.get(end..).unwrap_or("");
    let right_to = simple_context_end(after).unwrap_or_else(|| {
        after
            .grapheme_indices(true)
            .nth(CONTEXT_CHARS)
            .map_or(after.len(), |(i, _)| i)
    });
    (
        flatten(before.get(left_from..).unwrap_or("")),
        flatten(after.get(..right_to).unwrap_or("")),
    )
}

/// Where the context before a hit starts when each of the last [`CONTEXT_CHARS`] + 1
/// characters of `before` is a grapheme cluster of its own, so the answer is a count of
/// characters instead of a walk over clusters backwards. `None` otherwise.
///
/// Below U+0300 (ASCII, Latin-1, Latin Extended) no character extends or joins another
/// (combining marks, joiners, prepended and spacing marks, Hangul jamo and regional
/// indicators all lie above); only CR LF is one cluster of two.
fn simple_context_start(before: &str) -> Option<usize> {
    let mut start = before.len();
    let mut next = None;
    for (n, (i, c)) in before
        .char_indices()
        .rev()
        .take(CONTEXT_CHARS + 1)
        .enumerate()
    {
        if c >= '\u{300}' || (c == '\r' && next == Some('\n')) {
            return None;
        }
        if n < CONTEXT_CHARS {
            start = i;
        }
        next = Some(c);
    }
    Some(start)
}

/// Where the context after a hit ends, when each of the first [`CONTEXT_CHARS`] + 1
/// characters of `after` is a grapheme cluster of its own (see [`simple_context_start`]).
fn simple_context_end(after: &str) -> Option<usize> {
    let mut end = after.len();
    let mut previous = None;
    for (n, (i, c)) in after.char_indices().take(CONTEXT_CHARS + 1).enumerate() {
        if c >= '\u{300}' || (c == '\n' && previous == Some('\r')) {
            return None;
        }
        if n == CONTEXT_CHARS {
            end = i;
        }
        previous = Some(c);
    }
    Some(end)
}

/// Newlines, carriage returns and tabs become spaces, so a snippet fits on one line.
fn flatten(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}

/// Converts byte offsets to code-point offsets for queries that move forward through one
/// text, counting only the bytes in between: a whole document costs one pass.
pub(crate) struct CharCursor<'t> {
    text: &'t str,
    byte: usize,
    char: usize,
}

impl<'t> CharCursor<'t> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        Self {
            text,
            byte: 0,
            char: 0,
        }
    }

    /// The code-point offset of byte offset `b` (a character boundary; clamped to the
    /// text). Moving backwards is allowed but recounts from the start.
    pub(crate) fn char_of(&mut self, b: usize) -> usize {
        let b = b.min(self.text.len());
        if b < self.byte {
            self.byte = 0;
            self.char = 0;
        }
        self.char += match self.text.get(self.byte..b) {
            // Most stretches between two hits are plain ASCII, which `is_ascii` confirms
            // faster than std's (vectorised) character count counts.
            Some(between) if between.is_ascii() => between.len(),
            Some(between) => between.chars().count(),
            // Not on a character boundary: every byte that is not a UTF-8 continuation
            // byte (0b10xx_xxxx) starts a character.
            None => self
                .text
                .as_bytes()
                .get(self.byte..b)
                .unwrap_or(&[])
                .iter()
                .filter(|&&x| (x as i8) >= -0x40)
                .count(),
        };
        self.byte = b;
        self.char
    }
}

/// Answers "is this byte offset a word boundary?" (UAX #29) for one text.
///
/// Most questions are settled by the two characters around the offset (a Latin letter or
/// digit next to a space or a quote); the rest segment the line around the offset with
/// `unicode-segmentation` — lines are independent because UAX #29 always breaks at a
/// newline — and keep that line's boundaries for the next question, which usually falls
/// on the same line.
pub(crate) struct WordBoundaries<'t> {
    text: &'t str,
    /// Byte range of the cached line and its boundaries (absolute, sorted).
    line: Option<(usize, usize, Vec<usize>)>,
}

impl<'t> WordBoundaries<'t> {
    /// Boundaries of `text`, computed lazily.
    pub(crate) fn new(text: &'t str) -> Self {
        Self { text, line: None }
    }

    /// Whether `start..end` is non-empty and begins and ends on word boundaries.
    pub(crate) fn is_whole_word(&mut self, start: usize, end: usize) -> bool {
        start < end && self.is_boundary(start) && self.is_boundary(end)
    }

    /// Whether byte offset `b` is a word boundary; the start and end of the text are.
    pub(crate) fn is_boundary(&mut self, b: usize) -> bool {
        let text = self.text;
        if b == 0 || b == text.len() {
            return true;
        }
        let (Some(before), Some(after)) = (text.get(..b), text.get(b..)) else {
            return false; // past the end or inside a character
        };
        if let Some(answer) = quick_boundary(before, after) {
            return answer;
        }
        self.segmented_boundary(b)
    }

    /// The slow path: segments the line around `b` (once) and looks `b` up.
    fn segmented_boundary(&mut self, b: usize) -> bool {
        let cached = matches!(&self.line, Some((s, e, _)) if *s <= b && b <= *e);
        if !cached {
            let text = self.text;
            let line_start = text
                .get(..b)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |i| i + 1);
            let line_end = text
                .get(b..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |i| b + i);
            let line = text.get(line_start..line_end).unwrap_or("");
            let bounds: Vec<usize> = line
                .split_word_bound_indices()
                .map(|(i, _)| line_start + i)
                .chain([line_end])
                .collect();
            self.line = Some((line_start, line_end, bounds));
        }
        self.line
            .as_ref()
            .is_some_and(|(_, _, bounds)| bounds.binary_search(&b).is_ok())
    }
}

/// What the quick boundary check knows about a character's UAX #29 word-break class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A Latin letter (`ALetter`).
    Letter,
    /// An ASCII digit (`Numeric`).
    Digit,
    /// `Other`, `WSegSpace`, `Newline`, `LF` or `Double_Quote`: UAX #29 always breaks
    /// between one of these and a letter or digit.
    Separator,
    /// `MidLetter` (`:` `·`): joins letters (`a:b`).
    MidLetter,
    /// `MidNum` (`,` `;`): joins digits (`338,5`).
    MidNum,
    /// `MidNumLet` or `Single_Quote` (`.` `'` `‘` `’`): joins letters and digits.
    MidBoth,
    /// Anything else (marks, `_`, narrow no-break space, other scripts): ask the segmenter.
    Unknown,
}

fn class(c: char) -> Class {
    match c {
        _ if c.is_ascii_digit() => Class::Digit,
        _ if c.is_ascii_alphabetic() => Class::Letter,
        // Latin-1 to Latin Extended-B and IPA: every alphabetic character there is ALetter.
        '\u{c0}'..'\u{2b0}' if c.is_alphabetic() => Class::Letter,
        ':' | '·' => Class::MidLetter,
        ',' | ';' => Class::MidNum,
        '.' | '\'' | '‘' | '’' => Class::MidBoth,
        '\u{202f}' => Class::Unknown, // narrow no-break space is ExtendNumLet
        _ if c.is_whitespace() => Class::Separator,
        '!' | '"' | '#' | '$' | '%' | '&' | '(' | ')' | '*' | '+' | '-' | '/' | '<' | '=' | '>'
        | '?' | '@' | '[' | '\\' | ']' | '^' | '`' | '{' | '|' | '}' | '~' | '«' | '»' | '“'
        | '”' | '„' | '–' | '—' | '…' | '€' => Class::Separator,
        _ => Class::Unknown,
    }
}

/// The boundary answer when the characters around the offset settle it alone: `before`
/// and `after` are the text on either side (both non-empty).
fn quick_boundary(before: &str, after: &str) -> Option<bool> {
    let mut back = before.chars().rev();
    let mut ahead = after.chars();
    let (p, n) = (back.next()?, ahead.next()?);
    if p == '\n' || n == '\n' {
        return Some(p != '\r'); // WB3: no break inside CR LF; WB3a/b: break around newlines
    }
    let word = |c| matches!(c, Class::Letter | Class::Digit);
    match (class(p), class(n)) {
        (a, b) if word(a) && word(b) => Some(false), // WB5, WB8, WB9, WB10
        (a, Class::Separator) | (Class::Separator, a) if word(a) => Some(true),
        (a, mid) if word(a) => joined_across(a, mid, ahead.next()).map(|j| !j), // WB6, WB12
        (mid, a) if word(a) => joined_across(a, mid, back.next()).map(|j| !j),  // WB7, WB11
        _ => None,
    }
}

/// Whether a letter or digit of class `word` is joined to the `far` character across the
/// middle character of class `mid` (`None` when the classes do not settle it).
fn joined_across(word: Class, mid: Class, far: Option<char>) -> Option<bool> {
    let joins = match (word, mid) {
        (Class::Letter, Class::MidLetter | Class::MidBoth) => true,
        (Class::Digit, Class::MidNum | Class::MidBoth) => true,
        (_, Class::MidLetter | Class::MidNum | Class::MidBoth) => false,
        _ => return None,
    };
    let Some(far) = far else {
        return Some(false);
    };
    match class(far) {
        Class::Unknown => None, // it may be a mark that WB4 skips
        far => Some(joins && far == word),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::builtin_schema;
    use std::collections::BTreeMap;

    fn project(docs: &[(&str, &str)]) -> Project {
        let docs = docs
            .iter()
            .map(|(id, text)| {
                Document::new(
                    DocId::from((*id).to_owned()),
                    (*id).to_owned(),
                    BTreeMap::new(),
                    (*text).to_owned(),
                )
            })
            .collect();
        Project::new(builtin_schema(), docs).expect("distinct ids")
    }

    /// Runs a query and renders each hit as `doc:start-end:text`, checking on the way that
    /// the offsets slice the document to the reported text.
    fn hits(p: &Project, query: &SearchQuery) -> Vec<String> {
        let results = search(p, query).expect("query compiles");
        results
            .hits
            .iter()
            .map(|h| {
                let doc = p.document(&h.doc).expect("hit in a known document");
                assert_eq!(doc.text().slice(h.start, h.end), h.text, "offsets of {h:?}");
                format!("{}:{}-{}:{}", h.doc, h.start, h.end, h.text)
            })
            .collect()
    }

    const DOCS: &[(&str, &str)] = &[
        (
            "a",
            "Facebook zegt sorry. FACEBOOK-gebruikers boos op facebook.",
        ),
        (
            "b",
            "😀 Zuckerbergs café 👍🏽 en Café e\u{301}e\u{301}n\nCafé",
        ),
    ];

    #[test]
    fn plain_search_cases() {
        let p = project(DOCS);
        let case = |text: &str, sensitive: bool, whole: bool| SearchQuery {
            case_sensitive: sensitive,
            whole_word: whole,
            ..SearchQuery::plain(text)
        };
        let cases: &[(SearchQuery, &[&str])] = &[
            (
                case("facebook", false, false),
                &["a:0-8:Facebook", "a:21-29:FACEBOOK", "a:49-57:facebook"],
            ),
            (case("facebook", true, false), &["a:49-57:facebook"]),
            (case("Zuckerberg", true, false), &["b:2-12:Zuckerberg"]),
            (case("Zuckerberg", true, true), &[]),
            (
                case("café", false, false),
                &["b:14-18:café", "b:25-29:Café", "b:36-40:Café"],
            ),
            (case("ÉÉN", false, false), &[]),
            (
                case("e\u{301}e\u{301}n", false, false),
                &["b:30-35:e\u{301}e\u{301}n"],
            ),
            (case("👍🏽", true, false), &["b:19-21:👍🏽"]),
            (case("a.b", false, false), &[]),
        ];
        for (query, want) in cases {
            assert_eq!(hits(&p, query), *want, "{query:?}");
        }
    }

    #[test]
    fn regex_search_cases() {
        let p = project(DOCS);
        let cases: &[(&str, &[&str])] = &[
            (r"[Ff]acebook\b", &["a:0-8:Facebook", "a:49-57:facebook"]),
            (
                r"(?i)\bcaf.\b",
                &["b:14-18:café", "b:25-29:Café", "b:36-40:Café"],
            ),
            (r"^Café$", &["b:36-40:Café"]),
            (r"x*", &[]),
            ("[😀👍]", &["b:0-1:😀", "b:19-20:👍"]),
        ];
        for (pattern, want) in cases {
            assert_eq!(hits(&p, &SearchQuery::regex(pattern)), *want, "{pattern}");
        }
    }

    #[test]
    fn invalid_queries_are_errors_not_panics() {
        let p = project(DOCS);
        for pattern in ["(unclosed", "[z-a]", "a{2,1}", r"\p{NoSuchClass}"] {
            match search(&p, &SearchQuery::regex(pattern)) {
                Err(SearchError::InvalidRegex {
                    pattern: got,
                    message,
                }) => {
                    assert_eq!(got, pattern);
                    assert!(!message.is_empty() && !message.contains('\n'), "{message}");
                }
                other => panic!("{pattern}: expected an invalid-regex error, got {other:?}"),
            }
        }
        assert_eq!(
            search(&p, &SearchQuery::plain("")),
            Err(SearchError::EmptyQuery)
        );
        let missing = SearchQuery {
            scope: Scope::Document(DocId("nope".into())),
            ..SearchQuery::plain("x")
        };
        assert_eq!(
            search(&p, &missing),
            Err(SearchError::NoSuchDocument(DocId("nope".into())))
        );
        // Special characters in plain mode are literal.
        assert_eq!(
            hits(&p, &SearchQuery::plain("(unclosed")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn hits_are_capped_with_a_flag() {
        let p = project(&[("a", "de de de"), ("b", "de")]);
        let capped = |max| {
            let r = search(
                &p,
                &SearchQuery {
                    max_hits: max,
                    ..SearchQuery::plain("de")
                },
            )
            .expect("compiles");
            (r.hits.len(), r.capped)
        };
        assert_eq!(capped(2), (2, true));
        assert_eq!(capped(3), (3, true));
        assert_eq!(capped(4), (4, false));
        assert_eq!(capped(10), (4, false));
        let one_doc = SearchQuery {
            scope: Scope::Document(DocId("b".into())),
            ..SearchQuery::plain("de")
        };
        assert_eq!(hits(&p, &one_doc), ["b:0-2:de"]);
    }

    /// The ASCII shortcut gives what walking grapheme clusters gives, whatever is
    /// around the hit: CR LF pairs, accents, emoji and the text's ends.
    #[test]
    fn context_shortcut_agrees_with_grapheme_clusters() {
        let pieces = [
            "ab",
            " ",
            "word ",
            "x",
            "ab",
            "zegt ",
            "\r\n",
            "\r",
            "\n",
            "e\u{301}",
            "👍🏽",
            "\t",
            "é",
            "©\u{200d}",
            "\u{ad}",
            "ß",
            "\u{1100}\u{1161}",
            "🇳🇱",
        ];
        // xorshift: a fixed stream of numbers, each below its argument.
        let mut state = 17u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let mut shortcuts = [0, 0];
        for _ in 0..5000 {
            // Mostly ASCII pieces, so long plain runs come up beside the others.
            let text: String = (0..next(80))
                .map(|_| {
                    pieces[if next(3) == 0 {
                        next(pieces.len())
                    } else {
                        next(6)
                    }]
                })
                .collect();
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&b| text.is_char_boundary(b))
                .collect();
            let start = boundaries[next(boundaries.len())];
            let end = start.max(boundaries[next(boundaries.len())]);
            let before = &text[..start];
            let after = &text[end..];
            let left = before
                .grapheme_indices(true)
                .rev()
                .take(CONTEXT_CHARS)
                .last()
                .map_or(before.len(), |(i, _)| i);
            let right = after
                .grapheme_indices(true)
                .nth(CONTEXT_CHARS)
                .map_or(after.len(), |(i, _)| i);
            if let Some(shortcut) = simple_context_start(before) {
                assert_eq!(shortcut, left, "{text:?} before {start}");
                shortcuts[0] += 1;
            }
            if let Some(shortcut) = simple_context_end(after) {
                assert_eq!(shortcut, right, "{text:?} after {end}");
                shortcuts[1] += 1;
            }
        }
        assert!(shortcuts.iter().all(|&n| n > 500), "{shortcuts:?}");
    }

    #[test]
    fn context_is_kwic_on_one_line() {
        let long = format!("{}\nTrump\tzegt{}", "x".repeat(60), "y".repeat(60));
        let p = project(&[("a", &long), ("b", "👍🏽 e\u{301} Trump.")]);
        let r = search(&p, &SearchQuery::plain("trump")).expect("compiles");
        let kwic: Vec<(&str, &str)> = r
            .hits
            .iter()
            .map(|h| (h.context_left.as_str(), h.context_right.as_str()))
            .collect();
        let left_a = format!("{} ", "x".repeat(39));
        let right_a = format!(" zegt{}", "y".repeat(35));
        assert_eq!(
            kwic,
            [(left_a.as_str(), right_a.as_str()), ("👍🏽 e\u{301} ", ".")]
        );
    }

    /// The quick boundary answers agree with `unicode-segmentation` on every pair of a
    /// sample of letters, digits, punctuation, spaces, marks and emoji.
    #[test]
    fn quick_boundaries_agree_with_uax29() {
        let sample: Vec<char> = ('\u{20}'..'\u{7f}')
            .chain("ÀéëïößÿªµºĀőžƒǅɐʯ·×÷¡¿«»\u{a0}\u{ad}".chars())
            .chain("‘’“”„–—…€\u{202f}\u{2028}\u{301}\u{200d}😀👍🏽אב\r\n\t".chars())
            .collect();
        let sides = ["", "a", "1", " ", ".", "\u{301}"];
        let mut checked = 0;
        for &p in &sample {
            for &n in &sample {
                for left in sides {
                    for right in sides {
                        let s = format!("{left}{p}{n}{right}");
                        let at = left.len() + p.len_utf8();
                        let Some(quick) = quick_boundary(&s[..at], &s[at..]) else {
                            continue;
                        };
                        let truth = s.split_word_bound_indices().any(|(i, _)| i == at);
                        assert_eq!(quick, truth, "{s:?} at {at}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn whole_words_follow_uax29() {
        let cases: &[(&str, &str, bool)] = &[
            ("Facebook-gebruikers", "Facebook", true),
            ("Facebook-gebruikers", "gebruikers", true),
            ("Facebooks", "Facebook", false),
            ("338.300", "338", false),
            ("zo'n", "zo", false),
            ("Trump's", "Trump", false),
            ("Trump.", "Trump", true),
            ("„Trump”", "Trump", true),
            ("e\u{301}Trump", "Trump", false),
            ("Trump\u{301}", "Trump", false),
            ("😀Trump", "Trump", true),
            ("Trump_fan", "Trump", false),
            ("Trump\u{202f}x", "Trump", false),
        ];
        for &(text, word, want) in cases {
            let start = text.find(word).expect("word in text");
            let mut b = WordBoundaries::new(text);
            assert_eq!(
                b.is_whole_word(start, start + word.len()),
                want,
                "{word} in {text}"
            );
        }
    }

    #[test]
    fn char_cursor_counts_code_points() {
        let text = "a😀é\u{301}b";
        let mut cursor = CharCursor::new(text);
        let mut got: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| cursor.char_of(b))
            .collect();
        got.push(cursor.char_of(text.len()));
        got.push(cursor.char_of(1));
        assert_eq!(got, [0, 1, 2, 3, 4, 5, 1]);
    }
}
