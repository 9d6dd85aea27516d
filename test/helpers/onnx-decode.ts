/**
 * Read back the parts of a serialised ONNX model that graph tests inspect, with a schema written
 * independently of src/graph/onnx-proto.ts (field numbers from onnx/onnx.proto).
 */
import protobuf from 'protobufjs';

const schema = {
  nested: {
    ModelProto: {
      fields: {
        irVersion: { type: 'int64', id: 1 },
        opsetImport: { rule: 'repeated', type: 'OpsetId', id: 8 },
        graph: { type: 'GraphProto', id: 7 },
      },
    },
    OpsetId: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        opType: { type: 'string', id: 4 },
        attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
      },
    },
    AttributeProto: { fields: { name: { type: 'string', id: 1 }, f: { type: 'float', id: 2 }, i: { type: 'int64', id: 3 } } },
    TensorProto: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        name: { type: 'string', id: 8 },
      },
    },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'TensorType', id: 1 } } },
    TensorType: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
    Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
};

const modelType = protobuf.Root.fromJSON(schema).lookupType('ModelProto');

export interface DecodedValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** The declared dims (numbers or symbolic names); undefined when the shape field is absent. */
  readonly shape: (number | string)[] | undefined;
}

export interface DecodedNode {
  readonly opType: string;
  readonly input: string[];
  readonly output: string[];
  readonly attributes: Record<string, number>;
}

export interface DecodedModel {
  readonly opset: number;
  readonly graphName: string;
  readonly nodes: DecodedNode[];
  readonly initializers: string[];
  readonly inputs: DecodedValueInfo[];
  readonly outputs: DecodedValueInfo[];
}

interface RawDim {
  dimValue?: number;
  dimParam?: string;
}
interface RawValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: RawDim[] } } };
}
interface RawModel {
  opsetImport?: { domain?: string; version: number }[];
  graph: {
    name?: string;
    node?: { opType: string; input?: string[]; output?: string[]; attribute?: { name: string; f?: number; i?: number }[] }[];
    initializer?: { name: string }[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
  };
}

function valueInfo(v: RawValueInfo): DecodedValueInfo {
  const t = v.type?.tensorType;
  return {
    name: v.name,
    elemType: t?.elemType ?? 0,
    shape: t?.shape === undefined ? undefined : (t.shape.dim ?? []).map((d) => d.dimParam ?? d.dimValue ?? '?'),
  };
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const raw = modelType.toObject(modelType.decode(bytes), { longs: Number, defaults: false }) as RawModel;
  return {
    opset: raw.opsetImport?.find((o) => (o.domain ?? '') === '')?.version ?? 0,
    graphName: raw.graph.name ?? '',
    nodes: (raw.graph.node ?? []).map((n) => ({
      opType: n.opType,
      input: n.input ?? [],
      output: n.output ?? [],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name, a.f ?? a.i ?? NaN])),
    })),
    initializers: (raw.graph.initializer ?? []).map((t) => t.name),
    inputs: (raw.graph.input ?? []).map(valueInfo),
    outputs: (raw.graph.output ?? []).map(valueInfo),
  };
}
