//! An offline entity recommender learned from the project's own tags.
//!
//! A linear-chain CRF ([`model`], the `crfs` crate) learns BIO labels over the project's
//! tokens ([`tokens`]) from features that suit news NER plus the project's canonical names
//! ([`features`]); [`file`] keeps a trained model in a versioned file. This module puts
//! them together over a whole project: which documents to learn from, predictions for every
//! document (in parallel) with their confidences, the least sure sentences first, the edit
//! that adds predictions to a project, and a cross-validated F1 for the status line.
//!
//! Pure functions over a [`Project`]; only [`file`] touches the disk. Nothing is fetched:
//! a model comes from the project alone.

pub mod clusters;
pub mod features;
pub mod file;
pub mod model;
pub mod tokens;

pub use model::{
    DocumentChoice, LearnError, Recommender, Summary, TrainOptions, TrainingSet,
    recent_training_set, train, training_set,
};

use crate::corpus::agree::Prf;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Edit, Project,
    RejectedSuggestion, Span,
};
use features::ProjectContext;
use std::collections::BTreeSet;

/// The attribute that marks a predicted entity in a project; its value is the confidence
/// with two decimals (`"0.87"`).
pub const PREDICTED_ATTRIBUTE: &str = "predicted";

/// An entity the model proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Document.
    pub doc: DocId,
    /// Start (code points, inclusive).
    pub start: usize,
    /// End (code points, exclusive).
    pub end: usize,
    /// Entity label.
    pub label: String,
    /// The model's confidence, 0–1 (the lowest marginal of its tokens' labels).
    pub confidence: f64,
}

/// How sure the model is of one sentence: the lowest marginal of any of its tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceConfidence {
    /// Document.
    pub doc: DocId,
    /// First code point of the sentence's first token.
    pub start: usize,
    /// One past its last token.
    pub end: usize,
    /// 0–1; low is unsure.
    pub confidence: f64,
}

/// What the model finds in a project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    /// Entities, in document order and reading order.
    pub entities: Vec<Prediction>,
    /// Every sentence's confidence, in document and reading order.
    pub sentences: Vec<SentenceConfidence>,
}

impl Predictions {
    /// Sentences from the least sure to the surest (ties in reading order).
    pub fn least_sure_first(&self) -> Vec<&SentenceConfidence> {
        let mut sorted: Vec<&SentenceConfidence> = self.sentences.iter().collect();
        sorted.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
        sorted
    }

    /// Each document's least sure sentence's confidence (1 for a document without text).
    pub fn document_confidence(&self, doc: &DocId) -> f64 {
        self.sentences
            .iter()
            .filter(|s| &s.doc == doc)
            .map(|s| s.confidence)
            .fold(1.0, f64::min)
    }
}

/// The labels a model knows that `project`'s schema lacks; a model with any is refused.
pub fn unknown_labels(recommender: &Recommender, project: &Project) -> Vec<String> {
    recommender
        .summary
        .labels
        .iter()
        .filter(|l| project.schema().entity_type(l).is_none())
        .cloned()
        .collect()
}

/// Tags every document of `project` (on every core), with the project's canonical names
/// added to the model's gazetteer and the project's own lexicon. The text is cut into
/// sentences and words once: the first pass (on every core) counts the lexicon and keeps
/// each document's word positions, the second tags from them.
pub fn predict(project: &Project, recommender: &Recommender) -> Result<Predictions, LearnError> {
    let documents = project.documents();
    let mut lexicon = features::Lexicon::default();
    let mut words: Vec<Option<DocumentWords>> = Vec::with_capacity(documents.len());
    let counted: Result<(), std::convert::Infallible> = crate::parallel::for_each_batch_in_order(
        documents,
        PREDICT_BATCH,
        |docs| {
            let mut part = features::Lexicon::default();
            let found: Vec<Option<DocumentWords>> = docs
                .iter()
                .map(|doc| {
                    let sentences = crate::formats::tokens::sentence_pieces(doc);
                    for sentence in &sentences {
                        part.add_words(sentence.iter().map(|(_, word)| *word));
                    }
                    DocumentWords::new(&sentences)
                })
                .collect();
            (part, found)
        },
        |(part, found)| {
            lexicon.merge(part);
            words.extend(found);
            Ok(())
        },
    );
    let Ok(()) = counted;
    let context = ProjectContext {
        gazetteer: features::Gazetteer::new(project.canonical_names()),
        lexicon,
        clusters: clusters::WordClusters::default(),
    };
    let workers = crate::parallel::workers_for(documents.len());
    let chunk = documents.len().div_ceil(workers).max(1);
    let parts: Vec<Result<Predictions, LearnError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = documents
            .chunks(chunk)
            .zip(words.chunks(chunk))
            .map(|(docs, words)| {
                let context = &context;
                scope.spawn(move || {
                    let tagger = recommender.tagger(context)?;
                    let mut out = Predictions::default();
                    for (doc, words) in docs.iter().zip(words) {
                        let sentences = match words {
                            Some(words) => words.sentences(doc),
                            None => tokens::sentences(doc),
                        };
                        tag_document(doc, sentences, &tagger, &mut out)?;
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(LearnError::Crf(std::io::Error::other(
                        "a prediction thread stopped",
                    )))
                })
            })
            .collect()
    });
    let mut all = Predictions::default();
    for part in parts {
        let part = part?;
        all.entities.extend(part.entities);
        all.sentences.extend(part.sentences);
    }
    Ok(all)
}

/// Documents per batch of [`predict`]'s first pass.
const PREDICT_BATCH: usize = 32;

/// Where a document's words are, between [`predict`]'s two passes: 8 bytes a word.
struct DocumentWords {
    /// Each word's byte offset and length in the text.
    words: Vec<(u32, u32)>,
    /// Where each sentence ends in `words`.
    sentence_ends: Vec<u32>,
}

impl DocumentWords {
    /// The words of a document's sentences (as [`crate::formats::tokens::sentence_pieces`]
    /// gives them); `None` for a text beyond 4 GiB, which is cut again instead.
    fn new(sentences: &[Vec<(usize, &str)>]) -> Option<Self> {
        let mut words = Vec::with_capacity(sentences.iter().map(Vec::len).sum());
        let mut sentence_ends = Vec::with_capacity(sentences.len());
        for sentence in sentences {
            for (byte, word) in sentence {
                words.push((u32::try_from(*byte).ok()?, u32::try_from(word.len()).ok()?));
            }
            sentence_ends.push(u32::try_from(words.len()).ok()?);
        }
        Some(Self {
            words,
            sentence_ends,
        })
    }

    /// The document's sentences of tokens, as [`tokens::sentences`] gives them: code-point
    /// offsets counted forward from word to word.
    fn sentences(&self, doc: &Document) -> Vec<Vec<crate::formats::tokens::Token>> {
        let text = doc.text().as_str();
        let (mut byte_at, mut char_at) = (0usize, 0usize);
        let mut sentences = Vec::with_capacity(self.sentence_ends.len());
        let mut from = 0usize;
        for &end in &self.sentence_ends {
            let end = end as usize;
            let mut tokens = Vec::with_capacity(end.saturating_sub(from));
            for &(byte, len) in self.words.get(from..end).unwrap_or(&[]) {
                let (byte, len) = (byte as usize, len as usize);
                let Some(word) = text.get(byte..byte + len) else {
                    continue;
                };
                char_at += text.get(byte_at..byte).map_or(0, |gap| gap.chars().count());
                let chars = word.chars().count();
                tokens.push(crate::formats::tokens::Token {
                    start: char_at,
                    end: char_at + chars,
                    text: word.to_owned(),
                });
                char_at += chars;
                byte_at = byte + len;
            }
            if !tokens.is_empty() {
                sentences.push(tokens);
            }
            from = end;
        }
        sentences
    }
}

/// Tags one document's sentences into `out`.
fn tag_document(
    doc: &Document,
    sentences: Vec<Vec<crate::formats::tokens::Token>>,
    tagger: &model::SentenceTagger<'_>,
    out: &mut Predictions,
) -> Result<(), LearnError> {
    for sentence in sentences {
        let (Some(first), Some(last)) = (sentence.first(), sentence.last()) else {
            continue;
        };
        let tagged = tagger.tag(&sentence)?;
        out.sentences.push(SentenceConfidence {
            doc: doc.id().clone(),
            start: first.start,
            end: last.end,
            confidence: tagged.confidence,
        });
        out.entities.extend(
            tagged
                .entities
                .into_iter()
                .map(|(span, confidence)| Prediction {
                    doc: doc.id().clone(),
                    start: span.start,
                    end: span.end,
                    label: span.label,
                    confidence,
                }),
        );
    }
    Ok(())
}

/// Tags the given documents on this thread (cutting each into sentences on its own).
pub fn predict_documents(
    documents: &[Document],
    recommender: &Recommender,
    context: &ProjectContext,
) -> Result<Predictions, LearnError> {
    let tagger = recommender.tagger(context)?;
    let mut out = Predictions::default();
    for doc in documents {
        tag_document(doc, tokens::sentences(doc), &tagger, &mut out)?;
    }
    Ok(out)
}

/// Whether a prediction is still worth showing in `project`: it overlaps no entity tag and
/// was not rejected with that label.
pub fn is_open(project: &Project, prediction: &Prediction) -> bool {
    let rejected = project
        .rejected_suggestions()
        .contains(&prediction.rejection());
    !rejected
        && !project.annotations_of(&prediction.doc).iter().any(|a| {
            a.kind().is_entity()
                && a.spans()
                    .iter()
                    .any(|s| s.start().0 < prediction.end && prediction.start < s.end().0)
        })
}

impl Prediction {
    /// The rejection that hides this prediction (and teaches the model at the next
    /// training).
    pub fn rejection(&self) -> RejectedSuggestion {
        RejectedSuggestion {
            doc: self.doc.clone(),
            start: self.start,
            end: self.end,
            label: self.label.clone(),
        }
    }

    /// The entity annotation it proposes, marked [`PREDICTED_ATTRIBUTE`] when `marked`.
    pub fn annotation(&self, project: &mut Project, marked: bool) -> Option<Annotation> {
        let text = project.document(&self.doc)?.text().clone();
        let span = Span::new(self.start, self.end, &text).ok()?;
        let annotation = Annotation::new(
            AnnotationId::NEW,
            Anchor::span(span),
            AnnotationKind::Entity {
                label: self.label.as_str().into(),
                canonical: None,
            },
        )
        .ok()?;
        let mut annotation = project.with_new_id(&self.doc, annotation);
        if marked {
            annotation.insert_attribute(
                PREDICTED_ATTRIBUTE.to_owned(),
                format!("{:.2}", self.confidence),
            );
        }
        Some(annotation)
    }
}

/// One edit adding the open predictions to `project` as entities marked predicted (ids
/// are allocated from `project`). Predictions overlapping each other keep the first.
pub fn prediction_edit(project: &mut Project, predictions: &[Prediction]) -> Edit {
    let mut edits = Vec::new();
    let mut taken: BTreeSet<(DocId, usize, usize)> = BTreeSet::new();
    for prediction in predictions {
        if !is_open(project, prediction) {
            continue;
        }
        let clashes = taken
            .range((prediction.doc.clone(), 0, 0)..)
            .take_while(|(d, _, _)| d == &prediction.doc)
            .any(|(_, s, e)| *s < prediction.end && prediction.start < *e);
        if clashes {
            continue;
        }
        if let Some(annotation) = prediction.annotation(project, true) {
            taken.insert((prediction.doc.clone(), prediction.start, prediction.end));
            edits.push(Edit::AddAnnotation(prediction.doc.clone(), annotation));
        }
    }
    Edit::Batch(edits)
}

/// `project`'s documents and schema without any annotation (the base of
/// `predict --only-predictions`).
pub fn without_annotations(project: &Project) -> Result<Project, crate::model::ProjectError> {
    Project::new(project.schema().clone(), project.documents().to_vec())
}

/// Entity-level F1 (exact match, as CoNLL's `conlleval`) of `folds`-fold cross-validation
/// on `set`: sentence `i` is held out in fold `i % folds`. `None` when no fold had both
/// something to learn and something to test.
pub fn cross_validate(
    set: &TrainingSet,
    options: &TrainOptions,
    folds: usize,
) -> Result<Option<f64>, LearnError> {
    let folds = folds.max(2);
    let (mut gold, mut found, mut matched) = (0usize, 0usize, 0usize);
    let mut any = false;
    for fold in 0..folds {
        let mut train_part = TrainingSet {
            context: set.context.clone(),
            ..TrainingSet::default()
        };
        let mut test_part = Vec::new();
        for (i, (sentence, weight)) in set.sentences.iter().enumerate() {
            if i % folds == fold {
                test_part.push(sentence);
            } else {
                train_part.sentences.push((sentence.clone(), *weight));
            }
        }
        train_part.tags = train_part
            .sentences
            .iter()
            .flat_map(|(s, _)| &s.labels)
            .filter(|l| l.starts_with("B-"))
            .count();
        if train_part.tags == 0 || test_part.is_empty() {
            continue;
        }
        any = true;
        let recommender = train(&train_part, options)?;
        let tagger = recommender.tagger(&set.context)?;
        for sentence in test_part {
            let expected: BTreeSet<_> = tokens::spans_from_bio(&sentence.tokens, &sentence.labels)
                .into_iter()
                .collect();
            let tagged = tagger.tag(&sentence.tokens)?;
            gold += expected.len();
            found += tagged.entities.len();
            matched += tagged
                .entities
                .iter()
                .filter(|(span, _)| expected.contains(span))
                .count();
        }
    }
    if !any {
        return Ok(None);
    }
    // F1 is undefined only when neither side has an entity: nothing was missed.
    Ok(Some(Prf::new(gold, found, matched).f1.unwrap_or(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CharOffset, DocStatus, apply, schema::builtin_schema};
    use std::collections::BTreeMap;

    /// A project from texts in the span notation `[Rutte]PER zegt …`.
    fn project(texts: &[&str]) -> Project {
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, marked)| {
                let plain: String = strip(marked);
                Document::new(
                    DocId(format!("d{i}").into()),
                    String::new(),
                    BTreeMap::new(),
                    plain,
                )
            })
            .collect();
        let mut project = Project::new(builtin_schema(), docs).expect("project");
        let mut edits = Vec::new();
        for (i, marked) in texts.iter().enumerate() {
            let doc = DocId(format!("d{i}").into());
            for (start, end, label) in marks(marked) {
                let text = project.document(&doc).expect("doc").text().clone();
                let span = Span::new(start, end, &text).expect("span");
                let ann = Annotation::entity(AnnotationId::NEW, span, &label);
                edits.push(Edit::AddAnnotation(
                    doc.clone(),
                    project.with_new_id(&doc, ann),
                ));
            }
        }
        apply(&mut project, Edit::Batch(edits)).expect("tags");
        project
    }

    fn strip(marked: &str) -> String {
        let mut out = String::new();
        let mut chars = marked.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '[' => {}
                ']' => {
                    while chars.peek().is_some_and(char::is_ascii_uppercase) {
                        chars.next();
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn marks(marked: &str) -> Vec<(usize, usize, String)> {
        let mut spans = Vec::new();
        let mut open = Vec::new();
        let mut at = 0;
        let mut chars = marked.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '[' => open.push(at),
                ']' => {
                    let mut label = String::new();
                    while let Some(l) = chars.next_if(char::is_ascii_uppercase) {
                        label.push(l);
                    }
                    spans.push((open.pop().expect("balanced"), at, label));
                }
                _ => at += 1,
            }
        }
        spans
    }

    /// Dutch news-like sentences: persons before "zegt"/"vindt", places after "in".
    fn news() -> Vec<String> {
        let persons = [
            "Mark Rutte",
            "Sigrid Kaag",
            "Geert Wilders",
            "Wopke Hoekstra",
            "Jesse Klaver",
            "Lilian Marijnissen",
            "Pieter Omtzigt",
            "Hugo de Jonge",
            "Kajsa Ollongren",
        ];
        let places = [
            "Den Haag",
            "Utrecht",
            "Rotterdam",
            "Groningen",
            "Maastricht",
            "Zwolle",
            "Arnhem",
            "Leiden",
            "Delft",
        ];
        let mut texts = Vec::new();
        for (i, person) in persons.iter().enumerate() {
            let place = places[(i * 4) % places.len()];
            texts.push(format!(
                "Gisteren zegt [{person}]PER in [{place}]LOC dat het kabinet moet praten. \
                 Volgens [{person}]PER is de zaak nog niet rond. \
                 Een woordvoerder in [{place}]LOC wil niets kwijt."
            ));
        }
        texts
    }

    fn trained(texts: &[String]) -> (Project, Recommender) {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let project = project(&refs);
        let set = training_set(&project, DocumentChoice::Tagged);
        let options = TrainOptions {
            iterations: 60,
            ..TrainOptions::default()
        };
        let recommender = train(&set, &options).expect("train");
        (project, recommender)
    }

    #[test]
    fn a_model_learned_from_a_few_tags_finds_a_name_it_never_saw() {
        let (_, recommender) = trained(&news());
        let unseen =
            project(&["Gisteren zegt Femke Halsema in Amsterdam dat het kabinet moet praten."]);
        let predictions = predict(&unseen, &recommender).expect("predict");
        let found: Vec<(String, &str)> = predictions
            .entities
            .iter()
            .map(|p| {
                let text = unseen.documents()[0].text();
                (
                    text.slice(CharOffset(p.start), CharOffset(p.end))
                        .to_owned(),
                    p.label.as_str(),
                )
            })
            .collect();
        assert!(
            found.contains(&("Femke Halsema".to_owned(), "PER")),
            "found {found:?}"
        );
        assert!(
            found.contains(&("Amsterdam".to_owned(), "LOC")),
            "found {found:?}"
        );
        for p in &predictions.entities {
            assert!((0.0..=1.0).contains(&p.confidence), "{p:?}");
        }
        assert_eq!(predictions.sentences.len(), 1);
    }

    #[test]
    fn the_word_cache_scores_as_every_feature_looked_up_by_name() {
        let (_, recommender) = trained(&news());
        // Sentence starts with and without a capital, capitals, digits, hyphens, names of
        // the gazetteer at the start, middle and end, one-word sentences, repeated words
        // (the cache's second sight), and words the model never saw.
        let other = project(&[
            "Gisteren zegt [Femke Halsema]PER in Amsterdam dat het CDA-kabinet 12 keer moet \
             praten met Mark Rutte.",
            "in Utrecht vindt Jan de Vries dat Groningen niets kwijt wil. Volgens Rutte niet. \
             Rutte. NOS-VERSLAGGEVER 3-0 zegt Mark Rutte. Femke Halsema",
            "Mark Rutte zegt in Den Haag: Den Haag, Den Haag en Den Haag.",
        ]);
        let mut names = other.clone();
        let text = names.documents()[0].text().clone();
        let span = Span::new(14, 27, &text).expect("span");
        let named = Annotation::new(
            AnnotationId::NEW,
            Anchor::span(span),
            AnnotationKind::Entity {
                label: "PER".into(),
                canonical: Some("Femke Halsema".into()),
            },
        )
        .expect("entity");
        let named = names.with_new_id(&DocId("d0".into()), named);
        apply(&mut names, Edit::AddAnnotation(DocId("d0".into()), named)).expect("named");
        let context = ProjectContext::of_project(&names);
        assert!(!context.gazetteer.is_empty());
        let tagger = recommender.tagger(&context).expect("tagger");
        let mut tokens_compared = 0;
        for _ in 0..2 {
            for doc in names.documents() {
                for sentence in tokens::sentences(doc) {
                    let cached = tagger.scores(&sentence);
                    let plain = tagger.uncached_scores(&sentence);
                    let bits = |scores: &[f64]| -> Vec<u64> {
                        scores.iter().map(|x| x.to_bits()).collect()
                    };
                    assert_eq!(bits(&cached), bits(&plain), "{sentence:?}");
                    tokens_compared += sentence.len();
                }
            }
        }
        assert!(tokens_compared > 100, "{tokens_compared}");
    }

    #[test]
    fn one_pass_over_the_text_predicts_as_cutting_each_document_on_its_own() {
        let (_, recommender) = trained(&news());
        let mut texts: Vec<String> = news();
        texts.push(
            "Émile Zola 😀 zegt in Den Haag: \u{202F}10\u{202F}000 keer ‘nee’. \
             Ĳsbrand van Dĳk woont in Zwolle.\n\nVolgens [Sigrid Kaag]PER niet."
                .to_owned(),
        );
        texts.push(String::new());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut project = project(&refs);
        // A document tokenised at whitespace, one sentence a line (CoNLL imports).
        let mut meta = BTreeMap::new();
        meta.insert(
            crate::formats::tokens::TOKENIZATION_KEY.to_owned(),
            crate::formats::tokens::WHITESPACE.to_owned(),
        );
        let conll = Document::new(
            DocId("conll".into()),
            String::new(),
            meta,
            "Mark Rutte zegt nee .\n\nIn  Zwolle ,  Femke Halsema ook .\n".to_owned(),
        );
        project = Project::new(
            project.schema().clone(),
            project.documents().iter().cloned().chain([conll]).collect(),
        )
        .expect("project");
        let one_pass = predict(&project, &recommender).expect("predict");
        let each = predict_documents(
            project.documents(),
            &recommender,
            &ProjectContext::of_project(&project),
        )
        .expect("predict each");
        assert_eq!(one_pass, each);
        assert!(
            one_pass.sentences.len() > 30,
            "{}",
            one_pass.sentences.len()
        );
        assert!(one_pass.entities.iter().any(|e| e.doc.as_str() == "conll"));
    }

    #[test]
    fn our_viterbi_tags_as_crfsuite_does() {
        // The reference is the C library that trained the model: its own tagger.
        let (_, recommender) = trained(&news());
        let model = crfsuite::Model::from_memory(recommender.crf_bytes()).expect("model");
        let mut reference = model.tagger().expect("CRFsuite tagger");
        let other = project(&[
            "Gisteren zegt Femke Halsema in Amsterdam dat het kabinet moet praten.",
            "In Utrecht vindt Jan de Vries dat Groningen niets kwijt wil. Volgens Rutte niet.",
        ]);
        // The model's own word clusters, as its tagger uses them.
        let context = ProjectContext {
            clusters: recommender.clusters().clone(),
            ..ProjectContext::of_project(&other)
        };
        assert!(!context.clusters.is_empty());
        let tagger = recommender.tagger(&context).expect("tagger");
        let mut compared = 0;
        for doc in other.documents() {
            for sentence in tokens::sentences(doc) {
                let features = features::sentence_features(&sentence, &context);
                let items: Vec<crfsuite::Item> = features
                    .iter()
                    .map(|token| {
                        token
                            .iter()
                            .map(|a| crfsuite::Attribute::new(a.name.clone(), a.value))
                            .collect()
                    })
                    .collect();
                let labels = reference.tag(&items).expect("CRFsuite tags");
                let expected: Vec<_> = tokens::spans_from_bio(&sentence, &labels);
                let ours: Vec<_> = tagger
                    .tag(&sentence)
                    .expect("tag")
                    .entities
                    .into_iter()
                    .map(|(span, _)| span)
                    .collect();
                assert_eq!(ours, expected);
                compared += expected.len();
            }
        }
        assert!(compared >= 2, "the sentences hold entities: {compared}");
    }

    #[test]
    fn the_training_set_follows_the_document_choice_and_rejections() {
        let mut texts = news();
        texts.push("Niemand in deze tekst heeft een naam, zegt Pietje.".to_owned());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut project = project(&refs);
        let tagged = training_set(&project, DocumentChoice::Tagged);
        assert_eq!(
            tagged.sentences.len(),
            27,
            "9 tagged documents of 3 sentences"
        );
        assert_eq!(tagged.tags, 36);
        assert_eq!(tagged.labels(), ["LOC", "PER"].map(String::from).into());
        assert_eq!(training_set(&project, DocumentChoice::Done).tags, 0);
        let first = project.documents()[0].id().clone();
        apply(
            &mut project,
            Edit::SetStatus {
                doc: first.clone(),
                status: DocStatus::Done,
            },
        )
        .expect("status");
        assert_eq!(training_set(&project, DocumentChoice::Done).tags, 4);
        // A rejection in an untagged document brings its sentence in, weighted.
        let last = project.documents()[9].id().clone();
        apply(
            &mut project,
            Edit::SetRejected(
                RejectedSuggestion {
                    doc: last,
                    start: 43,
                    end: 49,
                    label: "PER".into(),
                },
                true,
            ),
        )
        .expect("reject");
        let with_rejection = training_set(&project, DocumentChoice::Tagged);
        assert_eq!(with_rejection.rejections, 1);
        let (sentence, weight) = with_rejection.sentences.last().expect("sentence");
        assert_eq!(*weight, model::REJECTION_WEIGHT);
        assert!(sentence.labels.iter().all(|l| l == tokens::OUTSIDE));
    }

    #[test]
    fn a_capped_training_set_takes_the_most_recently_tagged_documents() {
        let texts = news();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut project = project(&refs);
        // The third document was tagged last, then the fifth.
        let recent = [
            project.documents()[2].id().clone(),
            project.documents()[4].id().clone(),
        ];
        let text = project.document(&recent[0]).expect("doc").text().clone();
        let span = Span::new(0, 8, &text).expect("span");
        let ann = Annotation::entity(AnnotationId::NEW, span, "MISC");
        let ann = project.with_new_id(&recent[0], ann);
        apply(&mut project, Edit::AddAnnotation(recent[0].clone(), ann)).expect("tag");
        let capped =
            |max_tokens| recent_training_set(&project, DocumentChoice::Tagged, max_tokens, &recent);
        let newest = capped(1).tokens();
        let two = capped(newest + 1).tokens();
        let cases: &[(usize, usize)] = &[
            (1, 1),
            (newest, 1),
            (newest + 1, 2),
            (two, 2),
            (two + 1, 3),
            (usize::MAX - 1, 9),
        ];
        for &(max_tokens, documents) in cases {
            assert_eq!(
                capped(max_tokens).sentences.len(),
                documents * 3,
                "{max_tokens}"
            );
        }
        // The most recent document comes first (the one tagged MISC), then the next
        // recent one, then the others in the project's order.
        assert!(capped(1).labels().contains("MISC"));
        let first_words = |set: &TrainingSet| -> Vec<String> {
            set.sentences
                .iter()
                .step_by(3)
                .map(|(s, _)| {
                    s.tokens.iter().map(|t| t.text.as_str()).collect::<Vec<_>>()[2..4].join(" ")
                })
                .collect()
        };
        let all = capped(usize::MAX - 1);
        assert_eq!(
            first_words(&all)[..4],
            ["Geert Wilders", "Jesse Klaver", "Mark Rutte", "Sigrid Kaag"]
        );
        assert_eq!(
            all.tags,
            training_set(&project, DocumentChoice::Tagged).tags
        );
    }

    #[test]
    fn clusters_of_a_project_read_at_most_the_words_asked() {
        let texts = news();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let project = project(&refs);
        let options = clusters::ClusterOptions {
            clusters: 5,
            min_count: 1,
            ..clusters::ClusterOptions::default()
        };
        let all = clusters::WordClusters::of_project(&project, &options);
        // Every person's name is in the text once or more.
        assert!(all.get("kaag").is_some() && all.get("ollongren").is_some());
        // One word asked: the first document is read whole, no more.
        let first = clusters::WordClusters::of_project(
            &project,
            &clusters::ClusterOptions {
                max_tokens: 1,
                ..options
            },
        );
        assert!(first.get("rutte").is_some(), "the first document's person");
        assert_eq!(first.get("ollongren"), None, "the last document's person");
        assert!(first.len() < all.len());
    }

    #[test]
    fn predictions_become_one_edit_that_skips_tags_and_rejections() {
        let (_, recommender) = trained(&news());
        let mut target = project(&[
            "Gisteren zegt [Femke Halsema]PER in Amsterdam dat het kabinet moet praten.",
        ]);
        let predictions = predict(&target, &recommender).expect("predict");
        assert!(predictions.entities.iter().any(|p| p.label == "PER"));
        let amsterdam = predictions
            .entities
            .iter()
            .find(|p| p.label == "LOC")
            .expect("Amsterdam predicted")
            .clone();
        let edit = prediction_edit(&mut target, &predictions.entities);
        let Edit::Batch(adds) = &edit else {
            panic!("one batch");
        };
        assert_eq!(adds.len(), 1, "Femke Halsema is already tagged: {adds:?}");
        apply(&mut target, edit).expect("apply");
        let added = target
            .annotations()
            .values()
            .find(|a| a.attributes().get(PREDICTED_ATTRIBUTE).is_some())
            .expect("predicted entity");
        assert_eq!(added.label(), Some("LOC"));
        // Rejected, it is no longer offered.
        let mut again =
            project(&["Gisteren zegt Femke Halsema in Amsterdam dat het kabinet moet praten."]);
        apply(&mut again, Edit::SetRejected(amsterdam.rejection(), true)).expect("reject");
        assert!(!is_open(&again, &amsterdam));
    }

    #[test]
    fn unknown_labels_are_those_missing_from_the_schema() {
        let (mut project, recommender) = trained(&news());
        assert!(unknown_labels(&recommender, &project).is_empty());
        let mut schema = project.schema().clone();
        schema.entity_types.retain(|t| t.name != "LOC");
        project = Project::new(schema, project.documents().to_vec()).expect("project");
        assert_eq!(unknown_labels(&recommender, &project), ["LOC"]);
    }

    #[test]
    fn cross_validation_gives_an_f1() {
        let texts = news();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let set = training_set(&project(&refs), DocumentChoice::Tagged);
        let options = TrainOptions {
            iterations: 40,
            ..TrainOptions::default()
        };
        let f1 = cross_validate(&set, &options, 3)
            .expect("cv")
            .expect("an f1");
        assert!((0.0..=1.0).contains(&f1), "{f1}");
        assert!(
            f1 > 0.5,
            "the held-out persons and places are mostly found: {f1}"
        );
    }

    #[test]
    fn model_file_round_trip_and_refusals() {
        let (_, recommender) = trained(&news());
        let path = std::path::Path::new("m.model");
        let bytes = file::to_bytes(&recommender).expect("bytes");
        let back = file::from_bytes(&bytes, path).expect("read back");
        assert_eq!(back.summary.labels, recommender.summary.labels);
        assert_eq!(back.crf_bytes(), recommender.crf_bytes());
        assert!(
            !recommender.clusters().is_empty(),
            "clusters of the project's words"
        );
        assert_eq!(back.clusters(), recommender.clusters());
        // A version 1 file (before the clusters: no such field) is still read.
        let without = recommender
            .clone()
            .with_clusters(clusters::WordClusters::default());
        let mut version_1 = file::to_bytes(&without).expect("bytes");
        let current = format!("version:{}", file::MODEL_FORMAT_VERSION);
        let at = version_1
            .windows(current.len())
            .position(|w| w == current.as_bytes())
            .expect("the header holds the version");
        version_1[at + current.len() - 1] = b'1';
        assert!(!version_1.windows(8).any(|w| w == b"clusters"));
        let old = file::from_bytes(&version_1, path).expect("version 1");
        assert_eq!(old.crf_bytes(), recommender.crf_bytes());
        assert!(old.clusters().is_empty());
        // Damaged: every cut and a flipped byte in the CRF.
        for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 1] {
            let e = file::from_bytes(&bytes[..cut], path).expect_err("cut");
            assert!(e.to_string().starts_with("m.model: "), "{e}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 10;
        flipped[last] ^= 0xff;
        let e = file::from_bytes(&flipped, path).expect_err("flipped");
        assert!(e.to_string().contains("damaged"), "{e}");
        // Newer.
        let text = String::from_utf8_lossy(&bytes).replacen(
            &format!("version:{}", file::MODEL_FORMAT_VERSION),
            "version:99",
            1,
        );
        let e = file::from_bytes(text.as_bytes(), path).expect_err("newer");
        assert!(
            matches!(e, file::ModelFileError::NewerVersion { found: 99, .. }),
            "{e}"
        );
    }
}
