//! Issue 16, "a good desktop citizen", through the real app: Esc closes the topmost
//! window before it clears the selection, search hits name documents by title and date,
//! and Enter at a holder step without a suggestion means "no holder".

mod common;

use common::{drag, harness, nth};
use egui::{Event, Key};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use spantag::app::file_chooser::ChooserKind;
use spantag::app::windows::ToolWindow;
use spantag::app::{Command, SpantagApp, bundled_session};
use spantag::model::{AnnotationKind, Span};

fn open_windows(h: &Harness<'static, SpantagApp>) -> Vec<ToolWindow> {
    ToolWindow::ALL
        .into_iter()
        .filter(|w| w.is_open(h.state()))
        .collect()
}

fn escape(h: &mut Harness<'static, SpantagApp>) {
    h.key_press(Key::Escape);
    h.run_steps(3);
}

#[test]
fn esc_closes_the_topmost_window_then_the_next_then_clears_the_selection() {
    let mut h = harness(bundled_session().expect("corpus"));
    let text = h.state().session.document().expect("doc").text().clone();
    let (start, end) = nth(&h, "Facebook", 0);
    let span = Span::new(start, end, &text).expect("span");
    h.state_mut().session.tag(span, "ORG").expect("tag");
    h.run_steps(2);
    assert!(
        h.state().session.selected.is_some(),
        "the new tag is selected"
    );

    // Statistics first, then the stance matrix, then the entity index: the index is on top.
    for open in [
        |app: &mut SpantagApp| app.views.show_stats = true,
        |app: &mut SpantagApp| app.send(Command::ToggleMatrix),
        |app: &mut SpantagApp| app.views.show_index = true,
    ] {
        open(h.state_mut());
        h.run_steps(3);
    }
    assert_eq!(
        open_windows(&h),
        [
            ToolWindow::StanceMatrix,
            ToolWindow::Statistics,
            ToolWindow::EntityIndex
        ]
    );
    escape(&mut h);
    assert_eq!(
        open_windows(&h),
        [ToolWindow::StanceMatrix, ToolWindow::Statistics],
        "the entity index, opened last, is on top and closes first"
    );
    assert!(h.state().session.selected.is_some(), "selection kept");
    escape(&mut h);
    assert_eq!(open_windows(&h), [ToolWindow::Statistics]);
    escape(&mut h);
    assert_eq!(open_windows(&h), []);
    assert!(h.state().session.selected.is_some(), "selection still kept");
    escape(&mut h);
    assert!(
        h.state().session.selected.is_none(),
        "with no window open, Esc clears the selection"
    );
}

#[test]
fn esc_closes_the_window_the_user_brought_to_the_front() {
    let mut h = harness(bundled_session().expect("corpus"));
    h.state_mut().views.show_stats = true;
    h.run_steps(3);
    h.state_mut().show_help = true;
    h.run_steps(3);
    // Clicking the statistics window's title brings it above the help.
    h.get_by_label("Corpus statistics").click();
    h.run_steps(3);
    escape(&mut h);
    assert_eq!(open_windows(&h), [ToolWindow::Help]);
    escape(&mut h);
    assert_eq!(open_windows(&h), []);
}

#[test]
fn search_hits_name_the_document_by_title_and_date() {
    let mut h = harness(bundled_session().expect("corpus"));
    let project = h.state().session.project.clone();
    let doc = project
        .documents()
        .iter()
        .find(|d| d.text().as_str().contains("Stamsnijder"))
        .expect("a bundled document mentions Stamsnijder");
    let source = spantag::app::assist_ui::hit_source(&project, doc.id());
    assert!(source.starts_with(&doc.title().chars().take(20).collect::<String>()));
    if let Some(date) = doc.date() {
        assert!(source.ends_with(&format!("({date})")), "{source}");
    }
    assert!(!source.contains(doc.id().as_str()), "{source}");

    h.state_mut().send(Command::OpenSearch);
    h.run_steps(3);
    h.event(Event::Text("Stamsnijder".into()));
    h.run_steps(3);
    assert!(!h.state().search.hits.is_empty());
    let row_start = format!("{source}: …");
    let shown = h.query_all_by_label_contains(&row_start).count();
    assert!(shown > 0, "a hit row shows “{source}: …”");
}

#[test]
fn enter_at_a_holder_step_without_a_suggestion_creates_a_stance_without_holder() {
    let mut h = harness(bundled_session().expect("corpus"));
    // No entity is tagged yet, so no holder can be suggested.
    let (start, end) = nth(&h, "Facebook", 0);
    let from = common::char_center(&h, start + 1);
    let to = common::char_center(&h, end - 2);
    drag(&mut h, from, to);
    h.key_press(Key::S);
    h.run_steps(2);
    assert!(h.state().stance_editor.is_some());
    h.event(Event::Text("privacy".into()));
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
    h.key_press(Key::A);
    h.run_steps(2);
    let editor = h.state().stance_editor.as_ref().expect("holder step");
    assert_eq!(editor.suggested_holder, None);
    assert!(h.query_by_label("Enter or 0: no holder").is_some());
    h.key_press(Key::Enter);
    h.run_steps(3);
    assert!(
        h.state().stance_editor.is_none(),
        "Enter finished the stance"
    );
    let stance = h
        .state()
        .session
        .selected_annotation()
        .expect("the new stance is selected");
    assert_eq!(
        stance.kind(),
        &AnnotationKind::Stance {
            target: "privacy".into(),
            polarity: "AGAINST".into(),
            holder: None,
        }
    );
}

/// One line per script the issue names, and emoji: Chinese, Japanese, Korean, Arabic,
/// Hebrew, Devanagari, Thai.
const MULTI_SCRIPT: &str = "中文新闻：市场今天上涨。\n\
日本語のニュース 한국어 뉴스\n\
العربية: خبر اليوم\n\
עברית: חדשות היום\n\
हिन्दी समाचार आज\n\
ข่าวภาษาไทยวันนี้\n\
Emoji 😀 🎉 🫠 ✅ 🇳🇱\n";

fn multi_script_session() -> spantag::app::session::Session {
    let doc = spantag::model::Document::new(
        "multi".into(),
        "多语种 — عربي — हिन्दी".to_owned(),
        spantag::model::Meta::default(),
        MULTI_SCRIPT.to_owned(),
    );
    let project =
        spantag::model::Project::new(spantag::io::project_file::default_schema(), vec![doc])
            .expect("project");
    spantag::app::session::Session::unsaved(project)
}

#[test]
fn every_script_of_a_multi_script_document_has_a_real_glyph() {
    let mut h = harness(multi_script_session());
    h.run_steps(3);
    let title = h
        .state()
        .session
        .document()
        .expect("doc")
        .title()
        .to_owned();
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let missing = spantag::app::fonts::missing_glyphs(
            &h.ctx,
            family.clone(),
            &format!("{title}{MULTI_SCRIPT}"),
        );
        assert!(
            missing.is_empty(),
            "no font draws {missing:?} in {family:?} (run scripts/setup-debian.sh for the Noto fonts)"
        );
    }
    // The title is in the document list, so the list draws it with those fonts.
    assert!(h.query_by_label_contains("多语种").is_some());
}

#[test]
fn a_tag_on_chinese_text_has_code_point_offsets() {
    let mut h = harness(multi_script_session());
    let (start, end) = nth(&h, "市场", 0);
    assert_eq!((start, end), (5, 7), "code points, not bytes");
    let rect = |c: usize| {
        h.state()
            .char_rect(spantag::model::CharOffset(c))
            .expect("on screen")
    };
    let from = rect(start).left_center() + egui::vec2(1.0, 0.0);
    let to = rect(end - 1).right_center() - egui::vec2(1.0, 0.0);
    h.state_mut().settings.snap_words = false;
    h.state_mut().session.snap_words = false;
    drag(&mut h, from, to);
    h.key_press(Key::Num1);
    h.run_steps(3);
    let session = &h.state().session;
    let doc = session.document().expect("doc");
    let tags: Vec<(usize, usize, String)> = session
        .project
        .annotations_of(doc.id())
        .iter()
        .map(|a| {
            let span = a.spans()[0];
            (span.start().0, span.end().0, a.text(doc.text()))
        })
        .collect();
    assert_eq!(tags, [(5, 7, "市场".to_owned())]);
}

/// Types `text` into the `nth` text field of the open in-app chooser (0: the folder
/// field, 1: the file-name field), replacing what it held, and presses Enter.
fn type_into_chooser(h: &mut Harness<'static, SpantagApp>, nth: usize, text: &str) {
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        // Not the document list's filter field, in the panel on the left.
        .filter(|field| field.rect().left() > 100.0)
        .nth(nth)
        .expect("the chooser's text field")
        .click();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.event(Event::Text(text.to_owned()));
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
}

#[test]
fn the_in_app_chooser_opens_a_project_by_ctrl_o_and_saves_it_elsewhere_by_save_as() {
    let dir = tempfile::tempdir().expect("tmp");
    let first = dir.path().join("first.ron");
    let session = bundled_session().expect("corpus");
    spantag::io::project_file::save(&session.project, &first).expect("save");

    let mut h = harness(multi_script_session());
    h.state_mut().settings.file_chooser = ChooserKind::InApp;
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::O);
    h.run_steps(3);
    assert!(h.state().chooser.is_some(), "Ctrl+O opens the chooser");
    // The multi-script project is new and unsaved: opening asks to discard it.
    type_into_chooser(&mut h, 0, &first.display().to_string());
    assert!(h.state().chooser.is_none(), "choosing the file closes it");
    h.get_by_label("Discard changes").click();
    h.run_steps(5);
    assert_eq!(h.state().session.path.as_deref(), Some(first.as_path()));

    let second = dir.path().join("second.ron");
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::S);
    h.run_steps(3);
    assert!(h.state().chooser.is_some(), "Save As opens the chooser");
    type_into_chooser(&mut h, 1, &second.display().to_string());
    h.run_steps(5);
    assert_eq!(h.state().session.path.as_deref(), Some(second.as_path()));
    let saved = spantag::io::project_file::load(&second).expect("the copy loads");
    assert_eq!(
        saved.documents().len(),
        h.state().session.project.documents().len()
    );
}

#[test]
fn esc_or_cancel_closes_the_in_app_chooser_without_a_command() {
    let mut h = harness(bundled_session().expect("corpus"));
    h.state_mut().settings.file_chooser = ChooserKind::InApp;
    h.state_mut()
        .send(Command::Export(spantag::formats::ExportFormat::Spans));
    h.run_steps(3);
    assert!(h.state().chooser.is_some());
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert!(h.state().chooser.is_none());
    assert!(h.state().transfer.is_none(), "nothing exported");
}

#[test]
fn the_document_list_sorts_by_title_and_alt_down_follows_the_list() {
    use spantag::corpus::order::DocumentOrder;
    let mut h = harness(bundled_session().expect("corpus"));
    h.state_mut().settings.document_order = DocumentOrder::Title;
    h.run_steps(3);
    let mut titles: Vec<(String, usize)> = h
        .state()
        .session
        .project
        .documents()
        .iter()
        .enumerate()
        .map(|(i, d)| (d.title().to_owned(), i))
        .collect();
    titles.sort_by_key(|(t, _)| t.to_lowercase());
    let tops: Vec<f32> = titles
        .iter()
        .map(|(t, _)| h.get_by_label(t).rect().top())
        .collect();
    assert!(
        tops.windows(2).all(|w| w[0] < w[1]),
        "rows from top to bottom in title order: {titles:?} at {tops:?}"
    );
    h.state_mut().send(Command::OpenDocument(titles[0].1));
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::ALT, Key::ArrowDown);
    h.run_steps(2);
    assert_eq!(h.state().session.current, titles[1].1, "the next row down");
    h.key_press_modifiers(egui::Modifiers::ALT, Key::ArrowUp);
    h.run_steps(2);
    assert_eq!(h.state().session.current, titles[0].1);
}

#[test]
fn the_window_icon_is_spantags_drawn_icon() {
    let icon = spantag::app::window_icon().expect("assets/icon/spantag.png decodes");
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    assert!(
        icon.rgba.chunks(4).any(|px| px[3] == 0) && icon.rgba.chunks(4).any(|px| px[3] == 255),
        "rounded corners are transparent, the tile is opaque"
    );
}
