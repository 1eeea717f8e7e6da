// The studio page: the rights every delivered photo carries and the galleries' brand.
import { api, ApiError } from './api.js'

const form = document.getElementById('studio-form')
const status = document.getElementById('studio-status')
const problem = form.querySelector('.form-error')
const accent = document.getElementById('accent')
const accentValue = document.getElementById('accent-value')
const preview = document.getElementById('logo-preview')
const noLogo = document.getElementById('no-logo')
const logoFile = document.getElementById('logo-file')
const logoRemove = document.getElementById('logo-remove')
const TEXTS = ['name', 'creator', 'notice', 'email', 'phone', 'address', 'city', 'country', 'url']
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp']
const MAX_LOGO = 1024 * 1024

function show (settings) {
  for (const name of TEXTS) form.elements[name].value = settings[name]
  // an empty field means the default: shown as its placeholder
  form.elements.name.placeholder = settings.effective.name
  form.elements.creator.placeholder = settings.effective.name
  form.elements.notice.placeholder = `© {year} ${settings.effective.name}`
  accent.value = accentValue.value = settings.effective.accent
  preview.hidden = !settings.has_logo
  noLogo.hidden = settings.has_logo
  logoRemove.hidden = !settings.has_logo
  if (settings.has_logo) preview.src = `/studio/logo?v=${settings.version}`
}

function say (text) {
  status.textContent = text
  problem.textContent = ''
}

function fail (error) {
  status.textContent = ''
  problem.textContent = error instanceof ApiError ? error.message : 'Something went wrong; try again.'
}

accent.addEventListener('input', () => { accentValue.value = accent.value })

form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const body = Object.fromEntries(TEXTS.map((name) => [name, form.elements[name].value.trim()]))
  body.accent = accent.value
  try {
    show(await api('/api/studio', { method: 'PUT', body }))
    say('Saved. Photos you upload from now on carry these details.')
  } catch (error) { fail(error) }
})

logoFile.addEventListener('change', async () => {
  const file = logoFile.files[0]
  logoFile.value = ''
  if (!file) return
  if (!LOGO_TYPES.includes(file.type)) return fail(new ApiError(`${file.name} is not a PNG, JPEG or WebP image.`))
  if (file.size > MAX_LOGO) return fail(new ApiError(`${file.name} is larger than 1 MB.`))
  try {
    const csrf = document.querySelector('meta[name="csrf-token"]').content
    const response = await fetch('/api/studio/logo', { method: 'PUT', body: file, headers: { 'Content-Type': file.type, 'X-CSRFToken': csrf, Accept: 'application/json' } })
    const data = await response.json()
    if (!response.ok) throw new ApiError(data.message || `The server answered ${response.status}.`, response.status)
    show(data)
    say('Logo saved.')
  } catch (error) { fail(error) }
})

logoRemove.addEventListener('click', async () => {
  try {
    show(await api('/api/studio/logo', { method: 'DELETE' }))
    say('Logo removed.')
  } catch (error) { fail(error) }
})

api('/api/studio').then(show, fail)
