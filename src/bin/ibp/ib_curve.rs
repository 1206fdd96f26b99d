//! `ibp ib-curve`: the exact IB curve of a p(x,y) table or of paired
//! observations.

use crate::flags::{Flags, read_limited};
use ib_playground::info::exact_ib;

/// `--alpha A` and `--betas LO:HI:N` of `ibp ib-curve`.
fn ib_options(flags: &mut Flags) -> Result<exact_ib::Options, String> {
    let alpha = match flags.value("--alpha")? {
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
    if let Some(spec) = flags.value("--betas")? {
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

pub fn command(mut flags: Flags) -> Result<(), String> {
    let pxy = flags.value("--pxy")?;
    let samples = flags.value("--samples")?;
    let options = ib_options(&mut flags)?;
    flags.finish()?;
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
