/**
 * Finds the first byte below 0x20 (a control character, which JSON forbids raw inside a string).
 * The envelope scanner asks this of every string, a megabyte-long one included: a byte loop in
 * JavaScript costs about as much as JSON.parse itself, so long runs go through a 16-bytes-at-a-time
 * WebAssembly SIMD loop (a few dozen hand-assembled bytes, below), short ones stay in JavaScript.
 */

/**
 * `(func (export "ctl") (param $p i32) (param $end i32) (result i32))`: advances `$p` by 16 while a
 * whole block fits before `$end` and none of its bytes is < 0x20 (`i8x16.lt_u` + `v128.any_true`),
 * and returns it: the first block holding a control byte, or the short tail. Memory is exported as `mem`.
 */
const MODULE = Buffer.from(
  '0061736d01000000' + // magic, version 1
    '010701600 27f7f017f'.replace(/ /g, '') + // type: (i32, i32) -> i32
    '03020100' + // one function of that type
    '0503010001' + // one memory, 1 page to start
    '070d02036d656d0200036374 6c0000'.replace(/ /g, '') + // exports "mem" and "ctl"
    '0a2f012d00' + // code: one body of 45 bytes, no locals
    '02400340' + // block, loop
    '200041106a20014b0d01' + // if p + 16 > end: break
    '2000fd000000' + // v128.load p
    '4120fd0ffd26fd530d01' + // any byte < 0x20: break
    '200041106a2100 0c00'.replace(/ /g, '') + // p += 16, loop
    '0b0b' + // end loop, end block
    '20000b', // return p
  'hex',
);

/** Below this many bytes the copy into WebAssembly memory costs more than it saves. */
const WASM_MIN_BYTES = 256;
const PAGE_BYTES = 65536;

/** The little of the WebAssembly API used here (not every tsconfig of the repo has its typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

interface Simd {
  memory: WasmMemory;
  ctl: (start: number, end: number) => number;
}

function loadSimd(): Simd | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { exports } = new wasm.Instance(new wasm.Module(MODULE));
    return { memory: exports['mem'] as WasmMemory, ctl: exports['ctl'] as Simd['ctl'] };
  } catch {
    return null; // a runtime without WebAssembly SIMD: the JavaScript loop alone
  }
}

const simd = loadSimd();

function byteLoop(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] < 0x20) return i;
  return -1;
}

/** The index of the first byte < 0x20 in `bytes[start, end)`, or -1. */
export function controlByteAt(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (!simd || length < WASM_MIN_BYTES) return byteLoop(bytes, start, end);
  const { memory, ctl } = simd;
  if (memory.buffer.byteLength < length) memory.grow(Math.ceil((length - memory.buffer.byteLength) / PAGE_BYTES));
  const view = new Uint8Array(memory.buffer, 0, length);
  view.set(bytes.subarray(start, end));
  const found = byteLoop(view, ctl(0, length), length);
  return found === -1 ? -1 : start + found;
}
