//! Information measures: what the bottleneck keeps and discards, in bits.

pub mod activations;
mod curve;
pub mod dsbs;
pub mod exact_ib;
pub mod plane;
pub mod tables;
