//! Splitting a project among annotators (`spantag split`): each gets a share of the
//! documents, and a few documents go to everyone, so agreement can be measured on them.
//!
//! The split is deterministic: documents in id order; the shared ones spread evenly over
//! that order (every k-th), the others dealt round-robin. Each share is a whole project
//! (schema, its documents with whatever annotations, statuses, relations and rejected
//! suggestions they had) that records its [`Assignment`]. Pure: no IO.

use crate::model::team::Assignment;
use crate::model::{DocId, Edit, Project, ProjectParts, apply};
use std::collections::BTreeSet;

/// Why a project could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// No annotators were named.
    #[error("name at least one annotator")]
    NoAnnotators,
    /// A name cannot be part of a file name, or is given twice.
    #[error(
        "annotator name '{0}' is empty, repeated, or not made of letters, digits, '-' and '_' only"
    )]
    BadName(String),
    /// More shared documents than the project has.
    #[error("{overlap} shared documents asked for, but the project has {documents}")]
    OverlapTooLarge {
        /// Shared documents asked for.
        overlap: usize,
        /// Documents in the project.
        documents: usize,
    },
    /// A share could not be put together (a link across documents).
    #[error("the share of '{0}' would not be sound: {1}")]
    Unsound(String, String),
}

/// The default number of shared documents: a tenth of the corpus, rounded.
pub fn default_overlap(documents: usize) -> usize {
    (documents + 5) / 10
}

/// Which documents go where: the shared ones, and each annotator's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Documents every annotator gets.
    pub shared: BTreeSet<DocId>,
    /// Each annotator's own documents (not counting the shared ones), in the order the
    /// annotators were given.
    pub own: Vec<BTreeSet<DocId>>,
}

/// Plans the split of `project`'s documents among `annotators`, `overlap` of them (by
/// default [`default_overlap`]) shared by all.
pub fn plan(
    project: &Project,
    annotators: &[String],
    overlap: Option<usize>,
) -> Result<Plan, SplitError> {
    check_names(annotators)?;
    let docs = project.documents();
    let overlap = overlap.unwrap_or_else(|| default_overlap(docs.len()));
    if overlap > docs.len() {
        return Err(SplitError::OverlapTooLarge {
            overlap,
            documents: docs.len(),
        });
    }
    // Every k-th document (k = n / overlap, fractional), so the shared ones sample the
    // whole corpus rather than its first ids.
    let shared_at: BTreeSet<usize> = (0..overlap).map(|i| i * docs.len() / overlap).collect();
    let mut plan = Plan {
        shared: BTreeSet::new(),
        own: vec![BTreeSet::new(); annotators.len()],
    };
    let mut dealt = 0;
    for (i, doc) in docs.iter().enumerate() {
        if shared_at.contains(&i) {
            plan.shared.insert(doc.id().clone());
        } else if let Some(own) = plan.own.get_mut(dealt % annotators.len()) {
            own.insert(doc.id().clone());
            dealt += 1;
        }
    }
    Ok(plan)
}

fn check_names(annotators: &[String]) -> Result<(), SplitError> {
    if annotators.is_empty() {
        return Err(SplitError::NoAnnotators);
    }
    let mut seen = BTreeSet::new();
    for name in annotators {
        let fine = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            && seen.insert(name);
        if !fine {
            return Err(SplitError::BadName(name.clone()));
        }
    }
    Ok(())
}

/// Splits `project` among `annotators`: one project per annotator, in their order, each
/// recording its assignment.
pub fn split(
    project: &Project,
    annotators: &[String],
    overlap: Option<usize>,
) -> Result<Vec<Project>, SplitError> {
    let plan = plan(project, annotators, overlap)?;
    let make = |(name, own): &(&String, &BTreeSet<DocId>)| {
        let documents: BTreeSet<DocId> = own.union(&plan.shared).cloned().collect();
        let assignment = Assignment {
            annotator: (*name).clone(),
            annotators: annotators.to_vec(),
            documents,
            shared: plan.shared.clone(),
        };
        share(project, assignment).map_err(|e| SplitError::Unsound((*name).clone(), e))
    };
    // The shares are made on all cores, kept in the annotators' order.
    let jobs: Vec<(&String, &BTreeSet<DocId>)> = annotators.iter().zip(&plan.own).collect();
    let mut shares = Vec::with_capacity(jobs.len());
    let done: Result<(), SplitError> = crate::parallel::for_each_batch_in_order(
        &jobs,
        1,
        |batch| batch.iter().map(make).collect::<Result<Vec<_>, _>>(),
        |made| {
            shares.extend(made?);
            Ok(())
        },
    );
    done.map(|()| shares)
}

/// The part of `project` over the assignment's documents, recording the assignment.
pub fn share(project: &Project, assignment: Assignment) -> Result<Project, String> {
    let docs = &assignment.documents;
    let documents = project
        .documents()
        .iter()
        .filter(|d| docs.contains(d.id()))
        .cloned()
        .collect();
    let annotations = docs
        .iter()
        .map(|d| (d.clone(), project.annotations_in(d).to_vec()))
        .collect();
    let statuses = docs
        .iter()
        .map(|d| (d.clone(), project.status(d)))
        .filter(|(_, s)| *s != crate::model::DocStatus::default())
        .collect();
    let in_share = |id| {
        project
            .document_of(id)
            .is_some_and(|d| docs.contains(d.id()))
    };
    let relations = project
        .relations()
        .values()
        .filter(|r| in_share(r.from) && in_share(r.to))
        .cloned()
        .collect();
    let rejected = project
        .rejected_suggestions()
        .iter()
        .filter(|r| docs.contains(&r.doc))
        .cloned()
        .collect();
    let mut part = Project::from_parts(ProjectParts {
        schema: project.schema().clone(),
        documents,
        annotations,
        statuses,
        relations,
        rejected,
    })
    .map_err(|e| e.to_string())?;
    let mut edits: Vec<Edit> = project
        .conflicts()
        .iter()
        .filter(|c| docs.contains(&c.doc))
        .map(|c| Edit::SetConflict(c.clone(), true))
        .collect();
    edits.push(Edit::SetAssignment(Some(Box::new(assignment))));
    apply(&mut part, Edit::Batch(edits)).map_err(|e| e.to_string())?;
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;
    use crate::model::schema::builtin_schema;

    fn corpus(n: usize) -> Project {
        let docs = (0..n)
            .map(|i| Document::from_raw(DocId(format!("d{i:02}").into()), "Tekst."))
            .collect();
        Project::new(builtin_schema(), docs).expect("project")
    }

    fn ids(set: &BTreeSet<DocId>) -> Vec<&str> {
        set.iter().map(DocId::as_str).collect()
    }

    /// A case: documents, annotators, overlap, the shared documents, the first annotator's
    /// own documents.
    type Case = (
        usize,
        usize,
        Option<usize>,
        Vec<&'static str>,
        Vec<&'static str>,
    );

    #[test]
    fn shared_documents_spread_over_the_corpus_and_the_rest_is_dealt_round_robin() {
        let cases: Vec<Case> = vec![
            (
                10,
                2,
                Some(2),
                vec!["d00", "d05"],
                vec!["d01", "d03", "d06", "d08"],
            ),
            (10, 3, None, vec!["d00"], vec!["d01", "d04", "d07"]),
            (4, 2, Some(0), vec![], vec!["d00", "d02"]),
            (4, 1, Some(4), vec!["d00", "d01", "d02", "d03"], vec![]),
        ];
        for (n, annotators, overlap, shared, first) in cases {
            let names: Vec<String> = (0..annotators).map(|i| format!("a{i}")).collect();
            let plan = plan(&corpus(n), &names, overlap).expect("plan");
            assert_eq!(ids(&plan.shared), shared, "{n} {annotators} {overlap:?}");
            assert_eq!(ids(&plan.own[0]), first, "{n} {annotators} {overlap:?}");
            let dealt: usize = plan.own.iter().map(BTreeSet::len).sum();
            assert_eq!(dealt + plan.shared.len(), n, "every document once");
        }
        assert_eq!(default_overlap(95), 10);
        assert_eq!(default_overlap(4), 0);
    }

    #[test]
    fn bad_names_and_overlaps_are_refused() {
        let p = corpus(3);
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(plan(&p, &[], None), Err(SplitError::NoAnnotators));
        for bad in ["", "a/b", "..", "a b"] {
            assert_eq!(
                plan(&p, &names(&["ok", bad]), None),
                Err(SplitError::BadName(bad.to_owned()))
            );
        }
        assert_eq!(
            plan(&p, &names(&["x", "x"]), None),
            Err(SplitError::BadName("x".to_owned()))
        );
        assert_eq!(
            plan(&p, &names(&["x"]), Some(4)),
            Err(SplitError::OverlapTooLarge {
                overlap: 4,
                documents: 3
            })
        );
    }
}
