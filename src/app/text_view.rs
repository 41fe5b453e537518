//! The reading view: draws the current document as wrapped paragraphs with every tag as a
//! coloured highlight carrying a readable label chip, and turns pointer input into
//! selections and clicks on tags.
//!
//! Relations are arcs above the text from one tag's chip to the other's, with the type's
//! label and colour, stacked by how far apart their ends are (short arcs low, long ones
//! above them, as brat does); an arc whose other end is off screen is a stub pointing up
//! or down.
//!
//! Only the paragraphs in view are laid out (egui caches each paragraph's galley), so a
//! document of any length scrolls smoothly. Paragraph heights not yet measured are
//! estimated and corrected once a paragraph comes into view.

use super::rgb;
use super::session::Session;
use crate::model::{AnnotationId, AnnotationKind, CharOffset, DocId, Project};
use egui::text::{CCursor, CharIndex, LayoutJob, TextFormat};
use egui::{Align, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};
use std::ops::Range;
use std::sync::Arc;

/// What the user did in the reading view this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum TextAction {
    /// A drag or click selected text.
    Select {
        /// Where the pointer went down.
        anchor: CharOffset,
        /// Where it is now (exclusive end when dragging right).
        head: CharOffset,
    },
    /// Double-click on a character.
    SelectWord(CharOffset),
    /// Shift-click on a character.
    Extend(CharOffset),
    /// Click on a tag.
    SelectAnnotation(AnnotationId),
    /// Click on a relation's arc label.
    SelectRelation(AnnotationId),
    /// A drag from one tag's label chip to another tag: link them.
    Link {
        /// The tag whose chip the drag started on.
        from: AnnotationId,
        /// The tag it was dropped on.
        to: AnnotationId,
    },
    /// Click on a suggestion (its start).
    FocusSuggestion(CharOffset),
    /// Click on untagged text.
    ClearSelection,
}

/// A suggestion drawn as a ghost highlight: a dashed outline with the proposed label.
#[derive(Debug, Clone, PartialEq)]
pub struct Ghost {
    /// Char range in the document.
    pub range: Range<usize>,
    /// Proposed label.
    pub label: String,
    /// The suggestion in focus (Enter accepts it).
    pub focused: bool,
    /// For the recommender's entities: the model's confidence (0–1). They are drawn
    /// dotted in another colour, with the confidence in their chip and on hover.
    pub confidence: Option<f32>,
}

/// One highlight to draw, precomputed per document and history state.
#[derive(Debug, Clone)]
struct Highlight {
    id: AnnotationId,
    range: Range<usize>,
    /// Nesting level: 0 for the outermost; overlapping tags get different levels.
    level: usize,
    color: Color32,
    border: Option<Color32>,
    label: String,
    /// For stances: the holder to draw a link to.
    holder: Option<AnnotationId>,
}

/// One relation to draw as an arc, precomputed per document and history state.
#[derive(Debug, Clone)]
struct RelationArc {
    id: AnnotationId,
    from: AnnotationId,
    to: AnnotationId,
    /// Characters from the first end's start to the last end's end.
    reach: Range<usize>,
    label: String,
    color: Color32,
    directed: bool,
    /// Stacking level: 0 for the shortest arcs, higher for arcs spanning others.
    level: usize,
}

/// Arcs stack at most this many levels high; longer arcs share the top level.
const MAX_ARC_LEVEL: usize = 6;
/// Height of an arc's lowest level above its ends, and of each level above the last.
const ARC_BASE: f32 = 14.0;
const ARC_STEP: f32 = 9.0;

/// One paragraph laid out and on screen this frame.
#[derive(Clone)]
struct PlacedParagraph {
    chars: Range<usize>,
    rect: Rect,
    galley: Arc<egui::Galley>,
}

/// Layout state of the reading view, kept between frames.
#[derive(Default)]
pub struct TextView {
    doc: Option<(DocId, u64)>,
    /// Char ranges of the paragraphs (lines between `\n`).
    paragraphs: Vec<Range<usize>>,
    heights: Vec<f32>,
    heights_for_width: f32,
    /// Sorted by start (then longest first).
    highlights: Vec<Highlight>,
    /// `reach[i]`: the furthest end among `highlights[..=i]`, so the highlights touching a
    /// char range are found by binary search, not by scanning all of them.
    reach: Vec<usize>,
    highlights_key: Option<(DocId, u64)>,
    /// Character to bring into view on the next frame.
    pub scroll_to: Option<CharOffset>,
    placed: Vec<PlacedParagraph>,
    chips: Vec<(Rect, AnnotationId)>,
    drag_anchor: Option<CharOffset>,
    /// Font size of the text.
    pub font_size: f32,
    /// Suggestions to draw as ghost highlights (set by the app every frame).
    pub ghosts: Vec<Ghost>,
    ghost_chips: Vec<(Rect, usize)>,
    /// Where each predicted ghost was drawn, and what hovering there tells.
    ghost_tips: Vec<(Rect, String)>,
    /// Whether relation arcs are drawn (View ▸ Relation arcs).
    pub show_arcs: bool,
    /// The current document's relations as arcs.
    arcs: Vec<RelationArc>,
    /// Where each arc's label was drawn in the last frame, for clicks.
    arc_labels: Vec<(Rect, AnnotationId)>,
    /// The tag whose chip a link drag started on.
    link_from: Option<AnnotationId>,
    /// The first drawn rectangle of each tag on screen in the last frame (arc ends).
    end_rects: std::collections::HashMap<AnnotationId, Rect>,
}

const PARAGRAPH_GAP: f32 = 10.0;
/// Room above the first line for its label chips.
const TOP_MARGIN: f32 = 12.0;
pub(super) const CHIP_FONT: f32 = 10.5;
/// The outline of the recommender's entities: violet, unlike the grey of string
/// suggestions and the colours of tags.
const PREDICTED_GHOST: Color32 = Color32::from_rgb(140, 80, 200);

impl TextView {
    /// A view with the given text size.
    pub fn new(font_size: f32) -> Self {
        Self {
            font_size,
            show_arcs: true,
            ..Self::default()
        }
    }

    /// The on-screen rectangle of a relation's arc label in the last frame.
    pub fn arc_label_rect(&self, id: AnnotationId) -> Option<Rect> {
        self.arc_labels
            .iter()
            .find(|(_, r)| *r == id)
            .map(|(rect, _)| *rect)
    }

    /// How many relation arcs the current document has (drawn or not).
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// The on-screen rectangle of a character of the current document, if it was drawn in
    /// the last frame (used by tests to point at words, and to scroll).
    pub fn char_rect(&self, c: CharOffset) -> Option<Rect> {
        let p = self
            .placed
            .iter()
            .find(|p| p.chars.start <= c.0 && c.0 < p.chars.end.max(p.chars.start + 1))?;
        let local = p
            .galley
            .pos_from_cursor(CCursor::new(CharIndex(c.0 - p.chars.start)));
        let next = p
            .galley
            .pos_from_cursor(CCursor::new(CharIndex(c.0 + 1 - p.chars.start)));
        let right = if (next.center().y - local.center().y).abs() < 1.0 {
            next.left()
        } else {
            local.left() + 6.0
        };
        Some(Rect::from_min_max(
            p.rect.min + Vec2::new(local.left(), local.top()),
            p.rect.min + Vec2::new(right.max(local.left() + 1.0), local.bottom()),
        ))
    }

    /// The on-screen rectangle of an annotation's label chip in the last frame.
    pub fn chip_rect(&self, id: AnnotationId) -> Option<Rect> {
        self.chips.iter().find(|(_, a)| *a == id).map(|(r, _)| *r)
    }

    fn line_height(&self) -> f32 {
        (self.font_size * 2.2).round()
    }

    fn sync_document(&mut self, session: &Session) {
        let Some(doc) = session.document() else {
            self.paragraphs.clear();
            self.doc = None;
            return;
        };
        let key = (doc.id().clone(), session.history.state_id());
        if self.doc.as_ref().map(|d| &d.0) != Some(doc.id()) {
            self.paragraphs = paragraphs(doc.text().as_str());
            self.heights.clear();
            self.heights_for_width = 0.0;
        }
        self.doc = Some(key.clone());
        if self.highlights_key.as_ref() != Some(&key) {
            self.highlights = highlights(&session.project, doc.id());
            self.reach = self
                .highlights
                .iter()
                .scan(0, |far, h| {
                    *far = (*far).max(h.range.end);
                    Some(*far)
                })
                .collect();
            self.arcs = relation_arcs(&session.project, doc.id());
            self.highlights_key = Some(key);
        }
    }

    /// The highlights that overlap `chars`, outermost first: a binary search for the
    /// window, then a filter of only that window (a paragraph of a 5,000-tag document
    /// looks at its own few tags).
    fn highlights_in(&self, chars: Range<usize>) -> impl Iterator<Item = &Highlight> {
        let first = self.reach.partition_point(|&end| end <= chars.start);
        let last = self
            .highlights
            .partition_point(|h| h.range.start < chars.end);
        self.highlights
            .get(first..last.max(first))
            .unwrap_or_default()
            .iter()
            .filter(move |h| h.range.start < chars.end && h.range.end > chars.start)
    }
}

/// Splits a text into paragraphs at newlines (char ranges, newline excluded).
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for c in text.chars() {
        if c == '\n' {
            out.push(start..pos);
            start = pos + 1;
        }
        pos += 1;
    }
    out.push(start..pos);
    out
}

/// Highlights of a document with nesting levels assigned greedily: each tag gets the
/// lowest level not used by a tag it overlaps that started before it.
fn highlights(project: &Project, doc: &DocId) -> Vec<Highlight> {
    let schema = project.schema();
    let mut out: Vec<Highlight> = Vec::new();
    for ann in project.annotations_of(doc) {
        let holder = match ann.kind() {
            AnnotationKind::Stance { holder, .. } => holder.map(crate::model::HolderId::id),
            AnnotationKind::Entity { .. } => None,
        };
        let (color, border, label) = match ann.kind() {
            AnnotationKind::Entity { label, .. } => {
                (rgb(schema.color_of(label)), None, label.to_string())
            }
            AnnotationKind::Stance { polarity, .. } => {
                let pc = schema
                    .polarity(polarity)
                    .map_or(Color32::GRAY, |p| rgb(p.color));
                (
                    pc.gamma_multiply(0.18),
                    Some(pc),
                    ann.kind().display_label(),
                )
            }
        };
        for span in ann.spans() {
            out.push(Highlight {
                id: ann.id(),
                range: span.start().0..span.end().0,
                level: 0,
                color,
                border,
                label: label.clone(),
                holder,
            });
        }
    }
    out.sort_by_key(|h| (h.range.start, std::cmp::Reverse(h.range.end)));
    let mut active: Vec<(usize, usize)> = Vec::new(); // (end, level)
    for h in &mut out {
        active.retain(|(end, _)| *end > h.range.start);
        let mut level = 0;
        while active.iter().any(|(_, l)| *l == level) {
            level += 1;
        }
        h.level = level;
        active.push((h.range.end, level));
    }
    out
}

/// The relations of a document as arcs, with stacking levels: shortest first, each one
/// level above the highest arc it spans (a shorter arc whose ends lie within its reach).
fn relation_arcs(project: &Project, doc: &DocId) -> Vec<RelationArc> {
    let schema = project.schema();
    let start_of = |id| {
        project
            .annotation(id)
            .and_then(|a| a.anchor().covering())
            .map(|s| (s.start().0, s.end().0))
    };
    let mut arcs: Vec<RelationArc> = project
        .relations_in(doc)
        .into_iter()
        .filter_map(|r| {
            let (a, b) = (start_of(r.from)?, start_of(r.to)?);
            let relation_type = schema.relation_type(&r.label);
            Some(RelationArc {
                id: r.id,
                from: r.from,
                to: r.to,
                reach: a.0.min(b.0)..a.1.max(b.1),
                label: r.label.clone(),
                color: rgb(schema.relation_color_of(&r.label)),
                directed: relation_type.is_none_or(|t| t.directed),
                level: 0,
            })
        })
        .collect();
    arcs.sort_by_key(|a| (a.reach.len(), a.reach.start, a.id));
    // Placed arcs by start, so the ones inside a reach are found by a range query.
    let mut placed: std::collections::BTreeMap<(usize, AnnotationId), (usize, usize)> =
        Default::default();
    for arc in &mut arcs {
        let below = placed
            .range((arc.reach.start, AnnotationId(0))..(arc.reach.end, AnnotationId(0)))
            .filter(|(_, (end, _))| *end <= arc.reach.end)
            .map(|(_, (_, level))| level + 1)
            .max()
            .unwrap_or(0);
        arc.level = below.min(MAX_ARC_LEVEL);
        placed.insert((arc.reach.start, arc.id), (arc.reach.end, arc.level));
    }
    arcs
}

/// Draws the reading view and returns what the user did.
pub fn text_view_ui(ui: &mut Ui, session: &Session, view: &mut TextView) -> Option<TextAction> {
    view.sync_document(session);
    let doc = session.document()?;
    let text = doc.text();
    let width = (ui.available_width() - 24.0).max(100.0);
    let line_height = view.line_height();
    let font = FontId::proportional(view.font_size);
    let text_color = ui.visuals().text_color();
    if (view.heights_for_width - width).abs() > 0.5 || view.heights.len() != view.paragraphs.len() {
        let per_line = (width / (view.font_size * 0.5)).max(1.0);
        view.heights = view
            .paragraphs
            .iter()
            .map(|p| (p.len() as f32 / per_line).ceil() * line_height)
            .map(|h| if h > 0.0 { h } else { -PARAGRAPH_GAP / 2.0 })
            .collect();
        view.heights_for_width = width;
    }
    let selection = session.selection.map(|s| {
        let (a, b) = s.range();
        a.0..b.0
    });
    let selected = session.selected;
    let selected_relation = session.selected_relation;
    let scroll_to = view.scroll_to.take();
    let mut action = None;

    egui::ScrollArea::vertical()
        .id_salt(("reading", doc.id().as_str()))
        .auto_shrink(false)
        .show_viewport(ui, |ui, viewport| {
            let total: f32 = TOP_MARGIN
                + view.heights.iter().sum::<f32>()
                + PARAGRAPH_GAP * view.paragraphs.len() as f32;
            let (content, response) =
                ui.allocate_exact_size(Vec2::new(width + 16.0, total), Sense::click_and_drag());
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Label, true, "Document text")
            });
            let origin = content.min + Vec2::new(8.0, TOP_MARGIN);
            let visible = viewport.expand2(Vec2::new(0.0, 200.0));

            // Scroll a far-away target into view using the estimated offsets.
            if let Some(target) = scroll_to {
                let mut y = 0.0;
                for (i, p) in view.paragraphs.iter().enumerate() {
                    if p.contains(&target.0)
                        || (p.end == target.0 && p.is_empty())
                        || p.start > target.0
                    {
                        break;
                    }
                    y += view.heights[i] + PARAGRAPH_GAP;
                }
                let rect =
                    Rect::from_min_size(origin + Vec2::new(0.0, y), Vec2::new(width, line_height));
                ui.scroll_to_rect(rect, Some(Align::Center));
            }

            view.placed.clear();
            let mut y = 0.0;
            let mut heights_changed = false;
            for i in 0..view.paragraphs.len() {
                let h = view.heights[i];
                // Empty lines are only the paragraph gap: nothing to lay out or click.
                if !view.paragraphs[i].is_empty() && y + h >= visible.min.y && y <= visible.max.y {
                    let chars = view.paragraphs[i].clone();
                    let para_text = text.slice(CharOffset(chars.start), CharOffset(chars.end));
                    let mut job = LayoutJob::single_section(
                        para_text.to_owned(),
                        TextFormat {
                            font_id: font.clone(),
                            color: text_color,
                            line_height: Some(line_height),
                            ..Default::default()
                        },
                    );
                    job.wrap.max_width = width;
                    let galley = ui.painter().layout_job(job);
                    let real_h = galley.size().y;
                    if (real_h - h).abs() > 0.5 {
                        view.heights[i] = real_h;
                        heights_changed = true;
                    }
                    view.placed.push(PlacedParagraph {
                        chars,
                        rect: Rect::from_min_size(origin + Vec2::new(0.0, y), galley.size()),
                        galley,
                    });
                }
                y += view.heights[i] + PARAGRAPH_GAP;
            }
            if heights_changed {
                ui.ctx().request_repaint();
            }

            let hovered = ui
                .input(|i| i.pointer.hover_pos())
                .filter(|p| response.rect.contains(*p))
                .and_then(|p| annotation_at(view, p));
            let hovered_relation = ui
                .input(|i| i.pointer.hover_pos())
                .and_then(|p| view.arc_labels.iter().find(|(r, _)| r.contains(p)))
                .map(|(_, id)| *id);
            paint(ui, view, selection.clone(), selected, hovered);
            let tip = ui
                .input(|i| i.pointer.hover_pos())
                .and_then(|p| view.ghost_tips.iter().find(|(r, _)| r.contains(p)))
                .map(|(_, tip)| tip.clone());
            if view.show_arcs {
                paint_arcs(ui, view, selected, [selected_relation, hovered_relation]);
            } else {
                view.arc_labels.clear();
            }
            action = interact(ui, &response, view);
            if let Some(tip) = tip {
                response.on_hover_text_at_pointer(tip);
            }
        });
    action
}

/// Per-row character ranges of a galley (row start char index, row char count).
fn rows(galley: &egui::Galley) -> Vec<(usize, usize, Rect, &egui::epaint::text::PlacedRow)> {
    let mut out = Vec::with_capacity(galley.rows.len());
    let mut start = 0;
    for placed in &galley.rows {
        let n = placed.row.char_count_excluding_newline().0;
        out.push((start, n, placed.rect(), placed));
        start += placed.char_count_including_newline().0;
    }
    out
}

/// The text band of a row (the glyphs, without the label space above and below).
fn text_band(row_rect: Rect, font_size: f32) -> Rect {
    let h = font_size * 1.3;
    Rect::from_center_size(row_rect.center(), Vec2::new(row_rect.width(), h))
}

fn paint(
    ui: &Ui,
    view: &mut TextView,
    selection: Option<Range<usize>>,
    selected: Option<AnnotationId>,
    hovered: Option<AnnotationId>,
) {
    let painter = ui.painter();
    let chip_font = FontId::proportional(CHIP_FONT);
    let mut chips: Vec<(Rect, AnnotationId)> = Vec::new();
    let mut ghost_chips: Vec<(Rect, usize)> = Vec::new();
    let mut ghost_tips: Vec<(Rect, String)> = Vec::new();
    // First drawn rectangle of each tag, for holder links.
    let mut first_rects: std::collections::HashMap<AnnotationId, Rect> = Default::default();
    let font_size = view.font_size;
    for p in &view.placed {
        let rows = rows(&p.galley);
        let segments = |range: &Range<usize>| -> Vec<(Rect, bool)> {
            let mut out = Vec::new();
            for (row_start, n, row_rect, placed) in &rows {
                let (a, b) = (
                    range.start.max(p.chars.start + row_start),
                    range.end.min(p.chars.start + row_start + n),
                );
                if a >= b {
                    continue;
                }
                let x0 = placed.pos.x
                    + placed
                        .row
                        .x_offset(CharIndex(a - p.chars.start - row_start));
                let x1 = placed.pos.x
                    + placed
                        .row
                        .x_offset(CharIndex(b - p.chars.start - row_start));
                let band = text_band(*row_rect, font_size);
                let first = a == range.start;
                out.push((
                    Rect::from_min_max(
                        p.rect.min + Vec2::new(x0, band.top()),
                        p.rect.min + Vec2::new(x1, band.bottom()),
                    ),
                    first,
                ));
            }
            out
        };
        // Tags in this paragraph, outermost first so inner ones paint on top.
        let here: Vec<&Highlight> = view.highlights_in(p.chars.clone()).collect();
        for h in &here {
            let inset = (h.level as f32 * 2.0).min(6.0);
            for (rect, first) in segments(&h.range) {
                let rect = rect.shrink2(Vec2::new(0.0, inset));
                first_rects.entry(h.id).or_insert(rect);
                painter.rect_filled(rect.expand2(Vec2::new(1.0, 0.0)), 3.0, h.color);
                let underline_y = rect.bottom() + 2.0 + h.level as f32 * 3.0 + inset;
                let line_color = h
                    .border
                    .unwrap_or_else(|| h.color.gamma_multiply(1.0).to_opaque());
                painter.line_segment(
                    [
                        Pos2::new(rect.left(), underline_y),
                        Pos2::new(rect.right(), underline_y),
                    ],
                    Stroke::new(2.0, darker(line_color)),
                );
                if let Some(border) = h.border {
                    painter.rect_stroke(
                        rect.expand(1.0),
                        3.0,
                        Stroke::new(1.5, border),
                        egui::StrokeKind::Outside,
                    );
                }
                if selected == Some(h.id) {
                    painter.rect_stroke(
                        rect.expand(2.5),
                        3.0,
                        Stroke::new(2.0, ui.visuals().selection.stroke.color),
                        egui::StrokeKind::Outside,
                    );
                }
                if first {
                    let galley = painter.layout_no_wrap(
                        h.label.clone(),
                        chip_font.clone(),
                        Color32::from_gray(20),
                    );
                    let mut chip = Rect::from_min_size(
                        Pos2::new(rect.left(), rect.top() - galley.size().y - 1.0 - inset),
                        galley.size() + Vec2::new(6.0, 0.0),
                    );
                    let right_edge = ui.clip_rect().right() - 14.0;
                    if chip.right() > right_edge {
                        chip = chip.translate(Vec2::new(right_edge - chip.right(), 0.0));
                    }
                    while let Some((taken, _)) = chips.iter().find(|(r, _)| r.intersects(chip)) {
                        let shift = taken.right() + 2.0 - chip.left();
                        chip = chip.translate(Vec2::new(shift, 0.0));
                    }
                    let chip_color = h.border.unwrap_or(h.color).to_opaque();
                    painter.rect_filled(chip, 2.0, chip_color);
                    let label_color = if h.border.is_some() {
                        Color32::WHITE
                    } else {
                        Color32::from_gray(20)
                    };
                    painter.galley(chip.min + Vec2::new(3.0, 0.0), galley, label_color);
                    chips.push((chip, h.id));
                }
            }
        }
        for ghost in view
            .ghosts
            .iter()
            .filter(|g| g.range.start < p.chars.end && g.range.end > p.chars.start)
        {
            let color = match (ghost.focused, ghost.confidence) {
                (true, _) => ui.visuals().selection.stroke.color,
                (false, Some(_)) => PREDICTED_GHOST,
                (false, None) => Color32::from_gray(150),
            };
            // String suggestions are dashed; the model's entities dotted.
            let (dash, gap) = if ghost.confidence.is_some() {
                (1.5, 2.5)
            } else {
                (4.0, 3.0)
            };
            for (rect, first) in segments(&ghost.range) {
                let r = rect.expand(1.0);
                let stroke = Stroke::new(if ghost.focused { 2.0 } else { 1.0 }, color);
                for (a, b) in [
                    (r.left_top(), r.right_top()),
                    (r.right_top(), r.right_bottom()),
                    (r.right_bottom(), r.left_bottom()),
                    (r.left_bottom(), r.left_top()),
                ] {
                    painter.extend(egui::Shape::dashed_line(&[a, b], stroke, dash, gap));
                }
                if let Some(confidence) = ghost.confidence {
                    ghost_tips.push((
                        r,
                        format!(
                            "predicted {} — confidence {confidence:.2} (Enter accepts, X rejects)",
                            ghost.label
                        ),
                    ));
                }
                if first {
                    let chip_text = match ghost.confidence {
                        Some(c) => format!("{} {:.0}%?", ghost.label, c * 100.0),
                        None => format!("{}?", ghost.label),
                    };
                    let galley = painter.layout_no_wrap(chip_text, chip_font.clone(), color);
                    let chip = Rect::from_min_size(
                        Pos2::new(r.left(), r.top() - galley.size().y - 1.0),
                        galley.size(),
                    );
                    if !chips.iter().any(|(c, _)| c.intersects(chip)) {
                        painter.galley(chip.min, galley, color);
                    }
                    ghost_chips.push((r, ghost.range.start));
                }
            }
        }
        if let Some(sel) = &selection {
            for (rect, _) in segments(sel) {
                painter.rect_filled(
                    rect,
                    2.0,
                    ui.visuals().selection.bg_fill.gamma_multiply(0.6),
                );
            }
        }
        painter.galley(p.rect.min, p.galley.clone(), ui.visuals().text_color());
    }
    // The holder link of the selected or hovered stance: a curve from the holder to the
    // quote, in the polarity colour.
    for id in [selected, hovered].into_iter().flatten() {
        let Some(h) = view.highlights.iter().find(|h| h.id == id) else {
            continue;
        };
        let (Some(holder), Some(border)) = (h.holder, h.border) else {
            continue;
        };
        let (Some(from), Some(to)) = (first_rects.get(&holder), first_rects.get(&id)) else {
            continue;
        };
        let start = from.center_bottom() + Vec2::new(0.0, 3.0);
        let end = to.center_bottom() + Vec2::new(0.0, 3.0);
        let sag = 18.0 + (end.x - start.x).abs().min(400.0) * 0.05;
        let control = Pos2::new((start.x + end.x) / 2.0, start.y.max(end.y) + sag);
        painter.add(egui::epaint::QuadraticBezierShape::from_points_stroke(
            [start, control, end],
            false,
            Color32::TRANSPARENT,
            Stroke::new(2.0, border),
        ));
        painter.circle_filled(start, 3.5, border);
        painter.circle_filled(end, 3.5, border);
    }
    view.chips = chips;
    view.ghost_chips = ghost_chips;
    view.ghost_tips = ghost_tips;
    view.end_rects = first_rects;
}

/// Draws the relation arcs whose ends are on screen: a curve above the text from the
/// first end to the second, the type's label at its top, an arrow head for directed
/// types; a stub pointing up or down when the other end is off screen. The selected or
/// hovered relation is drawn thicker with both ends outlined, and so are the relations
/// of the selected tag.
fn paint_arcs(
    ui: &Ui,
    view: &mut TextView,
    selected_tag: Option<AnnotationId>,
    emphasised: [Option<AnnotationId>; 2],
) {
    let painter = ui.painter();
    let chip_font = FontId::proportional(CHIP_FONT);
    let mut labels: Vec<(Rect, AnnotationId)> = Vec::new();
    let (Some(first), Some(last)) = (view.placed.first(), view.placed.last()) else {
        view.arc_labels = labels;
        return;
    };
    let on_screen = first.chars.start..last.chars.end;
    let top_of_screen = ui.clip_rect().top();
    for arc in &view.arcs {
        if arc.reach.end <= on_screen.start || arc.reach.start >= on_screen.end {
            continue;
        }
        let strong = emphasised.contains(&Some(arc.id))
            || selected_tag.is_some_and(|t| t == arc.from || t == arc.to);
        let stroke = Stroke::new(if strong { 2.5 } else { 1.2 }, arc.color);
        let lift = CHIP_FONT + 4.0;
        let end_point = |id: AnnotationId| {
            view.end_rects
                .get(&id)
                .map(|r| Pos2::new(r.center().x, r.top() - lift))
        };
        let height = ARC_BASE + arc.level as f32 * ARC_STEP;
        let label_at = match (end_point(arc.from), end_point(arc.to)) {
            (Some(a), Some(b)) => {
                let top = (a.y.min(b.y) - height).max(top_of_screen + 2.0);
                let (c1, c2) = (Pos2::new(a.x, top), Pos2::new(b.x, top));
                painter.add(egui::epaint::CubicBezierShape::from_points_stroke(
                    [a, c1, c2, b],
                    false,
                    Color32::TRANSPARENT,
                    stroke,
                ));
                if arc.directed {
                    let w = if strong { 5.0 } else { 4.0 };
                    painter.add(egui::Shape::convex_polygon(
                        vec![b, b + Vec2::new(-w, -7.0), b + Vec2::new(w, -7.0)],
                        arc.color,
                        Stroke::NONE,
                    ));
                }
                // The curve's midpoint (t = 1/2 of the cubic).
                Pos2::new(
                    (a.x + 3.0 * c1.x + 3.0 * c2.x + b.x) / 8.0,
                    (a.y + 3.0 * c1.y + 3.0 * c2.y + b.y) / 8.0,
                )
            }
            (Some(a), None) | (None, Some(a)) => {
                let top = a.y - height;
                painter.line_segment([a, Pos2::new(a.x, top)], stroke);
                Pos2::new(a.x, top)
            }
            (None, None) => continue,
        };
        let text = match (end_point(arc.from), end_point(arc.to)) {
            (Some(_), Some(_)) => arc.label.clone(),
            (Some(_), None) if arc.reach.end > on_screen.end => format!("{} (below)", arc.label),
            (None, Some(_)) if arc.reach.start < on_screen.start => {
                format!("{} (above)", arc.label)
            }
            (Some(_), None) => format!("{} (above)", arc.label),
            _ => format!("{} (below)", arc.label),
        };
        let galley = painter.layout_no_wrap(text, chip_font.clone(), arc.color);
        let mut rect = Rect::from_center_size(label_at, galley.size() + Vec2::new(6.0, 0.0));
        // Labels of crossing arcs move up until they no longer cover one another.
        while let Some((taken, _)) = labels.iter().find(|(r, _)| r.intersects(rect)) {
            let up = rect.bottom() - taken.top() + 1.0;
            rect = rect.translate(Vec2::new(0.0, -up));
        }
        painter.rect_filled(rect, 3.0, ui.visuals().panel_fill);
        painter.rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Inside);
        painter.galley(rect.min + Vec2::new(3.0, 0.0), galley, arc.color);
        labels.push((rect, arc.id));
        if emphasised.contains(&Some(arc.id)) {
            for end in [arc.from, arc.to] {
                if let Some(r) = view.end_rects.get(&end) {
                    painter.rect_stroke(
                        r.expand(3.5),
                        3.0,
                        Stroke::new(2.5, arc.color),
                        egui::StrokeKind::Outside,
                    );
                }
            }
        }
    }
    view.arc_labels = labels;
}

fn darker(c: Color32) -> Color32 {
    Color32::from_rgb(
        (c.r() as f32 * 0.6) as u8,
        (c.g() as f32 * 0.6) as u8,
        (c.b() as f32 * 0.6) as u8,
    )
}

/// The character under a screen position, from the paragraphs drawn this frame.
fn char_at(view: &TextView, pos: Pos2) -> Option<CharOffset> {
    let p = view
        .placed
        .iter()
        .find(|p| pos.y < p.rect.bottom() + PARAGRAPH_GAP / 2.0)
        .or_else(|| view.placed.last())?;
    let cursor = p.galley.cursor_from_pos(pos - p.rect.min);
    Some(CharOffset(
        p.chars.start + cursor.index.0.min(p.chars.len()),
    ))
}

/// The character the pointer is over (for clicks), as opposed to the cursor position
/// between characters that [`char_at`] gives (for drags).
fn char_under(view: &TextView, pos: Pos2) -> Option<CharOffset> {
    let p = view
        .placed
        .iter()
        .find(|p| pos.y < p.rect.bottom() + PARAGRAPH_GAP / 2.0)
        .or_else(|| view.placed.last())?;
    let local = pos - p.rect.min;
    let cursor = p.galley.cursor_from_pos(local);
    let c = p.chars.start + cursor.index.0.min(p.chars.len());
    let glyph = p.galley.pos_from_cursor(cursor);
    let c = if local.x < glyph.left() && c > p.chars.start {
        c - 1
    } else {
        c
    };
    Some(CharOffset(
        c.min(p.chars.end.saturating_sub(1)).max(p.chars.start),
    ))
}

/// The tag under a position: its label chip, else the underline of a nesting level, else
/// the innermost tag covering the character.
fn annotation_at(view: &TextView, pos: Pos2) -> Option<AnnotationId> {
    if let Some((_, id)) = view.chips.iter().find(|(r, _)| r.contains(pos)) {
        return Some(*id);
    }
    let p = view
        .placed
        .iter()
        .find(|p| p.rect.expand2(Vec2::new(0.0, 4.0)).contains(pos))?;
    let local = pos - p.rect.min;
    let cursor = p.galley.cursor_from_pos(local);
    let c = p.chars.start + cursor.index.0;
    // Only count the character if the pointer is really over it, not past the line end.
    let glyph = p.galley.pos_from_cursor(cursor);
    let at = if local.x < glyph.left() && c > p.chars.start {
        c - 1
    } else {
        c
    };
    let row = p
        .galley
        .rows
        .iter()
        .find(|r| r.rect().min.y <= local.y && local.y <= r.rect().max.y)?;
    let band = text_band(row.rect(), view.font_size);
    let covering: Vec<&Highlight> = view.highlights_in(at..at + 1).collect();
    if local.y > band.bottom() {
        let level = ((local.y - band.bottom() - 1.0) / 3.0).floor().max(0.0) as usize;
        if let Some(h) = covering.iter().find(|h| h.level == level) {
            return Some(h.id);
        }
    }
    covering
        .iter()
        .min_by_key(|h| (h.range.len(), std::cmp::Reverse(h.level)))
        .map(|h| h.id)
}

fn interact(ui: &Ui, response: &egui::Response, view: &mut TextView) -> Option<TextAction> {
    let (press_origin, pointer, shift) = ui.input(|i| {
        (
            i.pointer.press_origin(),
            i.pointer.interact_pos(),
            i.modifiers.shift,
        )
    });
    if response.double_clicked() {
        let pos = pointer?;
        return char_under(view, pos).map(TextAction::SelectWord);
    }
    if response.drag_started() {
        view.link_from = press_origin
            .and_then(|p| view.chips.iter().find(|(r, _)| r.contains(p)))
            .map(|(_, id)| *id);
        view.drag_anchor = match view.link_from {
            Some(_) => None,
            None => press_origin.and_then(|p| char_at(view, p)),
        };
    }
    if let Some(from) = view.link_from {
        let pos = pointer?;
        if response.drag_stopped() {
            view.link_from = None;
            return annotation_at(view, pos)
                .filter(|to| *to != from)
                .map(|to| TextAction::Link { from, to });
        }
        if let Some(start) = view.chip_rect(from) {
            ui.painter().arrow(
                start.center_top(),
                pos - start.center_top(),
                Stroke::new(2.0, ui.visuals().selection.stroke.color),
            );
        }
        return None;
    }
    if response.dragged() || response.drag_stopped() {
        let anchor = view.drag_anchor?;
        let head = char_at(view, pointer?)?;
        if response.drag_stopped() {
            view.drag_anchor = None;
        }
        return Some(TextAction::Select { anchor, head });
    }
    if response.clicked() {
        let pos = pointer?;
        if shift {
            return char_under(view, pos).map(TextAction::Extend);
        }
        if let Some((_, id)) = view.arc_labels.iter().find(|(r, _)| r.contains(pos)) {
            return Some(TextAction::SelectRelation(*id));
        }
        if let Some(id) = annotation_at(view, pos) {
            return Some(TextAction::SelectAnnotation(id));
        }
        if let Some((_, start)) = view.ghost_chips.iter().find(|(r, _)| r.contains(pos)) {
            return Some(TextAction::FocusSuggestion(CharOffset(*start)));
        }
        return Some(TextAction::ClearSelection);
    }
    None
}
