//! From a project's documents and entity tags to token sequences with BIO labels, and back
//! from BIO labels to entity spans.
//!
//! Tokens and sentences are the ones the CoNLL export writes ([`formats::tokens`]): Unicode
//! words and punctuation (UAX #29), sentences by UAX #29 sentence boundaries, and whole
//! lines for documents imported from CoNLL. When learning, tokens are also cut where a tag
//! starts or ends, so every tag maps onto whole tokens and BIO → spans gives the tag back.
//!
//! A token carries one label, so overlapping tags cannot all be learned: the outermost
//! (the longest; of two crossing tags of one length, the earlier) wins and the others are
//! counted in [`Labelled::left_out`], never dropped in silence.

use crate::formats::tokens::{self as token_split, Token};
use crate::model::{AnnotationKind, Document, Project};
use std::collections::BTreeSet;

/// The label of a token outside every entity.
pub const OUTSIDE: &str = "O";

/// An entity on a code-point range of one document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntitySpan {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// Entity label, e.g. `PER`.
    pub label: String,
}

/// One sentence of a document with a BIO label per token.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledSentence {
    /// The tokens.
    pub tokens: Vec<Token>,
    /// `B-PER`, `I-PER`, `O`, … one per token.
    pub labels: Vec<String>,
}

/// A document's sentences with BIO labels, and how many tags could not be learned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labelled {
    /// The sentences.
    pub sentences: Vec<LabelledSentence>,
    /// Tags left out: nested in or crossing a longer tag, or covering no token.
    pub left_out: usize,
}

/// The sentences of a document, tokenised as the CoNLL export does, with no extra cuts.
pub fn sentences(doc: &Document) -> Vec<Vec<Token>> {
    token_split::sentences(doc, &BTreeSet::new())
}

/// The document's entity tags as spans (discontinuous tags by their covering range).
pub fn entity_spans(project: &Project, doc: &Document) -> Vec<EntitySpan> {
    project
        .annotations_of(doc.id())
        .into_iter()
        .filter_map(|a| match a.kind() {
            AnnotationKind::Entity { label, .. } => {
                let covering = a.anchor().covering()?;
                Some(EntitySpan {
                    start: covering.start().0,
                    end: covering.end().0,
                    label: label.to_string(),
                })
            }
            AnnotationKind::Stance { .. } => None,
        })
        .collect()
}

/// Keeps the outermost of overlapping spans: longest first, then earliest; a span that
/// overlaps one already kept is left out. Returns the kept spans by start, and the number
/// left out.
pub fn outermost(mut spans: Vec<EntitySpan>) -> (Vec<EntitySpan>, usize) {
    spans.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
            .then(a.label.cmp(&b.label))
    });
    let mut kept: Vec<EntitySpan> = Vec::with_capacity(spans.len());
    let mut left_out = 0;
    for span in spans {
        if kept
            .iter()
            .any(|k| k.start < span.end && span.start < k.end)
        {
            left_out += 1;
        } else {
            kept.push(span);
        }
    }
    kept.sort();
    (kept, left_out)
}

/// The document tokenised with cuts at the spans' ends, each token labelled B-, I- or O.
/// A span that crosses a sentence boundary starts again with B- in the next sentence.
pub fn label_document(doc: &Document, spans: Vec<EntitySpan>) -> Labelled {
    let (kept, mut left_out) = outermost(spans);
    let cuts: BTreeSet<usize> = kept.iter().flat_map(|s| [s.start, s.end]).collect();
    let mut covered = vec![false; kept.len()];
    let mut sentences = Vec::new();
    for tokens in token_split::sentences(doc, &cuts) {
        let mut labels = Vec::with_capacity(tokens.len());
        let mut previous: Option<usize> = None;
        for token in &tokens {
            // `kept` is sorted and disjoint: the last span starting at or before the token.
            let at = kept.partition_point(|s| s.start <= token.start);
            let inside = at
                .checked_sub(1)
                .filter(|&i| kept.get(i).is_some_and(|s| token.end <= s.end));
            labels.push(match inside.and_then(|i| Some((i, kept.get(i)?))) {
                Some((i, span)) => {
                    if let Some(flag) = covered.get_mut(i) {
                        *flag = true;
                    }
                    let prefix = if previous == Some(i) { "I" } else { "B" };
                    previous = Some(i);
                    format!("{prefix}-{}", span.label)
                }
                None => {
                    previous = None;
                    OUTSIDE.to_owned()
                }
            });
        }
        sentences.push(LabelledSentence { tokens, labels });
    }
    left_out += covered.iter().filter(|c| !**c).count();
    Labelled {
        sentences,
        left_out,
    }
}

/// The entities of a BIO-labelled token sequence, read as CoNLL's `conlleval` reads them:
/// an entity starts at `B-X`, or at `I-X` after anything but `B-X`/`I-X`, and ends before
/// the next token that does not continue it.
pub fn spans_from_bio<L: AsRef<str>>(tokens: &[Token], labels: &[L]) -> Vec<EntitySpan> {
    let mut spans: Vec<EntitySpan> = Vec::new();
    let mut open: Option<EntitySpan> = None;
    for (token, label) in tokens.iter().zip(labels) {
        let (prefix, kind) = split_label(label.as_ref());
        let continues = prefix == Some('I')
            && open
                .as_ref()
                .is_some_and(|o| Some(o.label.as_str()) == kind);
        if continues {
            if let Some(o) = open.as_mut() {
                o.end = token.end;
            }
            continue;
        }
        spans.extend(open.take());
        if let Some(kind) = kind {
            open = Some(EntitySpan {
                start: token.start,
                end: token.end,
                label: kind.to_owned(),
            });
        }
    }
    spans.extend(open);
    spans
}

/// `B-PER` → (`B`, `PER`); `O` → (none, none).
pub fn split_label(label: &str) -> (Option<char>, Option<&str>) {
    match label.split_once('-') {
        Some((prefix, kind)) if !kind.is_empty() => (prefix.chars().next(), Some(kind)),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocId;
    use std::collections::BTreeMap;

    fn doc(text: &str) -> Document {
        Document::new(
            DocId("d".into()),
            String::new(),
            BTreeMap::new(),
            text.into(),
        )
    }

    /// Parses `[Mark Zuckerberg]PER zegt` into the plain text and its spans.
    fn parse(marked: &str) -> (String, Vec<EntitySpan>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut opened = Vec::new();
        let mut chars = marked.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '[' => opened.push(text.chars().count()),
                ']' => {
                    let mut label = String::new();
                    while let Some(&l) = chars.peek().filter(|l| l.is_ascii_uppercase()) {
                        label.push(l);
                        chars.next();
                    }
                    let start = opened.pop().expect("balanced brackets");
                    spans.push(EntitySpan {
                        start,
                        end: text.chars().count(),
                        label,
                    });
                }
                _ => text.push(c),
            }
        }
        (text, spans)
    }

    /// BIO labels as `token/label` words, one string per sentence.
    fn bio(marked: &str) -> (Vec<String>, usize) {
        let (text, spans) = parse(marked);
        let labelled = label_document(&doc(&text), spans);
        let lines = labelled
            .sentences
            .iter()
            .map(|s| {
                s.tokens
                    .iter()
                    .zip(&s.labels)
                    .map(|(t, l)| format!("{}/{l}", t.text))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        (lines, labelled.left_out)
    }

    #[test]
    fn tags_become_bio_labels() {
        let cases: &[(&str, &[&str], usize)] = &[
            (
                "[Mark Zuckerberg]PER zegt sorry.",
                &["Mark/B-PER Zuckerberg/I-PER zegt/O sorry/O ./O"],
                0,
            ),
            (
                "[Facebook]ORG-gebruikers in [Den Haag]LOC.",
                &["Facebook/B-ORG -/O gebruikers/O in/O Den/B-LOC Haag/I-LOC ./O"],
                0,
            ),
            // Nested: the outermost wins, the inner one is reported.
            (
                "[Universiteit van [Amsterdam]LOC]ORG zwijgt.",
                &["Universiteit/B-ORG van/I-ORG Amsterdam/I-ORG zwijgt/O ./O"],
                1,
            ),
            // A tag inside a word cuts the word.
            (
                "De [VVD]ORGer lacht.",
                &["De/O VVD/B-ORG er/O lacht/O ./O"],
                0,
            ),
            // Two sentences; adjacent tags stay apart.
            (
                "[Rutte]PER [Kok]PER zwijgen. [Jan]PER niet.",
                &[
                    "Rutte/B-PER Kok/B-PER zwijgen/O ./O",
                    "Jan/B-PER niet/O ./O",
                ],
                0,
            ),
        ];
        for (marked, expected, left_out) in cases {
            let (lines, dropped) = bio(marked);
            assert_eq!(lines, *expected, "{marked}");
            assert_eq!(dropped, *left_out, "{marked}");
        }
    }

    #[test]
    fn bio_back_to_spans_gives_the_outermost_tags() {
        for marked in [
            "[Mark Zuckerberg]PER zegt sorry aan [Facebook]ORG-gebruikers.",
            "[Universiteit van [Amsterdam]LOC]ORG zwijgt in [Den Haag]LOC.",
            "[Rutte]PER [Kok]PER zwijgen. [Jan]PER niet. [Émile Zola]PER 😀 schreef.",
            "Geen namen hier.",
        ] {
            let (text, spans) = parse(marked);
            let (expected, _) = outermost(spans.clone());
            let labelled = label_document(&doc(&text), spans);
            let back: Vec<EntitySpan> = labelled
                .sentences
                .iter()
                .flat_map(|s| spans_from_bio(&s.tokens, &s.labels))
                .collect();
            assert_eq!(back, expected, "{marked}");
        }
    }

    #[test]
    fn of_crossing_tags_the_longer_wins_then_the_earlier() {
        let span = |start, end, label: &str| EntitySpan {
            start,
            end,
            label: label.into(),
        };
        let (kept, left_out) = outermost(vec![
            span(0, 10, "ORG"),
            span(5, 20, "MISC"),
            span(18, 28, "LOC"),
            span(30, 35, "PER"),
            span(33, 38, "PER"),
        ]);
        assert_eq!(kept, [span(5, 20, "MISC"), span(30, 35, "PER")]);
        assert_eq!(left_out, 3);
    }

    #[test]
    fn bio_is_read_as_conlleval_reads_it() {
        let tokens: Vec<Token> = (0..5)
            .map(|i| Token {
                start: i * 2,
                end: i * 2 + 1,
                text: "x".into(),
            })
            .collect();
        let spans = |labels: &[&str]| -> Vec<(usize, usize, String)> {
            spans_from_bio(&tokens, labels)
                .into_iter()
                .map(|s| (s.start, s.end, s.label))
                .collect()
        };
        assert_eq!(
            spans(&["I-PER", "I-PER", "O", "B-LOC", "I-ORG"]),
            [
                (0, 3, "PER".into()),
                (6, 7, "LOC".into()),
                (8, 9, "ORG".into())
            ]
        );
        assert_eq!(
            spans(&["B-PER", "B-PER", "I-PER", "O", "O"]),
            [(0, 1, "PER".into()), (2, 5, "PER".into())]
        );
    }
}
