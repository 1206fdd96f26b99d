//! The user's own data: a table of numeric feature columns with the class
//! label (numbers or text) in the last column, read by the one table reader
//! (`reader`: encodings, line ends, quotes, separators, decimal commas). A
//! first row whose feature cells are not all numbers is a header. Features
//! are standardised with the training rows' mean and deviation. Every error
//! names the line and column.

use super::reader::{self, Limits, Sheet};
use super::{DataError, Dataset, Likelihood, Split, split_indices};
use crate::config::DataName;
use ndarray::Array2;
use serde::Serialize;

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
    /// The label column's name, or `label`.
    pub label_name: String,
    pub features: usize,
    pub x: Vec<f32>,
    pub labels: Vec<String>,
    /// How the reader read it ("','-separated, UTF-8").
    pub read_as: String,
    pub header: bool,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.labels.len()
    }
}

fn error(line: usize, column: Option<usize>, message: String) -> DataError {
    DataError::at(line, column, message)
}

/// Parses a CSV file's bytes (or a paste's text) into a table.
pub fn parse_bytes(bytes: &[u8]) -> Result<Table, DataError> {
    let limits = Limits {
        max_bytes: MAX_CSV_BYTES,
        max_rows: MAX_ROWS + 1,
        max_columns: MAX_FEATURES + 1,
    };
    let sheet = reader::read(bytes, limits)?;
    let first = sheet
        .rows
        .first()
        .ok_or_else(|| DataError::new("CSV is empty"))?;
    let columns = first.cells.len();
    if columns < 2 {
        return Err(error(
            first.line,
            None,
            format!(
                "needs at least one feature column and a label column (read as {}; \
                 separate the columns with ',', ';' or tabs)",
                sheet.describe()
            ),
        ));
    }
    let header = !sheet.all_numbers(first, 0..columns - 1);
    let mut table = Table {
        feature_names: if header {
            first.cells[..columns - 1]
                .iter()
                .map(|s| s.trim().to_string())
                .collect()
        } else {
            (1..columns).map(|i| format!("x{i}")).collect()
        },
        label_name: if header {
            first.cells[columns - 1].trim().to_string()
        } else {
            "label".into()
        },
        features: columns - 1,
        x: Vec::new(),
        labels: Vec::new(),
        read_as: sheet.describe(),
        header,
    };
    for row in &sheet.rows[header as usize..] {
        read_row(&sheet, row, columns, &mut table)?;
    }
    if table.rows() > MAX_ROWS {
        return Err(DataError::new(format!(
            "CSV has more than {MAX_ROWS} data rows (allowed: at most {MAX_ROWS})"
        )));
    }
    if table.rows() < MIN_ROWS {
        return Err(DataError::new(format!(
            "CSV has {} data rows (needs at least {MIN_ROWS})",
            table.rows()
        )));
    }
    Ok(table)
}

/// One data row: its features as numbers, its label as text.
fn read_row(
    sheet: &Sheet,
    row: &reader::Row,
    columns: usize,
    table: &mut Table,
) -> Result<(), DataError> {
    if row.cells.len() != columns {
        return Err(error(
            row.line,
            None,
            format!(
                "{} columns, expected {columns} (read as {})",
                row.cells.len(),
                sheet.describe()
            ),
        ));
    }
    for (c, cell) in row.cells[..columns - 1].iter().enumerate() {
        table.x.push(sheet.number(cell, row.line, c + 1)? as f32);
    }
    let label = row.cells[columns - 1].trim();
    if reader::is_missing(label) {
        return Err(error(
            row.line,
            Some(columns),
            format!(
                "the label is missing ('{}'): drop this row or fill the label in",
                reader::shown(label)
            ),
        ));
    }
    table.labels.push(label.to_string());
    Ok(())
}

/// Parses CSV text into a table (text already decoded).
pub fn parse(text: &str) -> Result<Table, DataError> {
    parse_bytes(text.as_bytes())
}

/// One column of an uploaded table, for the page's summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnSummary {
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub distinct: usize,
    /// Every row holds the same value: it cannot inform the label.
    pub constant: bool,
}

/// What the page shows after an upload: how the table was read, each
/// feature column, and the label's classes with their counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableSummary {
    pub read_as: String,
    pub header: bool,
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    pub label: String,
    pub classes: Vec<(String, usize)>,
}

impl Table {
    pub fn summary(&self) -> Result<TableSummary, DataError> {
        let names = classes_of(&self.labels)?;
        let columns = (0..self.features)
            .map(|c| {
                let values: Vec<f32> = (0..self.rows())
                    .map(|r| self.x[r * self.features + c])
                    .collect();
                let mut distinct: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
                distinct.sort_unstable();
                distinct.dedup();
                ColumnSummary {
                    name: self.feature_names[c].clone(),
                    min: values.iter().copied().fold(f32::INFINITY, f32::min) as f64,
                    max: values.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64,
                    distinct: distinct.len(),
                    constant: distinct.len() == 1,
                }
            })
            .collect();
        let classes = names
            .iter()
            .map(|n| (n.clone(), self.labels.iter().filter(|l| *l == n).count()))
            .collect();
        Ok(TableSummary {
            read_as: self.read_as.clone(),
            header: self.header,
            rows: self.rows(),
            columns,
            label: self.label_name.clone(),
            classes,
        })
    }
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
    dataset_from_bytes(text.as_bytes(), fraction, seed)
}

/// The `csv` dataset from a file's bytes.
pub fn dataset_from_bytes(bytes: &[u8], fraction: f64, seed: u32) -> Result<Dataset, DataError> {
    let table = parse_bytes(bytes)?;
    let summary = table.summary()?;
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
        table: Some(summary),
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
