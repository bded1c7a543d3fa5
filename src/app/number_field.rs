//! The one number field of the app: a text box that takes what a person types ([`crate::number`]: `1/15`, `2e-3`,
//! `pi/4`, full precision), keeps the value exactly, shows it with as many digits as it needs, and says beside
//! itself, in one line, why an entry was refused and which value it kept.
//!
//! The text being edited and the last refusal are the widget's own state, kept in egui's memory under the field's
//! id (as egui's own `DragValue` keeps its edit text); the value itself is the caller's.

use egui::{Id, Response, RichText, TextEdit, Ui};

use crate::number::{self, Bounds};

/// The field's own state between frames.
#[derive(Clone, Debug, Default)]
struct Memory {
    /// The text in the box.
    text: String,
    /// Why the last entry was refused (until the next accepted one or a change of the value from outside).
    refusal: Option<String>,
    /// The value the field showed last frame, to notice a change from elsewhere (a slider, a lesson, a reset).
    shown: Option<u64>,
    /// The box had the keyboard focus at the end of last frame (so losing it is noticed whenever egui reports it).
    had_focus: bool,
    /// The text was edited since the last commit.
    typed: bool,
}

/// A number field over `value`: [`NumberField::show`] draws it.
pub struct NumberField<'a> {
    id: Id,
    value: &'a mut f64,
    bounds: Bounds,
    width: f32,
    name: Option<String>,
}

/// What [`NumberField::show`] drew: the text box, whether a new value was accepted, and the refusal, if any.
pub struct NumberOutput {
    /// The text box's response (its `changed()` is about the text, not the value).
    pub response: Response,
    /// True on the frame a new value was accepted (typing alone changes nothing until Enter or focus leaves).
    pub changed: bool,
    /// Why the last entry was refused, and the value kept: one line for [`NumberOutput::refusal_ui`].
    pub refusal: Option<String>,
}

impl<'a> NumberField<'a> {
    /// A field named `salt` (unique among the fields on screen) over `value`, accepting `bounds`.
    pub fn new(salt: impl std::hash::Hash + std::fmt::Debug, value: &'a mut f64, bounds: Bounds) -> Self {
        NumberField { id: Id::unique(("number-field", salt)), value, bounds, width: 110.0, name: None }
    }

    /// The field's name for assistive technologies (and tests), when no label names it.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The box's width in points (110 by default).
    pub fn width(mut self, width: f32) -> Self {
        self.width = width;
        self
    }

    /// Draws the box. The typed text is committed on Enter or when focus leaves (or at once when set without focus,
    /// as assistive technologies do); until then the value is untouched.
    pub fn show(self, ui: &mut Ui) -> NumberOutput {
        let NumberField { id, value, bounds, width, name } = self;
        let mut m: Memory = ui.data_mut(|d| d.get_temp(id)).unwrap_or_default();
        // Focus may leave (Enter, a click elsewhere) before the box is drawn this frame: its text is committed below.
        let focused = ui.memory(|mem| mem.has_focus(id));
        let leaving = m.had_focus && !focused;
        let bits = value.to_bits();
        if m.shown.is_some_and(|b| b != bits) {
            m.refusal = None;
        }
        if !focused && !leaving && !m.typed {
            m.text = number::show(*value);
        }
        let mut response =
            ui.add(TextEdit::singleline(&mut m.text).id(id).desired_width(width).font(egui::TextStyle::Monospace));
        if let Some(name) = name {
            response = response.accessible_name(name);
        }
        m.typed |= response.changed();
        let mut changed = false;
        // Once per edit: egui may report the lost focus on two passes, and the second must not re-read the shown value.
        if m.typed && (leaving || response.lost_focus() || !response.has_focus()) {
            m.typed = false;
            match number::parse_in(&m.text, bounds) {
                Ok(v) => {
                    m.refusal = None;
                    changed = v.to_bits() != value.to_bits();
                    *value = v;
                    m.text = number::show(v);
                }
                Err(r) => m.refusal = Some(r.kept(*value)),
            }
        }
        m.shown = Some(value.to_bits());
        m.had_focus = response.has_focus();
        let refusal = m.refusal.clone();
        ui.data_mut(|d| d.insert_temp(id, m));
        NumberOutput { response, changed, refusal }
    }
}

impl NumberOutput {
    /// The refusal, if any, as one line in the error colour (beside or under the field, as the layout puts it).
    pub fn refusal_ui(&self, ui: &mut Ui) {
        if let Some(r) = &self.refusal {
            ui.label(RichText::new(r).small().color(ui.visuals().error_fg_color));
        }
    }
}
