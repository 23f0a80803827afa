import { execute, type RequestOptions } from '../call.js'
import { type DocumentUpload, documentForm } from '../multipart.js'
import { Paginator } from '../pagination.js'
import type { Document, DocumentFromTemplate, DocumentRevokeRequest, ListQuery } from '../types.js'
import { formBody, type ResourceContext } from './context.js'

export class Documents {
  constructor(private readonly context: ResourceContext) {}

  /** `POST /v1/documents`: the PDF as a file part, `metadata` as its JSON text. */
  upload(upload: DocumentUpload, options?: RequestOptions) {
    const { http, defaults } = this.context
    const form = documentForm(upload)
    return execute(
      defaults,
      'keyed',
      (init) => http.POST('/v1/documents', { body: formBody(form), ...init }),
      options,
    )
  }

  /** `POST /v1/documents` as JSON: a template's PDF and placements, one signer per role. */
  fromTemplate(body: DocumentFromTemplate, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(defaults, 'keyed', (init) => http.POST('/v1/documents', { body, ...init }), options)
  }

  /** `GET /v1/documents/{id}`; `refresh` asks Privy now. */
  get(id: string, query: { refresh?: boolean } = {}, options?: RequestOptions) {
    const { http, defaults } = this.context
    const refresh = query.refresh === undefined ? undefined : query.refresh ? 'true' : 'false'
    return execute(
      defaults,
      'read',
      (init) =>
        http.GET('/v1/documents/{id}', {
          params: { path: { id }, query: refresh ? { refresh } : {} },
          ...init,
        }),
      options,
    )
  }

  /**
   * The documents the caller uploaded or signs, across pages; `{awaiting: 'me'}`: those waiting for
   * the caller's signature now; operators filter by `owner`, `status`, dates, `reference_number`.
   */
  list(query: ListQuery<'/v1/documents'> = {}, options?: RequestOptions): Paginator<Document> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/documents', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  /** Privy's signer history merged with the gateway's own events, oldest first. */
  history(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      (init) => http.GET('/v1/documents/{id}/history', { params: { path: { id } }, ...init }),
      options,
    )
  }

  /**
   * `POST /v1/documents/{id}/revoke`, while not every signer has signed (ConflictError after); a
   * `reason` is kept in the history with who revoked.
   */
  revoke(id: string, body: DocumentRevokeRequest = {}, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'keyed',
      (init) =>
        http.POST('/v1/documents/{id}/revoke', {
          params: { path: { id } },
          ...(body.reason === undefined ? {} : { body }),
          ...init,
        }),
      options,
    )
  }

  /** The signed PDF's bytes, once the document is `completed` (ConflictError before). */
  signedPdf(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      async (init) => {
        const answer = await http.GET('/v1/documents/{id}/signed.pdf', {
          params: { path: { id } },
          parseAs: 'arrayBuffer',
          ...init,
        })
        const data = answer.data === undefined ? undefined : new Uint8Array(answer.data)
        return { data, error: answer.error, response: answer.response }
      },
      options,
    )
  }
}
