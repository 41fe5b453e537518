//! `saves/example.ron`, the hand-annotated bundled corpus, as a fixture: it opens, its
//! offsets agree with its text, and the stance matrix counts what it holds.

use spantag::corpus::stats;
use spantag::io::project_file;
use spantag::model::snap::snap_to_words;
use spantag::model::{AnnotationKind, Project};
use std::path::Path;

fn example() -> Project {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    project_file::load(&path).expect("saves/example.ron opens")
}

#[test]
fn example_passes_check_and_covers_the_corpus() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    assert_eq!(
        project_file::check(&path).expect("parses"),
        Vec::<String>::new()
    );
    let p = example();
    assert_eq!(p.documents().len(), 5);
    let s = stats::compute(&p);
    for label in ["PER", "ORG", "LOC", "DATE", "QUANTITY"] {
        assert!(
            s.per_label.get(label).copied().unwrap_or(0) >= 5,
            "{label}: {:?}",
            s.per_label
        );
    }
    let with_holder = p
        .annotations()
        .values()
        .filter(|a| {
            matches!(
                a.kind(),
                AnnotationKind::Stance {
                    holder: Some(_),
                    ..
                }
            )
        })
        .count();
    assert!(
        with_holder >= 10,
        "at least ten stances with holders, got {with_holder}"
    );
}

#[test]
fn every_span_is_whole_words_and_persons_have_canonical_names() {
    let p = example();
    for (doc, ann) in p.annotations_with_documents() {
        for span in ann.spans() {
            let text = span.text(doc.text());
            assert_eq!(
                text.trim(),
                text,
                "{}: no edge whitespace in {text:?}",
                ann.id()
            );
            if ann.kind().is_entity() {
                let snapped = snap_to_words(doc.text(), span.start(), span.end());
                assert_eq!(
                    snapped,
                    Some((span.start(), span.end())),
                    "{} {:?} is not whole words in {}",
                    ann.id(),
                    text,
                    doc.id()
                );
            }
        }
        if let AnnotationKind::Entity { label, canonical } = ann.kind()
            && (label == "PER" || label == "ORG" || label == "LOC")
        {
            assert!(
                canonical.is_some(),
                "{} {label} without canonical name",
                ann.id()
            );
        }
    }
}

#[test]
fn stance_matrix_counts_the_example() {
    let p = example();
    let s = stats::compute(&p);
    let cell = |holder: &str, target: &str, polarity: &str| {
        s.stance
            .matrix
            .get(holder)
            .and_then(|row| row.get(target))
            .and_then(|c| c.get(polarity))
            .copied()
            .unwrap_or(0)
    };
    // Stamsnijder judges Zuckerberg's reaction, three times.
    assert_eq!(cell("Paul Stamsnijder", "Mark Zuckerberg", "AGAINST"), 3);
    // Cambridge Analytica calls its own work legal.
    assert_eq!(
        cell("Cambridge Analytica", "Cambridge Analytica", "FAVOR"),
        2
    );
    // Matrix cells plus document stances account for every stance.
    let in_matrix: usize = s
        .stance
        .matrix
        .values()
        .flat_map(|row| row.values())
        .flat_map(|c| c.values())
        .sum();
    let in_docs: usize = s
        .stance
        .document_stances
        .values()
        .flat_map(|c| c.values())
        .sum();
    assert_eq!(in_matrix + in_docs, s.stances);
    // Recount the matrix independently from the annotations.
    let mut recount = 0;
    for a in p.annotations().values() {
        if let AnnotationKind::Stance {
            holder: Some(h),
            target,
            polarity,
        } = a.kind()
            && !a.spans().is_empty()
            && stats::entity_name(&p, p.annotation(h.id()).expect("holder")) == "Paul Stamsnijder"
            && target == "Mark Zuckerberg"
            && polarity == "AGAINST"
        {
            recount += 1;
        }
    }
    assert_eq!(recount, 3);
}
