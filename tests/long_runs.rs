//! Long runs that stop and resume: `ibp train --checkpoint`, `--resume`,
//! `--log`. A run split in two prints what a run in one prints.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ibp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(args)
        .output()
        .expect("ibp runs")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ibp-long-runs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every line of the first part but its final summary, then the second part.
fn joined(first: &str, second: &str) -> String {
    let kept: String = first
        .lines()
        .filter(|l| !l.contains("\"final\":true"))
        .map(|l| format!("{l}\n"))
        .collect();
    kept + second
}

const LINK: &str =
    "data=spiral&hidden=12,12&k=3&beta=1e-3&report=40&ema=0.95&lr_decay=0.9&decay_steps=60";

#[test]
fn a_cpu_run_split_in_two_equals_a_run_in_one_bit_for_bit() {
    let dir = scratch("split");
    let (ck, log) = (dir.join("run.ckpt"), dir.join("log.csv"));
    let whole = ok(ibp(&["train", "--link", LINK, "--steps", "400"]));
    let first = ok(ibp(&[
        "train",
        "--link",
        LINK,
        "--steps",
        "200",
        "--checkpoint",
        arg(&ck),
        "--checkpoint-every",
        "80",
        "--log",
        arg(&log),
    ]));
    let second = ok(ibp(&[
        "train",
        "--resume",
        arg(&ck),
        "--steps",
        "400",
        "--log",
        arg(&log),
    ]));
    assert_eq!(joined(&first, &second), whole);
    // The log: a header, the untrained model at step 0, then a row per
    // report; a final summary at the step of the report before it (the same
    // model) is not repeated; the resumed part appends under the header.
    let text = std::fs::read_to_string(&log).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[0].starts_with("step,epoch,replica,beta,lr,loss_bits"),
        "{}",
        rows[0]
    );
    let steps: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').next().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "0", "40", "80", "120", "160", "200", "240", "280", "320", "360", "400"
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_diverging_run_keeps_its_last_periodic_checkpoint() {
    let dir = scratch("diverge");
    let ck = dir.join("spiral.ckpt");
    // Diverges at step 610 on the CPU (tests/cli.rs); checkpoints every 100.
    let spiral =
        "v=1&data=spiral&hidden=8&act=tanh&k=2&beta=1e-3&lr=1&batch=1&noise=0.5&seed=0&report=10";
    let out = ibp(&[
        "train",
        "--link",
        spiral,
        "--steps",
        "2000",
        "--checkpoint",
        arg(&ck),
        "--checkpoint-every",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let bytes = std::fs::read(&ck).unwrap();
    let header = String::from_utf8_lossy(&bytes[..200]);
    assert!(header.contains("\"step\":600,"), "{header}");
    // Resumed, it reaches the same divergence from there.
    let again = ibp(&["train", "--resume", arg(&ck), "--steps", "2000"]);
    assert_eq!(again.status.code(), Some(3));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("diverged at step 610"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_sweep_resumes_with_its_replicas_and_the_end_state_is_kept() {
    let dir = scratch("sweep");
    let ck = dir.join("sweep.ckpt");
    let link = "data=circle&hidden=8&k=2&report=50";
    let args = ["train", "--link", link, "--sweep", "beta=1e-4:1e-1:3"];
    let whole = ok(ibp(&[&args[..], &["--steps", "200"]].concat()));
    let first = ok(ibp(&[
        &args[..],
        &["--steps", "100", "--checkpoint", arg(&ck)],
    ]
    .concat()));
    let second = ok(ibp(&["train", "--resume", arg(&ck), "--steps", "200"]));
    assert_eq!(joined(&first, &second), whole);
    assert_eq!(
        second.lines().count(),
        9,
        "two reports and a final line, three replicas"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn resume_refuses_what_does_not_fit_and_says_why() {
    let dir = scratch("refuse");
    let ck = dir.join("a.ckpt");
    ok(ibp(&[
        "train",
        "--link",
        "data=circle&hidden=8&k=2",
        "--steps",
        "100",
        "--checkpoint",
        arg(&ck),
    ]));
    let message = |out: Output| {
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let done = message(ibp(&["train", "--resume", arg(&ck), "--steps", "100"]));
    assert!(done.contains("already at step 100"), "{done}");
    let other = message(ibp(&[
        "train",
        "--resume",
        arg(&ck),
        "--link",
        "data=circle&hidden=9&k=2",
        "--steps",
        "200",
    ]));
    assert!(other.contains("not this link"), "{other}");
    let sweep = message(ibp(&[
        "train",
        "--resume",
        arg(&ck),
        "--sweep",
        "seed=1:2",
        "--steps",
        "200",
    ]));
    assert!(sweep.contains("--sweep"), "{sweep}");
    let mut bytes = std::fs::read(&ck).unwrap();
    bytes.truncate(bytes.len() - 3);
    let cut = dir.join("cut.ckpt");
    std::fs::write(&cut, bytes).unwrap();
    let damaged = message(ibp(&["train", "--resume", arg(&cut), "--steps", "200"]));
    assert!(
        damaged.contains("cut.ckpt") && damaged.contains("cut off"),
        "{damaged}"
    );
    let every = message(ibp(&[
        "train",
        "--link",
        "data=circle",
        "--checkpoint-every",
        "10",
    ]));
    assert!(
        every.contains("--checkpoint-every needs --checkpoint"),
        "{every}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_gpu_run_resumes_where_it_stopped() {
    if common::device().is_none() {
        return;
    }
    let dir = scratch("gpu");
    let ck = dir.join("gpu.ckpt");
    let link = "data=circle&hidden=8,8&k=2&report=50&ema=0.9";
    let gpu = ["--backend", "gpu"];
    let whole = ok(ibp(&[
        &["train", "--link", link, "--steps", "300"][..],
        &gpu,
    ]
    .concat()));
    let first = ok(ibp(&[
        &[
            "train",
            "--link",
            link,
            "--steps",
            "150",
            "--checkpoint",
            arg(&ck),
        ][..],
        &gpu,
    ]
    .concat()));
    let second = ok(ibp(&[
        &["train", "--resume", arg(&ck), "--steps", "300"][..],
        &gpu,
    ]
    .concat()));
    // The GPU's reductions run in a fixed order: its split run repeats too.
    assert_eq!(joined(&first, &second), whole);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The final summary line of `ibp train`'s stdout, parsed.
fn final_line(out: &str) -> serde_json::Value {
    let line = out.lines().last().expect("a final line");
    serde_json::from_str(line).unwrap()
}

#[test]
fn a_checkpoint_is_evaluated_on_its_averaged_or_its_raw_weights() {
    let dir = scratch("evaluate");
    let ck = dir.join("run.ckpt");
    let steps = ["--steps", "200"];
    let trained = ok(ibp(&[
        &["train", "--link", LINK, "--checkpoint", arg(&ck)][..],
        &steps,
    ]
    .concat()));
    // Training never reads the average: without it, Adam's parameters are
    // the same, and the run's reports measure them.
    let plain = LINK.replace("ema=0.95", "ema=0");
    let unaveraged = ok(ibp(&[&["train", "--link", &plain][..], &steps].concat()));
    let averaged = final_line(&ok(ibp(&["evaluate", "--checkpoint", arg(&ck)])));
    let raw = final_line(&ok(ibp(&["evaluate", "--checkpoint", arg(&ck), "--raw"])));
    let (run, no_ema) = (final_line(&trained), final_line(&unaveraged));
    assert_eq!(averaged["weights"], "averaged");
    assert_eq!(raw["weights"], "raw");
    for key in ["loss", "rate_bits", "test_acc"] {
        assert_eq!(averaged[key], run[key], "{key}: averaged weights");
        assert_eq!(raw[key], no_ema[key], "{key}: raw weights");
    }
    assert_ne!(averaged["loss"], raw["loss"]);
    let wrong = ibp(&["evaluate", "--weights", arg(&ck), "--raw"]);
    assert!(!wrong.status.success());
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("--raw goes with --checkpoint FILE"), "{said}");
    std::fs::remove_dir_all(dir).unwrap();
}
