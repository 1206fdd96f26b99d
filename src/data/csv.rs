//! The user's own data: a CSV table of numeric feature columns with the class
//! label in the last column. A first line with non-numeric features is a
//! header. Fields may be wrapped in double quotes but may not contain commas.
//! Features are standardised with the training rows' mean and deviation.
//! Every error names the line and column.

use super::{DataError, Dataset, Likelihood, Split, split_indices};
use crate::config::DataName;
use ndarray::Array2;

/// Limits, checked before anything large is built.
pub const MAX_CSV_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_ROWS: usize = 100_000;
pub const MAX_FEATURES: usize = 1024;
pub const MAX_CLASSES: usize = 100;
pub const MIN_ROWS: usize = 4;

/// A parsed table: features row-major, and the label text of each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names from the header, or `x1..xn`.
    pub feature_names: Vec<String>,
    pub features: usize,
    pub x: Vec<f32>,
    pub labels: Vec<String>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.labels.len()
    }
}

fn error(line: usize, column: Option<usize>, message: String) -> DataError {
    DataError::at(line, column, message)
}

fn unquote(field: &str) -> &str {
    let t = field.trim();
    t.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t)
}

fn shown(field: &str) -> String {
    field
        .chars()
        .take(30)
        .flat_map(char::escape_default)
        .collect()
}

/// Parses CSV text into a table.
pub fn parse(text: &str) -> Result<Table, DataError> {
    if text.len() > MAX_CSV_BYTES {
        return Err(DataError::new(format!(
            "CSV is {} bytes (allowed: at most {MAX_CSV_BYTES})",
            text.len()
        )));
    }
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (first_no, first) = lines.next().ok_or_else(|| DataError::new("CSV is empty"))?;
    let first_fields: Vec<&str> = first.split(',').map(unquote).collect();
    let columns = first_fields.len();
    if columns < 2 {
        return Err(error(
            first_no,
            None,
            "needs at least one feature column and a label column".into(),
        ));
    }
    if columns - 1 > MAX_FEATURES {
        return Err(error(
            first_no,
            None,
            format!(
                "{} feature columns (allowed: at most {MAX_FEATURES})",
                columns - 1
            ),
        ));
    }
    let is_header = first_fields[..columns - 1]
        .iter()
        .any(|f| f.parse::<f32>().is_err());
    let feature_names = if is_header {
        first_fields[..columns - 1]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        (1..columns).map(|i| format!("x{i}")).collect()
    };
    let mut table = Table {
        feature_names,
        features: columns - 1,
        x: Vec::new(),
        labels: Vec::new(),
    };
    let data_lines = std::iter::once((first_no, first))
        .filter(|_| !is_header)
        .chain(lines);
    for (line_no, line) in data_lines {
        if table.rows() == MAX_ROWS {
            return Err(error(
                line_no,
                None,
                format!("more than {MAX_ROWS} rows (allowed: at most {MAX_ROWS})"),
            ));
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != columns {
            return Err(error(
                line_no,
                None,
                format!("{} columns, expected {columns}", fields.len()),
            ));
        }
        for (c, field) in fields[..columns - 1].iter().enumerate() {
            let value = unquote(field);
            match value.parse::<f32>() {
                Ok(v) if v.is_finite() => table.x.push(v),
                _ => {
                    return Err(error(
                        line_no,
                        Some(c + 1),
                        format!("'{}' is not a finite number", shown(value)),
                    ));
                }
            }
        }
        let label = unquote(fields[columns - 1]);
        if label.is_empty() {
            return Err(error(line_no, Some(columns), "the label is empty".into()));
        }
        table.labels.push(label.to_string());
    }
    if table.rows() < MIN_ROWS {
        return Err(DataError::new(format!(
            "CSV has {} data rows (needs at least {MIN_ROWS})",
            table.rows()
        )));
    }
    Ok(table)
}

/// Class names in order: numeric labels sorted by value, others by text.
fn classes_of(labels: &[String]) -> Result<Vec<String>, DataError> {
    let mut names: Vec<String> = labels.to_vec();
    names.sort();
    names.dedup();
    if names.len() > MAX_CLASSES {
        return Err(DataError::new(format!(
            "CSV label column (the last) has {} distinct values (allowed: at most {MAX_CLASSES}); \
             is the last column the class label?",
            names.len()
        )));
    }
    if names.len() < 2 {
        return Err(DataError::new(
            "CSV label column (the last) has only one class (needs at least 2)",
        ));
    }
    if names.iter().all(|n| n.parse::<f64>().is_ok()) {
        names.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap()
                .total_cmp(&b.parse::<f64>().unwrap())
        });
    }
    Ok(names)
}

/// The `csv` dataset: parsed, split with the seed, standardised.
pub fn dataset(text: &str, fraction: f64, seed: u32) -> Result<Dataset, DataError> {
    let table = parse(text)?;
    let class_names = classes_of(&table.labels)?;
    let y: Vec<u32> = table
        .labels
        .iter()
        .map(|l| class_names.iter().position(|n| n == l).unwrap() as u32)
        .collect();
    let x =
        Array2::from_shape_vec((table.rows(), table.features), table.x).expect("rows x features");
    let all = Split { x, y };
    let (train_idx, test_idx) = split_indices(all.len(), fraction, seed);
    let (mut train, mut test) = (all.select(&train_idx), all.select(&test_idx));
    standardise(&mut train, &mut test);
    Ok(Dataset {
        name: DataName::Csv,
        input_dim: table.features,
        classes: class_names.len(),
        class_names,
        image: None,
        likelihood: Likelihood::Gaussian,
        train,
        test,
    })
}

/// z-scores every column with the training rows' statistics (a constant
/// column is only centred).
fn standardise(train: &mut Split, test: &mut Split) {
    let n = train.len() as f64;
    for c in 0..train.x.ncols() {
        let column = train.x.column(c);
        let mean = column.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = column
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        let scale = if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 };
        for split in [&mut *train, &mut *test] {
            split
                .x
                .column_mut(c)
                .mapv_inplace(|v| ((v as f64 - mean) * scale) as f32);
        }
    }
}
