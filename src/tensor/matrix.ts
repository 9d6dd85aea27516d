/**
 * A host-side row-major float32 matrix: `rows` x `cols` values in `data`, row r at data[r*cols .. (r+1)*cols).
 * The unit of exchange between data loaders, models and the engine (examples x features, chains x units).
 */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** A matrix over `data`, checking that its length is rows * cols. */
export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  if (data.length !== rows * cols) {
    throw new Error(`matrix: ${data.length} values cannot be ${rows} x ${cols}`);
  }
  return { data, rows, cols };
}

/** A rows x cols matrix of zeros. */
export function zeros(rows: number, cols: number): Matrix {
  return { data: new Float32Array(rows * cols), rows, cols };
}

/** Rows `start` (inclusive) to `end` (exclusive) of m, sharing its buffer. */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return { data: m.data.subarray(start * m.cols, end * m.cols), rows: end - start, cols: m.cols };
}

/** The rows of m at `indices`, in that order, copied into a new matrix. */
export function gatherRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return { data: out, rows: indices.length, cols: m.cols };
}

/** Columns `start` (inclusive) to `end` (exclusive) of every row of m, copied: [rows, end - start]. */
export function sliceColumns(m: Matrix, start: number, end: number): Matrix {
  const cols = end - start;
  const out = new Float32Array(m.rows * cols);
  for (let r = 0; r < m.rows; r++) out.set(m.data.subarray(r * m.cols + start, r * m.cols + end), r * cols);
  return { data: out, rows: m.rows, cols };
}

/** The matrices side by side, each row the rows of `parts` joined in order: [rows, sum of their cols]; all have the same rows. */
export function joinColumns(...parts: Matrix[]): Matrix {
  const rows = parts[0].rows;
  if (parts.some((m) => m.rows !== rows)) throw new Error(`joinColumns: matrices of ${parts.map((m) => m.rows).join(', ')} rows`);
  const cols = parts.reduce((sum, m) => sum + m.cols, 0);
  const out = new Float32Array(rows * cols);
  for (let r = 0, at = 0; r < rows; r++) {
    for (const m of parts) {
      out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), at);
      at += m.cols;
    }
  }
  return { data: out, rows, cols };
}

/** The mean of each column of m, summed in float64: [cols]. */
export function columnMeans(m: Matrix): Float64Array {
  const sum = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) sum[j] += m.data[r * m.cols + j];
  return sum.map((s) => s / m.rows);
}
