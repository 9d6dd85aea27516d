import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A seeded stream of random numbers on the host (xoroshiro128+): weight initialisation, shuffling,
 * stochastic binarisation. Same seed, same numbers, on every platform. Randomness inside graphs comes from
 * graph seeds instead (see `graphSeed`).
 */
export class RandomStream {
  private readonly rng: RandomGenerator;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  /** A float uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.rng);
  }

  /** An integer uniform in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  /** A standard normal variate (Box-Muller, the second value of each pair kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u = 1 - this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** A uniformly random permutation of 0 .. n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** `count` indices drawn uniformly from 0 .. n-1, with replacement (e.g. random rows of a data set). */
  indices(count: number, n: number): Int32Array {
    return Int32Array.from({ length: count }, () => this.int(0, n - 1));
  }

  /** One Bernoulli draw of each probability in `p`: 1 with probability p_i, else 0. */
  bernoulli(p: ArrayLike<number>): Float32Array {
    return Float32Array.from(p, (q) => (this.uniform() < q ? 1 : 0));
  }

  /** A fresh 31-bit seed drawn from this stream, to seed a child stream or a graph. */
  seed(): number {
    return this.int(1, 0x7fffffff);
  }
}
