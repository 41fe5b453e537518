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
