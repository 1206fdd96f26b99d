//! The matrix product: the tiled kernel (`matmul.wgsl`); 128 x 128 tiles
//! with 8 x 8 per thread, double-buffered (`matmul_wide.wgsl`), for large
//! products on adapters with 32 KiB of workgroup memory; or 4 x 4 blocks per
//! invocation without workgroup memory (`matmul_small.wgsl`) where 64 x 64
//! tiles would mostly be padding, and for every product on adapters that
//! emulate a GPU on the CPU (SwiftShader, lavapipe), where the tiled
//! kernel's barriers make the 784-1024-1024 products 3.5-4x slower; or,
//! on GPUs with subgroups of a fixed size, one subgroup per 4 x 8 block with
//! k split between its lanes (`matmul_subgroup.wgsl`) where the tiles would
//! leave most of a large GPU idle.

use super::Nonlinearity;
use super::{Place, groups, u32_of};
use crate::gpu::GpuContext;
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

    /// Whether the 128 x 128 tiles suit this product: at least 64 of them
    /// per replica (enough to fill a GPU's multiprocessors a few times with
    /// one replica; fewer leave most of a large GPU idle, where the 64 x 64
    /// tiles make four times as many workgroups), at most 25 % padding.
    pub fn wide(&self) -> bool {
        let tiles = self.m.div_ceil(128) * self.n.div_ceil(128);
        let padded = tiles * 128 * 128;
        tiles >= 64 && 4 * padded <= 5 * self.m * self.n
    }

    /// Whether one subgroup of `subgroup_size` lanes per 4 x 8 block suits
    /// this product of `replicas` replicas: the 64 x 64 tiles would make
    /// fewer than 128 workgroups (an H100 has 132 multiprocessors; the
    /// batch-100 products of the MNIST-sized model make 16 to 32), and k
    /// gives every lane at least 4 terms to sum.
    pub fn few_tiles(&self, replicas: usize, subgroup_size: u32) -> bool {
        let tiles = self.m.div_ceil(64) * self.n.div_ceil(64) * replicas;
        tiles < 128 && self.k >= 4 * subgroup_size as usize
    }
}

/// The kernel that computes `shape` for `replicas` replicas on this adapter.
pub fn kernel_for(ctx: &GpuContext, shape: &MatmulShape, replicas: usize) -> Kernel {
    let subgroups = ctx.subgroup_size.filter(|_| !ctx.emulated);
    if subgroups.is_some_and(|size| shape.few_tiles(replicas, size)) {
        Kernel::MatmulSubgroup
    } else if ctx.emulated || shape.small() {
        Kernel::MatmulSmall
    } else if ctx.wide_tiles && shape.wide() {
        Kernel::MatmulWide
    } else {
        Kernel::Matmul
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
    /// The product by the kernel of `kernel_for`. CPU twin:
    /// `cpu::layers::affine` and `cpu::matmul`.
    pub fn matmul(&mut self, label: &str, p: Product) {
        let kernel = kernel_for(self.ctx, &p.shape, self.replica_groups() as usize);
        self.matmul_with(kernel, label, p);
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
