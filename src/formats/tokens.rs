//! Tokens and sentences for the token-based exports (CoNLL, Prodigy): Unicode words and
//! punctuation (UAX #29 via `unicode-segmentation`), split further wherever a span starts or
//! ends so every span maps onto whole tokens. Documents imported from CoNLL carry
//! `tokenization: whitespace` in their metadata; they are split at whitespace and one line
//! is one sentence, so their tokens come back exactly as they were read.

use crate::model::Document;
use std::collections::BTreeSet;
use unicode_segmentation::UnicodeSegmentation;

/// Metadata key telling how a document's text is to be tokenised.
pub const TOKENIZATION_KEY: &str = "tokenization";
/// Value of [`TOKENIZATION_KEY`]: tokens are separated by whitespace, one sentence a line.
pub const WHITESPACE: &str = "whitespace";

/// A token: code-point range and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The token text.
    pub text: String,
}

/// Each sentence's pieces as (byte offset, text) slices of the document's text: the
/// tokens of [`sentences`] without cuts, before their code-point offsets are counted and
/// their texts copied (for counting words over a whole project cheaply). A sentence may
/// have no pieces.
pub fn sentence_pieces(doc: &Document) -> Vec<Vec<(usize, &str)>> {
    let text = doc.text().as_str();
    let by_whitespace = doc.meta().get(TOKENIZATION_KEY) == Some(WHITESPACE);
    // Pieces as (byte start, text), grouped into sentences.
    let mut groups: Vec<Vec<(usize, &str)>> = Vec::new();
    if by_whitespace {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let mut pieces = Vec::new();
            let mut pos = 0;
            for piece in line.split(|c: char| c.is_whitespace()) {
                if !piece.is_empty() {
                    pieces.push((offset + pos, piece));
                }
                pos += piece.len();
                pos += line
                    .get(pos..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, char::len_utf8);
            }
            groups.push(pieces);
            offset += line.len();
        }
    } else {
        for (s_start, sentence) in text.split_sentence_bound_indices() {
            // UAX #29 keeps e.g. "10\u{202F}000" as one word; a CoNLL token must not hold
            // whitespace, so words are split at any whitespace inside them too.
            let pieces = sentence
                .split_word_bound_indices()
                .flat_map(|(i, w)| {
                    non_space_runs(w)
                        .into_iter()
                        .map(move |(j, run)| (s_start + i + j, run))
                })
                .collect();
            groups.push(pieces);
        }
    }
    groups
}

/// Sentences of tokens. `cuts` are code-point offsets where a token must end or start.
pub fn sentences(doc: &Document, cuts: &BTreeSet<usize>) -> Vec<Vec<Token>> {
    let groups = sentence_pieces(doc);
    let doc_text = doc.text();
    groups
        .into_iter()
        .map(|pieces| {
            let mut tokens = Vec::new();
            for (byte, piece) in pieces {
                let start = doc_text.char_of(crate::model::ByteOffset(byte)).0;
                let len = piece.chars().count();
                split_at_cuts(piece, start, len, cuts, &mut tokens);
            }
            tokens
        })
        .filter(|t: &Vec<Token>| !t.is_empty())
        .collect()
}

/// The runs of non-whitespace characters of `s`, with their byte offsets.
fn non_space_runs(s: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                runs.push((st, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        runs.push((st, &s[st..]));
    }
    runs
}

fn split_at_cuts(
    piece: &str,
    start: usize,
    len: usize,
    cuts: &BTreeSet<usize>,
    out: &mut Vec<Token>,
) {
    let end = start + len;
    let mut from = start;
    let inner = cuts.range(start + 1..end).copied().chain([end]);
    for to in inner {
        let text: String = piece.chars().skip(from - start).take(to - from).collect();
        out.push(Token {
            start: from,
            end: to,
            text,
        });
        from = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_hold_whitespace() {
        assert_eq!(non_space_runs("10\u{202F}000"), [(0, "10"), (5, "000")]);
        assert_eq!(non_space_runs(" a  b "), [(1, "a"), (4, "b")]);
        assert!(non_space_runs("   ").is_empty());
    }
    use crate::model::DocId;
    use std::collections::BTreeMap;

    fn texts(doc: &Document, cuts: &[usize]) -> Vec<Vec<String>> {
        sentences(doc, &cuts.iter().copied().collect())
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|t| format!("{}..{}:{}", t.start, t.end, t.text))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn sentence_pieces_are_the_tokens_without_cuts() {
        let mut whitespace = BTreeMap::new();
        whitespace.insert(TOKENIZATION_KEY.to_owned(), WHITESPACE.to_owned());
        for (meta, text) in [
            (
                BTreeMap::new(),
                "Zuck 😀 zegt: e\u{301}n! Ja. 10\u{202F}000 keer.\n\nNee",
            ),
            (whitespace, "Mark Rutte zegt\n\nDen  Haag .\n"),
        ] {
            let doc = Document::new(DocId("d".into()), String::new(), meta, text.into());
            let tokens: Vec<Vec<String>> = sentences(&doc, &BTreeSet::new())
                .into_iter()
                .map(|s| s.into_iter().map(|t| t.text).collect())
                .collect();
            let pieces: Vec<Vec<String>> = sentence_pieces(&doc)
                .into_iter()
                .map(|s| s.into_iter().map(|(_, p)| p.to_owned()).collect::<Vec<_>>())
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(pieces, tokens, "{text:?}");
            assert!(tokens.len() >= 2, "{tokens:?}");
        }
    }

    #[test]
    fn words_punctuation_sentences_and_cuts() {
        let doc = Document::new(
            DocId("d".into()),
            String::new(),
            BTreeMap::new(),
            "Zuck 😀 zegt: e\u{301}n! Ja.".into(),
        );
        assert_eq!(
            texts(&doc, &[]),
            vec![
                vec![
                    "0..4:Zuck",
                    "5..6:😀",
                    "7..11:zegt",
                    "11..12::",
                    "13..16:e\u{301}n",
                    "16..17:!"
                ],
                vec!["18..20:Ja", "20..21:."],
            ]
        );
        assert_eq!(texts(&doc, &[2])[0][..2], ["0..2:Zu", "2..4:ck"]);
    }

    #[test]
    fn whitespace_documents_keep_their_tokens_and_lines() {
        let mut meta = BTreeMap::new();
        meta.insert(TOKENIZATION_KEY.to_owned(), WHITESPACE.to_owned());
        let doc = Document::new(
            DocId("d".into()),
            String::new(),
            meta,
            "kwestien, 😀x\nB. C".into(),
        );
        assert_eq!(
            texts(&doc, &[]),
            vec![
                vec!["0..9:kwestien,", "10..12:😀x"],
                vec!["13..15:B.", "16..17:C"]
            ]
        );
    }
}
