//! The one training loop. A `Run` drives a `Backend` (the CPU replicas or
//! the GPU trainer) for the CLI, the page's worker, the benchmarks and the
//! tests alike. It owns what keeps a user's work safe:
//!
//! ```text
//!            advance / slice                  restore
//!   Training ------------------> Diverged ------------> Training
//!      |   (a report with a non-finite loss, rate or I(Z;Y): the run
//!      |    stops there, keeping the last finite report and state)
//!      |  until reached
//!      +--------------> Finished
//!   A GPU failure at any call: the run moves to the CPU from its last
//!   checkpoint and goes on (BackendChanged).
//! ```
//!
//! - the report cadence: a report every `report` steps and at every step
//!   where a live change is due, and a final one when the run reaches its
//!   `until` step;
//! - live changes (`apply`): recorded in the experiment's schedule, handed
//!   to the backend at their steps, so a link replays the run on screen;
//! - the divergence check: reports that are not finite are never emitted;
//! - checkpoints: after finite reports, at every one where the state is
//!   cheap to keep, else at most every `CHECKPOINT_MS`;
//! - the GPU-to-CPU fallback from the last checkpoint;
//! - snapshots for the views, when asked for, at most every
//!   `SNAPSHOT_MS` (plus a second per million parameters).
//!
//! Everything it says comes out as typed `Event`s. The policies after each
//! slice are in `state.rs`; going back to a kept state in `restore.rs`.

pub mod backend;
mod clock;
pub mod cpu;
mod gpu;
mod restore;
pub mod saved;
mod state;

pub use backend::{Backend, BackendKind, Checkpoint};
pub use clock::now_ms;
pub use cpu::CpuReplicas;
pub use gpu::CHEAP_CHECKPOINT_NUMBERS;

use crate::config::Experiment;
use crate::cpu::plane::measure_hidden;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::gpu::GpuTrainer;
use crate::model::{Model, Params};
use crate::report::{LayerInfo, Report};
use crate::snapshot::{self, Snapshot};
use crate::sweep::Replica;
use serde::Serialize;
use state::Status;
use std::sync::Arc;

/// Models above this many numbers (all replicas) are never checkpointed on
/// the GPU: every checkpoint would read them back.
pub const MAX_GPU_CHECKPOINT_NUMBERS: usize = 4_000_000;
/// Milliseconds between checkpoints of models too large to keep at every
/// report.
pub const CHECKPOINT_MS: f64 = 5000.0;
/// Milliseconds between snapshots, plus one per thousand parameters.
pub const SNAPSHOT_MS: f64 = 400.0;
/// Most steps one slice trains.
pub const MAX_CHUNK: u32 = 4096;

/// What a run says, in order.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// Steps taken so far, and the milliseconds the last ones took to train
    /// (reports not included).
    Progress { step: u32, train_ms: f64 },
    /// One finite report per replica, and the milliseconds it took to
    /// measure (the information plane included).
    Report {
        reports: Vec<Report>,
        report_ms: f64,
    },
    /// What the views draw (replica 0).
    Snapshot { snapshot: Box<Snapshot> },
    /// A report at `step` had a non-finite `quantity` (the first such
    /// `replica`'s, 0 for a lone run); the run stopped. `last_good_step` is
    /// the last finite report, `restorable_step` the state `restore` goes
    /// back to.
    Diverged {
        step: u32,
        replica: usize,
        quantity: String,
        last_good_step: Option<u32>,
        restorable_step: Option<u32>,
    },
    /// The run moved to another backend (a lost GPU device), continuing
    /// from `step`.
    BackendChanged {
        from: BackendKind,
        to: BackendKind,
        label: String,
        reason: String,
        step: u32,
    },
    /// The run reached its last step: the final reports.
    Finished { reports: Vec<Report> },
    /// The run stands at the step `Run::hold_at` named and trains no further
    /// until asked again (a pause, not the end: a lesson reads its numbers
    /// there).
    Held { step: u32 },
}

/// Where a run should train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Cpu,
    /// The GPU; with `fall_back`, the CPU when no GPU can hold the model,
    /// and again whenever the device fails.
    Gpu {
        fall_back: bool,
    },
}

/// One training run of an experiment.
pub struct Run {
    backend: Box<dyn Backend>,
    experiment: Experiment,
    model: Model,
    dataset: Arc<Dataset>,
    replicas: Vec<Replica>,
    fall_back: bool,
    until: Option<u32>,
    /// A step to stop at once (`hold_at`), then train on past.
    hold: Option<u32>,
    status: Status,
    last_good: Option<Vec<Report>>,
    saved: Option<Checkpoint>,
    last_checkpoint_ms: f64,
    snapshots: bool,
    last_snapshot_ms: f64,
    chunk: u32,
    /// The backend may not hold the live values in force (a new backend, a
    /// restored or resumed state): `sync_live` hands them over before the
    /// next step or report.
    live_stale: bool,
}

/// What only the CPU backend trains: an error naming the link key, or Ok.
fn cpu_only(experiment: &Experiment) -> Result<()> {
    if experiment.train_samples > 1 {
        return Err(Error::link(
            "train_samples",
            format!(
                "train_samples={}: several noise samples per training example train on \
                 the CPU only (the GPU kernels draw one); use the CPU backend or \
                 train_samples=1",
                experiment.train_samples
            ),
        ));
    }
    Ok(())
}

impl Run {
    /// A run on `backend`, which trains `replicas` of `experiment`.
    pub fn new(
        backend: Box<dyn Backend>,
        experiment: Experiment,
        dataset: Arc<Dataset>,
        replicas: Vec<Replica>,
    ) -> Run {
        Run {
            model: Model::new(&experiment, &dataset),
            backend,
            experiment,
            dataset,
            replicas,
            fall_back: false,
            until: None,
            hold: None,
            status: Status::Training,
            last_good: None,
            saved: None,
            last_checkpoint_ms: f64::NEG_INFINITY,
            snapshots: false,
            last_snapshot_ms: f64::NEG_INFINITY,
            chunk: 1,
            live_stale: true,
        }
    }

    /// Opens the backend `choice` names. With a fallback allowed, a GPU that
    /// cannot be used gives a CPU run and the reason, in a sentence.
    pub async fn open(
        experiment: Experiment,
        dataset: Arc<Dataset>,
        replicas: Vec<Replica>,
        choice: Choice,
    ) -> Result<(Run, Option<String>)> {
        let (backend, reason): (Box<dyn Backend>, _) = match choice {
            Choice::Cpu => (
                Box::new(CpuReplicas::new(&experiment, dataset.clone(), &replicas)),
                None,
            ),
            Choice::Gpu { fall_back } => {
                let opened = async {
                    cpu_only(&experiment)?;
                    GpuTrainer::open(experiment.clone(), &dataset, replicas.clone())
                        .await
                        .map_err(Error::from)
                };
                match opened.await {
                    Ok(trainer) => (Box::new(trainer), None),
                    Err(e) if fall_back => (
                        Box::new(CpuReplicas::new(&experiment, dataset.clone(), &replicas)),
                        Some(e.message),
                    ),
                    Err(e) => return Err(e),
                }
            }
        };
        let mut run = Run::new(backend, experiment, dataset, replicas);
        run.fall_back = matches!(choice, Choice::Gpu { fall_back: true });
        Ok((run, reason))
    }

    /// Stops after `steps` steps in all, with a final report.
    pub fn until(mut self, steps: u32) -> Run {
        self.until = Some(steps);
        self
    }

    /// Emits snapshots for the views as it trains.
    pub fn with_snapshots(mut self) -> Run {
        self.snapshots = true;
        self
    }

    /// Moves to the CPU when the GPU fails.
    pub fn falling_back(mut self) -> Run {
        self.fall_back = true;
        self
    }

    pub fn experiment(&self) -> &Experiment {
        &self.experiment
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    pub fn steps(&self) -> u32 {
        self.backend.steps()
    }

    /// Whether the run stopped on a non-finite report.
    pub fn diverged(&self) -> bool {
        self.status == Status::Diverged
    }

    /// Whether the run reached its `until` step.
    pub fn is_finished(&self) -> bool {
        self.status == Status::Finished
    }

    /// The last finite reports.
    pub fn last_good(&self) -> Option<&[Report]> {
        self.last_good.as_deref()
    }

    /// Stops training at `step` once: no `advance` trains past it, and the
    /// first one that finds the run there trains nothing and says
    /// `Event::Held`; later calls train on. None (or a step already passed)
    /// holds nowhere.
    pub fn hold_at(&mut self, step: Option<u32>) {
        self.hold = step;
    }

    /// Trains up to `max_steps` (at least one), never past the next report,
    /// the held step or the last step, then reports if one is due. Nothing
    /// happens once the run has diverged or finished.
    pub async fn advance(&mut self, max_steps: u32) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        if self.status != Status::Training {
            return Ok(events);
        }
        match self.hold {
            Some(step) if step == self.backend.steps() => {
                self.hold = None;
                events.push(Event::Held { step });
                return Ok(events);
            }
            Some(step) if step < self.backend.steps() => self.hold = None,
            _ => {}
        }
        if self.last_checkpoint_ms == f64::NEG_INFINITY {
            // The state a run starts from is its first one to go back to.
            let kept = self.keep_checkpoint(true).await;
            self.recover(kept, &mut events).await?;
        }
        self.sync_live_if_due();
        let step = self.backend.steps();
        let every = self.experiment.report_every;
        let to_end = self.until.map_or(u32::MAX, |u| u.saturating_sub(step));
        let to_hold = self.hold.map_or(u32::MAX, |h| h - step);
        // A live change is due at its step: no stretch of training crosses it.
        let to_change = self
            .experiment
            .next_change_after(step)
            .map_or(u32::MAX, |s| s - step);
        let count = max_steps
            .max(1)
            .min(every - step % every)
            .min(to_end)
            .min(to_hold)
            .min(to_change);
        let result = if count == 0 {
            self.finish(&mut events).await
        } else {
            self.train_and_measure(count, &mut events).await
        };
        self.recover(result, &mut events).await?;
        Ok(events)
    }

    /// One `advance` sized to take about `budget_ms`: the chunk of steps
    /// doubles while slices are short and halves when they run long, so a
    /// caller that looks at its messages between slices stays responsive.
    pub async fn slice(&mut self, budget_ms: f64) -> Result<Vec<Event>> {
        let began = now_ms();
        let events = self.advance(self.chunk).await?;
        let took = now_ms() - began;
        if took < budget_ms / 2.0 {
            self.chunk = (self.chunk * 2).min(MAX_CHUNK);
        } else if took > budget_ms * 2.0 {
            self.chunk = (self.chunk / 2).max(1);
        }
        Ok(events)
    }

    /// Trains to the end (`until`) or to a divergence, handing every event
    /// to `on_event` as it happens.
    pub async fn run_to_end(&mut self, mut on_event: impl FnMut(&Event)) -> Result<()> {
        while self.status == Status::Training {
            for event in self.advance(u32::MAX).await? {
                on_event(&event);
            }
        }
        Ok(())
    }

    /// Reports on the model as it is now, without training (a run's first
    /// picture, the state after a restore, the step button).
    pub async fn report_now(&mut self) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        let result = self.measure(false, &mut events).await;
        self.recover(result, &mut events).await?;
        Ok(events)
    }

    /// Sets live key `key` (beta, lr) to `value` from the current step on,
    /// on every replica that follows the experiment (a beta sweep's
    /// replicas keep their betas), the same on either backend. The change
    /// is recorded in the experiment's schedule, so its link replays the run
    /// (`Experiment::record_live`). Errors name the key and its range.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<()> {
        self.experiment
            .record_live(self.backend.steps(), key, value)?;
        self.sync_live();
        Ok(())
    }

    /// Hands the backend the live values in force at the current step.
    fn sync_live(&mut self) {
        let in_force = self.experiment.at(self.backend.steps());
        let replicas: Vec<Replica> = self.replicas.iter().map(|r| r.under(&in_force)).collect();
        self.backend.set_live(&in_force, &replicas);
        self.live_stale = false;
    }

    /// `sync_live` when a change is due at this step (no stretch of training
    /// crosses one) or the backend may not hold the values in force.
    fn sync_live_if_due(&mut self) {
        let step = self.backend.steps();
        if self.live_stale || self.experiment.live.iter().any(|c| c.step == step) {
            self.sync_live();
        }
    }

    /// The trained weights of replica `replica`.
    pub async fn params(&self, replica: usize) -> Result<Params<f32>> {
        self.backend.params(replica).await
    }

    /// What the views draw now (replica 0).
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let params = self.backend.params(0).await?;
        Ok(snapshot::take(
            &params,
            &self.model,
            &self.experiment,
            &self.dataset,
            self.backend.steps(),
        ))
    }

    /// The information plane's hidden layers of replica 0 now, on the CPU,
    /// as its reports give them (the trained weights, not an average): a
    /// reading cheap enough for every 5 epochs of a long run, without the
    /// pairwise estimate of Z (`cpu::plane::measure_hidden`).
    pub async fn hidden_plane(&self) -> Result<Vec<LayerInfo>> {
        let params = self.backend.params(0).await?;
        let train = &self.dataset.train;
        Ok(measure_hidden(
            &params,
            &self.model,
            &self.experiment,
            train,
        ))
    }

    /// Mean training loss (bits) of replica 0 since the last report.
    pub async fn train_loss(&self) -> Result<f64> {
        self.backend.train_loss().await
    }

    /// Steps per second of this run's backend on its own model: a warm-up
    /// step, then batches of steps doubling until `budget_ms` is spent;
    /// then the run goes back to where it was, bit for bit. None when the
    /// state cannot be kept (a GPU model too large to read back).
    pub async fn steps_per_second(&mut self, budget_ms: f64) -> Result<Option<f64>> {
        self.keep_checkpoint(true).await?;
        let Some(saved) = self.saved.take() else {
            return Ok(None);
        };
        self.backend.train(1);
        self.backend.finished().await?;
        let began = now_ms();
        let (mut count, mut rate) = (1u32, 0.0);
        while count <= 4096 {
            let start = now_ms();
            self.backend.train(count);
            self.backend.finished().await?;
            let ms = (now_ms() - start).max(1e-3);
            rate = count as f64 * 1000.0 / ms;
            if now_ms() - began >= budget_ms {
                break;
            }
            count *= 2;
        }
        self.backend.restore(&saved)?;
        self.saved = Some(saved);
        Ok(Some(rate))
    }

    /// Trains `count` steps with no report and no check: what a benchmark
    /// that only reads the loss back times. Reports resume afterwards.
    pub fn train_unmeasured(&mut self, count: u32) {
        self.backend.train(count);
    }
}
