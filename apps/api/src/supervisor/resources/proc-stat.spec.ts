import { statLine } from '../../../test/support/proc-fixtures';
import { cpuPercent, parseStat, parseStatusRss, ProcStat, treeMembers } from './proc-stat';

describe('parseStat', () => {
  it.each([
    [
      'a plain name',
      statLine(42, 'node', 'S', 1, 42, 150, 50, 9000),
      { pid: 42, state: 'S', ppid: 1, pgrp: 42, cpuTicks: 200, startTicks: 9000 },
    ],
    [
      'a name with spaces and parentheses',
      statLine(7, 'my (odd) name', 'R', 3, 3, 1, 2, 5),
      { pid: 7, state: 'R', ppid: 3, pgrp: 3, cpuTicks: 3, startTicks: 5 },
    ],
    ['a zombie', statLine(9, 'sh', 'Z', 2, 2, 0, 0, 1), { pid: 9, state: 'Z', ppid: 2, pgrp: 2, cpuTicks: 0, startTicks: 1 }],
  ])('reads %s', (_title, text, expected) => {
    expect(parseStat(text)).toEqual(expected);
  });

  it.each([[''], ['garbage'], ['12 (node) S 1 2']])('returns null for %p', (text) => {
    expect(parseStat(text)).toBeNull();
  });
});

describe('parseStatusRss', () => {
  it.each([
    ['Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t   51200 kB\nThreads:\t7\n', 51200 * 1024],
    ['Name:\tkthreadd\nThreads:\t1\n', null],
    ['', null],
  ])('%p → %p', (text, expected) => {
    expect(parseStatusRss(text)).toBe(expected);
  });
});

describe('treeMembers', () => {
  const stat = (pid: number, ppid: number, pgrp: number, state = 'S'): ProcStat => ({ pid, ppid, pgrp, state, cpuTicks: 0, startTicks: 0 });
  const table = [
    stat(1, 0, 1),
    stat(100, 1, 100), // the child, leader of its group
    stat(101, 100, 100), // npx's node, same group
    stat(102, 101, 102), // a grandchild that left the group (setsid): still found by parent
    stat(103, 1, 100), // orphaned into init but still in the group
    stat(104, 100, 100, 'Z'), // a zombie: nothing left to measure or kill
    stat(200, 1, 200), // someone else
  ];

  it('finds the process group and every descendant, without zombies or strangers', () => {
    expect(
      treeMembers(table, 100)
        .map((member) => member.pid)
        .sort(),
    ).toEqual([100, 101, 102, 103]);
  });

  it('still finds group members and their descendants when the leader is gone', () => {
    expect(
      treeMembers(
        table.filter((member) => member.pid !== 100),
        100,
      )
        .map((member) => member.pid)
        .sort(),
    ).toEqual([101, 102, 103]);
  });
});

describe('cpuPercent', () => {
  it.each([
    [0, 100, 1000, 100, 100],
    [0, 50, 1000, 100, 50],
    [100, 150, 500, 100, 100],
    [200, 100, 1000, 100, 0],
    [0, 10, 0, 100, 0],
    [0, 1, 3000, 100, 0.3],
  ])('%p → %p ticks over %p ms at %p Hz is %p%%', (before, after, elapsed, hz, expected) => {
    expect(cpuPercent(before, after, elapsed, hz)).toBe(expected);
  });
});
