// Where a run trains. `?backend=cpu` and `?backend=gpu` force a backend;
// otherwise the page times a short run of the actual model on WebGPU and
// on the CPU (the same WebAssembly) and keeps the faster, saying why in
// words (the ratio changes from load to load; the choice does not): a
// software WebGPU adapter (SwiftShader) loses to the CPU on small models,
// a real GPU wins on large ones. Decisions are remembered per model size,
// separately for sweeps, where the GPU trains many replicas in one
// dispatch.

/** Milliseconds of training each backend gets when the page times them. */
export const TIMING_MS = 150;

/** What `create` throws to abandon the choice (a newer start waits). */
export const SUPERSEDED = Symbol('superseded');

/**
 * Opens a session on the backend to use.
 * @param {(kind: 'cpu'|'gpu') => Promise<object>} create a Session for the kind
 * @param {'auto'|'cpu'|'gpu'} choice the visitor's (`?backend=`), or auto
 * @param {{name?: string, software?: boolean, reason?: string}} gpu what the
 *   probe found (software: an adapter that emulates a GPU on the CPU)
 * @param {Map<string, string>} decisions earlier choices by model
 * @param {string} kind 'run' or 'sweep'
 * @returns {Promise<{session: object, backend: string, why: string|null}>}
 */
export async function openSession(create, choice, gpu, decisions, kind) {
  const cpuLabel = 'CPU (WebAssembly)';
  if (choice === 'cpu') return { session: await create('cpu'), backend: cpuLabel, why: 'the CPU was chosen (?backend=cpu)' };
  if (gpu.reason) return { session: await create('cpu'), backend: cpuLabel, why: gpu.reason };
  const gpuLabel = `WebGPU — ${gpu.name}`;
  if (choice === 'gpu') return onGpu(create, gpuLabel, 'WebGPU was chosen (?backend=gpu)');
  const cpu = await create('cpu');
  const key = `${kind}:${cpu.parameters}:${cpu.info().name}`;
  if (decisions.get(key)?.backend === 'cpu') return { session: cpu, backend: cpuLabel, why: decisions.get(key).why };
  let device;
  try {
    device = await create('gpu');
  } catch (error) {
    if (error === SUPERSEDED) {
      cpu.free();
      throw error;
    }
    return { session: cpu, backend: cpuLabel, why: String(error?.message ?? error) };
  }
  let gpuRate;
  try {
    gpuRate = await device.stepsPerSecond(TIMING_MS);
  } catch (error) {
    // The device failed while it was timed (lost, out of memory): the CPU trains.
    device.free();
    return { session: cpu, backend: cpuLabel, why: `WebGPU failed while it was timed (${String(error?.message ?? error)})` };
  }
  const cpuRate = await cpu.stepsPerSecond(TIMING_MS);
  if (gpuRate == null || gpuRate >= cpuRate) {
    cpu.free();
    const why = gpuRate == null ? null : 'faster than the CPU for this model (both timed)';
    decisions.set(key, { backend: 'gpu', why });
    return { session: device, backend: gpuLabel, why };
  }
  device.free();
  const adapter = gpu.software ? `${gpu.name}, a GPU emulated on the CPU` : gpu.name;
  const why = `faster than this WebGPU adapter (${adapter}) for this model (both timed)`;
  decisions.set(key, { backend: 'cpu', why });
  return { session: cpu, backend: cpuLabel, why };
}

/** A forced GPU session, or the CPU with the reason when WebGPU cannot hold the model. */
async function onGpu(create, label, why) {
  try {
    return { session: await create('gpu'), backend: label, why };
  } catch (error) {
    if (error === SUPERSEDED) throw error;
    return { session: await create('cpu'), backend: 'CPU (WebAssembly)', why: String(error?.message ?? error) };
  }
}
