//! `ibp ib-curve`: the exact IB curve of a p(x,y) table or of paired
//! observations.

use crate::flags::read_limited;
use ib_playground::info::exact_ib;

/// How `ibp ib-curve` is called (its usage line in `ibp --help` and
/// `ibp ib-curve --help`).
pub const SYNOPSIS: &str =
    "ibp ib-curve (--pxy FILE.csv | --samples FILE.csv) [--alpha A] [--betas LO:HI:N]";

/// What `ibp ib-curve` does, its flags and output, for both helps.
pub const HELP: &str = "The exact IB curve of a discrete joint distribution: --pxy gives rows
x, columns y of non-negative weights (normalised by the tool);
--samples gives paired observations, two columns (x, y) of symbols or
numbers, header optional, counted into the table (the output adds
\"samples\", \"plug_in_ixy_bits\" and its Miller-Madow-corrected
\"miller_madow_ixy_bits\"). Either file may be UTF-8 or UTF-16, comma,
semicolon or tab separated. Prints JSON
{\"ixy_bits\", \"hx_bits\", \"points\": [{\"beta\", \"ixt_bits\", \"ity_bits\"}]}:
the upper hull of the self-consistent solutions over a log grid of beta
(default 0.1:1000:121; standard beta, not scaled by ln 2), from (0, 0)
to (H(X), I(X;Y)); each point's beta is the one whose solution it is,
null for the closing point (H(X), I(X;Y)), the limit beta -> infinity.
--alpha 0 gives the deterministic IB.";

/// `--alpha A` and `--betas LO:HI:N` of `ibp ib-curve`.
/// `ibp ib-curve`'s flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "The exact IB curve of a discrete joint distribution", long_about = HELP)]
pub struct Args {
    /// A joint table: rows x, columns y, non-negative weights.
    #[arg(long, value_name = "FILE.csv")]
    pxy: Option<String>,
    /// Paired observations (x, y), counted into the table.
    #[arg(long, value_name = "FILE.csv")]
    samples: Option<String>,
    /// 0 (deterministic IB) to 1 (IB, the default).
    #[arg(long, value_name = "A")]
    alpha: Option<String>,
    /// The beta grid, log-spaced (default 0.1:1000:121).
    #[arg(long, value_name = "LO:HI:N")]
    betas: Option<String>,
}

fn ib_options(args: &Args) -> Result<exact_ib::Options, String> {
    let alpha = match &args.alpha {
        Some(a) => match a.parse::<f64>() {
            Ok(v) if (0.0..=1.0).contains(&v) => v,
            _ => {
                return Err(format!(
                    "--alpha: '{a}' must be a number from 0 (deterministic IB) to 1 (IB)"
                ));
            }
        },
        None => 1.0,
    };
    let mut options = exact_ib::Options {
        alpha,
        ..Default::default()
    };
    if let Some(spec) = &args.betas {
        let parts: Vec<f64> = spec.split(':').filter_map(|p| p.parse().ok()).collect();
        match parts.as_slice() {
            [lo, hi, n]
                if *lo > 0.0 && hi > lo && *n >= 2.0 && *n <= 10_000.0 && n.fract() == 0.0 =>
            {
                options.betas = exact_ib::log_grid(*lo, *hi, *n as usize);
            }
            _ => {
                return Err(format!(
                    "--betas: '{spec}' must be LO:HI:N with 0 < LO < HI and 2 <= N <= 10000"
                ));
            }
        }
    }
    Ok(options)
}

pub fn command(args: Args) -> Result<(), String> {
    let options = ib_options(&args)?;
    let (pxy, samples) = (args.pxy, args.samples);
    let limit = ib_playground::info::tables::MAX_PXY_BYTES;
    let (joint, counted) = match (pxy, samples) {
        (Some(path), None) => {
            let bytes = read_limited("--pxy", &path, limit)?;
            let joint = ib_playground::info::tables::parse_pxy_bytes(&bytes)
                .map_err(|e| format!("--pxy {path}: {e}"))?;
            (joint, None)
        }
        (None, Some(path)) => {
            let bytes = read_limited("--samples", &path, limit)?;
            let samples = ib_playground::info::tables::parse_samples(&bytes)
                .map_err(|e| format!("--samples {path}: {e}"))?;
            (samples.joint.clone(), Some(samples))
        }
        _ => {
            return Err("ib-curve needs --pxy FILE.csv or --samples FILE.csv (one of them)".into());
        }
    };
    let result = exact_ib::curve(&joint, &options);
    let mut json = serde_json::to_value(result.to_json(options.alpha)).expect("curves serialise");
    if let Some(s) = counted {
        json["samples"] = s.count.into();
        json["plug_in_ixy_bits"] = s.plug_in_bits.into();
        json["miller_madow_ixy_bits"] = s.miller_madow_bits.into();
        json["x_symbols"] = s.x_symbols.into();
        json["y_symbols"] = s.y_symbols.into();
    }
    println!("{json}");
    Ok(())
}
