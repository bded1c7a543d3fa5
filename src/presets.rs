//! Ready-made comparisons (the notebook's two loops; an optimizer race) and the run colours they use.
//!
//! A preset is data: a list of [`RunSpec`]s. The app loads one from its Preset menu or `--preset NAME`, and the CLI
//! checks the name, without either needing the other.

use crate::engine::GradientSource;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::{Precision, Settings};
pub use crate::run::MAX_RUNS;
use crate::run::RunSpec;

/// The run colours in slot order (sRGB), chosen to stay apart from the state colours (green, red): one per run, so
/// the array's type holds exactly [`MAX_RUNS`] of them.
pub const RUN_COLORS: [[u8; 3]; MAX_RUNS] = [
    [255, 159, 28],  // amber
    [79, 182, 255],  // sky blue
    [190, 140, 255], // violet
    [255, 105, 160], // pink
    [64, 214, 190],  // teal
    [222, 210, 130], // sand
];

/// The default colour of the run in `slot` (wraps after six).
pub fn run_color(slot: usize) -> [u8; 3] {
    RUN_COLORS[slot % RUN_COLORS.len()]
}

/// A ready-made comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The notebook's two loops: the hand-written summed gradient (f64) and torch autograd (f32), lr 0.01.
    Notebook,
    /// Six optimizers from the same start.
    Race,
    /// Rosenbrock's banana: SGD crawls along the curved valley, momentum overshoots its walls, Adam sweeps through.
    Rosenbrock,
    /// The saddle w² − b² from (1, 0): plain GD stalls on the ridge, gradient noise escapes.
    Saddle,
    /// Himmelblau's four minima: where a run ends depends on where it starts.
    Himmelblau,
    /// Rastrigin's ripples: local minima everywhere.
    Rastrigin,
}

impl Preset {
    /// Every preset, in menu order.
    pub const ALL: [Preset; 6] =
        [Preset::Notebook, Preset::Race, Preset::Rosenbrock, Preset::Saddle, Preset::Himmelblau, Preset::Rastrigin];

    /// The preset's name for `--preset` (`notebook`, `race`, `rosenbrock`, `saddle`, `himmelblau`, `rastrigin`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Notebook => "notebook",
            Preset::Race => "race",
            Preset::Rosenbrock => "rosenbrock",
            Preset::Saddle => "saddle",
            Preset::Himmelblau => "himmelblau",
            Preset::Rastrigin => "rastrigin",
        }
    }

    /// A preset by its name (case-insensitive).
    pub fn parse(name: &str) -> Option<Preset> {
        let name = name.trim().to_ascii_lowercase();
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The menu's title of the preset.
    pub fn title(self) -> &'static str {
        match self {
            Preset::Notebook => "Notebook: NumPy sum vs PyTorch autograd",
            Preset::Race => "Race: SGD, momentum, Nesterov, RMSprop, Adam, AdamW",
            Preset::Rosenbrock => "Rosenbrock: SGD vs momentum vs Adam",
            Preset::Saddle => "Saddle: GD stalls, noise escapes",
            Preset::Himmelblau => "Himmelblau: four minima",
            Preset::Rastrigin => "Rastrigin: local minima everywhere",
        }
    }

    /// What to watch, shown when the preset opens.
    pub fn watch(self) -> &'static str {
        match self {
            Preset::Notebook => {
                "Watch the NumPy loop 'win': its gradient is a sum, 4× the true one, so it moves as lr 0.04 would."
            }
            Preset::Race => "Watch the loss plot: momentum overshoots and rings, Adam moves about lr per step.",
            Preset::Rosenbrock => {
                "Watch SGD crawl along the curved valley floor while momentum overshoots its walls and Adam sweeps through; turn on the 3-D surface."
            }
            Preset::Saddle => {
                "Watch plain GD slide to the saddle point (0, 0) and stop there, while the run with gradient noise falls off the ridge."
            }
            Preset::Himmelblau => {
                "Watch four starts end at four different minima of equal value; open the Basins tab to see which starts go where."
            }
            Preset::Rastrigin => {
                "Watch plain GD stop in the nearest ripple while momentum rolls over a few; open the Basins tab for the patchwork."
            }
        }
    }

    /// The runs of the preset. The race keeps `base`'s problem (bias, loss, Huber δ, start point) and sets every
    /// other setting itself; the notebook sets everything.
    ///
    /// Race learning rates (chosen so all six converge on the notebook's data, whose curvature L'' = 15 caps plain
    /// SGD at lr < 2/15): SGD 0.02, SGD+momentum 0.9 at 0.01, Nesterov 0.9 at 0.01, RMSprop 0.01, Adam 0.05,
    /// AdamW 0.05.
    pub fn specs(self, base: &Settings) -> Vec<RunSpec> {
        let spec =
            |slot: usize, name: &str, s: Settings| RunSpec { name: name.into(), color: run_color(slot), settings: s };
        match self {
            Preset::Notebook => {
                // Both loops: plain gradient descent as the notebook writes it (gd: the product and the difference
                // each rounded) on the MSE, lr 0.01, from w = 0, no bias, full batch.
                let notebook = |gradient: GradientSource, precision: Precision| {
                    let mut s = Settings { gradient, precision, w0: 0.0, b0: 0.0, bias: false, ..Settings::default() };
                    s.loss = crate::engine::LossKind::Mse;
                    s.batch_size = None;
                    s.optimizer = Default::default();
                    s.optimizer.kind = OptimizerKind::Gd;
                    s.optimizer.lr = 0.01;
                    s
                };
                let numpy = notebook(GradientSource::NotebookSum, Precision::F64);
                let torch = notebook(GradientSource::Autodiff, Precision::F32);
                vec![spec(0, &numpy.default_name(), numpy), spec(1, &torch.default_name(), torch)]
            }
            Preset::Race => {
                // The race is about the optimizers alone: the problem (model, loss, start) stays, everything else is
                // the default — the true gradient in f64 on the full batch, whatever the runs before used.
                let common = Settings {
                    bias: base.bias,
                    loss: base.loss,
                    huber_delta: base.huber_delta,
                    w0: base.w0,
                    b0: base.b0,
                    ..Settings::default()
                };
                let with = |kind: OptimizerKind, lr: f64, momentum: f64, nesterov: bool| {
                    let mut s = common.clone();
                    s.optimizer.kind = kind;
                    s.optimizer.lr = lr;
                    s.optimizer.momentum = momentum;
                    s.optimizer.nesterov = nesterov;
                    s
                };
                [
                    with(OptimizerKind::Sgd, 0.02, 0.0, false),
                    with(OptimizerKind::Sgd, 0.01, 0.9, false),
                    with(OptimizerKind::Sgd, 0.01, 0.9, true),
                    with(OptimizerKind::Rmsprop, 0.01, 0.0, false),
                    with(OptimizerKind::Adam, 0.05, 0.0, false),
                    with(OptimizerKind::Adamw, 0.05, 0.0, false),
                ]
                .into_iter()
                .enumerate()
                .map(|(slot, s)| spec(slot, &s.default_name(), s))
                .collect()
            }
            Preset::Rosenbrock | Preset::Saddle | Preset::Himmelblau | Preset::Rastrigin => self.landscape_specs(),
        }
    }

    /// The runs of the landscape presets: each on its built-in objective from its classic start.
    fn landscape_specs(self) -> Vec<RunSpec> {
        use crate::engine::objective::{Builtin, Objective};
        let on = |b: Builtin, start: Option<(f64, f64)>| {
            let mut s = Settings::default();
            s.set_objective(Some(Objective::builtin(b)), true);
            if let Some((w, b)) = start {
                (s.w0, s.b0) = (w, b);
            }
            s
        };
        // Named by their settings (so the names follow them), but Himmelblau's runs by their starts.
        let run = |slot: usize, name: Option<&str>, base: &Settings, f: &dyn Fn(&mut Settings)| {
            let mut s = base.clone();
            f(&mut s);
            RunSpec { name: name.map_or_else(|| s.default_name(), String::from), color: run_color(slot), settings: s }
        };
        let opt = |kind: OptimizerKind, lr: f64, momentum: f64| {
            move |s: &mut Settings| {
                s.optimizer.kind = kind;
                s.optimizer.lr = lr;
                s.optimizer.momentum = momentum;
            }
        };
        match self {
            Preset::Rosenbrock => {
                let base = on(Builtin::Rosenbrock, None);
                vec![
                    run(0, None, &base, &opt(OptimizerKind::Sgd, 0.001, 0.0)),
                    run(1, None, &base, &opt(OptimizerKind::Sgd, 0.001, 0.9)),
                    run(2, None, &base, &opt(OptimizerKind::Adam, 0.05, 0.0)),
                ]
            }
            Preset::Saddle => {
                let base = on(Builtin::Saddle, None);
                vec![
                    run(0, None, &base, &opt(OptimizerKind::Gd, 0.05, 0.0)),
                    run(1, None, &base, &|s: &mut Settings| {
                        opt(OptimizerKind::Gd, 0.05, 0.0)(s);
                        s.noise = 0.1;
                    }),
                ]
            }
            Preset::Himmelblau => {
                let starts = [(0.0, 0.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -2.0)];
                starts
                    .iter()
                    .enumerate()
                    .map(|(k, &(w, b))| {
                        let base = on(Builtin::Himmelblau, Some((w, b)));
                        let name = format!("from ({w}, {b})");
                        run(k, Some(&name), &base, &opt(OptimizerKind::Gd, 0.01, 0.0))
                    })
                    .collect()
            }
            _ => {
                let base = on(Builtin::Rastrigin, None);
                vec![
                    run(0, None, &base, &opt(OptimizerKind::Gd, 0.002, 0.0)),
                    run(1, None, &base, &opt(OptimizerKind::Sgd, 0.002, 0.9)),
                    run(2, None, &base, &opt(OptimizerKind::Adam, 0.1, 0.0)),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn presets_match_the_notebook_and_the_race() {
        let nb = Preset::Notebook.specs(&Settings::default());
        assert_eq!(nb.len(), 2);
        assert_eq!(nb[0].settings.gradient, GradientSource::NotebookSum);
        assert_eq!(nb[0].settings.precision, Precision::F64);
        assert_eq!(nb[1].settings.gradient, GradientSource::Autodiff);
        assert_eq!(nb[1].settings.precision, Precision::F32);
        assert!(nb.iter().all(|r| r.settings.optimizer.lr == 0.01 && r.settings.w0 == 0.0));
        let race = Preset::Race.specs(&Settings::default());
        assert_eq!(race.len(), MAX_RUNS);
        let colors: BTreeSet<[u8; 3]> = race.iter().map(|r| r.color).collect();
        assert_eq!(colors.len(), MAX_RUNS, "one colour per run");
        assert_eq!(Preset::parse(" Race "), Some(Preset::Race));
        // After the notebook's runs, the race still uses the true gradient in f64 on the full batch.
        let after_notebook = Preset::Race.specs(&nb[0].settings);
        for run in &after_notebook {
            assert_eq!(run.settings.gradient, GradientSource::Analytic, "{}", run.name);
            assert_eq!(run.settings.precision, Precision::F64, "{}", run.name);
            assert_eq!(run.settings.batch_size, None, "{}", run.name);
        }
        assert_eq!(after_notebook[0].settings, race[0].settings, "the same race from either start");
        assert_eq!(Preset::parse("nope"), None);
    }

    #[test]
    fn landscape_presets_run_their_objectives() {
        use crate::engine::objective::Builtin;
        for (p, b) in [
            (Preset::Rosenbrock, Builtin::Rosenbrock),
            (Preset::Saddle, Builtin::Saddle),
            (Preset::Himmelblau, Builtin::Himmelblau),
            (Preset::Rastrigin, Builtin::Rastrigin),
        ] {
            assert_eq!(Preset::parse(p.name()), Some(p));
            let specs = p.specs(&Settings::default());
            assert!(specs.len() >= 2 && specs.len() <= MAX_RUNS, "{}", p.name());
            for s in &specs {
                assert!(s.settings.validate().is_ok(), "{}: {}", p.name(), s.name);
                assert_eq!(s.settings.objective.as_ref().and_then(|o| o.as_builtin()), Some(b), "{}", s.name);
            }
            assert!(!p.watch().is_empty());
        }
        // The saddle: one run without noise, one with; Himmelblau: four different starts.
        let saddle = Preset::Saddle.specs(&Settings::default());
        assert_eq!(saddle.iter().map(|s| s.settings.noise > 0.0).collect::<Vec<_>>(), [false, true]);
        let starts: BTreeSet<(u64, u64)> = Preset::Himmelblau
            .specs(&Settings::default())
            .iter()
            .map(|s| (s.settings.w0.to_bits(), s.settings.b0.to_bits()))
            .collect();
        assert_eq!(starts.len(), 4);
    }
}
