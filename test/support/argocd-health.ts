// Runs an Argo CD health check (a Lua script) on a Kubernetes object with a real Lua interpreter:
// Debian's lua5.4, or gopher-lua configured as Argo CD runs it (sandbox/gitops/argocd-health).
import { spawnSync } from 'node:child_process';
import { debianProgram, ensureBinaries } from '../../sandbox/binaries/binaries.ts';

export type LuaInterpreter = 'lua5.4' | 'gopher-lua';
export interface Health {
  status: string;
  message: string;
}

/**
 * The health `script` gives `object`. With lua5.4 the script runs in an environment that holds what
 * Argo CD opens for a script of argocd-cm (base functions, table, os.time and os.date; no string, io
 * or math library); gopher-lua runs it exactly as Argo CD does.
 */
export async function argocdHealth(interpreter: LuaInterpreter, scriptPath: string, object: unknown): Promise<Health> {
  if (interpreter === 'gopher-lua') {
    const { 'argocd-health': binary } = await ensureBinaries(['argocd-health']);
    const run = spawnSync(binary!, [scriptPath], { input: JSON.stringify(object), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`argocd-health ${scriptPath} failed: ${run.stderr}`);
    const health = JSON.parse(run.stdout) as Partial<Health>;
    return { status: health.status ?? '', message: health.message ?? '' };
  }
  const { 'lua5.4': unpacked } = await ensureBinaries(['lua5.4']);
  const lua = debianProgram(unpacked!, 'lua5.4');
  const harness = `
local obj = ${luaLiteral(object)}
local env = { obj = obj, assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  print = print, rawequal = rawequal, rawget = rawget, rawset = rawset, select = select, setmetatable = setmetatable,
  getmetatable = getmetatable, tonumber = tonumber, tostring = tostring, type = type, unpack = table.unpack,
  table = table, os = { time = os.time, date = os.date } }
local hs = assert(loadfile(arg[1], "t", env))()
io.write(tostring(hs.status), "\\n", hs.message == nil and "" or tostring(hs.message))
`;
  const run = spawnSync(lua.path, ['-', scriptPath], { input: harness, encoding: 'utf8', env: lua.env });
  if (run.status !== 0) throw new Error(`lua5.4 ${scriptPath} failed: ${run.stderr}`);
  const newline = run.stdout.indexOf('\n');
  return { status: run.stdout.slice(0, newline), message: run.stdout.slice(newline + 1) };
}

/** A Lua table constructor for decoded JSON (null is nil, as Argo CD converts it). */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return luaString(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaString(k)}] = ${luaLiteral(v)}`).join(', ')}}`;
}

/** A quoted Lua string: bytes other than printable ASCII as decimal escapes, so any UTF-8 text round-trips. */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}
