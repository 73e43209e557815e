/** Parsing of Linux `/proc/<pid>/stat` and `/proc/<pid>/status`, and sums over a process tree. Pure. */

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T, … */
  state: string;
  ppid: number;
  pgrp: number;
  /** CPU time in clock ticks (user + system), this process only. */
  cpuTicks: number;
  /** Start time in clock ticks since boot. */
  startTicks: number;
}

/**
 * `pid (comm) state ppid pgrp … utime stime … starttime …`. The command name may hold spaces and
 * parentheses, so fields are counted from the last `)`.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the name: [0] state, [1] ppid, [2] pgrp, … [11] utime, [12] stime, … [19] starttime.
  if (fields.length < 20) return null;
  const numbers = [fields[1], fields[2], fields[11], fields[12], fields[19]].map(Number);
  if (!Number.isInteger(pid) || numbers.some((value) => !Number.isFinite(value))) return null;
  const [ppid, pgrp, utime, stime, startTicks] = numbers;
  return { pid, state: fields[0], ppid, pgrp, cpuTicks: utime + stime, startTicks };
}

/** Resident memory in bytes from `VmRSS:  1234 kB`; null for kernel threads and zombies, which have none. */
export function parseStatusRss(text: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * The live (non-zombie) members of a child's tree: its process group (what a group kill reaches) plus
 * any descendant by parent id (one that left the group with setsid is still the child's doing).
 */
export function treeMembers(stats: readonly ProcStat[], rootPid: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const members = new Map<number, ProcStat>();
  const queue = stats.filter((stat) => stat.pid === rootPid || stat.pgrp === rootPid);
  for (const stat of queue) members.set(stat.pid, stat);
  while (queue.length > 0) {
    for (const child of children.get((queue.pop() as ProcStat).pid) ?? []) {
      if (members.has(child.pid)) continue;
      members.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...members.values()].filter((stat) => stat.state !== 'Z');
}

/** CPU use between two readings of the same tree, in % of one core; a process that vanished can make the sum shrink. */
export function cpuPercent(previousTicks: number, currentTicks: number, elapsedMs: number, ticksPerSecond: number): number {
  if (elapsedMs <= 0) return 0;
  const busySeconds = Math.max(0, currentTicks - previousTicks) / ticksPerSecond;
  return Math.round((busySeconds / (elapsedMs / 1000)) * 1000) / 10;
}
