//! The training state both backends read and write, below both of them:
//! parameters, Adam's moments, the averaged weights, the step and the
//! adaptive beta. The CPU trainer keeps one per replica; the GPU reads its
//! buffers back into them (to save a run, or to let the CPU take over when
//! the device is lost). Also the limits both backends must agree on.
//! docs/architecture.md, "The layers".

use crate::geco::Geco;
use crate::model::{Params, Shape};

/// Training examples scored for `train_acc` (the first ones of the split),
/// on either backend.
pub const TRAIN_EVAL_MAX: usize = 2000;

/// The epsilon Adam adds to sqrt(v_hat), on either backend.
pub const ADAM_EPSILON: f64 = 1e-8;

/// Adam's first and second moments (shapes of the parameters) and the
/// update count. The update itself is the CPU's (`cpu::adam`) and the
/// GPU's (`adam.wgsl`), twins under a parity test.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<F> {
    pub m: Params<F>,
    pub v: Params<F>,
    pub t: u32,
}

impl<F: crate::model::Real> Adam<F> {
    /// Zero moments before the first update.
    pub fn new(shape: &Shape) -> Self {
        Adam {
            m: Params::zeros(shape),
            v: Params::zeros(shape),
            t: 0,
        }
    }
}

/// The training state of one replica at one step: enough to go back to
/// after a divergence, to save a run, or to carry it to the other backend.
#[derive(Clone, Debug)]
pub struct TrainState {
    pub(crate) params: Params<f32>,
    pub(crate) adam: Adam<f32>,
    pub(crate) ema: Option<Params<f32>>,
    pub(crate) step: u32,
    pub(crate) geco: Geco,
    pub(crate) last_constraint: Option<f32>,
}

impl TrainState {
    /// A state from another backend's (the GPU's, read back): parameters,
    /// Adam's moments after `step` updates, the averaged weights and the
    /// adaptive beta.
    pub fn from_parts(
        params: Params<f32>,
        moments: [Params<f32>; 2],
        ema: Option<Params<f32>>,
        step: u32,
        geco: Geco,
    ) -> TrainState {
        let [m, v] = moments;
        TrainState {
            params,
            adam: Adam { m, v, t: step },
            ema,
            step,
            geco,
            last_constraint: None,
        }
    }

    /// The step the state was taken after.
    pub fn step(&self) -> u32 {
        self.step
    }
}
