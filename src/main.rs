//! The `descent` binary: a command when one is given, otherwise the app.

use clap::Parser;

fn main() {
    let cli = match descent::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print in full; a usage error is one line (clap's first), exit 2.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let text = e.to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: invalid arguments"));
            std::process::exit(descent::cli::EXIT_BAD_INPUT);
        }
    };
    if let Some(command) = &cli.command {
        std::process::exit(descent::cli::run_command(command));
    }
    if let Some(preset) = &cli.gui.preset
        && descent::presets::Preset::parse(preset).is_none()
    {
        eprintln!("error: --preset {preset}: unknown app preset (available: notebook, race)");
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    if let Err(e) = cli.engine.settings().validate() {
        eprintln!("error: {e}");
        std::process::exit(descent::cli::EXIT_BAD_INPUT);
    }
    let data = match &cli.engine.data {
        Some(_) => match cli.engine.dataset() {
            // Data that the run's precision cannot hold are refused here as by the commands (the app's runs would
            // refuse them too).
            Ok(data) => match data.check_range(cli.engine.settings().precision) {
                Ok(()) => Some(data),
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::exit(descent::cli::EXIT_BAD_INPUT);
                }
            },
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(descent::cli::EXIT_BAD_INPUT);
            }
        },
        None => None,
    };
    std::process::exit(descent::app::run_native(cli.engine, cli.gui, data));
}
