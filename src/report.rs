//! One report of a training run, as the CLI prints it (one JSON object per
//! line) and the page draws it. Information in bits, accuracies as fractions.

use serde::Serialize;

/// Metrics at one step. `loss`, `rate_bits`, `izy_bits`, `distortion_bits`
/// and `test_acc` are measured on the held-out split; `train_acc` on up to
/// the first 2000 training examples; `train_loss` is the mean minibatch
/// objective since the previous report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub step: u32,
    /// Training examples seen / training set size.
    pub epoch: f64,
    /// Objective (data term + beta * KL) per example, in bits.
    pub loss: f64,
    pub train_loss: f64,
    /// E[KL(p(z|x) || N(0, I))] in bits: an upper bound on I(X;Z).
    pub rate_bits: f64,
    /// H(Y) - E[cross-entropy] in bits: a lower bound on I(Z;Y) (`vib`).
    pub izy_bits: Option<f64>,
    /// E[-log p(x|z)] in bits (`vae`).
    pub distortion_bits: Option<f64>,
    /// Fraction of correct predictions (mean of `samples` softmax samples).
    pub train_acc: Option<f64>,
    pub test_acc: Option<f64>,
    /// Held-out accuracy of a single softmax sample (the first noise draw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_acc_single: Option<f64>,
    /// Beta and learning rate in force at this step.
    pub beta: f64,
    pub lr: f64,
    /// "cpu" or "gpu".
    pub backend: String,
    /// True on the summary of the final model.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// E[KL] of each latent dimension on the held-out split, in bits: the
    /// active dimensions carry the rate, collapsed ones carry ~0.
    pub rate_dims_bits: Vec<f64>,
    /// With `bottleneck=feature`: the rate of each input feature's code in
    /// bits (for images, a per-pixel map of what the bottleneck keeps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_features_bits: Option<Vec<f64>>,
    /// The information plane (with `plane=1`): every hidden layer of the
    /// encoder, then the latent mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<LayerInfo>>,
    /// Pairwise-KL estimate of I(X;Z) for the stochastic latent, in bits
    /// (with `plane=1`); tighter than the rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub izx_pairwise_bits: Option<f64>,
    /// With beta_mode=target: the moving average of (training batch rate -
    /// target) in bits, or 100 (batch accuracy - target) in percentage
    /// points; near 0 once the target is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_gap: Option<f64>,
}

/// One layer's point on the information plane.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerInfo {
    /// "encoder 1", "encoder 2", ..., "latent mean".
    pub layer: String,
    pub units: usize,
    pub ixt_bits: f64,
    pub ity_bits: f64,
    /// "binning" or "kde".
    pub estimator: String,
    /// What the binning range was ("the activation's range", "[0, max] of
    /// the layer", "[min, max] of the layer"); empty for kde.
    pub range: String,
}

/// Sums per-dimension rates into per-feature rates (`features` equal blocks).
pub fn rate_per_feature(rate_dims_bits: &[f64], features: Option<usize>) -> Option<Vec<f64>> {
    let features = features?;
    let per = rate_dims_bits.len() / features;
    Some(rate_dims_bits.chunks(per).map(|c| c.iter().sum()).collect())
}
