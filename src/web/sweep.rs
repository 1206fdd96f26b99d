//! The page's β sweep outside its session: the form and the link read
//! (`beta_sweep`), and a sweep's lines as CSV (`metrics_csv::sweep_csv`,
//! as `ibp sweep merge --csv` writes it).

use super::{fail, to_js};
use crate::beta_sweep::BetaSweep;
use crate::error::Error;
use wasm_bindgen::prelude::*;

/// The sweep of the page's form: `{from, to, count, steps, grid}`, or an
/// error `{kind, key, message}` whose key names the field (sweep_from,
/// sweep_to, sweep_count, sweep_steps).
#[wasm_bindgen(js_name = betaSweep)]
pub fn beta_sweep(from: &str, to: &str, count: &str, steps: &str) -> Result<JsValue, JsValue> {
    to_js(&BetaSweep::from_fields(from, to, count, steps).map_err(fail)?)
}

/// The sweep a shared link carries (`?sweep=beta=FROM:TO:COUNT` and
/// `sweep_steps`), read as `betaSweep` reads the form.
#[wasm_bindgen(js_name = betaSweepOfLink)]
pub fn beta_sweep_of_link(grid: &str, steps: &str) -> Result<JsValue, JsValue> {
    to_js(&BetaSweep::from_grid(grid, steps).map_err(fail)?)
}

/// A sweep's JSONL lines (`Session.sweepLines`) as CSV: the metrics CSV's
/// columns, then status and link, one row per model.
#[wasm_bindgen(js_name = sweepCsv)]
pub fn sweep_csv(jsonl: &str) -> Result<String, JsValue> {
    let lines = crate::grid::parse_lines(jsonl).map_err(fail)?;
    crate::metrics_csv::sweep_csv(&lines).map_err(|e| fail(Error::internal(e.to_string())))
}
