//! What can go wrong on the device, and how it reaches the crate's one
//! error type: a limit of the adapter is `ErrorKind::Limit`, anything else
//! on the device `ErrorKind::Gpu` (exit 1 on the command line).

use crate::error::{Error, ErrorKind};
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

impl From<GpuError> for Error {
    fn from(e: GpuError) -> Self {
        let kind = match e {
            GpuError::Limit { .. } => ErrorKind::Limit,
            _ => ErrorKind::Gpu,
        };
        Error::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_survive_conversion_and_messages_read_plainly() {
        let limit: Error = GpuError::Limit {
            name: "max_buffer_size".into(),
            needed: 10,
            available: 5,
        }
        .into();
        assert_eq!(limit.kind, ErrorKind::Limit);
        let lost: Error = GpuError::Device("lost".into()).into();
        assert_eq!(lost.kind, ErrorKind::Gpu);
        let browser = "JsValue(OperationError: Failed to create device.\nundefined)";
        assert_eq!(plain_message(browser), "Failed to create device");
        assert_eq!(
            plain_message("Error occurred when trying to async map a buffer"),
            "Error occurred when trying to async map a buffer"
        );
        // wgpu's validation errors carry their reason under "Caused by:".
        let wgpu = "Validation Error\n\nCaused by:\n  In Device::create_shader_module, \
                    label = 'matmul'\n    \nShader 'matmul' parsing error: expected ';'\n  \
                    ┌─ wgsl:1:8\n  │\n1 │ enable x\n";
        assert_eq!(
            plain_message(wgpu),
            "Validation Error: In Device::create_shader_module, label = 'matmul': \
             Shader 'matmul' parsing error: expected ';'"
        );
    }
}
