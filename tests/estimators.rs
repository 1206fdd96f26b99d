//! Every estimator the information plane offers (binning, KDE, pairwise KL
//! on the noisy code, with its Bhattacharyya twin) against cases whose
//! mutual information is known, in bits. Each case states the truth, the
//! estimate and a tolerance with its reason (sample size, bins, bandwidth);
//! where an estimator is known to be biased, the bias is what it asserts.
//! The plane's convention: X is the example's index (uniform over the N
//! examples), T the layer's values, Y the label.
//!
//! `cargo test --test estimators -- --nocapture --test-threads=1` prints
//! the table (case, estimator, truth, estimate, tolerance).
mod common;

use common::binary_entropy_bits as h2;
use ib_playground::info::dsbs;
use ib_playground::info::exact_ib::{Options, curve};
use ib_playground::info::plane::{
    KDE_NOISE_VARIANCE, Range, binning, kde, pairwise_bhattacharyya, pairwise_kl,
};
use ndarray::Array2;

/// The samples' generator (splitmix64, Box-Muller in f64): fixed seeds, so
/// every estimate here is the same on every machine.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// One row of the table: prints it and asserts |estimate - truth| <= tolerance.
fn check(case: &str, estimator: &str, truth: f64, estimate: f64, tolerance: f64) {
    println!("| {case} | {estimator} | {truth:.4} | {estimate:.4} | {tolerance} |");
    assert!(
        (estimate - truth).abs() <= tolerance,
        "{case}, {estimator}: estimate {estimate} bits, truth {truth} bits, tolerance {tolerance}"
    );
}

fn column(values: &[f64]) -> Array2<f32> {
    Array2::from_shape_fn((values.len(), 1), |(i, _)| values[i] as f32)
}

fn observed(values: &Array2<f32>) -> (f32, f32) {
    Range::Observed.resolve(values.as_slice().unwrap())
}

/// I(T;Y) in bits for Y uniform on {-1, +1} and T|Y ~ N(Y m u, s^2 I) with
/// |u| = 1, in any dimension (the projection on u is sufficient): by
/// Simpson's rule, I = 1 - integral p(t) h(P(Y = 1 | t)) dt with
/// P(Y = 1 | t) = 1 / (1 + exp(-2 m t / s^2)) (the Bayes posterior of a
/// two-Gaussian mixture). Accurate to about 1e-10 bits.
fn mixture_truth(m: f64, s: f64) -> f64 {
    let (lo, hi, steps) = (-m - 12.0 * s, m + 12.0 * s, 40_000);
    let width = (hi - lo) / steps as f64;
    let density = |t: f64, mean: f64| {
        (-(t - mean).powi(2) / (2.0 * s * s)).exp() / (s * std::f64::consts::TAU.sqrt())
    };
    let integrand = |t: f64| {
        let p = 0.5 * (density(t, m) + density(t, -m));
        p * h2(1.0 / (1.0 + (-2.0 * m * t / (s * s)).exp()))
    };
    let mut sum = integrand(lo) + integrand(hi);
    for k in 1..steps {
        sum += integrand(lo + k as f64 * width) * if k % 2 == 1 { 4.0 } else { 2.0 };
    }
    1.0 - sum * width / 3.0
}

/// `n` samples of the mixture in `dims` dimensions, the mean difference
/// along the diagonal: (values, labels).
fn mixture(n: usize, dims: usize, m: f64, s: f64, seed: u64) -> (Array2<f32>, Vec<u32>) {
    let mut draws = Draws(seed);
    let labels: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
    let along = m / (dims as f64).sqrt();
    let values = Array2::from_shape_fn((n, dims), |(i, _)| {
        let sign = if labels[i] == 1 { 1.0 } else { -1.0 };
        (sign * along + s * draws.normal()) as f32
    });
    (values, labels)
}

/// The Monte-Carlo I(X;Z) in bits, X uniform over the N components and
/// Z | X = i ~ N(mu_i, diag sigma_i^2): the mean over draws of
/// log p(z | i) - log (1/N) sum_j p(z | j), with its standard error.
fn mixture_information(
    mu: &Array2<f32>,
    sigma: &Array2<f32>,
    draws_per_component: usize,
    seed: u64,
) -> (f64, f64) {
    let (n, dims) = mu.dim();
    let mut draws = Draws(seed);
    let log_density = |z: &[f64], j: usize| -> f64 {
        (0..dims)
            .map(|d| {
                let s = sigma[[j, d]] as f64;
                -0.5 * ((z[d] - mu[[j, d]] as f64) / s).powi(2) - s.ln()
            })
            .sum()
    };
    let (mut sum, mut sum_sq, mut count) = (0.0, 0.0, 0.0);
    let mut z = vec![0.0; dims];
    for i in 0..n {
        for _ in 0..draws_per_component {
            for (d, zd) in z.iter_mut().enumerate() {
                *zd = mu[[i, d]] as f64 + sigma[[i, d]] as f64 * draws.normal();
            }
            let own = log_density(&z, i);
            let logs: Vec<f64> = (0..n).map(|j| log_density(&z, j)).collect();
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mixture = top + (logs.iter().map(|l| (l - top).exp()).sum::<f64>() / n as f64).ln();
            let bits = (own - mixture) / std::f64::consts::LN_2;
            sum += bits;
            sum_sq += bits * bits;
            count += 1.0;
        }
    }
    let mean = sum / count;
    (mean, ((sum_sq / count - mean * mean) / count).sqrt())
}

#[test]
fn a_deterministic_discrete_layer_carries_its_entropy_and_a_function_of_it_all_of_y() {
    // 16 examples on 4 well-separated values with counts 8, 4, 2, 2:
    // I(X;T) = H(T) = 1.75 bits. Y = [T > 0] (counts 12, 4) is a function of
    // T, so I(T;Y) = H(Y) = h(1/4). Binning (30 bins on [-1, 1]) puts each
    // value in its own bin; the kernels between values 0.5 apart are below
    // e^-100: every estimator is exact up to rounding (1e-9).
    let t: Vec<f64> = [(-0.75, 8), (-0.25, 4), (0.25, 2), (0.75, 2)]
        .iter()
        .flat_map(|&(v, c)| std::iter::repeat_n(v, c))
        .collect();
    let labels: Vec<u32> = t.iter().map(|&v| (v > 0.0) as u32).collect();
    let values = column(&t);
    let (hx, hy) = (1.75, h2(0.25));
    let (ixt, ity) = binning(values.view(), &labels, (-1.0, 1.0), 30);
    check("discrete T, I(X;T) = H(T)", "binning", hx, ixt, 1e-9);
    check("Y = f(T), I(T;Y) = H(Y)", "binning", hy, ity, 1e-9);
    let (ixt, ity) = kde(values.view(), &labels, KDE_NOISE_VARIANCE);
    check("discrete T, I(X;T) = H(T)", "kde", hx, ixt, 1e-9);
    check("Y = f(T), I(T;Y) = H(Y)", "kde", hy, ity, 1e-9);
    // As a noisy code with scale 0.01: KL 1250 nats, Bhattacharyya 312.
    let sigma = Array2::from_elem((16, 1), 0.01f32);
    let (ixt, ity) = pairwise_kl(values.view(), sigma.view(), &labels);
    check("discrete T, I(X;T) = H(T)", "pairwise-kl", hx, ixt, 1e-9);
    check("Y = f(T), I(T;Y) = H(Y)", "pairwise-kl", hy, ity, 1e-9);
    let (ixt, _) = pairwise_bhattacharyya(values.view(), sigma.view(), &labels);
    check(
        "discrete T, I(X;T) = H(T)",
        "pairwise-bhattacharyya",
        hx,
        ixt,
        1e-9,
    );
}

#[test]
fn a_constant_layer_carries_nothing() {
    // I(X;T) = I(T;Y) = 0 for every estimator: one bin, one kernel value.
    let values = Array2::from_elem((32, 3), 0.25f32);
    let labels: Vec<u32> = (0..32).map(|i| (i % 3) as u32).collect();
    let (ixt, ity) = binning(values.view(), &labels, (-1.0, 1.0), 30);
    check("constant T", "binning", 0.0, ixt.max(ity), 1e-12);
    let (ixt, ity) = kde(values.view(), &labels, KDE_NOISE_VARIANCE);
    check("constant T", "kde", 0.0, ixt.max(ity.abs()), 1e-12);
    let (ixt, _) = pairwise_kl(
        values.view(),
        Array2::from_elem((32, 3), 0.3f32).view(),
        &labels,
    );
    check("constant T", "pairwise-kl", 0.0, ixt, 1e-12);
}

#[test]
fn binning_pins_an_injective_layer_at_log2_n_and_saturation_manufactures_compression() {
    // A deterministic injective layer of N = 512 examples: I(X;T) = log2 N
    // = 9 bits exactly. In 10 dimensions with 30 bins each every code is its
    // own (the documented bias of binning a deterministic net: pinned at
    // log2 N, Saxe et al. 2018), so binning is right here by construction.
    let mut draws = Draws(7);
    let n = 512;
    let x: Vec<f64> = (0..n * 10).map(|_| draws.normal()).collect();
    let labels: Vec<u32> = (0..n).map(|i| (x[i * 10] > 0.0) as u32).collect();
    let wide = Array2::from_shape_fn((n, 10), |(i, d)| x[i * 10 + d].tanh() as f32);
    check(
        "injective T in 10-d, fine bins",
        "binning",
        9.0,
        binning(wide.view(), &labels, (-1.0, 1.0), 30).0,
        1e-9,
    );
    // One unit, still injective (so still 9 bits), binned in 30 bins: at
    // most log2 30 = 4.91 bits. Saturating the unit (tanh(5x) instead of
    // tanh(x)) crowds the codes into the end bins and the estimate falls
    // by more than a bit: "compression" the layer does not do (Saxe et al.
    // 2018; Goldfeld et al. 2019). The bias is the assertion.
    let unit = |gain: f64| {
        column(
            &(0..n)
                .map(|i| (gain * x[i * 10]).tanh())
                .collect::<Vec<_>>(),
        )
    };
    let (mild, _) = binning(unit(1.0).view(), &labels, (-1.0, 1.0), 30);
    let (saturated, _) = binning(unit(5.0).view(), &labels, (-1.0, 1.0), 30);
    println!(
        "| injective 1-unit T, 30 bins: tanh(x) / tanh(5x) | binning | 9.0000 | {mild:.4} / {saturated:.4} | bias asserted |"
    );
    assert!(
        mild <= 30f64.log2() && mild < 9.0 - 4.0,
        "binning caps at log2(bins): {mild}"
    );
    assert!(
        saturated < mild - 1.0,
        "saturation lowers the binned estimate: {mild} -> {saturated}"
    );
}

#[test]
fn independent_layer_and_label_show_each_estimators_bias() {
    // T ~ N(0, 1) and Y ~ Bernoulli(1/2) drawn apart: I(T;Y) = 0. The
    // plug-in estimate from binning is biased up by about (B - 1)(|Y| - 1)
    // / (2 N ln 2) bits (Miller 1955), B = 30 bins: 0.0052 bits at N =
    // 4,000, with a standard deviation of about sqrt(2 (B - 1)) / (2 N ln 2)
    // = 0.0014 bits: tolerance 0.0052 + 5 x 0.0014 = 0.0122 bits, and never
    // below 0.
    let mut draws = Draws(11);
    let n = 4000;
    let t: Vec<f64> = (0..n).map(|_| draws.normal()).collect();
    let labels: Vec<u32> = (0..n).map(|_| (draws.uniform() < 0.5) as u32).collect();
    let values = column(&t);
    let (_, ity) = binning(values.view(), &labels, observed(&values), 30);
    assert!(ity >= 0.0);
    check("independent T, Y (N = 4,000)", "binning", 0.0, ity, 0.0122);
    // KDE at the plane's bandwidth (s^2 = 1e-3) on 2,000 examples: each
    // kernel sum holds the example itself, worth one neighbour, in a
    // neighbourhood of about 2,000 x 0.3 x 0.08 = 48 examples (24 of its own
    // label): ln((1 + 24) / (1 + 48) x 2) = 0.02 nats = 0.03 bits of bias,
    // with spread from the few neighbours: tolerance 0.08 bits.
    let small = column(&t[..2000]);
    let (_, ity) = kde(small.view(), &labels[..2000], KDE_NOISE_VARIANCE);
    check("independent T, Y (N = 2,000)", "kde", 0.0, ity, 0.08);
}

#[test]
fn a_two_class_gaussian_mixture_in_one_dimension() {
    // T | Y ~ N(+-1, 1), Y uniform: truth by quadrature (0.4859 bits).
    let truth = mixture_truth(1.0, 1.0);
    assert!((truth - 0.4859).abs() < 5e-4, "the quadrature: {truth}");
    // Binning, N = 20,000, 30 bins over the observed range (about 0.37 s
    // wide): plug-in bias +0.001 bits, the bins' loss of information below
    // 0.005 bits, sampling sd about 0.005 bits: tolerance 0.02.
    let (values, labels) = mixture(20_000, 1, 1.0, 1.0, 21);
    let (_, ity) = binning(values.view(), &labels, observed(&values), 30);
    check("mixture N(+-1, 1), 1-d", "binning", truth, ity, 0.02);
    // KDE, N = 3,000: at the plane's bandwidth (s = 0.03) each sum sees
    // about 3,000 x 0.3 x 0.08 = 70 examples, so the posterior each example
    // reads is noisy and biased up by its own kernel (see the independent
    // case): tolerance 0.06 bits. A bandwidth near the data's scale (s^2 =
    // 0.05) reads the posterior well: tolerance 0.03.
    let few = values.slice(ndarray::s![..3000, ..]).to_owned();
    let (_, ity) = kde(few.view(), &labels[..3000], KDE_NOISE_VARIANCE);
    check("mixture N(+-1, 1), 1-d", "kde s^2 = 1e-3", truth, ity, 0.06);
    let (_, ity) = kde(few.view(), &labels[..3000], 0.05);
    check("mixture N(+-1, 1), 1-d", "kde s^2 = 0.05", truth, ity, 0.03);
}

#[test]
fn a_two_class_gaussian_mixture_in_three_dimensions() {
    // Means +-1.5 along the diagonal, s = 1: the same truth as 1-d with
    // m = 1.5 (0.7600 bits). Binning with 10 bins per unit, N = 20,000: 1,000
    // cells for 20,000 examples, plug-in bias up to (cells - 1) / (2 N ln 2)
    // = 0.036 bits, the cells' loss about as much down: tolerance 0.05.
    let truth = mixture_truth(1.5, 1.0);
    let (values, labels) = mixture(20_000, 3, 1.5, 1.0, 31);
    let (_, ity) = binning(values.view(), &labels, observed(&values), 10);
    check("mixture, 3-d", "binning 10 bins", truth, ity, 0.05);
    // KDE at the plane's bandwidth in 3-d, N = 2,000: the kernels (s = 0.03)
    // hold almost no neighbour, each example reads its own label, and the
    // estimate goes to H(Y) = 1 bit whatever the truth (the documented
    // bias of a bandwidth far below the spacing). At s^2 = 0.25 it reads the
    // posterior: tolerance 0.05 bits.
    let few = values.slice(ndarray::s![..2000, ..]).to_owned();
    let (_, ity) = kde(few.view(), &labels[..2000], KDE_NOISE_VARIANCE);
    println!(
        "| mixture, 3-d | kde s^2 = 1e-3 | {truth:.4} | {ity:.4} | bias to H(Y) = 1 asserted |"
    );
    assert!(
        ity > 0.95 && ity > truth + 0.2,
        "a narrow kernel reads H(Y): {ity}"
    );
    let (_, ity) = kde(few.view(), &labels[..2000], 0.25);
    check("mixture, 3-d", "kde s^2 = 0.25", truth, ity, 0.05);
}

#[test]
fn correlated_gaussians_at_rho_three_quarters() {
    // (T, Y) standard normal with correlation 0.75: I = -log2(1 - 0.75^2)
    // / 2 = 0.5963 bits. Y enters as a label: 30 equal bins on [-4, 4] (the
    // label classes), T in 30 bins over its observed range, N = 200,000.
    // Plug-in bias +29 x 29 / (2 N ln 2) = +0.003 bits; the bins lose about
    // 0.01 bits (width 0.27 of a standard deviation); sampling sd 0.002:
    // tolerance 0.025.
    let rho: f64 = 0.75;
    let truth = -0.5 * (1.0 - rho * rho).log2();
    assert!((truth - 0.5963).abs() < 1e-4);
    let mut draws = Draws(41);
    let n = 200_000;
    let (mut t, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let (a, b) = (draws.normal(), draws.normal());
        let y = rho * a + (1.0 - rho * rho).sqrt() * b;
        t.push(a);
        labels.push((((y + 4.0) / 8.0 * 30.0).floor().clamp(0.0, 29.0)) as u32);
    }
    let values = column(&t);
    let (_, ity) = binning(values.view(), &labels, observed(&values), 30);
    check(
        "correlated Gaussians, rho = 0.75",
        "binning",
        truth,
        ity,
        0.025,
    );
}

/// 64 noisy codes in 2-d: means uniform on [-1, 1]^2, every scale `scale`
/// (or, `spread`, drawn per unit from [0.1, 0.5]).
fn noisy_layer(spread: bool, scale: f32, seed: u64) -> (Array2<f32>, Array2<f32>, Vec<u32>) {
    let mut draws = Draws(seed);
    let mu = Array2::from_shape_fn((64, 2), |_| (2.0 * draws.uniform() - 1.0) as f32);
    let sigma = Array2::from_shape_fn((64, 2), |_| {
        if spread {
            (0.1 + 0.4 * draws.uniform()) as f32
        } else {
            scale
        }
    });
    let labels = (0..64).map(|i| (mu[[i, 0]] > 0.0) as u32).collect();
    (mu, sigma, labels)
}

#[test]
fn pairwise_kl_and_bhattacharyya_bracket_a_noisy_layer() {
    // T = f(X) + N(0, 0.3^2 I) over 64 inputs: the truth by Monte Carlo
    // (2,000 draws per input, standard error about 0.003 bits). The KL
    // estimate is an upper bound, the Bhattacharyya one a lower bound
    // (Kolchinsky & Tracey 2017): each must hold within 4 standard errors.
    // With one noise scale the KL kernel is KDE's with s^2 = 0.3^2, the
    // estimator the plane uses for hidden layers.
    for (case, spread) in [
        ("noisy layer, sigma 0.3", false),
        ("noisy layer, sigma 0.1..0.5 per unit", true),
    ] {
        let (mu, sigma, labels) = noisy_layer(spread, 0.3, 51);
        let (truth, error) = mixture_information(&mu, &sigma, 2000, 52);
        let (upper, _) = pairwise_kl(mu.view(), sigma.view(), &labels);
        let (lower, _) = pairwise_bhattacharyya(mu.view(), sigma.view(), &labels);
        println!(
            "| {case} | bhattacharyya <= MC <= kl | {truth:.4} +- {error:.4} | [{lower:.4}, {upper:.4}] | 4 standard errors |"
        );
        assert!(
            lower <= truth + 4.0 * error && truth - 4.0 * error <= upper,
            "{case}: {lower} <= {truth} <= {upper}"
        );
        // Informative bounds: the code carries more than a bit and is not
        // saturated at log2 64 = 6 bits.
        assert!(lower > 1.0 && upper < 5.0, "{case}: [{lower}, {upper}]");
        if !spread {
            let (kde_ixt, _) = kde(mu.view(), &labels, 0.09);
            check(case, "kde s^2 = sigma^2 (= kl)", upper, kde_ixt, 1e-6);
        }
    }
}

#[test]
fn far_apart_points_give_log2_n_to_every_estimator() {
    // 8 examples far apart (KL 5e4 nats between codes of scale 0.01): each
    // its own code, I(X;T) = 3 bits; labels 4/4: I(T;Y) = 1 bit.
    let values = Array2::from_shape_fn((8, 2), |(i, d)| (3 * i + d) as f32 * 0.1);
    let labels: Vec<u32> = (0..8).map(|i| (i / 4) as u32).collect();
    let sigma = Array2::from_elem((8, 2), 0.001f32);
    for (estimator, (ixt, ity)) in [
        (
            "binning 100 bins",
            binning(values.view(), &labels, observed(&values), 100),
        ),
        ("kde", kde(values.view(), &labels, KDE_NOISE_VARIANCE)),
        (
            "pairwise-kl",
            pairwise_kl(values.view(), sigma.view(), &labels),
        ),
        (
            "pairwise-bhattacharyya",
            pairwise_bhattacharyya(values.view(), sigma.view(), &labels),
        ),
    ] {
        check(
            "8 distinct codes, I(X;T) = log2 8",
            estimator,
            3.0,
            ixt,
            1e-9,
        );
        check("8 distinct codes, I(T;Y) = H(Y)", estimator, 1.0, ity, 1e-9);
    }
}

#[test]
fn the_exact_solver_traces_the_dsbs_curve_to_a_millionth_of_a_bit() {
    // The doubly symmetric binary source with crossover p: the IB curve is
    // I(T;Y) = 1 - h(p * h^-1(1 - I(X;T))), a * b = a(1 - b) + b(1 - a)
    // (Mrs Gerber's lemma, Wyner & Ziv 1973). Every point the solver gives
    // lies on it within 1e-6 bits.
    let p = 0.1;
    let result = curve(&dsbs::joint(p), &Options::default());
    let mut worst: f64 = 0.0;
    for point in &result.hull {
        worst = worst.max((point.ity_bits - dsbs::ib_curve_ity_bits(p, point.ixt_bits)).abs());
    }
    println!(
        "| DSBS p = 0.1, worst of {} hull points | exact IB | on the curve | {worst:.1e} off | 1e-6 |",
        result.hull.len()
    );
    assert!(
        worst <= 1e-6,
        "a hull point is {worst} bits off the DSBS curve"
    );
    assert!(result.hull.len() > 15, "{} points", result.hull.len());
}
