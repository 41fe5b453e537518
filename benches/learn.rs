//! Quality and speed of the entity recommender (issue 13) on public Dutch NER data:
//! entity-level exact-match F1 (the measure of CoNLL's `conlleval`), a learning curve,
//! training seconds, and prediction time over the generated 10,000-document project.
//!
//! Data, read where it is and never copied into the project:
//! - CoNLL-2002 Dutch: the folder holding `ned.train` and `ned.testb` (latin-1, with
//!   `-DOCSTART-` lines), given as `SPANTAG_CONLL2002=DIR`; skipped when not given.
//! - Europeana Dutch newspapers: `../shared/data/europeana-nl/enp_NL.kb.bio` beside the
//!   checkout (or `SPANTAG_EUROPEANA=FILE`): no sentence breaks, so sentences end after
//!   `.`, `!` and `?`; the first 80 % of sentences train, the last 20 % test.
//!
//! Both go through the product's own code: the CoNLL importer builds the projects, the
//! recommender trains and predicts on them as `spantag train` / `predict` do, and
//! `agree::compare` scores the predictions against the gold project.
//!
//! `SPANTAG_CONLL2002=/data/conll2002 CARGO_TARGET_DIR=target/bench cargo bench --bench learn`
//! (add `-- quick` to skip the learning curves; `SPANTAG_LEARN_MODEL=M.model` runs only the
//! prediction over the generated project, with a model `spantag train` wrote;
//! `SPANTAG_LEARN_ITERATIONS`, `SPANTAG_LEARN_C1`, `SPANTAG_LEARN_C2`,
//! `SPANTAG_LEARN_CLUSTERS`, `SPANTAG_LEARN_CLUSTER_MIN_COUNT` try other settings).

use spantag::corpus::agree;
use spantag::corpus::generate::{Spec, generate};
use spantag::corpus::learn::{self, Recommender, TrainOptions, TrainingSet};
use spantag::formats::{self, ImportFormat};
use spantag::io::project_file;
use spantag::model::{Project, apply};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    // Only the prediction over the generated project, with a model `spantag train` wrote.
    if let Some(model) = std::env::var_os("SPANTAG_LEARN_MODEL") {
        let model = learn::file::load(Path::new(&model)).unwrap_or_else(|e| panic!("{e}"));
        predict_big(&model);
        return;
    }
    let mut models = Vec::new();
    match std::env::var_os("SPANTAG_CONLL2002") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let train = import(&dir.join("ned.train"));
            let test = import(&dir.join("ned.testb"));
            // The unlabeled text word clusters learn from: the three parts' words, never
            // their labels (ned.testa only when present).
            let testa = dir.join("ned.testa");
            let mut unlabeled = vec![&train, &test];
            let development = testa.is_file().then(|| import(&testa));
            unlabeled.extend(development.as_ref());
            models.push(run(
                "CoNLL-2002 Dutch (ned.train → ned.testb)",
                &train,
                &test,
                quick,
                &unlabeled,
            ));
        }
        None => println!("SPANTAG_CONLL2002 not set: CoNLL-2002 Dutch skipped"),
    }
    let europeana = std::env::var_os("SPANTAG_EUROPEANA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/europeana-nl/enp_NL.kb.bio")
        });
    if europeana.is_file() {
        let (train, test) = europeana_split(&europeana);
        models.push(run(
            "Europeana Dutch newspapers (80/20)",
            &train,
            &test,
            quick,
            &[&train, &test],
        ));
    } else {
        println!("{}: not found, Europeana skipped", europeana.display());
    }
    if let Some(model) = models.first() {
        predict_big(model);
    }
}

/// A project from a CoNLL file, through the importer.
fn import(path: &Path) -> Project {
    let mut project = Project::empty(project_file::default_schema());
    let (edit, _report) =
        formats::import(&mut project, path, Some(ImportFormat::Conll), &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
    apply(&mut project, edit).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    project
}

/// The Europeana file cut into sentences, 80/20, as two projects.
fn europeana_split(path: &Path) -> (Project, Project) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let mut sentences: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let token = line.split_whitespace().next().unwrap_or("");
        if let Some(current) = sentences.last_mut() {
            current.push(line);
        }
        if matches!(token, "." | "!" | "?") {
            sentences.push(Vec::new());
        }
    }
    sentences.retain(|s| !s.is_empty());
    let cut = sentences.len() * 8 / 10;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, part: &[Vec<&str>]| {
        let file = dir.path().join(name);
        let mut out = std::fs::File::create(&file).unwrap_or_else(|e| panic!("{e}"));
        for (i, sentence) in part.iter().enumerate() {
            // A document every 50 sentences, so prediction runs on several.
            if i % 50 == 0 {
                let _ = writeln!(out, "-DOCSTART- O\n");
            }
            for line in sentence {
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out);
        }
        import(&file)
    };
    (
        write("europeana-train.conll", &sentences[..cut]),
        write("europeana-test.conll", &sentences[cut..]),
    )
}

/// The first `n` sentences of `set`.
fn first(set: &TrainingSet, n: usize) -> TrainingSet {
    let mut part = set.clone();
    part.sentences.truncate(n);
    part.tags = part
        .sentences
        .iter()
        .flat_map(|(s, _)| &s.labels)
        .filter(|l| l.starts_with("B-"))
        .count();
    part
}

/// Exact-match precision, recall and F1 of `recommender` on `gold`, and the seconds
/// prediction took.
fn evaluate(recommender: &Recommender, gold: &Project) -> (agree::Prf, f64) {
    let mut predicted = learn::without_annotations(gold).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let predictions = learn::predict(&predicted, recommender).unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    let edit = learn::prediction_edit(&mut predicted, &predictions.entities);
    apply(&mut predicted, edit).unwrap_or_else(|e| panic!("{e}"));
    let agreement = agree::compare(gold, &predicted).unwrap_or_else(|e| panic!("{e}"));
    (agreement.entities.exact.overall, seconds)
}

/// This thread's CPU seconds so far (Linux: `/proc/thread-self/stat`, in clock ticks of
/// 1/100 s), or `None` elsewhere. Training runs on one thread, and the machine is shared:
/// CPU time is what the training cost, wall time what it took amid other work.
fn thread_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/thread-self/stat")
}

/// The CPU seconds of every thread of this process so far (prediction runs on every
/// core), or `None` elsewhere than Linux.
fn process_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/self/stat")
}

/// User + system CPU seconds from a `/proc` stat file.
fn cpu_seconds(stat_file: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_file).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the line (utime, stime) are 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Trains on `set`: the recommender, wall seconds and this thread's CPU seconds (as
/// text, "–" where the system does not say).
fn timed_training(set: &TrainingSet, options: &TrainOptions) -> (Recommender, f64, String) {
    let started = Instant::now();
    let cpu_before = thread_cpu_seconds();
    let recommender = learn::train(set, options).unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, thread_cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.1}", b - a),
        _ => "–".to_owned(),
    };
    (recommender, seconds, cpu)
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{:.2}", x * 100.0))
}

/// Trains on `train` (learning curve, then all of it) and scores on `test`; then all of
/// it again with word clusters learned from the text of `unlabeled` (no labels read).
fn run(
    name: &str,
    train: &Project,
    test: &Project,
    quick: bool,
    unlabeled: &[&Project],
) -> Recommender {
    let mut set = learn::training_set(train, learn::DocumentChoice::Tagged);
    // What `spantag train` learns with: clusters of the training project's own text. The
    // curve and the first full row go without clusters.
    let own_clusters = std::mem::take(&mut set.context.clusters);
    println!("\n### {name}\n");
    println!(
        "training: {} sentences, {} tokens, {} tags; test: {} documents\n",
        set.sentences.len(),
        set.tokens(),
        set.tags,
        test.documents().len()
    );
    // Knobs for trying settings (the defaults are the product's).
    let knob = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    let defaults = TrainOptions::default();
    let options = TrainOptions {
        iterations: knob("SPANTAG_LEARN_ITERATIONS").map_or(defaults.iterations, |v| v as usize),
        c1: knob("SPANTAG_LEARN_C1").unwrap_or(defaults.c1),
        c2: knob("SPANTAG_LEARN_C2").unwrap_or(defaults.c2),
        ..defaults
    };
    println!(
        "L-BFGS: {} iterations at most, c1 = {}, c2 = {}\n",
        options.iterations, options.c1, options.c2
    );
    println!(
        "| training sentences | tokens | train s (wall) | train s (CPU) | predict s | P | R | F1 |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick { &[] } else { &[100, 500, 2000] };
    let mut last = None;
    // Curve points below the full size, then the full set (once).
    let below = sizes.iter().filter(|&&n| n < set.sentences.len());
    for &n in below.chain([&usize::MAX]) {
        let part = first(&set, n);
        let (recommender, train_seconds, train_cpu) = timed_training(&part, &options);
        let (prf, predict_seconds) = evaluate(&recommender, test);
        println!(
            "| {} | {} | {train_seconds:.1} | {train_cpu} | {predict_seconds:.2} | {} | {} | **{}** |",
            part.sentences.len(),
            part.tokens(),
            percent(prf.precision),
            percent(prf.recall),
            percent(prf.f1)
        );
        last = Some(recommender);
    }
    // The same with word clusters: of the training text alone (what `spantag train`
    // does), then of all the unlabeled text.
    let started = Instant::now();
    let sentences: Vec<Vec<&str>> = unlabeled
        .iter()
        .flat_map(|p| p.documents())
        .flat_map(spantag::formats::tokens::sentence_pieces)
        .map(|s| s.into_iter().map(|(_, w)| w).collect())
        .collect();
    let cluster_defaults = learn::clusters::ClusterOptions::default();
    let cluster_options = learn::clusters::ClusterOptions {
        clusters: knob("SPANTAG_LEARN_CLUSTERS").map_or(cluster_defaults.clusters, |v| v as usize),
        min_count: knob("SPANTAG_LEARN_CLUSTER_MIN_COUNT")
            .map_or(cluster_defaults.min_count, |v| v as u32),
        ..cluster_defaults
    };
    let all_clusters = learn::clusters::WordClusters::learn(&sentences, &cluster_options);
    println!(
        "\nword clusters of all the text: {} words of {} sentences in {} clusters (min count \
         {}), {:.1} s; of the training text: {} words\n",
        all_clusters.len(),
        sentences.len(),
        cluster_options.clusters,
        cluster_options.min_count,
        started.elapsed().as_secs_f64(),
        own_clusters.len()
    );
    // The model `spantag train` would make (clusters of the training text) goes on to the
    // prediction over the generated project.
    let mut product = None;
    for (what, clusters) in [
        ("the training text", own_clusters),
        ("all the text", all_clusters),
    ] {
        let mut clustered = set.clone();
        clustered.context.clusters = clusters;
        let (recommender, train_seconds, train_cpu) = timed_training(&clustered, &options);
        let (prf, predict_seconds) = evaluate(&recommender, test);
        println!(
            "| {} + clusters of {what} | {} | {train_seconds:.1} | {train_cpu} | \
             {predict_seconds:.2} | {} | {} | **{}** |",
            clustered.sentences.len(),
            clustered.tokens(),
            percent(prf.precision),
            percent(prf.recall),
            percent(prf.f1)
        );
        if product.is_none() {
            product = Some(recommender);
        }
    }
    product
        .or(last)
        .unwrap_or_else(|| unreachable!("the full set is always trained"))
}

/// Prediction over the generated 10,000-document benchmark project.
fn predict_big(recommender: &Recommender) {
    // What `spantag generate --documents 10000` writes (its defaults).
    let project = generate(&Spec {
        documents: 10_000,
        words_per_document: 500,
        spans_per_document: 30,
        seed: 1,
    });
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let predictions = learn::predict(&project, recommender).unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, process_cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.1}", b - a),
        _ => "–".to_owned(),
    };
    println!(
        "\nprediction over the generated project: {} documents, {} sentences, {} entities \
         found in {seconds:.2} s wall, {cpu} s CPU (all threads)",
        project.documents().len(),
        predictions.sentences.len(),
        predictions.entities.len()
    );
}
