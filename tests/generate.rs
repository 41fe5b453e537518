//! The benchmark generator: deterministic, valid and as overlapping as real annotation.

use spantag::corpus::generate::{Spec, generate};
use spantag::io::project_file::{from_ron, to_ron};
use spantag::model::{AnnotationKind, Span};
use std::path::Path;

fn spec(seed: u64) -> Spec {
    Spec {
        documents: 12,
        words_per_document: 300,
        spans_per_document: 30,
        seed,
    }
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let a = to_ron(&generate(&spec(42)));
    let b = to_ron(&generate(&spec(42)));
    assert_eq!(a, b);
    assert_ne!(a, to_ron(&generate(&spec(43))));
    // The saved text loads back to the same project.
    let loaded = from_ron(&a, Path::new("gen.ron")).expect("generated project loads");
    assert_eq!(to_ron(&loaded), a);
}

#[test]
fn counts_spans_and_holders_are_valid() {
    let p = generate(&spec(7));
    assert_eq!(p.documents().len(), 12);
    assert_eq!(p.annotations().len(), 12 * 30);
    let mut stances = 0;
    for doc in p.documents() {
        let text = doc.text();
        let words = text.as_str().split_whitespace().count();
        assert!(words >= 300, "{}: {words} words", doc.id());
        for ann in p.annotations_of(doc.id()) {
            for span in ann.spans() {
                let again = Span::new(span.start().0, span.end().0, text).expect("inside text");
                let covered = again.text(text);
                assert_eq!(covered.trim(), covered, "no stray spaces: {covered:?}");
                assert!(!covered.is_empty());
            }
            if let AnnotationKind::Stance {
                holder: Some(h), ..
            } = ann.kind()
            {
                let holder = p.annotation(h.id()).expect("holder exists");
                assert_eq!(p.document_of(h.id()).map(|d| d.id()), Some(doc.id()));
                assert_eq!(holder.label(), Some("PER"));
            }
            stances += usize::from(!ann.kind().is_entity());
        }
    }
    assert!(
        stances >= 12 * 5,
        "about one span in five is a stance: {stances}"
    );
    assert!(
        p.documents().iter().any(|d| !d.text().as_str().is_ascii()),
        "some text beyond ASCII"
    );
}

#[test]
fn overlaps_and_nesting_are_present() {
    let p = generate(&spec(9));
    let (mut nested_entities, mut stance_over_entity) = (0, 0);
    for doc in p.documents() {
        let anns = p.annotations_of(doc.id());
        for a in &anns {
            for b in &anns {
                let (Some(sa), Some(sb)) = (a.spans().first(), b.spans().first()) else {
                    continue;
                };
                if a.id() == b.id() || !sa.encloses(sb) || sa == sb {
                    continue;
                }
                match (a.kind().is_entity(), b.kind().is_entity()) {
                    (true, true) => nested_entities += 1,
                    (false, true) => stance_over_entity += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(nested_entities > 0, "entities nested in entities");
    assert!(stance_over_entity > 0, "stances overlapping entities");
}
