//! Runs one command ([`run_command`]): each has its own file; this one sends the command there, prints a failure as
//! one line on stderr, and turns the outcome into the process exit code.

use std::io::{self, BufWriter, Write};

use super::Command;
use super::common::{CliError, EXIT_BAD_INPUT, EXIT_OK};
use super::say_line as message;

/// Runs a command and returns the process exit code. Errors are printed as one line on stderr.
///
/// A closed stdout (`descent trace | head`) ends the command at once, quietly, with [`EXIT_OK`]: the reader has
/// what it wanted, as with most Unix tools.
pub fn run_command(command: &Command) -> i32 {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match command {
        Command::Trace(a) => super::trace::trace(a, &mut out),
        Command::Analyze(a) => super::analyze::analyze(a, &mut out),
        Command::Gradcheck(a) => super::gradcheck::gradcheck(a, &mut out),
        Command::Gif(a) => super::gif::gif(a, &mut out),
        Command::Exercise(a) => match a.sheet {
            Some(n) => super::sheet::sheet(a, n, &mut out),
            None => super::exercise::exercise(a, &mut out),
        },
        Command::Replay(a) => super::replay::replay(a, &mut out),
        Command::Basins(a) => super::basins::basins(a, &mut out),
        Command::Sweep(a) => super::sweep::sweep(a, &mut out),
        Command::Race(a) => super::race::race(a, &mut out),
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        // A closed pipe (`descent trace | head`) is not an error worth a message.
        (Err(CliError::Io(e)), _) | (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        (Err(e), _) => {
            message(&format!("error: {e}"));
            EXIT_BAD_INPUT
        }
        (Ok(_), Err(e)) => {
            message(&format!("error: writing the output: {e}"));
            EXIT_BAD_INPUT
        }
    }
}
