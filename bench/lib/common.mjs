// What the benchmarks share: the machine's CPU load, waiting for quiet, medians, flags, the Python peers.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Busy and total CPU ticks of the whole machine so far (Linux /proc/stat), or undefined elsewhere. */
export function cpuTicks() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/**
 * The share of all cores that processes other than ours used between two cpuTicks readings, given the CPU
 * seconds we used meanwhile (ticks are 1/100 s, USER_HZ, per core); null when unknown.
 */
export function othersShare(before, after, ownCpuSeconds) {
  if (before === undefined || after === undefined || !(ownCpuSeconds >= 0)) return null;
  const total = after.total - before.total;
  if (total <= 0) return null;
  return Math.max(0, (after.busy - before.busy - ownCpuSeconds * 100) / total);
}

/** Wait (up to `seconds`) until the CPUs are under 15% busy over half a second. */
export function waitForIdle(seconds) {
  const deadline = performance.now() + seconds * 1000;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const a = cpuTicks();
    if (a === undefined) return;
    Atomics.wait(sleeper, 0, 0, 500);
    const b = cpuTicks();
    if ((b.busy - a.busy) / Math.max(1, b.total - a.total) < 0.15 || performance.now() >= deadline) return;
  }
}

/** x as a percentage, '?' when unknown. */
export function pct(x) {
  return x === null || !Number.isFinite(x) ? '?' : `${(100 * x).toFixed(0)}%`;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The integer value of flag --name, at least `min`; anything else ends the bench with a one-line error. */
export function positiveInt(name, text, min = 1) {
  const x = Number(text);
  if (!(Number.isInteger(x) && x >= min)) {
    process.stderr.write(`bench: --${name} must be an integer >= ${min}, got '${text}'\n`);
    process.exit(1);
  }
  return x;
}

/** Print the `//` comment lines at the top of the script at `url` (its help) and exit. */
export function printHelpAndExit(url) {
  const header = readFileSync(fileURLToPath(url), 'utf8').split('\n').filter((l) => l.startsWith('//'));
  console.log(header.map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}

/**
 * The Python interpreter for the peers: `given` (--python or $BOLTZMANN_PYTHON) or the first of
 * /usr/bin/python3 (where Debian's python3-sklearn and python3-torch land) and python3 that has the most of
 * `modules`. Returns { path, modules: those it has } or { path: undefined, why }.
 */
export function findPython(given, modules) {
  const candidates = given !== undefined && given !== '' ? [given] : ['/usr/bin/python3', 'python3'];
  const probe = `import importlib.util as u, json; print(json.dumps([m for m in ${JSON.stringify(modules)} if u.find_spec(m)]))`;
  let best;
  for (const path of candidates) {
    const r = spawnSync(path, ['-c', probe], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const found = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (best === undefined || found.length > best.modules.length) best = { path, modules: found };
  }
  if (best === undefined) return { path: undefined, why: `no Python interpreter found (tried ${candidates.join(', ')}; set BOLTZMANN_PYTHON)` };
  return best;
}

/** As findPython, but only an interpreter with every one of `modules` will do; otherwise { path: undefined, why }. */
export function pythonWith(given, modules) {
  const best = findPython(given, modules);
  if (best.path === undefined || best.modules.length === modules.length) return best;
  return { path: undefined, why: `no Python with ${modules.join(' and ')} (${best.path} has ${best.modules.join(', ') || 'none'}; set BOLTZMANN_PYTHON, or apt-get install the Debian python3- packages)` };
}
