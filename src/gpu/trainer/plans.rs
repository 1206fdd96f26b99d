//! Building the device plans of a trainer, once per experiment: the
//! training step (gather, forward, reparameterisation, loss, backward, Adam,
//! advance) and the evaluation of both splits. Each function is one stage
//! of the model, written against a `PlanBuilder`.

use super::*;
use crate::gpu::ops::{
    ActBuffers, AdamBuffers, Gather, HeadBuffers, KlGradient, LatentGrads, Noise, Nonlinearity,
    Pass, Product, Sums,
};
use crate::gpu::plan::PlanBuilder;

/// The encoder or the decoder: its layers and activation buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stack {
    Encoder,
    Decoder,
}

/// Which split an evaluation pass measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Split {
    /// The held-out split: data term, KL, accuracy, the one-sample accuracy
    /// and the KL per dimension.
    Test,
    /// The training subset: data term, KL and accuracy.
    TrainSubset,
}

impl GpuTrainer {
    /// A builder for this trainer's device, replicas and schedule.
    pub(super) fn builder(&self) -> PlanBuilder<'_> {
        let b = &self.buffers;
        PlanBuilder::new(&self.ctx, self.m(), &b.schedule, &b.dummy)
    }

    fn stack(&self, stack: Stack) -> (&str, &[LayerPlace], &[Hidden], &wgpu::Buffer) {
        let b = &self.buffers;
        match stack {
            Stack::Encoder => (
                "encoder",
                &self.layout.encoder,
                &b.encoder_hidden,
                &b.enc_out,
            ),
            Stack::Decoder => ("decoder", &self.layout.decoder, &b.decoder_hidden, &b.out),
        }
    }

    /// The hidden layers' nonlinearity: the encoder's rounded with `quant`
    /// (the quantized encoder), the decoder's never.
    fn nonlinearity(&self, stack: Stack) -> Nonlinearity {
        Nonlinearity {
            activation: self.experiment.activation,
            quant: self.model.quant.filter(|_| stack == Stack::Encoder),
        }
    }

    /// Forward through a stack for `rows` rows of `input`: hidden layers
    /// into their buffers, the last layer into the stack's output.
    pub(super) fn forward(
        &self,
        b: &mut PlanBuilder,
        stack: Stack,
        input: &wgpu::Buffer,
        rows: usize,
        tag: &str,
    ) {
        let (name, layers, hidden, last) = self.stack(stack);
        let (params, total) = (&self.buffers.params, self.layout.total);
        let mut source = input;
        for (l, place) in layers.iter().enumerate() {
            let is_last = l + 1 == layers.len();
            let target = if is_last { last } else { &hidden[l].pre };
            let product = Product {
                shape: MatmulShape {
                    m: rows,
                    n: place.fan_out,
                    k: place.fan_in,
                    trans_a: false,
                    trans_b: false,
                },
                a: Place::new(source, 0, self.rows * place.fan_in),
                b: Place::new(params, place.w, total),
                bias: Some((place.b, total)),
                c: Place::new(target, 0, self.rows * place.fan_out),
                post: (!is_last).then(|| (&hidden[l].post, self.nonlinearity(stack))),
            };
            b.matmul(&format!("{tag}{name} layer {l} forward"), product);
            if !is_last {
                source = &hidden[l].post;
            }
        }
    }

    /// Backward through a stack from `top_delta`: parameter gradients and,
    /// when given, the gradient with respect to the stack's input.
    fn backward(
        &self,
        b: &mut PlanBuilder,
        stack: Stack,
        input: &wgpu::Buffer,
        top_delta: &wgpu::Buffer,
        input_delta: Option<&wgpu::Buffer>,
    ) {
        let (name, layers, hidden, _) = self.stack(stack);
        let mut delta = top_delta;
        for (l, place) in layers.iter().enumerate().rev() {
            let layer_input = if l == 0 { input } else { &hidden[l - 1].post };
            self.parameter_gradients(b, (name, l), place, layer_input, delta);
            let target = match (l, input_delta) {
                (0, Some(buffer)) => buffer,
                (0, None) => break,
                _ => &hidden[l - 1].delta,
            };
            self.input_gradient(b, (name, l), place, delta, target);
            if l > 0 {
                let h = &hidden[l - 1];
                let rows = self.experiment.batch;
                let act = ActBuffers {
                    delta: &h.delta,
                    pre: &h.pre,
                    post: &h.post,
                    stride: self.rows * place.fan_in,
                };
                let label = format!("{name} layer {} activation backward", l - 1);
                b.act_backward(&label, self.nonlinearity(stack), &act, rows * place.fan_in);
            }
            delta = target;
        }
    }

    /// dW = X^T delta and db = the column sums of delta, for one layer.
    fn parameter_gradients(
        &self,
        b: &mut PlanBuilder,
        (name, l): (&str, usize),
        place: &LayerPlace,
        layer_input: &wgpu::Buffer,
        delta: &wgpu::Buffer,
    ) {
        let (rows, total, grads) = (
            self.experiment.batch,
            self.layout.total,
            &self.buffers.grads,
        );
        let delta = Place::new(delta, 0, self.rows * place.fan_out);
        let product = Product {
            shape: MatmulShape {
                m: place.fan_in,
                n: place.fan_out,
                k: rows,
                trans_a: true,
                trans_b: false,
            },
            a: Place::new(layer_input, 0, self.rows * place.fan_in),
            b: delta,
            bias: None,
            c: Place::new(grads, place.w, total),
            post: None,
        };
        b.matmul(&format!("{name} layer {l} weight gradient"), product);
        let label = format!("{name} layer {l} bias gradient");
        b.bias_grad(
            &label,
            delta,
            (rows, place.fan_out),
            Place::new(grads, place.b, total),
        );
    }

    /// delta W^T: the gradient with respect to one layer's input.
    fn input_gradient(
        &self,
        b: &mut PlanBuilder,
        (name, l): (&str, usize),
        place: &LayerPlace,
        delta: &wgpu::Buffer,
        target: &wgpu::Buffer,
    ) {
        let product = Product {
            shape: MatmulShape {
                m: self.experiment.batch,
                n: place.fan_in,
                k: place.fan_out,
                trans_a: false,
                trans_b: true,
            },
            a: Place::new(delta, 0, self.rows * place.fan_out),
            b: Place::new(&self.buffers.params, place.w, self.layout.total),
            bias: None,
            c: Place::new(target, 0, self.rows * place.fan_in),
            post: None,
        };
        b.matmul(&format!("{name} layer {l} input gradient"), product);
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
        let per_element = self.model.objective == Objective::Vae;
        let stride = if per_element {
            self.rows * width
        } else {
            self.rows
        };
        Head {
            rows,
            width,
            out_stride: self.rows * width,
            label_stride: stride,
            term_stride: stride,
            batch: self.experiment.batch,
        }
    }

    /// The data term: softmax cross-entropy against the labels, or the
    /// reconstruction of the inputs (`vae`).
    fn data_term(&self, b: &mut PlanBuilder, label: &str, rows: usize, pass: Pass) {
        let buffers = &self.buffers;
        let vae = self.model.objective == Objective::Vae;
        let head = HeadBuffers {
            out: &buffers.out,
            target: if vae {
                &buffers.batch_x
            } else {
                &buffers.batch_y
            },
            terms: &buffers.terms,
            grad: &buffers.d_out,
        };
        if vae {
            b.reconstruction(label, self.head(rows), self.model.likelihood, &head, pass);
        } else {
            b.softmax_ce(label, self.head(rows), &head, pass);
        }
    }

    pub(super) fn build_train_plan(&self) -> Plan {
        let mut b = self.builder();
        let buffers = &self.buffers;
        if let Some(target) = Target::of(&self.experiment) {
            b.geco(
                target,
                self.experiment.geco_lr,
                &buffers.batch_stats,
                &buffers.geco_state,
            );
        }
        self.gather_batch(&mut b);
        let rows = self.experiment.batch;
        self.forward(&mut b, Stack::Encoder, &buffers.batch_x, rows, "");
        let noise = self.experiment.noise_scale();
        b.reparameterize(
            "reparameterize",
            self.latent(rows),
            &self.latent_buffers(),
            Noise::Train,
            noise,
        );
        self.forward(&mut b, Stack::Decoder, &buffers.z, rows, "");
        self.data_term(&mut b, "data term", rows, Pass::Train);
        self.training_sums(&mut b);
        self.backward(
            &mut b,
            Stack::Decoder,
            &buffers.z,
            &buffers.d_out,
            Some(&buffers.dz),
        );
        let grads = LatentGrads {
            dz: &buffers.dz,
            d_enc: &buffers.d_enc,
            stats: &buffers.batch_stats,
        };
        let kl = match self.model.objective {
            Objective::Sqib => KlGradient::Squared,
            Objective::Vib | Objective::Vae => KlGradient::Linear,
        };
        b.reparam_backward(
            "reparameterize backward",
            self.latent(rows),
            &self.latent_buffers(),
            &grads,
            kl,
        );
        self.backward(
            &mut b,
            Stack::Encoder,
            &buffers.batch_x,
            &buffers.d_enc,
            None,
        );
        let adam = AdamBuffers {
            params: &buffers.params,
            grads: &buffers.grads,
            m: &buffers.adam_m,
            v: &buffers.adam_v,
            mask: buffers.mask.as_ref(),
            ema: buffers.ema.as_ref(),
        };
        let decays = (self.experiment.adam_beta1, self.experiment.adam_beta2);
        b.adam("adam", &adam, self.layout.total, decays);
        b.advance();
        b.finish()
    }

    /// The minibatch of the step, drawn on the device.
    fn gather_batch(&self, b: &mut PlanBuilder) {
        let buffers = &self.buffers;
        let gather = Gather {
            data: [&buffers.train_x, &buffers.train_y],
            batch: [
                Place::new(&buffers.batch_x, 0, self.rows * self.model.shape.input),
                Place::new(&buffers.batch_y, 0, self.rows),
            ],
            n: self.n_train,
            features: self.model.shape.input,
            batch_size: self.experiment.batch,
        };
        b.gather("gather batch", &gather);
    }

    /// The step's running loss (data term + beta * KL, or sqib's KL^2) into
    /// the metric slots, and the batch statistics the next step reads.
    fn training_sums(&self, b: &mut PlanBuilder) {
        let buffers = &self.buffers;
        let rows = self.experiment.batch;
        let k = self.model.shape.latent;
        let head = self.head(rows);
        let inv_batch = 1.0 / rows as f32;
        let loss_slot = Slot::add(SLOT_TRAIN_LOSS, SLOTS, inv_batch);
        let terms = Place::new(&buffers.terms, 0, head.term_stride);
        let term_count = rows * head.term_stride / self.rows;
        b.reduce(
            "train data term",
            terms,
            term_count,
            &buffers.metrics,
            loss_slot,
        );
        let kl = Place::new(&buffers.kl, 0, self.rows * k);
        // The batch mean KL (nats) for sqib's gradient and the adaptive beta.
        let batch_kl = Slot::store(STAT_KL, STATS, inv_batch);
        b.reduce("batch kl", kl, rows * k, &buffers.batch_stats, batch_kl);
        let kl_loss = match self.model.objective {
            Objective::Sqib => Slot {
                use_beta: true,
                square: true,
                scale: inv_batch * inv_batch,
                ..loss_slot
            },
            Objective::Vib | Objective::Vae => Slot {
                use_beta: true,
                ..loss_slot
            },
        };
        b.reduce("train kl", kl, rows * k, &buffers.metrics, kl_loss);
        if let Some(Target::Accuracy(_)) = Target::of(&self.experiment) {
            b.accuracy(
                "batch accuracy",
                head,
                &buffers.out,
                &buffers.batch_y,
                &buffers.correct,
            );
            let correct = Place::new(&buffers.correct, 0, self.rows);
            let slot = Slot::store(STAT_ACCURACY, STATS, inv_batch);
            b.reduce("batch accuracy", correct, rows, &buffers.batch_stats, slot);
        }
    }

    /// Evaluation of the test split and the training subset, in chunks of
    /// `EVAL_ROWS`, each with S noise samples, into the metric slots.
    pub(super) fn build_eval_plan(&self) -> Plan {
        let mut b = self.builder();
        for split in [Split::Test, Split::TrainSubset] {
            let n = match split {
                Split::Test => self.n_test,
                Split::TrainSubset => self.n_train_eval,
            };
            for start in (0..n).step_by(EVAL_ROWS) {
                self.eval_chunk(&mut b, split, start, EVAL_ROWS.min(n - start));
            }
        }
        b.finish()
    }

    /// Copies rows `start..start + rows` of a split into every replica's
    /// batch buffers.
    pub(super) fn load_rows(
        &self,
        b: &mut PlanBuilder,
        source: [&wgpu::Buffer; 2],
        start: usize,
        rows: usize,
    ) {
        let buffers = &self.buffers;
        let row_bytes = 4 * self.model.shape.input as u64;
        for r in 0..self.m() {
            let at = (r * self.rows) as u64;
            b.copy(
                (source[0], start as u64 * row_bytes),
                (&buffers.batch_x, at * row_bytes),
                rows as u64 * row_bytes,
            );
            b.copy(
                (source[1], 4 * start as u64),
                (&buffers.batch_y, 4 * at),
                4 * rows as u64,
            );
        }
    }

    /// One chunk of a split: the encoder once, then S noise samples through
    /// the decoder, their sums into the split's metric slots.
    fn eval_chunk(&self, b: &mut PlanBuilder, split: Split, start: usize, rows: usize) {
        let buffers = &self.buffers;
        let (source, slot) = match split {
            Split::Test => ([&buffers.test_x, &buffers.test_y], SLOT_TEST),
            Split::TrainSubset => ([&buffers.train_x, &buffers.train_y], SLOT_TRAIN_EVAL),
        };
        self.load_rows(b, source, start, rows);
        let tag = format!("{split:?} rows {start} ");
        self.forward(b, Stack::Encoder, &buffers.batch_x, rows, &tag);
        let k = self.model.shape.latent;
        let kl = Place::new(&buffers.kl, 0, self.rows * k);
        let add = |slot: usize| Slot::add(slot, SLOTS, 1.0);
        for sample in 0..self.experiment.eval_samples {
            let noise = Noise::Eval {
                row_offset: start,
                sample,
            };
            let scale = self.experiment.noise_scale();
            b.reparameterize(
                &format!("{tag}reparameterize"),
                self.latent(rows),
                &self.latent_buffers(),
                noise,
                scale,
            );
            if sample == 0 {
                b.reduce(
                    &format!("{tag}kl"),
                    kl,
                    rows * k,
                    &buffers.metrics,
                    add(slot + 1),
                );
            }
            self.forward(b, Stack::Decoder, &buffers.z, rows, &tag);
            let pass = Pass::Eval {
                first_sample: sample == 0,
            };
            self.data_term(b, &format!("{tag}data term"), rows, pass);
            // The first sample's probabilities alone: the one-sample accuracy.
            if sample == 0 && split == Split::Test && self.model.objective.predicts_label() {
                self.count_correct(b, &format!("{tag}single-sample"), rows, SLOT_TEST_SINGLE);
            }
        }
        if split == Split::Test {
            let dims = Place::new(&buffers.kl_dims, 0, k);
            b.column_sums(
                &format!("{tag}kl per dimension"),
                kl,
                (rows, k),
                dims,
                Sums::Accumulate,
            );
        }
        let head = self.head(rows);
        let terms = Place::new(&buffers.terms, 0, head.term_stride);
        let term_count = rows * head.term_stride / self.rows;
        b.reduce(
            &format!("{tag}data term"),
            terms,
            term_count,
            &buffers.metrics,
            add(slot),
        );
        if self.model.objective.predicts_label() {
            self.count_correct(b, &tag, rows, slot + 2);
        }
    }

    /// Adds the rows whose probabilities (in `d_out`) peak at their label
    /// to metric slot `slot`.
    fn count_correct(&self, b: &mut PlanBuilder, tag: &str, rows: usize, slot: usize) {
        let buffers = &self.buffers;
        let label = format!("{tag}accuracy");
        b.accuracy(
            &label,
            self.head(rows),
            &buffers.d_out,
            &buffers.batch_y,
            &buffers.correct,
        );
        let correct = Place::new(&buffers.correct, 0, self.rows);
        let slot = Slot::add(slot, SLOTS, 1.0);
        b.reduce(
            &format!("{tag}correct"),
            correct,
            rows,
            &buffers.metrics,
            slot,
        );
    }
}
