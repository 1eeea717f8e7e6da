// The shoot's client galleries: make a share link per client, see what each one chose and said
// as it happens, export the selection for Lightroom, change or revoke a link.
import { api, element, plural } from './api.js'

const DOWNLOADS = { none: 'no downloads', web: 'web-size downloads', full: 'full-size downloads' }

export function createSharing (shootId) {
  const list = document.getElementById('links')
  const form = document.getElementById('share-form')
  const toggle = document.getElementById('share')
  const base = `/api/shoots/${shootId}/links`
  const open = new Set() // links whose feedback is shown

  function describe (link) {
    const parts = [link.state === 'active' ? (link.proofs ? 'proofs' : 'photos') : link.state, DOWNLOADS[link.downloads]]
    if (link.pin) parts.push('PIN')
    if (link.expires_at) parts.push(`until ${new Date(link.expires_at).toLocaleDateString(undefined, { dateStyle: 'medium' })}`)
    return parts.join(' · ')
  }

  function item (link) {
    const urlId = `share-url-${link.id}`
    const url = element('input', { id: urlId, readonly: true, value: link.url, class: 'share-url' })
    const copy = element('button', { type: 'button', class: 'ghost small', text: 'Copy',
      onclick: async () => { url.select(); await navigator.clipboard?.writeText(link.url).catch(() => {}); copy.textContent = 'Copied' } })
    const said = element('div', { class: 'feedback', hidden: !open.has(link.id) })
    const counts = element('button', { type: 'button', class: 'link-button small', 'aria-expanded': String(open.has(link.id)),
      text: `♥ ${link.favourites} · ${plural(link.comments, 'comment')} · ${link.selections ? 'selection sent' : 'no selection yet'}` })
    counts.addEventListener('click', async () => {
      const showing = !open.has(link.id)
      showing ? open.add(link.id) : open.delete(link.id)
      counts.setAttribute('aria-expanded', String(showing))
      said.hidden = !showing
      if (showing) await fill(said, link)
    })
    if (open.has(link.id)) fill(said, link)
    const li = element('li', { class: `share-link ${link.state}`, 'aria-label': link.name },
      element('div', { class: 'link-head' }, element('strong', { text: link.name }), element('span', { class: 'muted small', text: describe(link) })),
      element('label', { for: urlId, class: 'small', text: 'Share URL' }),
      element('div', { class: 'url-row' }, url, copy),
      counts, said)
    if (link.state === 'active') {
      li.append(element('div', { class: 'link-actions' },
        element('a', { class: 'link-button small', href: `${base}/${link.id}/selection.csv`, text: 'Selection (CSV)' }),
        element('a', { class: 'link-button small', href: `${base}/${link.id}/selection.txt`, text: 'File names for Lightroom' }),
        element('button', { type: 'button', class: 'ghost small danger', text: 'Revoke',
          onclick: async () => { await api(`${base}/${link.id}/revoke`, { method: 'POST' }); load() } })))
    }
    return li
  }

  async function fill (box, link) {
    const feedback = await api(`${base}/${link.id}/feedback`)
    box.replaceChildren(
      element('p', { class: 'small', text: feedback.favourites.length ? `Favourites: ${feedback.favourites.map((p) => p.name).join(', ')}` : 'No favourites yet.' }),
      ...feedback.comments.map((c) => element('p', { class: 'small comment-line' }, element('strong', { text: `${c.name}: ` }), c.body)),
      ...feedback.selections.map((s) => element('p', { class: 'small muted', text: `Selection of ${plural(s.keys.length, 'photo')} sent ${new Date(s.sent_at).toLocaleString()}` })))
  }

  async function load () {
    const { links } = await api(base)
    list.replaceChildren(...links.slice().reverse().map(item))
  }

  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden
    toggle.setAttribute('aria-expanded', String(!form.hidden))
    if (!form.hidden) document.getElementById('link-name').focus()
  })

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const problem = form.querySelector('.form-error')
    problem.textContent = ''
    const expires = document.getElementById('link-expires').value
    try {
      await api(base, { method: 'POST', body: {
        name: document.getElementById('link-name').value,
        expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
        pin: document.getElementById('link-pin').value || null,
        downloads: document.getElementById('link-downloads').value,
        proofs: document.getElementById('link-proofs').checked,
      } })
      form.reset()
      form.hidden = true
      toggle.setAttribute('aria-expanded', 'false')
      await load()
      // the new link is first; the side column scrolls on its own, so bring it into sight, ready to copy
      const made = list.firstElementChild
      made?.scrollIntoView({ block: 'nearest' })
      made?.querySelector('.share-url')?.select()
    } catch (error) {
      problem.textContent = error.message
    }
  })

  load()
  return { heard: () => load() }
}
