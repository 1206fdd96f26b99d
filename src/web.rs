//! The page's surface (wasm32 only): a training `Session` created from a
//! share link, on the visitor's WebGPU device or the CPU backend, with its
//! reports and view snapshots as plain JS objects. Thin on purpose: the model
//! and the math live in the rest of the crate.
//!
//! Calls on one session must not overlap (the worker awaits each one).

use crate::config::{Experiment, KEYS};
use crate::cpu::CpuTrainer;
use crate::data::{self, Dataset, Sources, mnist::MnistSource};
use crate::gpu::{GpuError, GpuTrainer};
use crate::model::Params;
use crate::report::Report;
use crate::snapshot::{self, Snapshot};
use crate::sweep;
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The backend: one CPU trainer per replica, or one GPU trainer holding
/// every replica in the same dispatches.
enum Engine {
    Cpu(Vec<CpuTrainer>),
    Gpu(Box<GpuTrainer>),
}

/// The last state known to be good, per backend.
enum Saved {
    None,
    Cpu(Vec<crate::cpu::trainer::Checkpoint>),
    Gpu(Box<crate::gpu::trainer::GpuCheckpoint>),
}

/// Checkpoints are skipped above this many parameters (all replicas): the
/// GPU would read them back at every report.
const CHECKPOINT_MAX_PARAMETERS: usize = 4_000_000;

/// One experiment training in the page.
#[wasm_bindgen]
pub struct Session {
    saved: Saved,
    engine: Engine,
    experiment: Experiment,
    dataset: Dataset,
    backend: String,
}

/// A link's training split as flat arrays (row-major x, labels), for the
/// benchmark page to feed the same examples to another library.
#[wasm_bindgen(js_name = trainingData)]
pub fn training_data(link: &str, mnist: Option<Vec<u8>>) -> Result<js_sys::Object, JsError> {
    let experiment = Experiment::from_link(link).map_err(|e| JsError::new(&e.to_string()))?;
    let mut sources = Sources::default();
    if let Some(bytes) = mnist {
        sources.mnist =
            Some(MnistSource::from_subset_bytes(&bytes).map_err(|e| JsError::new(&e.0))?);
    }
    let dataset = data::load(&experiment, &sources).map_err(|e| JsError::new(&e.0))?;
    let train = &dataset.train;
    let x: Vec<f32> = train.x.as_standard_layout().iter().copied().collect();
    let out = js_sys::Object::new();
    let set =
        |key: &str, value: JsValue| js_sys::Reflect::set(&out, &key.into(), &value).map(|_| ());
    let fail = |_| JsError::new("could not build the data object");
    set("x", js_sys::Float32Array::from(x.as_slice()).into()).map_err(fail)?;
    set("y", js_sys::Uint32Array::from(train.y.as_slice()).into()).map_err(fail)?;
    set("rows", (train.len() as f64).into()).map_err(fail)?;
    set("features", (train.x.ncols() as f64).into()).map_err(fail)?;
    set("classes", (dataset.classes as f64).into()).map_err(fail)?;
    Ok(out)
}

#[derive(Serialize)]
struct LinkCheck {
    link: String,
    errors: Vec<KeyError>,
}

#[derive(Serialize)]
struct KeyError {
    key: String,
    message: String,
}

/// Reads a link leniently for the page: every bad key is reported (key and
/// message) and falls back to its default, the rest is kept. Returns
/// `{link, errors}` with the link normalised (every key written).
#[wasm_bindgen(js_name = checkLink)]
pub fn check_link(query: &str) -> Result<JsValue, JsError> {
    let (experiment, errors) = crate::config::parse_lenient(query);
    let errors = errors
        .into_iter()
        .map(|e| KeyError {
            key: e.key,
            message: e.message,
        })
        .collect();
    to_js(&LinkCheck {
        link: experiment.to_link(),
        errors,
    })
}

/// Every link key with its documentation and default, for the page.
#[wasm_bindgen(js_name = linkKeys)]
pub fn link_keys() -> Result<JsValue, JsError> {
    let defaults = Experiment::default();
    let keys: Vec<(String, String, String)> = KEYS
        .iter()
        .map(|k| (k.name.to_string(), k.doc.to_string(), (k.get)(&defaults)))
        .collect();
    to_js(&keys)
}

#[wasm_bindgen]
impl Session {
    /// Creates a session. `backend` is "gpu" or "cpu"; `mnist` holds the
    /// uncompressed subset file when data=mnist; `csv` the table for data=csv;
    /// `sweep` ("beta=1e-4:1:8") trains several replicas at once.
    /// A GPU failure is an error whose message starts with "gpu:" so the page
    /// can fall back to the CPU and say why.
    pub async fn create(
        link: String,
        backend: String,
        mnist: Option<Vec<u8>>,
        csv: Option<String>,
        sweep: Option<String>,
    ) -> Result<Session, JsError> {
        let experiment = Experiment::from_link(&link).map_err(|e| JsError::new(&e.to_string()))?;
        let mut sources = Sources { csv, mnist: None };
        if let Some(bytes) = mnist {
            sources.mnist =
                Some(MnistSource::from_subset_bytes(&bytes).map_err(|e| JsError::new(&e.0))?);
        }
        let dataset = data::load(&experiment, &sources).map_err(|e| JsError::new(&e.0))?;
        let replicas = match &sweep {
            Some(spec) => sweep::parse(spec, &experiment).map_err(|e| JsError::new(&e))?,
            None => sweep::single(&experiment),
        };
        let (engine, backend) = match backend.as_str() {
            "gpu" => {
                let trainer = GpuTrainer::open(experiment.clone(), &dataset, replicas)
                    .await
                    .map_err(|e| JsError::new(&format!("gpu: {e}")))?;
                let name = format!("WebGPU — {}", trainer.ctx.summary.name);
                (Engine::Gpu(Box::new(trainer)), name)
            }
            "cpu" => {
                let trainers = replicas
                    .iter()
                    .map(|r| {
                        let replica = Experiment {
                            seed: r.seed,
                            beta: r.beta,
                            ..experiment.clone()
                        };
                        CpuTrainer::new(replica, dataset.clone())
                    })
                    .collect();
                (Engine::Cpu(trainers), "CPU (WebAssembly)".to_string())
            }
            other => {
                return Err(JsError::new(&format!(
                    "backend '{other}' is not gpu or cpu"
                )));
            }
        };
        Ok(Session {
            saved: Saved::None,
            engine,
            experiment,
            dataset,
            backend,
        })
    }

    /// "WebGPU — adapter" or "CPU (WebAssembly)".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// The normalised share link of this session's experiment.
    #[wasm_bindgen(getter)]
    pub fn link(&self) -> String {
        self.experiment.to_link()
    }

    /// Steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        match &self.engine {
            Engine::Cpu(trainers) => trainers[0].steps_done(),
            Engine::Gpu(t) => t.steps_done(),
        }
    }

    /// Trainable numbers of one replica.
    #[wasm_bindgen(getter)]
    pub fn parameters(&self) -> f64 {
        match &self.engine {
            Engine::Cpu(trainers) => trainers[0].model.shape.parameter_count() as f64,
            Engine::Gpu(t) => t.layout.total as f64,
        }
    }

    /// Dataset facts for the views: name, sizes, classes, image shape.
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&snapshot::DatasetInfo::of(&self.dataset, &self.experiment))
    }

    /// Trains `steps` more steps (the GPU records them and returns at once).
    pub fn train(&mut self, steps: u32) {
        match &mut self.engine {
            Engine::Cpu(trainers) => {
                for t in trainers {
                    for _ in 0..steps {
                        t.train_step();
                    }
                }
            }
            Engine::Gpu(t) => t.submit_steps(steps),
        }
    }

    /// Resolves when the submitted training steps have run (the GPU works
    /// asynchronously; the CPU has already finished).
    pub async fn finished(&self) -> Result<(), JsError> {
        match &self.engine {
            Engine::Cpu(_) => Ok(()),
            Engine::Gpu(t) => t.finished().await.map_err(gpu_error),
        }
    }

    /// The mean training loss (bits) since the last report, read back alone
    /// (waits for the submitted steps): what a training loop that only
    /// watches its loss waits for, as the benchmark page measures.
    #[wasm_bindgen(js_name = trainLoss)]
    pub async fn train_loss(&self) -> Result<f64, JsError> {
        match &self.engine {
            Engine::Cpu(trainers) => Ok(trainers[0].train_loss()),
            Engine::Gpu(t) => t.train_loss().await.map_err(gpu_error),
        }
    }

    /// Measures every replica: an array of report objects (one without a
    /// sweep; see `report::Report`).
    pub async fn report(&mut self) -> Result<JsValue, JsError> {
        let reports: Vec<Report> = match &mut self.engine {
            Engine::Cpu(trainers) => trainers.iter_mut().map(|t| t.report(false)).collect(),
            Engine::Gpu(t) => t.report(false).await.map_err(gpu_error)?,
        };
        to_js(&reports)
    }

    /// What the views draw (for the first replica): latent means and scales
    /// of a sample of test points, the decision map of 2-D data, inputs
    /// beside their reconstructions or predictions for images.
    pub async fn snapshot(&self) -> Result<JsValue, JsError> {
        let (params, model): (Params<f32>, _) = match &self.engine {
            Engine::Cpu(trainers) => (trainers[0].params.clone(), trainers[0].model.clone()),
            Engine::Gpu(t) => (t.read_params(0).await.map_err(gpu_error)?, t.model.clone()),
        };
        let snap: Snapshot = snapshot::take(
            &params,
            &model,
            &self.experiment,
            &self.dataset,
            self.steps(),
        );
        to_js(&snap)
    }

    /// The first replica's trained weights as JSON (see `weights`).
    pub async fn weights(&self) -> Result<String, JsError> {
        let params: Params<f32> = match &self.engine {
            Engine::Cpu(trainers) => trainers[0].params.clone(),
            Engine::Gpu(t) => t.read_params(0).await.map_err(gpu_error)?,
        };
        let weights = crate::weights::Weights::from_params(&params, &self.experiment);
        serde_json::to_string(&weights).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Keeps the current state as the last good one (after a finite report).
    /// Returns false when the model is too large to keep a copy.
    pub async fn checkpoint(&mut self) -> Result<bool, JsError> {
        self.saved = match &self.engine {
            Engine::Cpu(trainers) => Saved::Cpu(trainers.iter().map(|t| t.checkpoint()).collect()),
            Engine::Gpu(t) => {
                if t.layout.total * t.replicas.len() > CHECKPOINT_MAX_PARAMETERS {
                    return Ok(false);
                }
                Saved::Gpu(Box::new(t.checkpoint().await.map_err(gpu_error)?))
            }
        };
        Ok(true)
    }

    /// Goes back to the last good state; returns its step, or -1 if none
    /// (an f64 so that JavaScript gets a plain number).
    pub fn restore(&mut self) -> f64 {
        match (&mut self.engine, &self.saved) {
            (Engine::Cpu(trainers), Saved::Cpu(saved)) => {
                trainers
                    .iter_mut()
                    .zip(saved)
                    .for_each(|(t, c)| t.restore(c));
            }
            (Engine::Gpu(t), Saved::Gpu(saved)) => t.restore(saved),
            _ => return -1.0,
        }
        self.steps() as f64
    }

    /// Continues from weights saved earlier (`weights()` JSON) at `step`;
    /// Adam's moments start again from zero. Errors say what does not fit.
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, json: &str, step: u32) -> Result<(), JsError> {
        let weights = crate::weights::Weights::parse(json).map_err(|e| JsError::new(&e))?;
        if weights.link != self.experiment.to_link() {
            return Err(JsError::new(
                "the saved weights belong to another experiment",
            ));
        }
        match &mut self.engine {
            Engine::Cpu(trainers) => {
                for t in trainers {
                    let params = weights
                        .to_params(&t.model.shape)
                        .map_err(|e| JsError::new(&e))?;
                    let zeros = [Params::zeros(&t.model.shape), Params::zeros(&t.model.shape)];
                    let geco = crate::geco::Geco::new(t.experiment.beta);
                    t.resume(params, zeros, None, step, geco);
                }
            }
            Engine::Gpu(t) => {
                let params = weights
                    .to_params(&t.model.shape)
                    .map_err(|e| JsError::new(&e))?;
                t.load_params(&params, step);
            }
        }
        self.saved = Saved::None;
        Ok(())
    }

    /// Destroys the GPU device, as a lost device would be (for tests of the
    /// page's recovery); does nothing on the CPU.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) {
        if let Engine::Gpu(t) = &self.engine {
            t.ctx.device.destroy();
        }
    }

    /// Moves a GPU session to the CPU after the device was lost: from the
    /// last good checkpoint when there is one (returns its step), else from
    /// the start (returns 0). The experiment and the link stay the same.
    #[wasm_bindgen(js_name = fallBackToCpu)]
    pub fn fall_back_to_cpu(&mut self) -> f64 {
        let Engine::Gpu(gpu) = &self.engine else {
            return self.steps() as f64;
        };
        let replicas = gpu.replicas.clone();
        let layout = gpu.layout.clone();
        let mut trainers: Vec<CpuTrainer> = replicas
            .iter()
            .map(|r| {
                CpuTrainer::new(
                    Experiment {
                        seed: r.seed,
                        beta: r.beta,
                        ..self.experiment.clone()
                    },
                    self.dataset.clone(),
                )
            })
            .collect();
        let mut step = 0;
        if let Saved::Gpu(saved) = &self.saved {
            step = saved.step();
            for (r, trainer) in trainers.iter_mut().enumerate() {
                let ([params, m, v], g) = saved.replica(r, layout.total);
                let ema = saved.replica_ema(r, layout.total);
                let geco = crate::geco::Geco {
                    beta: g[0],
                    average: (g[2] != 0.0).then_some(g[1]),
                };
                trainer.resume(
                    layout.unflatten(&params),
                    [layout.unflatten(&m), layout.unflatten(&v)],
                    ema.map(|e| layout.unflatten(&e)),
                    step,
                    geco,
                );
            }
        }
        self.engine = Engine::Cpu(trainers);
        self.saved = Saved::None;
        self.backend = "CPU (WebAssembly)".to_string();
        step as f64
    }

    /// Changes beta from now on (the model keeps training).
    #[wasm_bindgen(js_name = setBeta)]
    pub fn set_beta(&mut self, beta: f64) -> Result<(), JsError> {
        self.live_change(|e| e.beta = beta)
    }

    /// Changes the learning rate from now on.
    #[wasm_bindgen(js_name = setLr)]
    pub fn set_lr(&mut self, lr: f64) -> Result<(), JsError> {
        self.live_change(|e| e.lr = lr)
    }
}

impl Session {
    fn live_change(&mut self, change: impl Fn(&mut Experiment)) -> Result<(), JsError> {
        let mut next = self.experiment.clone();
        change(&mut next);
        next.validate().map_err(|e| JsError::new(&e.to_string()))?;
        match &mut self.engine {
            Engine::Cpu(trainers) => trainers
                .iter_mut()
                .for_each(|t| t.set_experiment(next.clone())),
            Engine::Gpu(t) => t.set_experiment(next.clone()),
        }
        self.experiment = next;
        Ok(())
    }
}

fn gpu_error(e: GpuError) -> JsError {
    JsError::new(&format!("gpu: {e}"))
}
