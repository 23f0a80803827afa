import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BACKGROUND_TRANSACTION } from '../../src/db/background-transaction.js'
import type { Database } from '../../src/db/database.js'
import { type DocumentEventData, recordWebhookEvent } from '../../src/modules/webhooks/webhooks.outbox.js'

/** One request as a merchant's receiver saw it: the raw body, as signatures are over raw bytes. */
export interface ReceivedWebhook {
  path: string
  headers: Record<string, string>
  body: string
  /** What the receiver answered (0: it reset or never answered). */
  status: number
}

/** How the receiver answers one request: a status, or a misbehaviour. */
export type Answer =
  | number
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'reset'
  | 'hang'

export interface WebhookReceiver {
  url: string
  received: ReceivedWebhook[]
  /** Requests carrying this webhook-id, in arrival order. */
  byId(webhookId: string): ReceivedWebhook[]
  answer: (request: ReceivedWebhook, earlierWithSameId: number) => Answer | Promise<Answer>
  close(): Promise<void>
}

/** A real merchant receiver on a socket of its own; `answer` decides each reply. */
export async function startWebhookReceiver(
  answer: WebhookReceiver['answer'] = () => 204,
): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>()
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    byId: (webhookId) => receiver.received.filter((entry) => entry.headers['webhook-id'] === webhookId),
    answer,
    close: async () => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value
    }
    const entry: ReceivedWebhook = {
      path: request.url ?? '',
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      status: 0,
    }
    const earlier = receiver.byId(headers['webhook-id'] ?? '').length
    receiver.received.push(entry)
    const reply = await receiver.answer(entry, earlier)
    if (reply === 'reset') {
      request.socket.destroy()
      return
    }
    if (reply === 'hang') {
      hanging.add(response)
      return
    }
    const { status, body, headers: extra } = typeof reply === 'number' ? { status: reply } : reply
    entry.status = status
    response.writeHead(status, { 'content-type': 'text/plain', ...extra })
    response.end(body ?? '')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return receiver
}

/** Writes `count` document.updated events to the outbox, each in its own transaction; returns their ids. */
export async function recordDocumentEvents(database: Database, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let index = 0; index < count; index++) {
    const id = randomUUID()
    const data: DocumentEventData = {
      id,
      reference_number: `DOC-${id.replaceAll('-', '').toUpperCase()}`,
      status: 'processing',
      submission: 'submitted',
      signers: [{ privy_id: 'PRIVY01', role: 'signer', status: 'waiting', signed_at: null }],
      updated_at: new Date().toISOString(),
    }
    ids.push(
      await database.prisma.$transaction(
        (tx) =>
          recordWebhookEvent(
            tx,
            { type: 'document.updated', resourceId: id, audience: [], data },
            new Date(),
          ),
        // Four writers share the test's small pool with two dispatchers: wait for a connection as
        // the gateway's own background writes do, rather than fail on a busy machine.
        BACKGROUND_TRANSACTION,
      ),
    )
  }
  return ids
}
