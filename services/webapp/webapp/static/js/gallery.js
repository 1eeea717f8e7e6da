// A client's gallery: a fast grid (lazy images, srcset, WebP where the browser takes it) that
// pages as it is scrolled, a full-screen viewer with the keyboard and swipes (PhotoSwipe),
// favourites, a comment per photo, "Submit selection" within the link's rules (how many are left
// to choose; a submitted selection is locked), and the downloads this visitor may have. Proof
// galleries only ever get proofs: the server decides which image each address leads to. A photo
// made ready meanwhile arrives as an event with what the grid needs of it.
import PhotoSwipeLightbox from '../vendor/photoswipe/photoswipe-lightbox.esm.min.js'
import { api, element, encodePath, plural } from './api.js'

const root = document.getElementById('gallery')
const token = root.dataset.token
const grid = document.getElementById('gallery-grid')
const message = document.getElementById('gallery-message')
const count = document.getElementById('favourite-count')
const onlyFavourites = document.getElementById('only-favourites')
const base = `/api/g/${token}`
const more = document.getElementById('gallery-more')
let gallery = null
const photos = new Map() // path -> the gallery's view of the photo
const items = new Map() // path -> <li>
let next = null // where the next page starts; null once every page is in
let loading = null
let favourites = 0 // how many this visitor chose, in all
const rules = document.getElementById('selection-rules')
const lockedNote = document.getElementById('selection-locked')

const image = (photo, size) => `${base}/images/${size}/${encodePath(photo.path)}?v=${photo.job_id}`

function card (photo) {
  const heart = element('button', { type: 'button', class: 'heart', 'aria-pressed': String(photo.favourite), 'aria-label': 'Favourite', title: 'Favourite', disabled: Boolean(gallery.selection_sent_at) })
  heart.addEventListener('click', () => toggle(photo, heart))
  const picture = element('picture', {},
    gallery.proofs ? null : element('source', { type: 'image/webp', srcset: `${image(photo, 'thumb_webp')} 400w, ${image(photo, 'web_webp')} 2048w`, sizes: '(max-width: 600px) 50vw, 300px' }),
    element('img', { src: image(photo, 'thumb'), srcset: `${image(photo, 'thumb')} 400w, ${image(photo, 'web')} 2048w`, sizes: '(max-width: 600px) 50vw, 300px', alt: photo.name, loading: 'lazy', width: photo.width, height: photo.height }))
  const open = element('a', { href: image(photo, 'web'), class: 'open', 'data-pswp-width': viewWidth(photo), 'data-pswp-height': viewHeight(photo), 'aria-label': `View ${photo.name}` }, picture)
  const comment = element('textarea', { rows: 2, maxlength: 2000, 'aria-label': 'Comment', placeholder: 'A note for the studio…' })
  const said = element('ul', { class: 'said' }, ...photo.comments.map((c) => element('li', { text: c.body })))
  const send = element('button', { type: 'button', class: 'secondary small', text: 'Send comment' })
  send.addEventListener('click', () => addComment(photo, comment, said))
  const actions = element('div', { class: 'card-actions' }, heart)
  if (gallery.downloads !== 'none') actions.append(element('a', { class: 'link-button small', href: `${base}/downloads/${encodePath(photo.path)}`, download: '', text: 'Download' }))
  return element('li', { class: 'gallery-item', 'aria-label': photo.name },
    open,
    element('div', { class: 'card-body' },
      element('div', { class: 'card-line' }, element('span', { class: 'name', text: photo.name }), actions),
      element('details', { class: 'comment' }, element('summary', { text: photo.comments.length ? `Comments (${photo.comments.length})` : 'Comment' }),
        said, comment, send)))
}

// the viewer shows the web-size image: at most 2048 on the long side
function viewWidth (photo) { return Math.round(photo.width * Math.min(1, 2048 / Math.max(photo.width, photo.height))) }
function viewHeight (photo) { return Math.round(photo.height * Math.min(1, 2048 / Math.max(photo.width, photo.height))) }

const day = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })

// the rules in words: "Choose 3 to 5 · 2 more to choose", "1 left", "by 12 Jun 2030, 18:00"
function showCount () {
  count.textContent = favourites
  const submit = document.getElementById('send-selection')
  submit.textContent = favourites ? `Submit selection (${favourites})` : 'Submit selection'
  const { min, max, deadline } = gallery.selection
  const parts = []
  if (min && max) parts.push(min === max ? `Choose ${min}` : `Choose ${min} to ${max}`)
  else if (min) parts.push(`Choose at least ${min}`)
  else if (max) parts.push(`Choose up to ${max}`)
  if (min && favourites < min) parts.push(`${min - favourites} more to choose`)
  else if (max) parts.push(favourites >= max ? 'no more left to choose' : `${max - favourites} left to choose`)
  if (deadline) parts.push(`by ${day(deadline)}`)
  rules.textContent = parts.join(' · ')
  const locked = Boolean(gallery.selection_sent_at)
  root.classList.toggle('locked', locked)
  lockedNote.hidden = !locked
  if (locked) lockedNote.textContent = `You submitted your selection of ${plural(favourites, 'photo')} on ${day(gallery.selection_sent_at)}. It is locked now: ask the studio to reopen it if you want to change it.`
  submit.disabled = locked
  root.querySelectorAll('.heart').forEach((heart) => { heart.disabled = locked })
}

async function toggle (photo, heart) {
  const on = !photo.favourite
  try {
    const answer = await api(`${base}/favourites/${encodePath(photo.path)}`, { method: on ? 'PUT' : 'DELETE' })
    photo.favourite = on
    favourites = answer.favourites
    gallery.selection = answer.selection
    heart.setAttribute('aria-pressed', String(on))
    showCount()
    if (!on && onlyFavourites.getAttribute('aria-pressed') === 'true') items.get(photo.path).hidden = true
  } catch (error) { refused(error) }
}

async function addComment (photo, field, list) {
  if (!field.value.trim()) return
  try {
    const made = await api(`${base}/comments/${encodePath(photo.path)}`, { method: 'POST', body: { body: field.value } })
    photo.comments.push(made)
    list.append(element('li', { text: made.body }))
    field.value = ''
    message.textContent = `Your comment on ${photo.name} is with the studio.`
  } catch (error) { refused(error) }
}

function refused (error) {
  message.className = 'gallery-message warning'
  message.textContent = [401, 409, 410, 423].includes(error.status) ? error.message : `That did not work: ${error.message}`
  if (error.status === 410) { // withdrawn or expired: nothing here works any more, and it looks so
    root.classList.add('withdrawn')
    root.querySelectorAll('button, textarea').forEach((node) => { node.disabled = true })
  }
}

onlyFavourites.addEventListener('click', () => {
  onlyFavourites.setAttribute('aria-pressed', String(onlyFavourites.getAttribute('aria-pressed') !== 'true'))
  load().catch(refused) // the server pages by the filter
})

// --- Download all: ZIP files built in S3; the page shows their progress, then their links -------

const delivery = document.getElementById('delivery')
let asked = null // the archive this page asked for

const size = (bytes) => bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`

function showDelivery (archive) {
  asked = archive
  delivery.hidden = false
  const text = document.getElementById('delivery-text')
  const bar = document.getElementById('delivery-progress')
  const list = document.getElementById('delivery-parts')
  const form = document.getElementById('delivery-email')
  if (archive.state === 'ready') {
    text.textContent = archive.parts.length === 1
      ? `Your download is ready: ${plural(archive.entries, 'photo')}, ${size(archive.bytes_total)}.`
      : `Your download is ready, in ${archive.parts.length} files (${plural(archive.entries, 'photo')}, ${size(archive.bytes_total)}):`
    bar.hidden = true
    form.hidden = true
    list.replaceChildren(...archive.parts.map((part) => element('li', {},
      element('a', { class: 'button', href: part.url, download: part.name, text: archive.parts.length === 1 ? `Download (${size(part.bytes)})` : `${part.name} (${size(part.bytes)})` }))))
  } else if (archive.state === 'failed') {
    text.textContent = 'The download could not be prepared. Try again in a moment.'
    bar.hidden = true
    form.hidden = true
    list.replaceChildren()
    document.getElementById('download-all').disabled = false
  } else {
    const percent = archive.bytes_total ? Math.floor((100 * archive.bytes_done) / archive.bytes_total) : 0
    text.textContent = `Preparing your download of ${plural(archive.entries, 'photo')} (${size(archive.bytes_total)}): ${percent}%`
    bar.hidden = false
    bar.value = percent
    list.replaceChildren()
  }
}

async function askForArchive (email = null) {
  try {
    showDelivery(await api(`${base}/archives`, { method: 'POST', body: { email } }))
    document.getElementById('download-all').disabled = asked.state !== 'failed'
  } catch (error) { refused(error) }
}

document.getElementById('download-all')?.addEventListener('click', () => askForArchive())
document.getElementById('delivery-email').addEventListener('submit', async (event) => {
  event.preventDefault()
  await askForArchive(document.getElementById('delivery-address').value)
  message.className = 'gallery-message success'
  message.textContent = 'We will email you when your download is ready.'
})
// while it is prepared, its progress comes as events; every few seconds it is asked for too
setInterval(async () => {
  if (asked?.state !== 'building') return
  try { showDelivery(await api(`${base}/archives/${asked.id}`)) } catch { /* the next tick asks again */ }
}, 5000)

document.getElementById('send-selection').addEventListener('click', async () => {
  try {
    const sent = await api(`${base}/selection`, { method: 'POST' })
    gallery.selection_sent_at = sent.sent_at
    showCount()
    message.className = 'gallery-message success'
    message.textContent = `Your selection of ${plural(sent.count, 'photo')} is with the studio. Thank you!`
  } catch (error) { refused(error) }
})

function show (photo, { append = true } = {}) {
  const old = items.get(photo.path)
  photos.set(photo.path, photo)
  const li = card(photo)
  if (old) old.replaceWith(li)
  else if (append) grid.append(li)
  else return
  items.set(photo.path, li)
}

function query () {
  const params = new URLSearchParams()
  if (next) params.set('after', next)
  if (onlyFavourites.getAttribute('aria-pressed') === 'true') params.set('favourites', 'true')
  return params
}

async function loadPage () {
  loading ??= (async () => {
    try {
      const page = await api(`${base}/photos?${query()}`)
      for (const photo of page.photos) show(photo)
      next = page.next
      more.hidden = !next
    } finally { loading = null }
  })()
  return loading
}

async function load () {
  next = null
  gallery = await api(`${base}?${query()}`)
  photos.clear()
  items.clear()
  grid.replaceChildren()
  for (const photo of gallery.photos) show(photo)
  next = gallery.next
  more.hidden = !next
  favourites = gallery.favourites
  document.getElementById('gallery-empty').hidden = gallery.photos.length > 0
  showCount()
}

// the next page comes as the end of the grid comes into sight
new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting) && next) loadPage().catch(refused)
}, { rootMargin: '1500px 0px' }).observe(more)

// a photo made ready (or made again with a new look): its card, kept or added at the end once
// every page is in (else its page brings it)
function arrived (photo) {
  if (!photo.renditions.includes(gallery.proofs ? 'proof' : 'web')) return
  const known = photos.get(photo.path)
  if (onlyFavourites.getAttribute('aria-pressed') === 'true' && !known) return
  show({ favourite: false, comments: [], ...known, ...photo }, { append: Boolean(known) || !next })
  document.getElementById('gallery-empty').hidden = photos.size > 0
}

const lightbox = new PhotoSwipeLightbox({
  gallery: '#gallery-grid', children: 'a.open', showHideAnimationType: 'fade', bgOpacity: 0.96,
  // room around the photo on a wide screen for the arrows and counter; edge to edge on a phone
  paddingFn: (viewport) => viewport.x < 700 ? { top: 0, bottom: 0, left: 0, right: 0 } : { top: 56, bottom: 56, left: 72, right: 72 },
  pswpModule: () => import('../vendor/photoswipe/photoswipe.esm.min.js'),
})
// opened by a tap or a click, PhotoSwipe leaves the focus behind; the viewer takes the keyboard
lightbox.on('openingAnimationEnd', () => lightbox.pswp.element.focus())
lightbox.init()

load().then(() => {
  const events = new EventSource(`${base}/events`)
  events.addEventListener('photo', (message) => arrived(JSON.parse(message.data)))
  events.addEventListener('archive', (message) => {
    const archive = JSON.parse(message.data)
    if (archive.id === asked?.id) showDelivery({ ...archive, parts: archive.state === 'ready' ? asked.parts : [] })
    if (archive.id === asked?.id && archive.state === 'ready') api(`${base}/archives/${archive.id}`).then(showDelivery) // signed links
  })
  // the studio withdrew the link (or changed its PIN): say so, as the next request would
  events.addEventListener('ended', () => { events.close(); load().catch(refused) })
}).catch(refused)
