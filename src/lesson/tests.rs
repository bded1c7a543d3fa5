//! Lesson files: the built-ins load, each page's intended action passes its check and a wrong one fails, and
//! malformed files give one-line errors with their line and field.

use super::check::{Check, Facts, RunFacts, check};
use super::*;
use crate::engine::schedule::ScheduleKind;

fn run(name: &str) -> RunFacts {
    RunFacts { name: name.into(), ..RunFacts::default() }
}

fn facts(runs: Vec<RunFacts>) -> Facts {
    Facts { runs, selected: 0, tab: "gradient-check".into(), answer: String::new(), solved: Vec::new() }
}

/// The state after the intended action for `c`, and after a wrong one.
fn good_and_bad(c: &Check) -> (Facts, Facts) {
    let mut good = facts(vec![run("a"), run("b")]);
    let mut bad = good.clone();
    let (g, b) = (&mut good.runs[0], &mut bad.runs[0]);
    match c {
        Check::ConvergedWithin { steps, run: name } => {
            let k = good.runs.len();
            let i = name.as_ref().map_or(0, |_| k);
            if let Some(n) = name {
                good.runs.push(RunFacts { name: n.clone(), converged_at: Some(*steps), ..run(n) });
                bad.runs.push(RunFacts { name: n.clone(), converged_at: Some(steps + 1), ..run(n) });
            } else {
                good.runs[i].converged_at = Some(*steps);
                bad.runs[i].converged_at = Some(steps + 1);
            }
        }
        Check::AllConverged {} => {
            good.runs.iter_mut().for_each(|r| r.converged_at = Some(10));
            bad.runs[0].converged_at = Some(10);
        }
        Check::Diverged {} => (g.diverged, b.diverged) = (true, false),
        Check::OscillatesAndConverges {} => {
            (g.converged_at, g.crossings) = (Some(20), 5);
            (b.converged_at, b.crossings) = (Some(100), 0);
        }
        Check::LrBetween { min, max, run: name } => {
            if let Some(n) = name {
                good.runs.push(run(n));
                bad.runs.push(run(n));
                // The wrong action: the selected run's lr, not the named one's.
                bad.runs[0].settings.optimizer.lr = (min + max) / 2.0;
                good.runs[2].settings.optimizer.lr = (min + max) / 2.0;
            } else {
                g.settings.optimizer.lr = (min + max) / 2.0;
                b.settings.optimizer.lr = max * 2.0 + 1.0;
            }
        }
        Check::MomentumBetween { min, max } => {
            g.settings.optimizer.momentum = (min + max) / 2.0;
            b.settings.optimizer.momentum = max + 1.0;
        }
        Check::Answer { value, accept } => {
            good.answer = format!("{}", value + accept / 2.0);
            bad.answer = format!("{}", value + accept + 0.5 + value.abs() * 0.1);
        }
        Check::FirstToTolerance { run: n } => {
            good.runs.push(RunFacts { converged_at: Some(5), ..run(n) });
            bad.runs.push(RunFacts { converged_at: Some(50), ..run(n) });
            good.runs[0].converged_at = Some(9);
            bad.runs[0].converged_at = Some(9);
        }
        Check::GradientSource { is } => {
            g.settings.gradient = *is;
            b.settings.gradient = crate::engine::GradientSource::NotebookSum;
        }
        Check::Optimizer { is } => {
            g.settings.optimizer.kind = *is;
            b.settings.optimizer.kind = crate::engine::optim::OptimizerKind::Sgd;
        }
        Check::Loss { is } => {
            g.settings.loss = *is;
            b.settings.loss = crate::engine::LossKind::Mse;
        }
        Check::Scheduled {} => g.settings.schedule.kind = ScheduleKind::Step,
        Check::MiniBatches {} => g.settings.batch_size = Some(4),
        Check::Nesterov {} => g.settings.optimizer.nesterov = true,
        Check::Tab { is } => good.tab = is.clone(),
        Check::Ran { steps } => {
            good.runs.iter_mut().for_each(|r| r.step = *steps);
            bad.runs[1].step = steps - 1;
        }
        Check::ExerciseSolved { exercise } => {
            use crate::engine::exercise::ExerciseKind;
            good.solved = vec![exercise.first().copied().unwrap_or_default()];
            // The wrong action: the Exercises tab open, or another kind solved, is not solving one of these.
            bad.tab = "exercises".into();
            let other = ExerciseKind::ALL.into_iter().find(|k| !exercise.contains(k));
            bad.solved = if exercise.is_empty() { Vec::new() } else { other.into_iter().collect() };
        }
        Check::AwayFrom { w, b: b0, distance } => {
            g.at = (w + distance, *b0);
            b.at = (*w, b0 + distance / 2.0);
        }
    }
    (good, bad)
}

#[test]
fn every_built_in_lesson_loads_with_four_to_eight_pages() {
    for (name, _) in BUILTIN {
        let lesson = Lesson::load(name).unwrap_or_else(|e| panic!("{e}"));
        assert!((4..=8).contains(&lesson.pages.len()), "{name}: {} pages", lesson.pages.len());
        assert!(!lesson.title.is_empty() && !lesson.summary.is_empty(), "{name}");
        assert!((2..=MAX_LEARNED).contains(&lesson.learned.len()), "{name}: its last page sums up what it taught");
        assert!(lesson.pages[0].setup != Setup::default(), "{name}: the first page sets up its runs");
        for page in &lesson.pages {
            assert!(!page.text.trim().is_empty(), "{name}: {}", page.title);
        }
    }
    assert!(Lesson::load("NoteBook").is_ok(), "names are case-insensitive");
}

#[test]
fn each_built_in_page_passes_its_intended_action_and_fails_a_wrong_one() {
    let mut checked = 0;
    for (name, _) in BUILTIN {
        let lesson = Lesson::load(name).unwrap_or_else(|e| panic!("{e}"));
        for (i, page) in lesson.pages.iter().enumerate() {
            let Some(c) = &page.check else { continue };
            let (good, bad) = good_and_bad(c);
            assert!(check(c, &good), "{name} page {i}: the intended action passes {c:?}");
            assert!(!check(c, &bad), "{name} page {i}: a wrong action fails {c:?}");
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} checks");
}

#[test]
fn the_notebook_pages_ask_for_the_notebooks_numbers() {
    let lesson = Lesson::load("notebook").expect("notebook");
    let answers: Vec<f64> = lesson
        .pages
        .iter()
        .filter_map(|p| match p.check {
            Some(Check::Answer { value, .. }) => Some(value),
            _ => None,
        })
        .collect();
    // NumPy's first step 4 × 0.45, the ratio N = 4, the gradient at w = 0.
    assert_eq!(answers, [1.8, 4.0, -45.0]);
    let mut f = facts(vec![run("NumPy (hand-written sum)"), run("PyTorch autograd")]);
    f.answer = "4x".into();
    assert!(check(&Check::Answer { value: 4.0, accept: 0.01 }, &f), "“4x” reads as 4");
    f.answer = "1/15".into();
    assert!(check(&Check::Answer { value: 1.0 / 15.0, accept: 1e-9 }, &f), "a fraction reads");
}

/// Issue 20: the notebook's last page is done only by solving an exercise (opening the Exercises tab is not enough),
/// and the seed it names has the page's model ŷ = w·x, so the page's λ = (2/n)·Σx² gives the graded answer.
#[test]
fn the_notebook_exercise_page_is_done_by_solving_one_with_the_pages_model() {
    use crate::engine::exercise::{Exercise, ExerciseKind};
    let lesson = Lesson::load("notebook").expect("notebook");
    let page = lesson.pages.last().expect("a last page");
    let c = page.check.as_ref().expect("a check");
    let mut f = facts(vec![run("a")]);
    f.tab = "exercises".into();
    assert!(!check(c, &f), "the Exercises tab open is not an exercise solved");
    f.solved = vec![ExerciseKind::CriticalLr];
    assert!(check(c, &f), "a critical-lr exercise solved passes");
    f.solved = vec![ExerciseKind::NextWeight];
    assert!(!check(c, &f), "another kind does not");
    assert!(page.text.contains("--kind critical-lr --seed 1"), "the page names seed 1");
    let e = Exercise::generate(ExerciseKind::CriticalLr, 1);
    assert!(!e.bias, "seed 1's model is ŷ = w·x, the page's");
    let n = e.x.len() as f64;
    let lambda = 2.0 / n * e.x.iter().map(|x| x * x).sum::<f64>();
    assert!(e.grade(2.0 / lambda).correct, "the page's formula 2/λ with λ = (2/n)·Σx² is graded right");
}

/// Issue 20: the momentum lesson calls the momentum μ, as the settings panel does.
#[test]
fn the_momentum_lesson_says_mu_as_the_settings_do() {
    let lesson = Lesson::load("momentum").expect("momentum");
    for page in &lesson.pages {
        let words = [page.title.as_str(), page.text.as_str(), page.task.as_str()];
        for text in words.into_iter().chain(page.hints.iter().map(String::as_str)) {
            assert!(!text.contains('β'), "{}: {text}", page.title);
        }
    }
    assert!(lesson.pages.iter().any(|p| p.text.contains("μ")), "the lesson names μ");
}

#[test]
fn the_goldilocks_lr_converges_in_one_step_on_the_engine() {
    use crate::engine::data::Dataset;
    use crate::engine::trainer::{Status, Trainer};
    let one_step = |lr: f64| {
        let mut s = Settings::default();
        s.optimizer.lr = lr;
        let mut t = Trainer::<f64>::new(&Dataset::notebook(), &s).expect("trainer");
        t.set_tolerance(Some(1e-6));
        for _ in 0..5 {
            if t.step() != Status::Running {
                break;
            }
        }
        match t.status() {
            Status::Converged { step, .. } => step,
            _ => u64::MAX,
        }
    };
    assert_eq!(one_step(0.066666667), 1, "1/15 to nine digits");
    assert_eq!(one_step(crate::number::parse("1/15").expect("1/15 is a number")), 1, "1/15 as typed");
    assert!(one_step(0.0667) > 1, "four digits land short");
}

#[test]
fn malformed_files_give_one_line_errors_with_line_and_field() {
    let head = "format = 1\ntitle = \"t\"\n";
    let page = "[[pages]]\ntitle = \"p\"\ntext = \"x\"\n";
    let table = [
        ("title = \"t\"\npages = []\n".to_string(), "f.toml:1: missing field `format`"),
        (format!("{head}{page}check = {{ kind = \"bogus\" }}\n"), "f.toml:6: pages[0].check: unknown variant `bogus`"),
        (format!("{head}{page}{page}tyop = 1\n"), "f.toml:9: pages[1].tyop: unknown field `tyop`"),
        (format!("{head}{page}[pages.setup]\ntab = \"nope\"\n"), "f.toml:7: pages[0].setup.tab: unknown tab “nope”"),
        (format!("{head}{page}[pages.setup]\npreset = \"nope\"\n"), "f.toml:7: pages[0].setup.preset: unknown preset"),
        (
            format!("{head}{page}[pages.locks]\nlr = \"frozen\"\n"),
            "f.toml:7: pages[0].locks.lr: unknown variant `frozen`",
        ),
        (
            format!("{head}{page}check = {{ kind = \"answer\", value = 1 }}\n"),
            "f.toml:6: pages[0].check: missing field `accept`",
        ),
        (
            format!("{head}{page}check = {{ kind = \"lr-between\", min = 2, max = 1 }}\n"),
            "f.toml:6: pages[0].check: min and max must be finite",
        ),
        (
            format!("{head}{page}[[pages.setup.runs]]\nname = \"r\"\nsettings = {{ optimizer = {{ lr = -1 }} }}\n"),
            "f.toml:8: pages[0].setup.runs[0].settings:",
        ),
        (format!("{head}pages = []\n"), "f.toml:3: pages: a lesson needs at least one page"),
        ("format = 2\ntitle = \"t\"\npages = []\n".into(), "f.toml:1: format: format 2 is not supported"),
        (format!("{head}{page}text = \"again\"\n"), "f.toml:6: pages[0].text: duplicate key"),
        ("format = 1\ntitle = \n".into(), "f.toml:2: title: string values must be quoted"),
        (format!("{head}learned = [\"a\", \" \"]\n{page}"), "f.toml:3: learned[1]: an empty sentence"),
        (format!("{head}learned = [\"{}\"]\n{page}", "x".repeat(301)), "f.toml:3: learned[0]: 301 characters"),
        (format!("{head}learned = {:?}\n{page}", vec!["a"; 9]), "f.toml:3: learned: 9 sentences: at most 8"),
        (format!("{head}learned = 1\n{page}"), "f.toml:3: learned: invalid type"),
    ];
    let mut all = Vec::new();
    for (text, want) in table {
        let e = Lesson::parse(&text, "f.toml").expect_err(want);
        all.push((e.starts_with(want), e.clone(), want));
        assert!(!e.contains('\n'), "one line: {e}");
    }
    let wrong: Vec<_> =
        all.iter().filter(|(ok, _, _)| !ok).map(|(_, e, want)| format!("got “{e}”, want “{want}…”")).collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Found by the fuzz target: a table header holding control characters (or thousands of characters) was echoed
/// raw into the message.
#[test]
fn errors_escape_what_they_echo_and_stay_short() {
    let head = "format = 1\ntitle = \"t\"\n";
    let long = "x".repeat(5000);
    for text in [
        format!("{head}[page\u{0}\u{1b}[31m\n"),
        format!("{head}[[pages]]\ntitle = \"p\"\ntext = \"x\"\n[pages.setup]\ntab = \"{long}\"\n"),
        format!("{head}[{long}\n"),
        format!("{head}[[pages]]\ntitle = \"p\"\ntext = \"x\"\ncheck = {{ kind = \"\u{7}{long}\" }}\n"),
    ] {
        let e = Lesson::parse(&text, "f\u{1b}.toml").expect_err("bad");
        assert!(!e.chars().any(char::is_control), "{e:?}");
        assert!(e.chars().count() <= 600, "{} characters: {e}", e.chars().count());
        assert!(e.starts_with("f\\u{1b}.toml:"), "{e}");
    }
}

#[test]
fn a_setup_saved_as_a_page_reads_back() {
    let mut s = Settings::default();
    s.optimizer.lr = 0.05;
    s.bias = true;
    let setup = Setup {
        data: Some("noisy".into()),
        preset: None,
        runs: vec![RunSetup { name: "mine".into(), settings: s }],
        tab: Some("ledger".into()),
        tolerance: Some(1e-6),
    };
    let text = setup.to_toml().expect("toml");
    let lesson =
        Lesson::parse(&format!("format = 1\ntitle = \"t\"\n{text}"), "page.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.pages[0].setup, setup);
}

#[test]
fn the_example_in_the_docs_is_a_valid_lesson() {
    let doc = include_str!("../../docs/LESSONS.md");
    let start = doc.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("its end");
    let lesson = Lesson::parse(&doc[start..end], "docs/LESSONS.md").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.pages.len(), 2);
}

/// A float literal that would silently become 0 is refused with its line and key, wherever it stands: in a run's
/// settings, nested in inline tables (issue 24 §11); a literal in a string is text, not a number.
#[test]
fn a_float_that_rounds_to_zero_is_refused_with_its_line() {
    let (_, adaptive) = BUILTIN[3];
    let line = adaptive.lines().position(|l| l.contains("lr = 0.5")).expect("the adagrad page") + 1;
    let text = adaptive.replacen("lr = 0.5", "lr = 1e-400", 1);
    let e = Lesson::parse(&text, "adaptive.toml").expect_err("1e-400 is not 0");
    assert_eq!(e, format!("adaptive.toml:{line}: lr: 1e-400 rounds to 0 in f64 (the smallest is about 5e-324)"));
    let in_text = adaptive.replacen("title = \"", "title = \"1e-400 ", 1);
    assert!(Lesson::parse(&in_text, "adaptive.toml").is_ok(), "a number inside a string is text");
    assert!(Lesson::parse(&adaptive.replacen("lr = 0.5", "lr = 5e-324", 1), "a.toml").is_ok(), "the smallest f64");
}

/// `views`: a page names the plots, the settings and at most one tab it needs; a wrong list is one line naming the
/// file, the line and the page's field.
#[test]
fn a_page_names_its_views_and_a_wrong_list_is_refused_with_its_page() {
    use crate::tab::Tab;
    let head =
        "format = 1\ntitle = \"t\"\n[[pages]]\ntitle = \"p\"\ntext = \"x\"\n[[pages]]\ntitle = \"q\"\ntext = \"y\"\n";
    let ok = Lesson::parse(&format!("{head}views = [\"loss-vs-step\", \"Notebook-Log\", \"settings\"]\n"), "f.toml")
        .expect("a good list");
    assert_eq!(ok.pages[1].views(), [View::LossVsStep, View::Tab(Tab::NotebookLog), View::Settings]);
    let table = [
        (
            "views = [\"loss-landscpe\"]",
            "f.toml:9: pages[1].views: unknown view “loss-landscpe” (the plots: loss-landscape",
        ),
        ("views = []", "f.toml:9: pages[1].views: name at least one view"),
        ("views = [\"loss-vs-step\", \"loss-vs-step\"]", "f.toml:9: pages[1].views: “loss-vs-step” is named twice"),
        ("views = [\"ledger\", \"data\"]", "f.toml:9: pages[1].views: 2 tabs named: a page shows at most one"),
        (
            "views = [\"ledger\"]\n[pages.setup]\ntab = \"data\"",
            "f.toml:9: pages[1].views: names the tab “ledger” but the setup opens “data”",
        ),
        ("views = \"ledger\"", "f.toml:9: pages[1].views: invalid type"),
    ];
    for (line, want) in table {
        let e = Lesson::parse(&format!("{head}{line}\n"), "f.toml").expect_err(want);
        assert!(e.starts_with(want), "got “{e}”, want “{want}…”");
        assert!(!e.contains('\n'), "one line: {e}");
    }
    // Saved and read back, the list is the same.
    let back: Lesson = toml::from_str(&toml::to_string(&ok).expect("toml")).expect("reads back");
    assert_eq!(back, ok);
}

/// Without `views`: the three plots, the tab the setup opens, and the settings when the check reads a setting.
#[test]
fn a_page_without_views_gets_the_plots_its_setup_tab_and_the_settings_its_check_needs() {
    use crate::tab::Tab;
    let notebook = Lesson::load("notebook").expect("notebook");
    let first = notebook.pages[0].views();
    assert_eq!(first, [View::LossLandscape, View::LossVsStep, View::WeightVsStep, View::Tab(Tab::NotebookLog)]);
    assert_eq!(notebook.pages[1].views(), View::PLOTS, "no tab named: the strip folds away");
    let fix = notebook.pages.iter().find(|p| matches!(p.check, Some(Check::GradientSource { .. }))).expect("page 4");
    assert!(fix.views().contains(&View::Settings), "the learner changes the gradient source: {:?}", fix.views());
    for (name, _) in BUILTIN {
        // A page that names its views (momentum's first page adds the settings, whose analysis it reads) is not
        // a default.
        for page in Lesson::load(name).expect("built-in").pages.into_iter().filter(|p| p.views.is_none()) {
            let views = page.views();
            let settings = page.check.as_ref().is_some_and(Check::reads_settings);
            assert_eq!(views.contains(&View::Settings), settings, "{name}: {}", page.title);
            assert!(View::PLOTS.iter().all(|p| views.contains(p)), "{name}: {}", page.title);
        }
    }
}
