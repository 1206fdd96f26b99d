// schedule.wgsl: per-step values written by the CPU before each submission,
// read by the kernels through the storage array `schedule` (u32 words) that
// every kernel using this library declares. A library, not a kernel.
// Layout (src/gpu/schedule.rs is the twin):
//   [0] cursor: index of the current step within the submission (advance.wgsl
//       increments it after each step); [1] replicas M; [2] rows R of the step
//       table; [3] unused;
//   [4 .. 4+M): seed of each replica;
//   then R rows of 8 words: step, epoch, position in epoch, unused,
//       lr, 1 - beta1^t, 1 - beta2^t, EMA weight (1 - d) / (1 - d^t)
//       (f32 as bits);
//   then R x M betas (f32 bits), row-major.
// Bindings: none of its own. Workgroup size: n/a. Dispatch: n/a.

const SCHEDULE_HEADER: u32 = 4u;
const SCHEDULE_ROW_WORDS: u32 = 8u;

fn sched_replicas() -> u32 {
    return schedule[1];
}

fn replica_seed(replica: u32) -> u32 {
    return schedule[SCHEDULE_HEADER + replica];
}

fn step_word(word: u32) -> u32 {
    let base = SCHEDULE_HEADER + sched_replicas();
    return schedule[base + schedule[0] * SCHEDULE_ROW_WORDS + word];
}

fn current_step() -> u32 {
    return step_word(0u);
}

fn current_epoch() -> u32 {
    return step_word(1u);
}

fn current_position() -> u32 {
    return step_word(2u);
}

fn current_lr() -> f32 {
    return bitcast<f32>(step_word(4u));
}

fn current_correction1() -> f32 {
    return bitcast<f32>(step_word(5u));
}

fn current_correction2() -> f32 {
    return bitcast<f32>(step_word(6u));
}

fn current_ema_weight() -> f32 {
    return bitcast<f32>(step_word(7u));
}

fn current_beta(replica: u32) -> f32 {
    let m = sched_replicas();
    let base = SCHEDULE_HEADER + m + schedule[2] * SCHEDULE_ROW_WORDS;
    return bitcast<f32>(schedule[base + schedule[0] * m + replica]);
}
