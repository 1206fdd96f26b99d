//! The CPU backend (ndarray): the reference every GPU kernel is tested
//! against, and the fallback where no GPU is available.

pub mod adam;
pub mod ema;
pub mod eval;
pub mod layers;
pub mod matmul;
pub mod objective;
pub mod parallel;
pub mod plane;
pub mod trainer;

pub use trainer::CpuTrainer;
