import { controlByteAt } from './control-bytes';

function reference(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] < 0x20) return i;
  return -1;
}

describe('controlByteAt', () => {
  it('finds the first byte below 0x20 wherever it sits, in short and long ranges', () => {
    const bytes = Buffer.alloc(5000, 0x61);
    for (const at of [0, 1, 15, 16, 17, 255, 256, 1000, 4095, 4999]) {
      bytes[at] = at % 0x20;
      expect(controlByteAt(bytes, 0, bytes.length)).toBe(at);
      expect(controlByteAt(bytes, at + 1, bytes.length)).toBe(-1);
      expect(controlByteAt(bytes, Math.max(0, at - 300), at + 1)).toBe(at);
      expect(controlByteAt(bytes, Math.max(0, at - 300), at)).toBe(-1);
      bytes[at] = 0x61;
    }
  });

  it('takes 0x20, 0x7f and every non-ASCII byte as ordinary', () => {
    const bytes = Buffer.alloc(1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x20 + (i % 0xe0);
    expect(controlByteAt(bytes, 0, bytes.length)).toBe(-1);
  });

  it('fuzz: agrees with a byte loop on random ranges of random text, past the first memory page too', () => {
    let state = 11;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const bytes = Buffer.alloc(200_000);
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = 0x20 + Math.floor(random() * 0xdf);
      const controls = Math.floor(random() * 3);
      for (let k = 0; k < controls; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 0x20);
      const start = Math.floor(random() * bytes.length);
      const end = start + Math.floor(random() * (bytes.length - start));
      expect(controlByteAt(bytes, start, end)).toBe(reference(bytes, start, end));
    }
  });
});
