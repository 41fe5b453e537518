//! `spantag train` and `spantag predict`: a model learned from the example project, its
//! predictions added to a copy (marked, never over a tag) or written alone for `spantag
//! agree`, and every refusal — nothing to learn, a model of other labels, a damaged or
//! newer model file — an exit 1 with a message naming the file and no output left behind.

#[path = "common/cli.rs"]
mod cli;
use cli::{spantag, stderr};

use spantag::corpus::learn::PREDICTED_ATTRIBUTE;
use spantag::io::project_file;
use spantag::model::{apply, schema_edit};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron")
}

/// Trains on the example project into `dir/m.model`.
fn train(dir: &Path) -> PathBuf {
    let model = dir.join("m.model");
    let out = spantag(&[
        "train".as_ref(),
        example().as_os_str(),
        "-o".as_ref(),
        model.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    model
}

#[test]
fn train_prints_a_summary_and_writes_a_versioned_model() {
    let dir = tempfile::tempdir().expect("dir");
    let model = dir.path().join("m.model");
    let out = spantag(&[
        "train".as_ref(),
        example().as_os_str(),
        "-o".as_ref(),
        model.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stderr(&out);
    assert_eq!(summary.lines().count(), 1, "one line: {summary}");
    for word in ["sentences", "tokens", "tags", "PER", " s"] {
        assert!(summary.contains(word), "{word} in {summary}");
    }
    let bytes = std::fs::read(&model).expect("model written");
    assert!(bytes.starts_with(b"spantag-model\n"));
}

#[test]
fn predict_adds_marked_entities_beside_the_tags() {
    let dir = tempfile::tempdir().expect("dir");
    let model = train(dir.path());
    // Learn from two documents, predict on all five: the others get predictions.
    let mut partial = project_file::load(&example()).expect("example");
    let untagged: Vec<_> = partial.documents()[2..]
        .iter()
        .map(|d| d.id().clone())
        .collect();
    let removals: Vec<_> = partial
        .annotations_with_documents()
        .filter(|(d, a)| untagged.contains(d.id()) && a.kind().is_entity())
        .map(|(_, a)| a)
        .filter(|a| partial.stances_held_by(a.id()).is_empty())
        .map(|a| spantag::model::edit::removal_edit(&partial, a.id()))
        .collect();
    apply(&mut partial, spantag::model::Edit::Batch(removals)).expect("untag");
    let input = dir.path().join("partial.ron");
    project_file::save(&partial, &input).expect("save");
    let output = dir.path().join("out.ron");
    let out = spantag(&[
        "predict".as_ref(),
        input.as_os_str(),
        "--model".as_ref(),
        model.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let predicted = project_file::load(&output).expect("output loads");
    assert_eq!(predicted.documents().len(), partial.documents().len());
    // Every tag of the input is still there, unchanged.
    for a in partial.annotations().values() {
        assert_eq!(predicted.annotation(a.id()), Some(a), "kept");
    }
    let marked: Vec<_> = predicted
        .annotations()
        .values()
        .filter(|a| a.attributes().get(PREDICTED_ATTRIBUTE).is_some())
        .collect();
    assert!(marked.len() >= 5, "the model finds names: {}", marked.len());
    for a in &marked {
        let confidence: f64 = a
            .attributes()
            .get(PREDICTED_ATTRIBUTE)
            .expect("value")
            .parse()
            .expect("a number");
        assert!((0.0..=1.0).contains(&confidence), "{confidence}");
    }
    for a in &marked {
        let doc = predicted.document_of(a.id()).expect("its document").id();
        let clash = predicted.annotations_of(doc).into_iter().any(|b| {
            b.id() != a.id()
                && b.kind().is_entity()
                && b.spans()
                    .iter()
                    .any(|s| a.spans().iter().any(|t| t.overlaps(s)))
        });
        assert!(!clash, "a prediction never overlaps a tag: {a:?}");
    }
}

#[test]
fn only_predictions_gives_a_project_for_agree() {
    let dir = tempfile::tempdir().expect("dir");
    let model = train(dir.path());
    let output = dir.path().join("only.ron");
    let out = spantag(&[
        "predict".as_ref(),
        example().as_os_str(),
        "--model".as_ref(),
        model.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--only-predictions".as_ref(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let only = project_file::load(&output).expect("loads");
    assert!(!only.annotations().is_empty());
    assert!(
        only.annotations()
            .values()
            .all(|a| a.kind().is_entity() && a.attributes().get(PREDICTED_ATTRIBUTE).is_some()),
        "the model's entities only"
    );
    let agree = spantag(&[
        "agree".as_ref(),
        example().as_os_str(),
        output.as_os_str(),
        "--json".as_ref(),
    ]);
    assert!(agree.status.success(), "{}", stderr(&agree));
    let json: serde_json::Value = serde_json::from_slice(&agree.stdout).expect("json");
    let f1 = json["entities"]["exact"]["overall"]["f1"]
        .as_f64()
        .expect("f1");
    assert!(
        f1 > 0.5,
        "a model re-finds most of what it learned from: {f1}"
    );
}

/// Runs a command that must fail: exit 1, a one-line message containing `expected`, and
/// no `output` file.
fn refused(args: &[&std::ffi::OsStr], expected: &str, output: &Path) {
    let out = spantag(args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains(expected), "{expected} in {message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(!output.exists(), "no output left behind");
}

#[test]
fn refusals_are_exit_1_with_a_message_and_no_output() {
    let dir = tempfile::tempdir().expect("dir");
    let model = train(dir.path());
    let output = dir.path().join("out.ron");
    let untagged = dir.path().join("untagged.ron");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/corpus");
    let out = spantag(&[
        "new".as_ref(),
        corpus.as_os_str(),
        "-o".as_ref(),
        untagged.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let no_model = dir.path().join("none.model");

    // Nothing to learn: no entity tags, or no document marked done.
    refused(
        &[
            "train".as_ref(),
            untagged.as_os_str(),
            "-o".as_ref(),
            no_model.as_os_str(),
        ],
        "nothing to learn",
        &no_model,
    );
    let mut not_done = project_file::load(&example()).expect("example");
    for doc in not_done
        .documents()
        .iter()
        .map(|d| d.id().clone())
        .collect::<Vec<_>>()
    {
        apply(
            &mut not_done,
            spantag::model::Edit::SetStatus {
                doc,
                status: spantag::model::DocStatus::InProgress,
            },
        )
        .expect("status");
    }
    let in_progress = dir.path().join("in-progress.ron");
    project_file::save(&not_done, &in_progress).expect("save");
    refused(
        &[
            "train".as_ref(),
            in_progress.as_os_str(),
            "-o".as_ref(),
            no_model.as_os_str(),
            "--documents".as_ref(),
            "done".as_ref(),
        ],
        "nothing to learn",
        &no_model,
    );

    // A model of labels the project's schema lacks.
    let mut other = project_file::load(&example()).expect("example");
    let edit = schema_edit::remove_entity_type(&other, "PER");
    apply(&mut other, edit).expect("remove PER");
    let other_path = dir.path().join("other.ron");
    project_file::save(&other, &other_path).expect("save");
    let predict = |project: &Path, model: &Path| -> Vec<std::ffi::OsString> {
        vec![
            "predict".into(),
            project.into(),
            "--model".into(),
            model.into(),
            "-o".into(),
            output.clone().into(),
        ]
    };
    let args = predict(&other_path, &model);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    refused(&args, "PER", &output);

    // Damaged, cut short, newer, not a model, missing.
    let bytes = std::fs::read(&model).expect("model");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.model", bytes[..bytes.len() / 2].to_vec(), "damaged"),
        ("header.model", bytes[..20].to_vec(), "damaged"),
        (
            "flipped.model",
            {
                let mut b = bytes.clone();
                let at = b.len() - 40;
                b[at] ^= 0x55;
                b
            },
            "damaged",
        ),
        (
            "newer.model",
            {
                let mut b = bytes.clone();
                let at = b
                    .windows(9)
                    .position(|w| w == b"version:2")
                    .expect("the header holds the version");
                b[at + 8] = b'7';
                b
            },
            "newer",
        ),
        ("text.model", b"hello\n".to_vec(), "not a spantag model"),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        let args = predict(&example(), &path);
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        refused(&args, expected, &output);
        let out = spantag(&args);
        assert!(
            stderr(&out).contains(name),
            "the message names the model file"
        );
    }
    let args = predict(&example(), &no_model);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    refused(&args, "none.model", &output);
}
