//! The `ibp` command line as a user runs it.
mod common;

use std::process::{Command, Output};

fn ibp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(args)
        .output()
        .expect("ibp runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn train_prints_reports_and_a_final_summary() {
    let link = "data=circle&objective=vib&hidden=16,16&k=2&beta=1e-3&seed=1";
    let out = ibp(&["train", "--link", link, "--steps", "3000"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 31);
    for line in &lines {
        for field in [
            "step",
            "loss",
            "rate_bits",
            "izy_bits",
            "train_acc",
            "test_acc",
            "backend",
        ] {
            assert!(line.get(field).is_some(), "{field} missing in {line}");
        }
        assert_eq!(line["backend"], "cpu");
    }
    let last = lines.last().unwrap();
    assert_eq!(last["final"], true);
    assert_eq!(last["step"], 3000);
    assert!(last["test_acc"].as_f64().unwrap() >= 0.95, "{last}");
    assert!(last["rate_bits"].as_f64().unwrap() > 0.0);
    // Same link, same lines, byte for byte.
    let again = ibp(&["train", "--link", link, "--steps", "3000"]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn var_u_link_from_the_issue_runs() {
    let out = ibp(&[
        "train",
        "--link",
        "data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&beta=1e-4&seed=3",
        "--steps",
        "200",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    assert!(lines[2]["izy_bits"].as_f64().unwrap() <= 1.0);
}

#[test]
fn malformed_links_exit_non_zero_naming_the_key() {
    for (link, key) in [
        ("beta=abc", "beta"),
        ("hidden=10,,3", "hidden"),
        ("k=0", "k"),
        ("wings=2", "wings"),
    ] {
        let out = ibp(&["train", "--link", link, "--steps", "1"]);
        assert!(!out.status.success(), "{link} succeeded");
        assert!(out.stdout.is_empty(), "{link} printed results");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(&format!("error: {key}: ")), "{link}: {err}");
    }
}

#[test]
fn bad_arguments_are_reported() {
    let cases: [(&[&str], &str); 8] = [
        (&["train"], "needs --link"),
        (
            &["train", "--link", "seed=1", "--steps", "many"],
            "--steps: 'many'",
        ),
        (
            &["train", "--link", "seed=1", "--backend", "tpu"],
            "--backend: 'tpu'",
        ),
        (&["train", "--link", "data=csv"], "needs --csv FILE"),
        (
            &["train", "--link", "seed=1", "--frobnicate"],
            "unexpected argument '--frobnicate'",
        ),
        (&["fly"], "unrecognized subcommand 'fly'"),
        (
            &["train", "--link", "seed=1", "--epochs", "-2"],
            "--epochs: '-2'",
        ),
        (
            &["train", "--link", "seed=1", "--epochs", "2", "--steps", "5"],
            "not both",
        ),
    ];
    for (args, needle) in cases {
        let out = ibp(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn csv_trains_from_a_file_and_reports_bad_lines() {
    let dir = std::env::temp_dir().join(format!("ibp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    let mut text = String::from("u,v,label\n");
    for i in 0..200 {
        let (u, v) = ((i % 20) as f32 / 10.0 - 1.0, (i / 20) as f32 / 5.0 - 1.0);
        text.push_str(&format!(
            "{u},{v},{}\n",
            if u > 0.0 { "right" } else { "left" }
        ));
    }
    std::fs::write(&good, text).unwrap();
    let out = ibp(&[
        "train",
        "--link",
        "data=csv&k=2&report=100",
        "--csv",
        good.to_str().unwrap(),
        "--steps",
        "300",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = json_lines(&out).pop().unwrap();
    assert!(last["test_acc"].as_f64().unwrap() > 0.9, "{last}");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "u,v,label\n1,2,a\n3,x,b\n").unwrap();
    let out = ibp(&[
        "train",
        "--link",
        "data=csv",
        "--csv",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, column 2"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_documents_every_command_and_key() {
    let out = ibp(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "ibp train",
        "ibp data mnist",
        "ibp bench",
        "rate_bits",
        "izy_bits",
        "--checkpoint FILE",
        "--resume FILE",
        "--log FILE.csv",
    ] {
        assert!(text.contains(needle), "help lacks {needle}");
    }
    for spec in ib_playground::config::KEYS {
        assert!(
            text.contains(&format!("  {:<14} ", spec.name)),
            "help lacks key {}",
            spec.name
        );
    }
}

/// The command line on clap: help per subcommand (its own usage and flags),
/// a suggestion for a misspelt command or flag (exit 2), and completion
/// scripts that know the commands and their flags.
#[test]
fn commands_have_their_own_help_suggestions_and_completions() {
    let help = ibp(&["train", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "Usage: ibp train --link QUERY",
        "--checkpoint-every <N>",
        "rate_bits",
    ] {
        assert!(text.contains(needle), "train --help lacks {needle}: {text}");
    }
    assert!(
        !text.contains("LINK KEYS"),
        "train --help is the command's own"
    );
    let misspelt: [(&[&str], &str); 3] = [
        (&["trian"], "a similar subcommand exists: 'train'"),
        (
            &["train", "--lnk", "seed=1"],
            "a similar argument exists: '--link'",
        ),
        (
            &["mi", "--estimater", "kde"],
            "a similar argument exists: '--estimator'",
        ),
    ];
    for (args, tip) in misspelt {
        let out = ibp(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(tip), "{args:?}: {err}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let out = ibp(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["ib-curve", "checkpoint-every", "estimator"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert_eq!(ibp(&["completions", "tcsh"]).status.code(), Some(2));
}

fn finals(out: &Output) -> Vec<serde_json::Value> {
    json_lines(out)
        .into_iter()
        .filter(|l| l["final"] == true)
        .collect()
}

#[test]
fn gpu_backend_trains_the_circle_and_names_the_adapter() {
    if common::device().is_none() {
        return;
    }
    let link = "data=circle&objective=vib&hidden=16,16&k=2&beta=1e-3&seed=1&report=1000";
    let out = ibp(&[
        "train",
        "--link",
        link,
        "--steps",
        "3000",
        "--backend",
        "gpu",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GPU adapter \""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = finals(&out).pop().unwrap();
    assert_eq!(last["backend"], "gpu");
    assert!(last["test_acc"].as_f64().unwrap() >= 0.95, "{last}");
    let auto = ibp(&[
        "train",
        "--link",
        link,
        "--steps",
        "10",
        "--backend",
        "auto",
    ]);
    assert_eq!(finals(&auto)[0]["backend"], "gpu");
}

#[test]
fn sweeps_print_one_final_line_per_replica() {
    let link = "data=circle&hidden=8&k=2&seed=1&report=100";
    let backends: &[&str] = if common::device().is_some() {
        &["cpu", "gpu"]
    } else {
        &["cpu"]
    };
    let mut rates_by_backend = Vec::new();
    for backend in backends {
        let out = ibp(&[
            "train",
            "--link",
            link,
            "--steps",
            "400",
            "--backend",
            backend,
            "--sweep",
            "beta=1e-4:1:4",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let last = finals(&out);
        assert_eq!(last.len(), 4);
        let betas: Vec<f64> = last.iter().map(|l| l["beta"].as_f64().unwrap()).collect();
        assert!(
            (betas[1] - 1e-4f64.powf(2.0 / 3.0)).abs() < 1e-12,
            "{betas:?}"
        );
        assert_eq!(
            last.iter()
                .map(|l| l["replica"].as_u64().unwrap())
                .collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        let rates: Vec<f64> = last
            .iter()
            .map(|l| l["rate_bits"].as_f64().unwrap())
            .collect();
        assert!(rates[0] > rates[3] + 1.0, "{backend}: rates {rates:?}");
        rates_by_backend.push(rates);
    }
    if let [cpu, gpu] = rates_by_backend.as_slice() {
        for (c, g) in cpu.iter().zip(gpu) {
            assert!(
                (c - g).abs() <= 1e-5 * c.abs().max(1.0),
                "cpu {cpu:?} gpu {gpu:?}"
            );
        }
    }
    let seeds = ibp(&[
        "train", "--link", link, "--steps", "100", "--sweep", "seed=5:3",
    ]);
    let last = finals(&seeds);
    assert_eq!(last.len(), 3);
    assert_ne!(last[0]["loss"], last[1]["loss"]);
    let bad = ibp(&["train", "--link", link, "--sweep", "beta=1:2"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--sweep 'beta=1:2'"));
}

#[test]
fn ib_curve_prints_a_hull_to_hx_ixy_and_names_bad_cells() {
    let dir = std::env::temp_dir().join(format!("ibp-pxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("pxy.csv");
    std::fs::write(&good, "1,0,1\n0,0,1\n0,1,1\n").unwrap();
    let out = ibp(&["ib-curve", "--pxy", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (hx, ixy) = (
        result["hx_bits"].as_f64().unwrap(),
        result["ixy_bits"].as_f64().unwrap(),
    );
    assert!(
        (hx - 1.5219).abs() < 1e-4 && (ixy - 0.5710).abs() < 1e-4,
        "{result}"
    );
    let points = result["points"].as_array().unwrap();
    let last = points.last().unwrap();
    assert!(
        (last["ixt_bits"].as_f64().unwrap() - hx).abs() < 1e-9,
        "{last}"
    );
    assert!(
        (last["ity_bits"].as_f64().unwrap() - ixy).abs() < 1e-9,
        "{last}"
    );
    assert_eq!(points[0]["ixt_bits"], 0.0);
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "1,0\n0.5,-2\n").unwrap();
    let out = ibp(&["ib-curve", "--pxy", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("row 2, column 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn epochs_count_passes_over_the_training_set() {
    // circle: 1000 points, 800 for training; 2.5 epochs of batch 64 are
    // ceil(2000 / 64) = 32 steps.
    let out = ibp(&[
        "train",
        "--link",
        "data=circle&batch=64&report=10&seed=1",
        "--epochs",
        "2.5",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = json_lines(&out).pop().unwrap();
    assert_eq!(last["final"], true);
    assert_eq!(last["step"], 32);
    assert!((last["epoch"].as_f64().unwrap() - 2.56).abs() < 1e-9);
}

/// A run that diverges exits 3, names the step on stderr, and prints only
/// finite numbers: the reports before the divergence, then a final line with
/// the last finite state marked `"diverged": true`.
fn assert_diverges(backend: &str, link: &str, step: u32, last_good: u32, steps: &str) {
    let out = ibp(&[
        "train",
        "--link",
        link,
        "--steps",
        steps,
        "--backend",
        backend,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    if backend == "gpu" && err.contains("no GPU adapter") && std::env::var_os("CI").is_none() {
        common::skipped("the gpu backend: no GPU adapter");
        return;
    }
    assert_eq!(out.status.code(), Some(3), "{backend}: {err}");
    assert!(
        err.contains(&format!(
            "training diverged at step {step} (loss is not a finite number); \
             the last finite report is step {last_good}; try a smaller lr or beta"
        )),
        "{backend}: {err}"
    );
    let lines = json_lines(&out);
    for line in &lines {
        for field in ["loss", "rate_bits", "izy_bits", "test_acc"] {
            assert!(line[field].is_f64(), "{backend}: {field} in {line}");
        }
        assert!(line["step"].as_u64().unwrap() <= last_good as u64);
    }
    let last = lines.last().unwrap();
    assert_eq!(
        (&last["final"], &last["diverged"]),
        (&true.into(), &true.into())
    );
    assert_eq!(last["step"], last_good);
    assert_eq!(lines.len() as u32, last_good / 10 + 1, "{backend}");
}

#[test]
fn diverging_runs_exit_3_with_only_finite_reports() {
    let circle = "v=1&data=circle&hidden=16,16&k=2&beta=1e-3&lr=10&seed=1&report=10";
    assert_diverges("cpu", circle, 10, 0, "300");
    assert_diverges("gpu", circle, 10, 0, "300");
    let spiral =
        "v=1&data=spiral&hidden=8&act=tanh&k=2&beta=1e-3&lr=1&batch=1&noise=0.5&seed=0&report=10";
    assert_diverges("cpu", spiral, 610, 600, "2000");
}

#[test]
fn exit_codes_are_documented_and_kept() {
    let help = String::from_utf8_lossy(&ibp(&["--help"]).stdout).to_string();
    for needle in ["EXIT CODES", "2  bad input", "3  the run diverged"] {
        assert!(help.contains(needle), "help lacks {needle}");
    }
    assert_eq!(ibp(&["train", "--link", "beta=abc"]).status.code(), Some(2));
    assert_eq!(
        ibp(&["train", "--link", "data=circle", "--steps", "x"])
            .status
            .code(),
        Some(2)
    );
    let done = ibp(&["train", "--link", "data=circle&report=50", "--steps", "100"]);
    assert_eq!(done.status.code(), Some(0));
}

/// A GPU that is not there is the device's failure, not bad input: exit 1
/// from every command that asks for the GPU (`ibp bench` used to exit 2).
/// `WGPU_BACKEND=metal` on Linux leaves wgpu no adapter to offer.
#[test]
fn a_gpu_failure_exits_1_in_every_command() {
    let runs: [&[&str]; 2] = [
        &["bench", "--backend", "gpu", "--quick"],
        &[
            "train",
            "--link",
            "data=circle",
            "--steps",
            "10",
            "--backend",
            "gpu",
        ],
    ];
    for args in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_ibp"))
            .args(args)
            .env("WGPU_BACKEND", "metal")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
        assert!(
            said.contains("no GPU adapter available"),
            "{args:?}: {said}"
        );
    }
}

/// The training lines of `ibp train` on a CSV file, without the backend's
/// name (compared across files).
fn csv_run(path: &std::path::Path) -> String {
    let out = ibp(&[
        "train",
        "--link",
        "data=csv&hidden=8&k=2&report=50&seed=3",
        "--steps",
        "100",
        "--csv",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn spreadsheet_files_train_bit_for_bit_like_the_plain_csv() {
    let dir = std::env::temp_dir().join(format!("ibp-sheets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: Vec<String> = (0..40)
        .map(|i| format!("{},{},{}", i as f32 / 8.0, (i * 7 % 11) as f32 / 4.0, i % 2))
        .collect();
    let plain = rows.join("\n") + "\n";
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let reference = csv_run(&write("plain.csv", plain.clone().into_bytes()));
    // A byte-order mark and no header: the first row is data, not a header.
    let bom = [b"\xEF\xBB\xBF".to_vec(), plain.clone().into_bytes()].concat();
    assert_eq!(csv_run(&write("bom.csv", bom)), reference);
    // Old-Mac line ends.
    assert_eq!(
        csv_run(&write("cr.csv", plain.replace('\n', "\r").into_bytes())),
        reference
    );
    // Semicolons with decimal commas, and a header.
    let semi = "u;v;y\n".to_string() + &plain.replace(',', ";").replace('.', ",");
    assert_eq!(csv_run(&write("semi.csv", semi.into_bytes())), reference);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_literal_plus_in_a_link_is_a_plus() {
    let out = ibp(&[
        "train",
        "--link",
        "data=circle&beta=1e+0&report=10",
        "--steps",
        "10",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_lines(&out)[0]["beta"], 1.0);
}

#[test]
fn ib_curve_from_samples_equals_the_counted_table() {
    let dir = std::env::temp_dir().join(format!("ibp-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let samples = dir.join("pairs.csv");
    std::fs::write(
        &samples,
        "x,y\na,0\na,0\na,0\na,1\nb,0\nb,1\nb,1\nb,1\nb,1\nb,1\n",
    )
    .unwrap();
    let table = dir.join("table.csv");
    std::fs::write(&table, "3,1\n1,5\n").unwrap();
    let from_samples =
        json_lines(&ibp(&["ib-curve", "--samples", samples.to_str().unwrap()])).remove(0);
    let from_table = json_lines(&ibp(&["ib-curve", "--pxy", table.to_str().unwrap()])).remove(0);
    assert_eq!(from_samples["points"], from_table["points"]);
    assert_eq!(from_samples["ixy_bits"], from_table["ixy_bits"]);
    assert_eq!(from_samples["samples"], 10);
    assert_eq!(from_samples["plug_in_ixy_bits"], from_table["ixy_bits"]);
    let corrected = from_samples["miller_madow_ixy_bits"].as_f64().unwrap();
    let plug_in = from_samples["plug_in_ixy_bits"].as_f64().unwrap();
    assert!((plug_in - corrected - 0.05 / std::f64::consts::LN_2).abs() < 1e-12);
    assert_eq!(from_samples["x_symbols"], serde_json::json!(["a", "b"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_thread_count_does_not_change_a_single_bit() {
    // Wide enough that products and the Adam update split among threads.
    let link = "data=digits&hidden=1024,256&k=8&act=relu&batch=100&report=50&seed=2";
    let run = |threads: &str| {
        let out = ibp(&[
            "train",
            "--link",
            link,
            "--steps",
            "100",
            "--threads",
            threads,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert_eq!(run("2"), one);
    assert_eq!(run("5"), one);
    assert_eq!(
        ibp(&["train", "--link", link, "--threads", "0"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn several_training_samples_train_on_the_cpu_and_the_gpu_refuses_them() {
    let link = "data=circle&hidden=16,16&k=2&beta=1e-3&seed=1&report=500&train_samples=12";
    let out = ibp(&["train", "--link", link, "--steps", "1000"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = finals(&out).pop().unwrap();
    assert!(last["test_acc"].as_f64().unwrap() >= 0.9, "{last}");
    let one = ibp(&[
        "train",
        "--link",
        &link.replace("&train_samples=12", ""),
        "--steps",
        "1000",
    ]);
    assert_ne!(finals(&one).pop().unwrap()["loss"], last["loss"]);
    let gpu = ibp(&["train", "--link", link, "--steps", "10", "--backend", "gpu"]);
    assert_eq!(gpu.status.code(), Some(2));
    let said = String::from_utf8_lossy(&gpu.stderr);
    assert!(
        said.contains("train_samples=12: several noise samples") && said.contains("CPU only"),
        "{said}"
    );
    let auto = ibp(&[
        "train",
        "--link",
        link,
        "--steps",
        "10",
        "--backend",
        "auto",
    ]);
    assert_eq!(finals(&auto)[0]["backend"], "cpu");
}
