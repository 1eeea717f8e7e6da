// The shoot page: upload photos, watch each one processed, choose a look, download.
// The grid is the shoot as the API pages it (the first screen at once, the rest as the page is
// scrolled); live events (server-sent) carry each changed photo's whole view, so a change updates
// its card without asking the API again. Nothing here holds a URL longer than a click.
import { api, element, encodePath, plural } from './api.js'
import { createEditor } from './editor.js'
import { createSharing } from './sharing.js'
import { createUploader, unfinished } from './uploader.js'

const root = document.getElementById('shoot')
const shootId = root.dataset.shootId
const grid = document.getElementById('photos-grid')
const title = document.getElementById('shoot-title')
const counts = document.getElementById('shoot-counts')
const empty = document.getElementById('empty')
const more = document.getElementById('more')
const uploadMessage = document.getElementById('upload-message')
const input = document.getElementById('photos')
const uploadButton = document.getElementById('upload-button')
const batch = document.getElementById('batch')
const batchBar = document.getElementById('batch-progress')
const selectAll = document.getElementById('select-all')
const selectionCount = document.getElementById('selection-count')

const REASONS = JSON.parse(root.dataset.reasons) // photo_jobs.records.REASONS, written into the page
const PAGE = 120
const photos = new Map() // key -> the API's view of the photo
const items = new Map() // key or Uppy file id -> its <li>
const selected = new Set()
let shoot = null
let filter = 'all'
let next = null // where the next page starts; null once every page is in
let loading = null

const rendition = (photo, name, kind = 'renditions') =>
  `/api/shoots/${shootId}/${kind}/${name}/${encodePath(photo.path)}?v=${photo.job_id}`

// --- the grid --------------------------------------------------------------------------------

function statusText (photo) {
  if (photo.outdated) return 'Processing the new look'
  if (photo.status === 'processed') return 'Ready'
  if (photo.status === 'failed') return `Failed: ${REASONS[photo.error?.reason] ?? photo.error?.reason ?? 'unknown'}`
  return 'Processing'
}

function photoItem (photo) {
  const ready = photo.renditions.includes('thumb')
  const state = photo.outdated ? 'processing' : photo.status
  const item = element('li', { class: `photo ${state}`, 'aria-label': photo.name, 'data-status': state, 'data-key': photo.key, 'data-favourites': photo.favourites ?? 0 })
  const thumb = ready
    ? element('img', { src: rendition(photo, 'thumb'), alt: photo.name, loading: 'lazy', decoding: 'async', width: 400, height: 300 })
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

// what the current filter keeps (the server pages by the same rule; live changes are judged here)
function kept (photo) {
  if (filter === 'all') return true
  if (filter === 'favourites') return (photo.favourites ?? 0) > 0
  return (photo.outdated ? 'processing' : photo.status) === filter
}

function show (photo, { append = true } = {}) {
  photos.set(photo.key, photo)
  const old = items.get(photo.key)
  if (!kept(photo)) { old?.remove(); items.delete(photo.key); return }
  const item = photoItem(photo)
  if (old) old.replaceWith(item)
  else if (append) grid.append(item)
  else return
  items.set(photo.key, item)
  empty.hidden = items.size > 0
}

function showCounts () {
  const c = shoot?.counts
  counts.textContent = c?.photos
    ? [plural(c.photos, 'photo'), `${c.processed.toLocaleString()} ready`, c.processing && `${c.processing.toLocaleString()} processing`,
        c.failed && `${c.failed.toLocaleString()} failed`].filter(Boolean).join(' · ')
    : ''
  empty.hidden = items.size > 0 || (c?.photos ?? 0) > 0
}

// a photo's new state moves the counts at once where the page knew its old one; the server's counts
// follow (a photo not loaded yet, one uploaded elsewhere)
const COUNTED = ['processed', 'processing', 'failed'] // the rows' statuses, as the server counts them
function counted (before, after) {
  const c = shoot?.counts
  if (!c || !before || before.status === after.status || !COUNTED.includes(before.status) || !COUNTED.includes(after.status)) return
  c[before.status] = Math.max(0, c[before.status] - 1)
  c[after.status] += 1
  showCounts()
}

let countsDue = null
function recount () { // a change moved the counts: asked again, at most every two seconds
  countsDue ??= setTimeout(async () => {
    countsDue = null
    try { shoot.counts = (await api(`/api/shoots/${shootId}`)).counts; showCounts() } catch { /* the next change asks again */ }
  }, 2000)
}

function query () {
  const params = new URLSearchParams({ limit: String(PAGE) })
  if (next) params.set('after', next)
  if (filter === 'favourites') params.set('favourites', 'true')
  else if (filter !== 'all') params.set('status', filter)
  return params
}

async function loadPage () {
  loading ??= (async () => {
    const page = await api(`/api/shoots/${shootId}/photos?${query()}`)
    for (const photo of page.photos) show(photo)
    next = page.next
    more.hidden = !next
    loading = null
  })()
  return loading
}

async function load () {
  shoot = await api(`/api/shoots/${shootId}`)
  title.textContent = shoot.name
  document.title = `${shoot.name} · VividArt Studio`
  grid.replaceChildren(...[...items].filter(([id]) => !photos.has(id)).map(([, item]) => item)) // uploads in progress stay
  for (const key of [...items.keys()]) if (photos.has(key)) items.delete(key)
  photos.clear()
  next = null
  await loadPage()
  showCounts()
  editor.setShoot(shoot)
  keepGps.checked = Boolean(shoot.keep_gps)
}

// the next page comes as the end of the grid comes into sight
new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting) && next) loadPage().catch(() => {})
}, { rootMargin: '1200px 0px' }).observe(more)

async function retry (photo) {
  await api(`/api/shoots/${shootId}/retries/${encodePath(photo.path)}`, { method: 'POST' })
  show({ ...photo, status: 'processing', error: null })
}

// --- live events -----------------------------------------------------------------------------

function listen () {
  const events = new EventSource(`/api/shoots/${shootId}/events`)
  let first = true
  events.addEventListener('photo', (message) => {
    const photo = JSON.parse(message.data)
    counted(photos.get(photo.key), photo)
    // a photo not on the page yet shows at the end once every page is in (else its page brings it)
    show(photo, { append: photos.has(photo.key) || !next })
    recount()
  })
  events.addEventListener('archive', async (message) => {
    const archive = JSON.parse(message.data)
    if (archive.id !== exported?.id) return
    showExport(archive.state === 'ready' ? await api(`/api/shoots/${shootId}/archives/${archive.id}`) : archive)
  })
  events.addEventListener('feedback', (message) => {
    const said = JSON.parse(message.data)
    sharing.heard(said)
    const photo = photos.get(said.key)
    if (said.what === 'favourite' && photo) show({ ...photo, favourites: said.favourites })
  })
  events.addEventListener('open', () => {
    if (!first) load() // reconnected: whatever happened meanwhile, the listing has it
    first = false
  })
  // signed out (here or elsewhere), or the session ended: the next call takes the page to sign-in
  events.addEventListener('ended', () => { events.close(); api('/api/me').catch(() => {}) })
}

// --- selection and filters -------------------------------------------------------------------

function selectionChanged () {
  selectionCount.textContent = selected.size ? `${plural(selected.size, 'photo')} selected` : ''
  selectAll.checked = selected.size > 0 && selected.size === items.size
  editor.setSelection([...selected].map((key) => photos.get(key)).filter(Boolean))
}

selectAll.addEventListener('change', () => {
  selected.clear()
  if (selectAll.checked) for (const key of items.keys()) if (photos.has(key)) selected.add(key)
  for (const [key, item] of items) { const box = item.querySelector('.pick'); if (box) box.checked = selected.has(key) }
  selectionChanged()
})

for (const chip of document.querySelectorAll('[data-filter]')) {
  chip.addEventListener('click', () => {
    filter = chip.dataset.filter
    for (const other of document.querySelectorAll('[data-filter]')) other.setAttribute('aria-pressed', String(other === chip))
    load().catch((error) => { counts.textContent = error.message }) // the server pages by the filter
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
  onProgress: (file, sent, total) => {
    const item = items.get(file.id)
    if (!item) return
    item.querySelector('progress').value = Math.round((100 * sent) / Math.max(total, 1))
    item.querySelector('.status').textContent = 'Uploading'
  },
  onUploaded: (photo) => { // in: its uploading card becomes the photo's own
    const item = items.get(photo.key)
    if (item && !photos.has(photo.key)) { items.delete(photo.key); item.remove() }
    show(photo)
    recount()
  },
  onInAlready: () => {},
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
  uploadMessage.className = 'upload-message'
  uploadMessage.textContent = `Getting ${plural(files.length, 'photo')} ready…`
  const { added, refused, inAlready } = await uploader.add(files)
  for (const file of added) {
    const item = uploadingItem(file)
    items.set(file.meta.key, item)
    items.set(file.id, item)
    grid.prepend(item)
  }
  empty.hidden = items.size > 0
  batchSize += added.length
  batch.hidden = batchSize === 0
  const resumed = added.filter((file) => file.resumed).length
  document.getElementById('batch-text').textContent = `Uploading ${plural(batchSize, 'photo')}` +
    (resumed ? ` (${resumed} resumed where ${resumed === 1 ? 'it' : 'they'} stopped)` : '')
  const notes = []
  if (inAlready) notes.push(`${plural(inAlready, 'photo')} ${inAlready === 1 ? 'is' : 'are'} in the shoot already: skipped`)
  if (refused.length) notes.push(`Not uploaded: ${refused.join('; ')}`)
  uploadMessage.className = `upload-message${refused.length ? ' warning' : ''}`
  uploadMessage.textContent = notes.join('. ')
  document.getElementById('unfinished').hidden = true
  if (start && added.length) uploader.start()
}

// uploads this browser started and did not finish (a tab closed, a network lost): say so, so
// that adding the same files again resumes them
const cut = shootId === 'unsorted' ? [] : unfinished(shootId)
if (cut.length) {
  const note = document.getElementById('unfinished')
  note.hidden = false
  note.textContent = `${plural(cut.length, 'upload')} did not finish (${cut.slice(0, 3).map((u) => u.name).join(', ')}${cut.length > 3 ? '…' : ''}). ` +
    'Add the same files again: they carry on from where they stopped.'
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

// --- the shoot at full size, as ZIP files built in S3 -------------------------------------------

let exported = null
const size = (bytes) => bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`

function showExport (archive) {
  exported = archive
  document.getElementById('export-panel').hidden = false
  const text = document.getElementById('export-text')
  const bar = document.getElementById('export-progress')
  const list = document.getElementById('export-parts')
  bar.hidden = archive.state !== 'building'
  if (archive.state === 'ready') {
    text.textContent = `${plural(archive.entries, 'photo')} at full size, ${size(archive.bytes_total)}:`
    list.replaceChildren(...archive.parts.map((part) => element('li', {},
      element('a', { class: 'button small', href: part.url, download: part.name, text: `${part.name} (${size(part.bytes)})` }))))
  } else if (archive.state === 'failed') {
    text.textContent = `The download could not be prepared: ${archive.error ?? 'try again'}`
    list.replaceChildren()
  } else {
    const percent = archive.bytes_total ? Math.floor((100 * archive.bytes_done) / archive.bytes_total) : 0
    text.textContent = `Preparing ${plural(archive.entries, 'photo')} at full size (${size(archive.bytes_total)}): ${percent}%`
    bar.value = percent
  }
}

document.getElementById('export').addEventListener('click', async () => {
  try {
    showExport(await api(`/api/shoots/${shootId}/archives`, { method: 'POST', body: {} }))
  } catch (error) {
    document.getElementById('export-panel').hidden = false
    document.getElementById('export-text').textContent = error.message
  }
})

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

// --- the location in clients' copies ----------------------------------------------------------

const keepGps = document.getElementById('keep-gps')
const keepGpsStatus = document.getElementById('keep-gps-status')
keepGps.addEventListener('change', async () => {
  keepGps.disabled = true
  try {
    shoot = { ...shoot, ...(await api(`/api/shoots/${shootId}`, { method: 'PATCH', body: { keep_gps: keepGps.checked } })) }
    keepGpsStatus.textContent = shoot.keep_gps
      ? 'Photos uploaded from now on keep their location in every copy.'
      : 'Photos uploaded from now on have their location stripped from every copy.'
  } catch (error) {
    keepGps.checked = !keepGps.checked
    keepGpsStatus.textContent = error.message
  } finally {
    keepGps.disabled = false
  }
})

// --- the look --------------------------------------------------------------------------------

const editor = createEditor(shootId, {
  photos: () => [...photos.values()],
  onApplied: () => {}, // each edited photo's event brings its new state
})

const sharing = createSharing(shootId)

if (shootId === 'unsorted') {
  document.getElementById('export').hidden = true
  document.getElementById('upload').hidden = true
  document.getElementById('rename').hidden = true
  document.getElementById('sharing').hidden = true
}
load().then(listen).catch((error) => { title.textContent = 'This shoot could not be loaded'; counts.textContent = error.message })
