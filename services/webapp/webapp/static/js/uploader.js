// Uploads straight to S3 with Uppy: a presigned PUT for most photos, S3 multipart (a signature
// per part, a failed part sent again alone) above MULTIPART_BYTES. The web app signs every
// request: the first one of a photo registers it (key, type, size, look) and returns a grant
// for the rest. A few files at a time; Uppy retries failed requests, then the page offers Retry.
import { AwsS3, Uppy } from '../vendor/uppy/uppy.min.js'
import { api } from './api.js'

const MB = 1024 * 1024
export const MULTIPART_BYTES = 64 * MB
const PART_BYTES = 16 * MB
const MAX_BYTES = 200 * MB

// What the first bytes say, for files the browser gives no type (an iPhone's .HEIC, a camera's
// file without its extension).
const SIGNATURES = [
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x89, 0x50, 0x4e, 0x47], 'image/png'],
  [[0x49, 0x49, 0x2a, 0x00], 'image/tiff'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'image/tiff'],
]
const TYPES_BY_EXTENSION = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', tif: 'image/tiff', tiff: 'image/tiff', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif', hif: 'image/heif' }

export async function photoType (file) {
  const accepted = new Set(Object.values(TYPES_BY_EXTENSION))
  if (accepted.has(file.type)) return file.type
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer())
  for (const [bytes, type] of SIGNATURES) if (bytes.every((b, i) => head[i] === b)) return type
  const ascii = String.fromCharCode(...head)
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'image/webp'
  if (ascii.slice(4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1|hevc|heim|heis)/.test(ascii.slice(8, 12))) return 'image/heic'
  return TYPES_BY_EXTENSION[file.name.split('.').pop().toLowerCase()] ?? null
}

export function createUploader (shootId, { onAdded, onProgress, onUploaded, onFailed, onBatch, onComplete }) {
  const pending = new Map() // placeholder key -> Uppy file, until the web app names its real key
  const grants = new Map() // real key -> grant for its later requests

  async function sign (request, tries = 3) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await signOnce(request)
      } catch (error) {
        if (attempt >= tries || (error.status && error.status < 500)) throw error
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
      }
    }
  }

  async function signOnce (request) {
    const file = pending.get(request.key)
    if (file && !request.uploadId) { // the first request of a photo: register it
      const grant = await api(`/api/shoots/${shootId}/uploads`, {
        method: 'POST', body: { filename: file.name, size: file.size, content_type: file.meta.photoType },
      })
      grants.set(grant.key, grant.grant)
      uppy.setFileMeta(file.id, { key: grant.key })
      onAdded?.(file, grant.key)
      if (request.method === 'PUT') return { url: grant.url, key: grant.key, headers: grant.headers }
      return api(`/api/shoots/${shootId}/uploads/sign`, { method: 'POST', body: { method: 'POST', key: grant.key, grant: grant.grant } })
    }
    const key = file ? uppy.getFile(file.id).meta.key : request.key
    return api(`/api/shoots/${shootId}/uploads/sign`, {
      method: 'POST',
      body: { method: request.method, key, grant: grants.get(key), uploadId: request.uploadId, partNumber: request.partNumber },
    })
  }

  const uppy = new Uppy({ autoProceed: false, restrictions: { maxFileSize: MAX_BYTES } })
    .use(AwsS3, {
      limit: 4,
      shouldUseMultipart: (file) => file.size > MULTIPART_BYTES,
      getChunkSize: () => PART_BYTES,
      generateObjectKey: (file) => {
        const placeholder = `pending/${file.id}`
        pending.set(placeholder, file)
        return placeholder
      },
      signRequest: sign,
    })

  uppy.on('upload-progress', (file, progress) => onProgress?.(file, progress.bytesUploaded, progress.bytesTotal))
  uppy.on('upload-success', (file) => onUploaded?.(uppy.getFile(file.id)))
  uppy.on('upload-error', (file, error) => onFailed?.(file, error))
  uppy.on('progress', (percent) => onBatch?.(percent))
  uppy.on('complete', (result) => onComplete?.(result))

  return {
    async add (files) {
      const added = []
      const refused = []
      for (const file of files) {
        const type = await photoType(file)
        if (!type) { refused.push(`${file.name}: not a photo we take (JPEG, PNG, TIFF, WebP, HEIC)`); continue }
        if (file.size > MAX_BYTES) { refused.push(`${file.name}: larger than 200 MB`); continue }
        try {
          const id = uppy.addFile({ name: file.name, type, data: file, meta: { photoType: type } })
          added.push(uppy.getFile(id))
        } catch (error) {
          refused.push(`${file.name}: ${error.message}`)
        }
      }
      return { added, refused }
    },
    start: () => uppy.upload(),
    retry: (fileId) => uppy.retryUpload(fileId),
    retryAll: () => uppy.retryAll(),
    clear: () => uppy.clear(),
    uploading: () => uppy.getFiles().some((f) => f.progress.uploadStarted && !f.progress.uploadComplete && !f.error),
  }
}
