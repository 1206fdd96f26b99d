//! The matrix product. Training computes products with 4 x 4 blocks per
//! invocation and no workgroup memory (`matmul_small.wgsl`, "direct"), on
//! every adapter: on the one real GPU measured (an NVIDIA H200 through
//! Vulkan, `ibp bench --backend gpu`, BENCHMARKS.md) it was the fastest
//! kernel for four of the five large products timed and within 13 % of the
//! best for the fifth, 3 to 31x faster than the tiled kernels; on
//! CPU-emulated adapters (SwiftShader, lavapipe) it was already the
//! fastest. The one exception: a tiny output over a long k (var_u's 12 x 10
//! weight gradient over a batch of 256), which the direct kernel walks in a
//! few invocations, one subgroup per 4 x 8 block splits between its lanes
//! (`matmul_subgroup.wgsl`; 0.06 against 0.07-0.11 ms on the H200). The
//! tiled kernels (`matmul.wgsl`, 64 x 64; `matmul_wide.wgsl`, 128 x 128)
//! stay, parity-tested, for `ibp bench` to time on other GPUs and for
//! `PlanBuilder::matmul_with`.

use super::Nonlinearity;
use super::{Place, groups, u32_of};
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

/// Matrix product dimensions: op(A) is (m, k), op(B) is (k, n).
#[derive(Clone, Copy, Debug)]
pub struct MatmulShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
}

/// Outputs (m x n, one replica) up to which a product with a long k goes
/// to the subgroup kernel.
pub const SUBGROUP_MAX_OUTPUTS: usize = 1024;

/// The kernel that computes `shape` in training (the module's header says
/// why): the subgroup kernel where `subgroup_size` is given (a real GPU's
/// fixed subgroup size; `None` on adapters without one and on CPU-emulated
/// ones), the output has at most `SUBGROUP_MAX_OUTPUTS` elements and k
/// gives every lane at least 4 terms; the direct kernel everywhere else.
pub fn training_kernel(shape: &MatmulShape, subgroup_size: Option<u32>) -> Kernel {
    match subgroup_size {
        Some(lanes)
            if shape.m * shape.n <= SUBGROUP_MAX_OUTPUTS && shape.k >= 4 * lanes as usize =>
        {
            Kernel::MatmulSubgroup
        }
        _ => Kernel::MatmulSmall,
    }
}

/// One product: C = op(A) op(B) (+ the bias in B's buffer at `bias` =
/// (offset, stride)), and when `post` is given, its activation into that
/// buffer (same offsets as C).
#[derive(Clone, Copy)]
pub struct Product<'a> {
    pub shape: MatmulShape,
    pub a: Place<'a>,
    pub b: Place<'a>,
    pub bias: Option<(usize, usize)>,
    pub c: Place<'a>,
    pub post: Option<(&'a wgpu::Buffer, Nonlinearity)>,
}

impl PlanBuilder<'_> {
    /// The product by `training_kernel`. CPU twin: `cpu::layers::affine`
    /// and `cpu::matmul`.
    pub fn matmul(&mut self, label: &str, p: Product) {
        let subgroups = self.ctx.subgroup_size.filter(|_| !self.ctx.emulated);
        self.matmul_with(training_kernel(&p.shape, subgroups), label, p);
    }

    /// The product by a chosen kernel (`Kernel::Matmul`, `MatmulWide`,
    /// `MatmulSmall`, or `MatmulSubgroup` where the device has a fixed
    /// subgroup size).
    pub fn matmul_with(&mut self, kernel: Kernel, label: &str, p: Product) {
        let shape = p.shape;
        assert!(
            shape.m > 0 && shape.n > 0 && shape.k > 0,
            "{label}: empty matmul {shape:?}"
        );
        let (bias_offset, bias_stride) = p.bias.unwrap_or((0, 0));
        let params = MatmulParams {
            m: u32_of(shape.m, "m"),
            n: u32_of(shape.n, "n"),
            k: u32_of(shape.k, "k"),
            a_offset: u32_of(p.a.offset, "a offset"),
            a_stride: u32_of(p.a.stride, "a stride"),
            b_offset: u32_of(p.b.offset, "b offset"),
            b_stride: u32_of(p.b.stride, "b stride"),
            c_offset: u32_of(p.c.offset, "c offset"),
            c_stride: u32_of(p.c.stride, "c stride"),
            bias_offset: u32_of(bias_offset, "bias offset"),
            bias_stride: u32_of(bias_stride, "bias stride"),
            _pad: 0,
        };
        let mut constants = vec![
            ("TRANS_A", shape.trans_a as u32 as f64),
            ("TRANS_B", shape.trans_b as u32 as f64),
            ("HAS_BIAS", p.bias.is_some() as u32 as f64),
        ];
        match p.post {
            Some((_, nonlinearity)) => constants.extend(nonlinearity.constants()),
            None => constants.push(("ACT", 0.0)),
        }
        if kernel == Kernel::MatmulSubgroup {
            let size = self.ctx.subgroup_size.unwrap_or_else(|| {
                panic!("{label}: the device has no fixed subgroup size for {kernel:?}")
            });
            constants.push(("SUBGROUP_SIZE", size as f64));
        }
        let post_buffer = p.post.map(|(buffer, _)| buffer).unwrap_or(self.unused);
        let replicas = self.replica_groups();
        let workgroups = match kernel {
            Kernel::MatmulSmall => [
                groups(shape.m.div_ceil(4) * shape.n.div_ceil(4), 64),
                1,
                replicas,
            ],
            Kernel::Matmul => [groups(shape.n, 64), groups(shape.m, 64), replicas],
            Kernel::MatmulWide => [groups(shape.n, 128), groups(shape.m, 128), replicas],
            Kernel::MatmulSubgroup => [
                u32_of(shape.m.div_ceil(4) * shape.n.div_ceil(8), "blocks"),
                1,
                replicas,
            ],
            other => panic!("{label}: {other:?} is not a matrix product"),
        };
        let buffers = [p.a.buffer, p.b.buffer, p.c.buffer, post_buffer];
        self.dispatch(
            label,
            kernel,
            &constants,
            &buffers,
            Some(&params),
            workgroups,
        );
    }
}
