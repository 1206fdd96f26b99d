//! `ibp mi`: the plane's estimators on a user's activations, as a user runs
//! it, with the refusals a bad file or flag gets.
use std::process::{Command, Output};

fn ibp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(args)
        .output()
        .expect("ibp runs")
}

fn write(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("ibp-mi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn line(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

/// 200 examples on 8 values (25 each) in two columns, the label column in
/// the middle: the value's code is 3 bits, and `class` = value < 2 is a
/// function of it, I(T;Y) = H(Y) = h(1/4) = 0.8113 bits.
fn eight_codes() -> String {
    let mut text = String::from("t1,class,t2\n");
    for i in 0..200 {
        let v = i % 8;
        text.push_str(&format!(
            "{v},{},{}\n",
            if v < 2 { "low" } else { "high" },
            10 * v
        ));
    }
    write("eight.csv", &text)
}

#[test]
fn mi_gives_the_plane_estimates_of_a_users_activations() {
    let path = eight_codes();
    let hy = -(0.25f64 * 0.25f64.log2() + 0.75 * 0.75f64.log2());
    let binned = line(&ibp(&["mi", "--csv", &path, "--y", "class", "--bins", "8"]));
    assert_eq!(binned["estimator"], "binning");
    assert_eq!(
        (
            binned["n"].as_u64(),
            binned["units"].as_u64(),
            binned["classes"].as_u64()
        ),
        (Some(200), Some(2), Some(2))
    );
    assert!(
        (binned["ixt_bits"].as_f64().unwrap() - 3.0).abs() < 1e-12,
        "{binned}"
    );
    assert!(
        (binned["ity_bits"].as_f64().unwrap() - hy).abs() < 1e-12,
        "{binned}"
    );
    assert_eq!(binned["range"], "observed per column");
    assert_eq!(
        (binned["bins"].as_u64(), binned["saturated"].as_bool()),
        (Some(8), Some(false))
    );
    // One range for both columns, -100..100: 8 bins of 25, so t1 (0..7)
    // lands in one bin and t2 in three: {0, 10, 20}, {30, 40}, {50, 60, 70},
    // holding 75, 50 and 75 examples.
    let ranged = line(&ibp(&[
        "mi", "--csv", &path, "--y", "class", "--bins", "8", "--range", "-100:100",
    ]));
    assert_eq!(ranged["range"], serde_json::json!([-100.0, 100.0]));
    let h: f64 = [75.0, 50.0, 75.0]
        .iter()
        .map(|c: &f64| -(c / 200.0) * (c / 200.0).log2())
        .sum();
    assert!(
        (ranged["ixt_bits"].as_f64().unwrap() - h).abs() < 1e-12,
        "{ranged} vs {h}"
    );
    // KDE: codes 1 apart are far for s^2 = 1e-3, so both bounds are 3 bits.
    let kde = line(&ibp(&[
        "mi",
        "--csv",
        &path,
        "--y",
        "class",
        "--estimator",
        "kde",
    ]));
    assert_eq!(kde["noise_variance"], 1e-3);
    for field in ["ixt_bits", "ixt_upper_bits", "ixt_lower_bits"] {
        assert!(
            (kde[field].as_f64().unwrap() - 3.0).abs() < 1e-9,
            "{field}: {kde}"
        );
    }
}

#[test]
fn mi_reads_semicolons_and_decimal_commas_and_defaults_the_label_to_y() {
    let path = write("comma.csv", "t1;y\n0,5;a\n-0,5;b\n0,25;a\n-0,25;b\n");
    let out = line(&ibp(&["mi", "--csv", &path]));
    assert!(
        out["read_as"].as_str().unwrap().contains("decimal commas"),
        "{out}"
    );
    assert_eq!(
        (
            out["ixt_bits"].as_f64(),
            out["ity_bits"].as_f64(),
            out["saturated"].as_bool()
        ),
        (Some(2.0), Some(1.0), Some(true))
    );
}

#[test]
fn mi_refuses_bad_files_and_flags_naming_what_to_do() {
    let good = eight_codes();
    let cases: [(&[&str], &str); 7] = [
        (&["mi"], "mi needs --csv FILE"),
        (
            &["mi", "--csv", &good],
            "no column named 'y' for the label (columns: t1, class, t2; choose one with --y)",
        ),
        (
            &["mi", "--csv", &good, "--y", "class", "--estimator", "mine"],
            "--estimator: 'mine' is not one of binning|kde|exact",
        ),
        (
            &["mi", "--csv", &good, "--y", "class", "--bins", "1"],
            "--bins: bins: 1 is out of range (allowed: 2 to 1000)",
        ),
        (
            &["mi", "--csv", &good, "--y", "class", "--range", "1:-1"],
            "--range: '1:-1' must be LO:HI with LO < HI",
        ),
        (
            &[
                "mi",
                "--csv",
                &good,
                "--y",
                "class",
                "--estimator",
                "kde",
                "--range",
                "0:1",
            ],
            "--range goes with --estimator binning",
        ),
        (
            &["mi", "--csv", "/no/such/file.csv"],
            "--csv /no/such/file.csv",
        ),
    ];
    for (args, message) in cases {
        let out = ibp(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let bad = write("bad.csv", "t1,y\n0.5,a\n0.25,b\nnan?,a\n");
    let stderr = String::from_utf8_lossy(&ibp(&["mi", "--csv", &bad]).stderr).into_owned();
    assert!(
        stderr.contains("line 4, column 1: 'nan?' is not a finite number"),
        "{stderr}"
    );
    let short = write("short.csv", "t1,t2,y\n1,2,a\n3,b\n");
    let stderr = String::from_utf8_lossy(&ibp(&["mi", "--csv", &short]).stderr).into_owned();
    assert!(
        stderr.contains("line 3: has 2 cells, the header 3"),
        "{stderr}"
    );
    let headless = write("headless.csv", "1,2\n3,4\n");
    let stderr = String::from_utf8_lossy(&ibp(&["mi", "--csv", &headless]).stderr).into_owned();
    assert!(stderr.contains("needs a header row"), "{stderr}");
}
