//! What several commands share: `--threads N` and files read under a size
//! limit. Each command's own flags are its `Args` (clap derive).

/// `--threads N`, flattened into the commands that train or measure on the
/// CPU.
#[derive(clap::Args, Debug, Default)]
pub struct Threads {
    /// The CPU backend's threads (default: one per core); any N gives the
    /// same bits.
    #[arg(long, value_name = "N")]
    threads: Option<String>,
}

impl Threads {
    /// Whether `--threads` was given.
    pub fn given(&self) -> bool {
        self.threads.is_some()
    }

    /// Sets the CPU backend's threads; a value outside 1 to 256 is named.
    pub fn apply(&self) -> Result<(), String> {
        if let Some(text) = &self.threads {
            match text.parse::<usize>() {
                Ok(n) if (1..=256).contains(&n) => ib_playground::cpu::parallel::set_threads(n),
                _ => {
                    return Err(format!(
                        "--threads: '{text}' is not a whole number from 1 to 256"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Reads a file the size limit allows, naming the flag in errors.
pub fn read_limited(flag: &str, path: &str, max: usize) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{flag} {path}: {e}"))?
        .len();
    if size > max as u64 {
        return Err(format!(
            "{flag} {path}: {size} bytes (allowed: at most {max})"
        ));
    }
    std::fs::read(path).map_err(|e| format!("{flag} {path}: {e}"))
}
