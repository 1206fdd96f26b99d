//! Building the device plans of a trainer, once per experiment: the
//! training step (gather, forward, reparameterisation, loss, backward, Adam,
//! advance), the evaluation of both splits, and the information plane.

use super::*;

impl GpuTrainer {
    /// Forward through a stack of layers from `input`; hidden layers write
    /// into `hidden`, the last layer into `last`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn forward(
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
            Objective::Vib | Objective::Sqib => Head {
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

    pub(super) fn build_train_plan(&self) -> Plan {
        let (ctx, b, m) = (&self.ctx, &self.buffers, self.m());
        let rows = self.experiment.batch;
        let input = self.model.shape.input;
        let mut plan = Plan::default();
        if let Some(target) = Target::of(&self.experiment) {
            ops::geco(
                &mut plan,
                ctx,
                target,
                self.experiment.geco_lr,
                &b.batch_stats,
                &b.geco_state,
                &b.schedule,
                m,
            );
        }
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
            self.experiment.noise_scale(),
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
            Objective::Vib | Objective::Sqib => ops::softmax_ce(
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
        let loss_slot = Slot::add(SLOT_TRAIN_LOSS, SLOTS, inv_batch);
        let term_count = rows * head.term_stride / self.rows;
        ops::reduce(
            &mut plan,
            ctx,
            "train data term",
            Place::new(&b.terms, 0, head.term_stride),
            term_count,
            &b.metrics,
            loss_slot,
            &b.schedule,
            m,
        );
        let k = self.model.shape.latent;
        let kl = Place::new(&b.kl, 0, self.rows * k);
        // The batch mean KL (nats) for sqib's gradient and the adaptive beta.
        let batch_kl = Slot::store(STAT_KL, STATS, inv_batch);
        ops::reduce(
            &mut plan,
            ctx,
            "batch kl",
            kl,
            rows * k,
            &b.batch_stats,
            batch_kl,
            &b.schedule,
            m,
        );
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
        ops::reduce(
            &mut plan,
            ctx,
            "train kl",
            kl,
            rows * k,
            &b.metrics,
            kl_loss,
            &b.schedule,
            m,
        );
        if let Some(Target::Accuracy(_)) = Target::of(&self.experiment) {
            ops::accuracy(
                &mut plan,
                ctx,
                "batch accuracy",
                head,
                &b.out,
                &b.batch_y,
                &b.correct,
                m,
            );
            let correct = Place::new(&b.correct, 0, self.rows);
            let slot = Slot::store(STAT_ACCURACY, STATS, inv_batch);
            ops::reduce(
                &mut plan,
                ctx,
                "batch accuracy",
                correct,
                rows,
                &b.batch_stats,
                slot,
                &b.schedule,
                m,
            );
        }
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
            &b.batch_stats,
            self.model.objective == Objective::Sqib,
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
            b.mask.as_ref(),
            b.ema.as_ref(),
            &b.dummy,
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
    pub(super) fn build_eval_plan(&self) -> Plan {
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
        let add = |slot: usize| Slot::add(slot, SLOTS, 1.0);
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
                    self.experiment.noise_scale(),
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
                    Objective::Vib | Objective::Sqib => ops::softmax_ce(
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
                // The first sample's probabilities alone: the one-sample
                // test accuracy.
                if sample == 0 && name == "test" && self.model.objective.predicts_label() {
                    self.count_correct(
                        plan,
                        &format!("{tag} single-sample"),
                        rows,
                        SLOT_TEST_SINGLE,
                    );
                }
            }
            if name == "test" {
                let kl = Place::new(&b.kl, 0, self.rows * k);
                let dims = Place::new(&b.kl_dims, 0, k);
                ops::column_sums(
                    plan,
                    ctx,
                    &format!("{tag} kl per dimension"),
                    kl,
                    rows,
                    k,
                    dims,
                    true,
                    m,
                );
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
            if self.model.objective.predicts_label() {
                self.count_correct(plan, &tag, rows, slot + 2);
            }
        }
    }

    /// Adds the rows whose probabilities (in `d_out`) peak at their label
    /// to metric slot `slot`.
    fn count_correct(&self, plan: &mut Plan, tag: &str, rows: usize, slot: usize) {
        let (ctx, b, m) = (&self.ctx, &self.buffers, self.m());
        ops::accuracy(
            plan,
            ctx,
            &format!("{tag} accuracy"),
            self.head(rows),
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
            Slot::add(slot, SLOTS, 1.0),
            &b.schedule,
            m,
        );
    }
}
