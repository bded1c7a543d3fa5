//! Keyboard shortcuts: Space runs or pauses, S or → steps, R resets, L toggles the log scale, + and − multiply or
//! divide the learning rate by 1.25, Ctrl+Z and Ctrl+Shift+Z undo and redo, F1 turns explain mode on and off, Ctrl+Q quits. Keys
//! are ignored while a text field has focus, and consumed before the widgets see them (so Space does not also press
//! a focused button).

use egui::{Key, Modifiers};

use super::state::Action;

/// Factor of one + or − press on the learning rate.
pub const LR_FACTOR: f64 = 1.25;

/// Turns this frame's shortcut presses into actions.
pub fn shortcuts(ctx: &egui::Context, actions: &mut Vec<Action>) {
    if ctx.text_edit_focused() {
        return;
    }
    ctx.input_mut(|input| {
        let mut pressed = |key: Key| input.consume_key(Modifiers::NONE, key);
        if pressed(Key::Space) {
            actions.push(Action::ToggleRun);
        }
        if pressed(Key::S) || pressed(Key::ArrowRight) {
            actions.push(Action::Step(1));
        }
        if pressed(Key::R) {
            actions.push(Action::Reset);
        }
        if pressed(Key::F1) {
            actions.push(Action::ToggleExplain);
        }
        if pressed(Key::L) {
            actions.push(Action::ToggleLogScale);
        }
        if pressed(Key::Plus) || pressed(Key::Equals) {
            actions.push(Action::ScaleLr(LR_FACTOR));
        }
        if pressed(Key::Minus) {
            actions.push(Action::ScaleLr(1.0 / LR_FACTOR));
        }
        // Redo first: Ctrl+Shift+Z also matches Ctrl+Z when modifiers are compared loosely.
        if input.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) {
            actions.push(Action::Redo);
        }
        if input.consume_key(Modifiers::COMMAND, Key::Z) {
            actions.push(Action::Undo);
        }
        if input.consume_key(Modifiers::COMMAND, Key::Q) {
            actions.push(Action::Quit);
        }
    });
}
