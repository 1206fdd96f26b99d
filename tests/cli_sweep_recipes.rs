//! The cluster recipes of the README's "Sweeps on a cluster", run on this
//! machine (issue 30): the Slurm array script's body once per task with
//! SLURM_ARRAY_TASK_ID set (no Slurm needed), and the Ray recipe on a local
//! Ray in a Python virtual environment this test creates under target/
//! (kept, so a second run downloads nothing). Both must give the merged
//! lines of a one-machine sweep of the same grid (CPU: the same bits).
mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const LINK: &str = "data=circle&points=200&hidden=6&k=2&report=50";
const GRID: &str = "beta=1e-3:1e-1:3&seed=1:2";
const STEPS: &str = "80";
/// The Ray the recipe is tested with (its README line names the same).
const RAY: &str = "ray==2.60.0";

fn ibp() -> &'static str {
    env!("CARGO_BIN_EXE_ibp")
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ibp-recipe-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Merged lines without wall time and build, from `ibp sweep merge` output.
fn comparable(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("wall_s");
            v.as_object_mut().unwrap().remove("build");
            v
        })
        .collect()
}

fn merge(dir: &Path) -> Vec<Value> {
    let out = Command::new(ibp())
        .args(["sweep", "merge", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    comparable(&String::from_utf8_lossy(&out.stdout))
}

/// The same grid on one machine, in one task (in a folder of `tag`'s: the
/// tests run at once).
fn one_machine(tag: &str) -> Vec<Value> {
    let dir = folder(&format!("one-{tag}"));
    let out = dir.to_str().unwrap();
    let args = [
        "sweep", "--link", LINK, "--grid", GRID, "--steps", STEPS, "--out", out,
    ];
    assert!(
        Command::new(ibp())
            .args(args)
            .output()
            .unwrap()
            .status
            .success()
    );
    let lines = merge(&dir);
    std::fs::remove_dir_all(dir).unwrap();
    assert_eq!(lines.len(), 6);
    lines
}

#[test]
fn the_slurm_array_script_gives_the_one_machine_sweep() {
    let dir = folder("slurm");
    for task in ["0", "1", "2"] {
        let run = Command::new("bash")
            .arg("scripts/slurm/sweep.sbatch")
            .envs([
                ("IBP", ibp()),
                ("LINK", LINK),
                ("GRID", GRID),
                ("STEPS", STEPS),
            ])
            .env("OUT", &dir)
            .envs([("SLURM_ARRAY_TASK_ID", task), ("SLURM_ARRAY_TASK_MIN", "0")])
            .envs([
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_CPUS_PER_TASK", "1"),
            ])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "task {task}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(dir.join(format!("task-{task}-of-3.jsonl")).exists());
    }
    assert_eq!(merge(&dir), one_machine("slurm"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// target/ray-venv with Ray in it, made on the first run; None (said) where
/// Python is absent.
fn ray_python() -> Option<PathBuf> {
    let venv = Path::new("target/ray-venv");
    let python = venv.join("bin/python");
    let has_ray = |p: &Path| {
        Command::new(p)
            .args(["-c", "import ray"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if python.exists() && has_ray(&python) {
        return Some(python);
    }
    if Command::new("python3").arg("--version").output().is_err() {
        common::skipped("python3 is not installed: the Ray recipe needs it");
        return None;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .unwrap();
    assert!(made.success(), "python3 -m venv target/ray-venv failed");
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", RAY])
        .output()
        .unwrap();
    assert!(
        pip.status.success(),
        "pip install {RAY}: {}",
        String::from_utf8_lossy(&pip.stderr)
    );
    Some(python)
}

#[test]
fn the_ray_recipe_gives_the_one_machine_sweep() {
    let Some(python) = ray_python() else {
        return;
    };
    let dir = folder("ray");
    let run = Command::new(python)
        .arg("scripts/ray/sweep.py")
        .args([
            "--ibp",
            ibp(),
            "--link",
            LINK,
            "--grid",
            GRID,
            "--steps",
            STEPS,
        ])
        .args(["--tasks", "3", "--out"])
        .arg(&dir)
        .env_remove("RAY_ADDRESS")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        comparable(&String::from_utf8_lossy(&run.stdout)),
        one_machine("ray")
    );
    assert!(dir.join("task-2-of-3.jsonl").exists());
    std::fs::remove_dir_all(dir).unwrap();
}
