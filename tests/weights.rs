//! Weights exported as JSON reload exactly, in the library and the CLI, and
//! files that do not fit the link's model are refused with the reason.
use ib_playground::config::Experiment;
use ib_playground::cpu::CpuTrainer;
use ib_playground::data::{self, Sources};
use ib_playground::weights::Weights;
use std::process::Command;

fn trained() -> CpuTrainer {
    let experiment = Experiment::from_link("data=moons&hidden=8,4&k=3&seed=3&report=100").unwrap();
    let dataset = data::load(&experiment, &Sources::default()).unwrap();
    let mut trainer = CpuTrainer::new(experiment, dataset);
    (0..200).for_each(|_| {
        trainer.train_step();
    });
    trainer
}

#[test]
fn weights_round_trip_through_json_and_the_cli() {
    let mut trainer = trained();
    let exported = Weights::from_params(&trainer.params, &trainer.experiment);
    let text = serde_json::to_string(&exported).unwrap();
    let back = Weights::parse(&text).unwrap();
    assert_eq!(
        back.to_params(&trainer.model.shape).unwrap(),
        trainer.params
    );
    let expected = trainer.report(true);
    let path = std::env::temp_dir().join(format!("ibp-weights-{}.json", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(["evaluate", "--weights", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["loss"].as_f64().unwrap(), expected.loss);
    assert_eq!(
        report["test_acc"].as_f64().unwrap(),
        expected.test_acc.unwrap()
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn mismatched_weights_are_refused() {
    let trainer = trained();
    let mut weights = Weights::from_params(&trainer.params, &trainer.experiment);
    weights.encoder[1].b.pop();
    let err = weights.to_params(&trainer.model.shape).unwrap_err();
    assert!(
        err.message
            .contains("encoder layer 2: expected W 8x4 and b 4"),
        "{err}"
    );
    let mut weights = Weights::from_params(&trainer.params, &trainer.experiment);
    weights.decoder.clear();
    assert!(
        weights
            .to_params(&trainer.model.shape)
            .unwrap_err()
            .message
            .contains("decoder: 0 layers")
    );
    assert!(
        Weights::parse("{\"format\": \"other\"}")
            .unwrap_err()
            .message
            .contains("not an ibp weights file")
    );
    let mut bad = Weights::from_params(&trainer.params, &trainer.experiment);
    bad.format = "ibp-weights-0".into();
    assert!(
        Weights::parse(&serde_json::to_string(&bad).unwrap())
            .unwrap_err()
            .message
            .contains("is not ibp-weights-1")
    );
}

#[test]
fn weights_whose_link_holds_more_live_changes_than_a_shared_link_still_evaluate() {
    let mut trainer = trained();
    let mut experiment = trainer.experiment.clone();
    for step in 1..=400 {
        let lr = if step % 2 == 0 { "0.004" } else { "0.006" };
        experiment.record_live(step, "lr", lr).unwrap();
    }
    let exported = Weights::from_params(&trainer.params, &experiment);
    assert!(exported.link.len() > ib_playground::config::MAX_LINK_BYTES);
    let path = std::env::temp_dir().join(format!("ibp-weights-long-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&exported).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(["evaluate", "--weights", path.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["loss"].as_f64().unwrap(), trainer.report(true).loss);
}
