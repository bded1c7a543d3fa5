//! Helpers for the app's egui_kittest tests. The worker is a real thread and `Harness::run` does not wait for other
//! threads, so tests poll `step()` plus a short sleep until the expected state, with a bound.

use std::time::Duration;

use descent::app::state::SPEED_UNLIMITED;
use descent::app::{App, AppOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The real app in a 1400×900 headless window.
pub fn harness(options: AppOptions) -> Harness<'static, App> {
    Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| App::new(cc, options))
}

/// Options that run at engine speed.
pub fn fast() -> AppOptions {
    AppOptions { steps_per_sec: Some(SPEED_UNLIMITED), ..AppOptions::default() }
}

/// Steps frames until `pred` holds for the harness (at most about 10 s), then one more frame so the UI shows it.
pub fn wait_for(h: &mut Harness<'static, App>, what: &str, pred: impl Fn(&Harness<'static, App>) -> bool) {
    for _ in 0..1_000 {
        h.step();
        if pred(h) {
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

/// Steps frames until `pred` holds for the app (at most about 10 s).
pub fn wait_until(h: &mut Harness<'static, App>, what: &str, pred: impl Fn(&App) -> bool) {
    wait_for(h, what, |h| pred(h.state()));
}

/// True when some node's label contains `text`.
pub fn shows(h: &Harness<'static, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}
