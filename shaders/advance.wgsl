// advance.wgsl: ends a training step by moving the schedule cursor to the
// next step's row, so that several steps can be recorded in one submission.
// Bindings:
//   0 schedule: u32 words (schedule.wgsl); word 0 is the cursor
// Workgroup: 1 thread.
// Dispatch: (1, 1, 1).

@group(0) @binding(0) var<storage, read_write> schedule: array<u32>;

@compute @workgroup_size(1, 1, 1)
fn advance() {
    schedule[0] = schedule[0] + 1u;
}
