//! Trained weights as JSON, the page's export and the CLI's import:
//! `{"format": "ibp-weights-1", "link": "...", "encoder": [{"w": [[...]], "b": [...]}], "decoder": [...]}`
//! with each layer's W as rows of fan_out numbers (y = x W + b). The link
//! fixes the model's shape and data; loading checks every shape against it.

use crate::config::Experiment;
use crate::error::Error;
use crate::model::{Dense, Params, Shape};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "ibp-weights-1";
/// Largest weights file read (a 4096-wide model is ~200 MB of text; refuse more).
pub const MAX_WEIGHTS_BYTES: u64 = 256 << 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub w: Vec<Vec<f32>>,
    pub b: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub format: String,
    pub link: String,
    pub encoder: Vec<LayerWeights>,
    pub decoder: Vec<LayerWeights>,
}

impl Weights {
    pub fn from_params(params: &Params<f32>, experiment: &Experiment) -> Weights {
        let layer = |d: &Dense<f32>| LayerWeights {
            w: d.w.rows().into_iter().map(|r| r.to_vec()).collect(),
            b: d.b.to_vec(),
        };
        Weights {
            format: FORMAT.into(),
            link: experiment.to_link(),
            encoder: params.encoder.iter().map(layer).collect(),
            decoder: params.decoder.iter().map(layer).collect(),
        }
    }

    /// Parses and checks a weights file; errors say what does not fit.
    pub fn parse(text: &str) -> Result<Weights, Error> {
        let weights: Weights = serde_json::from_str(text)
            .map_err(|e| Error::data(format!("not an ibp weights file: {e}")))?;
        if weights.format != FORMAT {
            return Err(Error::data(format!(
                "format '{}' is not {FORMAT}",
                weights.format
            )));
        }
        Ok(weights)
    }

    /// The parameters, checked against the shape the link gives.
    pub fn to_params(&self, shape: &Shape) -> Result<Params<f32>, Error> {
        let build = |name: &str,
                     layers: &[LayerWeights],
                     widths: Vec<usize>|
         -> Result<Vec<Dense<f32>>, Error> {
            if layers.len() + 1 != widths.len() {
                return Err(Error::data(format!(
                    "{name}: {} layers, the link's model has {}",
                    layers.len(),
                    widths.len() - 1
                )));
            }
            layers
                .iter()
                .zip(widths.windows(2))
                .enumerate()
                .map(|(l, (layer, pair))| {
                    let (fan_in, fan_out) = (pair[0], pair[1]);
                    if layer.w.len() != fan_in
                        || layer.w.iter().any(|r| r.len() != fan_out)
                        || layer.b.len() != fan_out
                    {
                        return Err(Error::data(format!(
                            "{name} layer {}: expected W {fan_in}x{fan_out} and b {fan_out}",
                            l + 1
                        )));
                    }
                    if layer
                        .w
                        .iter()
                        .flatten()
                        .chain(&layer.b)
                        .any(|v| !v.is_finite())
                    {
                        return Err(Error::data(format!(
                            "{name} layer {}: a weight is not finite",
                            l + 1
                        )));
                    }
                    let flat: Vec<f32> = layer.w.iter().flatten().copied().collect();
                    Ok(Dense {
                        w: Array2::from_shape_vec((fan_in, fan_out), flat).expect("checked"),
                        b: Array1::from(layer.b.clone()),
                    })
                })
                .collect()
        };
        Ok(Params {
            encoder: build("encoder", &self.encoder, shape.encoder_widths())?,
            decoder: build("decoder", &self.decoder, shape.decoder_widths())?,
        })
    }
}
