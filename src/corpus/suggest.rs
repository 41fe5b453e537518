//! Suggestions from the user's own tags, and "tag all occurrences".
//!
//! Once a string has been tagged as an entity somewhere in the project, its untagged
//! occurrences elsewhere are likely the same entity. [`SuggestionEngine`] collects those
//! strings (plus canonical names, and optionally Dutch genitive forms), compiles them into
//! a leftmost-longest Aho-Corasick automaton, and scans documents for whole-word
//! occurrences that no entity covers yet and that the user has not rejected.
//!
//! Decisions, in one place:
//! - **What is a pattern.** The trimmed text of every single-span entity annotation (a
//!   discontinuous entity's text does not occur contiguously, so it is left out), and,
//!   with [`SuggestOptions::canonical_names`], every canonical name. All mention texts that
//!   share a canonical name are patterns anyway, so "Zuckerberg" and "Mark Zuckerberg"
//!   tagged with canonical "Mark Zuckerberg" both get suggested. Patterns shorter than
//!   [`SuggestOptions::min_chars`] are left out. Matching is case-sensitive: names are.
//! - **What it proposes.** For a tagged string, the label it was tagged with most often
//!   (ties go to the alphabetically first label, so results are deterministic) and, among
//!   those annotations, the most frequent canonical name, if any. For a canonical name
//!   that was never tagged literally, the most frequent label of its mentions.
//! - **Whole words.** A match must start and end on a Unicode word boundary (UAX #29, the
//!   same segmentation that double-click and snapping use). So "Facebook" is suggested
//!   inside "Facebook-gebruikers" — the hyphen separates words, and double-clicking there
//!   selects exactly "Facebook" — but not inside "Facebooks" or "Facebook's".
//! - **Genitives** ([`SuggestOptions::genitive`]): "Trumps", "Zuckerbergs" (name + `s`),
//!   "Obama's"/"Obama’s" after a vowel, both `s` and `'s` after a final `e` ("Googles",
//!   "Google's"), `'s` after an acronym ("VVD's"); names ending in s, x or z (whose
//!   genitive is a bare apostrophe) get none. The suggested span is the whole word,
//!   genitive ending included, with the base name's label and canonical name.
//! - **What is skipped.** Occurrences overlapping any existing entity annotation, of any
//!   label (stances do not count: a quote may contain names), and occurrences the user
//!   rejected with that same label ([`Project::rejected_suggestions`]). When the longest
//!   match at a place is skipped or not a whole word, shorter patterns at the same place
//!   and then later places are tried, so "Mark Zuckerberg" rejected can still leave
//!   "Zuckerberg" inside it.
//!
//! For interactive use the engine keeps its pattern statistics:
//! [`SuggestionEngine::update_document`] re-counts one document's tags after an edit and
//! recompiles the automaton only when the set of strings changed, and
//! [`SuggestionEngine::for_document`] scans one document. [`SuggestionEngine::all`] scans
//! them all, in parallel, with the same result as `for_document` over each in turn.

use crate::corpus::search::{
    CharCursor, SearchMode, SearchQuery, Searcher, WordBoundaries, next_char, scope_documents,
};
use crate::model::annotation::AnnotationError;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, CharOffset, DocAnnotations, DocId, DocStatus,
    DocText, Document, Edit, Name, Project, RejectedSuggestion, Span, SpanError,
};
use aho_corasick::{AhoCorasick, Anchored, BuildError, Input, MatchKind, StartKind};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use thiserror::Error;

pub use crate::corpus::search::Scope;

/// Options of the suggestion engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestOptions {
    /// Also match Dutch genitive forms ("Facebooks", "Obama's").
    pub genitive: bool,
    /// Also match canonical names, even where nobody tagged that exact string.
    pub canonical_names: bool,
    /// Patterns shorter than this many characters are not used (a lone tagged "5" or "a"
    /// would flood the list).
    pub min_chars: usize,
}

impl Default for SuggestOptions {
    /// No genitives, canonical names on, patterns of two characters or more ("EU", "VS").
    fn default() -> Self {
        Self {
            genitive: false,
            canonical_names: true,
            min_chars: 2,
        }
    }
}

/// Why a suggestion's pattern is in the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuggestionSource {
    /// This exact string was tagged somewhere.
    Tagged,
    /// The string is a canonical name of tagged mentions.
    Canonical,
    /// A Dutch genitive of a tagged string or canonical name.
    Genitive,
    /// Not a string match: the entity recommender ([`crate::corpus::learn`]) proposes it,
    /// this sure (thousandths).
    Predicted {
        /// The model's confidence × 1000.
        per_mille: u16,
    },
}

/// One suggestion: an untagged occurrence of an already tagged string. Ids and names are
/// shared with the project and the engine (a scan of a big corpus makes tens of thousands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Document id.
    #[serde(serialize_with = "as_str")]
    pub doc: DocId,
    /// Start (code points, inclusive).
    pub start: usize,
    /// End (code points, exclusive).
    pub end: usize,
    /// The text at `start..end`.
    pub text: String,
    /// Proposed label.
    #[serde(serialize_with = "as_str")]
    pub label: Name,
    /// Proposed canonical name, if the string was tagged with one.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_opt_str")]
    pub canonical: Option<Name>,
    /// Why the engine knows this string (not exported).
    #[serde(skip)]
    pub source: SuggestionSource,
}

/// Serialises an id or name as its string.
fn as_str<S: serde::Serializer>(value: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// Serialises an optional name as its string (or nothing).
fn as_opt_str<S: serde::Serializer>(value: &Option<Name>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(name) => s.serialize_str(name),
        None => s.serialize_none(),
    }
}

/// Why an annotation could not be made from a suggestion or an occurrence.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AcceptError {
    /// The offsets do not fit the text (the document changed since the scan).
    #[error(transparent)]
    Span(#[from] SpanError),
    /// The label is empty.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
}

/// An entity annotation on `start..end` of `text`.
fn entity(
    id: AnnotationId,
    (start, end): (usize, usize),
    text: &DocText,
    label: Name,
    canonical: Option<Name>,
) -> Result<Annotation, AcceptError> {
    let span = Span::new(start, end, text)?;
    let kind = AnnotationKind::Entity { label, canonical };
    Ok(Annotation::new(id, Anchor::span(span), kind)?)
}

impl Suggestion {
    /// The record that hides this suggestion: apply
    /// `Edit::SetRejected(s.rejection(), true)`.
    pub fn rejection(&self) -> RejectedSuggestion {
        RejectedSuggestion {
            doc: self.doc.clone(),
            start: self.start,
            end: self.end,
            label: self.label.to_string(),
        }
    }

    /// The entity annotation that accepts this suggestion (to wrap in
    /// `Edit::AddAnnotation`); `text` is the document's text.
    pub fn annotation(&self, id: AnnotationId, text: &DocText) -> Result<Annotation, AcceptError> {
        entity(
            id,
            (self.start, self.end),
            text,
            self.label.clone(),
            self.canonical.clone(),
        )
    }
}

/// An interned string.
type Sym = u32;

/// Strings stored once, named by number.
#[derive(Debug, Default, Clone)]
struct Interner {
    ids: HashMap<Box<str>, Sym>,
    names: Vec<Name>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = Sym::try_from(self.names.len()).unwrap_or(Sym::MAX);
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    fn name(&self, id: Sym) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }

    /// The shared string of `id`, for handing out without copying it.
    fn shared(&self, id: Sym) -> Name {
        self.names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Name::from(""))
    }
}

/// One entity mention's contribution: its text, label and canonical name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Mention {
    text: Sym,
    label: Sym,
    canonical: Option<Sym>,
}

/// What a pattern proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Proposal {
    label: Sym,
    canonical: Option<Sym>,
    source: SuggestionSource,
}

/// The suggestion engine: pattern statistics from the project's entity tags and the
/// automaton compiled from them.
#[derive(Debug, Clone)]
pub struct SuggestionEngine {
    options: SuggestOptions,
    strings: Interner,
    /// How many entity annotations carry each (text, label, canonical).
    counts: HashMap<Mention, u32>,
    /// What was counted of each document with mentions, so one document can be counted
    /// again after an edit (its old mentions taken off, its new ones added): the
    /// document and its tag list as the project shares them. A pointer each, where a
    /// table of each document's mentions took ≈ 40 MB at 100k documents; the project
    /// copies a list it shares before changing it, so the one kept here stays as counted.
    counted: FxHashMap<DocId, (Document, Arc<DocAnnotations>)>,
    /// Pattern strings, sorted; index = automaton pattern id.
    patterns: Vec<Sym>,
    /// What each pattern proposes, same index.
    proposals: Vec<Proposal>,
    matcher: Result<Option<Matcher>, BuildError>,
}

/// The pattern strings compiled into two automata, one per kind of search.
///
/// One automaton with `StartKind::Both` could do both searches, but aho-corasick then never
/// picks its DFA (it would need two transition tables) and falls back to a slower NFA;
/// two automata with one start kind each keep the library's own choice, which is the DFA
/// for up to 100 patterns.
#[derive(Debug, Clone)]
struct Matcher {
    /// Finds the next leftmost-longest occurrence of any pattern.
    next: AhoCorasick,
    /// Finds the longest pattern starting exactly at a place, for trying shorter patterns
    /// where the longest one was not acceptable.
    anchored: AhoCorasick,
}

impl Matcher {
    fn build<'p>(patterns: impl Iterator<Item = &'p str> + Clone) -> Result<Self, BuildError> {
        let builder = |start: StartKind| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(start)
                .build(patterns.clone())
        };
        Ok(Self {
            next: builder(StartKind::Unanchored)?,
            anchored: builder(StartKind::Anchored)?,
        })
    }

    /// The leftmost-longest match starting at or after byte `at`.
    fn next_match(&self, haystack: &[u8], at: usize) -> Option<aho_corasick::Match> {
        self.next
            .find(Input::new(haystack).span(at..haystack.len()))
    }

    /// The longest match that starts at `m.start()` and is shorter than `m`.
    fn shorter(&self, haystack: &[u8], m: aho_corasick::Match) -> Option<aho_corasick::Match> {
        let end = m.end().checked_sub(1).filter(|&e| e > m.start())?;
        let input = Input::new(haystack)
            .span(m.start()..end)
            .anchored(Anchored::Yes);
        self.anchored.find(input)
    }
}

/// Each different mention of `mentions` once, with how often it is there, sorted.
fn tally(mut mentions: Vec<Mention>) -> Vec<(Mention, u32)> {
    mentions.sort_unstable();
    let mut tallied: Vec<(Mention, u32)> = Vec::new();
    for m in mentions {
        match tallied.last_mut() {
            Some((last, n)) if *last == m => *n += 1,
            _ => tallied.push((m, 1)),
        }
    }
    tallied.shrink_to_fit();
    tallied
}

impl SuggestionEngine {
    /// Builds the engine from every entity tag in the project.
    pub fn build(project: &Project, options: &SuggestOptions) -> Self {
        let mut engine = Self {
            options: options.clone(),
            strings: Interner::default(),
            counts: HashMap::new(),
            counted: FxHashMap::default(),
            patterns: Vec::new(),
            proposals: Vec::new(),
            matcher: Ok(None),
        };
        // Each document's tags at once, gathered in one pass over memory: ids are content
        // hashes, so a walk in id order would change document at nearly every step.
        let lists = (0..).map_while(|at| project.annotations().shared_of_document(at));
        for (doc, list) in project.documents().iter().zip(lists) {
            let mentions = engine.mentions_in(doc, list);
            for &(m, n) in &mentions {
                *engine.counts.entry(m).or_insert(0) += n;
            }
            if !mentions.is_empty() {
                engine
                    .counted
                    .insert(doc.id().clone(), (doc.clone(), Arc::clone(list)));
            }
        }
        engine.compile();
        engine
    }

    /// The options the engine was built with.
    pub fn options(&self) -> &SuggestOptions {
        &self.options
    }

    /// Changes the options, recompiling the automaton when that changes the patterns.
    pub fn set_options(&mut self, options: &SuggestOptions) {
        if self.options != *options {
            self.options = options.clone();
            self.compile();
        }
    }

    /// Number of strings the engine looks for.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Why the automaton could not be compiled (only when the patterns exceed the
    /// automaton's size limits); the engine then suggests nothing.
    pub fn build_error(&self) -> Option<&BuildError> {
        self.matcher.as_ref().err()
    }

    /// Re-counts one document's entity tags after the user edited them (or after the
    /// document was added or removed). Returns whether the patterns or their proposals
    /// changed, i.e. whether suggestions shown elsewhere may be stale. The automaton is
    /// recompiled only when the set of strings changed.
    pub fn update_document(&mut self, project: &Project, doc: &DocId) -> bool {
        let now = project.document_index(doc).and_then(|at| {
            let list = project.annotations().shared_of_document(at)?;
            Some((project.documents().get(at)?.clone(), Arc::clone(list)))
        });
        let then = self.counted.remove(doc);
        if let (Some((_, now_list)), Some((_, then_list))) = (&now, &then)
            && Arc::ptr_eq(now_list, then_list)
        {
            // Its tags are the ones counted.
            self.counted.extend(then.map(|kept| (doc.clone(), kept)));
            return false;
        }
        let old = then.map_or_else(Vec::new, |(d, list)| self.mentions_in(&d, &list));
        let new = now
            .as_ref()
            .map_or_else(Vec::new, |(d, list)| self.mentions_in(d, list));
        if !new.is_empty() {
            self.counted.extend(now.map(|kept| (doc.clone(), kept)));
        }
        if old == new {
            return false;
        }
        for (m, n) in &old {
            if let Some(count) = self.counts.get_mut(m) {
                *count = count.saturating_sub(*n);
                if *count == 0 {
                    self.counts.remove(m);
                }
            }
        }
        for &(m, n) in &new {
            *self.counts.entry(m).or_insert(0) += n;
        }
        self.compile()
    }

    /// Every suggestion in the project, in document order and then by start.
    ///
    /// Documents are scanned in parallel, in batches of consecutive documents that are put
    /// back in order, so the result is exactly that of [`Self::for_document`] over each
    /// document in turn.
    pub fn all(&self, project: &Project) -> Vec<Suggestion> {
        let Ok(Some(matcher)) = &self.matcher else {
            return Vec::new();
        };
        let batches = batches_of_text(project.documents(), BATCH_BYTES);
        extend_in_parallel(&batches, Scratch::default, |scratch, batch, out| {
            for doc in *batch {
                self.scan_document(matcher, project, doc, scratch, out);
            }
        })
    }

    /// The suggestions in one document, sorted by start; empty for an unknown document.
    pub fn for_document(&self, project: &Project, doc: &DocId) -> Vec<Suggestion> {
        let mut out = Vec::new();
        if let (Ok(Some(matcher)), Some(document)) = (&self.matcher, project.document(doc)) {
            let mut scratch = Scratch::default();
            self.scan_document(matcher, project, document, &mut scratch, &mut out);
        }
        out
    }

    /// The mention an annotation contributes: single-span entities with a non-blank text.
    /// The mentions of `doc` among its tags `list`, each different one once with how
    /// often the document has it, sorted ([`tally`]).
    fn mentions_in(&mut self, doc: &Document, list: &DocAnnotations) -> Vec<(Mention, u32)> {
        let mentions: Vec<Mention> = list
            .as_slice()
            .iter()
            .filter_map(|ann| self.mention(ann, doc))
            .collect();
        tally(mentions)
    }

    fn mention(&mut self, ann: &Annotation, doc: &Document) -> Option<Mention> {
        let AnnotationKind::Entity { label, canonical } = ann.kind() else {
            return None;
        };
        let [span] = ann.spans() else {
            return None;
        };
        let text = span.text(doc.text()).trim();
        if text.is_empty() {
            return None;
        }
        let canonical = canonical
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.strings.intern(c));
        Some(Mention {
            text: self.strings.intern(text),
            label: self.strings.intern(label),
            canonical,
        })
    }

    /// Derives the patterns and proposals from the counts and compiles the automaton when
    /// the strings changed. Returns whether anything changed.
    fn compile(&mut self) -> bool {
        let table = self.pattern_table();
        let patterns: Vec<Sym> = table.iter().map(|(s, _)| *s).collect();
        let proposals: Vec<Proposal> = table.iter().map(|(_, p)| *p).collect();
        let strings_changed = patterns != self.patterns;
        let changed = strings_changed || proposals != self.proposals;
        self.proposals = proposals;
        if strings_changed || self.matcher.is_err() {
            self.patterns = patterns;
            self.matcher = if self.patterns.is_empty() {
                Ok(None)
            } else {
                Matcher::build(self.patterns.iter().map(|&s| self.strings.name(s))).map(Some)
            };
        }
        changed
    }

    /// Every pattern with its proposal, sorted by pattern string.
    fn pattern_table(&mut self) -> Vec<(Sym, Proposal)> {
        // Per text and per canonical name: how often each (label, canonical) was used.
        let mut by_text: HashMap<Sym, Vec<(Sym, Option<Sym>, u32)>> = HashMap::new();
        let mut by_canonical: HashMap<Sym, Vec<(Sym, Option<Sym>, u32)>> = HashMap::new();
        for (m, &n) in &self.counts {
            by_text
                .entry(m.text)
                .or_default()
                .push((m.label, m.canonical, n));
            if let Some(c) = m.canonical {
                by_canonical
                    .entry(c)
                    .or_default()
                    .push((m.label, Some(c), n));
            }
        }
        let strings = &self.strings;
        let long_enough = |s: Sym| strings.name(s).chars().count() >= self.options.min_chars;
        let mut table: BTreeMap<&str, (Sym, Proposal)> = BTreeMap::new();
        for (&text, uses) in &by_text {
            if long_enough(text) {
                let proposal = propose(strings, uses, SuggestionSource::Tagged);
                table.insert(strings.name(text), (text, proposal));
            }
        }
        if self.options.canonical_names {
            for (&canonical, uses) in &by_canonical {
                if long_enough(canonical) {
                    let proposal = propose(strings, uses, SuggestionSource::Canonical);
                    table
                        .entry(strings.name(canonical))
                        .or_insert((canonical, proposal));
                }
            }
        }
        let genitives: Vec<(String, Proposal)> = if self.options.genitive {
            table
                .iter()
                .flat_map(|(name, (_, proposal))| {
                    let proposal = Proposal {
                        source: SuggestionSource::Genitive,
                        ..*proposal
                    };
                    genitive_forms(name).into_iter().map(move |f| (f, proposal))
                })
                .filter(|(form, _)| !table.contains_key(form.as_str()))
                .collect()
        } else {
            Vec::new()
        };
        let mut entries: Vec<(Sym, Proposal)> = table.into_values().collect();
        for (form, proposal) in genitives {
            entries.push((self.strings.intern(&form), proposal));
        }
        let strings = &self.strings;
        // Stable: of two bases with the same genitive form, the first name wins.
        entries.sort_by(|a, b| strings.name(a.0).cmp(strings.name(b.0)));
        entries.dedup_by_key(|e| e.0);
        entries
    }

    /// Appends the suggestions of one document, using `scratch` (reused from one document
    /// to the next) for its entity spans and its masked text.
    ///
    /// The automaton searches a copy of the text in which every entity is masked (see
    /// [`mask_entities`]), so it only reports occurrences that touch no entity. Most
    /// occurrences of tagged strings are the tags themselves; they are never reported,
    /// which halves the search time over a tagged corpus, and no match needs an overlap
    /// check. Whole words are judged on the real text, at the same byte offsets.
    fn scan_document(
        &self,
        matcher: &Matcher,
        project: &Project,
        doc: &Document,
        scratch: &mut Scratch,
        out: &mut Vec<Suggestion>,
    ) {
        entity_spans(project, doc.id(), &mut scratch.spans);
        mask_entities(doc.text(), &scratch.spans, &mut scratch.masked);
        let rejected = rejected_in(project, doc.id());
        let text = doc.text().as_str();
        let haystack = scratch.masked.as_slice();
        let mut scan = DocumentScan {
            doc: doc.id(),
            text,
            rejected: &rejected,
            words: WordBoundaries::new(text),
            chars: CharCursor::new(text),
        };
        let mut at = 0;
        while at < haystack.len() {
            let Some(first) = matcher.next_match(haystack, at) else {
                break;
            };
            let mut candidate = Some(first);
            let mut accepted = None;
            // The longest acceptable match at this place: try shorter ones when one fails.
            while let Some(m) = candidate {
                if let Some(s) = self.accept(m, &mut scan) {
                    accepted = Some(s);
                    break;
                }
                candidate = matcher.shorter(haystack, m);
            }
            match accepted {
                Some(s) => {
                    at = s.end_byte;
                    out.push(s.suggestion);
                }
                None => at = next_char(text, first.start()),
            }
        }
    }

    /// The suggestion for match `m` (which touches no entity) if it is a whole word and not
    /// rejected.
    fn accept(&self, m: aho_corasick::Match, scan: &mut DocumentScan<'_>) -> Option<Accepted> {
        let (bs, be) = (m.start(), m.end());
        if !scan.words.is_whole_word(bs, be) {
            return None;
        }
        let matched = scan.text.get(bs..be)?;
        let start = scan.chars.char_of(bs);
        let end = start + matched.chars().count();
        let proposal = self.proposals.get(m.pattern().as_usize())?;
        let label = self.strings.name(proposal.label);
        if scan.rejected.binary_search(&(start, end, label)).is_ok() {
            return None;
        }
        Some(Accepted {
            end_byte: be,
            suggestion: Suggestion {
                doc: scan.doc.clone(),
                start,
                end,
                text: matched.to_owned(),
                label: self.strings.shared(proposal.label),
                canonical: proposal.canonical.map(|c| self.strings.shared(c)),
                source: proposal.source,
            },
        })
    }
}

/// Room for scanning documents one after another without allocating for each.
#[derive(Default)]
struct Scratch {
    /// The document's entity spans, sorted.
    spans: Vec<(usize, usize)>,
    /// The document's text with its entities masked.
    masked: Vec<u8>,
}

/// The document a scan is in, and what it checks matches against besides entities.
struct DocumentScan<'a> {
    doc: &'a DocId,
    text: &'a str,
    /// The document's rejected suggestions, sorted (see [`rejected_in`]).
    rejected: &'a [(usize, usize, &'a str)],
    words: WordBoundaries<'a>,
    chars: CharCursor<'a>,
}

/// A match that passed every check.
struct Accepted {
    end_byte: usize,
    suggestion: Suggestion,
}

/// How much text [`SuggestionEngine::all`] gives a worker at a time: big enough that taking
/// a batch costs nothing next to scanning it (and that a small project is scanned without
/// starting threads), small enough that the workers finish close together.
const BATCH_BYTES: usize = 64 * 1024;

/// `documents` cut into runs of consecutive documents of at least `min_bytes` of text each
/// (except the last).
fn batches_of_text(documents: &[Document], min_bytes: usize) -> Vec<&[Document]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, doc) in documents.iter().enumerate() {
        bytes += doc.text().as_str().len();
        if bytes >= min_bytes {
            batches.push(&documents[start..=i]);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < documents.len() {
        batches.push(&documents[start..]);
    }
    batches
}

/// What `f` appends for every item, in the items' order, computed by up to
/// [`std::thread::available_parallelism`] threads (the calling one included) that each take
/// the next item until none is left, so one slow item does not hold up a fixed share of
/// the rest. Each thread passes `f` its own working state, made by `state`, and its own
/// output, so a thread allocates as it would alone; the outputs are put in order at the
/// end. With one item or one core, it all runs on the calling thread.
fn extend_in_parallel<T: Sync, S, R: Send>(
    items: &[T],
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T, &mut Vec<R>) + Sync,
) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if workers <= 1 {
        let (mut state, mut out) = (state(), Vec::new());
        for item in items {
            f(&mut state, item, &mut out);
        }
        return out;
    }
    let next = AtomicUsize::new(0);
    // One thread's output and, in the order it took them, which items it did and how many
    // values each gave.
    let work = || {
        let (mut state, mut out, mut runs) = (state(), Vec::new(), Vec::new());
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return (out, runs);
            };
            let before = out.len();
            f(&mut state, item, &mut out);
            runs.push((i, out.len() - before));
        }
    };
    let done = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut done = vec![work()];
        for helper in helpers {
            match helper.join() {
                Ok(theirs) => done.push(theirs),
                // Only a bug panics here; let it surface as it would without threads.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    let mut all = Vec::with_capacity(done.iter().map(|(out, _)| out.len()).sum());
    let mut threads: Vec<_> = done
        .into_iter()
        .map(|(out, runs)| (out.into_iter(), runs.into_iter().peekable()))
        .collect();
    // Every thread took its items in increasing order: the next item is the next run of
    // one of them.
    for i in 0..items.len() {
        for (out, runs) in &mut threads {
            if let Some((_, len)) = runs.next_if(|&(item, _)| item == i) {
                all.extend(out.by_ref().take(len));
                break;
            }
        }
    }
    all
}

/// The label and canonical name most used (ties: alphabetically first).
fn propose(
    strings: &Interner,
    uses: &[(Sym, Option<Sym>, u32)],
    source: SuggestionSource,
) -> Proposal {
    let mut per_label: BTreeMap<&str, (Sym, u32)> = BTreeMap::new();
    for &(label, _, n) in uses {
        per_label.entry(strings.name(label)).or_insert((label, 0)).1 += n;
    }
    // `max_by_key` keeps the last maximum; iterate in reverse so the first name wins ties.
    let label = per_label
        .values()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or(0, |(l, _)| *l);
    let mut per_canonical: BTreeMap<&str, (Sym, u32)> = BTreeMap::new();
    for &(l, canonical, n) in uses {
        if let (true, Some(c)) = (l == label, canonical) {
            per_canonical.entry(strings.name(c)).or_insert((c, 0)).1 += n;
        }
    }
    let canonical = per_canonical
        .values()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| *c);
    Proposal {
        label,
        canonical,
        source,
    }
}

/// Dutch genitive forms of a name: see the module comment.
fn genitive_forms(name: &str) -> Vec<String> {
    let Some(last) = name.chars().next_back() else {
        return Vec::new();
    };
    if !last.is_alphabetic() {
        return Vec::new();
    }
    let lower = last.to_lowercase().next().unwrap_or(last);
    let apostrophes = || [format!("{name}'s"), format!("{name}’s")];
    let acronym = name.chars().count() >= 2 && name.chars().all(|c| c.is_uppercase());
    if matches!(lower, 's' | 'x' | 'z') {
        Vec::new()
    } else if matches!(lower, 'e' | 'é' | 'è' | 'ê' | 'ë') {
        let [a, b] = apostrophes();
        vec![format!("{name}s"), a, b]
    } else if acronym || "aiouyáàâäíìîïóòôöúùûü".contains(lower) {
        apostrophes().into()
    } else {
        vec![format!("{name}s")]
    }
}

/// The entity spans of one document, for fast "does this range touch an entity?" checks.
struct EntityCover {
    /// `(start, end)` in code points, sorted.
    spans: Vec<(usize, usize)>,
    /// `max_end[i]` = the largest end among `spans[..=i]`.
    max_end: Vec<usize>,
}

impl EntityCover {
    /// The cover of one document's `annotations`.
    fn from_annotations(annotations: &[Annotation]) -> Self {
        let mut spans: Vec<(usize, usize)> = annotations
            .iter()
            .filter(|a| a.kind().is_entity())
            .flat_map(|a| a.spans().iter().map(|s| (s.start().0, s.end().0)))
            .collect();
        spans.sort_unstable();
        Self::from_spans(spans)
    }

    /// The cover of entity spans sorted by start.
    fn from_spans(spans: Vec<(usize, usize)>) -> Self {
        let max_end = spans
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        Self { spans, max_end }
    }

    /// Whether any entity span shares a character with `start..end`.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let before_end = self.spans.partition_point(|&(s, _)| s < end);
        before_end > 0 && self.max_end.get(before_end - 1).is_some_and(|&e| e > start)
    }

    /// Whether an entity span is exactly `start..end`.
    fn exact(&self, start: usize, end: usize) -> bool {
        self.spans.binary_search(&(start, end)).is_ok()
    }
}

/// A byte that never occurs in UTF-8, so in no pattern.
const MASK: u8 = 0xFF;

/// Puts into `masked` the bytes of `text` with those of every entity span (`spans`, sorted
/// by start) replaced by [`MASK`]. A pattern then occurs in `masked` exactly where it
/// occurs in `text` without sharing a character with an entity.
fn mask_entities(text: &DocText, spans: &[(usize, usize)], masked: &mut Vec<u8>) {
    masked.clear();
    masked.extend_from_slice(text.as_str().as_bytes());
    let mut spans = spans.iter().copied().peekable();
    while let Some((start, mut end)) = spans.next() {
        // Overlapping and touching spans are masked as one, so the offsets asked for
        // only increase.
        while let Some(&(next_start, next_end)) = spans.peek()
            && next_start <= end
        {
            end = end.max(next_end);
            spans.next();
        }
        let range = text.byte_of(CharOffset(start)).0..text.byte_of(CharOffset(end)).0;
        if let Some(entity) = masked.get_mut(range) {
            entity.fill(MASK);
        }
    }
}

/// Puts the entity spans of one document into `spans`, sorted: one pass over the
/// document's annotations as the project keeps them, side by side.
fn entity_spans(project: &Project, doc: &DocId, spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    let entities = project
        .annotations_in(doc)
        .iter()
        .filter(|a| a.kind().is_entity());
    spans.extend(entities.flat_map(|a| a.spans().iter().map(|s| (s.start().0, s.end().0))));
    spans.sort_unstable();
}

/// The rejected suggestions of one document as sorted `(start, end, label)`.
fn rejected_in<'p>(project: &'p Project, doc: &DocId) -> Vec<(usize, usize, &'p str)> {
    if project.rejected_suggestions().is_empty() {
        return Vec::new();
    }
    let from = RejectedSuggestion {
        doc: doc.clone(),
        start: 0,
        end: 0,
        label: String::new(),
    };
    project
        .rejected_suggestions()
        .range(from..)
        .take_while(|r| r.doc == *doc)
        .map(|r| (r.start, r.end, r.label.as_str()))
        .collect()
}

/// One place a string occurs, for "tag all occurrences".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The document.
    pub doc: DocId,
    /// First character (code points).
    pub start: CharOffset,
    /// One past the last character (code points).
    pub end: CharOffset,
    /// Whether an entity annotation covers exactly this span already.
    pub tagged: bool,
    /// Whether an entity annotation overlaps this span without covering exactly it
    /// (tagging it too would nest or cross annotations).
    pub overlaps_entity: bool,
}

/// An occurrence as the tag-all window shows it: the text there and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceInContext {
    /// Up to [`crate::corpus::search::CONTEXT_CHARS`] characters before, newlines as spaces.
    pub left: String,
    /// The text there (differs from the needle in case when searching case-insensitively).
    pub text: String,
    /// Up to [`crate::corpus::search::CONTEXT_CHARS`] characters after, newlines as spaces.
    pub right: String,
}

impl Occurrence {
    /// The occurrence's text and context in `text`, its document's text: made for the
    /// rows on screen only, as a search over the corpus finds hundreds of thousands.
    pub fn in_context(&self, text: &DocText) -> OccurrenceInContext {
        let (start, end) = (text.byte_of(self.start).0, text.byte_of(self.end).0);
        let whole = text.as_str();
        let (left, right) = crate::corpus::search::context(whole, start, end);
        OccurrenceInContext {
            left,
            text: whole.get(start..end).unwrap_or_default().to_owned(),
            right,
        }
    }

    /// The entity annotation that tags this occurrence (to collect into one
    /// `Edit::Batch`, so "tag all" is one undo step); `text` is the document's text.
    pub fn annotation(
        &self,
        id: AnnotationId,
        text: &DocText,
        label: &str,
        canonical: Option<&str>,
    ) -> Result<Annotation, AcceptError> {
        self.annotation_named(id, text, label.into(), canonical.map(Name::from))
    }

    /// [`Occurrence::annotation`] with the label and canonical name made already, so
    /// the tags of one "tag all" share them instead of holding a copy each.
    fn annotation_named(
        &self,
        id: AnnotationId,
        text: &DocText,
        label: Name,
        canonical: Option<Name>,
    ) -> Result<Annotation, AcceptError> {
        let range = (self.start.0, self.end.0);
        entity(id, range, text, label, canonical)
    }
}

/// Every whole-word occurrence of `needle` (trimmed) in the scope, in document and reading
/// order. Case-insensitive matching is Unicode-aware. An empty needle or an unknown
/// document gives no occurrences.
pub fn occurrences(
    project: &Project,
    needle: &str,
    scope: Scope,
    case_sensitive: bool,
) -> Vec<Occurrence> {
    let query = SearchQuery {
        text: needle.trim().to_owned(),
        mode: SearchMode::Plain,
        case_sensitive,
        whole_word: true,
        scope,
        max_hits: usize::MAX,
    };
    // An escaped literal always compiles; the only errors are an empty needle and an
    // unknown document, which both mean "no occurrences".
    let (Ok(searcher), Ok(docs)) = (
        Searcher::new(&query),
        scope_documents(project, &query.scope),
    ) else {
        return Vec::new();
    };
    // Over the corpus a document's position in `docs` is its position in the project, so
    // its annotations are found without a lookup by id.
    let over_corpus = matches!(query.scope, Scope::Corpus);
    // The documents are searched, and each hit marked against its document's entities,
    // on every core, in batches whose occurrences come back in document order (one pass
    // over all text is 200 ms at 100k documents).
    let mut batches: Vec<Vec<Occurrence>> = Vec::new();
    let positions: Vec<usize> = (0..docs.len()).collect();
    let searched: Result<(), std::convert::Infallible> = crate::parallel::for_each_batch_in_order(
        &positions,
        DOCUMENTS_PER_BATCH,
        |batch| {
            let (mut found, mut hits, mut marks) = (Vec::new(), Vec::new(), Vec::new());
            for (&at, doc) in batch.iter().filter_map(|at| Some((at, docs.get(*at)?))) {
                hits.clear();
                searcher.each_match_in(doc, |start, end| hits.push((start.0, end.0)));
                if hits.is_empty() {
                    continue;
                }
                let annotations = if over_corpus {
                    project.annotations().of_document(at)
                } else {
                    project.annotations_in(doc.id())
                };
                let occurrence = |(start, end), (tagged, overlaps_entity)| Occurrence {
                    doc: doc.id().clone(),
                    start: CharOffset(start),
                    end: CharOffset(end),
                    tagged,
                    overlaps_entity,
                };
                if annotations.len() * hits.len() <= SCAN_PAIRS_AT_MOST {
                    // A news article's few hits against its tens of tags: looked at
                    // side by side, without sorting the spans first.
                    mark_by_scan(annotations, &hits, &mut marks);
                    found.extend(
                        hits.iter()
                            .zip(&marks)
                            .map(|(&hit, &mark)| occurrence(hit, mark)),
                    );
                    continue;
                }
                let cover = EntityCover::from_annotations(annotations);
                found.extend(hits.iter().map(|&(s, e)| {
                    let tagged = cover.exact(s, e);
                    occurrence((s, e), (tagged, !tagged && cover.overlaps(s, e)))
                }));
            }
            found
        },
        |found| {
            if !found.is_empty() {
                batches.push(found);
            }
            Ok(())
        },
    );
    if let Err(never) = searched {
        match never {}
    }
    // One vector of exactly their number: at 100k documents tag-all finds 270k.
    let mut occurrences = Vec::with_capacity(batches.iter().map(Vec::len).sum());
    for batch in batches {
        occurrences.extend(batch);
    }
    occurrences
}

/// Up to this many (hit, annotation) pairs in a document, [`occurrences`] looks at each
/// pair instead of sorting the document's entity spans for searches.
const SCAN_PAIRS_AT_MOST: usize = 512;

/// Sets `marks` to (tagged, overlaps an entity) for each of `hits` (code-point ranges)
/// among `annotations`, in one look at every entity span: what [`EntityCover::exact`] and
/// [`EntityCover::overlaps`] answer. One pass over the document's annotations for all its
/// hits: at 100k documents tag-all reads every document's list once, not once a hit.
fn mark_by_scan(
    annotations: &[Annotation],
    hits: &[(usize, usize)],
    marks: &mut Vec<(bool, bool)>,
) {
    marks.clear();
    marks.resize(hits.len(), (false, false));
    let spans = annotations
        .iter()
        .filter(|a| a.kind().is_entity())
        .flat_map(|a| a.spans().iter().map(|s| (s.start().0, s.end().0)));
    for (s, e) in spans {
        for (&(start, end), (tagged, overlaps)) in hits.iter().zip(marks.iter_mut()) {
            *tagged |= (s, e) == (start, end);
            *overlaps |= s < end && e > start;
        }
    }
    for (tagged, overlaps) in marks.iter_mut() {
        *overlaps &= !*tagged;
    }
}

/// Documents searched together on one core by [`occurrences`].
const DOCUMENTS_PER_BATCH: usize = 256;

/// The entity annotations that tag `picked` (label `label`, canonical name `canonical`),
/// each with its document and under the id [`Project::allocate_id_for`] gives it, for one
/// `Edit::Batch` ("tag all" is one undo step). The ids' hashing is done on every core first; taking them stays
/// in order, so the ids are those of tagging one after another. Occurrences whose document
/// is gone or whose span no longer fits are left out.
pub fn tags_for(
    project: &mut Project,
    picked: &[&Occurrence],
    label: &str,
    canonical: Option<&str>,
) -> Vec<(DocId, Annotation)> {
    // The tags with their documents, and the first id each would take, side by side.
    let mut tags: Vec<(DocId, Annotation)> = Vec::with_capacity(picked.len());
    let mut firsts: Vec<AnnotationId> = Vec::with_capacity(picked.len());
    let reader: &Project = project;
    let (label, canonical) = (Name::from(label), canonical.map(Name::from));
    let made: Result<(), std::convert::Infallible> = crate::parallel::for_each_batch_in_order(
        picked,
        TAGS_PER_BATCH,
        |batch| {
            // A document's occurrences come one after another: it is looked up once.
            let mut last: Option<&Document> = None;
            // Each batch's tags share a copy of the names of their own: one shared
            // count, increased by every tag on both cores at once, would go back and
            // forth between them.
            let (label, canonical) = (
                Name::from(label.as_str()),
                canonical.as_deref().map(Name::from),
            );
            batch
                .iter()
                .filter_map(|o| {
                    let document = match last {
                        Some(doc) if doc.id() == &o.doc => doc,
                        _ => reader.document(&o.doc)?,
                    };
                    last = Some(document);
                    let text = document.text();
                    let ann = o
                        .annotation_named(AnnotationId::NEW, text, label.clone(), canonical.clone())
                        .ok()?;
                    let first =
                        AnnotationId::derive(document.id(), ann.anchor(), ann.kind(), |_| false);
                    Some((document.id().clone(), ann, first))
                })
                .collect::<Vec<_>>()
        },
        |batch| {
            for (doc, ann, first) in batch {
                tags.push((doc, ann));
                firsts.push(first);
            }
            Ok(())
        },
    );
    if let Err(never) = made {
        match never {}
    }
    // Which first ids annotations have already, asked all at once (one pass along the
    // index instead of a search each).
    let annotated = project.annotations().contains_each(&firsts);
    // Renumbered where they lie: a second vector of 270k tags is 17 MB of fresh memory.
    for (((doc, ann), first), annotated) in tags.iter_mut().zip(firsts).zip(annotated) {
        let id =
            project.allocate_id_from_first_known(first, annotated, doc, ann.anchor(), ann.kind());
        ann.renumber(id);
    }
    tags
}

/// What "tag all" applies, as one edit (one undo step): the tags of `picked` (see
/// [`tags_for`]) added at once, and each document they go into that was not started
/// marked in progress. With the number of tags.
pub fn tag_all_edit(
    project: &mut Project,
    picked: &[&Occurrence],
    label: &str,
    canonical: Option<&str>,
) -> (Edit, usize) {
    let tags = tags_for(project, picked, label, canonical);
    // The documents the tags go into, once each, by id: looked up in the statuses in one
    // pass along them instead of a tree lookup each (tag-all reaches 100k documents).
    let mut documents: Vec<&DocId> = Vec::new();
    for (doc, _) in &tags {
        if documents.last() != Some(&doc) {
            documents.push(doc);
        }
    }
    documents.sort_unstable();
    documents.dedup();
    let mut statuses = project.statuses().peekable();
    let not_started: Vec<(DocId, DocStatus)> = documents
        .into_iter()
        .filter(|doc| {
            while statuses.next_if(|(set, _)| set < doc).is_some() {}
            statuses
                .peek()
                .filter(|(set, _)| set == doc)
                .is_none_or(|(_, status)| *status == DocStatus::NotStarted)
        })
        .map(|doc| (doc.clone(), DocStatus::InProgress))
        .collect();
    let count = tags.len();
    let mut edits = vec![Edit::AddAnnotations(tags)];
    if !not_started.is_empty() {
        edits.push(Edit::SetStatuses(not_started));
    }
    (Edit::Batch(edits), count)
}

/// Tags made together on one core by [`tags_for`].
const TAGS_PER_BATCH: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::add_entity;

    #[test]
    fn a_scan_of_the_spans_marks_hits_as_the_sorted_cover_does() {
        use crate::model::{Anchor, Span};
        let entity = |id: u64, spans: &[(usize, usize)]| {
            let spans = spans
                .iter()
                .map(|&(s, e)| Span::within(s, e, 100).expect("span"))
                .collect();
            let kind = AnnotationKind::Entity {
                label: "PER".into(),
                canonical: None,
            };
            let anchor = Anchor::spans(spans).expect("spans");
            Annotation::new(AnnotationId(id), anchor, kind).expect("entity")
        };
        let stance = Annotation::new(
            AnnotationId(99),
            Anchor::span(Span::within(0, 30, 100).expect("span")),
            AnnotationKind::Stance {
                target: "x".into(),
                polarity: "FAVOR".into(),
                holder: None,
            },
        )
        .expect("stance");
        let documents = [
            vec![],
            vec![entity(1, &[(3, 7)])],
            vec![entity(1, &[(3, 7)]), entity(2, &[(5, 12)]), stance.clone()],
            vec![entity(1, &[(2, 4), (9, 11)]), entity(2, &[(9, 11)]), stance],
        ];
        let hits: Vec<(usize, usize)> = (0..14)
            .flat_map(|start| (start + 1..15).map(move |end| (start, end)))
            .collect();
        let mut marks = Vec::new();
        for annotations in &documents {
            let cover = EntityCover::from_annotations(annotations);
            // All hits of a document at once, and each alone.
            mark_by_scan(annotations, &hits, &mut marks);
            for (&(start, end), &all_at_once) in hits.iter().zip(&marks) {
                let tagged = cover.exact(start, end);
                let sorted = (tagged, !tagged && cover.overlaps(start, end));
                assert_eq!(
                    all_at_once,
                    sorted,
                    "{start}..{end} among {}",
                    annotations.len()
                );
                let mut alone = Vec::new();
                mark_by_scan(annotations, &[(start, end)], &mut alone);
                assert_eq!(alone, [sorted], "{start}..{end} alone");
            }
        }
    }

    #[test]
    fn a_tally_counts_each_mention_once_sorted() {
        let m = |text, label, canonical| Mention {
            text,
            label,
            canonical,
        };
        for (mentions, tallied) in [
            (vec![], vec![]),
            (vec![m(1, 2, None)], vec![(m(1, 2, None), 1)]),
            (
                vec![
                    m(3, 2, None),
                    m(1, 2, Some(4)),
                    m(3, 2, None),
                    m(1, 2, None),
                ],
                vec![
                    (m(1, 2, None), 1),
                    (m(1, 2, Some(4)), 1),
                    (m(3, 2, None), 2),
                ],
            ),
        ] {
            assert_eq!(tally(mentions), tallied);
        }
    }

    #[test]
    fn tags_for_gives_the_ids_of_tagging_one_by_one() {
        use crate::corpus::generate::{Spec, generate};
        let project = generate(&Spec {
            documents: 2000,
            words_per_document: 160,
            spans_per_document: 10,
            seed: 3,
        });
        let found = occurrences(&project, "de", Scope::Corpus, false);
        let mut picked: Vec<&Occurrence> = found
            .iter()
            .filter(|o| !o.tagged && !o.overlaps_entity)
            .collect();
        assert!(picked.len() > 2 * TAGS_PER_BATCH, "{}", picked.len());
        // The same occurrence twice: the second one's first id is taken by then.
        picked.push(picked[0]);
        let mut by_batch = project.clone();
        let tags = tags_for(&mut by_batch, &picked, "MISC", None);
        let mut one_by_one = project.clone();
        let expected: Vec<(DocId, Annotation)> = picked
            .iter()
            .filter_map(|o| {
                let text = one_by_one.document(&o.doc)?.text().clone();
                let ann = o.annotation(AnnotationId::NEW, &text, "MISC", None).ok()?;
                Some((o.doc.clone(), one_by_one.with_new_id(&o.doc, ann)))
            })
            .collect();
        assert_eq!(tags, expected);
        assert_eq!(tags.len(), picked.len());
        assert_ne!(
            tags.first().map(|(_, a)| a.id()),
            tags.last().map(|(_, a)| a.id())
        );
    }

    #[test]
    fn tag_all_tags_at_once_and_marks_documents_not_started_in_progress() {
        use crate::corpus::generate::{Spec, generate};
        use crate::model::DocStatus::{Done, InProgress, NotStarted};
        let mut project = generate(&Spec {
            documents: 600,
            words_per_document: 120,
            spans_per_document: 10,
            seed: 5,
        });
        let ids: Vec<DocId> = project.documents().iter().map(|d| d.id().clone()).collect();
        // Some documents done or in progress already.
        let statuses: Vec<Edit> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 4 != 0)
            .map(|(i, doc)| Edit::SetStatus {
                doc: doc.clone(),
                status: if i % 4 == 1 { Done } else { InProgress },
            })
            .collect();
        apply(&mut project, Edit::Batch(statuses)).expect("statuses");
        let found = occurrences(&project, "de", Scope::Corpus, false);
        let picked: Vec<&Occurrence> = found
            .iter()
            .filter(|o| !o.tagged && !o.overlaps_entity)
            .collect();
        let before = project.clone();
        let (edit, count) = tag_all_edit(&mut project, &picked, "MISC", None);
        let mut by_tags_for = before.clone();
        let tags = tags_for(&mut by_tags_for, &picked, "MISC", None);
        assert_eq!(count, tags.len());
        assert!(count > RUN_AT_ONCE_IN_TEST, "{count}");
        let undo = apply(&mut project, edit).expect("applies");
        let tagged_documents: std::collections::HashSet<&DocId> =
            tags.iter().map(|(doc, _)| doc).collect();
        for doc in &ids {
            let was = before.status(doc);
            let expected = if was == NotStarted && tagged_documents.contains(doc) {
                InProgress
            } else {
                was
            };
            assert_eq!(project.status(doc), expected, "{doc}");
        }
        assert!(
            ids.iter()
                .any(|d| before.status(d) == NotStarted && project.status(d) == InProgress)
        );
        for (doc, tag) in &tags {
            assert_eq!(project.annotation(tag.id()), Some(tag));
            assert_eq!(project.document_of(tag.id()).map(|d| d.id()), Some(doc));
        }
        assert_eq!(
            project.annotations().len(),
            before.annotations().len() + count
        );
        apply(&mut project, undo).expect("undo");
        assert_eq!(project, before);
    }

    /// More tags than a run that is added at once needs (`model::edit`'s `RUN_AT_ONCE`).
    const RUN_AT_ONCE_IN_TEST: usize = 256;

    #[test]
    fn occurrences_in_many_documents_are_those_found_document_by_document() {
        use crate::corpus::generate::{Spec, generate};
        let project = generate(&Spec {
            documents: 1500,
            words_per_document: 80,
            spans_per_document: 30,
            seed: 7,
        });
        // "Zuckerberg" is tagged wherever the generator writes it; "de" never is.
        for (needle, case_sensitive) in [("Zuckerberg", true), ("de", false)] {
            let whole = occurrences(&project, needle, Scope::Corpus, case_sensitive);
            let one_by_one: Vec<Occurrence> = project
                .documents()
                .iter()
                .flat_map(|d| {
                    occurrences(
                        &project,
                        needle,
                        Scope::Document(d.id().clone()),
                        case_sensitive,
                    )
                })
                .collect();
            let documents: std::collections::HashSet<&DocId> =
                whole.iter().map(|o| &o.doc).collect();
            // Hits in many documents: several batches of the parallel search.
            assert!(
                documents.len() > 4 * DOCUMENTS_PER_BATCH,
                "{needle}: {}",
                documents.len()
            );
            assert_eq!(whole, one_by_one, "{needle}");
            assert!(whole.iter().any(|o| o.tagged || o.overlaps_entity) || needle == "de");
        }
    }
    use crate::model::schema::builtin_schema;
    use crate::model::{Edit, apply};
    use std::collections::BTreeMap;

    /// Builds a project from documents in span notation: `[text|LABEL]` is an entity,
    /// `[text|LABEL|Canonical]` one with a canonical name, `<text>` a stance. Documents are
    /// named `d0`, `d1`, …
    fn project(docs: &[&str]) -> Project {
        let mut parsed = Vec::new();
        let mut documents = Vec::new();
        for (i, marked) in docs.iter().enumerate() {
            let id = DocId::from(format!("d{i}"));
            let (text, anns) = parse(marked);
            documents.push(Document::new(
                id.clone(),
                id.0.to_string(),
                BTreeMap::new(),
                text,
            ));
            parsed.push((id, anns));
        }
        let mut p = Project::new(builtin_schema(), documents).expect("distinct ids");
        for (doc, anns) in parsed {
            for (start, end, kind) in anns {
                let len = p.document(&doc).expect("doc").text().char_len();
                let span = Span::within(start, end, len).expect("span in text");
                let ann = Annotation::new(AnnotationId::NEW, Anchor::span(span), kind)
                    .expect("valid annotation");
                let ann = p.with_new_id(&doc, ann);
                apply(&mut p, Edit::AddAnnotation(doc.clone(), ann)).expect("applies");
            }
        }
        p
    }

    /// Plain text and `(start, end, kind)` of each marked annotation.
    fn parse(marked: &str) -> (String, Vec<(usize, usize, AnnotationKind)>) {
        let mut text = String::new();
        let mut anns = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut chars = marked.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '[' | '<' => open.push(text.chars().count()),
                '|' => {
                    let start = open.pop().expect("open [");
                    let end = text.chars().count();
                    let spec: String = chars.by_ref().take_while(|&c| c != ']').collect();
                    let mut parts = spec.splitn(2, '|');
                    let label = parts.next().expect("label").to_owned();
                    let canonical = parts.next().map(str::to_owned);
                    anns.push((
                        start,
                        end,
                        AnnotationKind::Entity {
                            label: label.into(),
                            canonical: canonical.map(Name::from),
                        },
                    ));
                }
                '>' => {
                    let start = open.pop().expect("open <");
                    let kind = AnnotationKind::Stance {
                        target: "Facebook".into(),
                        polarity: "AGAINST".into(),
                        holder: None,
                    };
                    anns.push((start, text.chars().count(), kind));
                }
                c => text.push(c),
            }
        }
        (text, anns)
    }

    /// Each document's text with its suggestions marked `{text|LABEL}` or
    /// `{text|LABEL|Canonical}`; checks on the way that offsets slice to the text and that
    /// `all` and `for_document` agree.
    fn render(p: &Project, engine: &SuggestionEngine) -> Vec<String> {
        let all = engine.all(p);
        let mut rendered = Vec::new();
        for doc in p.documents() {
            let mine = engine.for_document(p, doc.id());
            let from_all: Vec<&Suggestion> = all.iter().filter(|s| s.doc == *doc.id()).collect();
            assert_eq!(
                from_all,
                mine.iter().collect::<Vec<_>>(),
                "all vs for_document"
            );
            let mut out = String::new();
            let mut at = 0;
            for s in &mine {
                let text = doc.text();
                assert_eq!(text.slice(CharOffset(s.start), CharOffset(s.end)), s.text);
                out.push_str(text.slice(CharOffset(at), CharOffset(s.start)));
                out.push('{');
                out.push_str(&s.text);
                out.push('|');
                out.push_str(&s.label);
                if let Some(c) = &s.canonical {
                    out.push('|');
                    out.push_str(c);
                }
                out.push('}');
                at = s.end;
            }
            out.push_str(doc.text().slice(CharOffset(at), doc.text().end()));
            rendered.push(out);
        }
        rendered
    }

    fn check_with(options: &SuggestOptions, docs: &[&str], want: &[&str]) {
        let p = project(docs);
        let engine = SuggestionEngine::build(&p, options);
        assert_eq!(render(&p, &engine), want, "{docs:?} with {options:?}");
    }

    fn check(docs: &[&str], want: &[&str]) {
        check_with(&SuggestOptions::default(), docs, want);
    }

    fn genitive() -> SuggestOptions {
        SuggestOptions {
            genitive: true,
            ..SuggestOptions::default()
        }
    }

    #[test]
    fn untagged_occurrences_of_tagged_strings_are_suggested() {
        check(
            &[
                "[Facebook|ORG] zegt sorry.",
                "Facebook, facebook, Facebookpagina, Facebooks en Facebook-gebruikers.",
            ],
            &[
                "Facebook zegt sorry.",
                "{Facebook|ORG}, facebook, Facebookpagina, Facebooks en {Facebook|ORG}-gebruikers.",
            ],
        );
        // The tagged document itself gets suggestions too; the tag is not suggested again.
        check(
            &["[Trump|PER] en Trump; „Trump”\nTrump."],
            &["Trump en {Trump|PER}; „{Trump|PER}”\n{Trump|PER}."],
        );
    }

    #[test]
    fn genitives_are_an_option() {
        let docs = [
            "[Facebook|ORG], [Zuckerberg|PER], [Obama|PER], [Google|ORG], [VVD|ORG], [Nix|PER]",
            "Facebooks, Zuckerbergs, Obama's, Obama’s, Googles, Google's, VVD's, Nix' en Obamas",
        ];
        let plain = "Facebook, Zuckerberg, Obama, Google, VVD, Nix";
        // "Nix" is a whole word before the apostrophe of "Nix'" (UAX #29).
        check(
            &docs,
            &[
                plain,
                "Facebooks, Zuckerbergs, Obama's, Obama’s, Googles, Google's, VVD's, \
                 {Nix|PER}' en Obamas",
            ],
        );
        check_with(
            &genitive(),
            &docs,
            &[
                plain,
                "{Facebooks|ORG}, {Zuckerbergs|PER}, {Obama's|PER}, {Obama’s|PER}, \
                 {Googles|ORG}, {Google's|ORG}, {VVD's|ORG}, {Nix|PER}' en Obamas",
            ],
        );
    }

    #[test]
    fn genitive_forms_follow_dutch_spelling() {
        let cases: &[(&str, &[&str])] = &[
            ("Trump", &["Trumps"]),
            (
                "Cambridge Analytica",
                &["Cambridge Analytica's", "Cambridge Analytica’s"],
            ),
            ("Google", &["Googles", "Google's", "Google’s"]),
            ("CDA", &["CDA's", "CDA’s"]),
            ("ICT", &["ICT's", "ICT’s"]),
            ("Brits", &[]),
            ("Felix", &[]),
            ("2016", &[]),
            ("", &[]),
        ];
        for (name, want) in cases {
            assert_eq!(genitive_forms(name), *want, "{name}");
        }
    }

    #[test]
    fn rejected_suggestions_are_not_shown() {
        let mut p = project(&["[Facebook|ORG] en Facebook en Facebook"]);
        let engine = SuggestionEngine::build(&p, &SuggestOptions::default());
        let before = engine.for_document(&p, &DocId("d0".into()));
        assert_eq!(before.len(), 2);
        apply(&mut p, Edit::SetRejected(before[0].rejection(), true)).expect("applies");
        // A rejection with another label does not hide the suggestion.
        let other = RejectedSuggestion {
            label: "MISC".into(),
            ..before[1].rejection()
        };
        apply(&mut p, Edit::SetRejected(other, true)).expect("applies");
        assert_eq!(
            render(&p, &engine),
            ["Facebook en Facebook en {Facebook|ORG}"]
        );
    }

    #[test]
    fn canonical_names_join_aliases() {
        let docs = [
            "[Zuckerberg|PER|Mark Zuckerberg] zegt sorry.",
            "[Mark Zuckerberg|PER|Mark Zuckerberg] in Washington.",
            "Mark Zuckerberg en Zuckerberg; Mark Elliot Zuckerberg.",
            "[Mark Elliot Zuckerberg|PER|Mark Zuckerberg] zelf",
        ];
        check(
            &docs[..3],
            &[
                "Zuckerberg zegt sorry.",
                "Mark Zuckerberg in Washington.",
                "{Mark Zuckerberg|PER|Mark Zuckerberg} en {Zuckerberg|PER|Mark Zuckerberg}; \
                 Mark Elliot {Zuckerberg|PER|Mark Zuckerberg}.",
            ],
        );
        // A canonical name nobody tagged literally is a pattern too (unless switched off).
        let p = project(&["[Zuckerberg|PER|Mark Zuckerberg]", "Mark Zuckerberg"]);
        let on = SuggestionEngine::build(&p, &SuggestOptions::default());
        assert_eq!(render(&p, &on)[1], "{Mark Zuckerberg|PER|Mark Zuckerberg}");
        let off = SuggestOptions {
            canonical_names: false,
            ..SuggestOptions::default()
        };
        let off = SuggestionEngine::build(&p, &off);
        assert_eq!(render(&p, &off)[1], "Mark {Zuckerberg|PER|Mark Zuckerberg}");
        let source = on.for_document(&p, &DocId("d1".into()))[0].source;
        assert_eq!(source, SuggestionSource::Canonical);
    }

    #[test]
    fn the_most_frequent_label_wins() {
        check(
            &[
                "[Amsterdam|LOC] [Amsterdam|LOC] [Amsterdam|ORG|Gemeente Amsterdam]",
                "[Ajax|ORG] [Ajax|MISC] [Ajax|MISC|Ajax Amsterdam]",
                "Amsterdam Ajax",
            ],
            &[
                "Amsterdam Amsterdam Amsterdam",
                "Ajax Ajax Ajax",
                "{Amsterdam|LOC} {Ajax|MISC|Ajax Amsterdam}",
            ],
        );
        // Ties go to the alphabetically first label.
        check(
            &["[Oranje|ORG] [Oranje|MISC]", "Oranje"],
            &["Oranje Oranje", "{Oranje|MISC}"],
        );
    }

    #[test]
    fn occurrences_touching_an_entity_are_skipped() {
        check(
            &[
                "[Facebook|ORG] [Facebook Inc|ORG] [de Facebook-topman|PER]",
                "<Facebook is onbetrouwbaar> zegt [Facebook Ireland|ORG] en [Face|MISC]book",
            ],
            &[
                "Facebook Facebook Inc de Facebook-topman",
                "{Facebook|ORG} is onbetrouwbaar zegt Facebook Ireland en Facebook",
            ],
        );
    }

    #[test]
    fn a_shorter_match_is_tried_when_the_longest_does_not_fit() {
        check(
            &[
                "[Van Dijk|PER] [Van|MISC] [Dijkstra|PER]",
                "Van Dijkstra; Van Dijks. Van Dijk",
            ],
            &[
                "Van Dijk Van Dijkstra",
                "{Van|MISC} {Dijkstra|PER}; {Van|MISC} Dijks. {Van Dijk|PER}",
            ],
        );
    }

    #[test]
    fn offsets_are_code_points_with_emoji_and_combining_accents() {
        check(
            &[
                "👍🏽 [Café de Flore|LOC] en [Zoë|PER] 😀 [Zoe\u{308}|PER]",
                "😀😀 Café de Flore, Zoë, Zoe\u{308}\u{301}x, 🇳🇱Zoë\u{301} Zoe\u{308}",
            ],
            &[
                "👍🏽 Café de Flore en Zoë 😀 Zoe\u{308}",
                "😀😀 {Café de Flore|LOC}, {Zoë|PER}, Zoe\u{308}\u{301}x, 🇳🇱Zoë\u{301} {Zoe\u{308}|PER}",
            ],
        );
    }

    #[test]
    fn short_and_blank_tags_are_not_patterns() {
        check(
            &["[5|QUANTITY] [EU|ORG] [ VS |LOC]", "5 EU VS"],
            &["5 EU  VS ", "5 {EU|ORG} {VS|LOC}"],
        );
        let one = SuggestOptions {
            min_chars: 1,
            ..SuggestOptions::default()
        };
        check_with(
            &one,
            &["[5|QUANTITY]", "5 of 15"],
            &["5", "{5|QUANTITY} of 15"],
        );
    }

    #[test]
    fn update_document_follows_edits() {
        let mut p = project(&["Trump en Facebook", "Trump"]);
        let mut engine = SuggestionEngine::build(&p, &SuggestOptions::default());
        assert_eq!(engine.pattern_count(), 0);
        assert!(engine.all(&p).is_empty());

        // The user tags "Trump" in d1: suggestions appear in d0 after one update.
        let d1 = DocId("d1".into());
        add_entity(&mut p, "d1", &[(0, 5)], "PER");
        assert!(engine.update_document(&p, &d1));
        assert!(
            !engine.update_document(&p, &d1),
            "nothing changed the second time"
        );
        assert_eq!(render(&p, &engine), ["{Trump|PER} en Facebook", "Trump"]);

        // Accepting the suggestion is an ordinary annotation; it then disappears.
        let d0 = DocId("d0".into());
        let suggestion = engine.for_document(&p, &d0).remove(0);
        let doc_text = p.document(&d0).expect("d0").text().clone();
        let accepted = suggestion
            .annotation(AnnotationId::NEW, &doc_text)
            .expect("fits");
        let accepted = p.with_new_id(&d0, accepted);
        apply(&mut p, Edit::AddAnnotation(d0.clone(), accepted)).expect("applies");
        assert!(
            !engine.update_document(&p, &d0),
            "same string and label: no change"
        );
        assert!(engine.for_document(&p, &d0).is_empty());

        // Removing every tag of the string removes the pattern.
        let ids: Vec<AnnotationId> = p.annotations().keys().copied().collect();
        for id in ids {
            apply(&mut p, Edit::RemoveAnnotation(id)).expect("applies");
        }
        assert!(!engine.update_document(&p, &d0), "d1 still tags Trump");
        assert!(engine.update_document(&p, &d1));
        assert_eq!(engine.pattern_count(), 0);
        assert!(engine.all(&p).is_empty());
        assert!(engine.for_document(&p, &DocId("nope".into())).is_empty());
    }

    #[test]
    fn an_engine_kept_up_by_updates_suggests_what_a_fresh_one_does_and_shares_the_lists() {
        let mut p = project(&[
            "[Trump|PER] en [Facebook|ORG]",
            "Trump zegt Facebook",
            "[Meta|ORG] en Trump en Facebook",
        ]);
        let mut engine = SuggestionEngine::build(&p, &SuggestOptions::default());
        let shares = |engine: &SuggestionEngine, p: &Project| {
            engine.counted.iter().all(|(doc, (_, list))| {
                p.document_index(doc)
                    .and_then(|at| p.annotations().shared_of_document(at))
                    .is_some_and(|kept| Arc::ptr_eq(kept, list))
            })
        };
        assert_eq!(engine.counted.len(), 2, "documents with mentions");
        assert!(shares(&engine, &p), "the project's own lists, not copies");
        // A tag added in d1 and d0's tags removed, each document counted again.
        let (d0, d1) = (DocId::from("d0"), DocId::from("d1"));
        add_entity(&mut p, "d1", &[(11, 19)], "ORG");
        assert!(
            !engine.update_document(&p, &d1),
            "Facebook is an ORG already"
        );
        let ids: Vec<AnnotationId> = p.annotation_ids_of(&d0).collect();
        for id in ids {
            apply(&mut p, Edit::RemoveAnnotation(id)).expect("applies");
        }
        assert!(engine.update_document(&p, &d0), "Trump is no longer tagged");
        let fresh = SuggestionEngine::build(&p, &SuggestOptions::default());
        assert_eq!(render(&p, &engine), render(&p, &fresh));
        assert_eq!(engine.pattern_count(), fresh.pattern_count());
        let named = |e: &SuggestionEngine| -> BTreeMap<(String, String), u32> {
            let name = |sym: Sym| e.strings.names[sym as usize].to_string();
            e.counts
                .iter()
                .map(|(m, n)| ((name(m.text), name(m.label)), *n))
                .collect()
        };
        assert_eq!(named(&engine), named(&fresh));
        assert!(shares(&engine, &p));
        assert!(!engine.counted.contains_key(&d0), "no mentions left in d0");
    }

    #[test]
    fn suggestions_serialize_as_json_lines() {
        let p = project(&["[Zuckerberg|PER|Mark Zuckerberg] [Meta|ORG] Zuckerberg Meta"]);
        let engine = SuggestionEngine::build(&p, &SuggestOptions::default());
        let json: Vec<String> = engine
            .all(&p)
            .iter()
            .map(|s| serde_json::to_string(s).expect("serializes"))
            .collect();
        assert_eq!(
            json,
            [
                r#"{"doc":"d0","start":16,"end":26,"text":"Zuckerberg","label":"PER","canonical":"Mark Zuckerberg"}"#,
                r#"{"doc":"d0","start":27,"end":31,"text":"Meta","label":"ORG"}"#,
            ]
        );
    }

    /// A generated project big enough for several batches, with multi-byte characters,
    /// nested entities and stances over them.
    fn generated() -> Project {
        let spec = crate::corpus::generate::Spec {
            documents: 100,
            words_per_document: 390,
            spans_per_document: 30,
            seed: 7,
        };
        crate::corpus::generate::generate(&spec)
    }

    #[test]
    fn all_equals_each_document_in_turn() {
        let mut p = generated();
        let batches = batches_of_text(p.documents(), BATCH_BYTES).len();
        assert!(batches > 2, "several batches to share out: {batches}");
        // Reject a few suggestions, so the rejected list is checked too.
        let engine = SuggestionEngine::build(&p, &SuggestOptions::default());
        let rejections: Vec<RejectedSuggestion> = engine
            .all(&p)
            .iter()
            .step_by(7)
            .map(Suggestion::rejection)
            .collect();
        for r in rejections {
            apply(&mut p, Edit::SetRejected(r, true)).expect("applies");
        }
        let options = [
            SuggestOptions::default(),
            SuggestOptions {
                genitive: true,
                canonical_names: false,
                min_chars: 1,
            },
        ];
        for options in &options {
            let engine = SuggestionEngine::build(&p, options);
            let all = engine.all(&p);
            let one_by_one: Vec<Suggestion> = p
                .documents()
                .iter()
                .flat_map(|d| engine.for_document(&p, d.id()))
                .collect();
            assert!(!all.is_empty(), "{options:?}");
            assert_eq!(all, one_by_one, "{options:?}");
        }
    }

    #[test]
    fn offsets_convert_like_doc_text() {
        let p = generated();
        let mut texts: Vec<&DocText> = p.documents().iter().map(Document::text).collect();
        let odd = DocText::new("😀😀 Café, Zoe\u{308}\u{301}x ‘fout’ 🇳🇱Zoë".to_owned());
        texts.push(&odd);
        for text in texts {
            let s = text.as_str();
            let mut chars = CharCursor::new(s);
            for (b, _) in s.char_indices().step_by(5) {
                assert_eq!(
                    chars.char_of(b),
                    text.char_of(crate::model::ByteOffset(b)).0,
                    "{b} in {s:?}"
                );
            }
        }
    }

    #[test]
    fn masking_blanks_exactly_the_entities() {
        let text = DocText::new("Zoë en Café de Flore 😀 x".to_owned());
        // Nested and touching spans: "Café de Flore" with "Café" inside, then " 😀".
        let spans = [(0, 3), (7, 11), (7, 20), (20, 22)];
        let mut masked = Vec::new();
        mask_entities(&text, &spans, &mut masked);
        let kept: String = masked
            .iter()
            .map(|&b| if b == MASK { '#' } else { char::from(b) })
            .collect();
        // "Zoë" is 4 bytes, "Café de Flore" 14, " 😀" 5.
        assert_eq!(kept, "#### en ################### x");
    }

    /// Renders occurrences as `doc:start-end:text` plus `*` when tagged and `~` when an
    /// entity overlaps.
    fn occ(p: &Project, needle: &str, scope: Scope, case_sensitive: bool) -> Vec<String> {
        occurrences(p, needle, scope, case_sensitive)
            .iter()
            .map(|o| {
                let doc = p.document(&o.doc).expect("known doc");
                let text = o.in_context(doc.text()).text;
                assert_eq!(doc.text().slice(o.start, o.end), text);
                let mark = match (o.tagged, o.overlaps_entity) {
                    (true, _) => "*",
                    (false, true) => "~",
                    (false, false) => "",
                };
                format!("{}:{}-{}:{text}{mark}", o.doc, o.start, o.end)
            })
            .collect()
    }

    #[test]
    fn occurrences_for_tag_all() {
        let p = project(&[
            "[Facebook|ORG] en facebook en [Facebook Inc|ORG]",
            "FACEBOOK-gebruikers, Facebooks, 👍 Facebook\nFacebook",
        ]);
        let corpus = |needle, sensitive| occ(&p, needle, Scope::Corpus, sensitive);
        assert_eq!(
            corpus("Facebook", true),
            [
                "d0:0-8:Facebook*",
                "d0:24-32:Facebook~",
                "d1:34-42:Facebook",
                "d1:43-51:Facebook"
            ]
        );
        assert_eq!(
            corpus(" facebook ", false),
            [
                "d0:0-8:Facebook*",
                "d0:12-20:facebook",
                "d0:24-32:Facebook~",
                "d1:0-8:FACEBOOK",
                "d1:34-42:Facebook",
                "d1:43-51:Facebook",
            ]
        );
        let d1 = Scope::Document(DocId("d1".into()));
        assert_eq!(
            occ(&p, "Facebook", d1, true),
            ["d1:34-42:Facebook", "d1:43-51:Facebook"]
        );
        assert!(corpus("", true).is_empty());
        assert!(occ(&p, "Facebook", Scope::Document(DocId("nope".into())), true).is_empty());

        let found = occurrences(&p, "Facebook", Scope::Corpus, true);
        let last = found.last().expect("found");
        let text = p.document(&last.doc).expect("doc").text();
        assert_eq!(
            last.in_context(text),
            OccurrenceInContext {
                left: "EBOOK-gebruikers, Facebooks, 👍 Facebook ".to_owned(),
                text: "Facebook".to_owned(),
                right: String::new(),
            }
        );
        let ann = last
            .annotation(AnnotationId(99), text, "ORG", Some("Meta"))
            .expect("fits");
        assert_eq!(ann.text(text), "Facebook");
        assert_eq!(ann.label(), Some("ORG"));
        assert!(matches!(
            last.annotation(AnnotationId(99), text, " ", None),
            Err(AcceptError::Annotation(_))
        ));
    }
}
