import type {
  DocumentMetadataInput,
  FullRegistrationRequest,
  RegistrationResendRequest,
  TemplateMetadataInput,
} from './types.js'

/**
 * multipart/form-data bodies, built from the same generated shapes as the JSON ones: the images and
 * the PDF go as files (no base64 inflation), the other fields as text.
 */

/** A file's bytes, with an optional name and type (guessed from the bytes when left out). */
export type FileInput =
  | Blob
  | Uint8Array
  | ArrayBuffer
  | { data: Blob | Uint8Array | ArrayBuffer; filename?: string; contentType?: string }

/** A registration with its KTP and selfie as files (`privy_ra` or `merchant_ra`). */
export type RegistrationUpload = Omit<FullRegistrationRequest, 'ktp' | 'selfie'> & {
  ktp: FileInput
  selfie: FileInput
}

/** The corrected fields of a resend, with new images as files. */
export type RegistrationResendUpload = Omit<RegistrationResendRequest, 'ktp' | 'selfie'> & {
  ktp?: FileInput
  selfie?: FileInput
}

/** A PDF to sign and its metadata (sent as the JSON text of the `metadata` part). */
export interface DocumentUpload {
  file: FileInput
  metadata: DocumentMetadataInput
}

const FILE_FIELDS = new Set(['ktp', 'selfie'])

export function registrationForm(upload: RegistrationUpload | RegistrationResendUpload): FormData {
  const form = new FormData()
  for (const [name, value] of Object.entries(upload)) {
    if (value === undefined || FILE_FIELDS.has(name)) continue
    form.set(name, String(value))
  }
  for (const name of FILE_FIELDS) {
    const file = (upload as Record<string, FileInput | undefined>)[name]
    if (file !== undefined) appendFile(form, name, file, name)
  }
  return form
}

export function documentForm(upload: DocumentUpload): FormData {
  const form = new FormData()
  // The gateway reads `metadata` before the file, so it can refuse bad metadata without the upload.
  form.set('metadata', JSON.stringify(upload.metadata))
  appendFile(form, 'file', upload.file, 'document.pdf')
  return form
}

/** A template's PDF and metadata; for a replacement either may be left out (what is left out is kept). */
export interface TemplateUpload {
  file?: FileInput
  metadata?: TemplateMetadataInput
}

export function templateForm(upload: TemplateUpload): FormData {
  const form = new FormData()
  if (upload.metadata !== undefined) form.set('metadata', JSON.stringify(upload.metadata))
  if (upload.file !== undefined) appendFile(form, 'file', upload.file, 'template.pdf')
  return form
}

function appendFile(form: FormData, field: string, input: FileInput, defaultName: string): void {
  const described = isDescribed(input) ? input : { data: input }
  const blob = toBlob(described.data, described.contentType)
  const type = blob.type || sniffType(described.data)
  const withType = type && !blob.type ? new Blob([blob], { type }) : blob
  form.set(field, withType, described.filename ?? fileNameFor(defaultName, type))
}

function isDescribed(input: FileInput): input is Extract<FileInput, { data: unknown }> {
  return typeof input === 'object' && input !== null && 'data' in input && !(input instanceof Blob)
}

function toBlob(data: Blob | Uint8Array | ArrayBuffer, contentType: string | undefined): Blob {
  if (data instanceof Blob) return contentType ? new Blob([data], { type: contentType }) : data
  // Blob copies the view's bytes (only its own range, even of a Buffer in Node's shared pool).
  return new Blob([data as Uint8Array<ArrayBuffer>], contentType ? { type: contentType } : {})
}

/** JPEG, PNG and PDF by their signatures, for a file part's Content-Type. */
function sniffType(data: Blob | Uint8Array | ArrayBuffer): string {
  if (data instanceof Blob) return ''
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
  const startsWith = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte)
  if (startsWith(0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (startsWith(0x89, 0x50, 0x4e, 0x47)) return 'image/png'
  if (startsWith(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'
  return 'application/octet-stream'
}

function fileNameFor(base: string, type: string): string {
  if (base.includes('.')) return base
  if (type === 'image/jpeg') return `${base}.jpg`
  if (type === 'image/png') return `${base}.png`
  return base
}
