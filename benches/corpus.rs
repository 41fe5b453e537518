//! Corpus-scale benchmarks: `cargo bench` (add `-- quick` for one run of each).
//!
//! Generates the big project (10,000 documents × 390 words, 30 spans each: ≈ 30 MB of text,
//! 300,000 spans) and the long document (100,000 words, 5,000 tags), then measures loading,
//! saving, headless egui frames of the real app (`Context::run_ui` without a window), search,
//! the CLI commands end to end and peak memory, each beside its physical floor. Prints one
//! Markdown table row per figure (median of several runs); BENCHMARKS.md records them.
//!
//! Plain std timing and no framework: every measured operation takes milliseconds to
//! seconds, far above timer resolution, and the medians are what the targets speak of.

mod common;
use common::*;

use spantag::app::session::Session;
use spantag::app::{Command, Settings, SpantagApp};
use spantag::corpus::generate::{Spec, generate};
use spantag::io::project_file;
use spantag::model::{CharOffset, Project};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child-open") {
        if let Some(path) = args.get(at + 1) {
            child_open(Path::new(path));
        }
        return;
    }
    let quick = args.iter().any(|a| a == "quick");
    let runs = if quick { 1 } else { 5 };
    // `cargo bench --bench corpus -- quick long search` runs only the named sections
    // (load, window, long, relations, search, cli, memory); no name runs them all.
    const SECTIONS: [&str; 7] = [
        "load",
        "window",
        "long",
        "relations",
        "search",
        "cli",
        "memory",
    ];
    let chosen = chosen_sections(&args, &SECTIONS);
    let section = |name: &str| chosen.contains(&name);
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
    machine();
    println!("| figure | median | floor / target | note |");
    println!("|---|---|---|---|");

    // --- the generator and the big project on disk -------------------------------------
    let spec = Spec {
        documents: 10_000,
        // 390 generated words average ≈ 3 KB: 10k documents make the 30 MB corpus.
        words_per_document: 390,
        spans_per_document: 30,
        seed: 1,
    };
    let t = Instant::now();
    let big = generate(&spec);
    let text_bytes: usize = big
        .documents()
        .iter()
        .map(|d| d.text().as_str().len())
        .sum();
    row(
        "generate 10k docs / 300k spans",
        t.elapsed(),
        "",
        &format!(
            "{:.1} MB text, {} annotations",
            text_bytes as f64 / 1e6,
            big.annotations().len()
        ),
    );
    let ron_path = dir.path().join("big.ron");
    if !section("load") {
        project_file::save(&big, &ron_path).unwrap_or_else(|e| fail(&e.to_string()));
    } else {
        load_and_save(&big, &ron_path, runs);
    }
    if section("window") {
        window(&big, &ron_path, dir.path(), runs);
    }
    if section("long") {
        let long = generate(&Spec {
            documents: 1,
            words_per_document: 100_000,
            spans_per_document: 5_000,
            seed: 2,
        });
        long_document_frames(long);
    }
    if section("relations") {
        let long = generate(&Spec {
            documents: 1,
            words_per_document: 100_000,
            spans_per_document: 5_000,
            seed: 2,
        });
        relation_frames(with_relations(long, 2_000));
    }
    if section("search") {
        // The project as the window holds it after opening the file (the generated one
        // was built edit by edit, its annotations scattered over the heap).
        let opened = project_file::load(&ron_path).unwrap_or_else(|e| fail(&e.to_string()));
        search(&opened, &big, runs);
    }
    if section("cli") {
        cli(&big, &ron_path, dir.path(), runs.min(3));
    }
    if section("memory") {
        memory(&ron_path, text_bytes);
    }
}

/// Saving and loading the big project file, beside serde_json floors; cloning it.
fn load_and_save(big: &Project, ron_path: &Path, runs: usize) {
    let save = median(runs.min(3), || {
        let t = Instant::now();
        project_file::save(big, ron_path).unwrap_or_else(|e| fail(&e.to_string()));
        t.elapsed()
    });
    let ron_bytes = std::fs::metadata(ron_path).map_or(0, |m| m.len());
    let read = median(runs, || {
        let t = Instant::now();
        let bytes = std::fs::read(ron_path).unwrap_or_default();
        std::hint::black_box(bytes.len());
        t.elapsed()
    });
    let (json_write, json_parse) = serde_json_floor(big, runs.min(3));
    row(
        "save (project_file::save, RON, atomic + .bak)",
        save,
        &format!("serde_json write of the same data {}", ms(json_write)),
        &format!("{:.1} MB RON", ron_bytes as f64 / 1e6),
    );
    let load = median(runs.min(3), || {
        let t = Instant::now();
        let p = project_file::load(ron_path).unwrap_or_else(|e| fail(&e.to_string()));
        std::hint::black_box(p.annotations().len());
        t.elapsed()
    });
    row(
        "load (project_file::load, parallel RON parse)",
        load,
        &format!(
            "read {}; serde_json parse {}; target ≤ 1000 ms",
            ms(read),
            ms(json_parse)
        ),
        "",
    );

    let clone = median(runs.min(3), || {
        let t = Instant::now();
        let copy = big.clone();
        let took = t.elapsed();
        drop(copy);
        took
    });
    row(
        "Project::clone of the big project",
        clone,
        "one frame = 16 ms",
        "what autosave did on the UI thread before each recovery write (round 1)",
    );
}

/// The window on the big project, headless: opening it in the background, saving it in
/// the background, switching documents, an autosave.
fn window(big: &Project, ron_path: &Path, dir: &Path, runs: usize) {
    let empty_first = median(runs, || {
        let ctx = egui::Context::default();
        let t = Instant::now();
        let _ = ctx.run_ui(input(0.0, 1280.0, Vec::new()), |ui| {
            ui.label("empty");
        });
        t.elapsed()
    });
    row("first frame, empty egui app", empty_first, "", "baseline");
    let mut opened = open_in_background(ron_path, big);
    row(
        "first frame, app opening the big project",
        opened.first_frame,
        &format!(
            "target ≤ empty + 150 ms = {}",
            ms(empty_first + Duration::from_millis(150))
        ),
        "app creation + frame; load runs on a thread",
    );
    row(
        "opened: fully loaded (frames running)",
        opened.loaded,
        "target ≤ 1000 ms",
        &format!("{} frames, slowest {}", opened.frames, ms(opened.slowest)),
    );
    let saved = save_in_background(&mut opened.app, &opened.ctx, &dir.join("again.ron"));
    row(
        "background save: until written",
        saved.0,
        "no frame > 16 ms",
        &format!("{} frames, slowest {}", saved.1, ms(saved.2)),
    );
    let switch = switch_document(&mut opened.app, &opened.ctx);
    row(
        "switch document: the frame that shows it",
        switch,
        "target: next frame",
        "Alt+Down equivalent, 10k-document project",
    );
    let export = export_frames(&mut opened.app, &opened.ctx, &dir.join("window.jsonl"));
    row(
        "export spans from the window: slowest frame",
        export.2,
        "no frame > 16 ms",
        &format!(
            "{} frames, written after {}; the worker shares the project",
            export.1,
            ms(export.0)
        ),
    );
    let autosave = autosave_frames(&mut opened.app, &opened.ctx, &dir.join("recovery"));
    row(
        "autosave of the big project: slowest frame",
        autosave.2,
        "no frame > 16 ms",
        &format!(
            "{} frames, recovery copy written after {}",
            autosave.1,
            ms(autosave.0)
        ),
    );
    drop(opened);
}

/// Peak memory of the app with the big project open, measured in a child process.
fn memory(ron_path: &Path, text_bytes: usize) {
    if let Ok(exe) = std::env::current_exe()
        && let Ok(out) = Process::new(exe).arg("--child-open").arg(ron_path).output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        let mut kb = text
            .split_whitespace()
            .map(|n| n.parse::<f64>().unwrap_or(0.0));
        let peak_kb = kb.next().unwrap_or(0.0);
        let rss_kb = kb.next().unwrap_or(0.0);
        row_text(
            "peak memory, app with the big project open (VmHWM)",
            &format!("{:.0} MB", peak_kb / 1024.0),
            &format!(
                "target ≤ 4 × text = {:.0} MB",
                4.0 * text_bytes as f64 / 1e6
            ),
            &format!(
                "{:.1} × text; resident once loaded (VmRSS) {:.0} MB = {:.1} × text",
                peak_kb * 1024.0 / text_bytes as f64,
                rss_kb / 1024.0,
                rss_kb * 1024.0 / text_bytes as f64
            ),
        );
    }
}

/// Exports spans from the window (on a worker thread) and draws frames until written;
/// returns the time until written, frames drawn and the slowest frame.
fn export_frames(
    app: &mut SpantagApp,
    ctx: &egui::Context,
    out: &Path,
) -> (Duration, usize, Duration) {
    app.send(Command::ExportTo(
        spantag::formats::ExportFormat::Spans,
        out.to_owned(),
    ));
    let drawn = frames_until(app, ctx, 400.0, |app| app.transfer.is_none());
    if !out.is_file() {
        fail("the export from the window wrote nothing");
    }
    app.dialog = None;
    drawn
}

/// Draws frames (8 ms apart, the clock starting at `time`) until `done` holds after the
/// first; returns the time until then, frames drawn and the slowest frame.
fn frames_until(
    app: &mut SpantagApp,
    ctx: &egui::Context,
    mut time: f64,
    done: impl Fn(&SpantagApp) -> bool,
) -> (Duration, usize, Duration) {
    let mut frame = eframe::Frame::_new_kittest();
    let (mut frames, mut slowest) = (0, Duration::ZERO);
    let t = Instant::now();
    loop {
        let f = Instant::now();
        let _ = ctx.run_ui(input(time, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        slowest = slowest.max(f.elapsed());
        frames += 1;
        if frames > 1 && done(app) || frames > 5000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(8));
        time += 1.0 / 60.0;
    }
    (t.elapsed(), frames, slowest)
}

/// Makes the project dirty and lets the app's autosaver write a recovery copy (the
/// window losing focus makes it due at once); returns the time until written, frames
/// drawn and the slowest frame.
fn autosave_frames(
    app: &mut SpantagApp,
    ctx: &egui::Context,
    recovery: &Path,
) -> (Duration, usize, Duration) {
    let mut frame = eframe::Frame::_new_kittest();
    app.autosaver = Some(spantag::app::autosave::Autosaver::new(recovery.to_owned()));
    app.session.select_word(CharOffset(0));
    app.send(Command::Tag("EVENT".to_owned()));
    let (mut frames, mut slowest, mut time) = (0, Duration::ZERO, 300.0);
    let t = Instant::now();
    loop {
        let events = if frames == 1 {
            vec![egui::Event::WindowFocused(false)]
        } else {
            Vec::new()
        };
        let f = Instant::now();
        let _ = ctx.run_ui(input(time, 1280.0, events), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        slowest = slowest.max(f.elapsed());
        frames += 1;
        let written = spantag::app::autosave::find_recoveries(recovery).len() == 1;
        if frames > 2 && written || frames > 2000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(8));
        time += 1.0 / 60.0;
    }
    if let Some(saver) = &mut app.autosaver {
        saver.wait();
    }
    let elapsed = t.elapsed();
    if spantag::app::autosave::find_recoveries(recovery).len() != 1 {
        fail("the autosaver wrote no recovery copy");
    }
    app.autosaver = None;
    (elapsed, frames, slowest)
}

/// Child process: the app opens a project in the background, draws until loaded, then
/// prints its peak resident memory in kB.
fn child_open(path: &Path) {
    let ctx = egui::Context::default();
    let mut app = SpantagApp::with_session(empty_session(), Settings::default());
    app.jobs.open(&app.session, path.to_owned());
    let mut frame = eframe::Frame::_new_kittest();
    let mut time = 0.0;
    while app.jobs.load.is_some() {
        let _ = ctx.run_ui(input(time, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(&mut app, ui, &mut frame)
        });
        time += 1.0 / 60.0;
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..3 {
        let _ = ctx.run_ui(input(time, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(&mut app, ui, &mut frame)
        });
        time += 1.0 / 60.0;
    }
    println!(
        "{} {}",
        status_kb("VmHWM:").unwrap_or(0),
        status_kb("VmRSS:").unwrap_or(0)
    );
}

fn empty_session() -> Session {
    Session::unsaved(
        Project::new(project_file::default_schema(), Vec::new())
            .unwrap_or_else(|e| fail(&e.to_string())),
    )
}

/// The app after opening a project in the background.
struct Opened {
    ctx: egui::Context,
    app: SpantagApp,
    first_frame: Duration,
    loaded: Duration,
    frames: usize,
    slowest: Duration,
}

/// Creates the app on a big project the way `spantag BIG.ron` does, and draws frames at
/// about 60 per second until it is loaded.
fn open_in_background(path: &Path, expected: &Project) -> Opened {
    let ctx = egui::Context::default();
    let mut frame = eframe::Frame::_new_kittest();
    let t = Instant::now();
    let mut app = SpantagApp::with_session(empty_session(), Settings::default());
    app.jobs.open(&app.session, path.to_owned());
    let _ = ctx.run_ui(input(0.0, 1280.0, Vec::new()), |ui| {
        eframe::App::ui(&mut app, ui, &mut frame)
    });
    let first_frame = t.elapsed();
    let (mut frames, mut slowest, mut time) = (1, Duration::ZERO, 0.0);
    while app.jobs.load.is_some() {
        std::thread::sleep(Duration::from_millis(8));
        time += 1.0 / 60.0;
        let f = Instant::now();
        let _ = ctx.run_ui(input(time, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(&mut app, ui, &mut frame)
        });
        slowest = slowest.max(f.elapsed());
        frames += 1;
    }
    let loaded = t.elapsed();
    if app.session.project.annotations().len() != expected.annotations().len() {
        fail(&format!("background load did not finish: {}", app.status));
    }
    Opened {
        ctx,
        app,
        first_frame,
        loaded,
        frames,
        slowest,
    }
}

/// Saves through the app's Save command; returns the time until written, frames drawn and
/// the slowest frame.
fn save_in_background(
    app: &mut SpantagApp,
    ctx: &egui::Context,
    path: &Path,
) -> (Duration, usize, Duration) {
    app.send(Command::SaveTo(path.to_owned()));
    let drawn = frames_until(app, ctx, 100.0, |app| app.jobs.save.is_none());
    if app.session.history.is_dirty() || !path.is_file() {
        fail(&format!("background save failed: {}", app.status));
    }
    drawn
}

/// Switches to a far-away document; returns the duration of the frame that shows it.
fn switch_document(app: &mut SpantagApp, ctx: &egui::Context) -> Duration {
    let mut frame = eframe::Frame::_new_kittest();
    let mut times = Vec::new();
    for (k, target) in [5_000usize, 9_999, 17, 4_242, 8_000]
        .into_iter()
        .enumerate()
    {
        let time = 200.0 + k as f64;
        app.send(Command::OpenDocument(target));
        // The command runs at the end of this frame; the next frame draws the document.
        let _ = ctx.run_ui(input(time, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        let t = Instant::now();
        let _ = ctx.run_ui(input(time + 0.016, 1280.0, Vec::new()), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        times.push(t.elapsed());
        if app.session.current != target || app.char_rect(CharOffset(0)).is_none() {
            fail("the switched-to document was not drawn in the next frame");
        }
    }
    times.sort();
    times[times.len() / 2]
}

/// Frames of the 100k-word document: first, idle, scrolling, resizing, and the frame after
/// tagging.
fn long_document_frames(project: Project) {
    let chars = project.documents()[0].text().char_len();
    let ctx = egui::Context::default();
    let mut frame = eframe::Frame::_new_kittest();
    let mut app = SpantagApp::with_session(Session::unsaved(project), Settings::default());
    let mut time = 0.0;
    let mut run = |app: &mut SpantagApp, width: f32, events: Vec<egui::Event>, time: &mut f64| {
        *time += 1.0 / 60.0;
        let t = Instant::now();
        let _ = ctx.run_ui(input(*time, width, events), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        t.elapsed()
    };
    let first = run(&mut app, 1280.0, Vec::new(), &mut time);
    row(
        "100k words / 5k tags: first frame",
        first,
        "",
        &format!("{chars} characters"),
    );
    steady_frame_rows(&mut app, &mut time, &mut run, "100k words");
    // A new tag: select a visible word, press the label, and time the frame that draws it.
    for _ in 0..3 {
        run(&mut app, 1280.0, Vec::new(), &mut time);
    }
    let mut tag_frames = Vec::new();
    for k in 0..5 {
        let Some(at) = (0..chars)
            .step_by(7)
            .skip(k * 40)
            .map(CharOffset)
            .find(|c| app.char_rect(*c).is_some())
        else {
            fail("no character of the long document on screen");
        };
        app.session.select_word(at);
        app.send(Command::Tag("EVENT".to_owned()));
        run(&mut app, 1280.0, Vec::new(), &mut time);
        let tagged = app.session.selected;
        let next = run(&mut app, 1280.0, Vec::new(), &mut time);
        let shown = tagged.is_some_and(|id| app.view.chip_rect(id).is_some());
        if !shown {
            fail("a new tag did not show in the next frame");
        }
        tag_frames.push(next);
    }
    row(
        "100k words: the frame after tagging",
        median_of(&tag_frames),
        "target: shown in the next frame",
        "chip of the new tag is on screen in that frame",
    );
}

/// The project with `count` relations added between its tags, as annotators make them:
/// mostly to a tag one to three places further on (short arcs that stack), every tenth to
/// one 20 to 60 places on (long arcs spanning many others, often off screen).
fn with_relations(mut project: Project, count: usize) -> Project {
    use spantag::model::{Edit, Relation, RelationType, apply, schema::relation_color};
    let mut schema = project.schema().clone();
    let types = ["Works_for", "Located_in", "Alias", "Part_of"];
    schema.relation_types = types
        .iter()
        .enumerate()
        .map(|(i, name)| RelationType {
            directed: *name != "Alias",
            ..RelationType::any(name, relation_color(i))
        })
        .collect();
    let ids: Vec<_> = project
        .annotation_ids_of(project.documents()[0].id())
        .collect();
    let mut edits = vec![Edit::SetSchema(schema)];
    for k in 0..count {
        let from = ids[(k * 5 / 2) % ids.len()];
        let step = if k % 10 == 9 { 20 + k % 41 } else { 1 + k % 3 };
        let to = ids[((k * 5 / 2) + step) % ids.len()];
        edits.push(Edit::AddRelation(Relation {
            id: project.allocate_relation_id(types[k % types.len()], from, to),
            label: types[k % types.len()].to_owned(),
            from,
            to,
        }));
    }
    apply(&mut project, Edit::Batch(edits)).unwrap_or_else(|e| fail(&e.to_string()));
    project
}

/// Frames of the 100k-word document with its relations drawn as arcs (and listed in the
/// side panel): idle, scrolling, resizing, and the frame after a new relation.
fn relation_frames(project: Project) {
    let relations = project.relations().len();
    let ctx = egui::Context::default();
    let mut frame = eframe::Frame::_new_kittest();
    let mut app = SpantagApp::with_session(Session::unsaved(project), Settings::default());
    let mut time = 0.0;
    let mut run = |app: &mut SpantagApp, width: f32, events: Vec<egui::Event>, time: &mut f64| {
        *time += 1.0 / 60.0;
        let t = Instant::now();
        let _ = ctx.run_ui(input(*time, width, events), |ui| {
            eframe::App::ui(app, ui, &mut frame)
        });
        t.elapsed()
    };
    let first = run(&mut app, 1280.0, Vec::new(), &mut time);
    row(
        "100k words / 2k relations: first frame",
        first,
        "",
        &format!("{relations} relations, {} arcs", app.view.arc_count()),
    );
    steady_frame_rows(&mut app, &mut time, &mut run, "2k relations");
    // A new relation between two tags on screen: the frame after it shows its arc. (Back at
    // the full width first, so the tags on screen are those of this width.)
    for _ in 0..3 {
        run(&mut app, 1280.0, Vec::new(), &mut time);
    }
    let mut relate_frames = Vec::new();
    for k in 0..5 {
        let on_screen: Vec<_> = app
            .session
            .project
            .annotation_ids_of(app.session.project.documents()[0].id())
            .filter(|id| app.view.chip_rect(*id).is_some())
            .collect();
        let (Some(&from), Some(&to)) = (on_screen.get(k), on_screen.get(k + 2)) else {
            fail("too few tags on screen to relate");
        };
        app.send(Command::CreateRelation {
            from,
            to,
            label: "Part_of".to_owned(),
        });
        run(&mut app, 1280.0, Vec::new(), &mut time);
        let created = app.session.selected_relation;
        let next = run(&mut app, 1280.0, Vec::new(), &mut time);
        let shown = created.is_some_and(|id| app.view.arc_label_rect(id).is_some());
        if !shown {
            fail("a new relation's arc did not show in the next frame");
        }
        relate_frames.push(next);
    }
    row(
        "2k relations: the frame after relating",
        median_of(&relate_frames),
        "target: shown in the next frame",
        "the new arc's label is on screen in that frame",
    );
}

/// Finding one string (`spantag::corpus::search`, as the search window does) and all tagged
/// strings at once (`spantag::corpus::suggest::SuggestionEngine`, as suggestions and tag-all do)
/// over the whole corpus, with code-point offsets as the app needs them.
fn search(project: &Project, generated: &Project, runs: usize) {
    use spantag::corpus::search::{SearchQuery, search as find};
    use spantag::corpus::suggest::{SuggestOptions, SuggestionEngine};
    let query = SearchQuery {
        case_sensitive: true,
        max_hits: usize::MAX,
        ..SearchQuery::plain("Zuckerberg")
    };
    let mut hits = 0;
    let one = median(runs, || {
        let t = Instant::now();
        let found = find(project, &query).unwrap_or_else(|e| fail(&e.to_string()));
        hits = found.hits.len();
        std::hint::black_box(found);
        t.elapsed()
    });
    let caseless = SearchQuery {
        max_hits: usize::MAX,
        ..SearchQuery::plain("zuckerberg")
    };
    let one_caseless = median(runs, || {
        let t = Instant::now();
        let found = find(project, &caseless).unwrap_or_else(|e| fail(&e.to_string()));
        std::hint::black_box(found);
        t.elapsed()
    });
    let options = SuggestOptions::default();
    let mut engine = None;
    let build = median(runs, || {
        let t = Instant::now();
        engine = Some(SuggestionEngine::build(project, &options));
        t.elapsed()
    });
    let Some(engine) = engine else {
        fail("no suggestion engine");
    };
    let mut suggestions = 0;
    let all = median(runs, || {
        let t = Instant::now();
        let found = engine.all(project);
        suggestions = found.len();
        std::hint::black_box(found);
        t.elapsed()
    });
    let all_generated = median(runs, || {
        let t = Instant::now();
        std::hint::black_box(engine.all(generated));
        t.elapsed()
    });
    let memchr = median(runs, || {
        let t = Instant::now();
        let n: usize = project
            .documents()
            .iter()
            .map(|d| d.text().as_str().matches('Z').count())
            .sum();
        std::hint::black_box(n);
        t.elapsed()
    });
    row(
        "find one string over 30 MB (search::search, case-sensitive)",
        one,
        &format!("scan of all text {}; target ≤ 50 ms", ms(memchr)),
        &format!("“Zuckerberg”, {hits} hits with context, char offsets"),
    );
    row(
        "find one string over 30 MB (search::search, any case)",
        one_caseless,
        "target ≤ 50 ms",
        "the search window's default",
    );
    row(
        "build the suggestion engine (SuggestionEngine::build)",
        build,
        "",
        &format!(
            "{} patterns from 240k entity tags; once per project",
            engine.pattern_count()
        ),
    );
    row(
        "find all tagged strings at once (SuggestionEngine::all)",
        all,
        "target ≤ 50 ms",
        &format!(
            "{suggestions} untagged occurrences over 30 MB, in the opened project; {} in \
             the project as generated edit by edit",
            ms(all_generated)
        ),
    );
}

/// The CLI commands as a user runs them, through the release binary.
fn cli(project: &Project, ron_path: &Path, dir: &Path, runs: usize) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_spantag"));
    let spans = dir.join("out.jsonl");
    let export = median(runs, || {
        timed(
            Process::new(&bin)
                .arg("export")
                .arg(ron_path)
                .args(["--format", "spans", "-o"])
                .arg(&spans),
        )
    });
    let spans_size = std::fs::metadata(&spans).map_or(0, |m| m.len());
    let floor = median(runs, || {
        let t = Instant::now();
        let lines: usize = project.annotations().len();
        std::hint::black_box(lines);
        let _ = std::fs::write(dir.join("floor.bin"), vec![b'x'; spans_size as usize]);
        t.elapsed()
    });
    row(
        "`spantag export --format spans` (300k spans)",
        export,
        &format!("writing the same bytes {}; target ≤ 500 ms", ms(floor)),
        &format!(
            "{:.0} MB JSONL, includes loading the project",
            spans_size as f64 / 1e6
        ),
    );
    let stats = median(runs, || {
        timed(Process::new(&bin).arg("stats").arg(ron_path))
    });
    row(
        "`spantag stats` on the big project",
        stats,
        "target ≤ 1200 ms",
        "end to end, process start to exit",
    );
    let doccano = dir.join("corpus.jsonl");
    if let Err(e) = spantag::formats::export(
        project,
        spantag::formats::ExportFormat::Doccano,
        &doccano,
        &mut |_| {},
    ) {
        fail(&e.to_string());
    }
    let doccano_size = std::fs::metadata(&doccano).map_or(0, |m| m.len());
    let parse_floor = median(runs, || {
        let t = Instant::now();
        let text = std::fs::read_to_string(&doccano).unwrap_or_default();
        let n = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .count();
        std::hint::black_box(n);
        t.elapsed()
    });
    let import = median(runs, || {
        let out = dir.join("imported.ron");
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(dir.join("imported.ron.bak"));
        timed(
            Process::new(&bin)
                .arg("import")
                .arg(&doccano)
                .args(["--format", "doccano", "-o"])
                .arg(&out),
        )
    });
    row(
        "`spantag import` doccano JSONL into a new project",
        import,
        &format!(
            "read + serde_json::Value parse {}; target ≤ 1500 ms",
            ms(parse_floor)
        ),
        &format!(
            "{:.0} MB, 10k lines; includes saving the project",
            doccano_size as f64 / 1e6
        ),
    );
    for (name, args) in [
        (
            "stats",
            vec!["stats".to_owned(), ron_path.display().to_string()],
        ),
        (
            "export spans",
            vec![
                "export".to_owned(),
                ron_path.display().to_string(),
                "--format".to_owned(),
                "spans".to_owned(),
                "-o".to_owned(),
                spans.display().to_string(),
            ],
        ),
    ] {
        if let Some(kb) = peak_kb_of(&bin, &args) {
            row_text(
                &format!("peak memory, `spantag {name}`"),
                &format!("{:.0} MB", kb as f64 / 1024.0),
                "",
                "/usr/bin/time -v, maximum resident set",
            );
        }
    }
}

/// Runs a command to its end; its wall time.
fn timed(command: &mut Process) -> Duration {
    let t = Instant::now();
    match command.output() {
        Ok(out) if out.status.success() => t.elapsed(),
        Ok(out) => fail(&String::from_utf8_lossy(&out.stderr)),
        Err(e) => fail(&e.to_string()),
    }
}

/// Peak resident memory of a command in kB, through `/usr/bin/time -v` where installed.
fn peak_kb_of(bin: &Path, args: &[String]) -> Option<u64> {
    let out = Process::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .args(args)
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("Maximum resident set size"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

/// The same documents and spans as JSON through serde_json: write and parse times.
fn serde_json_floor(project: &Project, runs: usize) -> (Duration, Duration) {
    /// An annotation as JSON: id, spans, label, note.
    type Ann = (u64, Vec<(usize, usize)>, String, Option<String>);
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Doc {
        id: String,
        title: String,
        hash: String,
        text: String,
        annotations: Vec<Ann>,
    }
    let docs: Vec<Doc> = project
        .documents()
        .iter()
        .map(|d| Doc {
            id: d.id().0.to_string(),
            title: d.title().to_owned(),
            hash: d.hash().to_string(),
            text: d.text().as_str().to_owned(),
            annotations: project
                .annotations_of(d.id())
                .into_iter()
                .map(|a| {
                    (
                        a.id().0,
                        a.spans().iter().map(|s| (s.start().0, s.end().0)).collect(),
                        a.kind().display_label(),
                        a.note().map(str::to_owned),
                    )
                })
                .collect(),
        })
        .collect();
    let mut json = String::new();
    let write = median(runs, || {
        let t = Instant::now();
        json = serde_json::to_string(&docs).unwrap_or_default();
        t.elapsed()
    });
    let parse = median(runs, || {
        let t = Instant::now();
        let back: Vec<Doc> = serde_json::from_str(&json).unwrap_or_default();
        std::hint::black_box(back.len());
        t.elapsed()
    });
    (write, parse)
}

/// One frame's input: a 1280-wide (or `width`) by 800 screen at time `time`.
fn input(time: f64, width: f32, events: Vec<egui::Event>) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(width, 800.0),
        )),
        time: Some(time),
        events,
        ..Default::default()
    }
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let times: Vec<Duration> = (0..runs.max(1)).map(|_| f()).collect();
    median_of(&times)
}

/// Rows for the steady frames of the app on the long document (after a few to settle):
/// idle, scrolling (400 frames × 120 px) and resizing (the width changes every frame),
/// each as p95 with its median, named after `what`.
fn steady_frame_rows(
    app: &mut SpantagApp,
    time: &mut f64,
    run: &mut impl FnMut(&mut SpantagApp, f32, Vec<egui::Event>, &mut f64) -> Duration,
    what: &str,
) {
    for _ in 0..5 {
        run(app, 1280.0, Vec::new(), time);
    }
    let idle: Vec<Duration> = (0..200)
        .map(|_| run(app, 1280.0, Vec::new(), time))
        .collect();
    row(
        &format!("{what}: idle frame p95"),
        p95(&idle),
        "target ≤ 1 ms",
        &format!("median {}", ms(median_of(&idle))),
    );
    let over_text = egui::pos2(640.0, 400.0);
    let scroll: Vec<Duration> = (0..400)
        .map(|_| {
            let events = wheel_at(over_text, -120.0);
            run(app, 1280.0, events, time)
        })
        .collect();
    row(
        &format!("{what}: scrolling frame p95"),
        p95(&scroll),
        "target ≤ 8 ms",
        &format!("median {}, 400 frames × 120 px", ms(median_of(&scroll))),
    );
    let resize: Vec<Duration> = (0..200)
        .map(|i| {
            let width = 1280.0 - (i % 100) as f32 * 3.0;
            run(app, width, Vec::new(), time)
        })
        .collect();
    row(
        &format!("{what}: resizing frame p95"),
        p95(&resize),
        "target ≤ 8 ms",
        &format!(
            "median {}, width changes every frame",
            ms(median_of(&resize))
        ),
    );
}

fn median_of(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn p95(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = (sorted.len() * 95 / 100).min(sorted.len().saturating_sub(1));
    sorted.get(at).copied().unwrap_or_default()
}

fn row(figure: &str, value: Duration, floor: &str, note: &str) {
    row_text(figure, &ms(value), floor, note);
}

fn row_text(figure: &str, value: &str, floor: &str, note: &str) {
    println!("| {figure} | {value} | {floor} | {note} |");
}
