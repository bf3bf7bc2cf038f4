/**
 * Per-kernel GPU time without touching serflow's code. WebGPU times only whole passes
 * (`timestampWrites`), and serflow records many dispatches in one pass, so this profiler wraps
 * the WebGPU API: every dispatch runs in its own compute pass with timestamps at its start and
 * end, replaying the pipeline and bind groups set before it, and the times are summed per
 * pipeline label (serflow labels each pipeline with its kernel's name).
 *
 * Splitting passes adds a little overhead per dispatch, so call times are measured without the
 * profiler and kernel times with it. Needs the adapter feature `timestamp-query`.
 *
 * @module
 */

/** GPU time per kernel (pipeline label). */
export type KernelTimes = Record<string, { ns: number; dispatches: number }>;

/** The installed profiler. */
export interface PassProfiler {
  /** Waits for every submitted measurement and returns the totals since the last reset. */
  collect(): Promise<KernelTimes>;
  reset(): void;
  /** Restores the original WebGPU methods. */
  uninstall(): void;
}

const SLOTS = 1024; // timestamps per query set (512 dispatches)

interface EncoderState {
  device: GPUDevice;
  sets: GPUQuerySet[];
  labels: string[];
}

/**
 * Installs the profiler. Devices requested afterwards get `timestamp-query` when the adapter has
 * it; only their passes are split and timed.
 *
 * @returns The profiler.
 * @example
 * ```ts ignore
 * const prof = installPassProfiler();
 * const backend = await GpuBackend.create(cfg);
 * await backend.score(indices);
 * console.log(await prof.collect());
 * ```
 */
export function installPassProfiler(): PassProfiler {
  const A = GPUAdapter.prototype, D = GPUDevice.prototype;
  const E = GPUCommandEncoder.prototype, Q = GPUQueue.prototype;
  const orig = {
    requestDevice: A.requestDevice,
    createCommandEncoder: D.createCommandEncoder,
    beginComputePass: E.beginComputePass,
    finish: E.finish,
    submit: Q.submit,
  };
  const timed = new WeakSet<GPUDevice>();
  const encoders = new WeakMap<GPUCommandEncoder, EncoderState>();
  const pendingByBuffer = new WeakMap<GPUCommandBuffer, { read: GPUBuffer; labels: string[] }[]>();
  let totals: KernelTimes = {};
  let inflight: Promise<void>[] = [];

  A.requestDevice = async function (this: GPUAdapter, desc: GPUDeviceDescriptor = {}) {
    const want = this.features.has("timestamp-query");
    const features = new Set([
      ...(desc.requiredFeatures ?? []),
      ...(want ? ["timestamp-query"] : []),
    ]);
    const dev = await orig.requestDevice.call(this, {
      ...desc,
      requiredFeatures: [...features] as GPUFeatureName[],
    });
    if (want) timed.add(dev);
    return dev;
  };
  D.createCommandEncoder = function (this: GPUDevice, desc?: GPUCommandEncoderDescriptor) {
    const enc = orig.createCommandEncoder.call(this, desc);
    if (timed.has(this)) encoders.set(enc, { device: this, sets: [], labels: [] });
    return enc;
  };
  E.beginComputePass = function (this: GPUCommandEncoder, desc?: GPUComputePassDescriptor) {
    const st = encoders.get(this);
    if (!st) return orig.beginComputePass.call(this, desc);
    // deno-lint-ignore no-this-alias
    const enc = this;
    let pipeline: GPUComputePipeline | null = null;
    const groups = new Map<number, unknown[]>();
    const run = (fn: (p: GPUComputePassEncoder) => void) => {
      const k = st.labels.length;
      if (k % (SLOTS / 2) === 0) {
        st.sets.push(st.device.createQuerySet({ type: "timestamp", count: SLOTS }));
      }
      const set = st.sets[st.sets.length - 1], slot = (2 * k) % SLOTS;
      const pass = orig.beginComputePass.call(enc, {
        ...desc,
        timestampWrites: {
          querySet: set,
          beginningOfPassWriteIndex: slot,
          endOfPassWriteIndex: slot + 1,
        },
      });
      if (pipeline) pass.setPipeline(pipeline);
      // deno-lint-ignore no-explicit-any
      for (const args of groups.values()) (pass.setBindGroup as any)(...args);
      fn(pass);
      pass.end();
      st.labels.push(pipeline?.label || "unlabelled");
    };
    const proxy = {
      label: desc?.label ?? "",
      setPipeline(p: GPUComputePipeline) {
        pipeline = p;
      },
      setBindGroup(...args: unknown[]) {
        groups.set(args[0] as number, args);
      },
      dispatchWorkgroups(x: number, y?: number, z?: number) {
        run((p) => p.dispatchWorkgroups(x, y, z));
      },
      dispatchWorkgroupsIndirect(buf: GPUBuffer, off: number) {
        run((p) => p.dispatchWorkgroupsIndirect(buf, off));
      },
      end() {},
      pushDebugGroup() {},
      popDebugGroup() {},
      insertDebugMarker() {},
    };
    return proxy as unknown as GPUComputePassEncoder;
  };
  E.finish = function (this: GPUCommandEncoder, desc?: GPUCommandBufferDescriptor) {
    const st = encoders.get(this);
    const reads: { read: GPUBuffer; labels: string[] }[] = [];
    if (st && st.labels.length) {
      st.sets.forEach((set, i) => {
        const labels = st.labels.slice(i * (SLOTS / 2), (i + 1) * (SLOTS / 2));
        const bytes = labels.length * 16;
        const resolve = st.device.createBuffer({
          size: bytes,
          usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        });
        const read = st.device.createBuffer({
          size: bytes,
          usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        });
        this.resolveQuerySet(set, 0, labels.length * 2, resolve, 0);
        this.copyBufferToBuffer(resolve, 0, read, 0, bytes);
        reads.push({ read, labels });
      });
    }
    const cb = orig.finish.call(this, desc);
    if (reads.length) pendingByBuffer.set(cb, reads);
    return cb;
  };
  Q.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
    const list = [...buffers];
    orig.submit.call(this, list);
    for (const cb of list) {
      for (const { read, labels } of pendingByBuffer.get(cb) ?? []) {
        inflight.push(
          read.mapAsync(GPUMapMode.READ).then(() => {
            const t = new BigUint64Array(read.getMappedRange());
            labels.forEach((label, i) => {
              const e = totals[label] ??= { ns: 0, dispatches: 0 };
              e.ns += Number(t[2 * i + 1] - t[2 * i]);
              e.dispatches++;
            });
            read.unmap();
            read.destroy();
          }),
        );
      }
    }
  };
  return {
    async collect() {
      await Promise.all(inflight);
      inflight = [];
      return structuredClone(totals);
    },
    reset() {
      totals = {};
    },
    uninstall() {
      Object.assign(A, { requestDevice: orig.requestDevice });
      Object.assign(D, { createCommandEncoder: orig.createCommandEncoder });
      Object.assign(E, { beginComputePass: orig.beginComputePass, finish: orig.finish });
      Object.assign(Q, { submit: orig.submit });
    },
  };
}
