//! The page's surface (wasm32 only): a `Session` is one `Run` created from a
//! share link, on the visitor's WebGPU device or the CPU, and what it says
//! comes out as plain JS objects: events `{type, run, ...}` and errors
//! `{kind, key, line, column, message}`. Thin on purpose: the training
//! loop, its checks and the fallback live in `run`.
//!
//! Calls on one session must not overlap (the worker awaits each one).

use crate::config::{Experiment, schema};
use crate::data::{self, Sources, mnist::MnistSource};
use crate::error::Error;
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod session;
mod sweep;
pub use session::Session;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(Error::internal(e.to_string())))
}

/// An error as JavaScript receives it: `{kind, key, line, column, message}`.
fn js_error(error: Error) -> JsValue {
    error
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|_| JsValue::from_str(&error.message))
}

fn fail(error: impl Into<Error>) -> JsValue {
    js_error(error.into())
}

/// The data a link names, from the page's MNIST bytes or CSV text.
fn load(
    experiment: &Experiment,
    mnist: Option<Vec<u8>>,
    csv: Option<Vec<u8>>,
) -> Result<data::Dataset, JsValue> {
    let mut sources = Sources { csv, mnist: None };
    if let Some(bytes) = mnist {
        sources.mnist = Some(MnistSource::from_subset_bytes(&bytes).map_err(fail)?);
    }
    data::load(experiment, &sources).map_err(fail)
}

/// A link's training split as flat arrays (row-major x, labels), for the
/// benchmark page to feed the same examples to another library.
#[wasm_bindgen(js_name = trainingData)]
pub fn training_data(link: &str, mnist: Option<Vec<u8>>) -> Result<js_sys::Object, JsValue> {
    let experiment = Experiment::from_link(link).map_err(fail)?;
    let dataset = load(&experiment, mnist, None)?;
    let train = &dataset.train;
    let x: Vec<f32> = train.x.as_standard_layout().iter().copied().collect();
    let out = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&out, &key.into(), &value);
    set("x", js_sys::Float32Array::from(x.as_slice()).into())?;
    set("y", js_sys::Uint32Array::from(train.y.as_slice()).into())?;
    set("rows", (train.len() as f64).into())?;
    set("features", (train.x.ncols() as f64).into())?;
    set("classes", (dataset.classes as f64).into())?;
    Ok(out)
}

#[derive(Serialize)]
struct LinkCheck {
    link: String,
    errors: Vec<Error>,
}

/// Reads a link leniently for the page: every bad key is reported as an
/// error object and falls back to its default, the rest is kept. Returns
/// `{link, errors}` with the link normalised.
#[wasm_bindgen(js_name = checkLink)]
pub fn check_link(query: &str) -> Result<JsValue, JsValue> {
    let (experiment, errors) = crate::config::parse_lenient(query);
    to_js(&LinkCheck {
        link: experiment.to_link(),
        errors: errors.into_iter().map(Error::from).collect(),
    })
}

/// The schema of every link key (name, kind, options, min, max, default,
/// live, description), from which the page builds its controls.
#[wasm_bindgen(js_name = linkSchema)]
pub fn link_schema() -> Result<JsValue, JsValue> {
    to_js(&schema())
}

/// `link` with `key` set to `value`: the normalised link, or an error
/// object naming the key and the allowed values.
#[wasm_bindgen(js_name = setKey)]
pub fn set_key(link: &str, key: &str, value: &str) -> Result<String, JsValue> {
    let experiment = Experiment::from_link(link).map_err(fail)?;
    let changed = crate::config::with_key(&experiment, key, value).map_err(fail)?;
    Ok(changed.to_link())
}

#[derive(Serialize)]
struct Edit {
    link: String,
    /// The edit needs a new run (a key that is not live and not page-only).
    restart: bool,
    /// A live key: the run on screen takes the change.
    live: bool,
}

/// The one way the page edits its experiment: `link` with `key` set to
/// `value` by a control at step `step` of the run on screen. A live key
/// (beta, lr) is recorded as a change at `step` (`Experiment::record_live`:
/// the run's link replays it); a page-only key (views, hide) just changes;
/// any other key starts a new run from the values in force at `step` (the
/// schedule folded in) with the key changed. Returns `{link, restart,
/// live}`, or an error object naming the key and its range.
#[wasm_bindgen(js_name = editLink)]
pub fn edit_link(link: &str, key: &str, value: &str, step: u32) -> Result<JsValue, JsValue> {
    let mut experiment = held(link)?;
    let spec = crate::config::KEYS.iter().find(|k| k.name == key);
    let page_only = crate::config::schema()
        .iter()
        .any(|k| k.name == key && k.page_only);
    let live = spec.is_some_and(|k| k.live);
    let restart = !(live || page_only);
    if live {
        experiment.record_live(step, key, value).map_err(fail)?;
    } else {
        let base = if page_only {
            experiment
        } else {
            experiment.at(step)
        };
        experiment = crate::config::with_key(&base, key, value).map_err(fail)?;
    }
    to_js(&Edit {
        link: experiment.to_link(),
        restart,
        live,
    })
}

/// `link` as it stands at step `step`: every live key at its value in force
/// there, no schedule (what the controls show, and what a run restarted at
/// `step` begins from).
#[wasm_bindgen(js_name = linkAt)]
pub fn link_at(link: &str, step: u32) -> Result<String, JsValue> {
    Ok(held(link)?.at(step).to_link())
}

/// A link the page holds for its own run (its live changes may be longer
/// than a shareable link).
fn held(link: &str) -> Result<Experiment, JsValue> {
    crate::config::parse_bounded(link, crate::config::MAX_HELD_LINK_BYTES).map_err(fail)
}

/// The live changes `link` records, steps ascending: `[{step, key, value}]`
/// (the curves mark where beta changed).
#[wasm_bindgen(js_name = liveChanges)]
pub fn live_changes(link: &str) -> Result<JsValue, JsValue> {
    to_js(&held(link)?.live)
}

/// The longest link this build reads (bytes): a link with more live
/// changes than fit cannot be shared as it is.
#[wasm_bindgen(js_name = maxLinkBytes)]
pub fn max_link_bytes() -> u32 {
    crate::config::MAX_LINK_BYTES as u32
}

/// What the page must not keep a copy of (`facts::PageFacts`): the views,
/// the CSV reader's size limit, and how the plane's layers are named.
#[wasm_bindgen(js_name = pageFacts)]
pub fn page_facts() -> Result<JsValue, JsValue> {
    to_js(&crate::facts::page_facts())
}

/// A report as the page keeps it: the run's report and the training
/// seconds up to it.
#[derive(serde::Deserialize)]
struct PageReport {
    #[serde(flatten)]
    report: crate::report::Report,
    seconds: Option<f64>,
}

/// The page's reports (`{...report, seconds}`) as CSV, in the columns of
/// `ibp train --log` (`metrics_csv`).
#[wasm_bindgen(js_name = metricsCsv)]
pub fn metrics_csv(reports: JsValue) -> Result<String, JsValue> {
    let reports: Vec<PageReport> = serde_wasm_bindgen::from_value(reports)
        .map_err(|e| fail(Error::internal(format!("metrics: {e}"))))?;
    let rows: Vec<crate::metrics_csv::Row> = reports
        .iter()
        .map(|r| crate::metrics_csv::Row {
            report: &r.report,
            replica: 0,
            seconds: r.seconds,
        })
        .collect();
    crate::metrics_csv::to_csv(&rows).map_err(|e| fail(Error::internal(e.to_string())))
}

/// Every key of `link`, defaults included (the experiment export).
#[wasm_bindgen(js_name = fullLink)]
pub fn full_link(link: &str) -> Result<String, JsValue> {
    let experiment = held(link)?;
    Ok(crate::config::format_full(&experiment))
}

#[derive(Serialize)]
struct ExactCurve {
    #[serde(flatten)]
    curve: crate::info::exact_ib::CurveJson,
    /// The best solution at each beta of the grid, with its encoder p(t|x)
    /// as rows x (for the page's animation along beta).
    solutions: Vec<Frame>,
}

#[derive(Serialize)]
struct Frame {
    beta: f64,
    ixt_bits: f64,
    ity_bits: f64,
    encoder: Vec<Vec<f64>>,
}

/// The exact IB curve of a p(x, y) table given as CSV text (rows x,
/// columns y), by the same solver and grid as `ibp ib-curve`: the CLI's
/// JSON, plus each beta's solution with its encoder.
#[wasm_bindgen(js_name = ibCurve)]
pub fn ib_curve(pxy: &str) -> Result<JsValue, JsValue> {
    use crate::info::exact_ib;
    let joint = exact_ib::parse_pxy(pxy).map_err(|e| {
        fail(Error {
            message: format!("p(x,y): {}", e.message),
            ..e
        })
    })?;
    let options = exact_ib::Options::default();
    let curve = exact_ib::curve(&joint, &options);
    let nt = joint.nx;
    let solutions = curve
        .solutions
        .iter()
        .map(|s| Frame {
            beta: s.beta,
            ixt_bits: s.ixt_bits,
            ity_bits: s.ity_bits,
            encoder: s.encoder.chunks(nt).map(|row| row.to_vec()).collect(),
        })
        .collect();
    to_js(&ExactCurve {
        curve: curve.to_json(options.alpha),
        solutions,
    })
}

#[derive(Serialize)]
struct KernelReport {
    adapter: crate::gpu::context::AdapterSummary,
    emulated: bool,
    wide_tiles: bool,
    subgroup_size: Option<u32>,
    /// The product kernels this adapter runs (training uses the direct one,
    /// and the subgroup one for tiny outputs over a long k on a real GPU:
    /// `gpu::ops::training_kernel`).
    kernels: Vec<&'static str>,
    checks: Vec<crate::gpu::selfcheck::ProductCheck>,
}

/// Checks every matrix-product kernel this browser's WebGPU adapter runs
/// against f64 sums (`gpu::selfcheck`), on a fresh device: small awkward
/// sizes (1 to 261 rows, k from 1 to 200). Resolves to `{adapter, emulated,
/// wide_tiles, subgroup_size, kernels, checks: [{kernel, shape, trans_a,
/// trans_b, activation, worst}]}`, where `worst` <= 1 passes; rejects with
/// `{kind: "gpu", message}` where there is no adapter.
#[wasm_bindgen(js_name = checkKernels)]
pub async fn check_kernels() -> Result<JsValue, JsValue> {
    use crate::gpu::{GpuContext, Requirements, selfcheck};
    let need = Requirements {
        storage_buffer_bytes: 1 << 20,
        workgroups_per_dimension: 65_535,
    };
    let ctx = GpuContext::new(need).await.map_err(fail)?;
    let sizes = [
        (1, 7, 63),
        (7, 65, 1),
        (63, 257, 65),
        (100, 64, 200),
        (261, 130, 47),
    ];
    let checks = selfcheck::check_products(&ctx, &sizes)
        .await
        .map_err(fail)?;
    to_js(&KernelReport {
        adapter: ctx.summary.clone(),
        emulated: ctx.emulated,
        wide_tiles: ctx.wide_tiles,
        subgroup_size: ctx.subgroup_size,
        kernels: selfcheck::offered_kernels(&ctx)
            .iter()
            .map(|k| k.name())
            .collect(),
        checks,
    })
}
