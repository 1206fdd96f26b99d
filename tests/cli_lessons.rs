//! The MNIST lesson's numbers, checked on the CLI: its steps' links, taken
//! from the page's own `www/src/lessons.js`, trained to step 1,000 (where
//! the lesson pauses and its text reads them). The other lessons train fast
//! enough to be checked in the browser (tests/e2e/teach.test.mjs); this one
//! takes minutes, so it runs on the release build in `make test`
//! (scripts/test.sh: `cargo test --release --test cli_lessons -- --ignored`).
use std::process::Command;

/// The links of the MNIST lesson's steps, in order, as the page opens them.
fn mnist_links() -> Vec<String> {
    let source = std::fs::read_to_string("www/src/lessons.js").expect("the page's lessons");
    let start = source.find("id: 'mnist'").expect("the MNIST lesson");
    let end = start
        + source[start..]
            .find("id: 'pixels'")
            .expect("the lesson after it");
    source[start..end]
        .split("link: '")
        .skip(1)
        .map(|s| s[..s.find('\'').unwrap()].to_string())
        .collect()
}

/// The report at step 1,000 of `link`, trained on the CPU.
fn at_step_1000(link: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(["train", "--link", link, "--steps", "1000"])
        .output()
        .expect("ibp runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().expect("a final report");
    let report: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(report["step"], 1000, "{last}");
    report
}

fn field(report: &serde_json::Value, name: &str) -> f64 {
    report[name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} in {report}"))
}

fn near(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got}, the lesson's text says about {want}"
    );
}

#[test]
#[ignore = "minutes: run on the release build by scripts/test.sh"]
fn the_mnist_lesson_says_what_step_1000_shows() {
    let links = mnist_links();
    assert_eq!(links.len(), 3, "{links:?}");
    // "The rate falls ... to about 210 at step 1,000, while the I(Z;Y)
    // bound climbs to about 2.9 bits ... the test accuracy to about 93 %";
    // "every dimension keeps between about 0.6 and 1.2 bits".
    let vib = at_step_1000(&links[0]);
    near(field(&vib, "rate_bits"), 210.0, 10.0, "β = 1e-3 rate");
    near(field(&vib, "izy_bits"), 2.9, 0.1, "β = 1e-3 I(Z;Y)");
    near(field(&vib, "test_acc"), 0.93, 0.01, "β = 1e-3 accuracy");
    let dims: Vec<f64> = vib["rate_dims_bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(dims.len(), 256);
    let (lo, hi) = dims
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &d| (lo.min(d), hi.max(d)));
    assert!(lo > 0.5 && hi < 1.3, "dimensions from {lo} to {hi} bits");
    // The deterministic network: "the rate ... about 1,770 bits, and the
    // test accuracy about 93 %", level with β = 1e-3.
    let deterministic = at_step_1000(&links[1]);
    near(
        field(&deterministic, "rate_bits"),
        1770.0,
        30.0,
        "β = 0 rate",
    );
    let level = field(&deterministic, "test_acc") - field(&vib, "test_acc");
    assert!(level.abs() < 0.005, "β = 0 against 1e-3: {level}");
    // β = 0.1: "the rate is about 29 bits, the I(Z;Y) bound about 2 bits,
    // and the test accuracy about 88 %": the error climbs.
    let priced = at_step_1000(&links[2]);
    near(field(&priced, "rate_bits"), 29.0, 2.0, "β = 0.1 rate");
    near(field(&priced, "izy_bits"), 2.0, 0.1, "β = 0.1 I(Z;Y)");
    near(field(&priced, "test_acc"), 0.88, 0.01, "β = 0.1 accuracy");
    assert!(field(&priced, "test_acc") < field(&vib, "test_acc") - 0.03);
}
