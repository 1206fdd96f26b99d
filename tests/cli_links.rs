//! What `ibp train --link` takes: every form the page's Share button and
//! Embed dialog copy, and links that carry live changes, replayed at their
//! steps; and the `--log` CSV, whose columns the page's export shares.
use std::process::{Command, Output};

fn ibp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(args)
        .output()
        .expect("ibp runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

const LINK: &str = "v=1&data=moons&hidden=8&k=3&beta=1e-3&seed=7&report=25";

#[test]
fn train_takes_what_share_and_embed_copy() {
    let want = ibp(&["train", "--link", LINK, "--steps", "50"]);
    assert!(want.status.success());
    let escaped = LINK.replace('&', "&amp;");
    let pasted = [
        format!("http://127.0.0.1:8080/#{LINK}"),
        format!("https://uni.example/course/ibp/?lesson=beta&step=2#{LINK}"),
        format!("https://uni.example/ibp/?embed=1&amp;autoplay=1&amp;controls=0#{escaped}"),
        format!(
            "<iframe src=\"https://uni.example/?embed=1&amp;autoplay=1#{escaped}\" width=\"360\" \
             height=\"720\" style=\"border:0\" title=\"Information Bottleneck Playground\" \
             loading=\"lazy\"></iframe>"
        ),
        format!("  \"http://127.0.0.1:8080/#{LINK}\"\n"),
        format!("'#{LINK}'"),
        format!("\u{201c}{LINK}\u{201d}"),
    ];
    for text in &pasted {
        let out = ibp(&["train", "--link", text, "--steps", "50"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{text}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_address_without_an_experiment_is_refused_with_the_reason() {
    let out = ibp(&["train", "--link", "https://uni.example/ibp/?lesson=beta"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("holds no experiment (it opens lesson 'beta'): the experiment follows '#'"),
        "{err}"
    );
}

#[test]
fn live_changes_in_a_link_apply_at_their_steps_with_a_report_there() {
    let link = format!("{LINK}&live=30:beta:0.5,60:lr:0.001");
    let lines = json_lines(&ibp(&["train", "--link", &link, "--steps", "100"]));
    let seen: Vec<(u64, f64, f64)> = lines
        .iter()
        .filter(|l| l["final"] == false)
        .map(|l| {
            let number = |key: &str| l[key].as_f64().unwrap();
            (l["step"].as_u64().unwrap(), number("beta"), number("lr"))
        })
        .collect();
    assert_eq!(
        seen,
        [
            (25, 1e-3, 0.005),
            (30, 0.5, 0.005),
            (50, 0.5, 0.005),
            (60, 0.5, 0.001),
            (75, 0.5, 0.001),
            (100, 0.5, 0.001),
        ]
    );
    // A link without the schedule agrees up to the first change, not after.
    let plain = json_lines(&ibp(&["train", "--link", LINK, "--steps", "100"]));
    assert_eq!(plain[0], lines[0]);
    assert_ne!(plain[1]["loss"], lines[2]["loss"]);
}

#[test]
fn a_bad_schedule_names_the_key_and_the_entry() {
    for (schedule, says) in [
        (
            "30:hidden:8",
            "live: entry 1 ('30:hidden:8'): 'hidden' cannot change while training",
        ),
        ("60:beta:0.1,30:beta:0.2", "steps must ascend"),
        ("0:beta:0.1", "a change at step 0 is the key's own value"),
    ] {
        let link = format!("{LINK}&live={schedule}");
        let out = ibp(&["train", "--link", &link, "--steps", "10"]);
        assert_eq!(out.status.code(), Some(2), "{schedule}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{schedule}: {err}");
    }
}

#[test]
fn the_log_has_a_step_0_row_and_the_plane_columns() {
    let dir = std::env::temp_dir().join(format!("ibp-cli-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.csv");
    let link = format!("{LINK}&plane=1&live=40:beta:0.01");
    let out = ibp(&[
        "train",
        "--link",
        &link,
        "--steps",
        "50",
        "--log",
        log.to_str().unwrap(),
    ]);
    let lines = json_lines(&out);
    let text = std::fs::read_to_string(&log).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "step",
            "epoch",
            "replica",
            "beta",
            "lr",
            "loss_bits",
            "train_loss_bits",
            "rate_bits",
            "izy_bits",
            "distortion_bits",
            "train_acc",
            "test_error_pct",
            "test_error_single_pct",
            "backend",
            "final",
            "seconds",
            "T1_ixt_bits",
            "T1_ity_bits",
            "mu_ixt_bits",
            "mu_ity_bits",
            "Z_ixt_bits",
            "Z_ity_bits",
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let steps: Vec<&str> = records.iter().map(|r| &r[column("step")]).collect();
    assert_eq!(steps, ["0", "25", "40", "50"]);
    assert_eq!(
        &records[0][column("train_loss_bits")],
        "",
        "no training yet"
    );
    assert_eq!(&records[2][column("beta")], "0.01");
    // Every stdout report is a row, with the same numbers.
    for line in lines.iter().filter(|l| l["final"] == false) {
        let step = line["step"].to_string();
        let row = records.iter().find(|r| r[column("step")] == step).unwrap();
        assert_eq!(
            row[column("loss_bits")],
            line["loss"].to_string(),
            "step {step}"
        );
        let z = line["layers"].as_array().unwrap().last().unwrap();
        assert_eq!(row[column("Z_ixt_bits")], z["ixt_bits"].to_string());
    }
    std::fs::remove_dir_all(dir).unwrap();
}
