//! The matrix product: the tiled kernel (`matmul.wgsl`), or 4 x 4 blocks per
//! invocation without workgroup memory (`matmul_small.wgsl`) where 64 x 64
//! tiles would mostly be padding, and for every product on adapters that
//! emulate a GPU on the CPU (SwiftShader, lavapipe), where the tiled
//! kernel's barriers make the 784-1024-1024 products 3.5-4x slower.

use super::activation_code;
use super::{Place, groups, u32_of};
use crate::config::Activation;
use crate::gpu::GpuContext;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::Plan;

/// Matrix product dimensions: op(A) is (m, k), op(B) is (k, n).
#[derive(Clone, Copy, Debug)]
pub struct MatmulShape {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
}

impl MatmulShape {
    /// Whether `matmul_small.wgsl` computes this product: when the 64 x 64
    /// tiles would hold at least four times as many elements as the output
    /// (thin or small layers, their weight gradients), or the output is
    /// tiny. Elsewhere the tiled kernel reuses its loads 64 times.
    pub fn small(&self) -> bool {
        let padded = self.m.div_ceil(64) * 64 * self.n.div_ceil(64) * 64;
        let outputs = self.m * self.n;
        outputs <= 1024 || padded >= 4 * outputs
    }
}

/// The kernel that computes `shape` on this adapter.
pub fn kernel_for(ctx: &GpuContext, shape: &MatmulShape) -> Kernel {
    if ctx.emulated || shape.small() {
        Kernel::MatmulSmall
    } else {
        Kernel::Matmul
    }
}

/// C = op(A) op(B) (+ bias from `b`'s buffer at `bias`), and when `act` is
/// given, its activation into `post` (same offsets as C), by the kernel of
/// `kernel_for`. CPU twin: `cpu::layers::affine` and `cpu::matmul`.
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    shape: MatmulShape,
    a: Place,
    b: Place,
    bias: Option<(usize, usize)>,
    c: Place,
    post: Option<(&wgpu::Buffer, Activation)>,
    dummy: &wgpu::Buffer,
    replicas: usize,
) {
    let kernel = kernel_for(ctx, &shape);
    matmul_with(
        plan, ctx, kernel, label, shape, a, b, bias, c, post, dummy, replicas,
    );
}

/// `matmul` by a chosen kernel (`Kernel::Matmul` or `Kernel::MatmulSmall`).
#[allow(clippy::too_many_arguments)]
pub fn matmul_with(
    plan: &mut Plan,
    ctx: &GpuContext,
    kernel: Kernel,
    label: &str,
    shape: MatmulShape,
    a: Place,
    b: Place,
    bias: Option<(usize, usize)>,
    c: Place,
    post: Option<(&wgpu::Buffer, Activation)>,
    dummy: &wgpu::Buffer,
    replicas: usize,
) {
    assert!(
        shape.m > 0 && shape.n > 0 && shape.k > 0,
        "{label}: empty matmul {shape:?}"
    );
    let (bias_offset, bias_stride) = bias.unwrap_or((0, 0));
    let params = MatmulParams {
        m: u32_of(shape.m, "m"),
        n: u32_of(shape.n, "n"),
        k: u32_of(shape.k, "k"),
        a_offset: u32_of(a.offset, "a offset"),
        a_stride: u32_of(a.stride, "a stride"),
        b_offset: u32_of(b.offset, "b offset"),
        b_stride: u32_of(b.stride, "b stride"),
        c_offset: u32_of(c.offset, "c offset"),
        c_stride: u32_of(c.stride, "c stride"),
        bias_offset: u32_of(bias_offset, "bias offset"),
        bias_stride: u32_of(bias_stride, "bias stride"),
        _pad: 0,
    };
    let act = post.map(|(_, a)| activation_code(a)).unwrap_or(0);
    let constants = [
        ("TRANS_A", shape.trans_a as u32 as f64),
        ("TRANS_B", shape.trans_b as u32 as f64),
        ("HAS_BIAS", bias.is_some() as u32 as f64),
        ("ACT", act as f64),
    ];
    let post_buffer = post.map(|(buffer, _)| buffer).unwrap_or(dummy);
    let workgroups = match kernel {
        Kernel::MatmulSmall => [
            groups(shape.m.div_ceil(4) * shape.n.div_ceil(4), 64),
            1,
            replicas as u32,
        ],
        Kernel::Matmul => [groups(shape.n, 64), groups(shape.m, 64), replicas as u32],
        other => panic!("{label}: {other:?} is not a matrix product"),
    };
    plan.dispatch(
        ctx,
        label,
        kernel,
        &constants,
        &[a.buffer, b.buffer, c.buffer, post_buffer],
        Some(&params),
        workgroups,
    );
}
