//! The exact IB's inputs, read by the one table reader (`data::reader`):
//! a p(x, y) table of weights (rows x, columns y), or paired observations
//! (two columns of symbols or numbers) counted into one. Errors name the
//! row (the line in the file) and the column.

use super::exact_ib::Joint;
use crate::data::DataError;
use crate::data::reader::{self, Limits, Sheet};
use crate::error::Error;
use std::collections::BTreeMap;

/// Largest `--pxy` or `--samples` file read.
pub const MAX_PXY_BYTES: usize = 4 << 20;
/// Most paired observations read.
pub const MAX_SAMPLES: usize = 1_000_000;

fn limits(max_rows: usize) -> Limits {
    Limits {
        max_bytes: MAX_PXY_BYTES,
        max_rows,
        max_columns: super::exact_ib::MAX_OUTCOMES,
    }
}

/// "row 3, column 2: ..." from the reader's line and column.
fn at(e: DataError) -> Error {
    let message = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("row {l}, column {c}: {}", e.message),
        (Some(l), None) => format!("row {l}: {}", e.message),
        _ => e.message,
    };
    Error {
        line: e.line,
        column: e.column,
        ..Error::data(message)
    }
}

/// Parses a CSV joint table: one row per x, one column per y, non-negative
/// numbers (normalised here). A first row that is not all numbers is a
/// header; blank and `#` lines are skipped.
pub fn parse_pxy(text: &str) -> Result<Joint, Error> {
    parse_pxy_bytes(text.as_bytes())
}

/// `parse_pxy` from a file's bytes (any encoding the reader takes).
pub fn parse_pxy_bytes(bytes: &[u8]) -> Result<Joint, Error> {
    let sheet = reader::read(bytes, limits(super::exact_ib::MAX_OUTCOMES + 1)).map_err(at)?;
    let first = sheet
        .rows
        .first()
        .ok_or(Error::data("the table has no rows"))?;
    let header = !sheet.all_numbers(first, 0..first.cells.len());
    let rows = &sheet.rows[header as usize..];
    if rows.is_empty() {
        return Err(Error::data("the table has no rows"));
    }
    let ny = rows[0].cells.len();
    let mut weights = Vec::with_capacity(rows.len());
    for row in rows {
        if row.cells.len() != ny {
            return Err(Error::data(format!(
                "row {} has {} columns, expected {ny}",
                row.line,
                row.cells.len()
            )));
        }
        weights.push(weights_of(&sheet, row)?);
        if weights
            .last()
            .is_some_and(|w: &Vec<f64>| w.iter().all(|&v| v == 0.0))
        {
            return Err(Error::data(format!(
                "row {} is all zeros (every x needs p(x) > 0)",
                row.line
            )));
        }
    }
    Joint::from_rows(&weights)
}

fn weights_of(sheet: &Sheet, row: &reader::Row) -> Result<Vec<f64>, Error> {
    row.cells
        .iter()
        .enumerate()
        .map(|(c, cell)| {
            let v = sheet.number(cell, row.line, c + 1).map_err(at)?;
            if v < 0.0 {
                return Err(Error::data(format!(
                    "row {}, column {}: {v} is not a non-negative finite number",
                    row.line,
                    c + 1
                )));
            }
            Ok(v)
        })
        .collect()
}

/// Paired observations counted into a table, and what the counts say.
#[derive(Clone, Debug)]
pub struct Samples {
    pub joint: Joint,
    /// The x and y symbols, in the table's row and column order (numbers
    /// ascending, else text order).
    pub x_symbols: Vec<String>,
    pub y_symbols: Vec<String>,
    /// The counts, rows x, columns y.
    pub counts: Vec<Vec<u64>>,
    pub count: u64,
    /// I(X;Y) of the counted table (plug-in), bits.
    pub plug_in_bits: f64,
    /// The plug-in estimate with the Miller-Madow correction of each
    /// entropy, (m - 1) / 2N nats for m occupied cells: H(X) + H(Y) - H(X,Y)
    /// gives plug-in + ((mx - 1) + (my - 1) - (mxy - 1)) / 2N, in bits.
    pub miller_madow_bits: f64,
}

/// Reads two columns of symbols (or numbers), one observation per row,
/// header optional, and counts them into p(x, y).
pub fn parse_samples(bytes: &[u8]) -> Result<Samples, Error> {
    let sheet = reader::read(bytes, limits(MAX_SAMPLES + 1)).map_err(at)?;
    if let Some(row) = sheet.rows.iter().find(|r| r.cells.len() != 2) {
        return Err(Error::data(format!(
            "row {} has {} columns (paired observations need 2: x, y)",
            row.line,
            row.cells.len()
        )));
    }
    let start = samples_header(&sheet) as usize;
    let rows = &sheet.rows[start..];
    if rows.len() < 2 {
        return Err(Error::data(format!(
            "{} observations (needs at least 2)",
            rows.len()
        )));
    }
    for row in rows {
        for (c, cell) in row.cells.iter().enumerate() {
            if reader::is_missing(cell) {
                return Err(Error::data(format!(
                    "row {}, column {}: a missing value ('{}'): drop this row or fill it in",
                    row.line,
                    c + 1,
                    reader::shown(cell.trim())
                )));
            }
        }
    }
    let x_symbols = symbols(rows.iter().map(|r| r.cells[0].trim()));
    let y_symbols = symbols(rows.iter().map(|r| r.cells[1].trim()));
    if x_symbols.len() > super::exact_ib::MAX_OUTCOMES
        || y_symbols.len() > super::exact_ib::MAX_OUTCOMES
    {
        return Err(Error::data(format!(
            "{} x {} distinct values (allowed: at most {m} x {m})",
            x_symbols.len(),
            y_symbols.len(),
            m = super::exact_ib::MAX_OUTCOMES
        )));
    }
    let index =
        |symbols: &[String], s: &str| symbols.iter().position(|t| t == s).expect("a known symbol");
    let mut counts = vec![vec![0u64; y_symbols.len()]; x_symbols.len()];
    for row in rows {
        counts[index(&x_symbols, row.cells[0].trim())][index(&y_symbols, row.cells[1].trim())] += 1;
    }
    let weights: Vec<Vec<f64>> = counts
        .iter()
        .map(|r| r.iter().map(|&c| c as f64).collect())
        .collect();
    let joint = Joint::from_rows(&weights)?;
    let count = rows.len() as u64;
    let plug_in_bits = joint.ixy_bits();
    let occupied = |cells: usize| cells as f64 - 1.0;
    let cells = counts.iter().flatten().filter(|&&c| c > 0).count();
    let correction = (occupied(x_symbols.len()) + occupied(y_symbols.len()) - occupied(cells))
        / (2.0 * count as f64);
    Ok(Samples {
        joint,
        x_symbols,
        y_symbols,
        counts,
        count,
        plug_in_bits,
        miller_madow_bits: plug_in_bits + correction / std::f64::consts::LN_2,
    })
}

/// Distinct symbols: numbers ascending when all are numbers, else sorted text.
fn symbols<'a>(cells: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut distinct: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for cell in cells {
        distinct
            .entry(cell.to_string())
            .or_insert_with(|| cell.parse::<f64>().ok().filter(|v| v.is_finite()));
    }
    let mut list: Vec<(String, Option<f64>)> = distinct.into_iter().collect();
    if list.iter().all(|(_, v)| v.is_some()) {
        list.sort_by(|a, b| a.1.unwrap().total_cmp(&b.1.unwrap()));
    }
    list.into_iter().map(|(s, _)| s).collect()
}

/// Whether the first row names the columns: it is text over a column of
/// numbers, or each of its cells appears nowhere else in its column while
/// the column repeats its values.
fn samples_header(sheet: &Sheet) -> bool {
    let Some(first) = sheet.rows.first() else {
        return false;
    };
    let rest = &sheet.rows[1..];
    (0..2).all(|c| {
        let cell = first.cells[c].trim();
        let column: Vec<&str> = rest.iter().map(|r| r.cells[c].trim()).collect();
        let numeric = |s: &str| s.parse::<f64>().is_ok();
        let over_numbers =
            !numeric(cell) && !column.is_empty() && column.iter().all(|s| numeric(s));
        let repeats = column.len() > symbols(column.iter().copied()).len();
        over_numbers || (repeats && !column.contains(&cell))
    })
}
