//! Training on the device. Buffers are allocated once per experiment and the
//! step and evaluation plans are built once; a training step is one recorded
//! plan (gather, forward, reparameterisation, loss, backward, Adam, advance)
//! and up to 64 steps go in one submission. Metrics stay in a device buffer
//! until a report reads them back in one small copy.
//!
//! M replicas (a beta or seed sweep) train in the same dispatches: every
//! buffer holds M copies, every kernel takes the replica index.

use super::layout::{LayerPlace, ParamLayout};
use super::ops::{self, Head, Latent, LatentBuffers, MatmulShape, Place, Slot};
use super::plan::Plan;
use super::readback::map_and_read;
use super::schedule::{self, MAX_STEPS_PER_SUBMIT};
use super::{GpuContext, GpuError, Requirements};
use crate::config::{Experiment, Objective};
use crate::cpu::trainer::TRAIN_EVAL_MAX;
use crate::data::Dataset;
use crate::model::{Model, Params};
use crate::report::Report;
pub use crate::sweep::{Replica, single};

/// Rows evaluated per chunk (the row capacity of the activation buffers is
/// the larger of this and the batch).
pub const EVAL_ROWS: usize = 512;
/// Metric slots per replica: the running training loss, then data term, KL
/// and correct count for the test split and for the training subset.
const SLOTS: usize = 8;
const SLOT_TRAIN_LOSS: usize = 0;
const SLOT_TEST: usize = 1;
const SLOT_TRAIN_EVAL: usize = 4;

/// A hidden layer's buffers: pre-activation, activation, gradient.
struct Hidden {
    pre: wgpu::Buffer,
    post: wgpu::Buffer,
    delta: wgpu::Buffer,
}

/// Every device buffer of a training run.
struct Buffers {
    train_x: wgpu::Buffer,
    train_y: wgpu::Buffer,
    test_x: wgpu::Buffer,
    test_y: wgpu::Buffer,
    params: wgpu::Buffer,
    grads: wgpu::Buffer,
    adam_m: wgpu::Buffer,
    adam_v: wgpu::Buffer,
    schedule: wgpu::Buffer,
    metrics: wgpu::Buffer,
    metrics_staging: wgpu::Buffer,
    batch_x: wgpu::Buffer,
    batch_y: wgpu::Buffer,
    encoder_hidden: Vec<Hidden>,
    decoder_hidden: Vec<Hidden>,
    enc_out: wgpu::Buffer,
    d_enc: wgpu::Buffer,
    z: wgpu::Buffer,
    dz: wgpu::Buffer,
    sigma: wgpu::Buffer,
    eps: wgpu::Buffer,
    kl: wgpu::Buffer,
    out: wgpu::Buffer,
    d_out: wgpu::Buffer,
    terms: wgpu::Buffer,
    correct: wgpu::Buffer,
    dummy: wgpu::Buffer,
}

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
    step: u32,
    steps_since_report: u32,
    last_train_loss: Vec<f64>,
}

/// What training `experiment` on `dataset` with `replicas` needs of a device.
pub fn requirements(experiment: &Experiment, dataset: &Dataset, replicas: usize) -> Requirements {
    let model = Model::new(experiment, dataset);
    let shape = &model.shape;
    let rows = experiment.batch.max(EVAL_ROWS);
    let widest = shape
        .encoder_widths()
        .into_iter()
        .chain(shape.decoder_widths())
        .max()
        .unwrap_or(1);
    let parameters = ParamLayout::new(shape).total;
    let floats = [
        dataset.train.len() * dataset.input_dim,
        dataset.test.len() * dataset.input_dim,
        replicas * parameters,
        replicas * rows * widest,
    ];
    let largest = floats.into_iter().max().unwrap_or(1) as u64 * 4;
    let elements = parameters.max(rows * widest);
    Requirements {
        storage_buffer_bytes: largest,
        workgroups_per_dimension: elements.div_ceil(64).max(replicas) as u32,
    }
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
        let need = requirements(&experiment, dataset, replicas.len());
        super::context::limits_for(&ctx.limits, need)?;
        let model = Model::new(&experiment, dataset);
        let layout = ParamLayout::new(&model.shape);
        let rows = experiment.batch.max(EVAL_ROWS);
        let buffers = Self::allocate(&ctx, &experiment, &model, dataset, &layout, &replicas, rows);
        let mut trainer = GpuTrainer {
            label_entropy_bits: dataset.label_entropy_bits(),
            n_train: dataset.train.len(),
            n_test: dataset.test.len(),
            n_train_eval: dataset.train.len().min(TRAIN_EVAL_MAX),
            last_train_loss: vec![f64::NAN; replicas.len()],
            ctx,
            experiment,
            model,
            replicas,
            layout,
            rows,
            buffers,
            train_plan: Plan::default(),
            eval_plan: Plan::default(),
            step: 0,
            steps_since_report: 0,
        };
        trainer.train_plan = trainer.build_train_plan();
        trainer.eval_plan = trainer.build_eval_plan();
        Ok(trainer)
    }

    fn allocate(
        ctx: &GpuContext,
        experiment: &Experiment,
        model: &Model,
        dataset: &Dataset,
        layout: &ParamLayout,
        replicas: &[Replica],
        rows: usize,
    ) -> Buffers {
        let m = replicas.len();
        let shape = &model.shape;
        let floats =
            |label: &str, per_replica: usize| ctx.storage(label, 4 * (m * per_replica) as u64);
        let mut flat = Vec::with_capacity(m * layout.total);
        for replica in replicas {
            let params = Params::<f32>::init(shape, experiment.activation, replica.seed);
            layout.flatten_into(&params, &mut flat);
        }
        let hidden = |prefix: &str, widths: &[usize]| -> Vec<Hidden> {
            widths
                .iter()
                .enumerate()
                .map(|(l, &w)| Hidden {
                    pre: floats(&format!("{prefix} {l} pre"), rows * w),
                    post: floats(&format!("{prefix} {l} post"), rows * w),
                    delta: floats(&format!("{prefix} {l} delta"), rows * w),
                })
                .collect()
        };
        let x = |s: &crate::data::Split| {
            s.x.as_standard_layout()
                .iter()
                .copied()
                .collect::<Vec<f32>>()
        };
        let out_width = shape.output;
        let term_width = match model.objective {
            Objective::Vib => 1,
            Objective::Vae => out_width,
        };
        let decoder_hidden: Vec<usize> = shape.decoder_hidden.into_iter().collect();
        Buffers {
            train_x: ctx.storage_with("train x", &x(&dataset.train)),
            train_y: ctx.storage_with("train y", &dataset.train.y),
            test_x: ctx.storage_with("test x", &x(&dataset.test)),
            test_y: ctx.storage_with("test y", &dataset.test.y),
            params: ctx.storage_with("params", &flat),
            grads: floats("grads", layout.total),
            adam_m: floats("adam m", layout.total),
            adam_v: floats("adam v", layout.total),
            schedule: ctx.storage("schedule", 4 * schedule::words(m) as u64),
            metrics: floats("metrics", SLOTS),
            metrics_staging: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("metrics staging"),
                size: 4 * (m * SLOTS) as u64,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            batch_x: floats("batch x", rows * shape.input),
            batch_y: ctx.storage("batch y", 4 * (m * rows) as u64),
            encoder_hidden: hidden("encoder hidden", &shape.hidden),
            decoder_hidden: hidden("decoder hidden", &decoder_hidden),
            enc_out: floats("encoder out", rows * 2 * shape.latent),
            d_enc: floats("d encoder out", rows * 2 * shape.latent),
            z: floats("z", rows * shape.latent),
            dz: floats("dz", rows * shape.latent),
            sigma: floats("sigma", rows * shape.latent),
            eps: floats("eps", rows * shape.latent),
            kl: floats("kl terms", rows * shape.latent),
            out: floats("decoder out", rows * out_width),
            d_out: floats("d decoder out / probabilities", rows * out_width),
            terms: floats("data terms", rows * term_width),
            correct: floats("correct", rows),
            dummy: ctx.storage("unused output", 4),
        }
    }

    fn m(&self) -> usize {
        self.replicas.len()
    }

    /// Forward through a stack of layers from `input`; hidden layers write
    /// into `hidden`, the last layer into `last`.
    #[allow(clippy::too_many_arguments)]
    fn forward(
        &self,
        plan: &mut Plan,
        name: &str,
        layers: &[LayerPlace],
        input: &wgpu::Buffer,
        hidden: &[Hidden],
        last: &wgpu::Buffer,
        rows: usize,
    ) {
        let b = &self.buffers;
        let mut source = input;
        for (l, place) in layers.iter().enumerate() {
            let is_last = l + 1 == layers.len();
            let target = if is_last { last } else { &hidden[l].pre };
            let post = (!is_last).then(|| (&hidden[l].post, self.experiment.activation));
            ops::matmul(
                plan,
                &self.ctx,
                &format!("{name} layer {l} forward"),
                MatmulShape {
                    m: rows,
                    n: place.fan_out,
                    k: place.fan_in,
                    trans_a: false,
                    trans_b: false,
                },
                Place::new(source, 0, self.rows * place.fan_in),
                Place::new(&b.params, place.w, self.layout.total),
                Some((place.b, self.layout.total)),
                Place::new(target, 0, self.rows * place.fan_out),
                post,
                &b.dummy,
                self.m(),
            );
            if !is_last {
                source = &hidden[l].post;
            }
        }
    }

    /// Backward through a stack from `top_delta`, writing parameter gradients
    /// and, when given, the gradient with respect to the stack's input.
    #[allow(clippy::too_many_arguments)]
    fn backward(
        &self,
        plan: &mut Plan,
        name: &str,
        layers: &[LayerPlace],
        input: &wgpu::Buffer,
        hidden: &[Hidden],
        top_delta: &wgpu::Buffer,
        input_delta: Option<&wgpu::Buffer>,
    ) {
        let b = &self.buffers;
        let (rows, total, m) = (self.experiment.batch, self.layout.total, self.m());
        let mut delta = top_delta;
        for (l, place) in layers.iter().enumerate().rev() {
            let layer_input = if l == 0 { input } else { &hidden[l - 1].post };
            ops::matmul(
                plan,
                &self.ctx,
                &format!("{name} layer {l} weight gradient"),
                MatmulShape {
                    m: place.fan_in,
                    n: place.fan_out,
                    k: rows,
                    trans_a: true,
                    trans_b: false,
                },
                Place::new(layer_input, 0, self.rows * place.fan_in),
                Place::new(delta, 0, self.rows * place.fan_out),
                None,
                Place::new(&b.grads, place.w, total),
                None,
                &b.dummy,
                m,
            );
            ops::bias_grad(
                plan,
                &self.ctx,
                &format!("{name} layer {l} bias gradient"),
                Place::new(delta, 0, self.rows * place.fan_out),
                rows,
                place.fan_out,
                Place::new(&b.grads, place.b, total),
                m,
            );
            let target = match (l, input_delta) {
                (0, Some(buffer)) => buffer,
                (0, None) => break,
                _ => &hidden[l - 1].delta,
            };
            ops::matmul(
                plan,
                &self.ctx,
                &format!("{name} layer {l} input gradient"),
                MatmulShape {
                    m: rows,
                    n: place.fan_in,
                    k: place.fan_out,
                    trans_a: false,
                    trans_b: true,
                },
                Place::new(delta, 0, self.rows * place.fan_out),
                Place::new(&b.params, place.w, total),
                None,
                Place::new(target, 0, self.rows * place.fan_in),
                None,
                &b.dummy,
                m,
            );
            if l > 0 {
                let h = &hidden[l - 1];
                ops::act_backward(
                    plan,
                    &self.ctx,
                    &format!("{name} layer {} activation backward", l - 1),
                    self.experiment.activation,
                    &h.delta,
                    &h.pre,
                    &h.post,
                    rows * place.fan_in,
                    self.rows * place.fan_in,
                    m,
                );
            }
            delta = target;
        }
    }

    fn latent(&self, rows: usize) -> Latent {
        let k = self.model.shape.latent;
        Latent {
            rows,
            latent: k,
            enc_stride: self.rows * 2 * k,
            latent_stride: self.rows * k,
        }
    }

    fn latent_buffers(&self) -> LatentBuffers<'_> {
        let b = &self.buffers;
        LatentBuffers {
            enc: &b.enc_out,
            z: &b.z,
            sigma: &b.sigma,
            eps: &b.eps,
            kl: &b.kl,
        }
    }

    fn head(&self, rows: usize) -> Head {
        let width = self.model.shape.output;
        match self.model.objective {
            Objective::Vib => Head {
                rows,
                width,
                out_stride: self.rows * width,
                label_stride: self.rows,
                term_stride: self.rows,
                batch: self.experiment.batch,
            },
            Objective::Vae => Head {
                rows,
                width,
                out_stride: self.rows * width,
                label_stride: self.rows * width,
                term_stride: self.rows * width,
                batch: self.experiment.batch,
            },
        }
    }

    fn build_train_plan(&self) -> Plan {
        let (ctx, b, m) = (&self.ctx, &self.buffers, self.m());
        let rows = self.experiment.batch;
        let input = self.model.shape.input;
        let mut plan = Plan::default();
        ops::gather(
            &mut plan,
            ctx,
            "gather batch",
            [&b.train_x, &b.train_y],
            [
                Place::new(&b.batch_x, 0, self.rows * input),
                Place::new(&b.batch_y, 0, self.rows),
            ],
            self.n_train,
            input,
            rows,
            &b.schedule,
            m,
        );
        self.forward(
            &mut plan,
            "encoder",
            &self.layout.encoder,
            &b.batch_x,
            &b.encoder_hidden,
            &b.enc_out,
            rows,
        );
        ops::reparameterize(
            &mut plan,
            ctx,
            "reparameterize",
            self.latent(rows),
            &self.latent_buffers(),
            &b.schedule,
            None,
            m,
        );
        self.forward(
            &mut plan,
            "decoder",
            &self.layout.decoder,
            &b.z,
            &b.decoder_hidden,
            &b.out,
            rows,
        );
        let head = self.head(rows);
        match self.model.objective {
            Objective::Vib => ops::softmax_ce(
                &mut plan,
                ctx,
                "softmax cross-entropy",
                head,
                &b.out,
                &b.batch_y,
                &b.terms,
                &b.d_out,
                None,
                m,
            ),
            Objective::Vae => ops::reconstruction(
                &mut plan,
                ctx,
                "reconstruction",
                head,
                self.model.likelihood,
                &b.out,
                &b.batch_x,
                &b.terms,
                &b.d_out,
                None,
                m,
            ),
        }
        let inv_batch = 1.0 / rows as f32;
        let loss_slot = |use_beta| Slot {
            slot: SLOT_TRAIN_LOSS,
            slots: SLOTS,
            scale: inv_batch,
            use_beta,
            accumulate: true,
        };
        let term_count = rows * head.term_stride / self.rows;
        ops::reduce(
            &mut plan,
            ctx,
            "train data term",
            Place::new(&b.terms, 0, head.term_stride),
            term_count,
            &b.metrics,
            loss_slot(false),
            &b.schedule,
            m,
        );
        let k = self.model.shape.latent;
        ops::reduce(
            &mut plan,
            ctx,
            "train kl",
            Place::new(&b.kl, 0, self.rows * k),
            rows * k,
            &b.metrics,
            loss_slot(true),
            &b.schedule,
            m,
        );
        self.backward(
            &mut plan,
            "decoder",
            &self.layout.decoder,
            &b.z,
            &b.decoder_hidden,
            &b.d_out,
            Some(&b.dz),
        );
        ops::reparam_backward(
            &mut plan,
            ctx,
            "reparameterize backward",
            self.latent(rows),
            &b.dz,
            &self.latent_buffers(),
            &b.d_enc,
            &b.schedule,
            m,
        );
        self.backward(
            &mut plan,
            "encoder",
            &self.layout.encoder,
            &b.batch_x,
            &b.encoder_hidden,
            &b.d_enc,
            None,
        );
        ops::adam(
            &mut plan,
            ctx,
            "adam",
            [&b.params, &b.grads, &b.adam_m, &b.adam_v],
            &b.schedule,
            self.layout.total,
            self.experiment.adam_beta1,
            self.experiment.adam_beta2,
            m,
        );
        ops::advance(&mut plan, ctx, &b.schedule);
        plan
    }

    /// Evaluation of the test split and the training subset, in chunks of
    /// `EVAL_ROWS`, each with S noise samples, into the metric slots.
    fn build_eval_plan(&self) -> Plan {
        let b = &self.buffers;
        let mut plan = Plan::default();
        self.eval_split(
            &mut plan,
            "test",
            &b.test_x,
            &b.test_y,
            self.n_test,
            SLOT_TEST,
        );
        self.eval_split(
            &mut plan,
            "train",
            &b.train_x,
            &b.train_y,
            self.n_train_eval,
            SLOT_TRAIN_EVAL,
        );
        plan
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_split(
        &self,
        plan: &mut Plan,
        name: &str,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        n: usize,
        slot: usize,
    ) {
        let (ctx, b, m) = (&self.ctx, &self.buffers, self.m());
        let (input, k) = (self.model.shape.input, self.model.shape.latent);
        let add = |slot: usize| Slot {
            slot,
            slots: SLOTS,
            scale: 1.0,
            use_beta: false,
            accumulate: true,
        };
        for start in (0..n).step_by(EVAL_ROWS) {
            let rows = EVAL_ROWS.min(n - start);
            for r in 0..m {
                let row_bytes = 4 * input as u64;
                plan.copy(
                    x,
                    start as u64 * row_bytes,
                    &b.batch_x,
                    (r * self.rows) as u64 * row_bytes,
                    rows as u64 * row_bytes,
                );
                plan.copy(
                    y,
                    4 * start as u64,
                    &b.batch_y,
                    4 * (r * self.rows) as u64,
                    4 * rows as u64,
                );
            }
            let tag = format!("{name} eval rows {start}");
            self.forward(
                plan,
                &format!("{tag} encoder"),
                &self.layout.encoder,
                &b.batch_x,
                &b.encoder_hidden,
                &b.enc_out,
                rows,
            );
            let head = self.head(rows);
            for sample in 0..self.experiment.eval_samples {
                let eval = Some((start, sample));
                ops::reparameterize(
                    plan,
                    ctx,
                    &format!("{tag} reparameterize"),
                    self.latent(rows),
                    &self.latent_buffers(),
                    &b.schedule,
                    eval,
                    m,
                );
                if sample == 0 {
                    let kl = Place::new(&b.kl, 0, self.rows * k);
                    ops::reduce(
                        plan,
                        ctx,
                        &format!("{tag} kl"),
                        kl,
                        rows * k,
                        &b.metrics,
                        add(slot + 1),
                        &b.schedule,
                        m,
                    );
                }
                self.forward(
                    plan,
                    &format!("{tag} decoder"),
                    &self.layout.decoder,
                    &b.z,
                    &b.decoder_hidden,
                    &b.out,
                    rows,
                );
                let first = Some(sample == 0);
                match self.model.objective {
                    Objective::Vib => ops::softmax_ce(
                        plan,
                        ctx,
                        &format!("{tag} cross-entropy"),
                        head,
                        &b.out,
                        &b.batch_y,
                        &b.terms,
                        &b.d_out,
                        first,
                        m,
                    ),
                    Objective::Vae => ops::reconstruction(
                        plan,
                        ctx,
                        &format!("{tag} reconstruction"),
                        head,
                        self.model.likelihood,
                        &b.out,
                        &b.batch_x,
                        &b.terms,
                        &b.d_out,
                        first,
                        m,
                    ),
                }
            }
            let terms = Place::new(&b.terms, 0, head.term_stride);
            let term_count = rows * head.term_stride / self.rows;
            ops::reduce(
                plan,
                ctx,
                &format!("{tag} data term"),
                terms,
                term_count,
                &b.metrics,
                add(slot),
                &b.schedule,
                m,
            );
            if self.model.objective == Objective::Vib {
                ops::accuracy(
                    plan,
                    ctx,
                    &format!("{tag} accuracy"),
                    head,
                    &b.d_out,
                    &b.batch_y,
                    &b.correct,
                    m,
                );
                let correct = Place::new(&b.correct, 0, self.rows);
                ops::reduce(
                    plan,
                    ctx,
                    &format!("{tag} correct"),
                    correct,
                    rows,
                    &b.metrics,
                    add(slot + 2),
                    &b.schedule,
                    m,
                );
            }
        }
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

    /// Evaluates every replica and reads the metrics back (one small copy).
    pub async fn report(&mut self, is_final: bool) -> Result<Vec<Report>, GpuError> {
        let b = &self.buffers;
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("report"),
            });
        self.eval_plan.record(&mut encoder, "evaluation");
        encoder.copy_buffer_to_buffer(
            &b.metrics,
            0,
            &b.metrics_staging,
            0,
            b.metrics_staging.size(),
        );
        encoder.clear_buffer(&b.metrics, 0, None);
        self.ctx.queue.submit([encoder.finish()]);
        let bytes = map_and_read(&self.ctx, &b.metrics_staging).await?;
        let metrics: &[f32] = bytemuck::cast_slice(&bytes);
        let e = &self.experiment;
        let at = self.step.saturating_sub(1);
        let ln2 = std::f64::consts::LN_2;
        let samples = e.eval_samples as f64;
        let vib = e.objective == Objective::Vib;
        let mut reports = Vec::with_capacity(self.m());
        for (r, replica) in self.replicas.iter().enumerate() {
            let slot = |s: usize| metrics[r * SLOTS + s] as f64;
            if self.steps_since_report > 0 {
                self.last_train_loss[r] =
                    slot(SLOT_TRAIN_LOSS) / self.steps_since_report as f64 / ln2;
            }
            let (test_n, train_n) = (self.n_test as f64, self.n_train_eval as f64);
            let test_data = slot(SLOT_TEST) / (test_n * samples);
            let test_kl = slot(SLOT_TEST + 1) / test_n;
            let beta = e.beta_toward(replica.beta, at);
            reports.push(Report {
                step: self.step,
                epoch: self.step as f64 * e.batch as f64 / self.n_train as f64,
                loss: (test_data + beta * test_kl) / ln2,
                train_loss: self.last_train_loss[r],
                rate_bits: test_kl / ln2,
                izy_bits: vib.then(|| self.label_entropy_bits - test_data / ln2),
                distortion_bits: (!vib).then(|| test_data / ln2),
                train_acc: vib.then(|| slot(SLOT_TRAIN_EVAL + 2) / train_n),
                test_acc: vib.then(|| slot(SLOT_TEST + 2) / test_n),
                beta,
                lr: e.lr_at(at),
                backend: "gpu".into(),
                is_final,
            });
        }
        self.steps_since_report = 0;
        Ok(reports)
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

    /// Trains `steps` more steps with reports every `report_every` steps and
    /// a final summary, blocking (native).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn train(
        &mut self,
        steps: u32,
        mut on_report: impl FnMut(&[Report]),
    ) -> Result<Vec<Report>, GpuError> {
        let every = self.experiment.report_every;
        let end = self.step + steps;
        while self.step < end {
            let to_report = every - self.step % every;
            let count = to_report.min(end - self.step);
            self.submit_steps(count);
            if self.step.is_multiple_of(every) {
                on_report(&super::block_on(self.report(false))?);
            }
        }
        let summary = super::block_on(self.report(true))?;
        on_report(&summary);
        Ok(summary)
    }
}
