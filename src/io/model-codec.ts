/**
 * Model files of every kind as bytes, through one registry of codecs by kind (metadata `kind`, absent: "rbm"):
 * what the CLI and the viewer open without knowing the kind. Bytes only: no file system (the browser reads it).
 * A new kind of model adds its codec here.
 */
import { UserError } from '../errors.js';
import type { ClassRBM } from '../models/class-rbm.js';
import type { DBM } from '../models/dbm.js';
import type { DBN } from '../models/dbn.js';
import type { GatedRBM } from '../models/gated-rbm.js';
import type { ModelKind } from '../models/model.js';
import type { MpDBM } from '../models/mp-dbm.js';
import type { RBM } from '../models/rbm.js';
import { quoted } from '../quote.js';
import type { Engine } from '../runtime/engine.js';
import { decodeClassRbm, encodeClassRbm } from './class-rbm-codec.js';
import { decodeDbm, encodeDbm } from './dbm-codec.js';
import { decodeDbn, encodeDbn } from './dbn-codec.js';
import { decodeGatedRbm, encodeGatedRbm } from './gated-rbm-codec.js';
import { decodeModelFile, type ModelMetadata } from './model-tensors.js';
import { decodeMpDbm, encodeMpDbm } from './mp-dbm-codec.js';
import { decodeRbm, encodeRbm } from './rbm-codec.js';

/** The model class of each kind. */
export interface ModelOfKind {
  rbm: RBM;
  dbn: DBN;
  dbm: DBM;
  'class-rbm': ClassRBM;
  'gated-rbm': GatedRBM;
  'mp-dbm': MpDBM;
}

/** A model of any kind the library reads and writes. */
export type AnyModel = ModelOfKind[ModelKind];

/** A decoded model file: the model (of kind K) and its metadata. */
export interface ModelFile<K extends ModelKind = ModelKind> {
  readonly model: ModelOfKind[K];
  readonly metadata: ModelMetadata;
}

interface Codec<M> {
  encode(model: M, extra: ModelMetadata): Uint8Array;
  decode(engine: Engine, bytes: Uint8Array, source: string): { readonly model: M; readonly metadata: ModelMetadata };
}

const codecs: { readonly [K in ModelKind]: Codec<ModelOfKind[K]> } = {
  rbm: {
    encode: encodeRbm,
    decode: (engine, bytes, source) => {
      const { rbm, metadata } = decodeRbm(engine, bytes, source);
      return { model: rbm, metadata };
    },
  },
  dbn: {
    encode: encodeDbn,
    decode: (engine, bytes, source) => {
      const { dbn, metadata } = decodeDbn(engine, bytes, source);
      return { model: dbn, metadata };
    },
  },
  dbm: {
    encode: encodeDbm,
    decode: (engine, bytes, source) => {
      const { dbm, metadata } = decodeDbm(engine, bytes, source);
      return { model: dbm, metadata };
    },
  },
  'class-rbm': { encode: encodeClassRbm, decode: decodeClassRbm },
  'gated-rbm': { encode: encodeGatedRbm, decode: decodeGatedRbm },
  'mp-dbm': { encode: encodeMpDbm, decode: decodeMpDbm },
};

/** `model` as safetensors bytes, by the codec of its kind, with the metadata `extra`. */
export function encodeModel(model: AnyModel, extra: ModelMetadata = {}): Uint8Array {
  return (codecs[model.kind] as Codec<AnyModel>).encode(model, extra);
}

/** The model in safetensors `bytes` read from `source` (for messages), by the codec of its `kind` metadata. */
export function decodeModel(engine: Engine, bytes: Uint8Array, source: string): ModelFile {
  const kind = decodeModelFile(bytes, source).metadata.kind ?? 'rbm';
  if (!Object.hasOwn(codecs, kind)) throw new UserError(`${source}: a ${quoted(kind)} model; this library reads ${Object.keys(codecs).join(', ')} files`);
  return codecs[kind as ModelKind].decode(engine, bytes, source);
}

/** The model of kind `kind` in `bytes`; a UserError naming `source` when the file holds another kind. */
export function decodeModelOf<K extends ModelKind>(engine: Engine, bytes: Uint8Array, source: string, kind: K): ModelFile<K> {
  return codecs[kind].decode(engine, bytes, source);
}
