//! `spantag stats` and `spantag export --format spans` read a project file without keeping
//! the project (`project_file::read_direct`, `project_file::read_making`): the same outputs as loading the project and
//! then counting or exporting it, and on a damaged file exactly the message the plain
//! load gives, with no output left behind. The project is generated and big enough for
//! several batches on every worker; each damage is one edit of its text.

#[path = "common/cli.rs"]
mod cli;
use cli::{spantag, stderr};

use spantag::corpus::generate::{Spec, generate};
use spantag::corpus::stats;
use spantag::io::project_file;
use std::path::{Path, PathBuf};

/// The generated project's text (300 documents: five batches of the loader).
fn generated() -> String {
    let project = generate(&Spec {
        documents: 300,
        words_per_document: 80,
        spans_per_document: 8,
        seed: 7,
    });
    project_file::to_ron(&project)
}

/// The lines of the document with id `doc`: the range of the whole text they take.
fn document_lines(text: &str, doc: &str) -> std::ops::Range<usize> {
    let start = text
        .find(&format!("id: \"{doc}\""))
        .expect("the document is in the file");
    let end = text[start..]
        .find("\n    ),")
        .map_or(text.len(), |at| start + at);
    start..end
}

/// Annotation ids (as written) of the entity lines of document `doc`, in file order.
fn entity_ids(text: &str, doc: &str) -> Vec<String> {
    text[document_lines(text, doc)]
        .lines()
        .filter(|l| l.contains("kind: Entity"))
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("(id: ")?;
            Some(rest[..rest.find(',')?].to_owned())
        })
        .collect()
}

/// An entity of `doc` that no stance names as its holder (so changing its id breaks
/// nothing else).
fn free_entity(text: &str, doc: &str) -> String {
    entity_ids(text, doc)
        .into_iter()
        .find(|id| !text.contains(&format!("Some({id})")))
        .expect("an entity that holds no stance")
}

/// Replaces the first `from` inside document `doc` by `to`.
fn in_document(text: &str, doc: &str, from: &str, to: &str) -> String {
    let lines = document_lines(text, doc);
    let at = lines.start + text[lines].find(from).expect("found in the document");
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// Replaces the file's empty relation list.
fn with_relations(text: &str, relations: &str) -> String {
    assert!(text.contains("relations: [],"));
    text.replacen("relations: [],", &format!("relations: [{relations}],"), 1)
}

/// One damage: its name, a fragment the plain load's message must hold (so the damage is
/// the one named), and the damaged file.
type Damage = (&'static str, String, Vec<u8>);

fn damages(text: &str) -> Vec<Damage> {
    let first = free_entity(text, "gen-00003");
    let late = free_entity(text, "gen-00250");
    let other = free_entity(text, "gen-00120");
    // A stance with a holder, and another annotation of its document that is no entity.
    let (holder_doc, holder_line) = text
        .lines()
        .scan(String::new(), |doc, line| {
            if let Some(id) = line.trim_start().strip_prefix("id: \"") {
                *doc = id.trim_end_matches("\",").to_owned();
            }
            Some((doc.clone(), line.to_owned()))
        })
        .find(|(doc, line)| doc.as_str() > "gen-00100" && line.contains("holder: Some("))
        .expect("a stance with a holder");
    let holder = holder_line
        .split("holder: Some(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("holder id")
        .to_owned();
    let stance_id = holder_line
        .trim_start()
        .strip_prefix("(id: ")
        .and_then(|rest| rest.split(',').next())
        .expect("stance id")
        .to_owned();
    let mut bad_utf8 = text.as_bytes().to_vec();
    let in_text = document_lines(text, "gen-00180").start
        + text[document_lines(text, "gen-00180")]
            .find("text: \"")
            .expect("text")
        + 20;
    bad_utf8.insert(in_text, 0xff);
    let hash_at = document_lines(text, "gen-00210").start
        + text[document_lines(text, "gen-00210")]
            .find("hash: \"")
            .expect("hash")
        + 7;
    let flipped = if text.as_bytes()[hash_at] == b'0' {
        "1"
    } else {
        "0"
    };
    let bad_hash = format!("{}{flipped}{}", &text[..hash_at], &text[hash_at + 1..]);
    let span_at = text[document_lines(text, "gen-00150")]
        .find("spans: [(")
        .map(|at| document_lines(text, "gen-00150").start + at + "spans: [(".len())
        .expect("a span");
    let span_end = span_at + text[span_at..].find(')').expect("span end");
    let past_end = format!("{}0, 99999{}", &text[..span_at], &text[span_end..]);
    let entity_line = |doc: &str| annotation_line(text, doc, "kind: Entity(label: \"");
    let empty_label = edit_line(text, entity_line("gen-00170"), |line| {
        let from = line.find("label: \"").expect("label") + "label: \"".len();
        let to = from + line[from..].find('"').expect("label end");
        format!("{} {}", &line[..from], &line[to..])
    });
    vec![
        (
            "an empty span",
            "gen-00160".to_owned(),
            with_spans(text, entity_line("gen-00160"), "(5, 5)").into_bytes(),
        ),
        (
            "an entity without spans",
            "gen-00190".to_owned(),
            with_spans(text, entity_line("gen-00190"), "").into_bytes(),
        ),
        (
            "an entity with an empty label",
            "gen-00170".to_owned(),
            empty_label.into_bytes(),
        ),
        (
            "an annotation id used in two documents",
            first.clone(),
            in_document(
                text,
                "gen-00250",
                &format!("(id: {late},"),
                &format!("(id: {first},"),
            )
            .into_bytes(),
        ),
        (
            "a relation naming an unknown id",
            "123456789".to_owned(),
            with_relations(
                text,
                &format!("(id: 42, label: \"Origin\", from: {first}, to: 123456789)"),
            )
            .into_bytes(),
        ),
        (
            "a relation between two documents",
            "42".to_owned(),
            with_relations(
                text,
                &format!("(id: 42, label: \"Origin\", from: {first}, to: {other})"),
            )
            .into_bytes(),
        ),
        (
            "a relation whose id an annotation has",
            first.clone(),
            with_relations(
                text,
                &format!("(id: {first}, label: \"Origin\", from: {first}, to: {first})"),
            )
            .into_bytes(),
        ),
        (
            "a holder that is not an entity",
            stance_id.clone(),
            in_document(
                text,
                &holder_doc,
                &format!("holder: Some({holder})"),
                &format!("holder: Some({stance_id})"),
            )
            .into_bytes(),
        ),
        (
            "a span past the end of its text",
            "99999".to_owned(),
            past_end.into_bytes(),
        ),
        (
            "a text that does not match its hash",
            "gen-00210".to_owned(),
            bad_hash.into_bytes(),
        ),
        ("bad UTF-8", "UTF-8".to_owned(), bad_utf8),
        (
            "a truncated file",
            String::new(),
            text.as_bytes()[..text.len() * 3 / 5].to_vec(),
        ),
        (
            "a document id used twice",
            "gen-00100".to_owned(),
            text.replacen("id: \"gen-00200\"", "id: \"gen-00100\"", 1)
                .into_bytes(),
        ),
        (
            "a rejected suggestion of an unknown document",
            "gen-99999".to_owned(),
            text.replacen(
                "rejected_suggestions: [],",
                "rejected_suggestions: [(\"gen-99999\", 0, 4, \"PER\")],",
                1,
            )
            .into_bytes(),
        ),
        (
            "a conflict naming an annotation of another document",
            "gen-00003".to_owned(),
            {
                let mut t = text.trim_end().trim_end_matches(')').to_owned();
                t.push_str(&format!(
                    "  conflicts: [(doc: \"gen-00003\", kind: SameSpan, ours: Some({other}), theirs: None)],\n)\n"
                ));
                t.into_bytes()
            },
        ),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("written");
    path
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the file is read through without the project (`Some`) or left to the load.
fn read_through(path: &Path) -> Option<project_file::ReadThrough> {
    project_file::read_making(path, &|_| {}, &|_, _: &mut ()| {}, &mut |()| true)
}

/// [`read_through`] handing on the file's own documents (what `spantag stats` reads).
fn read_directly(path: &Path) -> Option<project_file::ReadThrough> {
    project_file::read_direct(path, &|_| {}, &|_, _: &mut ()| {}, &mut |()| true)
}

/// The first annotation line of document `doc` holding `marker`: where it starts and
/// ends in the whole text.
fn annotation_line(text: &str, doc: &str, marker: &str) -> std::ops::Range<usize> {
    let lines = document_lines(text, doc);
    let at = lines.start
        + text[lines.clone()]
            .find(marker)
            .expect("marker in the document");
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let end = at + text[at..].find('\n').unwrap_or(text.len() - at);
    start..end
}

/// `text` with the line at `range` replaced by what `edit` makes of it.
fn edit_line(text: &str, range: std::ops::Range<usize>, edit: impl Fn(&str) -> String) -> String {
    format!(
        "{}{}{}",
        &text[..range.start],
        edit(&text[range.clone()]),
        &text[range.end..]
    )
}

/// `text` with the first span of the entity line at `range` replaced by `spans`.
fn with_spans(text: &str, range: std::ops::Range<usize>, spans: &str) -> String {
    edit_line(text, range, |line| {
        let from = line.find("spans: [").expect("spans") + "spans: [".len();
        let to = from + line[from..].find(']').expect("spans end");
        format!("{}{spans}{}", &line[..from], &line[to..])
    })
}

/// The stances with a holder: their document and the holder's id, in file order.
fn held_stances(text: &str) -> Vec<(String, String)> {
    let mut doc = String::new();
    let mut found = Vec::new();
    for line in text.lines() {
        if let Some(id) = line.trim_start().strip_prefix("id: \"") {
            doc = id.trim_end_matches("\",").to_owned();
        }
        if let Some(rest) = line.split("holder: Some(").nth(1) {
            found.push((doc.clone(), rest.split(')').next().expect("id").to_owned()));
        }
    }
    found
}

#[test]
fn a_damaged_file_gives_the_plain_loads_message_through_stats_and_export() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = generated();
    for (what, fragment, bytes) in damages(&text) {
        let path = write(dir.path(), "damaged.ron", &bytes);
        let expected = match project_file::load(&path) {
            Err(e) => format!("spantag: {}\n", one_line(&e.to_string())),
            Ok(_) => panic!("{what}: the damaged file loads"),
        };
        assert!(expected.contains(&fragment), "{what}: {expected}");
        assert!(read_through(&path).is_none(), "{what}: read through");
        assert!(read_directly(&path).is_none(), "{what}: read directly");
        let out_file = dir.path().join("out.jsonl");
        let p = path.to_str().expect("utf-8 path");
        let o = out_file.to_str().expect("utf-8 path");
        for args in [
            vec!["stats", p],
            vec!["stats", "--json", p],
            vec!["export", "--format", "spans", "-o", o, p],
        ] {
            let out = spantag(&args);
            assert_eq!(out.status.code(), Some(1), "{what}: {args:?}");
            assert_eq!(stderr(&out), expected, "{what}: {args:?}");
            assert!(out.stdout.is_empty(), "{what}: {args:?}");
            assert!(!out_file.exists(), "{what}: {args:?} left an output");
        }
    }
}

/// The report and the export of a sound file, read through or loaded, are those of the
/// loaded project: without relations (read through), with a relation, a rejected
/// suggestion and a conflict (the export loads the project for the relation's line;
/// stats reads it through).
#[test]
fn a_sound_file_gives_what_the_loaded_project_gives() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = generated();
    let entities = entity_ids(&text, "gen-00042");
    let (a, b) = (&entities[0], &entities[1]);
    let mut team = with_relations(
        &text,
        &format!("(id: 42, label: \"Origin\", from: {a}, to: {b})"),
    )
    .replacen(
        "rejected_suggestions: [],",
        "rejected_suggestions: [(\"gen-00007\", 0, 4, \"PER\")],",
        1,
    )
    .trim_end()
    .trim_end_matches(')')
    .to_owned();
    team.push_str(&format!(
        "  conflicts: [(doc: \"gen-00042\", kind: SameSpan, ours: Some({a}), theirs: Some({b}))],\n)\n"
    ));
    // Holders named by their text, not a canonical name: one on two spans (their texts
    // joined), one on a single span.
    let held = held_stances(&text);
    let (late, early) = (held.last().expect("held"), held.first().expect("held"));
    let no_canonical = |line: &str| {
        let at = line.find(", canonical: Some(").expect("canonical");
        let end = at + line[at..].find(")))").expect("canonical end") + 1;
        format!("{}{}", &line[..at], &line[end..])
    };
    let mut mentions = edit_line(
        &text,
        annotation_line(&text, &late.0, &format!("(id: {},", late.1)),
        no_canonical,
    );
    mentions = with_spans(
        &mentions,
        annotation_line(&mentions, &late.0, &format!("(id: {},", late.1)),
        "(0, 3), (7, 9)",
    );
    mentions = edit_line(
        &mentions,
        annotation_line(&mentions, &early.0, &format!("(id: {},", early.1)),
        no_canonical,
    );
    for (name, bytes, relations) in [
        ("plain.ron", text.as_str(), 0),
        ("team.ron", &team, 1),
        ("mentions.ron", &mentions, 0),
    ] {
        let path = write(dir.path(), name, bytes.as_bytes());
        let project = project_file::load(&path).expect("loads");
        assert_eq!(project.relations().len(), relations);
        for read in [read_through(&path), read_directly(&path)] {
            let read = read.expect("read through");
            assert_eq!(
                (read.documents, read.annotations),
                (project.documents().len(), project.annotations().len())
            );
            assert_eq!(
                read.relations,
                project.relations().values().cloned().collect::<Vec<_>>()
            );
        }
        let expected = stats::compute(&project);
        if name == "mentions.ron" {
            // The holders now go by their text: names the plain file's matrix has not.
            let plain = project_file::from_ron(&text, Path::new("plain.ron")).expect("loads");
            let named = stats::compute(&plain).stance.matrix;
            assert!(
                expected
                    .stance
                    .matrix
                    .keys()
                    .any(|k| !named.contains_key(k))
            );
        }
        let p = path.to_str().expect("utf-8 path");
        let out = spantag(&["stats", "--json", p]);
        assert!(out.status.success(), "{}", stderr(&out));
        let json = serde_json::to_string_pretty(&expected).expect("json");
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{json}\n"));
        let out = spantag(&["stats", p]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            stats::to_text(&expected)
        );

        let plain = dir.path().join("plain.jsonl");
        let report = spantag::formats::export(
            &project,
            spantag::formats::ExportFormat::Spans,
            &plain,
            &mut |_| {},
        )
        .expect("exported");
        let streamed = dir.path().join("streamed.jsonl");
        let out = spantag(&[
            "export",
            "--format",
            "spans",
            "-o",
            streamed.to_str().expect("path"),
            p,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!("{report}\n").replace("plain.jsonl", "streamed.jsonl")
        );
        assert_eq!(
            std::fs::read(&streamed).expect("streamed"),
            std::fs::read(&plain).expect("plain")
        );
    }
}

/// The guess made before reading: only a file ending in an empty relation list is read
/// through by the export.
#[test]
fn the_relation_list_is_seen_at_the_end_of_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = generated();
    let without = write(dir.path(), "without.ron", text.as_bytes());
    assert!(project_file::ends_without_relations(&without));
    let with = write(
        dir.path(),
        "with.ron",
        with_relations(&text, "(id: 1, label: \"x\", from: 2, to: 3)").as_bytes(),
    );
    assert!(!project_file::ends_without_relations(&with));
    assert!(!project_file::ends_without_relations(
        &dir.path().join("missing.ron")
    ));
}
