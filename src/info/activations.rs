//! The information plane's estimators on a user's own activations (`ibp
//! mi`): a table with a header, one row per input example, activation
//! columns and a label column. X is the example's index, as on the plane,
//! so I(X;T) is the layer's entropy under the estimator and I(T;Y) what it
//! says about the label. Read by the one table reader (`data::reader`):
//! every error names its line and column.

use super::plane::{self, KDE_NOISE_VARIANCE};
use crate::config::Estimator;
use crate::data::DataError;
use crate::data::reader::{self, Limits, Sheet};
use ndarray::Array2;
use serde::Serialize;

/// Limits of an activations file.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 4096;
/// KDE sums over every pair of rows: at most this many rows.
pub const MAX_KDE_ROWS: usize = 20_000;

/// Activations (N, d) and each row's label as a class index (classes in
/// the order they first appear).
#[derive(Clone, Debug)]
pub struct Activations {
    pub columns: Vec<String>,
    pub label_column: String,
    pub values: Array2<f32>,
    pub labels: Vec<u32>,
    pub classes: Vec<String>,
    pub read_as: String,
}

/// Reads an activations table: a header naming the columns, `label` the
/// label column's name, every other column an activation (a number).
///
/// Errors: no header, no column named `label` (the names present are
/// listed), a short or long row, a cell that is not a finite number (line
/// and column), fewer than 2 rows, the limits above.
pub fn parse(bytes: &[u8], label: &str) -> Result<Activations, DataError> {
    let limits = Limits {
        max_bytes: MAX_BYTES,
        max_rows: MAX_ROWS + 1,
        max_columns: MAX_COLUMNS + 1,
    };
    let sheet = reader::read(bytes, limits)?;
    let header = sheet
        .rows
        .first()
        .ok_or_else(|| DataError::new("the file is empty"))?;
    let names: Vec<String> = header.cells.iter().map(|c| c.trim().to_string()).collect();
    if sheet.all_numbers(header, 0..names.len()) {
        return Err(DataError::at(
            header.line,
            None,
            "needs a header row naming the columns (e.g. t1,t2,y)",
        ));
    }
    let y = names.iter().position(|n| n == label).ok_or_else(|| {
        DataError::at(
            header.line,
            None,
            format!(
                "no column named '{label}' for the label (columns: {}; choose one with --y)",
                names.join(", ")
            ),
        )
    })?;
    if names.len() < 2 {
        return Err(DataError::at(
            header.line,
            None,
            format!(
                "needs activation columns beside the label (read as {})",
                sheet.describe()
            ),
        ));
    }
    let rows = &sheet.rows[1..];
    if rows.len() < 2 {
        return Err(DataError::new(format!(
            "has {} data rows (needs at least 2)",
            rows.len()
        )));
    }
    let (values, labels, classes) = read_rows(&sheet, rows, names.len(), y)?;
    let mut columns = names;
    let label_column = columns.remove(y);
    Ok(Activations {
        columns,
        label_column,
        values,
        labels,
        classes,
        read_as: sheet.describe(),
    })
}

/// Activations, class indices and class names.
type Columns = (Array2<f32>, Vec<u32>, Vec<String>);

/// The rows' activations (every column but `y`) and class indices.
fn read_rows(
    sheet: &Sheet,
    rows: &[reader::Row],
    width: usize,
    y: usize,
) -> Result<Columns, DataError> {
    let mut values = Vec::with_capacity(rows.len() * (width - 1));
    let mut labels = Vec::with_capacity(rows.len());
    let mut classes: Vec<String> = Vec::new();
    for row in rows {
        if row.cells.len() != width {
            return Err(DataError::at(
                row.line,
                None,
                format!("has {} cells, the header {width}", row.cells.len()),
            ));
        }
        for (c, cell) in row.cells.iter().enumerate() {
            if c != y {
                values.push(sheet.number(cell, row.line, c + 1)? as f32);
            }
        }
        let class = row.cells[y].trim();
        if reader::is_missing(class) {
            return Err(DataError::at(
                row.line,
                Some(y + 1),
                "a missing label: drop this row or fill it in",
            ));
        }
        let index = classes.iter().position(|k| k == class).unwrap_or_else(|| {
            classes.push(class.to_string());
            classes.len() - 1
        });
        labels.push(index as u32);
    }
    let values = Array2::from_shape_vec((rows.len(), width - 1), values).expect("rows checked");
    Ok((values, labels, classes))
}

/// How `ibp mi` estimates.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub estimator: Estimator,
    /// Bins per activation (binning).
    pub bins: u32,
    /// One binning range for every column; `None`: each column's own
    /// observed [min, max].
    pub range: Option<(f32, f32)>,
}

/// `ibp mi`'s answer, in bits. For KDE (noise variance s^2) the estimate is
/// the pairwise-KL upper bound on I(X; T + N(0, s^2 I)), and
/// `ixt_lower_bits` its Bhattacharyya lower bound (Kolchinsky & Tracey 2017).
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub ixt_bits: f64,
    pub ity_bits: f64,
    pub estimator: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bins: Option<u32>,
    /// "observed per column" or [lo, hi] (binning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_variance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ixt_upper_bits: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ixt_lower_bits: Option<f64>,
    pub n: usize,
    pub units: usize,
    pub classes: usize,
    /// log2 n: the most I(X;T) can be.
    pub hx_bits: f64,
    /// I(X;T) within 0.05 bits of log2 n: every example has its own code,
    /// and the estimator cannot see compression.
    pub saturated: bool,
    pub y: String,
    pub read_as: String,
}

/// The plane's estimate of I(X;T) and I(T;Y) on `data`.
///
/// Errors: KDE on more than `MAX_KDE_ROWS` rows (it sums over every pair).
pub fn estimate(data: &Activations, options: Options) -> Result<Estimate, DataError> {
    let (n, units) = data.values.dim();
    let mut out = Estimate {
        ixt_bits: 0.0,
        ity_bits: 0.0,
        estimator: options.estimator.name(),
        bins: None,
        range: None,
        noise_variance: None,
        ixt_upper_bits: None,
        ixt_lower_bits: None,
        n,
        units,
        classes: data.classes.len(),
        hx_bits: (n as f64).log2(),
        saturated: false,
        y: data.label_column.clone(),
        read_as: data.read_as.clone(),
    };
    match options.estimator {
        Estimator::Binning => {
            let ranges: Vec<(f32, f32)> = match options.range {
                Some(r) => vec![r; units],
                None => data
                    .values
                    .columns()
                    .into_iter()
                    .map(|c| plane::Range::Observed.resolve(&c.to_vec()))
                    .collect(),
            };
            (out.ixt_bits, out.ity_bits) =
                plane::binning_columns(data.values.view(), &data.labels, &ranges, options.bins);
            out.bins = Some(options.bins);
            out.range = Some(match options.range {
                Some((lo, hi)) => serde_json::json!([lo, hi]),
                None => "observed per column".into(),
            });
        }
        Estimator::Exact => {
            // Counting the rows' codes: exact when the activations are
            // discrete (a quantized layer); otherwise every distinct row is
            // its own code.
            (out.ixt_bits, out.ity_bits) = plane::exact(data.values.view(), &data.labels);
        }
        Estimator::Kde => {
            if n > MAX_KDE_ROWS {
                return Err(DataError::new(format!(
                    "KDE sums over every pair of rows: {n} rows is more than {MAX_KDE_ROWS}; use the first {MAX_KDE_ROWS} rows or --estimator binning"
                )));
            }
            (out.ixt_bits, out.ity_bits) =
                plane::kde(data.values.view(), &data.labels, KDE_NOISE_VARIANCE);
            // Equal scales: the Bhattacharyya kernel is KDE's at 4 s^2.
            let (lower, _) = plane::kde(data.values.view(), &data.labels, 4.0 * KDE_NOISE_VARIANCE);
            (out.noise_variance, out.ixt_upper_bits, out.ixt_lower_bits) =
                (Some(KDE_NOISE_VARIANCE), Some(out.ixt_bits), Some(lower));
        }
    }
    out.saturated = plane::saturated(out.ixt_bits, n);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_label_by_name_and_names_bad_cells() {
        let data = parse(b"t1,y,t2\n0.5,cat,1\n-0.5,dog,2\n0.25,cat,3\n", "y").unwrap();
        assert_eq!(data.columns, ["t1", "t2"]);
        assert_eq!(data.labels, [0, 1, 0]);
        assert_eq!(data.values[[2, 1]], 3.0);
        let bad = parse(b"t1,y\n0.5,0\nx,1\n", "y").unwrap_err();
        assert_eq!((bad.line, bad.column), (Some(3), Some(1)));
        let missing = parse(b"t1,t2\n1,2\n3,4\n", "y").unwrap_err();
        assert!(
            missing.message.contains("no column named 'y'") && missing.message.contains("t1, t2"),
            "{missing}"
        );
        assert!(
            parse(b"1,2\n3,4\n", "y")
                .unwrap_err()
                .message
                .contains("header")
        );
        assert_eq!(parse(b"t1,y\n1,0\n2\n", "y").unwrap_err().line, Some(3));
    }

    #[test]
    fn binning_per_column_ranges_and_kde_bounds() {
        // Two columns on very different scales: per-column ranges put the
        // four rows in four codes (2 bits); Y = first column's sign (1 bit).
        let data = parse(b"a,b,y\n-1,100,0\n-0.5,300,0\n0.5,200,1\n1,400,1\n", "y").unwrap();
        let options = Options {
            estimator: Estimator::Binning,
            bins: 2,
            range: None,
        };
        let e = estimate(&data, options).unwrap();
        assert_eq!((e.ixt_bits, e.ity_bits, e.saturated), (2.0, 1.0, true));
        // One range [-1, 1] for both: b falls in the top bin, a in 2 bins.
        let e = estimate(
            &data,
            Options {
                range: Some((-1.0, 1.0)),
                ..options
            },
        )
        .unwrap();
        assert_eq!((e.ixt_bits, e.ity_bits), (1.0, 1.0));
        let e = estimate(
            &data,
            Options {
                estimator: Estimator::Kde,
                ..options
            },
        )
        .unwrap();
        assert!((e.ixt_bits - 2.0).abs() < 1e-9 && e.ixt_lower_bits.unwrap() <= e.ixt_bits);
    }
}
