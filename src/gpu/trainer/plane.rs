//! The information plane on the device: the encoder runs over the first
//! training patterns in chunks, each hidden layer and the encoder output are
//! gathered, then each layer's binning range and N x N reduction run; a
//! report reads back the per-pattern log means.

use super::*;

/// The information plane's device state: each measured layer's values over
/// the first training patterns, binning bounds, and the per-pattern log means
/// of the N x N reductions (layers: hidden..., latent mean, pairwise KL).
pub(super) struct GpuPlane {
    /// Patterns measured.
    pub(super) n: usize,
    /// Name, units and binning range of each measured layer.
    pub(super) layers: Vec<(String, usize, Range)>,
    pub(super) out: wgpu::Buffer,
    pub(super) plan: Plan,
}

impl GpuPlane {
    /// Floats of `out` for `replicas` models with `hidden` hidden layers.
    pub(super) fn floats(replicas: usize, hidden: usize, n_train: usize) -> usize {
        replicas * (hidden + 2) * n_train.min(info_plane::MAX_PATTERNS) * 2
    }
}

impl GpuPlane {
    /// Replica `r`'s layers and pairwise-KL I(X;Z) from the read-back values.
    pub(super) fn read(
        &self,
        experiment: &Experiment,
        values: &[f32],
        r: usize,
    ) -> (Vec<LayerInfo>, f64) {
        let per_layer = 2 * self.n;
        let total = self.layers.len() + 1;
        let block = &values[r * total * per_layer..(r + 1) * total * per_layer];
        let means = |l: usize| -> (Vec<f64>, Vec<f64>) {
            let part = &block[l * per_layer..(l + 1) * per_layer];
            (
                part.iter().step_by(2).map(|&v| v as f64).collect(),
                part.iter().skip(1).step_by(2).map(|&v| v as f64).collect(),
            )
        };
        let binning = experiment.estimator == crate::config::Estimator::Binning;
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(l, (name, units, range))| {
                let (all, label) = means(l);
                let (ixt_bits, ity_bits) = info_plane::from_log_means(&all, &label);
                LayerInfo {
                    layer: name.clone(),
                    units: *units,
                    ixt_bits,
                    ity_bits,
                    estimator: experiment.estimator.name().into(),
                    range: if binning {
                        range.describe().into()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let (all, label) = means(self.layers.len());
        (layers, info_plane::from_log_means(&all, &label).0)
    }
}

impl GpuTrainer {
    /// The information plane over the first training patterns: the encoder
    /// runs over them in chunks, each hidden layer and the encoder output
    /// are gathered, then each layer's range and N x N reduction run.
    pub(super) fn build_plane(&self, dataset: &Dataset) -> GpuPlane {
        let (ctx, b, m) = (&self.ctx, &self.buffers, self.m());
        let shape = &self.model.shape;
        let n = dataset.train.len().min(info_plane::MAX_PATTERNS);
        let (input, k) = (shape.input, shape.latent);
        let hidden_values: Vec<wgpu::Buffer> = shape
            .hidden
            .iter()
            .enumerate()
            .map(|(l, &w)| {
                ctx.storage(
                    &format!("plane encoder {} values", l + 1),
                    4 * (m * n * w) as u64,
                )
            })
            .collect();
        let enc_values = ctx.storage("plane encoder output", 4 * (m * n * 2 * k) as u64);
        let mut plan = Plan::default();
        for start in (0..n).step_by(EVAL_ROWS) {
            let rows = EVAL_ROWS.min(n - start);
            let row_bytes = 4 * input as u64;
            for r in 0..m {
                plan.copy(
                    &b.train_x,
                    start as u64 * row_bytes,
                    &b.batch_x,
                    (r * self.rows) as u64 * row_bytes,
                    rows as u64 * row_bytes,
                );
            }
            let tag = format!("plane rows {start}");
            self.forward(
                &mut plan,
                &format!("{tag} encoder"),
                &self.layout.encoder,
                &b.batch_x,
                &b.encoder_hidden,
                &b.enc_out,
                rows,
            );
            let gathered = b
                .encoder_hidden
                .iter()
                .map(|h| &h.post)
                .zip(shape.hidden.iter().copied())
                .zip(&hidden_values);
            for ((source, width), target) in
                gathered.chain(std::iter::once(((&b.enc_out, 2 * k), &enc_values)))
            {
                let w = 4 * width as u64;
                for r in 0..m {
                    plan.copy(
                        source,
                        (r * self.rows) as u64 * w,
                        target,
                        (r * n + start) as u64 * w,
                        rows as u64 * w,
                    );
                }
            }
        }
        let mut layers = Vec::new();
        let mut sources = Vec::new();
        for (l, &width) in shape.hidden.iter().enumerate() {
            layers.push((
                format!("encoder {}", l + 1),
                width,
                Range::of(Some(self.experiment.activation)),
            ));
            sources.push(ops::PlaneRows {
                buffer: &hidden_values[l],
                n,
                width,
                row_stride: width,
                replica_stride: n * width,
            });
        }
        layers.push(("latent mean".to_string(), k, Range::of(None)));
        sources.push(ops::PlaneRows {
            buffer: &enc_values,
            n,
            width: k,
            row_stride: 2 * k,
            replica_stride: n * 2 * k,
        });
        let per_layer = 2 * n;
        let total = layers.len() + 1;
        // Replica r's block holds every layer's (n, 2) values, then the pairwise KL.
        let out = ctx.storage("plane log means", 4 * (m * total * per_layer) as u64);
        let scratch: Vec<wgpu::Buffer> = (0..total)
            .map(|l| {
                ctx.storage(
                    &format!("plane layer {l} log means"),
                    4 * (m * per_layer) as u64,
                )
            })
            .collect();
        let bounds: Vec<wgpu::Buffer> = (0..layers.len())
            .map(|l| ctx.storage(&format!("plane layer {l} bounds"), 4 * 2 * m as u64))
            .collect();
        let kernel = match self.experiment.estimator {
            crate::config::Estimator::Binning => ops::PairwiseKernel::Binning,
            crate::config::Estimator::Kde => ops::PairwiseKernel::Kde {
                noise_variance: info_plane::KDE_NOISE_VARIANCE,
            },
        };
        for (l, ((name, _, range), rows)) in layers.iter().zip(&sources).enumerate() {
            ops::value_range(
                &mut plan,
                ctx,
                &format!("plane {name} range"),
                *rows,
                *range,
                &bounds[l],
                m,
            );
            ops::pairwise(
                &mut plan,
                ctx,
                &format!("plane {name}"),
                *rows,
                &b.train_y,
                kernel,
                &bounds[l],
                &scratch[l],
                m,
            );
        }
        let kl_rows = ops::PlaneRows {
            buffer: &enc_values,
            n,
            width: 2 * k,
            row_stride: 2 * k,
            replica_stride: n * 2 * k,
        };
        ops::pairwise(
            &mut plan,
            ctx,
            "plane pairwise KL",
            kl_rows,
            &b.train_y,
            ops::PairwiseKernel::PairwiseKl,
            &bounds[0],
            &scratch[total - 1],
            m,
        );
        let bytes = 4 * per_layer as u64;
        for (l, part) in scratch.iter().enumerate() {
            for r in 0..m {
                plan.copy(
                    part,
                    r as u64 * bytes,
                    &out,
                    (r * total + l) as u64 * bytes,
                    bytes,
                );
            }
        }
        GpuPlane {
            n,
            layers,
            out,
            plan,
        }
    }
}
