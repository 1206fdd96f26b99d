//! The CPU backend's matrix product, written out so that every element sums
//! its k products in ascending order with plain multiplies and adds (Rust
//! never fuses them): the same bits natively and in WebAssembly, which is
//! what lets a share link reproduce a CLI run exactly.
//!
//! Blocks of C accumulate in registers while k is walked; the columns of a
//! block vectorise without changing any element's order of operations. On
//! x86-64 CPUs with AVX2 the f32 product uses 6 x 16 blocks compiled for
//! AVX2 (multiplies then adds, never FMA), and large products split their
//! rows among threads: each element is still the same sum in the same
//! order, so the bits do not depend on the CPU or the thread count.
//!
//! This file holds the public API, the choice of kernel and the blocked,
//! threaded product that drives it; the block kernels are in `kernels.rs`,
//! the packing of B into panels in `pack.rs`.

mod kernels;
mod pack;

#[cfg(target_arch = "x86_64")]
use kernels::block_avx2;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use kernels::block_simd128;
use kernels::{Block, block};
use pack::pack;

use super::parallel;
use crate::model::Real;
use ndarray::{Array2, ArrayView2};

/// Products below this many multiply-adds stay on one thread.
const PARALLEL_MIN_MACS: usize = 1 << 20;

/// Set: the portable kernel even where AVX2 is there (benchmarks compare).
static PORTABLE_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Uses the portable kernel only (`true`), or the fastest this CPU has.
pub fn set_portable_only(portable: bool) {
    PORTABLE_ONLY.store(portable, std::sync::atomic::Ordering::Relaxed);
}

/// The kernel f32 products use now: "avx2" or "portable".
pub fn kernel_name() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if !PORTABLE_ONLY.load(std::sync::atomic::Ordering::Relaxed)
        && std::arch::is_x86_feature_detected!("avx2")
    {
        return "avx2";
    }
    "portable"
}

/// C = A B.
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let (m, k) = a.dim();
    let (k_b, n) = b.dim();
    assert_eq!(k, k_b, "matmul: A is {m}x{k} but B is {k_b}x{n}");
    let a = a.as_standard_layout();
    let a = a.as_slice().expect("standard layout");
    // B is read in place (a transposed weight matrix needs no copy): its
    // columns are packed into panels below.
    let dims = Dims { m, k, n };
    let c = match avx2_f32::<F>() {
        #[cfg(target_arch = "x86_64")]
        true => uncast(product::<f32, 6, 16>(cast(a), cast_view(b), dims, |args| {
            // SAFETY: the CPU has AVX2 (checked by avx2_f32).
            unsafe { block_avx2(args) }
        })),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        _ if is_f32::<F>() => uncast(product::<f32, SIMD128_ROWS, SIMD128_COLS>(
            cast(a),
            cast_view(b),
            dims,
            block_simd128::<SIMD128_ROWS, SIMD128_COLS, { SIMD128_COLS / 4 }>,
        )),
        _ => product::<F, 4, 8>(a, b, dims, |args| block(args)),
    };
    Array2::from_shape_vec((m, n), c).expect("m x n")
}

/// The WebAssembly block: 2 rows x 16 columns. LLVM issues all of a step's
/// A values before their multiplies (WebAssembly locals are unlimited), so
/// the engine needs R x C / 4 accumulators + C / 4 values of B + R of A in
/// its 16 vector registers: 14 here. 6 x 8 needs 20 and spills; in
/// Chromium 156 the MNIST-sized step took 52-64 ms with 2 x 16 against
/// 86-102 ms with 6 x 8 (alternating runs, BENCHMARKS.md).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const SIMD128_ROWS: usize = 2;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const SIMD128_COLS: usize = 16;

#[derive(Clone, Copy)]
struct Dims {
    m: usize,
    k: usize,
    n: usize,
}

/// Whether F is f32 and this CPU runs the AVX2 kernel.
fn avx2_f32<F: 'static>() -> bool {
    is_f32::<F>() && kernel_name() == "avx2"
}

fn is_f32<F: 'static>() -> bool {
    std::any::TypeId::of::<F>() == std::any::TypeId::of::<f32>()
}

/// F is f32 (checked by `avx2_f32`): the slice as f32.
#[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
fn cast<F: 'static>(s: &[F]) -> &[f32] {
    assert_eq!(std::any::TypeId::of::<F>(), std::any::TypeId::of::<f32>());
    // SAFETY: F is f32, so the memory is f32 with the same length.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast(), s.len()) }
}

#[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
fn cast_view<'a, F: 'static>(v: ArrayView2<'a, F>) -> ArrayView2<'a, f32> {
    assert_eq!(std::any::TypeId::of::<F>(), std::any::TypeId::of::<f32>());
    let (dim, strides) = (v.dim(), v.strides());
    let strides = (strides[0] as usize, strides[1] as usize);
    // SAFETY: F is f32: the same elements at the same places, and every
    // index the view allows lies in its memory.
    unsafe {
        ArrayView2::from_shape_ptr(
            ndarray::ShapeBuilder::strides(dim, strides),
            v.as_ptr().cast(),
        )
    }
}

/// F is f32 (checked): the f32 vector as a vector of F.
#[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
fn uncast<F: 'static>(v: Vec<f32>) -> Vec<F> {
    assert_eq!(std::any::TypeId::of::<F>(), std::any::TypeId::of::<f32>());
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: F is f32: the same allocation, length and capacity.
    unsafe { Vec::from_raw_parts(v.as_mut_ptr().cast(), v.len(), v.capacity()) }
}

/// C = A B with R x C register blocks. B's columns are packed into
/// panels of C (the last padded with zero columns); large products split
/// the packing by panels and then C's rows, in whole blocks, among
/// threads, each writing its rows of C in place. Rows and columns past the
/// edges are computed in padded blocks and dropped: every element of C is
/// the same ascending sum wherever it falls and whichever thread computes
/// it.
fn product<F: Real, const R: usize, const C: usize>(
    a: &[F],
    b: ArrayView2<F>,
    Dims { m, k, n }: Dims,
    kernel: impl Fn(Block<F, R, C>) + Sync,
) -> Vec<F> {
    let mut c = vec![F::zero(); m * n];
    if m == 0 || n == 0 {
        return c;
    }
    let parts = match m.saturating_mul(n).saturating_mul(k) >= PARALLEL_MIN_MACS {
        true => parallel::threads().max(1),
        false => 1,
    };
    let panels = n.div_ceil(C);
    let mut packed = vec![F::zero(); panels * k * C];
    let panels_per_part = panels.div_ceil(parts);
    parallel::for_chunks(&mut packed, panels_per_part * k * C, |part, chunk| {
        let start = (part * panels_per_part * C).min(n);
        let end = (start + panels_per_part * C).min(n);
        pack::<F, C>(b.slice(ndarray::s![.., start..end]), chunk);
    });
    let rows_per_part = m.div_ceil(R).div_ceil(parts) * R;
    parallel::for_chunks(&mut c, rows_per_part * n, |part, rows| {
        let i0 = part * rows_per_part;
        let m = rows.len() / n;
        let dims = Dims { m, k, n };
        column_range(&a[i0 * k..(i0 + m) * k], &packed, rows, dims, &kernel);
    });
    c
}

/// C (m rows of n, the columns of the packed panels) = A B, panel by
/// panel, each staying in cache while every row block uses it. Whole
/// blocks are written in place; edge blocks through a scratch tile.
fn column_range<F: Real, const R: usize, const C: usize>(
    a: &[F],
    packed: &[F],
    out: &mut [F],
    Dims { m, k, n }: Dims,
    kernel: &impl Fn(Block<F, R, C>),
) {
    // The last block of fewer than R rows reads them from a zero-padded copy.
    let tail = m % R;
    let mut padded = vec![F::zero(); if tail > 0 { R * k } else { 0 }];
    padded[..tail * k].copy_from_slice(&a[(m - tail) * k..m * k]);
    let mut tile = [[F::zero(); C]; R];
    for j0 in (0..n).step_by(C) {
        let cols = (n - j0).min(C);
        let panel = &packed[(j0 / C) * k * C..(j0 / C + 1) * k * C];
        for i0 in (0..m).step_by(R) {
            let rows = (m - i0).min(R);
            let a_rows = match rows == R {
                true => &a[i0 * k..(i0 + R) * k],
                false => &padded[..],
            };
            if rows == R && cols == C {
                let at = i0 * n + j0;
                let out = &mut out[at..at + (R - 1) * n + C];
                kernel(Block {
                    a: a_rows,
                    panel,
                    k,
                    out,
                    stride: n,
                });
                continue;
            }
            kernel(Block {
                a: a_rows,
                panel,
                k,
                out: tile.as_flattened_mut(),
                stride: C,
            });
            for (r, tile_row) in tile.iter().take(rows).enumerate() {
                let at = (i0 + r) * n + j0;
                out[at..at + cols].copy_from_slice(&tile_row[..cols]);
            }
        }
    }
}

#[cfg(test)]
mod tests;
