//! A tiny renderer for the markdown subset of lesson pages: paragraphs (separated by blank lines; single line
//! breaks join), **bold**, *italic* and `code`. Math is written as text (λ, ·, √) and shown as it is.
//!
//! egui_commonmark 0.26 does support egui 0.37, but it brings pulldown-cmark, egui_extras and image loaders for
//! what four rules cover here.

use egui::text::LayoutJob;
use egui::{FontId, TextFormat, Ui};

/// A run of text with its style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span<'a> {
    /// Plain text.
    Plain(&'a str),
    /// **bold**
    Bold(&'a str),
    /// *italic*
    Italic(&'a str),
    /// `code`
    Code(&'a str),
}

/// The paragraphs of `text`, each joined into one line.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The styled spans of one paragraph; an unclosed marker is plain text.
pub fn spans(p: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut rest = p;
    while !rest.is_empty() {
        let next = [("**", 0), ("`", 1), ("*", 2)]
            .iter()
            .filter_map(|&(m, k)| {
                let start = rest.find(m)?;
                let close = rest[start + m.len()..].find(m)? + start + m.len();
                Some((start, close, m.len(), k))
            })
            .min_by_key(|&(start, _, len, _)| (start, std::cmp::Reverse(len)));
        let Some((start, close, len, kind)) = next else {
            out.push(Span::Plain(rest));
            break;
        };
        if start > 0 {
            out.push(Span::Plain(&rest[..start]));
        }
        let inner = &rest[start + len..close];
        out.push(match kind {
            0 => Span::Bold(inner),
            1 => Span::Code(inner),
            _ => Span::Italic(inner),
        });
        rest = &rest[close + len..];
    }
    out
}

/// Draws `text` as wrapped paragraphs in `ui`'s width.
pub fn markdown_ui(ui: &mut Ui, text: &str) {
    let body = egui::TextStyle::Body.resolve(ui.style());
    let mono = FontId::monospace(body.size * 0.95);
    let color = ui.visuals().text_color();
    let strong = ui.visuals().strong_text_color();
    let code_bg = ui.visuals().code_bg_color;
    for p in paragraphs(text) {
        let mut job =
            LayoutJob { wrap: egui::text::TextWrapping::wrap_at_width(ui.available_width()), ..Default::default() };
        for span in spans(&p) {
            let (s, format) = match span {
                Span::Plain(s) => (s, TextFormat::simple(body.clone(), color)),
                Span::Bold(s) => (s, TextFormat::simple(body.clone(), strong)),
                Span::Italic(s) => (s, TextFormat { italics: true, ..TextFormat::simple(body.clone(), color) }),
                Span::Code(s) => (s, TextFormat { background: code_bg, ..TextFormat::simple(mono.clone(), color) }),
            };
            job.append(s, 0.0, format);
        }
        ui.label(job);
        ui.add_space(4.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_spans() {
        assert_eq!(paragraphs("a\nb\n\n\nc "), ["a b", "c"]);
        assert_eq!(
            spans("x **bold** and *it* `c` * lone"),
            [
                Span::Plain("x "),
                Span::Bold("bold"),
                Span::Plain(" and "),
                Span::Italic("it"),
                Span::Plain(" "),
                Span::Code("c"),
                Span::Plain(" * lone")
            ]
        );
        assert_eq!(spans("2·x*"), [Span::Plain("2·x*")]);
    }
}
