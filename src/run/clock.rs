//! Milliseconds for the run's time-based policies (slices, checkpoints,
//! snapshots): the page's clock in the browser, a monotonic one natively.

/// Milliseconds since an arbitrary start, never going back.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds since an arbitrary start, never going back.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}
