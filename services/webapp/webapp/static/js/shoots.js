// The shoots page: every shoot with where its photos stand, and a new shoot in one step.
import { api, element, plural } from './api.js'

const list = document.getElementById('shoot-list')
const status = document.getElementById('shoots-status')
const form = document.getElementById('new-shoot-form')
const toggle = document.getElementById('new-shoot')
const nameField = document.getElementById('shoot-name')

function summary (counts) {
  if (!counts.photos) return 'No photos yet'
  const parts = [plural(counts.photos, 'photo')]
  if (counts.processed) parts.push(`${counts.processed.toLocaleString()} ready`)
  if (counts.processing) parts.push(`${counts.processing.toLocaleString()} processing`)
  if (counts.failed) parts.push(`${counts.failed.toLocaleString()} failed`)
  return parts.join(' · ')
}

function card (shoot) {
  const created = shoot.created_at ? new Date(shoot.created_at).toLocaleDateString(undefined, { dateStyle: 'medium' }) : ''
  const done = shoot.counts.photos ? Math.round(100 * shoot.counts.processed / shoot.counts.photos) : 0
  return element('li', { class: `shoot-card${shoot.id === 'unsorted' ? ' unsorted' : ''}` },
    element('a', { href: `/shoots/${shoot.id}`, class: 'shoot-link', text: shoot.name }),
    element('p', { class: 'shoot-counts', text: summary(shoot.counts) }),
    element('div', { class: 'meter', 'aria-hidden': 'true' }, element('span', { style: `width: ${done}%` })),
    element('p', { class: 'muted small', text: created ? `Created ${created}` : 'Photos in folders that are not shoots' }))
}

async function load () {
  try {
    const { shoots } = await api('/api/shoots')
    list.replaceChildren(...shoots.map(card))
    status.textContent = shoots.length ? '' : 'No shoots yet. Make one for your next session.'
  } catch (error) {
    status.textContent = `Could not load the shoots: ${error.message}`
  }
}

function show (open) {
  form.hidden = !open
  toggle.setAttribute('aria-expanded', String(open))
  if (open) nameField.focus()
}

toggle.addEventListener('click', () => show(form.hidden))
document.getElementById('cancel-new-shoot').addEventListener('click', () => show(false))
form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const problem = form.querySelector('.form-error')
  problem.textContent = ''
  try {
    const shoot = await api('/api/shoots', { method: 'POST', body: { name: nameField.value } })
    window.location.assign(`/shoots/${shoot.id}`)
  } catch (error) {
    problem.textContent = error.message
  }
})

load()
