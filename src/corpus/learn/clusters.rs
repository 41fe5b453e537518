//! Word clusters learned from the project's own unlabeled text: words that stand between
//! the same neighbours fall into one cluster ("Amsterdam", "Utrecht", "Zwolle" follow "in"
//! and precede "," alike), so a name the tags never showed still shares a feature with
//! names they did.
//!
//! Each frequent word (lower case) is described by how often each of the most frequent
//! words stands just before and just after it (log counts, unit length), and the words are
//! grouped by spherical k-means (cosine similarity; deterministic start: words evenly
//! spread over the frequency ranking). Everything comes from the text itself, no tags and
//! nothing downloaded; the clusters travel with the model, as their numbers mean nothing
//! outside it.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// How the clusters are learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Clusters to make.
    pub clusters: usize,
    /// Words seen fewer times get no cluster.
    pub min_count: u32,
    /// At most this many words (the most frequent) are clustered.
    pub max_words: usize,
    /// Neighbours that describe a word: this many of the most frequent words, before and
    /// after it.
    pub context_words: usize,
    /// k-means rounds at most.
    pub rounds: usize,
    /// [`WordClusters::of_project`] reads at most about this many words of text (whole
    /// sentences, documents in the project's order), so a huge project costs a bounded
    /// time.
    pub max_tokens: usize,
}

impl Default for ClusterOptions {
    /// 50 clusters of the 10,000 most frequent words seen at least 3 times, described by
    /// the 400 most frequent words around them, 12 rounds, from at most a million words
    /// of text (BENCHMARKS.md: with clusters of all the text, +0.8 F1 on CoNLL-2002
    /// Dutch and +1.0 on Europeana; 200 and 500 clusters helped one set only; under a
    /// second of CPU).
    fn default() -> Self {
        Self {
            clusters: 50,
            min_count: 3,
            max_words: 10_000,
            context_words: 400,
            rounds: 12,
            max_tokens: 1_000_000,
        }
    }
}

/// Each clustered word's cluster number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordClusters {
    of: FxHashMap<String, u16>,
}

impl WordClusters {
    /// The clusters of the words of `sentences` (each a sentence's words as written).
    pub fn learn<'a, S>(sentences: S, options: &ClusterOptions) -> Self
    where
        S: IntoIterator,
        S::Item: AsRef<[&'a str]>,
    {
        let lowered: Vec<Vec<String>> = sentences
            .into_iter()
            .map(|s| s.as_ref().iter().map(|w| w.to_lowercase()).collect())
            .collect();
        let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
        for word in lowered.iter().flatten() {
            *counts.entry(word.as_str()).or_default() += 1;
        }
        // The frequency ranking (ties by the word, so the result never depends on hashing).
        let mut ranked: Vec<(&str, u32)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let rank: FxHashMap<&str, usize> = ranked
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (*w, i))
            .collect();
        let words: Vec<&str> = ranked
            .iter()
            .take(options.max_words)
            .take_while(|(_, c)| *c >= options.min_count)
            .map(|(w, _)| *w)
            .collect();
        let k = options.clusters.min(words.len()).min(usize::from(u16::MAX));
        if k == 0 {
            return Self::default();
        }
        let dims = options.context_words * 2;
        // Neighbour counts: before (dimension = rank) and after (context_words + rank).
        let mut rows: Vec<BTreeMap<u32, f32>> = vec![BTreeMap::new(); words.len()];
        for sentence in &lowered {
            for (i, word) in sentence.iter().enumerate() {
                let Some(&r) = rank.get(word.as_str()) else {
                    continue;
                };
                let Some(row) = rows.get_mut(r) else {
                    continue;
                };
                let mut count = |neighbour: Option<&String>, offset: usize| {
                    if let Some(&n) = neighbour.and_then(|n| rank.get(n.as_str()))
                        && n < options.context_words
                        && let Ok(dim) = u32::try_from(n + offset)
                    {
                        *row.entry(dim).or_default() += 1.0;
                    }
                };
                count(i.checked_sub(1).and_then(|j| sentence.get(j)), 0);
                count(sentence.get(i + 1), options.context_words);
            }
        }
        let vectors: Vec<Vec<(u32, f32)>> = rows
            .into_iter()
            .map(|row| {
                let mut v: Vec<(u32, f32)> = row.into_iter().map(|(d, c)| (d, c.ln_1p())).collect();
                let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    v.iter_mut().for_each(|(_, x)| *x /= norm);
                }
                v
            })
            .collect();
        let assignment = spherical_kmeans(&vectors, dims, k, options.rounds);
        let of = words
            .iter()
            .zip(assignment)
            .filter_map(|(w, c)| Some(((*w).to_owned(), u16::try_from(c).ok()?)))
            .collect();
        Self { of }
    }

    /// The clusters of the words of `project`'s documents (up to
    /// [`ClusterOptions::max_tokens`] words).
    pub fn of_project(project: &crate::model::Project, options: &ClusterOptions) -> Self {
        let mut sentences: Vec<Vec<&str>> = Vec::new();
        let mut tokens = 0;
        for doc in project.documents() {
            if tokens >= options.max_tokens {
                break;
            }
            for sentence in crate::formats::tokens::sentence_pieces(doc) {
                tokens += sentence.len();
                sentences.push(sentence.into_iter().map(|(_, word)| word).collect());
            }
        }
        Self::learn(&sentences, options)
    }

    /// The cluster of a word in lower case.
    pub fn get(&self, lower: &str) -> Option<u16> {
        self.of.get(lower).copied()
    }

    /// Whether no word has a cluster.
    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }

    /// Words with a cluster.
    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// Every word with its cluster, sorted (what a model file stores).
    pub fn entries(&self) -> BTreeMap<String, u16> {
        self.of.iter().map(|(w, c)| (w.clone(), *c)).collect()
    }

    /// Clusters from stored entries.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, u16)>) -> Self {
        Self {
            of: entries.into_iter().collect(),
        }
    }
}

/// Spherical k-means over unit-length sparse vectors of `dims` dimensions: each vector
/// goes to the centroid it is most similar to (dot product), each centroid becomes its
/// members' normalised mean; stops when nothing moves or after `rounds`. Starts from `k`
/// vectors evenly spread over the input order. Returns each vector's cluster.
fn spherical_kmeans(
    vectors: &[Vec<(u32, f32)>],
    dims: usize,
    k: usize,
    rounds: usize,
) -> Vec<usize> {
    let step = (vectors.len() / k.max(1)).max(1);
    let mut centroids: Vec<Vec<f32>> = (0..k)
        .map(|c| {
            let mut dense = vec![0.0f32; dims];
            for &(d, x) in vectors.get(c * step).into_iter().flatten() {
                if let Some(cell) = dense.get_mut(d as usize) {
                    *cell = x;
                }
            }
            dense
        })
        .collect();
    let mut assignment = vec![usize::MAX; vectors.len()];
    for _ in 0..rounds.max(1) {
        let mut moved = false;
        for (vector, assigned) in vectors.iter().zip(assignment.iter_mut()) {
            let mut best = (0usize, f32::NEG_INFINITY);
            for (c, centroid) in centroids.iter().enumerate() {
                let similarity: f32 = vector
                    .iter()
                    .map(|&(d, x)| x * centroid.get(d as usize).copied().unwrap_or(0.0))
                    .sum();
                if similarity > best.1 {
                    best = (c, similarity);
                }
            }
            if *assigned != best.0 {
                *assigned = best.0;
                moved = true;
            }
        }
        if !moved {
            break;
        }
        let mut sums = vec![vec![0.0f32; dims]; k];
        for (vector, &c) in vectors.iter().zip(&assignment) {
            if let Some(sum) = sums.get_mut(c) {
                for &(d, x) in vector {
                    if let Some(cell) = sum.get_mut(d as usize) {
                        *cell += x;
                    }
                }
            }
        }
        for (centroid, sum) in centroids.iter_mut().zip(sums) {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            // An empty cluster keeps its centroid.
            if norm > 0.0 {
                *centroid = sum.into_iter().map(|x| x / norm).collect();
            }
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_the_same_places_share_a_cluster() {
        let places = [
            "amsterdam",
            "utrecht",
            "zwolle",
            "delft",
            "leiden",
            "arnhem",
        ];
        let verbs = ["zegt", "vindt", "denkt", "meldt", "schrijft", "weet"];
        let mut text: Vec<Vec<&str>> = Vec::new();
        for round in 0..4 {
            for (i, place) in places.iter().enumerate() {
                let verb = verbs[(i + round) % verbs.len()];
                text.push(vec![
                    "hij", "woont", "in", place, ",", "en", "hij", verb, "dat", "het", "kan", ".",
                ]);
                text.push(vec![
                    "wie", "in", place, "woont", ",", "die", verb, "het", ".",
                ]);
            }
        }
        let options = ClusterOptions {
            clusters: 4,
            min_count: 2,
            context_words: 20,
            ..ClusterOptions::default()
        };
        let clusters = WordClusters::learn(&text, &options);
        let of = |w: &str| clusters.get(w).expect(w);
        for place in places {
            assert_eq!(of(place), of("amsterdam"), "{place}");
        }
        for verb in verbs {
            assert_eq!(of(verb), of("zegt"), "{verb}");
        }
        assert_ne!(of("amsterdam"), of("zegt"));
        assert_eq!(clusters.get("onbekend"), None);
        // Learned again: the same clusters (no dependence on hashing).
        assert_eq!(WordClusters::learn(&text, &options), clusters);
        assert_eq!(WordClusters::from_entries(clusters.entries()), clusters);
    }

    #[test]
    fn no_text_no_clusters() {
        let none: Vec<Vec<&str>> = Vec::new();
        assert!(WordClusters::learn(&none, &ClusterOptions::default()).is_empty());
    }
}
