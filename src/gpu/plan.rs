//! A recorded sequence of device work, built once per experiment: dispatches
//! (pipeline, bind group, workgroup counts) and buffer copies. Recording a
//! plan into an encoder does no allocation on the device.
//!
//! A `PlanBuilder` holds what every op of a plan shares (the device, the
//! replica count, the schedule buffer, and the buffer that takes the
//! bindings an op leaves unused), so that a call reads like the model:
//! `b.reduce("train kl", kl, rows * k, &metrics, slot)`. The ops themselves
//! are its methods, one file per kernel family in `ops/`.

use super::GpuContext;
use super::context::CachedPipeline;
use super::kernels::Kernel;
use std::rc::Rc;

/// One piece of device work.
pub enum Command {
    Dispatch {
        pipeline: Rc<CachedPipeline>,
        bind_group: wgpu::BindGroup,
        workgroups: [u32; 3],
    },
    Copy {
        source: wgpu::Buffer,
        source_offset: u64,
        target: wgpu::Buffer,
        target_offset: u64,
        bytes: u64,
    },
}

/// Commands in order.
#[derive(Default)]
pub struct Plan {
    pub commands: Vec<Command>,
}

impl Plan {
    /// Number of dispatches.
    pub fn dispatches(&self) -> usize {
        self.commands
            .iter()
            .filter(|c| matches!(c, Command::Dispatch { .. }))
            .count()
    }

    /// The most workgroups any dispatch asks for along one dimension, for a
    /// check against `max_compute_workgroups_per_dimension` before a plan
    /// that wgpu would refuse is submitted.
    pub fn largest_dispatch(&self) -> u32 {
        self.commands
            .iter()
            .filter_map(|c| match c {
                Command::Dispatch { workgroups, .. } => workgroups.iter().max().copied(),
                Command::Copy { .. } => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Records the plan: consecutive dispatches share one compute pass.
    pub fn record(&self, encoder: &mut wgpu::CommandEncoder, label: &str) {
        let mut index = 0;
        while index < self.commands.len() {
            if let Command::Copy {
                source,
                source_offset,
                target,
                target_offset,
                bytes,
            } = &self.commands[index]
            {
                encoder.copy_buffer_to_buffer(
                    source,
                    *source_offset,
                    target,
                    *target_offset,
                    *bytes,
                );
                index += 1;
                continue;
            }
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(label),
                timestamp_writes: None,
            });
            while let Some(Command::Dispatch {
                pipeline,
                bind_group,
                workgroups,
            }) = self.commands.get(index)
            {
                pass.set_pipeline(&pipeline.pipeline);
                pass.set_bind_group(0, bind_group, &[]);
                pass.dispatch_workgroups(workgroups[0], workgroups[1], workgroups[2]);
                index += 1;
            }
        }
    }
}

/// Builds one plan for `replicas` models on `ctx`.
pub struct PlanBuilder<'a> {
    pub ctx: &'a GpuContext,
    /// Models in every dispatch (a sweep's replicas).
    pub replicas: usize,
    /// The per-step schedule (seeds, beta, learning rate, the step cursor).
    pub schedule: &'a wgpu::Buffer,
    /// Takes the bindings an op does not use (4 bytes, never read).
    pub unused: &'a wgpu::Buffer,
    /// Most workgroups a strided kernel (Adam) dispatches along x: every
    /// adapter's 65535, lowered by tests to make each invocation stride.
    pub max_workgroups_x: u32,
    plan: Plan,
}

impl<'a> PlanBuilder<'a> {
    pub fn new(
        ctx: &'a GpuContext,
        replicas: usize,
        schedule: &'a wgpu::Buffer,
        unused: &'a wgpu::Buffer,
    ) -> Self {
        PlanBuilder {
            ctx,
            replicas,
            schedule,
            unused,
            max_workgroups_x: crate::gpu::ops::MAX_WORKGROUPS_X,
            plan: Plan::default(),
        }
    }

    /// The plan built so far.
    pub fn finish(self) -> Plan {
        self.plan
    }

    /// Appends a dispatch of `kernel` (with `constants`) over `buffers`,
    /// with the uniform `params` bound last when given.
    pub fn dispatch<P: bytemuck::Pod>(
        &mut self,
        label: &str,
        kernel: Kernel,
        constants: &[(&str, f64)],
        buffers: &[&wgpu::Buffer],
        params: Option<&P>,
        workgroups: [u32; 3],
    ) {
        let ctx = self.ctx;
        let pipeline = ctx.pipeline(kernel, constants);
        let uniform = params.map(|p| ctx.uniform(&format!("{label} params"), p));
        let mut all: Vec<&wgpu::Buffer> = buffers.to_vec();
        all.extend(uniform.as_ref());
        let bind_group = ctx.bind(label, &pipeline, &all);
        self.plan.commands.push(Command::Dispatch {
            pipeline,
            bind_group,
            workgroups,
        });
    }

    /// Appends a copy of `bytes` from `source` to `target`.
    pub fn copy(&mut self, source: (&wgpu::Buffer, u64), target: (&wgpu::Buffer, u64), bytes: u64) {
        self.plan.commands.push(Command::Copy {
            source: source.0.clone(),
            source_offset: source.1,
            target: target.0.clone(),
            target_offset: target.1,
            bytes,
        });
    }

    /// Workgroups along y (or z) that hold one replica each.
    pub fn replica_groups(&self) -> u32 {
        self.replicas as u32
    }
}

/// Workgroups to cover `count` items with `size` per workgroup.
pub fn groups(count: usize, size: usize) -> u32 {
    count.div_ceil(size).max(1) as u32
}
