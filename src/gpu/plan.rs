//! A recorded sequence of device work, built once per experiment: dispatches
//! (pipeline, bind group, workgroup counts) and buffer copies. Recording a
//! plan into an encoder does no allocation on the device.

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
    /// Appends a dispatch of `kernel` (with `constants`) over `buffers`, with
    /// the uniform `params` bound last when given.
    #[allow(clippy::too_many_arguments)]
    pub fn dispatch<P: bytemuck::Pod>(
        &mut self,
        ctx: &GpuContext,
        label: &str,
        kernel: Kernel,
        constants: &[(&str, f64)],
        buffers: &[&wgpu::Buffer],
        params: Option<&P>,
        workgroups: [u32; 3],
    ) {
        let pipeline = ctx.pipeline(kernel, constants);
        let uniform = params.map(|p| ctx.uniform(&format!("{label} params"), p));
        let mut all: Vec<&wgpu::Buffer> = buffers.to_vec();
        all.extend(uniform.as_ref());
        let bind_group = ctx.bind(label, &pipeline, &all);
        self.commands.push(Command::Dispatch {
            pipeline,
            bind_group,
            workgroups,
        });
    }

    pub fn copy(
        &mut self,
        source: &wgpu::Buffer,
        source_offset: u64,
        target: &wgpu::Buffer,
        target_offset: u64,
        bytes: u64,
    ) {
        self.commands.push(Command::Copy {
            source: source.clone(),
            source_offset,
            target: target.clone(),
            target_offset,
            bytes,
        });
    }

    /// Number of dispatches.
    pub fn dispatches(&self) -> usize {
        self.commands
            .iter()
            .filter(|c| matches!(c, Command::Dispatch { .. }))
            .count()
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

/// Workgroups to cover `count` items with `size` per workgroup.
pub fn groups(count: usize, size: usize) -> u32 {
    count.div_ceil(size).max(1) as u32
}
