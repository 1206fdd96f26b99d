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
    let mut c = vec![F::zero(); m * n];
    let dims = Dims { m, k, n };
    match avx2_f32::<F>() {
        #[cfg(target_arch = "x86_64")]
        true => product::<f32, 6, 16>(cast(a), cast_view(b), cast_mut(&mut c), dims, |args| {
            // SAFETY: the CPU has AVX2 (checked by avx2_f32).
            unsafe { block_avx2(args) }
        }),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        _ if is_f32::<F>() => {
            product::<f32, 6, 8>(cast(a), cast_view(b), cast_mut(&mut c), dims, block_simd128)
        }
        _ => product::<F, 4, 8>(a, b, &mut c, dims, |args| block(args)),
    }
    Array2::from_shape_vec((m, n), c).expect("m x n")
}

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

#[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
fn cast_mut<F: 'static>(s: &mut [F]) -> &mut [f32] {
    assert_eq!(std::any::TypeId::of::<F>(), std::any::TypeId::of::<f32>());
    // SAFETY: F is f32, so the memory is f32 with the same length.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), s.len()) }
}

/// One full R x C block of C: rows `i0..i0+R` of A against a packed panel
/// of B (k rows of C columns), into `out` (R rows of C).
struct Block<'a, F, const R: usize, const C: usize> {
    a: &'a [F],
    panel: &'a [F],
    k: usize,
    out: &'a mut [[F; C]; R],
}

/// Every element adds its k products in ascending order, in registers.
#[inline(always)]
fn block<F: Real, const R: usize, const C: usize>(args: Block<F, R, C>) {
    let Block { a, panel, k, out } = args;
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
    *out = acc;
}

/// A 6 x 16 block with AVX2: two 8-lane accumulators per row, each lane an
/// element of C adding `a * b` (a multiply, then an add: never FMA) for p
/// ascending from a zero start, exactly the portable kernel's sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_avx2(args: Block<f32, 6, 16>) {
    use std::arch::x86_64::*;
    let Block { a, panel, k, out } = args;
    assert!(a.len() >= 6 * k && panel.len() >= 16 * k, "block shapes");
    let (a, panel) = (a.as_ptr(), panel.as_ptr());
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
        for (row, lanes) in out.iter_mut().zip(acc) {
            _mm256_storeu_ps(row.as_mut_ptr(), lanes[0]);
            _mm256_storeu_ps(row.as_mut_ptr().add(8), lanes[1]);
        }
    }
}

/// A 6 x 8 block in WebAssembly SIMD: two 4-lane accumulators per row (12
/// of the 16 vector registers an engine maps them to), a multiply then an
/// add for p ascending from zero: exactly the portable kernel's sums, with
/// half again as many rows per load of B as its 4 x 8 blocks.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn block_simd128(args: Block<f32, 6, 8>) {
    use std::arch::wasm32::*;
    let Block { a, panel, k, out } = args;
    let rows: [&[f32]; 6] = std::array::from_fn(|r| &a[r * k..(r + 1) * k]);
    let mut acc = [[f32x4_splat(0.0); 2]; 6];
    for (p, b_row) in panel[..8 * k].chunks_exact(8).enumerate() {
        // SAFETY: b_row holds 8 f32 (chunks_exact); v128 loads need no
        // alignment in WebAssembly.
        let (b0, b1) = unsafe {
            let at = b_row.as_ptr() as *const v128;
            (v128_load(at), v128_load(at.add(1)))
        };
        for (row, a_row) in acc.iter_mut().zip(rows) {
            let x = f32x4_splat(a_row[p]);
            row[0] = f32x4_add(row[0], f32x4_mul(x, b0));
            row[1] = f32x4_add(row[1], f32x4_mul(x, b1));
        }
    }
    for (out_row, lanes) in out.iter_mut().zip(acc) {
        // SAFETY: out_row holds 8 f32; unaligned stores are allowed.
        unsafe {
            let at = out_row.as_mut_ptr() as *mut v128;
            v128_store(at, lanes[0]);
            v128_store(at.add(1), lanes[1]);
        }
    }
}

/// C = A B with R x C register blocks. Large products cut C's columns
/// into one range of whole panels per thread: each thread packs its
/// columns of B into panels of C (the last padded with zero columns) and
/// computes every row for them. Rows and columns past the edges are
/// computed in padded blocks and dropped: every element of C is the same
/// ascending sum wherever it falls and whichever thread computes it.
fn product<F: Real, const R: usize, const C: usize>(
    a: &[F],
    b: ArrayView2<F>,
    c: &mut [F],
    Dims { m, k, n }: Dims,
    kernel: impl Fn(Block<F, R, C>) + Sync,
) {
    let panels = n.div_ceil(C);
    let parts = if m * n * k >= PARALLEL_MIN_MACS {
        parallel::threads().min(panels)
    } else {
        1
    };
    let per_part = panels.div_ceil(parts.max(1));
    let columns = |part: usize| (part * per_part * C).min(n)..((part + 1) * per_part * C).min(n);
    let results = parallel::map(parts.max(1), |part| {
        let cols = columns(part);
        let packed = pack(b, cols.clone(), C);
        let mut out = vec![F::zero(); m * cols.len()];
        column_range(
            a,
            &packed,
            &mut out,
            Dims {
                m,
                k,
                n: cols.len(),
            },
            &kernel,
        );
        out
    });
    for (part, out) in results.into_iter().enumerate() {
        let cols = columns(part);
        let width = cols.len();
        for (row, values) in
            out.chunks(width.max(1))
                .enumerate()
                .take(if width == 0 { 0 } else { m })
        {
            c[row * n + cols.start..row * n + cols.end].copy_from_slice(values);
        }
    }
}

/// Columns `cols` of B (k rows, any strides) packed into panels of
/// `width`: panel q holds its columns of every row, contiguous,
/// zero-padded at the end.
fn pack<F: Real>(b: ArrayView2<F>, cols: std::ops::Range<usize>, width: usize) -> Vec<F> {
    let k = b.nrows();
    let panels = cols.len().div_ceil(width);
    let mut packed = vec![F::zero(); panels * k * width];
    for q in 0..panels {
        let start = cols.start + q * width;
        let count = (cols.end - start).min(width);
        for p in 0..k {
            let at = (q * k + p) * width;
            let row = b.row(p);
            match row.as_slice() {
                Some(row) => packed[at..at + count].copy_from_slice(&row[start..start + count]),
                None => (0..count).for_each(|j| packed[at + j] = row[start + j]),
            }
        }
    }
    packed
}

/// C (m rows of n, the columns of the packed panels) = A B, panel by
/// panel, each staying in cache while every row block uses it.
fn column_range<F: Real, const R: usize, const C: usize>(
    a: &[F],
    packed: &[F],
    out: &mut [F],
    Dims { m, k, n }: Dims,
    kernel: &impl Fn(Block<F, R, C>),
) {
    // The last block of fewer than R rows reads them from a zero-padded copy.
    let tail = m % R;
    let mut padded = vec![F::zero(); R * k];
    padded[..tail * k].copy_from_slice(&a[(m - tail) * k..m * k]);
    for j0 in (0..n).step_by(C) {
        let cols = (n - j0).min(C);
        let panel = &packed[(j0 / C) * k * C..(j0 / C + 1) * k * C];
        for i0 in (0..m).step_by(R) {
            let rows = (m - i0).min(R);
            let a_rows = if rows == R {
                &a[i0 * k..(i0 + R) * k]
            } else {
                &padded[..]
            };
            let mut tile = [[F::zero(); C]; R];
            kernel(Block {
                a: a_rows,
                panel,
                k,
                out: &mut tile,
            });
            for (r, tile_row) in tile.iter().take(rows).enumerate() {
                out[(i0 + r) * n + j0..(i0 + r) * n + j0 + cols].copy_from_slice(&tile_row[..cols]);
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
        for (m, k, n) in [(1, 1, 1), (7, 63, 65), (65, 7, 1), (9, 257, 3)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f64 * 0.5 - 3.0);
            assert_eq!(matmul(a.view(), b.view()), a.dot(&b));
            assert_eq!(matmul(a.t(), a.view()), a.t().dot(&a));
        }
    }

    /// Every element of the f32 product is the plain ascending sum of its
    /// products, bit for bit, on any kernel and any thread count.
    #[test]
    fn f32_products_are_the_ascending_sums_on_any_thread_count() {
        for (m, k, n) in [
            (1, 1, 1),
            (7, 63, 65),
            (100, 300, 130),
            (13, 5, 33),
            (257, 64, 17),
        ] {
            let a =
                Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.37 - 1.9);
            let b = Array2::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f32 * 0.21 - 1.3);
            let want = Array2::from_shape_fn((m, n), |(i, j)| {
                let mut sum = 0f32;
                for p in 0..k {
                    sum += a[[i, p]] * b[[p, j]];
                }
                sum
            });
            // B read in place, also transposed (a weight matrix W^T).
            let bt = b.t().as_standard_layout().to_owned();
            for threads in [1, 2, 3, 8] {
                parallel::set_threads(threads);
                for got in [matmul(a.view(), b.view()), matmul(a.view(), bt.t())] {
                    let same = got
                        .iter()
                        .zip(&want)
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{m}x{k}x{n} on {threads} threads");
                }
            }
        }
        parallel::set_threads(0);
    }
}
