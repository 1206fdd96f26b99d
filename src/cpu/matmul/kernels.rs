//! The block kernels of the matrix product: one R x C block of C from rows
//! of A and a packed panel of B, accumulated in registers with every
//! element's k products added in ascending order (a multiply, then an add;
//! never FMA). The portable kernel, AVX2's 6 x 16 on x86-64 and
//! WebAssembly SIMD's blocks compute the same sums.

use crate::model::Real;

/// One full R x C block of C: rows `i0..i0+R` of A against a packed panel
/// of B (k rows of C columns), into `out`: R rows of C values, row r at
/// `out[r * stride..]` (so a block of C is written in place).
pub(super) struct Block<'a, F, const R: usize, const C: usize> {
    pub(super) a: &'a [F],
    pub(super) panel: &'a [F],
    pub(super) k: usize,
    pub(super) out: &'a mut [F],
    pub(super) stride: usize,
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
pub(super) fn block<F: Real, const R: usize, const C: usize>(args: Block<F, R, C>) {
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
pub(super) unsafe fn block_avx2(args: Block<f32, 6, 16>) {
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
pub(super) fn block_simd128<const R: usize, const C: usize, const V: usize>(
    args: Block<f32, R, C>,
) {
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
