//! `Session`: one experiment training in the page, a `Run` created from
//! the worker's options (`CreateOptions`), its slices, snapshots, live
//! changes and checkpoints, each answer a plain JS object stamped with the
//! page's run number.

use super::{fail, load, to_js};
use crate::config::Experiment;
use crate::error::Error;
use crate::grid::{Divergence, Ending, Line, SweepId};
use crate::run::{Choice, Event, Run};
use crate::snapshot::DatasetInfo;
use crate::sweep;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// One experiment training in the page.
#[wasm_bindgen]
pub struct Session {
    run: Run,
    /// The page's number for this run, on every event it posts.
    id: u32,
    fallback: Option<String>,
    /// A β sweep's identity and its models' experiments, one per replica
    /// (`sweepLines`), and the model that diverged, if one did.
    sweep: Option<(SweepId, Vec<Experiment>)>,
    diverged: Option<(usize, Divergence)>,
}

#[wasm_bindgen]
impl Session {
    /// Creates a session from `options`, a plain object `{link, backend,
    /// run, mnist?, csv?, sweep?, until?}`: `run` is the page's number for
    /// this run (on every event); `backend` is "gpu" (an error when WebGPU
    /// cannot hold the model; the CPU takes over if the device is lost
    /// later), "gpu-only" (never the CPU: benchmarks) or "cpu"; `mnist`
    /// holds the uncompressed subset when data=mnist, `csv` the table for
    /// data=csv (Uint8Arrays); `sweep` ("beta=1e-4:1:8", or "seed=1:8")
    /// trains several replicas at once, and `until` stops after that many
    /// steps. A beta sweep's models are the runs of the `ibp sweep` grid of
    /// the same text (`sweepLines`).
    pub async fn create(options: JsValue) -> Result<Session, JsValue> {
        let options = CreateOptions::read(&options)?;
        let experiment = Experiment::from_link(&options.link).map_err(fail)?;
        let dataset = load(&experiment, options.mnist, options.csv)?;
        let replicas = match &options.sweep {
            Some(spec) => sweep::parse(spec, &experiment).map_err(fail)?,
            None => sweep::single(&experiment),
        };
        let beta_sweep = options.sweep.as_ref().filter(|s| s.starts_with("beta="));
        let sweep = beta_sweep.map(|grid| {
            let id = SweepId {
                base: experiment.to_link(),
                grid: grid.clone(),
                steps: options.until.unwrap_or(0),
            };
            let runs = replicas
                .iter()
                .map(|r| Experiment {
                    beta: r.beta,
                    ..experiment.clone()
                })
                .collect();
            (id, runs)
        });
        let choice = match options.backend.as_str() {
            "gpu" | "gpu-only" => Choice::Gpu { fall_back: false },
            "cpu" => Choice::Cpu,
            other => {
                return Err(fail(Error::internal(format!(
                    "backend '{other}' is not gpu or cpu"
                ))));
            }
        };
        let (run, fallback) = Run::open(experiment, Arc::new(dataset), replicas, choice)
            .await
            .map_err(fail)?;
        let run = match options.until {
            Some(steps) => run.until(steps),
            None => run,
        };
        let run = if options.backend == "gpu" {
            run.falling_back()
        } else {
            run
        };
        Ok(Session {
            run: run.with_snapshots(),
            id: options.run,
            fallback,
            sweep,
            diverged: None,
        })
    }

    /// "WebGPU — adapter" or "CPU (WebAssembly)".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.run.backend().label()
    }

    /// Where the run trains now: "cpu" or "gpu".
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.run.backend().kind().name().to_string()
    }

    /// Why the CPU was taken when the GPU was asked for, or undefined.
    #[wasm_bindgen(getter)]
    pub fn fallback(&self) -> Option<String> {
        self.fallback.clone()
    }

    /// The normalised share link of the experiment (live changes included).
    #[wasm_bindgen(getter)]
    pub fn link(&self) -> String {
        self.run.experiment().to_link()
    }

    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.run.steps()
    }

    /// Trainable numbers of one replica.
    #[wasm_bindgen(getter)]
    pub fn parameters(&self) -> f64 {
        self.run.backend().parameters() as f64
    }

    /// Dataset facts for the views: name, sizes, classes, image shape.
    pub fn info(&self) -> Result<JsValue, JsValue> {
        to_js(&DatasetInfo::of(self.run.dataset(), self.run.experiment()))
    }

    /// Stops the run at `step` once (a lesson's pause): no slice trains
    /// past it, and the one that finds the run there says `{type: 'held',
    /// step}`; later slices train on. Undefined holds nowhere.
    #[wasm_bindgen(js_name = holdAt)]
    pub fn hold_at(&mut self, step: Option<u32>) {
        self.run.hold_at(step);
    }

    /// Trains for about `budget_ms`; returns the events (progress, reports,
    /// snapshots, a divergence, a change of backend, the end).
    pub async fn slice(&mut self, budget_ms: f64) -> Result<JsValue, JsValue> {
        let events = self.run.slice(budget_ms).await.map_err(fail)?;
        self.note_divergence(&events);
        self.events(events)
    }

    /// A β sweep's lines (schema `ibp-sweep-1`, as `ibp sweep` writes
    /// them), one per model, `wall_s` the seconds it has taken: `done` at
    /// its last step; otherwise the models are measured where they stand,
    /// `stopped` (a Stop), or, after a divergence, the last finite reports
    /// with the model that diverged `diverged` and the others `stopped`.
    #[wasm_bindgen(js_name = sweepLines)]
    pub async fn sweep_lines(&mut self, wall_s: f64) -> Result<String, JsValue> {
        if self.sweep.is_none() {
            return Err(fail(Error::internal(
                "sweepLines: this session is not a β sweep",
            )));
        }
        if !self.run.is_finished() && !self.run.diverged() {
            let events = self.run.report_now().await.map_err(fail)?;
            self.note_divergence(&events);
        }
        let (id, runs) = self.sweep.as_ref().expect("checked above");
        let reports = self.run.last_good().unwrap_or(&[]);
        let backend = self.kind();
        let mut text = String::new();
        for (i, run) in runs.iter().enumerate() {
            let ending = match &self.diverged {
                _ if self.run.is_finished() => Ending::Done,
                Some((replica, at)) if *replica == i => Ending::Diverged(at.clone()),
                _ => Ending::Stopped,
            };
            let line = Line::new(run, id, &backend, reports.get(i), ending, wall_s);
            text +=
                &serde_json::to_string(&line).map_err(|e| fail(Error::internal(e.to_string())))?;
            text.push('\n');
        }
        Ok(text)
    }

    /// One step and its report.
    pub async fn step(&mut self) -> Result<JsValue, JsValue> {
        let mut events = self.run.advance(1).await.map_err(fail)?;
        if !events.iter().any(|e| matches!(e, Event::Report { .. })) {
            events.extend(self.run.report_now().await.map_err(fail)?);
        }
        events.push(Event::Snapshot {
            snapshot: Box::new(self.run.snapshot().await.map_err(fail)?),
        });
        self.events(events)
    }

    /// The report and snapshot of the model as it is now, and a checkpoint
    /// of it (a new run, a restored one, one picked up after a reload).
    pub async fn look(&mut self) -> Result<JsValue, JsValue> {
        let mut events = self.run.report_now().await.map_err(fail)?;
        self.run.checkpoint().await.map_err(fail)?;
        events.push(Event::Snapshot {
            snapshot: Box::new(self.run.snapshot().await.map_err(fail)?),
        });
        self.events(events)
    }

    /// Goes back to the last good state; its step, or undefined if none.
    pub fn restore(&mut self) -> Result<Option<u32>, JsValue> {
        self.run.restore().map_err(fail)
    }

    /// Sets a live key (beta, lr) from the current step on (`Run::apply`);
    /// returns the new link, which records the change at that step.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String, JsValue> {
        self.run.apply(key, value).map_err(fail)?;
        Ok(self.link())
    }

    /// The first replica's trained weights: `{json, events}`, the weights
    /// as JSON (see `weights`) and the run's events while they were read (a
    /// GPU lost meanwhile moves the run to the CPU: backend_changed).
    pub async fn weights(&mut self) -> Result<JsValue, JsValue> {
        let mut events = Vec::new();
        let params = self
            .run
            .params_or_recover(0, &mut events)
            .await
            .map_err(fail)?;
        let weights = crate::weights::Weights::from_params(&params, self.run.experiment());
        let json =
            serde_json::to_string(&weights).map_err(|e| fail(Error::internal(e.to_string())))?;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &"json".into(), &json.into())?;
        js_sys::Reflect::set(&out, &"events".into(), &self.events(events)?)?;
        Ok(out.into())
    }

    /// Continues from weights saved earlier (`weights()` JSON) at `step`;
    /// Adam's moments start again from zero.
    #[wasm_bindgen(js_name = loadWeights)]
    pub async fn load_weights(&mut self, json: &str, step: u32) -> Result<(), JsValue> {
        let weights = crate::weights::Weights::parse(json).map_err(fail)?;
        if weights.link != self.link() {
            return Err(fail(Error::data(
                "the saved weights belong to another experiment",
            )));
        }
        let shape = &crate::model::Model::new(self.run.experiment(), self.run.dataset()).shape;
        let params = weights.to_params(shape).map_err(fail)?;
        self.run.load_params(&params, step).await.map_err(fail)
    }

    /// Steps per second on this model (about `budget_ms` of training, then
    /// back to the state it started from), or undefined when the state of
    /// a GPU model too large to read back cannot be kept.
    #[wasm_bindgen(js_name = stepsPerSecond)]
    pub async fn steps_per_second(&mut self, budget_ms: f64) -> Result<Option<f64>, JsValue> {
        self.run.steps_per_second(budget_ms).await.map_err(fail)
    }

    /// Trains `steps` steps with no report or check, then reads the mean
    /// training loss back: what the benchmark page times.
    #[wasm_bindgen(js_name = benchSteps)]
    pub async fn bench_steps(&mut self, steps: u32) -> Result<f64, JsValue> {
        self.run.train_unmeasured(steps);
        self.run.train_loss().await.map_err(fail)
    }

    /// Destroys the GPU device, as a driver reset would (for tests of the
    /// page's recovery); does nothing on the CPU.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) {
        self.run.lose_device();
    }
}

/// `Session.create`'s options, read from the plain object the worker sends.
struct CreateOptions {
    link: String,
    backend: String,
    run: u32,
    mnist: Option<Vec<u8>>,
    csv: Option<Vec<u8>>,
    sweep: Option<String>,
    until: Option<u32>,
}

impl CreateOptions {
    fn read(options: &JsValue) -> Result<CreateOptions, JsValue> {
        let field = |name: &str| -> Result<Option<JsValue>, JsValue> {
            let value = js_sys::Reflect::get(options, &name.into())?;
            Ok((!value.is_undefined() && !value.is_null()).then_some(value))
        };
        let missing = |name: &str| fail(Error::internal(format!("Session.create: no {name}")));
        let text = |name: &str| -> Result<Option<String>, JsValue> {
            Ok(field(name)?.and_then(|v| v.as_string()))
        };
        let bytes = |name: &str| -> Result<Option<Vec<u8>>, JsValue> {
            Ok(field(name)?.map(|v| js_sys::Uint8Array::new(&v).to_vec()))
        };
        let whole = |name: &str| -> Result<Option<u32>, JsValue> {
            Ok(field(name)?.and_then(|v| v.as_f64()).map(|v| v as u32))
        };
        Ok(CreateOptions {
            link: text("link")?.ok_or_else(|| missing("link"))?,
            backend: text("backend")?.ok_or_else(|| missing("backend"))?,
            run: whole("run")?.unwrap_or(0),
            mnist: bytes("mnist")?,
            csv: bytes("csv")?,
            sweep: text("sweep")?,
            until: whole("until")?,
        })
    }
}

impl Session {
    /// Keeps which model diverged, for the sweep's lines.
    fn note_divergence(&mut self, events: &[Event]) {
        for event in events {
            if let Event::Diverged {
                step,
                replica,
                quantity,
                ..
            } = event
            {
                let at = Divergence {
                    step: *step,
                    quantity: quantity.clone(),
                };
                self.diverged = Some((*replica, at));
            }
        }
    }

    /// Events as JS objects, each stamped with this session's number.
    fn events(&self, events: Vec<Event>) -> Result<JsValue, JsValue> {
        let array = js_sys::Array::new();
        for event in &events {
            let object = to_js(event)?;
            js_sys::Reflect::set(&object, &"run".into(), &self.id.into())?;
            array.push(&object);
        }
        Ok(array.into())
    }
}
