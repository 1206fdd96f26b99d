//! `ibp sweep` as a researcher runs it (issue 30): the grid, the task
//! split (three tasks merged equal one sweep, line for line), resume after
//! a killed task, merge's missing-run error, Slurm's array variables, and
//! real output checked against the JSON Schema in docs/.
mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LINK: &str = "data=circle&points=200&hidden=6&k=2&report=50";
const GRID: &str = "beta=1e-3:1e-1:3&act=tanh|relu";

fn ibp(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ibp"));
    command.args(args).env_remove("SLURM_ARRAY_TASK_ID");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ibp-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn sweep(out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "sweep", "--link", LINK, "--grid", GRID, "--steps", "100", "--out", out,
    ];
    args.extend(extra);
    let done = ibp(&args, env);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    done
}

/// The merged lines of `dirs`, without what differs between machines and
/// runs (wall time, build).
fn merged(dirs: &[&Path]) -> Vec<Value> {
    let mut args = vec!["sweep", "merge"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let out = ibp(&args, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let line = v.as_object_mut().unwrap();
            line.remove("wall_s");
            line.remove("build");
            v
        })
        .collect()
}

#[test]
fn a_grid_gives_one_line_per_run_sorted_by_link() {
    let out = folder("grid");
    sweep(&out, &["--jobs", "2"], &[]);
    let lines = merged(&[&out]);
    assert_eq!(lines.len(), 6);
    let links: Vec<&str> = lines.iter().map(|l| l["link"].as_str().unwrap()).collect();
    let mut sorted = links.clone();
    sorted.sort();
    assert_eq!(links, sorted);
    assert!(
        links.contains(&"v=1&beta=0.01&hidden=6&act=relu&points=200&report=50"),
        "{links:?}"
    );
    for line in &lines {
        assert_eq!(line["schema"], "ibp-sweep-1");
        assert_eq!(
            (line["status"].as_str(), line["step"].as_u64()),
            (Some("done"), Some(100))
        );
        assert!(line["metrics"]["rate_bits"].as_f64().unwrap() >= 0.0);
        assert_eq!(line["sweep"]["grid"], GRID);
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn three_tasks_merged_equal_one_sweep_line_for_line() {
    let (one, three) = (folder("one"), folder("three"));
    sweep(&one, &[], &[]);
    for i in ["0", "1", "2"] {
        sweep(
            &three,
            &["--tasks", "3", "--task-index", i, "--jobs", "1"],
            &[],
        );
    }
    assert!(three.join("task-2-of-3.jsonl").exists());
    assert_eq!(
        merged(&[&three]),
        merged(&[&one]),
        "the CPU gives the same bits"
    );
    // Slurm's array: task id 5 of an array starting at 4 is task 1 of 3.
    let slurm = folder("slurm");
    let env = [
        ("SLURM_ARRAY_TASK_ID", "5"),
        ("SLURM_ARRAY_TASK_MIN", "4"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    sweep(&slurm, &[], &env);
    let theirs = std::fs::read_to_string(slurm.join("task-1-of-3.jsonl")).unwrap();
    let ours = std::fs::read_to_string(three.join("task-1-of-3.jsonl")).unwrap();
    // The same runs (a task file lists them in the order they ended).
    let links = |t: &str| -> Vec<String> {
        let mut links: Vec<String> = t
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["link"].to_string())
            .collect();
        links.sort();
        links
    };
    assert_eq!(links(&theirs), links(&ours));
    for dir in [one, three, slurm] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_killed_task_resumes_and_merge_names_missing_runs() {
    let (full, cut) = (folder("full"), folder("cut"));
    sweep(&full, &["--jobs", "1"], &[]);
    // A task killed after two runs, in the middle of writing the third line.
    let text = std::fs::read_to_string(full.join("task-0-of-1.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::create_dir_all(&cut).unwrap();
    let partial = format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..40]);
    std::fs::write(cut.join("task-0-of-1.jsonl"), partial).unwrap();
    let missing = ibp(&["sweep", "merge", cut.to_str().unwrap()], &[]);
    assert_eq!(missing.status.code(), Some(4));
    let said = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(said.matches("missing run: v=1&").count(), 4, "{said}");
    // Run again: only the four missing runs train.
    let again = sweep(&cut, &["--jobs", "1"], &[]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("2 already in"));
    assert_eq!(String::from_utf8_lossy(&again.stdout).lines().count(), 4);
    assert_eq!(merged(&[&cut]), merged(&[&full]));
    std::fs::remove_dir_all(full).unwrap();
    std::fs::remove_dir_all(cut).unwrap();
}

#[test]
fn bad_grids_and_tasks_exit_2_naming_the_fault() {
    let out = folder("bad");
    let dir = out.to_str().unwrap();
    for (grid, extra, says) in [
        ("act=tanh|swish", vec![], "grid value act=swish"),
        ("lr=1e-3:1e-1:3", vec![], "ranges are beta=LO:HI:N"),
        (
            "beta=1e-3|1e-2",
            vec!["--tasks", "2", "--task-index", "2"],
            "task index 2 of 2",
        ),
    ] {
        let mut args = vec![
            "sweep", "--link", LINK, "--grid", grid, "--steps", "10", "--out", dir,
        ];
        args.extend(extra);
        let run = ibp(&args, &[]);
        assert_eq!(run.status.code(), Some(2), "{grid}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains(says),
            "{grid}"
        );
    }
    let _ = std::fs::remove_dir_all(out);
}

/// `merge` reads JSONL files (the page's "Sweep (JSONL)") as well as
/// folders, and `--csv` prints the metrics CSV's columns then status and
/// link, one row per run in the grid's order: the page's "Sweep (CSV)".
#[test]
fn merge_reads_files_and_prints_the_sweep_csv() {
    let out = folder("csv");
    sweep(&out, &["--jobs", "2"], &[]);
    let page = out.with_extension("jsonl");
    std::fs::copy(out.join("task-0-of-1.jsonl"), &page).unwrap();
    let csv = |path: &Path| {
        let done = ibp(&["sweep", "merge", path.to_str().unwrap(), "--csv"], &[]);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        String::from_utf8(done.stdout).unwrap()
    };
    // Merging gives back the very lines written (their numbers read back
    // to the same bits: serde_json's float_roundtrip), sorted by link.
    let written = std::fs::read_to_string(&page).unwrap();
    let mut sorted_lines: Vec<&str> = written.lines().collect();
    sorted_lines.sort_by_key(|l| serde_json::from_str::<Value>(l).unwrap()["link"].to_string());
    let merged = ibp(&["sweep", "merge", page.to_str().unwrap()], &[]);
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout)
            .lines()
            .collect::<Vec<_>>(),
        sorted_lines
    );
    let text = csv(&page);
    assert_eq!(text, csv(&out), "a file and its folder give one CSV");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 7, "{text}");
    assert_eq!(rows[0][..5], ["step", "epoch", "replica", "beta", "lr"]);
    assert_eq!(rows[0][rows[0].len() - 2..], ["status", "link"]);
    // Rows in the grid's order (beta slowest, then the activation), not
    // the links' (which sort act=relu apart).
    let betas: Vec<&str> = rows[1..].iter().map(|r| r[3]).collect();
    assert_eq!(betas, ["0.001", "0.001", "0.01", "0.01", "0.1", "0.1"]);
    let relu: Vec<bool> = rows[1..]
        .iter()
        .map(|r| r.last().unwrap().contains("act=relu"))
        .collect();
    assert_eq!(relu, [false, true, false, true, false, true]);
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!((row[0], row[2]), ("100", i.to_string().as_str()));
        assert_eq!(row[row.len() - 2], "done");
    }
    let missing = ibp(&["sweep", "merge", "/nonexistent/sweep.jsonl"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("neither a folder nor a file"));
    std::fs::remove_dir_all(out).unwrap();
    std::fs::remove_file(page).unwrap();
}

/// Real output, the plane on and a run that diverges, against
/// docs/sweep-schema.json (Python's jsonschema, a well-kept validator;
/// skipped, saying so, where absent outside CI).
#[test]
fn real_lines_follow_the_json_schema_and_a_diverged_run_is_recorded() {
    let out = folder("schema");
    let dir = out.to_str().unwrap();
    let link = "data=circle&hidden=16,16&k=2&report=10&plane=1";
    let args = [
        "sweep",
        "--link",
        link,
        "--grid",
        "lr=10|0.005",
        "--steps",
        "300",
        "--out",
        dir,
    ];
    let run = ibp(&args, &[]);
    assert!(
        run.status.success(),
        "a diverged run does not stop the sweep"
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let status = |lr: &str| {
        let line = lines
            .iter()
            .find(|l| l["link"].as_str().unwrap().contains(lr))
            .unwrap();
        (
            line["status"].as_str().unwrap().to_string(),
            line["diverged"]["quantity"].is_string(),
        )
    };
    assert_eq!(status("lr=10"), ("diverged".to_string(), true));
    assert_eq!(status("v=1&report"), ("done".to_string(), false));
    let check = "import json, sys, jsonschema\n\
                 schema = json.load(open('docs/sweep-schema.json'))\n\
                 lines = [json.loads(l) for l in open(sys.argv[1])]\n\
                 [jsonschema.validate(l, schema) for l in lines]\n\
                 print(len(lines), sum(l['plane'] is not None for l in lines))";
    let file = out.join("task-0-of-1.jsonl");
    let python = Command::new("python3")
        .args(["-c", check, file.to_str().unwrap()])
        .output();
    let absent =
        |o: &Output| String::from_utf8_lossy(&o.stderr).contains("No module named 'jsonschema'");
    match python {
        Ok(o) if absent(&o) && std::env::var("CI").is_err() => {
            common::skipped("Python's jsonschema is not installed")
        }
        Ok(o) => {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(
                String::from_utf8_lossy(&o.stdout).trim(),
                "2 1",
                "the done run has its plane"
            );
        }
        Err(_) if std::env::var("CI").is_err() => common::skipped("python3 is not installed"),
        Err(e) => panic!("python3: {e}"),
    }
    // A document that breaks the schema is refused: the check can fail.
    let bad = "import json, jsonschema\n\
               schema = json.load(open('docs/sweep-schema.json'))\n\
               jsonschema.validate({'schema': 'ibp-sweep-1'}, schema)";
    if let Ok(o) = Command::new("python3").args(["-c", bad]).output() {
        if !absent(&o) {
            assert!(!o.status.success(), "an incomplete line passed the schema");
        }
    }
    std::fs::remove_dir_all(out).unwrap();
}

/// On the GPU, runs that differ only in beta train as one run's replicas,
/// in the same dispatches: six runs open two GPU runs, and each line holds
/// the numbers the run gives alone (`ibp train --backend gpu`).
#[test]
fn gpu_sweeps_pack_the_betas_of_a_grid_into_one_dispatch() {
    let link = "data=circle&hidden=8&k=2&report=50";
    let alone = ibp(
        &[
            "train",
            "--link",
            &format!("{link}&beta=0.1&act=relu"),
            "--steps",
            "100",
            "--backend",
            "gpu",
        ],
        &[],
    );
    if alone.status.code() == Some(1) && std::env::var("CI").is_err() {
        return common::skipped("no GPU adapter (ibp train --backend gpu exits 1)");
    }
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let last: Value = serde_json::from_str(
        String::from_utf8_lossy(&alone.stdout)
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    let out = folder("gpu");
    let dir = out.to_str().unwrap();
    let args = [
        "sweep", "--link", link, "--grid", GRID, "--steps", "100", "--out", dir,
    ];
    let run = ibp(
        &[&args[..], &["--backend", "gpu", "--jobs", "1"]].concat(),
        &[],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let opened = String::from_utf8_lossy(&run.stderr)
        .matches("training on the GPU")
        .count();
    assert_eq!(
        opened, 2,
        "one GPU run per activation, its three betas packed"
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let packed = lines
        .iter()
        .find(|l| l["link"] == "v=1&beta=0.1&hidden=8&act=relu&report=50")
        .unwrap();
    assert_eq!(packed["backend"], "gpu");
    // The same kernels on the same numbers (lavapipe gives the same bits;
    // a GPU's parity with itself is held to 1e-6 bits).
    for key in ["rate_bits", "izy_bits", "loss"] {
        let (got, want) = (
            packed["metrics"][key].as_f64().unwrap(),
            last[key].as_f64().unwrap(),
        );
        assert!(
            (got - want).abs() < 1e-6,
            "{key}: packed {got}, alone {want}"
        );
    }
    std::fs::remove_dir_all(out).unwrap();
}
