//! Property tests: any sequence of edits undone gives back the start; redone gives the end;
//! any project survives save → load unchanged, and saving twice gives identical bytes;
//! removing a tag removes its relations, and one undo restores both; a three-way merge
//! takes one side's work whole when the other did nothing, and always gives a sound,
//! deterministic project.

use proptest::prelude::*;
use spantag::corpus::team::merge3::{merge_edit, merge3, merge3_rebuilt};
use spantag::io::project_file::{default_schema, from_ron, to_ron};
use spantag::model::edit::removal_edit;
use spantag::model::{
    Anchor, Annotation, AnnotationKind, DocId, DocStatus, Document, Edit, History, Project,
    Relation, RelationType, Rgb, Span,
};
use std::path::Path;

const TEXTS: [&str; 3] = [
    ",,We hebben onvoldoende gedaan'', zegt Mark Zuckerberg 😀 van Facebook.",
    "Cambridge Analytica maakte in 2014 de gegevens van 87 miljoen Facebook-gebruikers buit.",
    "Cafe\u{301} in Brussel\r\nen 338.300 Nederlanders.",
];
const LABELS: [&str; 4] = ["PER", "ORG", "LOC", "NEW_LABEL"];

fn project() -> Project {
    let docs = TEXTS
        .iter()
        .enumerate()
        .map(|(i, t)| Document::from_raw(DocId::from(format!("doc{i}")), t))
        .collect();
    let mut schema = default_schema();
    schema.relation_types = vec![
        RelationType {
            hotkey: Some('1'),
            from_labels: vec!["PER".into()],
            to_labels: vec!["ORG".into(), "LOC".into()],
            ..RelationType::any("Works_for", Rgb([0, 114, 178]))
        },
        RelationType {
            directed: false,
            ..RelationType::any("Alias", Rgb([213, 94, 0]))
        },
    ];
    Project::new(schema, docs).expect("project")
}

const RELATION_TYPES: [&str; 3] = ["Works_for", "Alias", "Unknown_type"];

#[derive(Debug, Clone)]
enum Op {
    Tag {
        doc: usize,
        start: usize,
        len: usize,
        label: usize,
    },
    Stance {
        doc: usize,
        start: usize,
        len: usize,
        holder: bool,
        polarity: usize,
    },
    DocStance {
        doc: usize,
        target: usize,
    },
    Remove(usize),
    Relabel(usize, usize),
    Status(usize, usize),
    Note(usize),
    /// Relate the k-th annotation to the one `offset` after it in its document.
    Relate(usize, usize, usize),
    /// Retype the k-th relation.
    Retype(usize, usize),
    /// Remove the k-th relation.
    Unrelate(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..90usize, 1..20usize, 0..4usize)
            .prop_map(|(doc, start, len, label)| Op::Tag { doc, start, len, label }),
        2 => (0..3usize, 0..90usize, 1..30usize, any::<bool>(), 0..4usize)
            .prop_map(|(doc, start, len, holder, polarity)| Op::Stance { doc, start, len, holder, polarity }),
        1 => (0..3usize, 0..3usize).prop_map(|(doc, target)| Op::DocStance { doc, target }),
        2 => (0..50usize).prop_map(Op::Remove),
        1 => (0..50usize, 0..4usize).prop_map(|(k, l)| Op::Relabel(k, l)),
        1 => (0..3usize, 0..3usize).prop_map(|(d, s)| Op::Status(d, s)),
        1 => (0..50usize).prop_map(Op::Note),
        3 => (0..50usize, 1..5usize, 0..3usize).prop_map(|(k, o, t)| Op::Relate(k, o, t)),
        1 => (0..50usize, 0..3usize).prop_map(|(k, t)| Op::Retype(k, t)),
        1 => (0..50usize).prop_map(Op::Unrelate),
    ]
}

/// Turns an op into an edit valid for the project's current state, if there is one.
fn edit_for(p: &mut Project, op: &Op) -> Option<Edit> {
    let doc_at = |p: &Project, d: usize| p.documents()[d % p.documents().len()].clone();
    let nth = |p: &Project, k: usize| {
        let all: Vec<Annotation> = p.annotations().values().cloned().collect();
        (!all.is_empty()).then(|| all[k % all.len()].clone())
    };
    match *op {
        Op::Tag {
            doc,
            start,
            len,
            label,
        } => {
            let d = doc_at(p, doc);
            let n = d.text().char_len();
            let start = start % n.max(1);
            let span = Span::new(start, (start + len).min(n), d.text()).ok()?;
            let tag = Annotation::entity(spantag::model::AnnotationId::NEW, span, LABELS[label]);
            let doc = d.id().clone();
            let tag = p.with_new_id(&doc, tag);
            Some(Edit::AddAnnotation(doc, tag))
        }
        Op::Stance {
            doc,
            start,
            len,
            holder,
            polarity,
        } => {
            let d = doc_at(p, doc);
            let n = d.text().char_len();
            let start = start % n.max(1);
            let span = Span::new(start, (start + len).min(n), d.text()).ok()?;
            let holder = if holder {
                p.annotations_of(d.id())
                    .iter()
                    .find(|a| a.kind().is_entity())
                    .map(|a| a.id())
            } else {
                None
            };
            let kind = AnnotationKind::Stance {
                target: "Facebook".into(),
                polarity: ["FAVOR", "AGAINST", "NEUTRAL", "NONE"][polarity].into(),
                holder: holder.and_then(spantag::model::HolderId::new),
            };
            let doc = d.id().clone();
            Annotation::new(spantag::model::AnnotationId::NEW, Anchor::span(span), kind)
                .ok()
                .map(|a| {
                    let a = p.with_new_id(&doc, a);
                    Edit::AddAnnotation(doc, a)
                })
        }
        Op::DocStance { doc, target } => {
            let d = doc_at(p, doc);
            let kind = AnnotationKind::Stance {
                target: ["Zuckerberg", "Cambridge Analytica", "Rusland"][target].into(),
                polarity: "AGAINST".into(),
                holder: None,
            };
            let doc = d.id().clone();
            Annotation::new(spantag::model::AnnotationId::NEW, Anchor::Document, kind)
                .ok()
                .map(|a| {
                    let a = p.with_new_id(&doc, a);
                    Edit::AddAnnotation(doc, a)
                })
        }
        Op::Remove(k) => nth(p, k).map(|a| removal_edit(p, a.id())),
        Op::Relabel(k, l) => {
            let a = nth(p, k)?;
            let canonical = match a.kind() {
                AnnotationKind::Entity { canonical, .. } => canonical.clone(),
                AnnotationKind::Stance { .. } => return None,
            };
            a.with_kind(AnnotationKind::Entity {
                label: LABELS[l].into(),
                canonical: canonical.or(Some("X".into())),
            })
            .ok()
            .map(Edit::ReplaceAnnotation)
        }
        Op::Status(d, s) => Some(Edit::SetStatus {
            doc: doc_at(p, d).id().clone(),
            status: [
                DocStatus::NotStarted,
                DocStatus::InProgress,
                DocStatus::Done,
            ][s],
        }),
        Op::Note(k) => {
            let mut a = nth(p, k)?;
            a.set_note(Some(format!("note \"{k}\"\nline 2").into()));
            Some(Edit::ReplaceAnnotation(a))
        }
        Op::Relate(k, offset, t) => {
            let from = nth(p, k)?;
            let from_doc = p.document_of(from.id())?.id();
            let same_doc: Vec<_> = p.annotation_ids_of(from_doc).collect();
            let at = same_doc.iter().position(|id| *id == from.id())?;
            let to = *same_doc.get((at + offset) % same_doc.len())?;
            Some(Edit::AddRelation(Relation {
                id: p.allocate_relation_id(RELATION_TYPES[t], from.id(), to),
                label: RELATION_TYPES[t].into(),
                from: from.id(),
                to,
            }))
        }
        Op::Retype(k, t) => {
            let all: Vec<Relation> = p.relations().values().cloned().collect();
            let old = all.get(k % all.len().max(1))?.clone();
            Some(Edit::Batch(vec![
                Edit::RemoveRelation(old.id),
                Edit::AddRelation(Relation {
                    label: RELATION_TYPES[t].into(),
                    ..old
                }),
            ]))
        }
        Op::Unrelate(k) => {
            let ids: Vec<_> = p.relations().keys().copied().collect();
            Some(Edit::RemoveRelation(*ids.get(k % ids.len().max(1))?))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn undoing_every_edit_gives_back_the_start(ops in prop::collection::vec(op(), 0..40)) {
        let start = project();
        let mut p = start.clone();
        let mut history = History::unsaved();
        let mut applied = 0;
        for op in &ops {
            if let Some(edit) = edit_for(&mut p, op)
                && history.apply(&mut p, edit, "op").is_ok()
            {
                applied += 1;
            }
        }
        let end = p.clone();
        for _ in 0..applied {
            prop_assert!(history.undo(&mut p).expect("undo applies"));
        }
        prop_assert!(!history.undo(&mut p).expect("nothing left"));
        prop_assert_eq!(&p, &start);
        for _ in 0..applied {
            prop_assert!(history.redo(&mut p).expect("redo applies"));
        }
        prop_assert_eq!(&p, &end);
    }

    #[test]
    fn save_load_round_trips_and_is_deterministic(ops in prop::collection::vec(op(), 0..40)) {
        let mut p = project();
        let mut history = History::unsaved();
        for op in &ops {
            if let Some(edit) = edit_for(&mut p, op) {
                let _ = history.apply(&mut p, edit, "op");
            }
        }
        let text = to_ron(&p);
        let loaded = from_ron(&text, Path::new("p.ron")).expect("loads");
        prop_assert_eq!(&loaded, &p);
        prop_assert_eq!(to_ron(&loaded), text);
    }

    #[test]
    fn three_way_merges_are_sound_deterministic_and_exact_when_one_side_is_idle(
        shared in prop::collection::vec(op(), 0..15),
        ours_ops in prop::collection::vec(op(), 0..20),
        theirs_ops in prop::collection::vec(op(), 0..20),
    ) {
        let apply_all = |p: &mut Project, ops: &[Op]| {
            let mut history = History::unsaved();
            for op in ops {
                if let Some(edit) = edit_for(p, op) {
                    let _ = history.apply(p, edit, "op");
                }
            }
        };
        let mut base = project();
        apply_all(&mut base, &shared);
        let (mut ours, mut theirs) = (base.clone(), base.clone());
        apply_all(&mut ours, &ours_ops);
        apply_all(&mut theirs, &theirs_ops);
        prop_assert_eq!(&merge3(&base, &ours, &base).expect("merge"), &ours);
        prop_assert_eq!(&merge3(&base, &base, &theirs).expect("merge"), &theirs);
        let merged = merge3(&base, &ours, &theirs).expect("merge");
        let text = to_ron(&merged);
        prop_assert_eq!(&from_ron(&text, Path::new("m.ron")).expect("sound"), &merged);
        prop_assert_eq!(to_ron(&merge3(&base, &ours, &theirs).expect("merge")), text);
        // Applying the merge's changes to ours gives what building it from scratch does.
        let rebuilt = merge3_rebuilt(&base, &ours, &theirs).expect("rebuilt");
        prop_assert_eq!(to_ron(&rebuilt), to_ron(&merged));
        let edit = merge_edit(&base, &ours, &theirs).expect("merge").expect("same documents");
        let mut changed = ours.clone();
        let undo = spantag::model::apply(&mut changed, edit).expect("the changes apply to ours");
        prop_assert_eq!(&changed, &rebuilt);
        spantag::model::apply(&mut changed, undo).expect("undo");
        prop_assert_eq!(&changed, &ours);
        // Whatever either side added is in the result (as itself or a conflict's side).
        for side in [&ours, &theirs] {
            for ann in side.annotations().values() {
                if base.annotation(ann.id()).is_none() {
                    prop_assert!(
                        merged.annotations().values().any(|m| m.anchor() == ann.anchor()
                            && m.kind().display_label() == ann.kind().display_label()),
                        "{:?} was lost", ann
                    );
                }
            }
        }
    }

    #[test]
    fn removing_a_tag_removes_its_relations_and_one_undo_restores_both(
        ops in prop::collection::vec(op(), 0..40),
        pick in 0..50usize,
    ) {
        let mut p = project();
        for op in &ops {
            if let Some(edit) = edit_for(&mut p, op) {
                let _ = spantag::model::apply(&mut p, edit);
            }
        }
        let ids: Vec<_> = p.annotations().keys().copied().collect();
        prop_assume!(!ids.is_empty());
        let victim = ids[pick % ids.len()];
        let before = p.clone();
        let mut history = History::unsaved();
        let removal = removal_edit(&p, victim);
        history.apply(&mut p, removal, "remove").expect("removal applies");
        prop_assert!(p.annotation(victim).is_none());
        prop_assert!(p.relations_of(victim).is_empty());
        let others_kept = before
            .relations()
            .values()
            .filter(|r| r.from != victim && r.to != victim)
            .all(|r| p.relations().get(&r.id) == Some(r));
        prop_assert!(others_kept, "only the victim's relations go");
        prop_assert!(history.undo(&mut p).expect("undo applies"));
        prop_assert_eq!(&p, &before);
    }
}
