//! The exact discrete IB against known answers (docs/science.md, section 3).
mod common;

use common::binary_entropy_bits as h;
use ib_playground::info::dsbs::ib_curve_ity_bits;
use ib_playground::info::exact_ib::{Joint, Options, Solution, curve, log_grid, parse_pxy};

use ib_playground::info::dsbs::joint as dsbs;

fn three_by_three() -> Joint {
    // Uniform over {00, 02, 12, 21, 22} (x first, y second).
    Joint::from_rows(&[
        vec![1.0, 0.0, 1.0],
        vec![0.0, 0.0, 1.0],
        vec![0.0, 1.0, 1.0],
    ])
    .unwrap()
}

fn check_hull(hull: &[Solution], hx: f64, ixy: f64) {
    assert_eq!(
        (hull[0].ixt_bits, hull[0].ity_bits),
        (0.0, 0.0),
        "the hull starts at (0, 0)"
    );
    let last = hull.last().unwrap();
    assert!(
        (last.ixt_bits - hx).abs() < 1e-9 && (last.ity_bits - ixy).abs() < 1e-9,
        "ends at {last:?}, not ({hx}, {ixy})"
    );
    for w in hull.windows(2) {
        assert!(
            w[1].ixt_bits > w[0].ixt_bits && w[1].ity_bits > w[0].ity_bits,
            "not increasing: {:?}",
            w
        );
    }
    for w in hull.windows(3) {
        let s1 = (w[1].ity_bits - w[0].ity_bits) / (w[1].ixt_bits - w[0].ixt_bits);
        let s2 = (w[2].ity_bits - w[1].ity_bits) / (w[2].ixt_bits - w[1].ixt_bits);
        assert!(s2 <= s1 + 1e-9, "not concave: slopes {s1} then {s2}");
    }
}

#[test]
fn dsbs_matches_the_analytic_curve() {
    let p = 0.1;
    let joint = dsbs(p);
    assert!((joint.ixy_bits() - (1.0 - h(0.1))).abs() < 1e-12);
    assert!((joint.ixy_bits() - 0.5310).abs() < 1e-4);
    let result = curve(&joint, &Options::default());
    check_hull(&result.hull, 1.0, joint.ixy_bits());
    assert!(
        result.hull.len() > 15,
        "only {} hull points",
        result.hull.len()
    );
    for s in &result.hull {
        let analytic = ib_curve_ity_bits(p, s.ixt_bits);
        assert!(
            (s.ity_bits - analytic).abs() < 1e-4,
            "beta {}: ({}, {}) vs analytic {analytic}",
            s.beta,
            s.ixt_bits,
            s.ity_bits
        );
    }
    // beta = 2 lies at about (0.696, 0.407).
    let at2 = curve(
        &joint,
        &Options {
            betas: vec![2.0],
            ..Default::default()
        },
    )
    .solutions[0]
        .clone();
    assert!(
        (at2.ixt_bits - 0.696).abs() < 0.005 && (at2.ity_bits - 0.407).abs() < 0.003,
        "{at2:?}"
    );
}

#[test]
fn dsbs_stays_trivial_below_the_critical_beta() {
    // beta_c = 1 / (1 - 2p)^2 = 1.5625.
    let betas: Vec<f64> = (0..16).map(|i| 1.50 + 0.01 * i as f64).collect();
    let result = curve(
        &dsbs(0.1),
        &Options {
            betas: betas.clone(),
            ..Default::default()
        },
    );
    for s in &result.solutions {
        if s.beta <= 1.55 {
            assert!(
                s.ixt_bits < 1e-3,
                "beta {} should be trivial: {}",
                s.beta,
                s.ixt_bits
            );
        }
        if s.beta >= 1.58 {
            assert!(
                s.ixt_bits > 1e-3,
                "beta {} should be past the transition: {}",
                s.beta,
                s.ixt_bits
            );
        }
    }
}

#[test]
fn three_by_three_reference_points() {
    let joint = three_by_three();
    assert!((joint.hx_bits() - 1.5219).abs() < 1e-4);
    assert!((joint.ixy_bits() - 0.5710).abs() < 1e-4);
    let result = curve(
        &joint,
        &Options {
            betas: vec![2.5, 10.0],
            ..Default::default()
        },
    );
    let (a, b) = (&result.solutions[0], &result.solutions[1]);
    assert!(
        (a.ixt_bits - 0.8).abs() < 1e-4 && (a.ity_bits - 0.4).abs() < 1e-4,
        "beta 2.5: {a:?}"
    );
    assert!(
        (b.ixt_bits - 1.5129).abs() < 1e-4 && (b.ity_bits - 0.5702).abs() < 1e-4,
        "beta 10: {b:?}"
    );
    let full = curve(&joint, &Options::default());
    check_hull(&full.hull, joint.hx_bits(), joint.ixy_bits());
}

#[test]
fn every_solution_respects_the_bounds() {
    let joints = [
        dsbs(0.1),
        dsbs(0.3),
        three_by_three(),
        Joint::from_rows(&[
            vec![0.3, 0.1, 0.0, 0.05],
            vec![0.0, 0.2, 0.1, 0.0],
            vec![0.05, 0.0, 0.1, 0.1],
        ])
        .unwrap(),
    ];
    for joint in &joints {
        let options = Options {
            betas: log_grid(0.5, 50.0, 25),
            restarts: 1,
            ..Default::default()
        };
        let result = curve(joint, &options);
        for s in &result.solutions {
            assert!(
                s.ity_bits <= s.ixt_bits + 1e-9,
                "I(T;Y) {} > I(X;T) {}",
                s.ity_bits,
                s.ixt_bits
            );
            assert!(
                s.ity_bits <= joint.ixy_bits() + 1e-9,
                "I(T;Y) {} > I(X;Y)",
                s.ity_bits
            );
            assert!(s.ixt_bits <= joint.hx_bits() + 1e-9);
            for row in s.encoder.chunks(joint.nx) {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            }
        }
        check_hull(&result.hull, joint.hx_bits(), joint.ixy_bits());
    }
}

#[test]
fn deterministic_ib_gives_hard_clusters() {
    let joint = three_by_three();
    let options = Options {
        alpha: 0.0,
        betas: log_grid(0.5, 50.0, 30),
        ..Default::default()
    };
    let result = curve(&joint, &options);
    for s in &result.solutions {
        assert!(
            s.encoder.iter().all(|&v| v == 0.0 || v == 1.0),
            "beta {}: soft encoder {:?}",
            s.beta,
            s.encoder
        );
        assert!(s.ity_bits <= s.ixt_bits.min(joint.ixy_bits()) + 1e-9);
    }
    // Small beta merges everything; large beta keeps the informative split.
    assert!(result.solutions[0].ixt_bits < 1e-9);
    assert!(result.solutions.last().unwrap().ity_bits > 0.5);
}

#[test]
fn pxy_files_parse_with_named_errors() {
    let joint = parse_pxy("# x rows, y columns\n1, 0, 1\n0,0,1\n\n0,1,1\n").unwrap();
    assert_eq!(joint, three_by_three());
    let cases = [
        ("1,2\n3,-1\n", "row 2, column 2: -1 is not a non-negative"),
        (
            "1,2\n3,abc\n",
            "row 2, column 2: 'abc' is not a finite number",
        ),
        ("1,2\nNaN,1\n", "row 2, column 1"),
        ("1,2\n0,0\n", "row 2 is all zeros"),
        ("1,2\n1\n", "row 2 has 1 columns, expected 2"),
        ("", "no rows"),
        ("\u{0}\u{1}binary", "not a text table"),
        (
            "0.05\r0.05,0.1\r0.2,0.6\r",
            "row 2 has 2 columns, expected 1",
        ),
    ];
    for (text, needle) in cases {
        let err = parse_pxy(text).unwrap_err();
        assert!(
            err.message.contains(needle),
            "{text:?}: '{err}' lacks '{needle}'"
        );
    }
}

#[test]
fn tables_as_spreadsheets_save_them_read_the_same() {
    // Old-Mac line ends, a byte-order mark, semicolons with decimal commas,
    // UTF-16: the same 3x3 table.
    let plain = parse_pxy("1,0,1\n0,0,1\n0,1,1\n").unwrap();
    for bytes in [
        b"1,0,1\r0,0,1\r0,1,1\r".to_vec(),
        b"\xEF\xBB\xBF1,0,1\r\n0,0,1\r\n0,1,1\r\n".to_vec(),
        b"x;y1;y2;y3\n1,0;0;1,0\n0;0;1\n0;1;1\n".to_vec(),
        [0xFF, 0xFE]
            .into_iter()
            .chain(
                "1\t0\t1\n0\t0\t1\n0\t1\t1\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect(),
    ] {
        let joint = ib_playground::info::tables::parse_pxy_bytes(&bytes).unwrap();
        assert_eq!(joint, plain, "{:?}", String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn every_point_carries_the_beta_that_produced_it() {
    // On 0.1,0.4 / 0.35,0.15 the critical beta is 3.96: below it every
    // solution is trivial. The closing point (H(X), I(X;Y)) is the limit
    // beta -> infinity, written with beta null, never labelled 3.9.
    let joint = parse_pxy("0.1,0.4\n0.35,0.15\n").unwrap();
    let options = Options {
        betas: log_grid(3.5, 3.9, 2),
        ..Default::default()
    };
    let result = curve(&joint, &options).to_json(1.0);
    for point in &result.points {
        if let Some(beta) = point.beta {
            assert!(beta < 3.96);
            assert!(
                point.ixt_bits <= 1e-9,
                "beta {beta}: I(X;T) {}",
                point.ixt_bits
            );
        }
    }
    let end = result.points.last().unwrap();
    assert_eq!(end.beta, None);
    assert!(
        (end.ixt_bits - result.hx_bits).abs() < 1e-9
            && (end.ity_bits - result.ixy_bits).abs() < 1e-9
    );
}

#[test]
fn samples_count_into_the_same_curve_as_their_table() {
    use ib_playground::info::tables::parse_samples;
    // 10 observations of (x, y): counts a0 3, a1 1, b0 1, b1 5.
    let pairs = "x,y\na,0\na,0\na,0\na,1\nb,0\nb,1\nb,1\nb,1\nb,1\nb,1\n";
    let samples = parse_samples(pairs.as_bytes()).unwrap();
    assert_eq!(samples.count, 10);
    assert_eq!(samples.x_symbols, ["a", "b"]);
    assert_eq!(samples.counts, [[3, 1], [1, 5]]);
    let counted = parse_pxy("3,1\n1,5\n").unwrap();
    assert_eq!(samples.joint, counted);
    let options = Options::default();
    assert_eq!(
        curve(&samples.joint, &options).to_json(1.0).points,
        curve(&counted, &options).to_json(1.0).points
    );
    // Plug-in I(X;Y) of the counts, and Miller-Madow: + ((2-1)+(2-1)-(4-1)) / 2N nats.
    assert!((samples.plug_in_bits - counted.ixy_bits()).abs() < 1e-15);
    let correction = -1.0 / 20.0 / std::f64::consts::LN_2;
    assert!((samples.miller_madow_bits - samples.plug_in_bits - correction).abs() < 1e-15);
    // Without a header, numbers, semicolons: the same counts.
    let numbers = parse_samples(b"1;0\n1;0\n1;0\n1;1\n2;0\n2;1\n2;1\n2;1\n2;1\n2;1\n").unwrap();
    assert_eq!(numbers.counts, samples.counts);
    assert!(
        parse_samples(b"a,0\nb\n")
            .unwrap_err()
            .message
            .contains("row 2 has 1 columns")
    );
    assert!(
        parse_samples(b"a,0\nNA,1\nb,1\n")
            .unwrap_err()
            .message
            .contains("row 2, column 1: a missing value")
    );
}
