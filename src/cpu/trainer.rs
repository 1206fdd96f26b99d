//! Training on the CPU: minibatches from the seeded epoch permutation, noise
//! from the counter-based RNG, Adam, and reports every `report_every` steps.
//! Bit-reproducible: the same experiment gives the same numbers every run.

use super::adam::{Adam, AdamStep};
use super::eval::split_sums;
use super::objective::{LossParts, loss_and_grads};
use crate::config::Experiment;
use crate::data::{Dataset, Split};
use crate::geco::{Geco, Target};
use crate::model::{Model, Params};
use crate::report::{Moment, Report};
use crate::rng::{Key, Permutation, Stream};
use crate::state::{TRAIN_EVAL_MAX, TrainState};
use ndarray::{Array2, Axis};
use std::sync::Arc;

/// Noise draws below this many stay on one thread.
const PARALLEL_NOISE_MIN: usize = 1 << 13;

/// A model being trained on the CPU.
pub struct CpuTrainer {
    pub experiment: Experiment,
    pub model: Model,
    pub dataset: Arc<Dataset>,
    pub params: Params<f32>,
    adam: Adam<f32>,
    /// The averaged weights (`ema` > 0), which reports measure.
    ema: Option<Params<f32>>,
    /// Steps taken so far.
    step: u32,
    label_entropy_bits: f64,
    train_eval: Split,
    /// Sum and count of minibatch losses (nats) since the last report.
    running: (f64, u32),
    /// `train_loss` of the last report (bits), repeated when no step came
    /// since; None before the first step.
    last_train_loss: Option<f64>,
    epoch_order: Option<(u32, Permutation)>,
    /// Adaptive beta (beta_mode=target): the target, the multiplier, and the
    /// last step's constraint, folded in at the start of the next step.
    target: Option<Target>,
    geco: Geco,
    last_constraint: Option<f32>,
}

impl CpuTrainer {
    /// A fresh model for `experiment` on `dataset` (shared, not copied,
    /// between the replicas of a sweep).
    pub fn new(experiment: Experiment, dataset: impl Into<Arc<Dataset>>) -> Self {
        let dataset = dataset.into();
        let model = Model::new(&experiment, &dataset);
        let (target, initial_beta) = (Target::of(&experiment), experiment.beta);
        let params = Params::init(
            &model.shape,
            experiment.activation,
            experiment.init,
            experiment.seed,
        );
        let eval_rows: Vec<usize> = (0..dataset.train.len().min(TRAIN_EVAL_MAX)).collect();
        CpuTrainer {
            adam: Adam::new(&model.shape),
            ema: (experiment.ema > 0.0).then(|| params.clone()),
            label_entropy_bits: dataset.label_entropy_bits(),
            train_eval: dataset.train.select(&eval_rows),
            experiment,
            model,
            dataset,
            params,
            step: 0,
            running: (0.0, 0),
            last_train_loss: None,
            epoch_order: None,
            target,
            geco: Geco::new(initial_beta),
            last_constraint: None,
        }
    }

    /// The state now (parameters, optimiser, step, adaptive beta).
    pub fn checkpoint(&self) -> TrainState {
        TrainState {
            params: self.params.clone(),
            adam: self.adam.clone(),
            ema: self.ema.clone(),
            step: self.step,
            geco: self.geco,
            last_constraint: self.last_constraint,
        }
    }

    /// Goes back to a checkpoint: the run continues from its step exactly as
    /// it did the first time (same batches, same noise). Without averaged
    /// weights in the checkpoint, the average starts again from its
    /// parameters.
    pub fn restore(&mut self, checkpoint: &TrainState) {
        self.params = checkpoint.params.clone();
        self.adam = checkpoint.adam.clone();
        self.ema = (self.experiment.ema > 0.0).then(|| {
            checkpoint
                .ema
                .clone()
                .unwrap_or_else(|| checkpoint.params.clone())
        });
        self.step = checkpoint.step;
        self.geco = checkpoint.geco;
        self.last_constraint = checkpoint.last_constraint;
        self.running = (0.0, 0);
    }

    /// Beta used at training step `step`: the schedule's, or the adaptive one.
    fn beta_in_force(&self, step: u32) -> f64 {
        match self.target {
            Some(_) => self.geco.beta as f64,
            None => self.experiment.beta_at(step),
        }
    }

    /// Trains on with the live keys of `in_force` (beta, the learning rate)
    /// and `beta` as this replica's beta; the model, data and seed stay.
    pub fn set_live(&mut self, in_force: &Experiment, beta: f64) {
        crate::config::copy_live(in_force, &mut self.experiment);
        self.experiment.beta = beta;
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> u32 {
        self.step
    }

    /// Mean minibatch objective (bits) since the last report.
    pub fn train_loss(&self) -> f64 {
        self.running.0 / self.running.1.max(1) as f64 / std::f64::consts::LN_2
    }

    /// The weights reports measure: the moving average when `ema` is on,
    /// else the trained weights (which checkpoints and exports keep).
    pub fn eval_params(&self) -> &Params<f32> {
        self.ema.as_ref().unwrap_or(&self.params)
    }

    /// Training rows of step `step`: positions `step * B + j` of the stream
    /// of epochs, each epoch a fresh seeded permutation of the training set.
    pub fn batch_indices(&mut self, step: u32) -> Vec<usize> {
        let n = self.dataset.train.len() as u64;
        let batch = self.experiment.batch as u64;
        (0..batch)
            .map(|j| {
                let position = step as u64 * batch + j;
                let epoch = (position / n) as u32;
                let order = match &self.epoch_order {
                    Some((e, p)) if *e == epoch => p,
                    _ => {
                        let key = Key::new(self.experiment.seed, Stream::Batch);
                        &self
                            .epoch_order
                            .insert((epoch, Permutation::new(key, epoch, n as u32)))
                            .1
                    }
                };
                order.apply((position % n) as u32) as usize
            })
            .collect()
    }

    /// Reparameterisation noise of step `step`, (batch * S) x K for S =
    /// `train_samples`: row j (sample j % S of example j / S), dimension k
    /// draws `Key(seed, Noise).normal(j * K + k, step)`.
    pub fn step_noise(&self, step: u32) -> Array2<f32> {
        let key = Key::new(self.experiment.seed, Stream::Noise);
        let k = self.model.shape.latent;
        let scale = self.experiment.noise_scale();
        let rows = self.experiment.batch * self.experiment.train_samples;
        // Each value depends only on its index: threads fill parts of it.
        let mut noise = vec![0f32; rows * k];
        let chunk = match noise.len() >= PARALLEL_NOISE_MIN {
            true => noise.len().div_ceil(super::parallel::threads().max(1)),
            false => noise.len(),
        };
        super::parallel::for_chunks(&mut noise, chunk, |part, values| {
            for (i, value) in values.iter_mut().enumerate() {
                *value = scale * key.normal((part * chunk + i) as u32, step);
            }
        });
        Array2::from_shape_vec((rows, k), noise).expect("rows x K")
    }

    /// One optimisation step; returns the minibatch loss parts (nats).
    pub fn train_step(&mut self) -> LossParts<f32> {
        let step = self.step;
        let rows = self.batch_indices(step);
        let x = self.dataset.train.x.select(Axis(0), &rows);
        let labels: Vec<u32> = rows.iter().map(|&r| self.dataset.train.y[r]).collect();
        let eps = self.step_noise(step);
        // An adaptive beta moves with the previous step's constraint first.
        if let Some(constraint) = self.last_constraint {
            self.geco.update(constraint, self.experiment.geco_lr);
        }
        let beta = self.beta_in_force(step) as f32;
        let (parts, grads) = loss_and_grads(&self.params, &self.model, &x, &labels, &eps, beta);
        if let Some(target) = self.target {
            let accuracy = parts.correct as f32 * (1.0 / eps.nrows() as f32);
            self.last_constraint = Some(target.constraint(parts.kl, accuracy));
        }
        let adam = AdamStep {
            lr: self.experiment.lr_at(step),
            beta1: self.experiment.adam_beta1,
            beta2: self.experiment.adam_beta2,
        };
        self.adam.update(&mut self.params, &grads, adam);
        if let Some(ema) = &mut self.ema {
            let weight = self.experiment.ema_weight(self.adam.t) as f32;
            super::ema::update(ema, &self.params, weight);
        }
        self.step += 1;
        self.running.0 += parts.total as f64;
        self.running.1 += 1;
        parts
    }

    /// Measures the current model (held-out bounds, accuracies) and resets
    /// the running training loss.
    pub fn report(&mut self, is_final: bool) -> Report {
        let e = &self.experiment;
        let at = self.step.saturating_sub(1);
        let params = self.eval_params();
        let test = split_sums(params, &self.model, &self.dataset.test, e);
        let train = split_sums(params, &self.model, &self.train_eval, e);
        if self.running.1 > 0 {
            self.last_train_loss = Some(self.train_loss());
            self.running = (0.0, 0);
        }
        let moment = Moment {
            step: self.step,
            n_train: self.dataset.train.len(),
            batch: e.batch,
            beta: self.beta_in_force(at),
            lr: e.lr_at(at),
            train_loss: self.last_train_loss,
            label_entropy_bits: self.label_entropy_bits,
            predicts_label: e.objective.predicts_label(),
            features: self.model.shape.features,
            backend: "cpu",
            is_final,
            target_gap: self.target.and(self.geco.average).map(f64::from),
        };
        let mut report = Report::from_sums(&moment, &test, &train);
        if e.info_plane {
            let (layers, izx) =
                super::plane::measure(self.eval_params(), &self.model, e, &self.dataset.train);
            report.layers = Some(layers);
            report.izx_pairwise_bits = Some(izx);
        }
        report
    }
}
