//! The information plane: for each hidden layer T, estimates of I(X;T) and
//! I(T;Y) over the training patterns (X uniform over them, the layer a
//! deterministic function of X), as in Shwartz-Ziv & Tishby (2017) and Saxe
//! et al. (2018). Three estimators, all of the form
//!   all_i   = log (1/N)   sum_j        k(i, j)
//!   label_i = log (1/N_y) sum_{j: y_j = y_i} k(i, j)
//!   I(X;T) ~ -mean_i all_i,   I(T;Y) ~ mean_i (label_i - all_i)
//! with k(i, i) = 1 and 0 <= k <= 1:
//! - binning: k = 1 when rows i and j fall in the same bins (`bins` equal
//!   bins per unit over the layer's range, 30 by default), so the estimates
//!   are the binned entropies H(T) and H(T) - H(T|Y);
//! - KDE (Kolchinsky & Tracey): k = exp(-|h_i - h_j|^2 / (2 s^2)), an upper
//!   bound on I(X;T) for T = h(X) + N(0, s^2 I);
//! - pairwise KL, for the stochastic latent: k = exp(-KL(p_i || p_j)) with
//!   p_i = N(mu_i, diag sigma_i^2), an estimate of I(X;Z) tighter than the rate.
//!   With k = exp(-D_B(p_i, p_j)), D_B the Bhattacharyya distance, the same
//!   sum is a lower bound: the two bracket the mixture's I(X;Z) (Kolchinsky &
//!   Tracey 2017, "Estimating mixture entropy with pairwise distances",
//!   Entropy 19:361, Theorems 2 and 3 with c_i = 1/N).
//!
//! `shaders/pairwise.wgsl` is the GPU twin of `pairwise_log_means`. The
//! logarithms and exponentials are `fmath`'s, written out in f64, so the
//! page (WebAssembly) and the CLI report the same bits.

use crate::config::Activation;
use crate::fmath::{exp_f64, ln_f64, log2_f64};
use ndarray::ArrayView2;
use std::collections::HashMap;

/// A layer whose I(X;T) is this close (bits) to log2 N, N the patterns
/// measured, is saturated: nearly every pattern has a code of its own, so
/// the estimator cannot see compression there.
pub const SATURATION_BITS: f64 = 0.05;
/// Noise variance s^2 of the KDE estimator.
pub const KDE_NOISE_VARIANCE: f64 = 1e-3;
/// Most training patterns used for the plane (the first ones of the split).
pub const MAX_PATTERNS: usize = 4096;
const LN2: f64 = std::f64::consts::LN_2;

/// The binning range of a layer: the activation's range where bounded, else
/// the layer's observed [min, max] (relu: [0, max]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    Fixed(f32, f32),
    /// [0, max] of the values.
    ZeroToMax,
    /// [min, max] of the values.
    Observed,
}

impl Range {
    /// The range used for a hidden layer with this activation (`None`: the
    /// latent mean, which is unbounded).
    pub fn of(activation: Option<Activation>) -> Range {
        match activation {
            Some(Activation::Tanh) => Range::Fixed(-1.0, 1.0),
            Some(Activation::Sigmoid) => Range::Fixed(0.0, 1.0),
            Some(Activation::Relu) => Range::ZeroToMax,
            Some(Activation::Gelu) | Some(Activation::Linear) | None => Range::Observed,
        }
    }

    /// Concrete (lo, hi) for these values.
    pub fn resolve(self, values: &[f32]) -> (f32, f32) {
        let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let min = values.iter().copied().fold(f32::INFINITY, f32::min);
        match self {
            Range::Fixed(lo, hi) => (lo, hi),
            Range::ZeroToMax => (0.0, max.max(0.0)),
            Range::Observed => (min, max),
        }
    }

    /// Words for the user: how the layer was binned.
    pub fn describe(self) -> &'static str {
        match self {
            Range::Fixed(..) => "the activation's range",
            Range::ZeroToMax => "[0, max] of the layer",
            Range::Observed => "[min, max] of the layer",
        }
    }
}

/// Bin of a value in [lo, hi] among `bins` (values outside land in the end
/// bins): floor((v - lo) * (bins / (hi - lo))), the same f32 steps as the GPU.
#[inline]
pub fn bin(v: f32, lo: f32, hi: f32, bins: u32) -> u32 {
    if hi <= lo {
        return 0;
    }
    let scale = bins as f32 / (hi - lo);
    ((v - lo) * scale).floor().clamp(0.0, (bins - 1) as f32) as u32
}

/// The name of the latent mean's layer on the plane.
pub const LATENT_MEAN: &str = "latent mean (deterministic)";

/// The plane's `Z` point: the code the model transmits, K units, from the
/// pairwise-KL mixture estimate over `n` patterns (bits).
pub fn code_point(
    izx_bits: f64,
    izy_bits: f64,
    units: usize,
    n: usize,
) -> crate::report::LayerInfo {
    crate::report::LayerInfo {
        layer: "Z".into(),
        units,
        ixt_bits: izx_bits,
        ity_bits: izy_bits,
        estimator: "pairwise-kl".into(),
        range: String::new(),
        saturated: saturated(izx_bits, n),
        binned_ixt_bits: None,
        binned_ity_bits: None,
    }
}

/// Whether an estimate of I(X;T) over `n` patterns sits at log2 n.
pub fn saturated(ixt_bits: f64, n: usize) -> bool {
    ixt_bits >= log2_f64(n.max(1) as f64) - SATURATION_BITS
}

/// (I(X;T), I(T;Y)) in bits from per-pattern log means.
pub fn from_log_means(all: &[f64], label: &[f64]) -> (f64, f64) {
    let n = all.len().max(1) as f64;
    let ixt = -all.iter().sum::<f64>() / n;
    let ity = all.iter().zip(label).map(|(a, l)| l - a).sum::<f64>() / n;
    (ixt / LN2, ity / LN2)
}

/// Binning estimate (bits) of a layer's (N, d) values with `bins` bins per
/// unit over `range`: the entropies of the binned codes, counted with a
/// hash map (O(N d)).
pub fn binning(
    values: ArrayView2<f32>,
    labels: &[u32],
    range: (f32, f32),
    bins: u32,
) -> (f64, f64) {
    binning_columns(values, labels, &vec![range; values.ncols()], bins)
}

/// `binning` with a range per column (`ranges`, one per column of `values`).
pub fn binning_columns(
    values: ArrayView2<f32>,
    labels: &[u32],
    ranges: &[(f32, f32)],
    bins: u32,
) -> (f64, f64) {
    let codes: Vec<Vec<u32>> = values
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .zip(ranges)
                .map(|(&v, &(lo, hi))| bin(v, lo, hi, bins))
                .collect()
        })
        .collect();
    entropies_of_codes(&codes, labels)
}

/// Exact (I(X;T), I(T;Y)) in bits of a discrete layer (a quantized
/// encoder's, or a function of one): X uniform over the N patterns and T
/// determined by X, so I(X;T) = H(T) and I(T;Y) = H(T) - H(T|Y) of the codes'
/// empirical distribution, counted with each row's exact bits (Lorenzen,
/// Igel & Nielsen 2022). No bins, no bandwidth: for a discrete T nothing is
/// estimated.
pub fn exact(values: ArrayView2<f32>, labels: &[u32]) -> (f64, f64) {
    let codes: Vec<Vec<u32>> = values
        .rows()
        .into_iter()
        // +0.0 and -0.0 are one value.
        .map(|r| r.iter().map(|&v| (v + 0.0).to_bits()).collect())
        .collect();
    entropies_of_codes(&codes, labels)
}

/// (H(T), H(T) - H(T|Y)) in bits of per-pattern codes, by counting.
fn entropies_of_codes(codes: &[Vec<u32>], labels: &[u32]) -> (f64, f64) {
    let mut count: HashMap<&[u32], usize> = HashMap::new();
    let mut count_label: HashMap<(&[u32], u32), usize> = HashMap::new();
    let mut per_label: HashMap<u32, usize> = HashMap::new();
    for (code, &y) in codes.iter().zip(labels) {
        *count.entry(code).or_default() += 1;
        *count_label.entry((code, y)).or_default() += 1;
        *per_label.entry(y).or_default() += 1;
    }
    let n = codes.len() as f64;
    let all: Vec<f64> = codes
        .iter()
        .map(|c| ln_f64(count[c.as_slice()] as f64 / n))
        .collect();
    let label: Vec<f64> = codes
        .iter()
        .zip(labels)
        .map(|(c, y)| ln_f64(count_label[&(c.as_slice(), *y)] as f64 / per_label[y] as f64))
        .collect();
    from_log_means(&all, &label)
}

/// The N x N reduction: per pattern i, log mean of k(i, j) over all j and
/// over the j with the same label. `score(i, j)` is ln k(i, j) <= 0.
pub fn pairwise_log_means(
    n: usize,
    labels: &[u32],
    score: impl Fn(usize, usize) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut all = Vec::with_capacity(n);
    let mut label = Vec::with_capacity(n);
    for i in 0..n {
        let (mut sum_all, mut sum_label, mut same) = (0.0, 0.0, 0usize);
        for j in 0..n {
            let k = exp_f64(score(i, j));
            sum_all += k;
            if labels[j] == labels[i] {
                sum_label += k;
                same += 1;
            }
        }
        all.push(ln_f64(sum_all / n as f64));
        label.push(ln_f64(sum_label / same as f64));
    }
    (all, label)
}

/// KDE estimate (bits) with noise variance `noise_variance`.
pub fn kde(values: ArrayView2<f32>, labels: &[u32], noise_variance: f64) -> (f64, f64) {
    let rows: Vec<Vec<f32>> = values.rows().into_iter().map(|r| r.to_vec()).collect();
    let scale = 1.0 / (2.0 * noise_variance);
    let (all, label) = pairwise_log_means(rows.len(), labels, |i, j| {
        let d2: f64 = rows[i]
            .iter()
            .zip(&rows[j])
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum();
        -d2 * scale
    });
    from_log_means(&all, &label)
}

/// KL(N(mu_a, diag s_a^2) || N(mu_b, diag s_b^2)) in nats.
pub fn gaussian_kl(mu_a: &[f32], s_a: &[f32], mu_b: &[f32], s_b: &[f32]) -> f64 {
    mu_a.iter()
        .zip(s_a)
        .zip(mu_b.iter().zip(s_b))
        .map(|((&ma, &sa), (&mb, &sb))| {
            let (ma, sa, mb, sb) = (ma as f64, sa as f64, mb as f64, sb as f64);
            ln_f64(sb / sa) + (sa * sa + (ma - mb).powi(2)) / (2.0 * sb * sb) - 0.5
        })
        .sum()
}

/// Bhattacharyya distance between N(mu_a, diag s_a^2) and N(mu_b, diag
/// s_b^2) in nats: per unit (ma - mb)^2 / (4 (sa^2 + sb^2)) +
/// ln((sa^2 + sb^2) / (2 sa sb)) / 2.
pub fn gaussian_bhattacharyya(mu_a: &[f32], s_a: &[f32], mu_b: &[f32], s_b: &[f32]) -> f64 {
    mu_a.iter()
        .zip(s_a)
        .zip(mu_b.iter().zip(s_b))
        .map(|((&ma, &sa), (&mb, &sb))| {
            let (ma, sa, mb, sb) = (ma as f64, sa as f64, mb as f64, sb as f64);
            let sum = sa * sa + sb * sb;
            (ma - mb).powi(2) / (4.0 * sum) + 0.5 * ln_f64(sum / (2.0 * sa * sb))
        })
        .sum()
}

/// Pairwise-Bhattacharyya estimate (bits) for per-pattern Gaussians with
/// means `mu` and scales `sigma`, both (N, K): its I(X;Z) is a lower bound
/// on the mixture's, as `pairwise_kl`'s is an upper bound (Kolchinsky &
/// Tracey 2017, Theorem 3). The plane draws the KL estimate; `ibp mi`
/// prints both.
pub fn pairwise_bhattacharyya(
    mu: ArrayView2<f32>,
    sigma: ArrayView2<f32>,
    labels: &[u32],
) -> (f64, f64) {
    pairwise_gaussians(mu, sigma, labels, gaussian_bhattacharyya)
}

/// Pairwise-KL estimate (bits) of I(X;Z) and I(Z;Y) for per-pattern
/// Gaussians with means `mu` and scales `sigma`, both (N, K).
pub fn pairwise_kl(mu: ArrayView2<f32>, sigma: ArrayView2<f32>, labels: &[u32]) -> (f64, f64) {
    pairwise_gaussians(mu, sigma, labels, gaussian_kl)
}

/// A divergence between two diagonal Gaussians given as (mu_i, sigma_i,
/// mu_j, sigma_j), in nats.
type Divergence = fn(&[f32], &[f32], &[f32], &[f32]) -> f64;

/// The pairwise estimate with kernel exp(-distance(p_i, p_j)) between the
/// patterns' Gaussians N(mu_i, diag sigma_i^2) (nats).
fn pairwise_gaussians(
    mu: ArrayView2<f32>,
    sigma: ArrayView2<f32>,
    labels: &[u32],
    distance: Divergence,
) -> (f64, f64) {
    let m: Vec<Vec<f32>> = mu.rows().into_iter().map(|r| r.to_vec()).collect();
    let s: Vec<Vec<f32>> = sigma.rows().into_iter().map(|r| r.to_vec()).collect();
    let (all, label) = pairwise_log_means(m.len(), labels, |i, j| {
        -distance(&m[i], &s[i], &m[j], &s[j])
    });
    from_log_means(&all, &label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn bins_cover_the_range() {
        assert_eq!(bin(-1.0, -1.0, 1.0, 30), 0);
        assert_eq!(bin(1.0, -1.0, 1.0, 30), 29);
        assert_eq!(bin(0.0, -1.0, 1.0, 30), 15);
        assert_eq!(bin(5.0, 0.0, 0.0, 30), 0);
        assert_eq!(bin(0.0, -1.0, 1.0, 2), 1);
        assert_eq!(bin(-0.01, -1.0, 1.0, 2), 0);
        assert_eq!(bin(0.999, -1.0, 1.0, 1000), 999);
    }

    #[test]
    fn binning_of_distinct_codes_is_log_n() {
        // 8 patterns, each in its own bin: H(T) = 3 bits; labels split 4/4
        // so I(T;Y) = H(Y) = 1 bit.
        let values = Array2::from_shape_fn((8, 1), |(i, _)| -1.0 + 0.25 * i as f32 + 0.01);
        let labels: Vec<u32> = (0..8).map(|i| (i % 2) as u32).collect();
        let (ixt, ity) = binning(values.view(), &labels, (-1.0, 1.0), 30);
        assert!(
            (ixt - 3.0).abs() < 1e-12 && (ity - 1.0).abs() < 1e-12,
            "{ixt} {ity}"
        );
        // All in one bin: nothing kept.
        let same = Array2::from_elem((8, 2), 0.5f32);
        assert_eq!(binning(same.view(), &labels, (-1.0, 1.0), 30), (0.0, 0.0));
        // Two bins: the 8 codes fall in 2 halves, 4 patterns each: 1 bit.
        let (ixt, _) = binning(values.view(), &labels, (-1.0, 1.0), 2);
        assert!((ixt - 1.0).abs() < 1e-12, "{ixt}");
        assert!(saturated(2.96, 8) && !saturated(2.9, 8));
    }

    #[test]
    fn kde_of_far_apart_points_is_log_n() {
        let values = Array2::from_shape_fn((4, 2), |(i, d)| (i * 10 + d) as f32);
        let labels = [0, 0, 1, 1];
        let (ixt, ity) = kde(values.view(), &labels, KDE_NOISE_VARIANCE);
        assert!(
            (ixt - 2.0).abs() < 1e-9 && (ity - 1.0).abs() < 1e-9,
            "{ixt} {ity}"
        );
        let (ixt, _) = pairwise_kl(
            Array2::<f32>::zeros((4, 3)).view(),
            Array2::<f32>::ones((4, 3)).view(),
            &labels,
        );
        assert!(
            ixt.abs() < 1e-12,
            "identical Gaussians carry nothing: {ixt}"
        );
    }
}
