//! The trainer's device buffers: what training on the device needs of it
//! (`requirements`), every buffer of a run (`Buffers`, `Hidden`), allocated
//! once per experiment, and their initial contents (each replica's
//! parameters, the adaptive beta's state).

use super::{EVAL_ROWS, GpuTrainer, SLOTS, STATS};
use crate::config::{Experiment, Objective};
use crate::data::Dataset;
use crate::gpu::layout::ParamLayout;
use crate::gpu::schedule;
use crate::gpu::{GpuContext, Requirements};
use crate::model::{Model, Params};
use crate::sweep::Replica;

/// A hidden layer's buffers: pre-activation, activation, gradient.
pub(super) struct Hidden {
    pub(super) pre: wgpu::Buffer,
    pub(super) post: wgpu::Buffer,
    pub(super) delta: wgpu::Buffer,
}

/// Every device buffer of a training run.
pub(super) struct Buffers {
    pub(super) train_x: wgpu::Buffer,
    pub(super) train_y: wgpu::Buffer,
    pub(super) test_x: wgpu::Buffer,
    pub(super) test_y: wgpu::Buffer,
    pub(super) params: wgpu::Buffer,
    pub(super) grads: wgpu::Buffer,
    pub(super) adam_m: wgpu::Buffer,
    pub(super) adam_v: wgpu::Buffer,
    /// The moving average of the weights (`ema` > 0), and room for the
    /// live weights while a report measures the average in their place.
    pub(super) ema: Option<wgpu::Buffer>,
    pub(super) live: Option<wgpu::Buffer>,
    pub(super) schedule: wgpu::Buffer,
    pub(super) metrics: wgpu::Buffer,
    /// Mean KL of each latent dimension (test split), summed over chunks.
    pub(super) kl_dims: wgpu::Buffer,
    pub(super) batch_stats: wgpu::Buffer,
    pub(super) geco_state: wgpu::Buffer,
    /// 1 for every parameter that exists, 0 for the cross-feature weights of
    /// a per-feature bottleneck (which Adam leaves at 0).
    pub(super) mask: Option<wgpu::Buffer>,
    pub(super) batch_x: wgpu::Buffer,
    pub(super) batch_y: wgpu::Buffer,
    pub(super) encoder_hidden: Vec<Hidden>,
    pub(super) decoder_hidden: Vec<Hidden>,
    pub(super) enc_out: wgpu::Buffer,
    pub(super) d_enc: wgpu::Buffer,
    pub(super) z: wgpu::Buffer,
    pub(super) dz: wgpu::Buffer,
    pub(super) sigma: wgpu::Buffer,
    pub(super) eps: wgpu::Buffer,
    pub(super) kl: wgpu::Buffer,
    pub(super) out: wgpu::Buffer,
    pub(super) d_out: wgpu::Buffer,
    pub(super) terms: wgpu::Buffer,
    pub(super) correct: wgpu::Buffer,
    pub(super) dummy: wgpu::Buffer,
}

/// Every replica's initial parameters, flat, one after the other.
fn initial_params(
    experiment: &Experiment,
    shape: &crate::model::Shape,
    layout: &ParamLayout,
    replicas: &[Replica],
) -> Vec<f32> {
    let mut flat = Vec::with_capacity(replicas.len() * layout.total);
    for replica in replicas {
        let params =
            Params::<f32>::init(shape, experiment.activation, experiment.init, replica.seed);
        layout.flatten_into(&params, &mut flat);
    }
    flat
}

/// The adaptive beta's state per replica: its beta, the constraint's
/// average, whether there is one yet, padding.
fn initial_geco(replicas: &[Replica]) -> Vec<f32> {
    replicas
        .iter()
        .flat_map(|r| [r.beta as f32, 0.0, 0.0, 0.0])
        .collect()
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
    // The widest 1-D dispatches: the direct product's 4 x 4 blocks of a
    // widest x widest weight gradient (64 per workgroup), the elementwise
    // kernels over rows x widest (at most one per 64), Adam (capped), and
    // one workgroup row per replica.
    let dispatches = [
        (widest * widest).div_ceil(16).div_ceil(64),
        (rows * widest).div_ceil(64),
        crate::gpu::ops::adam_groups(parameters) as usize,
        replicas,
    ];
    Requirements {
        storage_buffer_bytes: largest,
        workgroups_per_dimension: dispatches.into_iter().max().unwrap_or(1) as u32,
    }
}

impl GpuTrainer {
    pub(super) fn allocate(
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
        let flat = initial_params(experiment, shape, layout, replicas);
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
        let term_width = if model.objective == Objective::Vae {
            out_width
        } else {
            1
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
            ema: (experiment.ema > 0.0).then(|| ctx.storage_with("averaged params", &flat)),
            live: (experiment.ema > 0.0)
                .then(|| floats("live params during a report", layout.total)),
            schedule: ctx.storage("schedule", 4 * schedule::words(m) as u64),
            metrics: floats("metrics", SLOTS),
            kl_dims: floats("kl per dimension", shape.latent),
            batch_stats: floats("batch statistics", STATS),
            mask: shape
                .features
                .map(|_| ctx.storage_with("parameter mask", &layout.mask(shape))),
            geco_state: ctx.storage_with("adaptive beta state", &initial_geco(replicas)),
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
}
