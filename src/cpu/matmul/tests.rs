//! The matrix product's unit tests: against ndarray on awkward shapes, and
//! bit for bit against the plain ascending sums on every kernel, block
//! geometry and thread count.

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
