export {
  base64Length,
  decodeBase64Image,
  maxBase64ImageLength,
} from './base64-image.js'
export { DobSchema, dobProblems, EARLIEST_DOB, isRealDate } from './dob.js'
export type { ImageField } from './image-field.js'
export {
  DEFAULT_MAX_IMAGE_PIXELS,
  detectImageFormat,
  type ImageFormat,
  type ImageLimits,
  type InspectedImage,
  inspectImage,
  MIN_IMAGE_SIDE,
} from './images.js'
export {
  checkNikAgainstDob,
  type NikParseResult,
  NikSchema,
  type ParsedNik,
  PROVINCE_CODES,
  parseNik,
} from './nik.js'
