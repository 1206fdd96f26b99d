// value_range.wgsl: the binning range of a layer on the device: [min, max]
// of `count` values (MODE 0), [0, max] (MODE 1), or the fixed range given in
// the params (MODE 2), by a workgroup tree reduction over any count.
// Twin of info::plane::Range::resolve.
// Bindings (replica r = workgroup id y):
//   0 values: (n, row_stride) f32, the first `width` of each row used, at
//      r * values_stride
//   1 bounds: f32 output lo, hi at bounds_offset + 2 r
//   2 p: RangeParams
// Workgroup: 256 threads, one workgroup per replica.
// Dispatch: (1, replicas, 1).

override MODE: u32 = 0u;

struct RangeParams {
    n: u32,
    width: u32,
    row_stride: u32,
    values_stride: u32,
    bounds_offset: u32,
    fixed_lo: f32,
    fixed_hi: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> bounds: array<f32>;
@group(0) @binding(2) var<uniform> p: RangeParams;

const THREADS: u32 = 256u;
var<workgroup> lows: array<f32, 256>;
var<workgroup> highs: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn value_range(@builtin(local_invocation_index) thread: u32, @builtin(workgroup_id) group: vec3<u32>) {
    let replica = group.y;
    let base = replica * p.values_stride;
    var lo = 1e30;
    var hi = -1e30;
    for (var i = thread; i < p.n * p.width; i += THREADS) {
        let v = values[base + (i / p.width) * p.row_stride + i % p.width];
        lo = min(lo, v);
        hi = max(hi, v);
    }
    lows[thread] = lo;
    highs[thread] = hi;
    workgroupBarrier();
    for (var half = THREADS / 2u; half > 0u; half /= 2u) {
        if (thread < half) {
            lows[thread] = min(lows[thread], lows[thread + half]);
            highs[thread] = max(highs[thread], highs[thread + half]);
        }
        workgroupBarrier();
    }
    if (thread == 0u) {
        let at = p.bounds_offset + 2u * replica;
        if (MODE == 0u) {
            bounds[at] = lows[0];
            bounds[at + 1u] = highs[0];
        } else if (MODE == 1u) {
            bounds[at] = 0.0;
            bounds[at + 1u] = max(highs[0], 0.0);
        } else {
            bounds[at] = p.fixed_lo;
            bounds[at + 1u] = p.fixed_hi;
        }
    }
}
