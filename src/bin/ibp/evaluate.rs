//! `ibp evaluate`: the report of weights exported by the page.

use crate::flags::{Flags, read_limited};
use crate::train::sources_for;
use ib_playground::config::Experiment;
use ib_playground::cpu::CpuTrainer;
use ib_playground::{data, weights};

/// `ibp evaluate --weights FILE [--csv FILE]`: loads exported weights and
/// prints the model's report on its link's data.
pub fn command(mut flags: Flags) -> Result<(), String> {
    let path = flags
        .value("--weights")?
        .ok_or("evaluate needs --weights FILE (exported by the page)")?;
    let csv = flags.value("--csv")?;
    flags.finish()?;
    let bytes = read_limited("--weights", &path, weights::MAX_WEIGHTS_BYTES as usize)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("--weights {path}: not UTF-8 text (a weights file is JSON)"))?;
    let loaded = weights::Weights::parse(&text).map_err(|e| format!("--weights {path}: {e}"))?;
    let experiment =
        Experiment::from_link(&loaded.link).map_err(|e| format!("--weights {path}: link: {e}"))?;
    let sources = sources_for(&experiment, csv)?;
    let dataset = data::load(&experiment, &sources).map_err(|e| e.to_string())?;
    let mut trainer = CpuTrainer::new(experiment, dataset);
    trainer.params = loaded
        .to_params(&trainer.model.shape)
        .map_err(|e| format!("--weights {path}: {e}"))?;
    println!(
        "{}",
        serde_json::to_string(&trainer.report(true)).expect("reports serialise")
    );
    Ok(())
}
