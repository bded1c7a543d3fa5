//! The 3-D surface view of L(w, b): a shaded mesh with height-coloured bands, painted back to front with egui's
//! painter, the contour map drawn on the floor beneath it, every run's path on the surface with its current point,
//! and the optimum marked. Drag turns it, scroll zooms. The projection and the painter's order are UI-free in
//! [`crate::geometry::projection`].

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Ui, pos2};

use super::{CurveKey, Landscape, Shown};
use crate::app::theme::{Palette, faded};
use crate::geometry::projection::{Camera, Heights, painter_order, to_world};
use crate::geometry::{LossSurface, Window, contour_lines, log_levels};

/// Nodes of the mesh per side (a 60 × 60 quad mesh).
pub const MESH_NODES: usize = 61;
/// Height bands of the colouring.
const BANDS: f64 = 12.0;

/// The mesh of one view: the losses at the nodes, their heights and the floor's contour lines.
pub(super) struct MeshCache {
    key: CurveKey,
    heights: Vec<f64>,
    /// Each node's level in [0, 1] on the contour map's log scale of L − L* (the colour bands).
    levels: Vec<f64>,
    scale: Heights,
    floor: Vec<Vec<[f64; 2]>>,
}

impl MeshCache {
    fn new(key: CurveKey, surface: &LossSurface, view: Window, min_loss: f64) -> Self {
        let losses = surface.grid(view, [MESH_NODES, MESH_NODES]);
        let scale = Heights::of(&losses);
        let heights = losses.iter().map(|&l| scale.z(l)).collect();
        let levels = log_levels(&losses, min_loss);
        let floor = contour_lines(&levels, [MESH_NODES, MESH_NODES], 12, view);
        MeshCache { key, heights, levels, scale, floor }
    }
}

/// What one frame of the 3-D view paints with.
struct Scene<'a> {
    camera: Camera,
    view: Window,
    centre: [f64; 2],
    size: [f64; 2],
    mesh: &'a MeshCache,
    palette: Palette,
}

impl Scene<'_> {
    fn at(&self, w: f64, b: f64, z: f64) -> Pos2 {
        let [x, y] = to_world(self.view, w, b);
        let ([sx, sy], _) = self.camera.project([x, y, z], self.centre, self.size);
        pos2(sx as f32, sy as f32)
    }

    fn node(&self, k: usize) -> (Pos2, f64) {
        let (i, j) = (k % MESH_NODES, k / MESH_NODES);
        let z = self.mesh.heights.get(k).copied().unwrap_or(1.0);
        (self.at(self.view.node_w(i, MESH_NODES), self.view.node_b(j, MESH_NODES), z), z)
    }

    /// The band colour of level `t` (the contour map's log scale), lit by the quad's slope (`light` in [0, 1]).
    fn colour(&self, t: f64, light: f64) -> Color32 {
        let band = ((t * BANDS).floor() / BANDS).clamp(0.0, 1.0);
        let [r, g, b] = band_colour(band);
        let k = (0.55 + 0.45 * light) as f32;
        let c = |v: f32| (v * k).min(255.0) as u8;
        Color32::from_rgb(c(r), c(g), c(b))
    }

    /// The mesh, farthest quads first.
    fn mesh_shape(&self) -> Shape {
        let mut mesh = Mesh::default();
        for quad in painter_order(&self.camera, self.view, &self.mesh.heights, [MESH_NODES, MESH_NODES]) {
            let corners = quad.map(|k| self.node(k));
            let t = quad.iter().map(|&k| self.mesh.levels.get(k).copied().unwrap_or(1.0)).sum::<f64>() / 4.0;
            // The quad's tilt: a flat quad is fully lit, a steep one darker.
            let dz = (corners[1].1 - corners[0].1).abs() + (corners[3].1 - corners[0].1).abs();
            let light = 1.0 / (1.0 + 8.0 * dz);
            let color = self.colour(t, light);
            let base = mesh.vertices.len() as u32;
            for (pos, _) in corners {
                mesh.vertices.push(Vertex { pos, uv: WHITE_UV, color });
            }
            mesh.indices.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
        Shape::mesh(mesh)
    }

    /// The contour lines on the floor, under the surface.
    fn floor_shapes(&self) -> Vec<Shape> {
        let stroke = Stroke::new(1.0, faded(self.palette.weak_text, 0.8));
        self.mesh
            .floor
            .iter()
            .map(|line| Shape::line(line.iter().map(|p| self.at(p[0], p[1], 0.0)).collect(), stroke))
            .collect()
    }
}

impl Landscape {
    /// The 3-D view of the run's loss surface over the landscape's window.
    pub(super) fn surface_ui(&mut self, ui: &mut Ui, shown: Shown<'_>) {
        let Shown { ctx, run, point, .. } = shown;
        let view = self.view(run, point.displayed);
        let Some(eval) = self.eval.as_ref() else {
            return;
        };
        let opt = run.analysis.optimum;
        let key = CurveKey::new(eval.id, [view.w[0], view.b[0]], [view.w[1], view.b[1]], 0.0);
        if self.mesh.as_ref().is_none_or(|m| m.key != key) {
            self.mesh = Some(MeshCache::new(key, &eval.surface, view, eval.surface.loss(opt.w, opt.b)));
        }
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        let response = response.on_hover_text("The loss over (w, b): drag to turn it, scroll to zoom.");
        if response.dragged() {
            let d = response.drag_delta();
            self.camera.drag(d.x as f64, d.y as f64);
        }
        if response.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y) as f64;
            if scroll != 0.0 {
                self.camera.zoom_by((scroll / 300.0).exp());
            }
        }
        ctx.explain.mark(crate::explain::topics::Topic::Surface3d, rect);
        let Some(mesh) = self.mesh.as_ref() else { return };
        let scene = Scene {
            camera: self.camera,
            view,
            centre: [rect.center().x as f64, rect.center().y as f64],
            size: [rect.width() as f64, rect.height() as f64],
            mesh,
            palette: ctx.palette,
        };
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, ctx.palette.card);
        painter.extend(scene.floor_shapes());
        painter.add(scene.mesh_shape());
        for r in &ctx.snap.runs {
            paths_on(&painter, &scene, &eval.surface, r, ctx.run_color(r));
        }
        let top = |p: crate::engine::model::Params<f64>| scene.mesh.scale.z(eval.surface.loss(p.w, p.b));
        let o = scene.at(opt.w, opt.b, top(opt));
        painter.add(Shape::convex_polygon(
            vec![
                o + egui::vec2(0.0, -6.0),
                o + egui::vec2(6.0, 0.0),
                o + egui::vec2(0.0, 6.0),
                o + egui::vec2(-6.0, 0.0),
            ],
            ctx.palette.optimum,
            Stroke::NONE,
        ));
        let here = point.displayed;
        painter.circle(scene.at(here.w, here.b, top(here)), 6.0, ctx.run_color(run), Stroke::new(1.5, Color32::WHITE));
        axes_labels(&painter, &scene, rect);
    }
}

/// The colour of band level `t` in [0, 1]: deep blue in the valley through teal and green to yellow at the top
/// (a viridis-like ramp, legible on dark and light backgrounds alike).
fn band_colour(t: f64) -> [f32; 3] {
    const STOPS: [[f32; 3]; 5] =
        [[68.0, 1.0, 84.0], [59.0, 82.0, 139.0], [33.0, 145.0, 140.0], [94.0, 201.0, 98.0], [253.0, 231.0, 37.0]];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = (x - i as f64) as f32;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]
}

/// A run's path on the surface (lifted a little, so it reads over the mesh).
fn paths_on(
    painter: &egui::Painter,
    scene: &Scene<'_>,
    surface: &LossSurface,
    run: &crate::worker::RunSnapshot,
    color: Color32,
) {
    let pts: Vec<Pos2> = run
        .history
        .sample(400)
        .iter()
        .map(|r| scene.at(r.params.w, r.params.b, scene.mesh.scale.z(surface.loss(r.params.w, r.params.b)) + 0.01))
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    painter.add(Shape::line(pts, Stroke::new(2.0, color)));
}

/// "w", "b" and "L" at the ends of the box's axes.
fn axes_labels(painter: &egui::Painter, scene: &Scene<'_>, rect: Rect) {
    let [w0, w1] = scene.view.w;
    let [b0, b1] = scene.view.b;
    let color = scene.palette.weak_text;
    let font = egui::FontId::proportional(12.0);
    // Each label a little outside its corner, away from the view's centre, so the surface does not cover it.
    let centre = rect.center();
    let label = |p: Pos2, text: String| {
        let out = (p - centre).normalized() * 22.0;
        let at = p + out;
        if rect.contains(at) {
            painter.text(at, egui::Align2::CENTER_CENTER, text, font.clone(), color);
        }
    };
    label(scene.at(w1, b0, 0.0), format!("w {}", crate::format::short(w1)));
    label(scene.at(w0, b1, 0.0), format!("b {}", crate::format::short(b1)));
    label(scene.at(w0, b0, 1.0), format!("L {}", crate::format::short(scene.mesh.scale.high)));
}
