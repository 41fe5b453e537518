//! Ten times larger (issue 17): the 10k-document / 300k-tag project beside the
//! 100k-document / 3M-tag one, figure by figure: `cargo bench --bench scale` (add
//! `-- quick` for one run of each; name sections to run only those: `cli`, `window`,
//! `search`; name `10k` or `100k` to run one size).
//!
//! The projects are made once by the release binary itself (`spantag generate`, then
//! `spantag export --format doccano` for the import) into a cache folder outside the
//! repository (`$CARGO_TARGET_TMPDIR/scale-data`, or `SPANTAG_SCALE_DATA`): the 100k
//! project file is about 700 MB and takes half a minute to make. The command-line
//! figures run the real binary under `/usr/bin/time` (wall and CPU seconds, peak memory);
//! the window figures run the real `SpantagApp` headless in a child process per size (so
//! its peak memory is its own), drawing frames 8 ms apart while it loads and saves.
//! Every figure prints its floor where one exists: what reading or writing the same bytes
//! alone costs.

mod common;
use common::*;

use spantag::app::session::Session;
use spantag::app::{Command, Settings, SpantagApp};
use spantag::corpus::order::{DocumentFilter, DocumentOrder};
use spantag::io::project_file;
use spantag::model::Project;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

/// One corpus size: documents, with the 10k bench's 390 words and 30 tags a document.
#[derive(Clone, Copy)]
struct Size {
    name: &'static str,
    documents: usize,
}

const SIZES: [Size; 2] = [
    Size {
        name: "10k",
        documents: 10_000,
    },
    Size {
        name: "100k",
        documents: 100_000,
    },
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child-window") {
        // The window child starts as the app does.
        spantag::allocator::limit_malloc_arenas_for_window();
        if let (Some(path), Some(out)) = (args.get(at + 1), args.get(at + 2)) {
            child_window(Path::new(path), Path::new(out));
        }
        return;
    }
    let quick = args.iter().any(|a| a == "quick");
    let runs = if quick { 1 } else { 3 };
    const SECTIONS: [&str; 3] = ["cli", "window", "search"];
    let chosen = chosen_sections(&args, &SECTIONS);
    let section = |name: &str| chosen.contains(&name);
    let sizes: Vec<Size> = SIZES
        .into_iter()
        .filter(|s| {
            !args.iter().any(|a| SIZES.iter().any(|t| t.name == a))
                || args.contains(&s.name.to_owned())
        })
        .collect();
    machine();
    let data = data_dir();
    let corpora: Vec<Corpus> = sizes.iter().map(|s| corpus(&data, *s)).collect();
    let scratch = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
    let mut table = Table::new(&corpora);
    for c in &corpora {
        table.note(
            "corpus",
            c,
            &format!(
                "{} docs, {:.0} MB text, {:.0} MB RON, {:.0} MB doccano",
                c.size.documents,
                c.text_bytes as f64 / 1e6,
                c.ron_bytes as f64 / 1e6,
                c.doccano_bytes as f64 / 1e6
            ),
        );
    }
    if section("cli") {
        for c in &corpora {
            cli(c, scratch.path(), runs, &mut table);
        }
    }
    if section("window") {
        for c in &corpora {
            window(c, scratch.path(), &mut table);
        }
    }
    if section("search") {
        for c in &corpora {
            search(c, runs, &mut table);
        }
    }
    table.print();
}

/// A generated corpus on disk: the project file and its doccano JSONL.
struct Corpus {
    size: Size,
    ron: PathBuf,
    doccano: PathBuf,
    ron_bytes: u64,
    doccano_bytes: u64,
    text_bytes: u64,
}

/// Where the corpora are kept between runs.
fn data_dir() -> PathBuf {
    let dir = std::env::var_os("SPANTAG_SCALE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("scale-data"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())));
    dir
}

/// The corpus of `size`, made with the release binary unless it is in `dir` already.
fn corpus(dir: &Path, size: Size) -> Corpus {
    let bin = binary();
    let ron = dir.join(format!("generated-{}.ron", size.name));
    let doccano = dir.join(format!("generated-{}.jsonl", size.name));
    if !ron.is_file() {
        eprintln!("generating {} …", ron.display());
        run_ok(
            Process::new(&bin)
                .arg("generate")
                .args(["--documents", &size.documents.to_string()])
                .args(["--words", "390", "--spans", "30", "--seed", "1", "-o"])
                .arg(&ron),
        );
    }
    if !doccano.is_file() {
        eprintln!("exporting {} …", doccano.display());
        run_ok(
            Process::new(&bin)
                .arg("export")
                .arg(&ron)
                .args(["--format", "doccano", "-o"])
                .arg(&doccano),
        );
    }
    let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    // The text size: what the `text: "…"` fields hold, read back through the loader.
    let text_bytes = text_bytes_of(&ron, dir, size);
    Corpus {
        size,
        ron_bytes: len(&ron),
        doccano_bytes: len(&doccano),
        ron,
        doccano,
        text_bytes,
    }
}

/// The UTF-8 bytes of all document texts, remembered beside the corpus.
fn text_bytes_of(ron: &Path, dir: &Path, size: Size) -> u64 {
    let remembered = dir.join(format!("generated-{}.text-bytes", size.name));
    if let Some(n) = std::fs::read_to_string(&remembered)
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return n;
    }
    let project = load(ron);
    let n: u64 = project
        .documents()
        .iter()
        .map(|d| d.text().as_str().len() as u64)
        .sum();
    let _ = std::fs::write(&remembered, n.to_string());
    drop(project);
    n
}

/// The CLI commands as a user runs them, through the release binary.
fn cli(c: &Corpus, scratch: &Path, runs: usize, table: &mut Table) {
    let bin = binary();
    let imported = scratch.join("imported.ron");
    let import = measured(runs, || {
        let _ = std::fs::remove_file(&imported);
        let _ = std::fs::remove_file(scratch.join("imported.ron.bak"));
        let mut command = Process::new(&bin);
        command
            .arg("import")
            .arg(&c.doccano)
            .args(["--format", "doccano", "-o"])
            .arg(&imported);
        command
    });
    let read_doccano = median(runs, || read_floor(&c.doccano));
    let write_ron = median(runs, || {
        write_floor(
            &scratch.join("floor.bin"),
            std::fs::metadata(&imported).map_or(0, |m| m.len()),
        )
    });
    table.run(
        "`spantag import` doccano → new project",
        c,
        &import,
        "≤ 8 s at 100k",
    );
    table.floor(
        "  floor: read the doccano file + write the project file's bytes",
        c,
        read_doccano + write_ron,
    );
    let stats = measured(runs, || {
        let mut command = Process::new(&bin);
        command.arg("stats").arg(&c.ron);
        command
    });
    table.run("`spantag stats`", c, &stats, "≤ 2 s at 100k");
    let read_ron = median(runs, || read_floor(&c.ron));
    table.floor("  floor: read the project file", c, read_ron);
    let spans = scratch.join("out.jsonl");
    let export = measured(runs, || {
        let mut command = Process::new(&bin);
        command
            .arg("export")
            .arg(&c.ron)
            .args(["--format", "spans", "-o"])
            .arg(&spans);
        command
    });
    let spans_bytes = std::fs::metadata(&spans).map_or(0, |m| m.len());
    let write_spans = median(runs, || {
        write_floor(&scratch.join("floor.bin"), spans_bytes)
    });
    table.run(
        "`spantag export --format spans`",
        c,
        &export,
        "≤ 3 s at 100k",
    );
    table.floor(
        "  floor: read the project file + write the export's bytes",
        c,
        read_ron + write_spans,
    );
    table.note(
        "  export size",
        c,
        &format!("{:.0} MB JSONL", spans_bytes as f64 / 1e6),
    );
    for (name, figure) in [
        ("import", &import),
        ("stats", &stats),
        ("export spans", &export),
    ] {
        table.memory(&format!("peak memory, `spantag {name}`"), c, figure.peak_kb);
    }
    let _ = std::fs::remove_file(&spans);
    let _ = std::fs::remove_file(scratch.join("floor.bin"));
    let _ = std::fs::remove_file(&imported);
}

/// What one command run cost: wall time, CPU time (user + system) and peak memory.
#[derive(Clone, Copy, Default)]
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kb: u64,
}

/// Runs the command `runs` times under `/usr/bin/time`; the run of median wall time.
fn measured(runs: usize, mut command: impl FnMut() -> Process) -> Run {
    let mut all: Vec<Run> = (0..runs.max(1)).map(|_| timed(command())).collect();
    all.sort_by_key(|r| r.wall);
    all[all.len() / 2]
}

/// One run of `command` under `/usr/bin/time -f "%e %U %S %M"`.
fn timed(command: Process) -> Run {
    let mut timed = Process::new("/usr/bin/time");
    timed
        .args(["-f", "@@ %e %U %S %M"])
        .arg(command.get_program())
        .args(command.get_args());
    let t = Instant::now();
    let out = timed
        .output()
        .unwrap_or_else(|e| fail(&format!("/usr/bin/time: {e}")));
    let wall = t.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        fail(&err);
    }
    let Some(line) = err.lines().rev().find(|l| l.starts_with("@@ ")) else {
        fail(&format!("no timing from /usr/bin/time: {err}"));
    };
    let fields: Vec<f64> = line[3..]
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or(0.0);
    Run {
        wall,
        cpu: Duration::from_secs_f64(field(1) + field(2)),
        peak_kb: field(3) as u64,
    }
}

/// Reading a file whole: the floor of any command that reads it.
fn read_floor(path: &Path) -> Duration {
    let t = Instant::now();
    let bytes = std::fs::read(path).unwrap_or_default();
    std::hint::black_box(bytes.len());
    t.elapsed()
}

/// Writing `bytes` bytes to a new file in 1 MB pieces: the floor of any command that
/// writes that much.
fn write_floor(path: &Path, bytes: u64) -> Duration {
    use std::io::Write;
    let piece = vec![b'x'; 1 << 20];
    let t = Instant::now();
    if let Ok(file) = std::fs::File::create(path) {
        let mut w = std::io::BufWriter::new(file);
        let mut left = bytes;
        while left > 0 {
            let n = left.min(piece.len() as u64) as usize;
            let _ = w.write_all(&piece[..n]);
            left -= n as u64;
        }
        let _ = w.flush();
    }
    let elapsed = t.elapsed();
    let _ = std::fs::remove_file(path);
    elapsed
}

/// The window on the corpus, in a child process: loading, saving, the document list.
fn window(c: &Corpus, scratch: &Path, table: &mut Table) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let report = scratch.join("window.txt");
    let out = Process::new(exe)
        .arg("--child-window")
        .arg(&c.ron)
        .arg(&report)
        .output()
        .unwrap_or_else(|e| fail(&e.to_string()));
    if !out.status.success() {
        fail(&String::from_utf8_lossy(&out.stderr));
    }
    // What the child says about its frames (which one was the slowest).
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let figure = |key: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
    };
    let ms = |key: &str| figure(key).map(|v| Duration::from_secs_f64(v / 1000.0));
    for (key, label, target) in [
        (
            "first_readable",
            "window: first documents readable",
            "≤ 1 s at 100k",
        ),
        ("loaded", "window: fully loaded", "≤ 3 s at 100k"),
        ("load_slowest", "  slowest frame while loading", "≤ 16 ms"),
        (
            "saved",
            "window: background save, until written",
            "≤ 4 s at 100k",
        ),
        ("save_slowest", "  slowest frame while saving", "≤ 16 ms"),
    ] {
        if let Some(d) = ms(key) {
            table.time(label, c, d, target);
        }
    }
    for order in DocumentOrder::ALL {
        let key = format!("order_{}", order.name().replace(' ', "_"));
        if let Some(d) = ms(&key) {
            table.time(
                &format!("document list: the frame that sorts by {}", order.name()),
                c,
                d,
                "≤ 16 ms",
            );
        }
    }
    for order in DocumentOrder::ALL {
        let name = order.name().replace(' ', "_");
        if let (Some(shown), Some(slowest)) = (
            ms(&format!("order_{name}_shown")),
            ms(&format!("order_{name}_slowest")),
        ) {
            let label = format!(
                "document list: by {}, shown after (sorted in the background)",
                order.name()
            );
            table.time(&label, c, shown, "");
            let until = format!("  slowest frame until sorted by {}", order.name());
            table.time(&until, c, slowest, "≤ 16 ms");
        }
    }
    for key in ["title", "status", "label"] {
        if let (Some(shown), Some(slowest)) = (
            ms(&format!("filter_{key}_shown")),
            ms(&format!("filter_{key}_slowest")),
        ) {
            let label = format!("document list: filtered by {key}, shown after");
            table.time(&label, c, shown, "");
            let until = format!("  slowest frame until filtered by {key}");
            table.time(&until, c, slowest, "≤ 16 ms");
        }
    }
    for (key, label) in [
        (
            "filter_title",
            "document list: the frame that filters by title text",
        ),
        (
            "filter_status",
            "document list: the frame that filters by status",
        ),
        (
            "filter_label",
            "document list: the frame that filters by label (first time)",
        ),
        (
            "filter_after_tag",
            "document list: the frame after a tag, filtered by label",
        ),
    ] {
        if let Some(d) = ms(key) {
            table.time(label, c, d, "≤ 16 ms");
        }
    }
    if let Some(d) = ms("list_scroll_p95") {
        table.time("document list: scrolling frame p95", c, d, "≤ 16 ms");
    }
    if let Some(kb) = figure("peak_loaded_kb") {
        table.memory("peak memory, window with the project open", c, kb as u64);
    }
    if let Some(kb) = figure("peak_before_save_kb") {
        table.memory(
            "peak memory, window before the save (list sorted and filtered, a tag, suggestions)",
            c,
            kb as u64,
        );
    }
    if let Some(kb) = figure("peak_saved_kb") {
        table.memory("peak memory, window after a background save", c, kb as u64);
    }
}

/// Child process: the app opens `path` in the background as `spantag PATH` does, draws
/// frames until loaded, saves in the background, sorts and scrolls the document list;
/// writes `key value` lines (milliseconds, kB) to `out`.
fn child_window(path: &Path, out: &Path) {
    let mut lines = Vec::new();
    let ctx = egui::Context::default();
    let mut frame = eframe::Frame::_new_kittest();
    let empty = Session::unsaved(Project::empty(project_file::default_schema()));
    let mut app = SpantagApp::with_session(empty, Settings::default());
    let t = Instant::now();
    app.jobs.open(&app.session, path.to_owned());
    let (mut time, mut slowest, mut first_readable) = (0.0, Duration::ZERO, None);
    let mut slowest_in = "";
    let mut over = Vec::new();
    let mut frames = 0;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    loop {
        let f = Instant::now();
        let sched = thread_schedstat();
        let was_preview = app.session.preview_of.is_some();
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        let took = f.elapsed();
        let (on_cpu, waiting, major_faults) = thread_schedstat().since(sched);
        frames += 1;
        let loaded = app.jobs.load.is_none();
        let phase = match (was_preview, app.session.preview_of.is_some(), loaded) {
            (_, _, true) => "the frame the whole project lands in",
            (false, true, _) => "the frame the first documents land in",
            (true, true, _) => "a frame showing the first documents",
            _ => "a frame before any document",
        };
        if took > Duration::from_millis(16) {
            over.push(format!(
                "{:.1} ms (frame {frames}, {phase}; on a core {:.1} ms, waiting for one {:.1} ms, \
                 {major_faults} pages read from disk)",
                ms(took),
                ms(on_cpu),
                ms(waiting)
            ));
        }
        if took > slowest {
            slowest = took;
            slowest_in = phase;
        }
        if first_readable.is_none() && !app.session.project.documents().is_empty() {
            first_readable = Some(t.elapsed());
        }
        if loaded {
            break;
        }
        std::thread::sleep(Duration::from_millis(8));
        time += 1.0 / 60.0;
    }
    let loaded = t.elapsed();
    if let Some(first) = first_readable {
        lines.push(format!("first_readable {}", ms(first)));
    }
    lines.push(format!("loaded {}", ms(loaded)));
    lines.push(format!("load_slowest {}", ms(slowest)));
    eprintln!(
        "slowest frame while loading: {:.1} ms, {slowest_in}; frames over 16 ms: {}",
        ms(slowest),
        if over.is_empty() {
            "none".to_owned()
        } else {
            over.join(", ")
        }
    );
    for _ in 0..3 {
        time += 1.0 / 60.0;
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
    }
    lines.push(format!(
        "peak_loaded_kb {}",
        status_kb("VmHWM:").unwrap_or(0)
    ));
    // The document list: the frame after choosing each order (the sort runs in it).
    for order in DocumentOrder::ALL {
        app.settings.document_order = order;
        time += 1.0 / 60.0;
        let f = Instant::now();
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        let first = f.elapsed();
        lines.push(format!(
            "order_{} {}",
            order.name().replace(' ', "_"),
            ms(first)
        ));
        // Sorted on another thread (big projects): until it shows.
        if app.doc_list.busy() {
            let slowest = first.max(until_the_list_settles(
                &ctx, &mut app, &mut frame, &mut time,
            ));
            let name = order.name().replace(' ', "_");
            lines.push(format!("order_{name}_shown {}", ms(f.elapsed())));
            lines.push(format!("order_{name}_slowest {}", ms(slowest)));
        }
    }
    // The filters: the frame after each change (title text typed, a status, a label).
    app.settings.document_order = DocumentOrder::Corpus;
    type SetFilter = fn(&mut DocumentFilter);
    let filters: [(&str, SetFilter); 3] = [
        ("title", |f: &mut DocumentFilter| f.title = "de".to_owned()),
        ("status", |f: &mut DocumentFilter| {
            f.status = Some(spantag::model::DocStatus::NotStarted)
        }),
        ("label", |f: &mut DocumentFilter| {
            f.label = Some("PER".to_owned())
        }),
    ];
    for (key, set) in filters {
        app.doc_list.filter = DocumentFilter::default();
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        set(&mut app.doc_list.filter);
        time += 1.0 / 60.0;
        let f = Instant::now();
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        let first = f.elapsed();
        lines.push(format!("filter_{key} {}", ms(first)));
        // Filtered on another thread (big projects): until it shows.
        let slowest = first.max(until_the_list_settles(
            &ctx, &mut app, &mut frame, &mut time,
        ));
        lines.push(format!("filter_{key}_shown {}", ms(f.elapsed())));
        lines.push(format!("filter_{key}_slowest {}", ms(slowest)));
    }
    // A tag made while the label filter is on: the frame after it.
    let first_word = app
        .session
        .document()
        .and_then(|d| d.text().as_str().find(' '))
        .unwrap_or(1);
    app.session.select_range(
        spantag::model::CharOffset(0),
        spantag::model::CharOffset(first_word),
    );
    app.send(Command::Tag("PER".to_owned()));
    time += 1.0 / 60.0;
    let f = Instant::now();
    draw(&ctx, &mut app, &mut frame, time, Vec::new());
    lines.push(format!("filter_after_tag {}", ms(f.elapsed())));
    app.doc_list.filter = DocumentFilter::default();
    let over_list = egui::pos2(100.0, 400.0);
    let mut scrolling: Vec<Duration> = (0..200)
        .map(|_| {
            time += 1.0 / 60.0;
            let events = wheel_at(over_list, -400.0);
            let f = Instant::now();
            draw(&ctx, &mut app, &mut frame, time, events);
            f.elapsed()
        })
        .collect();
    scrolling.sort();
    let p95 = scrolling[scrolling.len() * 95 / 100];
    lines.push(format!("list_scroll_p95 {}", ms(p95)));
    // The suggestion engine, built on another thread after the load, lands first, so
    // the save's own memory is told apart from the engine's.
    for _ in 0..20_000 {
        if !app.suggestions.building() {
            break;
        }
        time += 1.0 / 60.0;
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        std::thread::sleep(Duration::from_millis(8));
    }
    // What the list's sorts and filters, the suggestion engine and the tag took: the
    // peak before the save starts.
    lines.push(format!(
        "peak_before_save_kb {}",
        status_kb("VmHWM:").unwrap_or(0)
    ));
    // Background save (the Save command on a dirty project).
    let saved_to = out.with_extension("saved.ron");
    app.send(Command::SaveTo(saved_to.clone()));
    let t = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut frames = 0;
    loop {
        time += 1.0 / 60.0;
        let f = Instant::now();
        draw(&ctx, &mut app, &mut frame, time, Vec::new());
        slowest = slowest.max(f.elapsed());
        frames += 1;
        if frames > 1 && app.jobs.save.is_none() || frames > 20_000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(8));
    }
    lines.push(format!("saved {}", ms(t.elapsed())));
    lines.push(format!("save_slowest {}", ms(slowest)));
    lines.push(format!(
        "peak_saved_kb {}",
        status_kb("VmHWM:").unwrap_or(0)
    ));
    let _ = std::fs::remove_file(&saved_to);
    let _ = std::fs::remove_file(saved_to.with_extension("ron.bak"));
    let _ = std::fs::write(out, lines.join("\n") + "\n");
    std::process::exit(0);
}

/// Draws frames 8 ms apart until the document list has nothing left to compute on
/// other threads; the slowest of them.
fn until_the_list_settles(
    ctx: &egui::Context,
    app: &mut SpantagApp,
    frame: &mut eframe::Frame,
    time: &mut f64,
) -> Duration {
    let mut slowest = Duration::ZERO;
    while app.doc_list.busy() {
        std::thread::sleep(Duration::from_millis(8));
        *time += 1.0 / 60.0;
        let frame_start = Instant::now();
        draw(ctx, app, frame, *time, Vec::new());
        slowest = slowest.max(frame_start.elapsed());
    }
    slowest
}

/// One headless frame of the real app, 1280 × 800, at `time`.
fn draw(
    ctx: &egui::Context,
    app: &mut SpantagApp,
    frame: &mut eframe::Frame,
    time: f64,
    events: Vec<egui::Event>,
) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        time: Some(time),
        events,
        ..Default::default()
    };
    let _ = ctx.run_ui(input, |ui| eframe::App::ui(app, ui, frame));
}

/// Corpus search and tag-all, in this process on the project as loaded from its file.
fn search(c: &Corpus, runs: usize, table: &mut Table) {
    use spantag::corpus::search::{SearchQuery, search as find};
    let mut project = load(&c.ron);
    let window_query = SearchQuery::plain("zuckerberg");
    let one = median(runs, || {
        let t = Instant::now();
        std::hint::black_box(find(&project, &window_query).ok());
        t.elapsed()
    });
    table.time(
        "corpus search for one string (the search window's query)",
        c,
        one,
        "≤ 300 ms at 100k",
    );
    let every = SearchQuery {
        max_hits: usize::MAX,
        ..SearchQuery::plain("zuckerberg")
    };
    let mut hits = 0;
    let all = median(runs, || {
        let t = Instant::now();
        hits = find(&project, &every).map_or(0, |r| r.hits.len());
        t.elapsed()
    });
    table.time("  the same, every hit (no cap)", c, all, "");
    table.note("  hits", c, &hits.to_string());
    let scan = median(runs, || {
        let t = Instant::now();
        let n: usize = project
            .documents()
            .iter()
            .map(|d| memchr_count(d.text().as_str().as_bytes()))
            .sum();
        std::hint::black_box(n);
        t.elapsed()
    });
    table.floor("  floor: one pass over all text (memchr)", c, scan);
    // Tag all: every untagged occurrence of a word over the corpus, as one edit (the
    // generator tags every mention of its entities, so an untagged common word: about
    // two occurrences a document). It changes the project, so each run after the first
    // tags a fresh load of it; the run with the median time is reported.
    let mut tag_runs: Vec<TagAllRun> = Vec::with_capacity(runs);
    for run in 0..runs {
        if run > 0 {
            drop(project);
            project = load(&c.ron);
        }
        tag_runs.push(tag_all_once(&mut project));
    }
    tag_runs.sort_by_key(|r| r.total);
    let Some(median) = tag_runs.get(tag_runs.len() / 2) else {
        return;
    };
    let TagAllRun {
        total,
        finding,
        making,
        cpu,
        tagged,
        found,
    } = *median;
    table.time(
        "tag-all over the corpus (find + one edit)",
        c,
        total,
        "≤ 500 ms at 100k",
    );
    let cpu_ms = |ms: u64| format!("{ms} ms");
    table.note(
        "  CPU time (both cores)",
        c,
        &cpu_ms(cpu[0] + cpu[1] + cpu[2]),
    );
    table.time("  of which finding the occurrences", c, finding, "");
    table.note("    CPU time (finding)", c, &cpu_ms(cpu[0]));
    table.time("  of which the tags and their ids", c, making, "");
    table.note("    CPU time (tags and ids)", c, &cpu_ms(cpu[1]));
    table.time("  of which the edit", c, total - finding - making, "");
    table.note("    CPU time (the edit)", c, &cpu_ms(cpu[2]));
    table.note("  tagged", c, &format!("{tagged} of {found} found"));
    drop(project);
}

/// One tag-all's times: in all, finding, making the tags; CPU milliseconds of the
/// three parts; how many were tagged of how many found.
#[derive(Clone, Copy)]
struct TagAllRun {
    total: Duration,
    finding: Duration,
    making: Duration,
    cpu: [u64; 3],
    tagged: usize,
    found: usize,
}

/// Tags every untagged occurrence of one word over `project`, as the tag-all window
/// does: the tags with their ids and the documents to mark in progress as one edit,
/// then that edit.
fn tag_all_once(project: &mut Project) -> TagAllRun {
    use spantag::corpus::search::Scope;
    use spantag::corpus::suggest::{occurrences, tag_all_edit};
    perf_control("enable");
    let cpu0 = process_cpu_ms();
    let t = Instant::now();
    let found = occurrences(project, "klokkenluider", Scope::Corpus, true);
    let finding = t.elapsed();
    let cpu1 = process_cpu_ms();
    let picked: Vec<_> = found
        .iter()
        .filter(|o| !o.tagged && !o.overlaps_entity)
        .collect();
    let (edit, tagged) = tag_all_edit(project, &picked, "MISC", None);
    let making = t.elapsed() - finding;
    let cpu2 = process_cpu_ms();
    if let Err(e) = spantag::model::apply(project, edit) {
        fail(&e.to_string());
    }
    let total = t.elapsed();
    let cpu3 = process_cpu_ms();
    perf_control("disable");
    TagAllRun {
        total,
        finding,
        making,
        cpu: [
            cpu1.saturating_sub(cpu0),
            cpu2.saturating_sub(cpu1),
            cpu3.saturating_sub(cpu2),
        ],
        tagged,
        found: found.len(),
    }
}

/// Tells `perf record --control=fifo:FIFO -D -1` (started with `SPANTAG_PERF_CTL=FIFO`)
/// to `enable` or `disable` its recording, so a profile shows tag-all alone.
fn perf_control(command: &str) {
    if let Some(fifo) = std::env::var_os("SPANTAG_PERF_CTL") {
        let _ = std::fs::write(fifo, format!("{command}\n"));
    }
}

/// This thread's time on a core and waiting for one, in nanoseconds, from
/// `/proc/thread-self/schedstat`, and its major page faults (a page read from disk),
/// from `/proc/thread-self/stat` (zero where they cannot be read): tells a frame that
/// worked long from one that waited while other threads had the cores, and one that
/// slept on the disk (its code or a font not in the page cache).
#[derive(Clone, Copy, Default)]
struct Schedstat {
    on_cpu: u64,
    waiting: u64,
    major_faults: u64,
}

impl Schedstat {
    fn since(self, before: Schedstat) -> (Duration, Duration, u64) {
        (
            Duration::from_nanos(self.on_cpu.saturating_sub(before.on_cpu)),
            Duration::from_nanos(self.waiting.saturating_sub(before.waiting)),
            self.major_faults.saturating_sub(before.major_faults),
        )
    }
}

fn thread_schedstat() -> Schedstat {
    let line = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = line
        .split_whitespace()
        .map(|f| f.parse::<u64>().unwrap_or(0));
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // majflt is the 10th field after the command name, which ends with the last ')'.
    let major_faults = stat
        .rsplit(')')
        .next()
        .and_then(|after| after.split_whitespace().nth(9))
        .and_then(|f| f.parse().ok())
        .unwrap_or(0);
    Schedstat {
        on_cpu: fields.next().unwrap_or(0),
        waiting: fields.next().unwrap_or(0),
        major_faults,
    }
}

/// The CPU time this process has used, user and system, in milliseconds (from
/// `/proc/self/stat`, in clock ticks of 10 ms; 0 where it cannot be read): on a machine
/// shared with other work, the steadier figure.
fn process_cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which ends with the last ')': utime and stime
    // are the 12th and 13th of them.
    let after = stat.rsplit(')').next().unwrap_or_default();
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|field| field.parse::<u64>().unwrap_or(0))
        .sum();
    ticks * 10
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'Z').count()
}

fn load(path: &Path) -> Project {
    project_file::load(path).unwrap_or_else(|e| fail(&e.to_string()))
}

/// The release binary next to this bench.
fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_spantag"))
}

fn run_ok(command: &mut Process) {
    match command.output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => fail(&String::from_utf8_lossy(&out.stderr)),
        Err(e) => fail(&e.to_string()),
    }
}

/// The figures, one row each, one column per corpus size.
struct Table {
    sizes: Vec<(&'static str, u64)>,
    rows: Vec<(String, Vec<String>, String)>,
}

impl Table {
    fn new(corpora: &[Corpus]) -> Self {
        Self {
            sizes: corpora
                .iter()
                .map(|c| (c.size.name, c.text_bytes))
                .collect(),
            rows: Vec::new(),
        }
    }

    fn cell(&mut self, figure: &str, c: &Corpus, value: String, target: &str) {
        let column = self
            .sizes
            .iter()
            .position(|(name, _)| *name == c.size.name)
            .unwrap_or(0);
        let width = self.sizes.len();
        let row = match self.rows.iter().position(|(f, _, _)| f == figure) {
            Some(at) => at,
            None => {
                self.rows.push((
                    figure.to_owned(),
                    vec![String::new(); width],
                    target.to_owned(),
                ));
                self.rows.len() - 1
            }
        };
        self.rows[row].1[column] = value;
        // Show progress as figures arrive; the table comes at the end.
        eprintln!("{figure} [{}]: {}", c.size.name, self.rows[row].1[column]);
    }

    fn time(&mut self, figure: &str, c: &Corpus, value: Duration, target: &str) {
        self.cell(figure, c, ms(value), target);
    }

    fn floor(&mut self, figure: &str, c: &Corpus, value: Duration) {
        self.cell(figure, c, ms(value), "");
    }

    fn run(&mut self, figure: &str, c: &Corpus, run: &Run, target: &str) {
        self.cell(
            figure,
            c,
            format!("{} ({:.1} CPU-s)", ms(run.wall), run.cpu.as_secs_f64()),
            target,
        );
    }

    fn memory(&mut self, figure: &str, c: &Corpus, kb: u64) {
        let bytes = kb as f64 * 1024.0;
        self.cell(
            figure,
            c,
            format!(
                "{:.0} MB = {:.2} × text",
                bytes / 1e6,
                bytes / c.text_bytes.max(1) as f64
            ),
            "≤ 2 × text",
        );
    }

    fn note(&mut self, figure: &str, c: &Corpus, text: &str) {
        self.cell(figure, c, text.to_owned(), "");
    }

    fn print(&self) {
        let names: Vec<&str> = self.sizes.iter().map(|(n, _)| *n).collect();
        println!("| figure | {} | target |", names.join(" | "));
        println!("|---|{}---|", "---|".repeat(names.len()));
        for (figure, values, target) in &self.rows {
            println!("| {figure} | {} | {target} |", values.join(" | "));
        }
    }
}
