//! The wgpu backend: the same WGSL kernels natively (Vulkan, Metal, DX12)
//! and in the browser (WebGPU). A whole training step is recorded into one
//! command encoder; metrics stay on the device until a report reads them.

pub mod context;
pub mod error;
pub mod kernels;
pub mod layout;
pub mod ops;
pub mod params;
pub mod plan;
pub mod readback;
pub mod schedule;
pub mod selfcheck;
pub mod trainer;

pub use context::{GpuContext, Requirements};
pub use error::{GpuError, plain_message};
pub use trainer::GpuTrainer;

/// Blocks on a future natively (the browser awaits instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
