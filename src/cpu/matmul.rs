//! The CPU backend's matrix product, written out so that every element sums
//! its k products in ascending order with plain multiplies and adds (Rust
//! never fuses them): the same bits natively and in WebAssembly, which is
//! what lets a share link reproduce a CLI run exactly. Blocks of 4 x 8
//! elements of C accumulate in registers while k is walked; the columns of a
//! block vectorise without changing any element's order of operations.

use crate::model::Real;
use ndarray::{Array2, ArrayView2};

/// Rows and columns of C kept in registers while k is walked.
const BLOCK_ROWS: usize = 4;
const BLOCK_COLS: usize = 8;

/// C = A B.
pub fn matmul<F: Real>(a: ArrayView2<F>, b: ArrayView2<F>) -> Array2<F> {
    let (m, k) = a.dim();
    let (k_b, n) = b.dim();
    assert_eq!(k, k_b, "matmul: A is {m}x{k} but B is {k_b}x{n}");
    let a = a.as_standard_layout();
    let b = b.as_standard_layout();
    let (a, b) = (
        a.as_slice().expect("standard layout"),
        b.as_slice().expect("standard layout"),
    );
    let mut c = vec![F::zero(); m * n];
    // B's full column blocks packed panel by panel: panel q holds columns
    // q*8 .. q*8+8 of every row, contiguous, so the inner loop streams it.
    let panels = n / BLOCK_COLS;
    let mut packed = vec![F::zero(); panels * k * BLOCK_COLS];
    for q in 0..panels {
        for p in 0..k {
            let at = (q * k + p) * BLOCK_COLS;
            packed[at..at + BLOCK_COLS]
                .copy_from_slice(&b[p * n + q * BLOCK_COLS..p * n + (q + 1) * BLOCK_COLS]);
        }
    }
    for j0 in (0..n).step_by(BLOCK_COLS) {
        let cols = (n - j0).min(BLOCK_COLS);
        for i0 in (0..m).step_by(BLOCK_ROWS) {
            let rows = (m - i0).min(BLOCK_ROWS);
            if rows == BLOCK_ROWS && cols == BLOCK_COLS {
                // A full block: every element still adds its k products in
                // ascending order, now in registers.
                let panel = &packed
                    [(j0 / BLOCK_COLS) * k * BLOCK_COLS..(j0 / BLOCK_COLS + 1) * k * BLOCK_COLS];
                let mut acc = [[F::zero(); BLOCK_COLS]; BLOCK_ROWS];
                for p in 0..k {
                    let b_row: &[F; BLOCK_COLS] = panel[p * BLOCK_COLS..(p + 1) * BLOCK_COLS]
                        .try_into()
                        .expect("block");
                    for (r, acc_row) in acc.iter_mut().enumerate() {
                        let a_ip = a[(i0 + r) * k + p];
                        for (x, &y) in acc_row.iter_mut().zip(b_row) {
                            *x += a_ip * y;
                        }
                    }
                }
                for (r, acc_row) in acc.iter().enumerate() {
                    c[(i0 + r) * n + j0..(i0 + r) * n + j0 + BLOCK_COLS].copy_from_slice(acc_row);
                }
            } else {
                for r in 0..rows {
                    for j in j0..j0 + cols {
                        let mut sum = F::zero();
                        for p in 0..k {
                            sum += a[(i0 + r) * k + p] * b[p * n + j];
                        }
                        c[(i0 + r) * n + j] = sum;
                    }
                }
            }
        }
    }
    Array2::from_shape_vec((m, n), c).expect("m x n")
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
}
