//! The rest of a training step: reductions, Adam, the minibatch, the schedule cursor and the adaptive beta.

use super::{Place, groups, u32_of};
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

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

/// The buffers Adam reads and writes, every replica's parameters flat.
pub struct AdamBuffers<'a> {
    pub params: &'a wgpu::Buffer,
    pub grads: &'a wgpu::Buffer,
    pub m: &'a wgpu::Buffer,
    pub v: &'a wgpu::Buffer,
    /// 1 for every parameter that exists, 0 where Adam must leave it at 0.
    pub mask: Option<&'a wgpu::Buffer>,
    /// The moving average of the weights, updated in the same pass.
    pub ema: Option<&'a wgpu::Buffer>,
}

/// The minibatch's source and destination: the split's x and y, and where
/// the batch's rows and labels land.
pub struct Gather<'a> {
    pub data: [&'a wgpu::Buffer; 2],
    pub batch: [Place<'a>; 2],
    /// Training examples and features per example.
    pub n: usize,
    pub features: usize,
    pub batch_size: usize,
}

impl PlanBuilder<'_> {
    /// Sum of `count` values per replica into a metric slot. CPU twin: a sum.
    pub fn reduce(
        &mut self,
        label: &str,
        values: Place,
        count: usize,
        metrics: &wgpu::Buffer,
        slot: Slot,
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
        let schedule = self.schedule;
        let workgroups = [1, self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::Reduce,
            &constants,
            &[values.buffer, metrics, schedule],
            Some(&params),
            workgroups,
        );
    }

    /// Adam over all `count` parameters of every replica, skipping those
    /// whose mask is 0, and the moving average of the weights when there is
    /// one. CPU twin: `cpu::adam::Adam::update` (with masked gradients),
    /// `cpu::ema::update`.
    pub fn adam(&mut self, label: &str, state: &AdamBuffers, count: usize, decays: (f64, f64)) {
        let params = AdamParams {
            count: u32_of(count, "parameters"),
            beta1: decays.0 as f32,
            beta2: decays.1 as f32,
            epsilon: crate::state::ADAM_EPSILON as f32,
        };
        let (schedule, unused) = (self.schedule, self.unused);
        let constants = [
            ("MASKED", state.mask.is_some() as u32 as f64),
            ("EMA", state.ema.is_some() as u32 as f64),
        ];
        // Without a mask the (unread) mask binding takes the schedule.
        let buffers = [
            state.params,
            state.grads,
            state.m,
            state.v,
            schedule,
            state.mask.unwrap_or(schedule),
            state.ema.unwrap_or(unused),
        ];
        let along = adam_groups(count).min(self.max_workgroups_x.max(1));
        let workgroups = [along, self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::Adam,
            &constants,
            &buffers,
            Some(&params),
            workgroups,
        );
    }

    /// The training minibatch. CPU twin: `CpuTrainer::batch_indices`.
    pub fn gather(&mut self, label: &str, g: &Gather) {
        let params = GatherParams {
            n: u32_of(g.n, "n"),
            features: u32_of(g.features, "features"),
            batch: u32_of(g.batch_size, "batch"),
            x_stride: u32_of(g.batch[0].stride, "x stride"),
            y_stride: u32_of(g.batch[1].stride, "y stride"),
            ..Default::default()
        };
        let buffers = [
            g.data[0],
            g.data[1],
            g.batch[0].buffer,
            g.batch[1].buffer,
            self.schedule,
        ];
        let workgroups = [groups(g.batch_size, 64), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::Gather,
            &[],
            &buffers,
            Some(&params),
            workgroups,
        );
    }

    /// Moves the schedule cursor to the next step.
    pub fn advance(&mut self) {
        let schedule = self.schedule;
        self.dispatch::<AdamParams>(
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
    pub fn geco(
        &mut self,
        target: crate::geco::Target,
        lr: f64,
        stats: &wgpu::Buffer,
        state: &wgpu::Buffer,
    ) {
        use crate::geco::{ACCURACY_SCALE, BETA_FLOOR, DECAY, Target};
        let (mode, value) = match target {
            Target::Rate(bits) => (0.0, bits),
            Target::Accuracy(fraction) => (1.0, fraction),
        };
        let params = GecoParams {
            replicas: u32_of(self.replicas, "replicas"),
            goal: value as f32,
            lr: lr as f32,
            decay: DECAY as f32,
            beta_floor: BETA_FLOOR as f32,
            beta_max: crate::config::MAX_BETA as f32,
            accuracy_scale: ACCURACY_SCALE as f32,
            _pad: 0,
        };
        let schedule = self.schedule;
        let workgroups = [groups(self.replicas, 64), 1, 1];
        self.dispatch(
            "adaptive beta",
            Kernel::Geco,
            &[("MODE", mode)],
            &[stats, state, schedule],
            Some(&params),
            workgroups,
        );
    }
}

/// Workgroups along x of the Adam update of `count` parameters per
/// replica: one per 256, at most the 65535 every adapter allows (each
/// invocation then walks several parameters).
pub fn adam_groups(count: usize) -> u32 {
    groups(count, 256).min(MAX_WORKGROUPS_X)
}

/// Workgroups along one dimension that every WebGPU adapter allows.
pub const MAX_WORKGROUPS_X: u32 = 65535;
