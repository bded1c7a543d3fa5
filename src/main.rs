//! The `descent` binary: a command when one is given, otherwise the app.

use clap::Parser;

fn main() {
    let cli = match descent::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print in full; a usage error is one line (clap's first), exit 2.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            descent::cli::say_line(&clap_line(&e));
            std::process::exit(descent::cli::EXIT_BAD_INPUT);
        }
    };
    if let Some(command) = &cli.command {
        std::process::exit(descent::cli::run_command(command));
    }
    if let Some(conflict) = opening_conflict(&cli) {
        descent::cli::say_line(&format!("error: {conflict}"));
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    if let Some(preset) = &cli.gui.preset
        && descent::presets::Preset::parse(preset).is_none()
    {
        let names: Vec<&str> = descent::presets::Preset::ALL.iter().map(|p| p.name()).collect();
        descent::cli::say_line(&format!(
            "error: --preset {preset}: unknown app preset (available: {})",
            names.join(", ")
        ));
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    if let Some(lesson) = &cli.gui.lesson
        && let Err(e) = descent::lesson::Lesson::load(lesson)
    {
        descent::cli::say_line(&format!("error: {e}"));
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    if let Some(conflict) = cli.engine.objective_conflict() {
        descent::cli::say_line(&format!("error: {conflict}"));
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    if let Err(e) = cli.engine.settings().validate() {
        descent::cli::say_line(&format!("error: {e}"));
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    let data = match &cli.engine.data {
        Some(_) => match cli.engine.dataset() {
            // Data that the run's precision cannot hold are refused here as by the commands (the app's runs would
            // refuse them too).
            Ok(data) => match data.check_range(cli.engine.settings().precision) {
                Ok(()) => Some(data),
                Err(e) => {
                    descent::cli::say_line(&format!("error: {e}"));
                    std::process::exit(descent::cli::EXIT_BAD_INPUT);
                }
            },
            Err(e) => {
                descent::cli::say_line(&format!("error: {e}"));
                std::process::exit(descent::cli::EXIT_BAD_INPUT);
            }
        },
        None => None,
    };
    std::process::exit(open_app(cli, data));
}

#[cfg(feature = "gui")]
fn open_app(cli: descent::cli::Cli, data: Option<descent::engine::Dataset>) -> i32 {
    descent::app::run_native(cli.engine, cli.gui, data)
}

/// A build without the `gui` feature (as the fuzz targets use) has every command but not the window.
#[cfg(not(feature = "gui"))]
fn open_app(_cli: descent::cli::Cli, _data: Option<descent::engine::Dataset>) -> i32 {
    descent::cli::say_line(
        "error: this descent was built without the app (the `gui` feature); run a command, e.g. `descent trace`",
    );
    descent::cli::EXIT_BAD_INPUT
}

/// What the app is asked to open, when two options would each replace the other's: a session brings its own data
/// and runs, and the notebook preset its own data.
fn opening_conflict(cli: &descent::cli::Cli) -> Option<String> {
    let (session, preset, data) = (&cli.gui.session, &cli.gui.preset, &cli.engine.data);
    match (session, preset, data) {
        (Some(_), Some(p), _) => Some(format!("--session and --preset {p}: a session brings its own runs; give one")),
        (Some(_), None, Some(d)) => Some(format!("--session and --data {d}: a session brings its own data; give one")),
        (None, Some(p), Some(d)) if p.trim().eq_ignore_ascii_case("notebook") => {
            Some(format!("--preset notebook and --data {d}: the notebook preset runs on the notebook's data; give one"))
        }
        _ => None,
    }
}

/// A clap error in one line. An invalid value is quoted as descent quotes input (control characters escaped, a
/// long value cut in the middle: clap would print a newline raw, or 100 KB of a long expression), with the reason
/// descent's parser gave; anything else is [`first_line`] of clap's text, escaped and cut the same way.
fn clap_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    use descent::format::echo;
    if let (Some(ContextValue::String(value)), Some(ContextValue::String(arg))) =
        (e.get(ContextKind::InvalidValue), e.get(ContextKind::InvalidArg))
    {
        let why = std::error::Error::source(e).map(|s| format!(": {}", echo(&s.to_string(), 300))).unwrap_or_default();
        return format!("error: invalid value '{}' for '{arg}'{why}", echo(value, 80));
    }
    echo(&first_line(&e.to_string()), 400)
}

/// A clap error in one line: its first, with the next one appended when the first ends in a colon ("the following
/// required arguments were not provided: --out <PATH>"), so that the line names the flag.
fn first_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("error: invalid arguments");
    match lines.next() {
        Some(next) if first.ends_with(':') => format!("{first} {next}"),
        _ => first.to_string(),
    }
}
