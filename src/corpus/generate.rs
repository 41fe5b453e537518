//! Large deterministic projects for benchmarks and stress tests: Dutch-like news text with
//! entity spans (some nested inside longer mentions) and stance spans over whole sentences
//! that overlap the entities inside them, each stance held by a person of its document.
//!
//! The same [`Spec`] always gives the same project, byte for byte once saved: the only
//! source of variety is a small SplitMix64 generator seeded from [`Spec::seed`], so no
//! random-number crate is needed and nothing depends on the platform or the clock.

use crate::model::{
    self, Anchor, Annotation, AnnotationKind, DocId, DocStatus, Document, Edit, Project, Span,
};
use std::collections::BTreeMap;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Number of documents.
    pub documents: usize,
    /// Words per document (an entity mention counts as one word, whatever its length).
    pub words_per_document: usize,
    /// Tagged spans per document: about four in five are entities, the rest stances.
    pub spans_per_document: usize,
    /// Seed of the generator: the same seed gives the same project.
    pub seed: u64,
}

/// SplitMix64: tiny, fast and good enough for test data (Steele, Lea & Flood 2014).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((self.next() >> 11) % n as u64) as usize
    }

    /// One element of a non-empty list.
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }

    /// `true` with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Everyday Dutch words, weighted towards short function words as real text is; a few carry
/// diacritics so offsets are exercised beyond ASCII.
const WORDS: &[&str] = &[
    "de",
    "het",
    "een",
    "en",
    "van",
    "in",
    "is",
    "op",
    "dat",
    "die",
    "te",
    "met",
    "voor",
    "niet",
    "zijn",
    "aan",
    "er",
    "ook",
    "om",
    "als",
    "maar",
    "bij",
    "nog",
    "door",
    "over",
    "naar",
    "uit",
    "werd",
    "wordt",
    "heeft",
    "hebben",
    "zou",
    "kan",
    "moet",
    "gaat",
    "volgens",
    "tegen",
    "na",
    "jaar",
    "bedrijf",
    "gegevens",
    "gebruikers",
    "miljoen",
    "politiek",
    "verkiezingen",
    "campagne",
    "onderzoek",
    "privacy",
    "advertenties",
    "platform",
    "schandaal",
    "toezichthouder",
    "boete",
    "verklaring",
    "topman",
    "medewerkers",
    "profielen",
    "data",
    "kiezers",
    "beïnvloeding",
    "parlement",
    "commissie",
    "regels",
    "wetgeving",
    "vragen",
    "antwoorden",
    "excuses",
    "sorry",
    "zegt",
    "zei",
    "meldt",
    "liet",
    "weten",
    "vindt",
    "erkent",
    "ontkent",
    "belooft",
    "twee",
    "drie",
    "vorige",
    "week",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "gisteren",
    "vandaag",
    "morgen",
    "nieuwe",
    "grote",
    "sociale",
    "media",
    "netwerk",
    "informatie",
    "één",
    "privé",
    "café",
    "geïnteresseerd",
    "reële",
    "overeenkomst",
    "miljard",
    "dollar",
    "euro",
    "aandeelhouders",
    "beurs",
    "koers",
    "daalde",
    "steeg",
    "procent",
    "hoorzitting",
    "senaat",
    "Europese",
    "Amerikaanse",
    "Britse",
    "Nederlandse",
    "journalisten",
    "klokkenluider",
    "app",
    "quiz",
    "persoonlijkheidstest",
    "vrienden",
    "toestemming",
    "misbruik",
    "vertrouwen",
    "‘fout’",
];

/// Entity mentions: label, surface text and canonical name.
const ENTITIES: &[(&str, &str, &str)] = &[
    ("PER", "Mark Zuckerberg", "Mark Zuckerberg"),
    ("PER", "Zuckerberg", "Mark Zuckerberg"),
    ("PER", "Alexander Nix", "Alexander Nix"),
    ("PER", "Christopher Wylie", "Christopher Wylie"),
    ("PER", "Sheryl Sandberg", "Sheryl Sandberg"),
    ("PER", "Aleksandr Kogan", "Aleksandr Kogan"),
    ("PER", "Elizabeth Denham", "Elizabeth Denham"),
    ("PER", "Damian Collins", "Damian Collins"),
    ("PER", "Donald Trump", "Donald Trump"),
    ("PER", "Steve Bannon", "Steve Bannon"),
    ("ORG", "Facebook", "Facebook"),
    ("ORG", "Cambridge Analytica", "Cambridge Analytica"),
    ("ORG", "SCL Group", "SCL Group"),
    ("ORG", "het ICO", "Information Commissioner's Office"),
    ("ORG", "de Europese Commissie", "Europese Commissie"),
    ("ORG", "het Amerikaanse Congres", "Congres"),
    ("ORG", "Instagram", "Instagram"),
    ("ORG", "WhatsApp", "WhatsApp"),
    ("LOC", "Londen", "Londen"),
    ("LOC", "Washington", "Washington"),
    ("LOC", "Brussel", "Brussel"),
    ("LOC", "Den Haag", "Den Haag"),
    ("LOC", "Menlo Park", "Menlo Park"),
    ("LOC", "Nederland", "Nederland"),
    ("DATE", "maart 2018", "2018-03"),
    ("DATE", "april 2018", "2018-04"),
    ("QUANTITY", "87 miljoen", "87 miljoen"),
    ("QUANTITY", "50 miljoen profielen", "50 miljoen profielen"),
    ("EVENT", "de Brexit-campagne", "Brexit-campagne"),
    (
        "EVENT",
        "de presidentsverkiezingen",
        "presidentsverkiezingen",
    ),
];

/// Stance targets (canonical entities or free targets) and polarities.
const TARGETS: &[&str] = &[
    "Facebook",
    "Cambridge Analytica",
    "Mark Zuckerberg",
    "privacywetgeving",
    "Europese Commissie",
    "microtargeting",
];
const POLARITIES: &[&str] = &["FAVOR", "AGAINST", "NEUTRAL", "NONE"];

/// One piece of a document being written: a plain word, or an entity mention.
enum Token {
    Word(&'static str),
    Mention(usize),
}

/// An entity mention placed in the text (char offsets), for spans and stance holders.
struct Placed {
    entity: usize,
    start: usize,
    end: usize,
    sentence: usize,
}

/// A document's text with its mentions and sentence ranges (char offsets).
struct Written {
    text: String,
    mentions: Vec<Placed>,
    sentences: Vec<(usize, usize)>,
}

/// Generates a project: `spec.documents` documents with ids `gen-00000`, `gen-00001`, …,
/// each with `spec.words_per_document` words and `spec.spans_per_document` tagged spans
/// (fewer only when a document has too few words to hold them).
pub fn generate(spec: &Spec) -> Project {
    let mut rng = Rng(spec.seed);
    let width = spec.documents.saturating_sub(1).to_string().len().max(5);
    let mut docs = Vec::with_capacity(spec.documents);
    let mut plans = Vec::with_capacity(spec.documents);
    for i in 0..spec.documents {
        let stances = stance_count(spec.spans_per_document, spec.words_per_document);
        let entity_spans = spec.spans_per_document.saturating_sub(stances);
        // About one entity span in ten is nested inside a longer mention of the same name.
        let nested = entity_spans / 10;
        let mentions = (entity_spans - nested).min(spec.words_per_document);
        let written = write_document(&mut rng, spec.words_per_document, mentions);
        let id = DocId::from(format!("gen-{i:0width$}"));
        let mut meta = BTreeMap::new();
        meta.insert("date".to_owned(), format!("2018-{:02}", 1 + rng.below(12)));
        meta.insert("source".to_owned(), "generated".to_owned());
        let title = Document::title_for(&written.text, id.as_str());
        docs.push(Document::new(id.clone(), title, meta, written.text.clone()));
        plans.push((id, written, nested, stances));
    }
    let schema = crate::io::project_file::default_schema();
    let Ok(mut project) = Project::new(schema, docs) else {
        // Ids are generated distinct; an empty project is the only other outcome.
        return empty_project();
    };
    let mut edits = Vec::new();
    for (id, written, nested, stances) in plans {
        annotate(
            &mut rng,
            &mut project,
            &mut edits,
            &id,
            &written,
            nested,
            stances,
        );
    }
    let mut schema = project.schema().clone();
    schema
        .targets
        .extend(TARGETS.iter().map(|t| (*t).to_owned()));
    edits.push(Edit::SetSchema(schema));
    for edit in edits {
        // Every generated edit is valid by construction; a failure would be a bug here,
        // and skipping the edit keeps the project consistent.
        let _ = model::apply(&mut project, edit);
    }
    project
}

fn empty_project() -> Project {
    Project::empty(crate::io::project_file::default_schema())
}

/// How many of a document's spans are stances: one in five, at least one when there is
/// room for a holder too.
fn stance_count(spans: usize, words: usize) -> usize {
    if spans < 2 || words < 4 {
        return 0;
    }
    (spans / 5).max(1).min(words / 4)
}

/// Writes one document of `words` tokens, `mentions` of them entity mentions, cut into
/// sentences of 6–20 tokens and paragraphs of 3–6 sentences.
fn write_document(rng: &mut Rng, words: usize, mentions: usize) -> Written {
    let mut tokens: Vec<Token> = (0..words)
        .map(|_| Token::Word(WORDS[rng.below(WORDS.len())]))
        .collect();
    // Spread the mentions evenly with jitter, so every part of the text has tags.
    if mentions > 0 {
        let stride = words as f64 / mentions as f64;
        for m in 0..mentions {
            let base = (m as f64 * stride) as usize;
            let jitter = rng.below((stride as usize).max(1));
            let mut at = (base + jitter).min(words - 1);
            // A taken slot moves on to the next free word (there is always one, as
            // `mentions <= words`).
            while matches!(tokens[at], Token::Mention(_)) {
                at = (at + 1) % words;
            }
            tokens[at] = Token::Mention(rng.below(ENTITIES.len()));
        }
    }
    let mut text = String::with_capacity(words * 7);
    let mut chars = 0;
    let mut mentions_out = Vec::new();
    let mut sentences = Vec::new();
    let mut sentence_start = 0;
    let mut left_in_sentence = 6 + rng.below(15);
    let mut sentences_in_paragraph = 0;
    let mut paragraph_len = 3 + rng.below(4);
    let mut capitalise = true;
    for (i, token) in tokens.iter().enumerate() {
        let piece: &str = match token {
            Token::Word(w) => w,
            Token::Mention(e) => ENTITIES[*e].1,
        };
        let start = chars;
        if capitalise {
            let mut cs = piece.chars();
            if let Some(first) = cs.next() {
                for up in first.to_uppercase() {
                    text.push(up);
                    chars += 1;
                }
                text.push_str(cs.as_str());
                chars += cs.as_str().chars().count();
            }
            capitalise = false;
        } else {
            text.push_str(piece);
            chars += piece.chars().count();
        }
        if let Token::Mention(e) = token {
            mentions_out.push(Placed {
                entity: *e,
                start,
                end: chars,
                sentence: sentences.len(),
            });
        }
        left_in_sentence -= 1;
        let last = i + 1 == tokens.len();
        if left_in_sentence == 0 || last {
            text.push('.');
            chars += 1;
            sentences.push((sentence_start, chars));
            left_in_sentence = 6 + rng.below(15);
            capitalise = true;
            sentences_in_paragraph += 1;
            if last {
                text.push('\n');
                chars += 1;
            } else if sentences_in_paragraph == paragraph_len {
                text.push('\n');
                chars += 1;
                sentences_in_paragraph = 0;
                paragraph_len = 3 + rng.below(4);
            } else {
                text.push(' ');
                chars += 1;
            }
            sentence_start = chars;
        } else {
            text.push(' ');
            chars += 1;
        }
    }
    Written {
        text,
        mentions: mentions_out,
        sentences,
    }
}

/// Queues the annotations of one document: one entity per mention, nested entities for the
/// last word of some multi-word mentions, stances over sentences held by a person, and a
/// status.
fn annotate(
    rng: &mut Rng,
    project: &mut Project,
    edits: &mut Vec<Edit>,
    doc: &DocId,
    written: &Written,
    nested: usize,
    stances: usize,
) {
    let len = written.text.chars().count();
    let mut persons = Vec::new();
    for m in &written.mentions {
        let (label, _, canonical) = ENTITIES[m.entity];
        let Ok(span) = Span::within(m.start, m.end, len) else {
            continue;
        };
        let kind = AnnotationKind::Entity {
            label: label.into(),
            canonical: Some(canonical.into()),
        };
        let id = project.allocate_id_for(doc, &Anchor::span(span), &kind);
        if let Ok(ann) = Annotation::new(id, Anchor::span(span), kind) {
            edits.push(Edit::AddAnnotation(doc.clone(), ann));
        }
        if label == "PER" {
            persons.push((id, m.sentence));
        }
    }
    // Nested spans: the last word of a multi-word mention ("Zuckerberg" in "Mark
    // Zuckerberg"), tagged again — overlapping tags the view must draw in levels.
    let multi: Vec<&Placed> = written
        .mentions
        .iter()
        .filter(|m| ENTITIES[m.entity].1.contains(' '))
        .collect();
    for k in 0..nested.min(multi.len()) {
        let m = multi[(k * multi.len()) / nested.min(multi.len()).max(1)];
        let (label, surface, canonical) = ENTITIES[m.entity];
        let last_word = surface.rsplit(' ').next().unwrap_or(surface);
        let inner_len = last_word.chars().count();
        let Ok(span) = Span::within(m.end - inner_len, m.end, len) else {
            continue;
        };
        let inner_label = if label == "PER" { "PER" } else { "MISC" };
        let kind = AnnotationKind::Entity {
            label: inner_label.into(),
            canonical: Some(canonical.into()),
        };
        let id = project.allocate_id_for(doc, &Anchor::span(span), &kind);
        if let Ok(ann) = Annotation::new(id, Anchor::span(span), kind) {
            edits.push(Edit::AddAnnotation(doc.clone(), ann));
        }
    }
    // Stances: whole sentences, preferring those that mention someone (who becomes the
    // holder); spread over the document.
    let sentences = &written.sentences;
    for k in 0..stances.min(sentences.len()) {
        let s = (k * sentences.len()) / stances.min(sentences.len()).max(1);
        let (start, end) = sentences[s];
        let Ok(span) = Span::within(start, end, len) else {
            continue;
        };
        let holder = persons
            .iter()
            .find(|(_, sentence)| *sentence == s)
            .or_else(|| persons.get(rng.below(persons.len())))
            .map(|(id, _)| *id)
            .filter(|_| rng.chance(85));
        let kind = AnnotationKind::Stance {
            target: (*rng.pick(TARGETS)).into(),
            polarity: (*rng.pick(POLARITIES)).into(),
            holder: holder.and_then(crate::model::HolderId::new),
        };
        let id = project.allocate_id_for(doc, &Anchor::span(span), &kind);
        if let Ok(mut ann) = Annotation::new(id, Anchor::span(span), kind) {
            if rng.chance(10) {
                ann.set_note(Some("citaat uit persbericht".into()));
            }
            edits.push(Edit::AddAnnotation(doc.clone(), ann));
        }
    }
    let status = match rng.below(3) {
        0 => DocStatus::NotStarted,
        1 => DocStatus::InProgress,
        _ => DocStatus::Done,
    };
    if status != DocStatus::NotStarted {
        edits.push(Edit::SetStatus {
            doc: doc.clone(),
            status,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_spec_has_the_asked_counts() {
        let p = generate(&Spec {
            documents: 3,
            words_per_document: 200,
            spans_per_document: 20,
            seed: 7,
        });
        assert_eq!(p.documents().len(), 3);
        for d in p.documents() {
            assert_eq!(p.annotation_count(d.id()), 20, "{}", d.id());
        }
    }
}
