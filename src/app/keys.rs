//! Keyboard shortcuts: one table that both the key handler and the help overlay (F1 or
//! `?`) read, so the help can never drift from what the keys do.

use super::Command;
use crate::model::DocStatus;
use egui::{Key, KeyboardShortcut, Modifiers};

/// What a shortcut does, for the help overlay and menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    /// The keys as shown to the user.
    pub keys: &'static str,
    /// What they do.
    pub action: &'static str,
}

/// Every shortcut, in the order the help overlay lists them.
pub const HELP: &[Shortcut] = &[
    Shortcut {
        keys: "1 … 9",
        action: "tag the selection with that label, or relabel the selected tag",
    },
    Shortcut {
        keys: "S",
        action: "new stance on the selection (then target, polarity key, holder)",
    },
    Shortcut {
        keys: "R",
        action: "relate the selected tag to another (click or Tab to it, then the type)",
    },
    Shortcut {
        keys: "Right / Left",
        action: "select the next / previous word",
    },
    Shortcut {
        keys: "Shift+Right / Shift+Left",
        action: "extend / shrink the selection by a word",
    },
    Shortcut {
        keys: "Tab / Shift+Tab",
        action: "select the next / previous tag",
    },
    Shortcut {
        keys: "G / Shift+G",
        action: "go to the next / previous suggestion",
    },
    Shortcut {
        keys: "Enter",
        action: "accept the suggestion in focus",
    },
    Shortcut {
        keys: "X",
        action: "reject the suggestion in focus (remembered in the project)",
    },
    Shortcut {
        keys: "U",
        action: "jump to the sentence the recommender is least sure of (Learn menu)",
    },
    Shortcut {
        keys: "T",
        action: "tag all occurrences of the selected tag's text…",
    },
    Shortcut {
        keys: "Delete / Backspace",
        action: "delete the selected tag",
    },
    Shortcut {
        keys: "Esc",
        action: "close the topmost window, else clear the selection",
    },
    Shortcut {
        keys: "Alt+Down / Alt+Up",
        action: "next / previous document",
    },
    Shortcut {
        keys: "D",
        action: "mark the document done",
    },
    Shortcut {
        keys: "Ctrl+F",
        action: "search the corpus (plain or regex)",
    },
    Shortcut {
        keys: "Ctrl+Z",
        action: "undo",
    },
    Shortcut {
        keys: "Ctrl+Shift+Z / Ctrl+Y",
        action: "redo",
    },
    Shortcut {
        keys: "Ctrl+S / Ctrl+Shift+S",
        action: "save / save as",
    },
    Shortcut {
        keys: "Ctrl+O",
        action: "open a project",
    },
    Shortcut {
        keys: "F1 or ?",
        action: "show or hide this help",
    },
];

/// What the keyboard asked for this frame. `typing` is true while a text field or the
/// stance editor has the keyboard: then only the Ctrl shortcuts apply.
pub fn read_shortcuts(
    ctx: &egui::Context,
    typing: bool,
    label_for_key: impl Fn(char) -> Option<String>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let question = ctx.input(|i| {
        i.events
            .iter()
            .any(|e| matches!(e, egui::Event::Text(t) if t == "?"))
    });
    ctx.input_mut(|i| {
        let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let mut pressed =
            |mods: Modifiers, key: Key| i.consume_shortcut(&KeyboardShortcut::new(mods, key));
        if pressed(ctrl_shift, Key::S) {
            commands.push(Command::SaveAs);
        }
        if pressed(Modifiers::COMMAND, Key::S) {
            commands.push(Command::Save);
        }
        if pressed(Modifiers::COMMAND, Key::O) {
            commands.push(Command::Open);
        }
        if pressed(Modifiers::COMMAND, Key::F) {
            commands.push(Command::OpenSearch);
        }
        if pressed(Modifiers::NONE, Key::F1) {
            commands.push(Command::ToggleHelp);
        }
        if typing {
            // Undo and redo belong to the text field then.
            return;
        }
        if pressed(ctrl_shift, Key::Z) || pressed(Modifiers::COMMAND, Key::Y) {
            commands.push(Command::Redo);
        }
        if pressed(Modifiers::COMMAND, Key::Z) {
            commands.push(Command::Undo);
        }
        if question
            || pressed(Modifiers::SHIFT, Key::Questionmark)
            || pressed(Modifiers::NONE, Key::Questionmark)
        {
            commands.push(Command::ToggleHelp);
        }
        let table = [
            (
                Modifiers::NONE,
                Key::S,
                Command::StartStance { document: false },
            ),
            (Modifiers::NONE, Key::R, Command::StartRelation),
            (Modifiers::NONE, Key::Delete, Command::DeleteSelected),
            (Modifiers::NONE, Key::Backspace, Command::DeleteSelected),
            (Modifiers::NONE, Key::Escape, Command::Escape),
            (
                Modifiers::ALT,
                Key::ArrowDown,
                Command::StepDocument { forward: true },
            ),
            (
                Modifiers::ALT,
                Key::ArrowUp,
                Command::StepDocument { forward: false },
            ),
            (
                Modifiers::SHIFT,
                Key::ArrowRight,
                Command::MoveWord {
                    forward: true,
                    extend: true,
                },
            ),
            (
                Modifiers::SHIFT,
                Key::ArrowLeft,
                Command::MoveWord {
                    forward: false,
                    extend: true,
                },
            ),
            (
                Modifiers::NONE,
                Key::ArrowRight,
                Command::MoveWord {
                    forward: true,
                    extend: false,
                },
            ),
            (
                Modifiers::NONE,
                Key::ArrowLeft,
                Command::MoveWord {
                    forward: false,
                    extend: false,
                },
            ),
            (
                Modifiers::SHIFT,
                Key::Tab,
                Command::NextTag { forward: false },
            ),
            (
                Modifiers::NONE,
                Key::Tab,
                Command::NextTag { forward: true },
            ),
            (
                Modifiers::SHIFT,
                Key::G,
                Command::NextSuggestion { forward: false },
            ),
            (
                Modifiers::NONE,
                Key::G,
                Command::NextSuggestion { forward: true },
            ),
            (Modifiers::NONE, Key::Enter, Command::AcceptSuggestion),
            (Modifiers::NONE, Key::X, Command::RejectSuggestion),
            (Modifiers::NONE, Key::T, Command::OpenTagAll),
            (Modifiers::NONE, Key::U, Command::NextUncertain),
            (Modifiers::NONE, Key::D, Command::SetStatus(DocStatus::Done)),
        ];
        for (mods, key, command) in table {
            if pressed(mods, key) {
                commands.push(command);
            }
        }
        const DIGITS: [(Key, char); 9] = [
            (Key::Num1, '1'),
            (Key::Num2, '2'),
            (Key::Num3, '3'),
            (Key::Num4, '4'),
            (Key::Num5, '5'),
            (Key::Num6, '6'),
            (Key::Num7, '7'),
            (Key::Num8, '8'),
            (Key::Num9, '9'),
        ];
        for (key, digit) in DIGITS {
            if pressed(Modifiers::NONE, key)
                && let Some(label) = label_for_key(digit)
            {
                commands.push(Command::Tag(label));
            }
        }
    });
    commands
}

/// The help overlay listing every shortcut.
pub fn help_ui(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .id(super::windows::ToolWindow::Help.id())
        .open(open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for s in HELP {
                    ui.monospace(s.keys);
                    ui.label(s.action);
                    ui.end_row();
                }
            });
        });
}
