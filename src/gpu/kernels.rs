//! The WGSL kernels: one file per kernel in `shaders/`, named after its entry
//! point, with the library files it uses prepended (WGSL has no includes).

/// How a kernel uses a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    ReadWrite,
    Uniform,
}

impl Access {
    pub fn binding_type(self) -> wgpu::BindingType {
        match self {
            Access::Uniform => wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            Access::Read | Access::ReadWrite => wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage {
                    read_only: self == Access::Read,
                },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
        }
    }
}

const RNG: &str = include_str!("../../shaders/rng.wgsl");
const MATH: &str = include_str!("../../shaders/math.wgsl");
const MATMUL_IO: &str = include_str!("../../shaders/matmul_io.wgsl");
const SCHEDULE: &str = include_str!("../../shaders/schedule.wgsl");

/// Every kernel of the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    Matmul,
    MatmulSmall,
    MatmulWide,
    MatmulSubgroup,
    ActBackward,
    BiasGrad,
    Gather,
    Reparameterize,
    ReparamBackward,
    SoftmaxCe,
    Reconstruction,
    Accuracy,
    Reduce,
    Adam,
    Advance,
    RngTest,
    Pairwise,
    ValueRange,
    Geco,
}

use Access::{Read as R, ReadWrite as W, Uniform as U};

impl Kernel {
    pub const ALL: &'static [Kernel] = &[
        Kernel::Matmul,
        Kernel::MatmulSmall,
        Kernel::MatmulWide,
        Kernel::MatmulSubgroup,
        Kernel::ActBackward,
        Kernel::BiasGrad,
        Kernel::Gather,
        Kernel::Reparameterize,
        Kernel::ReparamBackward,
        Kernel::SoftmaxCe,
        Kernel::Reconstruction,
        Kernel::Accuracy,
        Kernel::Reduce,
        Kernel::Adam,
        Kernel::Advance,
        Kernel::RngTest,
        Kernel::Pairwise,
        Kernel::ValueRange,
        Kernel::Geco,
    ];

    /// File stem and entry point.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Matmul => "matmul",
            Kernel::MatmulSmall => "matmul_small",
            Kernel::MatmulWide => "matmul_wide",
            Kernel::MatmulSubgroup => "matmul_subgroup",
            Kernel::ActBackward => "act_backward",
            Kernel::BiasGrad => "bias_grad",
            Kernel::Gather => "gather",
            Kernel::Reparameterize => "reparameterize",
            Kernel::ReparamBackward => "reparam_backward",
            Kernel::SoftmaxCe => "softmax_ce",
            Kernel::Reconstruction => "reconstruction",
            Kernel::Accuracy => "accuracy",
            Kernel::Reduce => "reduce",
            Kernel::Adam => "adam",
            Kernel::Advance => "advance",
            Kernel::RngTest => "rng_test",
            Kernel::Pairwise => "pairwise",
            Kernel::ValueRange => "value_range",
            Kernel::Geco => "geco",
        }
    }

    /// The kernel's own WGSL file.
    pub fn own_source(self) -> &'static str {
        match self {
            Kernel::Matmul => include_str!("../../shaders/matmul.wgsl"),
            Kernel::MatmulSmall => include_str!("../../shaders/matmul_small.wgsl"),
            Kernel::MatmulWide => include_str!("../../shaders/matmul_wide.wgsl"),
            Kernel::MatmulSubgroup => include_str!("../../shaders/matmul_subgroup.wgsl"),
            Kernel::ActBackward => include_str!("../../shaders/act_backward.wgsl"),
            Kernel::BiasGrad => include_str!("../../shaders/bias_grad.wgsl"),
            Kernel::Gather => include_str!("../../shaders/gather.wgsl"),
            Kernel::Reparameterize => include_str!("../../shaders/reparameterize.wgsl"),
            Kernel::ReparamBackward => include_str!("../../shaders/reparam_backward.wgsl"),
            Kernel::SoftmaxCe => include_str!("../../shaders/softmax_ce.wgsl"),
            Kernel::Reconstruction => include_str!("../../shaders/reconstruction.wgsl"),
            Kernel::Accuracy => include_str!("../../shaders/accuracy.wgsl"),
            Kernel::Reduce => include_str!("../../shaders/reduce.wgsl"),
            Kernel::Adam => include_str!("../../shaders/adam.wgsl"),
            Kernel::Advance => include_str!("../../shaders/advance.wgsl"),
            Kernel::RngTest => include_str!("../../shaders/rng_test.wgsl"),
            Kernel::Pairwise => include_str!("../../shaders/pairwise.wgsl"),
            Kernel::ValueRange => include_str!("../../shaders/value_range.wgsl"),
            Kernel::Geco => include_str!("../../shaders/geco.wgsl"),
        }
    }

    /// Library files the kernel uses.
    fn libraries(self) -> &'static [&'static str] {
        match self {
            Kernel::Matmul | Kernel::MatmulSmall | Kernel::MatmulWide | Kernel::MatmulSubgroup => {
                &[MATH, MATMUL_IO]
            }
            Kernel::ActBackward | Kernel::Reconstruction | Kernel::Pairwise => &[MATH],
            Kernel::Gather => &[RNG, SCHEDULE],
            Kernel::Reparameterize => &[RNG, MATH, SCHEDULE],
            Kernel::ReparamBackward => &[MATH, SCHEDULE],
            Kernel::Reduce | Kernel::Adam | Kernel::Advance | Kernel::Geco => &[SCHEDULE],
            Kernel::RngTest => &[RNG],
            Kernel::BiasGrad | Kernel::SoftmaxCe | Kernel::Accuracy | Kernel::ValueRange => &[],
        }
    }

    /// The WGSL features the kernel enables (directives come first in a
    /// module); the device must have them.
    pub fn features(self) -> wgpu::Features {
        match self {
            Kernel::MatmulSubgroup => wgpu::Features::SUBGROUP,
            _ => wgpu::Features::empty(),
        }
    }

    /// The module source: its `enable` directives (in the browser), the
    /// libraries, then the kernel.
    pub fn source(self) -> String {
        let mut text = String::new();
        // Browsers require the directive; naga (native) rejects it and takes
        // the subgroup builtins without it.
        if cfg!(target_arch = "wasm32") && self.features().contains(wgpu::Features::SUBGROUP) {
            text.push_str("enable subgroups;\n");
        }
        text.push_str(&self.libraries().concat());
        text.push_str(self.own_source());
        text
    }

    /// Binding accesses in binding order (matching the WGSL declarations).
    pub fn bindings(self) -> &'static [Access] {
        match self {
            Kernel::Matmul | Kernel::MatmulSmall | Kernel::MatmulWide | Kernel::MatmulSubgroup => {
                &[R, R, W, W, U]
            }
            Kernel::ActBackward => &[W, R, R, U],
            Kernel::BiasGrad => &[R, W, U],
            Kernel::Gather => &[R, R, W, W, R, U],
            Kernel::Reparameterize => &[R, W, W, W, W, R, U],
            Kernel::ReparamBackward => &[R, R, R, R, W, R, R, U],
            Kernel::SoftmaxCe | Kernel::Reconstruction => &[R, R, W, W, U],
            Kernel::Accuracy => &[R, R, W, U],
            Kernel::Reduce => &[R, W, R, U],
            Kernel::Adam => &[W, R, W, W, R, R, W, U],
            Kernel::Advance => &[W],
            Kernel::RngTest => &[W, U],
            Kernel::Pairwise => &[R, R, R, W, U],
            Kernel::ValueRange => &[R, W, U],
            Kernel::Geco => &[R, W, W, U],
        }
    }
}
