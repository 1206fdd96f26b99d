//! The Rust side of each kernel, as methods of `PlanBuilder`: checks
//! shapes, fills the kernel's params struct and appends the dispatch. Every op has a CPU twin (named
//! on each function) and a parity test in `tests/gpu_parity.rs`.

mod elementwise;
mod heads;
mod latent;
mod matmul;
mod plane;
mod steps;

pub use elementwise::{ActBuffers, Sums};
pub use heads::{Head, HeadBuffers, Pass};
pub use latent::{KlGradient, Latent, LatentBuffers, LatentGrads, Noise};
pub use matmul::{MatmulShape, Product, SUBGROUP_MAX_OUTPUTS, training_kernel};
pub use plane::{PairwiseKernel, PlaneRows};
pub use steps::{AdamBuffers, Gather, MAX_WORKGROUPS_X, Slot, adam_groups};

use crate::config::Activation;
pub(crate) use crate::gpu::plan::groups;
use crate::model::Quantizer;

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

/// A hidden layer's nonlinearity as the kernels apply it: the activation,
/// then with `quant` its rounding (CPU twin: `model::Quantizer`, on the
/// encoder's hidden layers only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nonlinearity {
    pub activation: Activation,
    pub quant: Option<Quantizer>,
}

impl From<Activation> for Nonlinearity {
    fn from(activation: Activation) -> Self {
        Nonlinearity {
            activation,
            quant: None,
        }
    }
}

impl Nonlinearity {
    /// The override constants ACT, QUANT_LEVELS, QUANT_LO and QUANT_HI.
    pub fn constants(self) -> [(&'static str, f64); 4] {
        let (levels, lo, hi) = self.quant.map_or((0, 0.0, 1.0), |q| (q.levels, q.lo, q.hi));
        [
            ("ACT", activation_code(self.activation) as f64),
            ("QUANT_LEVELS", levels as f64),
            ("QUANT_LO", lo as f64),
            ("QUANT_HI", hi as f64),
        ]
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

pub(crate) fn u32_of(value: usize, what: &str) -> u32 {
    u32::try_from(value)
        .unwrap_or_else(|_| panic!("{what} = {value} does not fit the kernels' u32 indices"))
}
