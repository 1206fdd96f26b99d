//! `ibp mi`: the information plane's estimators on a user's own activations.

use crate::flags::{Flags, read_limited};
use ib_playground::config::{self, Estimator};
use ib_playground::info::activations::{self, Options};

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
fn options(flags: &mut Flags) -> Result<Options, String> {
    let name = flags
        .value("--estimator")?
        .unwrap_or_else(|| "binning".into());
    let estimator = Estimator::from_name(&name)
        .ok_or_else(|| format!("--estimator: '{name}' is not one of {}", Estimator::names()))?;
    let bins = match flags.value("--bins")? {
        Some(b) => {
            config::Experiment::from_link(&format!("bins={b}"))
                .map_err(|e| format!("--bins: {e}"))?
                .bins
        }
        None => config::Experiment::default().bins,
    };
    let range = flags.value("--range")?.map(|r| range(&r)).transpose()?;
    if range.is_some() && estimator != Estimator::Binning {
        return Err("--range goes with --estimator binning".into());
    }
    Ok(Options {
        estimator,
        bins,
        range,
    })
}

pub fn command(mut flags: Flags) -> Result<(), String> {
    let path = flags
        .value("--csv")?
        .ok_or("mi needs --csv FILE (activation columns and a label column, with a header)")?;
    let label = flags.value("--y")?.unwrap_or_else(|| "y".into());
    let options = options(&mut flags)?;
    flags.finish()?;
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
