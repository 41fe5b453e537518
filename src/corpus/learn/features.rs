//! What the model sees of a token: the usual features of news NER (the word, its lower
//! case, prefixes and suffixes, its shape, its neighbours, where it stands in the sentence)
//! plus what only the project knows ([`ProjectContext`]): its canonical names, as a
//! gazetteer, and how its own text writes each word ([`Lexicon`]): a word written with a
//! capital inside sentences is a name wherever it stands, one written in lower case is
//! not, even as a sentence's capitalised first word.
//!
//! Features are strings (`w=Rutte`, `-1:l=premier`, `gaz=B`), each with the value 1; the
//! CRF learns one weight per feature and label. A feature string never holds whitespace
//! (tokens never do), which the model file's weight table relies on.

use super::clusters::WordClusters;
use crate::formats::tokens::Token;
use crate::model::Project;
use crfs::Attribute;
use std::collections::{BTreeSet, HashSet};
use unicode_segmentation::UnicodeSegmentation;

/// Canonical names longer than this many tokens are not looked for.
const MAX_NAME_TOKENS: usize = 6;

/// Documents per batch when the lexicon is counted in parallel.
const LEXICON_BATCH: usize = 64;

/// Separates the tokens of a name in [`Gazetteer`]'s set (never inside a token).
const JOIN: char = ' ';

/// The project's canonical names, as token sequences to find in a sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gazetteer {
    /// Names as their tokens joined by a space.
    names: HashSet<String>,
    /// The longest name, in tokens.
    longest: usize,
    /// Lower-cased capitalised words of the names ("zuckerberg", "facebook").
    words: HashSet<String>,
    /// The first token of each name: only where one stands can a name start.
    first_words: HashSet<String>,
}

impl Gazetteer {
    /// A gazetteer of `names` (canonical names, e.g. "Mark Zuckerberg").
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut gazetteer = Self::default();
        for name in names {
            // Tokens as sentences are cut (words and punctuation, UAX #29).
            let tokens: Vec<&str> = name
                .split_word_bounds()
                .filter(|w| !w.trim().is_empty())
                .collect();
            if tokens.is_empty() || tokens.len() > MAX_NAME_TOKENS {
                continue;
            }
            gazetteer.longest = gazetteer.longest.max(tokens.len());
            for word in &tokens {
                if word.chars().next().is_some_and(char::is_uppercase) {
                    gazetteer.words.insert(word.to_lowercase());
                }
            }
            if let Some(first) = tokens.first() {
                gazetteer.first_words.insert((*first).to_owned());
            }
            gazetteer.names.insert(tokens.join(&JOIN.to_string()));
        }
        gazetteer
    }

    /// The names, sorted (what a model file stores).
    pub fn names(&self) -> BTreeSet<String> {
        self.names.iter().cloned().collect()
    }

    /// Whether it holds no names.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// For each token: `Some(true)` where a name starts, `Some(false)` inside one, `None`
    /// elsewhere. Longest names first, left to right.
    pub fn matches(&self, words: &[&str]) -> Vec<Option<bool>> {
        let mut marks = vec![None; words.len()];
        let mut joined = String::new();
        let mut i = 0;
        while i < words.len() {
            let longest = self.longest.min(words.len() - i);
            let may_start = words.get(i).is_some_and(|w| self.first_words.contains(*w));
            let found = (1..=longest).rev().filter(|_| may_start).find(|&n| {
                words.get(i..i + n).is_some_and(|name| {
                    joined.clear();
                    for (k, word) in name.iter().enumerate() {
                        if k > 0 {
                            joined.push(JOIN);
                        }
                        joined.push_str(word);
                    }
                    self.names.contains(joined.as_str())
                })
            });
            match found {
                Some(n) => {
                    for (k, mark) in marks.iter_mut().skip(i).take(n).enumerate() {
                        *mark = Some(k == 0);
                    }
                    i += n;
                }
                None => i += 1,
            }
        }
        marks
    }
}

/// How the project's text writes each word inside sentences (never counting a sentence's
/// first word, which is capitalised anyway).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lexicon {
    /// Lower-cased word → (times written with a capital, times seen), inside sentences.
    counts: rustc_hash::FxHashMap<String, (u32, u32)>,
}

impl Lexicon {
    /// Counts the words of a sentence.
    pub fn add_sentence(&mut self, tokens: &[Token]) {
        self.add_words(tokens.iter().map(|t| t.text.as_str()));
    }

    /// Counts a sentence's words, given as their texts.
    pub fn add_words<'w>(&mut self, words: impl Iterator<Item = &'w str>) {
        for word in words.skip(1) {
            let Some(first) = word.chars().next().filter(|c| c.is_alphabetic()) else {
                continue;
            };
            let entry = self.counts.entry(word.to_lowercase()).or_default();
            entry.0 = entry.0.saturating_add(u32::from(first.is_uppercase()));
            entry.1 = entry.1.saturating_add(1);
        }
    }

    /// The lexicon of every document of `project`, counted on every core (batches of
    /// documents, their counts added up).
    pub fn of_project(project: &Project) -> Self {
        let mut lexicon = Self::default();
        let counted: Result<(), std::convert::Infallible> =
            crate::parallel::for_each_batch_in_order(
                project.documents(),
                LEXICON_BATCH,
                |docs| {
                    let mut part = Self::default();
                    for doc in docs {
                        for pieces in crate::formats::tokens::sentence_pieces(doc) {
                            part.add_words(pieces.iter().map(|(_, word)| *word));
                        }
                    }
                    part
                },
                |part| {
                    lexicon.merge(part);
                    Ok(())
                },
            );
        let Ok(()) = counted;
        lexicon
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: Self) {
        if self.counts.is_empty() {
            self.counts = other.counts;
            return;
        }
        for (word, (upper, seen)) in other.counts {
            let entry = self.counts.entry(word).or_default();
            entry.0 = entry.0.saturating_add(upper);
            entry.1 = entry.1.saturating_add(seen);
        }
    }

    /// `case=upper` (a capital nine times in ten), `case=lower` (one time in ten at
    /// most), `case=mixed`, or `case=unseen` (never seen inside a sentence).
    fn case_feature(&self, lower: &str) -> &'static str {
        match self.counts.get(lower) {
            None => "case=unseen",
            Some(&(upper, seen)) if upper * 10 >= seen * 9 => "case=upper",
            Some(&(upper, seen)) if upper * 10 <= seen => "case=lower",
            Some(_) => "case=mixed",
        }
    }
}

/// What the project knows beyond one sentence: its canonical names and how its text
/// writes each word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectContext {
    /// Canonical names.
    pub gazetteer: Gazetteer,
    /// Word capitalisation inside sentences.
    pub lexicon: Lexicon,
    /// Word clusters from the unlabeled text (empty: no cluster features).
    pub clusters: WordClusters,
}

impl ProjectContext {
    /// The canonical names and the lexicon of `project`.
    pub fn of_project(project: &Project) -> Self {
        Self {
            gazetteer: Gazetteer::new(project.canonical_names()),
            lexicon: Lexicon::of_project(project),
            clusters: WordClusters::default(),
        }
    }
}

/// The word's shape: `X` for an upper-case letter, `x` lower case, `d` digit, anything
/// else as itself; "Rutte" → `Xxxxx`, "D66" → `Xdd`. The short shape collapses runs:
/// `Xx`, `Xd`.
fn shapes(word: &str) -> (String, String) {
    let mut long = String::new();
    let mut short = String::new();
    for c in word.chars() {
        let class = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if long.chars().count() < 12 {
            long.push(class);
        }
        if !short.ends_with(class) {
            short.push(class);
        }
    }
    (long, short)
}

/// The first `n` characters of `word` (all of it when shorter).
fn prefix(word: &str, n: usize) -> &str {
    word.char_indices().nth(n).map_or(word, |(i, _)| &word[..i])
}

/// The last `n` characters of `word` (all of it when shorter).
fn suffix(word: &str, n: usize) -> &str {
    let count = word.chars().count();
    if count <= n {
        return word;
    }
    word.char_indices()
        .nth(count - n)
        .map_or(word, |(i, _)| &word[i..])
}

/// Offsets of the neighbours whose features a token gets, in the order they are given.
pub const NEIGHBOUR_OFFSETS: [isize; 4] = [-2, -1, 1, 2];

/// The feature of a token without a neighbour at `offset` (`-2:none`).
pub fn no_neighbour(offset: isize) -> String {
    format!("{offset:+}:none")
}

/// The features of a token that depend on its word alone (and the project), in the order
/// [`sentence_features`] gives them, and the features it gives its neighbours. A tagger
/// computes them once per word type ([`super::model::SentenceTagger`]).
#[derive(Clone, Debug, PartialEq)]
pub struct WordFeatures {
    /// The features that open every token's list: `bias`, `w=`, `l=`, `p2=` … `s4=`,
    /// `sh=`, `ss=`, and `title` for a capitalised word.
    pub own: Vec<String>,
    /// Whether the word starts with a capital (it then also gets `title@start` at a
    /// sentence's start, after [`Self::own`]).
    pub title: bool,
    /// `upper`, `digit` and `hyphen`, where they apply (after `title@start`).
    pub flags: Vec<String>,
    /// The features this word gives the token at `-offset` from it, for each of
    /// [`NEIGHBOUR_OFFSETS`]: `-1:l=`, `-1:ss=`, `-1:s3=`, `-1:title` …
    pub as_neighbour: [Vec<String>; 4],
    /// The word in lower case (the word bigrams `-1|0:l=a|b` are made of it).
    pub lower: String,
    /// What closes the list, after the gazetteer's `gaz=B`/`gaz=I`: `gaz.word`, the
    /// project's capitalisation of the word (`case=`), and `title&case=`.
    pub tail: Vec<String>,
}

impl WordFeatures {
    /// The features of `word` in the project of `context`.
    pub fn new(word: &str, context: &ProjectContext) -> Self {
        let (shape, short_shape) = shapes(word);
        let title = word.chars().next().is_some_and(char::is_uppercase);
        let lower = word.to_lowercase();
        let mut own = Vec::with_capacity(13);
        own.push("bias".to_owned());
        own.push(format!("w={word}"));
        own.push(format!("l={lower}"));
        for n in [2, 3, 4] {
            own.push(format!("p{n}={}", prefix(&lower, n)));
            own.push(format!("s{n}={}", suffix(&lower, n)));
        }
        own.push(format!("sh={shape}"));
        own.push(format!("ss={short_shape}"));
        if title {
            own.push("title".to_owned());
        }
        let mut flags = Vec::new();
        if word.chars().all(char::is_uppercase) {
            flags.push("upper".to_owned());
        }
        if word.chars().any(char::is_numeric) {
            flags.push("digit".to_owned());
        }
        if word.contains('-') {
            flags.push("hyphen".to_owned());
        }
        let cluster = context.clusters.get(&lower);
        let as_neighbour = NEIGHBOUR_OFFSETS.map(|offset| {
            let mut f = vec![format!("{offset:+}:l={lower}")];
            if offset.abs() == 1 {
                f.push(format!("{offset:+}:ss={short_shape}"));
                f.push(format!("{offset:+}:s3={}", suffix(&lower, 3)));
                if title {
                    f.push(format!("{offset:+}:title"));
                }
                if let Some(cluster) = cluster {
                    f.push(format!("{offset:+}:c={cluster}"));
                }
            }
            f
        });
        let mut tail = Vec::with_capacity(3);
        if context.gazetteer.words.contains(&lower) {
            tail.push("gaz.word".to_owned());
        }
        let case = context.lexicon.case_feature(&lower);
        tail.push(case.to_owned());
        if title {
            tail.push(format!("title&{case}"));
        }
        if let Some(cluster) = cluster {
            tail.push(format!("c={cluster}"));
            if title {
                tail.push(format!("title&c={cluster}"));
            }
        }
        Self {
            own,
            title,
            flags,
            as_neighbour,
            lower,
            tail,
        }
    }
}

/// Appends the bigram feature of a token and its previous word to `out` (`-1|0:l=a|b`).
pub fn previous_bigram(out: &mut String, previous: &str, word: &str) {
    out.push_str("-1|0:l=");
    out.push_str(previous);
    out.push('|');
    out.push_str(word);
}

/// Appends the bigram feature of a token and its next word to `out` (`0|+1:l=a|b`).
pub fn next_bigram(out: &mut String, word: &str, next: &str) {
    out.push_str("0|+1:l=");
    out.push_str(word);
    out.push('|');
    out.push_str(next);
}

/// The feature of a token where a gazetteer name starts (`true`) or goes on.
pub fn gazetteer_feature(starts: bool) -> &'static str {
    if starts { "gaz=B" } else { "gaz=I" }
}

/// The features of every token of a sentence: for each token, in this order, its
/// [`WordFeatures::own`], `title@start`, its [`WordFeatures::flags`], `start`, `end`,
/// its neighbours' [`WordFeatures::as_neighbour`] (or `-2:none` …), the two word bigrams,
/// the gazetteer's `gaz=B`/`gaz=I`, and its [`WordFeatures::tail`].
pub fn sentence_features(tokens: &[Token], context: &ProjectContext) -> Vec<Vec<Attribute>> {
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let views: Vec<WordFeatures> = words
        .iter()
        .map(|w| WordFeatures::new(w, context))
        .collect();
    let in_names = context.gazetteer.matches(&words);
    let last = views.len().saturating_sub(1);
    views
        .iter()
        .enumerate()
        .map(|(i, view)| {
            let mut f: Vec<String> = Vec::with_capacity(40);
            f.extend(view.own.iter().cloned());
            if view.title && i == 0 {
                f.push("title@start".to_owned());
            }
            f.extend(view.flags.iter().cloned());
            if i == 0 {
                f.push("start".to_owned());
            }
            if i == last {
                f.push("end".to_owned());
            }
            for (k, offset) in NEIGHBOUR_OFFSETS.into_iter().enumerate() {
                match i.checked_add_signed(offset).and_then(|j| views.get(j)) {
                    Some(other) => f.extend(other.as_neighbour[k].iter().cloned()),
                    None => f.push(no_neighbour(offset)),
                }
            }
            if let Some(previous) = i.checked_sub(1).and_then(|j| views.get(j)) {
                let mut bigram = String::new();
                previous_bigram(&mut bigram, &previous.lower, &view.lower);
                f.push(bigram);
            }
            if let Some(next) = views.get(i + 1) {
                let mut bigram = String::new();
                next_bigram(&mut bigram, &view.lower, &next.lower);
                f.push(bigram);
            }
            if let Some(starts) = in_names.get(i).copied().flatten() {
                f.push(gazetteer_feature(starts).to_owned());
            }
            f.extend(view.tail.iter().cloned());
            f.into_iter()
                .map(|name| Attribute::new(name, 1.0))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(words: &[&str]) -> Vec<Token> {
        let mut at = 0;
        words
            .iter()
            .map(|w| {
                let n = w.chars().count();
                let token = Token {
                    start: at,
                    end: at + n,
                    text: (*w).to_owned(),
                };
                at += n + 1;
                token
            })
            .collect()
    }

    fn names(features: &[Attribute]) -> Vec<&str> {
        features.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn shapes_prefixes_and_suffixes_of_dutch_words() {
        let cases = [
            ("Rutte", "Xxxxx", "Xx"),
            ("D66", "Xdd", "Xd"),
            ("CDA'er", "XXX'xx", "X'x"),
            ("1.200", "d.ddd", "d.d"),
            ("Ĳsselmeer", "Xxxxxxxxx", "Xx"),
        ];
        for (word, long, short) in cases {
            assert_eq!(shapes(word), (long.to_owned(), short.to_owned()), "{word}");
        }
        assert_eq!(prefix("ĳsselmeer", 3), "ĳss");
        assert_eq!(suffix("ĳsselmeer", 4), "meer");
        assert_eq!(suffix("é", 3), "é");
    }

    #[test]
    fn features_of_a_dutch_sentence() {
        let mut lexicon = Lexicon::default();
        lexicon.add_sentence(&tokens(&[
            "Volgens", "topman", "Mark", "zwijgt", "Facebook",
        ]));
        lexicon.add_sentence(&tokens(&["Ook", "Topman", "Mark", "zwijgt", "niet"]));
        let context = ProjectContext {
            gazetteer: Gazetteer::new(["Mark Zuckerberg", "Facebook"]),
            lexicon,
            clusters: WordClusters::default(),
        };
        let sentence = tokens(&["Topman", "Mark", "Zuckerberg", "van", "Facebook", "zwijgt"]);
        let features = sentence_features(&sentence, &context);
        assert_eq!(features.len(), 6);
        let first = names(&features[0]);
        for expected in [
            "w=Topman",
            "l=topman",
            "title",
            "title@start",
            "start",
            "-1:none",
            "case=mixed",
            "title&case=mixed",
        ] {
            assert!(first.contains(&expected), "{expected} in {first:?}");
        }
        let mark = names(&features[1]);
        for expected in [
            "w=Mark",
            "p2=ma",
            "s3=ark",
            "sh=Xxxx",
            "ss=Xx",
            "-1:l=topman",
            "+1:l=zuckerberg",
            "+1:title",
            "+2:l=van",
            "-1|0:l=topman|mark",
            "gaz=B",
            "gaz.word",
            "case=upper",
        ] {
            assert!(mark.contains(&expected), "{expected} in {mark:?}");
        }
        assert!(names(&features[2]).contains(&"gaz=I"));
        assert!(names(&features[2]).contains(&"case=unseen"));
        assert!(names(&features[5]).contains(&"case=lower"));
        assert!(!names(&features[3]).iter().any(|f| f.starts_with("gaz")));
        assert!(names(&features[4]).contains(&"gaz=B"));
        let last = names(&features[5]);
        assert!(last.contains(&"end") && last.contains(&"+1:none"));
        assert!(
            features
                .iter()
                .flatten()
                .all(|a| !a.name.contains(char::is_whitespace)),
            "no feature holds whitespace"
        );
    }

    #[test]
    fn the_longest_name_wins_in_the_gazetteer() {
        let gazetteer = Gazetteer::new(["Den Haag", "Haag", "Tweede Kamer der Staten-Generaal"]);
        let words = ["in", "Den", "Haag", "en", "Haag"];
        assert_eq!(
            gazetteer.matches(&words),
            [None, Some(true), Some(false), None, Some(true)]
        );
        assert_eq!(gazetteer.names().len(), 3);
    }
}
