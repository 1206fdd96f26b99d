// pairwise.wgsl: the N x N reductions of the information plane (twin of
// info::plane::pairwise_log_means and its three kernels k(i, j) <= 1):
//   all[i]   = log (1/N)   sum_j               k(i, j)
//   label[i] = log (1/N_y) sum_{j: y_j = y_i}  k(i, j)
// MODE 0 (binning): k = 1 when every unit of rows i and j falls in the same
//   of p.bins bins over [bounds[0], bounds[1]], else 0;
// MODE 1 (KDE): k = exp(-|h_i - h_j|^2 * scale), scale = 1 / (2 s^2);
// MODE 2 (pairwise KL): rows hold [mu | rho] (2K values), sigma =
//   softplus(rho - 5), k = exp(-KL(N(mu_i, sigma_i^2) || N(mu_j, sigma_j^2))).
// MODE 3 (exact, a quantized layer): k = 1 when rows i and j are equal
//   value for value (+0 = -0), else 0: all[i] = log p(code of i), exactly.
// k(i, i) = 1 and k <= 1, so plain sums in [1, N] need no max shift.
// Bindings (replica r = global id y):
//   0 values: (n, row_stride) f32, the first `width` of each row used
//      (width = 2K in MODE 2), at values_offset + r * values_stride
//   1 labels: (n) u32, shared by the replicas
//   2 bounds: (replicas, 2) f32 binning range lo, hi (MODE 0)
//   3 out: (n, 2) f32 per replica at r * out_stride: all[i], label[i]
//   4 p: PairwiseParams
// Workgroup: 64 threads, one pattern i each, looping over j.
// Dispatch: (ceil(n / 64), replicas, 1).

override MODE: u32 = 0u;

struct PairwiseParams {
    n: u32,
    width: u32,
    row_stride: u32,
    values_offset: u32,
    values_stride: u32,
    out_stride: u32,
    scale: f32,
    bins: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> bounds: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: PairwiseParams;

// floor((v - lo) * (bins / (hi - lo))), as info::plane::bin computes it.
fn bin_of(v: f32, lo: f32, scale: f32) -> f32 {
    return clamp(floor((v - lo) * scale), 0.0, f32(p.bins) - 1.0);
}

fn score(replica: u32, i: u32, j: u32) -> f32 {
    let base = p.values_offset + replica * p.values_stride;
    let a = base + i * p.row_stride;
    let b = base + j * p.row_stride;
    if (MODE == 0u) {
        let lo = bounds[2u * replica];
        let hi = bounds[2u * replica + 1u];
        if (hi <= lo) {
            return 1.0;
        }
        let scale = f32(p.bins) / (hi - lo);
        for (var d = 0u; d < p.width; d++) {
            if (bin_of(values[a + d], lo, scale) != bin_of(values[b + d], lo, scale)) {
                return 0.0;
            }
        }
        return 1.0;
    }
    if (MODE == 3u) {
        for (var d = 0u; d < p.width; d++) {
            if (values[a + d] != values[b + d]) {
                return 0.0;
            }
        }
        return 1.0;
    }
    if (MODE == 1u) {
        var d2 = 0.0;
        for (var d = 0u; d < p.width; d++) {
            let diff = values[a + d] - values[b + d];
            d2 += diff * diff;
        }
        return exp(-d2 * p.scale);
    }
    let k = p.width / 2u;
    var kl = 0.0;
    for (var d = 0u; d < k; d++) {
        let mu_a = values[a + d];
        let mu_b = values[b + d];
        let s_a = softplus(values[a + k + d] - SIGMA_SHIFT);
        let s_b = softplus(values[b + k + d] - SIGMA_SHIFT);
        let diff = mu_a - mu_b;
        kl += log(s_b / s_a) + (s_a * s_a + diff * diff) / (2.0 * s_b * s_b) - 0.5;
    }
    return exp(-max(kl, 0.0));
}

@compute @workgroup_size(64, 1, 1)
fn pairwise(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    let replica = id.y;
    if (i >= p.n) {
        return;
    }
    let y = labels[i];
    var sum_all = 0.0;
    var sum_label = 0.0;
    var same = 0.0;
    for (var j = 0u; j < p.n; j++) {
        let k = score(replica, i, j);
        sum_all += k;
        if (labels[j] == y) {
            sum_label += k;
            same += 1.0;
        }
    }
    let at = replica * p.out_stride + 2u * i;
    out[at] = log(sum_all / f32(p.n));
    out[at + 1u] = log(sum_label / same);
}
