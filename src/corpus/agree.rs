//! Agreement between two annotators' projects over the same documents.
//!
//! The measures and their exact definitions are written in `docs/AGREEMENT.md`; in short:
//! precision, recall and F1 of entity spans (exact and overlap match, per label and
//! overall) with the first project (A) as the reference, Cohen's κ and Krippendorff's α
//! (nominal) over token labels, and for stances the agreement on polarity where both
//! annotators tagged the same claim. Pure: no IO, so the CLI and the app share it.

use crate::model::{AnnotationKind, DocId, DocText, Project, Span};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use unicode_segmentation::UnicodeSegmentation;

/// The label of a token that no entity covers.
pub const OUTSIDE: &str = "O";

/// Agreement measures between two projects.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Number of documents compared.
    pub documents: usize,
    /// Entity spans: precision, recall and F1 with A as the reference.
    pub entities: SpanAgreement,
    /// Token labels: Cohen's κ and Krippendorff's α.
    pub tokens: TokenAgreement,
    /// Stances: claims found by both and their polarities.
    pub stances: StanceAgreement,
    /// Relations per type: a relation matches one of the same type whose two ends match
    /// exactly (same spans, same label; either order for undirected types).
    pub relations: SpanScores,
}

/// Precision, recall and F1 of one set of spans against another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Items tagged by A (the reference).
    pub in_a: usize,
    /// Items tagged by B.
    pub in_b: usize,
    /// Pairs matched one-to-one.
    pub matched: usize,
    /// `matched / in_b`; `None` when B tagged nothing.
    pub precision: Option<f64>,
    /// `matched / in_a`; `None` when A tagged nothing.
    pub recall: Option<f64>,
    /// `2 · matched / (in_a + in_b)`; `None` when neither tagged anything.
    pub f1: Option<f64>,
}

impl Prf {
    /// The scores for the given counts.
    pub fn new(in_a: usize, in_b: usize, matched: usize) -> Self {
        Self {
            in_a,
            in_b,
            matched,
            precision: ratio(matched, in_b),
            recall: ratio(matched, in_a),
            f1: ratio(2 * matched, in_a + in_b),
        }
    }
}

/// Span scores per label and over all labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpanScores {
    /// Per entity label.
    pub per_label: BTreeMap<String, Prf>,
    /// Over all labels (micro-averaged: counts summed first).
    pub overall: Prf,
    /// Mean of the per-label F1s that are defined (macro average).
    pub macro_f1: Option<f64>,
}

/// Entity span agreement under the two matching rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpanAgreement {
    /// Same document, same spans, same label.
    pub exact: SpanScores,
    /// Same document, same label, spans sharing at least one character.
    pub overlap: SpanScores,
}

/// How often a label was given to tokens by each annotator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LabelTokens {
    /// Tokens A gave this label.
    pub a: usize,
    /// Tokens B gave this label.
    pub b: usize,
}

/// Agreement on the label of every token.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenAgreement {
    /// Number of tokens (units).
    pub tokens: usize,
    /// Tokens with the same label from both.
    pub agreeing: usize,
    /// Observed agreement `agreeing / tokens`.
    pub observed: Option<f64>,
    /// Agreement expected by chance (Cohen).
    pub expected: Option<f64>,
    /// Cohen's κ; `None` when undefined (chance agreement is 1).
    pub kappa: Option<f64>,
    /// Krippendorff's α, nominal; `None` when undefined (one value used throughout).
    pub alpha: Option<f64>,
    /// Token counts per label (including `O`).
    pub per_label: BTreeMap<String, LabelTokens>,
}

/// Agreement on stances.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StanceAgreement {
    /// Claims found by both: same document, same target, same or overlapping spans (or
    /// both on the whole document).
    pub claims: Prf,
    /// Of the matched claims, those with exactly the same spans.
    pub exact_claims: usize,
    /// Matched claims with the same polarity.
    pub same_polarity: usize,
    /// `same_polarity / matched claims`.
    pub polarity_agreement: Option<f64>,
    /// Cohen's κ over the polarities of matched claims.
    pub polarity_kappa: Option<f64>,
    /// A's polarity → B's polarity → number of matched claims.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
}

/// One problem that keeps two projects from being compared document by document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocProblem {
    /// The document is only in the first project.
    OnlyInA(DocId),
    /// The document is only in the second project.
    OnlyInB(DocId),
    /// The document has different text (content hash) in the two projects.
    TextDiffers(DocId),
}

impl std::fmt::Display for DocProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocProblem::OnlyInA(id) => write!(f, "document '{id}' is only in the first project"),
            DocProblem::OnlyInB(id) => write!(f, "document '{id}' is only in the second project"),
            DocProblem::TextDiffers(id) => write!(
                f,
                "document '{id}' has different text in the two projects (content hashes differ)"
            ),
        }
    }
}

/// Why two projects cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreeError {
    /// The projects are not over the same documents.
    #[error("the projects are not over the same documents: {}", describe(.0))]
    DocumentsDiffer(Vec<DocProblem>),
}

fn describe(problems: &[DocProblem]) -> String {
    let mut out = problems
        .first()
        .map_or_else(String::new, ToString::to_string);
    if problems.len() > 1 {
        let _ = write!(out, " (and {} more)", problems.len() - 1);
    }
    out
}

/// Checks that two projects hold the same documents: the same ids, each with the same
/// content hash.
pub fn check_same_documents(a: &Project, b: &Project) -> Result<(), AgreeError> {
    let mut problems = Vec::new();
    for doc in a.documents() {
        match b.document(doc.id()) {
            None => problems.push(DocProblem::OnlyInA(doc.id().clone())),
            Some(other) if other.hash() != doc.hash() => {
                problems.push(DocProblem::TextDiffers(doc.id().clone()));
            }
            Some(_) => {}
        }
    }
    for doc in b.documents() {
        if a.document(doc.id()).is_none() {
            problems.push(DocProblem::OnlyInB(doc.id().clone()));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AgreeError::DocumentsDiffer(problems))
    }
}

/// Compares two projects over the same documents; A is the reference for precision and
/// recall.
pub fn compare(a: &Project, b: &Project) -> Result<Agreement, AgreeError> {
    check_same_documents(a, b)?;
    let mut exact = Counts::default();
    let mut overlap = Counts::default();
    let mut stance_counts = (0, 0);
    let mut stance_pairs: Vec<(String, String, bool)> = Vec::new();
    let mut token_pairs: Vec<(String, String)> = Vec::new();
    let mut relation_counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for doc in a.documents() {
        let id = doc.id();
        let (ra, rb) = (relation_keys(a, a, id), relation_keys(b, a, id));
        for (key, (na, nb)) in pair_counts(&ra, &rb) {
            let c = relation_counts.entry(key.0.clone()).or_default();
            *c = (c.0 + na, c.1 + nb, c.2 + na.min(nb));
        }
        let (ea, eb) = (entity_items(a, id), entity_items(b, id));
        exact.add(&ea, &eb, &match_items(&ea, &eb, false));
        overlap.add(&ea, &eb, &match_items(&ea, &eb, true));

        let (sa, sb) = (stance_items(a, id), stance_items(b, id));
        stance_counts.0 += sa.len();
        stance_counts.1 += sb.len();
        for (i, j) in match_items(&sa, &sb, true) {
            let (x, y) = (&sa[i], &sb[j]);
            stance_pairs.push((x.extra.clone(), y.extra.clone(), x.spans == y.spans));
        }

        let tokens = tokens(doc.text());
        let la = token_labels(a, id, &tokens);
        let lb = token_labels(b, id, &tokens);
        token_pairs.extend(la.into_iter().zip(lb));
    }
    Ok(Agreement {
        documents: a.documents().len(),
        entities: SpanAgreement {
            exact: exact.scores(),
            overlap: overlap.scores(),
        },
        tokens: token_agreement(&token_pairs),
        stances: stance_agreement(stance_counts, &stance_pairs),
        relations: Counts {
            per_label: relation_counts,
        }
        .scores(),
    })
}

/// The label a stance has as a relation end.
const STANCE_END: &str = "STANCE";

/// One end of a relation as matching sees it: its spans and its label (`STANCE` for a
/// stance).
type RelationEnd = (Vec<Span>, String);

/// A document's relations as (type, first end, second end); for undirected types (in the
/// reference project's schema) the ends are put in order, so either direction matches.
fn relation_keys(
    project: &Project,
    reference: &Project,
    doc: &DocId,
) -> Vec<(String, RelationEnd, RelationEnd)> {
    let end = |id| {
        let ann = project.annotation(id)?;
        let label = ann
            .label()
            .map_or_else(|| STANCE_END.to_owned(), str::to_owned);
        Some((ann.spans().to_vec(), label))
    };
    project
        .relations_in(doc)
        .into_iter()
        .filter_map(|r| {
            let (mut from, mut to) = (end(r.from)?, end(r.to)?);
            let directed = reference
                .schema()
                .relation_type(&r.label)
                .is_none_or(|t| t.directed);
            if !directed && to < from {
                std::mem::swap(&mut from, &mut to);
            }
            Some((r.label.clone(), from, to))
        })
        .collect()
}

/// How often each key occurs in `a` and in `b`.
fn pair_counts<K: Ord + Clone>(a: &[K], b: &[K]) -> BTreeMap<K, (usize, usize)> {
    let mut counts: BTreeMap<K, (usize, usize)> = BTreeMap::new();
    for k in a {
        counts.entry(k.clone()).or_default().0 += 1;
    }
    for k in b {
        counts.entry(k.clone()).or_default().1 += 1;
    }
    counts
}

/// An annotation reduced to what matching looks at.
struct Item {
    spans: Vec<Span>,
    /// Entity label, or stance target: must be equal for a match.
    key: String,
    /// Stance polarity (empty for entities).
    extra: String,
}

fn entity_items(project: &Project, doc: &DocId) -> Vec<Item> {
    project
        .annotations_of(doc)
        .into_iter()
        .filter_map(|ann| match ann.kind() {
            AnnotationKind::Entity { label, .. } => Some(Item {
                spans: ann.spans().to_vec(),
                key: label.to_string(),
                extra: String::new(),
            }),
            AnnotationKind::Stance { .. } => None,
        })
        .collect()
}

fn stance_items(project: &Project, doc: &DocId) -> Vec<Item> {
    project
        .annotations_of(doc)
        .into_iter()
        .filter_map(|ann| match ann.kind() {
            AnnotationKind::Stance {
                target, polarity, ..
            } => Some(Item {
                spans: ann.spans().to_vec(),
                key: target.to_string(),
                extra: polarity.to_string(),
            }),
            AnnotationKind::Entity { .. } => None,
        })
        .collect()
}

/// Characters two span lists share (document anchors — empty lists — count as one shared
/// character with each other, so two document stances on one target match).
fn shared_chars(a: &[Span], b: &[Span]) -> usize {
    if a.is_empty() && b.is_empty() {
        return 1;
    }
    let mut n = 0;
    for x in a {
        for y in b {
            let (s, e) = (x.start().0.max(y.start().0), x.end().0.min(y.end().0));
            n += e.saturating_sub(s);
        }
    }
    n
}

/// One-to-one matching of items with equal keys, both lists in reading order. First every
/// exact pair (same spans), each A item taking the first free B item; then, with
/// `overlap`, every remaining A item takes the free B item sharing the most characters
/// with it (the earliest on a tie).
fn match_items(a: &[Item], b: &[Item], overlap: bool) -> Vec<(usize, usize)> {
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut pairs = Vec::new();
    for (i, x) in a.iter().enumerate() {
        let found = b
            .iter()
            .enumerate()
            .position(|(j, y)| !used_b[j] && y.key == x.key && y.spans == x.spans);
        if let Some(j) = found {
            used_a[i] = true;
            used_b[j] = true;
            pairs.push((i, j));
        }
    }
    if overlap {
        for (i, x) in a.iter().enumerate() {
            if used_a[i] {
                continue;
            }
            let mut best: Option<(usize, usize)> = None;
            for (j, y) in b.iter().enumerate() {
                if used_b[j] || y.key != x.key {
                    continue;
                }
                let shared = shared_chars(&x.spans, &y.spans);
                if shared > 0 && best.is_none_or(|(_, n)| shared > n) {
                    best = Some((j, shared));
                }
            }
            if let Some((j, _)) = best {
                used_a[i] = true;
                used_b[j] = true;
                pairs.push((i, j));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Per-label counts of items and matches.
#[derive(Default)]
struct Counts {
    per_label: BTreeMap<String, (usize, usize, usize)>,
}

impl Counts {
    fn add(&mut self, a: &[Item], b: &[Item], pairs: &[(usize, usize)]) {
        for x in a {
            self.per_label.entry(x.key.clone()).or_default().0 += 1;
        }
        for y in b {
            self.per_label.entry(y.key.clone()).or_default().1 += 1;
        }
        for &(i, _) in pairs {
            if let Some(x) = a.get(i) {
                self.per_label.entry(x.key.clone()).or_default().2 += 1;
            }
        }
    }

    fn scores(&self) -> SpanScores {
        let per_label: BTreeMap<String, Prf> = self
            .per_label
            .iter()
            .map(|(label, &(na, nb, m))| (label.clone(), Prf::new(na, nb, m)))
            .collect();
        let (na, nb, m) = self
            .per_label
            .values()
            .fold((0, 0, 0), |acc, c| (acc.0 + c.0, acc.1 + c.1, acc.2 + c.2));
        let f1s: Vec<f64> = per_label.values().filter_map(|p| p.f1).collect();
        let macro_f1 = (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64);
        SpanScores {
            per_label,
            overall: Prf::new(na, nb, m),
            macro_f1,
        }
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The tokens of a text as code-point ranges: the Unicode word-bound segments (UAX #29)
/// that are not all whitespace.
pub fn tokens(text: &DocText) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for segment in text.as_str().split_word_bounds() {
        let len = segment.chars().count();
        if !segment.chars().all(char::is_whitespace) {
            out.push((pos, pos + len));
        }
        pos += len;
    }
    out
}

/// The label of each token of a document in a project: the label of the longest entity
/// (most characters over all its spans) with a span sharing a character with the token;
/// on a tie the alphabetically first label; `O` when no entity covers it.
pub fn token_labels(project: &Project, doc: &DocId, tokens: &[(usize, usize)]) -> Vec<String> {
    let mut best: Vec<Option<(usize, &str)>> = vec![None; tokens.len()];
    let annotations = project.annotations_of(doc);
    for ann in &annotations {
        let AnnotationKind::Entity { label, .. } = ann.kind() else {
            continue;
        };
        let len: usize = ann.spans().iter().map(Span::len).sum();
        for span in ann.spans() {
            let (s, e) = (span.start().0, span.end().0);
            // Tokens are sorted and disjoint: the first token that ends after `s`.
            let first = tokens.partition_point(|&(_, te)| te <= s);
            for (k, &(ts, _)) in tokens.iter().enumerate().skip(first) {
                if ts >= e {
                    break;
                }
                let better = match best[k] {
                    None => true,
                    Some((n, l)) => len > n || (len == n && label.as_str() < l),
                };
                if better {
                    best[k] = Some((len, label.as_str()));
                }
            }
        }
    }
    best.into_iter()
        .map(|b| b.map_or(OUTSIDE, |(_, l)| l).to_owned())
        .collect()
}

fn token_agreement(pairs: &[(String, String)]) -> TokenAgreement {
    let mut per_label: BTreeMap<String, LabelTokens> = BTreeMap::new();
    for (x, y) in pairs {
        per_label.entry(x.clone()).or_default().a += 1;
        per_label.entry(y.clone()).or_default().b += 1;
    }
    let kappa = cohen_kappa(pairs);
    TokenAgreement {
        tokens: pairs.len(),
        agreeing: pairs.iter().filter(|(x, y)| x == y).count(),
        observed: kappa.observed,
        expected: kappa.expected,
        kappa: kappa.kappa,
        alpha: krippendorff_alpha(pairs),
        per_label,
    }
}

fn stance_agreement(counts: (usize, usize), pairs: &[(String, String, bool)]) -> StanceAgreement {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (x, y, _) in pairs {
        *confusion
            .entry(x.clone())
            .or_default()
            .entry(y.clone())
            .or_default() += 1;
    }
    let polarities: Vec<(String, String)> = pairs
        .iter()
        .map(|(x, y, _)| (x.clone(), y.clone()))
        .collect();
    let same = pairs.iter().filter(|(x, y, _)| x == y).count();
    StanceAgreement {
        claims: Prf::new(counts.0, counts.1, pairs.len()),
        exact_claims: pairs.iter().filter(|(_, _, exact)| *exact).count(),
        same_polarity: same,
        polarity_agreement: ratio(same, pairs.len()),
        polarity_kappa: cohen_kappa(&polarities).kappa,
        confusion,
    }
}

/// Observed agreement, chance agreement and Cohen's κ of paired labels.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Kappa {
    /// `p_o`: share of pairs with equal labels; `None` with no pairs.
    pub observed: Option<f64>,
    /// `p_e = Σ_k (n_Ak / N)(n_Bk / N)`; `None` with no pairs.
    pub expected: Option<f64>,
    /// `(p_o − p_e) / (1 − p_e)`; `None` with no pairs or when `p_e = 1`.
    pub kappa: Option<f64>,
}

/// Cohen's κ of two coders' labels for the same units, given as (A's, B's) pairs.
pub fn cohen_kappa<S: AsRef<str>>(pairs: &[(S, S)]) -> Kappa {
    let n = pairs.len();
    if n == 0 {
        return Kappa::default();
    }
    let mut a: BTreeMap<&str, usize> = BTreeMap::new();
    let mut b: BTreeMap<&str, usize> = BTreeMap::new();
    let mut agree = 0;
    for (x, y) in pairs {
        let (x, y) = (x.as_ref(), y.as_ref());
        *a.entry(x).or_default() += 1;
        *b.entry(y).or_default() += 1;
        agree += usize::from(x == y);
    }
    let nf = n as f64;
    let observed = agree as f64 / nf;
    let expected: f64 = a
        .iter()
        .map(|(k, &na)| na as f64 * b.get(k).copied().unwrap_or(0) as f64)
        .sum::<f64>()
        / (nf * nf);
    let kappa = (expected < 1.0).then(|| (observed - expected) / (1.0 - expected));
    Kappa {
        observed: Some(observed),
        expected: Some(expected),
        kappa,
    }
}

/// Krippendorff's α for nominal data, two coders, every unit coded by both, given as
/// (A's, B's) pairs: `α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k`, where each
/// unit adds 1 to `o_xy` and `o_yx` of the coincidence matrix, `n_c` are its margins and
/// `n = 2N`. `None` with no units or when only one value occurs (the denominator is 0).
pub fn krippendorff_alpha<S: AsRef<str>>(pairs: &[(S, S)]) -> Option<f64> {
    let mut margins: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreeing = 0usize;
    for (x, y) in pairs {
        let (x, y) = (x.as_ref(), y.as_ref());
        *margins.entry(x).or_default() += 1;
        *margins.entry(y).or_default() += 1;
        disagreeing += usize::from(x != y);
    }
    let n = (2 * pairs.len()) as f64;
    let off_diagonal_observed = 2.0 * disagreeing as f64;
    let sum_sq: f64 = margins.values().map(|&c| (c as f64) * (c as f64)).sum();
    let off_diagonal_expected = n * n - sum_sq;
    (off_diagonal_expected > 0.0)
        .then(|| 1.0 - (n - 1.0) * off_diagonal_observed / off_diagonal_expected)
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

/// One table row of precision, recall and F1.
fn prf_row(out: &mut String, name: &str, p: &Prf) {
    let _ = writeln!(
        out,
        "  {name:<12} {:>6} {:>6} {:>7} {:>9} {:>9} {:>9}",
        p.in_a,
        p.in_b,
        p.matched,
        num(p.precision),
        num(p.recall),
        num(p.f1)
    );
}

/// A plain-text report.
pub fn to_text(agreement: &Agreement) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} documents compared (A is the reference: precision = matched / B, recall = matched / A)",
        agreement.documents
    );
    for (title, scores) in [
        ("entity spans, exact match", &agreement.entities.exact),
        ("entity spans, overlap match", &agreement.entities.overlap),
    ] {
        let _ = writeln!(out, "\n{title}:");
        let _ = writeln!(
            out,
            "  {:<12} {:>6} {:>6} {:>7} {:>9} {:>9} {:>9}",
            "label", "A", "B", "matched", "precision", "recall", "F1"
        );
        for (label, p) in &scores.per_label {
            prf_row(&mut out, label, p);
        }
        prf_row(&mut out, "(all)", &scores.overall);
        let _ = writeln!(out, "  macro F1 {}", num(scores.macro_f1));
    }
    let t = &agreement.tokens;
    let _ = writeln!(
        out,
        "\ntokens: {} ({} agreeing, observed {}, chance {})",
        t.tokens,
        t.agreeing,
        num(t.observed),
        num(t.expected)
    );
    let _ = writeln!(out, "  Cohen's kappa          {}", num(t.kappa));
    let _ = writeln!(out, "  Krippendorff's alpha   {}", num(t.alpha));
    let s = &agreement.stances;
    let _ = writeln!(
        out,
        "\nstances: {} in A, {} in B, {} claims tagged by both ({} with the same spans)",
        s.claims.in_a, s.claims.in_b, s.claims.matched, s.exact_claims
    );
    let _ = writeln!(
        out,
        "  claims F1 {}; same polarity {} of {} ({}), kappa {}",
        num(s.claims.f1),
        s.same_polarity,
        s.claims.matched,
        num(s.polarity_agreement),
        num(s.polarity_kappa)
    );
    for (pa, row) in &s.confusion {
        for (pb, n) in row {
            let _ = writeln!(out, "  A {pa:<10} B {pb:<10} {n:>5}");
        }
    }
    let r = &agreement.relations;
    if r.overall.in_a + r.overall.in_b > 0 {
        let _ = writeln!(out, "\nrelations (same type, both ends matching exactly):");
        let _ = writeln!(
            out,
            "  {:<12} {:>6} {:>6} {:>7} {:>9} {:>9} {:>9}",
            "type", "A", "B", "matched", "precision", "recall", "F1"
        );
        for (label, p) in &r.per_label {
            prf_row(&mut out, label, p);
        }
        prf_row(&mut out, "(all)", &r.overall);
        let _ = writeln!(out, "  macro F1 {}", num(r.macro_f1));
    }
    out
}
