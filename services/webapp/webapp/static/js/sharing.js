// The shoot's client galleries: make a share link per client (with its guests' link, visitors'
// names, proofing rules), see who chose and said what as it happens, and what each visitor did
// (the activity, also as CSV), reopen a submitted selection, export the selection for Lightroom,
// change or revoke a link; the clients' emails of a link, and "Email the gallery" to them (the
// reminders follow by themselves).
import { api, element, plural } from './api.js'

const DOWNLOADS = { none: 'no downloads', web: 'web-size downloads', full: 'full-size downloads' }
// A proofs link gives only watermarked files: its downloads are the web-size proofs, never the
// clean full size (the web app refuses that combination too).
const PROOF_DOWNLOADS = { none: 'None', web: 'Web size (watermarked)' }
const DELIVERY_DOWNLOADS = { none: 'None', web: 'Web size', full: 'Full size' }

export function createSharing (shootId) {
  const list = document.getElementById('links')
  const form = document.getElementById('share-form')
  const toggle = document.getElementById('share')
  const base = `/api/shoots/${shootId}/links`
  const open = new Set() // links whose feedback is shown

  function describe (link) {
    const downloads = link.proofs && link.downloads !== 'none' ? 'watermarked downloads' : DOWNLOADS[link.downloads]
    const parts = [link.state === 'active' ? (link.proofs ? 'proofs' : 'delivery') : link.state, downloads]
    if (link.pin) parts.push('PIN')
    if (link.min_selection || link.max_selection) parts.push(`choose ${link.min_selection ?? 1}–${link.max_selection ?? 'any'}`)
    if (link.selection_deadline) parts.push(`by ${new Date(link.selection_deadline).toLocaleDateString(undefined, { dateStyle: 'medium' })}`)
    if (link.expires_at) parts.push(`until ${new Date(link.expires_at).toLocaleDateString(undefined, { dateStyle: 'medium' })}`)
    return parts.join(' · ')
  }

  // "a@x.com, b@y.org" or one a line: the addresses; the web app checks each one (and names a wrong one whole).
  const addresses = (text) => text.split(/[\n,;]+/).map((a) => a.trim()).filter(Boolean)

  async function sendReady (link, status) {
    const { emailed } = await api(`${base}/${link.id}/ready`, { method: 'POST' })
    status.textContent = emailed.length ? `Emailed to ${emailed.join(', ')}` : 'Everyone here has it already.'
  }

  function recipients (link) {
    const boxId = `recipients-${link.id}`
    const status = element('p', { class: 'small muted', role: 'status' })
    const untold = link.recipients.filter((r) => !link.told.includes(r))
    const shown = link.recipients.length
      ? element('ul', { class: 'recipient-list' }, ...link.recipients.map((r) => element('li', { class: 'small' },
        element('span', { class: 'address', text: r }),
        element('span', { class: link.told.includes(r) ? 'told' : 'muted', text: link.told.includes(r) ? '✓ sent' : 'not sent yet' }))))
      : element('p', { class: 'small muted', text: 'No client email yet: add one to send the gallery and its reminders.' })
    const input = element('textarea', { id: boxId, rows: '2', class: 'recipients-input', spellcheck: 'false', autocomplete: 'off' })
    input.value = link.recipients.join(', ')
    const problem = element('p', { class: 'form-error', role: 'alert' })
    const editor = element('form', { class: 'stack recipients-form', hidden: true },
      element('label', { for: boxId, class: 'small', text: 'Client emails (up to 10)' }), input,
      element('div', { class: 'link-actions' }, element('button', { type: 'submit', class: 'secondary small', text: 'Save' }),
        element('button', { type: 'button', class: 'link-button small', text: 'Cancel', onclick: () => { editor.hidden = true } })),
      problem)
    editor.addEventListener('submit', async (event) => {
      event.preventDefault()
      try {
        await api(`${base}/${link.id}`, { method: 'PATCH', body: { recipients: addresses(input.value) } })
        load()
      } catch (error) { problem.textContent = error.message }
    })
    const actions = element('div', { class: 'link-actions' },
      element('button', { type: 'button', class: 'link-button small', text: link.recipients.length ? 'Change emails' : 'Add emails',
        onclick: () => { editor.hidden = false; input.focus() } }),
      untold.length
        ? element('button', { type: 'button', class: 'secondary small', text: `Email the gallery (${untold.length})`,
          onclick: async () => { try { await sendReady(link, status); load() } catch (error) { status.textContent = error.message } } })
        : null)
    return element('div', { class: 'recipients' }, element('strong', { class: 'small', text: 'Client emails' }), shown, actions, editor, status)
  }

  function item (link) {
    const urlId = `share-url-${link.id}`
    const url = element('input', { id: urlId, readonly: true, value: link.url, class: 'share-url' })
    const copy = element('button', { type: 'button', class: 'ghost small', text: 'Copy',
      onclick: async () => { url.select(); await navigator.clipboard?.writeText(link.url).catch(() => {}); copy.textContent = 'Copied' } })
    const guestId = `guest-url-${link.id}`
    const guestUrl = element('input', { id: guestId, readonly: true, value: link.guest_url, class: 'share-url' })
    const guestCopy = element('button', { type: 'button', class: 'ghost small', text: 'Copy',
      onclick: async () => { guestUrl.select(); await navigator.clipboard?.writeText(link.guest_url).catch(() => {}); guestCopy.textContent = 'Copied' } })
    const said = element('div', { class: 'feedback', hidden: !open.has(link.id) })
    const counts = element('button', { type: 'button', class: 'link-button small', 'aria-expanded': String(open.has(link.id)),
      text: `${link.visitors ? `${plural(link.visitors, 'visitor')} · ` : ''}♥ ${link.favourites} · ${plural(link.comments, 'comment')} · ${link.selections ? 'selection sent' : 'no selection yet'}` })
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
      element('label', { for: guestId, class: 'small', text: link.guests === 'download' ? 'Guest link (view and download)' : 'Guest link (view only)' }),
      element('div', { class: 'url-row' }, guestUrl, guestCopy),
      counts, said)
    if (link.state === 'active') li.append(recipients(link))
    if (link.locked) {
      li.append(element('div', { class: 'locked-note', role: 'note' },
        element('span', { text: `Locked after ${plural(link.pin_failures, 'wrong PIN')}: no new browser can open it.` }),
        element('button', { type: 'button', class: 'ghost small', text: 'Reopen',
          onclick: async () => { await api(`${base}/${link.id}/lock`, { method: 'DELETE' }); load() } })))
    }
    if (link.state === 'active') {
      li.append(element('div', { class: 'link-actions' },
        element('a', { class: 'link-button small', href: `${base}/${link.id}/selection.csv`, text: 'Selection (CSV)' }),
        element('a', { class: 'link-button small', href: `${base}/${link.id}/selection.txt`, text: 'File names for Lightroom' }),
        element('a', { class: 'link-button small', href: `${base}/${link.id}/activity.csv`, text: 'Activity (CSV)' }),
        element('button', { type: 'button', class: 'ghost small danger', text: 'Revoke',
          onclick: async () => { await api(`${base}/${link.id}/revoke`, { method: 'POST' }); load() } })))
    }
    return li
  }

  const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })
  const ACTIONS = { viewed: 'opened the gallery', favourited: 'chose', unfavourited: 'unchose', commented: 'commented on', downloaded: 'downloaded', 'downloaded all': 'asked for Download all', submitted: 'submitted their selection', reopened: 'had their selection reopened' }

  // each visitor: who, their role, their picks, whether their selection is submitted (and Reopen)
  function person (link, visitor) {
    const head = element('div', { class: 'visitor-head' }, element('strong', { text: visitor.name }),
      element('span', { class: 'role', text: visitor.role }), visitor.email ? element('span', { class: 'muted', text: visitor.email }) : null)
    const li = element('li', { class: 'visitor', 'aria-label': visitor.name }, head,
      element('span', { class: 'picks', text: visitor.picks.length ? `Picks (${visitor.picks.length}): ${visitor.picks.map((p) => p.name).join(', ')}` : 'No picks yet.' }))
    if (visitor.submitted_at) {
      li.append(element('span', {}, element('span', { class: 'locked', text: `Submitted ${when(visitor.submitted_at)} · locked ` }),
        element('button', { type: 'button', class: 'ghost small', text: 'Reopen selection',
          onclick: async () => { await api(`${base}/${link.id}/visitors/${visitor.id}/reopen`, { method: 'POST' }); load() } })))
    }
    return li
  }

  async function fill (box, link) {
    const [feedback, { activity }] = await Promise.all([api(`${base}/${link.id}/feedback`), api(`${base}/${link.id}/activity?limit=50`)])
    const people = feedback.visitors.filter((v) => !v.main || v.email || v.picks.length || v.submitted_at)
    box.replaceChildren(
      element('h3', { text: 'Visitors' }),
      people.length ? element('ul', { class: 'visitors', 'aria-label': 'Visitors' }, ...people.map((v) => person(link, v))) : element('p', { class: 'small', text: 'No visitors yet.' }),
      ...feedback.comments.map((c) => element('p', { class: 'small comment-line' }, element('strong', { text: `${c.visitor} on ${c.name}: ` }), c.body)),
      ...feedback.selections.map((s) => element('p', { class: 'small muted', text: `${s.visitor} submitted ${plural(s.keys.length, 'photo')} ${when(s.sent_at)}` })),
      element('h3', { text: 'Activity' }),
      activity.length
        ? element('ul', { class: 'activity', 'aria-label': 'Activity' }, ...activity.map((a) => element('li', {},
          element('time', { datetime: a.at, text: when(a.at) }),
          element('span', { text: `${a.name} ${ACTIONS[a.action] ?? a.action}${a.photo ? ` ${a.photo.name}` : ''}` }))))
        : element('p', { class: 'small', text: 'Nothing yet.' }))
  }

  async function load () {
    const { links } = await api(base)
    list.replaceChildren(...links.slice().reverse().map(item))
  }

  const downloads = document.getElementById('link-downloads')
  function offerDownloads () {
    const choices = document.getElementById('link-proofs').checked ? PROOF_DOWNLOADS : DELIVERY_DOWNLOADS
    const chosen = downloads.value in choices ? downloads.value : 'none'
    downloads.replaceChildren(...Object.entries(choices).map(([value, label]) => element('option', { value, text: label })))
    downloads.value = chosen
  }
  for (const mode of form.querySelectorAll('input[name="link-mode"]')) mode.addEventListener('change', offerDownloads)
  form.addEventListener('reset', () => setTimeout(offerDownloads))
  offerDownloads()

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
    const deadline = document.getElementById('link-deadline').value
    try {
      const made = await api(base, { method: 'POST', body: {
        name: document.getElementById('link-name').value,
        expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
        pin: document.getElementById('link-pin').value || null,
        downloads: downloads.value,
        proofs: document.getElementById('link-proofs').checked,
        recipients: addresses(document.getElementById('link-recipients').value),
        ask_visitors: document.getElementById('link-ask-visitors').checked,
        guests: document.getElementById('link-guests-download').checked ? 'download' : 'view',
        min_selection: Number(document.getElementById('link-min').value) || null,
        max_selection: Number(document.getElementById('link-max').value) || null,
        selection_deadline: deadline ? new Date(deadline).toISOString() : null,
      } })
      if (made.recipients.length && document.getElementById('link-send-ready').checked) {
        await api(`${base}/${made.id}/ready`, { method: 'POST' })
      }
      form.reset()
      form.hidden = true
      toggle.setAttribute('aria-expanded', 'false')
      await load()
      // the new link is first; the side column scrolls on its own, so bring it into sight, ready to copy
      const shown = list.firstElementChild
      shown?.scrollIntoView({ block: 'nearest' })
      shown?.querySelector('.share-url')?.select()
    } catch (error) {
      problem.textContent = error.message
    }
  })

  load()
  return { heard: () => load() }
}
