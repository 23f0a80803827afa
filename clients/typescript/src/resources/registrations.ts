import { execute, type RequestOptions } from '../call.js'
import { type RegistrationResendUpload, type RegistrationUpload, registrationForm } from '../multipart.js'
import { Paginator } from '../pagination.js'
import type { ListQuery, Registration, RegistrationRequest, RegistrationResendRequest } from '../types.js'
import { formBody, type ResourceContext } from './context.js'

export class Registrations {
  constructor(private readonly context: ResourceContext) {}

  /** `POST /v1/registrations` as JSON (landing page, or images as base64). */
  create(body: RegistrationRequest, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(defaults, 'keyed', (init) => http.POST('/v1/registrations', { body, ...init }), options)
  }

  /** `POST /v1/registrations` as multipart/form-data: the KTP and selfie go as files. */
  createWithFiles(upload: RegistrationUpload, options?: RequestOptions) {
    const { http, defaults } = this.context
    const form = registrationForm(upload)
    return execute(
      defaults,
      'keyed',
      (init) => http.POST('/v1/registrations', { body: formBody(form), ...init }),
      options,
    )
  }

  /** `GET /v1/registrations/{id}`; `refresh` asks Privy now instead of using a recent copy. */
  get(id: string, query: { refresh?: boolean } = {}, options?: RequestOptions) {
    const { http, defaults } = this.context
    const refresh = query.refresh === undefined ? undefined : query.refresh ? 'true' : 'false'
    return execute(
      defaults,
      'read',
      (init) =>
        http.GET('/v1/registrations/{id}', {
          params: { path: { id }, query: refresh ? { refresh } : {} },
          ...init,
        }),
      options,
    )
  }

  /** The caller's registrations (every one, for an operator), newest first, across pages. */
  list(query: ListQuery<'/v1/registrations'> = {}, options?: RequestOptions): Paginator<Registration> {
    const { http, defaults } = this.context
    return new Paginator((cursor) =>
      execute(
        defaults,
        'read',
        (init) => http.GET('/v1/registrations', { params: { query: { ...query, cursor } }, ...init }),
        options,
      ),
    )
  }

  /** `POST /v1/registrations/{id}/resend` with only the corrected fields, as JSON. */
  resend(id: string, body: RegistrationResendRequest, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'keyed',
      (init) => http.POST('/v1/registrations/{id}/resend', { params: { path: { id } }, body, ...init }),
      options,
    )
  }

  /** `POST /v1/registrations/{id}/resend` as multipart/form-data, new images as files. */
  resendWithFiles(id: string, upload: RegistrationResendUpload, options?: RequestOptions) {
    const { http, defaults } = this.context
    const form = registrationForm(upload)
    return execute(
      defaults,
      'keyed',
      (init) =>
        http.POST('/v1/registrations/{id}/resend', {
          params: { path: { id } },
          body: formBody(form),
          ...init,
        }),
      options,
    )
  }

  /** Operators: a person's registrations by NIK (sent in the body, never in a URL). A read: retried. */
  lookup(nik: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'read',
      (init) => http.POST('/v1/registrations/lookup', { body: { nik }, ...init }),
      options,
    )
  }
}
