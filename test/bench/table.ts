/**
 * The benchmark's result table: one row per measured figure, each with the floor and naive
 * figures it is judged against, a target, and a verdict. Pure: formatting and judging only.
 */

export interface Figures {
  readonly hubops: number;
  /** What the minimal client pays; absent where there is no floor to compare. */
  readonly floor?: number | undefined;
  /** What a per-object controller pays; absent where it does not apply. */
  readonly naive?: number | undefined;
}

/** A target: how it reads in the table, and whether figures meet it. */
export interface Target {
  readonly text: string;
  readonly met: (figures: Figures) => boolean;
}

export interface Row extends Figures {
  readonly scenario: string;
  readonly n: number;
  /** Unit shown after each figure, e.g. `s`, `ms`, `calls`. */
  readonly unit: string;
  readonly target: Target;
}

export const atMostFloorTimes = (factor: number): Target => ({
  text: `≤ ${factor}x floor`,
  met: (f) => f.floor !== undefined && f.hubops <= factor * f.floor,
});

export const atMostNaiveTimes = (factor: number): Target => ({
  text: `≤ ${factor}x naive`,
  met: (f) => f.naive !== undefined && f.hubops <= factor * f.naive,
});

export const atMostFloorPlus = (extra: number): Target => ({
  text: `≤ floor + ${extra}`,
  met: (f) => f.floor !== undefined && f.hubops <= f.floor + extra,
});

export const atMost = (limit: number, unit: string): Target => ({
  text: `≤ ${limit} ${unit}`.trimEnd(),
  met: (f) => f.hubops <= limit,
});

/** Every one of `targets`. */
export function allOf(...targets: Target[]): Target {
  return {
    text: targets.map((t) => t.text).join(' and '),
    met: (f) => targets.every((t) => t.met(f)),
  };
}

export function verdict(row: Row): 'meets' | 'misses' {
  return Number.isFinite(row.hubops) && row.target.met(row) ? 'meets' : 'misses';
}

/** A figure with its unit, rounded to what the measurement can tell. */
export function formatFigure(value: number | undefined, unit: string): string {
  if (value === undefined) return '–';
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) || abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trimEnd();
}

export function ratio(row: Figures): string {
  if (row.floor === undefined || !Number.isFinite(row.hubops)) return '–';
  if (row.floor === 0) return row.hubops === 0 ? '1.00x' : '∞';
  return `${(row.hubops / row.floor).toFixed(2)}x`;
}

export const header = [
  'scenario',
  'N',
  'hubops',
  'floor',
  'naive',
  'hubops/floor',
  'target',
  'verdict',
] as const;

/** The markdown table, header included. */
export function renderTable(rows: readonly Row[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.scenario,
      String(row.n),
      formatFigure(row.hubops, row.unit),
      formatFigure(row.floor, row.unit),
      formatFigure(row.naive, row.unit),
      ratio(row),
      row.target.text,
      verdict(row),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
