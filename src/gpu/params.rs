//! The uniform parameter structs of the kernels, defined once here with their
//! WGSL twins named; `tests/gpu_params.rs` checks every field's name and
//! offset and the size against the WGSL text, so the layouts cannot drift.

use super::kernels::Kernel;

/// Declares a `#[repr(C)]` uniform struct and records its layout.
macro_rules! gpu_params {
    ($(#[$meta:meta])* $name:ident in [$($kernel:ident),+] { $($field:ident : $ty:ty),+ $(,)? }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
        pub struct $name { $(pub $field: $ty),+ }

        impl $name {
            /// (field, byte offset) in declaration order.
            pub fn layout() -> Vec<(&'static str, usize)> {
                vec![$((stringify!($field), std::mem::offset_of!($name, $field))),+]
            }

            pub const KERNELS: &'static [Kernel] = &[$(Kernel::$kernel),+];
        }
    };
}

gpu_params!(
    /// The matrix products (`matmul_io.wgsl`, shared by `matmul`,
    /// `matmul_small`, `matmul_wide` and `matmul_subgroup`): C (m x n) =
    /// op(A) (m x k) op(B) (k x n); offsets and per-replica strides in f32
    /// elements.
    MatmulParams in [Matmul, MatmulSmall, MatmulWide, MatmulSubgroup] {
        m: u32, n: u32, k: u32,
        a_offset: u32, a_stride: u32,
        b_offset: u32, b_stride: u32,
        c_offset: u32, c_stride: u32,
        bias_offset: u32, bias_stride: u32,
        _pad: u32,
    }
);

gpu_params!(
    /// `act_backward.wgsl`: `count` elements per replica, replicas `stride` apart.
    ElementwiseParams in [ActBackward] { count: u32, stride: u32, _pad0: u32, _pad1: u32 }
);

gpu_params!(
    /// `bias_grad.wgsl`.
    BiasGradParams in [BiasGrad] {
        rows: u32, cols: u32, delta_stride: u32, bias_offset: u32, grad_stride: u32,
        _pad0: u32, _pad1: u32, _pad2: u32,
    }
);

gpu_params!(
    /// `gather.wgsl`.
    GatherParams in [Gather] {
        n: u32, features: u32, batch: u32, x_stride: u32, y_stride: u32,
        _pad0: u32, _pad1: u32, _pad2: u32,
    }
);

gpu_params!(
    /// `reparameterize.wgsl` and `reparam_backward.wgsl`.
    ReparamParams in [Reparameterize, ReparamBackward] {
        rows: u32, latent: u32, enc_stride: u32, latent_stride: u32,
        row_offset: u32, sample: u32, _pad0: u32, _pad1: u32,
    }
);

gpu_params!(
    /// `softmax_ce.wgsl`, `reconstruction.wgsl` and `accuracy.wgsl`.
    HeadParams in [SoftmaxCe, Reconstruction, Accuracy] {
        rows: u32, width: u32, out_stride: u32, label_stride: u32, term_stride: u32,
        first: u32, inv_batch: f32, _pad: u32,
    }
);

gpu_params!(
    /// `reduce.wgsl`.
    ReduceParams in [Reduce] {
        count: u32, stride: u32, offset: u32, slot: u32, slots: u32, scale: f32,
        _pad0: u32, _pad1: u32,
    }
);

gpu_params!(
    /// `adam.wgsl`.
    AdamParams in [Adam] { count: u32, beta1: f32, beta2: f32, epsilon: f32 }
);

gpu_params!(
    /// `rng_test.wgsl`.
    RngTestParams in [RngTest] {
        seed: u32, stream: u32, draw: u32, count: u32, n: u32,
        _pad0: u32, _pad1: u32, _pad2: u32,
    }
);

gpu_params!(
    /// `pairwise.wgsl`: n patterns of `width` values, rows `row_stride`
    /// apart; replica r's rows at values_offset + r * values_stride, its
    /// output at r * out_stride; `scale` = 1 / (2 s^2) for the KDE.
    PairwiseParams in [Pairwise] {
        n: u32, width: u32, row_stride: u32, values_offset: u32,
        values_stride: u32, out_stride: u32, scale: f32, bins: u32,
    }
);

gpu_params!(
    /// `value_range.wgsl`: n rows of `width` values, `row_stride` apart,
    /// replica r's at r * values_stride; bounds at bounds_offset + 2 r.
    RangeParams in [ValueRange] {
        n: u32, width: u32, row_stride: u32, values_stride: u32,
        bounds_offset: u32, fixed_lo: f32, fixed_hi: f32, _pad: u32,
    }
);

gpu_params!(
    /// `geco.wgsl`: the adaptive-beta rule's constants (src/geco.rs).
    GecoParams in [Geco] {
        replicas: u32, goal: f32, lr: f32, decay: f32,
        beta_floor: f32, beta_max: f32, accuracy_scale: f32, _pad: u32,
    }
);

/// A params struct's WGSL name, (field, offset) layout, size and kernels.
pub type LayoutEntry = (
    &'static str,
    Vec<(&'static str, usize)>,
    usize,
    &'static [Kernel],
);

/// Every params struct: WGSL name, layout, size and the kernels declaring it.
pub fn all_layouts() -> Vec<LayoutEntry> {
    macro_rules! entry {
        ($t:ident) => {
            (
                stringify!($t),
                $t::layout(),
                std::mem::size_of::<$t>(),
                $t::KERNELS,
            )
        };
    }
    vec![
        entry!(MatmulParams),
        entry!(ElementwiseParams),
        entry!(BiasGradParams),
        entry!(GatherParams),
        entry!(ReparamParams),
        entry!(HeadParams),
        entry!(ReduceParams),
        entry!(AdamParams),
        entry!(RngTestParams),
        entry!(PairwiseParams),
        entry!(RangeParams),
        entry!(GecoParams),
    ]
}
