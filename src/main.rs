//! The `descent` binary: a command when one is given, otherwise the app.

use clap::Parser;

fn main() {
    let cli = descent::cli::Cli::parse();
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
            Ok(data) => Some(data),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(descent::cli::EXIT_BAD_INPUT);
            }
        },
        None => None,
    };
    std::process::exit(descent::app::run_native(cli.engine, cli.gui, data));
}
