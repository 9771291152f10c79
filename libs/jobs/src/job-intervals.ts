// "name=seconds,name=seconds" (JOB_INTERVALS) → milliseconds per job name.
export function parseJobIntervals(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^([a-z0-9][a-z0-9._-]*)\s*=\s*(\d+(?:\.\d+)?)$/i.exec(item);
    if (!match) throw new Error(`JOB_INTERVALS: "${item}" is not name=seconds`);
    const seconds = Number(match[2]);
    if (seconds < 1) throw new Error(`JOB_INTERVALS: "${item}" must be at least 1 second`);
    out.set(match[1], Math.round(seconds * 1000));
  }
  return out;
}

// Advisory lock key: a fixed class id for our jobs plus a 32-bit hash of the job name.
export const JOB_LOCK_CLASS = 0x6f766a62;

export function jobLockId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
