import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import { matrix, sliceRows, type Matrix } from '../../src/tensor/matrix.js';
import { MODEL_CLASSES, type Instance } from './model-classes.js';

/**
 * The common battery of checks (DESIGN.md, "Reliability contract"; scikit-learn's `check_estimator`) on every
 * model class of model-classes.ts: bad data is refused with a one-line UserError, fit leaves its data alone,
 * the same seed gives the same model bit for bit, and a saved and loaded model is the same model.
 */

const engine = createNodeEngine({ threads: 1 });
const folder = mkdtempSync(join(tmpdir(), 'boltzmann-common-checks-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const FIT = { seed: 11, batchSize: 7 } as const;

/** The float bits of every float array in x (Object.is compares the rest): equal means equal bit for bit. */
function bits(x: unknown): unknown {
  if (x instanceof Float32Array) return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
  if (x instanceof Float64Array) return Array.from(new BigUint64Array(x.buffer, x.byteOffset, x.length));
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(bits);
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, bits(v)]));
  return x;
}

/**
 * The rows (examples, chains) of a verb's answer: of a matrix, of a typed array (one value per row), of a score
 * (its `examples`), or of every part of a record (which must agree).
 */
function rowsOf(x: unknown): number {
  if (ArrayBuffer.isView(x)) return (x as unknown as ArrayLike<number>).length;
  if (typeof x !== 'object' || x === null) throw new Error(`no rows in ${String(x)}`);
  if ('rows' in x && typeof x.rows === 'number') return x.rows;
  if ('examples' in x && typeof x.examples === 'number') return x.examples;
  const counts = [...new Set(Object.values(x).filter((v) => typeof v === 'object').map(rowsOf))];
  if (counts.length !== 1) throw new Error(`parts with rows ${counts.join(', ')}`);
  return counts[0];
}

/** The rows of x with the value at (row 1, column 2) replaced by `value`: messages must name that place. */
function withValue(x: Matrix, value: number): Matrix {
  const data = x.data.slice();
  data[x.cols + 2] = value;
  return matrix(data, x.rows, x.cols);
}

/** The rows of x with one more column (of zeros). */
function wider(x: Matrix): Matrix {
  const data = new Float32Array(x.rows * (x.cols + 1));
  for (let r = 0; r < x.rows; r++) data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), r * (x.cols + 1));
  return matrix(data, x.rows, x.cols + 1);
}

/** The bad inputs every verb on data must refuse, with what its message must say. */
const BAD_INPUTS: readonly { readonly name: string; readonly make: (x: Matrix) => Matrix; readonly says: RegExp }[] = [
  { name: 'NaN', make: (x) => withValue(x, Number.NaN), says: /\bexample 1, feature 2 \(0-based\) is NaN\b/ },
  { name: 'Infinity', make: (x) => withValue(x, Number.POSITIVE_INFINITY), says: /\bexample 1, feature 2 \(0-based\) is Infinity\b/ },
  { name: 'a wrong width', make: wider, says: /\b10 features per example\b/ },
  { name: 'no rows', make: (x) => sliceRows(x, 0, 0), says: /\b(no|0) examples/ },
];

/** Expects `run` to reject with a UserError whose message is one line and matches `says`. */
async function expectRefused(run: () => Promise<unknown>, says: RegExp, verb = 'fit'): Promise<void> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${verb}: a UserError`).toBeInstanceOf(UserError);
  const { message } = error as UserError;
  expect(message, verb).not.toMatch(/\n/);
  expect(message, verb).toMatch(says);
}

describe.each(MODEL_CLASSES)('$name', (modelClass) => {
  const data = modelClass.data();
  const untouched = bits(data.data);
  let fresh: Instance;
  let fitted: Instance;
  let again: Instance;

  beforeAll(async () => {
    fresh = modelClass.create(engine, 7);
    fitted = modelClass.create(engine, 7);
    await fitted.fit(data, FIT);
    again = modelClass.create(engine, 7);
    await again.fit(modelClass.data(), FIT);
  });

  for (const bad of BAD_INPUTS) {
    it(`fit refuses ${bad.name}`, async () => {
      await expectRefused(() => modelClass.create(engine, 1).fit(bad.make(modelClass.data()), FIT), bad.says);
    });
  }

  if (modelClass.oneExample === 'refused') {
    it('fit refuses one example at its default batch size', async () => {
      await expectRefused(() => modelClass.create(engine, 1).fit(sliceRows(modelClass.data(), 0, 1), { seed: FIT.seed }), /batch/i);
    });
  } else {
    it('fit takes one example at its default batch size', async () => {
      const one = modelClass.create(engine, 1);
      await one.fit(sliceRows(modelClass.data(), 0, 1), { seed: FIT.seed });
      expect(bits(one.parameters())).not.toEqual(bits(modelClass.create(engine, 1).parameters()));
    });
  }

  for (const bad of BAD_INPUTS) {
    it(`every verb on data refuses ${bad.name}`, async () => {
      for (const [name, run] of Object.entries(fitted.transforms)) await expectRefused(() => run(bad.make(data)), bad.says, name);
    });
  }

  it('every verb on data takes one example', async () => {
    for (const [name, run] of Object.entries(fitted.transforms)) expect(rowsOf(await run(sliceRows(data, 0, 1))), name).toBe(1);
  });

  it('fit leaves its data as it was', () => {
    expect(bits(data.data)).toEqual(untouched);
  });

  it('the same seed gives the same model, bit for bit', () => {
    expect(bits(fitted.parameters())).not.toEqual(bits(fresh.parameters()));
    expect(bits(again.parameters())).toEqual(bits(fitted.parameters()));
  });

  it('a saved and loaded model has the same parameters, kind, units and epochs', async () => {
    const path = join(folder, `${modelClass.name.replace(/\W+/g, '-')}.safetensors`);
    await fitted.save(path);
    const loaded = await fitted.load(path);
    expect(loaded.facts()).toEqual(fitted.facts());
    expect(Object.keys(loaded.parameters()).sort()).toEqual(Object.keys(fitted.parameters()).sort());
    expect(bits(loaded.parameters())).toEqual(bits(fitted.parameters()));
  });

  it('a loaded model transforms and samples exactly as the original', async () => {
    const path = join(folder, `${modelClass.name.replace(/\W+/g, '-')}-verbs.safetensors`);
    await fitted.save(path);
    const loaded = await fitted.load(path);
    const verbs = { ...fitted.transforms, ...fitted.samplers };
    const loadedVerbs: Record<string, (x: Matrix) => Promise<unknown>> = { ...loaded.transforms, ...loaded.samplers };
    expect(Object.keys(loadedVerbs)).toEqual(Object.keys(verbs));
    for (const [name, run] of Object.entries(verbs)) {
      const original = bits(await run(data));
      expect(bits(await loadedVerbs[name](data)), name).toEqual(original);
    }
  });
});
