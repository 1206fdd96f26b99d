//! The information plane on the CPU: every hidden layer of the encoder and
//! the latent mean over the first training patterns, with the experiment's
//! estimator, then `Z`, the noisy code: I(X;Z) and I(Z;Y) from the
//! pairwise-KL mixture estimate.

use super::objective::encode;
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
    let n = train.len().min(MAX_PATTERNS);
    let labels = &train.y[..n];
    let enc = encode(params, model, train.x.slice(s![..n, ..]).to_owned());
    let hidden = model.shape.hidden.len();
    let mut layers = Vec::with_capacity(hidden + 1);
    let mut add = |name: String, values: ArrayView2<f32>, range: Range| {
        let binned = || {
            let flat: Vec<f32> = values.iter().copied().collect();
            plane::binning(values, labels, range.resolve(&flat), experiment.bins)
        };
        let (ixt_bits, ity_bits) = match experiment.estimator {
            Estimator::Binning => binned(),
            Estimator::Kde => plane::kde(values, labels, plane::KDE_NOISE_VARIANCE),
            Estimator::Exact => plane::exact(values, labels),
        };
        // The exact plane keeps binning's reading of the same layer beside it.
        let beside = (experiment.estimator == Estimator::Exact).then(binned);
        layers.push(LayerInfo {
            layer: name,
            units: values.ncols(),
            ixt_bits,
            ity_bits,
            estimator: experiment.estimator.name().into(),
            range: match experiment.estimator {
                Estimator::Binning | Estimator::Exact => range.describe().into(),
                Estimator::Kde => String::new(),
            },
            saturated: plane::saturated(ixt_bits, n),
            binned_ixt_bits: beside.map(|b| b.0),
            binned_ity_bits: beside.map(|b| b.1),
        });
    };
    for l in 0..hidden {
        add(
            format!("encoder {}", l + 1),
            enc.cache.inputs[l + 1].view(),
            Range::of(Some(experiment.activation)),
        );
    }
    add(LATENT_MEAN.into(), enc.mu.view(), Range::of(None));
    let (izx, izy) = plane::pairwise_kl(enc.mu.view(), enc.sigma.view(), labels);
    layers.push(plane::code_point(izx, izy, model.shape.latent, n));
    (layers, izx)
}
