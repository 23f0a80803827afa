export type { ActiveContent } from './active-content.js'
export { DEFAULT_MAX_EXPANDED_BYTES, type InspectPdfOptions, inspectPdf, type PdfInfo } from './inspect.js'
export type { PageRotation, PdfBox, PdfPage } from './page-tree.js'
export { FILE_FIELD, METADATA_FIELD } from './pdf-errors.js'
export {
  checkPlacement,
  checkPlacements,
  E_METERAI_SQUARE_TOLERANCE,
  eMeteraiStamp,
  MIN_E_METERAI_DIMENSION,
  type Placement,
  type PlacementKind,
  PlacementSchema,
  type PointBox,
  SIGNATURE_BOX,
  signatureBox,
  toPoints,
} from './placement.js'
