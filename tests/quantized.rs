//! A quantized encoder (link key `quant`): every hidden activation rounded
//! to 2^quant levels, trained with the straight-through gradient, and its
//! information plane counted exactly (`estimator=exact`; Lorenzen, Igel &
//! Nielsen 2022).
mod common;

use ib_playground::config::Experiment;
use ib_playground::info::plane;
use ib_playground::report::Report;

fn run(link: &str, steps: u32) -> Vec<Report> {
    common::reports_of(&mut common::cpu_run(link, steps))
        .into_iter()
        .flatten()
        .collect()
}

const VAR_U: &str = "data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&beta=1e-3&lr=4e-4&batch=256&seed=3&plane=1&report=500";

#[test]
fn a_quantized_tanh_encoder_learns_and_its_exact_plane_obeys_data_processing() {
    let reports = run(&format!("{VAR_U}&quant=3&estimator=exact"), 3000);
    let last = reports.last().unwrap();
    let accuracy = last.test_acc.unwrap();
    assert!(
        accuracy > 0.8,
        "the straight-through gradient trains: test accuracy {accuracy}"
    );
    // The plane measures var_u's training patterns: 80 % of 4,096.
    let n = (4096.0f64 * 0.8).floor().log2();
    for report in &reports {
        let layers = report.layers.as_ref().expect("plane=1");
        let (hidden, z) = layers.split_at(layers.len() - 1);
        // T1 -> T2 -> ... -> mu is a chain of functions of discrete codes:
        // counted exactly, I(X;T) and I(T;Y) never grow along it.
        for pair in hidden.windows(2) {
            assert!(
                pair[1].ixt_bits <= pair[0].ixt_bits + 1e-12,
                "step {}: {pair:?}",
                report.step
            );
            assert!(
                pair[1].ity_bits <= pair[0].ity_bits + 1e-12,
                "step {}: {pair:?}",
                report.step
            );
        }
        for layer in hidden {
            assert_eq!(layer.estimator, "exact");
            assert!(
                layer.ixt_bits <= n + 1e-9 && layer.ity_bits <= 1.0 + 1e-9,
                "{layer:?}"
            );
            assert!(
                layer.binned_ixt_bits.is_some() && layer.binned_ity_bits.is_some(),
                "binning beside it"
            );
        }
        // 8 levels in each of 3 units of T5: at most 9 bits.
        assert!(hidden[4].ixt_bits <= 9.0, "{:?}", hidden[4]);
        // Z, the noisy code, keeps its pairwise estimate, named as such.
        assert_eq!(
            (z[0].layer.as_str(), z[0].estimator.as_str()),
            ("Z", "pairwise-kl")
        );
        assert_eq!(z[0].binned_ixt_bits, None);
    }
    // Training compresses the last hidden layer's exact I(X;T) below log2 N.
    assert!(
        last.layers.as_ref().unwrap()[4].ixt_bits < n - 1.0,
        "{:?}",
        last.layers.as_ref().unwrap()[4]
    );
}

#[test]
fn the_exact_plane_of_a_fine_quantization_matches_its_binning_and_a_coarse_one_differs() {
    // 16 levels of tanh over [-1, 1] fall in 16 different bins of 30: the
    // binned and exact values agree on the hidden layers. With 4 bins the
    // binning merges levels of T5 (3 units) and reads less than the exact count.
    let fine = run(&format!("{VAR_U}&quant=4&estimator=exact"), 500);
    for layer in &fine.last().unwrap().layers.as_ref().unwrap()[..5] {
        assert_eq!(Some(layer.ixt_bits), layer.binned_ixt_bits, "{layer:?}");
    }
    let coarse = run(&format!("{VAR_U}&quant=4&estimator=exact&bins=4"), 500);
    let last = &coarse.last().unwrap().layers.as_ref().unwrap()[4];
    assert!(
        last.binned_ixt_bits.unwrap() < last.ixt_bits - 0.1,
        "{last:?}"
    );
}

#[test]
fn exact_counting_is_the_entropy_of_the_codes() {
    // 6 rows, codes {a, a, b, b, b, c} with labels {0, 0, 1, 1, 1, 1}:
    // H(T) = h(1/3, 1/2, 1/6) and T determines Y: I(T;Y) = H(Y) = h(1/3).
    let values = ndarray::arr2(&[
        [0.5f32, -1.0],
        [0.5, -1.0],
        [0.25, 1.0],
        [0.25, 1.0],
        [0.25, 1.0],
        [-0.0, 0.0],
    ]);
    let labels = [0, 0, 1, 1, 1, 1];
    let (ixt, ity) = plane::exact(values.view(), &labels);
    let h = |p: &[f64]| -p.iter().map(|p| p * p.log2()).sum::<f64>();
    assert!(
        (ixt - h(&[1.0 / 3.0, 0.5, 1.0 / 6.0])).abs() < 1e-12,
        "{ixt}"
    );
    assert!((ity - h(&[1.0 / 3.0, 2.0 / 3.0])).abs() < 1e-12, "{ity}");
    // -0.0 and +0.0 are one code.
    let signed = ndarray::arr2(&[[0.0f32], [-0.0]]);
    assert_eq!(plane::exact(signed.view(), &[0, 1]).0, 0.0);
}

#[test]
fn quant_and_exact_are_refused_where_they_cannot_work() {
    let cases = [
        ("estimator=exact", "estimator", "add quant (e.g. quant=8)"),
        (
            "quant=3&act=gelu",
            "quant",
            "act=gelu has none; use tanh, sigmoid or relu",
        ),
        ("quant=17", "quant", "out of range"),
    ];
    for (link, key, words) in cases {
        let e = Experiment::from_link(link).unwrap_err();
        assert_eq!(e.key, key, "{link}");
        assert!(e.message.contains(words), "{link}: {}", e.message);
    }
    // relu and sigmoid have fixed ranges: [0, 4] (clipped) and [0, 1].
    for act in ["relu", "sigmoid"] {
        let reports = run(
            &format!("data=circle&hidden=8&act={act}&quant=2&estimator=exact&plane=1&report=200"),
            400,
        );
        let t1 = &reports.last().unwrap().layers.as_ref().unwrap()[0];
        // 4 levels in each of 8 units: at most 16 bits, and at most log2 N.
        assert!(t1.ixt_bits > 0.0 && t1.ixt_bits <= 16.0, "{act}: {t1:?}");
    }
}
