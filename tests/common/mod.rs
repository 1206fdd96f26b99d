//! Shared by the GPU tests: a device, or a printed reason to skip (never in
//! CI, where a missing adapter fails the run).
#![allow(dead_code)]

use ib_playground::gpu::{GpuContext, Requirements, block_on};

/// Generous requirements for op-level tests.
pub const TEST_NEEDS: Requirements = Requirements {
    storage_buffer_bytes: 64 << 20,
    workgroups_per_dimension: 65535,
};

/// A device, or None (with the reason printed) when this machine has no
/// adapter and CI is not set.
pub fn device() -> Option<GpuContext> {
    match block_on(GpuContext::new(TEST_NEEDS)) {
        Ok(ctx) => Some(ctx),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipping GPU test: {e}");
            None
        }
        Err(e) => panic!("CI needs a GPU adapter (mesa-vulkan-drivers gives lavapipe): {e}"),
    }
}
