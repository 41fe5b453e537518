//! The corpus views: the statistics helpers they draw (per month, entity index, mentions
//! in context, the copyable table), and the windows themselves driven with egui_kittest
//! through the View menu — statistics, entity index (click a mention to jump), agreement
//! and merge (take all from B, undo).

mod common;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::SpantagApp;
use spantag::app::corpus_views::{difference_line, index_entry_line, mention_line};
use spantag::app::session::Session;
use spantag::corpus::merge::{self, Side};
use spantag::corpus::stats::{self, NO_DATE};
use spantag::io::project_file;
use spantag::model::{
    Annotation, AnnotationKind, DocId, DocStatus, Document, Edit, Project, Span, apply,
};
use std::collections::BTreeMap;

fn example() -> Project {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    project_file::load(&path).expect("the example project loads")
}

fn doc(id: &str, date: Option<&str>, text: &str) -> Document {
    let meta = date
        .map(|d| BTreeMap::from([("date".to_owned(), d.to_owned())]))
        .unwrap_or_default();
    Document::new(DocId(id.into()), format!("Titel {id}"), meta, text.into())
}

fn entity(p: &mut Project, id: &str, needle: &str, label: &str, canonical: Option<&str>) {
    let text = p.document(&DocId(id.into())).expect("doc").text();
    let byte = text.as_str().find(needle).expect("needle");
    let start = text.as_str()[..byte].chars().count();
    let span = Span::new(start, start + needle.chars().count(), text).expect("span");
    let ann = Annotation::entity(spantag::model::AnnotationId::NEW, span, label)
        .with_kind(AnnotationKind::Entity {
            label: label.into(),
            canonical: canonical.map(Into::into),
        })
        .expect("kind");
    let ann = p.with_new_id(&DocId(id.into()), ann);
    apply(p, Edit::AddAnnotation(DocId(id.into()), ann)).expect("add");
}

/// d1 (2018-05): [Zuckerberg]PER(Mark Zuckerberg) en [Facebook]ORG
/// d2 (2018-05-17): [Mark Zuckerberg]PER(Mark Zuckerberg) en [Facebook]ORG, done
/// d3 (no date): [Facebook]ORG(Facebook) in [Brussel]LOC
fn small() -> Project {
    let mut p = Project::new(
        project_file::default_schema(),
        vec![
            doc("d1", Some("2018-05"), "Zuckerberg en Facebook"),
            doc("d2", Some("2018-05-17"), "Mark Zuckerberg en Facebook"),
            doc("d3", None, "Facebook in Brussel"),
        ],
    )
    .expect("project");
    entity(&mut p, "d1", "Zuckerberg", "PER", Some("Mark Zuckerberg"));
    entity(&mut p, "d1", "Facebook", "ORG", None);
    entity(
        &mut p,
        "d2",
        "Mark Zuckerberg",
        "PER",
        Some("Mark Zuckerberg"),
    );
    entity(&mut p, "d2", "Facebook", "ORG", None);
    entity(&mut p, "d3", "Facebook", "ORG", Some("Facebook"));
    entity(&mut p, "d3", "Brussel", "LOC", None);
    apply(
        &mut p,
        Edit::SetStatus {
            doc: DocId("d2".into()),
            status: DocStatus::Done,
        },
    )
    .expect("status");
    p
}

#[test]
fn month_of_a_date() {
    for (date, want) in [
        (Some("2018-05"), "2018-05"),
        (Some("2018-05-17"), "2018-05"),
        (Some("2018"), "2018"),
        (Some("mei 2018"), NO_DATE),
        (Some("2018-5"), NO_DATE),
        (None, NO_DATE),
    ] {
        assert_eq!(stats::month_of(date), want, "{date:?}");
    }
}

#[test]
fn tags_per_month_count_documents_tags_and_done() {
    let months = stats::per_month(&small());
    let may = &months["2018-05"];
    // d1 and d2: 2 documents, 4 entities, 1 done.
    assert_eq!(
        (
            may.documents,
            may.annotations,
            may.entities,
            may.stances,
            may.done
        ),
        (2, 4, 4, 0, 1)
    );
    let undated = &months[NO_DATE];
    assert_eq!((undated.documents, undated.annotations), (1, 2));
    assert_eq!(months.len(), 2);
}

#[test]
fn entity_index_groups_by_canonical_name_else_text() {
    let index = stats::entity_index(&small());
    let summary: Vec<(&str, bool, usize, usize)> = index
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.canonical,
                e.mentions.len(),
                e.documents.len(),
            )
        })
        .collect();
    // "Facebook": two mentions without canonical name join the canonical "Facebook" of d3.
    // "Mark Zuckerberg": "Zuckerberg" and "Mark Zuckerberg" share the canonical name.
    // "Brussel": mention text only. Most mentions first, then by name.
    assert_eq!(
        summary,
        [
            ("Facebook", true, 3, 3),
            ("Mark Zuckerberg", true, 2, 2),
            ("Brussel", false, 1, 1),
        ]
    );
    assert_eq!(
        index_entry_line(&index[0]),
        "Facebook — 3 mentions in 3 documents · ORG"
    );
}

#[test]
fn mention_in_context_is_cut_with_ellipses() {
    let p = small();
    let ann = p
        .annotations_of(&DocId("d2".into()))
        .into_iter()
        .find(|a| a.label() == Some("ORG"))
        .expect("Facebook in d2");
    let c = stats::mention_context(&p, ann, 4).expect("context");
    // "Mark Zuckerberg en Facebook": the 4 characters before "Facebook" are " en ", cut
    // from a longer text (…); nothing follows.
    assert_eq!(
        (c.before.as_str(), c.mention.as_str(), c.after.as_str()),
        ("… en ", "Facebook", "")
    );
    assert_eq!(
        mention_line(&p, ann.id()).as_deref(),
        Some("d2: Mark Zuckerberg en [Facebook]")
    );
}

#[test]
fn statistics_table_is_tab_separated() {
    let p = small();
    let tsv = stats::to_tsv(&stats::compute(&p), &stats::per_month(&p));
    for line in [
        "label\ttags",
        "ORG\t3",
        "PER\t2",
        "done\t1",
        "not started\t2",
        "2018-05\t2\t4\t4\t0\t1",
        "d2\tTitel d2\t2018-05-17\tdone\t2\t0",
    ] {
        assert!(tsv.lines().any(|l| l == line), "{line:?} in\n{tsv}");
    }
}

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    common::harness(Session::unsaved(project))
}

fn open_view(harness: &mut Harness<'static, SpantagApp>, entry: &str) {
    harness.get_by_label("View").click();
    harness.run_steps(2);
    harness.get_by_label(entry).click();
    harness.run_steps(3);
}

#[test]
fn statistics_window_opens_from_the_view_menu_and_copies_its_table() {
    let project = example();
    let s = stats::compute(&project);
    let mut h = harness(project);
    assert!(h.query_by_label("Corpus statistics").is_none());
    open_view(&mut h, "Statistics");
    assert!(h.query_by_label("Corpus statistics").is_some());
    let summary = format!(
        "{} documents, {} tags ({} entities, {} stances)",
        s.documents, s.annotations, s.entities, s.stances
    );
    assert!(h.query_by_label(&summary).is_some(), "{summary}");
    // All five example documents are done.
    assert!(
        h.query_by_label("5 done, 0 in progress, 0 not started")
            .is_some()
    );
    h.get_by_label("Copy table").click();
    h.run_steps(2);
    assert_eq!(h.state().status, "copied the statistics table");
}

#[test]
fn entity_index_lists_mentions_and_jumps_to_one() {
    let project = example();
    let first_doc = project.documents()[0].id().clone();
    let index = stats::entity_index(&project);
    // A canonical entity with a few mentions, one of them outside the open document.
    let (entry, target) = index
        .iter()
        .filter(|e| e.canonical && (2..=5).contains(&e.mentions.len()))
        .find_map(|e| {
            let outside = e.mentions.iter().copied().find(|id| {
                project
                    .document_of(*id)
                    .is_some_and(|d| *d.id() != first_doc)
            })?;
            Some((e, outside))
        })
        .expect("such an entity in the example");
    let target_doc = project.document_of(target).expect("ann").id().clone();
    let (name, entry_line) = (entry.name.clone(), index_entry_line(entry));
    let line = mention_line(&project, target).expect("line");
    let mut h = harness(project);
    open_view(&mut h, "Entity index");
    // Narrow the list as typing in the filter field would.
    h.state_mut().views.index_filter = name.clone();
    h.run_steps(2);
    h.get_by_label(&entry_line).click();
    h.run_steps(2);
    assert!(h.query_by_label(&format!("Mentions of {name}")).is_some());
    h.get_by_label(&line).click();
    h.run_steps(3);
    let session = &h.state().session;
    assert_eq!(session.selected, Some(target));
    assert_eq!(session.document().map(|d| d.id().clone()), Some(target_doc));
}

/// The example with its first PER relabelled ORG and its first LOC removed.
fn other_annotator(a: &Project) -> Project {
    let mut b = a.clone();
    let per = a
        .annotations()
        .values()
        .find(|x| x.label() == Some("PER") && a.stances_held_by(x.id()).is_empty())
        .expect("a PER");
    let relabelled = per
        .with_kind(AnnotationKind::Entity {
            label: "ORG".into(),
            canonical: None,
        })
        .expect("kind");
    apply(&mut b, Edit::ReplaceAnnotation(relabelled)).expect("relabel");
    let loc = a
        .annotations()
        .values()
        .find(|x| x.label() == Some("LOC") && a.stances_held_by(x.id()).is_empty())
        .expect("a LOC")
        .id();
    let removal = spantag::model::edit::removal_edit(&b, loc);
    apply(&mut b, removal).expect("remove");
    b
}

#[test]
fn agreement_window_compares_with_a_picked_project() {
    let a = example();
    let b = other_annotator(&a);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("b.ron");
    project_file::save(&b, &path).expect("save B");
    let want = spantag::corpus::agree::compare(&a, &b).expect("same documents");
    let mut h = harness(a);
    open_view(&mut h, "Agreement…");
    h.state_mut().views.agree_path = path.display().to_string();
    h.get_by_label("Compare").click();
    h.run_steps(3);
    let shown = h
        .state()
        .views
        .agreement()
        .and_then(|r| r.as_ref().ok())
        .cloned();
    assert_eq!(shown.as_ref(), Some(&want));
    assert!(h.query_by_label("Cohen's κ (tokens)").is_some());
    let kappa = format!("{:.3}", want.tokens.kappa.expect("kappa defined"));
    assert!(h.get_all_by_label(&kappa).next().is_some(), "{kappa}");

    // A project over other documents: a clear message, no numbers.
    let other = dir.path().join("other.ron");
    project_file::save(
        &Project::new(project_file::default_schema(), vec![doc("x", None, "iets")])
            .expect("project"),
        &other,
    )
    .expect("save");
    h.state_mut().views.agree_path = other.display().to_string();
    h.get_by_label("Compare").click();
    h.run_steps(3);
    let err = h
        .state()
        .views
        .agreement()
        .and_then(|r| r.as_ref().err())
        .cloned()
        .expect("an error");
    assert!(err.contains("not over the same documents"), "{err}");
}

#[test]
fn merge_window_takes_b_per_difference_and_all_at_once_with_undo() {
    let a = example();
    let b = other_annotator(&a);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("b.ron");
    project_file::save(&b, &path).expect("save B");
    let diffs = merge::diff(&a, &b).expect("same documents");
    assert_eq!(diffs.len(), 2);
    let mut h = harness(a.clone());
    open_view(&mut h, "Merge…");
    h.state_mut().views.merge_path = path.display().to_string();
    h.get_by_label("Open B").click();
    h.run_steps(3);
    for d in &diffs {
        let line = difference_line(&h.state().session.project, d);
        assert!(h.query_by_label(&line).is_some(), "{line}");
    }

    // The first row's "B": only that difference changes.
    h.get_all_by_label("B").next().expect("a B button").click();
    h.run_steps(3);
    let sides = |h: &Harness<'static, SpantagApp>| {
        h.state()
            .views
            .merge_differences()
            .map(|(_, s)| s.to_vec())
            .unwrap_or_default()
    };
    assert_eq!(sides(&h), [Some(Side::B), Some(Side::A)]);

    h.get_by_label("Take all from B").click();
    h.run_steps(3);
    assert!(
        merge::diff(&h.state().session.project, &b)
            .expect("same")
            .is_empty()
    );
    assert_eq!(sides(&h), [Some(Side::B), Some(Side::B)]);

    // Each choice is one undo.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(sides(&h), [Some(Side::B), Some(Side::A)]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(*h.state().session.project, a);
    assert_eq!(sides(&h), [Some(Side::A), Some(Side::A)]);
}
