//! Undo/redo as a history of inverse edits, with a marker for "the state last saved".

use super::edit::{Edit, EditError, apply};
use super::project::Project;

/// One undoable step: the edit that reverses it and the state it leads back to.
#[derive(Clone, Debug)]
struct Step {
    edit: Edit,
    /// What the step was, for the Edit menu ("Undo tag PER").
    description: String,
    /// The state id the project is in after `edit` is applied.
    state: u64,
}

/// Undo and redo stacks. Each state of the project gets an id, so "unsaved changes" is
/// simply "the current state is not the saved one", even after undoing back to it.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    current: u64,
    next_state: u64,
    saved: Option<u64>,
}

impl History {
    /// A history whose current state counts as saved.
    pub fn saved() -> Self {
        Self {
            saved: Some(0),
            next_state: 1,
            ..Self::default()
        }
    }

    /// A history for a project that was never saved.
    pub fn unsaved() -> Self {
        Self {
            saved: None,
            next_state: 1,
            ..Self::default()
        }
    }

    /// Applies `edit` as a new undoable step and clears the redo stack.
    pub fn apply(
        &mut self,
        project: &mut Project,
        edit: Edit,
        description: impl Into<String>,
    ) -> Result<(), EditError> {
        let inverse = apply(project, edit)?;
        self.undo.push(Step {
            edit: inverse,
            description: description.into(),
            state: self.current,
        });
        self.redo.clear();
        self.current = self.next_state;
        self.next_state += 1;
        Ok(())
    }

    /// Undoes the last step; `Ok(false)` when there is none.
    pub fn undo(&mut self, project: &mut Project) -> Result<bool, EditError> {
        self.step(project, true)
    }

    /// Redoes the last undone step; `Ok(false)` when there is none.
    pub fn redo(&mut self, project: &mut Project) -> Result<bool, EditError> {
        self.step(project, false)
    }

    fn step(&mut self, project: &mut Project, undo: bool) -> Result<bool, EditError> {
        let (from, to) = if undo {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(step) = from.pop() else {
            return Ok(false);
        };
        match apply(project, step.edit.clone()) {
            Ok(inverse) => {
                to.push(Step {
                    edit: inverse,
                    description: step.description,
                    state: self.current,
                });
                self.current = step.state;
                Ok(true)
            }
            Err(err) => {
                from.push(step);
                Err(err)
            }
        }
    }

    /// What undo would undo.
    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.description.as_str())
    }

    /// What redo would redo.
    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.description.as_str())
    }

    /// Whether the project differs from its last saved state.
    pub fn is_dirty(&self) -> bool {
        self.saved != Some(self.current)
    }

    /// Marks the current state as saved.
    pub fn mark_saved(&mut self) {
        self.saved = Some(self.current);
    }

    /// An id of the current state; changes with every edit, undo and redo.
    pub fn state_id(&self) -> u64 {
        self.current
    }
}
