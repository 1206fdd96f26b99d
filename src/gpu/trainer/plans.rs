//! The stages both device plans of a trainer share, written against a
//! `PlanBuilder`: the forward pass through the encoder or the decoder, the
//! latent layer's and the head's shapes, the data term, and loading a
//! split's rows. The training step is built in `train_plan.rs`, the
//! evaluation of both splits in `eval_plan.rs`, once per experiment.

use super::*;
use crate::gpu::ops::{HeadBuffers, Nonlinearity, Pass, Product};
use crate::gpu::plan::PlanBuilder;

/// The encoder or the decoder: its layers and activation buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stack {
    Encoder,
    Decoder,
}

impl GpuTrainer {
    /// A builder for this trainer's device, replicas and schedule.
    pub(super) fn builder(&self) -> PlanBuilder<'_> {
        let b = &self.buffers;
        PlanBuilder::new(&self.ctx, self.m(), &b.schedule, &b.dummy)
    }

    pub(super) fn stack(&self, stack: Stack) -> (&str, &[LayerPlace], &[Hidden], &wgpu::Buffer) {
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
    pub(super) fn nonlinearity(&self, stack: Stack) -> Nonlinearity {
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

    pub(super) fn latent(&self, rows: usize) -> Latent {
        let k = self.model.shape.latent;
        Latent {
            rows,
            latent: k,
            enc_stride: self.rows * 2 * k,
            latent_stride: self.rows * k,
        }
    }

    pub(super) fn latent_buffers(&self) -> LatentBuffers<'_> {
        let b = &self.buffers;
        LatentBuffers {
            enc: &b.enc_out,
            z: &b.z,
            sigma: &b.sigma,
            eps: &b.eps,
            kl: &b.kl,
        }
    }

    pub(super) fn head(&self, rows: usize) -> Head {
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
    pub(super) fn data_term(&self, b: &mut PlanBuilder, label: &str, rows: usize, pass: Pass) {
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
}
