//! The wgpu backend: the same WGSL kernels natively (Vulkan, Metal, DX12)
//! and in the browser (WebGPU). A whole training step is recorded into one
//! command encoder; metrics stay on the device until a report reads them.

pub mod context;
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
pub use trainer::GpuTrainer;

use std::fmt;

/// What can go wrong on the device, said so that a user can act on it.
#[derive(Clone, Debug, PartialEq)]
pub enum GpuError {
    /// No adapter (no GPU, no driver, no WebGPU).
    NoAdapter(String),
    /// The adapter cannot hold the model: which limit, needed, available.
    Limit {
        name: String,
        needed: u64,
        available: u64,
    },
    /// The device could not be opened or was lost.
    Device(String),
    /// Reading results back failed.
    Readback(String),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter(why) => write!(f, "no GPU adapter available ({why})"),
            GpuError::Limit {
                name,
                needed,
                available,
            } => write!(
                f,
                "the model is too large for this GPU: it needs {name} >= {needed}, the adapter offers {available}"
            ),
            GpuError::Device(why) => write!(f, "GPU device error: {why}"),
            GpuError::Readback(why) => write!(f, "reading results from the GPU failed: {why}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// The sentence inside an error from the browser or a driver: the
/// `JsValue(...)` wrapper, the stack and a trailing `undefined` go, the
/// first line stays ("OperationError: Failed to create device." becomes
/// "Failed to create device").
pub fn plain_message(text: &str) -> String {
    let inner = text
        .trim()
        .strip_prefix("JsValue(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    let first = inner
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && *l != "undefined")
        .unwrap_or("no reason given");
    let sentence = first
        .split_once("Error: ")
        .filter(|(kind, _)| !kind.contains(' '))
        .map_or(first, |(_, rest)| rest);
    let sentence = sentence.trim_end_matches('.');
    match causes(inner) {
        Some(why) => format!("{sentence}: {why}"),
        None => sentence.to_string(),
    }
}

/// The chain under wgpu's "Caused by:" (where the first line is only a
/// heading such as "Validation Error"): its lines up to the first source
/// excerpt, joined by ": ", so the message says what failed and why.
fn causes(text: &str) -> Option<String> {
    let (_, chain) = text.split_once("Caused by:")?;
    let lines: Vec<&str> = chain
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with('┌') && !l.starts_with('│'))
        .filter(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join(": ").trim_end_matches(':').to_string())
}

/// Blocks on a future natively (the browser awaits instead).
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
