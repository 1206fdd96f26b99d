//! The claims about IB curves: the exact solver on the DSBS, and the
//! squared IB tracing the curve of a deterministic Y where the IB
//! Lagrangian cannot (Kolchinsky, Tracey & Van Kuyk 2019).

use super::{Row, Verdict, in_parallel};
use crate::Failure;
use crate::train::open_cpu;
use ib_playground::gpu::block_on;
use ib_playground::info::dsbs;
use ib_playground::info::exact_ib::{Options, curve, entropy_bits, log_grid};
use ib_playground::run::Event;

/// Worst distance from the DSBS curve allowed to an exact-solver point.
const DSBS_TOLERANCE_BITS: f64 = 1e-6;

pub fn dsbs() -> Row {
    let p = 0.1;
    let result = curve(&dsbs::joint(p), &Options::default());
    let worst = result
        .hull
        .iter()
        .map(|s| (s.ity_bits - dsbs::ib_curve_ity_bits(p, s.ixt_bits)).abs())
        .fold(0.0, f64::max);
    Row {
        claim: "DSBS p = 0.1: the exact IB solver lies on the analytic curve",
        source: "Wyner & Ziv 1973 (Mrs Gerber's lemma); Tishby et al. 1999",
        paper: "I(T;Y) = 1 - h(p * h^-1(1 - I(X;T)))".into(),
        ours: format!(
            "worst of {} hull points {worst:.1e} bits off",
            result.hull.len()
        ),
        criterion: format!("<= {DSBS_TOLERANCE_BITS:e} bits"),
        verdict: Verdict::of(worst <= DSBS_TOLERANCE_BITS && result.hull.len() > 15),
        seconds: 0.0,
    }
}

/// The circle data: its label is a function of the input. The set-up of
/// the page's lesson "When Y is a function of X" (3,000 steps a run).
const CIRCLE: &str = "data=circle&hidden=16,16&k=2&seed=1&report=3000";
const CIRCLE_STEPS: u32 = 3000;
/// The 20 betas: from where the Lagrangian still keeps the label (0.2) to
/// where the squared IB keeps nothing (1.0), log-spaced.
const BETAS: (f64, f64, usize) = (0.2, 1.0, 20);
/// A rate within this of 0 or of H(Y) is at an end of the curve's
/// straight segment, not inside it.
const END_BITS: f64 = 0.01;
/// Two rates closer than this are one point.
const DISTINCT_BITS: f64 = 1e-3;
/// What each objective must reach: squared IB at least, IB at most.
const SQUARED_MIN: usize = 8;
const LAGRANGIAN_MAX: usize = 2;

/// The final rate (bits) of each beta's run of `objective`.
fn final_rates(objective: &str, betas: &[f64]) -> Result<Vec<f64>, Failure> {
    in_parallel(betas, |beta| {
        let link = format!("{CIRCLE}&objective={objective}&beta={beta}");
        let mut run = open_cpu(&link)?.until(CIRCLE_STEPS);
        let mut rate = f64::NAN;
        block_on(run.run_to_end(|event| {
            if let Event::Finished { reports } = event {
                rate = reports[0].rate_bits;
            }
        }))?;
        Ok(rate)
    })
}

/// How many of `rates` lie strictly inside (END_BITS, hy - END_BITS) and
/// more than DISTINCT_BITS from each other.
pub fn distinct_interior(rates: &[f64], hy_bits: f64) -> usize {
    let mut inside: Vec<f64> = rates
        .iter()
        .copied()
        .filter(|&r| r > END_BITS && r < hy_bits - END_BITS)
        .collect();
    inside.sort_by(f64::total_cmp);
    inside.dedup_by(|b, a| *b - *a <= DISTINCT_BITS);
    inside.len()
}

pub fn squared_ib() -> Result<Row, Failure> {
    let run = open_cpu(CIRCLE)?;
    let labels = &run.dataset().train.y;
    let mut counts = vec![0.0; run.dataset().classes];
    labels.iter().for_each(|&y| counts[y as usize] += 1.0);
    let hy = entropy_bits(
        &counts
            .iter()
            .map(|c| c / labels.len() as f64)
            .collect::<Vec<_>>(),
    );
    let betas = log_grid(BETAS.0, BETAS.1, BETAS.2);
    let ib = distinct_interior(&final_rates("vib", &betas)?, hy);
    let squared = distinct_interior(&final_rates("sqib", &betas)?, hy);
    Ok(Row {
        claim: "Y a function of X (circle): squared IB traces the curve, the IB Lagrangian cannot",
        source: "Kolchinsky, Tracey & Van Kuyk 2019",
        paper: "Lagrangian: only the ends; squared IB: every point".into(),
        ours: format!(
            "distinct rates inside (0, H(Y) = {hy:.3} bits) over {} betas {}..{}: \
             squared IB {squared}, IB {ib}",
            BETAS.2, BETAS.0, BETAS.1
        ),
        criterion: format!("squared IB >= {SQUARED_MIN}, IB <= {LAGRANGIAN_MAX}"),
        verdict: Verdict::of(squared >= SQUARED_MIN && ib <= LAGRANGIAN_MAX),
        seconds: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_points_exclude_the_ends_and_merge_close_rates() {
        let rates = [0.0, 0.005, 0.3, 0.3005, 0.302, 0.7, 0.995, 1.3];
        // 0.3 and 0.3005 are one point; 0.005 and 0.995 sit at the ends.
        assert_eq!(distinct_interior(&rates, 1.0), 3);
        assert_eq!(distinct_interior(&[1.3, 2.2, 0.0], 1.0), 0);
    }

    #[test]
    fn the_dsbs_row_passes_on_the_exact_solver() {
        let row = dsbs();
        assert_eq!(row.verdict, Verdict::Pass, "{}", row.ours);
    }
}
