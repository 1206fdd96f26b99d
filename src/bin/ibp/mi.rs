//! `ibp mi`: the information plane's estimators on a user's own activations.

use crate::flags::read_limited;
use ib_playground::config::{self, Estimator};
use ib_playground::info::activations::{self, Options};

/// How `ibp mi` is called (its usage line in `ibp --help` and
/// `ibp mi --help`).
pub const SYNOPSIS: &str =
    "ibp mi --csv FILE [--y COL] [--estimator binning|kde|exact] [--bins N] [--range LO:HI]";

/// What `ibp mi` does, its flags and output, for both helps.
pub const HELP: &str = "The information plane's estimators on your own activations: FILE has a
header, one row per input example, activation columns (t1, t2, ...) and
a label column (--y, default y; numbers or text). X is the example's
index, as on the plane. Prints one JSON line: ixt_bits, ity_bits,
estimator, n, units, classes, hx_bits (log2 n), saturated (I(X;T)
within 0.05 bits of log2 n), y, read_as; for binning also bins and
range (\"observed per column\": each column's [min, max], unless --range
LO:HI gives one range for all); for kde (noise variance 1e-3, at most
20,000 rows) noise_variance and the pairwise bounds ixt_upper_bits
(KL, the estimate) and ixt_lower_bits (Bhattacharyya); exact counts
the rows' codes (exact for quantized activations; distinct rows are
distinct codes). --estimator and --bins take the values of the link
keys estimator and bins. Bad cells are named by line and column.";

/// `--range LO:HI`: one binning range for every column.
fn range(text: &str) -> Result<(f32, f32), String> {
    let parts: Vec<f32> = text
        .split(':')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    match parts.as_slice() {
        [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Ok((*lo, *hi)),
        _ => Err(format!(
            "--range: '{text}' must be LO:HI with LO < HI, e.g. -1:1"
        )),
    }
}

/// The estimator and its bins: the names of the link key `estimator`, and
/// `bins` checked as the link key is (same limits).
/// `ibp mi`'s flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "The information plane's estimators on your own activations", long_about = HELP)]
pub struct Args {
    /// Activations (t1, t2, ...) and a label column, with a header.
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
    /// The label column (default y).
    #[arg(long, value_name = "COL")]
    y: Option<String>,
    /// binning (default), kde or exact: the link key estimator's values.
    #[arg(long, value_name = "NAME")]
    estimator: Option<String>,
    /// Bins per unit for binning, as the link key bins.
    #[arg(long, value_name = "N")]
    bins: Option<String>,
    /// One binning range for every column (default: each column's own).
    #[arg(long, value_name = "LO:HI", allow_hyphen_values = true)]
    range: Option<String>,
}

fn options(args: &Args) -> Result<Options, String> {
    let name = args.estimator.clone().unwrap_or_else(|| "binning".into());
    let estimator = Estimator::from_name(&name)
        .ok_or_else(|| format!("--estimator: '{name}' is not one of {}", Estimator::names()))?;
    let bins = match &args.bins {
        Some(b) => {
            config::Experiment::from_link(&format!("bins={b}"))
                .map_err(|e| format!("--bins: {e}"))?
                .bins
        }
        None => config::Experiment::default().bins,
    };
    let range = args.range.as_deref().map(range).transpose()?;
    if range.is_some() && estimator != Estimator::Binning {
        return Err("--range goes with --estimator binning".into());
    }
    Ok(Options {
        estimator,
        bins,
        range,
    })
}

pub fn command(args: Args) -> Result<(), String> {
    let path = args
        .csv
        .clone()
        .ok_or("mi needs --csv FILE (activation columns and a label column, with a header)")?;
    let label = args.y.clone().unwrap_or_else(|| "y".into());
    let options = options(&args)?;
    let bytes = read_limited("--csv", &path, activations::MAX_BYTES)?;
    let named = |e: ib_playground::data::DataError| format!("--csv {path}: {e}");
    let data = activations::parse(&bytes, &label).map_err(named)?;
    let estimate = activations::estimate(&data, options).map_err(named)?;
    println!(
        "{}",
        serde_json::to_string(&estimate).expect("estimates serialise")
    );
    Ok(())
}
