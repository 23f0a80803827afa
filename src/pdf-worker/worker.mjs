// The entry of every PDF worker thread (see pool.ts), plain JavaScript so that Node can start it on its
// own: a worker thread does not inherit the TypeScript support of whatever started the process.
// Compiled (`npm run build`, then `node dist/server.js`) the tasks sit next to this file as .js; from
// source (`npm start` under tsx, or vitest) they are .ts, loaded through tsx's API, which is a dev
// dependency and so never needed where dist/ runs. The default export inspects a PDF; `findText`
// (piscina's `name` option) searches it for text tags.
import { existsSync } from 'node:fs'

const compiled = existsSync(new URL('./inspect-task.js', import.meta.url))
const load = async (name) =>
  compiled
    ? await import(new URL(`./${name}.js`, import.meta.url).href)
    : await (await import('tsx/esm/api')).tsImport(`./${name}.ts`, import.meta.url)

const inspect = await load('inspect-task')
const text = await load('text-task')

export default inspect.default
export const findText = text.default
