// Uploads straight to S3 with Uppy: a presigned PUT for most photos, S3 multipart (a signature
// per part, each part's exact size signed, a failed part sent again alone) above MULTIPART_BYTES.
// Files are registered with the web app in batches as they are added: each gets its key and a
// grant for its requests, or is known already (in: skipped) or cut short (a tab closed, the
// network lost, a laptop asleep: resumed from the parts S3 holds). When an upload is in, the web
// app is told, and the photo shows up at once, processing.
import { AwsS3, Uppy } from '../vendor/uppy/uppy.min.js'
import { api } from './api.js'

// The limits are the shared library's (photo_jobs.limits), written into the page by the web app:
// each part is signed with its exact size, so the cut here must be the same.
const limits = document.getElementById('upload-limits')?.dataset ?? {}
export const MULTIPART_BYTES = Number(limits.multipartBytes)
const PART_BYTES = Number(limits.partBytes)
const MAX_BYTES = Number(limits.maxBytes)
const BATCH = 200 // files registered per request
const UNFINISHED = 'vividart.unfinished' // localStorage: what was cut short, to say so after a reload

// The photo formats we take: generated from services/photo_jobs/photo_jobs/formats.py
// (`python -m photo_jobs.formats` prints these two lines; a unit test holds the two equal).
const FORMATS = [{"name":"JPEG","mime":"image/jpeg","extensions":["jpg","jpeg","jpe"],"raw":false,"signatures":[[[0,"ffd8ff"]]]},{"name":"PNG","mime":"image/png","extensions":["png"],"raw":false,"signatures":[[[0,"89504e470d0a1a0a"]]]},{"name":"WebP","mime":"image/webp","extensions":["webp"],"raw":false,"signatures":[[[0,"52494646"],[8,"57454250"]]]},{"name":"HEIC","mime":"image/heic","extensions":["heic"],"raw":false,"signatures":[[[4,"6674797068656963"]],[[4,"6674797068656978"]],[[4,"667479706d696631"]],[[4,"667479706d736631"]],[[4,"6674797068657663"]],[[4,"667479706865696d"]],[[4,"6674797068656973"]]]},{"name":"HEIF","mime":"image/heif","extensions":["heif","hif"],"raw":false,"signatures":[[[4,"6674797068656963"]],[[4,"6674797068656978"]],[[4,"667479706d696631"]],[[4,"667479706d736631"]],[[4,"6674797068657663"]],[[4,"667479706865696d"]],[[4,"6674797068656973"]]]},{"name":"CR2","mime":"image/x-canon-cr2","extensions":["cr2"],"raw":true,"signatures":[[[0,"49492a00"],[8,"43520200"]]]},{"name":"CR3","mime":"image/x-canon-cr3","extensions":["cr3"],"raw":true,"signatures":[[[4,"6674797063727820"]]]},{"name":"RAF","mime":"image/x-fuji-raf","extensions":["raf"],"raw":true,"signatures":[[[0,"46554a4946494c4d4343442d52415720"]]]},{"name":"TIFF","mime":"image/tiff","extensions":["tif","tiff"],"raw":false,"signatures":[[[0,"49492a00"]],[[0,"4d4d002a"]]]},{"name":"NEF","mime":"image/x-nikon-nef","extensions":["nef"],"raw":true,"signatures":[[[0,"49492a00"]],[[0,"4d4d002a"]]]},{"name":"ARW","mime":"image/x-sony-arw","extensions":["arw"],"raw":true,"signatures":[[[0,"49492a00"]],[[0,"4d4d002a"]]]},{"name":"DNG","mime":"image/x-adobe-dng","extensions":["dng"],"raw":true,"signatures":[[[0,"49492a00"]],[[0,"4d4d002a"]]]}]
const PHOTO_KINDS = "JPEG, PNG, WebP, HEIC, HEIF, TIFF and RAW (CR2, CR3, RAF, NEF, ARW, DNG)"

function matches (head, signature) {
  return signature.every(([at, hex]) => hex.match(/../g).every((byte, i) => head[at + i] === parseInt(byte, 16)))
}

// The browser's type when it is one we take; else what the first bytes say (an iPhone's .HEIC,
// a camera's file without its type), the name choosing within one container (a .nef is a TIFF
// too); else what the name says. As photo_jobs.formats.sniff does.
export async function photoType (file) {
  if (FORMATS.some((format) => format.mime === file.type)) return file.type
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer())
  const extension = file.name.includes('.') ? file.name.split('.').pop().toLowerCase() : ''
  const named = FORMATS.find((format) => format.extensions.includes(extension))
  const found = FORMATS.find((format) => format.signatures.some((signature) => matches(head, signature)))
  if (!found) return named?.mime ?? null
  if (named && JSON.stringify(named.signatures) === JSON.stringify(found.signatures)) return named.mime
  return found.mime
}

// the uploads of this shoot that were cut short, as this browser remembers them
export function unfinished (shootId) {
  try { return JSON.parse(localStorage.getItem(UNFINISHED) ?? '{}')[shootId] ?? [] } catch { return [] }
}

function remember (shootId, name, key, done) {
  try {
    const all = JSON.parse(localStorage.getItem(UNFINISHED) ?? '{}')
    const mine = (all[shootId] ?? []).filter((entry) => entry.key !== key)
    if (!done) mine.push({ key, name })
    if (mine.length) all[shootId] = mine.slice(-500); else delete all[shootId]
    localStorage.setItem(UNFINISHED, JSON.stringify(all))
  } catch { /* private browsing: nothing to remember with */ }
}

export function createUploader (shootId, { onProgress, onUploaded, onInAlready, onFailed, onBatch, onComplete }) {
  const grants = new Map() // key -> the grant its requests are signed with
  const finished = [] // keys uploaded, not yet told to the web app
  let telling = null

  async function sign (request, tries = 3) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await api(`/api/shoots/${shootId}/uploads/sign`, {
          method: 'POST',
          body: { method: request.method, key: request.key, grant: grants.get(request.key), uploadId: request.uploadId, partNumber: request.partNumber },
        })
      } catch (error) {
        if (attempt >= tries || (error.status && error.status < 500)) throw error
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
      }
    }
  }

  // the uploads that are in, told to the web app a batch at a time: each photo shows up processing
  function tell () {
    telling ??= (async () => {
      while (finished.length) {
        const keys = finished.splice(0, BATCH)
        try {
          const { photos } = await api(`/api/shoots/${shootId}/uploads/done`, { method: 'POST', body: { keys } })
          for (const photo of photos) onUploaded?.(photo)
        } catch { /* the processor's own event will show them */ }
      }
      telling = null
    })()
  }

  const uppy = new Uppy({ autoProceed: false, restrictions: { maxFileSize: MAX_BYTES } })
    .use(AwsS3, {
      limit: 4,
      shouldUseMultipart: (file) => file.size > MULTIPART_BYTES,
      getChunkSize: () => PART_BYTES,
      generateObjectKey: (file) => file.meta.key,
      signRequest: sign,
    })

  uppy.on('upload-progress', (file, progress) => onProgress?.(file, progress.bytesUploaded, progress.bytesTotal))
  uppy.on('upload-success', (file) => {
    const key = uppy.getFile(file.id)?.meta.key ?? file.meta.key
    remember(shootId, file.name, key, true)
    finished.push(key)
    tell()
  })
  uppy.on('upload-error', (file, error) => onFailed?.(file, error))
  uppy.on('progress', (percent) => onBatch?.(percent))
  uppy.on('complete', (result) => onComplete?.(result))

  return {
    // Register the files with the web app; each is added to the upload, skipped (in already) or
    // set to resume. Returns what was added, and what was refused with why.
    async add (files) {
      const candidates = []
      const refused = []
      for (const file of files) {
        const type = await photoType(file)
        if (!type) { refused.push(`${file.name}: not a photo we take (${PHOTO_KINDS})`); continue }
        if (file.size > MAX_BYTES) { refused.push(`${file.name}: larger than ${Math.round(MAX_BYTES / 2 ** 20)} MB`); continue }
        candidates.push({ file, type })
      }
      const added = []
      let inAlready = 0
      for (let at = 0; at < candidates.length; at += BATCH) {
        const batch = candidates.slice(at, at + BATCH)
        const { uploads } = await api(`/api/shoots/${shootId}/uploads/batch`, {
          method: 'POST',
          body: { files: batch.map(({ file, type }) => ({ filename: file.name, size: file.size, content_type: type, modified: file.lastModified })) },
        })
        uploads.forEach((grant, n) => {
          const { file, type } = batch[n]
          if (grant.status === 'uploaded') { inAlready++; onInAlready?.(file, grant.key); return }
          grants.set(grant.key, grant.grant)
          try {
            const id = uppy.addFile({ name: file.name, type, data: file, meta: { photoType: type, key: grant.key } })
            if (grant.status === 'resume') uppy.setFileState(id, { s3Multipart: { uploadId: grant.upload_id, key: grant.key } })
            remember(shootId, file.name, grant.key, false)
            added.push({ ...uppy.getFile(id), resumed: grant.status === 'resume' ? grant.parts.length : 0 })
          } catch (error) {
            refused.push(`${file.name}: ${error.message}`)
          }
        })
      }
      return { added, refused, inAlready }
    },
    start: () => uppy.upload(),
    retry: (fileId) => uppy.retryUpload(fileId),
    retryAll: () => uppy.retryAll(),
    clear: () => uppy.clear(),
    uploading: () => uppy.getFiles().some((f) => f.progress.uploadStarted && !f.progress.uploadComplete && !f.error),
  }
}
