//! `ibp --help`: every command's usage and description (from the commands'
//! own clap definitions), the exit codes, and every link key (from the key
//! table).

use ib_playground::config::{Experiment, KEYS};

/// The exit codes, as every command keeps them.
const EXIT_CODES: &str = "EXIT CODES:
  0  done
  1  the GPU failed (no adapter with --backend gpu, a lost device, a model
     too large for the adapter) or an internal error
  2  bad input: a link key, a flag, a file (the message names which)
  3  the run diverged: a report's loss, rate or I(Z;Y) bound was not a
     finite number. stderr names the step and the last finite report;
     stdout holds only finite reports, then a final line (\"final\": true,
     \"diverged\": true) with the last finite state. Try a smaller lr or beta.
     (ibp sweep records a diverged run as a line and goes on.)
  4  ibp sweep merge: runs of the sweep are missing (each named on stderr):
     run their tasks again.";

/// What `ibp --help` prints after clap's list of commands: each command's
/// usage and description as `ibp COMMAND --help` gives them, the exit
/// codes, and the link keys.
pub fn details(cli: &clap::Command) -> String {
    let mut text = String::from("COMMANDS IN FULL:\n");
    for command in cli.get_subcommands() {
        let usage = command
            .get_overridden_usage()
            .map(|u| u.to_string())
            .unwrap_or_else(|| format!("ibp {}", command.get_name()));
        let about = command
            .get_long_about()
            .or(command.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for line in usage.lines() {
            text.push_str(&format!("  {line}\n"));
        }
        for line in about.lines() {
            match line {
                "" => text.push('\n'),
                _ => text.push_str(&format!("      {line}\n")),
            }
        }
    }
    text.push('\n');
    text.push_str(EXIT_CODES);
    text.push_str("\n\n");
    text.push_str(&link_keys());
    text
}

/// Every link key: its name, meaning, values, default, and whether it is
/// live in the page.
fn link_keys() -> String {
    let mut text = String::from("LINK KEYS (missing keys take their defaults):\n");
    let defaults = Experiment::default();
    for spec in KEYS {
        text.push_str(&format!(
            "  {:<14} {}: {} [default {}]{}\n",
            spec.name,
            spec.doc,
            spec.kind.describe(),
            (spec.get)(&defaults),
            if spec.live { " (live in the page)" } else { "" }
        ));
    }
    text
}
