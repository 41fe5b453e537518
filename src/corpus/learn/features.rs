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

use crate::formats::tokens::Token;
use crate::model::Project;
use crfs::Attribute;
use std::collections::{BTreeSet, HashMap, HashSet};
use unicode_segmentation::UnicodeSegmentation;

/// Canonical names longer than this many tokens are not looked for.
const MAX_NAME_TOKENS: usize = 6;

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
    fn matches(&self, words: &[&str]) -> Vec<Option<bool>> {
        let mut marks = vec![None; words.len()];
        let mut i = 0;
        while i < words.len() {
            let longest = self.longest.min(words.len() - i);
            let found = (1..=longest).rev().find(|&n| {
                words
                    .get(i..i + n)
                    .is_some_and(|w| self.names.contains(&w.join(&JOIN.to_string())))
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
    counts: HashMap<String, (u32, u32)>,
}

impl Lexicon {
    /// Counts the words of a sentence.
    pub fn add_sentence(&mut self, tokens: &[Token]) {
        for token in tokens.iter().skip(1) {
            let Some(first) = token.text.chars().next().filter(|c| c.is_alphabetic()) else {
                continue;
            };
            let entry = self.counts.entry(token.text.to_lowercase()).or_default();
            entry.0 += u32::from(first.is_uppercase());
            entry.1 += 1;
        }
    }

    /// The lexicon of every document of `project`.
    pub fn of_project(project: &Project) -> Self {
        let mut lexicon = Self::default();
        for doc in project.documents() {
            for sentence in super::tokens::sentences(doc) {
                lexicon.add_sentence(&sentence);
            }
        }
        lexicon
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
}

impl ProjectContext {
    /// The canonical names and the lexicon of `project`.
    pub fn of_project(project: &Project) -> Self {
        Self {
            gazetteer: Gazetteer::new(project.canonical_names()),
            lexicon: Lexicon::of_project(project),
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

/// What is known of one token on its own.
struct TokenView<'a> {
    word: &'a str,
    lower: String,
    shape: String,
    short_shape: String,
    title: bool,
}

impl<'a> TokenView<'a> {
    fn new(word: &'a str) -> Self {
        let (shape, short_shape) = shapes(word);
        let mut chars = word.chars();
        let title = chars.next().is_some_and(char::is_uppercase);
        Self {
            word,
            lower: word.to_lowercase(),
            shape,
            short_shape,
            title,
        }
    }
}

/// The features of every token of a sentence.
pub fn sentence_features(tokens: &[Token], context: &ProjectContext) -> Vec<Vec<Attribute>> {
    let gazetteer = &context.gazetteer;
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let views: Vec<TokenView<'_>> = words.iter().map(|w| TokenView::new(w)).collect();
    let in_names = gazetteer.matches(&words);
    let last = views.len().saturating_sub(1);
    views
        .iter()
        .enumerate()
        .map(|(i, view)| {
            let mut f: Vec<String> = Vec::with_capacity(40);
            f.push("bias".to_owned());
            f.push(format!("w={}", view.word));
            f.push(format!("l={}", view.lower));
            for n in [2, 3, 4] {
                f.push(format!("p{n}={}", prefix(&view.lower, n)));
                f.push(format!("s{n}={}", suffix(&view.lower, n)));
            }
            f.push(format!("sh={}", view.shape));
            f.push(format!("ss={}", view.short_shape));
            if view.title {
                f.push("title".to_owned());
                if i == 0 {
                    f.push("title@start".to_owned());
                }
            }
            if view.word.chars().all(char::is_uppercase) {
                f.push("upper".to_owned());
            }
            if view.word.chars().any(char::is_numeric) {
                f.push("digit".to_owned());
            }
            if view.word.contains('-') {
                f.push("hyphen".to_owned());
            }
            if i == 0 {
                f.push("start".to_owned());
            }
            if i == last {
                f.push("end".to_owned());
            }
            for offset in [-2isize, -1, 1, 2] {
                let Some(other) = i.checked_add_signed(offset).and_then(|j| views.get(j)) else {
                    f.push(format!("{offset:+}:none"));
                    continue;
                };
                f.push(format!("{offset:+}:l={}", other.lower));
                if offset.abs() == 1 {
                    f.push(format!("{offset:+}:ss={}", other.short_shape));
                    f.push(format!("{offset:+}:s3={}", suffix(&other.lower, 3)));
                    if other.title {
                        f.push(format!("{offset:+}:title"));
                    }
                }
            }
            if let Some(previous) = i.checked_sub(1).and_then(|j| views.get(j)) {
                f.push(format!("-1|0:l={}|{}", previous.lower, view.lower));
            }
            if let Some(next) = views.get(i + 1) {
                f.push(format!("0|+1:l={}|{}", view.lower, next.lower));
            }
            match in_names.get(i).copied().flatten() {
                Some(true) => f.push("gaz=B".to_owned()),
                Some(false) => f.push("gaz=I".to_owned()),
                None => {}
            }
            if gazetteer.words.contains(&view.lower) {
                f.push("gaz.word".to_owned());
            }
            let case = context.lexicon.case_feature(&view.lower);
            f.push(case.to_owned());
            if view.title {
                f.push(format!("title&{case}"));
            }
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
