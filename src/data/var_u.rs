//! `var_u`: the 4096 12-bit patterns and the binary rule of Shwartz-Ziv &
//! Tishby (2017), in the closed form given in docs/science.md. Row i is the binary
//! of i with column 0 the most significant bit; 2118 rows are positive.

use ndarray::Array2;

pub const BITS: usize = 12;
pub const ROWS: usize = 1 << BITS;
/// Antipodal pairs of the 12 bits.
const ANTIPODAL: [(usize, usize); 6] = [(0, 9), (1, 7), (2, 5), (3, 6), (4, 10), (8, 11)];
/// The edge set E of the rule.
const EDGES: [(usize, usize); 30] = [
    (0, 2),
    (0, 4),
    (0, 6),
    (0, 7),
    (0, 8),
    (1, 5),
    (1, 6),
    (1, 8),
    (1, 9),
    (1, 10),
    (2, 6),
    (2, 7),
    (2, 10),
    (2, 11),
    (3, 4),
    (3, 5),
    (3, 7),
    (3, 9),
    (3, 11),
    (4, 5),
    (4, 7),
    (4, 8),
    (5, 8),
    (5, 9),
    (6, 8),
    (6, 10),
    (7, 11),
    (9, 10),
    (9, 11),
    (10, 11),
];
const THRESHOLD: i64 = 99;

/// Bit `column` of pattern `row` (column 0 is the most significant).
pub fn bit(row: usize, column: usize) -> bool {
    (row >> (BITS - 1 - column)) & 1 == 1
}

/// The label of pattern `row`: 1 iff 23w + w(w-1)/2 - 6e - 9a >= 99.
pub fn label(row: usize) -> u32 {
    let on = |(a, b): &(usize, usize)| (bit(row, *a) && bit(row, *b)) as i64;
    let w = (row as u32).count_ones() as i64;
    let a: i64 = ANTIPODAL.iter().map(on).sum();
    let e: i64 = EDGES.iter().map(on).sum();
    (23 * w + w * (w - 1) / 2 - 6 * e - 9 * a >= THRESHOLD) as u32
}

/// All 4096 patterns as 0/1 inputs and their labels, in row order.
pub fn generate() -> (Array2<f32>, Vec<u32>) {
    let x = Array2::from_shape_fn((ROWS, BITS), |(r, c)| bit(r, c) as u32 as f32);
    let y = (0..ROWS).map(label).collect();
    (x, y)
}
