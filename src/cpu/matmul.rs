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

/// One full R x C block of C: rows `i0..i0+R` of A against a packed panel
/// of B (k rows of C columns), into `out`: R rows of C values, row r at
/// `out[r * stride..]` (so a block of C is written in place).
struct Block<'a, F, const R: usize, const C: usize> {
    a: &'a [F],
    panel: &'a [F],
    k: usize,
    out: &'a mut [F],
    stride: usize,
}

impl<F, const R: usize, const C: usize> Block<'_, F, R, C> {
    /// Row r of the output block.
    #[inline(always)]
    fn out_row(&mut self, r: usize) -> &mut [F; C] {
        let at = r * self.stride;
        (&mut self.out[at..at + C]).try_into().expect("a block row")
    }
}

/// Every element adds its k products in ascending order, in registers.
#[inline(always)]
fn block<F: Real, const R: usize, const C: usize>(args: Block<F, R, C>) {
    let mut args = args;
    let (a, panel, k) = (args.a, args.panel, args.k);
    let mut acc = [[F::zero(); C]; R];
    for p in 0..k {
        let b_row: &[F; C] = panel[p * C..(p + 1) * C].try_into().expect("block");
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let a_ip = a[r * k + p];
            for (x, &y) in acc_row.iter_mut().zip(b_row) {
                *x += a_ip * y;
            }
        }
    }
    for (r, row) in acc.into_iter().enumerate() {
        *args.out_row(r) = row;
    }
}

/// A 6 x 16 block with AVX2: two 8-lane accumulators per row, each lane an
/// element of C adding `a * b` (a multiply, then an add: never FMA) for p
/// ascending from a zero start, exactly the portable kernel's sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_avx2(args: Block<f32, 6, 16>) {
    use std::arch::x86_64::*;
    let mut args = args;
    let k = args.k;
    assert!(
        args.a.len() >= 6 * k && args.panel.len() >= 16 * k,
        "block shapes"
    );
    let (a, panel) = (args.a.as_ptr(), args.panel.as_ptr());
    // SAFETY: every pointer below stays within `a` (6 rows of k) and
    // `panel` (k rows of 16), checked above; loads and stores are unaligned.
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; 6];
        for p in 0..k {
            let b0 = _mm256_loadu_ps(panel.add(p * 16));
            let b1 = _mm256_loadu_ps(panel.add(p * 16 + 8));
            for (r, row) in acc.iter_mut().enumerate() {
                let x = _mm256_broadcast_ss(&*a.add(r * k + p));
                row[0] = _mm256_add_ps(row[0], _mm256_mul_ps(x, b0));
                row[1] = _mm256_add_ps(row[1], _mm256_mul_ps(x, b1));
            }
        }
        for (r, lanes) in acc.into_iter().enumerate() {
            let row = args.out_row(r);
            _mm256_storeu_ps(row.as_mut_ptr(), lanes[0]);
            _mm256_storeu_ps(row.as_mut_ptr().add(8), lanes[1]);
        }
    }
}

/// An R x C block in WebAssembly SIMD: V = C / 4 four-lane accumulators
/// per row, a multiply then an add for p ascending from zero: exactly the
/// portable kernel's sums.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn block_simd128<const R: usize, const C: usize, const V: usize>(args: Block<f32, R, C>) {
    use std::arch::wasm32::*;
    assert_eq!(C, 4 * V, "V vectors of 4 lanes per row");
    let mut args = args;
    let (a, panel, k) = (args.a, args.panel, args.k);
    let rows: [&[f32]; R] = std::array::from_fn(|r| &a[r * k..(r + 1) * k]);
    let mut acc = [[f32x4_splat(0.0); V]; R];
    for (p, b_row) in panel[..C * k].chunks_exact(C).enumerate() {
        // SAFETY: b_row holds C = 4 V f32 (chunks_exact); v128 loads need
        // no alignment in WebAssembly.
        let b: [v128; V] =
            std::array::from_fn(|v| unsafe { v128_load(b_row.as_ptr().add(4 * v) as *const v128) });
        for (row, a_row) in acc.iter_mut().zip(rows) {
            let x = f32x4_splat(a_row[p]);
            for (lanes, &b) in row.iter_mut().zip(&b) {
                *lanes = f32x4_add(*lanes, f32x4_mul(x, b));
            }
        }
    }
    for (r, lanes) in acc.into_iter().enumerate() {
        let out_row = args.out_row(r);
        for (v, lanes) in lanes.into_iter().enumerate() {
            // SAFETY: out_row holds C = 4 V f32; unaligned stores are allowed.
            unsafe { v128_store(out_row.as_mut_ptr().add(4 * v) as *mut v128, lanes) };
        }
    }
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

/// B (k rows, any strides) packed into `packed`, panels of `W` columns:
/// panel q holds its columns of every row, contiguous; the last panel's
/// missing columns are left as they are (zero). B's rows are read in order
/// when they are contiguous (a weight matrix, an activation), and its
/// columns when those are (B = W^T): memory is walked as it is laid out.
fn pack<F: Real, const W: usize>(b: ArrayView2<F>, packed: &mut [F]) {
    let k = b.nrows();
    if b.ncols() == 0 || pack_rows::<F, W>(b, packed) {
        return;
    }
    for (q, panel) in packed.chunks_exact_mut(k * W).enumerate() {
        let count = (b.ncols() - q * W).min(W);
        let block = b.slice(ndarray::s![.., q * W..q * W + count]);
        if count == W && pack_columns::<F, W>(block, panel) {
            continue;
        }
        for (p, row) in block.rows().into_iter().enumerate() {
            for (j, &value) in row.iter().enumerate() {
                panel[p * W + j] = value;
            }
        }
    }
}

/// B (k rows of contiguous values) into panels, row by row; false when
/// its rows are not contiguous.
fn pack_rows<F: Real, const W: usize>(b: ArrayView2<F>, packed: &mut [F]) -> bool {
    let k = b.nrows();
    for p in 0..k {
        let Some(row) = b.row(p).to_slice() else {
            return false;
        };
        let mut chunks = row.chunks_exact(W);
        for (q, src) in chunks.by_ref().enumerate() {
            let at = (q * k + p) * W;
            let dst: &mut [F; W] = (&mut packed[at..at + W]).try_into().expect("W");
            *dst = src.try_into().expect("W values");
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let at = ((row.len() / W) * k + p) * W;
            packed[at..at + rest.len()].copy_from_slice(rest);
        }
    }
    true
}

/// A full panel (k rows of W columns of B) gathered from W contiguous
/// columns (B = W^T of a weight matrix); false when they are not.
fn pack_columns<F: Real, const W: usize>(block: ArrayView2<F>, panel: &mut [F]) -> bool {
    let Some(columns) = (0..W)
        .map(|j| block.column(j).to_slice())
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let columns: [&[F]; W] = columns.try_into().expect("W columns");
    for (p, dst) in panel.chunks_exact_mut(W).enumerate() {
        for (x, column) in dst.iter_mut().zip(&columns) {
            *x = column[p];
        }
    }
    true
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
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn matches_ndarray_on_awkward_shapes() {
        for (m, k, n) in [
            (1, 1, 1),
            (7, 63, 65),
            (65, 7, 1),
            (9, 257, 3),
            (0, 3, 5),
            (4, 0, 5),
            (4, 3, 0),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f64 * 0.5 - 3.0);
            assert_eq!(matmul(a.view(), b.view()), a.dot(&b));
            assert_eq!(matmul(a.t(), a.view()), a.t().dot(&a));
        }
    }

    /// Values that do not repeat along rows or columns (a misplaced row or
    /// column of output cannot match by accident).
    fn hashed(i: usize, scale: f32) -> f32 {
        ((i.wrapping_mul(2_654_435_761) >> 8) % 1009) as f32 * scale - 1.5
    }

    /// Every element of the f32 product is the plain ascending sum of its
    /// products, bit for bit, on any kernel and any thread count: AVX2
    /// where the CPU has it, the portable blocks, and WebAssembly's 2 x 16
    /// geometry run here with the portable block.
    #[test]
    fn f32_products_are_the_ascending_sums_on_any_thread_count() {
        for (m, k, n) in [
            (1, 1, 1),
            (7, 63, 65),
            (100, 300, 130),
            (13, 5, 33),
            (257, 64, 17),
            // Split among threads by rows (a short last part on 3 threads),
            // one row past whole blocks and one column past a whole panel.
            (61, 129, 257),
            (0, 3, 5),
            (4, 0, 5),
            (4, 3, 0),
        ] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| hashed(i * k + j, 0.0029));
            let b = Array2::from_shape_fn((k, n), |(i, j)| hashed(7 + i * n + j, 0.0031));
            let want = Array2::from_shape_fn((m, n), |(i, j)| {
                let mut sum = 0f32;
                for p in 0..k {
                    sum += a[[i, p]] * b[[p, j]];
                }
                sum
            });
            let same = |got: &Array2<f32>| {
                got.dim() == want.dim()
                    && got
                        .iter()
                        .zip(&want)
                        .all(|(x, y)| x.to_bits() == y.to_bits())
            };
            // B read in place, also transposed (a weight matrix W^T), and
            // A transposed (an activation in a weight gradient).
            let bt = b.t().as_standard_layout().to_owned();
            let at = a.t().as_standard_layout().to_owned();
            for threads in [1, 2, 3, 8] {
                parallel::set_threads(threads);
                for portable in [false, true] {
                    set_portable_only(portable);
                    let products = [
                        matmul(a.view(), b.view()),
                        matmul(a.view(), bt.t()),
                        matmul(at.t(), bt.t()),
                    ];
                    for got in &products {
                        assert!(same(got), "{m}x{k}x{n}, {threads} threads, {portable}");
                    }
                }
                let dims = Dims { m, k, n };
                let a = a.as_slice().expect("standard layout");
                let wasm_geometry = product::<f32, 2, 16>(a, b.view(), dims, block);
                let wasm_geometry = Array2::from_shape_vec((m, n), wasm_geometry).expect("m x n");
                assert!(
                    same(&wasm_geometry),
                    "2 x 16: {m}x{k}x{n}, {threads} threads"
                );
            }
        }
        set_portable_only(false);
        parallel::set_threads(0);
    }
}
