//! Training on the device. Buffers are allocated once per experiment
//! (`buffers.rs`) and the step and evaluation plans are built once
//! (`train_plan.rs`, `eval_plan.rs`, over the stages in `plans.rs`); a
//! training step is one recorded plan (gather, forward, reparameterisation,
//! loss, backward, Adam, advance) and up to 64 steps go in one submission.
//! Metrics stay in a device buffer until a report reads them back in one
//! small copy.
//!
//! M replicas (a beta or seed sweep) train in the same dispatches: every
//! buffer holds M copies, every kernel takes the replica index.

mod buffers;
mod checkpoint;
mod eval_plan;
mod plane;
mod plans;
mod train_plan;

pub use buffers::requirements;
pub use checkpoint::GpuCheckpoint;

use buffers::{Buffers, Hidden};
use plane::GpuPlane;

use super::layout::{LayerPlace, ParamLayout};
use super::ops::{self, Head, Latent, LatentBuffers, MatmulShape, Place, Slot};
use super::plan::Plan;
use super::readback::map_and_read;
use super::schedule::{self, MAX_STEPS_PER_SUBMIT};
use super::{GpuContext, GpuError};
use crate::config::{Experiment, Objective};
use crate::data::Dataset;
use crate::geco::Target;
use crate::info::plane::{self as info_plane, Range};
use crate::model::{Model, Params};
use crate::report::{LayerInfo, Moment, Report, SplitSums};
use crate::state::TRAIN_EVAL_MAX;
pub use crate::sweep::{Replica, single};

/// Rows evaluated per chunk (the row capacity of the activation buffers is
/// the larger of this and the batch).
pub const EVAL_ROWS: usize = 512;
/// Metric slots per replica: the running training loss, then data term, KL
/// and correct count for the test split and for the training subset, then
/// the test split's correct count with the first noise sample alone.
const SLOTS: usize = 8;
const SLOT_TRAIN_LOSS: usize = 0;
const SLOT_TEST: usize = 1;
const SLOT_TRAIN_EVAL: usize = 4;
const SLOT_TEST_SINGLE: usize = 7;
/// Batch statistics per replica (kept across reports): mean KL, accuracy.
const STATS: usize = 2;
const STAT_KL: usize = 0;
const STAT_ACCURACY: usize = 1;
/// Adaptive-beta state per replica: beta, constraint average, has average.
const GECO_WORDS: usize = 4;

/// Models training on a GPU.
pub struct GpuTrainer {
    pub ctx: GpuContext,
    pub experiment: Experiment,
    pub model: Model,
    pub replicas: Vec<Replica>,
    pub layout: ParamLayout,
    rows: usize,
    n_train: usize,
    n_test: usize,
    n_train_eval: usize,
    label_entropy_bits: f64,
    buffers: Buffers,
    train_plan: Plan,
    eval_plan: Plan,
    plane: Option<GpuPlane>,
    /// Where a report's metrics, KL per dimension and plane values land.
    report_staging: wgpu::Buffer,
    step: u32,
    steps_since_report: u32,
    last_train_loss: Vec<Option<f64>>,
}

impl GpuTrainer {
    /// Opens a device sized for the model and builds the trainer.
    pub async fn open(
        experiment: Experiment,
        dataset: &Dataset,
        replicas: Vec<Replica>,
    ) -> Result<Self, GpuError> {
        let ctx = GpuContext::new(requirements(&experiment, dataset, replicas.len())).await?;
        Self::new(ctx, experiment, dataset, replicas)
    }

    /// Builds the trainer on an open device (checked against its limits).
    pub fn new(
        ctx: GpuContext,
        experiment: Experiment,
        dataset: &Dataset,
        replicas: Vec<Replica>,
    ) -> Result<Self, GpuError> {
        assert!(!replicas.is_empty(), "at least one replica");
        assert_eq!(
            experiment.train_samples, 1,
            "the GPU trains one noise sample per example"
        );
        let need = requirements(&experiment, dataset, replicas.len());
        super::context::limits_for(&ctx.limits, need)?;
        let model = Model::new(&experiment, dataset);
        let layout = ParamLayout::new(&model.shape);
        let rows = experiment.batch.max(EVAL_ROWS);
        let plane_floats = if experiment.info_plane {
            GpuPlane::floats(
                replicas.len(),
                model.shape.hidden.len(),
                dataset.train.len(),
                experiment.estimator == crate::config::Estimator::Exact,
            )
        } else {
            0
        };
        let report_floats =
            replicas.len() * (SLOTS + GECO_WORDS + model.shape.latent) + plane_floats;
        let report_staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("report staging"),
            size: 4 * report_floats as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let buffers = Self::allocate(&ctx, &experiment, &model, dataset, &layout, &replicas, rows);
        if let Some(error) = ctx.take_error() {
            // Natively wgpu reports a failed allocation at once.
            return Err(GpuError::Device(format!(
                "the model's buffers could not be allocated ({error})"
            )));
        }
        let mut trainer = GpuTrainer {
            label_entropy_bits: dataset.label_entropy_bits(),
            n_train: dataset.train.len(),
            n_test: dataset.test.len(),
            n_train_eval: dataset.train.len().min(TRAIN_EVAL_MAX),
            last_train_loss: vec![None; replicas.len()],
            ctx,
            experiment,
            model,
            replicas,
            layout,
            rows,
            buffers,
            train_plan: Plan::default(),
            eval_plan: Plan::default(),
            plane: None,
            report_staging,
            step: 0,
            steps_since_report: 0,
        };
        trainer.train_plan = trainer.build_train_plan();
        trainer.eval_plan = trainer.build_eval_plan();
        if trainer.experiment.info_plane {
            trainer.plane = Some(trainer.build_plane(dataset));
        }

        Ok(trainer)
    }

    fn m(&self) -> usize {
        self.replicas.len()
    }

    /// Resolves when the device has finished every submitted step (in the
    /// browser, where nothing blocks; natively it polls).
    pub async fn finished(&self) -> Result<(), GpuError> {
        let (sender, receiver) = futures_channel::oneshot::channel();
        self.ctx.queue.on_submitted_work_done(move || {
            let _ = sender.send(());
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Device(e.to_string()))?;
        receiver
            .await
            .map_err(|_| GpuError::Device("the device dropped the completion callback".into()))
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> u32 {
        self.step
    }

    /// Dispatches in one training step.
    pub fn dispatches_per_step(&self) -> usize {
        self.train_plan.dispatches()
    }

    /// Submits `count` training steps (64 per submission); reads nothing back.
    pub fn submit_steps(&mut self, mut count: u32) {
        let seeds: Vec<u32> = self.replicas.iter().map(|r| r.seed).collect();
        let betas: Vec<f64> = self.replicas.iter().map(|r| r.beta).collect();
        while count > 0 {
            let n = (count as usize).min(MAX_STEPS_PER_SUBMIT);
            let words =
                schedule::build(&self.experiment, self.n_train, &seeds, &betas, self.step, n);
            self.ctx
                .queue
                .write_buffer(&self.buffers.schedule, 0, bytemuck::cast_slice(&words));
            let mut encoder =
                self.ctx
                    .device
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("training steps"),
                    });
            for _ in 0..n {
                self.train_plan.record(&mut encoder, "training step");
            }
            self.ctx.queue.submit([encoder.finish()]);
            self.step += n as u32;
            self.steps_since_report += n as u32;
            count -= n as u32;
        }
    }

    /// Evaluates every replica and reads the metrics back in one copy (with
    /// the information plane's per-pattern values when it is on).
    pub async fn report(&mut self, is_final: bool) -> Result<Vec<Report>, GpuError> {
        let b = &self.buffers;
        let (m, k) = (self.m(), self.model.shape.latent);
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("report"),
            });
        // With averaging on, the report measures the average: it takes the
        // weights' place for the evaluation and the plane, then gives it back.
        let swap = b.ema.as_ref().zip(b.live.as_ref());
        if let Some((ema, live)) = swap {
            encoder.copy_buffer_to_buffer(&b.params, 0, live, 0, b.params.size());
            encoder.copy_buffer_to_buffer(ema, 0, &b.params, 0, b.params.size());
        }
        self.eval_plan.record(&mut encoder, "evaluation");
        // Staging layout (f32): metrics, adaptive-beta state, KL per
        // dimension, then the plane's per-pattern values.
        let metric_bytes = 4 * (m * SLOTS) as u64;
        let geco_bytes = 4 * (m * GECO_WORDS) as u64;
        let dims_bytes = 4 * (m * k) as u64;
        let staging = &self.report_staging;
        encoder.copy_buffer_to_buffer(&b.metrics, 0, staging, 0, metric_bytes);
        encoder.copy_buffer_to_buffer(&b.geco_state, 0, staging, metric_bytes, geco_bytes);
        encoder.copy_buffer_to_buffer(
            &b.kl_dims,
            0,
            staging,
            metric_bytes + geco_bytes,
            dims_bytes,
        );
        if let Some(plane) = &self.plane {
            plane.plan.record(&mut encoder, "information plane");
            let at = metric_bytes + geco_bytes + dims_bytes;
            encoder.copy_buffer_to_buffer(&plane.out, 0, staging, at, plane.out.size());
        }
        if let Some((_, live)) = swap {
            encoder.copy_buffer_to_buffer(live, 0, &b.params, 0, b.params.size());
        }
        encoder.clear_buffer(&b.metrics, 0, None);
        encoder.clear_buffer(&b.kl_dims, 0, None);
        self.ctx.queue.submit([encoder.finish()]);
        let bytes = map_and_read(&self.ctx, staging).await?;
        let values: &[f32] = bytemuck::cast_slice(&bytes);
        let (metrics, rest) = values.split_at(m * SLOTS);
        let (geco, rest) = rest.split_at(m * GECO_WORDS);
        let (kl_dims, plane_values) = rest.split_at(m * k);
        let mut reports = Vec::with_capacity(m);
        for r in 0..m {
            let at = self.moment(r, &metrics[r * SLOTS..], &geco[r * GECO_WORDS..], is_final);
            let (test, train) = self.split_sums(
                &metrics[r * SLOTS..(r + 1) * SLOTS],
                &kl_dims[r * k..(r + 1) * k],
            );
            let mut report = Report::from_sums(&at, &test, &train);
            if let Some(plane) = &self.plane {
                let (layers, izx) = plane.read(&self.experiment, plane_values, r);
                report.layers = Some(layers);
                report.izx_pairwise_bits = Some(izx);
            }
            reports.push(report);
        }
        self.steps_since_report = 0;
        Ok(reports)
    }

    /// Replica `r`'s moment: step, beta and learning rate in force, its
    /// training loss since the last report (from metric slot 0).
    fn moment(
        &mut self,
        r: usize,
        metrics: &[f32],
        geco: &[f32],
        is_final: bool,
    ) -> Moment<'static> {
        let e = &self.experiment;
        let at = self.step.saturating_sub(1);
        let adaptive = Target::of(e).is_some();
        if self.steps_since_report > 0 {
            let sum = metrics[SLOT_TRAIN_LOSS] as f64;
            self.last_train_loss[r] =
                Some(sum / self.steps_since_report as f64 / std::f64::consts::LN_2);
        }
        Moment {
            step: self.step,
            n_train: self.n_train,
            batch: e.batch,
            beta: if adaptive {
                geco[0] as f64
            } else {
                e.beta_toward(self.replicas[r].beta, at)
            },
            lr: e.lr_at(at),
            train_loss: self.last_train_loss[r],
            label_entropy_bits: self.label_entropy_bits,
            predicts_label: e.objective.predicts_label(),
            features: self.model.shape.features,
            backend: "gpu",
            is_final,
            target_gap: (adaptive && geco[2] != 0.0).then(|| geco[1] as f64),
        }
    }

    /// The test split's and the training subset's sums from one replica's
    /// metric slots and KL per dimension.
    fn split_sums(&self, slots: &[f32], kl_dims: &[f32]) -> (SplitSums, SplitSums) {
        let labels = self.model.objective.predicts_label();
        let slot = |s: usize| slots[s] as f64;
        let samples = self.experiment.eval_samples;
        let test = SplitSums {
            examples: self.n_test,
            samples,
            data_nats: slot(SLOT_TEST),
            kl_nats: slot(SLOT_TEST + 1),
            kl_dims_nats: kl_dims.iter().map(|&v| v as f64).collect(),
            correct: labels.then(|| slot(SLOT_TEST + 2)),
            correct_single: labels.then(|| slot(SLOT_TEST_SINGLE)),
        };
        let train = SplitSums {
            examples: self.n_train_eval,
            samples,
            data_nats: slot(SLOT_TRAIN_EVAL),
            kl_nats: slot(SLOT_TRAIN_EVAL + 1),
            kl_dims_nats: Vec::new(),
            correct: labels.then(|| slot(SLOT_TRAIN_EVAL + 2)),
            correct_single: None,
        };
        (test, train)
    }

    /// Trains on with the live keys of `in_force` (beta, the learning rate)
    /// and the replicas' betas of `replicas`, from the next submission.
    pub fn set_live(&mut self, in_force: &Experiment, replicas: &[Replica]) {
        crate::config::copy_live(in_force, &mut self.experiment);
        self.replicas.copy_from_slice(replicas);
    }

    /// Mean minibatch objective (bits) of replica 0 since the last report:
    /// one number read back, the least a training loop can wait for.
    pub async fn train_loss(&self) -> Result<f64, GpuError> {
        let sum = super::readback::read_f32(&self.ctx, &self.buffers.metrics, SLOT_TRAIN_LOSS, 1)
            .await?[0] as f64;
        Ok(sum / self.steps_since_report.max(1) as f64 / std::f64::consts::LN_2)
    }

    /// The parameters of replica `r`, read from the device.
    pub async fn read_params(&self, r: usize) -> Result<Params<f32>, GpuError> {
        let total = self.layout.total;
        let flat =
            super::readback::read_f32(&self.ctx, &self.buffers.params, r * total, total).await?;
        Ok(self.layout.unflatten(&flat))
    }

    /// Blocks until the device has finished all submitted work (native).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn wait(&self) -> Result<(), GpuError> {
        self.ctx
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Device(e.to_string()))
    }
}
