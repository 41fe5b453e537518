//! The editing session behind the window: the open project, its history, where it is saved,
//! the current document, the text selection and the selected annotation.
//!
//! No egui here: every user action is a method that turns into an [`Edit`] applied through
//! the [`History`], so the whole editing logic is testable without a window.

use crate::io::project_file::{self, ProjectFileError};
use crate::model::snap::{
    next_word_start, previous_word, snap_to_characters, snap_to_words, word_at,
};
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, CharOffset, DocId, DocStatus, Document, Edit,
    EditError, History, Project, Relation, Span,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// A text selection in the current document: where it started and where it ends now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextSelection {
    /// Where the selection began (stays put when shift-click extends it).
    pub anchor: CharOffset,
    /// The moving end.
    pub head: CharOffset,
}

impl TextSelection {
    /// The selection as an ordered range.
    pub fn range(&self) -> (CharOffset, CharOffset) {
        (self.anchor.min(self.head), self.anchor.max(self.head))
    }
}

/// What the file on disk looked like when we last read or wrote it, to notice when
/// someone else changes it: its modification time, length and identity (device and inode
/// on Unix), so a file replaced by another one with the same size and time still counts as
/// changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// Modification time as (seconds, nanoseconds) since the Unix epoch.
    modified: Option<(u64, u32)>,
    len: u64,
    identity: Option<(u64, u64)>,
}

impl FileStamp {
    /// The stamp of a file now, if it exists.
    pub fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            Some((meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let identity = None;
        Some(Self {
            modified,
            len: meta.len(),
            identity,
        })
    }

    /// The stamp as one line of text (kept beside a recovery copy).
    pub fn to_line(&self) -> String {
        let (secs, nanos) = self.modified.unwrap_or((0, 0));
        let (dev, ino) = self.identity.unwrap_or((0, 0));
        format!(
            "stamp {} {secs} {nanos} {} {dev} {ino}",
            u8::from(self.modified.is_some()),
            self.len
        )
    }

    /// Reads a stamp written by [`FileStamp::to_line`]; `None` for anything else.
    pub fn from_line(line: &str) -> Option<Self> {
        let mut words = line.strip_prefix("stamp ")?.split(' ');
        let mut next = || words.next()?.parse::<u64>().ok();
        let has_time = next()?;
        let secs = next()?;
        let nanos = u32::try_from(next()?).ok()?;
        let len = next()?;
        let (dev, ino) = (next()?, next()?);
        Some(Self {
            modified: (has_time == 1).then_some((secs, nanos)),
            len,
            identity: ((dev, ino) != (0, 0)).then_some((dev, ino)),
        })
    }
}

/// The open project and everything about how the user is working on it.
#[derive(Debug)]
pub struct Session {
    /// The project being edited, shared with background jobs that only read it (exports,
    /// imports) so starting one copies nothing; an edit while one still holds it copies
    /// it first ([`Session::project_mut`]).
    pub project: Arc<Project>,
    /// Undo/redo.
    pub history: History,
    /// Where the project is saved; `None` until the first save.
    pub path: Option<PathBuf>,
    /// The file on disk as we last saw it.
    pub stamp: Option<FileStamp>,
    /// Index of the current document in `project.documents()`.
    pub current: usize,
    /// The text selection in the current document.
    pub selection: Option<TextSelection>,
    /// The selected annotation.
    pub selected: Option<AnnotationId>,
    /// The selected relation (never at the same time as a selected annotation).
    pub selected_relation: Option<AnnotationId>,
    /// Snap selections to whole words (the default) or keep exact characters.
    pub snap_words: bool,
    /// The file whose first documents this session shows while the rest of it loads: the
    /// project is only part of that file, so nothing saves it (saving waits for the whole
    /// project) and corpus-wide work waits; the edits made meanwhile are carried over to
    /// the whole project when it lands.
    pub preview_of: Option<PathBuf>,
    /// Unique to this session: background jobs and caches that outlive a frame check it,
    /// so work started on one project never lands in another.
    generation: u64,
}

/// Hands out session generations.
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Session {
    /// A session on a project that has never been saved.
    pub fn unsaved(project: Project) -> Self {
        Self {
            project: Arc::new(project),
            history: History::unsaved(),
            path: None,
            stamp: None,
            current: 0,
            selection: None,
            selected: None,
            selected_relation: None,
            snap_words: true,
            preview_of: None,
            generation: NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The project for changing it: copied first if a background job still reads it.
    pub fn project_mut(&mut self) -> &mut Project {
        Arc::make_mut(&mut self.project)
    }

    /// This session's generation (unique per opened or recovered project).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A number that changes with every edit, undo and redo, and differs between sessions
    /// (history state ids restart at 0 in each session).
    pub fn revision(&self) -> u64 {
        (self.generation << 40) ^ self.history.state_id()
    }

    /// A session on a project just saved to `path`.
    pub fn saved(project: Project, path: PathBuf) -> Self {
        let stamp = FileStamp::of(&path);
        Self::saved_with_stamp(project, path, stamp)
    }

    /// A session on a project read from `path`, with the file's stamp as it was before
    /// reading began: a change made while it was read is noticed at the next save.
    pub fn saved_with_stamp(project: Project, path: PathBuf, stamp: Option<FileStamp>) -> Self {
        Self {
            stamp,
            path: Some(path),
            history: History::saved(),
            ..Self::unsaved(project)
        }
    }

    /// Opens a project file.
    pub fn open(path: &Path) -> Result<Self, ProjectFileError> {
        let stamp = FileStamp::of(path);
        let project = project_file::load(path)?;
        Ok(Self::saved_with_stamp(project, path.to_owned(), stamp))
    }

    /// The current document.
    pub fn document(&self) -> Option<&Document> {
        self.project.documents().get(self.current)
    }

    /// Switches to another document, clearing selections.
    pub fn open_document(&mut self, index: usize) {
        if index < self.project.documents().len() && index != self.current {
            self.current = index;
            self.selection = None;
            self.selected = None;
            self.selected_relation = None;
        }
    }

    /// Sets the text selection from a rough pointer range, snapping to words if enabled.
    pub fn select_range(&mut self, anchor: CharOffset, head: CharOffset) {
        let Some(doc) = self.document() else { return };
        let (start, end) = (anchor.min(head), anchor.max(head));
        let snapped = if self.snap_words {
            snap_to_words(doc.text(), start, end)
        } else {
            snap_to_characters(doc.text(), start, end)
        };
        self.selection = snapped.map(|(s, e)| {
            if head < anchor {
                TextSelection { anchor: e, head: s }
            } else {
                TextSelection { anchor: s, head: e }
            }
        });
        if self.selection.is_some() {
            self.selected = None;
        }
    }

    /// Selects the word at a character (double-click).
    pub fn select_word(&mut self, at: CharOffset) {
        let Some(doc) = self.document() else { return };
        if let Some((s, e)) = word_at(doc.text(), at) {
            self.selection = Some(TextSelection { anchor: s, head: e });
            self.selected = None;
        }
    }

    /// Extends the selection (or the selected annotation's span) to a character
    /// (shift-click).
    pub fn extend_selection(&mut self, to: CharOffset) {
        let anchor = match (self.selection, self.selected_annotation()) {
            (Some(sel), _) => sel.anchor,
            (None, Some(ann)) => ann.anchor().covering().map_or(to, |s| s.start()),
            (None, None) => to,
        };
        let to = if to >= anchor {
            CharOffset(to.0 + 1)
        } else {
            to
        };
        self.select_range(anchor, to);
    }

    /// Keyboard selection: selects the next/previous word, or extends the selection by one
    /// word (keeping its anchor).
    pub fn move_word(&mut self, forward: bool, extend: bool) {
        let Some(doc) = self.document() else { return };
        let text = doc.text();
        let (anchor, head) = match (self.selection, self.selected_annotation()) {
            (Some(sel), _) => (sel.anchor, sel.head),
            (None, Some(ann)) => ann
                .anchor()
                .covering()
                .map_or((CharOffset(0), CharOffset(0)), |s| (s.start(), s.end())),
            (None, None) => (CharOffset(0), CharOffset(0)),
        };
        let fresh = self.selection.is_none() && self.selected.is_none();
        let selection = if fresh {
            next_word_start(text, CharOffset(0), true)
                .map(|(s, e)| TextSelection { anchor: s, head: e })
        } else if !extend {
            let word = if forward {
                next_word_start(text, anchor.max(head), true)
            } else {
                previous_word(text, anchor.min(head))
            };
            word.map(|(s, e)| TextSelection { anchor: s, head: e })
        } else if forward {
            // The end of the word after the head.
            next_word_start(text, head, false).map(|(_, e)| TextSelection { anchor, head: e })
        } else if head > anchor {
            // Shrink: the end of the word before the last selected word.
            previous_word(text, head)
                .and_then(|(s, _)| previous_word(text, s))
                .map(|(_, e)| e)
                .filter(|e| *e > anchor)
                .map(|e| TextSelection { anchor, head: e })
        } else {
            previous_word(text, head).map(|(s, _)| TextSelection { anchor, head: s })
        };
        if let Some(selection) = selection {
            self.selection = Some(selection);
            self.selected = None;
        }
    }

    /// The next or previous tag after the selection (or the selected tag), wrapping around.
    pub fn next_tag(&self, forward: bool) -> Option<AnnotationId> {
        let doc = self.document()?;
        let list = self.project.annotations_of(doc.id());
        if list.is_empty() {
            return None;
        }
        let position = self
            .selected
            .and_then(|id| list.iter().position(|a| a.id() == id));
        let index = match (position, forward) {
            (Some(i), true) => (i + 1) % list.len(),
            (Some(i), false) => (i + list.len() - 1) % list.len(),
            (None, true) => {
                let at = self.selection.map_or(0, |s| s.range().0.0);
                list.iter()
                    .position(|a| a.anchor().covering().is_some_and(|s| s.start().0 >= at))
                    .unwrap_or(0)
            }
            (None, false) => list.len() - 1,
        };
        list.get(index).map(|a| a.id())
    }

    /// The selection as a span of the current document.
    pub fn selection_span(&self) -> Option<Span> {
        let doc = self.document()?;
        let (s, e) = self.selection?.range();
        Span::new(s.0, e.0, doc.text()).ok()
    }

    /// The selected annotation.
    pub fn selected_annotation(&self) -> Option<&Annotation> {
        self.project.annotation(self.selected?)
    }

    /// Applies an edit as one undoable step.
    pub fn apply(&mut self, edit: Edit, description: &str) -> Result<(), EditError> {
        let open = self.open_id();
        self.history
            .apply(Arc::make_mut(&mut self.project), edit, description)?;
        self.forget_vanished(open);
        Ok(())
    }

    /// The label key or palette click: tags the selection, or relabels the selected entity.
    /// Returns what happened, for the status bar.
    pub fn tag_or_relabel(&mut self, label: &str) -> Result<String, EditError> {
        if let Some(span) = self.selection_span() {
            return self.tag(span, label);
        }
        if let Some(ann) = self.selected_annotation().cloned()
            && let AnnotationKind::Entity { canonical, .. } = ann.kind()
        {
            let relabelled = ann
                .with_kind(AnnotationKind::Entity {
                    label: label.into(),
                    canonical: canonical.clone(),
                })
                .map_err(|_| EditError::NoSuchAnnotation(ann.id()))?;
            self.apply(
                Edit::ReplaceAnnotation(relabelled),
                &format!("relabel as {label}"),
            )?;
            return Ok(format!("relabelled as {label}"));
        }
        Ok("select some text first".to_owned())
    }

    /// Tags `span` of the current document with an entity label (one undoable step; a
    /// document not started yet becomes "in progress" in the same step).
    pub fn tag(&mut self, span: Span, label: &str) -> Result<String, EditError> {
        let Some(doc) = self.document() else {
            return Ok("no document open".to_owned());
        };
        let doc_id = doc.id().clone();
        let text = span.text(doc.text()).to_owned();
        let existing = self
            .project
            .annotations_of(&doc_id)
            .into_iter()
            .find(|a| a.spans() == [span] && a.label() == Some(label));
        if let Some(existing) = existing {
            self.selected = Some(existing.id());
            self.selection = None;
            return Ok(format!("“{text}” is already {label}"));
        }
        let tag = Annotation::entity(AnnotationId::NEW, span, label);
        let tag = self.project_mut().with_new_id(&doc_id, tag);
        let id = tag.id();
        let mut edits = vec![Edit::AddAnnotation(doc_id.clone(), tag)];
        if self.project.status(&doc_id) == DocStatus::NotStarted {
            edits.push(Edit::SetStatus {
                doc: doc_id,
                status: DocStatus::InProgress,
            });
        }
        self.apply(Edit::Batch(edits), &format!("tag {label}"))?;
        self.selection = None;
        self.selected = Some(id);
        Ok(format!("tagged “{text}” as {label}"))
    }

    /// Creates a stance on `span` (or on the whole current document when `None`) toward
    /// `target`, with a polarity and an optional holder — one undoable step that also adds a
    /// new target to the schema's list.
    pub fn add_stance(
        &mut self,
        span: Option<Span>,
        target: &str,
        polarity: &str,
        holder: Option<AnnotationId>,
    ) -> Result<String, EditError> {
        let Some(doc) = self.document() else {
            return Ok("no document open".to_owned());
        };
        let doc_id = doc.id().clone();
        let anchor = span.map_or(Anchor::Document, Anchor::span);
        let kind = AnnotationKind::Stance {
            target: target.trim().into(),
            polarity: polarity.into(),
            holder: holder.and_then(crate::model::HolderId::new),
        };
        let id = self.project_mut().allocate_id_for(&doc_id, &anchor, &kind);
        let stance =
            Annotation::new(id, anchor, kind).map_err(|_| EditError::NoSuchAnnotation(id))?;
        let mut edits = vec![Edit::AddAnnotation(doc_id.clone(), stance)];
        let target = target.trim().to_owned();
        if !self.project.schema().targets.contains(&target) {
            let mut schema = self.project.schema().clone();
            schema.targets.insert(target.clone());
            edits.push(Edit::SetSchema(schema));
        }
        if self.project.status(&doc_id) == DocStatus::NotStarted {
            edits.push(Edit::SetStatus {
                doc: doc_id,
                status: DocStatus::InProgress,
            });
        }
        self.apply(Edit::Batch(edits), "add stance")?;
        self.selection = None;
        self.selected = Some(id);
        Ok(format!("{polarity} stance toward {target}"))
    }

    /// Replaces an annotation's kind (label, canonical name, target, polarity, holder) as
    /// one undoable step; a new stance target joins the schema's list in the same step.
    pub fn change_kind(&mut self, id: AnnotationId, kind: AnnotationKind) -> Result<(), EditError> {
        let Some(ann) = self.project.annotation(id) else {
            return Err(EditError::NoSuchAnnotation(id));
        };
        if ann.kind() == &kind {
            return Ok(());
        }
        let changed = ann
            .with_kind(kind.clone())
            .map_err(|_| EditError::NoSuchAnnotation(id))?;
        let mut edits = vec![Edit::ReplaceAnnotation(changed)];
        if let AnnotationKind::Stance { target, .. } = &kind
            && !self.project.schema().targets.contains(target.as_str())
        {
            let mut schema = self.project.schema().clone();
            schema.targets.insert(target.to_string());
            edits.push(Edit::SetSchema(schema));
        }
        self.apply(Edit::Batch(edits), "edit tag")
    }

    /// Sets or clears an annotation's note (one undoable step).
    pub fn set_note(&mut self, id: AnnotationId, note: &str) -> Result<(), EditError> {
        let Some(ann) = self.project.annotation(id) else {
            return Err(EditError::NoSuchAnnotation(id));
        };
        let note = (!note.trim().is_empty()).then(|| note.to_owned());
        if ann.note() == note.as_deref() {
            return Ok(());
        }
        let mut changed = ann.clone();
        changed.set_note(note.map(Into::into));
        self.apply(Edit::ReplaceAnnotation(changed), "edit note")
    }

    /// The names of the relation types that may link `from` to `to` (by their entity
    /// labels), in picker order.
    pub fn relation_types_for(&self, from: AnnotationId, to: AnnotationId) -> Vec<String> {
        let label = |id| self.project.annotation(id).and_then(Annotation::label);
        self.project
            .schema()
            .relation_types_for(label(from), label(to))
            .into_iter()
            .map(|t| t.name.clone())
            .collect()
    }

    /// Links two annotations of one document with a relation of type `label` (one
    /// undoable step) and selects it.
    pub fn add_relation(
        &mut self,
        from: AnnotationId,
        to: AnnotationId,
        label: &str,
    ) -> Result<String, EditError> {
        let Some(doc) = self.project.document_of(from).map(|d| d.id().clone()) else {
            return Err(EditError::NoSuchAnnotation(from));
        };
        let id = self.project_mut().allocate_relation_id(label, from, to);
        let mut edits = vec![Edit::AddRelation(Relation {
            id,
            label: label.to_owned(),
            from,
            to,
        })];
        if self.project.status(&doc) == DocStatus::NotStarted {
            edits.push(Edit::SetStatus {
                doc,
                status: DocStatus::InProgress,
            });
        }
        self.apply(Edit::Batch(edits), &format!("relate {label}"))?;
        self.select_relation(id);
        Ok(format!("related as {label}"))
    }

    /// Gives a relation another type (one undoable step).
    pub fn retype_relation(&mut self, id: AnnotationId, label: &str) -> Result<String, EditError> {
        let Some(old) = self.project.relations().get(&id).cloned() else {
            return Err(EditError::NoSuchAnnotation(id));
        };
        if old.label == label {
            return Ok(format!("already {label}"));
        }
        let new = Relation {
            label: label.to_owned(),
            ..old
        };
        self.apply(
            Edit::Batch(vec![Edit::RemoveRelation(id), Edit::AddRelation(new)]),
            &format!("retype relation as {label}"),
        )?;
        self.select_relation(id);
        Ok(format!("relation is now {label}"))
    }

    /// Selects a relation (and no annotation or text).
    pub fn select_relation(&mut self, id: AnnotationId) {
        if self.project.relations().contains_key(&id) {
            self.selected_relation = Some(id);
            self.selected = None;
            self.selection = None;
        }
    }

    /// Removes the selected relation, else the selected annotation (and the links to it,
    /// in the same step).
    pub fn delete_selected(&mut self) -> Result<String, EditError> {
        if let Some(id) = self.selected_relation {
            self.apply(Edit::RemoveRelation(id), "delete relation")?;
            self.selected_relation = None;
            return Ok("deleted the relation".to_owned());
        }
        let Some(id) = self.selected else {
            return Ok("nothing selected".to_owned());
        };
        let edit = crate::model::edit::removal_edit(&self.project, id);
        self.apply(edit, "delete")?;
        self.selected = None;
        Ok("deleted".to_owned())
    }

    /// Sets the current document's status.
    pub fn set_status(&mut self, status: DocStatus) -> Result<(), EditError> {
        let Some(doc) = self.document() else {
            return Ok(());
        };
        let doc = doc.id().clone();
        if self.project.status(&doc) != status {
            self.apply(
                Edit::SetStatus { doc, status },
                &format!("mark {}", status.name()),
            )?;
        }
        Ok(())
    }

    /// Undoes the last step; returns its description.
    pub fn undo(&mut self) -> Result<Option<String>, EditError> {
        let what = self.history.undo_description().map(str::to_owned);
        let open = self.open_id();
        let done = self.history.undo(Arc::make_mut(&mut self.project))?;
        self.forget_vanished(open);
        Ok(what.filter(|_| done))
    }

    /// Redoes the last undone step; returns its description.
    pub fn redo(&mut self) -> Result<Option<String>, EditError> {
        let what = self.history.redo_description().map(str::to_owned);
        let open = self.open_id();
        let done = self.history.redo(Arc::make_mut(&mut self.project))?;
        self.forget_vanished(open);
        Ok(what.filter(|_| done))
    }

    /// Saves to `path` (atomically, keeping a backup) and remembers it as the project's file.
    pub fn save_to(&mut self, path: &Path) -> Result<(), ProjectFileError> {
        project_file::save(&self.project, path)?;
        self.path = Some(path.to_owned());
        self.stamp = FileStamp::of(path);
        self.history.mark_saved();
        Ok(())
    }

    /// Whether the file on disk changed since we last read or wrote it.
    pub fn changed_on_disk(&self) -> bool {
        match &self.path {
            Some(path) => self.stamp.is_some() && FileStamp::of(path) != self.stamp,
            None => false,
        }
    }

    /// The window title: project name, and a marker when there are unsaved changes.
    pub fn title(&self) -> String {
        if let Some(path) = &self.preview_of {
            let name = path
                .file_name()
                .unwrap_or(path.as_os_str())
                .to_string_lossy();
            let marker = if self.history.is_dirty() { " ●" } else { "" };
            return format!("{name}{marker} (loading…) — spantag");
        }
        let name = self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let marker = if self.history.is_dirty() { " ●" } else { "" };
        format!("{name}{marker} — spantag")
    }

    /// After a change: keeps the same document open even when documents were added or
    /// removed before it (the list is sorted by id), and drops selections that no longer
    /// make sense there.
    fn forget_vanished(&mut self, open: Option<DocId>) {
        if self
            .selected
            .is_some_and(|id| self.project.annotation(id).is_none())
        {
            self.selected = None;
        }
        if self
            .selected_relation
            .is_some_and(|id| !self.project.relations().contains_key(&id))
            || self.selected.is_some()
        {
            self.selected_relation = None;
        }
        match open.and_then(|id| self.project.document_index(&id)) {
            Some(index) => self.current = index,
            None => {
                if self.current >= self.project.documents().len() {
                    self.current = 0;
                }
                self.selection = None;
                self.selected = None;
            }
        }
    }

    fn open_id(&self) -> Option<DocId> {
        self.document().map(|d| d.id().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::project_file::default_schema;
    use crate::model::DocId;

    #[test]
    fn a_file_stamp_survives_its_text_form_and_junk_is_no_stamp() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("p.ron");
        std::fs::write(&file, "x").expect("write");
        let stamp = FileStamp::of(&file).expect("stamp");
        assert_eq!(FileStamp::from_line(&stamp.to_line()), Some(stamp));
        for junk in [
            "",
            "stamp",
            "stamp 1 2",
            "stamp x 1 2 3 4 5",
            "/home/me/p.ron",
        ] {
            assert_eq!(FileStamp::from_line(junk), None, "{junk:?}");
        }
        // Another file with the same size is another stamp (identity).
        let other = dir.path().join("q.ron");
        std::fs::write(&other, "y").expect("write");
        assert_ne!(FileStamp::of(&other), Some(stamp));
    }

    fn session(text: &str) -> Session {
        let doc = Document::from_raw(DocId("d".into()), text);
        Session::unsaved(Project::new(default_schema(), vec![doc]).expect("project"))
    }

    fn tagged(s: &Session) -> Vec<(String, String)> {
        let doc = s.document().expect("doc");
        s.project
            .annotations_of(doc.id())
            .iter()
            .map(|a| (a.text(doc.text()), a.label().unwrap_or("").to_owned()))
            .collect()
    }

    #[test]
    fn tag_relabel_delete_undo_redo() {
        let mut s = session("Mark Zuckerberg en Cambridge Analytica.");
        s.select_word(CharOffset(7));
        s.tag_or_relabel("PER").expect("tag");
        assert_eq!(tagged(&s), [("Zuckerberg".into(), "PER".into())]);
        assert_eq!(s.project.status(&DocId("d".into())), DocStatus::InProgress);
        s.select_range(CharOffset(20), CharOffset(33));
        s.tag_or_relabel("LOC").expect("tag");
        s.tag_or_relabel("ORG").expect("relabel");
        assert_eq!(tagged(&s)[1], ("Cambridge Analytica".into(), "ORG".into()));
        s.delete_selected().expect("delete");
        assert_eq!(tagged(&s).len(), 1);
        s.undo().expect("undo delete");
        s.undo().expect("undo relabel");
        assert_eq!(tagged(&s)[1].1, "LOC");
        s.redo().expect("redo");
        assert_eq!(tagged(&s)[1].1, "ORG");
        assert!(s.history.is_dirty());
        for _ in 0..3 {
            s.undo().expect("undo");
        }
        assert!(tagged(&s).is_empty());
        assert_eq!(s.project.status(&DocId("d".into())), DocStatus::NotStarted);
    }

    #[test]
    fn shift_click_extends_and_exact_mode_keeps_characters() {
        let mut s = session("De topman Mark Zuckerberg zegt sorry.");
        s.select_word(CharOffset(11));
        s.extend_selection(CharOffset(17));
        let sel = s.selection_span().expect("selection");
        assert_eq!(
            sel.text(s.document().expect("doc").text()),
            "Mark Zuckerberg"
        );
        s.snap_words = false;
        s.select_range(CharOffset(12), CharOffset(14));
        let sel = s.selection_span().expect("selection");
        assert_eq!(sel.text(s.document().expect("doc").text()), "rk");
    }

    #[test]
    fn keyboard_moves_and_extends_word_by_word() {
        let mut s = session(",,We zeggen: Mark Zuckerberg heeft gelijk.");
        let text_of = |s: &Session| {
            let sel = s.selection_span().expect("selection");
            sel.text(s.document().expect("doc").text()).to_owned()
        };
        s.move_word(true, false);
        assert_eq!(text_of(&s), "We");
        s.move_word(true, false);
        s.move_word(true, false);
        assert_eq!(text_of(&s), "Mark");
        s.move_word(true, true);
        assert_eq!(text_of(&s), "Mark Zuckerberg");
        s.move_word(true, true);
        assert_eq!(text_of(&s), "Mark Zuckerberg heeft");
        s.move_word(false, true);
        assert_eq!(text_of(&s), "Mark Zuckerberg");
        s.move_word(false, false);
        assert_eq!(text_of(&s), "zeggen");
        s.tag_or_relabel("MISC").expect("tag");
        s.move_word(true, false);
        assert_eq!(text_of(&s), "Mark");
    }

    #[test]
    fn the_open_document_stays_open_when_documents_are_added_before_it() {
        let docs = vec![
            Document::from_raw(DocId("b".into()), "Tweede document."),
            Document::from_raw(DocId("c".into()), "Derde document."),
        ];
        let mut s = Session::unsaved(Project::new(default_schema(), docs).expect("p"));
        s.open_document(1);
        s.select_word(CharOffset(1));
        let add = Edit::AddDocuments(vec![Document::from_raw(DocId("a".into()), "Eerste.")]);
        s.apply(add, "import").expect("import");
        assert_eq!(s.document().map(|d| d.id().as_str()), Some("c"));
        assert!(
            s.selection.is_some(),
            "the selection still belongs to the open document"
        );
        s.undo().expect("undo");
        assert_eq!(s.document().map(|d| d.id().as_str()), Some("c"));
    }

    #[test]
    fn exact_selections_never_split_a_character_from_its_accent() {
        let mut s = session("Cafe\u{301} open");
        s.snap_words = false;
        s.select_range(CharOffset(1), CharOffset(4));
        let sel = s.selection_span().expect("selection");
        assert_eq!(sel.text(s.document().expect("doc").text()), "afe\u{301}");
    }

    #[test]
    fn tagging_the_same_span_twice_selects_the_first() {
        let mut s = session("Facebook zegt sorry.");
        s.select_word(CharOffset(1));
        s.tag_or_relabel("ORG").expect("tag");
        let first = s.selected;
        s.select_word(CharOffset(1));
        let msg = s.tag_or_relabel("ORG").expect("again");
        assert!(msg.contains("already"), "{msg}");
        assert_eq!(s.selected, first);
        assert_eq!(s.project.annotations().len(), 1);
    }

    #[test]
    fn saving_clears_the_marker_and_undo_back_to_saved_is_clean() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("p.ron");
        let mut s = session("Facebook zegt sorry.");
        assert_eq!(s.title(), "untitled ● — spantag");
        s.save_to(&path).expect("save");
        assert_eq!(s.title(), "p.ron — spantag");
        s.select_word(CharOffset(1));
        s.tag_or_relabel("ORG").expect("tag");
        assert!(s.history.is_dirty());
        s.undo().expect("undo");
        assert!(!s.history.is_dirty());
        let reopened = Session::open(&path).expect("open");
        assert_eq!(reopened.project, s.project);
    }
}

#[cfg(test)]
mod relation_tests {
    use super::*;
    use crate::io::project_file::default_schema;
    use crate::model::{DocId, RelationType, Rgb};

    #[test]
    fn relations_are_created_retyped_deleted_and_undone_one_step_each() {
        let doc = Document::from_raw(DocId("d".into()), "Nix werkt voor SCL Group.");
        let mut schema = default_schema();
        schema.relation_types = vec![
            RelationType {
                from_labels: vec!["PER".into()],
                to_labels: vec!["ORG".into()],
                ..RelationType::any("Works_for", Rgb([0, 0, 0]))
            },
            RelationType::any("Related", Rgb([0, 0, 0])),
        ];
        let mut s = Session::unsaved(Project::new(schema, vec![doc]).expect("p"));
        s.select_word(CharOffset(0));
        s.tag_or_relabel("PER").expect("nix");
        let nix = s.selected.expect("nix");
        s.select_range(CharOffset(15), CharOffset(24));
        s.tag_or_relabel("ORG").expect("scl");
        let scl = s.selected.expect("scl");
        assert_eq!(s.relation_types_for(nix, scl), ["Works_for", "Related"]);
        assert_eq!(s.relation_types_for(scl, nix), ["Related"]);
        s.add_relation(nix, scl, "Works_for").expect("relate");
        let rel = s.selected_relation.expect("selected relation");
        assert_eq!(s.selected, None);
        s.retype_relation(rel, "Related").expect("retype");
        assert_eq!(s.project.relations()[&rel].label, "Related");
        s.delete_selected().expect("delete");
        assert!(s.project.relations().is_empty());
        s.undo().expect("undo delete");
        assert_eq!(s.project.relations()[&rel].label, "Related");
        s.undo().expect("undo retype");
        assert_eq!(s.project.relations()[&rel].label, "Works_for");
        s.undo().expect("undo create");
        assert!(s.project.relations().is_empty());
        assert_eq!(
            s.selected_relation, None,
            "a vanished relation is not selected"
        );
        assert_eq!(s.project.annotations().len(), 2);
    }
}

#[cfg(test)]
mod stance_tests {
    use super::*;
    use crate::io::project_file::default_schema;
    use crate::model::DocId;

    #[test]
    fn stance_creation_editing_and_undo() {
        let doc = Document::from_raw(
            DocId("d".into()),
            "Stamsnijder: ,,Zijn reactie is too little too late.''",
        );
        let mut s = Session::unsaved(Project::new(default_schema(), vec![doc]).expect("p"));
        s.select_word(CharOffset(2));
        s.tag_or_relabel("PER").expect("holder");
        let holder = s.selected.expect("holder id");
        let text = s.document().expect("doc").text().clone();
        let quote = Span::new(15, 50, &text).expect("quote");
        s.add_stance(Some(quote), "Mark Zuckerberg", "AGAINST", Some(holder))
            .expect("stance");
        let id = s.selected.expect("stance id");
        assert!(
            s.project.schema().targets.contains("Mark Zuckerberg"),
            "target joins the list"
        );
        s.change_kind(
            id,
            AnnotationKind::Stance {
                target: "Zuckerberg".into(),
                polarity: "NEUTRAL".into(),
                holder: None,
            },
        )
        .expect("edit");
        s.set_note(id, "ironisch?").expect("note");
        s.add_stance(None, "Facebook", "AGAINST", None)
            .expect("document stance");
        assert_eq!(s.project.annotations().len(), 3);
        s.undo().expect("undo doc stance");
        s.undo().expect("undo note");
        s.undo().expect("undo edit");
        let back = s.project.annotation(id).expect("stance");
        assert_eq!(
            back.kind(),
            &AnnotationKind::Stance {
                target: "Mark Zuckerberg".into(),
                polarity: "AGAINST".into(),
                holder: crate::model::HolderId::new(holder)
            }
        );
        assert_eq!(back.note(), None);
        s.undo().expect("undo stance");
        assert!(
            !s.project.schema().targets.contains("Mark Zuckerberg"),
            "list shrinks on undo"
        );
    }
}
