import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allOf,
  atMost,
  atMostFloorPlus,
  atMostFloorTimes,
  atMostNaiveTimes,
  formatFigure,
  ratio,
  renderTable,
  verdict,
  type Row,
  type Target,
} from './table.ts';
import { percentile } from './observe.ts';

const row = (target: Target, figures: Partial<Row> = {}): Row => ({
  scenario: 'cold',
  n: 1000,
  unit: 's',
  hubops: 10,
  floor: 9,
  naive: 30,
  target,
  ...figures,
});

test('each target judges the figures it names', () => {
  const cases: [string, Target, Partial<Row>, 'meets' | 'misses'][] = [
    ['within 1.2x the floor', atMostFloorTimes(1.2), { hubops: 10.7 }, 'meets'],
    ['past 1.2x the floor', atMostFloorTimes(1.2), { hubops: 10.9 }, 'misses'],
    ['no floor to compare with', atMostFloorTimes(1.2), { floor: undefined }, 'misses'],
    ['half the naive time', atMostNaiveTimes(0.5), { hubops: 15 }, 'meets'],
    ['over half the naive time', atMostNaiveTimes(0.5), { hubops: 15.1 }, 'misses'],
    ['floor plus two reads', atMostFloorPlus(2), { hubops: 11, floor: 9 }, 'meets'],
    ['floor plus three reads', atMostFloorPlus(2), { hubops: 12, floor: 9 }, 'misses'],
    ['zero writes', atMost(0, ''), { hubops: 0 }, 'meets'],
    ['one write', atMost(0, ''), { hubops: 1 }, 'misses'],
    ['a figure that could not be measured', atMost(150, 'ms'), { hubops: Number.NaN }, 'misses'],
    [
      'both halves of a compound target',
      allOf(atMostFloorTimes(1.2), atMostNaiveTimes(0.5)),
      { hubops: 10 },
      'meets',
    ],
    [
      'one half of a compound target',
      allOf(atMostFloorTimes(1.2), atMostNaiveTimes(0.3)),
      { hubops: 10 },
      'misses',
    ],
  ];
  for (const [name, target, figures, expected] of cases)
    assert.equal(verdict(row(target, figures)), expected, name);
});

test('figures are rounded to what they can tell, with their unit', () => {
  assert.equal(formatFigure(14.234, 's'), '14.2 s');
  assert.equal(formatFigure(3.456, 's'), '3.46 s');
  assert.equal(formatFigure(1234.5, 'ms'), '1235 ms');
  assert.equal(formatFigure(62, 'calls'), '62 calls');
  assert.equal(formatFigure(0, ''), '0');
  assert.equal(formatFigure(undefined, 's'), '–');
  assert.equal(formatFigure(Number.NaN, 's'), 'n/a');
});

test('the ratio column compares with the floor, and a zero floor only with zero', () => {
  assert.equal(ratio({ hubops: 12, floor: 10 }), '1.20x');
  assert.equal(ratio({ hubops: 0, floor: 0 }), '1.00x');
  assert.equal(ratio({ hubops: 1, floor: 0 }), '∞');
  assert.equal(ratio({ hubops: 5 }), '–');
});

test('the table has the columns the issue fixes, one line per row', () => {
  const lines = renderTable([row(atMostFloorTimes(1.2)), row(atMost(1, 's'))]).split('\n');
  assert.equal(
    lines[0],
    '| scenario | N | hubops | floor | naive | hubops/floor | target | verdict |',
  );
  assert.equal(lines.length, 4);
  assert.equal(lines[2], '| cold | 1000 | 10 s | 9 s | 30 s | 1.11x | ≤ 1.2x floor | meets |');
  assert.match(lines[3] ?? '', /\| misses \|$/);
});

test('percentiles are nearest-rank over the samples', () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(samples, 50), 50);
  assert.equal(percentile(samples, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.ok(Number.isNaN(percentile([], 50)));
});
