//! Ready-made comparisons (the notebook's two loops; an optimizer race) and the run colours they use.
//!
//! A preset is data: a list of [`RunSpec`]s. The app loads one from its Preset menu or `--preset NAME`, and the CLI
//! checks the name, without either needing the other.

use crate::engine::GradientSource;
use crate::engine::optim::OptimizerKind;
use crate::engine::settings::{Precision, Settings};
use crate::worker::RunSpec;

/// The run colours in slot order (sRGB), chosen to stay apart from the state colours (green, red).
pub const RUN_COLORS: [[u8; 3]; 6] = [
    [255, 159, 28],  // amber
    [79, 182, 255],  // sky blue
    [190, 140, 255], // violet
    [255, 105, 160], // pink
    [64, 214, 190],  // teal
    [222, 210, 130], // sand
];

/// At most this many runs at once (one per colour).
pub const MAX_RUNS: usize = RUN_COLORS.len();

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
}

impl Preset {
    /// `notebook` or `race` (case-insensitive).
    pub fn parse(name: &str) -> Option<Preset> {
        match name.trim().to_ascii_lowercase().as_str() {
            "notebook" => Some(Preset::Notebook),
            "race" => Some(Preset::Race),
            _ => None,
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
                // Both loops: plain SGD on the MSE, lr 0.01, from w = 0, no bias, full batch.
                let notebook = |gradient: GradientSource, precision: Precision| {
                    let mut s = Settings { gradient, precision, w0: 0.0, b0: 0.0, bias: false, ..Settings::default() };
                    s.loss = crate::engine::LossKind::Mse;
                    s.batch_size = None;
                    s.optimizer = Default::default();
                    s.optimizer.kind = OptimizerKind::Sgd;
                    s.optimizer.lr = 0.01;
                    s
                };
                let numpy = notebook(GradientSource::NotebookSum, Precision::F64);
                let torch = notebook(GradientSource::Autodiff, Precision::F32);
                vec![spec(0, "NumPy (hand-written sum)", numpy), spec(1, "PyTorch autograd", torch)]
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
                vec![
                    spec(0, "SGD", with(OptimizerKind::Sgd, 0.02, 0.0, false)),
                    spec(1, "SGD + momentum 0.9", with(OptimizerKind::Sgd, 0.01, 0.9, false)),
                    spec(2, "Nesterov 0.9", with(OptimizerKind::Sgd, 0.01, 0.9, true)),
                    spec(3, "RMSprop", with(OptimizerKind::Rmsprop, 0.01, 0.0, false)),
                    spec(4, "Adam", with(OptimizerKind::Adam, 0.05, 0.0, false)),
                    spec(5, "AdamW", with(OptimizerKind::Adamw, 0.05, 0.0, false)),
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
}
