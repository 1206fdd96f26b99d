//! The information plane on the CPU: every hidden layer of the encoder and
//! the latent mean over the first training patterns, with the experiment's
//! estimator, then `Z`, the noisy code: I(X;Z) and I(Z;Y) from the
//! pairwise-KL mixture estimate.

use super::objective::{Encoded, encode};
use crate::config::{Estimator, Experiment};
use crate::data::Split;
use crate::info::plane::{self, LATENT_MEAN, MAX_PATTERNS, Range};
use crate::model::{Model, Params};
use crate::report::LayerInfo;
use ndarray::{ArrayView2, s};

/// (layers, pairwise-KL I(X;Z) in bits).
pub fn measure(
    params: &Params<f32>,
    model: &Model,
    experiment: &Experiment,
    train: &Split,
) -> (Vec<LayerInfo>, f64) {
    let (enc, labels) = encode_patterns(params, model, train);
    let mut layers = hidden_layers(&enc, model, experiment, labels);
    let mean = enc.mu.view();
    layers.push(layer(
        LATENT_MEAN.into(),
        mean,
        Range::of(None),
        labels,
        experiment,
    ));
    let (izx, izy) = plane::pairwise_kl(mean, enc.sigma.view(), labels);
    layers.push(plane::code_point(
        izx,
        izy,
        model.shape.latent,
        labels.len(),
    ));
    (layers, izx)
}

/// The encoder's hidden layers only, as `measure` gives them, without the
/// latent mean and `Z`: Z's pairwise estimate costs O(N²) in the N
/// patterns, nearly all of a var_u report's time. What `ibp anchors` reads
/// every 5 epochs of an 8,000-epoch run.
pub fn measure_hidden(
    params: &Params<f32>,
    model: &Model,
    experiment: &Experiment,
    train: &Split,
) -> Vec<LayerInfo> {
    let (enc, labels) = encode_patterns(params, model, train);
    hidden_layers(&enc, model, experiment, labels)
}

/// The encoder on the plane's patterns (the first `MAX_PATTERNS` training
/// examples) and their labels.
fn encode_patterns<'a>(
    params: &Params<f32>,
    model: &Model,
    train: &'a Split,
) -> (Encoded<f32>, &'a [u32]) {
    let n = train.len().min(MAX_PATTERNS);
    let enc = encode(params, model, train.x.slice(s![..n, ..]).to_owned());
    (enc, &train.y[..n])
}

fn hidden_layers(
    enc: &Encoded<f32>,
    model: &Model,
    experiment: &Experiment,
    labels: &[u32],
) -> Vec<LayerInfo> {
    let range = Range::of(Some(experiment.activation));
    (0..model.shape.hidden.len())
        .map(|l| {
            let values = enc.cache.inputs[l + 1].view();
            layer(
                format!("encoder {}", l + 1),
                values,
                range,
                labels,
                experiment,
            )
        })
        .collect()
}

/// One layer's point with the experiment's estimator (the exact plane keeps
/// binning's reading of the same layer beside it).
fn layer(
    name: String,
    values: ArrayView2<f32>,
    range: Range,
    labels: &[u32],
    experiment: &Experiment,
) -> LayerInfo {
    let binned = || {
        let flat: Vec<f32> = values.iter().copied().collect();
        plane::binning(values, labels, range.resolve(&flat), experiment.bins)
    };
    let (ixt_bits, ity_bits) = match experiment.estimator {
        Estimator::Binning => binned(),
        Estimator::Kde => plane::kde(values, labels, plane::KDE_NOISE_VARIANCE),
        Estimator::Exact => plane::exact(values, labels),
    };
    let beside = (experiment.estimator == Estimator::Exact).then(binned);
    LayerInfo {
        layer: name,
        units: values.ncols(),
        ixt_bits,
        ity_bits,
        estimator: experiment.estimator.name().into(),
        range: match experiment.estimator {
            Estimator::Binning | Estimator::Exact => range.describe().into(),
            Estimator::Kde => String::new(),
        },
        saturated: plane::saturated(ixt_bits, labels.len()),
        binned_ixt_bits: beside.map(|b| b.0),
        binned_ity_bits: beside.map(|b| b.1),
    }
}
