// A client's gallery: a fast grid (lazy images, srcset, WebP where the browser takes it), a
// full-screen viewer with the keyboard and swipes (PhotoSwipe), favourites, a comment per photo,
// "Send selection", and the downloads the link allows. Proof galleries only ever get proofs:
// the server decides which image each address leads to.
import PhotoSwipeLightbox from '../vendor/photoswipe/photoswipe-lightbox.esm.min.js'
import { api, element, encodePath, plural } from './api.js'

const root = document.getElementById('gallery')
const token = root.dataset.token
const grid = document.getElementById('gallery-grid')
const message = document.getElementById('gallery-message')
const count = document.getElementById('favourite-count')
const onlyFavourites = document.getElementById('only-favourites')
const base = `/api/g/${token}`
let gallery = null
const items = new Map() // path -> <li>

const image = (photo, size) => `${base}/images/${size}/${encodePath(photo.path)}?v=${photo.job_id}`

function card (photo) {
  const heart = element('button', { type: 'button', class: 'heart', 'aria-pressed': String(photo.favourite), 'aria-label': 'Favourite', title: 'Favourite' })
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

function showCount () {
  const chosen = gallery.photos.filter((p) => p.favourite).length
  count.textContent = chosen
  document.getElementById('send-selection').textContent = chosen ? `Send selection (${chosen})` : 'Send selection'
}

async function toggle (photo, heart) {
  const on = !photo.favourite
  try {
    await api(`${base}/favourites/${encodePath(photo.path)}`, { method: on ? 'PUT' : 'DELETE' })
    photo.favourite = on
    heart.setAttribute('aria-pressed', String(on))
    showCount()
    applyFilter()
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
  message.textContent = error.status === 410 || error.status === 401 ? error.message : `That did not work: ${error.message}`
  if (error.status === 410) root.querySelectorAll('button, a.button, textarea').forEach((node) => { node.disabled = true })
}

function applyFilter () {
  const only = onlyFavourites.getAttribute('aria-pressed') === 'true'
  for (const photo of gallery.photos) items.get(photo.path).hidden = only && !photo.favourite
}

onlyFavourites.addEventListener('click', () => {
  onlyFavourites.setAttribute('aria-pressed', String(onlyFavourites.getAttribute('aria-pressed') !== 'true'))
  applyFilter()
})

document.getElementById('send-selection').addEventListener('click', async () => {
  try {
    const sent = await api(`${base}/selection`, { method: 'POST' })
    message.className = 'gallery-message success'
    message.textContent = `Your selection of ${plural(sent.count, 'photo')} is with the studio. Thank you!`
  } catch (error) { refused(error) }
})

async function load () {
  gallery = await api(base)
  grid.replaceChildren(...gallery.photos.map((photo) => { const li = card(photo); items.set(photo.path, li); return li }))
  document.getElementById('gallery-empty').hidden = gallery.photos.length > 0
  showCount()
  applyFilter()
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
  events.addEventListener('job', () => { clearTimeout(window.reloading); window.reloading = setTimeout(load, 800) })
}).catch(refused)
