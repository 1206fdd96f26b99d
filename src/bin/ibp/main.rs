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
mod train;
mod usage;

use flags::Flags;
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

fn main() -> ExitCode {
    ib_playground::cpu::parallel::tune_allocator();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") || args[0] == "help" {
        print!("{}", usage::usage());
        return if args.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let command = args.remove(0);
    let flags = Flags(args);
    let result = match command.as_str() {
        "train" => train::command(flags),
        "data" => data_subset::command(flags).map_err(Failure::from),
        "bench" => benchmark::command(flags),
        "ib-curve" => ib_curve::command(flags).map_err(Failure::from),
        "evaluate" => evaluate::command(flags).map_err(Failure::from),
        "mi" => mi::command(flags).map_err(Failure::from),
        "anchors" => anchors::command(flags),
        other => Err(Failure::Input(format!(
            "unknown command '{other}' (commands: train, ib-curve, mi, anchors, evaluate, data, bench; see ibp --help)"
        ))),
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
    }
}
