//! Training and tagging: a linear-chain CRF over the features of [`super::features`],
//! trained with L-BFGS by the C library CRFsuite (the `crfsuite` crate; about 3 times
//! faster than the pure-Rust port `crfs`'s trainer, see BENCHMARKS.md) in CRFsuite's
//! model format, which `crfs` reads and checks.
//!
//! `crfs` tags with Viterbi but gives no probabilities, so tagging happens here, on the
//! model's own weights (read once through `crfs`'s model dump): one scoring pass per
//! sentence feeds both Viterbi (the labels; a test checks they are `crfs`'s own) and
//! forward–backward (each token's marginal probability of the label Viterbi chose).
//! An entity's confidence is the lowest of its tokens' marginals; a sentence's confidence
//! is the lowest over all its tokens (an `O` the model doubts counts too), which is what
//! "least sure first" sorts by.

use super::clusters::{ClusterOptions, WordClusters};
use super::features::{
    Gazetteer, NEIGHBOUR_OFFSETS, ProjectContext, WordFeatures, gazetteer_feature, next_bigram,
    no_neighbour, previous_bigram, sentence_features,
};
use super::tokens::{self, EntitySpan, LabelledSentence, OUTSIDE};
use crate::formats::tokens::Token;
use crate::model::{DocId, DocStatus, Project};
#[cfg(test)]
use crfs::Attribute;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;
use thiserror::Error;

/// Sentences that hold a rejected prediction or suggestion weigh this much in training:
/// the rejection is negative evidence, learned as `O`.
pub const REJECTION_WEIGHT: f64 = 2.0;

/// Why a model could not be trained or used.
#[derive(Debug, Error)]
pub enum LearnError {
    /// The chosen documents hold no entity tag.
    #[error("nothing to learn from: no entity tags in the {0} documents")]
    NothingToLearn(&'static str),
    /// The CRF library refused the data or the model.
    #[error("the CRF model: {0}")]
    Crf(#[from] std::io::Error),
}

/// Which documents to learn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentChoice {
    /// Documents with at least one entity tag.
    #[default]
    Tagged,
    /// Documents marked done.
    Done,
}

impl DocumentChoice {
    /// How the choice is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            DocumentChoice::Tagged => "tagged",
            DocumentChoice::Done => "done",
        }
    }
}

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Which documents to learn from.
    pub documents: DocumentChoice,
    /// L-BFGS iterations at most.
    pub iterations: usize,
    /// L1 regularisation (sparser models).
    pub c1: f64,
    /// L2 regularisation.
    pub c2: f64,
}

impl Default for TrainOptions {
    /// Tagged documents; 100 iterations, c1 = 0.1, c2 = 0.01 (BENCHMARKS.md: on
    /// CoNLL-2002 Dutch, 100 iterations give 80.0 F1 in 43–52 s of CPU with CRFsuite;
    /// with `crfs`'s trainer, 50 iterations gave 75.1 against 79.0 for 100).
    fn default() -> Self {
        Self {
            documents: DocumentChoice::Tagged,
            iterations: 100,
            c1: 0.1,
            c2: 0.01,
        }
    }
}

/// Sentences with BIO labels, ready to train on.
#[derive(Debug, Clone, Default)]
pub struct TrainingSet {
    /// Each sentence with its weight.
    pub sentences: Vec<(LabelledSentence, f64)>,
    /// Entity tags learned (after the outermost rule).
    pub tags: usize,
    /// Entity tags left out (nested, crossing, or covering no token).
    pub left_out: usize,
    /// Rejections learned as negative evidence.
    pub rejections: usize,
    /// The project's canonical names and lexicon.
    pub context: ProjectContext,
}

impl TrainingSet {
    /// Tokens in all sentences.
    pub fn tokens(&self) -> usize {
        self.sentences.iter().map(|(s, _)| s.tokens.len()).sum()
    }

    /// The entity labels (`PER`, not `B-PER`) that occur.
    pub fn labels(&self) -> BTreeSet<String> {
        self.sentences
            .iter()
            .flat_map(|(s, _)| &s.labels)
            .filter_map(|l| tokens::split_label(l).1.map(str::to_owned))
            .collect()
    }
}

/// The sentences of the chosen documents with BIO labels from their entity tags, plus the
/// sentences of other documents that hold a rejection. Rejected spans are learned as `O`
/// (they are untagged), in sentences weighted [`REJECTION_WEIGHT`]. The context holds the
/// project's canonical names, its lexicon, and word clusters learned from all of its text
/// ([`WordClusters::of_project`]).
pub fn training_set(project: &Project, choice: DocumentChoice) -> TrainingSet {
    recent_training_set(project, choice, usize::MAX, &[])
}

/// [`training_set`] cut to about `max_tokens` tokens, so training on a huge project costs
/// a bounded time and learns from the user's latest work: the documents of `recent` go
/// in first (most recent first: the window lists the documents it saw tagged), then the
/// others in the project's order, until `max_tokens` is reached (the document that
/// crosses the bound goes in whole). With `usize::MAX`, every document in the project's
/// order.
pub fn recent_training_set(
    project: &Project,
    choice: DocumentChoice,
    max_tokens: usize,
    recent: &[DocId],
) -> TrainingSet {
    let mut rejected: BTreeMap<&DocId, Vec<(usize, usize)>> = BTreeMap::new();
    for r in project.rejected_suggestions() {
        rejected.entry(&r.doc).or_default().push((r.start, r.end));
    }
    let mut set = TrainingSet {
        context: ProjectContext {
            clusters: WordClusters::of_project(project, &ClusterOptions::default()),
            ..ProjectContext::of_project(project)
        },
        ..TrainingSet::default()
    };
    let mut documents: Vec<&crate::model::Document> = Vec::new();
    if max_tokens < usize::MAX {
        let mut first: BTreeSet<&DocId> = BTreeSet::new();
        for id in recent {
            if let Some(doc) = project.document(id)
                && first.insert(id)
            {
                documents.push(doc);
            }
        }
        documents.extend(
            project
                .documents()
                .iter()
                .filter(|d| !first.contains(d.id())),
        );
    } else {
        documents.extend(project.documents());
    }
    let mut tokens = 0;
    for doc in documents {
        if tokens >= max_tokens {
            break;
        }
        let spans = tokens::entity_spans(project, doc);
        let chosen = match choice {
            DocumentChoice::Tagged => !spans.is_empty(),
            DocumentChoice::Done => project.status(doc.id()) == DocStatus::Done,
        };
        let rejections = rejected.get(doc.id()).map(Vec::as_slice).unwrap_or(&[]);
        if !chosen && rejections.is_empty() {
            continue;
        }
        let tagged = spans.len();
        let labelled = tokens::label_document(doc, spans);
        let mut used = 0;
        for sentence in labelled.sentences {
            let (Some(first), Some(last)) = (sentence.tokens.first(), sentence.tokens.last())
            else {
                continue;
            };
            let holds = rejections
                .iter()
                .filter(|(s, e)| *s < last.end && first.start < *e)
                .count();
            if holds > 0 {
                set.rejections += holds;
                tokens += sentence.tokens.len();
                set.sentences.push((sentence, REJECTION_WEIGHT));
            } else if chosen {
                used += 1;
                tokens += sentence.tokens.len();
                set.sentences.push((sentence, 1.0));
            }
        }
        if chosen || used > 0 {
            set.tags += tagged - labelled.left_out;
            set.left_out += labelled.left_out;
        }
    }
    set
}

/// A trained recommender: the CRF (in `crfs`'s format), the labels it knows, the
/// gazetteer it was trained with, and the weights for confidences.
#[derive(Debug, Clone)]
pub struct Recommender {
    crf: Vec<u8>,
    gazetteer: Gazetteer,
    clusters: WordClusters,
    weights: Weights,
    /// What it was trained on.
    pub summary: Summary,
}

/// What a model was trained on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Sentences learned from.
    pub sentences: usize,
    /// Tokens learned from.
    pub tokens: usize,
    /// Entity tags learned from.
    pub tags: usize,
    /// Entity labels known (`PER`, `ORG`, …), sorted.
    pub labels: Vec<String>,
    /// Seconds the training took.
    pub seconds: f64,
}

/// The CRF's weights, as the forward–backward pass reads them.
#[derive(Debug, Clone, Default)]
struct Weights {
    /// BIO labels by `crfs` label id.
    labels: Vec<String>,
    /// Label id by BIO label.
    label_ids: HashMap<String, usize>,
    /// Feature id (an index into `state`) by feature name.
    feature_ids: FxHashMap<String, u32>,
    /// `(label id, weight)` of each feature, by feature id, in the model dump's order.
    state: Vec<Vec<(usize, f64)>>,
    /// `transition[from * labels + to]`.
    transition: Vec<f64>,
    /// `exp` of each transition weight (forward–backward multiplies them).
    exp_transition: Vec<f64>,
}

impl Weights {
    /// Reads the weights from `crfs`'s text dump of the model: its `LABELS`,
    /// `TRANSITIONS` and `STATE_FEATURES` sections, lines like `  (0) w=Rutte --> B-PER:
    /// 1.25`. Feature names never hold whitespace ([`super::features`]).
    fn from_model(model: &crfs::Model<'_>) -> Result<Self, LearnError> {
        let mut dump = Vec::new();
        model.dump(&mut dump)?;
        let dump = String::from_utf8_lossy(&dump);
        let n = model.num_labels() as usize;
        let labels: Vec<String> = (0..n)
            .map(|i| model.to_label(i as u32).unwrap_or(OUTSIDE).to_owned())
            .collect();
        let label_ids: HashMap<String, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        let mut weights = Weights {
            transition: vec![0.0; n * n],
            exp_transition: Vec::new(),
            labels,
            label_ids,
            feature_ids: FxHashMap::default(),
            state: Vec::new(),
        };
        let mut section = "";
        for line in dump.lines() {
            if let Some(name) = line.strip_suffix(" = {") {
                section = name;
                continue;
            }
            let Some((from, to, weight)) = dump_feature(line) else {
                continue;
            };
            let Some(&target) = weights.label_ids.get(to) else {
                continue;
            };
            match section {
                "TRANSITIONS" => {
                    if let Some(&source) = weights.label_ids.get(from)
                        && let Some(w) = weights.transition.get_mut(source * n + target)
                    {
                        *w = weight;
                    }
                }
                "STATE_FEATURES" => {
                    let next = weights.state.len();
                    let id = *weights
                        .feature_ids
                        .entry(from.to_owned())
                        .or_insert_with(|| u32::try_from(next).unwrap_or(u32::MAX));
                    if id as usize == weights.state.len() {
                        weights.state.push(Vec::new());
                    }
                    if let Some(list) = weights.state.get_mut(id as usize) {
                        list.push((target, weight));
                    }
                }
                _ => {}
            }
        }
        weights.exp_transition = weights.transition.iter().map(|w| w.exp()).collect();
        Ok(weights)
    }

    /// The id of the feature called `name`; `None` when the model gave it no weight.
    fn feature_id(&self, name: &str) -> Option<u32> {
        self.feature_ids.get(name).copied()
    }

    /// Adds the weights of feature `id` (if any) to a token's per-label scores.
    fn add(&self, row: &mut [f64], id: Option<u32>) {
        let Some(list) = id.and_then(|id| self.state.get(id as usize)) else {
            return;
        };
        for &(label, w) in list {
            if let Some(cell) = row.get_mut(label) {
                *cell += w;
            }
        }
    }

    /// Each token's score for each label: the sum of its features' weights, added in the
    /// features' order. The tagger gets the same sums, bit for bit, from its per-word
    /// cache ([`SentenceTagger`]); this plain version is the reference its test checks.
    #[cfg(test)]
    fn scores(&self, features: &[Vec<Attribute>]) -> Vec<Vec<f64>> {
        let n = self.labels.len();
        features
            .iter()
            .map(|token| {
                let mut row = vec![0.0; n];
                for attribute in token {
                    let id = self.feature_id(&attribute.name);
                    for &(label, w) in id
                        .and_then(|id| self.state.get(id as usize))
                        .into_iter()
                        .flatten()
                    {
                        if let Some(cell) = row.get_mut(label) {
                            *cell += w * attribute.value;
                        }
                    }
                }
                row
            })
            .collect()
    }

    fn transition(&self, from: usize, to: usize) -> f64 {
        self.transition
            .get(from * self.labels.len() + to)
            .copied()
            .unwrap_or(0.0)
    }

    /// The best label sequence (Viterbi), as label ids, from the per-label scores of
    /// each token (`scores[t * labels + label]`).
    fn viterbi(&self, scores: &[f64]) -> Vec<usize> {
        let n = self.labels.len().max(1);
        let mut rows = scores.chunks_exact(n);
        let mut best: Vec<f64> = rows.next().map(<[f64]>::to_vec).unwrap_or_default();
        let mut next = vec![f64::NEG_INFINITY; best.len()];
        let mut back: Vec<usize> = Vec::with_capacity(scores.len());
        for row in rows {
            next.fill(f64::NEG_INFINITY);
            for (j, cell) in next.iter_mut().enumerate() {
                let mut from = 0;
                for (i, b) in best.iter().enumerate() {
                    let score = b + self.transition(i, j);
                    if score > *cell {
                        *cell = score;
                        from = i;
                    }
                }
                *cell += row.get(j).copied().unwrap_or(0.0);
                back.push(from);
            }
            std::mem::swap(&mut best, &mut next);
        }
        let mut label = (0..best.len())
            .max_by(|a, b| best[*a].total_cmp(&best[*b]))
            .unwrap_or(0);
        let mut path = vec![label];
        for from in back.chunks_exact(n).rev() {
            label = from.get(label).copied().unwrap_or(0);
            path.push(label);
        }
        path.reverse();
        path
    }

    /// Each token's marginal probability of each label (`[t * labels + label]`), from
    /// the per-label scores laid out the same way: forward–backward in probability space,
    /// each step scaled to sum to one (as CRFsuite does), so the inner loops only
    /// multiply and add — an `exp` per token and label, not per pair of labels.
    fn marginals(&self, scores: &[f64]) -> Vec<f64> {
        let n = self.labels.len().max(1);
        let t_len = scores.len() / n;
        let exp_transition = &self.exp_transition;
        let trans = |i: usize, j: usize| exp_transition.get(i * n + j).copied().unwrap_or(1.0);
        // Each row's scores relative to its best, so no exp overflows.
        let mut state: Vec<f64> = Vec::with_capacity(scores.len());
        for row in scores.chunks_exact(n) {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            state.extend(row.iter().map(|s| (s - max).exp()));
        }
        let normalise = |row: &mut [f64]| {
            let sum: f64 = row.iter().sum();
            if sum > 0.0 && sum.is_finite() {
                row.iter_mut().for_each(|x| *x /= sum);
            }
            sum
        };
        let mut alpha: Vec<f64> = vec![0.0; t_len * n];
        let mut scale: Vec<f64> = Vec::with_capacity(t_len);
        for t in 0..t_len {
            let (done, rest) = alpha.split_at_mut(t * n);
            let row = &state[t * n..(t + 1) * n];
            let cells = &mut rest[..n];
            match t.checked_sub(1) {
                None => cells.copy_from_slice(row),
                Some(p) => {
                    let previous = &done[p * n..];
                    for (j, cell) in cells.iter_mut().enumerate() {
                        let into: f64 = (0..n).map(|i| previous[i] * trans(i, j)).sum();
                        *cell = into * row[j];
                    }
                }
            }
            scale.push(normalise(cells));
        }
        let mut beta = vec![1.0; t_len * n];
        for t in (0..t_len.saturating_sub(1)).rev() {
            let c = scale
                .get(t + 1)
                .copied()
                .filter(|c| *c > 0.0)
                .unwrap_or(1.0);
            let (now, later) = beta.split_at_mut((t + 1) * n);
            let following = &later[..n];
            let state_next = &state[(t + 1) * n..(t + 2) * n];
            for (i, cell) in now[t * n..].iter_mut().enumerate() {
                *cell = (0..n)
                    .map(|j| trans(i, j) * state_next[j] * following[j])
                    .sum::<f64>()
                    / c;
            }
        }
        let mut out: Vec<f64> = alpha.iter().zip(&beta).map(|(x, y)| x * y).collect();
        for row in out.chunks_exact_mut(n) {
            normalise(row);
        }
        out
    }
}

/// `(from, to, weight)` of a dump line `  (1) B-PER --> I-PER: 0.5`.
fn dump_feature(line: &str) -> Option<(&str, &str, f64)> {
    let line = line.trim_start();
    let rest = line.strip_prefix('(')?.split_once(") ")?.1;
    let (pair, weight) = rest.rsplit_once(": ")?;
    let (from, to) = pair.split_once(" --> ")?;
    Some((from, to, weight.trim().parse().ok()?))
}

/// One sentence as the model tagged it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSentence {
    /// The entities found, each with its confidence (0–1).
    pub entities: Vec<(EntitySpan, f64)>,
    /// The lowest confidence of any token's label.
    pub confidence: f64,
}

/// Trains on `set` with the C library CRFsuite (through the `crfsuite` crate): L-BFGS
/// with `options`' regularisation and iterations, one training instance per sentence.
/// CRFsuite writes its own model format, which `crfs` reads, so tagging and the model file
/// are the same whichever trainer made the weights. A sentence of weight `w` is learned
/// `w` times (rounded, at least once): CRFsuite's binding takes no instance weights, and
/// for whole weights repeating an instance is the same objective. Training runs in this
/// thread (callers choose the thread and its priority).
pub fn train(set: &TrainingSet, options: &TrainOptions) -> Result<Recommender, LearnError> {
    if set.tags == 0 {
        return Err(LearnError::NothingToLearn(options.documents.name()));
    }
    let started = Instant::now();
    // Boxed: the binding hands CRFsuite a pointer to the trainer at the first `append`,
    // so it must not move afterwards.
    let mut trainer = Box::new(crfsuite::Trainer::new(false));
    trainer
        .select(crfsuite::Algorithm::LBFGS, crfsuite::GraphicalModel::CRF1D)
        .map_err(trainer_error)?;
    for (name, value) in [
        ("c1", options.c1.to_string()),
        ("c2", options.c2.to_string()),
        ("max_iterations", options.iterations.max(1).to_string()),
    ] {
        trainer.set(name, &value).map_err(trainer_error)?;
    }
    for (sentence, weight) in &set.sentences {
        if sentence.tokens.is_empty() || sentence.tokens.len() != sentence.labels.len() {
            continue;
        }
        let items: Vec<crfsuite::Item> = sentence_features(&sentence.tokens, &set.context)
            .into_iter()
            .map(|token| {
                token
                    .into_iter()
                    // CRFsuite takes C strings: a name holding NUL (a token with a NUL
                    // character) cannot be passed, and is left out, as it would be
                    // missing from the model when tagging too.
                    .filter(|a| !a.name.contains('\0'))
                    .map(|a| crfsuite::Attribute::new(a.name, a.value))
                    .collect()
            })
            .collect();
        if sentence.labels.iter().any(|l| l.contains('\0')) {
            continue;
        }
        let repeats = weight.round().clamp(1.0, 100.0) as usize;
        for _ in 0..repeats {
            trainer
                .append(&items, &sentence.labels, 0)
                .map_err(trainer_error)?;
        }
    }
    // CRFsuite writes its model to a file: a scratch file, read back and removed.
    let scratch = tempfile::NamedTempFile::new()?;
    let path = scratch.path().to_str().ok_or_else(|| {
        std::io::Error::other(format!(
            "the scratch file's path {} is not UTF-8",
            scratch.path().display()
        ))
    })?;
    trainer.train(path, -1).map_err(trainer_error)?;
    drop(trainer);
    let crf = std::fs::read(scratch.path())?;
    let summary = Summary {
        sentences: set.sentences.len(),
        tokens: set.tokens(),
        tags: set.tags,
        labels: set.labels().into_iter().collect(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(
        Recommender::new(crf, set.context.gazetteer.clone(), summary)?
            .with_clusters(set.context.clusters.clone()),
    )
}

/// CRFsuite's error as the recommender reports it.
fn trainer_error(error: crfsuite::CrfError) -> LearnError {
    LearnError::Crf(std::io::Error::other(format!("CRFsuite: {error}")))
}

impl Recommender {
    /// A recommender from a CRF in `crfs`'s format (checked by `crfs`).
    pub fn new(crf: Vec<u8>, gazetteer: Gazetteer, summary: Summary) -> Result<Self, LearnError> {
        let model = crfs::Model::new(&crf)?;
        let weights = Weights::from_model(&model)?;
        Ok(Self {
            crf,
            gazetteer,
            clusters: WordClusters::default(),
            weights,
            summary,
        })
    }

    /// The CRF in `crfs`'s format (what the model file stores).
    pub fn crf_bytes(&self) -> &[u8] {
        &self.crf
    }

    /// The gazetteer it was trained with.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The word clusters it was trained with (empty when none), which its tagger uses
    /// whatever project it tags: their numbers mean something only to this model.
    pub fn clusters(&self) -> &WordClusters {
        &self.clusters
    }

    /// This recommender with the word clusters it was trained with.
    pub fn with_clusters(mut self, clusters: WordClusters) -> Self {
        self.clusters = clusters;
        self
    }

    /// A tagger over this model for the project of `context` (its lexicon; its canonical
    /// names added to the model's).
    pub fn tagger<'a>(
        &'a self,
        context: &ProjectContext,
    ) -> Result<SentenceTagger<'a>, LearnError> {
        let gazetteer = if context.gazetteer.is_empty() {
            self.gazetteer.clone()
        } else {
            let mut names = self.gazetteer.names();
            names.extend(context.gazetteer.names());
            Gazetteer::new(names.iter().map(String::as_str))
        };
        let weights = &self.weights;
        let constant = |name: &str| weights.feature_id(name);
        let constants = ConstantFeatures {
            title_at_start: constant("title@start"),
            start: constant("start"),
            end: constant("end"),
            no_neighbour: NEIGHBOUR_OFFSETS.map(|offset| constant(&no_neighbour(offset))),
            gazetteer: [true, false].map(|starts| constant(gazetteer_feature(starts))),
        };
        Ok(SentenceTagger {
            recommender: self,
            context: ProjectContext {
                gazetteer,
                lexicon: context.lexicon.clone(),
                clusters: self.clusters.clone(),
            },
            constants,
            cache: RefCell::new(WordCache::default()),
        })
    }
}

/// A tagger forgets its cached words when it holds this many word types (a bound on its
/// memory, ≈ 300 bytes a word, on projects with a huge vocabulary).
const MAX_CACHED_WORDS: usize = 250_000;

/// A word type's share of a token's scores, its features looked up in the model once
/// ([`WordFeatures`], as feature ids).
struct CachedWord {
    /// The per-label sums of the word's [`WordFeatures::own`] features, added in their
    /// order from zero, exactly as the token's scores start.
    own: Vec<f64>,
    /// Capitalised (`title@start` applies at a sentence's start).
    title: bool,
    /// [`WordFeatures::flags`].
    flags: Vec<Option<u32>>,
    /// [`WordFeatures::as_neighbour`].
    as_neighbour: [Vec<Option<u32>>; 4],
    /// [`WordFeatures::lower`], for the word bigrams.
    lower: Box<str>,
    /// [`WordFeatures::tail`].
    tail: Vec<Option<u32>>,
}

/// The word types a tagger has seen, by their text.
#[derive(Default)]
struct WordCache {
    index: FxHashMap<Box<str>, usize>,
    words: Vec<CachedWord>,
}

impl WordCache {
    /// The cached word `word`, made on first sight.
    fn index_of(&mut self, word: &str, weights: &Weights, context: &ProjectContext) -> usize {
        if let Some(&i) = self.index.get(word) {
            return i;
        }
        let features = WordFeatures::new(word, context);
        // Features the model gave no weight add nothing: only the others are kept.
        let ids = |names: &[String]| -> Vec<Option<u32>> {
            names
                .iter()
                .map(|name| weights.feature_id(name))
                .filter(Option::is_some)
                .collect()
        };
        let mut own = vec![0.0; weights.labels.len()];
        for name in &features.own {
            weights.add(&mut own, weights.feature_id(name));
        }
        let cached = CachedWord {
            own,
            title: features.title,
            flags: ids(&features.flags),
            as_neighbour: features.as_neighbour.each_ref().map(|names| ids(names)),
            lower: features.lower.into_boxed_str(),
            tail: ids(&features.tail),
        };
        let i = self.words.len();
        self.words.push(cached);
        self.index.insert(word.into(), i);
        i
    }
}

/// The ids of the features that do not depend on the word.
struct ConstantFeatures {
    title_at_start: Option<u32>,
    start: Option<u32>,
    end: Option<u32>,
    /// `-2:none` … for each of [`NEIGHBOUR_OFFSETS`].
    no_neighbour: [Option<u32>; 4],
    /// `gaz=B`, `gaz=I`.
    gazetteer: [Option<u32>; 2],
}

/// Tags sentences with one model (one per thread): each word type's features are looked
/// up in the model once and kept, so a token costs a cache lookup, its two word bigrams
/// and a few additions; the scores are the same, bit for bit, as summing every feature of
/// [`sentence_features`] (tested).
pub struct SentenceTagger<'a> {
    recommender: &'a Recommender,
    context: ProjectContext,
    constants: ConstantFeatures,
    cache: RefCell<WordCache>,
}

impl SentenceTagger<'_> {
    /// The scores the plain way: every feature of [`sentence_features`] looked up by
    /// name (what the cache must equal).
    #[cfg(test)]
    pub(super) fn uncached_scores(&self, tokens: &[Token]) -> Vec<f64> {
        let features = sentence_features(tokens, &self.context);
        self.recommender.weights.scores(&features).concat()
    }

    /// Each token's score for each label (`[t * labels + label]`): the features of
    /// [`sentence_features`], in its order, from the word cache.
    pub(super) fn scores(&self, tokens: &[Token]) -> Vec<f64> {
        let weights = &self.recommender.weights;
        let constants = &self.constants;
        let mut cache = self.cache.borrow_mut();
        if cache.words.len() > MAX_CACHED_WORDS {
            *cache = WordCache::default();
        }
        let ids: Vec<usize> = tokens
            .iter()
            .map(|t| cache.index_of(&t.text, weights, &self.context))
            .collect();
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let in_names = self.context.gazetteer.matches(&words);
        let cached: Vec<&CachedWord> = ids.iter().filter_map(|&i| cache.words.get(i)).collect();
        let last = cached.len().saturating_sub(1);
        let mut bigram = String::new();
        let mut scores = Vec::with_capacity(cached.len() * weights.labels.len());
        for (i, word) in cached.iter().enumerate() {
            let at = scores.len();
            scores.extend_from_slice(&word.own);
            let row = &mut scores[at..];
            {
                if word.title && i == 0 {
                    weights.add(row, constants.title_at_start);
                }
                for &id in &word.flags {
                    weights.add(row, id);
                }
                if i == 0 {
                    weights.add(row, constants.start);
                }
                if i == last {
                    weights.add(row, constants.end);
                }
                for (k, offset) in NEIGHBOUR_OFFSETS.into_iter().enumerate() {
                    match i.checked_add_signed(offset).and_then(|j| cached.get(j)) {
                        Some(other) => {
                            for &id in &other.as_neighbour[k] {
                                weights.add(row, id);
                            }
                        }
                        None => weights.add(row, constants.no_neighbour[k]),
                    }
                }
                if let Some(previous) = i.checked_sub(1).and_then(|j| cached.get(j)) {
                    bigram.clear();
                    previous_bigram(&mut bigram, &previous.lower, &word.lower);
                    weights.add(row, weights.feature_id(&bigram));
                }
                if let Some(next) = cached.get(i + 1) {
                    bigram.clear();
                    next_bigram(&mut bigram, &word.lower, &next.lower);
                    weights.add(row, weights.feature_id(&bigram));
                }
                if let Some(starts) = in_names.get(i).copied().flatten() {
                    weights.add(row, constants.gazetteer[usize::from(!starts)]);
                }
                for &id in &word.tail {
                    weights.add(row, id);
                }
            }
        }
        scores
    }

    /// The entities of one sentence, with confidences.
    pub fn tag(&self, tokens: &[Token]) -> Result<TaggedSentence, LearnError> {
        if tokens.is_empty() {
            return Ok(TaggedSentence {
                entities: Vec::new(),
                confidence: 1.0,
            });
        }
        let weights = &self.recommender.weights;
        let scores = self.scores(tokens);
        let path = weights.viterbi(&scores);
        let marginals = weights.marginals(&scores);
        let labels: Vec<&str> = path
            .iter()
            .map(|&i| weights.labels.get(i).map_or(OUTSIDE, String::as_str))
            .collect();
        let n = weights.labels.len().max(1);
        let token_confidence: Vec<f64> = path
            .iter()
            .zip(marginals.chunks_exact(n))
            .map(|(&i, row)| row.get(i).copied().unwrap_or(0.0))
            .collect();
        let entities = tokens::spans_from_bio(tokens, &labels)
            .into_iter()
            .map(|span| {
                let confidence = tokens
                    .iter()
                    .zip(&token_confidence)
                    .filter(|(t, _)| span.start <= t.start && t.end <= span.end)
                    .map(|(_, c)| *c)
                    .fold(1.0, f64::min);
                (span, confidence)
            })
            .collect();
        let confidence = token_confidence.iter().copied().fold(1.0, f64::min);
        Ok(TaggedSentence {
            entities,
            confidence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marginals_and_viterbi_match_brute_force() {
        // Two labels, three tokens: every sequence enumerated.
        let weights = Weights {
            labels: vec!["O".into(), "B-PER".into()],
            label_ids: HashMap::new(),
            feature_ids: FxHashMap::default(),
            state: Vec::new(),
            transition: vec![0.5, -1.0, 2.0, -3.0],
            exp_transition: [0.5f64, -1.0, 2.0, -3.0].map(f64::exp).to_vec(),
        };
        let scores = [vec![0.1, 1.2], vec![3.0, -0.4], vec![-2.0, 40.0]];
        let flat: Vec<f64> = scores.concat();
        let score_of = |path: &[usize]| -> f64 {
            let states: f64 = path.iter().enumerate().map(|(t, &l)| scores[t][l]).sum();
            let moves: f64 = path
                .windows(2)
                .map(|w| weights.transition(w[0], w[1]))
                .sum();
            states + moves
        };
        let paths: Vec<Vec<usize>> = (0..8)
            .map(|k| vec![k & 1, (k >> 1) & 1, (k >> 2) & 1])
            .collect();
        let z: f64 = paths.iter().map(|p| score_of(p).exp()).sum();
        let marginals = weights.marginals(&flat);
        for (t, row) in marginals.chunks_exact(2).enumerate() {
            for (label, marginal) in row.iter().enumerate() {
                let expected: f64 = paths
                    .iter()
                    .filter(|p| p[t] == label)
                    .map(|p| score_of(p).exp() / z)
                    .sum();
                assert!(
                    (marginal - expected).abs() < 1e-9,
                    "t={t} label={label}: {marginal} vs {expected}"
                );
            }
        }
        assert_eq!(marginals.len(), 3 * 2);
        let best = paths
            .iter()
            .max_by(|a, b| score_of(a).total_cmp(&score_of(b)))
            .cloned()
            .unwrap_or_default();
        assert_eq!(weights.viterbi(&flat), best);
    }

    #[test]
    fn dump_lines_are_read() {
        assert_eq!(
            dump_feature("  (1) B-PER --> I-PER: 0.500000"),
            Some(("B-PER", "I-PER", 0.5))
        );
        assert_eq!(
            dump_feature("  (0) w=a:b --> O: -1.250000"),
            Some(("w=a:b", "O", -1.25))
        );
        assert_eq!(dump_feature("LABELS = {"), None);
    }
}
