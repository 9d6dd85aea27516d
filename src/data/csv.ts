import { CsvError, parse } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import { escaped, quoted } from '../quote.js';
import type { Dataset } from './dataset.js';
import { parseDecimal } from './parse-number.js';
import { readDataFile } from './read-file.js';

/** Options of `loadCsv`. */
export interface CsvOptions {
  /**
   * The column holding integer class labels (0, 1, 2, ...), taken out of the features: a header name, or a
   * 0-based column index (negative counts from the end: -1 is the last column). Default: no labels.
   */
  labelColumn?: string | number;
}

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** What an error in a first row of numbers and text adds: why it was not taken as a header. */
const HEADER_HINT = ' (the first row mixes numbers and text: a header row holds no numbers)';

/** Whether a field reads as a number, finite or not (a first row holding one of these is data, not a header). */
const isNumberLike = (field: string): boolean => !Number.isNaN(parseDecimal(field)) || NON_FINITE.test(field);

/** Comma-separated records with the (1-based) line each ends on; a malformed file is a UserError. */
function readRecords(path: string): { records: string[][]; lines: number[] } {
  const lines: number[] = [];
  try {
    const records = parse(readDataFile(path), {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], context) => {
        lines.push(context.lines);
        return record;
      },
    });
    return { records, lines };
  } catch (e) {
    if (e instanceof CsvError) throw new UserError(`${path}: ${escaped(e.message)}`);
    throw e;
  }
}

/** The 0-based index of the label column in rows of `width` fields. */
function resolveLabelColumn(
  path: string,
  column: string | number,
  header: string[] | undefined,
  width: number,
): number {
  if (typeof column === 'string') {
    if (header === undefined) {
      throw new UserError(`${path}: label column ${quoted(column)} given by name, but the file has no header row`);
    }
    const index = header.indexOf(column);
    if (index < 0) {
      throw new UserError(`${path}: no column named ${quoted(column)} (columns: ${header.map(quoted).join(', ')})`);
    }
    return index;
  }
  if (!Number.isInteger(column) || column < -width || column >= width) {
    throw new UserError(`${path}: label column ${column} does not exist (the file has ${width} columns)`);
  }
  return column < 0 ? width + column : column;
}

/**
 * A numeric CSV file (comma-separated, gzipped or not): one example per row, one feature per column.
 * The first row is a header when none of its fields reads as a number (NaN and Infinity count as numbers);
 * a first row with a number among its fields is data, so a first row mixing numbers and text is an error
 * naming its text field, never a header dropped in silence. With `labelColumn`, that column holds integer
 * class labels and the other columns are the features. Shapes: examples nRows x nFeatures, labels nRows.
 * Ragged rows, non-numeric, NaN or infinite values, values beyond float32's range (which would become
 * infinite) and files without data rows are UserErrors naming the file, the line and the (1-based) column, the
 * file's text quoted.
 */
export function loadCsv(path: string, options: CsvOptions = {}): Dataset {
  const { records, lines } = readRecords(path);
  if (records.length === 0) throw new UserError(`${path}: empty CSV file (no data rows)`);
  const width = records[0].length;
  const header = records[0].some(isNumberLike) ? undefined : records[0];
  const first = header === undefined ? 0 : 1;
  const rows = records.length - first;
  if (rows === 0) throw new UserError(`${path}: no data rows after the header`);
  const labelIndex =
    options.labelColumn === undefined ? -1 : resolveLabelColumn(path, options.labelColumn, header, width);
  const cols = labelIndex < 0 ? width : width - 1;
  if (cols === 0) throw new UserError(`${path}: no feature columns besides the label column`);

  const data = new Float32Array(rows * cols);
  const labels = new Int32Array(labelIndex < 0 ? 0 : rows);
  for (let r = 0; r < rows; r++) {
    const record = records[first + r];
    const line = lines[first + r];
    if (record.length !== width) {
      throw new UserError(
        `${path}: line ${line} has ${record.length} fields, expected ${width} (as on line ${lines[0]})`,
      );
    }
    const fail = (k: number, problem: string): never => {
      const name = header === undefined ? '' : ` (${quoted(header[k])})`;
      throw new UserError(`${path}: line ${line}, column ${k + 1}${name}: ${problem}`);
    };
    let c = 0;
    for (let k = 0; k < width; k++) {
      const field = record[k];
      if (field === '') fail(k, 'empty field (missing value)');
      const value = parseDecimal(field);
      if (!Number.isFinite(value)) {
        fail(k, isNumberLike(field) ? `${quoted(field)} is not a finite number` : `${quoted(field)} is not a number${r === 0 && first === 0 ? HEADER_HINT : ''}`);
      }
      // Stored as float32: beyond its range (about 3.4e38) a finite number would become infinite.
      if (k !== labelIndex && !Number.isFinite(Math.fround(value))) fail(k, `${quoted(field)} is beyond the float32 range (about 3.4e38)`);
      if (k === labelIndex) {
        if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
          fail(k, `label ${quoted(field)} is not a class number (0, 1, 2, ...)`);
        }
        labels[r] = value;
      } else {
        data[r * cols + c++] = value;
      }
    }
  }
  const examples = { data, rows, cols };
  return labelIndex < 0 ? { name: path, examples } : { name: path, examples, labels };
}
