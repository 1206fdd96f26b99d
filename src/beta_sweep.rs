//! The page's "Sweep β": N models with betas log-spaced from LO to HI
//! (`sweep::log_spaced`), each trained the same number of steps, as one
//! run's replicas (in the same GPU dispatches). Its grid is the `ibp sweep`
//! grid `beta=LO:HI:N`, so the page's export and the CLI name the same runs
//! by the same links; a shared link carries it as `?sweep=GRID` and
//! `sweep_steps=N`. The form's fields and the link's text are read here,
//! with errors that name the field.

use crate::config::{MAX_BETA, real_text};
use crate::error::Error;
use crate::sweep::MAX_REPLICAS;
use serde::Serialize;

/// Most steps the page's sweep trains (1,000 take seconds on a laptop).
pub const MAX_STEPS: u32 = 100_000;

/// The page's β sweep: `count` betas from `from` to `to`, `steps` each.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BetaSweep {
    pub from: f64,
    pub to: f64,
    pub count: usize,
    pub steps: u32,
    /// `beta=FROM:TO:COUNT`, the numbers in the link's short form.
    pub grid: String,
}

/// A beta of the range: above 0, at most `MAX_BETA`.
fn beta(field: &str, text: &str) -> Result<f64, Error> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= MAX_BETA => Ok(v),
        _ => Err(Error::link(
            field,
            format!("β '{text}' must be a number above 0 and at most {MAX_BETA} (e.g. 1e-5)"),
        )),
    }
}

/// A whole number from 1 to `max`.
fn whole(field: &str, what: &str, text: &str, max: u64) -> Result<u64, Error> {
    match text.trim().parse::<u64>() {
        Ok(v) if (1..=max).contains(&v) => Ok(v),
        _ => Err(Error::link(
            field,
            format!("{what} '{text}' must be a whole number from 1 to {max}"),
        )),
    }
}

impl BetaSweep {
    /// The sweep of the page's form: β from, β to, models, steps. Errors
    /// name the field (`key`: sweep_from, sweep_to, sweep_count,
    /// sweep_steps) and what it takes.
    pub fn from_fields(from: &str, to: &str, count: &str, steps: &str) -> Result<BetaSweep, Error> {
        let (from, to) = (beta("sweep_from", from)?, beta("sweep_to", to)?);
        let count = whole(
            "sweep_count",
            "the number of models",
            count,
            MAX_REPLICAS as u64,
        )?;
        let steps = whole("sweep_steps", "the steps", steps, MAX_STEPS as u64)?;
        if count > 1 && from >= to {
            return Err(Error::link(
                "sweep_to",
                format!(
                    "the range's end ({}) must be above its start ({})",
                    real_text(to),
                    real_text(from)
                ),
            ));
        }
        let grid = format!("beta={}:{}:{count}", real_text(from), real_text(to));
        Ok(BetaSweep {
            from,
            to,
            count: count as usize,
            steps: steps as u32,
            grid,
        })
    }

    /// The sweep a link carries: `grid` as `beta=FROM:TO:COUNT` and its
    /// steps. Errors say what the link's sweep should look like.
    pub fn from_grid(grid: &str, steps: &str) -> Result<BetaSweep, Error> {
        let parts = grid
            .strip_prefix("beta=")
            .map(|range| range.split(':').collect::<Vec<_>>());
        match parts.as_deref() {
            Some([from, to, count]) => BetaSweep::from_fields(from, to, count, steps),
            _ => Err(Error::link(
                "sweep",
                format!("the link's sweep '{grid}' is not beta=FROM:TO:COUNT (e.g. beta=1e-5:1:8)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_gives_the_cli_grid_and_bad_fields_are_named() {
        let sweep = BetaSweep::from_fields("1e-5", "1", "8", "1000").unwrap();
        assert_eq!(sweep.grid, "beta=1e-5:1:8");
        assert_eq!(BetaSweep::from_grid(&sweep.grid, "1000").unwrap(), sweep);
        // The page's runs are the CLI grid's, link for link.
        let betas = crate::sweep::log_spaced(sweep.from, sweep.to, sweep.count);
        let grid = crate::grid::parse(&sweep.grid).unwrap();
        let texts: Vec<String> = betas.iter().map(|b| format!("{b}")).collect();
        assert_eq!(grid.axes[0].values, texts);
        for (fields, key) in [
            (["0", "1", "8", "1000"], "sweep_from"),
            (["1e-5", "2e9", "8", "1000"], "sweep_to"),
            (["1e-5", "1", "65", "1000"], "sweep_count"),
            (["1e-5", "1", "8", "0"], "sweep_steps"),
            (["1", "1e-5", "8", "1000"], "sweep_to"),
            (["x", "1", "8", "1000"], "sweep_from"),
        ] {
            let [from, to, count, steps] = fields;
            let error = BetaSweep::from_fields(from, to, count, steps).unwrap_err();
            assert_eq!(error.key.as_deref(), Some(key), "{fields:?}: {error}");
        }
        assert!(BetaSweep::from_fields("1e-3", "1e-3", "1", "10").is_ok());
        let bad = BetaSweep::from_grid("seed=1:8", "1000").unwrap_err();
        assert!(bad.message.contains("beta=FROM:TO:COUNT"), "{bad}");
    }
}
