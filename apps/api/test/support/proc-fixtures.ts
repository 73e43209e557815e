/** A /proc/<pid>/stat line with the fields the sampler reads in place and plausible values elsewhere. */
export function statLine(
  pid: number,
  comm: string,
  state: string,
  ppid: number,
  pgrp: number,
  utime: number,
  stime: number,
  start: number,
): string {
  const rest = [state, ppid, pgrp, 0, 0, -1, 4194560, 0, 0, 0, 0, utime, stime, 0, 0, 20, 0, 1, 0, start, 1000, 50];
  return `${pid} (${comm}) ${rest.join(' ')}`;
}
