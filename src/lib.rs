//! Information Bottleneck Playground: train bottleneck models and measure
//! what they keep. The model and the math here know nothing of the browser.

pub mod config;
pub mod data;
pub mod rng;
