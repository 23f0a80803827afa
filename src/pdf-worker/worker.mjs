// The entry of every PDF worker thread (see pool.ts), plain JavaScript so that Node can start it on its
// own: a worker thread does not inherit the TypeScript support of whatever started the process.
// Compiled (`npm run build`, then `node dist/server.js`) the task sits next to this file as .js; from
// source (`npm start` under tsx, or vitest) it is .ts, loaded through tsx's API, which is a dev
// dependency and so never needed where dist/ runs.
import { existsSync } from 'node:fs'

const compiled = new URL('./inspect-task.js', import.meta.url)
const task = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('tsx/esm/api')).tsImport('./inspect-task.ts', import.meta.url)

export default task.default
