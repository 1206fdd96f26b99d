//! The training state on the device as a checkpoint: read back, written
//! back (after a divergence), and converted from and to the CPU's form (a
//! run moving to the CPU, a run resumed from a file).

use super::{GECO_WORDS, GpuTrainer};
use crate::error::Error;
use crate::gpu::GpuError;
use crate::gpu::layout::ParamLayout;
use crate::model::Params;

impl GpuCheckpoint {
    /// Step of the checkpoint.
    pub fn step(&self) -> u32 {
        self.step
    }

    /// The same state as the CPU holds it, one checkpoint per replica (a
    /// run moving to the CPU when the device is lost). The adaptive beta
    /// keeps its value and average; its last constraint is not kept.
    pub fn to_cpu(&self) -> Vec<crate::state::TrainState> {
        let total = self.layout.total;
        let floats = |bytes: &[u8], r: usize| -> Params<f32> {
            let all: &[f32] = bytemuck::cast_slice(bytes);
            self.layout.unflatten(&all[r * total..(r + 1) * total])
        };
        let geco: &[f32] = bytemuck::cast_slice(&self.geco);
        (0..self.replicas)
            .map(|r| {
                let g = &geco[r * GECO_WORDS..];
                let state = crate::geco::Geco {
                    beta: g[0],
                    average: (g[2] != 0.0).then_some(g[1]),
                };
                crate::state::TrainState::from_parts(
                    floats(&self.params, r),
                    [floats(&self.adam_m, r), floats(&self.adam_v, r)],
                    self.ema.as_ref().map(|e| floats(e, r)),
                    self.step,
                    state,
                )
            })
            .collect()
    }
}

impl GpuTrainer {
    /// The device form of states the CPU holds (a run resumed from a file,
    /// one state per replica). The batch statistics start at zero: an
    /// adaptive beta takes the saved value and average, and its first
    /// step's constraint again from there.
    pub fn checkpoint_from_cpu(
        &self,
        states: &[crate::state::TrainState],
    ) -> Result<GpuCheckpoint, Error> {
        if states.len() != self.m() {
            return Err(Error::internal(format!(
                "a state of {} replicas cannot restore {}",
                states.len(),
                self.m()
            )));
        }
        let flat = |part: &dyn Fn(&crate::state::TrainState) -> &Params<f32>| {
            let mut out = Vec::with_capacity(self.layout.total * states.len());
            for state in states {
                self.layout.flatten_into(part(state), &mut out);
            }
            bytemuck::cast_slice::<f32, u8>(&out).to_vec()
        };
        let geco: Vec<f32> = states
            .iter()
            .flat_map(|s| {
                let average = s.geco.average;
                [
                    s.geco.beta,
                    average.unwrap_or(0.0),
                    f32::from(average.is_some() as u8),
                    0.0,
                ]
            })
            .collect();
        Ok(GpuCheckpoint {
            params: flat(&|s| &s.params),
            adam_m: flat(&|s| &s.adam.m),
            adam_v: flat(&|s| &s.adam.v),
            ema: match states.iter().all(|s| s.ema.is_some()) {
                true => Some(flat(&|s| s.ema.as_ref().expect("checked"))),
                false => None,
            },
            geco: bytemuck::cast_slice(&geco).to_vec(),
            batch_stats: vec![0u8; self.buffers.batch_stats.size() as usize],
            step: states.first().map_or(0, |s| s.step),
            layout: self.layout.clone(),
            replicas: self.m(),
        })
    }
}

/// The device state at one step (parameters, Adam moments, the averaged
/// weights, adaptive beta and the batch statistics it reads next), to go
/// back to after a divergence or to move to the CPU.
pub struct GpuCheckpoint {
    params: Vec<u8>,
    adam_m: Vec<u8>,
    adam_v: Vec<u8>,
    ema: Option<Vec<u8>>,
    geco: Vec<u8>,
    batch_stats: Vec<u8>,
    step: u32,
    layout: ParamLayout,
    replicas: usize,
}

impl GpuTrainer {
    /// Reads the training state back (four copies: keep it for reports).
    pub async fn checkpoint(&self) -> Result<GpuCheckpoint, GpuError> {
        use crate::gpu::readback::read_bytes;
        let (b, ctx) = (&self.buffers, &self.ctx);
        Ok(GpuCheckpoint {
            params: read_bytes(ctx, &b.params, 0, b.params.size()).await?,
            adam_m: read_bytes(ctx, &b.adam_m, 0, b.adam_m.size()).await?,
            adam_v: read_bytes(ctx, &b.adam_v, 0, b.adam_v.size()).await?,
            ema: match &b.ema {
                Some(ema) => Some(read_bytes(ctx, ema, 0, ema.size()).await?),
                None => None,
            },
            geco: read_bytes(ctx, &b.geco_state, 0, b.geco_state.size()).await?,
            batch_stats: read_bytes(ctx, &b.batch_stats, 0, b.batch_stats.size()).await?,
            step: self.step,
            layout: self.layout.clone(),
            replicas: self.m(),
        })
    }

    /// Goes back to a checkpoint; training continues from its step exactly
    /// as it did the first time.
    pub fn restore(&mut self, checkpoint: &GpuCheckpoint) {
        let b = &self.buffers;
        let queue = &self.ctx.queue;
        queue.write_buffer(&b.params, 0, &checkpoint.params);
        queue.write_buffer(&b.adam_m, 0, &checkpoint.adam_m);
        queue.write_buffer(&b.adam_v, 0, &checkpoint.adam_v);
        if let (Some(ema), Some(saved)) = (&b.ema, &checkpoint.ema) {
            queue.write_buffer(ema, 0, saved);
        }
        queue.write_buffer(&b.geco_state, 0, &checkpoint.geco);
        queue.write_buffer(&b.batch_stats, 0, &checkpoint.batch_stats);
        self.step = checkpoint.step;
        self.steps_since_report = 0;
    }

    /// Sets every replica's parameters (and their average) to `params`,
    /// zeroes Adam's moments and continues counting from `step` (a reloaded
    /// page resuming its run).
    pub fn load_params(&mut self, params: &Params<f32>, step: u32) {
        let mut flat = Vec::with_capacity(self.layout.total * self.replicas.len());
        for _ in &self.replicas {
            self.layout.flatten_into(params, &mut flat);
        }
        let zeros = vec![0u8; 4 * flat.len()];
        let b = &self.buffers;
        self.ctx
            .queue
            .write_buffer(&b.params, 0, bytemuck::cast_slice(&flat));
        self.ctx.queue.write_buffer(&b.adam_m, 0, &zeros);
        self.ctx.queue.write_buffer(&b.adam_v, 0, &zeros);
        if let Some(ema) = &b.ema {
            self.ctx
                .queue
                .write_buffer(ema, 0, bytemuck::cast_slice(&flat));
        }
        self.step = step;
        self.steps_since_report = 0;
    }
}
