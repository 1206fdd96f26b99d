//! The project's scripts as the docs run them.

#[cfg(unix)]
#[test]
fn every_shell_script_runs_by_its_path() {
    // The docs run them as `scripts/NAME.sh ...`: one left 0644 failed with
    // "Permission denied" on a lent GPU (scripts/reproduce-mnist-gpu.sh).
    use std::os::unix::fs::PermissionsExt;
    fn scripts(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scripts(&path, found);
            } else if path.extension().is_some_and(|e| e == "sh" || e == "sbatch") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    scripts(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts"),
        &mut found,
    );
    assert!(found.len() >= 10, "{found:?}");
    let unrunnable: Vec<_> = found
        .iter()
        .filter(|p| std::fs::metadata(p).unwrap().permissions().mode() & 0o111 == 0)
        .collect();
    assert!(
        unrunnable.is_empty(),
        "not executable (chmod +x): {unrunnable:?}"
    );
}
