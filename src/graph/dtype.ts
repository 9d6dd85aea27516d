/** Element types a graph value can have, and their ONNX TensorProto.DataType numbers. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export const onnxDataType: Readonly<Record<DType, number>> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

/** A dimension: a known size, or a symbolic name (such as 'batch') fixed when the graph runs. */
export type Dim = number | string;
