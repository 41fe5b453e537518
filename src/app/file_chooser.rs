//! Choosing files: Open, Save As, New from corpus, Import and Export always reach a file
//! chooser. The desktop's own dialog comes first (`rfd`, through the XDG desktop portal);
//! where no portal answers (minimal window managers, a bare X session — rfd's issue #119)
//! rfd returns nothing at once, faster than any person can cancel a dialog, and the window
//! then opens its own chooser (`egui_file`) and remembers that choice in the settings. The
//! in-app chooser has a folder field and a file-name field, so a path can always be typed.

use super::{Command, saves_dir};
use crate::formats::ExportFormat;
use crate::io::corpus;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Which chooser the window uses; kept in the settings.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChooserKind {
    /// The desktop's dialog, switching to the in-app chooser for good when the desktop
    /// offers none.
    #[default]
    Automatic,
    /// Always the desktop's dialog.
    Native,
    /// Always the in-app chooser.
    InApp,
}

/// A native dialog that returns nothing sooner than this was never shown: nobody cancels
/// a dialog that quickly.
pub const NO_DIALOG_WITHIN: Duration = Duration::from_millis(150);

/// What a file is being chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRequest {
    /// A project to open.
    Open,
    /// Where to save the project.
    SaveAs,
    /// A folder of .txt files for a new project.
    NewFromCorpus,
    /// Annotated data to import.
    Import,
    /// Where to export in a format.
    Export(ExportFormat),
}

/// Whether a request picks an existing file, a folder, or a file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickMode {
    /// An existing file.
    OpenFile,
    /// An existing folder.
    Folder,
    /// A file to write (it may exist).
    SaveFile,
}

impl FileRequest {
    /// The chooser's title.
    pub fn title(self) -> &'static str {
        match self {
            FileRequest::Open => "Open a project",
            FileRequest::SaveAs => "Save the project as",
            FileRequest::NewFromCorpus => "Choose a folder of .txt files",
            FileRequest::Import => "Import annotated data",
            FileRequest::Export(ExportFormat::Brat) => "Export to a folder",
            FileRequest::Export(_) => "Export",
        }
    }

    /// What kind of path the request needs.
    pub fn mode(self) -> PickMode {
        match self {
            FileRequest::Open | FileRequest::Import => PickMode::OpenFile,
            FileRequest::NewFromCorpus | FileRequest::Export(ExportFormat::Brat) => {
                PickMode::Folder
            }
            FileRequest::SaveAs | FileRequest::Export(_) => PickMode::SaveFile,
        }
    }

    /// The folder the chooser starts in (the working folder when the usual one is
    /// missing, as for an installed spantag started outside a checkout).
    pub fn start_dir(self) -> PathBuf {
        let usual = match self {
            FileRequest::NewFromCorpus => corpus::bundled_corpus_dir(),
            _ => saves_dir(),
        };
        if usual.is_dir() {
            usual
        } else {
            std::env::current_dir().unwrap_or(usual)
        }
    }

    /// The file name offered when saving.
    pub fn default_name(self) -> Option<&'static str> {
        match self {
            FileRequest::SaveAs => Some("project.ron"),
            _ => None,
        }
    }

    /// Only project files are offered when opening or saving a project.
    pub fn project_files_only(self) -> bool {
        matches!(self, FileRequest::Open | FileRequest::SaveAs)
    }

    /// The command that carries the request out on the chosen path.
    pub fn command(self, path: PathBuf) -> Command {
        match self {
            FileRequest::Open | FileRequest::NewFromCorpus => Command::OpenPath(path),
            FileRequest::SaveAs => Command::SaveTo(path),
            FileRequest::Import => Command::ImportPath(path),
            FileRequest::Export(format) => Command::ExportTo(format, path),
        }
    }
}

fn is_project_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// What asking the desktop's dialog gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NativeAnswer {
    /// The user chose this path.
    Chosen(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// No dialog was shown: the desktop has none.
    NoDialog,
}

/// Shows the desktop's dialog for `request` and waits for it.
pub fn ask_native(request: FileRequest) -> NativeAnswer {
    let mut dialog = rfd::FileDialog::new()
        .set_title(request.title())
        .set_directory(request.start_dir());
    if let Some(name) = request.default_name() {
        dialog = dialog.set_file_name(name);
    }
    if request.project_files_only() {
        dialog = dialog.add_filter("spantag project", &["ron"]);
    }
    let asked = Instant::now();
    let picked = match request.mode() {
        PickMode::OpenFile => dialog.pick_file(),
        PickMode::Folder => dialog.pick_folder(),
        PickMode::SaveFile => dialog.save_file(),
    };
    match picked {
        Some(path) => NativeAnswer::Chosen(path),
        None if asked.elapsed() < NO_DIALOG_WITHIN => NativeAnswer::NoDialog,
        None => NativeAnswer::Cancelled,
    }
}

/// The in-app chooser while it is open.
pub struct InAppChooser {
    /// What the path is for.
    pub request: FileRequest,
    dialog: egui_file::FileDialog,
}

impl std::fmt::Debug for InAppChooser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InAppChooser")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// The title of the in-app chooser's window, which is also its egui id.
pub const IN_APP_TITLE: &str = "Choose a file";

impl InAppChooser {
    /// Opens the in-app chooser for `request`.
    pub fn open(request: FileRequest) -> Self {
        let dialog = match request.mode() {
            PickMode::OpenFile => egui_file::FileDialog::open_file(),
            PickMode::Folder => egui_file::FileDialog::select_folder(),
            PickMode::SaveFile => egui_file::FileDialog::save_file(),
        };
        let mut dialog = dialog
            .title(request.title())
            .id(egui::Id::unique(IN_APP_TITLE))
            .initial_path(request.start_dir())
            .default_size([640.0, 480.0])
            // In the middle of the window, where the eye (and a script) finds it.
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show_rename(false);
        if let Some(name) = request.default_name() {
            dialog = dialog.default_filename(name);
        }
        if request.project_files_only() {
            dialog = dialog.show_files_filter(Box::new(|path: &Path| is_project_file(path)));
        }
        dialog.open();
        Self { request, dialog }
    }

    /// Draws the chooser. Returns the command for the chosen path once one is chosen, and
    /// whether the chooser is still open.
    pub fn show(&mut self, ctx: &egui::Context) -> (Option<Command>, bool) {
        let state = self.dialog.show(ctx).state();
        match state {
            egui_file::State::Open => (None, true),
            egui_file::State::Selected => (
                self.dialog
                    .path()
                    .map(|path| self.request.command(path.to_owned())),
                false,
            ),
            egui_file::State::Cancelled | egui_file::State::Closed => (None, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_picks_the_right_kind_of_path_and_becomes_its_command() {
        let path = PathBuf::from("/tmp/x.ron");
        let cases = [
            (
                FileRequest::Open,
                PickMode::OpenFile,
                Command::OpenPath(path.clone()),
            ),
            (
                FileRequest::SaveAs,
                PickMode::SaveFile,
                Command::SaveTo(path.clone()),
            ),
            (
                FileRequest::NewFromCorpus,
                PickMode::Folder,
                Command::OpenPath(path.clone()),
            ),
            (
                FileRequest::Import,
                PickMode::OpenFile,
                Command::ImportPath(path.clone()),
            ),
            (
                FileRequest::Export(ExportFormat::Brat),
                PickMode::Folder,
                Command::ExportTo(ExportFormat::Brat, path.clone()),
            ),
            (
                FileRequest::Export(ExportFormat::Spans),
                PickMode::SaveFile,
                Command::ExportTo(ExportFormat::Spans, path.clone()),
            ),
        ];
        for (request, mode, command) in cases {
            assert_eq!(request.mode(), mode, "{request:?}");
            assert_eq!(request.command(path.clone()), command, "{request:?}");
        }
    }

    #[test]
    fn only_project_requests_filter_for_ron_files() {
        assert!(FileRequest::Open.project_files_only());
        assert!(FileRequest::SaveAs.project_files_only());
        assert!(!FileRequest::Import.project_files_only());
        assert!(is_project_file(Path::new("a/b.RON")));
        assert!(!is_project_file(Path::new("a/b.jsonl")));
    }
}
