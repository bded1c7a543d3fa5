//! Exercise sheets: N numbered exercises drawn from one sheet seed ([`Sheet::generate`]), and the grading of a
//! student's answers to a whole sheet ([`Sheet::grade`]): each question's verdict, every missing question and every
//! answer to a question the sheet does not have, and the score. Pure: no I/O (and no number parsing of its own); `descent exercise --sheet/--grade`
//! and the Exercises tab's export read it, and `crate::export::sheet` renders it.
//!
//! Exercise i (1-based) is of kind `kinds[(i − 1) mod kinds.len()]` and has its own exercise seed, below 10⁶ so
//! that it can be typed into the app: the successive draws of ChaCha8 seeded by `seed_from_u64(sheet seed)` on its
//! own stream, through the same integer rejection sampling as the exercises, skipping a (kind, seed) pair the
//! sheet already has. So a sheet is a function of (N, seed, kinds) on every machine.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::Serialize;

use super::batch::uniform_below;
use super::exercise::{Exercise, ExerciseKind};

/// The most exercises a sheet holds.
pub const MAX_EXERCISES: usize = 200;

/// The exercise seeds are below this (short enough to read out and type in the app).
const EXERCISE_SEEDS: u64 = 1_000_000;

/// The ChaCha stream the exercise seeds are drawn from (apart from the exercises' own streams 0..5).
const SHEET_STREAM: u64 = 0x0053_4845_4554; // "SHEET" in ASCII

/// A sheet: its seed, the kinds it cycles through, and the exercises in order (question i is `exercises[i − 1]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sheet {
    /// The sheet seed.
    pub seed: u64,
    /// The kinds, in the order the questions cycle through them.
    pub kinds: Vec<ExerciseKind>,
    /// The exercises, question 1 first.
    pub exercises: Vec<Exercise>,
}

/// What one answer (or its absence) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Within the exercise's tolerance.
    Right,
    /// A number, but not within the tolerance.
    Wrong,
    /// Text that is not a number.
    NotANumber,
    /// No answer for a question of the sheet (no row, or an empty answer).
    Missing,
    /// An answer to a question the sheet does not have.
    Extra,
}

/// One question's grade.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionGrade {
    /// The question number.
    pub question: u64,
    /// The answer as written ("" when missing).
    pub answer: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The exact answer (none for an extra question).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<f64>,
    /// One line: the verdict in words.
    pub message: String,
}

/// The grade of a whole answer file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SheetGrade {
    /// The questions of the sheet in order, then the extra ones in the order they were given.
    pub questions: Vec<QuestionGrade>,
    /// Right answers.
    pub right: usize,
    /// Questions on the sheet.
    pub of: usize,
    /// Every question right and no extra one.
    pub all_right: bool,
}

impl Sheet {
    /// The sheet of `n` exercises (1 ..= [`MAX_EXERCISES`], clamped) drawn from `seed`, cycling through `kinds`
    /// (every kind when empty).
    pub fn generate(n: usize, seed: u64, kinds: &[ExerciseKind]) -> Sheet {
        let kinds: Vec<ExerciseKind> = if kinds.is_empty() { ExerciseKind::ALL.to_vec() } else { kinds.to_vec() };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(SHEET_STREAM);
        let mut exercises: Vec<Exercise> = Vec::new();
        for i in 0..n.clamp(1, MAX_EXERCISES) {
            let kind = kinds[i % kinds.len()];
            let mut s = uniform_below(&mut rng, EXERCISE_SEEDS);
            while exercises.iter().any(|e| e.kind == kind && e.seed == s) {
                s = uniform_below(&mut rng, EXERCISE_SEEDS);
            }
            exercises.push(Exercise::generate(kind, s));
        }
        Sheet { seed, kinds, exercises }
    }

    /// Grades `answers`, (question number, answer text) pairs with distinct question numbers; `parse` reads an
    /// answer's text as a number or says why it is not one (the command line passes the app's reader,
    /// `crate::number::parse`: `0.25`, `1/15`, `2e-3`, `pi/4`).
    pub fn grade(&self, answers: &[(u64, String)], parse: impl Fn(&str) -> Result<f64, String>) -> SheetGrade {
        let mut questions = Vec::with_capacity(self.exercises.len());
        for (i, e) in self.exercises.iter().enumerate() {
            let q = i as u64 + 1;
            let given = answers.iter().find(|(n, _)| *n == q).map(|(_, a)| a.trim());
            questions.push(grade_one(q, e, given, &parse));
        }
        for (q, a) in answers {
            if *q == 0 || *q > self.exercises.len() as u64 {
                questions.push(QuestionGrade {
                    question: *q,
                    answer: a.clone(),
                    verdict: Verdict::Extra,
                    exact: None,
                    message: format!("not on the sheet (it has questions 1 to {})", self.exercises.len()),
                });
            }
        }
        let right = questions.iter().filter(|g| g.verdict == Verdict::Right).count();
        let all_right = right == self.exercises.len() && questions.len() == right;
        SheetGrade { questions, right, of: self.exercises.len(), all_right }
    }
}

/// The grade of question `q` (exercise `e`) for the answer `given`, if any.
fn grade_one(q: u64, e: &Exercise, given: Option<&str>, parse: impl Fn(&str) -> Result<f64, String>) -> QuestionGrade {
    let exact = Some(e.answer);
    let answer = given.unwrap_or("").to_string();
    let (verdict, message) = match given {
        None => (Verdict::Missing, "missing: no answer given".to_string()),
        Some("") => (Verdict::Missing, "missing: the answer is empty".to_string()),
        Some(text) => match parse(text) {
            Ok(v) => {
                let g = e.grade(v);
                (if g.correct { Verdict::Right } else { Verdict::Wrong }, g.verdict)
            }
            Err(r) => (Verdict::NotANumber, format!("not a number ({r}): give one like 0.25, 1/15 or 2e-3")),
        },
    };
    QuestionGrade { question: q, answer, verdict, exact, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_cycles_through_its_kinds_with_distinct_exercises() {
        let kinds = [ExerciseKind::Optimum, ExerciseKind::CriticalLr];
        let s = Sheet::generate(5, 42, &kinds);
        assert_eq!(s, Sheet::generate(5, 42, &kinds));
        let got: Vec<_> = s.exercises.iter().map(|e| e.kind).collect();
        assert_eq!(got, [kinds[0], kinds[1], kinds[0], kinds[1], kinds[0]]);
        assert!(s.exercises.iter().all(|e| e.seed < EXERCISE_SEEDS));
        assert_ne!(s.exercises[0], s.exercises[2]);
        assert_ne!(s.exercises[0].x, Sheet::generate(5, 43, &kinds).exercises[0].x);
        assert_eq!(Sheet::generate(3, 1, &[]).kinds, ExerciseKind::ALL);
    }
}
