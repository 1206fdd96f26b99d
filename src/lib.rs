//! Information Bottleneck Playground: train bottleneck models and measure
//! what they keep. The model and the math here know nothing of the browser.

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
pub mod beta_sweep;
pub mod config;
pub mod cpu;
pub mod data;
pub mod error;
pub mod facts;
pub mod fmath;
pub mod geco;
pub mod gpu;
pub mod grid;
pub mod info;
pub mod metrics_csv;
pub mod model;
pub mod report;
pub mod rng;
pub mod run;
pub mod snapshot;
pub mod state;
pub mod sweep;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod weights;
