//! The var_u information plane: tanh compresses its last hidden layer more
//! than ReLU does (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018), by
//! binning (checked) and on the exact plane of the quantized network
//! (reported: the papers make no claim about it).

use super::{Row, Tier, Verdict, in_parallel};
use crate::Failure;
use crate::train::open_cpu;
use ib_playground::gpu::block_on;

/// The link of REPRODUCTIONS.md's var_u table (12-10-7-5-4-3, Adam 4e-4,
/// batch 256); `extra` adds keys. The plane is read every `EVERY` steps by
/// `last_hidden_series`, not by the run's reports.
fn link(act: &str, seed: u32, extra: &str) -> String {
    format!(
        "data=var_u&hidden=10,7,5,4,3&act={act}&k=2&beta=0&lr=4e-4&batch=256\
         &seed={seed}&samples=1&plane=1{extra}"
    )
}

/// Steps between readings of the plane: 64 steps of 256 examples, 5 epochs
/// (REPRODUCTIONS.md's var_u table reported every 5 epochs too).
pub const EVERY: u32 = 64;

/// Epochs of `steps` steps of 256 examples over var_u's 3,276 training
/// examples (12,800 steps: 1,000 epochs).
fn epochs(steps: u32) -> u32 {
    (steps as f64 * 256.0 / 3276.0).round() as u32
}

/// Compression of a series of I(X;T) values in bits: the peak minus the
/// last value (0 for a series that only rises or is empty).
pub fn compression_bits(series: &[f64]) -> f64 {
    let peak = series.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match series.last() {
        Some(&last) => peak - last,
        None => 0.0,
    }
}

/// I(X;T) of the last hidden layer (T5) every `EVERY` steps of one run of
/// `steps` steps, from step `EVERY` on. The readings are the plane's own
/// (`Run::hidden_plane`) without Z's pairwise estimate, which would cost
/// 0.5 s a reading; the run itself reports once, at its end.
fn last_hidden_series(link: &str, steps: u32) -> Result<Vec<f64>, Failure> {
    let mut run = open_cpu(&format!("{link}&report={steps}"))?.until(steps);
    let mut series = Vec::new();
    for mark in (EVERY..=steps).step_by(EVERY as usize) {
        run.hold_at(Some(mark));
        while run.steps() < mark {
            if run.diverged() {
                let at = run.steps();
                return Err(Failure::Diverged(format!("{link}: diverged at step {at}")));
            }
            block_on(run.advance(u32::MAX))?;
        }
        let layers = block_on(run.hidden_plane())?;
        series.push(layers.last().map_or(f64::NAN, |l| l.ixt_bits));
    }
    Ok(series)
}

/// One seed's T5 readings (`last_hidden_series`): (tanh's, ReLU's).
pub type SeriesPair = (Vec<f64>, Vec<f64>);

/// Per seed: T5's readings under tanh and under ReLU.
fn series(tier: Tier, extra: &str) -> Result<Vec<SeriesPair>, Failure> {
    let runs: Vec<(&str, u32)> = (1..=tier.seeds)
        .flat_map(|s| [("tanh", s), ("relu", s)])
        .collect();
    let each = in_parallel(&runs, |&(act, seed)| {
        last_hidden_series(&link(act, seed, extra), tier.plane_steps)
    })?;
    let mut each = each.into_iter();
    let mut pairs = Vec::new();
    while let (Some(tanh), Some(relu)) = (each.next(), each.next()) {
        pairs.push((tanh, relu));
    }
    Ok(pairs)
}

/// Per seed: (tanh's, ReLU's) compression of T5 in bits over the first
/// `steps` steps of each series.
pub fn compressions_by(pairs: &[SeriesPair], steps: u32) -> Vec<(f64, f64)> {
    let upto = |s: &[f64]| compression_bits(&s[..((steps / EVERY) as usize).min(s.len())]);
    pairs.iter().map(|(t, r)| (upto(t), upto(r))).collect()
}

/// The 1,000 epochs of REPRODUCTIONS.md's var_u table: a tier that trains
/// longer shows the comparison at this point of the same runs too.
const SHORTER: u32 = 12_800;

/// The tanh/ReLU comparison on the plane `extra` keys choose: (what the
/// table says, seeds where tanh compresses at least twice as much at the
/// tier's end).
fn compare(tier: Tier, extra: &str) -> Result<(String, usize), Failure> {
    let all = series(tier, extra)?;
    let at = |steps: u32| {
        let pairs = compressions_by(&all, steps);
        let twice = seeds_with_twice(&pairs);
        let said = format!(
            "{} ({} epochs); >= 2x in {twice} of {}",
            describe(&pairs),
            epochs(steps),
            pairs.len()
        );
        (said, twice)
    };
    let (mut ours, twice) = at(tier.plane_steps);
    if tier.plane_steps > SHORTER {
        ours += &format!(
            "; the same runs at {} epochs: {}",
            epochs(SHORTER),
            at(SHORTER).0
        );
    }
    Ok((ours, twice))
}

/// "1.29/0.50, ..." and the means, for the table.
fn describe(pairs: &[(f64, f64)]) -> String {
    let n = pairs.len() as f64;
    let each: Vec<String> = pairs
        .iter()
        .map(|(t, r)| format!("{t:.2}/{r:.2}"))
        .collect();
    let tanh = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let relu = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    format!(
        "tanh/ReLU T5 compression by seed: {}; means {tanh:.2} vs {relu:.2} bits",
        each.join(", ")
    )
}

/// Seeds where tanh compresses at least twice as much as ReLU.
pub fn seeds_with_twice(pairs: &[(f64, f64)]) -> usize {
    pairs.iter().filter(|(t, r)| *t >= 2.0 * r.max(0.0)).count()
}

pub fn binning(tier: Tier) -> Result<Row, Failure> {
    let (ours, twice) = compare(tier, "")?;
    Ok(Row {
        claim: "var_u, binning (30 bins): tanh compresses T5 more than ReLU",
        source: "Shwartz-Ziv & Tishby 2017; Saxe et al. 2018",
        paper: "tanh: fitting then compression; ReLU: no compression".into(),
        ours,
        criterion: format!(
            "tanh >= 2x ReLU in >= {} of {} seeds",
            tier.plane_min_seeds, tier.seeds
        ),
        verdict: Verdict::of(twice >= tier.plane_min_seeds),
        seconds: 0.0,
    })
}

pub fn exact(tier: Tier) -> Result<Row, Failure> {
    let (ours, _) = compare(tier, "&quant=8&estimator=exact")?;
    Ok(Row {
        claim: "var_u, exact plane (quant=8): the same comparison",
        source: "Lorenzen, Igel & Nielsen 2022",
        paper: "exact MI: hidden-layer compression depends on the activation".into(),
        ours,
        criterion: "reported".into(),
        verdict: Verdict::Reported,
        seconds: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_is_the_peak_minus_the_end() {
        assert_eq!(compression_bits(&[9.0, 10.5, 10.0, 8.25]), 2.25);
        assert_eq!(compression_bits(&[1.0, 2.0, 3.0]), 0.0);
        assert_eq!(compression_bits(&[]), 0.0);
    }

    #[test]
    fn compressions_by_reads_each_series_up_to_the_step() {
        // A reading every 64 steps: by step 128 the first two, and so on.
        let pairs = vec![(vec![1.0, 3.0, 2.0, 0.5], vec![1.0, 1.5, 2.0, 2.5])];
        assert_eq!(compressions_by(&pairs, 128), vec![(0.0, 0.0)]);
        assert_eq!(compressions_by(&pairs, 192), vec![(1.0, 0.0)]);
        assert_eq!(compressions_by(&pairs, 256), vec![(2.5, 0.0)]);
        assert_eq!(compressions_by(&pairs, 1_000_000), vec![(2.5, 0.0)]);
    }

    #[test]
    fn twice_counts_seeds_where_tanh_compresses_at_least_twice_as_much() {
        // REPRODUCTIONS.md's 1000-epoch table: ratios 2.6, 3.1, 1.1, 1.9, 6.1.
        let pairs = [
            (1.29, 0.50),
            (1.20, 0.39),
            (0.26, 0.23),
            (1.34, 0.72),
            (2.63, 0.43),
        ];
        assert_eq!(seeds_with_twice(&pairs), 3);
        // A ReLU layer that grew (negative compression) counts as none.
        assert_eq!(seeds_with_twice(&[(0.1, -0.5)]), 1);
    }
}
