//! The counter-based RNG: known answers and distribution.
use ib_playground::rng::{Key, Permutation, Stream, philox4x32};

/// Known-answer vectors of Philox4x32-10 published with Random123.
#[test]
fn philox_matches_random123_known_answers() {
    assert_eq!(
        philox4x32([0, 0, 0, 0], [0, 0]),
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
    );
    assert_eq!(
        philox4x32([u32::MAX; 4], [u32::MAX; 2]),
        [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
    );
    assert_eq!(
        philox4x32(
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0]
        ),
        [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
    );
}

/// Fixed outputs of the playground's own conventions (key = [seed, stream],
/// counter = [index, draw, 0, 0]), recorded once: a change to the layout or
/// the transforms would silently change every run, so it must fail here.
#[test]
fn playground_conventions_are_stable() {
    let key = Key::new(42, Stream::Noise);
    let uniforms: Vec<f32> = (0..3).map(|i| key.uniform(i, 7)).collect();
    assert_eq!(uniforms, [0.08973688, 0.2879892, 0.030515373]);
    let normals: Vec<f32> = (0..3).map(|i| key.normal(i, 7)).collect();
    let want = [1.5664834f32, 0.88570845, -1.6925422];
    for (got, want) in normals.iter().zip(want) {
        // Box-Muller goes through ln/cos, whose last bit may differ by libm.
        assert!((got - want).abs() < 1e-6, "normal {got} vs {want}");
    }
    let p = Permutation::new(Key::new(42, Stream::Batch), 0, 10);
    let shuffled: Vec<u32> = (0..10).map(|i| p.apply(i)).collect();
    assert_eq!(shuffled, [7, 2, 8, 0, 3, 5, 1, 4, 9, 6]);
}

const SAMPLES: u32 = 1_000_000;

/// Mean and variance over 1e6 samples. Standard errors: uniform mean
/// sqrt(1/12/1e6) = 2.9e-4, normal mean 1e-3, normal variance
/// sqrt(2/1e6) = 1.4e-3; the bounds are about 5 standard errors.
#[test]
fn distributions_have_the_right_moments() {
    let key = Key::new(1234, Stream::Data);
    let (mut su, mut suu, mut sn, mut snn, mut sn4) = (0f64, 0f64, 0f64, 0f64, 0f64);
    let mut below_minus_two = 0u32;
    for i in 0..SAMPLES {
        let u = key.uniform(i, 0) as f64;
        let z = key.normal(i, 1) as f64;
        assert!(u > 0.0 && u < 1.0);
        su += u;
        suu += u * u;
        sn += z;
        snn += z * z;
        sn4 += z * z * z * z;
        below_minus_two += (z < -2.0) as u32;
    }
    let n = SAMPLES as f64;
    let (mu, mz) = (su / n, sn / n);
    let (vu, vz) = (suu / n - mu * mu, snn / n - mz * mz);
    assert!((mu - 0.5).abs() < 1.5e-3, "uniform mean {mu}");
    assert!((vu - 1.0 / 12.0).abs() < 1e-3, "uniform variance {vu}");
    assert!(mz.abs() < 5e-3, "normal mean {mz}");
    assert!((vz - 1.0).abs() < 7e-3, "normal variance {vz}");
    // Kurtosis 3 (sd of the estimate ~ sqrt(96/n) ~ 0.01) and the tail mass
    // P(z < -2) = 0.02275 (sd 1.5e-4) catch a wrong transform.
    assert!(
        (sn4 / n - 3.0).abs() < 0.05,
        "normal 4th moment {}",
        sn4 / n
    );
    let tail = below_minus_two as f64 / n;
    assert!((tail - 0.02275).abs() < 8e-4, "P(z < -2) = {tail}");
}

/// Different streams and seeds are uncorrelated.
#[test]
fn streams_are_independent() {
    let a = Key::new(7, Stream::Noise);
    let b = Key::new(7, Stream::Eval);
    let c = Key::new(8, Stream::Noise);
    let n = 100_000;
    let (mut sab, mut sac) = (0f64, 0f64);
    for i in 0..n {
        let x = a.normal(i, 0) as f64;
        sab += x * b.normal(i, 0) as f64;
        sac += x * c.normal(i, 0) as f64;
    }
    // Correlation of independent normals has sd 1/sqrt(n) = 3.2e-3.
    assert!(
        (sab / n as f64).abs() < 0.016,
        "seed-stream correlation {}",
        sab / n as f64
    );
    assert!(
        (sac / n as f64).abs() < 0.016,
        "seed correlation {}",
        sac / n as f64
    );
}

/// A shuffled epoch visits every index once, and different epochs differ.
#[test]
fn permutation_shuffles_differently_per_draw() {
    let key = Key::new(3, Stream::Batch);
    let n = 1000;
    let p0 = Permutation::new(key, 0, n);
    let p1 = Permutation::new(key, 1, n);
    let same = (0..n).filter(|&i| p0.apply(i) == p1.apply(i)).count();
    assert!(same < 10, "{same} of {n} positions equal between epochs");
    let fixed = (0..n).filter(|&i| p0.apply(i) == i).count();
    assert!(fixed < 10, "{fixed} fixed points");
    let mean_first_half: f64 = (0..n / 2).map(|i| p0.apply(i) as f64).sum::<f64>() / (n / 2) as f64;
    assert!(
        (mean_first_half - 499.5).abs() < 40.0,
        "first half mean {mean_first_half}"
    );
}
