//! The 3-D surface view of L(w, b): a shaded mesh with height-coloured bands, painted back to front with egui's
//! painter, the contour map drawn on the floor beneath it, the w, b and L axes with ticks, every run's path on the
//! surface (clipped to the mesh's window, a ring where it leaves it) with its current point, and the optimum
//! marked. Drag turns it, scroll zooms. The projection and the painter's order are UI-free in
//! [`crate::geometry::projection`].

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Ui, pos2};

use super::{CurveKey, Landscape, Shown};
use crate::app::theme::{Palette, faded};
use crate::geometry::bands::{Corner, split_triangle};
use crate::geometry::projection::{Camera, Heights, painter_order, to_world};
use crate::geometry::{LossSurface, Window, contour_lines, level_floor, log_levels};

/// Nodes of the mesh per side (a 60 × 60 quad mesh).
pub const MESH_NODES: usize = 61;
/// Height bands of the colouring, one per contour level of the floor (their edges are the floor's lines).
const BANDS: usize = 12;

/// The mesh of one view: the losses at the nodes, their heights and the floor's contour lines.
pub(super) struct MeshCache {
    key: CurveKey,
    heights: Vec<f64>,
    /// Each node's level in [0, 1] on the contour map's log scale of L − L* (the colour bands).
    levels: Vec<f64>,
    /// Each node's lighting in [0, 1], from the slope there (see [`node_lights`]).
    lights: Vec<f64>,
    scale: Heights,
    floor: Vec<Vec<[f64; 2]>>,
}

impl MeshCache {
    fn new(key: CurveKey, surface: &LossSurface, view: Window, min_loss: f64) -> Self {
        let losses = surface.grid(view, [MESH_NODES, MESH_NODES]);
        let scale = Heights::of(&losses);
        let heights: Vec<f64> = losses.iter().map(|&l| scale.z(l)).collect();
        let lights = node_lights(&heights);
        // The floor of the levels as the contour map takes it: the view's lowest loss when below the known minimum's
        // (the saddle, an expression), so no part of the view sinks to an excess of zero.
        let levels = log_levels(&losses, level_floor(&losses, min_loss));
        let floor = contour_lines(&levels, [MESH_NODES, MESH_NODES], BANDS, view);
        MeshCache { key, heights, levels, lights, scale, floor }
    }
}

/// The lighting of each node of a [`MESH_NODES`]² grid of `heights`: 1 where the surface is flat, darker where it
/// is steep, from its height steps per node along w and along b (central differences, one-sided at the rim), so
/// the shade varies smoothly over the mesh instead of stepping from quad to quad.
fn node_lights(heights: &[f64]) -> Vec<f64> {
    let n = MESH_NODES;
    let z = |i: usize, j: usize| heights.get(j * n + i).copied().unwrap_or(1.0);
    let step = |lo: usize, hi: usize| (hi - lo).max(1) as f64;
    (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            let (il, ih, jl, jh) = (i.saturating_sub(1), (i + 1).min(n - 1), j.saturating_sub(1), (j + 1).min(n - 1));
            let dz = ((z(ih, j) - z(il, j)) / step(il, ih)).abs() + ((z(i, jh) - z(i, jl)) / step(jl, jh)).abs();
            1.0 / (1.0 + 8.0 * dz)
        })
        .collect()
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
        self.project([x, y, z])
    }

    /// The screen position of world point `p` (see [`to_world`]).
    fn project(&self, p: [f64; 3]) -> Pos2 {
        let ([sx, sy], _) = self.camera.project(p, self.centre, self.size);
        pos2(sx as f32, sy as f32)
    }

    /// Mesh node `k` as a band corner: its world position, its level and its lighting.
    fn corner(&self, k: usize) -> Corner {
        let (i, j) = (k % MESH_NODES, k / MESH_NODES);
        let z = self.mesh.heights.get(k).copied().unwrap_or(1.0);
        let [x, y] = to_world(self.view, self.view.node_w(i, MESH_NODES), self.view.node_b(j, MESH_NODES));
        let light = self.mesh.lights.get(k).copied().unwrap_or(1.0);
        Corner { at: [x, y, z], t: self.mesh.levels.get(k).copied().unwrap_or(1.0), light }
    }

    /// The colour of band `band` of [`BANDS`], lit by the surface's slope (`light` in [0, 1]).
    fn colour(&self, band: usize, light: f64) -> Color32 {
        let [r, g, b] = band_colour(band as f64 / BANDS as f64);
        let k = (0.55 + 0.45 * light) as f32;
        let c = |v: f32| (v * k).min(255.0) as u8;
        Color32::from_rgb(c(r), c(g), c(b))
    }

    /// The mesh, farthest quads first, each of its two triangles cut along the band edges (the floor's contour
    /// levels) into pieces of one band's colour each, lit per vertex (egui blends a triangle's vertex colours), so
    /// the band edges are the level lines and the shading has no steps at the quads' edges.
    fn mesh_shape(&self) -> Shape {
        let mut mesh = Mesh::default();
        for quad in painter_order(&self.camera, self.view, &self.mesh.heights, [MESH_NODES, MESH_NODES]) {
            let corners = quad.map(|k| self.corner(k));
            for tri in [[corners[0], corners[1], corners[2]], [corners[0], corners[2], corners[3]]] {
                for piece in split_triangle(tri, BANDS) {
                    let base = mesh.vertices.len() as u32;
                    for c in &piece.corners {
                        let color = self.colour(piece.band, c.light);
                        mesh.vertices.push(Vertex { pos: self.project(c.at), uv: WHITE_UV, color });
                    }
                    // A fan over the convex piece.
                    for k in 1..piece.corners.len() as u32 - 1 {
                        mesh.indices.extend([base, base + k, base + k + 1]);
                    }
                }
            }
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
            size: crate::geometry::projection::fit_size([rect.width() as f64, rect.height() as f64]),
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

/// A run's path on the surface (lifted a little, so it reads over the mesh), only where it is over the mesh's
/// window: the parts outside are left out, and a ring marks each point where the path leaves the window.
fn paths_on(
    painter: &egui::Painter,
    scene: &Scene<'_>,
    surface: &LossSurface,
    run: &crate::worker::RunSnapshot,
    color: Color32,
) {
    let ([w0, w1], [b0, b1]) = (scene.view.w, scene.view.b);
    let inside = |w: f64, b: f64| (w0..=w1).contains(&w) && (b0..=b1).contains(&b);
    let width = scene.palette.stroke(2.0);
    let mut piece: Vec<Pos2> = Vec::new();
    let mut exits = Vec::new();
    let flush = |piece: &mut Vec<Pos2>| {
        if piece.len() > 1 {
            painter.add(Shape::line(std::mem::take(piece), Stroke::new(width, color)));
        }
        piece.clear();
    };
    for r in run.history.sample(400) {
        let (w, b) = (r.params.w, r.params.b);
        if !inside(w, b) {
            if let Some(&last) = piece.last() {
                exits.push(last);
            }
            flush(&mut piece);
            continue;
        }
        let p = scene.at(w, b, scene.mesh.scale.z(surface.loss(w, b)) + 0.01);
        if p.x.is_finite() && p.y.is_finite() {
            piece.push(p);
        }
    }
    flush(&mut piece);
    for at in exits {
        painter.circle_stroke(at, 5.0, Stroke::new(width.max(1.5), color));
        painter.circle_filled(at, 2.0, color);
    }
}

/// An axis of the box as drawn: its two ends on screen, its ticks (where, and the label), and its name.
type Axis<'a> = (Pos2, Pos2, Vec<(Pos2, String)>, &'a str);

/// The w, b and L axes along three edges of the box (w and b on the floor, L up the corner they share), each with
/// ticks at round values and their labels, and its name at its end.
fn axes_labels(painter: &egui::Painter, scene: &Scene<'_>, rect: Rect) {
    use crate::geometry::nice_ticks;
    let ([w0, w1], [b0, b1]) = (scene.view.w, scene.view.b);
    let (low, high) = (scene.mesh.scale.low, scene.mesh.scale.high);
    let color = scene.palette.weak_text;
    let size = if scene.palette.present { 15.0 } else { 11.5 };
    let font = egui::FontId::proportional(size);
    let stroke = Stroke::new(scene.palette.stroke(1.0), color);
    // Labels sit a little outside their tick, away from the view's centre, so the surface does not cover them.
    let centre = rect.center();
    let text = |p: Pos2, out: f32, text: &str| {
        let at = p + (p - centre).normalized() * out;
        if rect.contains(at) {
            painter.text(at, egui::Align2::CENTER_CENTER, text, font.clone(), color);
        }
    };
    let z_of = |l: f64| if high > low { (l - low) / (high - low) } else { 0.0 };
    let axes: [Axis<'_>; 3] = [
        (
            scene.at(w0, b0, 0.0),
            scene.at(w1, b0, 0.0),
            nice_ticks(w0, w1, 5.0).into_iter().map(|(v, s)| (scene.at(v, b0, 0.0), s)).collect(),
            "w",
        ),
        (
            scene.at(w0, b0, 0.0),
            scene.at(w0, b1, 0.0),
            nice_ticks(b0, b1, 5.0).into_iter().map(|(v, s)| (scene.at(w0, v, 0.0), s)).collect(),
            "b",
        ),
        (
            scene.at(w0, b0, 0.0),
            scene.at(w0, b0, 1.0),
            nice_ticks(low, high, 4.0).into_iter().map(|(v, s)| (scene.at(w0, b0, z_of(v)), s)).collect(),
            "L",
        ),
    ];
    // A tick's label only where it keeps clear of every label drawn before, on its axis (a foreshortened axis has no
    // room for all) and on the others (the three axes meet at one corner).
    let mut drawn: Vec<Pos2> = Vec::new();
    for (from, to, ticks, name) in axes {
        painter.line_segment([from, to], stroke);
        for (at, label) in ticks {
            let out = (at - centre).normalized();
            painter.line_segment([at, at + out * 5.0], stroke);
            if drawn.iter().all(|p| p.distance(at) >= 2.2 * size) {
                text(at, 16.0 + 2.0 * label.len() as f32, &label);
                drawn.push(at);
            }
        }
        text(to, 34.0, name);
    }
}
