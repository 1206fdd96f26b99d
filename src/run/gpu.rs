//! The GPU backend of a run: every replica in the same dispatches; steps
//! are submitted without waiting, and reports, checkpoints and weights are
//! read back asynchronously.

use super::backend::{Backend, BackendKind, Checkpoint, Pending};
use crate::config::Experiment;
use crate::error::Result;
use crate::gpu::GpuTrainer;
use crate::model::Params;
use crate::report::Report;
use crate::sweep::Replica;

/// Models above this many numbers (all replicas) are checkpointed at most
/// every few seconds rather than at every report.
pub const CHEAP_CHECKPOINT_NUMBERS: usize = 250_000;

impl Backend for GpuTrainer {
    fn kind(&self) -> BackendKind {
        BackendKind::Gpu
    }

    fn label(&self) -> String {
        let name = &self.ctx.summary.name;
        if cfg!(target_arch = "wasm32") {
            format!("WebGPU — {name}")
        } else {
            let a = &self.ctx.summary;
            format!("GPU adapter \"{name}\" ({}, {})", a.backend, a.device_type)
        }
    }

    fn steps(&self) -> u32 {
        self.steps_done()
    }

    fn parameters(&self) -> usize {
        self.layout.total
    }

    fn replicas(&self) -> usize {
        self.replicas.len()
    }

    fn train(&mut self, count: u32) {
        self.submit_steps(count);
    }

    fn finished(&self) -> Pending<'_, ()> {
        Box::pin(async move { Ok(GpuTrainer::finished(self).await?) })
    }

    fn report(&mut self, is_final: bool) -> Pending<'_, Vec<Report>> {
        Box::pin(async move { Ok(GpuTrainer::report(self, is_final).await?) })
    }

    fn train_loss(&self) -> Pending<'_, f64> {
        Box::pin(async move { Ok(GpuTrainer::train_loss(self).await?) })
    }

    fn checkpoint(&self) -> Pending<'_, Checkpoint> {
        Box::pin(async move {
            let saved = GpuTrainer::checkpoint(self).await?;
            Ok(Checkpoint::Gpu(Box::new(saved)))
        })
    }

    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        match checkpoint {
            Checkpoint::Gpu(saved) => {
                GpuTrainer::restore(self, saved);
                Ok(())
            }
            Checkpoint::Cpu(states) => {
                let saved = self.checkpoint_from_cpu(states)?;
                GpuTrainer::restore(self, &saved);
                Ok(())
            }
        }
    }

    fn params(&self, replica: usize) -> Pending<'_, Params<f32>> {
        Box::pin(async move { Ok(self.read_params(replica).await?) })
    }

    fn load_params(&mut self, params: &Params<f32>, step: u32) {
        GpuTrainer::load_params(self, params, step);
    }

    fn set_live(&mut self, in_force: &Experiment, replicas: &[Replica]) {
        GpuTrainer::set_live(self, in_force, replicas);
    }

    fn cheap_checkpoint_limit(&self) -> usize {
        CHEAP_CHECKPOINT_NUMBERS
    }

    fn lose_device(&self) {
        self.ctx.device.destroy();
    }
}
