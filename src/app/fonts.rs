//! Letters of every script. egui's bundled fonts cover Latin, Greek and Cyrillic only; a
//! corpus in Chinese, Arabic, Hebrew, Devanagari or Thai, or with emoji, would show empty
//! boxes. The window therefore asks the system for a font whenever it meets a character
//! no installed font has: `egui_system_font_provider` (egui's own, built on `fontique`,
//! which asks fontconfig's fallback rules for the character's script and the user's
//! locale). Fonts are found on demand, so only the scripts the corpus shows cost anything,
//! and the files are memory-mapped, not copied. Offsets never depend on fonts: spans count
//! code points, whatever glyphs draw them.
//!
//! What egui 0.37 cannot do: lay out right-to-left text. Arabic and Hebrew letters are
//! drawn (and shaped by egui's shaper), but a line is always ordered left to right (egui
//! issues #56 and #1016).

use std::sync::Arc;

/// Lets `ctx` find system fonts for characters its fonts lack. Call once per context.
pub fn install_system_fallback(ctx: &egui::Context) {
    ctx.add_font_provider(Arc::new(
        egui_system_font_provider::SystemFontProvider::new(),
    ));
}

/// The characters of `text` that no font of `ctx` can draw (they would show as the
/// replacement box), in order, each once. Control characters and line breaks, which are
/// never drawn, are left out.
pub fn missing_glyphs(ctx: &egui::Context, family: egui::FontFamily, text: &str) -> Vec<char> {
    let font = egui::FontId::new(14.0, family);
    let mut missing = Vec::new();
    ctx.fonts_mut(|fonts| {
        for c in text.chars() {
            if c.is_control() || missing.contains(&c) {
                continue;
            }
            if !fonts.has_glyph(&font, c) {
                missing.push(c);
            }
        }
    });
    missing
}

/// Draws the glyphs of some text into the font atlas ahead of time, a slice per frame.
/// The first frame that shows a document otherwise rasterises every glyph it meets (for
/// the reading view, the tag chips and the document list: 30 ms and more), so the window
/// warms them up while a big project loads, before its first documents are shown.
pub struct GlyphWarmer {
    /// The characters, each once.
    chars: Vec<char>,
    /// The fonts they are drawn in.
    fonts: Vec<egui::FontId>,
    /// Units done: a unit is one font and [`GlyphWarmer::CHARS_PER_UNIT`] characters.
    done: usize,
}

impl GlyphWarmer {
    /// Characters laid out at a time.
    const CHARS_PER_UNIT: usize = 8;

    /// A warmer for the characters of `texts` (control characters left out), in `fonts`.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>, fonts: Vec<egui::FontId>) -> Self {
        let mut seen = std::collections::HashSet::new();
        let chars = texts
            .into_iter()
            .flat_map(str::chars)
            .filter(|c| !c.is_control() && seen.insert(*c))
            .collect();
        Self {
            chars,
            fonts,
            done: 0,
        }
    }

    /// Lays out units until `deadline`; `true` once every glyph is in the atlas.
    pub fn step(&mut self, ctx: &egui::Context, deadline: std::time::Instant) -> bool {
        let per_font = self.chars.len().div_ceil(Self::CHARS_PER_UNIT);
        let units = per_font * self.fonts.len();
        let started = self.done;
        while self.done < units {
            let (font, chunk) = (self.done / per_font.max(1), self.done % per_font.max(1));
            // A font's first unit also sets the font up at its size (milliseconds of its
            // own): it starts a frame, never follows other work in one.
            let new_font = chunk == 0 && self.done > started;
            if new_font || std::time::Instant::now() >= deadline {
                return false;
            }
            let start = chunk * Self::CHARS_PER_UNIT;
            let text: String = self
                .chars
                .iter()
                .skip(start)
                .take(Self::CHARS_PER_UNIT)
                .collect();
            if let Some(font) = self.fonts.get(font) {
                // A glyph is drawn once for each quarter pixel it may start at (epaint's
                // subpixel bins): the text shifted by a quarter pixel four times puts
                // every glyph in each.
                let quarter = 0.25 / ctx.pixels_per_point();
                ctx.fonts_mut(|f| {
                    for shift in 0..4u8 {
                        let mut job = egui::text::LayoutJob::simple_singleline(
                            text.clone(),
                            font.clone(),
                            egui::Color32::WHITE,
                        );
                        if let Some(section) = job.sections.first_mut() {
                            section.leading_space = f32::from(shift) * quarter;
                        }
                        f.layout_job(job);
                    }
                });
            }
            self.done += 1;
        }
        true
    }
}

#[cfg(test)]
mod warmer_tests {
    use super::GlyphWarmer;
    use egui::FontId;
    use std::time::{Duration, Instant};

    #[test]
    fn the_warmer_lays_out_each_character_once_per_font_and_stops_at_its_deadline() {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        let fonts = vec![FontId::proportional(13.0), FontId::monospace(11.0)];
        let mut warmer = GlyphWarmer::new(["abcab", "bcd\n", "é"], fonts);
        assert_eq!(warmer.chars, ['a', 'b', 'c', 'd', 'é']);
        assert!(!warmer.step(&ctx, Instant::now()), "no time: nothing done");
        assert_eq!(warmer.done, 0);
        let later = || Instant::now() + Duration::from_secs(30);
        assert!(
            !warmer.step(&ctx, later()),
            "the second font waits for the next frame"
        );
        assert_eq!(warmer.done, 1, "one unit of 8 characters per font");
        assert!(warmer.step(&ctx, later()));
        assert_eq!(warmer.done, 2);
        assert!(warmer.step(&ctx, Instant::now()), "done stays done");
    }
}
