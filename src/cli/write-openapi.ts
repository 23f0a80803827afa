import { writeFile } from 'node:fs/promises'
import { generateOpenApiDocument } from '../openapi/generate.js'

// `npm run openapi`: rewrites the committed document; a test fails when it drifts from the code.
const target = new URL('../../openapi/openapi.json', import.meta.url)
await writeFile(target, await generateOpenApiDocument())
process.stdout.write(`wrote ${target.pathname}\n`)
