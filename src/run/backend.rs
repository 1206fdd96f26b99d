//! What a `Run` drives: a `Backend` trains M replicas of one experiment
//! (the CPU one after the other, the GPU in the same dispatches), reports
//! on them, keeps and restores checkpoints, and takes live changes.
//!
//! The GPU answers asynchronously (the browser never blocks), so the
//! methods that wait for the device return a boxed future; the CPU's are
//! ready at once.

use crate::config::Experiment;
use crate::error::Result;
use crate::gpu::trainer::GpuCheckpoint;
use crate::model::Params;
use crate::report::Report;
use crate::state::TrainState;
use crate::sweep::Replica;
use std::future::Future;
use std::pin::Pin;

/// A backend's answer that may wait for the device.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + 'a>>;

/// An answer that is ready now, as a `Pending`.
pub fn ready<'a, T: 'a>(value: Result<T>) -> Pending<'a, T> {
    Box::pin(std::future::ready(value))
}

/// Where a run trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Cpu,
    Gpu,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Gpu => "gpu",
        }
    }
}

/// A state to go back to: the CPU's per replica, or the GPU's buffers as
/// read back (which the CPU can take over when the device is lost).
pub enum Checkpoint {
    Cpu(Vec<TrainState>),
    Gpu(Box<GpuCheckpoint>),
}

impl Checkpoint {
    /// The step the state was taken after.
    pub fn step(&self) -> u32 {
        match self {
            Checkpoint::Cpu(replicas) => replicas.first().map_or(0, |c| c.step()),
            Checkpoint::Gpu(c) => c.step(),
        }
    }

    /// The state as the CPU holds it, one per replica.
    pub fn to_cpu(&self) -> Vec<TrainState> {
        match self {
            Checkpoint::Cpu(replicas) => replicas.clone(),
            Checkpoint::Gpu(c) => c.to_cpu(),
        }
    }
}

/// M replicas of one experiment being trained.
pub trait Backend {
    fn kind(&self) -> BackendKind;
    /// What the user sees: "CPU (WebAssembly)", "GPU — adapter name".
    fn label(&self) -> String;
    /// Steps taken so far (every replica takes the same steps).
    fn steps(&self) -> u32;
    /// Trainable numbers of one replica.
    fn parameters(&self) -> usize;
    fn replicas(&self) -> usize;
    /// Trains `count` more steps (the CPU now; the GPU submits them).
    fn train(&mut self, count: u32);
    /// Resolves when the submitted steps have run.
    fn finished(&self) -> Pending<'_, ()>;
    /// Measures every replica.
    fn report(&mut self, is_final: bool) -> Pending<'_, Vec<Report>>;
    /// Mean training loss (bits) of replica 0 since the last report.
    fn train_loss(&self) -> Pending<'_, f64>;
    /// The training state now.
    fn checkpoint(&self) -> Pending<'_, Checkpoint>;
    /// Goes back to `checkpoint`; the CPU also takes a GPU's.
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()>;
    /// The trained weights of replica `replica`.
    fn params(&self, replica: usize) -> Pending<'_, Params<f32>>;
    /// Every replica takes `params`, Adam starts again, the step is `step`.
    fn load_params(&mut self, params: &Params<f32>, step: u32);
    /// Trains from now on with the live keys of `in_force` (the experiment
    /// at the current step, `Experiment::at`) and the replicas' betas as
    /// `replicas` says (`Replica::under`). Only `Run::sync_live` calls it.
    fn set_live(&mut self, in_force: &Experiment, replicas: &[Replica]);
    /// Models above this many numbers (all replicas) are not checkpointed
    /// at every report: the GPU would read them back each time.
    fn cheap_checkpoint_limit(&self) -> usize {
        usize::MAX
    }
    /// Destroys the device, as a driver reset would (a test hook).
    fn lose_device(&self) {}
}
