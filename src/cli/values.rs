//! The command line's names for the engine's choices: `clap::ValueEnum` for every engine enum an option takes,
//! written here so that the engine does not depend on clap. Each value is named as serde names it in settings and
//! session files (a test checks it), with the one-line help that `--help` lists.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::engine::exercise::ExerciseKind;
use crate::engine::optim::LineSearch;
use crate::engine::schedule::{AnnealStrategy, CyclicMode, ThresholdMode};
use crate::engine::{GradientSource, LossKind, OptimizerKind, Precision, ScheduleKind};

/// `ValueEnum` for an engine enum from its variants, names and help, in `--help`'s order. The match is
/// exhaustive, so a variant left out is a compile error; the same list gives `value_variants`.
macro_rules! value_enum {
    ($ty:ident { $($variant:ident => $name:literal, $help:literal;)+ }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($ty::$variant),+]
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $($ty::$variant => PossibleValue::new($name).help($help),)+
                })
            }
        }
    };
}

value_enum!(LossKind {
    Mse => "mse", "Mean squared error, mean((y−ŷ)²) — torch.nn.MSELoss";
    Mae => "mae", "Mean absolute error, mean|y−ŷ|, subgradient 0 at a zero residual — torch.nn.L1Loss";
    Huber => "huber", "Huber with threshold δ — torch.nn.HuberLoss";
});

value_enum!(GradientSource {
    Analytic => "analytic", "The hand-derived gradient of the mean loss";
    NotebookSum => "notebook-sum",
        "The notebook's hand-written gradient: per-sample gradients summed, not averaged (N × analytic)";
    Autodiff => "autodiff",
        "Reverse-mode automatic differentiation of the loss expression (a tape, like torch's autograd)";
    Numeric => "numeric", "Central finite differences";
});

value_enum!(Precision {
    F32 => "f32", "32-bit floats, as the notebook's torch tensors";
    F64 => "f64", "64-bit floats, as the notebook's NumPy arrays";
});

value_enum!(OptimizerKind {
    Gd => "gd",
        "Plain gradient descent as the notebook writes it, w ← w − lr·g with each operation rounded (see [`Gd`])";
    Sgd => "sgd", "torch.optim.SGD (with optional momentum, dampening, Nesterov, weight decay)";
    Adagrad => "adagrad", "torch.optim.Adagrad";
    Rmsprop => "rmsprop", "torch.optim.RMSprop";
    Adam => "adam", "torch.optim.Adam";
    Adamw => "adamw", "torch.optim.AdamW (decoupled weight decay)";
    Newton => "newton", "Newton's method, p ← p − lr·H⁻¹∇L with the exact Hessian (descent's own; torch has none)";
});

value_enum!(LineSearch {
    None => "none", "The learning rate as given";
    Armijo => "armijo", "Backtracking from t = lr until the Armijo test holds (see [`crate::engine::line_search`])";
});

value_enum!(ScheduleKind {
    Constant => "constant", "No scheduler: the lr stays the optimizer's";
    Step => "step", "torch.optim.lr_scheduler.StepLR";
    Multistep => "multistep", "torch.optim.lr_scheduler.MultiStepLR";
    Exponential => "exponential", "torch.optim.lr_scheduler.ExponentialLR";
    Multiplicative => "multiplicative", "torch.optim.lr_scheduler.MultiplicativeLR with a constant factor";
    Cosine => "cosine", "torch.optim.lr_scheduler.CosineAnnealingLR";
    WarmRestarts => "warm-restarts", "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts";
    Linear => "linear", "torch.optim.lr_scheduler.LinearLR";
    Constantlr => "constantlr", "torch.optim.lr_scheduler.ConstantLR";
    Polynomial => "polynomial", "torch.optim.lr_scheduler.PolynomialLR";
    Onecycle => "onecycle", "torch.optim.lr_scheduler.OneCycleLR";
    Cyclic => "cyclic", "torch.optim.lr_scheduler.CyclicLR";
    Plateau => "plateau", "torch.optim.lr_scheduler.ReduceLROnPlateau (mode \"min\", on the loss)";
});

value_enum!(CyclicMode {
    Triangular => "triangular", "The amplitude stays max_lr − base_lr";
    Triangular2 => "triangular2", "The amplitude halves each cycle: 1/2^(cycle − 1)";
    ExpRange => "exp_range", "The amplitude shrinks by γ^step";
});

value_enum!(AnnealStrategy {
    Cos => "cos", "`end + (start − end)/2·(cos(π·pct) + 1)`";
    Linear => "linear", "`(end − start)·pct + start`";
});

value_enum!(ThresholdMode {
    Rel => "rel", "Better means `loss < best·(1 − threshold)`";
    Abs => "abs", "Better means `loss < best − threshold`";
});

value_enum!(ExerciseKind {
    NextWeight => "next-weight", "w after one update from (w₀, b₀) at lr";
    CriticalLr => "critical-lr", "The learning rate 2/λmax at and above which plain GD diverges";
    OneStepLr => "one-step-lr", "The learning rate 1/λ that reaches w* in one step (no bias)";
    StepsToTolerance => "steps-to-tolerance", "The number of updates until |∂L/∂w| ≤ tol (no bias)";
    Optimum => "optimum", "The least-squares weight w*";
});

/// clap's parser of a real-valued flag: [`crate::engine::real::parse_decimal`], so that `--lr 1e-400` is refused
/// rather than run at lr 0, and `--w0 1e400` rather than started at ∞ (`inf` and `nan` reach the settings' own
/// "must be finite").
pub fn real(text: &str) -> Result<f64, String> {
    crate::engine::real::parse_decimal(text).map_err(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's command-line name is the name serde writes for it (in settings, sessions and JSON output),
    /// and clap parses the name back to the same variant.
    fn names_are_serde_names<T: ValueEnum + serde::Serialize + PartialEq + std::fmt::Debug>(menu: Option<&[T]>) {
        for v in T::value_variants() {
            let name = v.to_possible_value().expect("every value is shown").get_name().to_string();
            assert_eq!(serde_json::to_value(v).expect("serializes"), serde_json::Value::String(name.clone()), "{v:?}");
            assert_eq!(&T::from_str(&name, false).expect("parses"), v);
        }
        // Where the engine keeps a menu list, the command line offers the same values in the same order.
        if let Some(menu) = menu {
            assert_eq!(T::value_variants(), menu);
        }
    }

    #[test]
    fn every_value_is_named_as_serde_names_it() {
        names_are_serde_names::<LossKind>(None);
        names_are_serde_names::<GradientSource>(Some(&GradientSource::ALL));
        names_are_serde_names::<Precision>(None);
        names_are_serde_names::<OptimizerKind>(Some(&OptimizerKind::ALL));
        names_are_serde_names::<LineSearch>(None);
        names_are_serde_names::<ScheduleKind>(Some(&ScheduleKind::ALL));
        names_are_serde_names::<CyclicMode>(None);
        names_are_serde_names::<AnnealStrategy>(None);
        names_are_serde_names::<ThresholdMode>(None);
        names_are_serde_names::<ExerciseKind>(Some(&ExerciseKind::ALL));
    }
}
