//! One report of a training run, as the CLI prints it (one JSON object per
//! line) and the page draws it. Information in bits, accuracies as fractions.

use serde::{Deserialize, Serialize};

/// Metrics at one step. `loss`, `rate_bits`, `izy_bits`, `distortion_bits`
/// and `test_acc` are measured on the held-out split; `train_acc` on up to
/// the first 2000 training examples; `train_loss` is the mean minibatch
/// objective since the previous report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub step: u32,
    /// Training examples seen / training set size.
    pub epoch: f64,
    /// Objective (data term + beta * KL) per example, in bits.
    pub loss: f64,
    /// None before the first training step.
    pub train_loss: Option<f64>,
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
    /// On the final line of a run that diverged: this is its last finite
    /// state, not the state it stopped in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub diverged: bool,
    /// E[KL] of each latent dimension on the held-out split, in bits: the
    /// active dimensions carry the rate, collapsed ones carry ~0.
    pub rate_dims_bits: Vec<f64>,
    /// With `bottleneck=feature`: the rate of each input feature's code in
    /// bits (for images, a per-pixel map of what the bottleneck keeps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_features_bits: Option<Vec<f64>>,
    /// The information plane (with `plane=1`): every hidden layer of the
    /// encoder, the latent mean, then `Z` (the bottleneck's code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<LayerInfo>>,
    /// Pairwise-KL estimate of I(X;Z) for the stochastic latent, in bits
    /// (with `plane=1`); an upper bound like the rate, usually the tighter
    /// in a trained model (not always: docs/science.md, section 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub izx_pairwise_bits: Option<f64>,
    /// With beta_mode=target: the moving average of (training batch rate -
    /// target) in bits, or 100 (batch accuracy - target) in percentage
    /// points; near 0 once the target is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_gap: Option<f64>,
}

/// One layer's point on the information plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// "encoder 1", "encoder 2", ..., "latent mean (deterministic)" (the
    /// mean mu measured as a deterministic layer: not the code the decoder
    /// receives), then "Z", the noisy code the model transmits.
    pub layer: String,
    pub units: usize,
    pub ixt_bits: f64,
    pub ity_bits: f64,
    /// "binning", "kde", or "pairwise-kl" (the `Z` point: I(X;Z) and I(Z;Y)
    /// from the same mixture of the posteriors' Gaussians).
    pub estimator: String,
    /// What the binning range was ("the activation's range", "[0, max] of
    /// the layer", "[min, max] of the layer"); empty otherwise.
    pub range: String,
    /// I(X;T) is within 0.05 bits of log2 N (N patterns measured): almost
    /// every pattern has a code of its own, and the estimator cannot see
    /// compression in this layer.
    pub saturated: bool,
    /// With `estimator=exact`: the same layer's binning estimate (the link's
    /// `bins` over the activation's range), to set beside the exact point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binned_ixt_bits: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binned_ity_bits: Option<f64>,
}

/// How a layer of the plane is named, from its id in reports
/// (`LayerInfo::layer`): one table for the plane's labels and the pins on
/// the page (`short`) and the column names of the metrics CSV of the page
/// and `ibp train --log` (`column`). The page receives it as
/// `pageFacts().layer_names`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LayerName {
    /// The start of the layer's id: "encoder " (then the layer's number
    /// from 1), "latent mean", "Z"; an id not numbered is the prefix
    /// alone or the prefix, a space and more ("latent mean (deterministic)").
    pub prefix: &'static str,
    /// The id ends in the layer's number, which both names carry on (T1).
    pub numbered: bool,
    /// The name on plots and in labels: "T" (T1, T2, ...), "μ", "Z".
    pub short: &'static str,
    /// The name in column names, ASCII: "T", "mu", "Z".
    pub column: &'static str,
}

/// The plane's layers by name: the encoder's hidden layers, the latent mean
/// (deterministic), the code Z.
pub const LAYER_NAMES: [LayerName; 3] = [
    LayerName {
        prefix: "encoder ",
        numbered: true,
        short: "T",
        column: "T",
    },
    LayerName {
        prefix: "latent mean",
        numbered: false,
        short: "μ",
        column: "mu",
    },
    LayerName {
        prefix: "Z",
        numbered: false,
        short: "Z",
        column: "Z",
    },
];

impl LayerInfo {
    /// The table's entry for layer id `layer` and the number it carries
    /// ("" unless numbered), or None for an id the table does not name.
    fn named(layer: &str) -> Option<(&'static LayerName, &str)> {
        LAYER_NAMES.iter().find_map(|name| {
            let rest = layer.strip_prefix(name.prefix)?;
            match name.numbered {
                true => rest.parse::<u32>().is_ok().then_some((name, rest)),
                false => (rest.is_empty() || rest.starts_with(' ')).then_some((name, "")),
            }
        })
    }

    /// The short name of layer `layer` in column names and labels: `T1`,
    /// `T2`, ... for the encoder's hidden layers, `mu` for the latent mean,
    /// `Z` for the code (`LAYER_NAMES`); another id with every character
    /// but letters and digits made `_`.
    pub fn column_prefix(layer: &str) -> String {
        match LayerInfo::named(layer) {
            Some((name, number)) => format!("{}{number}", name.column),
            None => layer
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect(),
        }
    }

    /// The name of layer `layer` on plots: `T1`, ..., `μ`, `Z`
    /// (`LAYER_NAMES`); another id as it is.
    pub fn short_name(layer: &str) -> String {
        match LayerInfo::named(layer) {
            Some((name, number)) => format!("{}{number}", name.short),
            None => layer.to_string(),
        }
    }
}

/// Sums over one split, as both backends accumulate them (nats): the data
/// term over every example and noise sample, the KL over every example.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitSums {
    pub examples: usize,
    /// Noise samples per example in `data_nats`.
    pub samples: usize,
    pub data_nats: f64,
    pub kl_nats: f64,
    /// The KL of each latent dimension over the examples (empty when the
    /// split's dimensions are not measured).
    pub kl_dims_nats: Vec<f64>,
    /// Examples whose S-sample prediction is right (label objectives).
    pub correct: Option<f64>,
    /// Examples whose first-sample prediction is right.
    pub correct_single: Option<f64>,
}

impl SplitSums {
    fn n(&self) -> f64 {
        self.examples.max(1) as f64
    }

    /// Mean data term per example and sample, nats.
    pub fn data_mean(&self) -> f64 {
        self.data_nats / (self.n() * self.samples.max(1) as f64)
    }

    /// Mean KL per example, nats.
    pub fn kl_mean(&self) -> f64 {
        self.kl_nats / self.n()
    }

    pub fn accuracy(&self) -> Option<f64> {
        self.correct.map(|c| c / self.n())
    }

    pub fn accuracy_single(&self) -> Option<f64> {
        self.correct_single.map(|c| c / self.n())
    }
}

/// What a report says besides the split sums: the moment and the settings
/// in force.
#[derive(Clone, Debug)]
pub struct Moment<'a> {
    pub step: u32,
    pub n_train: usize,
    pub batch: usize,
    pub beta: f64,
    pub lr: f64,
    /// Mean minibatch objective since the previous report, bits (None
    /// before the first step).
    pub train_loss: Option<f64>,
    /// H(Y) of the training labels, bits.
    pub label_entropy_bits: f64,
    pub predicts_label: bool,
    /// Input features of a per-feature bottleneck.
    pub features: Option<usize>,
    pub backend: &'a str,
    pub is_final: bool,
    pub target_gap: Option<f64>,
}

impl Report {
    /// Assembles a report from the held-out split's and the training
    /// subset's sums, the same way for every backend: the bounds of
    /// docs/science.md section 1 in bits (rate = E[KL] / ln 2; I(Z;Y) >= H(Y) -
    /// E[CE] / ln 2), accuracies as fractions. The plane is added after.
    pub fn from_sums(at: &Moment, test: &SplitSums, train: &SplitSums) -> Report {
        let ln2 = std::f64::consts::LN_2;
        let (data, kl) = (test.data_mean(), test.kl_mean());
        let labels = at.predicts_label;
        let rate_dims_bits: Vec<f64> = test
            .kl_dims_nats
            .iter()
            .map(|v| v / test.n() / ln2)
            .collect();
        Report {
            step: at.step,
            epoch: at.step as f64 * at.batch as f64 / at.n_train as f64,
            loss: (data + at.beta * kl) / ln2,
            train_loss: at.train_loss,
            rate_bits: kl / ln2,
            izy_bits: labels.then(|| at.label_entropy_bits - data / ln2),
            distortion_bits: (!labels).then(|| data / ln2),
            train_acc: train.accuracy(),
            test_acc: test.accuracy(),
            test_acc_single: test.accuracy_single(),
            beta: at.beta,
            lr: at.lr,
            backend: at.backend.into(),
            is_final: at.is_final,
            diverged: false,
            rate_features_bits: rate_per_feature(&rate_dims_bits, at.features),
            rate_dims_bits,
            layers: None,
            izx_pairwise_bits: None,
            target_gap: at.target_gap,
        }
    }

    /// Whether the loss, the rate and the I(Z;Y) bound are finite numbers:
    /// the first report where one is not marks a diverged run.
    pub fn is_finite(&self) -> bool {
        self.loss.is_finite()
            && self.rate_bits.is_finite()
            && self.izy_bits.is_none_or(f64::is_finite)
            && self.distortion_bits.is_none_or(f64::is_finite)
    }
}

/// Sums per-dimension rates into per-feature rates (`features` equal blocks).
pub fn rate_per_feature(rate_dims_bits: &[f64], features: Option<usize>) -> Option<Vec<f64>> {
    let features = features?;
    let per = rate_dims_bits.len() / features;
    Some(rate_dims_bits.chunks(per).map(|c| c.iter().sum()).collect())
}

#[cfg(test)]
mod tests {
    use super::LayerInfo;

    #[test]
    fn layers_are_named_by_the_one_table() {
        let cases = [
            ("encoder 1", "T1", "T1"),
            ("encoder 12", "T12", "T12"),
            ("latent mean (deterministic)", "μ", "mu"),
            ("Z", "Z", "Z"),
            ("Zeta", "Zeta", "Zeta"),
            ("encoder x", "encoder x", "encoder_x"),
        ];
        for (id, short, column) in cases {
            assert_eq!(LayerInfo::short_name(id), short, "{id}");
            assert_eq!(LayerInfo::column_prefix(id), column, "{id}");
        }
    }
}
