//! Explain mode, the app's side of [`crate::explain::topics`]: while drawing, views mark what each widget, plot and
//! plot mark is ([`Explain::explain`] on a response, [`Explainer::plot`] on a plot); after drawing, with explain
//! mode on, [`show_card`] shows at once, beside the pointer, the card of the most specific thing under it: its
//! title, formula, explanation and value now. With explain mode off the same texts are the ordinary tooltips.
//!
//! The marks are the frame's own (an [`Explainer`] lives for one frame, lent to the views through the `ViewCtx`);
//! no app state goes through egui's memory.

use std::cell::RefCell;

use egui::{Pos2, Rect, Response, RichText};
use egui_plot::{ItemId, PlotResponse};

use super::theme::Palette;
use crate::explain::topics::{Facts, Topic};

/// The frame's marks: which topic covers which rectangle of the screen.
#[derive(Debug, Default)]
pub struct Explainer {
    on: bool,
    marks: RefCell<Vec<(Topic, Rect)>>,
}

impl Explainer {
    /// A frame's explainer; `on` in explain mode.
    pub fn new(on: bool) -> Self {
        Explainer { on, marks: RefCell::new(Vec::new()) }
    }

    /// True in explain mode.
    pub fn on(&self) -> bool {
        self.on
    }

    /// Notes that `rect` shows `topic`.
    pub fn mark(&self, topic: Topic, rect: Rect) {
        if rect.is_positive() {
            self.marks.borrow_mut().push((topic, rect));
        }
    }

    /// Marks a plot as `whole`, and the plot item under the pointer by its name (`items`: name → topic).
    pub fn plot<R, S: AsRef<str>>(&self, plot: &PlotResponse<R>, whole: Topic, items: &[(S, Topic)]) {
        self.mark(whole, plot.response.rect);
        let (Some(hovered), Some(pointer)) = (plot.hovered_plot_item, plot.response.hover_pos()) else {
            return;
        };
        if let Some((_, topic)) = items.iter().find(|(name, _)| ItemId::new(name.as_ref()) == hovered) {
            self.mark(*topic, Rect::from_center_size(pointer, egui::vec2(2.0, 2.0)));
        }
    }

    /// The frame's marks, in drawing order.
    pub fn into_marks(self) -> Vec<(Topic, Rect)> {
        self.marks.into_inner()
    }
}

/// The landscape's marks by name (the names `marks.rs`, `curve.rs` and `contour.rs` give them).
pub const LANDSCAPE_ITEMS: &[(&str, Topic)] = &[
    ("L(w)", Topic::Landscape),
    ("w*", Topic::OptimumMark),
    ("optimum", Topic::OptimumMark),
    ("current", Topic::Point),
    ("current halo", Topic::Point),
    ("outcome ring", Topic::Point),
    ("next", Topic::NextStep),
    ("next step", Topic::NextStep),
    ("steps", Topic::Path),
    ("moving", Topic::Path),
    ("trail", Topic::Path),
    ("path", Topic::Path),
    ("start", Topic::StartMark),
    ("contours", Topic::Contours),
    ("tangent", Topic::Tangent),
    ("notebook-sum slope", Topic::Tangent),
    ("newton model", Topic::NewtonModel),
    ("model minimum", Topic::NewtonModel),
    ("armijo line", Topic::ArmijoTrials),
    ("trial", Topic::ArmijoTrials),
    ("accepted", Topic::ArmijoTrials),
];

/// Gives a widget its explanation.
pub trait Explain {
    /// Marks the widget as `topic`; outside explain mode it gets the topic's ordinary tooltip.
    fn explain(self, ex: &Explainer, topic: Topic) -> Response;

    /// As [`Explain::explain`], with the widget's own `tip` as its tooltip instead of the topic's: one tooltip
    /// either way (a second `on_hover_text` would stack a second one under it).
    fn explain_with(self, ex: &Explainer, topic: Topic, tip: &str) -> Response;
}

impl Explain for Response {
    fn explain(self, ex: &Explainer, topic: Topic) -> Response {
        ex.mark(topic, self.interact_rect);
        if ex.on { self } else { self.on_hover_text(topic.tip()) }
    }

    fn explain_with(self, ex: &Explainer, topic: Topic, tip: &str) -> Response {
        ex.mark(topic, self.interact_rect);
        if ex.on { self } else { self.on_hover_text(tip) }
    }
}

/// The topic under `pos`: the smallest marked rectangle that contains it (the most specific), the last drawn of
/// equal ones.
pub fn topic_at(marks: &[(Topic, Rect)], pos: Pos2) -> Option<Topic> {
    marks
        .iter()
        .filter(|(_, r)| r.contains(pos))
        .fold(None, |best: Option<(Topic, f32)>, &(t, r)| match best {
            Some((_, area)) if area < r.area() => best,
            _ => Some((t, r.area())),
        })
        .map(|(t, _)| t)
}

/// The card's width in points.
const CARD_WIDTH: f32 = 340.0;

/// In explain mode, the card of what is under the pointer, at once, beside it (kept on screen).
pub fn show_card(ctx: &egui::Context, marks: &[(Topic, Rect)], facts: &Facts<'_>, palette: Palette) {
    let Some(pos) = ctx.pointer_hover_pos() else {
        return;
    };
    // Over a menu, a popup or a dialog the marks underneath are hidden: no card for them.
    if ctx.layer_id_at(pos).is_some_and(|l| matches!(l.order, egui::Order::Middle | egui::Order::Foreground)) {
        return;
    }
    // One tooltip at a time: a widget's own tooltip (a button's, a disabled control's reason) shown this frame
    // stands alone.
    if egui::Tooltip::seconds_since_last_tooltip(ctx) <= 0.0 {
        return;
    }
    let Some(topic) = topic_at(marks, pos) else {
        return;
    };
    let screen = ctx.content_rect();
    // Right of and below the pointer, flipped to the left or above near the window's edges.
    let x = if pos.x + 20.0 + CARD_WIDTH > screen.max.x { pos.x - 20.0 - CARD_WIDTH } else { pos.x + 20.0 };
    let below = pos.y < screen.center().y;
    let pivot = if below { egui::Align2::LEFT_TOP } else { egui::Align2::LEFT_BOTTOM };
    let y = if below { pos.y + 20.0 } else { pos.y - 12.0 };
    egui::Area::new(egui::Id::unique("explain-card"))
        .order(egui::Order::Tooltip)
        .interactable(false)
        .pivot(pivot)
        .fixed_pos(egui::pos2(x.max(screen.min.x), y))
        .constrain(true)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).inner_margin(egui::Margin::same(10)).show(ui, |ui| {
                ui.set_width(CARD_WIDTH);
                card_body_ui(ui, topic, facts, palette);
            });
        });
}

/// The card's text: title, formula, explanation, value now.
fn card_body_ui(ui: &mut egui::Ui, topic: Topic, facts: &Facts<'_>, palette: Palette) {
    let info = topic.info();
    ui.label(RichText::new(info.title).strong().size(17.0));
    if !info.formula.is_empty() {
        ui.label(RichText::new(info.formula).monospace().size(14.0).color(palette.optimum));
    }
    ui.add_space(4.0);
    ui.label(info.text);
    if topic == Topic::Why {
        ui.add_space(4.0);
        ui.label(crate::explain::why(&facts.run).long);
    }
    if let Some(value) = topic.value(facts) {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("now: {value}")).strong().monospace());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_mark_wins() {
        let big = Rect::from_min_size(Pos2::ZERO, egui::vec2(100.0, 100.0));
        let small = Rect::from_min_size(egui::pos2(10.0, 10.0), egui::vec2(5.0, 5.0));
        let marks = [(Topic::LossPlot, big), (Topic::LossCurve, small)];
        assert_eq!(topic_at(&marks, egui::pos2(12.0, 12.0)), Some(Topic::LossCurve));
        assert_eq!(topic_at(&marks, egui::pos2(50.0, 50.0)), Some(Topic::LossPlot));
        assert_eq!(topic_at(&marks, egui::pos2(500.0, 50.0)), None);
    }
}
