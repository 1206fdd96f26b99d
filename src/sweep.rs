//! Many models at once: a sweep over beta (log-spaced) or over seeds. Each
//! replica is the experiment with its own seed and beta; the GPU backend
//! trains them all in the same dispatches.

use crate::config::{Experiment, MAX_BETA};
use crate::error::Error;

/// Most replicas one sweep may hold.
pub const MAX_REPLICAS: usize = 64;

/// One model of a sweep: its seed (data order, init, noise) and target beta.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Replica {
    pub seed: u32,
    pub beta: f64,
    /// The beta is the replica's own (a beta sweep): a live beta change
    /// leaves it. Otherwise the replica follows the experiment's beta.
    pub own_beta: bool,
}

impl Replica {
    /// The replica as it trains under `in_force` (the experiment at a step):
    /// its own beta, or the experiment's.
    pub fn under(self, in_force: &Experiment) -> Replica {
        if self.own_beta {
            self
        } else {
            Replica {
                beta: in_force.beta,
                ..self
            }
        }
    }
}

/// The replicas of a plain run: the experiment's own seed and beta.
pub fn single(experiment: &Experiment) -> Vec<Replica> {
    vec![Replica {
        seed: experiment.seed,
        beta: experiment.beta,
        own_beta: false,
    }]
}

/// `n` values log-spaced from `lo` to `hi` (both above 0), ends exactly as
/// given: lo * (hi / lo)^(i / (n - 1)); `lo` alone when `n` is 1. The betas
/// of a replica sweep (the page's "Sweep β") and of an `ibp sweep` grid, so
/// that the two name the same runs by the same links.
pub fn log_spaced(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| match i {
            0 => lo,
            i if i + 1 == n => hi,
            i => lo * (hi / lo).powf(i as f64 / (n - 1) as f64),
        })
        .collect()
}

/// Parses `beta=LO:HI:N` (N log-spaced betas from LO to HI, both > 0) or
/// `seed=FIRST:N` (N consecutive seeds), e.g. `beta=1e-4:1:16`.
pub fn parse(spec: &str, experiment: &Experiment) -> Result<Vec<Replica>, Error> {
    let bad = |why: &str| {
        Error::link(
            "sweep",
            format!("--sweep '{spec}': {why} (expected beta=LO:HI:N or seed=FIRST:N)"),
        )
    };
    let (key, range) = spec.split_once('=').ok_or_else(|| bad("no '='"))?;
    let parts: Vec<&str> = range.split(':').collect();
    let count = |text: &str| -> Result<usize, Error> {
        match text.parse::<usize>() {
            Ok(n) if (1..=MAX_REPLICAS).contains(&n) => Ok(n),
            _ => Err(bad(&format!(
                "the count '{text}' must be 1 to {MAX_REPLICAS}"
            ))),
        }
    };
    match (key, parts.as_slice()) {
        ("beta", [lo, hi, n]) => {
            let number = |t: &str| match t.parse::<f64>() {
                Ok(v) if v > 0.0 && v <= MAX_BETA => Ok(v),
                _ => Err(bad(&format!(
                    "'{t}' must be a beta above 0, at most {MAX_BETA}"
                ))),
            };
            let (lo, hi, n) = (number(lo)?, number(hi)?, count(n)?);
            Ok(log_spaced(lo, hi, n)
                .into_iter()
                .map(|beta| Replica {
                    seed: experiment.seed,
                    beta,
                    own_beta: true,
                })
                .collect())
        }
        ("seed", [first, n]) => {
            let first: u32 = first
                .parse()
                .map_err(|_| bad(&format!("'{first}' is not a seed")))?;
            let n = count(n)?;
            if first as u64 + n as u64 > u32::MAX as u64 + 1 {
                return Err(bad("seeds past 4294967295"));
            }
            Ok((0..n as u32)
                .map(|i| Replica {
                    seed: first + i,
                    beta: experiment.beta,
                    own_beta: false,
                })
                .collect())
        }
        _ => Err(bad("unknown form")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_sweeps_are_log_spaced_and_seeds_consecutive() {
        let e = Experiment::default();
        let r = parse("beta=1e-4:1:5", &e).unwrap();
        let betas: Vec<f64> = r.iter().map(|r| r.beta).collect();
        for (got, want) in betas.iter().zip([1e-4, 1e-3, 1e-2, 1e-1, 1.0]) {
            assert!((got / want - 1.0).abs() < 1e-12, "{got} vs {want}");
        }
        assert!(r.iter().all(|r| r.seed == e.seed));
        let s = parse("seed=7:3", &e).unwrap();
        assert_eq!(s.iter().map(|r| r.seed).collect::<Vec<_>>(), [7, 8, 9]);
        for bad in [
            "beta=0:1:4",
            "beta=1e-4:1",
            "beta=1e-4:1:65",
            "seed=x:2",
            "lr=1:2:3",
            "beta",
        ] {
            assert!(
                parse(bad, &e).unwrap_err().message.contains("--sweep"),
                "{bad}"
            );
        }
    }
}
