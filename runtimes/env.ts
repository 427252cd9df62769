/**
 * Environment variables on any runtime, for defaults taken from the environment (provider
 * credentials, key lists): Node's and Bun's `process.env`, Deno's `Deno.env` (with `--allow-env`).
 * Undefined where the runtime has neither, as in a worker. Deno without `--allow-env` throws, which
 * says what is missing better than a silently unset variable.
 */
interface MaybeRuntimeGlobals {
  process?: { env?: Record<string, string | undefined> };
  Deno?: { env: { get(name: string): string | undefined } };
}

export function readEnv(name: string): string | undefined {
  const g = globalThis as MaybeRuntimeGlobals;
  return g.process?.env?.[name] ?? g.Deno?.env.get(name);
}
