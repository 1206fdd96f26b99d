//! A stack of dense layers on ndarray: forward with a cache, and backward.
//! Hidden layers apply the activation; the last layer of a stack is linear.

use super::matmul::matmul;
use crate::config::Activation;
use crate::model::{Dense, Real};
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
            h = pre.mapv(|v| activation.apply(v));
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
    let mut delta = d_out;
    for l in (0..layers.len()).rev() {
        if l + 1 < layers.len() {
            // delta holds d loss / d activation output; turn it into d / d pre.
            Zip::from(&mut delta)
                .and(&cache.pre[l])
                .and(&cache.inputs[l + 1])
                .for_each(|d, &x, &y| *d *= activation.derivative(x, y));
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
