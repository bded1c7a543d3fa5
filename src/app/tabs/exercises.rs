//! The Exercises tab: an exercise drawn from a seed ([`crate::engine::exercise`]), its question and data, an answer
//! typed (or, for the next weight, dragged as a ghost point on the loss; for the learning rates, set by a slider),
//! graded exactly and explained with the same text as `descent exercise`, and a streak of right answers.
//!
//! Left: the kind, "New exercise", the seed (type one a teacher handed out), the question and the answer. Right: the
//! verdict, and a small plot: the loss L(w) for the next weight, the data otherwise. Under the answer: "Export
//! sheet…", a printable sheet of N exercises from the seed shown and its answer key, as `descent exercise --sheet`
//! writes them.

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, MarkerShape, Plot, PlotPoints, Points};

use crate::app::explain::Explain;
use crate::app::jobs::ExportKind;
use crate::app::state::Action;
use crate::app::tabs::TabView;
use crate::app::theme::Palette;
use crate::app::view::ViewCtx;
use crate::engine::exercise::{Exercise, ExerciseKind, Grade};
use crate::explain::topics::Topic;
use crate::format;
use crate::worker::RunSnapshot;

/// What the tab keeps between frames.
#[derive(Debug, Default)]
pub struct ExercisesState {
    /// The kind the next exercise is drawn as.
    pub kind: ExerciseKind,
    /// The exercise shown (drawn when the tab is first shown).
    pub exercise: Option<Exercise>,
    /// The seed field's text.
    pub seed_text: String,
    /// The answer field's text.
    pub input: String,
    /// The verdict on the last answer checked (or a note that the answer is not a number).
    pub grade: Option<Result<Grade, String>>,
    /// Right answers in a row (one per exercise).
    pub streak: u32,
    /// The longest streak.
    pub best: u32,
    /// The exercise already counted in the streak (one right answer counts once).
    counted: bool,
    /// The lr slider's value.
    pub slider: f64,
    /// The ghost point's w on the loss plot (next weight).
    pub ghost: Option<f64>,
    /// Exercises drawn so far (mixed into the fresh seeds).
    drawn: u64,
    /// The kinds answered right so far, each once (a lesson's `exercise-solved` check reads them).
    pub solved: Vec<ExerciseKind>,
    /// The number of exercises an exported sheet holds (0 until the tab is first shown: then [`SHEET_SIZE`]).
    pub sheet_size: u16,
    /// An exported sheet holds only the current kind (otherwise every kind in turn).
    pub sheet_one_kind: bool,
}

/// The number of exercises an exported sheet holds at first.
pub const SHEET_SIZE: u16 = 10;

impl ExercisesState {
    /// Shows the exercise of the current kind drawn from `seed`, with a fresh answer.
    pub fn load(&mut self, seed: u64) {
        let e = Exercise::generate(self.kind, seed);
        self.seed_text = seed.to_string();
        self.input.clear();
        self.grade = None;
        self.counted = false;
        self.ghost = None;
        // A neutral start that gives nothing away.
        self.slider = 0.1;
        self.exercise = Some(e);
        self.drawn += 1;
    }

    /// A new exercise from a fresh seed (short, so it can be read out and typed).
    pub fn new_exercise(&mut self) {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let mixed = (nanos ^ self.drawn.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        self.load((mixed >> 11) % 1_000_000);
    }

    /// Grades the typed answer; a right one counts once in the streak, a wrong one ends it.
    pub fn check(&mut self) {
        let Some(e) = &self.exercise else {
            return;
        };
        let text = self.input.trim();
        let given = match crate::number::parse(text) {
            Ok(v) => v,
            Err(r) => {
                self.grade = Some(Err(format!("{r}: type a number, like 0.125, 1/15 or 2e-3")));
                return;
            }
        };
        let g = e.grade(given);
        if g.correct && !self.solved.contains(&e.kind) {
            self.solved.push(e.kind);
        }
        if g.correct && !self.counted {
            self.streak += 1;
            self.best = self.best.max(self.streak);
            self.counted = true;
        } else if !g.correct {
            self.streak = 0;
        }
        self.grade = Some(Ok(g));
    }
}

/// The tab.
pub fn exercises_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    if state.exercise.is_none() {
        state.new_exercise();
    }
    if ui.available_width() < TWO_COLUMNS_MIN_WIDTH {
        // Too narrow for two columns (a lesson's tab beside its plots): one under the other, never on each other.
        left_ui(ui, state, ctx, actions);
        verdict_ui(ui, state, ctx.palette, ctx);
        plot_ui(ui, state, ctx);
        return;
    }
    ui.columns(2, |cols| {
        left_ui(&mut cols[0], state, ctx, actions);
        // The verdict on top of the right column, where it is seen without scrolling; the plot below it.
        verdict_ui(&mut cols[1], state, ctx.palette, ctx);
        plot_ui(&mut cols[1], state, ctx);
    });
}

/// The narrowest tab body that has the question and the plot side by side, in points.
const TWO_COLUMNS_MIN_WIDTH: f32 = 720.0;

fn left_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    header_ui(ui, state, ctx);
    let Some(e) = &state.exercise else {
        return;
    };
    let weak = ctx.palette.weak_text;
    let question = ui.label(RichText::new(&e.question).size(13.0));
    let [xs, ys] = e.data_lines();
    let data = ui.label(RichText::new(format!("{xs}\n{ys}\n{}", e.settings_line())).monospace().small().color(weak));
    question.union(data).explain(ctx.explain, Topic::ExerciseQuestion);
    answer_ui(ui, state, ctx);
    sheet_ui(ui, state, ctx, actions);
}

/// The kind, "New exercise", the seed and the streak.
fn header_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>) {
    // Wraps rather than running into the column beside it.
    ui.horizontal_wrapped(|ui| {
        let mut kind = state.kind;
        let combo = egui::ComboBox::from_id_salt("exercise kind").selected_text(kind.label()).show_ui(ui, |ui| {
            for k in ExerciseKind::ALL {
                ui.selectable_value(&mut kind, k, k.label());
            }
        });
        combo.response.explain(ctx.explain, Topic::ExerciseKind);
        if kind != state.kind {
            state.kind = kind;
            state.new_exercise();
        }
        if ui.button("New exercise").explain(ctx.explain, Topic::NewExercise).clicked() {
            state.new_exercise();
        }
        let label = ui.label("seed");
        let seed = ui.add(egui::TextEdit::singleline(&mut state.seed_text).desired_width(64.0)).labelled_by(label.id);
        let seed = seed.explain(ctx.explain, Topic::ExerciseSeed);
        if seed.changed()
            && let Ok(s) = state.seed_text.trim().parse::<u64>()
        {
            let text = state.seed_text.clone();
            state.load(s);
            state.seed_text = text;
        }
        let streak = format!("streak {} · best {}", state.streak, state.best);
        ui.label(RichText::new(streak).strong().color(ctx.palette.optimum)).explain(ctx.explain, Topic::ExerciseStreak);
    });
}

/// The answer field, "Check", and for the learning rates a slider that fills the field.
fn answer_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>) {
    let kind = state.exercise.as_ref().map_or(state.kind, |e| e.kind);
    let mut check = false;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("answer");
        let field = egui::TextEdit::singleline(&mut state.input).hint_text("a number").desired_width(110.0);
        let field = ui.add(field).labelled_by(label.id).explain(ctx.explain, Topic::ExerciseAnswer);
        check |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        check |= ui.button("Check").explain(ctx.explain, Topic::ExerciseAnswer).clicked();
        if matches!(kind, ExerciseKind::CriticalLr | ExerciseKind::OneStepLr) {
            let slider = egui::Slider::new(&mut state.slider, 1e-3..=100.0).logarithmic(true).text("lr");
            let slider = ui.add(slider).explain(ctx.explain, Topic::ExerciseLrSlider);
            if slider.changed() {
                state.input = format::rounded_repr(state.slider, 4, false);
            }
        }
    });
    if check {
        state.check();
    }
}

/// "Sheet of N exercises from seed S, [this kind only], Export sheet…": asks for a path, where the sheet and its key
/// are written (the export runs as a job, see `App::export_to`).
fn sheet_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>, actions: &mut Vec<Action>) {
    let Some(seed) = state.exercise.as_ref().map(|e| e.seed) else {
        return;
    };
    if state.sheet_size == 0 {
        state.sheet_size = SHEET_SIZE;
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("sheet of");
        let max = crate::engine::sheet::MAX_EXERCISES as u16;
        let size = ui.add(egui::DragValue::new(&mut state.sheet_size).range(1..=max)).labelled_by(label.id);
        size.explain(ctx.explain, Topic::ExerciseSheet);
        ui.label(format!("exercises from seed {seed}"));
        let only = format!("{} only", state.kind.label());
        ui.checkbox(&mut state.sheet_one_kind, only).explain(ctx.explain, Topic::ExerciseSheet);
        if ui.button("Export sheet…").explain(ctx.explain, Topic::ExerciseSheet).clicked() {
            let kind = state.sheet_one_kind.then_some(state.kind);
            actions.push(Action::SaveDialog(ExportKind::ExerciseSheet { n: state.sheet_size, seed, kind }));
        }
    });
}

/// Right or wrong, and the worked explanation.
fn verdict_ui(ui: &mut Ui, state: &ExercisesState, palette: Palette, ctx: &ViewCtx<'_>) {
    let Some(grade) = &state.grade else {
        return;
    };
    let response = match (grade, &state.exercise) {
        (Ok(g), Some(e)) => {
            let color = if g.correct { palette.converged } else { palette.diverged };
            let verdict = ui.label(RichText::new(&g.verdict).strong().color(color));
            let why = ui.label(RichText::new(format!("why: {}", e.explanation)).small());
            verdict.union(why)
        }
        (Err(note), _) => ui.label(RichText::new(note).color(palette.warning)),
        (Ok(_), None) => return,
    };
    response.explain(ctx.explain, Topic::ExerciseVerdict);
}

/// The plot beside the question: the loss with the ghost for the next weight, the data otherwise.
fn plot_ui(ui: &mut Ui, state: &mut ExercisesState, ctx: &ViewCtx<'_>) {
    let Some(e) = &state.exercise else {
        return;
    };
    let height = ui.available_height().clamp(80.0, 200.0);
    if e.kind == ExerciseKind::NextWeight {
        if let Some(w) = loss_plot_ui(ui, e, state.ghost, (height, ctx)) {
            state.ghost = Some(w);
            state.input = format::rounded_repr(w, 4, false);
        }
    } else {
        let answer = crate::number::parse(&state.input).ok();
        scatter_ui(ui, e, answer, (height, ctx));
    }
}

/// The points' colour, legible on both themes.
fn point_color(palette: Palette) -> Color32 {
    if palette.dark { Color32::from_rgb(170, 180, 200) } else { Color32::from_rgb(90, 100, 120) }
}

/// L(w) at b = b₀ with the start and the ghost point; returns where the ghost was dragged or clicked to.
fn loss_plot_ui(ui: &mut Ui, e: &Exercise, ghost: Option<f64>, (height, ctx): (f32, &ViewCtx<'_>)) -> Option<f64> {
    let (w0, b0) = (e.w0.unwrap_or(0.0), e.b0.unwrap_or(0.0));
    let wstar = crate::engine::analysis::fit(&e.x, &e.y, e.bias, crate::engine::loss::Loss::Mse).w;
    let span = (w0 - wstar).abs().max(0.5);
    let (lo, hi) = (w0.min(wstar) - 0.6 * span, w0.max(wstar) + 0.6 * span);
    let curve: Vec<[f64; 2]> =
        (0..=120).map(|i| lo + (hi - lo) * f64::from(i) / 120.0).map(|w| [w, e.loss_at(w, b0)]).collect();
    let palette = ctx.palette;
    let plot = Plot::new("exercise-loss")
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .x_axis_label("w")
        .show(ui, |p| {
            p.line(Line::new("L(w)", PlotPoints::from(curve)).color(palette.curve));
            p.points(Points::new("w₀", vec![[w0, e.loss_at(w0, b0)]]).radius(5.0).color(palette.tangent));
            if let Some(g) = ghost {
                let ghost = Points::new("your w₁", vec![[g, e.loss_at(g, b0)]]);
                p.points(ghost.shape(MarkerShape::Circle).filled(false).radius(7.0).color(palette.optimum));
            }
        });
    ctx.explain.plot(
        &plot,
        Topic::ExerciseLossPlot,
        &[("w₀", Topic::ExerciseLossPlot), ("your w₁", Topic::ExerciseLossPlot)],
    );
    let r = &plot.response;
    if !(r.dragged() || r.clicked()) {
        return None;
    }
    r.interact_pointer_pos().map(|pos| plot.transform.value_from_position(pos).x.clamp(lo, hi))
}

/// The data, with the line of the typed slope for the optimum (the best line of that slope, through the mean).
fn scatter_ui(ui: &mut Ui, e: &Exercise, answer: Option<f64>, (height, ctx): (f32, &ViewCtx<'_>)) {
    let points: Vec<[f64; 2]> = e.x.iter().zip(&e.y).map(|(&x, &y)| [x, y]).collect();
    let (lo, hi) = e.x.iter().fold((0.0f64, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    let palette = ctx.palette;
    let plot = Plot::new("exercise-data")
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .show(ui, |p| {
            p.points(Points::new("data", points).radius(4.0).color(point_color(palette)));
            if let (ExerciseKind::Optimum, Some(w)) = (e.kind, answer) {
                let n = e.x.len().max(1) as f64;
                let b = if e.bias { (e.y.iter().sum::<f64>() - w * e.x.iter().sum::<f64>()) / n } else { 0.0 };
                let line = vec![[lo, w * lo + b], [hi, w * hi + b]];
                p.line(Line::new("your w", PlotPoints::from(line)).color(palette.optimum));
            }
        });
    ctx.explain.plot(&plot, Topic::ExercisePlot, &[("data", Topic::ExercisePlot)]);
}

impl TabView for ExercisesState {

    fn label(&self) -> &'static str {
        "Exercises"
    }

    fn tip(&self) -> &'static str {
        "Exercises drawn from a seed: the next weight, the critical or one-step lr, the steps to a tolerance, the optimum. Type (or drag) an answer; it is graded exactly and explained."
    }

    fn topic(&self) -> Topic {
        Topic::Exercises
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &ViewCtx<'_>, _run: &RunSnapshot, actions: &mut Vec<Action>) {
        exercises_ui(ui, self, ctx, actions);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
