//! The bottleneck model, independent of any backend: shapes, parameters,
//! initialisation and the scalar math of the objective.
//!
//! Encoder: x -> hidden layers (activation) -> 2K outputs, mean `mu` and raw
//! scale `rho`; `sigma = softplus(rho - 5)`; `z = mu + sigma * eps`. Decoder:
//! z -> (optional hidden layer) -> class logits (`vib`) or a reconstruction of
//! x (`vae`). Loss per example in nats: data term + beta * KL(N(mu, sigma^2) ||
//! N(0, I)), with KL = 0.5 * sum_k (mu^2 + sigma^2 - 1 - ln sigma^2).

use crate::config::{Activation, Bottleneck, Decoder, Experiment, Init, Objective};
use crate::rng::{Key, Stream};
use ndarray::{Array1, Array2};
use num_traits::{Float, FromPrimitive};

/// Shift inside the softplus of the scale: the initial sigma is
/// softplus(-5) = 0.0067, so training starts nearly deterministic (Alemi et al.).
pub const SIGMA_SHIFT: f64 = 5.0;
/// sqrt(2 / pi) of the tanh approximation of GELU.
const GELU_C: f64 = 0.797_884_560_802_865_4;
const GELU_A: f64 = 0.044_715;

/// The float types the CPU backend runs in: f32 for training (as the GPU),
/// f64 for gradient checks.
pub trait Real:
    Float
    + FromPrimitive
    + ndarray::LinalgScalar
    + ndarray::ScalarOperand
    + std::fmt::Debug
    + std::fmt::Display
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + Send
    + Sync
    + 'static
{
    /// e^x. For f32 the same bits natively and in WebAssembly (`fmath`), so
    /// the page reproduces the CLI exactly; f64 (gradient checks) uses std.
    fn det_exp(self) -> Self;
    /// ln x (see `det_exp`).
    fn det_ln(self) -> Self;
    /// ln(1 + x) for x >= 0 (see `det_exp`).
    fn det_ln_1p(self) -> Self;
    /// tanh x (see `det_exp`).
    fn det_tanh(self) -> Self;
}
impl Real for f32 {
    fn det_exp(self) -> Self {
        crate::fmath::exp(self)
    }
    fn det_ln(self) -> Self {
        crate::fmath::ln(self)
    }
    fn det_ln_1p(self) -> Self {
        crate::fmath::ln_1p(self)
    }
    fn det_tanh(self) -> Self {
        crate::fmath::tanh(self)
    }
}

impl Real for f64 {
    fn det_exp(self) -> Self {
        self.exp()
    }
    fn det_ln(self) -> Self {
        self.ln()
    }
    fn det_ln_1p(self) -> Self {
        self.ln_1p()
    }
    fn det_tanh(self) -> Self {
        self.tanh()
    }
}

/// A constant in the working precision.
#[inline]
pub fn real<F: Real>(v: f64) -> F {
    F::from_f64(v).expect("representable constant")
}

/// Layer widths of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub input: usize,
    pub hidden: Vec<usize>,
    pub latent: usize,
    pub decoder_hidden: Option<usize>,
    /// Classes (`vib`) or input size (`vae`).
    pub output: usize,
    /// With a per-feature bottleneck: the number of input features, each
    /// with its own block of every encoder layer (`hidden` and `latent` are
    /// totals, multiples of it).
    pub features: Option<usize>,
}

impl Shape {
    /// The shape of an experiment on data with `input` features and `classes` labels.
    pub fn new(experiment: &Experiment, input: usize, classes: usize) -> Shape {
        let groups = match experiment.bottleneck {
            Bottleneck::Joint => 1,
            Bottleneck::Feature => input,
        };
        Shape {
            input,
            hidden: experiment.hidden.iter().map(|h| h * groups).collect(),
            latent: experiment.latent * groups,
            features: (experiment.bottleneck == Bottleneck::Feature).then_some(input),
            decoder_hidden: (experiment.decoder == Decoder::Mlp)
                .then_some(experiment.decoder_hidden),
            output: match experiment.objective {
                Objective::Vib | Objective::Sqib => classes,
                Objective::Vae => input,
            },
        }
    }

    /// Widths through the encoder: input, hidden..., 2K.
    pub fn encoder_widths(&self) -> Vec<usize> {
        let mut w = vec![self.input];
        w.extend(&self.hidden);
        w.push(2 * self.latent);
        w
    }

    /// Widths through the decoder: K, (hidden), output.
    pub fn decoder_widths(&self) -> Vec<usize> {
        let mut w = vec![self.latent];
        w.extend(self.decoder_hidden);
        w.push(self.output);
        w
    }

    /// Whether weight (r, c) of encoder layer `layer` exists: always for a
    /// joint bottleneck; per feature only within the feature's block (the
    /// last layer's columns are [mu | rho], K per feature in each half).
    pub fn allowed(&self, layer: usize, r: usize, c: usize) -> bool {
        let Some(features) = self.features else {
            return true;
        };
        let widths = self.encoder_widths();
        let per_in = widths[layer] / features;
        let is_last = layer + 2 == widths.len();
        let feature_of_column = if is_last {
            let k = self.latent / features;
            (c % self.latent) / k
        } else {
            c / (widths[layer + 1] / features)
        };
        r / per_in == feature_of_column
    }

    /// Number of trainable numbers.
    pub fn parameter_count(&self) -> usize {
        let count = |w: Vec<usize>| w.windows(2).map(|p| p[0] * p[1] + p[1]).sum::<usize>();
        count(self.encoder_widths()) + count(self.decoder_widths())
    }
}

/// A fully connected layer, `y = x W + b` with W of shape (fan_in, fan_out).
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<F> {
    pub w: Array2<F>,
    pub b: Array1<F>,
}

impl<F: Real> Dense<F> {
    pub fn zeros(fan_in: usize, fan_out: usize) -> Self {
        Dense {
            w: Array2::zeros((fan_in, fan_out)),
            b: Array1::zeros(fan_out),
        }
    }
}

/// All parameters: encoder layers, then decoder layers.
#[derive(Clone, Debug, PartialEq)]
pub struct Params<F> {
    pub encoder: Vec<Dense<F>>,
    pub decoder: Vec<Dense<F>>,
}

impl<F: Real> Params<F> {
    /// Zero tensors of the model's shape (gradients, optimiser moments).
    pub fn zeros(shape: &Shape) -> Self {
        let layers = |w: Vec<usize>| w.windows(2).map(|p| Dense::zeros(p[0], p[1])).collect();
        Params {
            encoder: layers(shape.encoder_widths()),
            decoder: layers(shape.decoder_widths()),
        }
    }

    /// Empty tensors in every layer, to be replaced whole (the backward pass
    /// assigns each gradient): no memory is written for them.
    pub fn placeholder(shape: &Shape) -> Self {
        let layers = |w: Vec<usize>| {
            (1..w.len())
                .map(|_| Dense {
                    w: Array2::zeros((0, 0)),
                    b: Array1::zeros(0),
                })
                .collect()
        };
        Params {
            encoder: layers(shape.encoder_widths()),
            decoder: layers(shape.decoder_widths()),
        }
    }

    /// Seeded initialisation, zero biases. `Init::Auto`: uniform Glorot for
    /// tanh, sigmoid, linear and the output layers, uniform He for relu and
    /// gelu hidden layers; `Init::Glorot`: uniform Glorot for every layer.
    /// Weight (r, c) of layer l (encoder first) draws
    /// `Key(seed, Init).uniform(r * fan_out + c, l)`.
    pub fn init(shape: &Shape, activation: Activation, init: Init, seed: u32) -> Self {
        let key = Key::new(seed, Stream::Init);
        let mut params = Self::zeros(shape);
        let n_enc = params.encoder.len();
        let n_dec = params.decoder.len();
        for (l, layer) in params.layers_mut().into_iter().enumerate() {
            let (mut fan_in, mut fan_out) = layer.w.dim();
            let per_feature = l < n_enc && shape.features.is_some();
            if let (true, Some(features)) = (per_feature, shape.features) {
                // Each feature's block is its own small layer.
                fan_in /= features;
                fan_out /= features;
            }
            let full_out = layer.w.ncols();
            let is_output = l == n_enc - 1 || l == n_enc + n_dec - 1;
            let he = init == Init::Auto
                && !is_output
                && matches!(activation, Activation::Relu | Activation::Gelu);
            let limit = if he {
                (6.0 / fan_in as f64).sqrt()
            } else {
                (6.0 / (fan_in + fan_out) as f64).sqrt()
            };
            for ((r, c), w) in layer.w.indexed_iter_mut() {
                if per_feature && !shape.allowed(l, r, c) {
                    continue;
                }
                let u = key.uniform((r * full_out + c) as u32, l as u32) as f64;
                *w = real((2.0 * u - 1.0) * limit);
            }
        }
        params
    }

    /// Every layer, encoder first.
    pub fn layers(&self) -> Vec<&Dense<F>> {
        self.encoder.iter().chain(&self.decoder).collect()
    }

    pub fn layers_mut(&mut self) -> Vec<&mut Dense<F>> {
        self.encoder.iter_mut().chain(&mut self.decoder).collect()
    }

    /// Converts the precision (f32 training state to f64 for checks).
    pub fn cast<G: Real>(&self) -> Params<G> {
        let dense = |d: &Dense<F>| Dense {
            w: d.w.mapv(|v| real::<G>(v.to_f64().unwrap())),
            b: d.b.mapv(|v| real::<G>(v.to_f64().unwrap())),
        };
        Params {
            encoder: self.encoder.iter().map(dense).collect(),
            decoder: self.decoder.iter().map(dense).collect(),
        }
    }

    /// True when every parameter is finite.
    pub fn is_finite(&self) -> bool {
        self.layers()
            .iter()
            .all(|l| l.w.iter().chain(&l.b).all(|v| v.is_finite()))
    }
}

impl Activation {
    /// The activation of a pre-activation value.
    pub fn apply<F: Real>(self, x: F) -> F {
        match self {
            Activation::Tanh => x.det_tanh(),
            Activation::Relu => x.max(F::zero()),
            // 0.5 x (1 + tanh u) = x sigmoid(2u), without cancellation for u << 0.
            Activation::Gelu => x * sigmoid(gelu_2u(x)),
            Activation::Sigmoid => sigmoid(x),
            Activation::Linear => x,
        }
    }

    /// d activation / d x at pre-activation `x` whose activation is `y`.
    pub fn derivative<F: Real>(self, x: F, y: F) -> F {
        match self {
            Activation::Tanh => F::one() - y * y,
            Activation::Relu => {
                if x > F::zero() {
                    F::one()
                } else {
                    F::zero()
                }
            }
            Activation::Gelu => {
                // d/dx x sigmoid(2u) = s + x s (1 - s) d(2u)/dx, no cancellation.
                let u2 = gelu_2u(x);
                let s = sigmoid(u2);
                let du2 = real::<F>(2.0 * GELU_C) * (F::one() + real::<F>(3.0 * GELU_A) * x * x);
                s + x * s * sigmoid(-u2) * du2
            }
            Activation::Sigmoid => y * (F::one() - y),
            Activation::Linear => F::one(),
        }
    }
}

/// 2u = 2 sqrt(2/pi) (x + 0.044715 x^3), the argument of GELU's sigmoid.
#[inline]
fn gelu_2u<F: Real>(x: F) -> F {
    real::<F>(2.0 * GELU_C) * (x + real::<F>(GELU_A) * x * x * x)
}

/// Logistic function, stable for large |x|.
#[inline]
pub fn sigmoid<F: Real>(x: F) -> F {
    if x >= F::zero() {
        F::one() / (F::one() + (-x).det_exp())
    } else {
        let e = x.det_exp();
        e / (F::one() + e)
    }
}

/// softplus(x) = ln(1 + e^x), stable for large |x|.
#[inline]
pub fn softplus<F: Real>(x: F) -> F {
    x.max(F::zero()) + (-x.abs()).det_exp().det_ln_1p()
}

/// sigma = softplus(rho - 5).
#[inline]
pub fn sigma_of_rho<F: Real>(rho: F) -> F {
    softplus(rho - real(SIGMA_SHIFT))
}

/// KL(N(mu, sigma^2) || N(0, 1)) of one latent dimension, in nats.
#[inline]
pub fn kl_term<F: Real>(mu: F, sigma: F) -> F {
    real::<F>(0.5) * (mu * mu + sigma * sigma - F::one()) - sigma.det_ln()
}

/// Everything that defines the network's computation (not its weights).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub shape: Shape,
    pub activation: Activation,
    /// The encoder's hidden activations rounded to 2^quant levels (link key
    /// `quant`), or None.
    pub quant: Option<Quantizer>,
    pub objective: Objective,
    /// Scoring of reconstructions (`vae` only).
    pub likelihood: crate::data::Likelihood,
}

impl Model {
    pub fn new(experiment: &Experiment, dataset: &crate::data::Dataset) -> Model {
        Model {
            shape: Shape::new(experiment, dataset.input_dim, dataset.classes),
            activation: experiment.activation,
            quant: Quantizer::of(experiment),
            objective: experiment.objective,
            likelihood: dataset.likelihood,
        }
    }
}

/// The top of a quantized ReLU's range: its activations are clipped to
/// [0, RELU_CLIP] before rounding (link key `quant`).
pub const RELU_CLIP: f32 = 4.0;

/// Rounds a hidden activation to one of `levels` evenly spaced values over
/// [lo, hi] (tanh [-1, 1], sigmoid [0, 1], ReLU [0, RELU_CLIP]), so every
/// hidden layer is discrete and its information plane can be counted
/// exactly (Lorenzen, Igel & Nielsen 2022). Training passes the gradient
/// straight through the rounding (Bengio, Leonard & Courville 2013), zero
/// where the clip cuts a ReLU off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantizer {
    pub levels: u32,
    pub lo: f32,
    pub hi: f32,
}

impl Quantizer {
    /// The experiment's quantizer: None with `quant=0` or an activation
    /// without a fixed range (refused by `Experiment::validate`).
    pub fn of(experiment: &Experiment) -> Option<Quantizer> {
        let (lo, hi) = match experiment.activation {
            Activation::Tanh => (-1.0, 1.0),
            Activation::Sigmoid => (0.0, 1.0),
            Activation::Relu => (0.0, RELU_CLIP),
            Activation::Gelu | Activation::Linear => return None,
        };
        (experiment.quant > 0).then(|| Quantizer {
            levels: 1 << experiment.quant,
            lo,
            hi,
        })
    }

    /// The level nearest to `a` (clamped to [lo, hi]); ties round up. In
    /// f32 steps, as the GPU would: floor((a - lo) / step + 0.5) levels.
    pub fn apply<F: Real>(self, a: F) -> F {
        let (lo, hi) = (real::<F>(self.lo as f64), real::<F>(self.hi as f64));
        let step = (hi - lo) / real::<F>((self.levels - 1) as f64);
        let clamped = a.max(lo).min(hi);
        lo + ((clamped - lo) / step + real::<F>(0.5)).floor() * step
    }

    /// The straight-through gradient's gate: 1 inside [lo, hi], 0 where the
    /// clip cut the value off (only a ReLU above RELU_CLIP).
    pub fn passes<F: Real>(self, a: F) -> bool {
        a <= real::<F>(self.hi as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_layer(link: &str) -> (Array2<f32>, f64, f64) {
        let experiment = Experiment::from_link(link).unwrap();
        let shape = Shape::new(&experiment, 200, 10);
        let params = Params::<f32>::init(&shape, experiment.activation, experiment.init, 5);
        let w = params.encoder[0].w.clone();
        let (fan_in, fan_out) = w.dim();
        let he = (6.0 / fan_in as f64).sqrt();
        let glorot = (6.0 / (fan_in + fan_out) as f64).sqrt();
        (w, he, glorot)
    }

    fn largest(w: &Array2<f32>) -> f64 {
        w.iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64))
    }

    /// 200 x 300 uniform weights: the largest lies within 0.1 % of the limit.
    #[test]
    fn init_glorot_bounds_relu_layers_by_fan_in_plus_fan_out() {
        let (auto, he, glorot) = first_layer("act=relu&hidden=300&k=4");
        assert!(
            largest(&auto) <= he && largest(&auto) > 0.999 * he,
            "{}",
            largest(&auto)
        );
        let (notebook, _, _) = first_layer("act=relu&hidden=300&k=4&init=glorot");
        let top = largest(&notebook);
        assert!(top <= glorot && top > 0.999 * glorot, "{top} vs {glorot}");
        // The same draws, scaled: Glorot / He = sqrt(fan_in / (fan_in + fan_out)).
        let ratio = notebook[[3, 7]] as f64 / auto[[3, 7]] as f64;
        assert!((ratio - glorot / he).abs() < 1e-6, "{ratio}");
        let (tanh_auto, _, _) = first_layer("act=tanh&hidden=300&k=4");
        let (tanh_glorot, _, _) = first_layer("act=tanh&hidden=300&k=4&init=glorot");
        assert_eq!(tanh_auto, tanh_glorot);
    }
}
