import { Agent, type Dispatcher } from 'undici'
import type { ClientCore } from './attempt.js'
import { LateAnswerRegistry } from './late-answers.js'
import { type PrivyClientOptions, resolveOptions } from './options.js'
import { createRequester } from './request.js'
import { createDocumentsResource, type DocumentsResource } from './resources/documents.js'
import { createRegistrationsResource, type RegistrationsResource } from './resources/registrations.js'
import { createTokenManager } from './token.js'

export interface PrivyClient {
  registrations: RegistrationsResource
  documents: DocumentsResource
  /** A valid access token (cached or freshly fetched); for the gateway's readiness check. */
  getAccessToken(): Promise<string>
  /**
   * Aborts the requests still waiting for a late answer (their `onLateAnswer` is never called) and
   * waits for late-answer callbacks already running; calls still within their deadline finish. Then
   * closes the client's own connection pool; an injected dispatcher is left to its owner.
   */
  close(): Promise<void>
}

export function createPrivyClient(options: PrivyClientOptions): PrivyClient {
  const resolved = resolveOptions(options)
  const ownsDispatcher = options.dispatcher === undefined
  const dispatcher: Dispatcher =
    options.dispatcher ?? createAgent(resolved.connectTimeoutMs, resolved.timeoutMs)
  const late = new LateAnswerRegistry((error, answer) =>
    resolved.onLateAnswerError?.(error, answer.operation),
  )
  const core: ClientCore = { options: resolved, dispatcher, late }
  const tokens = createTokenManager(core)
  const request = createRequester(core, tokens)
  let closing: Promise<void> | undefined

  return {
    registrations: createRegistrationsResource(request, resolved.channelId),
    documents: createDocumentsResource(request, resolved),
    getAccessToken: () => tokens.get(),
    close() {
      closing ??= Promise.all([core.late.close(), ownsDispatcher ? dispatcher.close() : undefined]).then(
        () => undefined,
      )
      return closing
    },
  }
}

function createAgent(connectTimeoutMs: number, timeoutMs: number): Agent {
  // undici follows no redirects unless a redirect interceptor is composed in; none is, on purpose.
  return new Agent({
    connect: { timeout: connectTimeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  })
}
