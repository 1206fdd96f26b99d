//! The CPU backend of a run: one `CpuTrainer` per replica, trained one
//! after the other, bit-reproducible.

use super::backend::{Backend, BackendKind, Checkpoint, Pending, ready};
use crate::config::Experiment;
use crate::cpu::CpuTrainer;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::model::Params;
use crate::report::Report;
use crate::sweep::Replica;
use std::sync::Arc;

/// Replicas of one experiment on the CPU.
pub struct CpuReplicas {
    pub trainers: Vec<CpuTrainer>,
    label: String,
}

impl CpuReplicas {
    /// Fresh models, one per replica (its seed and beta).
    pub fn new(experiment: &Experiment, dataset: Arc<Dataset>, replicas: &[Replica]) -> Self {
        let trainers = replicas
            .iter()
            .map(|r| {
                let replica = Experiment {
                    seed: r.seed,
                    beta: r.beta,
                    ..experiment.clone()
                };
                CpuTrainer::new(replica, dataset.clone())
            })
            .collect();
        CpuReplicas {
            trainers,
            label: CPU_LABEL.to_string(),
        }
    }
}

/// How the CPU backend names itself.
#[cfg(target_arch = "wasm32")]
const CPU_LABEL: &str = "CPU (WebAssembly)";
#[cfg(not(target_arch = "wasm32"))]
const CPU_LABEL: &str = "CPU";

impl Backend for CpuReplicas {
    fn kind(&self) -> BackendKind {
        BackendKind::Cpu
    }

    fn label(&self) -> String {
        self.label.clone()
    }

    fn steps(&self) -> u32 {
        self.trainers[0].steps_done()
    }

    fn parameters(&self) -> usize {
        self.trainers[0].model.shape.parameter_count()
    }

    fn replicas(&self) -> usize {
        self.trainers.len()
    }

    fn train(&mut self, count: u32) {
        for trainer in &mut self.trainers {
            for _ in 0..count {
                trainer.train_step();
            }
        }
    }

    fn finished(&self) -> Pending<'_, ()> {
        ready(Ok(()))
    }

    fn report(&mut self, is_final: bool) -> Pending<'_, Vec<Report>> {
        let reports = self.trainers.iter_mut().map(|t| t.report(is_final));
        ready(Ok(reports.collect()))
    }

    fn train_loss(&self) -> Pending<'_, f64> {
        ready(Ok(self.trainers[0].train_loss()))
    }

    fn checkpoint(&self) -> Pending<'_, Checkpoint> {
        let saved = self.trainers.iter().map(|t| t.checkpoint()).collect();
        ready(Ok(Checkpoint::Cpu(saved)))
    }

    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        let saved = checkpoint.to_cpu();
        if saved.len() != self.trainers.len() {
            return Err(Error::internal(format!(
                "a checkpoint of {} replicas cannot restore {}",
                saved.len(),
                self.trainers.len()
            )));
        }
        for (trainer, state) in self.trainers.iter_mut().zip(&saved) {
            trainer.restore(state);
        }
        Ok(())
    }

    fn params(&self, replica: usize) -> Pending<'_, Params<f32>> {
        ready(Ok(self.trainers[replica].params.clone()))
    }

    fn load_params(&mut self, params: &Params<f32>, step: u32) {
        for trainer in &mut self.trainers {
            let shape = &trainer.model.shape;
            let zeros = [Params::zeros(shape), Params::zeros(shape)];
            let geco = crate::geco::Geco::new(trainer.experiment.beta);
            let state =
                crate::state::TrainState::from_parts(params.clone(), zeros, None, step, geco);
            trainer.restore(&state);
        }
    }

    fn set_live(&mut self, in_force: &Experiment, replicas: &[Replica]) {
        for (trainer, replica) in self.trainers.iter_mut().zip(replicas) {
            trainer.set_live(in_force, replica.beta);
        }
    }
}
