import { attributeType, encodeModelProto } from './onnx-proto.js';
import { onnxDataType, type Dim, type DType } from './dtype.js';

/** The opset of the default ONNX domain that every graph imports. */
export const OPSET = 17;

/** A node attribute: a number is a float unless wrapped with `int(...)`; arrays likewise. */
export type Attribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

export const float = (value: number): Attribute => ({ kind: 'float', value });
export const int = (value: number): Attribute => ({ kind: 'int', value });
export const ints = (value: readonly number[]): Attribute => ({ kind: 'ints', value });

/**
 * A symbolic tensor: the output of a node, a graph input or a constant. `shape` is known where the op's
 * shape rule could say it (dims may be symbolic names), undefined otherwise.
 */
export class Value {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly Dim[] | undefined,
  ) {}

  /** The number of dimensions, when the shape is known. */
  get rank(): number | undefined {
    return this.shape?.length;
  }
}

/**
 * A node as the graph stores it: op type, input and output value names ('' for an omitted input; trailing
 * omitted inputs are left out), attributes.
 */
export interface NodeDef {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

interface ConstantDef {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly bytes: Uint8Array;
}

/** What a node produces: one entry per output. */
export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: readonly Dim[] | undefined;
}

/**
 * A computation graph under construction. Ops (src/graph/ops) add nodes through `node`; inputs, constants
 * and outputs are declared here; `toOnnx` serialises the whole as an ONNX model.
 *
 * Randomness: each random node takes a distinct seed from `nextSeed`, derived from the graph's `seed`, so a
 * graph built twice with the same seed draws the same streams, and two random nodes never share one.
 */
export class Graph {
  private readonly nodes: NodeDef[] = [];
  private readonly constants: ConstantDef[] = [];
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly names = new Set<string>();
  /** Node outputs renamed to graph output names at serialisation. */
  private readonly aliases = new Map<string, string>();
  /** Every input, constant and node output by name (for graph transformations such as autodiff). */
  private readonly values = new Map<string, Value>();
  private seedCounter = 0;

  constructor(
    readonly name: string,
    readonly seed = 0,
  ) {}

  /** A graph input named `name` (the feed key at run time). */
  input(name: string, dtype: DType, shape: readonly Dim[]): Value {
    const v = new Value(this, this.claim(name), dtype, shape);
    this.inputs.push(v);
    this.values.set(v.name, v);
    return v;
  }

  /** A constant tensor stored in the graph (an ONNX initializer). A number gives a scalar. */
  constant(values: number | readonly number[] | Float32Array, dtype: DType = 'float32', dims?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : Array.from(values);
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    const bytes = encodeValues(list, dtype);
    const name = this.fresh('const');
    this.constants.push({ name, dtype, dims: shape, bytes });
    const v = new Value(this, name, dtype, shape);
    this.values.set(name, v);
    return v;
  }

  /** Add a node of type `opType`; returns its outputs, named fresh from the op type. */
  node(
    opType: string,
    inputs: readonly (Value | undefined)[],
    outputs: readonly OutputSpec[],
    attributes: Readonly<Record<string, Attribute>> = {},
  ): Value[] {
    for (const v of inputs) {
      if (v !== undefined && v.graph !== this) throw new Error(`${opType}: input ${v.name} belongs to another graph`);
    }
    const values = outputs.map((o) => new Value(this, this.fresh(opType.toLowerCase()), o.dtype, o.shape));
    for (const v of values) this.values.set(v.name, v);
    // Omitted optional inputs are '' in the node; trailing ones are left out altogether (valid ONNX for every
    // op, and onnxruntime-web's WebGPU kernels reject a trailing '', e.g. Gemm's C).
    let count = inputs.length;
    while (count > 0 && inputs[count - 1] === undefined) count--;
    this.nodes.push({
      opType,
      inputs: inputs.slice(0, count).map((v) => v?.name ?? ''),
      outputs: values.map((v) => v.name),
      attributes,
    });
    return values;
  }

  /**
   * Declare `value` as a graph output called `name` (the fetch key at run time). A node's output is renamed
   * (no copy); a graph input, a constant or a value already output under another name goes through Identity.
   */
  output(name: string, value: Value): void {
    if (value.graph !== this) throw new Error(`output ${name}: ${value.name} belongs to another graph`);
    this.claim(name);
    const producedByNode = this.nodes.some((n) => n.outputs.includes(value.name));
    if (producedByNode && !this.aliases.has(value.name)) {
      this.aliases.set(value.name, name);
    } else {
      this.nodes.push({ opType: 'Identity', inputs: [value.name], outputs: [name], attributes: {} });
    }
    this.outputs.push(new Value(this, name, value.dtype, value.shape));
  }

  /** The nodes added so far, in order (a topological order: a node's inputs exist before it). Read-only. */
  get nodeList(): readonly NodeDef[] {
    return this.nodes;
  }

  /** The input, constant or node output called `name`; undefined for '' (an omitted input) or an unknown name. */
  valueNamed(name: string): Value | undefined {
    return this.values.get(name);
  }

  /** The numbers of the constant called `name` (row-major), or undefined when `name` is not a constant. */
  constantNumbers(name: string): number[] | undefined {
    const c = this.constants.find((k) => k.name === name);
    return c === undefined ? undefined : decodeValues(c.bytes, c.dtype);
  }

  /** Whether the graph has random nodes (whose streams live in the compiled session). */
  get isRandom(): boolean {
    return this.seedCounter > 0;
  }

  /** A seed for the next random node: distinct per node, a float-exact integer below 2^24. */
  nextSeed(): number {
    this.seedCounter += 1;
    return mixSeed(this.seed, this.seedCounter);
  }

  /** The graph as a serialised ONNX model (IR 8, opset `OPSET`). */
  toOnnx(): Uint8Array {
    const alias = (name: string): string => this.aliases.get(name) ?? name;
    return encodeModelProto({
      irVersion: 8,
      producerName: 'boltzmann',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes.map((n, i) => ({
          name: `${n.opType}_${i}`,
          opType: n.opType,
          input: n.inputs.map(alias),
          output: n.outputs.map(alias),
          attribute: Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a)),
        })),
        initializer: this.constants.map((c) => ({
          name: c.name,
          dims: c.dims,
          dataType: onnxDataType[c.dtype],
          rawData: c.bytes,
        })),
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: the name ${name} is already used`);
    this.names.add(name);
    return name;
  }

  private fresh(prefix: string): string {
    let i = this.names.size;
    while (this.names.has(`${prefix}_${i}`)) i++;
    return this.claim(`${prefix}_${i}`);
  }
}

/** Mix a graph seed and a node counter into an integer in [1, 2^24) (exact as a float32 attribute). */
function mixSeed(seed: number, counter: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(counter, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return 1 + ((h >>> 0) % 0xfffffe);
}

function valueInfo(v: Value): object {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: onnxDataType[v.dtype],
        shape: v.shape && { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeAttribute(name: string, a: Attribute): object {
  switch (a.kind) {
    case 'float':
      return { name, type: attributeType.float, f: a.value };
    case 'int':
      return { name, type: attributeType.int, i: a.value };
    case 'floats':
      return { name, type: attributeType.floats, floats: a.value };
    case 'ints':
      return { name, type: attributeType.ints, ints: a.value };
    case 'string':
      return { name, type: attributeType.string, s: new TextEncoder().encode(a.value) };
  }
}

function decodeValues(bytes: Uint8Array, dtype: DType): number[] {
  const buffer = bytes.slice().buffer;
  switch (dtype) {
    case 'float32':
      return Array.from(new Float32Array(buffer));
    case 'float64':
      return Array.from(new Float64Array(buffer));
    case 'int32':
      return Array.from(new Int32Array(buffer));
    case 'int64':
      return Array.from(new BigInt64Array(buffer), Number);
    case 'bool':
      return Array.from(bytes);
  }
}

function encodeValues(values: readonly number[], dtype: DType): Uint8Array {
  switch (dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(values, (x) => BigInt(x)).buffer);
    case 'bool':
      return Uint8Array.from(values, (x) => (x ? 1 : 0));
  }
}
