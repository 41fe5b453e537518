//! Word snapping: turning a rough selection into whole words, using Unicode word
//! segmentation (UAX #29) so `,,We`, `Zuckerbergs`, `338.300` and `Facebook-gebruikers`
//! behave as a reader expects.

use super::text::{ByteOffset, CharOffset, DocText};
use unicode_segmentation::UnicodeSegmentation;

/// Punctuation dropped from the edges of a snapped selection. Symbols such as `€`, `$`,
/// `%` and `#` are kept, because they belong to amounts and names.
fn is_edge_punctuation(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '.'
                | ';'
                | ':'
                | '!'
                | '?'
                | '"'
                | '\''
                | '‘'
                | '’'
                | '“'
                | '”'
                | '„'
                | '‚'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '«'
                | '»'
                | '‹'
                | '›'
                | '-'
                | '–'
                | '—'
                | '…'
                | '/'
                | '\\'
                | '*'
        )
}

/// The line (between newlines) around a byte range, as a byte range.
fn line_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    (line_start, line_end)
}

/// Word segments (byte ranges into the whole text) of the lines around `start..end`.
fn segments(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let (line_start, line_end) = line_bounds(text, start, end);
    text[line_start..line_end]
        .split_word_bound_indices()
        .map(|(i, s)| (line_start + i, line_start + i + s.len()))
        .collect()
}

/// A rough selection (either direction, clamped to the text) as a non-empty byte range.
fn byte_range(doc: &DocText, start: CharOffset, end: CharOffset) -> Option<(usize, usize)> {
    let (start, end) = (start.min(end), start.max(end).min(doc.end()));
    (start < end).then(|| (doc.byte_of(start).0, doc.byte_of(end).0))
}

/// Expands `start..end` to whole word segments and trims whitespace and punctuation from
/// the edges. Returns `None` when nothing but whitespace and punctuation is selected.
pub fn snap_to_words(
    doc: &DocText,
    start: CharOffset,
    end: CharOffset,
) -> Option<(CharOffset, CharOffset)> {
    let (bs, be) = byte_range(doc, start, end)?;
    let text = doc.as_str();
    let segs = segments(text, bs, be);
    let mut s = segs
        .iter()
        .find(|(a, b)| *a <= bs && bs < *b)
        .map_or(bs, |(a, _)| *a);
    let mut e = segs
        .iter()
        .find(|(a, b)| *a < be && be <= *b)
        .map_or(be, |(_, b)| *b);
    // Trim edge punctuation and whitespace character by character.
    while s < e {
        match text[s..e].chars().next() {
            Some(c) if is_edge_punctuation(c) => s += c.len_utf8(),
            _ => break,
        }
    }
    while s < e {
        match text[s..e].chars().next_back() {
            Some(c) if is_edge_punctuation(c) => e -= c.len_utf8(),
            _ => break,
        }
    }
    (s < e).then(|| (doc.char_of(ByteOffset(s)), doc.char_of(ByteOffset(e))))
}

/// Widens `start..end` to whole grapheme clusters (exact-character mode), so a selection
/// never separates a base letter from its accent or splits an emoji sequence.
pub fn snap_to_characters(
    doc: &DocText,
    start: CharOffset,
    end: CharOffset,
) -> Option<(CharOffset, CharOffset)> {
    let (bs, be) = byte_range(doc, start, end)?;
    let text = doc.as_str();
    let (line_start, line_end) = line_bounds(text, bs, be);
    let mut s = bs;
    let mut e = be;
    for (i, g) in text[line_start..line_end].grapheme_indices(true) {
        let (gs, ge) = (line_start + i, line_start + i + g.len());
        if gs < bs && bs < ge {
            s = gs;
        }
        if gs < be && be < ge {
            e = ge;
        }
    }
    Some((doc.char_of(ByteOffset(s)), doc.char_of(ByteOffset(e))))
}

/// The word at a character (what a double-click selects). On whitespace or punctuation
/// returns that single character's segment trimmed, i.e. `None`.
pub fn word_at(doc: &DocText, at: CharOffset) -> Option<(CharOffset, CharOffset)> {
    if at >= doc.end() {
        return None;
    }
    let text = doc.as_str();
    let b = doc.byte_of(at).0;
    let (s, e) = segments(text, b, b)
        .into_iter()
        .find(|(s, e)| *s <= b && b < *e)?;
    let word = &text[s..e];
    if word.chars().all(is_edge_punctuation) {
        return None;
    }
    Some((doc.char_of(ByteOffset(s)), doc.char_of(ByteOffset(e))))
}

/// The first word that starts after `at`, or at `at` itself when `inclusive` (for moving a
/// keyboard selection word by word).
pub fn next_word_start(
    doc: &DocText,
    at: CharOffset,
    inclusive: bool,
) -> Option<(CharOffset, CharOffset)> {
    let text = doc.as_str();
    let b = doc.byte_of(at).0;
    text[b..]
        .split_word_bound_indices()
        .map(|(i, w)| (b + i, b + i + w.len()))
        .filter(|(s, _)| *s > b || (inclusive && *s == b))
        .find(|(s, e)| !text[*s..*e].chars().all(is_edge_punctuation))
        .map(|(s, e)| (doc.char_of(ByteOffset(s)), doc.char_of(ByteOffset(e))))
}

/// The word before `at`.
pub fn previous_word(doc: &DocText, at: CharOffset) -> Option<(CharOffset, CharOffset)> {
    let text = doc.as_str();
    let b = doc.byte_of(at).0;
    text[..b]
        .split_word_bound_indices()
        .rev()
        .map(|(i, w)| (i, i + w.len()))
        .find(|(s, e)| !text[*s..*e].chars().all(is_edge_punctuation))
        .map(|(s, e)| (doc.char_of(ByteOffset(s)), doc.char_of(ByteOffset(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a selection in span notation: `[` and `]` mark it inside the text.
    fn parse(marked: &str) -> (DocText, CharOffset, CharOffset) {
        let start = marked.chars().position(|c| c == '[').expect("has [");
        let end = marked.chars().position(|c| c == ']').expect("has ]") - 1;
        let text: String = marked.chars().filter(|c| *c != '[' && *c != ']').collect();
        (DocText::new(text), CharOffset(start), CharOffset(end))
    }

    fn check_snap(rough: &str, want: &str) {
        let (doc, s, e) = parse(rough);
        let got = snap_to_words(&doc, s, e).map(|(s, e)| doc.slice(s, e).to_owned());
        let want = (!want.is_empty()).then(|| want.to_owned());
        assert_eq!(got, want, "snapping {rough}");
    }

    #[test]
    fn selections_snap_to_whole_words() {
        check_snap("[,,W]e hebben onvoldoende gedaan", "We");
        check_snap(",,We hebben onvoldoende [gedaan,,] zegt hij", "gedaan");
        check_snap("zegt Mark Zucker[ber]gs woordvoerder", "Zuckerbergs");
        check_snap("gegevens van 338.[3]00 Nederlanders", "338.300");
        check_snap(
            "tot wel 87 miljoen Face[book-gebr]uikers buit",
            "Facebook-gebruikers",
        );
        check_snap("tot wel 87 miljoen [Face]book-gebruikers buit", "Facebook");
        check_snap(
            "het databedrijf C[ambridge Analyti]ca, dat",
            "Cambridge Analytica",
        );
        check_snap("een boete van [€ 500.000] voor", "€ 500.000");
        check_snap("een stijging van 1[2%] in", "12%");
        check_snap("emoji 😀 [Zucker]berg 😀", "Zuckerberg");
        check_snap("alleen [ , ] komma", "");
    }

    #[test]
    fn double_click_takes_the_word_under_the_pointer() {
        let cases = [
            ("De topman [M]ark Zuckerberg", Some("Mark")),
            ("[,],We hebben", None),
            ("van 338.3[0]0 Nederlanders", Some("338.300")),
            ("Facebook-[g]ebruikers", Some("gebruikers")),
            ("CEO [Z]uckerbergs excuses", Some("Zuckerbergs")),
        ];
        for (marked, want) in cases {
            let (doc, at, _) = parse(marked);
            let got = word_at(&doc, at).map(|(s, e)| doc.slice(s, e).to_owned());
            assert_eq!(got.as_deref(), want, "{marked}");
        }
    }

    #[test]
    fn keyboard_moves_word_by_word() {
        let doc = DocText::new(",,We hebben 338.300 gebruikers".to_owned());
        let mut at = CharOffset(0);
        let mut words = Vec::new();
        let mut inclusive = true;
        while let Some((s, e)) = next_word_start(&doc, at, inclusive) {
            words.push(doc.slice(s, e).to_owned());
            at = s;
            inclusive = false;
        }
        assert_eq!(words, ["We", "hebben", "338.300", "gebruikers"]);
        let back = previous_word(&doc, CharOffset(12)).map(|(s, e)| doc.slice(s, e));
        assert_eq!(back, Some("hebben"));
    }
}
