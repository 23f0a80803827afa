import type { components, paths } from './openapi-types.js'

/**
 * Names for the shapes of the generated `components`, so callers write `Registration`, not
 * `components['schemas']['Registration']`. Every alias points into the generated file: when the
 * OpenAPI document changes and the types are regenerated, these follow.
 */

type Schemas = components['schemas']

export type { components, paths }

export type Registration = Schemas['Registration']
export type RegistrationList = Schemas['RegistrationList']
export type RegistrationStatus = Registration['status']
export type LandingPageRegistrationRequest = Schemas['LandingPageRegistrationRequestInput']
export type FullRegistrationRequest = Schemas['FullRegistrationRequestInput']
export type RegistrationRequest = LandingPageRegistrationRequest | FullRegistrationRequest
export type RegistrationResendRequest = Schemas['RegistrationResendRequestInput']

export type OtpRequest = Schemas['OtpRequestInput']
export type OtpValidation = Schemas['OtpValidationInput']
export type OtpTransaction = Schemas['OtpTransaction']
/** `POST /v1/otp`'s answer: a transaction, `reused: true` (200) when its valid code was sent earlier. */
export type OtpRequestAnswer = Schemas['OtpRequestAnswer']

export type Document = Schemas['Document']
export type DocumentList = Schemas['DocumentList']
export type DocumentStatus = Document['status']
export type DocumentHistory = Schemas['DocumentHistory']
export type DocumentRevokeRequest = Schemas['DocumentRevokeInput']
export type DocumentFromTemplate = Schemas['DocumentFromTemplateInput']
export type Template = Schemas['Template']
export type TemplateList = Schemas['TemplateList']

/** One event of GET /v1/events: what a webhook delivery carried, its `id` the `webhook-id`. */
export type GatewayEvent = Schemas['Event']
export type EventList = Schemas['EventList']

type Defaulted<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>
type MetadataAsAnswered = Schemas['DocumentMetadata']
type Signer = MetadataAsAnswered['signers'][number]
type EMeterai = NonNullable<MetadataAsAnswered['e_meterai']>

/**
 * The `metadata` of an upload as a caller writes it. The document publishes `DocumentMetadata`
 * with its defaults applied (`sign_process`, `visibility`, `signers`, a signer's `role`, the stamp's
 * `order` required); what a caller may leave out is those same fields. Once the document publishes
 * `DocumentMetadataInput`, that is used instead.
 */
export type DocumentMetadataInput = Schemas extends { DocumentMetadataInput: infer Published }
  ? Published
  : Defaulted<
      Omit<MetadataAsAnswered, 'signers' | 'e_meterai'> & {
        signers?: Array<Defaulted<Signer, 'role'>>
        e_meterai?: Defaulted<EMeterai, 'order'>
      },
      'sign_process' | 'visibility'
    >

type TemplateAsAnswered = Schemas['TemplateMetadata']
type TemplateRole = TemplateAsAnswered['roles'][number]

/** A template's `metadata` as a caller writes it: the fields with defaults may be left out. */
export type TemplateMetadataInput = Defaulted<
  Omit<TemplateAsAnswered, 'roles' | 'e_meterai'> & {
    roles?: Array<Defaulted<TemplateRole, 'role'>>
    e_meterai?: Defaulted<NonNullable<TemplateAsAnswered['e_meterai']>, 'order'>
  },
  'sign_process' | 'visibility'
>

export type WebhookEndpoint = Schemas['WebhookEndpoint']
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret']
export type CreateWebhookEndpointRequest = Schemas['CreateWebhookEndpointRequestInput']
export type UpdateWebhookEndpointRequest = Schemas['UpdateWebhookEndpointRequestInput']
export type RotateWebhookSecretRequest = Schemas['RotateWebhookSecretRequestInput']
export type WebhookDelivery = Schemas['WebhookDelivery']
export type WebhookDeliveryDetail = Schemas['WebhookDeliveryDetail']
export type StoredPrivyCallback = Schemas['StoredPrivyCallback']

/** An RFC 9457 problem as the gateway answers it. */
export type Problem = Schemas['Problem']
/**
 * The gateway's stable error codes: the union the document lists for `Problem.code`, or `string`
 * while it lists none.
 */
export type ErrorCode = Problem['code']
export type FieldError = NonNullable<Problem['errors']>[number]
export type UpstreamFailure = NonNullable<Problem['upstream']>

/** Query parameters of a list route, without the cursor the iterator handles. */
export type ListQuery<Path extends keyof paths> = paths[Path] extends {
  get: { parameters: { query?: infer Query } }
}
  ? Omit<NonNullable<Query>, 'cursor'>
  : never
