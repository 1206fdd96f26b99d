//! What the page's views draw, computed from the parameters with the CPU
//! math (the GPU backend reads its parameters back first): plain arrays, no
//! tensors cross to JavaScript.

use crate::config::Experiment;
use crate::cpu::{layers, objective::encode};
use crate::data::{Dataset, Likelihood};
use crate::model::{Model, Params, sigmoid};
use ndarray::{Array2, s};
use serde::Serialize;

/// Test points shown in the latent view.
pub const LATENT_POINTS: usize = 300;
/// Cells per side of the decision map of 2-D data.
pub const MAP_SIZE: usize = 40;
/// Images shown beside their reconstructions or predictions.
pub const IMAGES: usize = 6;
/// Data points drawn over the decision map.
pub const MAP_POINTS: usize = 400;
/// Cells per side of each hidden unit's activation map (2-D data).
pub const UNIT_MAP_SIZE: usize = 20;
/// Hidden units per layer whose activation maps are drawn.
pub const UNIT_MAPS_PER_LAYER: usize = 16;

/// Facts about the dataset for the views.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetInfo {
    pub name: String,
    pub train: usize,
    pub test: usize,
    pub input_dim: usize,
    pub classes: usize,
    pub class_names: Vec<String>,
    pub image: Option<[usize; 2]>,
    /// H(Y) of the training labels, bits: the ceiling of I(Z;Y).
    pub hy_bits: f64,
    /// log2 of the training patterns: the ceiling of I(X;T) on the plane.
    pub hx_bits: f64,
    pub objective: String,
    /// An uploaded table: how it was read, its columns, its classes.
    pub table: Option<crate::data::csv::TableSummary>,
    /// The model's layers as the diagram draws them (`facts::model_layers`).
    pub layers: Vec<crate::facts::ModelLayer>,
}

impl DatasetInfo {
    pub fn of(dataset: &Dataset, experiment: &Experiment) -> DatasetInfo {
        let plane_patterns = dataset.train.len().min(crate::info::plane::MAX_PATTERNS);
        DatasetInfo {
            name: dataset.name.name().into(),
            train: dataset.train.len(),
            test: dataset.test.len(),
            input_dim: dataset.input_dim,
            classes: dataset.classes,
            class_names: dataset.class_names.clone(),
            image: dataset.image.map(|(h, w)| [h, w]),
            hy_bits: dataset.label_entropy_bits(),
            hx_bits: (plane_patterns as f64).log2(),
            objective: experiment.objective.name().into(),
            table: dataset.table.clone(),
            layers: crate::facts::model_layers(
                experiment,
                &crate::model::Shape::new(experiment, dataset.input_dim, dataset.classes),
            ),
        }
    }
}

/// Latent means and scales of a sample of test points, in two dimensions.
#[derive(Clone, Debug, Serialize)]
pub struct LatentView {
    /// "dims 1-2", "dim 1" or "PCA".
    pub projection: String,
    pub means: Vec<[f32; 2]>,
    /// Standard deviation along each shown axis.
    pub scales: Vec<[f32; 2]>,
    pub labels: Vec<u32>,
}

/// The model's prediction over the plane of 2-D data.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionMap {
    pub x: [f32; 2],
    pub y: [f32; 2],
    pub size: usize,
    /// Row-major from (x0, y0): predicted class and its probability.
    pub classes: Vec<u32>,
    pub confidence: Vec<f32>,
    /// Training points: x, y, label.
    pub points: Vec<[f32; 3]>,
    /// Held-out points: x, y, label.
    pub test_points: Vec<[f32; 3]>,
    /// The two input features on the axes (names), and how they were
    /// chosen when the table has more than two ("" for 2-D data).
    pub axes: [String; 2],
    pub chosen: String,
    /// Each hidden layer's first units: activation over a coarser grid of
    /// the same square, `UNIT_MAP_SIZE` per side, row-major from (x0, y0).
    pub units: Vec<Vec<Vec<f32>>>,
    pub units_size: usize,
}

/// A few test images beside what the model makes of them.
#[derive(Clone, Debug, Serialize)]
pub struct ImageView {
    pub side: [usize; 2],
    pub inputs: Vec<Vec<f32>>,
    pub labels: Vec<u32>,
    /// Reconstructions in [0, 1] (vae).
    pub reconstructions: Option<Vec<Vec<f32>>>,
    /// Class probabilities (vib, sqib).
    pub probabilities: Option<Vec<Vec<f32>>>,
}

/// Everything the views need at one moment.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub step: u32,
    pub latent: LatentView,
    /// Mean sigma of each latent dimension over the sampled test points.
    pub sigma_dims: Vec<f32>,
    pub map: Option<DecisionMap>,
    pub images: Option<ImageView>,
}

/// The decoder's output for latent codes `z`.
fn decode(params: &Params<f32>, model: &Model, z: Array2<f32>) -> Array2<f32> {
    layers::forward(&params.decoder, model.activation, z).0
}

fn softmax_rows(mut logits: Array2<f32>) -> Array2<f32> {
    for mut row in logits.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let total = row.sum();
        row.mapv_inplace(|v| v / total);
    }
    logits
}

/// Top two principal axes of the rows: power iteration on the covariance,
/// the second after deflating the first.
fn principal_axes(x: &Array2<f32>) -> [Vec<f32>; 2] {
    let mean = x.mean_axis(ndarray::Axis(0)).expect("rows");
    let centred = x - &mean;
    let mut cov = centred.t().dot(&centred);
    let k = cov.nrows();
    let mut axes: [Vec<f32>; 2] = [vec![0.0; k], vec![0.0; k]];
    for (a, axis) in axes.iter_mut().enumerate() {
        let mut v: Vec<f32> = (0..k).map(|i| 1.0 + ((i * 7 + a * 3) % 5) as f32).collect();
        let mut eigenvalue = 0.0;
        for _ in 0..200 {
            let w: Vec<f32> = (0..k)
                .map(|i| (0..k).map(|j| cov[[i, j]] * v[j]).sum())
                .collect();
            eigenvalue = w.iter().map(|x| x * x).sum::<f32>().sqrt();
            if eigenvalue < 1e-12 {
                break;
            }
            v = w.iter().map(|x| x / eigenvalue).collect();
        }
        for i in 0..k {
            for j in 0..k {
                cov[[i, j]] -= eigenvalue * v[i] * v[j];
            }
        }
        *axis = v;
    }
    axes
}

fn latent_view(means: &Array2<f32>, sigmas: &Array2<f32>, labels: &[u32]) -> LatentView {
    let k = means.ncols();
    let (projection, axes): (&str, [Vec<f32>; 2]) = match k {
        1 => ("dim 1", [vec![1.0], vec![0.0]]),
        2 => ("dims 1-2", [vec![1.0, 0.0], vec![0.0, 1.0]]),
        _ => ("PCA", principal_axes(means)),
    };
    let project = |row: ndarray::ArrayView1<f32>, axis: &[f32]| {
        row.iter().zip(axis).map(|(a, b)| a * b).sum::<f32>()
    };
    let spread = |row: ndarray::ArrayView1<f32>, axis: &[f32]| {
        row.iter()
            .zip(axis)
            .map(|(s, b)| s * s * b * b)
            .sum::<f32>()
            .sqrt()
    };
    LatentView {
        projection: projection.into(),
        means: means
            .rows()
            .into_iter()
            .map(|r| [project(r, &axes[0]), project(r, &axes[1])])
            .collect(),
        scales: sigmas
            .rows()
            .into_iter()
            .map(|r| [spread(r, &axes[0]), spread(r, &axes[1])])
            .collect(),
        labels: labels.to_vec(),
    }
}

/// The square around the training points, with a 10 % margin.
fn map_bounds(x: &Array2<f32>) -> ([f32; 2], [f32; 2]) {
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for row in x.rows() {
        for d in 0..2 {
            lo[d] = lo[d].min(row[d]);
            hi[d] = hi[d].max(row[d]);
        }
    }
    for d in 0..2 {
        let margin = 0.1 * (hi[d] - lo[d]).max(1e-3);
        lo[d] -= margin;
        hi[d] += margin;
    }
    (lo, hi)
}

/// Cell centres of an n x n grid over [lo, hi], row-major from (x0, y0).
fn grid(lo: [f32; 2], hi: [f32; 2], n: usize) -> Array2<f32> {
    Array2::from_shape_fn((n * n, 2), |(i, d)| {
        let cell = if d == 0 { i % n } else { i / n };
        lo[d] + (hi[d] - lo[d]) * (cell as f32 + 0.5) / n as f32
    })
}

fn labelled_points(split: &crate::data::Split, axes: [usize; 2]) -> Vec<[f32; 3]> {
    (0..split.len().min(MAP_POINTS))
        .map(|i| {
            [
                split.x[[i, axes[0]]],
                split.x[[i, axes[1]]],
                split.y[i] as f32,
            ]
        })
        .collect()
}

/// The two features a wider table's map is drawn over: those whose weights
/// into the first encoder layer are largest (the ones the encoder uses most).
fn chosen_features(params: &Params<f32>, features: usize) -> [usize; 2] {
    let w = &params.encoder[0].w;
    let mut norms: Vec<(usize, f32)> = (0..features)
        .map(|f| (f, w.row(f).iter().map(|v| v * v).sum::<f32>()))
        .collect();
    norms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (mut a, mut b) = (norms[0].0, norms[1].0);
    if a > b {
        std::mem::swap(&mut a, &mut b);
    }
    [a, b]
}

/// Rows of `grid` (two columns) placed into `features`-wide inputs at
/// columns `axes`, the other features at their training means.
fn embed_grid(grid: &Array2<f32>, axes: [usize; 2], means: &[f32]) -> Array2<f32> {
    Array2::from_shape_fn((grid.nrows(), means.len()), |(i, f)| {
        if f == axes[0] {
            grid[[i, 0]]
        } else if f == axes[1] {
            grid[[i, 1]]
        } else {
            means[f]
        }
    })
}

fn decision_map(params: &Params<f32>, model: &Model, dataset: &Dataset) -> DecisionMap {
    let features = dataset.input_dim;
    let axes = if features == 2 {
        [0, 1]
    } else {
        chosen_features(params, features)
    };
    let means: Vec<f32> = dataset
        .train
        .x
        .mean_axis(ndarray::Axis(0))
        .expect("rows")
        .to_vec();
    let train_xy = dataset.train.x.select(ndarray::Axis(1), &axes);
    let (lo, hi) = map_bounds(&train_xy);
    let n = MAP_SIZE;
    let enc = encode(params, model, embed_grid(&grid(lo, hi, n), axes, &means));
    let probs = softmax_rows(decode(params, model, enc.mu));
    let (mut classes, mut confidence) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
    for row in probs.rows() {
        let best = crate::cpu::eval::argmax(row.as_slice().expect("contiguous"));
        classes.push(best as u32);
        confidence.push(row[best]);
    }
    let coarse = encode(
        params,
        model,
        embed_grid(&grid(lo, hi, UNIT_MAP_SIZE), axes, &means),
    );
    let units = coarse.cache.inputs[1..]
        .iter()
        .map(|layer| {
            (0..layer.ncols().min(UNIT_MAPS_PER_LAYER))
                .map(|u| layer.column(u).to_vec())
                .collect()
        })
        .collect();
    let name = |f: usize| {
        let names = dataset.table.as_ref().map(|t| t.columns[f].name.clone());
        names.unwrap_or_else(|| format!("x{}", f + 1))
    };
    DecisionMap {
        x: [lo[0], hi[0]],
        y: [lo[1], hi[1]],
        size: n,
        classes,
        confidence,
        points: labelled_points(&dataset.train, axes),
        test_points: labelled_points(&dataset.test, axes),
        units,
        units_size: UNIT_MAP_SIZE,
        axes: [name(axes[0]), name(axes[1])],
        chosen: if features == 2 {
            String::new()
        } else {
            format!(
                "the two of {features} features the encoder weighs most; the others at their means"
            )
        },
    }
}

fn image_view(
    params: &Params<f32>,
    model: &Model,
    dataset: &Dataset,
    side: (usize, usize),
) -> ImageView {
    let n = dataset.test.len().min(IMAGES);
    let x = dataset.test.x.slice(s![..n, ..]).to_owned();
    let enc = encode(params, model, x.clone());
    let out = decode(params, model, enc.mu);
    let rows = |a: &Array2<f32>| a.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    let (reconstructions, probabilities) = if model.objective.predicts_label() {
        (None, Some(rows(&softmax_rows(out))))
    } else {
        let shown = match model.likelihood {
            Likelihood::Bernoulli => out.mapv(sigmoid),
            Likelihood::Gaussian => out,
        };
        (Some(rows(&shown)), None)
    };
    ImageView {
        side: [side.0, side.1],
        inputs: rows(&x),
        labels: dataset.test.y[..n].to_vec(),
        reconstructions,
        probabilities,
    }
}

/// The views' data for the current parameters. Predictions use the latent
/// mean (no noise), so the pictures do not flicker.
pub fn take(
    params: &Params<f32>,
    model: &Model,
    _experiment: &Experiment,
    dataset: &Dataset,
    step: u32,
) -> Snapshot {
    let n = dataset.test.len().min(LATENT_POINTS);
    let enc = encode(params, model, dataset.test.x.slice(s![..n, ..]).to_owned());
    let latent = latent_view(&enc.mu, &enc.sigma, &dataset.test.y[..n]);
    let sigma_dims = enc
        .sigma
        .mean_axis(ndarray::Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_default();
    // A map for 2-D data, and for tables of more features over two of them.
    let tabular = dataset.input_dim == 2 || (dataset.table.is_some() && dataset.input_dim > 2);
    let two_d = tabular && model.objective.predicts_label();
    Snapshot {
        step,
        latent,
        sigma_dims,
        map: two_d.then(|| decision_map(params, model, dataset)),
        images: dataset
            .image
            .map(|side| image_view(params, model, dataset, side)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_tables_get_a_map_over_two_named_features() {
        let mut text = String::from("width;height;flat;kind\n");
        for i in 0..40 {
            let (w, h) = ((i % 10) as f32 / 4.0, (i / 10) as f32 / 3.0);
            let kind = if w + h > 2.0 { "tall" } else { "small" };
            text.push_str(&format!("{w};{h};1;{kind}\n").replace('.', ","));
        }
        let experiment = Experiment::from_link("data=csv&hidden=8&k=2").unwrap();
        let dataset = crate::data::csv::dataset_from_bytes(text.as_bytes(), 0.8, 1).unwrap();
        let model = Model::new(&experiment, &dataset);
        let params = Params::init(&model.shape, experiment.activation, experiment.init, 1);
        let snap = take(&params, &model, &experiment, &dataset, 0);
        let map = snap.map.expect("a map for a 3-feature table");
        assert!(map.chosen.contains("two of 3 features"), "{}", map.chosen);
        for name in &map.axes {
            assert!(
                ["width", "height", "flat"].contains(&name.as_str()),
                "{name}"
            );
        }
        assert_ne!(map.axes[0], map.axes[1]);
        assert_eq!(map.classes.len(), MAP_SIZE * MAP_SIZE);
    }

    #[test]
    fn principal_axes_find_the_spread() {
        // Points along (1, 1, 0) with a little spread along (0, 0, 1).
        let x = Array2::from_shape_fn((50, 3), |(i, d)| {
            let t = i as f32 - 25.0;
            match d {
                0 | 1 => t,
                _ => 0.1 * ((i % 3) as f32 - 1.0),
            }
        });
        let [a, b] = principal_axes(&x);
        let h = std::f32::consts::FRAC_1_SQRT_2;
        assert!(
            (a[0].abs() - h).abs() < 1e-3 && (a[1].abs() - h).abs() < 1e-3 && a[2].abs() < 1e-3,
            "{a:?}"
        );
        assert!(b[2].abs() > 0.99, "{b:?}");
    }
}
