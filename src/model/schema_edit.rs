//! Schema changes as edits: adding, changing, renaming and removing entity labels,
//! relation types, polarities and stance targets. Renaming relabels every annotation that uses the old
//! name in the same [`Edit::Batch`], so one undo takes the whole change back.

use super::annotation::AnnotationKind;
use super::edit::Edit;
use super::project::Project;
use super::schema::{EntityType, Polarity, RelationType};

/// How many annotations use an entity label.
pub fn label_uses(project: &Project, label: &str) -> usize {
    project
        .annotations()
        .values()
        .filter(|a| a.label() == Some(label))
        .count()
}

/// How many stances use a polarity or a target.
pub fn stance_uses(project: &Project, polarity: Option<&str>, target: Option<&str>) -> usize {
    project
        .annotations()
        .values()
        .filter(|a| match a.kind() {
            AnnotationKind::Stance {
                polarity: p,
                target: t,
                ..
            } => polarity.is_none_or(|x| x == p) && target.is_none_or(|x| x == t),
            AnnotationKind::Entity { .. } => false,
        })
        .count()
}

/// Replaces the entity type `old` with `new` (name, colour, hotkey, description); when the
/// name changes, every annotation labelled `old` is relabelled. A hotkey taken by another
/// label moves to the changed one.
pub fn change_entity_type(project: &Project, old: &str, new: EntityType) -> Option<Edit> {
    let mut schema = project.schema().clone();
    if new.name.trim().is_empty() || (new.name != old && schema.entity_type(&new.name).is_some()) {
        return None;
    }
    let position = schema.entity_types.iter().position(|t| t.name == old)?;
    if let Some(key) = new.hotkey {
        for t in &mut schema.entity_types {
            if t.hotkey == Some(key) && t.name != old {
                t.hotkey = None;
            }
        }
    }
    let renamed = new.name != old;
    let new_name = new.name.clone();
    schema.entity_types[position] = new;
    let mut edits = vec![Edit::SetSchema(schema)];
    if renamed {
        for ann in project.annotations().values() {
            if let AnnotationKind::Entity { label, canonical } = ann.kind()
                && label == old
                && let Ok(changed) = ann.with_kind(AnnotationKind::Entity {
                    label: new_name.as_str().into(),
                    canonical: canonical.clone(),
                })
            {
                edits.push(Edit::ReplaceAnnotation(changed));
            }
        }
    }
    Some(Edit::Batch(edits))
}

/// Adds an entity type with a colour from the rotation and the next free digit.
pub fn add_entity_type(project: &Project, name: &str) -> Option<Edit> {
    let name = name.trim();
    if name.is_empty() || project.schema().entity_type(name).is_some() {
        return None;
    }
    let mut schema = project.schema().clone();
    schema.ensure_entity_type(name);
    Some(Edit::SetSchema(schema))
}

/// Removes an entity type and every annotation that uses it, with the links to them:
/// relations touching them go, stances they hold lose their holder, conflicts naming them
/// are no longer recorded. Each link is undone
/// once, even when it joins two annotations that both go.
pub fn remove_entity_type(project: &Project, name: &str) -> Edit {
    let going: std::collections::BTreeSet<_> = project
        .annotations()
        .values()
        .filter(|a| a.label() == Some(name))
        .map(|a| a.id())
        .collect();
    let mut edits: Vec<Edit> = project
        .relations()
        .values()
        .filter(|r| going.contains(&r.from) || going.contains(&r.to))
        .map(|r| Edit::RemoveRelation(r.id))
        .collect();
    edits.extend(restance_holders(project, &going));
    // Conflicts that name a removed annotation are no longer recorded.
    edits.extend(
        project
            .conflicts()
            .iter()
            .filter(|c| c.annotations().any(|id| going.contains(&id)))
            .map(|c| Edit::SetConflict(c.clone(), false)),
    );
    edits.extend(going.iter().map(|id| Edit::RemoveAnnotation(*id)));
    let mut schema = project.schema().clone();
    schema.entity_types.retain(|t| t.name != name);
    edits.push(Edit::SetSchema(schema));
    Edit::Batch(edits)
}

/// How many relations have a type.
pub fn relation_type_uses(project: &Project, name: &str) -> usize {
    project
        .relations()
        .values()
        .filter(|r| r.label == name)
        .count()
}

/// Adds a directed relation type that takes any labels, with a colour from the rotation.
pub fn add_relation_type(project: &Project, name: &str) -> Option<Edit> {
    let name = name.trim();
    if name.is_empty() || project.schema().relation_type(name).is_some() {
        return None;
    }
    let mut schema = project.schema().clone();
    schema.ensure_relation_type(name);
    Some(Edit::SetSchema(schema))
}

/// Replaces the relation type `old` with `new` (name, colour, key, argument labels,
/// direction); when the name changes, every relation of type `old` is retyped in the same
/// step. A key taken by another relation type moves to the changed one.
pub fn change_relation_type(project: &Project, old: &str, new: RelationType) -> Option<Edit> {
    let mut schema = project.schema().clone();
    if new.name.trim().is_empty() || (new.name != old && schema.relation_type(&new.name).is_some())
    {
        return None;
    }
    let position = schema.relation_types.iter().position(|t| t.name == old)?;
    if let Some(key) = new.hotkey {
        for t in &mut schema.relation_types {
            if t.hotkey == Some(key) && t.name != old {
                t.hotkey = None;
            }
        }
    }
    let renamed = new.name != old;
    let new_name = new.name.clone();
    schema.relation_types[position] = new;
    let mut edits = vec![Edit::SetSchema(schema)];
    if renamed {
        for r in project.relations().values().filter(|r| r.label == old) {
            edits.push(Edit::RemoveRelation(r.id));
            edits.push(Edit::AddRelation(super::annotation::Relation {
                label: new_name.clone(),
                ..r.clone()
            }));
        }
    }
    Some(Edit::Batch(edits))
}

/// Removes a relation type and every relation of that type.
pub fn remove_relation_type(project: &Project, name: &str) -> Edit {
    let mut edits: Vec<Edit> = project
        .relations()
        .values()
        .filter(|r| r.label == name)
        .map(|r| Edit::RemoveRelation(r.id))
        .collect();
    let mut schema = project.schema().clone();
    schema.relation_types.retain(|t| t.name != name);
    edits.push(Edit::SetSchema(schema));
    Edit::Batch(edits)
}

/// Stances whose holder is about to go, with the holder cleared.
fn restance_holders(
    project: &Project,
    going: &std::collections::BTreeSet<super::annotation::AnnotationId>,
) -> Vec<Edit> {
    project
        .annotations()
        .values()
        .filter_map(|ann| match ann.kind() {
            AnnotationKind::Stance {
                target,
                polarity,
                holder: Some(h),
            } if going.contains(&h.id()) => ann
                .with_kind(AnnotationKind::Stance {
                    target: target.clone(),
                    polarity: polarity.clone(),
                    holder: None,
                })
                .ok()
                .map(Edit::ReplaceAnnotation),
            _ => None,
        })
        .collect()
}

/// Replaces the polarity `old` with `new`; when renamed, stances follow.
pub fn change_polarity(project: &Project, old: &str, new: Polarity) -> Option<Edit> {
    let mut schema = project.schema().clone();
    if new.name.trim().is_empty() || (new.name != old && schema.polarity(&new.name).is_some()) {
        return None;
    }
    let position = schema.polarities.iter().position(|p| p.name == old)?;
    let new_name = new.name.clone();
    schema.polarities[position] = new;
    let mut edits = vec![Edit::SetSchema(schema)];
    if new_name != old {
        edits.extend(restance(project, |_, polarity| {
            (polarity == old).then(|| (None, Some(new_name.clone())))
        }));
    }
    Some(Edit::Batch(edits))
}

/// Renames a stance target everywhere (schema list and stances).
pub fn rename_target(project: &Project, old: &str, new: &str) -> Option<Edit> {
    let new = new.trim();
    if new.is_empty() || new == old {
        return None;
    }
    let mut schema = project.schema().clone();
    schema.targets.remove(old);
    schema.targets.insert(new.to_owned());
    let mut edits = vec![Edit::SetSchema(schema)];
    edits.extend(restance(project, |target, _| {
        (target == old).then(|| (Some(new.to_owned()), None))
    }));
    Some(Edit::Batch(edits))
}

/// Removes a target from the schema's list (stances keep theirs; the list regrows from
/// them).
pub fn remove_target(project: &Project, name: &str) -> Edit {
    let mut schema = project.schema().clone();
    schema.targets.remove(name);
    Edit::SetSchema(schema)
}

/// Replacement edits for stances whose (target, polarity) `change` maps to new values.
fn restance(
    project: &Project,
    change: impl Fn(&str, &str) -> Option<(Option<String>, Option<String>)>,
) -> Vec<Edit> {
    project
        .annotations()
        .values()
        .filter_map(|ann| {
            let AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } = ann.kind()
            else {
                return None;
            };
            let (new_target, new_polarity) = change(target, polarity)?;
            ann.with_kind(AnnotationKind::Stance {
                target: new_target.map_or_else(|| target.clone(), super::name::Name::from),
                polarity: new_polarity.map_or_else(|| polarity.clone(), super::name::Name::from),
                holder: *holder,
            })
            .ok()
            .map(Edit::ReplaceAnnotation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Annotation, AnnotationId, DocId, Document, History, Span};

    fn project() -> Project {
        let doc = Document::from_raw(DocId("d".into()), "Facebook en Zuckerberg: sorry.");
        let mut p = Project::new(crate::model::schema::builtin_schema(), vec![doc]).expect("p");
        let text = p.documents()[0].text().clone();
        let d = DocId("d".into());
        let fb = Annotation::entity(AnnotationId(1), Span::new(0, 8, &text).expect("s"), "ORG");
        let zu = Annotation::entity(AnnotationId(2), Span::new(12, 22, &text).expect("s"), "PER");
        let stance = Annotation::new(
            AnnotationId(3),
            Anchor::span(Span::new(24, 29, &text).expect("s")),
            AnnotationKind::Stance {
                target: "Facebook".into(),
                polarity: "AGAINST".into(),
                holder: crate::model::HolderId::new(AnnotationId(2)),
            },
        )
        .expect("stance");
        for a in [fb, zu, stance] {
            crate::model::apply(&mut p, Edit::AddAnnotation(d.clone(), a)).expect("add");
        }
        p
    }

    fn labels(p: &Project) -> Vec<String> {
        p.annotations()
            .values()
            .map(|a| a.kind().display_label())
            .collect()
    }

    #[test]
    fn renaming_a_label_relabels_and_one_undo_restores() {
        let mut p = project();
        let start = p.clone();
        let mut h = History::unsaved();
        let mut org = p.schema().entity_type("ORG").expect("ORG").clone();
        org.name = "ORGANISATIE".into();
        org.hotkey = Some('1');
        let edit = change_entity_type(&p, "ORG", org).expect("edit");
        h.apply(&mut p, edit, "rename").expect("apply");
        assert_eq!(labels(&p), ["ORGANISATIE", "PER", "AGAINST · Facebook"]);
        assert_eq!(
            p.schema().entity_type_for_key('1').map(|t| t.name.as_str()),
            Some("ORGANISATIE")
        );
        assert_eq!(
            p.schema().entity_type("PER").and_then(|t| t.hotkey),
            None,
            "key moved"
        );
        h.undo(&mut p).expect("undo");
        assert_eq!(p, start);
    }

    #[test]
    fn removing_a_label_in_use_removes_its_tags_and_unlinks_holders() {
        let mut p = project();
        assert_eq!(label_uses(&p, "PER"), 1);
        let start = p.clone();
        let mut h = History::unsaved();
        let edit = remove_entity_type(&p, "PER");
        h.apply(&mut p, edit, "remove").expect("apply");
        assert_eq!(labels(&p), ["ORG", "AGAINST · Facebook"]);
        assert!(p.schema().entity_type("PER").is_none());
        assert!(matches!(
            p.annotation(AnnotationId(3)).map(|a| a.kind()),
            Some(AnnotationKind::Stance { holder: None, .. })
        ));
        h.undo(&mut p).expect("undo");
        assert_eq!(p, start);
    }

    #[test]
    fn removing_a_label_whose_tags_are_related_to_each_other_works_in_one_step() {
        let mut p = project();
        let text = p.documents()[0].text().clone();
        let other = Annotation::entity(AnnotationId(4), Span::new(0, 8, &text).expect("s"), "PER");
        crate::model::apply(&mut p, Edit::AddAnnotation(DocId("d".into()), other)).expect("add");
        let rel = crate::model::Relation {
            id: AnnotationId(5),
            label: "Knows".into(),
            from: AnnotationId(2),
            to: AnnotationId(4),
        };
        crate::model::apply(&mut p, Edit::AddRelation(rel)).expect("relation");
        let start = p.clone();
        let edit = remove_entity_type(&p, "PER");
        let inverse = crate::model::apply(&mut p, edit).expect("one step");
        assert_eq!(label_uses(&p, "PER"), 0);
        assert!(p.relations().is_empty());
        crate::model::apply(&mut p, inverse).expect("undo");
        assert_eq!(p, start);
    }

    #[test]
    fn polarities_and_targets_rename_everywhere() {
        let mut p = project();
        let mut against = p.schema().polarity("AGAINST").expect("AGAINST").clone();
        against.name = "CONTRA".into();
        let edit = change_polarity(&p, "AGAINST", against).expect("edit");
        crate::model::apply(&mut p, edit).expect("apply");
        let edit = rename_target(&p, "Facebook", "Meta").expect("edit");
        crate::model::apply(&mut p, edit).expect("apply");
        assert_eq!(labels(&p)[2], "CONTRA · Meta");
        assert_eq!(stance_uses(&p, Some("CONTRA"), Some("Meta")), 1);
        assert!(p.schema().targets.contains("Meta"));
        assert!(
            change_polarity(
                &p,
                "CONTRA",
                Polarity {
                    name: "FAVOR".into(),
                    color: crate::model::Rgb([0, 0, 0]),
                    hotkey: None
                }
            )
            .is_none(),
            "no duplicate names"
        );
    }

    #[test]
    fn relation_types_rename_and_remove_with_their_relations_in_one_step() {
        let mut p = project();
        let edit = add_relation_type(&p, "Knows").expect("add");
        crate::model::apply(&mut p, edit).expect("apply");
        assert!(add_relation_type(&p, "Knows").is_none(), "no duplicates");
        let rel = crate::model::Relation {
            id: AnnotationId(5),
            label: "Knows".into(),
            from: AnnotationId(2),
            to: AnnotationId(1),
        };
        crate::model::apply(&mut p, Edit::AddRelation(rel)).expect("relation");
        let start = p.clone();
        let mut knows = p.schema().relation_type("Knows").expect("type").clone();
        knows.name = "Kent".into();
        knows.directed = false;
        let edit = change_relation_type(&p, "Knows", knows).expect("rename");
        let undo_rename = crate::model::apply(&mut p, edit).expect("apply");
        assert_eq!(relation_type_uses(&p, "Kent"), 1);
        assert_eq!(p.relations()[&AnnotationId(5)].label, "Kent");
        assert!(
            p.schema()
                .relation_type("Kent")
                .is_some_and(|t| !t.directed)
        );
        let edit = remove_relation_type(&p, "Kent");
        let undo_remove = crate::model::apply(&mut p, edit).expect("remove");
        assert!(p.relations().is_empty() && p.schema().relation_types.is_empty());
        crate::model::apply(&mut p, undo_remove).expect("undo remove");
        crate::model::apply(&mut p, undo_rename).expect("undo rename");
        assert_eq!(p, start);
    }
}
