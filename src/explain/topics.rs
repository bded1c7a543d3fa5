//! What each thing on the app's screen is: a stable [`Topic`] per control, plot, plot mark and readout, with a
//! title, its formula, a plain-words explanation (the ordinary tooltip) and its value now. The app's tooltips and its
//! explain mode both read from here, so a control says the same thing in both.

use super::{RunState, why};
use crate::engine::model::Params;
use crate::engine::optim::LineSearch;
use crate::format;

/// What a topic's value is read from: the selected run and the display.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    /// The selected run.
    pub run: RunState<'a>,
    /// Where its next step lands, when known.
    pub next: Option<Params<f64>>,
    /// Its last recorded step (the timeline's end).
    pub last_step: u64,
    /// The timeline's step (`None`: live).
    pub scrub: Option<u64>,
    /// The number of runs.
    pub runs: usize,
    /// The number of samples.
    pub samples: usize,
    /// The speed setting (steps per second; `None`: unlimited).
    pub speed: Option<f64>,
    /// Steps per second measured.
    pub measured: f64,
    /// The display toggles: log loss, theory, tangent, next step, batches, dark theme, explain mode.
    pub switches: [bool; 7],
}

/// What a topic says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    /// Its name.
    pub title: &'static str,
    /// Its formula ("" when it has none).
    pub formula: &'static str,
    /// What it is and does, in plain words: the ordinary tooltip.
    pub text: &'static str,
}

macro_rules! topics {
    ($($name:ident => $title:literal, $formula:literal, $text:literal;)*) => {
        /// Everything on screen that has an explanation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Topic {
            $(#[doc = $title] $name,)*
        }

        impl Topic {
            /// Every topic.
            pub const ALL: &[Topic] = &[$(Topic::$name,)*];

            /// Its title, formula and explanation.
            pub fn info(self) -> Info {
                match self {
                    $(Topic::$name => Info { title: $title, formula: $formula, text: $text },)*
                }
            }
        }
    };
}

topics! {
    // The menu bar and the toolbar.
    Lessons => "Lessons", "", "Guided lessons: each page sets up runs, asks for something to do or answer, and shows ✓ once it is done. Open one from the Lessons menu or with --lesson; teachers write their own as TOML files (docs/LESSONS.md).";
    Files => "File and Export", "", "Open data or a saved session, save the session, export the runs as CSV or JSON, the window or a plot as PNG, a run as a GIF.";
    App => "descent", "ŷ = w·x;  w ← w − lr·∇L", "Gradient descent, step by step: fit w in ŷ = w·x by following the slope of the loss down to its minimum.";
    Step => "Step", "w ← w − lr·∇L(w)", "Take one step: move w against the gradient, lr times its size. (S or →)";
    Step10 => "Step ×10", "10 × (w ← w − lr·∇L)", "Take ten steps at once (stops early at the minimum).";
    RunPause => "Run / Pause", "", "Run step after step at the chosen speed until the minimum is reached or the run diverges; press again to pause. (Space)";
    Reset => "Reset", "w ← w₀", "Back to the start point w₀ with a fresh optimizer; the trail is cleared. (R)";
    Speed => "Speed", "steps per second", "Steps per second while running: slow to follow each step (the point glides along the curve), \"max\" to run at full engine speed.";
    LogLoss => "Log loss", "y = log10 L", "Plot the loss on a logarithmic scale: a run that keeps a fixed share of its distance each step falls on a straight line. (L)";
    TheoryToggle => "Theory overlay", "w(k) = w* + (1 − lr·λ)^k·(w₀ − w*)", "Draw plain full-batch gradient descent's exact trajectory as a thin dashed line on the weight and loss plots.";
    TangentToggle => "Tangent", "slope = dL/dw", "Show the tangent line at the current point: its slope is the gradient dL/dw.";
    NextToggle => "Next step", "w_next = w − lr·dL/dw", "Show an arrow to where the next step will land.";
    BatchesToggle => "Batches", "L_B(w) = mean over the batch", "With a batch size set: draw each mini-batch's own loss curve faintly on the landscape.";
    Theme => "Theme", "", "Dark or light theme; every plot keeps its colours' meaning in both.";
    ExplainMode => "Explain mode", "F1", "Explain mode: hover anything to see what it is, its formula and its value now. F1 or this button turns it on and off.";
    // The settings panel.
    ResetDefaults => "Reset to defaults", "", "Restore every setting (learning rate, optimizer, data, start point, speed, display) to its default, and reset the run.";
    Lr => "Learning rate", "w ← w − lr·∇L", "How far each step moves against the gradient. It takes effect at the next step. Plain gradient descent falls smoothly below 1/λ, overshoots between 1/λ and 2/λ and diverges above 2/λ (λ = L″, the curvature). Keys: + and − multiply or divide it by 1.25.";
    StabilityMap => "Stability map", "smooth: lr < 1/λ · overshoots: lr < 2/λ · diverges: lr > 2/λ", "The learning rates under the slider, coloured by what plain gradient descent does there: the factor 1 − lr·λ is in (0, 1), in (−1, 0), or outside (−1, 1).";
    Optimizer => "Optimizer", "", "The update rule (torch.optim's exact formulas). Changing it keeps the current point and starts the new optimizer's state fresh.";
    Momentum => "Momentum μ", "v ← μ·v + g;  w ← w − lr·v", "Each step adds μ times the previous step. 0 is plain gradient descent; with momentum the distance shrinks by a root of z² − (1 + μ − lr·λ)z + μ per step.";
    Dampening => "Dampening τ", "v ← μ·v + (1 − τ)·g", "Scales the new gradient's share of the momentum by (1 − τ).";
    Nesterov => "Nesterov", "w ← w − lr·(g + μ·v)", "Nesterov momentum: look ahead along the momentum before taking the gradient. Needs momentum > 0 and dampening 0.";
    LrDecay => "lr decay", "lr(t) = lr / (1 + (t − 1)·decay)", "Adagrad's learning rate shrinks with the step count t.";
    InitialAccumulator => "Initial accumulator", "s ← s + g², starting at this value", "Starting value of Adagrad's running sum of squared gradients.";
    Alpha => "Smoothing α", "s ← α·s + (1 − α)·g²", "How slowly RMSprop's running mean of squared gradients forgets (closer to 1: longer memory).";
    Centered => "Centered", "s − (mean g)²", "Divide by the running variance of the gradient instead of its running mean square.";
    Beta1 => "β₁", "m ← β₁·m + (1 − β₁)·g", "Memory of Adam's running mean of gradients (its momentum).";
    Beta2 => "β₂", "v ← β₂·v + (1 − β₂)·g²", "Memory of Adam's running mean of squared gradients (its per-parameter step size).";
    Amsgrad => "AMSGrad", "v_max ← max(v_max, v)", "Use the largest squared-gradient average seen so far, so steps never grow back.";
    WeightDecay => "Weight decay", "g ← g + wd·w", "Pulls the weights toward 0 each step (AdamW decouples it from the gradient); for SGD it adds wd to the curvature λ. AdamW's default is 0.01, the others' 0.";
    Eps => "ε", "step = lr·m / (√v + ε)", "Added to the denominator so a step never divides by zero.";
    Schedule => "Learning-rate schedule", "optimizer.step(); scheduler.step()", "A torch.optim.lr_scheduler that changes the lr after each update: step, multistep, exponential, multiplicative, cosine, cosine with warm restarts, linear, constant factor, polynomial, one cycle or cyclic (both also cycle the momentum or β₁) or reduce on plateau, optionally after a linear warm-up. Changing it starts the schedule afresh from the current step.";
    LineSearch => "Line search (Armijo)", "t ← lr; while L(w − t·g) > L(w) − c·t·‖g‖²: t ← ρ·t", "Plain gradient descent picks each step size itself: it starts at t = lr and shrinks it by ρ until the loss falls at least c·t·‖g‖² (the Armijo test). On the landscape: each rejected trial faint, the accepted one solid, and the Armijo line.";
    Standardize => "Standardize x", "x′ = (x − mean)/std  (no bias: x′ = x/rms)", "Run the optimizer on scaled inputs: a narrow valley becomes round (condition number 1 with a bias), so one lr suits every direction. The plots show the scaled problem; the fitted line and exports map w, b back to the original x.";
    ScheduleParams => "Schedule parameters", "torch's names and defaults", "The chosen scheduler's parameters, as torch names them. One cycle sets the lr itself, from max_lr, and cyclic from base_lr and max_lr; plateau watches the full-batch loss. The warm-up is torch's LinearLR(start_factor, 1, N), then the schedule as SequentialLR switches to it.";
    Start => "Start point", "w₀ (b₀)", "Where the run starts (the notebook starts at 0). Changing it resets the run. You can also click or drag on the landscape.";
    Objective => "Objective", "f(w, b): rosenbrock, beale, himmelblau, saddle, rastrigin or an expression", "Minimise a function of w and b directly instead of a loss over data: a classic test function or an expression you type (+ − * / ^, pi, e, sin cos tan exp log sqrt abs tanh sinh cosh asin acos atan sigmoid softplus log1p expm1 relu). Its gradient comes from autodiff or central differences; noise σ adds Gaussian noise to each step's gradient. Changing it restarts the run at its start.";
    Data => "Data", "(x, y) pairs", "The data the line ŷ = w·x (+ b) is fitted to: a preset or a CSV file. Changing it resets the run.";
    Bias => "Bias b", "ŷ = w·x + b", "Add an intercept b to the model. The landscape becomes a valley over (w, b), drawn as a contour map; it has two curvatures λmax and λmin. Changing it restarts the run.";
    Loss => "Loss", "MSE: mean (ŷ − y)² · MAE: mean |ŷ − y| · Huber", "The loss the run minimizes. MSE is a parabola in w with a fixed curvature; MAE is a V with none. Changing it restarts the run.";
    HuberDelta => "Huber's δ", "½r² for |r| ≤ δ, δ·(|r| − ½δ) beyond", "Residuals smaller than δ are squared, larger ones count linearly.";
    Gradient => "Gradient source", "∇L = mean of 2(w·x − y)·x", "Where the gradient that drives each step comes from. notebook-sum is the notebook's hand-written formula: a sum over samples, N times the true gradient of the mean loss. Changing it restarts the run.";
    Precision => "Precision", "f32: 24 bits · f64: 53 bits", "64-bit floats as the notebook's NumPy arrays, or 32-bit floats as its torch tensors: near the minimum an f32 update can fall below w's resolution and stall.";
    Batches => "Mini-batches", "g = mean of the batch's gradients", "Each step uses a random subset of the samples (shuffled each epoch, from the seed) instead of all of them: the gradient is noisy and does not vanish at the minimum.";
    Tolerance => "Tolerance", "stop when ‖∇L‖ ≤ tol", "The run stops as converged once the gradient's size falls to this value or below: since ‖∇L‖ ≈ λ·|w − w*| near the minimum, w is then within tol/λ of w*. Type a number and press Enter (0: never).";
    Optimum => "Optimum w*", "w* = Σxy / Σx² (MSE, no bias)", "The weight that minimizes the loss, in closed form (least squares for MSE).";
    MinLoss => "Minimum loss", "L* = L(w*)", "The loss at the optimum: 0 when the line fits every point.";
    Curvature => "Curvature λ", "λ = L″ (λmax: the Hessian's largest eigenvalue)", "The loss's second derivative as the update sees it. Near w* the gradient is λ·(w − w*), so a step multiplies the distance by 1 − lr·λ.";
    CriticalLr => "Critical learning rate", "2/λmax", "Plain gradient descent diverges above it: 1 − lr·λ falls below −1, so each overshoot is larger than the last.";
    MonotoneLr => "Smooth below", "1/λmax", "Below it 1 − lr·λ > 0: plain gradient descent approaches w* from one side without overshooting; at lr = 1/λ it lands in one step.";
    FastestLr => "Fastest lr", "2/(λmax + λmin)", "The learning rate with the fastest worst-case convergence of plain gradient descent (the two factors 1 − lr·λ balance).";
    Condition => "Condition number", "κ = λmax/λmin", "How elongated the valley is: an lr safe across the steep direction crawls along the shallow one, keeping 1 − lr·λmin per step.";
    Analysis => "Analysis", "w*, L*, λ, 2/λ, 1/λ, 2/(λmax + λmin)", "The closed forms of the run's problem: its optimum, the curvature λ and the learning rates at which plain gradient descent changes character.";
    // The run list.
    Runs => "Runs", "", "The runs, each with its own settings and colour; they all step together. The settings panel edits the selected one.";
    RunCard => "Run", "", "A run: its colour (the same in every plot), name and learning rate. Click the swatch to edit its settings; hide, solo, duplicate or remove it.";
    AddRun => "Add run", "", "A new run with the selected run's settings, to compare side by side (up to six).";
    Preset => "Preset", "", "Ready-made comparisons: the notebook's NumPy sum against PyTorch autograd, or a race of optimizers.";
    // The plots.
    Landscape => "Loss landscape", "L(w) = mean (w·x − y)²", "The loss for every w: gradient descent slides the current point downhill. Click or drag to pick a start point.";
    Surface3d => "3-D surface of L(w, b)", "height = L(w, b)", "The loss over (w, b) as a surface, coloured in height bands, with the contour map on the floor, every run's path on it and the optimum marked. Drag to turn it, scroll to zoom.";
    Contours => "Contours of L(w, b)", "L(w, b) = const", "With a bias the loss is a surface over (w, b), drawn as contour lines: the path crosses them at right angles, steepest across a narrow valley.";
    Point => "Current point", "(w, L(w))", "Where the run is now; it slides down the curve step by step.";
    Path => "Steps taken", "w(k+1) = w(k) − lr·∇L(w(k))", "The trail of earlier points, the latest joined by arrows: one arrow per step.";
    OptimumMark => "Optimum", "∇L(w*) = 0", "The minimum of the loss, where the gradient vanishes.";
    NextStep => "Next step", "w_next = w − lr·dL/dw", "Where the next step lands: the arrow from the current point.";
    NewtonModel => "Newton's quadratic model", "m(w′) = L + g·(w′ − w) + ½·H·(w′ − w)²", "The parabola with the loss's value, slope and curvature at the current point. Newton jumps to its minimum, w − g/H (times lr): on a quadratic loss the model is the loss, so it lands at once. Where H ≤ 0 the model has no minimum and Newton heads for a saddle or a maximum.";
    ArmijoTrials => "Line search trials", "L(w − t·g) ≤ L(w) − c·t·‖g‖²", "The step sizes the line search tried from the current point: each rejected one faint, the accepted one solid. The dashed line is the Armijo bound L(w) − c·t·‖g‖²: a trial passes when it lies below it.";
    Tangent => "Tangent", "slope = dL/dw", "The tangent at the current point: its slope is the gradient the step follows.";
    StartMark => "Start", "(w₀, L(w₀))", "Where the run started.";
    LossPlot => "Loss vs step", "L(k) = L(w(k))", "The loss after each step, on a log or linear scale (L to toggle): a straight line on the log scale means a fixed share kept per step. Dashed gold: the minimum loss; thin dashed: the theory.";
    LossCurve => "Loss curve", "L(w(k))", "The run's loss at each step, in its colour.";
    WeightsPlot => "Weight vs step", "w(k) → w*", "The weight (and the bias, dashed) after each step, against the optimum (dashed gold).";
    WeightLine => "Weight curve", "w(k) = w* + (1 − lr·λ)^k·(w₀ − w*)", "The run's weight at each step: plain GD approaches w* by a factor 1 − lr·λ per step.";
    Timeline => "Timeline", "step k of n", "Drag to see every run as it stood at step k; Live returns to now; Branch starts a run from there.";
    Banner => "Outcome", "", "The selected run's outcome (minimum reached, stalled, diverged) and every run's, with what to do next.";
    Why => "Why", "factor = 1 − lr·λ", "Why the run moves as it does, from the closed forms of the linear model.";
    // The tabs below the plots.
    Tabs => "Tabs", "", "More views of the selected run below the plots: the gradient check, the learning-rate sweep, the notebook's printout and the data. The arrow folds the strip.";
    GradientCheck => "Gradient check", "numeric: (L(w + h) − L(w − h)) / 2h", "The gradient at the current point from four sources side by side (hand-derived, autodiff, finite differences, the notebook's sum), and the autodiff graph of the loss: each operation recorded on the tape, then backward.";
    LrSweep => "Learning-rate sweep", "steps to ‖∇L‖ ≤ tol, for lr across its range", "The current settings run at ~200 learning rates: how many steps each needs to reach the tolerance, and where it ends. The fastest sits near 1/λ (2/(λmax + λmin) with a bias); past 2/λ runs diverge. Click a point to use its lr.";
    NotebookLog => "Notebook log", "", "The run printed the way the notebook prints it, step by step.";
    Ledger => "Step ledger", "w ← w − lr·g, in the optimizer's own rule", "The update at the timeline's step written out as torch computes it, every number plugged in: the gradient, the optimizer's state before and after, and the new weight, which equals the next row's bit for bit.";
    Inside => "Inside the optimizer", "m_hat = m/(1 − β₁^t) · √v_hat = √(v/(1 − β₂^t))", "What each optimizer carries from step to step, and the step it takes against lr·|g|, for every run.";
    CarriedPlot => "What it carries", "buf ← μ·buf + g · m ← β₁·m + (1 − β₁)·g · v ← β₂·v + (1 − β₂)·g²", "The optimizer's state after each step, for w (b dashed): momentum buffer, Adagrad's √sum, RMSprop's √square_avg, Adam's m_hat and √v_hat. Plain SGD carries nothing.";
    LrSchedulePlot => "lr schedule", "lr(k), and the cycled momentum or β₁ (dashed)", "The learning rate each update used, on a log scale, as the schedule set it (flat without one); dashed, the momentum or β₁ that OneCycleLR or CyclicLR cycles.";
    StepSizePlot => "Step taken vs lr·|g|", "|w(k+1) − w(k)| against lr·|g(k)|", "Solid: the step each update took; dotted: the step plain gradient descent would take from the same gradient. Adam's steps stay near lr whatever the gradient's size; momentum's grow past lr·|g|.";
    Phase => "Momentum phase plane", "ρ = largest |z|: z² − (1 + μ − lr·λ)z + μ = 0", "Momentum SGD on one parameter: the path in (w − w*, buffer) and how fast each momentum μ closes the distance, plain momentum against Nesterov.";
    PhasePath => "Phase path", "(w − w*, buf), buf ← μ·buf + g", "The run's error against its momentum buffer, step by step: under-damped runs spiral into the minimum at the origin, over-damped ones slide in.";
    FairRace => "Fair race", "each run at its own best lr", "Every run's learning rate tuned by a sweep of its own settings (48 lrs from 1e-4 to 1), under fewest steps to the tolerance or lowest loss after K steps; the curves, the rankings under both criteria, and a race at the tuned lrs.";
    Basins => "Basins of attraction", "each start (w₀, b₀) → the minimum its run reaches", "The run's settings started from every cell of a grid, each cell coloured by where its run ends: which minimum, diverged (dark red) or unfinished (grey). Momentum and Adam move the boundaries. Click a cell to start the run there.";
    BetaStrip => "μ strip", "critical μ = (1 − √(lr·λ))²", "The per-step factor ρ for every momentum μ at this lr·λ: below the critical μ the roots are real (no spiral), above it complex (a spiral of modulus √μ). Dashed: Nesterov, whose look-ahead damps the swing.";
    DataTab => "Data", "ŷ = w·x (+ b) against the points", "The data points the line is fitted to: drag, add and remove points; every edit restarts every run.";
    // The Exercises tab.
    Exercises => "Exercises", "descent exercise --kind K --seed S --answer A", "Exercises drawn from a seed, on a handful of points: the next weight, the critical or one-step lr, the steps to a tolerance, the optimum w*. Answers are graded exactly and explained with the numbers, as the command does.";
    ExerciseKind => "Exercise kind", "", "What the exercise asks: w after one update, the critical lr 2/λmax, the one-step lr 1/λ, the updates until |∂L/∂w| ≤ tol, or the least-squares w*. Choosing one draws a new exercise.";
    NewExercise => "New exercise", "", "Draw a new exercise of this kind from a fresh seed.";
    ExerciseSeed => "Seed", "same seed → same exercise", "The seed the data and settings were drawn from: hand it out and everyone gets the same exercise (here or with descent exercise --seed). Type one to load it.";
    ExerciseQuestion => "Question", "L = (1/n)·Σ(ŷ − y)²", "The question, the data (x and y as lists) and the settings it gives (lr, w0, b0, tol): plain full-batch gradient descent on the mean squared error.";
    ExerciseAnswer => "Your answer", "right when |A − answer| ≤ accept", "Type a number and press Enter or Check: it is right within one unit of the answer's 4th significant digit (a count of steps must be exact).";
    ExerciseLrSlider => "lr slider", "", "Set a learning rate by sliding (log scale): it fills the answer field; Check grades it.";
    ExerciseVerdict => "Verdict", "", "Right or wrong, the exact answer, and why: the formula with the numbers plugged in (the same text as descent exercise --answer).";
    ExerciseStreak => "Streak", "", "Right answers in a row, one per exercise; a wrong answer starts it again. Best: the longest so far.";
    ExerciseLossPlot => "Loss over w", "L(w) at b = b₀; w₀ and your w₁", "The loss of the exercise's data over w, the start w₀ on it, and your answer as a hollow ghost: click or drag on the plot to move it there (it fills the answer field).";
    ExercisePlot => "Exercise data", "", "The exercise's points; for the optimum, the best line of the slope you typed.";
    ExerciseSheet => "Exercise sheet", "descent exercise --sheet N --seed S", "Export a printable sheet of N numbered exercises drawn from this seed (this kind only, or every kind in turn) as an HTML page, and its answer key with each worked solution beside it (name-key.html). The same as descent exercise --sheet N --seed S --out PATH --key KEY, which also grades a class's answers with --grade.";
    // The status line.
    State => "State", "", "ready: not started · running · paused · converged: ‖∇L‖ ≤ tolerance · diverged: the loss blew up.";
    StepCount => "Step", "k", "Updates applied so far.";
    Weight => "Weight w", "w", "The current weight (and bias b with a bias).";
    LossNow => "Loss", "L = mean (ŷ − y)²", "The mean loss over all samples.";
    GradNorm => "Gradient size", "‖∇L‖", "The size of the gradient the step uses; the run converges once it is at most the tolerance.";
    LrNow => "lr", "lr", "The learning rate in force.";
    Rate => "Measured speed", "steps/s", "Steps per second measured by the training thread over the last second.";
}

impl Topic {
    /// A stable name for the topic (its variant's name).
    pub fn id(self) -> String {
        format!("{self:?}")
    }

    /// The ordinary tooltip.
    pub fn tip(self) -> &'static str {
        self.info().text
    }

    /// Its value now, for the selected run; `None` when it has none.
    pub fn value(self, f: &Facts<'_>) -> Option<String> {
        self.control_value(f).or_else(|| self.view_value(f))
    }

    /// The value of a control or setting (`None` for the other topics).
    fn control_value(self, f: &Facts<'_>) -> Option<String> {
        let (s, r) = (f.run.settings, f.run.record);
        let o = &s.optimizer;
        let on = |i: usize| if f.switches[i] { "on" } else { "off" }.to_string();
        let v = format::short;
        Some(match self {
            Topic::Step | Topic::Step10 | Topic::StepCount => format!("step {}", r.step),
            Topic::RunPause | Topic::State | Topic::Banner => status_text(f.run.status),
            Topic::Reset | Topic::Start | Topic::StartMark => start_text(s.w0, s.b0, s.bias),
            Topic::Speed => f.speed.map_or_else(|| "max".into(), |x| format!("{} steps/s", v(x))),
            Topic::LogLoss => on(0),
            Topic::TheoryToggle => on(1),
            Topic::TangentToggle => on(2),
            Topic::NextToggle => on(3),
            Topic::BatchesToggle => on(4),
            Topic::Theme => if f.switches[5] { "dark" } else { "light" }.into(),
            Topic::ExplainMode => on(6),
            Topic::Lr | Topic::LrNow | Topic::StabilityMap => lr_text(f),
            Topic::Optimizer => o.kind.label().into(),
            Topic::Momentum => format!("μ = {}", v(o.momentum)),
            Topic::Dampening => format!("τ = {}", v(o.dampening)),
            Topic::Nesterov => on_off(o.nesterov),
            Topic::LrDecay => v(o.lr_decay),
            Topic::InitialAccumulator => v(o.initial_accumulator_value),
            Topic::Alpha => format!("α = {}", v(o.alpha)),
            Topic::Centered => on_off(o.centered),
            Topic::Beta1 => format!("β₁ = {}", v(o.beta1)),
            Topic::Beta2 => format!("β₂ = {}", v(o.beta2)),
            Topic::Amsgrad => on_off(o.amsgrad),
            Topic::LineSearch | Topic::ArmijoTrials => {
                format!("{}, c = {}, ρ = {}", on_off(o.line_search != LineSearch::None), v(o.armijo_c), v(o.backtrack))
            }
            Topic::Standardize => on_off(s.standardize),
            Topic::NewtonModel => format!(
                "lr = {}: the step lands {}",
                v(o.lr),
                if o.lr == 1.0 { "on the model's minimum" } else { "part of the way" }
            ),
            Topic::WeightDecay => v(o.weight_decay()),
            Topic::Eps if !o.is_sgd_family() => format!("ε = {}", format::sci(o.eps(), 1)),
            Topic::Objective => {
                s.objective.as_ref().map_or_else(|| "none: the loss over the data".into(), |o| o.describe())
            }
            Topic::Data => format!("{} samples", f.samples),
            Topic::Bias => on_off(s.bias),
            Topic::Loss => s.loss.label().into(),
            Topic::HuberDelta => format!("δ = {}", v(s.huber_delta)),
            Topic::Gradient => s.gradient.label().into(),
            Topic::Precision => s.precision.label().into(),
            Topic::Batches => s
                .batch_size
                .map_or_else(|| "full batch".into(), |b| format!("{b} of {} samples, seed {}", f.samples, s.seed)),
            Topic::Tolerance => {
                f.run.tolerance.map_or_else(|| "none".into(), |t| format!("tol = {}", format::sci(t, 1)))
            }
            _ => return None,
        })
    }

    /// The value of an analysis, a plot, a mark or a tab (`None` for the other topics).
    fn view_value(self, f: &Facts<'_>) -> Option<String> {
        let (s, a, r) = (f.run.settings, f.run.analysis, f.run.record);
        let o = &s.optimizer;
        let v = format::short;
        Some(match self {
            Topic::Optimum | Topic::OptimumMark => {
                start_text(a.optimum.w, a.optimum.b, s.bias).replace("w₀", "w*").replace("b₀", "b*")
            }
            Topic::MinLoss => format!("L* = {}", format::sci(a.min_loss, 3)),
            Topic::Curvature | Topic::Analysis => curvature_text(f),
            Topic::CriticalLr => a.critical_lr.map(|c| format!("2/λmax = {}", v(c)))?,
            Topic::MonotoneLr => a.monotone_lr.map(|c| format!("1/λmax = {}", v(c)))?,
            Topic::FastestLr => a.optimal_lr.map(|c| format!("2/(λmax + λmin) = {}", v(c)))?,
            Topic::Condition => a.condition_number.map(|c| format!("κ = {}", v(c)))?,
            Topic::RunCard | Topic::AddRun | Topic::Preset | Topic::Runs => {
                format!("{} run{}", f.runs, if f.runs == 1 { "" } else { "s" })
            }
            Topic::LossPlot | Topic::LossCurve | Topic::LossNow => format!("L = {}", format::sci(r.loss, 4)),
            Topic::Landscape | Topic::Point => {
                format!("w = {}, L = {}", format::sig(r.params.w, 6), format::sci(r.loss, 3))
            }
            Topic::Contours | Topic::Surface3d => {
                format!("w = {}, b = {}", format::sig(r.params.w, 6), format::sig(r.params.b, 6))
            }
            Topic::Path => format!("{} steps", r.step),
            Topic::NextStep => f.next.map(|p| format!("w_next = {}", format::sig(p.w, 6)))?,
            Topic::Tangent | Topic::GradNorm => {
                format!("dL/dw = {}, ‖∇L‖ = {}", format::sci(r.grad.w, 3), format::sci(r.grad.norm(), 3))
            }
            Topic::WeightsPlot | Topic::WeightLine | Topic::Weight => weight_text(f),
            Topic::Timeline => format!("step {} of {}", f.scrub.unwrap_or(f.last_step).min(f.last_step), f.last_step),
            Topic::Why => why(&f.run).short,
            Topic::Rate => format::rate(f.measured),
            Topic::GradientCheck => {
                format!("dL/dw = {} at w = {}", format::sci(r.grad.w, 4), format::sig(r.params.w, 6))
            }
            Topic::LrSweep => format!("lr = {}", v(o.lr)),
            Topic::NotebookLog | Topic::Ledger => format!("step {}", f.scrub.unwrap_or(f.last_step).min(f.last_step)),
            Topic::Inside | Topic::CarriedPlot | Topic::StepSizePlot | Topic::Basins | Topic::FairRace => {
                o.kind.label().into()
            }
            Topic::LrSchedulePlot | Topic::Schedule | Topic::ScheduleParams => {
                format!("{} ({})", s.schedule.label(), s.schedule.kind.torch_name())
            }
            Topic::Phase | Topic::PhasePath | Topic::BetaStrip => momentum_text(f),
            Topic::DataTab => format!("{} samples", f.samples),
            Topic::App => format!("{} · {}", o.kind.label(), s.loss.label()),
            Topic::Exercises
            | Topic::ExerciseKind
            | Topic::NewExercise
            | Topic::ExerciseSeed
            | Topic::ExerciseQuestion
            | Topic::ExerciseAnswer
            | Topic::ExerciseLrSlider
            | Topic::ExerciseVerdict
            | Topic::ExerciseStreak
            | Topic::ExerciseLossPlot
            | Topic::ExercisePlot
            | Topic::ExerciseSheet => return None,
            Topic::ResetDefaults | Topic::Eps | Topic::Files | Topic::Tabs | Topic::Lessons => return None,
            _ => return None,
        })
    }
}

/// The momentum phase plane's numbers: lr·λ, μ, and the two rates.
fn momentum_text(f: &Facts<'_>) -> String {
    use crate::engine::analysis::momentum::{heavy_ball_rate, nesterov_rate};
    let o = &f.run.settings.optimizer;
    let a = o.lr * (1.0 - o.dampening) * f.run.analysis.curvature_max;
    format!(
        "lr·λ = {}, μ = {}: ρ = {} plain, {} Nesterov",
        format::short(a),
        format::short(o.momentum),
        format::sig(heavy_ball_rate(a, o.momentum), 4),
        format::sig(nesterov_rate(a, o.momentum), 4)
    )
}

fn status_text(status: crate::engine::trainer::Status) -> String {
    use crate::engine::trainer::Status;
    match status {
        Status::Running => "running or ready".into(),
        Status::Converged { step, .. } => format!("converged at step {step}"),
        Status::Diverged { step, why } => format!("{} at step {step}", why.verb()),
    }
}

fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.into()
}

fn start_text(w: f64, b: f64, bias: bool) -> String {
    if bias {
        format!("w₀ = {}, b₀ = {}", format::short(w), format::short(b))
    } else {
        format!("w₀ = {}", format::short(w))
    }
}

fn weight_text(f: &Facts<'_>) -> String {
    let (r, a) = (f.run.record, f.run.analysis);
    format!("w = {} (w* = {})", format::sig(r.params.w, 6), format::sig(a.optimum.w, 6))
}

/// "lr = 0.01 (lr·λ = 0.15; smooth below 1/λ = 0.06667, diverges above 2/λ = 0.1333)".
fn lr_text(f: &Facts<'_>) -> String {
    let (s, a) = (f.run.settings, f.run.analysis);
    let lr = s.optimizer.lr;
    let mut t = format!("lr = {}", format::short(lr));
    if let (Some(m), Some(c)) = (a.monotone_lr, a.critical_lr) {
        t += &format!(
            " (lr·λ = {}; smooth below 1/λ = {}, diverges above 2/λ = {})",
            format::short(lr * a.curvature_max),
            format::short(m),
            format::short(c)
        );
    }
    t
}

fn curvature_text(f: &Facts<'_>) -> String {
    let (s, a) = (f.run.settings, f.run.analysis);
    if s.bias {
        format!("λmax = {}, λmin = {}", format::sig(a.curvature_max, 4), format::sig(a.curvature_min, 4))
    } else {
        format!("λ = {}", format::sig(a.curvature_max, 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::analyze;
    use crate::engine::data::Dataset;
    use crate::engine::settings::Settings;
    use crate::engine::trainer::{Record, Status};

    #[test]
    fn every_topic_has_a_title_a_text_and_a_unique_id() {
        let mut ids = std::collections::BTreeSet::new();
        for t in Topic::ALL {
            let i = t.info();
            assert!(!i.title.is_empty() && i.text.len() > 10, "{t:?}");
            assert!(ids.insert(t.id()), "{t:?}");
        }
    }

    #[test]
    fn values_are_the_current_ones() {
        let mut s = Settings::default();
        s.optimizer.lr = 0.05;
        let a = analyze(&Dataset::notebook(), &s, Params::default());
        let record = Record::default();
        let run = RunState {
            settings: &s,
            analysis: &a,
            record: &record,
            status: Status::Running,
            tolerance: Some(1e-6),
            floor: None,
        };
        let f = Facts {
            run,
            next: None,
            last_step: 0,
            scrub: None,
            runs: 1,
            samples: 4,
            speed: Some(10.0),
            measured: 0.0,
            switches: [true; 7],
        };
        assert!(
            Topic::Lr.value(&f).is_some_and(|v| v.starts_with("lr = 0.05 (lr·λ = 0.75")),
            "{:?}",
            Topic::Lr.value(&f)
        );
        assert_eq!(Topic::Curvature.value(&f).as_deref(), Some("λ = 15.00"));
        assert_eq!(Topic::CriticalLr.value(&f).as_deref(), Some("2/λmax = 0.1333"));
        assert_eq!(Topic::NextStep.value(&f), None);
        let without = [Topic::ResetDefaults, Topic::Eps, Topic::Files, Topic::Tabs, Topic::NextStep, Topic::Lessons];
        // The Exercises tab's topics describe its own state, not the run's.
        let exercises = |t: &Topic| format!("{t:?}").starts_with("Exercise") || *t == Topic::NewExercise;
        for t in Topic::ALL.iter().filter(|t| !without.contains(t) && !exercises(t)) {
            assert!(t.value(&f).is_some_and(|v| !v.is_empty()), "{t:?} has a value now");
        }
    }
}
