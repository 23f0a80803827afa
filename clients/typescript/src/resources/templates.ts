import { execute, type RequestOptions } from '../call.js'
import { type TemplateUpload, templateForm } from '../multipart.js'
import { Paginator } from '../pagination.js'
import type { ListQuery, Template } from '../types.js'
import { formBody, type ResourceContext } from './context.js'

/** Templates: a PDF with signer roles, placements resolved once; documents are sent from them. */
export class Templates {
  constructor(private readonly context: ResourceContext) {}

  /** `POST /v1/templates`: the PDF as a file part, `metadata` as its JSON text. */
  create(upload: Required<TemplateUpload>, options?: RequestOptions) {
    const { http, defaults } = this.context
    const form = templateForm(upload)
    return execute(
      defaults,
      'keyed',
      (init) => http.POST('/v1/templates', { body: formBody(form), ...init }),
      options,
    )
  }

  /** `GET /v1/templates/{id}`. */
  get(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      (init) => http.GET('/v1/templates/{id}', { params: { path: { id } }, ...init }),
      options,
    )
  }

  /** The caller's templates (operators: all, `owner` to filter), newest first, across pages. */
  list(query: ListQuery<'/v1/templates'> = {}, options?: RequestOptions): Paginator<Template> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/templates', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  /** `PUT /v1/templates/{id}`: a new PDF, new metadata, or both; the template becomes version + 1. */
  replace(id: string, upload: TemplateUpload, options?: RequestOptions) {
    const { http, defaults } = this.context
    const form = templateForm(upload)
    // A PUT takes no Idempotency-Key: a retry after a lost answer could add a version, so none is made.
    return execute(
      defaults,
      'unsafe',
      (init) => http.PUT('/v1/templates/{id}', { params: { path: { id } }, body: formBody(form), ...init }),
      options,
    )
  }

  /** `DELETE /v1/templates/{id}`: documents already sent from it are untouched. */
  delete(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'unsafe',
      (init) => http.DELETE('/v1/templates/{id}', { params: { path: { id } }, ...init }),
      options,
    )
  }
}
