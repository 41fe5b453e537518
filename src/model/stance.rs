//! Stance helpers: the targets a stance can point at, and the suggested holder of a quote
//! (the nearest person or organisation in the same sentence or the one next to it, as in
//! "…, zegt Stamsnijder").

use super::annotation::{AnnotationId, AnnotationKind};
use super::document::DocId;
use super::project::Project;
use super::span::Span;
use std::collections::BTreeSet;
use unicode_segmentation::UnicodeSegmentation;

/// Labels whose annotations can hold a stance when suggesting one.
pub const HOLDER_LABELS: [&str; 2] = ["PER", "ORG"];

/// Every name a stance target can be picked from: canonical entities, targets in the
/// schema, and targets of existing stances; sorted, without duplicates.
pub fn target_choices(project: &Project) -> Vec<String> {
    let mut names: BTreeSet<String> = project
        .canonical_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    names.extend(project.schema().targets.iter().cloned());
    for ann in project.annotations().values() {
        if let AnnotationKind::Stance { target, .. } = ann.kind() {
            names.insert(target.to_string());
        }
    }
    names.into_iter().collect()
}

/// Choices matching what the user typed: those that start with it first, then those that
/// contain it (case-insensitive), at most `limit`.
pub fn matching_choices(choices: &[String], typed: &str, limit: usize) -> Vec<String> {
    let needle = typed.trim().to_lowercase();
    let (mut starts, mut contains): (Vec<&String>, Vec<&String>) = (Vec::new(), Vec::new());
    for c in choices {
        let lower = c.to_lowercase();
        if lower.starts_with(&needle) {
            starts.push(c);
        } else if lower.contains(&needle) {
            contains.push(c);
        }
    }
    starts
        .into_iter()
        .chain(contains)
        .take(limit)
        .cloned()
        .collect()
}

/// Sentence ranges (char offsets) of a text.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut chars = 0;
    for s in text.split_sentence_bounds() {
        let n = s.chars().count();
        out.push((chars, chars + n));
        chars += n;
    }
    out
}

/// The suggested holder of a stance on `span`: the nearest PER or ORG entity outside the
/// span, in the sentence of the span or the sentence right before or after it.
pub fn suggest_holder(project: &Project, doc: &DocId, span: Span) -> Option<AnnotationId> {
    let text = project.document(doc)?.text();
    let sents = sentences(text.as_str());
    let first = sents
        .iter()
        .position(|(s, e)| *s <= span.start().0 && span.start().0 < *e)?;
    let last = sents
        .iter()
        .position(|(s, e)| *s < span.end().0 && span.end().0 <= *e)
        .unwrap_or(first);
    let lo = sents[first.saturating_sub(1)].0;
    let hi = sents[(last + 1).min(sents.len() - 1)].1;
    let in_sentence = |pos: usize| sents[first].0 <= pos && pos < sents[last].1;
    project
        .annotations_of(doc)
        .into_iter()
        .filter(|a| a.label().is_some_and(|l| HOLDER_LABELS.contains(&l)))
        .filter_map(|a| {
            let s = *a.spans().first()?;
            if s.overlaps(&span) || s.start().0 < lo || s.end().0 > hi {
                return None;
            }
            let distance = if s.end() <= span.start() {
                span.start().0 - s.end().0
            } else {
                s.start().0.saturating_sub(span.end().0)
            };
            // The same sentence beats the neighbouring one.
            let penalty = if in_sentence(s.start().0) { 0 } else { 10_000 };
            Some((penalty + distance, a.id()))
        })
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, Document, Edit, apply};

    /// Builds a project from span notation: `[text]LABEL` marks an entity.
    fn project(marked: &str) -> (Project, DocId, Vec<(String, AnnotationId)>) {
        let mut text = String::new();
        let mut entities = Vec::new();
        let mut rest = marked;
        while let Some(open) = rest.find('[') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find(']').map(|i| open + i).expect("]");
            let start = text.chars().count();
            text.push_str(&rest[open + 1..close]);
            let end = text.chars().count();
            let label_len = rest[close + 1..]
                .find(|c: char| !c.is_ascii_uppercase())
                .unwrap_or(rest.len() - close - 1);
            let label = &rest[close + 1..close + 1 + label_len];
            entities.push((start, end, label.to_owned()));
            rest = &rest[close + 1 + label_len..];
        }
        text.push_str(rest);
        let id = DocId("d".into());
        let doc = Document::from_raw(id.clone(), &text);
        let mut p =
            Project::new(crate::model::schema::builtin_schema(), vec![doc]).expect("project");
        let doc_text = p.document(&id).expect("doc").text().clone();
        let mut ids = Vec::new();
        for (s, e, label) in entities {
            let span = Span::new(s, e, &doc_text).expect("span");
            let entity = Annotation::entity(AnnotationId::NEW, span, &label);
            let entity = p.with_new_id(&id, entity);
            let aid = entity.id();
            apply(&mut p, Edit::AddAnnotation(id.clone(), entity)).expect("add");
            ids.push((doc_text.slice(span.start(), span.end()).to_owned(), aid));
        }
        (p, id, ids)
    }

    fn holder_of(marked: &str, quote: &str) -> Option<String> {
        let (p, doc, ids) = project(marked);
        let text = p.document(&doc).expect("doc").text().clone();
        let byte = text.as_str().find(quote).expect("quote");
        let start = text.as_str()[..byte].chars().count();
        let span = Span::new(start, start + quote.chars().count(), &text).expect("span");
        let id = suggest_holder(&p, &doc, span)?;
        ids.into_iter().find(|(_, i)| *i == id).map(|(t, _)| t)
    }

    #[test]
    fn suggests_the_nearest_person_or_organisation() {
        let cases = [
            (
                "\"Zijn reactie is too little too late\", zegt [Stamsnijder]PER over [Zuckerberg]PER.",
                "Zijn reactie is too little too late",
                Some("Stamsnijder"),
            ),
            (
                "[Cambridge Analytica]ORG is stellig. \"Ons werk is volkomen legaal.\" Dat zegt het bedrijf.",
                "Ons werk is volkomen legaal.",
                Some("Cambridge Analytica"),
            ),
            (
                "In [2016]DATE ging het mis. Het was onbeduidend. Niemand sprak.",
                "onbeduidend",
                None,
            ),
            (
                "[Facebook]ORG zegt: \"het is onbeduidend\". Eerder sprak [Trump]PER. Later meer. Nog later [Mueller]PER.",
                "het is onbeduidend",
                Some("Facebook"),
            ),
        ];
        for (marked, quote, want) in cases {
            assert_eq!(holder_of(marked, quote).as_deref(), want, "{marked}");
        }
    }

    #[test]
    fn choices_match_prefix_first() {
        let choices: Vec<String> = [
            "Cambridge Analytica",
            "Facebook",
            "Mark Zuckerberg",
            "SCL Group",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(matching_choices(&choices, "fa", 5), ["Facebook"]);
        assert_eq!(matching_choices(&choices, "zuck", 5), ["Mark Zuckerberg"]);
        let c = matching_choices(&choices, "c", 5);
        assert_eq!(c.first().map(String::as_str), Some("Cambridge Analytica"));
        assert_eq!(c.len(), 4);
        assert_eq!(matching_choices(&choices, "", 2).len(), 2);
    }
}
