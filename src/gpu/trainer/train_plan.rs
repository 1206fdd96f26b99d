//! The training-step plan of a trainer, built once per experiment: gather,
//! forward, reparameterisation, loss, backward, Adam, advance. Each function
//! is one stage of the model, written against a `PlanBuilder`.

use super::plans::Stack;
use super::*;
use crate::gpu::ops::{
    ActBuffers, AdamBuffers, Gather, KlGradient, LatentGrads, Noise, Pass, Product,
};
use crate::gpu::plan::PlanBuilder;

impl GpuTrainer {
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
}
