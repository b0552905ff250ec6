/** A process's place in job control, from Linux's /proc. */
import { readFileSync } from 'node:fs';

/** `/proc/<pid>/stat`'s parent, process group and session, or null where there is no such file (macOS). */
export function procStat(pid: number): { ppid: number; pgrp: number; session: number } | null {
  try {
    // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses, so the fields
    // after it are counted from its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]) };
  } catch {
    return null;
  }
}
