//! The rest of a training step: reductions, Adam, the minibatch, the schedule cursor and the adaptive beta.

use super::{Place, groups, u32_of};
use crate::gpu::GpuContext;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::Plan;

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
/// `mask` is 0, and the moving average `ema` of the weights when given
/// (`unused` takes its binding otherwise). CPU twin:
/// `cpu::adam::Adam::update` (with masked gradients), `cpu::ema::update`.
#[allow(clippy::too_many_arguments)]
pub fn adam(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    state: [&wgpu::Buffer; 4],
    schedule: &wgpu::Buffer,
    mask: Option<&wgpu::Buffer>,
    ema: Option<&wgpu::Buffer>,
    unused: &wgpu::Buffer,
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
        &[
            ("MASKED", mask.is_some() as u32 as f64),
            ("EMA", ema.is_some() as u32 as f64),
        ],
        &[
            p,
            g,
            m,
            v,
            schedule,
            mask.unwrap_or(schedule),
            ema.unwrap_or(unused),
        ],
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
