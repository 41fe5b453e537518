//! The command line: the contract that scripts and tests rely on (see DESIGN.md).
//!
//! Every command exits 0 on success and 1 with a one-line message naming the file (and
//! line where known) on bad input. Outputs are written atomically, so a failed command
//! never leaves a partial file behind.

use crate::corpus::learn;
use crate::corpus::stats;
use crate::formats::{self, ExportFormat, ImportFormat};
use crate::io::{corpus, project_file};
use crate::model::Project;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// spantag: annotate news corpora with entities and stances.
#[derive(Parser, Debug)]
#[command(
    name = "spantag",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A project (.ron) or a corpus (folder, .txt, .jsonl, brat folder, CoNLL file) to open
    /// in the window. Without it: the last project, else the bundled corpus.
    pub path: Option<PathBuf>,
    /// What to do without a window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands that run without a window.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// New project from corpus files or folders of .txt.
    New {
        /// Folders or .txt files.
        #[arg(required = true)]
        corpus: Vec<PathBuf>,
        /// The project file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace an existing file (it is kept as `<name>.bak.N`).
        #[arg(long)]
        force: bool,
    },
    /// Adds annotated data to a project (created if missing).
    Import {
        /// A file or folder: brat folder, CoNLL, doccano/Prodigy/spans JSONL, or text.
        path: PathBuf,
        /// The format; detected when not given.
        #[arg(long, value_enum)]
        format: Option<ImportFormat>,
        /// The project to add to.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace an existing file that is not a spantag project (it is kept as
        /// `<name>.bak.N`).
        #[arg(long)]
        force: bool,
    },
    /// Exports a project's tagged spans.
    Export {
        /// The project file.
        project: PathBuf,
        /// The format to write.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// The file (a folder for brat) to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace a spantag project file (it is kept as `<name>.bak.N`).
        #[arg(long)]
        force: bool,
    },
    /// Counts per label, stance and document.
    Stats {
        /// The project file.
        project: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Agreement between two annotators' projects over the same documents.
    Agree {
        /// The first annotator's project.
        a: PathBuf,
        /// The second annotator's project.
        b: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Untagged occurrences of already tagged strings, with the proposed labels.
    Suggest {
        /// The project file.
        project: PathBuf,
        /// Print JSON lines instead of text.
        #[arg(long)]
        json: bool,
        /// Also propose Dutch genitive forms ("Facebooks", "Zuckerbergs").
        #[arg(long)]
        genitive: bool,
    },
    /// Writes a large deterministic project for benchmarks (Dutch-like text, entity and
    /// stance spans, overlaps).
    Generate {
        /// Number of documents.
        #[arg(long, default_value_t = 10_000)]
        documents: usize,
        /// Words per document.
        #[arg(long, default_value_t = 500)]
        words: usize,
        /// Tagged spans per document.
        #[arg(long, default_value_t = 30)]
        spans: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The project file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace an existing file (it is kept as `<name>.bak.N`).
        #[arg(long)]
        force: bool,
    },
    /// Validates a project file and lists every problem.
    Check {
        /// The project file.
        project: PathBuf,
    },
    /// Splits a project among annotators: one project each (DIR/P.NAME.ron), with some
    /// documents given to everyone for agreement.
    Split {
        /// The project file.
        project: PathBuf,
        /// Comma-separated annotator names (letters, digits, '-' and '_').
        #[arg(long, value_delimiter = ',', required = true)]
        annotators: Vec<String>,
        /// Documents every annotator gets (default: 10 % of the corpus).
        #[arg(long)]
        overlap: Option<usize>,
        /// The folder to write the projects to (created if missing).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Three-way merge: BASE OURS THEIRS (exit 1 when conflicts are recorded), or with
    /// --adjudicate several annotators' copies of the same documents.
    Merge {
        /// BASE OURS THEIRS, or two or more copies with --adjudicate.
        #[arg(required = true, num_args = 2..)]
        projects: Vec<PathBuf>,
        /// The merged project to write (may be OURS, as git's merge driver does).
        #[arg(short, long)]
        output: PathBuf,
        /// Combine several annotators' copies for adjudication.
        #[arg(long)]
        adjudicate: bool,
    },
    /// Installs spantag as git's merge driver for *.ron projects in a repository.
    GitSetup {
        /// A folder in the repository (default: the current folder).
        repo: Option<PathBuf>,
    },
    /// Learns an entity recommender from the project's entity tags.
    Train {
        /// The project file.
        project: PathBuf,
        /// The model file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Which documents to learn from: those with at least one entity tag, or those
        /// marked done.
        #[arg(long, value_enum, default_value_t = TrainDocuments::Tagged)]
        documents: TrainDocuments,
    },
    /// Adds a model's entities to a copy of the project, marked predicted.
    Predict {
        /// The project file.
        project: PathBuf,
        /// The model file (from `spantag train`).
        #[arg(long)]
        model: PathBuf,
        /// The project file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Write the documents with the model's entities only (for `spantag agree`).
        #[arg(long)]
        only_predictions: bool,
    },
}

/// Which documents `spantag train` learns from.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainDocuments {
    /// Documents with at least one entity tag.
    Tagged,
    /// Documents marked done.
    Done,
}

/// A failed command: the one-line message to print.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Parses the arguments and runs the command (or the window). Returns the exit code.
/// Writes a line to standard output. A reader that went away (`spantag stats | head`)
/// ends the program quietly, as with other command-line tools, instead of a panic; any
/// other failure to write says so on standard error.
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(format_args!($($arg)*), "\n")
    };
}

/// Writes `text` and then `end` to standard output (see [`out!`]).
fn write_out(text: std::fmt::Arguments<'_>, end: &str) {
    use std::io::Write;
    if let Err(e) = write!(std::io::stdout().lock(), "{text}{end}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("spantag: could not write to standard output: {e}");
        std::process::exit(1);
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Before any thread starts.
    match cli.command {
        None => crate::allocator::limit_malloc_arenas_for_window(),
        Some(Command::Import { .. }) => crate::allocator::limit_malloc_arenas_for_import(),
        Some(_) => crate::allocator::limit_malloc_arenas(),
    }
    let result = match cli.command {
        Some(command) => run(command),
        None => crate::app::run(cli.path).map_err(CliError),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(message)) => {
            eprintln!("spantag: {}", one_line(&message));
            ExitCode::from(1)
        }
    }
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a project file and counts its statistics: each document is counted on the
/// loader's workers straight from the file's fields as it is parsed
/// ([`stats::count_file_document`]) and then dropped, the batches' counts are put
/// together in document order, and the project is never built
/// ([`project_file::read_direct`]); a file not read that way is loaded plainly and
/// counted after ([`stats::compute`]), which gives the same report (or the file's
/// message).
fn load_counting(path: &Path) -> Result<stats::Stats, project_file::ProjectFileError> {
    let mut counted = stats::Stats::default();
    let read = {
        let count = |doc: &project_file::FileDocument, batch: &mut stats::Stats| {
            stats::count_file_document(doc, batch);
        };
        let mut sink = |batch: stats::Stats| {
            stats::merge(&mut counted, batch);
            true
        };
        project_file::read_direct(path, &|_| {}, &count, &mut sink)
    };
    match read {
        Some(read) => Ok(stats::finish_counted(counted, &read.relations)),
        None => {
            let project = project_file::load(path)?;
            let stats = stats::compute(&project);
            leave_to_exit(project);
            Ok(stats)
        }
    }
}

/// Leaves a loaded project to the operating system, which takes a process's memory back
/// at once when it exits (a command ends right after its last use of the project):
/// freeing 300,000 annotations one by one would add tens of milliseconds to the command.
fn leave_to_exit(project: Project) {
    std::mem::forget(project);
}

/// Runs one headless command.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::New {
            corpus,
            output,
            force,
        } => {
            refuse_to_replace(&output, force, "already exists")?;
            let project = new_project(&corpus)?;
            save_in_place_of(&project, &output)?;
            eprintln!(
                "{}: new project with {} documents",
                output.display(),
                project.documents().len()
            );
            Ok(())
        }
        Command::Import {
            path,
            format,
            output,
            force,
        } => {
            crate::allocator::map_big_buffers_apart();
            if crate::io::paths::same_file(&path, &output) {
                return Err(CliError(format!(
                    "{}: is the project file itself; import from another file",
                    path.display()
                )));
            }
            // Adding to an existing project is what import is for; any other file there
            // is not its to replace.
            let adds_to_a_project = project_file::is_project_file(&output);
            if !adds_to_a_project {
                refuse_to_replace(&output, force, "exists and is not a spantag project")?;
            }
            let mut project = if adds_to_a_project {
                project_file::load(&output)?
            } else {
                Project::empty(project_file::default_schema())
            };
            let mut bar = ProgressBar::new("import");
            // Applied as it is read: the import's edit is never held whole beside the
            // project (there is no undo here).
            let report = formats::import_into(&mut project, &path, format, &mut |f| bar.set(f))?;
            bar.finish();
            if adds_to_a_project {
                project_file::save(&project, &output)?;
            } else {
                save_in_place_of(&project, &output)?;
            }
            eprintln!("{report}");
            leave_to_exit(project);
            Ok(())
        }
        Command::Export {
            project,
            format,
            output,
            force,
        } => {
            refuse_same_file(&project, &output, "export over the project file itself")?;
            // Exporting over an old export is normal; over a project it loses the work.
            // (A brat export writes a folder, which refuses to hold a project itself.)
            if format != ExportFormat::Brat && project_file::is_project_file(&output) {
                refuse_to_replace(&output, force, "is a spantag project file")?;
                let set_aside = crate::io::atomic::SetAside {
                    file: crate::io::atomic::set_aside(&output)
                        .map_err(|e| CliError(format!("{}: {e}", output.display())))?,
                    backup: None,
                };
                if let Some(message) = set_aside.message(&output) {
                    eprintln!("{message}");
                }
            }
            let mut bar = ProgressBar::new("export");
            let (loaded, report) =
                match formats::export_while_loading(&project, format, &output, &mut |f| bar.set(f))
                {
                    Some(done) => done?,
                    None => {
                        let loaded = project_file::load(&project)?;
                        let report =
                            formats::export(&loaded, format, &output, &mut |f| bar.set(f))?;
                        (Some(loaded), report)
                    }
                };
            bar.finish();
            eprintln!("{report}");
            if let Some(loaded) = loaded {
                leave_to_exit(loaded);
            }
            Ok(())
        }
        Command::Stats { project, json } => {
            let stats = load_counting(&project)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                write_out(format_args!("{}", stats::to_text(&stats)), "");
            }
            // The report is left to the exit as well (100,000 rows).
            std::mem::forget(stats);
            Ok(())
        }
        Command::Agree { a, b, json } => {
            let (pa, pb) = (project_file::load(&a)?, project_file::load(&b)?);
            let agreement = crate::corpus::agree::compare(&pa, &pb)
                .map_err(|e| CliError(format!("{} vs {}: {e}", a.display(), b.display())))?;
            if json {
                out!("{}", serde_json::to_string_pretty(&agreement)?);
            } else {
                write_out(
                    format_args!("{}", crate::corpus::agree::to_text(&agreement)),
                    "",
                );
            }
            Ok(())
        }
        Command::Suggest {
            project,
            json,
            genitive,
        } => {
            let loaded = project_file::load(&project)?;
            let options = crate::corpus::suggest::SuggestOptions {
                genitive,
                ..crate::corpus::suggest::SuggestOptions::default()
            };
            let engine = crate::corpus::suggest::SuggestionEngine::build(&loaded, &options);
            for s in engine.all(&loaded) {
                if json {
                    out!("{}", serde_json::to_string(&s)?);
                } else {
                    out!("{}\t{}\t{}\t{}\t{}", s.doc, s.start, s.end, s.label, s.text);
                }
            }
            Ok(())
        }
        Command::Generate {
            documents,
            words,
            spans,
            seed,
            output,
            force,
        } => {
            refuse_to_replace(&output, force, "already exists")?;
            let spec = crate::corpus::generate::Spec {
                documents,
                words_per_document: words,
                spans_per_document: spans,
                seed,
            };
            let project = crate::corpus::generate::generate(&spec);
            save_in_place_of(&project, &output)?;
            eprintln!(
                "{}: {} documents, {} annotations",
                output.display(),
                project.documents().len(),
                project.annotations().len()
            );
            Ok(())
        }
        Command::Split {
            project,
            annotators,
            overlap,
            output,
        } => split_command(&project, &annotators, overlap, &output),
        Command::Merge {
            projects,
            output,
            adjudicate,
        } => merge_command(&projects, &output, adjudicate),
        Command::GitSetup { repo } => {
            let exe = std::env::current_exe()
                .map_err(|e| CliError(format!("cannot find the spantag binary: {e}")))?;
            let dir = repo.unwrap_or_else(|| PathBuf::from("."));
            let report = crate::corpus::team::git::setup(&dir, &exe)?;
            let attributes = if report.attributes_added {
                "added to"
            } else {
                "already in"
            };
            out!(
                "{}: '{}' {attributes} .gitattributes; merge driver: {}",
                report.root.display(),
                crate::corpus::team::git::ATTRIBUTES_LINE,
                report.driver
            );
            Ok(())
        }
        Command::Train {
            project,
            output,
            documents,
        } => {
            let loaded = project_file::load(&project)?;
            let choice = match documents {
                TrainDocuments::Tagged => learn::DocumentChoice::Tagged,
                TrainDocuments::Done => learn::DocumentChoice::Done,
            };
            let set = learn::training_set(&loaded, choice);
            let options = learn::TrainOptions {
                documents: choice,
                ..learn::TrainOptions::default()
            };
            let recommender = learn::train(&set, &options)
                .map_err(|e| CliError(format!("{}: {e}", project.display())))?;
            learn::file::save(&recommender, &output)?;
            let summary = &recommender.summary;
            eprintln!(
                "{}: {} sentences, {} tokens, {} tags, labels {}, {:.1} s{}{}",
                output.display(),
                summary.sentences,
                summary.tokens,
                summary.tags,
                summary.labels.join(" "),
                summary.seconds,
                if set.left_out > 0 {
                    format!(
                        "; {} nested or overlapping tags left out (the outermost wins)",
                        set.left_out
                    )
                } else {
                    String::new()
                },
                if set.rejections > 0 {
                    format!("; {} rejections learned as O", set.rejections)
                } else {
                    String::new()
                },
            );
            leave_to_exit(loaded);
            Ok(())
        }
        Command::Predict {
            project,
            model,
            output,
            only_predictions,
        } => {
            refuse_same_file(
                &project,
                &output,
                "write predictions over the project file itself",
            )?;
            let loaded = project_file::load(&project)?;
            let recommender = learn::file::load(&model)?;
            let unknown = learn::unknown_labels(&recommender, &loaded);
            if !unknown.is_empty() {
                return Err(CliError(format!(
                    "{}: the model was trained on labels that {}'s schema lacks: {}",
                    model.display(),
                    project.display(),
                    unknown.join(", ")
                )));
            }
            let predictions = learn::predict(&loaded, &recommender)
                .map_err(|e| CliError(format!("{}: {e}", model.display())))?;
            let mut out = if only_predictions {
                learn::without_annotations(&loaded)
                    .map_err(|e| CliError(format!("{}: {e}", project.display())))?
            } else {
                loaded
            };
            let edit = learn::prediction_edit(&mut out, &predictions.entities);
            let added = match &edit {
                crate::model::Edit::Batch(edits) => edits.len(),
                _ => 0,
            };
            crate::model::apply(&mut out, edit)
                .map_err(|e| CliError(format!("{}: {e}", output.display())))?;
            // OUT.ron is a new project, not a later version of whatever is there: a file it
            // replaces is set aside where no save writes.
            save_in_place_of(&out, &output)?;
            eprintln!(
                "{}: {} predicted entities added ({} found; the others overlap tags or were rejected)",
                output.display(),
                added,
                predictions.entities.len()
            );
            leave_to_exit(out);
            Ok(())
        }
        Command::Check { project: path } => {
            let problems = project_file::check(&path)?;
            if problems.is_empty() {
                let project = project_file::load(&path)?;
                out!(
                    "{}: ok ({} documents, {} annotations)",
                    path.display(),
                    project.documents().len(),
                    project.annotations().len()
                );
                return Ok(());
            }
            for problem in &problems {
                out!("{}: {problem}", path.display());
            }
            Err(CliError(format!(
                "{}: {} problem(s) found",
                path.display(),
                problems.len()
            )))
        }
    }
}

/// `spantag split`: one project per annotator in `output`, named after the project.
fn split_command(
    path: &Path,
    annotators: &[String],
    overlap: Option<usize>,
    output: &Path,
) -> Result<(), CliError> {
    let project = project_file::load(path)?;
    let shares = crate::corpus::team::split::split(&project, annotators, overlap)
        .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
    std::fs::create_dir_all(output).map_err(|e| CliError(format!("{}: {e}", output.display())))?;
    let stem = path.file_stem().map_or_else(
        || "project".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    // Every share is made before the first is written, so a bad name writes nothing.
    for (name, share) in annotators.iter().zip(&shares) {
        let file = output.join(format!("{stem}.{name}.ron"));
        project_file::save(share, &file)?;
        let shared = share.assignment().map_or(0, |a| a.shared.len());
        out!(
            "{}: {} documents for {name} ({shared} shared)",
            file.display(),
            share.documents().len()
        );
    }
    leave_to_exit(project);
    Ok(())
}

/// `spantag merge`: three-way, or `--adjudicate` over several copies. The output is
/// written in both cases, conflicts recorded in it; exit 1 lists them.
fn merge_command(projects: &[PathBuf], output: &Path, adjudicate: bool) -> Result<(), CliError> {
    use crate::corpus::team;
    let named = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let merged = if adjudicate {
        let loaded = projects
            .iter()
            .map(|p| project_file::load(p))
            .collect::<Result<Vec<_>, _>>()?;
        let names: Vec<String> = projects
            .iter()
            .zip(&loaded)
            .map(|(path, p)| match p.assignment() {
                Some(a) => a.annotator.clone(),
                None => path
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            })
            .collect();
        let copies: Vec<team::adjudicate::Copy<'_>> = names
            .iter()
            .zip(&loaded)
            .map(|(annotator, project)| team::adjudicate::Copy { annotator, project })
            .collect();
        team::adjudicate::adjudicate(&copies)
            .map_err(|e| CliError(format!("{}: {e}", named(projects))))?
    } else {
        let [base, ours, theirs] = projects else {
            return Err(CliError(format!(
                "merge takes BASE OURS THEIRS ({} given); several copies of the same \
                 documents merge with --adjudicate",
                projects.len()
            )));
        };
        // The three files load at once: each load uses every core for its own share.
        let (b, o, t) = std::thread::scope(|scope| {
            let (b, o, t) = (
                scope.spawn(|| project_file::load(base)),
                scope.spawn(|| project_file::load(ours)),
                scope.spawn(|| project_file::load(theirs)),
            );
            let join = |h: std::thread::ScopedJoinHandle<'_, _>, p: &PathBuf| {
                h.join()
                    .map_err(|_| CliError(format!("{}: the loader stopped", p.display())))
            };
            Ok::<_, CliError>((join(b, base)?, join(o, ours)?, join(t, theirs)?))
        })?;
        let (b, o, t) = (b?, o?, t?);
        // The result is ours with the merge's changes applied: no second copy is built.
        let merged = team::merge3::merge3_into_ours(&b, o, &t)
            .map_err(|e| CliError(format!("{}: {e}", named(projects))))?;
        leave_to_exit(b);
        leave_to_exit(t);
        merged
    };
    project_file::save_without_backup(&merged, output)?;
    let conflicts = merged.conflicts();
    if conflicts.is_empty() {
        eprintln!(
            "{}: merged cleanly ({} documents, {} annotations)",
            output.display(),
            merged.documents().len(),
            merged.annotations().len()
        );
        leave_to_exit(merged);
        return Ok(());
    }
    for conflict in conflicts {
        out!(
            "{}: {}",
            output.display(),
            team::describe(&merged, conflict)
        );
    }
    let what = if adjudicate {
        "disagreement(s) to adjudicate"
    } else {
        "conflict(s)"
    };
    let message = format!(
        "{}: {} {what} recorded in the merged project; settle them in the window (View → Conflicts)",
        output.display(),
        conflicts.len()
    );
    leave_to_exit(merged);
    Err(CliError(message))
}

/// A new project over corpus files, with the default schema.
pub fn new_project(corpus: &[PathBuf]) -> Result<Project, CliError> {
    let docs = corpus::read_corpus(corpus)?;
    Ok(Project::new(project_file::default_schema(), docs)?)
}

/// Refuses to write `output` over `input` itself ("refusing to {what}").
fn refuse_same_file(input: &Path, output: &Path, what: &str) -> Result<(), CliError> {
    if crate::io::paths::same_file(input, output) {
        return Err(CliError(format!(
            "{}: refusing to {what}",
            output.display()
        )));
    }
    Ok(())
}

/// Refuses, unless `force`, to replace the existing file `output` (`why` says what it
/// is): one line naming the file and the way to replace it anyway.
fn refuse_to_replace(output: &Path, force: bool, why: &str) -> Result<(), CliError> {
    if force || !output.exists() {
        return Ok(());
    }
    Err(CliError(format!(
        "{}: {why}; not replaced (--force replaces it and keeps the old file as {}.bak.N)",
        output.display(),
        output.display()
    )))
}

/// Writes a project that is not a later version of whatever `output` holds (`new`,
/// `generate`, import into a file that was not a project): the replaced file is set aside
/// where no later save writes ([`project_file::save_replacing`]), and the user is told
/// where. A file from a newer spantag is refused.
fn save_in_place_of(project: &Project, output: &Path) -> Result<(), CliError> {
    let set_aside = project_file::save_replacing(project, output)?;
    if let Some(message) = set_aside.message(output) {
        eprintln!("{message}");
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    what: &'static str,
    shown: Option<u32>,
    terminal: bool,
}

impl ProgressBar {
    fn new(what: &'static str) -> Self {
        use std::io::IsTerminal;
        Self {
            what,
            shown: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn set(&mut self, fraction: f32) {
        let percent = (fraction.clamp(0.0, 1.0) * 100.0) as u32;
        if !self.terminal || self.shown == Some(percent) {
            return;
        }
        self.shown = Some(percent);
        let filled = (percent / 5) as usize;
        eprint!(
            "\r{} [{}{}] {percent:>3}%",
            self.what,
            "#".repeat(filled),
            " ".repeat(20 - filled)
        );
    }

    fn finish(&mut self) {
        if self.terminal && self.shown.is_some() {
            eprintln!();
        }
    }
}
