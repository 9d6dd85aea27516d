/**
 * Fuzzing of every loader of files that come in (DESIGN.md, "Reliability contract": files are validated
 * completely before use, bad input gets a one-line error): model files (RBMs of several unit types, DBN, DBM,
 * MLP, through `decodeModel`, `decodeModelOf` and `decodeMlp`), IDX images and labels (plain and gzipped), NPY
 * and CSV. Small valid seeds are mutated (`mutations.ts`, seeded) and each loader must either return a valid
 * result or throw a UserError whose message is one line without control characters, within a second and
 * without allocating what a header claims before checking it.
 *
 * `npm test` runs 3,000 mutants. A larger corpus: `FUZZ_MUTATIONS=50000 npx vitest run test/fuzz`
 * (`FUZZ_SEED=n` draws another one; the summary of each loader is printed when either is set; `FUZZ_TRACE=FILE`
 * keeps the mutant being read in FILE, to find one that hangs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { validateForUnits } from '../../src/data/validate.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadCsv } from '../../src/data/csv.js';
import { loadIdx, loadIdxLabels } from '../../src/data/idx.js';
import { encodeNpy, loadNpy } from '../../src/data/npy.js';
import { UserError } from '../../src/errors.js';
import { decodeModel, decodeModelOf, encodeModel, type ModelFile } from '../../src/io/model-codec.js';
import { decodeSafetensors, encodeSafetensors, isCount } from '../../src/io/safetensors.js';
import { ClassRBM } from '../../src/models/class-rbm.js';
import { MpDBM } from '../../src/models/mp-dbm.js';
import { classRbmNames } from '../../src/models/class-rbm-graph.js';
import { GatedRBM, type GatedRbmParameters } from '../../src/models/gated-rbm.js';
import { gatedRbmNames } from '../../src/models/gated-rbm-graph.js';
import { DBM, dbmNames } from '../../src/models/dbm.js';
import { DBN, layerParameterName } from '../../src/models/dbn.js';
import { parameterKeys, parameterNames, VISIBLE_LOG_STD } from '../../src/models/rbm-graph.js';
import { RBM } from '../../src/models/rbm.js';
import { layerNames, Mlp } from '../../src/nn/mlp.js';
import { decodeMlp, encodeMlp } from '../../src/nn/mlp-file.js';
import { createNodeEngine } from '../../src/runtime/node.js';
import type { UnitName } from '../../src/units/index.js';
import { CSV_MUTATIONS, gzip, IDX_MUTATIONS, joinNpy, mutant, NPY_MUTATIONS, SAFETENSORS_MUTATIONS, type NamedMutation } from './mutations.js';

/** Mutants in all, shared among the loaders by weight. */
const MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 3000);
/** The seed of the mutants' streams: another value, another corpus. */
const STREAM = Number(process.env.FUZZ_SEED ?? 1);
/** A file that holds the mutant being read (target, index, base64), so that a hang is found: `FUZZ_TRACE=/tmp/mutant`. */
const TRACE = process.env.FUZZ_TRACE;
const VERBOSE = process.env.FUZZ_MUTATIONS !== undefined || process.env.FUZZ_SEED !== undefined;
/** A call slower than this is a failure (a hang, or work in proportion to what a header claims). */
const SLOW_MS = 1000;
/** Array-buffer memory a call may leave allocated (the seeds are a few hundred bytes). */
const ALLOCATION_LIMIT = 64 * 2 ** 20;
/** A message longer than this floods the terminal (quoted file text is cut at 60 or 200 characters). */
const LONGEST_MESSAGE = 1000;
/** The control characters no message may hold: C0, DEL and C1, [\u0000-\u001f\u007f-\u009f]. */
const CONTROL = /\p{Cc}/u;

const engine = createNodeEngine({ threads: 1 });
const folder = mkdtempSync(join(tmpdir(), 'boltzmann-fuzz-'));
afterAll(async () => {
  await engine.dispose();
  rmSync(folder, { recursive: true, force: true });
});

/* ----------------------------------------------------------------------------------------------------------
 * The property
 * ------------------------------------------------------------------------------------------------------- */

/** What is wrong with error `e` of a loader reading `sources` (the names a message may start with); undefined: nothing. */
function errorProblem(e: unknown, sources: readonly string[]): string | undefined {
  if (!(e instanceof UserError)) {
    const name = e instanceof Error ? e.constructor.name : typeof e;
    return `threw ${name}, not a UserError: ${String(e instanceof Error ? e.message : e).slice(0, 300)}`;
  }
  const message = e.message;
  if (CONTROL.test(message)) return `message holds a control character: ${JSON.stringify(message.slice(0, 300))}`;
  if (message.length > LONGEST_MESSAGE) return `message of ${message.length} characters: ${JSON.stringify(message.slice(0, 200))}...`;
  if (!sources.some((s) => message.startsWith(`${s}: `))) return `message does not name the file: ${JSON.stringify(message.slice(0, 300))}`;
  return undefined;
}

/** The outcome of one loader call: the problem with it (undefined: none) and whether the input was accepted. */
interface Outcome {
  problem?: string;
  accepted: boolean;
  ms: number;
}

/** The milliseconds `load` takes (whether it returns or throws). */
function timed(load: () => unknown): number {
  const start = performance.now();
  try {
    load();
  } catch {
    // timed only
  }
  return performance.now() - start;
}

/**
 * Runs `load`; a result must pass `check` (which returns a problem or undefined), an error `errorProblem`;
 * either way within SLOW_MS (a slow call is timed again, so that a pause of a busy machine is not taken for
 * a hang) and ALLOCATION_LIMIT.
 */
function probe<T>(load: () => T, check: (value: T) => string | undefined, sources: readonly string[]): Outcome {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let value: T | undefined;
  let error: unknown;
  let threw = false;
  try {
    value = load();
  } catch (e) {
    threw = true;
    error = e;
  }
  let ms = performance.now() - start;
  const grown = process.memoryUsage().arrayBuffers - before;
  if (ms > SLOW_MS) ms = Math.min(ms, timed(load));
  const problem =
    ms > SLOW_MS
      ? `took ${ms.toFixed(0)} ms`
      : grown > ALLOCATION_LIMIT
        ? `left ${(grown / 2 ** 20).toFixed(0)} MiB of array buffers allocated`
        : threw
          ? errorProblem(error, sources)
          : safeCheck(() => check(value as T));
  return { problem, accepted: !threw, ms };
}

/** `check()`, a throw of the check itself reported as a problem (an accepted result the check cannot read). */
function safeCheck(check: () => string | undefined): string | undefined {
  try {
    return check();
  } catch (e) {
    return `accepted, but checking the result threw: ${String(e)}`;
  }
}

/** Whether two float32 arrays hold the same bits. */
const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A model's parameters by their tensor names in its file, with the shapes those tensors must have. */
type Parameters = Record<string, { shape: number[]; data: Float32Array }>;

function rbmParameters(rbm: RBM, name: (key: (typeof parameterKeys)[number]) => string): Parameters {
  const shapes = { weights: [rbm.nVisible, rbm.nHidden], visibleBias: [rbm.nVisible], hiddenBias: [rbm.nHidden] };
  const out: Parameters = {};
  for (const key of parameterKeys) out[name(key)] = { shape: shapes[key], data: rbm.params[key] };
  return out;
}

/** The parameters of a decoded RBM, and what is wrong with its structure. */
function rbmFileParameters(model: RBM): { params: Parameters; problem?: string } {
  const params = rbmParameters(model, (key) => parameterNames[key]);
  if (model.params.visibleLogStd !== undefined) params[VISIBLE_LOG_STD] = { shape: [model.nVisible], data: model.params.visibleLogStd };
  const problem =
    model.nVisible < 1 || model.nHidden < 1
      ? `an RBM of ${model.nVisible} x ${model.nHidden} units`
      : model.nVisible % model.visible.groupSize !== 0 || model.nHidden % model.hidden.groupSize !== 0
        ? 'layers that are not whole groups'
        : (model.visible.learnedStd !== undefined) !== (model.params.visibleLogStd !== undefined)
          ? 'visible_log_std where the units have no learned std, or none where they do'
          : !isCount(model.epochsTrained)
            ? `epochsTrained ${String(model.epochsTrained)}`
            : undefined;
  return { params, problem };
}

/** The parameters of a decoded model of any kind, and what is wrong with its structure. */
function modelParameters(model: ModelFile['model'] | Mlp): { params: Parameters; problem?: string } {
  if (model instanceof Mlp) {
    const params: Parameters = {};
    model.layers.forEach((l, i) => {
      params[layerNames(i).weights] = { shape: [l.nIn, l.nOut], data: l.weights };
      params[layerNames(i).bias] = { shape: [l.nOut], data: l.bias };
    });
    const broken = model.layers.findIndex((l, i) => l.nIn < 1 || l.nOut < 1 || (i > 0 && model.layers[i - 1].nOut !== l.nIn));
    return { params, problem: model.layers.length === 0 ? 'an MLP of no layers' : broken >= 0 ? `MLP layer ${broken} does not chain` : undefined };
  }
  if (model.kind === 'rbm') return rbmFileParameters(model);
  if (model.kind === 'class-rbm') {
    const { params, problem } = rbmFileParameters(model.rbm);
    params[classRbmNames.labelWeights] = { shape: [model.nHidden, model.nClasses], data: model.labels.labelWeights };
    params[classRbmNames.labelBias] = { shape: [model.nClasses], data: model.labels.labelBias };
    return { params, problem: problem ?? (model.nClasses < 2 ? `a classification RBM of ${model.nClasses} classes` : undefined) };
  }
  if (model.kind === 'gated-rbm') {
    const { nInput, nOutput, nHidden, nFactors, hidden } = model.shape;
    const shapes: Record<keyof GatedRbmParameters, number[]> = { inputFactors: [nInput, nFactors], outputFactors: [nOutput, nFactors], hiddenFactors: [nHidden, nFactors], outputBias: [nOutput], hiddenBias: [nHidden] };
    const params: Parameters = Object.fromEntries(Object.entries(shapes).map(([key, shape]) => [gatedRbmNames[key as keyof GatedRbmParameters], { shape, data: model.params[key as keyof GatedRbmParameters] }]));
    const sizes = [nInput, nOutput, nHidden, nFactors];
    const problem = !sizes.every((n) => isCount(n) && n >= 1)
      ? `a gated RBM of sizes [${sizes.join(', ')}]`
      : nOutput % model.visible.groupSize !== 0 || nHidden % hidden.groupSize !== 0
        ? 'layers that are not whole groups'
        : model.visible.learnedStd !== undefined
          ? 'outputs with a learned std'
          : !isCount(model.epochsTrained)
            ? `epochsTrained ${String(model.epochsTrained)}`
            : undefined;
    return { params, problem };
  }
  if (model.kind === 'dbn') {
    const params: Parameters = {};
    model.rbms.forEach((r, l) => Object.assign(params, rbmParameters(r, (key) => layerParameterName(key, l))));
    const broken = model.rbms.findIndex((r, l) => r.nVisible < 1 || r.nHidden < 1 || !isCount(r.epochsTrained) || (l > 0 && model.rbms[l - 1].nHidden !== r.nVisible));
    return { params, problem: model.rbms.length === 0 ? 'a DBN of no RBMs' : broken >= 0 ? `DBN RBM ${broken} is broken` : undefined };
  }
  if (model.kind === 'mp-dbm') {
    const { params, problem } = dbmFileParameters(model.dbm);
    params[classRbmNames.labelWeights] = { shape: [model.sizes.at(-1)!, model.nClasses], data: model.labels.labelWeights };
    params[classRbmNames.labelBias] = { shape: [model.nClasses], data: model.labels.labelBias };
    return { params, problem: problem ?? (model.nClasses < 2 ? `a multi-prediction DBM of ${model.nClasses} classes` : undefined) };
  }
  return dbmFileParameters(model);
}

/** The parameters of a decoded DBM, and what is wrong with its structure. */
function dbmFileParameters(model: DBM): { params: Parameters; problem?: string } {
  const params: Parameters = {};
  const { sizes } = model;
  model.params.weights.forEach((w, l) => (params[dbmNames.weights(l)] = { shape: [sizes[l], sizes[l + 1]], data: w }));
  model.params.biases.forEach((b, l) => (params[dbmNames.bias(l)] = { shape: [sizes[l]], data: b }));
  const problem = sizes.length < 3 || !sizes.every((n) => isCount(n) && n >= 1) ? `a DBM of layers [${sizes.join(', ')}]` : !isCount(model.epochsTrained) ? `epochsTrained ${String(model.epochsTrained)}` : undefined;
  return { params, problem };
}

/**
 * What is wrong with model `model` decoded from `bytes`: its structure, parameters that are not exactly the
 * file's tensors (names, shapes, values) or not finite, metadata other than the file's; then the same of the
 * model written and read back (`reencode`).
 */
function modelProblem(model: ModelFile['model'] | Mlp, metadata: Record<string, string>, bytes: Uint8Array, reencode?: () => { model: ModelFile['model'] | Mlp }): string | undefined {
  const { params, problem } = modelParameters(model);
  if (problem !== undefined) return `accepted ${problem}`;
  const file = decodeSafetensors(bytes, 'fuzz');
  const names = Object.keys(file.tensors).sort();
  if (names.join() !== Object.keys(params).sort().join()) return `accepted a file of tensors [${names.join(', ')}] as a model of [${Object.keys(params).join(', ')}]`;
  for (const name of names) {
    const t = file.tensors[name];
    const p = params[name];
    if (t.dtype !== 'F32' && t.dtype !== 'F64') return `accepted tensor ${name} of dtype ${t.dtype}`;
    if (t.shape.join() !== p.shape.join()) return `tensor ${name} is [${t.shape.join(', ')}] but the model's is [${p.shape.join(', ')}]`;
    if (!sameBits(Float32Array.from(t.data), p.data)) return `tensor ${name} was changed on reading`;
    if (!p.data.every(Number.isFinite)) return `accepted non-finite values in ${name}`;
  }
  if (JSON.stringify(metadata) !== JSON.stringify(file.metadata)) return 'the metadata returned is not the file\'s';
  if (reencode !== undefined) {
    const again = modelParameters(reencode().model).params;
    for (const name of names) if (again[name] === undefined || !sameBits(again[name].data, params[name].data)) return `tensor ${name} changed in a write and read back`;
  }
  return undefined;
}

/**
 * What is wrong with data set `d` loaded from `path`: its name, shapes (rows * cols values, labels one per
 * row, image shape of cols pixels), `finite` values where the loader promises them; and `validateForUnits`
 * must refuse what the loader let through (non-finite values, no examples) with a good UserError.
 */
function datasetProblem(d: Dataset, path: string, finite: boolean): string | undefined {
  const { rows, cols, data } = d.examples;
  if (d.name !== path) return `data set named ${JSON.stringify(d.name)}, not its path`;
  if (!isCount(rows) || !isCount(cols) || data.length !== rows * cols) return `${data.length} values as ${rows} x ${cols}`;
  if (d.labels !== undefined && (d.labels.length !== rows || !d.labels.every((l) => l >= 0))) return `${d.labels.length} labels for ${rows} rows, or a negative one`;
  if (d.imageShape !== undefined && (!d.imageShape.every(isCount) || d.imageShape[0] * d.imageShape[1] !== cols)) return `image shape ${d.imageShape.join(' x ')} for ${cols} features`;
  if (finite && !data.every(Number.isFinite)) return 'accepted non-finite values';
  try {
    validateForUnits(d, undefined, 'gaussian');
  } catch (e) {
    const problem = errorProblem(e, [path]);
    if (problem !== undefined) return `validateForUnits: ${problem}`;
    return undefined;
  }
  return !data.every(Number.isFinite) || rows === 0 || cols === 0 ? 'validateForUnits let non-finite values or an empty data set through' : undefined;
}

/* ----------------------------------------------------------------------------------------------------------
 * Targets: seeds, their mutations and the loaders run on each mutant
 * ------------------------------------------------------------------------------------------------------- */

interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface Target {
  readonly name: string;
  /** This target's share of MUTATIONS. */
  readonly weight: number;
  readonly seeds: readonly Seed[];
  readonly mutations: readonly NamedMutation[];
  /** Runs the loaders on `bytes` (mutant `index` of `seed`): one outcome per loader call. */
  readonly run: (bytes: Uint8Array, seed: Seed, index: number) => Outcome[];
}

const SOURCE = 'fuzz.safetensors';

function rbmSeed(name: string, visible: UnitName, hidden: UnitName, extra: Record<string, string> = {}): Seed {
  const rbm = RBM.create(engine, { nVisible: 4, nHidden: 3, visible, hidden, seed: 7, weightScale: 0.5 });
  rbm.epochsTrained = 2;
  return { name, bytes: encodeModel(rbm, extra) };
}

function modelSeeds(): Seed[] {
  const dbn = DBN.create(engine, { sizes: [4, 3, 2], seed: 1 });
  dbn.rbms[0].epochsTrained = 3;
  const dbm = DBM.create(engine, { sizes: [4, 3, 2], seed: 2 });
  dbm.epochsTrained = 5;
  return [
    rbmSeed('rbm bernoulli', 'bernoulli', 'bernoulli', { training: '{"epochs":2}', seed: '7' }),
    rbmSeed('rbm gaussian', 'gaussian', 'bernoulli'),
    rbmSeed('rbm softmax:2', 'softmax:2', 'bernoulli'),
    rbmSeed('rbm spin/relu', 'spin', 'relu'),
    rbmSeed('rbm binomial:3', 'binomial:3', 'binomial:3'),
    { name: 'dbn', bytes: encodeModel(dbn) },
    { name: 'dbm', bytes: encodeModel(dbm) },
    { name: 'class-rbm', bytes: encodeModel(ClassRBM.create(engine, { nVisible: 4, nHidden: 3, nClasses: 3, seed: 4, weightScale: 0.5 })) },
    { name: 'mp-dbm', bytes: encodeModel(MpDBM.create(engine, { sizes: [4, 3, 2], nClasses: 3, seed: 6, weightScale: 0.5 })) },
    { name: 'gated-rbm', bytes: encodeModel(GatedRBM.create(engine, { nInput: 3, nOutput: 4, nHidden: 2, nFactors: 3, seed: 5, weightScale: 0.5 })) },
    { name: 'mlp', bytes: encodeMlp(Mlp.create(engine, { sizes: [4, 3, 2], seed: 3 })) },
  ];
}

/**
 * Every model mutant is read by `decodeModel` (by its kind), by `decodeModelOf` the kind of its seed (whose
 * codec then sees files of other kinds) and by `decodeMlp`.
 */
const models: Target = {
  name: 'model files (safetensors)',
  weight: 0.5,
  seeds: modelSeeds(),
  mutations: SAFETENSORS_MUTATIONS,
  run: (bytes, seed) => [
    probe(
      () => decodeModel(engine, bytes, SOURCE),
      ({ model, metadata }) => modelProblem(model, metadata, bytes, () => decodeModel(engine, encodeModel(model, metadata), SOURCE)),
      [SOURCE],
    ),
    ...(['rbm', 'dbn', 'dbm', 'class-rbm', 'gated-rbm', 'mp-dbm'] as const)
      .filter((kind) => seed.name.startsWith(kind))
      .map((kind) =>
        probe(
          () => decodeModelOf(engine, bytes, SOURCE, kind),
          ({ model, metadata }) => (model.kind === kind ? modelProblem(model, metadata, bytes) : `decodeModelOf ${kind} returned a ${model.kind}`),
          [SOURCE],
        ),
      ),
    probe(
      () => decodeMlp(engine, bytes, SOURCE),
      ({ mlp, metadata }) => modelProblem(mlp, metadata, bytes, () => ({ model: decodeMlp(engine, encodeMlp(mlp, metadata), SOURCE).mlp })),
      [SOURCE],
    ),
  ],
};

/** An IDX file: big-endian magic, dims, then unsigned bytes. */
function idxFile(magic: number, dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

const IDX_IMAGES = idxFile(0x803, [3, 2, 2], [0, 255, 128, 1, 2, 3, 4, 5, 250, 251, 252, 253]);
const IDX_LABELS = idxFile(0x801, [3], [0, 9, 4]);

/**
 * What is wrong with images `d` accepted from IDX `written` (gzipped or not): a file other than magic, 3
 * dims and exactly their values, or values other than byte / 255.
 */
function idxImagesProblem(d: Dataset, path: string, written: Uint8Array): string | undefined {
  const problem = datasetProblem(d, path, true);
  if (problem !== undefined) return problem;
  const bytes = written[0] === 0x1f && written[1] === 0x8b ? new Uint8Array(gunzipSync(written)) : written;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [n, h, w] = [4, 8, 12].map((at) => view.getUint32(at, false));
  if (view.getUint32(0, false) !== 0x803 || bytes.length !== 16 + n * h * w) return 'accepted a file whose header does not match its size';
  if (d.examples.rows !== n || d.examples.cols !== h * w) return `read ${d.examples.rows} x ${d.examples.cols} from a header of ${n} x ${h} x ${w}`;
  if (!d.examples.data.every((x, i) => x === Math.fround(bytes[16 + i] / 255))) return 'values other than byte / 255';
  return undefined;
}

/** Writes `bytes` to `name` in the fuzz folder; its path. */
function written(name: string, bytes: Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

const idxImages = (name: string, transform: (b: Uint8Array) => Uint8Array, weight: number, seeds: Seed[]): Target => ({
  name,
  weight,
  seeds,
  mutations: IDX_MUTATIONS,
  run: (bytes) => {
    const file = transform(bytes);
    const path = written('images.idx', file);
    return [probe(() => loadIdx(path), (d) => idxImagesProblem(d, path, file), [path])];
  },
});

/** Images with a sibling labels file, the labels mutated: `loadIdxLabels` and `loadIdx` (which reads both). */
const idxLabels: Target = {
  name: 'IDX labels (with images)',
  weight: 0.05,
  seeds: [
    { name: 'labels', bytes: IDX_LABELS },
    { name: 'labels gzipped', bytes: gzip(IDX_LABELS) },
  ],
  mutations: IDX_MUTATIONS,
  run: (bytes) => {
    const images = written('set-images-idx3-ubyte', IDX_IMAGES);
    const labels = written('set-labels-idx1-ubyte', bytes);
    const labelsProblem = (l: Int32Array): string | undefined => (l.every((x) => x >= 0 && x <= 255) ? undefined : 'labels outside 0..255');
    return [
      probe(() => loadIdxLabels(labels), labelsProblem, [labels]),
      probe(() => loadIdx(images), (d) => idxImagesProblem(d, images, IDX_IMAGES) ?? (d.labels?.length === 3 ? undefined : 'images read without their labels'), [images, labels]),
    ];
  },
};

function npySeeds(): Seed[] {
  const m = { data: Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1), rows: 3, cols: 4 };
  const f8 = new Uint8Array(new Float64Array([0.5, -2, 1e-300, 3, 4, 5]).buffer);
  const dict = (descr: string, shape: string): string => `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  return [
    { name: 'npy <f4 2-D', bytes: encodeNpy(m) },
    { name: 'npy <f4 3-D', bytes: encodeNpy(m, [1, 3, 4]) },
    { name: 'npy <f8 v2', bytes: joinNpy(2, dict('<f8', '(2, 3)'), f8) },
    { name: 'npy |u1 v3', bytes: joinNpy(3, dict('|u1', '(2, 2)'), Uint8Array.from([0, 1, 255, 7])) },
    { name: 'npy <i8', bytes: joinNpy(1, dict('<i8', '(1, 2)'), new Uint8Array(new BigInt64Array([-5n, 2n ** 62n]).buffer)) },
  ];
}

const npy: Target = {
  name: 'NPY',
  weight: 0.14,
  seeds: npySeeds(),
  mutations: NPY_MUTATIONS,
  run: (bytes, _seed, index) => {
    // One mutant in four gzipped (the loaders detect gzip by content, whatever the name).
    const path = written('data.npy', index % 4 === 3 ? gzip(bytes) : bytes);
    // NPY floats may be NaN: the loader reads them, validateForUnits refuses them (datasetProblem checks it does).
    return [probe(() => loadNpy(path), (d) => datasetProblem(d, path, false), [path])];
  },
};

const CSV_SEEDS: Seed[] = [
  { name: 'csv with header and labels', bytes: new TextEncoder().encode('a,b,label\n0,1,0\n1,0.5,1\n0.25,-3,2\n') },
  { name: 'csv without header', bytes: new TextEncoder().encode('0,1,1\n1,0,0\n1e-3,2.5,1\n') },
  { name: 'csv quoted', bytes: new TextEncoder().encode('"x","y"\r\n"1","2"\r\n3,"4"\r\n') },
];

const csv: Target = {
  name: 'CSV',
  weight: 0.14,
  seeds: CSV_SEEDS,
  mutations: CSV_MUTATIONS,
  run: (bytes, seed, index) => {
    const path = written('data.csv', index % 4 === 3 ? gzip(bytes) : bytes);
    const check = (d: Dataset): string | undefined => datasetProblem(d, path, true);
    const labelColumn = seed === CSV_SEEDS[0] ? 'label' : -1;
    return [probe(() => loadCsv(path), check, [path]), probe(() => loadCsv(path, { labelColumn }), check, [path])];
  },
};

const TARGETS: Target[] = [
  models,
  idxImages('IDX images', (b) => b, 0.08, [{ name: 'images', bytes: IDX_IMAGES }]),
  idxImages('IDX images, mutated then gzipped', gzip, 0.05, [{ name: 'images', bytes: IDX_IMAGES }]),
  idxImages('IDX images, gzipped then mutated', (b) => b, 0.04, [{ name: 'images gzipped', bytes: gzip(IDX_IMAGES) }]),
  idxLabels,
  npy,
  csv,
];

/* ----------------------------------------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------------------------------------- */

interface Failure {
  seed: string;
  index: number;
  kinds: string;
  problem: string;
  /** The mutant's first bytes, base64, to reproduce it without the generator. */
  input: string;
}

describe('loaders under mutated input', () => {
  for (const target of TARGETS) {
    const count = Math.round(MUTATIONS * target.weight);
    it(
      `${target.name}: ${count} mutants are read or refused with a one-line UserError`,
      () => {
        const failures: Failure[] = [];
        let calls = 0;
        let accepted = 0;
        let slowest = 0;
        const start = performance.now();
        for (let index = 0; index < count; index++) {
          const seed = target.seeds[index % target.seeds.length];
          const { bytes, kinds } = mutant(seed.bytes, target.mutations, STREAM, index);
          if (TRACE !== undefined) writeFileSync(TRACE, `${target.name} ${index} ${kinds.join(' + ')}\n${Buffer.from(bytes).toString('base64')}\n`);
          for (const outcome of target.run(bytes, seed, index)) {
            calls++;
            if (outcome.accepted) accepted++;
            slowest = Math.max(slowest, outcome.ms);
            const { problem } = outcome;
            if (problem === undefined) continue;
            failures.push({ seed: seed.name, index, kinds: kinds.join(' + '), problem, input: Buffer.from(bytes.subarray(0, 600)).toString('base64') });
          }
        }
        if (VERBOSE) {
          const seconds = ((performance.now() - start) / 1000).toFixed(1);
          console.info(`${target.name}: ${count} mutants, ${calls} calls, ${accepted} accepted, ${failures.length} failures, slowest call ${slowest.toFixed(1)} ms, ${seconds} s`);
        }
        expect(failures.slice(0, 5), `${failures.length} failures of ${calls} calls`).toEqual([]);
      },
      60_000 + MUTATIONS * 10,
    );
  }
});

/* ----------------------------------------------------------------------------------------------------------
 * The inputs that found bugs, kept as they were found
 * ------------------------------------------------------------------------------------------------------- */

/** `load` throws a UserError, one line naming one of `sources`, that holds `part`. */
function expectRefused(load: () => unknown, sources: readonly string[], part: string): void {
  const outcome = probe(load, () => 'accepted', sources);
  expect(outcome.problem).toBeUndefined();
  expect(outcome.accepted).toBe(false);
  try {
    load();
  } catch (e) {
    expect((e as Error).message).toContain(part);
  }
}

/** A model file of `bytes` with metadata `key` set to `value`. */
function withMetadata(bytes: Uint8Array, key: string, value: string): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes, 'seed');
  return encodeSafetensors(tensors, { ...metadata, [key]: value });
}

describe('inputs the fuzzing found', () => {
  it('NPY: a header holding C1 control characters is quoted with them escaped (once printed raw by JSON.stringify)', () => {
    // "npy <f8 v2" with 16 bytes inserted into its header (ESC, 0x04, 0x9d, ...).
    const found = 'k05VTVBZAgB0AAAAeyddfOpUG7EgBNRbMX1dn29ZZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAA4D8AAAAAAAAAwFnz+MIfbqUBAAAAAAAACEAAAAAAAAAQQAAAAAAAABRA';
    const path = written('found-header.npy', Buffer.from(found, 'base64'));
    expectRefused(() => loadNpy(path), [path], 'malformed NPY header "{\']|');
  });

  it('NPY: a shape or dtype holding control characters is printed with them escaped', () => {
    const shape = written('found-shape.npy', joinNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3\n, 4\u0085), }", new Uint8Array(48)));
    expectRefused(() => loadNpy(shape), [shape], 'malformed NPY shape (3\\u000a, 4\\u0085)');
    const descr = written('found-descr.npy', joinNpy(1, "{'descr': '<f4\n\u001b[31m', 'fortran_order': False, 'shape': (3, 4), }", new Uint8Array(48)));
    expectRefused(() => loadNpy(descr), [descr], "dtype '<f4\\u000a\\u001b[31m' is not supported");
  });

  it('NPY: a dimension beyond 2^53 beside a 0 is refused, not rounded (once read as 9007199254740992 x 0)', () => {
    const path = written('found-rounded.npy', joinNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (9007199254740993, 0), }", new Uint8Array(0)));
    expectRefused(() => loadNpy(path), [path], 'NPY shape (9007199254740993, 0) has a dimension beyond 2^53 - 1');
  });

  it('NPY: 0 examples of 2^64 values each are refused (once 0 x 18446744073709552000 examples)', () => {
    // "npy: consistent shape and dtype" of shape (0, 4294967296, 4294967296), no data.
    const path = written('found-values.npy', joinNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296), }", new Uint8Array(0)));
    expectRefused(() => loadNpy(path), [path], 'shape (0, 4294967296, 4294967296) has more than 2^53 values per example');
  });

  it('IDX: 0 images of 4294967295 x 4294967295 pixels are refused (once 0 x 18446744065119617000 examples)', () => {
    const path = written('found-pixels.idx', idxFile(0x803, [0, 2 ** 32 - 1, 2 ** 32 - 1], []));
    expectRefused(() => loadIdx(path), [path], 'images of 4294967295 x 4294967295 pixels are too large');
  });

  it('CSV: a finite value beyond float32 is refused (once read as Infinity: 208 nines)', () => {
    // "csv with header and labels", a cell set to 400 nines, a column dropped, the file cut (FUZZ_SEED=2, CSV mutant 6264).
    const path = written('found-float32.csv', new TextEncoder().encode(`a,b,label\n0,1,${'9'.repeat(208)}`));
    expectRefused(() => loadCsv(path), [path], `line 2, column 3 ("label"): "${'9'.repeat(60)}"... is beyond the float32 range (about 3.4e38)`);
    const edge = written('float32-edge.csv', new TextEncoder().encode('3.4028234e38,-3.4028234e38\n1e39,0\n'));
    expectRefused(() => loadCsv(edge), [edge], 'line 2, column 1: "1e39" is beyond the float32 range');
  });

  it('model files: softmax:K or binomial:N of a 400-digit K or N (Infinity) is a UserError', () => {
    const bytes = withMetadata(encodeModel(DBM.create(engine, { sizes: [4, 3, 2], seed: 2 })), 'hidden', `softmax:${'9'.repeat(400)}`);
    expectRefused(() => decodeModel(engine, bytes, SOURCE), [SOURCE], 'softmax groups need K from 2 to 65536');
  });

  // unitType built binomial:N's table of log C(N, x) in O(N^2) time: binomial:100000000 ran for hours.
  it('model files: binomial:N of a huge N is refused at once', () => {
    const rbm = RBM.create(engine, { nVisible: 4, nHidden: 3, visible: 'binomial:3', hidden: 'binomial:3' });
    const bytes = withMetadata(encodeModel(rbm), 'hidden', 'binomial:100000000');
    const started = performance.now();
    expectRefused(() => decodeModel(engine, bytes, SOURCE), [SOURCE], 'binomial units need N from 2 to 65536 trials');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
