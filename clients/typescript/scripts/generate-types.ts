import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

/**
 * Turns the gateway's committed OpenAPI document into the client's types. One function serves the
 * command (`npm run client:generate`) and the drift test, which compares its output with the file.
 */

export const SPEC_URL = new URL('../../../openapi/openapi.json', import.meta.url)
export const TYPES_URL = new URL('../src/openapi-types.ts', import.meta.url)

const BANNER = `/**
 * Generated from openapi/openapi.json by \`npm run client:generate\` (openapi-typescript).
 * Do not edit: change the gateway's routes, run \`npm run openapi\`, then regenerate.
 */

`

export async function generateTypes(specText?: string): Promise<string> {
  const document = JSON.parse(specText ?? (await readFile(SPEC_URL, 'utf8')))
  const ast = await openapiTS(document, {
    // A property with a default is still optional in what a caller sends; the response schemas
    // list what they always carry in `required`.
    defaultNonNullable: false,
  })
  return BANNER + astToString(ast)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(TYPES_URL, await generateTypes())
  console.log(`wrote ${fileURLToPath(TYPES_URL)}`)
}
