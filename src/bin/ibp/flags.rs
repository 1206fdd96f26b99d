//! Command-line flags after the command, and files read under a size limit.

/// Command-line flags after the command: `--name value` pairs and switches.
pub struct Flags(pub Vec<String>);

impl Flags {
    /// `--threads N`: the CPU backend's threads (default: one per core).
    pub fn threads(&mut self) -> Result<(), String> {
        if let Some(text) = self.value("--threads")? {
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

    pub fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.0.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.0.len() => {
                let value = self.0.remove(i + 1);
                self.0.remove(i);
                Ok(Some(value))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    pub fn switch(&mut self, name: &str) -> bool {
        let found = self.0.iter().position(|a| a == name);
        found.map(|i| self.0.remove(i)).is_some()
    }

    pub fn finish(self) -> Result<(), String> {
        match self.0.first() {
            None => Ok(()),
            Some(extra) => Err(format!("unexpected argument '{extra}' (see ibp --help)")),
        }
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
