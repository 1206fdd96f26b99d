//! Training on the CPU: minibatches from the seeded epoch permutation, noise
//! from the counter-based RNG, Adam, and reports every `report_every` steps.
//! Bit-reproducible: the same experiment gives the same numbers every run.

use super::adam::{Adam, AdamStep};
use super::eval::evaluate;
use super::objective::{LossParts, loss_and_grads};
use crate::config::Experiment;
use crate::data::{Dataset, Split};
use crate::geco::{Geco, Target};
use crate::model::{Model, Params};
use crate::report::{Report, rate_per_feature};
use crate::rng::{Key, Permutation, Stream};
use ndarray::{Array2, Axis};

/// Training examples scored for `train_acc` (the first ones of the split).
pub const TRAIN_EVAL_MAX: usize = 2000;

/// The training state at one step, to go back to after a divergence.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    params: Params<f32>,
    adam: Adam<f32>,
    ema: Option<Params<f32>>,
    step: u32,
    geco: Geco,
    last_constraint: Option<f32>,
}

/// A model being trained on the CPU.
pub struct CpuTrainer {
    pub experiment: Experiment,
    pub model: Model,
    pub dataset: Dataset,
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
    /// `train_loss` of the last report (bits), repeated when no step came since.
    last_train_loss: f64,
    epoch_order: Option<(u32, Permutation)>,
    /// Adaptive beta (beta_mode=target): the target, the multiplier, and the
    /// last step's constraint, folded in at the start of the next step.
    target: Option<Target>,
    geco: Geco,
    last_constraint: Option<f32>,
}

impl CpuTrainer {
    pub fn new(experiment: Experiment, dataset: Dataset) -> Self {
        let model = Model::new(&experiment, &dataset);
        let (target, initial_beta) = (Target::of(&experiment), experiment.beta);
        let params = Params::init(&model.shape, experiment.activation, experiment.seed);
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
            last_train_loss: f64::NAN,
            epoch_order: None,
            target,
            geco: Geco::new(initial_beta),
            last_constraint: None,
        }
    }

    /// The state now (parameters, optimiser, step, adaptive beta).
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            params: self.params.clone(),
            adam: self.adam.clone(),
            ema: self.ema.clone(),
            step: self.step,
            geco: self.geco,
            last_constraint: self.last_constraint,
        }
    }

    /// Continues a run from another backend's state at `step` (the page
    /// moves a GPU run to the CPU when the device is lost). Without the
    /// averaged weights, the average starts again from `params`.
    pub fn resume(
        &mut self,
        params: Params<f32>,
        moments: [Params<f32>; 2],
        ema: Option<Params<f32>>,
        step: u32,
        geco: Geco,
    ) {
        let [m, v] = moments;
        let ema = (self.experiment.ema > 0.0).then(|| ema.unwrap_or_else(|| params.clone()));
        self.restore(&Checkpoint {
            params,
            adam: Adam { m, v, t: step },
            ema,
            step,
            geco,
            last_constraint: None,
        });
    }

    /// Goes back to a checkpoint: the run continues from its step exactly as
    /// it did the first time (same batches, same noise).
    pub fn restore(&mut self, checkpoint: &Checkpoint) {
        self.params = checkpoint.params.clone();
        self.adam = checkpoint.adam.clone();
        self.ema = checkpoint.ema.clone();
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

    /// Replaces the experiment while training continues: for the settings
    /// that can change live (beta and its schedule, the learning rate); the
    /// model, data and seed must stay the same.
    pub fn set_experiment(&mut self, experiment: Experiment) {
        debug_assert_eq!(
            Model::new(&experiment, &self.dataset),
            self.model,
            "a live change may not change the model"
        );
        self.experiment = experiment;
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

    /// Reparameterisation noise of step `step`: row j, dimension k draws
    /// `Key(seed, Noise).normal(j * K + k, step)`.
    pub fn step_noise(&self, step: u32) -> Array2<f32> {
        let key = Key::new(self.experiment.seed, Stream::Noise);
        let k = self.model.shape.latent;
        let scale = self.experiment.noise_scale();
        Array2::from_shape_fn((self.experiment.batch, k), |(j, d)| {
            scale * key.normal((j * k + d) as u32, step)
        })
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
            let accuracy = parts.correct as f32 * (1.0 / labels.len() as f32);
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

    /// Trains `steps` more steps, calling `on_report` every `report_every`
    /// steps and then once with the final summary.
    pub fn train(&mut self, steps: u32, mut on_report: impl FnMut(&Report)) -> Report {
        for _ in 0..steps {
            self.train_step();
            if self.step.is_multiple_of(self.experiment.report_every) {
                on_report(&self.report(false));
            }
        }
        let summary = self.report(true);
        on_report(&summary);
        summary
    }

    /// Measures the current model (held-out bounds, accuracies) and resets
    /// the running training loss.
    pub fn report(&mut self, is_final: bool) -> Report {
        let e = &self.experiment;
        let at = self.step.saturating_sub(1);
        let beta = self.beta_in_force(at);
        let params = self.eval_params();
        let test = evaluate(params, &self.model, &self.dataset.test, e);
        let train = evaluate(params, &self.model, &self.train_eval, e);
        let ln2 = std::f64::consts::LN_2;
        let vib = e.objective.predicts_label();
        if self.running.1 > 0 {
            self.last_train_loss = self.running.0 / self.running.1 as f64 / ln2;
            self.running = (0.0, 0);
        }
        let train_loss = self.last_train_loss;
        let mut report = Report {
            step: self.step,
            epoch: self.step as f64 * e.batch as f64 / self.dataset.train.len() as f64,
            loss: (test.data_nats + beta * test.kl_nats) / ln2,
            train_loss,
            rate_bits: test.kl_nats / ln2,
            izy_bits: vib.then(|| self.label_entropy_bits - test.data_nats / ln2),
            distortion_bits: (!vib).then(|| test.data_nats / ln2),
            train_acc: train.accuracy,
            test_acc: test.accuracy,
            test_acc_single: test.accuracy_single,
            beta,
            lr: e.lr_at(at),
            backend: "cpu".into(),
            is_final,
            rate_features_bits: None,
            rate_dims_bits: test.kl_dims_nats.iter().map(|v| v / ln2).collect(),
            layers: None,
            izx_pairwise_bits: None,
            target_gap: self.target.and(self.geco.average).map(f64::from),
        };
        report.rate_features_bits =
            rate_per_feature(&report.rate_dims_bits, self.model.shape.features);
        if e.info_plane {
            let (layers, izx) =
                super::plane::measure(self.eval_params(), &self.model, e, &self.dataset.train);
            report.layers = Some(layers);
            report.izx_pairwise_bits = Some(izx);
        }
        report
    }
}
