//! The Rust side of each kernel: checks shapes, fills the kernel's params
//! struct and appends the dispatch to a plan. Every op has a CPU twin (named
//! on each function) and a parity test in `tests/gpu_parity.rs`.

use super::GpuContext;
use super::kernels::Kernel;
use super::params::*;
use super::plan::{Plan, groups};
use crate::config::Activation;
use crate::data::Likelihood;

/// Element offset of replica 0 and the distance between replicas.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub offset: usize,
    pub stride: usize,
}

impl<'a> Place<'a> {
    pub fn new(buffer: &'a wgpu::Buffer, offset: usize, stride: usize) -> Self {
        Place {
            buffer,
            offset,
            stride,
        }
    }
}

/// The WGSL code of an activation (`math.wgsl`).
pub fn activation_code(activation: Activation) -> u32 {
    match activation {
        Activation::Tanh => 1,
        Activation::Relu => 2,
        Activation::Gelu => 3,
        Activation::Sigmoid => 4,
        Activation::Linear => 5,
    }
}

fn u32_of(value: usize, what: &str) -> u32 {
    u32::try_from(value)
        .unwrap_or_else(|_| panic!("{what} = {value} does not fit the kernels' u32 indices"))
}

/// Matrix product dimensions: op(A) is (m, k), op(B) is (k, n).
#[derive(Clone, Copy, Debug)]
pub struct MatmulShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
}

/// C = op(A) op(B) (+ bias from `b`'s buffer at `bias`), and when `act` is
/// given, its activation into `post` (same offsets as C). CPU twin:
/// `cpu::layers::affine` and ndarray's `dot`.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    shape: MatmulShape,
    a: Place,
    b: Place,
    bias: Option<(usize, usize)>,
    c: Place,
    post: Option<(&wgpu::Buffer, Activation)>,
    dummy: &wgpu::Buffer,
    replicas: usize,
) {
    assert!(
        shape.m > 0 && shape.n > 0 && shape.k > 0,
        "{label}: empty matmul {shape:?}"
    );
    let (bias_offset, bias_stride) = bias.unwrap_or((0, 0));
    let params = MatmulParams {
        m: u32_of(shape.m, "m"),
        n: u32_of(shape.n, "n"),
        k: u32_of(shape.k, "k"),
        a_offset: u32_of(a.offset, "a offset"),
        a_stride: u32_of(a.stride, "a stride"),
        b_offset: u32_of(b.offset, "b offset"),
        b_stride: u32_of(b.stride, "b stride"),
        c_offset: u32_of(c.offset, "c offset"),
        c_stride: u32_of(c.stride, "c stride"),
        bias_offset: u32_of(bias_offset, "bias offset"),
        bias_stride: u32_of(bias_stride, "bias stride"),
        _pad: 0,
    };
    let act = post.map(|(_, a)| activation_code(a)).unwrap_or(0);
    let constants = [
        ("TRANS_A", shape.trans_a as u32 as f64),
        ("TRANS_B", shape.trans_b as u32 as f64),
        ("HAS_BIAS", bias.is_some() as u32 as f64),
        ("ACT", act as f64),
    ];
    let post_buffer = post.map(|(buffer, _)| buffer).unwrap_or(dummy);
    plan.dispatch(
        ctx,
        label,
        Kernel::Matmul,
        &constants,
        &[a.buffer, b.buffer, c.buffer, post_buffer],
        Some(&params),
        [groups(shape.n, 64), groups(shape.m, 64), replicas as u32],
    );
}

/// delta *= f'(pre, post) over `count` elements per replica. CPU twin: the
/// activation step of `cpu::layers::backward`.
#[allow(clippy::too_many_arguments)]
pub fn act_backward(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    activation: Activation,
    delta: &wgpu::Buffer,
    pre: &wgpu::Buffer,
    post: &wgpu::Buffer,
    count: usize,
    stride: usize,
    replicas: usize,
) {
    let params = ElementwiseParams {
        count: u32_of(count, "count"),
        stride: u32_of(stride, "stride"),
        ..Default::default()
    };
    let constants = [("ACT", activation_code(activation) as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::ActBackward,
        &constants,
        &[delta, pre, post],
        Some(&params),
        [groups(count, 256), replicas as u32, 1],
    );
}

/// Column sums of a (rows, cols) delta into the bias gradient at
/// `grad.offset`. CPU twin: `delta.sum_axis(Axis(0))`.
#[allow(clippy::too_many_arguments)]
pub fn bias_grad(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    delta: Place,
    rows: usize,
    cols: usize,
    grad: Place,
    replicas: usize,
) {
    column_sums(plan, ctx, label, delta, rows, cols, grad, false, replicas);
}

/// Column sums of a (rows, cols) matrix, stored into or (`accumulate`)
/// added to `out` (the per-dimension KL summed over evaluation chunks).
/// CPU twin: `sum_axis(Axis(0))`.
#[allow(clippy::too_many_arguments)]
pub fn column_sums(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    values: Place,
    rows: usize,
    cols: usize,
    out: Place,
    accumulate: bool,
    replicas: usize,
) {
    let params = BiasGradParams {
        rows: u32_of(rows, "rows"),
        cols: u32_of(cols, "cols"),
        delta_stride: u32_of(values.stride, "values stride"),
        bias_offset: u32_of(out.offset, "out offset"),
        grad_stride: u32_of(out.stride, "out stride"),
        ..Default::default()
    };
    let constants = [("ACCUMULATE", accumulate as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::BiasGrad,
        &constants,
        &[values.buffer, out.buffer],
        Some(&params),
        [groups(cols, 256), replicas as u32, 1],
    );
}

/// Geometry of the latent tensors.
#[derive(Clone, Copy, Debug)]
pub struct Latent {
    pub rows: usize,
    pub latent: usize,
    /// Elements between replicas of the encoder output (rows capacity x 2K).
    pub enc_stride: usize,
    /// Elements between replicas of z, sigma, eps, kl (rows capacity x K).
    pub latent_stride: usize,
}

impl Latent {
    fn params(&self, row_offset: usize, sample: usize) -> ReparamParams {
        ReparamParams {
            rows: u32_of(self.rows, "rows"),
            latent: u32_of(self.latent, "latent"),
            enc_stride: u32_of(self.enc_stride, "enc stride"),
            latent_stride: u32_of(self.latent_stride, "latent stride"),
            row_offset: u32_of(row_offset, "row offset"),
            sample: u32_of(sample, "sample"),
            ..Default::default()
        }
    }
}

/// The latent buffers of one model.
pub struct LatentBuffers<'a> {
    pub enc: &'a wgpu::Buffer,
    pub z: &'a wgpu::Buffer,
    pub sigma: &'a wgpu::Buffer,
    pub eps: &'a wgpu::Buffer,
    pub kl: &'a wgpu::Buffer,
}

/// sigma, z and the KL terms; `eval` = Some((row_offset, sample)) draws the
/// evaluation noise. CPU twin: `cpu::objective::{encode, reparameterize,
/// kl_per_example}` with `CpuTrainer::step_noise` / `cpu::eval` noise.
#[allow(clippy::too_many_arguments)]
pub fn reparameterize(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    geometry: Latent,
    buffers: &LatentBuffers,
    schedule: &wgpu::Buffer,
    eval: Option<(usize, usize)>,
    replicas: usize,
) {
    let (row_offset, sample) = eval.unwrap_or((0, 0));
    let params = geometry.params(row_offset, sample);
    let constants = [("EVAL", eval.is_some() as u32 as f64)];
    let b = buffers;
    plan.dispatch(
        ctx,
        label,
        Kernel::Reparameterize,
        &constants,
        &[b.enc, b.z, b.sigma, b.eps, b.kl, schedule],
        Some(&params),
        [
            groups(geometry.rows * geometry.latent, 256),
            replicas as u32,
            1,
        ],
    );
}

/// The encoder-output gradient from dz and the KL; `squared` (sqib) takes
/// the batch mean KL from `stats`. CPU twin: the middle of
/// `cpu::objective::loss_and_grads`.
#[allow(clippy::too_many_arguments)]
pub fn reparam_backward(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    geometry: Latent,
    dz: &wgpu::Buffer,
    buffers: &LatentBuffers,
    d_enc: &wgpu::Buffer,
    schedule: &wgpu::Buffer,
    stats: &wgpu::Buffer,
    squared: bool,
    replicas: usize,
) {
    let params = geometry.params(0, 0);
    plan.dispatch(
        ctx,
        label,
        Kernel::ReparamBackward,
        &[("SQUARED", squared as u32 as f64)],
        &[
            dz,
            buffers.eps,
            buffers.sigma,
            buffers.enc,
            d_enc,
            schedule,
            stats,
        ],
        Some(&params),
        [
            groups(geometry.rows * geometry.latent, 256),
            replicas as u32,
            1,
        ],
    );
}

/// Geometry of a head (loss) dispatch: `rows` x `width` outputs.
#[derive(Clone, Copy, Debug)]
pub struct Head {
    pub rows: usize,
    pub width: usize,
    pub out_stride: usize,
    pub label_stride: usize,
    pub term_stride: usize,
    /// The training batch size (the gradient's divisor).
    pub batch: usize,
}

impl Head {
    fn params(&self, first: bool) -> HeadParams {
        HeadParams {
            rows: u32_of(self.rows, "rows"),
            width: u32_of(self.width, "width"),
            out_stride: u32_of(self.out_stride, "out stride"),
            label_stride: u32_of(self.label_stride, "label stride"),
            term_stride: u32_of(self.term_stride, "term stride"),
            first: first as u32,
            inv_batch: 1.0 / self.batch as f32,
            _pad: 0,
        }
    }
}

/// Softmax cross-entropy terms and gradient (training), or accumulated
/// terms and softmax (`eval` = Some(first sample?)). CPU twin:
/// `cpu::objective::data_term` for `vib`, and `cpu::eval::evaluate`.
#[allow(clippy::too_many_arguments)]
pub fn softmax_ce(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    logits: &wgpu::Buffer,
    labels: &wgpu::Buffer,
    terms: &wgpu::Buffer,
    out: &wgpu::Buffer,
    eval: Option<bool>,
    replicas: usize,
) {
    let params = head.params(eval.unwrap_or(true));
    let constants = [("EVAL", eval.is_some() as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::SoftmaxCe,
        &constants,
        &[logits, labels, terms, out],
        Some(&params),
        [groups(head.rows, 64), replicas as u32, 1],
    );
}

/// Reconstruction terms and gradient of the `vae` objective. CPU twin:
/// `cpu::objective::data_term` for `vae`.
#[allow(clippy::too_many_arguments)]
pub fn reconstruction(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    likelihood: Likelihood,
    out: &wgpu::Buffer,
    inputs: &wgpu::Buffer,
    terms: &wgpu::Buffer,
    grad: &wgpu::Buffer,
    eval: Option<bool>,
    replicas: usize,
) {
    let params = head.params(eval.unwrap_or(true));
    let code = match likelihood {
        Likelihood::Bernoulli => 0.0,
        Likelihood::Gaussian => 1.0,
    };
    let constants = [("LIKELIHOOD", code), ("EVAL", eval.is_some() as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::Reconstruction,
        &constants,
        &[out, inputs, terms, grad],
        Some(&params),
        [groups(head.rows * head.width, 256), replicas as u32, 1],
    );
}

/// 1/0 per row: argmax of the summed softmax equals the label. CPU twin:
/// `cpu::eval::argmax`.
#[allow(clippy::too_many_arguments)]
pub fn accuracy(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    probs: &wgpu::Buffer,
    labels: &wgpu::Buffer,
    correct: &wgpu::Buffer,
    replicas: usize,
) {
    let params = head.params(false);
    plan.dispatch(
        ctx,
        label,
        Kernel::Accuracy,
        &[],
        &[probs, labels, correct],
        Some(&params),
        [groups(head.rows, 64), replicas as u32, 1],
    );
}

/// Where a reduction lands.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    pub slot: usize,
    pub slots: usize,
    pub scale: f32,
    /// Multiply by the replica's beta of the current step.
    pub use_beta: bool,
    /// Add to the slot instead of overwriting it.
    pub accumulate: bool,
    /// Square the sum before scaling (sqib's KL^2).
    pub square: bool,
}

impl Slot {
    /// Adds `scale * sum` to `slot` of `slots`.
    pub fn add(slot: usize, slots: usize, scale: f32) -> Slot {
        Slot {
            slot,
            slots,
            scale,
            use_beta: false,
            accumulate: true,
            square: false,
        }
    }

    /// Stores `scale * sum` in `slot` of `slots`.
    pub fn store(slot: usize, slots: usize, scale: f32) -> Slot {
        Slot {
            accumulate: false,
            ..Slot::add(slot, slots, scale)
        }
    }
}

/// Sum of `count` values per replica into a metric slot. CPU twin: a sum.
#[allow(clippy::too_many_arguments)]
pub fn reduce(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    values: Place,
    count: usize,
    metrics: &wgpu::Buffer,
    slot: Slot,
    schedule: &wgpu::Buffer,
    replicas: usize,
) {
    let params = ReduceParams {
        count: u32_of(count, "count"),
        stride: u32_of(values.stride, "stride"),
        offset: u32_of(values.offset, "offset"),
        slot: u32_of(slot.slot, "slot"),
        slots: u32_of(slot.slots, "slots"),
        scale: slot.scale,
        ..Default::default()
    };
    let constants = [
        ("USE_BETA", slot.use_beta as u32 as f64),
        ("ACCUMULATE", slot.accumulate as u32 as f64),
        ("SQUARE", slot.square as u32 as f64),
    ];
    plan.dispatch(
        ctx,
        label,
        Kernel::Reduce,
        &constants,
        &[values.buffer, metrics, schedule],
        Some(&params),
        [1, replicas as u32, 1],
    );
}

/// Adam over all `count` parameters of every replica, skipping those whose
/// `mask` is 0. CPU twin: `cpu::adam::Adam::update` (with masked gradients).
#[allow(clippy::too_many_arguments)]
pub fn adam(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    state: [&wgpu::Buffer; 4],
    schedule: &wgpu::Buffer,
    mask: Option<&wgpu::Buffer>,
    count: usize,
    beta1: f64,
    beta2: f64,
    replicas: usize,
) {
    let params = AdamParams {
        count: u32_of(count, "parameters"),
        beta1: beta1 as f32,
        beta2: beta2 as f32,
        epsilon: crate::cpu::adam::ADAM_EPSILON as f32,
    };
    let [p, g, m, v] = state;
    // Without a mask the (unread) mask binding takes the schedule.
    plan.dispatch(
        ctx,
        label,
        Kernel::Adam,
        &[("MASKED", mask.is_some() as u32 as f64)],
        &[p, g, m, v, schedule, mask.unwrap_or(schedule)],
        Some(&params),
        [groups(count, 256), replicas as u32, 1],
    );
}

/// The training minibatch. CPU twin: `CpuTrainer::batch_indices`.
#[allow(clippy::too_many_arguments)]
pub fn gather(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    data: [&wgpu::Buffer; 2],
    batch: [Place; 2],
    n: usize,
    features: usize,
    batch_size: usize,
    schedule: &wgpu::Buffer,
    replicas: usize,
) {
    let params = GatherParams {
        n: u32_of(n, "n"),
        features: u32_of(features, "features"),
        batch: u32_of(batch_size, "batch"),
        x_stride: u32_of(batch[0].stride, "x stride"),
        y_stride: u32_of(batch[1].stride, "y stride"),
        ..Default::default()
    };
    plan.dispatch(
        ctx,
        label,
        Kernel::Gather,
        &[],
        &[data[0], data[1], batch[0].buffer, batch[1].buffer, schedule],
        Some(&params),
        [groups(batch_size, 64), replicas as u32, 1],
    );
}

/// Moves the schedule cursor to the next step.
pub fn advance(plan: &mut Plan, ctx: &GpuContext, schedule: &wgpu::Buffer) {
    plan.dispatch::<AdamParams>(
        ctx,
        "advance",
        Kernel::Advance,
        &[],
        &[schedule],
        None,
        [1, 1, 1],
    );
}

/// Rows of a layer for the information plane: `n` rows of `width` values,
/// `row_stride` apart, replica r's starting at r * `replica_stride`.
#[derive(Clone, Copy, Debug)]
pub struct PlaneRows<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub n: usize,
    pub width: usize,
    pub row_stride: usize,
    pub replica_stride: usize,
}

/// The binning range of a layer into `bounds` (2 per replica). CPU twin:
/// `info::plane::Range::resolve`.
pub fn value_range(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    rows: PlaneRows,
    range: crate::info::plane::Range,
    bounds: &wgpu::Buffer,
    replicas: usize,
) {
    use crate::info::plane::Range;
    let (mode, lo, hi) = match range {
        Range::Observed => (0.0, 0.0, 0.0),
        Range::ZeroToMax => (1.0, 0.0, 0.0),
        Range::Fixed(lo, hi) => (2.0, lo, hi),
    };
    let params = RangeParams {
        n: u32_of(rows.n, "rows"),
        width: u32_of(rows.width, "width"),
        row_stride: u32_of(rows.row_stride, "row stride"),
        values_stride: u32_of(rows.replica_stride, "replica stride"),
        bounds_offset: 0,
        fixed_lo: lo,
        fixed_hi: hi,
        _pad: 0,
    };
    plan.dispatch(
        ctx,
        label,
        Kernel::ValueRange,
        &[("MODE", mode)],
        &[rows.buffer, bounds],
        Some(&params),
        [1, replicas as u32, 1],
    );
}

/// Which k(i, j) the pairwise reduction sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PairwiseKernel {
    /// Same bins in every unit (the bounds come from `value_range`).
    Binning,
    /// Gaussian kernel with noise variance s^2.
    Kde { noise_variance: f64 },
    /// exp(-KL) between the rows' Gaussians (rows hold [mu | rho]).
    PairwiseKl,
}

/// Per pattern, log means of k(i, j) over all j and over same-label j,
/// into `out` ((n, 2) per replica). CPU twin: `info::plane::pairwise_log_means`.
#[allow(clippy::too_many_arguments)]
pub fn pairwise(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    rows: PlaneRows,
    labels: &wgpu::Buffer,
    kernel: PairwiseKernel,
    bounds: &wgpu::Buffer,
    out: &wgpu::Buffer,
    replicas: usize,
) {
    let (mode, scale) = match kernel {
        PairwiseKernel::Binning => (0.0, 0.0),
        PairwiseKernel::Kde { noise_variance } => (1.0, (1.0 / (2.0 * noise_variance)) as f32),
        PairwiseKernel::PairwiseKl => (2.0, 0.0),
    };
    let params = PairwiseParams {
        n: u32_of(rows.n, "rows"),
        width: u32_of(rows.width, "width"),
        row_stride: u32_of(rows.row_stride, "row stride"),
        values_offset: 0,
        values_stride: u32_of(rows.replica_stride, "replica stride"),
        out_stride: u32_of(2 * rows.n, "out stride"),
        scale,
        _pad: 0,
    };
    plan.dispatch(
        ctx,
        label,
        Kernel::Pairwise,
        &[("MODE", mode)],
        &[rows.buffer, labels, bounds, out],
        Some(&params),
        [groups(rows.n, 64), replicas as u32, 1],
    );
}

/// The adaptive beta's step (beta_mode=target): from the previous step's
/// batch statistics in `stats` into `state` and this step's schedule row.
/// CPU twin: `geco::Geco::update`.
#[allow(clippy::too_many_arguments)]
pub fn geco(
    plan: &mut Plan,
    ctx: &GpuContext,
    target: crate::geco::Target,
    lr: f64,
    stats: &wgpu::Buffer,
    state: &wgpu::Buffer,
    schedule: &wgpu::Buffer,
    replicas: usize,
) {
    use crate::geco::{ACCURACY_SCALE, BETA_FLOOR, DECAY, Target};
    let (mode, value) = match target {
        Target::Rate(bits) => (0.0, bits),
        Target::Accuracy(fraction) => (1.0, fraction),
    };
    let params = GecoParams {
        replicas: u32_of(replicas, "replicas"),
        goal: value as f32,
        lr: lr as f32,
        decay: DECAY as f32,
        beta_floor: BETA_FLOOR as f32,
        beta_max: crate::config::MAX_BETA as f32,
        accuracy_scale: ACCURACY_SCALE as f32,
        _pad: 0,
    };
    plan.dispatch(
        ctx,
        "adaptive beta",
        Kernel::Geco,
        &[("MODE", mode)],
        &[stats, state, schedule],
        Some(&params),
        [groups(replicas, 64), 1, 1],
    );
}
