//! The hand-written backward pass against central finite differences, in f64,
//! for every parameter tensor, objective, likelihood, activation and decoder.
use ib_playground::config::{Activation, Bottleneck, Decoder, Experiment, Init, Objective};
use ib_playground::cpu::objective::{loss, loss_and_grads};
use ib_playground::data::Likelihood;
use ib_playground::model::{Model, Params, Shape, kl_term};
use ib_playground::rng::{Key, Stream};
use ndarray::Array2;

const BATCH: usize = 5;
const INPUT: usize = 3;
const CLASSES: usize = 3;
const STEP: f64 = 1e-6;
/// Central differences in f64 have error ~ STEP^2 * f''' + eps / STEP ~ 1e-10
/// relative; 1e-6 leaves room for kinks and curvature and still catches any
/// wrong factor or sign.
const TOLERANCE: f64 = 1e-6;

/// A small model of the given kind, its parameters (random biases, scales
/// near 1), a batch and its labels.
struct Fixture {
    shape: Shape,
    model: Model,
    params: Params<f64>,
    x: Array2<f64>,
    labels: Vec<u32>,
}

fn fixture(
    objective: Objective,
    likelihood: Likelihood,
    activation: Activation,
    decoder: Decoder,
    bottleneck: Bottleneck,
) -> Fixture {
    let experiment = Experiment {
        bottleneck,
        hidden: vec![4, 3],
        latent: 2,
        activation,
        decoder,
        decoder_hidden: 3,
        objective,
        ..Default::default()
    };
    let shape = Shape::new(&experiment, INPUT, CLASSES);
    let model = Model {
        shape: shape.clone(),
        activation,
        quant: None,
        objective,
        likelihood,
    };
    let mut params: Params<f64> = Params::<f32>::init(&shape, activation, Init::Auto, 11).cast();
    // Random biases too, and scales near 1 so the KL's sigma terms matter.
    let key = Key::new(3, Stream::Data);
    for (l, layer) in params.layers_mut().into_iter().enumerate() {
        for (i, b) in layer.b.iter_mut().enumerate() {
            *b = 0.3 * key.normal(i as u32, 100 + l as u32) as f64;
        }
    }
    let k = shape.latent;
    for i in k..2 * k {
        params.encoder.last_mut().unwrap().b[i] += 5.0;
    }
    let x = Array2::from_shape_fn((BATCH, INPUT), |(i, j)| match likelihood {
        Likelihood::Bernoulli => key.uniform((i * INPUT + j) as u32, 1) as f64,
        Likelihood::Gaussian => key.normal((i * INPUT + j) as u32, 1) as f64,
    });
    let labels: Vec<u32> = (0..BATCH as u32).map(|i| i % CLASSES as u32).collect();
    Fixture {
        shape,
        model,
        params,
        x,
        labels,
    }
}

/// Noise for `samples` draws of each example's code: (BATCH * samples) x k.
fn noise(k: usize, samples: usize) -> Array2<f64> {
    let key = Key::new(3, Stream::Data);
    Array2::from_shape_fn((BATCH * samples, k), |(i, j)| {
        key.normal((i * k + j) as u32, 2) as f64
    })
}

#[allow(clippy::needless_range_loop)]
fn case(
    objective: Objective,
    likelihood: Likelihood,
    activation: Activation,
    decoder: Decoder,
    bottleneck: Bottleneck,
    samples: usize,
) {
    let Fixture {
        shape,
        model,
        params,
        x,
        labels,
    } = fixture(objective, likelihood, activation, decoder, bottleneck);
    let eps = noise(shape.latent, samples);
    let beta = 0.3;
    let name =
        format!("{bottleneck}/{objective}/{likelihood:?}/{activation}/{decoder}/S={samples}");

    let (parts, grads) = loss_and_grads(&params, &model, &x, &labels, &eps, beta);
    assert!((parts.total - loss(&params, &model, &x, &labels, &eps, beta).total).abs() < 1e-12);
    assert!(parts.kl > 0.0 && parts.data > 0.0, "{name}: {parts:?}");

    let n_layers = params.layers().len();
    for l in 0..n_layers {
        for is_bias in [false, true] {
            let analytic: Vec<f64> = {
                let g = grads.layers()[l];
                if is_bias {
                    g.b.to_vec()
                } else {
                    g.w.iter().copied().collect()
                }
            };
            let mut numeric = Vec::with_capacity(analytic.len());
            let n_enc = params.encoder.len();
            let fan_out = params.layers()[l].w.ncols();
            for i in 0..analytic.len() {
                // Cross-feature weights of a per-feature bottleneck do not
                // exist: their gradient must be exactly zero.
                if !is_bias && l < n_enc && !shape.allowed(l, i / fan_out, i % fan_out) {
                    assert_eq!(
                        analytic[i], 0.0,
                        "{name}: masked weight {i} of layer {l} has a gradient"
                    );
                    numeric.push(0.0);
                    continue;
                }
                let at = |delta: f64| {
                    let mut p = params.clone();
                    let layer = &mut p.layers_mut()[l];
                    let v = if is_bias {
                        &mut layer.b[i]
                    } else {
                        layer.w.iter_mut().nth(i).unwrap()
                    };
                    *v += delta;
                    loss(&p, &model, &x, &labels, &eps, beta).total
                };
                numeric.push((at(STEP) - at(-STEP)) / (2.0 * STEP));
            }
            let diff: f64 = analytic
                .iter()
                .zip(&numeric)
                .map(|(a, n)| (a - n).powi(2))
                .sum::<f64>()
                .sqrt();
            let norm: f64 = analytic.iter().map(|a| a * a).sum::<f64>().sqrt()
                + numeric.iter().map(|n| n * n).sum::<f64>().sqrt();
            let what = if is_bias { "bias" } else { "weight" };
            assert!(norm > 1e-8, "{name}: layer {l} {what} gradient vanishes");
            let relative = diff / norm;
            let worst = analytic
                .iter()
                .zip(&numeric)
                .enumerate()
                .max_by(|a, b| (a.1.0 - a.1.1).abs().total_cmp(&(b.1.0 - b.1.1).abs()))
                .unwrap();
            assert!(
                relative < TOLERANCE,
                "{name}: layer {l} {what} relative error {relative:.2e}; worst index {} analytic {} numeric {}",
                worst.0,
                worst.1.0,
                worst.1.1
            );
        }
    }
}

#[test]
fn every_objective_activation_and_decoder() {
    let heads = [
        (Objective::Vib, Likelihood::Gaussian),
        (Objective::Sqib, Likelihood::Gaussian),
        (Objective::Vae, Likelihood::Bernoulli),
        (Objective::Vae, Likelihood::Gaussian),
    ];
    for (objective, likelihood) in heads {
        for &activation in Activation::ALL {
            for &decoder in Decoder::ALL {
                case(
                    objective,
                    likelihood,
                    activation,
                    decoder,
                    Bottleneck::Joint,
                    1,
                );
            }
        }
    }
}

#[test]
fn per_feature_bottleneck_gradients() {
    for &activation in Activation::ALL {
        case(
            Objective::Vib,
            Likelihood::Gaussian,
            activation,
            Decoder::Linear,
            Bottleneck::Feature,
            1,
        );
        case(
            Objective::Vae,
            Likelihood::Bernoulli,
            activation,
            Decoder::Mlp,
            Bottleneck::Feature,
            1,
        );
    }
}

#[test]
fn several_noise_samples_per_example() {
    for (objective, likelihood) in [
        (Objective::Vib, Likelihood::Gaussian),
        (Objective::Vae, Likelihood::Bernoulli),
    ] {
        case(
            objective,
            likelihood,
            Activation::Tanh,
            Decoder::Mlp,
            Bottleneck::Joint,
            3,
        );
    }
    // S equal draws per example are one draw: the data term is their mean.
    let f = fixture(
        Objective::Vib,
        Likelihood::Gaussian,
        Activation::Relu,
        Decoder::Linear,
        Bottleneck::Joint,
    );
    let once = noise(f.shape.latent, 1);
    let rows: Vec<usize> = (0..BATCH * 4).map(|j| j / 4).collect();
    let repeated = once.select(ndarray::Axis(0), &rows);
    let (one, g_one) = loss_and_grads(&f.params, &f.model, &f.x, &f.labels, &once, 0.3);
    let (four, g_four) = loss_and_grads(&f.params, &f.model, &f.x, &f.labels, &repeated, 0.3);
    assert!((one.total - four.total).abs() < 1e-12, "{one:?} {four:?}");
    assert_eq!(four.correct, 4 * one.correct);
    for (a, b) in g_one.layers().iter().zip(g_four.layers()) {
        for (x, y) in a.w.iter().zip(&b.w).chain(a.b.iter().zip(&b.b)) {
            assert!((x - y).abs() < 1e-12, "{x} {y}");
        }
    }
    // Different draws are not one draw.
    let (three, _) = loss_and_grads(&f.params, &f.model, &f.x, &f.labels, &noise(2, 3), 0.3);
    assert!((three.data - one.data).abs() > 1e-6, "{one:?} {three:?}");
}

/// KL(N(mu, s^2) || N(0, 1)) = ln(1/s) + (s^2 + mu^2)/2 - 1/2, against the
/// integral of p ln(p/q) by Simpson's rule.
#[test]
fn kl_matches_numerical_integral() {
    for (mu, s) in [(1.0f64, 2.0f64), (0.0, 1.0), (-0.7, 0.3), (2.5, 0.05)] {
        let closed = kl_term(mu, s);
        let (lo, hi, n) = (mu - 12.0 * s, mu + 12.0 * s, 20_000);
        let h = (hi - lo) / n as f64;
        let f = |x: f64| {
            let ln_p =
                -0.5 * ((x - mu) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
            let ln_q = -0.5 * x * x - 0.5 * (2.0 * std::f64::consts::PI).ln();
            ln_p.exp() * (ln_p - ln_q)
        };
        let simpson: f64 = (0..=n)
            .map(|i| {
                let w = if i == 0 || i == n {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                w * f(lo + i as f64 * h)
            })
            .sum::<f64>()
            * h
            / 3.0;
        assert!(
            (closed - simpson).abs() < 1e-9,
            "mu={mu} s={s}: {closed} vs {simpson}"
        );
    }
    assert!((kl_term(1.0f64, 2.0) - (2.0 - 2f64.ln())).abs() < 1e-15);
    assert_eq!(kl_term(0.0f64, 1.0), 0.0);
}
