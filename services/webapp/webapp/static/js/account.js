// The account page: where you are signed in, your API tokens, your password.
import { api, element } from './api.js'

const status = document.getElementById('account-status')
const sessionList = document.getElementById('session-list')
const tokenList = document.getElementById('token-list')

const when = (iso) => iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : ''
const day = (iso) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' })

// "Chrome on Linux" from a user agent: enough to tell one's own browsers apart
function browserName (agent) {
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']].find(([mark]) => agent.includes(mark))?.[1]
  const system = [['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Android', 'Android'], ['Mac OS', 'macOS'], ['Windows', 'Windows'], ['Linux', 'Linux']].find(([mark]) => agent.includes(mark))?.[1]
  if (!browser && !system) return agent ? agent.slice(0, 60) : 'A browser'
  return [browser ?? 'A browser', system && `on ${system}`].filter(Boolean).join(' ')
}

function sessionItem (session) {
  const label = browserName(session.user_agent)
  return element('li', { class: 'account-row', 'aria-label': label },
    element('div', {},
      element('p', { class: 'row-title' }, label, session.current ? element('span', { class: 'badge', text: 'this browser' }) : null),
      element('p', { class: 'muted small', text: `Signed in ${when(session.created_at)} · last active ${when(session.last_seen_at)}${session.address ? ` · ${session.address}` : ''}` })),
    session.current ? null : element('button', {
      class: 'ghost small', type: 'button', text: 'Sign out',
      onclick: () => act(() => api(`/api/account/sessions/${session.id}`, { method: 'DELETE' }), 'That browser is signed out.'),
    }))
}

function tokenState (token) {
  if (token.revoked_at) return `revoked ${day(token.revoked_at)}`
  if (token.expires_at && new Date(token.expires_at) <= new Date()) return `expired ${day(token.expires_at)}`
  return token.expires_at ? `expires ${day(token.expires_at)}` : 'never expires'
}

function tokenItem (token) {
  const live = !token.revoked_at && !(token.expires_at && new Date(token.expires_at) <= new Date())
  return element('li', { class: `account-row${live ? '' : ' gone'}`, 'aria-label': token.name },
    element('div', {},
      element('p', { class: 'row-title', text: token.name }),
      element('p', { class: 'muted small', text: `Made ${day(token.created_at)} · ${token.last_used_at ? `last used ${when(token.last_used_at)}` : 'never used'} · ${tokenState(token)}` })),
    live ? element('button', {
      class: 'ghost small danger', type: 'button', text: 'Revoke',
      onclick: () => act(() => api(`/api/account/tokens/${token.id}`, { method: 'DELETE' }), `“${token.name}” is revoked.`),
    }) : null)
}

async function load () {
  const account = await api('/api/account')
  sessionList.replaceChildren(...account.sessions.map(sessionItem))
  tokenList.replaceChildren(...account.tokens.map(tokenItem))
  if (!account.tokens.length) tokenList.replaceChildren(element('li', { class: 'muted small', text: 'No tokens yet.' }))
  document.getElementById('end-others').disabled = account.sessions.length < 2
}

async function act (action, done) {
  try {
    await action()
    status.textContent = done
    await load()
  } catch (error) {
    status.textContent = error.message
  }
}

document.getElementById('end-others').addEventListener('click', () =>
  act(() => api('/api/account/sessions', { method: 'DELETE' }), 'Every other browser is signed out.'))

const tokenForm = document.getElementById('token-form')
tokenForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const problem = tokenForm.querySelector('.form-error')
  problem.textContent = ''
  const expiry = tokenForm.elements.expiry.value
  try {
    const made = await api('/api/account/tokens', { method: 'POST', body: { name: tokenForm.elements.name.value, expires_in_days: expiry ? Number(expiry) : null } })
    const shown = document.getElementById('new-token')
    shown.hidden = false
    const text = document.getElementById('new-token-text')
    text.value = made.token
    text.select()
    tokenForm.reset()
    await load()
  } catch (error) {
    problem.textContent = error.message
  }
})

const passwordForm = document.getElementById('password-form')
passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const problem = passwordForm.querySelector('.form-error')
  problem.textContent = ''
  try {
    await api('/api/account/password', { method: 'POST', body: { current: document.getElementById('current-password').value, new: document.getElementById('new-password').value } })
    passwordForm.reset()
    status.textContent = 'Your password is changed; your other browsers are signed out.'
    await load()
  } catch (error) {
    problem.textContent = error.message
  }
})

load().catch((error) => { status.textContent = `Could not load your account: ${error.message}` })
