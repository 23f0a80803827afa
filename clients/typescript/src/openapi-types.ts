/**
 * Generated from openapi/openapi.json by `npm run client:generate` (openapi-typescript).
 * Do not edit: change the gateway's routes, run `npm run openapi`, then regenerate.
 */

export interface paths {
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["health.live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers with this release's migrations (and Privy, when configured) */
        get: operations["health.ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your registrations
         * @description Newest first. Users see their own; operators see all, each with its `owner`, and may filter by `owner`. Filters combine (AND); the cursor of a filtered list pages that same list. `owner` from a user is refused (400).
         */
        get: operations["registrations.list"];
        put?: never;
        /**
         * Register a user with Privy
         * @description Creates a registration and submits it to Privy. With `landing_page` the user finishes KYC on Privy's page at `registration_url`. With `privy_ra` / `merchant_ra` send the seven fields, as JSON with base64 images or as multipart/form-data with `ktp` and `selfie` files. Without `phone_verified` the status is `waiting_otp` (send an OTP); with it, `waiting_verification`. A NIK whose birth date contradicts `dob` is refused (422) before anything reaches Privy.
         */
        post: operations["registrations.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registrations/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend a soft-rejected registration
         * @description Only after a soft reject (`can_resend: true`, `next_action: resend`), with only the corrected fields (JSON or multipart). A hard reject, or a registration that is not rejected, answers 409 `REGISTRATION_NOT_RESENDABLE`. On success the status is `waiting_verification` again.
         */
        post: operations["registrations.resend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registrations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a registration
         * @description Answers the stored registration, refreshed from Privy when it is older than the refresh interval and not settled, or always with `refresh=true`.
         */
        get: operations["registrations.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/registrations/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Find a person's registrations by NIK (operators)
         * @description Operators only (a user token gets 404). The NIK travels in the body, never in a URL, and is matched through its keyed HMAC: the gateway keeps no readable NIK to search. Up to 100, newest first.
         */
        post: operations["registrations.lookup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List documents
         * @description Newest first: the documents you uploaded and those you sign; `awaiting=me`: those waiting for your signature now. Operators see all, each with its `owner`, and may filter by `owner`. Filters combine (AND); the cursor of a filtered list pages that same list.
         */
        get: operations["documents.list"];
        put?: never;
        /**
         * Upload a PDF for signing
         * @description multipart/form-data with a `file` (the PDF) and `metadata` (JSON: title, sign_process, signers with their placements, optional e_meterai). The PDF is checked by content (header, structure, not encrypted, no active content such as scripts, actions that open other files or send data, links other than http/https/mailto, attachments; each page's real box and rotation); a PDF past the page, object, time or memory limits of the check gets 422 `PDF_TOO_COMPLEX`, and 503 with Retry-After when too many are being checked. A placement is a box (page, x, y) or a text tag (`anchor`) found in the PDF and resolved to points, shown in the answer. Every placement must lie on its page; signers are verified registrations. Only its SHA-256 is kept. Or application/json with a `template_id` (POST /v1/templates) and one signer per role: the template's PDF and placements are sent as an upload would be, and the document records `template_id` and `template_version`.
         */
        post: operations["documents.upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a document */
        get: operations["documents.get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The document's timeline
         * @description Privy's signer history merged with the gateway's own events, oldest first.
         */
        get: operations["documents.history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a document
         * @description Only by its uploader (or an operator), and only while not every signer has signed (else 409 `DOCUMENT_NOT_REVOCABLE`). An optional JSON body `{"reason": "..."}` (one line, at most 500 characters) is kept in the history with the actor (`operator:<key id>` or `user:<sub>`).
         */
        post: operations["documents.revoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/documents/{id}/signed.pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the signed PDF
         * @description Once `completed`: fetched from Privy once, checked, kept by SHA-256, streamed. 409 `SIGNED_PDF_NOT_READY` before; 503 `SERVICE_UNAVAILABLE` when the S3 store does not answer.
         */
        get: operations["documents.signedPdf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List templates
         * @description Newest first: your templates; operators see all, each with its `owner`, and may filter by it.
         */
        get: operations["templates.list"];
        put?: never;
        /**
         * Store a PDF with signer roles
         * @description multipart/form-data with a `file` (the PDF) and `metadata` (JSON: name, roles each with its placements, optional e_meterai). The PDF is checked as an upload is (same limits, same 422s); text tags are resolved once, here, to boxes in points. POST /v1/documents with `template_id` then sends it without uploading the PDF again.
         */
        post: operations["templates.create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a template */
        get: operations["templates.get"];
        /**
         * Replace the PDF or the metadata of a template
         * @description multipart/form-data with a new `file`, new `metadata`, or both (what is left out is kept). Placements are resolved again and the template becomes version + 1. Documents already sent keep their PDF and placements; every version stays stored.
         */
        put: operations["templates.replace"];
        post?: never;
        /**
         * Delete a template
         * @description Then 404 for reads and for new documents; documents already sent are untouched.
         */
        delete: operations["templates.delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates/{id}/pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The template's current PDF */
        get: operations["templates.pdf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privy/callbacks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List stored Privy callbacks
         * @description Newest first, metadata only (never the body). Filter by `state` and `reference_number`. Operators only.
         */
        get: operations["privyCallbacks.list"];
        put?: never;
        /**
         * Receive a Privy callback
         * @description Called by Privy, not by apps: authenticated by Privy's `Timestamp` and `Signature` headers (contract §2.3 over the body's canonical form, within 5 minutes), not by a JWT. A missing, wrong or stale signature answers 401 and applies nothing; it is kept as `rejected` (without its body) up to a limit per client address and per hour, then only counted. A genuine callback must fit the contract formats field by field (ids, tokens and references without whitespace, statuses from the contract sets, dates that parse): one that does not answers 422 naming the fields, applies nothing, and is kept once as `failed`. A genuine one that fits answers 200 once stored, its body encrypted: `applied` says whether it moved a registration or document; the same callback again, however its whitespace is padded, answers `duplicate: true` and is not applied again; stale, backward or unknown-reference ones are kept as `ignored`. Bodies over 64 KiB: 413.
         */
        post: operations["privyCallbacks.receive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/privy/callbacks/{id}/reapply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply a stored Privy callback again
         * @description Pushes a verified callback that is `received`, `ignored` or `failed` through the state machines again and answers it as it then stands. A `rejected` callback is never applied, nor an `applied` one again, nor one being applied right now: 409 `CALLBACK_NOT_REAPPLICABLE` with `callback_state`. Operators only.
         */
        post: operations["privyCallbacks.reapply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/otp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send an OTP
         * @description Asks Privy to send a code by SMS or email: `registration` for a registration that is `waiting_otp`, `document_signing` for documents the caller signs. The answer says when the code expires, when a resend is allowed and how many sends and attempts are left. Abuse limits (per user, per phone, per number block, per email address, the merchant's daily budget, and per client address when configured) answer 429 `OTP_RATE_LIMITED` or `OTP_BUDGET_EXHAUSTED` with `Retry-After` and the `limit` reached; nothing is sent then. One live OTP per registration (or per documents of a signer) and channel: while its code is valid, another request answers **200** with that transaction and `reused: true`, and sends nothing; once its code has expired but it can still be resent, 409 `OTP_ALREADY_SENT` with its `otp_id`. Another channel (SMS, then email) is a new OTP, counted against the limits of where it goes. A registration that is not `waiting_otp` answers 409 `OTP_NOT_NEEDED`; documents that cannot be signed now answer 409 `DOCUMENT_NOT_SIGNABLE`, `DOCUMENT_ALREADY_SIGNED` or `NOT_YOUR_TURN` (serial signing, an earlier signer has not signed), before any SMS; Privy refusing to send answers 409 `OTP_SEND_REFUSED`. When Privy's answer is lost (504, or 502 for an unreadable one) the send may still have gone, and no second SMS is sent for it: a retry, keyed or not, answers 409 `OPERATION_PENDING` with `otp_id`, `Retry-After`, `retry_at` and `next_action`: `validate_otp` (Privy may still answer: let the person type the code and validate it once this settles) or `wait` (the answer is lost for good: a new OTP can be requested from `retry_at`, when a code it may have sent has expired).
         */
        post: operations["otp.request"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/otp/{id}/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Validate an OTP code
         * @description A wrong code answers 422 `OTP_INVALID` with `attempts_left`; after the last wrong code the transaction is locked: 423 `OTP_LOCKED`. An expired code answers **410** `OTP_EXPIRED` (resend to get a new one). On success a registration moves to `waiting_verification`. While checks already in flight hold every attempt left, another answers 429 `OTP_RATE_LIMITED`. Before Privy's answer to the send (or to the last resend) is in, 409 `OPERATION_PENDING` with `next_action` and `Retry-After`, as for `POST /v1/otp`.
         */
        post: operations["otp.validate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/otp/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send the code again
         * @description Allowed from `resend_available_at` on, while `requests_left` > 0. Too early answers 429 `OTP_RESEND_TOO_EARLY` with `Retry-After`; no sends left answers 429 `OTP_SEND_LIMIT_REACHED`. A resend counts against the same abuse limits as a new OTP (429 `OTP_RATE_LIMITED` or `OTP_BUDGET_EXHAUSTED`). While a resend is under way, or its answer is awaited, another answers 409 `OPERATION_PENDING` (`next_action: validate_otp`); a resend whose answer was lost counts as sent. A validated OTP answers 409 `OTP_ALREADY_VALIDATED`; Privy refusing to send, 409 `OTP_SEND_REFUSED`.
         */
        post: operations["otp.resend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook endpoints
         * @description Operators only. Newest first.
         */
        get: operations["webhooks.listEndpoints"];
        put?: never;
        /**
         * Register a webhook endpoint
         * @description Operators only. Every event (or those in `event_types`) is POSTed to `url`, signed per Standard Webhooks. The answer carries the signing `secret`, shown this once.
         */
        post: operations["webhooks.createEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook endpoint */
        get: operations["webhooks.getEndpoint"];
        put?: never;
        post?: never;
        /**
         * Delete a webhook endpoint
         * @description With its secrets, deliveries and their attempts.
         */
        delete: operations["webhooks.deleteEndpoint"];
        options?: never;
        head?: never;
        /**
         * Change a webhook endpoint
         * @description Change its url, description or event types; `enabled: true` re-enables an endpoint disabled after sustained failure (its cancelled deliveries can then be replayed), `enabled: false` disables it and cancels its pending deliveries.
         */
        patch: operations["webhooks.updateEndpoint"];
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate an endpoint's signing secret
         * @description A new secret signs from now on and is shown in this answer only. Until `previous_secret_expires_in_seconds` (default 86400) has passed the previous secret signs too: `webhook-signature` then carries one `v1,…` entry per secret, so receivers can switch at leisure.
         */
        post: operations["webhooks.rotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook deliveries
         * @description Operators only. Newest first; filter by endpoint, state, event type or event id.
         */
        get: operations["webhooks.listDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook delivery with its attempts */
        get: operations["webhooks.getDelivery"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-deliveries/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay a webhook delivery now
         * @description Sends the event again at once: the same `webhook-id` and body, a fresh timestamp and signature. Recorded as a manual attempt; a success settles the delivery. 409 `WEBHOOK_ENDPOINT_DISABLED` while its endpoint is disabled, `WEBHOOK_DELIVERY_IN_FLIGHT` while another attempt is in flight.
         */
        post: operations["webhooks.replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List events (catch up on webhooks)
         * @description The same events the webhooks carry (`id` is their `webhook-id`), newest first or `order=oldest_first`, kept at least 30 days (no job deletes them). Operators see every event; a user sees the events of their own registrations and documents and of documents they sign. To catch up after an outage: `order=oldest_first&created_after=<the last event you handled>`, then follow `next_cursor`.
         */
        get: operations["events.list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        CreateWebhookEndpointRequestInput: {
            /**
             * Format: uri
             * @description Where events are POSTed. https, a public host, no `user:password@`; redirects are never followed. http and private hosts only where WEBHOOK_ALLOW_HTTP (or outside production).
             * @example https://merchant.example.co.id/hooks/privy
             */
            url: string;
            /** @example Order service: registration and document status for checkout */
            description?: string;
            /**
             * @description The event types sent to this endpoint; empty (the default) means all
             * @default []
             */
            event_types?: ("registration.updated" | "document.updated")[];
        };
        UpdateWebhookEndpointRequestInput: {
            /**
             * Format: uri
             * @description Where events are POSTed. https, a public host, no `user:password@`; redirects are never followed. http and private hosts only where WEBHOOK_ALLOW_HTTP (or outside production).
             * @example https://merchant.example.co.id/hooks/privy
             */
            url?: string;
            description?: string | null;
            /** @description The event types sent to this endpoint; empty (the default) means all */
            event_types?: ("registration.updated" | "document.updated")[];
            /** @description true re-enables a disabled endpoint (its failure clock starts again); false disables it */
            enabled?: boolean;
        };
        RotateWebhookSecretRequestInput: {
            /**
             * @description How long the secrets in use now keep signing beside the new one; 0 retires them at once
             * @default 86400
             */
            previous_secret_expires_in_seconds?: number;
        };
        DocumentUploadInput: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file: string;
            /**
             * @description JSON text of DocumentMetadata
             * @example {"title":"Perjanjian Kerja Sama Distribusi 2026","sign_process":"parallel","visibility":true,"signers":[{"privy_id":"SIAM4201","role":"signer","placements":[{"page":1,"x":400,"y":700,"width":150,"height":75,"unit":"pt"}]}]}
             */
            metadata: string;
        };
        DocumentFromTemplateInput: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            template_id: string;
            /** @example Perjanjian Kredit 0042 */
            title: string;
            /** @description One signer for each of the template's roles */
            signers: {
                /** @example borrower */
                role: string;
                /**
                 * Format: uuid
                 * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
                 */
                registration_id?: string;
                /** @example SIAM4201 */
                privy_id?: string;
            }[];
            /**
             * @description The template's unless given
             * @enum {string}
             */
            sign_process?: "serial" | "parallel";
            /** @description The template's unless given */
            visibility?: boolean;
        };
        DocumentRevokeInput: {
            /**
             * @description Why it is revoked: kept in the document's history with who revoked it
             * @example The borrower withdrew the application
             */
            reason?: string;
        };
        OtpRequestInput: {
            /** @constant */
            otp_type: "registration";
            /**
             * @description Where Privy sends the code
             * @enum {string}
             */
            otp_channel: "sms" | "email";
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            registration_id: string;
        } | {
            /** @constant */
            otp_type: "document_signing";
            /**
             * @description Where Privy sends the code
             * @enum {string}
             */
            otp_channel: "sms" | "email";
            document_ids: string[];
        };
        OtpValidationInput: {
            /** @example 482913 */
            otp_code: string;
        };
        PrivyCallbackInput: {
            /**
             * @description What changed
             * @enum {string}
             */
            event: "register" | "document";
            /** @description The same object as the matching status call */
            data: {
                /** @example REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B */
                reference_number: string;
            } & {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description The user finishes KYC on Privy's landing page, at `registration_url` */
        LandingPageRegistrationRequestInput: {
            /** @constant */
            registration_type: "landing_page";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
        };
        FullRegistrationRequestInput: {
            /**
             * @description `privy_ra`: Privy verifies the identity; `merchant_ra`: the merchant, as RA, already did
             * @enum {string}
             */
            registration_type: "privy_ra" | "merchant_ra";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob: string;
            /**
             * @description Photo of the KTP (identity card), JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            ktp: string;
            /**
             * @description Selfie of the person, JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            selfie: string;
            /**
             * @description true when the merchant already proved the phone: no registration OTP is sent
             * @default false
             */
            phone_verified?: boolean;
        };
        FullRegistrationMultipartRequestInput: {
            /**
             * @description `privy_ra`: Privy verifies the identity; `merchant_ra`: the merchant, as RA, already did
             * @enum {string}
             */
            registration_type: "privy_ra" | "merchant_ra";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob: string;
            /**
             * Format: binary
             * @description Photo of the KTP (identity card), JPEG or PNG; checked by content, never stored
             */
            ktp: string;
            /**
             * Format: binary
             * @description Selfie of the person, JPEG or PNG; checked by content, never stored
             */
            selfie: string;
            /**
             * @description true when the merchant already proved the phone: no registration OTP is sent
             * @default false
             */
            phone_verified?: boolean;
        };
        /** @description Only the corrected fields, after a soft reject (`can_resend: true`) */
        RegistrationResendRequestInput: {
            /** @example Siti Aminah */
            name?: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik?: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob?: string;
            /**
             * @description Photo of the KTP (identity card), JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            ktp?: string;
            /**
             * @description Selfie of the person, JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            selfie?: string;
        };
        /** @description Only the corrected fields, after a soft reject; nik and dob together */
        RegistrationResendMultipartRequestInput: {
            /** @example Siti Aminah */
            name?: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik?: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob?: string;
            /**
             * Format: binary
             * @description Photo of the KTP (identity card), JPEG or PNG; checked by content, never stored
             */
            ktp?: string;
            /**
             * Format: binary
             * @description Selfie of the person, JPEG or PNG; checked by content, never stored
             */
            selfie?: string;
        };
        RegistrationLookupInput: {
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
        };
        TemplateUploadInput: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file: string;
            /**
             * @description JSON text of TemplateMetadata
             * @example {"name":"Perjanjian Kredit","sign_process":"parallel","visibility":true,"roles":[{"name":"borrower","role":"signer","placements":[{"anchor":"{{sign:borrower}}","offset":{"x":0,"y":-10},"width":150,"height":75,"unit":"pt","occurrence":1}]}]}
             */
            metadata: string;
        };
        TemplateChangeInput: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file?: string;
            /**
             * @description JSON text of TemplateMetadata
             * @example {"name":"Perjanjian Kredit","sign_process":"parallel","visibility":true,"roles":[{"name":"borrower","role":"signer","placements":[{"anchor":"{{sign:borrower}}","offset":{"x":0,"y":-10},"width":150,"height":75,"unit":"pt","occurrence":1}]}]}
             */
            metadata?: string;
        };
        Problem: {
            /**
             * @description A URI naming the kind of problem; stable per `code`
             * @example urn:privy-gateway:problem:validation-failed
             */
            type: string;
            /** @example Validation failed */
            title: string;
            /** @example 400 */
            status: number;
            /** @example nik: the birth date in the NIK does not match dob */
            detail?: string;
            /**
             * @description Stable machine-readable error code
             * @example VALIDATION_FAILED
             */
            code: string;
            /** @example 6f1c2b3a-8d4e-4f5a-9b6c-7d8e9f0a1b2c */
            request_id: string;
            errors?: {
                /** @example nik */
                path: string;
                /** @example the birth date in the NIK does not match dob */
                message: string;
            }[];
            /** @description Present when Privy caused the failure */
            upstream?: {
                status?: number;
                code?: string | number;
                /** @example a3f2c9e1-7b4d-4e8a-9c6f-1d2e3f4a5b6c */
                request_id?: string;
            };
        } & {
            [key: string]: unknown;
        };
        CreateWebhookEndpointRequest: {
            /**
             * Format: uri
             * @description Where events are POSTed. https, a public host, no `user:password@`; redirects are never followed. http and private hosts only where WEBHOOK_ALLOW_HTTP (or outside production).
             * @example https://merchant.example.co.id/hooks/privy
             */
            url: string;
            /** @example Order service: registration and document status for checkout */
            description?: string;
            /**
             * @description The event types sent to this endpoint; empty (the default) means all
             * @default []
             */
            event_types: ("registration.updated" | "document.updated")[];
        };
        UpdateWebhookEndpointRequest: {
            /**
             * Format: uri
             * @description Where events are POSTed. https, a public host, no `user:password@`; redirects are never followed. http and private hosts only where WEBHOOK_ALLOW_HTTP (or outside production).
             * @example https://merchant.example.co.id/hooks/privy
             */
            url?: string;
            description?: string | null;
            /** @description The event types sent to this endpoint; empty (the default) means all */
            event_types?: ("registration.updated" | "document.updated")[];
            /** @description true re-enables a disabled endpoint (its failure clock starts again); false disables it */
            enabled?: boolean;
        };
        RotateWebhookSecretRequest: {
            /**
             * @description How long the secrets in use now keep signing beside the new one; 0 retires them at once
             * @default 86400
             */
            previous_secret_expires_in_seconds: number;
        };
        WebhookEndpoint: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @example https://merchant.example.co.id/hooks/privy */
            url: string;
            description: string | null;
            /** @description Empty means every type */
            event_types: ("registration.updated" | "document.updated")[];
            enabled: boolean;
            disabled_reason: string | null;
            disabled_at: string | null;
            /** @description First failure since the last success */
            failing_since: string | null;
            /** @description The secrets signing now, newest first (their values are shown only when created) */
            signing_secrets: {
                /**
                 * Format: date-time
                 * @example 2026-12-07T09:30:00.000Z
                 */
                created_at: string;
                expires_at: string | null;
            }[];
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        WebhookEndpointWithSecret: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @example https://merchant.example.co.id/hooks/privy */
            url: string;
            description: string | null;
            /** @description Empty means every type */
            event_types: ("registration.updated" | "document.updated")[];
            enabled: boolean;
            disabled_reason: string | null;
            disabled_at: string | null;
            /** @description First failure since the last success */
            failing_since: string | null;
            /** @description The secrets signing now, newest first (their values are shown only when created) */
            signing_secrets: {
                /**
                 * Format: date-time
                 * @example 2026-12-07T09:30:00.000Z
                 */
                created_at: string;
                expires_at: string | null;
            }[];
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
            /**
             * @description The new signing secret (`whsec_` + base64 of 32 bytes) for Standard Webhooks verification. Shown in this response only: keep it now.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3Cr2e0rHyDk=
             */
            secret: string;
        };
        WebhookEndpointList: {
            data: components["schemas"]["WebhookEndpoint"][];
            next_cursor: string | null;
        };
        WebhookDelivery: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /**
             * @description The `webhook-id` header of every attempt
             * @example msg_3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f
             */
            event_id: string;
            /** @enum {string} */
            event_type: "registration.updated" | "document.updated";
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            endpoint_id: string;
            /** @enum {string} */
            state: "pending" | "succeeded" | "failed" | "cancelled";
            /** @description Attempts made, replays included */
            attempt_count: number;
            /** @description While pending */
            next_attempt_at: string | null;
            last_status_code: number | null;
            last_error: string | null;
            succeeded_at: string | null;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        WebhookAttempt: {
            number: number;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            started_at: string;
            duration_ms: number;
            /** @description The endpoint's answer; null when none came */
            status_code: number | null;
            error: string | null;
            /** @description The first 1 KiB of the endpoint's answer */
            response_excerpt: string | null;
            /** @description Sent by a replay rather than by the retry schedule */
            manual: boolean;
        };
        WebhookDeliveryDetail: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /**
             * @description The `webhook-id` header of every attempt
             * @example msg_3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f
             */
            event_id: string;
            /** @enum {string} */
            event_type: "registration.updated" | "document.updated";
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            endpoint_id: string;
            /** @enum {string} */
            state: "pending" | "succeeded" | "failed" | "cancelled";
            /** @description Attempts made, replays included */
            attempt_count: number;
            /** @description While pending */
            next_attempt_at: string | null;
            last_status_code: number | null;
            last_error: string | null;
            succeeded_at: string | null;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
            /** @description The body sent: {type, timestamp, data} with ids and statuses only */
            payload: {
                [key: string]: unknown;
            };
            /** @description Oldest first */
            attempts: components["schemas"]["WebhookAttempt"][];
        };
        WebhookDeliveryList: {
            data: components["schemas"]["WebhookDelivery"][];
            next_cursor: string | null;
        };
        Event: {
            /**
             * @description The `webhook-id` of its deliveries
             * @example msg_2f1c0d8e9b7a4c3d8e1f0a9b8c7d6e5f
             */
            id: string;
            /** @enum {string} */
            type: "registration.updated" | "document.updated";
            /**
             * Format: date-time
             * @description The payload's `timestamp`: when the change happened
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /** @description The webhook's `data`, as delivered: ids and statuses of the resource, never personal data */
            data: {
                [key: string]: unknown;
            };
        };
        EventList: {
            data: components["schemas"]["Event"][];
            next_cursor: string | null;
        };
        /**
         * @description A box placed by text found in the PDF instead of coordinates: every page is searched, invisible (white or tiny) text included. Not found, or found more often than `occurrence` allows: 422.
         * @example {
         *       "anchor": "{{sign:borrower}}",
         *       "offset": {
         *         "x": 0,
         *         "y": -10
         *       },
         *       "width": 150,
         *       "height": 75,
         *       "unit": "pt",
         *       "occurrence": 1
         *     }
         */
        AnchorPlacement: {
            /** @example {{sign:borrower}} */
            anchor: string;
            /**
             * @description Moves the box from the tag's top-left corner, in points (x right, y down)
             * @default {
             *       "x": 0,
             *       "y": 0
             *     }
             */
            offset: {
                x: number;
                y: number;
            };
            width: number;
            height: number;
            /**
             * @default pt
             * @constant
             */
            unit: "pt";
            /**
             * @description How many times the tag may be found (`all`: any number); a box is placed at each
             * @default 1
             */
            occurrence: "all" | number;
        };
        /**
         * @description A box from the top-left corner of the page as a viewer shows it, in points (`pt`) or percent of the visible page (`percent`). A signature needs at least 120 × 60 pt; an e-Meterai is square, ≥ 50 pt.
         * @example {
         *       "page": 1,
         *       "x": 400,
         *       "y": 700,
         *       "width": 150,
         *       "height": 75,
         *       "unit": "pt"
         *     }
         */
        CoordinatePlacement: {
            page: number;
            x: number;
            y: number;
            width: number;
            height: number;
            /** @enum {string} */
            unit: "pt" | "percent";
        };
        DocumentMetadata: {
            /** @example Perjanjian Kerja Sama Distribusi 2026 */
            title: string;
            /**
             * @description serial: signers sign in the order given; parallel: in any order
             * @default parallel
             * @enum {string}
             */
            sign_process: "serial" | "parallel";
            /**
             * @description Whether signatures are drawn on the pages
             * @default true
             */
            visibility: boolean;
            /** @default [] */
            signers: {
                /**
                 * Format: uuid
                 * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
                 */
                registration_id?: string;
                /** @example SIAM4201 */
                privy_id?: string;
                /**
                 * @default signer
                 * @enum {string}
                 */
                role: "signer" | "reviewer";
                placements: (components["schemas"]["CoordinatePlacement"] | components["schemas"]["AnchorPlacement"])[];
            }[];
            e_meterai?: {
                /** @enum {string} */
                category: "surat_perjanjian" | "surat_pernyataan" | "akta_notaris" | "akta_pejabat" | "surat_berharga" | "dokumen_transaksi" | "dokumen_lelang" | "dokumen_pernyataan_jumlah_uang" | "dokumen_penerimaan_uang" | "dokumen_hutang" | "dokumen_lain_lain";
                placements: (components["schemas"]["CoordinatePlacement"] | components["schemas"]["AnchorPlacement"])[];
                /**
                 * @description When the stamp is applied, if there are signers too
                 * @default after_signing
                 * @enum {string}
                 */
                order: "after_signing" | "before_signing";
            };
        };
        DocumentUpload: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file: string;
            /**
             * @description JSON text of DocumentMetadata
             * @example {"title":"Perjanjian Kerja Sama Distribusi 2026","sign_process":"parallel","visibility":true,"signers":[{"privy_id":"SIAM4201","role":"signer","placements":[{"page":1,"x":400,"y":700,"width":150,"height":75,"unit":"pt"}]}]}
             */
            metadata: string;
        };
        DocumentFromTemplate: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            template_id: string;
            /** @example Perjanjian Kredit 0042 */
            title: string;
            /** @description One signer for each of the template's roles */
            signers: {
                /** @example borrower */
                role: string;
                /**
                 * Format: uuid
                 * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
                 */
                registration_id?: string;
                /** @example SIAM4201 */
                privy_id?: string;
            }[];
            /**
             * @description The template's unless given
             * @enum {string}
             */
            sign_process?: "serial" | "parallel";
            /** @description The template's unless given */
            visibility?: boolean;
        };
        DocumentRevoke: {
            /**
             * @description Why it is revoked: kept in the document's history with who revoked it
             * @example The borrower withdrew the application
             */
            reason?: string;
        };
        /**
         * @example {
         *       "page": 1,
         *       "x": 400,
         *       "y": 690,
         *       "width": 120,
         *       "height": 60
         *     }
         */
        ResolvedPlacement: {
            page: number;
            x: number;
            y: number;
            width: number;
            height: number;
        };
        Document: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @example DOC-5D2E8B7A1C9F4E3B8A6D0F2C7E1B9A4D */
            reference_number: string;
            /** @example Perjanjian Kerja Sama Distribusi 2026 */
            title: string;
            /**
             * @description `pending` while Privy has not confirmed the upload (`submission` says why); signing and revoke then answer 409 OPERATION_PENDING with Retry-After
             * @enum {string}
             */
            status: "pending" | "uploaded" | "processing" | "processing_emeterai" | "completed" | "revoked" | "expired" | "error";
            /**
             * @description `submitted`: Privy confirmed it. `in_flight`: being sent. `unknown`: Privy may hold it but its answer was lost; it settles by itself within UNKNOWN_SETTLE_MINUTES (late answer, callback, or a retry with the same Idempotency-Key). `unresolved`: it did not, and an operator checks it with Privy; the person or PDF may be sent again.
             * @enum {string}
             */
            submission: "in_flight" | "submitted" | "unknown" | "unresolved";
            /** @enum {string} */
            sign_process: "serial" | "parallel";
            signers: {
                /** @example SIAM4201 */
                privy_id: string;
                /** @enum {string} */
                role: "signer" | "reviewer";
                /** @enum {string} */
                status: "waiting" | "signed" | "rejected";
                signed_at: string | null;
                /** @description Where Privy draws the signature (120 × 60 pt), text tags resolved to points */
                placements: components["schemas"]["ResolvedPlacement"][];
            }[];
            signing_url: string | null;
            e_meterai: {
                /** @example surat_perjanjian */
                category: string;
                status: string | null;
                serial_number: string | null;
                /** @description Each stamp, text tags resolved to points */
                placements: components["schemas"]["ResolvedPlacement"][];
            } | null;
            /**
             * @description SHA-256 of the uploaded PDF
             * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
             */
            sha256: string;
            /** @example 184320 */
            size_bytes: number;
            /** @example 3 */
            page_count: number;
            /** @description The template it was sent from (POST with `template_id`) */
            template_id: string | null;
            /** @description That template's version when it was sent */
            template_version: number | null;
            /** @description GET /v1/documents/{id}/signed.pdf answers */
            signed_pdf_available: boolean;
            /**
             * @description Operators only: who uploaded it (`user:<sub>` or `operator:<key id>`)
             * @example user:loan-officer
             */
            owner?: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        DocumentList: {
            data: components["schemas"]["Document"][];
            next_cursor: string | null;
        };
        DocumentHistory: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            document_id: string;
            events: {
                /**
                 * Format: date-time
                 * @example 2026-12-07T09:30:00.000Z
                 */
                at: string;
                /** @enum {string} */
                source: "gateway" | "privy";
                /** @description The signer concerned, for Privy events */
                privy_id: string | null;
                /** @example SIAM4201 signed the document */
                description: string;
                /**
                 * @description Who took the action (`operator:<key id>` or `user:<sub>`), for gateway events a caller caused
                 * @example operator:backoffice
                 */
                actor: string | null;
            }[];
        };
        OtpRequest: {
            /** @constant */
            otp_type: "registration";
            /**
             * @description Where Privy sends the code
             * @enum {string}
             */
            otp_channel: "sms" | "email";
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            registration_id: string;
        } | {
            /** @constant */
            otp_type: "document_signing";
            /**
             * @description Where Privy sends the code
             * @enum {string}
             */
            otp_channel: "sms" | "email";
            document_ids: string[];
        };
        OtpValidation: {
            /** @example 482913 */
            otp_code: string;
        };
        OtpTransaction: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @enum {string} */
            otp_type: "registration" | "document_signing";
            /** @enum {string} */
            otp_channel: "sms" | "email";
            /** @enum {string} */
            status: "active" | "validated" | "locked" | "expired";
            registration_id: string | null;
            document_ids: string[];
            /**
             * Format: date-time
             * @description The code is refused after this instant
             * @example 2026-12-07T09:30:00.000Z
             */
            expires_at: string;
            /**
             * Format: date-time
             * @description `POST /v1/otp/{id}/resend` is refused before this instant
             * @example 2026-12-07T09:30:00.000Z
             */
            resend_available_at: string;
            /** @description Sends left on this transaction (the first send counts) */
            requests_left: number;
            /** @description Wrong codes allowed before the transaction locks */
            attempts_left: number;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        OtpRequestAnswer: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @enum {string} */
            otp_type: "registration" | "document_signing";
            /** @enum {string} */
            otp_channel: "sms" | "email";
            /** @enum {string} */
            status: "active" | "validated" | "locked" | "expired";
            registration_id: string | null;
            document_ids: string[];
            /**
             * Format: date-time
             * @description The code is refused after this instant
             * @example 2026-12-07T09:30:00.000Z
             */
            expires_at: string;
            /**
             * Format: date-time
             * @description `POST /v1/otp/{id}/resend` is refused before this instant
             * @example 2026-12-07T09:30:00.000Z
             */
            resend_available_at: string;
            /** @description Sends left on this transaction (the first send counts) */
            requests_left: number;
            /** @description Wrong codes allowed before the transaction locks */
            attempts_left: number;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
            /** @description true (status 200): a code sent earlier for this registration (or these documents) and channel is still valid, and this is its transaction; no new code was sent. false (status 201): a new code was sent */
            reused: boolean;
        };
        PrivyCallback: {
            /**
             * @description What changed
             * @enum {string}
             */
            event: "register" | "document";
            /** @description The same object as the matching status call */
            data: {
                /** @example REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B */
                reference_number: string;
            } & {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        CallbackReceipt: {
            /**
             * @description The callback is stored: Privy need not send it again
             * @constant
             */
            received: true;
            /** @description true when it moved a registration or document. false when it was stale, about an unknown reference, or will be applied shortly by the background consumer */
            applied: boolean;
            /** @description The same callback (the same canonical form, whatever its whitespace) was received before: nothing was applied again */
            duplicate: boolean;
        };
        StoredPrivyCallback: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @description As the body named it (also for rejected bodies) */
            event: string | null;
            reference_number: string | null;
            /**
             * @description `received`: verified, waiting to be applied (retried in the background); `applied`: it moved a registration or document; `ignored`: nothing to do (stale, backward, duplicate status, unknown reference); `rejected`: missing, wrong or stale signature, never applied; `failed`: verified but refused for not fitting the contract formats (422), or applying kept failing (see `error`)
             * @enum {string}
             */
            state: "received" | "applied" | "ignored" | "rejected" | "failed";
            signature_valid: boolean;
            /** @description Why it was rejected, ignored or failed */
            error: string | null;
            size_bytes: number;
            /** @description How many times applying it was started */
            attempts: number;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            received_at: string;
            processed_at: string | null;
        };
        StoredPrivyCallbackList: {
            data: components["schemas"]["StoredPrivyCallback"][];
            next_cursor: string | null;
        };
        /** @description The user finishes KYC on Privy's landing page, at `registration_url` */
        LandingPageRegistrationRequest: {
            /** @constant */
            registration_type: "landing_page";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
        };
        FullRegistrationRequest: {
            /**
             * @description `privy_ra`: Privy verifies the identity; `merchant_ra`: the merchant, as RA, already did
             * @enum {string}
             */
            registration_type: "privy_ra" | "merchant_ra";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob: string;
            /**
             * @description Photo of the KTP (identity card), JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            ktp: string;
            /**
             * @description Selfie of the person, JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            selfie: string;
            /**
             * @description true when the merchant already proved the phone: no registration OTP is sent
             * @default false
             */
            phone_verified: boolean;
        };
        FullRegistrationMultipartRequest: {
            /**
             * @description `privy_ra`: Privy verifies the identity; `merchant_ra`: the merchant, as RA, already did
             * @enum {string}
             */
            registration_type: "privy_ra" | "merchant_ra";
            /** @example Siti Aminah */
            name: string;
            /**
             * Format: email
             * @example siti@example.co.id
             */
            email: string;
            /**
             * @description Indonesian mobile number in international form without "+", e.g. 6281234567890
             * @example 6281234567890
             */
            phone: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob: string;
            /**
             * Format: binary
             * @description Photo of the KTP (identity card), JPEG or PNG; checked by content, never stored
             */
            ktp: string;
            /**
             * Format: binary
             * @description Selfie of the person, JPEG or PNG; checked by content, never stored
             */
            selfie: string;
            /**
             * @description true when the merchant already proved the phone: no registration OTP is sent
             * @default false
             */
            phone_verified: boolean;
        };
        /** @description Only the corrected fields, after a soft reject (`can_resend: true`) */
        RegistrationResendRequest: {
            /** @example Siti Aminah */
            name?: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik?: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob?: string;
            /**
             * @description Photo of the KTP (identity card), JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            ktp?: string;
            /**
             * @description Selfie of the person, JPEG or PNG: base64 (optionally as a data:image/jpeg|png;base64, URL) in JSON, or a file part in multipart/form-data. Checked by content; forwarded to Privy, never stored.
             * @example data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
             */
            selfie?: string;
        };
        /** @description Only the corrected fields, after a soft reject; nik and dob together */
        RegistrationResendMultipartRequest: {
            /** @example Siti Aminah */
            name?: string;
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik?: string;
            /**
             * @description Date of birth as on the KTP, YYYY-MM-DD
             * @example 2001-03-14
             */
            dob?: string;
            /**
             * Format: binary
             * @description Photo of the KTP (identity card), JPEG or PNG; checked by content, never stored
             */
            ktp?: string;
            /**
             * Format: binary
             * @description Selfie of the person, JPEG or PNG; checked by content, never stored
             */
            selfie?: string;
        };
        Registration: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @example REG-0B7C6A0E3F1D4C5E9A7B2D8E4F6A1C3B */
            reference_number: string;
            /** @enum {string} */
            registration_type: "landing_page" | "privy_ra" | "merchant_ra";
            /** @enum {string} */
            status: "pending" | "waiting_otp" | "waiting_verification" | "verified" | "rejected";
            reject_reason: {
                /** @example RJ_KTP_BLUR */
                code: string;
                /** @example The KTP photo is blurred: the NIK cannot be read */
                reason: string;
            } | null;
            can_resend: boolean;
            /** @example SIAM4201 */
            privy_id: string | null;
            /** @example https://stg-app.privy.id/register/7f3c2a9e5b */
            registration_url: string | null;
            /**
             * @description What the app should do next: `request_otp` (waiting_otp, no code sent yet or the last one expired or locked: POST /v1/otp), `validate_otp` (a code was sent and can be typed), `open_registration_url`, `wait`, `resend` (soft reject), `register_again` (hard reject, or Privy never confirmed this one: start a new registration), `none` (verified)
             * @enum {string}
             */
            next_action: "request_otp" | "validate_otp" | "open_registration_url" | "wait" | "resend" | "register_again" | "none";
            /**
             * @description `submitted`: Privy confirmed it. `in_flight`: being sent. `unknown`: Privy may hold it but its answer was lost; it settles by itself within UNKNOWN_SETTLE_MINUTES (late answer, callback, or a retry with the same Idempotency-Key). `unresolved`: it did not, and an operator checks it with Privy; the person or PDF may be sent again.
             * @enum {string}
             */
            submission: "in_flight" | "submitted" | "unknown" | "unresolved";
            /**
             * @description Masked
             * @example s***@example.co.id
             */
            email: string;
            /**
             * @description Masked
             * @example 6281******890
             */
            phone: string;
            /**
             * @description Operators only: who created it (`user:<sub>` or `operator:<key id>`)
             * @example user:alice
             */
            owner?: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        RegistrationLookup: {
            /**
             * @description NIK (Nomor Induk Kependudukan) from the KTP: 16 digits, no spaces or separators
             * @example 3174015403011234
             */
            nik: string;
        };
        RegistrationList: {
            data: components["schemas"]["Registration"][];
            next_cursor: string | null;
        };
        TemplateMetadata: {
            /** @example Perjanjian Kredit */
            name: string;
            /**
             * @description serial: roles sign in the order given; parallel: in any order
             * @default parallel
             * @enum {string}
             */
            sign_process: "serial" | "parallel";
            /**
             * @description Whether signatures are drawn on the pages
             * @default true
             */
            visibility: boolean;
            /** @default [] */
            roles: {
                /**
                 * @description What a document sent from the template names in `signers[].role`
                 * @example borrower
                 */
                name: string;
                /**
                 * @default signer
                 * @enum {string}
                 */
                role: "signer" | "reviewer";
                placements: (components["schemas"]["CoordinatePlacement"] | components["schemas"]["AnchorPlacement"])[];
            }[];
            e_meterai?: {
                /** @enum {string} */
                category: "surat_perjanjian" | "surat_pernyataan" | "akta_notaris" | "akta_pejabat" | "surat_berharga" | "dokumen_transaksi" | "dokumen_lelang" | "dokumen_pernyataan_jumlah_uang" | "dokumen_penerimaan_uang" | "dokumen_hutang" | "dokumen_lain_lain";
                placements: (components["schemas"]["CoordinatePlacement"] | components["schemas"]["AnchorPlacement"])[];
                /**
                 * @description When the stamp is applied, if there are signers too
                 * @default after_signing
                 * @enum {string}
                 */
                order: "after_signing" | "before_signing";
            };
        };
        TemplateUpload: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file: string;
            /**
             * @description JSON text of TemplateMetadata
             * @example {"name":"Perjanjian Kredit","sign_process":"parallel","visibility":true,"roles":[{"name":"borrower","role":"signer","placements":[{"anchor":"{{sign:borrower}}","offset":{"x":0,"y":-10},"width":150,"height":75,"unit":"pt","occurrence":1}]}]}
             */
            metadata: string;
        };
        TemplateChange: {
            /**
             * Format: binary
             * @description The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)
             */
            file?: string;
            /**
             * @description JSON text of TemplateMetadata
             * @example {"name":"Perjanjian Kredit","sign_process":"parallel","visibility":true,"roles":[{"name":"borrower","role":"signer","placements":[{"anchor":"{{sign:borrower}}","offset":{"x":0,"y":-10},"width":150,"height":75,"unit":"pt","occurrence":1}]}]}
             */
            metadata?: string;
        };
        /**
         * @example {
         *       "page": 1,
         *       "x": 400,
         *       "y": 690,
         *       "width": 150,
         *       "height": 75
         *     }
         */
        TemplateBox: {
            page: number;
            x: number;
            y: number;
            width: number;
            height: number;
        };
        Template: {
            /**
             * Format: uuid
             * @example 0b7c6a0e-3f1d-4c5e-9a7b-2d8e4f6a1c3b
             */
            id: string;
            /** @example Perjanjian Kredit */
            name: string;
            /** @description 1 when created; each PUT adds one */
            version: number;
            /** @enum {string} */
            sign_process: "serial" | "parallel";
            visibility: boolean;
            /**
             * @description SHA-256 of this version's PDF
             * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
             */
            sha256: string;
            size_bytes: number;
            page_count: number;
            roles: {
                /** @example borrower */
                name: string;
                /** @enum {string} */
                role: "signer" | "reviewer";
                /** @description Text tags resolved to points, once */
                placements: components["schemas"]["TemplateBox"][];
            }[];
            e_meterai: {
                /** @example surat_perjanjian */
                category: string;
                /** @enum {string} */
                order: "after_signing" | "before_signing";
                placements: components["schemas"]["TemplateBox"][];
            } | null;
            /**
             * @description Operators only: who created it (`user:<sub>` or `operator:<key id>`)
             * @example user:loan-officer
             */
            owner?: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            created_at: string;
            /**
             * Format: date-time
             * @example 2026-12-07T09:30:00.000Z
             */
            updated_at: string;
        };
        TemplateList: {
            data: components["schemas"]["Template"][];
            next_cursor: string | null;
        };
        Health: {
            /** @enum {string} */
            status: "ok" | "unavailable";
            checks?: {
                [key: string]: "ok" | "failed" | "skipped";
            };
            causes?: {
                [key: string]: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "health.live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    "health.ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Health"];
                };
            };
        };
    };
    "registrations.list": {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next_cursor` of the previous page */
                cursor?: string;
                /** @description Only registrations in this submission state; operators list `unresolved` ones to check with Privy */
                submission?: "in_flight" | "submitted" | "unknown" | "unresolved";
                /** @description Only registrations in this status */
                status?: "pending" | "waiting_otp" | "waiting_verification" | "verified" | "rejected";
                /** @description Only registrations of this type */
                registration_type?: "landing_page" | "privy_ra" | "merchant_ra";
                /** @description Operators only: rows created by this owner (`user:<sub>` or `operator:<key id>`) */
                owner?: string;
                /** @description Only rows created at or after this instant */
                created_after?: string;
                /** @description Only rows created before this instant */
                created_before?: string;
                /** @description Only the row with this reference number */
                reference_number?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegistrationList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "registrations.create": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LandingPageRegistrationRequestInput"] | components["schemas"]["FullRegistrationRequestInput"];
                "multipart/form-data": components["schemas"]["FullRegistrationMultipartRequestInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not enabled for this merchant (`FEATURE_NOT_ENABLED`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "registrations.resend": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegistrationResendRequestInput"];
                "multipart/form-data": components["schemas"]["RegistrationResendMultipartRequestInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "registrations.get": {
        parameters: {
            query?: {
                /** @description Ask Privy for the current status now instead of using a recent copy */
                refresh?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Registration"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "registrations.lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegistrationLookupInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["Registration"][];
                    };
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.list": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                /** @description Only documents in this submission state; operators list `unresolved` ones to check with Privy */
                submission?: "in_flight" | "submitted" | "unknown" | "unresolved";
                /** @description Only documents that read with this status (`pending`: Privy has not confirmed the upload) */
                status?: "pending" | "uploaded" | "processing" | "processing_emeterai" | "completed" | "revoked" | "expired" | "error";
                /** @description Operators only: rows created by this owner (`user:<sub>` or `operator:<key id>`) */
                owner?: string;
                /** @description Only rows created at or after this instant */
                created_after?: string;
                /** @description Only rows created before this instant */
                created_before?: string;
                /** @description Only the row with this reference number */
                reference_number?: string;
                /** @description Users only: documents where it is the caller's turn to sign (open, their signature still waiting, and for serial signing every earlier signer has signed). Not with `status`, `submission` or `owner` */
                awaiting?: "me";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.upload": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DocumentFromTemplateInput"];
                "multipart/form-data": components["schemas"]["DocumentUploadInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.get": {
        parameters: {
            query?: {
                refresh?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.history": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentHistory"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.revoke": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["DocumentRevokeInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Document"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "documents.signedPdf": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.list": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                /** @description Operators only: rows created by this owner (`user:<sub>` or `operator:<key id>`) */
                owner?: string;
                /** @description Only rows created at or after this instant */
                created_after?: string;
                /** @description Only rows created before this instant */
                created_before?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.create": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["TemplateUploadInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.get": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.replace": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["TemplateChangeInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.delete": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "templates.pdf": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": components["schemas"]["Problem"];
                };
            };
        };
    };
    "privyCallbacks.list": {
        parameters: {
            query?: {
                limit?: number;
                /** @description The `next_cursor` of the previous page */
                cursor?: string;
                state?: "received" | "applied" | "ignored" | "rejected" | "failed";
                reference_number?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredPrivyCallbackList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "privyCallbacks.receive": {
        parameters: {
            query?: never;
            header?: {
                /** @description ISO-8601, within 5 minutes of the gateway clock */
                timestamp?: string;
                /** @description Contract §2.3 over the body, with the merchant API key pair */
                signature?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PrivyCallbackInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CallbackReceipt"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "privyCallbacks.reapply": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredPrivyCallback"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "otp.request": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OtpRequestInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OtpRequestAnswer"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OtpRequestAnswer"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see `Retry-After` (`RATE_LIMITED`) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "otp.validate": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OtpValidationInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OtpTransaction"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Default Response */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Default Response */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see `Retry-After` (`RATE_LIMITED`) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "otp.resend": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to retry: the first final answer is kept 72 h and replayed byte for byte (with `Idempotent-Replayed: true`); the same key with different content answers 422; while the first request runs, 409. A UUID v4 per user action is ideal. */
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OtpTransaction"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Default Response */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see `Retry-After` (`RATE_LIMITED`) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy answered with an error, or with an answer the gateway could not read (`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`) */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.listEndpoints": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.createEndpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhookEndpointRequestInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.getEndpoint": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.deleteEndpoint": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.updateEndpoint": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateWebhookEndpointRequestInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.rotateSecret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateWebhookSecretRequestInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointWithSecret"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body or part too large (`PAYLOAD_TOO_LARGE`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.listDeliveries": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                endpoint_id?: string;
                state?: "pending" | "succeeded" | "failed" | "cancelled";
                event_type?: "registration.updated" | "document.updated";
                event_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.getDelivery": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryDetail"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "webhooks.replay": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryDetail"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or not yours (`NOT_FOUND`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflicts with the current state; `code` says which conflict (each one is named in the operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    "events.list": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                /** @description `oldest_first` to catch up from a point in time, in the order things happened */
                order?: "newest_first" | "oldest_first";
                /** @description Only events of this type */
                type?: "registration.updated" | "document.updated";
                /** @description Only events at or after this instant, like the lists: from the `created_at` of the last event you handled, that one comes again (skip it by `id`) and none of the same instant is missed */
                created_after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventList"];
                };
            };
            /** @description The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid bearer token or API key (`UNAUTHENTICATED`) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
