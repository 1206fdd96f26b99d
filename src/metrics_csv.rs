//! One CSV schema for a run's reports: `ibp train --log` and the page's
//! "Metrics (CSV)" export write the same columns with the same names, units
//! and number formats, so the two files of one link can be compared row by
//! row (on the CPU path they agree on every training column).
//!
//! Columns: `step, epoch, replica, beta, lr, loss_bits, train_loss_bits,
//! rate_bits, izy_bits, distortion_bits, train_acc, test_error_pct,
//! test_error_single_pct, backend, final, seconds`, then with the
//! information plane two columns per layer: `T1_ixt_bits, T1_ity_bits, ...,
//! mu_ixt_bits, mu_ity_bits, Z_ixt_bits, Z_ity_bits`. Information in bits,
//! `train_acc` a fraction, test errors in percent of the held-out split
//! (four decimals: exact for the split's counts), `seconds` the training
//! time so far. A value that does not apply (no training loss at step 0,
//! `distortion_bits` for a label objective) is an empty field.

use crate::grid::{Line, SweepId};
use crate::report::{LayerInfo, Report};
use std::collections::{BTreeMap, BTreeSet};

/// The columns every file has, in order (the plane's follow).
pub const COLUMNS: [&str; 16] = [
    "step",
    "epoch",
    "replica",
    "beta",
    "lr",
    "loss_bits",
    "train_loss_bits",
    "rate_bits",
    "izy_bits",
    "distortion_bits",
    "train_acc",
    "test_error_pct",
    "test_error_single_pct",
    "backend",
    "final",
    "seconds",
];

/// A report as one row: which replica of a sweep, and the training seconds
/// when known.
pub struct Row<'a> {
    pub report: &'a Report,
    pub replica: usize,
    pub seconds: Option<f64>,
}

/// The plane's layers named in `reports`, in the order they first appear.
pub fn layer_names<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for layer in reports.into_iter().flat_map(|r| r.layers.iter().flatten()) {
        if !names.contains(&layer.layer) {
            names.push(layer.layer.clone());
        }
    }
    names
}

/// The header for reports whose plane has `layers` (none without it).
pub fn header(layers: &[String]) -> Vec<String> {
    let plane = layers.iter().flat_map(|name| {
        let prefix = LayerInfo::column_prefix(name);
        [format!("{prefix}_ixt_bits"), format!("{prefix}_ity_bits")]
    });
    COLUMNS.iter().map(|c| c.to_string()).chain(plane).collect()
}

/// The fields of `row` under `header`: a column this build does not write
/// (a file written by another version) is an empty field.
pub fn fields(row: &Row, header: &[String]) -> Vec<String> {
    header.iter().map(|column| field(row, column)).collect()
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

/// Percent wrong from an accuracy; four decimals are exact for the split's
/// counts.
fn error_pct(accuracy: Option<f64>) -> String {
    accuracy.map_or(String::new(), |a| format!("{:.4}", 100.0 * (1.0 - a)))
}

fn field(row: &Row, column: &str) -> String {
    let r = row.report;
    match column {
        "step" => r.step.to_string(),
        "epoch" => format!("{}", r.epoch),
        "replica" => row.replica.to_string(),
        "beta" => format!("{}", r.beta),
        "lr" => format!("{}", r.lr),
        "loss_bits" => format!("{}", r.loss),
        "train_loss_bits" => number(r.train_loss),
        "rate_bits" => format!("{}", r.rate_bits),
        "izy_bits" => number(r.izy_bits),
        "distortion_bits" => number(r.distortion_bits),
        "train_acc" => number(r.train_acc),
        "test_error_pct" => error_pct(r.test_acc),
        "test_error_single_pct" => error_pct(r.test_acc_single),
        "backend" => r.backend.clone(),
        "final" => r.is_final.to_string(),
        "seconds" => row.seconds.map_or(String::new(), |s| format!("{s:.1}")),
        plane => plane_field(r, plane).unwrap_or_default(),
    }
}

/// `T1_ixt_bits` and the like: the layer's I(X;T) or I(T;Y).
fn plane_field(report: &Report, column: &str) -> Option<String> {
    let (prefix, ixt) = match column.strip_suffix("_ixt_bits") {
        Some(prefix) => (prefix, true),
        None => (column.strip_suffix("_ity_bits")?, false),
    };
    let layer = report
        .layers
        .iter()
        .flatten()
        .find(|l| LayerInfo::column_prefix(&l.layer) == prefix)?;
    Some(format!(
        "{}",
        if ixt { layer.ixt_bits } else { layer.ity_bits }
    ))
}

/// A whole file: the header for the layers the rows name, then the rows.
pub fn to_csv(rows: &[Row]) -> Result<String, csv::Error> {
    let header = header(&layer_names(rows.iter().map(|r| r.report)));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header)?;
    for row in rows {
        out.write_record(fields(row, &header))?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("the fields are UTF-8"))
}

/// The columns a sweep's file adds after the plane's: how each run ended
/// (`done`, `diverged`, `stopped`) and its canonical link.
pub const SWEEP_COLUMNS: [&str; 2] = ["status", "link"];

/// A sweep's lines (schema `ibp-sweep-1`: `ibp sweep merge --csv` and the
/// page's "Sweep (CSV)") as one file: a row per run in the order of its
/// grid (a β sweep's by β; several sweeps one after the other, by base
/// link; a run its grid does not hold last), so the same lines give the
/// same file in any order; this schema's columns with `replica` the run's
/// place in that order and `seconds` its wall time, then `SWEEP_COLUMNS`.
/// A run stopped before its first report has empty metric fields.
pub fn sweep_csv(lines: &[Line]) -> Result<String, csv::Error> {
    let places = grid_places(lines);
    let mut lines: Vec<&Line> = lines.iter().collect();
    let place = |l: &Line| {
        places
            .get(&(&l.sweep, &l.link))
            .copied()
            .unwrap_or(usize::MAX)
    };
    lines.sort_by(|a, b| (&a.sweep, place(a), &a.link).cmp(&(&b.sweep, place(b), &b.link)));
    let reports: Vec<Option<Report>> = lines.iter().map(|l| l.report()).collect();
    let header = header(&layer_names(reports.iter().flatten()));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header.iter().map(String::as_str).chain(SWEEP_COLUMNS))?;
    for (replica, (line, report)) in lines.into_iter().zip(&reports).enumerate() {
        let mut row = match report {
            Some(report) => fields(
                &Row {
                    report,
                    replica,
                    seconds: Some(line.wall_s),
                },
                &header,
            ),
            None => header
                .iter()
                .map(|c| match c.as_str() {
                    "replica" => replica.to_string(),
                    _ => String::new(),
                })
                .collect(),
        };
        row.extend([line.status.clone(), line.link.clone()]);
        out.write_record(&row)?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("the fields are UTF-8"))
}

/// Each (sweep, link) of `lines` at its place in the sweep's grid; a sweep
/// whose grid or base no longer parses places none of its runs.
fn grid_places(lines: &[Line]) -> BTreeMap<(&SweepId, &String), usize> {
    let mut places = BTreeMap::new();
    let sweeps: BTreeSet<&SweepId> = lines.iter().map(|l| &l.sweep).collect();
    for sweep in sweeps {
        let runs = crate::config::Experiment::from_link(&sweep.base)
            .ok()
            .and_then(|base| crate::grid::parse(&sweep.grid).ok()?.runs(&base).ok());
        let order: BTreeMap<String, usize> = runs
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, run)| (run.to_link(), i))
            .collect();
        for line in lines.iter().filter(|l| &l.sweep == sweep) {
            if let Some(&place) = order.get(&line.link) {
                places.insert((&line.sweep, &line.link), place);
            }
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(step: u32, layers: Option<Vec<LayerInfo>>) -> Report {
        Report {
            step,
            epoch: 0.5,
            loss: 0.25,
            train_loss: (step > 0).then_some(0.5),
            rate_bits: 3.0,
            izy_bits: Some(0.75),
            distortion_bits: None,
            train_acc: Some(0.875),
            test_acc: Some(0.9),
            test_acc_single: None,
            beta: 1e-3,
            lr: 5e-3,
            backend: "cpu".into(),
            is_final: false,
            diverged: false,
            rate_dims_bits: vec![],
            rate_features_bits: None,
            layers,
            izx_pairwise_bits: None,
            target_gap: None,
        }
    }

    fn layer(name: &str, ixt: f64) -> LayerInfo {
        LayerInfo {
            layer: name.into(),
            units: 2,
            ixt_bits: ixt,
            ity_bits: ixt / 2.0,
            estimator: "binning".into(),
            range: String::new(),
            saturated: false,
            binned_ixt_bits: None,
            binned_ity_bits: None,
        }
    }

    #[test]
    fn rows_follow_the_header_with_empty_fields_for_what_does_not_apply() {
        let plane = vec![layer("encoder 1", 2.0), layer("Z", 1.5)];
        let reports = [report(0, Some(plane.clone())), report(10, Some(plane))];
        let rows: Vec<Row> = reports
            .iter()
            .map(|report| Row {
                report,
                replica: 0,
                seconds: Some(1.5),
            })
            .collect();
        let text = to_csv(&rows).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "step,epoch,replica,beta,lr,loss_bits,train_loss_bits,rate_bits,izy_bits,\
             distortion_bits,train_acc,test_error_pct,test_error_single_pct,backend,final,\
             seconds,T1_ixt_bits,T1_ity_bits,Z_ixt_bits,Z_ity_bits"
        );
        assert_eq!(
            lines[1],
            "0,0.5,0,0.001,0.005,0.25,,3,0.75,,0.875,10.0000,,cpu,false,1.5,2,1,1.5,0.75"
        );
        assert!(lines[2].starts_with("10,0.5,0,0.001,0.005,0.25,0.5,"));
    }

    #[test]
    fn an_older_header_gets_the_columns_it_names() {
        let r = report(5, None);
        let row = Row {
            report: &r,
            replica: 2,
            seconds: None,
        };
        let older: Vec<String> = ["step", "replica", "gone_column", "T1_ixt_bits"]
            .map(String::from)
            .to_vec();
        assert_eq!(fields(&row, &older), ["5", "2", "", ""]);
    }

    #[test]
    fn a_sweeps_lines_are_one_row_each_with_status_and_link() {
        use crate::config::Experiment;
        use crate::grid::{Ending, Line, SweepId};
        // The grid's order (0.01 first), not the links' ("v=1" first).
        let id = SweepId {
            base: "v=1".into(),
            grid: "beta=1e-2|1e-3".into(),
            steps: 10,
        };
        let run = |beta: &str| Experiment::from_link(&format!("beta={beta}")).unwrap();
        let done = report(10, Some(vec![layer("Z", 1.5)]));
        let lines = [
            Line::new(&run("1e-3"), &id, "cpu", Some(&done), Ending::Done, 2.3),
            Line::new(&run("1e-2"), &id, "cpu", None, Ending::Stopped, 0.5),
        ];
        let text = sweep_csv(&lines).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert!(
            rows[0].ends_with("seconds,Z_ixt_bits,Z_ity_bits,status,link"),
            "{}",
            rows[0]
        );
        assert_eq!(rows[1], ",,0,,,,,,,,,,,,,,,,stopped,v=1&beta=0.01");
        assert_eq!(
            rows[2],
            "10,0.5,1,0.001,0.005,0.25,0.5,3,0.75,,0.875,10.0000,,cpu,false,2.3,1.5,0.75,done,v=1"
        );
        let reversed = [lines[1].clone(), lines[0].clone()];
        assert_eq!(
            sweep_csv(&reversed).unwrap(),
            text,
            "any order of the lines"
        );
        // The line keeps the report: its plane comes back with it.
        assert_eq!(lines[0].report().unwrap(), done);
    }
}
