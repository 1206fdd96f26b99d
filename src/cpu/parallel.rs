//! How many threads the CPU backend's large products and updates use
//! (`--threads N`; all cores by default natively, one in WebAssembly).
//! Work is split into fixed, disjoint parts of the output, and every
//! element is computed in the same order whatever the count, so results
//! keep their bits for any number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};

/// 0 means "not set": the number of cores.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Uses `n` threads from now on (0: one per core).
pub fn set_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The threads to use.
pub fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

/// Keeps the training step's large buffers in the heap: glibc would
/// otherwise map and unmap each one (above 128 KiB) and fault its pages in
/// again at every step, a third of the MNIST-sized step. Call once at
/// start; elsewhere it does nothing.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only changes glibc's thresholds.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 64 << 20);
            mallopt(M_TRIM_THRESHOLD, 256 << 20);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(target_arch = "wasm32")]
fn default_threads() -> usize {
    1
}

/// Runs `work(part, chunk)` over `data` cut into consecutive chunks of
/// `chunk` elements (the last takes the rest), each on a thread of its
/// own. The cut is the caller's: results must not depend on it.
pub fn for_chunks<T: Send>(data: &mut [T], chunk: usize, work: impl Fn(usize, &mut [T]) + Sync) {
    if chunk == 0 || chunk >= data.len() {
        work(0, data);
        return;
    }
    #[cfg(target_arch = "wasm32")]
    {
        for (i, part) in data.chunks_mut(chunk).enumerate() {
            work(i, part);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|scope| {
        let work = &work;
        let mut parts = data.chunks_mut(chunk).enumerate();
        let first = parts.next();
        for (i, part) in parts {
            scope.spawn(move || work(i, part));
        }
        if let Some((i, part)) = first {
            work(i, part);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_data() {
        let mut data = vec![0usize; 30];
        for_chunks(&mut data, 9, |part, chunk| {
            chunk.iter_mut().for_each(|v| *v = part + 1);
        });
        assert_eq!(data[0], 1);
        assert_eq!(data[8..10], [1, 2]);
        assert_eq!(data[29], 4);
    }
}
