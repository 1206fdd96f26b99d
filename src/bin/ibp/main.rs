//! `ibp`: train bottleneck models from share links, prepare data, benchmark.
//! Output is JSON on stdout (one object per line); errors go to stderr with a
//! non-zero exit code. One file per command; flags.rs parses their flags.

mod anchors;
mod benchmark;
mod data_subset;
mod evaluate;
mod flags;
mod ib_curve;
mod long_run;
mod mi;
mod sweep;
mod train;
mod usage;

use ib_playground::error::{Error, ErrorKind};
use std::process::ExitCode;

/// Why a command failed; each has its exit code.
pub enum Failure {
    /// A link, a flag or a file is wrong (exit 2).
    Input(String),
    /// The run diverged (exit 3).
    Diverged(String),
    /// The GPU failed, or a bug (exit 1).
    Other(String),
    /// `ibp sweep merge`: runs of the sweep are missing (exit 4).
    Incomplete(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Input(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Input(message.into())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e.kind {
            ErrorKind::Link | ErrorKind::Data => Failure::Input(e.message),
            ErrorKind::Diverged => Failure::Diverged(e.message),
            ErrorKind::Gpu | ErrorKind::Limit | ErrorKind::Internal => Failure::Other(e.message),
        }
    }
}

/// The command line: one subcommand, each with its own flags.
#[derive(clap::Parser, Debug)]
#[command(
    name = "ibp",
    version,
    about = "ibp: the Information Bottleneck Playground on the command line",
    arg_required_else_help = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    Train(train::Args),
    IbCurve(ib_curve::Args),
    Mi(mi::Args),
    Anchors(anchors::Args),
    Evaluate(evaluate::Args),
    Data(data_subset::Args),
    Bench(benchmark::Args),
    Sweep(sweep::Args),
    /// Prints a completion script for your shell
    #[command(
        override_usage = "ibp completions bash|zsh|fish",
        long_about = "Prints the completion script of bash, zsh or fish (also elvish and\n\
                      powershell) on stdout, e.g. `ibp completions bash > ~/.local/share/\n\
                      bash-completion/completions/ibp`, or `source <(ibp completions bash)`."
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// This text
    #[command(override_usage = "ibp --help | ibp help | ibp COMMAND --help")]
    Help,
}

/// The command line's definition, with the full text of `ibp --help`.
fn cli() -> clap::Command {
    let command = <Cli as clap::CommandFactory>::command();
    let details = usage::details(&command);
    command.after_help(details.clone()).after_long_help(details)
}

fn main() -> ExitCode {
    ib_playground::cpu::parallel::tune_allocator();
    let mut definition = cli();
    let matches = match definition.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        Err(e) => {
            // Help and version exit 0; a wrong command or flag exits 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let parsed = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
        .expect("clap checked the arguments");
    let result = match parsed.command {
        Command::Train(args) => train::command(args),
        Command::IbCurve(args) => ib_curve::command(args).map_err(Failure::from),
        Command::Mi(args) => mi::command(args).map_err(Failure::from),
        Command::Anchors(args) => anchors::command(args),
        Command::Evaluate(args) => evaluate::command(args).map_err(Failure::from),
        Command::Data(args) => data_subset::command(args).map_err(Failure::from),
        Command::Bench(args) => benchmark::command(args),
        Command::Sweep(args) => sweep::command(args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut definition, "ibp", &mut std::io::stdout());
            Ok(())
        }
        Command::Help => {
            print!("{}", definition.render_long_help());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Diverged(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Incomplete(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(4)
        }
    }
}
