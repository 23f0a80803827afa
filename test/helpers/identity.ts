import type { FullRegistrationRequest } from '@privy-gateway/client'
import sharp from 'sharp'

/** A photo-sized JPEG or PNG with some structure, as a phone camera would not send but a decoder accepts. */
export async function photo(format: 'jpeg' | 'png', width = 640, height = 480, seed = 1): Promise<Buffer> {
  const channels = 3
  const pixels = Buffer.alloc(width * height * channels)
  for (let index = 0; index < pixels.length; index++)
    pixels[index] = (index * seed * 31 + (index >> 7)) & 0xff
  const image = sharp(pixels, { raw: { width, height, channels } })
  return format === 'jpeg' ? image.jpeg({ quality: 80 }).toBuffer() : image.png().toBuffer()
}

let serial = 100

/**
 * A NIK whose birth-date part agrees with `dob` (day + 40 for women). The last four digits drive the
 * simulator's scripted outcome: 0001-0003 soft reject, 0009 hard reject, others verified.
 */
export function nikFor(dob: string, options: { female?: boolean; ending?: string } = {}): string {
  const [year = '', month = '', day = ''] = dob.split('-')
  const dd = String(Number(day) + (options.female ? 40 : 0)).padStart(2, '0')
  const ending = options.ending ?? String(++serial).padStart(4, '0')
  return `317101${dd}${month}${year.slice(2)}${ending}`
}

/** A full registration as JSON, typed as the client sends it (overrides may break it on purpose). */
export async function fullRegistrationJson(
  overrides: Record<string, unknown> = {},
): Promise<FullRegistrationRequest> {
  const dob = '1990-05-17'
  const [ktp, selfie] = await Promise.all([photo('jpeg'), photo('png', 480, 640, 7)])
  return {
    registration_type: 'privy_ra',
    name: 'Siti Aminah',
    email: 'siti.full@example.co.id',
    phone: '6281234567890',
    nik: nikFor(dob, { female: true }),
    dob,
    ktp: ktp.toString('base64'),
    selfie: `data:image/png;base64,${selfie.toString('base64')}`,
    phone_verified: false,
    ...overrides,
  } as FullRegistrationRequest
}
