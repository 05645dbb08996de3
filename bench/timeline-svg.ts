import { RequestLogEntry } from '../tests/simulator';
import { flowIdOf } from './log-metrics';

export interface TimelineFlow {
  name: string;
  /** 0 = leaf (a child flow), higher = callers. */
  level: number;
}

export interface TimelineIdentity {
  objectId: string;
  label: string;
}

export interface TimelineInput {
  title: string;
  subtitle: string;
  /** Activation PATCHes of the run (simulator clock). */
  activations: RequestLogEntry[];
  flows: Map<string, TimelineFlow>;
  owners: TimelineIdentity[];
  servicePrincipals: TimelineIdentity[];
  depth: number;
  /** Simulator-clock times of the process start and exit, and of the first request. */
  spawnedAt: number;
  exitedAt: number;
  firstRequestAt?: number;
}

const OWNER_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#393b79', '#637939'];
const SP_COLOUR = '#9e9e9e';
const UNKNOWN_COLOUR = '#333333';
const FAILED_COLOUR = '#d62728';
const FAILED_FILL = '#f7c4c4';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

function levelShade(level: number, depth: number): string {
  const t = depth <= 1 ? 0 : level / (depth - 1);
  const v = Math.round(215 - t * 165);
  return `rgb(${v},${v},${v})`;
}

function levelName(level: number, depth: number): string {
  if (depth <= 1) return 'flow';
  if (level === 0) return 'leaf (child)';
  if (level === depth - 1) return 'top (caller)';
  return depth === 3 ? 'middle' : `level ${level}`;
}

function niceStep(spanMs: number, ticks: number): number {
  const raw = spanMs / ticks;
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

/**
 * A hand-written SVG: one row per flow (ordered by the start of its first activation request), a
 * bar per activation request coloured by the identity it acted as, a strip on the left shading
 * the flow's level in its child chain, a time axis from the task's process start to its exit.
 */
export function renderTimeline(input: TimelineInput): string {
  const byFlow = new Map<string, RequestLogEntry[]>();
  for (const e of input.activations) {
    const id = flowIdOf(e);
    if (!id) continue;
    byFlow.set(id, [...(byFlow.get(id) ?? []), e]);
  }
  const rows = [...byFlow.entries()]
    .map(([id, entries]) => ({ id, entries: entries.sort((a, b) => a.start - b.start) }))
    .sort((a, b) => a.entries[0].start - b.entries[0].start || a.id.localeCompare(b.id));

  const colour = new Map<string, string>();
  input.owners.forEach((o, i) => colour.set(o.objectId.toLowerCase(), OWNER_COLOURS[i % OWNER_COLOURS.length]));
  for (const sp of input.servicePrincipals) colour.set(sp.objectId.toLowerCase(), SP_COLOUR);

  const width = 1100;
  const left = 64;
  const right = 28;
  const top = 112;
  const rowH = Math.max(1.5, Math.min(10, 900 / Math.max(rows.length, 1)));
  const plotH = rows.length * rowH;
  const bottom = 56;
  const height = Math.ceil(top + plotH + bottom);
  const plotW = width - left - right;
  const t0 = input.spawnedAt;
  const t1 = input.activations.reduce((t, e) => Math.max(t, e.end), Math.max(input.exitedAt, t0 + 1));
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * plotW;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="24" font-size="16" font-weight="600">${esc(input.title)}</text>`);
  out.push(`<text x="${left}" y="44" fill="#444">${esc(input.subtitle)}</text>`);

  // Legend: identities, levels, failures.
  let lx = left;
  const ly = 66;
  const legendItem = (fill: string, label: string, stroke?: string) => {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="14" height="10" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="1.5"` : ''}/>`);
    out.push(`<text x="${lx + 19}" y="${ly}">${esc(label)}</text>`);
    lx += 19 + label.length * 6.4 + 16;
  };
  input.owners.forEach((o) => legendItem(colour.get(o.objectId.toLowerCase()) as string, `as ${o.label}`));
  legendItem(SP_COLOUR, 'as the service principal');
  legendItem(FAILED_FILL, 'failed / throttled attempt', FAILED_COLOUR);
  lx = left;
  const ly2 = ly + 18;
  out.push(`<text x="${lx}" y="${ly2}" fill="#444">row strip:</text>`);
  lx += 62;
  for (let level = 0; level < input.depth; level++) {
    out.push(`<rect x="${lx}" y="${ly2 - 9}" width="14" height="10" fill="${levelShade(level, input.depth)}"/>`);
    const label = levelName(level, input.depth);
    out.push(`<text x="${lx + 19}" y="${ly2}">${esc(label)}</text>`);
    lx += 19 + label.length * 6.4 + 16;
  }
  out.push(`<text x="${lx}" y="${ly2}" fill="#444">one row per flow (${rows.length}), ordered by the start of its activation</text>`);

  // Time grid and axis.
  const step = niceStep(t1 - t0, 10);
  const axisY = top + plotH;
  for (let t = 0; t <= t1 - t0 + 1e-9; t += step) {
    const gx = x(t0 + t);
    out.push(`<line x1="${f1(gx)}" y1="${top}" x2="${f1(gx)}" y2="${f1(axisY)}" stroke="#eeeeee"/>`);
    out.push(`<line x1="${f1(gx)}" y1="${f1(axisY)}" x2="${f1(gx)}" y2="${f1(axisY + 5)}" stroke="#666"/>`);
    const label = step >= 1000 ? `${(t / 1000).toFixed(step % 1000 === 0 ? 0 : 1)} s` : `${Math.round(t)} ms`;
    out.push(`<text x="${f1(gx)}" y="${f1(axisY + 18)}" text-anchor="middle" fill="#444">${label}</text>`);
  }
  out.push(`<line x1="${left}" y1="${f1(axisY)}" x2="${left + plotW}" y2="${f1(axisY)}" stroke="#666"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${f1(axisY + 40)}" text-anchor="middle" fill="#444">time since the task process started</text>`);

  // Markers.
  const marker = (t: number | undefined, label: string, anchor: 'start' | 'end') => {
    if (t === undefined || !Number.isFinite(t)) return;
    const mx = x(t);
    out.push(`<line x1="${f1(mx)}" y1="${top - 6}" x2="${f1(mx)}" y2="${f1(axisY)}" stroke="#555" stroke-dasharray="3,3"/>`);
    out.push(`<text x="${f1(anchor === 'start' ? mx + 3 : mx - 3)}" y="${top - 9}" text-anchor="${anchor}" fill="#333" font-size="11">${esc(label)}</text>`);
  };
  const firstActivation = rows.length ? rows[0].entries[0].start : undefined;
  marker(input.firstRequestAt, 'first request', 'start');
  if (firstActivation !== undefined && (input.firstRequestAt === undefined || x(firstActivation) - x(input.firstRequestAt) > 90)) marker(firstActivation, 'first activation', 'start');
  marker(input.exitedAt, 'process exit', 'end');

  // Rows.
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const flow = input.flows.get(row.id);
    const barH = Math.max(1, rowH > 3 ? rowH - 1 : rowH * 0.8);
    out.push(`<rect x="${left - 14}" y="${f1(y)}" width="10" height="${f1(barH)}" fill="${flow ? levelShade(flow.level, input.depth) : '#fff'}"/>`);
    for (const e of row.entries) {
      const failed = e.status >= 400 || e.status === 0;
      const fill = colour.get(String(e.effectiveUser ?? '').toLowerCase()) ?? UNKNOWN_COLOUR;
      const w = Math.max(1, x(e.end) - x(e.start));
      const title = `${flow?.name ?? row.id}: ${e.end - e.start} ms, ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`;
      out.push(
        `<rect x="${f1(x(e.start))}" y="${f1(y)}" width="${f1(w)}" height="${f1(barH)}" fill="${failed ? FAILED_FILL : fill}"${failed ? ` stroke="${FAILED_COLOUR}" stroke-width="1"` : ''}><title>${esc(title)}</title></rect>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
