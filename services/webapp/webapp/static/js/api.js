// Talking to the web app's JSON API as the signed-in page: the session cookie, and the CSRF
// token from the page for anything that changes state. Errors carry the server's message.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? ''

export class ApiError extends Error {
  constructor (message, status) {
    super(message)
    this.status = status
  }
}

export async function api (path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET') headers['X-CSRFToken'] = csrfToken
  const response = await fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) })
  if (response.status === 401) {
    window.location.assign(`/signin?next=${encodeURIComponent(window.location.pathname)}`)
    throw new ApiError('Your session ended: please sign in again.', 401)
  }
  const data = response.headers.get('Content-Type')?.includes('json') ? await response.json() : null
  if (!response.ok) throw new ApiError(describe(data) || `The server answered ${response.status}.`, response.status)
  return data
}

// flask-smorest's validation errors name the field: {"errors": {"json": {"name": ["..."]}}}
function describe (data) {
  if (!data) return ''
  if (data.message && !data.errors) return data.message
  const fields = data.errors?.json ?? data.errors ?? {}
  return Object.entries(fields).map(([field, problems]) => `${field}: ${[].concat(problems).join(' ')}`).join('; ') || data.message
}

export const encodePath = (path) => path.split('/').map(encodeURIComponent).join('/')

export function element (tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue
    if (name === 'class') node.className = value
    else if (name === 'text') node.textContent = value
    else if (name === 'style') node.style.cssText = value // CSSOM: allowed by the CSP, unlike style attributes
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value)
    else node.setAttribute(name, value === true ? '' : value)
  }
  node.append(...children.filter((child) => child !== null && child !== undefined))
  return node
}

export function plural (count, one, many = `${one}s`) {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`
}
