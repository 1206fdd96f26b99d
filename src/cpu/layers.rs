//! A stack of dense layers on ndarray: forward with a cache, and backward.
//! Hidden layers apply the activation; the last layer of a stack is linear.

use super::matmul::matmul;
use crate::config::Activation;
use crate::model::{Dense, Quantizer, Real};
use ndarray::{Array2, Axis, Zip};

/// What the backward pass needs: each layer's input (the previous layer's
/// activation) and each hidden layer's pre-activation.
#[derive(Clone, Debug)]
pub struct StackCache<F> {
    pub inputs: Vec<Array2<F>>,
    /// Pre-activations of the hidden layers (the linear last layer needs none).
    pub pre: Vec<Array2<F>>,
}

/// `x W + b` for a batch.
pub fn affine<F: Real>(layer: &Dense<F>, x: &Array2<F>) -> Array2<F> {
    let mut y = matmul(x.view(), layer.w.view());
    y += &layer.b;
    y
}

/// Runs `x` through `layers`; returns the output and the cache.
pub fn forward<F: Real>(
    layers: &[Dense<F>],
    activation: Activation,
    x: Array2<F>,
) -> (Array2<F>, StackCache<F>) {
    forward_quantized(layers, activation, None, x)
}

/// `forward` with each hidden activation rounded by `quant` (the cache
/// keeps the rounded values, which the next layer reads).
pub fn forward_quantized<F: Real>(
    layers: &[Dense<F>],
    activation: Activation,
    quant: Option<Quantizer>,
    x: Array2<F>,
) -> (Array2<F>, StackCache<F>) {
    let mut cache = StackCache {
        inputs: Vec::with_capacity(layers.len()),
        pre: Vec::with_capacity(layers.len()),
    };
    let mut h = x;
    for (l, layer) in layers.iter().enumerate() {
        let pre = affine(layer, &h);
        cache.inputs.push(h);
        if l + 1 == layers.len() {
            h = pre;
        } else {
            h = match quant {
                None => pre.mapv(|v| activation.apply(v)),
                Some(q) => pre.mapv(|v| q.apply(activation.apply(v))),
            };
            cache.pre.push(pre);
        }
    }
    (h, cache)
}

/// Backward through the stack from `d_out` (gradient w.r.t. its output).
/// Writes parameter gradients into `grads` and returns the gradient w.r.t.
/// the stack's input when `need_input_grad`.
pub fn backward<F: Real>(
    layers: &[Dense<F>],
    activation: Activation,
    cache: &StackCache<F>,
    d_out: Array2<F>,
    grads: &mut [Dense<F>],
    need_input_grad: bool,
) -> Option<Array2<F>> {
    backward_quantized(
        layers,
        activation,
        None,
        cache,
        d_out,
        grads,
        need_input_grad,
    )
}

/// `backward` through a stack run by `forward_quantized`: the gradient goes
/// straight through the rounding (the activation's derivative at its
/// unrounded value), and stops where `quant`'s clip cut the value off.
pub fn backward_quantized<F: Real>(
    layers: &[Dense<F>],
    activation: Activation,
    quant: Option<Quantizer>,
    cache: &StackCache<F>,
    d_out: Array2<F>,
    grads: &mut [Dense<F>],
    need_input_grad: bool,
) -> Option<Array2<F>> {
    let mut delta = d_out;
    for l in (0..layers.len()).rev() {
        if l + 1 < layers.len() {
            // delta holds d loss / d activation output; turn it into d / d pre.
            Zip::from(&mut delta)
                .and(&cache.pre[l])
                .and(&cache.inputs[l + 1])
                .for_each(|d, &x, &y| *d *= hidden_derivative(activation, quant, x, y));
        }
        grads[l].w = matmul(cache.inputs[l].t(), delta.view());
        grads[l].b = delta.sum_axis(Axis(0));
        if l > 0 || need_input_grad {
            delta = matmul(delta.view(), layers[l].w.t());
        } else {
            return None;
        }
    }
    Some(delta)
}

/// d activation / d pre-activation `x` whose (maybe rounded) output is `y`;
/// through a quantizer, the straight-through gradient.
fn hidden_derivative<F: Real>(activation: Activation, quant: Option<Quantizer>, x: F, y: F) -> F {
    match quant {
        None => activation.derivative(x, y),
        Some(q) => {
            let a = activation.apply(x);
            if q.passes(a) {
                activation.derivative(x, a)
            } else {
                F::zero()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, arr2};

    fn quantizer(activation: Activation, quant: u32) -> Quantizer {
        let experiment = crate::config::Experiment {
            activation,
            quant,
            ..Default::default()
        };
        Quantizer::of(&experiment).unwrap()
    }

    #[test]
    fn levels_round_to_nearest_with_ties_up_and_clip() {
        let q = quantizer(Activation::Tanh, 2);
        let got: Vec<f32> = [-1.0f32, -0.4, 0.0, 0.5, 2.0]
            .iter()
            .map(|&a| q.apply(a))
            .collect();
        let third = 1.0f32 / 3.0;
        for (g, want) in got.iter().zip([-1.0, -third, third, third, 1.0]) {
            assert!((g - want).abs() < 1e-6, "{got:?}");
        }
        let relu = quantizer(Activation::Relu, 1);
        assert_eq!(
            [relu.apply(1.9f32), relu.apply(2.0), relu.apply(9.0)],
            [0.0, 4.0, 4.0]
        );
        assert!(relu.passes(3.9f32) && !relu.passes(4.1f32));
        assert_eq!(quantizer(Activation::Sigmoid, 8).levels, 256);
    }

    #[test]
    fn the_gradient_goes_straight_through_the_rounding() {
        // tanh, 4 levels: the forward pass rounds, the backward pass uses
        // tanh'(pre) at the unrounded value, and the next layer's weight
        // gradient reads the rounded activation.
        let layers = vec![
            Dense {
                w: arr2(&[[0.7f64, -1.3]]),
                b: Array1::from(vec![0.1, 0.2]),
            },
            Dense {
                w: arr2(&[[1.0], [2.0]]),
                b: Array1::from(vec![0.0]),
            },
        ];
        let q = quantizer(Activation::Tanh, 2);
        let x = arr2(&[[0.5f64]]);
        let (out, cache) = forward_quantized(&layers, Activation::Tanh, Some(q), x);
        let pre = [0.7 * 0.5 + 0.1, -1.3 * 0.5 + 0.2];
        let rounded: Vec<f64> = pre.iter().map(|&p: &f64| q.apply(p.tanh())).collect();
        assert_eq!(cache.inputs[1].row(0).to_vec(), rounded);
        assert!((out[[0, 0]] - (rounded[0] + 2.0 * rounded[1])).abs() < 1e-12);
        let mut grads = layers.clone();
        backward_quantized(
            &layers,
            Activation::Tanh,
            Some(q),
            &cache,
            arr2(&[[1.0]]),
            &mut grads,
            false,
        );
        assert_eq!(grads[1].w.column(0).to_vec(), rounded);
        for (unit, &p) in pre.iter().enumerate() {
            let want = [1.0, 2.0][unit] * (1.0 - p.tanh().powi(2)) * 0.5;
            assert!(
                (grads[0].w[[0, unit]] - want).abs() < 1e-12,
                "unit {unit}: {} vs {want}",
                grads[0].w[[0, unit]]
            );
        }
    }
}
