/**
 * The peer of `npm run bench`: the Express + axios BFF a merchant would write by hand instead of the
 * gateway. It checks the caller's HS256 JWT (as any BFF must) and makes the same signed status call,
 * with no database: it trusts the id in the URL to be the reference number.
 */
import axios from 'axios'
import express from 'express'
import { jwtVerify } from 'jose'
import { fetchAccessToken, STATUS_PATHS, type StatusKind, signedStatusCall } from './upstream-call.js'

async function main() {
  const upstreamUrl = process.env.UPSTREAM_URL ?? ''
  const secret = new TextEncoder().encode(process.env.AUTH_JWT_SECRET ?? '')
  const accessToken = await fetchAccessToken(upstreamUrl)
  const app = express()
  for (const kind of Object.keys(STATUS_PATHS) as StatusKind[]) {
    app.get(`/v1/${kind}/:id`, async (req, res) => {
      try {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
        await jwtVerify(token, secret, { algorithms: ['HS256'] })
      } catch {
        res.status(401).json({ title: 'Unauthenticated' })
        return
      }
      try {
        const call = signedStatusCall(kind, req.params.id, accessToken)
        const answer = await axios.post(`${upstreamUrl}${STATUS_PATHS[kind]}`, call.body, {
          headers: call.headers,
        })
        res.json(answer.data.data)
      } catch {
        res.status(502).json({ title: 'Upstream failed' })
      }
    })
  }
  const server = app.listen(Number(process.env.PORT), '127.0.0.1')
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

await main()
