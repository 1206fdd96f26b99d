//! The 1797 8x8 handwritten digits (UCI optdigits test set, as shipped by
//! scikit-learn and the smartcore crate, Apache-2.0). `data/digits.u8` holds
//! 65 bytes per image: 64 pixels (0..16, row-major) then the label.

use ndarray::Array2;

pub const SIDE: usize = 8;
pub const PIXELS: usize = SIDE * SIDE;
pub const IMAGES: usize = 1797;
/// Largest pixel value; inputs are scaled to [0, 1] by it.
pub const MAX_VALUE: f32 = 16.0;
const RECORD: usize = PIXELS + 1;
static RAW: &[u8] = include_bytes!("../../data/digits.u8");

/// Pixels scaled to [0, 1] and labels 0..9, in file order.
pub fn load() -> (Array2<f32>, Vec<u32>) {
    assert_eq!(
        RAW.len(),
        IMAGES * RECORD,
        "data/digits.u8 has the wrong size"
    );
    let x = Array2::from_shape_fn((IMAGES, PIXELS), |(i, p)| {
        RAW[i * RECORD + p] as f32 / MAX_VALUE
    });
    let y = (0..IMAGES)
        .map(|i| RAW[i * RECORD + PIXELS] as u32)
        .collect();
    (x, y)
}
