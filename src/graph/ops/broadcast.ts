import type { Dim } from '../dtype.js';

/**
 * The shape of an element-wise result under numpy broadcasting: align trailing dims; equal dims stay, a 1
 * takes the other. Unknown when either shape is unknown or two symbolic dims differ.
 */
export function broadcastShapes(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): Dim[] | undefined {
  if (a === undefined || b === undefined) return undefined;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (typeof x === 'number' && typeof y === 'number') {
      throw new Error(`cannot broadcast shapes [${a.join(', ')}] and [${b.join(', ')}]`);
    } else return undefined;
  }
  return out;
}
