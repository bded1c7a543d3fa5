//! Issue 23 §4, the headless twins of the app's computations: `descent basins`, `descent sweep` and `descent race`
//! through the real binary, checked against the app-side functions the tabs call, against the per-start trainer,
//! against closed forms, and against the NumPy peer's printout; and every bad flag is one line on stderr, exit 2.

mod common;

use common::{descent, stderr, stdout};
use descent::engine::basins::{BasinPlan, run_from};
use descent::engine::objective::{Builtin, Objective};
use descent::engine::sweep::{Criterion, TunePoint, best_under, ranking, tune_lrs};
use descent::engine::{Dataset, OptimizerKind, Params, Settings};
use descent::par_map::{Cancel, tune_all};
use descent::presets::Preset;

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid json")
}

/// The rows of a csv after its header, split at the commas.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// Each start of a small map ends where an ordinary run of the trainer from that start ends: the same outcome,
/// point and step. The starts are the cells' centres, the rows from the bottom. Himmelblau (the lanes' path), with
/// momentum, and a linear model with a bias (the trainer's own path), at lrs that converge, diverge and run out.
#[test]
fn basins_rows_are_the_trainers_runs_from_the_cell_centres() {
    let cases: [(&[&str], Settings); 3] = [
        (&["--objective", "himmelblau", "--lr", "0.03"], objective(Builtin::Himmelblau, OptimizerKind::Gd, 0.03)),
        (&["--objective", "rosenbrock", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.0005"], {
            let mut s = objective(Builtin::Rosenbrock, OptimizerKind::Sgd, 0.0005);
            s.optimizer.momentum = 0.9;
            s
        }),
        (&["--bias", "--lr", "0.1"], Settings { bias: true, ..Settings::default() }),
    ];
    let (g, max_steps) = (7, 600);
    let mut seen = std::collections::BTreeSet::new();
    for (flags, mut settings) in cases {
        if settings.objective.is_none() {
            settings.optimizer.lr = 0.1;
        }
        let mut args = vec!["basins", "--grid", "7", "--window=-4:5,-3:6", "--max-steps", "600"];
        args.extend_from_slice(flags);
        let out = descent(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(text.lines().next(), Some("w0,b0,outcome,w,b,steps"));
        let rows = rows(&text);
        assert_eq!(rows.len(), g * g);
        let plan = BasinPlan { w: [-4.0, 5.0], b: [-3.0, 6.0], size: [g, g], max_steps, tolerance: 1e-6 };
        let data = Dataset::notebook();
        for (k, row) in rows.iter().enumerate() {
            let (i, j) = (k % g, k / g);
            let centre = Params { w: -4.0 + 9.0 * (i as f64 + 0.5) / 7.0, b: -3.0 + 9.0 * (j as f64 + 0.5) / 7.0 };
            let num = |c: usize| row[c].parse::<f64>().expect("a number");
            assert!((num(0) - centre.w).abs() < 1e-12 && (num(1) - centre.b).abs() < 1e-12, "{row:?} {centre:?}");
            let end = run_from(&data, &settings, Params { w: num(0), b: num(1) }, &plan);
            assert_eq!(row[2], end.outcome.label(), "{args:?} {row:?}");
            assert_eq!((num(3), num(4)), (end.at.w, end.at.b), "{args:?} {row:?}");
            assert_eq!(row[5], end.steps.to_string(), "{args:?} {row:?}");
            seen.insert(row[2].clone());
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["converged", "diverged", "unfinished"]);
}

fn objective(b: Builtin, kind: OptimizerKind, lr: f64) -> Settings {
    let mut s = Settings::default();
    s.set_objective(Some(Objective::builtin(b)), true);
    s.optimizer.kind = kind;
    s.optimizer.lr = lr;
    s
}

/// The NumPy peer (../shared/bench/basins_peer.py) on Himmelblau's 200×200 grid over [−5, 5]², lr 0.01, ≤ 2000
/// steps, |∇f| ≤ 1e-6 printed `per minimum: [10285, 10395, 9449, 9871] diverged: 0 unfinished: 0`: the json's
/// shares are those counts, and the PNG is the map at 2 pixels a cell.
#[test]
fn basins_json_shares_are_the_numpy_peers_counts() {
    let png = tempfile::Builder::new().suffix(".png").tempfile().expect("a temp file");
    let path = png.path().to_str().expect("a utf-8 path");
    let out = descent(&[
        "basins",
        "--objective",
        "himmelblau",
        "--grid",
        "200",
        "--window=-5:5,-5:5",
        "--format",
        "json",
        "--png",
        path,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&stdout(&out));
    assert_eq!(v["starts"], 40_000);
    let basins = v["basins"].as_array().expect("basins");
    let got: Vec<(f64, f64, u64, f64)> = basins
        .iter()
        .map(|b| {
            let m = &b["minimum"];
            (
                m["w"].as_f64().unwrap(),
                m["b"].as_f64().unwrap(),
                b["starts"].as_u64().unwrap(),
                b["share"].as_f64().unwrap(),
            )
        })
        .collect();
    let peer = [
        (3.0, 2.0, 10285),
        (-2.805118086952745, 3.131312518250573, 10395),
        (-3.779310253377747, -3.28318599128617, 9449),
        (3.584428340330492, -1.848126526964404, 9871),
    ];
    assert_eq!(got.len(), 4, "the four minima and no other end");
    for ((w, b, n, share), (pw, pb, pn)) in got.iter().zip(peer) {
        assert!((w - pw).abs() < 1e-12 && (b - pb).abs() < 1e-12, "({w}, {b})");
        assert_eq!(*n, pn);
        assert_eq!(*share, pn as f64 / 40_000.0);
    }
    assert_eq!((v["diverged"]["starts"].as_u64(), v["unfinished"]["starts"].as_u64()), (Some(0), Some(0)));
    let img = image::open(png.path()).expect("a png").to_rgb8();
    assert_eq!(img.dimensions(), (400, 400));
    assert_eq!(img.get_pixel(399, 0).0, descent::export::basins::BASIN_RGB[0], "top right: the basin of (3, 2)");
}

/// Plain GD on the notebook's data (L = 7.5·(w − 3)², w₀ = 0): the gradient after k steps is −45·(1 − 15·lr)^k, so
/// the steps to |g| ≤ tol are ⌈ln(tol/45) / ln|1 − 15·lr|⌉, the loss there 67.5·(1 − 15·lr)^(2k); from lr = 2/15 on
/// every run diverges. The sweep's rows are those, and the tab's own computation's.
#[test]
fn sweep_steps_to_tolerance_follow_the_contraction_factor() {
    let out = descent(&["sweep", "--lrs", "0.001:0.3:37", "--tol", "1e-6"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("lr,steps_to_tol,final_loss,outcome"));
    let rows = rows(&text);
    assert_eq!(rows.len(), 37);
    let mut checked = 0;
    for row in &rows {
        let lr: f64 = row[0].parse().unwrap();
        let q = (1.0 - 15.0 * lr).abs();
        if q >= 1.0 {
            assert_eq!((row[1].as_str(), row[3].as_str()), ("none", "diverged"), "lr {lr}");
            continue;
        }
        let exact = (1e-6_f64 / 45.0).ln() / q.ln();
        if (exact - exact.round()).abs() < 1e-6 {
            continue; // on the boundary, rounding decides
        }
        let k = exact.ceil();
        assert_eq!((row[1].parse::<f64>().unwrap(), row[3].as_str()), (k, "converged"), "lr {lr}");
        let loss: f64 = row[2].parse().unwrap();
        let want = 67.5 * q.powf(2.0 * k);
        assert!((loss / want - 1.0).abs() < 1e-6, "lr {lr}: loss {loss}, closed form {want}");
        checked += 1;
    }
    assert!(checked >= 25, "{checked} rows checked");

    // The tab's plan and run (engine::sweep::plan, par_map::run_plan) give the same rows as the command's defaults.
    let data = Dataset::notebook();
    let s = Settings::default();
    let analysis = descent::engine::analysis::analyze(&data, &s, s.start());
    let plan = descent::engine::sweep::plan(&data, &s, &analysis, None);
    let mut points = Vec::new();
    descent::par_map::run_plan(&data, &s, &plan, &Cancel::default(), |p| points.push(p));
    let out = descent(&["sweep", "--format", "json"]);
    let v = json(&stdout(&out));
    let got = v["points"].as_array().expect("points");
    assert_eq!(got.len(), points.len());
    for (g, p) in got.iter().zip(&points) {
        assert_eq!(g["lr"].as_f64(), Some(p.lr));
        assert_eq!(g["steps_to_tol"].as_u64(), p.steps_to_tol);
        assert_eq!(g["final_loss"].as_f64(), Some(p.final_loss));
        assert_eq!(g["outcome"], p.outcome());
    }
    let fastest = descent::engine::sweep::fastest(&points).expect("a fastest lr");
    assert_eq!(v["fastest"]["lr"].as_f64(), Some(fastest.lr));
}

/// The race preset on the notebook: every run's tuned lr and both rankings are what the tab's functions (tune_all,
/// best_under, ranking) give; plain SGD's tuned lr is the grid's lr with the fewest steps by the closed form
/// ⌈ln(tol/45) / ln|1 − 15·lr|⌉ (the smaller lr on a tie).
#[test]
fn race_tunes_and_ranks_as_the_tab() {
    let out = descent(&["race", "--format", "json", "--k", "30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&stdout(&out));
    let specs = Preset::Race.specs(&Settings::default());
    let runs: Vec<Settings> = specs.iter().map(|s| s.settings.clone()).collect();
    let data = Dataset::notebook();
    let mut points: Vec<Vec<TunePoint>> = vec![Vec::new(); runs.len()];
    tune_all(&data, &runs, (30, 1e-6), &Cancel::default(), |(k, p)| points[k].push(p));
    let got = v["runs"].as_array().expect("runs");
    assert_eq!(got.len(), specs.len());
    for ((g, spec), p) in got.iter().zip(&specs).zip(&points) {
        assert_eq!(g["name"], spec.name.as_str());
        let best = best_under(p, Criterion::StepsToTolerance);
        assert_eq!(g["tuned"]["lr"].as_f64(), best.map(|b| b.lr), "{}", spec.name);
        assert_eq!(g["tuned"]["steps_to_tol"].as_u64(), best.and_then(|b| b.steps_to_tol));
        assert_eq!(g["best_by_loss_after_k"]["lr"].as_f64(), best_under(p, Criterion::LossAfter(30)).map(|b| b.lr));
        assert_eq!(g["curve"].as_array().map(Vec::len), Some(tune_lrs().len()));
    }
    let names = |c| -> Vec<String> { ranking(&points, c).into_iter().map(|(k, _)| specs[k].name.clone()).collect() };
    let order = |key: &str| -> Vec<String> {
        v[key].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(order("by_steps"), names(Criterion::StepsToTolerance));
    assert_eq!(order("by_loss_after_k"), names(Criterion::LossAfter(30)));

    // Plain SGD (the first run, no momentum): the closed form over the same grid of lrs.
    assert_eq!(specs[0].settings.optimizer.momentum, 0.0);
    let steps = |lr: f64| {
        let q = (1.0 - 15.0 * lr).abs();
        (q < 1.0).then(|| if q == 0.0 { 1.0 } else { ((1e-6_f64 / 45.0).ln() / q.ln()).ceil().max(1.0) })
    };
    let best = tune_lrs().into_iter().filter_map(|lr| steps(lr).map(|k| (k, lr))).min_by(|a, b| a.0.total_cmp(&b.0));
    let (k, lr) = best.expect("some lr converges");
    assert_eq!(got[0]["tuned"]["lr"].as_f64(), Some(lr));
    assert_eq!(got[0]["tuned"]["steps_to_tol"].as_f64(), Some(k));

    // The text names the same rankings.
    let text = stdout(&descent(&["race", "--k", "30"]));
    assert!(
        text.contains(&format!("by steps to tolerance: {}", names(Criterion::StepsToTolerance).join(" > "))),
        "{text}"
    );
    // AdamW reaches no tolerance within the tuning's budget, and the text says why at its lr: the floor's reason
    // that the app's banner and `trace` quote (tests/claims.rs checks it against the engine).
    let s = descent::presets::Preset::Race.specs(&Default::default()).pop().expect("AdamW").settings;
    let data = descent::engine::Dataset::notebook();
    let floor = descent::engine::floor::floor(&data, &s, &descent::engine::analysis::analyze(&data, &s, s.start()));
    let reason = floor.expect("AdamW's floor").reason(&s, 1e-6);
    let line = format!("AdamW: no learning rate reached the tolerance within 5000 steps: at lr 0.05, {reason}\n");
    assert!(text.contains(&line), "{text}");
}

/// Every bad flag of the three commands is one line on stderr and exit 2, with nothing on stdout.
#[test]
fn bad_flags_are_one_line_errors_with_exit_2() {
    let cases: &[&[&str]] = &[
        &["basins"],
        &["basins", "--bias", "--grid", "0"],
        &["basins", "--bias", "--grid", "many"],
        &["basins", "--bias", "--window", "5:-5,-5:5"],
        &["basins", "--bias", "--window", "-5:5"],
        &["basins", "--bias", "--window", "a:b,c:d"],
        &["basins", "--bias", "--tol", "0"],
        &["basins", "--bias", "--format", "xml"],
        &["basins", "--objective", "w^", "--grid", "3"],
        &["sweep", "--lrs", "0:1:5"],
        &["sweep", "--lrs", "0.1:0.01:5"],
        &["sweep", "--lrs", "0.01:0.1"],
        &["sweep", "--lrs", "0.01:0.1:0"],
        &["sweep", "--lrs", "0.01:0.1:x"],
        &["sweep", "--tol", "-1"],
        &["sweep", "--lr", "-0.1"],
        &["race", "--preset", "nope"],
        &["race", "--k", "0"],
        &["race", "--criterion", "fastest"],
        &["race", "--session", "/nonexistent/session.json"],
        &["race", "--preset", "race", "--session", "x.json"],
        &["race", "--format", "yaml"],
    ];
    for args in cases {
        let out = descent(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.starts_with("error"), "{args:?}: {err:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

/// A session's runs race on its data and at its tolerance: the csv's curves are tune_all's points for its settings,
/// each run's tuned row marked, the runs named as the session names them (quoted where a comma needs it).
#[test]
fn race_of_a_session_uses_its_runs_data_and_tolerance() {
    use descent::session::{Session, SessionRun};
    let mut session = Session::new(&Dataset::notebook());
    session.tolerance = Some(1e-3);
    let adam =
        Settings { optimizer: descent::engine::OptimizerConfig::new(OptimizerKind::Adam, 0.1), ..Settings::default() };
    let runs = [("plain, notebook", Settings::default()), ("adam", adam)];
    for (name, s) in &runs {
        session.runs.push(SessionRun::new(*name, s.clone(), [1, 2, 3]));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.json");
    session.save(&path).expect("save");
    let out = descent(&[
        "race",
        "--session",
        path.to_str().unwrap(),
        "--format",
        "csv",
        "--criterion",
        "loss-after",
        "--k",
        "7",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("run,lr,steps_to_tol,loss_after_k,tuned"));
    let settings: Vec<Settings> = runs.iter().map(|(_, s)| s.clone()).collect();
    let mut points: Vec<Vec<TunePoint>> = vec![Vec::new(); settings.len()];
    tune_all(&Dataset::notebook(), &settings, (7, 1e-3), &Cancel::default(), |(k, p)| points[k].push(p));
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), 2 * tune_lrs().len());
    for (line, (k, p)) in lines.iter().zip(points.iter().enumerate().flat_map(|(k, ps)| ps.iter().map(move |p| (k, p))))
    {
        let (name, rest) = if k == 0 {
            line.split_once("\"plain, notebook\",").map(|(_, r)| ("plain, notebook", r)).expect("quoted name")
        } else {
            line.split_once(',').expect("a name")
        };
        assert_eq!(name, runs[k].0);
        let f: Vec<&str> = rest.split(',').collect();
        assert_eq!(f[0].parse::<f64>().unwrap(), p.lr);
        assert_eq!(f[1], p.steps_to_tol.map_or("none".to_string(), |s| s.to_string()), "{line}");
        let loss = if p.loss_at_horizon.is_finite() { p.loss_at_horizon.to_string() } else { "none".into() };
        assert_eq!(f[2].parse::<f64>().ok().map(|v| v.to_string()).unwrap_or("none".into()), loss, "{line}");
        let tuned = best_under(&points[k], Criterion::LossAfter(7)).map(|b| b.lr) == Some(p.lr);
        assert_eq!(f[3], tuned.to_string(), "{line}");
    }
}
