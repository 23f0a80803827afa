import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg'
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg'

/** Passed to every engine command: nothing in this project is managed outside schema.prisma. */
export const NO_EXTERNAL_ENTITIES = { externalTables: [], externalEnums: [] }

export interface SchemaFile {
  path: string
  content: string
}

// tsconfig has no DOM lib, so the WebAssembly global is untyped; this is the slice used here.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>
}

// The package's entry point imports the .wasm as an ES module, which only bundlers understand. The
// bindings module keeps one module-level instance, so it is instantiated once per process and shared by
// every engine.
let loaded: Promise<typeof bindings> | undefined

function loadBindings(): Promise<typeof bindings> {
  loaded ??= instantiate().catch((error: unknown) => {
    loaded = undefined
    throw error
  })
  return loaded
}

async function instantiate(): Promise<typeof bindings> {
  const require = createRequire(import.meta.url)
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'))
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings })
  bindings.__wbg_set_wasm(instance.exports)
  const start = instance.exports.__wbindgen_start
  if (typeof start !== 'function') throw new Error('@prisma/schema-engine-wasm: __wbindgen_start missing')
  start()
  return bindings
}

export async function schemaEngineVersion(): Promise<string> {
  return (await loadBindings()).version()
}

/**
 * Runs `work` with a fresh engine bound to `adapterFactory`, and frees the engine afterwards. Applying
 * migrations needs no schema. The engine's log lines are dropped: its errors arrive as rejections
 * carrying the same text.
 */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadBindings()
  const engine = await SchemaEngine.new(
    { datamodels: schema ? [[schema.path, schema.content]] : undefined },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  )
  try {
    return await work(engine)
  } finally {
    engine.free()
  }
}
