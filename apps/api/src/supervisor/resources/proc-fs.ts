import { Inject, Injectable, Optional } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import { ProcStat, parseStat, parseStatusRss } from './proc-stat';

/** Linux reports CPU times in USER_HZ ticks, 100 per second on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Optional provider: another directory laid out like /proc (tests). */
export const PROC_ROOT = Symbol('PROC_ROOT');

/** Reads the kernel's process table. The only place that touches `/proc`; tests replace it. */
@Injectable()
export class ProcFs {
  private readonly root: string;

  constructor(@Optional() @Inject(PROC_ROOT) root?: string) {
    this.root = root ?? '/proc';
  }

  /** Every process's stat; empty where there is no /proc (macOS, Windows). */
  async allStats(): Promise<ProcStat[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return [];
    }
    const stats = await Promise.all(entries.filter((entry) => /^\d+$/.test(entry)).map((pid) => this.stat(Number(pid))));
    return stats.filter((stat): stat is ProcStat => stat !== null);
  }

  /** Null once the process is gone (it may vanish between listing and reading). */
  async stat(pid: number): Promise<ProcStat | null> {
    return parseStat(await this.read(`${pid}/stat`));
  }

  async rssBytes(pid: number): Promise<number | null> {
    return parseStatusRss(await this.read(`${pid}/status`));
  }

  /** Seconds since boot, to turn a start time in ticks into an age. */
  async uptimeSeconds(): Promise<number | null> {
    const text = await this.read('uptime');
    const seconds = Number(text.split(' ')[0]);
    return text && Number.isFinite(seconds) ? seconds : null;
  }

  private async read(path: string): Promise<string> {
    try {
      return await readFile(`${this.root}/${path}`, 'utf8');
    } catch {
      return '';
    }
  }
}
