import { execute, type RequestOptions } from '../call.js'
import type { OtpRequest } from '../types.js'
import type { ResourceContext } from './context.js'

export class Otp {
  constructor(private readonly context: ResourceContext) {}

  /**
   * `POST /v1/otp`: a registration OTP, or a signing OTP for documents of one signer. While a code
   * sent earlier on the same channel is valid, its transaction comes back with `reused: true`.
   */
  request(body: OtpRequest, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(defaults, 'keyed', (init) => http.POST('/v1/otp', { body, ...init }), options)
  }

  /** `POST /v1/otp/{id}/validate`. A wrong code is a ValidationError (`OTP_INVALID`, `attempts_left`). */
  validate(id: string, otpCode: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'keyed',
      (init) =>
        http.POST('/v1/otp/{id}/validate', {
          params: { path: { id } },
          body: { otp_code: otpCode },
          ...init,
        }),
      options,
    )
  }

  /** `POST /v1/otp/{id}/resend`: a new code, from `resend_available_at` on. */
  resend(id: string, options?: RequestOptions) {
    const { http, defaults } = this.context
    return execute(
      defaults,
      'keyed',
      (init) => http.POST('/v1/otp/{id}/resend', { params: { path: { id } }, ...init }),
      options,
    )
  }
}
