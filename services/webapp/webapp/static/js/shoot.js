// The shoot page: upload photos, watch each one processed, choose a look, download.
// The grid is the shoot as the API tells it; live events (server-sent) say which photo changed,
// and the page asks the API for that photo again. Nothing here holds a URL longer than a click.
import { api, element, encodePath, plural } from './api.js'
import { createEditor } from './editor.js'
import { createSharing } from './sharing.js'
import { createUploader } from './uploader.js'

const root = document.getElementById('shoot')
const shootId = root.dataset.shootId
const grid = document.getElementById('photos-grid')
const title = document.getElementById('shoot-title')
const counts = document.getElementById('shoot-counts')
const empty = document.getElementById('empty')
const uploadMessage = document.getElementById('upload-message')
const input = document.getElementById('photos')
const uploadButton = document.getElementById('upload-button')
const batch = document.getElementById('batch')
const batchBar = document.getElementById('batch-progress')
const selectAll = document.getElementById('select-all')
const selectionCount = document.getElementById('selection-count')

const REASONS = {
  corrupt: 'the file is damaged', unsupported: 'not a photo format we read', too_large: 'too large to process',
  invalid_spec: 'the edit settings are not valid', unprocessable: 'could not be processed',
  gave_up: 'kept failing: try again',
}
const photos = new Map() // key -> the API's view of the photo
const items = new Map() // key or Uppy file id -> its <li>
const selected = new Set()
let shoot = null
let filter = 'all'

const path = (key) => key.slice(key.indexOf(`/${shootId}/`) + shootId.length + 2)
const rendition = (photo, name, kind = 'renditions') =>
  `/api/shoots/${shootId}/${kind}/${name}/${encodePath(photo.path)}?v=${photo.job_id}`

// --- the grid --------------------------------------------------------------------------------

function statusText (photo) {
  if (photo.status === 'processed') return photo.outdated ? 'Processing the new look' : 'Ready'
  if (photo.status === 'failed') return `Failed: ${REASONS[photo.error?.reason] ?? photo.error?.reason ?? 'unknown'}`
  return photo.outdated ? 'Processing the new look' : 'Processing'
}

function photoItem (photo) {
  const ready = photo.renditions.includes('thumb')
  const state = photo.outdated ? 'processing' : photo.status
  const item = element('li', { class: `photo ${state}`, 'aria-label': photo.name, 'data-status': state, 'data-key': photo.key, 'data-favourites': photo.favourites ?? 0 })
  const thumb = ready
    ? element('img', { src: rendition(photo, 'thumb'), alt: photo.name, loading: 'lazy', width: 400, height: 300 })
    : element('div', { class: 'placeholder', 'aria-hidden': 'true' }, element('span', { class: 'spinner' }))
  const box = element('input', { type: 'checkbox', class: 'pick', 'aria-label': `Select ${photo.name}`, checked: selected.has(photo.key) })
  const hearts = photo.favourites ? element('span', { class: 'hearts', title: `Favourite of ${plural(photo.favourites, 'client')}`, text: `♥ ${photo.favourites}` }) : null
  box.addEventListener('change', () => { box.checked ? selected.add(photo.key) : selected.delete(photo.key); selectionChanged() })
  const actions = element('div', { class: 'actions' })
  if (ready) {
    actions.append(element('a', { class: 'button small', href: rendition(photo, 'full', 'downloads'), download: '', text: 'Download' }))
  }
  if (photo.status === 'failed' && photo.error?.reason === 'gave_up') {
    actions.append(element('button', { type: 'button', class: 'secondary small', text: 'Try again', onclick: () => retry(photo) }))
  }
  item.append(
    element('div', { class: 'thumb' }, thumb, box, hearts),
    element('div', { class: 'caption' },
      element('span', { class: 'name', title: photo.name, text: photo.name }),
      element('span', { class: 'line' },
        element('span', { class: `status ${state}`, title: photo.error?.message ?? '', text: statusText(photo) }),
        photo.look && photo.preset !== 'original' ? element('span', { class: 'look', text: photo.look }) : null)),
    actions)
  return item
}

function place (key, item) {
  const old = items.get(key)
  if (old) old.replaceWith(item)
  else grid.append(item)
  items.set(key, item)
  applyFilter(item)
}

function applyFilter (item) {
  if (filter === 'favourites') item.hidden = !(Number(item.dataset.favourites) > 0)
  else item.hidden = filter !== 'all' && item.dataset.status !== filter
}

function showCounts () {
  const all = [...photos.values()]
  const ready = all.filter((p) => p.status === 'processed' && !p.outdated).length
  const failed = all.filter((p) => p.status === 'failed').length
  const busy = all.length - ready - failed
  counts.textContent = all.length
    ? [plural(all.length, 'photo'), `${ready} ready`, busy && `${busy} processing`, failed && `${failed} failed`].filter(Boolean).join(' · ')
    : ''
  empty.hidden = items.size > 0
}

function show (photo) {
  photos.set(photo.key, photo)
  place(photo.key, photoItem(photo))
  showCounts()
}

async function load () {
  shoot = await api(`/api/shoots/${shootId}`)
  title.textContent = shoot.name
  document.title = `${shoot.name} · VividArt Studio`
  for (const photo of shoot.photos) show(photo)
  showCounts()
  editor.setShoot(shoot)
}

async function refresh (key) {
  try {
    show(await api(`/api/shoots/${shootId}/photos/${encodePath(path(key))}`))
  } catch (error) {
    if (error.status === 404) { items.get(key)?.remove(); items.delete(key); photos.delete(key); showCounts() }
  }
}

async function retry (photo) {
  await api(`/api/shoots/${shootId}/retries/${encodePath(photo.path)}`, { method: 'POST' })
  show({ ...photo, status: 'processing', error: null })
}

// --- live events -----------------------------------------------------------------------------

function listen () {
  const events = new EventSource(`/api/shoots/${shootId}/events`)
  let first = true
  events.addEventListener('job', (message) => refresh(JSON.parse(message.data).key))
  events.addEventListener('feedback', (message) => {
    const said = JSON.parse(message.data)
    sharing.heard(said)
    if (said.what === 'favourite') refresh(said.key)
  })
  events.addEventListener('open', () => {
    if (!first) load() // reconnected: whatever happened meanwhile, the listing has it
    first = false
  })
}

// --- selection and filters -------------------------------------------------------------------

function selectionChanged () {
  selectionCount.textContent = selected.size ? `${plural(selected.size, 'photo')} selected` : ''
  selectAll.checked = selected.size > 0 && selected.size === photos.size
  editor.setSelection([...selected].map((key) => photos.get(key)).filter(Boolean))
}

selectAll.addEventListener('change', () => {
  selected.clear()
  if (selectAll.checked) for (const key of photos.keys()) selected.add(key)
  for (const [key, item] of items) { const box = item.querySelector('.pick'); if (box) box.checked = selected.has(key) }
  selectionChanged()
})

for (const chip of document.querySelectorAll('[data-filter]')) {
  chip.addEventListener('click', () => {
    filter = chip.dataset.filter
    for (const other of document.querySelectorAll('[data-filter]')) other.setAttribute('aria-pressed', String(other === chip))
    for (const item of items.values()) applyFilter(item)
  })
}

// --- uploads ---------------------------------------------------------------------------------

function uploadingItem (file) {
  const bar = element('progress', { max: 100, value: 0, 'aria-label': file.name })
  return element('li', { class: 'photo uploading', 'aria-label': file.name, 'data-status': 'processing' },
    element('div', { class: 'thumb' }, element('div', { class: 'placeholder', 'aria-hidden': 'true' }, element('span', { class: 'upload-arrow' }))),
    element('div', { class: 'caption' },
      element('span', { class: 'name', title: file.name, text: file.name }),
      element('span', { class: 'status processing', text: 'Waiting to upload' })),
    element('div', { class: 'progress-row' }, bar))
}

let batchSize = 0
const uploader = createUploader(shootId, {
  onAdded: (file, key) => {
    const item = items.get(file.id)
    if (item) { item.dataset.key = key; items.set(key, item) }
  },
  onProgress: (file, sent, total) => {
    const item = items.get(file.id)
    if (!item) return
    item.querySelector('progress').value = Math.round((100 * sent) / Math.max(total, 1))
    item.querySelector('.status').textContent = 'Uploading'
  },
  onUploaded: (file) => {
    const item = items.get(file.id)
    if (!item) return
    item.querySelector('progress').value = 100
    item.querySelector('.status').textContent = 'Processing'
    const key = file.meta.key
    if (!photos.has(key)) refresh(key) // the API knows it now: the item becomes the photo's own
  },
  onFailed: (file, error) => {
    const item = items.get(file.id)
    if (!item) return
    item.classList.add('failed')
    item.querySelector('.status').textContent = `Upload failed: ${error?.message ?? 'no connection'}`
    const row = item.querySelector('.progress-row')
    row.replaceChildren(element('button', { type: 'button', class: 'secondary small', text: 'Retry upload',
      onclick: () => { item.classList.remove('failed'); row.replaceChildren(element('progress', { max: 100, value: 0, 'aria-label': file.name })); uploader.retry(file.id) } }))
  },
  onBatch: (percent) => {
    if (!batchSize) return // Uppy reports once more after the batch is cleared
    batchBar.value = percent
    document.getElementById('batch-percent').textContent = `${percent}%`
  },
  onComplete: (result) => {
    const done = result.successful.length
    const failed = result.failed.length
    if (!failed) { batchBar.value = 100; document.getElementById('batch-percent').textContent = '100%' }
    document.getElementById('batch-text').textContent = `${plural(done, 'photo')} uploaded${failed ? `, ${failed} failed` : ''}`
    uploadMessage.className = `upload-message ${failed ? 'warning' : 'success'}`
    uploadMessage.textContent = failed
      ? `${plural(done, 'photo')} uploaded; ${plural(failed, 'upload')} failed. Use “Retry upload” on each, or drop them again.`
      : `All ${plural(done, 'photo')} uploaded successfully. They appear below as they are processed.`
    uploader.clear()
    batchSize = 0
  },
})

async function addFiles (files, start) {
  if (!files.length) return
  const { added, refused } = await uploader.add(files)
  for (const file of added) place(file.id, uploadingItem(file))
  showCounts()
  batchSize += added.length
  batch.hidden = batchSize === 0
  document.getElementById('batch-text').textContent = `Uploading ${plural(batchSize, 'photo')}`
  uploadMessage.className = `upload-message${refused.length ? ' warning' : ''}`
  uploadMessage.textContent = refused.length ? `Not uploaded: ${refused.join('; ')}` : ''
  if (start && added.length) uploader.start()
}

input.addEventListener('change', () => { uploadButton.disabled = input.files.length === 0 })
document.getElementById('upload-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  uploadButton.disabled = true
  await addFiles([...input.files], true)
  input.value = ''
})

const dropzone = document.getElementById('upload')
for (const name of ['dragenter', 'dragover']) dropzone.addEventListener(name, (event) => { event.preventDefault(); dropzone.classList.add('dragging') })
for (const name of ['dragleave', 'drop']) dropzone.addEventListener(name, () => dropzone.classList.remove('dragging'))
dropzone.addEventListener('drop', (event) => { event.preventDefault(); addFiles([...event.dataTransfer.files], true) })
window.addEventListener('beforeunload', (event) => { if (uploader.uploading()) event.preventDefault() })

// --- renaming --------------------------------------------------------------------------------

const renameForm = document.getElementById('rename-form')
document.getElementById('rename').addEventListener('click', () => {
  renameForm.hidden = false
  document.getElementById('new-name').value = shoot?.name ?? ''
  document.getElementById('new-name').focus()
})
document.getElementById('cancel-rename').addEventListener('click', () => { renameForm.hidden = true })
renameForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const renamed = await api(`/api/shoots/${shootId}`, { method: 'PATCH', body: { name: document.getElementById('new-name').value } })
  shoot.name = renamed.name
  title.textContent = renamed.name
  renameForm.hidden = true
})

// --- the look --------------------------------------------------------------------------------

const editor = createEditor(shootId, {
  photos: () => [...photos.values()],
  onApplied: (keys) => {
    for (const key of keys) {
      const photo = photos.get(key)
      if (photo) show({ ...photo, status: 'processing', outdated: photo.renditions.length > 0, error: null })
    }
  },
})

const sharing = createSharing(shootId)

if (shootId === 'unsorted') {
  document.getElementById('upload').hidden = true
  document.getElementById('rename').hidden = true
  document.getElementById('sharing').hidden = true
}
load().then(listen).catch((error) => { title.textContent = 'This shoot could not be loaded'; counts.textContent = error.message })
