//! exploration (temporary)
mod common;
use common::app::fast;
use descent::app::{App, AppOptions};
use egui_kittest::kittest::NodeT;

#[test]
fn dump() {
    let lesson = descent::lesson::Lesson::load("notebook").unwrap();
    let mut h = egui_kittest::Harness::builder()
        .with_size([1280.0, 720.0])
        .build_eframe(move |cc| App::new(cc, AppOptions { lesson: Some(("notebook".into(), lesson)), ..fast() }));
    for _ in 0..6 {
        h.step();
    }
    let mut clipped = std::collections::HashMap::new();
    h.ctx.viewport(|vp| {
        for (layer, ws) in vp.prev_pass.widgets.layers() {
            for w in ws {
                clipped.insert(w.id.value(), (format!("{:?}", layer.order), w.interact_rect, w.rect));
            }
        }
    });
    for n in h.root().children_recursive() {
        let a = n.accesskit_node();
        let c = clipped.get(&a.locate().0.0);
        eprintln!(
            "{:?} {:?} {:?} {:?} parent={:?} {:?}",
            a.locate().0.0,
            a.role(),
            a.label(),
            a.bounding_box(),
            a.parent().map(|p| p.role()),
            c
        );
    }
}
