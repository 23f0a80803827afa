/**
 * The limit of `npm run bench`: a bare fastify + undici proxy that signs and forwards Privy's status
 * call and passes the answer on. No auth, no database, no validation: what any gateway must at least do.
 */
import Fastify from 'fastify'
import { Pool } from 'undici'
import { fetchAccessToken, STATUS_PATHS, type StatusKind, signedStatusCall } from './upstream-call.js'

async function main() {
  const upstreamUrl = process.env.UPSTREAM_URL ?? ''
  const accessToken = await fetchAccessToken(upstreamUrl)
  const upstream = new Pool(upstreamUrl, { connections: 128, pipelining: 1 })
  const app = Fastify({ logger: false })
  for (const kind of Object.keys(STATUS_PATHS) as StatusKind[]) {
    app.get<{ Params: { id: string } }>(`/v1/${kind}/:id`, async (request, reply) => {
      const call = signedStatusCall(kind, request.params.id, accessToken)
      const answer = await upstream.request({ path: STATUS_PATHS[kind], method: 'POST', ...call })
      const body = (await answer.body.json()) as { data: unknown }
      return reply.send(body.data)
    })
  }
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
}

await main()
