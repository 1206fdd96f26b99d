//! Where every parameter lives in the device's flat parameter buffer: for
//! each layer (encoder first), W row-major (fan_in x fan_out) then b; replica
//! r's parameters start at r * total. The same layout holds gradients and
//! Adam's moments, so one dispatch updates them all.

use crate::model::{Dense, Params, Shape};
use ndarray::{Array1, Array2};

/// One layer's place in the flat buffer (element offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerPlace {
    pub w: usize,
    pub b: usize,
    pub fan_in: usize,
    pub fan_out: usize,
}

/// The flat layout of a model's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamLayout {
    pub encoder: Vec<LayerPlace>,
    pub decoder: Vec<LayerPlace>,
    /// Parameters of one replica.
    pub total: usize,
}

impl ParamLayout {
    pub fn new(shape: &Shape) -> Self {
        let mut total = 0;
        let mut place = |widths: Vec<usize>| -> Vec<LayerPlace> {
            widths
                .windows(2)
                .map(|p| {
                    let layer = LayerPlace {
                        w: total,
                        b: total + p[0] * p[1],
                        fan_in: p[0],
                        fan_out: p[1],
                    };
                    total += p[0] * p[1] + p[1];
                    layer
                })
                .collect()
        };
        let encoder = place(shape.encoder_widths());
        let decoder = place(shape.decoder_widths());
        ParamLayout {
            encoder,
            decoder,
            total,
        }
    }

    /// Appends the flat form of `params` to `out`.
    pub fn flatten_into(&self, params: &Params<f32>, out: &mut Vec<f32>) {
        for layer in params.layers() {
            out.extend(layer.w.iter());
            out.extend(layer.b.iter());
        }
    }

    /// 1.0 for each parameter that exists, 0.0 for encoder weights that
    /// `Shape::allowed` rules out (a per-feature bottleneck's cross terms).
    pub fn mask(&self, shape: &Shape) -> Vec<f32> {
        let mut mask = vec![1.0f32; self.total];
        for (l, place) in self.encoder.iter().enumerate() {
            for r in 0..place.fan_in {
                for c in 0..place.fan_out {
                    if !shape.allowed(l, r, c) {
                        mask[place.w + r * place.fan_out + c] = 0.0;
                    }
                }
            }
        }
        mask
    }

    /// Rebuilds parameters from one replica's flat values.
    pub fn unflatten(&self, flat: &[f32]) -> Params<f32> {
        assert_eq!(
            flat.len(),
            self.total,
            "flat parameters of the wrong length"
        );
        let dense = |p: &LayerPlace| Dense {
            w: Array2::from_shape_vec((p.fan_in, p.fan_out), flat[p.w..p.b].to_vec())
                .expect("layer shape"),
            b: Array1::from(flat[p.b..p.b + p.fan_out].to_vec()),
        };
        Params {
            encoder: self.encoder.iter().map(dense).collect(),
            decoder: self.decoder.iter().map(dense).collect(),
        }
    }
}
