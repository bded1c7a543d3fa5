//! The `descent` binary: a command when one is given, otherwise the app.

use clap::Parser;

fn main() {
    let cli = descent::cli::Cli::parse();
    if let Some(command) = &cli.command {
        std::process::exit(descent::cli::run_command(command));
    }
    eprintln!("error: the app is not built yet; try `descent trace`");
    std::process::exit(descent::cli::EXIT_BAD_INPUT);
}
