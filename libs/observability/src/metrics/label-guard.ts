// Label values are bounded twice: each value must look like a name (no spaces,
// no free text, so nothing secret-shaped slips in), and each label keeps at most
// `max` distinct values; past that, new ones are counted as "other".
const NAME_LIKE = /^[A-Za-z0-9_.:/{}*-]{1,96}$/;

export const OTHER = 'other';

export class LabelGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string | number | undefined | null): string {
    const text = raw === undefined || raw === null ? '' : String(raw);
    if (!NAME_LIKE.test(text)) return OTHER;
    if (this.seen.has(text)) return text;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(text);
    return text;
  }
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string | undefined): string {
  const m = (method ?? '').toUpperCase();
  return HTTP_METHODS.has(m) ? m : OTHER;
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : OTHER;
}
