// Shortens Nx's build output for `npm start`: a task whose result came from the cache is one line, not the
// replay of its whole log (the admin bundle's table is ~60 lines); a task that really builds streams as it runs.

const TASK_LINE = /^> nx run (\S+)(?:\s+\[([^\]]+)\])?\s*$/;
const NX_BANNER = /^ NX {2,}/;

/** A line filter with state: feed it lines in order, it returns what to print (or null). */
export function createBuildOutputFilter() {
  let replaying = false;
  return (line) => {
    const task = TASK_LINE.exec(line.trim());
    if (task) {
      replaying = Boolean(task[2] && /cache/.test(task[2]));
      return replaying ? `✔ ${task[1]} (unchanged, from the build cache)` : line;
    }
    if (NX_BANNER.test(line)) replaying = false;
    return replaying ? null : line;
  };
}

/** Runs `command` with `args`, printing its output through the filter; resolves to its exit code. */
export async function runFilteredBuild(spawn, command, args, options) {
  const filter = createBuildOutputFilter();
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pipe = (stream, out) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const shown = filter(line);
        if (shown !== null) out.write(`${shown}\n`);
      }
    });
    stream.on('end', () => rest && out.write(`${rest}\n`));
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}
