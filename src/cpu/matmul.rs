//! The CPU backend's matrix product, written out so that every element sums
//! its k products in ascending order with plain multiplies and adds (Rust
//! never fuses them): the same bits natively and in WebAssembly, which is
//! what lets a share link reproduce a CLI run exactly. Rows go eight at a time
//! so each row of B is read once per eight rows of A; the inner loop over
//! columns vectorises without changing any element's order of operations.

use crate::model::Real;
use ndarray::{Array2, ArrayView2};

/// Rows of A that share one pass over B (eight rows of 1024 f32 fill L1).
const ROW_BLOCK: usize = 8;

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
    for i0 in (0..m).step_by(ROW_BLOCK) {
        let rows = (m - i0).min(ROW_BLOCK);
        let block = &mut c[i0 * n..(i0 + rows) * n];
        for p in 0..k {
            let b_row = &b[p * n..(p + 1) * n];
            for (r, c_row) in block.chunks_exact_mut(n).enumerate() {
                let a_ip = a[(i0 + r) * k + p];
                for (c_ij, &b_pj) in c_row.iter_mut().zip(b_row) {
                    *c_ij += a_ip * b_pj;
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
