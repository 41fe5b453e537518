//! Helpers shared by the GUI tests: the app in an egui_kittest harness, and pointer
//! gestures aimed at characters of the current document.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use spantag::app::session::Session;
use spantag::app::{Settings, SpantagApp};
use spantag::model::CharOffset;

/// The real app on `session`, 1280×800, 60 frames a second.
pub fn harness(session: Session) -> Harness<'static, SpantagApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| SpantagApp::with_session(session, Settings::default()));
    harness.run_steps(3);
    harness
}

/// Char offsets of the `nth` occurrence of `needle` in the current document.
pub fn nth(harness: &Harness<'static, SpantagApp>, needle: &str, nth: usize) -> (usize, usize) {
    let text = harness
        .state()
        .session
        .document()
        .expect("a document is open")
        .text()
        .as_str()
        .to_owned();
    let byte = text.match_indices(needle).nth(nth).expect("occurrence").0;
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// Char offset of the first occurrence of `needle` in the current document.
pub fn offset_of(harness: &Harness<'static, SpantagApp>, needle: &str) -> usize {
    nth(harness, needle, 0).0
}

/// Where character `c` of the current document was drawn in the last frame.
pub fn char_center(harness: &Harness<'static, SpantagApp>, c: usize) -> Pos2 {
    harness
        .state()
        .char_rect(CharOffset(c))
        .expect("character is on screen")
        .center()
}

/// Presses or releases the primary button at `pos`.
pub fn press(harness: &Harness<'static, SpantagApp>, pos: Pos2, pressed: bool) {
    harness.event(Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    });
}

/// A click at `pos`, after earlier clicks have aged out of the double-click window.
pub fn click(harness: &mut Harness<'static, SpantagApp>, pos: Pos2) {
    harness.run_steps(30);
    harness.event(Event::PointerMoved(pos));
    harness.run_steps(1);
    press(harness, pos, true);
    press(harness, pos, false);
    harness.run_steps(3);
}

/// A double click at `pos`.
pub fn double_click(harness: &mut Harness<'static, SpantagApp>, pos: Pos2) {
    // Let earlier clicks age past egui's double-click window (0.3 s), so this pair is
    // not taken for the end of a triple click.
    harness.run_steps(30);
    harness.event(Event::PointerMoved(pos));
    harness.run_steps(1);
    for _ in 0..2 {
        press(harness, pos, true);
        harness.step();
        press(harness, pos, false);
        harness.step();
    }
    harness.run_steps(1);
}

/// A drag from `from` to `to` in five moves.
pub fn drag(harness: &mut Harness<'static, SpantagApp>, from: Pos2, to: Pos2) {
    harness.event(Event::PointerMoved(from));
    harness.run_steps(1);
    press(harness, from, true);
    harness.run_steps(1);
    for step in 1..=5 {
        let t = step as f32 / 5.0;
        harness.event(Event::PointerMoved(from + (to - from) * t));
        harness.run_steps(1);
    }
    press(harness, to, false);
    harness.run_steps(2);
}
