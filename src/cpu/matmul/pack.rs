//! Packing B for the matrix product: its columns into contiguous panels of
//! W, read in B's own memory order (rows when they are contiguous, columns
//! when B is a transposed weight matrix), so a block kernel walks a panel
//! straight through.

use crate::model::Real;
use ndarray::ArrayView2;

/// B (k rows, any strides) packed into `packed`, panels of `W` columns:
/// panel q holds its columns of every row, contiguous; the last panel's
/// missing columns are left as they are (zero). B's rows are read in order
/// when they are contiguous (a weight matrix, an activation), and its
/// columns when those are (B = W^T): memory is walked as it is laid out.
pub(super) fn pack<F: Real, const W: usize>(b: ArrayView2<F>, packed: &mut [F]) {
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
