//! The information plane on the device: the encoder runs over the first
//! training patterns in chunks, each hidden layer and the encoder output are
//! gathered, then each layer's binning range and N x N reduction run; a
//! report reads back the per-pattern log means.

use super::plans::Stack;
use super::*;
use crate::gpu::plan::PlanBuilder;

/// The information plane's device state: each measured layer's values over
/// the first training patterns, binning bounds, and the per-pattern log means
/// of the N x N reductions (layers: hidden..., latent mean, pairwise KL;
/// with `estimator=exact`, then each layer's binning beside the exact one).
pub(super) struct GpuPlane {
    /// Patterns measured.
    pub(super) n: usize,
    /// Name, units and binning range of each measured layer.
    pub(super) layers: Vec<(String, usize, Range)>,
    /// `estimator=exact`: binning's reading of each layer follows.
    pub(super) beside: bool,
    pub(super) out: wgpu::Buffer,
    pub(super) plan: Plan,
}

impl GpuPlane {
    /// Blocks of (n, 2) log means per replica: the hidden layers and the
    /// latent mean, the pairwise KL, then with `beside` the layers binned.
    fn blocks(hidden: usize, beside: bool) -> usize {
        (hidden + 1) * (1 + beside as usize) + 1
    }

    /// Floats of `out` for `replicas` models with `hidden` hidden layers.
    pub(super) fn floats(replicas: usize, hidden: usize, n_train: usize, beside: bool) -> usize {
        replicas * Self::blocks(hidden, beside) * n_train.min(info_plane::MAX_PATTERNS) * 2
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
        let measured = self.layers.len();
        let total = Self::blocks(measured - 1, self.beside);
        let block = &values[r * total * per_layer..(r + 1) * total * per_layer];
        let means = |l: usize| -> (Vec<f64>, Vec<f64>) {
            let part = &block[l * per_layer..(l + 1) * per_layer];
            (
                part.iter().step_by(2).map(|&v| v as f64).collect(),
                part.iter().skip(1).step_by(2).map(|&v| v as f64).collect(),
            )
        };
        let binning = experiment.estimator != crate::config::Estimator::Kde;
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(l, (name, units, range))| {
                let (all, label) = means(l);
                let (ixt_bits, ity_bits) = info_plane::from_log_means(&all, &label);
                let beside = self.beside.then(|| {
                    let (all, label) = means(measured + 1 + l);
                    info_plane::from_log_means(&all, &label)
                });
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
                    saturated: info_plane::saturated(ixt_bits, self.n),
                    binned_ixt_bits: beside.map(|b| b.0),
                    binned_ity_bits: beside.map(|b| b.1),
                }
            })
            .collect::<Vec<_>>();
        let (all, label) = means(measured);
        let (izx, izy) = info_plane::from_log_means(&all, &label);
        let k = self.layers.last().map_or(0, |l| l.1);
        let mut layers = layers;
        layers.push(info_plane::code_point(izx, izy, k, self.n));
        (layers, izx)
    }
}

impl GpuTrainer {
    /// The information plane over the first training patterns: the encoder
    /// runs over them in chunks, each hidden layer and the encoder output
    /// are gathered, then each layer's range and N x N reduction run.
    pub(super) fn build_plane(&self, dataset: &Dataset) -> GpuPlane {
        let n = dataset.train.len().min(info_plane::MAX_PATTERNS);
        let mut b = self.builder();
        let values = self.gather_plane_values(&mut b, n);
        let (layers, sources) = self.plane_layers(&values, n);
        let per_layer = 2 * n;
        let beside = self.experiment.estimator == crate::config::Estimator::Exact;
        let total = GpuPlane::blocks(layers.len() - 1, beside);
        let m = self.m();
        // Replica r's block holds every layer's (n, 2) values, then the pairwise KL.
        let out = self
            .ctx
            .storage("plane log means", 4 * (m * total * per_layer) as u64);
        let scratch: Vec<wgpu::Buffer> = (0..total)
            .map(|l| {
                let label = format!("plane layer {l} log means");
                self.ctx.storage(&label, 4 * (m * per_layer) as u64)
            })
            .collect();
        self.plane_reductions(&mut b, &layers, &sources, &scratch);
        let bytes = 4 * per_layer as u64;
        for (l, part) in scratch.iter().enumerate() {
            for r in 0..m {
                let at = (r * total + l) as u64 * bytes;
                b.copy((part, r as u64 * bytes), (&out, at), bytes);
            }
        }
        GpuPlane {
            n,
            layers,
            beside,
            out,
            plan: b.finish(),
        }
    }

    /// Runs the encoder over the first `n` training patterns and copies
    /// each hidden layer's activations, then the encoder output, into a
    /// buffer of their own (the last one holds [mu | rho] per pattern).
    fn gather_plane_values(&self, b: &mut PlanBuilder, n: usize) -> Vec<wgpu::Buffer> {
        let (buffers, m) = (&self.buffers, self.m());
        let shape = &self.model.shape;
        let widths: Vec<usize> = shape
            .hidden
            .iter()
            .copied()
            .chain([2 * shape.latent])
            .collect();
        let values: Vec<wgpu::Buffer> = widths
            .iter()
            .enumerate()
            .map(|(l, &w)| {
                let label = format!("plane layer {} values", l + 1);
                self.ctx.storage(&label, 4 * (m * n * w) as u64)
            })
            .collect();
        for start in (0..n).step_by(EVAL_ROWS) {
            let rows = EVAL_ROWS.min(n - start);
            self.load_rows(b, [&buffers.train_x, &buffers.train_y], start, rows);
            self.forward(
                b,
                Stack::Encoder,
                &buffers.batch_x,
                rows,
                &format!("plane rows {start} "),
            );
            let sources = buffers
                .encoder_hidden
                .iter()
                .map(|h| &h.post)
                .chain([&buffers.enc_out]);
            for ((source, &width), target) in sources.zip(&widths).zip(&values) {
                let w = 4 * width as u64;
                for r in 0..m {
                    let from = (r * self.rows) as u64 * w;
                    let to = (r * n + start) as u64 * w;
                    b.copy((source, from), (target, to), rows as u64 * w);
                }
            }
        }
        values
    }

    /// The measured layers (name, units, binning range) and where their
    /// values are: every hidden layer, then the latent mean.
    fn plane_layers<'v>(
        &self,
        values: &'v [wgpu::Buffer],
        n: usize,
    ) -> (Vec<(String, usize, Range)>, Vec<ops::PlaneRows<'v>>) {
        let shape = &self.model.shape;
        let k = shape.latent;
        let mut layers = Vec::new();
        let mut sources = Vec::new();
        for (l, &width) in shape.hidden.iter().enumerate() {
            let range = Range::of(Some(self.experiment.activation));
            layers.push((format!("encoder {}", l + 1), width, range));
            sources.push(ops::PlaneRows {
                buffer: &values[l],
                n,
                width,
                row_stride: width,
                replica_stride: n * width,
            });
        }
        layers.push((info_plane::LATENT_MEAN.to_string(), k, Range::of(None)));
        sources.push(ops::PlaneRows {
            buffer: &values[shape.hidden.len()],
            n,
            width: k,
            row_stride: 2 * k,
            replica_stride: n * 2 * k,
        });
        (layers, sources)
    }

    /// Each layer's range and N x N reduction by the link's estimator, then
    /// the pairwise KL of the noisy code (rows [mu | rho]) into the next
    /// scratch buffer; with `estimator=exact`, each layer binned after it.
    fn plane_reductions(
        &self,
        b: &mut PlanBuilder,
        layers: &[(String, usize, Range)],
        sources: &[ops::PlaneRows],
        scratch: &[wgpu::Buffer],
    ) {
        let m = self.m();
        let labels = &self.buffers.train_y;
        let bounds: Vec<wgpu::Buffer> = (0..layers.len())
            .map(|l| {
                self.ctx
                    .storage(&format!("plane layer {l} bounds"), 4 * 2 * m as u64)
            })
            .collect();
        let kernel = match self.experiment.estimator {
            crate::config::Estimator::Binning => ops::PairwiseKernel::Binning {
                bins: self.experiment.bins,
            },
            crate::config::Estimator::Kde => ops::PairwiseKernel::Kde {
                noise_variance: info_plane::KDE_NOISE_VARIANCE,
            },
            crate::config::Estimator::Exact => ops::PairwiseKernel::Exact,
        };
        let binning = ops::PairwiseKernel::Binning {
            bins: self.experiment.bins,
        };
        for (l, ((name, _, range), rows)) in layers.iter().zip(sources).enumerate() {
            b.value_range(&format!("plane {name} range"), *rows, *range, &bounds[l]);
            b.pairwise(
                &format!("plane {name}"),
                *rows,
                labels,
                kernel,
                (&bounds[l], &scratch[l]),
            );
        }
        let latent = sources[sources.len() - 1];
        let kl_rows = ops::PlaneRows {
            width: 2 * latent.width,
            ..latent
        };
        b.pairwise(
            "plane pairwise KL",
            kl_rows,
            labels,
            ops::PairwiseKernel::PairwiseKl,
            (&bounds[0], &scratch[layers.len()]),
        );
        if kernel != ops::PairwiseKernel::Exact {
            return;
        }
        for (l, ((name, _, _), rows)) in layers.iter().zip(sources).enumerate() {
            let out = &scratch[layers.len() + 1 + l];
            b.pairwise(
                &format!("plane {name} binned"),
                *rows,
                labels,
                binning,
                (&bounds[l], out),
            );
        }
    }
}
